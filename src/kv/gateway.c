/* Routing kv batches to leaseholders across the cluster (see gateway.h). */
#include "kv/gateway.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "kv/kvwire.h"
#include "kv/rangedesc.h"
#include "kv/replica.h"
#include "rpc/proto/rpc.pb-c.h"

enum {
    ST_BATCHES,
    ST_LOCAL,
    ST_REMOTE,
    ST_REDIRECTS,
    ST_RETRIES,
    ST_SPLITS,
    ST_DIR,
    ST_AMBIG,
    ST_N
};

typedef struct cached_range {
    range_desc desc;
    uint64_t leader; /* last leader a reply named; 0 = unknown */
} cached_range;

struct kv_gateway {
    store *local;
    uint64_t local_node; /* 0 without a store */
    rpc_transport *t;
    const mice_env *env;
    kv_sender *sender;
    _Atomic uint64_t deadline_ms;
    atomic_bool closed; /* kv_gateway_close: every send and retry loop ends */
    pthread_mutex_t mu; /* cache, seeds */
    cached_range *cache;
    size_t n_cache;
    uint64_t seeds[KV_GATEWAY_SEEDS_MAX];
    size_t n_seeds;
    _Atomic uint64_t stat[ST_N];
};

static void count(kv_gateway *g, int which)
{
    atomic_fetch_add_explicit(&g->stat[which], 1, memory_order_relaxed);
}

static uint64_t now_ms(kv_gateway *g)
{
    return env_mono_ns(g->env) / MICE_NS_PER_MS;
}

/* The deadline passed, or the gateway is closing: no more attempts. */
static bool expired(kv_gateway *g, uint64_t deadline)
{
    return atomic_load(&g->closed) || now_ms(g) >= deadline;
}

/* --- finding the range -------------------------------------------------------------------- */

/* Does d hold the keys just below end (end empty: the end of the key space)? */
static bool holds_before(const range_desc *d, mice_slice end)
{
    if (!rangedesc_is_initialized(d)) return false;
    if (!end.n) return d->end.n == 0;
    if (mice_slice_cmp(buf_slice(&d->start), end) >= 0) return false;
    return d->end.n == 0 || mice_slice_cmp(buf_slice(&d->end), end) >= 0;
}

static bool matches(const range_desc *d, mice_slice key, bool before)
{
    return before ? holds_before(d, key) : rangedesc_contains(d, key);
}

/* The local store's descriptor for key; out initialised by the caller. */
static bool local_lookup(kv_gateway *g, mice_slice key, bool before, range_desc *out,
                         uint64_t *leader)
{
    if (!g->local) return false;
    uint64_t id = 0;
    if (!before) {
        id = store_range_for_key(g->local, key);
    } else {
        uint64_t ids[64];
        size_t n = store_range_ids(g->local, ids, 64);
        uint64_t *all = ids;
        if (n > 64) {
            all = mice_calloc(n, sizeof *all);
            n = store_range_ids(g->local, all, n);
        }
        for (size_t i = 0; i < n && !id; i++) {
            store_range_info info;
            if (store_range_info_get(g->local, all[i], &info)) continue;
            if (holds_before(&info.desc, key)) id = all[i];
            rangedesc_deinit(&info.desc);
        }
        if (all != ids) free(all);
    }
    if (!id) return false;
    store_range_info info;
    if (store_range_info_get(g->local, id, &info)) return false;
    bool ok = rangedesc_is_initialized(&info.desc) && matches(&info.desc, key, before);
    if (ok) {
        rangedesc_deinit(out);
        rangedesc_copy(out, &info.desc);
        *leader = info.leader_node;
    }
    rangedesc_deinit(&info.desc);
    return ok;
}

static bool cache_lookup(kv_gateway *g, mice_slice key, bool before, range_desc *out,
                         uint64_t *leader)
{
    bool ok = false;
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->n_cache && !ok; i++) {
        if (!matches(&g->cache[i].desc, key, before)) continue;
        rangedesc_deinit(out);
        rangedesc_copy(out, &g->cache[i].desc);
        *leader = g->cache[i].leader;
        ok = true;
    }
    pthread_mutex_unlock(&g->mu);
    return ok;
}

