"""Errors of issue item 6: each SQLSTATE with a statement that provokes it, PostgreSQL's
primary message, the cursor position where PostgreSQL reports one, and a session that
goes on working after every error."""

import psycopg
import pytest

from helpers import expect_error


@pytest.fixture
def errt(conn):
    conn.execute("""
        create table if not exists err_t (
            id int primary key, name text not null, qty int check (qty >= 0), code text unique);
        create table if not exists err_u (id int primary key, name text, tag varchar(3));
    """)
    conn.execute("delete from err_t; "
                 "insert into err_t values (1, 'one', 1, 'a'), (2, 'two', 2, 'b')")
    return conn


# (sqlstate, statement, primary message, statement position or None for "not checked")
CASES = [
    ("42601", "selec 1", 'syntax error at or near "selec"', 1),
    ("42601", "select * frm err_t", 'syntax error at or near "frm"', 10),
    ("42601", "select 1 +", "syntax error at end of input", 11),
    ("42601", "select (1", "syntax error at end of input", 10),
    ("42601", "insert into err_t values (1,", "syntax error at end of input", 29),
    ("42601", "select 'unterminated", "unterminated quoted string at or near \"'unterminated\"",
     8),
    ("42P01", "select * from err_missing", 'relation "err_missing" does not exist', 15),
    ("42P01", "insert into err_missing values (1)", 'relation "err_missing" does not exist',
     13),
    ("42P01", "select * from err_t join err_missing2 on true",
     'relation "err_missing2" does not exist', 26),
    ("42703", "select nosuch from err_t", 'column "nosuch" does not exist', 8),
    ("42703", "select id from err_t where nosuch = 1", 'column "nosuch" does not exist', 28),
    ("42703", "update err_t set nosuch = 1",
     'column "nosuch" of relation "err_t" does not exist', 18),
    ("42703", "select err_t.nosuch from err_t", 'column err_t.nosuch does not exist', 8),
    ("42P07", "create table err_t (a int)", 'relation "err_t" already exists', None),
    ("23505", "insert into err_t values (1, 'dup', 0, 'z')",
     'duplicate key value violates unique constraint "err_t_pkey"', None),
    ("23505", "update err_t set code = 'a' where id = 2",
     'duplicate key value violates unique constraint "err_t_code_key"', None),
    ("23502", "insert into err_t (id) values (3)",
     'null value in column "name" of relation "err_t" violates not-null constraint', None),
    ("23502", "update err_t set name = null where id = 1",
     'null value in column "name" of relation "err_t" violates not-null constraint', None),
    ("23514", "insert into err_t values (3, 'x', -1, 'c')",
     'new row for relation "err_t" violates check constraint "err_t_qty_check"', None),
    ("23514", "update err_t set qty = qty - 5",
     'new row for relation "err_t" violates check constraint "err_t_qty_check"', None),
    ("22P02", "select 'abc'::int", 'invalid input syntax for type integer: "abc"', 8),
    ("22P02", "insert into err_t values ('x', 'y', 1, 'c')",
     'invalid input syntax for type integer: "x"', 27),
    ("22P02", "select * from err_t where qty = '1.5'",
     'invalid input syntax for type integer: "1.5"', 33),
    ("22P02", "select 'yes please'::bool", 'invalid input syntax for type boolean: "yes please"',
     8),
    ("22012", "select 1 / 0", "division by zero", None),
    ("22012", "select qty / (qty - qty) from err_t", "division by zero", None),
    ("22012", "select 5 % 0", "division by zero", None),
    ("22012", "select 1.0 / 0", "division by zero", None),
    ("22003", "select 2147483647 + 1", "integer out of range", None),
    ("22003", "select 40000::smallint", "smallint out of range", None),
    ("22003", "select (-9223372036854775807 - 2)::bigint", "bigint out of range", None),
    ("22003", "insert into err_t values (2147483648, 'big', 0, 'c')", "integer out of range",
     None),
    ("22003", "select 12345.678::numeric(5,2)", "numeric field overflow", None),
    # (An explicit cast to varchar(n) truncates silently; storing into a column does not.)
    ("22001", "insert into err_u (id, tag) values (9, 'abcd')",
     "value too long for type character varying(3)", None),
    ("42883", "select no_such_function(1)", "function no_such_function(integer) does not exist",
     8),
    ("42883", "select 1 + 'a'::text", "operator does not exist: integer + text", 10),
    ("42804", "select case when true then 1 else 'a'::text end",
     "CASE types text and integer cannot be matched", 28),
    ("42804", "select * from err_t where name",
     "argument of WHERE must be type boolean, not type text", 27),
    ("42846", "select true::date", "cannot cast type boolean to date", 12),
    ("42803", "select id, count(*) from err_t",
     'column "err_t.id" must appear in the GROUP BY clause or be used in an aggregate function',
     8),
    ("42803", "select * from err_t where count(*) > 1",
     "aggregate functions are not allowed in WHERE", 27),
    ("42702", "select id from err_t, err_u", 'column reference "id" is ambiguous', 8),
    ("42712", "select * from err_t, err_t", 'table name "err_t" specified more than once', None),
    ("21000", "select (select id from err_t)",
     "more than one row returned by a subquery used as an expression", None),
    ("42601", "select (select id, name from err_t)", "subquery must return only one column", 8),
    ("42704", "create table err_badtype (a nosuchtype)", 'type "nosuchtype" does not exist', 29),
    ("42P10", "insert into err_t values (5, 'x', 1, 'e') on conflict (name) do nothing",
     "there is no unique or exclusion constraint matching the ON CONFLICT specification",
     None),
    ("22007", "select 'tomorrowish'::date", 'invalid input syntax for type date: "tomorrowish"',
     8),
    ("22008", "select '2024-02-30'::date", 'date/time field value out of range: "2024-02-30"',
     8),
    ("2201W", "select 1 limit -1", "LIMIT must not be negative", None),
    ("42P02", "select $1", "there is no parameter $1", 8),
]


