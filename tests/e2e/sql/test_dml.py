"""DML of issue item 4: INSERT (multi-row, INSERT ... SELECT, ON CONFLICT DO NOTHING /
DO UPDATE with excluded, RETURNING), UPDATE and DELETE with WHERE and RETURNING, with the
command tags and row counts clients read (sysbench reads INSERT 0 n via PQcmdTuples)."""
from helpers import expect_error, rows


def make(conn, name):
    conn.execute(f"create table {name} (id int primary key, name text not null, qty int default 0)")


def test_insert_multi_row_tag_and_rowcount(conn):
    make(conn, "dml_multi")
    cur = conn.execute("insert into dml_multi values (1, 'a', 10), (2, 'b', 20), (3, 'c', 30)")
    assert cur.statusmessage == "INSERT 0 3" and cur.rowcount == 3
    cur = conn.execute("insert into dml_multi (name, id) values ('d', 4)")
    assert cur.statusmessage == "INSERT 0 1"
    assert rows(conn, "select * from dml_multi order by id") == [
        (1, "a", 10), (2, "b", 20), (3, "c", 30), (4, "d", 0)]


def test_insert_default_values(conn):
    conn.execute("create table dml_defv (id serial primary key, v text default 'x', n int)")
    assert rows(conn, "insert into dml_defv default values returning *") == [(1, "x", None)]
    assert rows(conn, "insert into dml_defv default values returning id") == [(2,)]
    conn.execute("create table dml_defv_pk (id int primary key, v text)")
    e = expect_error(conn, "insert into dml_defv_pk default values", "23502")
    assert e.diag.message_primary == (
        'null value in column "id" of relation "dml_defv_pk" violates not-null constraint')


def test_insert_is_atomic_per_statement(conn):
    make(conn, "dml_atomic")
    conn.execute("insert into dml_atomic values (1, 'a')")
    expect_error(conn, "insert into dml_atomic values (2, 'b'), (1, 'dup'), (3, 'c')", "23505")
    assert rows(conn, "select id from dml_atomic") == [(1,)]


def test_insert_select(conn):
    make(conn, "dml_src")
    make(conn, "dml_dst")
    conn.execute("insert into dml_src values (1, 'a', 5), (2, 'b', 6), (3, 'c', 7)")
    cur = conn.execute("insert into dml_dst (id, name, qty) "
                       "select id + 100, upper(name), qty * 2 from dml_src where qty > 5")
    assert cur.statusmessage == "INSERT 0 2"
    assert rows(conn, "select * from dml_dst order by id") == [(102, "B", 12), (103, "C", 14)]
    cur = conn.execute("insert into dml_dst select * from dml_src where false")
    assert cur.statusmessage == "INSERT 0 0"


def test_insert_returning(conn):
    conn.execute("create table dml_ret (id serial primary key, name text, qty int default 3)")
    cur = conn.execute("insert into dml_ret (name) values ('x'), ('y') returning id, name, qty")
    assert cur.fetchall() == [(1, "x", 3), (2, "y", 3)]
    assert cur.statusmessage == "INSERT 0 2"
    cur = conn.execute("insert into dml_ret (name) values ('z') returning *, id * 10 as tenfold")
    assert [d.name for d in cur.description] == ["id", "name", "qty", "tenfold"]
    assert cur.fetchall() == [(3, "z", 3, 30)]


def test_on_conflict_do_nothing(conn):
    make(conn, "dml_ocn")
    conn.execute("insert into dml_ocn values (1, 'a')")
    cur = conn.execute("insert into dml_ocn values (1, 'again'), (2, 'b') on conflict do nothing")
    assert cur.statusmessage == "INSERT 0 1"
    cur = conn.execute("insert into dml_ocn values (2, 'c') on conflict (id) do nothing "
                       "returning id")
    assert cur.fetchall() == [] and cur.statusmessage == "INSERT 0 0"
    assert rows(conn, "select id, name from dml_ocn order by id") == [(1, "a"), (2, "b")]


