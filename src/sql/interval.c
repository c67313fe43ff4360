/*
 * interval.c - the interval type (see interval.h).
 *
 * Input follows PostgreSQL's two-step scheme: the text is cut into typed fields the way
 * ParseDateTime does (numbers, "hh:mm:ss" times, "y-m" dates, signed numbers, words),
 * then the fields are read right to left so a unit word applies to the number before it
 * and a bare number takes the unit of the field after it (a "hh:mm" time makes it days).
 * Whatever that cannot read is tried as an ISO 8601 duration.
 */
#include "sql/interval.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

#define USECS_PER_SEC SQL_USECS_PER_SEC
#define USECS_PER_DAY SQL_USECS_PER_DAY
#define USECS_PER_HOUR SQL_USECS_PER_HOUR
#define USECS_PER_MINUTE SQL_USECS_PER_MINUTE
#define MONTHS_PER_YEAR 12
#define SECS_PER_DAY 86400
#define DAYS_PER_YEAR 365.25

/* ---- field kinds and masks (PostgreSQL's datetime.h numbering, for typmods) ---- */

enum iv_unit {
    U_NONE = 0,
    U_MONTH = 1,
    U_YEAR = 2,
    U_DAY = 3,
    U_HOUR = 10,
    U_MINUTE = 11,
    U_SECOND = 12,
    U_MILLISEC = 13,
    U_MICROSEC = 14,
    U_WEEK = 24,
    U_DECADE = 25,
    U_CENTURY = 26,
    U_MILLENNIUM = 27,
    U_QUARTER = 28, /* not a typmod field; extract/date_trunc only */
    U_AGO = 29,
    U_UNKNOWN = 31,
    U_OTHER = 32, /* a unit word no interval function supports (timezone, dow, julian...) */
};
#define MASK(u) (1 << (u))
#define FULL_RANGE 0x7FFF
#define FULL_PRECISION 0xFFFF
#define TYPMOD_RANGE(t) (((t) >> 16) & 0x7FFF)
#define TYPMOD_PRECISION(t) ((t)&0xFFFF)
#define ALL_SECS_M (MASK(U_SECOND) | MASK(U_MILLISEC) | MASK(U_MICROSEC))
#define TIME_M (MASK(U_HOUR) | MASK(U_MINUTE) | ALL_SECS_M)

static mice_status out_of_range(sql_error *err)
{
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                      "interval out of range");
}

static mice_status ts_out_of_range(sql_error *err)
{
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                      "timestamp out of range");
}

/* ---- typmods ---- */

static const struct {
    int32_t range;
    const char *text;
} range_names[] = {
    {MASK(U_YEAR), " year"},
    {MASK(U_MONTH), " month"},
    {MASK(U_DAY), " day"},
    {MASK(U_HOUR), " hour"},
    {MASK(U_MINUTE), " minute"},
    {MASK(U_SECOND), " second"},
    {MASK(U_YEAR) | MASK(U_MONTH), " year to month"},
    {MASK(U_DAY) | MASK(U_HOUR), " day to hour"},
    {MASK(U_DAY) | MASK(U_HOUR) | MASK(U_MINUTE), " day to minute"},
    {MASK(U_DAY) | MASK(U_HOUR) | MASK(U_MINUTE) | MASK(U_SECOND), " day to second"},
    {MASK(U_HOUR) | MASK(U_MINUTE), " hour to minute"},
    {MASK(U_HOUR) | MASK(U_MINUTE) | MASK(U_SECOND), " hour to second"},
    {MASK(U_MINUTE) | MASK(U_SECOND), " minute to second"},
    {FULL_RANGE, ""},
};
enum { RANGE_NAME_COUNT = sizeof range_names / sizeof range_names[0] };

static const char *range_text(int32_t range)
{
    for (int i = 0; i < RANGE_NAME_COUNT; i++)
        if (range_names[i].range == range) return range_names[i].text;
    return NULL;
}

mice_status interval_typmod_from_mods(const int32_t *mods, int nmods, int32_t *typmod,
                                      sql_error *err)
{
    if (nmods < 1 || nmods > 2 || !range_text(mods[0]))
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid INTERVAL type modifier");
    if (nmods == 1) {
        *typmod = mods[0] == FULL_RANGE ? -1 : (int32_t)((uint32_t)mods[0] << 16 | FULL_PRECISION);
        return MICE_OK;
    }
    if (mods[1] < 0)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "INTERVAL(%d) precision must not be negative", mods[1]);
    int32_t p = mods[1] > SQL_INTERVAL_PRECISION_MAX ? SQL_INTERVAL_PRECISION_MAX : mods[1];
    *typmod = (int32_t)((uint32_t)mods[0] << 16 | (uint32_t)p);
    return MICE_OK;
}

void interval_typmod_suffix(int32_t typmod, char *out, size_t cap)
{
    mice_assert(cap > 0);
    out[0] = '\0';
    if (typmod < 0) return;
    const char *fields = range_text(TYPMOD_RANGE(typmod));
    int32_t p = TYPMOD_PRECISION(typmod);
    if (p != FULL_PRECISION)
        snprintf(out, cap, "%s(%d)", fields ? fields : "", p);
    else
        snprintf(out, cap, "%s", fields ? fields : "");
}

