/*
 * workload_gen.h - what a `micedb workload` generator is, and the helpers generators share.
 *
 * A generator (kv, bank, ycsb) is a table of callbacks the runner (workload.c) drives:
 * init creates and loads its tables over one setup connection; worker_open prepares a
 * worker's statements on the worker's own connection; op runs ONE operation (a statement,
 * a transaction with its retries, an HTTP request) and says which kind it was and how it
 * ended; check verifies an invariant after a run (bank: the total balance). Generators
 * never print and never exit: an op's failure is an outcome (its SQLSTATE, "http-<status>"
 * or "conn"), counted by the runner; init and check return a status.
 *
 * Owns: wl_worker and wl_outcome are the runner's; a generator's per-worker state hangs off
 * wl_worker.state (worker_open allocates it, worker_close frees it) and its run-wide state
 * off wl_shared (shared_create / shared_destroy). Thread safety: op, worker_open and
 * worker_close run on the worker's own thread; wl_shared is read by every worker, so what
 * it holds that changes is atomic.
 */
#ifndef MICE_CLI_WORKLOAD_GEN_H
#define MICE_CLI_WORKLOAD_GEN_H

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/prng.h"
#include "base/status.h"
#include "cli/workload_http.h"

enum {
    WL_OPS_MAX = 4,   /* kinds of operation one generator reports */
    WL_CODE_LEN = 16, /* "40001", "http-409", "conn" */
    WL_RETRIES_MAX = 100,
};

typedef enum wl_target { WL_TARGET_SQL, WL_TARGET_HTTP, WL_TARGET_ETCD } wl_target;

/* Every flag of every workload; each generator reads its own. */
typedef struct wl_opts {
    const char *url; /* PostgreSQL URL (libpq) */
    wl_target target;
    const char *http_addr; /* host:port of micedb's HTTP KV API or etcd's gateway */
    uint64_t duration_ns;  /* 0 = until Ctrl-C or max_ops */
    uint64_t max_ops;      /* 0 = no limit */
    int concurrency;
    uint64_t seed;
    bool drop;
    /* kv */
    int read_percent;
    uint64_t keys;
    int value_size;
    int batch;
    bool sequential;
    /* bank */
    uint64_t accounts;
    int64_t initial_balance;
    int64_t max_transfer;
    /* ycsb */
    char ycsb_workload; /* 'A', 'B', 'C' or 'E' */
    uint64_t records;
    int fields;
    int field_size;
    int max_scan;
} wl_opts;

/* Run-wide state every worker sees. */
typedef struct wl_shared {
    atomic_uint_fast64_t next_key; /* kv --sequential writes, ycsb inserts */
    uint64_t rows;                 /* bank: the accounts found by run_begin */
} wl_shared;

typedef struct wl_worker wl_worker;
typedef void (*wl_note_retry_fn)(wl_worker *w, const char *code);

struct wl_worker {
    int id;
    const wl_opts *o;
    wl_shared *shared;
    mice_prng rng;
    PGconn *pg;    /* WL_TARGET_SQL */
    wl_http *http; /* WL_TARGET_HTTP, WL_TARGET_ETCD */
    void *state;   /* the generator's */
    void *stats;   /* the runner's */
    wl_note_retry_fn note_retry;
    const atomic_bool *stop; /* set when the run ends: long retry loops give up */
};

typedef struct wl_outcome {
    int op;                 /* index into wl_gen.op_names */
    char code[WL_CODE_LEN]; /* "" = success */
} wl_outcome;

typedef struct wl_gen {
    const char *name;
    const char *const *op_names;
    int op_count;
    bool http_ok; /* supports --http and --etcd */
    mice_status (*init)(const wl_opts *o, PGconn *c, mice_buf *report, mice_err *err);
    /* NULL = nothing to do. Before the workers start: set up wl_shared from the tables. */
    mice_status (*run_begin)(const wl_opts *o, PGconn *c, wl_shared *sh, mice_err *err);
    /* NULL = nothing to check. MICE_CORRUPT when the invariant is broken (report says how). */
    mice_status (*check)(const wl_opts *o, PGconn *c, mice_buf *report, mice_err *err);
    mice_status (*worker_open)(wl_worker *w, mice_err *err);
    void (*worker_close)(wl_worker *w);
    void (*op)(wl_worker *w, wl_outcome *out);
} wl_gen;

extern const wl_gen wl_gen_kv;
extern const wl_gen wl_gen_bank;
extern const wl_gen wl_gen_ycsb;

/* ---- helpers ---- */

/* Run sql (no parameters) on c; MICE_IOERR with the server's message on failure. */
mice_status wl_exec(PGconn *c, const char *sql, mice_err *err);
/* SELECT count(*) FROM table into *n. */
mice_status wl_count(PGconn *c, const char *table, uint64_t *n, mice_err *err);
/* PQprepare, with the same error translation. */
mice_status wl_prepare(PGconn *c, const char *name, const char *sql, int nparams, mice_err *err);
/* Copy the failure of res (NULL or not OK) into out->code: its SQLSTATE, or "conn" when the
 * connection is gone. Returns true when res succeeded (out untouched). Clears res. */
bool wl_pg_ok(PGconn *c, PGresult *res, wl_outcome *out);
/* True for the SQLSTATEs a client retries: 40001 (serialization), 40P01 (deadlock). */
bool wl_code_retryable(const char *code);
/* n random printable characters, NUL-terminated (out has n+1 bytes). */
void wl_fill_text(mice_prng *r, char *out, size_t n);
void wl_set_code(wl_outcome *out, const char *code);

#endif
