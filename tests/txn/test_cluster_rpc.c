/* Three nodes in one process wired as a real cluster: each has its own io loop and
 * rpc_transport on 127.0.0.1 (an ephemeral port), a kv_transport over it (Raft between the
 * stores, snapshots streamed in chunks), a kv server answering "kv.batch" on a worker
 * pool, and a gateway under a txn_db. Ranges: the three of rangedesc_initial with three
 * replicas each, then the kv range split at /kv/m (ranges 3 and 4).
 *
 * Checked: a transaction on node 3 writing keys of two ranges (leases on node 1, so every
 * request crosses the network) commits and node 1 and 2 read it; scans across the range
 * boundary return every row in order, forward, reverse and in pages; a node restarted
 * after the log was truncated catches up by a chunked snapshot over RPC; a malformed
 * kv.batch payload is an error, not a crash; the leaseholder's store and transport
 * stopped, writes through another node succeed after the re-election; intents whose
 * records live in another range are settled by PUSH_TXN over RPC.
 * These tests live under tests/txn because they need txn_db (tests/kv links only the kv
 * layer). No timing thresholds: waits are bounded by deadlines only. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/env.h"
#include "base/ioloop.h"
#include "base/prng.h"
#include "base/workpool.h"
#include "kv/gateway.h"
#include "kv/keys.h"
#include "kv/kvserver.h"
#include "kv/store.h"
#include "kv/transport_rpc.h"
#include "rpc/proto/rpc.pb-c.h"
#include "rpc/transport.h"
#include "storage/mvcc.h"
#include "txn/support/txn_test.h"
#include "txn/txn.h"

enum {
    NODES = 3,
    TICK_MS = 10,
    WAIT_MS = 15000,
    KV_RANGE = 3,    /* [/kv, /kv/m) after the split */
    RIGHT_RANGE = 4, /* [/kv/m, max) */
};

static const char *CLUSTER = "test-cluster-rpc";

typedef struct node {
    uint64_t id;
    char *dir;
    engine *e;
    ioloop *loop;
    rpc_transport *t;
    kv_transport kt;
    void *kt_impl;
    store *s;
    workpool *pool;
    kv_rpc_server *srv;
    kv_gateway *gw;
    txn_db *db;
    bool up;
    atomic_int pushes; /* PUSH_TXNs its replicas sent through its gateway */
} node;

typedef struct cluster {
    hlc *clock;
    node n[NODES];
} cluster;

static cluster C;

