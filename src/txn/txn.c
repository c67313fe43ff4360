/* The transaction coordinator (see txn.h). It keeps the transaction's state (timestamps,
 * sequence numbers, write set, SERIALIZABLE read spans) and turns each call into kv
 * requests; every decision about other transactions' locks is made by the replica.
 *
 * Commit: when every intent lives in one range (kv_sender_range_of; a single node: always)
 * one END_TXN request writes all of them as versions and deletes them and the record in
 * one synced batch (1PC). Otherwise (or with force_two_phase) the 2PC path first makes the
 * COMMITTED record on the primary's range durable - the transaction is committed at that
 * instant - with END_TXN naming only the intents of that range, then resolves the intents
 * with RESOLVE requests (one batch per range; per key when forced on one range), then
 * drops the record. Resolution after the record is best effort: a reader or writer that
 * meets an unresolved intent finds the record and rolls it forward. An abort ends the
 * record and the primary range's intents with END_TXN and sends RESOLVE ABORT to the other
 * ranges. END_TXN never names a key of another range (its replica would write another
 * range's keys through its own log), and SERIALIZABLE read spans are clipped to the
 * primary's range: reads in other ranges are not validated at commit (a known gap of the
 * multi-range path; a single range validates everything as before). */
#include "txn/txn.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/keyset.h"
#include "base/log.h"
#include "txn/writeset.h"

typedef enum txn_state { TXN_OPEN, TXN_FAILED, TXN_DONE } txn_state;

struct txn_db {
    engine *e;
    const mice_env *env;
    hlc *clock;
    bool own_clock;
    bool force_two_phase;
    kv_ts_guard *ts_guard;
    kv_replica *replica;
    kv_sender *sender;
    bool own_sender;
    uint64_t id_seed;
    uint64_t id_counter; /* atomic */
};

struct txn {
    txn_db *db;
    txn_state state;
    kv_txn_meta meta; /* meta.primary borrows primary */
    mice_buf primary;
    uint32_t stmt; /* statement number */
    writeset writes;
    kv_span *read_spans; /* SERIALIZABLE; bytes owned by span_bytes */
    mice_buf *span_bytes;
    size_t n_spans, cap_spans;
    hlc_ts commit_ts;
    bool record_written; /* the record exists: the primary is fixed */
    bool tried_write;    /* a write reached a replica: END_TXN must end it there */
};

struct txn_scan {
    txn *t;
    mice_buf start, end;
    bool reverse, done;
    size_t remaining; /* rows still wanted; SIZE_MAX = all */
    kv_response resp;
};

void txn_db_config_init(txn_db_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->lock_timeout_ms = KV_LOCK_TIMEOUT_MS_DEFAULT;
    cfg->txn_ttl_ms = KV_TXN_TTL_MS_DEFAULT;
}

enum { TXN_HLC_MAX_OFFSET_NS = 500 * MICE_NS_PER_MS };

mice_status txn_db_create(engine *e, const mice_env *env, const txn_db_config *cfg, txn_db **out,
                          mice_err *err)
{
    *out = NULL;
    txn_db *db = mice_calloc(1, sizeof *db);
    db->e = e;
    db->env = env;
    db->clock = cfg->clock;
    if (!db->clock) {
        db->clock = hlc_create(env, TXN_HLC_MAX_OFFSET_NS);
        db->own_clock = true;
    }
    db->force_two_phase = cfg->force_two_phase;
    db->id_seed = env_entropy(env);
    if (cfg->sender) {
        db->sender = cfg->sender; /* replicas (and their guard) belong to a store */
        *out = db;
        return MICE_OK;
    }
    mice_status st = kv_ts_guard_create(e, db->clock, &db->ts_guard, err);
    if (st) {
        txn_db_destroy(db);
        return st;
    }
    kv_replica_config rc;
    kv_replica_config_init(&rc);
    rc.lock_timeout_ms = cfg->lock_timeout_ms;
    rc.txn_ttl_ms = cfg->txn_ttl_ms;
    rc.ts_guard = db->ts_guard;
    db->replica = kv_replica_create(e, db->clock, env, &rc);
    db->sender = kv_sender_create();
    db->own_sender = true;
    kv_sender_add_replica(db->sender, db->replica);
    *out = db;
    return MICE_OK;
}

void txn_db_destroy(txn_db *db)
{
    if (!db) return;
    if (db->own_sender) kv_sender_destroy(db->sender);
    kv_replica_destroy(db->replica);
    kv_ts_guard_destroy(db->ts_guard);
    if (db->own_clock) hlc_destroy(db->clock);
    free(db);
}

kv_sender *txn_db_sender(txn_db *db)
{
    return db->sender;
}

hlc *txn_db_clock(txn_db *db)
{
    return db->clock;
}

/* splitmix64 over a per-db seed and a counter: unique, never 0, no shared lock. */
static uint64_t next_txn_id(txn_db *db)
{
    uint64_t z = db->id_seed +
                 __atomic_add_fetch(&db->id_counter, 1, __ATOMIC_RELAXED) * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z ? z : 1;
}

/* --- one-shot operations ---------------------------------------------------------------- */

static mice_status send_one(txn_db *db, const kv_txn_meta *meta, const kv_op *op, kv_response *resp,
                            mice_err *err)
{
    kv_request req = {.txn = meta, .ops = op, .n_ops = 1};
    return kv_sender_send(db->sender, &req, resp, err);
}

