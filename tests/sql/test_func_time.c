/* Unit tests for sql/func date/time functions and to_char. The expectations were produced by
 * running each call on a real PostgreSQL 15.18 (psql with TimeZone UTC, and a second table
 * with TimeZone America/New_York) and are pasted here as literals. The clock functions are
 * checked against the injected timestamps. */
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

static const call_case time_cases[] = {
    {"date_trunc", 2, {"text:year", "timestamp:2024-05-17 13:45:12.345678"}, "2024-01-01 00:00:00"},
    {"date_trunc",
     2,
     {"text:quarter", "timestamp:2024-05-17 13:45:12.345678"},
     "2024-04-01 00:00:00"},
    {"date_trunc",
     2,
     {"text:month", "timestamp:2024-05-17 13:45:12.345678"},
     "2024-05-01 00:00:00"},
    {"date_trunc", 2, {"text:week", "timestamp:2024-05-17 13:45:12.345678"}, "2024-05-13 00:00:00"},
    {"date_trunc", 2, {"text:day", "timestamp:2024-05-17 13:45:12.345678"}, "2024-05-17 00:00:00"},
    {"date_trunc", 2, {"text:hour", "timestamp:2024-05-17 13:45:12.345678"}, "2024-05-17 13:00:00"},
    {"date_trunc",
     2,
     {"text:minute", "timestamp:2024-05-17 13:45:12.345678"},
     "2024-05-17 13:45:00"},
    {"date_trunc",
     2,
     {"text:second", "timestamp:2024-05-17 13:45:12.345678"},
     "2024-05-17 13:45:12"},
    {"date_trunc",
     2,
     {"text:milliseconds", "timestamp:2024-05-17 13:45:12.345678"},
     "2024-05-17 13:45:12.345"},
    {"date_trunc",
     2,
     {"text:microseconds", "timestamp:2024-05-17 13:45:12.345678"},
     "2024-05-17 13:45:12.345678"},
    {"date_trunc", 2, {"text:decade", "timestamp:2024-05-17 13:45:12"}, "2020-01-01 00:00:00"},
    {"date_trunc", 2, {"text:century", "timestamp:2024-05-17 13:45:12"}, "2001-01-01 00:00:00"},
    {"date_trunc", 2, {"text:millennium", "timestamp:2024-05-17 13:45:12"}, "2001-01-01 00:00:00"},
    {"date_trunc", 2, {"text:MONTH", "timestamp:2024-05-17 13:45:12"}, "2024-05-01 00:00:00"},
    {"date_trunc",
     2,
     {"text:foo", "timestamp:2024-05-17 13:45:12"},
     "ERROR 22023 unit \"foo\" not recognized for type timestamp without time zone"},
    {"date_trunc", 2, {"text:day", "timestamptz:2024-05-17 13:45:12+02"}, "2024-05-17 00:00:00+00"},
    {"date_trunc",
     2,
     {"text:timezone", "timestamptz:2024-05-17 13:45:12+02"},
     "ERROR 0A000 unit \"timezone\" not supported for type timestamp with time zone"},
    {"date_trunc",
     3,
     {"text:day", "timestamptz:2024-03-10 12:00+00", "text:America/New_York"},
     "2024-03-10 05:00:00+00"},
    {"date_trunc",
     3,
     {"text:day", "timestamptz:2024-03-10 12:00+00", "text:Nowhere/Land"},
     "ERROR 22023 time zone \"Nowhere/Land\" not recognized"},
    {"date_trunc", 2, {"text:month", "date:2024-02-05"}, "2024-02-01 00:00:00+00"},
    {"date_trunc", 2, {"text:year", "timestamp:infinity"}, "infinity"},
    {"date_part", 2, {"text:year", "timestamp:2024-05-17 13:45:12.345678"}, "2024"},
    {"date_part", 2, {"text:month", "timestamp:2024-05-17 13:45:12.345678"}, "5"},
    {"date_part", 2, {"text:day", "timestamp:2024-05-17 13:45:12.345678"}, "17"},
    {"date_part", 2, {"text:hour", "timestamp:2024-05-17 13:45:12.345678"}, "13"},
    {"date_part", 2, {"text:minute", "timestamp:2024-05-17 13:45:12.345678"}, "45"},
    {"date_part", 2, {"text:second", "timestamp:2024-05-17 13:45:12.345678"}, "12.345678"},
    {"date_part", 2, {"text:milliseconds", "timestamp:2024-05-17 13:45:12.345678"}, "12345.678"},
    {"date_part", 2, {"text:microseconds", "timestamp:2024-05-17 13:45:12.345678"}, "12345678"},
    {"date_part", 2, {"text:epoch", "timestamp:2024-05-17 13:45:12.345678"}, "1715953512.345678"},
    {"date_part", 2, {"text:dow", "timestamp:2024-05-19 00:00"}, "0"},
    {"date_part", 2, {"text:isodow", "timestamp:2024-05-19 00:00"}, "7"},
    {"date_part", 2, {"text:doy", "timestamp:2024-12-31 00:00"}, "366"},
    {"date_part", 2, {"text:week", "timestamp:2024-12-31 00:00"}, "1"},
    {"date_part", 2, {"text:isoyear", "timestamp:2024-12-31 00:00"}, "2025"},
    {"date_part", 2, {"text:week", "timestamp:2021-01-01 00:00"}, "53"},
    {"date_part", 2, {"text:isoyear", "timestamp:2021-01-01 00:00"}, "2020"},
    {"date_part", 2, {"text:quarter", "timestamp:2024-05-17 00:00"}, "2"},
    {"date_part", 2, {"text:decade", "timestamp:2024-05-17 00:00"}, "202"},
    {"date_part", 2, {"text:century", "timestamp:2024-05-17 00:00"}, "21"},
    {"date_part", 2, {"text:century", "timestamp:2000-05-17 00:00"}, "20"},
    {"date_part", 2, {"text:millennium", "timestamp:2024-05-17 00:00"}, "3"},
    {"date_part", 2, {"text:julian", "timestamp:2024-05-17 12:00"}, "2460448.5"},
    {"date_part", 2, {"text:julian", "date:2024-05-17"}, "2460448"},
    {"date_part", 2, {"text:hour", "date:2024-05-17"}, "0"},
    {"date_part", 2, {"text:epoch", "date:2024-05-17"}, "1715904000"},
    {"date_part", 2, {"text:year", "timestamp:infinity"}, "Infinity"},
    {"date_part", 2, {"text:dow", "timestamp:infinity"}, "<NULL>"},
    {"date_part", 2, {"text:epoch", "timestamp:-infinity"}, "-Infinity"},
    {"date_part", 2, {"text:timezone", "timestamptz:2024-05-17 13:45:12+02"}, "0"},
    {"date_part", 2, {"text:hour", "timestamptz:2024-05-17 13:45:12+02"}, "11"},
    {"date_part", 2, {"text:epoch", "timestamptz:2024-05-17 13:45:12+02"}, "1715946312"},
    {"date_part",
     2,
     {"text:fortnight", "timestamp:2024-05-17 00:00"},
     "ERROR 22023 unit \"fortnight\" not recognized for type timestamp without time zone"},
    {"date_part", 2, {"null:text", "timestamp:2024-05-17 00:00"}, "<NULL>"},
    {"extract", 2, {"text:year", "timestamp:2024-05-17 13:45:12.345678"}, "2024"},
    {"extract", 2, {"text:second", "timestamp:2024-05-17 13:45:12.345678"}, "12.345678"},
    {"extract", 2, {"text:milliseconds", "timestamp:2024-05-17 13:45:12.345678"}, "12345.678"},
    {"extract", 2, {"text:epoch", "timestamp:2024-05-17 13:45:12.345678"}, "1715953512.345678"},
    {"extract", 2, {"text:julian", "timestamp:2024-05-17 12:00"}, "2460448.50000000000000000000"},
    {"extract", 2, {"text:dow", "date:2024-05-19"}, "0"},
    {"extract", 2, {"text:year", "date:2024-05-19"}, "2024"},
    {"extract", 2, {"text:epoch", "date:2024-05-19"}, "1716076800"},
    {"extract",
     2,
     {"text:hour", "date:2024-05-19"},
     "ERROR 0A000 unit \"hour\" not supported for type date"},
    {"extract", 2, {"text:epoch", "timestamptz:2024-05-17 13:45:12+02"}, "1715946312.000000"},
    {"extract", 2, {"text:year", "timestamp:infinity"}, "Infinity"},
    {"extract", 2, {"text:day", "timestamp:infinity"}, "<NULL>"},
    {"extract",
     2,
     {"text:bogus", "date:2024-05-19"},
     "ERROR 22023 unit \"bogus\" not recognized for type date"},
    {"to_timestamp", 1, {"float8:0"}, "1970-01-01 00:00:00+00"},
    {"to_timestamp", 1, {"float8:1700000000.5"}, "2023-11-14 22:13:20.5+00"},
    {"to_timestamp", 1, {"float8:-1.25"}, "1969-12-31 23:59:58.75+00"},
    {"to_timestamp", 1, {"float8:1e300"}, "ERROR 22008 timestamp out of range: \"1e+300\""},
    {"to_timestamp", 1, {"float8:NaN"}, "ERROR 22008 timestamp cannot be NaN"},
    {"to_timestamp", 1, {"float8:Infinity"}, "infinity"},
    {"make_date", 3, {"int4:2024", "int4:2", "int4:29"}, "2024-02-29"},
    {"make_date",
     3,
     {"int4:2023", "int4:2", "int4:29"},
     "ERROR 22008 date field value out of range: 2023-02-29"},
    {"make_date",
     3,
     {"int4:2024", "int4:13", "int4:1"},
     "ERROR 22008 date field value out of range: 2024-13-01"},
    {"make_date",
     3,
     {"int4:0", "int4:1", "int4:1"},
     "ERROR 22008 date field value out of range: 0-01-01"},
    {"make_date", 3, {"int4:-44", "int4:3", "int4:15"}, "0044-03-15 BC"},
    {"make_timestamp",
     6,
     {"int4:2024", "int4:1", "int4:2", "int4:3", "int4:4", "float8:5.5"},
     "2024-01-02 03:04:05.5"},
    {"make_timestamp",
     6,
     {"int4:2024", "int4:1", "int4:1", "int4:25", "int4:0", "float8:0"},
     "ERROR 22008 time field value out of range: 25:00:00"},
    {"make_timestamp",
     6,
     {"int4:2024", "int4:1", "int4:1", "int4:23", "int4:59", "float8:60.5"},
     "ERROR 22008 time field value out of range: 23:59:60.5"},
    {"make_timestamp",
     6,
     {"int4:2024", "int4:1", "int4:1", "int4:23", "int4:59", "float8:59.9999999"},
     "2024-01-02 00:00:00"},
    {"make_timestamp",
     6,
     {"int4:2024", "int4:1", "int4:1", "int4:24", "int4:0", "float8:0"},
     "2024-01-02 00:00:00"},
    {"make_timestamp",
     6,
     {"int4:2024", "int4:2", "int4:30", "int4:1", "int4:2", "float8:3"},
     "ERROR 22008 date field value out of range: 2024-02-30"},
    {"make_timestamptz",
     6,
     {"int4:2024", "int4:7", "int4:1", "int4:12", "int4:0", "float8:0"},
     "2024-07-01 12:00:00+00"},
    {"make_timestamptz",
     7,
     {"int4:2024", "int4:7", "int4:1", "int4:12", "int4:0", "float8:0", "text:Europe/Paris"},
     "2024-07-01 10:00:00+00"},
    {"make_timestamptz",
     7,
     {"int4:2024", "int4:7", "int4:1", "int4:12", "int4:0", "float8:0", "text:Nowhere/X"},
     "ERROR 22023 time zone \"Nowhere/X\" not recognized"},
    {"date_pli", 2, {"date:2024-02-28", "int4:1"}, "2024-02-29"},
    {"date_pli", 2, {"date:2024-12-31", "int4:1"}, "2025-01-01"},
    {"date_mii", 2, {"date:2024-03-01", "int4:1"}, "2024-02-29"},
    {"date_mi", 2, {"date:2024-03-01", "date:2024-02-01"}, "29"},
    {"date_mi",
     2,
     {"date:infinity", "date:2024-02-01"},
     "ERROR 22008 cannot subtract infinite dates"},
    {"date_pli", 2, {"date:5874897-12-31", "int4:1"}, "ERROR 22008 date out of range"},
    {"to_char",
     2,
     {"timestamp:2024-05-07 13:05:09.123456", "text:YYYY-MM-DD HH24:MI:SS.US"},
     "2024-05-07 13:05:09.123456"},
    {"to_char", 2, {"timestamp:2024-05-07 13:05:09.123456", "text:HH12:MI AM ms"}, "01:05 PM 123"},
    {"to_char", 2, {"timestamp:2024-05-07 01:05:09", "text:HH:MI:SS pm a.m."}, "01:05:09 am a.m."},
    {"to_char", 2, {"timestamp:2024-05-07 00:05:09", "text:HH12 P.M."}, "12 A.M."},
    {"to_char",
     2,
     {"timestamp:2024-05-07 13:05:09", "text:Month MONTH month Mon MON mon"},
     "May       MAY       may       May MAY may"},
    {"to_char", 2, {"timestamp:2024-05-07 13:05:09", "text:FMMonth FMDay"}, "May Tuesday"},
    {"to_char",
     2,
     {"timestamp:2024-05-07 13:05:09", "text:Day DAY day Dy DY dy"},
     "Tuesday   TUESDAY   tuesday   Tue TUE tue"},
    {"to_char",
     2,
     {"timestamp:2024-05-07 13:05:09", "text:DDD D ID IW WW W Q CC J"},
     "128 3 2 19 19 1 2 21 2460438"},
    {"to_char", 2, {"timestamp:2024-05-07 13:05:09", "text:FMDD FMMM FMHH24"}, "7 5 13"},
    {"to_char", 2, {"timestamp:2024-05-01 13:05:09", "text:DDth FMDDth Ddth"}, "01st 1st 44th"},
    {"to_char", 2, {"timestamp:2024-05-02 13:05:09", "text:FMDDTH FMDDth"}, "2ND 2nd"},
    {"to_char", 2, {"timestamp:2024-05-03 13:05:09", "text:FMDDth"}, "3rd"},
    {"to_char", 2, {"timestamp:2024-05-11 13:05:09", "text:FMDDth"}, "11th"},
    {"to_char",
     2,
     {"timestamp:2024-05-07 13:05:09", "text:YYY YY Y Y,YYY IYYY IYY IY"},
     "024 24 4 2,024 2024 024 24"},
    {"to_char",
     2,
     {"timestamp:2024-05-07 13:05:09", "text:\"Year\" YYYY \"is\" \\\"ok\\\""},
     "Year 2024 is \"ok\""},
    {"to_char", 2, {"timestamp:2024-05-07 13:05:09", "text:SSSS BC AD B.C."}, "47109 AD AD A.D."},
    {"to_char", 2, {"timestamp:0044-03-15 12:00:00 BC", "text:YYYY BC"}, "0044 BC"},
    {"to_char", 2, {"timestamp:2021-01-01 00:00", "text:IYYY-IW-ID IDDD"}, "2020-53-5 369"},
    {"to_char", 2, {"timestamp:2024-05-07 13:05:09", "text:TZ OF"}, " +00"},
    {"to_char",
     2,
     {"timestamptz:2024-05-07 13:05:09+02", "text:YYYY-MM-DD HH24:MI:SS TZ OF"},
     "2024-05-07 11:05:09 UTC +00"},
    {"to_char", 2, {"timestamp:infinity", "text:YYYY"}, "<NULL>"},
    {"to_char", 2, {"timestamp:12345-01-01 00:00", "text:YYYY"}, "12345"},
    {"to_char", 2, {"timestamp:2024-05-07 13:05:09", "text:"}, "<NULL>"},
    {"to_char", 2, {"int4:5", "text:999"}, "   5"},
    {"to_char", 2, {"int4:-5", "text:999"}, "  -5"},
    {"to_char", 2, {"numeric:0.5", "text:9.99"}, "  .50"},
    {"to_char", 2, {"numeric:0.5", "text:0.99"}, " 0.50"},
    {"to_char", 2, {"numeric:-0.5", "text:9.99"}, " -.50"},
    {"to_char", 2, {"int4:12345", "text:999"}, " ###"},
    {"to_char", 2, {"int4:1234567", "text:9,999,999"}, " 1,234,567"},
    {"to_char", 2, {"int4:1234", "text:9,999,999"}, "     1,234"},
    {"to_char", 2, {"int4:5", "text:S999"}, "  +5"},
    {"to_char", 2, {"int4:-5", "text:999S"}, "  5-"},
    {"to_char", 2, {"int4:5", "text:999MI"}, "  5 "},
    {"to_char", 2, {"int4:-5", "text:999MI"}, "  5-"},
    {"to_char", 2, {"numeric:1.5", "text:FM999.99"}, "1.5"},
    {"to_char", 2, {"numeric:1", "text:FM999.99"}, "1."},
    {"to_char", 2, {"numeric:-1234.567", "text:FM9,999.00"}, "-1,234.57"},
    {"to_char", 2, {"int4:0", "text:999"}, "   0"},
    {"to_char", 2, {"int4:0", "text:FM999"}, "0"},
    {"to_char", 2, {"int4:485", "text:009999"}, " 000485"},
    {"to_char", 2, {"float8:12.345", "text:99.99"}, " 12.35"},
    {"to_char", 2, {"int4:-12345", "text:FM999"}, "-###"},
    {"to_char",
     2,
     {"int8:-9223372036854775808", "text:FM9999999999999999999"},
     "-9223372036854775808"},
    {"to_char", 2, {"numeric:123.456", "text:999.9"}, " 123.5"},
    {"to_char", 2, {"numeric:123.456", "text:999D99"}, " 123.46"},
    {"to_char", 2, {"int4:42", "text:\"Value:\" 999"}, "Value:   42"},
    {"to_char", 2, {"float8:-0.1", "text:FM0.00"}, "-0.10"},
    {"to_char", 2, {"int4:7", "text:SG999"}, "+  7"},
    {"to_char", 2, {"int4:7", "text:PL999"}, "+   7"},
    {"to_char", 2, {"numeric:1234.5", "text:9G999D9"}, " 1,234.5"},
    {"to_char", 2, {"float8:1234567890123.456", "text:9999999999999.999"}, " 1234567890123.46"},
    {"to_char", 2, {"int4:5", "text:999.99"}, "   5.00"},
    {"to_char", 2, {"int4:-5", "text:FM999.00"}, "-5.00"},
    {"to_char", 2, {"int4:5", "text:"}, ""},
    {"to_char", 2, {"int4:-7", "text:PL999"}, "   -7"},
    {"to_char", 2, {"int4:-7", "text:999PL"}, "  -7 "},
    {"to_char", 2, {"int4:7", "text:MI999"}, "   7"},
    {"to_char", 2, {"int4:-7", "text:MI999"}, "-  7"},
    {"to_char", 2, {"int4:-7", "text:SG999"}, "-  7"},
    {"to_char", 2, {"numeric:-7.5", "text:999.9S"}, "  7.5-"},
    {"to_char", 2, {"numeric:7.25", "text:FM990.999"}, "7.25"},
    {"to_char", 2, {"numeric:0", "text:9.99"}, "  .00"},
    {"to_char", 2, {"numeric:0", "text:FM9.99"}, "0."},
    {"to_char", 2, {"numeric:12.5", "text:0000.00"}, " 0012.50"},
    {"to_char", 2, {"numeric:99.99", "text:99.9"}, " ##.#"},
    {"to_char", 2, {"float8:0.1", "text:0.9999"}, " 0.1000"},
    {"to_char", 2, {"int4:1234567", "text:FM9,999,999"}, "1,234,567"},
    {"to_char", 2, {"int4:12", "text:9,999"}, "    12"},
    {"to_char", 2, {"numeric:0.5", "text:FM9.99"}, ".5"},
    {"to_char", 2, {"numeric:0", "text:FM999.9"}, "0."},
    {"to_char", 2, {"numeric:0.05", "text:FM9.9"}, ".1"},
    {"to_char", 2, {"numeric:-0.5", "text:FM9.99"}, "-.5"},
    {"to_char", 2, {"numeric:0.001", "text:FM9.99"}, "0."},
};

