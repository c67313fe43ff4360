/* Evaluation of a request against the engine (see replica.h for the protocol).
 *
 * Runs with the request's latches held, so the engine's state of every key the request
 * touches cannot change under it; everything it wants to write goes into ev->effects.
 * Rules, per kind of operation:
 * - Reads at ts see committed versions <= ts, their own transaction's intents, and the
 *   intents of transactions whose record says COMMITTED at <= ts (2PC, not yet
 *   resolved). Pending intents of others are ignored: see "Timestamps" in replica.h.
 * - Writes meeting another transaction's intent: committed -> roll it forward in our
 *   effects; aborted or abandoned -> roll it back; pending -> MICE_BUSY (wait for it).
 *   Then a committed version newer than the read timestamp is write-too-old: MICE_AGAIN
 *   under READ COMMITTED (restart the statement), MICE_CONFLICT otherwise (40001).
 * - An intent whose record lives in another range (with a pusher): its state is what a
 *   PUSH_TXN to that range answered (cached by the replica); unknown -> MICE_BUSY with
 *   need_push, and kv_replica_send pushes with latches released. PUSH_TXN itself is
 *   evaluated on the primary's range (eval_push_txn).
 * - Commit (END_TXN): the commit timestamp is above every read served (kv__commit_ts);
 *   1PC writes every intent as a version and deletes intents and record in ONE synced
 *   batch; 2PC writes the COMMITTED record (synced) and leaves resolution to RESOLVE. */
#include "kv/replica_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "kv/intent.h"
#include "storage/mvcc.h"

static const char WRITE_TOO_OLD_MSG[] = "could not serialize access due to concurrent update";

static uint64_t wall_now(const kv__eval *ev)
{
    return env_wall_ns(ev->r->env);
}

/* The intent on key, decoded into *in (borrowing ev->raw_intent) when *found. */
static mice_status intent_read(kv__eval *ev, mice_slice key, bool *found, intent *in, mice_err *err)
{
    intent_key(&ev->scratch_key, key);
    mice_status rc = engine_get(ev->r->e, STORE_CF_LOCKS, NULL, buf_slice(&ev->scratch_key),
                                &ev->raw_intent, found, err);
    if (rc || !*found) return rc;
    rc = intent_decode(buf_slice(&ev->raw_intent), in);
    return rc ? mice_err_setf(err, rc, "malformed intent") : MICE_OK;
}

/* A record in another range, with a pusher: what a push answered (cached by the replica),
 * else MICE_BUSY with ev->need_push (kv_replica_send pushes with no latch held and
 * evaluates again). A reader (reader_ts) may ignore a pending pushee below the read
 * timestamp it pushed; a writer (reader_ts NULL) pushes again until the pushee ends or
 * is aborted as abandoned. */
static mice_status remote_status(kv__eval *ev, const intent *in, const hlc_ts *reader_ts,
                                 txn_status *st, hlc_ts *commit_ts)
{
    kv__pushed_slot slot;
    if (kv__pushed_lookup(ev->r, in->txn_id, in->primary, &slot)) {
        if (slot.state == KV_TXN_COMMITTED) {
            *st = TXN_COMMITTED;
            *commit_ts = slot.commit_ts;
            return MICE_OK;
        }
        if (slot.state == KV_TXN_ABORTED) {
            *st = TXN_ABORTED;
            return MICE_OK;
        }
        if (reader_ts && hlc_ts_cmp(*reader_ts, slot.pushed_to) <= 0) {
            *st = TXN_PENDING;
            return MICE_OK;
        }
    }
    ev->need_push = true;
    buf_reset(&ev->push_primary);
    buf_append_slice(&ev->push_primary, in->primary);
    ev->push = (kv_txn_push){.txn_id = in->txn_id,
                             .primary = buf_slice(&ev->push_primary),
                             .start_ts = in->start_ts,
                             .read_ts = reader_ts ? *reader_ts : HLC_TS_ZERO,
                             .abort_abandoned = reader_ts == NULL};
    ev->wait_for = in->txn_id;
    ev->wait_for_live = locktable_txn_live(ev->r->locks, in->txn_id);
    return MICE_BUSY;
}

/* Where another transaction stands: its record, with abandonment applied. A missing
 * record means aborted (records are written with the first intent and deleted only with
 * (1PC, abort) or after (2PC) the last intent) - unless the record belongs to another
 * range (below). reader_ts: the reader's timestamp, NULL for a writer. */
