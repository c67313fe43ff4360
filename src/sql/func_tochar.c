/* func_tochar.c - to_char(timestamp|timestamptz, text) and to_char(int|numeric|float8,
 * text), after PostgreSQL's formatting.c for the common patterns.
 * Date/time: HH24 HH12 HH MI SS MS US SSSS AM PM A.M. P.M. (and lowercase) Y,YYY YYYY YYY
 * YY Y IYYY IYY IY BC AD B.C. A.D. MONTH Month month MON Mon mon MM DAY Day day DY Dy dy
 * DDD DD D IDDD ID WW IW W CC Q J TZ tz OF, the FM prefix, TH/th suffixes, "quoted"
 * text and backslash escapes. TZ prints "UTC" in UTC and the numeric offset elsewhere
 * (zone abbreviations are not available from sql/tz).
 * Numbers: 9 0 . D , G S MI PL SG FM and literal text; not EEEE, V, RN, TH, PR, L. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/func_int.h"
#include "sql/value_io.h"

/* ---- date/time ---- */

typedef struct tm_fields {
    int year, mon, mday, hour, min, sec, usec, dow, doy, jd, isoyear, isoweek, isodoy;
    int gmtoff; /* seconds east */
    bool has_tz, utc;
    bool interval; /* fields of an interval: signed, years as they are, no calendar names */
} tm_fields;

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

static int j2day(int jd)
{
    int d = (jd + 1) % 7;
    return d < 0 ? d + 7 : d;
}

/* PostgreSQL's date2isoweek / date2isoyear. */
static void iso_week(int year, int jd, int *isoyear, int *week)
{
    int y = year, day0 = date_to_julian(y, 1, 4), day4 = j2day(day0 - 1);
    if (jd < day0 - day4) {
        y--;
        day0 = date_to_julian(y, 1, 4);
        day4 = j2day(day0 - 1);
    }
    int w = (jd - (day0 - day4)) / 7 + 1;
    if (w >= 52) {
        int n0 = date_to_julian(y + 1, 1, 4), n4 = j2day(n0 - 1);
        if (jd >= n0 - n4) {
            y++;
            w = 1;
        }
    }
    *isoyear = y;
    *week = w;
}

static void fill_tm(sql_timestamp ts, tm_fields *t)
{
    int64_t days = ts / SQL_USECS_PER_DAY, tod = ts % SQL_USECS_PER_DAY;
    if (tod < 0) {
        tod += SQL_USECS_PER_DAY;
        days--;
    }
    t->jd = (int)(days + SQL_POSTGRES_EPOCH_JDATE);
    julian_to_date(t->jd, &t->year, &t->mon, &t->mday);
    t->hour = (int)(tod / 3600000000);
    t->min = (int)(tod / 60000000 % 60);
    t->sec = (int)(tod / 1000000 % 60);
    t->usec = (int)(tod % 1000000);
    t->dow = j2day(t->jd);
    t->doy = t->jd - date_to_julian(t->year, 1, 1) + 1;
    iso_week(t->year, t->jd, &t->isoyear, &t->isoweek);
    int first = date_to_julian(t->isoyear, 1, 4);
    t->isodoy = t->jd - (first - (j2day(first) + 6) % 7) + 1;
}

/* to_char(interval): the interval's fields as PostgreSQL's interval_to_char sets them (the
 * day of the year approximates the span in 30-day months; the ISO and Julian fields are
 * computed from the fields as if they were a date, as PostgreSQL does). */
static void fill_tm_interval(const sql_interval *iv, tm_fields *t)
{
    int64_t time = iv->time;
    t->interval = true;
    t->year = iv->month / 12;
    t->mon = iv->month % 12;
    t->mday = iv->day;
    t->hour = (int)(time / 3600000000);
    time -= (int64_t)t->hour * 3600000000;
    t->min = (int)(time / 60000000);
    time -= (int64_t)t->min * 60000000;
    t->sec = (int)(time / 1000000);
    t->usec = (int)(time - (int64_t)t->sec * 1000000);
    t->doy = (t->year * 12 + t->mon) * 30 + t->mday;
    t->jd = date_to_julian(t->year, t->mon, t->mday);
    iso_week(t->year, t->jd, &t->isoyear, &t->isoweek);
    int first = date_to_julian(t->isoyear, 1, 4);
    t->isodoy = t->jd - (first - (j2day(first) + 6) % 7) + 1;
}

