#include "sql/value_io.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "sql/array.h"
#include "sql/sqljson.h"

/* ---- floats ---- */

/* Decimal text as significant digits and the power of ten of the point before them
 * (value = 0.DIGITS x 10^pos). */
static size_t decimal_key(const char *text, char *digits, size_t cap, long *pos)
{
    const char *p = text;
    if (*p == '-' || *p == '+') p++;
    size_t n = 0;
    long before = -1;
    for (; *p && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            before = (long)n;
        } else if (n < cap) {
            digits[n++] = *p;
        }
    }
    if (before < 0) before = (long)n;
    long exp10 = *p ? strtol(p + 1, NULL, 10) : 0;
    size_t lead = 0;
    while (lead < n && digits[lead] == '0') lead++;
    while (n > lead && digits[n - 1] == '0') n--;
    memmove(digits, digits + lead, n - lead);
    *pos = before - (long)lead + exp10;
    return n - lead;
}

/* Exact equality of a short decimal text and a long double (glibc prints exact
 * expansions; a double's midpoint needs at most ~770 significant digits). */
static bool decimal_equals(const char *text, long double x)
{
    char big[1300], d1[40], d2[1300];
    snprintf(big, sizeof big, "%.1150Le", x);
    long p1, p2;
    size_t n1 = decimal_key(text, d1, sizeof d1, &p1);
    size_t n2 = decimal_key(big, d2, sizeof d2, &p2);
    return n1 == n2 && p1 == p2 && memcmp(d1, d2, n1) == 0;
}

/* Whether text reads back as v, excluding texts exactly halfway to a neighbour:
 * PostgreSQL's Ryu is built without STRICTLY_SHORTEST, so the bounds of the rounding
 * interval are never accepted even where round-half-even would map them back to v.
 * Midpoints of doubles (and floats) are exact long doubles. */
static bool reads_back(const char *text, double v, bool is_float4)
{
    long double lo, hi;
    if (is_float4) {
        float f = (float)v;
        if (strtof(text, NULL) != f) return false;
        lo = ((long double)f + (long double)nextafterf(f, -INFINITY)) / 2;
        hi = ((long double)f + (long double)nextafterf(f, INFINITY)) / 2;
    } else {
        if (strtod(text, NULL) != v) return false;
        lo = ((long double)v + (long double)nextafter(v, -INFINITY)) / 2;
        hi = ((long double)v + (long double)nextafter(v, INFINITY)) / 2;
    }
    long double approx = strtold(text, NULL);
    if (approx != lo && approx != hi) return true; /* clearly inside the interval */
    return !decimal_equals(text, approx == lo ? lo : hi);
}

static int strip_zeros(char *digits, int n)
{
    while (n > 1 && digits[n - 1] == '0') n--;
    return n;
}

/* The shortest digit string that reads back as v - the digits PostgreSQL's Ryu output
 * gives (the closest of the shortest candidates). Returns the decimal exponent of the
 * first digit.
 * We start at DBL_DIG (FLT_DIG) digits for normal numbers: if any k <= 15 digit decimal
 * reads back, it lies
 * within 2^-53 (relative) of v, far inside half a unit of the 15th digit, so the
 * correctly rounded 15-digit text is that decimal padded with zeros - stripping them
 * gives the shortest. Beyond that, the correctly rounded p-digit number is tried first;
 * near a power of two the rounding interval is asymmetric, so its neighbours too. */
static int shortest_digits(double v, bool is_float4, char *digits, int *ndigits)
{
    char tmp[48];
    int minp = is_float4 ? FLT_DIG : DBL_DIG, maxp = is_float4 ? 9 : 17;
    /* subnormals have fewer significant bits: the argument above does not hold */
    if (is_float4 ? fabsf((float)v) < FLT_MIN : fabs(v) < DBL_MIN) minp = 1;
    long long pow10 = 1;
    for (int p = 1; p < minp; p++) pow10 *= 10;
    for (int p = minp; p <= maxp; p++, pow10 *= 10) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        char *e = strchr(tmp, 'e');
        int exp10 = atoi(e + 1), m = 0;
        char mant[24];
        for (char *q = tmp; q < e; q++)
            if (isdigit((unsigned char)*q)) mant[m++] = *q;
        mant[m] = '\0';
        if (reads_back(tmp, v, is_float4)) {
            memcpy(digits, mant, (size_t)m);
            *ndigits = strip_zeros(digits, m);
            return exp10;
        }
        long long mv = atoll(mant);
        for (int delta = -1; delta <= 1; delta += 2) {
            long long cand = mv + delta;
            if (cand < pow10 || cand >= pow10 * 10) continue;
            snprintf(tmp, sizeof tmp, "%llde%d", cand, exp10 - (p - 1));
            if (!reads_back(tmp, v, is_float4)) continue;
            int n = snprintf(digits, 24, "%lld", cand);
            *ndigits = strip_zeros(digits, n);
            return exp10;
        }
    }
    mice_unreachable();
}

