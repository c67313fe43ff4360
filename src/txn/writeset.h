/*
 * writeset.h - the keys a transaction has written or locked, in first-write order.
 *
 * The coordinator needs them to commit (every intent becomes a version in the 1PC batch
 * or is resolved after the 2PC record), to roll back, and to undo one statement for a
 * READ COMMITTED restart: for each key it remembers the sequence number of its first
 * write in the transaction and the statement that last wrote it. A key whose intent was
 * removed by a statement undo is marked dropped and skipped until written again.
 *
 * Owns: copies of the keys. Thread safety: belongs to its transaction's thread.
 */
#ifndef MICE_TXN_WRITESET_H
#define MICE_TXN_WRITESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct writeset_entry {
    mice_buf key;
    uint32_t first_seq;
    uint32_t last_stmt;
    bool dropped;
} writeset_entry;

typedef struct writeset {
    writeset_entry *entries;
    size_t n, cap;
    uint32_t *slots; /* open addressing: index + 1, 0 = empty */
    size_t n_slots;
} writeset;

void writeset_init(writeset *w);
void writeset_deinit(writeset *w);
/* Record a write of key at seq in statement stmt; returns its entry. */
writeset_entry *writeset_add(writeset *w, mice_slice key, uint32_t seq, uint32_t stmt);
writeset_entry *writeset_find(const writeset *w, mice_slice key);
/* Live (not dropped) keys, as slices borrowed from w, into a malloc'ed array (caller
 * frees; valid until w changes). */
mice_slice *writeset_keys(const writeset *w, size_t *n_out);

#endif
