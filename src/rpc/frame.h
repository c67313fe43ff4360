/*
 * frame.h - the framing of node-to-node connections: length, type and checksums.
 *
 * A connection carries a stream of frames. Each is a 16-byte header and a body:
 *
 *   offset  size  field
 *    0      u32   body length in bytes (big endian), at most the reader's limit
 *    4      u8    type (rpc_frame_type below; anything else is refused)
 *    5      u8    version (RPC_FRAME_VERSION)
 *    6      u16   reserved, zero
 *    8      u32   CRC-32C of the body (big endian)
 *   12      u32   CRC-32C of header bytes 0..11 (big endian)
 *
 * The header has its own checksum so that a corrupted length is caught as soon as the
 * header is in, instead of waiting for (and buffering) bytes that will never come. The
 * body is a protobuf message whose type the frame type names (src/rpc/proto/, codec.h);
 * this module does not look inside it.
 *
 * Nothing read from the network is trusted: a bad checksum, version, reserved field,
 * type, or a length over the limit is MICE_CORRUPT with a message, never an assertion.
 * A decoder that met a corrupt frame stays failed: the stream has lost its framing and
 * the connection must be closed.
 *
 * Owns: a frame_decoder owns its buffer. Thread safety: pure functions; a decoder belongs
 * to one thread (the io thread, one per connection).
 * Invariants: frame_parse consumes nothing unless it returns MICE_OK; every frame that
 * frame_append writes parses back to the same type and body.
 */
#ifndef MICE_RPC_FRAME_H
#define MICE_RPC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum {
    RPC_FRAME_HEADER_BYTES = 16,
    RPC_FRAME_VERSION = 1,
    RPC_FRAME_BYTES_MAX_DEFAULT = 16 * 1024 * 1024, /* body limit unless configured */
    RPC_FRAME_BYTES_MAX_LIMIT = 1024 * 1024 * 1024, /* no configuration may go above */
};

/* X(name, value, text). Values are on the wire: never renumber. */
#define RPC_FRAME_TYPE_MAP(X)                                                                      \
    X(RPC_FRAME_HELLO, 1, "hello")                   /* rpcpb.Hello, first on a connection */      \
    X(RPC_FRAME_RAFT_BATCH, 2, "raft_batch")         /* rpcpb.RaftBatch */                         \
    X(RPC_FRAME_HEARTBEAT, 3, "heartbeat")           /* rpcpb.NodeHeartbeat */                     \
    X(RPC_FRAME_HEARTBEAT_RESP, 4, "heartbeat_resp") /* rpcpb.NodeHeartbeatResponse */             \
    X(RPC_FRAME_SNAPSHOT_CHUNK, 5, "snapshot_chunk") /* rpcpb.SnapshotChunk */                     \
    X(RPC_FRAME_REQUEST, 6, "request")               /* rpcpb.Request */                           \
    X(RPC_FRAME_RESPONSE, 7, "response")             /* rpcpb.Response */

typedef enum rpc_frame_type {
#define X(name, value, text) name = value,
    RPC_FRAME_TYPE_MAP(X)
#undef X
} rpc_frame_type;

/* "hello", ...; "?" for a value that is not a frame type. */
const char *frame_type_name(uint32_t type);
bool frame_type_valid(uint32_t type);

typedef struct rpc_frame {
    rpc_frame_type type;
    mice_slice body; /* borrowed from the parsed bytes (see frame_parse / the decoder) */
} rpc_frame;

/* Append one whole frame to out. body.n must fit in a u32 (asserted). */
void frame_append(mice_buf *out, rpc_frame_type type, mice_slice body);

/* Build a frame in place: frame_begin reserves the header and returns its offset, the
 * caller appends the body to out, frame_finish writes the header (length, checksums). */
size_t frame_begin(mice_buf *out);
void frame_finish(mice_buf *out, size_t header_at, rpc_frame_type type);

/* Parse one frame from the front of in. MICE_OK: *frame is set (its body points into in)
 * and *used is the frame's total size. MICE_AGAIN: in holds only part of a frame (read
 * more; nothing consumed). MICE_CORRUPT (message in err): the bytes are not a frame, or
 * the body is longer than body_bytes_max. */
mice_status frame_parse(mice_slice in, size_t body_bytes_max, rpc_frame *frame, size_t *used,
                        mice_err *err);

/* An incremental decoder for one connection's byte stream. */
typedef struct frame_decoder {
    mice_buf buf;          /* bytes received and not yet handed out */
    size_t start;          /* bytes of buf already consumed */
    size_t body_bytes_max; /* longer frames are corrupt */
    bool failed;           /* a corrupt frame was seen: every later call fails */
} frame_decoder;

void frame_decoder_init(frame_decoder *d, size_t body_bytes_max);
void frame_decoder_deinit(frame_decoder *d);
/* Add received bytes (copied). Invalidates frames handed out before. */
void frame_decoder_feed(frame_decoder *d, mice_slice bytes);
/* The next complete frame: MICE_OK with *frame (borrowed: valid until the next call on d),
 * MICE_AGAIN when more bytes are needed, MICE_CORRUPT (sticky) when the stream is broken. */
mice_status frame_decoder_next(frame_decoder *d, rpc_frame *frame, mice_err *err);
/* Bytes held: a partial frame waiting for the rest. */
size_t frame_decoder_buffered(const frame_decoder *d);

#endif
