"""SELECT of issue item 4, checked on PostgreSQL's exact text output: expressions and casts,
WHERE, ORDER BY (ASC/DESC, NULLS FIRST/LAST), LIMIT/OFFSET, DISTINCT, GROUP BY/HAVING with
count/sum/avg/min/max, inner and left joins, IN/EXISTS/scalar subqueries, CASE, LIKE,
IS [NOT] NULL, string, math and date functions, SET/SHOW and EXPLAIN."""
import pytest

from helpers import expect_error, text_rows

@pytest.fixture
def emp(conn):
    """A small fixed data set; each test reads it and never writes it."""
    conn.execute("""
        create table if not exists sel_dept (id int primary key, name text not null);
        create table if not exists sel_emp (
            id int primary key, name text not null, dept int, salary numeric(10,2),
            bonus int, hired date);
    """)
    if conn.execute("select count(*) from sel_emp").fetchone()[0] == 0:
        conn.execute("""
            insert into sel_dept values (1, 'eng'), (2, 'ops'), (3, 'empty');
            insert into sel_emp values
              (1, 'alice', 1, 120000.00, 10, '2019-03-01'),
              (2, 'bob',   1,  95000.50, null, '2020-07-15'),
              (3, 'carol', 2,  70000.00, 5, '2018-01-31'),
              (4, 'dave',  2,  70000.00, null, '2021-11-30'),
              (5, 'erin',  null, 50000.25, 1, '2022-02-28'),
              (6, 'Frank', 1, null, 3, '2019-03-01');
        """)
    return conn


def test_select_without_from_and_column_names(conn):
    cur = conn.execute("select 1, 1 + 2 as three, 'a' || 'b', upper('x') as u, 2 * 3 \"Mixed\"")
    assert [d.name for d in cur.description] == ["?column?", "three", "?column?", "u", "Mixed"]
    assert text_rows(conn, "select 1, 1 + 2, 'a' || 'b', -(-3), 2 ^ 10, 7 / 2.0, 10 % 4") == [
        ("1", "3", "ab", "3", "1024", "3.5000000000000000", "2")]


def test_casts_both_syntaxes(conn):
    assert text_rows(conn, "select cast('42' as int) + 1, '3.5'::numeric * 2, "
                     "cast(1.99 as int), 10::text || '!', cast('t' as boolean), "
                     "int '7', date '2024-01-01'") == [
        ("43", "7.0", "2", "10!", "t", "7", "2024-01-01")]


def test_where_and_or_not_between_in(emp):
    assert text_rows(emp, "select name from sel_emp where dept = 1 and (bonus > 5 or bonus is "
                     "null) order by id") == [("alice",), ("bob",)]
    assert text_rows(emp, "select id from sel_emp where not (dept = 1) order by id") == [
        ("3",), ("4",)]  # NOT (NULL) filters erin out too
    assert text_rows(emp, "select id from sel_emp where id between 2 and 4 order by id") == [
        ("2",), ("3",), ("4",)]
    assert text_rows(emp, "select id from sel_emp where id not in (1, 2, 3) order by id") == [
        ("4",), ("5",), ("6",)]
    assert text_rows(emp, "select id from sel_emp where dept not in (1, null)") == []
    assert text_rows(emp, "select id from sel_emp where dept in (2, null) order by id") == [
        ("3",), ("4",)]


def test_is_null_and_three_valued_logic(emp):
    assert text_rows(emp, "select id from sel_emp where bonus is null order by id") == [
        ("2",), ("4",)]
    assert text_rows(emp, "select count(*) from sel_emp where bonus is not null") == [("4",)]
    assert text_rows(emp, "select null and false, null or true, null and true, "
                     "not null::bool, null = 1, null is null, 1 is distinct from null, "
                     "null::int is not distinct from null") == [
        ("f", "t", None, None, None, "t", "t", "t")]


