/*
 * skipset.h - an ordered set of byte strings (a skip list), with seeks in both directions.
 *
 * The kv layer keeps the keys of a replica's live intents here, so a scan finds the
 * intents of its span without iterating the locks column family, where every resolved
 * intent leaves a RocksDB tombstone until compaction (a scan over a span just bulk-loaded
 * would otherwise step over one tombstone per row).
 *
 * Order is memcmp order, a proper prefix first (mice_slice_cmp). Node levels come from a
 * xoshiro generator seeded at init, so the structure is deterministic for a given history.
 *
 * Owns: every node and its copy of the key; skipset_deinit frees them.
 * Invariants: each key is present at most once; level-0 links are in ascending order.
 * Thread safety: none; the owner serialises access (kv_replica holds a mutex).
 */
#ifndef MICE_BASE_SKIPSET_H
#define MICE_BASE_SKIPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/prng.h"

enum { SKIPSET_MAX_LEVEL = 24 };

typedef struct skipset_node skipset_node;

typedef struct mice_skipset {
    skipset_node *head; /* sentinel with SKIPSET_MAX_LEVEL links */
    int level;          /* levels in use, >= 1 */
    size_t n;
    mice_prng rng;
} mice_skipset;

void skipset_init(mice_skipset *s, uint64_t seed);
void skipset_deinit(mice_skipset *s);
/* Insert key (copied); false if it was already present. */
bool skipset_add(mice_skipset *s, mice_slice key);
/* Remove key; false if it was absent. */
bool skipset_remove(mice_skipset *s, mice_slice key);
bool skipset_contains(const mice_skipset *s, mice_slice key);
/* The smallest key >= key (inclusive) or > key (!inclusive), limited to keys < end
 * (end.n == 0: no limit). False when there is none. out borrows the set's copy: valid
 * until that key is removed. */
bool skipset_next(const mice_skipset *s, mice_slice key, bool inclusive, mice_slice end,
                  mice_slice *out);
/* The largest key < key (<= key with inclusive), limited to keys >= start. */
bool skipset_prev(const mice_skipset *s, mice_slice key, bool inclusive, mice_slice start,
                  mice_slice *out);
/* The largest key of all, limited to keys >= start. */
bool skipset_last(const mice_skipset *s, mice_slice start, mice_slice *out);
static inline size_t skipset_size(const mice_skipset *s)
{
    return s->n;
}

#endif