static mice_status holder_status(kv__eval *ev, const intent *in, const hlc_ts *reader_ts,
                                 txn_status *st, hlc_ts *commit_ts, mice_err *err)
{
    uint64_t txn_id = in->txn_id;
    mice_slice primary = in->primary;
    mice_buf key;
    buf_init(&key);
    txn_record_key(&key, primary, txn_id);
    bool found = false;
    mice_status rc =
        engine_get(ev->r->e, STORE_CF_LOCKS, NULL, buf_slice(&key), &ev->raw_record, &found, err);
    buf_deinit(&key);
    if (rc) return rc;
    *st = TXN_ABORTED;
    txn_record rec;
    if (found && txn_record_decode(buf_slice(&ev->raw_record), &rec))
        return mice_err_setf(err, MICE_CORRUPT, "malformed transaction record");
    if (ev->r->pusher.push && !kv_replica_contains(ev->r, primary)) {
        /* A local copy of another range may lag; only its final states are safe to use. */
        if (found && rec.status != TXN_PENDING) {
            *st = rec.status;
            *commit_ts = rec.write_ts;
            return MICE_OK;
        }
        return remote_status(ev, in, reader_ts, st, commit_ts);
    }
    if (!found) {
        /* A transaction live in this replica's lock table has not ended here: its record may
         * be in another range whose local copy lags (a cluster), so it is pending. So is one
         * whose record belongs to another range and that began less than the TTL ago: this
         * engine's copy of that range may lag or not exist (a replica without a pusher). */
        uint64_t now = wall_now(ev), ttl_ns = ev->r->txn_ttl_ms * MICE_NS_PER_MS;
        bool young = now <= in->start_ts.wall_ns || now - in->start_ts.wall_ns <= ttl_ns;
        if (locktable_txn_live(ev->r->locks, txn_id) ||
            (young && !kv_replica_contains(ev->r, primary)))
            *st = TXN_PENDING;
        return MICE_OK;
    }
    *st = rec.status;
    *commit_ts = rec.write_ts;
    if (rec.status == TXN_PENDING && !locktable_txn_live(ev->r->locks, txn_id)) {
        uint64_t now = wall_now(ev), ttl_ns = ev->r->txn_ttl_ms * MICE_NS_PER_MS;
        if (now > rec.heartbeat_wall_ns && now - rec.heartbeat_wall_ns > ttl_ns) *st = TXN_ABORTED;
    }
    return MICE_OK;
}

/* Write an intent's change as a committed version at ts (a LOCK writes nothing). */
static mice_status put_version(engine_batch *b, mice_slice key, const intent *in, hlc_ts ts,
                               mice_err *err)
{
    mice_status rc = MICE_OK;
    if (in->kind == INTENT_PUT && in->has_expiry)
        rc = mvcc_put_with_expiry(b, key, ts, in->value, in->expiry_wall_ns);
    else if (in->kind == INTENT_PUT)
        rc = mvcc_put(b, key, ts, in->value);
    if (in->kind == INTENT_DELETE) rc = mvcc_delete(b, key, ts);
    return rc ? mice_err_setf(err, rc, "write below the GC horizon") : MICE_OK;
}

/* Note an intent written ('+') or deleted ('-'), or a span cleared ('[' start, ']' end),
 * for the replica's intent index. */
static void note_intent(kv__eval *ev, char op, mice_slice key)
{
    buf_append_u8(&ev->intent_delta, (uint8_t)op);
    buf_append_be32(&ev->intent_delta, (uint32_t)key.n);
    buf_append_slice(&ev->intent_delta, key);
}

static void delete_intent(kv__eval *ev, mice_slice key)
{
    intent_key(&ev->scratch_key, key);
    engine_batch_delete(ev->effects, STORE_CF_LOCKS, buf_slice(&ev->scratch_key));
    note_intent(ev, '-', key);
}

/* A writer met another transaction's intent on key: settle it or ask to wait.
 * *rolled_ts is the commit timestamp of a rolled-forward intent (else unchanged). */
static mice_status settle_foreign(kv__eval *ev, mice_slice key, const intent *in, hlc_ts *rolled_ts,
                                  mice_err *err)
{
    txn_status st;
    hlc_ts commit_ts = HLC_TS_ZERO;
    mice_status rc = holder_status(ev, in, NULL, &st, &commit_ts, err);
    if (rc) return rc;
    if (st == TXN_PENDING) {
        ev->wait_for = in->txn_id;
        ev->wait_for_live = locktable_txn_live(ev->r->locks, in->txn_id);
        return MICE_BUSY;
    }
    if (st == TXN_COMMITTED) {
        rc = put_version(ev->effects, key, in, commit_ts, err);
        if (rc) return rc;
        if (in->kind != INTENT_LOCK) *rolled_ts = hlc_ts_max(*rolled_ts, commit_ts);
    }
    delete_intent(ev, key);
    /* Its own RESOLVE will find nothing here now: end it in the lock table (waiters that
     * queued behind it re-evaluate) once this batch is applied. */
    ev->settled_txn = in->txn_id;
    return MICE_OK;
}

/* --- reads ---------------------------------------------------------------------------- */

static hlc_ts read_ts_of(kv__eval *ev)
{
    if (ev->req->txn) return ev->req->txn->read_ts;
    if (!hlc_ts_is_zero(ev->req->ts)) return ev->req->ts;
    return hlc_now(ev->r->clock);
}

/* What an intent means to a reader at ts: *applies when it overrides committed data
 * (own intent, or committed at <= ts), then *is_delete / value say how. */
static mice_status intent_for_reader(kv__eval *ev, const intent *in, hlc_ts ts, bool *applies,
                                     mice_err *err)
{
    *applies = false;
    if (in->kind == INTENT_LOCK) return MICE_OK;
    if (ev->req->txn && in->txn_id == ev->req->txn->id) {
        *applies = true;
        return MICE_OK;
    }
    txn_status st;
    hlc_ts commit_ts = HLC_TS_ZERO;
    mice_status rc = holder_status(ev, in, &ts, &st, &commit_ts, err);
    if (rc) return rc;
    *applies = st == TXN_COMMITTED && hlc_ts_cmp(commit_ts, ts) <= 0;
    return MICE_OK;
}

static bool expired(const kv__eval *ev, const mvcc_meta *meta)
{
    return meta->has_expiry && meta->expiry_wall_ns <= wall_now(ev);
}

static bool intent_expired(const kv__eval *ev, const intent *in)
{
    return in->has_expiry && in->expiry_wall_ns <= wall_now(ev);
}

