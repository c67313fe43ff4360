/* Unit tests for kv/latch: overlapping writes serialise, reads share, disjoint spans run
 * in parallel, and waiting is FIFO among conflicting requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>

#include "base/env.h"
#include "kv/latch.h"

typedef struct taker {
    latch_mgr *m;
    latch_span span;
    int *order; /* atomic counter of acquisitions */
    int got_at; /* which acquisition this was */
} taker;

static void *take_main(void *p)
{
    taker *t = p;
    latch_guard *g = latch_acquire(t->m, &t->span, 1);
    __atomic_store_n(&t->got_at, __atomic_add_fetch(t->order, 1, __ATOMIC_ACQ_REL),
                     __ATOMIC_RELEASE);
    latch_release(t->m, g);
    return NULL;
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

static latch_span point(const char *k, bool write)
{
    return (latch_span){mice_slice_str(k), {0}, write};
}

static void test_conflicts_wait_and_others_do_not(void **state)
{
    (void)state;
    latch_mgr *m = latch_mgr_create();
    latch_span w = point("k", true);
    latch_guard *g = latch_acquire(m, &w, 1);
    /* reads of other keys, and a span that ends at k, do not wait */
    latch_span other = point("x", true);
    latch_span below = {MICE_SLICE_LIT("a"), MICE_SLICE_LIT("k"), false};
    latch_guard *g2 = latch_acquire(m, &other, 1);
    latch_guard *g3 = latch_acquire(m, &below, 1);
    latch_release(m, g2);
    latch_release(m, g3);
    /* a reader of a span containing k waits for the writer */
    int order = 0;
    taker t = {m, {MICE_SLICE_LIT("a"), MICE_SLICE_LIT("z"), false}, &order, 0};
    pthread_t th;
    pthread_create(&th, NULL, take_main, &t);
    sleep_ms(30);
    assert_int_equal(__atomic_load_n(&t.got_at, __ATOMIC_ACQUIRE), 0);
    assert_int_equal(latch_mgr_count(m), 2);
    latch_release(m, g);
    pthread_join(th, NULL);
    assert_int_equal(t.got_at, 1);
    assert_int_equal(latch_mgr_count(m), 0);
    latch_mgr_destroy(m);
}

static void test_readers_share_and_fifo(void **state)
{
    (void)state;
    latch_mgr *m = latch_mgr_create();
    latch_span r = point("k", false);
    latch_guard *r1 = latch_acquire(m, &r, 1);
    latch_guard *r2 = latch_acquire(m, &r, 1); /* readers share */
    int order = 0;
    taker writer = {m, point("k", true), &order, 0};
    taker reader = {m, point("k", false), &order, 0};
    pthread_t tw, tr;
    pthread_create(&tw, NULL, take_main, &writer);
    while (latch_mgr_count(m) < 3)
        sleep_ms(1);
    pthread_create(&tr, NULL, take_main, &reader); /* queued behind the writer */
    while (latch_mgr_count(m) < 4)
        sleep_ms(1);
    sleep_ms(10);
    assert_int_equal(__atomic_load_n(&reader.got_at, __ATOMIC_ACQUIRE), 0);
    latch_release(m, r1);
    latch_release(m, r2);
    pthread_join(tw, NULL);
    pthread_join(tr, NULL);
    assert_int_equal(writer.got_at, 1);
    assert_int_equal(reader.got_at, 2);
    latch_mgr_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflicts_wait_and_others_do_not),
        cmocka_unit_test(test_readers_share_and_fifo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
