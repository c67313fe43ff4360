/*
 * interval.h - the interval type, exactly as PostgreSQL 15 has it.
 *
 * An interval is three independent fields: months, days and microseconds (PostgreSQL's
 * Interval, which is also the binary wire format: int64 time, int32 day, int32 month).
 * They are kept apart because their lengths vary: a month is 28..31 days, a day 23..25
 * hours across DST changes, so '1 mon' added to a timestamp moves the calendar month
 * (clamping the day: Jan 31 + 1 mon = Feb 29) and '1 day' the calendar day, whatever
 * their lengths. Comparison, hashing and keys use the "normalised span" instead, where
 * a month is 30 days and a day 24 hours (interval '1 mon' = '30 days' = '720 hours').
 *
 * Text input is PostgreSQL's interval_in: ParseDateTime fields decoded right to left
 * ('1 year 2 mons 3 days 04:05:06.789', '-1 day +2 hours', '@ 1 hour ago', '1:30',
 * '1-2' year-month, '1.5 weeks' cascading fractions down, abbreviations 'h', 'min',
 * 'secs', 'yrs'...), then as a fallback ISO 8601 durations ('P1Y2M3DT4H5M6S' and the
 * alternative forms 'P0001-02-03T04:05:06', 'P00010203T040506'). The IntervalStyle
 * matters for input only under sql_standard (a leading '-' negates every field when no
 * other sign is given). A typmod ('interval day to second(3)') restricts the fields
 * and the fractional digits, as PostgreSQL's AdjustIntervalForTypmod.
 *
 * Text output follows IntervalStyle: postgres ('1 year 2 mons 3 days 04:05:06.789',
 * '-1 days +02:00:00'), postgres_verbose ('@ 1 year 2 mons ago'), sql_standard
 * ('1-2', '3 4:05:06', '+1-2 +3 +4:05:06' for mixed signs) and iso_8601 ('P1Y2M3DT4H5M6S').
 *
 * Arithmetic raises PostgreSQL's errors: 22008 "interval out of range", 22008
 * "timestamp out of range", 22012 "division by zero", 22007 / 22015 for bad input.
 *
 * Owns: nothing. Thread safety: pure functions (a sql_tz passed in is shared read-only).
 */
#ifndef MICE_SQL_INTERVAL_H
#define MICE_SQL_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/datetime.h"
#include "sql/numeric.h"
#include "sql/sqlerr.h"

typedef struct sql_interval {
    int64_t time;  /* microseconds */
    int32_t day;   /* days */
    int32_t month; /* months */
} sql_interval;

/* IntervalStyle, numbered as the setting's enum values. */
typedef enum sql_interval_style {
    SQL_INTERVAL_STYLE_POSTGRES = 0,
    SQL_INTERVAL_STYLE_POSTGRES_VERBOSE = 1,
    SQL_INTERVAL_STYLE_SQL_STANDARD = 2,
    SQL_INTERVAL_STYLE_ISO_8601 = 3,
} sql_interval_style;

enum {
    SQL_INTERVAL_TEXT_MAX = 128,    /* longest text form of any interval, with NUL */
    SQL_INTERVAL_PRECISION_MAX = 6, /* fractional second digits */
    SQL_INTERVAL_BINARY_BYTES = 16,
    SQL_INTERVAL_KEY_BYTES = 16, /* interval_key_bytes */
    SQL_DAYS_PER_MONTH = 30,
};
#define SQL_USECS_PER_HOUR INT64_C(3600000000)
#define SQL_USECS_PER_MINUTE INT64_C(60000000)

/* ---- typmods: interval [fields] [(p)], PostgreSQL's INTERVAL_TYPMOD(p, range) ---- */

/* The typmod from the grammar's modifiers (mods[0] the field mask, mods[1] the
 * precision). Errors: 22023 invalid INTERVAL type modifier; 22023 INTERVAL(-1)
 * precision must not be negative. Precision above 6 is reduced to 6 (PostgreSQL warns). */
mice_status interval_typmod_from_mods(const int32_t *mods, int nmods, int32_t *typmod,
                                      sql_error *err);
/* format_type's suffix for a typmod: " day to second(3)", "(3)"; "" for -1. */
void interval_typmod_suffix(int32_t typmod, char *out, size_t cap);
/* Zero the fields below the typmod's last field and round the fraction (22008 on
 * overflow of the rounded value). */
mice_status interval_apply_typmod(sql_interval *iv, int32_t typmod, sql_error *err);

/* ---- text and binary ---- */

/* interval_in. Errors (text quoted as given): 22007 invalid input syntax for type
 * interval: "x"; 22015 interval field value out of range: "x"; 22008 interval out of
 * range. */
mice_status interval_parse(mice_slice text, int32_t typmod, sql_interval_style style,
                           sql_interval *out, sql_error *err);
/* interval_out in the given style; appends to out. */
void interval_format(const sql_interval *iv, sql_interval_style style, mice_buf *out);
void interval_send(const sql_interval *iv, mice_buf *out);
/* 22P03 incorrect binary data format unless exactly 16 bytes. */
mice_status interval_recv(mice_slice bytes, int32_t typmod, sql_interval *out, sql_error *err);

/* ---- comparison, hashing, keys ---- */

