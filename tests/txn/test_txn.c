/* Scenarios for txn: visibility, isolation levels, lock waits, deadlocks, aborts,
 * durability, scans over intents, the READ COMMITTED restart path, 2PC, SERIALIZABLE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>

#include "base/env.h"
#include "kv/locktable.h"
#include "kv/sender.h"
#include "storage/mvcc.h"
#include "txn/support/txn_test.h"

static void commit_kv(txn_db *db, const char *key, const char *value)
{
    txn *t = txn_begin(db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t, key, value), MICE_OK);
    mice_err err;
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    txn_destroy(t);
}

static locktable *lt_of(txn_db *db)
{
    return kv_replica_locktable(kv_sender_replica(txn_db_sender(db), 0));
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

/* Wait (bounded) until n requests wait in the lock table. */
static void await_waiters(txn_db *db, uint64_t n)
{
    for (int i = 0; i < 2000 && locktable_waiting(lt_of(db)) < n; i++)
        sleep_ms(1);
    assert_int_equal(locktable_waiting(lt_of(db)), n);
}

static void test_visibility(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "vis", NULL);
    char v[64];
    txn *t1 = txn_begin(env.db, TXN_READ_COMMITTED);
    txn *rr = txn_begin(env.db, TXN_REPEATABLE_READ);
    assert_int_equal(tt_put(t1, "a", "1"), MICE_OK);
    assert_true(tt_get(t1, "a", v, sizeof v, NULL)); /* own write */
    assert_string_equal(v, "1");
    txn *t2 = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_false(tt_get(t2, "a", v, sizeof v, NULL)); /* others' uncommitted: invisible */
    assert_false(tt_db_get(env.db, "a", v, sizeof v));
    mice_err err;
    assert_int_equal(txn_commit(t1, &err), MICE_OK);
    assert_false(tt_get(t2, "a", v, sizeof v, NULL)); /* same statement: same snapshot */
    txn_statement_begin(t2);
    assert_true(tt_get(t2, "a", v, sizeof v, NULL)); /* RC: new statement, new snapshot */
    txn_statement_begin(rr);
    assert_false(tt_get(rr, "a", v, sizeof v, NULL)); /* RR: snapshot from before */
    assert_true(tt_db_get(env.db, "a", v, sizeof v));
    assert_int_equal(tt_count_intents(env.e), 0);
    txn_destroy(t1);
    txn_destroy(t2);
    txn_destroy(rr);
    tt_close(&env);
}

typedef struct writer_arg {
    txn *t;
    const char *key, *value;
    mice_status rc;
    bool done;
    bool retry_statement; /* run as a statement with READ COMMITTED restarts */
    int runs;
} writer_arg;

static mice_status put_stmt(txn *t, void *ctx, mice_err *err)
{
    writer_arg *a = ctx;
    a->runs++;
    return txn_put(t, mice_slice_str(a->key), mice_slice_str(a->value), err);
}

static void *writer_main(void *p)
{
    writer_arg *a = p;
    mice_err err;
    if (a->retry_statement)
        a->rc = txn_run_statement(a->t, put_stmt, a, &err);
    else
        a->rc = txn_put(a->t, mice_slice_str(a->key), mice_slice_str(a->value), &err);
    __atomic_store_n(&a->done, true, __ATOMIC_RELEASE);
    return NULL;
}

/* t1 holds k; t2 (isolation iso) writes k in a thread and must wait until t1 ends. */
static void concurrent_writers(txn_isolation iso, bool t1_commits, mice_status want, int want_runs)
{
    tt_env env;
    tt_open(&env, "ww", NULL);
    commit_kv(env.db, "k", "0");
    txn *t1 = txn_begin(env.db, TXN_READ_COMMITTED);
    txn *t2 = txn_begin(env.db, iso);
    assert_int_equal(tt_put(t1, "k", "t1"), MICE_OK);
    writer_arg a = {
        .t = t2, .key = "k", .value = "t2", .retry_statement = iso == TXN_READ_COMMITTED};
    pthread_t th;
    pthread_create(&th, NULL, writer_main, &a);
    await_waiters(env.db, 1);
    sleep_ms(20);
    assert_false(__atomic_load_n(&a.done, __ATOMIC_ACQUIRE)); /* still waiting */
    mice_err err;
    if (t1_commits)
        assert_int_equal(txn_commit(t1, &err), MICE_OK);
    else
        assert_int_equal(txn_rollback(t1, &err), MICE_OK);
    pthread_join(th, NULL);
    assert_int_equal(a.rc, want);
    if (iso == TXN_READ_COMMITTED) assert_int_equal(a.runs, want_runs);
    char v[64];
    if (want == MICE_OK) {
        assert_int_equal(txn_commit(t2, &err), MICE_OK);
        assert_true(tt_db_get(env.db, "k", v, sizeof v));
        assert_string_equal(v, "t2");
    } else {
        assert_string_equal(txn_sqlstate(a.rc), "40001");
        assert_int_equal(txn_commit(t2, &err), MICE_CLOSED);
        assert_true(tt_db_get(env.db, "k", v, sizeof v));
        assert_string_equal(v, "t1");
    }
    assert_int_equal(tt_count_intents(env.e), 0);
    txn_destroy(t1);
    txn_destroy(t2);
    tt_close(&env);
}