def test_order_by_directions_and_nulls(emp):
    q = "select id from sel_emp order by bonus {}, id"
    assert [r[0] for r in text_rows(emp, q.format("asc"))] == ["5", "6", "3", "1", "2", "4"]
    assert [r[0] for r in text_rows(emp, q.format("desc"))] == ["2", "4", "1", "3", "6", "5"]
    assert [r[0] for r in text_rows(emp, q.format("asc nulls first"))] == [
        "2", "4", "5", "6", "3", "1"]
    assert [r[0] for r in text_rows(emp, q.format("desc nulls last"))] == [
        "1", "3", "6", "5", "2", "4"]
    # By position, by alias, by expression, several keys with mixed directions.
    got = text_rows(emp, "select name, dept as d from sel_emp order by d desc nulls last, name")
    assert got == [("carol", "2"), ("dave", "2"), ("Frank", "1"), ("alice", "1"), ("bob", "1"),
                   ("erin", None)]
    assert text_rows(emp, "select name from sel_emp order by length(name) desc, name "
                     "limit 3") == [("Frank",), ("alice",), ("carol",)]


def test_text_order_is_bytewise_in_c_collation(conn):
    # The suite's PostgreSQL runs with --locale=C; micedb compares text bytewise too.
    assert text_rows(conn, "select x from (values ('b'), ('B'), ('a'), ('_'), ('é'), ('A')) "
                     "v(x) order by x") == [("A",), ("B",), ("_",), ("a",), ("b",), ("é",)]


def test_limit_offset(emp):
    q = "select id from sel_emp order by id"
    assert text_rows(emp, q + " limit 2") == [("1",), ("2",)]
    assert text_rows(emp, q + " limit 2 offset 3") == [("4",), ("5",)]
    assert text_rows(emp, q + " offset 5") == [("6",)]
    assert text_rows(emp, q + " limit 0") == []
    assert text_rows(emp, q + " limit all offset 4") == [("5",), ("6",)]
    assert text_rows(emp, q + " offset 100") == []
    assert text_rows(emp, q + " fetch first 1 rows only") == [("1",)]
    expect_error(emp, q + " limit -1", "2201W")
    expect_error(emp, q + " offset -1", "2201X")


def test_distinct(emp):
    assert text_rows(emp, "select distinct dept from sel_emp order by dept") == [
        ("1",), ("2",), (None,)]
    assert text_rows(emp, "select distinct salary, dept from sel_emp where dept = 2") == [
        ("70000.00", "2")]
    assert text_rows(emp, "select count(distinct dept), count(dept), count(*) from sel_emp") == [
        ("2", "5", "6")]


def test_aggregates_output_types(emp):
    assert text_rows(emp, "select count(*), count(bonus), sum(bonus), avg(bonus), min(bonus), "
                     "max(bonus), sum(salary), avg(salary), min(name), max(hired) "
                     "from sel_emp") == [
        ("6", "4", "19", "4.7500000000000000", "1", "10", "405000.75",
         "81000.150000000000", "Frank", "2022-02-28")]
    # On no rows: count is 0, the others NULL.
    assert text_rows(emp, "select count(*), sum(bonus), avg(bonus), max(name) from sel_emp "
                     "where false") == [("0", None, None, None)]
    assert text_rows(emp, "select sum(x), avg(x) from (values (1::bigint), "
                     "(9223372036854775807)) v(x)") == [
        ("9223372036854775808", "4611686018427387904")]


def test_group_by_having(emp):
    assert text_rows(emp, "select dept, count(*), sum(bonus), max(salary) from sel_emp "
                     "group by dept order by dept nulls first") == [
        (None, "1", "1", "50000.25"), ("1", "3", "13", "120000.00"),
        ("2", "2", "5", "70000.00")]
    assert text_rows(emp, "select dept, count(*) as n from sel_emp group by dept "
                     "having count(*) > 1 order by n desc, dept") == [("1", "3"), ("2", "2")]
    assert text_rows(emp, "select extract(year from hired) as y, count(*) from sel_emp "
                     "group by 1 having min(id) > 1 order by y") == [
        ("2018", "1"), ("2020", "1"), ("2021", "1"), ("2022", "1")]
    expect_error(emp, "select dept, name from sel_emp group by dept", "42803")