typedef struct dch_kw {
    const char *name;
    int id;
} dch_kw;

enum {
    K_HH24,
    K_HH12,
    K_HH,
    K_MI,
    K_SSSS,
    K_SS,
    K_MS,
    K_US,
    K_AM,
    K_PM,
    K_AM_DOT,
    K_PM_DOT,
    K_YCOMMA,
    K_YYYY,
    K_YYY,
    K_YY,
    K_Y,
    K_IYYY,
    K_IYY,
    K_IY,
    K_BC,
    K_AD,
    K_BC_DOT,
    K_AD_DOT,
    K_MONTH,
    K_MON,
    K_MM,
    K_DAY,
    K_DY,
    K_DDD,
    K_DD,
    K_D,
    K_IDDD,
    K_ID,
    K_WW,
    K_IW,
    K_W,
    K_CC,
    K_Q,
    K_J,
    K_TZ,
    K_OF,
};

/* Upper-case spellings; an all-lowercase spelling matches too (PostgreSQL lists both),
 * and the text patterns also accept the capitalised form (Month, Mon, Day, Dy). */
static const dch_kw dch_keywords[] = {
    {"HH24", K_HH24},    {"HH12", K_HH12},   {"HH", K_HH},   {"MI", K_MI},
    {"SSSS", K_SSSS},    {"SS", K_SS},       {"MS", K_MS},   {"US", K_US},
    {"A.M.", K_AM_DOT},  {"P.M.", K_PM_DOT}, {"AM", K_AM},   {"PM", K_PM},
    {"Y,YYY", K_YCOMMA}, {"YYYY", K_YYYY},   {"YYY", K_YYY}, {"YY", K_YY},
    {"Y", K_Y},          {"IYYY", K_IYYY},   {"IYY", K_IYY}, {"IY", K_IY},
    {"B.C.", K_BC_DOT},  {"A.D.", K_AD_DOT}, {"BC", K_BC},   {"AD", K_AD},
    {"MONTH", K_MONTH},  {"MON", K_MON},     {"MM", K_MM},   {"DAY", K_DAY},
    {"DY", K_DY},        {"DDD", K_DDD},     {"DD", K_DD},   {"D", K_D},
    {"IDDD", K_IDDD},    {"ID", K_ID},       {"WW", K_WW},   {"IW", K_IW},
    {"W", K_W},          {"CC", K_CC},       {"Q", K_Q},     {"J", K_J},
    {"TZ", K_TZ},        {"OF", K_OF},
};

typedef enum { CASE_UPPER, CASE_LOWER, CASE_TITLE } kw_case;

static bool is_text_kw(int id)
{
    return id == K_MONTH || id == K_MON || id == K_DAY || id == K_DY;
}

static const dch_kw *match_kw(const char *p, size_t left, kw_case *cs, size_t *len)
{
    for (size_t i = 0; i < sizeof dch_keywords / sizeof dch_keywords[0]; i++) {
        const dch_kw *k = &dch_keywords[i];
        size_t n = strlen(k->name);
        if (n > left) continue;
        if (memcmp(p, k->name, n) == 0)
            *cs = CASE_UPPER;
        else if (strncasecmp(p, k->name, n) == 0 && p[0] == k->name[0] && is_text_kw(k->id) &&
                 p[1] >= 'a' && p[1] <= 'z')
            *cs = CASE_TITLE;
        else if (strncasecmp(p, k->name, n) == 0 && !(p[0] >= 'A' && p[0] <= 'Z')) {
            bool all_lower = true;
            for (size_t j = 0; j < n; j++)
                all_lower &= !(p[j] >= 'A' && p[j] <= 'Z');
            if (!all_lower) continue;
            *cs = CASE_LOWER;
        } else
            continue;
        *len = n;
        return k;
    }
    return NULL;
}

