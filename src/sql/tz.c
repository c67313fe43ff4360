#include "sql/tz.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/check.h"

enum { TZ_NAME_MAX = 128, TZ_FILE_MAX_BYTES = 1 << 20, SECS_PER_DAY = 86400 };

/* One end of a POSIX DST rule: Jn, n or Mm.w.d, at a local time of day. */
typedef struct posix_date {
    char kind; /* 'J', 'N' (0-based day), 'M' */
    int day, week, month;
    int32_t secs; /* local time of the switch */
} posix_date;

typedef struct posix_rule {
    bool valid;
    bool has_dst;
    int32_t std_east, dst_east;
    posix_date start, end;
} posix_rule;

struct sql_tz {
    char name[TZ_NAME_MAX];
    int32_t fixed_east;  /* used when ntrans == 0 and no rule */
    int ntrans;
    int64_t *trans_at;   /* UTC seconds, ascending */
    int32_t *trans_east; /* offset in effect from trans_at[i] */
    int32_t first_east;  /* before the first transition */
    posix_rule rule;     /* after the last transition (or always, for POSIX strings) */
};

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days since 1970-01-01 of y-m-d (proleptic Gregorian) */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t year_of_unix(int64_t t)
{
    int64_t z = (t >= 0 ? t : t - (SECS_PER_DAY - 1)) / SECS_PER_DAY + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    return yoe + era * 400 + (m <= 2);
}

/* Local seconds since 1970 of a rule date in year y. */
static int64_t rule_local(const posix_date *pd, int64_t y)
{
    int64_t day;
    if (pd->kind == 'J') {
        day = days_from_civil(y, 1, 1) + pd->day - 1;
        if (is_leap(y) && pd->day >= 60) day++;
    } else if (pd->kind == 'N') {
        day = days_from_civil(y, 1, 1) + pd->day;
    } else {
        int64_t first = days_from_civil(y, pd->month, 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        day = first + ((pd->day - wd + 7) % 7) + 7 * (pd->week - 1);
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int dim = mdays[pd->month - 1] + (pd->month == 2 && is_leap(y));
        while (day >= first + dim) day -= 7;
    }
    return day * SECS_PER_DAY + pd->secs;
}

static int32_t rule_offset(const posix_rule *r, int64_t t)
{
    if (!r->has_dst) return r->std_east;
    int64_t y = year_of_unix(t + r->std_east);
    int64_t start = rule_local(&r->start, y) - r->std_east; /* switch given in std time */
    int64_t end = rule_local(&r->end, y) - r->dst_east;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_east : r->std_east;
}

int32_t tz_offset_at_utc(const sql_tz *tz, int64_t t)
{
    if (tz->ntrans == 0) return tz->rule.valid ? rule_offset(&tz->rule, t) : tz->fixed_east;
    if (t < tz->trans_at[0]) return tz->first_east;
    if (t >= tz->trans_at[tz->ntrans - 1] && tz->rule.valid) return rule_offset(&tz->rule, t);
    int lo = 0, hi = tz->ntrans - 1; /* last i with trans_at[i] <= t */
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (tz->trans_at[mid] <= t) lo = mid;
        else hi = mid - 1;
    }
    return tz->trans_east[lo];
}

int32_t tz_offset_for_local(const sql_tz *tz, int64_t local)
{
    const int64_t window = 2 * SECS_PER_DAY;
    int32_t before = tz_offset_at_utc(tz, local - window);
    int32_t after = tz_offset_at_utc(tz, local + window);
    if (before == after) return tz_offset_at_utc(tz, local - before);
    /* find the boundary between the two offsets */
    int64_t lo = local - window, hi = local + window;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tz_offset_at_utc(tz, mid) == before) lo = mid;
        else hi = mid;
    }
    int64_t boundary = hi;
    int32_t oa = tz_offset_at_utc(tz, boundary);
    int64_t beforetime = local - before, aftertime = local - oa;
    if (beforetime < boundary && aftertime < boundary) return before;
    if (beforetime >= boundary && aftertime >= boundary) return oa;
    return beforetime > aftertime ? before : oa;
}

/* ---- POSIX TZ strings ---- */

static const char *posix_name(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');
        return q ? q + 1 : NULL;
    }
    const char *q = p;
    while (isalpha((unsigned char)*q)) q++;
    return q - p >= 3 ? q : NULL;
}

