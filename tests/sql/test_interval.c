/* Unit tests for sql/interval, sql/sqltime and sql/sqluuid, the functions of func_interval.c,
 * func_bytea.c and func_regex.c, and operator resolution (func_lookup_operator).
 *
 * Every expected text was produced by PostgreSQL 15.20 through psycopg and pasted here as a
 * literal: interval input as `select $1::text::interval::text` under each IntervalStyle
 * (SET IntervalStyle per column; under sql_standard the style also changes how input signs
 * are read), functions as `select f($1::type, ...)::text` under the row's TimeZone, operators
 * as the column type of `create table as select null::l op null::r` (or the error; for an
 * unknown literal 'x' the type its input error names). Property tests use a seeded mice_prng
 * and print the seed on failure. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/prng.h"
#include "sql/func.h"
#include "sql/interval.h"
#include "sql/rowenc.h"
#include "sql/sqltime.h"
#include "sql/sqluuid.h"
#include "sql/support/func_cases.h"
#include "sql/value_io.h"

enum { PROPERTY_ROUNDS = 20000, OUT_TEXT_MAX = 1024 };

static char out_text[OUT_TEXT_MAX];

static const char *show_error(const sql_error *err)
{
    snprintf(out_text, sizeof out_text, "ERROR %s %s", err->sqlstate, err->message);
    return out_text;
}

static const char *interval_io(const char *in, sql_interval_style style)
{
    sql_interval iv;
    sql_error err;
    if (interval_parse(mice_slice_str(in), -1, style, &iv, &err)) return show_error(&err);
    mice_buf b;
    buf_init(&b);
    interval_format(&iv, style, &b);
    snprintf(out_text, sizeof out_text, "%.*s", (int)b.n, (const char *)b.p);
    buf_deinit(&b);
    return out_text;
}

/* ---- text input and output under each IntervalStyle ---- */

typedef struct io_case {
    const char *in;
    /* the text under postgres, postgres_verbose, sql_standard, iso_8601; NULL: as postgres */
    const char *postgres, *verbose, *sql_standard, *iso_8601;
} io_case;

static const io_case io_cases[] = {
    {"1 year 2 mons 3 days 04:05:06.789", "1 year 2 mons 3 days 04:05:06.789",
     "@ 1 year 2 mons 3 days 4 hours 5 mins 6.789 secs", "+1-2 +3 +4:05:06.789",
     "P1Y2M3DT4H5M6.789S"},
    {"2 hours", "02:00:00", "@ 2 hours", "2:00:00", "PT2H"},
    {"-1 day +2 hours", "-1 days +02:00:00", "@ 1 day -2 hours ago", "+0-0 -1 +2:00:00", "P-1DT2H"},
    {"P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06",
     "@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs", "+1-2 +3 +4:05:06", "P1Y2M3DT4H5M6S"},
    {"@ 1 hour ago", "-01:00:00", "@ 1 hour ago", "-1:00:00", "PT-1H"},
    {"1:30", "01:30:00", "@ 1 hour 30 mins", "1:30:00", "PT1H30M"},
    {"0", "00:00:00", "@ 0", "0", "PT0S"},
    {"00:00:00", "00:00:00", "@ 0", "0", "PT0S"},
    {"1 day", "1 day", "@ 1 day", "1 0:00:00", "P1D"},
    {"-1 days", "-1 days", "@ 1 day ago", "-1 0:00:00", "P-1D"},
    {"1 mon", "1 mon", "@ 1 mon", "0-1", "P1M"},
    {"-1 mon -1 day -1 hour", "-1 mons -1 days -01:00:00", "@ 1 mon 1 day 1 hour ago",
     "-0-1 -1 -1:00:00", "P-1M-1DT-1H"},
    {"1 year -1 mon", "11 mons", "@ 11 mons", "0-11", "P11M"},
    {"1 day ago 2 hours", "-1 days -02:00:00", "@ 1 day 2 hours ago", "-1 2:00:00", "P-1DT-2H"},
    {"1.5 years", "1 year 6 mons", "@ 1 year 6 mons", "1-6", "P1Y6M"},
    {"1.7 months", "1 mon 21 days", "@ 1 mon 21 days", "+0-1 +21 +0:00:00", "P1M21D"},
    {"1.5 weeks", "10 days 12:00:00", "@ 10 days 12 hours", "10 12:00:00", "P10DT12H"},
    {"0.1 day", "02:24:00", "@ 2 hours 24 mins", "2:24:00", "PT2H24M"},
    {"1 2:03:04", "1 day 02:03:04", "@ 1 day 2 hours 3 mins 4 secs", "1 2:03:04", "P1DT2H3M4S"},
    {"-1 2:03:04", "-1 days +02:03:04", "@ 1 day -2 hours -3 mins -4 secs ago", "-1 2:03:04",
     "P-1DT2H3M4S"},
    {"1-2", "1 year 2 mons", "@ 1 year 2 mons", "1-2", "P1Y2M"},
    {"-1-2 3", "-1 years -2 mons +00:00:03", "@ 1 year 2 mons -3 secs ago", "-1-2 +0 -0:00:03",
     "P-1Y-2MT3S"},
    {"+1-2 +3 +4:05:06", "1 year 2 mons 3 days 04:05:06",
     "@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs", "+1-2 +3 +4:05:06", "P1Y2M3DT4H5M6S"},
    {"- 1 day", "-1 days", "@ 1 day ago", "-1 0:00:00", "P-1D"},
    {"+1 -2:00", "1 day -02:00:00", "@ 1 day -2 hours", "+0-0 +1 -2:00:00", "P1DT-2H"},
    {"1 -2:00:00", "1 day -02:00:00", "@ 1 day -2 hours", "+0-0 +1 -2:00:00", "P1DT-2H"},
    {"1h30m", "01:30:00", "@ 1 hour 30 mins", "1:30:00", "PT1H30M"},
    {"1d2h", "1 day 02:00:00", "@ 1 day 2 hours", "1 2:00:00", "P1DT2H"},
    {"1 mon2", "1 mon 00:00:02", "@ 1 mon 2 secs", "+0-1 +0 +0:00:02", "P1MT2S"},
    {"1.5", "00:00:01.5", "@ 1.5 secs", "0:00:01.5", "PT1.5S"},
    {"1:2:3.5", "01:02:03.5", "@ 1 hour 2 mins 3.5 secs", "1:02:03.5", "PT1H2M3.5S"},
    {"1:2.5", "00:01:02.5", "@ 1 min 2.5 secs", "0:01:02.5", "PT1M2.5S"},
    {"-1", "-00:00:01", "@ 1 sec ago", "-0:00:01", "PT-1S"},
    {" 3 days ", "3 days", "@ 3 days", "3 0:00:00", "P3D"},
    {"P1Y2M3DT4H5M6.5S", "1 year 2 mons 3 days 04:05:06.5",
     "@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs", "+1-2 +3 +4:05:06.5", "P1Y2M3DT4H5M6.5S"},
    {"P0.5Y", "6 mons", "@ 6 mons", "0-6", "P6M"},
    {"PT1.5H", "01:30:00", "@ 1 hour 30 mins", "1:30:00", "PT1H30M"},
    {"P1-2-3T4:05:06", "1 year 2 mons 3 days 04:05:06",
     "@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs", "+1-2 +3 +4:05:06", "P1Y2M3DT4H5M6S"},
    {"P00010203T040506", "1 year 2 mons 3 days 04:05:06",
     "@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs", "+1-2 +3 +4:05:06", "P1Y2M3DT4H5M6S"},
    {"P1W", "7 days", "@ 7 days", "7 0:00:00", "P7D"},
    {"PT0S", "00:00:00", "@ 0", "0", "PT0S"},
    {"P-1Y-2M", "-1 years -2 mons", "@ 1 year 2 mons ago", "-1-2", "P-1Y-2M"},
    {"PT-1.5S", "-00:00:01.5", "@ 1.5 secs ago", "-0:00:01.5", "PT-1.5S"},
    {"1 week 2 decades 1 century 1 millennium", "1120 years 7 days", "@ 1120 years 7 days",
     "+1120-0 +7 +0:00:00", "P1120Y7D"},
    {"1 microsecond 2 milliseconds", "00:00:00.002001", "@ 0.002001 secs", "0:00:00.002001",
     "PT0.002001S"},
    {"1.5 ms", "00:00:00.0015", "@ 0.0015 secs", "0:00:00.0015", "PT0.0015S"},
    {"0.5 us", "00:00:00", "@ 0", "0", "PT0S"},
    {"1.4 us", "00:00:00.000001", "@ 0.000001 secs", "0:00:00.000001", "PT0.000001S"},
    {"2147483647 days", "2147483647 days", "@ 2147483647 days", "2147483647 0:00:00",
     "P2147483647D"},
    {"-2147483648 days", "-2147483648 days", "@ 2147483648 days ago", "-2147483648 0:00:00",
     "P-2147483648D"},
    {"2147483647 hours", "2147483647:00:00", "@ 2147483647 hours", "2147483647:00:00",
     "PT2147483647H"},
    {"178956970 years 7 months", "178956970 years 7 mons", "@ 178956970 years 7 mons",
     "178956970-7", "P178956970Y7M"},
    {"-178956970 years -8 months", "-178956970 years -8 mons", "@ 178956970 years 8 mons ago",
     "-178956970-8", "P-178956970Y-8M"},
    {"1 second 500 ms", "00:00:01.5", "@ 1.5 secs", "0:00:01.5", "PT1.5S"},
    {"100 secs", "00:01:40", "@ 1 min 40 secs", "0:01:40", "PT1M40S"},
    {"3 mins", "00:03:00", "@ 3 mins", "0:03:00", "PT3M"},
    {"7 hrs", "07:00:00", "@ 7 hours", "7:00:00", "PT7H"},
    {"2 yrs", "2 years", "@ 2 years", "2-0", "P2Y"},
    {"10 centuries", "1000 years", "@ 1000 years", "1000-0", "P1000Y"},
    {"2 mils", "2000 years", "@ 2000 years", "2000-0", "P2000Y"},
    {"1.000001 sec", "00:00:01.000001", "@ 1.000001 secs", "0:00:01.000001", "PT1.000001S"},
    {"0.0000005 sec", "00:00:00", "@ 0", "0", "PT0S"},
    {"1 day 2 hours 3 minutes 4 seconds", "1 day 02:03:04", "@ 1 day 2 hours 3 mins 4 secs",
     "1 2:03:04", "P1DT2H3M4S"},
    {"@ 1 year 2 mons -3 days 4 hours 5 mins 6.7 secs ago", "-1 years -2 mons +3 days -04:05:06.7",
     "@ 1 year 2 mons -3 days 4 hours 5 mins 6.7 secs ago", "-1-2 +3 -4:05:06.7",
     "P-1Y-2M3DT-4H-5M-6.7S"},
    {"1 2", "ERROR 22007 invalid input syntax for type interval: \"1 2\"", NULL, NULL, NULL},
    {"1:2:3:4", "ERROR 22007 invalid input syntax for type interval: \"1:2:3:4\"", NULL, NULL,
     NULL},
    {"25:00", "25:00:00", "@ 25 hours", "25:00:00", "PT25H"},
    {"1:60", "ERROR 22015 interval field value out of range: \"1:60\"", NULL, NULL, NULL},
    {"1 day 1 day", "ERROR 22007 invalid input syntax for type interval: \"1 day 1 day\"", NULL,
     NULL, NULL},
    {"1 hour 1 hour", "ERROR 22007 invalid input syntax for type interval: \"1 hour 1 hour\"", NULL,
     NULL, NULL},
    {"1day2hours", "ERROR 22007 invalid input syntax for type interval: \"1day2hours\"", NULL, NULL,
     NULL},
    {"1 ago", "ERROR 22007 invalid input syntax for type interval: \"1 ago\"", NULL, NULL, NULL},
    {"ago", "ERROR 22007 invalid input syntax for type interval: \"ago\"", NULL, NULL, NULL},
    {"day", "ERROR 22007 invalid input syntax for type interval: \"day\"", NULL, NULL, NULL},
    {"infinity", "ERROR 22007 invalid input syntax for type interval: \"infinity\"", NULL, NULL,
     NULL},
    {"p1y", "ERROR 22007 invalid input syntax for type interval: \"p1y\"", NULL, NULL, NULL},
    {"P", "ERROR 22007 invalid input syntax for type interval: \"P\"", NULL, NULL, NULL},
    {"1 day -", "ERROR 22007 invalid input syntax for type interval: \"1 day -\"", NULL, NULL,
     NULL},
    {"2147483648 days", "ERROR 22015 interval field value out of range: \"2147483648 days\"", NULL,
     NULL, NULL},
    {"178956970 years 8 months", "ERROR 22008 interval out of range", NULL, NULL, NULL},
    {"178956971 years", "ERROR 22008 interval out of range", NULL, NULL, NULL},
    {"9223372036854775807 microseconds", "2562047788:00:54.775807",
     "@ 2562047788 hours 54.775807 secs", "2562047788:00:54.775807", "PT2562047788H54.775807S"},
    {"9223372036854775808 microseconds",
     "ERROR 22015 interval field value out of range: \"9223372036854775808 microseconds\"", NULL,
     NULL, NULL},
    {"abc", "ERROR 22007 invalid input syntax for type interval: \"abc\"", NULL, NULL, NULL},
    {"1 foo", "ERROR 22007 invalid input syntax for type interval: \"1 foo\"", NULL, NULL, NULL},
};

