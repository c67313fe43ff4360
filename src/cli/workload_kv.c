/*
 * workload_kv.c - the kv workload (cockroach workload kv): point reads and blind writes of
 * --value-size byte values over --keys integer keys, --batch keys per statement, reads with
 * probability --read-percent. Keys are uniform over [0, keys), or with --sequential writes
 * take the next key of a run-wide counter and reads pick uniformly among those written.
 *
 * Targets: SQL (table workload_kv: one prepared SELECT ... WHERE k IN (...) and one prepared
 * INSERT ... ON CONFLICT DO UPDATE per batch), micedb's HTTP KV API (PUT / GET
 * /v1/kv/workload/<k>; a 404 read is a miss, not an error) and etcd v3's JSON gateway
 * (POST /v3/kv/put and /v3/kv/range, base64 keys and values). The HTTP targets send one
 * key per request; --batch is for SQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "cli/workload_gen.h"

enum { KV_READ, KV_WRITE };
static const char *const kv_op_names[] = {"read", "write"};

typedef struct kv_state {
    char *value;      /* value_size + 1 */
    char (*keys)[24]; /* batch decimal keys */
    uint64_t *nums;   /* the same keys as numbers */
    const char **params;
    mice_buf body, resp, path;
} kv_state;

static mice_status kv_init(const wl_opts *o, PGconn *c, mice_buf *report, mice_err *err)
{
    (void)o;
    if (o->drop && wl_exec(c, "DROP TABLE IF EXISTS workload_kv", err)) return err->code;
    mice_status rc = wl_exec(
        c, "CREATE TABLE IF NOT EXISTS workload_kv (k BIGINT PRIMARY KEY, v TEXT NOT NULL)", err);
    if (!rc) buf_printf(report, "kv: table workload_kv ready\n");
    return rc;
}

static mice_status kv_prepare(wl_worker *w, mice_err *err)
{
    int b = w->o->batch;
    mice_buf sql;
    buf_init(&sql);
    buf_append_str(&sql, "SELECT k, v FROM workload_kv WHERE k IN (");
    for (int i = 0; i < b; i++)
        buf_printf(&sql, "%s$%d", i ? ", " : "", i + 1);
    buf_append_str(&sql, ")");
    mice_status rc = wl_prepare(w->pg, "kv_read", (const char *)sql.p, b, err);
    buf_reset(&sql);
    buf_append_str(&sql, "INSERT INTO workload_kv (k, v) VALUES ");
    for (int i = 0; i < b; i++)
        buf_printf(&sql, "%s($%d, $%d)", i ? ", " : "", 2 * i + 1, 2 * i + 2);
    buf_append_str(&sql, " ON CONFLICT (k) DO UPDATE SET v = excluded.v");
    if (!rc) rc = wl_prepare(w->pg, "kv_write", (const char *)sql.p, 2 * b, err);
    buf_deinit(&sql);
    return rc;
}

static mice_status kv_worker_open(wl_worker *w, mice_err *err)
{
    kv_state *s = w->state;
    if (!s) {
        s = mice_calloc(1, sizeof *s);
        s->value = mice_malloc((size_t)w->o->value_size + 1);
        s->keys = mice_calloc((size_t)w->o->batch, sizeof *s->keys);
        s->nums = mice_calloc((size_t)w->o->batch, sizeof *s->nums);
        s->params = mice_calloc((size_t)w->o->batch * 2, sizeof *s->params);
        buf_init(&s->body);
        buf_init(&s->resp);
        buf_init(&s->path);
        w->state = s;
    }
    return w->o->target == WL_TARGET_SQL ? kv_prepare(w, err) : MICE_OK;
}

static void kv_worker_close(wl_worker *w)
{
    kv_state *s = w->state;
    if (!s) return;
    free(s->value);
    free(s->keys);
    free(s->nums);
    free(s->params);
    buf_deinit(&s->body);
    buf_deinit(&s->resp);
    buf_deinit(&s->path);
    free(s);
    w->state = NULL;
}

