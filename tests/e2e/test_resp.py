"""The Redis protocol listener end to end: a real micedb, real clients (redis-py in RESP2
and RESP3, redis-cli, redis-benchmark, raw sockets), and a real redis-server 7 answering
the same command lists so replies are compared byte for byte."""
import os
import socket
import subprocess
import threading
import time

import psycopg
import pytest
import redis

from harness import Node
from resp_util import RawClient, RedisServer


@pytest.fixture(scope="module")
def node():
    n = Node().start()
    yield n
    assert n.stop() == 0


@pytest.fixture(scope="module")
def real_redis():
    r = RedisServer()
    yield r
    r.stop()


def rport(node):
    return node.ports["resp"]


def client(node, protocol=2, **kw):
    if protocol == 3:
        kw["protocol"] = 3
    return redis.Redis(host="127.0.0.1", port=rport(node), socket_timeout=30, **kw)


def supports_resp3():
    import inspect
    return "protocol" in inspect.signature(redis.Connection.__init__).parameters


# ---------------------------------------------------------------- differential


# Deterministic commands (no timing-sensitive replies, no unordered sets).
DIFF_COMMANDS = [
    ("PING",), ("PING", "hi"), ("PING", "a", "b"), ("ECHO", "x"), ("ECHO",),
    ("SET", "k", "v"), ("GET", "k"), ("GET", "nokey"), ("GET",), ("GET", "a", "b"),
    ("SET", "k", "v", "NX"), ("SET", "k", "v2", "XX"), ("SET", "k2", "v", "XX"),
    ("SET", "k", "v", "NX", "XX"), ("SET", "k", "v", "EX", "0"), ("SET", "k", "v", "EX", "-5"),
    ("SET", "k", "v", "EX", "abc"), ("SET", "k", "v", "PX"), ("SET", "k", "v", "EX", "10", "PX", "100"),
    ("SET", "k", "v", "KEEPTTL", "EX", "10"), ("SET", "k", "v3", "GET"), ("SET", "newk", "v", "GET"),
    ("SET", "k", "v", "FOO"), ("SET", "k", "v", "EX", "9223372036854775807"),
    ("SET", "k", "v", "GET", "NX"), ("SET", "k4", "v", "GET", "NX"), ("GET", "k4"),
    ("SET", "gone", "v", "PXAT", "1"), ("GET", "gone"), ("EXISTS", "gone"),
    ("SET", "kt", "v", "EX", "1000"), ("SET", "kt", "w", "KEEPTTL"), ("TTL", "kt"), ("GET", "kt"),
    ("SET", "kt", "x"), ("TTL", "kt"),
    ("SETNX", "sn", "1"), ("SETNX", "sn", "2"), ("GET", "sn"), ("SETNX", "sn"),
    ("SETEX", "se", "0", "v"), ("SETEX", "se", "x", "v"), ("SETEX", "se", "100", "v"), ("TTL", "se"),
    ("PSETEX", "pe", "-1", "v"), ("PSETEX", "pe", "100000", "v"), ("GET", "pe"),
    ("GETDEL", "sn"), ("GETDEL", "sn"),
    ("GETEX", "se"), ("GETEX", "se", "PERSIST"), ("TTL", "se"), ("GETEX", "se", "EX", "50"),
    ("TTL", "se"), ("GETEX", "se", "NX"), ("GETEX", "nokey", "EX", "5"), ("GETEX", "se", "EX", "0"),
    ("GETEX", "se", "PERSIST", "EX", "10"), ("GETEX", "se", "EXAT", "1"), ("GET", "se"),
    ("MSET", "a", "1", "b", "2"), ("MSET", "a"), ("MSET", "a", "1", "b"), ("MGET", "a", "b", "zz"),
    ("MSETNX", "a", "1", "c", "3"), ("MSETNX", "c", "3", "d", "4"), ("MGET", "c", "d"),
    ("MSETNX", "x1", "1", "x2"),
    ("DEL", "a", "b", "zz", "a"), ("EXISTS", "c", "c", "zz"), ("UNLINK", "c"), ("TYPE", "d"),
    ("TYPE", "zz"), ("DEL",),
    ("INCR", "n"), ("INCRBY", "n", "10"), ("DECR", "n"), ("DECRBY", "n", "5"), ("INCRBY", "n", "x"),
    ("INCR", "d"), ("SET", "s", "abc"), ("INCR", "s"), ("SET", "big", "9223372036854775807"),
    ("INCR", "big"), ("DECRBY", "n", "-9223372036854775808"), ("SET", "neg", "-9223372036854775808"),
    ("DECR", "neg"), ("INCRBY", "n", "9223372036854775807"), ("SET", "sp", " 1"), ("INCR", "sp"),
    ("SET", "lz", "01"), ("INCR", "lz"), ("INCRBY", "n", "1.5"), ("GET", "n"),
    ("APPEND", "ap", "hello"), ("APPEND", "ap", " world"), ("STRLEN", "ap"), ("STRLEN", "zz"),
    ("GETRANGE", "ap", "0", "4"), ("GETRANGE", "ap", "-5", "-1"), ("GETRANGE", "ap", "5", "2"),
    ("GETRANGE", "ap", "-100", "100"), ("GETRANGE", "zz", "0", "1"), ("GETRANGE", "ap", "x", "1"),
    ("GETRANGE", "ap", "-1", "-5"), ("SUBSTR", "ap", "0", "2"),
    ("EXPIRE", "ap", "100"), ("TTL", "ap"), ("PERSIST", "ap"), ("PERSIST", "ap"), ("TTL", "ap"),
    ("TTL", "zz"), ("PTTL", "zz"), ("EXPIRE", "zz", "10"), ("EXPIRE", "ap", "x"),
    ("EXPIRE", "ap", "10", "NX"), ("EXPIRE", "ap", "20", "NX"), ("EXPIRE", "ap", "5", "GT"),
    ("EXPIRE", "ap", "50", "GT"), ("EXPIRE", "ap", "5", "LT"), ("EXPIRE", "ap", "5", "NX", "XX"),
    ("EXPIRE", "ap", "5", "GT", "LT"), ("EXPIRE", "ap", "5", "FOO"), ("TTL", "ap"),
    ("PERSIST", "ap"), ("EXPIRE", "ap", "5", "XX"), ("EXPIRE", "ap", "5", "LT"), ("TTL", "ap"),
    ("EXPIRE", "ap", "-1"), ("EXISTS", "ap"), ("EXPIREAT", "d", "1"), ("GET", "d"),
    ("PEXPIREAT", "n", "1"), ("GET", "n"), ("EXPIRE", "k", "9223372036854775807"),
    ("EXPIRETIME", "zz"), ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"),
    ("EXPIREAT", "k", "4102444800"), ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"),
    ("SELECT", "0"), ("SELECT", "x"), ("SELECT", "20"),
    ("FOO",), ("FOO", "a", "b"), ("foo", "x" * 200), ("FOO", "a\r\nb"),
    ("CLIENT",), ("CLIENT", "FOO"), ("CLIENT", "SETNAME", "my name"), ("CLIENT", "SETNAME", "conn1"),
    ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME"), ("CLIENT", "GETNAME", "x"),
    ("AUTH", "x"), ("AUTH", "nouser", "p"), ("AUTH", "default", "anything"), ("AUTH", "a", "b", "c"),
    ("HELLO", "4"), ("HELLO", "x"), ("HELLO", "3", "FOO"), ("HELLO", "2", "SETNAME"),
    ("COMMAND", "FOO"), ("CONFIG", "FOO"), ("CONFIG", "GET"), ("CONFIG", "GET", "appendonly"),
    ("SCAN", "x"), ("SCAN", "0", "COUNT", "0"), ("SCAN", "0", "COUNT"), ("SCAN", "0", "MATCH"),
    ("SCAN", "0", "COUNT", "x"), ("SCAN", "0", "FOO", "bar"),
    ("FLUSHDB", "FOO"), ("TTL",), ("INCR", "a", "b"), ("KEYS",), ("DBSIZE", "x"),
    ("SET", "bin", "a\x00b\r\n"), ("GET", "bin"), ("STRLEN", "bin"), ("SET", "", "empty"), ("GET", ""),
    ("APPEND", "bin", "\xff"), ("GET", "bin"),
    ("FLUSHDB",), ("DBSIZE",), ("GET", "k"), ("QUIT",),
]