@pytest.mark.parametrize("sqlstate,sql,message,position", CASES,
                         ids=[f"{c[0]}:{c[1][:40]}" for c in CASES])
def test_sqlstate(errt, sqlstate, sql, message, position):
    e = expect_error(errt, sql, sqlstate)
    if message is not None:
        assert e.diag.message_primary == message
    if position is not None:
        assert e.diag.statement_position == str(position), e.diag.statement_position
    assert e.diag.severity == "ERROR"
    # The session goes on.
    assert errt.execute("select 1").fetchone() == (1,)


def test_errors_did_not_change_data(errt):
    for sql in ("insert into err_t values (1, 'dup', 0, 'z')",
                "update err_t set qty = qty - 5",
                "update err_t set qty = 10 / (qty - 1)"):
        with pytest.raises(psycopg.Error):
            errt.execute(sql)
    assert errt.execute("select id, name, qty, code from err_t order by id").fetchall() == [
        (1, "one", 1, "a"), (2, "two", 2, "b")]


def test_error_detail_for_unique_violation(errt):
    e = expect_error(errt, "insert into err_t values (3, 'x', 0, 'a')", "23505")
    assert e.diag.message_detail == "Key (code)=(a) already exists."
    assert e.diag.table_name == "err_t" and e.diag.constraint_name == "err_t_code_key"


def test_25p02_after_error_in_block_until_rollback(target):
    with target.connect(autocommit=False) as c:
        c.execute("select 1")
        with pytest.raises(psycopg.errors.DivisionByZero):
            c.execute("select 1 / 0")
        for sql in ("select 1", "select * from err_missing", "insert into x values (1)"):
            with pytest.raises(psycopg.errors.InFailedSqlTransaction) as ei:
                c.execute(sql)
            assert ei.value.sqlstate == "25P02"
            assert ei.value.diag.message_primary == ("current transaction is aborted, commands "
                                                     "ignored until end of transaction block")
        c.rollback()
        assert c.execute("select 2").fetchone() == (2,)
        c.rollback()


def test_commit_of_failed_transaction_rolls_back(conn):
    conn.execute("create table err_commitfail (a int)")
    conn.execute("begin")
    conn.execute("insert into err_commitfail values (1)")
    with pytest.raises(psycopg.errors.DivisionByZero):
        conn.execute("select 1 / 0")
    cur = conn.execute("commit")
    assert cur.statusmessage == "ROLLBACK"
    assert conn.execute("select count(*) from err_commitfail").fetchone() == (0,)


def test_40001_serialization_failure(target, connect):
    a = connect(autocommit=True)
    a.execute("create table err_ser (id int primary key, v int)")
    a.execute("insert into err_ser values (1, 0)")
    t1 = connect(autocommit=False)
    t2 = connect(autocommit=True)
    t1.execute("set transaction isolation level repeatable read")
    assert t1.execute("select v from err_ser where id = 1").fetchone() == (0,)
    t2.execute("update err_ser set v = 2 where id = 1")
    with pytest.raises(psycopg.errors.SerializationFailure) as ei:
        t1.execute("update err_ser set v = 1 where id = 1")
    assert ei.value.sqlstate == "40001"
    assert ei.value.diag.message_primary == "could not serialize access due to concurrent update"
    t1.rollback()
    assert a.execute("select v from err_ser").fetchone() == (2,)


def test_errors_on_extended_protocol_parameters(conn):
    conn.execute("create table err_params (id int primary key, d date)")
    with pytest.raises(psycopg.Error) as ei:
        conn.execute("insert into err_params values (%s, %s)", ("x", "2024-01-01"))
    assert ei.value.sqlstate == "22P02"
    with pytest.raises(psycopg.Error) as ei:
        conn.execute("insert into err_params values (%s, %s)", (1, "2024-02-30"))
    assert ei.value.sqlstate == "22008"
    conn.execute("insert into err_params values (%s, %s)", (1, "2024-02-29"))
    assert conn.execute("select count(*) from err_params").fetchone() == (1,)


def test_many_errors_in_a_row_then_work(conn):
    for i in range(50):
        with pytest.raises(psycopg.Error):
            conn.execute(f"select {i} / 0")
    assert conn.execute("select 'alive'").fetchone() == ("alive",)
