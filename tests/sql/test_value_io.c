/* Unit tests for sql/value_io: text and binary formats. Expected texts were produced by
 * PostgreSQL 15 (psql / psycopg against a scratch server: "select v::float8::text" and
 * friends), pasted here as literal tables so the tests need no server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/prng.h"
#include "sql/value_io.h"

static mice_arena *arena;
static char out_text[1400];

static const struct {
    const char *in, *want;
} float8_cases[] = {
        {"0.1", "0.1"},
        {"1e20", "1e+20"},
        {"123456789012345680", "1.2345678901234568e+17"},
        {"1.5e-5", "1.5e-05"},
        {"1e15", "1e+15"},
        {"1e14", "100000000000000"},
        {"1e-4", "0.0001"},
        {"1e-5", "1e-05"},
        {"5e-324", "5e-324"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {"2.2250738585072014e-308", "2.2250738585072014e-308"},
        {"9007199254740993", "9.007199254740992e+15"},
        {"0.3", "0.3"},
        {"100", "100"},
        {"-0", "-0"},
        {"1e22", "1e+22"},
        {"1e23", "9.999999999999999e+22"},
        {"8.41e21", "8.409999999999999e+21"},
        {"5e-310", "5e-310"},
        {"4.8371311995201997e+17", "4.8371311995201997e+17"},
        {"402.32383599999997", "402.323836"},
        {"-806.92577000000006", "-806.92577"},
        {"-2.2659708139802528e+246", "-2.265970813980253e+246"},
        {"466893.36692817323", "466893.3669281732"},
        {"-613204.11765594594", "-613204.117655946"},
        {"0.6666666666666666", "0.6666666666666666"},
        {"1e-310", "1e-310"},
        {"-1.5e300", "-1.5e+300"},
        {"123456.789", "123456.789"},
        {"1e16", "1e+16"},
        {"12345678901234567", "1.2345678901234568e+16"},
        {"0.000123", "0.000123"},
        {"1e-7", "1e-07"},
        {"-1.0539756485530688e+143", "-1.0539756485530688e+143"},
        {"9.7579156394745805e+17", "9.75791563947458e+17"},
        {"-6.3603751849933163e+38", "-6.360375184993316e+38"},
        {"41854399656548288", "4.185439965654829e+16"},
        {"-7.0255151378757906e+129", "-7.02551513787579e+129"},
        {"-5.6211571643915616e+17", "-5.6211571643915616e+17"},
        {"-5.9840096850936573e+66", "-5.984009685093657e+66"},
        {"97035323630449088", "9.703532363044909e+16"},
        {"-3.7634144828029947e-168", "-3.7634144828029947e-168"},
        {"-5.7071270677941242e+17", "-5.707127067794124e+17"},
        {"5.3154220884625471e+242", "5.315422088462547e+242"},
        {"-6.7304267982623834e+17", "-6.730426798262383e+17"},
        {"-6.0511296129096725e-261", "-6.0511296129096725e-261"},
        {"4.6294851634653984e+17", "4.6294851634653984e+17"},
        {"-5.3526677025126717e-191", "-5.352667702512672e-191"},
        {"-86517291519506640", "-8.651729151950664e+16"},
        {"4.2012124192499332e+250", "4.201212419249933e+250"},
        {"7.038240174419127e+17", "7.038240174419127e+17"},
        {"-1.278808376866442e-123", "-1.278808376866442e-123"},
        {"4.3683638419531584e+17", "4.3683638419531584e+17"},
        {"-1.1547680013076696e+101", "-1.1547680013076696e+101"},
        {"-8.5435160511433971e+17", "-8.543516051143397e+17"},
        {"1.0259476444142278e-264", "1.0259476444142278e-264"},
        {"3.8262516990895571e+17", "3.826251699089557e+17"},
        {"-9.404446511312006e+34", "-9.404446511312006e+34"},
        {"-2.4761875105943331e+17", "-2.476187510594333e+17"},
        {"-1.6800925191972358e-196", "-1.6800925191972358e-196"},
        {"-5.4961956812558797e+17", "-5.4961956812558797e+17"},
        {"1.3722183439346506e-20", "1.3722183439346506e-20"},
        {"-3.2173265442215315e+17", "-3.2173265442215315e+17"},
        {"5.2964948879303666e-303", "5.2964948879303666e-303"},
        {"-8.0402925084774938e+17", "-8.040292508477494e+17"},
        {"-8.4665785514226059e-118", "-8.466578551422606e-118"},
        {"-62032098305659104", "-6.2032098305659104e+16"},
        {"-1.8239481193170801e-245", "-1.82394811931708e-245"},
        {"-8.0814584738844723e+17", "-8.081458473884472e+17"},
        {"178580.96347620327", "178580.96347620327"},
        {"7.4780605305651251e+17", "7.478060530565125e+17"},
        {"-8.8960383444053498e-293", "-8.89603834440535e-293"},
        {"-9.3139674813257997e+17", "-9.3139674813258e+17"},
        {"-8.4028168158725188e-231", "-8.402816815872519e-231"},
        {"-7.5113747547583654e+17", "-7.511374754758365e+17"},
        {"9.8646960905448214e-176", "9.864696090544821e-176"},
        {"-3.2922359189643565e+17", "-3.2922359189643565e+17"},
        {"2.9065206960627332e-226", "2.906520696062733e-226"},
        {"-9.610532324451113e+17", "-9.610532324451113e+17"},
        {"-1.1301839483341071e-80", "-1.1301839483341071e-80"},
        {"-5.0769863793811699e+17", "-5.07698637938117e+17"},
        {"-4.1111041050076423e+218", "-4.111104105007642e+218"},
        {"-8.7935231175140429e+17", "-8.793523117514043e+17"},
        {"1.0175362681840425e+155", "1.0175362681840425e+155"},
        {"6.3461014412753651e+17", "6.346101441275365e+17"},
        {"4.818254424152078e+209", "4.818254424152078e+209"},
        {"3.056645650345257e+17", "3.056645650345257e+17"},
        {"6.1719198356231713e-64", "6.171919835623171e-64"},
        {"5.5623459649568685e+17", "5.5623459649568685e+17"},
        {"2.8080761486268174e+107", "2.8080761486268174e+107"},
        {"-2.8239944508538339e+17", "-2.823994450853834e+17"},
        {"5.3993613427137124e-290", "5.399361342713712e-290"},
        {"-54486950217141512", "-5.448695021714151e+16"},
        {"-2.671920137368832e+213", "-2.671920137368832e+213"},
        {"-6.8964166406971699e+17", "-6.89641664069717e+17"},
        {"-2.0230178791490352e-53", "-2.0230178791490352e-53"},
        {"-9.7473945435726336e+17", "-9.747394543572634e+17"},
        {"2.2467941850006359e+265", "2.246794185000636e+265"},
        {"1.2253808474440349e+17", "1.2253808474440349e+17"},
        {"-3.6839941944551377e-84", "-3.6839941944551377e-84"},
        {"-5.6561268322717094e+17", "-5.6561268322717094e+17"},
        {"-1.0037049327814946e-297", "-1.0037049327814946e-297"},
        {"7.7439693181481254e+17", "7.743969318148125e+17"},
        {"9.6005973923752808e+208", "9.60059739237528e+208"},
        {"-1.1512861275255509e+17", "-1.1512861275255509e+17"},
        {"8.5544667822297715e+178", "8.554466782229772e+178"},
        {"-9.9891415833887603e+17", "-9.98914158338876e+17"},
        {"-1.9995947771849232e+141", "-1.999594777184923e+141"},
        {"3.6676683021368531e+17", "3.667668302136853e+17"},
        {"-9.9268261048956754e+305", "-9.926826104895675e+305"},
        {"-9.5473465296718925e+17", "-9.547346529671892e+17"},
        {"1.0457919747758503e-77", "1.0457919747758503e-77"},
        {"3.8816013554840006e+17", "3.8816013554840006e+17"},
};

static const struct {
    const char *in, *want;
} float4_cases[] = {
        {"0.1", "0.1"},
        {"1e5", "100000"},
        {"1e6", "1e+06"},
        {"123456", "123456"},
        {"1234567", "1.234567e+06"},
        {"3.4e38", "3.4e+38"},
        {"1.17549435e-38", "1.1754944e-38"},
        {"1e-45", "1e-45"},
        {"-887788020.62586033", "-8.8778803e+08"},
        {"3.4028235e38", "3.4028235e+38"},
        {"16777217", "1.6777216e+07"},
        {"0.3", "0.3"},
        {"1e-5", "1e-05"},
        {"2.5", "2.5"},
        {"-0", "-0"},
        {"7.038531e-26", "7.038531e-26"},
        {"-4.49600125e-17", "-4.4960013e-17"},
        {"-4.53475189e-27", "-4.534752e-27"},
        {"1.81367279e-23", "1.8136728e-23"},
        {"1.92186582e-32", "1.9218658e-32"},
        {"-1.61896678e+37", "-1.6189668e+37"},
        {"2.14895382e-16", "2.1489538e-16"},
        {"4.50365542e-06", "4.5036554e-06"},
        {"6.7777474e+29", "6.7777474e+29"},
        {"39.6195068", "39.619507"},
        {"1.78912149e-37", "1.7891215e-37"},
        {"-6623.73047", "-6623.7305"},
        {"-6.3128522e-22", "-6.312852e-22"},
        {"3.1339926e+12", "3.1339926e+12"},
        {"-4.87397576e+12", "-4.873976e+12"},
        {"28827936", "2.8827936e+07"},
        {"2.0294602e+21", "2.0294602e+21"},
        {"1.27636308e-27", "1.2763631e-27"},
        {"1.6670761e-27", "1.6670761e-27"},
        {"4.71490675e-25", "4.7149068e-25"},
        {"8.92378978e-07", "8.92379e-07"},
        {"-3.51607477e-26", "-3.5160748e-26"},
        {"-6.70558678e-18", "-6.7055868e-18"},
        {"0.177827239", "0.17782724"},
        {"1.45997892e-36", "1.4599789e-36"},
        {"-2.45815227e-23", "-2.4581523e-23"},
        {"4.06221553e+18", "4.0622155e+18"},
        {"1.21054031e+19", "1.2105403e+19"},
        {"-4.17527912e-20", "-4.175279e-20"},
        {"4.22908219e+31", "4.229082e+31"},
        {"2.46590166e-19", "2.4659017e-19"},
};

static void test_float_output_matches_postgres(void **state)
{
    (void)state;
    char buf[SQL_FLOAT_TEXT_MAX];
    for (size_t i = 0; i < sizeof float8_cases / sizeof float8_cases[0]; i++) {
        value_format_float8(strtod(float8_cases[i].in, NULL), 1, buf);
        if (strcmp(buf, float8_cases[i].want) != 0)
            fail_msg("float8 %s: got %s want %s", float8_cases[i].in, buf, float8_cases[i].want);
    }
    for (size_t i = 0; i < sizeof float4_cases / sizeof float4_cases[0]; i++) {
        value_format_float4(strtof(float4_cases[i].in, NULL), 1, buf);
        if (strcmp(buf, float4_cases[i].want) != 0)
            fail_msg("float4 %s: got %s want %s", float4_cases[i].in, buf, float4_cases[i].want);
    }
    value_format_float8(NAN, 1, buf);
    assert_string_equal(buf, "NaN");
    value_format_float8(-INFINITY, 1, buf);
    assert_string_equal(buf, "-Infinity");
    value_format_float4(INFINITY, 1, buf);
    assert_string_equal(buf, "Infinity");
    /* extra_float_digits <= 0: %.{15+n}g as PostgreSQL */
    value_format_float8(0.1, 0, buf);
    assert_string_equal(buf, "0.1");
    value_format_float8(1.0 / 3, 0, buf);
    assert_string_equal(buf, "0.333333333333333");
    value_format_float8(1e20, 0, buf);
    assert_string_equal(buf, "1e+20");
    value_format_float4(0.1f, 0, buf);
    assert_string_equal(buf, "0.1");
    value_format_float4(123456789.0f, 0, buf);
    assert_string_equal(buf, "1.23457e+08");
    value_format_float8(1.0 / 3, -15, buf);
    assert_string_equal(buf, "0.3");
}

