/*
 * respserver.c - RESP connections on the io thread, command batches on workers (see
 * respserver.h).
 *
 * Ownership by thread:
 *   io thread  the connection list, each rs_conn (input buffer, parser, flags, its job
 *              pointer while the job is not running), the purge timer.
 *   worker     the running job and the connection's resp_client; it never touches the
 *              rest of the rs_conn. job_done() runs on the io thread through ioloop_post.
 *   shared     the purge step's state, used by one purge task at a time (purge_running).
 */
#include "server/respserver.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/env.h"
#include "base/future.h"
#include "base/log.h"
#include "kv/keys.h"
#include "server/resp_proto.h"

typedef struct rs_conn rs_conn;

/* A batch of commands and their replies. Arguments are copied into bytes; arg_offs[i]
 * and arg_offs[i + 1] bound argument i, cmd_first[k] is command k's first argument. */
typedef struct rs_job {
    rs_conn *conn;
    mice_buf bytes;
    size_t *arg_offs;
    size_t n_args, cap_args;
    size_t *cmd_first;
    size_t n_cmds, cap_cmds;
    size_t next_cmd; /* the first command not run yet */
    mice_buf out;
    bool quit;
} rs_job;

struct rs_conn {
    respserver *srv;
    ioloop_conn *io;
    rs_conn *prev, *next;
    resp_parser parser;
    resp_client client;
    mice_buf in; /* input; in.p[in_off...] is not parsed yet */
    size_t in_off;
    size_t need; /* the parser cannot progress before the unparsed part is this long */
    rs_job *job; /* running (job_running) or paused for output (not running) */
    bool job_running;
    bool io_closed, closing;
    mice_buf proto_error; /* a protocol error to send once the job before it finished */
    bool wait_drain;
};

struct respserver {
    respserver_config cfg;
    char listen_addr[IOLOOP_ADDR_MAX];
    ioloop_listener *listener;
    atomic_int port;
    bool started, stopped; /* controlling thread */
    /* io thread */
    bool stopping;
    rs_conn *conns;
    size_t n_conns;
    mice_future *stop_done;
    ioloop_timer *purge_timer;
    /* purge state: one task at a time */
    atomic_bool purge_running;
    mice_buf purge_cursor, purge_end;
};

static void kick(rs_conn *c);
static void maybe_free(rs_conn *c);

/* ---------------------------------------------------------------- jobs */

static rs_job *job_new(rs_conn *c)
{
    rs_job *j = mice_calloc(1, sizeof *j);
    j->conn = c;
    buf_init(&j->bytes);
    buf_init(&j->out);
    return j;
}

static void job_free(rs_job *j)
{
    if (!j) return;
    buf_deinit(&j->bytes);
    buf_deinit(&j->out);
    free(j->arg_offs);
    free(j->cmd_first);
    free(j);
}

static void job_add_command(rs_job *j, const mice_slice *args, size_t n)
{
    if (j->n_cmds == j->cap_cmds) {
        j->cap_cmds = j->cap_cmds ? 2 * j->cap_cmds : 16;
        j->cmd_first = mice_realloc(j->cmd_first, (j->cap_cmds + 1) * sizeof *j->cmd_first);
    }
    if (j->n_args + n + 1 > j->cap_args) {
        while (j->n_args + n + 1 > j->cap_args)
            j->cap_args = j->cap_args ? 2 * j->cap_args : 64;
        j->arg_offs = mice_realloc(j->arg_offs, j->cap_args * sizeof *j->arg_offs);
    }
    j->cmd_first[j->n_cmds++] = j->n_args;
    for (size_t i = 0; i < n; i++) {
        j->arg_offs[j->n_args++] = j->bytes.n;
        buf_append_slice(&j->bytes, args[i]);
    }
    j->arg_offs[j->n_args] = j->bytes.n;
    j->cmd_first[j->n_cmds] = j->n_args;
}

static void job_done(void *p);

/* Worker: run commands until the batch ends, QUIT, or the output is large. */
static void run_job(void *ctx, mice_status status)
{
    rs_job *j = ctx;
    rs_conn *c = j->conn;
    mice_slice argv_small[16];
    while (status == MICE_OK && j->next_cmd < j->n_cmds && !j->quit &&
           j->out.n < RESPSERVER_JOB_OUTPUT_MAX_BYTES) {
        size_t first = j->cmd_first[j->next_cmd], argc = j->cmd_first[j->next_cmd + 1] - first;
        mice_slice *argv = argc <= 16 ? argv_small : mice_calloc(argc, sizeof *argv);
        for (size_t i = 0; i < argc; i++)
            argv[i] = mice_slice_of(j->bytes.p + j->arg_offs[first + i],
                                    j->arg_offs[first + i + 1] - j->arg_offs[first + i]);
        j->quit = resp_exec(c->srv->cfg.rdb, &c->client, argv, argc, &j->out);
        if (argv != argv_small) free(argv);
        j->next_cmd++;
    }
    if (status != MICE_OK) j->next_cmd = j->n_cmds; /* cancelled: answer nothing more */
    if (ioloop_post(c->srv->cfg.loop, job_done, j))
        log_error("respserver: io loop gone while a job was answering; leaking connection");
}

