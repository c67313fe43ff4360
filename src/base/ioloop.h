/*
 * ioloop.h - a libuv event loop on its own named thread: tasks, timers and TCP.
 *
 * The node's io thread (DESIGN.md) is an ioloop named "io"; the raft thread is another.
 * Everything that touches libuv happens on the loop's thread. Other threads reach it by
 * posting a task (ioloop_post: an MPSC queue plus a uv_async_t wake-up), by the blocking
 * helpers that post and wait on a future for them (ioloop_listen, ioloop_listener_close
 * off the loop), or through a connection reference (ioloop_conn_send/close_async).
 *
 * TCP: ioloop_listen binds "host:port" ("127.0.0.1:5433", "[::1]:0", "0.0.0.0:80",
 * "localhost:6379"; port 0 picks a free port, see ioloop_listener_port). Each accepted
 * connection calls ops->on_open(conn, ctx), then on_data(conn, bytes) for every read,
 * and finally on_close(conn, why) exactly once. ioloop_connect makes an outbound
 * connection with the same ops and reports through its callback.
 *
 * Every connection has TCP_NODELAY on: callers write whole replies, and Nagle's algorithm
 * would hold the last piece of a multi-write reply until the peer's delayed ACK.
 *
 * Writes queue bytes behind the socket (copied, or a mice_buf given away). Backpressure:
 * while a connection's queued output exceeds IOLOOP_WRITE_HIGH_WATER_BYTES its reading is
 * paused (a client that sends without reading cannot make us buffer without bound); it
 * resumes below IOLOOP_WRITE_LOW_WATER_BYTES and ops->on_drain (if set) is called. A
 * connection between two peers that both write (node-to-node RPC) turns the pause off with
 * ioloop_conn_set_read_pause - each waiting for the other to read would deadlock them - and
 * bounds its own output; on_drain still tells it when the backlog fell below low water.
 * ioloop_conn_close is graceful: reading stops, queued output is flushed, then the
 * socket closes; a peer that does not read it within the connection's linger time
 * (IOLOOP_CLOSE_LINGER_MS unless set) is cut off. A peer's EOF closes the same way.
 * Errors and ioloop_stop close at once.
 *
 * on_close's why: MICE_OK closed by us; MICE_CLOSED the peer closed (EOF); MICE_IOERR a
 * socket error such as a reset; MICE_TIMEOUT the linger time ran out during a graceful
 * close; MICE_ABORTED the loop stopped.
 *
 * Errors: libuv's negative errno values become mice_status here, in one function, with a
 * message naming the address ("127.0.0.1:5433: address already in use" is MICE_BUSY;
 * "connection refused" is MICE_IOERR).
 *
 * Owns: its thread, its libuv loop, every handle (listeners, connections, timers) and
 * the bytes queued for writing. Connections are reference counted so that other threads
 * can hold one (ioloop_conn_ref) after the loop closed it; the memory goes with the last
 * reference, the socket goes at close.
 * Thread safety: functions say which thread may call them. "loop thread" means only from
 * callbacks and tasks running on this loop.
 * Invariants: every callback runs on the loop thread; on_close runs once per connection
 * that was opened, after which the loop makes no more calls about it; a task that
 * ioloop_post accepted runs exactly once, on the loop thread (tasks queued when
 * ioloop_stop is called still run before the thread exits).
 */
#ifndef MICE_BASE_IOLOOP_H
#define MICE_BASE_IOLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/buf.h"
#include "base/status.h"

enum {
    IOLOOP_READ_BUF_BYTES = 64 * 1024,           /* one read; on_data never sees more */
    IOLOOP_WRITE_HIGH_WATER_BYTES = 1024 * 1024, /* pause reading above this much queued */
    IOLOOP_WRITE_LOW_WATER_BYTES = 256 * 1024,   /* resume reading below this */
    IOLOOP_LISTEN_BACKLOG = 511,
    IOLOOP_CLOSE_LINGER_MS = 30000, /* a graceful close waits this long for the peer to read */
    IOLOOP_ADDR_MAX = 256,          /* "host:port" strings, with the NUL */
    IOLOOP_NAME_MAX = 16,           /* thread name, with the NUL */
};
_Static_assert(IOLOOP_WRITE_LOW_WATER_BYTES < IOLOOP_WRITE_HIGH_WATER_BYTES, "hysteresis");

