/*
 * keyenc.c - order-preserving key encoding (the byte formats are in keyenc.h).
 *
 * Every encoder writes the ascending form and then inverts the bytes it
 * appended for a descending column; every decoder XORs what it reads with the
 * direction's mask (0x00 or 0xFF), so the two directions share one code path.
 * Decoders work on a copy of the input slice and store it back only on success:
 * on any error the caller's slice and output buffer are as they were. The
 * encoding is canonical (each value has exactly one byte form) and the decoders
 * enforce it, which is what lets the fuzzer check encode(decode(bytes)) ==
 * bytes.
 */
#include "base/keyenc.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/check.h"

enum {
    FIXED64_BYTES = 8,
    UVARINT_BYTES_MAX = 8,
    TEXT_ESCAPE = 0x00,     /* ascending: a 0x00 byte is followed by ... */
    TEXT_ESCAPED_00 = 0xFF, /* ... 0xFF for a literal zero byte, or */
    TEXT_TERMINATOR = 0x01, /* ... 0x01 at the end of the value */
};

static const uint64_t SIGN_BIT = 1ull << 63;
/* The one NaN we store (the default quiet NaN, positive); it encodes above
 * +Infinity. */
static const uint64_t CANONICAL_NAN_BITS = 0x7ff8000000000000ull;
static const uint64_t NEGATIVE_ZERO_BITS = 1ull << 63;

static inline uint8_t dir_mask(keyenc_dir dir)
{
    mice_assert(dir == KEYENC_ASC || dir == KEYENC_DESC);
    return dir == KEYENC_DESC ? 0xFF : 0x00;
}

/* Invert the bytes appended since start when the column is descending. */
static void finish(mice_buf *b, size_t start, keyenc_dir dir)
{
    if (dir_mask(dir) == 0) return;
    for (size_t i = start; i < b->n; i++)
        b->p[i] = (uint8_t)~b->p[i];
}

static void put_fixed64(mice_buf *b, uint8_t tag, uint64_t v, keyenc_dir dir)
{
    size_t start = b->n;
    buf_append_u8(b, tag);
    buf_append_be64(b, v);
    finish(b, start, dir);
}

void keyenc_put_null(mice_buf *b, keyenc_dir dir)
{
    buf_append_u8(b, KEYENC_NULL ^ dir_mask(dir));
}

void keyenc_put_bool(mice_buf *b, bool v, keyenc_dir dir)
{
    buf_append_u8(b, (uint8_t)((v ? KEYENC_TRUE : KEYENC_FALSE) ^ dir_mask(dir)));
}

static unsigned uvarint_len(uint64_t v)
{
    unsigned n = 0;
    while (v) {
        n++;
        v >>= 8;
    }
    return n;
}

void keyenc_put_uvarint(mice_buf *b, uint64_t v, keyenc_dir dir)
{
    size_t start = b->n;
    unsigned n = uvarint_len(v);
    buf_append_u8(b, (uint8_t)(KEYENC_UVARINT_0 + n));
    for (unsigned i = n; i > 0; i--)
        buf_append_u8(b, (uint8_t)(v >> (8 * (i - 1))));
    finish(b, start, dir);
}

void keyenc_put_int64(mice_buf *b, int64_t v, keyenc_dir dir)
{
    put_fixed64(b, KEYENC_INT, (uint64_t)v ^ SIGN_BIT, dir);
}

static uint64_t float_to_key_bits(double v)
{
    uint64_t u;
    if (isnan(v)) {
        u = CANONICAL_NAN_BITS;
    } else if (v == 0.0) {
        u = 0; /* -0.0 == +0.0 */
    } else {
        memcpy(&u, &v, sizeof u);
    }
    return (u & SIGN_BIT) ? ~u : u ^ SIGN_BIT;
}

void keyenc_put_float64(mice_buf *b, double v, keyenc_dir dir)
{
    put_fixed64(b, KEYENC_FLOAT, float_to_key_bits(v), dir);
}

void keyenc_put_timestamp(mice_buf *b, int64_t micros, keyenc_dir dir)
{
    put_fixed64(b, KEYENC_TIME, (uint64_t)micros ^ SIGN_BIT, dir);
}

