/*
 * Unit and property tests for base/keyenc: exact byte formats, round trips and memcmp order
 * on random values of every kind in both directions, composite keys, special floats, NULL
 * placement, prefix_end, peek/skip, pretty printing and corrupt input.
 *
 * The property tests draw from a seeded PRNG (MICE_TEST_SEED overrides the default seed);
 * a failure prints the seed and the case so it reproduces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/keyenc.h"
#include "base/prng.h"

enum { VALUE_BYTES_MAX = 24, PAIRS_PER_KIND = 3000, TUPLES = 20000, TUPLE_COLS_MAX = 4 };

static uint64_t test_seed = 0x6b6579656e63ull; /* "keyenc" */

/* ---- a tiny value model: what the encoding must agree with ---- */

typedef struct value {
    keyenc_kind kind;
    bool is_null;
    bool b;
    uint64_t u;
    int64_t i; /* int64 and timestamp */
    double d;
    uint8_t bytes[VALUE_BYTES_MAX];
    size_t n;
} value;

static int sign3(int64_t x)
{
    return (x > 0) - (x < 0);
}

/* SQL order with PostgreSQL's float rules: NaN above everything, -0.0 == +0.0. */
static int cmp_double(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

static int value_cmp(const value *a, const value *b)
{
    assert_int_equal(a->kind, b->kind);
    if (a->is_null || b->is_null) return b->is_null - a->is_null; /* NULL first */
    switch (a->kind) {
    case KEYENC_KIND_NULL:
        return 0;
    case KEYENC_KIND_BOOL:
        return a->b - b->b;
    case KEYENC_KIND_UVARINT:
        return (a->u > b->u) - (a->u < b->u);
    case KEYENC_KIND_INT:
    case KEYENC_KIND_TIME:
        return (a->i > b->i) - (a->i < b->i);
    case KEYENC_KIND_FLOAT:
        return cmp_double(a->d, b->d);
    case KEYENC_KIND_TEXT:
    case KEYENC_KIND_BYTES: {
        size_t n = a->n < b->n ? a->n : b->n;
        int c = n ? memcmp(a->bytes, b->bytes, n) : 0;
        if (c) return sign3(c);
        return (a->n > b->n) - (a->n < b->n);
    }
    }
    fail();
    return 0;
}

static void encode(mice_buf *b, const value *v, keyenc_dir dir)
{
    if (v->is_null) {
        keyenc_put_null(b, dir);
        return;
    }
    switch (v->kind) {
    case KEYENC_KIND_NULL:
        keyenc_put_null(b, dir);
        break;
    case KEYENC_KIND_BOOL:
        keyenc_put_bool(b, v->b, dir);
        break;
    case KEYENC_KIND_UVARINT:
        keyenc_put_uvarint(b, v->u, dir);
        break;
    case KEYENC_KIND_INT:
        keyenc_put_int64(b, v->i, dir);
        break;
    case KEYENC_KIND_TIME:
        keyenc_put_timestamp(b, v->i, dir);
        break;
    case KEYENC_KIND_FLOAT:
        keyenc_put_float64(b, v->d, dir);
        break;
    case KEYENC_KIND_TEXT:
        keyenc_put_text(b, mice_slice_of(v->bytes, v->n), dir);
        break;
    case KEYENC_KIND_BYTES:
        keyenc_put_bytes(b, mice_slice_of(v->bytes, v->n), dir);
        break;
    }
}

/* Decode one value of the given kind; returns the status, fills *v. */
static mice_status decode(mice_slice *in, keyenc_kind kind, keyenc_dir dir, value *v)
{
    memset(v, 0, sizeof *v);
    v->kind = kind;
    mice_status rc = MICE_INTERNAL;
    mice_buf out;
    buf_init(&out);
    switch (kind) {
    case KEYENC_KIND_NULL:
        rc = keyenc_get_null(in, dir);
        v->is_null = true;
        break;
    case KEYENC_KIND_BOOL:
        rc = keyenc_get_bool(in, dir, &v->b, &v->is_null);
        break;
    case KEYENC_KIND_UVARINT:
        rc = keyenc_get_uvarint(in, dir, &v->u);
        break;
    case KEYENC_KIND_INT:
        rc = keyenc_get_int64(in, dir, &v->i, &v->is_null);
        break;
    case KEYENC_KIND_TIME:
        rc = keyenc_get_timestamp(in, dir, &v->i, &v->is_null);
        break;
    case KEYENC_KIND_FLOAT:
        rc = keyenc_get_float64(in, dir, &v->d, &v->is_null);
        break;
    case KEYENC_KIND_TEXT:
        rc = keyenc_get_text(in, dir, &out, &v->is_null);
        break;
    case KEYENC_KIND_BYTES:
        rc = keyenc_get_bytes(in, dir, &out, &v->is_null);
        break;
    }
    if (rc == MICE_OK && (kind == KEYENC_KIND_TEXT || kind == KEYENC_KIND_BYTES)) {
        assert_true(out.n <= VALUE_BYTES_MAX);
        if (v->is_null) assert_int_equal(out.n, 0);
        if (out.n) memcpy(v->bytes, out.p, out.n);
        v->n = out.n;
    }
    buf_deinit(&out);
    return rc;
}

/* Equality after the encoding's normalisations (-0.0 -> +0.0, any NaN -> NaN). */
static bool value_same(const value *a, const value *b)
{
    if (a->kind != b->kind || a->is_null != b->is_null) return false;
    if (a->is_null) return true;
    if (a->kind == KEYENC_KIND_FLOAT) {
        if (isnan(a->d) || isnan(b->d)) return isnan(a->d) && isnan(b->d);
        if (a->d == 0.0) return b->d == 0.0 && !signbit(b->d); /* decoded zero is +0.0 */
        return memcmp(&a->d, &b->d, sizeof a->d) == 0;
    }
    return value_cmp(a, b) == 0;
}

static void describe(const value *v, char *out, size_t out_bytes)
{
    if (v->is_null) {
        snprintf(out, out_bytes, "kind %d NULL", (int)v->kind);
        return;
    }
    int k = snprintf(out, out_bytes, "kind %d b=%d u=%llu i=%lld d=%a bytes[%zu]=", (int)v->kind,
                     v->b, (unsigned long long)v->u, (long long)v->i, v->d, v->n);
    for (size_t j = 0; j < v->n && k > 0 && (size_t)k + 3 < out_bytes; j++, k += 2)
        snprintf(out + k, out_bytes - (size_t)k, "%02x", v->bytes[j]);
}

#define PROP_CHECK(cond, iter, a, b)                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            char da_[160], db_[160];                                                               \
            describe((a), da_, sizeof da_);                                                        \
            describe((b), db_, sizeof db_);                                                        \
            print_error("property failed: %s\n  seed %llu (set MICE_TEST_SEED), iteration %d\n"    \
                        "  a: %s\n  b: %s\n",                                                      \
                        #cond, (unsigned long long)test_seed, (int)(iter), da_, db_);              \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* ---- random values, biased towards the edges where encodings break ---- */

static uint64_t random_u64(mice_prng *r)
{
    static const uint64_t edges[] = {0,          1,
                                     2,          0x7f,
                                     0x80,       0xff,
                                     0x100,      0xffff,
                                     0x10000,    0xffffffff,
                                     1ull << 32, 1ull << 56,
                                     UINT64_MAX, UINT64_MAX - 1,
                                     1ull << 63, (1ull << 63) - 1};
    switch (prng_below(r, 4)) {
    case 0:
        return edges[prng_below(r, sizeof edges / sizeof edges[0])];
    case 1:
        return prng_below(r, 1000);
    case 2:
        return prng_next(r) >> prng_below(r, 64); /* every byte length */
    default:
        return prng_next(r);
    }
}

static double random_double(mice_prng *r)
{
    static const double edges[] = {0.0,     -0.0,     1.0,      -1.0,      DBL_MAX,  -DBL_MAX,
                                   DBL_MIN, -DBL_MIN, 4.9e-324, -4.9e-324, INFINITY, -INFINITY,
                                   NAN,     -NAN,     0.5,      1e-310};
    uint64_t bits;
    double d;
    switch (prng_below(r, 4)) {
    case 0:
        return edges[prng_below(r, sizeof edges / sizeof edges[0])];
    case 1:
        return (double)prng_range(r, -100, 100) / 4;
    default: /* any bit pattern: NaN payloads, denormals, both signs */
        bits = prng_next(r);
        memcpy(&d, &bits, sizeof d);
        return d;
    }
}

static void random_bytes(mice_prng *r, value *v)
{
    static const uint8_t alphabet[] = {0x00, 0x01, 0xfe, 0xff, 'a', 'b'};
    v->n = (size_t)prng_below(r, prng_chance(r, 1, 2) ? 4 : VALUE_BYTES_MAX + 1);
    for (size_t j = 0; j < v->n; j++)
        v->bytes[j] =
            prng_chance(r, 3, 4) ? alphabet[prng_below(r, sizeof alphabet)] : (uint8_t)prng_next(r);
}

static void random_value(mice_prng *r, keyenc_kind kind, value *v)
{
    memset(v, 0, sizeof *v);
    v->kind = kind;
    v->is_null = kind == KEYENC_KIND_NULL || (kind != KEYENC_KIND_UVARINT && prng_chance(r, 1, 12));
    if (v->is_null) return;
    switch (kind) {
    case KEYENC_KIND_NULL:
        break;
    case KEYENC_KIND_BOOL:
        v->b = prng_chance(r, 1, 2);
        break;
    case KEYENC_KIND_UVARINT:
        v->u = random_u64(r);
        break;
    case KEYENC_KIND_INT:
    case KEYENC_KIND_TIME:
        v->u = random_u64(r); /* negate in unsigned arithmetic: INT64_MIN has no -x */
        v->i = (int64_t)(prng_chance(r, 1, 2) ? v->u : 0 - v->u);
        v->u = 0;
        break;
    case KEYENC_KIND_FLOAT:
        v->d = random_double(r);
        break;
    case KEYENC_KIND_TEXT:
    case KEYENC_KIND_BYTES:
        random_bytes(r, v);
        break;
    }
}

static const keyenc_kind all_kinds[] = {
    KEYENC_KIND_NULL,  KEYENC_KIND_BOOL, KEYENC_KIND_UVARINT, KEYENC_KIND_INT,
    KEYENC_KIND_FLOAT, KEYENC_KIND_TIME, KEYENC_KIND_TEXT,    KEYENC_KIND_BYTES,
};
enum { KIND_COUNT = sizeof all_kinds / sizeof all_kinds[0] };

static int memcmp_sign(const mice_buf *a, const mice_buf *b)
{
    return sign3(mice_slice_cmp(buf_slice(a), buf_slice(b)));
}

/* ---- property tests ---- */

static void check_pair(const value *a, const value *b, keyenc_dir dir, int iter)
{
    mice_buf ea, eb;
    buf_init(&ea);
    buf_init(&eb);
    encode(&ea, a, dir);
    encode(&eb, b, dir);
    int want = value_cmp(a, b) * (dir == KEYENC_DESC ? -1 : 1);
    PROP_CHECK(memcmp_sign(&ea, &eb) == want, iter, a, b);
    mice_slice in = buf_slice(&ea);
    keyenc_kind kind;
    keyenc_dir got_dir;
    PROP_CHECK(keyenc_peek(in, &kind, &got_dir) == MICE_OK, iter, a, b);
    PROP_CHECK(got_dir == dir, iter, a, b);
    PROP_CHECK(kind == (a->is_null ? KEYENC_KIND_NULL : a->kind), iter, a, b);
    value back;
    PROP_CHECK(decode(&in, a->kind, dir, &back) == MICE_OK, iter, a, &back);
    PROP_CHECK(in.n == 0, iter, a, &back);
    PROP_CHECK(value_same(a, &back), iter, a, &back);
    in = buf_slice(&ea);
    PROP_CHECK(keyenc_skip(&in) == MICE_OK && in.n == 0, iter, a, b);
    buf_deinit(&ea);
    buf_deinit(&eb);
}

static void test_roundtrip_and_order_every_kind_both_directions(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, test_seed);
    int iter = 0;
    for (size_t k = 0; k < KIND_COUNT; k++) {
        for (int dir = KEYENC_ASC; dir <= KEYENC_DESC; dir++) {
            for (int p = 0; p < PAIRS_PER_KIND; p++, iter++) {
                value a, b;
                random_value(&r, all_kinds[k], &a);
                if (prng_chance(&r, 1, 8))
                    b = a; /* equal values must encode equally */
                else
                    random_value(&r, all_kinds[k], &b);
                check_pair(&a, &b, (keyenc_dir)dir, iter);
            }
        }
    }
}

/* ---- composite keys ---- */

typedef struct tuple_schema {
    int cols;
    keyenc_kind kind[TUPLE_COLS_MAX];
    keyenc_dir dir[TUPLE_COLS_MAX];
} tuple_schema;

static int tuple_cmp(const tuple_schema *s, const value *a, const value *b)
{
    for (int c = 0; c < s->cols; c++) {
        int x = value_cmp(&a[c], &b[c]);
        if (x) return s->dir[c] == KEYENC_DESC ? -x : x;
    }
    return 0;
}

static void random_tuple_value(mice_prng *r, keyenc_kind kind, value *v)
{
    /* Mostly small domains, so that equal prefixes (and ties) are common. */
    random_value(r, kind, v);
    if (v->is_null || !prng_chance(r, 2, 3)) return;
    switch (kind) {
    case KEYENC_KIND_UVARINT:
        v->u = prng_below(r, 3);
        break;
    case KEYENC_KIND_INT:
    case KEYENC_KIND_TIME:
        v->i = prng_range(r, -1, 1);
        break;
    case KEYENC_KIND_FLOAT:
        v->d = (double)prng_range(r, -1, 1);
        break;
    case KEYENC_KIND_TEXT:
    case KEYENC_KIND_BYTES:
        v->n = (size_t)prng_below(r, 3);
        for (size_t j = 0; j < v->n; j++)
            v->bytes[j] = (uint8_t[]){0x00, 0xff, 'a'}[prng_below(r, 3)];
        break;
    default:
        break;
    }
}

static void encode_tuple(mice_buf *b, const tuple_schema *s, const value *t)
{
    for (int c = 0; c < s->cols; c++)
        encode(b, &t[c], s->dir[c]);
}

static void check_tuple_decodes(const tuple_schema *s, const value *t, const mice_buf *enc,
                                int iter)
{
    mice_slice in = buf_slice(enc), walk = in;
    for (int c = 0; c < s->cols; c++) {
        keyenc_kind kind;
        keyenc_dir dir;
        PROP_CHECK(keyenc_peek(walk, &kind, &dir) == MICE_OK, iter, &t[c], &t[c]);
        PROP_CHECK(dir == s->dir[c], iter, &t[c], &t[c]);
        PROP_CHECK(keyenc_skip(&walk) == MICE_OK, iter, &t[c], &t[c]);
        value back;
        PROP_CHECK(decode(&in, s->kind[c], s->dir[c], &back) == MICE_OK, iter, &t[c], &back);
        PROP_CHECK(value_same(&t[c], &back), iter, &t[c], &back);
        PROP_CHECK(in.p == walk.p && in.n == walk.n, iter, &t[c], &back);
    }
    PROP_CHECK(in.n == 0, iter, &t[0], &t[0]);
    keyenc_kind kind;
    keyenc_dir dir;
    PROP_CHECK(keyenc_peek(in, &kind, &dir) == MICE_NOTFOUND, iter, &t[0], &t[0]);
}

static void test_composite_keys_sort_lexicographically(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, test_seed + 1);
    mice_buf ea, eb;
    buf_init(&ea);
    buf_init(&eb);
    for (int iter = 0; iter < TUPLES; iter++) {
        tuple_schema s = {.cols = (int)prng_range(&r, 1, TUPLE_COLS_MAX)};
        for (int c = 0; c < s.cols; c++) {
            s.kind[c] = all_kinds[1 + prng_below(&r, KIND_COUNT - 1)];
            s.dir[c] = prng_chance(&r, 1, 2) ? KEYENC_DESC : KEYENC_ASC;
        }
        value a[TUPLE_COLS_MAX], b[TUPLE_COLS_MAX];
        for (int c = 0; c < s.cols; c++) {
            random_tuple_value(&r, s.kind[c], &a[c]);
            if (prng_chance(&r, 1, 2))
                b[c] = a[c];
            else
                random_tuple_value(&r, s.kind[c], &b[c]);
        }
        buf_reset(&ea);
        buf_reset(&eb);
        encode_tuple(&ea, &s, a);
        encode_tuple(&eb, &s, b);
        int want = tuple_cmp(&s, a, b);
        PROP_CHECK(memcmp_sign(&ea, &eb) == want, iter, &a[0], &b[0]);
        check_tuple_decodes(&s, a, &ea, iter);
        /* A key whose columns extend a prefix sorts inside [prefix, prefix_end). */
        tuple_schema pre = s;
        pre.cols = (int)prng_range(&r, 1, s.cols);
        mice_buf ep, end;
        buf_init(&ep);
        buf_init(&end);
        encode_tuple(&ep, &pre, a);
        PROP_CHECK(mice_slice_has_prefix(buf_slice(&ea), buf_slice(&ep)), iter, &a[0], &a[0]);
        if (keyenc_prefix_end(buf_slice(&ep), &end)) {
            PROP_CHECK(mice_slice_cmp(buf_slice(&ea), buf_slice(&end)) < 0, iter, &a[0], &a[0]);
            PROP_CHECK(mice_slice_cmp(buf_slice(&ep), buf_slice(&end)) < 0, iter, &a[0], &a[0]);
        } else { /* only descending NULLs encode as all 0xFF */
            for (size_t j = 0; j < ep.n; j++)
                PROP_CHECK(ep.p[j] == 0xff, iter, &a[0], &a[0]);
        }
        buf_deinit(&ep);
        buf_deinit(&end);
    }
    buf_deinit(&ea);
    buf_deinit(&eb);
}

