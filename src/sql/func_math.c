/* func_math.c - mathematical functions with PostgreSQL 15's overloads, result types,
 * special values (NaN, Infinity) and errors. Numeric sqrt, ln, exp, log and power are exact:
 * they run in fixed point over numeric integers (Newton's integer square root, atanh and
 * Taylor series with range reduction) at PostgreSQL's result scales plus guard digits, then
 * round; long double is used only to estimate weights and starting points. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/func_int.h"

#define RADIANS_PER_DEGREE 0.0174532925199432957692
enum { NUMERIC_MAX_RESULT_SCALE = 2000, NUM_TEXT_MAX = 64 };

typedef mice_status (*num_fn)(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                              sql_error *err);

/* ---- errors ---- */

static mice_status err_overflow(sql_error *e)
{
    return sqlerr_set(e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value out of range: overflow");
}

static mice_status err_underflow(sql_error *e)
{
    return sqlerr_set(e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value out of range: underflow");
}

static mice_status err_log(sql_error *e, bool zero)
{
    return sqlerr_set(e, MICE_INVALID, "2201E",
                      zero ? "cannot take logarithm of zero"
                           : "cannot take logarithm of a negative number");
}

static mice_status err_sqrt(sql_error *e)
{
    return sqlerr_set(e, MICE_INVALID, "2201F", "cannot take square root of a negative number");
}

static mice_status err_input_range(sql_error *e)
{
    return sqlerr_set(e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "input is out of range");
}

static const char *int_name(sql_type_id t)
{
    return t == SQL_TYPE_INT2 ? "smallint" : t == SQL_TYPE_INT4 ? "integer" : "bigint";
}

static bool int_fits(int64_t v, sql_type_id t)
{
    if (t == SQL_TYPE_INT2) return v >= INT16_MIN && v <= INT16_MAX;
    if (t == SQL_TYPE_INT4) return v >= INT32_MIN && v <= INT32_MAX;
    return true;
}

static sql_datum int_of(sql_type_id t, int64_t v)
{
    return (sql_datum){.type = t, .v.i = v};
}

/* check_float8_val */
static mice_status f8_out(double v, bool inf_ok, bool zero_ok, sql_datum *o, sql_error *e)
{
    if (isinf(v) && !inf_ok) return err_overflow(e);
    if (v == 0.0 && !zero_ok) return err_underflow(e);
    *o = datum_float8(v);
    return MICE_OK;
}

/* n is read after rc was computed (arguments are unsequenced). */
static mice_status num_out(mice_status rc, const sql_numeric *const *n, sql_datum *o)
{
    if (!rc) *o = datum_numeric(*n);
    return rc;
}

/* ---- abs, sign, ceil, floor, round, trunc ---- */

static mice_status f_abs(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL;
    switch (a[0].type) {
    case SQL_TYPE_FLOAT4:
        *o = datum_float4(fabsf(a[0].v.f4));
        return MICE_OK;
    case SQL_TYPE_FLOAT8:
        *o = datum_float8(fabs(a[0].v.f8));
        return MICE_OK;
    case SQL_TYPE_NUMERIC:
        return num_out(numeric_abs(a[0].v.num, c->arena, &r, e), &r, o);
    default:
        break;
    }
    int64_t v = a[0].v.i;
    if (v == INT64_MIN || !int_fits(-v, a[0].type))
        return sqlerr_out_of_range(e, int_name(a[0].type));
    *o = int_of(a[0].type, v < 0 ? -v : v);
    return MICE_OK;
}

static mice_status num_const(func_ctx *c, int64_t v, const sql_numeric **out, sql_error *e)
{
    return numeric_from_int64(v, c->arena, out, e);
}

static mice_status f_sign(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].type == SQL_TYPE_FLOAT8) {
        double v = a[0].v.f8;
        *o = datum_float8(v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0);
        return MICE_OK;
    }
    if (numeric_is_nan(a[0].v.num)) {
        *o = a[0];
        return MICE_OK;
    }
    const sql_numeric *r = NULL;
    return num_out(num_const(c, numeric_sign(a[0].v.num), &r, e), &r, o);
}

static mice_status num_unary(const sql_datum *a, func_ctx *c, num_fn fn, sql_datum *o, sql_error *e)
{
    const sql_numeric *r = NULL;
    return num_out(fn(a[0].v.num, c->arena, &r, e), &r, o);
}

static mice_status f_ceil(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].type == SQL_TYPE_FLOAT8) {
        *o = datum_float8(ceil(a[0].v.f8));
        return MICE_OK;
    }
    return num_unary(a, c, numeric_ceil, o, e);
}

static mice_status f_floor(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].type == SQL_TYPE_FLOAT8) {
        *o = datum_float8(floor(a[0].v.f8));
        return MICE_OK;
    }
    return num_unary(a, c, numeric_floor, o, e);
}

static int32_t clamp_scale(int64_t s)
{
    return (int32_t)(s < -NUMERIC_MAX_RESULT_SCALE  ? -NUMERIC_MAX_RESULT_SCALE
                     : s > NUMERIC_MAX_RESULT_SCALE ? NUMERIC_MAX_RESULT_SCALE
                                                    : s);
}

static mice_status f_round(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    if (a[0].type == SQL_TYPE_FLOAT8) {
        *o = datum_float8(rint(a[0].v.f8)); /* round half to even, as PostgreSQL's rint() */
        return MICE_OK;
    }
    const sql_numeric *r = NULL;
    int32_t scale = n > 1 ? clamp_scale(a[1].v.i) : 0;
    return num_out(numeric_round(a[0].v.num, scale, c->arena, &r, e), &r, o);
}

static mice_status f_trunc(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    if (a[0].type == SQL_TYPE_FLOAT8) {
        *o = datum_float8(trunc(a[0].v.f8));
        return MICE_OK;
    }
    const sql_numeric *r = NULL;
    int32_t scale = n > 1 ? clamp_scale(a[1].v.i) : 0;
    return num_out(numeric_trunc(a[0].v.num, scale, c->arena, &r, e), &r, o);
}

/* ---- mod, div, gcd, lcm ---- */

static mice_status f_mod(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].type == SQL_TYPE_NUMERIC) {
        const sql_numeric *r = NULL;
        return num_out(numeric_mod(a[0].v.num, a[1].v.num, c->arena, &r, e), &r, o);
    }
    if (a[1].v.i == 0) return sqlerr_division_by_zero(e);
    *o = int_of(a[0].type, a[1].v.i == -1 ? 0 : a[0].v.i % a[1].v.i);
    return MICE_OK;
}

