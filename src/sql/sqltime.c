/* sqltime.c - the time type (see sqltime.h). */
#include "sql/sqltime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { TIME_TEXT_MAX = 256 };

static mice_status bad_time(const char *text, bool tz_type, sql_error *err)
{
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_DATETIME_FORMAT,
                      "invalid input syntax for type %s: \"%s\"",
                      tz_type ? "time with time zone" : "time", text);
}

static mice_status time_range(const char *text, bool tz_type, sql_error *err)
{
    (void)tz_type;
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                      "date/time field value out of range: \"%s\"", text);
}

typedef enum { TP_OK, TP_FORMAT, TP_RANGE, TP_ZONE_RANGE } tp_result;

typedef struct time_parse {
    bool have_time, am, pm, now, have_zone;
    int64_t hour, min, sec, usec;
    int32_t zone_east; /* seconds east of UTC, when have_zone */
} time_parse;

static bool all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)p[i])) return false;
    return n > 0;
}

/* ".ffff" (up to any length, rounded to microseconds) */
static tp_result fraction_us(const char *p, size_t n, int64_t *us)
{
    if (n == 0 || p[0] != '.') return TP_FORMAT;
    int64_t v = 0;
    int digits = 0;
    bool round_up = false;
    for (size_t i = 1; i < n; i++) {
        if (!isdigit((unsigned char)p[i])) return TP_FORMAT;
        if (digits < 6) {
            v = v * 10 + (p[i] - '0');
            digits++;
        } else if (digits == 6) {
            round_up = p[i] >= '5';
            digits++;
        }
    }
    while (digits < 6)
        v *= 10, digits++;
    *us = v + (round_up ? 1 : 0);
    return TP_OK;
}

static int64_t number(const char *p, size_t n)
{
    int64_t v = 0;
    for (size_t i = 0; i < n && v < INT64_C(1) << 40; i++)
        v = v * 10 + (p[i] - '0');
    return v;
}

/* "+hh", "+hh:mm", "+hh:mm:ss", "+hhmm", "+hhmmss" (and '-') as seconds east. */
static tp_result zone_token(const char *p, size_t n, time_parse *t)
{
    if (n < 2 || (p[0] != '+' && p[0] != '-') || t->have_zone) return TP_FORMAT;
    int sign = p[0] == '-' ? -1 : 1;
    int64_t part[3] = {0, 0, 0};
    const char *q = p + 1, *end = p + n;
    if (!memchr(q, ':', (size_t)(end - q))) {
        size_t nd = (size_t)(end - q);
        if (!all_digits(q, nd) || nd == 3) return TP_FORMAT;
        if (nd > 4) return TP_ZONE_RANGE;
        part[0] = number(q, nd <= 2 ? nd : 2);
        if (nd == 4) part[1] = number(q + 2, 2);
    } else {
        for (int k = 0; k < 3 && q < end; k++) {
            size_t nd = 0;
            while (q + nd < end && isdigit((unsigned char)q[nd]))
                nd++;
            if (nd == 0 || nd > 2) return TP_FORMAT;
            part[k] = number(q, nd);
            q += nd;
            if (q < end && *q++ != ':') return TP_FORMAT;
            if (q == end && q[-1] == ':') return TP_FORMAT;
        }
        if (q != end) return TP_FORMAT;
    }
    if (part[1] > 59 || part[2] > 59) return TP_RANGE;
    int64_t secs = part[0] * 3600 + part[1] * 60 + part[2];
    if (secs > SQL_TIMETZ_ZONE_MAX_S) return TP_ZONE_RANGE;
    t->have_zone = true;
    t->zone_east = (int32_t)(sign * secs);
    return TP_OK;
}