/* Add d, dropping cached descriptors it overlaps (older views of the span). */
static void cache_put(kv_gateway *g, const range_desc *d)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->n_cache;) {
        if (g->cache[i].desc.range_id == d->range_id ||
            rangedesc_overlaps(&g->cache[i].desc, buf_slice(&d->start), buf_slice(&d->end))) {
            rangedesc_deinit(&g->cache[i].desc);
            g->cache[i] = g->cache[--g->n_cache];
        } else {
            i++;
        }
    }
    if (g->n_cache == KV_GATEWAY_CACHE_MAX) { /* full: forget one */
        rangedesc_deinit(&g->cache[0].desc);
        g->cache[0] = g->cache[--g->n_cache];
    }
    g->cache = mice_realloc(g->cache, (g->n_cache + 1) * sizeof *g->cache);
    cached_range *c = &g->cache[g->n_cache++];
    rangedesc_init(&c->desc);
    rangedesc_copy(&c->desc, d);
    c->leader = 0;
    pthread_mutex_unlock(&g->mu);
}

static void cache_forget(kv_gateway *g, uint64_t range_id)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->n_cache; i++) {
        if (g->cache[i].desc.range_id != range_id) continue;
        rangedesc_deinit(&g->cache[i].desc);
        g->cache[i] = g->cache[--g->n_cache];
        break;
    }
    pthread_mutex_unlock(&g->mu);
}

static void cache_note_leader(kv_gateway *g, uint64_t range_id, uint64_t leader)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < g->n_cache; i++)
        if (g->cache[i].desc.range_id == range_id) g->cache[i].leader = leader;
    pthread_mutex_unlock(&g->mu);
}

static mice_status range_call(kv_gateway *g, const range_desc *d, uint64_t leader,
                              const kv_request *req, kv_response *resp, uint64_t deadline,
                              bool *reroute, mice_err *err);

/* Range 1 (the directory's range): local, cached, or a descriptor naming the seeds. */
static bool directory_range(kv_gateway *g, range_desc *out, uint64_t *leader)
{
    mice_buf k;
    buf_init(&k);
    rangedesc_dir_key(&k, mice_slice_of(NULL, 0));
    bool ok = local_lookup(g, buf_slice(&k), false, out, leader) ||
              cache_lookup(g, buf_slice(&k), false, out, leader);
    buf_deinit(&k);
    if (ok) return true;
    pthread_mutex_lock(&g->mu);
    rangedesc_deinit(out);
    rangedesc_init(out);
    out->range_id = RANGEDESC_SYSTEM_RANGE_ID;
    out->generation = 1;
    for (size_t i = 0; i < g->n_seeds && i < RANGEDESC_REPLICAS_MAX; i++)
        out->replicas[out->n_replicas++] = (range_replica){g->seeds[i], g->seeds[i]};
    pthread_mutex_unlock(&g->mu);
    *leader = 0;
    return out->n_replicas > 0;
}

/* Read the descriptor of the range holding key (before: the keys just below key) from the
 * range directory into the cache. */
