"""psycopg 3 (Debian python3-psycopg) unmodified against micedb, in text and in binary.

psycopg 3 binds on the server: Parse with parameter type OIDs chosen from the Python values,
Bind, Describe, Execute, Sync. `%s` parameters go in text, `%b` in binary; a binary cursor
asks for every result column in binary. prepare=True (or the prepare_threshold'th run of the
same query) turns the unnamed statement into a named prepared one (_pg3_n)."""
import psycopg
import psycopg.errors
import pytest
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

import drivers_common as dc


def connect(target, **kw):
    return psycopg.connect(host=target.host, port=target.port, user="root", dbname="defaultdb",
                           connect_timeout=10, **kw)


@pytest.fixture(scope="module")
def conn(target):
    c = connect(target)
    yield c
    c.close()


def adapt_in(row):
    out = dict(row)
    return out


def test_connect(conn):
    assert conn.info.server_version >= 150000
    assert conn.info.parameter_status("client_encoding") == "UTF8"
    assert conn.execute("SELECT 1, 'x'::text").fetchone() == (1, "x")
    conn.rollback()


@pytest.mark.parametrize("fmt", ["text", "binary"])
def test_types_round_trip(conn, fmt):
    mark = "%s" if fmt == "text" else "%b"
    binary = fmt == "binary"
    with conn.cursor() as cur:
        cur.execute(dc.drop_sql())
        cur.execute(dc.create_sql())
        ins = dc.insert_sql(lambda i: mark)
        for rid, row in dc.ROWS.items():
            vals = adapt_in(row)
            cur.execute(ins, [rid] + [vals[c] for c in dc.NAMES])
            assert cur.rowcount == 1
    conn.commit()
    with conn.cursor(row_factory=dict_row, binary=binary) as cur:
        for rid in dc.ROWS:
            cur.execute(dc.select_sql(lambda i: mark), (rid,))
            got = cur.fetchall()
            assert len(got) == 1 and got[0]["id"] == rid
            assert dc.diff(got[0], dc.expected(rid)) == []
            assert {d.name: d.type_code for d in cur.description[1:]} == dc.OIDS
            assert [cur.pgresult.fformat(i) for i in range(cur.pgresult.nfields)] == \
                [1 if binary else 0] * (len(dc.NAMES) + 1)
    conn.commit()


def test_executemany_and_params(conn):
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS drv_many")
        cur.execute("CREATE TABLE drv_many (k int PRIMARY KEY, v text)")
        cur.executemany("INSERT INTO drv_many VALUES (%s, %s)", [(i, f"v{i}") for i in range(50)])
        cur.execute("SELECT count(*), min(v), max(k) FROM drv_many WHERE k >= %(lo)s",
                    {"lo": 10})
        assert cur.fetchone() == (40, "v10", 49)
        cur.execute("SELECT %s + 1, %s || '!', %s::text IS NULL", (41, "hi", None))
        assert cur.fetchone() == (42, "hi!", True)
    conn.commit()


def test_transactions(target, conn):
    conn.execute("DROP TABLE IF EXISTS drv_tx")
    conn.execute("CREATE TABLE drv_tx (k int PRIMARY KEY, v text)")
    conn.commit()
    with connect(target, autocommit=True) as other:
        conn.execute("INSERT INTO drv_tx VALUES (%s, %s)", (1, "rolled back"))
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        conn.rollback()
        conn.execute("INSERT INTO drv_tx VALUES (%s, %s)", (2, "committed"))
        assert other.execute("SELECT count(*) FROM drv_tx").fetchone() == (0,)
        conn.commit()
        assert other.execute("SELECT k, v FROM drv_tx").fetchall() == [(2, "committed")]
        # transaction blocks and savepoints
        with pytest.raises(ZeroDivisionError):
            with conn.transaction():
                conn.execute("INSERT INTO drv_tx VALUES (3, 'tx')")
                raise ZeroDivisionError
        with conn.transaction():
            conn.execute("INSERT INTO drv_tx VALUES (4, 'tx')")
        conn.commit()
        assert other.execute("SELECT k FROM drv_tx ORDER BY k").fetchall() == [(2,), (4,)]


@pytest.mark.parametrize("sql,exc,code", [
    ("INSERT INTO drv_types (id) VALUES (1)", psycopg.errors.UniqueViolation,
     dc.UNIQUE_VIOLATION),
    ("SELECT 1 / (id - id) FROM drv_types", psycopg.errors.DivisionByZero,
     dc.DIVISION_BY_ZERO),
    ("SELECT * FROM no_such_table", psycopg.errors.UndefinedTable, dc.UNDEFINED_TABLE),
])
def test_errors_carry_sqlstate(conn, sql, exc, code):
    with pytest.raises(exc) as ei:
        conn.execute(sql)
    assert ei.value.sqlstate == code
    assert ei.value.diag.sqlstate == code
    assert ei.value.diag.message_primary
    with pytest.raises(psycopg.errors.InFailedSqlTransaction) as ei2:
        conn.execute("SELECT 1")
    assert ei2.value.sqlstate == dc.IN_FAILED_TRANSACTION
    conn.rollback()
    assert conn.execute("SELECT 2").fetchone() == (2,)
    conn.rollback()


@pytest.mark.parametrize("binary", [False, True])
def test_prepared_statement_reuse(conn, binary):
    sql = "SELECT c_int8, c_text_arr, c_numeric FROM drv_types WHERE id = %s"
    for _ in range(3):
        for rid in dc.ROWS:
            want = dc.expected(rid)
            got = conn.execute(sql, (rid,), prepare=True, binary=binary).fetchall()
            assert got == [(want["c_int8"], want["c_text_arr"], want["c_numeric"])]
    # the automatic path: prepared on the prepare_threshold'th run
    conn.prepare_threshold = 2
    for i in range(5):
        assert conn.execute("SELECT %s::int * 2", (i,), binary=binary).fetchone() == (2 * i,)
    conn.rollback()
