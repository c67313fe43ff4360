/* A node of a replicated cluster (see cluster.h): identity, init, join, the replicated
 * stack, node records and the per-table splits. */
#include "cli/cluster.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/check.h"
#include "base/crc32c.h"
#include "base/log.h"
#include "kv/gateway.h"
#include "kv/keys.h"
#include "kv/placement.h"
#include "kv/kvserver.h"
#include "kv/rangedesc.h"
#include "kv/transport_rpc.h"
#include "rpc/probe.h"
#include "rpc/proto/node.pb-c.h"
#include "rpc/proto/rpc.pb-c.h"
#include "sql/catalog.h"

#define META_IDENT "cluster/ident"
#define META_MEMBERS "cluster/members"
#define META_PENDING_ID "cluster/pending-id"
#define PENDING_PREFIX "pending/"
#define NO_PAYLOAD ((mice_slice){0})

enum {
    WAIT_STEP_MS = 50,
    SWITCH_GRACE_MS = 300,
    PLACEMENT_CHANGES_PER_ROUND = 4, /* lets the last answers of the provisional transport leave */
    PROBE_TIMEOUT_MS = 2000,
    TXN_RETRIES = 20,
    ADDR_MAX = 128,
};

typedef struct member {
    uint64_t id;
    char addr[ADDR_MAX];
} member;

struct cluster {
    cluster_config cfg;
    char *join, *rpc_addr, *sql_addr, *http_addr, *resp_addr; /* owned copies */
    char cluster_id[RPC_CLUSTER_ID_MAX];
    uint64_t node_id;

    pthread_mutex_t mu; /* members, bootstrap */
    member members[CLUSTER_MEMBERS_MAX];
    size_t n_members;
    member initial[CLUSTER_MEMBERS_MAX]; /* the --join list, ids 1..n */
    size_t n_initial;

    rpc_transport *pending_rpc; /* before init */
    atomic_bool bootstrapped;

    hlc *clock;
    rpc_transport *rpc;
    void *ktr; /* kv/transport_rpc.h */
    store *st;
    kv_gateway *gw;
    _Atomic(kv_rpc_server *) ksrv; /* set once serving; read by the io thread's handler */
    _Atomic(txn_db *) db;
    atomic_bool quiesced; /* cluster_quiesce ran: long waits give up */
    uint64_t started_wall_ns;
    uint64_t last_heartbeat_ms;
    mice_buf split_catver; /* maintenance thread: the catalog version splits were made for */
    bool splits_settled;   /* ... and no split was left waiting then */
};

/* ---------------------------------------------------------------- small helpers */

static uint64_t mono_ms(const cluster *c)
{
    return env_mono_ns(c->cfg.env) / MICE_NS_PER_MS;
}

static void sleep_ms(const cluster *c, uint64_t ms)
{
    env_sleep_ns(c->cfg.env, ms * MICE_NS_PER_MS);
}

static bool stopping(const cluster *c)
{
    return c->cfg.stopping && atomic_load(c->cfg.stopping);
}

/* Split "A,B,C" into members with ids 1..n. */
static mice_status parse_join(const char *join, member *out, size_t *n, mice_err *err)
{
    *n = 0;
    const char *p = join;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ') e++;
        if (*n == CLUSTER_MEMBERS_MAX)
            return mice_err_setf(err, MICE_INVALID, "--join: more than %d addresses",
                                 CLUSTER_MEMBERS_MAX);
        if ((size_t)(e - p) >= ADDR_MAX)
            return mice_err_setf(err, MICE_INVALID, "--join: address too long");
        out[*n].id = *n + 1;
        snprintf(out[*n].addr, ADDR_MAX, "%.*s", (int)(e - p), p);
        for (size_t i = 0; i < *n; i++) {
            if (!strcmp(out[i].addr, out[*n].addr))
                return mice_err_setf(err, MICE_INVALID, "--join lists %s twice", out[i].addr);
        }
        (*n)++;
        p = e;
    }
    if (*n == 0) return mice_err_setf(err, MICE_INVALID, "--join: no address");
    return MICE_OK;
}

static void pack_members(const member *m, size_t n, Rpcpb__Members *pb, uint64_t *ids,
                         char **addrs)
{
    for (size_t i = 0; i < n; i++) {
        ids[i] = m[i].id;
        addrs[i] = (char *)m[i].addr;
    }
    pb->n_node_ids = n;
    pb->node_ids = ids;
    pb->n_rpc_addrs = n;
    pb->rpc_addrs = addrs;
}

static size_t unpack_members(const Rpcpb__Members *pb, member *out, size_t cap)
{
    size_t n = 0;
    if (!pb) return 0;
    for (size_t i = 0; i < pb->n_node_ids && i < pb->n_rpc_addrs && n < cap; i++) {
        if (!pb->node_ids[i] || !pb->rpc_addrs[i]) continue;
        out[n].id = pb->node_ids[i];
        snprintf(out[n].addr, ADDR_MAX, "%s", pb->rpc_addrs[i]);
        n++;
    }
    return n;
}

/* ---------------------------------------------------------------- meta (identity) */

static mice_status meta_get(cluster *c, const char *key, mice_buf *v, bool *found, mice_err *err)
{
    return engine_get(c->cfg.eng, STORE_CF_META, NULL, mice_slice_str(key), v, found, err);
}

static mice_status meta_put(cluster *c, const char *key, mice_slice v, mice_err *err)
{
    engine_batch *b = engine_batch_create(c->cfg.eng);
    engine_batch_put(b, STORE_CF_META, mice_slice_str(key), v);
    return engine_batch_commit(b, ENGINE_SYNC, err); /* consumes b */
}

static mice_status save_members(cluster *c, mice_err *err)
{
    uint64_t ids[CLUSTER_MEMBERS_MAX];
    char *addrs[CLUSTER_MEMBERS_MAX];
    Rpcpb__Members pb = RPCPB__MEMBERS__INIT;
    pthread_mutex_lock(&c->mu);
    pack_members(c->members, c->n_members, &pb, ids, addrs);
    mice_buf out;
    buf_init(&out);
    rpc_pack(&pb.base, &out);
    pthread_mutex_unlock(&c->mu);
    mice_status rc = meta_put(c, META_MEMBERS, buf_slice(&out), err);
    buf_deinit(&out);
    return rc;
}

/* The identity: "<cluster id>\0<node id, 8 bytes BE>". */
static mice_status save_ident(cluster *c, mice_err *err)
{
    mice_buf v;
    buf_init(&v);
    buf_append(&v, c->cluster_id, strlen(c->cluster_id) + 1);
    buf_append_be64(&v, c->node_id);
    mice_status rc = save_members(c, err);
    if (!rc) rc = meta_put(c, META_IDENT, buf_slice(&v), err);
    buf_deinit(&v);
    return rc;
}

static mice_status load_ident(cluster *c, bool *found, mice_err *err)
{
    mice_buf v;
    buf_init(&v);
    mice_status rc = meta_get(c, META_IDENT, &v, found, err);
    if (!rc && *found) {
        const uint8_t *nul = memchr(v.p, 0, v.n);
        if (!nul || (size_t)(v.p + v.n - nul) != 9 || (size_t)(nul - v.p) >= RPC_CLUSTER_ID_MAX) {
            rc = mice_err_setf(err, MICE_CORRUPT, "cluster identity in meta is malformed");
        } else {
            snprintf(c->cluster_id, sizeof c->cluster_id, "%s", (const char *)v.p);
            c->node_id = mice_load_be64(nul + 1);
        }
    }
    buf_reset(&v);
    bool have_members = false;
    if (!rc && *found) rc = meta_get(c, META_MEMBERS, &v, &have_members, err);
    if (!rc && have_members) {
        ProtobufCMessage *m = NULL;
        if (rpc_unpack(&rpcpb__members__descriptor, buf_slice(&v), &m, err) == MICE_OK) {
            c->n_members = unpack_members((Rpcpb__Members *)m, c->members, CLUSTER_MEMBERS_MAX);
            rpc_unpacked_free(m);
        }
    }
    buf_deinit(&v);
    return rc;
}