static void test_io_styles(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof io_cases / sizeof io_cases[0]; i++) {
        for (int s = 0; s < 4; s++) {
            const io_case *c = &io_cases[i];
            const char *by_style[4] = {c->postgres, c->verbose, c->sql_standard, c->iso_8601};
            const char *want = by_style[s] ? by_style[s] : c->postgres;
            const char *got = interval_io(io_cases[i].in, (sql_interval_style)s);
            if (strcmp(got, want) != 0) {
                bad++;
                fprintf(stderr, "style %d '%s'\n   want: %s\n    got: %s\n", s, io_cases[i].in,
                        want, got);
            }
        }
    }
    if (bad) fail_msg("%d interval texts differ from PostgreSQL", bad);
}

/* ---- typmods ---- */

#define MASK(b) (1 << (b))
enum { M_MONTH = MASK(1), M_YEAR = MASK(2), M_DAY = MASK(3), M_HOUR = MASK(10) };
enum { M_MINUTE = MASK(11), M_SECOND = MASK(12), FULL_RANGE = 0x7FFF };

typedef struct typmod_case {
    int32_t mods[2];
    int nmods;
    const char *type_name;
    const char *in;
    const char *want;
} typmod_case;

/* PostgreSQL: select '<in>'::<type_name>, format_type of the column */
static const typmod_case typmod_cases[] = {
    {{M_YEAR}, 1, "interval year", "1 year 2 mons 3 days 04:05:06.789", "1 year"},
    {{M_YEAR}, 1, "interval year", "2", "2 years"},
    {{M_YEAR}, 1, "interval year", "3:4", "00:00:00"},
    {{M_MONTH}, 1, "interval month", "2", "2 mons"},
    {{M_DAY}, 1, "interval day", "-1 2:03:04.5678", "-1 days"},
    {{M_HOUR}, 1, "interval hour", "1 2", "1 day 02:00:00"},
    {{M_HOUR}, 1, "interval hour", "-1 2:03:04.5678", "-1 days +02:00:00"},
    {{M_MINUTE}, 1, "interval minute", "3:4", "03:04:00"},
    {{M_YEAR | M_MONTH}, 1, "interval year to month", "2", "2 mons"},
    {{M_DAY | M_HOUR}, 1, "interval day to hour", "1 2", "1 day 02:00:00"},
    {{M_DAY | M_HOUR | M_MINUTE}, 1, "interval day to minute", "2", "00:02:00"},
    {{M_DAY | M_HOUR | M_MINUTE},
     1,
     "interval day to minute",
     "-1 2:03:04.5678",
     "-1 days +02:03:00"},
    {{M_MINUTE | M_SECOND}, 1, "interval minute to second", "3:4", "00:03:04"},
    {{FULL_RANGE, 2},
     2,
     "interval(2)",
     "1 year 2 mons 3 days 04:05:06.789",
     "1 year 2 mons 3 days 04:05:06.79"},
    {{FULL_RANGE, 2}, 2, "interval(2)", "-1 2:03:04.5678", "-1 days +02:03:04.57"},
    {{M_SECOND, 3}, 2, "interval second(3)", "2", "00:00:02"},
    {{M_DAY | M_HOUR | M_MINUTE | M_SECOND, 0}, 2, "interval day to second(0)", "1.5", "00:00:02"},
    {{M_MINUTE | M_SECOND, 1}, 2, "interval minute to second(1)", "1:2.25", "00:01:02.3"},
};

static void test_typmods(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof typmod_cases / sizeof typmod_cases[0]; i++) {
        const typmod_case *c = &typmod_cases[i];
        int32_t typmod;
        sql_error err;
        assert_int_equal(interval_typmod_from_mods(c->mods, c->nmods, &typmod, &err), MICE_OK);
        char name[SQL_TYPE_NAME_MAX];
        sql_type_format(sql_type_make(SQL_TYPE_INTERVAL, typmod), name, sizeof name);
        assert_string_equal(name, c->type_name);
        sql_interval iv;
        assert_int_equal(
            interval_parse(mice_slice_str(c->in), typmod, SQL_INTERVAL_STYLE_POSTGRES, &iv, &err),
            MICE_OK);
        mice_buf b;
        buf_init(&b);
        interval_format(&iv, SQL_INTERVAL_STYLE_POSTGRES, &b);
        buf_append_u8(&b, 0);
        assert_string_equal((const char *)b.p, c->want);
        buf_deinit(&b);
    }
    int32_t typmod;
    sql_error err;
    const int32_t bad[] = {M_YEAR | M_DAY}, negative[] = {FULL_RANGE, -1}, big[] = {FULL_RANGE, 9};
    assert_int_equal(interval_typmod_from_mods(bad, 1, &typmod, &err), MICE_INVALID);
    assert_string_equal(err.message, "invalid INTERVAL type modifier");
    assert_int_equal(interval_typmod_from_mods(negative, 2, &typmod, &err), MICE_INVALID);
    assert_string_equal(err.message, "INTERVAL(-1) precision must not be negative");
    assert_int_equal(interval_typmod_from_mods(big, 2, &typmod, &err), MICE_OK);
    char name[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(SQL_TYPE_INTERVAL, typmod), name, sizeof name);
    assert_string_equal(name, "interval(6)");
    sql_type t;
    assert_int_equal(sql_type_parse("interval", bad, 1, &t, &err), MICE_INVALID);
}

/* ---- binary ---- */

static void test_binary(void **state)
{
    (void)state;
    sql_interval iv = {.time = -3723000004, .day = 5, .month = -14}, back;
    mice_buf b;
    buf_init(&b);
    interval_send(&iv, &b);
    static const uint8_t want[16] = {0xff, 0xff, 0xff, 0xff, 0x22, 0x17, 0x87, 0x3c,
                                     0,    0,    0,    5,    0xff, 0xff, 0xff, 0xf2};
    assert_int_equal(b.n, 16);
    assert_memory_equal(b.p, want, 16);
    sql_error err;
    assert_int_equal(interval_recv(buf_slice(&b), -1, &back, &err), MICE_OK);
    assert_true(back.time == iv.time && back.day == iv.day && back.month == iv.month);
    assert_int_equal(interval_recv(mice_slice_of(b.p, 15), -1, &back, &err), MICE_INVALID);
    assert_string_equal(err.sqlstate, "22P03");
    buf_reset(&b);
    sqltime_send(37230500000, &b);
    sql_time t;
    assert_int_equal(sqltime_recv(buf_slice(&b), -1, &t, &err), MICE_OK);
    assert_true(t == 37230500000);
    assert_int_equal(sqltime_recv(buf_slice(&b), 0, &t, &err), MICE_OK);
    assert_true(t == 37231000000);
    buf_reset(&b);
    buf_append_be64(&b, (uint64_t)(SQL_USECS_PER_DAY + 1));
    assert_int_equal(sqltime_recv(buf_slice(&b), -1, &t, &err), MICE_RANGE);
    assert_string_equal(err.message, "time out of range");
    sql_uuid u;
    assert_int_equal(sqluuid_recv(mice_slice_of(want, 16), &u, &err), MICE_OK);
    assert_memory_equal(u.b, want, 16);
    assert_int_equal(sqluuid_recv(mice_slice_of(want, 17), &u, &err), MICE_INVALID);
    buf_deinit(&b);
}

/* ---- functions ---- */

typedef struct zoned_case {
    const char *zone;
    call_case c;
} zoned_case;

