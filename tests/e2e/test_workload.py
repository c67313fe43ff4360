"""`micedb workload` against a fresh node: init + a short run of kv (SQL, HTTP KV API),
bank and ycsb A/B/C/E, each summary parsed (operations done, no unexpected errors); bank's
invariant holds after its run and `check` notices when it is broken; kv against a real
etcd's JSON gateway; Ctrl-C prints the summary; usage and connection errors exit non-zero
without crashing."""
import json
import re
import signal
import subprocess
import time
import urllib.request

import psycopg
import pytest

from etcdserver import Etcd
from harness import BIN, Node, free_port

RUN_S = "3s"


@pytest.fixture(scope="module")
def node():
    n = Node().start()
    yield n
    assert n.stop() == 0


def url(node):
    return f"postgres://root@127.0.0.1:{node.ports['sql']}/defaultdb?sslmode=disable"


def wl(*args, timeout=120):
    return subprocess.run([BIN, "workload", *args], capture_output=True, text=True,
                          timeout=timeout)


def result(out):
    """The fields of the summary's `result:` line."""
    lines = [ln for ln in out.splitlines() if ln.startswith("result: ")]
    assert len(lines) == 1, out
    fields = dict(kv.split("=", 1) for kv in lines[0][len("result: "):].split())
    for k in ("ops", "errors", "retries"):
        fields[k] = int(fields[k])
    for k in ("ops_per_s", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
        fields[k] = float(fields[k])
    return fields


def assert_clean_run(r, workload, target="sql"):
    assert r.returncode == 0, r.stdout + r.stderr
    res = result(r.stdout)
    assert res["workload"] == workload and res["target"] == target
    assert res["ops"] > 0, r.stdout
    assert res["errors"] == 0, r.stdout
    assert res["ops_per_s"] > 0
    assert 0 < res["p50_ms"] <= res["p95_ms"] <= res["p99_ms"] <= res["max_ms"]
    # the progress header, the per-op table and the histogram are there
    assert "ops/s(cum)" in r.stdout and "latency histogram" in r.stdout
    return res


def test_kv_sql(node):
    r = wl("init", "kv", "--url", url(node), "--drop")
    assert r.returncode == 0, r.stderr
    r = wl("run", "kv", "--url", url(node), "--duration", RUN_S, "--concurrency", "4",
           "--read-percent", "50", "--batch", "4", "--keys", "1000", "--value-size", "32")
    assert_clean_run(r, "kv")
    assert re.search(r"^read\s+\d+", r.stdout, re.M) and re.search(r"^write\s+\d+", r.stdout, re.M)
    with psycopg.connect(url(node), autocommit=True) as c:
        n, size = c.execute("select count(*), max(length(v)) from workload_kv").fetchone()
    assert 0 < n <= 1000 and size == 32


def test_kv_sequential_and_max_ops(node):
    assert wl("init", "kv", "--url", url(node), "--drop").returncode == 0
    r = wl("run", "kv", "--url", url(node), "--sequential", "--max-ops", "300",
           "--concurrency", "3")
    res = assert_clean_run(r, "kv")
    assert res["ops"] == 300
    with psycopg.connect(url(node), autocommit=True) as c:
        keys = [k for (k,) in c.execute("select k from workload_kv order by k")]
    assert keys == list(range(300))  # every write took the next key


def test_kv_http(node):
    r = wl("run", "kv", "--http", f"127.0.0.1:{node.ports['http']}", "--duration", RUN_S,
           "--concurrency", "4", "--read-percent", "50", "--keys", "500")
    assert_clean_run(r, "kv", "http")
    # the writes are there: list the keys under workload/ through the same API
    with urllib.request.urlopen(
            f"http://127.0.0.1:{node.ports['http']}/v1/kv?prefix=workload/", timeout=10) as resp:
        n = len([ln for ln in resp.read().splitlines() if ln.strip()])
    assert 0 < n <= 500


def test_kv_etcd():
    with Etcd() as e:
        r = wl("run", "kv", "--etcd", e.url, "--duration", RUN_S, "--concurrency", "4",
               "--read-percent", "50", "--keys", "500")
        res = assert_clean_run(r, "kv", "etcd")
        # the writes are there: count keys under workload/ through the same gateway
        req = urllib.request.Request(e.url + "/v3/kv/range", method="POST", data=json.dumps(
            {"key": "d29ya2xvYWQv", "range_end": "d29ya2xvYWQw", "count_only": True}).encode())
        with urllib.request.urlopen(req, timeout=10) as resp:
            count = int(json.load(resp).get("count", 0))
        assert 0 < count <= 500 and res["ops"] >= count


def test_bank_invariant(node):
    u = url(node)
    r = wl("init", "bank", "--url", u, "--drop", "--accounts", "50")
    assert r.returncode == 0, r.stderr
    r = wl("run", "bank", "--url", u, "--duration", RUN_S, "--concurrency", "8")
    res = assert_clean_run(r, "bank")
    assert re.search(r"bank check: accounts=50 total=50000 expected=50000 OK", r.stdout), r.stdout
    # retries are reported by SQLSTATE, and only the retryable ones
    m = re.search(r"^retries: (\d+)(?: \((.*)\))?$", r.stdout, re.M)
    assert m and int(m.group(1)) == res["retries"]
    if m.group(2):
        assert set(kv.split("=")[0] for kv in m.group(2).split(", ")) <= {"40001", "40P01"}
    with psycopg.connect(u, autocommit=True) as c:
        total, moved = c.execute(
            "select sum(balance), sum(case when balance <> 1000 then 1 else 0 end) from bank").fetchone()
    assert total == 50000 and moved > 0
    assert wl("check", "bank", "--url", u).returncode == 0
    # a check that can fail: money created out of nothing
    with psycopg.connect(u, autocommit=True) as c:
        c.execute("update bank set balance = balance + 1 where id = 7")
    r = wl("check", "bank", "--url", u)
    assert r.returncode == 1 and "BROKEN" in r.stdout and "invariant broken" in r.stderr


@pytest.mark.parametrize("letter,ops", [("A", {"read", "update"}), ("B", {"read", "update"}),
                                        ("C", {"read"}), ("E", {"scan", "insert"})])
def test_ycsb(node, letter, ops):
    u = url(node)
    r = wl("init", "ycsb", "--url", u, "--records", "500", "--fields", "4", "--field-size", "20")
    assert r.returncode == 0, r.stderr
    with psycopg.connect(u, autocommit=True) as c:
        (before,) = c.execute("select count(*) from usertable").fetchone()
    assert before >= 500
    r = wl("run", "ycsb", "--url", u, "--workload", letter, "--duration", RUN_S,
           "--concurrency", "4", "--fields", "4", "--field-size", "20", "--max-scan", "10")
    assert_clean_run(r, "ycsb")
    seen = {m for m in ("read", "update", "scan", "insert")
            if re.search(rf"^{m}\s+\d+", r.stdout, re.M)}
    assert seen <= ops and "insert" not in seen - ops
    assert seen & ops
    with psycopg.connect(u, autocommit=True) as c:
        (after,) = c.execute("select count(*) from usertable").fetchone()
    if letter == "E" and "insert" in seen:
        assert after > before
    else:
        assert after == before


def test_ctrl_c_prints_the_summary(node):
    p = subprocess.Popen([BIN, "workload", "run", "kv", "--url", url(node), "--concurrency", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    assert result(out)["ops"] > 0
    assert re.search(r"^\s+1\.\ds\s", out, re.M)  # at least one progress line


def test_errors_are_counted_not_fatal():
    free = free_port()  # nothing listens there
    r = wl("run", "kv", "--url", f"postgres://root@127.0.0.1:{free}/defaultdb", "--duration",
           "1s", "--concurrency", "2")
    assert r.returncode == 1
    res = result(r.stdout)
    assert res["ops"] == 0 and res["errors"] > 0 and "conn=" in res["errors_by_code"]


def test_usage_errors():
    for args in (("run", "nosuch"), ("run", "kv", "--bogus"), ("run", "kv", "--read-percent", "101"),
                 ("run", "bank", "--http", "127.0.0.1:1"), ("frob", "kv"),
                 ("run", "kv", "--duration", "soon")):
        r = wl(*args)
        assert r.returncode == 2, args
    r = wl("help")
    assert r.returncode == 0 and "--read-percent" in r.stdout and "--etcd" in r.stdout
