#!/usr/bin/env bash
# `make bench`: run every bench/<name>/run.sh in turn, from the project root, with the
# build in build/ (BENCH_BUILD_DIR). Each prints its own figures and ratios; the side-by-side
# ones (sysbench, pgbench, redis) also append rows to bench/results/results.jsonl, from which
# bench/report.sh regenerates bench/RESULTS.md at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for script in bench/*/run.sh; do
  [ -x "$script" ] || continue
  echo "=== $(dirname "$script") ==="
  if ! "$script"; then
    echo "bench: $script failed"
    status=1
  fi
done
bench/report.sh || status=1
exit $status
