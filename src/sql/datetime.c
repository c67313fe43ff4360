#include "sql/datetime.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

enum {
    JULIAN_MINYEAR = -4713,
    JULIAN_MAXYEAR = 5874898,
    DATE_END_JULIAN = SQL_DATE_END_JULIAN, /* date2j(JULIAN_MAXYEAR, 1, 1) */
    TIMESTAMP_END_JULIAN = 109203528,  /* date2j(294277, 1, 1) */
    DT_INPUT_MAX = 128,
    DT_TOKENS_MAX = 16,
};
#define MIN_TIMESTAMP SQL_TIMESTAMP_MIN
#define END_TIMESTAMP SQL_TIMESTAMP_END
#define USECS_PER_HOUR INT64_C(3600000000)
#define USECS_PER_MINUTE INT64_C(60000000)
#define SECS_PER_DAY INT64_C(86400)
#define EPOCH_COARSE_UNITS_PER_SEC INT64_C(100000) /* 10 us: scale 5 */

static bool ts_valid(sql_timestamp t)
{
    return t >= MIN_TIMESTAMP && t < END_TIMESTAMP;
}

bool date_in_range(sql_date d)
{
    return !date_is_finite(d) ||
           (d >= -SQL_POSTGRES_EPOCH_JDATE && d < DATE_END_JULIAN - SQL_POSTGRES_EPOCH_JDATE);
}

bool timestamp_in_range(sql_timestamp t)
{
    return !timestamp_is_finite(t) || ts_valid(t);
}

int32_t date_to_julian(int y, int m, int d)
{
    int julian, century;
    if (m > 2) {
        m += 1;
        y += 4800;
    } else {
        m += 13;
        y += 4799;
    }
    century = y / 100;
    julian = y * 365 - 32167;
    julian += y / 4 - century + century / 4;
    julian += 7834 * m / 256 + d;
    return julian;
}

void julian_to_date(int32_t jd, int *year, int *month, int *day)
{
    unsigned int julian = (unsigned int)jd, quad, extra;
    int y;
    julian += 32044;
    quad = julian / 146097;
    extra = (julian - quad * 146097) * 4 + 3;
    julian += 60 + quad * 3 + extra / 146097;
    quad = julian / 1461;
    julian -= quad * 1461;
    y = (int)(julian * 4 / 1461);
    julian = ((y != 0) ? ((julian + 305) % 365) : ((julian + 306) % 366)) + 123;
    y += (int)quad * 4;
    *year = y - 4800;
    quad = julian * 2141 / 65536;
    *day = (int)(julian - 7834 * quad / 256);
    *month = (int)((quad + 10) % 12 + 1);
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return md[m - 1] + (m == 2 && leap(y));
}

static bool julian_ok(int y, int m, int d)
{
    (void)d;
    return (y > JULIAN_MINYEAR || (y == JULIAN_MINYEAR && m >= 11)) && y < JULIAN_MAXYEAR;
}

bool date_ymd_valid(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m) && julian_ok(y, m, d);
}

/* day of week of a julian day, 0 = Sunday */
static int j2day(int jd)
{
    int d = (jd + 1) % 7;
    return d < 0 ? d + 7 : d;
}

/* ---- broken-down time ---- */

typedef struct dt_fields {
    int year, month, day; /* year <= 0 is BC (0 = 1 BC) */
    int hour, minute, second;
    int64_t usec;
} dt_fields;

static void ts_split(sql_timestamp ts, dt_fields *f)
{
    int64_t days = ts / SQL_USECS_PER_DAY, tod = ts % SQL_USECS_PER_DAY;
    if (tod < 0) {
        tod += SQL_USECS_PER_DAY;
        days--;
    }
    julian_to_date((int32_t)(days + SQL_POSTGRES_EPOCH_JDATE), &f->year, &f->month, &f->day);
    f->hour = (int)(tod / USECS_PER_HOUR);
    tod -= f->hour * USECS_PER_HOUR;
    f->minute = (int)(tod / USECS_PER_MINUTE);
    tod -= f->minute * USECS_PER_MINUTE;
    f->second = (int)(tod / SQL_USECS_PER_SEC);
    f->usec = tod % SQL_USECS_PER_SEC;
}

/* false when out of the timestamp range */
static bool ts_join(const dt_fields *f, sql_timestamp *out)
{
    if (!julian_ok(f->year, f->month, f->day)) return false;
    int64_t days = (int64_t)date_to_julian(f->year, f->month, f->day) - SQL_POSTGRES_EPOCH_JDATE;
    int64_t tod = f->hour * USECS_PER_HOUR + f->minute * USECS_PER_MINUTE +
                  f->second * SQL_USECS_PER_SEC + f->usec;
    if (days > (INT64_MAX / SQL_USECS_PER_DAY) - 1 || days < (INT64_MIN / SQL_USECS_PER_DAY) + 1)
        return false;
    *out = days * SQL_USECS_PER_DAY + tod;
    return ts_valid(*out);
}

/* ---- output ---- */

static void format_ymd(int y, int m, int d, mice_buf *out)
{
    buf_printf(out, "%04d-%02d-%02d", y > 0 ? y : -(y - 1), m, d);
}

void datetime_format_date(sql_date d, mice_buf *out)
{
    if (d == SQL_DATE_NOBEGIN) return buf_append_str(out, "-infinity");
    if (d == SQL_DATE_NOEND) return buf_append_str(out, "infinity");
    int y, m, day;
    julian_to_date(d + SQL_POSTGRES_EPOCH_JDATE, &y, &m, &day);
    format_ymd(y, m, day, out);
    if (y <= 0) buf_append_str(out, " BC");
}

static void format_time(const dt_fields *f, mice_buf *out)
{
    buf_printf(out, " %02d:%02d:%02d", f->hour, f->minute, f->second);
    if (f->usec) {
        char frac[16];
        snprintf(frac, sizeof frac, ".%06d", (int)f->usec);
        size_t n = strlen(frac);
        while (frac[n - 1] == '0') n--;
        buf_append(out, frac, n);
    }
}

static void format_offset(int32_t east, mice_buf *out)
{
    int32_t a = east < 0 ? -east : east;
    buf_printf(out, "%c%02d", east < 0 ? '-' : '+', a / 3600);
    if (a % 3600) buf_printf(out, ":%02d", a % 3600 / 60);
    if (a % 60) buf_printf(out, ":%02d", a % 60);
}

static void format_ts(sql_timestamp ts, bool with_tz, int32_t east, mice_buf *out)
{
    if (ts == SQL_TS_NOBEGIN) return buf_append_str(out, "-infinity");
    if (ts == SQL_TS_NOEND) return buf_append_str(out, "infinity");
    dt_fields f;
    ts_split(ts, &f);
    format_ymd(f.year, f.month, f.day, out);
    format_time(&f, out);
    if (with_tz) format_offset(east, out);
    if (f.year <= 0) buf_append_str(out, " BC");
}

