/* Unit tests for sql/numeric. Expected texts were produced by PostgreSQL 15.
 * (psql -Atc "select ..."), copied here as literal tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/prng.h"
#include "sql/numeric.h"

static mice_arena *arena;

static const sql_numeric *num(const char *s)
{
    const sql_numeric *n = NULL;
    sql_error err;
    mice_status rc = numeric_parse(mice_slice_str(s), arena, &n, &err);
    if (rc) fail_msg("parse %s: %s", s, err.message);
    return n;
}

static const char *fmt(const sql_numeric *n)
{
    mice_buf b;
    buf_init(&b);
    numeric_format(n, &b);
    char *s = arena_strndup(arena, (const char *)b.p, b.n);
    buf_deinit(&b);
    return s;
}

static void test_parse_format(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {" -0.00 ", "0.00"}, {".5", "0.5"}, {"5.", "5"}, {"-.5e1", "-5"}, {"1e-3", "0.001"},
        {" inf", "Infinity"}, {"-Infinity", "-Infinity"}, {"nan", "NaN"}, {"+1.50", "1.50"},
        {"0e5", "0"}, {"1.23e+2", "123"}, {"0", "0"}, {"00012.3400", "12.3400"},
        {"-123456789012345678901234567890.000000001", "-123456789012345678901234567890.000000001"},
        {"1e20", "100000000000000000000"}, {"12345.6789", "12345.6789"}, {"0.0001", "0.0001"},
        {"1E-10", "0.0000000001"}, {"\t9999\n", "9999"}, {"10000", "10000"},
        {"-0.00000001", "-0.00000001"}, {"123.450e-2", "1.23450"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(fmt(num(cases[i][0])), cases[i][1]);
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const char *bad[] = {".", "1e", "- 1", "x", "", "1.2.3", "1e+", "++1", "1 2", "nan1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const sql_numeric *n;
        sql_error err;
        assert_int_equal(numeric_parse(mice_slice_str(bad[i]), arena, &n, &err), MICE_INVALID);
        assert_string_equal(err.sqlstate, "22P02");
        char want[128];
        snprintf(want, sizeof want, "invalid input syntax for type numeric: \"%s\"", bad[i]);
        assert_string_equal(err.message, want);
    }
    static const char *overflow[] = {"1e-20000", "1e131072", "1e-16384"};
    for (size_t i = 0; i < sizeof overflow / sizeof overflow[0]; i++) {
        const sql_numeric *n;
        sql_error err;
        assert_int_equal(numeric_parse(mice_slice_str(overflow[i]), arena, &n, &err), MICE_RANGE);
        assert_string_equal(err.sqlstate, "22003");
        assert_string_equal(err.message, "value overflows numeric format");
    }
    assert_string_equal(fmt(num("1e-16383")) + 16383 + 1, "1");
    mice_buf b;
    buf_init(&b);
    numeric_format(num("1e100000"), &b);
    assert_int_equal(b.n, 100001);
    buf_deinit(&b);
}

typedef mice_status (*binop)(const sql_numeric *, const sql_numeric *, mice_arena *,
                             const sql_numeric **, sql_error *);

static const char *apply(binop f, const char *a, const char *b)
{
    const sql_numeric *r;
    sql_error err;
    mice_status rc = f(num(a), num(b), arena, &r, &err);
    if (rc) return arena_sprintf(arena, "ERROR %s %s", err.sqlstate, err.message);
    return fmt(r);
}

static void test_arithmetic(void **state)
{
    (void)state;
    struct {
        binop f;
        const char *a, *b, *want;
    } cases[] = {
        {numeric_div, "1", "3", "0.33333333333333333333"},
        {numeric_div, "10", "4", "2.5000000000000000"},
        {numeric_div, "1.0", "3.0", "0.33333333333333333333"},
        {numeric_div, "2", "3.00000000000000000000", "0.66666666666666666667"},
        {numeric_div, "1e-20", "3", "0.0000000000000000000033333333333333333333"},
        {numeric_div, "12345678901234567890", "7", "1763668414462081127"},
        {numeric_div, "0", "7", "0.00000000000000000000"},
        {numeric_div, "12345678901234567890.12345", "0.0003", "41152263004115226300411.50000"},
        {numeric_div, "100", "1e-10", "1000000000000.0000000000"},
        {numeric_div, "1e10", "3", "3333333333.33333333"},
        {numeric_div, "99999", "1", "99999.000000000000"},
        {numeric_div, "1.00", "1.0000000000000000000001", "0.9999999999999999999999"},
        {numeric_div, "1", "0", "ERROR 22012 division by zero"},
        {numeric_div, "1.0", "0", "ERROR 22012 division by zero"},
        {numeric_div, "inf", "0", "ERROR 22012 division by zero"},
        {numeric_div, "nan", "0", "NaN"},
        {numeric_div, "1", "inf", "0"},
        {numeric_div, "inf", "-2", "-Infinity"},
        {numeric_mod, "7.5", "2", "1.5"},
        {numeric_mod, "-7.5", "2", "-1.5"},
        {numeric_mod, "1.5", "0", "ERROR 22012 division by zero"},
        {numeric_mod, "inf", "2", "NaN"},
        {numeric_mod, "5", "inf", "5"},
        {numeric_mod, "-5", "inf", "-5"},
        {numeric_mul, "1.10", "2.0", "2.200"},
        {numeric_mul, "inf", "0", "NaN"},
        {numeric_add, "inf", "-inf", "NaN"},
        {numeric_add, "nan", "1", "NaN"},
        {numeric_add, "1.10", "1", "2.10"},
        {numeric_add, "9999.9999", "0.0001", "10000.0000"},
        {numeric_sub, "1", "1.000", "0.000"},
        {numeric_sub, "0.001", "1000", "-999.999"},
        {numeric_mul, "-12345678.9", "98765432.1", "-1219326311126352.69"},
        {numeric_add, "-5", "3", "-2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = apply(cases[i].f, cases[i].a, cases[i].b);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: %s op %s = %s, want %s", i, cases[i].a, cases[i].b, got,
                     cases[i].want);
    }
}

static void test_rounding(void **state)
{
    (void)state;
    struct {
        const char *in;
        int mode, scale;
        const char *want;
    } cases[] = {
        {"2.5", 0, 0, "3"},          {"-2.5", 0, 0, "-3"},         {"1234.5678", 0, 2, "1234.57"},
        {"1234.5678", 0, -2, "1200"}, {"5000", 0, -4, "10000"},    {"4999", 0, -4, "0"},
        {"1234.5678", 1, 2, "1234.56"}, {"-1234.5678", 1, -2, "-1200"}, {"-1.5", 2, 0, "-1"},
        {"-1.5", 3, 0, "-2"},        {"1.0001", 2, 0, "2"},        {"1.9999", 3, 0, "1"},
        {"0.5", 0, -1, "0"},         {"9.99", 0, 1, "10.0"},       {"1.999", 1, 0, "1"},
        {"-0.5", 2, 0, "0"},         {"-0.5", 3, 0, "-1"},         {"0.5", 2, 0, "1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sql_numeric *r;
        sql_error err;
        const sql_numeric *a = num(cases[i].in);
        mice_status rc = cases[i].mode == 0   ? numeric_round(a, cases[i].scale, arena, &r, &err)
                         : cases[i].mode == 1 ? numeric_trunc(a, cases[i].scale, arena, &r, &err)
                         : cases[i].mode == 2 ? numeric_ceil(a, arena, &r, &err)
                                              : numeric_floor(a, arena, &r, &err);
        assert_int_equal(rc, MICE_OK);
        if (strcmp(fmt(r), cases[i].want) != 0)
            fail_msg("case %zu: %s -> %s want %s", i, cases[i].in, fmt(r), cases[i].want);
    }
}

static void test_typmod(void **state)
{
    (void)state;
    const sql_numeric *r;
    sql_error err;
    int32_t tm52 = ((5 << 16) | 2) + 4, tm33 = ((3 << 16) | 3) + 4, tm31 = ((3 << 16) | 1) + 4;
    assert_int_equal(numeric_apply_typmod(num("12345.678"), tm52, arena, &r, &err), MICE_RANGE);
    assert_string_equal(err.sqlstate, "22003");
    assert_string_equal(err.message, "numeric field overflow");
    assert_string_equal(err.detail, "A field with precision 5, scale 2 must round to an "
                                    "absolute value less than 10^3.");
    assert_int_equal(numeric_apply_typmod(num("1"), tm33, arena, &r, &err), MICE_RANGE);
    assert_string_equal(err.detail, "A field with precision 3, scale 3 must round to an "
                                    "absolute value less than 1.");
    assert_int_equal(numeric_apply_typmod(num("inf"), tm31, arena, &r, &err), MICE_RANGE);
    assert_string_equal(err.detail, "A field with precision 3, scale 1 cannot hold an infinite "
                                    "value.");
    assert_int_equal(numeric_apply_typmod(num("0.5"), tm33, arena, &r, &err), MICE_OK);
    assert_string_equal(fmt(r), "0.500");
    int32_t tm2m2 = ((2 << 16) | (-2 & 0x7ff)) + 4, tm35 = ((3 << 16) | 5) + 4;
    assert_int_equal(numeric_apply_typmod(num("1234"), tm2m2, arena, &r, &err), MICE_OK);
    assert_string_equal(fmt(r), "1200");
    assert_int_equal(numeric_apply_typmod(num("0.00123"), tm35, arena, &r, &err), MICE_OK);
    assert_string_equal(fmt(r), "0.00123");
    assert_int_equal(numeric_apply_typmod(num("99.995"), tm52, arena, &r, &err), MICE_OK);
    assert_string_equal(fmt(r), "100.00");
    assert_int_equal(numeric_apply_typmod(num("999.995"), tm52, arena, &r, &err), MICE_RANGE);
    assert_int_equal(numeric_apply_typmod(num("99999.995"), tm52, arena, &r, &err), MICE_RANGE);
    assert_int_equal(numeric_apply_typmod(num("NaN"), tm52, arena, &r, &err), MICE_OK);
    assert_int_equal(numeric_apply_typmod(num("0.1"), tm35, arena, &r, &err), MICE_RANGE);
    assert_string_equal(err.detail, "A field with precision 3, scale 5 must round to an "
                                    "absolute value less than 10^-2.");
}

static void test_compare_hash(void **state)
{
    (void)state;
    const char *order[] = {"-inf", "-1e10", "-1.5", "-0.0001", "0", "0.0001", "1",
                           "1.0000001", "99999999", "inf", "nan"};
    size_t n = sizeof order / sizeof order[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int c = numeric_cmp(num(order[i]), num(order[j]));
            assert_int_equal(c, i < j ? -1 : i > j ? 1 : 0);
        }
    assert_int_equal(numeric_cmp(num("1.0"), num("1.00")), 0);
    assert_true(numeric_hash(num("1.0")) == numeric_hash(num("1.00")));
    assert_true(numeric_hash(num("-0.00")) == numeric_hash(num("0")));
    assert_true(numeric_hash(num("100")) == numeric_hash(num("1e2")));
    assert_true(numeric_hash(num("1")) != numeric_hash(num("2")));
}

static void test_conversions(void **state)
{
    (void)state;
    const sql_numeric *r;
    sql_error err;
    int64_t v;
    assert_int_equal(numeric_from_int64(INT64_MIN, arena, &r, &err), MICE_OK);
    assert_string_equal(fmt(r), "-9223372036854775808");
    assert_int_equal(numeric_to_int(r, 64, &v, &err), MICE_OK);
    assert_true(v == INT64_MIN);
    assert_int_equal(numeric_to_int(num("9223372036854775807.4"), 64, &v, &err), MICE_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(numeric_to_int(num("9223372036854775807.5"), 64, &v, &err), MICE_RANGE);
    assert_string_equal(err.message, "bigint out of range");
    assert_int_equal(numeric_to_int(num("2.5"), 32, &v, &err), MICE_OK);
    assert_int_equal(v, 3);
    assert_int_equal(numeric_to_int(num("-2.5"), 32, &v, &err), MICE_OK);
    assert_int_equal(v, -3);
    assert_int_equal(numeric_to_int(num("32767.5"), 16, &v, &err), MICE_RANGE);
    assert_string_equal(err.message, "smallint out of range");
    assert_int_equal(numeric_to_int(num("NaN"), 32, &v, &err), MICE_UNSUPPORTED);
    assert_string_equal(err.message, "cannot convert NaN to integer");
    assert_string_equal(err.sqlstate, "0A000");
    assert_int_equal(numeric_to_int(num("-inf"), 16, &v, &err), MICE_UNSUPPORTED);
    assert_string_equal(err.message, "cannot convert infinity to smallint");
    struct {
        double d;
        int digits;
        const char *want;
    } fd[] = {{0.1, 15, "0.1"},   {1.0 / 3, 15, "0.333333333333333"}, {1e20, 15, "100000000000000000000"},
              {1.5e-10, 15, "0.00000000015"}, {(double)0.1f, 6, "0.1"}, {123456789.123, 15, "123456789.123"},
              {1e16, 15, "10000000000000000"}, {-0.0, 15, "0"}};
    for (size_t i = 0; i < sizeof fd / sizeof fd[0]; i++) {
        assert_int_equal(numeric_from_double(fd[i].d, fd[i].digits, arena, &r, &err), MICE_OK);
        assert_string_equal(fmt(r), fd[i].want);
    }
    double d;
    assert_int_equal(numeric_to_double(num("0.1"), false, &d, &err), MICE_OK);
    assert_true(d == 0.1);
    assert_int_equal(numeric_to_double(num("1e400"), false, &d, &err), MICE_RANGE);
    assert_true(strstr(err.message, "\" is out of range for type double precision") != NULL);
    assert_int_equal(numeric_to_double(num("1e39"), true, &d, &err), MICE_RANGE);
    assert_true(strstr(err.message, "\" is out of range for type real") != NULL);
}

static void test_binary(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    numeric_send(num("-12345.678"), &b);
    /* ndigits 3, weight 1, sign 0x4000, dscale 3, digits 1 2345 6780 */
    static const uint8_t want[] = {0, 3, 0, 1, 0x40, 0, 0, 3, 0, 1, 0x09, 0x29, 0x1a, 0x7c};
    assert_int_equal(b.n, sizeof want);
    assert_memory_equal(b.p, want, sizeof want);
    buf_reset(&b);
    numeric_send(num("NaN"), &b);
    static const uint8_t nan[] = {0, 0, 0, 0, 0xC0, 0, 0, 0};
    assert_memory_equal(b.p, nan, sizeof nan);
    buf_reset(&b);
    numeric_send(num("0.00"), &b);
    static const uint8_t zero[] = {0, 0, 0, 0, 0, 0, 0, 2};
    assert_memory_equal(b.p, zero, sizeof zero);
    const sql_numeric *r;
    sql_error err;
    static const uint8_t badsign[] = {0, 0, 0, 0, 0x12, 0, 0, 0};
    assert_int_equal(numeric_recv(mice_slice_of(badsign, 8), -1, arena, &r, &err), MICE_INVALID);
    assert_string_equal(err.message, "invalid sign in external \"numeric\" value");
    assert_string_equal(err.sqlstate, "22P03");
    static const uint8_t baddigit[] = {0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10};
    assert_int_equal(numeric_recv(mice_slice_of(baddigit, 10), -1, arena, &r, &err), MICE_INVALID);
    assert_string_equal(err.message, "invalid digit in external \"numeric\" value");
    static const uint8_t badscale[] = {0, 0, 0, 0, 0, 0, 0x40, 0};
    assert_int_equal(numeric_recv(mice_slice_of(badscale, 8), -1, arena, &r, &err), MICE_INVALID);
    assert_string_equal(err.message, "invalid scale in external \"numeric\" value");
    assert_int_equal(numeric_recv(mice_slice_of(baddigit, 9), -1, arena, &r, &err), MICE_INVALID);
    /* hidden digits beyond dscale are truncated, as PostgreSQL's numeric_recv */
    static const uint8_t hidden[] = {0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88};
    assert_int_equal(numeric_recv(mice_slice_of(hidden, 12), -1, arena, &r, &err), MICE_OK);
    assert_string_equal(fmt(r), "1.5");
    buf_deinit(&b);
}

