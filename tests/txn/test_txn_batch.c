/* Scenarios for txn_write_batch: many writes in one kv request - success, own writes,
 * a unique violation in the middle (which write failed), duplicates inside a batch,
 * rollback, the READ COMMITTED restart, REPEATABLE READ's conflict, a lock wait, and a
 * batch whose keys fall in two replicas. */
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

enum { KEYS_MAX = 512 };

/* Writes of kind for the keys "<prefix><i>" (i in [from, to)), value "<tag><i>"; the
 * strings live in the batch. */
typedef struct batch {
    txn_write w[KEYS_MAX];
    char keys[KEYS_MAX][24], vals[KEYS_MAX][24];
    size_t n;
} batch;

static void add(batch *b, txn_write_kind kind, const char *key, const char *val)
{
    assert_true(b->n < KEYS_MAX);
    snprintf(b->keys[b->n], sizeof b->keys[0], "%s", key);
    snprintf(b->vals[b->n], sizeof b->vals[0], "%s", val ? val : "");
    b->w[b->n] = (txn_write){
        .kind = kind, .key = mice_slice_str(b->keys[b->n]), .value = mice_slice_str(b->vals[b->n])};
    b->n++;
}

static void add_range(batch *b, txn_write_kind kind, const char *prefix, int from, int to,
                      const char *tag)
{
    for (int i = from; i < to; i++) {
        char k[24], v[24];
        snprintf(k, sizeof k, "%s%03d", prefix, i);
        snprintf(v, sizeof v, "%s%d", tag, i);
        add(b, kind, k, v);
    }
}

static mice_status write_batch(txn *t, const batch *b, size_t *failed)
{
    mice_err err;
    return txn_write_batch(t, b->w, b->n, failed, &err);
}

static void commit_kv(txn_db *db, const char *key, const char *value)
{
    txn *t = txn_begin(db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t, key, value), MICE_OK);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
}

static void expect(txn *t, const char *key, const char *want)
{
    char v[64];
    mice_status rc;
    bool found = tt_get(t, key, v, sizeof v, &rc);
    assert_int_equal(rc, MICE_OK);
    if (!want) {
        assert_false(found);
        return;
    }
    assert_true(found);
    assert_string_equal(v, want);
}

