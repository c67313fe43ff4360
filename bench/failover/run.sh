#!/usr/bin/env bash
# Failover time of a 3-node cluster: a writer through a surviving node, the leaseholder of the
# written table's range killed with SIGKILL 20 times; the time until writes succeed again is
# printed as p50/p99/max. Skipped (exit 0) while micedb has no --join.
# Knobs: BENCH_FAILOVER_ROUNDS (20), BENCH_FAILOVER_NODES (3), BENCH_FAILOVER_NETNS=1 (network
# namespaces instead of loopback; root only), BENCH_BUILD_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 bench/failover/failover.py "$@"
