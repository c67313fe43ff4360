/* func_bytes.c - md5(), encode() and decode() (hex, base64, escape), as PostgreSQL 15.
 * MD5 is RFC 1321, written out here so the SQL layer needs no crypto library. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/func_int.h"

/* ---- MD5 (RFC 1321) ---- */

typedef struct md5_state {
    uint32_t h[4];
} md5_state;

static uint32_t rotl(uint32_t x, int c)
{
    return (x << c) | (x >> (32 - c));
}

static void md5_block(md5_state *st, const uint8_t *blk)
{
    static const uint32_t k[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391};
    static const int r[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)blk[i * 4] | (uint32_t)blk[i * 4 + 1] << 8 |
               (uint32_t)blk[i * 4 + 2] << 16 | (uint32_t)blk[i * 4 + 3] << 24;
    uint32_t a = st->h[0], b = st->h[1], c = st->h[2], d = st->h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16)
            f = (b & c) | (~b & d), g = i;
        else if (i < 32)
            f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
        else if (i < 48)
            f = b ^ c ^ d, g = (3 * i + 5) % 16;
        else
            f = c ^ (b | ~d), g = (7 * i) % 16;
        uint32_t tmp = d;
        d = c;
        c = b;
        b = b + rotl(a + f + k[i] + w[g], r[i]);
        a = tmp;
    }
    st->h[0] += a, st->h[1] += b, st->h[2] += c, st->h[3] += d;
}

static void md5_hex(mice_slice s, char out[33])
{
    md5_state st = {{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}};
    size_t full = s.n / 64 * 64;
    for (size_t off = 0; off < full; off += 64)
        md5_block(&st, s.p + off);
    uint8_t tail[128] = {0};
    size_t rest = s.n - full, tl = rest < 56 ? 64 : 128;
    if (rest) memcpy(tail, s.p + full, rest);
    tail[rest] = 0x80;
    uint64_t bits = (uint64_t)s.n * 8;
    for (int i = 0; i < 8; i++)
        tail[tl - 8 + (size_t)i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < tl; off += 64)
        md5_block(&st, tail + off);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", (st.h[i / 4] >> (8 * (i % 4))) & 0xff);
}

static mice_status f_md5(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    char hex[33];
    md5_hex(a[0].v.s, hex);
    return func__text_out(c, hex, 32, o, e);
}

