#!/usr/bin/env bash
# bench/raft: batching + pipelining on vs off in the simulator (see bench_raft.c).
# Usage: bench/raft/run.sh [simulated seconds]   (build dir: $BUILD, default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
if [ ! -x "$BUILD/bench/bench_raft" ]; then
  echo "bench/raft: $BUILD/bench/bench_raft not built"
  exit 1
fi
exec "$BUILD/bench/bench_raft" "${1:-10}"
