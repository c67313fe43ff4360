"""Start and stop real micedb processes for end-to-end tests.

A Node owns one micedb process with its own data directory and ports chosen free on
127.0.0.1. It is stopped by PID (SIGTERM, then SIGKILL after a grace period) and its log is
kept for assertions and printed when a test fails. The chaos tests (tests/chaos/cluster.py)
reuse it for cluster members: they give each listener its host, add flags (--join), and may
wrap the command (`ip netns exec NS`, which execs, so the PID is still micedb's). A Node can
be started again after it stopped (kill -9 and restart); its log is appended to.

MICE_TEST_CLUSTER=N (N >= 2) turns every Node that a test starts without its own --join
into node 1 of an N-node cluster: the node and N-1 companions start with one --join list,
`micedb init` bootstraps them, and the test talks to node 1 as usual while every write is
replicated through Raft. `MICE_TEST_CLUSTER=3 ctest -R e2e/sql` runs the SQL suite that way.
Tests that kill and restart node 1 itself (test_start.py) stay single-node tests.
"""
import os
import signal
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("MICEDB_BIN", os.path.join(os.path.dirname(__file__), "../../build/micedb"))
TMP_ROOT = os.environ.get("MICE_TEST_TMP", tempfile.gettempdir())


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, data_dir=None, extra_args=(), hosts=None, ports=None, wrap=()):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.tmp = tempfile.mkdtemp(prefix="e2e-", dir=TMP_ROOT)
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.ports = ports or {k: free_port() for k in ("sql", "http", "resp", "rpc")}
        self.hosts = {k: (hosts or {}).get(k, "127.0.0.1") for k in self.ports}
        self.extra_args = list(extra_args)
        self.wrap = list(wrap)
        self.log_path = os.path.join(self.tmp, "micedb.log")
        self.proc = None

    def args(self):
        a = self.wrap + [BIN, "start", "--data", self.data_dir]
        for k, p in self.ports.items():
            a += ["--" + k, f"{self.hosts[k]}:{p}"]
        return a + self.extra_args

    def start(self, wait_for="ready", timeout_s=30):
        n = int(os.environ.get("MICE_TEST_CLUSTER", "0") or 0)
        if n >= 2 and "--join" not in self.extra_args and wait_for == "ready" and not self.wrap:
            return self._start_cluster(n, timeout_s)
        self.log = open(self.log_path, "ab")
        self.log_start = self.log.tell()  # a restart waits for this run's lines only
        self.proc = subprocess.Popen(self.args(), stdout=self.log, stderr=subprocess.STDOUT)
        if wait_for:
            self.wait_log(wait_for, timeout_s)
        return self

    def _start_cluster(self, n, timeout_s):
        if not hasattr(self, "companions"):
            self.companions = [Node() for _ in range(n - 1)]
        members = [self] + self.companions
        join = ",".join(f"127.0.0.1:{m.ports['rpc']}" for m in members)
        for m in members:
            m.log = open(m.log_path, "ab")
            m.log_start = m.log.tell()
            m.proc = subprocess.Popen(m.args() + ["--join", join], stdout=m.log,
                                      stderr=subprocess.STDOUT)
        init = subprocess.run([BIN, "init", "--rpc", f"127.0.0.1:{self.ports['rpc']}"],
                              capture_output=True, text=True, timeout=120)
        if init.returncode != 0 and "already initialized" not in init.stderr:
            raise AssertionError(f"micedb init failed: {init.stderr}\n{self.read_log()}")
        for m in members:
            m.wait_log("ready", max(timeout_s, 60))
        return self

    def read_log(self, since=0):
        with open(self.log_path, "rb") as f:
            f.seek(since)
            return f.read().decode(errors="replace")

    def wait_log(self, text, timeout_s=30):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if text in self.read_log(getattr(self, "log_start", 0)):
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"micedb exited {self.proc.returncode}:\n{self.read_log()}")
            time.sleep(0.05)
        raise AssertionError(f"no '{text}' in log after {timeout_s}s:\n{self.read_log()}")

    def addr(self, kind):
        return f"{self.hosts[kind]}:{self.ports[kind]}"

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, grace_s=20):
        failed = None
        for m in getattr(self, "companions", []):
            try:
                m.stop(sig, grace_s)
            except AssertionError as e:  # stop the others too (a companion was SIGKILLed)
                failed = failed or e
        rc = self._stop_own(sig, grace_s)
        if failed:
            raise failed
        return rc

    def _stop_own(self, sig, grace_s):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        if sig != signal.SIGKILL:
            self.proc.send_signal(signal.SIGCONT)  # a paused (SIGSTOP) node must see it
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"micedb ignored {sig} for {grace_s}s:\n{self.read_log()}")
        finally:
            self.log.close()
        return self.proc.returncode

    def kill9(self):
        return self.stop(signal.SIGKILL)
