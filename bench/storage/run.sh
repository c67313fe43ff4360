#!/usr/bin/env bash
# Storage micro-benchmark: MVCC point reads, writes (synced and not) and scans, each next
# to raw RocksDB doing the same work. Run from the project root after a build in build/.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BENCH_BUILD_DIR:-build}/bench/bench_storage
if [ ! -x "$BIN" ]; then
  echo "bench/storage: $BIN not built (cmake --build build --target bench_storage)" >&2
  exit 1
fi
exec "$BIN" "$@"