static mice_status eval_get(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    hlc_ts ts = read_ts_of(ev);
    kv__note_read(ev->r, ts);
    bool have = false, applies = false;
    intent in;
    mice_status rc = intent_read(ev, op->key, &have, &in, err);
    if (!rc && have) rc = intent_for_reader(ev, &in, ts, &applies, err);
    if (rc) return rc;
    if (applies) {
        res->found = in.kind == INTENT_PUT && !intent_expired(ev, &in);
        if (res->found) buf_append_slice(&res->value, in.value);
        res->has_expiry = res->found && in.has_expiry;
        res->expiry_wall_ns = res->has_expiry ? in.expiry_wall_ns : 0;
        return MICE_OK;
    }
    mvcc_meta meta;
    rc = mvcc_get(ev->r->e, NULL, op->key, ts, &res->value, &res->found, &meta, err);
    if (rc == MICE_OK && res->found && expired(ev, &meta)) {
        res->found = false;
        buf_reset(&res->value);
    }
    res->has_expiry = rc == MICE_OK && res->found && meta.has_expiry;
    res->expiry_wall_ns = res->has_expiry ? meta.expiry_wall_ns : 0;
    return rc;
}

/* --- scans: committed rows merged with the intents that override them ------------------- */

/* The intents of the span are found through the replica's intent index (replica_int.h)
 * and read lazily, in scan order, alongside the committed rows: the locks CF is only
 * read by point lookups of keys that have a live intent, never iterated. */
typedef struct scan_state {
    kv__eval *ev;
    const kv_op *op;
    kv_result *res;
    hlc_ts ts;
    mice_slice end;  /* the span is [op->key, end); empty end = the replica's end */
    mice_buf cursor; /* the last intent key looked at (ov_started) */
    bool ov_started;
    bool have_ov; /* ov_* hold the next applicable intent */
    mice_buf ov_key, ov_value;
    bool ov_is_delete;
    uint64_t ov_expiry_wall_ns; /* the intent's PUT expiry, 0 = none */
    mice_status ov_rc;          /* an error met while reading intents */
    mice_err *err;
    mice_buf last_key;
} scan_state;

/* The next key with a live intent after the cursor, in scan order, into s->cursor. */
static bool next_intent_key(scan_state *s)
{
    kv_replica *r = s->ev->r;
    mice_slice got;
    bool found;
    pthread_mutex_lock(&r->intents_mu);
    if (!s->op->reverse) {
        mice_slice from = s->ov_started ? buf_slice(&s->cursor) : s->op->key;
        found = skipset_next(&r->intents, from, !s->ov_started, s->end, &got);
    } else if (s->ov_started) {
        found = skipset_prev(&r->intents, buf_slice(&s->cursor), false, s->op->key, &got);
    } else if (s->end.n) {
        found = skipset_prev(&r->intents, s->end, false, s->op->key, &got);
    } else {
        found = skipset_last(&r->intents, s->op->key, &got);
    }
    if (found) {
        buf_reset(&s->cursor);
        buf_append_slice(&s->cursor, got);
    }
    pthread_mutex_unlock(&r->intents_mu);
    s->ov_started = true;
    return found;
}

/* Load the next intent that applies to this reader (in scan order) into ov_*. */
static mice_status ov_load(scan_state *s)
{
    s->have_ov = false;
    while (next_intent_key(s)) {
        bool have = false, applies = false;
        intent in;
        mice_status rc = intent_read(s->ev, buf_slice(&s->cursor), &have, &in, s->err);
        if (!rc && have) rc = intent_for_reader(s->ev, &in, s->ts, &applies, s->err);
        if (rc) return rc;
        if (!applies) continue;
        buf_reset(&s->ov_key);
        buf_reset(&s->ov_value);
        buf_append_slice(&s->ov_key, buf_slice(&s->cursor));
        buf_append_slice(&s->ov_value, in.value);
        s->ov_is_delete = in.kind == INTENT_DELETE || intent_expired(s->ev, &in);
        s->ov_expiry_wall_ns = in.has_expiry ? in.expiry_wall_ns : 0;
        s->have_ov = true;
        return MICE_OK;
    }
    return MICE_OK;
}

/* Emit one row; MICE_LIMIT once the limit is full and another row exists. */
static mice_status emit(scan_state *s, mice_slice key, mice_slice value, uint64_t expiry_wall_ns)
{
    kv_result *res = s->res;
    if (s->op->limit && res->n_rows == s->op->limit) {
        res->more = true;
        buf_reset(&res->resume_key);
        buf_append_slice(&res->resume_key, s->op->reverse ? buf_slice(&s->last_key) : key);
        return MICE_LIMIT;
    }
    kv_result_add_row(res, key, value, expiry_wall_ns);
    buf_reset(&s->last_key);
    buf_append_slice(&s->last_key, key);
    return MICE_OK;
}

/* Emit the overrides that come before key in scan order (all of them if key is NULL);
 * *same is set when the next override is key itself (consumed, emitted unless a delete). */
static mice_status emit_overrides_before(scan_state *s, const mice_slice *key, bool *same)
{
    *same = false;
    while (s->have_ov) {
        int c = key ? mice_slice_cmp(buf_slice(&s->ov_key), *key) : -1;
        if (key && s->op->reverse) c = -c;
        if (c > 0) break;
        if (c == 0) *same = true;
        if (!s->ov_is_delete) {
            mice_status rc =
                emit(s, buf_slice(&s->ov_key), buf_slice(&s->ov_value), s->ov_expiry_wall_ns);
            if (rc) return rc;
        }
        mice_status rc = ov_load(s);
        if (rc) {
            s->ov_rc = rc;
            return rc;
        }
        if (c == 0) break;
    }
    return MICE_OK;
}

