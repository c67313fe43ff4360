"""pgbench side by side: micedb vs PostgreSQL 15 (fsync=on, synchronous_commit=on).

For each system: start it fresh, `pgbench -i` at BENCH_PGBENCH_SCALE, then the TPC-B-like
script and the select-only script (-S), each BENCH_PGBENCH_TIME seconds with 8 clients and
-M prepared; tps from pgbench, p95 latency from its per-transaction log (-l). A failure is
recorded as FAILED with an excerpt of pgbench's output; the run goes on.
"""
import glob
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import benchlib as bl  # noqa: E402

SCALE = bl.env_int("BENCH_PGBENCH_SCALE", 1)
SECS = bl.env_int("BENCH_PGBENCH_TIME", 10)
CLIENTS = bl.env_int("BENCH_PGBENCH_CLIENTS", 8)
JOBS = bl.env_int("BENCH_PGBENCH_JOBS", 2)
# "precreated": create pgbench's four tables (primary keys inline) with psql, then load them
# with `pgbench -i -I g`; the same on both systems. micedb cannot run pgbench's own schema
# steps yet (VACUUM and ALTER TABLE ADD PRIMARY KEY); "pgbench" uses them (-I dtgvp).
SCHEMA = os.environ.get("BENCH_PGBENCH_SCHEMA", "precreated")
INIT_STEPS = os.environ.get("BENCH_PGBENCH_INIT_STEPS", "g" if SCHEMA == "precreated" else "dtgvp")
PARAMS = {"scale": SCALE, "time_s": SECS, "clients": CLIENTS, "jobs": JOBS,
          "schema": SCHEMA, "init_steps": INIT_STEPS}
DDL = ("create table pgbench_history(tid int, bid int, aid int, delta int, mtime timestamp, "
       "filler char(22)); "
       "create table pgbench_tellers(tid int not null primary key, bid int, tbalance int, "
       "filler char(84)); "
       "create table pgbench_accounts(aid int not null primary key, bid int, abalance int, "
       "filler char(84)); "
       "create table pgbench_branches(bid int not null primary key, bbalance int, "
       "filler char(88));")
WORKLOADS = [("tpcb-like", []), ("select-only (-S)", ["-S"])]


def conn(port, user, db):
    return ["-h", "127.0.0.1", "-p", str(port), "-U", user]


def p95_from_logs(prefix):
    lat = []
    for path in glob.glob(prefix + "*"):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    lat.append(int(parts[2]))
    if not lat:
        return None
    lat.sort()
    return lat[min(len(lat) - 1, int(len(lat) * 0.95))] / 1000.0


def bench_system(system, port, user, db):
    rows = []
    setup = []
    if SCHEMA == "precreated":
        ddl = ["psql"] + conn(port, user, db) + ["-d", db, "-v", "ON_ERROR_STOP=1", "-c", DDL]
        setup.append(bl.shell_join(ddl))
        rc, out = bl.run(ddl, timeout=120)
        if rc != 0:
            for w, _ in WORKLOADS:
                rows.append(bl.record("pgbench", w, system, bl.shell_join(ddl),
                                      error="schema failed: " + bl.excerpt(out), params=PARAMS,
                                      setup=setup))
            return rows
    init = ["pgbench", "-i", "-s", str(SCALE), "-I", INIT_STEPS] + conn(port, user, db) + [db]
    setup.append(bl.shell_join(init))
    rc, out = bl.run(init, timeout=600 + SCALE * 120)
    if rc != 0:
        err = "pgbench -i failed: " + bl.excerpt(out)
        for w, _ in WORKLOADS:
            rows.append(bl.record("pgbench", w, system, bl.shell_join(init), error=err,
                                  params=PARAMS, setup=setup))
        return rows
    for w, extra in WORKLOADS:
        logdir = tempfile.mkdtemp(prefix="bench-pgbench-", dir=bl.TMP_ROOT)
        prefix = os.path.join(logdir, "pgb")
        try:
            cmd = (["pgbench", "-n", "-c", str(CLIENTS), "-j", str(JOBS), "-T", str(SECS),
                    "-M", "prepared"] + extra + conn(port, user, db) + [db])
            rc, out = bl.run(cmd + ["-l", f"--log-prefix={prefix}"], timeout=SECS + 180)
            m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
            failed = re.search(r"number of failed transactions: (\d+)", out)
            p95 = p95_from_logs(prefix)
            if rc != 0 or not m or p95 is None:
                rows.append(bl.record("pgbench", w, system, bl.shell_join(cmd),
                                      error=f"exit {rc}: " + bl.excerpt(out), params=PARAMS,
                                      setup=setup))
            else:
                metrics = {"tps": float(m.group(1)), "p95_ms": p95}
                if failed:
                    metrics["failed_tx"] = float(failed.group(1))
                rows.append(bl.record("pgbench", w, system, bl.shell_join(cmd),
                                      metrics=metrics, params=PARAMS, setup=setup))
        finally:
            shutil.rmtree(logdir, ignore_errors=True)
    return rows


def main():
    bl.check_micedb()
    print(f"pgbench: scale {SCALE}, {CLIENTS} clients, {JOBS} threads, {SECS} s, -M prepared, "
          f"schema {SCHEMA}, init steps {INIT_STEPS}")
    rows = []
    with bl.Micedb() as m:
        rows += bench_system("micedb", m.sql_port, "root", "defaultdb")
    if bl.pgserver.available():
        with bl.Postgres() as pg:
            rows += bench_system("postgres", pg.sql_port, "postgres", "postgres")
    else:
        print("pgbench: PostgreSQL 15 not installed; no baseline")
    bl.print_comparison(rows, ["postgres"], ["tps", "p95_ms"])


if __name__ == "__main__":
    main()