void datetime_format_timestamp(sql_timestamp ts, mice_buf *out)
{
    format_ts(ts, false, 0, out);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int32_t offset_at(const sql_tz *tz, sql_timestamp utc)
{
    if (!tz) return 0;
    int64_t unix_s = floor_div(utc, SQL_USECS_PER_SEC) + (int64_t)SQL_UNIX_EPOCH_DAYS * 86400;
    return tz_offset_at_utc(tz, unix_s);
}

static int32_t offset_for_local(const sql_tz *tz, sql_timestamp local)
{
    if (!tz) return 0;
    int64_t unix_s = floor_div(local, SQL_USECS_PER_SEC) + (int64_t)SQL_UNIX_EPOCH_DAYS * 86400;
    return tz_offset_for_local(tz, unix_s);
}

void datetime_format_timestamptz(sql_timestamp ts, const sql_tz *tz, mice_buf *out)
{
    if (!timestamp_is_finite(ts)) return format_ts(ts, false, 0, out);
    int32_t east = offset_at(tz, ts);
    sql_timestamp local = ts + east * SQL_USECS_PER_SEC;
    format_ts(local, true, east, out);
}

sql_timestamp timestamp_round_typmod(sql_timestamp ts, int32_t typmod)
{
    if (typmod < 0 || typmod >= 6 || !timestamp_is_finite(ts)) return ts;
    static const int64_t scales[] = {1000000, 100000, 10000, 1000, 100, 10};
    int64_t s = scales[typmod], off = s / 2;
    /* round half away from zero, as PostgreSQL's AdjustTimestampForTypmod */
    if (ts >= 0) return ((ts + off) / s) * s;
    return -((((-ts) + off) / s) * s);
}

/* ---- input ---- */

typedef enum { DTE_OK, DTE_FORMAT, DTE_FIELD, DTE_MD_FIELD, DTE_TZDISP, DTE_RANGE } dt_rc;
typedef enum { TK_NUM, TK_DATE, TK_TIME, TK_WORD, TK_OFFSET, TK_JULIAN } tok_kind;
typedef enum { SP_NONE, SP_EPOCH, SP_INF, SP_NINF, SP_NOW, SP_TODAY, SP_TOMORROW, SP_YESTERDAY } dt_special;

typedef struct dt_token {
    tok_kind kind;
    const char *p;
    int n;
} dt_token;

typedef struct dt_parse {
    dt_fields f;
    bool have_date, have_time, have_tz, bc, pm, am;
    bool month_first; /* "Jan 5 2024" (vs "5 Jan 2024") */
    bool year_short;  /* a 1-2 digit year: 70..99 -> 19xx, 00..69 -> 20xx unless BC */
    int32_t tz_east;
    sql_tz *zone; /* zone named in the input; owned */
    int nums[2], num_len[2], nnums;
    dt_special special;
} dt_parse;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const month_full[] = {"january", "february", "march",     "april",
                                         "may",     "june",     "july",      "august",
                                         "september", "october", "november", "december"};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat",
                                        "sunday", "monday", "tuesday", "wednesday",
                                        "thursday", "friday", "saturday", "tues", "wednes",
                                        "thur", "thurs"};

/* Common zone abbreviations from PostgreSQL's "Default" timezone_abbreviations set. */
static const struct {
    const char *name;
    int32_t east_s;
} zone_abbrevs[] = {
    {"z", 0},          {"utc", 0},        {"gmt", 0},        {"zulu", 0},       {"ut", 0},
    {"est", -5 * 3600}, {"edt", -4 * 3600}, {"cst", -6 * 3600}, {"cdt", -5 * 3600},
    {"mst", -7 * 3600}, {"mdt", -6 * 3600}, {"pst", -8 * 3600}, {"pdt", -7 * 3600},
    {"akst", -9 * 3600}, {"akdt", -8 * 3600}, {"hst", -10 * 3600}, {"wet", 0},
    {"west", 3600},    {"bst", 3600},     {"cet", 3600},     {"cest", 7200},    {"met", 3600},
    {"mest", 7200},    {"eet", 7200},     {"eest", 10800},   {"msk", 10800},    {"ist", 7200},
    {"jst", 9 * 3600}, {"kst", 9 * 3600}, {"hkt", 8 * 3600}, {"awst", 8 * 3600},
    {"acst", 34200},   {"acdt", 37800},   {"aest", 10 * 3600}, {"aedt", 11 * 3600},
    {"nzst", 12 * 3600}, {"nzdt", 13 * 3600},
};

static bool word_is(const char *p, int n, const char *w)
{
    return (int)strlen(w) == n && memcmp(p, w, (size_t)n) == 0;
}

bool datetime_zone_abbrev(const char *name, int32_t *east_s)
{
    for (size_t i = 0; i < sizeof zone_abbrevs / sizeof zone_abbrevs[0]; i++) {
        if (strcmp(name, zone_abbrevs[i].name) == 0) {
            *east_s = zone_abbrevs[i].east_s;
            return true;
        }
    }
    return false;
}

static int month_of(const char *p, int n)
{
    for (int i = 0; i < 12; i++)
        if (word_is(p, n, month_names[i]) || word_is(p, n, month_full[i])) return i + 1;
    if (word_is(p, n, "sept")) return 9;
    return 0;
}

static int tokenize(const char *s, int n, dt_token *tk, int *ntk)
{
    int i = 0, k = 0;
    while (i < n) {
        char c = s[i];
        int j = i;
        if (isspace((unsigned char)c) || c == ',') {
            i++;
            continue;
        }
        if (k == DT_TOKENS_MAX) return DTE_FORMAT;
        tok_kind kind;
        if (isdigit((unsigned char)c)) {
            while (j < n && isdigit((unsigned char)s[j])) j++;
            if (j < n && s[j] == ':') {
                kind = TK_TIME;
                while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ':' || s[j] == '.')) j++;
            } else if (j + 1 < n && strchr("-/.", s[j]) && isalnum((unsigned char)s[j + 1])) {
                kind = TK_DATE;
                while (j < n && (isalnum((unsigned char)s[j]) || strchr("-/.", s[j]))) {
                    if (isalpha((unsigned char)s[j]) && isdigit((unsigned char)s[j - 1])) break;
                    j++;
                }
            } else {
                kind = TK_NUM;
            }
        } else if (isalpha((unsigned char)c)) {
            kind = TK_WORD;
            while (j < n && (isalpha((unsigned char)s[j]) || s[j] == '/' || s[j] == '_')) j++;
            if (j + 1 < n && isdigit((unsigned char)s[j]) && isalpha((unsigned char)s[j + 1]))
                while (j < n && isalnum((unsigned char)s[j])) j++; /* EST5EDT-style zones */
            bool digit_next = j < n && isdigit((unsigned char)s[j]);
            if (j - i == 1 && c == 't' && digit_next) {
                i = j; /* ISO 8601 date/time separator */
                continue;
            }
            if (j - i == 1 && c == 'j' && digit_next) { /* Julian day: J2451545 */
                kind = TK_JULIAN;
                while (j < n && isdigit((unsigned char)s[j])) j++;
            } else if (j + 1 < n && s[j] == '-' && isdigit((unsigned char)s[j + 1]) &&
                       month_of(s + i, j - i)) { /* Jan-08-1999 */
                kind = TK_DATE;
                while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '-')) j++;
            }
        } else if (c == '+' || c == '-') {
            kind = TK_OFFSET;
            j++;
            while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ':')) j++;
            if (j == i + 1) return DTE_FORMAT;
        } else {
            return DTE_FORMAT;
        }
        tk[k++] = (dt_token){kind, s + i, j - i};
        i = j;
    }
    *ntk = k;
    return DTE_OK;
}

