/* Numeric arithmetic on base-10000 digit arrays; modelled on PostgreSQL's numeric.c. */
#include "sql/numeric.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

#define NBASE SQL_NUMERIC_NBASE
#define HALF_NBASE 5000
#define DEC_DIGITS SQL_NUMERIC_DEC_DIGITS

/* A working value. digits points into buf (heap, owned) or into a made sql_numeric
 * (borrowed, read-only). buf keeps one spare digit in front for rounding carries. */
typedef struct nvar {
    int ndigits;
    int weight;
    int sign;
    int dscale;
    int16_t *digits;
    int16_t *buf;
} nvar;

static const int round_powers[4] = {0, 1000, 100, 10};

static void var_init(nvar *v)
{
    memset(v, 0, sizeof *v);
    v->sign = SQL_NUMERIC_POS;
}

static void var_free(nvar *v)
{
    free(v->buf);
    v->buf = NULL;
    v->digits = NULL;
    v->ndigits = 0;
}

static void var_alloc(nvar *v, int ndigits)
{
    free(v->buf);
    v->buf = mice_malloc(sizeof(int16_t) * (size_t)(ndigits + 1));
    v->buf[0] = 0;
    v->digits = v->buf + 1;
    v->ndigits = ndigits;
}

/* A read-only view of a made value. */
static void var_view(nvar *v, const sql_numeric *n)
{
    v->ndigits = n->ndigits;
    v->weight = n->weight;
    v->sign = n->sign;
    v->dscale = n->dscale;
    v->digits = (int16_t *)n->digits;
    v->buf = NULL;
}

static void var_copy(nvar *dst, const nvar *src)
{
    var_alloc(dst, src->ndigits);
    if (src->ndigits) memcpy(dst->digits, src->digits, sizeof(int16_t) * (size_t)src->ndigits);
    dst->weight = src->weight;
    dst->sign = src->sign;
    dst->dscale = src->dscale;
}

/* Make the digits writable (copy a borrowed view). */
static void var_own(nvar *v)
{
    if (v->buf) return;
    nvar tmp = *v;
    v->buf = NULL;
    var_copy(v, &tmp);
}

static void var_strip(nvar *v)
{
    int16_t *d = v->digits;
    int n = v->ndigits;
    while (n > 0 && *d == 0) {
        d++;
        v->weight--;
        n--;
    }
    while (n > 0 && d[n - 1] == 0) n--;
    if (n == 0) {
        v->weight = 0;
        v->sign = SQL_NUMERIC_POS;
    }
    v->digits = d;
    v->ndigits = n;
}

static int digit_at(const nvar *v, int w)
{
    int i = v->weight - w;
    return (i >= 0 && i < v->ndigits) ? v->digits[i] : 0;
}

bool numeric_is_nan(const sql_numeric *n)
{
    return n->sign == SQL_NUMERIC_NAN;
}

bool numeric_is_inf(const sql_numeric *n)
{
    return n->sign == SQL_NUMERIC_PINF || n->sign == SQL_NUMERIC_NINF;
}

bool numeric_is_special(const sql_numeric *n)
{
    return n->sign == SQL_NUMERIC_NAN || numeric_is_inf(n);
}

int numeric_sign(const sql_numeric *n)
{
    if (n->sign == SQL_NUMERIC_PINF) return 1;
    if (n->sign == SQL_NUMERIC_NINF) return -1;
    if (n->sign == SQL_NUMERIC_NAN || n->ndigits == 0) return 0;
    return n->sign == SQL_NUMERIC_NEG ? -1 : 1;
}

static mice_status overflow_error(sql_error *err)
{
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value overflows numeric format");
}

/* Make an immutable value in the arena from v (v is left stripped). */
static mice_status make_result(nvar *v, mice_arena *arena, const sql_numeric **out,
                               sql_error *err)
{
    if (v->sign == SQL_NUMERIC_NAN || v->sign == SQL_NUMERIC_PINF || v->sign == SQL_NUMERIC_NINF) {
        v->ndigits = 0;
        v->weight = 0;
        v->dscale = 0;
    } else {
        var_strip(v);
        if (v->weight > SQL_NUMERIC_WEIGHT_MAX || v->weight < SQL_NUMERIC_WEIGHT_MIN ||
            v->dscale > SQL_NUMERIC_DSCALE_MAX || v->dscale < 0)
            return overflow_error(err);
    }
    sql_numeric *n = arena_alloc(arena, sizeof *n + sizeof(int16_t) * (size_t)v->ndigits);
    if (!n) return sqlerr_nomem(err);
    n->sign = (uint16_t)v->sign;
    n->dscale = (uint16_t)v->dscale;
    n->weight = v->weight;
    n->ndigits = v->ndigits;
    if (v->ndigits) memcpy(n->digits, v->digits, sizeof(int16_t) * (size_t)v->ndigits);
    *out = n;
    return MICE_OK;
}

static mice_status make_special(int sign, mice_arena *arena, const sql_numeric **out,
                                sql_error *err)
{
    nvar v;
    var_init(&v);
    v.sign = sign;
    return make_result(&v, arena, out, err);
}

/* ---- rounding ---- */

