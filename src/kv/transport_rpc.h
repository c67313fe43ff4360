/*
 * transport_rpc.h - the kv_transport over the node-to-node RPC transport (src/rpc): a
 * store's Raft messages leave as RaftMessages (raftwire) in the RaftBatch frame the rpc
 * transport writes per peer and io-loop turn, and inbound ones are decoded on the io thread
 * and pushed to the attached store's inbox (transport.h's recv).
 *
 * SNAPSHOTS. A MSG_SNAP carries the range's SST files in its data (store_snap.c). One
 * whose data is longer than KV_RPC_SNAP_CHUNK_BYTES is streamed: the data is taken out of
 * the message and sent as SnapshotChunks (raft.proto) of at most that size, each a unary
 * METHOD_SNAPSHOT call, the next one once the previous was acknowledged - flow control, so a
 * stream of any size never overflows the peer's queue (rpc peer_queue_bytes_max) and no
 * frame exceeds the frame limit. The first chunk carries the metadata, the last the total
 * length and CRC-32C. The receiver assembles one stream per (sending node, range) and
 * steps the MSG_SNAP it rebuilds; a gap, a new stream, a bad length or checksum, or a
 * stream above KV_RPC_SNAP_MAX_BYTES drops the assembly and answers the next chunk with
 * MICE_ABORTED, which stops the sender (Raft retries a lost snapshot). A failed or timed
 * out chunk stops the stream too. Chunks arriving as one-way messages are assembled as
 * well.
 *
 * HEARTBEATS are coalesced per node pair (raftwire tuples, heartbeat.proto): every
 * MSG_HEARTBEAT and MSG_HEARTBEAT_RESP handed to send joins its peer's pending set, and the
 * first one of a burst posts one flush to the io loop, which sends one NodeHeartbeat and one
 * NodeHeartbeatResponse per peer with everything queued by then (a raft-thread tick's
 * heartbeats of every range it leads). The receiver turns each tuple back into a raft_msg.
 *
 * Lifecycle: create registers the rpc transport's message handler
 * (rpc_set_message_handler) and the METHOD_SNAPSHOT handler (rpc_set_method_handler),
 * destroy removes them; streams still waiting for an answer keep the value alive until
 * their call completes (at the latest when the rpc transport is destroyed). The store
 * attaches and detaches through the kv_transport ops as with any transport. One store per
 * rpc transport (node id = the rpc transport's). Destroy after the store stopped sending
 * (store_stop), not on the loop's thread, either before the rpc transport (then it waits,
 * with ioloop_call, for a heartbeat flush or stream start posted earlier) or after it (a
 * destroy hook tells it the rpc transport is gone; it then touches nothing of it).
 *
 * Owns: the snapshot assemblies (io thread only), the pending heartbeats. Borrows the rpc
 * transport. Thread safety: send from any thread (the raft thread); recv and flushes run on
 * the io thread; one mutex guards the attached receiver and is held while delivering, so
 * detach waits for a delivery in progress; another (hb_mu) the pending heartbeats.
 */
#ifndef MICE_KV_TRANSPORT_RPC_H
#define MICE_KV_TRANSPORT_RPC_H

#include "base/status.h"
#include "kv/transport.h"
#include "rpc/transport.h"

enum {
    KV_RPC_SNAP_CHUNK_BYTES = 1 << 20,    /* snapshot data per SnapshotChunk */
    KV_RPC_SNAP_MAX_BYTES = 1 << 30,      /* a longer stream is refused */
    KV_RPC_SNAP_ASSEMBLIES_MAX = 64,      /* streams being assembled at once */
    KV_RPC_SNAP_CHUNK_TIMEOUT_MS = 10000, /* one chunk's call; then the stream stops */
};

typedef struct kv_transport_rpc_stats {
    uint64_t batches_sent;  /* kv_raft_batches handed to send */
    uint64_t msgs_sent;     /* RaftMessages queued on the rpc transport */
    uint64_t msgs_received; /* decoded and handed to the store */
    uint64_t msgs_rejected; /* undecodable or misaddressed */
    uint64_t snap_chunks_sent, snap_chunks_received;
    uint64_t snaps_streamed;  /* snapshots sent as chunks */
    uint64_t snaps_assembled; /* streams completed and handed to the store */
    uint64_t snaps_dropped;   /* streams abandoned (gap, checksum, size, replaced) */
    uint64_t hb_tuples;       /* heartbeats and responses coalesced */
    uint64_t hb_messages;     /* NodeHeartbeat(Response)s sent for them */
} kv_transport_rpc_stats;

/* A kv_transport over t; *impl_out is what kv_transport_rpc_destroy takes (also out->impl).
 * Replaces t's message handler. MICE_INVALID for a NULL transport. */
mice_status kv_transport_rpc_create(rpc_transport *t, kv_transport *out, void **impl_out,
                                    mice_err *err);
/* Unregister the handler (waits for a delivery in progress) and free. NULL is ignored. */
void kv_transport_rpc_destroy(void *impl);
kv_transport_rpc_stats kv_transport_rpc_get_stats(void *impl);

#endif
