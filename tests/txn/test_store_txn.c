/* Transactions (txn_db) unchanged on top of three Raft-replicated stores in one process
 * (kv/store over the loopback transport): commits reach every replica, conflicting
 * transfers keep a bank's total, and the database carries on from another node after the
 * leaseholder dies. */
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

#include "base/env.h"
#include "kv/keys.h"
#include "kv/store.h"
#include "kv/transport_loopback.h"
#include "storage/mvcc.h"
#include "txn/support/txn_test.h"
#include "txn/txn.h"

enum { NODES = 3, TICK_MS = 10, WAIT_MS = 10000, ACCOUNTS = 8, START_BALANCE = 100 };

typedef struct node {
    char *dir;
    engine *e;
    store *s;
} node;

typedef struct cluster {
    kv_loopback *lb;
    hlc *clock;
    node n[NODES];
} cluster;

static uint64_t now_ms(void)
{
    return env_mono_ns(mice_env_real()) / MICE_NS_PER_MS;
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

static void node_start(cluster *c, int i)
{
    node *n = &c->n[i];
    engine_config ec;
    mvcc_config_init(&ec, n->dir);
    assert_int_equal(engine_open(&ec, &n->e, NULL), MICE_OK);
    store_config cfg;
    store_config_init(&cfg, (uint64_t)i + 1, n->e, c->clock, kv_loopback_transport(c->lb));
    cfg.tick_ms = TICK_MS;
    cfg.election_ticks = 10;
    cfg.heartbeat_ticks = 1;
    cfg.seed = 77 + (uint64_t)i;
    assert_int_equal(store_open(&cfg, &n->s, NULL), MICE_OK);
}

static void node_kill(cluster *c, int i)
{
    store_close(c->n[i].s);
    c->n[i].s = NULL;
    engine_close(c->n[i].e);
    c->n[i].e = NULL;
}

static void cluster_start(cluster *c)
{
    c->lb = kv_loopback_create(3);
    c->clock = hlc_create(mice_env_real(), 0);
    uint64_t ids[NODES] = {1, 2, 3};
    range_desc d[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&d[i]);
    assert_int_equal(rangedesc_initial(ids, NODES, d), MICE_OK);
    for (int i = 0; i < NODES; i++) {
        c->n[i].dir = tt_tmpdir("store-txn");
        engine_config ec;
        mvcc_config_init(&ec, c->n[i].dir);
        engine *e = NULL;
        assert_int_equal(engine_open(&ec, &e, NULL), MICE_OK);
        assert_int_equal(store_bootstrap(e, d, RANGEDESC_INITIAL_COUNT, NULL), MICE_OK);
        engine_close(e);
        node_start(c, i);
    }
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&d[i]);
}

static void cluster_stop(cluster *c)
{
    for (int i = 0; i < NODES; i++) {
        if (c->n[i].s) node_kill(c, i);
        tt_rmtree_free(c->n[i].dir);
    }
    kv_loopback_destroy(c->lb);
    hlc_destroy(c->clock);
}

/* Move the lease of every range to node i (transfers, then wait until it serves). */
static void leases_to(cluster *c, int i)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (uint64_t r = 1; r <= RANGEDESC_INITIAL_COUNT; r++) {
        for (;;) {
            store_range_info info;
            assert_int_equal(store_range_info_get(c->n[i].s, r, &info), MICE_OK);
            bool mine = info.lease_valid;
            rangedesc_deinit(&info.desc);
            if (mine) break;
            assert_true(now_ms() < deadline);
            (void)store_transfer_leader(c->n[i].s, r, (uint64_t)i + 1);
            sleep_ms(20);
        }
    }
}

static void wait_applied(cluster *c, uint64_t range_id)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    for (;;) {
        uint64_t lo = UINT64_MAX, hi = 0;
        for (int i = 0; i < NODES; i++) {
            if (!c->n[i].s) continue;
            store_range_info info;
            assert_int_equal(store_range_info_get(c->n[i].s, range_id, &info), MICE_OK);
            if (info.applied < lo) lo = info.applied;
            if (info.commit > hi) hi = info.commit;
            rangedesc_deinit(&info.desc);
        }
        if (lo >= hi) return;
        assert_true(now_ms() < deadline);
        sleep_ms(5);
    }
}

static txn_db *db_on(cluster *c, int i, kv_sender **snd, bool two_phase)
{
    *snd = kv_sender_create();
    store_add_replicas(c->n[i].s, *snd);
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.clock = c->clock;
    cfg.sender = *snd;
    cfg.force_two_phase = two_phase;
    txn_db *db = NULL;
    assert_int_equal(txn_db_create(c->n[i].e, mice_env_real(), &cfg, &db, NULL), MICE_OK);
    return db;
}

