/*
 * The io edge: the only file that talks to libuv, and the only place libuv's negative
 * errno values become mice_status (uv_status below).
 *
 * Cross-thread entry is ioloop_post: a task goes into an MPSC queue whose wake function
 * is uv_async_send. Shutting down must not lose a task nor touch the async handle after
 * it is closed, so posters announce themselves in `posters` before checking `closed`;
 * the loop sets `closed`, waits for posters to reach zero, then drains the queue one
 * last time (both sides seq_cst: one of them sees the other).
 */
#include "base/ioloop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "base/check.h"
#include "base/future.h"
#include "base/log.h"
#include "base/mpsc.h"

enum {
    IOLOOP_TASKS_PER_TURN = 1024, /* then yield to sockets and timers for a turn */
    IOLOOP_PORT_MAX = 65535,
};

typedef struct io_task {
    mpsc_node node;
    ioloop_fn fn;
    void *ctx;
} io_task;

struct ioloop {
    uv_loop_t uv;
    uv_async_t wake;
    mpsc_queue tasks;
    pthread_t thread;
    char name[IOLOOP_NAME_MAX];
    atomic_int posters; /* posts in progress (see top) */
    atomic_bool closed; /* posts refused */
    atomic_bool stop_requested;
    pthread_mutex_t join_mu; /* protects joined */
    bool joined;
    /* Loop thread only: */
    bool stopping;
    ioloop_conn *conns; /* every connection not yet closed-and-reported */
    ioloop_listener *listeners;
    ioloop_timer *timers;
    uint8_t read_buf[IOLOOP_READ_BUF_BYTES]; /* on_data borrows it for one call */
    /* Written on the loop thread, read anywhere. */
    struct {
        atomic_uint_least64_t tasks_run, conns_accepted, conns_connected, conns_open;
        atomic_uint_least64_t bytes_read, bytes_written, read_pauses, read_resumes;
    } stats;
};

typedef enum { CONN_CONNECTING, CONN_OPEN, CONN_CLOSING, CONN_CLOSED } conn_state;

struct ioloop_conn {
    uv_tcp_t tcp;
    ioloop *loop;
    const ioloop_conn_ops *ops;
    atomic_int refs;
    atomic_bool closing; /* set on the loop thread once the close began; read anywhere */
    /* Loop thread only: */
    void *data;
    conn_state state;
    bool opened; /* on_close is owed */
    bool read_paused;
    bool backed_up;     /* output above the high-water mark, on_drain owed */
    bool no_read_pause; /* keep reading while backed up (ioloop_conn_set_read_pause) */
    bool write_shut;    /* ioloop_conn_shutdown_write: no more writes */
    mice_status close_why;
    size_t pending_bytes;
    uint64_t linger_ms;   /* how long a graceful close may wait for the peer to read */
    ioloop_timer *linger; /* armed while a graceful close waits */
    ioloop_conn *prev, *next;
    uv_connect_t connect_req;
    ioloop_connect_cb connect_cb;
    void *connect_ctx;
    char peer[IOLOOP_ADDR_MAX];
};

struct ioloop_listener {
    uv_tcp_t tcp;
    ioloop *loop;
    const ioloop_conn_ops *ops;
    void *ctx;
    int port;
    ioloop_listener *prev, *next;
    char addr[IOLOOP_ADDR_MAX];
};

struct ioloop_timer {
    uv_timer_t uv;
    ioloop *loop;
    ioloop_timer_cb cb;
    void *ctx;
    bool repeating;
    bool in_cb;
    bool cancelled;
    ioloop_timer *prev, *next;
};

static _Thread_local ioloop *current_loop;

#define STAT_ADD(loop, field, n)                                                                   \
    atomic_fetch_add_explicit(&(loop)->stats.field, (n), memory_order_relaxed)
#define STAT_SUB(loop, field, n)                                                                   \
    atomic_fetch_sub_explicit(&(loop)->stats.field, (n), memory_order_relaxed)
#define LIST_PUSH(head, x)                                                                         \
    do {                                                                                           \
        (x)->prev = NULL;                                                                          \
        (x)->next = (head);                                                                        \
        if (head) (head)->prev = (x);                                                              \
        (head) = (x);                                                                              \
    } while (0)
