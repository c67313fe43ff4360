/* Unit tests for sql/func string functions, LIKE and ||. The expectations were produced by
 * running each call on a real PostgreSQL 15.18 (psql, TimeZone UTC; lower/upper/initcap/ILIKE
 * with COLLATE "C", MiceDB's collation) and are pasted here as literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "sql/func.h"
#include "sql/support/func_cases.h"
#include "sql/value_io.h"

static const call_case string_cases[] = {
    {"length", 1, {"text:h\303\251llo w\303\266rld"}, "11"},
    {"length", 1, {"text:"}, "0"},
    {"length", 1, {"null:text"}, "<NULL>"},
    {"length", 1, {"bytea:\\x0102ff"}, "3"},
    {"length", 1, {"bpchar:ab   "}, "2"},
    {"char_length", 1, {"bpchar:ab   "}, "2"},
    {"octet_length", 1, {"bpchar:ab   "}, "5"},
    {"char_length", 1, {"text:\346\227\245\346\234\254\350\252\236"}, "3"},
    {"character_length", 1, {"varchar:abc"}, "3"},
    {"octet_length", 1, {"text:h\303\251llo"}, "6"},
    {"octet_length", 1, {"bytea:\\x0102"}, "2"},
    {"bit_length", 1, {"text:h\303\251llo"}, "48"},
    {"lower", 1, {"text:HeLLo \303\211COLE"}, "hello \303\211cole"},
    {"upper", 1, {"text:hello \303\251cole"}, "HELLO \303\251COLE"},
    {"initcap", 1, {"text:hello wORLD foo-bar x1y_z"}, "Hello World Foo-Bar X1y_Z"},
    {"initcap", 1, {"text:\303\251a"}, "\303\251A"},
    {"upper", 1, {"null:text"}, "<NULL>"},
    {"substr", 2, {"text:hello", "int4:2"}, "ello"},
    {"substr", 3, {"text:hello", "int4:-1", "int4:3"}, "h"},
    {"substr", 3, {"text:hello", "int4:0", "int4:2"}, "h"},
    {"substr", 3, {"text:hello", "int4:2", "int4:0"}, ""},
    {"substr",
     3,
     {"text:hello", "int4:2", "int4:-1"},
     "ERROR 22011 negative substring length not allowed"},
    {"substr", 2, {"text:hello", "int4:10"}, ""},
    {"substr", 2, {"text:hello", "int4:-5"}, "hello"},
    {"substr", 3, {"text:h\303\251llo w\303\266rld", "int4:2", "int4:6"}, "\303\251llo w"},
    {"substr", 3, {"text:hello", "int4:2147483647", "int4:2147483647"}, ""},
    {"substr", 3, {"text:hello", "int4:-2147483648", "int4:2147483647"}, ""},
    {"substr", 3, {"bytea:\\x0102030405", "int4:2", "int4:2"}, "\\x0203"},
    {"substr", 3, {"bytea:\\x01020304", "int4:-1", "int4:3"}, "\\x01"},
    {"substr",
     3,
     {"bytea:\\x01020304", "int4:1", "int4:-1"},
     "ERROR 22011 negative substring length not allowed"},
    {"substring", 3, {"text:hello", "int4:2", "int4:3"}, "ell"},
    {"substr", 2, {"null:text", "int4:1"}, "<NULL>"},
    {"substr", 2, {"text:hello", "null:int4"}, "<NULL>"},
    {"strpos", 2, {"text:hello", "text:ll"}, "3"},
    {"strpos", 2, {"text:h\303\251llo", "text:llo"}, "3"},
    {"strpos", 2, {"text:hello", "text:"}, "1"},
    {"strpos", 2, {"text:hello", "text:z"}, "0"},
    {"position", 2, {"text:hello", "text:lo"}, "4"},
    {"left", 2, {"text:h\303\251llo", "int4:2"}, "h\303\251"},
    {"left", 2, {"text:hello", "int4:-2"}, "hel"},
    {"left", 2, {"text:hello", "int4:10"}, "hello"},
    {"left", 2, {"text:hello", "int4:-10"}, ""},
    {"right", 2, {"text:h\303\251llo", "int4:3"}, "llo"},
    {"right", 2, {"text:hello", "int4:-2"}, "llo"},
    {"right", 2, {"text:hello", "int4:-10"}, ""},
    {"right", 2, {"text:hello", "int4:0"}, ""},
    {"lpad", 2, {"text:hi", "int4:5"}, "   hi"},
    {"lpad", 3, {"text:hi", "int4:5", "text:xy"}, "xyxhi"},
    {"lpad", 3, {"text:hello", "int4:3", "text:xy"}, "hel"},
    {"lpad", 3, {"text:hi", "int4:5", "text:"}, "hi"},
    {"lpad", 2, {"text:hi", "int4:-1"}, ""},
    {"lpad",
     3,
     {"text:h\303\251", "int4:4", "text:\346\227\245\346\234\254"},
     "\346\227\245\346\234\254h\303\251"},
    {"rpad", 3, {"text:hi", "int4:5", "text:xy"}, "hixyx"},
    {"rpad", 2, {"text:hello", "int4:2"}, "he"},
    {"rpad",
     3,
     {"text:hi", "int4:6", "text:\346\227\245\346\234\254"},
     "hi\346\227\245\346\234\254\346\227\245\346\234\254"},
    {"btrim", 1, {"text:  hi  "}, "hi"},
    {"btrim", 2, {"text:xxhixyx", "text:xy"}, "hi"},
    {"btrim", 2, {"text:\303\251\303\251hi\303\251\303\251", "text:\303\251"}, "hi"},
    {"ltrim", 1, {"text:  hi  "}, "hi  "},
    {"ltrim", 2, {"text:zzyhi", "text:yz"}, "hi"},
    {"rtrim", 1, {"text:  hi  "}, "  hi"},
    {"rtrim", 2, {"text:hixxy", "text:yx"}, "hi"},
    {"rtrim", 2, {"text:xxx", "text:x"}, ""},
    {"btrim", 2, {"text:abc", "text:"}, "abc"},
    {"replace", 3, {"text:hello world", "text:o", "text:0"}, "hell0 w0rld"},
    {"replace", 3, {"text:hello", "text:", "text:x"}, "hello"},
    {"replace", 3, {"text:aaa", "text:aa", "text:b"}, "ba"},
    {"replace", 3, {"text:h\303\251llo", "text:\303\251", "text:e"}, "hello"},
    {"repeat", 2, {"text:ab", "int4:3"}, "ababab"},
    {"repeat", 2, {"text:ab", "int4:0"}, ""},
    {"repeat", 2, {"text:ab", "int4:-1"}, ""},
    {"repeat", 2, {"text:ab", "int4:1000000000"}, "ERROR 54000 requested length too large"},
    {"reverse", 1, {"text:h\303\251llo"}, "oll\303\251h"},
    {"reverse", 1, {"text:"}, ""},
    {"concat", 5, {"text:a", "null:text", "int4:1", "bool:true", "numeric:1.50"}, "a1t1.50"},
    {"concat", 1, {"null:text"}, ""},
    {"concat", 2, {"unknown:x", "date:2024-01-05"}, "x2024-01-05"},
    {"concat_ws", 4, {"text:,", "text:a", "null:text", "text:b"}, "a,b"},
    {"concat_ws", 2, {"null:text", "text:a"}, "<NULL>"},
    {"concat_ws", 3, {"text:-", "float8:1.5", "int8:2"}, "1.5-2"},
    {"split_part", 3, {"text:a,b,c", "text:,", "int4:2"}, "b"},
    {"split_part", 3, {"text:a,b,c", "text:,", "int4:4"}, ""},
    {"split_part", 3, {"text:a,b,c", "text:,", "int4:-1"}, "c"},
    {"split_part", 3, {"text:a,b,c", "text:,", "int4:-4"}, ""},
    {"split_part",
     3,
     {"text:a,b,c", "text:,", "int4:0"},
     "ERROR 22023 field position must not be zero"},
    {"split_part", 3, {"text:abc", "text:", "int4:1"}, "abc"},
    {"split_part", 3, {"text:abc", "text:", "int4:2"}, ""},
    {"split_part", 3, {"text:", "text:,", "int4:1"}, ""},
    {"split_part", 3, {"text:a~~b~~c", "text:~~", "int4:3"}, "c"},
    {"md5", 1, {"text:"}, "d41d8cd98f00b204e9800998ecf8427e"},
    {"md5", 1, {"text:hello"}, "5d41402abc4b2a76b9719d911017c592"},
    {"md5",
     1,
     {"text:The quick brown fox jumps over the lazy dog and keeps running far away"},
     "a94c1b8522e4e3e16ab9bafcefe81f78"},
    {"md5", 1, {"bytea:\\x00ff"}, "d07d34efac6328007ad67c7e0a985e00"},
    {"ascii", 1, {"text:A"}, "65"},
    {"ascii", 1, {"text:\303\251"}, "233"},
    {"ascii", 1, {"text:"}, "0"},
    {"chr", 1, {"int4:65"}, "A"},
    {"chr", 1, {"int4:233"}, "\303\251"},
    {"chr", 1, {"int4:128512"}, "\360\237\230\200"},
    {"chr", 1, {"int4:0"}, "ERROR 54000 null character not permitted"},
    {"chr", 1, {"int4:-1"}, "ERROR 22023 character number must be positive"},
    {"chr", 1, {"int4:1114112"}, "ERROR 54000 requested character too large for encoding: 1114112"},
    {"chr", 1, {"int4:55296"}, "ERROR 54000 requested character not valid for encoding: 55296"},
    {"to_hex", 1, {"int4:255"}, "ff"},
    {"to_hex", 1, {"int4:-1"}, "ffffffff"},
    {"to_hex", 1, {"int8:-1"}, "ffffffffffffffff"},
    {"to_hex", 1, {"int8:9223372036854775807"}, "7fffffffffffffff"},
    {"to_hex", 1, {"int4:0"}, "0"},
    {"starts_with", 2, {"text:hello", "text:he"}, "t"},
    {"starts_with", 2, {"text:hello", "text:lo"}, "f"},
    {"starts_with", 2, {"text:hello", "text:"}, "t"},
    {"quote_ident", 1, {"text:foo"}, "foo"},
    {"quote_ident", 1, {"text:Foo"}, "\"Foo\""},
    {"quote_ident", 1, {"text:select"}, "\"select\""},
    {"quote_ident", 1, {"text:a\"b"}, "\"a\"\"b\""},
    {"quote_ident", 1, {"text:_x1"}, "_x1"},
    {"quote_ident", 1, {"text:1x"}, "\"1x\""},
    {"quote_ident", 1, {"text:"}, "\"\""},
    {"quote_ident", 1, {"text:\303\251t\303\251"}, "\"\303\251t\303\251\""},
    {"quote_literal", 1, {"text:it's"}, "'it''s'"},
    {"quote_literal", 1, {"text:back\\slash"}, "E'back\\\\slash'"},
    {"quote_literal", 1, {"int4:42"}, "'42'"},
    {"quote_nullable", 1, {"null:text"}, "NULL"},
    {"quote_nullable", 1, {"text:o'k"}, "'o''k'"},
    {"format", 3, {"text:Hello %s, %s", "text:World", "int4:7"}, "Hello World, 7"},
    {"format", 3, {"text:%I.%I", "text:public", "text:My Table"}, "public.\"My Table\""},
    {"format", 2, {"text:%L", "text:O'Reilly"}, "'O''Reilly'"},
    {"format", 2, {"text:%L", "null:text"}, "NULL"},
    {"format", 2, {"text:%s", "null:text"}, ""},
    {"format",
     2,
     {"text:%I", "null:text"},
     "ERROR 22004 null values cannot be formatted as an SQL identifier"},
    {"format", 3, {"text:%2$s %1$s", "text:a", "text:b"}, "b a"},
    {"format", 3, {"text:%1$s %s", "text:a", "text:b"}, "a b"},
    {"format", 3, {"text:[%5s][%-5s]", "text:ab", "text:cd"}, "[   ab][cd   ]"},
    {"format", 1, {"text:100%%"}, "100%"},
    {"format", 2, {"text:%s %s", "text:a"}, "ERROR 22023 too few arguments for format()"},
    {"format", 2, {"text:%x", "text:a"}, "ERROR 22023 unrecognized format() type specifier \"x\""},
    {"format", 2, {"text:%", "text:a"}, "ERROR 22023 unterminated format() type specifier"},
    {"format",
     2,
     {"text:%0$s", "text:a"},
     "ERROR 22023 format specifies argument 0, but arguments are numbered from 1"},
    {"format", 2, {"null:text", "text:a"}, "<NULL>"},
    {"format", 1, {"text:no args"}, "no args"},
    {"translate", 3, {"text:hello", "text:el", "text:ip"}, "hippo"},
    {"translate", 3, {"text:hello", "text:elo", "text:i"}, "hi"},
    {"translate", 3, {"text:h\303\251llo", "text:\303\251", "text:e"}, "hello"},
    {"encode", 2, {"bytea:\\x68656c6c6f", "text:hex"}, "68656c6c6f"},
    {"encode", 2, {"bytea:\\x68656c6c6f", "text:base64"}, "aGVsbG8="},
    {"encode", 2, {"bytea:\\x00015c7f80ff", "text:escape"}, "\\000\001\\\\\177\\200\\377"},
    {"encode", 2, {"bytea:\\x00", "text:nope"}, "ERROR 22023 unrecognized encoding: \"nope\""},
    {"encode",
     2,
     {"bytea:"
      "\\x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2"
      "c2d2e2f303132333435363738393a3b3c3d3e3f",
      "text:base64"},
     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\nOTo7PD0+Pw=="},
    {"decode", 2, {"text:68656c6c6f", "text:hex"}, "\\x68656c6c6f"},
    {"decode", 2, {"text:aGVsbG8=", "text:base64"}, "\\x68656c6c6f"},
    {"decode", 2, {"text:aGVsbA==", "text:base64"}, "\\x68656c6c"},
    {"decode",
     2,
     {"text:abc", "text:hex"},
     "ERROR 22023 invalid hexadecimal data: odd number of digits"},
    {"decode", 2, {"text:zz", "text:hex"}, "ERROR 22023 invalid hexadecimal digit: \"z\""},
    {"decode",
     2,
     {"text:a$==", "text:base64"},
     "ERROR 22023 invalid symbol \"$\" found while decoding base64 sequence"},
    {"decode", 2, {"text:aGVsbG8", "text:base64"}, "ERROR 22023 invalid base64 end sequence"},
    {"decode", 2, {"text:a\\\\b\\001", "text:escape"}, "\\x615c6201"},
    {"decode", 2, {"text:a\\9", "text:escape"}, "ERROR 22P02 invalid input syntax for type bytea"},
    {"decode", 2, {"text:x", "text:rot13"}, "ERROR 22023 unrecognized encoding: \"rot13\""},
    {"textlike", 2, {"text:hello", "text:h%o"}, "t"},
    {"textlike", 2, {"text:hello", "text:h_llo"}, "t"},
    {"textlike", 2, {"text:h\303\251llo", "text:h_llo"}, "t"},
    {"textlike", 2, {"text:hello", "text:H%"}, "f"},
    {"textlike", 2, {"text:a%b", "text:a\\%b"}, "t"},
    {"textlike", 2, {"text:axb", "text:a\\%b"}, "f"},
    {"textlike", 2, {"text:hello", "text:%"}, "t"},
    {"textlike", 2, {"text:", "text:%"}, "t"},
    {"textlike", 2, {"text:", "text:_"}, "f"},
    {"textlike", 2, {"text:abc", "text:abc\\"}, "f"},
    {"textlike", 2, {"text:abc", "text:%%c"}, "t"},
    {"textlike", 2, {"text:ab", "text:%_%_%_"}, "f"},
    {"textnlike", 2, {"text:hello", "text:h%"}, "f"},
    {"texticlike", 2, {"text:HeLLo", "text:h%LO"}, "t"},
    {"texticnlike", 2, {"text:HeLLo", "text:x%"}, "t"},
    {"like_escape", 2, {"text:a#%b", "text:#"}, "a\\%b"},
    {"like_escape", 2, {"text:a\\b", "text:"}, "a\\\\b"},
    {"like_escape", 2, {"text:a\\b", "text:#"}, "a\\\\b"},
    {"like_escape", 2, {"text:a%b", "text:ab"}, "ERROR 22025 invalid escape string"},
    {"textcat", 2, {"text:ab", "text:cd"}, "abcd"},
    {"textcat", 2, {"text:ab", "null:text"}, "<NULL>"},
    {"textcat", 2, {"text:\303\251", "text:\346\227\245"}, "\303\251\346\227\245"},
    {"length", 1, {"bpchar:ab  "}, "2"},
    {"upper", 1, {"bpchar:ab  "}, "AB"},
    {"concat", 2, {"bpchar:ab  ", "text:x"}, "ab  x"},
    {"textcat", 2, {"varchar:ab", "bpchar:c  "}, "abc"},
    {"lpad", 3, {"varchar:ab", "int2:4", "unknown:*"}, "**ab"},
    {"replace", 3, {"unknown:aXa", "unknown:X", "unknown:--"}, "a--a"},
};

static void test_string_vs_postgres(void **state)
{
    (void)state;
    func_cases_run(string_cases, sizeof string_cases / sizeof string_cases[0]);
}

static void test_operators_map_to_functions(void **state)
{
    (void)state;
    assert_string_equal(func_operator_function("~~"), "textlike");
    assert_string_equal(func_operator_function("!~~"), "textnlike");
    assert_string_equal(func_operator_function("~~*"), "texticlike");
    assert_string_equal(func_operator_function("!~~*"), "texticnlike");
    assert_string_equal(func_operator_function("||"), "textcat");
    assert_null(func_operator_function("+"));
    /* 'a' || 1 resolves to textcat's (text, anynonarray) form, as PostgreSQL's textanycat */
    sql_type_id types[2] = {SQL_TYPE_UNKNOWN, SQL_TYPE_INT4};
    func_match m;
    sql_error err;
    assert_int_equal(func_lookup("textcat", types, 2, &m, &err), MICE_OK);
    assert_int_equal(m.arg_types[0], SQL_TYPE_TEXT);
    assert_int_equal(m.arg_types[1], SQL_TYPE_INT4);
    assert_int_equal(m.ret, SQL_TYPE_TEXT);
    sql_type_id tt[2] = {SQL_TYPE_UNKNOWN, SQL_TYPE_UNKNOWN};
    assert_int_equal(func_lookup("textcat", tt, 2, &m, &err), MICE_OK);
    assert_int_equal(m.desc->args[0], SQL_TYPE_TEXT);
    assert_int_equal(m.desc->args[1], SQL_TYPE_TEXT);
    sql_type_id vv[2] = {SQL_TYPE_VARCHAR, SQL_TYPE_VARCHAR};
    assert_int_equal(func_lookup("textcat", vv, 2, &m, &err), MICE_OK);
    assert_int_equal(m.desc->args[1], SQL_TYPE_TEXT);
    sql_type_id ii[2] = {SQL_TYPE_INT4, SQL_TYPE_INT4};
    assert_int_equal(func_lookup("textcat", ii, 2, &m, &err), MICE_NOTFOUND);
    assert_int_equal(func_lookup("textanycat", types, 2, &m, &err), MICE_OK);
    const char *args[] = {"text:a", "int4:1"};
    assert_string_equal(func_cases_call("textanycat", 2, args), "a1");
    const char *args2[] = {"int4:1", "text:a"};
    assert_string_equal(func_cases_call("anytextcat", 2, args2), "1a");
}

