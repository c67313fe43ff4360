"""DDL of issue item 4: CREATE/DROP TABLE [IF [NOT] EXISTS], constraints (composite
PRIMARY KEY, NOT NULL, DEFAULT, UNIQUE, CHECK), hidden row ids for tables without a key,
CREATE [UNIQUE] INDEX (btree, USING hash), DROP INDEX, indexes used by the planner, and
TRUNCATE; with PostgreSQL's command tags, notices and SQLSTATEs."""
import psycopg
import pytest

from helpers import expect_error, rows


def notices_of(conn):
    got = []
    conn.add_notice_handler(lambda d: got.append((d.severity, d.sqlstate, d.message_primary)))
    return got


def test_create_and_drop_table_tags(conn):
    cur = conn.execute("create table ddl_basic (a int)")
    assert cur.statusmessage == "CREATE TABLE"
    cur = conn.execute("drop table ddl_basic")
    assert cur.statusmessage == "DROP TABLE"
    expect_error(conn, "select * from ddl_basic", "42P01")


def test_create_twice_is_42p07_and_if_not_exists_is_a_notice(conn):
    notes = notices_of(conn)
    conn.execute("create table ddl_twice (a int)")
    e = expect_error(conn, "create table ddl_twice (b int)", "42P07")
    assert e.diag.message_primary == 'relation "ddl_twice" already exists'
    cur = conn.execute("create table if not exists ddl_twice (b int)")
    assert cur.statusmessage == "CREATE TABLE"
    assert notes == [("NOTICE", "42P07", 'relation "ddl_twice" already exists, skipping')]
    # The existing table was kept as it was.
    assert [d.name for d in conn.execute("select * from ddl_twice").description] == ["a"]


def test_drop_missing_is_42p01_and_if_exists_is_a_notice(conn):
    notes = notices_of(conn)
    e = expect_error(conn, "drop table ddl_never", "42P01")
    assert e.diag.message_primary == 'table "ddl_never" does not exist'
    cur = conn.execute("drop table if exists ddl_never")
    assert cur.statusmessage == "DROP TABLE"
    assert notes == [("NOTICE", "00000", 'table "ddl_never" does not exist, skipping')]


def test_drop_if_exists_sends_a_notice_per_missing_name(conn):
    notes = notices_of(conn)
    conn.execute("create table ddl_there (a int)")
    cur = conn.execute("drop table if exists ddl_gone1, ddl_there, ddl_gone2")
    assert cur.statusmessage == "DROP TABLE"
    assert notes == [("NOTICE", "00000", 'table "ddl_gone1" does not exist, skipping'),
                     ("NOTICE", "00000", 'table "ddl_gone2" does not exist, skipping')]
    expect_error(conn, "select * from ddl_there", "42P01")


def test_drop_several_tables_at_once(conn):
    conn.execute("create table ddl_m1 (a int); create table ddl_m2 (a int)")
    conn.execute("drop table ddl_m1, ddl_m2")
    expect_error(conn, "select * from ddl_m2", "42P01")


def test_composite_primary_key(conn):
    conn.execute("create table ddl_cpk (a int, b text, v int, primary key (a, b))")
    conn.execute("insert into ddl_cpk values (1, 'x', 1), (1, 'y', 2), (2, 'x', 3)")
    e = expect_error(conn, "insert into ddl_cpk values (1, 'y', 9)", "23505")
    assert e.diag.message_primary == ('duplicate key value violates unique constraint '
                                      '"ddl_cpk_pkey"')
    assert e.diag.message_detail == "Key (a, b)=(1, y) already exists."
    assert e.diag.constraint_name == "ddl_cpk_pkey"
    # Primary key columns are NOT NULL.
    expect_error(conn, "insert into ddl_cpk values (null, 'z', 1)", "23502")
    assert rows(conn, "select a, b, v from ddl_cpk order by a, b") == [
        (1, "x", 1), (1, "y", 2), (2, "x", 3)]


def test_two_primary_keys_is_42p16(conn):
    expect_error(conn, "create table ddl_twopk (a int primary key, b int primary key)", "42P16")


def test_not_null_and_default(conn):
    conn.execute("create table ddl_nn (id int primary key, n int not null default 7, "
                 "t text default 'dflt', d date default '2024-01-01', z int)")
    conn.execute("insert into ddl_nn (id) values (1)")
    conn.execute("insert into ddl_nn values (2, default, default, default, default)")
    conn.execute("insert into ddl_nn (id, t) values (3, null)")
    assert rows(conn, "select id, n, t, d::text, z from ddl_nn order by id") == [
        (1, 7, "dflt", "2024-01-01", None), (2, 7, "dflt", "2024-01-01", None),
        (3, 7, None, "2024-01-01", None)]
    e = expect_error(conn, "insert into ddl_nn (id, n) values (4, null)", "23502")
    assert e.diag.message_primary == ('null value in column "n" of relation "ddl_nn" '
                                      'violates not-null constraint')
    assert e.diag.column_name == "n" and e.diag.table_name == "ddl_nn"
    expect_error(conn, "update ddl_nn set n = null where id = 1", "23502")


