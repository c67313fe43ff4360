"""psql 15's meta-commands against micedb, compared with what psql prints against a real
PostgreSQL 15 given the same DDL. Only what legitimately differs is normalised: the
template databases and the bootstrap role PostgreSQL has and we do not, the public schema's
owner (pg_database_owner in PostgreSQL 15), and relation sizes (we report 0 bytes)."""
import os
import re

import pytest

DDL = [
    "create table t1 (id int primary key, name text not null default 'x', v numeric(10,2), "
    "c char(5), u varchar(20) unique, ts timestamptz default now(), flag boolean default true, "
    "n bigint default -1, f double precision, d date default '2024-01-02', "
    "check (v > 0), constraint t1_name_len check (length(name) < 100 and name <> ''))",
    "create index t1_name on t1(name)",
    "create index t1_v_desc on t1(v desc, name)",
    "create table t2 (a int, b bigserial, s serial, t text default 'it''s')",
    "create unique index t2_a on t2(a)",
    "create table t3 (k1 int, k2 text, v varchar default 'z', primary key (k1, k2))",
    "create sequence s1",
    "create sequence s2 start 10 increment 5 maxvalue 1000 cycle",
    "create schema other",
    "create table other.t4 (x int, y int unique)",
    "create table nopk (a int not null, b text)",
]

COMMANDS = [r"\dt", r"\d", r"\di", r"\ds", r"\dn", r"\d t1", r"\d t2", r"\d t3", r"\d nopk",
            r"\d s1", r"\d s2", r"\d+ t1", r"\dt+", r"\d other.t4", r"\dt other.*",
            r"\d t1_pkey", r"\d t1_v_desc", r"\df", r"\dv", r"\dt t*", r"\di t1*",
            r"\d nosuch", r"\dt nosuch"]


def setup_schema(target):
    for stmt in DDL:
        target.psql("-c", stmt, check=True)


@pytest.fixture(scope="module")
def both(mice, pg):
    setup_schema(mice)
    setup_schema(pg)
    return mice, pg


def normalise(text):
    text = text.replace("pg_database_owner", "root")
    # \dt+ sizes: PostgreSQL counts pages, we report 0 (and the column width follows)
    text = re.sub(r"\d+ (bytes|kB)", "SIZE", text)
    return text


def aligned(text):
    """Undo column padding so a width change caused by a normalised cell does not matter."""
    out = []
    for line in text.splitlines():
        if set(line.strip()) <= set("-+") and line.strip():
            out.append("---")
            continue
        out.append("|".join(cell.strip() for cell in line.split("|")).rstrip())
    return "\n".join(out)


@pytest.mark.parametrize("cmd", COMMANDS)
def test_meta_command_matches_postgres(both, cmd):
    mice, pg = both
    want = pg.psql("-c", cmd)
    got = mice.psql("-c", cmd)
    assert (got.returncode, aligned(normalise(got.stderr))) == \
        (want.returncode, aligned(normalise(want.stderr))), got.stderr
    assert aligned(normalise(got.stdout)) == aligned(normalise(want.stdout)), \
        f"micedb:\n{got.stdout}\npostgres:\n{want.stdout}"


def test_list_databases(both):
    mice, pg = both

    def rows(target):
        r = target.psql("-l", "-A", "-t", dbname="postgres", check=True)
        return [line for line in r.stdout.splitlines()
                if line.split("|")[0] == "defaultdb"]

    assert rows(mice) == rows(pg) == ["defaultdb|root|UTF8|C|C||libc|"]
    out = mice.psql("-l", dbname="postgres", check=True).stdout
    assert out.startswith("                                         List of databases\n"
                          "   Name    | Owner | Encoding | Collate | Ctype | ICU Locale |"
                          " Locale Provider | Access privileges \n"), out


def test_list_roles(mice):
    out = mice.psql("-c", r"\du", check=True).stdout
    assert re.search(r"^ root +\| Superuser, Create role, Create DB, Replication, Bypass RLS"
                     r" +\| \{\}$", out, re.M), out
    mice.psql("-c", "create user alice with password 'pw'", check=True)
    out = mice.psql("-A", "-t", "-c", r"\du", check=True).stdout
    assert "alice||{}" in out.splitlines(), out


def test_describe_tracks_ddl(both):
    """\\d sees DDL at once: the virtual catalog is computed per statement."""
    mice, _ = both
    mice.psql("-c", "create table late (a int primary key, b text default 'q')", check=True)
    out = mice.psql("-c", r"\d late", check=True).stdout
    assert ' b      | text    |           |          | \'q\'::text' in out, out
    mice.psql("-c", "alter table nopk add primary key (a)", check=True)
    out = mice.psql("-c", r"\d nopk", check=True).stdout
    assert '"nopk_pkey" PRIMARY KEY, btree (a)' in out, out
    mice.psql("-c", "drop table late", check=True)
    r = mice.psql("-c", r"\d late")
    assert r.stderr == 'Did not find any relation named "late".\n', r.stderr


def test_differential_check_can_fail(both):
    """The comparison above is not vacuous: the two servers' \\d outputs differ when their
    schemas do."""
    mice, pg = both
    pg.psql("-c", "create table only_pg (a int)", check=True)
    try:
        want = pg.psql("-c", r"\dt", check=True).stdout
        got = mice.psql("-c", r"\dt", check=True).stdout
        assert "only_pg" in want and "only_pg" not in got
        assert aligned(normalise(got)) != aligned(normalise(want))
    finally:
        pg.psql("-c", "drop table only_pg", check=True)


# --- tab completion -----------------------------------------------------------------------

