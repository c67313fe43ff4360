"""COMMIT returns only after the write is synced (issue item 5): a committed row survives
kill -9 of the node, an uncommitted one does not. Each test owns its server, so killing it
does not disturb the session's shared target.

This is a micedb property, so with MICE_SQL_TARGET=postgres the tests are skipped. To prove
the tests themselves against PostgreSQL (kill -9 of the postmaster and every backend, then
crash recovery), set MICE_SQL_DURABILITY_ON_POSTGRES=1 as well."""
import os
import threading
import time

import psycopg
import pytest

import sqltarget

ON_PG = os.environ.get("MICE_SQL_DURABILITY_ON_POSTGRES") == "1"

pytestmark = pytest.mark.skipif(
    sqltarget.KIND != "micedb" and not ON_PG,
    reason="kill -9 durability is a micedb property: skipped with MICE_SQL_TARGET=postgres "
           "(MICE_SQL_DURABILITY_ON_POSTGRES=1 runs it against PostgreSQL to check the test)")


@pytest.fixture
def node():
    t = sqltarget.Target(sqltarget.KIND)
    try:
        t.start()
    except BaseException:
        t.stop()
        raise
    yield t
    t.stop()


def test_committed_rows_survive_kill9(node):
    with node.connect(autocommit=True) as c:
        c.execute("create table dur_t (id int primary key, v text)")
        c.execute("create index dur_t_v on dur_t (v)")
        c.execute("insert into dur_t values (1, 'autocommit')")
    c = node.connect(autocommit=False)
    c.execute("insert into dur_t select g, 'txn' || g from generate_series(2, 100) g")
    c.commit()
    c.execute("insert into dur_t values (1000, 'never committed')")
    node.kill9_and_restart()  # while this transaction is still open
    c.close()
    with node.connect(autocommit=True) as c:
        assert c.execute("select count(*), min(id), max(id) from dur_t").fetchone() == (
            100, 1, 100)
        assert c.execute("select v from dur_t where id = 1").fetchone() == ("autocommit",)
        assert c.execute("select id from dur_t where v = 'txn50'").fetchone() == (50,)
        c.execute("insert into dur_t values (101, 'after restart')")


def test_kill9_right_after_commit_returns(node):
    with node.connect(autocommit=True) as c:
        c.execute("create table dur_last (id int primary key)")
        c.execute("insert into dur_last values (1)")
        node.kill9()  # SIGKILL the moment the acknowledgement arrived
    node.restart()
    with node.connect(autocommit=True) as c:
        assert c.execute("select id from dur_last").fetchall() == [(1,)]


def test_acknowledged_commits_survive_kill9_under_concurrent_load(node):
    with node.connect(autocommit=True) as c:
        c.execute("create table dur_load (worker int, i int, primary key (worker, i))")
    acked = {w: [] for w in range(4)}
    stop = threading.Event()

    def work(w):
        try:
            with node.connect(autocommit=True) as c:
                i = 0
                while not stop.is_set():
                    c.execute("insert into dur_load values (%s, %s)", (w, i))
                    acked[w].append(i)
                    i += 1
        except psycopg.Error:
            pass  # the node died under us

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in acked]
    for th in threads:
        th.start()
    time.sleep(1.5)
    node.kill9()
    stop.set()
    for th in threads:
        th.join(15)
    assert not any(th.is_alive() for th in threads)
    assert sum(len(v) for v in acked.values()) > 0, "no commit was acknowledged"
    node.restart()
    with node.connect(autocommit=True) as c:
        got = {}
        for w, i in c.execute("select worker, i from dur_load"):
            got.setdefault(w, set()).add(i)
    for w, ids in acked.items():
        missing = set(ids) - got.get(w, set())
        assert not missing, (f"worker {w}: acknowledged but lost after kill -9: "
                             f"{sorted(missing)[:10]}")