static bool read_int(const char *p, int n, int *out)
{
    if (n <= 0 || n > 9) return false;
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i])) return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return true;
}

/* Record a year field; two-digit years are resolved in finish_fields (not for BC). */
static int year_field_value(dt_parse *st, int y, int len)
{
    st->year_short = len <= 2;
    return y;
}

static int parse_date_token(const dt_token *t, dt_parse *st)
{
    const char *part[3];
    int len[3], np = 0;
    const char *p = t->p, *end = t->p + t->n;
    while (p < end) {
        if (np == 3) return DTE_FORMAT;
        const char *q = p;
        while (q < end && !strchr("-/.", *q)) q++;
        part[np] = p;
        len[np++] = (int)(q - p);
        p = q < end ? q + 1 : q;
    }
    if (np != 3 || st->have_date) return DTE_FORMAT;
    int v[3] = {0, 0, 0}, month_at = -1;
    for (int i = 0; i < 3; i++) {
        if (isalpha((unsigned char)part[i][0])) {
            if (month_at >= 0 || !(v[i] = month_of(part[i], len[i]))) return DTE_FORMAT;
            month_at = i;
        } else if (!read_int(part[i], len[i], &v[i])) {
            return DTE_FORMAT;
        }
    }
    dt_fields *f = &st->f;
    if (month_at >= 0) {
        int a = month_at == 0 ? 1 : 0, b = month_at == 2 ? 1 : 2;
        bool a_is_year = len[a] > 2;
        f->month = v[month_at];
        f->year = a_is_year ? v[a] : year_field_value(st, v[b], len[b]);
        f->day = a_is_year ? v[b] : v[a];
    } else if (len[0] > 2) {
        f->year = v[0], f->month = v[1], f->day = v[2];
    } else { /* DateStyle MDY */
        f->month = v[0], f->day = v[1], f->year = year_field_value(st, v[2], len[2]);
    }
    st->have_date = true;
    return DTE_OK;
}

static int parse_time_token(const dt_token *t, dt_parse *st)
{
    if (st->have_time) return DTE_FORMAT;
    const char *p = t->p, *end = t->p + t->n;
    int v[3] = {0, 0, 0}, nv = 0;
    double frac = 0;
    while (p < end && nv < 3) {
        const char *q = p;
        while (q < end && isdigit((unsigned char)*q)) q++;
        if (!read_int(p, (int)(q - p), &v[nv++])) return DTE_FORMAT;
        if (q < end && *q == '.' && nv == 3) {
            char buf[40] = "0";
            const char *r = q + 1;
            while (r < end && isdigit((unsigned char)*r)) r++;
            if (r != end || r - q >= (long)sizeof buf - 1) return DTE_FORMAT;
            memcpy(buf + 1, q, (size_t)(r - q));
            frac = strtod(buf, NULL);
            q = r;
        }
        if (q < end && *q != ':') return DTE_FORMAT;
        p = q < end ? q + 1 : q;
        if (q < end && p == end) return DTE_FORMAT;
    }
    if (p != end || nv < 2) return DTE_FORMAT;
    st->f.hour = v[0], st->f.minute = v[1], st->f.second = v[2];
    st->f.usec = (int64_t)rint(frac * 1000000.0);
    st->have_time = true;
    /* time fields are checked as they are read, before any zone (PostgreSQL's order) */
    if (v[0] > 24 || v[1] > 59 || v[2] > 60) return DTE_FIELD;
    if (v[0] == 24 && (v[1] || v[2] || st->f.usec)) return DTE_FIELD;
    return DTE_OK;
}

static int parse_offset_token(const dt_token *t, dt_parse *st)
{
    if (st->have_tz || !st->have_time) return DTE_FORMAT;
    int sign = t->p[0] == '-' ? -1 : 1;
    const char *p = t->p + 1, *end = t->p + t->n;
    int h = 0, m = 0, s = 0;
    const char *c1 = memchr(p, ':', (size_t)(end - p));
    if (!c1) {
        int n = (int)(end - p), v;
        if (!read_int(p, n, &v)) return DTE_FORMAT;
        if (n <= 2) h = v;
        else if (n <= 4) h = v / 100, m = v % 100;
        else if (n <= 6) h = v / 10000, m = v / 100 % 100, s = v % 100;
        else return DTE_FORMAT;
    } else {
        const char *c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
        if (!read_int(p, (int)(c1 - p), &h)) return DTE_FORMAT;
        if (!read_int(c1 + 1, (int)((c2 ? c2 : end) - c1 - 1), &m)) return DTE_FORMAT;
        if (c2 && !read_int(c2 + 1, (int)(end - c2 - 1), &s)) return DTE_FORMAT;
    }
    if (m > 59 || s > 59) return DTE_FIELD;
    if (h > 15) return DTE_TZDISP;
    st->tz_east = sign * (h * 3600 + m * 60 + s);
    st->have_tz = true;
    return DTE_OK;
}

static int parse_word(const dt_token *t, dt_parse *st, const sql_datetime_ctx *ctx)
{
    int m = month_of(t->p, t->n);
    if (m) {
        if (st->f.month || st->have_date) return DTE_FORMAT;
        st->f.month = m;
        st->month_first = st->nnums == 0;
        return DTE_OK;
    }
    if (word_is(t->p, t->n, "bc")) return st->bc ? DTE_FORMAT : (st->bc = true, DTE_OK);
    if (word_is(t->p, t->n, "ad")) return DTE_OK;
    if (word_is(t->p, t->n, "am")) return (st->am = true, DTE_OK);
    if (word_is(t->p, t->n, "pm")) return (st->pm = true, DTE_OK);
    for (size_t i = 0; i < sizeof day_names / sizeof day_names[0]; i++)
        if (word_is(t->p, t->n, day_names[i])) return DTE_OK;
    for (size_t i = 0; i < sizeof zone_abbrevs / sizeof zone_abbrevs[0]; i++) {
        if (word_is(t->p, t->n, zone_abbrevs[i].name)) {
            if (st->have_tz) return DTE_FORMAT;
            st->have_tz = true;
            st->tz_east = zone_abbrevs[i].east_s;
            return DTE_OK;
        }
    }
    bool has_digit = false;
    for (int i = 0; i < t->n; i++) has_digit |= isdigit((unsigned char)t->p[i]) != 0;
    if (st->have_tz || (!memchr(t->p, '/', (size_t)t->n) && !has_digit)) return DTE_FORMAT;
    /* IANA names are case-sensitive on disk and the input was lowercased: try the usual
     * capitalisation (first letter of each component) and then all upper case. */
    char name[DT_INPUT_MAX + 1];
    for (int attempt = 0; attempt < 2; attempt++) {
        for (int i = 0; i < t->n; i++) {
            bool start = i == 0 || t->p[i - 1] == '/' || t->p[i - 1] == '_';
            name[i] = (start || attempt) ? (char)toupper((unsigned char)t->p[i]) : t->p[i];
        }
        name[t->n] = '\0';
        if (!tz_create(name, ctx->zoneinfo_dir, &st->zone, NULL)) {
            st->have_tz = true;
            return DTE_OK;
        }
    }
    return DTE_FORMAT;
}