static uint64_t now_ms(void)
{
    return env_mono_ns(mice_env_real()) / MICE_NS_PER_MS;
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

static void kv_key(mice_buf *out, const char *user_key)
{
    buf_reset(out);
    keys_kv(out, mice_slice_str(user_key));
}

/* --- nodes ------------------------------------------------------------------------------------ */

/* The replicas' pusher, as micedb's cluster wires it: a PUSH_TXN through the gateway. */
static mice_status node_push(void *ctx, const kv_txn_push *p, kv_txn_pushed *out, mice_err *err)
{
    node *n = ctx;
    if (!n->gw) return mice_err_setf(err, MICE_UNAVAILABLE, "no gateway yet");
    atomic_fetch_add(&n->pushes, 1);
    return kv_sender_push_txn(kv_gateway_sender(n->gw), p, out, err);
}

static void store_start(node *n)
{
    store_config cfg;
    store_config_init(&cfg, n->id, n->e, C.clock, n->kt);
    cfg.tick_ms = TICK_MS;
    cfg.election_ticks = 10;
    cfg.heartbeat_ticks = 1;
    cfg.seed = 500 + n->id;
    cfg.log_keep_entries = 5; /* a node that misses a few writes needs a snapshot */
    cfg.log_truncate_slack = 5;
    cfg.txn_pusher = (kv_txn_pusher){.push = node_push, .ctx = n};
    mice_err err;
    mice_status rc = store_open(&cfg, &n->s, &err);
    if (rc) fprintf(stderr, "store_open: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
}

static void serving_start(node *n)
{
    workpool_config wc = {.threads = 4, .name = "kvsrv"};
    assert_int_equal(workpool_create(&wc, &n->pool, NULL), MICE_OK);
    assert_int_equal(kv_rpc_server_start(n->t, n->s, n->pool, &n->srv, NULL), MICE_OK);
    assert_int_equal(kv_gateway_create(n->s, n->t, mice_env_real(), &n->gw, NULL), MICE_OK);
    for (int i = 0; i < NODES; i++)
        kv_gateway_add_seed(n->gw, (uint64_t)i + 1);
    txn_db_config dc;
    txn_db_config_init(&dc);
    dc.clock = C.clock;
    dc.sender = kv_gateway_sender(n->gw);
    dc.lock_timeout_ms = 5000;
    assert_int_equal(txn_db_create(n->e, mice_env_real(), &dc, &n->db, NULL), MICE_OK);
}

static void serving_stop(node *n)
{
    store_stop(n->s); /* fails requests waiting on the store, so the server drains */
    kv_rpc_server_stop(n->srv);
    n->srv = NULL;
    workpool_destroy(n->pool);
    n->pool = NULL;
    txn_db_destroy(n->db);
    n->db = NULL;
    kv_gateway_destroy(n->gw);
    n->gw = NULL;
}

static void node_start(node *n)
{
    char name[16];
    snprintf(name, sizeof name, "io%" PRIu64, n->id);
    assert_int_equal(ioloop_start(name, &n->loop, NULL), MICE_OK);
    rpc_config rc;
    rpc_config_init(&rc, n->id, CLUSTER);
    rc.listen_addr = "127.0.0.1:0";
    rc.backoff_initial_ms = 20;
    rc.backoff_max_ms = 200;
    /* Small frames and peer queues (3 MiB): a snapshot of several MiB must be paced. */
    rc.frame_bytes_max = 3 << 20;
    rc.peer_queue_bytes_max = 3 << 20;
    mice_err err;
    assert_int_equal(rpc_transport_create(n->loop, &rc, &n->t, &err), MICE_OK);
    assert_int_equal(kv_transport_rpc_create(n->t, &n->kt, &n->kt_impl, &err), MICE_OK);
    store_start(n);
    serving_start(n);
    n->up = true;
}

/* Everything of the node but its engine and directory goes. rpc_first: the rpc transport
 * is destroyed before the kv transport over it (the order micedb's cluster stop uses). */
static void node_stop_order(node *n, bool rpc_first)
{
    if (!n->up) return;
    serving_stop(n);
    if (rpc_first) {
        rpc_transport_destroy(n->t);
        store_close(n->s);
        kv_transport_rpc_destroy(n->kt_impl);
    } else {
        store_close(n->s);
        kv_transport_rpc_destroy(n->kt_impl);
        rpc_transport_destroy(n->t);
    }
    n->s = NULL;
    n->kt_impl = NULL;
    n->t = NULL;
    ioloop_destroy(n->loop);
    n->loop = NULL;
    n->up = false;
}

static void node_stop(node *n)
{
    node_stop_order(n, false);
}

static void introduce_all(void)
{
    for (int i = 0; i < NODES; i++) {
        for (int j = 0; j < NODES; j++) {
            if (i == j || !C.n[i].up || !C.n[j].up) continue;
            char addr[64];
            snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(C.n[j].t));
            assert_int_equal(rpc_set_peer_addr(C.n[i].t, C.n[j].id, addr), MICE_OK);
        }
    }
}

/* The node holding a valid lease on range_id, or -1 by the deadline. */
static int wait_leaseholder(uint64_t range_id)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    do {
        for (int i = 0; i < NODES; i++) {
            if (!C.n[i].up) continue;
            store_range_info info;
            mice_status rc = store_range_info_get(C.n[i].s, range_id, &info);
            bool lease = rc == MICE_OK && info.lease_valid;
            if (rc == MICE_OK) rangedesc_deinit(&info.desc);
            if (lease) return i;
        }
        sleep_ms(5);
    } while (now_ms() < deadline);
    return -1;
}

static void lease_to(uint64_t range_id, int i)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        store_range_info info;
        assert_int_equal(store_range_info_get(C.n[i].s, range_id, &info), MICE_OK);
        bool mine = info.lease_valid;
        rangedesc_deinit(&info.desc);
        if (mine) return;
        assert_true(now_ms() < deadline);
        (void)store_transfer_leader(C.n[i].s, range_id, C.n[i].id);
        sleep_ms(20);
    }
}

