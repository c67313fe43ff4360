/* Unit tests for kv/locktable: waits end when the holder finishes, time out, and the
 * youngest transaction of a waits-for cycle is the deadlock victim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>

#include "kv/locktable.h"

typedef struct waiter {
    locktable *lt;
    uint64_t id, holder;
    hlc_ts start;
    mice_status rc;
} waiter;

static void *wait_main(void *p)
{
    waiter *w = p;
    w->rc = locktable_wait(w->lt, w->id, w->start, w->holder, 0);
    return NULL;
}

static void await_waiting(locktable *lt, uint64_t n)
{
    for (int i = 0; i < 5000 && locktable_waiting(lt) < n; i++)
        env_sleep_ns(mice_env_real(), MICE_NS_PER_MS);
    assert_int_equal(locktable_waiting(lt), n);
}

static void test_wait_until_finish_and_timeout(void **state)
{
    (void)state;
    locktable *lt = locktable_create(mice_env_real());
    assert_int_equal(locktable_wait(lt, 5, (hlc_ts){5, 0}, 99, 0), MICE_OK); /* not live */
    locktable_txn_begin(lt, 1, (hlc_ts){1, 0});
    assert_true(locktable_txn_live(lt, 1));
    assert_int_equal(locktable_wait(lt, 2, (hlc_ts){2, 0}, 1, 20), MICE_TIMEOUT);
    assert_int_equal(locktable_wait(lt, 0, HLC_TS_MAX, 1, 20), MICE_TIMEOUT); /* non-txn */
    waiter w = {lt, 2, 1, {2, 0}, MICE_INTERNAL};
    pthread_t th;
    pthread_create(&th, NULL, wait_main, &w);
    await_waiting(lt, 1);
    locktable_txn_finish(lt, 1);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, MICE_OK);
    assert_false(locktable_txn_live(lt, 1));
    assert_int_equal(locktable_deadlocks(lt), 0);
    locktable_destroy(lt);
}

static void test_three_cycle_aborts_youngest_closing_waiter(void **state)
{
    (void)state;
    locktable *lt = locktable_create(mice_env_real());
    for (uint64_t id = 1; id <= 3; id++)
        locktable_txn_begin(lt, id, (hlc_ts){id, 0});
    waiter a = {lt, 1, 2, {1, 0}, MICE_INTERNAL}, b = {lt, 2, 3, {2, 0}, MICE_INTERNAL};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, wait_main, &a);
    await_waiting(lt, 1);
    pthread_create(&tb, NULL, wait_main, &b);
    await_waiting(lt, 2);
    /* 3 -> 1 closes 1 -> 2 -> 3 -> 1; 3 is the youngest and is refused at once */
    assert_int_equal(locktable_wait(lt, 3, (hlc_ts){3, 0}, 1, 0), MICE_ABORTED);
    assert_int_equal(locktable_deadlocks(lt), 1);
    locktable_txn_finish(lt, 3);
    pthread_join(tb, NULL);
    assert_int_equal(b.rc, MICE_OK);
    locktable_txn_finish(lt, 2);
    pthread_join(ta, NULL);
    assert_int_equal(a.rc, MICE_OK);
    locktable_txn_finish(lt, 1);
    locktable_destroy(lt);
}

static void test_waiting_victim_is_woken(void **state)
{
    (void)state;
    locktable *lt = locktable_create(mice_env_real());
    locktable_txn_begin(lt, 10, (hlc_ts){9, 0}); /* the younger */
    locktable_txn_begin(lt, 20, (hlc_ts){1, 0});
    waiter young = {lt, 10, 20, {9, 0}, MICE_INTERNAL};
    pthread_t th;
    pthread_create(&th, NULL, wait_main, &young);
    await_waiting(lt, 1);
    waiter old = {lt, 20, 10, {1, 0}, MICE_INTERNAL};
    pthread_t th2;
    pthread_create(&th2, NULL, wait_main, &old); /* closes the cycle; victim: 10 */
    pthread_join(th, NULL);
    assert_int_equal(young.rc, MICE_ABORTED);
    locktable_txn_finish(lt, 10); /* the victim rolls back */
    pthread_join(th2, NULL);
    assert_int_equal(old.rc, MICE_OK);
    locktable_txn_finish(lt, 20);
    locktable_destroy(lt);
}

/* A split: the right-hand table inherits the live transactions, and a kick ends the
 * waits in progress on the left one (they re-evaluate). */
static void test_split_handoff_kick_and_copy(void **state)
{
    (void)state;
    locktable *left = locktable_create(mice_env_real());
    locktable *right = locktable_create(mice_env_real());
    locktable_txn_begin(left, 1, (hlc_ts){1, 0});
    locktable_txn_begin(left, 3, (hlc_ts){3, 0});
    locktable_txn_finish(left, 3);
    waiter w = {left, 2, 1, {2, 0}, MICE_INTERNAL};
    pthread_t th;
    pthread_create(&th, NULL, wait_main, &w);
    await_waiting(left, 1);
    locktable_copy_live(right, left);
    assert_true(locktable_txn_live(right, 1));
    assert_false(locktable_txn_live(right, 3)); /* finished: not copied */
    locktable_kick_all(left);
    pthread_join(th, NULL);
    assert_int_equal(w.rc, MICE_OK);
    assert_true(locktable_txn_live(left, 1)); /* the holder itself is untouched */
    /* A wait begun after the kick waits again. */
    assert_int_equal(locktable_wait(left, 2, (hlc_ts){2, 0}, 1, 20), MICE_TIMEOUT);
    locktable_destroy(left);
    locktable_destroy(right);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wait_until_finish_and_timeout),
        cmocka_unit_test(test_three_cycle_aborts_youngest_closing_waiter),
        cmocka_unit_test(test_waiting_victim_is_woken),
        cmocka_unit_test(test_split_handoff_kick_and_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