static mice_status directory_lookup(kv_gateway *g, mice_slice key, bool before, uint64_t deadline,
                                    mice_err *err)
{
    count(g, ST_DIR);
    mice_buf lo, hi, upto;
    buf_init(&lo);
    buf_init(&hi);
    buf_init(&upto);
    rangedesc_dir_span(&lo, &hi);
    /* Entries are keyed by keyenc(start), which keeps the order of starts and is prefix
     * free: the last entry below dir_key(key) + 0x00 is the range starting at or before
     * key; for "before", the last entry below dir_key(key) (a start < key). */
    if (before && !key.n) {
        buf_append_slice(&upto, buf_slice(&hi));
    } else {
        rangedesc_dir_key(&upto, key);
        if (!before) buf_append_u8(&upto, 0);
    }
    kv_op op = {.kind = KV_OP_SCAN,
                .key = buf_slice(&lo),
                .end = buf_slice(&upto),
                .limit = 1,
                .reverse = true};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    range_desc r1;
    rangedesc_init(&r1);
    uint64_t leader = 0;
    mice_status rc;
    if (!directory_range(g, &r1, &leader)) {
        rc = mice_err_setf(err, MICE_UNAVAILABLE,
                           "gateway: no replica of the range directory is known");
    } else {
        bool reroute = false;
        rc = range_call(g, &r1, leader, &req, &resp, deadline, &reroute, err);
    }
    if (rc == MICE_OK && (resp.n_results != 1 || resp.results[0].n_rows != 1))
        rc = mice_err_setf(err, MICE_NOTFOUND, "gateway: the range directory has no entry");
    if (rc == MICE_OK) {
        range_desc d;
        rangedesc_init(&d);
        mice_slice v = buf_slice(&resp.results[0].rows[0].value);
        if (rangedesc_decode(&v, &d) || !rangedesc_is_initialized(&d))
            rc = mice_err_setf(err, MICE_CORRUPT, "gateway: malformed range directory entry");
        else
            cache_put(g, &d);
        rangedesc_deinit(&d);
    }
    rangedesc_deinit(&r1);
    kv_response_deinit(&resp);
    buf_deinit(&lo);
    buf_deinit(&hi);
    buf_deinit(&upto);
    return rc;
}

/* The descriptor for key (out initialised by the caller). */
static mice_status lookup(kv_gateway *g, mice_slice key, bool before, uint64_t deadline,
                          range_desc *out, uint64_t *leader, mice_err *err)
{
    *leader = 0;
    /* A split being applied here shrinks the left range before the right one is added,
     * and the directory learns the right one a moment later: a miss is retried until the
     * deadline. */
    uint64_t backoff = KV_GATEWAY_BACKOFF_MIN_MS;
    for (;;) {
        if (local_lookup(g, key, before, out, leader)) return MICE_OK;
        if (cache_lookup(g, key, before, out, leader)) return MICE_OK;
        mice_status rc = directory_lookup(g, key, before, deadline, err);
        if (rc) return rc;
        if (cache_lookup(g, key, before, out, leader)) return MICE_OK;
        if (expired(g, deadline))
            return mice_err_setf(err, MICE_NOTFOUND, "gateway: no range holds the key");
        env_sleep_ns(g->env, backoff * MICE_NS_PER_MS);
        if (backoff < KV_GATEWAY_BACKOFF_MAX_MS) backoff *= 2;
    }
}

/* --- one range: finding its leaseholder ----------------------------------------------------- */

static bool retry_safe(const kv_request *req)
{
    for (size_t i = 0; i < req->n_ops; i++) {
        const kv_op *op = &req->ops[i];
        if (op->kind == KV_OP_END_TXN && op->commit) return false;
        if (!req->txn && op->kind == KV_OP_PUT && op->if_absent) return false;
    }
    return true;
}

/* A failed call that may have reached the remote and been applied. */
static bool call_ambiguous(mice_status rc, const mice_err *e)
{
    if (rc == MICE_TIMEOUT) return true;
    if (rc != MICE_UNAVAILABLE) return false;
    const char *m = mice_err_msg(e);
    return strstr(m, "connection lost") || strstr(m, "restarted");
}

static uint64_t leader_hint(const mice_err *e)
{
    const char *p = strstr(mice_err_msg(e), "leader is node ");
    return p ? strtoull(p + strlen("leader is node "), NULL, 10) : 0;
}

/* Extra call time for a batch that may wait for locks on the remote (writes; readers never
 * wait), so a long lock wait is not mistaken for a dead node. */