static uint64_t kv_key(wl_worker *w, bool write)
{
    const wl_opts *o = w->o;
    if (!o->sequential) return prng_below(&w->rng, o->keys);
    if (write) return atomic_fetch_add(&w->shared->next_key, 1);
    uint64_t written = atomic_load(&w->shared->next_key);
    return written ? prng_below(&w->rng, written) : 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static void kv_op_sql(wl_worker *w, bool write, wl_outcome *out)
{
    kv_state *s = w->state;
    int b = w->o->batch;
    uint64_t *ks = s->nums;
    for (int i = 0; i < b; i++) {
        /* one statement must not upsert a key twice (PostgreSQL refuses it): draw again */
        bool dup;
        do {
            ks[i] = kv_key(w, write);
            dup = false;
            for (int j = 0; write && j < i && !dup; j++)
                dup = ks[i] == ks[j];
        } while (dup);
    }
    /* Writers lock a batch's rows in key order, so two batches cannot deadlock. */
    if (write) qsort(ks, (size_t)b, sizeof ks[0], cmp_u64);
    for (int i = 0; i < b; i++) {
        snprintf(s->keys[i], sizeof s->keys[i], "%llu", (unsigned long long)ks[i]);
        if (write) {
            s->params[2 * i] = s->keys[i];
            s->params[2 * i + 1] = s->value;
        } else {
            s->params[i] = s->keys[i];
        }
    }
    if (write) wl_fill_text(&w->rng, s->value, (size_t)w->o->value_size);
    PGresult *res = PQexecPrepared(w->pg, write ? "kv_write" : "kv_read", write ? 2 * b : b,
                                   s->params, NULL, NULL, 0);
    wl_pg_ok(w->pg, res, out);
}

static void http_outcome(mice_status rc, int status, bool read, wl_outcome *out)
{
    if (rc)
        wl_set_code(out, "conn");
    else if (status != 200 && !(read && status == 404))
        snprintf(out->code, sizeof out->code, "http-%d", status);
}

static void kv_op_http(wl_worker *w, bool write, wl_outcome *out)
{
    kv_state *s = w->state;
    mice_err err;
    int status = 0;
    unsigned long long k = (unsigned long long)kv_key(w, write);
    buf_reset(&s->path);
    buf_printf(&s->path, "/v1/kv/workload/%llu", k);
    mice_status rc;
    if (write) {
        wl_fill_text(&w->rng, s->value, (size_t)w->o->value_size);
        rc = wl_http_request(w->http, "PUT", (const char *)s->path.p, "application/octet-stream",
                             s->value, (size_t)w->o->value_size, &status, &s->resp, &err);
    } else {
        rc = wl_http_request(w->http, "GET", (const char *)s->path.p, NULL, NULL, 0, &status,
                             &s->resp, &err);
    }
    http_outcome(rc, status, !write, out);
}

static void kv_op_etcd(wl_worker *w, bool write, wl_outcome *out)
{
    kv_state *s = w->state;
    mice_err err;
    int status = 0;
    char key[40];
    int kn = snprintf(key, sizeof key, "workload/%llu", (unsigned long long)kv_key(w, write));
    buf_reset(&s->body);
    buf_append_str(&s->body, "{\"key\":\"");
    wl_base64(&s->body, key, (size_t)kn);
    if (write) {
        wl_fill_text(&w->rng, s->value, (size_t)w->o->value_size);
        buf_append_str(&s->body, "\",\"value\":\"");
        wl_base64(&s->body, s->value, (size_t)w->o->value_size);
    }
    buf_append_str(&s->body, "\"}");
    mice_status rc =
        wl_http_request(w->http, "POST", write ? "/v3/kv/put" : "/v3/kv/range", "application/json",
                        s->body.p, s->body.n, &status, &s->resp, &err);
    http_outcome(rc, status, false, out);
}

static void kv_op(wl_worker *w, wl_outcome *out)
{
    bool write = (int)prng_below(&w->rng, 100) >= w->o->read_percent;
    out->op = write ? KV_WRITE : KV_READ;
    switch (w->o->target) {
    case WL_TARGET_SQL:
        kv_op_sql(w, write, out);
        break;
    case WL_TARGET_HTTP:
        kv_op_http(w, write, out);
        break;
    case WL_TARGET_ETCD:
        kv_op_etcd(w, write, out);
        break;
    }
}

const wl_gen wl_gen_kv = {
    .name = "kv",
    .op_names = kv_op_names,
    .op_count = 2,
    .http_ok = true,
    .init = kv_init,
    .check = NULL,
    .worker_open = kv_worker_open,
    .worker_close = kv_worker_close,
    .op = kv_op,
};
