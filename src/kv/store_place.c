/* The placement driver's round on a store (see store.h, store_placement_step): the range
 * directory in, one decision of placement.h, the change carried out, the directory entry
 * written. Runs on the caller's (worker) thread; everything it touches goes through the
 * store's public calls. */
#include "kv/store_int.h"

#include <inttypes.h>
#include <stdlib.h>

#include "base/check.h"
#include "base/log.h"

/* Every descriptor in the range directory, read through this node's leaseholder replica
 * of range 1. */
static mice_status read_directory(store *s, range_desc **out, size_t *n_out, mice_err *err)
{
    *out = NULL;
    *n_out = 0;
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    rangedesc_dir_span(&lo, &hi);
    kv_op op = {.kind = KV_OP_SCAN, .key = buf_slice(&lo), .end = buf_slice(&hi)};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = store_send(s, &req, &resp, err);
    range_desc *descs = NULL;
    size_t n = 0;
    if (!rc) {
        const kv_result *res = &resp.results[0];
        descs = mice_calloc(res->n_rows ? res->n_rows : 1, sizeof *descs);
        for (size_t i = 0; i < res->n_rows && !rc; i++) {
            rangedesc_init(&descs[n]);
            mice_slice in = buf_slice(&res->rows[i].value);
            if (rangedesc_decode(&in, &descs[n]) || in.n)
                rc = mice_err_setf(err, MICE_CORRUPT, "store: malformed directory entry");
            n++;
        }
    }
    kv_response_deinit(&resp);
    buf_deinit(&lo);
    buf_deinit(&hi);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            rangedesc_deinit(&descs[i]);
        free(descs);
        return rc;
    }
    *out = descs;
    *n_out = n;
    return MICE_OK;
}

static mice_status change_here(void *ctx, const placement_change *c, range_desc *out,
                               mice_err *err)
{
    store_replica_op op = c->op == PLACEMENT_ADD ? STORE_REPLICA_ADD : STORE_REPLICA_REMOVE;
    return store_change_replicas(ctx, c->range_id, op, c->node_id, out, err);
}

mice_status store_placement_step(store *s, const placement_node *nodes, size_t n_nodes,
                                 const placement_config *cfg, store_change_fn change,
                                 void *change_ctx, placement_change *done, mice_err *err)
{
    *done = (placement_change){0};
    range_desc *descs = NULL;
    size_t n = 0;
    mice_status rc = read_directory(s, &descs, &n, err);
    if (rc) return rc;
    *done = placement_next(cfg, nodes, n_nodes, descs, n);
    for (size_t i = 0; i < n; i++)
        rangedesc_deinit(&descs[i]);
    free(descs);
    if (done->op == PLACEMENT_NONE) return MICE_OK;
    mice_buf what;
    buf_init(&what);
    placement_describe(done, &what);
    log_info("store: n%" PRIu64 ": placement: %.*s", s->cfg.node_id, (int)what.n,
             (const char *)what.p);
    range_desc after;
    rangedesc_init(&after);
    rc = change ? change(change_ctx, done, &after, err) : change_here(s, done, &after, err);
    if (!rc) rc = store_update_directory(s, &after, err);
    if (rc)
        log_info("store: n%" PRIu64 ": placement: %.*s not done: %s", s->cfg.node_id,
                 (int)what.n, (const char *)what.p, mice_err_msg(err));
    rangedesc_deinit(&after);
    buf_deinit(&what);
    return rc;
}