static uint64_t lock_wait_ms(const kv_request *req)
{
    bool writes = false;
    for (size_t i = 0; i < req->n_ops; i++)
        writes |= req->ops[i].kind == KV_OP_PUT || req->ops[i].kind == KV_OP_DELETE ||
                  req->ops[i].kind == KV_OP_LOCK;
    if (!writes) return 0;
    if (!req->txn) return KV_LOCK_TIMEOUT_MS_DEFAULT;
    uint64_t t = req->txn->lock_timeout_ms;
    if (t == 0) return KV_LOCK_TIMEOUT_MS_DEFAULT;
    if (t == KV_LOCK_TIMEOUT_NONE) return 3600 * 1000;
    return t;
}

/* Call node with req (payload encoded once, on first use). *called: the call succeeded and
 * the return is the remote kv status (or MICE_CORRUPT for an undecodable answer);
 * otherwise it is the call's own failure. */
static mice_status call_remote(kv_gateway *g, uint64_t node, const kv_request *req,
                               mice_buf *payload, kv_response *resp, uint64_t deadline,
                               bool *called, mice_err *e)
{
    count(g, ST_REMOTE);
    if (!payload->n) kvwire_encode_request(req, payload);
    /* One call gets a third of the deadline (plus lock waits), so a replica that went
     * silent (no reset: a partition, a machine gone) leaves time to try the others. */
    uint64_t left = deadline > now_ms(g) ? deadline - now_ms(g) : 1;
    uint64_t cap = atomic_load(&g->deadline_ms) / 3;
    if (cap < KV_GATEWAY_CALL_MIN_MS) cap = KV_GATEWAY_CALL_MIN_MS;
    if (left > cap) left = cap;
    mice_buf out;
    buf_init(&out);
    mice_status rc = rpc_call_wait(g->t, node, RPCPB__METHOD__METHOD_KV_BATCH, buf_slice(payload),
                                   left + lock_wait_ms(req), &out, e);
    *called = rc == MICE_OK;
    if (rc == MICE_OK) {
        mice_status st;
        mice_err derr;
        if (kvwire_decode_response(buf_slice(&out), &st, e, resp, &derr))
            st = mice_err_setf(e, MICE_CORRUPT, "node %" PRIu64 ": %s", node, mice_err_msg(&derr));
        rc = st;
    }
    buf_deinit(&out);
    return rc;
}

/* Serve req (every op inside d) on d's leaseholder. *reroute: d is stale (the key left the
 * range, or a replica does not hold it): the caller looks the range up again. */