/* Add or update a member; true when something changed. Caller holds mu. */
static bool members_set(cluster *c, uint64_t id, const char *addr)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (c->members[i].id != id) continue;
        if (!strcmp(c->members[i].addr, addr)) return false;
        snprintf(c->members[i].addr, ADDR_MAX, "%s", addr);
        return true;
    }
    if (c->n_members == CLUSTER_MEMBERS_MAX) return false;
    c->members[c->n_members].id = id;
    snprintf(c->members[c->n_members].addr, ADDR_MAX, "%s", addr);
    c->n_members++;
    return true;
}

static void tell_transport_members(cluster *c, rpc_transport *t)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n_members; i++) {
        if (c->members[i].id != c->node_id) rpc_set_peer_addr(t, c->members[i].id, c->members[i].addr);
    }
    pthread_mutex_unlock(&c->mu);
}

/* ---------------------------------------------------------------- bootstrap */

/* Ranges of a new cluster: system, tables, kv on the first CLUSTER_REPLICATION members. */
static mice_status bootstrap_self(cluster *c, const char *cluster_id, mice_err *err)
{
    pthread_mutex_lock(&c->mu);
    mice_status rc = MICE_OK;
    if (atomic_load(&c->bootstrapped)) {
        if (strcmp(c->cluster_id, cluster_id) != 0)
            rc = mice_err_setf(err, MICE_INVALID, "already a member of cluster %s", c->cluster_id);
        pthread_mutex_unlock(&c->mu);
        return rc;
    }
    size_t n_rep = c->n_initial < CLUSTER_REPLICATION ? c->n_initial : CLUSTER_REPLICATION;
    if (c->node_id <= n_rep) {
        uint64_t ids[CLUSTER_REPLICATION];
        for (size_t i = 0; i < n_rep; i++) ids[i] = c->initial[i].id;
        range_desc descs[RANGEDESC_INITIAL_COUNT];
        for (size_t i = 0; i < RANGEDESC_INITIAL_COUNT; i++) rangedesc_init(&descs[i]);
        rc = rangedesc_initial(ids, n_rep, descs);
        if (!rc) {
            rc = store_bootstrap(c->cfg.eng, descs, RANGEDESC_INITIAL_COUNT, err);
            if (rc == MICE_EXISTS) rc = MICE_OK; /* an earlier attempt got this far */
        } else {
            mice_err_setf(err, rc, "cannot lay out the initial ranges");
        }
        for (size_t i = 0; i < RANGEDESC_INITIAL_COUNT; i++) rangedesc_deinit(&descs[i]);
    }
    if (!rc) {
        snprintf(c->cluster_id, sizeof c->cluster_id, "%s", cluster_id);
        c->n_members = 0;
        for (size_t i = 0; i < c->n_initial; i++) members_set(c, c->initial[i].id, c->initial[i].addr);
        pthread_mutex_unlock(&c->mu);
        rc = save_ident(c, err);
        pthread_mutex_lock(&c->mu);
    }
    if (!rc) {
        atomic_store(&c->bootstrapped, true);
        log_info("cluster: bootstrapped as node %" PRIu64 " of cluster %s", c->node_id, cluster_id);
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

typedef struct pending_task {
    cluster *c;
    rpc_request *req;
    mice_buf payload;
} pending_task;

static void bootstrap_task(void *ctx, mice_status st)
{
    pending_task *pt = ctx;
    mice_err err;
    mice_err_clear(&err);
    if (st) {
        rpc_respond(pt->req, MICE_CLOSED, NULL, NO_PAYLOAD);
    } else {
        ProtobufCMessage *m = NULL;
        st = rpc_unpack(&rpcpb__bootstrap__descriptor, buf_slice(&pt->payload), &m, &err);
        const Rpcpb__Bootstrap *b = (const Rpcpb__Bootstrap *)m;
        if (!st && (!b->cluster_id || !b->cluster_id[0] ||
                    strlen(b->cluster_id) >= RPC_CLUSTER_ID_MAX))
            st = mice_err_setf(&err, MICE_INVALID, "bootstrap without a cluster id");
        if (!st) st = bootstrap_self(pt->c, b->cluster_id, &err);
        rpc_unpacked_free(m);
        rpc_respond(pt->req, st, &err, NO_PAYLOAD);
    }
    buf_deinit(&pt->payload);
    free(pt);
}

/* The cluster id an init on this node uses: the one kept by an earlier attempt, else new. */
static mice_status choose_cluster_id(cluster *c, char *out, size_t cap, mice_err *err)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_status rc = meta_get(c, META_PENDING_ID, &v, &found, err);
    if (!rc && found && v.n > 0 && v.n < cap) {
        snprintf(out, cap, "%.*s", (int)v.n, (const char *)v.p);
    } else if (!rc) {
        snprintf(out, cap, "micedb-%016" PRIx64 "%016" PRIx64, env_entropy(c->cfg.env),
                 env_entropy(c->cfg.env));
        rc = meta_put(c, META_PENDING_ID, mice_slice_str(out), err);
    }
    buf_deinit(&v);
    return rc;
}

static void init_task(void *ctx, mice_status st)
{
    pending_task *pt = ctx;
    cluster *c = pt->c;
    mice_err err;
    mice_err_clear(&err);
    char cid[RPC_CLUSTER_ID_MAX];
    if (st) {
        rpc_respond(pt->req, MICE_CLOSED, NULL, NO_PAYLOAD);
        goto out;
    }
    if ((st = choose_cluster_id(c, cid, sizeof cid, &err))) goto respond;
    log_info("cluster: init requested; bootstrapping cluster %s on %zu initial member(s)", cid,
             c->n_initial);
    uint64_t ids[CLUSTER_MEMBERS_MAX];
    char *addrs[CLUSTER_MEMBERS_MAX];
    Rpcpb__Members mem = RPCPB__MEMBERS__INIT;
    pack_members(c->initial, c->n_initial, &mem, ids, addrs);
    Rpcpb__Bootstrap b = RPCPB__BOOTSTRAP__INIT;
    b.cluster_id = cid;
    b.members = &mem;
    mice_buf payload;
    buf_init(&payload);
    rpc_pack(&b.base, &payload);
    for (size_t i = 0; i < c->n_initial && !st; i++) {
        if (c->initial[i].id == c->node_id) continue;
        uint64_t deadline = mono_ms(c) + 30000;
        for (;;) {
            mice_buf resp;
            buf_init(&resp);
            st = rpc_call_wait(c->pending_rpc, c->initial[i].id, RPCPB__METHOD__METHOD_NODE_BOOTSTRAP,
                               buf_slice(&payload), CLUSTER_CALL_TIMEOUT_MS, &resp, &err);
            buf_deinit(&resp);
            if (!st || mono_ms(c) > deadline || stopping(c)) break;
            if (st != MICE_UNAVAILABLE && st != MICE_TIMEOUT) break;
            sleep_ms(c, 200);
        }
        if (st) {
            char msg[MICE_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", mice_err_msg(&err));
            mice_err_setf(&err, st, "node %" PRIu64 " (%s) did not bootstrap: %s", c->initial[i].id,
                          c->initial[i].addr, msg);
        }
    }
    buf_deinit(&payload);
    if (!st) st = bootstrap_self(c, cid, &err);
respond:
    if (st) log_warn("cluster: init failed: %s", mice_err_msg(&err));
    rpc_respond(pt->req, st, &err, st ? NO_PAYLOAD : mice_slice_str(cid));
out:
    buf_deinit(&pt->payload);
    free(pt);
}

static void submit(cluster *c, rpc_request *req, workpool_fn fn)
{
    pending_task *pt = calloc(1, sizeof *pt);
    mice_assert(pt);
    pt->c = c;
    pt->req = req;
    buf_init(&pt->payload);
    mice_slice p = rpc_request_payload(req);
    buf_append(&pt->payload, p.p, p.n);
    if (workpool_submit(c->cfg.pool, fn, pt) != MICE_OK) {
        rpc_respond(req, MICE_BUSY, NULL, NO_PAYLOAD);
        buf_deinit(&pt->payload);
        free(pt);
    }
}

static void pending_on_request(void *ctx, rpc_request *req)
{
    cluster *c = ctx;
    switch (rpc_request_method(req)) {
    case RPCPB__METHOD__METHOD_NODE_INIT: submit(c, req, init_task); return;
    case RPCPB__METHOD__METHOD_NODE_BOOTSTRAP: submit(c, req, bootstrap_task); return;
    default: {
        mice_err err;
        mice_err_setf(&err, MICE_UNAVAILABLE, "node %" PRIu64 " waits for `micedb init`",
                      c->node_id);
        rpc_respond(req, MICE_UNAVAILABLE, &err, NO_PAYLOAD);
    }
    }
}

static void pending_cluster_id(const cluster *c, char *out, size_t cap)
{
    snprintf(out, cap, PENDING_PREFIX "%08x", crc32c(c->join, strlen(c->join)));
}

/* A fresh initial member: serve init/bootstrap until bootstrapped. */
static mice_status wait_for_init(cluster *c, mice_err *err)
{
    char pid[RPC_CLUSTER_ID_MAX];
    pending_cluster_id(c, pid, sizeof pid);
    rpc_config rc;
    rpc_config_init(&rc, c->node_id, pid);
    rc.listen_addr = c->rpc_addr;
    rc.on_request = pending_on_request;
    rc.handler_ctx = c;
    rc.env = c->cfg.env;
    mice_status st = rpc_transport_create(c->cfg.loop, &rc, &c->pending_rpc, err);
    if (st) return st;
    for (size_t i = 0; i < c->n_initial; i++) {
        if (c->initial[i].id != c->node_id)
            rpc_set_peer_addr(c->pending_rpc, c->initial[i].id, c->initial[i].addr);
    }
    log_info("cluster: node %" PRIu64 " of %zu waits for `micedb init --rpc %s`", c->node_id,
             c->n_initial, c->rpc_addr);
    while (!atomic_load(&c->bootstrapped) && !stopping(c)) sleep_ms(c, WAIT_STEP_MS);
    if (atomic_load(&c->bootstrapped)) sleep_ms(c, SWITCH_GRACE_MS);
    rpc_transport_destroy(c->pending_rpc);
    c->pending_rpc = NULL;
    if (!atomic_load(&c->bootstrapped)) return mice_err_setf(err, MICE_CLOSED, "stopped before init");
    return MICE_OK;
}

/* ---------------------------------------------------------------- join */

static mice_status join_via(cluster *c, const char *addr, bool *retry, mice_err *err)
{
    *retry = true;
    rpc_probe_result pr;
    mice_status st = rpc_probe(addr, PROBE_TIMEOUT_MS, &pr, err);
    if (st) return st;
    if (!strncmp(pr.cluster_id, PENDING_PREFIX, strlen(PENDING_PREFIX)))
        return mice_err_setf(err, MICE_UNAVAILABLE, "%s is not initialized yet", addr);
    rpc_config rc;
    uint64_t temp_id = (1ull << 62) | (env_entropy(c->cfg.env) & 0xffffffffull);
    rpc_config_init(&rc, temp_id, pr.cluster_id);
    rc.env = c->cfg.env;
    rpc_transport *t = NULL;
    if ((st = rpc_transport_create(c->cfg.loop, &rc, &t, err))) return st;
    rpc_set_peer_addr(t, pr.node_id, addr);
    Rpcpb__JoinRequest jr = RPCPB__JOIN_REQUEST__INIT;
    jr.rpc_addr = c->rpc_addr;
    mice_buf payload, resp;
    buf_init(&payload);
    buf_init(&resp);
    rpc_pack(&jr.base, &payload);
    st = rpc_call_wait(t, pr.node_id, RPCPB__METHOD__METHOD_NODE_JOIN, buf_slice(&payload),
                       CLUSTER_CALL_TIMEOUT_MS, &resp, err);
    rpc_transport_destroy(t);
    if (!st) {
        ProtobufCMessage *m = NULL;
        st = rpc_unpack(&rpcpb__join_response__descriptor, buf_slice(&resp), &m, err);
        const Rpcpb__JoinResponse *j = (const Rpcpb__JoinResponse *)m;
        if (!st && (!j->node_id || !j->cluster_id || strlen(j->cluster_id) >= RPC_CLUSTER_ID_MAX))
            st = mice_err_setf(err, MICE_CORRUPT, "malformed join answer");
        if (!st) {
            c->node_id = j->node_id;
            snprintf(c->cluster_id, sizeof c->cluster_id, "%s", j->cluster_id);
            pthread_mutex_lock(&c->mu);
            c->n_members = unpack_members(j->members, c->members, CLUSTER_MEMBERS_MAX);
            members_set(c, c->node_id, c->rpc_addr);
            pthread_mutex_unlock(&c->mu);
            st = save_ident(c, err);
        }
        rpc_unpacked_free(m);
    }
    buf_deinit(&payload);
    buf_deinit(&resp);
    return st;
}

static mice_status join_cluster(cluster *c, mice_err *err)
{
    log_info("cluster: %s is not in --join: joining the running cluster", c->rpc_addr);
    uint64_t last_log = 0;
    for (size_t attempt = 0; !stopping(c); attempt++) {
        const char *addr = c->initial[attempt % c->n_initial].addr;
        bool retry = false;
        mice_err e;
        mice_err_clear(&e);
        mice_status st = join_via(c, addr, &retry, &e);
        if (!st) {
            log_info("cluster: joined cluster %s as node %" PRIu64, c->cluster_id, c->node_id);
            return MICE_OK;
        }
        if (mono_ms(c) - last_log > 5000) {
            log_warn("cluster: join via %s: %s (retrying)", addr, mice_err_msg(&e));
            last_log = mono_ms(c);
        }
        if (!retry) return mice_err_setf(err, st, "%s", mice_err_msg(&e));
        sleep_ms(c, 250);
    }
    return mice_err_setf(err, MICE_CLOSED, "stopped before joining");
}

/* ---------------------------------------------------------------- transactions */

/* Run fn in a fresh transaction, retrying conflicts. */
typedef mice_status (*txn_fn)(txn *t, void *ctx, mice_err *err);

static mice_status with_txn(txn_db *db, txn_fn fn, void *ctx, mice_err *err)
{
    mice_status st = MICE_OK;
    for (int i = 0; i < TXN_RETRIES; i++) {
        txn *t = txn_begin(db, TXN_SERIALIZABLE);
        st = fn(t, ctx, err);
        if (!st) st = txn_commit(t, err);
        txn_destroy(t);
        if (st != MICE_AGAIN && st != MICE_CONFLICT && st != MICE_ABORTED) return st;
    }
    return st;
}

typedef struct counter_call {
    mice_buf key;
    uint64_t floor; /* the first value handed out is floor + 1 */
    uint64_t got;
} counter_call;

static mice_status counter_next(txn *t, void *ctx, mice_err *err)
{
    counter_call *cc = ctx;
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_status st = txn_get_for_update(t, buf_slice(&cc->key), &v, &found, err);
    uint64_t cur = cc->floor;
    if (!st && found && v.n == 8) cur = mice_load_be64(v.p);
    if (cur < cc->floor) cur = cc->floor;
    cc->got = cur + 1;
    buf_reset(&v);
    buf_append_be64(&v, cc->got);
    if (!st) st = txn_put(t, buf_slice(&cc->key), buf_slice(&v), err);
    buf_deinit(&v);
    return st;
}

static mice_status next_id(txn_db *db, void (*keyfn)(mice_buf *), uint64_t floor, uint64_t *out,
                           mice_err *err)
{
    counter_call cc = {.floor = floor};
    buf_init(&cc.key);
    keyfn(&cc.key);
    mice_status st = with_txn(db, counter_next, &cc, err);
    buf_deinit(&cc.key);
    *out = cc.got;
    return st;
}

typedef bool (*row_fn)(void *ctx, const kv_row *row);

/* Every row of [start, end) at a fresh snapshot. */
static mice_status scan_all(txn_db *db, mice_slice start, mice_slice end, row_fn fn, void *ctx,
                            mice_err *err)
{
    txn *t = txn_begin(db, TXN_READ_COMMITTED);
    txn_scan *sc = NULL;
    mice_status st = txn_scan_open(t, start, end, false, 0, &sc);
    bool more = true;
    while (!st && more) {
        const kv_row *rows = NULL;
        size_t n = 0;
        st = txn_scan_next(sc, 0, &rows, &n, err);
        if (st || n == 0) break;
        for (size_t i = 0; i < n && more; i++) more = fn(ctx, &rows[i]);
    }
    txn_scan_close(sc);
    if (st) txn_rollback(t, NULL);
    else st = txn_commit(t, err);
    txn_destroy(t);
    return st;
}

/* ---------------------------------------------------------------- join (serving side) */

static void join_task(void *ctx, mice_status st)
{
    pending_task *pt = ctx;
    cluster *c = pt->c;
    mice_err err;
    mice_err_clear(&err);
    txn_db *db = atomic_load(&c->db);
    ProtobufCMessage *m = NULL;
    if (st) {
        st = mice_err_setf(&err, MICE_CLOSED, "stopping");
    } else if (!db) {
        st = mice_err_setf(&err, MICE_UNAVAILABLE, "node %" PRIu64 " is still starting", c->node_id);
    } else {
        st = rpc_unpack(&rpcpb__join_request__descriptor, buf_slice(&pt->payload), &m, &err);
    }
    const Rpcpb__JoinRequest *jr = (const Rpcpb__JoinRequest *)m;
    if (!st && (!jr->rpc_addr || !jr->rpc_addr[0] || strlen(jr->rpc_addr) >= ADDR_MAX))
        st = mice_err_setf(&err, MICE_INVALID, "join without an rpc address");
    uint64_t id = 0;
    if (!st) st = next_id(db, keys_node_id_gen, c->n_initial, &id, &err);
    mice_buf out;
    buf_init(&out);
    if (!st) {
        pthread_mutex_lock(&c->mu);
        members_set(c, id, jr->rpc_addr);
        uint64_t ids[CLUSTER_MEMBERS_MAX];
        char *addrs[CLUSTER_MEMBERS_MAX];
        Rpcpb__Members mem = RPCPB__MEMBERS__INIT;
        pack_members(c->members, c->n_members, &mem, ids, addrs);
        Rpcpb__JoinResponse r = RPCPB__JOIN_RESPONSE__INIT;
        r.node_id = id;
        r.cluster_id = c->cluster_id;
        r.members = &mem;
        rpc_pack(&r.base, &out);
        pthread_mutex_unlock(&c->mu);
        rpc_set_peer_addr(c->rpc, id, jr->rpc_addr);
        log_info("cluster: node %" PRIu64 " (%s) joins", id, jr->rpc_addr);
    }
    rpc_unpacked_free(m);
    rpc_respond(pt->req, st, &err, buf_slice(&out));
    buf_deinit(&out);
    buf_deinit(&pt->payload);
    free(pt);
}

/* ---------------------------------------------------------------- replica changes */

static void change_task(void *ctx, mice_status st)
{
    pending_task *pt = ctx;
    cluster *c = pt->c;
    mice_err err;
    mice_err_clear(&err);
    ProtobufCMessage *m = NULL;
    mice_buf out;
    buf_init(&out);
    if (st) st = mice_err_setf(&err, MICE_CLOSED, "stopping");
    if (!st) st = rpc_unpack(&rpcpb__change_replicas__descriptor, buf_slice(&pt->payload), &m, &err);
    const Rpcpb__ChangeReplicas *cr = (const Rpcpb__ChangeReplicas *)m;
    if (!st && cr->op != STORE_REPLICA_ADD && cr->op != STORE_REPLICA_REMOVE)
        st = mice_err_setf(&err, MICE_INVALID, "unknown replica change %u", cr->op);
    if (!st) {
        range_desc d;
        rangedesc_init(&d);
        st = store_change_replicas(c->st, cr->range_id, (store_replica_op)cr->op, cr->node_id, &d,
                                   &err);
        if (!st) rangedesc_encode(&d, &out);
        rangedesc_deinit(&d);
    }
    rpc_unpacked_free(m);
    rpc_respond(pt->req, st, &err, buf_slice(&out));
    buf_deinit(&out);
    buf_deinit(&pt->payload);
    free(pt);
}

/* rpc_call, waited for in short steps so that a stopping node gives up at once. */
static mice_status call_interruptible(cluster *c, uint64_t node, uint32_t method,
                                      mice_slice payload, uint64_t timeout_ms, mice_buf *out,
                                      mice_err *err)
{
    mice_future *f = rpc_call(c->rpc, node, method, payload, timeout_ms);
    void *value = NULL;
    mice_status st;
    for (;;) {
        st = future_wait(f, (uint64_t)WAIT_STEP_MS * MICE_NS_PER_MS, &value, err);
        if (st != MICE_TIMEOUT || future_is_done(f)) break;
        if (stopping(c) || atomic_load(&c->quiesced)) {
            st = mice_err_setf(err, MICE_CLOSED, "the node is stopping");
            break;
        }
    }
    future_release(f);
    if (st == MICE_OK && value) {
        mice_buf *b = value;
        buf_append(out, b->p, b->n);
    }
    if (value) rpc_payload_free(value);
    return st;
}

/* Ask node to carry out the change (it must hold the range's lease). */
static mice_status change_remote(cluster *c, uint64_t node, const placement_change *ch,
                                 range_desc *out, mice_err *err)
{
    Rpcpb__ChangeReplicas cr = RPCPB__CHANGE_REPLICAS__INIT;
    cr.range_id = ch->range_id;
    cr.op = ch->op == PLACEMENT_ADD ? STORE_REPLICA_ADD : STORE_REPLICA_REMOVE;
    cr.node_id = ch->node_id;
    mice_buf payload, resp;
    buf_init(&payload);
    buf_init(&resp);
    rpc_pack(&cr.base, &payload);
    mice_status st = call_interruptible(c, node, RPCPB__METHOD__METHOD_CHANGE_REPLICAS,
                                        buf_slice(&payload), 60000, &resp, err);
    if (!st && out) {
        mice_slice in = buf_slice(&resp);
        if (rangedesc_decode(&in, out) != MICE_OK)
            st = mice_err_setf(err, MICE_CORRUPT, "malformed descriptor from node %" PRIu64, node);
    }
    buf_deinit(&payload);
    buf_deinit(&resp);
    return st;
}

/* store_change_fn for the placement step: here when this node holds the range's lease,
 * else on the leader this node knows of, else on each member in turn. */
static mice_status change_replicas(void *ctx, const placement_change *ch, range_desc *out,
                                   mice_err *err)
{
    cluster *c = ctx;
    store_replica_op op = ch->op == PLACEMENT_ADD ? STORE_REPLICA_ADD : STORE_REPLICA_REMOVE;
    mice_status st = store_change_replicas(c->st, ch->range_id, op, ch->node_id, out, err);
    if (st != MICE_NOT_LEADER && st != MICE_NOTFOUND) return st;
    store_range_info info;
    uint64_t leader = 0;
    if (store_range_info_get(c->st, ch->range_id, &info) == MICE_OK) {
        leader = info.leader_node;
        rangedesc_deinit(&info.desc);
    }
    if (leader && leader != c->node_id) {
        st = change_remote(c, leader, ch, out, err);
        if (st != MICE_NOT_LEADER && st != MICE_NOTFOUND) return st;
    }
    member ms[CLUSTER_MEMBERS_MAX];
    pthread_mutex_lock(&c->mu);
    size_t n = c->n_members;
    memcpy(ms, c->members, n * sizeof *ms);
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < n; i++) {
        if (ms[i].id == c->node_id || ms[i].id == leader) continue;
        st = change_remote(c, ms[i].id, ch, out, err);
        if (st != MICE_NOT_LEADER && st != MICE_NOTFOUND && st != MICE_UNAVAILABLE) return st;
    }
    return st;
}

/* ---------------------------------------------------------------- running */

static void on_request(void *ctx, rpc_request *req)
{
    cluster *c = ctx;
    mice_err err;
    switch (rpc_request_method(req)) {
    case RPCPB__METHOD__METHOD_KV_BATCH:
        kv_rpc_server *ksrv = atomic_load(&c->ksrv);
        if (ksrv) {
            kv_rpc_server_on_request(ksrv, req);
            return;
        }
        mice_err_setf(&err, MICE_UNAVAILABLE, "node %" PRIu64 " is starting", c->node_id);
        rpc_respond(req, MICE_UNAVAILABLE, &err, NO_PAYLOAD);
        return;
    case RPCPB__METHOD__METHOD_NODE_JOIN: submit(c, req, join_task); return;
    case RPCPB__METHOD__METHOD_CHANGE_REPLICAS: submit(c, req, change_task); return;
    case RPCPB__METHOD__METHOD_NODE_INIT:
        mice_err_setf(&err, MICE_EXISTS, "the cluster is already initialized (%s)", c->cluster_id);
        rpc_respond(req, MICE_EXISTS, &err, NO_PAYLOAD);
        return;
    case RPCPB__METHOD__METHOD_NODE_BOOTSTRAP: submit(c, req, bootstrap_task); return;
    default:
        mice_err_setf(&err, MICE_UNSUPPORTED, "unknown method %u", rpc_request_method(req));
        rpc_respond(req, MICE_UNSUPPORTED, &err, NO_PAYLOAD);
    }
}

static void on_request_stopped(void *ctx, rpc_request *req)
{
    (void)ctx;
    mice_err err;
    mice_err_setf(&err, MICE_CLOSED, "the node is stopping");
    rpc_respond(req, MICE_CLOSED, &err, NO_PAYLOAD);
}

/* The replicas' pusher (kv/replica.h): a PUSH_TXN through this node's gateway, which
 * exists before any request is served (the kv server starts after it). */
static mice_status push_txn(void *ctx, const kv_txn_push *p, kv_txn_pushed *out, mice_err *err)
{
    cluster *c = ctx;
    if (!c->gw) return mice_err_setf(err, MICE_UNAVAILABLE, "the gateway is not running yet");
    return kv_sender_push_txn(kv_gateway_sender(c->gw), p, out, err);
}


static mice_status start_running(cluster *c, mice_err *err)
{
    c->clock = hlc_create(c->cfg.env, 0);
    rpc_config rc;
    rpc_config_init(&rc, c->node_id, c->cluster_id);
    rc.listen_addr = c->rpc_addr;
    rc.on_request = on_request;
    rc.handler_ctx = c;
    rc.env = c->cfg.env;
    mice_status st = rpc_transport_create(c->cfg.loop, &rc, &c->rpc, err);
    if (st) return st;
    tell_transport_members(c, c->rpc);
    kv_transport kt;
    if ((st = kv_transport_rpc_create(c->rpc, &kt, &c->ktr, err))) return st;
    store_config sc;
    store_config_init(&sc, c->node_id, c->cfg.eng, c->clock, kt);
    sc.env = c->cfg.env;
    sc.join = true;
    sc.txn_pusher = (kv_txn_pusher){.push = push_txn, .ctx = c};
    if ((st = store_open(&sc, &c->st, err))) return st;
    if ((st = kv_gateway_create(c->st, c->rpc, c->cfg.env, &c->gw, err))) return st;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n_members; i++) {
        if (c->members[i].id != c->node_id) kv_gateway_add_seed(c->gw, c->members[i].id);
    }
    pthread_mutex_unlock(&c->mu);
    kv_rpc_server *ksrv = NULL;
    if ((st = kv_rpc_server_start(c->rpc, c->st, c->cfg.pool, &ksrv, err))) return st;
    atomic_store(&c->ksrv, ksrv);
    /* The kv server answers METHOD_KV_BATCH; membership calls come here first. */
    rpc_set_request_handler(c->rpc, on_request, c);
    c->started_wall_ns = env_wall_ns(c->cfg.env);
    log_info("cluster: node %" PRIu64 " serving cluster %s on rpc %s", c->node_id, c->cluster_id,
             c->rpc_addr);
    return MICE_OK;
}

