/* Unit tests for base/crc32c: known vectors, extend, and the fast path against the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>

#include "base/crc32c.h"
#include "base/prng.h"

static void test_known_vectors(void **state)
{
    (void)state;
    print_message("crc32c: hardware path %s\n", crc32c_hw_available() ? "on" : "off");
    assert_int_equal(crc32c("123456789", 9), 0xe3069283u);
    assert_int_equal(crc32c_extend_portable(0, "123456789", 9), 0xe3069283u);
    assert_int_equal(crc32c("", 0), 0);
    assert_int_equal(crc32c(NULL, 0), 0);
    /* RFC 3720 (iSCSI) B.4 test patterns. */
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    assert_int_equal(crc32c(buf, sizeof buf), 0x8a9136aau);
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(crc32c(buf, sizeof buf), 0x62a8ab43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    assert_int_equal(crc32c(buf, sizeof buf), 0x46dd794eu);
    assert_int_equal(crc32c_extend_portable(0, buf, sizeof buf), 0x46dd794eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    assert_int_equal(crc32c(buf, sizeof buf), 0x113fdb5cu);
}

static void test_extend_equals_whole(void **state)
{
    (void)state;
    const char *s = "The quick brown fox jumps over the lazy dog";
    size_t n = strlen(s);
    uint32_t whole = crc32c(s, n);
    for (size_t cut = 0; cut <= n; cut++) {
        assert_int_equal(crc32c_extend(crc32c(s, cut), s + cut, n - cut), whole);
        assert_int_equal(
            crc32c_extend_portable(crc32c_extend_portable(0, s, cut), s + cut, n - cut), whole);
    }
}

static void test_fast_path_matches_portable(void **state)
{
    (void)state;
    enum { MAX_BYTES = 4096, ROUNDS = 2000 };
    const uint64_t seed = 0x637263;
    mice_prng r;
    prng_seed(&r, seed);
    static uint8_t data[MAX_BYTES + 8];
    prng_fill(&r, data, sizeof data);
    for (int i = 0; i < ROUNDS; i++) {
        size_t off = (size_t)prng_below(&r, 8), n = (size_t)prng_below(&r, MAX_BYTES + 1);
        uint32_t init = (uint32_t)prng_next(&r);
        uint32_t fast = crc32c_extend(init, data + off, n);
        uint32_t slow = crc32c_extend_portable(init, data + off, n);
        if (fast != slow) {
            print_error("mismatch: seed %llu round %d off %zu n %zu\n", (unsigned long long)seed, i,
                        off, n);
            fail();
        }
    }
}

static void test_detects_single_bit_flips(void **state)
{
    (void)state;
    uint8_t msg[64];
    for (int i = 0; i < 64; i++)
        msg[i] = (uint8_t)(i * 7);
    uint32_t good = crc32c(msg, sizeof msg);
    for (size_t bit = 0; bit < sizeof msg * 8; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_not_equal(crc32c(msg, sizeof msg), good);
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_extend_equals_whole),
        cmocka_unit_test(test_fast_path_matches_portable),
        cmocka_unit_test(test_detects_single_bit_flips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
