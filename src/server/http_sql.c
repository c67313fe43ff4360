/* POST /v1/sql (see http_sql.h).
 *
 * A job has two sides. The producer (a worker of our pool) runs the session through the
 * backend's vtab with an NDJSON sink; the consumer is the handler (until the head of the
 * answer is known) and then MHD's stream callback. Between them, under the job's mutex:
 * `out` (bytes not yet sent, from out_off), the producer's progress (head, finished, the
 * first error) and the consumer's (abandoned). Both sides hold a reference; the last to
 * let go frees the job. */
#include "server/http_sql.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/env.h"
#include "base/workpool.h"
#include "server/http_json.h"
#include "sql/types.h"

enum {
    WAIT_SLICE_MS = 100, /* waits re-check the stop flag this often */
    LINES_BLOCK_BYTES = 16 * 1024,
};

struct http_sql {
    http_sql_config cfg;
    workpool *pool;
    atomic_uint running; /* admitted jobs whose producer has not finished */
    atomic_bool stopping;
};

/* One statement text with its parameters (borrowed from the request document). */
typedef struct sql_item {
    const char *sql;
    size_t sql_len;
    const json_t *params; /* array or NULL */
} sql_item;

typedef struct sql_job {
    http_sql *q;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int refs;
    /* request (read-only once submitted) */
    char user[HTTP_AUTH_USER_MAX];
    char database[HTTP_AUTH_USER_MAX];
    json_t *doc;
    sql_item *items;
    size_t n_items;
    bool as_block; /* "statements": BEGIN ... COMMIT around them */
    /* producer-only state */
    bool quiet;      /* running our own BEGIN/COMMIT: no output */
    mice_buf line;   /* the line being built */
    uint32_t n_cols; /* the current statement's columns */
    uint32_t *col_oids;
    mice_buf col_keys; /* JSON keys ("\"id\":") back to back */
    size_t *col_key_off;
    /* shared, under mu */
    mice_buf out;
    size_t out_off;
    bool head;       /* the handler may answer */
    bool finished;   /* the producer is done */
    bool abandoned;  /* nobody reads any more */
    bool error_sent; /* the trailing error line is in out */
    void *session;   /* for cancel; NULL outside the run */
    bool failed;
    char sqlstate[6];
    mice_buf error_json; /* the error object's members after "{" (error, code, ...) */
} sql_job;

/* ---------------------------------------------------------------- job lifetime */

static void job_unref(sql_job *j)
{
    pthread_mutex_lock(&j->mu);
    int left = --j->refs;
    pthread_mutex_unlock(&j->mu);
    if (left) return;
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    json_decref(j->doc);
    free(j->items);
    buf_deinit(&j->line);
    free(j->col_oids);
    buf_deinit(&j->col_keys);
    free(j->col_key_off);
    buf_deinit(&j->out);
    buf_deinit(&j->error_json);
    free(j);
}

/* ---------------------------------------------------------------- the channel */

/* Producer: hand a finished line over; blocks above the high-water mark. MICE_CLOSED when
 * the consumer is gone. */
static mice_status channel_put(sql_job *j, mice_slice bytes)
{
    pthread_mutex_lock(&j->mu);
    mice_status rc = MICE_OK;
    if (j->abandoned) {
        rc = MICE_CLOSED;
    } else {
        if (j->out_off > 0 && j->out_off == j->out.n) {
            buf_reset(&j->out);
            j->out_off = 0;
        }
        if (j->out_off == j->out.n) pthread_cond_broadcast(&j->cv); /* the reader may wait */
        buf_append_slice(&j->out, bytes);
        if (!j->head && j->out.n - j->out_off >= HTTP_SQL_HEAD_BYTES) {
            j->head = true;
            pthread_cond_broadcast(&j->cv);
        }
        while (!j->abandoned && j->out.n - j->out_off > HTTP_SQL_HIGH_WATER_BYTES)
            pthread_cond_wait(&j->cv, &j->mu);
        if (j->abandoned) rc = MICE_CLOSED;
    }
    pthread_mutex_unlock(&j->mu);
    return rc;
}

static void timed_wait(sql_job *j)
{
    /* pthread_cond_timedwait takes an absolute CLOCK_REALTIME time: the wall clock */
    uint64_t deadline = env_wall_ns(mice_env_real()) + (uint64_t)WAIT_SLICE_MS * MICE_NS_PER_MS;
    struct timespec ts = {.tv_sec = (time_t)(deadline / MICE_NS_PER_S),
                          .tv_nsec = (long)(deadline % MICE_NS_PER_S)};
    pthread_cond_timedwait(&j->cv, &j->mu, &ts);
}

