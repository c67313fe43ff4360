"""Small helpers shared by the SQL tests."""
import psycopg
import pytest


def rows(conn, sql, params=None):
    return conn.execute(sql, params).fetchall()


def one(conn, sql, params=None):
    return conn.execute(sql, params).fetchone()


def expect_error(conn, sql, sqlstate, params=None):
    """Run sql, assert it fails with sqlstate; return the exception. With an autocommit
    connection the session is usable right after."""
    with pytest.raises(psycopg.Error) as ei:
        conn.execute(sql, params)
    e = ei.value
    assert e.sqlstate == sqlstate, f"{sql!r}: got {e.sqlstate} {e}, want {sqlstate}"
    return e


def text_of(conn, sql, params=None):
    """The values of the first row exactly as the server sent them in text format."""
    cur = conn.cursor(row_factory=None)
    cur.execute(sql, params)
    res = cur.pgresult
    return [None if res.get_value(0, i) is None else res.get_value(0, i).decode()
            for i in range(res.nfields)]


def text_rows(conn, sql, params=None):
    """All rows, every value exactly as the server sent it in text format (None for NULL)."""
    cur = conn.cursor()
    cur.execute(sql, params)
    res = cur.pgresult
    return [tuple(None if res.get_value(r, c) is None else res.get_value(r, c).decode()
                  for c in range(res.nfields)) for r in range(res.ntuples)]
