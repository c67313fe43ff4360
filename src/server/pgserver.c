/*
 * pgserver.c - connections on the io thread, backend calls on workers, and the batches
 * of answers that travel back.
 *
 * Ownership by thread:
 *   io thread   the connection list, the pid registry, each pgs_conn's pgw_conn, its job
 *               queue, its flags (job_running, io_closed, ...) and cached txn status.
 *   worker      the job it runs and the sink's batch under construction; the session is
 *               touched by one job at a time (handed over through workpool_submit and
 *               ioloop_post, which order memory).
 *   shared      per connection: `gone` (atomic) and the flow-control state under flow_mu
 *               (unreplayed bytes, socket congestion, whether a worker waits).
 * A worker never calls pgw_conn: it encodes its sink calls into a batch (a private byte
 * format, below) and posts it; replay_batch() on the io thread decodes them into pgw_conn
 * answers. The last batch of a job ends with OP_JOB_END, after which the io thread starts
 * the connection's next job.
 */
#include "server/pgserver.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/env.h"
#include "base/future.h"
#include "base/log.h"

enum {
    PID_BUCKETS = 4096,
    PID_FIRST = 1000,
    REFUSING_MAX = 64, /* refused connections waiting for their StartupMessage */
};

typedef enum {
    JOB_VERIFIER,
    JOB_START,
    JOB_QUERY,
    JOB_PARSE,
    JOB_BIND,
    JOB_DESCRIBE,
    JOB_EXECUTE,
    JOB_CLOSE,
    JOB_SYNC,
    JOB_COPY_DATA,
    JOB_COPY_DONE,
    JOB_COPY_FAIL,
    JOB_DESTROY,
} job_kind;

typedef struct pgs_conn pgs_conn;

/* One backend call. Borrowed arguments live in the pgw_conn until pgw_conn_done. */
typedef struct pgs_job {
    struct pgs_job *next;
    job_kind kind;
    pgs_conn *conn;
    const char *text; /* sql, user, name or message */
    size_t text_len;
    const pgw_startup_info *info;
    /* Copies of the structs (they live on pgw_conn's stack during the callback); what
     * they point to lives in its frame and arena until pgw_conn_done. */
    pgw_parse_msg parse;
    pgw_bind_msg bind;
    char which;       /* describe/close kind */
    bool after_error; /* sync: the protocol layer answered an error since the last Sync */
    int32_t max_rows;
    mice_buf data; /* COPY data (owned) */
} pgs_job;

struct pgs_conn {
    pgserver *srv;
    ioloop_conn *io;
    pgw_conn *pc;
    pgw_conn_config cfg;
    pgs_conn *prev, *next, *pid_next;
    void *session; /* written by the START job, read by io only once session_ready */
    /* io thread */
    bool session_ready, job_running, io_closed, close_started, releasing;
    bool copy_active; /* between replaying copy_in() and the end of that request */
    bool refused;     /* over the limit: only says so after the StartupMessage */
    char txn;
    pgs_job *q_head, *q_tail;
    size_t copy_backlog;
    mice_buf held_in; /* bytes read while pgw_conn wanted none (a request ran) */
    mice_buf scratch; /* replay's arrays */
    /* shared */
    atomic_bool gone;
    pthread_mutex_t flow_mu; /* protects unreplayed, congested, flow_waiting */
    pthread_cond_t flow_cv;  /* a worker waits here for the window to open */
    size_t unreplayed;
    bool congested; /* the socket's queue is above ioloop's high-water mark */
    bool flow_waiting;
};

struct pgserver {
    pgserver_config cfg;
    char listen_addr[IOLOOP_ADDR_MAX];
    ioloop_listener *listener;
    atomic_int port;
    bool started, stopped; /* controlling thread */
    /* io thread */
    bool stopping;
    pgs_conn *conns;
    size_t n_conns;    /* every pgs_conn not yet freed (stop waits for 0) */
    size_t n_admitted; /* of which not refused: what max_connections limits */
    int32_t next_pid;
    pgs_conn *pids[PID_BUCKETS];
    mice_future *stop_done;
    /* any thread */
    atomic_uint_least64_t conns_open, conns_total, conns_rejected, queries, errors, cancels;
    atomic_uint_least64_t buffered_max;
};

typedef struct pgs_batch {
    pgs_conn *conn;
    mice_buf bytes;
} pgs_batch;

/* Batch ops (native byte order: the batch never leaves the process). */
enum {
    OP_COLUMNS = 1,
    OP_ROW,
    OP_COMPLETE,
    OP_EMPTY,
    OP_SUSPENDED,
    OP_PARAM_DESC,
    OP_NO_DATA,
    OP_ERROR,
    OP_NOTICE,
    OP_PARAM_STATUS,
    OP_COPY_IN,
    OP_COPY_OUT,
    OP_COPY_DATA,
    OP_COPY_DONE,
    OP_VERIFIER,
    OP_TXN,
    OP_SESSION_READY,
    OP_DONE,
    OP_JOB_END,
};

#define STAT_ADD(s, field, v) atomic_fetch_add_explicit(&(s)->field, (v), memory_order_relaxed)

static void pump(pgs_conn *c);
static void kick(pgs_conn *c);
static void maybe_release(pgs_conn *c);

/* ---------------------------------------------------------------- batch encoding */

static void put_i32(mice_buf *b, int32_t v)
{
    buf_append(b, &v, sizeof v);
}

static void put_i16(mice_buf *b, int16_t v)
{
    buf_append(b, &v, sizeof v);
}

static void put_str(mice_buf *b, const char *s)
{
    if (!s) {
        put_i32(b, -1);
        return;
    }
    size_t n = strlen(s);
    mice_assert(n < INT32_MAX);
    put_i32(b, (int32_t)n);
    buf_append(b, s, n + 1);
}

static void put_bytes(mice_buf *b, mice_slice s)
{
    mice_assert(s.n < INT32_MAX);
    put_i32(b, (int32_t)s.n);
    buf_append(b, s.p, s.n);
}

typedef struct reader {
    const uint8_t *p, *end;
} reader;

static void get_raw(reader *r, void *out, size_t n)
{
    mice_assert((size_t)(r->end - r->p) >= n);
    memcpy(out, r->p, n);
    r->p += n;
}

static uint8_t get_u8(reader *r)
{
    uint8_t v;
    get_raw(r, &v, 1);
    return v;
}

