"""The HTTP/JSON key-value API (/v1/kv) against a real node: single keys, TTLs, scans,
compare-and-set batches, error statuses, and agreement with the SQL table `kv` and the
Redis listener."""
import datetime
import threading
import time

import psycopg
import pytest
import redis

from harness import Node
from httpclient import Client, record_bytes, rows


@pytest.fixture(scope="module")
def node():
    n = Node().start()
    yield n
    assert n.stop() == 0


@pytest.fixture
def c(node):
    return Client(node.ports["http"])


def parse_time(s):
    assert s.endswith("Z")
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


def test_put_get_delete_raw_bytes(c):
    assert c.put("single:a", "hello").status == 200
    r = c.get("single:a")
    assert (r.status, r.body) == (200, b"hello")
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert "X-Expires-At" not in r.headers
    # any byte in keys (percent-encoded) and values
    key, value = b"single:\x00/\xff?%", bytes(range(256)) * 3
    assert c.put(key, value).status == 200
    assert c.get(key).body == value
    assert c.get(b"single:\x00").status == 404  # a prefix of the key is another key
    assert c.put("single:empty", b"").status == 200
    assert (c.get("single:empty").status, c.get("single:empty").body) == (200, b"")
    # overwrite, delete, delete again
    assert c.put("single:a", "v2").status == 200
    assert c.get("single:a").body == b"v2"
    r = c.delete("single:a")
    assert (r.status, r.json()) == (200, {"deleted": True})
    r = c.delete("single:a")
    assert r.status == 404 and r.json()["code"] == "not_found"
    r = c.get("single:a")
    assert r.status == 404
    assert r.json() == {"error": "key not found", "code": "not_found"}


def test_errors_are_json_with_a_status(c):
    r = c.request("GET", "/v1/kv/")
    assert r.status == 400 and r.json()["code"] == "bad_request"
    for ttl in ("0", "-1", "1.5", "abc", "999999999999"):
        r = c.put("err:k", "v", ttl=ttl)
        assert r.status == 400, ttl
        assert "ttl" in r.json()["error"]
    assert c.get("err:k").status == 404  # nothing was written
    assert c.scan(limit="0").status == 400
    assert c.scan(reverse="maybe").status == 400
    assert c.scan(prefix="a", start="b").status == 400
    r = c.request("PATCH", "/v1/kv/x")
    assert r.status == 405
    r = c.txn({"compare": "nope"})
    assert r.status == 400 and r.json()["code"] == "bad_request"
    r = c.request("POST", "/v1/kv/txn", body=b"{not json")
    assert r.status == 400 and "error" in r.json()


def test_ttl_is_exact(c):
    before = time.time()
    r = c.put("ttl:short", "soon gone", ttl=1)
    assert r.status == 200
    exp = parse_time(r.json()["expires_at"]).timestamp()
    assert before + 0.9 < exp < time.time() + 1.1
    r = c.get("ttl:short")
    assert r.status == 200 and parse_time(r.headers["X-Expires-At"]).timestamp() == exp
    assert c.put("ttl:long", "stays", ttl=3600).status == 200
    recs = c.scan(prefix="ttl:").lines()
    assert [record_bytes(x, "key") for x in recs] == [b"ttl:long", b"ttl:short"]
    assert all(x["expires_at"] for x in recs)
    # exactly at expiry it is gone, though no cleanup ran
    time.sleep(max(0, exp - time.time()) + 0.05)
    assert c.get("ttl:short").status == 404
    assert [record_bytes(x, "key") for x in c.scan(prefix="ttl:").lines()] == [b"ttl:long"]
    assert c.delete("ttl:short").status == 404
    # a PUT without ttl clears the expiry
    assert c.put("ttl:long", "forever").status == 200
    assert "X-Expires-At" not in c.get("ttl:long").headers