static void append_error_line(sql_job *j)
{
    buf_append_u8(&j->out, '{');
    buf_append_slice(&j->out, buf_slice(&j->error_json));
    buf_append_str(&j->out, "}\n");
    j->error_sent = true;
}

/* Consumer (MHD thread): the next bytes of the answer. */
static mice_status stream_read(void *ctx, uint8_t *buf, size_t cap, size_t *n_out, bool *done)
{
    sql_job *j = ctx;
    *n_out = 0;
    *done = false;
    mice_status rc = MICE_OK;
    pthread_mutex_lock(&j->mu);
    while (j->out_off == j->out.n && !j->finished && !atomic_load(&j->q->stopping))
        timed_wait(j);
    if (j->out_off == j->out.n && j->finished && j->failed && !j->error_sent) append_error_line(j);
    size_t n = j->out.n - j->out_off;
    if (n > cap) n = cap;
    if (n) memcpy(buf, j->out.p + j->out_off, n);
    j->out_off += n;
    *n_out = n;
    if (j->out_off == j->out.n) {
        if (j->finished)
            *done = true;
        else if (n == 0)
            rc = MICE_CLOSED; /* stopping: cut the answer off */
    }
    pthread_cond_broadcast(&j->cv); /* room for the producer */
    pthread_mutex_unlock(&j->mu);
    return rc;
}

/* Consumer gone (sent, client left, server stopping): stop the producer, let go. */
static void stream_free(void *ctx)
{
    sql_job *j = ctx;
    pthread_mutex_lock(&j->mu);
    j->abandoned = true;
    if (j->session && !j->finished) j->q->cfg.backend->cancel(j->q->cfg.backend_ctx, j->session);
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    job_unref(j);
}

/* ---------------------------------------------------------------- the NDJSON sink */

/* Hand the lines built so far to the reader. */
static mice_status flush_lines(sql_job *j)
{
    if (j->line.n == 0) return MICE_OK;
    mice_status rc = channel_put(j, buf_slice(&j->line));
    buf_reset(&j->line);
    return rc;
}

/* End a line; lines go to the reader in blocks of LINES_BLOCK_BYTES (and at the end of
 * each statement), so the channel's lock is taken per block, not per row. */
static mice_status emit_line(sql_job *j)
{
    buf_append_u8(&j->line, '\n');
    return j->line.n >= LINES_BLOCK_BYTES ? flush_lines(j) : MICE_OK;
}

/* Keys for row objects, "_2", "_3"... on repeats. */
static void build_col_keys(sql_job *j, const pgw_field *fields, size_t n)
{
    buf_reset(&j->col_keys);
    mice_buf name;
    buf_init(&name);
    for (size_t i = 0; i < n; i++) {
        buf_reset(&name);
        buf_append_str(&name, fields[i].name);
        for (unsigned dup = 2;; dup++) {
            bool taken = false;
            for (size_t k = 0; k < i && !taken; k++) {
                mice_buf key;
                buf_init(&key);
                http_json_append_string(&key, buf_slice(&name));
                buf_append_u8(&key, ':');
                taken = key.n == j->col_key_off[k + 1] - j->col_key_off[k] &&
                        memcmp(key.p, j->col_keys.p + j->col_key_off[k], key.n) == 0;
                buf_deinit(&key);
            }
            if (!taken) break;
            buf_reset(&name);
            buf_printf(&name, "%s_%u", fields[i].name, dup);
        }
        j->col_key_off[i] = j->col_keys.n;
        http_json_append_string(&j->col_keys, buf_slice(&name));
        buf_append_u8(&j->col_keys, ':');
        j->col_key_off[i + 1] = j->col_keys.n;
    }
    buf_deinit(&name);
}

static mice_status sink_columns(void *ctx, const pgw_field *fields, size_t n)
{
    sql_job *j = ctx;
    if (j->quiet) return MICE_OK;
    j->n_cols = (uint32_t)n;
    j->col_oids = mice_realloc(j->col_oids, (n ? n : 1) * sizeof *j->col_oids);
    j->col_key_off = mice_realloc(j->col_key_off, (n + 1) * sizeof *j->col_key_off);
    build_col_keys(j, fields, n);
    buf_append_str(&j->line, "{\"columns\":[");
    for (size_t i = 0; i < n; i++) {
        j->col_oids[i] = fields[i].type_oid;
        char type[128];
        sql_type_format(sql_type_make((sql_type_id)fields[i].type_oid, fields[i].typmod), type,
                        sizeof type);
        buf_append_str(&j->line, i ? ",{\"name\":" : "{\"name\":");
        http_json_append_string(&j->line, mice_slice_str(fields[i].name));
        buf_append_str(&j->line, ",\"type\":");
        http_json_append_string(&j->line, mice_slice_str(type));
        buf_append_u8(&j->line, '}');
    }
    buf_append_str(&j->line, "]}");
    return emit_line(j);
}