mice_status interval_apply_typmod(sql_interval *iv, int32_t typmod, sql_error *err)
{
    static const int64_t scales[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    static const int64_t offsets[] = {500000, 50000, 5000, 500, 50, 5, 0};
    if (typmod < 0) return MICE_OK;
    int32_t range = TYPMOD_RANGE(typmod), p = TYPMOD_PRECISION(typmod);
    const int32_t y = MASK(U_YEAR), mo = MASK(U_MONTH), d = MASK(U_DAY), h = MASK(U_HOUR),
                  mi = MASK(U_MINUTE);
    if (range == y) {
        iv->month = (iv->month / MONTHS_PER_YEAR) * MONTHS_PER_YEAR;
        iv->day = 0;
        iv->time = 0;
    } else if (range == mo || range == (y | mo)) {
        iv->day = 0;
        iv->time = 0;
    } else if (range == d) {
        iv->time = 0;
    } else if (range == h || range == (d | h)) {
        iv->time = (iv->time / USECS_PER_HOUR) * USECS_PER_HOUR;
    } else if (range == mi || range == (d | h | mi) || range == (h | mi)) {
        iv->time = (iv->time / USECS_PER_MINUTE) * USECS_PER_MINUTE;
    }
    if (p == FULL_PRECISION || p < 0 || p > SQL_INTERVAL_PRECISION_MAX) return MICE_OK;
    int64_t t = iv->time, mag = t >= 0 ? t : -t;
    if (t == INT64_MIN || mag > INT64_MAX - offsets[p]) return out_of_range(err);
    mag = ((mag + offsets[p]) / scales[p]) * scales[p];
    iv->time = t >= 0 ? mag : -mag;
    return MICE_OK;
}

/* ---- ParseDateTime: text to typed fields ---- */

typedef enum { F_NUMBER, F_STRING, F_DATE, F_TIME, F_TZ, F_SPECIAL } field_kind;

enum {
    FIELDS_MAX = 25,     /* PostgreSQL's MAXDATEFIELDS */
    WORKBUF_BYTES = 256, /* interval_in's work buffer: longer input is not ParseDateTime's */
    TOKEN_CMP_LEN = 10,  /* PostgreSQL's TOKMAXLEN: unit words match on 10 characters */
};

typedef struct iv_fields {
    int n;
    field_kind kind[FIELDS_MAX];
    char *text[FIELDS_MAX];
    char buf[WORKBUF_BYTES];
} iv_fields;

typedef enum { DT_OK = 0, DT_BAD_FORMAT, DT_FIELD_OVERFLOW } dt_err;

/* Words ParseDateTime knows are not part of a date string (PostgreSQL's datetktbl):
 * "mon2" is the word "mon" then a number, "day2" would be a date-like token. */
static const char *const core_words[] = {
    "-infinity", "ad",      "allballs", "am",        "apr",      "april",     "at",       "aug",
    "august",    "bc",      "d",        "dec",       "december", "dow",       "doy",      "dst",
    "epoch",     "feb",     "february", "fri",       "friday",   "h",         "infinity", "isodow",
    "isoyear",   "j",       "jan",      "january",   "jd",       "jul",       "julian",   "july",
    "jun",       "june",    "m",        "mar",       "march",    "may",       "mm",       "mon",
    "monday",    "nov",     "november", "now",       "oct",      "october",   "on",       "pm",
    "s",         "sat",     "saturday", "sep",       "sept",     "september", "sun",      "sunday",
    "t",         "thu",     "thur",     "thurs",     "thursday", "today",     "tomorrow", "tue",
    "tues",      "tuesday", "wed",      "wednesday", "weds",     "y",         "yesterday"};

static bool is_core_word(const char *w)
{
    for (size_t i = 0; i < sizeof core_words / sizeof core_words[0]; i++)
        if (strncmp(w, core_words[i], TOKEN_CMP_LEN) == 0) return true;
    return false;
}

typedef struct fld_writer {
    iv_fields *f;
    size_t used;
    bool overflow;
} fld_writer;

static void put_char(fld_writer *w, char c)
{
    if (w->used + 1 >= WORKBUF_BYTES) {
        w->overflow = true;
        return;
    }
    w->f->buf[w->used++] = c;
}

static dt_err parse_fields(const char *s, iv_fields *f)
{
    fld_writer w = {f, 0, false};
    f->n = 0;
    while (*s) {
        unsigned char c = (unsigned char)*s;
        if (isspace(c)) {
            s++;
            continue;
        }
        if (f->n >= FIELDS_MAX) return DT_BAD_FORMAT;
        size_t start = w.used;
        field_kind kind;
        if (isdigit(c)) {
            put_char(&w, *s++);
            while (isdigit((unsigned char)*s))
                put_char(&w, *s++);
            if (*s == ':') {
                kind = F_TIME;
                put_char(&w, *s++);
                while (isdigit((unsigned char)*s) || *s == ':' || *s == '.')
                    put_char(&w, *s++);
            } else if (*s == '-' || *s == '/' || *s == '.') {
                char delim = *s;
                put_char(&w, *s++);
                if (isdigit((unsigned char)*s)) {
                    kind = delim == '.' ? F_NUMBER : F_DATE;
                    while (isdigit((unsigned char)*s))
                        put_char(&w, *s++);
                    if (*s == delim) {
                        kind = F_DATE;
                        put_char(&w, *s++);
                        while (isdigit((unsigned char)*s) || *s == delim)
                            put_char(&w, *s++);
                    }
                } else {
                    kind = F_DATE;
                    while (isalnum((unsigned char)*s) || *s == delim)
                        put_char(&w, (char)tolower((unsigned char)*s++));
                }
            } else {
                kind = F_NUMBER;
            }
        } else if (c == '.') {
            put_char(&w, *s++);
            while (isdigit((unsigned char)*s))
                put_char(&w, *s++);
            kind = F_NUMBER;
        } else if (isalpha(c)) {
            kind = F_STRING;
            put_char(&w, (char)tolower(c));
            s++;
            while (isalpha((unsigned char)*s))
                put_char(&w, (char)tolower((unsigned char)*s++));
            bool is_date = *s == '-' || *s == '/' || *s == '.';
            if (!is_date && (*s == '+' || isdigit((unsigned char)*s))) {
                if (w.overflow) return DT_BAD_FORMAT;
                f->buf[w.used] = '\0';
                is_date = !is_core_word(f->buf + start);
            }
            if (is_date) {
                kind = F_DATE;
                do {
                    put_char(&w, (char)tolower((unsigned char)*s++));
                } while (*s == '+' || *s == '-' || *s == '/' || *s == '_' || *s == '.' ||
                         *s == ':' || isalnum((unsigned char)*s));
            }
        } else if (c == '+' || c == '-') {
            put_char(&w, *s++);
            while (isspace((unsigned char)*s))
                s++;
            if (isdigit((unsigned char)*s)) {
                kind = F_TZ;
                put_char(&w, *s++);
                while (isdigit((unsigned char)*s) || *s == ':' || *s == '.' || *s == '-')
                    put_char(&w, *s++);
            } else if (isalpha((unsigned char)*s)) {
                kind = F_SPECIAL;
                put_char(&w, (char)tolower((unsigned char)*s++));
                while (isalpha((unsigned char)*s))
                    put_char(&w, (char)tolower((unsigned char)*s++));
            } else {
                return DT_BAD_FORMAT;
            }
        } else if (ispunct(c)) {
            s++;
            continue;
        } else {
            return DT_BAD_FORMAT;
        }
        if (w.overflow) return DT_BAD_FORMAT;
        f->buf[w.used++] = '\0';
        f->kind[f->n] = kind;
        f->text[f->n] = f->buf + start;
        f->n++;
    }
    return DT_OK;
}

/* ---- accumulating fields (PostgreSQL's pg_itm_in) ---- */

typedef struct itm_in {
    int64_t usec;
    int32_t mday, mon, year;
} itm_in;

static bool add_fract_usec(double frac, int64_t scale, itm_in *t)
{
    if (frac == 0) return true;
    frac *= (double)scale;
    int64_t usec = (int64_t)frac;
    frac -= (double)usec;
    if (frac > 0.5)
        usec++;
    else if (frac < -0.5)
        usec--;
    return !__builtin_add_overflow(t->usec, usec, &t->usec);
}

static bool add_fract_days(double frac, int scale, itm_in *t)
{
    if (frac == 0) return true;
    frac *= scale;
    int extra = (int)frac;
    if (__builtin_add_overflow(t->mday, extra, &t->mday)) return false;
    frac -= extra;
    return add_fract_usec(frac, USECS_PER_DAY, t);
}

static bool add_fract_years(double frac, int scale, itm_in *t)
{
    int extra = (int)round(frac * scale * MONTHS_PER_YEAR);
    return !__builtin_add_overflow(t->mon, extra, &t->mon);
}

static bool add_usec(int64_t val, double fval, int64_t scale, itm_in *t)
{
    int64_t usec;
    if (__builtin_mul_overflow(val, scale, &usec) ||
        __builtin_add_overflow(t->usec, usec, &t->usec))
        return false;
    return add_fract_usec(fval, scale, t);
}

static bool add_days(int64_t val, int mult, itm_in *t)
{
    int32_t days;
    if (val < INT32_MIN || val > INT32_MAX) return false;
    return !__builtin_mul_overflow((int32_t)val, mult, &days) &&
           !__builtin_add_overflow(t->mday, days, &t->mday);
}

static bool add_months(int64_t val, itm_in *t)
{
    if (val < INT32_MIN || val > INT32_MAX) return false;
    return !__builtin_add_overflow(t->mon, (int32_t)val, &t->mon);
}

static bool add_years(int64_t val, int mult, itm_in *t)
{
    int32_t years;
    if (val < INT32_MIN || val > INT32_MAX) return false;
    return !__builtin_mul_overflow((int32_t)val, mult, &years) &&
           !__builtin_add_overflow(t->year, years, &t->year);
}

/* strtod over ".ddd" (just "." is zero). */
static dt_err parse_fraction(const char *cp, double *frac)
{
    mice_assert(*cp == '.');
    if (cp[1] == '\0') {
        *frac = 0;
        return DT_OK;
    }
    char *end;
    errno = 0;
    *frac = strtod(cp, &end);
    if (*end != '\0' || errno != 0) return DT_BAD_FORMAT;
    return DT_OK;
}

static bool parse_i64(const char *s, char **end, int64_t *out)
{
    errno = 0;
    long long v = strtoll(s, end, 10);
    *out = v;
    return errno != ERANGE;
}

static bool parse_i32(const char *s, char **end, int32_t *out)
{
    errno = 0;
    long v = strtol(s, end, 10);
    if (errno == ERANGE || v < INT32_MIN || v > INT32_MAX) return false;
    *out = (int32_t)v;
    return true;
}

/* "h:m", "h:m:s[.f]", "m:s.f" into microseconds (PostgreSQL's DecodeTime). */
static dt_err decode_time(const char *s, int32_t range, int64_t *usec_out)
{
    char *cp;
    int64_t hour;
    int32_t min, sec = 0;
    int64_t usec = 0;
    if (!parse_i64(s, &cp, &hour)) return DT_FIELD_OVERFLOW;
    if (*cp != ':') return DT_BAD_FORMAT;
    if (!parse_i32(cp + 1, &cp, &min)) return DT_FIELD_OVERFLOW;
    if (*cp == '\0') {
        if (range == (MASK(U_MINUTE) | MASK(U_SECOND))) {
            if (hour > INT32_MAX || hour < INT32_MIN) return DT_FIELD_OVERFLOW;
            sec = min;
            min = (int32_t)hour;
            hour = 0;
        }
    } else if (*cp == '.') {
        double frac;
        dt_err e = parse_fraction(cp, &frac);
        if (e) return e;
        usec = (int64_t)rint(frac * 1000000);
        if (hour > INT32_MAX || hour < INT32_MIN) return DT_FIELD_OVERFLOW;
        sec = min;
        min = (int32_t)hour;
        hour = 0;
    } else if (*cp == ':') {
        if (!parse_i32(cp + 1, &cp, &sec)) return DT_FIELD_OVERFLOW;
        if (*cp == '.') {
            double frac;
            dt_err e = parse_fraction(cp, &frac);
            if (e) return e;
            usec = (int64_t)rint(frac * 1000000);
        } else if (*cp != '\0') {
            return DT_BAD_FORMAT;
        }
    } else {
        return DT_BAD_FORMAT;
    }
    if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || usec < 0 || usec > USECS_PER_SEC)
        return DT_FIELD_OVERFLOW;
    int64_t t = usec, p;
    if (__builtin_mul_overflow(hour, USECS_PER_HOUR, &p) || __builtin_add_overflow(t, p, &t))
        return DT_FIELD_OVERFLOW;
    if (__builtin_add_overflow(t, (int64_t)min * USECS_PER_MINUTE, &t)) return DT_FIELD_OVERFLOW;
    if (__builtin_add_overflow(t, (int64_t)sec * USECS_PER_SEC, &t)) return DT_FIELD_OVERFLOW;
    *usec_out = t;
    return DT_OK;
}