static void put_name(mice_buf *b, const char *name, size_t maxlen, kw_case cs, bool fm, int pad)
{
    char tmp[16];
    size_t n = strlen(name);
    if (n > maxlen) n = maxlen;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (cs == CASE_UPPER && ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
        if (cs == CASE_LOWER && ch >= 'A' && ch <= 'Z') ch = (char)(ch + 32);
        tmp[i] = ch;
    }
    buf_append(b, tmp, n);
    for (size_t i = n; !fm && (int)i < pad; i++)
        buf_append_u8(b, ' ');
}

static const char *ordinal(int v, bool upper)
{
    int m100 = v % 100, m10 = v % 10;
    const char *s = (m100 >= 11 && m100 <= 13) ? "th"
                    : m10 == 1                 ? "st"
                    : m10 == 2                 ? "nd"
                    : m10 == 3                 ? "rd"
                                               : "th";
    if (!upper) return s;
    return s[0] == 't' ? "TH" : s[0] == 's' ? "ST" : s[0] == 'n' ? "ND" : "RD";
}

static int adjust_year(int y)
{
    return y <= 0 ? 1 - y : y;
}

/* Keywords with no meaning for an interval (PostgreSQL: "invalid format specification for
 * an interval value"). */
static bool invalid_for_interval(int id)
{
    switch (id) {
    case K_BC: case K_AD: case K_BC_DOT: case K_AD_DOT: case K_MONTH: case K_MON: case K_DAY:
    case K_DY: case K_D: case K_ID: case K_TZ: case K_OF:
        return true;
    default:
        return false;
    }
}

/* An interval's negative fields take one more column for their sign. */
static int signed_width(const tm_fields *t, int v, int width)
{
    return t->interval && v < 0 ? width + 1 : width;
}

// clang-format off
/* Time-of-day keywords: value and zero-padded width (0: no padding). */
static bool num_kw_time(int id, const tm_fields *t, int *v, int *width)
{
    switch (id) {
    case K_HH24: *v = t->hour, *width = signed_width(t, *v, 2); return true;
    case K_HH12:
    case K_HH: *v = t->hour % 12 == 0 ? 12 : t->hour % 12, *width = signed_width(t, *v, 2); return true;
    case K_MI: *v = t->min, *width = signed_width(t, *v, 2); return true;
    case K_SS: *v = t->sec, *width = signed_width(t, *v, 2); return true;
    case K_SSSS: *v = t->hour * 3600 + t->min * 60 + t->sec, *width = 0; return true;
    case K_MS: *v = t->usec / 1000, *width = 3; return true;
    case K_US: *v = t->usec, *width = 6; return true;
    default: return false;
    }
}

/* Calendar keywords: value and zero-padded width (0: no padding). */
static bool num_kw(int id, const tm_fields *t, int *v, int *width)
{
    int y = t->interval ? t->year : adjust_year(t->year);
    int iy = t->interval ? t->isoyear : adjust_year(t->isoyear);
    switch (id) {
    case K_YYYY: *v = y, *width = y <= 9999 ? signed_width(t, y, 4) : 0; return true;
    case K_YYY: *v = y % 1000, *width = signed_width(t, y, 3); return true;
    case K_YY: *v = y % 100, *width = signed_width(t, y, 2); return true;
    case K_Y: *v = y % 10, *width = signed_width(t, y, 1); return true;
    case K_IYYY: *v = iy, *width = iy <= 9999 ? signed_width(t, y, 4) : 0; return true;
    case K_IYY: *v = iy % 1000, *width = signed_width(t, y, 3); return true;
    case K_IY: *v = iy % 100, *width = signed_width(t, y, 2); return true;
    case K_MM: *v = t->mon, *width = signed_width(t, t->mon, 2); return true;
    case K_DD: *v = t->mday, *width = 2; return true;
    case K_DDD: *v = t->doy, *width = 3; return true;
    case K_D: *v = t->dow + 1, *width = 0; return true;
    case K_ID: *v = t->dow == 0 ? 7 : t->dow, *width = 0; return true;
    case K_IDDD: *v = t->isodoy, *width = 3; return true;
    case K_WW: *v = (t->doy - 1) / 7 + 1, *width = 2; return true;
    case K_IW: *v = t->isoweek, *width = 2; return true;
    case K_W: *v = (t->mday - 1) / 7 + 1, *width = 0; return true;
    case K_CC:
        if (t->interval) *v = t->year / 100;
        else *v = t->year > 0 ? (t->year + 99) / 100 : -((99 - (t->year - 1)) / 100);
        *width = signed_width(t, *v, 2);
        return true;
    case K_Q: *v = (t->mon - 1) / 3 + 1, *width = 0; return true;
    case K_J: *v = t->jd, *width = 0; return true;
    default: return num_kw_time(id, t, v, width);
    }
}
// clang-format on

