/*
 * codec.h - typed protobuf messages <-> frame bodies, for the transport and its users.
 *
 * The messages nodes exchange are defined in the .proto files of src/rpc/proto/, compiled
 * by protoc-c at build time into the build tree (included as "rpc/proto/<name>.pb-c.h";
 * never committed).
 * Their C names carry the proto package `rpcpb`: Rpcpb__RaftMessage, rpcpb__raft_message__
 * pack(), RPCPB__RAFT_MESSAGE__INIT.
 *
 * What goes where. The rpc layer sits beside src/raft (DESIGN.md layers: base < storage,
 * raft, rpc < kv), so it may not include raft.h and knows nothing of raft_msg: it carries
 * typed protobuf messages and opaque bytes. The raft_msg <-> Rpcpb__RaftMessage conversion
 * lives one layer up, in src/kv/raftwire.h, which may include both.
 *
 * One-way message kinds (rpc_msg_kind) are what rpc_send() carries; each has one protobuf
 * type and one frame type. Raft messages are special only in batching: every RaftMessage
 * for one destination in one io-loop turn goes into a single RaftBatch frame, built by
 * concatenating already-packed messages (rpc_raft_batch_add: protobuf's encoding of a
 * repeated message field is exactly that concatenation, so nothing is packed twice).
 *
 * Untrusted input: rpc_unpack returns MICE_CORRUPT for bytes protobuf-c cannot decode;
 * it does not check field values (that is the consumer's job, e.g. raftwire's enum ranges).
 *
 * Owns: an unpacked message owns its sub-messages and bytes until rpc_unpacked_free.
 * Thread safety: pure functions; any thread.
 */
#ifndef MICE_RPC_CODEC_H
#define MICE_RPC_CODEC_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "rpc/frame.h"
#include "rpc/proto/heartbeat.pb-c.h"
#include "rpc/proto/raft.pb-c.h"
#include "rpc/proto/rpc.pb-c.h"

/* X(kind, frame type, protobuf descriptor of one message, text) */
#define RPC_MSG_KIND_MAP(X)                                                                        \
    X(RPC_MSG_RAFT, RPC_FRAME_RAFT_BATCH, rpcpb__raft_message__descriptor, "raft")                 \
    X(RPC_MSG_HEARTBEAT, RPC_FRAME_HEARTBEAT, rpcpb__node_heartbeat__descriptor, "heartbeat")      \
    X(RPC_MSG_HEARTBEAT_RESP, RPC_FRAME_HEARTBEAT_RESP,                                            \
      rpcpb__node_heartbeat_response__descriptor, "heartbeat_resp")                                \
    X(RPC_MSG_SNAPSHOT_CHUNK, RPC_FRAME_SNAPSHOT_CHUNK, rpcpb__snapshot_chunk__descriptor,         \
      "snapshot_chunk")

typedef enum rpc_msg_kind {
#define X(kind, frame, desc, text) kind,
    RPC_MSG_KIND_MAP(X)
#undef X
        RPC_MSG_KIND_COUNT
} rpc_msg_kind;

const char *rpc_msg_kind_name(rpc_msg_kind kind); /* "raft", ...; "?" if out of range */
bool rpc_msg_kind_valid(uint32_t kind);
/* The protobuf type of one message of this kind (Rpcpb__RaftMessage for RPC_MSG_RAFT). */
const ProtobufCMessageDescriptor *rpc_msg_descriptor(rpc_msg_kind kind);
/* The frame that carries it (RPC_FRAME_RAFT_BATCH for RPC_MSG_RAFT). */
rpc_frame_type rpc_msg_frame_type(rpc_msg_kind kind);
/* The kind a non-batch frame type carries; false for HELLO, RAFT_BATCH, REQUEST, RESPONSE. */
bool rpc_frame_msg_kind(rpc_frame_type type, rpc_msg_kind *kind);

/* The protobuf type of a frame's body (Rpcpb__RaftBatch for RPC_FRAME_RAFT_BATCH). */
const ProtobufCMessageDescriptor *rpc_frame_descriptor(rpc_frame_type type);

/* Append msg's encoding to out. */
void rpc_pack(const ProtobufCMessage *msg, mice_buf *out);
/* Append one frame of the given type whose body is msg's encoding. */
void rpc_pack_frame(const ProtobufCMessage *msg, rpc_frame_type type, mice_buf *out);

/* Decode bytes as a desc message. MICE_CORRUPT (with the type's name) if they do not
 * decode. *out is freed with rpc_unpacked_free. */
mice_status rpc_unpack(const ProtobufCMessageDescriptor *desc, mice_slice bytes,
                       ProtobufCMessage **out, mice_err *err);
void rpc_unpacked_free(ProtobufCMessage *msg); /* NULL is fine */

/* Append one packed Rpcpb__RaftMessage to a RaftBatch body under construction. The body
 * starts empty; the result decodes as a RaftBatch with the messages in the order added. */
void rpc_raft_batch_add(mice_buf *batch_body, mice_slice packed_raft_message);
/* Bytes rpc_raft_batch_add appends for a packed message of n bytes. */
size_t rpc_raft_batch_item_bytes(size_t n);

#endif
