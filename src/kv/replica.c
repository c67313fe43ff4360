/* A replica's request loop: latch, evaluate, propose, wait (see replica.h). */
#include "kv/replica_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "base/keyenc.h"
#include "kv/intent.h"
#include "storage/mvcc.h"

void kv_replica_config_init(kv_replica_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->lock_timeout_ms = KV_LOCK_TIMEOUT_MS_DEFAULT;
    cfg->txn_ttl_ms = KV_TXN_TTL_MS_DEFAULT;
}

static mice_status propose_direct(void *ctx, uint64_t lease, engine_batch *effects, bool sync,
                                  mice_err *err)
{
    (void)ctx;
    (void)lease;
    return engine_batch_commit(effects, sync ? ENGINE_SYNC : ENGINE_NOSYNC, err);
}

/* Rebuild the intent index from the locks CF (start-up; see kv_replica_reload_intents). */
mice_status kv_replica_reload_intents(kv_replica *r, mice_err *err)
{
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    pthread_mutex_lock(&r->span_mu);
    intent_key(&lo, buf_slice(&r->start));
    if (r->end.n)
        intent_key(&hi, buf_slice(&r->end));
    else
        buf_append_u8(&hi, INTENT_KEY_PREFIX + 1);
    pthread_mutex_unlock(&r->span_mu);
    engine_iter_opts o = {.cf = STORE_CF_LOCKS, .lower = buf_slice(&lo), .upper = buf_slice(&hi)};
    engine_iter *it = NULL;
    mice_status rc = engine_iter_create(r->e, &o, &it, err);
    pthread_mutex_lock(&r->intents_mu);
    skipset_deinit(&r->intents);
    skipset_init(&r->intents, 1);
    for (engine_iter_first(it); rc == MICE_OK && it && engine_iter_valid(it);
         engine_iter_next(it)) {
        mice_slice key;
        if (intent_key_decode(engine_iter_key(it), &key))
            rc = mice_err_setf(err, MICE_CORRUPT, "malformed intent key");
        else
            skipset_add(&r->intents, key);
    }
    pthread_mutex_unlock(&r->intents_mu);
    if (rc == MICE_OK && it) rc = engine_iter_status(it, err);
    engine_iter_destroy(it);
    buf_deinit(&lo);
    buf_deinit(&hi);
    return rc;
}

/* Forget the intents of [start, end) (empty end: to the end). */
static void clear_intents(kv_replica *r, mice_slice start, mice_slice end)
{
    mice_buf k;
    buf_init(&k);
    mice_slice got;
    while (skipset_next(&r->intents, start, true, end, &got)) {
        buf_reset(&k);
        buf_append_slice(&k, got);
        skipset_remove(&r->intents, buf_slice(&k));
    }
    buf_deinit(&k);
}

/* After the effects of an evaluation were applied: the intents it wrote and deleted. */
static void apply_intent_delta(kv_replica *r, mice_slice d)
{
    pthread_mutex_lock(&r->intents_mu);
    mice_slice range_start = {0};
    while (d.n >= 5) {
        char op = (char)d.p[0];
        uint32_t n = mice_load_be32(d.p + 1);
        mice_assert(d.n >= 5 + (size_t)n);
        mice_slice key = mice_slice_of(d.p + 5, n);
        if (op == '+')
            skipset_add(&r->intents, key);
        else if (op == '-')
            skipset_remove(&r->intents, key);
        else if (op == '[')
            range_start = key;
        else
            clear_intents(r, range_start, key);
        d.p += 5 + n;
        d.n -= 5 + n;
    }
    pthread_mutex_unlock(&r->intents_mu);
}

