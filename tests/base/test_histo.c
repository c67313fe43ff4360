/* Unit tests for base/histo: bucket layout, exact extremes, quantiles within the promised
 * relative error against a sorted copy, merging, count_below and reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/histo.h"
#include "base/prng.h"

static mice_histo h1, h2, h3;

static void test_buckets_tile_the_range(void **state)
{
    (void)state;
    /* Every bucket starts right after the previous one ends; the last ends at 2^64-1. */
    uint64_t next = 0;
    for (uint32_t b = 0; b < HISTO_BUCKETS; b++) {
        uint64_t lo, hi;
        histo_bucket_range(b, &lo, &hi);
        assert_int_equal(lo, next);
        assert_true(hi >= lo);
        assert_int_equal(histo_bucket_of(lo), b);
        assert_int_equal(histo_bucket_of(hi), b);
        /* width within the relative error bound */
        assert_true((hi - lo) <= lo / (1u << (HISTO_SUB_BITS - 1)));
        next = hi + 1;
    }
    assert_int_equal(next, 0); /* wrapped: the last bucket ends at UINT64_MAX */
    assert_int_equal(histo_bucket_of(UINT64_MAX), HISTO_BUCKETS - 1);
}

static void test_empty_and_single(void **state)
{
    (void)state;
    histo_init(&h1);
    assert_int_equal(histo_quantile(&h1, 0.5), 0);
    assert_true(histo_mean(&h1) == 0.0);
    assert_int_equal(histo_count_below(&h1, 1000), 0);
    histo_record(&h1, 12345);
    assert_int_equal(h1.count, 1);
    assert_int_equal(h1.min, 12345);
    assert_int_equal(h1.max, 12345);
    /* quantiles are clamped to the exact extremes */
    assert_int_equal(histo_quantile(&h1, 0), 12345);
    assert_int_equal(histo_quantile(&h1, 0.5), 12345);
    assert_int_equal(histo_quantile(&h1, 1), 12345);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_quantiles_within_relative_error(void **state)
{
    (void)state;
    enum { N = 20000 };
    static uint64_t vals[N];
    mice_prng r;
    prng_seed(&r, 7);
    histo_init(&h1);
    for (int i = 0; i < N; i++) {
        /* log-uniform over 1 .. 2^30 (latencies from 1 us to ~18 minutes) */
        int bits = (int)prng_below(&r, 30) + 1;
        vals[i] = (prng_next(&r) >> (64 - bits)) | 1;
        histo_record(&h1, vals[i]);
    }
    qsort(vals, N, sizeof vals[0], cmp_u64);
    assert_int_equal(h1.min, vals[0]);
    assert_int_equal(h1.max, vals[N - 1]);
    const double qs[] = {0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        size_t rank = (size_t)(qs[i] * N + 0.999999); /* ceil */
        uint64_t exact = vals[rank - 1];
        uint64_t got = histo_quantile(&h1, qs[i]);
        assert_true(got >= exact);
        assert_true(got - exact <= exact / (1u << (HISTO_SUB_BITS - 1)));
    }
    uint64_t sum = 0;
    for (int i = 0; i < N; i++)
        sum += vals[i];
    assert_int_equal(h1.sum, sum);
}

static void test_merge_equals_recording_everything(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, 9);
    histo_init(&h1);
    histo_init(&h2);
    histo_init(&h3);
    for (int i = 0; i < 5000; i++) {
        uint64_t v = prng_below(&r, 1000000);
        histo_record(i % 3 ? &h1 : &h2, v);
        histo_record(&h3, v);
    }
    histo_merge(&h1, &h2);
    assert_int_equal(h1.count, h3.count);
    assert_int_equal(h1.min, h3.min);
    assert_int_equal(h1.max, h3.max);
    assert_int_equal(h1.sum, h3.sum);
    assert_memory_equal(h1.buckets, h3.buckets, sizeof h1.buckets);
    /* merging an empty one changes nothing; merging into an empty one copies */
    histo_init(&h2);
    histo_merge(&h1, &h2);
    assert_int_equal(h1.count, h3.count);
    histo_merge(&h2, &h3);
    assert_int_equal(h2.min, h3.min);
    assert_int_equal(histo_quantile(&h2, 0.5), histo_quantile(&h3, 0.5));
}

static void test_count_below_and_reset(void **state)
{
    (void)state;
    histo_init(&h1);
    for (uint64_t v = 0; v < 4096; v++)
        histo_record(&h1, v);
    /* powers of two are bucket boundaries: exact */
    for (uint64_t p = 1; p <= 4096; p <<= 1)
        assert_int_equal(histo_count_below(&h1, p), p);
    assert_int_equal(histo_count_below(&h1, 0), 0);
    assert_int_equal(histo_count_below(&h1, UINT64_MAX), 4096);
    assert_true(histo_mean(&h1) == 2047.5);
    histo_reset(&h1);
    assert_int_equal(h1.count, 0);
    assert_int_equal(histo_count_below(&h1, 4096), 0);
    histo_record(&h1, 5);
    assert_int_equal(h1.min, 5); /* min restarts after a reset */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_tile_the_range),
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_quantiles_within_relative_error),
        cmocka_unit_test(test_merge_equals_recording_everything),
        cmocka_unit_test(test_count_below_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
