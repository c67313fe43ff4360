"""What the binder's rewrites must not change, and where PostgreSQL's planner decides which
rows an expression is evaluated on (so whether a query fails): correlated references moved
with their conjuncts (push-down below joins, GROUP BY, JOIN ... ON inside a FROM list),
join reordering over many tables, wide rows, and PostgreSQL's simplifications (strict
operators with NULL, AND/OR/NOT/CASE/COALESCE, a FALSE WHERE, HAVING without aggregates
moved to WHERE, lazy COALESCE). Found by sqllogictest (tests/slt); every expectation here is
PostgreSQL 15's answer."""
import time

from helpers import expect_error, text_rows


def setup_small(conn, suffix):
    t1, t2, t3 = (f"pl{suffix}_{n}" for n in ("t1", "t2", "t3"))
    conn.execute(f"""
        drop table if exists {t1}, {t2}, {t3};
        create table {t1} (a int, b int);
        create table {t2} (a int, b int);
        create table {t3} (x int, y int);
        insert into {t1} values (1, 1), (2, 2);
        insert into {t2} values (10, 1), (20, 0);
        insert into {t3} values (10, 5), (10, 6), (20, 7);
    """)
    return t1, t2, t3


def test_correlated_conjunct_pushed_below_a_join(conn):
    t1, t2, t3 = setup_small(conn, "a")
    assert text_rows(conn, f"select {t1}.a, {t2}.a from {t1}, {t2} where {t2}.b < "
                     f"(select count(*) from {t3} where {t3}.x = {t2}.a) order by 1, 2") == [
        ("1", "10"), ("1", "20"), ("2", "10"), ("2", "20")]
    assert text_rows(conn, f"select {t1}.a from {t1}, {t2} where exists (select 1 from {t3} "
                     f"where {t3}.y = {t2}.b + 4 and {t3}.x = {t2}.a) order by 1") == [("1",), ("2",)]


def test_correlated_subquery_over_grouped_columns(conn):
    t1, t2, t3 = setup_small(conn, "b")
    cur = conn.execute(f"select b, (select count(*) from {t3} where {t3}.x = {t2}.a) from {t2} "
                       f"group by b, a order by 1")
    assert [d.name for d in cur.description] == ["b", "count"]
    assert [tuple(map(str, r)) for r in cur.fetchall()] == [("0", "1"), ("1", "2")]
    assert text_rows(conn, f"select a, (select count(*) from {t3} where {t3}.x = {t1}.a * 10) "
                     f"from {t1} group by a order by 1") == [("1", "2"), ("2", "1")]
    expect_error(conn, f"select b, (select count(*) from {t3} where {t3}.x = {t2}.a) from {t2} "
                 f"group by b", "42803")


def test_join_on_after_other_from_items(conn):
    t1, t2, t3 = setup_small(conn, "c")
    assert text_rows(conn, f"select x, {t1}.a, {t2}.a from {t3}, {t1} join {t2} on "
                     f"{t1}.a = {t2}.b order by 1, 2, 3") == [
        ("10", "1", "10"), ("10", "1", "10"), ("20", "1", "10")]
    assert text_rows(conn, f"select y, {t1}.a, {t2}.a from {t3}, {t1} left join {t2} on "
                     f"{t1}.a = {t2}.b order by 1, 2") == [
        ("5", "1", "10"), ("5", "2", None), ("6", "1", "10"), ("6", "2", None),
        ("7", "1", "10"), ("7", "2", None)]


def test_many_table_join_in_a_bad_written_order_is_fast(conn):
    n = 24
    for i in range(1, n + 1):
        conn.execute(f"drop table if exists plj{i}")
        conn.execute(f"create table plj{i} (a{i} int primary key, b{i} int, x{i} text)")
        conn.execute(f"insert into plj{i} select g, (g * {i}) % 10 + 1, 't{i}r' || g "
                     f"from generate_series(1, 10) g")
    # a chain plj1 - plj2 - ... - pljN, written so that neighbours in FROM share nothing
    tables = [f"plj{i}" for i in range(1, n + 1, 2)] + [f"plj{i}" for i in range(2, n + 1, 2)]
    conds = [f"b{i} = a{i + 1}" for i in range(1, n)] + ["a1 = 3"]
    sql = (f"select count(*), min(x{n}) from {', '.join(tables)} where {' and '.join(conds)}")
    t0 = time.monotonic()
    got = text_rows(conn, sql)
    assert time.monotonic() - t0 < 20
    a = 3
    for i in range(1, n):
        a = (a * i) % 10 + 1
    assert got == [("1", f"t{n}r{a}")]