#define LIST_UNLINK(head, x)                                                                       \
    do {                                                                                           \
        if ((x)->prev)                                                                             \
            (x)->prev->next = (x)->next;                                                           \
        else                                                                                       \
            (head) = (x)->next;                                                                    \
        if ((x)->next) (x)->next->prev = (x)->prev;                                                \
        (x)->prev = (x)->next = NULL;                                                              \
    } while (0)

/* The one translation of libuv's errors. */
static mice_status uv_status(int uv_rc, mice_err *err, const char *where)
{
    mice_status code;
    switch (uv_rc) {
    case UV_EADDRINUSE:
        code = MICE_BUSY;
        break;
    case UV_EADDRNOTAVAIL:
    case UV_EAFNOSUPPORT:
    case UV_EINVAL:
        code = MICE_INVALID;
        break;
    case UV_ETIMEDOUT:
        code = MICE_TIMEOUT;
        break;
    case UV_ECANCELED:
        code = MICE_ABORTED;
        break;
    case UV_EOF:
        code = MICE_CLOSED;
        break;
    case UV_ENOMEM:
    case UV_ENOBUFS:
        code = MICE_NOMEM;
        break;
    case UV_EMFILE:
    case UV_ENFILE:
        code = MICE_LIMIT;
        break;
    default:
        code = MICE_IOERR;
        break;
    }
    return mice_err_setf(err, code, "%s: %s", where, uv_strerror(uv_rc));
}

/* ---- tasks ---- */

static void wake_loop(void *ctx)
{
    ioloop *loop = ctx;
    uv_async_send(&loop->wake);
}

static void run_task(ioloop *loop, io_task *t)
{
    t->fn(t->ctx);
    free(t);
    STAT_ADD(loop, tasks_run, 1);
}

/* Returns false if it stopped early with tasks left (and asked for another turn). */
static bool drain_tasks(ioloop *loop, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        mpsc_node *n = mpsc_pop(&loop->tasks);
        if (!n) return true;
        run_task(loop, MPSC_CONTAINER(n, io_task, node));
    }
    /* The queue was not seen empty, so it is not re-armed: wake ourselves. */
    uv_async_send(&loop->wake);
    return false;
}

mice_status ioloop_post(ioloop *loop, ioloop_fn fn, void *ctx)
{
    mice_assert(fn != NULL);
    io_task *t = mice_malloc(sizeof *t);
    t->fn = fn;
    t->ctx = ctx;
    atomic_fetch_add(&loop->posters, 1);
    if (atomic_load(&loop->closed)) {
        atomic_fetch_sub(&loop->posters, 1);
        free(t);
        return MICE_CLOSED;
    }
    mpsc_push(&loop->tasks, &t->node);
    atomic_fetch_sub(&loop->posters, 1);
    return MICE_OK;
}

typedef struct call_args {
    ioloop_fn fn;
    void *ctx;
    mice_future *done;
} call_args;

static void call_on_loop(void *p)
{
    call_args *a = p;
    a->fn(a->ctx);
    future_complete(a->done, NULL, NULL);
}

mice_status ioloop_call(ioloop *loop, ioloop_fn fn, void *ctx)
{
    if (ioloop_on_loop_thread(loop)) {
        fn(ctx);
        return MICE_OK;
    }
    call_args a = {fn, ctx, future_create()};
    mice_status rc = ioloop_post(loop, call_on_loop, &a);
    if (rc) {
        future_fail(a.done, rc, NULL);
    } else {
        rc = future_wait(a.done, FUTURE_WAIT_FOREVER, NULL, NULL);
    }
    future_release(a.done);
    return rc;
}

ioloop *ioloop_current(void)
{
    return current_loop;
}

bool ioloop_on_loop_thread(const ioloop *loop)
{
    return current_loop == loop;
}

uint64_t ioloop_now_ms(ioloop *loop)
{
    mice_assert(ioloop_on_loop_thread(loop));
    return uv_now(&loop->uv);
}

/* ---- timers ---- */

static void timer_freed(uv_handle_t *h)
{
    free(h->data);
}

static void timer_close(ioloop_timer *t)
{
    LIST_UNLINK(t->loop->timers, t);
    uv_timer_stop(&t->uv);
    uv_close((uv_handle_t *)&t->uv, timer_freed);
}

static void timer_fired(uv_timer_t *h)
{
    ioloop_timer *t = h->data;
    t->in_cb = true;
    t->cb(t, t->ctx);
    t->in_cb = false;
    if (t->cancelled || !t->repeating) timer_close(t);
}