/* "h:m[:s[.f]]" or "hhmm[ss[.f]]", optionally followed by a numeric zone ("+02") */
static tp_result time_token(const char *p, size_t n, time_parse *t)
{
    for (size_t i = 1; i < n; i++) {
        if (p[i] == '+' || p[i] == '-') {
            tp_result r = zone_token(p + i, n - i, t);
            if (r) return r;
            n = i;
            break;
        }
    }
    const char *colon = memchr(p, ':', n);
    if (!colon) {
        const char *dot = memchr(p, '.', n);
        size_t nd = dot ? (size_t)(dot - p) : n;
        if (!all_digits(p, nd) || (nd != 4 && nd != 6) || (dot && nd != 6)) return TP_FORMAT;
        t->hour = number(p, 2);
        t->min = number(p + 2, 2);
        t->sec = nd == 6 ? number(p + 4, 2) : 0;
        if (dot && fraction_us(dot, n - nd, &t->usec)) return TP_FORMAT;
        return TP_OK;
    }
    size_t nh = (size_t)(colon - p);
    if (!all_digits(p, nh)) return TP_FORMAT;
    t->hour = number(p, nh);
    const char *q = colon + 1, *end = p + n;
    size_t nm = 0;
    while (q + nm < end && isdigit((unsigned char)q[nm]))
        nm++;
    if (nm == 0) return TP_FORMAT;
    t->min = number(q, nm);
    q += nm;
    if (q < end && *q == ':') {
        q++;
        size_t ns = 0;
        while (q + ns < end && isdigit((unsigned char)q[ns]))
            ns++;
        if (ns == 0) return TP_FORMAT;
        t->sec = number(q, ns);
        q += ns;
    }
    if (q < end && fraction_us(q, (size_t)(end - q), &t->usec)) return TP_FORMAT;
    return TP_OK;
}

/* A zone abbreviation ("PST", "utc") as the zone. */
static tp_result zone_word(const char *w, size_t n, time_parse *t)
{
    char lower[8];
    if (n >= sizeof lower) return TP_FORMAT;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)tolower((unsigned char)w[i]);
    lower[n] = '\0';
    int32_t east;
    if (!datetime_zone_abbrev(lower, &east) || t->have_zone) return TP_FORMAT;
    t->have_zone = true;
    t->zone_east = east;
    return TP_OK;
}

/* Whether s starts with a numeric date ('2003-04-12', '2003/04/12', '20030412 ...'), the
 * only dates PostgreSQL's time input skips (month names are rejected). */
static bool numeric_date_first(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = 0;
    bool sep = false;
    for (; s[n] && !isspace((unsigned char)s[n]); n++) {
        if (s[n] == '-' || s[n] == '/' || s[n] == '.')
            sep = true;
        else if (!isdigit((unsigned char)s[n]))
            return false;
    }
    return sep && s[n] != '\0';
}

static tp_result word_token(const char *p, size_t n, time_parse *t)
{
    if (n == 2 && strncasecmp(p, "am", 2) == 0)
        return t->am || t->pm ? TP_FORMAT : (t->am = true, TP_OK);
    if (n == 2 && strncasecmp(p, "pm", 2) == 0)
        return t->am || t->pm ? TP_FORMAT : (t->pm = true, TP_OK);
    if (n == 8 && strncasecmp(p, "allballs", 8) == 0) {
        if (t->have_time) return TP_FORMAT;
        t->have_time = true;
        return TP_OK;
    }
    if (n == 3 && strncasecmp(p, "now", 3) == 0) {
        if (t->have_time) return TP_FORMAT;
        t->have_time = t->now = true;
        return TP_OK;
    }
    return zone_word(p, n, t);
}

static tp_result parse_simple(const char *s, time_parse *t)
{
    memset(t, 0, sizeof *t);
    while (*s) {
        if (isspace((unsigned char)*s)) {
            s++;
            continue;
        }
        size_t n = 0;
        while (s[n] && !isspace((unsigned char)s[n]))
            n++;
        tp_result r;
        if (isdigit((unsigned char)*s)) {
            if (t->have_time) return TP_FORMAT;
            t->have_time = true;
            r = time_token(s, n, t);
        } else if ((*s == '+' || *s == '-') && n > 1 && isdigit((unsigned char)s[1])) {
            r = t->have_time ? zone_token(s, n, t) : TP_FORMAT; /* a zone after the time */
        } else {
            r = word_token(s, n, t);
        }
        if (r) return r;
        s += n;
    }
    if (!t->have_time) return TP_FORMAT;
    if (t->am || t->pm) {
        if (t->hour < 1 || t->hour > 12) return TP_RANGE;
        if (t->am && t->hour == 12) t->hour = 0;
        if (t->pm && t->hour != 12) t->hour += 12;
    }
    if (t->min > 59 || t->sec > 60 || t->usec > SQL_USECS_PER_SEC || t->hour > 24) return TP_RANGE;
    int64_t us = ((t->hour * 60 + t->min) * 60 + t->sec) * SQL_USECS_PER_SEC + t->usec;
    if (us > SQL_USECS_PER_DAY) return TP_RANGE;
    return TP_OK;
}

