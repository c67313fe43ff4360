/* Unit tests for server/http_json: UTF-8 validation, string escaping, the text-or-base64
 * choice for KV bytes, PostgreSQL values as JSON, times, and SQLSTATE -> HTTP status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "server/http_json.h"

#define S(lit) MICE_SLICE_LIT(lit)

static void expect(mice_buf *b, const char *want)
{
    buf_append_u8(b, 0);
    assert_string_equal((const char *)b->p, want);
    buf_reset(b);
}

static void test_utf8_validation(void **state)
{
    (void)state;
    assert_true(http_json_utf8_valid(S("")));
    assert_true(http_json_utf8_valid(S("plain ascii \x01\x7f")));
    assert_true(http_json_utf8_valid(S("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xad"))); /* é € 🐭 */
    assert_true(http_json_utf8_valid(mice_slice_of("a\0b", 3))); /* NUL is text */
    assert_false(http_json_utf8_valid(S("\xff")));
    assert_false(http_json_utf8_valid(S("\xc3")));             /* truncated */
    assert_false(http_json_utf8_valid(S("\xc0\xaf")));         /* overlong '/' */
    assert_false(http_json_utf8_valid(S("\xe0\x80\xaf")));     /* overlong */
    assert_false(http_json_utf8_valid(S("\xed\xa0\x80")));     /* surrogate */
    assert_false(http_json_utf8_valid(S("\xf4\x90\x80\x80"))); /* > U+10FFFF */
    assert_false(http_json_utf8_valid(S("ok\x80")));
}

static void test_string_escaping(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    http_json_append_string(&b, S("a\"b\\c\nd\te\r\x01\x1f/\xc3\xa9"));
    expect(&b, "\"a\\\"b\\\\c\\nd\\te\\r\\u0001\\u001f/\xc3\xa9\"");
    http_json_append_string(&b, mice_slice_of("x\0y", 3));
    expect(&b, "\"x\\u0000y\"");
    http_json_append_string(&b, S("bad\xff"
                                  "end"));
    expect(&b, "\"bad\xef\xbf\xbd"
               "end\"");
    http_json_append_string(&b, S(""));
    expect(&b, "\"\"");
    buf_deinit(&b);
}

static void test_bytes_field_text_or_base64(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    http_json_append_bytes_field(&b, "key", S("user:1"));
    expect(&b, "\"key\":\"user:1\"");
    http_json_append_bytes_field(&b, "value", S("\x00\xff"));
    expect(&b, "\"value_b64\":\"AP8=\"");
    http_json_append_bytes_field(&b, "value", S(""));
    expect(&b, "\"value\":\"\"");
    http_json_append_bytes_field(&b, "key", S("\xe2\x82"));
    expect(&b, "\"key_b64\":\"4oI=\"");
    buf_deinit(&b);
}

static void test_number_grammar(void **state)
{
    (void)state;
    const char *good[] = {"0", "-0", "12", "-12.5", "1e10", "1E+10", "2.5e-3", "1e+100"};
    const char *bad[] = {"",    "-",        "01",        "1.", ".5",   "+1",   "1e",
                         "NaN", "Infinity", "-Infinity", "1 ", "0x10", "1.5.5"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(http_json_number_valid(mice_slice_str(good[i])));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(http_json_number_valid(mice_slice_str(bad[i])));
}

static void pg(mice_buf *b, uint32_t oid, const char *text, const char *want)
{
    http_json_append_pg_value(b, oid, mice_slice_str(text), false);
    expect(b, want);
}

static void test_pg_values(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    http_json_append_pg_value(&b, 23, S(""), true);
    expect(&b, "null");
    pg(&b, 16, "t", "true");
    pg(&b, 16, "f", "false");
    pg(&b, 23, "-42", "-42");
    pg(&b, 20, "9223372036854775807", "9223372036854775807");
    pg(&b, 21, "7", "7");
    pg(&b, 26, "16384", "16384");
    pg(&b, 701, "2.5", "2.5");
    pg(&b, 701, "1e+100", "1e+100");
    pg(&b, 701, "NaN", "\"NaN\"");
    pg(&b, 700, "-Infinity", "\"-Infinity\"");
    pg(&b, 1700, "12.50", "\"12.50\""); /* numeric keeps every digit: a string */
    pg(&b, 25, "he said \"hi\"", "\"he said \\\"hi\\\"\"");
    pg(&b, 17, "\\x00ff", "\"\\\\x00ff\"");
    pg(&b, 1184, "2024-01-02 03:04:05+00", "\"2024-01-02 03:04:05+00\"");
    pg(&b, 23, "12abc", "\"12abc\""); /* never invalid JSON */
    buf_deinit(&b);
}

static void test_time(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    http_json_append_time(&b, 0);
    expect(&b, "\"1970-01-01T00:00:00.000000Z\"");
    http_json_append_time(&b, 1700000000123456789ull);
    expect(&b, "\"2023-11-14T22:13:20.123456Z\"");
    buf_deinit(&b);
}

static void test_status_for_sqlstate(void **state)
{
    (void)state;
    assert_int_equal(http_json_status_for_sqlstate("42601"), 400);
    assert_int_equal(http_json_status_for_sqlstate("23505"), 400);
    assert_int_equal(http_json_status_for_sqlstate("22012"), 400);
    assert_int_equal(http_json_status_for_sqlstate("40001"), 409);
    assert_int_equal(http_json_status_for_sqlstate("40P01"), 409);
    assert_int_equal(http_json_status_for_sqlstate("55P03"), 409);
    assert_int_equal(http_json_status_for_sqlstate("28P01"), 403);
    assert_int_equal(http_json_status_for_sqlstate("42501"), 403);
    assert_int_equal(http_json_status_for_sqlstate("53300"), 503);
    assert_int_equal(http_json_status_for_sqlstate("57P01"), 503);
    assert_int_equal(http_json_status_for_sqlstate("XX000"), 500);
    assert_int_equal(http_json_status_for_sqlstate("58030"), 500);
    assert_int_equal(http_json_status_for_sqlstate(NULL), 500);
    assert_int_equal(http_json_status_for_sqlstate("bad"), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_validation),
        cmocka_unit_test(test_string_escaping),
        cmocka_unit_test(test_bytes_field_text_or_base64),
        cmocka_unit_test(test_number_grammar),
        cmocka_unit_test(test_pg_values),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_status_for_sqlstate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