def test_scan_ranges_order_limit_reverse_and_b64(c):
    keys = [f"scan:{i:03d}".encode() for i in range(50)]
    for k in keys:
        assert c.put(k, b"v-" + k).status == 200
    assert c.put(b"scan:\xff\xfe", b"\x00\x01").status == 200
    r = c.scan(prefix="scan:")
    assert r.status == 200 and r.headers["Content-Type"] == "application/x-ndjson"
    recs = r.lines()
    assert [record_bytes(x, "key") for x in recs] == keys + [b"scan:\xff\xfe"]
    assert recs[0] == {"key": "scan:000", "value": "v-scan:000", "expires_at": None}
    assert record_bytes(recs[-1], "value") == b"\x00\x01" and "value" in recs[-1]  # valid UTF-8
    assert "key_b64" in recs[-1] and record_bytes(recs[-1], "key") == b"scan:\xff\xfe"
    got = [record_bytes(x, "key") for x in c.scan(start="scan:010", end="scan:020").lines()]
    assert got == keys[10:20]
    got = [record_bytes(x, "key") for x in
           c.scan(start="scan:010", end="scan:020", reverse="true").lines()]
    assert got == keys[10:20][::-1]
    got = [record_bytes(x, "key") for x in c.scan(start="scan:045", limit=3).lines()]
    assert got == keys[45:48]
    got = [record_bytes(x, "key") for x in c.scan(prefix="scan:", reverse="1", limit=2).lines()]
    assert got == [b"scan:\xff\xfe", keys[-1]]
    assert c.scan(start="scan:020", end="scan:010").lines() == []
    assert c.scan(prefix="nothing-here:").lines() == []


def test_scan_streams_many_keys(c):
    n, batch = 6000, 1000
    for b in range(0, n, batch):
        ops = [{"op": "put", "key": f"many:{i:06d}", "value": "x" * 100} for i in range(b, b + batch)]
        r = c.txn({"success": ops})
        assert r.status == 200 and r.json()["succeeded"] is True
    recs = c.scan(prefix="many:").lines()
    assert len(recs) == n
    assert [x["key"] for x in recs] == [f"many:{i:06d}" for i in range(n)]


def test_txn_compare_and_set(c):
    assert c.put("cas:a", "1").status == 200
    r = c.txn({"compare": [{"key": "cas:a", "value": "1"}, {"key": "cas:b", "exists": False}],
               "success": [{"op": "put", "key": "cas:a", "value": "2"},
                           {"op": "put", "key": "cas:b", "value": "new", "ttl": 60},
                           {"op": "get", "key": "cas:a"}],
               "failure": [{"op": "get", "key": "cas:a"}]})
    assert r.status == 200
    doc = r.json()
    assert doc["succeeded"] is True
    assert doc["results"][:2] == [{"op": "put"}, {"op": "put"}]
    assert doc["results"][2]["value"] == "2" and doc["results"][2]["found"] is True
    assert c.get("cas:b").headers["X-Expires-At"]
    # the same compare fails now: only the failure branch runs
    r = c.txn({"compare": [{"key": "cas:a", "value": "1"}],
               "success": [{"op": "delete", "key": "cas:a"}],
               "failure": [{"op": "get", "key": "cas:a"}, {"op": "get", "key": "cas:none"}]})
    doc = r.json()
    assert doc["succeeded"] is False
    assert doc["results"][0] == {"op": "get", "found": True, "key": "cas:a", "value": "2",
                                 "expires_at": None}
    assert doc["results"][1] == {"op": "get", "found": False}
    assert c.get("cas:a").body == b"2"
    # existence compares, deletes, base64 keys and values
    r = c.txn({"compare": [{"key": "cas:a", "exists": True}],
               "success": [{"op": "delete", "key": "cas:a"}, {"op": "delete", "key": "cas:zz"},
                           {"op": "put", "key_b64": "Y2FzOv8=", "value_b64": "AAE="}]})
    assert r.json() == {"succeeded": True, "results": [
        {"op": "delete", "deleted": True}, {"op": "delete", "deleted": False}, {"op": "put"}]}
    assert c.get("cas:a").status == 404
    assert c.get(b"cas:\xff").body == b"\x00\x01"
    # a malformed batch runs nothing
    r = c.txn({"success": [{"op": "put", "key": "cas:x", "value": "1"},
                           {"op": "put", "key": "cas:y"}]})
    assert r.status == 400 and "value" in r.json()["error"]
    assert c.get("cas:x").status == 404
    for bad in ({"compare": [{"key": "k"}]}, {"compare": [{"key": "k", "value": "v", "exists": True}]},
                {"success": [{"op": "frob", "key": "k"}]}, {"success": [{"op": "get"}]},
                {"success": [{"op": "get", "key": "k", "value": "v"}]},
                {"success": [{"op": "put", "key": "k", "value": "v", "ttl": 0}]},
                {"success": [{"op": "put", "key_b64": "!!", "value": "v"}]}, {"extra": 1}, [1]):
        assert c.txn(bad).status == 400, bad


