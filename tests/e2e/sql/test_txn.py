"""Transactions of issue item 5 with several concurrent sessions: READ COMMITTED by default,
REPEATABLE READ as snapshot isolation, waits on row locks, 40001 for a concurrent update
under REPEATABLE READ, 25P02 after an error in a block, rollback discarding writes.
Blocking statements run in threads that are always joined with a timeout; a thread that
stays blocked has its query cancelled so the test fails instead of hanging."""
import threading
import time

import psycopg
import pytest

from helpers import rows

BLOCKED_S = 0.7  # how long a statement must stay blocked for us to call it "waiting"
JOIN_S = 15


class Background:
    """Run conn.execute(sql) in a thread; remember the result or the exception."""

    def __init__(self, conn, sql, params=None):
        self.conn, self.result, self.error = conn, None, None
        self.thread = threading.Thread(target=self._run, args=(sql, params), daemon=True)
        self.thread.start()

    def _run(self, sql, params):
        try:
            cur = self.conn.execute(sql, params)
            self.result = (cur.statusmessage, cur.fetchall() if cur.description else None)
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            self.error = e

    def is_blocked(self, for_s=BLOCKED_S):
        self.thread.join(for_s)
        return self.thread.is_alive()

    def wait(self, timeout_s=JOIN_S):
        self.thread.join(timeout_s)
        if self.thread.is_alive():
            self.conn.cancel()
            self.thread.join(JOIN_S)
            raise AssertionError(f"statement still blocked after {timeout_s}s")
        return self


@pytest.fixture
def acct(conn):
    """A fresh two-row table per test; returns its name."""
    def make(name):
        conn.execute(f"create table {name} (id int primary key, v int not null)")
        conn.execute(f"insert into {name} values (1, 100), (2, 200)")
        return name
    return make


def test_default_isolation_is_read_committed(connect):
    c = connect(autocommit=False)
    assert c.execute("show transaction_isolation").fetchone() == ("read committed",)
    c.rollback()


def test_read_committed_sees_other_commits_between_statements(acct, connect):
    t = acct("txn_rc")
    a, b = connect(autocommit=False), connect(autocommit=True)
    assert rows(a, f"select v from {t} where id = 1") == [(100,)]
    b.execute(f"update {t} set v = 101 where id = 1")
    b.execute(f"insert into {t} values (3, 300)")
    assert rows(a, f"select v from {t} where id = 1") == [(101,)]  # non-repeatable read
    assert rows(a, f"select count(*) from {t}") == [(3,)]  # phantom
    a.rollback()


def test_no_dirty_reads(acct, connect):
    t = acct("txn_dirty")
    a, b = connect(autocommit=False), connect(autocommit=True)
    a.execute(f"update {t} set v = 999 where id = 1")
    a.execute(f"insert into {t} values (3, 3)")
    assert rows(b, f"select id, v from {t} order by id") == [(1, 100), (2, 200)]
    a.commit()
    assert rows(b, f"select id, v from {t} order by id") == [(1, 999), (2, 200), (3, 3)]


def test_repeatable_read_keeps_its_snapshot(acct, connect):
    t = acct("txn_rr")
    a, b = connect(autocommit=False), connect(autocommit=True)
    a.execute("set transaction isolation level repeatable read")  # first statement of the txn
    assert rows(a, "show transaction_isolation") == [("repeatable read",)]
    assert rows(a, f"select sum(v) from {t}") == [(300,)]  # the snapshot starts here
    b.execute(f"update {t} set v = v + 1")
    b.execute(f"insert into {t} values (3, 1)")
    b.execute(f"delete from {t} where id = 2")
    assert rows(a, f"select id, v from {t} order by id") == [(1, 100), (2, 200)]
    assert rows(a, f"select sum(v) from {t}") == [(300,)]
    a.commit()
    assert rows(a, f"select id, v from {t} order by id") == [(1, 101), (3, 1)]
    a.rollback()


def test_repeatable_read_sees_its_own_writes(acct, connect):
    t = acct("txn_rrown")
    a = connect(autocommit=True)
    a.execute("begin transaction isolation level repeatable read")
    a.execute(f"update {t} set v = 5 where id = 1")
    a.execute(f"insert into {t} values (3, 7)")
    assert rows(a, f"select id, v from {t} order by id") == [(1, 5), (2, 200), (3, 7)]
    a.execute("commit")


def test_repeatable_read_concurrent_update_is_40001(acct, connect):
    t = acct("txn_rr40001")
    a, b = connect(autocommit=True), connect(autocommit=True)
    a.execute("begin isolation level repeatable read")
    a.execute(f"select * from {t}")
    b.execute(f"update {t} set v = 0 where id = 1")
    with pytest.raises(psycopg.errors.SerializationFailure) as ei:
        a.execute(f"update {t} set v = v + 1 where id = 1")
    assert ei.value.sqlstate == "40001"
    with pytest.raises(psycopg.errors.InFailedSqlTransaction):
        a.execute("select 1")
    a.execute("rollback")
    # Rows nobody else touched can still be written by a new RR transaction.
    a.execute("start transaction isolation level repeatable read")
    a.execute(f"update {t} set v = v + 1 where id = 2")
    a.execute("commit")
    assert rows(b, f"select id, v from {t} order by id") == [(1, 0), (2, 201)]