kv_replica *kv_replica_create(engine *e, hlc *clock, const mice_env *env,
                              const kv_replica_config *cfg)
{
    kv_replica *r = mice_calloc(1, sizeof *r);
    r->e = e;
    r->clock = clock;
    r->env = env;
    pthread_mutex_init(&r->span_mu, NULL);
    buf_init(&r->start);
    buf_init(&r->end);
    buf_append_slice(&r->start, cfg->start);
    buf_append_slice(&r->end, cfg->end);
    r->lock_timeout_ms = cfg->lock_timeout_ms;
    r->txn_ttl_ms = cfg->txn_ttl_ms;
    r->proposer = cfg->proposer;
    r->ts_guard = cfg->ts_guard;
    r->pusher = cfg->pusher;
    pthread_mutex_init(&r->push_mu, NULL);
    r->pushed = mice_calloc(KV_PUSH_CACHE_SLOTS, sizeof *r->pushed);
    if (!r->proposer.propose) r->proposer.propose = propose_direct;
    r->latches = latch_mgr_create();
    r->locks = locktable_create(env);
    pthread_mutex_init(&r->ts_mu, NULL);
    pthread_mutex_init(&r->intents_mu, NULL);
    pthread_mutex_init(&r->reload_mu, NULL);
    skipset_init(&r->intents, 1);
    mice_err err;
    if (kv_replica_reload_intents(r, &err))
        log_error("kv: replica: cannot load its intents: %s", mice_err_msg(&err));
    return r;
}

void kv_replica_destroy(kv_replica *r)
{
    if (!r) return;
    latch_mgr_destroy(r->latches);
    locktable_destroy(r->locks);
    pthread_mutex_destroy(&r->ts_mu);
    pthread_mutex_destroy(&r->intents_mu);
    pthread_mutex_destroy(&r->reload_mu);
    pthread_mutex_destroy(&r->push_mu);
    free(r->pushed);
    skipset_deinit(&r->intents);
    pthread_mutex_destroy(&r->span_mu);
    buf_deinit(&r->start);
    buf_deinit(&r->end);
    free(r);
}

mice_slice kv_replica_start(const kv_replica *r)
{
    return buf_slice(&r->start);
}

mice_slice kv_replica_end(const kv_replica *r)
{
    return buf_slice(&r->end);
}

bool kv_replica_contains(kv_replica *r, mice_slice key)
{
    return kv_replica_contains_span(r, key, (mice_slice){0}, false);
}

void kv_replica_set_span(kv_replica *r, mice_slice start, mice_slice end)
{
    pthread_mutex_lock(&r->span_mu);
    buf_reset(&r->start);
    buf_reset(&r->end);
    buf_append_slice(&r->start, start);
    buf_append_slice(&r->end, end);
    pthread_mutex_unlock(&r->span_mu);
}

void kv__replica_end(kv_replica *r, mice_buf *out)
{
    buf_reset(out);
    pthread_mutex_lock(&r->span_mu);
    buf_append_slice(out, buf_slice(&r->end));
    pthread_mutex_unlock(&r->span_mu);
}

void kv_replica_forward_read_ts(kv_replica *r, hlc_ts ts)
{
    kv__note_read(r, ts);
}

hlc_ts kv_replica_read_ts_max(kv_replica *r)
{
    pthread_mutex_lock(&r->ts_mu);
    hlc_ts ts = r->read_ts_max;
    pthread_mutex_unlock(&r->ts_mu);
    return ts;
}

engine *kv_replica_engine(const kv_replica *r)
{
    return r->e;
}

locktable *kv_replica_locktable(kv_replica *r)
{
    return r->locks;
}

void kv_replica_set_lock_timeout(kv_replica *r, uint64_t timeout_ms)
{
    pthread_mutex_lock(&r->ts_mu);
    r->lock_timeout_ms = timeout_ms;
    pthread_mutex_unlock(&r->ts_mu);
}

void kv__note_read(kv_replica *r, hlc_ts ts)
{
    pthread_mutex_lock(&r->ts_mu);
    if (hlc_ts_less(r->read_ts_max, ts)) r->read_ts_max = ts;
    pthread_mutex_unlock(&r->ts_mu);
}

mice_status kv__commit_ts(kv_replica *r, hlc_ts floor, hlc_ts *out, mice_err *err)
{
    hlc_ts ts = hlc_now(r->clock);
    pthread_mutex_lock(&r->ts_mu);
    hlc_ts above_reads = hlc_ts_next(r->read_ts_max);
    pthread_mutex_unlock(&r->ts_mu);
    if (hlc_ts_less(ts, above_reads)) ts = above_reads;
    if (hlc_ts_less(ts, floor)) ts = floor;
    hlc_forward(r->clock, ts); /* a snapshot taken after this commit returns sees it */
    *out = ts;
    return r->ts_guard ? kv_ts_guard_admit(r->ts_guard, ts, err) : MICE_OK;
}

