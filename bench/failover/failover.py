"""Failover benchmark: how long writes stall when the leaseholder is killed with SIGKILL.

A 3-node cluster (tests/chaos/cluster.py) gets a table; one writer thread UPSERTs into it
back to back through one node, with a per-write deadline. Each round:
  1. find the leaseholder of the table's range in /v1/cluster/ranges (and its node in
     /v1/cluster/nodes), point the writer at another node and wait for a write through it;
  2. kill -9 the leaseholder at t0;
  3. the failover time is the completion time of the first successful write that *started*
     after t0, minus t0 (a write already in flight at t0 does not count);
  4. restart the killed node and wait until /health answers and every node is live again.
p50, p99 and max over the rounds are printed with a one-line summary. A round where no
write succeeds within ROUND_TIMEOUT_S counts as a failure and makes the run exit 1.
"""
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
sys.path.insert(0, os.path.join(ROOT, "bench/lib"))
sys.path.insert(0, os.path.join(ROOT, "tests/chaos"))
import benchlib as bl  # noqa: E402  (sets MICEDB_BIN and the temp root)
import cluster as cl  # noqa: E402

import psycopg  # noqa: E402

TABLE = "bench_failover"
WRITE_TIMEOUT_S = 2.0
ROUND_TIMEOUT_S = 60.0
CONNECT_TIMEOUT_S = 2


class Writer(threading.Thread):
    """UPSERTs through self.node until stopped; keeps (start, end) of successful writes."""

    def __init__(self, c, node):
        super().__init__(name="writer", daemon=True)
        self.c, self.node = c, node
        self.ok = []               # (start, end) monotonic
        self.lock = threading.Lock()
        self.stop_ev = threading.Event()
        self.seq = 0

    def run(self):
        conn, conn_node = None, None
        while not self.stop_ev.is_set():
            node = self.node
            try:
                if conn is None or conn_node != node:
                    if conn is not None:
                        conn.close()
                    host, port = self.c.sql_addr(node)
                    conn = psycopg.connect(host=host, port=port, user="root",
                                           dbname="defaultdb", autocommit=True,
                                           connect_timeout=CONNECT_TIMEOUT_S)
                    conn_node = node
                self.seq += 1
                timer = threading.Timer(WRITE_TIMEOUT_S, cut, args=(conn,))
                timer.start()
                t = time.monotonic()
                try:
                    conn.execute(f"INSERT INTO {TABLE} (k, v) VALUES (%s, %s) ON CONFLICT (k) "
                                 "DO UPDATE SET v = excluded.v", (self.seq % 100, self.seq))
                finally:
                    timer.cancel()
                with self.lock:
                    self.ok.append((t, time.monotonic()))
            except psycopg.Error:
                if conn is not None:
                    try:
                        conn.close()
                    except psycopg.Error:
                        pass
                conn = None
                self.stop_ev.wait(0.01)

    def first_ok_started_after(self, t0):
        with self.lock:
            later = [e for s, e in self.ok if s >= t0]
        return min(later) if later else None


def cut(conn):
    try:
        s = socket.socket(fileno=os.dup(conn.pgconn.socket))
        s.shutdown(socket.SHUT_RDWR)
        s.close()
    except Exception:
        pass


def leaseholder_index(c):
    ranges = c.ranges() or []
    mine = [r for r in ranges if str(r.get("table")) == TABLE]
    for r in mine:
        if r.get("leaseholder") is not None:
            i = c.index_of(r["leaseholder"])
            if i is not None:
                return i, r
    return None, mine


def wait_all_live(c, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        nodes = c.cluster_nodes() or []
        if len(nodes) == c.n and all(x.get("live") for x in nodes):
            return
        time.sleep(0.2)
    raise RuntimeError("not every node is live again")


def pct(sorted_vals, p):
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def one_round(c, w, r):
    deadline = time.monotonic() + ROUND_TIMEOUT_S
    lh = None
    while lh is None:
        lh, info = leaseholder_index(c)
        if time.monotonic() > deadline:
            raise RuntimeError(f"no leaseholder for {TABLE} in /v1/cluster/ranges: {info}")
        time.sleep(0.1)
    w.node = (lh + 1 + r % (c.n - 1)) % c.n
    t_switch = time.monotonic()
    while w.first_ok_started_after(t_switch) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no write through n{w.node} before the kill")
        time.sleep(0.05)
    t0 = time.monotonic()
    c.kill9(lh)
    recovered = None
    while time.monotonic() < t0 + ROUND_TIMEOUT_S:
        recovered = w.first_ok_started_after(t0)
        if recovered is not None:
            break
        time.sleep(0.01)
    c.restart(lh)
    wait_all_live(c, ROUND_TIMEOUT_S)
    return lh, None if recovered is None else recovered - t0


def main():
    bl.check_micedb()
    rounds = bl.env_int("BENCH_FAILOVER_ROUNDS", 20)
    n = bl.env_int("BENCH_FAILOVER_NODES", 3)
    mode = "netns" if os.environ.get("BENCH_FAILOVER_NETNS") == "1" else "loopback"
    if not cl.binary_supports_cluster():
        print("failover: skipped: this micedb has no --join (no multi-node cluster yet)")
        return 0
    c = cl.Cluster(n, mode=mode, workdir=os.path.join(bl.TMP_ROOT, "failover"))
    times, failures = [], 0
    try:
        c.start()
        with psycopg.connect(host=c.sql_addr(0)[0], port=c.sql_addr(0)[1], user="root",
                             dbname="defaultdb", autocommit=True) as conn:
            conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (k INT PRIMARY KEY, v BIGINT)")
        w = Writer(c, 0)
        w.start()
        for r in range(rounds):
            lh, dt = one_round(c, w, r)
            if dt is None:
                failures += 1
                print(f"  round {r + 1:2}: killed n{lh}: no write succeeded in {ROUND_TIMEOUT_S}s")
            else:
                times.append(dt)
                print(f"  round {r + 1:2}: killed n{lh} (leaseholder), writes through n{w.node} "
                      f"back after {dt * 1000:.0f} ms", flush=True)
        w.stop_ev.set()
        w.join(WRITE_TIMEOUT_S + 5)
    except RuntimeError as e:
        print(f"failover: FAILED: {e}")
        print(c.logs_tail())
        return 1
    finally:
        c.stop()
    if not times:
        print("failover: FAILED: writes never came back")
        return 1
    s = sorted(times)
    p50, p99, mx = pct(s, 50), pct(s, 99), s[-1]
    print(f"failover ({n} nodes, {mode}, {len(s)} leaseholder kills): "
          f"p50 {p50 * 1000:.0f} ms  p99 {p99 * 1000:.0f} ms  max {mx * 1000:.0f} ms"
          + (f"  ({failures} rounds never recovered)" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