/* ---- exact formats ---- */

static void assert_bytes(const mice_buf *b, const uint8_t *want, size_t n)
{
    assert_int_equal(b->n, n);
    assert_memory_equal(b->p, want, n);
}
#define ASSERT_BYTES(b, ...)                                                                       \
    do {                                                                                           \
        const uint8_t want_[] = {__VA_ARGS__};                                                     \
        assert_bytes((b), want_, sizeof want_);                                                    \
    } while (0)

static void test_exact_encodings(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    keyenc_put_null(&b, KEYENC_ASC);
    keyenc_put_null(&b, KEYENC_DESC);
    keyenc_put_bool(&b, false, KEYENC_ASC);
    keyenc_put_bool(&b, true, KEYENC_DESC);
    ASSERT_BYTES(&b, 0x00, 0xff, 0x10, 0xee);
    buf_reset(&b);
    keyenc_put_uvarint(&b, 0, KEYENC_ASC);
    keyenc_put_uvarint(&b, 255, KEYENC_ASC);
    keyenc_put_uvarint(&b, 256, KEYENC_ASC);
    keyenc_put_uvarint(&b, 1, KEYENC_DESC);
    ASSERT_BYTES(&b, 0x20, 0x21, 0xff, 0x22, 0x01, 0x00, 0xde, 0xfe);
    buf_reset(&b);
    keyenc_put_uvarint(&b, UINT64_MAX, KEYENC_ASC);
    ASSERT_BYTES(&b, 0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    buf_reset(&b);
    keyenc_put_int64(&b, -1, KEYENC_ASC);
    keyenc_put_timestamp(&b, 1, KEYENC_DESC);
    ASSERT_BYTES(&b, 0x30, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* int -1 */
                 0xaf, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe);    /* time 1 desc */
    buf_reset(&b);
    keyenc_put_float64(&b, 1.0, KEYENC_ASC);
    keyenc_put_float64(&b, NAN, KEYENC_ASC);
    ASSERT_BYTES(&b, 0x40, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0, 0x40, 0xff, 0xf8, 0, 0, 0, 0, 0, 0);
    buf_reset(&b);
    keyenc_put_text(&b, MICE_SLICE_LIT("a\0b"), KEYENC_ASC);
    keyenc_put_bytes(&b, MICE_SLICE_LIT(""), KEYENC_ASC);
    keyenc_put_bytes(&b, mice_slice_of(NULL, 0), KEYENC_DESC);
    ASSERT_BYTES(&b, 0x60, 'a', 0x00, 0xff, 'b', 0x00, 0x01, 0x70, 0x00, 0x01, 0x8f, 0xff, 0xfe);
    buf_reset(&b);
    keyenc_put_text(&b, MICE_SLICE_LIT("\xff\0"), KEYENC_DESC);
    ASSERT_BYTES(&b, 0x9f, 0x00, 0xff, 0x00, 0xff, 0xfe);
    /* Encoders append: existing bytes are kept. */
    keyenc_put_null(&b, KEYENC_ASC);
    assert_int_equal(b.n, 7);
    assert_int_equal(b.p[0], 0x9f);
    buf_deinit(&b);
}

static void test_special_floats_order_and_normalise(void **state)
{
    (void)state;
    /* Strictly increasing in SQL order; -0.0 is checked separately because it equals 0. */
    const double sorted[] = {-INFINITY, -DBL_MAX, -1.0,     -DBL_MIN,    -DBL_MIN / 2,
                             -4.9e-324, 0.0,      4.9e-324, DBL_MIN / 2, DBL_MIN,
                             1.0,       DBL_MAX,  INFINITY, NAN};
    const size_t n = sizeof sorted / sizeof sorted[0];
    for (int dir = KEYENC_ASC; dir <= KEYENC_DESC; dir++) {
        for (size_t i = 0; i + 1 < n; i++) {
            mice_buf a, b;
            buf_init(&a);
            buf_init(&b);
            keyenc_put_float64(&a, sorted[i], (keyenc_dir)dir);
            keyenc_put_float64(&b, sorted[i + 1], (keyenc_dir)dir);
            assert_int_equal(memcmp_sign(&a, &b), dir == KEYENC_ASC ? -1 : 1);
            buf_deinit(&a);
            buf_deinit(&b);
        }
    }
    /* Every NaN and -0.0 collapse onto one encoding, and decode normalised. */
    uint64_t nan_bits[] = {0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
                           0xffffffffffffffffull, 0x7ff4000000000abcull};
    mice_buf canon, other;
    buf_init(&canon);
    buf_init(&other);
    keyenc_put_float64(&canon, NAN, KEYENC_ASC);
    for (size_t i = 0; i < sizeof nan_bits / sizeof nan_bits[0]; i++) {
        double d;
        memcpy(&d, &nan_bits[i], sizeof d);
        assert_true(isnan(d));
        buf_reset(&other);
        keyenc_put_float64(&other, d, KEYENC_ASC);
        assert_true(mice_slice_eq(buf_slice(&canon), buf_slice(&other)));
    }
    buf_reset(&canon);
    buf_reset(&other);
    keyenc_put_float64(&canon, 0.0, KEYENC_DESC);
    keyenc_put_float64(&other, -0.0, KEYENC_DESC);
    assert_true(mice_slice_eq(buf_slice(&canon), buf_slice(&other)));
    mice_slice in = buf_slice(&other);
    double d = 1;
    bool is_null = true;
    assert_int_equal(keyenc_get_float64(&in, KEYENC_DESC, &d, &is_null), MICE_OK);
    assert_false(is_null);
    assert_true(d == 0.0 && !signbit(d));
    /* Denormals round-trip bit for bit. */
    buf_reset(&canon);
    keyenc_put_float64(&canon, 4.9e-324, KEYENC_ASC);
    in = buf_slice(&canon);
    assert_int_equal(keyenc_get_float64(&in, KEYENC_ASC, &d, NULL), MICE_OK);
    assert_true(d == 4.9e-324);
    buf_deinit(&canon);
    buf_deinit(&other);
}

static void test_text_and_bytes_with_zero_and_ff(void **state)
{
    (void)state;
    /* Sorted byte strings full of the escape and terminator bytes. */
    static const struct {
        const char *p;
        size_t n;
    } sorted[] = {
        {"", 0},         {"\x00", 1},      {"\x00\x00", 2}, {"\x00\x01", 2},  {"\x00\xff", 2},
        {"\x01", 1},     {"a", 1},         {"a\x00", 2},    {"a\x00\x00", 3}, {"a\x01", 2},
        {"a\xff", 2},    {"a\xff\xff", 3}, {"b", 1},        {"\xfe", 1},      {"\xff", 1},
        {"\xff\x00", 2}, {"\xff\xff", 2},
    };
    const size_t n = sizeof sorted / sizeof sorted[0];
    for (int kind = 0; kind < 2; kind++) {
        for (int dir = KEYENC_ASC; dir <= KEYENC_DESC; dir++) {
            mice_buf prev, cur, out;
            buf_init(&prev);
            buf_init(&cur);
            buf_init(&out);
            for (size_t i = 0; i < n; i++) {
                mice_slice v = mice_slice_of(sorted[i].p, sorted[i].n);
                buf_reset(&cur);
                if (kind)
                    keyenc_put_bytes(&cur, v, (keyenc_dir)dir);
                else
                    keyenc_put_text(&cur, v, (keyenc_dir)dir);
                keyenc_put_int64(&cur, 7, KEYENC_ASC); /* a following column must not matter */
                if (i) assert_int_equal(memcmp_sign(&prev, &cur), dir == KEYENC_ASC ? -1 : 1);
                mice_slice in = buf_slice(&cur);
                buf_reset(&out);
                bool is_null = true;
                mice_status rc = kind ? keyenc_get_bytes(&in, (keyenc_dir)dir, &out, &is_null)
                                      : keyenc_get_text(&in, (keyenc_dir)dir, &out, &is_null);
                assert_int_equal(rc, MICE_OK);
                assert_false(is_null);
                assert_true(mice_slice_eq(buf_slice(&out), v));
                assert_int_equal(in.n, 9); /* exactly the int64 column is left */
                buf_reset(&prev);
                buf_append_slice(&prev, buf_slice(&cur));
            }
            buf_deinit(&prev);
            buf_deinit(&cur);
            buf_deinit(&out);
        }
    }
}

static void test_null_sorts_first_asc_last_desc(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, test_seed + 2);
    mice_buf null_asc, null_desc, v;
    buf_init(&null_asc);
    buf_init(&null_desc);
    buf_init(&v);
    keyenc_put_null(&null_asc, KEYENC_ASC);
    keyenc_put_null(&null_desc, KEYENC_DESC);
    for (int i = 0; i < 2000; i++) {
        value x;
        random_value(&r, all_kinds[1 + prng_below(&r, KIND_COUNT - 1)], &x);
        if (x.is_null) continue;
        buf_reset(&v);
        encode(&v, &x, KEYENC_ASC);
        assert_int_equal(memcmp_sign(&null_asc, &v), -1);
        buf_reset(&v);
        encode(&v, &x, KEYENC_DESC);
        assert_int_equal(memcmp_sign(&null_desc, &v), 1);
    }
    /* A NULL where a value is expected is reported, with the output left untouched. */
    mice_slice in = buf_slice(&null_desc);
    mice_buf out;
    buf_init(&out);
    buf_append_str(&out, "keep");
    bool is_null = false;
    assert_int_equal(keyenc_get_text(&in, KEYENC_DESC, &out, &is_null), MICE_OK);
    assert_true(is_null);
    assert_int_equal(in.n, 0);
    assert_true(mice_slice_eq(buf_slice(&out), MICE_SLICE_LIT("keep")));
    int64_t i64 = 5;
    in = buf_slice(&null_asc);
    assert_int_equal(keyenc_get_int64(&in, KEYENC_ASC, &i64, NULL), MICE_CORRUPT);
    assert_int_equal(in.n, 1);
    assert_int_equal(i64, 5);
    assert_int_equal(keyenc_get_null(&in, KEYENC_ASC), MICE_OK);
    assert_int_equal(in.n, 0);
    buf_deinit(&out);
    buf_deinit(&null_asc);
    buf_deinit(&null_desc);
    buf_deinit(&v);
}