def run_list(port, commands, resp3=False):
    c = RawClient(port)
    out = []
    if resp3:
        c.call("HELLO", "3")
    c.call("FLUSHALL")
    for cmd in commands:
        try:
            out.append(c.call(*cmd))
        except EOFError:
            out.append(b"<closed>")
    c.close()
    return out


def diff_report(commands, ours, theirs):
    bad = []
    for cmd, a, b in zip(commands, ours, theirs):
        if a != b:
            bad.append(f"{cmd!r}:\n  micedb {a!r}\n  redis  {b!r}")
    return "\n".join(bad)


@pytest.mark.parametrize("resp3", [False, True])
def test_differential_against_redis(node, real_redis, resp3):
    ours = run_list(rport(node), DIFF_COMMANDS, resp3)
    theirs = run_list(real_redis.port, DIFF_COMMANDS, resp3)
    assert len(ours) == len(DIFF_COMMANDS)
    report = diff_report(DIFF_COMMANDS, ours, theirs)
    assert not report, "replies differ from redis-server 7:\n" + report


PROTOCOL_ERRORS = [
    b"*x\r\n", b"*1\r\nx3\r\n", b"*1\r\n$-5\r\n", b"*1\r\n$abc\r\n", b"SET \"a\"b\r\n",
    b"*1\r\n$600000000\r\n", b"*3000000000\r\n", b"PING\r\n*1\r\n$4\r\nPING\r\n*z\r\n",
    b"x" * (70 * 1024), b"*" + b"1" * (70 * 1024), b"*1\r\n$" + b"1" * (70 * 1024),
]