static mice_status on_committed_row(void *ctx, mice_slice key, mice_slice value,
                                    const mvcc_meta *meta)
{
    scan_state *s = ctx;
    bool same;
    mice_status rc = emit_overrides_before(s, &key, &same);
    if (rc || same || expired(s->ev, meta)) return rc;
    return emit(s, key, value, meta->has_expiry ? meta->expiry_wall_ns : 0);
}

static mice_status eval_scan(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    hlc_ts ts = read_ts_of(ev);
    kv__note_read(ev->r, ts);
    mice_buf replica_end;
    buf_init(&replica_end);
    if (!op->end.n) kv__replica_end(ev->r, &replica_end);
    mice_slice end = op->end.n ? op->end : buf_slice(&replica_end);
    scan_state s = {.ev = ev, .op = op, .res = res, .ts = ts, .err = err, .end = end};
    buf_init(&s.last_key);
    buf_init(&s.ov_key);
    buf_init(&s.ov_value);
    buf_init(&s.cursor);
    mice_status rc = ov_load(&s);
    if (rc == MICE_OK) {
        mvcc_scan_opts o = {.start = op->key, .end = end, .ts = ts, .reverse = op->reverse};
        rc = mvcc_scan(ev->r->e, &o, on_committed_row, &s, err);
    }
    bool same;
    if (rc == MICE_OK) rc = emit_overrides_before(&s, NULL, &same);
    if (rc == MICE_LIMIT) rc = MICE_OK;
    if (rc == MICE_OK && s.ov_rc) rc = s.ov_rc;
    buf_deinit(&s.cursor);
    buf_deinit(&s.ov_key);
    buf_deinit(&s.ov_value);
    buf_deinit(&s.last_key);
    buf_deinit(&replica_end);
    return rc;
}

/* --- transactional writes ------------------------------------------------------------ */

static intent_kind kind_of(kv_op_kind k)
{
    return k == KV_OP_PUT ? INTENT_PUT : k == KV_OP_DELETE ? INTENT_DELETE : INTENT_LOCK;
}

/* REPEATABLE READ / SERIALIZABLE: 40001. READ COMMITTED: keep the row lock as an
 * INTENT_LOCK sequenced just before the statement (so the statement undo keeps it), then
 * answer MICE_AGAIN once the effects are applied (see request.h). */
static mice_status write_too_old(kv__eval *ev, intent *lock, mice_err *err)
{
    const kv_txn_meta *txn = ev->req->txn;
    if (txn->isolation != KV_READ_COMMITTED)
        return mice_err_setf(err, MICE_CONFLICT, "%s", WRITE_TOO_OLD_MSG);
    memset(lock, 0, sizeof *lock);
    lock->txn_id = txn->id;
    lock->start_ts = txn->start_ts;
    lock->write_ts = txn->write_ts;
    lock->seq = txn->stmt_seq ? txn->stmt_seq - 1 : 0;
    lock->kind = INTENT_LOCK;
    lock->primary = txn->primary;
    ev->again_after_apply = true;
    return MICE_OK;
}

/* The newest committed version's timestamp, counting one rolled forward in our effects. */
static mice_status newest_ts(kv__eval *ev, mice_slice key, hlc_ts rolled, hlc_ts *out,
                             mice_err *err)
{
    bool exists = false;
    mvcc_meta meta;
    mice_status rc = mvcc_newest(ev->r->e, NULL, key, &exists, &meta, err);
    *out = exists ? hlc_ts_max(meta.ts, rolled) : rolled;
    return rc;
}

/* Write the transaction record if this is its primary key and none exists yet. */
static mice_status ensure_record(kv__eval *ev, mice_slice key, mice_err *err)
{
    const kv_txn_meta *txn = ev->req->txn;
    if (!mice_slice_eq(key, txn->primary)) return MICE_OK;
    mice_buf rkey;
    buf_init(&rkey);
    txn_record_key(&rkey, txn->primary, txn->id);
    bool found = false;
    mice_status rc =
        engine_get(ev->r->e, STORE_CF_LOCKS, NULL, buf_slice(&rkey), &ev->raw_record, &found, err);
    if (rc == MICE_OK && !found) {
        txn_record rec = {
            .status = TXN_PENDING, .write_ts = txn->write_ts, .heartbeat_wall_ns = wall_now(ev)};
        txn_record_encode(&ev->raw_record, &rec);
        engine_batch_put(ev->effects, STORE_CF_LOCKS, buf_slice(&rkey), buf_slice(&ev->raw_record));
    }
    buf_deinit(&rkey);
    return rc;
}

/* INSERT: after the conflict checks, the newest committed version is at or below the
 * snapshot (or our own intent covers the key), so reading there is exact. */
static mice_status check_absent(kv__eval *ev, mice_slice key, bool have, const intent *own,
                                mice_err *err)
{
    bool found = false;
    if (have) {
        /* an expired own write is absent, as for the transaction's reads */
        found = own->kind == INTENT_PUT && !intent_expired(ev, own);
        if (own->kind == INTENT_LOCK) have = false; /* a lock says nothing about the row */
    }
    if (!have) {
        mice_buf v;
        buf_init(&v);
        mvcc_meta meta;
        mice_status rc =
            mvcc_get(ev->r->e, NULL, key, ev->req->txn->read_ts, &v, &found, &meta, err);
        buf_deinit(&v);
        if (rc) return rc;
        if (found && expired(ev, &meta)) found = false;
    }
    return found ? mice_err_setf(err, MICE_EXISTS, "duplicate key value") : MICE_OK;
}

/* The new intent for op given our current one (own, when *have). A statement's first
 * write over an earlier statement's value keeps that value as the prior. */