/* Shortest output reads back exactly, for random bit patterns. */
static void test_float_round_trip_property(void **state)
{
    (void)state;
    uint64_t seed = 42;
    mice_prng rng;
    prng_seed(&rng, seed);
    char buf[SQL_FLOAT_TEXT_MAX];
    sql_error err;
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = prng_next(&rng);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (isnan(d)) continue;
        size_t n = value_format_float8(d, 1, buf);
        double back;
        assert_int_equal(value_parse_float8(mice_slice_of(buf, n), &back, &err), MICE_OK);
        if (memcmp(&back, &d, sizeof d) != 0)
            fail_msg("seed %llu: %.17g -> %s -> %.17g", (unsigned long long)seed, d, buf, back);
        uint32_t fb = (uint32_t)bits;
        float f;
        memcpy(&f, &fb, sizeof f);
        if (isnan(f)) continue;
        n = value_format_float4(f, 1, buf);
        float fback;
        assert_int_equal(value_parse_float4(mice_slice_of(buf, n), &fback, &err), MICE_OK);
        if (memcmp(&fback, &f, sizeof f) != 0)
            fail_msg("seed %llu: float4 %.9g -> %s", (unsigned long long)seed, (double)f, buf);
    }
}

/* Parse text for type t (typmod tm) and print it back, or "ERROR <state> <message>". */
static const char *io(sql_type_id t, int32_t tm, const char *in)
{
    sql_datum d;
    sql_error err;
    mice_status rc = value_from_text(sql_type_make(t, tm), mice_slice_str(in), NULL, arena, &d, &err);
    if (rc) {
        snprintf(out_text, sizeof out_text, "ERROR %s %s", err.sqlstate, err.message);
        return out_text;
    }
    mice_buf b;
    buf_init(&b);
    assert_int_equal(value_to_text(&d, NULL, &b, &err), MICE_OK);
    snprintf(out_text, sizeof out_text, "%.*s", (int)b.n, (const char *)b.p);
    buf_deinit(&b);
    return out_text;
}