def test_on_conflict_do_update_with_excluded(conn):
    make(conn, "dml_ocu")
    conn.execute("insert into dml_ocu values (1, 'a', 1), (2, 'b', 2)")
    cur = conn.execute(
        "insert into dml_ocu values (1, 'A', 10), (3, 'C', 30) on conflict (id) do update "
        "set qty = dml_ocu.qty + excluded.qty, name = excluded.name returning id, name, qty")
    assert sorted(cur.fetchall()) == [(1, "A", 11), (3, "C", 30)]
    assert cur.statusmessage == "INSERT 0 2"
    cur = conn.execute("insert into dml_ocu values (2, 'B', 5) on conflict (id) do update "
                       "set qty = excluded.qty where dml_ocu.qty > 100")
    assert cur.statusmessage == "INSERT 0 0"
    assert rows(conn, "select * from dml_ocu order by id") == [
        (1, "A", 11), (2, "b", 2), (3, "C", 30)]


def test_on_conflict_same_row_twice_is_21000(conn):
    make(conn, "dml_oc2")
    expect_error(conn, "insert into dml_oc2 values (1, 'a'), (1, 'b') "
                       "on conflict (id) do update set name = excluded.name", "21000")


def test_on_conflict_needs_a_matching_constraint_42p10(conn):
    make(conn, "dml_oc3")
    expect_error(conn, "insert into dml_oc3 values (1, 'a') on conflict (name) do nothing",
                 "42P10")


def test_update_where_returning(conn):
    make(conn, "dml_upd")
    conn.execute("insert into dml_upd values (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)")
    cur = conn.execute("update dml_upd set qty = qty * 10, name = name || '!' where id >= 2 "
                       "returning id, name, qty")
    assert sorted(cur.fetchall()) == [(2, "b!", 20), (3, "c!", 30)]
    assert cur.statusmessage == "UPDATE 2"
    cur = conn.execute("update dml_upd set qty = 0 where id = 99")
    assert cur.statusmessage == "UPDATE 0" and cur.rowcount == 0
    cur = conn.execute("update dml_upd set qty = qty + 1")
    assert cur.statusmessage == "UPDATE 3"
    assert rows(conn, "select * from dml_upd order by id") == [
        (1, "a", 2), (2, "b!", 21), (3, "c!", 31)]


def test_update_primary_key_and_swap(conn):
    make(conn, "dml_updpk")
    conn.execute("insert into dml_updpk values (1, 'a'), (2, 'b')")
    conn.execute("update dml_updpk set id = id + 10")
    assert rows(conn, "select id, name from dml_updpk order by id") == [(11, "a"), (12, "b")]
    expect_error(conn, "update dml_updpk set id = 11 where id = 12", "23505")


def test_update_uses_old_values_on_the_right(conn):
    conn.execute("create table dml_swap (id int primary key, a int, b int)")
    conn.execute("insert into dml_swap values (1, 1, 2)")
    conn.execute("update dml_swap set a = b, b = a")
    assert rows(conn, "select a, b from dml_swap") == [(2, 1)]


def test_update_from_subquery(conn):
    make(conn, "dml_us1")
    make(conn, "dml_us2")
    conn.execute("insert into dml_us1 values (1, 'a', 0), (2, 'b', 0)")
    conn.execute("insert into dml_us2 values (1, 'x', 5), (2, 'y', 7)")
    conn.execute("update dml_us1 set qty = (select qty from dml_us2 where dml_us2.id = dml_us1.id)"
                 " where id in (select id from dml_us2 where qty > 6)")
    assert rows(conn, "select id, qty from dml_us1 order by id") == [(1, 0), (2, 7)]


def test_delete_where_returning(conn):
    make(conn, "dml_del")
    conn.execute("insert into dml_del values (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')")
    cur = conn.execute("delete from dml_del where id % 2 = 0 returning id, name")
    assert sorted(cur.fetchall()) == [(2, "b"), (4, "d")]
    assert cur.statusmessage == "DELETE 2"
    cur = conn.execute("delete from dml_del where name = 'zzz'")
    assert cur.statusmessage == "DELETE 0"
    cur = conn.execute("delete from dml_del")
    assert cur.statusmessage == "DELETE 2"
    assert rows(conn, "select count(*) from dml_del") == [(0,)]


