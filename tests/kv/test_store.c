/* Stores of three nodes in one process over the loopback transport, with real engines in
 * temporary directories: replication through the kv_replica API, leader failover,
 * restart from the log, catch-up by SST snapshot, group commit, crash-idempotent apply,
 * splits. Each test prints what it measured. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ftw.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/env.h"
#include "base/tmpdir.h"
#include "kv/keys.h"
#include "kv/raftlog.h"
#include "kv/store.h"
#include "kv/transport_loopback.h"
#include "storage/mvcc.h"

enum {
    NODES = 3,
    TICK_MS = 10,
    WAIT_MS = 10000,
    KV_RANGE = 3, /* the range of the kv namespace after bootstrap */
};

typedef struct node {
    uint64_t id;
    char dir[512];
    engine *e;
    store *s;
} node;

typedef struct cluster {
    kv_loopback *lb;
    hlc *clock;
    node n[NODES];
    uint64_t keep_entries, slack_entries;
    bool lease_reads_off;
    uint64_t proposal_timeout_ms;
} cluster;

static const mice_env *env(void)
{
    return mice_env_real();
}

static uint64_t now_ms(void)
{
    return env_mono_ns(env()) / MICE_NS_PER_MS;
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(env(), ms * MICE_NS_PER_MS);
}

/* --- the cluster ------------------------------------------------------------------------- */

