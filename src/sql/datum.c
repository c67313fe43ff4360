#include "sql/datum.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/check.h"
#include "sql/array.h"
#include "sql/value_io.h"

static const sql_value_ctx default_ctx = {{NULL, 0, NULL}, 1};

/* ---- numeric of an int64 without an arena (comparisons must not allocate) ---- */

typedef struct stack_numeric {
    _Alignas(sql_numeric) unsigned char mem[sizeof(sql_numeric) + 5 * sizeof(int16_t)];
} stack_numeric;

static const sql_numeric *numeric_of_int(int64_t v, stack_numeric *st)
{
    sql_numeric *n = (sql_numeric *)st->mem;
    int16_t d[5];
    int k = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u) {
        d[k++] = (int16_t)(u % SQL_NUMERIC_NBASE);
        u /= SQL_NUMERIC_NBASE;
    }
    int lead = 0;
    while (lead < k && d[lead] == 0) lead++; /* trailing (least significant) zeros */
    n->sign = v < 0 ? SQL_NUMERIC_NEG : SQL_NUMERIC_POS;
    n->dscale = 0;
    n->weight = k - 1;
    n->ndigits = k - lead;
    for (int i = 0; i < k - lead; i++) n->digits[i] = d[k - 1 - i];
    if (k == 0) n->weight = 0;
    return n;
}

/* ---- families ---- */

typedef enum {
    FAM_NONE,
    FAM_BOOL,
    FAM_NUMBER,
    FAM_STRING,
    FAM_BYTEA,
    FAM_DATETIME,
    FAM_INTERVAL,
    FAM_TIME,
    FAM_TIMETZ,
    FAM_UUID,
    FAM_ARRAY,
} family;

static family family_of(sql_type_id t)
{
    if (t == SQL_TYPE_BOOL) return FAM_BOOL;
    if (array_type_is(t)) return FAM_ARRAY;
    if (sql_type_is_numeric_family(t)) return FAM_NUMBER;
    if (sql_type_is_string(t)) return FAM_STRING;
    if (t == SQL_TYPE_BYTEA) return FAM_BYTEA;
    if (sql_type_is_datetime(t)) return FAM_DATETIME;
    if (t == SQL_TYPE_INTERVAL) return FAM_INTERVAL;
    if (t == SQL_TYPE_TIME) return FAM_TIME;
    if (t == SQL_TYPE_TIMETZ) return FAM_TIMETZ;
    if (t == SQL_TYPE_UUID) return FAM_UUID;
    return FAM_NONE;
}

bool datum_types_comparable(sql_type_id a, sql_type_id b)
{
    family fa = family_of(a);
    if (fa == FAM_ARRAY) return array_types_comparable(a, b);
    return fa != FAM_NONE && fa == family_of(b);
}