static mice_status range_call(kv_gateway *g, const range_desc *d, uint64_t leader,
                              const kv_request *req, kv_response *resp, uint64_t deadline,
                              bool *reroute, mice_err *err)
{
    *reroute = false;
    uint64_t nodes[RANGEDESC_REPLICAS_MAX];
    size_t n = 0;
    for (uint32_t i = 0; i < d->n_replicas; i++) /* the local replica first */
        if (d->replicas[i].node_id == g->local_node) nodes[n++] = g->local_node;
    for (uint32_t i = 0; i < d->n_replicas; i++)
        if (d->replicas[i].node_id != g->local_node) nodes[n++] = d->replicas[i].node_id;
    bool failed[RANGEDESC_REPLICAS_MAX] = {0};
    size_t next = 0, redirects = 0;
    uint64_t backoff = KV_GATEWAY_BACKOFF_MIN_MS;
    mice_buf payload;
    buf_init(&payload);
    mice_status rc =
        mice_err_setf(err, MICE_UNAVAILABLE, "range %" PRIu64 ": no replica known", d->range_id);
    bool safe = retry_safe(req);
    for (int attempt = 0; n > 0; attempt++) {
        if (attempt > 0 && expired(g, deadline)) {
            mice_err last = *err;
            rc = mice_err_setf(err, MICE_UNAVAILABLE,
                               "range %" PRIu64
                               ": no leaseholder answered before the deadline; last: %s",
                               d->range_id, mice_err_msg(&last));
            break;
        }
        /* Pick: the hinted leader if it is a replica that has not failed, else the next. */
        size_t pick = n;
        for (size_t i = 0; leader && i < n; i++)
            if (nodes[i] == leader && !failed[i]) pick = i;
        if (pick == n) {
            for (size_t k = 0; k < n && pick == n; k++) {
                size_t i = (next + k) % n;
                if (!failed[i]) pick = i;
            }
            if (pick == n) { /* every replica failed once: back off, start over */
                env_sleep_ns(g->env, backoff * MICE_NS_PER_MS);
                if (backoff < KV_GATEWAY_BACKOFF_MAX_MS) backoff *= 2;
                memset(failed, 0, sizeof failed);
                pick = next % n;
            }
            next = pick + 1;
        }
        uint64_t node = nodes[pick];
        leader = 0;
        if (attempt > 0) count(g, ST_RETRIES);
        mice_err e;
        if (node == g->local_node) {
            count(g, ST_LOCAL);
            rc = store_send(g->local, req, resp, &e);
        } else if (!g->t) {
            rc = mice_err_setf(&e, MICE_UNAVAILABLE, "gateway: no rpc transport for node %" PRIu64,
                               node);
        } else {
            bool called = false;
            rc = call_remote(g, node, req, &payload, resp, deadline, &called, &e);
            if (rc == MICE_CORRUPT && called) {
                *err = e;
                break;
            }
            if (called) {
                /* the remote's kv answer, handled below */
            } else if (rc == MICE_CLOSED) { /* our own transport is shutting down */
                *err = e;
                break;
            } else if (call_ambiguous(rc, &e) && !safe) {
                count(g, ST_AMBIG);
                rc = mice_err_setf(err, MICE_TIMEOUT,
                                   "outcome unknown: node %" PRIu64 " failed during the call (%s)",
                                   node, mice_err_msg(&e));
                break;
            } else { /* transport failure: that node is unreachable for now */
                failed[pick] = true;
                *err = e;
                continue;
            }
        }
        *err = e;
        if (rc == MICE_NOT_LEADER) {
            if (strstr(mice_err_msg(&e), "outside the range")) {
                *reroute = true;
                break;
            }
            uint64_t hint = leader_hint(&e);
            bool known = false;
            for (size_t i = 0; i < n; i++) {
                if (nodes[i] != hint || hint == node) continue;
                failed[i] = false; /* news about that node: it may have just won */
                known = true;
            }
            if (known) {
                count(g, ST_REDIRECTS);
                if (++redirects > 2 * n) { /* replicas that disagree: let them settle */
                    env_sleep_ns(g->env, backoff * MICE_NS_PER_MS);
                    if (backoff < KV_GATEWAY_BACKOFF_MAX_MS) backoff *= 2;
                }
                leader = hint;
                cache_note_leader(g, d->range_id, hint);
                continue;
            }
            failed[pick] = true;
            continue;
        }
        if (rc == MICE_CLOSED) { /* that store is stopping */
            failed[pick] = true;
            continue;
        }
        if (rc == MICE_NOTFOUND) { /* no replica of the range there: stale descriptor */
            *reroute = true;
            break;
        }
        break; /* MICE_OK or a kv answer */
    }
    buf_deinit(&payload);
    return rc;
}

/* --- batches ------------------------------------------------------------------------------- */

static mice_slice route_key(const kv_request *req, const kv_op *op)
{
    if (op->kind == KV_OP_END_TXN || op->kind == KV_OP_GC_TXN)
        return req->txn ? req->txn->primary : mice_slice_of(NULL, 0);
    return op->key;
}

static bool is_span_op(const kv_op *op)
{
    return op->kind == KV_OP_SCAN || op->kind == KV_OP_CLEAR_RANGE;
}

/* Does op stay inside d? */
static bool op_fits(const kv_request *req, const kv_op *op, const range_desc *d)
{
    if (!is_span_op(op)) return rangedesc_contains(d, route_key(req, op));
    if (!rangedesc_contains(d, op->key)) return false;
    if (!d->end.n) return true;
    return op->end.n && mice_slice_cmp(op->end, buf_slice(&d->end)) <= 0;
}