mice_status txn_db_get_with_expiry(txn_db *db, mice_slice key, mice_buf *value, bool *found,
                                   uint64_t *expiry_wall_ns, mice_err *err)
{
    kv_op op = {.kind = KV_OP_GET, .key = key};
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = send_one(db, NULL, &op, &resp, err);
    if (rc == MICE_OK) {
        const kv_result *res = &resp.results[0];
        *found = res->found;
        buf_reset(value);
        buf_append_slice(value, buf_slice(&res->value));
        if (expiry_wall_ns) *expiry_wall_ns = res->has_expiry ? res->expiry_wall_ns : 0;
    }
    kv_response_deinit(&resp);
    return rc;
}

mice_status txn_db_get(txn_db *db, mice_slice key, mice_buf *value, bool *found, mice_err *err)
{
    return txn_db_get_with_expiry(db, key, value, found, NULL, err);
}

mice_status txn_db_purge_expired(txn_db *db, mice_slice start, mice_slice end, size_t max_rows,
                                 mice_buf *resume, bool *more, size_t *n_purged, mice_err *err)
{
    /* A single node's one replica: tombstones written locally. Replicated ranges (a
     * cluster's sender) must not write outside Raft, so there the purge waits for an
     * expiry-aware delete proposed through each leaseholder; until then expired values
     * stay invisible to every read and are only not reclaimed. */
    if (!db->replica) {
        *more = false;
        *n_purged = 0;
        buf_reset(resume);
        return MICE_OK;
    }
    return kv_replica_purge_expired(db->replica, start, end, max_rows, resume, more, n_purged, err);
}

static mice_status plain_write(txn_db *db, const kv_op *op, mice_err *err)
{
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = send_one(db, NULL, op, &resp, err);
    kv_response_deinit(&resp);
    return rc;
}

mice_status txn_db_put(txn_db *db, mice_slice key, mice_slice value, uint64_t expiry_wall_ns,
                       mice_err *err)
{
    kv_op op = {.kind = KV_OP_PUT,
                .key = key,
                .value = value,
                .has_expiry = expiry_wall_ns != 0,
                .expiry_wall_ns = expiry_wall_ns};
    return plain_write(db, &op, err);
}

mice_status txn_db_delete(txn_db *db, mice_slice key, mice_err *err)
{
    kv_op op = {.kind = KV_OP_DELETE, .key = key};
    return plain_write(db, &op, err);
}

mice_status txn_db_clear_range(txn_db *db, mice_slice start, mice_slice end, mice_err *err)
{
    kv_op op = {.kind = KV_OP_CLEAR_RANGE, .key = start, .end = end};
    return plain_write(db, &op, err);
}

/* --- lifecycle and statements ------------------------------------------------------------ */

txn *txn_begin(txn_db *db, txn_isolation isolation)
{
    txn *t = mice_calloc(1, sizeof *t);
    t->db = db;
    t->state = TXN_OPEN;
    buf_init(&t->primary);
    writeset_init(&t->writes);
    t->meta.id = next_txn_id(db);
    t->meta.isolation = (kv_isolation)isolation;
    t->meta.start_ts = hlc_now(db->clock);
    t->meta.read_ts = t->meta.start_ts;
    t->meta.write_ts = t->meta.start_ts;
    t->meta.stmt_seq = 1;
    t->stmt = 1;
    return t;
}

static void clear_spans(txn *t)
{
    for (size_t i = 0; i < 2 * t->n_spans; i++)
        buf_deinit(&t->span_bytes[i]);
    free(t->span_bytes);
    free(t->read_spans);
    t->span_bytes = NULL;
    t->read_spans = NULL;
    t->n_spans = t->cap_spans = 0;
}

void txn_destroy(txn *t)
{
    if (!t) return;
    if (t->state != TXN_DONE) txn_rollback(t, NULL);
    writeset_deinit(&t->writes);
    clear_spans(t);
    buf_deinit(&t->primary);
    free(t);
}

void txn_statement_begin(txn *t)
{
    t->stmt++;
    t->meta.stmt_seq = t->meta.seq + 1;
    if (t->meta.isolation == KV_READ_COMMITTED && t->state == TXN_OPEN) {
        t->meta.read_ts = hlc_now(t->db->clock);
        if (hlc_ts_less(t->meta.write_ts, t->meta.read_ts)) t->meta.write_ts = t->meta.read_ts;
    }
}

void txn_statement_end(txn *t)
{
    (void)t; /* statement-scoped state (portals, savepoint marks) will end here */
}

hlc_ts txn_read_ts(const txn *t)
{
    return t->meta.read_ts;
}

hlc_ts txn_commit_ts(const txn *t)
{
    return t->commit_ts;
}

txn_isolation txn_get_isolation(const txn *t)
{
    return (txn_isolation)t->meta.isolation;
}

uint64_t txn_id(const txn *t)
{
    return t->meta.id;
}

const char *txn_sqlstate(mice_status rc)
{
    switch (rc) {
    case MICE_OK:
        return "00000";
    case MICE_CONFLICT:
    case MICE_AGAIN:
        return "40001";
    case MICE_ABORTED:
        return "40P01";
    case MICE_TIMEOUT:
        return "55P03";
    case MICE_CLOSED:
        return "25P02";
    case MICE_INVALID:
        return "22023";
    case MICE_NOTFOUND:
        return "02000";
    case MICE_EXISTS:
        return "23505";
    default:
        return "XX000";
    }
}

