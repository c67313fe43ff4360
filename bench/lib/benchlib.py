"""Shared pieces of the side-by-side benchmarks (bench/sysbench, bench/pgbench, bench/redis).

Starts the systems under test on free loopback ports (micedb through tests/e2e/harness.py,
PostgreSQL 15 through tests/e2e/pgserver.py, redis-server here), runs commands with a time
limit, and appends one JSON line per (suite, workload, system) to the results file
(BENCH_RESULTS, default bench/results/results.jsonl) that bench/report.py turns into
bench/RESULTS.md. Everything started here is stopped by PID and its temp dir removed.
"""
import atexit
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
sys.path.insert(0, os.path.join(ROOT, "tests/e2e"))
BUILD = os.path.abspath(os.path.join(ROOT, os.environ.get("BENCH_BUILD_DIR", "build")))
os.environ.setdefault("MICEDB_BIN", os.path.join(BUILD, "micedb"))

import harness  # noqa: E402
import pgserver  # noqa: E402

RESULTS = os.environ.get("BENCH_RESULTS", os.path.join(ROOT, "bench/results/results.jsonl"))
RUN_ID = os.environ.get("BENCH_RUN_ID") or datetime.datetime.now(
    datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
# Every temp dir of this run (micedb's, PostgreSQL's, Redis's, perf's, logs) lives under one
# directory, removed at exit even when the run fails.
TMP_ROOT = tempfile.mkdtemp(prefix="bench-run-", dir=os.environ.get("BENCH_TMP"))
os.chmod(TMP_ROOT, 0o755)  # PostgreSQL runs as `postgres` when we are root
atexit.register(shutil.rmtree, TMP_ROOT, ignore_errors=True)
harness.TMP_ROOT = TMP_ROOT
# SIGTERM unwinds like Ctrl-C, so the `with` blocks stop every server by PID.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def env_int(name, default):
    return int(os.environ.get(name, default))


def free_port():
    return harness.free_port()


def micedb_bin():
    return os.environ["MICEDB_BIN"]


def check_micedb():
    if not os.access(micedb_bin(), os.X_OK):
        print(f"bench: {micedb_bin()} not built (ninja -C {BUILD} micedb)", file=sys.stderr)
        sys.exit(1)


class Micedb:
    """A fresh single micedb node (fresh data dir, free ports)."""

    def __init__(self):
        self.node = harness.Node()

    def __enter__(self):
        self.node.start()
        self.pid = self.node.proc.pid
        self.sql_port = self.node.ports["sql"]
        self.resp_port = self.node.ports["resp"]
        return self

    def __exit__(self, *exc):
        try:
            self.node.stop()
        finally:
            shutil.rmtree(self.node.tmp, ignore_errors=True)

    def log_tail(self, n=20):
        return "\n".join(self.node.read_log().splitlines()[-n:])


class Postgres:
    """A fresh PostgreSQL 15 cluster with durable commits (fsync=on, synchronous_commit=on)."""

    def __init__(self):
        self.pg = pgserver.PgServer(free_port(), root=TMP_ROOT, settings={
            "fsync": "on", "synchronous_commit": "on", "max_connections": "100"})

    def __enter__(self):
        self.pg.start()
        self.pid = self.pg.pid
        self.sql_port = self.pg.port
        return self

    def __exit__(self, *exc):
        self.pg.stop()


class Redis:
    """A fresh redis-server with the append-only file on and the given appendfsync policy."""

    def __init__(self, fsync):
        self.fsync = fsync
        self.tmp = tempfile.mkdtemp(prefix="bench-redis-", dir=TMP_ROOT)
        self.port = free_port()
        self.proc = None

    def __enter__(self):
        self.log = open(os.path.join(self.tmp, "redis.log"), "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.tmp,
             "--appendonly", "yes", "--appendfsync", self.fsync, "--save", "",
             "--daemonize", "no", "--protected-mode", "no"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("redis-server did not start")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def run(cmd, timeout, cwd=None):
    """Run cmd (a list); return (returncode, combined output). A timeout is returncode -1."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout, cwd=cwd, errors="replace")
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return -1, out + f"\n(timed out after {timeout}s)"


def excerpt(text, n=6):
    """The last few meaningful lines of a tool's output, for a FAILED row."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errs = [ln for ln in lines if any(w in ln.lower() for w in ("error", "fatal", "fail", "timed out"))]
    return " | ".join((errs or lines)[-n:])[:600]


def shell_join(cmd):
    import shlex
    return " ".join(shlex.quote(c) for c in cmd)


def record(suite, workload, system, command, metrics=None, error=None, params=None, setup=()):
    """Append one result row (setup: the commands that loaded the data) and echo it."""
    row = {"run": RUN_ID, "suite": suite, "workload": workload, "system": system,
           "params": params or {}, "command": command, "setup": list(setup),
           "loadavg_1m": float(open("/proc/loadavg").read().split()[0]),
           "status": "FAILED" if error else "ok", "metrics": metrics or {}, "error": error}
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "a") as f:
        f.write(json.dumps(row, sort_keys=True) + "\n")
    if error:
        print(f"  {workload:<22} {system:<16} FAILED: {error}", flush=True)
    else:
        shown = "  ".join(f"{k}={v:.2f}" for k, v in metrics.items())
        print(f"  {workload:<22} {system:<16} {shown}", flush=True)
    return row


def print_comparison(rows, baselines, keys):
    """Print micedb next to each baseline with the ratio micedb/baseline for each metric."""
    by = {(r["workload"], r["system"]): r for r in rows}
    workloads = []
    for r in rows:
        if r["workload"] not in workloads:
            workloads.append(r["workload"])
    print()
    for w in workloads:
        m = by.get((w, "micedb"))
        for b in baselines:
            base = by.get((w, b))
            if base is None:
                continue
            parts = []
            for k in keys:
                mv = m["metrics"].get(k) if m and m["status"] == "ok" else None
                bv = base["metrics"].get(k) if base["status"] == "ok" else None
                ms = f"{mv:.2f}" if mv is not None else "FAILED"
                bs = f"{bv:.2f}" if bv is not None else "FAILED"
                ratio = f"{mv / bv:.2f}x" if mv is not None and bv else "-"
                parts.append(f"{k}: micedb {ms} / {b} {bs} = {ratio}")
            print(f"  {w:<22} " + "; ".join(parts))
    print(flush=True)


def perf_record(pid, seconds, out_path):
    """Start `perf record -g` on pid for `seconds`; returns the Popen or None if unavailable."""
    if os.environ.get("BENCH_PERF", "1") == "0" or not shutil.which("perf"):
        return None
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    return subprocess.Popen(["perf", "record", "-g", "-p", str(pid), "-o", out_path, "--",
                             "sleep", str(seconds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def perf_top_symbols(data_path, out_txt, n=10):
    """Write the top n symbols (self time) of a perf.data to out_txt."""
    rc, out = run(["perf", "report", "-i", data_path, "--stdio", "--no-children",
                   "-F", "overhead,sym", "-g", "none"], 300)
    lines = [ln.rstrip() for ln in out.splitlines() if ln.strip() and not ln.startswith("#")]
    user = [ln for ln in lines if "[.]" in ln]
    rc2, comms = run(["perf", "report", "-i", data_path, "--stdio", "--no-children",
                      "-F", "overhead,comm", "-g", "none"], 300)
    comms = [ln.rstrip() for ln in comms.splitlines() if ln.strip() and not ln.startswith("#")]
    os.makedirs(os.path.dirname(out_txt), exist_ok=True)
    with open(out_txt, "w") as f:
        f.write("All symbols, self time:\n" + "\n".join(lines[:n]) + "\n\n")
        f.write("User-space symbols only ([.]), self time (share of all samples):\n"
                + "\n".join(user[:n]) + "\n\n")
        f.write("By thread name:\n" + "\n".join(comms[:n]) + "\n")
    return rc == 0 and rc2 == 0