/* Unit words for intervals and extract (PostgreSQL's deltatktbl). */
static const struct {
    const char *word;
    int unit;
} unit_words[] = {
    {"ago", U_AGO},
    {"c", U_CENTURY},
    {"cent", U_CENTURY},
    {"centuries", U_CENTURY},
    {"century", U_CENTURY},
    {"d", U_DAY},
    {"day", U_DAY},
    {"days", U_DAY},
    {"dec", U_DECADE},
    {"decade", U_DECADE},
    {"decades", U_DECADE},
    {"decs", U_DECADE},
    {"h", U_HOUR},
    {"hour", U_HOUR},
    {"hours", U_HOUR},
    {"hr", U_HOUR},
    {"hrs", U_HOUR},
    {"m", U_MINUTE},
    {"microsecon", U_MICROSEC},
    {"mil", U_MILLENNIUM},
    {"millennia", U_MILLENNIUM},
    {"millennium", U_MILLENNIUM},
    {"millisecon", U_MILLISEC},
    {"mils", U_MILLENNIUM},
    {"min", U_MINUTE},
    {"mins", U_MINUTE},
    {"minute", U_MINUTE},
    {"minutes", U_MINUTE},
    {"mon", U_MONTH},
    {"mons", U_MONTH},
    {"month", U_MONTH},
    {"months", U_MONTH},
    {"ms", U_MILLISEC},
    {"msec", U_MILLISEC},
    {"millisecond", U_MILLISEC},
    {"mseconds", U_MILLISEC},
    {"msecs", U_MILLISEC},
    {"qtr", U_QUARTER},
    {"quarter", U_QUARTER},
    {"s", U_SECOND},
    {"sec", U_SECOND},
    {"second", U_SECOND},
    {"seconds", U_SECOND},
    {"secs", U_SECOND},
    {"us", U_MICROSEC},
    {"usec", U_MICROSEC},
    {"microsecond", U_MICROSEC},
    {"useconds", U_MICROSEC},
    {"usecs", U_MICROSEC},
    {"w", U_WEEK},
    {"week", U_WEEK},
    {"weeks", U_WEEK},
    {"y", U_YEAR},
    {"year", U_YEAR},
    {"years", U_YEAR},
    {"yr", U_YEAR},
    {"yrs", U_YEAR},
    {"timezone", U_OTHER},
    {"timezone_h", U_OTHER},
    {"timezone_m", U_OTHER},
};

/* Unit words of the date token table that extract() also recognizes. */
static const char *const date_unit_words[] = {"dow", "doy", "isodow", "isoyear",
                                              "j",   "jd",  "julian"};

static int unit_of(const char *w)
{
    for (size_t i = 0; i < sizeof unit_words / sizeof unit_words[0]; i++)
        if (strncmp(w, unit_words[i].word, TOKEN_CMP_LEN) == 0) return unit_words[i].unit;
    return U_UNKNOWN;
}

sql_unit interval_unit_lookup(const char *w, bool for_extract)
{
    int u = unit_of(w);
    if (u == U_UNKNOWN && for_extract) {
        if (strcmp(w, "epoch") == 0) return SQL_UNIT_EPOCH;
        for (size_t i = 0; i < sizeof date_unit_words / sizeof date_unit_words[0]; i++)
            if (strcmp(w, date_unit_words[i]) == 0) return SQL_UNIT_OTHER;
    }
    switch (u) {
    case U_MICROSEC:
        return SQL_UNIT_MICROSECOND;
    case U_MILLISEC:
        return SQL_UNIT_MILLISECOND;
    case U_SECOND:
        return SQL_UNIT_SECOND;
    case U_MINUTE:
        return SQL_UNIT_MINUTE;
    case U_HOUR:
        return SQL_UNIT_HOUR;
    case U_DAY:
        return SQL_UNIT_DAY;
    case U_WEEK:
        return SQL_UNIT_WEEK;
    case U_MONTH:
        return SQL_UNIT_MONTH;
    case U_QUARTER:
        return SQL_UNIT_QUARTER;
    case U_YEAR:
        return SQL_UNIT_YEAR;
    case U_DECADE:
        return SQL_UNIT_DECADE;
    case U_CENTURY:
        return SQL_UNIT_CENTURY;
    case U_MILLENNIUM:
        return SQL_UNIT_MILLENNIUM;
    case U_OTHER:
        return SQL_UNIT_OTHER;
    default:
        return SQL_UNIT_UNKNOWN; /* "ago" too */
    }
}

/* The unit of a bare rightmost number, from the typmod's fields. */
static int default_unit(int32_t range)
{
    const int32_t y = MASK(U_YEAR), mo = MASK(U_MONTH), d = MASK(U_DAY), h = MASK(U_HOUR),
                  mi = MASK(U_MINUTE);
    if (range == y) return U_YEAR;
    if (range == mo || range == (y | mo)) return U_MONTH;
    if (range == d) return U_DAY;
    if (range == h || range == (d | h)) return U_HOUR;
    if (range == mi || range == (h | mi) || range == (d | h | mi)) return U_MINUTE;
    return U_SECOND;
}

/* One number field with its unit into t; *tmask gets the unit's bit. */
static dt_err apply_number(int unit, int64_t val, double fval, itm_in *t, int *tmask)
{
    bool ok;
    switch (unit) {
    case U_MICROSEC:
        ok = add_usec(val, fval, 1, t);
        break;
    case U_MILLISEC:
        ok = add_usec(val, fval, 1000, t);
        break;
    case U_SECOND:
        ok = add_usec(val, fval, USECS_PER_SEC, t);
        break;
    case U_MINUTE:
        ok = add_usec(val, fval, USECS_PER_MINUTE, t);
        break;
    case U_HOUR:
        ok = add_usec(val, fval, USECS_PER_HOUR, t);
        break;
    case U_DAY:
        ok = add_days(val, 1, t) && add_fract_usec(fval, USECS_PER_DAY, t);
        break;
    case U_WEEK:
        ok = add_days(val, 7, t) && add_fract_days(fval, 7, t);
        break;
    case U_MONTH:
        ok = add_months(val, t) && add_fract_days(fval, SQL_DAYS_PER_MONTH, t);
        break;
    case U_YEAR:
        ok = add_years(val, 1, t) && add_fract_years(fval, 1, t);
        break;
    case U_DECADE:
        ok = add_years(val, 10, t) && add_fract_years(fval, 10, t);
        break;
    case U_CENTURY:
        ok = add_years(val, 100, t) && add_fract_years(fval, 100, t);
        break;
    case U_MILLENNIUM:
        ok = add_years(val, 1000, t) && add_fract_years(fval, 1000, t);
        break;
    default:
        return DT_BAD_FORMAT;
    }
    if (!ok) return DT_FIELD_OVERFLOW;
    *tmask = unit == U_SECOND && fval != 0 ? ALL_SECS_M : MASK(unit);
    return DT_OK;
}

typedef struct decode_state {
    int unit; /* unit for the next number to the left; U_NONE before any */
    bool force_negative, is_before, pending_unit;
    int fmask;
} decode_state;

static dt_err decode_number_field(const char *text, int32_t range, decode_state *st, itm_in *t,
                                  int *tmask)
{
    if (st->unit == U_NONE) st->unit = default_unit(range);
    char *cp;
    int64_t val;
    double fval = 0;
    if (!parse_i64(text, &cp, &val)) return DT_FIELD_OVERFLOW;
    if (*cp == '-') { /* SQL "years-months" */
        int32_t val2;
        if (!parse_i32(cp + 1, &cp, &val2) || val2 < 0 || val2 >= MONTHS_PER_YEAR)
            return DT_FIELD_OVERFLOW;
        if (*cp != '\0') return DT_BAD_FORMAT;
        st->unit = U_MONTH;
        if (*text == '-') val2 = -val2;
        if (__builtin_mul_overflow(val, MONTHS_PER_YEAR, &val) ||
            __builtin_add_overflow(val, val2, &val))
            return DT_FIELD_OVERFLOW;
    } else if (*cp == '.') {
        dt_err e = parse_fraction(cp, &fval);
        if (e) return e;
        if (*text == '-') fval = -fval;
    } else if (*cp != '\0') {
        return DT_BAD_FORMAT;
    }
    if (st->force_negative) {
        if (val > 0) val = -val;
        if (fval > 0) fval = -fval;
    }
    dt_err e = apply_number(st->unit, val, fval, t, tmask);
    if (e) return e;
    if (st->unit == U_HOUR) st->unit = U_DAY;
    st->pending_unit = false;
    return DT_OK;
}