static void test_rr_writer_waits_then_conflicts(void **state)
{
    (void)state;
    concurrent_writers(TXN_REPEATABLE_READ, true, MICE_CONFLICT, 0);
}

static void test_rc_writer_waits_then_restarts(void **state)
{
    (void)state;
    concurrent_writers(TXN_READ_COMMITTED, true, MICE_OK, 2);
}

static void test_writer_proceeds_after_abort(void **state)
{
    (void)state;
    concurrent_writers(TXN_REPEATABLE_READ, false, MICE_OK, 0);
    concurrent_writers(TXN_READ_COMMITTED, false, MICE_OK, 1);
}

static void test_rr_snapshot_vs_rc(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "iso", NULL);
    commit_kv(env.db, "a", "0");
    txn *rr = txn_begin(env.db, TXN_REPEATABLE_READ);
    txn *rc = txn_begin(env.db, TXN_READ_COMMITTED);
    char v[64];
    assert_true(tt_get(rr, "a", v, sizeof v, NULL));
    commit_kv(env.db, "a", "1");
    txn_statement_begin(rr);
    txn_statement_begin(rc);
    assert_true(tt_get(rr, "a", v, sizeof v, NULL));
    assert_string_equal(v, "0");
    assert_true(tt_get(rc, "a", v, sizeof v, NULL));
    assert_string_equal(v, "1");
    /* RR: a write to a row committed after the snapshot is a serialization failure. */
    assert_int_equal(tt_put(rr, "a", "2"), MICE_CONFLICT);
    assert_int_equal(tt_put(rr, "b", "2"), MICE_CLOSED); /* the transaction failed */
    txn_destroy(rr);
    txn_destroy(rc);
    tt_close(&env);
}

static void test_deadlock_victim_is_youngest(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "dl", NULL);
    txn *older = txn_begin(env.db, TXN_READ_COMMITTED);
    txn *younger = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(older, "a", "older"), MICE_OK);
    assert_int_equal(tt_put(younger, "b", "younger"), MICE_OK);
    writer_arg a = {.t = older, .key = "b", .value = "older"};
    pthread_t th;
    pthread_create(&th, NULL, writer_main, &a);
    await_waiters(env.db, 1);
    mice_status rc = tt_put(younger, "a", "younger"); /* closes the cycle */
    assert_int_equal(rc, MICE_ABORTED);
    assert_string_equal(txn_sqlstate(rc), "40P01");
    pthread_join(th, NULL); /* the victim's locks were released at once */
    assert_int_equal(a.rc, MICE_OK);
    mice_err err;
    assert_int_equal(txn_commit(older, &err), MICE_OK);
    assert_int_equal(locktable_deadlocks(lt_of(env.db)), 1);
    char v[64];
    assert_true(tt_db_get(env.db, "a", v, sizeof v));
    assert_string_equal(v, "older");
    assert_true(tt_db_get(env.db, "b", v, sizeof v));
    assert_string_equal(v, "older");
    txn_destroy(older);
    txn_destroy(younger);
    tt_close(&env);
}

static void test_deadlock_victim_waiting_is_woken(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "dl2", NULL);
    txn *older = txn_begin(env.db, TXN_READ_COMMITTED);
    txn *younger = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(older, "a", "older"), MICE_OK);
    assert_int_equal(tt_put(younger, "b", "younger"), MICE_OK);
    writer_arg a = {.t = younger, .key = "a", .value = "younger"};
    pthread_t th;
    pthread_create(&th, NULL, writer_main, &a); /* the younger waits first */
    await_waiters(env.db, 1);
    assert_int_equal(tt_put(older, "b", "older"), MICE_OK); /* victim woken, aborted */
    pthread_join(th, NULL);
    assert_int_equal(a.rc, MICE_ABORTED);
    mice_err err;
    assert_int_equal(txn_commit(older, &err), MICE_OK);
    txn_destroy(older);
    txn_destroy(younger);
    tt_close(&env);
}

static void test_lock_timeout(void **state)
{
    (void)state;
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.lock_timeout_ms = 50;
    tt_env env;
    tt_open(&env, "lto", &cfg);
    txn *t1 = txn_begin(env.db, TXN_READ_COMMITTED);
    txn *t2 = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t1, "a", "1"), MICE_OK);
    mice_status rc = tt_put(t2, "a", "2");
    assert_int_equal(rc, MICE_TIMEOUT);
    assert_string_equal(txn_sqlstate(rc), "55P03");
    mice_err err;
    assert_int_equal(txn_commit(t1, &err), MICE_OK);
    txn_destroy(t1);
    txn_destroy(t2);
    tt_close(&env);
}