static void engine_open_at(node *n)
{
    engine_config cfg;
    mvcc_config_init(&cfg, n->dir);
    mice_err err;
    mice_status rc = engine_open(&cfg, &n->e, &err);
    if (rc) fprintf(stderr, "engine_open: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
}

static void node_start(cluster *c, int i)
{
    node *n = &c->n[i];
    if (!n->e) engine_open_at(n);
    store_config cfg;
    store_config_init(&cfg, n->id, n->e, c->clock, kv_loopback_transport(c->lb));
    cfg.tick_ms = TICK_MS;
    cfg.election_ticks = 10;
    cfg.heartbeat_ticks = 1;
    cfg.seed = 1000 + n->id;
    cfg.proposal_timeout_ms = c->proposal_timeout_ms ? c->proposal_timeout_ms : 5000;
    if (c->keep_entries) cfg.log_keep_entries = c->keep_entries;
    if (c->slack_entries) cfg.log_truncate_slack = c->slack_entries;
    cfg.lease_reads_off = c->lease_reads_off;
    mice_err err;
    mice_status rc = store_open(&cfg, &n->s, &err);
    if (rc) fprintf(stderr, "store_open: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
}

/* Stop the store and close the engine; the directory stays (a restart reopens it). */
static void node_kill(cluster *c, int i)
{
    node *n = &c->n[i];
    store_close(n->s);
    n->s = NULL;
    engine_close(n->e);
    n->e = NULL;
}

static void cluster_start(cluster *c)
{
    c->lb = kv_loopback_create(7);
    c->clock = hlc_create(env(), 0);
    const char *root = getenv("MICE_TEST_TMP");
    uint64_t ids[NODES];
    for (int i = 0; i < NODES; i++)
        ids[i] = (uint64_t)i + 1;
    range_desc descs[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&descs[i]);
    assert_int_equal(rangedesc_initial(ids, NODES, descs), MICE_OK);
    for (int i = 0; i < NODES; i++) {
        node *n = &c->n[i];
        n->id = ids[i];
        char prefix[32];
        snprintf(prefix, sizeof prefix, "store-n%d", i + 1);
        assert_int_equal(mice_tmpdir_create(root, prefix, n->dir, sizeof n->dir, NULL), MICE_OK);
        engine_open_at(n);
        assert_int_equal(store_bootstrap(n->e, descs, RANGEDESC_INITIAL_COUNT, NULL), MICE_OK);
        assert_int_equal(store_bootstrap(n->e, descs, RANGEDESC_INITIAL_COUNT, NULL), MICE_EXISTS);
    }
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&descs[i]);
    for (int i = 0; i < NODES; i++)
        node_start(c, i);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void cluster_stop(cluster *c)
{
    for (int i = 0; i < NODES; i++) {
        if (c->n[i].s || c->n[i].e) node_kill(c, i);
        nftw(c->n[i].dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    kv_loopback_destroy(c->lb);
    hlc_destroy(c->clock);
}

/* The node whose replica of range_id serves local reads, or -1 by the deadline. */
static int wait_leaseholder(cluster *c, uint64_t range_id, uint64_t timeout_ms)
{
    uint64_t deadline = now_ms() + timeout_ms;
    do {
        for (int i = 0; i < NODES; i++) {
            if (!c->n[i].s) continue;
            store_range_info info;
            mice_status rc = store_range_info_get(c->n[i].s, range_id, &info);
            bool lease = rc == MICE_OK && info.lease_valid;
            rangedesc_deinit(&info.desc);
            if (lease) return i;
        }
        sleep_ms(5);
    } while (now_ms() < deadline);
    return -1;
}

static void kv_key(mice_buf *out, const char *user_key)
{
    buf_reset(out);
    keys_kv(out, mice_slice_str(user_key));
}

/* A one-shot PUT through whichever node serves it (retrying NOT_LEADER); the index of
 * the node that took it. */
static int put(cluster *c, const char *user_key, const char *value)
{
    mice_buf k;
    buf_init(&k);
    kv_key(&k, user_key);
    kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str(value)};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    uint64_t deadline = now_ms() + WAIT_MS;
    int served = -1;
    while (served < 0 && now_ms() < deadline) {
        for (int i = 0; i < NODES && served < 0; i++) {
            if (!c->n[i].s) continue;
            mice_err err;
            mice_status rc = store_send(c->n[i].s, &req, &resp, &err);
            if (rc == MICE_OK)
                served = i;
            else if (rc != MICE_NOT_LEADER && rc != MICE_CLOSED && rc != MICE_TIMEOUT)
                fail_msg("put %s on n%d: %s", user_key, i + 1, mice_err_msg(&err));
        }
        if (served < 0) sleep_ms(5);
    }
    kv_response_deinit(&resp);
    buf_deinit(&k);
    assert_true(served >= 0);
    return served;
}

/* The value of a kv key in node i's engine (bypassing Raft), or "" if absent. */
static void local_get(cluster *c, int i, const char *user_key, char *out, size_t cap)
{
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    kv_key(&k, user_key);
    bool found = false;
    hlc_ts ts = {.wall_ns = UINT64_MAX / 2};
    assert_int_equal(mvcc_get(c->n[i].e, NULL, buf_slice(&k), ts, &v, &found, NULL, NULL), MICE_OK);
    out[0] = 0;
    if (found) snprintf(out, cap, "%.*s", (int)v.n, (const char *)v.p);
    buf_deinit(&k);
    buf_deinit(&v);
}

/* Wait until every running node applied everything the range committed. */
static void wait_applied(cluster *c, uint64_t range_id)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        uint64_t lo = UINT64_MAX, hi = 0;
        for (int i = 0; i < NODES; i++) {
            if (!c->n[i].s) continue;
            store_range_info info;
            if (store_range_info_get(c->n[i].s, range_id, &info) == MICE_OK) {
                if (info.applied < lo) lo = info.applied;
                if (info.commit > hi) hi = info.commit;
            } else {
                lo = 0;
            }
            rangedesc_deinit(&info.desc);
        }
        if (lo >= hi && hi > 0) return;
        if (now_ms() > deadline) fail_msg("range %" PRIu64 " not applied everywhere", range_id);
        sleep_ms(5);
    }
}

/* Every raw key/value of one column family, for comparing replicas byte for byte. */
static void dump_cf(engine *e, engine_cf cf, mice_buf *out)
{
    buf_reset(out);
    engine_iter_opts o = {.cf = cf};
    engine_iter *it = NULL;
    assert_int_equal(engine_iter_create(e, &o, &it, NULL), MICE_OK);
    for (engine_iter_first(it); engine_iter_valid(it); engine_iter_next(it)) {
        mice_slice k = engine_iter_key(it), v = engine_iter_value(it);
        buf_append_be32(out, (uint32_t)k.n);
        buf_append_slice(out, k);
        buf_append_be32(out, (uint32_t)v.n);
        buf_append_slice(out, v);
    }
    engine_iter_destroy(it);
}

static void assert_replicas_equal(cluster *c)
{
    mice_buf a, b;
    buf_init(&a);
    buf_init(&b);
    engine_cf cfs[] = {STORE_CF_DATA, STORE_CF_LOCKS};
    for (size_t f = 0; f < 2; f++) {
        int first = -1;
        for (int i = 0; i < NODES; i++) {
            if (!c->n[i].e) continue;
            if (first < 0) {
                first = i;
                dump_cf(c->n[i].e, cfs[f], &a);
                continue;
            }
            dump_cf(c->n[i].e, cfs[f], &b);
            if (!mice_slice_eq(buf_slice(&a), buf_slice(&b)))
                fail_msg("%s CF differs between n%d and n%d (%zu vs %zu bytes)",
                         engine_cf_name(cfs[f]), first + 1, i + 1, a.n, b.n);
        }
    }
    buf_deinit(&a);
    buf_deinit(&b);
}

/* --- tests --------------------------------------------------------------------------------- */

static void test_write_replicates_to_all(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    uint64_t t0 = now_ms();
    for (uint64_t r = 1; r <= RANGEDESC_INITIAL_COUNT; r++)
        assert_true(wait_leaseholder(&c, r, WAIT_MS) >= 0);
    printf("# leaseholders of 3 ranges elected in %" PRIu64 " ms\n", now_ms() - t0);
    put(&c, "greeting", "hello");
    wait_applied(&c, KV_RANGE);
    int leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    char v[64];
    for (int i = 0; i < NODES; i++) {
        local_get(&c, i, "greeting", v, sizeof v);
        assert_string_equal(v, "hello");
    }
    /* A follower refuses to serve, naming the leader. */
    int follower = (leader + 1) % NODES;
    mice_buf k;
    buf_init(&k);
    kv_key(&k, "greeting");
    kv_op get = {.kind = KV_OP_GET, .key = buf_slice(&k)};
    kv_request req = {.ops = &get, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    assert_int_equal(store_send(c.n[follower].s, &req, &resp, &err), MICE_NOT_LEADER);
    char want[32];
    snprintf(want, sizeof want, "leader is node %d", leader + 1);
    assert_non_null(strstr(mice_err_msg(&err), want));
    /* The leaseholder reads locally. */
    store_stats before = store_get_stats(c.n[leader].s);
    assert_int_equal(store_send(c.n[leader].s, &req, &resp, &err), MICE_OK);
    assert_true(resp.results[0].found);
    assert_int_equal(resp.results[0].value.n, 5);
    store_stats after = store_get_stats(c.n[leader].s);
    /* Served locally: from the lease, or (a lease lapsing on a slow machine) ReadIndex. */
    assert_int_equal(after.lease_reads + after.read_index_reads,
                     before.lease_reads + before.read_index_reads + 1);
    assert_int_equal(after.proposals, before.proposals); /* reads propose nothing */
    kv_response_deinit(&resp);
    buf_deinit(&k);
    /* The directory in range 1 lists the three ranges (written at bootstrap). */
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    rangedesc_dir_span(&lo, &hi);
    kv_op scan = {.kind = KV_OP_SCAN, .key = buf_slice(&lo), .end = buf_slice(&hi)};
    req = (kv_request){.ops = &scan, .n_ops = 1};
    kv_response_init(&resp);
    int r1 = wait_leaseholder(&c, 1, WAIT_MS);
    assert_int_equal(store_send(c.n[r1].s, &req, &resp, NULL), MICE_OK);
    assert_int_equal(resp.results[0].n_rows, RANGEDESC_INITIAL_COUNT);
    kv_response_deinit(&resp);
    buf_deinit(&lo);
    buf_deinit(&hi);
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

static void test_leader_failover(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    int leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    assert_true(leader >= 0);
    leader = put(&c, "a", "1");
    wait_applied(&c, KV_RANGE);
    uint64_t t0 = now_ms();
    node_kill(&c, leader);
    int next = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    uint64_t failover_ms = now_ms() - t0;
    assert_true(next >= 0);
    assert_true(next != leader);
    int took = put(&c, "b", "2");
    uint64_t first_write_ms = now_ms() - t0;
    assert_int_equal(took, next);
    printf("# failover: new leaseholder n%d after %" PRIu64 " ms, first write after %" PRIu64
           " ms (election timeout %d..%d ms)\n",
           next + 1, failover_ms, first_write_ms, 10 * TICK_MS, 20 * TICK_MS);
    for (int i = 0; i < 20; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        put(&c, k, "x");
    }
    wait_applied(&c, KV_RANGE);
    char v[16];
    for (int i = 0; i < NODES; i++) {
        if (i == leader) continue;
        local_get(&c, i, "a", v, sizeof v);
        assert_string_equal(v, "1");
        local_get(&c, i, "b", v, sizeof v);
        assert_string_equal(v, "2");
        local_get(&c, i, "k19", v, sizeof v);
        assert_string_equal(v, "x");
    }
    /* The old leader comes back and catches up from the new leader's log. */
    node_start(&c, leader);
    wait_applied(&c, KV_RANGE);
    local_get(&c, leader, "k19", v, sizeof v);
    assert_string_equal(v, "x");
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

static void test_restart_catches_up_from_log(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    int leader = put(&c, "before", "1");
    wait_applied(&c, KV_RANGE);
    int down = (leader + 1) % NODES;
    node_kill(&c, down);
    for (int i = 0; i < 50; i++) {
        char k[16];
        snprintf(k, sizeof k, "down%d", i);
        put(&c, k, "y");
    }
    node_start(&c, down);
    wait_applied(&c, KV_RANGE);
    char v[16];
    local_get(&c, down, "down49", v, sizeof v);
    assert_string_equal(v, "y");
    store_stats st = store_get_stats(c.n[down].s);
    assert_int_equal(st.snapshots_installed, 0); /* the log sufficed */
    assert_true(st.entries_applied >= 50);
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

static void test_lagging_replica_gets_snapshot(void **state)
{
    (void)state;
    cluster c = {.keep_entries = 4, .slack_entries = 4};
    cluster_start(&c);
    int leader = put(&c, "before", "1");
    wait_applied(&c, KV_RANGE);
    int down = (leader + 1) % NODES;
    node_kill(&c, down);
    for (int i = 0; i < 100; i++) {
        char k[16], val[16];
        snprintf(k, sizeof k, "s%03d", i);
        snprintf(val, sizeof val, "v%d", i);
        put(&c, k, val);
    }
    /* An intent (a transaction's uncommitted write) travels in the snapshot too. */
    mice_buf key;
    buf_init(&key);
    kv_key(&key, "pending");
    hlc_ts ts = hlc_now(c.clock);
    kv_txn_meta txn = {.id = 77,
                       .primary = buf_slice(&key),
                       .start_ts = ts,
                       .read_ts = ts,
                       .write_ts = ts,
                       .seq = 1};
    kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&key), .value = mice_slice_str("p")};
    kv_request req = {.txn = &txn, .ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    assert_int_equal(store_send(c.n[leader].s, &req, &resp, NULL), MICE_OK);
    kv_response_deinit(&resp);
    buf_deinit(&key);
    store_range_info info;
    assert_int_equal(store_range_info_get(c.n[leader].s, KV_RANGE, &info), MICE_OK);
    assert_true(info.first_index > 10); /* the log was truncated */
    rangedesc_deinit(&info.desc);

    node_start(&c, down);
    wait_applied(&c, KV_RANGE);
    char v[16];
    local_get(&c, down, "s099", v, sizeof v);
    assert_string_equal(v, "v99");
    local_get(&c, down, "before", v, sizeof v);
    assert_string_equal(v, "1");
    store_stats st = store_get_stats(c.n[down].s);
    assert_true(st.snapshots_installed >= 1);
    leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    assert_true(store_get_stats(c.n[leader].s).snapshots_sent >= 1);
    assert_true(store_get_stats(c.n[leader].s).log_truncations >= 1);
    assert_replicas_equal(&c);
    /* It stays in the group: later writes reach it through the log. */
    put(&c, "after", "z");
    wait_applied(&c, KV_RANGE);
    local_get(&c, down, "after", v, sizeof v);
    assert_string_equal(v, "z");
    /* And it restarts from the installed snapshot. */
    node_kill(&c, down);
    node_start(&c, down);
    put(&c, "after2", "w");
    wait_applied(&c, KV_RANGE);
    local_get(&c, down, "after2", v, sizeof v);
    assert_string_equal(v, "w");
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

typedef struct writer {
    cluster *c;
    int node;
    int id;
    int count;
    int failed;
} writer;

static void *writer_main(void *arg)
{
    writer *w = arg;
    mice_buf k;
    buf_init(&k);
    kv_response resp;
    kv_response_init(&resp);
    for (int i = 0; i < w->count; i++) {
        char uk[32];
        snprintf(uk, sizeof uk, "w%d-%d", w->id, i);
        kv_key(&k, uk);
        kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str("v")};
        kv_request req = {.ops = &op, .n_ops = 1};
        if (store_send(w->c->n[w->node].s, &req, &resp, NULL) != MICE_OK) w->failed++;
    }
    kv_response_deinit(&resp);
    buf_deinit(&k);
    return NULL;
}

static double run_writers(cluster *c, int node, int n_writers, int per_writer, int *failed)
{
    writer w[16];
    pthread_t th[16];
    uint64_t t0 = env_mono_ns(env());
    for (int i = 0; i < n_writers; i++) {
        w[i] = (writer){.c = c, .node = node, .id = i, .count = per_writer};
        pthread_create(&th[i], NULL, writer_main, &w[i]);
    }
    *failed = 0;
    for (int i = 0; i < n_writers; i++) {
        pthread_join(th[i], NULL);
        *failed += w[i].failed;
    }
    return (double)(env_mono_ns(env()) - t0) / MICE_NS_PER_S;
}

static void test_group_commit_batches(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    put(&c, "warm", "up");
    wait_applied(&c, KV_RANGE);
    enum { WRITERS = 16, PER_WRITER = 50, ATTEMPTS = 3 };
    /* Measured on one leader; if its lease moves mid-run (a stalled fsync on a loaded
     * machine), writes fail over and the measurement starts again. */
    for (int attempt = 1;; attempt++) {
        int leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
        assert_true(leader >= 0);
        /* One writer: about one synced batch per proposal round trip. */
        store_stats a = store_get_stats(c.n[leader].s);
        int failed1 = 0, failed = 0;
        double secs1 = run_writers(&c, leader, 1, PER_WRITER, &failed1);
        store_stats b = store_get_stats(c.n[leader].s);
        /* Many writers: proposals share batches. */
        double secs = run_writers(&c, leader, WRITERS, PER_WRITER, &failed);
        store_stats d = store_get_stats(c.n[leader].s);
        if ((failed1 || failed) && attempt < ATTEMPTS) {
            printf("# the lease moved during the run (%d writes refused); measuring again\n",
                   failed1 + failed);
            continue;
        }
        assert_int_equal(failed1 + failed, 0);
        uint64_t proposals = d.proposals - b.proposals;
        uint64_t synced = d.batches_synced - b.batches_synced;
        assert_int_equal(proposals, WRITERS * PER_WRITER);
        printf("# 1 writer: %.0f proposals/s, %.0f synced batches/s on the leader\n",
               PER_WRITER / secs1, (double)(b.batches_synced - a.batches_synced) / secs1);
        printf("# %d writers: %" PRIu64 " proposals in %" PRIu64 " synced batches (%.1f per "
               "batch); %.0f proposals/s, %.0f synced batches/s on the leader\n",
               WRITERS, proposals, synced, (double)proposals / (double)synced,
               (double)proposals / secs, (double)synced / secs);
        assert_true(synced * 2 <= proposals); /* at least two proposals per fsync on average */
        break;
    }
    wait_applied(&c, KV_RANGE);
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

/* Rewind a range's applied index in a stopped node's engine, as if the batches applying
 * the entries after it had been lost: the data is newer than the applied index says. */
static void rewind_applied(engine *e, uint64_t range_id, uint64_t applied)
{
    raftlog *l = NULL;
    assert_int_equal(raftlog_open(e, range_id, &l, NULL), MICE_OK);
    assert_true(applied >= raftlog_truncated_index(l));
    engine_batch *b = engine_batch_create(e);
    raftlog_stage_applied(l, b, applied);
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    raftlog_commit_staged(l);
    raftlog_destroy(l);
}

static void test_crash_idempotent_apply(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    int leader = put(&c, "x", "0");
    wait_applied(&c, KV_RANGE);
    store_range_info info;
    assert_int_equal(store_range_info_get(c.n[leader].s, KV_RANGE, &info), MICE_OK);
    uint64_t early = info.applied;
    rangedesc_deinit(&info.desc);
    /* Overwrites and deletes: replaying them on newer data must land on the same state. */
    for (int i = 1; i <= 30; i++) {
        char val[16];
        snprintf(val, sizeof val, "%d", i);
        put(&c, "x", val);
        put(&c, i % 2 ? "odd" : "even", val);
    }
    wait_applied(&c, KV_RANGE);
    int victim = (leader + 1) % NODES;
    mice_buf before, after;
    buf_init(&before);
    buf_init(&after);
    node_kill(&c, victim);
    engine_open_at(&c.n[victim]);
    dump_cf(c.n[victim].e, STORE_CF_DATA, &before);
    rewind_applied(c.n[victim].e, KV_RANGE, early);
    node_start(&c, victim);
    wait_applied(&c, KV_RANGE);
    store_stats st = store_get_stats(c.n[victim].s);
    assert_true(st.entries_applied >= 60); /* the entries after `early` applied again */
    dump_cf(c.n[victim].e, STORE_CF_DATA, &after);
    assert_true(mice_slice_eq(buf_slice(&before), buf_slice(&after)));
    char v[16];
    local_get(&c, victim, "x", v, sizeof v);
    assert_string_equal(v, "30");
    assert_replicas_equal(&c);
    buf_deinit(&before);
    buf_deinit(&after);
    cluster_stop(&c);
}

static void test_split_creates_replicated_range(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    put(&c, "apple", "1");
    put(&c, "zebra", "2");
    int leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    mice_buf split;
    buf_init(&split);
    kv_key(&split, "m");
    enum { NEW_RANGE = 10 };
    mice_err err;
    assert_int_equal(store_split(c.n[(leader + 1) % NODES].s, buf_slice(&split), NEW_RANGE, &err),
                     MICE_NOT_LEADER);
    mice_status rc = store_split(c.n[leader].s, buf_slice(&split), NEW_RANGE, &err);
    if (rc) fail_msg("split: %s", mice_err_msg(&err));
    assert_int_equal(store_split(c.n[leader].s, buf_slice(&split), NEW_RANGE + 1, &err),
                     MICE_INVALID); /* already a range start */
    /* Every node gets the right-hand range, which elects its own leader. */
    uint64_t deadline = now_ms() + WAIT_MS;
    for (int i = 0; i < NODES; i++) {
        while (store_range_for_key(c.n[i].s, buf_slice(&split)) != NEW_RANGE) {
            assert_true(now_ms() < deadline);
            sleep_ms(5);
        }
        uint64_t ids[8];
        assert_int_equal(store_range_ids(c.n[i].s, ids, 8), 4);
    }
    assert_true(wait_leaseholder(&c, NEW_RANGE, WAIT_MS) >= 0);
    put(&c, "zoo", "3"); /* right-hand side */
    put(&c, "ant", "4"); /* left-hand side */
    wait_applied(&c, NEW_RANGE);
    wait_applied(&c, KV_RANGE);
    char v[16];
    for (int i = 0; i < NODES; i++) {
        local_get(&c, i, "zoo", v, sizeof v);
        assert_string_equal(v, "3");
        local_get(&c, i, "zebra", v, sizeof v);
        assert_string_equal(v, "2"); /* data before the split stays where it was */
        store_range_info info;
        assert_int_equal(store_range_info_get(c.n[i].s, KV_RANGE, &info), MICE_OK);
        assert_true(mice_slice_eq(buf_slice(&info.desc.end), buf_slice(&split)));
        assert_int_equal(info.desc.generation, 2);
        rangedesc_deinit(&info.desc);
    }
    /* The directory entries for both halves go into range 1. */
    int r1 = wait_leaseholder(&c, 1, WAIT_MS);
    store_range_info left, right;
    assert_int_equal(store_range_info_get(c.n[r1].s, KV_RANGE, &left), MICE_OK);
    assert_int_equal(store_range_info_get(c.n[r1].s, NEW_RANGE, &right), MICE_OK);
    assert_int_equal(store_put_directory(c.n[r1].s, &left.desc, NULL), MICE_OK);
    assert_int_equal(store_put_directory(c.n[r1].s, &right.desc, NULL), MICE_OK);
    rangedesc_deinit(&left.desc);
    rangedesc_deinit(&right.desc);
    /* Restarted nodes come back with four ranges. */
    node_kill(&c, 0);
    node_start(&c, 0);
    uint64_t ids[8];
    assert_int_equal(store_range_ids(c.n[0].s, ids, 8), 4);
    put(&c, "zz", "5");
    wait_applied(&c, NEW_RANGE);
    local_get(&c, 0, "zz", v, sizeof v);
    assert_string_equal(v, "5");
    assert_replicas_equal(&c);
    buf_deinit(&split);
    cluster_stop(&c);
}

static void wait_initialized(cluster *c, int i, uint64_t range_id, mice_slice start)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        store_range_info info;
        mice_status rc = store_range_info_get(c->n[i].s, range_id, &info);
        bool ok = rc == MICE_OK && info.desc.generation > 0 &&
                  mice_slice_eq(buf_slice(&info.desc.start), start);
        rangedesc_deinit(&info.desc);
        if (ok) return;
        if (now_ms() > deadline) fail_msg("n%d: r%" PRIu64 " not initialised", i + 1, range_id);
        sleep_ms(5);
    }
}

static void write_both_sides(cluster *c, int n, const char *tag)
{
    for (int i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "a-%s-%d", tag, i); /* left of "m" */
        put(c, k, tag);
        snprintf(k, sizeof k, "z-%s-%d", tag, i); /* right of "m" */
        put(c, k, tag);
    }
}

/* A node down during a split and the log truncation after it gets the left side by
 * snapshot (never applying the split); the right side reaches it as messages for a range
 * it does not know: an uninitialised replica, then a snapshot. */
static void test_missed_split_caught_up_by_snapshots(void **state)
{
    (void)state;
    cluster c = {.keep_entries = 4, .slack_entries = 4};
    cluster_start(&c);
    int leader = put(&c, "a0", "x");
    wait_applied(&c, KV_RANGE);
    int down = (leader + 1) % NODES;
    node_kill(&c, down);
    leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    mice_buf split;
    buf_init(&split);
    kv_key(&split, "m");
    enum { NEW_RANGE = 20 };
    assert_int_equal(store_split(c.n[leader].s, buf_slice(&split), NEW_RANGE, NULL), MICE_OK);
    write_both_sides(&c, 20, "after");
    node_start(&c, down);
    wait_initialized(&c, down, NEW_RANGE, buf_slice(&split));
    wait_applied(&c, KV_RANGE);
    wait_applied(&c, NEW_RANGE);
    store_stats st = store_get_stats(c.n[down].s);
    assert_true(st.snapshots_installed >= 2);
    char v[16];
    local_get(&c, down, "z-after-19", v, sizeof v);
    assert_string_equal(v, "after");
    assert_replicas_equal(&c);
    /* Both sides keep replicating to it. */
    write_both_sides(&c, 3, "later");
    wait_applied(&c, KV_RANGE);
    wait_applied(&c, NEW_RANGE);
    local_get(&c, down, "z-later-2", v, sizeof v);
    assert_string_equal(v, "later");
    local_get(&c, down, "a-later-2", v, sizeof v);
    assert_string_equal(v, "later");
    assert_replicas_equal(&c);
    buf_deinit(&split);
    cluster_stop(&c);
}

/* The right side's leader reaches a node before that node applies the split: the
 * uninitialised replica made for it is initialised by the split when it applies. */
static void test_split_initialises_early_replica(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    int leader = put(&c, "a0", "x");
    wait_applied(&c, KV_RANGE);
    int slow = (leader + 1) % NODES;
    kv_loopback_block_range(c.lb, c.n[slow].id, KV_RANGE, true);
    mice_buf split;
    buf_init(&split);
    kv_key(&split, "m");
    enum { NEW_RANGE = 30 };
    assert_int_equal(store_split(c.n[leader].s, buf_slice(&split), NEW_RANGE, NULL), MICE_OK);
    write_both_sides(&c, 5, "early");
    /* The slow node answers the right side's leader with an uninitialised replica. */
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        store_range_info info;
        mice_status rc = store_range_info_get(c.n[slow].s, NEW_RANGE, &info);
        bool uninit = rc == MICE_OK && info.desc.generation == 0;
        rangedesc_deinit(&info.desc);
        if (uninit) break;
        assert_true(now_ms() < deadline);
        sleep_ms(5);
    }
    assert_int_equal(store_range_for_key(c.n[slow].s, buf_slice(&split)), KV_RANGE);
    kv_loopback_block_range(c.lb, c.n[slow].id, KV_RANGE, false);
    wait_initialized(&c, slow, NEW_RANGE, buf_slice(&split));
    wait_applied(&c, KV_RANGE);
    wait_applied(&c, NEW_RANGE);
    assert_int_equal(store_range_for_key(c.n[slow].s, buf_slice(&split)), NEW_RANGE);
    char v[16];
    local_get(&c, slow, "z-early-4", v, sizeof v);
    assert_string_equal(v, "early");
    assert_replicas_equal(&c);
    buf_deinit(&split);
    cluster_stop(&c);
}

/* Writers keep writing while the leader's store is stopped under them: every write
 * acknowledged before, during or after the failover is on every replica in the end. */
typedef struct crash_writer {
    cluster *c;
    _Atomic int *inside; /* per node: writers currently inside its store */
    _Atomic bool *dead;  /* per node */
    int id, acked, failed_attempts;
    _Atomic bool *stop;
} crash_writer;

static void *crash_writer_main(void *arg)
{
    crash_writer *w = arg;
    mice_buf k;
    buf_init(&k);
    kv_response resp;
    kv_response_init(&resp);
    for (int i = 0; !atomic_load(w->stop); i++) {
        char uk[32];
        snprintf(uk, sizeof uk, "c%d-%d", w->id, i);
        kv_key(&k, uk);
        kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str("v")};
        kv_request req = {.ops = &op, .n_ops = 1};
        bool ok = false;
        while (!ok && !atomic_load(w->stop)) {
            for (int n = 0; n < NODES && !ok; n++) {
                atomic_fetch_add(&w->inside[n], 1);
                if (!atomic_load(&w->dead[n])) {
                    mice_status rc = store_send(w->c->n[n].s, &req, &resp, NULL);
                    ok = rc == MICE_OK;
                    if (rc && rc != MICE_NOT_LEADER) w->failed_attempts++;
                }
                atomic_fetch_sub(&w->inside[n], 1);
            }
            if (!ok) sleep_ms(2);
        }
        if (ok)
            w->acked = i + 1; /* keys c<id>-0 .. c<id>-(acked-1) were acknowledged */
        else
            break;
    }
    kv_response_deinit(&resp);
    buf_deinit(&k);
    return NULL;
}

