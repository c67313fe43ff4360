/*
 * workload_run.h - the runner of `micedb workload run`: worker threads, statistics,
 * the progress line and the summary.
 *
 * Each worker owns one connection (libpq, or HTTP for the kv targets), its generator state
 * and its statistics (latency histograms per kind of operation and one for the current
 * second, error and retry counts by code) behind its own mutex; the main thread wakes every
 * 50 ms to notice Ctrl-C or the deadline and once a second takes each worker's interval
 * histogram for the progress line. A failed operation is counted under its code; when the
 * connection is gone the worker reconnects (and prepares again) before going on.
 *
 * Owns: the workers and their connections, until wl_run returns. Thread safety: main
 * thread only.
 */
#ifndef MICE_CLI_WORKLOAD_RUN_H
#define MICE_CLI_WORKLOAD_RUN_H

#include "cli/workload_gen.h"

/* Connect a setup connection (MICE_UNAVAILABLE with libpq's message when it fails). */
mice_status wl_connect(const char *url, PGconn **out, mice_err *err);

/* Run g with o; prints progress and the summary to stdout, problems to stderr. Returns the
 * process exit status (workload.h). */
int wl_run(const wl_gen *g, const wl_opts *o);

#endif
