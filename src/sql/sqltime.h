/*
 * sqltime.h - the time (without time zone) type, as PostgreSQL 15 has it.
 *
 * A time is int64 microseconds since midnight, 0 to 24:00:00 inclusive (PostgreSQL's
 * TimeADT, also the binary format). Text input takes 'hh:mm[:ss[.ffffff]]',
 * 'hhmm[ss]', am/pm, 'allballs', 'now', a zone (ignored, as PostgreSQL does for time)
 * and any timestamp text ('2003-04-12 04:05:06' gives its time of day); a typmod
 * time(p) rounds to p fractional digits. Output is 'hh:mm:ss[.f]' with trailing
 * fractional zeros dropped. Arithmetic wraps around midnight as PostgreSQL's:
 * time '10:00' + interval '20 hours' = '06:00:00'.
 *
 * time with time zone (timetz) is a time plus a zone offset in seconds WEST of UTC
 * (PostgreSQL's TimeTzADT and binary form: int64 microseconds, int32 zone): text
 * '10:00:00+02', '04:05:06.789-08:30', '10:00 PST'; without a zone the session zone's
 * offset on the current date is taken. timetz values compare by their UTC time, then by
 * zone ('10:00+02' and '09:00+01' differ but neither is smaller).
 *
 * Owns: nothing. Thread safety: pure functions.
 */
#ifndef MICE_SQL_SQLTIME_H
#define MICE_SQL_SQLTIME_H

#include <stdint.h>

#include "sql/datetime.h"
#include "sql/interval.h"

typedef int64_t sql_time; /* microseconds since midnight */

typedef struct sql_timetz {
    sql_time time;
    int32_t zone; /* seconds WEST of UTC (PostgreSQL's sign) */
} sql_timetz;

enum {
    SQL_TIMETZ_ZONE_MAX_S = 15 * 3600 + 59 * 60 + 59, /* PostgreSQL's TZDISP_LIMIT - 1 */
    SQL_TIMETZ_KEY_BYTES = 12,
};

/* time_in. Errors (text quoted as given): 22007 invalid input syntax for type time:
 * "x"; 22008 date/time field value out of range: "x". ctx gives 'now' (NULL: midnight). */
mice_status sqltime_parse(mice_slice text, int32_t typmod, const sql_datetime_ctx *ctx,
                          sql_time *out, sql_error *err);
void sqltime_format(sql_time t, mice_buf *out);
/* Round to typmod fractional digits (time(p)); -1 keeps all six. */
sql_time sqltime_round_typmod(sql_time t, int32_t typmod);
void sqltime_send(sql_time t, mice_buf *out);
/* 22P03 incorrect binary data format unless 8 bytes; 22008 time out of range. */
mice_status sqltime_recv(mice_slice bytes, int32_t typmod, sql_time *out, sql_error *err);

/* time + interval: only the interval's time counts, modulo 24 hours (sign -1 subtracts). */
sql_time sqltime_add_interval(sql_time t, const sql_interval *iv, int sign);
/* interval -> time (the time field modulo a day), time -> interval. */
sql_time sqltime_from_interval(const sql_interval *iv);
/* Time of day of a finite local timestamp. */
sql_time sqltime_of_timestamp(sql_timestamp ts);

/* extract(field from time) as numeric (second, milliseconds, epoch with scale 6/3/6) or
 * float8 for date_part. Errors: 22023 unit "x" not recognized for type time without
 * time zone; 0A000 unit "x" not supported for type time without time zone. field is
 * lowercase. */
mice_status sqltime_extract(const char *field, sql_time t, mice_arena *arena,
                            const sql_numeric **num_out, double *double_out, sql_error *err);

/* ---- time with time zone ---- */

/* timetz_in: as sqltime_parse, plus a numeric zone or an abbreviation ('PST'); without
 * one, the session zone's offset on the current date. Errors name the type "time with
 * time zone". */
mice_status sqltimetz_parse(mice_slice text, int32_t typmod, const sql_datetime_ctx *ctx,
                            sql_timetz *out, sql_error *err);
void sqltimetz_format(const sql_timetz *t, mice_buf *out);
void sqltimetz_send(const sql_timetz *t, mice_buf *out);
/* 22P03 unless 12 bytes; 22008 time out of range; 22009 zone displacement out of range. */
mice_status sqltimetz_recv(mice_slice bytes, int32_t typmod, sql_timetz *out, sql_error *err);
int sqltimetz_cmp(const sql_timetz *a, const sql_timetz *b);
/* 12 bytes whose memcmp order is sqltimetz_cmp's (UTC time, then zone); lossless. */
void sqltimetz_key_bytes(const sql_timetz *t, uint8_t out[SQL_TIMETZ_KEY_BYTES]);
bool sqltimetz_from_key_bytes(const uint8_t in[SQL_TIMETZ_KEY_BYTES], sql_timetz *out);
/* The session zone's offset (seconds east) for time t on ctx's current date. */
int32_t sqltimetz_session_offset(sql_time t, const sql_datetime_ctx *ctx);
sql_timetz sqltimetz_add_interval(const sql_timetz *t, const sql_interval *iv, int sign);
/* The same instant in the zone east_s seconds east of UTC (AT TIME ZONE). */
sql_timetz sqltimetz_at_zone(const sql_timetz *t, int32_t east_s);
/* extract(): as sqltime_extract, plus timezone, timezone_hour, timezone_minute; epoch is
 * UTC seconds. */
mice_status sqltimetz_extract(const char *field, const sql_timetz *t, mice_arena *arena,
                              const sql_numeric **num_out, double *double_out, sql_error *err);

#endif