static void put_offset(mice_buf *b, int off)
{
    int a = off < 0 ? -off : off;
    buf_printf(b, "%c%02d", off < 0 ? '-' : '+', a / 3600);
    if (a % 3600) buf_printf(b, ":%02d", a % 3600 / 60);
}

static void text_kw(int id, kw_case cs, bool fm, const tm_fields *t, mice_buf *b)
{
    bool pm = t->hour % 24 >= 12, bc = t->year <= 0;
    const char *s = NULL;
    switch (id) {
    case K_AM:
    case K_PM:
        s = pm ? "PM" : "AM";
        break;
    case K_AM_DOT:
    case K_PM_DOT:
        s = pm ? "P.M." : "A.M.";
        break;
    case K_BC:
    case K_AD:
        s = bc ? "BC" : "AD";
        break;
    case K_BC_DOT:
    case K_AD_DOT:
        s = bc ? "B.C." : "A.D.";
        break;
    case K_MONTH:
        put_name(b, month_names[t->mon - 1], 9, cs, fm, 9);
        return;
    case K_MON:
        put_name(b, month_names[t->mon - 1], 3, cs, true, 0);
        return;
    case K_DAY:
        put_name(b, day_names[t->dow], 9, cs, fm, 9);
        return;
    case K_DY:
        put_name(b, day_names[t->dow], 3, cs, true, 0);
        return;
    case K_TZ:
        if (t->has_tz && t->utc)
            put_name(b, "UTC", 3, cs, true, 0);
        else if (t->has_tz)
            put_offset(b, t->gmtoff);
        return;
    case K_OF:
        put_offset(b, t->gmtoff);
        return;
    default:
        return;
    }
    put_name(b, s, 4, cs, true, 0);
}

/* false when a keyword does not apply to an interval. */
static bool dch_format(mice_slice fmt, const tm_fields *t, mice_buf *b)
{
    const char *p = (const char *)fmt.p, *end = p + fmt.n;
    while (p < end) {
        bool fm = false;
        if (end - p >= 2 && strncasecmp(p, "FM", 2) == 0) {
            fm = true;
            p += 2;
        }
        kw_case cs;
        size_t len;
        const dch_kw *k = p < end ? match_kw(p, (size_t)(end - p), &cs, &len) : NULL;
        if (!k) {
            if (*p == '"') {
                for (p++; p < end && *p != '"'; p++) {
                    if (*p == '\\' && p + 1 < end) p++;
                    buf_append_u8(b, (uint8_t)*p);
                }
                if (p < end) p++;
            } else if (p < end) {
                if (*p == '\\' && p + 1 < end) p++;
                buf_append_u8(b, (uint8_t)*p++);
            }
            continue;
        }
        p += len;
        int v, width;
        if (t->interval && invalid_for_interval(k->id)) return false;
        if (t->interval && k->id == K_Q && t->mon == 0) continue;
        if (k->id == K_YCOMMA) {
            int y = t->interval ? t->year : adjust_year(t->year);
            buf_printf(b, "%d,%03d", y / 1000, y % 1000);
        } else if (num_kw(k->id, t, &v, &width)) {
            buf_printf(b, "%0*d", fm ? 0 : width, v);
            if (end - p >= 2 && (strncmp(p, "TH", 2) == 0 || strncmp(p, "th", 2) == 0)) {
                buf_append_str(b, ordinal(v, p[0] == 'T'));
                p += 2;
            }
        } else {
            text_kw(k->id, cs, fm, t, b);
        }
    }
    return true;
}