static void test_prefix_end(void **state)
{
    (void)state;
    mice_buf out;
    buf_init(&out);
    assert_false(keyenc_prefix_end(mice_slice_of(NULL, 0), &out));
    assert_false(keyenc_prefix_end(MICE_SLICE_LIT("\xff\xff"), &out));
    assert_int_equal(out.n, 0);
    assert_true(keyenc_prefix_end(MICE_SLICE_LIT("\x01\xff\xff"), &out));
    ASSERT_BYTES(&out, 0x02);
    buf_reset(&out);
    assert_true(keyenc_prefix_end(MICE_SLICE_LIT("ab"), &out));
    ASSERT_BYTES(&out, 'a', 'c');
    /* Random prefixes: every extension sorts before the end, the end itself does not have
     * the prefix, and nothing between... is checked by the composite test. */
    mice_prng r;
    prng_seed(&r, test_seed + 3);
    for (int i = 0; i < 5000; i++) {
        uint8_t key[8];
        size_t n = (size_t)prng_range(&r, 1, 8), plen = (size_t)prng_below(&r, n + 1);
        for (size_t j = 0; j < n; j++)
            key[j] = prng_chance(&r, 1, 2) ? 0xff : (uint8_t)prng_next(&r);
        mice_slice prefix = mice_slice_of(key, plen);
        buf_reset(&out);
        bool all_ff = true;
        for (size_t j = 0; j < plen; j++)
            all_ff &= key[j] == 0xff;
        bool ok = keyenc_prefix_end(prefix, &out);
        assert_int_equal(ok, !all_ff);
        if (!ok) continue;
        assert_true(mice_slice_cmp(mice_slice_of(key, n), buf_slice(&out)) < 0);
        assert_false(mice_slice_has_prefix(buf_slice(&out), prefix));
        assert_true(mice_slice_cmp(prefix, buf_slice(&out)) < 0);
    }
    buf_deinit(&out);
}