@pytest.mark.parametrize("payload", PROTOCOL_ERRORS, ids=range(len(PROTOCOL_ERRORS)))
def test_protocol_errors_match_redis(node, real_redis, payload):
    def run(port):
        c = RawClient(port)
        c.send_raw(payload)
        replies = []
        try:
            while True:
                replies.append(c.reply())
        except (EOFError, ConnectionResetError):
            pass
        c.close()
        return replies
    ours, theirs = run(rport(node)), run(real_redis.port)
    assert ours == theirs
    assert ours[-1].startswith(b"-ERR Protocol error: ")


def test_inline_commands(node):
    c = RawClient(rport(node))
    c.send_raw(b"SET inl \"a b\"\r\nGET inl\r\n\r\nPING\n")
    assert c.reply() == b"+OK\r\n"
    assert c.reply() == b"$3\r\na b\r\n"
    assert c.reply() == b"+PONG\r\n"
    c.close()


# ---------------------------------------------------------------- redis-py


@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_commands(node, protocol):
    if protocol == 3 and not supports_resp3():
        # redis-py 4.3 speaks RESP2 only; RESP3 is covered by the raw differential test
        # above and by test_resp3_replies below.
        protocol = 2
    r = client(node, protocol)
    p = f"py{protocol}:"
    assert r.ping()
    assert r.set(p + "a", "1")
    assert r.get(p + "a") == b"1"
    assert r.incr(p + "a", 5) == 6
    assert r.mset({p + "b": "x", p + "c": "y"})
    assert r.mget(p + "a", p + "b", p + "zz") == [b"6", b"x", None]
    assert r.set(p + "t", "v", ex=100)
    assert 99 <= r.ttl(p + "t") <= 100
    assert r.expire(p + "t", 200)
    assert 199000 <= r.pttl(p + "t") <= 200000
    assert r.persist(p + "t")
    assert r.ttl(p + "t") == -1
    assert r.set(p + "t", "w", keepttl=True)
    assert r.getdel(p + "t") == b"w"
    assert r.exists(p + "a", p + "b", p + "t") == 2
    assert r.delete(p + "a", p + "b") == 2
    assert r.client_setname("tester")
    assert r.client_getname() in ("tester", b"tester")
    assert r.client_id() > 0
    info = r.info()
    assert info["redis_version"].startswith("7.")
    assert "connected_clients" in info
    assert r.dbsize() >= 1
    r.close()


def test_resp3_replies(node):
    c = RawClient(rport(node))
    hello = c.call("HELLO", "3")
    assert hello.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n")
    assert b"$5\r\nproto\r\n:3\r\n" in hello
    assert c.call("GET", "r3:none") == b"_\r\n"
    assert c.call("MGET", "r3:none") == b"*1\r\n_\r\n"
    assert c.call("SET", "r3:a", "1") == b"+OK\r\n"
    assert c.call("KRANGE", "r3:", "r3;") == b"*2\r\n$4\r\nr3:a\r\n$1\r\n1\r\n"
    assert c.call("INFO", "server").startswith(b"=")
    assert c.call("HELLO", "2").startswith(b"*14\r\n")
    assert c.call("GET", "r3:none") == b"$-1\r\n"
    c.close()