static dt_err decode_time_field(const char *text, bool negate, int32_t range, decode_state *st,
                                itm_in *t, int *tmask)
{
    dt_err e = decode_time(text, range, &t->usec);
    if (e) return e;
    if (negate) {
        if (t->usec == INT64_MIN) return DT_FIELD_OVERFLOW;
        t->usec = -t->usec;
    }
    if (st->force_negative && t->usec > 0) t->usec = -t->usec;
    *tmask = TIME_M;
    st->unit = U_DAY;
    st->pending_unit = false;
    return DT_OK;
}

/* PostgreSQL's DecodeInterval: fields right to left. */
static dt_err decode_fields(const iv_fields *f, int32_t range, sql_interval_style style, itm_in *t)
{
    decode_state st = {U_NONE, false, false, false, 0};
    memset(t, 0, sizeof *t);
    if (style == SQL_INTERVAL_STYLE_SQL_STANDARD && f->n > 0 && f->text[0][0] == '-') {
        st.force_negative = true;
        for (int i = 1; i < f->n; i++)
            if (f->text[i][0] == '-' || f->text[i][0] == '+') st.force_negative = false;
    }
    for (int i = f->n - 1; i >= 0; i--) {
        const char *text = f->text[i];
        int tmask = 0;
        dt_err e = DT_OK;
        switch (f->kind[i]) {
        case F_TIME:
            e = decode_time_field(text, false, range, &st, t, &tmask);
            break;
        case F_TZ:
            if (strchr(text + 1, ':')) {
                itm_in save = *t;
                e = decode_time_field(text + 1, text[0] == '-', range, &st, t, &tmask);
                if (e == DT_OK) break;
                *t = save;
            }
            e = decode_number_field(text, range, &st, t, &tmask);
            break;
        case F_DATE:
        case F_NUMBER:
            e = decode_number_field(text, range, &st, t, &tmask);
            break;
        case F_STRING:
        case F_SPECIAL: {
            if (st.pending_unit) return DT_BAD_FORMAT;
            int u = unit_of(text);
            if (u == U_AGO) {
                st.is_before = true;
                st.unit = U_UNKNOWN;
            } else if (u == U_UNKNOWN || u == U_QUARTER || u == U_OTHER) {
                return DT_BAD_FORMAT;
            } else {
                st.unit = u;
                st.pending_unit = true;
            }
            break;
        }
        }
        if (e) return e;
        if (tmask & st.fmask) return DT_BAD_FORMAT;
        st.fmask |= tmask;
    }
    if (st.fmask == 0 || st.pending_unit) return DT_BAD_FORMAT;
    if (st.is_before) {
        if (t->usec == INT64_MIN || t->mday == INT32_MIN || t->mon == INT32_MIN ||
            t->year == INT32_MIN)
            return DT_FIELD_OVERFLOW;
        t->usec = -t->usec;
        t->mday = -t->mday;
        t->mon = -t->mon;
        t->year = -t->year;
    }
    return DT_OK;
}

/* ---- ISO 8601 durations ---- */

/* strtod number with an exact integer part (|v| <= 1e15) split into parts. */
static dt_err iso_number(const char *s, const char **end, int64_t *ipart, double *fpart)
{
    if (!(isdigit((unsigned char)*s) || *s == '-' || *s == '.')) return DT_BAD_FORMAT;
    char *e;
    errno = 0;
    double v = strtod(s, &e);
    if (e == s || errno != 0) return DT_BAD_FORMAT;
    if (isnan(v) || v < -1.0e15 || v > 1.0e15) return DT_FIELD_OVERFLOW;
    *ipart = v >= 0 ? (int64_t)floor(v) : -(int64_t)floor(-v);
    *fpart = v - (double)*ipart;
    *end = e;
    return DT_OK;
}

static size_t iso_int_width(const char *s)
{
    if (*s == '-') s++;
    return strspn(s, "0123456789");
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if (!(x)) return DT_FIELD_OVERFLOW;                                                        \
    } while (0)

/* The "PnYnMnD" alternative forms after the first number: returns with *done set when the
 * string ended, or *to_time when a 'T' follows. */
static dt_err iso_date_alt(const char **sp, char unit, const char *fieldstart, bool havefield,
                           int64_t val, double fval, itm_in *t, bool *done, bool *to_time)
{
    const char *s = *sp;
    *done = *to_time = false;
    if ((unit == 'T' || unit == '\0') && iso_int_width(fieldstart) == 8 && !havefield) {
        TRY(add_years(val / 10000, 1, t) && add_months((val / 100) % 100, t) &&
            add_days(val % 100, 1, t) && add_fract_usec(fval, USECS_PER_DAY, t));
        if (unit == '\0')
            *done = true;
        else
            *to_time = true;
        *sp = s;
        return DT_OK;
    }
    if (havefield) return DT_BAD_FORMAT;
    TRY(add_years(val, 1, t) && add_fract_years(fval, 1, t));
    if (unit == '\0') return *done = true, DT_OK;
    if (unit == 'T') return *to_time = true, *sp = s, DT_OK;
    dt_err e = iso_number(s, &s, &val, &fval);
    if (e) return e;
    TRY(add_months(val, t) && add_fract_days(fval, SQL_DAYS_PER_MONTH, t));
    if (*s == '\0') return *done = true, DT_OK;
    if (*s == 'T') return *to_time = true, *sp = s + 1, DT_OK;
    if (*s != '-') return DT_BAD_FORMAT;
    s++;
    if ((e = iso_number(s, &s, &val, &fval))) return e;
    TRY(add_days(val, 1, t) && add_fract_usec(fval, USECS_PER_DAY, t));
    if (*s == '\0') return *done = true, DT_OK;
    if (*s == 'T') return *to_time = true, *sp = s + 1, DT_OK;
    return DT_BAD_FORMAT;
}

static dt_err iso_time_alt(const char *s, char unit, const char *fieldstart, bool havefield,
                           int64_t val, double fval, itm_in *t)
{
    if (unit == '\0' && iso_int_width(fieldstart) == 6 && !havefield) {
        TRY(add_usec(val / 10000, 0, USECS_PER_HOUR, t) &&
            add_usec((val / 100) % 100, 0, USECS_PER_MINUTE, t) &&
            add_usec(val % 100, 0, USECS_PER_SEC, t) && add_fract_usec(fval, 1, t));
        return DT_OK;
    }
    if (havefield) return DT_BAD_FORMAT;
    TRY(add_usec(val, fval, USECS_PER_HOUR, t));
    if (unit == '\0') return DT_OK;
    dt_err e = iso_number(s, &s, &val, &fval);
    if (e) return e;
    TRY(add_usec(val, fval, USECS_PER_MINUTE, t));
    if (*s == '\0') return DT_OK;
    if (*s != ':') return DT_BAD_FORMAT;
    s++;
    if ((e = iso_number(s, &s, &val, &fval))) return e;
    TRY(add_usec(val, fval, USECS_PER_SEC, t));
    return *s == '\0' ? DT_OK : DT_BAD_FORMAT;
}

static dt_err decode_iso8601(const char *s, itm_in *t)
{
    bool datepart = true, havefield = false;
    memset(t, 0, sizeof *t);
    if (strlen(s) < 2 || s[0] != 'P') return DT_BAD_FORMAT;
    s++;
    while (*s) {
        if (*s == 'T') {
            datepart = false;
            havefield = false;
            s++;
            continue;
        }
        const char *fieldstart = s;
        int64_t val;
        double fval;
        dt_err e = iso_number(s, &s, &val, &fval);
        if (e) return e;
        char unit = *s;
        if (unit) s++;
        if (datepart) {
            switch (unit) {
            case 'Y':
                TRY(add_years(val, 1, t) && add_fract_years(fval, 1, t));
                break;
            case 'M':
                TRY(add_months(val, t) && add_fract_days(fval, SQL_DAYS_PER_MONTH, t));
                break;
            case 'W':
                TRY(add_days(val, 7, t) && add_fract_days(fval, 7, t));
                break;
            case 'D':
                TRY(add_days(val, 1, t) && add_fract_usec(fval, USECS_PER_DAY, t));
                break;
            case 'T':
            case '\0':
            case '-': {
                bool done, to_time;
                e = iso_date_alt(&s, unit, fieldstart, havefield, val, fval, t, &done, &to_time);
                if (e || done) return e;
                datepart = false;
                havefield = false;
                continue;
            }
            default:
                return DT_BAD_FORMAT;
            }
        } else {
            switch (unit) {
            case 'H':
                TRY(add_usec(val, fval, USECS_PER_HOUR, t));
                break;
            case 'M':
                TRY(add_usec(val, fval, USECS_PER_MINUTE, t));
                break;
            case 'S':
                TRY(add_usec(val, fval, USECS_PER_SEC, t));
                break;
            case '\0':
            case ':':
                return iso_time_alt(s, unit, fieldstart, havefield, val, fval, t);
            default:
                return DT_BAD_FORMAT;
            }
        }
        havefield = true;
    }
    return DT_OK;
}
#undef TRY