static mice_status f_div(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL;
    return num_out(numeric_div_trunc(a[0].v.num, a[1].v.num, c->arena, &r, e), &r, o);
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static mice_status int_gcd(const sql_datum *a, sql_datum *o, sql_error *e)
{
    int64_t x = a[0].v.i, y = a[1].v.i;
    uint64_t ux = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
    uint64_t uy = y < 0 ? (uint64_t)0 - (uint64_t)y : (uint64_t)y;
    uint64_t g = gcd_u64(ux, uy);
    if (g > (uint64_t)INT64_MAX || !int_fits((int64_t)g, a[0].type))
        return sqlerr_out_of_range(e, int_name(a[0].type));
    *o = int_of(a[0].type, (int64_t)g);
    return MICE_OK;
}

static mice_status int_lcm(const sql_datum *a, sql_datum *o, sql_error *e)
{
    int64_t x = a[0].v.i, y = a[1].v.i;
    if (x == 0 || y == 0) {
        *o = int_of(a[0].type, 0);
        return MICE_OK;
    }
    sql_datum g;
    mice_status rc = int_gcd(a, &g, e);
    if (rc) return rc;
    int64_t r;
    if (__builtin_mul_overflow(x / g.v.i, y, &r) || r == INT64_MIN ||
        !int_fits(r < 0 ? -r : r, a[0].type))
        return sqlerr_out_of_range(e, int_name(a[0].type));
    *o = int_of(a[0].type, r < 0 ? -r : r);
    return MICE_OK;
}

static mice_status num_gcd(const sql_numeric *x, const sql_numeric *y, func_ctx *c,
                           const sql_numeric **out, sql_error *e)
{
    int dscale = x->dscale > y->dscale ? x->dscale : y->dscale;
    mice_status rc = numeric_abs(x, c->arena, &x, e);
    if (!rc) rc = numeric_abs(y, c->arena, &y, e);
    while (!rc && numeric_sign(y) != 0) {
        const sql_numeric *t;
        rc = numeric_mod(x, y, c->arena, &t, e);
        x = y;
        y = t;
    }
    if (!rc) rc = numeric_round(x, dscale, c->arena, out, e);
    return rc;
}

static mice_status num_nan(func_ctx *c, sql_datum *o, sql_error *e)
{
    const sql_numeric *r = NULL;
    return num_out(numeric_parse(MICE_SLICE_LIT("NaN"), c->arena, &r, e), &r, o);
}

static mice_status f_gcd(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].type != SQL_TYPE_NUMERIC) return int_gcd(a, o, e);
    if (numeric_is_special(a[0].v.num) || numeric_is_special(a[1].v.num)) return num_nan(c, o, e);
    const sql_numeric *r = NULL;
    return num_out(num_gcd(a[0].v.num, a[1].v.num, c, &r, e), &r, o);
}

static mice_status f_lcm(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].type != SQL_TYPE_NUMERIC) return int_lcm(a, o, e);
    const sql_numeric *x = a[0].v.num, *y = a[1].v.num, *g, *p, *r = NULL;
    if (numeric_is_special(x) || numeric_is_special(y)) return num_nan(c, o, e);
    int dscale = x->dscale > y->dscale ? x->dscale : y->dscale;
    if (numeric_sign(x) == 0 || numeric_sign(y) == 0) {
        mice_status rc = num_const(c, 0, &r, e);
        if (!rc) rc = numeric_round(r, dscale, c->arena, &r, e);
        return num_out(rc, &r, o);
    }
    mice_status rc = num_gcd(x, y, c, &g, e);
    if (!rc) rc = numeric_div_trunc(x, g, c->arena, &p, e);
    if (!rc) rc = numeric_mul(p, y, c->arena, &p, e);
    if (!rc) rc = numeric_abs(p, c->arena, &p, e);
    if (!rc) rc = numeric_round(p, dscale, c->arena, &r, e);
    return num_out(rc, &r, o);
}

/* ---- float8 functions ---- */

static mice_status f_sqrt8(double x, sql_datum *o, sql_error *e)
{
    if (x < 0) return err_sqrt(e);
    return f8_out(sqrt(x), isinf(x), x == 0, o, e);
}

static mice_status f_ln8(double x, bool ten, sql_datum *o, sql_error *e)
{
    if (x == 0.0) return err_log(e, true);
    if (x < 0) return err_log(e, false);
    return f8_out(ten ? log10(x) : log(x), isinf(x), x == 1.0, o, e);
}

static mice_status f_exp8(double x, sql_datum *o, sql_error *e)
{
    if (isnan(x) || isinf(x)) {
        *o = datum_float8(isnan(x) || x > 0 ? x : 0.0);
        return MICE_OK;
    }
    errno = 0;
    double r = exp(x);
    if (errno == ERANGE && r != 0.0) return err_overflow(e);
    if (errno == ERANGE || r == 0.0) return err_underflow(e);
    if (isinf(r)) return err_overflow(e);
    *o = datum_float8(r);
    return MICE_OK;
}

static double pow_inf(double x, double y)
{
    if (isinf(y)) {
        double ax = fabs(x);
        if (ax == 1.0) return 1.0;
        if (y > 0) return ax > 1.0 ? y : 0.0;
        return ax > 1.0 ? 0.0 : -y;
    }
    if (y == 0.0) return 1.0;
    if (x > 0) return y > 0 ? x : 0.0;
    double half = y / 2;
    bool odd = floor(half) != half;
    if (y > 0) return odd ? x : -x;
    return odd ? -0.0 : 0.0;
}

static mice_status f_pow8(double x, double y, sql_datum *o, sql_error *e)
{
    if (isnan(x) || isnan(y)) {
        bool one = isnan(x) ? (!isnan(y) && y == 0) : x == 1.0;
        *o = datum_float8(one ? 1.0 : NAN);
        return MICE_OK;
    }
    if (x == 0 && y < 0)
        return sqlerr_set(e, MICE_INVALID, "2201F", "zero raised to a negative power is undefined");
    if (x < 0 && floor(y) != y)
        return sqlerr_set(
            e, MICE_INVALID, "2201F",
            "a negative number raised to a non-integer power yields a complex result");
    if (isinf(x) || isinf(y)) {
        *o = datum_float8(pow_inf(x, y));
        return MICE_OK;
    }
    errno = 0;
    double r = pow(x, y);
    if (errno == ERANGE && r != 0.0) return err_overflow(e);
    if (errno == ERANGE) return err_underflow(e);
    if (isinf(r)) return err_overflow(e);
    if (r == 0.0 && x != 0.0) return err_underflow(e);
    *o = datum_float8(r);
    return MICE_OK;
}