ioloop_timer *ioloop_timer_start(ioloop *loop, uint64_t delay_ms, uint64_t repeat_ms,
                                 ioloop_timer_cb cb, void *ctx)
{
    mice_assert(ioloop_on_loop_thread(loop));
    mice_assert(cb != NULL);
    if (loop->stopping) return NULL;
    ioloop_timer *t = mice_calloc(1, sizeof *t);
    t->loop = loop;
    t->cb = cb;
    t->ctx = ctx;
    t->repeating = repeat_ms > 0;
    int rc = uv_timer_init(&loop->uv, &t->uv);
    mice_assert(rc == 0); /* cannot fail on Linux */
    t->uv.data = t;
    rc = uv_timer_start(&t->uv, timer_fired, delay_ms, repeat_ms);
    mice_assert(rc == 0);
    LIST_PUSH(loop->timers, t);
    return t;
}

void ioloop_timer_cancel(ioloop_timer *t)
{
    mice_assert(ioloop_on_loop_thread(t->loop));
    if (t->in_cb) {
        t->cancelled = true; /* closed once its callback returns */
        uv_timer_stop(&t->uv);
        return;
    }
    timer_close(t);
}

/* ---- the thread, start and stop ---- */

static void conn_close_now(ioloop_conn *c, mice_status why);
static void listener_close_on_loop(void *p);

static void begin_shutdown(ioloop *loop)
{
    loop->stopping = true;
    atomic_store(&loop->closed, true);
    while (atomic_load(&loop->posters) != 0)
        sched_yield();
    while (!drain_tasks(loop, SIZE_MAX)) {
    }
    while (loop->listeners)
        listener_close_on_loop(loop->listeners);
    for (ioloop_conn *c = loop->conns; c; c = c->next)
        conn_close_now(c, MICE_ABORTED);
    while (loop->timers)
        timer_close(loop->timers);
    uv_close((uv_handle_t *)&loop->wake, NULL);
}

static void woken(uv_async_t *h)
{
    ioloop *loop = h->data;
    if (loop->stopping) return;
    drain_tasks(loop, IOLOOP_TASKS_PER_TURN);
    if (atomic_load(&loop->stop_requested)) begin_shutdown(loop);
}

static void *loop_main(void *arg)
{
    ioloop *loop = arg;
    pthread_setname_np(pthread_self(), loop->name);
    /* A write to a socket the peer closed must be EPIPE, not a process-killing SIGPIPE;
     * SIGPIPE goes to the writing thread, and only this thread writes sockets. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    current_loop = loop;
    uv_run(&loop->uv, UV_RUN_DEFAULT);
    mice_assert(loop->stopping);
    int rc = uv_loop_close(&loop->uv);
    mice_assert(rc == 0); /* every handle was closed */
    current_loop = NULL;
    return NULL;
}

mice_status ioloop_start(const char *name, ioloop **out, mice_err *err)
{
    *out = NULL;
    ioloop *loop = mice_calloc(1, sizeof *loop);
    snprintf(loop->name, sizeof loop->name, "%s", name ? name : "io");
    int rc = uv_loop_init(&loop->uv);
    if (rc) {
        free(loop);
        return uv_status(rc, err, "ioloop: uv_loop_init");
    }
    rc = uv_async_init(&loop->uv, &loop->wake, woken);
    mice_assert(rc == 0); /* cannot fail on Linux once the loop exists */
    loop->wake.data = loop;
    mpsc_init(&loop->tasks, wake_loop, loop);
    pthread_mutex_init(&loop->join_mu, NULL);
    int prc = pthread_create(&loop->thread, NULL, loop_main, loop);
    if (prc != 0) {
        uv_close((uv_handle_t *)&loop->wake, NULL);
        uv_run(&loop->uv, UV_RUN_DEFAULT);
        uv_loop_close(&loop->uv);
        mpsc_deinit(&loop->tasks);
        pthread_mutex_destroy(&loop->join_mu);
        free(loop);
        return mice_err_setf(err, MICE_IOERR, "ioloop: starting thread: %s", strerror(prc));
    }
    *out = loop;
    return MICE_OK;
}

void ioloop_stop(ioloop *loop)
{
    if (!atomic_exchange(&loop->stop_requested, true)) {
        atomic_fetch_add(&loop->posters, 1);
        if (!atomic_load(&loop->closed)) uv_async_send(&loop->wake);
        atomic_fetch_sub(&loop->posters, 1);
    }
    if (ioloop_on_loop_thread(loop)) return; /* joined by ioloop_destroy */
    pthread_mutex_lock(&loop->join_mu);
    if (!loop->joined) {
        pthread_join(loop->thread, NULL);
        loop->joined = true;
    }
    pthread_mutex_unlock(&loop->join_mu);
}