static void expect_db(txn_db *db, const char *key, const char *want)
{
    char v[64];
    bool found = tt_db_get(db, key, v, sizeof v);
    assert_int_equal(found, want != NULL);
    if (want) assert_string_equal(v, want);
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

static void test_batch_success(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "batch-ok", NULL);
    commit_kv(env.db, "gone", "old");
    commit_kv(env.db, "k005", "old5");
    static batch b;
    b.n = 0;
    add_range(&b, TXN_WRITE_INSERT, "a", 0, 200, "A");
    add_range(&b, TXN_WRITE_PUT, "k", 0, 10, "K"); /* a put over a live key is fine */
    add(&b, TXN_WRITE_DELETE, "gone", NULL);
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    size_t failed = 0;
    assert_int_equal(write_batch(t, &b, &failed), MICE_OK);
    assert_int_equal(failed, b.n);
    expect(t, "a000", "A0");
    expect(t, "a199", "A199");
    expect(t, "k005", "K5");
    expect(t, "gone", NULL);
    expect_db(env.db, "a000", NULL); /* not committed yet */
    expect_db(env.db, "k005", "old5");
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_db(env.db, "a000", "A0");
    expect_db(env.db, "a123", "A123");
    expect_db(env.db, "k005", "K5");
    expect_db(env.db, "gone", NULL);
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

static void test_batch_duplicate_in_the_middle(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "batch-dup", NULL);
    commit_kv(env.db, "a050", "taken");
    static batch b;
    b.n = 0;
    add_range(&b, TXN_WRITE_INSERT, "a", 0, 100, "A");
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    size_t failed = 0;
    mice_err err;
    assert_int_equal(txn_write_batch(t, b.w, b.n, &failed, &err), MICE_EXISTS);
    assert_int_equal(err.code, MICE_EXISTS);
    assert_int_equal(failed, 50);
    /* the writes before the failing one are applied, the ones after it are not */
    expect(t, "a049", "A49");
    expect(t, "a050", "taken");
    expect(t, "a051", NULL);
    /* the transaction stays usable (txn_insert's contract) */
    assert_int_equal(tt_put(t, "z", "1"), MICE_OK);

    /* a key inserted twice in one batch: the second insert fails */
    b.n = 0;
    add(&b, TXN_WRITE_INSERT, "d1", "x");
    add(&b, TXN_WRITE_INSERT, "d2", "x");
    add(&b, TXN_WRITE_PUT, "d3", "x");
    add(&b, TXN_WRITE_INSERT, "d2", "y");
    add(&b, TXN_WRITE_INSERT, "d4", "x");
    assert_int_equal(write_batch(t, &b, &failed), MICE_EXISTS);
    assert_int_equal(failed, 3);
    expect(t, "d2", "x");
    expect(t, "d3", "x");
    expect(t, "d4", NULL);

    /* a key put then inserted: also a duplicate; a delete then an insert is not */
    b.n = 0;
    add(&b, TXN_WRITE_DELETE, "d1", NULL);
    add(&b, TXN_WRITE_INSERT, "d1", "again");
    add(&b, TXN_WRITE_PUT, "e1", "p");
    add(&b, TXN_WRITE_INSERT, "e1", "i");
    assert_int_equal(write_batch(t, &b, &failed), MICE_EXISTS);
    assert_int_equal(failed, 3);
    expect(t, "d1", "again");
    expect(t, "e1", "p");

    /* the first failure in order is the one reported */
    b.n = 0;
    add(&b, TXN_WRITE_INSERT, "f1", "x");
    add(&b, TXN_WRITE_INSERT, "a010", "x"); /* ours since the first batch */
    add(&b, TXN_WRITE_INSERT, "a050", "x"); /* committed by someone else */
    assert_int_equal(write_batch(t, &b, &failed), MICE_EXISTS);
    assert_int_equal(failed, 1);

    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_db(env.db, "a000", "A0");
    expect_db(env.db, "a049", "A49");
    expect_db(env.db, "a050", "taken");
    expect_db(env.db, "a051", NULL);
    expect_db(env.db, "d2", "x");
    expect_db(env.db, "d1", "again");
    expect_db(env.db, "f1", "x");
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

static void test_batch_rollback(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "batch-rb", NULL);
    commit_kv(env.db, "keep", "1");
    static batch b;
    b.n = 0;
    add_range(&b, TXN_WRITE_INSERT, "r", 0, 300, "R");
    add(&b, TXN_WRITE_DELETE, "keep", NULL);
    txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
    assert_int_equal(write_batch(t, &b, NULL), MICE_OK);
    expect(t, "r299", "R299");
    expect(t, "keep", NULL);
    assert_true(tt_count_intents(env.e) >= 301);
    assert_int_equal(txn_rollback(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_db(env.db, "r000", NULL);
    expect_db(env.db, "r299", NULL);
    expect_db(env.db, "keep", "1");
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

typedef struct stmt_ctx {
    batch *b;
    int runs;
    txn_db *db; /* commit "n" behind the statement's back on the first run */
} stmt_ctx;

static mice_status batch_stmt(txn *t, void *p, mice_err *err)
{
    stmt_ctx *c = p;
    if (c->runs++ == 0) commit_kv(c->db, "n", "20");
    return txn_write_batch(t, c->b->w, c->b->n, NULL, err);
}

static void test_batch_read_committed_restart(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "batch-rc", NULL);
    commit_kv(env.db, "n", "10");
    static batch b;
    b.n = 0;
    add(&b, TXN_WRITE_PUT, "x", "2");
    add(&b, TXN_WRITE_INSERT, "y", "2");
    add(&b, TXN_WRITE_PUT, "n", "11");
    add(&b, TXN_WRITE_INSERT, "z", "2");
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t, "x", "1"), MICE_OK); /* statement 1 */
    txn_statement_begin(t);                         /* statement 2: undone by the restart */
    assert_int_equal(tt_put(t, "w", "2"), MICE_OK);
    commit_kv(env.db, "n", "20"); /* after the statement's snapshot */
    size_t failed = 0;
    assert_int_equal(write_batch(t, &b, &failed), MICE_AGAIN);
    expect(t, "x", "1");
    expect(t, "w", NULL);
    expect(t, "y", NULL);
    expect(t, "z", NULL);
    expect(t, "n", "20"); /* the fresh snapshot */
    /* the row lock on n is kept: another writer must wait for us */
    txn *other = txn_begin(env.db, TXN_READ_COMMITTED);
    txn_set_lock_timeout(other, 50);
    assert_int_equal(tt_put(other, "n", "99"), MICE_TIMEOUT);
    txn_destroy(other);
    /* the re-run succeeds; x, y, z written once */
    assert_int_equal(write_batch(t, &b, &failed), MICE_OK);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_db(env.db, "x", "2");
    expect_db(env.db, "y", "2");
    expect_db(env.db, "z", "2");
    expect_db(env.db, "n", "11");
    expect_db(env.db, "w", NULL);
    assert_int_equal(tt_count_intents(env.e), 0);

    /* through txn_run_statement: the first run meets a concurrent commit and re-runs */
    mice_err err;
    b.n = 0;
    add(&b, TXN_WRITE_INSERT, "y2", "3");
    add(&b, TXN_WRITE_PUT, "n", "21");
    stmt_ctx c = {.b = &b, .db = env.db};
    t = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(txn_run_statement(t, batch_stmt, &c, &err), MICE_OK);
    assert_int_equal(c.runs, 2);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_db(env.db, "y2", "3");
    expect_db(env.db, "n", "21");
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

static void test_batch_repeatable_read_conflict(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "batch-rr", NULL);
    commit_kv(env.db, "n", "10");
    static batch b;
    b.n = 0;
    add_range(&b, TXN_WRITE_INSERT, "q", 0, 5, "Q");
    add(&b, TXN_WRITE_PUT, "n", "11");
    txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
    commit_kv(env.db, "n", "20");
    assert_int_equal(write_batch(t, &b, NULL), MICE_CONFLICT);
    assert_int_equal(write_batch(t, &b, NULL), MICE_CLOSED);
    txn_destroy(t);
    expect_db(env.db, "q000", NULL);
    expect_db(env.db, "n", "20");
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

typedef struct waiter {
    txn *t;
    batch *b;
    mice_status rc;
    bool done;
} waiter;

static mice_status plain_batch_stmt(txn *t, void *p, mice_err *err)
{
    waiter *w = p;
    return txn_write_batch(t, w->b->w, w->b->n, NULL, err);
}

static void *waiter_main(void *p)
{
    waiter *w = p;
    mice_err err;
    w->rc = txn_run_statement(w->t, plain_batch_stmt, w, &err);
    __atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
    return NULL;
}

static void test_batch_waits_for_lock(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "batch-wait", NULL);
    txn *t1 = txn_begin(env.db, TXN_READ_COMMITTED);
    assert_int_equal(tt_put(t1, "k", "t1"), MICE_OK);
    static batch b;
    b.n = 0;
    add(&b, TXN_WRITE_PUT, "j", "t2");
    add(&b, TXN_WRITE_PUT, "k", "t2");
    add(&b, TXN_WRITE_INSERT, "l", "t2");
    waiter w = {.t = txn_begin(env.db, TXN_READ_COMMITTED), .b = &b};
    pthread_t th;
    pthread_create(&th, NULL, waiter_main, &w);
    locktable *lt = kv_replica_locktable(kv_sender_replica(txn_db_sender(env.db), 0));
    for (int i = 0; i < 2000 && locktable_waiting(lt) < 1; i++)
        sleep_ms(1);
    assert_int_equal(locktable_waiting(lt), 1);
    assert_false(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
    expect_db(env.db, "j", NULL); /* nothing of the waiting batch is written */
    assert_int_equal(txn_rollback(t1, NULL), MICE_OK);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, MICE_OK);
    assert_int_equal(txn_commit(w.t, NULL), MICE_OK);
    txn_destroy(w.t);
    txn_destroy(t1);
    expect_db(env.db, "j", "t2");
    expect_db(env.db, "k", "t2");
    expect_db(env.db, "l", "t2");
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

/* Two replicas over one engine ([, "m") and ["m", )): a batch is cut per replica, and
 * the first failure in the caller's order is reported even when a later write on another
 * replica was sent first. */
static void test_batch_two_replicas(void **state)
{
    (void)state;
    tt_env base;
    tt_open(&base, "batch-ranges", NULL);
    hlc *clock = txn_db_clock(base.db);
    kv_replica_config rc;
    kv_replica_config_init(&rc);
    kv_replica *lo = kv_replica_create(base.e, clock, mice_env_real(), &rc);
    kv_replica *hi = kv_replica_create(base.e, clock, mice_env_real(), &rc);
    kv_replica_set_span(lo, mice_slice_str(""), mice_slice_str("m"));
    kv_replica_set_span(hi, mice_slice_str("m"), mice_slice_str(""));
    kv_sender *snd = kv_sender_create();
    kv_sender_add_replica(snd, lo);
    kv_sender_add_replica(snd, hi);
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.clock = clock;
    cfg.sender = snd;
    cfg.force_two_phase = true; /* resolve each intent on its own replica */
    txn_db *db = NULL;
    assert_int_equal(txn_db_create(base.e, mice_env_real(), &cfg, &db, NULL), MICE_OK);

    static batch b;
    b.n = 0;
    for (int i = 0; i < 40; i++) { /* alternate between the replicas */
        char k[8];
        snprintf(k, sizeof k, "%c%02d", i % 2 ? 'x' : 'b', i);
        add(&b, TXN_WRITE_INSERT, k, k);
    }
    txn *t = txn_begin(db, TXN_READ_COMMITTED);
    assert_int_equal(write_batch(t, &b, NULL), MICE_OK);
    expect(t, "b00", "b00");
    expect(t, "x39", "x39");
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);

    /* "c05" (replica lo) fails at index 5, "y03" (replica hi) at index 3: 3 is reported */
    b.n = 0;
    add(&b, TXN_WRITE_INSERT, "c00", "1");
    add(&b, TXN_WRITE_INSERT, "y01", "1");
    add(&b, TXN_WRITE_INSERT, "c02", "1");
    add(&b, TXN_WRITE_INSERT, "x01", "1"); /* taken */
    add(&b, TXN_WRITE_INSERT, "y04", "1");
    add(&b, TXN_WRITE_INSERT, "b00", "1"); /* taken */
    add(&b, TXN_WRITE_INSERT, "c06", "1");
    t = txn_begin(db, TXN_READ_COMMITTED);
    size_t failed = 0;
    assert_int_equal(write_batch(t, &b, &failed), MICE_EXISTS);
    assert_int_equal(failed, 3);
    expect(t, "c00", "1"); /* before the failing write: applied on both replicas */
    expect(t, "y01", "1");
    expect(t, "c02", "1");
    expect(t, "y04", NULL);
    assert_int_equal(txn_commit(t, NULL), MICE_OK);
    txn_destroy(t);
    expect_db(db, "c02", "1");
    expect_db(db, "y01", "1");
    expect_db(db, "x01", "x01");
    assert_int_equal(tt_count_intents(base.e), 0);

    txn_db_destroy(db);
    kv_sender_destroy(snd);
    kv_replica_destroy(lo);
    kv_replica_destroy(hi);
    tt_close(&base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_success),
        cmocka_unit_test(test_batch_duplicate_in_the_middle),
        cmocka_unit_test(test_batch_rollback),
        cmocka_unit_test(test_batch_read_committed_restart),
        cmocka_unit_test(test_batch_repeatable_read_conflict),
        cmocka_unit_test(test_batch_waits_for_lock),
        cmocka_unit_test(test_batch_two_replicas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