static int cmp_double(double a, double b)
{
    if (isnan(a)) return isnan(b) ? 0 : 1;
    if (isnan(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
}

static double as_double(const sql_datum *d)
{
    if (d->type == SQL_TYPE_FLOAT4) return d->v.f4;
    if (d->type == SQL_TYPE_FLOAT8) return d->v.f8;
    if (d->type == SQL_TYPE_NUMERIC) {
        double v;
        if (numeric_to_double(d->v.num, false, &v, NULL))
            v = numeric_sign(d->v.num) < 0 ? -INFINITY : INFINITY;
        return v;
    }
    return (double)d->v.i;
}

static int cmp_numbers(const sql_datum *a, const sql_datum *b)
{
    bool ia = sql_type_is_integer(a->type), ib = sql_type_is_integer(b->type);
    if (ia && ib) return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
    bool fa = sql_type_is_float(a->type), fb = sql_type_is_float(b->type);
    if (fa || fb) return cmp_double(as_double(a), as_double(b));
    stack_numeric sa, sb;
    const sql_numeric *na = ia ? numeric_of_int(a->v.i, &sa) : a->v.num;
    const sql_numeric *nb = ib ? numeric_of_int(b->v.i, &sb) : b->v.num;
    return numeric_cmp(na, nb);
}

static mice_slice rtrim_spaces(mice_slice s)
{
    while (s.n && s.p[s.n - 1] == ' ') s.n--;
    return s;
}

/* bpchar loses its padding whenever it meets another string type (PostgreSQL casts
 * it to text), and when it meets bpchar trailing spaces are insignificant. */
static int cmp_strings(const sql_datum *a, const sql_datum *b)
{
    mice_slice sa = a->v.s, sb = b->v.s;
    if (a->type == SQL_TYPE_BPCHAR) sa = rtrim_spaces(sa);
    if (b->type == SQL_TYPE_BPCHAR) sb = rtrim_spaces(sb);
    int c = mice_slice_cmp(sa, sb);
    return c < 0 ? -1 : c > 0;
}

/* Common timeline for date/timestamp/timestamptz: timestamps, with timestamptz made
 * local when the other side is not a timestamptz. */
static sql_timestamp datetime_key(const sql_datum *d, bool other_tz, const sql_tz *tz)
{
    sql_timestamp t;
    if (d->type == SQL_TYPE_DATE) {
        if (d->v.date == SQL_DATE_NOBEGIN) return SQL_TS_NOBEGIN;
        if (d->v.date == SQL_DATE_NOEND) return SQL_TS_NOEND;
        t = (sql_timestamp)d->v.date * SQL_USECS_PER_DAY;
        if (other_tz && timestamp_to_timestamptz(t, tz, &t, NULL)) t = t < 0 ? SQL_TS_NOBEGIN : SQL_TS_NOEND;
        return t;
    }
    if (d->type == SQL_TYPE_TIMESTAMP && other_tz) {
        if (timestamp_to_timestamptz(d->v.ts, tz, &t, NULL)) t = d->v.ts < 0 ? SQL_TS_NOBEGIN : SQL_TS_NOEND;
        return t;
    }
    return d->v.ts;
}

int datum_cmp(const sql_datum *a, const sql_datum *b, const sql_value_ctx *ctx)
{
    if (a->is_null || b->is_null) return (int)a->is_null - (int)b->is_null;
    if (a->type == SQL_TYPE_JSON && b->type == SQL_TYPE_JSON) {
        /* json has no ordering; the binder refuses it where PostgreSQL does, and the paths
         * it does not guard (elements of json[]) compare the text rather than crash */
        int c = mice_slice_cmp(a->v.s, b->v.s);
        return (c > 0) - (c < 0);
    }
    mice_assert(datum_types_comparable(a->type, b->type));
    switch (family_of(a->type)) {
    case FAM_BOOL:
        return (int)a->v.b - (int)b->v.b;
    case FAM_NUMBER:
        return cmp_numbers(a, b);
    case FAM_STRING:
        return cmp_strings(a, b);
    case FAM_BYTEA: {
        int c = mice_slice_cmp(a->v.s, b->v.s);
        return c < 0 ? -1 : c > 0;
    }
    case FAM_DATETIME: {
        if (!ctx) ctx = &default_ctx;
        bool za = a->type == SQL_TYPE_TIMESTAMPTZ, zb = b->type == SQL_TYPE_TIMESTAMPTZ;
        sql_timestamp ta = datetime_key(a, zb && !za, ctx->dt.tz);
        sql_timestamp tb = datetime_key(b, za && !zb, ctx->dt.tz);
        return ta < tb ? -1 : ta > tb;
    }
    case FAM_INTERVAL:
        return interval_cmp(&a->v.iv, &b->v.iv);
    case FAM_TIME:
        return a->v.time < b->v.time ? -1 : a->v.time > b->v.time;
    case FAM_TIMETZ:
        return sqltimetz_cmp(&a->v.ttz, &b->v.ttz);
    case FAM_UUID:
        return sqluuid_cmp(&a->v.uuid, &b->v.uuid);
    case FAM_ARRAY:
        return array_cmp(a, b, ctx);
    case FAM_NONE:
        break;
    }
    mice_unreachable();
}

bool datum_equal(const sql_datum *a, const sql_datum *b, const sql_value_ctx *ctx)
{
    return datum_cmp(a, b, ctx) == 0;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t hash_bytes(mice_slice s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < s.n; i++) h = (h ^ s.p[i]) * 0x100000001b3ULL;
    return mix(h ^ s.n);
}

uint64_t datum_hash(const sql_datum *d)
{
    if (d->is_null) return 0x6e756c6c6e756c6cULL;
    switch (d->type) {
    case SQL_TYPE_BOOL: return mix(d->v.b ? 2 : 1);
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
    case SQL_TYPE_OID: return mix((uint64_t)d->v.i);
    case SQL_TYPE_FLOAT4:
    case SQL_TYPE_FLOAT8: {
        double v = as_double(d);
        if (v == 0) v = 0;    /* -0 hashes as 0 */
        if (isnan(v)) v = NAN; /* one NaN */
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        return mix(bits ^ 0x666c6f6174ULL);
    }
    case SQL_TYPE_NUMERIC: return numeric_hash(d->v.num);
    case SQL_TYPE_BPCHAR: return hash_bytes(rtrim_spaces(d->v.s));
    case SQL_TYPE_TEXT:
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_UNKNOWN:
    case SQL_TYPE_NAME:
    case SQL_TYPE_CHAR:
    case SQL_TYPE_PG_NODE_TREE:
    case SQL_TYPE_JSON:
    case SQL_TYPE_BYTEA: return hash_bytes(d->v.s);
    case SQL_TYPE_DATE: return mix((uint64_t)datetime_key(d, false, NULL));
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ: return mix((uint64_t)d->v.ts);
    case SQL_TYPE_INTERVAL: return interval_hash(&d->v.iv);
    case SQL_TYPE_TIME: return mix((uint64_t)d->v.time ^ 0x74696d65ULL);
    case SQL_TYPE_TIMETZ:
        return mix((uint64_t)d->v.ttz.time ^ ((uint64_t)(uint32_t)d->v.ttz.zone << 40));
    case SQL_TYPE_UUID: return hash_bytes(mice_slice_of(d->v.uuid.b, SQL_UUID_BYTES));
    default:
        if (array_type_is(d->type)) return array_hash(d);
        if (sql_type_is_integer(d->type)) return mix((uint64_t)d->v.i); /* reg types, xid */
        return mix(d->type);
    }
}

/* ---- casts ---- */

sql_cast_context sql_cast_lookup(sql_type_id from, sql_type_id to)
{
    if (!sql_type_known(from) || !sql_type_known(to)) return SQL_CAST_NONE;
    if (from == to || from == SQL_TYPE_UNKNOWN) return SQL_CAST_IMPLICIT;
    if (array_type_is(from) && array_type_is(to)) return array_cast_lookup(from, to);
    if (sql_type_is_reg(from) || sql_type_is_reg(to)) {
        /* pg_cast: oid <-> regX and int4/int8 -> regX implicit, regX -> int4/int8 assignment */
        if (from == SQL_TYPE_OID || to == SQL_TYPE_OID) return SQL_CAST_IMPLICIT;
        if (sql_type_is_reg(to) &&
            (from == SQL_TYPE_INT4 || from == SQL_TYPE_INT8 || from == SQL_TYPE_INT2))
            return SQL_CAST_IMPLICIT;
        if (sql_type_is_reg(from) && (to == SQL_TYPE_INT4 || to == SQL_TYPE_INT8))
            return SQL_CAST_ASSIGNMENT;
        if (!sql_type_is_string(from) && !sql_type_is_string(to)) return SQL_CAST_NONE;
    }
    if ((from == SQL_TYPE_XID || to == SQL_TYPE_XID) && !sql_type_is_string(from) &&
        !sql_type_is_string(to))
        return SQL_CAST_NONE;
    bool fs = sql_type_is_string(from), ts = sql_type_is_string(to);
    if (fs && ts) return SQL_CAST_IMPLICIT;
    if (ts) return SQL_CAST_ASSIGNMENT; /* I/O conversion to a string type */
    if (fs) return SQL_CAST_EXPLICIT;   /* I/O conversion from a string type */
    if (sql_type_is_numeric_family(from) && sql_type_is_numeric_family(to)) {
        static const sql_type_id ladder[] = {SQL_TYPE_INT2, SQL_TYPE_INT4, SQL_TYPE_INT8,
                                             SQL_TYPE_NUMERIC, SQL_TYPE_FLOAT4, SQL_TYPE_FLOAT8};
        if (from == SQL_TYPE_OID || to == SQL_TYPE_OID)
            return to == SQL_TYPE_OID && sql_type_is_integer(from) ? SQL_CAST_IMPLICIT
                   : from == SQL_TYPE_OID && (to == SQL_TYPE_INT4 || to == SQL_TYPE_INT8)
                       ? SQL_CAST_ASSIGNMENT
                       : SQL_CAST_NONE;
        int rf = 0, rt = 0;
        for (int i = 0; i < 6; i++) {
            if (ladder[i] == from) rf = i;
            if (ladder[i] == to) rt = i;
        }
        return rt > rf ? SQL_CAST_IMPLICIT : SQL_CAST_ASSIGNMENT;
    }
    if ((from == SQL_TYPE_BOOL && to == SQL_TYPE_INT4) || (from == SQL_TYPE_INT4 && to == SQL_TYPE_BOOL))
        return SQL_CAST_EXPLICIT;
    if (sql_type_is_datetime(from) && sql_type_is_datetime(to)) {
        if (from == SQL_TYPE_DATE) return SQL_CAST_IMPLICIT;
        if (from == SQL_TYPE_TIMESTAMP && to == SQL_TYPE_TIMESTAMPTZ) return SQL_CAST_IMPLICIT;
        return SQL_CAST_ASSIGNMENT;
    }
    /* time -> interval and time -> timetz are implicit; interval, timestamp, timestamptz,
     * timetz -> time and timestamptz -> timetz by assignment */
    if (from == SQL_TYPE_TIME && (to == SQL_TYPE_INTERVAL || to == SQL_TYPE_TIMETZ))
        return SQL_CAST_IMPLICIT;
    if (from == SQL_TYPE_TIMETZ && to == SQL_TYPE_TIME) return SQL_CAST_ASSIGNMENT;
    if (from == SQL_TYPE_TIMESTAMPTZ && to == SQL_TYPE_TIMETZ) return SQL_CAST_ASSIGNMENT;
    if (to == SQL_TYPE_TIME && (from == SQL_TYPE_INTERVAL || from == SQL_TYPE_TIMESTAMP ||
                                from == SQL_TYPE_TIMESTAMPTZ))
        return SQL_CAST_ASSIGNMENT;
    return SQL_CAST_NONE;
}

static mice_status cannot_cast(sql_type_id from, sql_type to, sql_error *err)
{
    char a[SQL_TYPE_NAME_MAX], b[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(from, -1), a, sizeof a);
    sql_type_format(to, b, sizeof b);
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_CANNOT_COERCE, "cannot cast type %s to %s", a, b);
}

static const char *int_name(sql_type_id t)
{
    return t == SQL_TYPE_INT2 ? "smallint" : t == SQL_TYPE_INT4 ? "integer" : "bigint";
}

static mice_status int_range(int64_t v, sql_type_id t, sql_error *err)
{
    int64_t lo = t == SQL_TYPE_INT2 ? INT16_MIN : t == SQL_TYPE_INT4 ? INT32_MIN : INT64_MIN;
    int64_t hi = t == SQL_TYPE_INT2 ? INT16_MAX : t == SQL_TYPE_INT4 ? INT32_MAX : INT64_MAX;
    if (v < lo || v > hi) return sqlerr_out_of_range(err, int_name(t));
    return MICE_OK;
}

static mice_status to_string_type(const sql_datum *in, sql_type target, bool explicit_cast,
                                  const sql_value_ctx *ctx, mice_arena *arena, sql_datum *out,
                                  sql_error *err)
{
    mice_slice s;
    mice_status rc = MICE_OK;
    if (sql_type_is_string(in->type)) {
        s = in->v.s;
        if (in->type == SQL_TYPE_BPCHAR && target.id != SQL_TYPE_BPCHAR) s = rtrim_spaces(s);
    } else if (in->type == SQL_TYPE_BOOL) {
        s = in->v.b ? MICE_SLICE_LIT("true") : MICE_SLICE_LIT("false");
    } else {
        mice_buf b;
        buf_init(&b);
        rc = value_to_text(in, ctx, &b, err);
        s = arena_slice_dup(arena, buf_slice(&b));
        buf_deinit(&b);
        if (rc) return rc;
        if (!s.p) return sqlerr_nomem(err);
    }
    rc = value_apply_char_typmod(target.id, s, target.typmod, explicit_cast, arena, &s, err);
    if (target.id == SQL_TYPE_CHAR && s.n > 1) s.n = 1;   /* "char" keeps the first byte */
    if (target.id == SQL_TYPE_NAME && s.n > 63) s.n = 63; /* NAMEDATALEN - 1 */
    if (!rc) *out = datum_bytes(target.id, s);
    return rc;
}

static mice_status to_int(const sql_datum *in, sql_type_id t, sql_datum *out, sql_error *err)
{
    int64_t v;
    mice_status rc = MICE_OK;
    int bits = t == SQL_TYPE_INT2 ? 16 : t == SQL_TYPE_INT4 ? 32 : 64;
    if (sql_type_is_integer(in->type)) {
        v = in->v.i;
        if (in->type == SQL_TYPE_OID && t == SQL_TYPE_INT4) v = (int32_t)(uint32_t)v;
        rc = int_range(v, t, err);
    } else if (sql_type_is_float(in->type)) {
        double d = rint(as_double(in));
        bool fits = !isnan(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0;
        v = fits ? (int64_t)d : 0;
        rc = fits ? int_range(v, t, err) : sqlerr_out_of_range(err, int_name(t));
    } else if (in->type == SQL_TYPE_NUMERIC) {
        rc = numeric_to_int(in->v.num, bits, &v, err);
    } else if (in->type == SQL_TYPE_BOOL && t == SQL_TYPE_INT4) {
        v = in->v.b;
    } else if (sql_type_is_string(in->type)) {
        rc = value_parse_int(in->v.s, bits, &v, err);
    } else {
        return cannot_cast(in->type, sql_type_make(t, -1), err);
    }
    if (!rc) *out = (sql_datum){.type = t, .v.i = v};
    return rc;
}

static mice_status to_oid(const sql_datum *in, sql_datum *out, sql_error *err)
{
    if (sql_type_is_string(in->type))
        return value_from_text(sql_type_make(SQL_TYPE_OID, -1), in->v.s, NULL, NULL, out, err);
    if (!sql_type_is_integer(in->type)) return cannot_cast(in->type, sql_type_make(SQL_TYPE_OID, -1), err);
    int64_t v = in->v.i;
    if (in->type == SQL_TYPE_INT8 && (v < 0 || v > (int64_t)UINT32_MAX))
        return sqlerr_out_of_range(err, "OID");
    *out = (sql_datum){.type = SQL_TYPE_OID, .v.i = (int64_t)(uint32_t)v};
    return MICE_OK;
}

/* oid, the reg types and xid: an unsigned 32-bit number (names are the binder's job). */
static mice_status to_oid_like(const sql_datum *in, sql_type_id t, sql_datum *out, sql_error *err)
{
    mice_status rc;
    if (sql_type_is_string(in->type)) {
        rc = value_from_text(sql_type_make(SQL_TYPE_OID, -1), in->v.s, NULL, NULL, out, err);
        if (rc == MICE_INVALID && sql_type_is_reg(t)) {
            char tn[SQL_TYPE_NAME_MAX];
            sql_type_format(sql_type_make(t, -1), tn, sizeof tn);
            return sqlerr_invalid_input(err, tn, (const char *)in->v.s.p, in->v.s.n);
        }
    } else {
        rc = to_oid(in, out, err);
    }
    if (!rc) out->type = t;
    return rc;
}

static mice_status float_overflow(sql_error *err)
{
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value out of range: overflow");
}

static mice_status float_underflow(sql_error *err)
{
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value out of range: underflow");
}

static mice_status to_float(const sql_datum *in, sql_type_id t, sql_datum *out, sql_error *err)
{
    bool f4 = t == SQL_TYPE_FLOAT4;
    double d;
    mice_status rc = MICE_OK;
    if (sql_type_is_integer(in->type) || sql_type_is_float(in->type)) {
        d = as_double(in);
        if (in->type == SQL_TYPE_INT8 && f4) d = (double)(float)in->v.i; /* round once */
    } else if (in->type == SQL_TYPE_NUMERIC) {
        rc = numeric_to_double(in->v.num, f4, &d, err);
    } else if (sql_type_is_string(in->type)) {
        rc = f4 ? value_from_text(sql_type_make(t, -1), in->v.s, NULL, NULL, out, err)
                : value_parse_float8(in->v.s, &d, err);
        if (f4 || rc) return rc;
    } else {
        return cannot_cast(in->type, sql_type_make(t, -1), err);
    }
    if (rc) return rc;
    if (!f4) {
        *out = datum_float8(d);
        return MICE_OK;
    }
    float r = (float)d;
    if (isinf(r) && !isinf(d)) return float_overflow(err);
    if (r == 0.0f && d != 0.0) return float_underflow(err);
    *out = datum_float4(r);
    return MICE_OK;
}

static mice_status to_numeric(const sql_datum *in, sql_type target, mice_arena *arena,
                              sql_datum *out, sql_error *err)
{
    const sql_numeric *n;
    mice_status rc;
    if (sql_type_is_integer(in->type)) rc = numeric_from_int64(in->v.i, arena, &n, err);
    else if (in->type == SQL_TYPE_FLOAT8) rc = numeric_from_double(in->v.f8, 15, arena, &n, err);
    else if (in->type == SQL_TYPE_FLOAT4) rc = numeric_from_double(in->v.f4, 6, arena, &n, err);
    else if (in->type == SQL_TYPE_NUMERIC) n = in->v.num, rc = MICE_OK;
    else if (sql_type_is_string(in->type)) rc = numeric_parse(in->v.s, arena, &n, err);
    else return cannot_cast(in->type, target, err);
    if (!rc) rc = numeric_apply_typmod(n, target.typmod, arena, &n, err);
    if (!rc) *out = datum_numeric(n);
    return rc;
}

static mice_status to_datetime(const sql_datum *in, sql_type target, const sql_value_ctx *ctx,
                               sql_datum *out, sql_error *err)
{
    const sql_tz *tz = ctx->dt.tz;
    sql_type_id from = in->type, to = target.id;
    mice_status rc = MICE_OK;
    if (sql_type_is_string(from))
        return value_from_text(target, in->v.s, ctx, NULL, out, err);
    if (!sql_type_is_datetime(from)) return cannot_cast(from, target, err);
    *out = (sql_datum){.type = to};
    if (to == SQL_TYPE_DATE) {
        out->v.date = from == SQL_TYPE_DATE        ? in->v.date
                      : from == SQL_TYPE_TIMESTAMP ? timestamp_to_date(in->v.ts)
                                                   : timestamptz_to_date(in->v.ts, tz);
        return MICE_OK;
    }
    if (from == SQL_TYPE_DATE) {
        rc = to == SQL_TYPE_TIMESTAMP ? date_to_timestamp(in->v.date, &out->v.ts, err)
                                      : date_to_timestamptz(in->v.date, tz, &out->v.ts, err);
    } else if (from == to) {
        out->v.ts = in->v.ts;
    } else if (to == SQL_TYPE_TIMESTAMPTZ) {
        rc = timestamp_to_timestamptz(in->v.ts, tz, &out->v.ts, err);
    } else {
        rc = timestamptz_to_timestamp(in->v.ts, tz, &out->v.ts, err);
    }
    if (!rc) out->v.ts = timestamp_round_typmod(out->v.ts, target.typmod);
    return rc;
}

static mice_status to_interval(const sql_datum *in, sql_type target, const sql_value_ctx *ctx,
                               sql_datum *out, sql_error *err)
{
    sql_interval iv;
    if (sql_type_is_string(in->type))
        return value_from_text(target, in->v.s, ctx, NULL, out, err);
    if (in->type == SQL_TYPE_INTERVAL)
        iv = in->v.iv;
    else if (in->type == SQL_TYPE_TIME)
        iv = (sql_interval){.time = in->v.time};
    else
        return cannot_cast(in->type, target, err);
    mice_status rc = interval_apply_typmod(&iv, target.typmod, err);
    if (!rc) *out = datum_interval(iv);
    return rc;
}

static mice_status to_time(const sql_datum *in, sql_type target, const sql_value_ctx *ctx,
                           sql_datum *out, sql_error *err)
{
    sql_time t;
    sql_timestamp local;
    mice_status rc;
    switch (in->type) {
    case SQL_TYPE_TIME: t = in->v.time; break;
    case SQL_TYPE_TIMETZ: t = in->v.ttz.time; break;
    case SQL_TYPE_INTERVAL: t = sqltime_from_interval(&in->v.iv); break;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ:
        local = in->v.ts;
        if (!timestamp_is_finite(local))
            return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                              "timestamp out of range");
        if (in->type == SQL_TYPE_TIMESTAMPTZ &&
            (rc = timestamptz_to_timestamp(in->v.ts, ctx->dt.tz, &local, err)))
            return rc;
        t = sqltime_of_timestamp(local);
        break;
    default:
        if (sql_type_is_string(in->type))
            return value_from_text(target, in->v.s, ctx, NULL, out, err);
        return cannot_cast(in->type, target, err);
    }
    *out = datum_time(sqltime_round_typmod(t, target.typmod));
    return MICE_OK;
}

static mice_status to_timetz(const sql_datum *in, sql_type target, const sql_value_ctx *ctx,
                             sql_datum *out, sql_error *err)
{
    sql_timetz t;
    sql_timestamp local;
    mice_status rc;
    switch (in->type) {
    case SQL_TYPE_TIMETZ:
        t = in->v.ttz;
        break;
    case SQL_TYPE_TIME:
        t = (sql_timetz){in->v.time, -sqltimetz_session_offset(in->v.time, &ctx->dt)};
        break;
    case SQL_TYPE_TIMESTAMPTZ:
        if (!timestamp_is_finite(in->v.ts))
            return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                              "timestamp out of range");
        if ((rc = timestamptz_to_timestamp(in->v.ts, ctx->dt.tz, &local, err))) return rc;
        t = (sql_timetz){sqltime_of_timestamp(local),
                         (int32_t)((in->v.ts - local) / SQL_USECS_PER_SEC)};
        break;
    default:
        if (sql_type_is_string(in->type))
            return value_from_text(target, in->v.s, ctx, NULL, out, err);
        return cannot_cast(in->type, target, err);
    }
    t.time = sqltime_round_typmod(t.time, target.typmod);
    *out = datum_timetz(t);
    return MICE_OK;
}