static void test_writes_survive_leader_crash(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    int leader = put(&c, "warm", "up");
    enum { WRITERS = 4 };
    _Atomic int inside[NODES];
    _Atomic bool dead[NODES];
    _Atomic bool stop;
    atomic_init(&stop, false);
    for (int i = 0; i < NODES; i++) {
        atomic_init(&inside[i], 0);
        atomic_init(&dead[i], false);
    }
    crash_writer w[WRITERS];
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (crash_writer){.c = &c, .inside = inside, .dead = dead, .id = i, .stop = &stop};
        pthread_create(&th[i], NULL, crash_writer_main, &w[i]);
    }
    sleep_ms(300);
    /* Stop the leader's store under the writers; they fail over to the others. */
    store_stop(c.n[leader].s);
    atomic_store(&dead[leader], true);
    while (atomic_load(&inside[leader]) > 0)
        sleep_ms(1);
    node_kill(&c, leader);
    sleep_ms(500);
    atomic_store(&stop, true);
    int acked = 0, failed = 0;
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(th[i], NULL);
        acked += w[i].acked;
        failed += w[i].failed_attempts;
    }
    printf("# %d writes acknowledged across a leader crash (%d attempts failed and were "
           "retried elsewhere)\n",
           acked, failed);
    assert_true(acked > 0);
    node_start(&c, leader);
    wait_applied(&c, KV_RANGE);
    char v[8];
    for (int n = 0; n < NODES; n++)
        for (int i = 0; i < WRITERS; i++)
            for (int j = 0; j < w[i].acked; j++) {
                char uk[32];
                snprintf(uk, sizeof uk, "c%d-%d", i, j);
                local_get(&c, n, uk, v, sizeof v);
                if (strcmp(v, "v")) fail_msg("n%d lost acknowledged write %s", n + 1, uk);
            }
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