static mice_status sink_row(void *ctx, const pgw_value *values, size_t n)
{
    sql_job *j = ctx;
    if (j->quiet) return MICE_OK;
    buf_append_u8(&j->line, '{');
    for (size_t i = 0; i < n && i < j->n_cols; i++) {
        if (i) buf_append_u8(&j->line, ',');
        buf_append(&j->line, j->col_keys.p + j->col_key_off[i],
                   j->col_key_off[i + 1] - j->col_key_off[i]);
        http_json_append_pg_value(&j->line, j->col_oids[i], values[i].data, values[i].is_null);
    }
    buf_append_u8(&j->line, '}');
    return emit_line(j);
}

static mice_status sink_command_complete(void *ctx, const char *tag)
{
    sql_job *j = ctx;
    if (j->quiet) return MICE_OK;
    buf_append_str(&j->line, "{\"command\":");
    http_json_append_string(&j->line, mice_slice_str(tag));
    buf_append_u8(&j->line, '}');
    mice_status rc = emit_line(j);
    return rc ? rc : flush_lines(j);
}

/* Keep the first error of the request (later ones are consequences, such as 25P02). */
static void record_error(sql_job *j, const char *sqlstate, const char *message, const char *detail,
                         const char *hint, int32_t position)
{
    pthread_mutex_lock(&j->mu);
    if (!j->failed) {
        j->failed = true;
        snprintf(j->sqlstate, sizeof j->sqlstate, "%s", sqlstate ? sqlstate : "XX000");
        mice_buf *e = &j->error_json;
        buf_append_str(e, "\"error\":");
        http_json_append_string(e, mice_slice_str(message ? message : "error"));
        buf_append_str(e, ",\"code\":");
        http_json_append_string(e, mice_slice_str(j->sqlstate));
        if (detail && detail[0]) {
            buf_append_str(e, ",\"detail\":");
            http_json_append_string(e, mice_slice_str(detail));
        }
        if (hint && hint[0]) {
            buf_append_str(e, ",\"hint\":");
            http_json_append_string(e, mice_slice_str(hint));
        }
        if (position > 0) buf_printf(e, ",\"position\":%d", (int)position);
    }
    pthread_mutex_unlock(&j->mu);
}

static mice_status sink_error(void *ctx, const pgb_error *e)
{
    sql_job *j = ctx;
    record_error(j, e->sqlstate, e->message, e->detail, e->hint, e->position);
    return MICE_OK;
}

static mice_status sink_ignore(void *ctx)
{
    (void)ctx;
    return MICE_OK;
}

static mice_status sink_notice(void *ctx, const pgb_error *e)
{
    (void)ctx;
    (void)e;
    return MICE_OK; /* notices and warnings are not part of the answer */
}

static mice_status sink_parameter_status(void *ctx, const char *name, const char *value)
{
    (void)ctx;
    (void)name;
    (void)value;
    return MICE_OK;
}

static mice_status sink_parameter_description(void *ctx, const pgw_oid_t *types, size_t n)
{
    (void)ctx;
    (void)types;
    (void)n;
    return MICE_OK;
}

static mice_status sink_copy(void *ctx, int8_t format, const int16_t *formats, size_t n)
{
    (void)format;
    (void)formats;
    (void)n;
    record_error(ctx, "0A000", "COPY is not supported over HTTP", NULL, NULL, 0);
    return MICE_OK;
}

static mice_status sink_copy_row(void *ctx, mice_slice bytes)
{
    (void)ctx;
    (void)bytes;
    return MICE_CLOSED;
}

static const pgb_sink_ops sink_ops = {
    .columns = sink_columns,
    .row = sink_row,
    .command_complete = sink_command_complete,
    .empty_query = sink_ignore,
    .error = sink_error,
    .notice = sink_notice,
    .parameter_status = sink_parameter_status,
    .parameter_description = sink_parameter_description,
    .no_data = sink_ignore,
    .copy_in = sink_copy,
    .copy_out = sink_copy,
    .copy_row = sink_copy_row,
};