mice_status cluster_start(const cluster_config *cfg, cluster **out, mice_err *err)
{
    *out = NULL;
    cluster *c = calloc(1, sizeof *c);
    mice_assert(c);
    c->cfg = *cfg;
    c->join = strdup(cfg->join);
    c->rpc_addr = strdup(cfg->rpc_addr);
    c->sql_addr = strdup(cfg->sql_addr ? cfg->sql_addr : "");
    c->http_addr = strdup(cfg->http_addr ? cfg->http_addr : "");
    c->resp_addr = strdup(cfg->resp_addr ? cfg->resp_addr : "");
    if (!c->cfg.dead_after_ms) c->cfg.dead_after_ms = CLUSTER_DEAD_AFTER_MS;
    pthread_mutex_init(&c->mu, NULL);
    buf_init(&c->split_catver);
    atomic_init(&c->db, NULL);
    mice_status st = parse_join(c->join, c->initial, &c->n_initial, err);
    bool found = false;
    if (!st) st = load_ident(c, &found, err);
    if (!st && found) {
        atomic_store(&c->bootstrapped, true);
        log_info("cluster: node %" PRIu64 " of cluster %s (restarting)", c->node_id, c->cluster_id);
    } else if (!st) {
        for (size_t i = 0; i < c->n_initial; i++) {
            if (!strcmp(c->initial[i].addr, c->rpc_addr)) c->node_id = c->initial[i].id;
        }
        st = c->node_id ? wait_for_init(c, err) : join_cluster(c, err);
    }
    if (!st) st = start_running(c, err);
    if (st) {
        cluster_stop(c);
        cluster_destroy(c);
        return st;
    }
    *out = c;
    return MICE_OK;
}