/* --- sending on behalf of the transaction ---------------------------------------------- */

static mice_status send_txn(txn *t, const kv_op *ops, size_t n_ops, kv_response *resp,
                            mice_err *err)
{
    t->meta.primary = buf_slice(&t->primary);
    kv_request req = {.txn = &t->meta, .ops = ops, .n_ops = n_ops};
    mice_status rc = kv_sender_send(t->db->sender, &req, resp, err);
    if (rc == MICE_OK && hlc_ts_less(t->meta.write_ts, resp->write_ts))
        t->meta.write_ts = resp->write_ts;
    return rc;
}

/* The transaction's live keys grouped by range: keys[0, n_primary) are in the primary's
 * range [pstart, pend), the rest follow ordered by range (ranges[i] is key i's range). */
typedef struct txn_keys {
    mice_slice *keys;
    uint64_t *ranges;
    size_t n, n_primary;
    mice_buf pstart, pend;
    uint64_t primary_range;
    bool multi; /* intents in more than one range */
} txn_keys;

static void txn_keys_deinit(txn_keys *k)
{
    free(k->keys);
    free(k->ranges);
    buf_deinit(&k->pstart);
    buf_deinit(&k->pend);
}

static mice_status txn_keys_collect(txn *t, txn_keys *k, mice_err *err)
{
    memset(k, 0, sizeof *k);
    buf_init(&k->pstart);
    buf_init(&k->pend);
    k->keys = writeset_keys(&t->writes, &k->n);
    k->ranges = mice_calloc(k->n ? k->n : 1, sizeof *k->ranges);
    mice_buf s, e;
    buf_init(&s);
    buf_init(&e);
    mice_status rc = kv_sender_range_of(t->db->sender, buf_slice(&t->primary), &k->primary_range,
                                        &k->pstart, &k->pend, err);
    uint64_t primary_range = k->primary_range;
    for (size_t i = 0; rc == MICE_OK && i < k->n; i++)
        rc = kv_sender_range_of(t->db->sender, k->keys[i], &k->ranges[i], &s, &e, err);
    buf_deinit(&s);
    buf_deinit(&e);
    if (rc) return rc;
    /* Stable: the primary's range first, then by range id, keys in write order inside. */
    for (size_t i = 1; i < k->n; i++) {
        mice_slice key = k->keys[i];
        uint64_t r = k->ranges[i];
        uint64_t rank = r == primary_range ? 0 : r;
        size_t j = i;
        for (; j > 0; j--) {
            uint64_t prev = k->ranges[j - 1] == primary_range ? 0 : k->ranges[j - 1];
            if (prev <= rank) break;
            k->keys[j] = k->keys[j - 1];
            k->ranges[j] = k->ranges[j - 1];
        }
        k->keys[j] = key;
        k->ranges[j] = r;
    }
    while (k->n_primary < k->n && k->ranges[k->n_primary] == primary_range)
        k->n_primary++;
    k->multi = k->n_primary < k->n;
    return MICE_OK;
}

/* SERIALIZABLE read spans clipped to [ps, pe) (empty pe: the end of the key space), into a
 * malloc'ed array borrowing t's span bytes and ps/pe. */
static kv_span *clip_spans(const txn *t, mice_slice ps, mice_slice pe, size_t *n_out)
{
    kv_span *out = mice_calloc(t->n_spans ? t->n_spans : 1, sizeof *out);
    size_t n = 0;
    for (size_t i = 0; i < t->n_spans; i++) {
        kv_span sp = t->read_spans[i];
        bool point = !sp.end.n && !sp.to_end;
        if (point) {
            if (mice_slice_cmp(sp.start, ps) >= 0 && (!pe.n || mice_slice_cmp(sp.start, pe) < 0))
                out[n++] = sp;
            continue;
        }
        if (mice_slice_cmp(sp.start, ps) < 0) sp.start = ps;
        if (pe.n && (sp.to_end || mice_slice_cmp(sp.end, pe) > 0)) {
            sp.end = pe;
            sp.to_end = false;
        }
        if (!sp.to_end && mice_slice_cmp(sp.start, sp.end) >= 0) continue;
        out[n++] = sp;
    }
    *n_out = n;
    return out;
}

static mice_status end_txn(txn *t, bool commit, bool one_phase, const txn_keys *k,
                           hlc_ts bound, kv_response *resp, mice_err *err)
{
    kv_op op = {.kind = KV_OP_END_TXN,
                .commit = commit,
                .one_phase = one_phase,
                .intents = k ? k->keys : NULL,
                .n_intents = k ? k->n_primary : 0,
                .commit_ts = commit ? bound : HLC_TS_ZERO};
    kv_span *spans = NULL;
    if (commit && t->meta.isolation == KV_SERIALIZABLE) {
        spans = clip_spans(t, buf_slice(&k->pstart), buf_slice(&k->pend), &op.n_read_spans);
        op.read_spans = spans;
    }
    mice_status rc = send_txn(t, &op, 1, resp, err);
    free(spans);
    return rc;
}

enum { TXN_VALIDATE_ROUNDS = 3 };

/* A piece of a SERIALIZABLE read span that lies in one range other than the primary's. */
typedef struct span_piece {
    uint64_t range_id;
    mice_buf start, end;
    bool to_end;
} span_piece;

