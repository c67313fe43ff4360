/* func_interval.c - interval, time and uuid functions, and the functions behind the
 * date/time operators (PostgreSQL's names: interval_pl, timestamp_pl_interval,
 * timestamp_mi, time_mi_time, datetime_pl...), age, justify_*, make_interval,
 * extract/date_part/date_trunc on intervals and times, AT TIME ZONE (timezone()) and
 * gen_random_uuid(). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sql/fcache.h"
#include "sql/func_int.h"

enum { ZONE_TEXT_MAX = 128, FIELD_TEXT_MAX = 64 };

#define ARGS const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e
#define UNUSED (void)a, (void)n, (void)c, (void)e

/* ---- interval arithmetic ---- */

static mice_status f_interval_pl(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_add(&a[0].v.iv, &a[1].v.iv, &o->v.iv, e);
}

static mice_status f_interval_mi(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_sub(&a[0].v.iv, &a[1].v.iv, &o->v.iv, e);
}

static mice_status f_interval_um(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_neg(&a[0].v.iv, &o->v.iv, e);
}

static mice_status f_interval_mul(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_mul(&a[0].v.iv, a[1].v.f8, &o->v.iv, e);
}

static mice_status f_mul_d_interval(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_mul(&a[1].v.iv, a[0].v.f8, &o->v.iv, e);
}

static mice_status f_interval_div(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_div(&a[0].v.iv, a[1].v.f8, &o->v.iv, e);
}

static mice_status f_justify_hours(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_justify_hours(&a[0].v.iv, &o->v.iv, e);
}

static mice_status f_justify_days(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_justify_days(&a[0].v.iv, &o->v.iv, e);
}

static mice_status f_justify_interval(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_justify_interval(&a[0].v.iv, &o->v.iv, e);
}

static mice_status f_isfinite_interval(ARGS)
{
    UNUSED;
    *o = datum_bool(true); /* PostgreSQL 15 has no infinite intervals */
    return MICE_OK;
}

/* make_interval(years, months, weeks, days, hours, mins, secs), trailing ones default 0 */
static mice_status f_make_interval(ARGS)
{
    (void)c;
    int32_t v[6] = {0};
    double secs = 0;
    for (int i = 0; i < n && i < 6; i++)
        v[i] = (int32_t)a[i].v.i;
    if (n == 7) secs = a[6].v.f8;
    *o = datum_interval((sql_interval){0});
    return interval_make(v[0], v[1], v[2], v[3], v[4], v[5], secs, &o->v.iv, e);
}

/* ---- timestamps and dates with intervals ---- */

static bool is_tz(const sql_datum *d)
{
    return d->type == SQL_TYPE_TIMESTAMPTZ;
}

static mice_status ts_plus(const sql_datum *ts, const sql_interval *iv, int sign, func_ctx *c,
                           sql_datum *o, sql_error *e)
{
    sql_interval x = *iv;
    mice_status rc = sign < 0 ? interval_neg(iv, &x, e) : MICE_OK;
    if (rc) return rc;
    *o = (sql_datum){.type = ts->type};
    return interval_timestamp_add(ts->v.ts, &x, is_tz(ts), func__tz(c), &o->v.ts, e);
}

static mice_status date_as_timestamp(const sql_datum *d, sql_datum *out, sql_error *e)
{
    *out = datum_timestamp(0);
    return date_to_timestamp(d->v.date, &out->v.ts, e);
}

static mice_status f_timestamp_pl_interval(ARGS)
{
    (void)n;
    return ts_plus(&a[0], &a[1].v.iv, 1, c, o, e);
}

static mice_status f_timestamp_mi_interval(ARGS)
{
    (void)n;
    return ts_plus(&a[0], &a[1].v.iv, -1, c, o, e);
}

static mice_status f_interval_pl_timestamp(ARGS)
{
    (void)n;
    return ts_plus(&a[1], &a[0].v.iv, 1, c, o, e);
}

static mice_status f_date_pl_interval(ARGS)
{
    (void)n;
    sql_datum ts;
    mice_status rc = date_as_timestamp(&a[0], &ts, e);
    return rc ? rc : ts_plus(&ts, &a[1].v.iv, 1, c, o, e);
}

static mice_status f_date_mi_interval(ARGS)
{
    (void)n;
    sql_datum ts;
    mice_status rc = date_as_timestamp(&a[0], &ts, e);
    return rc ? rc : ts_plus(&ts, &a[1].v.iv, -1, c, o, e);
}