static mice_status f_to_char_ts(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    sql_timestamp ts = a[0].v.ts;
    if (!timestamp_is_finite(ts) || a[1].v.s.n == 0) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    tm_fields t = {0};
    if (a[0].type == SQL_TYPE_TIMESTAMPTZ) {
        const sql_tz *tz = func__tz(c);
        t.has_tz = true;
        /* seconds since 1970 without timestamp_to_unix_us, which overflows near the top of
         * the timestamp range */
        int64_t secs = ts / SQL_USECS_PER_SEC - (ts % SQL_USECS_PER_SEC < 0) +
                       (int64_t)SQL_UNIX_EPOCH_DAYS * 86400;
        t.gmtoff = tz ? tz_offset_at_utc(tz, secs) : 0;
        t.utc = !tz || strcasecmp(tz_name(tz), "UTC") == 0 || strcasecmp(tz_name(tz), "GMT") == 0;
        ts += (int64_t)t.gmtoff * SQL_USECS_PER_SEC;
    }
    fill_tm(ts, &t);
    mice_buf b;
    buf_init(&b);
    dch_format(a[1].v.s, &t, &b);
    return func__text_from_buf(c, &b, o, e);
}

static mice_status f_to_char_interval(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                      sql_error *e)
{
    (void)n;
    if (a[1].v.s.n == 0) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    tm_fields t = {0};
    fill_tm_interval(&a[0].v.iv, &t);
    mice_buf b;
    buf_init(&b);
    if (!dch_format(a[1].v.s, &t, &b)) {
        buf_deinit(&b);
        sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_DATETIME_FORMAT,
                   "invalid format specification for an interval value");
        sqlerr_hint(e, "Intervals are not tied to specific calendar dates.");
        return MICE_INVALID;
    }
    return func__text_from_buf(c, &b, o, e);
}

/* ---- numbers ---- */

typedef struct num_fmt {
    int pre, post;  /* digit slots before / after the decimal point */
    int zero_start; /* first integer slot that pads with '0' (pre when none) */
    bool fm, explicit_sign;
} num_fmt;

static bool tok(const char *p, const char *end, const char *kw)
{
    size_t n = strlen(kw);
    return (size_t)(end - p) >= n && strncasecmp(p, kw, n) == 0;
}

static void scan_num_fmt(mice_slice f, num_fmt *nf)
{
    const char *p = (const char *)f.p, *end = p + f.n;
    bool after = false;
    memset(nf, 0, sizeof *nf);
    nf->zero_start = -1;
    for (; p < end; p++) {
        if (*p == '9' || *p == '0') {
            if (after)
                nf->post++;
            else {
                if (*p == '0' && nf->zero_start < 0) nf->zero_start = nf->pre;
                nf->pre++;
            }
        } else if (*p == '.' || *p == 'D' || *p == 'd') {
            after = true;
        } else if (tok(p, end, "FM")) {
            nf->fm = true, p++;
        } else if (*p == 'S' || *p == 's' || tok(p, end, "MI") || tok(p, end, "SG")) {
            nf->explicit_sign = true; /* PL alone keeps the default sign slot, as PostgreSQL */
        }
    }
    if (nf->zero_start < 0) nf->zero_start = nf->pre;
}

typedef struct num_out_state {
    mice_buf *b;
    const num_fmt *nf;
    bool neg, sign_done, digit_seen, overflow;
    const char *ip, *fp; /* integer and fraction digits */
    int ilen, flen, islot, fslot, fkeep;
} num_out_state;

static void sign_before(num_out_state *s)
{
    if (s->sign_done) return;
    s->sign_done = true;
    if (s->nf->explicit_sign) return;
    if (s->neg)
        buf_append_u8(s->b, '-');
    else if (!s->nf->fm)
        buf_append_u8(s->b, ' ');
}

static void int_slot(num_out_state *s, char ph)
{
    int i = s->islot++, d = i - (s->nf->pre - s->ilen);
    (void)ph;
    if (s->overflow) {
        sign_before(s);
        buf_append_u8(s->b, '#');
    } else if (d >= 0) {
        sign_before(s);
        buf_append_u8(s->b, (uint8_t)s->ip[d]);
        s->digit_seen = true;
    } else if (i >= s->nf->zero_start) {
        sign_before(s);
        buf_append_u8(s->b, '0');
        s->digit_seen = true;
    } else if (!s->nf->fm) {
        buf_append_u8(s->b, ' ');
    }
}