/* [+-]hh[:mm[:ss]] -> seconds (sign as written) */
static const char *posix_hms(const char *p, int32_t *secs, bool allow_sign)
{
    int sign = 1;
    if (allow_sign && (*p == '+' || *p == '-')) sign = *p++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*p)) return NULL;
    int32_t v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p) && v[i] < 1000) v[i] = v[i] * 10 + (*p++ - '0');
        if (*p != ':') break;
        p++;
    }
    if (v[0] > 167 || v[1] > 59 || v[2] > 59) return NULL;
    *secs = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return p;
}

static const char *posix_date_parse(const char *p, posix_date *d)
{
    char *end;
    d->secs = 7200;
    if (*p == 'M') {
        d->kind = 'M';
        d->month = (int)strtol(p + 1, &end, 10);
        if (*end != '.') return NULL;
        d->week = (int)strtol(end + 1, &end, 10);
        if (*end != '.') return NULL;
        d->day = (int)strtol(end + 1, &end, 10);
        if (d->month < 1 || d->month > 12 || d->week < 1 || d->week > 5 || d->day < 0 ||
            d->day > 6)
            return NULL;
    } else {
        d->kind = *p == 'J' ? 'J' : 'N';
        if (*p == 'J') p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        d->day = (int)strtol(p, &end, 10);
        if (d->day > 365) return NULL;
    }
    p = end;
    if (*p == '/') p = posix_hms(p + 1, &d->secs, true);
    return p;
}

static bool posix_parse(const char *s, posix_rule *r)
{
    memset(r, 0, sizeof *r);
    const char *p = posix_name(s);
    int32_t west;
    if (!p || !(p = posix_hms(p, &west, true))) return false;
    r->std_east = -west;
    r->valid = true;
    if (*p == '\0') return true;
    if (!(p = posix_name(p))) return false;
    r->has_dst = true;
    r->dst_east = r->std_east + 3600;
    if (*p && *p != ',') {
        if (!(p = posix_hms(p, &west, true))) return false;
        r->dst_east = -west;
    }
    if (*p == '\0') { /* no rule: PostgreSQL uses US rules; so do we */
        p = ",M3.2.0,M11.1.0";
    }
    if (*p != ',' || !(p = posix_date_parse(p + 1, &r->start))) return false;
    if (*p != ',' || !(p = posix_date_parse(p + 1, &r->end))) return false;
    return *p == '\0';
}

/* ---- TZif files ---- */

typedef struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
} tzif_counts;

static bool tzif_header(const uint8_t *p, size_t n, tzif_counts *c)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0) return false;
    const uint8_t *q = p + 20;
    c->isut = mice_load_be32(q);
    c->isstd = mice_load_be32(q + 4);
    c->leap = mice_load_be32(q + 8);
    c->time = mice_load_be32(q + 12);
    c->type = mice_load_be32(q + 16);
    c->chars = mice_load_be32(q + 20);
    return c->type >= 1 && c->type <= 256 && c->time < 100000 && c->chars < 100000 &&
           c->leap < 100000 && c->isut <= c->type && c->isstd <= c->type;
}

static size_t tzif_block_bytes(const tzif_counts *c, size_t timesz)
{
    return c->time * timesz + c->time + c->type * 6 + c->chars + c->leap * (timesz + 4) +
           c->isstd + c->isut;
}