static void test_abort_removes_intents(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "abort", NULL);
    commit_kv(env.db, "b", "old");
    txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
    assert_int_equal(tt_put(t, "a", "1"), MICE_OK);
    assert_int_equal(tt_put(t, "b", "2"), MICE_OK);
    mice_err err;
    assert_int_equal(txn_delete(t, MICE_SLICE_LIT("b"), &err), MICE_OK);
    assert_int_equal(tt_count_intents(env.e), 2);
    assert_int_equal(txn_rollback(t, &err), MICE_OK);
    assert_int_equal(tt_count_intents(env.e), 0);
    char v[64];
    assert_false(tt_db_get(env.db, "a", v, sizeof v));
    assert_true(tt_db_get(env.db, "b", v, sizeof v));
    assert_string_equal(v, "old");
    txn_destroy(t);
    /* txn_destroy of an open transaction rolls it back too */
    t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t, "c", "1"), MICE_OK);
    txn_destroy(t);
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

static void test_commit_survives_reopen(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "dur", NULL);
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t, "x", "1"), MICE_OK);
    assert_int_equal(tt_put(t, "y", "2"), MICE_OK);
    mice_err err;
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    txn_destroy(t);
    tt_close_keep(&env); /* no flush: only the WAL has it */
    tt_reopen(&env);
    char v[64];
    assert_true(tt_db_get(env.db, "x", v, sizeof v));
    assert_string_equal(v, "1");
    assert_true(tt_db_get(env.db, "y", v, sizeof v));
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

/* Collect a scan as "k=v," text, pulling batches of batch_rows. */
static void scan_text(txn *t, const char *start, const char *end, bool reverse, size_t limit,
                      size_t batch_rows, char *out, size_t cap)
{
    txn_scan *s = NULL;
    assert_int_equal(
        txn_scan_open(t, mice_slice_str(start), mice_slice_str(end), reverse, limit, &s), MICE_OK);
    out[0] = 0;
    for (;;) {
        const kv_row *rows;
        size_t n;
        mice_err err;
        assert_int_equal(txn_scan_next(s, batch_rows, &rows, &n, &err), MICE_OK);
        if (n == 0) break;
        assert_true(n <= batch_rows);
        for (size_t i = 0; i < n; i++)
            snprintf(out + strlen(out), cap - strlen(out), "%.*s=%.*s,", (int)rows[i].key.n,
                     (const char *)rows[i].key.p, (int)rows[i].value.n,
                     (const char *)rows[i].value.p);
    }
    txn_scan_close(s);
}

static void test_scan_over_intents(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "scan", NULL);
    const char *keys[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++)
        commit_kv(env.db, keys[i], "0");
    txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
    txn *other = txn_begin(env.db, TXN_REPEATABLE_READ);
    mice_err err;
    assert_int_equal(tt_put(t, "b", "1"), MICE_OK);
    assert_int_equal(txn_delete(t, MICE_SLICE_LIT("c"), &err), MICE_OK);
    assert_int_equal(tt_put(t, "bb", "1"), MICE_OK);
    assert_int_equal(tt_put(t, "e", "1"), MICE_OK);
    assert_int_equal(tt_put(other, "a", "9"), MICE_OK);
    char out[256];
    scan_text(t, "", "", false, 0, 2, out, sizeof out);
    assert_string_equal(out, "a=0,b=1,bb=1,d=0,e=1,");
    scan_text(t, "", "", true, 0, 2, out, sizeof out);
    assert_string_equal(out, "e=1,d=0,bb=1,b=1,a=0,");
    scan_text(t, "b", "e", false, 2, 1, out, sizeof out);
    assert_string_equal(out, "b=1,bb=1,");
    scan_text(t, "a", "d", true, 0, 1, out, sizeof out);
    assert_string_equal(out, "bb=1,b=1,a=0,");
    scan_text(other, "", "", false, 0, 3, out, sizeof out);
    assert_string_equal(out, "a=9,b=0,c=0,d=0,");
    txn_destroy(t);
    txn_destroy(other);
    tt_close(&env);
}

/* CLEAR_RANGE removes every version and intent of its span at once, and nothing else;
 * scans that follow (also reverse, also from transactions begun before) see the rest. */
static void test_clear_range(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "clear", NULL);
    const char *keys[] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++) {
        commit_kv(env.db, keys[i], "0");
        commit_kv(env.db, keys[i], "1"); /* two versions each */
    }
    txn *pending = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(pending, "c", "9"), MICE_OK);  /* an intent inside the span */
    assert_int_equal(tt_put(pending, "cc", "9"), MICE_OK); /* and one without a version */
    assert_int_equal(tt_put(pending, "e", "9"), MICE_OK);  /* one outside */
    mice_err err;
    assert_int_equal(txn_db_clear_range(env.db, MICE_SLICE_LIT("b"), MICE_SLICE_LIT("d"), &err),
                     MICE_OK);
    txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
    char out[256];
    scan_text(t, "", "", false, 0, 2, out, sizeof out);
    assert_string_equal(out, "a=1,d=1,e=1,");
    scan_text(t, "", "", true, 0, 1, out, sizeof out);
    assert_string_equal(out, "e=1,d=1,a=1,");
    /* The cleared intents are gone: a writer does not wait for them. */
    assert_int_equal(tt_put(t, "c", "2"), MICE_OK);
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    txn_destroy(t);
    /* Only e's intent is left, and the pending transaction's next statement shows it. */
    assert_int_equal(tt_count_intents(env.e), 1);
    txn_statement_end(pending);
    txn_statement_begin(pending);
    scan_text(pending, "", "", false, 0, 10, out, sizeof out);
    assert_string_equal(out, "a=1,c=2,d=1,e=9,");
    txn_destroy(pending);
    tt_close(&env);
}