static int cluster_setup(void **state)
{
    (void)state;
    memset(&C, 0, sizeof C);
    C.clock = hlc_create(mice_env_real(), 0);
    uint64_t ids[NODES] = {1, 2, 3};
    range_desc d[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&d[i]);
    assert_int_equal(rangedesc_initial(ids, NODES, d), MICE_OK);
    for (int i = 0; i < NODES; i++) {
        node *n = &C.n[i];
        n->id = ids[i];
        n->dir = tt_tmpdir("cluster-rpc");
        engine_config ec;
        mvcc_config_init(&ec, n->dir);
        assert_int_equal(engine_open(&ec, &n->e, NULL), MICE_OK);
        assert_int_equal(store_bootstrap(n->e, d, RANGEDESC_INITIAL_COUNT, NULL), MICE_OK);
    }
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&d[i]);
    for (int i = 0; i < NODES; i++)
        node_start(&C.n[i]);
    introduce_all();
    /* Split the kv range at /kv/m on its leaseholder; wait until every node applied it. */
    mice_buf k;
    buf_init(&k);
    kv_key(&k, "m");
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        int lh = wait_leaseholder(KV_RANGE);
        assert_true(lh >= 0);
        mice_err err;
        mice_status rc = store_split(C.n[lh].s, buf_slice(&k), RIGHT_RANGE, &err);
        if (rc == MICE_OK) break;
        assert_true(rc == MICE_NOT_LEADER && now_ms() < deadline);
        sleep_ms(10);
    }
    for (int i = 0; i < NODES; i++) {
        while (store_range_for_key(C.n[i].s, buf_slice(&k)) != RIGHT_RANGE) {
            assert_true(now_ms() < deadline);
            sleep_ms(5);
        }
    }
    buf_deinit(&k);
    /* The split's two halves in the range directory (a split does not write it yet), as
     * one-shot PUTs through a gateway, which finds range 1's leaseholder. */
    for (uint64_t r = KV_RANGE; r <= RIGHT_RANGE; r++) {
        store_range_info info;
        assert_int_equal(store_range_info_get(C.n[0].s, r, &info), MICE_OK);
        mice_buf dk, dv;
        buf_init(&dk);
        buf_init(&dv);
        rangedesc_dir_key(&dk, buf_slice(&info.desc.start));
        rangedesc_encode(&info.desc, &dv);
        kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&dk), .value = buf_slice(&dv)};
        kv_request req = {.ops = &op, .n_ops = 1};
        kv_response resp;
        kv_response_init(&resp);
        assert_int_equal(kv_gateway_send(C.n[2].gw, &req, &resp, NULL), MICE_OK);
        kv_response_deinit(&resp);
        buf_deinit(&dk);
        buf_deinit(&dv);
        rangedesc_deinit(&info.desc);
    }
    return 0;
}

static int cluster_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NODES; i++) {
        node_stop(&C.n[i]);
        engine_close(C.n[i].e);
        tt_rmtree_free(C.n[i].dir);
    }
    hlc_destroy(C.clock);
    return 0;
}

/* --- helpers -----------------------------------------------------------------------------------
 */

static mice_status db_get(txn_db *db, const char *user_key, char *out, size_t cap, bool *found)
{
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    kv_key(&k, user_key);
    mice_err err;
    mice_status rc = txn_db_get(db, buf_slice(&k), &v, found, &err);
    if (rc) fprintf(stderr, "get %s: %s\n", user_key, mice_err_msg(&err));
    if (!rc && *found) snprintf(out, cap, "%.*s", (int)v.n, (const char *)v.p);
    buf_deinit(&k);
    buf_deinit(&v);
    return rc;
}

static void expect_val(txn_db *db, const char *user_key, const char *want)
{
    char got[128] = "";
    bool found = false;
    assert_int_equal(db_get(db, user_key, got, sizeof got, &found), MICE_OK);
    assert_true(found);
    assert_string_equal(got, want);
}

static mice_status db_put(txn_db *db, const char *user_key, const char *value)
{
    mice_buf k;
    buf_init(&k);
    kv_key(&k, user_key);
    mice_err err;
    mice_status rc = txn_db_put(db, buf_slice(&k), mice_slice_str(value), 0, &err);
    if (rc) fprintf(stderr, "put %s: %s\n", user_key, mice_err_msg(&err));
    buf_deinit(&k);
    return rc;
}

static mice_status txn_put_str(txn *t, const char *user_key, const char *value)
{
    mice_buf k;
    buf_init(&k);
    kv_key(&k, user_key);
    mice_err err;
    mice_status rc = txn_put(t, buf_slice(&k), mice_slice_str(value), &err);
    if (rc) fprintf(stderr, "txn put %s: %s\n", user_key, mice_err_msg(&err));
    buf_deinit(&k);
    return rc;
}