static void add_piece(span_piece **pc, size_t *n, size_t *cap, uint64_t range_id, mice_slice start,
                      mice_slice end, bool to_end)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        *pc = mice_realloc(*pc, *cap * sizeof **pc);
    }
    span_piece *p = &(*pc)[(*n)++];
    p->range_id = range_id;
    buf_init(&p->start);
    buf_init(&p->end);
    buf_append_slice(&p->start, start);
    buf_append_slice(&p->end, end);
    p->to_end = to_end;
}

/* Cut read span sp at range boundaries, keeping the pieces outside the primary's range. */
static mice_status cut_span(kv_sender *snd, const kv_span *sp, uint64_t primary_range,
                            span_piece **pc, size_t *n, size_t *cap, mice_err *err)
{
    bool point = !sp->end.n && !sp->to_end;
    mice_buf cur, rs, re;
    buf_init(&cur);
    buf_init(&rs);
    buf_init(&re);
    buf_append_slice(&cur, sp->start);
    mice_status rc = MICE_OK;
    for (;;) {
        uint64_t rid = 0;
        if ((rc = kv_sender_range_of(snd, buf_slice(&cur), &rid, &rs, &re, err))) break;
        bool last = point || re.n == 0 || (!sp->to_end && mice_slice_cmp(sp->end, buf_slice(&re)) <= 0);
        if (rid != primary_range) {
            if (point)
                add_piece(pc, n, cap, rid, buf_slice(&cur), (mice_slice){0}, false);
            else if (!last)
                add_piece(pc, n, cap, rid, buf_slice(&cur), buf_slice(&re), false);
            else
                add_piece(pc, n, cap, rid, buf_slice(&cur), sp->to_end ? (mice_slice){0} : sp->end,
                          sp->to_end);
        }
        if (last) break;
        buf_reset(&cur);
        buf_append_slice(&cur, buf_slice(&re));
    }
    buf_deinit(&cur);
    buf_deinit(&rs);
    buf_deinit(&re);
    return rc;
}

/* SERIALIZABLE: the reads outside the primary's range (END_TXN validates the ones inside)
 * are validated where they were made, one VALIDATE per range, each raising that range's
 * timestamp cache to *bound, the highest timestamp the commit may then take (zero when
 * nothing was validated elsewhere). */
static mice_status validate_elsewhere(txn *t, const txn_keys *k, hlc_ts *bound, mice_err *err)
{
    hlc_ts at_least = *bound; /* a retry: the primary's commit timestamp */
    *bound = HLC_TS_ZERO;
    kv_sender *snd = t->db->sender;
    if (t->meta.isolation != KV_SERIALIZABLE || t->n_spans == 0 ||
        kv_sender_replica_count(snd) == 1)
        return MICE_OK;
    mice_status rc = MICE_OK;
    span_piece *pc = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; rc == MICE_OK && i < t->n_spans; i++)
        rc = cut_span(snd, &t->read_spans[i], k->primary_range, &pc, &n, &cap, err);
    if (rc == MICE_OK && n > 0) {
        hlc_ts b = hlc_now(t->db->clock);
        b = hlc_ts_max(b, t->meta.write_ts);
        b = hlc_ts_max(b, hlc_ts_next(t->meta.read_ts));
        b = hlc_ts_max(b, at_least);
        kv_span *spans = mice_calloc(n, sizeof *spans);
        bool *done = mice_calloc(n, sizeof *done);
        kv_response resp;
        kv_response_init(&resp);
        for (size_t i = 0; i < n && rc == MICE_OK; i++) {
            if (done[i]) continue;
            size_t m = 0;
            for (size_t j = i; j < n; j++) {
                if (done[j] || pc[j].range_id != pc[i].range_id) continue;
                spans[m++] = (kv_span){buf_slice(&pc[j].start), buf_slice(&pc[j].end), pc[j].to_end};
                done[j] = true;
            }
            kv_op op = {.kind = KV_OP_VALIDATE,
                        .key = spans[0].start,
                        .read_spans = spans,
                        .n_read_spans = m,
                        .commit_ts = b};
            rc = send_txn(t, &op, 1, &resp, err);
        }
        kv_response_deinit(&resp);
        free(spans);
        free(done);
        if (rc == MICE_OK) *bound = b;
    }
    for (size_t i = 0; i < n; i++) {
        buf_deinit(&pc[i].start);
        buf_deinit(&pc[i].end);
    }
    free(pc);
    return rc;
}

/* RESOLVE keys[from, to) of k with one batch per range. */
static mice_status resolve_ranges(txn *t, const txn_keys *k, size_t from, size_t to,
                                  kv_resolve_kind how, mice_err *err)
{
    mice_status first = MICE_OK;
    kv_op *ops = mice_calloc(to > from ? to - from : 1, sizeof *ops);
    kv_response resp;
    kv_response_init(&resp);
    for (size_t i = from; i < to;) {
        size_t j = i, n = 0;
        for (; j < to && k->ranges[j] == k->ranges[i]; j++)
            ops[n++] = (kv_op){.kind = KV_OP_RESOLVE,
                               .key = k->keys[j],
                               .resolve = how,
                               .commit_ts = t->commit_ts};
        mice_err e;
        mice_status rc = send_txn(t, ops, n, &resp, &e);
        if (rc && !first) {
            first = rc;
            if (err) *err = e;
        }
        i = j;
    }
    kv_response_deinit(&resp);
    free(ops);
    return first;
}

