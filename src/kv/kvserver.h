/*
 * kvserver.h - serving kv batches that other nodes' gateways forward to this node
 * (METHOD_KV_BATCH, "kv.batch"): the rpc transport's request handler.
 *
 * On the io thread the handler decodes the payload (kvwire) and hands the batch to a
 * worker of the pool; it never blocks. The worker serves it with store_send on this node's
 * replica and answers with the batch's outcome inside the payload (kvwire_encode_response):
 * MICE_NOT_LEADER carries "leader is node N" when known, MICE_NOTFOUND means this node
 * holds no replica of the key's range, MICE_CLOSED that the store is stopping. The call
 * itself fails only for what is not a kv answer: an undecodable payload (MICE_CORRUPT), an
 * unknown method (MICE_UNSUPPORTED), a full or stopped pool (MICE_UNAVAILABLE).
 *
 * Owns: the handler registration and the batches in flight. Borrows the rpc transport,
 * store and pool, which must outlive it (stop the server first).
 * Thread safety: start/stop from a controlling thread (not the io thread, not a worker).
 */
#ifndef MICE_KV_KVSERVER_H
#define MICE_KV_KVSERVER_H

#include <stdint.h>

#include "base/status.h"
#include "base/workpool.h"
#include "kv/store.h"
#include "rpc/transport.h"

typedef struct kv_rpc_server kv_rpc_server;

typedef struct kv_rpc_server_stats {
    uint64_t batches;   /* decoded and handed to a worker */
    uint64_t malformed; /* payloads that did not decode */
    uint64_t refused;   /* the pool refused the task */
} kv_rpc_server_stats;

/* Register the request handler on t (replacing any). */
mice_status kv_rpc_server_start(rpc_transport *t, store *s, workpool *pool, kv_rpc_server **out,
                                mice_err *err);
/* Unregister, wait for batches in flight to be answered, free. NULL is ignored. Stop the
 * store first (store_stop): batches waiting on it then fail at once with MICE_CLOSED
 * instead of running to their proposal timeout. */
void kv_rpc_server_stop(kv_rpc_server *srv);
kv_rpc_server_stats kv_rpc_server_get_stats(kv_rpc_server *srv);
/* The request handler itself (ctx: the server), for a node that dispatches several
 * services on one transport and hands METHOD_KV_BATCH calls here. Io thread. */
void kv_rpc_server_on_request(void *ctx, rpc_request *req);

#endif