static void round_var(nvar *v, int rscale)
{
    var_own(v);
    int16_t *digits = v->digits;
    v->dscale = rscale;
    int di = (v->weight + 1) * DEC_DIGITS + rscale;
    if (di < 0) {
        v->ndigits = 0;
        v->weight = 0;
        v->sign = SQL_NUMERIC_POS;
        return;
    }
    int ndigits = (di + DEC_DIGITS - 1) / DEC_DIGITS;
    di %= DEC_DIGITS;
    if (!(ndigits < v->ndigits || (ndigits == v->ndigits && di > 0))) return;
    int carry;
    v->ndigits = ndigits;
    if (di == 0) {
        carry = digits[ndigits] >= HALF_NBASE ? 1 : 0;
    } else {
        int pow10 = round_powers[di];
        int extra = digits[--ndigits] % pow10;
        digits[ndigits] = (int16_t)(digits[ndigits] - extra);
        carry = 0;
        if (extra >= pow10 / 2) {
            pow10 += digits[ndigits];
            if (pow10 >= NBASE) {
                pow10 -= NBASE;
                carry = 1;
            }
            digits[ndigits] = (int16_t)pow10;
        }
    }
    while (carry) {
        carry += digits[--ndigits];
        if (carry >= NBASE) {
            digits[ndigits] = (int16_t)(carry - NBASE);
            carry = 1;
        } else {
            digits[ndigits] = (int16_t)carry;
            carry = 0;
        }
    }
    if (ndigits < 0) {
        mice_assert(ndigits == -1);
        mice_assert(v->digits > v->buf);
        v->digits--;
        v->ndigits++;
        v->weight++;
    }
}

static void trunc_var(nvar *v, int rscale)
{
    var_own(v);
    v->dscale = rscale;
    int di = (v->weight + 1) * DEC_DIGITS + rscale;
    if (di <= 0) {
        v->ndigits = 0;
        v->weight = 0;
        v->sign = SQL_NUMERIC_POS;
    } else {
        int ndigits = (di + DEC_DIGITS - 1) / DEC_DIGITS;
        if (ndigits <= v->ndigits) {
            v->ndigits = ndigits;
            di %= DEC_DIGITS;
            if (di > 0) {
                int extra = v->digits[--ndigits] % round_powers[di];
                v->digits[ndigits] = (int16_t)(v->digits[ndigits] - extra);
            }
        }
    }
    var_strip(v);
}

/* ---- text ---- */

static bool match_word(const char *p, const char *end, const char *word, const char **after)
{
    size_t n = strlen(word);
    if ((size_t)(end - p) < n || strncasecmp(p, word, n) != 0) return false;
    *after = p + n;
    return true;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p)) p++;
    return p;
}

/* NaN / [+-]Infinity / [+-]inf; returns the sign code or 0. */
static int parse_special(const char *p, const char *end)
{
    const char *q;
    int neg = 0;
    if (match_word(p, end, "nan", &q)) return skip_space(q, end) == end ? SQL_NUMERIC_NAN : 0;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    if (match_word(p, end, "infinity", &q) || match_word(p, end, "inf", &q))
        if (skip_space(q, end) == end) return neg ? SQL_NUMERIC_NINF : SQL_NUMERIC_PINF;
    return 0;
}

/* Decimal digit string (no leading zeros needed) whose first digit has decimal
 * exponent dweight, to base-10000 digits in v. */
static void var_from_decimal(nvar *v, const char *dig, int ndig, int dweight)
{
    int weight = dweight >= 0 ? (dweight + 1 + DEC_DIGITS - 1) / DEC_DIGITS - 1
                              : -((-dweight - 1) / DEC_DIGITS + 1);
    int offset = (weight + 1) * DEC_DIGITS - (dweight + 1);
    int ndigits = (ndig + offset + DEC_DIGITS - 1) / DEC_DIGITS;
    var_alloc(v, ndigits);
    v->weight = weight;
    for (int i = 0; i < ndigits; i++) {
        int d = 0;
        for (int k = 0; k < DEC_DIGITS; k++) {
            int idx = i * DEC_DIGITS + k - offset;
            d = d * 10 + ((idx >= 0 && idx < ndig) ? dig[idx] - '0' : 0);
        }
        v->digits[i] = (int16_t)d;
    }
}

typedef struct num_lex {
    const char *digits_start; /* digits, possibly with one '.' inside */
    int ndig;                 /* digits excluding '.' */
    int nbefore;              /* digits before the point */
    long exponent;
    bool neg;
} num_lex;

static bool lex_number(const char *p, const char *end, num_lex *lx, char *digbuf)
{
    memset(lx, 0, sizeof *lx);
    if (p < end && (*p == '+' || *p == '-')) lx->neg = *p++ == '-';
    bool seen_point = false;
    for (; p < end; p++) {
        if (isdigit((unsigned char)*p)) {
            digbuf[lx->ndig++] = *p;
            if (!seen_point) lx->nbefore++;
        } else if (*p == '.' && !seen_point) {
            seen_point = true;
        } else {
            break;
        }
    }
    if (lx->ndig == 0) return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p == end || !isdigit((unsigned char)*p)) return false;
        long e = 0;
        for (; p < end && isdigit((unsigned char)*p); p++)
            if (e < 1000000000L) e = e * 10 + (*p - '0');
        lx->exponent = eneg ? -e : e;
    }
    return skip_space(p, end) == end;
}