static void put_escaped(mice_buf *b, uint8_t tag, mice_slice v, keyenc_dir dir)
{
    size_t start = b->n;
    buf_reserve(b, v.n + 3);
    buf_append_u8(b, tag);
    const uint8_t *p = v.p, *end = v.n ? v.p + v.n : v.p;
    while (v.n && p < end) {
        const uint8_t *zero = memchr(p, 0, (size_t)(end - p));
        if (!zero) {
            buf_append(b, p, (size_t)(end - p));
            break;
        }
        buf_append(b, p, (size_t)(zero - p));
        buf_append_u8(b, TEXT_ESCAPE);
        buf_append_u8(b, TEXT_ESCAPED_00);
        p = zero + 1;
    }
    buf_append_u8(b, TEXT_ESCAPE);
    buf_append_u8(b, TEXT_TERMINATOR);
    finish(b, start, dir);
}

void keyenc_put_text(mice_buf *b, mice_slice v, keyenc_dir dir)
{
    put_escaped(b, KEYENC_TEXT, v, dir);
}

void keyenc_put_bytes(mice_buf *b, mice_slice v, keyenc_dir dir)
{
    put_escaped(b, KEYENC_BYTES, v, dir);
}

/* ---- decoding ---- */

static bool tag_kind(uint8_t t, keyenc_kind *kind)
{
    switch (t) {
    case KEYENC_NULL:
        *kind = KEYENC_KIND_NULL;
        return true;
    case KEYENC_FALSE:
    case KEYENC_TRUE:
        *kind = KEYENC_KIND_BOOL;
        return true;
    case KEYENC_INT:
        *kind = KEYENC_KIND_INT;
        return true;
    case KEYENC_FLOAT:
        *kind = KEYENC_KIND_FLOAT;
        return true;
    case KEYENC_TIME:
        *kind = KEYENC_KIND_TIME;
        return true;
    case KEYENC_TEXT:
        *kind = KEYENC_KIND_TEXT;
        return true;
    case KEYENC_BYTES:
        *kind = KEYENC_KIND_BYTES;
        return true;
    default:
        if (t >= KEYENC_UVARINT_0 && t <= KEYENC_UVARINT_0 + UVARINT_BYTES_MAX) {
            *kind = KEYENC_KIND_UVARINT;
            return true;
        }
        return false;
    }
}

mice_status keyenc_peek(mice_slice in, keyenc_kind *kind, keyenc_dir *dir)
{
    if (in.n == 0) return MICE_NOTFOUND;
    /* The ascending tags all lie in 0x00..0x70 and their inversions in
     * 0x8F..0xFF, so the tag byte alone tells the direction. */
    if (tag_kind(in.p[0], kind)) {
        *dir = KEYENC_ASC;
        return MICE_OK;
    }
    if (tag_kind((uint8_t)~in.p[0], kind)) {
        *dir = KEYENC_DESC;
        return MICE_OK;
    }
    return MICE_CORRUPT;
}

/*
 * Reads the tag at the front of *in. A NULL is consumed and reported through
 * *is_null (MICE_CORRUPT if the caller did not allow one); *got_null then tells
 * the caller it is done. Otherwise the (unmasked) tag is returned in *tag and
 * consumed.
 */
static mice_status take_tag(mice_slice *in, uint8_t mask, bool *is_null, bool *got_null,
                            uint8_t *tag)
{
    if (in->n == 0) return MICE_CORRUPT;
    uint8_t t = in->p[0] ^ mask;
    *got_null = t == KEYENC_NULL;
    if (*got_null && !is_null) return MICE_CORRUPT;
    if (is_null) *is_null = *got_null;
    *tag = t;
    in->p++;
    in->n--;
    return MICE_OK;
}

mice_status keyenc_get_null(mice_slice *in, keyenc_dir dir)
{
    if (in->n == 0 || in->p[0] != (KEYENC_NULL ^ dir_mask(dir))) return MICE_CORRUPT;
    in->p++;
    in->n--;
    return MICE_OK;
}

