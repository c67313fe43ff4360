/*
 * request.h - what travels between the transaction layer and a replica: a batch of
 * operations on keys, the transaction it belongs to, and the answers.
 *
 * A kv_request is built by the caller from borrowed slices (they must stay valid until
 * the send returns); a kv_response owns every byte it returns (kv_response_deinit frees).
 * Later these become protobuf messages on the node-to-node RPC; the shapes are chosen so
 * that every field has a wire meaning (no pointers to caller state beyond byte strings).
 *
 * Transactional requests carry a kv_txn_meta; without one a request is a one-shot
 * operation at a fresh timestamp (the RESP/HTTP KV API): reads see committed data, writes
 * become committed versions directly (waiting for a pending intent on the key first).
 *
 * Errors (kv_sender_send's status, with detail in mice_err and kind in the response):
 * MICE_CONFLICT   serialization failure (SQLSTATE 40001): write-too-old under REPEATABLE
 *                 READ / SERIALIZABLE, failed SERIALIZABLE validation, or the
 *                 transaction was aborted by someone else (abandoned).
 * MICE_ABORTED    the transaction was chosen as a deadlock victim (40P01).
 * MICE_TIMEOUT    the lock wait timeout passed (55P03).
 * MICE_EXISTS     a PUT with if_absent found a live value (unique violation, 23505);
 *                 nothing of the batch was written; response.failed_op says which PUT.
 * MICE_AGAIN      READ COMMITTED write-too-old: the statement must restart at a fresh
 *                 read timestamp (the transaction layer undoes the statement's writes).
 *                 The replica has taken the row lock anyway (an INTENT_LOCK, marked
 *                 result.locked, sequenced before the statement so the undo keeps it), so
 *                 the restarted statement finds the row stable, as a PostgreSQL UPDATE
 *                 that waited proceeds on the new row version while holding its lock.
 *                 Without that, contending read-modify-write statements could restart
 *                 forever: each waits for the lock, then loses to the next holder.
 */
#ifndef MICE_KV_REQUEST_H
#define MICE_KV_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/hlc.h"
#include "base/status.h"

typedef enum kv_isolation {
    KV_READ_COMMITTED = 0,
    KV_REPEATABLE_READ = 1,
    KV_SERIALIZABLE = 2,
} kv_isolation;

typedef struct kv_txn_meta {
    uint64_t id;        /* never 0 */
    mice_slice primary; /* the transaction's first written key (borrowed) */
    hlc_ts start_ts;    /* when it began: its age, for deadlock victims */
    hlc_ts read_ts;     /* snapshot of this statement (RC) or transaction (RR, SER) */
    hlc_ts write_ts;    /* provisional commit timestamp (only moves up) */
    kv_isolation isolation;
    uint32_t seq;             /* sequence number of this request's writes */
    uint32_t stmt_seq;        /* first sequence number of the current statement */
    uint64_t lock_timeout_ms; /* this transaction's lock wait limit: 0 = the replica's
                               * default, KV_LOCK_TIMEOUT_NONE = no limit */
} kv_txn_meta;

#define KV_LOCK_TIMEOUT_NONE UINT64_MAX

typedef enum kv_op_kind {
    KV_OP_GET,
    KV_OP_SCAN,
    KV_OP_PUT,
    KV_OP_DELETE,
    KV_OP_LOCK,        /* SELECT FOR UPDATE: take the row lock, write nothing */
    KV_OP_RESOLVE,     /* settle the request's own txn's intent on key */
    KV_OP_END_TXN,     /* commit or abort the request's transaction */
    KV_OP_GC_TXN,      /* 2PC: drop the committed record once every intent is resolved */
    KV_OP_CLEAR_RANGE, /* one-shot: remove every version and intent of [key, end) at once,
                        * without MVCC history: the span must be garbage nobody reads
                        * (the old data of a TRUNCATEd or DROPped table) */
    KV_OP_PUSH_TXN,    /* one-shot, on the range of key = the pushee's primary: where does
                        * transaction push_id stand (its record there)? See below. */
    KV_OP_VALIDATE,    /* SERIALIZABLE commit, on a range other than the primary's: nothing
                        * committed in read_spans (all inside this range; key = the first
                        * span's start) after the transaction's read timestamp; on success
                        * the range's timestamp cache rises to commit_ts (the commit's upper
                        * bound, which END_TXN then may not exceed), so no later write lands
                        * below the commit. MICE_CONFLICT (40001) otherwise. */
} kv_op_kind;

/* PUSH_TXN (CockroachDB's PushTxn/QueryTxn): a replica that meets an intent whose record
 * lives in another range asks the record's range. The answer (kv_result.txn_state,
 * commit_ts, heartbeat_wall_ns) is the record's status; evaluating the push also raises
 * the primary replica's read high-water mark to push_read_ts, so if the pushee is pending
 * it can only commit above the pusher's reads. With push_abort, a pushee that is
 * ABANDONED - a PENDING record whose heartbeat is older than the TTL, or no record while
 * the transaction began more than the TTL ago (push_start_ts) - gets an ABORTED record
 * through the log and the answer ABORTED: its END_TXN commit then fails (40001), and a
 * missing record can no longer be created as COMMITTED. */