mice_status numeric_parse(mice_slice text, mice_arena *arena, const sql_numeric **out,
                          sql_error *err)
{
    const char *s = (const char *)text.p, *end = s + text.n;
    const char *p = skip_space(s, end);
    int special = parse_special(p, end);
    if (special) return make_special(special, arena, out, err);
    char *digbuf = mice_malloc(text.n + 1);
    num_lex lx;
    mice_status rc;
    if (!lex_number(p, end, &lx, digbuf)) {
        free(digbuf);
        return sqlerr_invalid_input(err, "numeric", s, text.n);
    }
    if (lx.exponent >= 1000000000L / 2 || lx.exponent <= -(1000000000L / 2)) {
        free(digbuf);
        return overflow_error(err);
    }
    /* skip leading zeros (they only shift the weight) */
    int lead = 0;
    while (lead < lx.ndig - 1 && digbuf[lead] == '0') lead++;
    long dweight = (long)lx.nbefore - 1 - lead + lx.exponent;
    long dscale = (long)(lx.ndig - lx.nbefore) - lx.exponent;
    if (dscale < 0) dscale = 0;
    if (dscale > SQL_NUMERIC_DSCALE_MAX || dweight > 4L * SQL_NUMERIC_WEIGHT_MAX + 3) {
        free(digbuf);
        return overflow_error(err);
    }
    nvar v;
    var_init(&v);
    var_from_decimal(&v, digbuf + lead, lx.ndig - lead, (int)dweight);
    free(digbuf);
    v.sign = lx.neg ? SQL_NUMERIC_NEG : SQL_NUMERIC_POS;
    v.dscale = (int)dscale;
    rc = make_result(&v, arena, out, err);
    var_free(&v);
    return rc;
}

static void format_var(const nvar *v, mice_buf *out)
{
    if (v->sign == SQL_NUMERIC_NEG && v->ndigits > 0) buf_append_u8(out, '-');
    if (v->weight < 0) {
        buf_append_u8(out, '0');
    } else {
        buf_printf(out, "%d", digit_at(v, v->weight));
        for (int w = v->weight - 1; w >= 0; w--) buf_printf(out, "%04d", digit_at(v, w));
    }
    if (v->dscale <= 0) return;
    buf_append_u8(out, '.');
    uint8_t *p = buf_extend(out, (size_t)v->dscale);
    for (int i = 0; i < v->dscale; i++) {
        int d = digit_at(v, -(i / DEC_DIGITS) - 1);
        int pos = i % DEC_DIGITS;
        static const int div[4] = {1000, 100, 10, 1};
        p[i] = (uint8_t)('0' + (d / div[pos]) % 10);
    }
}

void numeric_format(const sql_numeric *n, mice_buf *out)
{
    switch (n->sign) {
    case SQL_NUMERIC_NAN:
        buf_append_str(out, "NaN");
        return;
    case SQL_NUMERIC_PINF:
        buf_append_str(out, "Infinity");
        return;
    case SQL_NUMERIC_NINF:
        buf_append_str(out, "-Infinity");
        return;
    default:
        break;
    }
    nvar v;
    var_view(&v, n);
    format_var(&v, out);
}

/* ---- typmod ---- */

/* 22003 numeric field overflow, with PostgreSQL's detail (maxdigits may be negative:
 * numeric(3,5) must stay below 10^-2). */
static mice_status field_overflow(sql_error *err, int precision, int scale, int maxdigits,
                                  bool infinite)
{
    sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
    if (infinite)
        sqlerr_detail(err, "A field with precision %d, scale %d cannot hold an infinite value.",
                      precision, scale);
    else if (maxdigits != 0)
        sqlerr_detail(err, "A field with precision %d, scale %d must round to an absolute value "
                           "less than 10^%d.",
                      precision, scale, maxdigits);
    else
        sqlerr_detail(err, "A field with precision %d, scale %d must round to an absolute value "
                           "less than 1.",
                      precision, scale);
    return MICE_RANGE;
}

static mice_status apply_typmod_var(nvar *v, int32_t typmod, sql_error *err)
{
    if (typmod < 4) return MICE_OK;
    int precision = ((typmod - 4) >> 16) & 0xffff;
    int scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
    int maxdigits = precision - scale;
    round_var(v, scale);
    if (v->dscale < 0) v->dscale = 0;
    int ddigits = (v->weight + 1) * DEC_DIGITS;
    if (ddigits <= maxdigits) return MICE_OK;
    for (int i = 0; i < v->ndigits; i++) {
        int dig = v->digits[i];
        if (dig) {
            if (dig < 10) ddigits -= 3;
            else if (dig < 100) ddigits -= 2;
            else if (dig < 1000) ddigits -= 1;
            if (ddigits > maxdigits) return field_overflow(err, precision, scale, maxdigits, false);
            break;
        }
        ddigits -= DEC_DIGITS;
    }
    return MICE_OK;
}

mice_status numeric_apply_typmod(const sql_numeric *n, int32_t typmod, mice_arena *arena,
                                 const sql_numeric **out, sql_error *err)
{
    if (typmod < 4 || n->sign == SQL_NUMERIC_NAN) {
        *out = n;
        return MICE_OK;
    }
    if (numeric_is_inf(n)) {
        int precision = ((typmod - 4) >> 16) & 0xffff;
        int scale = (((typmod - 4) & 0x7ff) ^ 1024) - 1024;
        return field_overflow(err, precision, scale, 0, true);
    }
    nvar v;
    var_init(&v);
    var_view(&v, n);
    mice_status rc = apply_typmod_var(&v, typmod, err);
    if (!rc) rc = make_result(&v, arena, out, err);
    var_free(&v);
    return rc;
}

/* ---- arithmetic on magnitudes ---- */

static int lowest_weight(const nvar *v)
{
    return v->weight - v->ndigits + 1;
}

static int cmp_abs(const nvar *a, const nvar *b)
{
    if (a->ndigits == 0 || b->ndigits == 0) {
        if (a->ndigits) return 1;
        return b->ndigits ? -1 : 0;
    }
    /* stripped operands: compare weights first (leading digits are non-zero) */
    int hi = a->weight > b->weight ? a->weight : b->weight;
    int lo = lowest_weight(a) < lowest_weight(b) ? lowest_weight(a) : lowest_weight(b);
    for (int w = hi; w >= lo; w--) {
        int da = digit_at(a, w), db = digit_at(b, w);
        if (da != db) return da < db ? -1 : 1;
    }
    return 0;
}

