/*
 * sender.h - the gateway: routes request batches to the replicas that own their keys.
 *
 * Today a node has one replica covering the whole key space and kv_sender_send hands
 * every batch to it. The cluster work extends exactly this module (DESIGN.md "Routing"):
 * split a batch by range using the cached range directory, send each part to its range's
 * leaseholder (locally or over RPC), retry on "range moved" / "not leader", and merge the
 * answers in op order. A batch whose ops fall in several replicas is refused here for now
 * (MICE_UNSUPPORTED), which the transaction layer never produces (it sends one key per
 * write and commits in one batch on the single replica).
 *
 * Owns: the replica list (not the replicas). Thread safety: kv_sender_send from any
 * thread; replicas are added before the first send and never removed while sending.
 */
#ifndef MICE_KV_SENDER_H
#define MICE_KV_SENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "kv/replica.h"
#include "kv/request.h"

typedef struct kv_sender kv_sender;

kv_sender *kv_sender_create(void);
void kv_sender_destroy(kv_sender *s); /* NULL is ignored; does not destroy replicas */
/* Borrowed: the replica must outlive the sender. Spans must not overlap. */
void kv_sender_add_replica(kv_sender *s, kv_replica *r);
/* The replica owning key, or NULL. */
kv_replica *kv_sender_route(const kv_sender *s, mice_slice key);
/* Every replica (the single-node store has one). */
size_t kv_sender_replica_count(const kv_sender *s);
kv_replica *kv_sender_replica(const kv_sender *s, size_t i);

/* Send a batch; resp is reset and filled (caller deinits). Ops that name no key
 * (END_TXN, GC_TXN) go to the replica of the transaction's primary key. */
mice_status kv_sender_send(kv_sender *s, const kv_request *req, kv_response *resp, mice_err *err);

#endif
