/*
 * varint.h - LEB128 variable-length integers (protobuf style) and zigzag for signed ones.
 *
 * Used in values, log entries and on-disk records where compactness matters and order
 * does not (for order-preserving integers see keyenc.h). Decoders never trust input:
 * truncated or over-long encodings give MICE_CORRUPT, and so do non-canonical ones
 * (redundant zero groups such as 0x80 0x00): each value has exactly one encoding.
 *
 * Owns: nothing. Thread safety: pure functions.
 */
#ifndef MICE_BASE_VARINT_H
#define MICE_BASE_VARINT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum { VARINT_MAX_BYTES = 10 };

/* Writes at most VARINT_MAX_BYTES into out; returns the count written. */
size_t varint_encode_u64(uint64_t v, uint8_t *out);
void varint_put_u64(mice_buf *b, uint64_t v);
void varint_put_i64(mice_buf *b, int64_t v); /* zigzag */
/* Consume one varint from the front of *in. */
mice_status varint_get_u64(mice_slice *in, uint64_t *out);
mice_status varint_get_i64(mice_slice *in, int64_t *out);
size_t varint_len_u64(uint64_t v);

static inline uint64_t zigzag_encode(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}
static inline int64_t zigzag_decode(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
