/*
 * workload.h - `micedb workload`: load generators in the manner of `cockroach workload`.
 *
 *   micedb workload init  <kv|bank|ycsb> [flags]   create and load the tables
 *   micedb workload run   <kv|bank|ycsb> [flags]   run it: --concurrency workers, each with
 *                                                  its own connection, for --duration
 *   micedb workload check <bank>          [flags]   verify the workload's invariant
 *
 * The client side is libpq (one connection and prepared statements per worker), or for kv
 * the HTTP KV API (--http host:port) or etcd's v3 JSON gateway (--etcd http://host:port).
 * A run prints a progress line each second (elapsed, ops/s, p50, p99, errors) and a
 * summary at the end or on Ctrl-C: operations per kind, ops/s, p50/p95/p99/max, errors by
 * SQLSTATE, retries, a log-linear latency histogram, and one machine-readable line
 * starting "result:". Errors are counted, never fatal. Exit status: 0; 1 when nothing
 * could run, every operation failed or the invariant check failed; 2 for bad usage.
 *
 * Owns: everything it starts (worker threads, connections), all stopped before it returns.
 * Thread safety: call from the main thread; it installs SIGINT/SIGTERM handlers for the
 * duration of a run.
 */
#ifndef MICE_CLI_WORKLOAD_H
#define MICE_CLI_WORKLOAD_H

#include "base/buf.h"

/* argv[0] is the verb (init, run, check); returns the process exit status. */
int workload_main(int argc, char **argv);
/* The usage text of `micedb workload`, appended to out. */
void workload_usage(mice_buf *out);

#endif