static int32_t get_i32(reader *r)
{
    int32_t v;
    get_raw(r, &v, sizeof v);
    return v;
}

static int16_t get_i16(reader *r)
{
    int16_t v;
    get_raw(r, &v, sizeof v);
    return v;
}

static const char *get_str(reader *r)
{
    int32_t n = get_i32(r);
    if (n < 0) return NULL;
    mice_assert((size_t)(r->end - r->p) > (size_t)n);
    const char *s = (const char *)r->p;
    r->p += (size_t)n + 1;
    return s;
}

static mice_slice get_bytes(reader *r)
{
    int32_t n = get_i32(r);
    mice_assert(n >= 0 && (size_t)(r->end - r->p) >= (size_t)n);
    mice_slice s = mice_slice_of(r->p, (size_t)n);
    r->p += n;
    return s;
}

static const size_t error_strings[] = {
    offsetof(pgw_error, severity),      offsetof(pgw_error, sqlstate),
    offsetof(pgw_error, message),       offsetof(pgw_error, detail),
    offsetof(pgw_error, hint),          offsetof(pgw_error, internal_query),
    offsetof(pgw_error, where),         offsetof(pgw_error, schema_name),
    offsetof(pgw_error, table_name),    offsetof(pgw_error, column_name),
    offsetof(pgw_error, datatype_name), offsetof(pgw_error, constraint_name),
    offsetof(pgw_error, file),          offsetof(pgw_error, routine),
};
enum { ERROR_STRINGS = sizeof error_strings / sizeof error_strings[0] };

static void put_error(mice_buf *b, const pgw_error *e)
{
    for (size_t i = 0; i < ERROR_STRINGS; i++)
        put_str(b, *(const char *const *)((const char *)e + error_strings[i]));
    put_i32(b, e->position);
    put_i32(b, e->internal_position);
    put_i32(b, e->line);
}

static pgw_error get_error(reader *r)
{
    pgw_error e = {0};
    for (size_t i = 0; i < ERROR_STRINGS; i++)
        *(const char **)((char *)&e + error_strings[i]) = get_str(r);
    e.position = get_i32(r);
    e.internal_position = get_i32(r);
    e.line = get_i32(r);
    return e;
}

/* ---------------------------------------------------------------- flow control */

static void flow_signal_locked(pgs_conn *c)
{
    bool open = !c->congested && c->unreplayed <= PGSERVER_OUTPUT_LOW_WATER_BYTES;
    if (c->flow_waiting && (open || atomic_load(&c->gone))) pthread_cond_broadcast(&c->flow_cv);
}

/* Any thread: the client is gone or the server stops; workers stop waiting and producing. */
static void mark_gone(pgs_conn *c)
{
    pthread_mutex_lock(&c->flow_mu);
    atomic_store(&c->gone, true);
    flow_signal_locked(c);
    pthread_mutex_unlock(&c->flow_mu);
}

/* Worker: wait while the connection has too much output on its way to the socket. */
static void flow_wait(pgs_conn *c)
{
    pthread_mutex_lock(&c->flow_mu);
    while (!atomic_load(&c->gone) &&
           (c->congested || c->unreplayed > PGSERVER_OUTPUT_HIGH_WATER_BYTES)) {
        c->flow_waiting = true;
        pthread_cond_wait(&c->flow_cv, &c->flow_mu);
    }
    c->flow_waiting = false;
    pthread_mutex_unlock(&c->flow_mu);
}

/* ---------------------------------------------------------------- the worker's sink */

typedef struct pgs_sink {
    pgs_conn *conn;
    mice_buf batch;
    bool copy_in_started;
    bool copy_out_active;
    bool failed; /* error() was reported */
    pgb_sink sink;
} pgs_sink;

static void replay_batch(void *p);

/* Worker: hand the batch to the io thread. */
static void post_batch(pgs_sink *s)
{
    pgs_conn *c = s->conn;
    if (s->batch.n == 0) return;
    pgs_batch *b = mice_malloc(sizeof *b);
    b->conn = c;
    b->bytes = s->batch;
    buf_init(&s->batch);
    pthread_mutex_lock(&c->flow_mu);
    c->unreplayed += b->bytes.n;
    pthread_mutex_unlock(&c->flow_mu);
    mice_status rc = ioloop_post(c->srv->cfg.loop, replay_batch, b);
    if (rc) {
        /* The loop stopped before pgserver_stop: the contract was broken; the connection
         * can no longer be released. */
        log_error("pgserver: io loop gone while a request was answering; leaking connection");
        buf_deinit(&b->bytes);
        free(b);
    }
}

static mice_status sink_emitted(pgs_sink *s, bool may_block)
{
    if (s->batch.n >= PGSERVER_BATCH_BYTES) {
        post_batch(s);
        if (may_block) flow_wait(s->conn);
    }
    return atomic_load_explicit(&s->conn->gone, memory_order_relaxed) ? MICE_CLOSED : MICE_OK;
}

static mice_status sink_begin(pgs_sink *s, uint8_t op)
{
    if (atomic_load_explicit(&s->conn->gone, memory_order_relaxed)) return MICE_CLOSED;
    buf_append_u8(&s->batch, op);
    return MICE_OK;
}

static mice_status sink_columns(void *ctx, const pgw_field *fields, size_t n)
{
    pgs_sink *s = ctx;
    if (sink_begin(s, OP_COLUMNS)) return MICE_CLOSED;
    put_i32(&s->batch, (int32_t)n);
    for (size_t i = 0; i < n; i++) {
        const pgw_field *f = &fields[i];
        put_str(&s->batch, f->name);
        put_i32(&s->batch, f->table_oid);
        put_i16(&s->batch, f->attnum);
        put_i32(&s->batch, f->type_oid);
        put_i16(&s->batch, f->typlen);
        put_i32(&s->batch, f->typmod);
        put_i16(&s->batch, f->format);
    }
    return sink_emitted(s, false);
}

static mice_status sink_row(void *ctx, const pgw_value *values, size_t n)
{
    pgs_sink *s = ctx;
    if (sink_begin(s, OP_ROW)) return MICE_CLOSED;
    mice_assert(n <= INT16_MAX);
    put_i32(&s->batch, (int32_t)n);
    for (size_t i = 0; i < n; i++) {
        if (values[i].is_null)
            put_i32(&s->batch, -1);
        else
            put_bytes(&s->batch, values[i].data);
    }
    return sink_emitted(s, true);
}

