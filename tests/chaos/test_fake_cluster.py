"""The harness's multi-node paths (--join, init, /v1/cluster/nodes, leaseholder lookup via
/v1/cluster/ranges, kill -9 of the leaseholder, failover timing) against fake_micedb.py
nodes whose data lives in one real micedb: run.py passes, a planted stale read fails, and
bench/failover prints its percentiles. This tests the test tools, not micedb's cluster."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
sys.path.insert(0, os.path.join(ROOT, "tests/e2e"))
from harness import Node  # noqa: E402

FAKE = os.path.join(HERE, "fake_micedb.py")


def backend_env():
    """A real micedb for fake_micedb.py nodes to keep their data in; yields the env."""
    backend = Node().start()
    try:
        yield dict(os.environ, FAKE_MICEDB_BACKEND=f"127.0.0.1:{backend.ports['sql']}")
    finally:
        backend.stop()


env = pytest.fixture(scope="module", name="env")(backend_env)


def run(env, *args, timeout=240):
    r = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), "--bin", FAKE, *args],
                       env=env, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def test_three_fake_nodes_with_leaseholder_kills_and_pauses(env):
    rc, out = run(env, "--nodes", "3", "--loopback", "--duration", "15", "--seed", "1",
                  "--faults", "kill,pause")
    assert rc == 0, out
    assert "cluster of 3 (loopback) up" in out and "kill -9" in out, out


def test_planted_stale_read_through_three_nodes_is_reported(env):
    rc, out = run(env, "--nodes", "3", "--loopback", "--duration", "4", "--seed", "2",
                  "--no-nemesis", "--plant", "stale-read")
    assert rc == 1, out
    assert "NOT linearizable" in out, out


def test_failover_bench_kills_the_leaseholder(env):
    e = dict(env, MICEDB_BIN=FAKE, BENCH_FAILOVER_ROUNDS="3")
    r = subprocess.run([os.path.join(ROOT, "bench/failover/run.sh")], env=e,
                       capture_output=True, text=True, timeout=240)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert out.count("(leaseholder)") == 3, out
    assert "3 leaseholder kills): p50" in out, out
