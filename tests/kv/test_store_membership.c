/* Replica changes on stores in one process over the loopback transport, with real engines
 * in temporary directories: a fourth node added to a range (learner, SST snapshot,
 * promotion), a replica removed (its data cleared), the leader removed (the lease moves
 * first), unsafe changes refused, and the placement step replacing a dead node. */
#include <inttypes.h>
#include <pthread.h>
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
#include "kv/placement.h"
#include "kv/raftlog.h"
#include "kv/store.h"
#include "kv/transport_loopback.h"
#include "storage/mvcc.h"

enum {
    NODES_MAX = 4,
    TICK_MS = 10,
    WAIT_MS = 15000,
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
    int n_nodes; /* nodes 1..n_boot hold the initial ranges; the others join empty */
    int n_boot;
    node n[NODES_MAX];
    uint64_t catchup_timeout_ms;
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
    cfg.seed = 2000 + n->id;
    cfg.proposal_timeout_ms = 5000;
    cfg.catchup_timeout_ms = c->catchup_timeout_ms ? c->catchup_timeout_ms : WAIT_MS;
    cfg.join = i >= c->n_boot;
    mice_err err;
    mice_status rc = store_open(&cfg, &n->s, &err);
    if (rc) fprintf(stderr, "store_open: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
}

static void node_kill(cluster *c, int i)
{
    node *n = &c->n[i];
    store_close(n->s);
    n->s = NULL;
    engine_close(n->e);
    n->e = NULL;
}

static void cluster_start(cluster *c, int n_nodes, int n_boot)
{
    c->n_nodes = n_nodes;
    c->n_boot = n_boot;
    c->lb = kv_loopback_create(11);
    c->clock = hlc_create(env(), 0);
    const char *root = getenv("MICE_TEST_TMP");
    uint64_t ids[NODES_MAX];
    for (int i = 0; i < n_nodes; i++)
        ids[i] = (uint64_t)i + 1;
    range_desc descs[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&descs[i]);
    assert_int_equal(rangedesc_initial(ids, (size_t)n_boot, descs), MICE_OK);
    for (int i = 0; i < n_nodes; i++) {
        node *n = &c->n[i];
        n->id = ids[i];
        char prefix[32];
        snprintf(prefix, sizeof prefix, "member-n%d", i + 1);
        assert_int_equal(mice_tmpdir_create(root, prefix, n->dir, sizeof n->dir, NULL), MICE_OK);
        engine_open_at(n);
        if (i < n_boot)
            assert_int_equal(store_bootstrap(n->e, descs, RANGEDESC_INITIAL_COUNT, NULL), MICE_OK);
    }
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&descs[i]);
    for (int i = 0; i < n_nodes; i++)
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
    for (int i = 0; i < c->n_nodes; i++) {
        if (c->n[i].s || c->n[i].e) node_kill(c, i);
        nftw(c->n[i].dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    kv_loopback_destroy(c->lb);
    hlc_destroy(c->clock);
}

/* The node whose replica of range_id serves local reads, or -1 by the deadline. */
static int wait_leaseholder(cluster *c, uint64_t range_id)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    do {
        for (int i = 0; i < c->n_nodes; i++) {
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

/* One request through whichever node serves it (retrying NOT_LEADER). */
static void send_anywhere(cluster *c, const kv_request *req, kv_response *resp)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        for (int i = 0; i < c->n_nodes; i++) {
            if (!c->n[i].s) continue;
            mice_err err;
            mice_status rc = store_send(c->n[i].s, req, resp, &err);
            if (rc == MICE_OK) return;
            if (rc != MICE_NOT_LEADER && rc != MICE_CLOSED && rc != MICE_TIMEOUT &&
                rc != MICE_NOTFOUND)
                fail_msg("request on n%d: %s", i + 1, mice_err_msg(&err));
        }
        if (now_ms() > deadline) fail_msg("no node served the request");
        sleep_ms(5);
    }
}

static void put(cluster *c, const char *user_key, const char *value)
{
    mice_buf k;
    buf_init(&k);
    kv_key(&k, user_key);
    kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&k), .value = mice_slice_str(value)};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    send_anywhere(c, &req, &resp);
    kv_response_deinit(&resp);
    buf_deinit(&k);
}