/* Time of day and, when the text has one, zone of a time or timetz text; *date_local is
 * the local timestamp when the text started with a date. */
static mice_status parse_time_text(mice_slice text, const sql_datetime_ctx *ctx, bool tz_type,
                                   sql_time *out, time_parse *t, sql_error *err)
{
    char s[TIME_TEXT_MAX];
    size_t n = text.n < sizeof s - 1 ? text.n : sizeof s - 1;
    memcpy(s, text.p, n);
    s[n] = '\0';
    tp_result r = text.n < sizeof s - 1 ? parse_simple(s, t) : TP_FORMAT;
    if (r == TP_RANGE) return time_range(s, tz_type, err);
    if (r == TP_ZONE_RANGE)
        return sqlerr_set(err, MICE_RANGE, "22009", "time zone displacement out of range: \"%s\"",
                          s);
    if (r == TP_OK && t->now) {
        sql_timestamp local;
        sql_timestamp now = ctx ? ctx->now : 0;
        if (timestamptz_to_timestamp(now, ctx ? ctx->tz : NULL, &local, err)) return MICE_RANGE;
        *out = sqltime_of_timestamp(local);
        return MICE_OK;
    }
    if (r == TP_OK) {
        *out = ((t->hour * 60 + t->min) * 60 + t->sec) * SQL_USECS_PER_SEC + t->usec;
        return MICE_OK;
    }
    /* a numeric date then a time ('2003-04-12 04:05:06') gives the time of day */
    if (!numeric_date_first(s)) return bad_time(s, tz_type, err);
    sql_timestamp ts;
    sql_error tmp;
    sqlerr_clear(&tmp);
    sql_datetime_ctx c = ctx ? *ctx : (sql_datetime_ctx){NULL, 0, NULL};
    mice_status rc = datetime_parse_timestamp(text, &c, &ts, &tmp);
    if (rc || !timestamp_is_finite(ts)) {
        if (!rc || strcmp(tmp.sqlstate, SQLSTATE_INVALID_DATETIME_FORMAT) == 0)
            return bad_time(s, tz_type, err);
        return time_range(s, tz_type, err);
    }
    memset(t, 0, sizeof *t);
    *out = sqltime_of_timestamp(ts);
    return MICE_OK;
}

mice_status sqltime_parse(mice_slice text, int32_t typmod, const sql_datetime_ctx *ctx,
                          sql_time *out, sql_error *err)
{
    time_parse t;
    mice_status rc = parse_time_text(text, ctx, false, out, &t, err);
    if (!rc) *out = sqltime_round_typmod(*out, typmod);
    return rc;
}

void sqltime_format(sql_time t, mice_buf *out)
{
    int64_t sec = t / SQL_USECS_PER_SEC, us = t % SQL_USECS_PER_SEC;
    buf_printf(out, "%02lld:%02lld:%02lld", (long long)(sec / 3600), (long long)(sec / 60 % 60),
               (long long)(sec % 60));
    if (us == 0) return;
    char digits[16];
    snprintf(digits, sizeof digits, "%06lld", (long long)us);
    int n = 6;
    while (n > 0 && digits[n - 1] == '0')
        n--;
    buf_printf(out, ".%.*s", n, digits);
}

sql_time sqltime_round_typmod(sql_time t, int32_t typmod)
{
    static const int64_t scales[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    static const int64_t offsets[] = {500000, 50000, 5000, 500, 50, 5, 0};
    if (typmod < 0 || typmod > 6) return t;
    return ((t + offsets[typmod]) / scales[typmod]) * scales[typmod];
}

void sqltime_send(sql_time t, mice_buf *out)
{
    buf_append_be64(out, (uint64_t)t);
}

mice_status sqltime_recv(mice_slice b, int32_t typmod, sql_time *out, sql_error *err)
{
    if (b.n != 8)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    int64_t t = (int64_t)mice_load_be64(b.p);
    if (t < 0 || t > SQL_USECS_PER_DAY)
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "time out of range");
    *out = sqltime_round_typmod(t, typmod);
    return MICE_OK;
}

static sql_time wrap_day(int64_t t)
{
    t %= SQL_USECS_PER_DAY;
    return t < 0 ? t + SQL_USECS_PER_DAY : t;
}