static void frac_slot(num_out_state *s)
{
    int i = s->fslot++;
    if (s->overflow)
        buf_append_u8(s->b, '#');
    else if (i < s->fkeep && i < s->flen)
        buf_append_u8(s->b, (uint8_t)s->fp[i]);
}

static void sign_token(num_out_state *s, const char *kind)
{
    bool neg = s->neg, fm = s->nf->fm;
    if (strcmp(kind, "S") == 0) {
        s->sign_done = true;
        buf_append_u8(s->b, neg ? '-' : '+');
        return;
    }
    if (strcmp(kind, "MI") == 0) {
        if (neg)
            buf_append_u8(s->b, '-');
        else if (!fm)
            buf_append_u8(s->b, ' ');
    } else if (strcmp(kind, "PL") == 0) {
        if (!neg)
            buf_append_u8(s->b, '+');
        else if (!fm)
            buf_append_u8(s->b, ' ');
    } else {
        buf_append_u8(s->b, neg ? '-' : '+');
    }
}

/* Leading S attaches to the first digit; so do the default sign slot. */
static void num_emit(mice_slice f, num_out_state *s)
{
    const char *p = (const char *)f.p, *end = p + f.n;
    bool after = false, lead_s = false;
    for (; p < end; p++) {
        if (*p == '9' || *p == '0') {
            if (lead_s && !s->sign_done &&
                (s->islot - (s->nf->pre - s->ilen) >= 0 || s->overflow ||
                 s->islot >= s->nf->zero_start || after)) {
                s->sign_done = true;
                buf_append_u8(s->b, s->neg ? '-' : '+');
            }
            if (after)
                frac_slot(s);
            else
                int_slot(s, *p);
        } else if (*p == '.' || *p == 'D' || *p == 'd') {
            if (lead_s && !s->sign_done) {
                s->sign_done = true;
                buf_append_u8(s->b, s->neg ? '-' : '+');
            }
            sign_before(s);
            after = true;
            buf_append_u8(s->b, '.');
        } else if (*p == ',' || *p == 'G' || *p == 'g') {
            if (s->digit_seen || s->overflow)
                buf_append_u8(s->b, ',');
            else if (!s->nf->fm)
                buf_append_u8(s->b, ' ');
        } else if (tok(p, end, "FM")) {
            p++;
        } else if (tok(p, end, "MI") || tok(p, end, "PL") || tok(p, end, "SG")) {
            char k[3] = {(char)(p[0] & ~0x20), (char)(p[1] & ~0x20), 0};
            sign_token(s, k);
            p++;
        } else if (*p == 'S' || *p == 's') {
            if (s->islot == 0 && !after)
                lead_s = true;
            else
                sign_token(s, "S");
        } else if (*p == '"') {
            for (p++; p < end && *p != '"'; p++)
                buf_append_u8(s->b, (uint8_t)*p);
        } else {
            if (*p == '\\' && p + 1 < end) p++;
            buf_append_u8(s->b, (uint8_t)*p);
        }
    }
}

/* digits: the absolute value printed with nf.post decimals ("123.45"). */
static void num_render(const char *digits, bool neg, mice_slice fmt, const num_fmt *nf, mice_buf *b)
{
    num_out_state s = {.b = b, .nf = nf, .neg = neg};
    const char *dot = strchr(digits, '.');
    s.ip = digits;
    s.ilen = dot ? (int)(dot - digits) : (int)strlen(digits);
    s.fp = dot ? dot + 1 : "";
    s.flen = (int)strlen(s.fp);
    if (s.ilen == 1 && s.ip[0] == '0' && nf->post > 0) s.ilen = 0;
    s.overflow = s.ilen > nf->pre;
    s.fkeep = nf->post;
    if (nf->fm) { /* FM drops trailing zeros of '9' fraction slots */
        const char *p = (const char *)fmt.p, *end = p + fmt.n, *pt = NULL;
        for (const char *q = p; q < end; q++)
            if (*q == '.' || *q == 'D' || *q == 'd') pt = q;
        int slot = 0, last_zero_ph = 0;
        for (const char *q = pt ? pt + 1 : end; q < end; q++)
            if (*q == '9' || *q == '0') {
                slot++;
                if (*q == '0') last_zero_ph = slot;
            }
        while (s.fkeep > last_zero_ph && (s.fkeep > s.flen || s.fp[s.fkeep - 1] == '0'))
            s.fkeep--;
        if (s.ilen == 0 && s.fkeep == 0 && s.ip[0] == '0') s.ilen = 1; /* FM shows "0." for zero */
    }
    num_emit(fmt, &s);
}