/* Parse the 64-bit (v2+) block and footer; v1-only files use the 32-bit block. */
static bool tzif_parse(const uint8_t *p, size_t n, sql_tz *tz)
{
    tzif_counts c;
    if (!tzif_header(p, n, &c)) return false;
    size_t timesz = 4;
    const uint8_t *data = p + 44, *end = p + n;
    if (p[4] >= '2') {
        size_t skip = tzif_block_bytes(&c, 4);
        if ((size_t)(end - data) < skip) return false;
        const uint8_t *h2 = data + skip;
        if (!tzif_header(h2, (size_t)(end - h2), &c)) return false;
        data = h2 + 44;
        timesz = 8;
    }
    if ((size_t)(end - data) < tzif_block_bytes(&c, timesz)) return false;
    const uint8_t *times = data, *idx = times + c.time * timesz, *types = idx + c.time;
    int32_t *east = mice_malloc(sizeof(int32_t) * c.type);
    for (uint32_t i = 0; i < c.type; i++) east[i] = (int32_t)mice_load_be32(types + 6 * i);
    tz->ntrans = (int)c.time;
    tz->trans_at = mice_malloc(sizeof(int64_t) * (c.time + 1));
    tz->trans_east = mice_malloc(sizeof(int32_t) * (c.time + 1));
    bool ok = true;
    for (uint32_t i = 0; i < c.time; i++) {
        tz->trans_at[i] = timesz == 8 ? (int64_t)mice_load_be64(times + 8 * i)
                                      : (int64_t)(int32_t)mice_load_be32(times + 4 * i);
        if (idx[i] >= c.type || (i && tz->trans_at[i] <= tz->trans_at[i - 1])) ok = false;
        else tz->trans_east[i] = east[idx[i]];
    }
    tz->first_east = east[0];
    tz->fixed_east = east[0];
    free(east);
    const uint8_t *footer = data + tzif_block_bytes(&c, timesz);
    if (ok && timesz == 8 && footer < end && *footer == '\n') {
        const uint8_t *nl = memchr(footer + 1, '\n', (size_t)(end - footer - 1));
        char rule[128];
        size_t len = nl ? (size_t)(nl - footer - 1) : 0;
        if (len > 0 && len < sizeof rule) {
            memcpy(rule, footer + 1, len);
            rule[len] = '\0';
            posix_parse(rule, &tz->rule);
        }
    }
    return ok;
}

static bool safe_zone_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= TZ_NAME_MAX || name[0] == '/' || strstr(name, "..")) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (!isalnum(ch) && !strchr("_+-/", ch)) return false;
    }
    return true;
}

static bool load_file(const char *dir, const char *name, sql_tz *tz)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : SQL_TZ_DEFAULT_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    uint8_t *data = mice_malloc(TZ_FILE_MAX_BYTES);
    size_t n = fread(data, 1, TZ_FILE_MAX_BYTES, f);
    fclose(f);
    bool ok = n < TZ_FILE_MAX_BYTES && tzif_parse(data, n, tz);
    free(data);
    return ok;
}

sql_tz *tz_create_fixed(int32_t offset_east_s)
{
    sql_tz *tz = mice_calloc(1, sizeof *tz);
    tz->fixed_east = offset_east_s;
    snprintf(tz->name, sizeof tz->name, "%d", offset_east_s);
    return tz;
}

void tz_destroy(sql_tz *tz)
{
    if (!tz) return;
    free(tz->trans_at);
    free(tz->trans_east);
    free(tz);
}

const char *tz_name(const sql_tz *tz)
{
    return tz->name;
}

static bool numeric_hours(const char *name, int32_t *east)
{
    char *end;
    errno = 0;
    double h = strtod(name, &end);
    if (end == name || *end != '\0' || errno || !(h > -168.0 && h < 168.0)) return false;
    *east = (int32_t)(h * 3600.0);
    return true;
}

mice_status tz_create(const char *name, const char *zoneinfo_dir, sql_tz **out, sql_error *err)
{
    sql_tz *tz = mice_calloc(1, sizeof *tz);
    snprintf(tz->name, sizeof tz->name, "%s", name);
    static const char *utc_names[] = {"UTC", "GMT", "Z", "UCT", "Etc/UTC", "Zulu", "Universal"};
    for (size_t i = 0; i < sizeof utc_names / sizeof utc_names[0]; i++)
        if (strcasecmp(name, utc_names[i]) == 0) goto found;
    if (numeric_hours(name, &tz->fixed_east)) goto found;
    if (safe_zone_name(name) && load_file(zoneinfo_dir, name, tz)) goto found;
    free(tz->trans_at);
    free(tz->trans_east);
    tz->trans_at = NULL;
    tz->trans_east = NULL;
    tz->ntrans = 0;
    {
        /* POSIX strings; a bare offset ("+05:30") gets a placeholder name */
        char posix[TZ_NAME_MAX + 8];
        bool bare = name[0] == '+' || name[0] == '-' || isdigit((unsigned char)name[0]);
        snprintf(posix, sizeof posix, "%s%s", bare ? "<X>" : "", name);
        if (strlen(name) < TZ_NAME_MAX && posix_parse(posix, &tz->rule)) goto found;
    }
    tz_destroy(tz);
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "time zone \"%s\" not recognized", name);
found:
    *out = tz;
    return MICE_OK;
}
