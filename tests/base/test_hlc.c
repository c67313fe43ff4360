/* Unit tests for base/hlc, driven by a fake mice_env whose wall clock the test sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>

#include "base/hlc.h"

typedef struct fake_clock {
    uint64_t wall_ns;
} fake_clock;

static uint64_t fake_wall_ns(void *ctx)
{
    return ((fake_clock *)ctx)->wall_ns;
}
static uint64_t fake_entropy(void *ctx)
{
    (void)ctx;
    return 4;
}
static void fake_sleep_ns(void *ctx, uint64_t ns)
{
    ((fake_clock *)ctx)->wall_ns += ns;
}

static mice_env fake_env(fake_clock *fc)
{
    return (mice_env){.mono_ns = fake_wall_ns,
                      .wall_ns = fake_wall_ns,
                      .entropy = fake_entropy,
                      .sleep_ns = fake_sleep_ns,
                      .ctx = fc};
}

enum { MAX_OFFSET_NS = 500 * MICE_NS_PER_MS };

static void assert_ts(hlc_ts t, uint64_t wall_ns, uint32_t logical)
{
    assert_int_equal(t.wall_ns, wall_ns);
    assert_int_equal(t.logical, logical);
}

static void test_now_follows_wall_clock_and_breaks_ties(void **state)
{
    (void)state;
    fake_clock fc = {1000};
    mice_env env = fake_env(&fc);
    hlc *c = hlc_create(&env, MAX_OFFSET_NS);
    assert_ts(hlc_now(c), 1000, 0);
    assert_ts(hlc_now(c), 1000, 1); /* clock stalled: logical breaks the tie */
    assert_ts(hlc_now(c), 1000, 2);
    fc.wall_ns = 2000;
    assert_ts(hlc_now(c), 2000, 0);
    fc.wall_ns = 1500; /* clock stepped backwards: still strictly increasing */
    assert_ts(hlc_now(c), 2000, 1);
    hlc_destroy(c);
    hlc_destroy(NULL);
}

static void test_now_is_strictly_monotonic_under_a_jittery_clock(void **state)
{
    (void)state;
    fake_clock fc = {1000000};
    mice_env env = fake_env(&fc);
    hlc *c = hlc_create(&env, MAX_OFFSET_NS);
    hlc_ts prev = hlc_now(c);
    uint64_t x = 12345;
    for (int i = 0; i < 100000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull; /* LCG: jitter -3..+4 */
        fc.wall_ns += (x >> 61) - 3;
        hlc_ts t = hlc_now(c);
        assert_true(hlc_ts_cmp(t, prev) > 0);
        assert_true(hlc_ts_less(prev, t));
        prev = t;
    }
    hlc_destroy(c);
}

static void test_update_with_remote_ahead(void **state)
{
    (void)state;
    fake_clock fc = {10 * (uint64_t)MICE_NS_PER_S};
    mice_env env = fake_env(&fc);
    hlc *c = hlc_create(&env, MAX_OFFSET_NS);
    hlc_ts remote = {fc.wall_ns + 100 * MICE_NS_PER_MS, 7};
    assert_int_equal(hlc_update(c, remote), MICE_OK);
    assert_ts(hlc_now(c), remote.wall_ns, 8);
    assert_ts(hlc_now(c), remote.wall_ns, 9);
    /* A remote timestamp behind ours changes nothing. */
    assert_int_equal(hlc_update(c, (hlc_ts){5, 0}), MICE_OK);
    assert_ts(hlc_now(c), remote.wall_ns, 10);
    /* Once the wall clock passes the remote time, the logical counter resets. */
    fc.wall_ns = remote.wall_ns + 1;
    assert_ts(hlc_now(c), remote.wall_ns + 1, 0);
    hlc_destroy(c);
}

static void test_update_beyond_max_offset_is_refused(void **state)
{
    (void)state;
    fake_clock fc = {10 * (uint64_t)MICE_NS_PER_S};
    mice_env env = fake_env(&fc);
    hlc *c = hlc_create(&env, MAX_OFFSET_NS);
    hlc_ts before = hlc_now(c);
    assert_int_equal(hlc_update(c, (hlc_ts){fc.wall_ns + MAX_OFFSET_NS + 1, 0}), MICE_RANGE);
    assert_int_equal(hlc_update(c, HLC_TS_MAX), MICE_RANGE); /* no overflow in the check */
    hlc_ts after = hlc_now(c);
    assert_ts(after, before.wall_ns, before.logical + 1); /* clock left unchanged */
    /* Exactly max_offset ahead is still accepted. */
    assert_int_equal(hlc_update(c, (hlc_ts){fc.wall_ns + MAX_OFFSET_NS, 3}), MICE_OK);
    assert_ts(hlc_now(c), fc.wall_ns + MAX_OFFSET_NS, 4);
    hlc_destroy(c);
}

static void test_forward_ignores_max_offset(void **state)
{
    (void)state;
    fake_clock fc = {1000};
    mice_env env = fake_env(&fc);
    hlc *c = hlc_create(&env, MAX_OFFSET_NS);
    hlc_ts hw = {1000 + 60 * (uint64_t)MICE_NS_PER_S, 0};
    hlc_forward(c, hw);
    assert_true(hlc_ts_less(hw, hlc_now(c)));
    hlc_forward(c, (hlc_ts){1, 1}); /* backwards: no effect */
    assert_ts(hlc_now(c), hw.wall_ns, 2);
    hlc_destroy(c);
}