static mice_status f_interval_pl_date(ARGS)
{
    (void)n;
    sql_datum ts;
    mice_status rc = date_as_timestamp(&a[1], &ts, e);
    return rc ? rc : ts_plus(&ts, &a[0].v.iv, 1, c, o, e);
}

static mice_status f_timestamp_mi(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){0});
    return interval_timestamp_diff(a[0].v.ts, a[1].v.ts, &o->v.iv, e);
}

static mice_status f_integer_pl_date(ARGS)
{
    UNUSED;
    *o = datum_date(0);
    return date_add_days(a[1].v.date, a[0].v.i, &o->v.date, e);
}

/* age(a, b) and age(x) = age(current_date at midnight, x) */
static mice_status f_age(ARGS)
{
    sql_timestamp x = a[0].v.ts, y;
    bool tz = is_tz(&a[0]);
    mice_status rc = MICE_OK;
    if (n == 2) {
        y = a[1].v.ts;
    } else {
        y = x;
        sql_date today = timestamptz_to_date(c->txn_start, func__tz(c));
        rc = tz ? date_to_timestamptz(today, func__tz(c), &x, e) : date_to_timestamp(today, &x, e);
        if (rc) return rc;
    }
    *o = datum_interval((sql_interval){0});
    return interval_age(x, y, tz, func__tz(c), &o->v.iv, e);
}

/* ---- time ---- */

static mice_status f_time_pl_interval(ARGS)
{
    UNUSED;
    *o = datum_time(sqltime_add_interval(a[0].v.time, &a[1].v.iv, 1));
    return MICE_OK;
}

static mice_status f_time_mi_interval(ARGS)
{
    UNUSED;
    *o = datum_time(sqltime_add_interval(a[0].v.time, &a[1].v.iv, -1));
    return MICE_OK;
}

static mice_status f_interval_pl_time(ARGS)
{
    UNUSED;
    *o = datum_time(sqltime_add_interval(a[1].v.time, &a[0].v.iv, 1));
    return MICE_OK;
}

static mice_status f_time_mi_time(ARGS)
{
    UNUSED;
    *o = datum_interval((sql_interval){.time = a[0].v.time - a[1].v.time});
    return MICE_OK;
}

/* ---- time with time zone ---- */

static mice_status f_timetz_pl_interval(ARGS)
{
    UNUSED;
    *o = datum_timetz(sqltimetz_add_interval(&a[0].v.ttz, &a[1].v.iv, 1));
    return MICE_OK;
}

static mice_status f_timetz_mi_interval(ARGS)
{
    UNUSED;
    *o = datum_timetz(sqltimetz_add_interval(&a[0].v.ttz, &a[1].v.iv, -1));
    return MICE_OK;
}

static mice_status f_interval_pl_timetz(ARGS)
{
    UNUSED;
    *o = datum_timetz(sqltimetz_add_interval(&a[1].v.ttz, &a[0].v.iv, 1));
    return MICE_OK;
}

/* date + timetz = timestamptz: the local date and time at the value's own zone */
static mice_status date_timetz(const sql_datum *d, const sql_datum *t, sql_datum *o, sql_error *e)
{
    mice_status rc = date_as_timestamp(d, o, e);
    o->type = SQL_TYPE_TIMESTAMPTZ;
    if (rc || !timestamp_is_finite(o->v.ts)) return rc;
    o->v.ts += t->v.ttz.time + (int64_t)t->v.ttz.zone * SQL_USECS_PER_SEC;
    if (!timestamp_in_range(o->v.ts) || !timestamp_is_finite(o->v.ts))
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "timestamp out of range");
    return MICE_OK;
}

static mice_status f_datetimetz_pl(ARGS)
{
    (void)n, (void)c;
    return date_timetz(&a[0], &a[1], o, e);
}

static mice_status f_timetzdate_pl(ARGS)
{
    (void)n, (void)c;
    return date_timetz(&a[1], &a[0], o, e);
}

/* CURRENT_TIME: the transaction's start as local time with the session's offset */
static mice_status f_current_time(ARGS)
{
    (void)a, (void)n;
    sql_timestamp local;
    mice_status rc = timestamptz_to_timestamp(c->txn_start, func__tz(c), &local, e);
    if (rc) return rc;
    int32_t east = (int32_t)((local - c->txn_start) / SQL_USECS_PER_SEC);
    *o = datum_timetz((sql_timetz){sqltime_of_timestamp(local), -east});
    return MICE_OK;
}