mice_status kv__commit_ts_bounded(kv_replica *r, hlc_ts floor, hlc_ts bound, hlc_ts *out,
                                  mice_err *err)
{
    pthread_mutex_lock(&r->ts_mu);
    hlc_ts ts = hlc_ts_next(r->read_ts_max);
    pthread_mutex_unlock(&r->ts_mu);
    if (hlc_ts_less(ts, floor)) ts = floor;
    if (hlc_ts_less(bound, ts)) {
        *out = ts;
        return MICE_RANGE;
    }
    ts = bound; /* above every read served here and at most where the reads were validated */
    hlc_forward(r->clock, ts);
    *out = ts;
    return r->ts_guard ? kv_ts_guard_admit(r->ts_guard, ts, err) : MICE_OK;
}

bool kv_replica_contains_span(kv_replica *r, mice_slice start, mice_slice end, bool to_end)
{
    pthread_mutex_lock(&r->span_mu);
    mice_slice rs = buf_slice(&r->start), re = buf_slice(&r->end);
    bool in = mice_slice_cmp(start, rs) >= 0 && (re.n == 0 || mice_slice_cmp(start, re) < 0);
    if (in && (to_end || end.n))
        in = re.n == 0 || (!to_end && mice_slice_cmp(end, re) <= 0);
    pthread_mutex_unlock(&r->span_mu);
    return in;
}

/* --- latches ---------------------------------------------------------------------- */

/* Latch keys live in one byte space shared by user keys ('I' + key, the intent key) and
 * transaction records ('T' + ...), so the two can never collide. */
typedef struct latch_set {
    latch_span *spans;
    mice_buf *keys; /* owned bytes the spans point into */
    size_t n, cap;
} latch_set;

static mice_buf *latch_key(latch_set *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->spans = mice_realloc(s->spans, s->cap * sizeof *s->spans);
        s->keys = mice_realloc(s->keys, 2 * s->cap * sizeof *s->keys);
    }
    buf_init(&s->keys[2 * s->n]);
    buf_init(&s->keys[2 * s->n + 1]);
    return &s->keys[2 * s->n];
}

static void latch_add(latch_set *s, mice_slice start, mice_slice end, bool write)
{
    mice_buf *k = latch_key(s);
    intent_key(&k[0], start);
    if (end.n) intent_key(&k[1], end);
    s->spans[s->n++] = (latch_span){.write = write};
}

static void latch_add_scan(latch_set *s, kv_replica *r, mice_slice start, mice_slice end)
{
    mice_buf *k = latch_key(s);
    intent_key(&k[0], start);
    mice_buf replica_end;
    buf_init(&replica_end);
    if (end.n == 0) {
        kv__replica_end(r, &replica_end);
        end = buf_slice(&replica_end);
    }
    if (end.n)
        intent_key(&k[1], end);
    else
        buf_append_u8(&k[1], INTENT_KEY_PREFIX + 1); /* past every intent key */
    buf_deinit(&replica_end);
    s->spans[s->n++] = (latch_span){.write = false};
}

static void latch_add_record(latch_set *s, const kv_txn_meta *txn)
{
    mice_buf *k = latch_key(s);
    txn_record_key(&k[0], txn->primary, txn->id);
    s->spans[s->n++] = (latch_span){.write = true};
}

/* Read latches on a SERIALIZABLE commit's read spans (END_TXN, VALIDATE). */
static void latch_add_read_spans(latch_set *s, kv_replica *r, const kv_op *op)
{
    for (size_t i = 0; i < op->n_read_spans; i++) {
        const kv_span *sp = &op->read_spans[i];
        if (sp->to_end || sp->end.n)
            latch_add_scan(s, r, sp->start, sp->to_end ? (mice_slice){0} : sp->end);
        else
            latch_add(s, sp->start, sp->end, false);
    }
}

