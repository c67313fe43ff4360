#!/usr/bin/env bash
# `make bench`: run every bench/<name>/run.sh in turn, from the project root, with the
# build in build/. Each prints its own figures and ratios.
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
exit $status