static mice_status to_uuid(const sql_datum *in, sql_type target, const sql_value_ctx *ctx,
                           sql_datum *out, sql_error *err)
{
    if (in->type == SQL_TYPE_UUID) {
        *out = *in;
        return MICE_OK;
    }
    if (sql_type_is_string(in->type)) return value_from_text(target, in->v.s, ctx, NULL, out, err);
    return cannot_cast(in->type, target, err);
}

static mice_status to_bool(const sql_datum *in, sql_datum *out, sql_error *err)
{
    if (in->type == SQL_TYPE_BOOL) {
        *out = *in;
        return MICE_OK;
    }
    if (in->type == SQL_TYPE_INT4) {
        *out = datum_bool(in->v.i != 0);
        return MICE_OK;
    }
    if (sql_type_is_string(in->type)) {
        bool b;
        mice_status rc = value_parse_bool(in->v.s, &b, err);
        if (!rc) *out = datum_bool(b);
        return rc;
    }
    return cannot_cast(in->type, sql_type_make(SQL_TYPE_BOOL, -1), err);
}

mice_status datum_cast(const sql_datum *in, sql_type target, sql_cast_context kind,
                       const sql_value_ctx *ctx, mice_arena *arena, sql_datum *out,
                       sql_error *err)
{
    if (!ctx) ctx = &default_ctx;
    if (in->is_null) {
        *out = datum_null(target.id);
        return MICE_OK;
    }
    switch (target.id) {
    case SQL_TYPE_TEXT:
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_BPCHAR:
    case SQL_TYPE_UNKNOWN:
    case SQL_TYPE_NAME:
    case SQL_TYPE_CHAR:
    case SQL_TYPE_PG_NODE_TREE:
        return to_string_type(in, target, kind == SQL_CAST_EXPLICIT, ctx, arena, out, err);
    case SQL_TYPE_XID:
    case SQL_TYPE_REGPROC:
    case SQL_TYPE_REGPROCEDURE:
    case SQL_TYPE_REGOPER:
    case SQL_TYPE_REGOPERATOR:
    case SQL_TYPE_REGCLASS:
    case SQL_TYPE_REGTYPE:
    case SQL_TYPE_REGNAMESPACE:
    case SQL_TYPE_REGROLE:
        return to_oid_like(in, target.id, out, err);
    case SQL_TYPE_BOOL:
        return to_bool(in, out, err);
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
        return to_int(in, target.id, out, err);
    case SQL_TYPE_OID:
        return to_oid(in, out, err);
    case SQL_TYPE_FLOAT4:
    case SQL_TYPE_FLOAT8:
        return to_float(in, target.id, out, err);
    case SQL_TYPE_NUMERIC:
        return to_numeric(in, target, arena, out, err);
    case SQL_TYPE_DATE:
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ:
        return to_datetime(in, target, ctx, out, err);
    case SQL_TYPE_INTERVAL:
        return to_interval(in, target, ctx, out, err);
    case SQL_TYPE_TIME:
        return to_time(in, target, ctx, out, err);
    case SQL_TYPE_TIMETZ:
        return to_timetz(in, target, ctx, out, err);
    case SQL_TYPE_UUID:
        return to_uuid(in, target, ctx, out, err);
    case SQL_TYPE_JSON:
        if (in->type == SQL_TYPE_JSON) {
            *out = *in;
            return MICE_OK;
        }
        if (sql_type_is_string(in->type)) return value_from_text(target, in->v.s, ctx, arena, out, err);
        return cannot_cast(in->type, target, err);
    case SQL_TYPE_BYTEA:
        if (in->type == SQL_TYPE_BYTEA) {
            *out = *in;
            return MICE_OK;
        }
        if (sql_type_is_string(in->type)) return value_from_text(target, in->v.s, ctx, arena, out, err);
        return cannot_cast(in->type, target, err);
    default:
        if (array_type_is(target.id) && sql_type_is_string(in->type))
            return array_from_text(target, in->v.s, ctx, arena, out, err);
        if (array_type_is(target.id) && array_type_is(in->type))
            return array_cast(in, target, kind, ctx, arena, out, err);
        return cannot_cast(in->type, target, err);
    }
}

