/*
 * pgserver.h - the PostgreSQL server: io-thread connections in front of a synchronous
 * backend (pgbackend.h) running on the worker pool.
 *
 * Per connection, on the io thread: a pgw_conn (the protocol) is fed by the socket, and
 * its output is written back with ioloop. Each request the pgw_conn makes becomes one
 * task on the worker pool that calls the backend; the backend's sink calls are batched on
 * the worker and posted to the io thread, where they are replayed as pgw_conn_* answers;
 * the batch that ends the task carries pgw_conn_done. Requests of one connection run one
 * at a time, in order. A connection's output that is posted but not yet written to the
 * socket is bounded: a worker producing rows blocks above PGSERVER_OUTPUT_HIGH_WATER_BYTES
 * until the socket has drained below PGSERVER_OUTPUT_LOW_WATER_BYTES.
 *
 * Each connection gets a BackendKeyData pid (unique among live connections) and a secret
 * from OpenSSL's CSPRNG; a CancelRequest whose pid and secret match a live session calls
 * the backend's cancel(); anything else is ignored silently, as PostgreSQL does. Peers on
 * 127.0.0.0/8 and ::1 are loopback; insecure mode refuses the others and trusts loopback
 * users without a password (users with one still pass SCRAM; see pgw_conn.h).
 * Over max_connections, a new connection is still served SSLRequest and CancelRequest,
 * then gets FATAL 53300 "sorry, too many clients already" after its StartupMessage (as in
 * PostgreSQL) and is closed. A full worker queue fails the request with ERROR 53000.
 *
 * Errors: pgserver_start returns MICE_BUSY "<addr>: address already in use", MICE_INVALID
 * for a bad address or config, MICE_CLOSED if the loop is stopping.
 *
 * Owns: its connections (pgw_conn, sessions through the backend), the listener, the
 * cancel registry. Borrows: the ioloop, the workpool, the backend vtab and ctx; they must
 * outlive the server, and pgserver_stop must run before the loop or the pool stops.
 * Thread safety: create/start/stop/destroy from one controlling thread that is neither
 * the loop thread nor a worker; pgserver_get_stats and pgserver_port from any thread.
 * Mutex: one per connection, private to pgserver.c, around its flow-control window (the
 * bytes posted by a worker and not yet replayed, and the socket's congestion); a worker
 * waits on it in pgb_sink_row(). Everything else is owned by one thread (see README.md).
 * Invariants: at most one backend call per session at a time; session_destroy exactly
 * once per created session; every connection's memory is freed by the end of stop.
 */
#ifndef MICE_SERVER_PGSERVER_H
#define MICE_SERVER_PGSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ioloop.h"
#include "base/status.h"
#include "base/workpool.h"
#include "server/pgbackend.h"

enum {
    PGSERVER_OUTPUT_HIGH_WATER_BYTES = IOLOOP_WRITE_HIGH_WATER_BYTES, /* a producer waits */
    PGSERVER_OUTPUT_LOW_WATER_BYTES = IOLOOP_WRITE_LOW_WATER_BYTES,   /* ...until below */
    PGSERVER_BATCH_BYTES = 32 * 1024,           /* sink calls travel to the io thread in batches */
    PGSERVER_COPY_BACKLOG_MAX_BYTES = 64 << 20, /* COPY data waiting for the backend */
    PGSERVER_MAX_CONNECTIONS_DEFAULT = 10000,
    PGSERVER_STOP_LINGER_MS = 2000, /* at stop, how long a client gets to read its output */
};
_Static_assert(PGSERVER_BATCH_BYTES < PGSERVER_OUTPUT_LOW_WATER_BYTES, "batches fit the window");

typedef struct pgserver pgserver;

typedef struct pgserver_config {
    const char *listen_addr; /* "host:port"; port 0 picks one (pgserver_port) */
    bool insecure;           /* loopback only, trusted unless the user has a password */
    size_t max_connections;  /* 0: PGSERVER_MAX_CONNECTIONS_DEFAULT */
    size_t max_msg_bytes;    /* 0: PGW_MSG_MAX_BYTES_DEFAULT */
    ioloop *loop;
    workpool *pool;
    const pgb_backend_vtab *backend;
    void *backend_ctx;
} pgserver_config;

typedef struct pgserver_stats {
    uint64_t conns_open;     /* live connections */
    uint64_t conns_total;    /* accepted, over the server's life */
    uint64_t conns_rejected; /* refused over max_connections */
    uint64_t queries;        /* simple Query and Execute requests */
    uint64_t errors;         /* ErrorResponses sent by the backend */
    uint64_t cancels;        /* CancelRequests that matched a session */
    /* The most output any connection had posted or queued and not yet on the socket
     * (flow control keeps it near PGSERVER_OUTPUT_HIGH_WATER_BYTES + a batch + a read). */
    uint64_t output_buffered_max_bytes;
} pgserver_stats;

/* Copies cfg (and its listen address). MICE_INVALID with a message for a bad config. */
mice_status pgserver_create(const pgserver_config *cfg, pgserver **out, mice_err *err);
/* Listen. MICE_BUSY when the address is in use. Logs one line. */
mice_status pgserver_start(pgserver *s, mice_err *err);
/* The bound port after start, else 0. */
int pgserver_port(const pgserver *s);
/* Stop accepting, close every connection (cancelling running requests), wait until every
 * request has returned and every session is destroyed. Idempotent. */
void pgserver_stop(pgserver *s);
/* Stops if needed, frees. */
void pgserver_destroy(pgserver *s);

pgserver_stats pgserver_get_stats(const pgserver *s);

#endif