/* Every user key of the kv namespace in [from, to) through db's scan, pages of page rows. */
static size_t scan_keys(txn_db *db, const char *from, const char *to, bool reverse, size_t limit,
                        size_t page, char keys[][8], size_t cap)
{
    mice_buf s, e;
    buf_init(&s);
    buf_init(&e);
    kv_key(&s, from);
    kv_key(&e, to);
    txn *t = txn_begin(db, TXN_REPEATABLE_READ);
    txn_scan *sc = NULL;
    assert_int_equal(txn_scan_open(t, buf_slice(&s), buf_slice(&e), reverse, limit, &sc), MICE_OK);
    size_t n = 0;
    for (;;) {
        const kv_row *rows;
        size_t got;
        mice_err err;
        mice_status rc = txn_scan_next(sc, page, &rows, &got, &err);
        if (rc) fprintf(stderr, "scan: %s\n", mice_err_msg(&err));
        assert_int_equal(rc, MICE_OK);
        if (!got) break;
        for (size_t i = 0; i < got; i++) {
            mice_slice user;
            assert_true(keys_kv_user_key(buf_slice(&rows[i].key), &user));
            assert_true(n < cap);
            snprintf(keys[n++], 8, "%.*s", (int)user.n, (const char *)user.p);
        }
    }
    txn_scan_close(sc);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    buf_deinit(&s);
    buf_deinit(&e);
    return n;
}

/* --- tests
 * ---------------------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Median microseconds of n one-shot writes through db (for the log; nothing asserted). */
static uint64_t median_put_us(txn_db *db, int n)
{
    uint64_t *us = calloc((size_t)n, sizeof *us);
    assert_non_null(us);
    for (int i = 0; i < n; i++) {
        char key[16];
        snprintf(key, sizeof key, "lat%03d", i);
        uint64_t t0 = env_mono_ns(mice_env_real());
        assert_int_equal(db_put(db, key, "x"), MICE_OK);
        us[i] = (env_mono_ns(mice_env_real()) - t0) / MICE_NS_PER_US;
    }
    qsort(us, (size_t)n, sizeof *us, cmp_u64);
    uint64_t m = us[n / 2];
    free(us);
    return m;
}

