"""COPY through psql's \\copy: TO STDOUT in text and CSV (compared byte for byte with what
PostgreSQL 15 writes for the same rows), FROM STDIN in text and CSV (round trips, quoted
newlines, HEADER, NULL markers), errors, and COPY inside a rolled-back transaction. Binary
COPY FROM STDIN through psycopg (the format pgx's CopyFrom sends): every type, and its
errors, compared with PostgreSQL 15."""
import datetime as dt
import os
import textwrap
import uuid
from decimal import Decimal

import psycopg
import pytest

TABLE = ("create table ct (id int primary key, t text, v varchar(10), n numeric(8,2), "
         "f double precision, d date, ts timestamp, b boolean, c char(3))")
ROWS = ("insert into ct values "
        "(1, 'plain', 'x', 1.5, 0.1, '2024-01-02', '2024-01-02 03:04:05', true, 'ab'), "
        "(2, E'tab\\there\\nnewline\\\\backslash', '', -2, -1e300, null, null, false, ''), "
        "(3, 'comma, \"quote\"', 'semi;colon', 0, 'NaN', '1999-12-31', null, null, null), "
        "(4, null, null, null, null, null, null, null, null), "
        "(5, '', 'NULL', 123456.78, 'Infinity', '2000-02-29', '2000-02-29 23:59:59.5', true, "
        "'xyz'), "
        "(6, E'\\r\\x01 ctrl', E'a\\\\N', 1, 1, null, null, false, 'q')")

COPIES = [r"\copy ct to stdout",
          r"\copy ct to stdout csv",
          r"\copy ct to stdout csv header",
          r"\copy ct (id, t, c) to stdout with (format csv, delimiter ';', null 'NULL')",
          r"\copy ct to stdout with (format text, null '', delimiter '|')",
          r"\copy ct to stdout with (format csv, quote '''', escape '\')",
          r"\copy (select id, t, n * 2 as twice from ct where id % 2 = 0 order by id) to stdout",
          r"\copy (select id, b from ct order by id desc) to stdout csv header"]


@pytest.fixture(scope="module")
def both(mice, pg):
    for t in (mice, pg):
        t.psql("-c", TABLE, check=True)
        t.psql("-c", ROWS, check=True)
    return mice, pg


@pytest.mark.parametrize("cmd", COPIES)
def test_copy_to_matches_postgres(both, cmd):
    mice, pg = both
    want = pg.psql("-c", cmd)
    got = mice.psql("-c", cmd)
    assert want.returncode == 0 and want.stdout.count("\n") >= 3, want
    assert (got.returncode, got.stderr) == (0, "")
    # the rows of a table come in key order from us, in insertion order from PostgreSQL
    if "select" in cmd:
        assert got.stdout == want.stdout
    else:
        assert sorted(got.stdout.splitlines()) == sorted(want.stdout.splitlines())
        assert got.stdout.count("\n") == want.stdout.count("\n")


@pytest.mark.parametrize("fmt", ["", " csv", " csv header", " with (format csv, null 'N/A')",
                                 " with (delimiter ',')"])
def test_round_trip(both, tmp_path, fmt):
    mice, _ = both
    os.chmod(tmp_path, 0o777)
    path = tmp_path / "ct.dat"
    name = "rt_" + str(abs(hash(fmt)))
    mice.psql("-c", TABLE.replace("ct", name), check=True)
    mice.psql("-c", rf"\copy ct to '{path}'{fmt}", check=True)
    r = mice.psql("-c", rf"\copy {name} from '{path}'{fmt}", check=True)
    assert r.stdout == "COPY 6\n"
    for a, b in ((name, "ct"), ("ct", name)):
        r = mice.psql("-A", "-t", "-c", f"select count(*) from (select * from {a} except "
                      f"select * from {b}) x", check=True)
        assert r.stdout == "0\n", (a, b)


