/* Records in other ranges (kv/replica.h, PUSH_TXN in kv/request.h): two Raft-replicated
 * stores in one process over the loopback transport, laid out so that node 1 holds ranges 1
 * and 3 ([min, /t), [/kv, max)) and node 2 holds range 2 ([/t, /kv)) alone: node 1's engine
 * has no copy of range 2, so a replica of range 3 meeting an intent whose primary is in
 * range 2 can only learn its transaction's state by pushing. One kv_sender over the
 * replicas of both stores routes every key (the in-process stand-in for a gateway), and
 * each store's pusher sends its PUSH_TXN through it.
 *
 * Transactions whose coordinator "dies" are written with raw kv requests (PUT the primary
 * in range 2, PUT a key in range 3, maybe END_TXN commit as 2PC, never RESOLVE).
 *
 * Checked: a committed transaction whose coordinator died before resolving is visible to
 * readers in the other range before and after the TTL, and a writer rolls it forward at its
 * commit timestamp; an abandoned PENDING transaction (and one whose record was never
 * written, begun long ago) is aborted by a writer's push, after which its commit fails; a
 * live pending transaction is neither seen by readers nor aborted by a writer, which times
 * out instead, and commits afterwards. No timing thresholds: the TTL (2 s) is waited out by
 * sleeping past it; the live case runs with the default TTL (10 s) against a writer's lock
 * timeout of 300 ms. */
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
#include "kv/keys.h"
#include "kv/sender.h"
#include "kv/store.h"
#include "kv/transport_loopback.h"
#include "storage/mvcc.h"
#include "txn/support/txn_test.h"
#include "txn/txn.h"

enum { NODES = 2, TICK_MS = 10, WAIT_MS = 10000, TTL_MS = 2000, TABLE = 100 };

typedef struct pusher_ctx {
    kv_sender *snd; /* set once the stores are open */
    atomic_int pushes;
} pusher_ctx;

typedef struct cluster {
    kv_loopback *lb;
    hlc *clock;
    char *dir[NODES];
    engine *e[NODES];
    store *s[NODES];
    pusher_ctx push;
    kv_sender *snd;
    txn_db *db;
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

static mice_status test_push(void *ctx, const kv_txn_push *p, kv_txn_pushed *out, mice_err *err)
{
    pusher_ctx *pc = ctx;
    atomic_fetch_add(&pc->pushes, 1);
    return kv_sender_push_txn(pc->snd, p, out, err);
}

/* Range 1 and 3 on node 1, range 2 on node 2, one voter each. */
static void cluster_start(uint64_t ttl_ms)
{
    memset(&C, 0, sizeof C);
    C.lb = kv_loopback_create(NODES);
    C.clock = hlc_create(mice_env_real(), 0);
    uint64_t ids[1] = {1};
    range_desc d[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&d[i]);
    assert_int_equal(rangedesc_initial(ids, 1, d), MICE_OK);
    assert_int_equal(d[1].range_id, 2);
    assert_int_equal(d[1].n_replicas, 1);
    d[1].replicas[0].node_id = 2;
    for (int i = 0; i < NODES; i++) {
        C.dir[i] = tt_tmpdir("push-txn");
        engine_config ec;
        mvcc_config_init(&ec, C.dir[i]);
        assert_int_equal(engine_open(&ec, &C.e[i], NULL), MICE_OK);
        assert_int_equal(store_bootstrap(C.e[i], d, RANGEDESC_INITIAL_COUNT, NULL), MICE_OK);
        store_config cfg;
        store_config_init(&cfg, (uint64_t)i + 1, C.e[i], C.clock, kv_loopback_transport(C.lb));
        cfg.tick_ms = TICK_MS;
        cfg.election_ticks = 10;
        cfg.heartbeat_ticks = 1;
        cfg.seed = 91 + (uint64_t)i;
        cfg.txn_ttl_ms = ttl_ms;
        cfg.txn_pusher = (kv_txn_pusher){.push = test_push, .ctx = &C.push};
        assert_int_equal(store_open(&cfg, &C.s[i], NULL), MICE_OK);
    }
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&d[i]);
    /* Every range's only replica serves. */
    uint64_t deadline = now_ms() + WAIT_MS;
    for (uint64_t r = 1; r <= RANGEDESC_INITIAL_COUNT; r++) {
        store *s = C.s[r == 2 ? 1 : 0];
        for (;;) {
            store_range_info info;
            assert_int_equal(store_range_info_get(s, r, &info), MICE_OK);
            bool ok = info.lease_valid;
            rangedesc_deinit(&info.desc);
            if (ok) break;
            assert_true(now_ms() < deadline);
            sleep_ms(10);
        }
    }
    mice_buf tk;
    buf_init(&tk);
    keys_table_prefix(&tk, TABLE);
    assert_int_equal(store_range_for_key(C.s[0], buf_slice(&tk)), 0); /* no copy of range 2 */
    assert_int_equal(store_range_for_key(C.s[1], buf_slice(&tk)), 2);
    buf_deinit(&tk);
    C.snd = kv_sender_create();
    for (int i = 0; i < NODES; i++)
        store_add_replicas(C.s[i], C.snd);
    C.push.snd = C.snd;
    txn_db_config dc;
    txn_db_config_init(&dc);
    dc.clock = C.clock;
    dc.sender = C.snd;
    assert_int_equal(txn_db_create(C.e[0], mice_env_real(), &dc, &C.db, NULL), MICE_OK);
}