sql_time sqltime_add_interval(sql_time t, const sql_interval *iv, int sign)
{
    int64_t d = iv->time % SQL_USECS_PER_DAY; /* keeps the sum far from overflow */
    return wrap_day(t + (sign < 0 ? -d : d));
}

sql_time sqltime_from_interval(const sql_interval *iv)
{
    return wrap_day(iv->time);
}

sql_time sqltime_of_timestamp(sql_timestamp ts)
{
    return wrap_day(ts);
}

static mice_status unit_error(const char *field, bool recognized, sql_error *err)
{
    if (!recognized)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "unit \"%s\" not recognized for type time without time zone", field);
    return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "unit \"%s\" not supported for type time without time zone", field);
}

mice_status sqltime_extract(const char *field, sql_time t, mice_arena *arena,
                            const sql_numeric **num_out, double *double_out, sql_error *err)
{
    sql_unit u = interval_unit_lookup(field, true);
    int64_t sec_us = t % (60 * SQL_USECS_PER_SEC), v;
    int scale = 0;
    switch (u) {
    case SQL_UNIT_MICROSECOND:
        v = sec_us;
        break;
    case SQL_UNIT_MILLISECOND:
        v = sec_us, scale = 3;
        break;
    case SQL_UNIT_SECOND:
        v = sec_us, scale = 6;
        break;
    case SQL_UNIT_MINUTE:
        v = t / SQL_USECS_PER_MINUTE % 60;
        break;
    case SQL_UNIT_HOUR:
        v = t / SQL_USECS_PER_HOUR;
        break;
    case SQL_UNIT_EPOCH:
        v = t, scale = 6;
        break;
    case SQL_UNIT_UNKNOWN:
        return unit_error(field, false, err);
    default:
        return unit_error(field, true, err);
    }
    if (num_out) return interval_scaled_numeric(v, scale, arena, num_out, err);
    double d = (double)v;
    if (scale == 3) d = (double)(v / 1000000) * 1000.0 + (double)(v % 1000000) / 1000.0;
    if (scale == 6) d = (double)(v / 1000000) + (double)(v % 1000000) / 1000000.0;
    *double_out = d;
    return MICE_OK;
}

/* ---- time with time zone ---- */

/* The session zone's offset (seconds east) for time t on the current date, as
 * PostgreSQL's time_timetz and timetz_in do. */
int32_t sqltimetz_session_offset(sql_time t, const sql_datetime_ctx *ctx)
{
    const sql_tz *tz = ctx ? ctx->tz : NULL;
    if (!tz) return 0;
    sql_date today = timestamptz_to_date(ctx->now, tz);
    int64_t local_s = ((int64_t)today + SQL_UNIX_EPOCH_DAYS) * 86400 + t / SQL_USECS_PER_SEC;
    return tz_offset_for_local(tz, local_s);
}

mice_status sqltimetz_parse(mice_slice text, int32_t typmod, const sql_datetime_ctx *ctx,
                            sql_timetz *out, sql_error *err)
{
    time_parse t;
    sql_time time;
    mice_status rc = parse_time_text(text, ctx, true, &time, &t, err);
    if (rc) return rc;
    out->time = sqltime_round_typmod(time, typmod);
    out->zone = t.have_zone ? -t.zone_east : -sqltimetz_session_offset(time, ctx);
    return MICE_OK;
}

void sqltimetz_format(const sql_timetz *t, mice_buf *out)
{
    sqltime_format(t->time, out);
    int32_t east = -t->zone, a = east < 0 ? -east : east;
    buf_printf(out, "%c%02d", east < 0 ? '-' : '+', a / 3600);
    if (a % 3600) buf_printf(out, ":%02d", a % 3600 / 60);
    if (a % 60) buf_printf(out, ":%02d", a % 60);
}

void sqltimetz_send(const sql_timetz *t, mice_buf *out)
{
    buf_append_be64(out, (uint64_t)t->time);
    buf_append_be32(out, (uint32_t)t->zone);
}