static size_t format_shortest(double v, bool is_float4, char *buf)
{
    char digits[24];
    int nd = 0;
    size_t n = 0;
    if (signbit(v)) buf[n++] = '-';
    if (v == 0) {
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    int exp10 = shortest_digits(fabs(v), is_float4, digits, &nd);
    int fixed_max = is_float4 ? 6 : 15;
    if (exp10 >= -4 && exp10 < fixed_max) {
        if (exp10 < 0) {
            buf[n++] = '0';
            buf[n++] = '.';
            for (int i = 0; i < -exp10 - 1; i++) buf[n++] = '0';
            memcpy(buf + n, digits, (size_t)nd);
            n += (size_t)nd;
        } else {
            for (int i = 0; i <= exp10 || i < nd; i++) {
                if (i == exp10 + 1) buf[n++] = '.';
                buf[n++] = i < nd ? digits[i] : '0';
            }
        }
    } else {
        buf[n++] = digits[0];
        if (nd > 1) {
            buf[n++] = '.';
            memcpy(buf + n, digits + 1, (size_t)nd - 1);
            n += (size_t)nd - 1;
        }
        n += (size_t)sprintf(buf + n, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
    buf[n] = '\0';
    return n;
}

static size_t format_float(double v, bool is_float4, int extra, char *buf)
{
    if (isnan(v)) return (size_t)sprintf(buf, "NaN");
    if (isinf(v)) return (size_t)sprintf(buf, v > 0 ? "Infinity" : "-Infinity");
    if (extra > 0) return format_shortest(v, is_float4, buf);
    int ndig = (is_float4 ? FLT_DIG : DBL_DIG) + extra;
    if (ndig < 1) ndig = 1;
    return (size_t)snprintf(buf, SQL_FLOAT_TEXT_MAX, "%.*g", ndig, v);
}

size_t value_format_float8(double v, int extra_float_digits, char *buf)
{
    return format_float(v, false, extra_float_digits, buf);
}

size_t value_format_float4(float v, int extra_float_digits, char *buf)
{
    return format_float(v, true, extra_float_digits, buf);
}

/* A NUL-terminated copy for strtod and friends (input text is not terminated). */
static char *cstr(mice_slice s, char *small, size_t small_cap)
{
    char *p = s.n < small_cap ? small : mice_malloc(s.n + 1);
    memcpy(p, s.p, s.n);
    p[s.n] = '\0';
    return p;
}

static void cstr_free(char *p, char *small)
{
    if (p != small) free(p);
}

static bool parse_float_special(const char *p, double *out)
{
    static const struct {
        const char *w;
        double v;
    } words[] = {{"nan", NAN},       {"infinity", INFINITY},   {"+infinity", INFINITY},
                 {"-infinity", -INFINITY}, {"inf", INFINITY}, {"+inf", INFINITY},
                 {"-inf", -INFINITY}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i].w);
        if (strncasecmp(p, words[i].w, n) == 0) {
            const char *q = p + n;
            while (isspace((unsigned char)*q)) q++;
            if (*q == '\0') {
                *out = words[i].v;
                return true;
            }
        }
    }
    return false;
}

static mice_status parse_float(mice_slice text, bool is_float4, double *out, sql_error *err)
{
    const char *typname = is_float4 ? "real" : "double precision";
    char small[64];
    char *s = cstr(text, small, sizeof small);
    mice_status rc = MICE_OK;
    const char *p = s;
    while (isspace((unsigned char)*p)) p++;
    char *end = NULL;
    errno = 0;
    double v = 0;
    if (*p == '\0' || strlen(s) != text.n) {
        rc = sqlerr_invalid_input(err, typname, (const char *)text.p, text.n);
    } else if (parse_float_special(p, &v)) {
        *out = v;
    } else {
        v = is_float4 ? (double)strtof(p, &end) : strtod(p, &end);
        if (end == p) {
            rc = sqlerr_invalid_input(err, typname, (const char *)text.p, text.n);
        } else if (errno == ERANGE && (v == 0.0 || isinf(v))) {
            rc = sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                            "\"%s\" is out of range for type %s", s, typname);
        } else {
            while (isspace((unsigned char)*end)) end++;
            if (*end) rc = sqlerr_invalid_input(err, typname, (const char *)text.p, text.n);
            else *out = v;
        }
    }
    cstr_free(s, small);
    return rc;
}

