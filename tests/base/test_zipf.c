/* Unit tests for base/zipf: zeta, ranges, the zipfian shape (item frequencies fall as
 * 1/(i+1)^theta), YCSB's FNV hash, the scrambled chooser's range and skew, determinism. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/zipf.h"

static void test_zeta(void **state)
{
    (void)state;
    assert_true(fabs(zipf_zeta(1, 0.99) - 1.0) < 1e-12);
    assert_true(fabs(zipf_zeta(2, 0.5) - (1.0 + 1.0 / sqrt(2.0))) < 1e-12);
    /* YCSB's precomputed constant for 10^10 items is consistent with the trend: zeta grows */
    assert_true(zipf_zeta(1000, 0.99) < zipf_zeta(100000, 0.99));
}

static void test_shape(void **state)
{
    (void)state;
    enum { ITEMS = 1000, DRAWS = 200000 };
    static uint32_t counts[ITEMS];
    memset(counts, 0, sizeof counts);
    mice_zipf z;
    zipf_init(&z, ITEMS, ZIPF_THETA_YCSB);
    mice_prng r;
    prng_seed(&r, 3);
    for (int i = 0; i < DRAWS; i++) {
        uint64_t v = zipf_next(&z, &r);
        assert_true(v < ITEMS);
        counts[v]++;
    }
    /* P(0) = 1/zeta(n): about 13.4% for 1000 items at 0.99 */
    double p0 = (double)counts[0] / DRAWS, want0 = 1.0 / z.zetan;
    assert_true(fabs(p0 - want0) < 0.01);
    /* P(1)/P(0) = 2^-theta */
    double ratio = (double)counts[1] / counts[0];
    assert_true(fabs(ratio - pow(0.5, 0.99)) < 0.05);
    /* the head outweighs the tail by far */
    uint64_t head = 0, tail = 0;
    for (int i = 0; i < 10; i++)
        head += counts[i];
    for (int i = ITEMS - 10; i < ITEMS; i++)
        tail += counts[i];
    assert_true(head > 20 * tail);
}

static void test_fnv_matches_ycsb(void **state)
{
    (void)state;
    /* FNV-1a 64 over eight zero bytes, by hand: fold 8 times h = (h ^ 0) * prime. */
    uint64_t h = 0xCBF29CE484222325ull;
    for (int i = 0; i < 8; i++)
        h *= 1099511628211ull;
    int64_t s = (int64_t)h;
    assert_int_equal(zipf_fnv64(0), s < 0 ? (uint64_t)(-s) : (uint64_t)s);
    assert_true(zipf_fnv64(1) != zipf_fnv64(2));
    for (uint64_t v = 0; v < 1000; v++)
        assert_true(zipf_fnv64(v) < (1ull << 63));
}

static void test_scrambled_range_skew_and_growth(void **state)
{
    (void)state;
    enum { N = 500, DRAWS = 100000 };
    static uint32_t counts[N];
    memset(counts, 0, sizeof counts);
    mice_zipf_scrambled z;
    zipf_scrambled_init(&z);
    mice_prng r, r2;
    prng_seed(&r, 11);
    prng_seed(&r2, 11);
    for (int i = 0; i < DRAWS; i++) {
        uint64_t v = zipf_scrambled_next(&z, &r, N);
        assert_true(v < N);
        assert_int_equal(v, zipf_scrambled_next(&z, &r2, N)); /* same seed, same keys */
        counts[v]++;
    }
    uint32_t top = 0;
    int hit = 0;
    for (int i = 0; i < N; i++) {
        if (counts[i] > top) top = counts[i];
        hit += counts[i] > 0;
    }
    /* skewed: the hottest key is drawn far more often than a uniform one (DRAWS/N = 200) */
    assert_true(top > 5 * DRAWS / N);
    assert_true(hit > N / 2);
    /* a larger key space keeps every draw inside it */
    for (int i = 0; i < 1000; i++)
        assert_true(zipf_scrambled_next(&z, &r, N + 1 + (uint64_t)i) < N + 1 + (uint64_t)i);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeta),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_fnv_matches_ycsb),
        cmocka_unit_test(test_scrambled_range_skew_and_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
