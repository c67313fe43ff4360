"""The network-namespace machinery of cluster.py, with standalone single-node micedb
processes (one per namespace, no --join): SQL reachable from the root namespace through
each node's veth; an isolated node becomes unreachable for clients and for its peers and
reachable again after heal; packet loss and the delay/slow-link qdisc apply and heal; kill
-9 and restart inside a namespace; stale namespaces of dead runs are swept; nothing is
left behind. Then run.py with three fake_micedb.py nodes in namespaces (--join, init over
the bridge, partitions, loss, slow link, kills). Needs root, ip and iptables."""
import os
import subprocess
import sys

import psycopg
import pytest

import cluster as cl
import test_fake_cluster as fake

HERE = os.path.dirname(os.path.abspath(__file__))

CONNECT_TIMEOUT_S = 2


def sql_ok(c, i):
    host, port = c.sql_addr(i)
    try:
        with psycopg.connect(host=host, port=port, user="root", dbname="defaultdb",
                             connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


def peer_reaches(c, frm, to):
    """A TCP connect from inside node frm's namespace to node to's SQL forwarder."""
    host, port = c.sql_addr(to)
    code = (f"import socket; socket.create_connection(('{host}', {port}), "
            f"timeout={CONNECT_TIMEOUT_S}).close()")
    r = c.net.exec(frm, sys.executable, "-c", code, check=False)
    return r.returncode == 0


@pytest.fixture
def three():
    c = cl.Cluster(3, mode="netns", standalone=True).start()
    yield c
    c.stop()


def test_reachable_partition_heal(three):
    c = three
    assert all(sql_ok(c, i) for i in range(3))
    assert peer_reaches(c, 1, 0) and peer_reaches(c, 0, 2)
    st, body = c.http(0, "/health")
    assert st == 200 and body["ready"] is True

    c.net.isolate(0, clients=True)
    assert "DROP" in c.net.rules(0)
    assert not sql_ok(c, 0)
    assert not peer_reaches(c, 1, 0)
    assert not peer_reaches(c, 0, 1)
    assert sql_ok(c, 1) and peer_reaches(c, 1, 2)

    c.net.heal()
    assert "DROP" not in c.net.rules(0)
    assert sql_ok(c, 0) and peer_reaches(c, 1, 0) and peer_reaches(c, 0, 1)

    # Majority/minority split that still lets clients reach everyone.
    c.net.partition([[0, 1], [2]])
    assert peer_reaches(c, 0, 1) and not peer_reaches(c, 0, 2) and not peer_reaches(c, 2, 1)
    assert sql_ok(c, 2)
    c.net.heal()
    assert peer_reaches(c, 0, 2)


def test_loss_and_delay_apply_and_heal(three):
    c = three
    c.net.loss(1, 100)
    assert not sql_ok(c, 1)
    c.net.heal(1)
    assert sql_ok(c, 1)
    what = c.net.delay(2, 200, 50)
    qd = c.net.exec(2, "tc", "qdisc", "show", "dev", "eth0").stdout
    assert ("netem" in qd) if c.net.netem else ("tbf" in qd), (what, qd)
    assert sql_ok(c, 2)
    c.net.heal(2)
    qd = c.net.exec(2, "tc", "qdisc", "show", "dev", "eth0").stdout
    assert "netem" not in qd and "tbf" not in qd


def test_kill9_and_restart_in_a_namespace(three):
    c = three
    pid = c.kill9(1)
    assert not cl.pid_alive(pid) or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
    assert not sql_ok(c, 1)
    c.restart(1)
    assert sql_ok(c, 1)
    c.pause(2)
    assert not c.healthy(2)
    c.resume(2)
    c.wait_healthy([2], timeout_s=30)


def test_cleanup_and_stale_sweep():
    c = cl.Cluster(2, mode="netns", standalone=True).start()
    tag = c.net.tag
    pids = [nd.proc.pid for nd in c.nodes] + [p.pid for p in c.forwarders.values()]
    c.stop()
    assert tag not in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                     text=True).stdout
    assert tag not in subprocess.run(["ip", "link", "show"], capture_output=True,
                                     text=True).stdout
    for p in pids:
        assert not cl.pid_alive(p)

    # A namespace and a bridge left by a run whose PID is gone are swept; ours are kept.
    dead = 4194000
    while cl.pid_alive(dead):
        dead -= 1
    stale_ns, stale_br = f"{cl.PREFIX}{dead}an0", f"{cl.PREFIX}{dead}abr"
    mine = f"{cl.PREFIX}{os.getpid()}zn7"
    cl.run(["ip", "netns", "add", stale_ns])
    cl.run(["ip", "netns", "add", mine])
    cl.run(["ip", "link", "add", stale_br, "type", "bridge"])
    try:
        cl.sweep_stale()
        names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert stale_ns not in names and mine in names
        links = subprocess.run(["ip", "link", "show"], capture_output=True, text=True).stdout
        assert stale_br not in links
    finally:
        cl.run(["ip", "netns", "del", mine], check=False)
        cl.run(["ip", "netns", "del", stale_ns], check=False)
        cl.run(["ip", "link", "del", stale_br], check=False)


def test_fake_cluster_in_namespaces_with_partitions():
    # The backend is reached from the namespaces through a forwarder on every address of
    # the root namespace (so micedb still sees a loopback peer). Seed 6 schedules kill,
    # delay, split, loss and isolate in its first 25 nominal seconds.
    gen = fake.backend_env()
    env = next(gen)
    port = int(env["FAKE_MICEDB_BACKEND"].rsplit(":", 1)[1])
    fwd_port = cl.harness.free_port()
    fwd = subprocess.Popen([sys.executable, os.path.join(HERE, "tcpfwd.py"),
                            f"0.0.0.0:{fwd_port}=127.0.0.1:{port}"], stdout=subprocess.PIPE,
                           text=True)
    try:
        assert "forwarding" in fwd.stdout.readline()
        e = dict(env, FAKE_MICEDB_BACKEND=f"@gw:{fwd_port}")
        rc, out = fake.run(e, "--nodes", "3", "--netns", "--duration", "30", "--seed", "6",
                           "--faults", "isolate,split,loss,delay,kill")
        assert rc == 0, out
        for fault in ("isolate n", "split [", "loss ", "kill -9"):
            assert fault in out, (fault, out)
    finally:
        fwd.kill()
        fwd.wait()
        gen.close()
