/*
 * replica.h - one key span [start, end) of one engine: evaluates request batches and
 * hands their effects to a proposer.
 *
 * Serving a request is four steps, kept apart so Raft can slot in under step 3:
 *   1. LATCH: declare the spans the batch reads and writes (latch.h); batches touching
 *      overlapping keys run one after the other, others in parallel.
 *   2. EVALUATE against the engine's current state: reads, conflict checks (intents of
 *      other transactions, write-too-old), and the EFFECTS: one engine_batch of intent,
 *      record and version writes. Evaluation never writes to the engine itself.
 *   3. PROPOSE the effects through the kv_proposer. Today's proposer commits the batch to
 *      the engine (engine_batch_commit); with Raft, the proposer serialises the batch into
 *      a log entry, waits for it to be committed by the group and applied on every
 *      replica, so evaluation stays on the leaseholder and application happens everywhere.
 *   4. Release latches; if evaluation met another transaction's pending intent, wait in
 *      the lock table (locktable.h) with latches released, then start again at step 1.
 *
 * Timestamps: the replica remembers the highest timestamp any read was served at
 * (read_ts_max, the low-water mark of a timestamp cache). Every commit timestamp it
 * assigns is above it, so a reader may IGNORE a pending intent of another transaction:
 * that transaction can only commit above every read already served, never beneath a
 * snapshot someone has read. Readers therefore never block on writers (as in PostgreSQL);
 * writers wait for writers. An intent whose record is in another range is settled by a
 * PUSH of that record (kv_txn_pusher below, PUSH_TXN in request.h), made with latches
 * released: a pending pushee is pushed above the reader's timestamp on its own range.
 *
 * Owns: its latch manager, lock table, a copy of its span and its cache of push outcomes.
 * Borrows the engine, clock and env (and the pusher's context), which must outlive it.
 * Thread safety: kv_replica_send may be called from any number of threads at once; the
 * latch manager and lock table are internally synchronised, one mutex (ts_mu)
 * protects read_ts_max, another (span_mu) the span, and push_mu the cache of push
 * outcomes. The pusher is called with no latch or mutex of the replica held.
 */
#ifndef MICE_KV_REPLICA_H
#define MICE_KV_REPLICA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/hlc.h"
#include "base/status.h"
#include "kv/latch.h"
#include "kv/locktable.h"
#include "kv/request.h"
#include "kv/tsguard.h"
#include "storage/engine.h"

typedef struct kv_replica kv_replica;

/* Makes a batch of effects durable and visible. Consumes effects on success and on error.
 * sync: the caller is about to acknowledge a commit, so the effects must survive a crash
 * when this returns. lease: what acquire returned for this attempt (0 without acquire).
 * Called with the request's latches held.
 * acquire (optional; NULL = always serve): called after latching and before evaluating.
 * MICE_OK when this replica may serve the request now, its local state holding every
 * write acknowledged before the call (a replicated range: the leaseholder); *lease then
 * identifies the lease, and propose refuses effects whose lease has ended since.
 * MICE_NOT_LEADER (the caller routes elsewhere) or another error otherwise.
 * logged_effects: create effects batches with engine_batch_create_logged, so propose can
 * serialise them (engine_batch_data). */
typedef struct kv_proposer {
    mice_status (*propose)(void *ctx, uint64_t lease, engine_batch *effects, bool sync,
                           mice_err *err);
    void *ctx;
    mice_status (*acquire)(void *ctx, uint64_t *lease, mice_err *err);
    bool logged_effects;
} kv_proposer;

/* Where a transaction whose record lives in another range stands: the pusher sends a
 * PUSH_TXN (request.h) to the range of primary and returns its answer. Called by
 * kv_replica_send with no latch held, on the thread serving the request; it may block on
 * the network. A node wires it to its gateway (kv_sender_push_txn in sender.h). */
typedef struct kv_txn_push {
    uint64_t txn_id;
    mice_slice primary;   /* borrowed */
    hlc_ts start_ts;      /* the pushee's begin timestamp (from its intent) */
    hlc_ts read_ts;       /* the pusher's read timestamp: a pending pushee commits above */
    bool abort_abandoned; /* a writer: abort the pushee if it is abandoned */
} kv_txn_push;

typedef struct kv_txn_pushed {
    kv_txn_state state;
    hlc_ts commit_ts; /* COMMITTED */
    uint64_t heartbeat_wall_ns;
} kv_txn_pushed;

typedef struct kv_txn_pusher {
    mice_status (*push)(void *ctx, const kv_txn_push *p, kv_txn_pushed *out, mice_err *err);
    void *ctx;
} kv_txn_pusher;