void ioloop_destroy(ioloop *loop)
{
    if (!loop) return;
    mice_assert(!ioloop_on_loop_thread(loop));
    ioloop_stop(loop);
    mpsc_deinit(&loop->tasks);
    pthread_mutex_destroy(&loop->join_mu);
    free(loop);
}

ioloop_stats ioloop_get_stats(ioloop *loop)
{
    ioloop_stats s;
#define LOAD(f) s.f = atomic_load_explicit(&loop->stats.f, memory_order_relaxed)
    LOAD(tasks_run);
    LOAD(conns_accepted);
    LOAD(conns_connected);
    LOAD(conns_open);
    LOAD(bytes_read);
    LOAD(bytes_written);
    LOAD(read_pauses);
    LOAD(read_resumes);
#undef LOAD
    return s;
}

/* ---- addresses ---- */

static mice_status parse_port(const char *s, int *port, const char *addr, mice_err *err)
{
    size_t n = strlen(s);
    int v = 0;
    if (n == 0 || n > 5) goto bad;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') goto bad;
        v = v * 10 + (s[i] - '0');
    }
    if (v > IOLOOP_PORT_MAX) goto bad;
    *port = v;
    return MICE_OK;
bad:
    return mice_err_setf(err, MICE_INVALID, "%s: bad port (want 0..%d)", addr, IOLOOP_PORT_MAX);
}

mice_status ioloop_parse_addr(const char *addr, struct sockaddr_storage *out, mice_err *err)
{
    memset(out, 0, sizeof *out);
    char host[IOLOOP_ADDR_MAX];
    size_t n = strlen(addr);
    if (n >= IOLOOP_ADDR_MAX)
        return mice_err_setf(err, MICE_INVALID, "address too long (%zu bytes)", n);
    const char *colon = strrchr(addr, ':');
    if (!colon) return mice_err_setf(err, MICE_INVALID, "%s: want host:port", addr);
    int port = 0;
    mice_status rc = parse_port(colon + 1, &port, addr, err);
    if (rc) return rc;
    size_t hn = (size_t)(colon - addr);
    memcpy(host, addr, hn);
    host[hn] = '\0';
    if (hn >= 2 && host[0] == '[' && host[hn - 1] == ']') {
        host[hn - 1] = '\0';
        if (uv_ip6_addr(host + 1, port, (struct sockaddr_in6 *)out) == 0) return MICE_OK;
        return mice_err_setf(err, MICE_INVALID, "%s: bad IPv6 address", addr);
    }
    const char *ip4 = host;
    if (hn == 0 || strcmp(host, "*") == 0) ip4 = "0.0.0.0";
    if (strcmp(host, "localhost") == 0) ip4 = "127.0.0.1";
    if (uv_ip4_addr(ip4, port, (struct sockaddr_in *)out) == 0) return MICE_OK;
    return mice_err_setf(err, MICE_INVALID, "%s: bad IPv4 address (IPv6 goes in brackets)", addr);
}

static void format_addr(const struct sockaddr *sa, char *out, size_t cap)
{
    char ip[64] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(s6, ip, sizeof ip);
        port = ntohs(s6->sin6_port);
        snprintf(out, cap, "[%s]:%d", ip, port);
        return;
    }
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    uv_ip4_name(s4, ip, sizeof ip);
    port = ntohs(s4->sin_port);
    snprintf(out, cap, "%s:%d", ip, port);
}

/* ---- connections ---- */

static ioloop_conn *conn_new(ioloop *loop, const ioloop_conn_ops *ops)
{
    mice_assert(ops && ops->on_data && ops->on_close);
    ioloop_conn *c = mice_calloc(1, sizeof *c);
    c->loop = loop;
    c->ops = ops;
    atomic_init(&c->refs, 1); /* the loop's, dropped once closed */
    c->state = CONN_CONNECTING;
    c->linger_ms = IOLOOP_CLOSE_LINGER_MS;
    int rc = uv_tcp_init(&loop->uv, &c->tcp);
    mice_assert(rc == 0); /* no socket yet: cannot fail */
    c->tcp.data = c;
    LIST_PUSH(loop->conns, c);
    return c;
}

