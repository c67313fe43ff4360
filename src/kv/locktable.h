/*
 * locktable.h - who waits for whom: the per-replica wait queue for row locks, the registry
 * of live transactions and the deadlock detector.
 *
 * Locks themselves are the intents in STORE_CF_LOCKS (durable, found by evaluation). This
 * module holds only what is not durable: which transactions are running in this process
 * (registered when they first write through the replica, removed when their commit or
 * abort has been applied) and which transaction waits for which. A writer that meets a
 * pending intent releases its latches and waits here until the holder finishes, the lock
 * wait timeout passes (MICE_TIMEOUT, SQLSTATE 55P03), or the deadlock detector picks it
 * as a victim (MICE_ABORTED, SQLSTATE 40P01). Waiting is per holder transaction, not per
 * key: a transaction releases all its locks at once, at commit or abort.
 *
 * Deadlock detection: every waiter waits for exactly one holder, so the waits-for graph
 * is a set of chains; when a new edge W -> H is added, the chain from H is followed and
 * if it leads back to W the youngest transaction on the cycle (largest start timestamp,
 * then largest id) is the victim, as DESIGN.md says. Detection happens at the moment the
 * cycle closes, so no periodic sweep is needed. Across ranges the same edges will go to a
 * distributed detector (the edges are already keyed by transaction id, not by key).
 *
 * Waiting uses a mutex and one condition variable per registered transaction, kept
 * inside this module: the single-node replica evaluates on the caller's worker thread,
 * which may block. When base/future.h lands, locktable_wait becomes a future completed
 * by locktable_txn_finish; the timed wait uses CLOCK_MONOTONIC, which is what
 * mice_env_real()'s mono_ns reads (a simulated env replaces this module's waits).
 *
 * Owns: its entries. Thread safety: any thread; one mutex protects every entry and edge.
 */
#ifndef MICE_KV_LOCKTABLE_H
#define MICE_KV_LOCKTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/hlc.h"
#include "base/status.h"

typedef struct locktable locktable;

/* env is borrowed and must outlive the table. */
locktable *locktable_create(const mice_env *env);
/* Every transaction must have finished. NULL is ignored. */
void locktable_destroy(locktable *lt);

/* Record that txn_id runs in this process (idempotent). start_ts is its age. */
void locktable_txn_begin(locktable *lt, uint64_t txn_id, hlc_ts start_ts);
/* The transaction's commit or abort is applied: wake its waiters and forget it. */
void locktable_txn_finish(locktable *lt, uint64_t txn_id);
bool locktable_txn_live(locktable *lt, uint64_t txn_id);

/* Wait until holder_id finishes. waiter_id 0 is a non-transactional request (it holds
 * nothing, so it cannot close a cycle). timeout_ms 0 waits without limit.
 * MICE_OK: the holder finished (or was not live: re-evaluate). MICE_ABORTED: the waiter
 * was chosen as a deadlock victim. MICE_TIMEOUT: the lock wait timeout passed. */
mice_status locktable_wait(locktable *lt, uint64_t waiter_id, hlc_ts waiter_start,
                           uint64_t holder_id, uint64_t timeout_ms);

/* End every wait in progress with MICE_OK (its caller re-evaluates): the replica's span
 * changed (a split), so the keys waited on may now belong to another range. */
void locktable_kick_all(locktable *lt);
/* Register in dst every transaction live in src (a split's right-hand range inherits the
 * transactions that wrote through the left one: their later operations and their end
 * arrive there). */
void locktable_copy_live(locktable *dst, locktable *src);

/* Statistics for tests: deadlocks detected so far, waits currently in progress. */
uint64_t locktable_deadlocks(locktable *lt);
uint64_t locktable_waiting(locktable *lt);

#endif
