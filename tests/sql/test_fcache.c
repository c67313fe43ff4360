/* Unit tests for sql/fcache: hits by kind and key bytes, least-recently-used eviction, and
 * a thread's entries freed when it exits (and never visible to another thread). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sql/fcache.h"

static int freed;

static void count_free(void *p)
{
    freed++;
    free(p);
}

static int *object(int v)
{
    int *p = malloc(sizeof *p);
    *p = v;
    return p;
}

static mice_slice key_of(int i, char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "key-%d", i);
    return mice_slice_of(buf, (size_t)n);
}

static void test_get_put_and_eviction(void **state)
{
    (void)state;
    char k[32];
    assert_null(fcache_get(FCACHE_REGEX, mice_slice_str("a")));
    fcache_put(FCACHE_REGEX, mice_slice_str("a"), object(1), count_free);
    fcache_put(FCACHE_ZONE, mice_slice_str("a"), object(2), count_free);
    assert_int_equal(*(int *)fcache_get(FCACHE_REGEX, mice_slice_str("a")), 1);
    assert_int_equal(*(int *)fcache_get(FCACHE_ZONE, mice_slice_str("a")), 2);
    assert_null(fcache_get(FCACHE_REGEX, mice_slice_of("a\0", 2)));
    fcache_put(FCACHE_REGEX, mice_slice_of("", 0), object(3), count_free);
    assert_int_equal(*(int *)fcache_get(FCACHE_REGEX, mice_slice_of("", 0)), 3);
    /* fill the cache; "a" (regex) stays hot, so the zone entry is the first victim */
    freed = 0;
    for (int i = 0; i < FCACHE_ENTRIES_MAX - 3; i++)
        fcache_put(FCACHE_REGEX, key_of(i, k, sizeof k), object(100 + i), count_free);
    assert_int_equal(freed, 0);
    assert_non_null(fcache_get(FCACHE_REGEX, mice_slice_str("a")));
    assert_non_null(fcache_get(FCACHE_REGEX, mice_slice_of("", 0)));
    fcache_put(FCACHE_REGEX, mice_slice_str("new"), object(4), count_free);
    assert_int_equal(freed, 1);
    assert_null(fcache_get(FCACHE_ZONE, mice_slice_str("a")));
    assert_int_equal(*(int *)fcache_get(FCACHE_REGEX, mice_slice_str("a")), 1);
    /* then the oldest of the filler entries */
    fcache_put(FCACHE_REGEX, mice_slice_str("newer"), object(5), count_free);
    assert_int_equal(freed, 2);
    assert_null(fcache_get(FCACHE_REGEX, key_of(0, k, sizeof k)));
    assert_int_equal(*(int *)fcache_get(FCACHE_REGEX, key_of(1, k, sizeof k)), 101);
}

static void *other_thread(void *arg)
{
    (void)arg;
    /* the main thread's entries are not visible here */
    if (fcache_get(FCACHE_REGEX, mice_slice_str("a"))) return (void *)1;
    fcache_put(FCACHE_ZONE, mice_slice_str("t1"), object(7), count_free);
    fcache_put(FCACHE_ZONE, mice_slice_str("t2"), object(8), count_free);
    return NULL;
}

static void test_thread_exit_frees(void **state)
{
    (void)state;
    fcache_put(FCACHE_REGEX, mice_slice_str("a"), object(1), count_free);
    freed = 0;
    pthread_t t;
    void *ret;
    assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_null(ret);
    assert_int_equal(freed, 2);
    assert_null(fcache_get(FCACHE_ZONE, mice_slice_str("t1")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_put_and_eviction),
        cmocka_unit_test(test_thread_exit_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
