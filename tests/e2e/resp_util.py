"""Helpers for the RESP end-to-end tests: a raw RESP client that returns reply bytes
exactly as the server sent them, and a real redis-server on a free loopback port (started
with persistence off, stopped by PID) to compare MiceDB's answers with."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from harness import TMP_ROOT, free_port


class RawClient:
    """One TCP connection; send() takes a command's arguments, reply() returns the bytes
    of exactly one reply (a RESP2/RESP3 value), read by its framing."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, int):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, *args):
        self.send_raw(self.encode(*args))

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def _line(self, pos):
        while True:
            i = self.buf.find(b"\r\n", pos)
            if i >= 0:
                return i
            self._fill()

    def _value_end(self, pos):
        end = self._line(pos)
        t, head = self.buf[pos:pos + 1], self.buf[pos + 1:end]
        after = end + 2
        if t in b"+-:,(#_":
            return after
        if t in b"$=!":
            n = int(head)
            if n < 0:
                return after
            while len(self.buf) < after + n + 2:
                self._fill()
            return after + n + 2
        if t in b"*~>%|":
            n = int(head)
            if t in b"%|":
                n *= 2
            for _ in range(max(n, 0)):
                after = self._value_end(after)
            return after
        raise AssertionError(f"bad reply type {t!r} in {self.buf[pos:pos + 80]!r}")

    def reply(self):
        end = self._value_end(0)
        out, self.buf = self.buf[:end], self.buf[end:]
        return out

    def call(self, *args):
        self.send(*args)
        return self.reply()

    def closed_by_peer(self, timeout=5):
        """True if the server closes the connection (after any bytes still buffered)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


class RedisServer:
    """A real redis-server 7 for differential tests."""

    def __init__(self):
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="redis-", dir=TMP_ROOT)
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def have_redis_server():
    return shutil.which("redis-server") is not None