static void build_intent(const kv_txn_meta *txn, const kv_op *op, bool have, const intent *cur,
                         intent *next)
{
    memset(next, 0, sizeof *next);
    next->txn_id = txn->id;
    next->start_ts = txn->start_ts;
    next->write_ts = txn->write_ts;
    next->seq = txn->seq;
    next->kind = kind_of(op->kind);
    next->primary = txn->primary;
    if (next->kind == INTENT_PUT) {
        next->value = op->value;
        next->has_expiry = op->has_expiry;
        next->expiry_wall_ns = op->has_expiry ? op->expiry_wall_ns : 0;
    }
    if (!have) return;
    if (cur->seq >= txn->stmt_seq) {
        next->has_prior = cur->has_prior;
        next->prior_kind = cur->prior_kind;
        next->prior_seq = cur->prior_seq;
        next->prior_value = cur->prior_value;
        next->prior_has_expiry = cur->prior_has_expiry;
        next->prior_expiry_wall_ns = cur->prior_expiry_wall_ns;
    } else {
        next->has_prior = true;
        next->prior_kind = cur->kind;
        next->prior_seq = cur->seq;
        next->prior_value = cur->value;
        next->prior_has_expiry = cur->has_expiry;
        next->prior_expiry_wall_ns = cur->expiry_wall_ns;
    }
}

static mice_status eval_txn_write(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    const kv_txn_meta *txn = ev->req->txn;
    locktable_txn_begin(ev->r->locks, txn->id, txn->start_ts);
    bool have = false;
    intent cur;
    hlc_ts rolled = HLC_TS_ZERO, newest;
    mice_status rc = intent_read(ev, op->key, &have, &cur, err);
    if (rc) return rc;
    if (have && cur.txn_id != txn->id) {
        rc = settle_foreign(ev, op->key, &cur, &rolled, err);
        if (rc) return rc;
        have = false;
    }
    intent next;
    bool too_old = false;
    if (!have) { /* with our own intent in place nobody else can have written since */
        rc = newest_ts(ev, op->key, rolled, &newest, err);
        if (rc) return rc;
        too_old = hlc_ts_less(txn->read_ts, newest);
        if (too_old && (rc = write_too_old(ev, &next, err))) return rc;
    }
    if (have && op->kind == KV_OP_LOCK) return MICE_OK; /* already locked or written */
    if (op->if_absent && !too_old && (rc = check_absent(ev, op->key, have, &cur, err))) return rc;
    if (!too_old) build_intent(txn, op, have, &cur, &next);
    mice_buf enc;
    buf_init(&enc);
    intent_encode(&enc, &next); /* before scratch_key is reused: next borrows raw_intent */
    intent_key(&ev->scratch_key, op->key);
    engine_batch_put(ev->effects, STORE_CF_LOCKS, buf_slice(&ev->scratch_key), buf_slice(&enc));
    note_intent(ev, '+', op->key);
    buf_deinit(&enc);
    if (too_old) res->locked = true;
    return ensure_record(ev, op->key, err);
}

/* --- non-transactional writes ---------------------------------------------------------- */

/* DELETE if_expired: the TTL purge. A key with any intent is left alone (its writer
 * decides); otherwise only an expired newest version is tombstoned, unsynced. */
static mice_status eval_purge_expired(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    bool have = false, exists = false;
    intent cur;
    mvcc_meta meta;
    mice_status rc = intent_read(ev, op->key, &have, &cur, err);
    if (!rc && !have) rc = mvcc_newest(ev->r->e, NULL, op->key, &exists, &meta, err);
    if (rc || have || !exists || meta.tombstone || !expired(ev, &meta)) return rc;
    hlc_ts ts;
    if ((rc = kv__commit_ts(ev->r, hlc_ts_next(meta.ts), &ts, err))) return rc;
    if ((rc = mvcc_delete(ev->effects, op->key, ts)))
        return mice_err_setf(err, rc, "write below the GC horizon");
    res->commit_ts = ts;
    res->purged = true;
    return MICE_OK;
}

static mice_status eval_plain_write(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    if (op->kind == KV_OP_LOCK) return mice_err_setf(err, MICE_INVALID, "LOCK needs a transaction");
    if (op->kind == KV_OP_DELETE && op->if_expired) return eval_purge_expired(ev, op, res, err);
    bool have = false;
    intent cur;
    hlc_ts rolled = HLC_TS_ZERO, newest;
    mice_status rc = intent_read(ev, op->key, &have, &cur, err);
    if (!rc && have) rc = settle_foreign(ev, op->key, &cur, &rolled, err);
    if (!rc) rc = newest_ts(ev, op->key, rolled, &newest, err);
    if (rc) return rc;
    hlc_ts ts = ev->req->ts;
    if (hlc_ts_is_zero(ts) && (rc = kv__commit_ts(ev->r, hlc_ts_next(newest), &ts, err))) return rc;
    if (op->kind == KV_OP_DELETE)
        rc = mvcc_delete(ev->effects, op->key, ts);
    else if (op->has_expiry)
        rc = mvcc_put_with_expiry(ev->effects, op->key, ts, op->value, op->expiry_wall_ns);
    else
        rc = mvcc_put(ev->effects, op->key, ts, op->value);
    if (rc) return mice_err_setf(err, rc, "write below the GC horizon");
    res->commit_ts = ts;
    ev->sync = true; /* acknowledged writes survive a crash */
    return MICE_OK;
}

/* --- resolution and the end of a transaction --------------------------------------------- */

