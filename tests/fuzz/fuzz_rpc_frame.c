// layer: rpc
/*
 * fuzz_rpc_frame.c - node-to-node bytes must never crash the frame decoder or the protobuf
 * decoding behind it, and what decodes must agree with itself.
 *
 * The first input byte chooses how the rest is cut into reads; the rest is a connection's
 * byte stream, fed to a frame_decoder read by read. Every frame that comes out must encode
 * back (frame_append) to exactly the bytes it was parsed from, and its body is decoded as
 * the frame type's protobuf message; a message that decodes is packed again, and that
 * packing must decode and pack to the same bytes (protobuf-c's output is canonical even
 * when its input was not), unless it kept unknown fields. Once the decoder fails it must stay
 * failed. frame_parse on the whole stream must agree with the decoder about the first frame. Since
 * random bytes rarely pass the checksums, the input is also decoded directly as a body.
 */
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/check.h"
#include "rpc/codec.h"
#include "rpc/frame.h"

enum { FUZZ_FRAME_BYTES_MAX = 64 * 1024 };

static void check_body(const rpc_frame *f)
{
    const ProtobufCMessageDescriptor *desc = rpc_frame_descriptor(f->type);
    ProtobufCMessage *m = NULL;
    if (rpc_unpack(desc, f->body, &m, NULL) != MICE_OK) {
        mice_assert(m == NULL);
        return;
    }
    /* protobuf-c keeps unknown fields and packs them back verbatim, including a field
     * number 0 it accepted in a non-canonical tag (0x80 0x00) but refuses as 0x00: only
     * messages without unknown fields must survive a second trip. */
    if (m->n_unknown_fields > 0) {
        rpc_unpacked_free(m);
        return;
    }
    mice_buf once, twice;
    buf_init(&once);
    buf_init(&twice);
    rpc_pack(m, &once);
    ProtobufCMessage *again = NULL;
    mice_assert(rpc_unpack(desc, buf_slice(&once), &again, NULL) == MICE_OK);
    rpc_pack(again, &twice);
    mice_assert(mice_slice_eq(buf_slice(&once), buf_slice(&twice)));
    rpc_unpacked_free(again);
    rpc_unpacked_free(m);
    buf_deinit(&once);
    buf_deinit(&twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    size_t chunk_max = 1 + data[0] % 64 * 37;
    mice_slice stream = mice_slice_of(data + 1, size - 1);

    /* Random bytes rarely pass two checksums, so the protobuf decoding also gets the raw
     * input as the body of the frame type the first byte names. */
    if (stream.n <= FUZZ_FRAME_BYTES_MAX) {
        rpc_frame raw = {.type = (rpc_frame_type)(1 + data[0] % 7), .body = stream};
        check_body(&raw);
    }

    rpc_frame first;
    size_t first_used = 0;
    mice_status first_rc = frame_parse(stream, FUZZ_FRAME_BYTES_MAX, &first, &first_used, NULL);

    frame_decoder d;
    frame_decoder_init(&d, FUZZ_FRAME_BYTES_MAX);
    size_t fed = 0, consumed = 0, frames = 0;
    bool failed = false;
    mice_buf reenc;
    buf_init(&reenc);
    while (fed < stream.n && !failed) {
        size_t n = stream.n - fed < chunk_max ? stream.n - fed : chunk_max;
        frame_decoder_feed(&d, mice_slice_of(stream.p + fed, n));
        fed += n;
        rpc_frame f;
        mice_status rc;
        while ((rc = frame_decoder_next(&d, &f, NULL)) == MICE_OK) {
            size_t used = RPC_FRAME_HEADER_BYTES + f.body.n;
            buf_reset(&reenc);
            frame_append(&reenc, f.type, f.body);
            mice_assert(reenc.n == used);
            mice_assert(memcmp(reenc.p, stream.p + consumed, used) == 0);
            if (frames == 0) {
                mice_assert(first_rc == MICE_OK);
                mice_assert(first_used == used);
            }
            check_body(&f);
            consumed += used;
            frames++;
        }
        if (rc == MICE_CORRUPT) {
            failed = true;
            mice_assert(frame_decoder_next(&d, &f, NULL) == MICE_CORRUPT);
            if (frames == 0) mice_assert(first_rc == MICE_CORRUPT);
        } else {
            mice_assert(rc == MICE_AGAIN);
        }
    }
    if (!failed) mice_assert(frame_decoder_buffered(&d) == stream.n - consumed);
    if (frames == 0 && !failed) mice_assert(first_rc == MICE_AGAIN || stream.n == 0);
    buf_deinit(&reenc);
    frame_decoder_deinit(&d);
    return 0;
}
