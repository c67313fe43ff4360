#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

enum { BUF_MIN_CAP_BYTES = 64 };

mice_slice mice_slice_str(const char *s)
{
    return (mice_slice){(const uint8_t *)s, strlen(s)};
}

int mice_slice_cmp(mice_slice a, mice_slice b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c) return c;
    return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

bool mice_slice_eq(mice_slice a, mice_slice b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

bool mice_slice_has_prefix(mice_slice s, mice_slice prefix)
{
    return s.n >= prefix.n && (prefix.n == 0 || memcmp(s.p, prefix.p, prefix.n) == 0);
}

void buf_init(mice_buf *b)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
}

void buf_deinit(mice_buf *b)
{
    free(b->p);
    buf_init(b);
}

void buf_reserve(mice_buf *b, size_t extra)
{
    /* +1 keeps a spare byte for the trailing zero. */
    size_t need = b->n + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : BUF_MIN_CAP_BYTES;
    while (cap < need) cap *= 2;
    b->p = mice_realloc(b->p, cap);
    b->cap = cap;
}

void buf_reset(mice_buf *b)
{
    b->n = 0;
    if (b->p) b->p[0] = 0;
}

void buf_append(mice_buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
}

void buf_append_slice(mice_buf *b, mice_slice s)
{
    buf_append(b, s.p, s.n);
}

void buf_append_u8(mice_buf *b, uint8_t v)
{
    buf_append(b, &v, 1);
}

void buf_append_str(mice_buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_vprintf(mice_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int need = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    mice_assert(need >= 0);
    buf_reserve(b, (size_t)need);
    vsnprintf((char *)b->p + b->n, (size_t)need + 1, fmt, ap);
    b->n += (size_t)need;
}

void buf_printf(mice_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_append_be16(mice_buf *b, uint16_t v)
{
    uint8_t t[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    buf_append(b, t, 2);
}

void buf_append_be32(mice_buf *b, uint32_t v)
{
    uint8_t t[4];
    mice_store_be32(t, v);
    buf_append(b, t, 4);
}

void buf_append_be64(mice_buf *b, uint64_t v)
{
    uint8_t t[8];
    mice_store_be64(t, v);
    buf_append(b, t, 8);
}

uint8_t *buf_extend(mice_buf *b, size_t n)
{
    buf_reserve(b, n);
    uint8_t *at = b->p + b->n;
    b->n += n;
    b->p[b->n] = 0;
    return at;
}

void buf_truncate(mice_buf *b, size_t n)
{
    mice_assert(n <= b->n);
    b->n = n;
    if (b->p) b->p[n] = 0;
}

mice_slice buf_slice(const mice_buf *b)
{
    return (mice_slice){b->p, b->n};
}

uint8_t *buf_steal(mice_buf *b, size_t *n_out)
{
    uint8_t *p = b->p;
    if (n_out) *n_out = b->n;
    buf_init(b);
    return p;
}