/* Release everything now (after an error, so waiters proceed); errors are only logged. */
static void abort_now(txn *t)
{
    if (t->tried_write) {
        txn_keys k;
        mice_err err;
        bool known = txn_keys_collect(t, &k, &err) == MICE_OK;
        kv_response resp;
        kv_response_init(&resp);
        /* Without the ranges, name no intent: the record goes, and whoever meets an
         * intent finds no record and rolls it back. */
        if (!known) k.n_primary = 0;
        if (end_txn(t, false, false, &k, HLC_TS_ZERO, &resp, &err))
            log_warn("txn %016llx: rollback failed: %s", (unsigned long long)t->meta.id,
                     mice_err_msg(&err));
        if (known && k.multi && resolve_ranges(t, &k, k.n_primary, k.n, KV_RESOLVE_ABORT, &err))
            log_warn("txn %016llx: rollback of other ranges failed: %s",
                     (unsigned long long)t->meta.id, mice_err_msg(&err));
        kv_response_deinit(&resp);
        txn_keys_deinit(&k);
    }
    t->tried_write = false;
}

/* READ COMMITTED restart: undo this statement's writes, take a fresh snapshot. */
static mice_status restart_statement(txn *t, mice_err *err)
{
    size_t n = 0, cap = 16;
    kv_op *ops = mice_calloc(cap, sizeof *ops);
    for (size_t i = 0; i < t->writes.n; i++) {
        writeset_entry *e = &t->writes.entries[i];
        if (e->dropped || e->last_stmt != t->stmt) continue;
        if (n == cap) ops = mice_realloc(ops, (cap *= 2) * sizeof *ops);
        ops[n++] = (kv_op){.kind = KV_OP_RESOLVE,
                           .key = buf_slice(&e->key),
                           .resolve = KV_RESOLVE_STMT_UNDO,
                           .undo_seq = t->meta.stmt_seq};
        if (e->first_seq >= t->meta.stmt_seq) e->dropped = true;
    }
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = n ? send_txn(t, ops, n, &resp, err) : MICE_OK;
    kv_response_deinit(&resp);
    free(ops);
    t->meta.stmt_seq = t->meta.seq + 1;
    t->meta.read_ts = hlc_now(t->db->clock);
    if (hlc_ts_less(t->meta.write_ts, t->meta.read_ts)) t->meta.write_ts = t->meta.read_ts;
    return rc;
}

/* Turn a failed call into the transaction's new state; returns what the caller gets. */
static mice_status failed(txn *t, mice_status rc, mice_err *err)
{
    if (rc == MICE_NOTFOUND || rc == MICE_INVALID || rc == MICE_EXISTS) return rc;
    if (rc == MICE_AGAIN) {
        mice_err undo_err;
        if (restart_statement(t, &undo_err) == MICE_OK) return rc;
        rc = mice_err_setf(err, undo_err.code, "statement restart: %s", mice_err_msg(&undo_err));
    }
    abort_now(t);
    t->state = TXN_FAILED;
    return rc;
}

static mice_status check_open(const txn *t, mice_err *err)
{
    if (t->state == TXN_OPEN) return MICE_OK;
    return mice_err_setf(err, MICE_CLOSED,
                         "current transaction is aborted, commands ignored "
                         "until end of transaction block");
}

static void add_read_span(txn *t, mice_slice start, mice_slice end, bool to_end)
{
    if (t->meta.isolation != KV_SERIALIZABLE) return;
    if (t->n_spans == t->cap_spans) {
        t->cap_spans = t->cap_spans ? 2 * t->cap_spans : 8;
        t->read_spans = mice_realloc(t->read_spans, t->cap_spans * sizeof *t->read_spans);
        t->span_bytes = mice_realloc(t->span_bytes, 2 * t->cap_spans * sizeof *t->span_bytes);
        for (size_t i = 0; i < t->n_spans; i++) { /* re-point after the move */
            t->read_spans[i].start = buf_slice(&t->span_bytes[2 * i]);
            t->read_spans[i].end = buf_slice(&t->span_bytes[2 * i + 1]);
        }
    }
    mice_buf *b = &t->span_bytes[2 * t->n_spans];
    buf_init(&b[0]);
    buf_init(&b[1]);
    buf_append_slice(&b[0], start);
    buf_append_slice(&b[1], end);
    t->read_spans[t->n_spans++] = (kv_span){buf_slice(&b[0]), buf_slice(&b[1]), to_end};
}

/* --- reads and writes ------------------------------------------------------------------- */

mice_status txn_get(txn *t, mice_slice key, mice_buf *value, bool *found, mice_err *err)
{
    return txn_get_with_expiry(t, key, value, found, NULL, err);
}

mice_status txn_get_with_expiry(txn *t, mice_slice key, mice_buf *value, bool *found,
                                uint64_t *expiry_wall_ns, mice_err *err)
{
    mice_status rc = check_open(t, err);
    if (rc) return rc;
    kv_op op = {.kind = KV_OP_GET, .key = key};
    kv_response resp;
    kv_response_init(&resp);
    rc = send_txn(t, &op, 1, &resp, err);
    if (rc == MICE_OK) {
        const kv_result *res = &resp.results[0];
        *found = res->found;
        buf_reset(value);
        buf_append_slice(value, buf_slice(&res->value));
        if (expiry_wall_ns) *expiry_wall_ns = res->has_expiry ? res->expiry_wall_ns : 0;
        add_read_span(t, key, (mice_slice){0}, false);
    }
    kv_response_deinit(&resp);
    return rc ? failed(t, rc, err) : MICE_OK;
}

