/* Commands over spans of the KV namespace (see resp_cmd.h): KEYS, SCAN, DBSIZE, FLUSHDB,
 * and our ordered KRANGE and KCOUNT. Reads run in one REPEATABLE READ snapshot and see
 * neither expired values nor other namespaces (the span is /kv/...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/check.h"
#include "kv/keys.h"
#include "server/resp_cmd_int.h"

#define STAT_ADD(r, f, v) atomic_fetch_add_explicit(&(r)->f, (v), memory_order_relaxed)

/* Called per key in scan order; set *stop to end the scan early. */
typedef mice_status (*kv_row_fn)(void *ctx, mice_slice user_key, mice_slice value, bool *stop);

typedef struct kv_span_spec {
    mice_slice start; /* user keys; NULL p = the namespace's start */
    mice_slice end;   /* empty = the namespace's end */
    bool has_start;
    bool reverse;
    size_t limit; /* 0 = all */
} kv_span_spec;

static mice_status scan_kv(txn *t, const kv_span_spec *sp, kv_row_fn fn, void *ctx, mice_err *err)
{
    mice_buf start, end, ns_start, ns_end;
    buf_init(&start);
    buf_init(&end);
    buf_init(&ns_start);
    buf_init(&ns_end);
    keys_kv_span(&ns_start, &ns_end);
    if (sp->has_start)
        keys_kv(&start, sp->start);
    else
        buf_append_slice(&start, buf_slice(&ns_start));
    if (sp->end.n)
        keys_kv(&end, sp->end);
    else
        buf_append_slice(&end, buf_slice(&ns_end));
    mice_status rc = MICE_OK;
    if (mice_slice_cmp(buf_slice(&start), buf_slice(&end)) < 0) {
        txn_scan *s = NULL;
        rc = txn_scan_open(t, buf_slice(&start), buf_slice(&end), sp->reverse, sp->limit, &s);
        bool stop = false;
        while (rc == MICE_OK && !stop) {
            const kv_row *rows = NULL;
            size_t n = 0;
            rc = txn_scan_next(s, 0, &rows, &n, err);
            if (rc || n == 0) break;
            for (size_t i = 0; rc == MICE_OK && !stop && i < n; i++) {
                mice_slice user;
                if (!keys_kv_user_key(buf_slice(&rows[i].key), &user)) continue;
                rc = fn(ctx, user, buf_slice(&rows[i].value), &stop);
            }
        }
        txn_scan_close(s);
    }
    buf_deinit(&start);
    buf_deinit(&end);
    buf_deinit(&ns_start);
    buf_deinit(&ns_end);
    return rc;
}

/* A read-only snapshot around fn(t, ctx). */
typedef mice_status (*snapshot_fn)(txn *t, void *ctx, mice_err *err);

static mice_status in_snapshot(resp_db *r, snapshot_fn fn, void *ctx, mice_err *err)
{
    txn *t = txn_begin(r->db, TXN_REPEATABLE_READ);
    mice_status rc = fn(t, ctx, err);
    mice_err ignored;
    txn_rollback(t, &ignored);
    txn_destroy(t);
    return rc;
}

/* --- collecting keys ----------------------------------------------------------------------- */

typedef struct collect {
    mice_buf bytes;  /* keys (and values) back to back */
    size_t *offs;    /* start of each item in bytes, plus the end */
    size_t n, cap;   /* items */
    size_t max;      /* stop after this many matches (the caller checks overflow) */
    bool values;     /* KRANGE: keys and values */
    mice_slice glob; /* MATCH / KEYS pattern; p NULL = everything */
    size_t visited;
    size_t visit_max; /* SCAN: stop after this many keys (0 = no limit) */
    mice_buf next;    /* SCAN: the first key not visited */
    bool more;
} collect;

static void collect_init(collect *c)
{
    memset(c, 0, sizeof *c);
    buf_init(&c->bytes);
    buf_init(&c->next);
}