static const call_case new_york_cases[] = {
    {"date_trunc", 2, {"text:day", "timestamptz:2024-03-10 12:00+00"}, "2024-03-10 00:00:00-05"},
    {"date_trunc", 2, {"text:hour", "timestamptz:2024-11-03 06:30+00"}, "2024-11-03 01:00:00-05"},
    {"date_part", 2, {"text:hour", "timestamptz:2024-07-01 12:00+00"}, "8"},
    {"date_part", 2, {"text:timezone", "timestamptz:2024-07-01 12:00+00"}, "-14400"},
    {"extract", 2, {"text:timezone_hour", "timestamptz:2024-01-01 12:00+00"}, "-5"},
    {"to_char",
     2,
     {"timestamptz:2024-07-01 12:00+00", "text:YYYY-MM-DD HH24:MI OF"},
     "2024-07-01 08:00 -04"},
    {"make_timestamptz",
     6,
     {"int4:2024", "int4:7", "int4:1", "int4:12", "int4:0", "float8:0"},
     "2024-07-01 12:00:00-04"},
    {"make_timestamptz",
     6,
     {"int4:2024", "int4:3", "int4:10", "int4:2", "int4:30", "float8:0"},
     "2024-03-10 03:30:00-04"},
};

static void test_time_vs_postgres(void **state)
{
    (void)state;
    func_cases_run(time_cases, sizeof time_cases / sizeof time_cases[0]);
}