typedef struct incr_ctx {
    const char *key;
    int runs;
} incr_ctx;

static mice_status incr_stmt(txn *t, void *p, mice_err *err)
{
    incr_ctx *c = p;
    c->runs++;
    char v[64];
    mice_status rc;
    tt_get(t, c->key, v, sizeof v, &rc);
    if (rc) return rc;
    snprintf(v, sizeof v, "%d", atoi(v) + 1);
    return txn_put(t, mice_slice_str(c->key), mice_slice_str(v), err);
}

static void test_write_too_old_restarts_statement(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "wto", NULL);
    commit_kv(env.db, "n", "10");
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t, "x", "1"), MICE_OK); /* statement 1 */
    txn_statement_begin(t);                         /* statement 2, undone below */
    assert_int_equal(tt_put(t, "x", "2"), MICE_OK);
    assert_int_equal(tt_put(t, "y", "2"), MICE_OK);
    char v[64];
    assert_true(tt_get(t, "n", v, sizeof v, NULL));
    commit_kv(env.db, "n", "20"); /* after the statement's snapshot */
    assert_int_equal(tt_put(t, "n", "11"), MICE_AGAIN);
    /* The statement's writes are undone and the snapshot is fresh. */
    assert_true(tt_get(t, "x", v, sizeof v, NULL));
    assert_string_equal(v, "1");
    assert_false(tt_get(t, "y", v, sizeof v, NULL));
    assert_true(tt_get(t, "n", v, sizeof v, NULL));
    assert_string_equal(v, "20");
    incr_ctx c = {.key = "n"};
    mice_err err;
    assert_int_equal(txn_run_statement(t, incr_stmt, &c, &err), MICE_OK);
    assert_int_equal(c.runs, 1);
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    assert_true(tt_db_get(env.db, "n", v, sizeof v));
    assert_string_equal(v, "21");
    assert_true(tt_db_get(env.db, "x", v, sizeof v));
    assert_string_equal(v, "1");
    assert_false(tt_db_get(env.db, "y", v, sizeof v));
    assert_int_equal(tt_count_intents(env.e), 0);
    txn_destroy(t);
    tt_close(&env);
}

static void test_two_phase_commit(void **state)
{
    (void)state;
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.force_two_phase = true;
    tt_env env;
    tt_open(&env, "2pc", &cfg);
    commit_kv(env.db, "a", "0");
    txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
    assert_int_equal(tt_put(t, "a", "1"), MICE_OK);
    assert_int_equal(tt_put(t, "b", "1"), MICE_OK);
    mice_err err;
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    char v[64];
    assert_true(tt_db_get(env.db, "a", v, sizeof v));
    assert_string_equal(v, "1");
    assert_true(tt_db_get(env.db, "b", v, sizeof v));
    assert_int_equal(tt_count_intents(env.e), 0);
    txn_destroy(t);
    tt_close(&env);
}

/* Write skew: both read x and y, each clears one. SERIALIZABLE refuses the second. */
static void write_skew(txn_isolation iso, mice_status want_second)
{
    tt_env env;
    tt_open(&env, "skew", NULL);
    commit_kv(env.db, "x", "1");
    commit_kv(env.db, "y", "1");
    txn *t1 = txn_begin(env.db, iso), *t2 = txn_begin(env.db, iso);
    char v[64];
    tt_get(t1, "x", v, sizeof v, NULL);
    tt_get(t1, "y", v, sizeof v, NULL);
    tt_get(t2, "x", v, sizeof v, NULL);
    tt_get(t2, "y", v, sizeof v, NULL);
    assert_int_equal(tt_put(t1, "x", "0"), MICE_OK);
    assert_int_equal(tt_put(t2, "y", "0"), MICE_OK);
    mice_err err;
    assert_int_equal(txn_commit(t1, &err), MICE_OK);
    assert_int_equal(txn_commit(t2, &err), want_second);
    assert_int_equal(tt_count_intents(env.e), 0);
    txn_destroy(t1);
    txn_destroy(t2);
    tt_close(&env);
}

static void test_serializable_refuses_write_skew(void **state)
{
    (void)state;
    write_skew(TXN_REPEATABLE_READ, MICE_OK);
    write_skew(TXN_SERIALIZABLE, MICE_CONFLICT);
}