static int interpret(const dt_token *tk, int ntk, dt_parse *st, const sql_datetime_ctx *ctx)
{
    for (int i = 0; i < ntk; i++) {
        const dt_token *t = &tk[i];
        int rc = DTE_OK;
        switch (t->kind) {
        case TK_DATE:
            rc = parse_date_token(t, st);
            break;
        case TK_TIME:
            rc = parse_time_token(t, st);
            break;
        case TK_OFFSET:
            rc = parse_offset_token(t, st);
            break;
        case TK_WORD:
            rc = parse_word(t, st, ctx);
            break;
        case TK_JULIAN: {
            if (st->have_date || t->n > 10) return DTE_FORMAT;
            int64_t jd = 0;
            for (int k = 1; k < t->n; k++) jd = jd * 10 + (t->p[k] - '0');
            if (jd > INT32_MAX) return DTE_FIELD;
            julian_to_date((int32_t)jd, &st->f.year, &st->f.month, &st->f.day);
            st->have_date = true;
            break;
        }
        case TK_NUM:
            if ((t->n == 8 || t->n == 6) && !st->have_date && !st->f.month && st->nnums == 0) {
                int v = 0; /* YYYYMMDD or YYMMDD */
                read_int(t->p, t->n, &v);
                st->f.year = year_field_value(st, v / 10000, t->n - 4);
                st->f.month = v / 100 % 100, st->f.day = v % 100;
                st->have_date = true;
            } else if (st->nnums < 2 && !st->have_date) {
                if (!read_int(t->p, t->n, &st->nums[st->nnums])) return DTE_FORMAT;
                /* a leading day 0 ("0 Jan 2024") is a syntax error right away */
                if (st->nums[st->nnums] == 0 && t->n <= 2 && !st->f.month && st->nnums == 0)
                    return DTE_FORMAT;
                /* ...and a leading two-digit number that cannot be a day is out of range */
                if (st->nums[st->nnums] > 31 && t->n <= 2 && !st->f.month && st->nnums == 0)
                    return DTE_FIELD;
                st->num_len[st->nnums++] = t->n;
            } else {
                return DTE_FORMAT;
            }
            break;
        }
        if (rc) return rc;
    }
    return DTE_OK;
}

static int finish_fields(dt_parse *st)
{
    dt_fields *f = &st->f;
    if (!st->have_date) {
        if (!f->month || st->nnums != 2) return DTE_FORMAT;
        bool first_is_year = st->num_len[0] > 2;
        f->year = first_is_year ? st->nums[0] : year_field_value(st, st->nums[1], st->num_len[1]);
        f->day = first_is_year ? st->nums[1] : st->nums[0];
        st->have_date = true;
        /* "0 Jan 2024" does not parse as a date at all; "Jan 0 2024" is out of range */
        if (f->day == 0 && !st->month_first) return DTE_FORMAT;
    } else if (st->nnums) {
        return DTE_FORMAT;
    }
    if (st->am || st->pm) {
        if (!st->have_time || f->hour < 1 || f->hour > 12) return DTE_FIELD;
        if (st->am && f->hour == 12) f->hour = 0;
        else if (st->pm && f->hour != 12) f->hour += 12;
    }
    if (st->year_short && !st->bc) f->year += f->year < 70 ? 2000 : 1900;
    if (f->year == 0) return DTE_FIELD;
    if (st->bc) f->year = 1 - f->year;
    if (f->month > 12 || f->month < 1) return DTE_MD_FIELD;
    if (f->day < 1 || f->day > days_in_month(f->year, f->month)) return DTE_FIELD;
    return DTE_OK;
}

static dt_special special_word(const char *s, int n)
{
    static const struct {
        const char *w;
        dt_special sp;
    } words[] = {{"epoch", SP_EPOCH},       {"infinity", SP_INF},
                 {"-infinity", SP_NINF},    {"now", SP_NOW},        {"today", SP_TODAY},
                 {"tomorrow", SP_TOMORROW}, {"yesterday", SP_YESTERDAY}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (word_is(s, n, words[i].w)) return words[i].sp;
    return SP_NONE;
}

static mice_status dt_error(int rc, const char *typname, mice_slice text, sql_error *err)
{
    int n = text.n > 256 ? 256 : (int)text.n;
    const char *s = (const char *)text.p;
    switch (rc) {
    case DTE_FIELD:
    case DTE_MD_FIELD:
        sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_FIELD_OVERFLOW,
                   "date/time field value out of range: \"%.*s\"", n, s);
        if (rc == DTE_MD_FIELD) sqlerr_hint(err, "Perhaps you need a different \"datestyle\" setting.");
        return MICE_RANGE;
    case DTE_TZDISP:
        return sqlerr_set(err, MICE_RANGE, "22009", "time zone displacement out of range: \"%.*s\"",
                          n, s);
    case DTE_RANGE:
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "%s out of range: \"%.*s\"",
                          strcmp(typname, "date") == 0 ? "date" : "timestamp", n, s);
    default:
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_DATETIME_FORMAT,
                          "invalid input syntax for type %s: \"%.*s\"", typname, n, s);
    }
}

/* Lowercase, trimmed copy, tokens, fields. */
static const sql_datetime_ctx utc_ctx;

static int parse_common(mice_slice text, const sql_datetime_ctx *ctx, dt_parse *st)
{
    memset(st, 0, sizeof *st);
    const char *s = (const char *)text.p, *e = s + text.n;
    while (s < e && isspace((unsigned char)*s)) s++;
    while (e > s && isspace((unsigned char)e[-1])) e--;
    int n = (int)(e - s);
    if (n == 0 || n > DT_INPUT_MAX) return DTE_FORMAT;
    char low[DT_INPUT_MAX];
    for (int i = 0; i < n; i++) {
        if (s[i] == '\0') return DTE_FORMAT;
        low[i] = (char)tolower((unsigned char)s[i]);
    }
    st->special = special_word(low, n);
    if (st->special) return DTE_OK;
    dt_token tk[DT_TOKENS_MAX];
    int ntk = 0;
    int rc = tokenize(low, n, tk, &ntk);
    if (!rc) rc = interpret(tk, ntk, st, ctx);
    if (!rc) rc = finish_fields(st);
    return rc;
}

