#!/usr/bin/env bash
# scripts/cluster.sh - a local MiceDB cluster on one machine, for trying it out.
#
#   scripts/cluster.sh start [N]   start N nodes (default 3) and initialize the cluster
#   scripts/cluster.sh stop        stop them (SIGTERM, then SIGKILL after 10 s)
#   scripts/cluster.sh status      the nodes as node 1 sees them
#
# Node i (1-based) keeps its data in $CLUSTER_DIR/n<i> (default ./micedb-cluster) and
# listens on 127.0.0.1: SQL 5432+i, HTTP 8079+i, RESP 6379+i, RPC 7070+i. The first three
# are the initial members (--join); nodes 4.. join the running cluster.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${MICEDB_BIN:-./build/micedb}
DIR=${CLUSTER_DIR:-./micedb-cluster}
INITIAL=3

sql_port() { echo $((5432 + $1)); }
http_port() { echo $((8079 + $1)); }
resp_port() { echo $((6379 + $1)); }
rpc_port() { echo $((7070 + $1)); }

join_list() {
    local n=$1 out="" i
    [ "$n" -lt "$INITIAL" ] && INITIAL=$n
    for ((i = 1; i <= INITIAL; i++)); do out+="${out:+,}127.0.0.1:$(rpc_port "$i")"; done
    echo "$out"
}

wait_ready() { # node
    local port deadline
    port=$(http_port "$1")
    deadline=$((SECONDS + 60))
    until curl -fs "http://127.0.0.1:$port/health?ready=1" >/dev/null 2>&1; do
        if ((SECONDS > deadline)); then
            echo "node $1 not ready after 60 s; see $DIR/n$1.log" >&2
            return 1
        fi
        sleep 0.2
    done
}

start_node() { # i join
    local i=$1 join=$2
    mkdir -p "$DIR/n$i"
    if [ -f "$DIR/n$i.pid" ] && kill -0 "$(cat "$DIR/n$i.pid")" 2>/dev/null; then
        echo "node $i already running (pid $(cat "$DIR/n$i.pid"))"
        return
    fi
    "$BIN" start --data "$DIR/n$i" --join "$join" \
        --sql "127.0.0.1:$(sql_port "$i")" --http "127.0.0.1:$(http_port "$i")" \
        --resp "127.0.0.1:$(resp_port "$i")" --rpc "127.0.0.1:$(rpc_port "$i")" \
        >"$DIR/n$i.log" 2>&1 &
    echo $! >"$DIR/n$i.pid"
    echo "node $i: pid $!, sql 127.0.0.1:$(sql_port "$i"), http 127.0.0.1:$(http_port "$i"), log $DIR/n$i.log"
}

cmd_start() {
    local n=${1:-3} i join
    [ -x "$BIN" ] || make build
    join=$(join_list "$n")
    mkdir -p "$DIR"
    for ((i = 1; i <= n && i <= INITIAL; i++)); do start_node "$i" "$join"; done
    if out=$("$BIN" init --rpc "127.0.0.1:$(rpc_port 1)" 2>&1); then
        echo "$out"
    elif ! grep -q "already initialized" <<<"$out"; then
        echo "$out" >&2
        exit 1
    fi
    for ((i = 1; i <= n && i <= INITIAL; i++)); do wait_ready "$i"; done
    for ((i = INITIAL + 1; i <= n; i++)); do start_node "$i" "$join"; done
    for ((i = INITIAL + 1; i <= n; i++)); do wait_ready "$i"; done
    echo "cluster of $n nodes is up: psql -h 127.0.0.1 -p $(sql_port 1) -U root defaultdb"
}

cmd_stop() {
    local f pid
    shopt -s nullglob
    for f in "$DIR"/n*.pid; do
        pid=$(cat "$f")
        kill -TERM "$pid" 2>/dev/null || true
    done
    for f in "$DIR"/n*.pid; do
        pid=$(cat "$f")
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$f"
    done
    echo "stopped"
}

case "${1:-}" in
start) cmd_start "${2:-3}" ;;
stop) cmd_stop ;;
status) "$BIN" node status --http "127.0.0.1:$(http_port 1)" ;;
*) echo "usage: $0 start [N] | stop | status" >&2; exit 2 ;;
esac