def test_txn_is_atomic_under_concurrency(node):
    """Eight clients increment one counter with read + compare-and-set: no update is lost."""
    c = Client(node.ports["http"])
    assert c.put("counter", "0").status == 200
    per_thread, threads, errors = 15, 8, []

    def worker():
        cl = Client(node.ports["http"])
        done = 0
        while done < per_thread:
            cur = cl.get("counter").body.decode()
            r = cl.txn({"compare": [{"key": "counter", "value": cur}],
                        "success": [{"op": "put", "key": "counter", "value": str(int(cur) + 1)}]})
            if r.status == 409:
                continue
            if r.status != 200:
                errors.append(r.body)
                return
            done += r.json()["succeeded"]

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert not errors
    assert c.get("counter").body == str(per_thread * threads).encode()


def test_kv_writes_are_sql_rows_and_back(node, c):
    """The KV namespace is the SQL table kv(key bytea, value bytea, expires_at timestamptz)."""
    assert c.put("both:1", "one").status == 200
    assert c.put(b"both:\xff", b"\x00bin", ttl=3600).status == 200
    with psycopg.connect(host="127.0.0.1", port=node.ports["sql"], user="root",
                         dbname="defaultdb", autocommit=True) as conn:
        got = conn.execute("SELECT key, value, expires_at IS NOT NULL FROM kv "
                           "WHERE key >= 'both:' AND key < 'both;' ORDER BY key").fetchall()
        assert got == [(b"both:1", b"one", False), (b"both:\xff", b"\x00bin", True)]
        conn.execute("INSERT INTO kv (key, value) VALUES ('both:2', 'from sql')")
        conn.execute("UPDATE kv SET value = 'changed' WHERE key = 'both:1'")
        conn.execute("DELETE FROM kv WHERE key = %s", (b"both:\xff",))
    assert c.get("both:2").body == b"from sql"
    assert c.get("both:1").body == b"changed"
    assert [record_bytes(x, "key") for x in c.scan(prefix="both:").lines()] == [b"both:1", b"both:2"]
    # and through SQL over HTTP
    r = c.sql("SELECT key, value FROM kv WHERE key = $1::bytea", params=["both:2"])
    assert rows(r) == [{"key": "\\x626f74683a32", "value": "\\x66726f6d2073716c"}]


def pg(node):
    return psycopg.connect(host="127.0.0.1", port=node.ports["sql"], user="root",
                           dbname="defaultdb", autocommit=True)