static sql_timestamp now_local(const sql_datetime_ctx *ctx)
{
    return ctx->now + offset_at(ctx->tz, ctx->now) * SQL_USECS_PER_SEC;
}

/* Local timestamp for a special word; false for infinities (handled by callers). */
static sql_timestamp special_local(dt_special sp, const sql_datetime_ctx *ctx)
{
    sql_timestamp local = now_local(ctx);
    sql_timestamp midnight = floor_div(local, SQL_USECS_PER_DAY) * SQL_USECS_PER_DAY;
    switch (sp) {
    case SP_EPOCH:
        return -(int64_t)SQL_UNIX_EPOCH_DAYS * SQL_USECS_PER_DAY;
    case SP_NOW:
        return local;
    case SP_TODAY:
        return midnight;
    case SP_TOMORROW:
        return midnight + SQL_USECS_PER_DAY;
    case SP_YESTERDAY:
        return midnight - SQL_USECS_PER_DAY;
    default:
        mice_unreachable();
    }
}

mice_status datetime_parse_date(mice_slice text, const sql_datetime_ctx *ctx, sql_date *out,
                                sql_error *err)
{
    dt_parse st;
    if (!ctx) ctx = &utc_ctx;
    int rc = parse_common(text, ctx, &st);
    tz_destroy(st.zone);
    if (rc) return dt_error(rc, "date", text, err);
    if (st.special == SP_INF || st.special == SP_NINF) {
        *out = st.special == SP_INF ? SQL_DATE_NOEND : SQL_DATE_NOBEGIN;
        return MICE_OK;
    }
    if (st.special) {
        *out = (sql_date)floor_div(special_local(st.special, ctx), SQL_USECS_PER_DAY);
        return MICE_OK;
    }
    if (!julian_ok(st.f.year, st.f.month, st.f.day)) return dt_error(DTE_RANGE, "date", text, err);
    int32_t jd = date_to_julian(st.f.year, st.f.month, st.f.day);
    if (jd < 0 || jd >= DATE_END_JULIAN) return dt_error(DTE_RANGE, "date", text, err);
    *out = jd - SQL_POSTGRES_EPOCH_JDATE;
    return MICE_OK;
}

static mice_status parse_ts(mice_slice text, const sql_datetime_ctx *ctx, bool with_tz,
                            sql_timestamp *out, sql_error *err)
{
    const char *typname = with_tz ? "timestamp with time zone" : "timestamp";
    dt_parse st;
    if (!ctx) ctx = &utc_ctx;
    int rc = parse_common(text, ctx, &st);
    if (rc) {
        tz_destroy(st.zone);
        return dt_error(rc, typname, text, err);
    }
    if (st.special == SP_INF || st.special == SP_NINF) {
        *out = st.special == SP_INF ? SQL_TS_NOEND : SQL_TS_NOBEGIN;
        return MICE_OK;
    }
    if (st.special == SP_NOW && with_tz) {
        *out = ctx->now;
        return MICE_OK;
    }
    sql_timestamp local = 0;
    if (st.special) {
        local = special_local(st.special, ctx);
        if (st.special == SP_EPOCH && with_tz) {
            *out = local;
            return MICE_OK;
        }
    } else if (!ts_join(&st.f, &local)) {
        tz_destroy(st.zone);
        return dt_error(DTE_RANGE, typname, text, err);
    }
    if (!with_tz) {
        tz_destroy(st.zone);
        *out = local;
        return MICE_OK;
    }
    int32_t east = st.zone ? offset_for_local(st.zone, local)
                   : st.have_tz ? st.tz_east
                                : offset_for_local(ctx->tz, local);
    tz_destroy(st.zone);
    *out = local - east * SQL_USECS_PER_SEC;
    if (!ts_valid(*out)) return dt_error(DTE_RANGE, typname, text, err);
    return MICE_OK;
}

mice_status datetime_parse_timestamp(mice_slice text, const sql_datetime_ctx *ctx,
                                     sql_timestamp *out, sql_error *err)
{
    return parse_ts(text, ctx, false, out, err);
}

mice_status datetime_parse_timestamptz(mice_slice text, const sql_datetime_ctx *ctx,
                                       sql_timestamp *out, sql_error *err)
{
    return parse_ts(text, ctx, true, out, err);
}

/* ---- conversions ---- */

static mice_status ts_range_error(sql_error *err)
{
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                      "timestamp out of range");
}

mice_status date_to_timestamp(sql_date d, sql_timestamp *out, sql_error *err)
{
    if (d == SQL_DATE_NOBEGIN) *out = SQL_TS_NOBEGIN;
    else if (d == SQL_DATE_NOEND) *out = SQL_TS_NOEND;
    else if (d >= TIMESTAMP_END_JULIAN - SQL_POSTGRES_EPOCH_JDATE)
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "date out of range for timestamp");
    else *out = (int64_t)d * SQL_USECS_PER_DAY;
    return MICE_OK;
}

sql_date timestamp_to_date(sql_timestamp ts)
{
    if (ts == SQL_TS_NOBEGIN) return SQL_DATE_NOBEGIN;
    if (ts == SQL_TS_NOEND) return SQL_DATE_NOEND;
    return (sql_date)floor_div(ts, SQL_USECS_PER_DAY);
}

mice_status timestamp_to_timestamptz(sql_timestamp ts, const sql_tz *tz, sql_timestamp *out,
                                     sql_error *err)
{
    if (!timestamp_is_finite(ts)) {
        *out = ts;
        return MICE_OK;
    }
    *out = ts - offset_for_local(tz, ts) * SQL_USECS_PER_SEC;
    if (!ts_valid(*out)) return ts_range_error(err);
    return MICE_OK;
}

mice_status timestamptz_to_timestamp(sql_timestamp ts, const sql_tz *tz, sql_timestamp *out,
                                     sql_error *err)
{
    if (!timestamp_is_finite(ts)) {
        *out = ts;
        return MICE_OK;
    }
    *out = ts + offset_at(tz, ts) * SQL_USECS_PER_SEC;
    if (!ts_valid(*out)) return ts_range_error(err);
    return MICE_OK;
}

mice_status date_to_timestamptz(sql_date d, const sql_tz *tz, sql_timestamp *out, sql_error *err)
{
    sql_timestamp local = 0;
    mice_status rc = date_to_timestamp(d, &local, err);
    if (rc) return rc;
    return timestamp_to_timestamptz(local, tz, out, err);
}

sql_date timestamptz_to_date(sql_timestamp ts, const sql_tz *tz)
{
    if (!timestamp_is_finite(ts)) return timestamp_to_date(ts);
    return timestamp_to_date(ts + offset_at(tz, ts) * SQL_USECS_PER_SEC);
}

mice_status date_add_days(sql_date d, int64_t days, sql_date *out, sql_error *err)
{
    if (!date_is_finite(d)) {
        *out = d;
        return MICE_OK;
    }
    int64_t r = (int64_t)d + days;
    if (r < -SQL_POSTGRES_EPOCH_JDATE || r >= DATE_END_JULIAN - SQL_POSTGRES_EPOCH_JDATE)
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE, "date out of range");
    *out = (sql_date)r;
    return MICE_OK;
}

