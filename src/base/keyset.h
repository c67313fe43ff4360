/*
 * keyset.h - a set of byte strings: "have I seen this key before?"
 *
 * Used where a statement must remember which rows it already touched (ON CONFLICT DO
 * UPDATE may not affect a row twice) without a round trip to storage. Open addressing
 * with linear probing over 64-bit hashes; the keys' bytes are copied into one growable
 * store, so the set never borrows from its caller.
 *
 * Owns: its slot table and the copies of the keys; keyset_deinit frees both.
 * Invariants: at most half of the slots are used; a key is present at most once.
 * Thread safety: a set belongs to one thread at a time.
 */
#ifndef MICE_BASE_KEYSET_H
#define MICE_BASE_KEYSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct keyset_slot keyset_slot;

typedef struct mice_keyset {
    keyset_slot *slots;
    size_t cap; /* slots; 0 or a power of two */
    size_t n;   /* keys present */
    mice_buf store;
} mice_keyset;

void keyset_init(mice_keyset *s);
void keyset_deinit(mice_keyset *s);
/* Add key; *was_present says whether it was there already (then nothing changes). */
void keyset_add(mice_keyset *s, mice_slice key, bool *was_present);
bool keyset_contains(const mice_keyset *s, mice_slice key);
static inline size_t keyset_size(const mice_keyset *s)
{
    return s->n;
}

#endif
