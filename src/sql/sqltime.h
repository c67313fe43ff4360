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
 * Owns: nothing. Thread safety: pure functions.
 */
#ifndef MICE_SQL_SQLTIME_H
#define MICE_SQL_SQLTIME_H

#include <stdint.h>

#include "sql/datetime.h"
#include "sql/interval.h"

typedef int64_t sql_time; /* microseconds since midnight */

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

#endif
