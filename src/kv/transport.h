/*
 * transport.h - the seam between a store's raft thread and the network: Raft messages
 * from one node to another, grouped by range.
 *
 * A store sends every message of one Ready for one range and one destination node as a
 * kv_raft_batch; the transport delivers it (or drops it: Raft tolerates loss, delay,
 * reordering and duplication) to the receiving node's recv callback, which pushes it onto
 * the receiving store's MPSC inbox, so delivery never blocks on the receiver's raft thread.
 * Implementations: transport_loopback (stores in one process, with fault controls for
 * tests) and, later, src/rpc's TCP transport. The interface is deliberately small so an
 * RPC transport plugs in by filling kv_transport_ops.
 *
 * Ownership: send takes the batch (also when it drops it); recv hands the batch to the
 * callback, which then owns it. kv_raft_batch_free frees a batch and its messages.
 * Thread safety: send may be called from any thread and must not block on the receiver;
 * recv is called on a transport thread (or the sender's thread, for the loopback) and must
 * not call back into the transport. After detach returns, recv is never called again for
 * that node.
 */
#ifndef MICE_KV_TRANSPORT_H
#define MICE_KV_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/mpsc.h"
#include "base/status.h"
#include "raft/raft.h"

/* Messages of one range from one node to another. The mpsc_node lets a receiver queue
 * the batch without another allocation. */
typedef struct kv_raft_batch {
    mpsc_node node;
    uint64_t range_id;
    uint64_t from_node;
    uint64_t to_node;
    raft_msg *msgs; /* owned */
    size_t n_msgs;
} kv_raft_batch;

/* An empty batch (malloc'd) to fill with kv_raft_batch_add. */
kv_raft_batch *kv_raft_batch_create(uint64_t range_id, uint64_t from_node, uint64_t to_node);
/* Take m (raft_msg_move: m is left empty). */
void kv_raft_batch_add(kv_raft_batch *b, raft_msg *m);
void kv_raft_batch_free(kv_raft_batch *b); /* NULL is ignored */

typedef void (*kv_transport_recv_fn)(void *recv_ctx, kv_raft_batch *b);

typedef struct kv_transport_ops {
    /* Deliver batches addressed to node_id to recv. MICE_EXISTS if already attached. */
    mice_status (*attach)(void *impl, uint64_t node_id, kv_transport_recv_fn recv, void *recv_ctx);
    /* Stop delivering to node_id; waits for a delivery in progress. */
    void (*detach)(void *impl, uint64_t node_id);
    /* Queue b for b->to_node; takes b. Never blocks on the receiver. */
    void (*send)(void *impl, kv_raft_batch *b);
} kv_transport_ops;

typedef struct kv_transport {
    const kv_transport_ops *ops;
    void *impl;
} kv_transport;

#endif