static void move_result(kv_result *dst, kv_result *src)
{
    *dst = *src;
    memset(src, 0, sizeof *src);
}

static void append_rows(kv_result *dst, kv_result *src)
{
    for (size_t i = 0; i < src->n_rows; i++)
        kv_result_add_row(dst, buf_slice(&src->rows[i].key), buf_slice(&src->rows[i].value),
                          src->rows[i].expiry_wall_ns);
}

static mice_status send_batch(kv_gateway *g, const kv_request *req, kv_response *resp,
                              uint64_t deadline, mice_err *err);

/* A SCAN or CLEAR_RANGE over as many ranges as it crosses, into res. */
static mice_status send_span_op(kv_gateway *g, const kv_request *req, const kv_op *op,
                                kv_result *res, hlc_ts *write_ts, kv_conflict *conflict,
                                uint64_t deadline, mice_err *err)
{
    mice_buf cur;
    buf_init(&cur);
    bool reverse = op->kind == KV_OP_SCAN && op->reverse;
    buf_append_slice(&cur, reverse ? op->end : op->key);
    size_t remaining = op->limit; /* 0 = no limit */
    range_desc d;
    rangedesc_init(&d);
    mice_status rc = MICE_OK;
    kv_response part;
    kv_response_init(&part);
    for (;;) {
        uint64_t leader = 0;
        rc = lookup(g, buf_slice(&cur), reverse, deadline, &d, &leader, err);
        if (rc) break;
        kv_op p = *op;
        bool clamped;
        if (!reverse) {
            p.key = buf_slice(&cur);
            clamped = d.end.n && (!op->end.n || mice_slice_cmp(op->end, buf_slice(&d.end)) > 0);
            if (clamped) p.end = buf_slice(&d.end);
        } else {
            p.end = buf_slice(&cur);
            clamped = mice_slice_cmp(buf_slice(&d.start), op->key) > 0;
            if (clamped) p.key = buf_slice(&d.start);
        }
        if (op->kind == KV_OP_SCAN) p.limit = remaining;
        kv_request sub = {.txn = req->txn, .ts = req->ts, .ops = &p, .n_ops = 1};
        bool reroute = false;
        rc = range_call(g, &d, leader, &sub, &part, deadline, &reroute, err);
        if (reroute && !expired(g, deadline)) {
            cache_forget(g, d.range_id);
            env_sleep_ns(g->env, KV_GATEWAY_BACKOFF_MIN_MS * MICE_NS_PER_MS);
            continue;
        }
        if (part.n_results) {
            *write_ts = hlc_ts_max(*write_ts, part.write_ts);
            if (part.conflict) *conflict = part.conflict;
        }
        if (rc) break;
        kv_result *pr = &part.results[0];
        append_rows(res, pr);
        if (op->kind != KV_OP_SCAN) {
            res->commit_ts = hlc_ts_max(res->commit_ts, pr->commit_ts);
        } else if (remaining) {
            remaining -= pr->n_rows < remaining ? pr->n_rows : remaining;
        }
        if (pr->more) {
            res->more = true;
            buf_reset(&res->resume_key);
            buf_append_slice(&res->resume_key, buf_slice(&pr->resume_key));
            break;
        }
        if (!clamped) break;
        mice_slice boundary = reverse ? buf_slice(&d.start) : buf_slice(&d.end);
        if (op->kind == KV_OP_SCAN && op->limit && remaining == 0) {
            res->more = true; /* full at a boundary: continue in the next range */
            buf_reset(&res->resume_key);
            buf_append_slice(&res->resume_key, boundary);
            break;
        }
        buf_reset(&cur);
        buf_append_slice(&cur, boundary);
    }
    kv_response_deinit(&part);
    rangedesc_deinit(&d);
    buf_deinit(&cur);
    return rc;
}