def test_inner_and_left_joins(emp):
    assert text_rows(emp, "select e.name, d.name from sel_emp e join sel_dept d on d.id = "
                     "e.dept where e.id <= 3 order by e.id") == [
        ("alice", "eng"), ("bob", "eng"), ("carol", "ops")]
    assert text_rows(emp, "select d.name, count(e.id) from sel_dept d left join sel_emp e on "
                     "e.dept = d.id group by d.name order by d.name") == [
        ("empty", "0"), ("eng", "3"), ("ops", "2")]
    assert text_rows(emp, "select e.name, d.name from sel_emp e left join sel_dept d on "
                     "d.id = e.dept where d.id is null") == [("erin", None)]
    assert text_rows(emp, "select count(*) from sel_emp e inner join sel_dept d using (id)") == [
        ("3",)]
    assert text_rows(emp, "select count(*) from sel_emp, sel_dept") == [("18",)]
    assert text_rows(emp, "select a.name, b.name from sel_emp a join sel_emp b on a.salary = "
                     "b.salary and a.id < b.id") == [("carol", "dave")]
    expect_error(emp, "select id from sel_emp join sel_dept on true", "42702")


def test_subqueries_in_exists_scalar(emp):
    assert text_rows(emp, "select name from sel_dept where id in (select dept from sel_emp) "
                     "order by 1") == [("eng",), ("ops",)]
    assert text_rows(emp, "select name from sel_dept d where not exists (select 1 from sel_emp "
                     "e where e.dept = d.id)") == [("empty",)]
    assert text_rows(emp, "select name, (select count(*) from sel_emp e where e.dept = d.id) "
                     "from sel_dept d order by id") == [("eng", "3"), ("ops", "2"),
                                                         ("empty", "0")]
    assert text_rows(emp, "select (select name from sel_emp where id = 99)") == [(None,)]
    assert text_rows(emp, "select name from sel_emp where salary > (select avg(salary) from "
                     "sel_emp) order by 1") == [("alice",), ("bob",)]
    assert text_rows(emp, "select count(*) from (select dept from sel_emp group by dept) s") == [
        ("3",)]
    e = expect_error(emp, "select (select id from sel_emp)", "21000")
    assert e.diag.message_primary == ("more than one row returned by a subquery used as an "
                                      "expression")


def test_case(emp):
    assert text_rows(emp, "select id, case when bonus is null then 'none' when bonus >= 5 "
                     "then 'big' else 'small' end, case dept when 1 then 'eng' else 'other' end "
                     "from sel_emp order by id") == [
        ("1", "big", "eng"), ("2", "none", "eng"), ("3", "big", "other"),
        ("4", "none", "other"), ("5", "small", "other"), ("6", "small", "eng")]
    assert text_rows(emp, "select case when false then 1 end, coalesce(null, null, 3), "
                     "nullif(1, 1), nullif(1, 2), greatest(1, 5, 3), least('b', 'a')") == [
        (None, "3", None, "1", "5", "a")]


def test_like(emp):
    assert text_rows(emp, "select name from sel_emp where name like '%a%' order by 1") == [
        ("Frank",), ("alice",), ("carol",), ("dave",)]
    assert text_rows(emp, "select name from sel_emp where name like '_o%'") == [("bob",)]
    assert text_rows(emp, "select name from sel_emp where name not like '%e' order by 1") == [
        ("Frank",), ("bob",), ("carol",), ("erin",)]
    assert text_rows(emp, "select name from sel_emp where name ilike 'f%'") == [("Frank",)]
    assert text_rows(emp, "select 'a%b' like 'a\\%b', 'axb' like 'a\\%b', "
                     "'a_b' like 'a!_b' escape '!', 'ABC' like 'abc', null like 'a'") == [
        ("t", "f", "t", "f", None)]


