#!/usr/bin/env bash
# pgbench TPC-B-like and select-only (-S), 8 clients, -M prepared, against a fresh micedb
# and a fresh PostgreSQL 15 (fsync=on, synchronous_commit=on); ratios printed.
# Quick default: scale 1, 10 s each. Full size (issue 9):
#   BENCH_PGBENCH_SCALE=10 BENCH_PGBENCH_TIME=60 bench/pgbench/run.sh
# The schema is created with psql (pgbench's tables, primary keys inline) and loaded with
# `pgbench -i -I g` on both systems, because micedb has no VACUUM or ALTER TABLE yet;
# BENCH_PGBENCH_SCHEMA=pgbench uses pgbench's own steps (-I dtgvp) instead.
# Other knobs: BENCH_PGBENCH_CLIENTS, BENCH_PGBENCH_JOBS, BENCH_PGBENCH_INIT_STEPS,
# BENCH_BUILD_DIR, BENCH_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/pgbench/pgbench_bench.py "$@"
