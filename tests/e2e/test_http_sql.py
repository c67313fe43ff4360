"""SQL over HTTP (POST /v1/sql) against a real node: NDJSON answers with typed values,
parameters, multi-statement transactions (all or nothing), error statuses with SQLSTATE,
streaming of a large result in constant memory, bounded concurrency, and authentication."""
import json
import select
import socket
import threading
import time

import psycopg
import pytest

from harness import Node
from httpclient import Client, rows


@pytest.fixture(scope="module")
def node():
    n = Node().start()
    yield n
    assert n.stop() == 0


@pytest.fixture
def c(node):
    return Client(node.ports["http"])


def test_select_answers_columns_rows_and_tag(c):
    r = c.sql("SELECT 1 AS i, 9223372036854775807::int8 AS big, 2.5::float8 AS f, "
              "'NaN'::float8 AS nan, 12.50::numeric(6,2) AS n, true AS b, NULL::text AS nul, "
              "'a\"\\b'::text AS t, '\\x00ff'::bytea AS by, DATE '2024-02-29' AS d, "
              "'x'::varchar(5) AS vc, 1 AS i")
    assert r.status == 200 and r.headers["Content-Type"] == "application/x-ndjson"
    lines = r.lines()
    assert lines[0] == {"columns": [
        {"name": "i", "type": "integer"}, {"name": "big", "type": "bigint"},
        {"name": "f", "type": "double precision"}, {"name": "nan", "type": "double precision"},
        {"name": "n", "type": "numeric(6,2)"}, {"name": "b", "type": "boolean"},
        {"name": "nul", "type": "text"}, {"name": "t", "type": "text"},
        {"name": "by", "type": "bytea"}, {"name": "d", "type": "date"},
        {"name": "vc", "type": "character varying(5)"}, {"name": "i", "type": "integer"}]}
    assert lines[1] == {"i": 1, "big": 9223372036854775807, "f": 2.5, "nan": "NaN", "n": "12.50",
                        "b": True, "nul": None, "t": 'a"\\b', "by": "\\x00ff", "d": "2024-02-29",
                        "vc": "x", "i_2": 1}
    assert lines[2] == {"command": "SELECT 1"}
    assert len(lines) == 3
    raw = r.body.decode().splitlines()[1]
    assert '"big":9223372036854775807' in raw  # an exact JSON number, not a string


def test_params_are_typed_from_context(c):
    r = c.sql("SELECT $1::int + 1 AS x, $2 AS y, $3::bool AS z, $4::numeric * 2 AS n, "
              "$5::text IS NULL AS isnull", params=[41, "hé", True, 1.25, None])
    assert rows(r) == [{"x": 42, "y": "hé", "z": True, "n": "2.50", "isnull": True}]
    c.sql("CREATE TABLE p (id int PRIMARY KEY, v text)")
    r = c.sql("INSERT INTO p VALUES ($1, $2), ($3, $4)", params=[1, "a", 2, "b"])
    assert r.lines() == [{"command": "INSERT 0 2"}]
    assert rows(c.sql("SELECT v FROM p WHERE id = $1", params=[2])) == [{"v": "b"}]
    r = c.sql("SELECT $1::int", params=["not a number"])
    assert r.status == 400 and r.json()["code"] == "22P02"
    r = c.sql("SELECT 1; SELECT 2", params=[])
    assert r.status == 400 and r.json()["code"] == "42601"


def test_several_statements_in_one_string_are_one_transaction(c):
    r = c.sql("CREATE TABLE m (id int PRIMARY KEY); INSERT INTO m VALUES (1), (2); "
              "SELECT count(*) AS n FROM m")
    assert r.status == 200
    assert r.lines() == [{"command": "CREATE TABLE"}, {"command": "INSERT 0 2"},
                         {"columns": [{"name": "n", "type": "bigint"}]}, {"n": 2},
                         {"command": "SELECT 1"}]
    r = c.sql("INSERT INTO m VALUES (3); INSERT INTO m VALUES (1)")
    assert r.status == 400 and r.json()["code"] == "23505"
    assert rows(c.sql("SELECT id FROM m ORDER BY id")) == [{"id": 1}, {"id": 2}]