static void add_abs(const nvar *a, const nvar *b, nvar *r)
{
    int hi = (a->weight > b->weight ? a->weight : b->weight) + 1;
    int lo = lowest_weight(a) < lowest_weight(b) ? lowest_weight(a) : lowest_weight(b);
    if (a->ndigits == 0) lo = lowest_weight(b);
    if (b->ndigits == 0) lo = lowest_weight(a);
    if (hi < lo) lo = hi;
    nvar t;
    var_init(&t);
    var_alloc(&t, hi - lo + 1);
    int carry = 0;
    for (int w = lo; w <= hi; w++) {
        int s = digit_at(a, w) + digit_at(b, w) + carry;
        carry = s >= NBASE;
        t.digits[hi - w] = (int16_t)(carry ? s - NBASE : s);
    }
    t.weight = hi;
    t.dscale = a->dscale > b->dscale ? a->dscale : b->dscale;
    var_free(r);
    *r = t;
    var_strip(r);
}

/* |a| >= |b| */
static void sub_abs(const nvar *a, const nvar *b, nvar *r)
{
    int hi = a->weight;
    int lo = lowest_weight(a) < lowest_weight(b) ? lowest_weight(a) : lowest_weight(b);
    if (b->ndigits == 0) lo = lowest_weight(a);
    if (hi < lo) lo = hi;
    nvar t;
    var_init(&t);
    var_alloc(&t, hi - lo + 1);
    int borrow = 0;
    for (int w = lo; w <= hi; w++) {
        int s = digit_at(a, w) - digit_at(b, w) - borrow;
        borrow = s < 0;
        t.digits[hi - w] = (int16_t)(borrow ? s + NBASE : s);
    }
    mice_assert(borrow == 0);
    t.weight = hi;
    t.dscale = a->dscale > b->dscale ? a->dscale : b->dscale;
    var_free(r);
    *r = t;
    var_strip(r);
}

/* r = a + b * (negate_b ? -1 : 1), finite values; r must not alias a or b. */
static void add_var(const nvar *a, const nvar *b, bool negate_b, nvar *r)
{
    int sa = a->sign, sb = b->sign;
    if (negate_b) sb = sb == SQL_NUMERIC_NEG ? SQL_NUMERIC_POS : SQL_NUMERIC_NEG;
    if (b->ndigits == 0) sb = SQL_NUMERIC_POS;
    if (sa == sb) {
        add_abs(a, b, r);
        if (r->ndigits) r->sign = sa;
        return;
    }
    if (cmp_abs(a, b) >= 0) {
        sub_abs(a, b, r);
        if (r->ndigits) r->sign = sa;
    } else {
        sub_abs(b, a, r);
        if (r->ndigits) r->sign = sb;
    }
}

static void mul_var(const nvar *a, const nvar *b, nvar *r)
{
    int n = a->ndigits + b->ndigits;
    int64_t *acc = mice_calloc((size_t)n + 1, sizeof *acc);
    for (int i = 0; i < a->ndigits; i++) {
        if (a->digits[i] == 0) continue;
        for (int j = 0; j < b->ndigits; j++) acc[i + j + 1] += (int64_t)a->digits[i] * b->digits[j];
        /* keep accumulators bounded: at most 10000 terms of < 10^8 before normalizing */
        if ((i & 4095) == 4095) {
            int64_t carry = 0;
            for (int k = n; k >= 0; k--) {
                acc[k] += carry;
                carry = acc[k] / NBASE;
                acc[k] %= NBASE;
            }
        }
    }
    nvar t;
    var_init(&t);
    var_alloc(&t, n);
    int64_t carry = 0;
    for (int k = n - 1; k >= 0; k--) {
        int64_t s = acc[k] + carry;
        carry = s / NBASE;
        t.digits[k] = (int16_t)(s % NBASE);
    }
    mice_assert(carry == 0);
    free(acc);
    t.weight = a->weight + b->weight + 1;
    t.sign = (a->sign == b->sign) ? SQL_NUMERIC_POS : SQL_NUMERIC_NEG;
    t.dscale = a->dscale + b->dscale;
    var_free(r);
    *r = t;
    var_strip(r);
}

/* Knuth's algorithm D on base-10000 integers: q = u / v (v has n >= 1 digits, v[0] != 0;
 * u has m + n digits). q gets m + 1 digits. */
static void divide_digits(const int16_t *u_in, int un, const int16_t *v_in, int n, int16_t *q)
{
    int m = un - n;
    int32_t *u = mice_calloc((size_t)un + 1, sizeof *u);
    int32_t *v = mice_calloc((size_t)n, sizeof *v);
    int32_t d = NBASE / (v_in[0] + 1);
    int32_t carry = 0;
    for (int i = un - 1; i >= 0; i--) {
        int32_t x = u_in[i] * d + carry;
        u[i + 1] = x % NBASE;
        carry = x / NBASE;
    }
    u[0] = carry;
    carry = 0;
    for (int i = n - 1; i >= 0; i--) {
        int32_t x = v_in[i] * d + carry;
        v[i] = x % NBASE;
        carry = x / NBASE;
    }
    for (int j = 0; j <= m; j++) {
        int64_t num = (int64_t)u[j] * NBASE + u[j + 1];
        int64_t qhat = num / v[0], rhat = num % v[0];
        while (n > 1 && (qhat >= NBASE || qhat * v[1] > rhat * NBASE + u[j + 2])) {
            qhat--;
            rhat += v[0];
            if (rhat >= NBASE) break;
        }
        if (n == 1 && qhat >= NBASE) qhat = NBASE - 1; /* cannot happen after normalizing */
        int64_t borrow = 0, mcarry = 0;
        for (int i = n - 1; i >= 0; i--) {
            int64_t p = qhat * v[i] + mcarry;
            mcarry = p / NBASE;
            int64_t s = u[j + 1 + i] - p % NBASE - borrow;
            borrow = s < 0;
            u[j + 1 + i] = (int32_t)(borrow ? s + NBASE : s);
        }
        int64_t s = u[j] - mcarry - borrow;
        borrow = s < 0;
        u[j] = (int32_t)(borrow ? s + NBASE : s);
        if (borrow) { /* qhat was one too big: add v back */
            qhat--;
            int32_t c = 0;
            for (int i = n - 1; i >= 0; i--) {
                int32_t x = u[j + 1 + i] + v[i] + c;
                c = x >= NBASE;
                u[j + 1 + i] = c ? x - NBASE : x;
            }
            u[j] = (u[j] + c) % NBASE;
        }
        q[j] = (int16_t)qhat;
    }
    free(u);
    free(v);
}

