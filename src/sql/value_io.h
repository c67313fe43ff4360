/*
 * value_io.h - PostgreSQL's text and binary formats for every SQL type.
 *
 * Text output is byte-identical to PostgreSQL 15 with DateStyle ISO, MDY,
 * bytea_output hex and the session's extra_float_digits (default 1: the shortest text
 * that reads back to the same float, '0.1', '1e+20', '1.5e-05', '-0', 'NaN',
 * 'Infinity'). Text input accepts what PostgreSQL's input functions accept (surrounding
 * whitespace for numbers and booleans, t/true/yes/on/1 prefixes for bool, NaN/inf for
 * floats, \x hex and escape bytea) and applies the column typmod as COPY and Bind do
 * (varchar(n) too long is 22001 unless only spaces are cut; char(n) is space padded).
 * Binary formats are PostgreSQL's send/recv: network byte order; bool 1 byte; int2/4/8;
 * float4/8 IEEE bits; numeric (see numeric.h); text/varchar/bpchar/bytea raw bytes;
 * date int32 days and timestamp/timestamptz int64 microseconds since 2000-01-01; time
 * int64 microseconds; interval int64 microseconds, int32 days, int32 months; uuid 16
 * bytes. Interval text follows the session's IntervalStyle (sql_value_ctx).
 *
 * Owns: nothing; input bytes are copied into the caller's arena when the datum must
 * outlive them. Thread safety: pure functions.
 */
#ifndef MICE_SQL_VALUE_IO_H
#define MICE_SQL_VALUE_IO_H

#include <stddef.h>

#include "sql/datum.h"

enum { SQL_FLOAT_TEXT_MAX = 32 }; /* enough for any float4/float8 text, with NUL */

/* Append the text form of a non-NULL datum. bool is 't'/'f' (the cast to text gives
 * 'true'/'false' instead, see datum_cast). */
mice_status value_to_text(const sql_datum *d, const sql_value_ctx *ctx, mice_buf *out,
                          sql_error *err);

/* Parse text for a column of type t (typmod applied). The datum points into the arena
 * (strings and bytea are copied). Errors: 22P02 invalid input syntax for type X: "...";
 * 22003 value "..." is out of range for type integer; 22001 value too long for type
 * character varying(n); 22021 invalid byte sequence for encoding "UTF8": 0x..; date and
 * numeric errors as their modules. */
mice_status value_from_text(sql_type t, mice_slice text, const sql_value_ctx *ctx,
                            mice_arena *arena, sql_datum *out, sql_error *err);

/* Append the binary (send) form of a non-NULL datum. */
mice_status value_send(const sql_datum *d, mice_buf *out, sql_error *err);
/* Decode a binary parameter for type t. Errors: 22P03 incorrect binary data format
 * (wrong length), 22P03 numeric's messages, 22008 timestamp/date out of range, 22021 bad
 * UTF-8 in text. */
mice_status value_recv(sql_type t, mice_slice bytes, const sql_value_ctx *ctx,
                       mice_arena *arena, sql_datum *out, sql_error *err);

/* Float text as PostgreSQL's float8out/float4out; returns the length written to buf
 * (which must hold SQL_FLOAT_TEXT_MAX bytes). */
size_t value_format_float8(double v, int extra_float_digits, char *buf);
size_t value_format_float4(float v, int extra_float_digits, char *buf);
/* float8in/float4in: 22P02 invalid input syntax for type double precision: "x"; 22003
 * "1e400" is out of range for type double precision (or real). */
mice_status value_parse_float8(mice_slice text, double *out, sql_error *err);
mice_status value_parse_float4(mice_slice text, float *out, sql_error *err);
/* pg_strtoint16/32/64 with bits = 16, 32, 64. */
mice_status value_parse_int(mice_slice text, int bits, int64_t *out, sql_error *err);
/* boolin. */
mice_status value_parse_bool(mice_slice text, bool *out, sql_error *err);
/* 22021 unless s is valid UTF-8 without NUL bytes. */
mice_status value_check_utf8(mice_slice s, sql_error *err);
/* Apply a varchar(n)/char(n) typmod to a string value (explicit: silently truncate);
 * pads bpchar. The result may point into the arena. */
mice_status value_apply_char_typmod(sql_type_id type, mice_slice s, int32_t typmod,
                                    bool explicit_cast, mice_arena *arena, mice_slice *out,
                                    sql_error *err);

#endif