/* LOCALTIME: the transaction's start as local time of day */
static mice_status f_localtime(ARGS)
{
    (void)a, (void)n;
    sql_timestamp local;
    mice_status rc = timestamptz_to_timestamp(c->txn_start, func__tz(c), &local, e);
    if (!rc) *o = datum_time(sqltime_of_timestamp(local));
    return rc;
}

/* date + time = timestamp */
static mice_status date_time(const sql_datum *d, const sql_datum *t, sql_datum *o, sql_error *e)
{
    mice_status rc = date_as_timestamp(d, o, e);
    if (rc || !timestamp_is_finite(o->v.ts)) return rc;
    o->v.ts += t->v.time;
    if (!timestamp_in_range(o->v.ts) || !timestamp_is_finite(o->v.ts))
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "timestamp out of range");
    return MICE_OK;
}

static mice_status f_datetime_pl(ARGS)
{
    (void)n, (void)c;
    return date_time(&a[0], &a[1], o, e);
}

static mice_status f_timedate_pl(ARGS)
{
    (void)n, (void)c;
    return date_time(&a[1], &a[0], o, e);
}

/* ---- extract, date_part, date_trunc ---- */

static mice_status lower_field(mice_slice s, char *buf, size_t cap, sql_error *e)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower(s.p[i]);
    buf[n] = '\0';
    (void)e;
    return MICE_OK;
}

static mice_status f_extract(ARGS)
{
    (void)n;
    char field[FIELD_TEXT_MAX];
    lower_field(a[0].v.s, field, sizeof field, e);
    const sql_numeric *r;
    mice_status rc = a[1].type == SQL_TYPE_INTERVAL
                         ? interval_extract(field, &a[1].v.iv, c->arena, &r, NULL, e)
                     : a[1].type == SQL_TYPE_TIMETZ
                         ? sqltimetz_extract(field, &a[1].v.ttz, c->arena, &r, NULL, e)
                         : sqltime_extract(field, a[1].v.time, c->arena, &r, NULL, e);
    if (!rc) *o = datum_numeric(r);
    return rc;
}

static mice_status f_date_part(ARGS)
{
    (void)n;
    char field[FIELD_TEXT_MAX];
    lower_field(a[0].v.s, field, sizeof field, e);
    double r = 0;
    mice_status rc = a[1].type == SQL_TYPE_INTERVAL
                         ? interval_extract(field, &a[1].v.iv, c->arena, NULL, &r, e)
                     : a[1].type == SQL_TYPE_TIMETZ
                         ? sqltimetz_extract(field, &a[1].v.ttz, c->arena, NULL, &r, e)
                         : sqltime_extract(field, a[1].v.time, c->arena, NULL, &r, e);
    if (!rc) *o = datum_float8(r);
    return rc;
}

static mice_status f_date_trunc_interval(ARGS)
{
    (void)n, (void)c;
    char field[FIELD_TEXT_MAX];
    lower_field(a[0].v.s, field, sizeof field, e);
    *o = datum_interval((sql_interval){0});
    return interval_trunc(field, &a[1].v.iv, &o->v.iv, e);
}

/* ---- AT TIME ZONE ---- */

/* A zone for timezone(): an abbreviation (fixed offset), else a POSIX-style offset
 * ('+05' is five hours WEST, as PostgreSQL reads it here), else a zone name (IANA names
 * in any case, POSIX TZ strings). east_s is set for fixed offsets, else tz is a loaded
 * zone borrowed from the thread's fcache. */
typedef struct zone_spec {
    bool fixed;
    int32_t east_s;
    const sql_tz *tz;
} zone_spec;

static void zone_free(void *tz)
{
    tz_destroy(tz);
}

static bool posix_offset(const char *s, int32_t *east_s)
{
    int sign = 1;
    if (*s == '+' || *s == '-') sign = *s++ == '-' ? -1 : 1;
    int part[3] = {0, 0, 0}, k = 0;
    while (k < 3) {
        if (!isdigit((unsigned char)*s)) return false;
        int v = 0, digits = 0;
        while (isdigit((unsigned char)*s) && digits < 3)
            v = v * 10 + (*s++ - '0'), digits++;
        part[k++] = v;
        if (*s != ':') break;
        s++;
    }
    if (*s != '\0' || part[0] > 167 || part[1] > 59 || part[2] > 59) return false;
    *east_s = -sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return true;
}