static mice_status sink_str_op(pgs_sink *s, uint8_t op, const char *str)
{
    if (sink_begin(s, op)) return MICE_CLOSED;
    if (op == OP_COMPLETE) put_str(&s->batch, str);
    return sink_emitted(s, false);
}

static mice_status sink_command_complete(void *ctx, const char *tag)
{
    pgs_sink *s = ctx;
    if (s->copy_out_active) {
        s->copy_out_active = false;
        if (sink_str_op(s, OP_COPY_DONE, NULL)) return MICE_CLOSED;
    }
    return sink_str_op(s, OP_COMPLETE, tag);
}

static mice_status sink_empty_query(void *ctx)
{
    return sink_str_op(ctx, OP_EMPTY, NULL);
}

static mice_status sink_no_data(void *ctx)
{
    return sink_str_op(ctx, OP_NO_DATA, NULL);
}

static mice_status sink_error_op(pgs_sink *s, uint8_t op, const pgb_error *e)
{
    mice_assert(e->severity && e->sqlstate && e->message);
    if (sink_begin(s, op)) return MICE_CLOSED;
    put_error(&s->batch, e);
    return sink_emitted(s, false);
}

static mice_status sink_error(void *ctx, const pgb_error *e)
{
    pgs_sink *s = ctx;
    s->failed = true;
    s->copy_out_active = false;
    STAT_ADD(s->conn->srv, errors, 1);
    return sink_error_op(s, OP_ERROR, e);
}

static mice_status sink_notice(void *ctx, const pgb_error *e)
{
    return sink_error_op(ctx, OP_NOTICE, e);
}

static mice_status sink_parameter_status(void *ctx, const char *name, const char *value)
{
    pgs_sink *s = ctx;
    if (sink_begin(s, OP_PARAM_STATUS)) return MICE_CLOSED;
    put_str(&s->batch, name);
    put_str(&s->batch, value);
    return sink_emitted(s, false);
}

static mice_status sink_parameter_description(void *ctx, const pgw_oid_t *types, size_t n)
{
    pgs_sink *s = ctx;
    if (sink_begin(s, OP_PARAM_DESC)) return MICE_CLOSED;
    mice_assert(n <= UINT16_MAX);
    put_i32(&s->batch, (int32_t)n);
    for (size_t i = 0; i < n; i++)
        put_i32(&s->batch, types[i]);
    return sink_emitted(s, false);
}

static mice_status sink_copy_op(pgs_sink *s, uint8_t op, int8_t format, const int16_t *formats,
                                size_t n)
{
    if (sink_begin(s, op)) return MICE_CLOSED;
    mice_assert(n <= INT16_MAX);
    buf_append_u8(&s->batch, (uint8_t)format);
    put_i32(&s->batch, (int32_t)n);
    for (size_t i = 0; i < n; i++)
        put_i16(&s->batch, formats[i]);
    return sink_emitted(s, false);
}

static mice_status sink_copy_in(void *ctx, int8_t format, const int16_t *formats, size_t n)
{
    pgs_sink *s = ctx;
    s->copy_in_started = true;
    return sink_copy_op(s, OP_COPY_IN, format, formats, n);
}

static mice_status sink_copy_out(void *ctx, int8_t format, const int16_t *formats, size_t n)
{
    pgs_sink *s = ctx;
    s->copy_out_active = true;
    return sink_copy_op(s, OP_COPY_OUT, format, formats, n);
}

static mice_status sink_copy_row(void *ctx, mice_slice bytes)
{
    pgs_sink *s = ctx;
    if (sink_begin(s, OP_COPY_DATA)) return MICE_CLOSED;
    put_bytes(&s->batch, bytes);
    return sink_emitted(s, true);
}

static const pgb_sink_ops sink_ops = {
    .columns = sink_columns,
    .row = sink_row,
    .command_complete = sink_command_complete,
    .empty_query = sink_empty_query,
    .error = sink_error,
    .notice = sink_notice,
    .parameter_status = sink_parameter_status,
    .parameter_description = sink_parameter_description,
    .no_data = sink_no_data,
    .copy_in = sink_copy_in,
    .copy_out = sink_copy_out,
    .copy_row = sink_copy_row,
};

static void sink_init(pgs_sink *s, pgs_conn *c)
{
    *s = (pgs_sink){.conn = c};
    buf_init(&s->batch);
    s->sink = (pgb_sink){.ops = &sink_ops, .ctx = s};
}

/* ---------------------------------------------------------------- jobs on the worker */

static mice_status call_verifier(pgs_job *job, pgs_sink *s)
{
    const pgb_backend_vtab *be = job->conn->srv->cfg.backend;
    mice_buf text;
    buf_init(&text);
    scram_verifier v;
    mice_err err;
    mice_status rc = be->lookup_verifier(job->conn->srv->cfg.backend_ctx, job->text, &text);
    bool found = rc == MICE_OK;
    if (found && scram_verifier_parse(buf_slice(&text), &v, &err) != MICE_OK) {
        log_warn("pgserver: unusable SCRAM verifier for user \"%s\": %s", job->text, err.msg);
        found = false;
    }
    buf_deinit(&text);
    buf_append_u8(&s->batch, OP_VERIFIER);
    buf_append_u8(&s->batch, found);
    if (found) buf_append(&s->batch, &v, sizeof v);
    return MICE_OK;
}

static mice_status call_backend(pgs_job *job, pgs_sink *s, bool *suspended)
{
    pgs_conn *c = job->conn;
    const pgb_backend_vtab *be = c->srv->cfg.backend;
    void *bctx = c->srv->cfg.backend_ctx;
    pgb_sink *k = &s->sink;
    switch (job->kind) {
    case JOB_VERIFIER:
        return call_verifier(job, s);
    case JOB_START: {
        void *session = NULL; /* only a MICE_OK create hands one over */
        mice_status rc = be->session_create(bctx, job->info, k, &session);
        if (rc == MICE_OK) c->session = session;
        return rc;
    }
    case JOB_QUERY:
        return be->query(bctx, c->session, job->text, job->text_len, k);
    case JOB_PARSE: {
        const pgw_parse_msg *m = &job->parse;
        return be->parse(bctx, c->session, m->stmt_name, m->query, m->query_len, m->param_types,
                         m->n_param_types, k);
    }
    case JOB_BIND:
        return be->bind(bctx, c->session, &job->bind, k);
    case JOB_DESCRIBE:
        if (job->which == 'S') return be->describe_statement(bctx, c->session, job->text, k);
        return be->describe_portal(bctx, c->session, job->text, k);
    case JOB_EXECUTE:
        return be->execute(bctx, c->session, job->text, job->max_rows, k, suspended);
    case JOB_CLOSE:
        return be->close(bctx, c->session, job->which, job->text, k);
    case JOB_SYNC:
        return be->sync(bctx, c->session, job->after_error, k);
    case JOB_COPY_DATA:
        return be->copy_data(bctx, c->session, buf_slice(&job->data), k);
    case JOB_COPY_DONE:
        return be->copy_done(bctx, c->session, k);
    case JOB_COPY_FAIL:
        return be->copy_fail(bctx, c->session, job->text, k);
    case JOB_DESTROY:
        break;
    }
    mice_unreachable();
}