/* r = a / b to rscale decimal digits, rounded half away from zero or truncated.
 * b is finite and non-zero. */
static void div_var(const nvar *a, const nvar *b, nvar *r, int rscale, bool round)
{
    int qmin = -((rscale + DEC_DIGITS - 1) / DEC_DIGITS) - 1; /* lowest quotient weight */
    int lb = lowest_weight(b);
    int lo = qmin + lb; /* weight of the last dividend digit used */
    nvar t;
    var_init(&t);
    if (a->ndigits == 0 || a->weight < lo) {
        t.dscale = rscale;
        var_free(r);
        *r = t;
        return;
    }
    /* one leading zero so the dividend has at least as many digits as the divisor */
    int un = a->weight - lo + 1 + 1;
    if (un < b->ndigits + 1) un = b->ndigits + 1;
    int top = lo + un - 1;
    int16_t *u = mice_malloc(sizeof(int16_t) * (size_t)un);
    for (int i = 0; i < un; i++) u[i] = (int16_t)digit_at(a, top - i);
    int qn = un - b->ndigits + 1;
    var_alloc(&t, qn);
    divide_digits(u, un, b->digits, b->ndigits, t.digits);
    free(u);
    t.weight = qmin + qn - 1;
    t.sign = (a->sign == b->sign) ? SQL_NUMERIC_POS : SQL_NUMERIC_NEG;
    if (round) round_var(&t, rscale);
    else trunc_var(&t, rscale);
    t.dscale = rscale;
    var_free(r);
    *r = t;
    var_strip(r);
}

static int select_div_scale(const nvar *a, const nvar *b)
{
    int w1 = 0, w2 = 0, f1 = 0, f2 = 0;
    for (int i = 0; i < a->ndigits; i++) {
        if (a->digits[i]) {
            f1 = a->digits[i];
            w1 = a->weight - i;
            break;
        }
    }
    for (int i = 0; i < b->ndigits; i++) {
        if (b->digits[i]) {
            f2 = b->digits[i];
            w2 = b->weight - i;
            break;
        }
    }
    int qweight = w1 - w2;
    if (f1 <= f2) qweight--;
    int rscale = SQL_NUMERIC_MIN_SIG_DIGITS - qweight * DEC_DIGITS;
    if (rscale < a->dscale) rscale = a->dscale;
    if (rscale < b->dscale) rscale = b->dscale;
    if (rscale < 0) rscale = 0;
    if (rscale > SQL_NUMERIC_DISPLAY_SCALE_MAX) rscale = SQL_NUMERIC_DISPLAY_SCALE_MAX;
    return rscale;
}

/* ---- public arithmetic ---- */

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_DIV_TRUNC, OP_MOD } num_op;

static int inf_sign(int s)
{
    return s == SQL_NUMERIC_PINF ? 1 : s == SQL_NUMERIC_NINF ? -1 : 0;
}

static int signed_inf(int sign)
{
    return sign > 0 ? SQL_NUMERIC_PINF : SQL_NUMERIC_NINF;
}

/* PostgreSQL's rules for NaN and infinities. Returns the special sign of the result,
 * 0 when the result is "the finite operand a" (x % inf) or -1 for a zero result. */
static mice_status special_result(num_op op, const sql_numeric *a, const sql_numeric *b,
                                  int *res, sql_error *err)
{
    if (numeric_is_nan(a) || numeric_is_nan(b)) {
        *res = SQL_NUMERIC_NAN;
        return MICE_OK;
    }
    int ia = inf_sign(a->sign), ib = inf_sign(b->sign);
    int sa = numeric_sign(a), sb = numeric_sign(b);
    switch (op) {
    case OP_ADD:
        *res = (ia && ib && ia != ib) ? SQL_NUMERIC_NAN : signed_inf(ia ? ia : ib);
        return MICE_OK;
    case OP_SUB:
        *res = (ia && ib && ia == ib) ? SQL_NUMERIC_NAN : signed_inf(ia ? ia : -ib);
        return MICE_OK;
    case OP_MUL:
        *res = (sa == 0 || sb == 0) ? SQL_NUMERIC_NAN : signed_inf(sa * sb);
        return MICE_OK;
    case OP_DIV:
    case OP_DIV_TRUNC:
        if (ia && ib) *res = SQL_NUMERIC_NAN;
        else if (ia && sb == 0) return sqlerr_division_by_zero(err);
        else if (ia) *res = signed_inf(sa * sb);
        else *res = -1;
        return MICE_OK;
    case OP_MOD:
        if (ia) *res = SQL_NUMERIC_NAN;
        else if (sb == 0) return sqlerr_division_by_zero(err);
        else *res = 0;
        return MICE_OK;
    }
    mice_unreachable();
}

