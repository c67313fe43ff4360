"""A throwaway single-member etcd (Debian's etcd-server, v3.4) for comparisons.

Its defaults apart from where it listens: data in its own temporary directory, client and
peer URLs on free 127.0.0.1 ports, so the v3 JSON gateway is at http://127.0.0.1:<port>
(/v3/kv/put, /v3/kv/range). Stopped by PID (SIGTERM, then SIGKILL).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

ETCD_BIN = shutil.which("etcd") or "/usr/bin/etcd"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def available():
    return os.access(ETCD_BIN, os.X_OK)


class Etcd:
    def __init__(self, root=None):
        self.tmp = tempfile.mkdtemp(prefix="etcd-", dir=root)
        self.port = free_port()
        self.peer_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def args(self):
        peer = f"http://127.0.0.1:{self.peer_port}"
        return [ETCD_BIN, "--name", "bench", "--data-dir", os.path.join(self.tmp, "data"),
                "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", f"bench={peer}"]

    def start(self, timeout_s=30):
        self.log = open(os.path.join(self.tmp, "etcd.log"), "ab")
        self.proc = subprocess.Popen(self.args(), stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if json.load(r).get("health") in ("true", True):
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        log = self.read_log()
        self.stop()
        raise RuntimeError(f"etcd did not become healthy:\n{log[-3000:]}")

    def read_log(self):
        with open(os.path.join(self.tmp, "etcd.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