/* A read through the leaseholder (Raft lease or ReadIndex). */
static void get(cluster *c, const char *user_key, char *out, size_t cap)
{
    mice_buf k;
    buf_init(&k);
    kv_key(&k, user_key);
    kv_op op = {.kind = KV_OP_GET, .key = buf_slice(&k)};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    send_anywhere(c, &req, &resp);
    out[0] = 0;
    if (resp.results[0].found)
        snprintf(out, cap, "%.*s", (int)resp.results[0].value.n,
                 (const char *)resp.results[0].value.p);
    kv_response_deinit(&resp);
    buf_deinit(&k);
}

/* The value in node i's engine (bypassing Raft), or "" if absent. */
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

/* Run a replica change on whichever node leads the range, following NOT_LEADER answers
 * (the removed leader hands its lease over first) and waiting out BUSY. */
static mice_status change(cluster *c, uint64_t range_id, store_replica_op op, uint64_t node_id,
                          range_desc *out, int *not_leader_answers)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        for (int i = 0; i < c->n_nodes; i++) {
            if (!c->n[i].s) continue;
            mice_err err;
            mice_status rc = store_change_replicas(c->n[i].s, range_id, op, node_id, out, &err);
            if (rc == MICE_OK) return MICE_OK;
            if (rc == MICE_NOT_LEADER && strstr(mice_err_msg(&err), "retry there") &&
                not_leader_answers)
                ++*not_leader_answers;
            if (rc != MICE_NOT_LEADER && rc != MICE_NOTFOUND && rc != MICE_BUSY)
                return rc;
        }
        if (now_ms() > deadline) return MICE_TIMEOUT;
        sleep_ms(10);
    }
}

/* Every running node holding a replica of range_id has the same descriptor as want. */
static void wait_descs_agree(cluster *c, uint64_t range_id, const range_desc *want)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        bool agree = true;
        for (int i = 0; i < c->n_nodes && agree; i++) {
            if (!c->n[i].s || !rangedesc_replica_on(want, c->n[i].id)) continue;
            store_range_info info;
            mice_status rc = store_range_info_get(c->n[i].s, range_id, &info);
            agree = rc == MICE_OK && info.desc.generation == want->generation &&
                    info.desc.n_replicas == want->n_replicas;
            for (uint32_t r = 0; agree && r < want->n_replicas; r++) {
                const range_replica *got =
                    rangedesc_replica_on(&info.desc, want->replicas[r].node_id);
                agree = got && got->replica_id == want->replicas[r].replica_id &&
                        got->type == want->replicas[r].type;
            }
            rangedesc_deinit(&info.desc);
        }
        if (agree) return;
        if (now_ms() > deadline) fail_msg("replicas of r%" PRIu64 " disagree", range_id);
        sleep_ms(5);
    }
}

/* Wait until node i dropped its replica of range_id (NOTFOUND) and cleared key. */
static void wait_removed(cluster *c, int i, uint64_t range_id, const char *user_key)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        store_range_info info;
        mice_status rc = store_range_info_get(c->n[i].s, range_id, &info);
        rangedesc_deinit(&info.desc);
        char v[64];
        local_get(c, i, user_key, v, sizeof v);
        if (rc == MICE_NOTFOUND && v[0] == 0) return;
        if (now_ms() > deadline) fail_msg("n%d still holds r%" PRIu64, i + 1, range_id);
        sleep_ms(5);
    }
}