/* ---- interval_in ---- */

static mice_status parse_error(dt_err e, const char *text, sql_error *err)
{
    if (e == DT_FIELD_OVERFLOW)
        return sqlerr_set(err, MICE_RANGE, "22015", "interval field value out of range: \"%s\"",
                          text);
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_DATETIME_FORMAT,
                      "invalid input syntax for type interval: \"%s\"", text);
}

mice_status interval_parse(mice_slice text, int32_t typmod, sql_interval_style style,
                           sql_interval *out, sql_error *err)
{
    enum { INPUT_MAX = 1024 };
    char small[INPUT_MAX];
    /* NUL bytes end the C string, as PostgreSQL's input functions see it */
    size_t n = text.n;
    const void *nul = memchr(text.p, 0, text.n);
    if (nul) n = (size_t)((const uint8_t *)nul - text.p);
    char *s = n < sizeof small ? small : mice_malloc(n + 1);
    memcpy(s, text.p, n);
    s[n] = '\0';
    mice_status rc = MICE_OK;
    int32_t range = typmod >= 0 ? TYPMOD_RANGE(typmod) : FULL_RANGE;
    iv_fields f;
    itm_in t;
    dt_err e = parse_fields(s, &f);
    if (e == DT_OK) e = decode_fields(&f, range, style, &t);
    if (e == DT_BAD_FORMAT) e = decode_iso8601(s, &t);
    if (e) {
        rc = parse_error(e, s, err);
        goto done;
    }
    int64_t months = (int64_t)t.year * MONTHS_PER_YEAR + t.mon;
    if (months > INT32_MAX || months < INT32_MIN) {
        rc = out_of_range(err);
        goto done;
    }
    *out = (sql_interval){.time = t.usec, .day = t.mday, .month = (int32_t)months};
    rc = interval_apply_typmod(out, typmod, err);
done:
    if (s != small) free(s);
    return rc;
}

/* ---- interval_out ---- */

typedef struct itm {
    int64_t hour, mday;
    int32_t year, mon, min, sec, usec;
} itm;

static void interval_to_itm(const sql_interval *iv, itm *t)
{
    t->year = iv->month / MONTHS_PER_YEAR;
    t->mon = iv->month % MONTHS_PER_YEAR;
    t->mday = iv->day;
    int64_t time = iv->time;
    t->hour = time / USECS_PER_HOUR;
    time -= t->hour * USECS_PER_HOUR;
    t->min = (int32_t)(time / USECS_PER_MINUTE);
    time -= (int64_t)t->min * USECS_PER_MINUTE;
    t->sec = (int32_t)(time / USECS_PER_SEC);
    t->usec = (int32_t)(time - (int64_t)t->sec * USECS_PER_SEC);
}

static long long abs_ll(int64_t v)
{
    return v < 0 ? -(long long)v : (long long)v;
}

/* Seconds (two digits when fill) and a fraction without trailing zeros. */
static void append_seconds(mice_buf *out, int32_t sec, int32_t usec, bool fill)
{
    buf_printf(out, fill ? "%02d" : "%d", sec < 0 ? -sec : sec);
    if (usec == 0) return;
    int32_t v = usec < 0 ? -usec : usec;
    char digits[16];
    snprintf(digits, sizeof digits, "%06d", v);
    int n = 6;
    while (n > 0 && digits[n - 1] == '0')
        n--;
    buf_printf(out, ".%.*s", n, digits);
}

static void format_sql_standard(const itm *t, mice_buf *out)
{
    int64_t year = t->year, mon = t->mon, mday = t->mday, hour = t->hour, min = t->min,
            sec = t->sec, usec = t->usec;
    bool neg = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || usec < 0;
    bool pos = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || usec > 0;
    bool has_ym = year != 0 || mon != 0;
    bool has_dt = mday != 0 || hour != 0 || min != 0 || sec != 0 || usec != 0;
    bool standard = !(neg && pos) && !(has_ym && has_dt);
    if (neg && standard) {
        buf_append_u8(out, '-');
        year = -year, mon = -mon, mday = -mday, hour = -hour, min = -min, sec = -sec, usec = -usec;
    }
    if (!neg && !pos) {
        buf_append_str(out, "0");
    } else if (!standard) {
        char ys = year < 0 || mon < 0 ? '-' : '+', ds = mday < 0 ? '-' : '+';
        char ss = hour < 0 || min < 0 || sec < 0 || usec < 0 ? '-' : '+';
        buf_printf(out, "%c%lld-%lld %c%lld %c%lld:%02lld:", ys, abs_ll(year), abs_ll(mon), ds,
                   abs_ll(mday), ss, abs_ll(hour), abs_ll(min));
        append_seconds(out, (int32_t)sec, (int32_t)usec, true);
    } else if (has_ym) {
        buf_printf(out, "%lld-%lld", (long long)year, (long long)mon);
    } else {
        if (mday != 0) buf_printf(out, "%lld ", (long long)mday);
        buf_printf(out, "%lld:%02lld:", (long long)hour, (long long)min);
        append_seconds(out, (int32_t)sec, (int32_t)usec, true);
    }
}

static void format_iso8601(const itm *t, mice_buf *out)
{
    if (t->year == 0 && t->mon == 0 && t->mday == 0 && t->hour == 0 && t->min == 0 && t->sec == 0 &&
        t->usec == 0) {
        buf_append_str(out, "PT0S");
        return;
    }
    buf_append_u8(out, 'P');
    if (t->year) buf_printf(out, "%dY", t->year);
    if (t->mon) buf_printf(out, "%dM", t->mon);
    if (t->mday) buf_printf(out, "%lldD", (long long)t->mday);
    if (t->hour || t->min || t->sec || t->usec) buf_append_u8(out, 'T');
    if (t->hour) buf_printf(out, "%lldH", (long long)t->hour);
    if (t->min) buf_printf(out, "%dM", t->min);
    if (t->sec || t->usec) {
        if (t->sec < 0 || t->usec < 0) buf_append_u8(out, '-');
        append_seconds(out, t->sec, t->usec, false);
        buf_append_u8(out, 'S');
    }
}

static void postgres_part(mice_buf *out, int64_t v, const char *unit, bool *is_zero,
                          bool *is_before)
{
    if (v == 0) return;
    buf_printf(out, "%s%s%lld %s%s", *is_zero ? "" : " ", *is_before && v > 0 ? "+" : "",
               (long long)v, unit, v != 1 ? "s" : "");
    *is_before = v < 0;
    *is_zero = false;
}

static void format_postgres(const itm *t, mice_buf *out)
{
    bool is_zero = true, is_before = false;
    postgres_part(out, t->year, "year", &is_zero, &is_before);
    postgres_part(out, t->mon, "mon", &is_zero, &is_before);
    postgres_part(out, t->mday, "day", &is_zero, &is_before);
    if (is_zero || t->hour || t->min || t->sec || t->usec) {
        bool minus = t->hour < 0 || t->min < 0 || t->sec < 0 || t->usec < 0;
        buf_printf(out, "%s%s%02lld:%02d:", is_zero ? "" : " ",
                   minus       ? "-"
                   : is_before ? "+"
                               : "",
                   abs_ll(t->hour), t->min < 0 ? -t->min : t->min);
        append_seconds(out, t->sec, t->usec, true);
    }
}

static void verbose_part(mice_buf *out, int64_t v, const char *unit, bool *is_zero, bool *is_before)
{
    if (v == 0) return;
    if (*is_zero) {
        *is_before = v < 0;
        if (v < 0) v = -v;
    } else if (*is_before) {
        v = -v;
    }
    buf_printf(out, " %lld %s%s", (long long)v, unit, v == 1 ? "" : "s");
    *is_zero = false;
}

static void format_verbose(const itm *t, mice_buf *out)
{
    bool is_zero = true, is_before = false;
    buf_append_u8(out, '@');
    verbose_part(out, t->year, "year", &is_zero, &is_before);
    verbose_part(out, t->mon, "mon", &is_zero, &is_before);
    verbose_part(out, t->mday, "day", &is_zero, &is_before);
    verbose_part(out, t->hour, "hour", &is_zero, &is_before);
    verbose_part(out, t->min, "min", &is_zero, &is_before);
    if (t->sec || t->usec) {
        buf_append_u8(out, ' ');
        if (t->sec < 0 || (t->sec == 0 && t->usec < 0)) {
            if (is_zero)
                is_before = true;
            else if (!is_before)
                buf_append_u8(out, '-');
        } else if (is_before) {
            buf_append_u8(out, '-');
        }
        append_seconds(out, t->sec, t->usec, false);
        buf_printf(out, " sec%s", (t->sec != 1 && t->sec != -1) || t->usec != 0 ? "s" : "");
        is_zero = false;
    }
    if (is_zero) buf_append_str(out, " 0");
    if (is_before) buf_append_str(out, " ago");
}