static void test_new_york_vs_postgres(void **state)
{
    (void)state;
    sql_tz *tz;
    sql_error err;
    if (tz_create("America/New_York", NULL, &tz, &err) != MICE_OK) {
        skip(); /* no tzdata on this machine */
        return;
    }
    fc.vctx.dt.tz = tz;
    func_cases_run(new_york_cases, sizeof new_york_cases / sizeof new_york_cases[0]);
    fc.vctx.dt.tz = NULL;
    tz_destroy(tz);
}

static sql_timestamp fake_clock(void *arg)
{
    return *(const sql_timestamp *)arg;
}

static const char *call0(const char *fn)
{
    return func_cases_call(fn, 0, NULL);
}

static void test_clocks_come_from_ctx(void **state)
{
    (void)state;
    sql_datum ts;
    sql_error err;
    /* 2024-05-17 23:30:00 UTC = 2024-05-18 01:30 in UTC+2 */
    assert_int_equal(value_from_text(sql_type_make(SQL_TYPE_TIMESTAMPTZ, -1),
                                     MICE_SLICE_LIT("2024-05-17 23:30:00+00"), &fc.vctx, fc.arena, &ts,
                                     &err),
                     MICE_OK);
    sql_timestamp clock = ts.v.ts + 5 * SQL_USECS_PER_SEC;
    fc.fctx.txn_start = ts.v.ts;
    fc.fctx.stmt_start = ts.v.ts + SQL_USECS_PER_SEC;
    fc.fctx.clock_now = fake_clock;
    fc.fctx.clock_arg = &clock;
    assert_string_equal(call0("now"), "2024-05-17 23:30:00+00");
    assert_string_equal(call0("current_timestamp"), "2024-05-17 23:30:00+00");
    assert_string_equal(call0("transaction_timestamp"), "2024-05-17 23:30:00+00");
    assert_string_equal(call0("statement_timestamp"), "2024-05-17 23:30:01+00");
    assert_string_equal(call0("clock_timestamp"), "2024-05-17 23:30:05+00");
    assert_string_equal(call0("current_date"), "2024-05-17");
    assert_string_equal(call0("localtimestamp"), "2024-05-17 23:30:00");
    sql_tz *plus2 = tz_create_fixed(2 * 3600);
    fc.vctx.dt.tz = plus2;
    assert_string_equal(call0("now"), "2024-05-18 01:30:00+02");
    assert_string_equal(call0("current_date"), "2024-05-18");
    assert_string_equal(call0("localtimestamp"), "2024-05-18 01:30:00");
    fc.vctx.dt.tz = NULL;
    tz_destroy(plus2);
    /* clock_timestamp is volatile, now() is stable */
    func_match m;
    assert_int_equal(func_lookup("clock_timestamp", NULL, 0, &m, &err), MICE_OK);
    assert_int_equal(m.desc->volatility, FUNC_VOLATILE);
    assert_int_equal(func_lookup("now", NULL, 0, &m, &err), MICE_OK);
    assert_int_equal(m.desc->volatility, FUNC_STABLE);
    /* without a clock, clock_timestamp() is the statement time */
    fc.fctx.clock_now = NULL;
    assert_string_equal(call0("clock_timestamp"), "2024-05-17 23:30:01+00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_time_vs_postgres, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_new_york_vs_postgres, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_clocks_come_from_ctx, func_cases_setup, func_cases_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
