/* A transaction's write set (see writeset.h): an array in first-write order plus an
 * open-addressing index (FNV-1a) so large transactions stay O(1) per write. */
#include "txn/writeset.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"

void writeset_init(writeset *w)
{
    memset(w, 0, sizeof *w);
}

void writeset_deinit(writeset *w)
{
    for (size_t i = 0; i < w->n; i++)
        buf_deinit(&w->entries[i].key);
    free(w->entries);
    free(w->slots);
    memset(w, 0, sizeof *w);
}

static uint64_t hash_key(mice_slice k)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < k.n; i++)
        h = (h ^ k.p[i]) * 1099511628211ull;
    return h;
}

static size_t slot_of(const writeset *w, mice_slice key)
{
    size_t mask = w->n_slots - 1, i = (size_t)hash_key(key) & mask;
    while (w->slots[i] && !mice_slice_eq(buf_slice(&w->entries[w->slots[i] - 1].key), key))
        i = (i + 1) & mask;
    return i;
}

static void rehash(writeset *w)
{
    free(w->slots);
    w->n_slots = w->n_slots ? 2 * w->n_slots : 64;
    w->slots = mice_calloc(w->n_slots, sizeof *w->slots);
    for (size_t i = 0; i < w->n; i++)
        w->slots[slot_of(w, buf_slice(&w->entries[i].key))] = (uint32_t)(i + 1);
}

writeset_entry *writeset_find(const writeset *w, mice_slice key)
{
    if (!w->n_slots) return NULL;
    uint32_t s = w->slots[slot_of(w, key)];
    return s ? &w->entries[s - 1] : NULL;
}

writeset_entry *writeset_add(writeset *w, mice_slice key, uint32_t seq, uint32_t stmt)
{
    writeset_entry *e = writeset_find(w, key);
    if (e) {
        if (e->dropped) e->first_seq = seq;
        e->dropped = false;
        e->last_stmt = stmt;
        return e;
    }
    if (2 * (w->n + 1) > w->n_slots) rehash(w);
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 16;
        w->entries = mice_realloc(w->entries, w->cap * sizeof *w->entries);
    }
    e = &w->entries[w->n];
    buf_init(&e->key);
    buf_append_slice(&e->key, key);
    e->first_seq = seq;
    e->last_stmt = stmt;
    e->dropped = false;
    w->slots[slot_of(w, key)] = (uint32_t)(++w->n);
    return e;
}

mice_slice *writeset_keys(const writeset *w, size_t *n_out)
{
    mice_slice *keys = mice_calloc(w->n ? w->n : 1, sizeof *keys);
    size_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        if (!w->entries[i].dropped) keys[n++] = buf_slice(&w->entries[i].key);
    *n_out = n;
    return keys;
}