static void acct_key(mice_buf *k, int i)
{
    char name[16];
    snprintf(name, sizeof name, "acct:%d", i);
    buf_reset(k);
    keys_kv(k, mice_slice_str(name));
}

static int64_t get_balance(txn *t, int i, mice_status *rc)
{
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    acct_key(&k, i);
    bool found = false;
    *rc = txn_get(t, buf_slice(&k), &v, &found, NULL);
    int64_t bal = 0;
    if (*rc == MICE_OK && found) bal = strtoll((const char *)v.p, NULL, 10);
    buf_deinit(&k);
    buf_deinit(&v);
    return bal;
}

static mice_status set_balance(txn *t, int i, int64_t bal)
{
    mice_buf k;
    buf_init(&k);
    acct_key(&k, i);
    char val[32];
    int n = snprintf(val, sizeof val, "%" PRId64, bal);
    mice_status rc = txn_put(t, buf_slice(&k), mice_slice_of(val, (size_t)n), NULL);
    buf_deinit(&k);
    return rc;
}

static void reclaim_leases(store *home, uint64_t home_id);

static void open_accounts(txn_db *db, store *home, uint64_t home_id)
{
    for (;;) {
        txn *t = txn_begin(db, TXN_REPEATABLE_READ);
        mice_status rc = MICE_OK;
        for (int i = 0; i < ACCOUNTS && !rc; i++)
            rc = set_balance(t, i, START_BALANCE);
        if (!rc) rc = txn_commit(t, NULL);
        txn_destroy(t);
        if (rc == MICE_OK) return;
        assert_true(rc == MICE_NOT_LEADER || rc == MICE_TIMEOUT);
        reclaim_leases(home, home_id);
    }
}

static int64_t total(txn_db *db, store *home, uint64_t home_id)
{
    for (;;) {
        txn *t = txn_begin(db, TXN_REPEATABLE_READ);
        int64_t sum = 0;
        mice_status rc = MICE_OK;
        for (int i = 0; i < ACCOUNTS && !rc; i++)
            sum += get_balance(t, i, &rc);
        if (!rc) rc = txn_commit(t, NULL);
        txn_destroy(t);
        if (rc == MICE_OK) return sum;
        assert_true(rc == MICE_NOT_LEADER || rc == MICE_TIMEOUT);
        reclaim_leases(home, home_id);
    }
}

/* The committed balance of account i in node's engine, read below Raft. */
static int64_t local_balance(cluster *c, int node, int i)
{
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    acct_key(&k, i);
    bool found = false;
    hlc_ts ts = hlc_now(c->clock);
    assert_int_equal(mvcc_get(c->n[node].e, NULL, buf_slice(&k), ts, &v, &found, NULL, NULL),
                     MICE_OK);
    assert_true(found);
    buf_append_u8(&v, 0);
    int64_t bal = strtoll((const char *)v.p, NULL, 10);
    buf_deinit(&k);
    buf_deinit(&v);
    return bal;
}

typedef struct mover {
    txn_db *db;
    store *home; /* the node whose replicas db uses */
    uint64_t home_id;
    int id, transfers, done, conflicts, moved;
} mover;

/* Slow machines (sanitizers) can lose a lease to an election: ask for it back. */
static void reclaim_leases(store *home, uint64_t home_id)
{
    for (uint64_t r = 1; r <= RANGEDESC_INITIAL_COUNT; r++)
        (void)store_transfer_leader(home, r, home_id);
    sleep_ms(20);
}

static void *mover_main(void *arg)
{
    mover *m = arg;
    uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(m->id + 1);
    while (m->done < m->transfers) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int from = (int)(x % ACCOUNTS), to = (int)((x >> 8) % ACCOUNTS);
        if (from == to) continue;
        txn *t = txn_begin(m->db, TXN_REPEATABLE_READ);
        mice_status rc;
        int64_t a = get_balance(t, from, &rc);
        int64_t b = rc ? 0 : get_balance(t, to, &rc);
        if (!rc) rc = set_balance(t, from, a - 7);
        if (!rc) rc = set_balance(t, to, b + 7);
        if (!rc) rc = txn_commit(t, NULL);
        txn_destroy(t);
        if (rc == MICE_OK) {
            m->done++;
        } else if (rc == MICE_CONFLICT || rc == MICE_ABORTED || rc == MICE_CLOSED) {
            m->conflicts++;
        } else if (rc == MICE_NOT_LEADER || rc == MICE_TIMEOUT) {
            /* The lease moved, or a commit's outcome is unknown: either way the bank's
             * total holds; retry on the leaseholder. */
            m->moved++;
            reclaim_leases(m->home, m->home_id);
        } else {
            fail_msg("transfer: %s", mice_status_str(rc));
        }
    }
    return NULL;
}