/* ---- encode / decode ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void enc_base64(mice_slice s, mice_buf *b)
{
    size_t line = 0;
    for (size_t i = 0; i < s.n; i += 3) {
        uint32_t v = (uint32_t)s.p[i] << 16;
        if (i + 1 < s.n) v |= (uint32_t)s.p[i + 1] << 8;
        if (i + 2 < s.n) v |= s.p[i + 2];
        if (line >= 76) {
            buf_append_u8(b, '\n');
            line = 0;
        }
        buf_append_u8(b, (uint8_t)b64[v >> 18 & 63]);
        buf_append_u8(b, (uint8_t)b64[v >> 12 & 63]);
        buf_append_u8(b, i + 1 < s.n ? (uint8_t)b64[v >> 6 & 63] : '=');
        buf_append_u8(b, i + 2 < s.n ? (uint8_t)b64[v & 63] : '=');
        line += 4;
    }
}

static void enc_escape(mice_slice s, mice_buf *b)
{
    for (size_t i = 0; i < s.n; i++) {
        uint8_t ch = s.p[i];
        if (ch == '\\')
            buf_append_str(b, "\\\\");
        else if (ch == 0 || ch >= 0x80)
            buf_printf(b, "\\%03o", ch);
        else
            buf_append_u8(b, ch);
    }
}

static mice_status bad_encoding(mice_slice name, sql_error *e)
{
    return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "unrecognized encoding: \"%.*s\"", (int)name.n, (const char *)name.p);
}

static bool name_is(mice_slice s, const char *want)
{
    return s.n == strlen(want) && strncasecmp((const char *)s.p, want, s.n) == 0;
}

static mice_status f_encode(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_slice s = a[0].v.s, how = a[1].v.s;
    mice_buf b;
    buf_init(&b);
    if (name_is(how, "hex")) {
        for (size_t i = 0; i < s.n; i++)
            buf_printf(&b, "%02x", s.p[i]);
    } else if (name_is(how, "base64")) {
        enc_base64(s, &b);
    } else if (name_is(how, "escape")) {
        enc_escape(s, &b);
    } else {
        buf_deinit(&b);
        return bad_encoding(how, e);
    }
    return func__text_from_buf(c, &b, o, e);
}

static int hexval(uint8_t ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static mice_status dec_hex(mice_slice s, mice_buf *b, sql_error *e)
{
    const char *st = SQLSTATE_INVALID_PARAMETER_VALUE;
    for (size_t i = 0; i < s.n;) {
        uint8_t ch = s.p[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            i++;
            continue;
        }
        int hi = hexval(ch);
        if (hi < 0) {
            size_t l = (ch & 0x80) ? 1 : 1;
            return sqlerr_set(e, MICE_INVALID, st, "invalid hexadecimal digit: \"%.*s\"", (int)l,
                              s.p + i);
        }
        if (i + 1 >= s.n)
            return sqlerr_set(e, MICE_INVALID, st,
                              "invalid hexadecimal data: odd number of digits");
        int lo = hexval(s.p[i + 1]);
        if (lo < 0)
            return sqlerr_set(e, MICE_INVALID, st, "invalid hexadecimal digit: \"%.*s\"", 1,
                              s.p + i + 1);
        buf_append_u8(b, (uint8_t)(hi << 4 | lo));
        i += 2;
    }
    return MICE_OK;
}

static mice_status dec_base64(mice_slice s, mice_buf *b, sql_error *e)
{
    const char *st = SQLSTATE_INVALID_PARAMETER_VALUE;
    uint32_t acc = 0;
    int pos = 0, pad = 0;
    for (size_t i = 0; i < s.n; i++) {
        uint8_t ch = s.p[i];
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') continue;
        int v;
        if (ch == '=') {
            v = 0;
            if (pad == 0 && pos != 2 && pos != 3)
                return sqlerr_set(e, MICE_INVALID, st, "invalid base64 end sequence");
            pad++;
        } else {
            const char *q = ch ? strchr(b64, ch) : NULL;
            if (!q)
                return sqlerr_set(e, MICE_INVALID, st,
                                  "invalid symbol \"%.*s\" found while decoding base64 sequence",
                                  (int)(ch & 0x80 ? 1 : 1), (const char *)s.p + i);
            if (pad) return sqlerr_set(e, MICE_INVALID, st, "invalid base64 end sequence");
            v = (int)(q - b64);
        }
        acc = acc << 6 | (uint32_t)v;
        if (++pos == 4) {
            buf_append_u8(b, (uint8_t)(acc >> 16));
            if (pad < 2) buf_append_u8(b, (uint8_t)(acc >> 8));
            if (pad < 1) buf_append_u8(b, (uint8_t)acc);
            acc = 0, pos = 0;
        }
    }
    if (pos != 0) return sqlerr_set(e, MICE_INVALID, st, "invalid base64 end sequence");
    return MICE_OK;
}

static bool is_oct(uint8_t ch)
{
    return ch >= '0' && ch <= '7';
}

static mice_status dec_escape(mice_slice s, mice_buf *b, sql_error *e)
{
    for (size_t i = 0; i < s.n;) {
        if (s.p[i] != '\\') {
            buf_append_u8(b, s.p[i++]);
        } else if (i + 1 < s.n && s.p[i + 1] == '\\') {
            buf_append_u8(b, '\\');
            i += 2;
        } else if (i + 3 < s.n + 0 && s.p[i + 1] >= '0' && s.p[i + 1] <= '3' &&
                   is_oct(s.p[i + 2]) && is_oct(s.p[i + 3])) {
            buf_append_u8(b, (uint8_t)((s.p[i + 1] - '0') << 6 | (s.p[i + 2] - '0') << 3 |
                                       (s.p[i + 3] - '0')));
            i += 4;
        } else {
            return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                              "invalid input syntax for type %s", "bytea");
        }
    }
    return MICE_OK;
}

static mice_status f_decode(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_slice s = a[0].v.s, how = a[1].v.s;
    mice_buf b;
    buf_init(&b);
    mice_status rc;
    if (name_is(how, "hex"))
        rc = dec_hex(s, &b, e);
    else if (name_is(how, "base64"))
        rc = dec_base64(s, &b, e);
    else if (name_is(how, "escape"))
        rc = dec_escape(s, &b, e);
    else
        rc = bad_encoding(how, e);
    if (!rc) rc = func__bytes_out(c, SQL_TYPE_BYTEA, b.p, b.n, o, e);
    buf_deinit(&b);
    return rc;
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
const func_desc func__bytes_table[] = {
    R("md5", T(TEXT), true, I, f_md5, 1, T(TEXT)),
    R("md5", T(TEXT), true, I, f_md5, 1, T(BYTEA)),
    R("encode", T(TEXT), true, I, f_encode, 2, T(BYTEA), T(TEXT)),
    R("decode", T(BYTEA), true, I, f_decode, 2, T(TEXT), T(TEXT)),
};
const int func__bytes_count = sizeof func__bytes_table / sizeof func__bytes_table[0];