static mice_status finite_op(num_op op, nvar *a, nvar *b, nvar *r, sql_error *err)
{
    if ((op == OP_DIV || op == OP_DIV_TRUNC || op == OP_MOD) && b->ndigits == 0)
        return sqlerr_division_by_zero(err);
    switch (op) {
    case OP_ADD:
    case OP_SUB:
        add_var(a, b, op == OP_SUB, r);
        break;
    case OP_MUL:
        mul_var(a, b, r);
        if (r->dscale > SQL_NUMERIC_DSCALE_MAX) round_var(r, SQL_NUMERIC_DSCALE_MAX);
        break;
    case OP_DIV:
        div_var(a, b, r, select_div_scale(a, b), true);
        break;
    case OP_DIV_TRUNC:
        div_var(a, b, r, 0, false);
        break;
    case OP_MOD: {
        nvar q, p;
        var_init(&q);
        var_init(&p);
        div_var(a, b, &q, 0, false);
        mul_var(b, &q, &p);
        add_var(a, &p, true, r);
        var_free(&q);
        var_free(&p);
        break;
    }
    }
    return MICE_OK;
}

static mice_status numeric_op(num_op op, const sql_numeric *a, const sql_numeric *b,
                              mice_arena *arena, const sql_numeric **out, sql_error *err)
{
    if (numeric_is_special(a) || numeric_is_special(b)) {
        int res;
        mice_status rc = special_result(op, a, b, &res, err);
        if (rc) return rc;
        if (res > 0) return make_special(res, arena, out, err);
        if (res == 0) {
            *out = a;
            return MICE_OK;
        }
        return numeric_from_int64(0, arena, out, err);
    }
    nvar va, vb, r;
    var_view(&va, a);
    var_view(&vb, b);
    var_init(&r);
    mice_status rc = finite_op(op, &va, &vb, &r, err);
    if (!rc) rc = make_result(&r, arena, out, err);
    var_free(&r);
    return rc;
}

mice_status numeric_add(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err)
{
    return numeric_op(OP_ADD, a, b, arena, out, err);
}

mice_status numeric_sub(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err)
{
    return numeric_op(OP_SUB, a, b, arena, out, err);
}

mice_status numeric_mul(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err)
{
    return numeric_op(OP_MUL, a, b, arena, out, err);
}

mice_status numeric_div(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err)
{
    return numeric_op(OP_DIV, a, b, arena, out, err);
}

mice_status numeric_div_trunc(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                              const sql_numeric **out, sql_error *err)
{
    return numeric_op(OP_DIV_TRUNC, a, b, arena, out, err);
}

mice_status numeric_mod(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err)
{
    return numeric_op(OP_MOD, a, b, arena, out, err);
}

/* ---- unary ---- */

static mice_status unary_copy(const sql_numeric *a, int sign, mice_arena *arena,
                              const sql_numeric **out, sql_error *err)
{
    nvar v;
    var_view(&v, a);

    v.sign = sign;
    return make_result(&v, arena, out, err);
}

mice_status numeric_neg(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                        sql_error *err)
{
    int s = a->sign;
    if (s == SQL_NUMERIC_PINF) s = SQL_NUMERIC_NINF;
    else if (s == SQL_NUMERIC_NINF) s = SQL_NUMERIC_PINF;
    else if (s == SQL_NUMERIC_POS && a->ndigits) s = SQL_NUMERIC_NEG;
    else if (s == SQL_NUMERIC_NEG) s = SQL_NUMERIC_POS;
    return unary_copy(a, s, arena, out, err);
}

mice_status numeric_abs(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                        sql_error *err)
{
    int s = a->sign;
    if (s == SQL_NUMERIC_NINF) s = SQL_NUMERIC_PINF;
    else if (s == SQL_NUMERIC_NEG) s = SQL_NUMERIC_POS;
    return unary_copy(a, s, arena, out, err);
}

typedef enum { RND_ROUND, RND_TRUNC, RND_CEIL, RND_FLOOR } rnd_mode;

static mice_status round_common(const sql_numeric *a, int32_t scale, rnd_mode mode,
                                mice_arena *arena, const sql_numeric **out, sql_error *err)
{
    if (numeric_is_special(a)) {
        *out = a;
        return MICE_OK;
    }
    int limit = SQL_NUMERIC_DSCALE_MAX;
    if (scale > limit) scale = limit;
    if (scale < -limit) scale = -limit;
    nvar v, r;
    var_init(&v);
    var_view(&v, a);
    var_init(&r);
    if (mode == RND_ROUND) round_var(&v, scale);
    else trunc_var(&v, scale);
    if (mode == RND_CEIL || mode == RND_FLOOR) {
        /* trunc moves toward zero; step away when the value was cut and lies on the
         * side we round to */
        nvar orig;
        var_view(&orig, a);
        bool cut = cmp_abs(&v, &orig) != 0;
        bool pos = a->sign == SQL_NUMERIC_POS;
        if (cut && (mode == RND_CEIL) == pos) {
            int16_t one_digit = 1;
            nvar one = {1, 0, pos ? SQL_NUMERIC_POS : SQL_NUMERIC_NEG, 0, &one_digit, NULL};
            if (v.ndigits == 0) v.sign = one.sign;
            add_var(&v, &one, false, &r);
            var_free(&v);
            v = r;
            var_init(&r);
        }
    }
    if (v.dscale < 0) v.dscale = 0;
    mice_status rc = make_result(&v, arena, out, err);
    var_free(&v);
    var_free(&r);
    return rc;
}