mice_status value_parse_float8(mice_slice text, double *out, sql_error *err)
{
    return parse_float(text, false, out, err);
}

mice_status value_parse_float4(mice_slice text, float *out, sql_error *err)
{
    double d;
    mice_status rc = parse_float(text, true, &d, err);
    if (!rc) *out = (float)d;
    return rc;
}

/* ---- integers and bool ---- */

static const char *int_typname(int bits)
{
    return bits == 16 ? "smallint" : bits == 32 ? "integer" : "bigint";
}

mice_status value_parse_int(mice_slice text, int bits, int64_t *out, sql_error *err)
{
    const char *p = (const char *)text.p, *end = p + text.n;
    while (p < end && isspace((unsigned char)*p)) p++;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    const char *digits = p;
    uint64_t acc = 0;
    bool overflow = false;
    for (; p < end && isdigit((unsigned char)*p); p++) {
        if (acc > (UINT64_MAX - 9) / 10) overflow = true;
        else acc = acc * 10 + (uint64_t)(*p - '0');
    }
    bool any = p > digits;
    while (p < end && isspace((unsigned char)*p)) p++;
    if (!any || p != end) return sqlerr_invalid_input(err, int_typname(bits), (const char *)text.p, text.n);
    uint64_t limit = bits == 16 ? 32767u : bits == 32 ? 2147483647u : (uint64_t)INT64_MAX;
    if (overflow || acc > limit + (neg ? 1 : 0)) {
        int n = text.n > 256 ? 256 : (int)text.n;
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value \"%.*s\" is out of range for type %s", n, (const char *)text.p,
                          int_typname(bits));
    }
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return MICE_OK;
}

static bool prefix_of(const char *p, size_t n, const char *word, size_t min_len)
{
    return n >= min_len && n <= strlen(word) && strncasecmp(p, word, n) == 0;
}

mice_status value_parse_bool(mice_slice text, bool *out, sql_error *err)
{
    const char *p = (const char *)text.p, *e = p + text.n;
    while (p < e && isspace((unsigned char)*p)) p++;
    while (e > p && isspace((unsigned char)e[-1])) e--;
    size_t n = (size_t)(e - p);
    if (n > 0) {
        switch (tolower((unsigned char)*p)) {
        case 't': if (prefix_of(p, n, "true", 1)) return *out = true, MICE_OK; break;
        case 'f': if (prefix_of(p, n, "false", 1)) return *out = false, MICE_OK; break;
        case 'y': if (prefix_of(p, n, "yes", 1)) return *out = true, MICE_OK; break;
        case 'n': if (prefix_of(p, n, "no", 1)) return *out = false, MICE_OK; break;
        case 'o':
            if (prefix_of(p, n, "on", 2)) return *out = true, MICE_OK;
            if (prefix_of(p, n, "off", 2)) return *out = false, MICE_OK;
            break;
        case '1': if (n == 1) return *out = true, MICE_OK; break;
        case '0': if (n == 1) return *out = false, MICE_OK; break;
        default: break;
        }
    }
    return sqlerr_invalid_input(err, "boolean", (const char *)text.p, text.n);
}

/* ---- strings ---- */

/* Length of the valid UTF-8 sequence at p (PostgreSQL's rules: no overlongs, no
 * surrogates, <= U+10FFFF, no NUL), or 0 when invalid. */
static int utf8_seq(const uint8_t *p, size_t avail)
{
    uint8_t c = p[0];
    if (c == 0) return 0;
    if (c < 0x80) return 1;
    int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || (size_t)len > avail) return 0;
    for (int i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (len == 2 && c < 0xC2) return 0;
    if (len == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))) return 0;
    if (len == 4 && ((c == 0xF0 && p[1] < 0x90) || c > 0xF4 || (c == 0xF4 && p[1] > 0x8F)))
        return 0;
    return len;
}

mice_status value_check_utf8(mice_slice s, sql_error *err)
{
    for (size_t i = 0; i < s.n;) {
        int n = utf8_seq(s.p + i, s.n - i);
        if (n) {
            i += (size_t)n;
            continue;
        }
        uint8_t c = s.p[i];
        size_t want = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        if (want > s.n - i) want = s.n - i;
        char hex[32] = "";
        size_t h = 0;
        for (size_t k = 0; k < want; k++)
            h += (size_t)snprintf(hex + h, sizeof hex - h, "%s0x%02x", k ? " " : "", s.p[i + k]);
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE,
                          "invalid byte sequence for encoding \"UTF8\": %s", hex);
    }
    return MICE_OK;
}

