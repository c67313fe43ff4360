#!/usr/bin/env bash
# The kv workload (`micedb workload run kv`) side by side: micedb's HTTP KV API vs etcd 3.4
# (Debian etcd-server, its defaults, v3 JSON gateway), the same client, concurrency, value
# size, key count and duration on both: 100% writes, then 95% reads. Ratios printed.
# Single node for now; `--nodes 3` follows once the cluster lands.
# Knobs: BENCH_ETCD_DURATION (default 10s), BENCH_ETCD_CONCURRENCY (16),
# BENCH_ETCD_VALUE_SIZE (256), BENCH_ETCD_KEYS (10000), BENCH_BUILD_DIR, BENCH_RESULTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/etcd/etcd_bench.py "$@"