static void latch_add_op(latch_set *s, kv_replica *r, const kv_request *req, const kv_op *op)
{
    const kv_txn_meta *txn = req->txn;
    switch (op->kind) {
    case KV_OP_GET:
        latch_add(s, op->key, (mice_slice){0}, false);
        break;
    case KV_OP_SCAN:
        latch_add_scan(s, r, op->key, op->end);
        break;
    case KV_OP_PUT:
    case KV_OP_DELETE:
    case KV_OP_LOCK:
    case KV_OP_RESOLVE:
        latch_add(s, op->key, (mice_slice){0}, true);
        if (txn && mice_slice_eq(op->key, txn->primary)) latch_add_record(s, txn);
        break;
    case KV_OP_END_TXN:
        for (size_t i = 0; i < op->n_intents; i++)
            latch_add(s, op->intents[i], (mice_slice){0}, true);
        latch_add_read_spans(s, r, op);
        if (txn) latch_add_record(s, txn);
        break;
    case KV_OP_GC_TXN:
        if (txn) latch_add_record(s, txn);
        break;
    case KV_OP_CLEAR_RANGE:
        latch_add_scan(s, r, op->key, op->end);
        s->spans[s->n - 1].write = true;
        break;
    case KV_OP_VALIDATE:
        latch_add_read_spans(s, r, op);
        break;
    case KV_OP_PUSH_TXN: { /* the pushee's record: ordered against its END_TXN */
        mice_buf *k = latch_key(s);
        txn_record_key(&k[0], op->key, op->push_id);
        s->spans[s->n++] = (latch_span){.write = true};
        break;
    }
    }
}

static latch_guard *latch_request(kv_replica *r, const kv_request *req)
{
    latch_set s = {0};
    for (size_t i = 0; i < req->n_ops; i++)
        latch_add_op(&s, r, req, &req->ops[i]);
    for (size_t i = 0; i < s.n; i++) {
        s.spans[i].start = buf_slice(&s.keys[2 * i]);
        s.spans[i].end = buf_slice(&s.keys[2 * i + 1]);
    }
    latch_guard *g = latch_acquire(r->latches, s.spans, s.n);
    for (size_t i = 0; i < 2 * s.n; i++)
        buf_deinit(&s.keys[i]);
    free(s.keys);
    free(s.spans);
    return g;
}

latch_guard *kv_replica_latch_keys(kv_replica *r, mice_slice start, mice_slice end)
{
    mice_buf k[4];
    for (int i = 0; i < 4; i++)
        buf_init(&k[i]);
    intent_key(&k[0], start);
    if (end.n)
        intent_key(&k[1], end);
    else
        buf_append_u8(&k[1], INTENT_KEY_PREFIX + 1);
    /* Records sort by keyenc(primary), which keeps the order of the primaries. */
    buf_append_u8(&k[2], TXN_RECORD_KEY_PREFIX);
    keyenc_put_bytes(&k[2], start, KEYENC_ASC);
    if (end.n) {
        buf_append_u8(&k[3], TXN_RECORD_KEY_PREFIX);
        keyenc_put_bytes(&k[3], end, KEYENC_ASC);
    } else {
        buf_append_u8(&k[3], TXN_RECORD_KEY_PREFIX + 1); /* past every record */
    }
    latch_span spans[2] = {
        {.start = buf_slice(&k[0]), .end = buf_slice(&k[1]), .write = true},
        {.start = buf_slice(&k[2]), .end = buf_slice(&k[3]), .write = true},
    };
    latch_guard *g = latch_acquire(r->latches, spans, 2);
    for (int i = 0; i < 4; i++)
        buf_deinit(&k[i]);
    return g;
}

void kv_replica_unlatch(kv_replica *r, latch_guard *g)
{
    latch_release(r->latches, g);
}

/* A request whose keys left the span (a split while it waited for its latches) must be
 * routed again. */
static bool request_in_span(kv_replica *r, const kv_request *req)
{
    for (size_t i = 0; i < req->n_ops; i++) {
        const kv_op *op = &req->ops[i];
        mice_slice key = op->key;
        if (op->kind == KV_OP_END_TXN || op->kind == KV_OP_GC_TXN) {
            if (!req->txn) continue;
            key = req->txn->primary;
        }
        if (!kv_replica_contains(r, key)) return false;
    }
    return true;
}