/* ---------------------------------------------------------------- running a request */

static bool job_failed(sql_job *j)
{
    pthread_mutex_lock(&j->mu);
    bool f = j->failed;
    pthread_mutex_unlock(&j->mu);
    return f;
}

static void param_text(const json_t *v, mice_buf *out, bool *is_null)
{
    *is_null = false;
    char *dump;
    switch (json_typeof(v)) {
    case JSON_STRING:
        buf_append(out, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        buf_printf(out, "%.17g", json_real_value(v));
        break;
    case JSON_TRUE:
        buf_append_str(out, "true");
        break;
    case JSON_FALSE:
        buf_append_str(out, "false");
        break;
    case JSON_NULL:
        *is_null = true;
        break;
    default:
        dump = json_dumps(v, JSON_COMPACT);
        if (!dump) mice_oom(0);
        buf_append_str(out, dump);
        free(dump);
        break;
    }
}

/* Parse, bind, describe, execute one statement with parameters (extended protocol). */
static mice_status run_extended(sql_job *j, pgb_sink *sink, const sql_item *it)
{
    const pgb_backend_vtab *vt = j->q->cfg.backend;
    void *bctx = j->q->cfg.backend_ctx;
    mice_status rc = vt->parse(bctx, j->session, "", it->sql, it->sql_len, NULL, 0, sink);
    if (rc || job_failed(j)) return rc;
    size_t n = json_array_size(it->params);
    pgw_value *vals = mice_calloc(n ? n : 1, sizeof *vals);
    mice_buf *texts = mice_calloc(n ? n : 1, sizeof *texts);
    for (size_t i = 0; i < n; i++) {
        buf_init(&texts[i]);
        param_text(json_array_get(it->params, i), &texts[i], &vals[i].is_null);
        vals[i].data = buf_slice(&texts[i]);
    }
    pgw_bind_msg m = {.portal_name = "", .stmt_name = "", .params = vals, .n_params = n};
    rc = vt->bind(bctx, j->session, &m, sink);
    if (!rc && !job_failed(j)) rc = vt->describe_portal(bctx, j->session, "", sink);
    bool suspended = false;
    if (!rc && !job_failed(j)) rc = vt->execute(bctx, j->session, "", 0, sink, &suspended);
    for (size_t i = 0; i < n; i++)
        buf_deinit(&texts[i]);
    free(texts);
    free(vals);
    return rc;
}

static mice_status run_item(sql_job *j, pgb_sink *sink, const sql_item *it)
{
    if (it->params) return run_extended(j, sink, it);
    return j->q->cfg.backend->query(j->q->cfg.backend_ctx, j->session, it->sql, it->sql_len, sink);
}

static mice_status run_quiet(sql_job *j, pgb_sink *sink, const char *sql)
{
    j->quiet = true;
    mice_status rc =
        j->q->cfg.backend->query(j->q->cfg.backend_ctx, j->session, sql, strlen(sql), sink);
    j->quiet = false;
    return rc;
}

static void run_session(sql_job *j, pgb_sink *sink)
{
    const pgb_backend_vtab *vt = j->q->cfg.backend;
    void *bctx = j->q->cfg.backend_ctx;
    mice_status rc = MICE_OK;
    if (j->as_block) rc = run_quiet(j, sink, "BEGIN");
    bool extended = false;
    for (size_t i = 0; i < j->n_items && !rc && !job_failed(j); i++) {
        extended |= j->items[i].params != NULL;
        rc = run_item(j, sink, &j->items[i]);
    }
    /* ends an implicit txn (no malformed protocol message here: after_error is false) */
    if (extended && !rc) rc = vt->sync(bctx, j->session, false, sink);
    if (j->as_block && !rc) rc = run_quiet(j, sink, job_failed(j) ? "ROLLBACK" : "COMMIT");
    if (rc && rc != MICE_CLOSED) record_error(j, "XX000", mice_status_str(rc), NULL, NULL, 0);
}

static void job_run(void *ctx, mice_status status)
{
    sql_job *j = ctx;
    pgb_sink sink = {.ops = &sink_ops, .ctx = j};
    const pgb_backend_vtab *vt = j->q->cfg.backend;
    if (status == MICE_OK) {
        pgw_startup_info info = {
            .user = j->user, .database = j->database, .application_name = "http", .options = ""};
        void *session = NULL;
        if (vt->session_create(j->q->cfg.backend_ctx, &info, &sink, &session) == MICE_OK) {
            pthread_mutex_lock(&j->mu);
            j->session = session;
            pthread_mutex_unlock(&j->mu);
            run_session(j, &sink);
            pthread_mutex_lock(&j->mu);
            j->session = NULL;
            pthread_mutex_unlock(&j->mu);
            vt->session_destroy(j->q->cfg.backend_ctx, session);
        } else if (!job_failed(j)) {
            record_error(j, "XX000", "could not start a session", NULL, NULL, 0);
        }
    } else {
        record_error(j, "57P01", "the server is shutting down", NULL, NULL, 0);
    }
    flush_lines(j); /* rows of a statement that failed midway: the stream may carry them */
    pthread_mutex_lock(&j->mu);
    j->finished = true;
    j->head = true;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    atomic_fetch_sub(&j->q->running, 1);
    job_unref(j);
}

/* ---------------------------------------------------------------- the request */

static mice_status item_of(const json_t *v, const json_t *params, size_t i, sql_item *out,
                           mice_err *err)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *f;
        json_object_foreach((json_t *)v, k, f)
        {
            if (strcmp(k, "sql") && strcmp(k, "params"))
                return mice_err_setf(err, MICE_INVALID, "statements[%zu]: unknown field \"%s\"", i,
                                     k);
        }
        params = json_object_get(v, "params");
        v = json_object_get(v, "sql");
    }
    if (!json_is_string(v))
        return mice_err_setf(err, MICE_INVALID, "statement %zu: \"sql\" must be a string", i);
    if (params && !json_is_array(params))
        return mice_err_setf(err, MICE_INVALID, "statement %zu: \"params\" must be an array", i);
    if (params && json_array_size(params) > HTTP_SQL_PARAMS_MAX)
        return mice_err_setf(err, MICE_INVALID, "statement %zu: more than %d params", i,
                             HTTP_SQL_PARAMS_MAX);
    out->sql = json_string_value(v);
    out->sql_len = json_string_length(v);
    out->params = params;
    return MICE_OK;
}