/* A write (or lock) of key, optionally followed by a read of it in the same batch
 * (and of its expiry, when read_expiry is not NULL). */
static mice_status write_key(txn *t, kv_op op, mice_buf *read_value, bool *found,
                             uint64_t *read_expiry, mice_err *err)
{
    mice_slice key = op.key;
    mice_status rc = check_open(t, err);
    if (rc) return rc;
    if (!t->record_written) { /* the record goes with the first intent that lands */
        buf_reset(&t->primary);
        buf_append_slice(&t->primary, key);
    }
    t->meta.seq++;
    t->tried_write = true;
    kv_op ops[2] = {op, {.kind = KV_OP_GET, .key = key}};
    kv_response resp;
    kv_response_init(&resp);
    rc = send_txn(t, ops, read_value ? 2 : 1, &resp, err);
    if (rc == MICE_OK) {
        t->record_written = true;
        writeset_add(&t->writes, key, t->meta.seq, t->stmt);
        if (read_value) {
            const kv_result *res = &resp.results[1];
            *found = res->found;
            buf_reset(read_value);
            buf_append_slice(read_value, buf_slice(&res->value));
            if (read_expiry) *read_expiry = res->has_expiry ? res->expiry_wall_ns : 0;
            add_read_span(t, key, (mice_slice){0}, false);
        }
    }
    uint32_t lock_seq = t->meta.stmt_seq - 1;
    bool locked = rc == MICE_AGAIN && resp.n_results && resp.results[0].locked;
    kv_response_deinit(&resp);
    if (locked) { /* the row lock outlives the statement restart (request.h) */
        t->record_written = true;
        writeset_add(&t->writes, key, lock_seq, t->stmt - 1);
    }
    return rc ? failed(t, rc, err) : MICE_OK;
}

mice_status txn_get_for_update(txn *t, mice_slice key, mice_buf *value, bool *found, mice_err *err)
{
    return write_key(t, (kv_op){.kind = KV_OP_LOCK, .key = key}, value, found, NULL, err);
}

mice_status txn_get_for_update_with_expiry(txn *t, mice_slice key, mice_buf *value, bool *found,
                                           uint64_t *expiry_wall_ns, mice_err *err)
{
    *expiry_wall_ns = 0;
    return write_key(t, (kv_op){.kind = KV_OP_LOCK, .key = key}, value, found, expiry_wall_ns, err);
}

mice_status txn_put(txn *t, mice_slice key, mice_slice value, mice_err *err)
{
    return txn_put_with_expiry(t, key, value, 0, err);
}

mice_status txn_put_with_expiry(txn *t, mice_slice key, mice_slice value, uint64_t expiry_wall_ns,
                                mice_err *err)
{
    kv_op op = {.kind = KV_OP_PUT,
                .key = key,
                .value = value,
                .has_expiry = expiry_wall_ns != 0,
                .expiry_wall_ns = expiry_wall_ns};
    return write_key(t, op, NULL, NULL, NULL, err);
}

mice_status txn_insert(txn *t, mice_slice key, mice_slice value, mice_err *err)
{
    kv_op op = {.kind = KV_OP_PUT, .key = key, .value = value, .if_absent = true};
    return write_key(t, op, NULL, NULL, NULL, err);
}

void txn_set_lock_timeout(txn *t, uint64_t timeout_ms)
{
    t->meta.lock_timeout_ms = timeout_ms ? timeout_ms : KV_LOCK_TIMEOUT_NONE;
}

mice_status txn_delete(txn *t, mice_slice key, mice_err *err)
{
    return write_key(t, (kv_op){.kind = KV_OP_DELETE, .key = key}, NULL, NULL, NULL, err);
}

/* --- batches of writes -------------------------------------------------------------------- */

/* One kv request of a batch: the writes w[idx[0..n)], all on one replica, no key twice.
 * Bookkeeping as write_key's. MICE_EXISTS: *failed_at is the position (in idx) of the
 * insert that found a live key; nothing of the request was written. Other errors are
 * returned as they came: the caller hands them to failed(). */
static mice_status send_part(txn *t, const txn_write *w, const size_t *idx, size_t n, kv_op *ops,
                             size_t *failed_at, mice_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const txn_write *x = &w[idx[i]];
        ops[i] = (kv_op){.kind = x->kind == TXN_WRITE_DELETE ? KV_OP_DELETE : KV_OP_PUT,
                         .key = x->key,
                         .if_absent = x->kind == TXN_WRITE_INSERT};
        if (x->kind != TXN_WRITE_DELETE) {
            ops[i].value = x->value;
            ops[i].has_expiry = x->expiry_wall_ns != 0;
            ops[i].expiry_wall_ns = x->expiry_wall_ns;
        }
    }
    if (!t->record_written) { /* the record goes with the first intent that lands */
        buf_reset(&t->primary);
        buf_append_slice(&t->primary, ops[0].key);
    }
    t->meta.seq++; /* one sequence number for the whole request */
    t->tried_write = true;
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = send_txn(t, ops, n, &resp, err);
    size_t stop = resp.failed_op < n ? resp.failed_op : 0;
    size_t applied = rc == MICE_OK ? n : rc == MICE_AGAIN ? stop : 0;
    bool locked = rc == MICE_AGAIN && resp.n_results > stop && resp.results[stop].locked;
    kv_response_deinit(&resp);
    /* MICE_AGAIN: the writes before the locked one were applied; the restart undoes them */
    for (size_t i = 0; i < applied; i++)
        writeset_add(&t->writes, ops[i].key, t->meta.seq, t->stmt);
    if (applied || locked) t->record_written = true;
    if (locked) /* the row lock outlives the statement restart (request.h) */
        writeset_add(&t->writes, ops[stop].key, t->meta.stmt_seq - 1, t->stmt - 1);
    *failed_at = stop;
    return rc;
}