def test_keys_scan_and_ranges(node):
    r = client(node)
    keys = [f"rg:{i:03d}" for i in range(250)]
    r.mset({k: k.upper() for k in keys})
    r.set("rg:zz_expired", "x", px=1)
    time.sleep(0.01)
    assert sorted(r.keys("rg:*")) == [k.encode() for k in keys]
    assert sorted(r.keys("rg:00?")) == [f"rg:00{i}".encode() for i in range(10)]
    seen = list(r.scan_iter(match="rg:*", count=17))
    assert sorted(seen) == [k.encode() for k in keys]
    assert len(seen) == len(set(seen))
    # KRANGE: key order, [start, end), LIMIT, REV
    flat = r.execute_command("KRANGE", "rg:010", "rg:013")
    assert flat == [b"rg:010", b"RG:010", b"rg:011", b"RG:011", b"rg:012", b"RG:012"]
    flat = r.execute_command("KRANGE", "rg:", "rg;", "LIMIT", "2", "REV")
    assert flat == [b"rg:249", b"RG:249", b"rg:248", b"RG:248"]
    assert r.execute_command("KCOUNT", "rg:", "rg;") == 250
    assert r.execute_command("KCOUNT", "rg:100", "rg:200") == 100
    assert r.execute_command("KRANGE", "rg:5", "rg:1") == []
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("KRANGE", "a", "b", "FOO")


def test_pipeline_depth(node):
    for protocol in (2, 3) if supports_resp3() else (2,):
        r = client(node, protocol)
        n = 3000
        with r.pipeline(transaction=False) as p:
            for i in range(n):
                p.set(f"pipe:{i}", i)
                p.incr(f"pipe:{i}")
                p.get(f"pipe:{i}")
            res = p.execute()
        assert len(res) == 3 * n
        for i in range(n):
            assert res[3 * i] is True
            assert res[3 * i + 1] == i + 1
            assert res[3 * i + 2] == str(i + 1).encode()
    # raw: 10000 PINGs in one write, answered in order
    c = RawClient(rport(node))
    c.send_raw(b"".join(RawClient.encode("ECHO", str(i)) for i in range(10000)))
    for i in range(10000):
        assert c.reply() == b"$%d\r\n%d\r\n" % (len(str(i)), i)
    c.close()


def test_ttl_expiry_is_exact_and_purged(node):
    r = client(node)
    t0 = time.monotonic()
    for i in range(20):
        r.set(f"ttl:{i}", "v", px=3000)
    r.set("ttl:keep", "v")
    assert r.execute_command("KCOUNT", "ttl:", "ttl;") == 21
    before = r.info("stats")["expired_keys"]
    assert time.monotonic() - t0 < 2.5, "too slow to observe the keys before they expire"
    time.sleep(3.1 - (time.monotonic() - t0))
    assert r.get("ttl:0") is None
    assert r.exists("ttl:1") == 0
    assert r.ttl("ttl:2") == -2
    assert r.execute_command("KCOUNT", "ttl:", "ttl;") == 1
    assert r.execute_command("KRANGE", "ttl:", "ttl;") == [b"ttl:keep", b"v"]
    assert r.keys("ttl:*") == [b"ttl:keep"]
    assert list(r.scan_iter(match="ttl:*")) == [b"ttl:keep"]
    # the background purge tombstones them (INFO counts it) within a few cycles
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and r.info("stats")["expired_keys"] < before + 20:
        time.sleep(0.1)
    assert r.info("stats")["expired_keys"] >= before + 20
    # a key rewritten without TTL is not purged
    r.set("ttl:re", "1", px=200)
    r.set("ttl:re", "2")
    time.sleep(0.5)
    assert r.get("ttl:re") == b"2"


def test_concurrent_incr_is_atomic(node):
    clients, per = 8, 500
    errors = []

    def worker():
        try:
            r = client(node)
            for _ in range(per):
                r.incr("ctr:hot")
            r.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert client(node).get("ctr:hot") == str(clients * per).encode()


def test_multi_key_writes_are_atomic(node):
    """MSET of many keys while a reader MGETs them: it never sees a mix."""
    stop = threading.Event()
    keys = [f"atom:{i}" for i in range(20)]
    client(node).mset({k: "0" for k in keys})
    mixed = []

    def writer():
        r = client(node)
        v = 0
        while not stop.is_set():
            v += 1
            r.mset({k: str(v) for k in keys})

    t = threading.Thread(target=writer)
    t.start()
    r = client(node)
    for _ in range(200):
        vals = r.mget(keys)
        if len(set(vals)) != 1:
            mixed.append(vals)
    stop.set()
    t.join()
    assert not mixed


