"""The network-namespace machinery of cluster.py, with standalone single-node micedb
processes (one per namespace, no --join): SQL reachable from the root namespace through
each node's veth; an isolated node becomes unreachable for clients and for its peers and
reachable again after heal; packet loss and the delay/slow-link qdisc apply and heal; kill
-9 and restart inside a namespace; stale namespaces of dead runs are swept; nothing is
left behind. Needs root, ip and iptables."""
import os
import subprocess
import sys

import psycopg
import pytest

import cluster as cl

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