/* --- the request loop --------------------------------------------------------------- */

/* A new lease (this replica was a follower, or another node led in between): rebuild the
 * intent index, which only tracks what this replica evaluated itself. */
static mice_status intents_for_lease(kv_replica *r, uint64_t lease, mice_err *err)
{
    pthread_mutex_lock(&r->reload_mu);
    mice_status rc = MICE_OK;
    if (r->intents_lease != lease) {
        rc = kv_replica_reload_intents(r, err);
        if (rc == MICE_OK) r->intents_lease = lease;
    }
    pthread_mutex_unlock(&r->reload_mu);
    return rc;
}

/* Latch, evaluate, propose, unlatch. MICE_BUSY: *holder (live or not) blocks us; with
 * *need_push, push (its primary in push_primary) must be asked first. */
static mice_status attempt(kv_replica *r, const kv_request *req, kv_response *resp,
                           uint64_t *holder, bool *holder_live, bool *need_push,
                           kv_txn_push *push, mice_buf *push_primary, mice_err *err)
{
    *need_push = false;
    kv_response_reset(resp, req->n_ops);
    latch_guard *g = latch_request(r, req);
    uint64_t lease = 0;
    mice_status rc = MICE_OK;
    if (r->proposer.acquire) rc = r->proposer.acquire(r->proposer.ctx, &lease, err);
    /* Only a replicated range's span changes (split); evaluation refuses foreign keys of a
     * fixed span with MICE_INVALID. */
    if (rc == MICE_OK && r->proposer.acquire && !request_in_span(r, req))
        rc = mice_err_setf(err, MICE_NOT_LEADER, "key outside the range (it was split); retry");
    if (rc == MICE_OK && r->proposer.acquire) rc = intents_for_lease(r, lease, err);
    if (rc) {
        latch_release(r->latches, g);
        *holder = 0;
        *holder_live = false;
        return rc;
    }
    kv__eval ev = {.r = r, .req = req, .resp = resp};
    ev.effects =
        r->proposer.logged_effects ? engine_batch_create_logged(r->e) : engine_batch_create(r->e);
    buf_init(&ev.scratch_key);
    buf_init(&ev.raw_intent);
    buf_init(&ev.raw_record);
    buf_init(&ev.intent_delta);
    buf_init(&ev.push_primary);
    rc = kv__evaluate(&ev, err);
    if (rc == MICE_OK && engine_batch_count(ev.effects) > 0) {
        /* Intents are proposed unsynced: the synced batch that later commits their
         * transaction makes every earlier write in the WAL durable with it, and an intent
         * lost in a crash belongs to a transaction that never committed. */
        rc = r->proposer.propose(r->proposer.ctx, lease, ev.effects, ev.sync, err);
        ev.effects = NULL;
        if (rc == MICE_OK) apply_intent_delta(r, buf_slice(&ev.intent_delta));
    }
    engine_batch_destroy(ev.effects);
    if (rc == MICE_OK && ev.again_after_apply)
        rc = mice_err_setf(err, MICE_AGAIN,
                           "row changed after the statement's snapshot; "
                           "restart the statement (row lock kept)");
    if (rc == MICE_OK && ev.finished_txn) locktable_txn_finish(r->locks, req->txn->id);
    if (rc == MICE_OK && ev.aborted_txn) locktable_txn_finish(r->locks, ev.aborted_txn);
    if (rc == MICE_OK && ev.settled_txn) locktable_txn_finish(r->locks, ev.settled_txn);
    latch_release(r->latches, g);
    if (rc == MICE_BUSY && ev.need_push) {
        *need_push = true;
        *push = ev.push;
        buf_reset(push_primary);
        buf_append_slice(push_primary, buf_slice(&ev.push_primary));
        push->primary = buf_slice(push_primary);
    }
    buf_deinit(&ev.push_primary);
    buf_deinit(&ev.scratch_key);
    buf_deinit(&ev.raw_intent);
    buf_deinit(&ev.raw_record);
    buf_deinit(&ev.intent_delta);
    *holder = ev.wait_for;
    *holder_live = ev.wait_for_live;
    return rc;
}