static mice_status eval_resolve(kv__eval *ev, const kv_op *op, mice_err *err)
{
    const kv_txn_meta *txn = ev->req->txn;
    if (!txn) return mice_err_setf(err, MICE_INVALID, "RESOLVE needs a transaction");
    bool have = false;
    intent cur;
    mice_status rc = intent_read(ev, op->key, &have, &cur, err);
    if (!rc && (!have || cur.txn_id != txn->id)) {
        /* Already resolved (by a writer or reader that met it and learnt the outcome):
         * the transaction has still ended, and its waiters here must hear it. */
        if (op->resolve != KV_RESOLVE_STMT_UNDO) ev->finished_txn = true;
        return MICE_OK;
    }
    if (rc) return rc;
    switch (op->resolve) {
    case KV_RESOLVE_COMMIT:
        rc = put_version(ev->effects, op->key, &cur, op->commit_ts, err);
        if (rc) return rc;
        ev->finished_txn = true; /* the txn has ended: wake this replica's waiters */
        break;
    case KV_RESOLVE_ABORT:
        ev->finished_txn = true;
        break;
    case KV_RESOLVE_STMT_UNDO:
        if (cur.seq < op->undo_seq) return MICE_OK;
        if (cur.has_prior && cur.prior_seq < op->undo_seq) {
            intent back = cur;
            back.kind = cur.prior_kind;
            back.seq = cur.prior_seq;
            back.value = cur.prior_value;
            back.has_expiry = cur.prior_has_expiry;
            back.expiry_wall_ns = cur.prior_expiry_wall_ns;
            back.has_prior = false;
            back.prior_has_expiry = false;
            mice_buf enc;
            buf_init(&enc);
            intent_encode(&enc, &back);
            intent_key(&ev->scratch_key, op->key);
            engine_batch_put(ev->effects, STORE_CF_LOCKS, buf_slice(&ev->scratch_key),
                             buf_slice(&enc));
            note_intent(ev, '+', op->key);
            buf_deinit(&enc);
            return MICE_OK;
        }
        break;
    }
    delete_intent(ev, op->key);
    return MICE_OK;
}

/* SERIALIZABLE: nothing the transaction read may have been committed after its snapshot. */
static mice_status validate_span(kv__eval *ev, const kv_span *sp, hlc_ts read_ts, mice_err *err)
{
    mice_buf lo, hi, key;
    buf_init(&lo);
    buf_init(&hi);
    buf_init(&key);
    mvcc_encode_key(&lo, sp->start, HLC_TS_MAX); /* the newest possible version sorts first */
    if (sp->end.n && !sp->to_end) {
        mvcc_encode_key(&hi, sp->end, HLC_TS_MAX);
    } else if (!sp->to_end) { /* just past the oldest possible version of the point key */
        mvcc_encode_key(&hi, sp->start, HLC_TS_ZERO);
        buf_append_u8(&hi, 0);
    }
    engine_iter_opts o = {.cf = STORE_CF_DATA, .lower = buf_slice(&lo), .upper = buf_slice(&hi)};
    engine_iter *it = NULL;
    mice_status rc = engine_iter_create(ev->r->e, &o, &it, err);
    for (engine_iter_first(it); rc == MICE_OK && it && engine_iter_valid(it);
         engine_iter_next(it)) {
        hlc_ts ts;
        buf_reset(&key);
        if (mvcc_decode_key(engine_iter_key(it), &key, &ts)) {
            rc = mice_err_setf(err, MICE_CORRUPT, "malformed version key");
        } else if (hlc_ts_less(read_ts, ts)) {
            rc = mice_err_setf(err, MICE_CONFLICT,
                               "could not serialize access due to read/write "
                               "dependencies among transactions");
        }
    }
    if (rc == MICE_OK && it) rc = engine_iter_status(it, err);
    engine_iter_destroy(it);
    buf_deinit(&lo);
    buf_deinit(&hi);
    buf_deinit(&key);
    return rc;
}

/* Every intent the transaction believes it holds must still be there: one rolled back by
 * another transaction (which judged us abandoned) means we were aborted. */
static mice_status check_intents(kv__eval *ev, const kv_op *op, mice_err *err)
{
    for (size_t i = 0; i < op->n_intents; i++) {
        bool have = false;
        intent cur;
        mice_status rc = intent_read(ev, op->intents[i], &have, &cur, err);
        if (rc) return rc;
        if (!have || cur.txn_id != ev->req->txn->id)
            return mice_err_setf(err, MICE_CONFLICT,
                                 "transaction was aborted: its locks were released");
    }
    return MICE_OK;
}

static mice_status commit_intents(kv__eval *ev, const kv_op *op, hlc_ts commit_ts, mice_err *err)
{
    for (size_t i = 0; i < op->n_intents; i++) {
        bool have = false;
        intent cur;
        mice_status rc = intent_read(ev, op->intents[i], &have, &cur, err);
        if (!rc) rc = put_version(ev->effects, op->intents[i], &cur, commit_ts, err);
        if (rc) return rc;
        delete_intent(ev, op->intents[i]);
    }
    return MICE_OK;
}

static void abort_intents(kv__eval *ev, const kv_op *op)
{
    for (size_t i = 0; i < op->n_intents; i++) {
        bool have = false;
        intent cur;
        if (intent_read(ev, op->intents[i], &have, &cur, NULL) == MICE_OK && have &&
            cur.txn_id == ev->req->txn->id)
            delete_intent(ev, op->intents[i]);
    }
}

/* VALIDATE: a SERIALIZABLE transaction's reads in this range, checked for its commit on
 * another range (request.h). Every span must lie in this replica's span: one cut by a
 * split since the caller looked is refused, and the caller's gateway routes again. */
