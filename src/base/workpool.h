/*
 * workpool.h - a fixed pool of worker threads running submitted tasks to completion.
 *
 * SQL statements and KV requests run here (DESIGN.md): synchronous executor code that may
 * block on futures completed by the io and raft threads. Tasks start in FIFO order; each
 * runs to completion on one worker. A worker is busy only while a task runs, so idle
 * sessions cost no thread.
 *
 * Every submitted task is called exactly once: with MICE_OK on a worker thread, or - if
 * the pool is shut down with WORKPOOL_CANCEL before the task started - with MICE_ABORTED
 * on the thread calling workpool_shutdown, so it can free its context and nothing else.
 * The queue is bounded (queue_max): a submit that would exceed it fails with MICE_BUSY,
 * which is the pool's backpressure on the io thread.
 *
 * Owns: its threads, its queued task records (not the contexts they carry).
 * Thread safety: workpool_submit, workpool_stats, workpool_on_worker from any thread;
 * workpool_create/shutdown/destroy from one controlling thread that is not a worker.
 * Invariants: completed + cancelled + running + queued == accepted submits; after
 * workpool_shutdown returns no task runs and no worker thread exists.
 * Mutex: one per pool, protecting the queue, the state and the counters; a task runs
 * without it.
 */
#ifndef MICE_BASE_WORKPOOL_H
#define MICE_BASE_WORKPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

enum {
    WORKPOOL_THREADS_MAX = 1024,
    WORKPOOL_QUEUE_MAX_DEFAULT = 65536, /* queued tasks, not bytes */
    WORKPOOL_NAME_MAX = 16,             /* thread names, with the NUL (Linux's limit) */
};

typedef struct workpool workpool;

typedef struct workpool_config {
    int threads;      /* 1..WORKPOOL_THREADS_MAX */
    size_t queue_max; /* queued (not yet started) tasks; 0 means the default */
    const char *name; /* thread names are "<name>-<i>"; NULL means "worker" */
} workpool_config;

/* status is MICE_OK when running on a worker, MICE_ABORTED when cancelled by shutdown. */
typedef void (*workpool_fn)(void *ctx, mice_status status);

typedef enum {
    WORKPOOL_DRAIN,  /* run every queued task, then stop */
    WORKPOOL_CANCEL, /* call queued tasks with MICE_ABORTED; wait only for running ones */
} workpool_shutdown_mode;

typedef struct workpool_stats {
    uint64_t queued;    /* waiting for a worker */
    uint64_t running;   /* on a worker right now */
    uint64_t completed; /* ran to completion */
    uint64_t cancelled; /* called with MICE_ABORTED */
    uint64_t rejected;  /* submits refused (MICE_BUSY or MICE_CLOSED) */
} workpool_stats;

/* Starts cfg->threads workers. MICE_INVALID for a bad config; MICE_IOERR when a thread
 * cannot be started (the ones started are stopped again). */
mice_status workpool_create(const workpool_config *cfg, workpool **out, mice_err *err);
/* Any thread. On error fn is never called: MICE_BUSY when queue_max tasks are waiting,
 * MICE_CLOSED after shutdown began. */
mice_status workpool_submit(workpool *wp, workpool_fn fn, void *ctx);
/* Stop accepting, finish (drain) or cancel the queue, join the workers. Idempotent. */
void workpool_shutdown(workpool *wp, workpool_shutdown_mode mode);
/* Shuts down (draining) if not done yet, then frees. */
void workpool_destroy(workpool *wp);

workpool_stats workpool_get_stats(workpool *wp);
int workpool_threads(const workpool *wp);
/* True on one of wp's worker threads. */
bool workpool_on_worker(const workpool *wp);

#endif