size_t sql_utf8_char_count(mice_slice s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.n; i++)
        if ((s.p[i] & 0xC0) != 0x80) n++;
    return n;
}

/* Bytes taken by the first `chars` characters of s. */
static size_t utf8_prefix_bytes(mice_slice s, size_t chars)
{
    size_t i = 0, seen = 0;
    for (; i < s.n; i++) {
        if ((s.p[i] & 0xC0) != 0x80) {
            if (seen == chars) break;
            seen++;
        }
    }
    return i;
}

mice_status value_apply_char_typmod(sql_type_id type, mice_slice s, int32_t typmod,
                                    bool explicit_cast, mice_arena *arena, mice_slice *out,
                                    sql_error *err)
{
    *out = s;
    if (typmod < SQL_VARHDRSZ || (type != SQL_TYPE_VARCHAR && type != SQL_TYPE_BPCHAR))
        return MICE_OK;
    size_t maxlen = (size_t)(typmod - SQL_VARHDRSZ);
    size_t len = sql_utf8_char_count(s);
    if (len > maxlen) {
        size_t keep = utf8_prefix_bytes(s, maxlen);
        for (size_t i = keep; i < s.n && !explicit_cast; i++)
            if (s.p[i] != ' ')
                return sqlerr_set(err, MICE_RANGE, SQLSTATE_STRING_DATA_RIGHT_TRUNCATION,
                                  "value too long for type %s(%zu)",
                                  type == SQL_TYPE_VARCHAR ? "character varying" : "character",
                                  maxlen);
        out->n = keep;
        return MICE_OK;
    }
    if (type == SQL_TYPE_BPCHAR && len < maxlen) {
        uint8_t *p = arena_alloc(arena, s.n + (maxlen - len));
        if (!p) return sqlerr_nomem(err);
        if (s.n) memcpy(p, s.p, s.n);
        memset(p + s.n, ' ', maxlen - len);
        *out = (mice_slice){p, s.n + (maxlen - len)};
    }
    return MICE_OK;
}

/* ---- bytea ---- */

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = (uint8_t)tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static mice_status bytea_hex_in(mice_slice s, mice_arena *arena, mice_slice *out, sql_error *err)
{
    uint8_t *p = arena_alloc(arena, s.n / 2 + 1);
    if (!p) return sqlerr_nomem(err);
    size_t n = 0;
    for (size_t i = 2; i < s.n;) {
        if (isspace(s.p[i])) {
            i++;
            continue;
        }
        int hi = hex_value(s.p[i]);
        if (hi < 0)
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid hexadecimal digit: \"%c\"", s.p[i]);
        if (i + 1 >= s.n)
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid hexadecimal data: odd number of digits");
        int lo = hex_value(s.p[i + 1]);
        if (lo < 0)
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid hexadecimal digit: \"%c\"", s.p[i + 1]);
        p[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    *out = (mice_slice){p, n};
    return MICE_OK;
}

static bool is_octal(uint8_t c)
{
    return c >= '0' && c <= '7';
}

static mice_status bytea_escape_in(mice_slice s, mice_arena *arena, mice_slice *out,
                                   sql_error *err)
{
    uint8_t *p = arena_alloc(arena, s.n + 1);
    if (!p) return sqlerr_nomem(err);
    size_t n = 0;
    for (size_t i = 0; i < s.n;) {
        if (s.p[i] != '\\') {
            p[n++] = s.p[i++];
        } else if (i + 1 < s.n && s.p[i + 1] == '\\') {
            p[n++] = '\\';
            i += 2;
        } else if (i + 3 < s.n && s.p[i + 1] >= '0' && s.p[i + 1] <= '3' &&
                   is_octal(s.p[i + 2]) && is_octal(s.p[i + 3])) {
            p[n++] = (uint8_t)((s.p[i + 1] - '0') << 6 | (s.p[i + 2] - '0') << 3 | (s.p[i + 3] - '0'));
            i += 4;
        } else {
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                              "invalid input syntax for type bytea");
        }
    }
    *out = (mice_slice){p, n};
    return MICE_OK;
}

static void bytea_out(mice_slice s, mice_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    buf_append(out, "\\x", 2);
    uint8_t *p = buf_extend(out, s.n * 2);
    for (size_t i = 0; i < s.n; i++) {
        p[2 * i] = (uint8_t)hex[s.p[i] >> 4];
        p[2 * i + 1] = (uint8_t)hex[s.p[i] & 15];
    }
}

/* ---- text output ---- */

static const sql_value_ctx default_ctx = {{NULL, 0, NULL}, 1};