mice_status numeric_round(const sql_numeric *a, int32_t scale, mice_arena *arena,
                          const sql_numeric **out, sql_error *err)
{
    return round_common(a, scale, RND_ROUND, arena, out, err);
}

mice_status numeric_trunc(const sql_numeric *a, int32_t scale, mice_arena *arena,
                          const sql_numeric **out, sql_error *err)
{
    return round_common(a, scale, RND_TRUNC, arena, out, err);
}

mice_status numeric_ceil(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                         sql_error *err)
{
    return round_common(a, 0, RND_CEIL, arena, out, err);
}

mice_status numeric_floor(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                          sql_error *err)
{
    return round_common(a, 0, RND_FLOOR, arena, out, err);
}

/* ---- square root ---- */

static void pow10_var(nvar *v, int k)
{
    var_from_decimal(v, "1", 1, k);
    v->sign = SQL_NUMERIC_POS;
    v->dscale = 0;
}

/* floor(sqrt(n)) for an integer n >= 0 by Newton's method from above: start at
 * 10^ceil(digits/2) >= sqrt(n); the iterates decrease monotonically to the floor. */
static void isqrt_var(const nvar *n, nvar *r)
{
    nvar y, q, z, two;
    var_init(&y), var_init(&q), var_init(&z), var_init(&two);
    int16_t two_digit = 2;
    two = (nvar){1, 0, SQL_NUMERIC_POS, 0, &two_digit, NULL};
    int digits = n->ndigits ? (n->weight + 1) * DEC_DIGITS : 1;
    pow10_var(&y, (digits + 1) / 2);
    for (;;) {
        if (n->ndigits == 0) break;
        div_var(n, &y, &q, 0, false);
        add_var(&y, &q, false, &z);
        div_var(&z, &two, &q, 0, false);
        if (cmp_abs(&q, &y) >= 0) break;
        var_free(&y);
        y = q;
        var_init(&q);
    }
    if (n->ndigits == 0) {
        var_free(&y);
        var_init(&y);
    }
    var_free(&q);
    var_free(&z);
    var_free(r);
    *r = y;
}

mice_status numeric_sqrt(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                         sql_error *err)
{
    if (a->sign == SQL_NUMERIC_NINF || (a->sign == SQL_NUMERIC_NEG && a->ndigits))
        return sqlerr_set(err, MICE_INVALID, "2201F", "cannot take square root of a negative number");
    if (numeric_is_special(a)) {
        *out = a;
        return MICE_OK;
    }
    nvar x, scale, n, root, res;
    var_view(&x, a);
    var_init(&scale), var_init(&n), var_init(&root), var_init(&res);
    int sweight = (x.weight + 1) * DEC_DIGITS / 2 - 1;
    int rscale = SQL_NUMERIC_MIN_SIG_DIGITS - sweight;
    if (rscale < x.dscale) rscale = x.dscale;
    if (rscale < 0) rscale = 0;
    if (rscale > SQL_NUMERIC_DISPLAY_SCALE_MAX) rscale = SQL_NUMERIC_DISPLAY_SCALE_MAX;
    /* root = floor(sqrt(x * 10^(2(rscale+1)))) = sqrt(x) with rscale + 1 digits, cut */
    pow10_var(&scale, 2 * (rscale + 1));
    mul_var(&x, &scale, &n);
    trunc_var(&n, 0);
    isqrt_var(&n, &root);
    pow10_var(&scale, rscale + 1);
    div_var(&root, &scale, &res, rscale + 1, false);
    round_var(&res, rscale);
    res.dscale = rscale;
    mice_status rc = make_result(&res, arena, out, err);
    var_free(&scale), var_free(&n), var_free(&root), var_free(&res);
    return rc;
}

/* ---- comparison and hashing ---- */

static int special_rank(const sql_numeric *n)
{
    switch (n->sign) {
    case SQL_NUMERIC_NAN:
        return 2;
    case SQL_NUMERIC_PINF:
        return 1;
    case SQL_NUMERIC_NINF:
        return -1;
    default:
        return 0;
    }
}

int numeric_cmp(const sql_numeric *a, const sql_numeric *b)
{
    int ra = special_rank(a), rb = special_rank(b);
    if (ra || rb) return ra < rb ? -1 : ra > rb ? 1 : 0;
    nvar va, vb;
    var_view(&va, a);
    var_view(&vb, b);
    int sa = numeric_sign(a), sb = numeric_sign(b);
    if (sa != sb) return sa < sb ? -1 : 1;
    int c = cmp_abs(&va, &vb);
    return sa < 0 ? -c : c;
}

static uint64_t mix64(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

uint64_t numeric_hash(const sql_numeric *n)
{
    /* made values are stripped, so equal values have equal digits and weight */
    uint64_t h = mix64(0x6e756d6572696300ULL, n->sign);
    if (n->ndigits == 0) return mix64(h, 0);
    h = mix64(h, (uint64_t)(int64_t)n->weight);
    for (int i = 0; i < n->ndigits; i++) h = mix64(h, (uint64_t)n->digits[i]);
    return h;
}

/* ---- conversions ---- */

mice_status numeric_from_int64(int64_t v, mice_arena *arena, const sql_numeric **out,
                               sql_error *err)
{
    int16_t d[5];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u) {
        d[n++] = (int16_t)(u % NBASE);
        u /= NBASE;
    }
    nvar t;
    var_init(&t);
    var_alloc(&t, n);
    for (int i = 0; i < n; i++) t.digits[i] = d[n - 1 - i];
    t.weight = n - 1;
    t.sign = v < 0 ? SQL_NUMERIC_NEG : SQL_NUMERIC_POS;
    mice_status rc = make_result(&t, arena, out, err);
    var_free(&t);
    return rc;
}

