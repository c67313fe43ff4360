/* Concurrency invariants: lost-update prevention under READ COMMITTED (concurrent
 * read-modify-write increments must sum exactly) and bank transfers under REPEATABLE
 * READ (with deadlocks and conflicts retried) checked by concurrent snapshot readers
 * that must never see a wrong total, over the 1PC and the 2PC commit paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>

#include "base/check.h"
#include "base/prng.h"
#include "txn/support/txn_test.h"

enum {
    INCR_THREADS = 8,
    INCR_PER_THREAD = 100,
    BANK_ACCOUNTS = 10,
    BANK_INITIAL = 100,
    BANK_WRITERS = 4,
    BANK_TRANSFERS = 250,
    BANK_READERS = 3,
};

static int read_int(txn *t, const char *key, mice_status *rc)
{
    char v[32];
    tt_get(t, key, v, sizeof v, rc);
    return atoi(v);
}

static mice_status put_int(txn *t, const char *key, int value, mice_err *err)
{
    char v[32];
    snprintf(v, sizeof v, "%d", value);
    return txn_put(t, mice_slice_str(key), mice_slice_str(v), err);
}

static mice_status incr_stmt(txn *t, void *ctx, mice_err *err)
{
    (void)ctx;
    mice_status rc;
    int n = read_int(t, "counter", &rc);
    return rc ? rc : put_int(t, "counter", n + 1, err);
}

static void *incr_main(void *p)
{
    txn_db *db = p;
    for (int i = 0; i < INCR_PER_THREAD; i++) {
        txn *t = txn_begin(db, TXN_READ_COMMITTED);
        mice_err err;
        mice_status rc = txn_run_statement(t, incr_stmt, NULL, &err);
        if (rc == MICE_OK) rc = txn_commit(t, &err);
        if (rc) {
            fprintf(stderr, "increment failed: %s\n", mice_err_msg(&err));
            abort();
        }
        txn_destroy(t);
    }
    return NULL;
}

static void test_rc_increments_are_not_lost(void **state)
{
    (void)state;
    tt_env env;
    tt_open(&env, "incr", NULL);
    pthread_t th[INCR_THREADS];
    for (int i = 0; i < INCR_THREADS; i++)
        pthread_create(&th[i], NULL, incr_main, env.db);
    for (int i = 0; i < INCR_THREADS; i++)
        pthread_join(th[i], NULL);
    char v[32];
    assert_true(tt_db_get(env.db, "counter", v, sizeof v));
    assert_int_equal(atoi(v), INCR_THREADS * INCR_PER_THREAD);
    assert_int_equal(tt_count_intents(env.e), 0);
    tt_close(&env);
}

typedef struct bank {
    txn_db *db;
    int writers_left;           /* atomic */
    uint64_t snapshots_checked; /* atomic */
    uint64_t retries;           /* atomic */
    int seed;
} bank;

static void acct_key(char *out, size_t n, int i)
{
    snprintf(out, n, "acct/%02d", i);
}

/* One transfer attempt; MICE_OK or a retryable failure. */
static mice_status transfer(txn_db *db, int from, int to, int amount)
{
    char kf[16], kt[16];
    acct_key(kf, sizeof kf, from);
    acct_key(kt, sizeof kt, to);
    txn *t = txn_begin(db, TXN_REPEATABLE_READ);
    mice_err err;
    mice_status rc;
    int bf = read_int(t, kf, &rc);
    int bt = rc ? 0 : read_int(t, kt, &rc);
    if (!rc) rc = put_int(t, kf, bf - amount, &err);
    if (!rc) rc = put_int(t, kt, bt + amount, &err);
    if (!rc) rc = txn_commit(t, &err);
    txn_destroy(t);
    return rc;
}