static void collect_deinit(collect *c)
{
    buf_deinit(&c->bytes);
    buf_deinit(&c->next);
    free(c->offs);
}

static void collect_add(collect *c, mice_slice s)
{
    if (c->n + 2 > c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->offs = mice_realloc(c->offs, c->cap * sizeof *c->offs);
    }
    c->offs[c->n++] = c->bytes.n;
    buf_append_slice(&c->bytes, s);
    c->offs[c->n] = c->bytes.n;
}

static mice_slice collect_item(const collect *c, size_t i)
{
    return mice_slice_of(c->bytes.p + c->offs[i], c->offs[i + 1] - c->offs[i]);
}

static mice_status collect_row(void *ctx, mice_slice key, mice_slice value, bool *stop)
{
    collect *c = ctx;
    if (c->visit_max && c->visited == c->visit_max) {
        c->more = true;
        buf_append_slice(&c->next, key);
        *stop = true;
        return MICE_OK;
    }
    c->visited++;
    if (c->glob.p && !resp__glob_match(c->glob, key)) return MICE_OK;
    size_t items = c->values ? c->n / 2 : c->n;
    if (c->max && items == c->max) {
        c->more = true;
        *stop = true;
        return MICE_OK;
    }
    collect_add(c, key);
    if (c->values) collect_add(c, value);
    return MICE_OK;
}

typedef struct span_job {
    kv_span_spec spec;
    collect *c;
} span_job;

static mice_status span_job_run(txn *t, void *ctx, mice_err *err)
{
    span_job *j = ctx;
    return scan_kv(t, &j->spec, collect_row, j->c, err);
}

static void put_items(resp_x *x, const collect *c)
{
    resp_put_array(x->out, c->n);
    for (size_t i = 0; i < c->n; i++)
        resp_put_bulk(x->out, collect_item(c, i));
}

/* The literal prefix of a glob (before its first special character). */
static mice_slice glob_prefix(mice_slice pattern)
{
    size_t n = 0;
    while (n < pattern.n && !strchr("*?[\\", pattern.p[n]))
        n++;
    return mice_slice_of(pattern.p, n);
}

void resp__cmd_keys(resp_x *x)
{
    collect c;
    collect_init(&c);
    c.glob = x->argv[1];
    c.max = RESP_RANGE_KEYS_MAX;
    /* keys matching "user:*" all start with "user:": scan only that span */
    mice_slice prefix = glob_prefix(x->argv[1]);
    mice_buf end;
    buf_init(&end);
    span_job j = {.c = &c, .spec = {.start = prefix, .has_start = true}};
    if (prefix.n) {
        buf_append_slice(&end, prefix);
        while (end.n && end.p[end.n - 1] == 0xFF) /* the smallest key above the prefix */
            buf_truncate(&end, end.n - 1);
        if (end.n) end.p[end.n - 1]++;
        j.spec.end = buf_slice(&end);
    }
    mice_err err;
    mice_status rc = in_snapshot(x->r, span_job_run, &j, &err);
    if (rc)
        resp__storage_error(x, rc, &err);
    else if (c.more)
        resp_put_errorf(x->out, "ERR KEYS would return more than %d keys; use SCAN",
                        RESP_RANGE_KEYS_MAX);
    else
        put_items(x, &c);
    buf_deinit(&end);
    collect_deinit(&c);
}

/* --- SCAN --------------------------------------------------------------------------------- */

