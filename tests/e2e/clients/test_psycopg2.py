"""psycopg2 (Debian python3-psycopg2, libpq underneath) unmodified against micedb.

psycopg2 interpolates parameters on the client and sends Simple Query messages with typed
literals ('...'::date, '...'::interval, ARRAY[...], '\\x..'::bytea); outside autocommit it
opens every transaction with BEGIN. Server-side prepared statements are SQL PREPARE/EXECUTE."""
import psycopg2
import psycopg2.errors
import psycopg2.extensions
import psycopg2.extras
import pytest

import drivers_common as dc

psycopg2.extras.register_uuid()


def connect(target, **kw):
    return psycopg2.connect(host=target.host, port=target.port, user="root", dbname="defaultdb",
                            connect_timeout=10, **kw)


@pytest.fixture(scope="module")
def conn(target):
    c = connect(target)
    yield c
    c.close()


def adapt_in(row):
    """psycopg2 sends a datetime.time as '...'::time, which drops a timetz's zone."""
    out = dict(row)
    if out["c_timetz"] is not None:
        out["c_timetz"] = out["c_timetz"].isoformat()
    return out


def normalise_out(row):
    out = dict(row)
    if out["c_bytea"] is not None:
        out["c_bytea"] = bytes(out["c_bytea"])  # memoryview
    return out


def test_connect(conn):
    assert conn.server_version >= 150000
    assert conn.get_parameter_status("client_encoding") == "UTF8"
    with conn.cursor() as cur:
        cur.execute("SELECT 1, 'x'::text")
        assert cur.fetchone() == (1, "x")
    conn.rollback()


def test_types_round_trip(conn):
    with conn.cursor() as cur:
        cur.execute(dc.drop_sql())
        cur.execute(dc.create_sql())
    conn.commit()
    ins = dc.insert_sql(lambda i: "%s")
    with conn.cursor() as cur:
        for rid, row in dc.ROWS.items():
            vals = adapt_in(row)
            cur.execute(ins, [rid] + [vals[c] for c in dc.NAMES])
            assert cur.rowcount == 1
    conn.commit()
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        for rid in dc.ROWS:
            cur.execute(dc.select_sql(lambda i: "%s"), (rid,))
            got = cur.fetchall()
            assert len(got) == 1
            assert got[0]["id"] == rid
            assert dc.diff(normalise_out(got[0]), dc.expected(rid)) == []
            assert {d.name: d.type_code for d in cur.description[1:]} == dc.OIDS
    conn.commit()


def test_executemany_and_literals(conn):
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS drv_many")
        cur.execute("CREATE TABLE drv_many (k int PRIMARY KEY, v text)")
        cur.executemany("INSERT INTO drv_many VALUES (%s, %s)", [(i, f"v{i}") for i in range(50)])
        cur.execute("SELECT count(*), min(v), max(k) FROM drv_many WHERE k >= %(lo)s",
                    {"lo": 10})
        assert cur.fetchone() == (40, "v10", 49)
        cur.execute("SELECT %s::int4 + 1, %s::text || '!', %s IS NULL", (41, "hi", None))
        assert cur.fetchone() == (42, "hi!", True)
    conn.commit()


def test_transactions(target, conn):
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS drv_tx")
        cur.execute("CREATE TABLE drv_tx (k int PRIMARY KEY, v text)")
    conn.commit()
    other = connect(target)
    other.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO drv_tx VALUES (%s, %s)", (1, "rolled back"))
            assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("INSERT INTO drv_tx VALUES (%s, %s)", (2, "committed"))
            with other.cursor() as ocur:
                ocur.execute("SELECT count(*) FROM drv_tx")
                assert ocur.fetchone() == (0,)  # not visible before commit
        conn.commit()
        with other.cursor() as ocur:
            ocur.execute("SELECT k, v FROM drv_tx ORDER BY k")
            assert ocur.fetchall() == [(2, "committed")]
        # the connection as a context manager commits on success, rolls back on error
        with pytest.raises(ZeroDivisionError):
            with conn:
                with conn.cursor() as cur:
                    cur.execute("INSERT INTO drv_tx VALUES (3, 'ctx')")
                    raise ZeroDivisionError
        with conn:
            with conn.cursor() as cur:
                cur.execute("INSERT INTO drv_tx VALUES (4, 'ctx')")
        with other.cursor() as ocur:
            ocur.execute("SELECT k FROM drv_tx ORDER BY k")
            assert ocur.fetchall() == [(2,), (4,)]
    finally:
        other.close()


@pytest.mark.parametrize("sql,exc,code", [
    ("INSERT INTO drv_types (id) VALUES (1)", psycopg2.errors.UniqueViolation,
     dc.UNIQUE_VIOLATION),
    ("SELECT 1 / (id - id) FROM drv_types", psycopg2.errors.DivisionByZero,
     dc.DIVISION_BY_ZERO),
    ("SELECT * FROM no_such_table", psycopg2.errors.UndefinedTable, dc.UNDEFINED_TABLE),
])
def test_errors_carry_sqlstate(conn, sql, exc, code):
    with conn.cursor() as cur:
        with pytest.raises(exc) as ei:
            cur.execute(sql)
        assert ei.value.pgcode == code
        assert ei.value.diag.sqlstate == code
        assert ei.value.diag.message_primary
        # the transaction is aborted until rolled back
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction) as ei2:
            cur.execute("SELECT 1")
        assert ei2.value.pgcode == dc.IN_FAILED_TRANSACTION
    conn.rollback()
    with conn.cursor() as cur:
        cur.execute("SELECT 2")
        assert cur.fetchone() == (2,)
    conn.rollback()


def test_prepared_statement_reuse(conn):
    with conn.cursor() as cur:
        cur.execute("PREPARE drv_q (int) AS SELECT c_int8, c_text_arr FROM drv_types "
                    "WHERE id = $1")
        for _ in range(3):
            for rid in dc.ROWS:
                cur.execute("EXECUTE drv_q (%s)", (rid,))
                want = dc.expected(rid)
                assert cur.fetchall() == [(want["c_int8"], want["c_text_arr"])]
        cur.execute("DEALLOCATE drv_q")
        with pytest.raises(psycopg2.errors.InvalidSqlStatementName):
            cur.execute("EXECUTE drv_q (1)")
    conn.rollback()