static const zoned_case fn_cases[] = {
    {"UTC",
     {"interval_pl",
      2,
      {"interval:1 day 2 hours", "interval:3 mons -1 hour"},
      "3 mons 1 day 01:00:00"}},
    {"UTC",
     {"interval_pl",
      2,
      {"interval:2147483647 days", "interval:1 day"},
      "ERROR 22008 interval out of range"}},
    {"UTC", {"interval_mi", 2, {"interval:1 day", "interval:25 hours"}, "1 day -25:00:00"}},
    {"UTC", {"interval_um", 1, {"interval:1 year -2 days 03:00"}, "-1 years +2 days -03:00:00"}},
    {"UTC", {"interval_um", 1, {"interval:-2147483648 days"}, "ERROR 22008 interval out of range"}},
    {"UTC", {"interval_mul", 2, {"interval:1 mon 1 day", "float8:0.3"}, "9 days 07:12:00"}},
    {"UTC", {"interval_mul", 2, {"interval:1 year", "float8:1.5"}, "1 year 6 mons"}},
    {"UTC",
     {"interval_mul",
      2,
      {"interval:1 day 01:00:00.000001", "float8:-2.5"},
      "-2 days -14:30:00.000002"}},
    {"UTC",
     {"interval_mul", 2, {"interval:1 mon", "float8:1e10"}, "ERROR 22008 interval out of range"}},
    {"UTC",
     {"interval_mul", 2, {"interval:1 day", "float8:nan"}, "ERROR 22008 interval out of range"}},
    {"UTC", {"mul_d_interval", 2, {"float8:2", "interval:1 hour 30 mins"}, "03:00:00"}},
    {"UTC", {"interval_div", 2, {"interval:1 mon", "float8:7"}, "4 days 06:51:25.6896"}},
    {"UTC", {"interval_div", 2, {"interval:1 day", "float8:3"}, "08:00:00"}},
    {"UTC", {"interval_div", 2, {"interval:1 year 1 day", "float8:-4"}, "-3 mons -06:00:00"}},
    {"UTC", {"interval_div", 2, {"interval:1 day", "float8:0"}, "ERROR 22012 division by zero"}},
    {"UTC", {"justify_hours", 1, {"interval:50 hours"}, "2 days 02:00:00"}},
    {"UTC", {"justify_hours", 1, {"interval:1 day -50 hours"}, "-1 days -02:00:00"}},
    {"UTC", {"justify_hours", 1, {"interval:-1 day 30 hours"}, "06:00:00"}},
    {"UTC", {"justify_days", 1, {"interval:65 days"}, "2 mons 5 days"}},
    {"UTC", {"justify_days", 1, {"interval:1 mon -65 days"}, "-1 mons -5 days"}},
    {"UTC", {"justify_days", 1, {"interval:-1 mon 35 days"}, "5 days"}},
    {"UTC", {"justify_interval", 1, {"interval:1 mon 65 days 50 hours"}, "3 mons 7 days 02:00:00"}},
    {"UTC", {"justify_interval", 1, {"interval:1 mon -1 hour"}, "29 days 23:00:00"}},
    {"UTC", {"justify_interval", 1, {"interval:-1 mon 1 hour"}, "-29 days -23:00:00"}},
    {"UTC", {"justify_interval", 1, {"interval:-35 days 1 hour"}, "-1 mons -4 days -23:00:00"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:2024-01-31 10:00", "interval:1 mon"},
      "2024-02-29 10:00:00"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:2023-01-31", "interval:1 mon"},
      "2023-02-28 00:00:00"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:2024-02-29", "interval:1 year"},
      "2025-02-28 00:00:00"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:2024-03-31", "interval:-1 mon"},
      "2024-02-29 00:00:00"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:2024-01-01", "interval:-13 mons"},
      "2022-12-01 00:00:00"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:2024-01-01 23:00", "interval:2 hours"},
      "2024-01-02 01:00:00"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:2024-01-01", "interval:1 mon 1 day 1 hour"},
      "2024-02-02 01:00:00"}},
    {"UTC", {"timestamp_pl_interval", 2, {"timestamp:infinity", "interval:1 day"}, "infinity"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:294276-12-31", "interval:1 day"},
      "ERROR 22008 timestamp out of range"}},
    {"UTC",
     {"timestamp_pl_interval",
      2,
      {"timestamp:0001-01-01", "interval:-1 day"},
      "0001-12-31 00:00:00 BC"}},
    {"UTC",
     {"timestamp_mi_interval",
      2,
      {"timestamp:2024-03-01", "interval:1 day"},
      "2024-02-29 00:00:00"}},
    {"America/New_York",
     {"timestamptz_pl_interval",
      2,
      {"timestamptz:2024-03-09 12:00-05", "interval:1 day"},
      "2024-03-10 12:00:00-04"}},
    {"America/New_York",
     {"timestamptz_pl_interval",
      2,
      {"timestamptz:2024-03-09 12:00-05", "interval:24 hours"},
      "2024-03-10 13:00:00-04"}},
    {"America/New_York",
     {"timestamptz_pl_interval",
      2,
      {"timestamptz:2024-02-10 02:30-05", "interval:1 mon"},
      "2024-03-10 03:30:00-04"}},
    {"America/New_York",
     {"timestamptz_pl_interval",
      2,
      {"timestamptz:2024-11-03 01:30-04", "interval:1 hour"},
      "2024-11-03 01:30:00-05"}},
    {"America/New_York",
     {"timestamptz_mi_interval",
      2,
      {"timestamptz:2024-11-04 00:00-05", "interval:1 day"},
      "2024-11-03 00:00:00-04"}},
    {"America/Los_Angeles",
     {"timestamptz_pl_interval",
      2,
      {"timestamptz:2024-11-03 01:30:00", "interval:1 hour"},
      "2024-11-03 02:30:00-08"}},
    {"UTC",
     {"date_pl_interval", 2, {"date:2024-01-31", "interval:1 month"}, "2024-02-29 00:00:00"}},
    {"UTC",
     {"date_mi_interval", 2, {"date:2024-03-31", "interval:1 month"}, "2024-02-29 00:00:00"}},
    {"UTC",
     {"interval_pl_date", 2, {"interval:1 day 1 hour", "date:2024-02-28"}, "2024-02-29 01:00:00"}},
    {"UTC",
     {"interval_pl_timestamp",
      2,
      {"interval:1 year", "timestamp:2023-02-28"},
      "2024-02-28 00:00:00"}},
    {"UTC",
     {"timestamp_mi", 2, {"timestamp:2024-01-02", "timestamp:2024-01-01 12:00"}, "12:00:00"}},
    {"UTC",
     {"timestamp_mi",
      2,
      {"timestamp:2024-05-17", "timestamp:2020-02-29 00:00:01"},
      "1538 days 23:59:59"}},
    {"UTC",
     {"timestamp_mi",
      2,
      {"timestamp:2020-02-29", "timestamp:2024-05-17 12:00"},
      "-1539 days -12:00:00"}},
    {"UTC",
     {"timestamp_mi",
      2,
      {"timestamp:infinity", "timestamp:2024-01-01"},
      "ERROR 22008 cannot subtract infinite timestamps"}},
    {"America/New_York",
     {"timestamptz_mi",
      2,
      {"timestamptz:2024-03-11 00:00", "timestamptz:2024-03-10 00:00"},
      "23:00:00"}},
    {"UTC", {"integer_pl_date", 2, {"int4:30", "date:2024-02-01"}, "2024-03-02"}},
    {"UTC", {"age", 2, {"timestamp:2024-05-17", "timestamp:2020-02-29"}, "4 years 2 mons 17 days"}},
    {"UTC",
     {"age", 2, {"timestamp:2020-02-29", "timestamp:2024-05-17"}, "-4 years -2 mons -17 days"}},
    {"UTC",
     {"age", 2, {"timestamp:2024-03-31", "timestamp:2024-02-29 12:00"}, "1 mon 1 day 12:00:00"}},
    {"UTC", {"age", 2, {"timestamp:2024-01-01", "timestamp:2023-12-31 23:59:59.5"}, "00:00:00.5"}},
    {"UTC", {"age", 2, {"timestamp:2024-03-01", "timestamp:2024-01-31"}, "1 mon 1 day"}},
    {"UTC", {"age", 2, {"timestamp:2024-01-31", "timestamp:2024-03-01"}, "-1 mons -1 days"}},
    {"UTC",
     {"age", 2, {"timestamp:2001-04-10", "timestamp:1957-06-13"}, "43 years 9 mons 27 days"}},
    {"UTC",
     {"age",
      2,
      {"timestamp:infinity", "timestamp:2024-01-01"},
      "292253 years 8 days 04:00:54.775807"}},
    {"Europe/Paris",
     {"age", 2, {"timestamptz:2024-04-01 00:00+02", "timestamptz:2024-03-01 00:00+01"}, "1 mon"}},
    {"UTC", {"time_pl_interval", 2, {"time:10:00", "interval:20 hours"}, "06:00:00"}},
    {"UTC", {"time_pl_interval", 2, {"time:10:00", "interval:1 mon 3 days 1 hour"}, "11:00:00"}},
    {"UTC", {"time_mi_interval", 2, {"time:10:00", "interval:1 day 11 hours"}, "23:00:00"}},
    {"UTC", {"interval_pl_time", 2, {"interval:-30 hours", "time:01:00"}, "19:00:00"}},
    {"UTC", {"time_mi_time", 2, {"time:10:00", "time:11:30:00.5"}, "-01:30:00.5"}},
    {"UTC", {"datetime_pl", 2, {"date:2024-01-01", "time:24:00"}, "2024-01-02 00:00:00"}},
    {"UTC", {"timedate_pl", 2, {"time:10:00", "date:2024-01-01"}, "2024-01-01 10:00:00"}},
    {"UTC",
     {"extract",
      2,
      {"text:epoch", "interval:1 year 1 month 1 day 1.5 seconds"},
      "34236001.500000"}},
    {"UTC", {"extract", 2, {"text:epoch", "interval:-1 mon -1.25 seconds"}, "-2592001.250000"}},
    {"UTC",
     {"extract",
      2,
      {"text:epoch", "interval:2147483647 mons 2147483647 days"},
      "5832995081716800.000000"}},
    {"UTC", {"extract", 2, {"text:year", "interval:-14 months"}, "-1"}},
    {"UTC", {"extract", 2, {"text:month", "interval:-14 months"}, "-2"}},
    {"UTC", {"extract", 2, {"text:quarter", "interval:7 months"}, "3"}},
    {"UTC", {"extract", 2, {"text:quarter", "interval:-7 months"}, "-1"}},
    {"UTC", {"extract", 2, {"text:day", "interval:40 days"}, "40"}},
    {"UTC", {"extract", 2, {"text:hour", "interval:-49 hours"}, "-49"}},
    {"UTC", {"extract", 2, {"text:minute", "interval:61 minutes"}, "1"}},
    {"UTC", {"extract", 2, {"text:second", "interval:61.25 seconds"}, "1.250000"}},
    {"UTC", {"extract", 2, {"text:seconds", "interval:-1.5 s"}, "-1.500000"}},
    {"UTC", {"extract", 2, {"text:millisecond", "interval:1.5 s"}, "1500.000"}},
    {"UTC", {"extract", 2, {"text:microseconds", "interval:1.5 s"}, "1500000"}},
    {"UTC", {"extract", 2, {"text:decade", "interval:-25 years"}, "-2"}},
    {"UTC", {"extract", 2, {"text:century", "interval:250 years"}, "2"}},
    {"UTC", {"extract", 2, {"text:millennium", "interval:2500 years"}, "2"}},
    {"UTC",
     {"extract",
      2,
      {"text:week", "interval:10 days"},
      "ERROR 0A000 unit \"week\" not supported for type interval"}},
    {"UTC",
     {"extract",
      2,
      {"text:dow", "interval:10 days"},
      "ERROR 0A000 unit \"dow\" not supported for type interval"}},
    {"UTC",
     {"extract",
      2,
      {"text:timezone", "interval:10 days"},
      "ERROR 0A000 unit \"timezone\" not supported for type interval"}},
    {"UTC",
     {"extract",
      2,
      {"text:foo", "interval:10 days"},
      "ERROR 22023 unit \"foo\" not recognized for type interval"}},
    {"UTC", {"extract", 2, {"text:HOUR", "interval:5 hours"}, "5"}},
    {"UTC", {"date_part", 2, {"text:epoch", "interval:1 year 1 day 1.5 seconds"}, "31644001.5"}},
    {"UTC", {"date_part", 2, {"text:second", "interval:1.25 s"}, "1.25"}},
    {"UTC", {"date_part", 2, {"text:millisecond", "interval:1.25 s"}, "1250"}},
    {"UTC", {"date_part", 2, {"text:hour", "interval:25 hours"}, "25"}},
    {"UTC",
     {"date_part",
      2,
      {"text:week", "interval:25 hours"},
      "ERROR 0A000 unit \"week\" not supported for type interval"}},
    {"UTC", {"date_trunc", 2, {"text:hour", "interval:1 day 3:45:12"}, "1 day 03:00:00"}},
    {"UTC", {"date_trunc", 2, {"text:year", "interval:3 years 5 months"}, "3 years"}},
    {"UTC", {"date_trunc", 2, {"text:quarter", "interval:1 year 5 mons"}, "1 year 3 mons"}},
    {"UTC", {"date_trunc", 2, {"text:decade", "interval:-25 years 3 mons"}, "-20 years"}},
    {"UTC", {"date_trunc", 2, {"text:millisecond", "interval:1.23456 s"}, "00:00:01.234"}},
    {"UTC", {"date_trunc", 2, {"text:microseconds", "interval:1.23456 s"}, "00:00:01.23456"}},
    {"UTC", {"date_trunc", 2, {"text:day", "interval:-1 day -3 hours"}, "-1 days"}},
    {"UTC",
     {"date_trunc",
      2,
      {"text:week", "interval:1 day"},
      "ERROR 0A000 unit \"week\" not supported for type interval"}},
    {"UTC",
     {"date_trunc",
      2,
      {"text:epoch", "interval:1 day"},
      "ERROR 22023 unit \"epoch\" not recognized for type interval"}},
    {"UTC",
     {"date_trunc",
      2,
      {"text:foo", "interval:1 day"},
      "ERROR 22023 unit \"foo\" not recognized for type interval"}},
    {"UTC", {"extract", 2, {"text:hour", "time:10:20:30.5"}, "10"}},
    {"UTC", {"extract", 2, {"text:second", "time:10:20:30.5"}, "30.500000"}},
    {"UTC", {"extract", 2, {"text:milliseconds", "time:10:20:30.5"}, "30500.000"}},
    {"UTC", {"extract", 2, {"text:microsecond", "time:10:20:30.5"}, "30500000"}},
    {"UTC", {"extract", 2, {"text:epoch", "time:10:20:30.5"}, "37230.500000"}},
    {"UTC", {"extract", 2, {"text:minute", "time:24:00"}, "0"}},
    {"UTC",
     {"extract",
      2,
      {"text:day", "time:10:00"},
      "ERROR 0A000 unit \"day\" not supported for type time without time zone"}},
    {"UTC",
     {"extract",
      2,
      {"text:foo", "time:10:00"},
      "ERROR 22023 unit \"foo\" not recognized for type time without time zone"}},
    {"UTC", {"date_part", 2, {"text:second", "time:10:20:30.5"}, "30.5"}},
    {"UTC", {"date_part", 2, {"text:epoch", "time:23:59:59.999999"}, "86399.999999"}},
    {"UTC",
     {"make_interval",
      7,
      {"int4:1", "int4:2", "int4:3", "int4:4", "int4:5", "int4:6", "float8:7.5"},
      "1 year 2 mons 25 days 05:06:07.5"}},
    {"UTC",
     {"make_interval",
      7,
      {"int4:0", "int4:0", "int4:0", "int4:0", "int4:0", "int4:0", "float8:-1.5"},
      "-00:00:01.5"}},
    {"UTC", {"make_interval", 2, {"int4:1", "int4:2"}, "1 year 2 mons"}},
    {"UTC", {"make_interval", 1, {"int4:178956971"}, "-178956970 years -4 mons"}},
    {"UTC",
     {"make_interval",
      7,
      {"int4:0", "int4:0", "int4:0", "int4:0", "int4:0", "int4:0", "float8:infinity"},
      "ERROR 22008 interval out of range"}},
    {"UTC", {"timezone", 2, {"text:UTC", "timestamp:2024-01-01 12:00"}, "2024-01-01 12:00:00+00"}},
    {"UTC",
     {"timezone", 2, {"text:UTC", "timestamptz:2024-01-01 12:00+00"}, "2024-01-01 12:00:00"}},
    {"UTC", {"timezone", 2, {"text:+05", "timestamp:2024-01-01 12:00"}, "2024-01-01 17:00:00+00"}},
    {"UTC",
     {"timezone", 2, {"text:-03:30", "timestamptz:2024-01-01 12:00+00"}, "2024-01-01 15:30:00"}},
    {"UTC",
     {"timezone", 2, {"text:UTC+3", "timestamp:2024-01-01 12:00"}, "2024-01-01 15:00:00+00"}},
    {"UTC", {"timezone", 2, {"text:EST", "timestamp:2024-07-01 12:00"}, "2024-07-01 17:00:00+00"}},
    {"UTC",
     {"timezone", 2, {"text:est", "timestamptz:2024-07-01 12:00+00"}, "2024-07-01 07:00:00"}},
    {"UTC",
     {"timezone",
      2,
      {"text:america/new_york", "timestamptz:2024-07-01 12:00+00"},
      "2024-07-01 08:00:00"}},
    {"UTC",
     {"timezone",
      2,
      {"text:America/New_York", "timestamp:2024-03-10 02:30"},
      "2024-03-10 07:30:00+00"}},
    {"UTC",
     {"timezone",
      2,
      {"text:Europe/Paris", "timestamp:2024-10-27 02:30"},
      "2024-10-27 01:30:00+00"}},
    {"UTC",
     {"timezone",
      2,
      {"text:Asia/Kolkata", "timestamptz:2024-01-01 00:00+00"},
      "2024-01-01 05:30:00"}},
    {"UTC",
     {"timezone",
      2,
      {"text:Mars/Base", "timestamp:2024-01-01"},
      "ERROR 22023 time zone \"Mars/Base\" not recognized"}},
    {"UTC", {"timezone", 2, {"text:UTC", "timestamp:infinity"}, "infinity"}},
    {"Asia/Tokyo",
     {"timezone", 2, {"text:UTC", "timestamp:2024-01-01 12:00"}, "2024-01-01 21:00:00+09"}},
    {"Asia/Tokyo",
     {"timezone", 2, {"text:UTC", "timestamptz:2024-01-01 12:00+00"}, "2024-01-01 12:00:00"}},
    {"UTC",
     {"timezone", 2, {"interval:+02:00", "timestamp:2024-01-01 12:00"}, "2024-01-01 10:00:00+00"}},
    {"UTC",
     {"timezone",
      2,
      {"interval:-05:30", "timestamptz:2024-01-01 12:00+00"},
      "2024-01-01 06:30:00"}},
    {"UTC",
     {"timezone",
      2,
      {"interval:1 day", "timestamptz:2024-01-01 12:00+00"},
      "ERROR 22023 interval time zone \"1 day\" must not include months or days"}},
    {"UTC", {"textregexeq", 2, {"text:abc", "text:^a.c$"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:abc", "text:B"}, "f"}},
    {"UTC", {"texticregexeq", 2, {"text:abc", "text:B"}, "t"}},
    {"UTC", {"textregexne", 2, {"text:abc", "text:B"}, "t"}},
    {"UTC", {"texticregexne", 2, {"text:abc", "text:B"}, "f"}},
    {"UTC", {"textregexeq", 2, {"text:a1", "text:\\d"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:ab", "text:\\d"}, "f"}},
    {"UTC", {"textregexeq", 2, {"text:x y", "text:\\s"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:x_y", "text:^\\w+$"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:a-b", "text:^\\w+$"}, "f"}},
    {"UTC", {"textregexeq", 2, {"text:12ab", "text:^[\\d]+[a-z]+$"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:foo bar", "text:\\mbar\\M"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:foobar", "text:\\mbar"}, "f"}},
    {"UTC", {"textregexeq", 2, {"text:abab", "text:^(ab)\\1$"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:abab", "text:^(?:a)(b)a\\1$"}, "t"}},
    {"UTC", {"textregexeq", 2, {"text:ABC", "text:(?i)abc"}, "t"}},
    {"UTC",
     {"textregexeq",
      2,
      {"text:a", "text:("},
      "ERROR 2201B invalid regular expression: parentheses () not balanced"}},
    {"UTC",
     {"textregexeq",
      2,
      {"text:a", "text:[a"},
      "ERROR 2201B invalid regular expression: brackets [] not balanced"}},
    {"UTC",
     {"textregexeq",
      2,
      {"text:a", "text:a{2,1}"},
      "ERROR 2201B invalid regular expression: invalid repetition count(s)"}},
    {"UTC",
     {"textregexeq",
      2,
      {"text:a", "text:*a"},
      "ERROR 2201B invalid regular expression: quantifier operand invalid"}},
    {"UTC", {"textregexeq", 2, {"text:tab\tx", "text:\\t"}, "t"}},
    {"UTC", {"similar_to_escape", 1, {"text:a(b)%_[x%]\\."}, "^(?:a(?:b).*.[x%]\\.)$"}},
    {"UTC", {"similar_to_escape", 2, {"text:a#\"b#\"c", "text:#"}, "^(?:a){1,1}?(b){1,1}(?:c)$"}},
    {"UTC", {"similar_to_escape", 2, {"text:ab", "text:"}, "^(?:ab)$"}},
    {"UTC", {"similar_to_escape", 2, {"text:a$b^c", "text:!"}, "^(?:a\\$b\\^c)$"}},
    {"UTC", {"similar_to_escape", 2, {"text:a", "text:##"}, "ERROR 22025 invalid escape string"}},
    {"UTC",
     {"similar_to_escape",
      2,
      {"text:a#\"b#\"c#\"d#\"", "text:#"},
      "ERROR 2200C SQL regular expression may not contain more than two escape-double-quote "
      "separators"}},
    {"UTC", {"substring", 2, {"text:foobar", "text:o.b"}, "oob"}},
    {"UTC", {"substring", 2, {"text:foobar", "text:o(.)b"}, "o"}},
    {"UTC", {"substring", 2, {"text:foobar", "text:x(.)"}, "<NULL>"}},
    {"UTC", {"substring", 3, {"text:foobar", "text:%#\"o_b#\"%", "text:#"}, "oob"}},
    {"UTC", {"substring", 3, {"text:foobar", "text:#\"o_b#\"", "text:#"}, "<NULL>"}},
    {"UTC", {"substring", 3, {"text:foobar", "text:f#\"o%#\"r", "text:#"}, "ooba"}},
    {"UTC", {"regexp_replace", 3, {"text:Thomas", "text:.[mN]a.", "text:M"}, "ThM"}},
    {"UTC",
     {"regexp_replace",
      4,
      {"text:foobarbaz", "text:b(..)", "text:X\\1Y", "text:g"},
      "fooXarYXazY"}},
    {"UTC", {"regexp_replace", 4, {"text:abc", "text:B", "text:x", "text:i"}, "axc"}},
    {"UTC", {"regexp_replace", 4, {"text:abcabc", "text:b", "text:\\&\\&", "text:g"}, "abbcabbc"}},
    {"UTC", {"regexp_replace", 4, {"text:abc", "text:x*", "text:-", "text:g"}, "-a-b-c-"}},
    {"UTC", {"regexp_replace", 4, {"text:a.b.c", "text:\\.", "text:\\\\", "text:g"}, "a\\b\\c"}},
    {"UTC",
     {"regexp_replace",
      4,
      {"text:a", "text:a", "text:b", "text:z"},
      "ERROR 22023 invalid regular expression option: \"z\""}},
    {"UTC", {"regexp_like", 3, {"text:abc", "text:B", "text:i"}, "t"}},
    {"UTC",
     {"regexp_like",
      3,
      {"text:abc", "text:b", "text:g"},
      "ERROR 22023 regexp_like() does not support the \"global\" option"}},
    {"UTC", {"regexp_count", 2, {"text:abcabc", "text:b"}, "2"}},
    {"UTC", {"regexp_count", 3, {"text:abcabc", "text:b", "int4:3"}, "1"}},
    {"UTC", {"regexp_count", 4, {"text:ABCabc", "text:b", "int4:1", "text:i"}, "2"}},
    {"UTC",
     {"regexp_count",
      3,
      {"text:abc", "text:b", "int4:0"},
      "ERROR 22023 invalid value for parameter \"start\": 0"}},
    {"UTC", {"regexp_substr", 2, {"text:abcabc", "text:b."}, "bc"}},
    {"UTC", {"regexp_substr", 4, {"text:abcabc", "text:b.", "int4:1", "int4:2"}, "bc"}},
    {"UTC",
     {"regexp_substr",
      6,
      {"text:abcabc", "text:b(.)", "int4:1", "int4:1", "text:", "int4:1"},
      "c"}},
    {"UTC", {"regexp_substr", 2, {"text:abcabc", "text:x"}, "<NULL>"}},
    {"UTC", {"regexp_instr", 2, {"text:abcabc", "text:c"}, "3"}},
    {"UTC", {"regexp_instr", 4, {"text:abcabc", "text:c", "int4:1", "int4:2"}, "6"}},
    {"UTC", {"regexp_instr", 5, {"text:abcabc", "text:b.", "int4:1", "int4:1", "int4:1"}, "4"}},
    {"UTC", {"regexp_instr", 2, {"text:abcabc", "text:x"}, "0"}},
    {"UTC", {"byteacat", 2, {"bytea:\\x01", "bytea:\\x0203"}, "\\x010203"}},
    {"UTC", {"byteacat", 2, {"bytea:\\x", "bytea:\\x"}, "\\x"}},
    {"UTC", {"position", 2, {"bytea:\\x010203", "bytea:\\x02"}, "2"}},
    {"UTC", {"position", 2, {"bytea:\\x010203", "bytea:\\x04"}, "0"}},
    {"UTC", {"position", 2, {"bytea:\\x01", "bytea:\\x"}, "1"}},
    {"UTC", {"get_byte", 2, {"bytea:\\x0102", "int4:1"}, "2"}},
    {"UTC",
     {"get_byte", 2, {"bytea:\\x0102", "int4:2"}, "ERROR 2202E index 2 out of valid range, 0..1"}},
    {"UTC",
     {"get_byte", 2, {"bytea:\\x", "int4:0"}, "ERROR 2202E index 0 out of valid range, 0..-1"}},
    {"UTC", {"set_byte", 3, {"bytea:\\x0102", "int4:0", "int4:255"}, "\\xff02"}},
    {"UTC", {"get_bit", 2, {"bytea:\\x0102", "int8:9"}, "1"}},
    {"UTC",
     {"get_bit", 2, {"bytea:\\x01", "int8:8"}, "ERROR 2202E index 8 out of valid range, 0..7"}},
    {"UTC", {"set_bit", 3, {"bytea:\\x00", "int8:7", "int4:1"}, "\\x80"}},
    {"UTC",
     {"set_bit", 3, {"bytea:\\x00", "int8:0", "int4:2"}, "ERROR 22023 new bit must be 0 or 1"}},
    {"UTC", {"btrim", 2, {"bytea:\\x0001020300", "bytea:\\x00"}, "\\x010203"}},
    {"UTC", {"ltrim", 2, {"bytea:\\x000102", "bytea:\\x0001"}, "\\x02"}},
    {"UTC", {"rtrim", 2, {"bytea:\\x010000", "bytea:\\x00"}, "\\x01"}},
    {"UTC", {"btrim", 2, {"bytea:\\x0000", "bytea:\\x00"}, "\\x"}},
    {"UTC", {"overlay", 4, {"bytea:\\x010203", "bytea:\\xff", "int4:2", "int4:1"}, "\\x01ff03"}},
    {"UTC", {"overlay", 3, {"bytea:\\x010203", "bytea:\\xffee", "int4:2"}, "\\x01ffee"}},
    {"UTC", {"overlay", 3, {"bytea:\\x010203", "bytea:\\xff", "int4:5"}, "\\x010203ff"}},
    {"UTC",
     {"overlay",
      3,
      {"bytea:\\x010203", "bytea:\\xff", "int4:0"},
      "ERROR 22011 negative substring length not allowed"}},
    {"UTC",
     {"sha224", 1, {"bytea:\\x"}, "\\xd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"}},
    {"UTC",
     {"sha256",
      1,
      {"bytea:\\x616263"},
      "\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
    {"UTC",
     {"sha384",
      1,
      {"bytea:\\x616263"},
      "\\xcb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca13"
      "4c825a7"}},
    {"UTC",
     {"sha512",
      1,
      {"bytea:\\x61"},
      "\\x1f40fc92da241694750979ee6cf582f2d5d7d28e18335de05abc54d0560e0f5302860c652bf08d560252aa5e7"
      "4210546f369fbbbce8c12cfc7957b2652fe9a75"}},
    {"UTC",
     {"to_char",
      2,
      {"interval:1 year 2 mons 3 days 04:05:06.789", "text:YYYY-MM-DD HH24:MI:SS.MS US"},
      "0001-02-03 04:05:06.789 789000"}},
    {"UTC",
     {"to_char",
      2,
      {"interval:-1 year -2 mons -3 days -04:05:06.789", "text:YYYY-MM-DD HH24:MI:SS.MS US"},
      "-0001--02--3 -04:-05:-06.-789 -789000"}},
    {"UTC",
     {"to_char",
      2,
      {"interval:30 hours", "text:HH HH12 HH24 AM SSSS FMHH24 HH24th"},
      "06 06 30 AM 108000 30 30th"}},
    {"UTC", {"to_char", 2, {"interval:13:00", "text:HH12 P.M. DDD WW CC Q"}, "01 P.M. 000 01 00 "}},
    {"UTC", {"to_char", 2, {"interval:0", "text:Y,YYY YYY YY Y DD Q"}, "0,000 000 00 0 00 "}},
    {"UTC",
     {"to_char",
      2,
      {"interval:1 day", "text:Month"},
      "ERROR 22007 invalid format specification for an interval value"}},
    {"UTC", {"to_char", 2, {"interval:1 day", "text:"}, "<NULL>"}},
    {"UTC", {"timetz_pl_interval", 2, {"timetz:23:00+02", "interval:3 hours"}, "02:00:00+02"}},
    {"UTC",
     {"timetz_mi_interval", 2, {"timetz:01:00+02", "interval:2 hours 1 day"}, "23:00:00+02"}},
    {"UTC", {"interval_pl_timetz", 2, {"interval:1 hour", "timetz:10:00-03"}, "11:00:00-03"}},
    {"UTC", {"datetimetz_pl", 2, {"date:2024-01-01", "timetz:10:00+02"}, "2024-01-01 08:00:00+00"}},
    {"UTC", {"timetzdate_pl", 2, {"timetz:23:30-05", "date:2024-12-31"}, "2025-01-01 04:30:00+00"}},
    {"UTC", {"extract", 2, {"text:timezone", "timetz:10:00+05:30"}, "19800"}},
    {"UTC", {"extract", 2, {"text:timezone_hour", "timetz:10:00-05:30"}, "-5"}},
    {"UTC", {"extract", 2, {"text:timezone_minute", "timetz:10:00-05:30"}, "-30"}},
    {"UTC", {"extract", 2, {"text:epoch", "timetz:10:00+02"}, "28800.000000"}},
    {"UTC", {"extract", 2, {"text:second", "timetz:10:00:01.5+02"}, "1.500000"}},
    {"UTC",
     {"extract",
      2,
      {"text:day", "timetz:10:00+02"},
      "ERROR 0A000 unit \"day\" not supported for type time with time zone"}},
    {"UTC",
     {"extract",
      2,
      {"text:foo", "timetz:10:00+02"},
      "ERROR 22023 unit \"foo\" not recognized for type time with time zone"}},
    {"UTC", {"date_part", 2, {"text:timezone", "timetz:10:00-03"}, "-10800"}},
    {"UTC", {"timezone", 2, {"text:UTC", "timetz:10:00+02"}, "08:00:00+00"}},
    {"UTC", {"timezone", 2, {"text:EST", "timetz:10:00+02"}, "03:00:00-05"}},
    {"UTC", {"timezone", 2, {"interval:+05:00", "timetz:10:00+02"}, "13:00:00+05"}},
    {"UTC", {"timezone", 2, {"interval:-05:30", "timetz:01:00+00"}, "19:30:00-05:30"}},
};

static bool have_tzdata(void)
{
    return access(SQL_TZ_DEFAULT_DIR "/America/New_York", R_OK) == 0;
}

static void test_functions_vs_postgres(void **state)
{
    (void)state;
    if (!have_tzdata()) skip();
    int bad = 0;
    for (size_t i = 0; i < sizeof fn_cases / sizeof fn_cases[0]; i++) {
        const zoned_case *z = &fn_cases[i];
        sql_tz *tz = NULL;
        sql_error err;
        if (strcmp(z->zone, "UTC") != 0 && tz_create(z->zone, NULL, &tz, &err))
            fail_msg("zone %s: %s", z->zone, err.message);
        fc.vctx.dt.tz = tz;
        const char *got = func_cases_call(z->c.fn, z->c.nargs, z->c.args);
        if (strcmp(got, z->c.want) != 0) {
            bad++;
            fprintf(stderr, "case %zu: %s(", i, z->c.fn);
            for (int j = 0; j < z->c.nargs; j++)
                fprintf(stderr, "%s%s", j ? ", " : "", z->c.args[j]);
            fprintf(stderr, ") in %s\n   want: %s\n    got: %s\n", z->zone, z->c.want, got);
        }
        fc.vctx.dt.tz = NULL;
        if (tz) tz_destroy(tz);
        arena_reset(fc.arena);
    }
    if (bad) fail_msg("%d function results differ from PostgreSQL", bad);
}

static void test_age_and_uuid_use_ctx(void **state)
{
    (void)state;
    /* age(x) counts from midnight of the transaction's day in the session zone */
    sql_error err;
    sql_timestamp now;
    assert_int_equal(datetime_parse_timestamp(mice_slice_str("2024-05-17 13:00"), NULL, &now, &err),
                     MICE_OK);
    fc.fctx.txn_start = now;
    const char *args[] = {"timestamp:2020-02-29 12:00"};
    assert_string_equal(func_cases_call("age", 1, args), "4 years 2 mons 16 days 12:00:00");
    const char *none[1] = {NULL};
    assert_string_equal(func_cases_call("gen_random_uuid", 0, none),
                        "ERROR XX000 no random source");
    mice_prng prng;
    prng_seed(&prng, 42);
    fc.fctx.prng = &prng;
    sql_datum u1, u2;
    assert_int_equal(func_call_by_name("gen_random_uuid", NULL, 0, &fc.fctx, &u1, &err), MICE_OK);
    assert_int_equal(func_call_by_name("gen_random_uuid", NULL, 0, &fc.fctx, &u2, &err), MICE_OK);
    assert_int_equal(u1.type, SQL_TYPE_UUID);
    assert_int_not_equal(datum_cmp(&u1, &u2, NULL), 0);
    assert_int_equal(u1.v.uuid.b[6] >> 4, 4);      /* version 4 */
    assert_int_equal(u1.v.uuid.b[8] & 0xc0, 0x80); /* RFC 4122 variant */
    fc.fctx.prng = NULL;
}

/* ---- operator resolution ---- */

typedef struct op_case {
    const char *op, *left, *right;
    /* result type, "unknown as <type>" (the literal's type), or "ERROR <state> <message>" */
    const char *want;
} op_case;

static const op_case op_cases[] = {
    {"+", "date", "date", "ERROR 42883 operator does not exist: date + date"},
    {"+", "date", "time", "timestamp without time zone"},
    {"+", "date", "timetz", "timestamp with time zone"},
    {"+", "date", "timestamp",
     "ERROR 42883 operator does not exist: date + timestamp without time zone"},
    {"+", "date", "timestamptz",
     "ERROR 42883 operator does not exist: date + timestamp with time zone"},
    {"+", "date", "interval", "timestamp without time zone"},
    {"+", "date", "integer", "date"},
    {"+", "date", "double precision",
     "ERROR 42883 operator does not exist: date + double precision"},
    {"+", "date", "numeric", "ERROR 42883 operator does not exist: date + numeric"},
    {"+", "date", "unknown", "ERROR 42725 operator is not unique: date + unknown"},
    {"+", "time", "date", "timestamp without time zone"},
    {"+", "time", "time",
     "ERROR 42725 operator is not unique: time without time zone + time without time zone"},
    {"+", "time", "timetz", "time with time zone"},
    {"+", "time", "timestamp", "timestamp without time zone"},
    {"+", "time", "timestamptz", "timestamp with time zone"},
    {"+", "time", "interval", "time without time zone"},
    {"+", "time", "integer",
     "ERROR 42883 operator does not exist: time without time zone + integer"},
    {"+", "time", "double precision",
     "ERROR 42883 operator does not exist: time without time zone + double precision"},
    {"+", "time", "numeric",
     "ERROR 42883 operator does not exist: time without time zone + numeric"},
    {"+", "time", "unknown", "unknown as interval"},
    {"+", "timetz", "date", "timestamp with time zone"},
    {"+", "timetz", "time", "time with time zone"},
    {"+", "timetz", "timetz",
     "ERROR 42883 operator does not exist: time with time zone + time with time zone"},
    {"+", "timetz", "timestamp",
     "ERROR 42883 operator does not exist: time with time zone + timestamp without time zone"},
    {"+", "timetz", "timestamptz",
     "ERROR 42883 operator does not exist: time with time zone + timestamp with time zone"},
    {"+", "timetz", "interval", "time with time zone"},
    {"+", "timetz", "integer",
     "ERROR 42883 operator does not exist: time with time zone + integer"},
    {"+", "timetz", "double precision",
     "ERROR 42883 operator does not exist: time with time zone + double precision"},
    {"+", "timetz", "numeric",
     "ERROR 42883 operator does not exist: time with time zone + numeric"},
    {"+", "timetz", "unknown", "ERROR 42725 operator is not unique: time with time zone + unknown"},
    {"+", "timestamp", "date",
     "ERROR 42883 operator does not exist: timestamp without time zone + date"},
    {"+", "timestamp", "time", "timestamp without time zone"},
    {"+", "timestamp", "timetz",
     "ERROR 42883 operator does not exist: timestamp without time zone + time with time zone"},
    {"+", "timestamp", "timestamp",
     "ERROR 42883 operator does not exist: timestamp without time zone + timestamp without time "
     "zone"},
    {"+", "timestamp", "timestamptz",
     "ERROR 42883 operator does not exist: timestamp without time zone + timestamp with time zone"},
    {"+", "timestamp", "interval", "timestamp without time zone"},
    {"+", "timestamp", "integer",
     "ERROR 42883 operator does not exist: timestamp without time zone + integer"},
    {"+", "timestamp", "double precision",
     "ERROR 42883 operator does not exist: timestamp without time zone + double precision"},
    {"+", "timestamp", "numeric",
     "ERROR 42883 operator does not exist: timestamp without time zone + numeric"},
    {"+", "timestamp", "unknown", "unknown as interval"},
    {"+", "timestamptz", "date",
     "ERROR 42883 operator does not exist: timestamp with time zone + date"},
    {"+", "timestamptz", "time", "timestamp with time zone"},
    {"+", "timestamptz", "timetz",
     "ERROR 42883 operator does not exist: timestamp with time zone + time with time zone"},
    {"+", "timestamptz", "timestamp",
     "ERROR 42883 operator does not exist: timestamp with time zone + timestamp without time zone"},
    {"+", "timestamptz", "timestamptz",
     "ERROR 42883 operator does not exist: timestamp with time zone + timestamp with time zone"},
    {"+", "timestamptz", "interval", "timestamp with time zone"},
    {"+", "timestamptz", "integer",
     "ERROR 42883 operator does not exist: timestamp with time zone + integer"},
    {"+", "timestamptz", "double precision",
     "ERROR 42883 operator does not exist: timestamp with time zone + double precision"},
    {"+", "timestamptz", "numeric",
     "ERROR 42883 operator does not exist: timestamp with time zone + numeric"},
    {"+", "timestamptz", "unknown", "unknown as interval"},
    {"+", "interval", "date", "timestamp without time zone"},
    {"+", "interval", "time", "time without time zone"},
    {"+", "interval", "timetz", "time with time zone"},
    {"+", "interval", "timestamp", "timestamp without time zone"},
    {"+", "interval", "timestamptz", "timestamp with time zone"},
    {"+", "interval", "interval", "interval"},
    {"+", "interval", "integer", "ERROR 42883 operator does not exist: interval + integer"},
    {"+", "interval", "double precision",
     "ERROR 42883 operator does not exist: interval + double precision"},
    {"+", "interval", "numeric", "ERROR 42883 operator does not exist: interval + numeric"},
    {"+", "interval", "unknown", "unknown as interval"},
    {"+", "integer", "date", "date"},
    {"+", "integer", "time",
     "ERROR 42883 operator does not exist: integer + time without time zone"},
    {"+", "integer", "timetz",
     "ERROR 42883 operator does not exist: integer + time with time zone"},
    {"+", "integer", "timestamp",
     "ERROR 42883 operator does not exist: integer + timestamp without time zone"},
    {"+", "integer", "timestamptz",
     "ERROR 42883 operator does not exist: integer + timestamp with time zone"},
    {"+", "integer", "interval", "ERROR 42883 operator does not exist: integer + interval"},
    {"+", "double precision", "date",
     "ERROR 42883 operator does not exist: double precision + date"},
    {"+", "double precision", "time",
     "ERROR 42883 operator does not exist: double precision + time without time zone"},
    {"+", "double precision", "timetz",
     "ERROR 42883 operator does not exist: double precision + time with time zone"},
    {"+", "double precision", "timestamp",
     "ERROR 42883 operator does not exist: double precision + timestamp without time zone"},
    {"+", "double precision", "timestamptz",
     "ERROR 42883 operator does not exist: double precision + timestamp with time zone"},
    {"+", "double precision", "interval",
     "ERROR 42883 operator does not exist: double precision + interval"},
    {"+", "numeric", "date", "ERROR 42883 operator does not exist: numeric + date"},
    {"+", "numeric", "time",
     "ERROR 42883 operator does not exist: numeric + time without time zone"},
    {"+", "numeric", "timetz",
     "ERROR 42883 operator does not exist: numeric + time with time zone"},
    {"+", "numeric", "timestamp",
     "ERROR 42883 operator does not exist: numeric + timestamp without time zone"},
    {"+", "numeric", "timestamptz",
     "ERROR 42883 operator does not exist: numeric + timestamp with time zone"},
    {"+", "numeric", "interval", "ERROR 42883 operator does not exist: numeric + interval"},
    {"+", "unknown", "date", "ERROR 42725 operator is not unique: unknown + date"},
    {"+", "unknown", "time", "unknown as interval"},
    {"+", "unknown", "timetz", "ERROR 42725 operator is not unique: unknown + time with time zone"},
    {"+", "unknown", "timestamp", "unknown as interval"},
    {"+", "unknown", "timestamptz", "unknown as interval"},
    {"+", "unknown", "interval", "unknown as interval"},
    {"-", "date", "date", "integer"},
    {"-", "date", "time", "timestamp without time zone"},
    {"-", "date", "timetz", "ERROR 42883 operator does not exist: date - time with time zone"},
    {"-", "date", "timestamp", "interval"},
    {"-", "date", "timestamptz", "interval"},
    {"-", "date", "interval", "timestamp without time zone"},
    {"-", "date", "integer", "date"},
    {"-", "date", "double precision",
     "ERROR 42883 operator does not exist: date - double precision"},
    {"-", "date", "numeric", "ERROR 42883 operator does not exist: date - numeric"},
    {"-", "date", "unknown", "unknown as date"},
    {"-", "time", "date", "ERROR 42883 operator does not exist: time without time zone - date"},
    {"-", "time", "time", "interval"},
    {"-", "time", "timetz",
     "ERROR 42883 operator does not exist: time without time zone - time with time zone"},
    {"-", "time", "timestamp",
     "ERROR 42883 operator does not exist: time without time zone - timestamp without time zone"},
    {"-", "time", "timestamptz",
     "ERROR 42883 operator does not exist: time without time zone - timestamp with time zone"},
    {"-", "time", "interval", "time without time zone"},
    {"-", "time", "integer",
     "ERROR 42883 operator does not exist: time without time zone - integer"},
    {"-", "time", "double precision",
     "ERROR 42883 operator does not exist: time without time zone - double precision"},
    {"-", "time", "numeric",
     "ERROR 42883 operator does not exist: time without time zone - numeric"},
    {"-", "time", "unknown", "unknown as time without time zone"},
    {"-", "timetz", "date", "ERROR 42883 operator does not exist: time with time zone - date"},
    {"-", "timetz", "time", "time with time zone"},
    {"-", "timetz", "timetz",
     "ERROR 42883 operator does not exist: time with time zone - time with time zone"},
    {"-", "timetz", "timestamp",
     "ERROR 42883 operator does not exist: time with time zone - timestamp without time zone"},
    {"-", "timetz", "timestamptz",
     "ERROR 42883 operator does not exist: time with time zone - timestamp with time zone"},
    {"-", "timetz", "interval", "time with time zone"},
    {"-", "timetz", "integer",
     "ERROR 42883 operator does not exist: time with time zone - integer"},
    {"-", "timetz", "double precision",
     "ERROR 42883 operator does not exist: time with time zone - double precision"},
    {"-", "timetz", "numeric",
     "ERROR 42883 operator does not exist: time with time zone - numeric"},
    {"-", "timetz", "unknown", "unknown as interval"},
    {"-", "timestamp", "date", "interval"},
    {"-", "timestamp", "time", "timestamp without time zone"},
    {"-", "timestamp", "timetz",
     "ERROR 42883 operator does not exist: timestamp without time zone - time with time zone"},
    {"-", "timestamp", "timestamp", "interval"},
    {"-", "timestamp", "timestamptz", "interval"},
    {"-", "timestamp", "interval", "timestamp without time zone"},
    {"-", "timestamp", "integer",
     "ERROR 42883 operator does not exist: timestamp without time zone - integer"},
    {"-", "timestamp", "double precision",
     "ERROR 42883 operator does not exist: timestamp without time zone - double precision"},
    {"-", "timestamp", "numeric",
     "ERROR 42883 operator does not exist: timestamp without time zone - numeric"},
    {"-", "timestamp", "unknown", "unknown as timestamp without time zone"},
    {"-", "timestamptz", "date", "interval"},
    {"-", "timestamptz", "time", "timestamp with time zone"},
    {"-", "timestamptz", "timetz",
     "ERROR 42883 operator does not exist: timestamp with time zone - time with time zone"},
    {"-", "timestamptz", "timestamp", "interval"},
    {"-", "timestamptz", "timestamptz", "interval"},
    {"-", "timestamptz", "interval", "timestamp with time zone"},
    {"-", "timestamptz", "integer",
     "ERROR 42883 operator does not exist: timestamp with time zone - integer"},
    {"-", "timestamptz", "double precision",
     "ERROR 42883 operator does not exist: timestamp with time zone - double precision"},
    {"-", "timestamptz", "numeric",
     "ERROR 42883 operator does not exist: timestamp with time zone - numeric"},
    {"-", "timestamptz", "unknown", "unknown as timestamp with time zone"},
    {"-", "interval", "date", "ERROR 42883 operator does not exist: interval - date"},
    {"-", "interval", "time", "interval"},
    {"-", "interval", "timetz",
     "ERROR 42883 operator does not exist: interval - time with time zone"},
    {"-", "interval", "timestamp",
     "ERROR 42883 operator does not exist: interval - timestamp without time zone"},
    {"-", "interval", "timestamptz",
     "ERROR 42883 operator does not exist: interval - timestamp with time zone"},
    {"-", "interval", "interval", "interval"},
    {"-", "interval", "integer", "ERROR 42883 operator does not exist: interval - integer"},
    {"-", "interval", "double precision",
     "ERROR 42883 operator does not exist: interval - double precision"},
    {"-", "interval", "numeric", "ERROR 42883 operator does not exist: interval - numeric"},
    {"-", "interval", "unknown", "unknown as interval"},
    {"-", "integer", "date", "ERROR 42883 operator does not exist: integer - date"},
    {"-", "integer", "time",
     "ERROR 42883 operator does not exist: integer - time without time zone"},
    {"-", "integer", "timetz",
     "ERROR 42883 operator does not exist: integer - time with time zone"},
    {"-", "integer", "timestamp",
     "ERROR 42883 operator does not exist: integer - timestamp without time zone"},
    {"-", "integer", "timestamptz",
     "ERROR 42883 operator does not exist: integer - timestamp with time zone"},
    {"-", "integer", "interval", "ERROR 42883 operator does not exist: integer - interval"},
    {"-", "double precision", "date",
     "ERROR 42883 operator does not exist: double precision - date"},
    {"-", "double precision", "time",
     "ERROR 42883 operator does not exist: double precision - time without time zone"},
    {"-", "double precision", "timetz",
     "ERROR 42883 operator does not exist: double precision - time with time zone"},
    {"-", "double precision", "timestamp",
     "ERROR 42883 operator does not exist: double precision - timestamp without time zone"},
    {"-", "double precision", "timestamptz",
     "ERROR 42883 operator does not exist: double precision - timestamp with time zone"},
    {"-", "double precision", "interval",
     "ERROR 42883 operator does not exist: double precision - interval"},
    {"-", "numeric", "date", "ERROR 42883 operator does not exist: numeric - date"},
    {"-", "numeric", "time",
     "ERROR 42883 operator does not exist: numeric - time without time zone"},
    {"-", "numeric", "timetz",
     "ERROR 42883 operator does not exist: numeric - time with time zone"},
    {"-", "numeric", "timestamp",
     "ERROR 42883 operator does not exist: numeric - timestamp without time zone"},
    {"-", "numeric", "timestamptz",
     "ERROR 42883 operator does not exist: numeric - timestamp with time zone"},
    {"-", "numeric", "interval", "ERROR 42883 operator does not exist: numeric - interval"},
    {"-", "unknown", "date", "unknown as date"},
    {"-", "unknown", "time", "unknown as time without time zone"},
    {"-", "unknown", "timetz",
     "ERROR 42883 operator does not exist: unknown - time with time zone"},
    {"-", "unknown", "timestamp", "unknown as timestamp without time zone"},
    {"-", "unknown", "timestamptz", "unknown as timestamp with time zone"},
    {"-", "unknown", "interval", "unknown as interval"},
    {"*", "date", "date", "ERROR 42883 operator does not exist: date * date"},
    {"*", "date", "time", "ERROR 42883 operator does not exist: date * time without time zone"},
    {"*", "date", "timetz", "ERROR 42883 operator does not exist: date * time with time zone"},
    {"*", "date", "timestamp",
     "ERROR 42883 operator does not exist: date * timestamp without time zone"},
    {"*", "date", "timestamptz",
     "ERROR 42883 operator does not exist: date * timestamp with time zone"},
    {"*", "date", "interval", "ERROR 42883 operator does not exist: date * interval"},
    {"*", "date", "integer", "ERROR 42883 operator does not exist: date * integer"},
    {"*", "date", "double precision",
     "ERROR 42883 operator does not exist: date * double precision"},
    {"*", "date", "numeric", "ERROR 42883 operator does not exist: date * numeric"},
    {"*", "date", "unknown", "ERROR 42883 operator does not exist: date * unknown"},
    {"*", "time", "date", "ERROR 42883 operator does not exist: time without time zone * date"},
    {"*", "time", "time",
     "ERROR 42883 operator does not exist: time without time zone * time without time zone"},
    {"*", "time", "timetz",
     "ERROR 42883 operator does not exist: time without time zone * time with time zone"},
    {"*", "time", "timestamp",
     "ERROR 42883 operator does not exist: time without time zone * timestamp without time zone"},
    {"*", "time", "timestamptz",
     "ERROR 42883 operator does not exist: time without time zone * timestamp with time zone"},
    {"*", "time", "interval",
     "ERROR 42883 operator does not exist: time without time zone * interval"},
    {"*", "time", "integer", "interval"},
    {"*", "time", "double precision", "interval"},
    {"*", "time", "numeric", "interval"},
    {"*", "time", "unknown", "unknown as double precision"},
    {"*", "timetz", "date", "ERROR 42883 operator does not exist: time with time zone * date"},
    {"*", "timetz", "time",
     "ERROR 42883 operator does not exist: time with time zone * time without time zone"},
    {"*", "timetz", "timetz",
     "ERROR 42883 operator does not exist: time with time zone * time with time zone"},
    {"*", "timetz", "timestamp",
     "ERROR 42883 operator does not exist: time with time zone * timestamp without time zone"},
    {"*", "timetz", "timestamptz",
     "ERROR 42883 operator does not exist: time with time zone * timestamp with time zone"},
    {"*", "timetz", "interval",
     "ERROR 42883 operator does not exist: time with time zone * interval"},
    {"*", "timetz", "integer",
     "ERROR 42883 operator does not exist: time with time zone * integer"},
    {"*", "timetz", "double precision",
     "ERROR 42883 operator does not exist: time with time zone * double precision"},
    {"*", "timetz", "numeric",
     "ERROR 42883 operator does not exist: time with time zone * numeric"},
    {"*", "timetz", "unknown",
     "ERROR 42883 operator does not exist: time with time zone * unknown"},
    {"*", "timestamp", "date",
     "ERROR 42883 operator does not exist: timestamp without time zone * date"},
    {"*", "timestamp", "time",
     "ERROR 42883 operator does not exist: timestamp without time zone * time without time zone"},
    {"*", "timestamp", "timetz",
     "ERROR 42883 operator does not exist: timestamp without time zone * time with time zone"},
    {"*", "timestamp", "timestamp",
     "ERROR 42883 operator does not exist: timestamp without time zone * timestamp without time "
     "zone"},
    {"*", "timestamp", "timestamptz",
     "ERROR 42883 operator does not exist: timestamp without time zone * timestamp with time zone"},
    {"*", "timestamp", "interval",
     "ERROR 42883 operator does not exist: timestamp without time zone * interval"},
    {"*", "timestamp", "integer",
     "ERROR 42883 operator does not exist: timestamp without time zone * integer"},
    {"*", "timestamp", "double precision",
     "ERROR 42883 operator does not exist: timestamp without time zone * double precision"},
    {"*", "timestamp", "numeric",
     "ERROR 42883 operator does not exist: timestamp without time zone * numeric"},
    {"*", "timestamp", "unknown",
     "ERROR 42883 operator does not exist: timestamp without time zone * unknown"},
    {"*", "timestamptz", "date",
     "ERROR 42883 operator does not exist: timestamp with time zone * date"},
    {"*", "timestamptz", "time",
     "ERROR 42883 operator does not exist: timestamp with time zone * time without time zone"},
    {"*", "timestamptz", "timetz",
     "ERROR 42883 operator does not exist: timestamp with time zone * time with time zone"},
    {"*", "timestamptz", "timestamp",
     "ERROR 42883 operator does not exist: timestamp with time zone * timestamp without time zone"},
    {"*", "timestamptz", "timestamptz",
     "ERROR 42883 operator does not exist: timestamp with time zone * timestamp with time zone"},
    {"*", "timestamptz", "interval",
     "ERROR 42883 operator does not exist: timestamp with time zone * interval"},
    {"*", "timestamptz", "integer",
     "ERROR 42883 operator does not exist: timestamp with time zone * integer"},
    {"*", "timestamptz", "double precision",
     "ERROR 42883 operator does not exist: timestamp with time zone * double precision"},
    {"*", "timestamptz", "numeric",
     "ERROR 42883 operator does not exist: timestamp with time zone * numeric"},
    {"*", "timestamptz", "unknown",
     "ERROR 42883 operator does not exist: timestamp with time zone * unknown"},
    {"*", "interval", "date", "ERROR 42883 operator does not exist: interval * date"},
    {"*", "interval", "time",
     "ERROR 42883 operator does not exist: interval * time without time zone"},
    {"*", "interval", "timetz",
     "ERROR 42883 operator does not exist: interval * time with time zone"},
    {"*", "interval", "timestamp",
     "ERROR 42883 operator does not exist: interval * timestamp without time zone"},
    {"*", "interval", "timestamptz",
     "ERROR 42883 operator does not exist: interval * timestamp with time zone"},
    {"*", "interval", "interval", "ERROR 42883 operator does not exist: interval * interval"},
    {"*", "interval", "integer", "interval"},
    {"*", "interval", "double precision", "interval"},
    {"*", "interval", "numeric", "interval"},
    {"*", "interval", "unknown", "unknown as double precision"},
    {"*", "integer", "date", "ERROR 42883 operator does not exist: integer * date"},
    {"*", "integer", "time", "interval"},
    {"*", "integer", "timetz",
     "ERROR 42883 operator does not exist: integer * time with time zone"},
    {"*", "integer", "timestamp",
     "ERROR 42883 operator does not exist: integer * timestamp without time zone"},
    {"*", "integer", "timestamptz",
     "ERROR 42883 operator does not exist: integer * timestamp with time zone"},
    {"*", "integer", "interval", "interval"},
    {"*", "double precision", "date",
     "ERROR 42883 operator does not exist: double precision * date"},
    {"*", "double precision", "time", "interval"},
    {"*", "double precision", "timetz",
     "ERROR 42883 operator does not exist: double precision * time with time zone"},
    {"*", "double precision", "timestamp",
     "ERROR 42883 operator does not exist: double precision * timestamp without time zone"},
    {"*", "double precision", "timestamptz",
     "ERROR 42883 operator does not exist: double precision * timestamp with time zone"},
    {"*", "double precision", "interval", "interval"},
    {"*", "numeric", "date", "ERROR 42883 operator does not exist: numeric * date"},
    {"*", "numeric", "time", "interval"},
    {"*", "numeric", "timetz",
     "ERROR 42883 operator does not exist: numeric * time with time zone"},
    {"*", "numeric", "timestamp",
     "ERROR 42883 operator does not exist: numeric * timestamp without time zone"},
    {"*", "numeric", "timestamptz",
     "ERROR 42883 operator does not exist: numeric * timestamp with time zone"},
    {"*", "numeric", "interval", "interval"},
    {"*", "unknown", "date", "ERROR 42883 operator does not exist: unknown * date"},
    {"*", "unknown", "time", "unknown as double precision"},
    {"*", "unknown", "timetz",
     "ERROR 42883 operator does not exist: unknown * time with time zone"},
    {"*", "unknown", "timestamp",
     "ERROR 42883 operator does not exist: unknown * timestamp without time zone"},
    {"*", "unknown", "timestamptz",
     "ERROR 42883 operator does not exist: unknown * timestamp with time zone"},
    {"*", "unknown", "interval", "unknown as double precision"},
    {"/", "date", "date", "ERROR 42883 operator does not exist: date / date"},
    {"/", "date", "time", "ERROR 42883 operator does not exist: date / time without time zone"},
    {"/", "date", "timetz", "ERROR 42883 operator does not exist: date / time with time zone"},
    {"/", "date", "timestamp",
     "ERROR 42883 operator does not exist: date / timestamp without time zone"},
    {"/", "date", "timestamptz",
     "ERROR 42883 operator does not exist: date / timestamp with time zone"},
    {"/", "date", "interval", "ERROR 42883 operator does not exist: date / interval"},
    {"/", "date", "integer", "ERROR 42883 operator does not exist: date / integer"},
    {"/", "date", "double precision",
     "ERROR 42883 operator does not exist: date / double precision"},
    {"/", "date", "numeric", "ERROR 42883 operator does not exist: date / numeric"},
    {"/", "date", "unknown", "ERROR 42883 operator does not exist: date / unknown"},
    {"/", "time", "date", "ERROR 42883 operator does not exist: time without time zone / date"},
    {"/", "time", "time",
     "ERROR 42883 operator does not exist: time without time zone / time without time zone"},
    {"/", "time", "timetz",
     "ERROR 42883 operator does not exist: time without time zone / time with time zone"},
    {"/", "time", "timestamp",
     "ERROR 42883 operator does not exist: time without time zone / timestamp without time zone"},
    {"/", "time", "timestamptz",
     "ERROR 42883 operator does not exist: time without time zone / timestamp with time zone"},
    {"/", "time", "interval",
     "ERROR 42883 operator does not exist: time without time zone / interval"},
    {"/", "time", "integer", "interval"},
    {"/", "time", "double precision", "interval"},
    {"/", "time", "numeric", "interval"},
    {"/", "time", "unknown", "unknown as double precision"},
    {"/", "timetz", "date", "ERROR 42883 operator does not exist: time with time zone / date"},
    {"/", "timetz", "time",
     "ERROR 42883 operator does not exist: time with time zone / time without time zone"},
    {"/", "timetz", "timetz",
     "ERROR 42883 operator does not exist: time with time zone / time with time zone"},
    {"/", "timetz", "timestamp",
     "ERROR 42883 operator does not exist: time with time zone / timestamp without time zone"},
    {"/", "timetz", "timestamptz",
     "ERROR 42883 operator does not exist: time with time zone / timestamp with time zone"},
    {"/", "timetz", "interval",
     "ERROR 42883 operator does not exist: time with time zone / interval"},
    {"/", "timetz", "integer",
     "ERROR 42883 operator does not exist: time with time zone / integer"},
    {"/", "timetz", "double precision",
     "ERROR 42883 operator does not exist: time with time zone / double precision"},
    {"/", "timetz", "numeric",
     "ERROR 42883 operator does not exist: time with time zone / numeric"},
    {"/", "timetz", "unknown",
     "ERROR 42883 operator does not exist: time with time zone / unknown"},
    {"/", "timestamp", "date",
     "ERROR 42883 operator does not exist: timestamp without time zone / date"},
    {"/", "timestamp", "time",
     "ERROR 42883 operator does not exist: timestamp without time zone / time without time zone"},
    {"/", "timestamp", "timetz",
     "ERROR 42883 operator does not exist: timestamp without time zone / time with time zone"},
    {"/", "timestamp", "timestamp",
     "ERROR 42883 operator does not exist: timestamp without time zone / timestamp without time "
     "zone"},
    {"/", "timestamp", "timestamptz",
     "ERROR 42883 operator does not exist: timestamp without time zone / timestamp with time zone"},
    {"/", "timestamp", "interval",
     "ERROR 42883 operator does not exist: timestamp without time zone / interval"},
    {"/", "timestamp", "integer",
     "ERROR 42883 operator does not exist: timestamp without time zone / integer"},
    {"/", "timestamp", "double precision",
     "ERROR 42883 operator does not exist: timestamp without time zone / double precision"},
    {"/", "timestamp", "numeric",
     "ERROR 42883 operator does not exist: timestamp without time zone / numeric"},
    {"/", "timestamp", "unknown",
     "ERROR 42883 operator does not exist: timestamp without time zone / unknown"},
    {"/", "timestamptz", "date",
     "ERROR 42883 operator does not exist: timestamp with time zone / date"},
    {"/", "timestamptz", "time",
     "ERROR 42883 operator does not exist: timestamp with time zone / time without time zone"},
    {"/", "timestamptz", "timetz",
     "ERROR 42883 operator does not exist: timestamp with time zone / time with time zone"},
    {"/", "timestamptz", "timestamp",
     "ERROR 42883 operator does not exist: timestamp with time zone / timestamp without time zone"},
    {"/", "timestamptz", "timestamptz",
     "ERROR 42883 operator does not exist: timestamp with time zone / timestamp with time zone"},
    {"/", "timestamptz", "interval",
     "ERROR 42883 operator does not exist: timestamp with time zone / interval"},
    {"/", "timestamptz", "integer",
     "ERROR 42883 operator does not exist: timestamp with time zone / integer"},
    {"/", "timestamptz", "double precision",
     "ERROR 42883 operator does not exist: timestamp with time zone / double precision"},
    {"/", "timestamptz", "numeric",
     "ERROR 42883 operator does not exist: timestamp with time zone / numeric"},
    {"/", "timestamptz", "unknown",
     "ERROR 42883 operator does not exist: timestamp with time zone / unknown"},
    {"/", "interval", "date", "ERROR 42883 operator does not exist: interval / date"},
    {"/", "interval", "time",
     "ERROR 42883 operator does not exist: interval / time without time zone"},
    {"/", "interval", "timetz",
     "ERROR 42883 operator does not exist: interval / time with time zone"},
    {"/", "interval", "timestamp",
     "ERROR 42883 operator does not exist: interval / timestamp without time zone"},
    {"/", "interval", "timestamptz",
     "ERROR 42883 operator does not exist: interval / timestamp with time zone"},
    {"/", "interval", "interval", "ERROR 42883 operator does not exist: interval / interval"},
    {"/", "interval", "integer", "interval"},
    {"/", "interval", "double precision", "interval"},
    {"/", "interval", "numeric", "interval"},
    {"/", "interval", "unknown", "unknown as double precision"},
    {"/", "integer", "date", "ERROR 42883 operator does not exist: integer / date"},
    {"/", "integer", "time",
     "ERROR 42883 operator does not exist: integer / time without time zone"},
    {"/", "integer", "timetz",
     "ERROR 42883 operator does not exist: integer / time with time zone"},
    {"/", "integer", "timestamp",
     "ERROR 42883 operator does not exist: integer / timestamp without time zone"},
    {"/", "integer", "timestamptz",
     "ERROR 42883 operator does not exist: integer / timestamp with time zone"},
    {"/", "integer", "interval", "ERROR 42883 operator does not exist: integer / interval"},
    {"/", "double precision", "date",
     "ERROR 42883 operator does not exist: double precision / date"},
    {"/", "double precision", "time",
     "ERROR 42883 operator does not exist: double precision / time without time zone"},
    {"/", "double precision", "timetz",
     "ERROR 42883 operator does not exist: double precision / time with time zone"},
    {"/", "double precision", "timestamp",
     "ERROR 42883 operator does not exist: double precision / timestamp without time zone"},
    {"/", "double precision", "timestamptz",
     "ERROR 42883 operator does not exist: double precision / timestamp with time zone"},
    {"/", "double precision", "interval",
     "ERROR 42883 operator does not exist: double precision / interval"},
    {"/", "numeric", "date", "ERROR 42883 operator does not exist: numeric / date"},
    {"/", "numeric", "time",
     "ERROR 42883 operator does not exist: numeric / time without time zone"},
    {"/", "numeric", "timetz",
     "ERROR 42883 operator does not exist: numeric / time with time zone"},
    {"/", "numeric", "timestamp",
     "ERROR 42883 operator does not exist: numeric / timestamp without time zone"},
    {"/", "numeric", "timestamptz",
     "ERROR 42883 operator does not exist: numeric / timestamp with time zone"},
    {"/", "numeric", "interval", "ERROR 42883 operator does not exist: numeric / interval"},
    {"/", "unknown", "date", "ERROR 42883 operator does not exist: unknown / date"},
    {"/", "unknown", "time",
     "ERROR 42883 operator does not exist: unknown / time without time zone"},
    {"/", "unknown", "timetz",
     "ERROR 42883 operator does not exist: unknown / time with time zone"},
    {"/", "unknown", "timestamp",
     "ERROR 42883 operator does not exist: unknown / timestamp without time zone"},
    {"/", "unknown", "timestamptz",
     "ERROR 42883 operator does not exist: unknown / timestamp with time zone"},
    {"/", "unknown", "interval", "ERROR 42883 operator does not exist: unknown / interval"},
};

static sql_type_id type_of(const char *name)
{
    sql_type t;
    sql_error err;
    if (sql_type_parse(name, NULL, 0, &t, &err)) fail_msg("type %s: %s", name, err.message);
    return t.id;
}

static void test_operator_resolution(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof op_cases / sizeof op_cases[0]; i++) {
        const op_case *c = &op_cases[i];
        sql_type_id l = type_of(c->left), r = type_of(c->right);
        func_match m;
        sql_error err;
        sqlerr_clear(&err);
        char got[OUT_TEXT_MAX];
        if (!func_operator_resolves(c->op, l, r)) {
            snprintf(got, sizeof got, "not an operator function");
        } else if (func_lookup_operator(c->op, l, r, &m, &err)) {
            snprintf(got, sizeof got, "ERROR %s %s", err.sqlstate, err.message);
        } else if (strncmp(c->want, "unknown as ", 11) == 0) {
            char tn[SQL_TYPE_NAME_MAX];
            sql_type_format(sql_type_make(m.arg_types[l == SQL_TYPE_UNKNOWN ? 0 : 1], -1), tn,
                            sizeof tn);
            snprintf(got, sizeof got, "unknown as %s", tn);
        } else {
            sql_type_format(sql_type_make(m.ret, -1), got, sizeof got);
        }
        if (strcmp(got, c->want) != 0) {
            bad++;
            fprintf(stderr, "%s %s %s\n   want: %s\n    got: %s\n", c->left, c->op, c->right,
                    c->want, got);
        }
    }
    if (bad) fail_msg("%d operator resolutions differ from PostgreSQL", bad);
    /* an unknown literal first takes the other side's type (binary_oper_exact) */
    func_match m;
    sql_error err;
    assert_int_equal(func_lookup_operator("||", SQL_TYPE_BYTEA, SQL_TYPE_UNKNOWN, &m, &err),
                     MICE_OK);
    assert_string_equal(m.desc->name, "byteacat");
    assert_int_equal(func_lookup_operator("||", SQL_TYPE_UNKNOWN, SQL_TYPE_UNKNOWN, &m, &err),
                     MICE_OK);
    assert_string_equal(m.desc->name, "textcat");
    assert_int_equal(func_lookup_operator("||", SQL_TYPE_INT4, SQL_TYPE_INT4, &m, &err),
                     MICE_NOTFOUND);
    assert_string_equal(err.message, "operator does not exist: integer || integer");
    assert_int_equal(func_lookup_operator("~", SQL_TYPE_VARCHAR, SQL_TYPE_UNKNOWN, &m, &err),
                     MICE_OK);
    assert_string_equal(m.desc->name, "textregexeq");
}

/* ---- time and uuid text ---- */

typedef struct text_case {
    const char *in, *want;
} text_case;

static const text_case time_cases[] = {
    {"04:05:06.789", "04:05:06.789"},
    {"04:05", "04:05:00"},
    {"040506", "04:05:06"},
    {"0405", "04:05:00"},
    {"040506.5", "04:05:06.5"},
    {"4:05 PM", "16:05:00"},
    {"4:05 pm", "16:05:00"},
    {"12:00 am", "00:00:00"},
    {"12:30 PM", "12:30:00"},
    {"04:05:06 PST", "04:05:06"},
    {"04:05:06+02", "04:05:06"},
    {"04:05:06 America/New_York",
     "ERROR 22007 invalid input syntax for type time: \"04:05:06 America/New_York\""},
    {"allballs", "00:00:00"},
    {"24:00:00", "24:00:00"},
    {"23:59:60", "24:00:00"},
    {"23:59:59.9999999", "24:00:00"},
    {"2003-04-12 04:05:06", "04:05:06"},
    {"Jan 5 2024 10:11", "ERROR 22007 invalid input syntax for type time: \"Jan 5 2024 10:11\""},
    {"00:00", "00:00:00"},
    {"1:2:3.4567891", "01:02:03.456789"},
    {"25:00", "ERROR 22008 date/time field value out of range: \"25:00\""},
    {"24:00:01", "ERROR 22008 date/time field value out of range: \"24:00:01\""},
    {"13:00 pm", "ERROR 22008 date/time field value out of range: \"13:00 pm\""},
    {"10:60", "ERROR 22008 date/time field value out of range: \"10:60\""},
    {"abc", "ERROR 22007 invalid input syntax for type time: \"abc\""},
    {"1:2:3:4", "ERROR 22007 invalid input syntax for type time: \"1:2:3:4\""},
};

static const text_case timetz_cases[] = {
    {"10:00:00+02", "10:00:00+02"},
    {"04:05:06.789-08:30", "04:05:06.789-08:30"},
    {"10:00 PST", "10:00:00-08"},
    {"10:00+05:30:15", "10:00:00+05:30:15"},
    {"10:00-1530", "10:00:00-15:30"},
    {"10:00+5", "10:00:00+05"},
    {"24:00+00", "24:00:00+00"},
    {"allballs", "00:00:00+00"},
    {"23:59:59.9999999+01", "24:00:00+01"},
    {"10:00 America/New_York",
     "ERROR 22007 invalid input syntax for type time with time zone: \"10:00 America/New_York\""},
    {"10:00+16", "ERROR 22009 time zone displacement out of range: \"10:00+16\""},
    {"10:00+053015", "ERROR 22009 time zone displacement out of range: \"10:00+053015\""},
    {"25:00+00", "ERROR 22008 date/time field value out of range: \"25:00+00\""},
    {"abc", "ERROR 22007 invalid input syntax for type time with time zone: \"abc\""},
};

static const text_case uuid_cases[] = {
    {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
    {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
     "ERROR 22P02 invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\""},
    {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111",
     "ERROR 22P02 invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111\""},
    {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g",
     "ERROR 22P02 invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g\""},
    {"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERROR 22P02 invalid input syntax for type uuid: \"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
     "ERROR 22P02 invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}\""},
    {"a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERROR 22P02 invalid input syntax for type uuid: \"a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERROR 22P02 invalid input syntax for type uuid: \"-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-",
     "ERROR 22P02 invalid input syntax for type uuid: \"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-\""},
    {"a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERROR 22P02 invalid input syntax for type uuid: \"a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11\""},
    {" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
     "ERROR 22P02 invalid input syntax for type uuid: \" a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\""},
};

static void run_text_cases(sql_type_id type, const text_case *cases, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        sql_datum d;
        sql_error err;
        const char *got;
        sql_value_ctx vctx = SQL_VALUE_CTX_DEFAULT;
        if (value_from_text(sql_type_make(type, -1), mice_slice_str(cases[i].in), &vctx, fc.arena,
                            &d, &err)) {
            got = show_error(&err);
        } else {
            mice_buf b;
            buf_init(&b);
            assert_int_equal(value_to_text(&d, &vctx, &b, &err), MICE_OK);
            snprintf(out_text, sizeof out_text, "%.*s", (int)b.n, (const char *)b.p);
            buf_deinit(&b);
            got = out_text;
        }
        if (strcmp(got, cases[i].want) != 0) {
            bad++;
            fprintf(stderr, "'%s'\n   want: %s\n    got: %s\n", cases[i].in, cases[i].want, got);
        }
    }
    if (bad) fail_msg("%d texts differ from PostgreSQL", bad);
}

static void test_time_text(void **state)
{
    (void)state;
    run_text_cases(SQL_TYPE_TIME, time_cases, sizeof time_cases / sizeof time_cases[0]);
}

static void test_timetz_text(void **state)
{
    (void)state;
    run_text_cases(SQL_TYPE_TIMETZ, timetz_cases, sizeof timetz_cases / sizeof timetz_cases[0]);
}

static void test_uuid_text(void **state)
{
    (void)state;
    run_text_cases(SQL_TYPE_UUID, uuid_cases, sizeof uuid_cases / sizeof uuid_cases[0]);
}

/* ---- properties ---- */

static sql_interval random_interval(mice_prng *r)
{
    sql_interval iv;
    switch (prng_below(r, 4)) {
    case 0: /* small, mixed signs: the interesting normalisation cases */
        iv.month = (int32_t)prng_range(r, -30, 30);
        iv.day = (int32_t)prng_range(r, -70, 70);
        iv.time = prng_range(r, -3 * SQL_USECS_PER_DAY, 3 * SQL_USECS_PER_DAY);
        break;
    case 1: /* whole units, so equal spans happen often */
        iv.month = (int32_t)prng_range(r, -3, 3);
        iv.day = (int32_t)prng_range(r, -90, 90);
        iv.time = prng_range(r, -48, 48) * SQL_USECS_PER_HOUR;
        break;
    default: /* anywhere */
        iv.month = (int32_t)prng_next(r);
        iv.day = (int32_t)prng_next(r);
        iv.time = (int64_t)prng_next(r);
        break;
    }
    return iv;
}

static void test_key_order_and_hash(void **state)
{
    (void)state;
    uint64_t seed = 0x1186;
    mice_prng r;
    prng_seed(&r, seed);
    for (int i = 0; i < PROPERTY_ROUNDS; i++) {
        sql_interval a = random_interval(&r), b = random_interval(&r), back;
        uint8_t ka[SQL_INTERVAL_KEY_BYTES], kb[SQL_INTERVAL_KEY_BYTES];
        interval_key_bytes(&a, ka);
        interval_key_bytes(&b, kb);
        int c = interval_cmp(&a, &b), m = memcmp(ka, kb, sizeof ka);
        if ((c > 0) != (m > 0) || (c < 0) != (m < 0))
            fail_msg("seed %llu round %d: cmp %d but key memcmp %d", (unsigned long long)seed, i, c,
                     m);
        if (c == 0 && interval_hash(&a) != interval_hash(&b))
            fail_msg("seed %llu round %d: equal spans hash apart", (unsigned long long)seed, i);
        assert_true(interval_from_key_bytes(ka, &back));
        assert_int_equal(interval_cmp(&a, &back), 0);
        /* the same span in other units */
        if (a.day > INT32_MIN + 30 && a.month < INT32_MAX) {
            sql_interval moved = {.time = a.time, .day = a.day - 30, .month = a.month + 1};
            assert_int_equal(interval_cmp(&a, &moved), 0);
            assert_true(interval_hash(&a) == interval_hash(&moved));
            uint8_t km[SQL_INTERVAL_KEY_BYTES];
            interval_key_bytes(&moved, km);
            assert_memory_equal(ka, km, sizeof ka);
        }
    }
    /* rowenc: an interval primary key is its span, the value keeps the fields */
    sql_datum one_day = datum_interval((sql_interval){.day = 1});
    sql_datum hours = datum_interval((sql_interval){.time = 24 * SQL_USECS_PER_HOUR});
    mice_buf k1, k2;
    buf_init(&k1);
    buf_init(&k2);
    assert_int_equal(rowenc_key_put(&k1, &one_day, KEYENC_DESC), MICE_OK);
    assert_int_equal(rowenc_key_put(&k2, &hours, KEYENC_DESC), MICE_OK);
    assert_int_equal(k1.n, k2.n);
    assert_memory_equal(k1.p, k2.p, k1.n);
    mice_slice in = buf_slice(&k1);
    sql_datum got;
    assert_int_equal(rowenc_key_get(&in, SQL_TYPE_INTERVAL, KEYENC_DESC, fc.arena, &got), MICE_OK);
    assert_int_equal(in.n, 0);
    assert_int_equal(datum_cmp(&got, &one_day, NULL), 0);
    buf_deinit(&k1);
    buf_deinit(&k2);
}

static void test_text_round_trip(void **state)
{
    (void)state;
    uint64_t seed = 0x2950;
    mice_prng r;
    prng_seed(&r, seed);
    mice_buf b;
    buf_init(&b);
    for (int i = 0; i < PROPERTY_ROUNDS; i++) {
        sql_interval iv = random_interval(&r), back;
        /* the extreme fields do not survive every style's text (PostgreSQL neither) */
        if (iv.month == INT32_MIN || iv.day == INT32_MIN || iv.time == INT64_MIN) continue;
        for (int s = 0; s < 4; s++) {
            buf_reset(&b);
            interval_format(&iv, (sql_interval_style)s, &b);
            sql_error err;
            mice_status rc = interval_parse(buf_slice(&b), -1, (sql_interval_style)s, &back, &err);
            if (rc || back.month != iv.month || back.day != iv.day || back.time != iv.time)
                fail_msg("seed %llu round %d style %d: '%.*s' reads back %s as %d/%d/%lld "
                         "(was %d/%d/%lld)",
                         (unsigned long long)seed, i, s, (int)b.n, (const char *)b.p,
                         rc ? err.message : "ok", back.month, back.day, (long long)back.time,
                         iv.month, iv.day, (long long)iv.time);
        }
    }
    buf_deinit(&b);
}

static void test_garbage_input(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789 :.-+@PTYMDHWSdayhourminsecagoxyz/_,";
    uint64_t seed = 1083;
    mice_prng r;
    prng_seed(&r, seed);
    char text[48];
    for (int i = 0; i < PROPERTY_ROUNDS * 5; i++) {
        size_t n = (size_t)prng_below(&r, sizeof text);
        for (size_t k = 0; k < n; k++)
            text[k] = alphabet[prng_below(&r, sizeof alphabet - 1)];
        sql_interval iv;
        sql_error err;
        sql_time t;
        sql_uuid u;
        sqlerr_clear(&err);
        mice_slice s = mice_slice_of(text, n);
        if (interval_parse(s, -1, (sql_interval_style)prng_below(&r, 4), &iv, &err) &&
            strcmp(err.sqlstate, "22007") && strcmp(err.sqlstate, "22015") &&
            strcmp(err.sqlstate, "22008"))
            fail_msg("seed %llu '%.*s': interval error %s", (unsigned long long)seed, (int)n, text,
                     err.sqlstate);
        sql_timetz tz;
        if (sqltimetz_parse(s, -1, NULL, &tz, &err) == MICE_OK &&
            (tz.time < 0 || tz.time > SQL_USECS_PER_DAY || tz.zone > SQL_TIMETZ_ZONE_MAX_S ||
             tz.zone < -SQL_TIMETZ_ZONE_MAX_S))
            fail_msg("seed %llu '%.*s': timetz %lld %d", (unsigned long long)seed, (int)n, text,
                     (long long)tz.time, tz.zone);
        if (sqltime_parse(s, -1, NULL, &t, &err) == MICE_OK && (t < 0 || t > SQL_USECS_PER_DAY))
            fail_msg("seed %llu '%.*s': time %lld", (unsigned long long)seed, (int)n, text,
                     (long long)t);
        (void)sqluuid_parse(s, &u, &err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_styles),
        cmocka_unit_test(test_typmods),
        cmocka_unit_test(test_binary),
        cmocka_unit_test_setup_teardown(test_functions_vs_postgres, func_cases_setup,
                                        func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_age_and_uuid_use_ctx, func_cases_setup,
                                        func_cases_teardown),
        cmocka_unit_test(test_operator_resolution),
        cmocka_unit_test_setup_teardown(test_time_text, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_timetz_text, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_uuid_text, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_key_order_and_hash, func_cases_setup,
                                        func_cases_teardown),
        cmocka_unit_test(test_text_round_trip),
        cmocka_unit_test(test_garbage_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