/* Does this job's end also end the pgw_conn request? */
static bool job_ends_request(const pgs_job *job, const pgs_sink *s)
{
    switch (job->kind) {
    case JOB_VERIFIER:
        return false; /* OP_VERIFIER ends it */
    case JOB_QUERY:
    case JOB_EXECUTE:
        return !s->copy_in_started || s->failed;
    case JOB_COPY_DATA:
        return s->failed;
    default:
        return true;
    }
}

/* Worker: turn the backend's return into the end of the request, and post it. */
static void finish_job(pgs_job *job, pgs_sink *s, mice_status rc, bool suspended)
{
    pgs_conn *c = job->conn;
    const pgb_backend_vtab *be = c->srv->cfg.backend;
    if (rc && rc != MICE_CLOSED && !s->failed && job->kind != JOB_VERIFIER) {
        bool fatal = job->kind == JOB_START || rc == MICE_ABORTED;
        pgw_error e = {.severity = fatal ? "FATAL" : "ERROR",
                       .sqlstate = rc == MICE_ABORTED ? "57P01" : "XX000",
                       .message = rc == MICE_ABORTED ? "terminating connection due to shutdown"
                                                     : mice_status_str(rc)};
        sink_error(s, &e);
    }
    if (job->kind == JOB_VERIFIER && rc != MICE_OK) { /* aborted: nobody logs in */
        buf_append_u8(&s->batch, OP_VERIFIER);
        buf_append_u8(&s->batch, 0);
    }
    if (job->kind == JOB_START && rc == MICE_OK) buf_append_u8(&s->batch, OP_SESSION_READY);
    if (suspended && !s->failed) buf_append_u8(&s->batch, OP_SUSPENDED);
    if (c->session && (job->kind != JOB_START || rc == MICE_OK)) {
        buf_append_u8(&s->batch, OP_TXN);
        buf_append_u8(&s->batch, (uint8_t)be->txn_status(c->srv->cfg.backend_ctx, c->session));
    }
    if (job_ends_request(job, s)) buf_append_u8(&s->batch, OP_DONE);
    buf_append_u8(&s->batch, OP_JOB_END);
    post_batch(s);
    buf_deinit(&s->batch);
}

static void job_free(pgs_job *job)
{
    buf_deinit(&job->data);
    free(job);
}

static void conn_free(void *p);

static void run_job(void *ctx, mice_status status)
{
    pgs_job *job = ctx;
    pgs_conn *c = job->conn;
    if (job->kind == JOB_DESTROY) {
        c->srv->cfg.backend->session_destroy(c->srv->cfg.backend_ctx, c->session);
        c->session = NULL;
        job_free(job);
        if (ioloop_post(c->srv->cfg.loop, conn_free, c))
            log_error("pgserver: io loop gone before a connection was released");
        return;
    }
    pgs_sink s;
    sink_init(&s, c);
    bool suspended = false;
    mice_status rc = MICE_ABORTED;
    if (status == MICE_OK && job->kind == JOB_START && atomic_load(&c->gone))
        rc = MICE_CLOSED;
    else if (status == MICE_OK)
        rc = call_backend(job, &s, &suspended);
    finish_job(job, &s, rc, suspended);
    job_free(job);
}

/* ---------------------------------------------------------------- replay on the io thread */

static void replay_columns(pgs_conn *c, reader *r)
{
    size_t n = (size_t)get_i32(r);
    buf_reset(&c->scratch);
    pgw_field *f = (pgw_field *)buf_extend(&c->scratch, n * sizeof *f);
    for (size_t i = 0; i < n; i++) {
        f[i].name = get_str(r);
        f[i].table_oid = get_i32(r);
        f[i].attnum = get_i16(r);
        f[i].type_oid = get_i32(r);
        f[i].typlen = get_i16(r);
        f[i].typmod = get_i32(r);
        f[i].format = get_i16(r);
    }
    if (!c->io_closed) pgw_conn_row_description(c->pc, f, n);
}

static void replay_row(pgs_conn *c, reader *r)
{
    size_t n = (size_t)get_i32(r);
    buf_reset(&c->scratch);
    pgw_value *v = (pgw_value *)buf_extend(&c->scratch, n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        reader peek = *r;
        if (get_i32(&peek) < 0) {
            *r = peek;
            v[i] = (pgw_value){.is_null = true};
        } else {
            v[i] = (pgw_value){.data = get_bytes(r)};
        }
    }
    if (!c->io_closed) pgw_conn_data_row(c->pc, v, n);
}

static void replay_param_desc(pgs_conn *c, reader *r)
{
    size_t n = (size_t)get_i32(r);
    buf_reset(&c->scratch);
    pgw_oid_t *t = (pgw_oid_t *)buf_extend(&c->scratch, n * sizeof *t + 1);
    for (size_t i = 0; i < n; i++)
        t[i] = get_i32(r);
    if (!c->io_closed) pgw_conn_parameter_description(c->pc, t, n);
}

static void replay_copy(pgs_conn *c, reader *r, uint8_t op)
{
    int8_t format = (int8_t)get_u8(r);
    size_t n = (size_t)get_i32(r);
    buf_reset(&c->scratch);
    int16_t *f = (int16_t *)buf_extend(&c->scratch, n * sizeof *f + 1);
    for (size_t i = 0; i < n; i++)
        f[i] = get_i16(r);
    if (c->io_closed) return;
    if (op == OP_COPY_IN) {
        c->copy_active = true;
        pgw_conn_copy_in(c->pc, format, f, n);
    } else {
        pgw_conn_copy_out(c->pc, format, f, n);
    }
}

