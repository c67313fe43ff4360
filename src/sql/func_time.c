/* func_time.c - date/time functions: the transaction/statement clocks (injected through
 * func_ctx), date_trunc, date_part (float8) and extract (numeric, PostgreSQL 14+),
 * to_timestamp(float8), make_date/make_timestamp/make_timestamptz and date arithmetic.
 * to_char lives in func_tochar.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sql/func_int.h"

enum { ZONE_NAME_MAX = 128 };

/* ---- clocks ---- */

static mice_status f_now(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)e;
    *o = datum_timestamptz(c->txn_start);
    return MICE_OK;
}

static mice_status f_statement_timestamp(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                         sql_error *e)
{
    (void)a, (void)n, (void)e;
    *o = datum_timestamptz(c->stmt_start);
    return MICE_OK;
}

static mice_status f_clock_timestamp(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                     sql_error *e)
{
    (void)a, (void)n, (void)e;
    *o = datum_timestamptz(c->clock_now ? c->clock_now(c->clock_arg) : c->stmt_start);
    return MICE_OK;
}

static mice_status f_current_date(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)a, (void)n, (void)e;
    *o = datum_date(timestamptz_to_date(c->txn_start, func__tz(c)));
    return MICE_OK;
}

static mice_status f_localtimestamp(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                    sql_error *e)
{
    (void)a, (void)n;
    sql_timestamp ts;
    mice_status rc = timestamptz_to_timestamp(c->txn_start, func__tz(c), &ts, e);
    if (!rc) *o = datum_timestamp(ts);
    return rc;
}

/* ---- date_trunc ---- */

static mice_status field_name(func_ctx *c, mice_slice s, char **out, sql_error *e)
{
    *out = func__cstr(c, s);
    return *out ? MICE_OK : sqlerr_nomem(e);
}

static mice_status load_zone(func_ctx *c, mice_slice name, sql_tz **tz, sql_error *e)
{
    char buf[ZONE_NAME_MAX];
    if (name.n >= sizeof buf || memchr(name.p, 0, name.n)) {
        return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "time zone \"%.*s\" not recognized", (int)name.n, (const char *)name.p);
    }
    memcpy(buf, name.p, name.n);
    buf[name.n] = 0;
    const char *dir = c->vctx ? c->vctx->dt.zoneinfo_dir : NULL;
    return tz_create(buf, dir, tz, e);
}

static mice_status f_date_trunc(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    char *field;
    mice_status rc = field_name(c, a[0].v.s, &field, e);
    if (rc) return rc;
    sql_tz *own = NULL;
    if (n > 2 && (rc = load_zone(c, a[2].v.s, &own, e))) return rc;
    sql_timestamp r;
    rc = datetime_trunc(field, a[1].type, a[1].v.ts, own ? own : func__tz(c), &r, e);
    if (own) tz_destroy(own);
    if (!rc) *o = (sql_datum){.type = a[1].type, .v.ts = r};
    return rc;
}

/* ---- extract / date_part ---- */

static int64_t extract_arg(const sql_datum *d)
{
    return d->type == SQL_TYPE_DATE ? (int64_t)d->v.date : (int64_t)d->v.ts;
}

static mice_status f_extract(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    char *field;
    mice_status rc = field_name(c, a[0].v.s, &field, e);
    if (rc) return rc;
    const sql_numeric *r;
    bool is_null = false;
    rc = datetime_extract_numeric(field, a[1].type, extract_arg(&a[1]), func__tz(c), c->arena, &r,
                                  &is_null, e);
    if (rc) return rc;
    *o = is_null ? datum_null(SQL_TYPE_NUMERIC) : datum_numeric(r);
    return MICE_OK;
}

/* PostgreSQL 15's float8 path computes seconds as whole + fraction / 1e6. */
static double extract_double(sql_dt_field f, const sql_extract_result *x)
{
    if (f == SQL_DT_SECOND)
        return (double)(x->value / 1000000) + (double)(x->value % 1000000) / 1000000.0;
    if (f == SQL_DT_MILLISECONDS)
        return (double)(x->value / 1000000) * 1000.0 + (double)(x->value % 1000000) / 1000.0;
    if (f == SQL_DT_JULIAN && x->day_us)
        return (double)x->value + (double)x->day_us / (double)SQL_USECS_PER_DAY;
    double v = (double)x->value;
    for (int i = 0; i < x->scale; i++)
        v /= 10.0;
    return v;
}

