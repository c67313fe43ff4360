#!/usr/bin/env bash
# bench/raft: batching + pipelining on vs off in the simulator (see bench_raft.c).
# Usage: bench/raft/run.sh [simulated seconds]   (build dir: $BENCH_BUILD_DIR, default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BENCH_BUILD_DIR:-build}
if [ ! -x "$BUILD/bench/bench_raft" ]; then
  echo "bench/raft: $BUILD/bench/bench_raft not built"
  exit 1
fi
exec "$BUILD/bench/bench_raft" "${1:-10}"