static bool job_finished(const rs_job *j)
{
    return j->quit || j->next_cmd >= j->n_cmds;
}

/* ---------------------------------------------------------------- the io side */

static void begin_close(rs_conn *c)
{
    if (c->closing) return;
    c->closing = true;
    if (!c->io_closed) ioloop_conn_close(c->io);
}

/* Write a protocol error and close (after the replies of what came before). */
static void send_proto_error(rs_conn *c)
{
    if (!c->io_closed) {
        mice_buf b;
        buf_init(&b);
        buf_append_u8(&c->proto_error, 0);
        resp_put_errorf(&b, "ERR %s", (const char *)c->proto_error.p);
        ioloop_conn_write_buf(c->io, &b);
        buf_deinit(&b);
    }
    buf_reset(&c->proto_error);
    begin_close(c);
}

static bool output_congested(const rs_conn *c)
{
    return !c->io_closed && ioloop_conn_pending_bytes(c->io) > IOLOOP_WRITE_HIGH_WATER_BYTES;
}

static void submit(rs_conn *c)
{
    c->job_running = true;
    if (workpool_submit(c->srv->cfg.pool, run_job, c->job) == MICE_OK) return;
    /* The pool refused (shutting down or full): say so and close. */
    c->job_running = false;
    job_free(c->job);
    c->job = NULL;
    if (!c->io_closed) {
        mice_buf b;
        buf_init(&b);
        resp_put_error(&b, "ERR server is busy or shutting down");
        ioloop_conn_write_buf(c->io, &b);
        buf_deinit(&b);
    }
    begin_close(c);
}

static void job_done(void *p)
{
    rs_job *j = p;
    rs_conn *c = j->conn;
    c->job_running = false;
    if (!c->io_closed && j->out.n) ioloop_conn_write_buf(c->io, &j->out);
    buf_reset(&j->out);
    if (job_finished(j) || c->closing) {
        bool quit = j->quit;
        job_free(j);
        c->job = NULL;
        if (quit) begin_close(c);
        if (c->proto_error.n && !c->closing) send_proto_error(c);
    }
    if (c->closing) {
        maybe_free(c);
        return;
    }
    kick(c);
}

/* Cut complete commands out of the input into a new job. false: nothing to run. */
static bool parse_job(rs_conn *c)
{
    size_t pos = c->in_off;
    rs_job *j = NULL;
    while (c->in.n - pos >= c->need && (!j || j->n_cmds < RESPSERVER_JOB_COMMANDS_MAX)) {
        size_t used = 0;
        mice_err err;
        mice_status rc = resp_parse_command(&c->parser, mice_slice_of(c->in.p + pos, c->in.n - pos),
                                            &used, &err);
        if (rc == MICE_AGAIN) {
            c->need = c->parser.need_bytes;
            break;
        }
        if (rc) {
            buf_reset(&c->proto_error);
            buf_append_str(&c->proto_error, mice_err_msg(&err));
            c->need = SIZE_MAX; /* parse nothing more */
            break;
        }
        c->need = 0;
        pos += used;
        if (c->parser.n_args == 0) continue;
        if (!j) j = job_new(c);
        job_add_command(j, c->parser.args, c->parser.n_args);
    }
    /* Drop what was parsed: at once when nothing is left, else once it is most of the
     * buffer (moving the tail after every job would be quadratic in a long pipeline). */
    c->in_off = pos;
    if (c->in_off == c->in.n) {
        buf_reset(&c->in);
        c->in_off = 0;
    } else if (c->in_off > IOLOOP_READ_BUF_BYTES && c->in_off > c->in.n / 2) {
        memmove(c->in.p, c->in.p + c->in_off, c->in.n - c->in_off);
        buf_truncate(&c->in, c->in.n - c->in_off);
        c->in_off = 0;
    }
    c->job = j;
    return j != NULL;
}

/* Start the next job if the connection may: none running, output drained. */
static void kick(rs_conn *c)
{
    if (c->job_running || c->closing || c->io_closed) return;
    if (output_congested(c)) {
        c->wait_drain = true; /* on_drain calls kick again */
        return;
    }
    if (c->job) { /* a paused job continues */
        submit(c);
        return;
    }
    if (parse_job(c)) {
        submit(c);
        return;
    }
    if (c->proto_error.n) send_proto_error(c);
}

/* ---------------------------------------------------------------- connections */

