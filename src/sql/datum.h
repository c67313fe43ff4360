/*
 * datum.h - SQL values in memory: the currency of the executor.
 *
 * A sql_datum is a small struct passed by value: the type id, a null flag and a union
 * with the payload. Fixed-size types live inline (bool; int2/int4/int8/oid as int64;
 * float4 as float; float8 as double; date as int32 days; timestamp/timestamptz as int64
 * microseconds since 2000-01-01; time as int64 microseconds since midnight; interval as
 * months/days/microseconds; uuid as its 16 bytes). Variable-size types point at bytes that live elsewhere:
 * text/varchar/bpchar/bytea/unknown as a mice_slice (not NUL-terminated), numeric as a
 * pointer to an immutable sql_numeric. Functions that make new out-of-line bytes take
 * the caller's arena (per statement or per batch): a datum never owns memory and is
 * valid as long as the arena (or the borrowed buffer) it points into. bpchar values are
 * stored padded (char(4) 'ab' is "ab  "); typmods belong to columns, not datums.
 *
 * Semantics are PostgreSQL's:
 * - comparison: NULLs sort after everything (ORDER BY ASC NULLS LAST); float NaN equals
 *   NaN and sorts above every number, -0 equals 0; numeric likewise (NaN > Infinity);
 *   text/varchar compare bytewise, i.e. collation "C"; bpchar ignores trailing spaces;
 *   mixed integer widths, int vs float, int vs numeric and date vs timestamp compare
 *   after PostgreSQL's implicit promotion; timestamp vs timestamptz uses ctx's zone;
 *   intervals compare by their span with 30-day months ('1 mon' = '30 days'); uuids
 *   bytewise.
 * - hashing: equal values (per datum_cmp) hash equal within a family: integers of any
 *   width, floats of either width (-0.0 and 0.0, all NaNs), numerics whatever their
 *   scale (1.0 and 1.00), strings (bpchar ignoring trailing spaces), date and timestamp,
 *   intervals of equal span.
 *   Across families (int vs numeric, float vs numeric, timestamp vs timestamptz) cast
 *   the keys to one type first, as PostgreSQL's hash opfamilies require.
 * - casts and arithmetic raise PostgreSQL's SQLSTATEs and messages (22003 "integer out
 *   of range", 22012 "division by zero", 22001 "value too long for type character
 *   varying(3)", 22P02 "invalid input syntax for type integer: \"abc\"", ...).
 *
 * Owns: nothing. Thread safety: pure functions; arenas belong to the calling thread.
 */
#ifndef MICE_SQL_DATUM_H
#define MICE_SQL_DATUM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/datetime.h"
#include "sql/interval.h"
#include "sql/numeric.h"
#include "sql/sqlerr.h"
#include "sql/sqltime.h"
#include "sql/sqluuid.h"
#include "sql/types.h"

typedef struct sql_datum {
    sql_type_id type;
    bool is_null;
    union {
        bool b;
        int64_t i; /* int2, int4, int8, oid */
        float f4;
        double f8;
        mice_slice s; /* text, varchar, bpchar, bytea, unknown */
        const sql_numeric *num;
        sql_date date;
        sql_timestamp ts; /* timestamp, timestamptz */
        sql_interval iv;  /* interval */
        sql_time time;    /* time */
        sql_timetz ttz;   /* timetz */
        sql_uuid uuid;    /* uuid */
    } v;
} sql_datum;

/* Session settings the value layer needs; NULL anywhere means the defaults (UTC,
 * extra_float_digits 1, now = 2000-01-01). */
typedef struct sql_value_ctx {
    sql_datetime_ctx dt;     /* TimeZone, statement timestamp, zoneinfo directory */
    int extra_float_digits;  /* PostgreSQL's GUC: > 0 shortest exact output (default 1) */
    sql_interval_style interval_style; /* IntervalStyle (default postgres) */
} sql_value_ctx;

#define SQL_VALUE_CTX_DEFAULT ((sql_value_ctx){{NULL, 0, NULL}, 1})