void interval_format(const sql_interval *iv, sql_interval_style style, mice_buf *out)
{
    itm t;
    interval_to_itm(iv, &t);
    switch (style) {
    case SQL_INTERVAL_STYLE_SQL_STANDARD:
        format_sql_standard(&t, out);
        break;
    case SQL_INTERVAL_STYLE_ISO_8601:
        format_iso8601(&t, out);
        break;
    case SQL_INTERVAL_STYLE_POSTGRES_VERBOSE:
        format_verbose(&t, out);
        break;
    default:
        format_postgres(&t, out);
        break;
    }
}

void interval_send(const sql_interval *iv, mice_buf *out)
{
    buf_append_be64(out, (uint64_t)iv->time);
    buf_append_be32(out, (uint32_t)iv->day);
    buf_append_be32(out, (uint32_t)iv->month);
}

mice_status interval_recv(mice_slice b, int32_t typmod, sql_interval *out, sql_error *err)
{
    if (b.n != SQL_INTERVAL_BINARY_BYTES)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    out->time = (int64_t)mice_load_be64(b.p);
    out->day = (int32_t)mice_load_be32(b.p + 8);
    out->month = (int32_t)mice_load_be32(b.p + 12);
    return interval_apply_typmod(out, typmod, err);
}

/* ---- comparison ---- */

static __int128 span_of(const sql_interval *iv)
{
    int64_t days = (int64_t)iv->month * SQL_DAYS_PER_MONTH + iv->day;
    return (__int128)iv->time + (__int128)days * USECS_PER_DAY;
}

int interval_cmp(const sql_interval *a, const sql_interval *b)
{
    __int128 x = span_of(a), y = span_of(b);
    return x < y ? -1 : x > y;
}

