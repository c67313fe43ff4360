/* Response bookkeeping for kv requests (see request.h). */
#include "kv/request.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"

void kv_response_init(kv_response *r)
{
    memset(r, 0, sizeof *r);
}

static void result_deinit(kv_result *res)
{
    buf_deinit(&res->value);
    for (size_t i = 0; i < res->n_rows; i++) {
        buf_deinit(&res->rows[i].key);
        buf_deinit(&res->rows[i].value);
    }
    free(res->rows);
    buf_deinit(&res->resume_key);
}

void kv_response_reset(kv_response *r, size_t n_ops)
{
    kv_response_deinit(r);
    r->results = mice_calloc(n_ops ? n_ops : 1, sizeof *r->results);
    r->n_results = n_ops;
    r->failed_op = n_ops;
}

void kv_response_deinit(kv_response *r)
{
    for (size_t i = 0; i < r->n_results; i++)
        result_deinit(&r->results[i]);
    free(r->results);
    memset(r, 0, sizeof *r);
}

void kv_result_add_row(kv_result *res, mice_slice key, mice_slice value, uint64_t expiry_wall_ns)
{
    if (res->n_rows == res->cap_rows) {
        res->cap_rows = res->cap_rows ? 2 * res->cap_rows : 16;
        res->rows = mice_realloc(res->rows, res->cap_rows * sizeof *res->rows);
    }
    kv_row *row = &res->rows[res->n_rows++];
    buf_init(&row->key);
    buf_init(&row->value);
    buf_append_slice(&row->key, key);
    buf_append_slice(&row->value, value);
    row->expiry_wall_ns = expiry_wall_ns;
}