static mice_status zone_unknown(const char *name, sql_error *e)
{
    return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "time zone \"%s\" not recognized", name);
}

static mice_status load_zone_named(const char *name, const char *lower, size_t n, const char *dir,
                                   const mice_buf *key, zone_spec *z, sql_error *e);

static mice_status zone_lookup(func_ctx *c, mice_slice text, zone_spec *z, sql_error *e)
{
    char name[ZONE_TEXT_MAX], lower[ZONE_TEXT_MAX];
    size_t n = text.n < sizeof name - 1 ? text.n : sizeof name - 1;
    memcpy(name, text.p, n);
    name[n] = '\0';
    if (memchr(name, 0, n)) return zone_unknown(name, e);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    *z = (zone_spec){0};
    if (datetime_zone_abbrev(lower, &z->east_s) || posix_offset(name, &z->east_s)) {
        z->fixed = true;
        return MICE_OK;
    }
    const char *dir = c->vctx ? c->vctx->dt.zoneinfo_dir : NULL;
    if (n == 0 || isdigit((unsigned char)name[0])) return zone_unknown(name, e);
    /* cached by directory and name as given */
    mice_buf key;
    buf_init(&key);
    if (dir) buf_append_str(&key, dir);
    buf_append_u8(&key, 0);
    buf_append(&key, name, n);
    z->tz = fcache_get(FCACHE_ZONE, buf_slice(&key));
    mice_status rc = z->tz ? MICE_OK : load_zone_named(name, lower, n, dir, &key, z, e);
    buf_deinit(&key);
    return rc;
}

/* Load an IANA zone or POSIX TZ string into the thread's cache under key. */
static mice_status load_zone_named(const char *name, const char *lower, size_t n, const char *dir,
                                   const mice_buf *key, zone_spec *z, sql_error *e)
{
    /* IANA names are case-sensitive on disk; PostgreSQL matches them in any case: try
     * as given, capitalised per word, then upper case (as datetime input does). */
    char cap[ZONE_TEXT_MAX];
    for (int attempt = 0; attempt < 3; attempt++) {
        const char *try = name;
        if (attempt > 0) {
            for (size_t i = 0; i <= n; i++) {
                bool start =
                    i == 0 || lower[i - 1] == '/' || lower[i - 1] == '_' || lower[i - 1] == '-';
                cap[i] =
                    (char)(start || attempt == 2 ? toupper((unsigned char)lower[i]) : lower[i]);
            }
            try = cap;
        }
        sql_tz *tz;
        if (tz_create(try, dir, &tz, NULL) == MICE_OK) {
            fcache_put(FCACHE_ZONE, buf_slice(key), tz, zone_free);
            z->tz = tz;
            return MICE_OK;
        }
    }
    return zone_unknown(name, e);
}

static mice_status ts_out_of_range(sql_error *e)
{
    return sqlerr_set(e, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                      "timestamp out of range");
}

/* Local wall time in a fixed zone east_s -> UTC, and back. */
static mice_status shift(sql_timestamp ts, int64_t delta_s, sql_timestamp *out, sql_error *e)
{
    int64_t r;
    if (__builtin_add_overflow(ts, delta_s * SQL_USECS_PER_SEC, &r) || !timestamp_in_range(r) ||
        !timestamp_is_finite(r))
        return ts_out_of_range(e);
    *out = r;
    return MICE_OK;
}

/* timestamp AT TIME ZONE zone -> timestamptz; timestamptz AT TIME ZONE zone -> timestamp */
static mice_status at_zone(const sql_datum *ts, const zone_spec *z, sql_datum *o, sql_error *e)
{
    bool to_tz = ts->type == SQL_TYPE_TIMESTAMP;
    *o = (sql_datum){.type = to_tz ? SQL_TYPE_TIMESTAMPTZ : SQL_TYPE_TIMESTAMP, .v.ts = ts->v.ts};
    if (!timestamp_is_finite(ts->v.ts)) return MICE_OK;
    mice_status rc;
    if (z->fixed)
        rc = shift(ts->v.ts, to_tz ? -(int64_t)z->east_s : z->east_s, &o->v.ts, e);
    else if (to_tz)
        rc = timestamp_to_timestamptz(ts->v.ts, z->tz, &o->v.ts, e);
    else
        rc = timestamptz_to_timestamp(ts->v.ts, z->tz, &o->v.ts, e);
    return rc ? ts_out_of_range(e) : MICE_OK;
}

