"""Fixtures for the client-tool tests (psql, pgbench, \\copy): a micedb node and, for the
differential tests, a throwaway PostgreSQL 15 set up the same way (role root, database
defaultdb: see ../sqltarget.py), each started once per test file and stopped by PID."""
import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqltarget  # noqa: E402

TEST_TIMEOUT_S = int(os.environ.get("MICE_CLIENTS_TEST_TIMEOUT_S", "120"))


def _start(kind):
    t = sqltarget.Target(kind)
    try:
        t.start()
    except BaseException:
        t.stop()
        raise
    return t


@pytest.fixture(scope="module")
def mice():
    t = _start("micedb")
    yield t
    t.stop()


@pytest.fixture(scope="module")
def pg():
    t = _start("postgres")
    yield t
    t.stop()


@pytest.fixture(autouse=True)
def _time_limit(request):
    """Fail (not hang) a test that runs past TEST_TIMEOUT_S."""
    def on_alarm(signum, frame):
        raise TimeoutError(f"{request.node.nodeid} ran past {TEST_TIMEOUT_S}s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_TIMEOUT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def target():
    """The server a driver test talks to: a fresh micedb, or PostgreSQL 15 with
    MICE_SQL_TARGET=postgres (to prove the test against the real thing), or, with
    MICE_CLIENTS_PORT=n, whatever already listens on 127.0.0.1:n (for debugging; not stopped)."""
    port = os.environ.get("MICE_CLIENTS_PORT")
    if port:
        t = sqltarget.Target(sqltarget.KIND)
        t.port = int(port)
        yield t
        return
    t = _start(sqltarget.KIND)
    yield t
    t.stop()