def test_repeatable_read_concurrent_delete_is_40001(acct, connect):
    t = acct("txn_rrdel")
    a, b = connect(autocommit=True), connect(autocommit=True)
    a.execute("begin isolation level repeatable read")
    a.execute(f"select count(*) from {t}")
    b.execute(f"delete from {t} where id = 2")
    with pytest.raises(psycopg.errors.SerializationFailure):
        a.execute(f"update {t} set v = 1 where id = 2")
    a.execute("rollback")


def test_write_waits_for_row_lock_then_proceeds_read_committed(acct, connect):
    t = acct("txn_wait")
    a, b = connect(autocommit=True), connect(autocommit=True)
    a.execute("begin")
    a.execute(f"update {t} set v = v + 1 where id = 1")
    bg = Background(b, f"update {t} set v = v + 10 where id = 1 returning v")
    assert bg.is_blocked(), "second writer did not wait for the row lock"
    # Other rows are not locked.
    b2 = connect(autocommit=True)
    b2.execute(f"update {t} set v = v + 1 where id = 2")
    a.execute("commit")
    bg.wait()
    assert bg.error is None, bg.error
    # READ COMMITTED re-reads the committed row: no lost update.
    assert bg.result == ("UPDATE 1", [(111,)])
    assert rows(a, f"select id, v from {t} order by id") == [(1, 111), (2, 201)]


def test_waiter_proceeds_on_the_old_row_after_rollback(acct, connect):
    t = acct("txn_waitrb")
    a, b = connect(autocommit=True), connect(autocommit=True)
    a.execute("begin")
    a.execute(f"delete from {t} where id = 1")
    bg = Background(b, f"update {t} set v = v + 10 where id = 1")
    assert bg.is_blocked()
    a.execute("rollback")
    bg.wait()
    assert bg.error is None and bg.result[0] == "UPDATE 1"
    assert rows(a, f"select v from {t} where id = 1") == [(110,)]


def test_waiter_finds_the_row_deleted_after_commit(acct, connect):
    t = acct("txn_waitdel")
    a, b = connect(autocommit=True), connect(autocommit=True)
    a.execute("begin")
    a.execute(f"delete from {t} where id = 1")
    bg = Background(b, f"update {t} set v = 0 where id = 1")
    assert bg.is_blocked()
    a.execute("commit")
    bg.wait()
    assert bg.error is None and bg.result[0] == "UPDATE 0"


def test_repeatable_read_waiter_gets_40001_when_holder_commits(acct, connect):
    t = acct("txn_rrwait")
    a, b = connect(autocommit=True), connect(autocommit=True)
    b.execute("begin isolation level repeatable read")
    b.execute(f"select * from {t}")
    a.execute("begin")
    a.execute(f"update {t} set v = 1 where id = 1")
    bg = Background(b, f"update {t} set v = 2 where id = 1")
    assert bg.is_blocked()
    a.execute("commit")
    bg.wait()
    assert isinstance(bg.error, psycopg.errors.SerializationFailure), bg.error
    b.execute("rollback")
    assert rows(a, f"select v from {t} where id = 1") == [(1,)]


def test_repeatable_read_waiter_succeeds_when_holder_rolls_back(acct, connect):
    t = acct("txn_rrwaitrb")
    a, b = connect(autocommit=True), connect(autocommit=True)
    b.execute("begin isolation level repeatable read")
    b.execute(f"select * from {t}")
    a.execute("begin")
    a.execute(f"update {t} set v = 1 where id = 1")
    bg = Background(b, f"update {t} set v = 2 where id = 1")
    assert bg.is_blocked()
    a.execute("rollback")
    bg.wait()
    assert bg.error is None, bg.error
    b.execute("commit")
    assert rows(a, f"select v from {t} where id = 1") == [(2,)]


def test_insert_of_same_key_waits_then_23505(conn, connect):
    conn.execute("create table txn_inswait (id int primary key, who text)")
    a, b = connect(autocommit=True), connect(autocommit=True)
    a.execute("begin")
    a.execute("insert into txn_inswait values (1, 'a')")
    bg = Background(b, "insert into txn_inswait values (1, 'b')")
    assert bg.is_blocked(), "insert of an uncommitted key did not wait"
    a.execute("commit")
    bg.wait()
    assert isinstance(bg.error, psycopg.errors.UniqueViolation), bg.error
    # And when the first inserter rolls back, the second one wins.
    a.execute("begin")
    a.execute("insert into txn_inswait values (2, 'a')")
    bg = Background(b, "insert into txn_inswait values (2, 'b')")
    assert bg.is_blocked()
    a.execute("rollback")
    bg.wait()
    assert bg.error is None, bg.error
    assert rows(conn, "select id, who from txn_inswait order by id") == [(1, "a"), (2, "b")]


