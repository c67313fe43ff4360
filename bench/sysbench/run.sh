#!/usr/bin/env bash
# sysbench OLTP (point_select, read_only, read_write, insert) against a fresh micedb and a
# fresh PostgreSQL 15 (fsync=on, synchronous_commit=on), same settings, ratios printed.
# Quick default: 4 tables x 10k rows, 10 s per workload, 8 threads. Full size (issue 9):
#   BENCH_SYSBENCH_TABLE_SIZE=100000 BENCH_SYSBENCH_TIME=60 bench/sysbench/run.sh
# Other knobs: BENCH_SYSBENCH_TABLES, BENCH_SYSBENCH_THREADS, BENCH_SYSBENCH_WORKLOADS,
# BENCH_PERF=0 (no perf profile), BENCH_BUILD_DIR, BENCH_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/sysbench/sysbench_bench.py "$@"
