"""sysbench 1.0.20 (--db-driver=pgsql) against micedb: every bundled OLTP workload is
prepared, run for a few seconds on 4 threads and cleaned up without an error.

sysbench aborts on any error except 23505, 40P01 and 40001, which it counts as "ignored
errors", rolls back and retries. sysbench_wrap.lua runs the workload unchanged and reports
each ignored error with its SQLSTATE, so the test can say which ones happened: only the
workloads that DELETE and re-INSERT the same ids inside a transaction (read_write,
write_only) may hit them, as they do against PostgreSQL 15 (duplicate key when two threads
delete and re-insert the same id, deadlock when two transactions lock rows in opposite
order). Reconnects must be 0. After each run the tables hold what the workload implies
(row counts, sum(k) grown by one per update_index event, inserted rows counted)."""
import os
import re
import subprocess

import pytest

import sqltarget

SYSBENCH = "/usr/bin/sysbench"
WRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sysbench_wrap.lua")
TABLES = 2
TABLE_SIZE = 1000
THREADS = 4
RUN_S = 3
RETRYABLE = {"23505", "40P01"}
# workloads whose transactions delete and re-insert the same ids: retryable conflicts expected
CONFLICTING = {"oltp_read_write", "oltp_write_only"}


def sysbench(target, workload, command, *extra, timeout_s=120):
    tables = 1 if workload == "select_random_ranges" else TABLES
    cmd = [SYSBENCH, WRAP, "--db-driver=pgsql", "--pgsql-host=" + target.host,
           f"--pgsql-port={target.port}", "--pgsql-user=root", "--pgsql-db=defaultdb",
           f"--tables={tables}", f"--table-size={TABLE_SIZE}", f"--threads={THREADS}",
           *extra, command]
    env = dict(sqltarget.psql_env(), SB_WORKLOAD=workload)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, env=env)
    out = r.stdout + r.stderr
    assert r.returncode == 0, f"sysbench {workload} {command} exited {r.returncode}:\n{out}"
    for bad in ("FATAL", "ALERT", "error, errno"):
        assert bad not in out, f"sysbench {workload} {command}:\n{out}"
    return r


def query(target, sql):
    with target.connect() as c:
        return c.execute(sql).fetchone()


def stat(out, name):
    m = re.search(rf"^\s+{name}:\s+(\d+)", out, re.M)
    assert m, f"no '{name}' in sysbench output:\n{out}"
    return int(m.group(1))


def table_names(workload):
    if workload == "bulk_insert":
        return [f"sbtest{i}" for i in range(1, THREADS + 1)]
    if workload == "select_random_ranges":
        return ["sbtest1"]
    return [f"sbtest{i}" for i in range(1, TABLES + 1)]


def counts(target, workload):
    return [query(target, f"select count(*), coalesce(sum(k), 0) from {t}")
            for t in table_names(workload)]


WORKLOADS = ["oltp_point_select", "oltp_read_only", "oltp_read_write", "oltp_write_only",
             "oltp_insert", "oltp_update_index", "oltp_update_non_index", "oltp_delete",
             "select_random_ranges", "bulk_insert"]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_workload(mice, workload):
    sysbench(mice, workload, "prepare")
    before = counts(mice, workload)
    if workload == "bulk_insert":
        assert before == [(0, 0)] * THREADS, before
    else:
        assert all(n == TABLE_SIZE for n, _ in before), before

    # bulk_insert sends each thread's rows as one INSERT when the thread ends: cap the rows
    extra = ["--events=40000"] if workload == "bulk_insert" else []
    r = sysbench(mice, workload, "run", f"--time={RUN_S}", "--report-interval=0", *extra)
    out = r.stdout
    events = stat(out, "transactions")
    ignored = stat(out, "ignored errors")
    assert events > 0, out
    assert stat(out, "reconnects") == 0, out
    seen = re.findall(r"^sysbench-ignored (\S+) (.*)$", r.stderr, re.M)
    assert len(seen) == ignored, f"{ignored} ignored errors, {len(seen)} reported:\n{r.stderr}"
    if workload in CONFLICTING:
        assert all(state in RETRYABLE for state, _ in seen), seen
    else:
        assert seen == [], seen

    after = counts(mice, workload)
    rows = sum(n for n, _ in after)
    if workload == "oltp_insert":
        assert rows == TABLES * TABLE_SIZE + events, (before, after, events)
    elif workload == "bulk_insert":
        assert rows == events, (after, events)
    elif workload == "oltp_delete":
        assert rows < TABLES * TABLE_SIZE, (after, events)
    else:
        # reads change nothing; updates keep the rows; a delete is re-inserted in its txn
        assert all(n == TABLE_SIZE for n, _ in after), (after, events)
    if workload == "oltp_update_index":
        assert sum(k for _, k in after) - sum(k for _, k in before) == events, \
            (before, after, events)
    if workload in ("oltp_point_select", "oltp_read_only", "select_random_ranges",
                    "oltp_update_non_index"):
        assert after == before, (before, after)

    sysbench(mice, workload, "cleanup")
    with mice.connect() as c:
        left = c.execute("select relname from pg_catalog.pg_class "
                         "where relname like 'sbtest%' and relkind = 'r'").fetchall()
    assert left == [], left