/* Split a batch over ranges: point ops grouped by range, span ops one range at a time. */
static mice_status send_split(kv_gateway *g, const kv_request *req, kv_response *resp,
                              uint64_t deadline, mice_err *err)
{
    count(g, ST_SPLITS);
    size_t n = req->n_ops;
    uint64_t *range_of = mice_calloc(n, sizeof *range_of);
    bool *done = mice_calloc(n, sizeof *done);
    kv_op *ops = mice_calloc(n, sizeof *ops);
    size_t *idx = mice_calloc(n, sizeof *idx);
    range_desc d;
    rangedesc_init(&d);
    mice_status rc = MICE_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (is_span_op(&req->ops[i])) continue;
        uint64_t leader;
        rc = lookup(g, route_key(req, &req->ops[i]), false, deadline, &d, &leader, err);
        if (!rc) range_of[i] = d.range_id;
    }
    kv_response_reset(resp, n);
    if (req->txn) resp->write_ts = req->txn->write_ts;
    kv_response part;
    kv_response_init(&part);
    for (size_t i = 0; i < n && !rc; i++) {
        if (done[i]) continue;
        if (is_span_op(&req->ops[i])) {
            rc = send_span_op(g, req, &req->ops[i], &resp->results[i], &resp->write_ts,
                              &resp->conflict, deadline, err);
            done[i] = true;
            continue;
        }
        size_t k = 0; /* every op of i's range, in op order */
        for (size_t j = i; j < n; j++) {
            if (done[j] || is_span_op(&req->ops[j]) || range_of[j] != range_of[i]) continue;
            ops[k] = req->ops[j];
            idx[k++] = j;
            done[j] = true;
        }
        kv_request sub = {.txn = req->txn, .ts = req->ts, .ops = ops, .n_ops = k};
        rc = send_batch(g, &sub, &part, deadline, err);
        if (part.n_results == k) {
            for (size_t j = 0; j < k; j++)
                move_result(&resp->results[idx[j]], &part.results[j]);
        }
        if (rc && part.failed_op < k) resp->failed_op = idx[part.failed_op];
        resp->write_ts = hlc_ts_max(resp->write_ts, part.write_ts);
        if (part.conflict) resp->conflict = part.conflict;
    }
    kv_response_deinit(&part);
    rangedesc_deinit(&d);
    free(range_of);
    free(done);
    free(ops);
    free(idx);
    return rc;
}

static mice_status send_batch(kv_gateway *g, const kv_request *req, kv_response *resp,
                              uint64_t deadline, mice_err *err)
{
    if (req->n_ops == 0) {
        kv_response_reset(resp, 0);
        return MICE_OK;
    }
    range_desc d;
    rangedesc_init(&d);
    mice_status rc;
    for (;;) {
        const kv_op *first = &req->ops[0];
        bool before = first->kind == KV_OP_SCAN && first->reverse;
        uint64_t leader = 0;
        rc = lookup(g, before ? first->end : route_key(req, first), before, deadline, &d, &leader,
                    err);
        if (rc) break;
        bool fits = true;
        for (size_t i = 0; i < req->n_ops && fits; i++)
            fits = op_fits(req, &req->ops[i], &d);
        if (!fits) {
            rc = send_split(g, req, resp, deadline, err);
            break;
        }
        bool reroute = false;
        rc = range_call(g, &d, leader, req, resp, deadline, &reroute, err);
        if (!reroute || expired(g, deadline)) break;
        cache_forget(g, d.range_id);
        env_sleep_ns(g->env, KV_GATEWAY_BACKOFF_MIN_MS * MICE_NS_PER_MS);
    }
    rangedesc_deinit(&d);
    return rc;
}