static inline sql_datum datum_null(sql_type_id t)
{
    sql_datum d = {.type = t, .is_null = true};
    return d;
}
static inline sql_datum datum_bool(bool b)
{
    return (sql_datum){.type = SQL_TYPE_BOOL, .v.b = b};
}
static inline sql_datum datum_int2(int16_t v)
{
    return (sql_datum){.type = SQL_TYPE_INT2, .v.i = v};
}
static inline sql_datum datum_int4(int32_t v)
{
    return (sql_datum){.type = SQL_TYPE_INT4, .v.i = v};
}
static inline sql_datum datum_int8(int64_t v)
{
    return (sql_datum){.type = SQL_TYPE_INT8, .v.i = v};
}
static inline sql_datum datum_float4(float v)
{
    return (sql_datum){.type = SQL_TYPE_FLOAT4, .v.f4 = v};
}
static inline sql_datum datum_float8(double v)
{
    return (sql_datum){.type = SQL_TYPE_FLOAT8, .v.f8 = v};
}
/* type: text, varchar, bpchar, bytea or unknown; bytes are borrowed. */
static inline sql_datum datum_bytes(sql_type_id t, mice_slice s)
{
    return (sql_datum){.type = t, .v.s = s};
}
static inline sql_datum datum_text(mice_slice s)
{
    return datum_bytes(SQL_TYPE_TEXT, s);
}
static inline sql_datum datum_numeric(const sql_numeric *n)
{
    return (sql_datum){.type = SQL_TYPE_NUMERIC, .v.num = n};
}
static inline sql_datum datum_date(sql_date d)
{
    return (sql_datum){.type = SQL_TYPE_DATE, .v.date = d};
}
static inline sql_datum datum_timestamp(sql_timestamp ts)
{
    return (sql_datum){.type = SQL_TYPE_TIMESTAMP, .v.ts = ts};
}
static inline sql_datum datum_timestamptz(sql_timestamp ts)
{
    return (sql_datum){.type = SQL_TYPE_TIMESTAMPTZ, .v.ts = ts};
}
static inline sql_datum datum_interval(sql_interval iv)
{
    return (sql_datum){.type = SQL_TYPE_INTERVAL, .v.iv = iv};
}
static inline sql_datum datum_time(sql_time t)
{
    return (sql_datum){.type = SQL_TYPE_TIME, .v.time = t};
}
static inline sql_datum datum_timetz(sql_timetz t)
{
    return (sql_datum){.type = SQL_TYPE_TIMETZ, .v.ttz = t};
}
static inline sql_datum datum_uuid(sql_uuid u)
{
    return (sql_datum){.type = SQL_TYPE_UUID, .v.uuid = u};
}

/* Whether datum_cmp accepts this pair of types. */
bool datum_types_comparable(sql_type_id a, sql_type_id b);
/* <0, 0, >0. Both types must be comparable (asserted). ctx only matters for
 * timestamp vs timestamptz and date vs timestamptz; NULL means UTC. */
int datum_cmp(const sql_datum *a, const sql_datum *b, const sql_value_ctx *ctx);
bool datum_equal(const sql_datum *a, const sql_datum *b, const sql_value_ctx *ctx);
uint64_t datum_hash(const sql_datum *d);

/* pg_cast.castcontext: which contexts may apply the cast implicitly. */
typedef enum sql_cast_context {
    SQL_CAST_NONE = 0,       /* no cast */
    SQL_CAST_EXPLICIT = 'e', /* only CAST(x AS t) / x::t */
    SQL_CAST_ASSIGNMENT = 'a', /* also INSERT/UPDATE targets */
    SQL_CAST_IMPLICIT = 'i', /* also in expressions */
} sql_cast_context;

sql_cast_context sql_cast_lookup(sql_type_id from, sql_type_id to);

/* Cast a value (NULL stays NULL, retyped) to target with its typmod. kind is the
 * context the cast runs in: SQL_CAST_EXPLICIT truncates varchar/char silently,
 * assignment and implicit raise 22001 "value too long for type character varying(n)"
 * unless only spaces are cut. Errors: 42846 cannot cast type X to Y; 22003, 22P02,
 * 22008, 0A000 from the conversions. */
mice_status datum_cast(const sql_datum *in, sql_type target, sql_cast_context kind,
                       const sql_value_ctx *ctx, mice_arena *arena, sql_datum *out,
                       sql_error *err);

typedef enum sql_arith_op { SQL_OP_ADD, SQL_OP_SUB, SQL_OP_MUL, SQL_OP_DIV, SQL_OP_MOD } sql_arith_op;

/* Result type of a op b as PostgreSQL resolves the operator (int2+int2 = int2, int4+int8
 * = int8, float4+int4 = float8, numeric+int = numeric, numeric+float8 = float8, date+int4
 * = date, date-date = int4); false when no such operator (e.g. float8 % float8). */
bool sql_arith_result_type(sql_arith_op op, sql_type_id a, sql_type_id b, sql_type_id *result);
/* a op b; NULL in gives NULL out. Errors: 42883 operator does not exist: X op Y;
 * 22003 integer/smallint/bigint out of range, value out of range: overflow/underflow;
 * 22012 division by zero; numeric and date errors as their modules. */
mice_status datum_arith(sql_arith_op op, const sql_datum *a, const sql_datum *b,
                        mice_arena *arena, sql_datum *out, sql_error *err);
/* Unary minus (22003 on INT_MIN). */
mice_status datum_negate(const sql_datum *a, mice_arena *arena, sql_datum *out, sql_error *err);

/* Characters (UTF-8 code points) in s, as char_length(). */
size_t sql_utf8_char_count(mice_slice s);

#endif