static void test_peek_and_skip_walk_a_key(void **state)
{
    (void)state;
    mice_buf k;
    buf_init(&k);
    keyenc_put_uvarint(&k, 1000, KEYENC_ASC);
    keyenc_put_text(&k, MICE_SLICE_LIT("x\0y"), KEYENC_DESC);
    keyenc_put_null(&k, KEYENC_DESC);
    keyenc_put_float64(&k, -2.5, KEYENC_DESC);
    keyenc_put_bool(&k, true, KEYENC_ASC);
    keyenc_put_timestamp(&k, 0, KEYENC_ASC);
    keyenc_put_bytes(&k, MICE_SLICE_LIT("\xff"), KEYENC_ASC);
    keyenc_put_int64(&k, INT64_MIN, KEYENC_DESC);
    const keyenc_kind kinds[] = {KEYENC_KIND_UVARINT, KEYENC_KIND_TEXT, KEYENC_KIND_NULL,
                                 KEYENC_KIND_FLOAT,   KEYENC_KIND_BOOL, KEYENC_KIND_TIME,
                                 KEYENC_KIND_BYTES,   KEYENC_KIND_INT};
    const keyenc_dir dirs[] = {KEYENC_ASC, KEYENC_DESC, KEYENC_DESC, KEYENC_DESC,
                               KEYENC_ASC, KEYENC_ASC,  KEYENC_ASC,  KEYENC_DESC};
    mice_slice in = buf_slice(&k);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        keyenc_kind kind;
        keyenc_dir dir;
        assert_int_equal(keyenc_peek(in, &kind, &dir), MICE_OK);
        assert_int_equal(kind, kinds[i]);
        assert_int_equal(dir, dirs[i]);
        size_t before = in.n;
        assert_int_equal(keyenc_peek(in, &kind, &dir), MICE_OK); /* peek does not consume */
        assert_int_equal(in.n, before);
        assert_int_equal(keyenc_skip(&in), MICE_OK);
        assert_true(in.n < before);
    }
    assert_int_equal(in.n, 0);
    keyenc_kind kind;
    keyenc_dir dir;
    assert_int_equal(keyenc_peek(in, &kind, &dir), MICE_NOTFOUND);
    assert_int_equal(keyenc_skip(&in), MICE_CORRUPT);
    buf_deinit(&k);
}