/* ---- arithmetic ---- */

static int int_rank(sql_type_id t)
{
    return t == SQL_TYPE_INT2 ? 1 : t == SQL_TYPE_INT4 ? 2 : t == SQL_TYPE_INT8 ? 3 : 0;
}

static bool is_small_int(sql_type_id t)
{
    return t == SQL_TYPE_INT2 || t == SQL_TYPE_INT4;
}

bool sql_arith_result_type(sql_arith_op op, sql_type_id a, sql_type_id b, sql_type_id *result)
{
    if (a == SQL_TYPE_DATE || b == SQL_TYPE_DATE) {
        if (op == SQL_OP_ADD && ((a == SQL_TYPE_DATE && is_small_int(b)) ||
                                 (b == SQL_TYPE_DATE && is_small_int(a))))
            return *result = SQL_TYPE_DATE, true;
        if (op == SQL_OP_SUB && a == SQL_TYPE_DATE && is_small_int(b))
            return *result = SQL_TYPE_DATE, true;
        if (op == SQL_OP_SUB && a == SQL_TYPE_DATE && b == SQL_TYPE_DATE)
            return *result = SQL_TYPE_INT4, true;
        return false;
    }
    int ra = int_rank(a), rb = int_rank(b);
    bool na = ra || sql_type_is_float(a) || a == SQL_TYPE_NUMERIC;
    bool nb = rb || sql_type_is_float(b) || b == SQL_TYPE_NUMERIC;
    if (!na || !nb) return false;
    if (ra && rb) {
        *result = ra >= rb ? a : b;
        return true;
    }
    if (sql_type_is_float(a) || sql_type_is_float(b)) {
        if (op == SQL_OP_MOD) return false;
        *result = a == SQL_TYPE_FLOAT4 && b == SQL_TYPE_FLOAT4 ? SQL_TYPE_FLOAT4 : SQL_TYPE_FLOAT8;
        return true;
    }
    *result = SQL_TYPE_NUMERIC;
    return true;
}

