#!/usr/bin/python3
"""A stand-in for a multi-node `micedb`, to test the chaos harness itself before the real
cluster exists (test_fake_cluster.py). It speaks the CLI and HTTP contract the harness is
written against and keeps the data in ONE real micedb (FAKE_MICEDB_BACKEND=host:port of its
SQL listener; "@gw:PORT" means that port on the netns bridge's address), so it is linearizable by construction; killing or pausing a fake node makes
that node unreachable, as with a real one.

  fake_micedb.py start --data D --sql A --http A --resp A --rpc A --join R1,R2,R3
      SQL: every connection is relayed to the backend. HTTP: /health,
      /v1/cluster/nodes (ids 1..n in --join order; live = its RPC port accepts a
      connection) and /v1/cluster/ranges (one range per table of the backend; the
      leaseholder is the live node with the lowest id). RPC: a listener that accepts.
  fake_micedb.py init --rpc A     exit 0 once A accepts connections
  fake_micedb.py --help           mentions --join

Not a test of micedb: of cluster.py, nemesis.py, run.py and bench/failover.
"""
import http.server
import json
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tcpfwd  # noqa: E402

HELP = """usage: fake_micedb.py start|init [flags]
  --data --sql --http --resp --rpc --join (rpc addresses of all members)
"""


def flags(argv):
    out, i = {}, 0
    while i < len(argv):
        if argv[i].startswith("--") and i + 1 < len(argv):
            out[argv[i][2:]] = argv[i + 1]
            i += 2
        else:
            i += 1
    return out


def reachable(addr, timeout_s=0.3):
    try:
        socket.create_connection(tcpfwd.parse(addr), timeout=timeout_s).close()
        return True
    except OSError:
        return False


def listen(addr):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(tcpfwd.parse(addr))
    s.listen(256)
    return s


def backend_tables(backend):
    import psycopg
    host, port = tcpfwd.parse(backend)
    with psycopg.connect(host=host, port=port, user="root", dbname="defaultdb",
                         autocommit=True, connect_timeout=2) as conn:
        rows = conn.execute("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'public' ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def start(f):
    backend = os.environ["FAKE_MICEDB_BACKEND"]
    if backend.startswith("@gw:"):  # in a namespace: the bridge's address, x.y.z.1
        backend = f["rpc"].rsplit(".", 1)[0] + ".1:" + backend[4:]
    members = f["join"].split(",") if f.get("join") else [f["rpc"]]
    me = members.index(f["rpc"]) + 1

    def nodes():
        return [{"id": i + 1, "rpc_addr": a, "live": a == f["rpc"] or reachable(a),
                 "sql_addr": f["sql"] if a == f["rpc"] else "",
                 "http_addr": f["http"] if a == f["rpc"] else ""}
                for i, a in enumerate(members)]

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def do_GET(self):
            if self.path == "/health":
                body = {"status": "ok", "live": True, "ready": True}
            elif self.path == "/v1/cluster/nodes":
                body = nodes()
            elif self.path == "/v1/cluster/ranges":
                live = [x["id"] for x in nodes() if x["live"]]
                body = [{"range_id": i + 1, "start_key": t, "end_key": t + "\xff", "table": t,
                         "replicas": [x + 1 for x in range(len(members))],
                         "leaseholder": min(live), "term": 1}
                        for i, t in enumerate(backend_tables(backend))]
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    rpc = listen(f["rpc"])
    threading.Thread(target=lambda: [rpc.accept()[0].close() for _ in iter(int, 1)],
                     daemon=True).start()
    sql = listen(f["sql"])
    threading.Thread(target=tcpfwd.serve, args=(sql, tcpfwd.parse(backend)),
                     daemon=True).start()
    httpd = http.server.ThreadingHTTPServer(tcpfwd.parse(f["http"]), Handler)
    print(f"fake micedb node {me} of {len(members)} ready", flush=True)
    httpd.serve_forever()


def init(f):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if reachable(f["rpc"]):
            print("cluster initialized")
            return 0
        time.sleep(0.1)
    print("init: no node at " + f["rpc"], file=sys.stderr)
    return 1


def main(argv):
    if not argv or argv[0] in ("--help", "help"):
        print(HELP)
        return 0
    f = flags(argv[1:])
    if argv[0] == "start":
        start(f)
        return 0
    if argv[0] == "init":
        return init(f)
    print(HELP, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