static void assert_pretty(const mice_buf *key, const char *want)
{
    mice_buf out;
    buf_init(&out);
    buf_append_str(&out, ">"); /* pretty appends */
    keyenc_pretty(buf_slice(key), &out);
    assert_string_equal((const char *)out.p + 1, want);
    assert_int_equal(out.p[0], '>');
    buf_deinit(&out);
}

static void test_pretty(void **state)
{
    (void)state;
    mice_buf k;
    buf_init(&k);
    assert_pretty(&k, "/");
    keyenc_put_uvarint(&k, 1, KEYENC_ASC);
    keyenc_put_int64(&k, 42, KEYENC_ASC);
    keyenc_put_text(&k, MICE_SLICE_LIT("bob"), KEYENC_ASC);
    keyenc_put_null(&k, KEYENC_ASC);
    assert_pretty(&k, "/1/42/\"bob\"/NULL");
    buf_reset(&k);
    keyenc_put_text(&k, MICE_SLICE_LIT("a\"\\\0\n"), KEYENC_DESC);
    keyenc_put_bytes(&k, MICE_SLICE_LIT("\x00\xab"), KEYENC_ASC);
    keyenc_put_bool(&k, false, KEYENC_DESC);
    keyenc_put_int64(&k, -7, KEYENC_DESC);
    keyenc_put_null(&k, KEYENC_DESC);
    assert_pretty(&k, "/\"a\\\"\\\\\\x00\\x0a\"/'\\x00ab'/false/-7/NULL");
    buf_reset(&k);
    keyenc_put_float64(&k, 0.1, KEYENC_ASC);
    keyenc_put_float64(&k, -INFINITY, KEYENC_ASC);
    keyenc_put_float64(&k, NAN, KEYENC_DESC);
    keyenc_put_float64(&k, 1e300, KEYENC_ASC);
    keyenc_put_timestamp(&k, 1700000000123456, KEYENC_ASC);
    keyenc_put_timestamp(&k, -1, KEYENC_DESC);
    assert_pretty(
        &k, "/0.1/-Infinity/NaN/1e+300/2023-11-14 22:13:20.123456/1969-12-31 23:59:59.999999");
    /* An undecodable tail is shown as hex after "/?". */
    buf_reset(&k);
    keyenc_put_bool(&k, true, KEYENC_ASC);
    buf_append(&k, "\x30\x01\x02", 3);
    assert_pretty(&k, "/true/?300102");
    buf_reset(&k);
    buf_append(&k, "\x05", 1);
    assert_pretty(&k, "/?05");
    buf_deinit(&k);
}