static void conn_closed(uv_handle_t *h)
{
    ioloop_conn *c = h->data;
    ioloop *loop = c->loop;
    LIST_UNLINK(loop->conns, c);
    if (c->opened) {
        STAT_SUB(loop, conns_open, 1);
        c->ops->on_close(c, c->close_why);
    }
    ioloop_conn_unref(c);
}

/* Close the socket now; queued writes are cancelled. */
static void conn_close_now(ioloop_conn *c, mice_status why)
{
    if (c->state == CONN_CLOSED) return;
    if (c->state == CONN_OPEN) c->close_why = why; /* a graceful close keeps its reason */
    if (c->linger) {
        ioloop_timer_cancel(c->linger);
        c->linger = NULL;
    }
    c->state = CONN_CLOSED;
    atomic_store_explicit(&c->closing, true, memory_order_relaxed);
    uv_close((uv_handle_t *)&c->tcp, conn_closed);
}

static void linger_expired(ioloop_timer *t, void *ctx)
{
    (void)t;
    ioloop_conn *c = ctx;
    c->linger = NULL; /* a one-shot timer is gone once this returns */
    c->close_why = MICE_TIMEOUT;
    log_debug("%s: peer did not read %zu bytes before close; dropping them", c->peer,
              c->pending_bytes);
    conn_close_now(c, MICE_TIMEOUT);
}

/* Stop reading; close once queued output is flushed, or after linger_ms. */
static void conn_close_graceful(ioloop_conn *c, mice_status why)
{
    if (c->state != CONN_OPEN) return;
    c->close_why = why;
    c->state = CONN_CLOSING;
    atomic_store_explicit(&c->closing, true, memory_order_relaxed);
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (c->pending_bytes == 0) {
        conn_close_now(c, why);
        return;
    }
    /* NULL while the loop stops, which closes the connection anyway. */
    c->linger = ioloop_timer_start(c->loop, c->linger_ms, 0, linger_expired, c);
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    ioloop_conn *c = h->data;
    *buf = uv_buf_init((char *)c->loop->read_buf, IOLOOP_READ_BUF_BYTES);
}

static void conn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    ioloop_conn *c = s->data;
    if (nread > 0) {
        STAT_ADD(c->loop, bytes_read, (uint64_t)nread);
        if (c->state == CONN_OPEN) c->ops->on_data(c, mice_slice_of(buf->base, (size_t)nread));
    } else if (nread == UV_EOF) {
        conn_close_graceful(c, MICE_CLOSED);
    } else if (nread < 0) {
        mice_err err;
        conn_close_now(c, uv_status((int)nread, &err, c->peer));
        log_debug("%s: read: %s", c->peer, err.msg);
    }
}

static void conn_start_reading(ioloop_conn *c)
{
    int rc = uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read);
    if (rc) conn_close_now(c, uv_status(rc, NULL, c->peer));
}

static void conn_set_peer(ioloop_conn *c)
{
    struct sockaddr_storage ss;
    int len = (int)sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        format_addr((struct sockaddr *)&ss, c->peer, sizeof c->peer);
    } else {
        snprintf(c->peer, sizeof c->peer, "?");
    }
}

/* TCP_NODELAY: every write is a complete reply or message, so Nagle's algorithm would
 * only hold back a reply's last segment until the peer's delayed ACK (~40 ms) whenever a
 * reply takes more than one write. A failure (not a TCP socket) changes nothing. */
static void conn_set_nodelay(ioloop_conn *c)
{
    (void)uv_tcp_nodelay(&c->tcp, 1);
}

bool ioloop_conn_nodelay(const ioloop_conn *c)
{
    uv_os_fd_t fd;
    int on = 0;
    socklen_t len = sizeof on;
    if (uv_fileno((const uv_handle_t *)&c->tcp, &fd)) return false;
    return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0 && on != 0;
}

typedef struct conn_write {
    uv_write_t req;
    ioloop_conn *c;
    size_t n;
    uint8_t *owned; /* a stolen mice_buf, or NULL when the bytes follow this struct */
} conn_write;