def test_copy_from_csv_edge_cases(mice, tmp_path):
    os.chmod(tmp_path, 0o777)
    mice.psql("-c", "create table csvin (id int, t text, n int)", check=True)
    path = tmp_path / "in.csv"
    path.write_text('id,t,n\n1,"multi\nline ""quoted""",5\n2,,\n3,"",7\r\n4,"a,b",\n')
    r = mice.psql("-c", rf"\copy csvin from '{path}' csv header", check=True)
    assert r.stdout == "COPY 4\n"
    r = mice.psql("-A", "-t", "-F", "|", "-P", "null=<null>", "-c",
                  "select id, t, n from csvin order by id", check=True)
    assert r.stdout == ('1|multi\nline "quoted"|5\n2|<null>|<null>\n3||7\n4|a,b|<null>\n')


def test_copy_from_stdin_text_escapes(mice):
    mice.psql("-c", "create table txtin (a text, b text)", check=True)
    data = "x\\ty\\\\z\t\\N\nsep\\\tarated\tend\\101\\x41\n\\.\n"
    r = mice.psql("-c", r"\copy txtin from stdin", input=data, check=True)
    assert r.stdout == "COPY 2\n"
    r = mice.psql("-A", "-t", "-F", "|", "-P", "null=<null>", "-c",
                  "select a, b from txtin order by a desc", check=True)
    assert r.stdout == "x\ty\\z|<null>\nsep\tarated|endAA\n"


def test_copy_errors(mice, tmp_path):
    os.chmod(tmp_path, 0o777)
    mice.psql("-c", "create table cerr (id int primary key, n int)", check=True)
    cases = [("1\t2\t3\n", "ERROR:  extra data after last expected column"),
             ("1\n", 'ERROR:  missing data for column "n"'),
             ("x\t2\n", 'ERROR:  invalid input syntax for type integer: "x"'),
             ("1\t2\n1\t3\n", 'ERROR:  duplicate key value violates unique constraint '
                              '"cerr_pkey"')]
    for data, first_line in cases:
        r = mice.psql("-c", r"\copy cerr from stdin", input=data)
        assert r.returncode == 1, r
        assert r.stderr.splitlines()[0] == first_line, r.stderr
    r = mice.psql("-A", "-t", "-c", "select count(*) from cerr", check=True)
    assert r.stdout == "0\n", "a failed COPY inserts nothing"
    r = mice.psql("-c", r"\copy cerr to stdout (format binary)")
    assert r.returncode == 1 and "binary" in r.stderr


def test_copy_in_transaction(mice):
    mice.psql("-c", "create table ctx (id int primary key)", check=True)
    script = textwrap.dedent("""\
        begin;
        copy ctx from stdin with (freeze on);
        1
        2
        \\.
        select count(*) from ctx;
        rollback;
        select count(*) from ctx;
        begin;
        truncate ctx;
        copy ctx from stdin;
        3
        \\.
        commit;
        select id from ctx;
        """)
    r = mice.psql("-A", "-t", "-q", input=script, check=True)
    assert r.stdout == "2\n0\n3\n", r.stdout


BIN_TABLE = ("create table bt (id int primary key, s smallint, b bigint, f real, d double "
             "precision, n numeric(12,3), ok boolean, t text, v varchar(5), by bytea, dt date, "
             "ts timestamp, tz timestamptz, iv interval, u uuid, ia int[])")
BIN_TYPES = ["int4", "int2", "int8", "float4", "float8", "numeric", "bool", "text", "varchar",
             "bytea", "date", "timestamp", "timestamptz", "interval", "uuid", "int4[]"]