typedef enum { TRIG_SIN, TRIG_COS, TRIG_TAN, TRIG_ASIN, TRIG_ACOS, TRIG_ATAN } trig_kind;

static mice_status trig(trig_kind k, double x, sql_datum *o, sql_error *e)
{
    if (isnan(x)) {
        *o = datum_float8(x);
        return MICE_OK;
    }
    if ((k == TRIG_ASIN || k == TRIG_ACOS) && (x < -1.0 || x > 1.0)) return err_input_range(e);
    if ((k == TRIG_SIN || k == TRIG_COS || k == TRIG_TAN) && isinf(x)) return err_input_range(e);
    double r = k == TRIG_SIN    ? sin(x)
               : k == TRIG_COS  ? cos(x)
               : k == TRIG_TAN  ? tan(x)
               : k == TRIG_ASIN ? asin(x)
               : k == TRIG_ACOS ? acos(x)
                                : atan(x);
    return f8_out(r, k == TRIG_TAN, true, o, e);
}

#define TRIG_FN(name, kind)                                                                        \
    static mice_status name(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)    \
    {                                                                                              \
        (void)n, (void)c;                                                                          \
        return trig(kind, a[0].v.f8, o, e);                                                        \
    }
TRIG_FN(f_sin, TRIG_SIN)
TRIG_FN(f_cos, TRIG_COS)
TRIG_FN(f_tan, TRIG_TAN)
TRIG_FN(f_asin, TRIG_ASIN)
TRIG_FN(f_acos, TRIG_ACOS)
TRIG_FN(f_atan, TRIG_ATAN)

static mice_status f_atan2(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    double y = a[0].v.f8, x = a[1].v.f8;
    if (isnan(x) || isnan(y)) {
        *o = datum_float8(NAN);
        return MICE_OK;
    }
    return f8_out(atan2(y, x), false, true, o, e);
}

static mice_status f_degrees(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    double x = a[0].v.f8, r = x / RADIANS_PER_DEGREE;
    return f8_out(r, isinf(x), x == 0, o, e);
}

static mice_status f_radians(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    double x = a[0].v.f8, r = x * RADIANS_PER_DEGREE;
    return f8_out(r, isinf(x), x == 0, o, e);
}

static mice_status f_pi(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)c, (void)e;
    *o = datum_float8(M_PI);
    return MICE_OK;
}

static mice_status f_cbrt(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    double x = a[0].v.f8;
    return f8_out(cbrt(x), isinf(x), x == 0, o, e);
}

/* ---- numeric transcendental functions ---- */

static int clamp_rscale(long r)
{
    return r < 0 ? 0 : r > SQL_NUMERIC_DISPLAY_SCALE_MAX ? SQL_NUMERIC_DISPLAY_SCALE_MAX : (int)r;
}

static long double num_to_ld(const sql_numeric *n)
{
    mice_buf b;
    buf_init(&b);
    numeric_format(n, &b);
    buf_append_u8(&b, 0);
    long double v = strtold((const char *)b.p, NULL);
    buf_deinit(&b);
    return v;
}

static mice_status num_from_ld(long double v, int rscale, func_ctx *c, const sql_numeric **out,
                               sql_error *e)
{
    char tmp[NUM_TEXT_MAX];
    int len = snprintf(tmp, sizeof tmp, "%.19Le", v);
    mice_status rc = numeric_parse(mice_slice_of(tmp, (size_t)len), c->arena, out, e);
    if (!rc) rc = numeric_round(*out, rscale, c->arena, out, e);
    return rc;
}

static mice_status num_pow10(int k, func_ctx *c, const sql_numeric **out, sql_error *e)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "1e%d", k);
    return numeric_parse(mice_slice_of(tmp, (size_t)len), c->arena, out, e);
}

/* PostgreSQL's estimate_ln_dweight. */
static int estimate_ln_dweight(const sql_numeric *x, func_ctx *c)
{
    if (numeric_sign(x) <= 0 || numeric_is_special(x)) return 0;
    long double v = num_to_ld(x);
    if (v >= 0.9L && v <= 1.1L) {
        const sql_numeric *one, *d;
        if (num_const(c, 1, &one, NULL) || numeric_sub(x, one, c->arena, &d, NULL)) return 0;
        if (d->ndigits == 0) return 0;
        return d->weight * SQL_NUMERIC_DEC_DIGITS + (int)log10(d->digits[0]);
    }
    int digits = x->digits[0], dweight = x->weight * SQL_NUMERIC_DEC_DIGITS;
    if (x->ndigits > 1) {
        digits = digits * SQL_NUMERIC_NBASE + x->digits[1];
        dweight -= SQL_NUMERIC_DEC_DIGITS;
    }
    double ln_var = log((double)digits) + dweight * 2.302585092994046;
    return (int)log10(fabs(ln_var));
}

/* ln(x) in long double, using log1p near 1 where x - 1 is exact. */
static long double ln_ld(const sql_numeric *x, func_ctx *c)
{
    long double v = num_to_ld(x);
    if (v >= 0.9L && v <= 1.1L) {
        const sql_numeric *one, *d;
        if (!num_const(c, 1, &one, NULL) && !numeric_sub(x, one, c->arena, &d, NULL))
            return log1pl(num_to_ld(d));
    }
    return logl(v);
}