STRING_FUNCS = [
    ("length('héllo')", "5"), ("octet_length('héllo')", "6"), ("char_length('abc')", "3"),
    ("upper('abc é')", "ABC é"), ("lower('ABC')", "abc"),
    ("substring('hello world' from 7)", "world"), ("substring('hello', 2, 3)", "ell"),
    ("substr('hello', 2)", "ello"), ("trim('  x  ')", "x"), ("ltrim('xxaxx', 'x')", "axx"),
    ("rtrim('abc  ')", "abc"), ("btrim('--a--', '-')", "a"),
    ("replace('abcabc', 'b', 'XY')", "aXYcaXYc"), ("position('lo' in 'hello')", "4"),
    ("strpos('hello', 'z')", "0"), ("left('hello', 2)", "he"), ("right('hello', 3)", "llo"),
    ("lpad('7', 3, '0')", "007"), ("rpad('ab', 4, '.')", "ab.."), ("repeat('ab', 3)", "ababab"),
    ("reverse('abc')", "cba"), ("concat('a', null, 1, true)", "a1t"),
    ("concat_ws('-', 'a', null, 'b')", "a-b"), ("'a' || null", None), ("'n' || 1", "n1"),
    ("initcap('hello wORLD')", "Hello World"), ("split_part('a,b,c', ',', 2)", "b"),
    ("md5('abc')", "900150983cd24fb0d6963f7d28e17f72"), ("starts_with('hello', 'he')", "t"),
    ("to_hex(255)", "ff"), ("ascii('A')", "65"), ("chr(66)", "B"),
]

MATH_FUNCS = [
    ("abs(-5)", "5"), ("abs(-2.50)", "2.50"), ("round(2.5)", "3"), ("round(-2.5)", "-3"),
    ("round(2.5::float8)", "2"), ("round(3.14159, 2)", "3.14"), ("ceil(1.2)", "2"),
    ("ceiling(-1.2)", "-1"), ("floor(-1.2)", "-2"), ("trunc(-1.7)", "-1"),
    ("mod(17, 5)", "2"), ("mod(-17, 5)", "-2"), ("power(2, 10)", "1024"),
    ("power(2.0, 3)", "8.0000000000000000"), ("sqrt(16)", "4"), ("sqrt(2::numeric)",
                                                                 "1.414213562373095"),
    ("sign(-3)", "-1"), ("exp(0)", "1"), ("ln(1)", "0"), ("log(100)", "2"), ("pi()",
                                                                            "3.141592653589793"),
    ("5 / 2", "2"), ("5.0 / 2", "2.5000000000000000"), ("5 / 2::float8", "2.5"),
    ("2 ^ 0.5", "1.4142135623730950"), ("|/ 25", "5"), ("div(7, 2)", "3"),
    ("round(1234.5678, -2)", "1200"), ("1e3::int", "1000"), ("(-7)::int2 % 3", "-1"),
]

DATE_FUNCS = [
    ("date_trunc('month', timestamp '2024-05-17 13:14:15')", "2024-05-01 00:00:00"),
    ("date_trunc('hour', timestamp '2024-05-17 13:14:15')", "2024-05-17 13:00:00"),
    ("extract(year from date '2024-05-17')", "2024"),
    ("extract(dow from date '2024-05-17')", "5"),
    ("extract(epoch from timestamp '1970-01-02 00:00:00')", "86400.000000"),
    ("date_part('day', date '2024-05-17')", "17"),
    ("date_part('month', timestamp '2024-05-17 01:02:03')", "5"),
    ("date '2024-02-28' + 2", "2024-03-01"), ("date '2024-03-01' - date '2023-03-01'", "366"),
    ("date '2024-01-31' + interval '1 month'", "2024-02-29 00:00:00"),
    ("timestamp '2024-01-01 23:00' + interval '2 hours'", "2024-01-02 01:00:00"),
    ("timestamp '2024-01-02' - timestamp '2024-01-01 12:00'", "12:00:00"),
    ("to_char(date '2024-05-07', 'YYYY/MM/DD')", "2024/05/07"),
    ("to_char(timestamp '2024-05-07 13:04:05', 'HH24:MI:SS')", "13:04:05"),
    ("make_date(2024, 2, 29)", "2024-02-29"),
    ("date '2024-05-17' < date '2024-06-01'", "t"),
    ("timestamptz '2024-05-17 10:00+00' = timestamptz '2024-05-17 12:00+02'", "t"),
    ("age(timestamp '2024-05-17', timestamp '2020-02-29')", "4 years 2 mons 17 days"),
]


