#!/usr/bin/env bash
# redis-benchmark SET/GET at pipeline 1 and 16, 50 clients, against micedb's RESP listener
# and a fresh Redis 7 with appendonly yes + appendfsync always, then everysec; ratios printed.
# Knobs: BENCH_REDIS_REQUESTS (default 50000; x4 when pipelined), BENCH_REDIS_CLIENTS,
# BENCH_REDIS_KEYSPACE, BENCH_REDIS_PIPELINES ("1 16"), BENCH_BUILD_DIR, BENCH_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/redis/redis_bench.py "$@"
