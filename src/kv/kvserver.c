/* Serving forwarded kv batches (see kvserver.h). */
#include "kv/kvserver.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "base/check.h"
#include "base/env.h"
#include "kv/kvwire.h"
#include "rpc/proto/rpc.pb-c.h"

struct kv_rpc_server {
    rpc_transport *t;
    store *s;
    workpool *pool;
    atomic_int inflight;
    _Atomic uint64_t batches, malformed, refused;
};

typedef struct kv_task {
    kv_rpc_server *srv;
    rpc_request *req;
    kvwire_request batch;
} kv_task;

static void task_free(kv_task *task)
{
    kvwire_request_deinit(&task->batch);
    atomic_fetch_sub(&task->srv->inflight, 1);
    free(task);
}

static void serve(void *ctx, mice_status status)
{
    kv_task *task = ctx;
    if (status != MICE_OK) { /* cancelled by the pool's shutdown */
        mice_err e;
        mice_err_setf(&e, MICE_UNAVAILABLE, "kv server: shutting down");
        rpc_respond(task->req, MICE_UNAVAILABLE, &e, mice_slice_of(NULL, 0));
        task_free(task);
        return;
    }
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    mice_status rc = store_send(task->srv->s, &task->batch.req, &resp, &err);
    mice_buf out;
    buf_init(&out);
    kvwire_encode_response(rc, &err, &resp, &out);
    rpc_respond(task->req, MICE_OK, NULL, buf_slice(&out));
    buf_deinit(&out);
    kv_response_deinit(&resp);
    task_free(task);
}

void kv_rpc_server_on_request(void *ctx, rpc_request *req)
{
    kv_rpc_server *srv = ctx;
    mice_err err;
    if (rpc_request_method(req) != RPCPB__METHOD__METHOD_KV_BATCH) {
        mice_err_setf(&err, MICE_UNSUPPORTED, "kv server: no method %u", rpc_request_method(req));
        rpc_respond(req, MICE_UNSUPPORTED, &err, mice_slice_of(NULL, 0));
        return;
    }
    kv_task *task = mice_calloc(1, sizeof *task);
    task->srv = srv;
    task->req = req;
    mice_status rc = kvwire_decode_request(rpc_request_payload(req), &task->batch, &err);
    if (rc) {
        atomic_fetch_add(&srv->malformed, 1);
        rpc_respond(req, rc, &err, mice_slice_of(NULL, 0));
        free(task);
        return;
    }
    atomic_fetch_add(&srv->inflight, 1);
    rc = workpool_submit(srv->pool, serve, task);
    if (rc) {
        atomic_fetch_add(&srv->refused, 1);
        mice_err_setf(&err, MICE_UNAVAILABLE, "kv server: workers busy (%s)", mice_status_str(rc));
        rpc_respond(req, MICE_UNAVAILABLE, &err, mice_slice_of(NULL, 0));
        task_free(task);
        return;
    }
    atomic_fetch_add(&srv->batches, 1);
}

mice_status kv_rpc_server_start(rpc_transport *t, store *s, workpool *pool, kv_rpc_server **out,
                                mice_err *err)
{
    *out = NULL;
    if (!t || !s || !pool)
        return mice_err_setf(err, MICE_INVALID, "kv server: transport, store and pool needed");
    kv_rpc_server *srv = mice_calloc(1, sizeof *srv);
    srv->t = t;
    srv->s = s;
    srv->pool = pool;
    atomic_init(&srv->inflight, 0);
    rpc_set_request_handler(t, kv_rpc_server_on_request, srv);
    *out = srv;
    return MICE_OK;
}

void kv_rpc_server_stop(kv_rpc_server *srv)
{
    if (!srv) return;
    rpc_set_request_handler(srv->t, NULL, NULL);
    while (atomic_load(&srv->inflight) > 0)
        env_sleep_ns(mice_env_real(), MICE_NS_PER_MS);
    free(srv);
}

kv_rpc_server_stats kv_rpc_server_get_stats(kv_rpc_server *srv)
{
    return (kv_rpc_server_stats){.batches = atomic_load(&srv->batches),
                                 .malformed = atomic_load(&srv->malformed),
                                 .refused = atomic_load(&srv->refused)};
}