typedef struct io_case {
    sql_type_id type;
    int32_t typmod;
    const char *in, *want;
} io_case;

static const io_case text_cases[] = {
    {SQL_TYPE_FLOAT8, -1, "1e400", "ERROR 22003 \"1e400\" is out of range for type double precision"},
    {SQL_TYPE_FLOAT8, -1, "1e-400", "ERROR 22003 \"1e-400\" is out of range for type double precision"},
    {SQL_TYPE_FLOAT4, -1, "1e39", "ERROR 22003 \"1e39\" is out of range for type real"},
    {SQL_TYPE_FLOAT4, -1, "1e-50", "ERROR 22003 \"1e-50\" is out of range for type real"},
    {SQL_TYPE_FLOAT8, -1, "abc", "ERROR 22P02 invalid input syntax for type double precision: \"abc\""},
    {SQL_TYPE_FLOAT8, -1, "", "ERROR 22P02 invalid input syntax for type double precision: \"\""},
    {SQL_TYPE_FLOAT8, -1, "1.5x", "ERROR 22P02 invalid input syntax for type double precision: \"1.5x\""},
    {SQL_TYPE_FLOAT8, -1, " 1.5 ", "1.5"},
    {SQL_TYPE_FLOAT4, -1, "  Infinity", "Infinity"},
    {SQL_TYPE_FLOAT8, -1, "+inf", "Infinity"},
    {SQL_TYPE_FLOAT8, -1, "-INF", "-Infinity"},
    {SQL_TYPE_FLOAT8, -1, "nan", "NaN"},
    {SQL_TYPE_FLOAT8, -1, "-0", "-0"},
    {SQL_TYPE_FLOAT8, -1, "1e-320", "1e-320"},
    {SQL_TYPE_FLOAT4, -1, "0.1", "0.1"},
    {SQL_TYPE_INT4, -1, "abc", "ERROR 22P02 invalid input syntax for type integer: \"abc\""},
    {SQL_TYPE_INT4, -1, "", "ERROR 22P02 invalid input syntax for type integer: \"\""},
    {SQL_TYPE_INT4, -1, "12a", "ERROR 22P02 invalid input syntax for type integer: \"12a\""},
    {SQL_TYPE_INT4, -1, " - 5", "ERROR 22P02 invalid input syntax for type integer: \" - 5\""},
    {SQL_TYPE_INT4, -1, "5 5", "ERROR 22P02 invalid input syntax for type integer: \"5 5\""},
    {SQL_TYPE_INT4, -1, "1.5", "ERROR 22P02 invalid input syntax for type integer: \"1.5\""},
    {SQL_TYPE_INT4, -1, " 12 ", "12"},
    {SQL_TYPE_INT2, -1, "+5", "5"},
    {SQL_TYPE_INT8, -1, "-9223372036854775808", "-9223372036854775808"},
    {SQL_TYPE_INT4, -1, "-2147483648", "-2147483648"},
    {SQL_TYPE_INT4, -1, "+0", "0"},
    {SQL_TYPE_INT4, -1, "007", "7"},
    {SQL_TYPE_INT4, -1, "99999999999", "ERROR 22003 value \"99999999999\" is out of range for type integer"},
    {SQL_TYPE_INT2, -1, "40000", "ERROR 22003 value \"40000\" is out of range for type smallint"},
    {SQL_TYPE_INT8, -1, "99999999999999999999",
     "ERROR 22003 value \"99999999999999999999\" is out of range for type bigint"},
    {SQL_TYPE_INT8, -1, "9223372036854775808",
     "ERROR 22003 value \"9223372036854775808\" is out of range for type bigint"},
    {SQL_TYPE_OID, -1, "4294967295", "4294967295"},
    {SQL_TYPE_OID, -1, "-1", "4294967295"},
    {SQL_TYPE_OID, -1, "4294967296", "ERROR 22003 value \"4294967296\" is out of range for type oid"},
    {SQL_TYPE_BOOL, -1, "yes", "t"},
    {SQL_TYPE_BOOL, -1, " off ", "f"},
    {SQL_TYPE_BOOL, -1, "T", "t"},
    {SQL_TYPE_BOOL, -1, "1", "t"},
    {SQL_TYPE_BOOL, -1, "of", "f"},
    {SQL_TYPE_BOOL, -1, "n", "f"},
    {SQL_TYPE_BOOL, -1, "TRUE", "t"},
    {SQL_TYPE_BOOL, -1, "o", "ERROR 22P02 invalid input syntax for type boolean: \"o\""},
    {SQL_TYPE_BOOL, -1, "x", "ERROR 22P02 invalid input syntax for type boolean: \"x\""},
    {SQL_TYPE_BOOL, -1, "truex", "ERROR 22P02 invalid input syntax for type boolean: \"truex\""},
    {SQL_TYPE_BOOL, -1, "", "ERROR 22P02 invalid input syntax for type boolean: \"\""},
    {SQL_TYPE_BYTEA, -1, "\\x0102ff", "\\x0102ff"},
    {SQL_TYPE_BYTEA, -1, "abc\\\\d\\001", "\\x6162635c6401"},
    {SQL_TYPE_BYTEA, -1, "\\x 01 02", "\\x0102"},
    {SQL_TYPE_BYTEA, -1, "", "\\x"},
    {SQL_TYPE_BYTEA, -1, "abc", "\\x616263"},
    {SQL_TYPE_BYTEA, -1, "\\x0", "ERROR 22023 invalid hexadecimal data: odd number of digits"},
    {SQL_TYPE_BYTEA, -1, "\\xzz", "ERROR 22023 invalid hexadecimal digit: \"z\""},
    {SQL_TYPE_BYTEA, -1, "a\\b", "ERROR 22P02 invalid input syntax for type bytea"},
    {SQL_TYPE_VARCHAR, 3 + 4, "abcd", "ERROR 22001 value too long for type character varying(3)"},
    {SQL_TYPE_VARCHAR, 3 + 4, "abc  ", "abc"},
    {SQL_TYPE_BPCHAR, 3 + 4, "abcd", "ERROR 22001 value too long for type character(3)"},
    {SQL_TYPE_BPCHAR, 3 + 4, "abc   ", "abc"},
    {SQL_TYPE_BPCHAR, 4 + 4, "ab", "ab  "},
    {SQL_TYPE_BPCHAR, 3 + 4, "\xc3\xa9", "\xc3\xa9  "},
    {SQL_TYPE_VARCHAR, 1 + 4, "\xc3\xa9\xc3\xa9", "ERROR 22001 value too long for type character varying(1)"},
    {SQL_TYPE_TEXT, -1, "\xff", "ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xff"},
    {SQL_TYPE_TEXT, -1, "a\xe2\x28\xa1", "ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xe2 0x28 0xa1"},
    {SQL_TYPE_TEXT, -1, "\xed\xa0\x80", "ERROR 22021 invalid byte sequence for encoding \"UTF8\": 0xed 0xa0 0x80"},
    {SQL_TYPE_TEXT, -1, "caf\xc3\xa9 \xf0\x9f\x90\xad", "caf\xc3\xa9 \xf0\x9f\x90\xad"},
    {SQL_TYPE_NUMERIC, ((5 << 16) | 2) + 4, "12345.678", "ERROR 22003 numeric field overflow"},
    {SQL_TYPE_NUMERIC, ((10 << 16) | 2) + 4, "12345.678", "12345.68"},
    {SQL_TYPE_NUMERIC, -1, "x", "ERROR 22P02 invalid input syntax for type numeric: \"x\""},
    {SQL_TYPE_DATE, -1, "2024-01-05", "2024-01-05"},
    {SQL_TYPE_TIMESTAMP, 2, "2024-01-05 13:45:00.125", "2024-01-05 13:45:00.13"},
    {SQL_TYPE_TIMESTAMPTZ, -1, "2024-01-05 13:45:00+05:30", "2024-01-05 08:15:00+00"},
    {SQL_TYPE_TIMESTAMP, -1, "x", "ERROR 22007 invalid input syntax for type timestamp: \"x\""},
};