static void replay_verifier(pgs_conn *c, reader *r)
{
    bool found = get_u8(r) != 0;
    scram_verifier v;
    if (found) get_raw(r, &v, sizeof v);
    pgw_conn_provide_verifier(c->pc, found ? &v : NULL);
}

/* The ops that only keep books; they run even after the socket closed. */
static bool replay_bookkeeping(pgs_conn *c, reader *r, uint8_t op)
{
    switch (op) {
    case OP_TXN:
        c->txn = (char)get_u8(r);
        return true;
    case OP_SESSION_READY:
        c->session_ready = true;
        return true;
    case OP_JOB_END:
        c->job_running = false;
        return true;
    default:
        return false;
    }
}

static void replay_op(pgs_conn *c, reader *r)
{
    uint8_t op = get_u8(r);
    if (replay_bookkeeping(c, r, op)) return;
    bool live = !c->io_closed;
    switch (op) {
    case OP_COLUMNS:
        replay_columns(c, r);
        return;
    case OP_ROW:
        replay_row(c, r);
        return;
    case OP_PARAM_DESC:
        replay_param_desc(c, r);
        return;
    case OP_COPY_IN:
    case OP_COPY_OUT:
        replay_copy(c, r, op);
        return;
    case OP_VERIFIER:
        replay_verifier(c, r);
        return;
    case OP_ERROR:
    case OP_NOTICE: {
        pgw_error e = get_error(r);
        if (live && op == OP_ERROR) pgw_conn_error(c->pc, &e);
        if (live && op == OP_NOTICE) pgw_conn_notice(c->pc, &e);
        return;
    }
    case OP_PARAM_STATUS: {
        const char *name = get_str(r), *value = get_str(r);
        if (live) pgw_conn_parameter_status(c->pc, name, value);
        return;
    }
    case OP_COPY_DATA: {
        mice_slice d = get_bytes(r);
        if (live) pgw_conn_copy_data(c->pc, d);
        return;
    }
    case OP_COMPLETE: {
        const char *tag = get_str(r);
        if (live) pgw_conn_command_complete(c->pc, tag);
        return;
    }
    }
    if (!live) return;
    switch (op) {
    case OP_EMPTY:
        pgw_conn_empty_query(c->pc);
        return;
    case OP_SUSPENDED:
        pgw_conn_portal_suspended(c->pc);
        return;
    case OP_NO_DATA:
        pgw_conn_no_data(c->pc);
        return;
    case OP_COPY_DONE:
        pgw_conn_copy_done(c->pc);
        return;
    case OP_DONE:
        c->copy_active = false;
        pgw_conn_done(c->pc);
        return;
    }
    mice_unreachable();
}

static void replay_batch(void *p)
{
    pgs_batch *b = p;
    pgs_conn *c = b->conn;
    reader r = {b->bytes.p, b->bytes.p + b->bytes.n};
    while (r.p < r.end)
        replay_op(c, &r);
    pthread_mutex_lock(&c->flow_mu);
    c->unreplayed -= b->bytes.n;
    flow_signal_locked(c);
    pthread_mutex_unlock(&c->flow_mu);
    buf_deinit(&b->bytes);
    free(b);
    kick(c);
    pump(c);
    maybe_release(c);
}

/* ---------------------------------------------------------------- the io side of a conn */

static void update_buffered_max(pgs_conn *c)
{
    pthread_mutex_lock(&c->flow_mu);
    uint64_t n = c->unreplayed;
    pthread_mutex_unlock(&c->flow_mu);
    n += pgw_conn_output_bytes(c->pc);
    if (!c->io_closed) n += ioloop_conn_pending_bytes(c->io);
    uint64_t seen = atomic_load_explicit(&c->srv->buffered_max, memory_order_relaxed);
    while (n > seen && !atomic_compare_exchange_weak(&c->srv->buffered_max, &seen, n)) {
    }
}

static void cancel_running(pgs_conn *c)
{
    if (c->job_running && c->session_ready)
        c->srv->cfg.backend->cancel(c->srv->cfg.backend_ctx, c->session);
}

static void purge_queue(pgs_conn *c)
{
    while (c->q_head) {
        pgs_job *j = c->q_head;
        c->q_head = j->next;
        job_free(j);
    }
    c->q_tail = NULL;
    c->copy_backlog = 0;
}

static void begin_close(pgs_conn *c)
{
    if (c->close_started) return;
    c->close_started = true;
    mark_gone(c);
    cancel_running(c);
    purge_queue(c);
    if (!c->io_closed) ioloop_conn_close(c->io);
}

static pgs_conn *pid_lookup(pgserver *s, int32_t pid)
{
    pgs_conn *c = s->pids[(uint32_t)pid % PID_BUCKETS];
    while (c && c->cfg.backend_pid != pid)
        c = c->pid_next;
    return c;
}

static void deliver_cancel(pgserver *s, int32_t pid, int32_t key)
{
    pgs_conn *t = pid_lookup(s, pid);
    if (!t || t->cfg.secret_key != key || t->close_started) return; /* silently, like PG */
    STAT_ADD(s, cancels, 1);
    cancel_running(t);
}

/* Input held while a request ran goes to pgw_conn once it wants input again. */
static void feed_held(pgs_conn *c)
{
    if (c->held_in.n == 0 || c->close_started || !pgw_conn_wants_input(c->pc)) return;
    mice_buf in = c->held_in;
    buf_init(&c->held_in);
    pgw_conn_recv(c->pc, in.p, in.n);
    buf_deinit(&in);
}

/* After anything happened to c: move output to the socket, act on cancel and close. */
static void pump(pgs_conn *c)
{
    feed_held(c);
    if (!c->io_closed) {
        mice_buf out;
        buf_init(&out);
        pgw_conn_take_output(c->pc, &out);
        if (out.n) ioloop_conn_write_buf(c->io, &out);
        buf_deinit(&out);
        if (ioloop_conn_pending_bytes(c->io) > IOLOOP_WRITE_HIGH_WATER_BYTES) {
            pthread_mutex_lock(&c->flow_mu);
            c->congested = true;
            pthread_mutex_unlock(&c->flow_mu);
        }
    }
    int32_t pid, key;
    while (pgw_conn_take_cancel(c->pc, &pid, &key))
        deliver_cancel(c->srv, pid, key);
    /* A peer's EOF starts ioloop's graceful close: PostgreSQL treats it as Terminate. */
    bool peer_left = !c->io_closed && ioloop_conn_is_closing(c->io);
    if (pgw_conn_closing(c->pc) || peer_left) begin_close(c);
    update_buffered_max(c);
}