static bool peer_is_loopback(const char *peer)
{
    return strncmp(peer, "127.", 4) == 0 || strncmp(peer, "[::1]:", 6) == 0 ||
           strncmp(peer, "[::ffff:127.", 12) == 0;
}

static void conn_free(rs_conn *c)
{
    respserver *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    s->n_conns--;
    resp_parser_deinit(&c->parser);
    resp_client_deinit(&c->client);
    buf_deinit(&c->in);
    buf_deinit(&c->proto_error);
    job_free(c->job);
    ioloop_conn_unref(c->io);
    free(c);
    if (s->stopping && s->n_conns == 0 && s->stop_done) {
        future_complete(s->stop_done, NULL, NULL);
        s->stop_done = NULL;
    }
}

static void maybe_free(rs_conn *c)
{
    if (c->io_closed && !c->job_running) conn_free(c);
}

static void on_open(ioloop_conn *io, void *ctx)
{
    respserver *s = ctx;
    if (s->stopping || s->n_conns >= s->cfg.max_connections) {
        resp_db_count_connection(s->cfg.rdb, 0, true);
        mice_buf b;
        buf_init(&b);
        resp_put_error(&b, "ERR max number of clients reached");
        ioloop_conn_write_buf(io, &b);
        buf_deinit(&b);
        ioloop_conn_close(io);
        return;
    }
    rs_conn *c = mice_calloc(1, sizeof *c);
    c->srv = s;
    c->io = io;
    ioloop_conn_ref(io);
    resp_parser_init(&c->parser, s->cfg.max_bulk_bytes);
    resp_client_init(&c->client, s->cfg.rdb, peer_is_loopback(ioloop_conn_peer(io)));
    buf_init(&c->in);
    buf_init(&c->proto_error);
    c->next = s->conns;
    if (s->conns) s->conns->prev = c;
    s->conns = c;
    s->n_conns++;
    ioloop_conn_set_data(io, c);
    resp_db_count_connection(s->cfg.rdb, 1, false);
}

/* What a connection may hold unparsed: one command up to the bulk limit (plus headers),
 * or a pipeline of complete commands behind a running job. */
static size_t input_max(const respserver *s)
{
    size_t bulk = s->cfg.max_bulk_bytes + RESP_INLINE_MAX_BYTES + IOLOOP_READ_BUF_BYTES;
    return bulk > RESPSERVER_INPUT_PIPELINE_MAX_BYTES ? bulk : RESPSERVER_INPUT_PIPELINE_MAX_BYTES;
}

static void on_data(ioloop_conn *io, mice_slice bytes)
{
    rs_conn *c = ioloop_conn_data(io);
    if (!c || c->closing) return;
    size_t pending = c->in.n - c->in_off + bytes.n;
    if (pending > input_max(c->srv)) {
        log_warn("respserver: %s: %zu bytes of input pending; closing", ioloop_conn_peer(io),
                 pending);
        begin_close(c);
        return;
    }
    buf_append_slice(&c->in, bytes);
    if (pending >= c->need) kick(c);
}

static void on_drain(ioloop_conn *io)
{
    rs_conn *c = ioloop_conn_data(io);
    if (!c || !c->wait_drain) return;
    c->wait_drain = false;
    kick(c);
}

static void on_close(ioloop_conn *io, mice_status why)
{
    (void)why;
    rs_conn *c = ioloop_conn_data(io);
    if (!c) return;
    ioloop_conn_set_data(io, NULL);
    c->io_closed = true;
    c->closing = true;
    resp_db_count_connection(c->srv->cfg.rdb, -1, false);
    maybe_free(c);
}

static const ioloop_conn_ops conn_ops = {
    .on_open = on_open,
    .on_data = on_data,
    .on_drain = on_drain,
    .on_close = on_close,
};

/* ---------------------------------------------------------------- the TTL purge */

static void purge_step(void *ctx, mice_status status)
{
    respserver *s = ctx;
    if (status == MICE_OK) {
        mice_buf resume;
        buf_init(&resume);
        bool more = false;
        size_t n = 0;
        mice_err err;
        txn_db *db = resp_db_txn_db(s->cfg.rdb);
        mice_status rc =
            txn_db_purge_expired(db, buf_slice(&s->purge_cursor), buf_slice(&s->purge_end),
                                 RESPSERVER_PURGE_ROWS, &resume, &more, &n, &err);
        if (rc) log_warn("respserver: TTL purge step failed: %s", mice_err_msg(&err));
        if (rc == MICE_OK) resp_db_count_expired(s->cfg.rdb, n);
        buf_reset(&s->purge_cursor);
        if (rc == MICE_OK && more)
            buf_append_slice(&s->purge_cursor, buf_slice(&resume));
        else
            keys_kv_span(&s->purge_cursor, &resume); /* wrap: start again at /kv/ */
        buf_deinit(&resume);
    }
    atomic_store(&s->purge_running, false);
}

