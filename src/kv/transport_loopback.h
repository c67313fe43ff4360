/*
 * transport_loopback.h - an in-process kv_transport for several stores in one process,
 * with the faults tests need: message loss, delay and partitions.
 *
 * Without delay a batch is delivered on the sending thread (the sender's raft thread),
 * straight into the receiver's inbox. With a delay (uniform in [min, max]) batches wait
 * on a delivery thread, ordered by due time, so delayed batches also reorder. Loss is
 * per batch, with a seeded PRNG. Partitions cut the link between two nodes both ways
 * (kv_loopback_partition) or every link of one node (kv_loopback_isolate); a cut batch is
 * dropped and counted. Batches addressed to a node that is not attached are dropped too
 * (a store that is down).
 *
 * Owns: its delivery thread and every batch in flight. Thread safety: every function may
 * be called from any thread; one mutex (mu) protects the node table, the fault settings,
 * the PRNG and the counters, and is held while a batch is handed to a receiver, so detach
 * waits for a delivery in progress.
 */
#ifndef MICE_KV_TRANSPORT_LOOPBACK_H
#define MICE_KV_TRANSPORT_LOOPBACK_H

#include <stdbool.h>
#include <stdint.h>

#include "kv/transport.h"

enum { KV_LOOPBACK_NODES_MAX = 64, KV_LOOPBACK_PPM = 1000000 };

typedef struct kv_loopback kv_loopback;

typedef struct kv_loopback_stats {
    uint64_t sent;      /* batches given to send */
    uint64_t delivered; /* batches handed to a receiver */
    uint64_t dropped;   /* lost, cut by a partition, or no receiver */
} kv_loopback_stats;

kv_loopback *kv_loopback_create(uint64_t seed);
/* Every node must be detached. Batches still in flight are freed. NULL is ignored. */
void kv_loopback_destroy(kv_loopback *lb);
kv_transport kv_loopback_transport(kv_loopback *lb);

/* Lose each batch with probability drop_ppm / 1e6. */
void kv_loopback_set_drop(kv_loopback *lb, uint32_t drop_ppm);
/* Delay each batch by a uniform [min_us, max_us]; 0, 0 = deliver at once. */
void kv_loopback_set_delay(kv_loopback *lb, uint64_t min_us, uint64_t max_us);
/* Cut (or restore) the link between a and b, both ways. */
void kv_loopback_partition(kv_loopback *lb, uint64_t a, uint64_t b, bool cut);
/* Cut (or restore) every link of node. */
void kv_loopback_isolate(kv_loopback *lb, uint64_t node, bool cut);
/* Cut (or restore) one range's messages to and from node (the other ranges still flow). */
void kv_loopback_block_range(kv_loopback *lb, uint64_t node, uint64_t range_id, bool cut);
/* Drop (or stop dropping) every Raft message of one type, e.g. RAFT_MSG_APP while
 * heartbeats still flow (a leader that keeps its lease but cannot replicate). */
void kv_loopback_drop_msg_type(kv_loopback *lb, raft_msg_type type, bool drop);
/* Restore every link and range, no loss, no delay, no dropped types. */
void kv_loopback_heal(kv_loopback *lb);
kv_loopback_stats kv_loopback_get_stats(kv_loopback *lb);

#endif
