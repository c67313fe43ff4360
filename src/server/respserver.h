/*
 * respserver.h - the Redis protocol listener: io-thread connections in front of resp_cmd
 * running on the worker pool, plus the KV TTL's background purge.
 *
 * Per connection, on the io thread: bytes read are appended to an input buffer and cut
 * into commands by resp_proto's parser (only once the buffer holds the bytes the parser
 * said it needs, so a large value costs one parse). Every command complete so far
 * (at most RESPSERVER_JOB_COMMANDS_MAX) becomes one job: a worker runs them in order with
 * resp_exec, appending every reply to one buffer, and posts the buffer back to the io
 * thread, which writes it. A connection has at most one job at a time, so a pipeline of
 * any depth is answered in order, and storage calls (which block on fsync) never run on
 * the io thread.
 *
 * Memory per connection is bounded: input is held up to one command of max_bulk_bytes
 * (RESP's proto-max-bulk-len; a longer declared bulk is a protocol error at once) plus one
 * read, or RESPSERVER_INPUT_PIPELINE_MAX_BYTES of complete commands waiting behind a
 * running job; a client past that is cut off. A job stops adding replies after
 * RESPSERVER_JOB_OUTPUT_MAX_BYTES and continues once the socket drained below ioloop's
 * low-water mark; while the socket's queue is over its high-water mark ioloop stops
 * reading it, so a client that pipelines without reading stalls instead of growing us.
 * A protocol error answers "-ERR Protocol error: ..." after the replies of the commands
 * before it, then closes, as Redis does. QUIT closes after its +OK.
 *
 * TTL purge: reads never return an expired value (the replica compares every expiry with
 * the wall clock), so purging is only about space. Every RESPSERVER_PURGE_INTERVAL_MS a
 * timer on the io loop hands one bounded step (txn_db_purge_expired: visit
 * RESPSERVER_PURGE_ROWS keys of the KV namespace from a cursor, tombstone the expired ones
 * under their latches, unsynced) to the worker pool, at most one at a time, the cursor
 * wrapping at the end of the namespace. The tombstone and the expired version are then
 * dropped by the MVCC GC compaction filter once they fall below the GC horizon. A
 * compaction-filter-only rule was not chosen: it would need the wall clock inside
 * RocksDB's compaction, could not drop an expired newest version without a full
 * compaction (older versions could resurface), and would reclaim nothing on a store that
 * rarely compacts.
 *
 * Errors: respserver_start returns MICE_BUSY "<addr>: address already in use",
 * MICE_INVALID for a bad address or config.
 *
 * Owns: its connections (their input, parser, client state and jobs), the listener and the
 * purge timer. Borrows the ioloop, the workpool and the resp_db; they must outlive it, and
 * respserver_stop must run before the loop or the pool stops.
 * Thread safety: create/start/stop/destroy from one controlling thread that is neither the
 * loop thread nor a worker; respserver_port from any thread. A connection's fields belong
 * to the io thread, except its resp_client, which the running job's worker uses (handed
 * over through workpool_submit and ioloop_post, which order memory).
 * Invariants: at most one job per connection; a connection is freed only on the io thread,
 * once closed and without a job; every connection is freed by the end of stop.
 */
#ifndef MICE_SERVER_RESPSERVER_H
#define MICE_SERVER_RESPSERVER_H

#include <stddef.h>
#include <stdint.h>

#include "base/ioloop.h"
#include "base/status.h"
#include "base/workpool.h"
#include "server/resp_cmd.h"

enum {
    RESPSERVER_JOB_COMMANDS_MAX = 1024,             /* commands handed to a worker at once */
    RESPSERVER_JOB_OUTPUT_MAX_BYTES = 1 << 20,      /* a job pauses after this much output */
    RESPSERVER_INPUT_PIPELINE_MAX_BYTES = 64 << 20, /* complete commands held behind a job */
    RESPSERVER_MAX_CONNECTIONS_DEFAULT = 10000,
    RESPSERVER_STOP_LINGER_MS = 2000,
    RESPSERVER_PURGE_INTERVAL_MS = 100,
    RESPSERVER_PURGE_ROWS = 1000,
};

typedef struct respserver respserver;

typedef struct respserver_config {
    const char *listen_addr;    /* "host:port"; port 0 picks one (respserver_port) */
    size_t max_connections;     /* 0: RESPSERVER_MAX_CONNECTIONS_DEFAULT */
    size_t max_bulk_bytes;      /* 0: RESP_MAX_BULK_BYTES_DEFAULT */
    uint64_t purge_interval_ms; /* 0: RESPSERVER_PURGE_INTERVAL_MS */
    ioloop *loop;
    workpool *pool;
    resp_db *rdb;
} respserver_config;

/* Copies cfg (and its listen address). MICE_INVALID for a bad config. */
mice_status respserver_create(const respserver_config *cfg, respserver **out, mice_err *err);
/* Listen and start the purge timer. MICE_BUSY when the address is in use. Logs one line. */
mice_status respserver_start(respserver *s, mice_err *err);
int respserver_port(const respserver *s);
/* Stop accepting, close every connection (a running job finishes first), stop the purge
 * and wait for all of it. Idempotent. */
void respserver_stop(respserver *s);
void respserver_destroy(respserver *s); /* stops if needed; NULL is ignored */

#endif