uint64_t cluster_node_id(const cluster *c)
{
    return c->node_id;
}

const char *cluster_id(const cluster *c)
{
    return c->cluster_id;
}

kv_sender *cluster_sender(cluster *c)
{
    return kv_gateway_sender(c->gw);
}

hlc *cluster_clock(cluster *c)
{
    return c->clock;
}

store *cluster_store(cluster *c)
{
    return c->st;
}

/* ---------------------------------------------------------------- node records */

static mice_status write_record(cluster *c, txn_db *db, mice_err *err)
{
    Rpcpb__NodeRecord r = RPCPB__NODE_RECORD__INIT;
    r.node_id = c->node_id;
    r.rpc_addr = c->rpc_addr;
    r.sql_addr = c->sql_addr;
    r.http_addr = c->http_addr;
    r.resp_addr = c->resp_addr;
    r.started_wall_ns = c->started_wall_ns;
    r.heartbeat_wall_ns = env_wall_ns(c->cfg.env);
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    keys_node(&key, c->node_id);
    rpc_pack(&r.base, &v);
    mice_status st = txn_db_put(db, buf_slice(&key), buf_slice(&v), 0, err);
    buf_deinit(&key);
    buf_deinit(&v);
    return st;
}

mice_status cluster_attach_db(cluster *c, txn_db *db, mice_err *err)
{
    atomic_store(&c->db, db);
    uint64_t last_log = mono_ms(c);
    for (;;) {
        mice_err e;
        mice_err_clear(&e);
        mice_status st = write_record(c, db, &e);
        if (!st) break;
        if (stopping(c)) return mice_err_setf(err, MICE_CLOSED, "stopped while registering");
        if (mono_ms(c) - last_log > 5000) {
            log_warn("cluster: cannot write node %" PRIu64 "'s record yet: %s (is a majority up?)",
                     c->node_id, mice_err_msg(&e));
            last_log = mono_ms(c);
        }
        sleep_ms(c, 200);
    }
    c->last_heartbeat_ms = mono_ms(c);
    return MICE_OK;
}