static void test_text_io(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        const io_case *c = &text_cases[i];
        const char *got = io(c->type, c->typmod, c->in);
        if (strcmp(got, c->want) != 0)
            fail_msg("case %zu type %u '%s': got '%s' want '%s'", i, (unsigned)c->type, c->in, got,
                     c->want);
    }
}

static void send_hex(const sql_datum *d, char *hex)
{
    mice_buf b;
    buf_init(&b);
    sql_error err;
    assert_int_equal(value_send(d, &b, &err), MICE_OK);
    for (size_t i = 0; i < b.n; i++) sprintf(hex + 2 * i, "%02x", b.p[i]);
    hex[2 * b.n] = '\0';
    buf_deinit(&b);
}

/* Binary formats as PostgreSQL sends them (checked with "select xxx_send(v)"). */
static void test_binary_formats(void **state)
{
    (void)state;
    struct {
        sql_type_id type;
        const char *text, *hex;
    } cases[] = {
        {SQL_TYPE_BOOL, "t", "01"},
        {SQL_TYPE_BOOL, "f", "00"},
        {SQL_TYPE_INT2, "-2", "fffe"},
        {SQL_TYPE_INT4, "16909060", "01020304"},
        {SQL_TYPE_INT8, "-1", "ffffffffffffffff"},
        {SQL_TYPE_FLOAT4, "1.5", "3fc00000"},
        {SQL_TYPE_FLOAT8, "-2", "c000000000000000"},
        {SQL_TYPE_NUMERIC, "-12345.678", "000300014000000300010929 1a7c"},
        {SQL_TYPE_TEXT, "hi", "6869"},
        {SQL_TYPE_BPCHAR, "hi", "6869"},
        {SQL_TYPE_BYTEA, "\\x00ff", "00ff"},
        {SQL_TYPE_DATE, "2024-01-05", "00002242"},
        {SQL_TYPE_DATE, "1999-12-31", "ffffffff"},
        {SQL_TYPE_DATE, "infinity", "7fffffff"},
        {SQL_TYPE_TIMESTAMP, "2000-01-01 00:00:01", "00000000000f4240"},
        {SQL_TYPE_TIMESTAMPTZ, "-infinity", "8000000000000000"},
        {SQL_TYPE_OID, "4294967295", "ffffffff"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_datum d, back;
        sql_error err;
        sql_type t = sql_type_make(cases[i].type, -1);
        assert_int_equal(value_from_text(t, mice_slice_str(cases[i].text), NULL, arena, &d, &err), 0);
        char hex[128], want[128];
        size_t w = 0;
        for (const char *p = cases[i].hex; *p; p++)
            if (*p != ' ') want[w++] = *p;
        want[w] = '\0';
        send_hex(&d, hex);
        if (strcmp(hex, want) != 0) fail_msg("case %zu %s: %s want %s", i, cases[i].text, hex, want);
        mice_buf b;
        buf_init(&b);
        value_send(&d, &b, &err);
        assert_int_equal(value_recv(t, buf_slice(&b), NULL, arena, &back, &err), MICE_OK);
        buf_deinit(&b);
        assert_int_equal(datum_cmp(&d, &back, NULL), 0);
        assert_int_equal(back.type, d.type);
    }
}

static void test_binary_errors(void **state)
{
    (void)state;
    sql_datum d;
    sql_error err;
    static const uint8_t three[] = {1, 2, 3};
    assert_int_equal(value_recv(sql_type_make(SQL_TYPE_INT4, -1), mice_slice_of(three, 3), NULL,
                                arena, &d, &err),
                     MICE_INVALID);
    assert_string_equal(err.sqlstate, "22P03");
    assert_string_equal(err.message, "incorrect binary data format");
    static const uint8_t bigdate[] = {0x7f, 0xff, 0xff, 0xfe};
    assert_int_equal(value_recv(sql_type_make(SQL_TYPE_DATE, -1), mice_slice_of(bigdate, 4), NULL,
                                arena, &d, &err),
                     MICE_RANGE);
    assert_string_equal(err.message, "date out of range");
    static const uint8_t bigts[] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    assert_int_equal(value_recv(sql_type_make(SQL_TYPE_TIMESTAMP, -1), mice_slice_of(bigts, 8),
                                NULL, arena, &d, &err),
                     MICE_RANGE);
    assert_string_equal(err.message, "timestamp out of range");
    static const uint8_t badutf[] = {0xc3, 0x28};
    assert_int_equal(value_recv(sql_type_make(SQL_TYPE_TEXT, -1), mice_slice_of(badutf, 2), NULL,
                                arena, &d, &err),
                     MICE_INVALID);
    assert_string_equal(err.message, "invalid byte sequence for encoding \"UTF8\": 0xc3 0x28");
    static const uint8_t nul[] = {'a', 0};
    assert_int_equal(value_recv(sql_type_make(SQL_TYPE_TEXT, -1), mice_slice_of(nul, 2), NULL,
                                arena, &d, &err),
                     MICE_INVALID);
    assert_string_equal(err.message, "invalid byte sequence for encoding \"UTF8\": 0x00");
    static const uint8_t longv[] = {'a', 'b', 'c', 'd'};
    assert_int_equal(value_recv(sql_type_make(SQL_TYPE_VARCHAR, 3 + 4), mice_slice_of(longv, 4),
                                NULL, arena, &d, &err),
                     MICE_RANGE);
    assert_string_equal(err.sqlstate, "22001");
}

/* Random numerics through value_from_text -> text and -> binary -> recv. */
static void test_numeric_round_trip_property(void **state)
{
    (void)state;
    uint64_t seed = 7;
    mice_prng rng;
    prng_seed(&rng, seed);
    for (int i = 0; i < 5000; i++) {
        char txt[64];
        int n = snprintf(txt, sizeof txt, "%s%llu.%0*llu", prng_chance(&rng, 1, 2) ? "-" : "",
                         (unsigned long long)(prng_next(&rng) >> prng_below(&rng, 64)),
                         (int)prng_below(&rng, 12) + 1,
                         (unsigned long long)prng_below(&rng, 1000000));
        (void)n;
        sql_datum d, back;
        sql_error err;
        sql_type t = sql_type_make(SQL_TYPE_NUMERIC, -1);
        assert_int_equal(value_from_text(t, mice_slice_str(txt), NULL, arena, &d, &err), 0);
        mice_buf b;
        buf_init(&b);
        value_to_text(&d, NULL, &b, &err);
        assert_int_equal(value_from_text(t, buf_slice(&b), NULL, arena, &back, &err), 0);
        assert_int_equal(datum_cmp(&d, &back, NULL), 0);
        assert_int_equal(back.v.num->dscale, d.v.num->dscale);
        buf_reset(&b);
        value_send(&d, &b, &err);
        assert_int_equal(value_recv(t, buf_slice(&b), NULL, arena, &back, &err), 0);
        assert_int_equal(datum_cmp(&d, &back, NULL), 0);
        assert_int_equal(back.v.num->dscale, d.v.num->dscale);
        buf_deinit(&b);
        if (i % 1000 == 0) arena_reset(arena);
    }
}

/* Untrusted input: random and mutated texts and binaries for every type must give a
 * value or a clean SQL error, never a crash (run under ASan+UBSan in CI). */
static void test_garbage_input_is_safe(void **state)
{
    (void)state;
    static const sql_type_id types[] = {
        SQL_TYPE_BOOL,  SQL_TYPE_INT2,    SQL_TYPE_INT4,   SQL_TYPE_INT8,      SQL_TYPE_OID,
        SQL_TYPE_FLOAT4, SQL_TYPE_FLOAT8, SQL_TYPE_NUMERIC, SQL_TYPE_TEXT,     SQL_TYPE_VARCHAR,
        SQL_TYPE_BPCHAR, SQL_TYPE_BYTEA,  SQL_TYPE_DATE,   SQL_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMPTZ,
    };
    static const char *seeds[] = {"2024-01-05 13:45:00.5+05:30", "-12.5e3", "\\x0aff", "Jan 5 2024",
                                  "NaN", "J2451545", "1:45 pm America/New_York", "t", "99999"};
    static const char alphabet[] = "0123456789-+:.eEjJtTzZ /\\xabcnNaIi \t,";
    uint64_t seed = 1234;
    mice_prng rng;
    prng_seed(&rng, seed);
    uint8_t buf[96];
    for (int i = 0; i < 60000; i++) {
        size_t n = prng_below(&rng, sizeof buf);
        if (i % 3 == 0) {
            prng_fill(&rng, buf, n);
        } else {
            const char *s0 = seeds[prng_below(&rng, sizeof seeds / sizeof seeds[0])];
            size_t l = strlen(s0);
            n = l < sizeof buf ? l : sizeof buf;
            memcpy(buf, s0, n);
            for (int k = 0; k < 3 && n; k++)
                buf[prng_below(&rng, n)] = (uint8_t)alphabet[prng_below(&rng, sizeof alphabet - 1)];
        }
        sql_type_id t = types[i % (sizeof types / sizeof types[0])];
        int32_t tm = t == SQL_TYPE_NUMERIC ? ((5 << 16) | 2) + 4 : t == SQL_TYPE_VARCHAR ? 8 : -1;
        sql_datum d;
        sql_error err;
        sqlerr_clear(&err);
        mice_status rc = value_from_text(sql_type_make(t, tm), mice_slice_of(buf, n), NULL, arena, &d, &err);
        if (rc) assert_int_equal(strlen(err.sqlstate), 5);
        else {
            mice_buf b;
            buf_init(&b);
            assert_int_equal(value_to_text(&d, NULL, &b, &err), MICE_OK);
            buf_deinit(&b);
        }
        rc = value_recv(sql_type_make(t, tm), mice_slice_of(buf, n), NULL, arena, &d, &err);
        if (rc) assert_int_equal(strlen(err.sqlstate), 5);
        if (i % 5000 == 0) arena_reset(arena);
    }
}

int main(void)
{
    arena = arena_create(NULL, "test", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float_output_matches_postgres),
        cmocka_unit_test(test_float_round_trip_property),
        cmocka_unit_test(test_text_io),
        cmocka_unit_test(test_binary_formats),
        cmocka_unit_test(test_binary_errors),
        cmocka_unit_test(test_numeric_round_trip_property),
        cmocka_unit_test(test_garbage_input_is_safe),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_destroy(arena);
    return rc;
}