static void on_purge_timer(ioloop_timer *t, void *ctx)
{
    (void)t;
    respserver *s = ctx;
    if (s->stopping || atomic_exchange(&s->purge_running, true)) return;
    if (workpool_submit(s->cfg.pool, purge_step, s)) atomic_store(&s->purge_running, false);
}

/* ---------------------------------------------------------------- the server */

mice_status respserver_create(const respserver_config *cfg, respserver **out, mice_err *err)
{
    *out = NULL;
    if (!cfg->listen_addr || strlen(cfg->listen_addr) >= IOLOOP_ADDR_MAX)
        return mice_err_setf(err, MICE_INVALID, "respserver: listen address missing or too long");
    if (!cfg->loop || !cfg->pool || !cfg->rdb)
        return mice_err_setf(err, MICE_INVALID, "respserver: loop, pool and resp_db are required");
    respserver *s = mice_calloc(1, sizeof *s);
    s->cfg = *cfg;
    snprintf(s->listen_addr, sizeof s->listen_addr, "%s", cfg->listen_addr);
    s->cfg.listen_addr = s->listen_addr;
    if (!s->cfg.max_connections) s->cfg.max_connections = RESPSERVER_MAX_CONNECTIONS_DEFAULT;
    if (!s->cfg.max_bulk_bytes) s->cfg.max_bulk_bytes = RESP_MAX_BULK_BYTES_DEFAULT;
    if (!s->cfg.purge_interval_ms) s->cfg.purge_interval_ms = RESPSERVER_PURGE_INTERVAL_MS;
    buf_init(&s->purge_cursor);
    buf_init(&s->purge_end);
    keys_kv_span(&s->purge_cursor, &s->purge_end);
    *out = s;
    return MICE_OK;
}

static void start_timer_on_loop(void *p)
{
    respserver *s = p;
    s->purge_timer = ioloop_timer_start(s->cfg.loop, s->cfg.purge_interval_ms,
                                        s->cfg.purge_interval_ms, on_purge_timer, s);
}

mice_status respserver_start(respserver *s, mice_err *err)
{
    mice_assert(!s->started);
    mice_status rc = ioloop_listen(s->cfg.loop, s->listen_addr, &conn_ops, s, &s->listener, err);
    if (rc) return rc;
    s->started = true;
    atomic_store(&s->port, ioloop_listener_port(s->listener));
    resp_db_set_port(s->cfg.rdb, atomic_load(&s->port));
    if (ioloop_call(s->cfg.loop, start_timer_on_loop, s))
        return mice_err_setf(err, MICE_CLOSED, "respserver: io loop is stopping");
    const char *colon = strrchr(s->listen_addr, ':');
    int host_len = colon ? (int)(colon - s->listen_addr) : 0;
    log_info("respserver: listening on %.*s:%d (RESP2/RESP3), max %zu connections", host_len,
             s->listen_addr, atomic_load(&s->port), s->cfg.max_connections);
    return MICE_OK;
}

int respserver_port(const respserver *s)
{
    return atomic_load(&((respserver *)s)->port);
}

typedef struct stop_call {
    respserver *s;
    mice_future *done;
} stop_call;

static void stop_on_loop(void *p)
{
    stop_call *sc = p;
    respserver *s = sc->s;
    s->stopping = true;
    if (s->purge_timer) ioloop_timer_cancel(s->purge_timer);
    s->purge_timer = NULL;
    s->stop_done = sc->done;
    for (rs_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (!c->io_closed) ioloop_conn_set_linger_ms(c->io, RESPSERVER_STOP_LINGER_MS);
        begin_close(c);
    }
    if (s->n_conns == 0) {
        s->stop_done = NULL;
        future_complete(sc->done, NULL, NULL);
    }
}

void respserver_stop(respserver *s)
{
    if (!s->started || s->stopped) return;
    s->stopped = true;
    ioloop_listener_close(s->listener);
    s->listener = NULL;
    stop_call sc = {.s = s, .done = future_create()};
    if (ioloop_call(s->cfg.loop, stop_on_loop, &sc)) {
        log_error("respserver: io loop stopped before the server; connections leak");
        future_complete(sc.done, NULL, NULL);
    }
    future_wait(sc.done, FUTURE_WAIT_FOREVER, NULL, NULL);
    future_release(sc.done);
    while (atomic_load(&s->purge_running)) /* a purge step in flight finishes first */
        env_sleep_ns(mice_env_real(), MICE_NS_PER_MS);
    log_info("respserver: stopped port %d", atomic_load(&s->port));
}

void respserver_destroy(respserver *s)
{
    if (!s) return;
    respserver_stop(s);
    buf_deinit(&s->purge_cursor);
    buf_deinit(&s->purge_end);
    free(s);
}