static void test_serializable_scan_span(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "serscan", NULL);
    txn *t = txn_begin(env.db, TXN_SERIALIZABLE);
    char out[64];
    scan_text(t, "p/", "p0", false, 0, 10, out, sizeof out);
    assert_string_equal(out, "");
    commit_kv(env.db, "p/new", "1"); /* a phantom in the span t read */
    assert_int_equal(tt_put(t, "q", "1"), MICE_OK);
    mice_err err;
    assert_int_equal(txn_commit(t, &err), MICE_CONFLICT);
    txn_destroy(t);
    tt_close(&env);
}

static void test_select_for_update(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "sfu", NULL);
    commit_kv(env.db, "a", "5");
    txn *t1 = txn_begin(env.db, TXN_REPEATABLE_READ);
    txn *t2 = txn_begin(env.db, TXN_REPEATABLE_READ);
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_err err;
    assert_int_equal(txn_get_for_update(t1, MICE_SLICE_LIT("a"), &v, &found, &err), MICE_OK);
    assert_true(found);
    writer_arg a = {.t = t2, .key = "a", .value = "t2"};
    pthread_t th;
    pthread_create(&th, NULL, writer_main, &a);
    await_waiters(env.db, 1);
    assert_int_equal(txn_commit(t1, &err), MICE_OK); /* a lock writes no version */
    pthread_join(th, NULL);
    assert_int_equal(a.rc, MICE_OK);
    assert_int_equal(txn_commit(t2, &err), MICE_OK);
    buf_deinit(&v);
    txn_destroy(t1);
    txn_destroy(t2);
    tt_close(&env);
}

static void test_one_shot_kv(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "oneshot", NULL);
    mice_err err;
    char v[64];
    assert_int_equal(txn_db_put(env.db, MICE_SLICE_LIT("k"), MICE_SLICE_LIT("v"), 0, &err),
                     MICE_OK);
    assert_true(tt_db_get(env.db, "k", v, sizeof v));
    assert_int_equal(txn_db_delete(env.db, MICE_SLICE_LIT("k"), &err), MICE_OK);
    assert_false(tt_db_get(env.db, "k", v, sizeof v));
    assert_int_equal(txn_db_put(env.db, MICE_SLICE_LIT("ttl"), MICE_SLICE_LIT("v"), 1, &err),
                     MICE_OK);
    assert_false(tt_db_get(env.db, "ttl", v, sizeof v)); /* expired long ago */
    /* A one-shot write waits for a transaction's lock like any writer. */
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t, "k", "txn"), MICE_OK);
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    assert_true(tt_db_get(env.db, "k", v, sizeof v));
    assert_string_equal(v, "txn");
    txn_destroy(t);
    tt_close(&env);
}

/* KV TTL through transactions: an expiry travels with the intent into the version, reads
 * report it, read-modify-write keeps or drops it, and an expired write is invisible. */
static void test_kv_expiry_in_transactions(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "ttltxn", NULL);
    mice_err err;
    mice_buf v;
    buf_init(&v);
    bool found = false;
    uint64_t exp = 0, future = env_wall_ns(mice_env_real()) + 3600ull * MICE_NS_PER_S;
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(txn_put_with_expiry(t, MICE_SLICE_LIT("a"), MICE_SLICE_LIT("1"), future, &err),
                     MICE_OK);
    assert_int_equal(txn_put_with_expiry(t, MICE_SLICE_LIT("gone"), MICE_SLICE_LIT("x"), 1, &err),
                     MICE_OK);
    assert_int_equal(txn_get(t, MICE_SLICE_LIT("gone"), &v, &found, &err), MICE_OK);
    assert_false(found); /* an expired own write is not seen either */
    assert_int_equal(txn_get_for_update_with_expiry(t, MICE_SLICE_LIT("a"), &v, &found, &exp, &err),
                     MICE_OK);
    assert_true(found && exp == future); /* own intent: value and expiry */
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    txn_destroy(t);
    assert_int_equal(txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("a"), &v, &found, &exp, &err),
                     MICE_OK);
    assert_true(found && exp == future);
    assert_int_equal(txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("gone"), &v, &found, &exp, &err),
                     MICE_OK);
    assert_false(found);
    assert_true(exp == 0);
    /* read-modify-write: keep the TTL, then drop it with a plain put */
    t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(txn_get_for_update_with_expiry(t, MICE_SLICE_LIT("a"), &v, &found, &exp, &err),
                     MICE_OK);
    assert_true(found && exp == future);
    assert_int_equal(txn_put_with_expiry(t, MICE_SLICE_LIT("a"), MICE_SLICE_LIT("2"), exp, &err),
                     MICE_OK);
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    txn_destroy(t);
    assert_int_equal(txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("a"), &v, &found, &exp, &err),
                     MICE_OK);
    assert_true(found && exp == future && v.n == 1 && v.p[0] == '2');
    t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(txn_put(t, MICE_SLICE_LIT("a"), MICE_SLICE_LIT("3"), &err), MICE_OK);
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    txn_destroy(t);
    assert_int_equal(txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("a"), &v, &found, &exp, &err),
                     MICE_OK);
    assert_true(found && exp == 0);
    /* scans skip an expired value */
    assert_int_equal(txn_db_put(env.db, MICE_SLICE_LIT("b"), MICE_SLICE_LIT("x"), 1, &err),
                     MICE_OK);
    t = txn_begin(env.db, TXN_REPEATABLE_READ);
    /* and so does the scan's own expired write (an intent, merged into the scan) */
    assert_int_equal(txn_put_with_expiry(t, MICE_SLICE_LIT("c"), MICE_SLICE_LIT("x"), 1, &err),
                     MICE_OK);
    txn_scan *sc = NULL;
    assert_int_equal(txn_scan_open(t, MICE_SLICE_LIT("a"), MICE_SLICE_LIT("z"), false, 0, &sc),
                     MICE_OK);
    const kv_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(txn_scan_next(sc, 0, &rows, &n, &err), MICE_OK);
    assert_int_equal(n, 1); /* only "a" */
    txn_scan_close(sc);
    txn_destroy(t);
    buf_deinit(&v);
    tt_close(&env);
}