/* The range directory's entry for desc's range, read through range 1's leaseholder. */
static uint64_t directory_generation(cluster *c, const range_desc *desc)
{
    mice_buf k;
    buf_init(&k);
    rangedesc_dir_key(&k, buf_slice(&desc->start));
    kv_op op = {.kind = KV_OP_GET, .key = buf_slice(&k)};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    send_anywhere(c, &req, &resp);
    assert_true(resp.results[0].found);
    range_desc d;
    rangedesc_init(&d);
    mice_slice in = buf_slice(&resp.results[0].value);
    assert_int_equal(rangedesc_decode(&in, &d), MICE_OK);
    assert_int_equal(d.range_id, desc->range_id);
    uint64_t g = d.generation;
    rangedesc_deinit(&d);
    kv_response_deinit(&resp);
    buf_deinit(&k);
    return g;
}

/* Write desc's directory entry at range 1's leaseholder (what store_placement_step does
 * after a change it ran). */
static void write_directory(cluster *c, const range_desc *desc)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        for (int i = 0; i < c->n_nodes; i++) {
            if (!c->n[i].s) continue;
            if (store_update_directory(c->n[i].s, desc, NULL) == MICE_OK) return;
        }
        if (now_ms() > deadline) fail_msg("directory not written");
        sleep_ms(5);
    }
}

static void assert_voters(const range_desc *d, const uint64_t *nodes, size_t n)
{
    assert_int_equal(d->n_replicas, n);
    assert_int_equal(rangedesc_voter_count(d), n);
    for (size_t i = 0; i < n; i++)
        assert_non_null(rangedesc_replica_on(d, nodes[i]));
}

/* --- tests --------------------------------------------------------------------------------- */

/* Replicas on 1, 2, 3 -> add 4 -> write -> remove 1: everything readable through the new
 * leaseholder, the new replica holds it all, the removed one holds nothing. */