/* A write whose waiter gave up may still apply later: until it resolves, the range
 * evaluates nothing else (a later request could miss that write). */
static void test_timed_out_write_blocks_range_until_resolved(void **state)
{
    (void)state;
    cluster c = {.proposal_timeout_ms = 400};
    cluster_start(&c);
    int leader = put(&c, "t", "0");
    wait_applied(&c, KV_RANGE);
    leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
    kv_loopback_drop_msg_type(c.lb, RAFT_MSG_APP, true); /* heartbeats keep the lease */
    mice_buf k;
    buf_init(&k);
    kv_key(&k, "t");
    kv_op put_op = {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str("1")};
    kv_request req = {.ops = &put_op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    assert_int_equal(store_send(c.n[leader].s, &req, &resp, &err), MICE_TIMEOUT);
    assert_non_null(strstr(mice_err_msg(&err), "outcome is unknown"));
    kv_op get = {.kind = KV_OP_GET, .key = buf_slice(&k)};
    kv_request rreq = {.ops = &get, .n_ops = 1};
    sleep_ms(2 * TICK_MS); /* a fresh lease view */
    store_range_info info;
    assert_int_equal(store_range_info_get(c.n[leader].s, KV_RANGE, &info), MICE_OK);
    bool lease = info.lease_valid;
    rangedesc_deinit(&info.desc);
    assert_true(lease); /* still the leaseholder ... */
    assert_int_equal(store_send(c.n[leader].s, &rreq, &resp, &err), MICE_NOT_LEADER);
    assert_non_null(strstr(mice_err_msg(&err), "outcome is unknown")); /* ... yet refuses */
    kv_loopback_drop_msg_type(c.lb, RAFT_MSG_APP, false);
    /* The stuck write commits and applies; the range serves again and sees it. */
    uint64_t deadline = now_ms() + WAIT_MS;
    mice_status rc;
    while ((rc = store_send(c.n[leader].s, &rreq, &resp, &err)) != MICE_OK) {
        assert_int_equal(rc, MICE_NOT_LEADER);
        assert_true(now_ms() < deadline);
        sleep_ms(5);
    }
    assert_true(resp.results[0].found);
    assert_int_equal(resp.results[0].value.n, 1);
    assert_int_equal(resp.results[0].value.p[0], '1');
    kv_response_deinit(&resp);
    buf_deinit(&k);
    cluster_stop(&c);
}

static void test_partitioned_leader_loses_lease(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    int leader = put(&c, "p", "1");
    wait_applied(&c, KV_RANGE);
    kv_loopback_isolate(c.lb, c.n[leader].id, true);
    /* The others elect a new leader once the old lease ran out; the old one stops
     * serving (its lease expires, ReadIndex cannot confirm). */
    uint64_t deadline = now_ms() + WAIT_MS;
    int next = -1;
    while (next < 0 || next == leader) {
        assert_true(now_ms() < deadline);
        next = wait_leaseholder(&c, KV_RANGE, 100);
        if (next == leader) sleep_ms(10);
    }
    mice_buf k;
    buf_init(&k);
    kv_key(&k, "p");
    kv_op get = {.kind = KV_OP_GET, .key = buf_slice(&k)};
    kv_request req = {.ops = &get, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = store_send(c.n[leader].s, &req, &resp, NULL);
    assert_true(rc == MICE_NOT_LEADER);
    kv_op put_op = {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str("2")};
    req.ops = &put_op;
    assert_int_equal(store_send(c.n[next].s, &req, &resp, NULL), MICE_OK);
    kv_response_deinit(&resp);
    buf_deinit(&k);
    kv_loopback_heal(c.lb);
    wait_applied(&c, KV_RANGE);
    char v[16];
    local_get(&c, leader, "p", v, sizeof v);
    assert_string_equal(v, "2");
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

static void test_lossy_network_still_replicates(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    put(&c, "start", "1");
    kv_loopback_set_drop(c.lb, KV_LOOPBACK_PPM / 10);
    kv_loopback_set_delay(c.lb, 0, 3000);
    for (int i = 0; i < 40; i++) {
        char k[16];
        snprintf(k, sizeof k, "l%d", i);
        put(&c, k, "v");
    }
    kv_loopback_heal(c.lb);
    wait_applied(&c, KV_RANGE);
    assert_replicas_equal(&c);
    cluster_stop(&c);
}

/* Sequential GETs of one key on the leaseholder: microseconds per read. *moved when the
 * lease left the node midway (a slow sanitized build can miss heartbeats): measure again. */
static double read_latency_us(cluster *c, int node, int n, bool *moved)
{
    *moved = false;
    mice_buf k;
    buf_init(&k);
    kv_key(&k, "r");
    kv_op get = {.kind = KV_OP_GET, .key = buf_slice(&k)};
    kv_request req = {.ops = &get, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    uint64_t t0 = env_mono_ns(env());
    for (int i = 0; i < n; i++) {
        mice_err err;
        mice_status rc = store_send(c->n[node].s, &req, &resp, &err);
        if (rc == MICE_NOT_LEADER) {
            *moved = true;
            break;
        }
        if (rc) fail_msg("read %d: %s", i, mice_err_msg(&err));
        assert_true(resp.results[0].found);
    }
    double us = (double)(env_mono_ns(env()) - t0) / MICE_NS_PER_US / n;
    kv_response_deinit(&resp);
    buf_deinit(&k);
    return us;
}

static void test_reads_lease_and_read_index(void **state)
{
    (void)state;
    enum { READS = 300 };
    double us[2];
    for (int off = 0; off < 2; off++) {
        cluster c = {.lease_reads_off = off};
        cluster_start(&c);
        int leader = put(&c, "r", "1");
        store_stats a = {0}, b = {0};
        bool moved = true;
        for (int attempt = 0; moved && attempt < 5; attempt++) {
            leader = wait_leaseholder(&c, KV_RANGE, WAIT_MS);
            a = store_get_stats(c.n[leader].s);
            us[off] = read_latency_us(&c, leader, READS, &moved);
            b = store_get_stats(c.n[leader].s);
        }
        assert_false(moved);
        if (off) {
            assert_int_equal(b.read_index_reads - a.read_index_reads, READS);
            assert_int_equal(b.lease_reads, a.lease_reads);
            /* Writes confirm leadership the same way. */
            put(&c, "w", "1");
            assert_true(store_get_stats(c.n[leader].s).read_index_reads > b.read_index_reads);
        } else {
            assert_true(b.lease_reads - a.lease_reads >= READS - 5); /* a renewal may miss */
        }
        cluster_stop(&c);
    }
    printf("# leaseholder read: %.1f us under the lease, %.1f us with ReadIndex (%.1fx)\n", us[0],
           us[1], us[1] / us[0]);
}

/* One synced one-shot PUT of user_key through send_fn; its latency in microseconds. */
typedef mice_status (*send_fn)(void *target, const kv_request *req, kv_response *resp);

static mice_status send_store(void *target, const kv_request *req, kv_response *resp)
{
    return store_send(target, req, resp, NULL);
}

static mice_status send_replica(void *target, const kv_request *req, kv_response *resp)
{
    return kv_replica_send(target, req, resp, NULL);
}

static double timed_put_us(send_fn fn, void *target, const char *user_key)
{
    mice_buf k;
    buf_init(&k);
    kv_key(&k, user_key);
    kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str("v")};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    uint64_t t0 = env_mono_ns(env());
    assert_int_equal(fn(target, &req, &resp), MICE_OK);
    double us = (double)(env_mono_ns(env()) - t0) / MICE_NS_PER_US;
    kv_response_deinit(&resp);
    buf_deinit(&k);
    return us;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void open_scratch(node *n, const char *tag)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "store-%s", tag);
    assert_int_equal(
        mice_tmpdir_create(getenv("MICE_TEST_TMP"), prefix, n->dir, sizeof n->dir, NULL), MICE_OK);
    engine_open_at(n);
}

static void close_scratch(node *n)
{
    engine_close(n->e);
    nftw(n->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A 1-replica group (a single node run through Raft) against the direct proposer (what
 * micedb start uses): the same synced one-shot writes, one of each in turn on engines in
 * the same file system, so both see the same machine; medians. */
static void test_single_replica_group(void **state)
{
    (void)state;
    kv_loopback *lb = kv_loopback_create(1);
    hlc *clock = hlc_create(env(), 0);
    node n = {.id = 1}, d = {0};
    open_scratch(&n, "single");
    open_scratch(&d, "direct");
    uint64_t ids[] = {1};
    range_desc descs[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&descs[i]);
    assert_int_equal(rangedesc_initial(ids, 1, descs), MICE_OK);
    assert_int_equal(store_bootstrap(n.e, descs, RANGEDESC_INITIAL_COUNT, NULL), MICE_OK);
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&descs[i]);
    store_config cfg;
    store_config_init(&cfg, 1, n.e, clock, kv_loopback_transport(lb));
    cfg.tick_ms = TICK_MS;
    cfg.heartbeat_ticks = 1;
    assert_int_equal(store_open(&cfg, &n.s, NULL), MICE_OK);
    kv_replica_config rc;
    kv_replica_config_init(&rc);
    kv_replica *direct = kv_replica_create(d.e, clock, env(), &rc);
    /* A single voter campaigns once its election timeout passes. */
    uint64_t deadline = now_ms() + WAIT_MS;
    store_range_info info;
    for (;;) {
        assert_int_equal(store_range_info_get(n.s, KV_RANGE, &info), MICE_OK);
        bool lease = info.lease_valid;
        rangedesc_deinit(&info.desc);
        if (lease) break;
        assert_true(now_ms() < deadline);
        sleep_ms(5);
    }
    enum { N = 400 };
    static double raft_us[N], direct_us[N];
    store_stats before = store_get_stats(n.s);
    for (int i = 0; i < N; i++) {
        char uk[16];
        snprintf(uk, sizeof uk, "s%d", i);
        direct_us[i] = timed_put_us(send_replica, direct, uk);
        raft_us[i] = timed_put_us(send_store, n.s, uk);
    }
    store_stats st = store_get_stats(n.s);
    qsort(raft_us, N, sizeof *raft_us, cmp_double);
    qsort(direct_us, N, sizeof *direct_us, cmp_double);
    printf("# synced one-shot write, sequential, median (p90) of %d: direct proposer %.0f us "
           "(%.0f), 1-replica Raft group %.0f us (%.0f): %.2fx; %.2f synced + %.2f unsynced "
           "batches per Raft write\n",
           N, direct_us[N / 2], direct_us[N * 9 / 10], raft_us[N / 2], raft_us[N * 9 / 10],
           raft_us[N / 2] / direct_us[N / 2],
           (double)(st.batches_synced - before.batches_synced) / N,
           (double)(st.batches_unsynced - before.batches_unsynced) / N);
    char v[8];
    cluster one = {.n = {n}};
    local_get(&one, 0, "s399", v, sizeof v);
    assert_string_equal(v, "v");
    kv_replica_destroy(direct);
    store_close(n.s);
    close_scratch(&n);
    close_scratch(&d);
    kv_loopback_destroy(lb);
    hlc_destroy(clock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_replicates_to_all),
        cmocka_unit_test(test_leader_failover),
        cmocka_unit_test(test_restart_catches_up_from_log),
        cmocka_unit_test(test_lagging_replica_gets_snapshot),
        cmocka_unit_test(test_group_commit_batches),
        cmocka_unit_test(test_crash_idempotent_apply),
        cmocka_unit_test(test_split_creates_replicated_range),
        cmocka_unit_test(test_missed_split_caught_up_by_snapshots),
        cmocka_unit_test(test_split_initialises_early_replica),
        cmocka_unit_test(test_writes_survive_leader_crash),
        cmocka_unit_test(test_timed_out_write_blocks_range_until_resolved),
        cmocka_unit_test(test_partitioned_leader_loses_lease),
        cmocka_unit_test(test_lossy_network_still_replicates),
        cmocka_unit_test(test_reads_lease_and_read_index),
        cmocka_unit_test(test_single_replica_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