/* Send the writes of w[pos, end) (no key twice) that are below *limit, one request per
 * replica, in the order of each replica's first write. A MICE_EXISTS lowers *limit to the
 * failing write (kept in *exists) and re-sends that replica's writes before it, so every
 * write before the first failing one is applied and checked. */
static mice_status send_run(txn *t, const txn_write *w, size_t pos, size_t end, size_t *limit,
                            size_t *idx, kv_op *ops, uint64_t *route, bool *sent,
                            mice_err *exists, mice_err *err)
{
    kv_sender *snd = t->db->sender;
    bool routed = kv_sender_replica_count(snd) == 0; /* a cluster's gateway: by range */
    bool one = kv_sender_replica_count(snd) == 1;
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    for (size_t i = pos; i < end && !one; i++) {
        if (routed) {
            mice_status rc = kv_sender_range_of(snd, w[i].key, &route[i], &lo, &hi, err);
            if (rc) {
                buf_deinit(&lo);
                buf_deinit(&hi);
                return rc;
            }
        } else {
            route[i] = (uint64_t)(uintptr_t)kv_sender_route(snd, w[i].key);
        }
        sent[i] = false;
    }
    buf_deinit(&lo);
    buf_deinit(&hi);
    for (size_t first = pos; first < end && first < *limit; first++) {
        if (!one && sent[first]) continue; /* went with an earlier replica's request */
        size_t n = 0;
        for (size_t i = first; i < end && i < *limit; i++) {
            if (one || route[i] == route[first]) {
                idx[n++] = i;
                sent[i] = true;
            }
        }
        while (n) {
            size_t at = 0;
            mice_status rc = send_part(t, w, idx, n, ops, &at, err);
            if (rc != MICE_EXISTS) {
                if (rc) return rc;
                break;
            }
            *limit = idx[at];
            *exists = *err;
            n = at;
        }
        if (one) break;
    }
    return MICE_OK;
}

mice_status txn_write_batch(txn *t, const txn_write *w, size_t n, size_t *failed_index,
                            mice_err *err)
{
    if (failed_index) *failed_index = n;
    mice_status rc = check_open(t, err);
    if (rc || n == 0) return rc;
    /* Runs are cut per replica of the sender's list, or, for a routed sender (a cluster's
     * gateway), per range: each request then lands whole on one range (the gateway would
     * split one that a concurrent split cut in two). */
    size_t run = n < TXN_BATCH_OPS_MAX ? n : TXN_BATCH_OPS_MAX;
    size_t *idx = mice_calloc(run, sizeof *idx);
    kv_op *ops = mice_calloc(run, sizeof *ops);
    uint64_t *route = mice_calloc(n, sizeof *route);
    bool *sent = mice_calloc(n, sizeof *sent);
    mice_err local;
    if (!err) err = &local;
    size_t limit = n; /* the first write that failed with MICE_EXISTS, or n */
    mice_err exists;
    mice_err_clear(&exists);
    mice_keyset seen;
    for (size_t pos = 0; pos < limit && rc == MICE_OK;) {
        /* a run without a repeated key: evaluation reads the engine, not its own batch */
        keyset_init(&seen);
        size_t end = pos;
        for (bool was = false; end < limit && end - pos < run; end++) {
            keyset_add(&seen, w[end].key, &was);
            if (was) break;
        }
        keyset_deinit(&seen);
        rc = send_run(t, w, pos, end, &limit, idx, ops, route, sent, &exists, err);
        pos = end;
    }
    free(idx);
    free(ops);
    free(route);
    free(sent);
    if (rc) return failed(t, rc, err);
    if (limit == n) return MICE_OK;
    if (failed_index) *failed_index = limit;
    *err = exists;
    return MICE_EXISTS;
}

mice_status txn_run_statement(txn *t, txn_stmt_fn fn, void *ctx, mice_err *err)
{
    for (int attempt = 0;; attempt++) {
        txn_statement_begin(t);
        mice_status rc = fn(t, ctx, err);
        txn_statement_end(t);
        if (rc != MICE_AGAIN || attempt >= TXN_STMT_RETRIES_MAX) return rc;
    }
}

/* --- scans -------------------------------------------------------------------------------- */

mice_status txn_scan_open(txn *t, mice_slice start, mice_slice end, bool reverse, size_t limit,
                          txn_scan **out)
{
    *out = NULL;
    mice_status rc = check_open(t, NULL);
    if (rc) return rc;
    txn_scan *s = mice_calloc(1, sizeof *s);
    s->t = t;
    buf_init(&s->start);
    buf_init(&s->end);
    buf_append_slice(&s->start, start);
    buf_append_slice(&s->end, end);
    s->reverse = reverse;
    s->remaining = limit ? limit : SIZE_MAX;
    kv_response_init(&s->resp);
    /* The whole requested span, even if the executor stops early: conservative. */
    add_read_span(t, start, end, end.n == 0);
    *out = s;
    return MICE_OK;
}