mice_status sqltimetz_recv(mice_slice b, int32_t typmod, sql_timetz *out, sql_error *err)
{
    if (b.n != 12)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    int64_t t = (int64_t)mice_load_be64(b.p);
    int32_t zone = (int32_t)mice_load_be32(b.p + 8);
    if (t < 0 || t > SQL_USECS_PER_DAY)
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "time out of range");
    if (zone < -SQL_TIMETZ_ZONE_MAX_S || zone > SQL_TIMETZ_ZONE_MAX_S)
        return sqlerr_set(err, MICE_RANGE, "22009", "time zone displacement out of range");
    out->time = sqltime_round_typmod(t, typmod);
    out->zone = zone;
    return MICE_OK;
}

int sqltimetz_cmp(const sql_timetz *a, const sql_timetz *b)
{
    int64_t x = a->time + (int64_t)a->zone * SQL_USECS_PER_SEC;
    int64_t y = b->time + (int64_t)b->zone * SQL_USECS_PER_SEC;
    if (x != y) return x < y ? -1 : 1;
    return a->zone < b->zone ? -1 : a->zone > b->zone;
}

void sqltimetz_key_bytes(const sql_timetz *t, uint8_t out[SQL_TIMETZ_KEY_BYTES])
{
    uint64_t utc = (uint64_t)(t->time + (int64_t)t->zone * SQL_USECS_PER_SEC) ^ (UINT64_C(1) << 63);
    uint32_t zone = (uint32_t)t->zone ^ (UINT32_C(1) << 31);
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(utc >> (56 - 8 * i));
    for (int i = 0; i < 4; i++)
        out[8 + i] = (uint8_t)(zone >> (24 - 8 * i));
}

bool sqltimetz_from_key_bytes(const uint8_t in[SQL_TIMETZ_KEY_BYTES], sql_timetz *out)
{
    uint64_t utc = 0;
    uint32_t zone = 0;
    for (int i = 0; i < 8; i++)
        utc = utc << 8 | in[i];
    for (int i = 0; i < 4; i++)
        zone = zone << 8 | in[8 + i];
    out->zone = (int32_t)(zone ^ (UINT32_C(1) << 31));
    out->time = (int64_t)(utc ^ (UINT64_C(1) << 63)) - (int64_t)out->zone * SQL_USECS_PER_SEC;
    return out->time >= 0 && out->time <= SQL_USECS_PER_DAY &&
           out->zone >= -SQL_TIMETZ_ZONE_MAX_S && out->zone <= SQL_TIMETZ_ZONE_MAX_S;
}

sql_timetz sqltimetz_add_interval(const sql_timetz *t, const sql_interval *iv, int sign)
{
    return (sql_timetz){.time = sqltime_add_interval(t->time, iv, sign), .zone = t->zone};
}

sql_timetz sqltimetz_at_zone(const sql_timetz *t, int32_t east_s)
{
    int32_t zone = -east_s;
    int64_t time = t->time + (int64_t)(t->zone - zone) * SQL_USECS_PER_SEC;
    return (sql_timetz){.time = wrap_day(time), .zone = zone};
}

mice_status sqltimetz_extract(const char *field, const sql_timetz *t, mice_arena *arena,
                              const sql_numeric **num_out, double *double_out, sql_error *err)
{
    int64_t v;
    int scale = 0;
    if (strcmp(field, "timezone") == 0) {
        v = -t->zone;
    } else if (strncmp(field, "timezone_h", 10) == 0) {
        v = -t->zone / 3600;
    } else if (strncmp(field, "timezone_m", 10) == 0) {
        v = -t->zone / 60 % 60;
    } else if (interval_unit_lookup(field, true) == SQL_UNIT_EPOCH) {
        v = t->time + (int64_t)t->zone * SQL_USECS_PER_SEC, scale = 6;
    } else {
        mice_status rc = sqltime_extract(field, t->time, arena, num_out, double_out, err);
        if (rc && err && strstr(err->message, "time without time zone")) {
            char state[sizeof err->sqlstate];
            memcpy(state, err->sqlstate, sizeof state);
            bool recognized = strcmp(state, SQLSTATE_FEATURE_NOT_SUPPORTED) == 0;
            sqlerr_set(err, rc, state, "unit \"%s\" not %s for type time with time zone", field,
                       recognized ? "supported" : "recognized");
        }
        return rc;
    }
    if (num_out) return interval_scaled_numeric(v, scale, arena, num_out, err);
    *double_out = scale ? (double)(v / 1000000) + (double)(v % 1000000) / 1000000.0 : (double)v;
    return MICE_OK;
}
