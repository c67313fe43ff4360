"""A 3-node cluster of real micedb processes on 127.0.0.1: init, SQL and KV through any
node, the cluster endpoints, node status, a kill -9 of a leaseholder, restart and catch-up,
and a fourth node joining."""
import json
import subprocess
import time
import urllib.request

import psycopg
import pytest

from harness import BIN, Node

DEAD_AFTER_S = 3


def http_json(node, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{node.ports['http']}{path}", timeout=10) as r:
        return json.loads(r.read())


def connect(node):
    return psycopg.connect(host="127.0.0.1", port=node.ports["sql"], user="root",
                           dbname="defaultdb", autocommit=True, connect_timeout=10)


def retry(fn, timeout_s=30, what="operation"):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - the last error is reported
            last = e
            time.sleep(0.2)
    raise AssertionError(f"{what} did not succeed in {timeout_s}s: {last!r}")


def wait_ready(node, timeout_s=60):
    node.wait_log("ready", timeout_s)


@pytest.fixture(scope="module")
def cluster():
    nodes = [Node() for _ in range(3)]
    join = ",".join(f"127.0.0.1:{n.ports['rpc']}" for n in nodes)
    for n in nodes:
        n.extra_args = ["--join", join, "--dead-after-s", str(DEAD_AFTER_S)]
        n.start(wait_for="waits for `micedb init")
    r = subprocess.run([BIN, "init", "--rpc", f"127.0.0.1:{nodes[0].ports['rpc']}"],
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, r.stderr
    assert "initialized" in r.stdout
    for n in nodes:
        wait_ready(n)
    yield nodes, join
    for n in nodes:
        n.stop()


def test_init_twice_is_a_clear_error(cluster):
    nodes, _ = cluster
    r = subprocess.run([BIN, "init", "--rpc", f"127.0.0.1:{nodes[1].ports['rpc']}"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "already initialized" in r.stderr


def test_sql_written_on_one_node_is_read_on_every_node(cluster):
    nodes, _ = cluster
    with connect(nodes[0]) as c:
        c.execute("CREATE TABLE t (k int PRIMARY KEY, v text)")
        for i in range(50):
            c.execute("INSERT INTO t VALUES (%s, %s)", (i, f"v{i}"))
    for n in nodes:
        def read():
            with connect(n) as c:
                return c.execute("SELECT count(*), sum(k) FROM t").fetchone()
        assert retry(read, what="read") == (50, sum(range(50)))
    # A transaction across two tables (two ranges once split) through node 3.
    with connect(nodes[2]) as c:
        c.execute("CREATE TABLE u (k int PRIMARY KEY, v int)")
        with c.transaction():
            c.execute("INSERT INTO u VALUES (1, 10)")
            c.execute("UPDATE t SET v = 'changed' WHERE k = 7")
    with connect(nodes[1]) as c:
        assert c.execute("SELECT v FROM t WHERE k = 7").fetchone() == ("changed",)
        assert c.execute("SELECT v FROM u WHERE k = 1").fetchone() == (10,)


def test_cluster_endpoints_and_node_status(cluster):
    nodes, _ = cluster
    got = retry(lambda: http_json(nodes[1], "/v1/cluster/nodes"), what="nodes")
    assert sorted(x["id"] for x in got) == [1, 2, 3]
    for x in got:
        assert x["live"] is True
        assert x["sql_addr"] and x["rpc_addr"] and x["http_addr"]
    by_id = {x["id"]: x for x in got}
    assert by_id[1]["rpc_addr"] == f"127.0.0.1:{nodes[0].ports['rpc']}"

    def table_range():
        ranges = http_json(nodes[0], "/v1/cluster/ranges")
        hit = [r for r in ranges if r["table"] == "t"]
        assert hit, ranges
        assert hit[0]["leaseholder"] in (1, 2, 3), hit  # unknown for a moment after a split
        return hit[0], ranges
    r, ranges = retry(table_range, what="a range for table t")
    assert sorted(r["replicas"]) == [1, 2, 3]
    assert r["leaseholder"] in (1, 2, 3)
    assert {"range_id", "start_key", "end_key", "term"} <= set(r)
    assert len({x["range_id"] for x in ranges}) == len(ranges)

    out = subprocess.run([BIN, "node", "status", "--http", f"127.0.0.1:{nodes[2].ports['http']}"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].split()[:2] == ["id", "sql_addr"]
    assert len(lines) == 4


def test_kv_api_is_shared_by_every_node(cluster):
    nodes, _ = cluster
    url = f"http://127.0.0.1:{nodes[0].ports['http']}/v1/kv/greeting"
    req = urllib.request.Request(url, data=b"hello", method="PUT")
    urllib.request.urlopen(req, timeout=10).read()
    url2 = f"http://127.0.0.1:{nodes[2].ports['http']}/v1/kv/greeting"
    assert retry(lambda: urllib.request.urlopen(url2, timeout=10).read()) == b"hello"


def test_kill_the_leaseholder_then_restart_it(cluster):
    nodes, _ = cluster
    def leaseholder():
        lh = [r for r in http_json(nodes[0], "/v1/cluster/ranges") if r["table"] == "t"][0]["leaseholder"]
        assert lh in (1, 2, 3)
        return lh
    lh = retry(leaseholder, what="the leaseholder of t")
    victim = nodes[lh - 1]
    others = [n for n in nodes if n is not victim]
    victim.kill9()
    t0 = time.monotonic()

    def write():
        with connect(others[0]) as c:
            c.execute("INSERT INTO t VALUES (1000, 'after kill')")
    retry(write, timeout_s=30, what="a write after killing the leaseholder")
    elapsed = time.monotonic() - t0
    with connect(others[1]) as c:
        assert retry(lambda: c.execute("SELECT v FROM t WHERE k = 1000").fetchone()) == ("after kill",)
    # The killed node comes back with its data and catches up on what it missed.
    victim.start(wait_for=None)
    wait_ready(victim)

    def read_back():
        with connect(victim) as c:
            return c.execute("SELECT v FROM t WHERE k = 1000").fetchone()
    assert retry(read_back, timeout_s=60, what="read on the restarted node") == ("after kill",)
    print(f"writes resumed {elapsed:.2f}s after kill -9 of node {lh}")


def replicas_by_node(node):
    out = {}
    for r in http_json(node, "/v1/cluster/ranges"):
        for n in r["replicas"]:
            out.setdefault(n, []).append(r["range_id"])
    return out


def test_a_fourth_node_joins_receives_replicas_and_replaces_a_dead_node(cluster):
    nodes, join = cluster
    n4 = Node(extra_args=["--join", join, "--dead-after-s", str(DEAD_AFTER_S)])
    try:
        n4.start(wait_for=None)
        wait_ready(n4)
        with connect(n4) as c:
            assert c.execute("SELECT count(*) FROM t").fetchone()[0] >= 50
        got = retry(lambda: [x["id"] for x in http_json(nodes[0], "/v1/cluster/nodes")
                             if x["id"] == 4], what="node 4's record")
        assert got == [4]

        # Placement balances replica counts: node 4 gets its share.
        def balanced():
            by = replicas_by_node(nodes[0])
            counts = [len(by.get(i, [])) for i in (1, 2, 3, 4)]
            assert counts[3] > 0 and max(counts) - min(counts) <= 1, by
            return by
        retry(balanced, timeout_s=90, what="node 4 receiving replicas")
        with connect(n4) as c:
            c.execute("INSERT INTO t VALUES (2000, 'with four')")

        # Node 2 dies for good: after --dead-after-s its replicas move to the others,
        # and every range has three replicas again, none on node 2.
        nodes[1].kill9()

        def replaced():
            ranges = http_json(nodes[0], "/v1/cluster/ranges")
            for r in ranges:
                assert 2 not in r["replicas"] and len(r["replicas"]) == 3, ranges
            return ranges
        retry(replaced, timeout_s=120, what="node 2's replicas replaced")
        with connect(nodes[2]) as c:
            assert c.execute("SELECT v FROM t WHERE k = 2000").fetchone() == ("with four",)
            assert c.execute("SELECT count(*) FROM t").fetchone()[0] >= 52
    finally:
        n4.stop()