def test_big_values_and_limits(node):
    r = client(node)
    big = os.urandom(8 << 20)
    assert r.set("big:v", big)
    assert r.get("big:v") == big
    assert r.strlen("big:v") == len(big)
    c = RawClient(rport(node))
    c.send_raw(b"*2\r\n$3\r\nGET\r\n$600000000\r\n")
    assert c.reply() == b"-ERR Protocol error: invalid bulk length\r\n"
    assert c.closed_by_peer()


def test_auth_with_catalog_users(node):
    with psycopg.connect(host="127.0.0.1", port=node.ports["sql"], user="root",
                         dbname="defaultdb", autocommit=True) as conn:
        conn.execute("CREATE USER alice WITH PASSWORD 'secret'")
        conn.execute("ALTER USER root WITH PASSWORD 'rootpw'")
    try:
        c = RawClient(rport(node))
        assert c.call("GET", "x") == b"-NOAUTH Authentication required.\r\n"
        assert c.call("PING") == b"-NOAUTH Authentication required.\r\n"
        assert c.call("AUTH", "wrong").startswith(b"-WRONGPASS")
        assert c.call("AUTH", "alice", "nope").startswith(b"-WRONGPASS")
        assert c.call("AUTH", "alice", "secret") == b"+OK\r\n"
        assert c.call("SET", "auth:k", "v") == b"+OK\r\n"
        assert c.call("FLUSHDB") == (
            b"-NOPERM this user has no permissions to run the 'flushdb' command\r\n")
        c.close()
        r = client(node, password="rootpw")
        assert r.get("auth:k") == b"v"
        c = RawClient(rport(node))
        hello = c.call("HELLO", "3", "AUTH", "alice", "secret", "SETNAME", "al")
        assert hello.startswith(b"%7")
        assert c.call("CLIENT", "GETNAME") == b"$2\r\nal\r\n"
        c.close()
    finally:
        with psycopg.connect(host="127.0.0.1", port=node.ports["sql"], user="root",
                             password="rootpw", dbname="defaultdb", autocommit=True) as conn:
            conn.execute("ALTER USER root WITH PASSWORD NULL")
    assert client(node).ping()


def test_redis_cli(node):
    script = "SET cli:a hello\nGET cli:a\nINCR cli:n\nKRANGE cli: cli;\nTTL cli:a\nNOPE 1\n"
    out = subprocess.run(["redis-cli", "-p", str(rport(node))], input=script, text=True,
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[:3] == ["OK", "hello", "1"]
    assert lines[3:7] == ["cli:a", "hello", "cli:n", "1"]
    assert lines[7] == "-1"
    assert lines[8].startswith("ERR unknown command 'NOPE', with args beginning with: '1'")
    out = subprocess.run(["redis-cli", "-3", "-p", str(rport(node)), "HELLO", "3"], text=True,
                         capture_output=True, timeout=30)
    assert "proto" in out.stdout


def test_redis_benchmark(node):
    out = subprocess.run(
        ["redis-benchmark", "-p", str(rport(node)), "-t", "set,get,incr,mset", "-n", "20000",
         "-q"], text=True, capture_output=True, timeout=280)
    assert out.returncode == 0, out.stderr + out.stdout
    text = out.stdout.replace("\r", "\n")
    done = [l for l in text.splitlines() if "requests per second" in l]
    print("\n".join(done))
    names = " ".join(done)
    for t in ("SET", "GET", "INCR", "MSET"):
        assert t in names, text
    assert "ERR" not in text and "error" not in text.lower()


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_slow_reader_is_bounded(node):
    """A client that pipelines 160 MB worth of replies without reading them does not make
    the server buffer them: output is paused, reading is paused, and all replies arrive in
    order once the client reads."""
    r = client(node)
    value = os.urandom(16 << 10)
    r.set("slow:v", value)
    base = rss_bytes(node.proc.pid)
    c = RawClient(rport(node))
    n = 10000
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    payload = b"".join(RawClient.encode("GET", "slow:v") for _ in range(n))
    sender = threading.Thread(target=c.send_raw, args=(payload,))
    sender.start()
    time.sleep(1.5)
    grown = rss_bytes(node.proc.pid) - base
    print(f"server RSS grew {grown >> 20} MiB while 160 MiB of replies were pending")
    assert grown < 48 << 20, f"server grew {grown} bytes for a client that does not read"
    want = b"$%d\r\n%s\r\n" % (len(value), value)
    for _ in range(n):
        assert c.reply() == want
    sender.join()
    c.close()