static mice_status f_date_part(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    char *field;
    mice_status rc = field_name(c, a[0].v.s, &field, e);
    if (rc) return rc;
    sql_datum arg = a[1];
    if (arg.type == SQL_TYPE_DATE) { /* date_part(text, date) is date_part($1, $2::timestamp) */
        sql_timestamp ts;
        if ((rc = date_to_timestamp(arg.v.date, &ts, e))) return rc;
        arg = datum_timestamp(ts);
    }
    sql_extract_result x;
    rc = datetime_extract(field, arg.type, extract_arg(&arg), func__tz(c), &x, e);
    if (rc) return rc;
    sql_dt_field f = SQL_DT_EPOCH;
    datetime_field_lookup(field, &f);
    switch (x.kind) {
    case SQL_EXTRACT_NULL:
        *o = datum_null(SQL_TYPE_FLOAT8);
        break;
    case SQL_EXTRACT_PINF:
        *o = datum_float8(INFINITY);
        break;
    case SQL_EXTRACT_NINF:
        *o = datum_float8(-INFINITY);
        break;
    default:
        *o = datum_float8(extract_double(f, &x));
        break;
    }
    return MICE_OK;
}

/* ---- to_timestamp, make_* ---- */

static mice_status f_to_timestamp(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)n, (void)c;
    double s = a[0].v.f8;
    if (isnan(s))
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "timestamp cannot be NaN");
    if (isinf(s)) {
        *o = datum_timestamptz(s > 0 ? SQL_TS_NOEND : SQL_TS_NOBEGIN);
        return MICE_OK;
    }
    sql_timestamp ts;
    mice_status rc = timestamptz_from_unix_seconds(s, &ts, e);
    if (!rc) *o = datum_timestamptz(ts);
    return rc;
}

static mice_status make_date_days(int64_t y, int64_t m, int64_t d, sql_date *out, sql_error *e)
{
    int64_t year = y < 0 ? y + 1 : y; /* negative years are BC: -1 is 1 BC, year 0 */
    if (y == 0 || y > INT32_MAX || y < INT32_MIN + 1 || !date_ymd_valid((int)year, (int)m, (int)d))
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "date field value out of range: %lld-%02lld-%02lld", (long long)y,
                          (long long)m, (long long)d);
    int64_t jd = date_to_julian((int)year, (int)m, (int)d);
    if (jd < 0 || jd >= SQL_DATE_END_JULIAN)
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "date out of range: %lld-%02lld-%02lld", (long long)y, (long long)m,
                          (long long)d);
    *out = (sql_date)(jd - SQL_POSTGRES_EPOCH_JDATE);
    return MICE_OK;
}

static mice_status f_make_date(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    sql_date d;
    mice_status rc = make_date_days(a[0].v.i, a[1].v.i, a[2].v.i, &d, e);
    if (!rc) *o = datum_date(d);
    return rc;
}

/* Local wall-clock timestamp from make_timestamp's fields. */
static mice_status make_ts(const sql_datum *a, sql_timestamp *out, sql_error *e)
{
    int64_t h = a[3].v.i, mi = a[4].v.i;
    double s = a[5].v.f8;
    sql_date d;
    mice_status rc = make_date_days(a[0].v.i, a[1].v.i, a[2].v.i, &d, e);
    if (rc) return rc;
    if (h < 0 || mi < 0 || mi > 59 || !(s >= 0) || s > 60 || h > 24 ||
        (h == 24 && (mi > 0 || s > 0)))
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                          "time field value out of range: %lld:%02lld:%02g", (long long)h,
                          (long long)mi, s);
    int64_t us = (h * 3600 + mi * 60) * SQL_USECS_PER_SEC + (int64_t)rint(s * 1e6);
    sql_timestamp ts;
    if ((rc = date_to_timestamp(d, &ts, e))) return rc;
    ts += us;
    if (!timestamp_in_range(ts) || !timestamp_is_finite(ts))
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "timestamp out of range");
    *out = ts;
    return MICE_OK;
}

static mice_status f_make_timestamp(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                    sql_error *e)
{
    (void)n, (void)c;
    sql_timestamp ts;
    mice_status rc = make_ts(a, &ts, e);
    if (!rc) *o = datum_timestamp(ts);
    return rc;
}