mice_status date_diff_days(sql_date a, sql_date b, int32_t *out, sql_error *err)
{
    if (!date_is_finite(a) || !date_is_finite(b))
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "cannot subtract infinite dates");
    *out = a - b;
    return MICE_OK;
}

mice_status timestamp_diff_us(sql_timestamp a, sql_timestamp b, int64_t *out, sql_error *err)
{
    if (!timestamp_is_finite(a) || !timestamp_is_finite(b))
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "cannot subtract infinite timestamps");
    if (__builtin_sub_overflow(a, b, out))
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "interval out of range");
    return MICE_OK;
}

bool timestamp_to_unix_us(sql_timestamp ts, int64_t *out)
{
    return !__builtin_add_overflow(ts, (int64_t)SQL_UNIX_EPOCH_DAYS * SQL_USECS_PER_DAY, out);
}

/* Seconds since 1970 and the microseconds past them (0..999999): never overflows. */
static void timestamp_to_unix_split(sql_timestamp ts, int64_t *secs, int64_t *us)
{
    int64_t s = floor_div(ts, SQL_USECS_PER_SEC);
    *us = ts - s * SQL_USECS_PER_SEC;
    *secs = s + (int64_t)SQL_UNIX_EPOCH_DAYS * SECS_PER_DAY;
}

mice_status timestamp_from_unix_us(int64_t unix_us, sql_timestamp *out, sql_error *err)
{
    if (__builtin_sub_overflow(unix_us, (int64_t)SQL_UNIX_EPOCH_DAYS * SQL_USECS_PER_DAY, out) ||
        !ts_valid(*out))
        return ts_range_error(err);
    return MICE_OK;
}

mice_status timestamptz_from_unix_seconds(double secs, sql_timestamp *out, sql_error *err)
{
    if (isnan(secs))
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "timestamp cannot be NaN");
    if (isinf(secs)) {
        *out = secs > 0 ? SQL_TS_NOEND : SQL_TS_NOBEGIN;
        return MICE_OK;
    }
    double min_s = (double)MIN_TIMESTAMP / 1e6 + SQL_UNIX_EPOCH_DAYS * 86400.0;
    double end_s = (double)END_TIMESTAMP / 1e6 + SQL_UNIX_EPOCH_DAYS * 86400.0;
    if (secs < min_s || secs >= end_s)
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "timestamp out of range: \"%g\"", secs);
    double us = rint((secs - SQL_UNIX_EPOCH_DAYS * 86400.0) * 1e6);
    *out = (sql_timestamp)us;
    if (!ts_valid(*out)) return ts_range_error(err);
    return MICE_OK;
}

/* ---- extract and date_trunc ---- */

static const struct {
    const char *name;
    sql_dt_field field;
} field_names[] = {
    {"microseconds", SQL_DT_MICROSECONDS}, {"microsecond", SQL_DT_MICROSECONDS},
    {"us", SQL_DT_MICROSECONDS},           {"usec", SQL_DT_MICROSECONDS},
    {"usecs", SQL_DT_MICROSECONDS},        {"milliseconds", SQL_DT_MILLISECONDS},
    {"millisecond", SQL_DT_MILLISECONDS},  {"ms", SQL_DT_MILLISECONDS},
    {"msec", SQL_DT_MILLISECONDS},         {"msecs", SQL_DT_MILLISECONDS},
    {"second", SQL_DT_SECOND},             {"seconds", SQL_DT_SECOND},
    {"s", SQL_DT_SECOND},                  {"sec", SQL_DT_SECOND},
    {"secs", SQL_DT_SECOND},               {"minute", SQL_DT_MINUTE},
    {"minutes", SQL_DT_MINUTE},            {"m", SQL_DT_MINUTE},
    {"min", SQL_DT_MINUTE},                {"mins", SQL_DT_MINUTE},
    {"hour", SQL_DT_HOUR},                 {"hours", SQL_DT_HOUR},
    {"h", SQL_DT_HOUR},                    {"hr", SQL_DT_HOUR},
    {"hrs", SQL_DT_HOUR},                  {"day", SQL_DT_DAY},
    {"days", SQL_DT_DAY},                  {"d", SQL_DT_DAY},
    {"week", SQL_DT_WEEK},                 {"weeks", SQL_DT_WEEK},
    {"w", SQL_DT_WEEK},                    {"month", SQL_DT_MONTH},
    {"months", SQL_DT_MONTH},              {"mon", SQL_DT_MONTH},
    {"mons", SQL_DT_MONTH},                {"quarter", SQL_DT_QUARTER},
    {"qtr", SQL_DT_QUARTER},               {"year", SQL_DT_YEAR},
    {"years", SQL_DT_YEAR},                {"y", SQL_DT_YEAR},
    {"yr", SQL_DT_YEAR},                   {"yrs", SQL_DT_YEAR},
    {"decade", SQL_DT_DECADE},             {"decades", SQL_DT_DECADE},
    {"dec", SQL_DT_DECADE},                {"century", SQL_DT_CENTURY},
    {"centuries", SQL_DT_CENTURY},         {"c", SQL_DT_CENTURY},
    {"cent", SQL_DT_CENTURY},              {"millennium", SQL_DT_MILLENNIUM},
    {"millennia", SQL_DT_MILLENNIUM},      {"mil", SQL_DT_MILLENNIUM},
    {"mils", SQL_DT_MILLENNIUM},           {"millenniums", SQL_DT_MILLENNIUM},
    {"dow", SQL_DT_DOW},                   {"isodow", SQL_DT_ISODOW},
    {"doy", SQL_DT_DOY},                   {"isoyear", SQL_DT_ISOYEAR},
    {"epoch", SQL_DT_EPOCH},               {"julian", SQL_DT_JULIAN},
    {"j", SQL_DT_JULIAN},                  {"timezone", SQL_DT_TIMEZONE},
    {"timezone_h", SQL_DT_TIMEZONE_HOUR},  {"timezone_hour", SQL_DT_TIMEZONE_HOUR},
    {"timezone_m", SQL_DT_TIMEZONE_MINUTE}, {"timezone_minute", SQL_DT_TIMEZONE_MINUTE},
};

static void lower_name(const char *in, char *out, size_t cap)
{
    size_t i = 0;
    for (; in[i] && i + 1 < cap; i++) out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

bool datetime_field_lookup(const char *name, sql_dt_field *out)
{
    char low[32];
    lower_name(name, low, sizeof low);
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++) {
        if (strcmp(field_names[i].name, low) == 0) {
            *out = field_names[i].field;
            return true;
        }
    }
    return false;
}

