"""redis-benchmark side by side: micedb's RESP listener vs Redis 7 with the append-only file
synced on every write (appendfsync always, the same durability as micedb's synced commits)
and synced once a second (appendfsync everysec, Redis's usual setting).

SET and GET, 50 clients, pipeline 1 and 16, random keys over BENCH_REDIS_KEYSPACE.
"""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import benchlib as bl  # noqa: E402

REQUESTS = bl.env_int("BENCH_REDIS_REQUESTS", 50000)
CLIENTS = bl.env_int("BENCH_REDIS_CLIENTS", 50)
KEYSPACE = bl.env_int("BENCH_REDIS_KEYSPACE", 100000)
PIPELINES = [int(p) for p in os.environ.get("BENCH_REDIS_PIPELINES", "1 16").split()]
PARAMS = {"requests": REQUESTS, "clients": CLIENTS, "keyspace": KEYSPACE, "value_bytes": 3}


def bench_system(system, port):
    rows = []
    for p in PIPELINES:
        # Requests scale with the pipeline so each run lasts long enough to measure.
        n = REQUESTS * (4 if p > 1 else 1)
        cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", str(CLIENTS),
               "-n", str(n), "-r", str(KEYSPACE), "-P", str(p), "-t", "set,get", "--csv"]
        rc, out = bl.run(cmd, timeout=600)
        found = {}
        if rc == 0:
            for rec in csv.reader(io.StringIO(out)):
                if len(rec) >= 6 and rec[0] in ("SET", "GET"):
                    found[rec[0]] = {"rps": float(rec[1]), "p95_ms": float(rec[5])}
        for t in ("SET", "GET"):
            w = f"{t} -P {p}"
            if t in found:
                rows.append(bl.record("redis", w, system, bl.shell_join(cmd),
                                      metrics=found[t], params=dict(PARAMS, requests=n)))
            else:
                rows.append(bl.record("redis", w, system, bl.shell_join(cmd),
                                      error=f"exit {rc}: " + bl.excerpt(out),
                                      params=dict(PARAMS, requests=n)))
    return rows


def main():
    bl.check_micedb()
    print(f"redis: SET/GET, {CLIENTS} clients, pipelines {PIPELINES}, {REQUESTS} requests")
    rows = []
    with bl.Micedb() as m:
        rows += bench_system("micedb", m.resp_port)
    for fsync in ("always", "everysec"):
        with bl.Redis(fsync) as r:
            rows += bench_system(f"redis-{fsync}", r.port)
    bl.print_comparison(rows, ["redis-always", "redis-everysec"], ["rps", "p95_ms"])


if __name__ == "__main__":
    main()
