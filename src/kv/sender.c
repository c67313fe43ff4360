/* Routing of request batches (see sender.h). */
#include "kv/sender.h"

#include <stdlib.h>

#include "base/check.h"

enum { KV_SENDER_REPLICAS_MAX = 64 };

struct kv_sender {
    kv_replica *replicas[KV_SENDER_REPLICAS_MAX];
    size_t n_replicas;
    bool routed;
    kv_sender_router router;
};

kv_sender *kv_sender_create(void)
{
    return mice_calloc(1, sizeof(kv_sender));
}

kv_sender *kv_sender_create_routed(const kv_sender_router *router)
{
    kv_sender *s = mice_calloc(1, sizeof(kv_sender));
    s->routed = true;
    s->router = *router;
    return s;
}

mice_status kv_sender_range_of(kv_sender *s, mice_slice key, uint64_t *range_id, mice_buf *start,
                               mice_buf *end, mice_err *err)
{
    buf_reset(start);
    buf_reset(end);
    if (s->routed) return s->router.range_of(s->router.ctx, key, range_id, start, end, err);
    for (size_t i = 0; i < s->n_replicas; i++) {
        if (!kv_replica_contains(s->replicas[i], key)) continue;
        *range_id = i + 1;
        buf_append_slice(start, kv_replica_start(s->replicas[i]));
        buf_append_slice(end, kv_replica_end(s->replicas[i]));
        return MICE_OK;
    }
    return mice_err_setf(err, MICE_NOTFOUND, "no replica owns the key");
}

void kv_sender_destroy(kv_sender *s)
{
    free(s);
}

void kv_sender_add_replica(kv_sender *s, kv_replica *r)
{
    mice_assert(s->n_replicas < KV_SENDER_REPLICAS_MAX);
    s->replicas[s->n_replicas++] = r;
}

kv_replica *kv_sender_route(const kv_sender *s, mice_slice key)
{
    for (size_t i = 0; i < s->n_replicas; i++)
        if (kv_replica_contains(s->replicas[i], key)) return s->replicas[i];
    return NULL;
}

size_t kv_sender_replica_count(const kv_sender *s)
{
    return s->n_replicas;
}

kv_replica *kv_sender_replica(const kv_sender *s, size_t i)
{
    mice_assert(i < s->n_replicas);
    return s->replicas[i];
}

static mice_slice op_route_key(const kv_request *req, const kv_op *op)
{
    if (op->kind == KV_OP_END_TXN || op->kind == KV_OP_GC_TXN)
        return req->txn ? req->txn->primary : (mice_slice){0};
    return op->key;
}

mice_status kv_sender_send(kv_sender *s, const kv_request *req, kv_response *resp, mice_err *err)
{
    if (s->routed) return s->router.send(s->router.ctx, req, resp, err);
    kv_replica *target = NULL;
    for (size_t i = 0; i < req->n_ops; i++) {
        kv_replica *r = kv_sender_route(s, op_route_key(req, &req->ops[i]));
        if (!r) return mice_err_setf(err, MICE_NOTFOUND, "no replica owns the key");
        if (target && r != target)
            return mice_err_setf(err, MICE_UNSUPPORTED, "batch spans several replicas");
        target = r;
    }
    if (!target) {
        kv_response_reset(resp, 0);
        return MICE_OK;
    }
    return kv_replica_send(target, req, resp, err);
}