static void test_add_then_remove(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c, 4, 3);
    assert_true(wait_leaseholder(&c, KV_RANGE) >= 0);
    /* A node holding no replica gets no traffic: nothing unknown arrives. */
    assert_int_equal(store_get_stats(c.n[3].s).msgs_unknown_range, 0);
    for (int i = 0; i < 50; i++) {
        char k[32];
        snprintf(k, sizeof k, "before-%02d", i);
        put(&c, k, "b");
    }
    uint64_t t0 = now_ms();
    range_desc d;
    rangedesc_init(&d);
    assert_int_equal(change(&c, KV_RANGE, STORE_REPLICA_ADD, 4, &d, NULL), MICE_OK);
    printf("# n4 added to r3 (learner, snapshot, promotion) in %" PRIu64 " ms\n", now_ms() - t0);
    uint64_t four[] = {1, 2, 3, 4};
    assert_voters(&d, four, 4);
    assert_int_equal(d.generation, 3); /* bootstrap 1, learner 2, voter 3 */
    assert_int_equal(rangedesc_replica_on(&d, 4)->replica_id, 4);
    wait_descs_agree(&c, KV_RANGE, &d);
    store_stats st4 = store_get_stats(c.n[3].s);
    assert_true(st4.snapshots_installed >= 1);
    assert_true(st4.replica_changes >= 1);
    /* Adding a voter again is refused; so is a node 0. */
    mice_err err;
    int lh = wait_leaseholder(&c, KV_RANGE);
    assert_int_equal(store_change_replicas(c.n[lh].s, KV_RANGE, STORE_REPLICA_ADD, 4, NULL, &err),
                     MICE_INVALID);
    assert_int_equal(store_change_replicas(c.n[lh].s, KV_RANGE, STORE_REPLICA_ADD, 0, NULL, &err),
                     MICE_INVALID);
    assert_int_equal(
        store_change_replicas(c.n[lh].s, KV_RANGE, STORE_REPLICA_REMOVE, 9, NULL, &err),
        MICE_INVALID);

    put(&c, "after-add", "a");
    char v[64];
    uint64_t deadline = now_ms() + WAIT_MS;
    do { /* n4 applies it as a voter */
        local_get(&c, 3, "after-add", v, sizeof v);
        if (!v[0]) sleep_ms(5);
    } while (!v[0] && now_ms() < deadline);
    assert_string_equal(v, "a");
    local_get(&c, 3, "before-07", v, sizeof v);
    assert_string_equal(v, "b");

    t0 = now_ms();
    int handed_over = 0;
    assert_int_equal(change(&c, KV_RANGE, STORE_REPLICA_REMOVE, 1, &d, &handed_over), MICE_OK);
    printf("# n1 removed from r3 in %" PRIu64 " ms (%d lease hand-overs first)\n",
           now_ms() - t0, handed_over);
    uint64_t three[] = {2, 3, 4};
    assert_voters(&d, three, 3);
    assert_int_equal(d.generation, 4);
    assert_int_equal(rangedesc_next_replica_id(&d), 5);
    wait_descs_agree(&c, KV_RANGE, &d);
    wait_removed(&c, 0, KV_RANGE, "before-07");
    assert_int_equal(store_get_stats(c.n[0].s).replicas_removed, 1);
    /* n1 keeps its other ranges, also after a restart; r3 does not come back (its
     * descriptor is gone and a tombstone turns late messages away). */
    node_kill(&c, 0);
    node_start(&c, 0);
    store_range_info info;
    assert_int_equal(store_range_info_get(c.n[0].s, 1, &info), MICE_OK);
    rangedesc_deinit(&info.desc);
    assert_int_equal(store_range_info_get(c.n[0].s, KV_RANGE, &info), MICE_NOTFOUND);
    rangedesc_deinit(&info.desc);
    uint64_t ids[8];
    assert_int_equal(store_range_ids(c.n[0].s, ids, 8), 2);

    put(&c, "after-remove", "r");
    int leader = wait_leaseholder(&c, KV_RANGE);
    assert_true(leader >= 1);
    get(&c, "before-42", v, sizeof v);
    assert_string_equal(v, "b");
    get(&c, "after-add", v, sizeof v);
    assert_string_equal(v, "a");
    get(&c, "after-remove", v, sizeof v);
    assert_string_equal(v, "r");
    /* The directory follows the descriptor. */
    write_directory(&c, &d);
    assert_int_equal(directory_generation(&c, &d), d.generation);
    rangedesc_deinit(&d);
    cluster_stop(&c);
}

/* The leaseholder asked to remove itself hands the lease over first; the new leader then
 * removes it, and the range keeps serving with two voters. Removing the last voter of a
 * range is refused. */
static void test_remove_leader(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c, 3, 3);
    int leader = wait_leaseholder(&c, KV_RANGE);
    assert_true(leader >= 0);
    put(&c, "k", "v1");
    mice_err err;
    range_desc d;
    rangedesc_init(&d);
    uint64_t removed = c.n[leader].id;
    mice_status rc =
        store_change_replicas(c.n[leader].s, KV_RANGE, STORE_REPLICA_REMOVE, removed, &d, &err);
    assert_int_equal(rc, MICE_NOT_LEADER);
    assert_non_null(strstr(mice_err_msg(&err), "leader is node"));
    int next = wait_leaseholder(&c, KV_RANGE);
    assert_true(next >= 0);
    assert_int_not_equal(next, leader);
    assert_int_equal(change(&c, KV_RANGE, STORE_REPLICA_REMOVE, removed, &d, NULL), MICE_OK);
    assert_int_equal(rangedesc_voter_count(&d), 2);
    assert_null(rangedesc_replica_on(&d, removed));
    wait_descs_agree(&c, KV_RANGE, &d);
    wait_removed(&c, leader, KV_RANGE, "k");
    put(&c, "k", "v2");
    char v[64];
    get(&c, "k", v, sizeof v);
    assert_string_equal(v, "v2");
    /* Down to one voter, then the last one stays. */
    uint64_t other = d.replicas[0].node_id == c.n[next].id ? d.replicas[1].node_id
                                                            : d.replicas[0].node_id;
    assert_int_equal(change(&c, KV_RANGE, STORE_REPLICA_REMOVE, other, &d, NULL), MICE_OK);
    assert_int_equal(rangedesc_voter_count(&d), 1);
    int last = wait_leaseholder(&c, KV_RANGE);
    assert_true(last >= 0);
    assert_int_equal(c.n[last].id, d.replicas[0].node_id);
    assert_int_equal(store_change_replicas(c.n[last].s, KV_RANGE, STORE_REPLICA_REMOVE,
                                           c.n[last].id, NULL, &err),
                     MICE_INVALID);
    get(&c, "k", v, sizeof v);
    assert_string_equal(v, "v2");
    rangedesc_deinit(&d);
    cluster_stop(&c);
}

