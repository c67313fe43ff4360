/*
 * raftwire.h - Raft messages on the wire: raft_msg <-> rpcpb.RaftMessage, and one group's
 * heartbeat <-> one tuple of a coalesced NodeHeartbeat (src/rpc/proto/).
 *
 * Why here and not in src/rpc: the layers (DESIGN.md) put rpc beside raft, so rpc may not
 * include raft.h; kv sits above both and is the layer that routes a range's messages to
 * nodes anyway. The transport carries typed protobuf messages; this module is the one
 * place that knows how a raft_msg maps onto them.
 *
 * Encoding borrows: a raftwire_view points into the raft_msg (entry data, snapshot data,
 * context) plus a few arrays it allocates, so packing copies the bytes once, straight into
 * the transport's queue (raftwire_send). Decoding copies: the raft_msg it fills owns
 * everything, as raft_step's callers expect, and the protobuf message may be freed at once.
 *
 * Untrusted input: decoding refuses (MICE_CORRUPT, with a message) what a raft_msg cannot
 * hold or a peer must never send: an unknown message or entry type, a local-only type
 * (HUP, BEAT, SNAP_STATUS, UNREACHABLE), more than RAFT_NODES_MAX ids in a configuration,
 * a context longer than RAFT_CONTEXT_MAX, node or range id 0, or a snapshot on a message
 * that is not MSG_SNAP. Raft itself then judges terms and indexes (raft_step).
 *
 * Owns: a view owns only its arrays (raftwire_view_deinit). Thread safety: pure functions,
 * any thread (the raft thread encodes; the io thread's handler decodes).
 */
#ifndef MICE_KV_RAFTWIRE_H
#define MICE_KV_RAFTWIRE_H

#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "raft/raft.h"
#include "rpc/codec.h"
#include "rpc/transport.h"

/* Where a message goes: the range's group, and the nodes hosting the two replicas (the
 * raft_msg's from/to are replica ids inside the group). */
typedef struct raftwire_route {
    uint64_t range_id;
    uint64_t from_node;
    uint64_t to_node;
} raftwire_route;

/* The protobuf form of one raft_msg, borrowing its bytes. */
typedef struct raftwire_view {
    Rpcpb__RaftMessage msg;
    Rpcpb__Entry *entries;
    Rpcpb__Entry **entry_ptrs;
    Rpcpb__Snapshot snapshot;
    Rpcpb__SnapshotMeta meta;
    Rpcpb__ConfState conf;
} raftwire_view;

/* Build v for m. Borrowed: valid while m is unchanged; then raftwire_view_deinit. */
void raftwire_view_init(raftwire_view *v, const raftwire_route *route, const raft_msg *m);
void raftwire_view_deinit(raftwire_view *v);

/* Append m's encoding (a packed rpcpb.RaftMessage) to out. */
void raftwire_encode(const raftwire_route *route, const raft_msg *m, mice_buf *out);
/* Queue m for route->to_node on the transport (rpc_send's statuses). */
mice_status raftwire_send(rpc_transport *t, const raftwire_route *route, const raft_msg *m);

/* Fill route and out (initialised here; raft_msg_deinit frees it) from pb. On error out is
 * left empty. */
mice_status raftwire_decode(const Rpcpb__RaftMessage *pb, raftwire_route *route, raft_msg *out,
                            mice_err *err);
/* The same from packed bytes. */
mice_status raftwire_decode_bytes(mice_slice bytes, raftwire_route *route, raft_msg *out,
                                  mice_err *err);

/* Coalesced heartbeats. A MSG_HEARTBEAT of range_id becomes one RangeHeartbeat tuple of the
 * NodeHeartbeat for its destination node, and back; MSG_HEARTBEAT_RESP likewise with
 * RangeHeartbeatResponse. to_msg fills a raft_msg of the right type (no allocation);
 * MICE_CORRUPT for a tuple with range or replica id 0. */
void raftwire_heartbeat_from_msg(uint64_t range_id, const raft_msg *m, Rpcpb__RangeHeartbeat *out);
mice_status raftwire_heartbeat_to_msg(const Rpcpb__RangeHeartbeat *hb, raft_msg *out,
                                      mice_err *err);
void raftwire_heartbeat_resp_from_msg(uint64_t range_id, const raft_msg *m,
                                      Rpcpb__RangeHeartbeatResponse *out);
mice_status raftwire_heartbeat_resp_to_msg(const Rpcpb__RangeHeartbeatResponse *hb, raft_msg *out,
                                           mice_err *err);

#endif