typedef struct record_list {
    Rpcpb__NodeRecord *recs[CLUSTER_MEMBERS_MAX];
    size_t n;
} record_list;

static bool collect_record(void *ctx, const kv_row *row)
{
    record_list *l = ctx;
    ProtobufCMessage *m = NULL;
    mice_err e;
    if (rpc_unpack(&rpcpb__node_record__descriptor, buf_slice(&row->value), &m, &e) != MICE_OK)
        return true;
    if (l->n == CLUSTER_MEMBERS_MAX) {
        rpc_unpacked_free(m);
        return false;
    }
    l->recs[l->n++] = (Rpcpb__NodeRecord *)m;
    return true;
}

static void records_free(record_list *l)
{
    for (size_t i = 0; i < l->n; i++) rpc_unpacked_free(&l->recs[i]->base);
    l->n = 0;
}

static mice_status load_records(txn_db *db, record_list *l, mice_err *err)
{
    l->n = 0;
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    keys_sys_prefix(&lo, KEYS_SYS_NODE);
    keys_prefix_span(buf_slice(&lo), &lo, &hi);
    mice_buf start;
    buf_init(&start);
    buf_append(&start, lo.p, lo.n);
    mice_status st = scan_all(db, buf_slice(&start), buf_slice(&hi), collect_record, l, err);
    buf_deinit(&start);
    buf_deinit(&lo);
    buf_deinit(&hi);
    return st;
}