/* ---- corrupt input ---- */

static void assert_corrupt_any_kind(mice_slice bad)
{
    for (size_t k = 0; k < KIND_COUNT; k++) {
        for (int dir = KEYENC_ASC; dir <= KEYENC_DESC; dir++) {
            mice_slice in = bad;
            value v;
            mice_status rc = decode(&in, all_kinds[k], (keyenc_dir)dir, &v);
            if (rc == MICE_OK) continue; /* e.g. a leading NULL byte is a valid NULL */
            assert_int_equal(rc, MICE_CORRUPT);
            assert_true(in.p == bad.p && in.n == bad.n); /* nothing consumed on error */
        }
    }
}

static void test_truncation_is_corrupt(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, test_seed + 4);
    mice_buf b, out;
    buf_init(&b);
    buf_init(&out);
    for (int i = 0; i < 3000; i++) {
        value v;
        random_value(&r, all_kinds[prng_below(&r, KIND_COUNT)], &v);
        keyenc_dir dir = prng_chance(&r, 1, 2) ? KEYENC_DESC : KEYENC_ASC;
        buf_reset(&b);
        encode(&b, &v, dir);
        for (size_t cut = 0; cut < b.n; cut++) {
            mice_slice in = mice_slice_of(b.p, cut);
            value back;
            assert_int_equal(decode(&in, v.kind, dir, &back), MICE_CORRUPT);
            assert_int_equal(in.n, cut);
            in = mice_slice_of(b.p, cut);
            assert_int_equal(keyenc_skip(&in), MICE_CORRUPT);
            assert_corrupt_any_kind(mice_slice_of(b.p, cut));
        }
        /* Text out buffers are restored when the value turns out to be corrupt. */
        if (v.kind == KEYENC_KIND_TEXT && !v.is_null && b.n > 2) {
            buf_reset(&out);
            buf_append_str(&out, "xy");
            mice_slice in = mice_slice_of(b.p, b.n - 1);
            assert_int_equal(keyenc_get_text(&in, dir, &out, NULL), MICE_CORRUPT);
            assert_true(mice_slice_eq(buf_slice(&out), MICE_SLICE_LIT("xy")));
        }
    }
    buf_deinit(&b);
    buf_deinit(&out);
}