/* By the normalised span (30-day months, 24-hour days). */
int interval_cmp(const sql_interval *a, const sql_interval *b);
/* Equal spans hash equal ('1 day' and '24 hours'). */
uint64_t interval_hash(const sql_interval *iv);
/* The span as 16 bytes whose memcmp order is the interval order (big-endian, sign bit
 * flipped). Equal spans give equal bytes. */
void interval_key_bytes(const sql_interval *iv, uint8_t out[SQL_INTERVAL_KEY_BYTES]);
/* The interval with that span, justified as months, days and time (used only when a
 * value must be rebuilt from a key alone); false for bytes no span can produce. */
bool interval_from_key_bytes(const uint8_t in[SQL_INTERVAL_KEY_BYTES], sql_interval *out);

/* ---- arithmetic (22008 interval out of range; 22012 division by zero) ---- */

mice_status interval_add(const sql_interval *a, const sql_interval *b, sql_interval *out,
                         sql_error *err);
mice_status interval_sub(const sql_interval *a, const sql_interval *b, sql_interval *out,
                         sql_error *err);
mice_status interval_neg(const sql_interval *a, sql_interval *out, sql_error *err);
/* interval * float8 and interval / float8 with PostgreSQL's cascade of fractional months
 * into days and fractional days into time. */
mice_status interval_mul(const sql_interval *a, double factor, sql_interval *out, sql_error *err);
mice_status interval_div(const sql_interval *a, double divisor, sql_interval *out, sql_error *err);
mice_status interval_justify_hours(const sql_interval *a, sql_interval *out, sql_error *err);
mice_status interval_justify_days(const sql_interval *a, sql_interval *out, sql_error *err);
mice_status interval_justify_interval(const sql_interval *a, sql_interval *out, sql_error *err);

/* ---- with timestamps ---- */

/* ts + iv: months move the calendar month (day clamped to the month's end), days the
 * calendar day, then the time is added. For a timestamptz (tz_local true) the calendar
 * steps happen in local time of tz (NULL = UTC) and the result is converted back with
 * PostgreSQL's DST rules. Infinite timestamps stay as they are. 22008 timestamp out of
 * range. */
mice_status interval_timestamp_add(sql_timestamp ts, const sql_interval *iv, bool tz_local,
                                   const sql_tz *tz, sql_timestamp *out, sql_error *err);
/* a - b as justify_hours(microseconds): 22008 cannot subtract infinite timestamps,
 * interval out of range. */
mice_status interval_timestamp_diff(sql_timestamp a, sql_timestamp b, sql_interval *out,
                                    sql_error *err);
/* age(a, b): the symbolic difference in years, months, days and time; for timestamptz
 * (tz_local) in local time of tz. 22008 timestamp out of range for infinities. */
mice_status interval_age(sql_timestamp a, sql_timestamp b, bool tz_local, const sql_tz *tz,
                         sql_interval *out, sql_error *err);

/* ---- fields ---- */

/* extract(field from interval) as numeric (second/milliseconds/epoch with scale 6/3/6)
 * or, for date_part, as float8 (*as_double). Errors: 22023 unit "x" not recognized for
 * type interval; 0A000 unit "x" not supported for type interval. field is lowercase. */
mice_status interval_extract(const char *field, const sql_interval *iv, mice_arena *arena,
                             const sql_numeric **num_out, double *double_out, sql_error *err);
/* date_trunc(field, interval). Errors as interval_extract (week: with a DETAIL). */
mice_status interval_trunc(const char *field, const sql_interval *iv, sql_interval *out,
                           sql_error *err);
/* Unit words of extract() and date_trunc() (PostgreSQL's deltatktbl: 'hours', 'min',
 * 'msec', 'centuries'... matched on their first 10 letters; for extract also 'epoch' and
 * the date units 'dow', 'doy', 'isodow', 'isoyear', 'julian', reported as OTHER). */
typedef enum sql_unit {
    SQL_UNIT_UNKNOWN,
    SQL_UNIT_MICROSECOND,
    SQL_UNIT_MILLISECOND,
    SQL_UNIT_SECOND,
    SQL_UNIT_MINUTE,
    SQL_UNIT_HOUR,
    SQL_UNIT_DAY,
    SQL_UNIT_WEEK,
    SQL_UNIT_MONTH,
    SQL_UNIT_QUARTER,
    SQL_UNIT_YEAR,
    SQL_UNIT_DECADE,
    SQL_UNIT_CENTURY,
    SQL_UNIT_MILLENNIUM,
    SQL_UNIT_EPOCH,
    SQL_UNIT_OTHER, /* recognized, but no field of an interval or a time */
} sql_unit;
sql_unit interval_unit_lookup(const char *lowercase_word, bool for_extract);
/* value / 10^scale as a numeric of exactly that display scale (extract's results). */
mice_status interval_scaled_numeric(int64_t value, int scale, mice_arena *arena,
                                    const sql_numeric **out, sql_error *err);

/* make_interval(years, months, weeks, days, hours, mins, secs). */
mice_status interval_make(int32_t years, int32_t months, int32_t weeks, int32_t days, int32_t hours,
                          int32_t mins, double secs, sql_interval *out, sql_error *err);

#endif