typedef struct ioloop ioloop;
typedef struct ioloop_conn ioloop_conn;
typedef struct ioloop_listener ioloop_listener;
typedef struct ioloop_timer ioloop_timer;

typedef void (*ioloop_fn)(void *ctx);

/* ---- the loop and its thread ---- */

/* Create the loop and start its thread (named name, e.g. "io"). Any thread. */
mice_status ioloop_start(const char *name, ioloop **out, mice_err *err);
/* Stop: listeners, connections (on_close with MICE_ABORTED) and timers are closed,
 * queued tasks run, the thread exits. Any thread; off the loop thread it also waits for
 * the thread to exit. Idempotent. */
void ioloop_stop(ioloop *loop);
/* Stop (if needed), join and free. Not on the loop thread. */
void ioloop_destroy(ioloop *loop);

/* Run fn(ctx) on the loop thread, soon, in posting order per thread. Any thread
 * (from the loop thread itself it runs on a later turn). MICE_CLOSED once stopping:
 * then fn never runs. */
mice_status ioloop_post(ioloop *loop, ioloop_fn fn, void *ctx);
/* Run fn(ctx) on the loop thread and wait for it to return. Any thread that may block
 * (not another loop's thread: asserted); on this loop's thread it just calls fn.
 * MICE_CLOSED if the loop is stopping (fn did not run). */
mice_status ioloop_call(ioloop *loop, ioloop_fn fn, void *ctx);
/* The loop whose thread is calling, or NULL. */
ioloop *ioloop_current(void);
bool ioloop_on_loop_thread(const ioloop *loop);
/* Milliseconds of the loop's clock (cached per turn). Loop thread. */
uint64_t ioloop_now_ms(ioloop *loop);

/* ---- timers (loop thread) ---- */

typedef void (*ioloop_timer_cb)(ioloop_timer *t, void *ctx);
/* Fire after delay_ms, then every repeat_ms (0: once). NULL if the loop is stopping.
 * The timer is valid until cancelled, until a one-shot timer's callback returns, or
 * until the loop stops (no callback then). */
ioloop_timer *ioloop_timer_start(ioloop *loop, uint64_t delay_ms, uint64_t repeat_ms,
                                 ioloop_timer_cb cb, void *ctx);
/* Never fires again; frees. Allowed inside the timer's own callback. */
void ioloop_timer_cancel(ioloop_timer *t);

/* ---- TCP ---- */

typedef struct ioloop_conn_ops {
    /* Accepted connection: the first call. ctx is the listener's. Optional. */
    void (*on_open)(ioloop_conn *c, void *ctx);
    /* Bytes read. Borrowed: valid during the call only. Never trusted. */
    void (*on_data)(ioloop_conn *c, mice_slice bytes);
    /* Queued output fell below the low-water mark after exceeding the high one. Optional. */
    void (*on_drain)(ioloop_conn *c);
    /* The last call; the connection's user data should be released here. */
    void (*on_close)(ioloop_conn *c, mice_status why);
} ioloop_conn_ops;

/* Parse "host:port" (IPv4, [IPv6], "localhost", "" or "*" for any IPv4) into out.
 * MICE_INVALID with a message for anything else. Any thread. */
mice_status ioloop_parse_addr(const char *addr, struct sockaddr_storage *out, mice_err *err);

/* Listen on addr. ops and ctx must outlive the listener. Any thread (off the loop it
 * waits for the loop). MICE_BUSY for an address in use, MICE_INVALID for a bad address,
 * MICE_CLOSED if the loop is stopping. */
mice_status ioloop_listen(ioloop *loop, const char *addr, const ioloop_conn_ops *ops, void *ctx,
                          ioloop_listener **out, mice_err *err);
/* The bound port (useful after port 0). Any thread. */
int ioloop_listener_port(const ioloop_listener *l);
/* Stop accepting and free the listener (open connections stay). Any thread (off the
 * loop it waits for the loop), before ioloop_stop: the stop closes and frees listeners
 * still open, and the pointer is invalid after either. */