def test_statements_batch_is_all_or_nothing(c):
    r = c.sql(statements=["CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL)",
                          {"sql": "INSERT INTO acct VALUES ($1, $2), ($3, $4)",
                           "params": [1, 100, 2, 0]},
                          "SELECT sum(bal) AS total FROM acct"])
    assert r.status == 200
    assert r.lines()[-2:] == [{"total": 100}, {"command": "SELECT 1"}]
    transfer = [{"sql": "UPDATE acct SET bal = bal - $1 WHERE id = 1", "params": [30]},
                {"sql": "UPDATE acct SET bal = bal + $1 WHERE id = 2", "params": [30]},
                {"sql": "INSERT INTO acct VALUES ($1, $2)", "params": [1, 0]}]  # 23505: abort
    r = c.sql(statements=transfer)
    assert r.status == 400
    body = r.json()
    assert body["code"] == "23505" and "acct_pkey" in body["error"]
    assert body["detail"] == "Key (id)=(1) already exists."
    assert rows(c.sql("SELECT id, bal FROM acct ORDER BY id")) == [
        {"id": 1, "bal": 100}, {"id": 2, "bal": 0}]
    r = c.sql(statements=transfer[:2])
    assert r.status == 200
    assert rows(c.sql("SELECT id, bal FROM acct ORDER BY id")) == [
        {"id": 1, "bal": 70}, {"id": 2, "bal": 30}]


def test_error_statuses_carry_the_sqlstate(c):
    cases = [("SELEC 1", 400, "42601"), ("SELECT * FROM no_such_table", 400, "42P01"),
             ("SELECT 1/0", 400, "22012"), ("SELECT 'x'::int", 400, "22P02")]
    for sql, status, code in cases:
        r = c.sql(sql)
        assert (r.status, r.json()["code"]) == (status, code), sql
        assert r.headers["Content-Type"] == "application/json"
        assert r.json()["error"]
    assert c.sql("SELEC 1").json()["position"] == 1
    r = c.sql("SELECT 1", database="no_such_db")
    assert r.status == 400 and r.json()["code"] == "3D000"
    for body in ({}, {"sql": 1}, {"sql": "SELECT 1", "statements": []}, {"statements": []},
                 {"sql": "SELECT 1", "bogus": 1}, {"statements": [{"sql": "SELECT 1", "x": 1}]},
                 {"sql": "SELECT $1", "params": "x"}, [1]):
        r = c.request("POST", "/v1/sql", body=body)
        assert r.status == 400 and r.json()["code"] == "08P01", body
    r = c.request("POST", "/v1/sql", body=b"{oops")
    assert r.status == 400


def test_serialization_failure_is_409(node, c):
    """A REPEATABLE READ batch whose row another client changes meanwhile gets 40001."""
    c.sql("CREATE TABLE ser (id int PRIMARY KEY, v int); INSERT INTO ser VALUES (1, 0)")
    result = {}

    def batch():
        result["r"] = Client(node.ports["http"]).sql(statements=[
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            "SELECT v FROM ser WHERE id = 1", "SELECT pg_sleep(1.5)",
            "UPDATE ser SET v = v + 1 WHERE id = 1"])

    t = threading.Thread(target=batch)
    t.start()
    time.sleep(0.5)
    with psycopg.connect(host="127.0.0.1", port=node.ports["sql"], user="root",
                         dbname="defaultdb", autocommit=True) as conn:
        conn.execute("UPDATE ser SET v = 100 WHERE id = 1")
    t.join(30)
    r = result["r"]
    assert r.status == 409, r.body
    assert r.json()["code"] == "40001"
    assert rows(c.sql("SELECT v FROM ser")) == [{"v": 100}]


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(field)