static void cluster_stop(void)
{
    txn_db_destroy(C.db);
    for (int i = 0; i < NODES; i++) {
        store_close(C.s[i]);
        engine_close(C.e[i]);
        tt_rmtree_free(C.dir[i]);
    }
    kv_sender_destroy(C.snd);
    kv_loopback_destroy(C.lb);
    hlc_destroy(C.clock);
}

/* --- raw transactions: a coordinator that can die at any step ---------------------------- */

typedef struct raw_txn {
    kv_txn_meta meta;
    mice_buf primary; /* in range 2 */
    mice_buf key;     /* in range 3 */
} raw_txn;

/* Transaction id with primary /t/<TABLE>/<name> and key /kv/<name>; begun age_ms ago. */
static void raw_begin(raw_txn *t, uint64_t id, const char *name, uint64_t age_ms)
{
    buf_init(&t->primary);
    buf_init(&t->key);
    keys_table_prefix(&t->primary, TABLE);
    buf_append_slice(&t->primary, mice_slice_str(name));
    keys_kv(&t->key, mice_slice_str(name));
    hlc_ts ts = hlc_now(C.clock);
    ts.wall_ns -= age_ms * MICE_NS_PER_MS;
    t->meta = (kv_txn_meta){.id = id,
                            .primary = buf_slice(&t->primary),
                            .start_ts = ts,
                            .read_ts = ts,
                            .write_ts = ts,
                            .isolation = KV_REPEATABLE_READ,
                            .seq = 1,
                            .stmt_seq = 1};
}

static void raw_end(raw_txn *t)
{
    buf_deinit(&t->primary);
    buf_deinit(&t->key);
}