static mice_status parse_request(sql_job *j, mice_err *err)
{
    const json_t *doc = j->doc;
    if (!json_is_object(doc))
        return mice_err_setf(err, MICE_INVALID, "the body must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(j->doc, k, v)
    {
        if (strcmp(k, "sql") && strcmp(k, "params") && strcmp(k, "statements") &&
            strcmp(k, "database"))
            return mice_err_setf(err, MICE_INVALID, "unknown field \"%s\"", k);
    }
    const json_t *sql = json_object_get(doc, "sql"), *stmts = json_object_get(doc, "statements");
    const json_t *db = json_object_get(doc, "database");
    if ((sql == NULL) == (stmts == NULL))
        return mice_err_setf(err, MICE_INVALID, "give exactly one of \"sql\" and \"statements\"");
    if (db && (!json_is_string(db) || json_string_length(db) == 0 ||
               json_string_length(db) >= sizeof j->database))
        return mice_err_setf(err, MICE_INVALID, "\"database\" must be a database name");
    snprintf(j->database, sizeof j->database, "%s",
             db ? json_string_value(db) : HTTP_SQL_DEFAULT_DATABASE);
    if (sql) {
        j->items = mice_calloc(1, sizeof *j->items);
        j->n_items = 1;
        return item_of(sql, json_object_get(doc, "params"), 0, &j->items[0], err);
    }
    if (json_object_get(doc, "params"))
        return mice_err_setf(err, MICE_INVALID, "\"params\" go inside each statement");
    if (!json_is_array(stmts) || json_array_size(stmts) == 0 ||
        json_array_size(stmts) > HTTP_SQL_STATEMENTS_MAX)
        return mice_err_setf(err, MICE_INVALID, "\"statements\" must be an array of 1 to %d",
                             HTTP_SQL_STATEMENTS_MAX);
    j->as_block = true;
    j->n_items = json_array_size(stmts);
    j->items = mice_calloc(j->n_items, sizeof *j->items);
    for (size_t i = 0; i < j->n_items; i++) {
        mice_status rc = item_of(json_array_get(stmts, i), NULL, i, &j->items[i], err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static sql_job *job_create(http_sql *q)
{
    sql_job *j = mice_calloc(1, sizeof *j);
    j->q = q;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    j->refs = 1;
    buf_init(&j->line);
    buf_init(&j->col_keys);
    buf_init(&j->out);
    buf_init(&j->error_json);
    return j;
}

/* Wait for the head of the answer; false when the server's stop or the client leaving
 * cut the wait short (the statement is cancelled then). */
static bool wait_head(sql_job *j, const http_request *req)
{
    pthread_mutex_lock(&j->mu);
    while (!j->head && !atomic_load(&j->q->stopping)) {
        timed_wait(j);
        if (!j->head && http_request_client_gone(req)) break;
    }
    bool ok = j->head;
    if (!ok) {
        j->abandoned = true;
        if (j->session) j->q->cfg.backend->cancel(j->q->cfg.backend_ctx, j->session);
        pthread_cond_broadcast(&j->cv);
    }
    pthread_mutex_unlock(&j->mu);
    return ok;
}

static void answer(sql_job *j, http_response *resp)
{
    pthread_mutex_lock(&j->mu);
    bool error_only = j->finished && j->failed;
    if (error_only) {
        mice_buf body;
        buf_init(&body);
        buf_append_u8(&body, '{');
        buf_append_slice(&body, buf_slice(&j->error_json));
        buf_append_u8(&body, '}');
        http_respond(resp, http_json_status_for_sqlstate(j->sqlstate), "application/json", &body);
        buf_deinit(&body);
    }
    pthread_mutex_unlock(&j->mu);
    if (error_only) {
        job_unref(j);
        return;
    }
    http_respond_stream(resp, 200, "application/x-ndjson", stream_read, stream_free, j);
}

static void handle_sql(void *ctx, const http_request *req, http_response *resp)
{
    http_sql *q = ctx;
    sql_job *j = job_create(q);
    if (q->cfg.auth && !http_auth_check(q->cfg.auth, req, resp, j->user)) {
        job_unref(j);
        return;
    }
    if (!q->cfg.auth) snprintf(j->user, sizeof j->user, "root");
    mice_err err;
    mice_status rc = http_json_parse(req->body, &j->doc, &err);
    if (rc == MICE_OK) rc = parse_request(j, &err);
    if (rc) {
        http_respond_error(resp, 400, "08P01", "%s", mice_err_msg(&err));
        job_unref(j);
        return;
    }
    unsigned limit = (unsigned)workpool_threads(q->pool);
    if (atomic_load(&q->stopping)) {
        http_respond_error(resp, 503, "57P01", "the server is shutting down");
        job_unref(j);
        return;
    }
    if (atomic_fetch_add(&q->running, 1) >= limit) {
        atomic_fetch_sub(&q->running, 1);
        http_respond_error(resp, 503, "53300", "too many SQL requests at once (limit %u)", limit);
        job_unref(j);
        return;
    }
    j->refs = 2; /* the handler's and the producer's; nothing shares j yet */
    if (workpool_submit(q->pool, job_run, j) != MICE_OK) {
        atomic_fetch_sub(&q->running, 1);
        j->refs = 1;
        http_respond_error(resp, 503, "53300", "cannot run the request now");
        job_unref(j);
        return;
    }
    if (!wait_head(j, req)) {
        http_respond_error(resp, 503, "57014",
                           "canceled: the server is stopping or the client left");
        job_unref(j);
        return;
    }
    answer(j, resp);
}

/* ---------------------------------------------------------------- the module */

mice_status http_sql_create(const http_sql_config *cfg, http_sql **out, mice_err *err)
{
    *out = NULL;
    if (!cfg->backend || !cfg->backend->session_create)
        return mice_err_setf(err, MICE_INVALID, "http sql: a backend is required");
    http_sql *q = mice_calloc(1, sizeof *q);
    q->cfg = *cfg;
    workpool_config wc = {.threads = cfg->workers ? (int)cfg->workers : HTTP_SQL_WORKERS_DEFAULT,
                          .name = "httpsql"};
    mice_status rc = workpool_create(&wc, &q->pool, err);
    if (rc) {
        free(q);
        return rc;
    }
    atomic_init(&q->running, 0);
    atomic_init(&q->stopping, false);
    *out = q;
    return MICE_OK;
}

mice_status http_sql_register(http_sql *q, httpd *s, mice_err *err)
{
    return httpd_route(s, "POST", "/v1/sql", handle_sql, q, err);
}

void http_sql_stop(http_sql *q)
{
    if (q) atomic_store(&q->stopping, true);
}

void http_sql_destroy(http_sql *q)
{
    if (!q) return;
    atomic_store(&q->stopping, true);
    workpool_destroy(q->pool);
    free(q);
}