static mice_status f_to_char_num(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    num_fmt nf;
    scan_num_fmt(a[1].v.s, &nf);
    char tmp[64];
    char *digits = tmp;
    bool neg = false;
    if (a[0].type == SQL_TYPE_NUMERIC) {
        const sql_numeric *r;
        mice_status rc = numeric_round(a[0].v.num, nf.post, c->arena, &r, e);
        if (rc) return rc;
        mice_buf nb;
        buf_init(&nb);
        numeric_format(r, &nb);
        neg = nb.n > 0 && nb.p[0] == '-';
        digits = arena_strndup(c->arena, (const char *)nb.p + neg, nb.n - neg);
        buf_deinit(&nb);
        if (!digits) return sqlerr_nomem(e);
    } else if (a[0].type == SQL_TYPE_FLOAT8 || a[0].type == SQL_TYPE_FLOAT4) {
        /* PostgreSQL keeps DBL_DIG (15) / FLT_DIG (6) significant digits */
        bool f4 = a[0].type == SQL_TYPE_FLOAT4;
        double v = f4 ? (double)a[0].v.f4 : a[0].v.f8;
        int max_dig = f4 ? 6 : 15;
        int post = nf.post, pre_len = snprintf(tmp, sizeof tmp, "%.0f", fabs(v));
        if (pre_len >= max_dig)
            post = 0;
        else if (pre_len + post > max_dig)
            post = max_dig - pre_len;
        neg = v < 0;
        digits = arena_sprintf(c->arena, "%.*f", post, fabs(v));
        if (!digits) return sqlerr_nomem(e);
    } else {
        int64_t v = a[0].v.i;
        neg = v < 0;
        int len = snprintf(tmp, sizeof tmp, "%llu",
                           neg ? 0ULL - (unsigned long long)v : (unsigned long long)v);
        digits = arena_sprintf(c->arena, "%.*s%s%.*s", len, tmp, nf.post ? "." : "", nf.post,
                               "0000000000000000000000000000000000000000000000000000000000000000");
        if (!digits) return sqlerr_nomem(e);
    }
    mice_buf b;
    buf_init(&b);
    num_render(digits, neg, a[1].v.s, &nf, &b);
    return func__text_from_buf(c, &b, o, e);
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define S FUNC_STABLE
const func_desc func__tochar_table[] = {
    R("to_char", T(TEXT), true, I, f_to_char_ts, 2, T(TIMESTAMP), T(TEXT)),
    R("to_char", T(TEXT), true, S, f_to_char_ts, 2, T(TIMESTAMPTZ), T(TEXT)),
    R("to_char", T(TEXT), true, I, f_to_char_interval, 2, T(INTERVAL), T(TEXT)),
    R("to_char", T(TEXT), true, I, f_to_char_num, 2, T(INT4), T(TEXT)),
    R("to_char", T(TEXT), true, I, f_to_char_num, 2, T(INT8), T(TEXT)),
    R("to_char", T(TEXT), true, I, f_to_char_num, 2, T(NUMERIC), T(TEXT)),
    R("to_char", T(TEXT), true, I, f_to_char_num, 2, T(FLOAT4), T(TEXT)),
    R("to_char", T(TEXT), true, I, f_to_char_num, 2, T(FLOAT8), T(TEXT)),
};
const int func__tochar_count = sizeof func__tochar_table / sizeof func__tochar_table[0];