static void run_movers(txn_db *db, store *home, uint64_t home_id, int n, int transfers)
{
    mover m[8];
    pthread_t th[8];
    for (int i = 0; i < n; i++) {
        m[i] = (mover){.db = db, .home = home, .home_id = home_id, .id = i, .transfers = transfers};
        pthread_create(&th[i], NULL, mover_main, &m[i]);
    }
    int conflicts = 0, moved = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        conflicts += m[i].conflicts;
        moved += m[i].moved;
    }
    printf("# %d transfers by %d movers over 3 replicas, %d retried after a conflict, %d after "
           "the lease moved\n",
           n * transfers, n, conflicts, moved);
}

static void check_replicas(cluster *c)
{
    for (uint64_t r = 1; r <= RANGEDESC_INITIAL_COUNT; r++)
        wait_applied(c, r);
    for (int i = 0; i < ACCOUNTS; i++) {
        int first = -1;
        for (int n = 0; n < NODES; n++) {
            if (!c->n[n].s) continue;
            if (first < 0) first = n;
            assert_int_equal(local_balance(c, n, i), local_balance(c, first, i));
        }
    }
    int64_t sum = 0;
    for (int n = 0; n < NODES; n++) {
        if (!c->n[n].s) continue;
        sum = 0;
        for (int i = 0; i < ACCOUNTS; i++)
            sum += local_balance(c, n, i);
        assert_int_equal(sum, ACCOUNTS * START_BALANCE);
    }
}

static void test_bank_over_replicated_store(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    leases_to(&c, 0);
    kv_sender *snd;
    txn_db *db = db_on(&c, 0, &snd, false);
    open_accounts(db, c.n[0].s, 1);
    run_movers(db, c.n[0].s, 1, 4, 25);
    assert_int_equal(total(db, c.n[0].s, 1), ACCOUNTS * START_BALANCE);
    check_replicas(&c);

    /* The leaseholder dies; the database carries on from node 2. */
    txn_db_destroy(db);
    kv_sender_destroy(snd);
    uint64_t t0 = now_ms();
    node_kill(&c, 0);
    leases_to(&c, 1);
    printf("# every lease on node 2 %" PRIu64 " ms after node 1 died\n", now_ms() - t0);
    db = db_on(&c, 1, &snd, false);
    assert_int_equal(total(db, c.n[1].s, 2), ACCOUNTS * START_BALANCE);
    run_movers(db, c.n[1].s, 2, 4, 10);
    assert_int_equal(total(db, c.n[1].s, 2), ACCOUNTS * START_BALANCE);
    check_replicas(&c);
    txn_db_destroy(db);
    kv_sender_destroy(snd);
    cluster_stop(&c);
}

static void test_two_phase_commit_over_replicated_store(void **state)
{
    (void)state;
    cluster c = {0};
    cluster_start(&c);
    leases_to(&c, 2);
    kv_sender *snd;
    txn_db *db = db_on(&c, 2, &snd, true);
    open_accounts(db, c.n[2].s, 3);
    /* A reader does not see an uncommitted write; a conflicting writer fails. */
    txn *w = txn_begin(db, TXN_REPEATABLE_READ);
    assert_int_equal(set_balance(w, 0, 1), MICE_OK);
    txn *r = txn_begin(db, TXN_REPEATABLE_READ);
    mice_status rc;
    assert_int_equal(get_balance(r, 0, &rc), START_BALANCE);
    assert_int_equal(rc, MICE_OK);
    assert_int_equal(txn_commit(w, NULL), MICE_OK);
    txn_destroy(w);
    assert_int_equal(get_balance(r, 0, &rc), START_BALANCE); /* its snapshot */
    assert_int_equal(set_balance(r, 0, 5), MICE_CONFLICT);   /* write-too-old: 40001 */
    txn_destroy(r);
    txn *t = txn_begin(db, TXN_REPEATABLE_READ);
    assert_int_equal(get_balance(t, 0, &rc), 1);
    assert_int_equal(set_balance(t, 0, START_BALANCE), MICE_OK);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    run_movers(db, c.n[2].s, 3, 3, 10);
    assert_int_equal(total(db, c.n[2].s, 3), ACCOUNTS * START_BALANCE);
    check_replicas(&c);
    txn_db_destroy(db);
    kv_sender_destroy(snd);
    cluster_stop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bank_over_replicated_store),
        cmocka_unit_test(test_two_phase_commit_over_replicated_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