mice_status value_to_text(const sql_datum *d, const sql_value_ctx *ctx, mice_buf *out,
                          sql_error *err)
{
    mice_assert(!d->is_null);
    if (!ctx) ctx = &default_ctx;
    char fbuf[SQL_FLOAT_TEXT_MAX];
    switch (d->type) {
    case SQL_TYPE_BOOL:
        buf_append_u8(out, d->v.b ? 't' : 'f');
        return MICE_OK;
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
    case SQL_TYPE_OID:
        buf_printf(out, "%lld", (long long)d->v.i);
        return MICE_OK;
    case SQL_TYPE_XID:
    case SQL_TYPE_REGPROC:
    case SQL_TYPE_REGPROCEDURE:
    case SQL_TYPE_REGOPER:
    case SQL_TYPE_REGOPERATOR:
    case SQL_TYPE_REGCLASS:
    case SQL_TYPE_REGTYPE:
    case SQL_TYPE_REGNAMESPACE:
    case SQL_TYPE_REGROLE:
        /* a reg value without the catalog at hand: its number, "-" for InvalidOid */
        if (d->v.i == 0 && d->type != SQL_TYPE_XID)
            buf_append_u8(out, '-');
        else
            buf_printf(out, "%lld", (long long)(uint32_t)d->v.i);
        return MICE_OK;
    case SQL_TYPE_FLOAT4:
        buf_append(out, fbuf, value_format_float4(d->v.f4, ctx->extra_float_digits, fbuf));
        return MICE_OK;
    case SQL_TYPE_FLOAT8:
        buf_append(out, fbuf, value_format_float8(d->v.f8, ctx->extra_float_digits, fbuf));
        return MICE_OK;
    case SQL_TYPE_NUMERIC:
        numeric_format(d->v.num, out);
        return MICE_OK;
    case SQL_TYPE_TEXT:
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_BPCHAR:
    case SQL_TYPE_UNKNOWN:
    case SQL_TYPE_NAME:
    case SQL_TYPE_CHAR:
    case SQL_TYPE_PG_NODE_TREE:
    case SQL_TYPE_ACLITEM:
        buf_append_slice(out, d->v.s);
        return MICE_OK;
    case SQL_TYPE_BYTEA:
        bytea_out(d->v.s, out);
        return MICE_OK;
    case SQL_TYPE_DATE:
        datetime_format_date(d->v.date, out);
        return MICE_OK;
    case SQL_TYPE_TIMESTAMP:
        datetime_format_timestamp(d->v.ts, out);
        return MICE_OK;
    case SQL_TYPE_TIMESTAMPTZ:
        datetime_format_timestamptz(d->v.ts, ctx->dt.tz, out);
        return MICE_OK;
    case SQL_TYPE_INTERVAL:
        interval_format(&d->v.iv, ctx->interval_style, out);
        return MICE_OK;
    case SQL_TYPE_TIME:
        sqltime_format(d->v.time, out);
        return MICE_OK;
    case SQL_TYPE_TIMETZ:
        sqltimetz_format(&d->v.ttz, out);
        return MICE_OK;
    case SQL_TYPE_UUID:
        sqluuid_format(&d->v.uuid, out);
        return MICE_OK;
    case SQL_TYPE_JSON:
        buf_append_slice(out, d->v.s);
        return MICE_OK;
    default:
        if (array_type_is(d->type)) return array_to_text(d, ctx, out, err);
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "type %u is not supported yet", (unsigned)d->type);
    }
}

/* ---- text input ---- */

static mice_status json_in(mice_slice text, mice_arena *arena, sql_datum *out, sql_error *err)
{
    mice_status rc = sqljson_validate(text, err);
    if (rc) return rc;
    mice_slice s = arena_slice_dup(arena, text);
    if (!s.p && text.n) return sqlerr_nomem(err);
    *out = datum_bytes(SQL_TYPE_JSON, s);
    return MICE_OK;
}

static mice_status string_in(sql_type t, mice_slice text, mice_arena *arena, sql_datum *out,
                             sql_error *err)
{
    mice_status rc = value_check_utf8(text, err);
    if (rc) return rc;
    mice_slice s;
    rc = value_apply_char_typmod(t.id, text, t.typmod, false, arena, &s, err);
    if (rc) return rc;
    if (s.p == text.p) {
        s = arena_slice_dup(arena, s);
        if (!s.p) return sqlerr_nomem(err);
    }
    *out = datum_bytes(t.id, s);
    return MICE_OK;
}

