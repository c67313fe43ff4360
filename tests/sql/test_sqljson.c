/* Unit tests for sql/sqljson: json input accepted and refused with the DETAIL PostgreSQL 15
 * gives (captured with "select '...'::json"), JSON forms of values, and garbage that must
 * fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "sql/sqljson.h"
#include "sql/value_io.h"

static void test_valid(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "{}", " [ ] ", "true", "false", "null", "0", "-0", "-0.5", "1e10", "2.5E-3", "1E+2",
        "\"\"", "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\"", "{\"a\": [1, 2.5e3, {\"b\": null}]}",
        "\t\n\r {\"k\":\"v\",\"k\":1}\n", "[[[[]]]]", "\"\xc3\xa9\""};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        sql_error err;
        if (sqljson_validate(mice_slice_str(ok[i]), &err)) fail_msg("%s: %s", ok[i], err.detail);
    }
}

static void test_invalid_details(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"{\"a\" 1}", "Expected \":\", but found \"1\"."},
        {"[1,2", "The input string ended unexpectedly."},
        {"{\"a\":1,}", "Expected string, but found \"}\"."},
        {"{1:2}", "Expected string or \"}\", but found \"1\"."},
        {"nul", "Token \"nul\" is invalid."},
        {"01", "Token \"01\" is invalid."},
        {"[1 2]", "Expected \",\" or \"]\", but found \"2\"."},
        {"{\"a\":1 \"b\"}", "Expected \",\" or \"}\", but found \"\"b\"\"."},
        {"\"a\tb\"", "Character with value 0x09 must be escaped."},
        {"\"\\x\"", "Escape sequence \"\\x\" is invalid."},
        {"\"\\u12\"", "\"\\u\" must be followed by four hexadecimal digits."},
        {"1 2", "Expected end of input, but found \"2\"."},
        {"]", "Expected JSON value, but found \"]\"."},
        {"", "The input string ended unexpectedly."},
        {"-", "Token \"-\" is invalid."},
        {"1.", "Token \"1.\" is invalid."},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sql_error err;
        mice_status rc = sqljson_validate(mice_slice_str(bad[i][0]), &err);
        if (rc != MICE_INVALID) fail_msg("%s: accepted", bad[i][0]);
        assert_string_equal(err.sqlstate, "22P02");
        assert_string_equal(err.message, "invalid input syntax for type json");
        if (strcmp(err.detail, bad[i][1]))
            fail_msg("%s: detail '%s', want '%s'", bad[i][0], err.detail, bad[i][1]);
    }
}

static const char *json_of(const sql_datum *d)
{
    static char buf[256];
    mice_buf b;
    buf_init(&b);
    assert_int_equal(sqljson_append_datum(&b, d, NULL, NULL), MICE_OK);
    snprintf(buf, sizeof buf, "%.*s", (int)b.n, (const char *)b.p);
    buf_deinit(&b);
    return buf;
}

static void test_values(void **state)
{
    (void)state;
    sql_datum d = datum_null(SQL_TYPE_INT4);
    assert_string_equal(json_of(&d), "null");
    d = datum_bool(true);
    assert_string_equal(json_of(&d), "true");
    d = datum_int8(-42);
    assert_string_equal(json_of(&d), "-42");
    d = datum_float8(1.5);
    assert_string_equal(json_of(&d), "1.5");
    d = datum_float8(-__builtin_inf());
    assert_string_equal(json_of(&d), "\"-Infinity\"");
    d = datum_text(MICE_SLICE_LIT("a\"b\\c\n\x01"));
    assert_string_equal(json_of(&d), "\"a\\\"b\\\\c\\n\\u0001\"");
    d = datum_bytes(SQL_TYPE_JSON, MICE_SLICE_LIT("{\"x\": [1]}"));
    assert_string_equal(json_of(&d), "{\"x\": [1]}");
}

/* Random bytes are accepted or refused, never crash or read past the end. */
static void test_garbage(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, 77);
    static const char alphabet[] = "{}[]\",:\\u0123456789.eE+-truefalsn \t";
    char buf[48];
    for (int round = 0; round < 20000; round++) {
        size_t n = prng_below(&r, sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = round % 3 ? alphabet[prng_below(&r, sizeof alphabet - 1)]
                               : (char)prng_below(&r, 256);
        sql_error err;
        (void)sqljson_validate(mice_slice_of(buf, n), &err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_invalid_details),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
