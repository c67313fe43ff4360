/*
 * buf.h - byte strings: borrowed slices and owned, growable buffers.
 *
 * Keys and values travel as mice_slice {p, n} (borrowed; the producer says how long it
 * stays valid) or mice_buf (owned, growable). Neither is NUL-terminated by contract,
 * though mice_buf keeps a spare zero byte after its contents so text can be printed.
 *
 * Owns: a mice_buf owns its bytes; buf_deinit frees them. Growth never fails: the C
 * library running out of memory ends the process (check.h); budgets live in arenas.
 * Thread safety: a buffer belongs to one thread at a time.
 */
#ifndef MICE_BASE_BUF_H
#define MICE_BASE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mice_slice {
    const uint8_t *p;
    size_t n;
} mice_slice;

typedef struct mice_buf {
    uint8_t *p;
    size_t n;
    size_t cap;
} mice_buf;

#define MICE_SLICE_LIT(s) ((mice_slice){(const uint8_t *)(s), sizeof(s) - 1})

static inline mice_slice mice_slice_of(const void *p, size_t n)
{
    return (mice_slice){(const uint8_t *)p, n};
}
mice_slice mice_slice_str(const char *s);
/* memcmp order; a proper prefix sorts first. */
int mice_slice_cmp(mice_slice a, mice_slice b);
bool mice_slice_eq(mice_slice a, mice_slice b);
bool mice_slice_has_prefix(mice_slice s, mice_slice prefix);

void buf_init(mice_buf *b);
void buf_deinit(mice_buf *b);
/* Make room for at least extra more bytes. */
void buf_reserve(mice_buf *b, size_t extra);
void buf_reset(mice_buf *b); /* n = 0, capacity kept */
void buf_append(mice_buf *b, const void *p, size_t n);
void buf_append_slice(mice_buf *b, mice_slice s);
void buf_append_u8(mice_buf *b, uint8_t v);
void buf_append_str(mice_buf *b, const char *s);
void buf_printf(mice_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(mice_buf *b, const char *fmt, va_list ap);
/* Big-endian fixed-width appends. */
void buf_append_be16(mice_buf *b, uint16_t v);
void buf_append_be32(mice_buf *b, uint32_t v);
void buf_append_be64(mice_buf *b, uint64_t v);
/* Extend by n bytes and return a pointer to them (valid until the next growth). */
uint8_t *buf_extend(mice_buf *b, size_t n);
void buf_truncate(mice_buf *b, size_t n);
/* Borrowed: valid until the buffer next grows or is freed. */
mice_slice buf_slice(const mice_buf *b);
/* Take the bytes out; the buffer is left empty and the caller frees the result. */
uint8_t *buf_steal(mice_buf *b, size_t *n_out);

static inline uint16_t mice_load_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t mice_load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t mice_load_be64(const uint8_t *p)
{
    return (uint64_t)mice_load_be32(p) << 32 | mice_load_be32(p + 4);
}
static inline void mice_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void mice_store_be64(uint8_t *p, uint64_t v)
{
    mice_store_be32(p, (uint32_t)(v >> 32));
    mice_store_be32(p + 4, (uint32_t)v);
}

#endif
