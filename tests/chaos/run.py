#!/usr/bin/python3
"""Chaos run: clients read, write and compare-and-set a few SQL rows through random nodes of
a real micedb cluster while the nemesis injects faults; the recorded history is then checked
for linearizability, and a final read of every key after healing must be explained by it
(no acknowledged write missing).

  /usr/bin/python3 tests/chaos/run.py --nodes 3 --duration 60 --seed 7 --loopback
  /usr/bin/python3 tests/chaos/run.py --nodes 5 --duration 300 --seed 7 --netns

Each key is a row of chaos_reg(k INT PRIMARY KEY, v BIGINT) (no row = initial value None):
  read   SELECT v FROM chaos_reg WHERE k = $1
  write  INSERT INTO chaos_reg VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v
  cas    UPDATE chaos_reg SET v = $new WHERE k = $1 AND v = $old   (1 row: swapped)
Values written are unique. An op whose connection broke or timed out, or that failed with an
error that does not prove it was rolled back, has an unknown outcome (see linearizability.py).

Exit status: 0 the history is linearizable and nothing acknowledged was lost; 1 a violation
(report printed, history kept as history.jsonl in the work directory); 2 the run could not
be carried out (cluster did not start, no operation succeeded, nodes did not recover).
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import sys
import threading
import time

import psycopg

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cluster as cl  # noqa: E402
import linearizability as lin  # noqa: E402
import nemesis as nem  # noqa: E402

TABLE = "chaos_reg"
CONNECT_TIMEOUT_S = 2
FINAL_READ_TIMEOUT_S = 60
# SQLSTATEs that prove the statement had no effect; anything else after sending is unknown.
DEFINITE_FAILURES = ("40001", "40P01", "22", "23", "42", "25P02", "28")


def first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0][:100] if text else type(exc).__name__


def classify(exc):
    state = getattr(exc, "sqlstate", None)
    if state and state.startswith(DEFINITE_FAILURES):
        return lin.FAIL
    return lin.UNKNOWN


class Client(threading.Thread):
    def __init__(self, cid, cluster, keys, seed, op_timeout_s, think_ms, stop, plant=None):
        super().__init__(name=f"client-{cid}", daemon=True)
        self.cid, self.c, self.keys = cid, cluster, keys
        self.rnd = random.Random(seed * 1000 + cid)
        self.op_timeout_s, self.think_ms, self.stop_ev = op_timeout_s, think_ms, stop
        self.history = []
        self.seen = {}          # key -> last value this client saw or wrote
        self.seq = 0
        self.conns = {}         # node index -> connection
        self.errors = {}        # error text -> count, for the report
        self.plant = plant      # "stale-read": misreport some reads (shows the check bites)
        self.older = {}         # key -> a value this client saw before the last one

    def conn(self, i):
        if i not in self.conns:
            host, port = self.c.sql_addr(i)
            self.conns[i] = psycopg.connect(host=host, port=port, user="root",
                                            dbname="defaultdb", autocommit=True,
                                            connect_timeout=CONNECT_TIMEOUT_S)
        return self.conns[i]

    def drop(self, i):
        conn = self.conns.pop(i, None)
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass

    @staticmethod
    def cut(conn):
        """The op's deadline passed: shut the socket so the blocked call returns."""
        try:
            s = socket.socket(fileno=os.dup(conn.pgconn.socket))
            s.shutdown(socket.SHUT_RDWR)
            s.close()
        except Exception:
            pass

    def next_op(self):
        k = self.rnd.choice(self.keys)
        kind = self.rnd.choices(["read", "write", "cas"], [4, 3, 3])[0]
        if kind == "cas" and self.seen.get(k) is None:
            kind = "read"  # SQL's v = NULL matches nothing: learn a value first
        op = lin.Op(key=k, kind=kind, call=0.0, ret=0.0, client=self.cid)
        if kind != "read":
            self.seq += 1
            op.value = self.cid * 1_000_000_000 + self.seq
        if kind == "cas":
            op.expected = self.seen.get(k)
        return op

    def execute(self, conn, op):
        if op.kind == "read":
            row = conn.execute(f"SELECT v FROM {TABLE} WHERE k = %s", (op.key,)).fetchone()
            op.value = row[0] if row else None
            if self.seen.get(op.key) not in (None, op.value):
                self.older[op.key] = self.seen[op.key]
            if self.plant == "stale-read" and op.key in self.older and self.rnd.random() < 0.2:
                op.value = self.older[op.key]
            self.seen[op.key] = op.value
        elif op.kind == "write":
            conn.execute(f"INSERT INTO {TABLE} (k, v) VALUES (%s, %s) ON CONFLICT (k) "
                         "DO UPDATE SET v = excluded.v", (op.key, op.value))
            self.seen[op.key] = op.value
        else:
            cur = conn.execute(f"UPDATE {TABLE} SET v = %s WHERE k = %s AND v = %s",
                               (op.value, op.key, op.expected))
            op.result = cur.rowcount == 1
            if op.result:
                self.seen[op.key] = op.value
            else:
                self.seen.pop(op.key, None)  # read it again before the next CAS

    def one(self):
        i = self.rnd.randrange(self.c.n)
        op = self.next_op()
        try:
            conn = self.conn(i)
        except psycopg.Error as e:
            self.count(f"connect n{i}: {first_line(e)}")
            self.stop_ev.wait(0.1)
            return
        timer = threading.Timer(self.op_timeout_s, self.cut, args=(conn,))
        timer.start()
        op.call = time.monotonic()
        try:
            self.execute(conn, op)
            op.ret, op.outcome = time.monotonic(), lin.OK
        except Exception as e:  # psycopg's errors, and anything else the driver raises
            op.ret = time.monotonic()
            op.outcome = classify(e) if isinstance(e, psycopg.Error) else lin.UNKNOWN
            self.count(f"{op.kind} n{i}: {getattr(e, 'sqlstate', None) or ''} {first_line(e)}")
            self.drop(i)
        finally:
            timer.cancel()
        op.node = i
        self.history.append(op)

    def count(self, text):
        self.errors[text] = self.errors.get(text, 0) + 1

    def run(self):
        while not self.stop_ev.is_set():
            self.one()
            if self.think_ms:
                self.stop_ev.wait(self.rnd.uniform(0, self.think_ms) / 1000)
        for i in list(self.conns):
            self.drop(i)