uint64_t interval_hash(const sql_interval *iv)
{
    unsigned __int128 u = (unsigned __int128)span_of(iv);
    uint64_t lo = (uint64_t)u, hi = (uint64_t)(u >> 64);
    uint64_t x = lo ^ (hi * 0x9e3779b97f4a7c15ULL) ^ 0x696e74657276616cULL;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void interval_key_bytes(const sql_interval *iv, uint8_t out[SQL_INTERVAL_KEY_BYTES])
{
    unsigned __int128 u = (unsigned __int128)span_of(iv) ^ ((unsigned __int128)1 << 127);
    for (int i = SQL_INTERVAL_KEY_BYTES - 1; i >= 0; i--) {
        out[i] = (uint8_t)u;
        u >>= 8;
    }
}

bool interval_from_key_bytes(const uint8_t in[SQL_INTERVAL_KEY_BYTES], sql_interval *out)
{
    unsigned __int128 u = 0;
    for (int i = 0; i < SQL_INTERVAL_KEY_BYTES; i++)
        u = u << 8 | in[i];
    __int128 span = (__int128)(u ^ ((unsigned __int128)1 << 127));
    /* largest units first, each clamped to its field, so every span an interval can have
     * gets a representation */
    __int128 month_us = (__int128)SQL_DAYS_PER_MONTH * USECS_PER_DAY;
    __int128 months = span / month_us;
    if (months > INT32_MAX) months = INT32_MAX;
    if (months < INT32_MIN) months = INT32_MIN;
    __int128 rest = span - months * month_us, days = rest / USECS_PER_DAY;
    if (days > INT32_MAX) days = INT32_MAX;
    if (days < INT32_MIN) days = INT32_MIN;
    rest -= days * USECS_PER_DAY;
    if (rest > INT64_MAX || rest < INT64_MIN) return false;
    out->month = (int32_t)months;
    out->day = (int32_t)days;
    out->time = (int64_t)rest;
    return true;
}

/* ---- arithmetic ---- */

mice_status interval_add(const sql_interval *a, const sql_interval *b, sql_interval *out,
                         sql_error *err)
{
    sql_interval r;
    if (__builtin_add_overflow(a->month, b->month, &r.month) ||
        __builtin_add_overflow(a->day, b->day, &r.day) ||
        __builtin_add_overflow(a->time, b->time, &r.time))
        return out_of_range(err);
    *out = r;
    return MICE_OK;
}

mice_status interval_sub(const sql_interval *a, const sql_interval *b, sql_interval *out,
                         sql_error *err)
{
    sql_interval r;
    if (__builtin_sub_overflow(a->month, b->month, &r.month) ||
        __builtin_sub_overflow(a->day, b->day, &r.day) ||
        __builtin_sub_overflow(a->time, b->time, &r.time))
        return out_of_range(err);
    *out = r;
    return MICE_OK;
}

mice_status interval_neg(const sql_interval *a, sql_interval *out, sql_error *err)
{
    if (a->month == INT32_MIN || a->day == INT32_MIN || a->time == INT64_MIN)
        return out_of_range(err);
    *out = (sql_interval){.time = -a->time, .day = -a->day, .month = -a->month};
    return MICE_OK;
}

static bool fits_i32(double v)
{
    return !isnan(v) && v >= (double)INT32_MIN && v < -(double)INT32_MIN;
}

static bool fits_i64(double v)
{
    return !isnan(v) && v >= (double)INT64_MIN && v < -(double)INT64_MIN;
}

/* PostgreSQL's TSROUND: to microsecond precision. */
static double ts_round(double v)
{
    return rint(v * 1000000.0) / 1000000.0;
}

/* The shared tail of interval_mul / interval_div: whole months and days are already in
 * r; the fractions cascade down (months -> days -> seconds). */
static mice_status cascade(double month_product, double day_product, double time_product,
                           sql_interval *r, sql_error *err)
{
    double month_rem_days = ts_round((month_product - r->month) * SQL_DAYS_PER_MONTH);
    double sec_rem =
        ts_round((day_product - r->day + month_rem_days - (int)month_rem_days) * SECS_PER_DAY);
    if (fabs(sec_rem) >= SECS_PER_DAY) {
        if (__builtin_add_overflow(r->day, (int32_t)(sec_rem / SECS_PER_DAY), &r->day))
            return out_of_range(err);
        sec_rem -= (int)(sec_rem / SECS_PER_DAY) * SECS_PER_DAY;
    }
    if (!fits_i32(month_rem_days) ||
        __builtin_add_overflow(r->day, (int32_t)month_rem_days, &r->day))
        return out_of_range(err);
    double t = rint(time_product + sec_rem * (double)USECS_PER_SEC);
    if (!fits_i64(t)) return out_of_range(err);
    r->time = (int64_t)t;
    return MICE_OK;
}

mice_status interval_mul(const sql_interval *a, double factor, sql_interval *out, sql_error *err)
{
    double m = a->month * factor, d = a->day * factor;
    if (!fits_i32(m) || !fits_i32(d)) return out_of_range(err);
    sql_interval r = {.month = (int32_t)m, .day = (int32_t)d};
    mice_status rc = cascade(m, d, (double)a->time * factor, &r, err);
    if (!rc) *out = r;
    return rc;
}

mice_status interval_div(const sql_interval *a, double divisor, sql_interval *out, sql_error *err)
{
    if (divisor == 0.0) return sqlerr_division_by_zero(err);
    double m = a->month / divisor, d = a->day / divisor;
    if (!fits_i32(m) || !fits_i32(d)) return out_of_range(err);
    sql_interval r = {.month = (int32_t)m, .day = (int32_t)d};
    mice_status rc = cascade(m, d, (double)a->time / divisor, &r, err);
    if (!rc) *out = r;
    return rc;
}

mice_status interval_justify_hours(const sql_interval *a, sql_interval *out, sql_error *err)
{
    sql_interval r = *a;
    int64_t whole = r.time / USECS_PER_DAY;
    r.time -= whole * USECS_PER_DAY;
    if (whole > INT32_MAX || whole < INT32_MIN ||
        __builtin_add_overflow(r.day, (int32_t)whole, &r.day))
        return out_of_range(err);
    if (r.day > 0 && r.time < 0) {
        r.time += USECS_PER_DAY;
        r.day--;
    } else if (r.day < 0 && r.time > 0) {
        r.time -= USECS_PER_DAY;
        r.day++;
    }
    *out = r;
    return MICE_OK;
}

mice_status interval_justify_days(const sql_interval *a, sql_interval *out, sql_error *err)
{
    sql_interval r = *a;
    int32_t whole = r.day / SQL_DAYS_PER_MONTH;
    r.day -= whole * SQL_DAYS_PER_MONTH;
    if (__builtin_add_overflow(r.month, whole, &r.month)) return out_of_range(err);
    if (r.month > 0 && r.day < 0) {
        r.day += SQL_DAYS_PER_MONTH;
        r.month--;
    } else if (r.month < 0 && r.day > 0) {
        r.day -= SQL_DAYS_PER_MONTH;
        r.month++;
    }
    *out = r;
    return MICE_OK;
}

mice_status interval_justify_interval(const sql_interval *a, sql_interval *out, sql_error *err)
{
    sql_interval r = *a;
    int32_t wm;
    if ((r.day > 0 && r.time > 0) || (r.day < 0 && r.time < 0)) {
        wm = r.day / SQL_DAYS_PER_MONTH;
        r.day -= wm * SQL_DAYS_PER_MONTH;
        if (__builtin_add_overflow(r.month, wm, &r.month)) return out_of_range(err);
    }
    int64_t wd = r.time / USECS_PER_DAY;
    r.time -= wd * USECS_PER_DAY;
    r.day += (int32_t)wd;
    wm = r.day / SQL_DAYS_PER_MONTH;
    r.day -= wm * SQL_DAYS_PER_MONTH;
    if (__builtin_add_overflow(r.month, wm, &r.month)) return out_of_range(err);
    if (r.month > 0 && (r.day < 0 || (r.day == 0 && r.time < 0))) {
        r.day += SQL_DAYS_PER_MONTH;
        r.month--;
    } else if (r.month < 0 && (r.day > 0 || (r.day == 0 && r.time > 0))) {
        r.day -= SQL_DAYS_PER_MONTH;
        r.month++;
    }
    if (r.day > 0 && r.time < 0) {
        r.time += USECS_PER_DAY;
        r.day--;
    } else if (r.day < 0 && r.time > 0) {
        r.time -= USECS_PER_DAY;
        r.day++;
    }
    *out = r;
    return MICE_OK;
}

/* ---- with timestamps ---- */

typedef struct tm_fields {
    int year, mon, mday;
    int64_t day_us; /* time of day */
} tm_fields;

static bool is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* A finite local timestamp into fields. */
static void split_ts(sql_timestamp ts, tm_fields *f)
{
    int64_t days = ts / USECS_PER_DAY, us = ts % USECS_PER_DAY;
    if (us < 0) {
        us += USECS_PER_DAY;
        days--;
    }
    julian_to_date((int32_t)(days + SQL_POSTGRES_EPOCH_JDATE), &f->year, &f->mon, &f->mday);
    f->day_us = us;
}

/* split_ts for any timestamp, false when its Julian day is negative (PostgreSQL's
 * timestamp2tm). */
static bool split_ts_checked(sql_timestamp ts, tm_fields *f)
{
    int64_t days = ts / USECS_PER_DAY;
    if (ts % USECS_PER_DAY < 0) days--;
    if (days + SQL_POSTGRES_EPOCH_JDATE < 0 || days + SQL_POSTGRES_EPOCH_JDATE > INT32_MAX)
        return false;
    split_ts(ts, f);
    return true;
}

static mice_status join_ts(const tm_fields *f, sql_timestamp *out, sql_error *err)
{
    int64_t jd = date_to_julian(f->year, f->mon, f->mday);
    if (jd < 0 || jd >= SQL_DATE_END_JULIAN) return ts_out_of_range(err);
    int64_t ts = (jd - SQL_POSTGRES_EPOCH_JDATE) * USECS_PER_DAY + f->day_us;
    if (!timestamp_in_range(ts) || !timestamp_is_finite(ts)) return ts_out_of_range(err);
    *out = ts;
    return MICE_OK;
}

static mice_status to_local(sql_timestamp ts, bool tz_local, const sql_tz *tz, sql_timestamp *out,
                            sql_error *err)
{
    if (!tz_local) {
        *out = ts;
        return MICE_OK;
    }
    return timestamptz_to_timestamp(ts, tz, out, err);
}

static mice_status from_local(sql_timestamp local, bool tz_local, const sql_tz *tz,
                              sql_timestamp *out, sql_error *err)
{
    if (!tz_local) {
        *out = local;
        return MICE_OK;
    }
    return timestamp_to_timestamptz(local, tz, out, err);
}

static mice_status add_months_ts(sql_timestamp *ts, int32_t months, bool tz_local, const sql_tz *tz,
                                 sql_error *err)
{
    sql_timestamp local;
    mice_status rc = to_local(*ts, tz_local, tz, &local, err);
    if (rc) return ts_out_of_range(err);
    tm_fields f;
    split_ts(local, &f);
    int64_t mon = (int64_t)f.mon + months, year = f.year;
    if (mon > MONTHS_PER_YEAR) {
        year += (mon - 1) / MONTHS_PER_YEAR;
        mon = ((mon - 1) % MONTHS_PER_YEAR) + 1;
    } else if (mon < 1) {
        year += mon / MONTHS_PER_YEAR - 1;
        mon = mon % MONTHS_PER_YEAR + MONTHS_PER_YEAR;
    }
    if (year > INT32_MAX / 2 || year < INT32_MIN / 2) return ts_out_of_range(err);
    f.year = (int)year;
    f.mon = (int)mon;
    int last = month_days(f.year, f.mon);
    if (f.mday > last) f.mday = last;
    if ((rc = join_ts(&f, &local, err))) return rc;
    return from_local(local, tz_local, tz, ts, err);
}

static mice_status add_days_ts(sql_timestamp *ts, int32_t days, bool tz_local, const sql_tz *tz,
                               sql_error *err)
{
    sql_timestamp local;
    mice_status rc = to_local(*ts, tz_local, tz, &local, err);
    if (rc) return ts_out_of_range(err);
    tm_fields f;
    split_ts(local, &f);
    int64_t jd = (int64_t)date_to_julian(f.year, f.mon, f.mday) + days;
    if (jd < INT32_MIN || jd > INT32_MAX) return ts_out_of_range(err);
    julian_to_date((int32_t)jd, &f.year, &f.mon, &f.mday);
    if ((rc = join_ts(&f, &local, err))) return rc;
    return from_local(local, tz_local, tz, ts, err);
}

mice_status interval_timestamp_add(sql_timestamp ts, const sql_interval *iv, bool tz_local,
                                   const sql_tz *tz, sql_timestamp *out, sql_error *err)
{
    if (!timestamp_is_finite(ts)) {
        *out = ts;
        return MICE_OK;
    }
    mice_status rc;
    if (iv->month != 0 && (rc = add_months_ts(&ts, iv->month, tz_local, tz, err))) return rc;
    if (iv->day != 0 && (rc = add_days_ts(&ts, iv->day, tz_local, tz, err))) return rc;
    if (__builtin_add_overflow(ts, iv->time, &ts) || !timestamp_in_range(ts) ||
        !timestamp_is_finite(ts))
        return ts_out_of_range(err);
    *out = ts;
    return MICE_OK;
}

mice_status interval_timestamp_diff(sql_timestamp a, sql_timestamp b, sql_interval *out,
                                    sql_error *err)
{
    if (!timestamp_is_finite(a) || !timestamp_is_finite(b))
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE,
                          "cannot subtract infinite timestamps");
    sql_interval r = {0};
    if (__builtin_sub_overflow(a, b, &r.time)) return out_of_range(err);
    return interval_justify_hours(&r, out, err);
}

typedef struct age_fields {
    int64_t usec, sec, min, hour, mday, mon, year;
} age_fields;

static void age_negate(age_fields *t)
{
    t->usec = -t->usec, t->sec = -t->sec, t->min = -t->min, t->hour = -t->hour;
    t->mday = -t->mday, t->mon = -t->mon, t->year = -t->year;
}