/* The background purge tombstones expired keys in bounded steps and leaves alone live
 * keys, keys without a TTL and keys a transaction holds. */
static void test_kv_purge_expired(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "purge", NULL);
    mice_err err;
    char key[16];
    uint64_t future = env_wall_ns(mice_env_real()) + 3600ull * MICE_NS_PER_S;
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "k%02d", i);
        uint64_t exp = i % 2 ? 1 : (i == 4 ? future : 0); /* odd: expired; k04: later */
        assert_int_equal(txn_db_put(env.db, mice_slice_str(key), MICE_SLICE_LIT("v"), exp, &err),
                         MICE_OK);
    }
    /* k09 is expired but a transaction holds its lock: not purged */
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    mice_buf v, resume;
    buf_init(&v);
    buf_init(&resume);
    bool found = true, more = true;
    assert_int_equal(txn_get_for_update(t, MICE_SLICE_LIT("k09"), &v, &found, &err), MICE_OK);
    assert_false(found);
    size_t total = 0, steps = 0, n = 0;
    mice_buf start;
    buf_init(&start);
    buf_append_str(&start, "k");
    while (more) {
        assert_int_equal(txn_db_purge_expired(env.db, buf_slice(&start), MICE_SLICE_LIT("l"), 3,
                                              &resume, &more, &n, &err),
                         MICE_OK);
        total += n;
        steps++;
        buf_reset(&start);
        buf_append_slice(&start, buf_slice(&resume));
        assert_true(steps < 10);
    }
    assert_int_equal(total, 4); /* k01 k03 k05 k07 */
    assert_true(steps >= 4);    /* 10 keys, 3 per step */
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "k%02d", i);
        bool exists = false;
        mvcc_meta meta;
        assert_int_equal(mvcc_newest(env.e, NULL, mice_slice_str(key), &exists, &meta, &err),
                         MICE_OK);
        assert_true(exists);
        assert_int_equal(meta.tombstone, i % 2 == 1 && i != 9);
    }
    assert_int_equal(txn_commit(t, &err), MICE_OK);
    txn_destroy(t);
    buf_reset(&resume);
    assert_int_equal(txn_db_purge_expired(env.db, MICE_SLICE_LIT("k"), MICE_SLICE_LIT("l"), 100,
                                          &resume, &more, &n, &err),
                     MICE_OK);
    assert_int_equal(n, 1); /* k09, now that its lock is gone */
    assert_false(more);
    assert_true(tt_db_get(env.db, "k00", key, sizeof key));
    assert_true(tt_db_get(env.db, "k04", key, sizeof key));
    buf_deinit(&v);
    buf_deinit(&resume);
    buf_deinit(&start);
    tt_close(&env);
}

/* The planted bug for the bank checker (test_stress.c): reads spread over READ COMMITTED
 * statements see two snapshots, so a transfer committed between them tears the total,
 * and a sum checker must notice. Inside one statement (or under REPEATABLE READ) not. */
static void test_statements_see_different_snapshots(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "torn", NULL);
    commit_kv(env.db, "a", "50");
    commit_kv(env.db, "b", "50");
    txn *rc = txn_begin(env.db, TXN_READ_COMMITTED);
    txn *rr = txn_begin(env.db, TXN_REPEATABLE_READ);
    char v[64];
    tt_get(rc, "a", v, sizeof v, NULL);
    int rc_total = atoi(v);
    tt_get(rr, "a", v, sizeof v, NULL);
    int rr_total = atoi(v);
    txn *w = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(w, "a", "40"), MICE_OK);
    assert_int_equal(tt_put(w, "b", "60"), MICE_OK);
    mice_err err;
    assert_int_equal(txn_commit(w, &err), MICE_OK);
    txn_statement_begin(rc);
    txn_statement_begin(rr);
    tt_get(rc, "b", v, sizeof v, NULL);
    rc_total += atoi(v);
    tt_get(rr, "b", v, sizeof v, NULL);
    rr_total += atoi(v);
    assert_int_equal(rc_total, 110); /* torn: what the checker exists to catch */
    assert_int_equal(rr_total, 100);
    txn_destroy(w);
    txn_destroy(rc);
    txn_destroy(rr);
    tt_close(&env);
}