static uint64_t lock_timeout_of(kv_replica *r, const kv_request *req)
{
    pthread_mutex_lock(&r->ts_mu);
    uint64_t timeout_ms = r->lock_timeout_ms;
    pthread_mutex_unlock(&r->ts_mu);
    if (req->txn && req->txn->lock_timeout_ms)
        timeout_ms =
            req->txn->lock_timeout_ms == KV_LOCK_TIMEOUT_NONE ? 0 : req->txn->lock_timeout_ms;
    return timeout_ms;
}

static mice_status wait_for_holder(kv_replica *r, const kv_request *req, uint64_t holder,
                                   kv_response *resp, mice_err *err)
{
    uint64_t timeout_ms = lock_timeout_of(r, req);
    uint64_t waiter = req->txn ? req->txn->id : 0;
    hlc_ts start = req->txn ? req->txn->start_ts : HLC_TS_MAX;
    mice_status rc = locktable_wait(r->locks, waiter, start, holder, timeout_ms);
    if (rc == MICE_ABORTED) {
        resp->conflict = KV_CONFLICT_DEADLOCK;
        return mice_err_setf(err, rc, "deadlock detected");
    }
    if (rc == MICE_TIMEOUT) {
        resp->conflict = KV_CONFLICT_LOCK_TIMEOUT;
        return mice_err_setf(err, rc, "canceling statement due to lock timeout");
    }
    return rc;
}

/* --- pushes: records in other ranges ----------------------------------------------------- */

static kv__pushed_slot *pushed_slot(kv_replica *r, uint64_t txn_id)
{
    return &r->pushed[txn_id % KV_PUSH_CACHE_SLOTS];
}

static uint64_t primary_hash(mice_slice primary) /* FNV-1a */
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < primary.n; i++)
        h = (h ^ primary.p[i]) * 0x100000001b3ull;
    return h;
}

bool kv__pushed_lookup(kv_replica *r, uint64_t txn_id, mice_slice primary, kv__pushed_slot *out)
{
    uint64_t ph = primary_hash(primary);
    pthread_mutex_lock(&r->push_mu);
    kv__pushed_slot *sl = pushed_slot(r, txn_id);
    bool hit = sl->txn_id == txn_id && sl->primary_hash == ph;
    if (hit) *out = *sl;
    pthread_mutex_unlock(&r->push_mu);
    return hit;
}

/* Remember a push's answer. A final state replaces anything; a pending one only raises
 * the timestamp pushed to (and never hides a final state of the same txn). */
static void pushed_note(kv_replica *r, const kv_txn_push *p, const kv_txn_pushed *got)
{
    uint64_t ph = primary_hash(p->primary);
    pthread_mutex_lock(&r->push_mu);
    kv__pushed_slot *sl = pushed_slot(r, p->txn_id);
    bool final = got->state == KV_TXN_COMMITTED || got->state == KV_TXN_ABORTED;
    if (final) {
        *sl = (kv__pushed_slot){.txn_id = p->txn_id,
                                .primary_hash = ph,
                                .state = got->state,
                                .commit_ts = got->commit_ts};
    } else if (sl->txn_id != p->txn_id || sl->primary_hash != ph) {
        *sl = (kv__pushed_slot){.txn_id = p->txn_id,
                                .primary_hash = ph,
                                .state = KV_TXN_PENDING,
                                .pushed_to = p->read_ts};
    } else if (sl->state == KV_TXN_PENDING && hlc_ts_less(sl->pushed_to, p->read_ts)) {
        sl->pushed_to = p->read_ts;
    }
    pthread_mutex_unlock(&r->push_mu);
}

static bool read_only(const kv_request *req)
{
    for (size_t i = 0; i < req->n_ops; i++)
        if (req->ops[i].kind != KV_OP_GET && req->ops[i].kind != KV_OP_SCAN) return false;
    return true;
}