mice_status interval_age(sql_timestamp a, sql_timestamp b, bool tz_local, const sql_tz *tz,
                         sql_interval *out, sql_error *err)
{
    /* PostgreSQL 15 reads infinity as its microseconds (294247-01-10 04:00:54.775807) and
     * rejects -infinity: dates before Julian day 0 do not split */
    sql_timestamp la = a, lb = b;
    if (timestamp_is_finite(a) && to_local(a, tz_local, tz, &la, NULL)) return ts_out_of_range(err);
    if (timestamp_is_finite(b) && to_local(b, tz_local, tz, &lb, NULL)) return ts_out_of_range(err);
    tm_fields f1, f2;
    if (!split_ts_checked(la, &f1) || !split_ts_checked(lb, &f2)) return ts_out_of_range(err);
    age_fields t = {
        .usec = f1.day_us % USECS_PER_SEC - f2.day_us % USECS_PER_SEC,
        .sec = (f1.day_us / USECS_PER_SEC) % 60 - (f2.day_us / USECS_PER_SEC) % 60,
        .min = (f1.day_us / USECS_PER_MINUTE) % 60 - (f2.day_us / USECS_PER_MINUTE) % 60,
        .hour = f1.day_us / USECS_PER_HOUR - f2.day_us / USECS_PER_HOUR,
        .mday = f1.mday - f2.mday,
        .mon = f1.mon - f2.mon,
        .year = (int64_t)f1.year - f2.year,
    };
    bool flip = a < b;
    if (flip) age_negate(&t);
    while (t.usec < 0)
        t.usec += USECS_PER_SEC, t.sec--;
    while (t.sec < 0)
        t.sec += 60, t.min--;
    while (t.min < 0)
        t.min += 60, t.hour--;
    while (t.hour < 0)
        t.hour += 24, t.mday--;
    while (t.mday < 0) {
        const tm_fields *ref = flip ? &f1 : &f2;
        t.mday += month_days(ref->year, ref->mon);
        t.mon--;
    }
    while (t.mon < 0)
        t.mon += MONTHS_PER_YEAR, t.year--;
    if (flip) age_negate(&t);
    int64_t months = t.year * MONTHS_PER_YEAR + t.mon;
    if (months > INT32_MAX || months < INT32_MIN || t.mday > INT32_MAX || t.mday < INT32_MIN)
        return out_of_range(err);
    out->month = (int32_t)months;
    out->day = (int32_t)t.mday;
    out->time = t.hour * USECS_PER_HOUR + t.min * USECS_PER_MINUTE + t.sec * USECS_PER_SEC + t.usec;
    return MICE_OK;
}

/* ---- extract, date_trunc, make_interval ---- */

static mice_status unit_error(const char *field, bool recognized, int unit, sql_error *err)
{
    if (!recognized)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "unit \"%s\" not recognized for type interval", field);
    sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
               "unit \"%s\" not supported for type interval", field);
    if (unit == U_WEEK) sqlerr_detail(err, "Months usually have fractional weeks.");
    return MICE_UNSUPPORTED;
}

mice_status interval_scaled_numeric(int64_t value, int scale, mice_arena *arena,
                                    const sql_numeric **out, sql_error *err)
{
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    char digits[32], text[40];
    int nd = snprintf(digits, sizeof digits, "%0*llu", scale + 1, (unsigned long long)mag);
    snprintf(text, sizeof text, "%s%.*s%s%s", value < 0 ? "-" : "", nd - scale, digits,
             scale ? "." : "", digits + nd - scale);
    return numeric_parse(mice_slice_str(text), arena, out, err);
}

/* extract(epoch from interval): 365.25-day years, 30-day months. */
static mice_status epoch_numeric(const sql_interval *iv, mice_arena *arena, const sql_numeric **out,
                                 sql_error *err)
{
    int64_t secs =
        ((int64_t)(4 * DAYS_PER_YEAR) * (iv->month / MONTHS_PER_YEAR) +
         (int64_t)(4 * SQL_DAYS_PER_MONTH) * (iv->month % MONTHS_PER_YEAR) + (int64_t)4 * iv->day) *
        (SECS_PER_DAY / 4);
    int64_t v;
    if (!__builtin_mul_overflow(secs, 1000000, &v) && !__builtin_add_overflow(v, iv->time, &v))
        return interval_scaled_numeric(v, 6, arena, out, err);
    const sql_numeric *a, *b;
    mice_status rc = interval_scaled_numeric(iv->time, 6, arena, &a, err);
    if (!rc) rc = numeric_from_int64(secs, arena, &b, err);
    if (!rc) rc = numeric_add(a, b, arena, out, err);
    return rc;
}

mice_status interval_extract(const char *field, const sql_interval *iv, mice_arena *arena,
                             const sql_numeric **num_out, double *double_out, sql_error *err)
{
    int unit = unit_of(field);
    bool epoch = false;
    if (unit == U_UNKNOWN) {
        epoch = strcmp(field, "epoch") == 0;
        for (size_t i = 0; i < sizeof date_unit_words / sizeof date_unit_words[0]; i++)
            if (strcmp(field, date_unit_words[i]) == 0) unit = U_OTHER;
        if (unit == U_UNKNOWN && !epoch) return unit_error(field, false, unit, err);
    }
    if (unit == U_AGO) return unit_error(field, false, unit, err);
    itm t;
    interval_to_itm(iv, &t);
    int64_t v;
    int scale = 0;
    if (epoch) {
        if (num_out) return epoch_numeric(iv, arena, num_out, err);
        double r = (double)iv->time / 1000000.0;
        r += (DAYS_PER_YEAR * SECS_PER_DAY) * (iv->month / MONTHS_PER_YEAR);
        r += ((double)SQL_DAYS_PER_MONTH * SECS_PER_DAY) * (iv->month % MONTHS_PER_YEAR);
        r += (double)SECS_PER_DAY * iv->day;
        *double_out = r;
        return MICE_OK;
    }
    switch (unit) {
    case U_MICROSEC:
        v = (int64_t)t.sec * 1000000 + t.usec;
        break;
    case U_MILLISEC:
        v = (int64_t)t.sec * 1000000 + t.usec, scale = 3;
        if (double_out) *double_out = t.sec * 1000.0 + t.usec / 1000.0;
        break;
    case U_SECOND:
        v = (int64_t)t.sec * 1000000 + t.usec, scale = 6;
        if (double_out) *double_out = t.sec + t.usec / 1000000.0;
        break;
    case U_MINUTE:
        v = t.min;
        break;
    case U_HOUR:
        v = t.hour;
        break;
    case U_DAY:
        v = t.mday;
        break;
    case U_MONTH:
        v = t.mon;
        break;
    case U_QUARTER:
        v = t.mon / 3 + 1;
        break;
    case U_YEAR:
        v = t.year;
        break;
    case U_DECADE:
        v = t.year / 10;
        break;
    case U_CENTURY:
        v = t.year / 100;
        break;
    case U_MILLENNIUM:
        v = t.year / 1000;
        break;
    default:
        return unit_error(field, true, U_NONE, err);
    }
    if (num_out) return interval_scaled_numeric(v, scale, arena, num_out, err);
    if (scale == 0) *double_out = (double)v;
    return MICE_OK;
}

mice_status interval_trunc(const char *field, const sql_interval *iv, sql_interval *out,
                           sql_error *err)
{
    int unit = unit_of(field);
    if (unit == U_UNKNOWN || unit == U_AGO) return unit_error(field, false, unit, err);
    itm t;
    interval_to_itm(iv, &t);
    switch (unit) {
    case U_MILLENNIUM:
        t.year = (t.year / 1000) * 1000; /* fall through */
    case U_CENTURY:
        t.year = (t.year / 100) * 100; /* fall through */
    case U_DECADE:
        t.year = (t.year / 10) * 10; /* fall through */
    case U_YEAR:
        t.mon = 0; /* fall through */
    case U_QUARTER:
        t.mon = 3 * (t.mon / 3); /* fall through */
    case U_MONTH:
        t.mday = 0; /* fall through */
    case U_DAY:
        t.hour = 0; /* fall through */
    case U_HOUR:
        t.min = 0; /* fall through */
    case U_MINUTE:
        t.sec = 0; /* fall through */
    case U_SECOND:
        t.usec = 0;
        break;
    case U_MILLISEC:
        t.usec = (t.usec / 1000) * 1000;
        break;
    case U_MICROSEC:
        break;
    default:
        return unit_error(field, true, unit, err);
    }
    int64_t months = (int64_t)t.year * MONTHS_PER_YEAR + t.mon;
    int64_t time;
    if (months > INT32_MAX || months < INT32_MIN ||
        __builtin_mul_overflow(t.hour, USECS_PER_HOUR, &time))
        return out_of_range(err);
    time += (int64_t)t.min * USECS_PER_MINUTE + (int64_t)t.sec * USECS_PER_SEC + t.usec;
    *out = (sql_interval){.time = time, .day = (int32_t)t.mday, .month = (int32_t)months};
    return MICE_OK;
}

mice_status interval_make(int32_t years, int32_t months, int32_t weeks, int32_t days, int32_t hours,
                          int32_t mins, double secs, sql_interval *out, sql_error *err)
{
    /* PostgreSQL 15 checks only for infinite or NaN seconds; its integer arithmetic wraps
     * (and an out-of-range microsecond count converts to INT64_MIN, as on x86), which is
     * reproduced here with unsigned arithmetic. */
    if (isinf(secs) || isnan(secs)) return out_of_range(err);
    double us = rint(secs * (double)USECS_PER_SEC);
    int64_t us_i = fits_i64(us) ? (int64_t)us : INT64_MIN;
    out->month = (int32_t)((uint32_t)years * MONTHS_PER_YEAR + (uint32_t)months);
    out->day = (int32_t)((uint32_t)weeks * 7u + (uint32_t)days);
    out->time = (int64_t)((uint64_t)hours * (uint64_t)USECS_PER_HOUR +
                          (uint64_t)mins * (uint64_t)USECS_PER_MINUTE + (uint64_t)us_i);
    return MICE_OK;
}
