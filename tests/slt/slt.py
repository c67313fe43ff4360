#!/usr/bin/python3
"""sqllogictest conformance runner: runs sqllogictest files through the PostgreSQL protocol.

    tests/slt/slt.py [--target micedb|postgres] [--bin build/micedb] [options] PATH...

Each PATH is a .test file or a directory searched recursively for *.test files. Every file
runs against an empty database: with --target micedb (the default) a fresh `micedb` node
(tests/e2e/harness.py) per file; with --target postgres one throwaway PostgreSQL 15
(tests/e2e/pgserver.py) and a fresh database per file, which validates the runner itself.

The script format is SQLite's (FORMAT.wiki next to the files). The runner is engine
`postgresql`: `skipif postgresql` and `onlyif <other>` records are skipped. Values come back
as text (simple query protocol) and are rendered as the format says: I as an integer, R with
%.3f, NULL as `NULL`, the empty string as `(empty)`, control characters as `@`; rowsort and
valuesort sort the rendered strings (strcmp order); an expected `N values hashing to H`
compares the count and the md5 of every rendered value followed by a newline.

Per file it prints records, passed, failed and skipped, and the first few failures with
the SQL, the expected and the actual values. --results writes a Markdown table of the same
numbers. --expect FILE asserts, for every file that was run, that at least the number of
records FILE records for it passed, or all of them when FILE does not list it (the run
fails otherwise); --raise-expect raises those minimums to what this run achieved and never
lowers one.

Exit status: 0 when every check passed, 1 on a failed record (or, with --expect, on a
file below its minimum), 77 when no test file was found (e.g. ../shared/slt is absent).
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import socket
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

ENGINE = "postgresql"
EXIT_SKIP = 77
HASH_RE = re.compile(r"^(\d+) values hashing to ([0-9a-f]{32})$")
QUERY_TIMEOUT_S = 120
RESTARTS_PER_FILE_MAX = 3


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------

class Record:
    """One statement, query or control record of a script."""

    def __init__(self, kind, line):
        self.kind = kind  # statement | query | hash-threshold | halt
        self.line = line
        self.skip = False
        self.sql = ""
        self.expect_ok = True  # statement ok / statement error
        self.types = ""
        self.sort = "nosort"
        self.label = None
        self.expected = []
        self.threshold = 0


def parse_script(text):
    """Records of one script. Comment lines are dropped first; blank lines end records."""
    lines = [ln.rstrip("\r\n").rstrip("\r") for ln in text.split("\n")]
    records = []
    i, n = 0, len(lines)
    while i < n:
        block, start = [], i
        while i < n and lines[i].strip() != "":
            if not lines[i].startswith("#"):
                block.append((i + 1, lines[i]))
            i += 1
        while i < n and lines[i].strip() == "":
            i += 1
        if block:
            rec = parse_record(block)
            if rec is not None:
                records.append(rec)
        elif i == start:
            i += 1
    return records


def parse_record(block):
    skip = False
    k = 0
    while k < len(block):
        words = block[k][1].split()
        if words[0] == "skipif" and len(words) > 1:
            skip |= words[1] == ENGINE
        elif words[0] == "onlyif" and len(words) > 1:
            skip |= words[1] != ENGINE
        else:
            break
        k += 1
    if k == len(block):
        return None
    line_no, head = block[k]
    words = head.split()
    body = [ln for _, ln in block[k + 1:]]
    if words[0] == "statement":
        rec = Record("statement", line_no)
        rec.expect_ok = len(words) < 2 or words[1] != "error"
        rec.sql = "\n".join(body)
    elif words[0] == "query":
        rec = Record("query", line_no)
        rec.types = words[1] if len(words) > 1 else ""
        rec.sort = words[2] if len(words) > 2 else "nosort"
        rec.label = words[3] if len(words) > 3 else None
        if "----" in body:
            sep = body.index("----")
            rec.sql = "\n".join(body[:sep])
            rec.expected = [ln.strip() for ln in body[sep + 1:]]
        else:
            rec.sql = "\n".join(body)
    elif words[0] == "hash-threshold":
        rec = Record("hash-threshold", line_no)
        rec.threshold = int(words[1])
    elif words[0] == "halt":
        rec = Record("halt", line_no)
    else:
        raise ValueError(f"line {line_no}: unknown record {head!r}")
    rec.skip = skip
    return rec


# --------------------------------------------------------------------------------------
# A small PostgreSQL v3 client: trust authentication, simple query protocol, text values.
# --------------------------------------------------------------------------------------

class SqlError(Exception):
    def __init__(self, fields):
        super().__init__(f"{fields.get('C', '?????')}: {fields.get('M', '')}")
        self.fields = fields


class ConnectionLost(Exception):
    pass


class Conn:
    def __init__(self, host, port, user, database, timeout_s):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.sock.settimeout(timeout_s)
        self.buf = bytearray()
        self.pos = 0
        body = struct.pack("!i", 196608)
        for k, v in (("user", user), ("database", database), ("client_encoding", "UTF8")):
            body += k.encode() + b"\0" + v.encode() + b"\0"
        body += b"\0"
        self._send_raw(struct.pack("!i", len(body) + 4) + body)
        while True:
            t, m = self._read_msg()
            if t == "R" and struct.unpack("!i", m[:4])[0] != 0:
                raise ConnectionLost("server asks for a password; the runner only does trust")
            if t == "E":
                raise SqlError(_error_fields(m))
            if t == "Z":
                break

    def close(self):
        try:
            self._send_raw(b"X\0\0\0\4")
        except ConnectionLost:
            pass
        self.sock.close()

    def _send_raw(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise ConnectionLost(f"send: {e}") from e

    def _fill(self, need):
        while len(self.buf) - self.pos < need:
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout as e:
                raise ConnectionLost("no answer within the socket timeout") from e
            except OSError as e:
                raise ConnectionLost(f"recv: {e}") from e
            if not chunk:
                raise ConnectionLost("server closed the connection")
            if self.pos:
                del self.buf[:self.pos]
                self.pos = 0
            self.buf += chunk

    def _read_msg(self):
        self._fill(5)
        t = chr(self.buf[self.pos])
        (ln,) = struct.unpack_from("!i", self.buf, self.pos + 1)
        self._fill(1 + ln)
        body = bytes(self.buf[self.pos + 5:self.pos + 1 + ln])
        self.pos += 1 + ln
        return t, body

    def query(self, sql):
        """Run one statement. Returns (column count, rows as lists of bytes|None); raises
        SqlError (after the server is ready again) or ConnectionLost."""
        self._send_raw(b"Q" + struct.pack("!i", len(sql.encode()) + 5) + sql.encode() + b"\0")
        ncols, rows, err = 0, [], None
        while True:
            t, m = self._read_msg()
            if t == "D":
                (n,) = struct.unpack_from("!h", m, 0)
                pos, row = 2, []
                for _ in range(n):
                    (ln,) = struct.unpack_from("!i", m, pos)
                    pos += 4
                    if ln < 0:
                        row.append(None)
                    else:
                        row.append(m[pos:pos + ln])
                        pos += ln
                rows.append(row)
            elif t == "T":
                (ncols,) = struct.unpack_from("!h", m, 0)
            elif t == "E":
                err = _error_fields(m)
            elif t == "Z":
                break
        if err is not None:
            raise SqlError(err)
        return ncols, rows


def _error_fields(body):
    out = {}
    for part in body.split(b"\0"):
        if part:
            out[chr(part[0])] = part[1:].decode(errors="replace")
    return out


# --------------------------------------------------------------------------------------
# Targets: where a file runs
# --------------------------------------------------------------------------------------

class MicedbScope:
    """A fresh micedb node for one file; restart() keeps its data directory."""

    def __init__(self, timeout_s):
        import sqltarget
        self.sqltarget = sqltarget
        self.timeout_s = timeout_s
        self.target = sqltarget.Target("micedb")

    def open(self):
        self.target.start()
        return self.connect()

    def connect(self):
        c = Conn(self.target.host, self.target.port, "root", "defaultdb", self.timeout_s + 30)
        c.query(f"SET statement_timeout = {int(self.timeout_s * 1000)}")
        return c

    def alive(self):
        return self.target.node.proc.poll() is None

    def log_tail(self):
        return self.target.log()[-2000:]

    def restart(self):
        if self.alive():
            self.target.kill9()
        self.target.restart()
        return self.connect()

    def close(self):
        """Stop the node; returns a complaint when it had to be killed."""
        try:
            self.target.stop()
        except AssertionError as e:  # harness.Node.stop killed it after the grace period
            return str(e).split("\n", 1)[0]
        return None


class PostgresServer:
    """One throwaway PostgreSQL 15 shared by all files; each file gets its own database."""

    def __init__(self):
        import sqltarget
        self.target = sqltarget.Target("postgres")
        self.target.start()
        self.lock = threading.Lock()
        self.n = 0

    def scope(self, timeout_s):
        with self.lock:
            self.n += 1
            return PostgresScope(self, f"slt_{self.n}", timeout_s)

    def close(self):
        self.target.stop()


class PostgresScope:
    def __init__(self, server, dbname, timeout_s):
        self.server, self.dbname, self.timeout_s = server, dbname, timeout_s

    def _admin(self, sql):
        c = Conn(self.server.target.host, self.server.target.port, "root", "defaultdb", 60)
        try:
            c.query(sql)
        finally:
            c.close()

    def open(self):
        self._admin(f"CREATE DATABASE {self.dbname}")
        return self.connect()

    def connect(self):
        c = Conn(self.server.target.host, self.server.target.port, "root", self.dbname,
                 self.timeout_s + 30)
        c.query(f"SET statement_timeout = {int(self.timeout_s * 1000)}")
        return c

    def alive(self):
        return True

    def log_tail(self):
        return ""

    def restart(self):
        return self.connect()

    def close(self):
        try:
            self._admin(f"DROP DATABASE IF EXISTS {self.dbname} WITH (FORCE)")
        except (SqlError, ConnectionLost, OSError):
            pass


# --------------------------------------------------------------------------------------
# Rendering and comparing
# --------------------------------------------------------------------------------------

_INT_PREFIX = re.compile(r"^\s*[-+]?\d+")


def render(v, t):
    """One value as the format renders it for column type t (I, R or T)."""
    if v is None:
        return "NULL"
    s = v.decode("utf-8", errors="replace")
    if t == "I":
        try:
            return str(int(s))
        except ValueError:
            pass
        try:
            f = float(s)
            return str(int(f))  # truncation toward zero, as a C cast does
        except (ValueError, OverflowError):
            pass
        m = _INT_PREFIX.match(s)
        return str(int(m.group(0))) if m else "0"
    if t == "R":
        try:
            return "%.3f" % float(s)
        except ValueError:
            m = _INT_PREFIX.match(s)
            return "%.3f" % (int(m.group(0)) if m else 0)
    if s == "":
        return "(empty)"
    return "".join(c if " " <= c <= "~" else "@" for c in s)


def md5_of(values):
    h = hashlib.md5()
    for v in values:
        h.update(v.encode())
        h.update(b"\n")
    return h.hexdigest()


def result_values(rec, ncols, rows):
    """Rendered values in the order the sort mode gives."""
    types = rec.types
    rendered = [[render(v, types[i] if i < len(types) else "T") for i, v in enumerate(row)]
                for row in rows]
    if rec.sort == "rowsort":
        rendered.sort()
    flat = [v for row in rendered for v in row]
    if rec.sort == "valuesort":
        flat.sort()
    return flat


# --------------------------------------------------------------------------------------
# Running one file
# --------------------------------------------------------------------------------------

class Failure:
    def __init__(self, rec, why, expected=None, actual=None):
        self.rec, self.why, self.expected, self.actual = rec, why, expected, actual


class FileResult:
    def __init__(self, name):
        self.name = name
        self.records = self.passed = self.failed = self.skipped = 0
        self.seconds = 0.0
        self.failures = []
        self.note = ""
        self.slowest = []  # (seconds, record) of the slowest records, longest first


def note_slow(res, seconds, rec, n):
    if len(res.slowest) < n or seconds > res.slowest[-1][0]:
        res.slowest.append((seconds, rec))
        res.slowest.sort(key=lambda x: -x[0])
        del res.slowest[n:]


def check_query(rec, ncols, rows, threshold, labels):
    """None when the result matches, else a Failure."""
    if len(rec.types) != ncols:
        return Failure(rec, f"{ncols} columns, the record says {len(rec.types)} ({rec.types})")
    values = result_values(rec, ncols, rows)
    digest = md5_of(values)
    m = HASH_RE.match(rec.expected[0]) if len(rec.expected) == 1 else None
    if m:
        ok = int(m.group(1)) == len(values) and m.group(2) == digest
        actual = [f"{len(values)} values hashing to {digest}"] + values[:12]
    else:
        ok = values == rec.expected
        actual = values
    if not ok:
        return Failure(rec, "wrong result", rec.expected, actual)
    if rec.label is not None:
        seen = labels.setdefault(rec.label, digest)
        if seen != digest:
            return Failure(rec, f"result differs from earlier queries labelled {rec.label}")
    return None


def run_file(path, name, scope, max_shown, n_slowest=0):
    res = FileResult(name)
    t0 = time.monotonic()
    with open(path, encoding="utf-8", errors="replace") as f:
        records = parse_script(f.read())
    conn = None
    restarts = 0
    try:
        conn = scope.open()
        threshold = 0
        labels = {}
        for rec in records:
            if rec.kind == "halt":
                if not rec.skip:
                    break
                continue
            if rec.kind == "hash-threshold":
                threshold = rec.threshold
                continue
            res.records += 1
            if rec.skip:
                res.skipped += 1
                continue
            if conn is None:
                fail = Failure(rec, "not run: the server is gone")
            else:
                fail = None
                q0 = time.monotonic()
                try:
                    ncols, rows = conn.query(rec.sql)
                    if n_slowest:
                        note_slow(res, time.monotonic() - q0, rec, n_slowest)
                    if rec.kind == "statement":
                        if not rec.expect_ok:
                            fail = Failure(rec, "statement succeeded, the record expects an error")
                    else:
                        fail = check_query(rec, ncols, rows, threshold, labels)
                except SqlError as e:
                    if rec.kind == "query" or rec.expect_ok:
                        fail = Failure(rec, f"error {e}")
                except ConnectionLost as e:
                    why = f"connection lost ({e})"
                    if not scope.alive():
                        why += "; the server died, log tail:\n" + scope.log_tail()
                    fail = Failure(rec, why)
                    conn = None
                    if restarts < RESTARTS_PER_FILE_MAX:
                        restarts += 1
                        conn = scope.restart()
            if fail is None:
                res.passed += 1
            else:
                res.failed += 1
                if len(res.failures) < max_shown:
                    res.failures.append(fail)
    except Exception as e:  # the file could not go on (start-up, parse, restart): say why
        res.note = f"could not run: {type(e).__name__}: {e}"
        res.failed += 1
    finally:
        if conn is not None:
            conn.close()
        complaint = scope.close()
        if complaint:
            res.note = (res.note + "; " if res.note else "") + complaint
    res.seconds = time.monotonic() - t0
    return res


# --------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------

def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "-"


def format_file(res):
    out = [f"{res.name}: {res.records} records, {res.passed} passed, {res.failed} failed, "
           f"{res.skipped} skipped ({pct(res.passed, res.records - res.skipped)}), "
           f"{res.seconds:.1f} s"]
    if res.note:
        out.append(f"  note: {res.note}")
    for fl in res.failures:
        r = fl.rec
        head = "statement " + ("ok" if r.expect_ok else "error") if r.kind == "statement" \
            else f"query {r.types} {r.sort}"
        out.append(f"  FAIL {res.name}:{r.line} {head}: {fl.why}")
        out.append("    " + r.sql.replace("\n", "\n    "))
        if fl.expected is not None:
            out.append("    expected: " + " | ".join(fl.expected[:24]) +
                       (" ..." if len(fl.expected) > 24 else ""))
            out.append("    actual:   " + " | ".join(fl.actual[:24]) +
                       (" ..." if len(fl.actual) > 24 else ""))
    for secs, r in res.slowest:
        out.append(f"  slow {res.name}:{r.line} {secs:.2f} s: " + " ".join(r.sql.split())[:200])
    return "\n".join(out)


_ROW_RE = re.compile(r"^\| `([^`]+)` \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| [^|]* \| ([\d.]+) \|$")


def read_results(path):
    """The per-file rows of an existing results table, by file name."""
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for ln in f:
                m = _ROW_RE.match(ln.strip())
                if m:
                    r = FileResult(m.group(1))
                    r.records, r.passed, r.failed, r.skipped = map(int, m.group(2, 3, 4, 5))
                    r.seconds = float(m.group(6))
                    out[r.name] = r
    return out


def write_results(path, results, target, total_s, merge=False):
    """The Markdown table; with merge, rows of files this run did not touch are kept from
    the existing table (and the total time is the sum of the rows)."""
    by_name = read_results(path) if merge else {}
    by_name.update({r.name: r for r in results})
    rows = sorted(by_name.values(), key=lambda r: r.name)
    if merge:
        total_s = sum(r.seconds for r in rows)
    tot = FileResult("total")
    for r in rows:
        tot.records += r.records
        tot.passed += r.passed
        tot.failed += r.failed
        tot.skipped += r.skipped
    lines = [
        "# sqllogictest results",
        "",
        f"Generated by `tests/slt/slt.py --results` against {target}, engine `postgresql`",
        "(tests/slt/README.md). Skipped records are those the files mark for other engines",
        "(`skipif postgresql`, `onlyif mysql`); `pass %` is passed / (records - skipped); time",
        "is the wall time of the file on the shared 2-core development machine.",
        "",
        "| file | records | passed | failed | skipped | pass % | time (s) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows + [tot]:
        secs = f"{r.seconds:.1f}" if r is not tot else f"{total_s:.1f}"
        name = f"**{r.name}**" if r is tot else f"`{r.name}`"
        lines.append(f"| {name} | {r.records} | {r.passed} | {r.failed} | {r.skipped} | "
                     f"{pct(r.passed, r.records - r.skipped)} | {secs} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def read_expect(path):
    out = {}
    if os.path.exists(path):
        with open(path) as f:
            for ln in f:
                ln = ln.split("#", 1)[0].strip()
                if ln:
                    name, n = ln.split()
                    out[name] = int(n)
    return out


def write_expect(path, expect):
    head = ("# Minimum passed records per sqllogictest file (tests/slt/slt.py --expect): only\n"
            "# files that still fail records are listed; an unlisted file must pass every record.\n"
            "# --raise-expect raises the numbers after fixes and never lowers one.\n")
    with open(path, "w") as f:
        f.write(head)
        for name in sorted(expect):
            f.write(f"{name} {expect[name]}\n")


# --------------------------------------------------------------------------------------

def find_files(paths):
    """(path, display name) for every .test file under paths, sorted."""
    out = []
    for p in paths:
        if os.path.isfile(p):
            out.append((p, os.path.basename(p)))
        elif os.path.isdir(p):
            for d, _, files in os.walk(p):
                for fn in files:
                    if fn.endswith(".test"):
                        full = os.path.join(d, fn)
                        out.append((full, os.path.relpath(full, p)))
    return sorted(out, key=lambda x: x[1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=[os.path.join(REPO, "..", "shared", "slt")],
                    help="files or directories (default ../shared/slt from the repo root)")
    ap.add_argument("--target", choices=("micedb", "postgres"), default="micedb")
    ap.add_argument("--bin", help="micedb binary (default $MICEDB_BIN or build/micedb)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only files whose name contains this (repeatable)")
    ap.add_argument("--jobs", "-j", type=int, default=1, help="files run in parallel")
    ap.add_argument("--timeout", type=float, default=QUERY_TIMEOUT_S,
                    help="per statement, seconds (statement_timeout)")
    ap.add_argument("--show", type=int, default=3, help="failures shown per file")
    ap.add_argument("--results", help="write a Markdown table of the per-file numbers here")
    ap.add_argument("--expect", help="file of per-file minimum passed counts to assert")
    ap.add_argument("--raise-expect", action="store_true",
                    help="raise the --expect minimums to this run's numbers (never lower)")
    ap.add_argument("--slowest", type=int, default=0, help="show the N slowest records per file")
    ap.add_argument("--quiet", "-q", action="store_true", help="only the totals and failures")
    a = ap.parse_args(argv)

    if a.bin:
        os.environ["MICEDB_BIN"] = os.path.abspath(a.bin)
    elif "MICEDB_BIN" not in os.environ:
        os.environ["MICEDB_BIN"] = os.path.join(REPO, "build", "micedb")
    missing = [p for p in a.paths if not os.path.exists(p)]
    for p in missing:
        print(f"slt: {p} does not exist; skipping it (the sqllogictest files live in "
              f"../shared/slt next to the repository)")
    files = find_files([p for p in a.paths if os.path.exists(p)])
    if a.only:
        unmatched = [o for o in a.only if not any(o in f[1] for f in files)]
        if files and unmatched:
            print(f"slt: no file matches --only {', '.join(unmatched)}")
            return 2
        files = [f for f in files if any(o in f[1] for o in a.only)]
    if not files:
        print("slt: no .test files to run: skipped")
        return EXIT_SKIP
    if a.target == "micedb" and not os.access(os.environ["MICEDB_BIN"], os.X_OK):
        print(f"slt: no micedb binary at {os.environ['MICEDB_BIN']} (build first)")
        return 2
    import harness
    harness.BIN = os.environ["MICEDB_BIN"]

    pg = PostgresServer() if a.target == "postgres" else None
    t0 = time.monotonic()
    results = []
    print_lock = threading.Lock()

    def one(item):
        path, name = item
        scope = pg.scope(a.timeout) if pg else MicedbScope(a.timeout)
        res = run_file(path, name, scope, a.show, a.slowest)
        with print_lock:
            text = format_file(res)
            if a.quiet and not res.failures and not res.note:
                text = ""
            if text:
                print(text, flush=True)
        return res

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            results = list(ex.map(one, files))
    finally:
        if pg:
            pg.close()
    total_s = time.monotonic() - t0

    tot = [sum(getattr(r, k) for r in results) for k in ("records", "passed", "failed",
                                                          "skipped")]
    print(f"slt total ({a.target}): {len(results)} files, {tot[0]} records, {tot[1]} passed, "
          f"{tot[2]} failed, {tot[3]} skipped ({pct(tot[1], tot[0] - tot[3])}), "
          f"{total_s:.1f} s")
    if a.results:  # a run of some files (--only) updates their rows and keeps the others
        write_results(a.results, results, a.target, total_s, merge=bool(a.only))
    status = 0 if tot[2] == 0 else 1
    if a.expect:
        expect = read_expect(a.expect)
        # a file the expectations do not list must pass every record it runs
        below = [(r.name, r.passed, expect.get(r.name, r.records - r.skipped)) for r in results
                 if r.passed < expect.get(r.name, r.records - r.skipped)]
        for name, got, want in below:
            print(f"slt: REGRESSION {name}: {got} passed, at least {want} must ({a.expect})")
        if a.raise_expect:
            for r in results:
                if r.failed == 0:
                    expect.pop(r.name, None)  # unlisted: every record must pass from now on
                else:
                    expect[r.name] = max(expect.get(r.name, 0), r.passed)
            write_expect(a.expect, expect)
        status = 1 if below else 0
    return status


if __name__ == "__main__":
    sys.exit(main())