typedef struct thread_arg {
    hlc *c;
    hlc_ts out[10000];
} thread_arg;

static void *take_timestamps(void *p)
{
    thread_arg *a = p;
    for (size_t i = 0; i < sizeof a->out / sizeof a->out[0]; i++)
        a->out[i] = hlc_now(a->c);
    return NULL;
}

static void test_concurrent_now_gives_unique_increasing(void **state)
{
    (void)state;
    hlc *c = hlc_create(mice_env_real(), MAX_OFFSET_NS);
    enum { THREADS = 4 };
    static thread_arg args[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i].c = c;
        assert_int_equal(pthread_create(&th[i], NULL, take_timestamps, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < THREADS; i++)
        for (size_t k = 1; k < 10000; k++)
            assert_true(hlc_ts_less(args[i].out[k - 1], args[i].out[k]));
    /* Across threads no two results are equal: compare every pair of thread 0 and 1 by a merge. */
    size_t a = 0, b = 0;
    while (a < 10000 && b < 10000) {
        int cmp = hlc_ts_cmp(args[0].out[a], args[1].out[b]);
        assert_int_not_equal(cmp, 0);
        if (cmp < 0)
            a++;
        else
            b++;
    }
    hlc_destroy(c);
}

static void test_encode_decode_order(void **state)
{
    (void)state;
    const hlc_ts ts[] = {HLC_TS_ZERO,     {0, 1},    {0, UINT32_MAX}, {1, 0},
                         {255, 7},        {256, 0},  {1ull << 32, 0}, {UINT64_MAX - 1, 5},
                         {UINT64_MAX, 0}, HLC_TS_MAX};
    const size_t n = sizeof ts / sizeof ts[0];
    for (size_t i = 0; i < n; i++) {
        uint8_t ei[HLC_TS_ENCODED_BYTES];
        hlc_ts_encode(ts[i], ei);
        hlc_ts back = hlc_ts_decode(ei);
        assert_int_equal(hlc_ts_cmp(back, ts[i]), 0);
        for (size_t j = 0; j < n; j++) {
            uint8_t ej[HLC_TS_ENCODED_BYTES];
            hlc_ts_encode(ts[j], ej);
            int m = memcmp(ei, ej, HLC_TS_ENCODED_BYTES);
            int want = hlc_ts_cmp(ts[i], ts[j]);
            assert_int_equal((m > 0) - (m < 0), want);
            assert_int_equal(want, (i > j) - (i < j)); /* the table is sorted */
        }
    }
}

static void test_next_prev(void **state)
{
    (void)state;
    assert_ts(hlc_ts_next(HLC_TS_ZERO), 0, 1);
    assert_ts(hlc_ts_next((hlc_ts){5, UINT32_MAX}), 6, 0);
    assert_ts(hlc_ts_prev((hlc_ts){6, 0}), 5, UINT32_MAX);
    assert_ts(hlc_ts_prev((hlc_ts){6, 3}), 6, 2);
    assert_ts(hlc_ts_prev(HLC_TS_MAX), UINT64_MAX, UINT32_MAX - 1);
    const hlc_ts samples[] = {{0, 1}, {9, 0}, {9, UINT32_MAX}, {1ull << 40, 77}};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        hlc_ts t = samples[i];
        assert_true(hlc_ts_less(t, hlc_ts_next(t)));
        assert_true(hlc_ts_less(hlc_ts_prev(t), t));
        assert_int_equal(hlc_ts_cmp(hlc_ts_prev(hlc_ts_next(t)), t), 0);
        assert_int_equal(hlc_ts_cmp(hlc_ts_next(hlc_ts_prev(t)), t), 0);
    }
    assert_true(hlc_ts_is_zero(HLC_TS_ZERO));
    assert_false(hlc_ts_is_zero((hlc_ts){0, 1}));
}

static void test_format(void **state)
{
    (void)state;
    char out[HLC_TS_FORMAT_BYTES];
    hlc_ts_format((hlc_ts){1700000000000000123ull, 4}, out, sizeof out);
    assert_string_equal(out, "1700000000.000000123,4");
    hlc_ts_format(HLC_TS_MAX, out, sizeof out);
    assert_string_equal(out, "18446744073.709551615,4294967295");
    hlc_ts_format(HLC_TS_ZERO, out, 5); /* truncated, still terminated */
    assert_string_equal(out, "0.00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_now_follows_wall_clock_and_breaks_ties),
        cmocka_unit_test(test_now_is_strictly_monotonic_under_a_jittery_clock),
        cmocka_unit_test(test_update_with_remote_ahead),
        cmocka_unit_test(test_update_beyond_max_offset_is_refused),
        cmocka_unit_test(test_forward_ignores_max_offset),
        cmocka_unit_test(test_concurrent_now_gives_unique_increasing),
        cmocka_unit_test(test_encode_decode_order),
        cmocka_unit_test(test_next_prev),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