static void *bank_writer(void *p)
{
    bank *b = p;
    mice_prng rng;
    prng_seed(&rng, (uint64_t)__atomic_add_fetch(&b->seed, 1, __ATOMIC_RELAXED));
    for (int i = 0; i < BANK_TRANSFERS; i++) {
        int from = (int)prng_below(&rng, BANK_ACCOUNTS), to = (int)prng_below(&rng, BANK_ACCOUNTS);
        if (from == to) continue;
        int amount = (int)prng_below(&rng, 20) + 1;
        mice_status rc;
        while ((rc = transfer(b->db, from, to, amount)) != MICE_OK) {
            if (rc != MICE_CONFLICT && rc != MICE_ABORTED) {
                fprintf(stderr, "transfer: %s\n", mice_status_str(rc));
                abort();
            }
            __atomic_add_fetch(&b->retries, 1, __ATOMIC_RELAXED);
        }
    }
    __atomic_sub_fetch(&b->writers_left, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Sum every account in one snapshot, by a scan or by point reads. */
static void check_total(txn_db *db, bool by_scan, txn_isolation iso)
{
    txn *t = txn_begin(db, iso);
    int total = 0, n = 0;
    if (by_scan) {
        txn_scan *s = NULL;
        mice_assert(
            txn_scan_open(t, MICE_SLICE_LIT("acct/"), MICE_SLICE_LIT("acct0"), false, 0, &s) == 0);
        const kv_row *rows;
        size_t got;
        mice_err err;
        while (txn_scan_next(s, 3, &rows, &got, &err) == MICE_OK && got) {
            for (size_t i = 0; i < got; i++, n++)
                total += atoi((const char *)rows[i].value.p);
        }
        txn_scan_close(s);
    } else {
        for (int i = 0; i < BANK_ACCOUNTS; i++, n++) {
            char k[16];
            acct_key(k, sizeof k, i);
            mice_status rc;
            total += read_int(t, k, &rc);
            mice_assert(rc == MICE_OK);
        }
    }
    txn_destroy(t);
    if (n != BANK_ACCOUNTS || total != BANK_ACCOUNTS * BANK_INITIAL) {
        fprintf(stderr, "snapshot saw %d accounts totalling %d\n", n, total);
        abort();
    }
}

static void *bank_reader(void *p)
{
    bank *b = p;
    for (uint64_t i = 0; __atomic_load_n(&b->writers_left, __ATOMIC_ACQUIRE) > 0; i++) {
        /* RR snapshots, and single READ COMMITTED statements, are consistent */
        check_total(b->db, i % 2 == 0, i % 3 == 0 ? TXN_READ_COMMITTED : TXN_REPEATABLE_READ);
        __atomic_add_fetch(&b->snapshots_checked, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void bank_run(bool two_phase)
{
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.force_two_phase = two_phase;
    tt_env env;
    tt_open(&env, "bank", &cfg);
    for (int i = 0; i < BANK_ACCOUNTS; i++) {
        char k[16], v[16];
        acct_key(k, sizeof k, i);
        snprintf(v, sizeof v, "%d", BANK_INITIAL);
        mice_err err;
        assert_int_equal(txn_db_put(env.db, mice_slice_str(k), mice_slice_str(v), 0, &err),
                         MICE_OK);
    }
    bank b = {.db = env.db, .writers_left = BANK_WRITERS};
    pthread_t w[BANK_WRITERS], r[BANK_READERS];
    for (int i = 0; i < BANK_WRITERS; i++)
        pthread_create(&w[i], NULL, bank_writer, &b);
    for (int i = 0; i < BANK_READERS; i++)
        pthread_create(&r[i], NULL, bank_reader, &b);
    for (int i = 0; i < BANK_WRITERS; i++)
        pthread_join(w[i], NULL);
    for (int i = 0; i < BANK_READERS; i++)
        pthread_join(r[i], NULL);
    check_total(env.db, true, TXN_REPEATABLE_READ);
    assert_true(b.snapshots_checked > 0);
    assert_int_equal(tt_count_intents(env.e), 0);
    fprintf(stderr, "bank (%s): %llu snapshots checked, %llu retries\n", two_phase ? "2PC" : "1PC",
            (unsigned long long)b.snapshots_checked, (unsigned long long)b.retries);
    tt_close(&env);
}

static void test_bank_one_phase(void **state)
{
    (void)state;
    bank_run(false);
}

static void test_bank_two_phase(void **state)
{
    (void)state;
    bank_run(true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rc_increments_are_not_lost),
        cmocka_unit_test(test_bank_one_phase),
        cmocka_unit_test(test_bank_two_phase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