static mice_status f_make_timestamptz(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                      sql_error *e)
{
    sql_timestamp ts, r;
    mice_status rc = make_ts(a, &ts, e);
    if (rc) return rc;
    sql_tz *own = NULL;
    if (n > 6 && (rc = load_zone(c, a[6].v.s, &own, e))) return rc;
    rc = timestamp_to_timestamptz(ts, own ? own : func__tz(c), &r, e);
    if (own) tz_destroy(own);
    if (!rc) *o = datum_timestamptz(r);
    return rc;
}

/* ---- date arithmetic (PostgreSQL's date_pli, date_mii, date_mi) ---- */

static mice_status f_date_pli(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    sql_date d;
    mice_status rc = date_add_days(a[0].v.date, a[1].v.i, &d, e);
    if (!rc) *o = datum_date(d);
    return rc;
}

static mice_status f_date_mii(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    sql_date d;
    mice_status rc = date_add_days(a[0].v.date, -a[1].v.i, &d, e);
    if (!rc) *o = datum_date(d);
    return rc;
}

static mice_status f_date_mi(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    int32_t days;
    mice_status rc = date_diff_days(a[0].v.date, a[1].v.date, &days, e);
    if (!rc) *o = datum_int4(days);
    return rc;
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define S FUNC_STABLE
#define V FUNC_VOLATILE
const func_desc func__time_table[] = {
    R("now", T(TIMESTAMPTZ), true, S, f_now, 0, 0),
    R("current_timestamp", T(TIMESTAMPTZ), true, S, f_now, 0, 0),
    R("transaction_timestamp", T(TIMESTAMPTZ), true, S, f_now, 0, 0),
    R("statement_timestamp", T(TIMESTAMPTZ), true, S, f_statement_timestamp, 0, 0),
    R("clock_timestamp", T(TIMESTAMPTZ), true, V, f_clock_timestamp, 0, 0),
    R("current_date", T(DATE), true, S, f_current_date, 0, 0),
    R("localtimestamp", T(TIMESTAMP), true, S, f_localtimestamp, 0, 0),
    R("date_trunc", T(TIMESTAMP), true, I, f_date_trunc, 2, T(TEXT), T(TIMESTAMP)),
    R("date_trunc", T(TIMESTAMPTZ), true, S, f_date_trunc, 2, T(TEXT), T(TIMESTAMPTZ)),
    R("date_trunc", T(TIMESTAMPTZ), true, I, f_date_trunc, 3, T(TEXT), T(TIMESTAMPTZ), T(TEXT)),
    R("date_part", T(FLOAT8), true, I, f_date_part, 2, T(TEXT), T(DATE)),
    R("date_part", T(FLOAT8), true, I, f_date_part, 2, T(TEXT), T(TIMESTAMP)),
    R("date_part", T(FLOAT8), true, S, f_date_part, 2, T(TEXT), T(TIMESTAMPTZ)),
    R("extract", T(NUMERIC), true, I, f_extract, 2, T(TEXT), T(DATE)),
    R("extract", T(NUMERIC), true, I, f_extract, 2, T(TEXT), T(TIMESTAMP)),
    R("extract", T(NUMERIC), true, S, f_extract, 2, T(TEXT), T(TIMESTAMPTZ)),
    R("to_timestamp", T(TIMESTAMPTZ), true, I, f_to_timestamp, 1, T(FLOAT8)),
    R("make_date", T(DATE), true, I, f_make_date, 3, T(INT4), T(INT4), T(INT4)),
    R("make_timestamp", T(TIMESTAMP), true, I, f_make_timestamp, 6, T(INT4), T(INT4), T(INT4),
      T(INT4), T(INT4), T(FLOAT8)),
    R("make_timestamptz", T(TIMESTAMPTZ), true, S, f_make_timestamptz, 6, T(INT4), T(INT4), T(INT4),
      T(INT4), T(INT4), T(FLOAT8)),
    R("make_timestamptz", T(TIMESTAMPTZ), true, S, f_make_timestamptz, 7, T(INT4), T(INT4), T(INT4),
      T(INT4), T(INT4), T(FLOAT8), T(TEXT)),
    R("date_pli", T(DATE), true, I, f_date_pli, 2, T(DATE), T(INT4)),
    R("date_mii", T(DATE), true, I, f_date_mii, 2, T(DATE), T(INT4)),
    R("date_mi", T(INT4), true, I, f_date_mi, 2, T(DATE), T(DATE)),
};
const int func__time_count = sizeof func__time_table / sizeof func__time_table[0];