static mice_status eval_validate(kv__eval *ev, const kv_op *op, mice_err *err)
{
    const kv_txn_meta *txn = ev->req->txn;
    if (!txn) return mice_err_setf(err, MICE_INVALID, "VALIDATE needs a transaction");
    for (size_t i = 0; i < op->n_read_spans; i++) {
        const kv_span *sp = &op->read_spans[i];
        if (!kv_replica_contains_span(ev->r, sp->start, sp->end, sp->to_end))
            return mice_err_setf(err, MICE_NOT_LEADER, "key outside the range (it was split); retry");
        mice_status rc = validate_span(ev, sp, txn->read_ts, err);
        if (rc) return rc;
    }
    kv__note_read(ev->r, op->commit_ts);
    return MICE_OK;
}

static mice_status eval_commit(kv__eval *ev, const kv_op *op, mice_buf *rkey, kv_result *res,
                               mice_err *err)
{
    const kv_txn_meta *txn = ev->req->txn;
    mice_status rc = check_intents(ev, op, err);
    for (size_t i = 0; rc == MICE_OK && i < op->n_read_spans; i++)
        rc = validate_span(ev, &op->read_spans[i], txn->read_ts, err);
    if (rc) return rc;
    hlc_ts commit_ts;
    hlc_ts floor = hlc_ts_max(txn->write_ts, hlc_ts_next(txn->read_ts));
    if (hlc_ts_is_zero(op->commit_ts))
        rc = kv__commit_ts(ev->r, floor, &commit_ts, err);
    else /* reads in other ranges were validated up to op->commit_ts (VALIDATE) */
        rc = kv__commit_ts_bounded(ev->r, floor, op->commit_ts, &commit_ts, err);
    if (rc == MICE_RANGE) {
        res->commit_ts = commit_ts; /* the caller may validate up to here and try again */
        return mice_err_setf(err, MICE_CONFLICT,
                             "could not serialize access due to read/write dependencies among "
                             "transactions (the commit timestamp passed the reads' validation)");
    }
    if (rc) return rc;
    /* SERIALIZABLE: the reads are now valid at commit_ts; later writers commit above it. */
    if (op->n_read_spans) kv__note_read(ev->r, commit_ts);
    if (op->one_phase) {
        rc = commit_intents(ev, op, commit_ts, err);
        engine_batch_delete(ev->effects, STORE_CF_LOCKS, buf_slice(rkey));
    } else { /* 2PC: the record is the commit point even when no intent is in this range */
        txn_record rec = {
            .status = TXN_COMMITTED, .write_ts = commit_ts, .heartbeat_wall_ns = wall_now(ev)};
        txn_record_encode(&ev->raw_record, &rec);
        engine_batch_put(ev->effects, STORE_CF_LOCKS, buf_slice(rkey), buf_slice(&ev->raw_record));
    }
    res->commit_ts = commit_ts;
    ev->resp->write_ts = commit_ts;
    return rc;
}

/* Read transaction txn_id's record stored under primary into *rec (status PENDING and
 * *found false when there is none); rkey gets the record's key. */
static mice_status read_record(kv__eval *ev, mice_slice primary, uint64_t txn_id, mice_buf *rkey,
                               txn_record *rec, bool *found, mice_err *err)
{
    txn_record_key(rkey, primary, txn_id);
    *found = false;
    *rec = (txn_record){.status = TXN_PENDING};
    mice_status rc =
        engine_get(ev->r->e, STORE_CF_LOCKS, NULL, buf_slice(rkey), &ev->raw_record, found, err);
    if (!rc && *found && txn_record_decode(buf_slice(&ev->raw_record), rec))
        rc = mice_err_setf(err, MICE_CORRUPT, "malformed transaction record");
    return rc;
}

static mice_status eval_end_txn(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    const kv_txn_meta *txn = ev->req->txn;
    if (!txn) return mice_err_setf(err, MICE_INVALID, "END_TXN needs a transaction");
    mice_buf rkey;
    buf_init(&rkey);
    bool found = false;
    txn_record rec;
    mice_status rc = read_record(ev, txn->primary, txn->id, &rkey, &rec, &found, err);
    if (!rc && op->commit && rec.status == TXN_ABORTED)
        rc = mice_err_setf(err, MICE_CONFLICT, "transaction was aborted");
    if (!rc && op->commit) {
        rc = eval_commit(ev, op, &rkey, res, err);
        ev->sync = true; /* COMMIT returns only once the commit is on disk */
    } else if (!rc) {
        abort_intents(ev, op);
        engine_batch_delete(ev->effects, STORE_CF_LOCKS, buf_slice(&rkey));
    }
    ev->finished_txn = rc == MICE_OK;
    buf_deinit(&rkey);
    return rc;
}

static mice_status eval_gc_txn(kv__eval *ev, mice_err *err)
{
    if (!ev->req->txn) return mice_err_setf(err, MICE_INVALID, "GC_TXN needs a transaction");
    txn_record_key(&ev->scratch_key, ev->req->txn->primary, ev->req->txn->id);
    engine_batch_delete(ev->effects, STORE_CF_LOCKS, buf_slice(&ev->scratch_key));
    return MICE_OK;
}

static bool older_than_ttl(const kv__eval *ev, uint64_t wall_ns)
{
    uint64_t now = wall_now(ev), ttl_ns = ev->r->txn_ttl_ms * MICE_NS_PER_MS;
    return now > wall_ns && now - wall_ns > ttl_ns;
}