/* A node removed from a range and added back gets a new replica id (ids are never reused;
 * its tombstone turns away messages for the old one), a snapshot, and the data again. */
static void test_readd_removed_node(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c, 3, 3);
    assert_true(wait_leaseholder(&c, KV_RANGE) >= 0);
    put(&c, "k", "before");
    range_desc d;
    rangedesc_init(&d);
    assert_int_equal(change(&c, KV_RANGE, STORE_REPLICA_REMOVE, 3, &d, NULL), MICE_OK);
    wait_removed(&c, 2, KV_RANGE, "k");
    put(&c, "k", "while-away");
    assert_int_equal(change(&c, KV_RANGE, STORE_REPLICA_ADD, 3, &d, NULL), MICE_OK);
    uint64_t all[] = {1, 2, 3};
    assert_voters(&d, all, 3);
    assert_int_equal(rangedesc_replica_on(&d, 3)->replica_id, 4);
    wait_descs_agree(&c, KV_RANGE, &d);
    put(&c, "k2", "back");
    char v[64];
    uint64_t deadline = now_ms() + WAIT_MS;
    do {
        local_get(&c, 2, "k2", v, sizeof v);
        if (!v[0]) sleep_ms(5);
    } while (!v[0] && now_ms() < deadline);
    assert_string_equal(v, "back");
    local_get(&c, 2, "k", v, sizeof v);
    assert_string_equal(v, "while-away");
    assert_int_equal(store_get_stats(c.n[2].s).replicas_removed, 1);
    rangedesc_deinit(&d);
    cluster_stop(&c);
}

typedef struct busy_call {
    store *s;
    mice_status rc;
} busy_call;

static void *add_to_stopped_node(void *arg)
{
    busy_call *b = arg;
    mice_err err;
    b->rc = store_change_replicas(b->s, KV_RANGE, STORE_REPLICA_ADD, 4, NULL, &err);
    return NULL;
}

/* While an add waits for its learner (on a node that is down), a second change is
 * refused with MICE_BUSY; the add gives up with MICE_TIMEOUT leaving the learner, and a
 * later add of the same node, once it is up, resumes and promotes it. */