static const char *op_text(sql_arith_op op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%"};
    return t[op];
}

static mice_status no_operator(sql_arith_op op, sql_type_id a, sql_type_id b, sql_error *err)
{
    char x[SQL_TYPE_NAME_MAX], y[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(a, -1), x, sizeof x);
    sql_type_format(sql_type_make(b, -1), y, sizeof y);
    sqlerr_set(err, MICE_INVALID, SQLSTATE_UNDEFINED_FUNCTION,
               "operator does not exist: %s %s %s", x, op_text(op), y);
    sqlerr_hint(err, "No operator matches the given name and argument types. You might need "
                     "to add explicit type casts.");
    return MICE_INVALID;
}

static mice_status int_arith(sql_arith_op op, int64_t a, int64_t b, sql_type_id t, int64_t *r,
                             sql_error *err)
{
    bool of = false;
    switch (op) {
    case SQL_OP_ADD: of = __builtin_add_overflow(a, b, r); break;
    case SQL_OP_SUB: of = __builtin_sub_overflow(a, b, r); break;
    case SQL_OP_MUL: of = __builtin_mul_overflow(a, b, r); break;
    case SQL_OP_DIV:
        if (b == 0) return sqlerr_division_by_zero(err);
        if (b == -1) of = __builtin_sub_overflow(0, a, r);
        else *r = a / b;
        break;
    case SQL_OP_MOD:
        if (b == 0) return sqlerr_division_by_zero(err);
        *r = b == -1 ? 0 : a % b;
        break;
    }
    if (of) return sqlerr_out_of_range(err, int_name(t));
    return int_range(*r, t, err);
}