static int iso_week(int y, int m, int d, int *iso_year)
{
    int dayn = date_to_julian(y, m, d);
    int day4 = date_to_julian(y, 1, 4);
    int day0 = j2day(day4 - 1);
    *iso_year = y;
    if (dayn < day4 - day0) {
        day4 = date_to_julian(y - 1, 1, 4);
        day0 = j2day(day4 - 1);
        *iso_year = y - 1;
    }
    int week = (dayn - (day4 - day0)) / 7 + 1;
    if (week >= 52) {
        int next4 = date_to_julian(y + 1, 1, 4);
        int next0 = j2day(next4 - 1);
        if (dayn >= next4 - next0) {
            week = (dayn - (next4 - next0)) / 7 + 1;
            *iso_year = y + 1;
        }
    }
    return week;
}

static int64_t year_field(sql_dt_field field, int year)
{
    switch (field) {
    case SQL_DT_DECADE:
        return year >= 0 ? year / 10 : -((8 - (year - 1)) / 10);
    case SQL_DT_CENTURY:
        return year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100);
    case SQL_DT_MILLENNIUM:
        return year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
    default:
        return year > 0 ? year : year - 1;
    }
}

/* Fields common to dates and timestamps; false when not a calendar field. */
static bool calendar_field(sql_dt_field field, const dt_fields *f, int64_t *v)
{
    int jd = date_to_julian(f->year, f->month, f->day), iso_year;
    switch (field) {
    case SQL_DT_DAY: *v = f->day; return true;
    case SQL_DT_MONTH: *v = f->month; return true;
    case SQL_DT_QUARTER: *v = (f->month - 1) / 3 + 1; return true;
    case SQL_DT_YEAR:
    case SQL_DT_DECADE:
    case SQL_DT_CENTURY:
    case SQL_DT_MILLENNIUM: *v = year_field(field, f->year); return true;
    case SQL_DT_WEEK: *v = iso_week(f->year, f->month, f->day, &iso_year); return true;
    case SQL_DT_ISOYEAR:
        iso_week(f->year, f->month, f->day, &iso_year);
        *v = iso_year <= 0 ? iso_year - 1 : iso_year;
        return true;
    case SQL_DT_DOW: *v = j2day(jd); return true;
    case SQL_DT_ISODOW: *v = j2day(jd) == 0 ? 7 : j2day(jd); return true;
    case SQL_DT_DOY: *v = jd - date_to_julian(f->year, 1, 1) + 1; return true;
    default: return false;
    }
}

static void date_split(sql_date d, dt_fields *f)
{
    *f = (dt_fields){0};
    julian_to_date(d + SQL_POSTGRES_EPOCH_JDATE, &f->year, &f->month, &f->day);
}

/* Microseconds since 1970 (scale 6) when they fit in int64. In the top 29 years of the
 * range they do not: then 10 us units (scale 5, truncated), plenty for date_part's
 * float8; datetime_extract_numeric prints the exact value from the timestamp itself. */
static void epoch_result(sql_timestamp ts, sql_extract_result *out)
{
    out->scale = 6;
    if (timestamp_to_unix_us(ts, &out->value)) return;
    int64_t secs, us;
    timestamp_to_unix_split(ts, &secs, &us);
    out->value =
        secs * EPOCH_COARSE_UNITS_PER_SEC + us / (SQL_USECS_PER_SEC / EPOCH_COARSE_UNITS_PER_SEC);
    out->scale = 5;
}

/* The exact epoch of a finite timestamp as numeric text, "-210866803199.750000". */
static void epoch_text(sql_timestamp ts, char *text, size_t cap)
{
    int64_t secs, us;
    timestamp_to_unix_split(ts, &secs, &us);
    bool neg = secs < 0;
    if (neg && us) secs += 1, us = SQL_USECS_PER_SEC - us; /* to sign and magnitude */
    snprintf(text, cap, "%s%lld.%06lld", neg ? "-" : "", (long long)(neg ? -secs : secs),
             (long long)us);
}

static bool monotonic_field(sql_dt_field f)
{
    return f == SQL_DT_YEAR || f == SQL_DT_DECADE || f == SQL_DT_CENTURY ||
           f == SQL_DT_MILLENNIUM || f == SQL_DT_JULIAN || f == SQL_DT_ISOYEAR || f == SQL_DT_EPOCH;
}

static const char *type_label(sql_type_id type)
{
    return type == SQL_TYPE_DATE ? "date"
           : type == SQL_TYPE_TIMESTAMP ? "timestamp without time zone"
                                        : "timestamp with time zone";
}

static mice_status unit_error(bool known, const char *field, sql_type_id type, sql_error *err)
{
    char low[32];
    lower_name(field, low, sizeof low);
    if (known)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "unit \"%s\" not supported for type %s", low, type_label(type));
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "unit \"%s\" not recognized for type %s", low, type_label(type));
}

static bool time_field(sql_dt_field field, const dt_fields *f, int64_t *v, int *scale)
{
    int64_t us = f->second * SQL_USECS_PER_SEC + f->usec;
    switch (field) {
    case SQL_DT_MICROSECONDS: *v = us; return true;
    case SQL_DT_MILLISECONDS: *v = us, *scale = 3; return true;
    case SQL_DT_SECOND: *v = us, *scale = 6; return true;
    case SQL_DT_MINUTE: *v = f->minute; return true;
    case SQL_DT_HOUR: *v = f->hour; return true;
    default: return false;
    }
}

mice_status datetime_extract(const char *field, sql_type_id type, int64_t v, const sql_tz *tz,
                             sql_extract_result *out, sql_error *err)
{
    sql_dt_field fld;
    bool known = datetime_field_lookup(field, &fld);
    if (!known) return unit_error(false, field, type, err);
    memset(out, 0, sizeof *out);
    bool is_date = type == SQL_TYPE_DATE;
    bool finite = is_date ? date_is_finite((sql_date)v) : timestamp_is_finite(v);
    bool tzfield = fld == SQL_DT_TIMEZONE || fld == SQL_DT_TIMEZONE_HOUR ||
                   fld == SQL_DT_TIMEZONE_MINUTE;
    /* infinite timestamps answer every known unit (PostgreSQL checks them first) */
    bool unsupported = (tzfield && type != SQL_TYPE_TIMESTAMPTZ) ||
                       (is_date && (fld <= SQL_DT_HOUR || tzfield));
    if (unsupported && (is_date || finite)) return unit_error(true, field, type, err);
    if (!finite) {
        bool pos = is_date ? v == SQL_DATE_NOEND : v == SQL_TS_NOEND;
        out->kind = !monotonic_field(fld) ? SQL_EXTRACT_NULL
                    : pos                 ? SQL_EXTRACT_PINF
                                          : SQL_EXTRACT_NINF;
        return MICE_OK;
    }
    int32_t east = type == SQL_TYPE_TIMESTAMPTZ ? offset_at(tz, v) : 0;
    /* A date is split on its own: most dates lie past the timestamp range. */
    sql_timestamp local = is_date ? 0 : v + east * SQL_USECS_PER_SEC;
    dt_fields f;
    if (is_date)
        date_split((sql_date)v, &f);
    else
        ts_split(local, &f);
    if (calendar_field(fld, &f, &out->value) || time_field(fld, &f, &out->value, &out->scale))
        return MICE_OK;
    switch (fld) {
    case SQL_DT_EPOCH:
        if (is_date)
            out->value = ((int64_t)v + SQL_UNIX_EPOCH_DAYS) * SECS_PER_DAY;
        else
            epoch_result(v, out);
        return MICE_OK;
    case SQL_DT_JULIAN:
        out->value = date_to_julian(f.year, f.month, f.day);
        out->day_us = local - floor_div(local, SQL_USECS_PER_DAY) * SQL_USECS_PER_DAY;
        return MICE_OK;
    case SQL_DT_TIMEZONE: out->value = east; return MICE_OK;
    case SQL_DT_TIMEZONE_HOUR: out->value = east / 3600; return MICE_OK;
    case SQL_DT_TIMEZONE_MINUTE: out->value = (east / 60) % 60; return MICE_OK;
    default: mice_unreachable();
    }
}