static void pid_register(pgserver *s, pgs_conn *c)
{
    do {
        if (s->next_pid <= 0 || s->next_pid == INT32_MAX) s->next_pid = PID_FIRST;
        c->cfg.backend_pid = s->next_pid++;
    } while (pid_lookup(s, c->cfg.backend_pid));
    pgs_conn **head = &s->pids[(uint32_t)c->cfg.backend_pid % PID_BUCKETS];
    c->pid_next = *head;
    *head = c;
}

static void pid_unregister(pgserver *s, pgs_conn *c)
{
    pgs_conn **pp = &s->pids[(uint32_t)c->cfg.backend_pid % PID_BUCKETS];
    while (*pp && *pp != c)
        pp = &(*pp)->pid_next;
    if (*pp) *pp = c->pid_next;
    c->pid_next = NULL;
}

static void conn_free(void *p)
{
    pgs_conn *c = p;
    pgserver *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    pgw_conn_destroy(c->pc);
    ioloop_conn_unref(c->io);
    buf_deinit(&c->scratch);
    buf_deinit(&c->held_in);
    pthread_mutex_destroy(&c->flow_mu);
    pthread_cond_destroy(&c->flow_cv);
    free(c);
    s->n_conns--;
    if (s->stopping && s->n_conns == 0 && s->stop_done) {
        mice_future *done = s->stop_done; /* s may be freed as soon as it completes */
        s->stop_done = NULL;
        future_complete(done, NULL, NULL);
    }
}

/* Once the socket closed and no job runs: destroy the session (on a worker), then free. */
static void maybe_release(pgs_conn *c)
{
    if (!c->io_closed || c->job_running || c->releasing) return;
    c->releasing = true;
    if (!c->session_ready) {
        conn_free(c);
        return;
    }
    pgs_job *job = mice_calloc(1, sizeof *job);
    job->kind = JOB_DESTROY;
    job->conn = c;
    if (workpool_submit(c->srv->cfg.pool, run_job, job)) {
        job_free(job);
        c->srv->cfg.backend->session_destroy(c->srv->cfg.backend_ctx, c->session);
        conn_free(c);
    }
}

/* ---------------------------------------------------------------- requests from pgw_conn */

static pgs_job *job_new(pgs_conn *c, job_kind kind)
{
    pgs_job *job = mice_calloc(1, sizeof *job);
    job->kind = kind;
    job->conn = c;
    buf_init(&job->data);
    return job;
}

/* The pool refused the job (shutdown, or its queue is full): answer it here. */
static void answer_refused(pgs_conn *c, pgs_job *job, mice_status rc)
{
    if (job->kind == JOB_VERIFIER) {
        pgw_conn_provide_verifier(c->pc, NULL);
        return;
    }
    pgw_error e = {.severity = job->kind == JOB_START ? "FATAL" : "ERROR",
                   .sqlstate = rc == MICE_CLOSED ? "57P03" : "53000",
                   .message = rc == MICE_CLOSED ? "the database system is shutting down"
                                                : "the server is too busy; try again"};
    STAT_ADD(c->srv, errors, 1);
    pgw_conn_error(c->pc, &e);
    pgw_conn_done(c->pc);
}

static bool is_copy_job(const pgs_job *job)
{
    return job->kind == JOB_COPY_DATA || job->kind == JOB_COPY_DONE || job->kind == JOB_COPY_FAIL;
}

static void kick(pgs_conn *c)
{
    while (!c->job_running && c->q_head && !c->close_started) {
        pgs_job *job = c->q_head;
        c->q_head = job->next;
        if (!c->q_head) c->q_tail = NULL;
        job->next = NULL;
        if (job->kind == JOB_COPY_DATA) c->copy_backlog -= job->data.n;
        if (is_copy_job(job) && !c->copy_active) { /* the COPY ended with an error */
            job_free(job);
            continue;
        }
        c->job_running = true;
        mice_status rc = workpool_submit(c->srv->cfg.pool, run_job, job);
        if (rc == MICE_OK) return;
        c->job_running = false;
        answer_refused(c, job, rc); /* may enqueue (and kick) the next request */
        job_free(job);
    }
}

static void enqueue(pgs_conn *c, pgs_job *job)
{
    if (c->q_tail)
        c->q_tail->next = job;
    else
        c->q_head = job;
    c->q_tail = job;
    kick(c);
}

static void on_lookup_verifier(void *ctx, pgw_conn *pc, const char *user)
{
    pgs_conn *c = ctx;
    if (!c->srv->cfg.backend->lookup_verifier) {
        pgw_conn_provide_verifier(pc, NULL);
        return;
    }
    pgs_job *job = job_new(c, JOB_VERIFIER);
    job->text = user;
    enqueue(c, job);
}

static void on_start(void *ctx, pgw_conn *pc, const pgw_startup_info *info)
{
    (void)pc;
    pgs_job *job = job_new(ctx, JOB_START);
    job->info = info;
    enqueue(ctx, job);
}

static void on_query(void *ctx, pgw_conn *pc, const char *sql, size_t sql_len)
{
    (void)pc;
    pgs_conn *c = ctx;
    STAT_ADD(c->srv, queries, 1);
    pgs_job *job = job_new(c, JOB_QUERY);
    job->text = sql;
    job->text_len = sql_len;
    enqueue(c, job);
}

static void on_parse(void *ctx, pgw_conn *pc, const pgw_parse_msg *m)
{
    (void)pc;
    pgs_job *job = job_new(ctx, JOB_PARSE);
    job->parse = *m;
    enqueue(ctx, job);
}

static void on_bind(void *ctx, pgw_conn *pc, const pgw_bind_msg *m)
{
    (void)pc;
    pgs_job *job = job_new(ctx, JOB_BIND);
    job->bind = *m;
    enqueue(ctx, job);
}

static void on_describe(void *ctx, pgw_conn *pc, char kind, const char *name)
{
    (void)pc;
    pgs_job *job = job_new(ctx, JOB_DESCRIBE);
    job->which = kind;
    job->text = name;
    enqueue(ctx, job);
}

static void on_execute(void *ctx, pgw_conn *pc, const char *portal, int32_t max_rows)
{
    (void)pc;
    pgs_conn *c = ctx;
    STAT_ADD(c->srv, queries, 1);
    pgs_job *job = job_new(c, JOB_EXECUTE);
    job->text = portal;
    job->max_rows = max_rows;
    enqueue(c, job);
}