def test_kv_table_ranges_order_and_expiry(node, c):
    for k in ("rng:a", "rng:b", "rng:b\x00", "rng:c"):
        assert c.put(k, k.upper()).status == 200
    assert c.put("rng:x", "short", ttl=1).status == 200
    with pg(node) as conn:
        q = lambda sql, *a: [r[0] for r in conn.execute(sql, a).fetchall()]
        assert q("SELECT key FROM kv WHERE key > 'rng:a' AND key < 'rng:c' ORDER BY key") == [
            b"rng:b", b"rng:b\x00"]
        assert q("SELECT key FROM kv WHERE key >= 'rng:b' AND key <= 'rng:c' ORDER BY key DESC") == [
            b"rng:c", b"rng:b\x00", b"rng:b"]
        assert q("SELECT value FROM kv WHERE key = 'rng:b'") == [b"RNG:B"]
        assert q("SELECT key FROM kv WHERE key IN ('rng:c', 'rng:a', 'nope') ORDER BY key") == [
            b"rng:a", b"rng:c"]
        plan = "\n".join(q("EXPLAIN SELECT * FROM kv WHERE key = 'rng:a'"))
        assert "Index Scan using kv_pkey on kv" in plan
        assert q("SELECT count(*) FROM kv WHERE key >= 'rng:' AND key < 'rng;' "
                 "AND expires_at IS NOT NULL") == [1]
        time.sleep(1.1)
        assert q("SELECT count(*) FROM kv WHERE key >= 'rng:' AND key < 'rng;'") == [4]
        assert q("SELECT count(*) FROM kv WHERE key = 'rng:x'") == [0]
        # expires_at written from SQL is the KV expiry; one in the past hides the row at once
        conn.execute("INSERT INTO kv VALUES ('rng:t', 'v', '2500-01-01 00:00:00+00')")
        conn.execute("INSERT INTO kv VALUES ('rng:p', 'v', '2001-01-01 00:00:00+00')")
        r = c.get("rng:t")
        assert r.status == 200 and r.headers["X-Expires-At"] == "2500-01-01T00:00:00.000000Z"
        assert c.get("rng:p").status == 404
        conn.execute("UPDATE kv SET expires_at = NULL WHERE key = 'rng:t'")
        assert "X-Expires-At" not in c.get("rng:t").headers
        with pytest.raises(psycopg.errors.DatetimeFieldOverflow):
            conn.execute("UPDATE kv SET expires_at = 'infinity' WHERE key = 'rng:t'")
        with pytest.raises(psycopg.errors.NotNullViolation):
            conn.execute("INSERT INTO kv (key) VALUES ('rng:novalue')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO kv (key, value) VALUES ('rng:a', 'dup')")
        conn.execute("INSERT INTO kv (key, value) VALUES ('rng:a', 'upsert') "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    assert c.get("rng:a").body == b"upsert"


def test_sql_transactions_mix_kv_and_tables(node, c):
    with pg(node) as conn:
        conn.execute("CREATE TABLE orders (id int PRIMARY KEY, item text)")
        conn.autocommit = False
        conn.execute("INSERT INTO orders VALUES (1, 'tea')")
        conn.execute("INSERT INTO kv (key, value) VALUES ('order:1', 'pending')")
        assert c.get("order:1").status == 404  # not committed yet
        conn.rollback()
        assert c.get("order:1").status == 404
        conn.execute("INSERT INTO orders VALUES (1, 'tea')")
        conn.execute("INSERT INTO kv (key, value) VALUES ('order:1', 'pending')")
        conn.commit()
        assert c.get("order:1").body == b"pending"
        conn.autocommit = True
        # a KV write is seen by the next SQL statement and joins table rows
        assert c.put("order:1", "shipped").status == 200
        got = conn.execute("SELECT o.item, k.value FROM orders o "
                           "JOIN kv k ON k.key = ('order:' || o.id)::bytea").fetchall()
        assert got == [("tea", b"shipped")]
    # and the HTTP SQL batch is one transaction over both
    r = c.sql(statements=["INSERT INTO orders VALUES (2, 'cake')",
                          "INSERT INTO kv (key, value) VALUES ('order:2', 'pending')",
                          "INSERT INTO orders VALUES (2, 'dup')"])
    assert r.status == 400 and r.json()["code"] == "23505"
    assert c.get("order:2").status == 404


def test_kv_table_refuses_ddl_and_yields_to_user_tables(node, c):
    for ddl in ("DROP TABLE kv", "TRUNCATE kv", "CREATE INDEX ON kv (value)",
                "ALTER TABLE kv RENAME TO kv2"):
        r = c.sql(ddl)
        assert r.status in (400, 403), (ddl, r.body)
        assert r.json()["code"] in ("42501", "0A000"), (ddl, r.body)
    assert c.put("still:here", "1").status == 200
    # a user's own table named kv wins on the search path; dropping it brings kv back
    assert c.sql("CREATE TABLE kv (a int); INSERT INTO kv VALUES (7)").status == 200
    assert rows(c.sql("SELECT * FROM kv")) == [{"a": 7}]
    assert c.sql("DROP TABLE kv").status == 200
    assert rows(c.sql("SELECT value FROM kv WHERE key = 'still:here'")) == [{"value": "\\x31"}]


def test_redis_http_and_sql_share_keys_and_ttls(node, c):
    """The Redis listener, the HTTP API and the SQL table kv are one key space, TTLs included;
    a transaction's scan shows its own writes with their expiries and skips an expired one."""
    r = redis.Redis(host="127.0.0.1", port=node.ports["resp"], socket_timeout=30)
    try:
        now = time.time()
        assert r.set("mix:redis", "from redis", ex=3600)
        h = c.get("mix:redis")
        assert h.body == b"from redis"
        assert abs(parse_time(h.headers["X-Expires-At"]).timestamp() - (now + 3600)) < 60
        assert c.put("mix:http", "from http", ttl=100).status == 200
        assert 90 <= r.ttl("mix:http") <= 100 and r.get("mix:http") == b"from http"
        span = "FROM kv WHERE key >= 'mix:' AND key < 'mix;' ORDER BY key"
        with pg(node) as conn:
            got = conn.execute("SELECT key, value, expires_at " + span).fetchall()
            assert [(k, v) for k, v, _ in got] == [(b"mix:http", b"from http"),
                                                   (b"mix:redis", b"from redis")]
            assert abs(got[0][2].timestamp() - (now + 100)) < 60
            assert abs(got[1][2].timestamp() - (now + 3600)) < 60
            conn.autocommit = False
            conn.execute("INSERT INTO kv VALUES ('mix:sql', 'from sql', '2500-01-01 00:00:00+00')")
            conn.execute("INSERT INTO kv VALUES ('mix:old', 'gone', '2001-01-01 00:00:00+00')")
            got = conn.execute("SELECT key, expires_at " + span).fetchall()
            assert [k for k, _ in got] == [b"mix:http", b"mix:redis", b"mix:sql"]
            assert got[2][1] == datetime.datetime(2500, 1, 1, tzinfo=datetime.timezone.utc)
            # the expired own write is absent for INSERT too
            conn.execute("INSERT INTO kv (key, value) VALUES ('mix:old', 'back')")
            assert r.get("mix:sql") is None and r.get("mix:old") is None  # not committed
            conn.commit()
            conn.autocommit = True
            assert r.get("mix:old") == b"back" and r.ttl("mix:old") == -1
            assert r.execute_command("EXPIRETIME", "mix:sql") == 16725225600  # 2500-01-01
            recs = c.scan(prefix="mix:s").lines()
            assert recs == [{"key": "mix:sql", "value": "from sql",
                             "expires_at": "2500-01-01T00:00:00.000000Z"}]
            # read-modify-writes of Redis keep the TTL SQL wrote; a Redis DEL is gone for SQL
            assert r.append("mix:sql", "!") == 9
            assert conn.execute("SELECT value, expires_at FROM kv WHERE key = 'mix:sql'"
                                ).fetchall() == [(b"from sql!", got[2][1])]
            assert r.delete("mix:redis", "mix:http") == 2
            assert [k for (k,) in conn.execute("SELECT key " + span).fetchall()] == [
                b"mix:old", b"mix:sql"]
            # the maintenance thread's GC of a dropped table leaves the KV namespace alone
            before = node.read_log().count("gc: cleared")
            conn.execute("CREATE TABLE mix_gc (id int PRIMARY KEY)")
            conn.execute("INSERT INTO mix_gc VALUES (1)")
            conn.execute("DROP TABLE mix_gc")
            deadline = time.monotonic() + 30
            while node.read_log().count("gc: cleared") == before:
                assert time.monotonic() < deadline, node.read_log()
                time.sleep(0.1)
            assert [k for (k,) in conn.execute("SELECT key " + span).fetchall()] == [
                b"mix:old", b"mix:sql"]
        assert r.get("mix:sql") == b"from sql!" and c.get("mix:old").body == b"back"
    finally:
        r.close()
