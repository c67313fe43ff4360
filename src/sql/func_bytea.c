/* func_bytea.c - bytea functions beyond md5/encode/decode (func_bytes.c): || (byteacat),
 * position, get_byte/set_byte, get_bit/set_bit, btrim/ltrim/rtrim, overlay and the SHA-2
 * digests (sha224, sha256, sha384, sha512 through OpenSSL's libcrypto), as PostgreSQL 15. */
#include <openssl/evp.h>
#include <string.h>

#include "sql/func_int.h"

#define ARGS const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e

static mice_status bytes_out(func_ctx *c, const uint8_t *p, size_t n, sql_datum *o, sql_error *e)
{
    return func__bytes_out(c, SQL_TYPE_BYTEA, p, n, o, e);
}

static mice_status f_byteacat(ARGS)
{
    (void)n;
    mice_slice x = a[0].v.s, y = a[1].v.s;
    uint8_t *p = arena_alloc(c->arena, x.n + y.n + 1);
    if (!p) return sqlerr_nomem(e);
    if (x.n) memcpy(p, x.p, x.n);
    if (y.n) memcpy(p + x.n, y.p, y.n);
    *o = datum_bytes(SQL_TYPE_BYTEA, mice_slice_of(p, x.n + y.n));
    return MICE_OK;
}

/* position(sub in s): 1-based, 0 when absent; an empty sub is at 1. */
static mice_status f_byteapos(ARGS)
{
    (void)n, (void)c, (void)e;
    mice_slice s = a[0].v.s, sub = a[1].v.s;
    int32_t pos = 0;
    if (sub.n == 0) {
        pos = 1;
    } else {
        for (size_t i = 0; i + sub.n <= s.n; i++) {
            if (memcmp(s.p + i, sub.p, sub.n) == 0) {
                pos = (int32_t)i + 1;
                break;
            }
        }
    }
    *o = datum_int4(pos);
    return MICE_OK;
}

static mice_status index_error(int64_t i, int64_t max, sql_error *e)
{
    return sqlerr_set(e, MICE_RANGE, "2202E", "index %lld out of valid range, 0..%lld",
                      (long long)i, (long long)max);
}

static mice_status f_get_byte(ARGS)
{
    (void)n, (void)c;
    mice_slice s = a[0].v.s;
    int64_t i = a[1].v.i;
    if (i < 0 || (uint64_t)i >= s.n) return index_error(i, (int64_t)s.n - 1, e);
    *o = datum_int4(s.p[i]);
    return MICE_OK;
}

static mice_status f_set_byte(ARGS)
{
    (void)n;
    mice_slice s = a[0].v.s;
    int64_t i = a[1].v.i;
    if (i < 0 || (uint64_t)i >= s.n) return index_error(i, (int64_t)s.n - 1, e);
    mice_status rc = bytes_out(c, s.p, s.n, o, e);
    if (rc) return rc;
    ((uint8_t *)o->v.s.p)[i] = (uint8_t)a[2].v.i;
    return MICE_OK;
}

static mice_status f_get_bit(ARGS)
{
    (void)n, (void)c;
    mice_slice s = a[0].v.s;
    int64_t i = a[1].v.i;
    if (i < 0 || (uint64_t)i >= (uint64_t)s.n * 8) return index_error(i, (int64_t)s.n * 8 - 1, e);
    *o = datum_int4((s.p[i / 8] >> (i % 8)) & 1);
    return MICE_OK;
}

static mice_status f_set_bit(ARGS)
{
    (void)n;
    mice_slice s = a[0].v.s;
    int64_t i = a[1].v.i, bit = a[2].v.i;
    if (i < 0 || (uint64_t)i >= (uint64_t)s.n * 8) return index_error(i, (int64_t)s.n * 8 - 1, e);
    if (bit != 0 && bit != 1)
        return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "new bit must be 0 or 1");
    mice_status rc = bytes_out(c, s.p, s.n, o, e);
    if (rc) return rc;
    uint8_t *p = (uint8_t *)o->v.s.p;
    p[i / 8] = (uint8_t)(bit ? p[i / 8] | (1u << (i % 8)) : p[i / 8] & ~(1u << (i % 8)));
    return MICE_OK;
}

static bool in_set(uint8_t b, mice_slice set)
{
    return set.n && memchr(set.p, b, set.n) != NULL;
}

