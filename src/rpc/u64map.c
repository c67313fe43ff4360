/*
 * Linear probing. Deletion shifts later entries of the same probe run back into the hole,
 * which keeps every key reachable from its home slot without tombstones.
 */
#include "rpc/u64map.h"

#include <stdlib.h>

#include "base/check.h"

enum { U64MAP_MIN_CAP = 16 };

static size_t home(uint64_t key, size_t cap)
{
    /* splitmix64's finalizer */
    key ^= key >> 30;
    key *= 0xbf58476d1ce4e5b9ull;
    key ^= key >> 27;
    key *= 0x94d049bb133111ebull;
    key ^= key >> 31;
    return (size_t)key & (cap - 1);
}

void u64map_init(u64map *m)
{
    m->slots = NULL;
    m->cap = 0;
    m->n = 0;
}

void u64map_deinit(u64map *m)
{
    free(m->slots);
    u64map_init(m);
}

static u64map_slot *find(const u64map *m, uint64_t key)
{
    if (m->cap == 0) return NULL;
    for (size_t i = home(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        u64map_slot *s = &m->slots[i];
        if (s->key == key) return s;
        if (s->key == 0) return NULL;
    }
}

void *u64map_get(const u64map *m, uint64_t key)
{
    if (key == 0) return NULL;
    u64map_slot *s = find(m, key);
    return s ? s->value : NULL;
}

static void insert_new(u64map_slot *slots, size_t cap, uint64_t key, void *value)
{
    size_t i = home(key, cap);
    while (slots[i].key != 0)
        i = (i + 1) & (cap - 1);
    slots[i].key = key;
    slots[i].value = value;
}

static void grow(u64map *m)
{
    size_t cap = m->cap ? m->cap * 2 : U64MAP_MIN_CAP;
    u64map_slot *slots = mice_calloc(cap, sizeof *slots);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key) insert_new(slots, cap, m->slots[i].key, m->slots[i].value);
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void u64map_put(u64map *m, uint64_t key, void *value)
{
    mice_assert(key != 0);
    mice_assert(value != NULL);
    u64map_slot *s = find(m, key);
    if (s) {
        s->value = value;
        return;
    }
    if ((m->n + 1) * 2 > m->cap) grow(m);
    insert_new(m->slots, m->cap, key, value);
    m->n++;
}

void *u64map_del(u64map *m, uint64_t key)
{
    if (key == 0) return NULL;
    u64map_slot *s = find(m, key);
    if (!s) return NULL;
    void *value = s->value;
    size_t mask = m->cap - 1;
    size_t hole = (size_t)(s - m->slots);
    for (size_t j = (hole + 1) & mask; m->slots[j].key != 0; j = (j + 1) & mask) {
        size_t h = home(m->slots[j].key, m->cap);
        /* Move j into the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
        if (stays) continue;
        m->slots[hole] = m->slots[j];
        hole = j;
    }
    m->slots[hole].key = 0;
    m->slots[hole].value = NULL;
    m->n--;
    return value;
}

size_t u64map_count(const u64map *m)
{
    return m->n;
}

bool u64map_next(const u64map *m, size_t *pos, uint64_t *key, void **value)
{
    for (; *pos < m->cap; (*pos)++) {
        if (m->slots[*pos].key) {
            *key = m->slots[*pos].key;
            *value = m->slots[*pos].value;
            (*pos)++;
            return true;
        }
    }
    return false;
}