mice_status keyenc_get_bool(mice_slice *in, keyenc_dir dir, bool *v, bool *is_null)
{
    mice_slice s = *in;
    bool got_null;
    uint8_t tag;
    mice_status rc = take_tag(&s, dir_mask(dir), is_null, &got_null, &tag);
    if (rc) return rc;
    if (!got_null) {
        if (tag != KEYENC_FALSE && tag != KEYENC_TRUE) return MICE_CORRUPT;
        *v = tag == KEYENC_TRUE;
    }
    *in = s;
    return MICE_OK;
}

mice_status keyenc_get_uvarint(mice_slice *in, keyenc_dir dir, uint64_t *v)
{
    uint8_t mask = dir_mask(dir);
    if (in->n == 0) return MICE_CORRUPT;
    uint8_t tag = in->p[0] ^ mask;
    if (tag < KEYENC_UVARINT_0 || tag > KEYENC_UVARINT_0 + UVARINT_BYTES_MAX) return MICE_CORRUPT;
    size_t n = (size_t)(tag - KEYENC_UVARINT_0);
    if (in->n < 1 + n) return MICE_CORRUPT;
    /* Canonical form has no leading zero byte, so each value has exactly one
     * encoding. */
    if (n > 0 && (in->p[1] ^ mask) == 0) return MICE_CORRUPT;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x = x << 8 | (uint8_t)(in->p[1 + i] ^ mask);
    *v = x;
    in->p += 1 + n;
    in->n -= 1 + n;
    return MICE_OK;
}

/* Tag, optional NULL, then 8 big-endian bytes (unmasked into *bits). */
static mice_status get_fixed64(mice_slice *in, keyenc_dir dir, uint8_t want_tag, uint64_t *bits,
                               bool *is_null, bool *got_null)
{
    uint8_t mask = dir_mask(dir);
    mice_slice s = *in;
    uint8_t tag;
    mice_status rc = take_tag(&s, mask, is_null, got_null, &tag);
    if (rc) return rc;
    if (!*got_null) {
        if (tag != want_tag || s.n < FIXED64_BYTES) return MICE_CORRUPT;
        uint64_t m64 = mask ? UINT64_MAX : 0;
        *bits = mice_load_be64(s.p) ^ m64;
        s.p += FIXED64_BYTES;
        s.n -= FIXED64_BYTES;
    }
    *in = s;
    return MICE_OK;
}

mice_status keyenc_get_int64(mice_slice *in, keyenc_dir dir, int64_t *v, bool *is_null)
{
    uint64_t bits;
    bool got_null;
    mice_status rc = get_fixed64(in, dir, KEYENC_INT, &bits, is_null, &got_null);
    if (rc == MICE_OK && !got_null) *v = (int64_t)(bits ^ SIGN_BIT);
    return rc;
}

mice_status keyenc_get_timestamp(mice_slice *in, keyenc_dir dir, int64_t *micros, bool *is_null)
{
    uint64_t bits;
    bool got_null;
    mice_status rc = get_fixed64(in, dir, KEYENC_TIME, &bits, is_null, &got_null);
    if (rc == MICE_OK && !got_null) *micros = (int64_t)(bits ^ SIGN_BIT);
    return rc;
}

static bool is_nan_bits(uint64_t u)
{
    const uint64_t exponent = 0x7ff0000000000000ull, mantissa = 0x000fffffffffffffull;
    return (u & exponent) == exponent && (u & mantissa) != 0;
}

mice_status keyenc_get_float64(mice_slice *in, keyenc_dir dir, double *v, bool *is_null)
{
    mice_slice s = *in;
    uint64_t e;
    bool got_null;
    mice_status rc = get_fixed64(&s, dir, KEYENC_FLOAT, &e, is_null, &got_null);
    if (rc) return rc;
    if (!got_null) {
        uint64_t u = (e & SIGN_BIT) ? e ^ SIGN_BIT : ~e;
        /* The encoder never writes -0.0 or a NaN other than the canonical one. */
        if (u == NEGATIVE_ZERO_BITS) return MICE_CORRUPT;
        if (is_nan_bits(u) && u != CANONICAL_NAN_BITS) return MICE_CORRUPT;
        memcpy(v, &u, sizeof u);
    }
    *in = s;
    return MICE_OK;
}