/* btrim / ltrim / rtrim(bytes, set): the result is a sub-slice of the argument. */
static mice_status trim(const sql_datum *a, bool left, bool right, sql_datum *o)
{
    mice_slice s = a[0].v.s, set = a[1].v.s;
    while (left && s.n && in_set(s.p[0], set))
        s.p++, s.n--;
    while (right && s.n && in_set(s.p[s.n - 1], set))
        s.n--;
    *o = datum_bytes(SQL_TYPE_BYTEA, s);
    return MICE_OK;
}

static mice_status f_btrim(ARGS)
{
    (void)n, (void)c, (void)e;
    return trim(a, true, true, o);
}

static mice_status f_ltrim(ARGS)
{
    (void)n, (void)c, (void)e;
    return trim(a, true, false, o);
}

static mice_status f_rtrim(ARGS)
{
    (void)n, (void)c, (void)e;
    return trim(a, false, true, o);
}

/* overlay(s placing r from start [for len]) = s[1, start) || r || s[start + len, end] */
static mice_status f_overlay(ARGS)
{
    mice_slice s = a[0].v.s, r = a[1].v.s;
    int64_t start = a[2].v.i, len = n == 4 ? a[3].v.i : (int64_t)r.n;
    if (start <= 0 || len < 0)
        return sqlerr_set(e, MICE_INVALID, "22011", "negative substring length not allowed");
    size_t head = (size_t)(start - 1) < s.n ? (size_t)(start - 1) : s.n;
    int64_t tail_from = start - 1 + len;
    size_t tail = (uint64_t)tail_from < s.n ? s.n - (size_t)tail_from : 0;
    uint8_t *p = arena_alloc(c->arena, head + r.n + tail + 1);
    if (!p) return sqlerr_nomem(e);
    if (head) memcpy(p, s.p, head);
    if (r.n) memcpy(p + head, r.p, r.n);
    if (tail) memcpy(p + head + r.n, s.p + s.n - tail, tail);
    *o = datum_bytes(SQL_TYPE_BYTEA, mice_slice_of(p, head + r.n + tail));
    return MICE_OK;
}

static mice_status digest(const sql_datum *a, const EVP_MD *md, func_ctx *c, sql_datum *o,
                          sql_error *e)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(a[0].v.s.p, a[0].v.s.n, out, &len, md, NULL) != 1)
        return sqlerr_set(e, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR, "could not compute digest");
    return bytes_out(c, out, len, o, e);
}

static mice_status f_sha224(ARGS)
{
    (void)n;
    return digest(a, EVP_sha224(), c, o, e);
}

static mice_status f_sha256(ARGS)
{
    (void)n;
    return digest(a, EVP_sha256(), c, o, e);
}

static mice_status f_sha384(ARGS)
{
    (void)n;
    return digest(a, EVP_sha384(), c, o, e);
}

static mice_status f_sha512(ARGS)
{
    (void)n;
    return digest(a, EVP_sha512(), c, o, e);
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define B T(BYTEA)
const func_desc func__bytea_table[] = {
    R("byteacat", B, true, I, f_byteacat, 2, B, B),
    R("position", T(INT4), true, I, f_byteapos, 2, B, B),
    R("get_byte", T(INT4), true, I, f_get_byte, 2, B, T(INT4)),
    R("set_byte", B, true, I, f_set_byte, 3, B, T(INT4), T(INT4)),
    R("get_bit", T(INT4), true, I, f_get_bit, 2, B, T(INT8)),
    R("set_bit", B, true, I, f_set_bit, 3, B, T(INT8), T(INT4)),
    R("btrim", B, true, I, f_btrim, 2, B, B),
    R("ltrim", B, true, I, f_ltrim, 2, B, B),
    R("rtrim", B, true, I, f_rtrim, 2, B, B),
    R("overlay", B, true, I, f_overlay, 3, B, B, T(INT4)),
    R("overlay", B, true, I, f_overlay, 4, B, B, T(INT4), T(INT4)),
    R("sha224", B, true, I, f_sha224, 1, B),
    R("sha256", B, true, I, f_sha256, 1, B),
    R("sha384", B, true, I, f_sha384, 1, B),
    R("sha512", B, true, I, f_sha512, 1, B),
};
const int func__bytea_count = sizeof func__bytea_table / sizeof func__bytea_table[0];