def test_wide_join_rows_fit_in_work_mem(conn):
    conn.execute("drop table if exists plw")
    conn.execute("create table plw (k int primary key, " +
                 ", ".join(f"c{i} text" for i in range(40)) + ")")
    conn.execute("insert into plw select g, " + ", ".join(f"'v{i}-' || g" for i in range(40)) +
                 " from generate_series(1, 3) g")
    froms = ", ".join(f"plw w{i}" for i in range(6))
    conds = " and ".join(f"w{i}.k = w{i + 1}.k" for i in range(5))
    assert text_rows(conn, f"select count(*), max(w5.c39) from {froms} where {conds}") == [
        ("3", "v39-3")]


def test_strict_operators_with_null_and_false_where(conn):
    t1, t2, t3 = setup_small(conn, "d")
    conn.execute(f"insert into {t2} values (30, 0)")
    # PostgreSQL folds these to NULL/FALSE before looking at a row: no division by zero
    for where in ["null between a / b and 1", "not a / b <= null",
                  "a / b * - cast(null as integer) is not null",
                  "not -a not between null and b * a / 0", "false and a / b = 1",
                  "a / b = 1 and false", "a / b = 1 and null"]:
        assert text_rows(conn, f"select a from {t2} where {where}") == [], where
    expect_error(conn, f"select a from {t2} where a / b = 1", "22012")
    expect_error(conn, f"select a from {t2} where a / b = 1 or null", "22012")
    assert text_rows(conn, f"explain (costs off) select a from {t2} where a / b = 1 and "
                     f"null") == [("Result",), ("  One-Time Filter: false",)]
    # an error while binding WHERE (folding -1 % 0) is an error, not a crash
    expect_error(conn, f"select a from {t2} where (a is not null or (-1 % 0) < -1) and b > 0",
                 "22012")
    assert text_rows(conn, "select 1") == [("1",)]
    assert text_rows(conn, f"select a / b * null from {t2} order by a") == [(None,)] * 3


def test_having_without_aggregates_is_a_where(conn):
    t1, t2, t3 = setup_small(conn, "e")
    conn.execute(f"insert into {t2} values (30, 0)")
    for having in ["null is not null", "null = a / b", "not null = null"]:
        assert text_rows(conn, f"select a from {t2} where a / b > 0 group by a, b "
                         f"having {having}") == [], having
    assert text_rows(conn, f"select count(*) from {t2} where a / b > 0 having false") == []
    assert text_rows(conn, f"select a from {t2} group by a, b having b > 0 and a / b > 1") == [
        ("10",)]


def test_not_case_and_coalesce(conn):
    t1, t2, t3 = setup_small(conn, "f")
    conn.execute(f"insert into {t2} values (30, 0)")
    assert text_rows(conn, f"select coalesce(a, a / b) from {t2} order by 1") == [
        ("10",), ("20",), ("30",)]
    assert text_rows(conn, f"select coalesce(null, 7, a / 0) from {t2} limit 1") == [("7",)]
    assert text_rows(conn, f"select case when null then a / 0 when b = 1 then 1 else 2 end "
                     f"from {t2} order by a") == [("1",), ("2",), ("2",)]
    assert text_rows(conn, f"select a from {t2} where not (a > 10 or b = 1) order by a") == []
    assert text_rows(conn, f"select a from {t2} where not (a in (10, 20)) order by a") == [
        ("30",)]
    assert text_rows(conn, f"select a from {t2} where not (b is null) and not not (a > 15) "
                     f"order by a") == [("20",), ("30",)]
    cur = conn.execute(f"select bool_and(a > 5), bool_or(a > 25) from {t2}")
    assert [d.type_code for d in cur.description] == [16, 16]
    assert cur.fetchall() == [(True, True)]