def test_unique_constraint_allows_many_nulls(conn):
    conn.execute("create table ddl_uq (id int primary key, email text unique)")
    conn.execute("insert into ddl_uq values (1, 'a@x'), (2, null), (3, null)")
    e = expect_error(conn, "insert into ddl_uq values (4, 'a@x')", "23505")
    assert e.diag.constraint_name == "ddl_uq_email_key"
    expect_error(conn, "update ddl_uq set email = 'a@x' where id = 2", "23505")
    assert rows(conn, "select count(*) from ddl_uq") == [(3,)]


def test_check_constraints(conn):
    conn.execute("create table ddl_ck (id int primary key, qty int check (qty >= 0), "
                 "lo int, hi int, constraint lo_le_hi check (lo <= hi))")
    conn.execute("insert into ddl_ck values (1, 0, 1, 2), (2, null, null, 5)")  # null passes
    e = expect_error(conn, "insert into ddl_ck values (3, -1, 1, 2)", "23514")
    assert e.diag.message_primary == ('new row for relation "ddl_ck" violates check '
                                      'constraint "ddl_ck_qty_check"')
    e = expect_error(conn, "update ddl_ck set lo = 10 where id = 1", "23514")
    assert e.diag.constraint_name == "lo_le_hi"
    assert rows(conn, "select id, qty, lo, hi from ddl_ck order by id") == [
        (1, 0, 1, 2), (2, None, None, 5)]


def test_table_without_primary_key_keeps_duplicate_rows(conn):
    conn.execute("create table ddl_nopk (a int, b text)")
    conn.execute("insert into ddl_nopk values (1, 'x'), (1, 'x'), (1, 'x'), (null, null)")
    assert rows(conn, "select a, b, count(*) from ddl_nopk group by a, b order by a") == [
        (1, "x", 3), (None, None, 1)]
    cur = conn.execute("delete from ddl_nopk where a = 1 and b = 'x'")
    assert cur.rowcount == 3
    # The hidden row id is not a visible column.
    assert [d.name for d in conn.execute("select * from ddl_nopk").description] == ["a", "b"]


def test_create_index_and_unique_index(conn):
    conn.execute("create table ddl_ix (id int primary key, k int, s text)")
    conn.execute("insert into ddl_ix select g, g % 10, 's' || g from generate_series(1, 200) g")
    assert conn.execute("create index ddl_ix_k on ddl_ix (k)").statusmessage == "CREATE INDEX"
    conn.execute("create index ddl_ix_ks on ddl_ix using btree (k, s desc)")
    conn.execute("create index ddl_ix_h on ddl_ix using hash (s)")
    conn.execute("create unique index ddl_ix_s on ddl_ix (s)")
    expect_error(conn, "create index ddl_ix_k on ddl_ix (s)", "42P07")
    conn.execute("create index if not exists ddl_ix_k on ddl_ix (s)")
    e = expect_error(conn, "insert into ddl_ix values (1000, 1, 's5')", "23505")
    assert e.diag.constraint_name == "ddl_ix_s"
    assert rows(conn, "select count(*) from ddl_ix where k = 3") == [(20,)]
    assert rows(conn, "select id from ddl_ix where s = 's77'") == [(77,)]
    assert conn.execute("drop index ddl_ix_s").statusmessage == "DROP INDEX"
    conn.execute("insert into ddl_ix values (1000, 1, 's5')")  # no longer unique
    expect_error(conn, "drop index ddl_ix_s", "42704")
    conn.execute("drop index if exists ddl_ix_s")


def test_unique_index_on_duplicates_fails_23505(conn):
    conn.execute("create table ddl_uix (a int)")
    conn.execute("insert into ddl_uix values (1), (1)")
    expect_error(conn, "create unique index ddl_uix_a on ddl_uix (a)", "23505")


