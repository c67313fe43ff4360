/* keyset.c - open-addressing set of byte strings (see keyset.h). */
#include "base/keyset.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"

struct keyset_slot {
    uint64_t hash;
    size_t off; /* into store */
    size_t len;
    bool used;
};

/* FNV-1a, then a final mix so that the low bits (the slot index) depend on every byte. */
static uint64_t hash_of(mice_slice k)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < k.n; i++) {
        h ^= k.p[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

void keyset_init(mice_keyset *s)
{
    memset(s, 0, sizeof *s);
    buf_init(&s->store);
}

void keyset_deinit(mice_keyset *s)
{
    free(s->slots);
    buf_deinit(&s->store);
    memset(s, 0, sizeof *s);
}

static keyset_slot *find(const mice_keyset *s, mice_slice key, uint64_t h)
{
    size_t mask = s->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        keyset_slot *sl = &s->slots[i];
        if (!sl->used) return sl;
        if (sl->hash == h && sl->len == key.n && memcmp(s->store.p + sl->off, key.p, key.n) == 0)
            return sl;
    }
}

static void grow(mice_keyset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16;
    keyset_slot *old = s->slots;
    size_t old_cap = s->cap;
    s->slots = mice_calloc(cap, sizeof *s->slots);
    s->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].used) continue;
        size_t mask = cap - 1, j = old[i].hash & mask;
        while (s->slots[j].used)
            j = (j + 1) & mask;
        s->slots[j] = old[i];
    }
    free(old);
}

void keyset_add(mice_keyset *s, mice_slice key, bool *was_present)
{
    if ((s->n + 1) * 2 > s->cap) grow(s);
    uint64_t h = hash_of(key);
    keyset_slot *sl = find(s, key, h);
    *was_present = sl->used;
    if (sl->used) return;
    *sl = (keyset_slot){.hash = h, .off = s->store.n, .len = key.n, .used = true};
    buf_append(&s->store, key.p, key.n);
    s->n++;
}

bool keyset_contains(const mice_keyset *s, mice_slice key)
{
    if (!s->cap) return false;
    return find(s, key, hash_of(key))->used;
}
