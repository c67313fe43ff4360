/*
 * varint.c - LEB128: seven value bits per byte, low groups first, high bit = "more".
 *
 * Decoding rejects what the encoder never writes, so each value has one encoding: more
 * than VARINT_MAX_BYTES bytes, bits beyond 64 in the tenth byte, and redundant trailing
 * zero groups (0x80 0x00 for 0) are all MICE_CORRUPT.
 */
#include "base/varint.h"

enum { VARINT_PAYLOAD_BITS = 7, VARINT_MORE = 0x80, VARINT_PAYLOAD_MASK = 0x7f };

size_t varint_len_u64(uint64_t v)
{
    size_t n = 1;
    while (v >= VARINT_MORE) {
        v >>= VARINT_PAYLOAD_BITS;
        n++;
    }
    return n;
}

size_t varint_encode_u64(uint64_t v, uint8_t *out)
{
    size_t n = 0;
    while (v >= VARINT_MORE) {
        out[n++] = (uint8_t)(v | VARINT_MORE);
        v >>= VARINT_PAYLOAD_BITS;
    }
    out[n++] = (uint8_t)v;
    return n;
}

void varint_put_u64(mice_buf *b, uint64_t v)
{
    uint8_t tmp[VARINT_MAX_BYTES];
    buf_append(b, tmp, varint_encode_u64(v, tmp));
}

void varint_put_i64(mice_buf *b, int64_t v)
{
    varint_put_u64(b, zigzag_encode(v));
}

mice_status varint_get_u64(mice_slice *in, uint64_t *out)
{
    uint64_t v = 0;
    for (size_t i = 0; i < VARINT_MAX_BYTES; i++) {
        if (i >= in->n) return MICE_CORRUPT; /* truncated */
        uint8_t byte = in->p[i];
        unsigned shift = (unsigned)(i * VARINT_PAYLOAD_BITS);
        /* The tenth byte carries bit 63 only. */
        if (i == VARINT_MAX_BYTES - 1 && byte > 1) return MICE_CORRUPT;
        v |= (uint64_t)(byte & VARINT_PAYLOAD_MASK) << shift;
        if (!(byte & VARINT_MORE)) {
            /* A last byte of zero after others is a redundant group. */
            if (byte == 0 && i > 0) return MICE_CORRUPT;
            *out = v;
            in->p += i + 1;
            in->n -= i + 1;
            return MICE_OK;
        }
    }
    return MICE_CORRUPT; /* over-long */
}

mice_status varint_get_i64(mice_slice *in, int64_t *out)
{
    uint64_t u;
    mice_status rc = varint_get_u64(in, &u);
    if (rc == MICE_OK) *out = zigzag_decode(u);
    return rc;
}