mice_status numeric_from_double(double v, int digits, mice_arena *arena,
                                const sql_numeric **out, sql_error *err)
{
    if (isnan(v)) return make_special(SQL_NUMERIC_NAN, arena, out, err);
    if (isinf(v)) return make_special(v > 0 ? SQL_NUMERIC_PINF : SQL_NUMERIC_NINF, arena, out, err);
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*g", digits, v);
    return numeric_parse(mice_slice_of(tmp, (size_t)n), arena, out, err);
}

static const char *int_name(int bits)
{
    return bits == 16 ? "smallint" : bits == 32 ? "integer" : "bigint";
}

mice_status numeric_to_int(const sql_numeric *n, int bits, int64_t *out, sql_error *err)
{
    if (numeric_is_nan(n))
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot convert NaN to %s", int_name(bits));
    if (numeric_is_inf(n))
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot convert infinity to %s", int_name(bits));
    nvar v;
    var_init(&v);
    var_view(&v, n);
    round_var(&v, 0);
    var_strip(&v);
    /* accumulate negatively so INT64_MIN fits */
    int64_t acc = 0;
    bool overflow = v.weight >= 5;
    for (int w = v.weight; w >= 0 && !overflow; w--) {
        int d = digit_at(&v, w);
        overflow = __builtin_mul_overflow(acc, NBASE, &acc) || __builtin_sub_overflow(acc, d, &acc);
    }
    var_free(&v);
    bool neg = n->sign == SQL_NUMERIC_NEG;
    if (!overflow && !neg) overflow = acc == INT64_MIN;
    if (!overflow && !neg) acc = -acc;
    int64_t lo = bits == 16 ? INT16_MIN : bits == 32 ? INT32_MIN : INT64_MIN;
    int64_t hi = bits == 16 ? INT16_MAX : bits == 32 ? INT32_MAX : INT64_MAX;
    if (overflow || acc < lo || acc > hi) return sqlerr_out_of_range(err, int_name(bits));
    *out = acc;
    return MICE_OK;
}

mice_status numeric_to_double(const sql_numeric *n, bool to_float4, double *out, sql_error *err)
{
    if (numeric_is_nan(n)) {
        *out = NAN;
        return MICE_OK;
    }
    if (numeric_is_inf(n)) {
        *out = n->sign == SQL_NUMERIC_PINF ? INFINITY : -INFINITY;
        return MICE_OK;
    }
    mice_buf b;
    buf_init(&b);
    numeric_format(n, &b);
    errno = 0;
    double d = to_float4 ? (double)strtof((const char *)b.p, NULL) : strtod((const char *)b.p, NULL);
    bool range = errno == ERANGE && (d == 0.0 || isinf(d));
    mice_status rc = MICE_OK;
    if (range)
        rc = sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                        "\"%s\" is out of range for type %s", (const char *)b.p,
                        to_float4 ? "real" : "double precision");
    buf_deinit(&b);
    if (!rc) *out = d;
    return rc;
}

/* ---- binary ---- */

void numeric_send(const sql_numeric *n, mice_buf *out)
{
    buf_append_be16(out, (uint16_t)n->ndigits);
    buf_append_be16(out, (uint16_t)(int16_t)n->weight);
    buf_append_be16(out, n->sign);
    buf_append_be16(out, n->dscale);
    for (int i = 0; i < n->ndigits; i++) buf_append_be16(out, (uint16_t)n->digits[i]);
}

static mice_status bad_external(sql_error *err, const char *what)
{
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "invalid %s in external \"numeric\" value", what);
}

mice_status numeric_recv(mice_slice bytes, int32_t typmod, mice_arena *arena,
                         const sql_numeric **out, sql_error *err)
{
    if (bytes.n < 8)
        return sqlerr_set(err, MICE_INVALID, "08P01", "insufficient data left in message");
    int len = mice_load_be16(bytes.p);
    int weight = (int16_t)mice_load_be16(bytes.p + 2);
    int sign = mice_load_be16(bytes.p + 4);
    int dscale = mice_load_be16(bytes.p + 6);
    if (bytes.n < 8 + 2 * (size_t)len)
        return sqlerr_set(err, MICE_INVALID, "08P01", "insufficient data left in message");
    if (sign != SQL_NUMERIC_POS && sign != SQL_NUMERIC_NEG && sign != SQL_NUMERIC_NAN &&
        sign != SQL_NUMERIC_PINF && sign != SQL_NUMERIC_NINF)
        return bad_external(err, "sign");
    if ((dscale & SQL_NUMERIC_DSCALE_MAX) != dscale) return bad_external(err, "scale");
    nvar v;
    var_init(&v);
    var_alloc(&v, len);
    v.weight = weight;
    v.sign = sign;
    v.dscale = dscale;
    mice_status rc = MICE_OK;
    for (int i = 0; i < len && !rc; i++) {
        int d = (int16_t)mice_load_be16(bytes.p + 8 + 2 * i);
        if (d < 0 || d >= NBASE) rc = bad_external(err, "digit");
        else v.digits[i] = (int16_t)d;
    }
    if (!rc && (sign == SQL_NUMERIC_POS || sign == SQL_NUMERIC_NEG)) {
        trunc_var(&v, v.dscale);
        rc = apply_typmod_var(&v, typmod, err);
        if (!rc) rc = make_result(&v, arena, out, err);
    } else if (!rc) {
        const sql_numeric *s;
        rc = make_result(&v, arena, &s, err);
        if (!rc) rc = numeric_apply_typmod(s, typmod, arena, out, err);
    }
    var_free(&v);
    return rc;
}