static bool record_live(const cluster *c, const Rpcpb__NodeRecord *r, uint64_t now_wall_ns)
{
    if (r->node_id == c->node_id) return true;
    return r->heartbeat_wall_ns + (uint64_t)CLUSTER_LIVE_MS * MICE_NS_PER_MS > now_wall_ns;
}

/* Learn every member's rpc address from the records. */
static void learn_members(cluster *c, const record_list *l)
{
    bool changed = false;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < l->n; i++) {
        const Rpcpb__NodeRecord *r = l->recs[i];
        if (r->node_id && r->rpc_addr && r->rpc_addr[0] && strlen(r->rpc_addr) < ADDR_MAX)
            changed |= members_set(c, r->node_id, r->rpc_addr);
    }
    pthread_mutex_unlock(&c->mu);
    if (!changed) return;
    tell_transport_members(c, c->rpc);
    mice_err e;
    if (save_members(c, &e)) log_warn("cluster: cannot save the member list: %s", mice_err_msg(&e));
}

/* ---------------------------------------------------------------- splits per table */

typedef struct table_ids {
    uint32_t *ids;
    size_t n, cap;
    mice_arena *arena;
    char **names; /* parallel to ids, in arena */
} table_ids;

static bool collect_table(void *ctx, const kv_row *row)
{
    table_ids *t = ctx;
    catalog_desc *d = NULL;
    if (catalog_desc_decode(buf_slice(&row->value), t->arena, &d) != MICE_OK) return true;
    if (d->kind != CATALOG_TABLE) return true;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->ids = realloc(t->ids, t->cap * sizeof *t->ids);
        t->names = realloc(t->names, t->cap * sizeof *t->names);
        mice_assert(t->ids && t->names);
    }
    t->ids[t->n] = d->id;
    t->names[t->n] = (char *)d->name;
    t->n++;
    return true;
}

static mice_status load_tables(txn_db *db, table_ids *t, mice_err *err)
{
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    mice_buf prefix;
    buf_init(&prefix);
    keys_sys_prefix(&prefix, KEYS_SYS_DESC);
    keys_prefix_span(buf_slice(&prefix), &lo, &hi);
    mice_status st = scan_all(db, buf_slice(&lo), buf_slice(&hi), collect_table, t, err);
    buf_deinit(&prefix);
    buf_deinit(&lo);
    buf_deinit(&hi);
    return st;
}

static void table_ids_free(table_ids *t)
{
    free(t->ids);
    free(t->names);
    arena_destroy(t->arena);
    *t = (table_ids){0};
}

static mice_status put_directory(txn_db *db, uint64_t range_id, store *st, mice_err *err)
{
    store_range_info info;
    mice_status rc = store_range_info_get(st, range_id, &info);
    if (rc) return mice_err_setf(err, rc, "range %" PRIu64 " is gone", range_id);
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    rangedesc_dir_key(&key, buf_slice(&info.desc.start));
    rangedesc_encode(&info.desc, &v);
    rc = txn_db_put(db, buf_slice(&key), buf_slice(&v), 0, err);
    buf_deinit(&key);
    buf_deinit(&v);
    rangedesc_deinit(&info.desc);
    return rc;
}

/* Give table id its own range if it has none yet: split the range holding its first key
 * where this node holds that range's lease. True when nothing is left to do here (the
 * range exists, or the node has no replica to look at); false while the split waits for
 * its leaseholder or failed. */