static void on_close_msg(void *ctx, pgw_conn *pc, char kind, const char *name)
{
    (void)pc;
    pgs_job *job = job_new(ctx, JOB_CLOSE);
    job->which = kind;
    job->text = name;
    enqueue(ctx, job);
}

static void on_sync(void *ctx, pgw_conn *pc, bool after_error)
{
    (void)pc;
    pgs_job *job = job_new(ctx, JOB_SYNC);
    job->after_error = after_error;
    enqueue(ctx, job);
}

/* CopyData borrows the frame for this call only: copy it, coalescing with queued data. */
static void on_copy_data(void *ctx, pgw_conn *pc, mice_slice data)
{
    (void)pc;
    pgs_conn *c = ctx;
    if (c->copy_backlog + data.n > PGSERVER_COPY_BACKLOG_MAX_BYTES) {
        /* ioloop cannot pause reading on demand; a client far ahead of the backend is cut
         * off rather than buffered without bound. */
        log_warn("pgserver: %s: COPY data backlog over %d bytes; closing", ioloop_conn_peer(c->io),
                 PGSERVER_COPY_BACKLOG_MAX_BYTES);
        begin_close(c);
        return;
    }
    c->copy_backlog += data.n;
    if (c->q_tail && c->q_tail->kind == JOB_COPY_DATA) {
        buf_append_slice(&c->q_tail->data, data);
        return;
    }
    pgs_job *job = job_new(c, JOB_COPY_DATA);
    buf_append_slice(&job->data, data);
    enqueue(c, job);
}

static void on_copy_done(void *ctx, pgw_conn *pc)
{
    (void)pc;
    enqueue(ctx, job_new(ctx, JOB_COPY_DONE));
}

static void on_copy_fail(void *ctx, pgw_conn *pc, const char *message)
{
    (void)pc;
    pgs_job *job = job_new(ctx, JOB_COPY_FAIL);
    job->text = message;
    enqueue(ctx, job);
}

static char on_txn_status(void *ctx)
{
    pgs_conn *c = ctx;
    return c->txn;
}

static const pgw_session_vtab session_vt = {
    .lookup_verifier = on_lookup_verifier,
    .start = on_start,
    .query = on_query,
    .parse = on_parse,
    .bind = on_bind,
    .describe = on_describe,
    .execute = on_execute,
    .close = on_close_msg,
    .sync = on_sync,
    .copy_data = on_copy_data,
    .copy_done = on_copy_done,
    .copy_fail = on_copy_fail,
    .txn_status = on_txn_status,
};

/* ---------------------------------------------------------------- sockets */

static bool peer_is_loopback(const char *peer)
{
    return strncmp(peer, "127.", 4) == 0 || strncmp(peer, "[::1]:", 6) == 0 ||
           strncmp(peer, "[::ffff:127.", 12) == 0;
}

static int32_t draw_secret(void)
{
    int32_t secret;
    if (RAND_bytes((unsigned char *)&secret, sizeof secret) != 1)
        secret = (int32_t)env_entropy(mice_env_real());
    return secret;
}

/* A refused connection speaks the protocol until its StartupMessage (so SSLRequest gets
 * its 'N' and a CancelRequest still works, as in PostgreSQL), then hears why. It skips
 * authentication (trust) since it gets no session either way. */
static void refuse_start(void *ctx, pgw_conn *pc, const pgw_startup_info *info)
{
    (void)info;
    pgs_conn *c = ctx;
    pgw_error e = {
        .severity = "FATAL", .sqlstate = "53300", .message = "sorry, too many clients already"};
    if (c->srv->stopping) {
        e.sqlstate = "57P03";
        e.message = "the database system is shutting down";
    }
    pgw_conn_error(pc, &e);
    pgw_conn_done(pc);
}

static const pgw_session_vtab refuse_vt = {.start = refuse_start, .txn_status = on_txn_status};

/* Too many refusals in flight: say it at once and close (a client in the SSL exchange
 * then reads "error response during SSL exchange", which is the best it can get). */
static void refuse_now(ioloop_conn *io)
{
    pgw_error e = {
        .severity = "FATAL", .sqlstate = "53300", .message = "sorry, too many clients already"};
    mice_buf b;
    buf_init(&b);
    pgw_put_error_response(&b, &e);
    ioloop_conn_write_buf(io, &b);
    buf_deinit(&b);
    ioloop_conn_close(io);
}

static void conn_config(pgs_conn *c, bool refused)
{
    pgserver *s = c->srv;
    c->refused = refused;
    c->cfg.insecure = refused || s->cfg.insecure;
    c->cfg.peer_is_loopback = refused || peer_is_loopback(ioloop_conn_peer(c->io));
    c->cfg.max_msg_bytes = s->cfg.max_msg_bytes;
    c->cfg.is_superuser = true; /* roles and grants come with the catalog */
    if (refused) return;
    c->cfg.secret_key = draw_secret();
    pid_register(s, c);
}

static void on_open(ioloop_conn *io, void *ctx)
{
    pgserver *s = ctx;
    bool refused = s->stopping || s->n_admitted >= s->cfg.max_connections;
    if (refused) STAT_ADD(s, conns_rejected, 1);
    if (refused && s->n_conns - s->n_admitted >= REFUSING_MAX) {
        refuse_now(io);
        return;
    }
    pgs_conn *c = mice_calloc(1, sizeof *c);
    c->srv = s;
    c->io = io;
    ioloop_conn_ref(io);
    c->txn = 'I';
    buf_init(&c->scratch);
    buf_init(&c->held_in);
    pthread_mutex_init(&c->flow_mu, NULL);
    pthread_cond_init(&c->flow_cv, NULL);
    conn_config(c, refused);
    c->pc = pgw_conn_create(&c->cfg, refused ? &refuse_vt : &session_vt, c);
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->n_conns++;
    ioloop_conn_set_data(io, c);
    if (refused) return;
    s->n_admitted++;
    STAT_ADD(s, conns_open, 1);
    STAT_ADD(s, conns_total, 1);
}

/* One largest message plus one read: what a client may send ahead of a running request. */
static size_t held_in_max(const pgserver *s)
{
    size_t msg = s->cfg.max_msg_bytes ? s->cfg.max_msg_bytes : PGW_MSG_MAX_BYTES_DEFAULT;
    return msg + IOLOOP_READ_BUF_BYTES;
}