typedef enum kv_txn_state {
    KV_TXN_MISSING = 0, /* no record (not yet written, or aborted / fully resolved) */
    KV_TXN_PENDING = 1,
    KV_TXN_COMMITTED = 2,
    KV_TXN_ABORTED = 3,
} kv_txn_state;

typedef enum kv_resolve_kind {
    KV_RESOLVE_COMMIT,    /* write the intent as a version at commit_ts, drop the intent */
    KV_RESOLVE_ABORT,     /* drop the intent */
    KV_RESOLVE_STMT_UNDO, /* undo writes with seq >= undo_seq (statement retry) */
} kv_resolve_kind;

/* A span [start, end); empty end = the single key start, unless to_end (then the span
 * runs to the end of the key space). */
typedef struct kv_span {
    mice_slice start;
    mice_slice end;
    bool to_end;
} kv_span;

typedef struct kv_op {
    kv_op_kind kind;
    mice_slice key; /* GET PUT DELETE LOCK RESOLVE; SCAN: first key (inclusive) */
    /* SCAN */
    mice_slice end; /* exclusive; empty = the end of the replica */
    size_t limit;   /* rows; 0 = no limit */
    bool reverse;
    /* PUT */
    mice_slice value;
    bool if_absent;  /* INSERT: fail with MICE_EXISTS if the key has a live value */
    bool has_expiry; /* KV TTL: the value expires at expiry_wall_ns (wall-clock ns) */
    uint64_t expiry_wall_ns;
    /* DELETE, non-transactional: only if the key's newest version is an expired value
     * (the background TTL purge); nothing is written otherwise, and nothing is synced
     * (a purge lost in a crash is redone: the key is still expired). */
    bool if_expired;
    /* RESOLVE */
    kv_resolve_kind resolve;
    hlc_ts commit_ts;
    uint32_t undo_seq;
    /* END_TXN */
    bool commit;
    bool one_phase;            /* resolve every intent in the same batch (1PC) */
    const mice_slice *intents; /* every key the transaction wrote or locked */
    size_t n_intents;
    const kv_span *read_spans; /* SERIALIZABLE: what was read, validated at commit */
    size_t n_read_spans;
    /* PUSH_TXN (key: the pushee's primary key) */
    uint64_t push_id;     /* the pushee */
    hlc_ts push_start_ts; /* when the pushee began (its intent says) */
    hlc_ts push_read_ts;  /* the pusher's read timestamp: a pending pushee commits above */
    bool push_abort;      /* abort the pushee if it is abandoned */
} kv_op;

typedef struct kv_request {
    const kv_txn_meta *txn; /* NULL: non-transactional */
    hlc_ts ts;              /* non-transactional: read/write timestamp, zero = now */
    const kv_op *ops;
    size_t n_ops;
} kv_request;

typedef struct kv_row {
    mice_buf key;
    mice_buf value;
    uint64_t expiry_wall_ns; /* the value's TTL (wall-clock ns); 0 = none (a live row's
                              * expiry is always in the future, so 0 is never one) */
} kv_row;

typedef struct kv_result {
    bool found;      /* GET */
    mice_buf value;  /* GET */
    bool has_expiry; /* GET, when found: the value's TTL */
    uint64_t expiry_wall_ns;
    bool purged;  /* DELETE with if_expired: the tombstone was written */
    kv_row *rows; /* SCAN, in scan order */
    size_t n_rows, cap_rows;
    bool more;           /* SCAN stopped at limit; resume_key is where to continue */
    mice_buf resume_key; /* forward: first key not returned; reverse: exclusive end */
    hlc_ts commit_ts;    /* END_TXN commit, non-transactional PUT/DELETE */
    bool locked;         /* MICE_AGAIN: the row lock was taken and is held (see below) */
    kv_txn_state txn_state;     /* PUSH_TXN; COMMITTED: at commit_ts */
    uint64_t heartbeat_wall_ns; /* PUSH_TXN, PENDING: the record's last heartbeat */
} kv_result;

typedef enum kv_conflict {
    KV_CONFLICT_NONE,
    KV_CONFLICT_SERIALIZATION, /* 40001 */
    KV_CONFLICT_DEADLOCK,      /* 40P01 */
    KV_CONFLICT_LOCK_TIMEOUT,  /* 55P03 */
} kv_conflict;

typedef struct kv_response {
    kv_result *results; /* one per op */
    size_t n_results;
    kv_conflict conflict;
    hlc_ts write_ts; /* the transaction's write timestamp after this request */
    /* When evaluation failed or stopped early: the index of the op it stopped at (in a
     * batch of many writes, MICE_EXISTS names the if_absent PUT that found a live value,
     * MICE_AGAIN the op whose row lock was taken: the ops before it were written, those
     * after it were not evaluated). n_results when no op failed. */
    size_t failed_op;
} kv_response;

void kv_response_init(kv_response *r);
/* Size the results for n ops (clears earlier results). */
void kv_response_reset(kv_response *r, size_t n_ops);
void kv_response_deinit(kv_response *r);
/* Append a row to a result (copies key and value); expiry_wall_ns 0 = no expiry. */
void kv_result_add_row(kv_result *res, mice_slice key, mice_slice value, uint64_t expiry_wall_ns);

#endif