static void test_one_change_at_a_time(void **state)
{
    (void)state;
    cluster c = {0};
    c.catchup_timeout_ms = 1500;
    cluster_start(&c, 4, 3);
    node_kill(&c, 3);
    int leader = wait_leaseholder(&c, KV_RANGE);
    assert_true(leader >= 0);
    put(&c, "x", "1");
    busy_call b = {.s = c.n[leader].s};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, add_to_stopped_node, &b), 0);
    /* The learner is in once the descriptor says so. */
    uint64_t deadline = now_ms() + WAIT_MS;
    bool learner = false;
    while (!learner && now_ms() < deadline) {
        store_range_info info;
        if (store_range_info_get(c.n[leader].s, KV_RANGE, &info) == MICE_OK) {
            const range_replica *r = rangedesc_replica_on(&info.desc, 4);
            learner = r && r->type == RANGE_REPLICA_LEARNER;
        }
        rangedesc_deinit(&info.desc);
        if (!learner) sleep_ms(5);
    }
    assert_true(learner);
    mice_err err;
    assert_int_equal(store_change_replicas(c.n[leader].s, KV_RANGE, STORE_REPLICA_REMOVE,
                                           c.n[(leader + 1) % 3].id, NULL, &err),
                     MICE_BUSY);
    pthread_join(t, NULL);
    assert_int_equal(b.rc, MICE_TIMEOUT);
    node_start(&c, 3);
    range_desc d;
    rangedesc_init(&d);
    assert_int_equal(change(&c, KV_RANGE, STORE_REPLICA_ADD, 4, &d, NULL), MICE_OK);
    uint64_t four[] = {1, 2, 3, 4};
    assert_voters(&d, four, 4);
    char v[64];
    deadline = now_ms() + WAIT_MS;
    do {
        local_get(&c, 3, "x", v, sizeof v);
        if (!v[0]) sleep_ms(5);
    } while (!v[0] && now_ms() < deadline);
    assert_string_equal(v, "1");
    rangedesc_deinit(&d);
    cluster_stop(&c);
}

/* The placement step's change runs on the range's leaseholder, wherever it is (an RPC in a
 * real cluster). */
static mice_status change_on_leaseholder(void *ctx, const placement_change *pc, range_desc *out,
                                         mice_err *err)
{
    cluster *c = ctx;
    store_replica_op op = pc->op == PLACEMENT_ADD ? STORE_REPLICA_ADD : STORE_REPLICA_REMOVE;
    mice_status rc = change(c, pc->range_id, op, pc->node_id, out, NULL);
    if (rc) mice_err_setf(err, rc, "change failed");
    return rc;
}

/* Replicas on 1, 2, 3; node 3 is down past the timeout: the placement step adds a
 * replica on node 4 and removes node 3's, range after range, until every range has three
 * voters again; the data stays readable and the directory follows. */
static void test_placement_replaces_dead_node(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c, 4, 3);
    for (uint64_t r = 1; r <= RANGEDESC_INITIAL_COUNT; r++)
        assert_true(wait_leaseholder(&c, r) >= 0);
    put(&c, "kept", "yes");
    node_kill(&c, 2);
    placement_config cfg;
    placement_config_init(&cfg);
    placement_node nodes[] = {
        {.node_id = 1, .live = true},
        {.node_id = 2, .live = true},
        {.node_id = 3, .live = false, .down_ms = cfg.dead_timeout_ms},
        {.node_id = 4, .live = true},
    };
    /* Before the timeout the suspect node is left alone. */
    nodes[2].down_ms = cfg.dead_timeout_ms - 1;
    int lh = wait_leaseholder(&c, 1);
    assert_true(lh >= 0);
    placement_change done;
    mice_err err;
    assert_int_equal(store_placement_step(c.n[lh].s, nodes, 4, &cfg, change_on_leaseholder, &c,
                                          &done, &err),
                     MICE_OK);
    assert_int_equal(done.op, PLACEMENT_NONE);
    nodes[2].down_ms = cfg.dead_timeout_ms;
    uint64_t t0 = now_ms();
    int adds = 0, removes = 0;
    for (int step = 0; step < 20; step++) {
        lh = wait_leaseholder(&c, 1);
        assert_true(lh >= 0);
        mice_status rc = store_placement_step(c.n[lh].s, nodes, 4, &cfg, change_on_leaseholder,
                                              &c, &done, &err);
        if (rc == MICE_NOT_LEADER) continue; /* range 1's lease moved meanwhile */
        if (rc) fail_msg("placement step: %s", mice_err_msg(&err));
        if (done.op == PLACEMENT_NONE) break;
        adds += done.op == PLACEMENT_ADD;
        removes += done.op == PLACEMENT_REMOVE;
    }
    printf("# placement: %d adds, %d removals in %" PRIu64 " ms\n", adds, removes,
           now_ms() - t0);
    assert_int_equal(done.op, PLACEMENT_NONE);
    assert_int_equal(adds, RANGEDESC_INITIAL_COUNT);
    assert_int_equal(removes, RANGEDESC_INITIAL_COUNT);
    uint64_t live[] = {1, 2, 4};
    for (uint64_t r = 1; r <= RANGEDESC_INITIAL_COUNT; r++) {
        int i = wait_leaseholder(&c, r);
        assert_true(i >= 0);
        store_range_info info;
        assert_int_equal(store_range_info_get(c.n[i].s, r, &info), MICE_OK);
        assert_voters(&info.desc, live, 3);
        wait_descs_agree(&c, r, &info.desc);
        assert_int_equal(directory_generation(&c, &info.desc), info.desc.generation);
        rangedesc_deinit(&info.desc);
    }
    char v[64];
    get(&c, "kept", v, sizeof v);
    assert_string_equal(v, "yes");
    local_get(&c, 3, "kept", v, sizeof v);
    assert_string_equal(v, "yes");
    cluster_stop(&c);
}