static void test_unknown_tags_and_wrong_kinds(void **state)
{
    (void)state;
    int known = 0;
    for (int t = 0; t < 256; t++) {
        uint8_t byte = (uint8_t)t;
        keyenc_kind kind;
        keyenc_dir dir;
        mice_status rc = keyenc_peek(mice_slice_of(&byte, 1), &kind, &dir);
        assert_true(rc == MICE_OK || rc == MICE_CORRUPT);
        known += rc == MICE_OK;
        /* Any tag followed by garbage never crashes and never consumes on error. */
        uint8_t buf[16];
        buf[0] = byte;
        memset(buf + 1, 0x00, sizeof buf - 1);
        assert_corrupt_any_kind(mice_slice_of(buf, sizeof buf));
        memset(buf + 1, 0xff, sizeof buf - 1);
        assert_corrupt_any_kind(mice_slice_of(buf, sizeof buf));
    }
    /* 8 single tags + 9 uvarint tags, times two directions. */
    assert_int_equal(known, 34);
    static const uint8_t unknown[] = {0x01, 0x12, 0x29, 0x2f, 0x31, 0x80, 0xd6, 0xfe};
    for (size_t i = 0; i < sizeof unknown; i++) {
        keyenc_kind kind;
        keyenc_dir dir;
        assert_int_equal(keyenc_peek(mice_slice_of(&unknown[i], 1), &kind, &dir), MICE_CORRUPT);
        mice_slice in = mice_slice_of(&unknown[i], 1);
        assert_int_equal(keyenc_skip(&in), MICE_CORRUPT);
    }
    /* Right bytes, wrong expected kind or direction. */
    mice_buf b;
    buf_init(&b);
    keyenc_put_int64(&b, 3, KEYENC_ASC);
    mice_slice in = buf_slice(&b);
    double d;
    int64_t i64;
    assert_int_equal(keyenc_get_float64(&in, KEYENC_ASC, &d, NULL), MICE_CORRUPT);
    assert_int_equal(keyenc_get_timestamp(&in, KEYENC_ASC, &i64, NULL), MICE_CORRUPT);
    assert_int_equal(keyenc_get_int64(&in, KEYENC_DESC, &i64, NULL), MICE_CORRUPT);
    assert_int_equal(keyenc_get_null(&in, KEYENC_ASC), MICE_CORRUPT);
    assert_int_equal(in.n, 9);
    assert_int_equal(keyenc_get_int64(&in, KEYENC_ASC, &i64, NULL), MICE_OK);
    assert_int_equal(i64, 3);
    buf_deinit(&b);
}