/* timetz AT TIME ZONE: a named zone's offset is the one in effect at transaction start */
static void timetz_at(const sql_datum *t, const zone_spec *z, func_ctx *c, sql_datum *o)
{
    int32_t east = z->east_s;
    if (!z->fixed) {
        sql_timestamp now = c->txn_start;
        int64_t unix_s = now / SQL_USECS_PER_SEC - (now % SQL_USECS_PER_SEC < 0) +
                         (int64_t)SQL_UNIX_EPOCH_DAYS * 86400;
        east = tz_offset_at_utc(z->tz, unix_s);
    }
    *o = datum_timetz(sqltimetz_at_zone(&t->v.ttz, east));
}

static mice_status f_timezone(ARGS)
{
    (void)n;
    zone_spec z;
    mice_status rc = zone_lookup(c, a[0].v.s, &z, e);
    if (rc) return rc;
    if (a[1].type == SQL_TYPE_TIMETZ) {
        timetz_at(&a[1], &z, c, o);
        return MICE_OK;
    }
    return at_zone(&a[1], &z, o, e);
}

static mice_status f_timezone_interval(ARGS)
{
    (void)n;
    const sql_interval *iv = &a[0].v.iv;
    if (iv->month != 0 || iv->day != 0) {
        mice_buf b;
        buf_init(&b);
        interval_format(iv, c->vctx ? c->vctx->interval_style : SQL_INTERVAL_STYLE_POSTGRES, &b);
        sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "interval time zone \"%.*s\" must not include months or days", (int)b.n,
                   (const char *)b.p);
        buf_deinit(&b);
        return MICE_INVALID;
    }
    zone_spec z = {.fixed = true, .east_s = (int32_t)(iv->time / SQL_USECS_PER_SEC)};
    if (a[1].type == SQL_TYPE_TIMETZ) {
        timetz_at(&a[1], &z, c, o);
        return MICE_OK;
    }
    return at_zone(&a[1], &z, o, e);
}

/* ---- uuid ---- */

