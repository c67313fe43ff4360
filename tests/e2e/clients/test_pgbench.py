"""pgbench 15 against micedb: initialisation (DDL, COPY FROM STDIN with FREEZE, VACUUM,
ALTER TABLE ADD PRIMARY KEY on tables keyed by their hidden rowid), then the built-in
TPC-B-like, select-only (-S) and simple-update (-N) scripts with -M simple, extended and
prepared, 8 clients: no failed transaction, and the bank invariant holds afterwards
(every delta in pgbench_history is in pgbench_accounts)."""
import re
import subprocess

import pytest

import sqltarget

PGBENCH = "/usr/bin/pgbench"
RUN_S = 5


def pgbench(target, *args, timeout_s=240):
    cmd = [PGBENCH, "-h", target.host, "-p", str(target.port), "-U", "root", *args, "defaultdb"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                          env=sqltarget.psql_env())


@pytest.fixture(scope="module")
def bench(mice):
    r = pgbench(mice, "-i", "-s", "1")
    assert r.returncode == 0, r.stderr
    assert "creating primary keys..." in r.stderr and re.search(r"^done in ", r.stderr, re.M), \
        r.stderr
    return mice


def query(target, sql):
    r = target.psql("-A", "-t", "-F", "|", "-c", sql, check=True)
    return r.stdout.strip()


def test_init_loaded_tables(bench):
    assert query(bench, "select count(*), sum(abalance), count(distinct bid) "
                        "from pgbench_accounts") == "100000|0|1"
    assert query(bench, "select count(*) from pgbench_tellers") == "10"
    assert query(bench, "select count(*) from pgbench_branches") == "1"
    assert query(bench, "select count(*) from pgbench_history") == "0"
    # the primary keys replaced the hidden rowid: unique, used for point lookups
    out = bench.psql("-c", r"\d pgbench_accounts", check=True).stdout
    assert '"pgbench_accounts_pkey" PRIMARY KEY, btree (aid)' in out, out
    assert "Index Scan using pgbench_accounts_pkey" in query(
        bench, "explain select abalance from pgbench_accounts where aid = 5")
    r = bench.psql("-c", "insert into pgbench_accounts values (1, 1, 0, '')")
    assert "duplicate key value violates unique constraint \"pgbench_accounts_pkey\"" in r.stderr


def test_partition_probe(bench):
    """The query every pgbench run starts with; an error or no row would change pgbench's
    behaviour (it assumes no partitioning or exits)."""
    probe = ("select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class "
             "as c join pg_catalog.pg_namespace as n on (n.oid = c.relnamespace) cross join "
             "lateral (select pg_catalog.array_position(pg_catalog.current_schemas(true), "
             "n.nspname)) as o(n) left join pg_catalog.pg_partitioned_table as p on "
             "(p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on "
             "(c.oid = i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null "
             "group by 1, 2 order by 1 asc limit 1")
    assert query(bench, probe) == "2||0"


SCRIPTS = [("tpcb", []), ("select-only", ["-S"]), ("simple-update", ["-N"])]
MODES = ["simple", "extended", "prepared"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name,flags", SCRIPTS)
def test_run(bench, name, flags, mode):
    # -n after the first run: keep pgbench_history, so the invariant covers every run
    first = name == "tpcb" and mode == "simple"
    args = [*flags, "-M", mode, "-c", "8", "-j", "2", "-T", str(RUN_S)]
    r = pgbench(bench, *args, *([] if first else ["-n"]))
    assert r.returncode == 0, r.stdout + r.stderr
    processed = int(re.search(r"number of transactions actually processed: (\d+)",
                              r.stdout).group(1))
    failed = int(re.search(r"number of failed transactions: (\d+)", r.stdout).group(1))
    assert processed > 0 and failed == 0, r.stdout
    assert "error" not in r.stderr.lower(), r.stderr


def test_invariant_after_runs(bench):
    accounts, history, n = query(bench, "select (select sum(abalance) from pgbench_accounts), "
                                        "(select sum(delta) from pgbench_history), "
                                        "(select count(*) from pgbench_history)").split("|")
    assert int(n) > 0
    assert accounts == history
    # TPC-B also moves tellers and branches by the same deltas (-N skips them)
    tellers, branches = query(bench, "select (select sum(tbalance) from pgbench_tellers), "
                                     "(select sum(bbalance) from pgbench_branches)").split("|")
    assert tellers == branches


def test_vacuum_outside_and_inside_a_block(bench):
    r = bench.psql("-c", "vacuum analyze pgbench_branches", check=True)
    assert r.stdout == "VACUUM\n"
    r = bench.psql("-c", "vacuum nosuch_table")
    assert r.stderr.startswith('ERROR:  relation "nosuch_table" does not exist'), r.stderr
    r = bench.psql(input="begin;\nvacuum pgbench_tellers;\nrollback;\n")
    assert "ERROR:  VACUUM cannot run inside a transaction block" in r.stderr, r.stderr
