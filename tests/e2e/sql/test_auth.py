"""Start-up defaults and authentication (issue items 1 and 2): a fresh data directory has
the superuser root and the databases defaultdb and postgres; root is trusted on loopback
in insecure mode; users created WITH PASSWORD log in with SCRAM-SHA-256; a wrong password
is 28P01."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile

import psycopg
import pytest

import harness
import sqltarget
from sqltarget import PgWire, errors_of, rows_of


def test_root_is_trusted_without_password(target):
    with PgWire(target.host, target.port) as w:
        msgs = w.startup(user="root", database="defaultdb")
        assert msgs[0].auth_code() == 0  # AuthenticationOk straight away
        assert rows_of(w.simple("select current_user, current_database()")) == [
            [b"root", b"defaultdb"]]


def test_fresh_cluster_has_defaultdb_and_postgres_databases(target):
    for db in ("defaultdb", "postgres"):
        with target.connect(dbname=db) as c:
            assert c.execute("select current_database(), current_user").fetchone() == (db, "root")


def test_root_is_superuser(conn):
    assert conn.pgconn.parameter_status(b"is_superuser") == b"on"
    conn.execute("create user auth_made_by_root")
    conn.execute("drop user auth_made_by_root")


def test_password_user_logs_in_with_scram(target, conn):
    conn.execute("create user auth_alice with password 'S3cret pw!'")
    with PgWire(target.host, target.port) as w:
        msgs = w.startup_scram("auth_alice", "S3cret pw!")
        assert not errors_of(msgs), msgs
        assert msgs[-1].ready_status() == "I"
        assert rows_of(w.simple("select current_user")) == [[b"auth_alice"]]
    with target.connect(user="auth_alice", password="S3cret pw!") as c:
        assert c.execute("select current_user").fetchone() == ("auth_alice",)
    r = target.psql("-At", "-c", "select current_user", user="auth_alice",
                    env={"PGPASSWORD": "S3cret pw!"})
    assert r.returncode == 0 and r.stdout == "auth_alice\n", r.stderr


def test_wrong_password_is_28p01(target, conn):
    conn.execute("create user auth_bob with password 'right'")
    with PgWire(target.host, target.port) as w:
        msgs = w.startup_scram("auth_bob", "wrong")
        (e,) = errors_of(msgs)
        assert e.fields["S"] == "FATAL" and e.code == "28P01", msgs
        assert e.fields["M"] == 'password authentication failed for user "auth_bob"'
        assert w.read_until_closed() == []
    with pytest.raises(psycopg.OperationalError) as ei:
        target.connect(user="auth_bob", password="wrong")
    assert 'password authentication failed for user "auth_bob"' in str(ei.value)
    r = target.psql("-c", "select 1", user="auth_bob", env={"PGPASSWORD": "wrong"})
    assert r.returncode == 2 and "password authentication failed" in r.stderr


def test_password_user_without_password_is_refused(target, conn):
    conn.execute("create user auth_carol with password 'pw'")
    with pytest.raises(psycopg.OperationalError) as ei:
        target.connect(user="auth_carol")
    assert "no password supplied" in str(ei.value)


def test_alter_user_password_takes_effect(target, conn):
    conn.execute("create user auth_dave with password 'old'")
    conn.execute("alter user auth_dave with password 'new'")
    with PgWire(target.host, target.port) as w:
        assert errors_of(w.startup_scram("auth_dave", "old"))[0].code == "28P01"
    with PgWire(target.host, target.port) as w:
        assert not errors_of(w.startup_scram("auth_dave", "new"))


def test_duplicate_user_is_42710(conn):
    conn.execute("create user auth_erin with password 'x'")
    with pytest.raises(psycopg.Error) as ei:
        conn.execute("create user auth_erin with password 'y'")
    assert ei.value.sqlstate == "42710"


def _port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@pytest.mark.skipif(sqltarget.KIND != "micedb", reason="micedb's own start-up defaults")
def test_micedb_start_defaults_data_dir_and_sql_port():
    if not _port_free(5433):
        pytest.skip("127.0.0.1:5433 is in use on this machine")
    cwd = tempfile.mkdtemp(prefix="e2e-defaults-", dir=harness.TMP_ROOT)
    ports = {k: harness.free_port() for k in ("http", "resp", "rpc")}
    args = [harness.BIN, "start"] + [x for k, p in ports.items()
                                     for x in ("--" + k, f"127.0.0.1:{p}")]
    log_path = os.path.join(cwd, "micedb.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        sqltarget.wait_port("127.0.0.1", 5433, proc=proc)
        assert os.path.isdir(os.path.join(cwd, "micedb-data"))
        with psycopg.connect("host=127.0.0.1 port=5433 user=root dbname=defaultdb "
                             "connect_timeout=10", autocommit=True) as c:
            assert c.execute("select 1").fetchone() == (1,)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        shutil.rmtree(cwd, ignore_errors=True)