static mice_status f_gen_random_uuid(ARGS)
{
    (void)a, (void)n;
    if (!c->prng) return sqlerr_set(e, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR, "no random source");
    sql_uuid u;
    sqluuid_random(c->prng, &u);
    *o = datum_uuid(u);
    return MICE_OK;
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define S FUNC_STABLE
#define V FUNC_VOLATILE
#define IV T(INTERVAL)
#define TS T(TIMESTAMP)
#define TZ T(TIMESTAMPTZ)
#define TM T(TIME)
#define TTZ T(TIMETZ)
#define D T(DATE)
#define F8 T(FLOAT8)
#define I4 T(INT4)
const func_desc func__interval_table[] = {
    /* operators */
    R("interval_pl", IV, true, I, f_interval_pl, 2, IV, IV),
    R("interval_mi", IV, true, I, f_interval_mi, 2, IV, IV),
    R("interval_um", IV, true, I, f_interval_um, 1, IV),
    R("interval_mul", IV, true, I, f_interval_mul, 2, IV, F8),
    R("mul_d_interval", IV, true, I, f_mul_d_interval, 2, F8, IV),
    R("interval_div", IV, true, I, f_interval_div, 2, IV, F8),
    R("timestamp_pl_interval", TS, true, I, f_timestamp_pl_interval, 2, TS, IV),
    R("timestamp_mi_interval", TS, true, I, f_timestamp_mi_interval, 2, TS, IV),
    R("interval_pl_timestamp", TS, true, I, f_interval_pl_timestamp, 2, IV, TS),
    R("timestamptz_pl_interval", TZ, true, S, f_timestamp_pl_interval, 2, TZ, IV),
    R("timestamptz_mi_interval", TZ, true, S, f_timestamp_mi_interval, 2, TZ, IV),
    R("interval_pl_timestamptz", TZ, true, S, f_interval_pl_timestamp, 2, IV, TZ),
    R("date_pl_interval", TS, true, I, f_date_pl_interval, 2, D, IV),
    R("date_mi_interval", TS, true, I, f_date_mi_interval, 2, D, IV),
    R("interval_pl_date", TS, true, I, f_interval_pl_date, 2, IV, D),
    R("timestamp_mi", IV, true, I, f_timestamp_mi, 2, TS, TS),
    R("timestamptz_mi", IV, true, I, f_timestamp_mi, 2, TZ, TZ),
    R("integer_pl_date", D, true, I, f_integer_pl_date, 2, I4, D),
    R("time_pl_interval", TM, true, I, f_time_pl_interval, 2, TM, IV),
    R("time_mi_interval", TM, true, I, f_time_mi_interval, 2, TM, IV),
    R("interval_pl_time", TM, true, I, f_interval_pl_time, 2, IV, TM),
    R("time_mi_time", IV, true, I, f_time_mi_time, 2, TM, TM),
    R("datetime_pl", TS, true, I, f_datetime_pl, 2, D, TM),
    R("timetz_pl_interval", TTZ, true, I, f_timetz_pl_interval, 2, TTZ, IV),
    R("timetz_mi_interval", TTZ, true, I, f_timetz_mi_interval, 2, TTZ, IV),
    R("interval_pl_timetz", TTZ, true, I, f_interval_pl_timetz, 2, IV, TTZ),
    R("datetimetz_pl", TZ, true, I, f_datetimetz_pl, 2, D, TTZ),
    R("timetzdate_pl", TZ, true, I, f_timetzdate_pl, 2, TTZ, D),
    R("timedate_pl", TS, true, I, f_timedate_pl, 2, TM, D),
    /* functions */
    R("age", IV, true, I, f_age, 2, TS, TS),
    R("age", IV, true, S, f_age, 2, TZ, TZ),
    R("age", IV, true, S, f_age, 1, TS),
    R("age", IV, true, S, f_age, 1, TZ),
    R("justify_hours", IV, true, I, f_justify_hours, 1, IV),
    R("justify_days", IV, true, I, f_justify_days, 1, IV),
    R("justify_interval", IV, true, I, f_justify_interval, 1, IV),
    R("isfinite", T(BOOL), true, I, f_isfinite_interval, 1, IV),
    R("make_interval", IV, true, I, f_make_interval, 0, 0),
    R("make_interval", IV, true, I, f_make_interval, 1, I4),
    R("make_interval", IV, true, I, f_make_interval, 2, I4, I4),
    R("make_interval", IV, true, I, f_make_interval, 3, I4, I4, I4),
    R("make_interval", IV, true, I, f_make_interval, 4, I4, I4, I4, I4),
    R("make_interval", IV, true, I, f_make_interval, 5, I4, I4, I4, I4, I4),
    R("make_interval", IV, true, I, f_make_interval, 6, I4, I4, I4, I4, I4, I4),
    R("make_interval", IV, true, I, f_make_interval, 7, I4, I4, I4, I4, I4, I4, F8),
    R("extract", T(NUMERIC), true, I, f_extract, 2, T(TEXT), IV),
    R("extract", T(NUMERIC), true, I, f_extract, 2, T(TEXT), TM),
    R("date_part", F8, true, I, f_date_part, 2, T(TEXT), IV),
    R("date_part", F8, true, I, f_date_part, 2, T(TEXT), TM),
    R("extract", T(NUMERIC), true, I, f_extract, 2, T(TEXT), TTZ),
    R("date_part", F8, true, I, f_date_part, 2, T(TEXT), TTZ),
    R("date_trunc", IV, true, I, f_date_trunc_interval, 2, T(TEXT), IV),
    R("timezone", TZ, true, I, f_timezone, 2, T(TEXT), TS),
    R("timezone", TS, true, I, f_timezone, 2, T(TEXT), TZ),
    R("timezone", TZ, true, I, f_timezone_interval, 2, IV, TS),
    R("timezone", TS, true, I, f_timezone_interval, 2, IV, TZ),
    R("timezone", TTZ, true, V, f_timezone, 2, T(TEXT), TTZ),
    R("timezone", TTZ, true, I, f_timezone_interval, 2, IV, TTZ),
    R("current_time", TTZ, true, S, f_current_time, 0, 0),
    R("gen_random_uuid", T(UUID), true, V, f_gen_random_uuid, 0, 0),
    R("localtime", TM, true, S, f_localtime, 0, 0),
};
const int func__interval_count = sizeof func__interval_table / sizeof func__interval_table[0];