static void test_insert_and_session_lock_timeout(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "insert", NULL);
    commit_kv(env.db, "taken", "1");
    txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
    mice_err err;
    mice_status rc = txn_insert(t, MICE_SLICE_LIT("taken"), MICE_SLICE_LIT("2"), &err);
    assert_int_equal(rc, MICE_EXISTS);
    assert_string_equal(txn_sqlstate(rc), "23505");
    assert_int_equal(txn_insert(t, MICE_SLICE_LIT("new"), MICE_SLICE_LIT("1"), &err), MICE_OK);
    assert_int_equal(txn_insert(t, MICE_SLICE_LIT("new"), MICE_SLICE_LIT("1"), &err), MICE_EXISTS);
    assert_int_equal(txn_delete(t, MICE_SLICE_LIT("taken"), &err), MICE_OK);
    assert_int_equal(txn_insert(t, MICE_SLICE_LIT("taken"), MICE_SLICE_LIT("3"), &err), MICE_OK);
    /* another session's INSERT of the same new key waits (here: times out) */
    txn *t2 = txn_begin(env.db, TXN_READ_COMMITTED);
    txn_set_lock_timeout(t2, 30);
    rc = txn_insert(t2, MICE_SLICE_LIT("new"), MICE_SLICE_LIT("9"), &err);
    assert_int_equal(rc, MICE_TIMEOUT);
    assert_int_equal(txn_commit(t, &err), MICE_OK); /* still usable after MICE_EXISTS */
    char v[64];
    assert_true(tt_db_get(env.db, "taken", v, sizeof v));
    assert_string_equal(v, "3");
    txn *t3 = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(txn_insert(t3, MICE_SLICE_LIT("new"), MICE_SLICE_LIT("9"), &err), MICE_EXISTS);
    txn_destroy(t);
    txn_destroy(t2);
    txn_destroy(t3);
    tt_close(&env);
}

/* A wall clock the test can step back. */
static uint64_t fake_wall_ns;

static uint64_t fake_wall(void *ctx)
{
    (void)ctx;
    return fake_wall_ns;
}

static uint64_t real_mono(void *ctx)
{
    (void)ctx;
    return env_mono_ns(mice_env_real());
}

static uint64_t real_entropy(void *ctx)
{
    (void)ctx;
    return env_entropy(mice_env_real());
}

static void real_sleep(void *ctx, uint64_t ns)
{
    (void)ctx;
    env_sleep_ns(mice_env_real(), ns);
}

static void test_commits_stay_visible_when_clock_steps_back(void **state)
{
    (void)state;
    static const mice_env stepped = {real_mono, fake_wall, real_entropy, real_sleep, NULL};
    tt_env env;
    tt_open(&env, "clockback", NULL);
    tt_close_keep(&env);
    env.env = &stepped;
    fake_wall_ns = env_wall_ns(mice_env_real());
    tt_reopen(&env);
    commit_kv(env.db, "k", "before");
    tt_close_keep(&env);
    fake_wall_ns -= 3600ull * MICE_NS_PER_S; /* an NTP step while the node was down */
    tt_reopen(&env);
    char v[64];
    assert_true(tt_db_get(env.db, "k", v, sizeof v)); /* the clock was forwarded */
    commit_kv(env.db, "k", "after");
    assert_true(tt_db_get(env.db, "k", v, sizeof v));
    assert_string_equal(v, "after");
    tt_close(&env);
}

/* Count the rows of a scan over everything in t; the expiry of the row keyed `key` goes
 * to *expiry (left alone when absent). */
static size_t scan_all(txn *t, const char *key, uint64_t *expiry)
{
    txn_scan *sc = NULL;
    assert_int_equal(txn_scan_open(t, MICE_SLICE_LIT(""), MICE_SLICE_LIT(""), false, 0, &sc),
                     MICE_OK);
    size_t total = 0, n = 0;
    const kv_row *rows;
    mice_err err;
    do {
        assert_int_equal(txn_scan_next(sc, 0, &rows, &n, &err), MICE_OK);
        for (size_t i = 0; i < n; i++)
            if (mice_slice_eq(buf_slice(&rows[i].key), mice_slice_of(key, strlen(key))))
                *expiry = rows[i].expiry_wall_ns;
        total += n;
    } while (n);
    txn_scan_close(sc);
    return total;
}

/* A transactional put with an expiry: the transaction sees its own value and expiry, the
 * commit (1PC and 2PC) makes them the version's, and past the expiry the value is gone
 * for one-shot reads, transactional reads, scans and INSERT's existence check - also
 * while it is still the transaction's own uncommitted write. */