def test_planner_uses_the_index(conn):
    conn.execute("create table ddl_plan (id int primary key, k int, pad text)")
    conn.execute("insert into ddl_plan select g, g, repeat('x', 50) "
                 "from generate_series(1, 5000) g")
    conn.execute("create index ddl_plan_k on ddl_plan (k)")
    conn.execute("analyze ddl_plan")
    plan = "\n".join(r[0] for r in conn.execute("explain select * from ddl_plan where k = 42"))
    assert "ddl_plan_k" in plan, plan
    plan = "\n".join(r[0] for r in conn.execute("explain select * from ddl_plan where id = 42"))
    assert "ddl_plan_pkey" in plan, plan
    # No index on pad: the plan must not pretend to use ddl_plan_k (a full scan may still
    # name the primary index in a server that stores rows in it).
    plan = "\n".join(r[0] for r in conn.execute("explain select * from ddl_plan where pad = 'y'"))
    assert "ddl_plan_k" not in plan, plan


def test_drop_table_drops_its_indexes(conn):
    conn.execute("create table ddl_dti (a int)")
    conn.execute("create index ddl_dti_a on ddl_dti (a)")
    conn.execute("drop table ddl_dti")
    expect_error(conn, "drop index ddl_dti_a", "42704")
    conn.execute("create table ddl_dti (a int)")
    conn.execute("create index ddl_dti_a on ddl_dti (a)")


def test_truncate(conn):
    conn.execute("create table ddl_tr (id serial primary key, v int)")
    conn.execute("insert into ddl_tr (v) values (1), (2), (3)")
    assert conn.execute("truncate ddl_tr").statusmessage == "TRUNCATE TABLE"
    assert rows(conn, "select count(*) from ddl_tr") == [(0,)]
    conn.execute("insert into ddl_tr (v) values (4)")
    # TRUNCATE does not restart the sequence by default.
    assert rows(conn, "select id, v from ddl_tr") == [(4, 4)]
    conn.execute("truncate table ddl_tr")
    expect_error(conn, "truncate ddl_tr_missing", "42P01")


def test_truncate_in_rolled_back_transaction(target):
    with target.connect(autocommit=False) as c:
        c.execute("create table ddl_trrb (a int)")
        c.execute("insert into ddl_trrb values (1), (2)")
        c.commit()
        c.execute("truncate ddl_trrb")
        assert c.execute("select count(*) from ddl_trrb").fetchone() == (0,)
        c.rollback()
        assert c.execute("select count(*) from ddl_trrb").fetchone() == (2,)
        c.rollback()


def test_bad_column_type_and_duplicate_column(conn):
    e = expect_error(conn, "create table ddl_badtype (a nosuchtype)", "42704")
    assert e.diag.message_primary == 'type "nosuchtype" does not exist'
    expect_error(conn, "create table ddl_dupcol (a int, a text)", "42701")
    expect_error(conn, "create table ddl_badpk (a int, primary key (b))", "42703")


def test_ddl_in_transaction_is_transactional(target):
    with target.connect(autocommit=False) as c:
        c.execute("create table ddl_txn (a int)")
        c.execute("insert into ddl_txn values (1)")
        c.rollback()
        with pytest.raises(psycopg.errors.UndefinedTable):
            c.execute("select * from ddl_txn")
        c.rollback()


def test_add_primary_key_over_many_rows(conn):
    """ALTER TABLE ADD PRIMARY KEY rewrites the rows in batches: a duplicate among 600
    rows (or a NULL) is still reported with its key, and a clean table gets its key."""
    conn.execute("create table ddl_apk (id int, v text, w int)")
    conn.execute("create index ddl_apk_w on ddl_apk (w)")
    conn.execute("insert into ddl_apk select g, 'v' || g, g % 7 from generate_series(1, 600) g")
    conn.execute("insert into ddl_apk values (450, 'dup', 1)")
    e = expect_error(conn, "alter table ddl_apk add primary key (id)", "23505")
    assert e.diag.message_primary == 'could not create unique index "ddl_apk_pkey"'
    assert e.diag.message_detail == "Key (id)=(450) is duplicated."
    conn.execute("delete from ddl_apk where v = 'dup'")
    conn.execute("insert into ddl_apk values (null, 'null', 2)")
    e = expect_error(conn, "alter table ddl_apk add primary key (id)", "23502")
    assert e.diag.message_primary == 'column "id" of relation "ddl_apk" contains null values'
    conn.execute("delete from ddl_apk where v = 'null'")
    conn.execute("alter table ddl_apk add primary key (id)")
    assert rows(conn, "select count(*), sum(id), sum(w) from ddl_apk") == [
        (600, 180300, sum(g % 7 for g in range(1, 601)))]
    assert rows(conn, "select id, v from ddl_apk where id in (1, 450, 600) order by id") == [
        (1, "v1"), (450, "v450"), (600, "v600")]
    assert rows(conn, "select count(*) from ddl_apk where w = 3") == [(86,)]
    expect_error(conn, "insert into ddl_apk values (600, 'again', 0)", "23505")