/* floor(sqrt(big)) for a non-negative integer, by Newton's method from above. */
static mice_status isqrt(const sql_numeric *big, func_ctx *c, const sql_numeric **out, sql_error *e)
{
    const sql_numeric *y, *two, *q, *next;
    long double guess = sqrtl(num_to_ld(big));
    mice_status rc = num_const(c, 2, &two, e);
    if (rc) return rc;
    if (isinf(guess))
        rc = num_pow10((big->weight + 1) * SQL_NUMERIC_DEC_DIGITS / 2 + 1, c, &y, e);
    else
        rc = num_from_ld(guess * (1.0L + 1e-15L) + 1.0L, 0, c, &y, e);
    if (!rc && numeric_sign(y) == 0) rc = num_const(c, 1, &y, e);
    for (int i = 0; !rc && i < 10000; i++) {
        rc = numeric_div_trunc(big, y, c->arena, &q, e);
        if (!rc) rc = numeric_add(y, q, c->arena, &next, e);
        if (!rc) rc = numeric_div_trunc(next, two, c->arena, &next, e);
        if (rc || numeric_cmp(next, y) >= 0) break;
        y = next;
    }
    *out = y;
    return rc;
}

static mice_status num_sqrt(const sql_numeric *x, func_ctx *c, const sql_numeric **out,
                            sql_error *e)
{
    if (numeric_is_nan(x) || (numeric_is_inf(x) && numeric_sign(x) > 0)) {
        *out = x;
        return MICE_OK;
    }
    if (numeric_sign(x) < 0) return err_sqrt(e);
    int sweight = (x->weight + 1) * SQL_NUMERIC_DEC_DIGITS / 2 - 1;
    int rscale = SQL_NUMERIC_MIN_SIG_DIGITS - sweight;
    if (rscale < x->dscale) rscale = x->dscale;
    rscale = clamp_rscale(rscale);
    const sql_numeric *scale, *big, *root, *back;
    mice_status rc = num_pow10(2 * (rscale + 1), c, &scale, e);
    if (!rc) rc = numeric_mul(x, scale, c->arena, &big, e);
    if (!rc) rc = numeric_trunc(big, 0, c->arena, &big, e);
    if (!rc) rc = isqrt(big, c, &root, e);
    if (!rc) rc = num_pow10(-(rscale + 1), c, &back, e);
    if (!rc) rc = numeric_mul(root, back, c->arena, &root, e);
    if (!rc) rc = numeric_round(root, rscale, c->arena, out, e);
    return rc;
}

static mice_status num_overflow(sql_error *e)
{
    return sqlerr_set(e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                      "value overflows numeric format");
}

/* ---- fixed point for ln/exp: an integer numeric V stands for V / 10^p ---- */

/* Errors are sticky: after the first failure every step is a no-op returning its input. */
typedef struct fx {
    func_ctx *c;
    sql_error *e;
    mice_status rc;
    int p;
    const sql_numeric *scale; /* 10^p */
} fx;

static void fx_init(fx *f, func_ctx *c, int p, sql_error *e)
{
    f->c = c, f->e = e, f->p = p;
    f->rc = num_pow10(p, c, &f->scale, e);
}

static const sql_numeric *fx_step(fx *f, mice_status rc, const sql_numeric *r,
                                  const sql_numeric *dflt)
{
    if (rc) f->rc = rc;
    return f->rc ? dflt : r;
}

static const sql_numeric *fx_from(fx *f, const sql_numeric *x)
{
    const sql_numeric *r = NULL;
    if (f->rc) return x;
    mice_status rc = numeric_mul(x, f->scale, f->c->arena, &r, f->e);
    if (!rc) rc = numeric_round(r, 0, f->c->arena, &r, f->e);
    return fx_step(f, rc, r, x);
}

static const sql_numeric *fx_int(fx *f, int64_t v)
{
    const sql_numeric *r = NULL;
    if (f->rc) return f->scale;
    mice_status rc = num_const(f->c, v, &r, f->e);
    return fx_step(f, rc, r, f->scale);
}

typedef enum { FX_ADD, FX_SUB, FX_MUL, FX_DIV, FX_MUL_INT, FX_DIV_INT } fx_op;

static const sql_numeric *fx_bin(fx *f, fx_op op, const sql_numeric *a, const sql_numeric *b)
{
    const sql_numeric *r = NULL;
    mice_arena *ar = f->c->arena;
    if (f->rc) return a;
    mice_status rc;
    switch (op) {
    case FX_ADD:
        rc = numeric_add(a, b, ar, &r, f->e);
        break;
    case FX_SUB:
        rc = numeric_sub(a, b, ar, &r, f->e);
        break;
    case FX_MUL_INT:
        rc = numeric_mul(a, b, ar, &r, f->e);
        break;
    case FX_DIV_INT:
        rc = numeric_div_trunc(a, b, ar, &r, f->e);
        break;
    case FX_MUL:
        rc = numeric_mul(a, b, ar, &r, f->e);
        if (!rc) rc = numeric_div_trunc(r, f->scale, ar, &r, f->e);
        break;
    default:
        rc = numeric_mul(a, f->scale, ar, &r, f->e);
        if (!rc) rc = numeric_div_trunc(r, b, ar, &r, f->e);
        break;
    }
    return fx_step(f, rc, r, a);
}

static const sql_numeric *fx_sqrt(fx *f, const sql_numeric *a)
{
    const sql_numeric *r = NULL;
    if (f->rc) return a;
    mice_status rc = numeric_mul(a, f->scale, f->c->arena, &r, f->e);
    if (!rc) rc = isqrt(r, f->c, &r, f->e);
    return fx_step(f, rc, r, a);
}

/* The value V / 10^p as a numeric. */
static const sql_numeric *fx_value(fx *f, const sql_numeric *v)
{
    const sql_numeric *back = NULL, *r = NULL;
    if (f->rc) return v;
    mice_status rc = num_pow10(-f->p, f->c, &back, f->e);
    if (!rc) rc = numeric_mul(v, back, f->c->arena, &r, f->e);
    return fx_step(f, rc, r, v);
}

/* ln(M) for M (fixed point) in [1, 10]: square roots down to <= 1.1, then
 * ln(m) = 2 atanh((m - 1) / (m + 1)) by its series, times 2^k. */
static const sql_numeric *fx_ln_unit(fx *f, const sql_numeric *m)
{
    const sql_numeric *one = f->scale;
    const sql_numeric *limit =
        fx_bin(f, FX_DIV_INT, fx_bin(f, FX_MUL_INT, fx_int(f, 11), one), fx_int(f, 10));
    int k = 0;
    while (!f->rc && numeric_cmp(m, limit) > 0 && k < 64) {
        m = fx_sqrt(f, m);
        k++;
    }
    const sql_numeric *z = fx_bin(f, FX_DIV, fx_bin(f, FX_SUB, m, one), fx_bin(f, FX_ADD, m, one));
    const sql_numeric *z2 = fx_bin(f, FX_MUL, z, z), *sum = z, *term = z;
    for (int64_t i = 3; !f->rc && i < 100000; i += 2) {
        term = fx_bin(f, FX_MUL, term, z2);
        const sql_numeric *t = fx_bin(f, FX_DIV_INT, term, fx_int(f, i));
        if (f->rc || numeric_sign(t) == 0) break;
        sum = fx_bin(f, FX_ADD, sum, t);
    }
    return fx_bin(f, FX_MUL_INT, sum, fx_int(f, (int64_t)2 << k));
}