BIN_ROWS = [
    (1, -32768, 2 ** 63 - 1, 1.5, -1e300, Decimal("-123456789.125"), True, "tab\tnl\n ✓",
     "abc", b"\x00\xff\\", dt.date(2024, 2, 29), dt.datetime(1999, 12, 31, 23, 59, 59, 999999),
     dt.datetime(2021, 6, 15, 10, 20, 30, 500000, tzinfo=dt.timezone.utc),
     dt.timedelta(days=-3, microseconds=7), uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
     [1, None, -2]),
    (2,) + (None,) * 15,
    (3, 0, 0, float("inf"), float("nan"), Decimal("0.000"), False, "", "", b"",
     dt.date(1, 1, 1), dt.datetime(1970, 1, 1), dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
     dt.timedelta(0), uuid.UUID(int=0), []),
]


def copy_binary_rows(target, rows, table="bt"):
    with target.connect() as c:
        cur = c.cursor()
        with cur.copy(f"copy {table} from stdin (format binary)") as cp:
            cp.set_types(BIN_TYPES)
            for row in rows:
                cp.write_row(row)
        n = cur.rowcount
        got = c.execute(f"select * from {table} order by id").fetchall()
        cur = c.execute(f"select * from {table} limit 0")
        cols = ", ".join(f"{d.name}::text" for d in cur.description)
        text = c.execute(f"select {cols} from {table} order by id").fetchall()
    return n, got, text


def test_copy_from_binary_matches_postgres(mice, pg):
    """psycopg's binary COPY (as pgx's CopyFrom sends it): every type, NULLs, batches."""
    many = [(100 + i, i, i * i, i / 4, i / 3, Decimal(i) / 8, i % 2 == 0, f"row {i}", "v",
             bytes([i % 256]), dt.date(2000, 1, 1) + dt.timedelta(days=i),
             dt.datetime(2000, 1, 1) + dt.timedelta(seconds=i), None, None, None, [i])
            for i in range(600)]  # more than one INSERT batch
    results = []
    for t in (mice, pg):
        with t.connect() as c:
            c.execute("set timezone = 'UTC'")
            c.execute(BIN_TABLE)
        n, got, text = copy_binary_rows(t, BIN_ROWS + many)
        assert n == len(BIN_ROWS) + len(many)
        results.append((got, text))
    (mg, mt), (pgot, pt) = results
    assert mg[:3] == BIN_ROWS[:2] + [mg[2]] and mg[2][4] != mg[2][4]  # NaN
    assert mt == pt
    assert [r[:4] + r[5:] for r in mg] == [r[:4] + r[5:] for r in pgot]


def raw_copy(target, sql, data):
    with target.connect() as c:
        try:
            with c.cursor().copy(sql) as cp:
                cp.write(data)
        except psycopg.Error as e:
            return e.sqlstate, str(e).splitlines()[0]
        return None, None


SIG = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"


@pytest.mark.parametrize("sql,data", [
    ("copy bterr from stdin (format binary)", b"PGCOPY\n\xff\r\n\x01" + b"\0" * 8),
    ("copy bterr from stdin (format binary)", SIG + b"\x00\x01" + b"\x00\x00\x00\x04\0\0\0\1"),
    ("copy bterr from stdin (format binary)", SIG + b"\x00\x02\x00\x00\x00\x04\0\0"),
    ("copy bterr from stdin (format binary)",
     SIG + b"\x00\x02\x00\x00\x00\x06" + b"\0" * 6 + b"\xff" * 4),
    ("copy bterr from stdin (format binary)", SIG[:11] + b"\x00\x01\x00\x00" + b"\0" * 4),
    ("copy bterr from stdin (format binary, delimiter ',')", b""),
    ("copy bterr from stdin (format binary, null 'x')", b""),
], ids=["signature", "field-count", "eof-in-field", "long-int4", "oids-flag",
        "delimiter", "null"])
def test_copy_from_binary_errors_match_postgres(mice, pg, sql, data):
    got = []
    for t in (mice, pg):
        with t.connect() as c:
            c.execute("create table if not exists bterr (a int, b text)")
        got.append(raw_copy(t, sql, data))
        with t.connect() as c:
            assert c.execute("select count(*) from bterr").fetchone()[0] == 0
    assert got[0] == got[1] and got[0][0] is not None, got
