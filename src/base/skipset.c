/* skipset.c - skip list of byte strings (see skipset.h). */
#include "base/skipset.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"

struct skipset_node {
    uint8_t *key;
    size_t len;
    int level;
    skipset_node *next[]; /* level links */
};

static mice_slice key_of(const skipset_node *n)
{
    return mice_slice_of(n->key, n->len);
}

static skipset_node *node_new(int level, mice_slice key)
{
    skipset_node *n = mice_calloc(1, sizeof *n + (size_t)level * sizeof n->next[0]);
    n->level = level;
    n->len = key.n;
    if (key.n) {
        n->key = mice_malloc(key.n);
        memcpy(n->key, key.p, key.n);
    }
    return n;
}

static void node_free(skipset_node *n)
{
    free(n->key);
    free(n);
}

void skipset_init(mice_skipset *s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->head = node_new(SKIPSET_MAX_LEVEL, (mice_slice){0});
    s->level = 1;
    prng_seed(&s->rng, seed);
}

void skipset_deinit(mice_skipset *s)
{
    skipset_node *n = s->head;
    while (n) {
        skipset_node *next = n->next[0];
        node_free(n);
        n = next;
    }
    memset(s, 0, sizeof *s);
}

/* For every level, the last node whose key is < key (the head when none). */
static void find_preds(const mice_skipset *s, mice_slice key, skipset_node **preds)
{
    skipset_node *x = s->head;
    for (int l = s->level - 1; l >= 0; l--) {
        while (x->next[l] && mice_slice_cmp(key_of(x->next[l]), key) < 0)
            x = x->next[l];
        preds[l] = x;
    }
}

static int random_level(mice_skipset *s)
{
    int level = 1;
    uint64_t r = prng_next(&s->rng);
    while (level < SKIPSET_MAX_LEVEL && (r & 3) == 0) { /* p = 1/4 */
        level++;
        r >>= 2;
    }
    return level;
}

bool skipset_add(mice_skipset *s, mice_slice key)
{
    skipset_node *preds[SKIPSET_MAX_LEVEL];
    find_preds(s, key, preds);
    skipset_node *at = preds[0]->next[0];
    if (at && mice_slice_eq(key_of(at), key)) return false;
    int level = random_level(s);
    for (int l = s->level; l < level; l++)
        preds[l] = s->head;
    if (level > s->level) s->level = level;
    skipset_node *n = node_new(level, key);
    for (int l = 0; l < level; l++) {
        n->next[l] = preds[l]->next[l];
        preds[l]->next[l] = n;
    }
    s->n++;
    return true;
}

bool skipset_remove(mice_skipset *s, mice_slice key)
{
    skipset_node *preds[SKIPSET_MAX_LEVEL];
    find_preds(s, key, preds);
    skipset_node *at = preds[0]->next[0];
    if (!at || !mice_slice_eq(key_of(at), key)) return false;
    for (int l = 0; l < at->level; l++)
        if (preds[l]->next[l] == at) preds[l]->next[l] = at->next[l];
    while (s->level > 1 && !s->head->next[s->level - 1])
        s->level--;
    node_free(at);
    s->n--;
    return true;
}

bool skipset_contains(const mice_skipset *s, mice_slice key)
{
    skipset_node *preds[SKIPSET_MAX_LEVEL];
    find_preds(s, key, preds);
    skipset_node *at = preds[0]->next[0];
    return at && mice_slice_eq(key_of(at), key);
}

bool skipset_next(const mice_skipset *s, mice_slice key, bool inclusive, mice_slice end,
                  mice_slice *out)
{
    skipset_node *preds[SKIPSET_MAX_LEVEL];
    find_preds(s, key, preds);
    skipset_node *at = preds[0]->next[0];
    if (at && !inclusive && mice_slice_eq(key_of(at), key)) at = at->next[0];
    if (!at || (end.n && mice_slice_cmp(key_of(at), end) >= 0)) return false;
    *out = key_of(at);
    return true;
}

bool skipset_prev(const mice_skipset *s, mice_slice key, bool inclusive, mice_slice start,
                  mice_slice *out)
{
    skipset_node *preds[SKIPSET_MAX_LEVEL];
    find_preds(s, key, preds);
    skipset_node *at = preds[0]; /* the last key < key */
    if (inclusive && at->next[0] && mice_slice_eq(key_of(at->next[0]), key)) at = at->next[0];
    if (at == s->head || mice_slice_cmp(key_of(at), start) < 0) return false;
    *out = key_of(at);
    return true;
}

bool skipset_last(const mice_skipset *s, mice_slice start, mice_slice *out)
{
    skipset_node *x = s->head;
    for (int l = s->level - 1; l >= 0; l--)
        while (x->next[l])
            x = x->next[l];
    if (x == s->head || mice_slice_cmp(key_of(x), start) < 0) return false;
    *out = key_of(x);
    return true;
}
