/*
 * latch.h - per-replica latches: requests that touch overlapping keys evaluate one after
 * the other.
 *
 * A request declares, before it evaluates, the spans it reads and writes. latch_acquire
 * blocks until no EARLIER request (held or still waiting) holds a conflicting span: two
 * spans conflict when they overlap and at least one is a write. Because a request takes
 * all its spans at once and waits only for requests that arrived before it, latching
 * cannot deadlock and is fair (FIFO among conflicting requests). Latches are held only
 * for evaluation + application of one request (microseconds to one synced write), never
 * while a transaction waits for another's lock: that wait happens in the lock table
 * with latches released.
 *
 * Owns: the guards it hands out (released by latch_release). Borrows nothing after
 * latch_acquire returns (spans are copied).
 * Thread safety: any thread. One mutex protects the list of guards (held and waiting);
 * one condition variable is broadcast when a guard is released.
 */
#ifndef MICE_KV_LATCH_H
#define MICE_KV_LATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

typedef struct latch_mgr latch_mgr;
typedef struct latch_guard latch_guard;

/* A span [start, end); an empty end means the single key start. */
typedef struct latch_span {
    mice_slice start;
    mice_slice end;
    bool write;
} latch_span;

latch_mgr *latch_mgr_create(void);
/* Every guard must have been released. NULL is ignored. */
void latch_mgr_destroy(latch_mgr *m);

/* Block until the spans can be held; returns the guard (never NULL). */
latch_guard *latch_acquire(latch_mgr *m, const latch_span *spans, size_t n_spans);
void latch_release(latch_mgr *m, latch_guard *g);

/* Number of guards held or waiting (tests). */
size_t latch_mgr_count(latch_mgr *m);

#endif
