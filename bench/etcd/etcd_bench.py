"""micedb's HTTP KV API vs etcd's v3 JSON gateway under the same kv workload.

Both are driven by `micedb workload run kv` (one keep-alive HTTP connection per worker):
`--http` speaks PUT/GET /v1/kv/workload/<n> to micedb, `--etcd` POSTs /v3/kv/put and
/v3/kv/range with base64 keys and values to etcd. Each system starts fresh; the write run
comes first, so the read run finds most keys present. Both sync their log on every write
(micedb's commits, etcd's WAL) with their defaults; etcd's ranges are linearizable (its
default) and pass through its gRPC gateway.

--nodes N: members per system. 1 today; the 3-node comparison (a 3-member etcd against a
3-node micedb cluster) follows once micedb's cluster lands.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../lib"))
import benchlib as bl  # noqa: E402
import etcdserver  # noqa: E402  (tests/e2e, on the path through benchlib)

DURATION = os.environ.get("BENCH_ETCD_DURATION", "10s")
CONCURRENCY = bl.env_int("BENCH_ETCD_CONCURRENCY", 16)
VALUE_SIZE = bl.env_int("BENCH_ETCD_VALUE_SIZE", 256)
KEYS = bl.env_int("BENCH_ETCD_KEYS", 10000)
WORKLOADS = [("kv 100% writes", 0), ("kv 95% reads", 95)]
RESULT = re.compile(r"^result: (.*)$", re.M)


def params(nodes):
    return {"nodes": nodes, "duration": DURATION, "concurrency": CONCURRENCY,
            "value_bytes": VALUE_SIZE, "keys": KEYS, "client": "micedb workload run kv"}


def bench_system(system, target_flag, target, nodes, log_tail):
    rows = []
    for name, read_percent in WORKLOADS:
        cmd = [bl.micedb_bin(), "workload", "run", "kv", target_flag, target,
               "--duration", DURATION, "--concurrency", str(CONCURRENCY),
               "--read-percent", str(read_percent), "--value-size", str(VALUE_SIZE),
               "--keys", str(KEYS)]
        rc, out = bl.run(cmd, timeout=600)
        shown = bl.shell_join([os.path.relpath(cmd[0], bl.ROOT)] + cmd[1:])
        m = RESULT.search(out)
        if rc != 0 or not m or "errors=0 " not in m.group(1):
            print(f"  {system} log, last lines:\n{log_tail()}", flush=True)
        if rc != 0 or not m:
            rows.append(bl.record("etcd", name, system, shown, params=params(nodes),
                                  error=f"exit {rc}: " + bl.excerpt(out)))
            continue
        f = dict(kv.split("=", 1) for kv in m.group(1).split())
        metrics = {"ops_per_s": float(f["ops_per_s"]), "p50_ms": float(f["p50_ms"]),
                   "p99_ms": float(f["p99_ms"])}
        if int(f["errors"]):
            metrics["ignored_errors"] = float(f["errors"])
        rows.append(bl.record("etcd", name, system, shown, metrics=metrics,
                              params=params(nodes)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=1, help="members per system (1 for now)")
    args = ap.parse_args()
    if args.nodes != 1:
        print("bench/etcd: --nodes %d needs micedb's cluster, which has not landed; only 1 runs "
              "today" % args.nodes, file=sys.stderr)
        return 2
    bl.check_micedb()
    if not etcdserver.available():
        print("bench/etcd: etcd not installed (scripts/deps.sh installs etcd-server)",
              file=sys.stderr)
        return 1
    print(f"etcd: kv workload, {CONCURRENCY} workers, {VALUE_SIZE}-byte values, {KEYS} keys, "
          f"{DURATION} each, {args.nodes} node(s)")
    rows = []
    with bl.Micedb() as m:
        rows += bench_system("micedb", "--http", f"127.0.0.1:{m.node.ports['http']}", args.nodes,
                             m.log_tail)
    e = etcdserver.Etcd(root=bl.TMP_ROOT)
    with e:
        rows += bench_system("etcd", "--etcd", e.url, args.nodes,
                             lambda: "\n".join(e.read_log().splitlines()[-20:]))
    bl.print_comparison(rows, ["etcd"], ["ops_per_s", "p50_ms", "p99_ms"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