static void test_strictness_and_variadic(void **state)
{
    (void)state;
    /* concat is not strict and skips NULLs; a strict function gives NULL without a call */
    const char *a1[] = {"null:text", "null:int4"};
    assert_string_equal(func_cases_call("concat", 2, a1), "");
    const char *a2[] = {"null:unknown", "text:x"};
    assert_string_equal(func_cases_call("replace", 3, (const char *[]){"text:x", "null:text", "text:y"}),
                        "<NULL>");
    assert_string_equal(func_cases_call("concat_ws", 2, a2), "<NULL>");
    /* variadic: at least one argument, up to 100 */
    sql_error err;
    func_match m;
    assert_int_equal(func_lookup("concat", NULL, 0, &m, &err), MICE_NOTFOUND);
    assert_string_equal(err.message, "function concat() does not exist");
    sql_type_id many[101];
    for (int i = 0; i < 101; i++)
        many[i] = SQL_TYPE_TEXT;
    assert_int_equal(func_lookup("concat", many, 100, &m, &err), MICE_OK);
    assert_int_equal(func_lookup("concat", many, 101, &m, &err), MICE_LIMIT);
    assert_string_equal(err.sqlstate, "54000");
    assert_string_equal(err.message, "cannot pass more than 100 arguments to a function");
}

static void test_out_of_memory(void **state)
{
    (void)state;
    mice_arena *small = arena_create(NULL, "small", 64);
    func_ctx c;
    func_ctx_init(&c, small, &fc.vctx);
    sql_datum args[2] = {datum_text(MICE_SLICE_LIT("abcdefgh")), datum_int4(1000)};
    sql_datum out;
    sql_error err;
    assert_int_not_equal(func_call_by_name("repeat", args, 2, &c, &out, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "53200");
    arena_destroy(small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_string_vs_postgres, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_operators_map_to_functions, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_strictness_and_variadic, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, func_cases_setup, func_cases_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