/* How long a writer waits for a pending pushee before pushing again. */
static uint64_t push_interval_ms(const kv_replica *r)
{
    uint64_t ms = r->txn_ttl_ms / 4;
    if (ms < KV_ABANDONED_POLL_MS) ms = KV_ABANDONED_POLL_MS;
    return ms > 1000 ? 1000 : ms;
}

/* A writer's pushee is still pending: wait a while (woken early if it ends here), within
 * the request's lock timeout (*deadline_ns, set on the first wait; 0 = none yet). */
static mice_status wait_pushee(kv_replica *r, const kv_request *req, uint64_t holder, bool live,
                               uint64_t *deadline_ns, kv_response *resp, mice_err *err)
{
    uint64_t now = env_mono_ns(r->env), timeout_ms = lock_timeout_of(r, req);
    if (*deadline_ns == 0)
        *deadline_ns = timeout_ms ? now + timeout_ms * MICE_NS_PER_MS : UINT64_MAX;
    if (now >= *deadline_ns) {
        resp->conflict = KV_CONFLICT_LOCK_TIMEOUT;
        return mice_err_setf(err, MICE_TIMEOUT, "canceling statement due to lock timeout");
    }
    uint64_t ms = push_interval_ms(r);
    if (*deadline_ns != UINT64_MAX && (*deadline_ns - now) / MICE_NS_PER_MS + 1 < ms)
        ms = (*deadline_ns - now) / MICE_NS_PER_MS + 1;
    if (!live) {
        env_sleep_ns(r->env, ms * MICE_NS_PER_MS);
        return MICE_OK;
    }
    uint64_t waiter = req->txn ? req->txn->id : 0;
    hlc_ts start = req->txn ? req->txn->start_ts : HLC_TS_MAX;
    mice_status rc = locktable_wait(r->locks, waiter, start, holder, ms);
    if (rc == MICE_ABORTED) {
        resp->conflict = KV_CONFLICT_DEADLOCK;
        return mice_err_setf(err, rc, "deadlock detected");
    }
    return MICE_OK; /* woken or timed out: push again (the deadline is checked above) */
}

static mice_status push_holder(kv_replica *r, const kv_txn_push *p, kv_txn_pushed *got,
                               mice_err *err)
{
    memset(got, 0, sizeof *got);
    mice_err perr;
    mice_status rc = r->pusher.push(r->pusher.ctx, p, got, &perr);
    if (rc)
        return mice_err_setf(err, rc == MICE_TIMEOUT ? MICE_UNAVAILABLE : rc,
                             "cannot learn the state of transaction %" PRIu64
                             " from its record's range: %s",
                             p->txn_id, mice_err_msg(&perr));
    pushed_note(r, p, got);
    return MICE_OK;
}

mice_status kv_replica_send(kv_replica *r, const kv_request *req, kv_response *resp, mice_err *err)
{
    kv_request pinned;
    mice_buf push_primary;
    buf_init(&push_primary);
    uint64_t push_deadline_ns = 0;
    mice_status rc;
    for (;;) {
        uint64_t holder = 0;
        bool live = false, need_push = false;
        kv_txn_push push;
        rc = attempt(r, req, resp, &holder, &live, &need_push, &push, &push_primary, err);
        if (rc == MICE_CONFLICT) resp->conflict = KV_CONFLICT_SERIALIZATION;
        if (rc != MICE_BUSY) break;
        mice_assert(holder != 0);
        if (need_push) {
            kv_txn_pushed got;
            if ((rc = push_holder(r, &push, &got, err))) break;
            bool final = got.state == KV_TXN_COMMITTED || got.state == KV_TXN_ABORTED;
            if (!push.abort_abandoned && !req->txn && hlc_ts_is_zero(req->ts) && read_only(req)) {
                /* A one-shot read: keep the timestamp the pushee was pushed above, or
                 * each attempt would read (and push) at a newer one. */
                pinned = *req;
                pinned.ts = push.read_ts;
                req = &pinned;
            }
            if (final || !push.abort_abandoned) continue;
            if ((rc = wait_pushee(r, req, holder, live, &push_deadline_ns, resp, err))) break;
            continue;
        }
        if (!live) {
            /* Written by a process that is gone (or, later, a remote coordinator): poll
             * until its heartbeat expires and evaluation rolls it back. */
            env_sleep_ns(r->env, (uint64_t)KV_ABANDONED_POLL_MS * MICE_NS_PER_MS);
            continue;
        }
        if ((rc = wait_for_holder(r, req, holder, resp, err))) break;
    }
    buf_deinit(&push_primary);
    return rc;
}