static void on_data(ioloop_conn *io, mice_slice bytes)
{
    pgs_conn *c = ioloop_conn_data(io);
    if (!c) return;
    if (c->held_in.n == 0 && pgw_conn_wants_input(c->pc)) {
        pgw_conn_recv(c->pc, bytes.p, bytes.n);
    } else if (c->held_in.n + bytes.n <= held_in_max(c->srv)) {
        buf_append_slice(&c->held_in, bytes); /* ioloop cannot pause reading on demand */
    } else {
        log_warn("pgserver: %s: %zu bytes pipelined behind a running request; closing",
                 ioloop_conn_peer(io), c->held_in.n + bytes.n);
        begin_close(c);
    }
    pump(c);
}

static void on_drain(ioloop_conn *io)
{
    pgs_conn *c = ioloop_conn_data(io);
    if (!c) return;
    pthread_mutex_lock(&c->flow_mu);
    c->congested = false;
    flow_signal_locked(c);
    pthread_mutex_unlock(&c->flow_mu);
}

static void on_close(ioloop_conn *io, mice_status why)
{
    (void)why;
    pgs_conn *c = ioloop_conn_data(io);
    if (!c) return;
    ioloop_conn_set_data(io, NULL);
    c->close_started = true;
    c->io_closed = true;
    mark_gone(c);
    cancel_running(c);
    purge_queue(c);
    if (!c->refused) {
        pid_unregister(c->srv, c);
        c->srv->n_admitted--;
        atomic_fetch_sub_explicit(&c->srv->conns_open, 1, memory_order_relaxed);
    }
    maybe_release(c);
}

static const ioloop_conn_ops conn_ops = {
    .on_open = on_open,
    .on_data = on_data,
    .on_drain = on_drain,
    .on_close = on_close,
};

/* ---------------------------------------------------------------- the server */

static bool backend_complete(const pgb_backend_vtab *b)
{
    return b->session_create && b->session_destroy && b->query && b->parse && b->bind &&
           b->describe_statement && b->describe_portal && b->execute && b->close && b->sync &&
           b->txn_status && b->cancel && b->copy_data && b->copy_done && b->copy_fail;
}

mice_status pgserver_create(const pgserver_config *cfg, pgserver **out, mice_err *err)
{
    *out = NULL;
    if (!cfg->listen_addr || strlen(cfg->listen_addr) >= IOLOOP_ADDR_MAX)
        return mice_err_setf(err, MICE_INVALID, "pgserver: listen address missing or too long");
    if (!cfg->loop || !cfg->pool || !cfg->backend)
        return mice_err_setf(err, MICE_INVALID, "pgserver: loop, pool and backend are required");
    if (!backend_complete(cfg->backend))
        return mice_err_setf(err, MICE_INVALID, "pgserver: backend vtab is incomplete");
    pgserver *s = mice_calloc(1, sizeof *s);
    s->cfg = *cfg;
    snprintf(s->listen_addr, sizeof s->listen_addr, "%s", cfg->listen_addr);
    s->cfg.listen_addr = s->listen_addr;
    if (s->cfg.max_connections == 0) s->cfg.max_connections = PGSERVER_MAX_CONNECTIONS_DEFAULT;
    s->next_pid = PID_FIRST;
    *out = s;
    return MICE_OK;
}

mice_status pgserver_start(pgserver *s, mice_err *err)
{
    mice_assert(!s->started);
    mice_status rc = ioloop_listen(s->cfg.loop, s->listen_addr, &conn_ops, s, &s->listener, err);
    if (rc) return rc;
    s->started = true;
    atomic_store(&s->port, ioloop_listener_port(s->listener));
    const char *colon = strrchr(s->listen_addr, ':');
    int host_len = colon ? (int)(colon - s->listen_addr) : 0;
    log_info("pgserver: listening on %.*s:%d, max %zu connections, %d workers", host_len,
             s->listen_addr, atomic_load(&s->port), s->cfg.max_connections,
             workpool_threads(s->cfg.pool));
    if (s->cfg.insecure)
        log_warn(
            "pgserver: INSECURE mode: loopback clients only, trusted unless they have a password");
    return MICE_OK;
}

int pgserver_port(const pgserver *s)
{
    return atomic_load(&((pgserver *)s)->port);
}

typedef struct stop_call {
    pgserver *s;
    mice_future *done;
} stop_call;

static void stop_on_loop(void *p)
{
    stop_call *sc = p;
    pgserver *s = sc->s;
    s->stopping = true;
    s->stop_done = sc->done;
    for (pgs_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (!c->io_closed) ioloop_conn_set_linger_ms(c->io, PGSERVER_STOP_LINGER_MS);
        begin_close(c);
    }
    if (s->n_conns == 0) {
        s->stop_done = NULL;
        future_complete(sc->done, NULL, NULL);
    }
}

void pgserver_stop(pgserver *s)
{
    if (!s->started || s->stopped) return;
    s->stopped = true;
    pgserver_stats st = pgserver_get_stats(s);
    log_info("pgserver: stopping port %d, %llu connections open", atomic_load(&s->port),
             (unsigned long long)st.conns_open);
    ioloop_listener_close(s->listener);
    s->listener = NULL;
    stop_call sc = {.s = s, .done = future_create()};
    if (ioloop_call(s->cfg.loop, stop_on_loop, &sc)) {
        log_error("pgserver: io loop stopped before the server; connections leak");
        future_complete(sc.done, NULL, NULL);
    }
    future_wait(sc.done, FUTURE_WAIT_FOREVER, NULL, NULL);
    future_release(sc.done);
    log_info("pgserver: stopped port %d", atomic_load(&s->port));
}

void pgserver_destroy(pgserver *s)
{
    if (!s) return;
    pgserver_stop(s);
    free(s);
}

pgserver_stats pgserver_get_stats(const pgserver *cs)
{
    pgserver *s = (pgserver *)cs;
#define LOAD(f) atomic_load_explicit(&s->f, memory_order_relaxed)
    return (pgserver_stats){
        .conns_open = LOAD(conns_open),
        .conns_total = LOAD(conns_total),
        .conns_rejected = LOAD(conns_rejected),
        .queries = LOAD(queries),
        .errors = LOAD(errors),
        .cancels = LOAD(cancels),
        .output_buffered_max_bytes = LOAD(buffered_max),
    };
#undef LOAD
}
