"""Fixtures for the SQL end-to-end tests: one SQL target per session (see sqltarget.py),
a fresh autocommit psycopg connection per test, and a hard per-test time limit."""
import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqltarget  # noqa: E402

TEST_TIMEOUT_S = int(os.environ.get("MICE_SQL_TEST_TIMEOUT_S", "60"))


def pytest_report_header(config):
    return f"SQL target: {sqltarget.KIND} (set MICE_SQL_TARGET=postgres|micedb)"


@pytest.fixture(scope="session")
def target():
    t = sqltarget.Target()
    try:
        t.start()
    except BaseException:
        t.stop()
        raise
    yield t
    t.stop()


@pytest.fixture
def conn(target):
    c = target.connect(autocommit=True)
    yield c
    c.close()


@pytest.fixture
def connect(target):
    """Factory for extra connections, all closed at the end of the test."""
    opened = []

    def make(**kw):
        c = target.connect(**kw)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture(autouse=True)
def _time_limit(request):
    """Fail (not hang) a test that runs past TEST_TIMEOUT_S: SIGALRM raises in the main
    thread, which interrupts a blocked psycopg call or socket read."""
    def on_alarm(signum, frame):
        raise TimeoutError(f"{request.node.nodeid} ran past {TEST_TIMEOUT_S}s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_TIMEOUT_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, attach the tail of the server's log to the report."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        t = getattr(item, "funcargs", {}).get("target")
        if t is not None:
            report.sections.append((f"{t.kind} log (tail)", t.log()[-4000:]))
