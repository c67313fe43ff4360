"""The "SQL target" the end-to-end SQL tests in tests/e2e/sql/ run against.

By default the target is a fresh micedb node (harness.Node) reached at 127.0.0.1 on its
SQL port as user `root`, database `defaultdb`. With MICE_SQL_TARGET=postgres it is a
throwaway PostgreSQL 15 (pgserver.PgServer) in which we create the superuser role `root`
and the database `defaultdb`, so every test connects the same way and the suite can be
proved against the real thing before micedb speaks SQL.

Three ways to talk to a target, all bounded by timeouts:
  - psycopg 3 connections: target.connect(autocommit=True)
  - psql: target.psql("-c", "select 1") -> CompletedProcess (always -X, never ~/.psqlrc)
  - raw protocol: PgWire(target.host, target.port): a tiny PostgreSQL v3 client that sends
    exactly the bytes a test asks for and reads typed messages back.

Servers are stopped by PID in fixture finalizers; nothing is left running.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import time

import psycopg

import harness
import pgserver

# libpq reads PG* variables; a developer's PGHOST or PGTZ must not change what we test.
for _k in [k for k in os.environ if k.startswith("PG")]:
    del os.environ[_k]

KIND = os.environ.get("MICE_SQL_TARGET", "micedb").strip().lower()
assert KIND in ("micedb", "postgres"), f"MICE_SQL_TARGET must be micedb or postgres, not {KIND!r}"

CONNECT_TIMEOUT_S = 10
READY_TO_LISTEN_S = 10
PSQL_TIMEOUT_S = 60
PSQL = "/usr/bin/psql"
SUPERUSER = "root"
DATABASE = "defaultdb"

# pg_hba for the PostgreSQL stand-in: trust root (micedb's insecure-mode superuser) and the
# bootstrap postgres user on loopback; everybody else proves a SCRAM-SHA-256 password.
PG_HBA = [
    "local all all trust",
    "host all postgres 127.0.0.1/32 trust",
    "host all root 127.0.0.1/32 trust",
    "host all all 127.0.0.1/32 scram-sha-256",
]


def wait_port(host, port, timeout_s=30, proc=None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {host}:{port} after {timeout_s}s")


def psql_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(PGCONNECT_TIMEOUT=str(CONNECT_TIMEOUT_S), LC_ALL="C.UTF-8", LANG="C.UTF-8",
               PAGER="cat", PSQL_PAGER="cat")
    return env


class Target:
    """Where the SQL tests connect. kind is 'micedb' or 'postgres'."""

    host = "127.0.0.1"

    def __init__(self, kind=KIND):
        self.kind = kind
        self.node = None
        self.pg = None
        self.port = None

    # lifecycle -------------------------------------------------------------------------
    def start(self):
        if self.kind == "micedb":
            self.node = harness.Node().start()
            self.port = self.node.ports["sql"]
            # The node has logged "ready": its listeners are up, so do not wait long.
            wait_port(self.host, self.port, timeout_s=READY_TO_LISTEN_S, proc=self.node.proc)
            self.check_answers()
        else:
            self.port = harness.free_port()
            self.pg = pgserver.PgServer(self.port, hba=PG_HBA, root=harness.TMP_ROOT,
                                        settings={"max_connections": 60})
            self.pg.start()
            with psycopg.connect(self.pg.dsn(), autocommit=True,
                                 connect_timeout=CONNECT_TIMEOUT_S) as c:
                c.execute(f"CREATE ROLE {SUPERUSER} SUPERUSER LOGIN")
                c.execute(f"CREATE DATABASE {DATABASE} OWNER {SUPERUSER}")
        return self

    def check_answers(self):
        """Fail fast (once, not once per test) when the server listens but cannot complete
        a PostgreSQL startup as root/defaultdb."""
        try:
            with self.connect():
                pass
        except psycopg.Error as e:
            raise AssertionError(f"{self.kind} on port {self.port} does not accept a "
                                 f"PostgreSQL connection as {SUPERUSER}/{DATABASE}: {e}\n"
                                 f"--- server log (tail) ---\n{self.log()[-3000:]}") from e

    def stop(self):
        if self.node is not None:
            self.node.stop()
            self.node = None
        if self.pg is not None:
            self.pg.stop()
            self.pg = None

    def kill9(self):
        """SIGKILL the server: the micedb node, or the postmaster and all its backends."""
        if self.kind == "postgres":
            self.pg.kill9()
        else:
            self.node.kill9()

    def restart(self):
        """Start a new server process on the same data directory and ports after kill9()."""
        if self.kind == "postgres":
            self.pg.run()
            wait_port(self.host, self.port)
            return
        old = self.node
        self.node = harness.Node(data_dir=old.data_dir)
        self.node.ports = dict(old.ports)
        self.node.start()
        wait_port(self.host, self.port, timeout_s=READY_TO_LISTEN_S, proc=self.node.proc)

    def kill9_and_restart(self):
        self.kill9()
        self.restart()

    def log(self):
        if self.node is not None:
            return self.node.read_log()
        if self.pg is not None:
            try:
                with open(os.path.join(self.pg.tmp, "server.log")) as f:
                    return f.read()
            except OSError:
                return ""
        return ""

    # clients ---------------------------------------------------------------------------
    def conninfo(self, user=SUPERUSER, dbname=DATABASE, password=None, **kw):
        d = dict(host=self.host, port=self.port, user=user, dbname=dbname,
                 connect_timeout=CONNECT_TIMEOUT_S, sslmode="prefer")
        if password is not None:
            d["password"] = password
        d.update(kw)
        return " ".join(f"{k}='{v}'" for k, v in d.items())

    def connect(self, autocommit=True, user=SUPERUSER, dbname=DATABASE, password=None, **kw):
        return psycopg.connect(self.conninfo(user, dbname, password, **kw), autocommit=autocommit)

    def psql(self, *args, input=None, user=SUPERUSER, dbname=DATABASE, timeout_s=PSQL_TIMEOUT_S,
             check=False, env=None):
        """Run psql -X against the target; returns CompletedProcess with text stdout/stderr."""
        cmd = [PSQL, "-X", "-h", self.host, "-p", str(self.port), "-U", user, "-d", dbname,
               *args]
        e = psql_env()
        if env:
            e.update(env)
        r = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout_s,
                           env=e)
        if check and r.returncode != 0:
            raise AssertionError(f"psql {args} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
        return r

    def wire(self, **startup):
        """A raw protocol connection that has completed startup as root/defaultdb."""
        w = PgWire(self.host, self.port)
        w.startup(**startup)
        return w


# --------------------------------------------------------------------------------------
# A tiny PostgreSQL v3 protocol client for raw-socket tests.
# --------------------------------------------------------------------------------------

PROTOCOL_V3 = 196608
SSL_REQUEST_CODE = 80877103
CANCEL_REQUEST_CODE = 80877102
GSSENC_REQUEST_CODE = 80877104
WIRE_TIMEOUT_S = 10


class ConnectionClosed(Exception):
    pass


class Msg:
    """One backend message: type letter, raw body, and a decoded view where useful."""

    def __init__(self, type_, body):
        self.type = type_
        self.body = body
        self.fields = {}
        if type_ in ("E", "N"):
            self.fields = decode_error_fields(body)

    @property
    def code(self):
        return self.fields.get("C")

    def __repr__(self):
        if self.type in ("E", "N"):
            return f"Msg({self.type} {self.fields})"
        return f"Msg({self.type} {self.body[:60]!r})"

    # decoders for the common message types
    def ready_status(self):
        assert self.type == "Z", self
        return chr(self.body[0])

    def parameter_status(self):
        assert self.type == "S", self
        name, value, _ = self.body.split(b"\0", 2)
        return name.decode(), value.decode()

    def backend_key(self):
        assert self.type == "K", self
        return struct.unpack("!ii", self.body)

    def auth_code(self):
        assert self.type == "R", self
        return struct.unpack("!i", self.body[:4])[0]

    def command_tag(self):
        assert self.type == "C", self
        return self.body.rstrip(b"\0").decode()

    def data_row(self):
        """list of bytes|None"""
        assert self.type == "D", self
        (n,) = struct.unpack("!h", self.body[:2])
        pos, out = 2, []
        for _ in range(n):
            (ln,) = struct.unpack("!i", self.body[pos:pos + 4])
            pos += 4
            if ln < 0:
                out.append(None)
            else:
                out.append(self.body[pos:pos + ln])
                pos += ln
        return out

    def row_description(self):
        """list of dicts: name, table_oid, attnum, type_oid, typlen, typmod, format"""
        assert self.type == "T", self
        (n,) = struct.unpack("!h", self.body[:2])
        pos, cols = 2, []
        for _ in range(n):
            end = self.body.index(b"\0", pos)
            name = self.body[pos:end].decode()
            pos = end + 1
            toid, attnum, typoid, typlen, typmod, fmt = struct.unpack(
                "!ihihih", self.body[pos:pos + 18])
            pos += 18
            cols.append(dict(name=name, table_oid=toid, attnum=attnum, type_oid=typoid,
                             typlen=typlen, typmod=typmod, format=fmt))
        return cols

    def parameter_description(self):
        assert self.type == "t", self
        (n,) = struct.unpack("!h", self.body[:2])
        return list(struct.unpack(f"!{n}i", self.body[2:2 + 4 * n]))


def decode_error_fields(body):
    fields = {}
    for part in body.split(b"\0"):
        if part:
            fields[chr(part[0])] = part[1:].decode(errors="replace")
    return fields


def cstr(s):
    if isinstance(s, str):
        s = s.encode()
    return s + b"\0"


class PgWire:
    def __init__(self, host, port, timeout_s=WIRE_TIMEOUT_S):
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.sock.settimeout(timeout_s)
        self.buf = b""
        self.params = {}
        self.backend_key = None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    # sending ---------------------------------------------------------------------------
    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, type_, body=b""):
        self.sock.sendall(type_.encode() + struct.pack("!i", len(body) + 4) + body)

    def send_startup(self, user=SUPERUSER, database=DATABASE, protocol=PROTOCOL_V3, **extra):
        body = struct.pack("!i", protocol)
        params = dict(user=user, database=database, **extra)
        for k, v in params.items():
            if v is not None:
                body += cstr(k) + cstr(v)
        body += b"\0"
        self.send_raw(struct.pack("!i", len(body) + 4) + body)

    def ssl_request(self):
        """Send SSLRequest, return the single answer byte."""
        self.send_raw(struct.pack("!ii", 8, SSL_REQUEST_CODE))
        return self.recv_exact(1)

    def startup(self, **kw):
        """Full startup to ReadyForQuery; fails on anything but AuthenticationOk."""
        self.send_startup(**kw)
        msgs = self.read_until("Z")
        auth = [m for m in msgs if m.type == "R"]
        errs = [m for m in msgs if m.type == "E"]
        assert not errs, errs
        assert auth and auth[0].auth_code() == 0, msgs
        for m in msgs:
            if m.type == "S":
                k, v = m.parameter_status()
                self.params[k] = v
            elif m.type == "K":
                self.backend_key = m.backend_key()
        self.startup_messages = msgs
        return msgs

    def startup_scram(self, user, password, database=DATABASE):
        """Startup answering a SCRAM-SHA-256 challenge (RFC 5802/7677, as libpq does it).
        Returns the messages after the SASL exchange, up to ReadyForQuery or an error; the
        server's signature is verified when the exchange succeeds."""
        self.send_startup(user=user, database=database)
        m = self.read_msg()
        if m.type == "E":
            return [m]
        assert m.type == "R" and m.auth_code() == 10, f"want AuthenticationSASL, got {m}"
        mechanisms = [x.decode() for x in m.body[4:].split(b"\0") if x]
        assert "SCRAM-SHA-256" in mechanisms, mechanisms
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n=,r={nonce}"
        first = ("n,," + first_bare).encode()
        self.send("p", cstr("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first)
        m = self.read_msg()
        if m.type == "E":
            return [m]
        assert m.type == "R" and m.auth_code() == 11, f"want SASLContinue, got {m}"
        server_first = m.body[4:].decode()
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        assert attrs["r"].startswith(nonce), server_first
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]),
                                     int(attrs["i"]))
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored_key = hashlib.sha256(client_key).digest()
        final_wo_proof = f"c=biws,r={attrs['r']}"
        auth_msg = f"{first_bare},{server_first},{final_wo_proof}".encode()
        sig = hmac.digest(stored_key, auth_msg, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, sig))
        self.send("p", f"{final_wo_proof},p={base64.b64encode(proof).decode()}".encode())
        msgs = self.read_until("Z", "E")
        if msgs[-1].type == "E":
            return msgs
        final = msgs[0]
        assert final.type == "R" and final.auth_code() == 12, msgs
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        want = base64.b64encode(hmac.digest(server_key, auth_msg, "sha256")).decode()
        assert final.body[4:].decode() == f"v={want}", "bad server signature"
        assert msgs[1].type == "R" and msgs[1].auth_code() == 0, msgs
        return msgs

    def query(self, sql):
        self.send("Q", cstr(sql))

    def parse(self, name, sql, oids=()):
        self.send("P", cstr(name) + cstr(sql) + struct.pack("!h", len(oids)) +
                  b"".join(struct.pack("!i", o) for o in oids))

    def bind(self, portal, stmt, params=(), param_formats=(), result_formats=()):
        body = cstr(portal) + cstr(stmt)
        body += struct.pack("!h", len(param_formats))
        body += b"".join(struct.pack("!h", f) for f in param_formats)
        body += struct.pack("!h", len(params))
        for p in params:
            if p is None:
                body += struct.pack("!i", -1)
            else:
                if isinstance(p, str):
                    p = p.encode()
                body += struct.pack("!i", len(p)) + p
        body += struct.pack("!h", len(result_formats))
        body += b"".join(struct.pack("!h", f) for f in result_formats)
        self.send("B", body)

    def describe(self, kind, name):
        self.send("D", kind.encode() + cstr(name))

    def execute(self, portal="", max_rows=0):
        self.send("E", cstr(portal) + struct.pack("!i", max_rows))

    def close_obj(self, kind, name):
        self.send("C", kind.encode() + cstr(name))

    def sync(self):
        self.send("S")

    def flush(self):
        self.send("H")

    def terminate(self):
        self.send("X")

    # receiving -------------------------------------------------------------------------
    def recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed(f"EOF after {len(self.buf)} of {n} bytes")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_msg(self):
        hdr = self.recv_exact(5)
        type_ = chr(hdr[0])
        (ln,) = struct.unpack("!i", hdr[1:])
        assert 4 <= ln < (1 << 30), f"bad length {ln} for message {type_!r}"
        return Msg(type_, self.recv_exact(ln - 4))

    def read_until(self, *types):
        """Messages up to and including the first one whose type is in types."""
        out = []
        while True:
            m = self.read_msg()
            out.append(m)
            if m.type in types:
                return out

    def read_until_closed(self, limit=1000):
        """Read messages until the server closes; returns them. Times out via socket."""
        out = []
        for _ in range(limit):
            try:
                out.append(self.read_msg())
            except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
                return out
        raise AssertionError(f"server kept talking: {out[-5:]}")

    def simple(self, sql):
        """Run a simple Query, return the messages up to ReadyForQuery."""
        self.query(sql)
        return self.read_until("Z")


def types_of(msgs):
    return "".join(m.type for m in msgs)


def errors_of(msgs):
    return [m for m in msgs if m.type == "E"]


def rows_of(msgs):
    return [m.data_row() for m in msgs if m.type == "D"]