static void trunc_year(sql_dt_field fld, dt_fields *f)
{
    int y = f->year;
    if (fld == SQL_DT_MILLENNIUM)
        f->year = y > 0 ? ((y + 999) / 1000) * 1000 - 999 : -((999 - (y - 1)) / 1000) * 1000 + 1;
    else if (fld == SQL_DT_CENTURY)
        f->year = y > 0 ? ((y + 99) / 100) * 100 - 99 : -((99 - (y - 1)) / 100) * 100 + 1;
    else if (fld == SQL_DT_DECADE)
        f->year = y > 0 ? (y / 10) * 10 : -((8 - (y - 1)) / 10) * 10;
}

/* Truncate broken-down local time; false for units date_trunc does not take. */
static bool trunc_fields(sql_dt_field fld, dt_fields *f)
{
    switch (fld) {
    case SQL_DT_MILLENNIUM:
    case SQL_DT_CENTURY:
    case SQL_DT_DECADE:
        trunc_year(fld, f);
        /* fall through */
    case SQL_DT_YEAR: f->month = 1; /* fall through */
    case SQL_DT_QUARTER: f->month = 3 * ((f->month - 1) / 3) + 1; /* fall through */
    case SQL_DT_MONTH: f->day = 1; /* fall through */
    case SQL_DT_DAY: f->hour = 0; /* fall through */
    case SQL_DT_HOUR: f->minute = 0; /* fall through */
    case SQL_DT_MINUTE: f->second = 0; /* fall through */
    case SQL_DT_SECOND: f->usec = 0; return true;
    case SQL_DT_MILLISECONDS: f->usec = (f->usec / 1000) * 1000; return true;
    case SQL_DT_MICROSECONDS: return true;
    case SQL_DT_WEEK: {
        int jd = date_to_julian(f->year, f->month, f->day);
        jd -= (j2day(jd) + 6) % 7; /* back to Monday */
        julian_to_date(jd, &f->year, &f->month, &f->day);
        f->hour = f->minute = f->second = 0;
        f->usec = 0;
        return true;
    }
    default: return false;
    }
}

mice_status datetime_trunc(const char *field, sql_type_id type, sql_timestamp ts,
                           const sql_tz *tz, sql_timestamp *out, sql_error *err)
{
    sql_dt_field fld;
    if (!timestamp_is_finite(ts)) { /* PostgreSQL returns these before looking at the unit */
        *out = ts;
        return MICE_OK;
    }
    bool tzfield = false;
    if (datetime_field_lookup(field, &fld))
        tzfield = fld == SQL_DT_TIMEZONE || fld == SQL_DT_TIMEZONE_HOUR ||
                  fld == SQL_DT_TIMEZONE_MINUTE;
    else fld = SQL_DT_DOW; /* unknown: "not recognized" below */
    bool with_tz = type == SQL_TYPE_TIMESTAMPTZ;
    int32_t east = with_tz ? offset_at(tz, ts) : 0;
    dt_fields f;
    ts_split(ts + east * SQL_USECS_PER_SEC, &f);
    /* units PostgreSQL parses as UNITS but cannot truncate are "not supported", the
     * others (dow, epoch, julian...) "not recognized" */
    if (!trunc_fields(fld, &f)) return unit_error(tzfield, field, type, err);
    sql_timestamp local;
    if (!ts_join(&f, &local)) return ts_range_error(err);
    if (!with_tz) {
        *out = local;
        return MICE_OK;
    }
    bool redo_tz = fld != SQL_DT_HOUR && fld != SQL_DT_MINUTE && fld != SQL_DT_SECOND &&
                   fld != SQL_DT_MILLISECONDS && fld != SQL_DT_MICROSECONDS;
    if (redo_tz) east = offset_for_local(tz, local);
    *out = local - east * SQL_USECS_PER_SEC;
    return MICE_OK;
}

mice_status datetime_extract_numeric(const char *field, sql_type_id type, int64_t v,
                                     const sql_tz *tz, mice_arena *arena,
                                     const sql_numeric **out, bool *is_null, sql_error *err)
{
    sql_extract_result r;
    mice_status rc = datetime_extract(field, type, v, tz, &r, err);
    if (rc) return rc;
    *is_null = r.kind == SQL_EXTRACT_NULL;
    if (*is_null) return MICE_OK;
    sql_dt_field fld;
    datetime_field_lookup(field, &fld); /* known: datetime_extract accepted it */
    char text[48];
    if (r.kind != SQL_EXTRACT_FINITE) {
        snprintf(text, sizeof text, "%sInfinity", r.kind == SQL_EXTRACT_NINF ? "-" : "");
    } else if (fld == SQL_DT_EPOCH && type != SQL_TYPE_DATE) {
        epoch_text(v, text, sizeof text); /* r.value may be rounded: see epoch_result() */
    } else {
        int64_t p = 1;
        for (int i = 0; i < r.scale; i++) p *= 10;
        uint64_t a = r.value < 0 ? (uint64_t)0 - (uint64_t)r.value : (uint64_t)r.value;
        if (r.scale)
            snprintf(text, sizeof text, "%s%llu.%0*llu", r.value < 0 ? "-" : "",
                     (unsigned long long)(a / (uint64_t)p), r.scale,
                     (unsigned long long)(a % (uint64_t)p));
        else
            snprintf(text, sizeof text, "%lld", (long long)r.value);
    }
    rc = numeric_parse(mice_slice_str(text), arena, out, err);
    bool julian_ts = r.kind == SQL_EXTRACT_FINITE && type != SQL_TYPE_DATE && fld == SQL_DT_JULIAN;
    if (rc || !julian_ts) return rc;
    const sql_numeric *us, *day, *frac;
    rc = numeric_from_int64(r.day_us, arena, &us, err);
    if (!rc) rc = numeric_from_int64(SQL_USECS_PER_DAY, arena, &day, err);
    if (!rc) rc = numeric_div(us, day, arena, &frac, err);
    if (!rc) rc = numeric_add(*out, frac, arena, out, err);
    return rc;
}