/* --- the TTL purge ------------------------------------------------------------------- */

typedef struct purge_scan {
    uint64_t now_wall_ns;
    size_t visited, max_rows;
    mice_buf *keys; /* expired candidates */
    size_t n_keys, cap_keys;
    mice_buf last;
} purge_scan;

static mice_status purge_visit(void *ctx, mice_slice key, mice_slice value, const mvcc_meta *meta)
{
    (void)value;
    purge_scan *p = ctx;
    if (p->visited == p->max_rows) return MICE_LIMIT;
    p->visited++;
    buf_reset(&p->last);
    buf_append_slice(&p->last, key);
    if (!meta->has_expiry || meta->expiry_wall_ns > p->now_wall_ns) return MICE_OK;
    if (p->n_keys == p->cap_keys) {
        p->cap_keys = p->cap_keys ? 2 * p->cap_keys : 16;
        p->keys = mice_realloc(p->keys, p->cap_keys * sizeof *p->keys);
    }
    buf_init(&p->keys[p->n_keys]);
    buf_append_slice(&p->keys[p->n_keys++], key);
    return MICE_OK;
}

static mice_status purge_keys(kv_replica *r, const purge_scan *p, size_t *n_purged, mice_err *err)
{
    if (p->n_keys == 0) return MICE_OK;
    kv_op *ops = mice_calloc(p->n_keys, sizeof *ops);
    for (size_t i = 0; i < p->n_keys; i++)
        ops[i] = (kv_op){.kind = KV_OP_DELETE, .key = buf_slice(&p->keys[i]), .if_expired = true};
    kv_request req = {.ops = ops, .n_ops = p->n_keys};
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = kv_replica_send(r, &req, &resp, err);
    for (size_t i = 0; rc == MICE_OK && i < resp.n_results; i++)
        *n_purged += resp.results[i].purged;
    kv_response_deinit(&resp);
    free(ops);
    return rc;
}

mice_status kv_replica_purge_expired(kv_replica *r, mice_slice start, mice_slice end,
                                     size_t max_rows, mice_buf *resume, bool *more,
                                     size_t *n_purged, mice_err *err)
{
    *more = false;
    *n_purged = 0;
    buf_reset(resume);
    mice_buf span_start, span_end;
    buf_init(&span_start);
    buf_init(&span_end);
    pthread_mutex_lock(&r->span_mu); /* a split may change the span */
    buf_append_slice(&span_start, buf_slice(&r->start));
    buf_append_slice(&span_end, buf_slice(&r->end));
    pthread_mutex_unlock(&r->span_mu);
    if (mice_slice_cmp(start, buf_slice(&span_start)) < 0) start = buf_slice(&span_start);
    if (end.n == 0 || (span_end.n && mice_slice_cmp(end, buf_slice(&span_end)) > 0))
        end = buf_slice(&span_end);
    purge_scan p = {.now_wall_ns = env_wall_ns(r->env), .max_rows = max_rows ? max_rows : 1};
    buf_init(&p.last);
    mvcc_scan_opts o = {.start = start, .end = end, .ts = hlc_now(r->clock)};
    mice_status rc = mvcc_scan(r->e, &o, purge_visit, &p, err);
    if (rc == MICE_LIMIT) {
        rc = MICE_OK;
        *more = true;
        buf_append_slice(resume, buf_slice(&p.last));
        buf_append_u8(resume, 0); /* the smallest key after the last one visited */
    }
    if (rc == MICE_OK) rc = purge_keys(r, &p, n_purged, err);
    for (size_t i = 0; i < p.n_keys; i++)
        buf_deinit(&p.keys[i]);
    free(p.keys);
    buf_deinit(&p.last);
    buf_deinit(&span_start);
    buf_deinit(&span_end);
    return rc;
}