static void test_put_with_expiry(void **state)
{
    (void)state;
    static const mice_env stepped = {real_mono, fake_wall, real_entropy, real_sleep, NULL};
    for (int two_phase = 0; two_phase < 2; two_phase++) {
        txn_db_config cfg;
        txn_db_config_init(&cfg);
        cfg.force_two_phase = two_phase;
        tt_env env;
        fake_wall_ns = env_wall_ns(mice_env_real());
        tt_open(&env, "expiry", &cfg);
        tt_close_keep(&env);
        env.env = &stepped;
        tt_reopen(&env);
        uint64_t exp = fake_wall_ns + 10ull * MICE_NS_PER_S, got = 0;
        mice_err err;
        mice_buf v;
        buf_init(&v);
        bool found = false;
        txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
        assert_int_equal(
            txn_put_with_expiry(t, MICE_SLICE_LIT("a"), MICE_SLICE_LIT("1"), exp, &err), MICE_OK);
        assert_int_equal(tt_put(t, "b", "plain"), MICE_OK);
        assert_int_equal(txn_get_with_expiry(t, MICE_SLICE_LIT("a"), &v, &found, &got, &err),
                         MICE_OK);
        assert_true(found);
        assert_true(got == exp);
        got = 0;
        assert_int_equal(scan_all(t, "a", &got), 2);
        assert_true(got == exp);
        assert_int_equal(txn_commit(t, &err), MICE_OK);
        txn_destroy(t);
        got = 0;
        assert_int_equal(
            txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("a"), &v, &found, &got, &err), MICE_OK);
        assert_true(found);
        assert_true(got == exp);
        assert_int_equal(
            txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("b"), &v, &found, &got, &err), MICE_OK);
        assert_true(found);
        assert_true(got == 0);
        t = txn_begin(env.db, TXN_READ_COMMITTED);
        got = 0;
        assert_int_equal(scan_all(t, "a", &got), 2);
        assert_true(got == exp);
        /* the own write of c expires 1 s from now */
        assert_int_equal(txn_put_with_expiry(t, MICE_SLICE_LIT("c"), MICE_SLICE_LIT("3"),
                                             fake_wall_ns + MICE_NS_PER_S, &err),
                         MICE_OK);
        fake_wall_ns += 11ull * MICE_NS_PER_S; /* past both expiries */
        assert_int_equal(
            txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("a"), &v, &found, &got, &err), MICE_OK);
        assert_false(found);
        txn_statement_begin(t);
        assert_int_equal(txn_get_with_expiry(t, MICE_SLICE_LIT("c"), &v, &found, &got, &err),
                         MICE_OK);
        assert_false(found);
        assert_int_equal(scan_all(t, "a", &got), 1); /* only b */
        assert_int_equal(txn_insert(t, MICE_SLICE_LIT("c"), MICE_SLICE_LIT("new"), &err), MICE_OK);
        assert_int_equal(txn_insert(t, MICE_SLICE_LIT("a"), MICE_SLICE_LIT("new"), &err), MICE_OK);
        assert_int_equal(txn_commit(t, &err), MICE_OK);
        txn_destroy(t);
        assert_int_equal(
            txn_db_get_with_expiry(env.db, MICE_SLICE_LIT("c"), &v, &found, &got, &err), MICE_OK);
        assert_true(found);
        assert_true(got == 0); /* the INSERT wrote no expiry */
        buf_deinit(&v);
        tt_close(&env);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_visibility),
        cmocka_unit_test(test_rr_writer_waits_then_conflicts),
        cmocka_unit_test(test_rc_writer_waits_then_restarts),
        cmocka_unit_test(test_writer_proceeds_after_abort),
        cmocka_unit_test(test_rr_snapshot_vs_rc),
        cmocka_unit_test(test_deadlock_victim_is_youngest),
        cmocka_unit_test(test_deadlock_victim_waiting_is_woken),
        cmocka_unit_test(test_lock_timeout),
        cmocka_unit_test(test_abort_removes_intents),
        cmocka_unit_test(test_commit_survives_reopen),
        cmocka_unit_test(test_scan_over_intents),
        cmocka_unit_test(test_clear_range),
        cmocka_unit_test(test_write_too_old_restarts_statement),
        cmocka_unit_test(test_two_phase_commit),
        cmocka_unit_test(test_serializable_refuses_write_skew),
        cmocka_unit_test(test_serializable_scan_span),
        cmocka_unit_test(test_select_for_update),
        cmocka_unit_test(test_one_shot_kv),
        cmocka_unit_test(test_commits_stay_visible_when_clock_steps_back),
        cmocka_unit_test(test_statements_see_different_snapshots),
        cmocka_unit_test(test_insert_and_session_lock_timeout),
        cmocka_unit_test(test_kv_expiry_in_transactions),
        cmocka_unit_test(test_kv_purge_expired),
        cmocka_unit_test(test_put_with_expiry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