static mice_status float8_arith(sql_arith_op op, double a, double b, double *r, sql_error *err)
{
    switch (op) {
    case SQL_OP_ADD: *r = a + b; break;
    case SQL_OP_SUB: *r = a - b; break;
    case SQL_OP_MUL:
        *r = a * b;
        if (*r == 0.0 && a != 0.0 && b != 0.0) return float_underflow(err);
        break;
    case SQL_OP_DIV:
        if (b == 0.0 && !isnan(a)) return sqlerr_division_by_zero(err);
        *r = a / b;
        if (isinf(*r) && !isinf(a)) return float_overflow(err);
        if (*r == 0.0 && a != 0.0 && !isinf(b)) return float_underflow(err);
        return MICE_OK;
    case SQL_OP_MOD: mice_unreachable();
    }
    if (isinf(*r) && !isinf(a) && !isinf(b)) return float_overflow(err);
    return MICE_OK;
}

static mice_status float4_arith(sql_arith_op op, float a, float b, float *r, sql_error *err)
{
    switch (op) {
    case SQL_OP_ADD: *r = a + b; break;
    case SQL_OP_SUB: *r = a - b; break;
    case SQL_OP_MUL:
        *r = a * b;
        if (*r == 0.0f && a != 0.0f && b != 0.0f) return float_underflow(err);
        break;
    case SQL_OP_DIV:
        if (b == 0.0f && !isnan(a)) return sqlerr_division_by_zero(err);
        *r = a / b;
        if (isinf(*r) && !isinf(a)) return float_overflow(err);
        if (*r == 0.0f && a != 0.0f && !isinf(b)) return float_underflow(err);
        return MICE_OK;
    case SQL_OP_MOD: mice_unreachable();
    }
    if (isinf(*r) && !isinf(a) && !isinf(b)) return float_overflow(err);
    return MICE_OK;
}