static bool split_for_table(cluster *c, txn_db *db, uint32_t id, const char *name)
{
    mice_buf key;
    buf_init(&key);
    keys_table_prefix(&key, id);
    bool settled = true;
    uint64_t rid = store_range_for_key(c->st, buf_slice(&key));
    store_range_info info;
    if (rid && store_range_info_get(c->st, rid, &info) == MICE_OK) {
        bool needed = !mice_slice_eq(buf_slice(&info.desc.start), buf_slice(&key));
        bool mine = info.lease_valid;
        rangedesc_deinit(&info.desc);
        settled = !needed;
        mice_err err;
        mice_err_clear(&err);
        uint64_t new_id = 0;
        if (!needed || !mine) {
            /* nothing to do here */
        } else if (next_id(db, keys_range_id_gen, CLUSTER_FIRST_SPLIT_RANGE_ID - 1, &new_id,
                           &err)) {
            log_warn("cluster: cannot allocate a range id: %s", mice_err_msg(&err));
        } else if (store_split(c->st, buf_slice(&key), new_id, &err)) {
            log_warn("cluster: split for table %u: %s", id, mice_err_msg(&err));
        } else {
            log_info("cluster: split range %" PRIu64 " for table %s (id %u): new range %" PRIu64,
                     rid, name, id, new_id);
            if (put_directory(db, rid, c->st, &err) || put_directory(db, new_id, c->st, &err))
                log_warn("cluster: range directory update after split: %s", mice_err_msg(&err));
            settled = true;
        }
    }
    buf_deinit(&key);
    return settled;
}

/* Every table its own range. The catalog is listed again only after a DDL changed its
 * version, or while a split it needs has not been seen here yet. */
static void split_tables(cluster *c, txn_db *db)
{
    mice_err err;
    mice_err_clear(&err);
    mice_buf key, ver;
    buf_init(&key);
    buf_init(&ver);
    keys_catalog_version(&key);
    bool found = false;
    mice_status rc = txn_db_get(db, buf_slice(&key), &ver, &found, &err);
    buf_deinit(&key);
    if (!rc && c->splits_settled && mice_slice_eq(buf_slice(&ver), buf_slice(&c->split_catver))) {
        buf_deinit(&ver);
        return;
    }
    table_ids t = {.arena = arena_create(NULL, "cluster", 0)};
    bool settled = rc == MICE_OK;
    if (load_tables(db, &t, &err)) {
        log_warn("cluster: cannot list tables for splitting: %s", mice_err_msg(&err));
        settled = false;
    }
    for (size_t i = 0; i < t.n && !stopping(c); i++)
        settled &= split_for_table(c, db, t.ids[i], t.names[i]);
    table_ids_free(&t);
    c->splits_settled = settled;
    buf_reset(&c->split_catver);
    buf_append_slice(&c->split_catver, buf_slice(&ver));
    buf_deinit(&ver);
}

/* Where this node holds range 1's lease: the placement driver, a few changes per call,
 * with liveness from the node records. */
static void place_replicas(cluster *c, const record_list *l)
{
    store_range_info info;
    if (store_range_info_get(c->st, RANGEDESC_SYSTEM_RANGE_ID, &info) != MICE_OK) return;
    bool mine = info.lease_valid;
    rangedesc_deinit(&info.desc);
    if (!mine) return;
    placement_node nodes[CLUSTER_MEMBERS_MAX];
    uint64_t now = env_wall_ns(c->cfg.env);
    for (size_t i = 0; i < l->n; i++) {
        const Rpcpb__NodeRecord *r = l->recs[i];
        bool live = record_live(c, r, now);
        uint64_t since = r->heartbeat_wall_ns + (uint64_t)CLUSTER_LIVE_MS * MICE_NS_PER_MS;
        nodes[i] = (placement_node){
            .node_id = r->node_id,
            .live = live,
            .down_ms = live || now < since ? 0 : (now - since) / MICE_NS_PER_MS};
    }
    /* A member whose record is not readable yet (it is starting, or its first heartbeat
     * has not landed) is not dead: missing from the list it would count as dead. */
    size_t n = l->n;
    pthread_mutex_lock(&c->mu);
    for (size_t m = 0; m < c->n_members && n < CLUSTER_MEMBERS_MAX; m++) {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++) known = nodes[i].node_id == c->members[m].id;
        if (!known) nodes[n++] = (placement_node){.node_id = c->members[m].id, .live = false};
    }
    pthread_mutex_unlock(&c->mu);
    placement_config pc;
    placement_config_init(&pc);
    pc.replication_factor = CLUSTER_REPLICATION;
    pc.dead_timeout_ms = c->cfg.dead_after_ms;
    for (int k = 0; k < PLACEMENT_CHANGES_PER_ROUND && !stopping(c); k++) {
        placement_change done;
        mice_err err;
        mice_err_clear(&err);
        mice_status st = store_placement_step(c->st, nodes, n, &pc, change_replicas, c, &done, &err);
        if (st == MICE_OK && done.op == PLACEMENT_NONE) return;
        mice_buf what;
        buf_init(&what);
        placement_describe(&done, &what);
        if (st)
            log_warn("placement: %.*s: %s", (int)what.n, (const char *)what.p, mice_err_msg(&err));
        else
            log_info("placement: %.*s", (int)what.n, (const char *)what.p);
        buf_deinit(&what);
        if (st) return;
    }
}

void cluster_maintain(cluster *c)
{
    txn_db *db = atomic_load(&c->db);
    if (!db || stopping(c)) return;
    mice_err err;
    mice_err_clear(&err);
    if (mono_ms(c) - c->last_heartbeat_ms >= CLUSTER_HEARTBEAT_MS) {
        if (write_record(c, db, &err) == MICE_OK) c->last_heartbeat_ms = mono_ms(c);
    }
    record_list l;
    if (load_records(db, &l, &err) == MICE_OK) {
        learn_members(c, &l);
        place_replicas(c, &l);
    }
    records_free(&l);
    split_tables(c, db);
}

/* ---------------------------------------------------------------- JSON */

mice_status cluster_nodes_json(cluster *c, json_t **out, mice_err *err)
{
    *out = NULL;
    txn_db *db = atomic_load(&c->db);
    if (!db) return mice_err_setf(err, MICE_UNAVAILABLE, "starting");
    record_list l;
    mice_status st = load_records(db, &l, err);
    if (st) return st;
    uint64_t now = env_wall_ns(c->cfg.env);
    json_t *a = json_array();
    for (size_t i = 0; i < l.n; i++) {
        const Rpcpb__NodeRecord *r = l.recs[i];
        uint64_t age_ms = now > r->heartbeat_wall_ns ? (now - r->heartbeat_wall_ns) / MICE_NS_PER_MS : 0;
        json_array_append_new(
            a, json_pack("{sI ss ss ss ss sb sI}", "id", (json_int_t)r->node_id, "sql_addr",
                         r->sql_addr ? r->sql_addr : "", "rpc_addr", r->rpc_addr ? r->rpc_addr : "",
                         "http_addr", r->http_addr ? r->http_addr : "", "resp_addr",
                         r->resp_addr ? r->resp_addr : "", "live", record_live(c, r, now),
                         "heartbeat_age_ms", (json_int_t)age_ms));
    }
    records_free(&l);
    *out = a;
    return MICE_OK;
}

/* The table a key starts (a table's first key, /t/<id>), or 0. */
static uint64_t key_table(mice_slice k)
{
    uint64_t id = 0;
    return keys_decode_table_id(k, &id) == MICE_OK ? id : 0;
}

/* "/min" (the start of the key space), "/max" (its end), "/sys", "/t", "/t/<id>", "/kv",
 * else hex. */
