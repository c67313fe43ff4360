/*
 * gateway.h - a node's routing of kv batches in a cluster (DESIGN.md "Routing"): every
 * batch issued on this node reaches the leaseholder of each range it touches, on this node
 * (store_send) or another (rpc_call METHOD_KV_BATCH, served by kvserver.h).
 *
 * FINDING THE RANGE. The local store's descriptors first (a node usually holds a replica
 * of what it serves; its lease view also names the leader), else a cache of descriptors
 * read from the range directory in range 1 (rangedesc.h: /sys/range/<start>, one reverse
 * SCAN with limit 1 per miss), refreshed when a range answers that the key is no longer
 * its own (a split) or that it has no replica. Range 1 itself is found locally, in the
 * cache, or on the seed nodes (kv_gateway_add_seed).
 *
 * FINDING THE LEASEHOLDER. The leader hint (local lease view, or the last leader a range's
 * answer named), else the local replica, else the range's replicas in turn. MICE_NOT_LEADER
 * naming a leader ("leader is node N") goes there at once; without a name, MICE_CLOSED (a
 * stopping store), MICE_NOTFOUND (no replica there) and failed calls (MICE_UNAVAILABLE: dead
 * or unreachable peer; MICE_TIMEOUT) move on to the next replica, with a small back-off
 * (10 ms doubling to 200 ms) once every replica failed, until the deadline (default 10 s,
 * kv_gateway_set_deadline_ms). One call may take a third of the deadline (plus the lock
 * wait timeout for batches that write), so a replica that went silent without closing its
 * connection still leaves time for the others. So a leaseholder that dies costs an election
 * and a retry.
 *
 * UNKNOWN OUTCOMES. A call that timed out, or whose connection was lost while it was
 * outstanding, may have been applied. Such a batch is retried only when doing it twice is
 * harmless: reads, transactional writes (the same intent again), RESOLVE, GC_TXN, aborts,
 * one-shot PUT/DELETE (the same value at a later timestamp), CLEAR_RANGE. A batch holding a
 * committing END_TXN (1PC commit deletes the record, so a retry would report "aborted" for
 * a committed transaction) or a one-shot PUT with if_absent (would report a unique
 * violation) fails instead with MICE_TIMEOUT "outcome unknown", like a proposal whose
 * waiter gave up. Remote kv answers (conflicts, lock timeouts, ...) are returned as is.
 *
 * SPLITTING. A batch whose ops fall in several ranges is split: point ops are grouped per
 * range (one sub-batch per range, in the order of their first op), and a SCAN or
 * CLEAR_RANGE crossing a boundary is clamped to each range in turn, forward or reverse, its
 * rows appended in scan order; when its limit fills at a range boundary the result says
 * more with resume_key at the boundary, as a single range would. Answers are merged in op
 * order; the response's write_ts is the highest of the parts. Parts are not atomic with
 * each other (the transaction layer only sends multi-range batches of idempotent RESOLVEs
 * and statement undos).
 *
 * Owns: the descriptor cache, the kv_sender it hands out. Borrows the store (may be NULL:
 * a gateway without local replicas), the rpc transport (may be NULL: local only) and env.
 * Thread safety: kv_gateway_send and the sender from any thread but the io loop's (calls
 * block); one mutex guards the cache and seeds; create/destroy on a controlling thread.
 */
#ifndef MICE_KV_GATEWAY_H
#define MICE_KV_GATEWAY_H

#include <stdint.h>

#include "base/env.h"
#include "base/status.h"
#include "kv/request.h"
#include "kv/sender.h"
#include "kv/store.h"
#include "rpc/transport.h"

enum {
    KV_GATEWAY_DEADLINE_MS_DEFAULT = 10000,
    KV_GATEWAY_BACKOFF_MIN_MS = 10,
    KV_GATEWAY_BACKOFF_MAX_MS = 200,
    KV_GATEWAY_CALL_MIN_MS = 100, /* a call's timeout: a third of the deadline, at least this */
    KV_GATEWAY_CACHE_MAX = 4096,  /* cached descriptors */
    KV_GATEWAY_SEEDS_MAX = 64,
};

typedef struct kv_gateway kv_gateway;

typedef struct kv_gateway_stats {
    uint64_t batches;           /* kv_gateway_send calls */
    uint64_t local_sends;       /* parts served by store_send here */
    uint64_t remote_calls;      /* parts sent with rpc_call */
    uint64_t redirects;         /* MICE_NOT_LEADER naming the leader */
    uint64_t retries;           /* another replica tried after a failure */
    uint64_t splits;            /* batches split over ranges */
    uint64_t directory_lookups; /* reads of the range directory */
    uint64_t ambiguous;         /* batches failed with an unknown outcome */
} kv_gateway_stats;

mice_status kv_gateway_create(store *local, rpc_transport *t, const mice_env *env, kv_gateway **out,
                              mice_err *err);
/* No send may be in flight. NULL is ignored. */
void kv_gateway_destroy(kv_gateway *g);
/* The sender for txn_db_config.sender; owned by the gateway. */
kv_sender *kv_gateway_sender(kv_gateway *g);

/* How long a batch may look for leaseholders (0 = the default). Any thread. */
void kv_gateway_set_deadline_ms(kv_gateway *g, uint64_t ms);
/* Nodes to ask for range 1 (the directory) when this node has no replica of it. */
void kv_gateway_add_seed(kv_gateway *g, uint64_t node_id);

mice_status kv_gateway_send(kv_gateway *g, const kv_request *req, kv_response *resp, mice_err *err);
/* The range holding key (kv_sender_router.range_of). */
mice_status kv_gateway_range_of(kv_gateway *g, mice_slice key, uint64_t *range_id, mice_buf *start,
                                mice_buf *end, mice_err *err);

kv_gateway_stats kv_gateway_get_stats(kv_gateway *g);
/* The node is stopping: sends in progress end at their next attempt, later ones fail at
 * once, all with MICE_CLOSED or the last error. Any thread; NULL is ignored. */
void kv_gateway_close(kv_gateway *g);

#endif