void ioloop_listener_close(ioloop_listener *l);

/* Outbound: conn is NULL and status/err say why on failure (e.g. MICE_IOERR "connection
 * refused"), else the connection is open and uses ops. Runs once, on the loop thread. */
typedef void (*ioloop_connect_cb)(ioloop_conn *c, mice_status status, const mice_err *err,
                                  void *ctx);
/* Any thread. On error (bad address, loop stopping) cb never runs. */
mice_status ioloop_connect(ioloop *loop, const char *addr, const ioloop_conn_ops *ops, void *ctx,
                           ioloop_connect_cb cb, mice_err *err);

/* Loop thread. Queue a copy of bytes. MICE_CLOSED if the connection is closing. */
mice_status ioloop_conn_write(ioloop_conn *c, mice_slice bytes);
/* Loop thread. Queue buf's bytes, taking them (buf is left empty), also on error. */
mice_status ioloop_conn_write_buf(ioloop_conn *c, mice_buf *buf);
/* Loop thread. Graceful close (see above); on_close follows with MICE_OK. Idempotent. */
void ioloop_conn_close(ioloop_conn *c);
/* Loop thread. Half-close: queued output is flushed, then the peer reads EOF; we keep
 * reading until the peer closes its side too (then on_close with MICE_CLOSED). Later
 * writes fail with MICE_CLOSED. Idempotent. */
void ioloop_conn_shutdown_write(ioloop_conn *c);

/* Loop thread. Per-connection user data, NULL until set. */
void ioloop_conn_set_data(ioloop_conn *c, void *data);
void *ioloop_conn_data(const ioloop_conn *c);
/* Loop thread. Whether reading pauses while queued output is above the high-water mark
 * (default true). With false, on_drain is still called when the backlog drains. */
void ioloop_conn_set_read_pause(ioloop_conn *c, bool pause);
/* Loop thread. How long a graceful close waits for queued output to drain. */
void ioloop_conn_set_linger_ms(ioloop_conn *c, uint64_t linger_ms);
/* Loop thread. Bytes queued and not yet written to the socket. */
size_t ioloop_conn_pending_bytes(const ioloop_conn *c);
/* Loop thread. Whether the socket has TCP_NODELAY on (ioloop sets it on every accepted
 * and connected connection: a reply written in several pieces must not wait for the
 * peer's delayed ACK). */
bool ioloop_conn_nodelay(const ioloop_conn *c);
/* The peer's "host:port". Loop thread, or any thread holding a reference. */
const char *ioloop_conn_peer(const ioloop_conn *c);
ioloop *ioloop_conn_loop(const ioloop_conn *c);

/* References for other threads (a worker answering a request). Take one on the loop
 * thread (or from another reference); drop it from any thread. */
void ioloop_conn_ref(ioloop_conn *c);
void ioloop_conn_unref(ioloop_conn *c);
/* Any thread holding a reference: queue buf's bytes (taken, also on error). The write
 * happens on the loop thread; dropped silently if the connection closed meanwhile.
 * MICE_CLOSED if the loop is stopping. */
mice_status ioloop_conn_send(ioloop_conn *c, mice_buf *buf);
/* Any thread holding a reference: graceful close on the loop thread. */
void ioloop_conn_close_async(ioloop_conn *c);
/* Any thread holding a reference: true once the connection began closing (by either
 * side), so a worker streaming results can stop early. A hint: it may lag the loop. */
bool ioloop_conn_is_closing(const ioloop_conn *c);

/* ---- counters (any thread; for tests and /metrics) ---- */

typedef struct ioloop_stats {
    uint64_t tasks_run;
    uint64_t conns_accepted;
    uint64_t conns_connected;
    uint64_t conns_open;
    uint64_t bytes_read;
    uint64_t bytes_written;
    uint64_t read_pauses; /* backpressure engaged */
    uint64_t read_resumes;
} ioloop_stats;
ioloop_stats ioloop_get_stats(ioloop *loop);

#endif
