/*
 * datetime.h - date, timestamp and timestamptz values, PostgreSQL style.
 *
 * Representation is PostgreSQL's (and so is the binary wire format): a date is int32
 * days since 2000-01-01, a timestamp int64 microseconds since 2000-01-01 00:00:00; a
 * timestamptz is the same count in UTC, shown in the session's TimeZone. INT32_MIN/MAX
 * and INT64_MIN/MAX are -infinity/infinity. Ranges are PostgreSQL's: dates 4714-11-24 BC
 * to 5874897-12-31, timestamps 4714-11-24 BC to 294276-12-31 23:59:59.999999.
 *
 * Input accepts what clients commonly send: ISO 8601 ('2024-01-05', '2024-01-05
 * 13:45:00.5', with 'T', with a zone suffix Z/+HH/+HH:MM/-HHMM, a common abbreviation
 * such as UTC/EST/CEST, or an IANA name), 'YYYYMMDD'/'YYMMDD', Julian 'J2451545', month
 * names ('Jan 5 2024', '5 January 2024', 'January 5, 2024', 'Jan-08-1999'), MDY with
 * slashes ('1/5/2024', DateStyle ISO, MDY; two-digit years 70-99 -> 19xx), am/pm,
 * BC/AD, and the special words epoch, infinity, -infinity, now, today, tomorrow,
 * yesterday. Errors come in PostgreSQL's order and wording (checked against it on
 * thousands of generated inputs). The current time is injected
 * through sql_datetime_ctx.now (statement start, as PostgreSQL): no clock calls here.
 * Output is DateStyle ISO: '2024-01-05', '2024-01-05 13:45:00.5', timestamptz with the
 * session offset ('+00', '+05:30', '-04:56:02'), ' BC' suffix for years before 1.
 *
 * Owns: nothing. Thread safety: pure functions (the tz is shared read-only).
 */
#ifndef MICE_SQL_DATETIME_H
#define MICE_SQL_DATETIME_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/numeric.h"
#include "sql/sqlerr.h"
#include "sql/types.h"
#include "sql/tz.h"

typedef int32_t sql_date;      /* days since 2000-01-01 */
typedef int64_t sql_timestamp; /* microseconds since 2000-01-01 00:00:00 */

#define SQL_DATE_NOBEGIN INT32_MIN
#define SQL_DATE_NOEND INT32_MAX
#define SQL_TS_NOBEGIN INT64_MIN
#define SQL_TS_NOEND INT64_MAX
#define SQL_USECS_PER_SEC INT64_C(1000000)
#define SQL_USECS_PER_DAY INT64_C(86400000000)
/* days from 1970-01-01 to 2000-01-01 */
#define SQL_UNIX_EPOCH_DAYS 10957
#define SQL_POSTGRES_EPOCH_JDATE 2451545
/* Valid finite ranges: [SQL_TIMESTAMP_MIN, SQL_TIMESTAMP_END), dates below the Julian day
 * SQL_DATE_END_JULIAN (5874898-01-01) and at or above Julian day 0 (4714-11-24 BC). */
#define SQL_TIMESTAMP_MIN INT64_C(-211813488000000000)
#define SQL_TIMESTAMP_END INT64_C(9223371331200000000)
#define SQL_DATE_END_JULIAN 2147483494

typedef struct sql_datetime_ctx {
    const sql_tz *tz;      /* session TimeZone; NULL means UTC */
    sql_timestamp now;     /* statement start (UTC), for 'now', 'today'... */
    const char *zoneinfo_dir; /* for zone names inside input; NULL = default */
} sql_datetime_ctx;

static inline bool date_is_finite(sql_date d)
{
    return d != SQL_DATE_NOBEGIN && d != SQL_DATE_NOEND;
}
static inline bool timestamp_is_finite(sql_timestamp t)
{
    return t != SQL_TS_NOBEGIN && t != SQL_TS_NOEND;
}

/* Finite and in range, or one of the infinities (what binary input must satisfy). */
bool date_in_range(sql_date d);
bool timestamp_in_range(sql_timestamp t);

/* Calendar (proleptic Gregorian; year 0 is 1 BC). */
int32_t date_to_julian(int year, int month, int day);
void julian_to_date(int32_t jd, int *year, int *month, int *day);
bool date_ymd_valid(int year, int month, int day);

/* Text input. Errors (text quoted as given): 22007 invalid input syntax for type date:
 * "x"; 22008 date/time field value out of range: "x" (hint for month > 12, as PG);
 * 22008 date out of range: "x" / timestamp out of range: "x"; 22023 time zone "x" not
 * recognized. */
mice_status datetime_parse_date(mice_slice text, const sql_datetime_ctx *ctx, sql_date *out,
                                sql_error *err);
mice_status datetime_parse_timestamp(mice_slice text, const sql_datetime_ctx *ctx,
                                     sql_timestamp *out, sql_error *err);
mice_status datetime_parse_timestamptz(mice_slice text, const sql_datetime_ctx *ctx,
                                       sql_timestamp *out, sql_error *err);

void datetime_format_date(sql_date d, mice_buf *out);
void datetime_format_timestamp(sql_timestamp ts, mice_buf *out);
/* tz NULL means UTC. */
void datetime_format_timestamptz(sql_timestamp ts, const sql_tz *tz, mice_buf *out);

