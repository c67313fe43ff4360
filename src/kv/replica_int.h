/*
 * replica_int.h - shared between replica.c (latching, proposing, waiting) and
 * replica_eval.c (evaluation). Not part of the kv layer's interface.
 */
#ifndef MICE_KV_REPLICA_INT_H
#define MICE_KV_REPLICA_INT_H

#include <pthread.h>

#include "base/skipset.h"
#include "kv/latch.h"
#include "kv/replica.h"

struct kv_replica {
    engine *e;
    hlc *clock;
    const mice_env *env;
    pthread_mutex_t span_mu; /* protects start and end (kv_replica_set_span) */
    mice_buf start, end;
    uint64_t txn_ttl_ms;
    kv_proposer proposer;
    kv_ts_guard *ts_guard;
    latch_mgr *latches;
    locktable *locks;
    pthread_mutex_t ts_mu; /* protects read_ts_max and lock_timeout_ms */
    hlc_ts read_ts_max;    /* every read served so far was at or below this */
    uint64_t lock_timeout_ms;
    /* The user keys of the live intents in this replica's span. Scans consult it instead
     * of iterating the locks CF (full of resolved intents' tombstones). Changed only by
     * applying an evaluation's intent delta, while that request's latches are held. */
    pthread_mutex_t intents_mu;
    mice_skipset intents;
    /* A replicated range: the lease the index was last rebuilt for (under reload_mu). As
     * a follower the replica applied entries it did not evaluate, so each new lease
     * starts with a rebuild from the locks CF. */
    pthread_mutex_t reload_mu;
    uint64_t intents_lease;
    /* Records of other ranges: the pusher, and what pushes answered (push_mu), one slot
     * per txn id modulo KV_PUSH_CACHE_SLOTS, matched by id and primary (the record's
     * key). COMMITTED and ABORTED are final; PENDING holds the highest read timestamp
     * pushed, below which readers may ignore the pushee's intents (it commits above). */
    kv_txn_pusher pusher;
    pthread_mutex_t push_mu;
    struct kv__pushed_slot *pushed;
};

typedef struct kv__pushed_slot {
    uint64_t txn_id; /* 0 = empty */
    uint64_t primary_hash;
    kv_txn_state state;
    hlc_ts commit_ts;  /* COMMITTED */
    hlc_ts pushed_to;  /* PENDING / MISSING: reads at or below may ignore the intents */
} kv__pushed_slot;

/* What a replica looks up in its cache of push outcomes. */
bool kv__pushed_lookup(kv_replica *r, uint64_t txn_id, mice_slice primary, kv__pushed_slot *out);

/* One evaluation of one request. */
typedef struct kv__eval {
    kv_replica *r;
    const kv_request *req;
    kv_response *resp;
    engine_batch *effects;  /* what evaluation decided to write */
    bool sync;              /* the effects acknowledge a commit */
    bool finished_txn;      /* the request's transaction ends when the effects apply */
    uint64_t wait_for;      /* MICE_BUSY: the transaction whose intent blocks us */
    bool wait_for_live;     /* it runs in this process (else poll until abandoned) */
    bool again_after_apply; /* READ COMMITTED write-too-old: lock taken, then MICE_AGAIN */
    /* MICE_BUSY with need_push: ask the range of push.primary (push_primary holds it)
     * where transaction push.txn_id stands, then evaluate again. */
    bool need_push;
    kv_txn_push push;
    mice_buf push_primary;
    uint64_t aborted_txn; /* PUSH_TXN wrote an ABORTED record: wake its waiters here */
    uint64_t settled_txn; /* a foreign intent of an ended (committed or aborted) transaction
                           * was rolled forward or back: that transaction is over here too */
    mice_buf scratch_key, raw_intent, raw_record;
    mice_buf intent_delta; /* ['+' or '-'][u32 length][user key]...: applied with effects */
} kv__eval;

/* Evaluate ev->req into ev->resp and ev->effects. MICE_BUSY: wait for ev->wait_for. */
mice_status kv__evaluate(kv__eval *ev, mice_err *err);

/* The replica's end key, copied into out (reset first). */
void kv__replica_end(kv_replica *r, mice_buf *out);
/* Note a read at ts; later commit timestamps are above it. */
void kv__note_read(kv_replica *r, hlc_ts ts);
/* A commit timestamp: above floor, above every read served, not behind the clock, and
 * admitted by the store's timestamp guard. */
mice_status kv__commit_ts(kv_replica *r, hlc_ts floor, hlc_ts *out, mice_err *err);
/* The same with an upper bound (a SERIALIZABLE commit whose reads in other ranges were
 * validated up to bound): commits at bound; MICE_RANGE with *out = the lowest timestamp
 * possible when that is above bound. */
mice_status kv__commit_ts_bounded(kv_replica *r, hlc_ts floor, hlc_ts bound, hlc_ts *out,
                                  mice_err *err);

#endif