static mice_status raw_send(raw_txn *t, const kv_op *op, hlc_ts *commit_ts)
{
    kv_request req = {.txn = &t->meta, .ops = op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    mice_status rc = kv_sender_send(C.snd, &req, &resp, &err);
    if (rc == MICE_OK && commit_ts) *commit_ts = resp.results[0].commit_ts;
    kv_response_deinit(&resp);
    return rc;
}

static void raw_put(raw_txn *t, mice_slice key, const char *value)
{
    kv_op op = {.kind = KV_OP_PUT, .key = key, .value = mice_slice_str(value)};
    assert_int_equal(raw_send(t, &op, NULL), MICE_OK);
}

/* The 2PC commit point: the COMMITTED record on the primary's range (naming the intents
 * of that range only), and nothing after it. */
static mice_status raw_commit(raw_txn *t, bool with_primary, hlc_ts *commit_ts)
{
    mice_slice p = buf_slice(&t->primary);
    kv_op op = {.kind = KV_OP_END_TXN, .commit = true, .intents = &p, .n_intents = with_primary};
    return raw_send(t, &op, commit_ts);
}

static bool db_get(mice_slice key, char *out, size_t cap)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_err err;
    mice_status rc = txn_db_get(C.db, key, &v, &found, &err);
    if (rc) fprintf(stderr, "txn_db_get: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    if (found) snprintf(out, cap, "%.*s", (int)v.n, (const char *)v.p);
    buf_deinit(&v);
    return found;
}

/* --- tests ------------------------------------------------------------------------------- */

static void test_committed_but_unresolved_survives(void **state)
{
    (void)state;
    cluster_start(TTL_MS);
    raw_txn x, y, z;
    hlc_ts cx, cy, cz;
    raw_begin(&x, 1001, "x", 0);
    raw_begin(&y, 1002, "y", 0);
    raw_begin(&z, 1003, "z", 0);
    raw_txn *all[3] = {&x, &y, &z};
    hlc_ts *cts[3] = {&cx, &cy, &cz};
    const char *vals[3] = {"vx", "vy", "vz"};
    for (int i = 0; i < 3; i++) {
        raw_put(all[i], buf_slice(&all[i]->primary), "primary");
        raw_put(all[i], buf_slice(&all[i]->key), vals[i]);
        assert_int_equal(raw_commit(all[i], true, cts[i]), MICE_OK); /* then it dies */
    }
    /* Before the TTL: a one-shot reader and a transaction see x's write. */
    char out[32];
    assert_true(db_get(buf_slice(&x.key), out, sizeof out));
    assert_string_equal(out, "vx");
    assert_true(atomic_load(&C.push.pushes) > 0);
    txn *r = txn_begin(C.db, TXN_REPEATABLE_READ);
    mice_buf v;
    buf_init(&v);
    bool found = false;
    assert_int_equal(txn_get(r, buf_slice(&x.key), &v, &found, NULL), MICE_OK);
    assert_true(found);
    assert_int_equal(mice_slice_cmp(buf_slice(&v), mice_slice_str("vx")), 0);
    /* A scan of range 3 sees both unresolved committed writes and the primary's range too. */
    mice_buf s, e;
    buf_init(&s);
    buf_init(&e);
    keys_kv_span(&s, &e);
    txn_scan *sc = NULL;
    assert_int_equal(txn_scan_open(r, buf_slice(&s), buf_slice(&e), false, 0, &sc), MICE_OK);
    const kv_row *rows;
    size_t n_rows = 1, total = 0;
    while (n_rows) {
        assert_int_equal(txn_scan_next(sc, 100, &rows, &n_rows, NULL), MICE_OK);
        total += n_rows;
    }
    txn_scan_close(sc);
    assert_int_equal(total, 3);
    assert_int_equal(txn_commit(r, NULL), MICE_OK);
    txn_destroy(r);

    /* After the TTL: y is read for the first time (a fresh push), z is overwritten. */
    sleep_ms(TTL_MS + 300);
    assert_true(db_get(buf_slice(&y.key), out, sizeof out));
    assert_string_equal(out, "vy");
    txn *w = txn_begin(C.db, TXN_REPEATABLE_READ);
    found = false;
    assert_int_equal(txn_get_for_update(w, buf_slice(&z.key), &v, &found, NULL), MICE_OK);
    assert_true(found);
    assert_int_equal(mice_slice_cmp(buf_slice(&v), mice_slice_str("vz")), 0);
    assert_int_equal(txn_put(w, buf_slice(&z.key), mice_slice_str("vz2"), NULL), MICE_OK);
    assert_int_equal(txn_commit(w, NULL), MICE_OK);
    txn_destroy(w);
    assert_true(db_get(buf_slice(&z.key), out, sizeof out));
    assert_string_equal(out, "vz2");
    /* z's write was rolled forward as a version at its own commit timestamp. */
    mvcc_meta meta;
    found = false;
    assert_int_equal(mvcc_get(C.e[0], NULL, buf_slice(&z.key), cz, &v, &found, &meta, NULL),
                     MICE_OK);
    assert_true(found);
    assert_int_equal(mice_slice_cmp(buf_slice(&v), mice_slice_str("vz")), 0);
    assert_true(hlc_ts_cmp(meta.ts, cz) == 0);
    /* The primaries (their records are local to range 2) read committed too. */
    assert_true(db_get(buf_slice(&x.primary), out, sizeof out));
    assert_string_equal(out, "primary");
    buf_deinit(&v);
    buf_deinit(&s);
    buf_deinit(&e);
    for (int i = 0; i < 3; i++)
        raw_end(all[i]);
    cluster_stop();
}

static void test_abandoned_is_aborted_by_a_writer(void **state)
{
    (void)state;
    cluster_start(TTL_MS);
    /* w: PENDING record, then silence. v: an intent naming a primary never written (its
     * record missing), begun long before the TTL. */
    raw_txn w, v;
    raw_begin(&w, 2001, "w", 0);
    raw_begin(&v, 2002, "v", 3 * TTL_MS);
    raw_put(&w, buf_slice(&w.primary), "primary");
    raw_put(&w, buf_slice(&w.key), "vw");
    raw_put(&v, buf_slice(&v.key), "vv");
    char out[32];
    assert_false(db_get(buf_slice(&w.key), out, sizeof out)); /* pending: not seen */
    sleep_ms(TTL_MS + 300);
    mice_err err;
    mice_status rc = txn_db_put(C.db, buf_slice(&w.key), mice_slice_str("w2"), 0, &err);
    if (rc) fprintf(stderr, "put: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    assert_true(db_get(buf_slice(&w.key), out, sizeof out));
    assert_string_equal(out, "w2");
    /* The push left an ABORTED record: the coordinator's late commit fails. */
    assert_int_equal(raw_commit(&w, true, NULL), MICE_CONFLICT);
    assert_false(db_get(buf_slice(&w.primary), out, sizeof out));
    /* A missing record was not left missing (a later COMMITTED would resurrect it). */
    txn *t = txn_begin(C.db, TXN_REPEATABLE_READ);
    assert_int_equal(txn_put(t, buf_slice(&v.key), mice_slice_str("v2"), NULL), MICE_OK);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    assert_int_equal(raw_commit(&v, false, NULL), MICE_CONFLICT);
    assert_true(db_get(buf_slice(&v.key), out, sizeof out));
    assert_string_equal(out, "v2");
    raw_end(&w);
    raw_end(&v);
    cluster_stop();
}

static void test_live_pending_is_not_aborted(void **state)
{
    (void)state;
    cluster_start(KV_TXN_TTL_MS_DEFAULT); /* far longer than the writer's lock timeout */
    raw_txn l;
    raw_begin(&l, 3001, "l", 0);
    raw_put(&l, buf_slice(&l.primary), "primary");
    raw_put(&l, buf_slice(&l.key), "vl");
    /* A reader does not wait for it and does not see it; a writer waits, pushes, and
     * gives up at its lock timeout without aborting it. */
    char out[32];
    assert_false(db_get(buf_slice(&l.key), out, sizeof out));
    int pushes_before = atomic_load(&C.push.pushes);
    txn *t = txn_begin(C.db, TXN_REPEATABLE_READ);
    txn_set_lock_timeout(t, 300);
    mice_status rc = txn_put(t, buf_slice(&l.key), mice_slice_str("other"), NULL);
    assert_int_equal(rc, MICE_TIMEOUT);
    txn_destroy(t);
    assert_true(atomic_load(&C.push.pushes) > pushes_before);
    /* Its coordinator commits afterwards, and the write is there. */
    assert_int_equal(raw_commit(&l, true, NULL), MICE_OK);
    assert_true(db_get(buf_slice(&l.key), out, sizeof out));
    assert_string_equal(out, "vl");
    raw_end(&l);
    cluster_stop();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_but_unresolved_survives),
        cmocka_unit_test(test_abandoned_is_aborted_by_a_writer),
        cmocka_unit_test(test_live_pending_is_not_aborted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