static mice_status bytea_in(mice_slice text, mice_arena *arena, sql_datum *out, sql_error *err)
{
    mice_slice s = {NULL, 0};
    bool hex = text.n >= 2 && text.p[0] == '\\' && text.p[1] == 'x';
    mice_status rc = hex ? bytea_hex_in(text, arena, &s, err) : bytea_escape_in(text, arena, &s, err);
    if (!rc) *out = datum_bytes(SQL_TYPE_BYTEA, s);
    return rc;
}

static mice_status oid_in(mice_slice text, sql_datum *out, sql_error *err)
{
    int64_t v;
    mice_status rc = value_parse_int(text, 64, &v, err);
    if (rc == MICE_INVALID) return sqlerr_invalid_input(err, "oid", (const char *)text.p, text.n);
    if (rc || v < INT32_MIN || v > (int64_t)UINT32_MAX) {
        int n = text.n > 256 ? 256 : (int)text.n;
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "value \"%.*s\" is out of range for type oid", n, (const char *)text.p);
    }
    *out = (sql_datum){.type = SQL_TYPE_OID, .v.i = (int64_t)(uint32_t)v};
    return MICE_OK;
}

static mice_status int_in(sql_type_id id, mice_slice text, sql_datum *out, sql_error *err)
{
    int bits = id == SQL_TYPE_INT2 ? 16 : id == SQL_TYPE_INT4 ? 32 : 64;
    int64_t v;
    mice_status rc = value_parse_int(text, bits, &v, err);
    if (!rc) *out = (sql_datum){.type = id, .v.i = v};
    return rc;
}

static mice_status datetime_in(sql_type t, mice_slice text, const sql_value_ctx *ctx,
                               sql_datum *out, sql_error *err)
{
    mice_status rc;
    if (t.id == SQL_TYPE_DATE) {
        sql_date d;
        rc = datetime_parse_date(text, &ctx->dt, &d, err);
        if (!rc) *out = datum_date(d);
        return rc;
    }
    sql_timestamp ts;
    rc = t.id == SQL_TYPE_TIMESTAMP ? datetime_parse_timestamp(text, &ctx->dt, &ts, err)
                                    : datetime_parse_timestamptz(text, &ctx->dt, &ts, err);
    if (rc) return rc;
    *out = (sql_datum){.type = t.id, .v.ts = timestamp_round_typmod(ts, t.typmod)};
    return MICE_OK;
}

mice_status value_from_text(sql_type t, mice_slice text, const sql_value_ctx *ctx,
                            mice_arena *arena, sql_datum *out, sql_error *err)
{
    if (!ctx) ctx = &default_ctx;
    mice_status rc;
    switch (t.id) {
    case SQL_TYPE_BOOL: {
        bool b;
        rc = value_parse_bool(text, &b, err);
        if (!rc) *out = datum_bool(b);
        return rc;
    }
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
        return int_in(t.id, text, out, err);
    case SQL_TYPE_OID:
        return oid_in(text, out, err);
    case SQL_TYPE_XID:
    case SQL_TYPE_REGPROC:
    case SQL_TYPE_REGPROCEDURE:
    case SQL_TYPE_REGOPER:
    case SQL_TYPE_REGOPERATOR:
    case SQL_TYPE_REGCLASS:
    case SQL_TYPE_REGTYPE:
    case SQL_TYPE_REGNAMESPACE:
    case SQL_TYPE_REGROLE:
        /* numbers only: names need the catalog (the binder resolves constants) */
        rc = oid_in(text, out, err);
        if (!rc) out->type = t.id;
        return rc;
    case SQL_TYPE_FLOAT4:
        *out = datum_float4(0);
        return value_parse_float4(text, &out->v.f4, err);
    case SQL_TYPE_FLOAT8:
        *out = datum_float8(0);
        return value_parse_float8(text, &out->v.f8, err);
    case SQL_TYPE_NUMERIC: {
        const sql_numeric *n;
        rc = numeric_parse(text, arena, &n, err);
        if (!rc) rc = numeric_apply_typmod(n, t.typmod, arena, &n, err);
        if (!rc) *out = datum_numeric(n);
        return rc;
    }
    case SQL_TYPE_TEXT:
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_BPCHAR:
    case SQL_TYPE_UNKNOWN:
    case SQL_TYPE_PG_NODE_TREE:
    case SQL_TYPE_ACLITEM:
        return string_in(t, text, arena, out, err);
    case SQL_TYPE_NAME:
    case SQL_TYPE_CHAR:
        rc = string_in(t, text, arena, out, err);
        if (!rc && out->v.s.n > (t.id == SQL_TYPE_CHAR ? 1u : 63u))
            out->v.s.n = t.id == SQL_TYPE_CHAR ? 1 : 63; /* "char": one byte; NAMEDATALEN */
        return rc;
    case SQL_TYPE_BYTEA:
        return bytea_in(text, arena, out, err);
    case SQL_TYPE_DATE:
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ:
        return datetime_in(t, text, ctx, out, err);
    case SQL_TYPE_INTERVAL:
        *out = datum_interval((sql_interval){0});
        return interval_parse(text, t.typmod, ctx->interval_style, &out->v.iv, err);
    case SQL_TYPE_TIME:
        *out = datum_time(0);
        return sqltime_parse(text, t.typmod, &ctx->dt, &out->v.time, err);
    case SQL_TYPE_TIMETZ:
        *out = datum_timetz((sql_timetz){0, 0});
        return sqltimetz_parse(text, t.typmod, &ctx->dt, &out->v.ttz, err);
    case SQL_TYPE_UUID:
        *out = datum_uuid((sql_uuid){{0}});
        return sqluuid_parse(text, &out->v.uuid, err);
    case SQL_TYPE_JSON:
        return json_in(text, arena, out, err);
    default:
        if (array_type_is(t.id)) return array_from_text(t, text, ctx, arena, out, err);
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "type %u is not supported yet", (unsigned)t.id);
    }
}