def test_parameters_in_dml(conn):
    make(conn, "dml_params")
    with conn.cursor() as cur:
        cur.executemany("insert into dml_params (id, name, qty) values (%s, %s, %s)",
                        [(i, f"n{i}", i * i) for i in range(1, 21)])
        cur.execute("update dml_params set qty = %s where id between %s and %s", (0, 5, 9))
        assert cur.rowcount == 5
        cur.execute("delete from dml_params where name in (%s, %s, %s)", ("n1", "n2", "n99"))
        assert cur.rowcount == 2
        cur.execute("select sum(qty), count(*) from dml_params")
        assert cur.fetchone() == (sum(i * i for i in range(1, 21) if not 5 <= i <= 9) - 5, 18)


def test_dml_errors_leave_table_unchanged(conn):
    make(conn, "dml_err")
    conn.execute("insert into dml_err values (1, 'a', 1), (2, 'b', 2)")
    expect_error(conn, "update dml_err set qty = qty / (qty - 2)", "22012")
    expect_error(conn, "insert into dml_err (id) values (3)", "23502")
    expect_error(conn, "insert into dml_err values (3, 'c', 'many')", "22P02")
    expect_error(conn, "insert into dml_err (id, nosuch) values (3, 1)", "42703")
    expect_error(conn, "insert into dml_err values (3, 'c', 1, 'extra')", "42601")
    assert rows(conn, "select * from dml_err order by id") == [(1, "a", 1), (2, "b", 2)]


def _values(ids_names):
    return ", ".join(f"({i}, {'null' if u is None else u}, {'null' if n is None else repr(n)})"
                     for i, u, n in ids_names)


def test_insert_many_rows_reports_the_first_failing_row(conn):
    """Rows are written in batches (hundreds per request): the error must still be the
    one of the first failing row, with that row's key, whatever fails later."""
    conn.execute("create table dml_bat (id int primary key, u int unique, name text not null)")
    conn.execute("insert into dml_bat values (1, 1, 'a'), (2, 2, 'b'), (3, 3, 'c')")
    rows_ok = [(i, 1000 + i, "n") for i in range(10, 610)]
    cur = conn.execute("insert into dml_bat values " + _values(rows_ok))
    assert cur.statusmessage == "INSERT 0 600"
    # a duplicate primary key at row 400 of 600, a NULL name later: 23505 on row 400
    bad = [(i, 5000 + i, "n") for i in range(1000, 1600)]
    bad[399] = (3, 9999, "n")
    bad[450] = (2000, 9998, None)
    e = expect_error(conn, "insert into dml_bat values " + _values(bad), "23505")
    assert e.diag.message_primary == 'duplicate key value violates unique constraint "dml_bat_pkey"'
    assert e.diag.message_detail == "Key (id)=(3) already exists."
    # a unique column repeated inside the statement (row 300 repeats row 2), a duplicate
    # primary key after it: the unique index of row 300 is reported
    bad = [(i, 7000 + i, "n") for i in range(3000, 3600)]
    bad[299] = (3299, 10001, "n")
    bad[500] = (1, 9997, "n")
    e = expect_error(conn, "insert into dml_bat values " + _values(bad), "23505")
    assert e.diag.message_primary == 'duplicate key value violates unique constraint "dml_bat_u_key"'
    assert e.diag.message_detail == "Key (u)=(10001) already exists."
    # a NULL name at row 100, a duplicate at row 200: 23502 on row 100
    bad = [(i, 8000 + i, "n") for i in range(4000, 4300)]
    bad[99] = (4099, 8099, None)
    bad[199] = (1, 9996, "n")
    e = expect_error(conn, "insert into dml_bat values " + _values(bad), "23502")
    assert e.diag.message_detail == "Failing row contains (4099, 8099, null)."
    # a duplicate at row 280 (a later batch) of a key inserted at row 5 of the statement
    bad = [(i, None, "n") for i in range(5000, 5300)]
    bad[279] = (5004, None, "n")
    e = expect_error(conn, "insert into dml_bat values " + _values(bad), "23505")
    assert e.diag.message_detail == "Key (id)=(5004) already exists."
    # NULLs in a unique column never conflict
    cur = conn.execute("insert into dml_bat values " +
                       _values([(i, None, "z") for i in range(6000, 6300)]))
    assert cur.statusmessage == "INSERT 0 300"
    assert rows(conn, "select count(*), count(u), min(id), max(id) from dml_bat") == [
        (903, 603, 1, 6299)]