static void conn_written(uv_write_t *req, int status)
{
    conn_write *w = (conn_write *)req;
    ioloop_conn *c = w->c;
    c->pending_bytes -= w->n;
    free(w->owned);
    free(w);
    if (status == UV_ECANCELED) return; /* the connection is closing */
    if (status < 0) {
        conn_close_now(c, uv_status(status, NULL, c->peer));
        return;
    }
    if (c->state == CONN_CLOSING && c->pending_bytes == 0) {
        conn_close_now(c, c->close_why);
        return;
    }
    if (c->backed_up && c->pending_bytes < IOLOOP_WRITE_LOW_WATER_BYTES && c->state == CONN_OPEN) {
        c->backed_up = false;
        if (c->read_paused) {
            c->read_paused = false;
            STAT_ADD(c->loop, read_resumes, 1);
            conn_start_reading(c);
        }
        if (c->ops->on_drain && c->state == CONN_OPEN) c->ops->on_drain(c);
    }
}

/* w is filled but for the request; takes w (and its bytes). */
static mice_status conn_queue(ioloop_conn *c, conn_write *w, const uint8_t *bytes)
{
    if (c->state != CONN_OPEN || c->write_shut) {
        free(w->owned);
        free(w);
        return MICE_CLOSED;
    }
    w->c = c;
    size_t n = w->n;
    /* Counted before uv_write, which may put the bytes on the wire at once: a peer that
     * has read them must find them counted. */
    STAT_ADD(c->loop, bytes_written, n);
    uv_buf_t b = uv_buf_init((char *)bytes, (unsigned)n);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, conn_written);
    if (rc) {
        STAT_SUB(c->loop, bytes_written, n);
        free(w->owned);
        free(w);
        mice_status st = uv_status(rc, NULL, c->peer);
        conn_close_now(c, st);
        return st;
    }
    c->pending_bytes += n;
    if (!c->backed_up && c->pending_bytes > IOLOOP_WRITE_HIGH_WATER_BYTES) {
        c->backed_up = true;
        if (!c->no_read_pause) {
            c->read_paused = true;
            STAT_ADD(c->loop, read_pauses, 1);
            uv_read_stop((uv_stream_t *)&c->tcp);
        }
    }
    return MICE_OK;
}

mice_status ioloop_conn_write(ioloop_conn *c, mice_slice bytes)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    if (bytes.n == 0) return c->state == CONN_OPEN ? MICE_OK : MICE_CLOSED;
    mice_assert(bytes.n <= UINT32_MAX);
    conn_write *w = mice_malloc(sizeof *w + bytes.n);
    memcpy(w + 1, bytes.p, bytes.n);
    w->n = bytes.n;
    w->owned = NULL;
    return conn_queue(c, w, (const uint8_t *)(w + 1));
}

mice_status ioloop_conn_write_buf(ioloop_conn *c, mice_buf *buf)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    size_t n = 0;
    uint8_t *bytes = buf_steal(buf, &n);
    if (n == 0) {
        free(bytes);
        return c->state == CONN_OPEN ? MICE_OK : MICE_CLOSED;
    }
    mice_assert(n <= UINT32_MAX);
    conn_write *w = mice_malloc(sizeof *w);
    w->n = n;
    w->owned = bytes;
    return conn_queue(c, w, bytes);
}

static void shutdown_done(uv_shutdown_t *req, int status)
{
    ioloop_conn *c = req->data;
    free(req);
    /* Cancelled: the connection is closing anyway (this runs before its close callback). */
    if (status < 0 && status != UV_ECANCELED) conn_close_now(c, uv_status(status, NULL, c->peer));
}

void ioloop_conn_shutdown_write(ioloop_conn *c)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    if (c->state != CONN_OPEN || c->write_shut) return;
    c->write_shut = true;
    uv_shutdown_t *req = mice_malloc(sizeof *req);
    req->data = c;
    int rc = uv_shutdown(req, (uv_stream_t *)&c->tcp, shutdown_done);
    if (rc) {
        free(req);
        conn_close_now(c, uv_status(rc, NULL, c->peer));
    }
}

void ioloop_conn_close(ioloop_conn *c)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    conn_close_graceful(c, MICE_OK);
}

void ioloop_conn_set_data(ioloop_conn *c, void *data)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    c->data = data;
}

void *ioloop_conn_data(const ioloop_conn *c)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    return c->data;
}

void ioloop_conn_set_read_pause(ioloop_conn *c, bool pause)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    c->no_read_pause = !pause;
    if (!pause && c->read_paused && c->state == CONN_OPEN) {
        c->read_paused = false;
        STAT_ADD(c->loop, read_resumes, 1);
        conn_start_reading(c);
    }
}

void ioloop_conn_set_linger_ms(ioloop_conn *c, uint64_t linger_ms)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    c->linger_ms = linger_ms;
}

