/* Unit tests for base/varint: known encodings, round trips, zigzag, and corrupt input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>

#include "base/prng.h"
#include "base/varint.h"

static void expect_encoding(uint64_t v, const uint8_t *want, size_t n)
{
    uint8_t out[VARINT_MAX_BYTES];
    assert_int_equal(varint_encode_u64(v, out), n);
    assert_memory_equal(out, want, n);
    assert_int_equal(varint_len_u64(v), n);
    mice_slice in = mice_slice_of(want, n);
    uint64_t back = 0;
    assert_int_equal(varint_get_u64(&in, &back), MICE_OK);
    assert_int_equal(back, v);
    assert_int_equal(in.n, 0);
}
#define EXPECT_ENCODING(v, ...)                                                                    \
    do {                                                                                           \
        const uint8_t want_[] = {__VA_ARGS__};                                                     \
        expect_encoding((v), want_, sizeof want_);                                                 \
    } while (0)

static void test_known_encodings(void **state)
{
    (void)state;
    EXPECT_ENCODING(0, 0x00);
    EXPECT_ENCODING(1, 0x01);
    EXPECT_ENCODING(127, 0x7f);
    EXPECT_ENCODING(128, 0x80, 0x01);
    EXPECT_ENCODING(300, 0xac, 0x02); /* the protobuf documentation's example */
    EXPECT_ENCODING(16383, 0xff, 0x7f);
    EXPECT_ENCODING(16384, 0x80, 0x80, 0x01);
    EXPECT_ENCODING(1ull << 63, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    EXPECT_ENCODING(UINT64_MAX, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
}

static void test_zigzag(void **state)
{
    (void)state;
    const int64_t v[] = {0, -1, 1, -2, 2, INT64_MAX, INT64_MIN};
    const uint64_t z[] = {0, 1, 2, 3, 4, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(zigzag_encode(v[i]), z[i]);
        assert_int_equal(zigzag_decode(z[i]), v[i]);
    }
}

static void test_random_round_trip_in_a_stream(void **state)
{
    (void)state;
    enum { VALUES = 5000 };
    const uint64_t seed = 0x76617269;
    mice_prng r;
    prng_seed(&r, seed);
    static uint64_t u[VALUES];
    static int64_t s[VALUES];
    mice_buf b;
    buf_init(&b);
    size_t expect_bytes = 0;
    for (int i = 0; i < VALUES; i++) {
        u[i] = prng_next(&r) >> prng_below(&r, 64);
        uint64_t mag = prng_next(&r) >> prng_below(&r, 64);
        s[i] = (int64_t)(prng_chance(&r, 1, 2) ? 0 - mag : mag); /* unsigned: INT64_MIN too */
        varint_put_u64(&b, u[i]);
        varint_put_i64(&b, s[i]);
        expect_bytes += varint_len_u64(u[i]) + varint_len_u64(zigzag_encode(s[i]));
    }
    assert_int_equal(b.n, expect_bytes);
    mice_slice in = buf_slice(&b);
    for (int i = 0; i < VALUES; i++) {
        uint64_t gu;
        int64_t gs;
        if (varint_get_u64(&in, &gu) != MICE_OK || gu != u[i] ||
            varint_get_i64(&in, &gs) != MICE_OK || gs != s[i]) {
            print_error("round trip failed at %d, seed %llu\n", i, (unsigned long long)seed);
            fail();
        }
    }
    assert_int_equal(in.n, 0);
    buf_deinit(&b);
}

static void expect_corrupt(const uint8_t *p, size_t n)
{
    mice_slice in = mice_slice_of(p, n);
    uint64_t v = 77;
    assert_int_equal(varint_get_u64(&in, &v), MICE_CORRUPT);
    assert_int_equal(in.n, n); /* nothing consumed */
    assert_int_equal(v, 77);
    int64_t s = 77;
    assert_int_equal(varint_get_i64(&in, &s), MICE_CORRUPT);
    assert_int_equal(s, 77);
}
#define EXPECT_CORRUPT(...)                                                                        \
    do {                                                                                           \
        const uint8_t bad_[] = {__VA_ARGS__};                                                      \
        expect_corrupt(bad_, sizeof bad_);                                                         \
    } while (0)

static void test_corrupt_input(void **state)
{
    (void)state;
    expect_corrupt(NULL, 0);
    EXPECT_CORRUPT(0x80);             /* truncated */
    EXPECT_CORRUPT(0xff, 0xff, 0xff); /* truncated */
    /* Over-long: eleven bytes, or a tenth byte with more than bit 63. */
    EXPECT_CORRUPT(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    EXPECT_CORRUPT(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
    EXPECT_CORRUPT(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81);
    /* Non-canonical: redundant zero groups. */
    EXPECT_CORRUPT(0x80, 0x00);
    EXPECT_CORRUPT(0x81, 0x80, 0x00);
    /* Every truncation of every valid encoding. */
    uint8_t enc[VARINT_MAX_BYTES];
    size_t n = varint_encode_u64(UINT64_MAX, enc);
    for (size_t cut = 0; cut < n; cut++)
        expect_corrupt(enc, cut);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_encodings),
        cmocka_unit_test(test_zigzag),
        cmocka_unit_test(test_random_round_trip_in_a_stream),
        cmocka_unit_test(test_corrupt_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