static int decimal_digits(int64_t v)
{
    int d = 1;
    for (v = v < 0 ? -v : v; v >= 10; v /= 10)
        d++;
    return d;
}

/* ln(x) for a finite x > 0, exact to about 10^-p, as a numeric with scale > p. */
static mice_status fx_ln(const sql_numeric *x, int p, func_ctx *c, const sql_numeric **out,
                         sql_error *e)
{
    int lead = x->digits[0] >= 1000 ? 4 : x->digits[0] >= 100 ? 3 : x->digits[0] >= 10 ? 2 : 1;
    int64_t dw = (int64_t)x->weight * SQL_NUMERIC_DEC_DIGITS + lead - 1; /* x = m * 10^dw */
    fx f;
    fx_init(&f, c, (p < 0 ? 0 : p) + 10 + decimal_digits(dw), e);
    const sql_numeric *shift = NULL, *m = NULL;
    if (!f.rc) f.rc = num_pow10((int)-dw, c, &shift, e);
    if (!f.rc) f.rc = numeric_mul(x, shift, c->arena, &m, e);
    const sql_numeric *l = fx_ln_unit(&f, fx_from(&f, m));
    if (dw != 0) {
        const sql_numeric *l10 = fx_ln_unit(&f, fx_bin(&f, FX_MUL_INT, fx_int(&f, 10), f.scale));
        l = fx_bin(&f, FX_ADD, l, fx_bin(&f, FX_MUL_INT, l10, fx_int(&f, dw)));
    }
    *out = fx_value(&f, l);
    return f.rc;
}

/* exp(x) rounded to rscale; |x| <= 6000 (checked by callers). */
static mice_status fx_exp(const sql_numeric *x, int rscale, func_ctx *c, const sql_numeric **out,
                          sql_error *e)
{
    double xd = (double)num_to_ld(x), ax = fabs(xd);
    int k = 0;
    while (ax > 0.01 && k < 64) {
        ax /= 2;
        k++;
    }
    int rd = xd > 0 ? (int)(xd * 0.434294481903252) + 1 : 0;
    fx f;
    fx_init(&f, c, rscale + rd + k + 8, e);
    const sql_numeric *xs = fx_bin(&f, FX_DIV_INT, fx_from(&f, x), fx_int(&f, (int64_t)1 << k));
    const sql_numeric *sum = fx_bin(&f, FX_ADD, f.scale, xs), *term = xs;
    for (int64_t i = 2; !f.rc && i < 100000; i++) {
        term = fx_bin(&f, FX_DIV_INT, fx_bin(&f, FX_MUL, term, xs), fx_int(&f, i));
        if (f.rc || numeric_sign(term) == 0) break;
        sum = fx_bin(&f, FX_ADD, sum, term);
    }
    for (int i = 0; i < k; i++)
        sum = fx_bin(&f, FX_MUL, sum, sum);
    const sql_numeric *v = fx_value(&f, sum);
    if (f.rc) return f.rc;
    return numeric_round(v, rscale, c->arena, out, e);
}

static mice_status num_ln(const sql_numeric *x, func_ctx *c, const sql_numeric **out, sql_error *e)
{
    if (numeric_is_nan(x)) {
        *out = x;
        return MICE_OK;
    }
    if (numeric_sign(x) == 0) return err_log(e, true);
    if (numeric_sign(x) < 0) return err_log(e, false);
    if (numeric_is_inf(x)) {
        *out = x;
        return MICE_OK;
    }
    int rscale = SQL_NUMERIC_MIN_SIG_DIGITS - estimate_ln_dweight(x, c);
    if (rscale < x->dscale) rscale = x->dscale;
    rscale = clamp_rscale(rscale);
    mice_status rc = fx_ln(x, rscale, c, out, e);
    return rc ? rc : numeric_round(*out, rscale, c->arena, out, e);
}

static mice_status num_log(const sql_numeric *b, const sql_numeric *x, func_ctx *c,
                           const sql_numeric **out, sql_error *e)
{
    if (numeric_is_nan(b) || numeric_is_nan(x))
        return numeric_parse(MICE_SLICE_LIT("NaN"), c->arena, out, e);
    for (int i = 0; i < 2; i++) {
        const sql_numeric *v = i ? x : b;
        if (numeric_sign(v) == 0) return err_log(e, true);
        if (numeric_sign(v) < 0) return err_log(e, false);
    }
    if (numeric_is_inf(b) || numeric_is_inf(x)) {
        long double r = logl(num_to_ld(x)) / logl(num_to_ld(b));
        return numeric_from_double((double)r, 15, c->arena, out, e);
    }
    int dwb = estimate_ln_dweight(b, c), dwx = estimate_ln_dweight(x, c);
    int rscale = SQL_NUMERIC_MIN_SIG_DIGITS - (dwx - dwb);
    if (rscale < b->dscale) rscale = b->dscale;
    if (rscale < x->dscale) rscale = x->dscale;
    rscale = clamp_rscale(rscale);
    /* absolute precisions that keep the quotient exact to rscale (+ guard digits) */
    int p_x = rscale - dwb + 4, p_b = rscale + (dwx - dwb) - dwb + 4;
    const sql_numeric *lx, *lb, *q, *shift, *back;
    mice_status rc = fx_ln(x, p_x, c, &lx, e);
    if (!rc) rc = fx_ln(b, p_b, c, &lb, e);
    if (rc) return rc;
    if (numeric_sign(lb) == 0) return sqlerr_division_by_zero(e);
    rc = num_pow10(rscale + 2, c, &shift, e);
    if (!rc) rc = numeric_mul(lx, shift, c->arena, &q, e);
    if (!rc) rc = numeric_div_trunc(q, lb, c->arena, &q, e);
    if (!rc) rc = num_pow10(-(rscale + 2), c, &back, e);
    if (!rc) rc = numeric_mul(q, back, c->arena, &q, e);
    if (!rc) rc = numeric_round(q, rscale, c->arena, out, e);
    return rc;
}