TAB_LINES = ["select * from t\t\t", "select * from t1 where \t\t", "\\d t\t\t", "set \t\t",
             "show \t\t", "alter table t1 \t\t", "alter table t1 drop column \t\t", "\\c \t\t",
             "grant select on t1 to \t\t", "drop index \t\t", "drop table \t\t", "\\df \t\t",
             "create index on t1 (\t\t", "select * from pg_catalog.pg_cl\t\t",
             "insert into t1 (\t\t", "update t1 set \t\t", "\\dn \t\t", "truncate \t\t",
             "select * from information_schema.\t\t", "\\dx \t\t", "\\ds \t\t",
             "select * from other.\t\t", "alter sequence \t\t", "comment on table \t\t"]


def psql_tty(target, lines, settle_s=0.4):
    """Run psql on a terminal (so readline completes on TAB), type each line, abandon it with
    ^C, quit; returns everything psql wrote."""
    import pty
    import select
    import sqltarget
    import time
    pid, fd = pty.fork()
    if pid == 0:  # the child must never return into pytest
        try:
            env = sqltarget.psql_env()
            env.update(TERM="dumb", INPUTRC="/dev/null")
            os.execve(sqltarget.PSQL, [sqltarget.PSQL, "-X", "-h", target.host, "-p",
                                       str(target.port), "-U", "root", "-d", "defaultdb"], env)
        finally:
            os._exit(127)
    out = b""

    def pump(quiet_s, max_s=5.0):
        """Read until psql has been quiet for quiet_s (it answered), at most max_s."""
        nonlocal out
        end = time.monotonic() + max_s
        last = time.monotonic()
        while time.monotonic() < end and time.monotonic() - last < quiet_s:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    return
                last = time.monotonic()
    try:
        pump(1.0)
        for line in lines:
            os.write(fd, line.encode())
            pump(settle_s)
            os.write(fd, b"\x03")
            pump(0.1)
        os.write(fd, b"\\q\n")
        pump(0.3)
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return out.decode(errors="replace")


def logged_statements(log):
    """The statements of a PostgreSQL log with log_statement = all."""
    stmts, cur = [], None
    for line in log.splitlines():
        m = re.match(r"^\S+ \S+ \S+ \[\d+\] LOG:  statement: (.*)$", line)
        if m:
            if cur is not None:
                stmts.append(cur)
            cur = m.group(1)
        elif cur is not None and line.startswith("\t"):
            cur += "\n" + line[1:]
        elif cur is not None:
            stmts.append(cur)
            cur = None
    if cur is not None:
        stmts.append(cur)
    return stmts


def test_tab_completion_queries(both):
    """Every catalog query psql 15's tab completion sends (captured from PostgreSQL with
    log_statement = all) runs on micedb, and completion works on micedb's own psql."""
    import psycopg
    mice, pg = both
    pg.psql("-c", "alter system set log_statement = 'all'", check=True)
    pg.psql("-c", "select pg_reload_conf()", check=True)
    try:
        start = len(pg.log())
        psql_tty(pg, TAB_LINES)
        stmts = sorted(set(s for s in logged_statements(pg.log()[start:])
                           if "pg_catalog" in s or "pg_" in s))
    finally:
        pg.psql("-c", "alter system reset log_statement", check=True)
        pg.psql("-c", "select pg_reload_conf()", check=True)
    assert len(stmts) >= 12, stmts
    failures = []
    with mice.connect() as c:
        for s in stmts:
            try:
                c.execute(s).fetchall()
            except psycopg.Error as e:
                failures.append(f"{s}\n  -> {e}")
    assert not failures, "\n\n".join(failures)
    out = psql_tty(mice, ["select * from nop\t", "\\d other.t\t"])
    assert "select * from nopk " in out, out
    assert "\\d other.t\x074" in out or "\\d other.t4" in out, out


ALL_META = [r"\dT", r"\dT+", r"\dx", r"\db", r"\dp", r"\z", r"\dD", r"\dc", r"\dC", r"\do",
            r"\dE", r"\dm", r"\dy", r"\dF", r"\dFd", r"\dFp", r"\dFt", r"\dg", r"\dl", r"\dL",
            r"\dO", r"\drds", r"\dRp", r"\dRs", r"\des", r"\det", r"\deu", r"\dew", r"\dA",
            r"\dAc", r"\dAf", r"\dAo", r"\dAp", r"\da", r"\ddp", r"\dd", r"\dP", r"\dX", r"\dS",
            r"\dn+", r"\l+", r"\du+", r"\df+", r"\sf lower", r"\dconfig", r"\dfa", r"\dfn",
            r"\dft", r"\dfw", r"\dtS", r"\diS", r"\dv+", r"\dpS", r"\lo_list", r"\dS+ pg_class",
            r"\d pg_class", r"\d information_schema.columns", r"\d+ t3", r"\di+", r"\ds+"]


@pytest.mark.parametrize("cmd", ALL_META)
def test_meta_command_runs(both, cmd):
    """Every other describe command at least runs: its catalog queries bind and execute."""
    mice, _ = both
    r = mice.psql("-c", cmd)
    assert "ERROR" not in r.stderr, r.stderr
    assert r.returncode == 0 or r.stderr.startswith("Did not find"), r.stderr


@pytest.mark.parametrize("path", ["other, public", "nosuch, public", "nosuch", "\"$user\", other",
                                  "public, pg_catalog"])
def test_search_path_functions_match_postgres(both, path):
    mice, pg = both
    sql = ("select current_schema(), current_schemas(true), current_schemas(false), "
           "pg_table_is_visible('other.t4'::regclass), 'other.t4'::regclass")
    args = ("-A", "-t", "-c", f"set search_path = {path}", "-c", sql)
    assert mice.psql(*args, check=True).stdout == pg.psql(*args, check=True).stdout