static json_t *key_json(mice_slice k, bool is_end)
{
    mice_buf b;
    buf_init(&b);
    uint64_t table = key_table(k);
    if (k.n == 0) {
        buf_append_str(&b, is_end ? "/max" : "/min");
    } else if (k.n == 1 && k.p[0] == KEYS_NS_SYSTEM) {
        buf_append_str(&b, "/sys");
    } else if (k.n == 1 && k.p[0] == KEYS_NS_TABLE) {
        buf_append_str(&b, "/t");
    } else if (k.n == 1 && k.p[0] == KEYS_NS_KV) {
        buf_append_str(&b, "/kv");
    } else if (table) {
        buf_printf(&b, "/t/%" PRIu64, table);
    } else {
        for (size_t i = 0; i < k.n; i++) buf_printf(&b, "%02x", k.p[i]);
    }
    json_t *s = json_stringn((const char *)b.p, b.n);
    buf_deinit(&b);
    return s;
}

typedef struct range_list {
    range_desc *descs;
    size_t n, cap;
} range_list;

static bool collect_range(void *ctx, const kv_row *row)
{
    range_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->descs = realloc(l->descs, l->cap * sizeof *l->descs);
        mice_assert(l->descs);
    }
    range_desc *d = &l->descs[l->n];
    rangedesc_init(d);
    mice_slice in = buf_slice(&row->value);
    if (rangedesc_decode(&in, d) != MICE_OK) {
        rangedesc_deinit(d);
        return true;
    }
    l->n++;
    return true;
}

mice_status cluster_ranges_json(cluster *c, json_t **out, mice_err *err)
{
    *out = NULL;
    txn_db *db = atomic_load(&c->db);
    if (!db) return mice_err_setf(err, MICE_UNAVAILABLE, "starting");
    range_list l = {0};
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    rangedesc_dir_span(&lo, &hi);
    mice_status st = scan_all(db, buf_slice(&lo), buf_slice(&hi), collect_range, &l, err);
    buf_deinit(&lo);
    buf_deinit(&hi);
    table_ids t = {.arena = arena_create(NULL, "cluster", 0)};
    if (!st) st = load_tables(db, &t, err);
    json_t *a = st ? NULL : json_array();
    for (size_t i = 0; i < l.n && a; i++) {
        const range_desc *d = &l.descs[i];
        json_t *o = json_object();
        json_object_set_new(o, "range_id", json_integer((json_int_t)d->range_id));
        json_object_set_new(o, "start_key", key_json(buf_slice(&d->start), false));
        json_object_set_new(o, "end_key", key_json(buf_slice(&d->end), true));
        json_t *table = json_null();
        uint64_t tid = key_table(buf_slice(&d->start));
        if (tid) {
            for (size_t k = 0; k < t.n; k++) {
                if (t.ids[k] == tid) {
                    json_decref(table);
                    table = json_string(t.names[k]);
                }
            }
        }
        json_object_set_new(o, "table", table);
        json_t *reps = json_array();
        for (size_t r = 0; r < d->n_replicas; r++)
            json_array_append_new(reps, json_integer((json_int_t)d->replicas[r].node_id));
        json_object_set_new(o, "replicas", reps);
        store_range_info info;
        json_t *lh = json_null();
        json_t *term = json_null();
        if (store_range_info_get(c->st, d->range_id, &info) == MICE_OK) {
            uint64_t leader = info.role == RAFT_LEADER ? c->node_id : info.leader_node;
            if (leader) {
                json_decref(lh);
                lh = json_integer((json_int_t)leader);
            }
            json_decref(term);
            term = json_integer((json_int_t)info.term);
            rangedesc_deinit(&info.desc);
        }
        json_object_set_new(o, "leaseholder", lh);
        json_object_set_new(o, "term", term);
        json_array_append_new(a, o);
    }
    for (size_t i = 0; i < l.n; i++) rangedesc_deinit(&l.descs[i]);
    free(l.descs);
    table_ids_free(&t);
    *out = a;
    return st;
}

/* ---------------------------------------------------------------- stop */

void cluster_quiesce(cluster *c)
{
    if (!c) return;
    atomic_store(&c->quiesced, true);
    kv_gateway_close(c->gw);
    if (c->st) store_stop(c->st);
}

void cluster_stop(cluster *c)
{
    if (!c) return;
    cluster_quiesce(c);
    atomic_store(&c->db, NULL);
    if (c->rpc) rpc_set_request_handler(c->rpc, on_request_stopped, c);
    kv_rpc_server_stop(atomic_exchange(&c->ksrv, NULL));
    rpc_transport_destroy(c->rpc);
    c->rpc = NULL;
}

void cluster_destroy(cluster *c)
{
    if (!c) return;
    kv_gateway_destroy(c->gw);
    store_close(c->st);
    kv_transport_rpc_destroy(c->ktr);
    hlc_destroy(c->clock);
    pthread_mutex_destroy(&c->mu);
    buf_deinit(&c->split_catver);
    free(c->join);
    free(c->rpc_addr);
    free(c->sql_addr);
    free(c->http_addr);
    free(c->resp_addr);
    free(c);
}

/* ---------------------------------------------------------------- micedb init */

mice_status cluster_init_remote(const char *rpc_addr, uint64_t timeout_ms, char *cluster_id_out,
                                size_t cap, mice_err *err)
{
    const mice_env *env = mice_env_real();
    uint64_t deadline = env_mono_ns(env) / MICE_NS_PER_MS + timeout_ms;
    rpc_probe_result pr;
    mice_status st;
    for (;;) { /* the node may still be starting */
        st = rpc_probe(rpc_addr, PROBE_TIMEOUT_MS, &pr, err);
        if (!st || env_mono_ns(env) / MICE_NS_PER_MS > deadline) break;
        env_sleep_ns(env, 200 * (uint64_t)MICE_NS_PER_MS);
    }
    if (st) return st;
    if (strncmp(pr.cluster_id, PENDING_PREFIX, strlen(PENDING_PREFIX)) != 0)
        return mice_err_setf(err, MICE_EXISTS, "the cluster is already initialized (%s)",
                             pr.cluster_id);
    ioloop *loop = NULL;
    if ((st = ioloop_start("init", &loop, err))) return st;
    rpc_config rc;
    rpc_config_init(&rc, (1ull << 62) | (env_entropy(env) & 0xffffffffull), pr.cluster_id);
    rpc_transport *t = NULL;
    st = rpc_transport_create(loop, &rc, &t, err);
    mice_buf resp;
    buf_init(&resp);
    if (!st) st = rpc_set_peer_addr(t, pr.node_id, rpc_addr);
    if (!st)
        st = rpc_call_wait(t, pr.node_id, RPCPB__METHOD__METHOD_NODE_INIT, NO_PAYLOAD,
                           timeout_ms, &resp, err);
    rpc_transport_destroy(t);
    ioloop_stop(loop);
    ioloop_destroy(loop);
    if (!st) {
        snprintf(cluster_id_out, cap, "%.*s", (int)resp.n, (const char *)resp.p);
    } else if (st == MICE_UNAVAILABLE || st == MICE_CLOSED) {
        /* The node may have switched to the new cluster before our answer left: look. */
        mice_err e;
        if (rpc_probe(rpc_addr, PROBE_TIMEOUT_MS, &pr, &e) == MICE_OK &&
            strncmp(pr.cluster_id, PENDING_PREFIX, strlen(PENDING_PREFIX)) != 0) {
            snprintf(cluster_id_out, cap, "%s", pr.cluster_id);
            st = MICE_OK;
        }
    }
    buf_deinit(&resp);
    return st;
}