def sql_retry(c, fn, timeout_s, what):
    """Run fn(conn) through any node until it succeeds or timeout_s passes."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        for i in range(c.n):
            host, port = c.sql_addr(i)
            try:
                with psycopg.connect(host=host, port=port, user="root", dbname="defaultdb",
                                     autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                    return fn(conn)
            except psycopg.Error as e:
                last = e
        time.sleep(0.5)
    raise RuntimeError(f"{what}: no node answered within {timeout_s}s: {last}")


def final_reads(c, keys):
    def read(conn):
        rows = conn.execute(f"SELECT k, v FROM {TABLE}").fetchall()
        return dict(rows)
    got = sql_retry(c, read, FINAL_READ_TIMEOUT_S, "final read")
    return {k: got.get(k) for k in keys}


def plant_lost_write(history, finals):
    """Pretend the last acknowledged write of some key was lost: its final read returns the
    value of an earlier acknowledged write instead."""
    for k in sorted(finals):
        acked = sorted((o for o in history if o.key == k and o.outcome == lin.OK and
                        o.kind == "write"), key=lambda o: o.ret)
        if len(acked) >= 2 and finals[k] == acked[-1].value:
            finals[k] = acked[0].value
            cl.log(f"planted: final read of key {k} returns {finals[k]} (lost write)")
            return


def save_history(path, history, events, finals):
    """One JSON object a line: nemesis events, ops, then the final reads; recheck with
    `linearizability.py history.jsonl`."""
    with open(path, "w") as f:
        for t, text in events:
            f.write(json.dumps({"nemesis": text, "t": t}) + "\n")
        for op in history:
            f.write(json.dumps(op.__dict__) + "\n")
        f.write(json.dumps({"final": [[k, v] for k, v in finals.items()]}) + "\n")


def summarize(history):
    out = {}
    for op in history:
        key = f"{op.kind}/{op.outcome}"
        out[key] = out.get(key, 0) + 1
    text = " ".join(f"{k}={v}" for k, v in sorted(out.items()))
    acked = sorted(o.ret for o in history if o.outcome == lin.OK)
    if len(acked) >= 2:
        gap = max(b - a for a, b in zip(acked, acked[1:]))
        text += f"; longest time without an acknowledged op {gap:.2f}s"
    return text


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--duration", type=float, default=60, help="seconds of faults and load")
    p.add_argument("--seed", type=int, default=None)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--netns", dest="mode", action="store_const", const="netns")
    mode.add_argument("--loopback", dest="mode", action="store_const", const="loopback")
    p.add_argument("--clients", type=int, default=5)
    p.add_argument("--keys", type=int, default=24)
    p.add_argument("--op-timeout", type=float, default=3.0, help="seconds before an op is cut")
    p.add_argument("--think-ms", type=float, default=10.0, help="max pause between ops")
    p.add_argument("--faults", default=None, help="comma list (default: all the mode allows)")
    p.add_argument("--no-nemesis", action="store_true")
    p.add_argument("--bin", default=None, help="micedb binary (default $MICEDB_BIN)")
    p.add_argument("--workdir", default=None)
    p.add_argument("--keep", action="store_true", help="keep the work directory on success")
    p.add_argument("--plant", choices=["stale-read", "lost-write"], default=None,
                   help="plant a bug in what the clients report, to show the checks catch it")
    a = p.parse_args(argv)
    a.mode = a.mode or "loopback"
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1 << 31)
    return a


def main(argv):
    a = parse_args(argv)
    tag = f"seed {a.seed}, {a.nodes} node(s), {a.mode}, {a.duration:g}s"
    cl.log(f"chaos run: {tag}; reproduce with --seed {a.seed}")
    if a.nodes > 1 and not cl.binary_supports_cluster(a.bin):
        print("chaos: this micedb has no --join (no multi-node cluster yet); use --nodes 1")
        return 2
    workdir = a.workdir or os.path.join(cl.harness.TMP_ROOT, f"chaos-{os.getpid()}")
    shutil.rmtree(workdir, ignore_errors=True)
    c = cl.Cluster(a.nodes, mode=a.mode, workdir=workdir, bin_path=a.bin)
    try:
        return run(a, c, tag, workdir)
    except RuntimeError as e:
        print(f"chaos: FAILED to carry out the run ({tag}): {e}")
        print(c.logs_tail())
        print(f"chaos: logs in {workdir}")
        return 2
    finally:
        c.stop()


def run(a, c, tag, workdir):
    c.start()
    sql_retry(c, lambda conn: conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (k INT PRIMARY KEY, v BIGINT)"), 60, "create table")
    keys = list(range(a.keys))
    stop = threading.Event()
    clients = [Client(i, c, keys, a.seed, a.op_timeout, a.think_ms, stop, a.plant)
               for i in range(a.clients)]
    faults = a.faults.split(",") if a.faults else None
    n = nem.Nemesis(c, a.seed, a.duration, faults=faults)
    if not a.no_nemesis:
        cl.log("nemesis schedule: " + "; ".join(map(repr, n.schedule)))
    for t in clients:
        t.start()
    if not a.no_nemesis:
        n.start()
    time.sleep(a.duration)
    n.stop()
    stop.set()
    for t in clients:
        t.join(a.op_timeout + CONNECT_TIMEOUT_S + 10)
    n.heal_all()
    history = [op for t in clients for op in t.history]
    for i, op in enumerate(sorted(history, key=lambda o: o.call)):
        op.id = i
    finals = final_reads(c, keys)
    if a.plant == "lost-write":
        plant_lost_write(history, finals)
    save_history(os.path.join(workdir, "history.jsonl"), history, n.events, finals)
    cl.log(f"history: {len(history)} ops: {summarize(history)}")
    errors = {}
    for t in clients:
        for k, v in t.errors.items():
            errors[k] = errors.get(k, 0) + v
    for k, v in sorted(errors.items(), key=lambda kv: -kv[1])[:8]:
        cl.log(f"  client errors: {v} x {k}")
    cl.log(f"final values: {finals}")
    ok_ops = sum(1 for o in history if o.outcome == lin.OK)
    if ok_ops == 0:
        print(f"chaos: no operation succeeded ({tag}); the cluster made no progress")
        return 2
    t0 = time.monotonic()
    res = lin.check_final(history, finals)
    cl.log(f"checked in {time.monotonic() - t0:.1f}s")
    if n.error is not None:
        print(f"chaos: FAIL ({tag}): a node did not recover: {n.error}")
        return 1
    for i, code, pid in n.unexpected_exits:
        if code in (-signal.SIGTERM, -signal.SIGKILL, -signal.SIGINT):
            print(f"chaos: warning: n{i} (pid {pid}) was stopped by signal {-code} from "
                  "outside this run; it was restarted")
        else:
            print(f"chaos: FAIL ({tag}): n{i} (pid {pid}) crashed with exit code {code}")
            print(c.logs_tail())
            return 1
    if not res.ok:
        print(f"chaos: FAIL ({tag})")
        print(res.report())
        print("nemesis events around the run:")
        for t, text in n.events:
            print(f"  {t:.3f} {text}")
        print(f"chaos: history in {workdir}/history.jsonl; reproduce with --seed {a.seed}")
        return 1
    print(f"chaos: OK ({tag}): {len(history)} ops, {ok_ops} acknowledged, linearizable, "
          f"no acknowledged write missing; {len(n.events)} nemesis events")
    if not a.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