enum {
    KV_PUSH_CACHE_SLOTS = 1024, /* outcomes of pushes a replica remembers (by txn id) */
    KV_LOCK_TIMEOUT_MS_DEFAULT = 600000, /* PostgreSQL's lock_timeout is off; ours is long */
    KV_TXN_TTL_MS_DEFAULT = 10000,       /* a record not live here and this old is abandoned */
    KV_ABANDONED_POLL_MS = 20,           /* recheck interval for a holder not live here */
};

typedef struct kv_replica_config {
    mice_slice start;         /* copied */
    mice_slice end;           /* copied; empty = end of key space */
    uint64_t lock_timeout_ms; /* 0 = wait without limit */
    uint64_t txn_ttl_ms;
    kv_proposer proposer;  /* propose == NULL: commit directly to the engine */
    kv_ts_guard *ts_guard; /* the store's high-water mark (borrowed); NULL = none (tests) */
    /* push == NULL (a single node): records of other ranges are read from the local engine
     * as before - a missing one is pending while the transaction is live in the lock
     * table or younger than the TTL, else aborted. With a pusher, an intent whose record
     * belongs to another range is settled only by what that range answers (see
     * kv_replica_send). */
    kv_txn_pusher pusher;
} kv_replica_config;

void kv_replica_config_init(kv_replica_config *cfg);

kv_replica *kv_replica_create(engine *e, hlc *clock, const mice_env *env,
                              const kv_replica_config *cfg);
/* No request may be in flight. NULL is ignored. */
void kv_replica_destroy(kv_replica *r);

/* Serve one request; resp is reset and filled (the caller deinits it, also on error).
 * Errors as in request.h; resp->conflict says which SQLSTATE a conflict maps to. */
mice_status kv_replica_send(kv_replica *r, const kv_request *req, kv_response *resp, mice_err *err);

/* Borrowed: valid until the span changes (kv_replica_set_span) or the replica goes. */
mice_slice kv_replica_start(const kv_replica *r);
mice_slice kv_replica_end(const kv_replica *r);
bool kv_replica_contains(kv_replica *r, mice_slice key);
/* Whether [start, end) lies in the replica's span (end empty: the point start; to_end: up
 * to the end of the key space). */
bool kv_replica_contains_span(kv_replica *r, mice_slice start, mice_slice end, bool to_end);
/* Change the span (a range split or a snapshot changed the range's descriptor). Any
 * thread; keys leaving the span must be latched by the caller or not be served here
 * (a follower), since requests in flight on them would now be out of range. */
void kv_replica_set_span(kv_replica *r, mice_slice start, mice_slice end);
/* Raise read_ts_max to ts (a new leaseholder: above every read a previous one served). */
void kv_replica_forward_read_ts(kv_replica *r, hlc_ts ts);
hlc_ts kv_replica_read_ts_max(kv_replica *r);
/* Hold every key in [start, end) (empty end: to the end of the key space) and every
 * transaction record of a primary there, for writing: waits for requests on them to
 * finish and keeps new ones waiting until kv_replica_unlatch (range-level commands such
 * as a split). Not while holding another latch of this replica. */
latch_guard *kv_replica_latch_keys(kv_replica *r, mice_slice start, mice_slice end);
void kv_replica_unlatch(kv_replica *r, latch_guard *g);
engine *kv_replica_engine(const kv_replica *r);
locktable *kv_replica_locktable(kv_replica *r);
/* The KV TTL's background purge, one bounded step: visit at most max_rows live keys of
 * [start, end) (clamped to the replica; empty end = the replica's end) in key order, then
 * tombstone those whose value had expired with one non-transactional request of DELETE
 * if_expired ops (request.h), which re-checks each key under its latch, so a key written
 * again meanwhile is kept. Unsynced: a purge lost in a crash is simply redone. *more says
 * whether keys remain after *resume (reset and filled: where the next step starts);
 * *n_purged counts the tombstones written. Any thread. */
mice_status kv_replica_purge_expired(kv_replica *r, mice_slice start, mice_slice end,
                                     size_t max_rows, mice_buf *resume, bool *more,
                                     size_t *n_purged, mice_err *err);

/* Rebuild the index of live intents from the locks CF. kv_replica_create does it; whoever
 * changes the CF other than through kv_replica_send (a Raft follower applying entries,
 * a snapshot) must call it before the replica serves requests again (lease acquired). */
mice_status kv_replica_reload_intents(kv_replica *r, mice_err *err);
/* Change the lock wait timeout (SET lock_timeout); 0 = no limit. */
void kv_replica_set_lock_timeout(kv_replica *r, uint64_t timeout_ms);

#endif