/* ---- binary ---- */

mice_status value_send(const sql_datum *d, mice_buf *out, sql_error *err)
{
    mice_assert(!d->is_null);
    union {
        float f;
        uint32_t u;
    } f4;
    union {
        double d;
        uint64_t u;
    } f8;
    switch (d->type) {
    case SQL_TYPE_BOOL: buf_append_u8(out, d->v.b ? 1 : 0); return MICE_OK;
    case SQL_TYPE_INT2: buf_append_be16(out, (uint16_t)d->v.i); return MICE_OK;
    case SQL_TYPE_INT4:
    case SQL_TYPE_OID:
    case SQL_TYPE_XID:
    case SQL_TYPE_REGPROC:
    case SQL_TYPE_REGPROCEDURE:
    case SQL_TYPE_REGOPER:
    case SQL_TYPE_REGOPERATOR:
    case SQL_TYPE_REGCLASS:
    case SQL_TYPE_REGTYPE:
    case SQL_TYPE_REGNAMESPACE:
    case SQL_TYPE_REGROLE:
        buf_append_be32(out, (uint32_t)d->v.i);
        return MICE_OK;
    case SQL_TYPE_INT8: buf_append_be64(out, (uint64_t)d->v.i); return MICE_OK;
    case SQL_TYPE_FLOAT4:
        f4.f = d->v.f4;
        buf_append_be32(out, f4.u);
        return MICE_OK;
    case SQL_TYPE_FLOAT8:
        f8.d = d->v.f8;
        buf_append_be64(out, f8.u);
        return MICE_OK;
    case SQL_TYPE_NUMERIC: numeric_send(d->v.num, out); return MICE_OK;
    case SQL_TYPE_TEXT:
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_BPCHAR:
    case SQL_TYPE_UNKNOWN:
    case SQL_TYPE_NAME:
    case SQL_TYPE_CHAR:
    case SQL_TYPE_PG_NODE_TREE:
    case SQL_TYPE_BYTEA: buf_append_slice(out, d->v.s); return MICE_OK;
    case SQL_TYPE_DATE: buf_append_be32(out, (uint32_t)d->v.date); return MICE_OK;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ: buf_append_be64(out, (uint64_t)d->v.ts); return MICE_OK;
    case SQL_TYPE_INTERVAL: interval_send(&d->v.iv, out); return MICE_OK;
    case SQL_TYPE_TIME: sqltime_send(d->v.time, out); return MICE_OK;
    case SQL_TYPE_TIMETZ: sqltimetz_send(&d->v.ttz, out); return MICE_OK;
    case SQL_TYPE_UUID: buf_append(out, d->v.uuid.b, SQL_UUID_BYTES); return MICE_OK;
    case SQL_TYPE_JSON: buf_append_slice(out, d->v.s); return MICE_OK;
    default:
        if (array_type_is(d->type)) return array_send(d, out, err);
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "type %u is not supported yet", (unsigned)d->type);
    }
}

static mice_status bad_binary(sql_error *err)
{
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "incorrect binary data format");
}