/* PUSH_TXN on the pushee's primary range (request.h): answer its record's status; a push
 * that may abort writes an ABORTED record for an abandoned pushee (synced, so a commit
 * after it can never succeed). The record's latch orders it against END_TXN. */
static mice_status eval_push_txn(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    if (ev->req->txn) return mice_err_setf(err, MICE_INVALID, "PUSH_TXN is not transactional");
    if (op->push_id == 0) return mice_err_setf(err, MICE_INVALID, "PUSH_TXN needs a transaction");
    /* A pending pushee now commits above the pusher's reads (kv__commit_ts). */
    if (!hlc_ts_is_zero(op->push_read_ts)) kv__note_read(ev->r, op->push_read_ts);
    mice_buf rkey;
    buf_init(&rkey);
    bool found = false;
    txn_record rec;
    mice_status rc = read_record(ev, op->key, op->push_id, &rkey, &rec, &found, err);
    if (rc) {
        buf_deinit(&rkey);
        return rc;
    }
    bool abandoned = false;
    if (!found) {
        res->txn_state = KV_TXN_MISSING;
        abandoned = older_than_ttl(ev, op->push_start_ts.wall_ns);
    } else if (rec.status == TXN_COMMITTED) {
        res->txn_state = KV_TXN_COMMITTED;
        res->commit_ts = rec.write_ts;
    } else if (rec.status == TXN_ABORTED) {
        res->txn_state = KV_TXN_ABORTED;
    } else {
        res->txn_state = KV_TXN_PENDING;
        res->heartbeat_wall_ns = rec.heartbeat_wall_ns;
        abandoned = older_than_ttl(ev, rec.heartbeat_wall_ns);
    }
    if (op->push_abort && abandoned) {
        txn_record ab = {.status = TXN_ABORTED,
                         .write_ts = found ? rec.write_ts : HLC_TS_ZERO,
                         .heartbeat_wall_ns = found ? rec.heartbeat_wall_ns : 0};
        txn_record_encode(&ev->raw_record, &ab);
        engine_batch_put(ev->effects, STORE_CF_LOCKS, buf_slice(&rkey), buf_slice(&ev->raw_record));
        ev->sync = true;
        ev->aborted_txn = op->push_id;
        res->txn_state = KV_TXN_ABORTED;
    }
    buf_deinit(&rkey);
    return MICE_OK;
}

/* Remove the span's versions and intents with two range deletions; the intent index
 * forgets the span's keys ('[' start, ']' end in the delta). */
static mice_status eval_clear_range(kv__eval *ev, const kv_op *op, mice_err *err)
{
    if (ev->req->txn) return mice_err_setf(err, MICE_INVALID, "CLEAR_RANGE is not transactional");
    mice_buf replica_end;
    buf_init(&replica_end);
    if (!op->end.n) kv__replica_end(ev->r, &replica_end);
    mice_slice end = op->end.n ? op->end : buf_slice(&replica_end);
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    mvcc_span_bounds(op->key, end, &lo, &hi);
    engine_batch_delete_range(ev->effects, STORE_CF_DATA, buf_slice(&lo), buf_slice(&hi));
    buf_reset(&lo);
    buf_reset(&hi);
    intent_key(&lo, op->key);
    if (end.n)
        intent_key(&hi, end);
    else
        buf_append_u8(&hi, INTENT_KEY_PREFIX + 1);
    engine_batch_delete_range(ev->effects, STORE_CF_LOCKS, buf_slice(&lo), buf_slice(&hi));
    buf_deinit(&lo);
    buf_deinit(&hi);
    note_intent(ev, '[', op->key);
    note_intent(ev, ']', end);
    buf_deinit(&replica_end);
    ev->sync = true;
    return MICE_OK;
}

static mice_status eval_op(kv__eval *ev, const kv_op *op, kv_result *res, mice_err *err)
{
    switch (op->kind) {
    case KV_OP_GET:
        return eval_get(ev, op, res, err);
    case KV_OP_SCAN:
        return eval_scan(ev, op, res, err);
    case KV_OP_PUT:
    case KV_OP_DELETE:
    case KV_OP_LOCK:
        return ev->req->txn ? eval_txn_write(ev, op, res, err) : eval_plain_write(ev, op, res, err);
    case KV_OP_RESOLVE:
        return eval_resolve(ev, op, err);
    case KV_OP_END_TXN:
        return eval_end_txn(ev, op, res, err);
    case KV_OP_GC_TXN:
        return eval_gc_txn(ev, err);
    case KV_OP_CLEAR_RANGE:
        return eval_clear_range(ev, op, err);
    case KV_OP_PUSH_TXN:
        return eval_push_txn(ev, op, res, err);
    case KV_OP_VALIDATE:
        return eval_validate(ev, op, err);
    }
    return mice_err_setf(err, MICE_INVALID, "unknown kv operation %d", (int)op->kind);
}

mice_status kv__evaluate(kv__eval *ev, mice_err *err)
{
    if (ev->req->txn) ev->resp->write_ts = ev->req->txn->write_ts;
    for (size_t i = 0; i < ev->req->n_ops; i++) {
        const kv_op *op = &ev->req->ops[i];
        if (op->kind != KV_OP_END_TXN && op->kind != KV_OP_GC_TXN &&
            !kv_replica_contains(ev->r, op->key)) {
            ev->resp->failed_op = i;
            return mice_err_setf(err, MICE_INVALID, "key outside the replica's span");
        }
        mice_status rc = eval_op(ev, op, &ev->resp->results[i], err);
        if (rc || ev->again_after_apply) { /* later ops run after the restart */
            ev->resp->failed_op = i;
            return rc;
        }
    }
    return MICE_OK;
}