/* A zone abbreviation of the set input accepts ("est", "cest"; lowercase) as seconds
 * east of UTC; false when unknown. */
bool datetime_zone_abbrev(const char *lowercase_name, int32_t *east_s);

/* Round to typmod fractional digits (timestamp(p)); -1 keeps all six. */
sql_timestamp timestamp_round_typmod(sql_timestamp ts, int32_t typmod);

/* Conversions (22008 "date out of range for timestamp", "timestamp out of range"). */
mice_status date_to_timestamp(sql_date d, sql_timestamp *out, sql_error *err);
sql_date timestamp_to_date(sql_timestamp ts);
mice_status timestamp_to_timestamptz(sql_timestamp ts, const sql_tz *tz, sql_timestamp *out,
                                     sql_error *err);
mice_status timestamptz_to_timestamp(sql_timestamp ts, const sql_tz *tz, sql_timestamp *out,
                                     sql_error *err);
mice_status date_to_timestamptz(sql_date d, const sql_tz *tz, sql_timestamp *out, sql_error *err);
sql_date timestamptz_to_date(sql_timestamp ts, const sql_tz *tz);

/* Arithmetic: date + days (22008 "date out of range"), date - date in days (22008
 * "cannot subtract infinite dates"), timestamp - timestamp in microseconds (22008
 * "cannot subtract infinite timestamps"; 22008 "interval out of range"). */
mice_status date_add_days(sql_date d, int64_t days, sql_date *out, sql_error *err);
mice_status date_diff_days(sql_date a, sql_date b, int32_t *out, sql_error *err);
mice_status timestamp_diff_us(sql_timestamp a, sql_timestamp b, int64_t *out, sql_error *err);

/* Unix epoch. to_timestamp(double seconds): 22008 "timestamp out of range: \"x\"".
 * timestamp_to_unix_us: microseconds since 1970 of a finite timestamp; false when they do
 * not fit in int64, i.e. after 294247-01-10 04:00:54.775807 (the top 29 years of the
 * range; extract(epoch) handles those). */
bool timestamp_to_unix_us(sql_timestamp ts, int64_t *out);
mice_status timestamp_from_unix_us(int64_t unix_us, sql_timestamp *out, sql_error *err);
mice_status timestamptz_from_unix_seconds(double secs, sql_timestamp *out, sql_error *err);

/* extract / date_part fields. */
typedef enum sql_dt_field {
    SQL_DT_MICROSECONDS, SQL_DT_MILLISECONDS, SQL_DT_SECOND, SQL_DT_MINUTE, SQL_DT_HOUR,
    SQL_DT_DAY, SQL_DT_WEEK, SQL_DT_MONTH, SQL_DT_QUARTER, SQL_DT_YEAR, SQL_DT_DECADE,
    SQL_DT_CENTURY, SQL_DT_MILLENNIUM, SQL_DT_DOW, SQL_DT_ISODOW, SQL_DT_DOY, SQL_DT_ISOYEAR,
    SQL_DT_EPOCH, SQL_DT_JULIAN, SQL_DT_TIMEZONE, SQL_DT_TIMEZONE_HOUR, SQL_DT_TIMEZONE_MINUTE,
} sql_dt_field;

/* Field names as PostgreSQL accepts them (case-insensitive, plurals and abbreviations
 * such as "year"/"years"/"y", "ms", "us"). false when unknown. */
bool datetime_field_lookup(const char *name, sql_dt_field *out);

typedef enum { SQL_EXTRACT_FINITE, SQL_EXTRACT_NULL, SQL_EXTRACT_PINF, SQL_EXTRACT_NINF } sql_extract_kind;

/* value / 10^scale is the exact result (PostgreSQL 14+ extract returns numeric:
 * epoch and second have scale 6, milliseconds 3, the rest 0), with one exception: the
 * epoch of a timestamp after 294247-01-10 04:00:54.775807, whose microseconds pass
 * int64, comes with scale 5 (truncated to 10 us; ample for date_part's float8) and
 * datetime_extract_numeric still gives the exact value. */
typedef struct sql_extract_result {
    sql_extract_kind kind;
    int64_t value;
    int scale;
    /* julian of a timestamp only: the exact result is value + day_us / 86400000000
     * (PostgreSQL divides as numeric; datetime_extract_numeric does it). */
    int64_t day_us;
} sql_extract_result;

/* type: SQL_TYPE_DATE (v = days), _TIMESTAMP or _TIMESTAMPTZ (v = micros). Errors:
 * 22023 unit "x" not recognized for type date; 0A000 unit "hour" not supported for
 * type date. */
mice_status datetime_extract(const char *field, sql_type_id type, int64_t v, const sql_tz *tz,
                             sql_extract_result *out, sql_error *err);

/* extract() exactly as PostgreSQL 14+ returns it: a numeric in the arena, or *is_null
 * (fields that have no value for infinite inputs). Same errors as datetime_extract. */
mice_status datetime_extract_numeric(const char *field, sql_type_id type, int64_t v,
                                     const sql_tz *tz, mice_arena *arena,
                                     const sql_numeric **out, bool *is_null, sql_error *err);

/* date_trunc(field, ts) for timestamp / timestamptz (truncated in local time). */
mice_status datetime_trunc(const char *field, sql_type_id type, sql_timestamp ts,
                           const sql_tz *tz, sql_timestamp *out, sql_error *err);

#endif