size_t ioloop_conn_pending_bytes(const ioloop_conn *c)
{
    mice_assert(ioloop_on_loop_thread(c->loop));
    return c->pending_bytes;
}

const char *ioloop_conn_peer(const ioloop_conn *c)
{
    return c->peer;
}

bool ioloop_conn_is_closing(const ioloop_conn *c)
{
    return atomic_load_explicit(&c->closing, memory_order_relaxed);
}

ioloop *ioloop_conn_loop(const ioloop_conn *c)
{
    return c->loop;
}

void ioloop_conn_ref(ioloop_conn *c)
{
    int before = atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    mice_assert(before > 0);
}

void ioloop_conn_unref(ioloop_conn *c)
{
    int before = atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel);
    mice_assert(before > 0);
    if (before == 1) free(c);
}

typedef struct conn_send {
    ioloop_conn *c;
    uint8_t *bytes; /* NULL: a close request */
    size_t n;
} conn_send;

static void send_on_loop(void *p)
{
    conn_send *s = p;
    if (s->bytes) {
        conn_write *w = mice_malloc(sizeof *w);
        w->n = s->n;
        w->owned = s->bytes;
        conn_queue(s->c, w, s->bytes); /* a closed connection drops them */
    } else {
        conn_close_graceful(s->c, MICE_OK);
    }
    ioloop_conn_unref(s->c);
    free(s);
}

static mice_status post_send(ioloop_conn *c, uint8_t *bytes, size_t n)
{
    conn_send *s = mice_malloc(sizeof *s);
    *s = (conn_send){c, bytes, n};
    ioloop_conn_ref(c);
    mice_status rc = ioloop_post(c->loop, send_on_loop, s);
    if (rc) {
        free(s->bytes);
        free(s);
        ioloop_conn_unref(c);
    }
    return rc;
}

mice_status ioloop_conn_send(ioloop_conn *c, mice_buf *buf)
{
    size_t n = 0;
    uint8_t *bytes = buf_steal(buf, &n);
    if (n == 0) {
        free(bytes);
        return MICE_OK;
    }
    mice_assert(n <= UINT32_MAX);
    return post_send(c, bytes, n);
}

void ioloop_conn_close_async(ioloop_conn *c)
{
    post_send(c, NULL, 0); /* if the loop is stopping, it closes the connection itself */
}

/* ---- listeners ---- */

static void accepted(uv_stream_t *server, int status)
{
    ioloop_listener *l = server->data;
    if (status < 0) {
        mice_err err;
        uv_status(status, &err, l->addr);
        log_warn("accept: %s", err.msg);
        return;
    }
    ioloop_conn *c = conn_new(l->loop, l->ops);
    int rc = uv_accept(server, (uv_stream_t *)&c->tcp);
    if (rc) {
        mice_err err;
        uv_status(rc, &err, l->addr);
        log_warn("accept: %s", err.msg);
        conn_close_now(c, MICE_IOERR);
        return;
    }
    c->state = CONN_OPEN;
    c->opened = true;
    conn_set_peer(c);
    conn_set_nodelay(c);
    STAT_ADD(l->loop, conns_accepted, 1);
    STAT_ADD(l->loop, conns_open, 1);
    conn_start_reading(c);
    if (l->ops->on_open && c->state == CONN_OPEN) l->ops->on_open(c, l->ctx);
}

static void listener_freed(uv_handle_t *h)
{
    free(h->data);
}

static void listener_close_on_loop(void *p)
{
    ioloop_listener *l = p;
    LIST_UNLINK(l->loop->listeners, l);
    uv_close((uv_handle_t *)&l->tcp, listener_freed);
}

typedef struct listen_args {
    ioloop *loop;
    const char *addr;
    struct sockaddr_storage sa;
    const ioloop_conn_ops *ops;
    void *ctx;
    ioloop_listener *out;
    mice_status rc;
    mice_err *err;
} listen_args;

