/*
 * sender.h - what the transaction layer sends batches through: routes request batches to
 * the replicas that own their keys.
 *
 * Two kinds. A REPLICA LIST (kv_sender_create + kv_sender_add_replica): the single node's
 * one replica over the whole key space, or a store's replicas in one process (tests);
 * kv_sender_send hands every batch to the replica owning its keys and refuses a batch whose
 * ops fall in several replicas (MICE_UNSUPPORTED). A ROUTED sender
 * (kv_sender_create_routed) delegates sending and range lookups to a router: the cluster
 * gateway (kv/gateway.h) splits batches by range and sends each part to its leaseholder,
 * locally or over RPC.
 *
 * kv_sender_range_of tells the transaction layer which range holds a key, so it commits
 * with 1PC when every intent is in one range and with 2PC otherwise.
 *
 * Owns: the replica list (not the replicas) or the router value (not its context).
 * Thread safety: kv_sender_send / kv_sender_range_of from any thread; replicas are added
 * before the first send and never removed while sending.
 */
#ifndef MICE_KV_SENDER_H
#define MICE_KV_SENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "kv/replica.h"
#include "kv/request.h"

typedef struct kv_sender kv_sender;

kv_sender *kv_sender_create(void);

typedef struct kv_sender_router {
    /* Send a batch (any thread); resp is reset and filled as kv_sender_send. */
    mice_status (*send)(void *ctx, const kv_request *req, kv_response *resp, mice_err *err);
    /* The range holding key: a non-zero id and its span [start, end) (appended to the
     * reset bufs; empty end = the end of the key space). */
    mice_status (*range_of)(void *ctx, mice_slice key, uint64_t *range_id, mice_buf *start,
                            mice_buf *end, mice_err *err);
    void *ctx;
} kv_sender_router;

/* A sender that delegates to router (copied; ctx borrowed, must outlive the sender). */
kv_sender *kv_sender_create_routed(const kv_sender_router *router);
void kv_sender_destroy(kv_sender *s); /* NULL is ignored; does not destroy replicas */
/* Borrowed: the replica must outlive the sender. Spans must not overlap. */
void kv_sender_add_replica(kv_sender *s, kv_replica *r);
/* The replica owning key, or NULL. */
kv_replica *kv_sender_route(const kv_sender *s, mice_slice key);
/* Every replica (the single-node store has one). */
size_t kv_sender_replica_count(const kv_sender *s);
kv_replica *kv_sender_replica(const kv_sender *s, size_t i);

/* The range holding key: id (a replica list: the replica's position + 1) and span.
 * MICE_NOTFOUND when no replica owns the key. */
mice_status kv_sender_range_of(kv_sender *s, mice_slice key, uint64_t *range_id, mice_buf *start,
                               mice_buf *end, mice_err *err);

/* Send a batch; resp is reset and filled (caller deinits). Ops that name no key
 * (END_TXN, GC_TXN) go to the replica of the transaction's primary key. */
mice_status kv_sender_send(kv_sender *s, const kv_request *req, kv_response *resp, mice_err *err);

#endif