static void test_cross_range_txn(void **state)
{
    (void)state;
    /* Leases of both kv ranges on node 1: node 3's requests all cross the network. */
    lease_to(KV_RANGE, 0);
    lease_to(RIGHT_RANGE, 0);
    kv_gateway_stats before = kv_gateway_get_stats(C.n[2].gw);
    txn *t = txn_begin(C.n[2].db, TXN_REPEATABLE_READ);
    assert_int_equal(txn_put_str(t, "b-left", "one"), MICE_OK);  /* range 3 (the primary) */
    assert_int_equal(txn_put_str(t, "x-right", "two"), MICE_OK); /* range 4 */
    assert_int_equal(txn_put_str(t, "c-left", "three"), MICE_OK);
    mice_err err;
    mice_status rc = txn_commit(t, &err);
    if (rc) fprintf(stderr, "commit: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    txn_destroy(t);
    kv_gateway_stats after = kv_gateway_get_stats(C.n[2].gw);
    printf("node 3 gateway: %" PRIu64 " remote calls, %" PRIu64 " local, %" PRIu64
           " redirects for one cross-range transaction\n",
           after.remote_calls - before.remote_calls, after.local_sends - before.local_sends,
           after.redirects - before.redirects);
    assert_true(after.remote_calls > before.remote_calls);
    printf("median synced one-shot write: %" PRIu64 " us on the leaseholder's node, %" PRIu64
           " us forwarded from node 3\n",
           median_put_us(C.n[0].db, 30), median_put_us(C.n[2].db, 30));
    kv_transport_rpc_stats ks = kv_transport_rpc_get_stats(C.n[0].kt_impl);
    printf("node 1 transport: %" PRIu64 " heartbeat tuples in %" PRIu64 " node messages, %" PRIu64
           " raft messages\n",
           ks.hb_tuples, ks.hb_messages, ks.msgs_sent);
    assert_true(ks.hb_tuples > 0 && ks.hb_messages > 0 && ks.hb_messages <= ks.hb_tuples);
    for (int i = 0; i < 2; i++) { /* node 1 (leaseholder) and node 2 (forwards) read it */
        expect_val(C.n[i].db, "b-left", "one");
        expect_val(C.n[i].db, "x-right", "two");
        expect_val(C.n[i].db, "c-left", "three");
    }
    /* A later transaction overwrites both sides and aborts: nothing of it is visible and
     * its intents are gone (a one-shot write of the same keys does not wait for locks). */
    t = txn_begin(C.n[2].db, TXN_READ_COMMITTED);
    assert_int_equal(txn_put_str(t, "b-left", "nope"), MICE_OK);
    assert_int_equal(txn_put_str(t, "x-right", "nope"), MICE_OK);
    assert_int_equal(txn_rollback(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_val(C.n[1].db, "b-left", "one");
    expect_val(C.n[1].db, "x-right", "two");
    assert_int_equal(db_put(C.n[1].db, "x-right", "two-b"), MICE_OK);
    expect_val(C.n[0].db, "x-right", "two-b");
    /* Two transactions from different gateways over the same keys, one after the other. */
    txn *a = txn_begin(C.n[2].db, TXN_REPEATABLE_READ);
    assert_int_equal(txn_put_str(a, "c-left", "a"), MICE_OK);
    assert_int_equal(txn_put_str(a, "y-right", "a"), MICE_OK);
    assert_int_equal(txn_commit(a, NULL), MICE_OK);
    txn_destroy(a);
    txn *b = txn_begin(C.n[1].db, TXN_REPEATABLE_READ);
    assert_int_equal(txn_put_str(b, "y-right", "b"), MICE_OK);
    assert_int_equal(txn_commit(b, NULL), MICE_OK);
    txn_destroy(b);
    expect_val(C.n[2].db, "y-right", "b");
    expect_val(C.n[2].db, "c-left", "a");
}

/* Intents in range 4 whose records are in range 3, the two leases on different nodes, so
 * node 1 serving range 4 learns the state of each transaction with a PUSH_TXN over RPC to
 * node 2: a live pending one is invisible to readers and not aborted by a writer (which
 * times out), then commits; a committed one whose coordinator never resolved (raw kv
 * requests: intents, the COMMITTED record, nothing else) is visible and rolled forward. */
static mice_status txn_get_str(txn *t, const char *user_key, bool *found)
{
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    kv_key(&k, user_key);
    mice_err err;
    mice_status rc = txn_get(t, buf_slice(&k), &v, found, &err);
    if (rc) fprintf(stderr, "txn get %s: %s\n", user_key, mice_err_msg(&err));
    buf_deinit(&k);
    buf_deinit(&v);
    return rc;
}

/* Write skew across two ranges: each SERIALIZABLE transaction reads both keys and writes
 * the one in its own range. The second to commit read a key of the OTHER range that the
 * first changed, which only a validation in that range can see: it must fail (40001). */
static void test_serializable_reads_validated_in_every_range(void **state)
{
    (void)state;
    assert_int_equal(db_put(C.n[0].db, "b-skew", "1"), MICE_OK); /* range 3 */
    assert_int_equal(db_put(C.n[0].db, "x-skew", "1"), MICE_OK); /* range 4 */
    txn *t1 = txn_begin(C.n[1].db, TXN_SERIALIZABLE);
    txn *t2 = txn_begin(C.n[2].db, TXN_SERIALIZABLE);
    bool found = false;
    assert_int_equal(txn_get_str(t1, "b-skew", &found), MICE_OK);
    assert_int_equal(txn_get_str(t1, "x-skew", &found), MICE_OK);
    assert_int_equal(txn_get_str(t2, "b-skew", &found), MICE_OK);
    assert_int_equal(txn_get_str(t2, "x-skew", &found), MICE_OK);
    assert_int_equal(txn_put_str(t1, "b-skew", "0"), MICE_OK); /* t1's primary: range 3 */
    assert_int_equal(txn_put_str(t2, "x-skew", "0"), MICE_OK); /* t2's primary: range 4 */
    mice_err err;
    mice_status rc = txn_commit(t1, &err);
    if (rc) fprintf(stderr, "t1 commit: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    rc = txn_commit(t2, &err);
    assert_int_equal(rc, MICE_CONFLICT);
    txn_destroy(t1);
    txn_destroy(t2);
    expect_val(C.n[0].db, "b-skew", "0");
    expect_val(C.n[0].db, "x-skew", "1"); /* t2 left nothing */
}

static void test_push_over_rpc(void **state)
{
    (void)state;
    lease_to(KV_RANGE, 1);
    lease_to(RIGHT_RANGE, 0);
    int pushes0 = atomic_load(&C.n[0].pushes);
    kv_gateway_stats before = kv_gateway_get_stats(C.n[0].gw);
    txn *p = txn_begin(C.n[2].db, TXN_REPEATABLE_READ);
    assert_int_equal(txn_put_str(p, "a-push", "primary"), MICE_OK);
    assert_int_equal(txn_put_str(p, "z-push", "pending"), MICE_OK);
    char out[64];
    bool found = true;
    assert_int_equal(db_get(C.n[0].db, "z-push", out, sizeof out, &found), MICE_OK);
    assert_false(found);
    assert_true(atomic_load(&C.n[0].pushes) > pushes0);
    assert_true(kv_gateway_get_stats(C.n[0].gw).remote_calls > before.remote_calls);
    txn *w = txn_begin(C.n[0].db, TXN_REPEATABLE_READ);
    txn_set_lock_timeout(w, 300);
    assert_int_equal(txn_put_str(w, "z-push", "writer"), MICE_TIMEOUT);
    txn_destroy(w);
    mice_err err;
    mice_status rc = txn_commit(p, &err);
    if (rc) fprintf(stderr, "commit: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    txn_destroy(p);
    expect_val(C.n[0].db, "z-push", "pending");

    /* A coordinator that dies right after its commit point. */
    mice_buf pk, k;
    buf_init(&pk);
    buf_init(&k);
    kv_key(&pk, "a-dead");
    kv_key(&k, "z-dead");
    hlc_ts ts = hlc_now(C.clock);
    kv_txn_meta m = {.id = 0x5eed0001ull,
                     .primary = buf_slice(&pk),
                     .start_ts = ts,
                     .read_ts = ts,
                     .write_ts = ts,
                     .isolation = KV_REPEATABLE_READ,
                     .seq = 1,
                     .stmt_seq = 1};
    mice_slice pks = buf_slice(&pk);
    kv_op ops[3] = {
        {.kind = KV_OP_PUT, .key = pks, .value = mice_slice_str("qp")},
        {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str("qv")},
        {.kind = KV_OP_END_TXN, .commit = true, .intents = &pks, .n_intents = 1},
    };
    for (int i = 0; i < 3; i++) {
        kv_request req = {.txn = &m, .ops = &ops[i], .n_ops = 1};
        kv_response resp;
        kv_response_init(&resp);
        assert_int_equal(kv_gateway_send(C.n[2].gw, &req, &resp, NULL), MICE_OK);
        kv_response_deinit(&resp);
    }
    expect_val(C.n[1].db, "z-dead", "qv");
    txn *t = txn_begin(C.n[1].db, TXN_REPEATABLE_READ);
    assert_int_equal(txn_put_str(t, "z-dead", "qv2"), MICE_OK);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_val(C.n[2].db, "z-dead", "qv2");
    expect_val(C.n[2].db, "a-dead", "qp");
    buf_deinit(&pk);
    buf_deinit(&k);
}

static void scan_key_name(char *out, size_t cap, int i)
{
    snprintf(out, cap, "%s%02u", i < 13 ? "lk" : "mk",
             (unsigned)(i % 100)); /* lk00..lk12: left of /kv/m */
}

static void test_scan_across_boundary(void **state)
{
    (void)state;
    char name[16];
    for (int i = 0; i < 26; i++) {
        scan_key_name(name, sizeof name, i);
        assert_int_equal(db_put(C.n[1].db, name, "v"), MICE_OK);
    }
    char keys[64][8];
    size_t n = scan_keys(C.n[0].db, "lk", "ml", false, 0, 5, keys, 64);
    assert_int_equal(n, 26);
    for (size_t i = 0; i < n; i++) {
        scan_key_name(name, sizeof name, (int)i);
        assert_string_equal(keys[i], name);
    }
    n = scan_keys(C.n[2].db, "lk", "ml", true, 0, 7, keys, 64);
    assert_int_equal(n, 26);
    for (size_t i = 0; i < n; i++) {
        scan_key_name(name, sizeof name, 25 - (int)i);
        assert_string_equal(keys[i], name);
    }
    /* Pages of 13 fill exactly at the boundary (13 rows on the left), then continue. */
    n = scan_keys(C.n[2].db, "lk", "ml", false, 15, 13, keys, 64);
    assert_int_equal(n, 15);
    assert_string_equal(keys[12], "lk12");
    assert_string_equal(keys[13], "mk13");
    assert_string_equal(keys[14], "mk14");
    n = scan_keys(C.n[2].db, "lk", "ml", true, 15, 13, keys, 64);
    assert_int_equal(n, 15);
    assert_string_equal(keys[12], "mk13");
    assert_string_equal(keys[13], "lk12");
    /* One page over both ranges; a span with no end (to the end of the key space). */
    n = scan_keys(C.n[1].db, "lk11", "mk15", false, 0, 100, keys, 64);
    assert_int_equal(n, 4);
    assert_string_equal(keys[0], "lk11");
    assert_string_equal(keys[3], "mk14");
}

/* A gateway on a node with no replica at all (node 4: an rpc transport only) finds every
 * range through the directory in range 1, asked of the seed nodes. */
static void test_gateway_without_replicas(void **state)
{
    (void)state;
    ioloop *loop = NULL;
    assert_int_equal(ioloop_start("io4", &loop, NULL), MICE_OK);
    rpc_config rc;
    rpc_config_init(&rc, 4, CLUSTER);
    rpc_transport *t = NULL;
    assert_int_equal(rpc_transport_create(loop, &rc, &t, NULL), MICE_OK);
    for (int j = 0; j < NODES; j++) {
        char addr[64];
        snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(C.n[j].t));
        assert_int_equal(rpc_set_peer_addr(t, C.n[j].id, addr), MICE_OK);
    }
    kv_gateway *gw = NULL;
    assert_int_equal(kv_gateway_create(NULL, t, mice_env_real(), &gw, NULL), MICE_OK);
    for (int j = 0; j < NODES; j++)
        kv_gateway_add_seed(gw, C.n[j].id);
    txn_db_config dc;
    txn_db_config_init(&dc);
    dc.clock = C.clock;
    dc.sender = kv_gateway_sender(gw);
    txn_db *db = NULL;
    assert_int_equal(txn_db_create(NULL, mice_env_real(), &dc, &db, NULL), MICE_OK);
    expect_val(db, "b-left", "one");
    expect_val(db, "x-right", "two-b");
    txn *tx = txn_begin(db, TXN_SERIALIZABLE);
    assert_int_equal(txn_put_str(tx, "d-from4", "L"), MICE_OK);
    assert_int_equal(txn_put_str(tx, "z-from4", "R"), MICE_OK);
    mice_err err;
    mice_status st = txn_commit(tx, &err);
    if (st) fprintf(stderr, "commit: %s\n", mice_err_msg(&err));
    assert_int_equal(st, MICE_OK);
    txn_destroy(tx);
    expect_val(C.n[0].db, "d-from4", "L");
    expect_val(C.n[0].db, "z-from4", "R");
    char keys[64][8];
    size_t n = scan_keys(db, "lk", "ml", true, 0, 10, keys, 64);
    assert_int_equal(n, 26);
    assert_string_equal(keys[0], "mk25");
    assert_string_equal(keys[25], "lk00");
    kv_gateway_stats gs = kv_gateway_get_stats(gw);
    printf("node 4 gateway: %" PRIu64 " directory lookups, %" PRIu64 " remote calls, %" PRIu64
           " redirects, %" PRIu64 " local\n",
           gs.directory_lookups, gs.remote_calls, gs.redirects, gs.local_sends);
    assert_true(gs.directory_lookups >= 2);
    assert_int_equal(gs.local_sends, 0);
    txn_db_destroy(db);
    kv_gateway_destroy(gw);
    rpc_transport_destroy(t);
    ioloop_destroy(loop);
}

static void test_malformed_batch(void **state)
{
    (void)state;
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0x0f, 0x12, 0x99, 0x01};
    mice_buf out;
    buf_init(&out);
    mice_err err;
    mice_status rc = rpc_call_wait(C.n[0].t, C.n[1].id, RPCPB__METHOD__METHOD_KV_BATCH,
                                   mice_slice_of(junk, sizeof junk), 5000, &out, &err);
    printf("malformed kv.batch: %s (%s)\n", mice_status_name(rc), mice_err_msg(&err));
    assert_int_equal(rc, MICE_CORRUPT);
    rc =
        rpc_call_wait(C.n[0].t, C.n[1].id, 999, mice_slice_of(junk, sizeof junk), 5000, &out, &err);
    assert_int_equal(rc, MICE_UNSUPPORTED);
    assert_int_equal(kv_rpc_server_get_stats(C.n[1].srv).malformed, 1);
    buf_deinit(&out);
    /* The node still serves. */
    expect_val(C.n[1].db, "b-left", "one");
    assert_int_equal(db_put(C.n[1].db, "after-junk", "ok"), MICE_OK);
    expect_val(C.n[0].db, "after-junk", "ok");
}

/* Node 2 misses writes past the retained log while down; back, it needs a snapshot of about
 * 4 MiB, more than its peer queue (3 MiB here): it crosses as acknowledged SnapshotChunk
 * calls, one at a time. */
static void test_snapshot_over_rpc(void **state)
{
    (void)state;
    lease_to(RIGHT_RANGE, 0);
    node *n2 = &C.n[1];
    node_stop(n2);
    char *big = malloc(64 * 1024 + 1);
    assert_non_null(big);
    mice_prng rng;
    prng_seed(&rng, 9);
    for (int i = 0; i < 100; i++) {            /* 6.4 MiB in range 4 (about 4 compressed), more than
                                                * the peer queue and than keep + slack entries */
        for (size_t j = 0; j < 64 * 1024; j++) /* letters that do not compress away */
            big[j] = (char)('a' + prng_below(&rng, 26));
        big[64 * 1024] = 0;
        char key[16];
        snprintf(key, sizeof key, "snap%02d", i % 100);
        big[0] = (char)('A' + i % 26);
        assert_int_equal(db_put(C.n[0].db, key, big), MICE_OK);
    }
    free(big);
    node_start(n2);
    introduce_all();
    /* Wait until node 2 applied what the leader applied. */
    store_range_info lead;
    assert_int_equal(store_range_info_get(C.n[0].s, RIGHT_RANGE, &lead), MICE_OK);
    rangedesc_deinit(&lead.desc);
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        store_range_info info;
        mice_status rc = store_range_info_get(n2->s, RIGHT_RANGE, &info);
        bool done = rc == MICE_OK && info.applied >= lead.applied;
        if (rc == MICE_OK) rangedesc_deinit(&info.desc);
        if (done) break;
        assert_true(now_ms() < deadline);
        sleep_ms(10);
    }
    kv_transport_rpc_stats ks = kv_transport_rpc_get_stats(n2->kt_impl);
    store_stats ss = store_get_stats(n2->s);
    printf("snapshot to node 2: %" PRIu64 " chunks received, %" PRIu64
           " streams assembled, %" PRIu64 " installed\n",
           ks.snap_chunks_received, ks.snaps_assembled, ss.snapshots_installed);
    assert_true(ks.snaps_assembled >= 1);
    assert_true(ks.snap_chunks_received >= 3); /* more than the peer queue holds */
    assert_true(ss.snapshots_installed >= 1);
    /* Its replica has the data: read it locally once it holds the lease. */
    lease_to(RIGHT_RANGE, 1);
    char got[16];
    bool found = false;
    kv_gateway_stats before = kv_gateway_get_stats(n2->gw);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    kv_key(&k, "snap99");
    assert_int_equal(txn_db_get(n2->db, buf_slice(&k), &v, &found, NULL), MICE_OK);
    assert_true(found);
    assert_int_equal(v.n, 64 * 1024);
    snprintf(got, sizeof got, "%c", v.p[0]);
    assert_string_equal(got, "V"); /* 'A' + 99 % 26 */
    assert_true(kv_gateway_get_stats(n2->gw).local_sends > before.local_sends);
    buf_deinit(&k);
    buf_deinit(&v);
}

static void test_leaseholder_stopped(void **state)
{
    (void)state;
    lease_to(KV_RANGE, 0);
    lease_to(RIGHT_RANGE, 0);
    node_stop_order(&C.n[0], true); /* its store, server, gateway and transports */
    uint64_t t0 = now_ms();
    /* A transaction over both ranges through node 3, and a one-shot write through node 2. */
    txn *t = txn_begin(C.n[2].db, TXN_REPEATABLE_READ);
    assert_int_equal(txn_put_str(t, "f-after", "left"), MICE_OK);
    assert_int_equal(txn_put_str(t, "w-after", "right"), MICE_OK);
    mice_err err;
    mice_status rc = txn_commit(t, &err);
    if (rc) fprintf(stderr, "commit: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    txn_destroy(t);
    assert_int_equal(db_put(C.n[1].db, "g-after", "plain"), MICE_OK);
    printf("writes after the leaseholder stopped took %" PRIu64 " ms (election included)\n",
           now_ms() - t0);
    expect_val(C.n[1].db, "f-after", "left");
    expect_val(C.n[1].db, "w-after", "right");
    expect_val(C.n[2].db, "g-after", "plain");
    expect_val(C.n[2].db, "b-left", "one");
    assert_true(kv_gateway_get_stats(C.n[2].gw).retries > 0 ||
                kv_gateway_get_stats(C.n[1].gw).retries > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross_range_txn),
        cmocka_unit_test(test_push_over_rpc),
        cmocka_unit_test(test_serializable_reads_validated_in_every_range),
        cmocka_unit_test(test_scan_across_boundary),
        cmocka_unit_test(test_gateway_without_replicas),
        cmocka_unit_test(test_malformed_batch),
        cmocka_unit_test(test_snapshot_over_rpc),
        cmocka_unit_test(test_leaseholder_stopped),
    };
    return cmocka_run_group_tests(tests, cluster_setup, cluster_teardown);
}
