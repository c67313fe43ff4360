/*
 * Protobuf glue. protobuf-c's unpack allocates with malloc (its default allocator) and
 * reports any decoding failure as NULL; that is the one place it turns into MICE_CORRUPT.
 */
#include "rpc/codec.h"

#include "base/check.h"
#include "base/varint.h"

enum {
    RAFT_BATCH_MSGS_FIELD = 1,      /* RaftBatch.msgs */
    PROTOBUF_WIRE_LENGTH_DELIM = 2, /* wire type of embedded messages */
    PROTOBUF_WIRE_TYPE_BITS = 3,
};

const char *rpc_msg_kind_name(rpc_msg_kind kind)
{
    switch (kind) {
#define X(k, frame, desc, text)                                                                    \
    case k:                                                                                        \
        return text;
        RPC_MSG_KIND_MAP(X)
#undef X
    default:
        return "?";
    }
}

bool rpc_msg_kind_valid(uint32_t kind)
{
    return kind < RPC_MSG_KIND_COUNT;
}

const ProtobufCMessageDescriptor *rpc_msg_descriptor(rpc_msg_kind kind)
{
    switch (kind) {
#define X(k, frame, desc, text)                                                                    \
    case k:                                                                                        \
        return &desc;
        RPC_MSG_KIND_MAP(X)
#undef X
    default:
        mice_unreachable();
    }
}

rpc_frame_type rpc_msg_frame_type(rpc_msg_kind kind)
{
    switch (kind) {
#define X(k, frame, desc, text)                                                                    \
    case k:                                                                                        \
        return frame;
        RPC_MSG_KIND_MAP(X)
#undef X
    default:
        mice_unreachable();
    }
}

bool rpc_frame_msg_kind(rpc_frame_type type, rpc_msg_kind *kind)
{
    if (type == RPC_FRAME_RAFT_BATCH) return false;
#define X(k, frame, desc, text)                                                                    \
    if (type == frame) {                                                                           \
        *kind = k;                                                                                 \
        return true;                                                                               \
    }
    RPC_MSG_KIND_MAP(X)
#undef X
    return false;
}

const ProtobufCMessageDescriptor *rpc_frame_descriptor(rpc_frame_type type)
{
    rpc_msg_kind kind;
    switch (type) {
    case RPC_FRAME_HELLO:
        return &rpcpb__hello__descriptor;
    case RPC_FRAME_RAFT_BATCH:
        return &rpcpb__raft_batch__descriptor;
    case RPC_FRAME_REQUEST:
        return &rpcpb__request__descriptor;
    case RPC_FRAME_RESPONSE:
        return &rpcpb__response__descriptor;
    default:
        mice_assert(rpc_frame_msg_kind(type, &kind));
        return rpc_msg_descriptor(kind);
    }
}

void rpc_pack(const ProtobufCMessage *msg, mice_buf *out)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    if (n == 0) return;
    uint8_t *at = buf_extend(out, n);
    size_t wrote = protobuf_c_message_pack(msg, at);
    mice_assert(wrote == n);
}

void rpc_pack_frame(const ProtobufCMessage *msg, rpc_frame_type type, mice_buf *out)
{
    buf_reserve(out, RPC_FRAME_HEADER_BYTES + protobuf_c_message_get_packed_size(msg));
    size_t at = frame_begin(out);
    rpc_pack(msg, out);
    frame_finish(out, at, type);
}

mice_status rpc_unpack(const ProtobufCMessageDescriptor *desc, mice_slice bytes,
                       ProtobufCMessage **out, mice_err *err)
{
    static const uint8_t empty[1];
    *out = protobuf_c_message_unpack(desc, NULL, bytes.n, bytes.n ? bytes.p : empty);
    if (!*out)
        return mice_err_setf(err, MICE_CORRUPT, "undecodable %s (%zu bytes)", desc->name, bytes.n);
    return MICE_OK;
}

void rpc_unpacked_free(ProtobufCMessage *msg)
{
    if (msg) protobuf_c_message_free_unpacked(msg, NULL);
}

static const uint64_t raft_batch_tag =
    (uint64_t)RAFT_BATCH_MSGS_FIELD << PROTOBUF_WIRE_TYPE_BITS | PROTOBUF_WIRE_LENGTH_DELIM;

void rpc_raft_batch_add(mice_buf *batch_body, mice_slice packed_raft_message)
{
    varint_put_u64(batch_body, raft_batch_tag);
    varint_put_u64(batch_body, packed_raft_message.n);
    buf_append_slice(batch_body, packed_raft_message);
}

size_t rpc_raft_batch_item_bytes(size_t n)
{
    return varint_len_u64(raft_batch_tag) + varint_len_u64(n) + n;
}