static mice_status num_exp(const sql_numeric *x, func_ctx *c, const sql_numeric **out, sql_error *e)
{
    if (numeric_is_nan(x) || (numeric_is_inf(x) && numeric_sign(x) > 0)) {
        *out = x;
        return MICE_OK;
    }
    if (numeric_is_inf(x)) return num_const(c, 0, out, e);
    long double v = num_to_ld(x);
    double w = (double)v * 0.434294481903252;
    w = w < -NUMERIC_MAX_RESULT_SCALE  ? -NUMERIC_MAX_RESULT_SCALE
        : w > NUMERIC_MAX_RESULT_SCALE ? NUMERIC_MAX_RESULT_SCALE
                                       : w;
    int rscale = SQL_NUMERIC_MIN_SIG_DIGITS - (int)w;
    if (rscale < x->dscale) rscale = x->dscale;
    rscale = clamp_rscale(rscale);
    if (fabsl(v) >= NUMERIC_MAX_RESULT_SCALE * 3) { /* PostgreSQL's exp_var limits */
        if (v > 0) return num_overflow(e);
        mice_status rc = num_const(c, 0, out, e);
        return rc ? rc : numeric_round(*out, rscale, c->arena, out, e);
    }
    return fx_exp(x, rscale, c, out, e);
}

/* x^n for an integer n: PostgreSQL 15's power_var_int (result scale max(16, dscale of x)),
 * exact then rounded. */
static mice_status num_pow_int(const sql_numeric *x, int64_t n, func_ctx *c,
                               const sql_numeric **out, sql_error *e)
{
    int rscale = clamp_rscale(x->dscale > SQL_NUMERIC_MIN_SIG_DIGITS ? x->dscale
                                                                     : SQL_NUMERIC_MIN_SIG_DIGITS);
    double f = 0;
    if (x->ndigits != 0) {
        double m = x->digits[0];
        int p = x->weight * SQL_NUMERIC_DEC_DIGITS;
        for (int i = 1; i < x->ndigits && i * SQL_NUMERIC_DEC_DIGITS < 16; i++) {
            m = m * SQL_NUMERIC_NBASE + x->digits[i];
            p -= SQL_NUMERIC_DEC_DIGITS;
        }
        f = (double)n * (log10(m) + p);
    }
    if (f > 3.0 * SHRT_MAX * SQL_NUMERIC_DEC_DIGITS) return num_overflow(e);
    if (x->ndigits != 0 && (f + 1 < -rscale || f + 1 < -SQL_NUMERIC_DISPLAY_SCALE_MAX)) {
        mice_status rc = num_const(c, 0, out, e);
        return rc ? rc : numeric_round(*out, rscale, c->arena, out, e);
    }
    const sql_numeric *acc, *base = x;
    mice_status rc = num_const(c, 1, &acc, e);
    for (uint64_t k = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n; !rc && k; k >>= 1) {
        if (k & 1) rc = numeric_mul(acc, base, c->arena, &acc, e);
        if (!rc && k > 1) rc = numeric_mul(base, base, c->arena, &base, e);
    }
    if (!rc && n < 0) {
        const sql_numeric *scale, *back;
        rc = num_pow10(rscale + 1, c, &scale, e);
        if (!rc) rc = numeric_div_trunc(scale, acc, c->arena, &acc, e);
        if (!rc) rc = num_pow10(-(rscale + 1), c, &back, e);
        if (!rc) rc = numeric_mul(acc, back, c->arena, &acc, e);
    }
    if (!rc) rc = numeric_round(acc, rscale, c->arena, out, e);
    return rc;
}

static bool num_is_int32(const sql_numeric *y, int64_t *v)
{
    if (numeric_is_special(y) || y->ndigits > y->weight + 1) return false;
    return numeric_to_int(y, 32, v, NULL) == MICE_OK;
}

static mice_status num_pow(const sql_numeric *x, const sql_numeric *y, func_ctx *c,
                           const sql_numeric **out, sql_error *e)
{
    int64_t iy;
    if (numeric_is_nan(x) || numeric_is_nan(y)) {
        bool one = numeric_is_nan(x) ? !numeric_is_nan(y) && numeric_sign(y) == 0
                                     : !numeric_is_special(x) && num_to_ld(x) == 1.0L;
        return one ? num_const(c, 1, out, e)
                   : numeric_parse(MICE_SLICE_LIT("NaN"), c->arena, out, e);
    }
    if (numeric_sign(x) == 0 && numeric_sign(y) < 0)
        return sqlerr_set(e, MICE_INVALID, "2201F", "zero raised to a negative power is undefined");
    bool y_int = num_is_int32(y, &iy);
    if (numeric_sign(x) < 0 && !numeric_is_special(y) && y->ndigits > y->weight + 1)
        return sqlerr_set(
            e, MICE_INVALID, "2201F",
            "a negative number raised to a non-integer power yields a complex result");
    if (numeric_is_special(x) || numeric_is_special(y)) {
        double r = pow_inf((double)num_to_ld(x), (double)num_to_ld(y));
        return numeric_from_double(r, 15, c->arena, out, e);
    }
    if (y_int) return num_pow_int(x, iy, c, out, e);
    if (numeric_sign(x) == 0) {
        mice_status rc = num_const(c, 0, out, e);
        return rc ? rc : numeric_round(*out, SQL_NUMERIC_MIN_SIG_DIGITS, c->arena, out, e);
    }
    long double ln_num = ln_ld(x, c) * num_to_ld(y);
    if (fabsl(ln_num) > NUMERIC_MAX_RESULT_SCALE * 3.01L) {
        if (ln_num > 0) return num_overflow(e);
        mice_status rc = num_const(c, 0, out, e);
        return rc ? rc : numeric_round(*out, SQL_NUMERIC_DISPLAY_SCALE_MAX, c->arena, out, e);
    }
    int rscale = SQL_NUMERIC_MIN_SIG_DIGITS - (int)((double)ln_num * 0.434294481903252);
    if (rscale < x->dscale) rscale = x->dscale;
    if (rscale < y->dscale) rscale = y->dscale;
    rscale = clamp_rscale(rscale);
    /* exp(y ln x): ln x must be exact to the digits the result shows, plus y's magnitude */
    int rd = ln_num > 0 ? (int)(ln_num * 0.434294481903252L) + 1 : 0;
    int yd = y->weight >= 0 ? (y->weight + 1) * SQL_NUMERIC_DEC_DIGITS : 0;
    const sql_numeric *l, *prod;
    mice_status rc = fx_ln(x, rscale + rd + yd + 6, c, &l, e);
    if (!rc) rc = numeric_mul(l, y, c->arena, &prod, e);
    if (!rc) rc = fx_exp(prod, rscale, c, out, e);
    return rc;
}