mice_status kv_gateway_send(kv_gateway *g, const kv_request *req, kv_response *resp, mice_err *err)
{
    count(g, ST_BATCHES);
    mice_err scratch;
    if (!err) err = &scratch; /* the helpers copy messages into *err */
    if (atomic_load(&g->closed)) return mice_err_setf(err, MICE_CLOSED, "gateway: node stopping");
    uint64_t deadline = now_ms(g) + atomic_load(&g->deadline_ms);
    return send_batch(g, req, resp, deadline, err);
}

void kv_gateway_close(kv_gateway *g)
{
    if (g) atomic_store(&g->closed, true);
}

mice_status kv_gateway_range_of(kv_gateway *g, mice_slice key, uint64_t *range_id, mice_buf *start,
                                mice_buf *end, mice_err *err)
{
    mice_err scratch;
    if (!err) err = &scratch;
    range_desc d;
    rangedesc_init(&d);
    uint64_t leader;
    mice_status rc =
        lookup(g, key, false, now_ms(g) + atomic_load(&g->deadline_ms), &d, &leader, err);
    if (!rc) {
        *range_id = d.range_id;
        buf_reset(start);
        buf_reset(end);
        buf_append_slice(start, buf_slice(&d.start));
        buf_append_slice(end, buf_slice(&d.end));
    }
    rangedesc_deinit(&d);
    return rc;
}

/* --- lifecycle -------------------------------------------------------------------------------- */

static mice_status router_send(void *ctx, const kv_request *req, kv_response *resp, mice_err *err)
{
    return kv_gateway_send(ctx, req, resp, err);
}

static mice_status router_range_of(void *ctx, mice_slice key, uint64_t *range_id, mice_buf *start,
                                   mice_buf *end, mice_err *err)
{
    return kv_gateway_range_of(ctx, key, range_id, start, end, err);
}

mice_status kv_gateway_create(store *local, rpc_transport *t, const mice_env *env, kv_gateway **out,
                              mice_err *err)
{
    *out = NULL;
    if (!local && !t)
        return mice_err_setf(err, MICE_INVALID, "gateway: needs a store or an rpc transport");
    kv_gateway *g = mice_calloc(1, sizeof *g);
    g->local = local;
    g->local_node = local ? store_node_id(local) : 0;
    g->t = t;
    g->env = env ? env : mice_env_real();
    atomic_init(&g->deadline_ms, KV_GATEWAY_DEADLINE_MS_DEFAULT);
    pthread_mutex_init(&g->mu, NULL);
    kv_sender_router r = {.send = router_send, .range_of = router_range_of, .ctx = g};
    g->sender = kv_sender_create_routed(&r);
    *out = g;
    return MICE_OK;
}

void kv_gateway_destroy(kv_gateway *g)
{
    if (!g) return;
    kv_sender_destroy(g->sender);
    for (size_t i = 0; i < g->n_cache; i++)
        rangedesc_deinit(&g->cache[i].desc);
    free(g->cache);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

kv_sender *kv_gateway_sender(kv_gateway *g)
{
    return g->sender;
}

void kv_gateway_set_deadline_ms(kv_gateway *g, uint64_t ms)
{
    atomic_store(&g->deadline_ms, ms ? ms : KV_GATEWAY_DEADLINE_MS_DEFAULT);
}

void kv_gateway_add_seed(kv_gateway *g, uint64_t node_id)
{
    pthread_mutex_lock(&g->mu);
    bool have = false;
    for (size_t i = 0; i < g->n_seeds; i++)
        have |= g->seeds[i] == node_id;
    if (!have && node_id && g->n_seeds < KV_GATEWAY_SEEDS_MAX) g->seeds[g->n_seeds++] = node_id;
    pthread_mutex_unlock(&g->mu);
}

kv_gateway_stats kv_gateway_get_stats(kv_gateway *g)
{
    kv_gateway_stats s;
    uint64_t *p = (uint64_t *)&s;
    _Static_assert(sizeof s == ST_N * sizeof(uint64_t), "one slot per stat");
    for (int i = 0; i < ST_N; i++)
        p[i] = atomic_load_explicit(&g->stat[i], memory_order_relaxed);
    return s;
}