@pytest.mark.parametrize("expr,want", STRING_FUNCS + MATH_FUNCS + DATE_FUNCS,
                         ids=[e for e, _ in STRING_FUNCS + MATH_FUNCS + DATE_FUNCS])
def test_functions_text_output(conn, expr, want):
    conn.execute("set timezone = 'UTC'")
    assert text_rows(conn, f"select {expr}") == [(want,)]


def test_functions_on_columns_and_null_propagation(emp):
    assert text_rows(emp, "select upper(name), length(name), round(salary / 1000, 1), "
                     "abs(coalesce(bonus, -1)) from sel_emp where id in (2, 6) order by id") == [
        ("BOB", "3", "95.0", "1"), ("FRANK", "5", None, "3")]
    assert text_rows(emp, "select upper(null), length(null::text), abs(null::int), "
                     "round(null::numeric, 1), extract(year from null::date)") == [
        (None,) * 5]


def test_set_and_show(conn):
    assert len(text_rows(conn, "show timezone")) == 1
    conn.execute("set timezone to 'UTC'")
    assert text_rows(conn, "show timezone") == [("UTC",)]
    conn.execute("set datestyle = 'ISO, MDY'")
    assert text_rows(conn, "show datestyle") == [("ISO, MDY",)]
    assert text_rows(conn, "show transaction_isolation") == [("read committed",)]
    assert text_rows(conn, "show default_transaction_isolation") == [("read committed",)]
    conn.execute("set default_transaction_isolation = 'repeatable read'")
    assert text_rows(conn, "show default_transaction_isolation") == [("repeatable read",)]
    conn.execute("begin")
    assert text_rows(conn, "show transaction_isolation") == [("repeatable read",)]
    conn.execute("rollback")
    conn.execute("reset default_transaction_isolation")
    assert text_rows(conn, "show default_transaction_isolation") == [("read committed",)]
    conn.execute("set application_name = 'e2e'")
    assert conn.execute("show application_name").fetchone() == ("e2e",)
    assert conn.pgconn.parameter_status(b"application_name") == b"e2e"
    assert text_rows(conn, "select current_setting('application_name')") == [("e2e",)]
    assert text_rows(conn, "show server_encoding") == [("UTF8",)]
    assert text_rows(conn, "show standard_conforming_strings") == [("on",)]
    e = expect_error(conn, "show no_such_setting_xyz", "42704")
    assert e.diag.message_primary == 'unrecognized configuration parameter "no_such_setting_xyz"'
    expect_error(conn, "set no_such_setting_xyz = 1", "42704")


def test_set_local_lasts_for_the_transaction(conn):
    conn.execute("set timezone = 'UTC'")
    conn.execute("begin")
    conn.execute("set local timezone = 'Asia/Tokyo'")
    assert text_rows(conn, "show timezone") == [("Asia/Tokyo",)]
    assert text_rows(conn, "select timestamptz '2024-01-01 00:00+00'") == [
        ("2024-01-01 09:00:00+09",)]
    conn.execute("commit")
    assert text_rows(conn, "show timezone") == [("UTC",)]


def test_explain(emp):
    cur = emp.execute("explain select * from sel_emp where id = 1")
    assert [d.name for d in cur.description] == ["QUERY PLAN"]
    lines = [r[0] for r in cur.fetchall()]
    assert lines and all(isinstance(x, str) and x for x in lines)
    assert "sel_emp" in "\n".join(lines)
    # (A left join to a unique key whose columns are unused is removed by PostgreSQL's
    # planner, so this query reads d.name.)
    cur = emp.execute("explain select e.name, d.name from sel_emp e left join sel_dept d on "
                      "d.id = e.dept order by 1")
    assert "sel_dept" in "\n".join(r[0] for r in cur.fetchall())
    expect_error(emp, "explain select * from sel_nosuch", "42P01")


def test_union_and_values(conn):
    assert text_rows(conn, "select 1 union select 1 union all select 2 order by 1") == [
        ("1",), ("2",)]
    assert text_rows(conn, "values (1, 'a'), (2, 'b') order by 1 desc") == [("2", "b"),
                                                                            ("1", "a")]