/* ---- dispatch wrappers ---- */

static mice_status f_sqrt(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL;
    if (a[0].type == SQL_TYPE_FLOAT8) return f_sqrt8(a[0].v.f8, o, e);
    return num_out(num_sqrt(a[0].v.num, c, &r, e), &r, o);
}

static mice_status f_ln(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL;
    if (a[0].type == SQL_TYPE_FLOAT8) return f_ln8(a[0].v.f8, false, o, e);
    return num_out(num_ln(a[0].v.num, c, &r, e), &r, o);
}

static mice_status f_log10(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL, *ten;
    if (a[0].type == SQL_TYPE_FLOAT8) return f_ln8(a[0].v.f8, true, o, e);
    mice_status rc = num_const(c, 10, &ten, e);
    if (rc) return rc;
    return num_out(num_log(ten, a[0].v.num, c, &r, e), &r, o);
}

static mice_status f_log2(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL;
    return num_out(num_log(a[0].v.num, a[1].v.num, c, &r, e), &r, o);
}

static mice_status f_exp(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL;
    if (a[0].type == SQL_TYPE_FLOAT8) return f_exp8(a[0].v.f8, o, e);
    return num_out(num_exp(a[0].v.num, c, &r, e), &r, o);
}

static mice_status f_power(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const sql_numeric *r = NULL;
    if (a[0].type == SQL_TYPE_FLOAT8) return f_pow8(a[0].v.f8, a[1].v.f8, o, e);
    return num_out(num_pow(a[0].v.num, a[1].v.num, c, &r, e), &r, o);
}

/* ---- width_bucket ---- */

static mice_status bucket_error(sql_error *e, const char *msg)
{
    return sqlerr_set(e, MICE_INVALID, "2201G", "%s", msg);
}

static mice_status bucket_f8(double op, double b1, double b2, int64_t count, sql_datum *o,
                             sql_error *e)
{
    if (count <= 0) return bucket_error(e, "count must be greater than zero");
    if (isnan(op) || isnan(b1) || isnan(b2))
        return bucket_error(e, "operand, lower bound, and upper bound cannot be NaN");
    if (isinf(b1) || isinf(b2)) return bucket_error(e, "lower and upper bounds must be finite");
    if (b1 == b2) return bucket_error(e, "lower bound cannot equal upper bound");
    bool asc = b1 < b2;
    int64_t r;
    if (asc ? op < b1 : op > b1) {
        r = 0;
    } else if (asc ? op >= b2 : op <= b2) {
        r = count + 1;
        if (r > INT32_MAX) return sqlerr_out_of_range(e, "integer");
    } else {
        double q = isinf(b2 - b1) ? (op / 2 - b1 / 2) / (b2 / 2 - b1 / 2) : (op - b1) / (b2 - b1);
        r = (int64_t)((double)count * q);
        if (r >= count) r = count - 1;
        if (r < 0) r = 0;
        r++;
    }
    *o = datum_int4((int32_t)r);
    return MICE_OK;
}

static mice_status bucket_num(const sql_datum *a, func_ctx *c, sql_datum *o, sql_error *e)
{
    const sql_numeric *op = a[0].v.num, *b1 = a[1].v.num, *b2 = a[2].v.num;
    int64_t count = a[3].v.i;
    if (count <= 0) return bucket_error(e, "count must be greater than zero");
    if (numeric_is_nan(op) || numeric_is_nan(b1) || numeric_is_nan(b2))
        return bucket_error(e, "operand, lower bound, and upper bound cannot be NaN");
    if (numeric_is_inf(b1) || numeric_is_inf(b2))
        return bucket_error(e, "lower and upper bounds must be finite");
    int cmp = numeric_cmp(b1, b2);
    if (cmp == 0) return bucket_error(e, "lower bound cannot equal upper bound");
    int64_t r;
    if (cmp < 0 ? numeric_cmp(op, b1) < 0 : numeric_cmp(op, b1) > 0) {
        r = 0;
    } else if (cmp < 0 ? numeric_cmp(op, b2) >= 0 : numeric_cmp(op, b2) <= 0) {
        r = count + 1;
        if (r > INT32_MAX) return sqlerr_out_of_range(e, "integer");
    } else {
        const sql_numeric *num, *den, *cnt, *q;
        mice_status rc = numeric_sub(op, b1, c->arena, &num, e);
        if (!rc) rc = numeric_sub(b2, b1, c->arena, &den, e);
        if (!rc) rc = num_const(c, count, &cnt, e);
        if (!rc) rc = numeric_mul(num, cnt, c->arena, &num, e);
        if (!rc) rc = numeric_div_trunc(num, den, c->arena, &q, e);
        if (!rc) rc = numeric_to_int(q, 64, &r, e);
        if (rc) return rc;
        r++;
    }
    *o = datum_int4((int32_t)r);
    return MICE_OK;
}

static mice_status f_width_bucket(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)n;
    if (a[0].type == SQL_TYPE_NUMERIC) return bucket_num(a, c, o, e);
    return bucket_f8(a[0].v.f8, a[1].v.f8, a[2].v.f8, a[3].v.i, o, e);
}

/* ---- random ---- */

static mice_status f_random(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n;
    if (!c->prng) return sqlerr_set(e, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR, "no random source");
    *o = datum_float8(prng_double(c->prng));
    return MICE_OK;
}