/* A node stopped after applying its removal but while the joint config still counted it
 * finds a descriptor without itself at start-up: it clears that range and leaves a
 * tombstone instead of loading it. */
static void test_restart_finishes_removal(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c, 3, 3);
    int leader = wait_leaseholder(&c, KV_RANGE);
    assert_true(leader >= 0);
    put(&c, "left-behind", "x");
    char v[64];
    uint64_t deadline = now_ms() + WAIT_MS;
    do {
        local_get(&c, 0, "left-behind", v, sizeof v);
        if (!v[0]) sleep_ms(5);
    } while (!v[0] && now_ms() < deadline);
    assert_string_equal(v, "x");
    store_range_info info;
    assert_int_equal(store_range_info_get(c.n[0].s, KV_RANGE, &info), MICE_OK);
    /* What n1 would hold after applying its removal: the descriptor without n1. */
    range_desc d;
    rangedesc_init(&d);
    rangedesc_copy(&d, &info.desc);
    rangedesc_deinit(&info.desc);
    rangedesc_remove_replica(&d, rangedesc_replica_on(&d, 1)->replica_id);
    d.generation++;
    store_close(c.n[0].s);
    c.n[0].s = NULL;
    mice_buf k, val;
    buf_init(&k);
    buf_init(&val);
    raftlog_desc_key(&k, KV_RANGE);
    rangedesc_encode(&d, &val);
    engine_batch *b = engine_batch_create(c.n[0].e);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&val));
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    node_start(&c, 0);
    assert_int_equal(store_range_info_get(c.n[0].s, KV_RANGE, &info), MICE_NOTFOUND);
    rangedesc_deinit(&info.desc);
    local_get(&c, 0, "left-behind", v, sizeof v);
    assert_string_equal(v, "");
    bool found = false;
    raftlog_tombstone_key(&k, KV_RANGE);
    assert_int_equal(engine_get(c.n[0].e, STORE_CF_RAFT, NULL, buf_slice(&k), &val, &found, NULL),
                     MICE_OK);
    assert_true(found);
    raftlog_desc_key(&k, KV_RANGE);
    assert_int_equal(engine_get(c.n[0].e, STORE_CF_RAFT, NULL, buf_slice(&k), &val, &found, NULL),
                     MICE_OK);
    assert_false(found);
    /* Its other ranges are still there. */
    assert_int_equal(store_range_info_get(c.n[0].s, 1, &info), MICE_OK);
    rangedesc_deinit(&info.desc);
    buf_deinit(&k);
    buf_deinit(&val);
    rangedesc_deinit(&d);
    cluster_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_then_remove),
        cmocka_unit_test(test_remove_leader),
        cmocka_unit_test(test_readd_removed_node),
        cmocka_unit_test(test_one_change_at_a_time),
        cmocka_unit_test(test_placement_replaces_dead_node),
        cmocka_unit_test(test_restart_finishes_removal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