/* Unescape one text/bytes body (after the tag) from *s into out (may be NULL:
 * validate only). The caller restores out on failure. */
static mice_status get_escaped_body(mice_slice *s, uint8_t mask, mice_buf *out)
{
    const uint8_t esc = TEXT_ESCAPE ^ mask;
    const uint8_t *p = s->p, *end = s->p + s->n;
    for (;;) {
        const uint8_t *hit = memchr(p, esc, (size_t)(end - p));
        if (!hit || hit + 1 >= end) return MICE_CORRUPT; /* no terminator */
        if (out) {
            size_t run = (size_t)(hit - p);
            uint8_t *dst = buf_extend(out, run);
            for (size_t i = 0; i < run; i++)
                dst[i] = p[i] ^ mask;
        }
        uint8_t next = hit[1] ^ mask;
        p = hit + 2;
        if (next == TEXT_TERMINATOR) break;
        if (next != TEXT_ESCAPED_00) return MICE_CORRUPT;
        if (out) buf_append_u8(out, 0);
    }
    s->n -= (size_t)(p - s->p);
    s->p = p;
    return MICE_OK;
}

static mice_status get_escaped(mice_slice *in, keyenc_dir dir, uint8_t want_tag, mice_buf *out,
                               bool *is_null)
{
    uint8_t mask = dir_mask(dir);
    mice_slice s = *in;
    bool got_null;
    uint8_t tag;
    mice_status rc = take_tag(&s, mask, is_null, &got_null, &tag);
    if (rc) return rc;
    if (!got_null) {
        if (tag != want_tag) return MICE_CORRUPT;
        size_t out_n = out ? out->n : 0;
        rc = get_escaped_body(&s, mask, out);
        if (rc) {
            if (out) buf_truncate(out, out_n);
            return rc;
        }
    }
    *in = s;
    return MICE_OK;
}

mice_status keyenc_get_text(mice_slice *in, keyenc_dir dir, mice_buf *out, bool *is_null)
{
    mice_assert(out != NULL);
    return get_escaped(in, dir, KEYENC_TEXT, out, is_null);
}

mice_status keyenc_get_bytes(mice_slice *in, keyenc_dir dir, mice_buf *out, bool *is_null)
{
    mice_assert(out != NULL);
    return get_escaped(in, dir, KEYENC_BYTES, out, is_null);
}

/* One decoded value of any kind; text and bytes go to a separate buffer. */
typedef struct decoded_value {
    bool is_null, b;
    uint64_t u;
    int64_t i; /* int64 and timestamp */
    double d;
} decoded_value;

/* Decode a value of the given kind and direction; text may be NULL (validate only). */
static mice_status decode_any(mice_slice *in, keyenc_kind kind, keyenc_dir dir, decoded_value *v,
                              mice_buf *text)
{
    *v = (decoded_value){0};
    switch (kind) {
    case KEYENC_KIND_NULL:
        v->is_null = true;
        return keyenc_get_null(in, dir);
    case KEYENC_KIND_BOOL:
        return keyenc_get_bool(in, dir, &v->b, &v->is_null);
    case KEYENC_KIND_UVARINT:
        return keyenc_get_uvarint(in, dir, &v->u);
    case KEYENC_KIND_INT:
        return keyenc_get_int64(in, dir, &v->i, &v->is_null);
    case KEYENC_KIND_FLOAT:
        return keyenc_get_float64(in, dir, &v->d, &v->is_null);
    case KEYENC_KIND_TIME:
        return keyenc_get_timestamp(in, dir, &v->i, &v->is_null);
    case KEYENC_KIND_TEXT:
        return get_escaped(in, dir, KEYENC_TEXT, text, &v->is_null);
    case KEYENC_KIND_BYTES:
        return get_escaped(in, dir, KEYENC_BYTES, text, &v->is_null);
    }
    mice_unreachable();
}

mice_status keyenc_skip(mice_slice *in)
{
    keyenc_kind kind;
    keyenc_dir dir;
    mice_status rc = keyenc_peek(*in, &kind, &dir);
    if (rc) return rc == MICE_NOTFOUND ? MICE_CORRUPT : rc;
    decoded_value v;
    return decode_any(in, kind, dir, &v, NULL);
}

