/*
 * Frame codec. Checks run cheapest first: the header checksum before anything the header
 * says is believed, the length limit before waiting for a body, the body checksum last.
 */
#include "rpc/frame.h"

#include <string.h>

#include "base/check.h"
#include "base/crc32c.h"

enum {
    HDR_LEN_AT = 0,
    HDR_TYPE_AT = 4,
    HDR_VERSION_AT = 5,
    HDR_RESERVED_AT = 6,
    HDR_BODY_CRC_AT = 8,
    HDR_CRC_AT = 12,
    DECODER_KEEP_CAP_BYTES = 1024 * 1024, /* an idle decoder keeps at most this much buffer */
};
_Static_assert(HDR_CRC_AT + 4 == RPC_FRAME_HEADER_BYTES, "header layout");

const char *frame_type_name(uint32_t type)
{
    switch (type) {
#define X(name, value, text)                                                                       \
    case value:                                                                                    \
        return text;
        RPC_FRAME_TYPE_MAP(X)
#undef X
    default:
        return "?";
    }
}

bool frame_type_valid(uint32_t type)
{
    switch (type) {
#define X(name, value, text) case value:
        RPC_FRAME_TYPE_MAP(X)
#undef X
        return true;
    default:
        return false;
    }
}

size_t frame_begin(mice_buf *out)
{
    size_t at = out->n;
    memset(buf_extend(out, RPC_FRAME_HEADER_BYTES), 0, RPC_FRAME_HEADER_BYTES);
    return at;
}

void frame_finish(mice_buf *out, size_t header_at, rpc_frame_type type)
{
    mice_assert(frame_type_valid(type));
    mice_assert(header_at + RPC_FRAME_HEADER_BYTES <= out->n);
    size_t body_n = out->n - header_at - RPC_FRAME_HEADER_BYTES;
    mice_assert(body_n <= UINT32_MAX);
    uint8_t *h = out->p + header_at;
    mice_store_be32(h + HDR_LEN_AT, (uint32_t)body_n);
    h[HDR_TYPE_AT] = (uint8_t)type;
    h[HDR_VERSION_AT] = RPC_FRAME_VERSION;
    h[HDR_RESERVED_AT] = 0;
    h[HDR_RESERVED_AT + 1] = 0;
    mice_store_be32(h + HDR_BODY_CRC_AT, crc32c(h + RPC_FRAME_HEADER_BYTES, body_n));
    mice_store_be32(h + HDR_CRC_AT, crc32c(h, HDR_CRC_AT));
}

void frame_append(mice_buf *out, rpc_frame_type type, mice_slice body)
{
    buf_reserve(out, RPC_FRAME_HEADER_BYTES + body.n);
    size_t at = frame_begin(out);
    buf_append_slice(out, body);
    frame_finish(out, at, type);
}

mice_status frame_parse(mice_slice in, size_t body_bytes_max, rpc_frame *frame, size_t *used,
                        mice_err *err)
{
    if (in.n < RPC_FRAME_HEADER_BYTES) return MICE_AGAIN;
    const uint8_t *h = in.p;
    uint32_t want_crc = mice_load_be32(h + HDR_CRC_AT);
    uint32_t got_crc = crc32c(h, HDR_CRC_AT);
    if (want_crc != got_crc)
        return mice_err_setf(err, MICE_CORRUPT, "frame header checksum mismatch (%08x, want %08x)",
                             got_crc, want_crc);
    if (h[HDR_VERSION_AT] != RPC_FRAME_VERSION)
        return mice_err_setf(err, MICE_CORRUPT, "frame version %u (want %u)", h[HDR_VERSION_AT],
                             RPC_FRAME_VERSION);
    if (h[HDR_RESERVED_AT] != 0 || h[HDR_RESERVED_AT + 1] != 0)
        return mice_err_setf(err, MICE_CORRUPT, "frame reserved bits set");
    uint32_t type = h[HDR_TYPE_AT];
    if (!frame_type_valid(type))
        return mice_err_setf(err, MICE_CORRUPT, "unknown frame type %u", type);
    size_t body_n = mice_load_be32(h + HDR_LEN_AT);
    if (body_n > body_bytes_max)
        return mice_err_setf(err, MICE_CORRUPT, "%s frame of %zu bytes exceeds the limit of %zu",
                             frame_type_name(type), body_n, body_bytes_max);
    if (in.n - RPC_FRAME_HEADER_BYTES < body_n) return MICE_AGAIN;
    const uint8_t *body = h + RPC_FRAME_HEADER_BYTES;
    want_crc = mice_load_be32(h + HDR_BODY_CRC_AT);
    got_crc = crc32c(body, body_n);
    if (want_crc != got_crc)
        return mice_err_setf(err, MICE_CORRUPT, "%s frame body checksum mismatch (%08x, want %08x)",
                             frame_type_name(type), got_crc, want_crc);
    frame->type = (rpc_frame_type)type;
    frame->body = mice_slice_of(body, body_n);
    *used = RPC_FRAME_HEADER_BYTES + body_n;
    return MICE_OK;
}

/* ---- decoder ---- */

void frame_decoder_init(frame_decoder *d, size_t body_bytes_max)
{
    buf_init(&d->buf);
    d->start = 0;
    d->body_bytes_max = body_bytes_max;
    d->failed = false;
}

void frame_decoder_deinit(frame_decoder *d)
{
    buf_deinit(&d->buf);
    d->start = 0;
}

void frame_decoder_feed(frame_decoder *d, mice_slice bytes)
{
    if (d->failed || bytes.n == 0) return;
    /* Frames handed out so far are dead now: drop their bytes. What remains is at most one
     * partial frame, moved once; later feeds while it completes append without moving. */
    if (d->start > 0) {
        size_t rest = d->buf.n - d->start;
        if (rest == 0 && d->buf.cap > DECODER_KEEP_CAP_BYTES) {
            buf_deinit(&d->buf); /* give back the room a big frame took */
        } else {
            memmove(d->buf.p, d->buf.p + d->start, rest);
            buf_truncate(&d->buf, rest);
        }
        d->start = 0;
    }
    buf_append_slice(&d->buf, bytes);
}

mice_status frame_decoder_next(frame_decoder *d, rpc_frame *frame, mice_err *err)
{
    if (d->failed) return mice_err_setf(err, MICE_CORRUPT, "stream already failed");
    if (d->start == d->buf.n) return MICE_AGAIN; /* (also: buf.p may be NULL) */
    mice_slice rest = mice_slice_of(d->buf.p + d->start, d->buf.n - d->start);
    size_t used = 0;
    mice_status rc = frame_parse(rest, d->body_bytes_max, frame, &used, err);
    if (rc == MICE_OK) {
        d->start += used;
        return MICE_OK;
    }
    if (rc == MICE_AGAIN) {
        /* Once the header is in, make room for the whole frame in one step. */
        if (rest.n >= RPC_FRAME_HEADER_BYTES) {
            size_t need = RPC_FRAME_HEADER_BYTES + mice_load_be32(rest.p) - rest.n;
            buf_reserve(&d->buf, need);
        }
        return MICE_AGAIN;
    }
    d->failed = true;
    buf_deinit(&d->buf);
    d->start = 0;
    return rc;
}

size_t frame_decoder_buffered(const frame_decoder *d)
{
    return d->buf.n - d->start;
}