static void test_sqrt(void **state)
{
    (void)state;
    static const char *cases[][2] = {
        {"2", "1.414213562373095"},
        {"100", "10.000000000000000"},
        {"0.0001", "0.01000000000000000"},
        {"1e-20", "0.0000000001000000000000000"},
        {"12345678901234567890", "3513641828.8201443"},
        {"2.00000000000000000000000", "1.41421356237309504880169"},
        {"0", "0.000000000000000"},
        {"inf", "Infinity"},
        {"nan", "NaN"},
        {"0.5", "0.70710678118654752"},
        {"1e30", "1000000000000000.0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sql_numeric *r;
        sql_error err;
        assert_int_equal(numeric_sqrt(num(cases[i][0]), arena, &r, &err), MICE_OK);
        assert_string_equal(fmt(r), cases[i][1]);
    }
    const sql_numeric *r;
    sql_error err;
    assert_int_equal(numeric_sqrt(num("-1"), arena, &r, &err), MICE_INVALID);
    assert_string_equal(err.sqlstate, "2201F");
    assert_string_equal(err.message, "cannot take square root of a negative number");
    assert_int_equal(numeric_sqrt(num("-inf"), arena, &r, &err), MICE_INVALID);
}

static void test_arena_budget_is_out_of_memory(void **state)
{
    (void)state;
    mice_arena *tiny = arena_create(NULL, "tiny", 1);
    const sql_numeric *n;
    sql_error err;
    assert_int_equal(numeric_parse(mice_slice_str("123456789012345678901234567890"), tiny, &n, &err),
                     MICE_NOMEM);
    assert_string_equal(err.sqlstate, "53200");
    assert_string_equal(err.message, "out of memory");
    arena_destroy(tiny);
}

static void random_numeric_text(mice_prng *rng, char *out, size_t cap)
{
    size_t n = 0;
    if (prng_chance(rng, 1, 2)) out[n++] = '-';
    int before = (int)prng_below(rng, 30), after = (int)prng_below(rng, 30);
    out[n++] = (char)('1' + prng_below(rng, 9));
    for (int i = 0; i < before; i++) out[n++] = (char)('0' + prng_below(rng, 10));
    if (after) out[n++] = '.';
    for (int i = 0; i < after; i++) out[n++] = (char)('0' + prng_below(rng, 10));
    out[n] = '\0';
    assert_true(n < cap);
}

/* Text and binary round trips of random values, and a + b - b == a, (a * b) / b ~ a. */
static void test_property_round_trip(void **state)
{
    (void)state;
    uint64_t seed = 20261123;
    mice_prng rng;
    prng_seed(&rng, seed);
    char text[80];
    for (int i = 0; i < 3000; i++) {
        random_numeric_text(&rng, text, sizeof text);
        const sql_numeric *a = num(text), *b = num(text), *r, *s;
        sql_error err;
        if (strcmp(fmt(a), text) != 0) fail_msg("seed %llu: %s -> %s", (unsigned long long)seed, text, fmt(a));
        mice_buf bin;
        buf_init(&bin);
        numeric_send(a, &bin);
        assert_int_equal(numeric_recv(buf_slice(&bin), -1, arena, &r, &err), MICE_OK);
        buf_deinit(&bin);
        assert_string_equal(fmt(r), text);
        random_numeric_text(&rng, text, sizeof text);
        b = num(text);
        assert_int_equal(numeric_add(a, b, arena, &r, &err), MICE_OK);
        assert_int_equal(numeric_sub(r, b, arena, &s, &err), MICE_OK);
        assert_int_equal(numeric_cmp(s, a), 0);
        const sql_numeric *at;
        assert_int_equal(numeric_trunc(a, 0, arena, &at, &err), MICE_OK);
        assert_int_equal(numeric_mul(at, b, arena, &r, &err), MICE_OK);
        assert_int_equal(numeric_mod(r, b, arena, &s, &err), MICE_OK);
        if (numeric_sign(s) != 0)
            fail_msg("seed %llu: (%s * %s) %% %s = %s", (unsigned long long)seed, fmt(at), text,
                     text, fmt(s));
        assert_int_equal(numeric_div_trunc(r, b, arena, &s, &err), MICE_OK);
        if (numeric_cmp(s, at) != 0)
            fail_msg("seed %llu: trunc((%s * %s) / %s) = %s", (unsigned long long)seed, fmt(at),
                     text, text, fmt(s));
        /* a / b * b is a to about 16 significant digits */
        assert_int_equal(numeric_div(a, b, arena, &r, &err), MICE_OK);
        assert_int_equal(numeric_mul(r, b, arena, &s, &err), MICE_OK);
        assert_int_equal(numeric_sub(s, a, arena, &r, &err), MICE_OK);
        assert_int_equal(numeric_abs(r, arena, &s, &err), MICE_OK);
        assert_int_equal(numeric_abs(a, arena, &r, &err), MICE_OK);
        assert_int_equal(numeric_div(s, r, arena, &at, &err), MICE_OK);
        assert_true(numeric_cmp(at, num("1e-15")) < 0);
        if (i % 500 == 0) arena_reset(arena);
    }
}

int main(void)
{
    arena = arena_create(NULL, "test", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format),   cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_arithmetic),     cmocka_unit_test(test_rounding),
        cmocka_unit_test(test_typmod),         cmocka_unit_test(test_compare_hash),
        cmocka_unit_test(test_conversions),    cmocka_unit_test(test_binary),
        cmocka_unit_test(test_property_round_trip),
        cmocka_unit_test(test_arena_budget_is_out_of_memory),
        cmocka_unit_test(test_sqrt),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_destroy(arena);
    return rc;
}