mice_status txn_scan_next(txn_scan *s, size_t max_rows, const kv_row **rows, size_t *n_rows,
                          mice_err *err)
{
    *rows = NULL;
    *n_rows = 0;
    mice_status rc = check_open(s->t, err);
    if (rc || s->done) return rc;
    size_t want = max_rows ? max_rows : TXN_SCAN_BATCH_ROWS_DEFAULT;
    if (want > s->remaining) want = s->remaining;
    kv_op op = {.kind = KV_OP_SCAN,
                .key = buf_slice(&s->start),
                .end = buf_slice(&s->end),
                .limit = want,
                .reverse = s->reverse};
    rc = send_txn(s->t, &op, 1, &s->resp, err);
    if (rc) return failed(s->t, rc, err);
    kv_result *res = &s->resp.results[0];
    s->remaining -= res->n_rows;
    if (!res->more || s->remaining == 0) {
        s->done = true;
    } else if (s->reverse) {
        buf_reset(&s->end);
        buf_append_slice(&s->end, buf_slice(&res->resume_key));
    } else {
        buf_reset(&s->start);
        buf_append_slice(&s->start, buf_slice(&res->resume_key));
    }
    *rows = res->rows;
    *n_rows = res->n_rows;
    return MICE_OK;
}

void txn_scan_close(txn_scan *s)
{
    if (!s) return;
    kv_response_deinit(&s->resp);
    buf_deinit(&s->start);
    buf_deinit(&s->end);
    free(s);
}

/* --- commit and rollback -------------------------------------------------------------------- */

/* 2PC, after the COMMITTED record is durable: resolve the intents (per key when 2PC is
 * forced on one range, as each range would; one batch per range otherwise), then drop the
 * record. Failures only leave work for readers (they roll intents forward). */
static void resolve_after_commit(txn *t, const txn_keys *k)
{
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    bool all = true;
    if (k->multi) {
        if (resolve_ranges(t, k, 0, k->n, KV_RESOLVE_COMMIT, &err)) {
            log_warn("txn %016llx: resolve failed: %s", (unsigned long long)t->meta.id,
                     mice_err_msg(&err));
            all = false;
        }
    }
    for (size_t i = 0; !k->multi && i < k->n; i++) {
        kv_op op = {.kind = KV_OP_RESOLVE,
                    .key = k->keys[i],
                    .resolve = KV_RESOLVE_COMMIT,
                    .commit_ts = t->commit_ts};
        if (send_txn(t, &op, 1, &resp, &err)) {
            log_warn("txn %016llx: resolve failed: %s", (unsigned long long)t->meta.id,
                     mice_err_msg(&err));
            all = false;
        }
    }
    kv_op gc = {.kind = KV_OP_GC_TXN};
    if (all && send_txn(t, &gc, 1, &resp, &err))
        log_warn("txn %016llx: record GC failed: %s", (unsigned long long)t->meta.id,
                 mice_err_msg(&err));
    kv_response_deinit(&resp);
}

mice_status txn_commit(txn *t, mice_err *err)
{
    if (t->state == TXN_FAILED) {
        abort_now(t);
        t->state = TXN_DONE;
        return mice_err_setf(err, MICE_CLOSED, "transaction was aborted; rolled back");
    }
    if (t->state == TXN_DONE) return mice_err_setf(err, MICE_CLOSED, "transaction already ended");
    mice_status rc = MICE_OK;
    t->commit_ts = t->meta.read_ts;
    if (t->tried_write) { /* a read-only transaction has nothing to commit or validate */
        txn_keys k;
        rc = txn_keys_collect(t, &k, err);
        bool two_phase = t->db->force_two_phase || k.multi;
        kv_response resp;
        kv_response_init(&resp);
        hlc_ts bound = HLC_TS_ZERO;
        for (int round = 0; rc == MICE_OK; round++) {
            if ((rc = validate_elsewhere(t, &k, &bound, err))) break;
            rc = end_txn(t, true, !two_phase, &k, bound, &resp, err);
            /* The primary needed a higher timestamp than the other ranges' reads were
             * validated to: validate up to that one and try again (a few times). */
            if (rc != MICE_CONFLICT || hlc_ts_is_zero(bound) || resp.n_results == 0 ||
                !hlc_ts_less(bound, resp.results[0].commit_ts) || round == TXN_VALIDATE_ROUNDS)
                break;
            bound = resp.results[0].commit_ts;
            rc = MICE_OK;
        }
        if (rc == MICE_OK) t->commit_ts = resp.results[0].commit_ts;
        kv_response_deinit(&resp);
        if (rc) abort_now(t);
        if (rc == MICE_OK && two_phase) resolve_after_commit(t, &k);
        txn_keys_deinit(&k);
    }
    t->tried_write = false;
    t->state = TXN_DONE;
    return rc;
}

mice_status txn_rollback(txn *t, mice_err *err)
{
    (void)err;
    if (t->state != TXN_DONE) abort_now(t);
    t->state = TXN_DONE;
    return MICE_OK;
}