def test_large_result_streams_in_constant_memory(node):
    """2,000,000 rows (~130 MB of NDJSON) reach the client while the server's resident
    memory grows by far less than the answer."""
    n = 2_000_000
    pid = node.proc.pid
    sock = socket.create_connection(("127.0.0.1", node.ports["http"]), timeout=120)
    body = json.dumps({"sql": f"SELECT g, repeat('x', 40) AS pad FROM generate_series(1, {n}) g"})
    sock.sendall((f"POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode())
    before = rss_kb(pid)
    f = sock.makefile("rb")
    status = f.readline()
    assert b" 200 " in status
    while f.readline() not in (b"\r\n", b""):
        pass
    peak, total, count, expect, tail = before, 0, 0, 1, b""
    # chunked transfer encoding: size line, data, CRLF
    while True:
        size = int(f.readline().strip(), 16)
        if size == 0:
            break
        chunk = f.read(size)
        f.read(2)
        total += size
        data = tail + chunk
        lines = data.split(b"\n")
        tail = lines.pop()
        for line in lines:
            if count == 0:
                assert json.loads(line) == {"columns": [{"name": "g", "type": "integer"},
                                                        {"name": "pad", "type": "text"}]}
            elif count <= n:
                assert line.startswith(b'{"g":%d,' % expect), line
                expect += 1
            else:
                assert json.loads(line) == {"command": f"SELECT {n}"}
            count += 1
        if count % 50000 < 300:
            peak = max(peak, rss_kb(pid))
    sock.close()
    assert tail == b"" and count == n + 2 and expect == n + 1
    peak = max(peak, rss_kb(pid))
    print(f"streamed {total} bytes; server RSS {before} kB -> peak {peak} kB")
    assert total > 120_000_000
    assert (peak - before) * 1024 < total / 8


def open_request(port, sql):
    """Send POST /v1/sql on a raw socket and leave the answer unread."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    body = json.dumps({"sql": sql})
    sock.sendall((f"POST /v1/sql HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
                  f"{body}").encode())
    return sock


def test_concurrency_is_bounded_with_503(node, c):
    """Eight statements run at once; a ninth request is refused at once, not queued."""
    port = node.ports["http"]
    slow = [open_request(port, "SELECT pg_sleep(60)") for _ in range(8)]
    try:
        deadline, probes = time.time() + 30, []
        while True:
            # A slow request that lost a race with a probe was refused (it has an answer
            # already): send it again, so the eight slots end up held by slow ones.
            ready, _, _ = select.select(slow, [], [], 0)
            for sock in ready:
                assert b" 503 " in sock.recv(65536)
                sock.close()
                slow[slow.index(sock)] = open_request(port, "SELECT pg_sleep(60)")
            t0 = time.time()
            r = c.sql("SELECT 1")
            probes.append((r.status, round(time.time() - t0, 3)))
            if r.status != 200 or time.time() > deadline:
                break
            time.sleep(0.2)
        assert r.status == 503 and r.json()["code"] == "53300", probes
        assert probes[-1][1] < 1  # refused at once
    finally:
        for sock in slow:  # leaving cancels the statements
            sock.close()
    deadline = time.time() + 30
    while time.time() < deadline:  # the slots come back
        out = []
        ts = [threading.Thread(target=lambda: out.append(c.sql("SELECT 1").status))
              for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if out == [200] * 8:
            break
        time.sleep(0.2)
    assert out == [200] * 8


def test_client_that_leaves_cancels_its_statement(node, c):
    sock = open_request(node.ports["http"], "SELECT g FROM generate_series(1, 100000000) g")
    assert b" 200 " in sock.recv(65536)
    sock.close()
    # every worker is free again soon: 8 parallel requests succeed
    deadline = time.time() + 30
    while True:
        out = []
        ts = [threading.Thread(target=lambda: out.append(c.sql("SELECT pg_sleep(0.3)").status))
              for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if out == [200] * 8 or time.time() > deadline:
            break
    assert out == [200] * 8


def test_passwords_require_http_basic(node, c):
    r = c.sql("CREATE USER alice WITH PASSWORD 'wonder land'")
    assert r.status == 200, r.body
    assert c.sql("CREATE USER bob").status == 200  # no password: trusted from loopback
    alice = Client(node.ports["http"], "alice", "wonder land")
    r = alice.sql("SELECT current_user AS u")
    assert rows(r) == [{"u": "alice"}]
    assert alice.get("anything").status == 404  # KV answers too
    for who in (Client(node.ports["http"], "alice", "wrong"), Client(node.ports["http"], "alice")):
        r = who.sql("SELECT 1")
        assert r.status == 401 and r.json()["code"] == "28P01"
        assert r.headers["WWW-Authenticate"].startswith("Basic")
        assert who.get("anything").status == 401
    r = Client(node.ports["http"], "nobody", "x").sql("SELECT 1")
    assert r.status == 401 and r.json()["code"] == "28000"
    assert rows(Client(node.ports["http"], "bob").sql("SELECT current_user AS u")) == [{"u": "bob"}]
    r = c.request("POST", "/v1/sql", body={"sql": "SELECT 1"}, headers={"Authorization": "Bearer x"})
    assert r.status == 401
    # once root has a password, anonymous requests (which are root) need it too
    assert c.sql("ALTER USER root WITH PASSWORD 'rootpw'").status == 200
    assert c.sql("SELECT 1").status == 401
    assert c.put("k", "v").status == 401
    root = Client(node.ports["http"], "root", "rootpw")
    assert rows(root.sql("SELECT current_user AS u")) == [{"u": "root"}]
    assert root.sql("ALTER USER root WITH PASSWORD NULL").status == 200
    assert c.sql("SELECT 1").status == 200
