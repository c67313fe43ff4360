#!/usr/bin/env bash
# bench/rpc: 1 KiB Raft messages and calls between two transports (see bench_rpc.c).
# Usage: bench/rpc/run.sh [seconds per phase]   (build dir: $BENCH_BUILD_DIR, default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BENCH_BUILD_DIR:-build}
if [ ! -x "$BUILD/bench/bench_rpc" ]; then
  echo "bench/rpc: $BUILD/bench/bench_rpc not built"
  exit 1
fi
exec "$BUILD/bench/bench_rpc" "${1:-3}"