static mice_status f_setseed(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    double s = a[0].v.f8;
    if (!(s >= -1.0 && s <= 1.0))
        return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "setseed parameter %g is out of allowed range [-1,1]", s);
    if (!c->prng) return sqlerr_set(e, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR, "no random source");
    prng_seed(c->prng, (uint64_t)(int64_t)(s * (double)INT64_MAX));
    *o = datum_null(FUNC_TYPE_VOID);
    return MICE_OK;
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define V FUNC_VOLATILE
const func_desc func__math_table[] = {
    R("abs", T(INT2), true, I, f_abs, 1, T(INT2)),
    R("abs", T(INT4), true, I, f_abs, 1, T(INT4)),
    R("abs", T(INT8), true, I, f_abs, 1, T(INT8)),
    R("abs", T(FLOAT4), true, I, f_abs, 1, T(FLOAT4)),
    R("abs", T(FLOAT8), true, I, f_abs, 1, T(FLOAT8)),
    R("abs", T(NUMERIC), true, I, f_abs, 1, T(NUMERIC)),
    R("sign", T(FLOAT8), true, I, f_sign, 1, T(FLOAT8)),
    R("sign", T(NUMERIC), true, I, f_sign, 1, T(NUMERIC)),
    R("ceil", T(FLOAT8), true, I, f_ceil, 1, T(FLOAT8)),
    R("ceil", T(NUMERIC), true, I, f_ceil, 1, T(NUMERIC)),
    R("ceiling", T(FLOAT8), true, I, f_ceil, 1, T(FLOAT8)),
    R("ceiling", T(NUMERIC), true, I, f_ceil, 1, T(NUMERIC)),
    R("floor", T(FLOAT8), true, I, f_floor, 1, T(FLOAT8)),
    R("floor", T(NUMERIC), true, I, f_floor, 1, T(NUMERIC)),
    R("round", T(FLOAT8), true, I, f_round, 1, T(FLOAT8)),
    R("round", T(NUMERIC), true, I, f_round, 1, T(NUMERIC)),
    R("round", T(NUMERIC), true, I, f_round, 2, T(NUMERIC), T(INT4)),
    R("trunc", T(FLOAT8), true, I, f_trunc, 1, T(FLOAT8)),
    R("trunc", T(NUMERIC), true, I, f_trunc, 1, T(NUMERIC)),
    R("trunc", T(NUMERIC), true, I, f_trunc, 2, T(NUMERIC), T(INT4)),
    R("mod", T(INT2), true, I, f_mod, 2, T(INT2), T(INT2)),
    R("mod", T(INT4), true, I, f_mod, 2, T(INT4), T(INT4)),
    R("mod", T(INT8), true, I, f_mod, 2, T(INT8), T(INT8)),
    R("mod", T(NUMERIC), true, I, f_mod, 2, T(NUMERIC), T(NUMERIC)),
    R("div", T(NUMERIC), true, I, f_div, 2, T(NUMERIC), T(NUMERIC)),
    R("gcd", T(INT4), true, I, f_gcd, 2, T(INT4), T(INT4)),
    R("gcd", T(INT8), true, I, f_gcd, 2, T(INT8), T(INT8)),
    R("gcd", T(NUMERIC), true, I, f_gcd, 2, T(NUMERIC), T(NUMERIC)),
    R("lcm", T(INT4), true, I, f_lcm, 2, T(INT4), T(INT4)),
    R("lcm", T(INT8), true, I, f_lcm, 2, T(INT8), T(INT8)),
    R("lcm", T(NUMERIC), true, I, f_lcm, 2, T(NUMERIC), T(NUMERIC)),
    R("power", T(FLOAT8), true, I, f_power, 2, T(FLOAT8), T(FLOAT8)),
    R("power", T(NUMERIC), true, I, f_power, 2, T(NUMERIC), T(NUMERIC)),
    R("pow", T(FLOAT8), true, I, f_power, 2, T(FLOAT8), T(FLOAT8)),
    R("pow", T(NUMERIC), true, I, f_power, 2, T(NUMERIC), T(NUMERIC)),
    R("sqrt", T(FLOAT8), true, I, f_sqrt, 1, T(FLOAT8)),
    R("sqrt", T(NUMERIC), true, I, f_sqrt, 1, T(NUMERIC)),
    R("cbrt", T(FLOAT8), true, I, f_cbrt, 1, T(FLOAT8)),
    R("exp", T(FLOAT8), true, I, f_exp, 1, T(FLOAT8)),
    R("exp", T(NUMERIC), true, I, f_exp, 1, T(NUMERIC)),
    R("ln", T(FLOAT8), true, I, f_ln, 1, T(FLOAT8)),
    R("ln", T(NUMERIC), true, I, f_ln, 1, T(NUMERIC)),
    R("log", T(FLOAT8), true, I, f_log10, 1, T(FLOAT8)),
    R("log", T(NUMERIC), true, I, f_log10, 1, T(NUMERIC)),
    R("log", T(NUMERIC), true, I, f_log2, 2, T(NUMERIC), T(NUMERIC)),
    R("log10", T(FLOAT8), true, I, f_log10, 1, T(FLOAT8)),
    R("log10", T(NUMERIC), true, I, f_log10, 1, T(NUMERIC)),
    R("pi", T(FLOAT8), true, I, f_pi, 0, 0),
    R("degrees", T(FLOAT8), true, I, f_degrees, 1, T(FLOAT8)),
    R("radians", T(FLOAT8), true, I, f_radians, 1, T(FLOAT8)),
    R("sin", T(FLOAT8), true, I, f_sin, 1, T(FLOAT8)),
    R("cos", T(FLOAT8), true, I, f_cos, 1, T(FLOAT8)),
    R("tan", T(FLOAT8), true, I, f_tan, 1, T(FLOAT8)),
    R("asin", T(FLOAT8), true, I, f_asin, 1, T(FLOAT8)),
    R("acos", T(FLOAT8), true, I, f_acos, 1, T(FLOAT8)),
    R("atan", T(FLOAT8), true, I, f_atan, 1, T(FLOAT8)),
    R("atan2", T(FLOAT8), true, I, f_atan2, 2, T(FLOAT8), T(FLOAT8)),
    R("width_bucket", T(INT4), true, I, f_width_bucket, 4, T(FLOAT8), T(FLOAT8), T(FLOAT8),
      T(INT4)),
    R("width_bucket", T(INT4), true, I, f_width_bucket, 4, T(NUMERIC), T(NUMERIC), T(NUMERIC),
      T(INT4)),
    R("random", T(FLOAT8), true, V, f_random, 0, 0),
    R("setseed", FUNC_TYPE_VOID, true, V, f_setseed, 1, T(FLOAT8)),
};
const int func__math_count = sizeof func__math_table / sizeof func__math_table[0];