static mice_status date_arith(sql_arith_op op, const sql_datum *a, const sql_datum *b,
                              sql_datum *out, sql_error *err)
{
    if (a->type == SQL_TYPE_DATE && b->type == SQL_TYPE_DATE) {
        int32_t days;
        mice_status rc = date_diff_days(a->v.date, b->v.date, &days, err);
        if (!rc) *out = datum_int4(days);
        return rc;
    }
    const sql_datum *d = a->type == SQL_TYPE_DATE ? a : b, *n = a->type == SQL_TYPE_DATE ? b : a;
    *out = datum_date(0);
    return date_add_days(d->v.date, op == SQL_OP_SUB ? -n->v.i : n->v.i, &out->v.date, err);
}

static mice_status numeric_arith(sql_arith_op op, const sql_datum *a, const sql_datum *b,
                                 mice_arena *arena, sql_datum *out, sql_error *err)
{
    const sql_numeric *x = a->v.num, *y = b->v.num, *r;
    mice_status rc = MICE_OK;
    if (a->type != SQL_TYPE_NUMERIC) rc = numeric_from_int64(a->v.i, arena, &x, err);
    if (!rc && b->type != SQL_TYPE_NUMERIC) rc = numeric_from_int64(b->v.i, arena, &y, err);
    if (rc) return rc;
    switch (op) {
    case SQL_OP_ADD: rc = numeric_add(x, y, arena, &r, err); break;
    case SQL_OP_SUB: rc = numeric_sub(x, y, arena, &r, err); break;
    case SQL_OP_MUL: rc = numeric_mul(x, y, arena, &r, err); break;
    case SQL_OP_DIV: rc = numeric_div(x, y, arena, &r, err); break;
    case SQL_OP_MOD: rc = numeric_mod(x, y, arena, &r, err); break;
    }
    if (!rc) *out = datum_numeric(r);
    return rc;
}

