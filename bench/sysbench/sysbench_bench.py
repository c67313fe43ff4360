"""sysbench OLTP side by side: micedb vs PostgreSQL 15 (fsync=on, synchronous_commit=on).

For each system: start it fresh, `sysbench oltp_common prepare`, run each workload for
BENCH_SYSBENCH_TIME seconds, stop it. A workload that fails is recorded as FAILED with an
excerpt of sysbench's error; the run goes on. During micedb's oltp_point_select run,
`perf record -g` samples micedb (bench/results/perf_point_select.txt, top symbols).
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import benchlib as bl  # noqa: E402

WORKLOADS = os.environ.get("BENCH_SYSBENCH_WORKLOADS",
                           "oltp_point_select oltp_read_only oltp_read_write oltp_insert").split()
TABLES = bl.env_int("BENCH_SYSBENCH_TABLES", 4)
SIZE = bl.env_int("BENCH_SYSBENCH_TABLE_SIZE", 10000)
SECS = bl.env_int("BENCH_SYSBENCH_TIME", 10)
THREADS = bl.env_int("BENCH_SYSBENCH_THREADS", 8)
PARAMS = {"tables": TABLES, "table_size": SIZE, "time_s": SECS, "threads": THREADS}


def base_cmd(workload, port, user, db):
    return ["sysbench", workload, "--db-driver=pgsql", "--pgsql-host=127.0.0.1",
            f"--pgsql-port={port}", f"--pgsql-user={user}", f"--pgsql-db={db}",
            f"--tables={TABLES}", f"--table-size={SIZE}", f"--threads={THREADS}"]


def parse(out):
    def num(pattern):
        m = re.search(pattern, out)
        return float(m.group(1)) if m else None
    tps = num(r"transactions:\s+\d+\s+\(([\d.]+) per sec")
    qps = num(r"queries:\s+\d+\s+\(([\d.]+) per sec")
    p95 = num(r"95th percentile:\s+([\d.]+)")
    ign = num(r"ignored errors:\s+(\d+)")
    if tps is None or qps is None or p95 is None:
        return None
    return {"tps": tps, "qps": qps, "p95_ms": p95, "ignored_errors": ign or 0.0}


def bench_system(system, port, user, db, pid=None):
    rows = []
    prep = base_cmd("oltp_common", port, user, db) + ["prepare"]
    rc, out = bl.run(prep, timeout=600 + SIZE * TABLES // 100)
    if rc != 0:
        err = "prepare failed: " + bl.excerpt(out)
        for w in WORKLOADS:
            rows.append(bl.record("sysbench", w, system, bl.shell_join(prep), error=err,
                                  params=PARAMS, setup=[bl.shell_join(prep)]))
        return rows
    for w in WORKLOADS:
        cmd = base_cmd(w, port, user, db) + [f"--time={SECS}", "--percentile=95",
                                              "--report-interval=0", "run"]
        perf = None
        if system == "micedb" and w == "oltp_point_select" and pid:
            perf = bl.perf_record(pid, max(SECS - 2, 1), PERF_DATA)
        rc, out = bl.run(cmd, timeout=SECS + 180)
        if perf:
            try:
                perf.wait()
                bl.perf_top_symbols(PERF_DATA, PERF_TXT)
            except OSError as e:
                print(f"sysbench: perf profile failed: {e}")
            finally:
                if os.path.exists(PERF_DATA):
                    os.unlink(PERF_DATA)
        m = parse(out) if rc == 0 else None
        if m is None:
            rows.append(bl.record("sysbench", w, system, bl.shell_join(cmd),
                                  error=f"exit {rc}: " + bl.excerpt(out), params=PARAMS,
                                  setup=[bl.shell_join(prep)]))
        else:
            rows.append(bl.record("sysbench", w, system, bl.shell_join(cmd), metrics=m,
                                  params=PARAMS, setup=[bl.shell_join(prep)]))
    bl.run(base_cmd("oltp_common", port, user, db) + ["cleanup"], timeout=300)
    return rows


PERF_DATA = os.path.join(bl.TMP_ROOT, f"bench-perf-{os.getpid()}.data")
PERF_TXT = os.path.join(os.path.dirname(bl.RESULTS), "perf_point_select.txt")


def main():
    bl.check_micedb()
    print(f"sysbench: {WORKLOADS}, {TABLES} tables x {SIZE} rows, {THREADS} threads, {SECS} s")
    rows = []
    with bl.Micedb() as m:
        rows += bench_system("micedb", m.sql_port, "root", "defaultdb", pid=m.pid)
    if bl.pgserver.available():
        with bl.Postgres() as pg:
            rows += bench_system("postgres", pg.sql_port, "postgres", "postgres")
    else:
        print("sysbench: PostgreSQL 15 not installed; no baseline")
    bl.print_comparison(rows, ["postgres"], ["tps", "qps", "p95_ms"])


if __name__ == "__main__":
    main()
