#!/usr/bin/env bash
# `make chaos`: long chaos runs. With the multi-node cluster (micedb --help mentions --join):
# 3 and 5 nodes, on loopback and (as root) in network namespaces. Before it: one node, with
# kill -9/pause (loopback) and with the network faults too (netns). Stops at the first run
# that fails and prints how to reproduce it. Knobs: CHAOS_DURATION (s, default 300),
# CHAOS_SEED (default: random per run, printed), CHAOS_ARGS (more run.py flags).
set -uo pipefail
cd "$(dirname "$0")/../.."
export MICEDB_BIN="${MICEDB_BIN:-$PWD/build/micedb}"
duration="${CHAOS_DURATION:-300}"
seed_args=()
[ -n "${CHAOS_SEED:-}" ] && seed_args=(--seed "$CHAOS_SEED")
modes=(--loopback)
[ "$(id -u)" -eq 0 ] && command -v iptables >/dev/null && modes+=(--netns)
if "$MICEDB_BIN" --help 2>&1 | grep -q -- --join; then
  sizes=(3 5)
else
  echo "chaos: this micedb has no --join yet: single-node runs only"
  sizes=(1)
fi
for n in "${sizes[@]}"; do
  for mode in "${modes[@]}"; do
    echo "=== chaos: $n node(s) $mode ${duration}s ==="
    # shellcheck disable=SC2086
    /usr/bin/python3 tests/chaos/run.py --nodes "$n" "$mode" --duration "$duration" \
      "${seed_args[@]}" ${CHAOS_ARGS:-} || exit 1
  done
done
echo "chaos: every run passed"
