#!/usr/bin/env bash
# Regenerate bench/RESULTS.md from bench/results/results.jsonl (see bench/report.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/report.py "$@"