static bool parse_cursor(mice_slice s, uint64_t *out)
{
    if (s.n == 0 || s.n > 20) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') return false;
        unsigned d = s.p[i] - '0';
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

static bool cursor_lookup(resp_db *r, uint64_t id, mice_buf *resume)
{
    pthread_mutex_lock(&r->cursor_mu);
    resp_cursor *c = &r->cursors[id % RESP_CURSORS_MAX];
    bool ok = c->id == id;
    if (ok) buf_append_slice(resume, buf_slice(&c->resume));
    pthread_mutex_unlock(&r->cursor_mu);
    return ok;
}

static uint64_t cursor_save(resp_db *r, mice_slice resume)
{
    pthread_mutex_lock(&r->cursor_mu);
    uint64_t id = r->next_cursor++;
    if (id == 0) id = r->next_cursor++;
    resp_cursor *c = &r->cursors[id % RESP_CURSORS_MAX];
    c->id = id;
    buf_reset(&c->resume);
    buf_append_slice(&c->resume, resume);
    pthread_mutex_unlock(&r->cursor_mu);
    return id;
}

void resp__cmd_scan(resp_x *x)
{
    uint64_t cursor = 0;
    if (!parse_cursor(x->argv[1], &cursor)) {
        resp__error(x, "ERR invalid cursor");
        return;
    }
    int64_t count = RESP_SCAN_COUNT_DEFAULT;
    mice_slice glob = {0}, type = {0};
    for (size_t i = 2; i < x->argc; i += 2) {
        bool has_value = i + 1 < x->argc;
        if (resp__arg_is(x, i, "COUNT") && has_value) {
            if (!resp__parse_int(x->argv[i + 1], &count)) {
                resp__error(x, RESP_ERR_NOT_INT);
                return;
            }
            if (count < 1) {
                resp__error(x, RESP_ERR_SYNTAX);
                return;
            }
        } else if (resp__arg_is(x, i, "MATCH") && has_value) {
            glob = x->argv[i + 1];
        } else if (resp__arg_is(x, i, "TYPE") && has_value) {
            type = x->argv[i + 1];
        } else {
            resp__error(x, RESP_ERR_SYNTAX);
            return;
        }
    }
    collect c;
    collect_init(&c);
    mice_buf resume;
    buf_init(&resume);
    if (cursor && !cursor_lookup(x->r, cursor, &resume)) {
        resp__error(x, "ERR invalid cursor");
        goto done;
    }
    c.glob = glob;
    c.visit_max = count > RESP_RANGE_KEYS_MAX ? RESP_RANGE_KEYS_MAX : (size_t)count;
    bool strings = !type.p || (type.n == 6 && strncasecmp((const char *)type.p, "string", 6) == 0);
    span_job j = {.c = &c, .spec = {.start = buf_slice(&resume), .has_start = cursor != 0}};
    mice_err err;
    mice_status rc = in_snapshot(x->r, span_job_run, &j, &err);
    if (rc) {
        resp__storage_error(x, rc, &err);
        goto done;
    }
    char id[24];
    snprintf(id, sizeof id, "%llu",
             c.more ? (unsigned long long)cursor_save(x->r, buf_slice(&c.next)) : 0ull);
    resp_put_array(x->out, 2);
    resp_put_bulk_str(x->out, id);
    if (!strings) c.n = 0; /* only strings live here */
    put_items(x, &c);
done:
    buf_deinit(&resume);
    collect_deinit(&c);
}

/* --- counting, KRANGE, KCOUNT ---------------------------------------------------------------- */

static mice_status count_row(void *ctx, mice_slice key, mice_slice value, bool *stop)
{
    (void)key;
    (void)value;
    (void)stop;
    (*(uint64_t *)ctx)++;
    return MICE_OK;
}

typedef struct count_job {
    kv_span_spec spec;
    uint64_t n;
} count_job;

static mice_status count_job_run(txn *t, void *ctx, mice_err *err)
{
    count_job *j = ctx;
    return scan_kv(t, &j->spec, count_row, &j->n, err);
}

mice_status resp__count_keys(resp_db *r, uint64_t *n, mice_err *err)
{
    count_job j = {0};
    mice_status rc = in_snapshot(r, count_job_run, &j, err);
    *n = j.n;
    return rc;
}

void resp__cmd_dbsize(resp_x *x)
{
    uint64_t n = 0;
    mice_err err;
    mice_status rc = resp__count_keys(x->r, &n, &err);
    if (rc)
        resp__storage_error(x, rc, &err);
    else
        resp_put_int(x->out, (int64_t)n);
}

void resp__cmd_kcount(resp_x *x)
{
    count_job j = {.spec = {.start = x->argv[1], .has_start = true, .end = x->argv[2]}};
    mice_err err;
    mice_status rc = in_snapshot(x->r, count_job_run, &j, &err);
    if (rc)
        resp__storage_error(x, rc, &err);
    else
        resp_put_int(x->out, (int64_t)j.n);
}

void resp__cmd_krange(resp_x *x)
{
    int64_t limit = 0;
    bool reverse = false, has_limit = false;
    for (size_t i = 3; i < x->argc; i++) {
        if (resp__arg_is(x, i, "REV")) {
            reverse = true;
        } else if (resp__arg_is(x, i, "LIMIT") && i + 1 < x->argc) {
            if (!resp__parse_int(x->argv[++i], &limit)) {
                resp__error(x, RESP_ERR_NOT_INT);
                return;
            }
            if (limit < 0 || limit > RESP_RANGE_KEYS_MAX) {
                resp_put_errorf(x->out, "ERR LIMIT must be between 0 and %d", RESP_RANGE_KEYS_MAX);
                return;
            }
            has_limit = true;
        } else {
            resp__error(x, RESP_ERR_SYNTAX);
            return;
        }
    }
    if (has_limit && limit == 0) {
        resp_put_array(x->out, 0);
        return;
    }
    collect c;
    collect_init(&c);
    c.values = true;
    c.max = has_limit ? (size_t)limit : RESP_RANGE_KEYS_MAX;
    span_job j = {.c = &c,
                  .spec = {.start = x->argv[1],
                           .has_start = true,
                           .end = x->argv[2],
                           .reverse = reverse,
                           .limit = c.max + 1}};
    mice_err err;
    mice_status rc = in_snapshot(x->r, span_job_run, &j, &err);
    if (rc)
        resp__storage_error(x, rc, &err);
    else if (c.more && !has_limit)
        resp_put_errorf(x->out, "ERR KRANGE span holds more than %d keys; use LIMIT",
                        RESP_RANGE_KEYS_MAX);
    else
        put_items(x, &c);
    collect_deinit(&c);
}

/* --- FLUSHDB ------------------------------------------------------------------------------------
 */

static mice_status flush_batch(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                               mice_err *err)
{
    (void)x;
    size_t *deleted = arg;
    collect c;
    collect_init(&c);
    c.max = RESP_FLUSH_BATCH_KEYS;
    kv_span_spec spec = {.limit = RESP_FLUSH_BATCH_KEYS};
    mice_status rc = scan_kv(t, &spec, collect_row, &c, err);
    mice_buf key;
    buf_init(&key);
    for (size_t i = 0; rc == MICE_OK && i < c.n; i++) {
        resp__kv_key(&key, collect_item(&c, i));
        rc = txn_delete(t, buf_slice(&key), err);
    }
    *deleted = c.n;
    *rollback = c.n == 0;
    resp_put_simple(reply, "OK");
    buf_deinit(&key);
    collect_deinit(&c);
    return rc;
}

void resp__cmd_flushdb(resp_x *x)
{
    if (!x->c->superuser) {
        resp_put_errorf(x->out, "NOPERM this user has no permissions to run the '%s' command",
                        x->name);
        return;
    }
    if (x->argc > 2 ||
        (x->argc == 2 && !resp__arg_is(x, 1, "ASYNC") && !resp__arg_is(x, 1, "SYNC"))) {
        resp__error(x, RESP_ERR_SYNTAX);
        return;
    }
    size_t deleted = 0;
    mice_buf scratch;
    buf_init(&scratch);
    mice_buf *out = x->out;
    x->out = &scratch; /* each batch replies OK; only the last (or an error) is kept */
    do {
        buf_reset(&scratch);
        deleted = 0;
        resp__run_txn(x, flush_batch, &deleted);
    } while (deleted > 0 && scratch.n && scratch.p[0] == '+');
    x->out = out;
    buf_append_slice(out, buf_slice(&scratch));
    buf_deinit(&scratch);
}