bool keyenc_prefix_end(mice_slice prefix, mice_buf *out)
{
    size_t n = prefix.n;
    while (n > 0 && prefix.p[n - 1] == 0xFF)
        n--;
    if (n == 0) return false;
    size_t start = out->n;
    buf_append(out, prefix.p, n);
    out->p[start + n - 1]++;
    return true;
}

/* ---- pretty printing ---- */

static void pretty_quoted(mice_buf *out, const mice_buf *text)
{
    buf_append_u8(out, '"');
    for (size_t i = 0; i < text->n; i++) {
        uint8_t c = text->p[i];
        if (c == '"' || c == '\\')
            buf_printf(out, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            buf_append_u8(out, c);
        else
            buf_printf(out, "\\x%02x", c);
    }
    buf_append_u8(out, '"');
}

static void pretty_hex(mice_buf *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "%02x", p[i]);
}

static void pretty_float(mice_buf *out, double d)
{
    if (isnan(d)) {
        buf_append_str(out, "NaN");
    } else if (isinf(d)) {
        buf_append_str(out, d > 0 ? "Infinity" : "-Infinity");
    } else {
        /* Shortest of the two precisions that reads back exactly. */
        char tmp[40];
        snprintf(tmp, sizeof tmp, "%.15g", d);
        if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof tmp, "%.17g", d);
        buf_append_str(out, tmp);
    }
}

static void pretty_timestamp(mice_buf *out, int64_t micros)
{
    enum { MICROS_PER_S = 1000000 };
    int64_t secs = micros / MICROS_PER_S, frac = micros % MICROS_PER_S;
    if (frac < 0) {
        secs--;
        frac += MICROS_PER_S;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    char date[64];
    if (!gmtime_r(&t, &tm) || !strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm)) {
        buf_printf(out, "ts:%" PRId64, micros);
        return;
    }
    buf_printf(out, "%s.%06" PRId64, date, frac);
}

/* Render the value at the front of *in; MICE_CORRUPT (nothing consumed) if it does not
 * decode. */
static mice_status pretty_value(mice_slice *in, mice_buf *out, mice_buf *scratch)
{
    keyenc_kind kind;
    keyenc_dir dir;
    if (keyenc_peek(*in, &kind, &dir) != MICE_OK) return MICE_CORRUPT;
    decoded_value v;
    buf_reset(scratch);
    mice_status rc = decode_any(in, kind, dir, &v, scratch);
    if (rc) return rc;
    buf_append_u8(out, '/');
    if (v.is_null) {
        buf_append_str(out, "NULL");
        return MICE_OK;
    }
    switch (kind) {
    case KEYENC_KIND_NULL:
        break;
    case KEYENC_KIND_BOOL:
        buf_append_str(out, v.b ? "true" : "false");
        break;
    case KEYENC_KIND_UVARINT:
        buf_printf(out, "%" PRIu64, v.u);
        break;
    case KEYENC_KIND_INT:
        buf_printf(out, "%" PRId64, v.i);
        break;
    case KEYENC_KIND_FLOAT:
        pretty_float(out, v.d);
        break;
    case KEYENC_KIND_TIME:
        pretty_timestamp(out, v.i);
        break;
    case KEYENC_KIND_TEXT:
        pretty_quoted(out, scratch);
        break;
    case KEYENC_KIND_BYTES:
        buf_append_str(out, "'\\x");
        pretty_hex(out, scratch->p, scratch->n);
        buf_append_u8(out, '\'');
        break;
    }
    return MICE_OK;
}

void keyenc_pretty(mice_slice key, mice_buf *out)
{
    if (key.n == 0) {
        buf_append_u8(out, '/');
        return;
    }
    mice_buf scratch;
    buf_init(&scratch);
    while (key.n > 0) {
        if (pretty_value(&key, out, &scratch) != MICE_OK) {
            buf_append_str(out, "/?");
            pretty_hex(out, key.p, key.n);
            break;
        }
    }
    buf_deinit(&scratch);
}
