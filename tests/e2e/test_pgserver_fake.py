"""The PostgreSQL server glue with real clients: psql and psycopg 3 against pgserver_fake
(src/server/pgserver in front of the fake backend of tests/server/support).

Simple and extended queries, errors with SQLSTATEs, a large streamed result, COPY, a
cancel from psycopg, SCRAM-SHA-256 logins (right and wrong password) and trust for
loopback in insecure mode. Every server binds 127.0.0.1, is stopped by PID with SIGTERM
and must exit 0 (a clean stop).
"""
import os
import select
import signal
import subprocess
import tempfile
import threading
import time

import psycopg
import pytest

BIN = os.environ.get("PGSERVER_FAKE_BIN") or os.path.join(
    os.path.dirname(os.environ.get("MICEDB_BIN", "build/micedb")), "tests", "pgserver_fake")
TMP_ROOT = os.environ.get("MICE_TEST_TMP", tempfile.gettempdir())
PSQL = "/usr/bin/psql"
USERS = {"root": "rootpw", "alice": "wonderland"}


class FakeServer:
    def __init__(self, *args):
        assert os.path.exists(BIN), (
            f"{BIN} is not built: cmake/tests.cmake must include tests/e2e/pgfake.cmake")
        os.makedirs(TMP_ROOT, exist_ok=True)
        self.log = tempfile.NamedTemporaryFile(prefix="pgfake-", suffix=".log", dir=TMP_ROOT,
                                               delete=False)
        self.proc = subprocess.Popen([BIN, "--listen", "127.0.0.1:0", *args],
                                     stdout=subprocess.PIPE, stderr=self.log)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode() if ready else ""
        assert "listening on port" in line, f"no start-up line: {line!r}\n{self.read_log()}"
        self.port = int(line.split()[-1])

    def read_log(self):
        with open(self.log.name, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise AssertionError(f"pgserver_fake did not stop:\n{self.read_log()}")
        assert rc == 0, f"pgserver_fake exited {rc}:\n{self.read_log()}"
        assert "pgserver: stopped" in self.read_log()


@pytest.fixture(scope="module")
def secure():
    users = [a for u, p in USERS.items() for a in ("--user", f"{u}:{p}")]
    s = FakeServer(*users)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def insecure():
    s = FakeServer("--insecure")
    yield s
    s.stop()


def psql(server, sql, user="root", password=None):
    env = dict(os.environ, PGCONNECT_TIMEOUT="10")
    env.pop("PGPASSWORD", None)
    if password is not None:
        env["PGPASSWORD"] = password
    return subprocess.run([PSQL, "-X", "-h", "127.0.0.1", "-p", str(server.port), "-U", user,
                           "-d", "test", "-w", "-c", sql],
                          capture_output=True, text=True, timeout=60, env=env)


def connect(server, user="alice", **kw):
    return psycopg.connect(host="127.0.0.1", port=server.port, user=user, dbname="test",
                           password=USERS.get(user), connect_timeout=10, **kw)


def test_psql_trust_on_loopback_in_insecure_mode(insecure):
    r = psql(insecure, "SELECT 5")
    assert r.returncode == 0, r.stderr
    assert " 5\n" in r.stdout and "(1 row)" in r.stdout
    r = psql(insecure, "FAIL")
    assert r.returncode == 1 and "fake failure" in r.stderr


def test_psql_scram_login(secure):
    r = psql(secure, "SELECT 5", user="root", password="rootpw")
    assert r.returncode == 0, r.stderr
    assert " 5\n" in r.stdout
    r = psql(secure, "SELECT 5", user="root", password="wrong")
    assert r.returncode != 0
    assert 'password authentication failed for user "root"' in r.stderr
    r = psql(secure, "SELECT 5", user="mallory", password="x")  # unknown: same answer
    assert 'password authentication failed for user "mallory"' in r.stderr


def test_psycopg_simple_and_extended(secure):
    with connect(secure, autocommit=True) as conn:
        assert conn.pgconn.parameter_status(b"fake_backend") == b"on"
        assert conn.execute("SELECT 7").fetchone() == (7,)  # extended, no parameters
        assert conn.execute("SELECT %s", ["hi"]).fetchone() == ("hi",)  # Parse $1, Bind
        assert conn.execute("SELECT %s", [None]).fetchone() == (None,)
        assert conn.execute("SELECT 3", binary=True).fetchone() == (3,)  # binary int4
        with psycopg.ClientCursor(conn) as cur:  # simple Query protocol
            cur.execute("SELECT 1; GENERATE 4")
            assert cur.fetchall() == [(1,)]
            assert cur.nextset()
            assert cur.fetchall() == [(1,), (2,), (3,), (4,)]
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("FAIL")
        with pytest.raises(psycopg.errors.SyntaxError):
            conn.execute("no such statement")
        assert conn.execute("SELECT 8").fetchone() == (8,)


def test_psycopg_transactions(secure):
    with connect(secure) as conn:  # not autocommit: psycopg sends BEGIN
        conn.execute("SELECT 1")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        conn.commit()
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with pytest.raises(psycopg.errors.DivisionByZero):
            conn.execute("FAIL")
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        conn.rollback()
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_psycopg_large_result(secure):
    n = 500_000  # single-row mode: psycopg is the bottleneck here
    with connect(secure, autocommit=True) as conn:
        t0 = time.monotonic()
        count = total = 0
        for (v,) in conn.cursor().stream(f"GENERATE {n}"):
            count += 1
            total += v
        dt = time.monotonic() - t0
        assert count == n and total == n * (n + 1) // 2
        print(f"psycopg streamed {n} rows in {dt:.2f}s ({n / dt:,.0f} rows/s)")
        rows = conn.execute("GENERATE 300000").fetchall()
        assert len(rows) == 300000 and rows[-1] == (300000,)


def test_psycopg_round_trips(secure):
    with connect(secure, autocommit=True) as conn:
        n = 3000
        t0 = time.monotonic()
        for i in range(n):
            assert conn.execute(f"SELECT {i}").fetchone() == (i,)
        dt = time.monotonic() - t0
        print(f"psycopg SELECT n: {n / dt:,.0f} round trips/s")
        assert n / dt > 100


def test_psycopg_cancel(secure):
    with connect(secure, autocommit=True) as conn:
        timer = threading.Timer(0.3, conn.cancel)
        timer.start()
        t0 = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SLEEP 60000")
        timer.join()
        assert time.monotonic() - t0 < 10
        assert conn.execute("SELECT 4").fetchone() == (4,)  # the session goes on


def test_psycopg_copy_in_and_out(secure):
    with connect(secure, autocommit=True) as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY IN") as copy:
                for i in range(1000):
                    copy.write(f"{i}\n")
            assert cur.rowcount == 1000
            with cur.copy("COPY OUT 5") as copy:
                data = b"".join(bytes(chunk) for chunk in copy)
            assert data == b"1\n2\n3\n4\n5\n"
            with pytest.raises(psycopg.errors.BadCopyFileFormat):
                with cur.copy("COPY IN") as copy:
                    copy.write("ok\nboom\n")
        assert conn.execute("SELECT 6").fetchone() == (6,)


def test_many_psycopg_connections(secure):
    conns = [connect(secure, autocommit=True) for _ in range(50)]
    try:
        for i, c in enumerate(conns):
            assert c.execute(f"SELECT {i}").fetchone() == (i,)
    finally:
        for c in conns:
            c.close()


def test_connection_limit_with_psql():
    s = FakeServer("--insecure", "--max-connections", "2")
    try:
        held = [psycopg.connect(host="127.0.0.1", port=s.port, user="root", dbname="test")
                for _ in range(2)]
        r = psql(s, "SELECT 1")
        assert r.returncode != 0
        assert "sorry, too many clients already" in r.stderr
        for c in held:
            c.close()
        deadline = time.monotonic() + 10
        while psql(s, "SELECT 1").returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert psql(s, "SELECT 1").returncode == 0
    finally:
        s.stop()