static mice_status fixed_recv(sql_type_id id, mice_slice b, sql_datum *out, sql_error *err)
{
    size_t want = id == SQL_TYPE_BOOL ? 1 : id == SQL_TYPE_INT2 ? 2
                : (id == SQL_TYPE_INT4 || id == SQL_TYPE_OID || id == SQL_TYPE_FLOAT4 ||
                   id == SQL_TYPE_DATE) ? 4 : 8;
    if (b.n != want) return bad_binary(err);
    union {
        uint32_t u;
        float f;
    } f4;
    union {
        uint64_t u;
        double d;
    } f8;
    *out = (sql_datum){.type = id};
    switch (id) {
    case SQL_TYPE_BOOL: out->v.b = b.p[0] != 0; break;
    case SQL_TYPE_INT2: out->v.i = (int16_t)mice_load_be16(b.p); break;
    case SQL_TYPE_INT4: out->v.i = (int32_t)mice_load_be32(b.p); break;
    case SQL_TYPE_OID: out->v.i = mice_load_be32(b.p); break;
    case SQL_TYPE_INT8: out->v.i = (int64_t)mice_load_be64(b.p); break;
    case SQL_TYPE_FLOAT4: f4.u = mice_load_be32(b.p), out->v.f4 = f4.f; break;
    case SQL_TYPE_FLOAT8: f8.u = mice_load_be64(b.p), out->v.f8 = f8.d; break;
    case SQL_TYPE_DATE: out->v.date = (int32_t)mice_load_be32(b.p); break;
    default: out->v.ts = (int64_t)mice_load_be64(b.p); break;
    }
    return MICE_OK;
}

static mice_status check_datetime_range(const sql_datum *d, sql_error *err)
{
    if (d->type == SQL_TYPE_DATE ? date_in_range(d->v.date) : timestamp_in_range(d->v.ts))
        return MICE_OK;
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE, "%s out of range",
                      d->type == SQL_TYPE_DATE ? "date" : "timestamp");
}

mice_status value_recv(sql_type t, mice_slice bytes, const sql_value_ctx *ctx,
                       mice_arena *arena, sql_datum *out, sql_error *err)
{
    mice_status rc;
    switch (t.id) {
    case SQL_TYPE_NUMERIC: {
        const sql_numeric *n;
        rc = numeric_recv(bytes, t.typmod, arena, &n, err);
        if (!rc) *out = datum_numeric(n);
        return rc;
    }
    case SQL_TYPE_TEXT:
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_BPCHAR:
    case SQL_TYPE_UNKNOWN:
    case SQL_TYPE_NAME:
    case SQL_TYPE_CHAR:
        return string_in(t, bytes, arena, out, err);
    case SQL_TYPE_XID:
    case SQL_TYPE_REGPROC:
    case SQL_TYPE_REGPROCEDURE:
    case SQL_TYPE_REGOPER:
    case SQL_TYPE_REGOPERATOR:
    case SQL_TYPE_REGCLASS:
    case SQL_TYPE_REGTYPE:
    case SQL_TYPE_REGNAMESPACE:
    case SQL_TYPE_REGROLE:
        rc = fixed_recv(SQL_TYPE_OID, bytes, out, err);
        if (!rc) out->type = t.id;
        return rc;
    case SQL_TYPE_BYTEA: {
        mice_slice s = arena_slice_dup(arena, bytes);
        if (!s.p) return sqlerr_nomem(err);
        *out = datum_bytes(SQL_TYPE_BYTEA, s);
        return MICE_OK;
    }
    case SQL_TYPE_BOOL:
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
    case SQL_TYPE_OID:
    case SQL_TYPE_FLOAT4:
    case SQL_TYPE_FLOAT8:
        return fixed_recv(t.id, bytes, out, err);
    case SQL_TYPE_DATE:
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ:
        rc = fixed_recv(t.id, bytes, out, err);
        if (!rc) rc = check_datetime_range(out, err);
        if (!rc && t.id != SQL_TYPE_DATE) out->v.ts = timestamp_round_typmod(out->v.ts, t.typmod);
        return rc;
    case SQL_TYPE_INTERVAL:
        *out = datum_interval((sql_interval){0});
        return interval_recv(bytes, t.typmod, &out->v.iv, err);
    case SQL_TYPE_TIME:
        *out = datum_time(0);
        return sqltime_recv(bytes, t.typmod, &out->v.time, err);
    case SQL_TYPE_TIMETZ:
        *out = datum_timetz((sql_timetz){0, 0});
        return sqltimetz_recv(bytes, t.typmod, &out->v.ttz, err);
    case SQL_TYPE_UUID:
        *out = datum_uuid((sql_uuid){{0}});
        return sqluuid_recv(bytes, &out->v.uuid, err);
    case SQL_TYPE_JSON:
        return json_in(bytes, arena, out, err);
    default:
        if (array_type_is(t.id)) return array_recv(t, bytes, ctx, arena, out, err);
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "type %u is not supported yet", (unsigned)t.id);
    }
}