mice_status datum_arith(sql_arith_op op, const sql_datum *a, const sql_datum *b,
                        mice_arena *arena, sql_datum *out, sql_error *err)
{
    sql_type_id rt;
    if (!sql_arith_result_type(op, a->type, b->type, &rt)) return no_operator(op, a->type, b->type, err);
    if (a->is_null || b->is_null) {
        *out = datum_null(rt);
        return MICE_OK;
    }
    if (a->type == SQL_TYPE_DATE || b->type == SQL_TYPE_DATE) return date_arith(op, a, b, out, err);
    mice_status rc;
    switch (rt) {
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
        *out = (sql_datum){.type = rt};
        return int_arith(op, a->v.i, b->v.i, rt, &out->v.i, err);
    case SQL_TYPE_FLOAT4:
        *out = datum_float4(0);
        return float4_arith(op, a->v.f4, b->v.f4, &out->v.f4, err);
    case SQL_TYPE_FLOAT8: {
        double x = as_double(a), y = as_double(b);
        /* numeric operands go through float8in, which can overflow */
        if (a->type == SQL_TYPE_NUMERIC && (rc = numeric_to_double(a->v.num, false, &x, err))) return rc;
        if (b->type == SQL_TYPE_NUMERIC && (rc = numeric_to_double(b->v.num, false, &y, err))) return rc;
        *out = datum_float8(0);
        return float8_arith(op, x, y, &out->v.f8, err);
    }
    default:
        return numeric_arith(op, a, b, arena, out, err);
    }
}

mice_status datum_negate(const sql_datum *a, mice_arena *arena, sql_datum *out, sql_error *err)
{
    if (a->is_null) {
        *out = *a;
        return MICE_OK;
    }
    *out = *a;
    switch (a->type) {
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
        if (a->v.i == INT64_MIN) return sqlerr_out_of_range(err, "bigint");
        out->v.i = -a->v.i;
        return int_range(out->v.i, a->type, err);
    case SQL_TYPE_FLOAT4: out->v.f4 = -a->v.f4; return MICE_OK;
    case SQL_TYPE_FLOAT8: out->v.f8 = -a->v.f8; return MICE_OK;
    case SQL_TYPE_NUMERIC: return numeric_neg(a->v.num, arena, &out->v.num, err);
    case SQL_TYPE_INTERVAL: return interval_neg(&a->v.iv, &out->v.iv, err);
    default: {
        char x[SQL_TYPE_NAME_MAX];
        sql_type_format(sql_type_make(a->type, -1), x, sizeof x);
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_UNDEFINED_FUNCTION,
                          "operator does not exist: - %s", x);
    }
    }
}