static void expect_corrupt_bytes(const uint8_t *p, size_t n, keyenc_dir dir)
{
    mice_slice in = mice_slice_of(p, n);
    assert_int_equal(keyenc_skip(&in), MICE_CORRUPT);
    assert_int_equal(in.n, n);
    keyenc_kind kind;
    keyenc_dir got;
    if (keyenc_peek(in, &kind, &got) != MICE_OK) return;
    assert_int_equal(got, dir);
    value v;
    assert_int_equal(decode(&in, kind, dir, &v), MICE_CORRUPT);
    assert_int_equal(in.n, n);
}
#define EXPECT_CORRUPT(dir, ...)                                                                   \
    do {                                                                                           \
        const uint8_t bad_[] = {__VA_ARGS__};                                                      \
        expect_corrupt_bytes(bad_, sizeof bad_, (dir));                                            \
    } while (0)

static void test_bad_escapes_and_non_canonical(void **state)
{
    (void)state;
    EXPECT_CORRUPT(KEYENC_ASC, 0x60, 'a', 0x00, 0x02, 0x00, 0x01); /* bad escape */
    EXPECT_CORRUPT(KEYENC_ASC, 0x60, 'a', 0x00, 0x00, 0x01);
    EXPECT_CORRUPT(KEYENC_ASC, 0x70, 0x00);               /* escape at the end */
    EXPECT_CORRUPT(KEYENC_ASC, 0x70, 'a', 'b');           /* no terminator */
    EXPECT_CORRUPT(KEYENC_DESC, 0x9f, 0xff, 0xfd);        /* desc bad escape */
    EXPECT_CORRUPT(KEYENC_DESC, 0x8f, 0xff, 0xfe ^ 0xff); /* asc terminator in desc */
    EXPECT_CORRUPT(KEYENC_ASC, 0x21, 0x00);               /* uvarint leading zero */
    EXPECT_CORRUPT(KEYENC_ASC, 0x22, 0x00, 0x05);
    EXPECT_CORRUPT(KEYENC_DESC, 0xdd, 0xff, 0xfa); /* same, descending */
    EXPECT_CORRUPT(KEYENC_ASC, 0x23, 0x01, 0x02);  /* short uvarint */
    /* -0.0 (bits 0x8000..., stored as ~bits) and non-canonical NaNs. */
    EXPECT_CORRUPT(KEYENC_ASC, 0x40, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    EXPECT_CORRUPT(KEYENC_DESC, 0xbf, 0x80, 0, 0, 0, 0, 0, 0, 0);
    EXPECT_CORRUPT(KEYENC_ASC, 0x40, 0xff, 0xf8, 0, 0, 0, 0, 0, 1); /* NaN payload */
    EXPECT_CORRUPT(KEYENC_ASC, 0x40, 0xff, 0xf0, 0, 0, 0, 0, 0, 1); /* signalling NaN */
    EXPECT_CORRUPT(KEYENC_ASC, 0x40, 0x00, 0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff); /* -NaN */
    /* The canonical forms next to them are fine. */
    const uint8_t zero[] = {0x40, 0x80, 0, 0, 0, 0, 0, 0, 0};
    mice_slice in = mice_slice_of(zero, sizeof zero);
    double d;
    assert_int_equal(keyenc_get_float64(&in, KEYENC_ASC, &d, NULL), MICE_OK);
    assert_true(d == 0.0);
    const uint8_t nan[] = {0x40, 0xff, 0xf8, 0, 0, 0, 0, 0, 0};
    in = mice_slice_of(nan, sizeof nan);
    assert_int_equal(keyenc_get_float64(&in, KEYENC_ASC, &d, NULL), MICE_OK);
    assert_true(isnan(d));
    uint64_t u;
    const uint8_t u0[] = {0x20};
    in = mice_slice_of(u0, 1);
    assert_int_equal(keyenc_get_uvarint(&in, KEYENC_ASC, &u), MICE_OK);
    assert_int_equal(u, 0);
}

static int setup_seed(void **state)
{
    (void)state;
    const char *s = getenv("MICE_TEST_SEED");
    if (s) test_seed = strtoull(s, NULL, 10);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_and_order_every_kind_both_directions),
        cmocka_unit_test(test_composite_keys_sort_lexicographically),
        cmocka_unit_test(test_exact_encodings),
        cmocka_unit_test(test_special_floats_order_and_normalise),
        cmocka_unit_test(test_text_and_bytes_with_zero_and_ff),
        cmocka_unit_test(test_null_sorts_first_asc_last_desc),
        cmocka_unit_test(test_prefix_end),
        cmocka_unit_test(test_peek_and_skip_walk_a_key),
        cmocka_unit_test(test_pretty),
        cmocka_unit_test(test_truncation_is_corrupt),
        cmocka_unit_test(test_unknown_tags_and_wrong_kinds),
        cmocka_unit_test(test_bad_escapes_and_non_canonical),
    };
    return cmocka_run_group_tests(tests, setup_seed, NULL);
}