static void listen_on_loop(void *p)
{
    listen_args *a = p;
    if (a->loop->stopping) {
        a->rc = mice_err_setf(a->err, MICE_CLOSED, "%s: the loop is stopping", a->addr);
        return;
    }
    ioloop_listener *l = mice_calloc(1, sizeof *l);
    l->loop = a->loop;
    l->ops = a->ops;
    l->ctx = a->ctx;
    snprintf(l->addr, sizeof l->addr, "%s", a->addr);
    int rc = uv_tcp_init(&a->loop->uv, &l->tcp);
    mice_assert(rc == 0);
    l->tcp.data = l;
    /* libuv sets SO_REUSEADDR on bind; an address in use is reported by bind or listen. */
    rc = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&a->sa, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&l->tcp, IOLOOP_LISTEN_BACKLOG, accepted);
    struct sockaddr_storage bound;
    int len = (int)sizeof bound;
    if (rc == 0) rc = uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&bound, &len);
    if (rc) {
        a->rc = uv_status(rc, a->err, a->addr);
        uv_close((uv_handle_t *)&l->tcp, listener_freed);
        return;
    }
    l->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                : ((struct sockaddr_in *)&bound)->sin_port);
    LIST_PUSH(a->loop->listeners, l);
    a->out = l;
    a->rc = MICE_OK;
}

mice_status ioloop_listen(ioloop *loop, const char *addr, const ioloop_conn_ops *ops, void *ctx,
                          ioloop_listener **out, mice_err *err)
{
    *out = NULL;
    mice_assert(ops && ops->on_data && ops->on_close);
    listen_args a = {.loop = loop, .addr = addr, .ops = ops, .ctx = ctx, .err = err};
    mice_status rc = ioloop_parse_addr(addr, &a.sa, err);
    if (rc) return rc;
    rc = ioloop_call(loop, listen_on_loop, &a);
    if (rc) return mice_err_setf(err, rc, "%s: the loop is stopping", addr);
    *out = a.out;
    return a.rc;
}

int ioloop_listener_port(const ioloop_listener *l)
{
    return l->port;
}

void ioloop_listener_close(ioloop_listener *l)
{
    ioloop_call(l->loop, listener_close_on_loop, l); /* if stopping, the loop closes it */
}

/* ---- outbound connections ---- */

typedef struct connect_args {
    ioloop *loop;
    struct sockaddr_storage sa;
    const ioloop_conn_ops *ops;
    void *ctx;
    ioloop_connect_cb cb;
    char addr[IOLOOP_ADDR_MAX];
} connect_args;

static void connected(uv_connect_t *req, int status)
{
    ioloop_conn *c = req->data;
    if (status < 0) {
        mice_err err;
        mice_status st = uv_status(status, &err, c->peer);
        c->connect_cb(NULL, st, &err, c->connect_ctx);
        conn_close_now(c, st);
        return;
    }
    c->state = CONN_OPEN;
    c->opened = true;
    conn_set_nodelay(c);
    STAT_ADD(c->loop, conns_connected, 1);
    STAT_ADD(c->loop, conns_open, 1);
    conn_start_reading(c);
    c->connect_cb(c, MICE_OK, NULL, c->connect_ctx);
}

static void connect_on_loop(void *p)
{
    connect_args *a = p;
    mice_err err;
    if (a->loop->stopping) {
        mice_err_setf(&err, MICE_CLOSED, "%s: the loop is stopping", a->addr);
        a->cb(NULL, MICE_CLOSED, &err, a->ctx);
        free(a);
        return;
    }
    ioloop_conn *c = conn_new(a->loop, a->ops);
    snprintf(c->peer, sizeof c->peer, "%s", a->addr);
    c->connect_cb = a->cb;
    c->connect_ctx = a->ctx;
    c->connect_req.data = c;
    int rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&a->sa, connected);
    free(a);
    if (rc) {
        mice_status st = uv_status(rc, &err, c->peer);
        c->connect_cb(NULL, st, &err, c->connect_ctx);
        conn_close_now(c, st);
    }
}

mice_status ioloop_connect(ioloop *loop, const char *addr, const ioloop_conn_ops *ops, void *ctx,
                           ioloop_connect_cb cb, mice_err *err)
{
    mice_assert(ops && ops->on_data && ops->on_close && cb);
    connect_args *a = mice_calloc(1, sizeof *a);
    mice_status rc = ioloop_parse_addr(addr, &a->sa, err);
    if (rc) {
        free(a);
        return rc;
    }
    a->loop = loop;
    a->ops = ops;
    a->ctx = ctx;
    a->cb = cb;
    snprintf(a->addr, sizeof a->addr, "%s", addr);
    rc = ioloop_post(loop, connect_on_loop, a);
    if (rc) {
        free(a);
        return mice_err_setf(err, rc, "%s: the loop is stopping", addr);
    }
    return MICE_OK;
}