def test_error_in_block_gives_25p02_until_rollback_which_discards(acct, connect):
    t = acct("txn_25p02")
    a = connect(autocommit=True)
    a.execute("begin")
    a.execute(f"update {t} set v = 0")
    with pytest.raises(psycopg.errors.UniqueViolation):
        a.execute(f"insert into {t} values (1, 1)")
    for sql in (f"select * from {t}", f"update {t} set v = 1", "show timezone",
                "set timezone = 'UTC'"):
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            a.execute(sql)
    assert a.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
    a.execute("rollback")
    assert a.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert rows(a, f"select id, v from {t} order by id") == [(1, 100), (2, 200)]


def test_rollback_discards_everything(conn, connect):
    conn.execute("create table txn_rb (id int primary key, v text)")
    conn.execute("insert into txn_rb values (1, 'keep')")
    a = connect(autocommit=False)
    a.execute("insert into txn_rb values (2, 'new')")
    a.execute("update txn_rb set v = 'changed' where id = 1")
    a.execute("delete from txn_rb where id = 1")
    assert rows(a, "select count(*) from txn_rb") == [(1,)]
    a.rollback()
    assert rows(conn, "select id, v from txn_rb") == [(1, "keep")]


def test_commit_makes_writes_visible_to_others(conn, connect):
    conn.execute("create table txn_commit (id int primary key)")
    a = connect(autocommit=False)
    a.execute("insert into txn_commit select generate_series(1, 50)")
    assert rows(conn, "select count(*) from txn_commit") == [(0,)]
    a.commit()
    assert rows(conn, "select count(*) from txn_commit") == [(50,)]


def test_transaction_control_tags_and_warnings(conn):
    notes = []
    conn.add_notice_handler(lambda d: notes.append((d.severity, d.sqlstate)))
    assert conn.execute("begin").statusmessage == "BEGIN"
    assert conn.execute("begin").statusmessage == "BEGIN"
    assert notes == [("WARNING", "25001")]  # there is already a transaction in progress
    assert conn.execute("end").statusmessage == "COMMIT"
    assert conn.execute("commit").statusmessage == "COMMIT"
    assert notes[-1] == ("WARNING", "25P01")  # there is no transaction in progress
    assert conn.execute("rollback").statusmessage == "ROLLBACK"
    assert conn.execute("start transaction").statusmessage == "START TRANSACTION"
    assert conn.execute("abort").statusmessage == "ROLLBACK"


def test_set_transaction_isolation_after_first_query_is_25001(connect):
    a = connect(autocommit=True)
    a.execute("begin")
    a.execute("select 1")
    with pytest.raises(psycopg.errors.ActiveSqlTransaction):
        a.execute("set transaction isolation level repeatable read")
    a.execute("rollback")


def test_concurrent_increments_are_not_lost(conn, target):
    conn.execute("create table txn_counter (id int primary key, n int)")
    conn.execute("insert into txn_counter values (1, 0)")
    conn.execute("create table txn_log (worker int, i int, primary key (worker, i))")
    workers, per_worker = 4, 25
    errors = []

    def work(w):
        try:
            with target.connect(autocommit=False) as c:
                for i in range(per_worker):
                    c.execute("update txn_counter set n = n + 1 where id = 1")
                    c.execute("insert into txn_log values (%s, %s)", (w, i))
                    c.commit()
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(workers)]
    t0 = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join(max(1, 40 - (time.monotonic() - t0)))
    assert not any(th.is_alive() for th in threads), "workers did not finish"
    assert errors == []
    assert rows(conn, "select n from txn_counter") == [(workers * per_worker,)]
    assert rows(conn, "select count(*), count(distinct worker) from txn_log") == [
        (workers * per_worker, workers)]


def test_repeatable_read_retry_loop_converges(conn, target):
    """Clients retry 40001; with retries every transfer lands exactly once."""
    conn.execute("create table txn_bank (id int primary key, bal int)")
    conn.execute("insert into txn_bank values (1, 1000), (2, 1000)")
    errors, retries = [], [0]

    def work(w):
        try:
            with target.connect(autocommit=True) as c:
                done = 0
                while done < 10:
                    try:
                        c.execute("begin isolation level repeatable read")
                        # Same row order in every worker: conflicts, but no deadlocks.
                        d = 1 if w % 2 == 0 else -1
                        c.execute("update txn_bank set bal = bal - %s where id = 1", (d,))
                        c.execute("update txn_bank set bal = bal + %s where id = 2", (d,))
                        c.execute("commit")
                        done += 1
                    except (psycopg.errors.SerializationFailure,
                            psycopg.errors.DeadlockDetected):
                        retries[0] += 1
                        c.execute("rollback")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(40)
    assert not any(th.is_alive() for th in threads)
    assert errors == []
    # Worker 0 and 2 move 1 -> 2, worker 1 moves 2 -> 1: net 10 from 1 to 2.
    assert rows(conn, "select id, bal from txn_bank order by id") == [(1, 990), (2, 1010)]
