"""Start and stop an N-node cluster of real micedb processes, on loopback or in network
namespaces, for chaos tests and the failover benchmark.

Each member is a tests/e2e/harness.py Node (the one place that knows how to start, wait
for and stop a micedb process by PID); this module adds the cluster around it:

  loopback  every node on 127.0.0.1 with its own free ports. Faults: kill -9, pause
            (SIGSTOP), restart. No network faults (one shared network stack).
  netns     node i runs in its own network namespace <PREFIX><pid><c>n<i> (c: a letter per
            cluster of this process) with a veth pair to a bridge <PREFIX><pid><c>br in the
            root namespace; the bridge is 10.213.S.1/24 and node i is 10.213.S.(11+i).
            RPC listens on the node's address. SQL and HTTP listen on 127.0.0.1 inside the
            namespace (micedb's development mode serves only loopback peers) and a forwarder
            in the namespace (tcpfwd.py) exposes them on the node's address, so clients in
            the root namespace cross the veth. Network faults are
            iptables rules in a chain of the node's namespace (INPUT only, so a partition is
            a silent drop, as a real one is) and tc qdiscs on the node's veth.

Start-up: every node gets --join with the RPC addresses of all members (same list for all),
then `micedb init --rpc <first>` bootstraps the cluster, then /v1/cluster/nodes must list
every node live. A single node (n=1), or n standalone nodes (standalone=True, to test the
harness itself), are started without --join and need no init.

Cleanup always happens: Cluster.stop() is registered with atexit and with SIGINT, SIGTERM
and SIGHUP handlers; it stops every process it started by PID and deletes its namespaces and
bridge. Creating a netns cluster first sweeps stale namespaces and links carrying PREFIX
whose creator PID is gone (left by a run that was kill -9'd).

Thread safety: a Cluster is driven by one thread (the nemesis or the test); http_get() and
the address getters may be called from client threads.
"""
import atexit
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402  (tests/e2e/harness.py: Node, BIN)

PREFIX = "mch"
SUBNET_FIRST = 213           # 10.213.S.0/24
NS_PORTS = {"sql": 5433, "http": 8080, "resp": 6380, "rpc": 7070}
LOSS_CHAIN = "MICECHAOS-LOSS"
PART_CHAIN = "MICECHAOS"
START_TIMEOUT_S = 60


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd, check=True, timeout=30):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    return r


def binary_supports_cluster(bin_path=None):
    """True when this micedb's --help mentions --join (the multi-node cluster is wired)."""
    try:
        r = subprocess.run([bin_path or harness.BIN, "--help"], capture_output=True, text=True,
                           timeout=30)
    except OSError:
        return False
    return "--join" in r.stdout + r.stderr


def http_get(host, port, path, timeout_s=2.0):
    """(status, body as JSON if it parses, else text); raises OSError when unreachable."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read().decode(errors="replace")
    finally:
        conn.close()
    try:
        return r.status, json.loads(body)
    except ValueError:
        return r.status, body


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(prefix=PREFIX):
    """Delete namespaces and links named <prefix><pid>... whose creating process is gone,
    after killing (by PID) the processes still running inside those namespaces."""
    pat = re.compile(rf"^{re.escape(prefix)}(\d+)[a-z](n\d+|br|h\d+|p\d+)$")
    r = run(["ip", "netns", "list"], check=False)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = pat.match(name)
        if not m or pid_alive(int(m.group(1))):
            continue
        pids = run(["ip", "netns", "pids", name], check=False).stdout.split()
        for p in pids:
            try:
                os.kill(int(p), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        run(["ip", "netns", "del", name], check=False)
        log(f"swept stale namespace {name} ({len(pids)} processes)")
    r = run(["ip", "-o", "link", "show"], check=False)
    for line in r.stdout.splitlines():
        parts = line.split(":")
        if len(parts) < 2:
            continue
        name = parts[1].strip().split("@")[0]
        m = pat.match(name)
        if m and not pid_alive(int(m.group(1))):
            run(["ip", "link", "del", name], check=False)
            log(f"swept stale link {name}")


def netem_available(tag):
    """The kernel has sch_netem (tc ... netem delay/loss); probed in a throwaway namespace."""
    ns = f"{tag}n99"
    run(["ip", "netns", "add", ns])
    try:
        r = run(["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", "lo", "root", "netem",
                 "delay", "1ms"], check=False)
        return r.returncode == 0
    finally:
        run(["ip", "netns", "del", ns], check=False)


_netns_count = 0


class Netns:
    """The namespaces, veths and bridge of one cluster, and the faults applied to them."""

    def __init__(self, n):
        self.n = n
        global _netns_count
        self.tag = f"{PREFIX}{os.getpid()}{chr(ord('a') + _netns_count % 26)}"
        _netns_count += 1
        self.bridge = f"{self.tag}br"
        self.subnet = self._free_subnet()
        self.gateway = f"{self.subnet}.1"
        self.netem = False
        self.created = []          # namespaces created, for teardown

    @staticmethod
    def _free_subnet():
        used = run(["ip", "-o", "-4", "addr", "show"], check=False).stdout
        for k in range(256):
            s = f"10.{SUBNET_FIRST}.{(os.getpid() + k) % 256}"
            if f" {s}." not in used:
                return s
        raise RuntimeError("no free 10.213.x.0/24 subnet")

    def ns(self, i):
        return f"{self.tag}n{i}"

    def ip(self, i):
        return f"{self.subnet}.{11 + i}"

    def exec(self, i, *cmd, check=True):
        return run(["ip", "netns", "exec", self.ns(i), *cmd], check=check)

    def setup(self):
        sweep_stale()
        self.netem = netem_available(self.tag)
        run(["ip", "link", "add", self.bridge, "type", "bridge"])
        run(["ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge])
        run(["ip", "link", "set", self.bridge, "up"])
        for i in range(self.n):
            ns, host_end, peer = self.ns(i), f"{self.tag}h{i}", f"{self.tag}p{i}"
            run(["ip", "netns", "add", ns])
            self.created.append(ns)
            run(["ip", "link", "add", host_end, "type", "veth", "peer", "name", peer])
            run(["ip", "link", "set", peer, "netns", ns])
            run(["ip", "link", "set", host_end, "master", self.bridge])
            run(["ip", "link", "set", host_end, "up"])
            run(["ip", "-n", ns, "link", "set", peer, "name", "eth0"])
            run(["ip", "-n", ns, "addr", "add", f"{self.ip(i)}/24", "dev", "eth0"])
            run(["ip", "-n", ns, "link", "set", "eth0", "up"])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])
            for chain in (PART_CHAIN, LOSS_CHAIN):
                self.exec(i, "iptables", "-N", chain)
                self.exec(i, "iptables", "-A", "INPUT", "-j", chain)
        log(f"netns: {self.n} namespaces {self.ns(0)}.. on bridge {self.bridge} "
            f"{self.gateway}/24; netem {'available' if self.netem else 'NOT in this kernel'}")

    def teardown(self):
        for i in range(len(self.created)):
            run(["ip", "link", "del", f"{self.tag}h{i}"], check=False)
        for ns in self.created:
            run(["ip", "netns", "del", ns], check=False)
        self.created = []
        run(["ip", "link", "del", self.bridge], check=False)

    # --- faults -----------------------------------------------------------------------

    def block(self, i, sources):
        """Node i drops every packet from the given addresses (INPUT, silently)."""
        for src in sources:
            self.exec(i, "iptables", "-A", PART_CHAIN, "-s", src, "-j", "DROP")

    def partition(self, groups, clients_reach=None):
        """Only members of the same group talk. clients_reach: the node indexes the root
        namespace (clients, tools) can still reach; None = all of them."""
        group_of = {i: g for g, members in enumerate(groups) for i in members}
        for i in range(self.n):
            others = [self.ip(j) for j in range(self.n)
                      if j != i and group_of.get(j) != group_of.get(i)]
            if clients_reach is not None and i not in clients_reach:
                others.append(self.gateway)
            self.block(i, others)

    def isolate(self, i, clients=False):
        rest = [j for j in range(self.n) if j != i]
        self.partition([[i], rest], clients_reach=None if not clients else rest)

    def loss(self, i, percent):
        if self.netem:
            self.exec(i, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem", "loss",
                      f"{percent}%")
        else:
            self.exec(i, "iptables", "-A", LOSS_CHAIN, "-m", "statistic", "--mode", "random",
                      "--probability", f"{percent / 100:.4f}", "-j", "DROP")

    def delay(self, i, ms, jitter_ms=0):
        """netem delay when the kernel has it; otherwise a slow link (tbf at a low rate),
        which delays only as its queue fills. Returns what was applied."""
        if self.netem:
            self.exec(i, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem", "delay",
                      f"{ms}ms", f"{jitter_ms}ms")
            return f"delay {ms}ms+-{jitter_ms}ms"
        self.exec(i, "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", "256kbit",
                  "burst", "4kb", "latency", f"{max(ms, 50) * 4}ms")
        return "slow link 256kbit (no netem in this kernel)"

    def heal(self, i=None):
        for j in range(self.n) if i is None else [i]:
            self.exec(j, "iptables", "-F", PART_CHAIN, check=False)
            self.exec(j, "iptables", "-F", LOSS_CHAIN, check=False)
            self.exec(j, "tc", "qdisc", "del", "dev", "eth0", "root", check=False)

    def rules(self, i):
        return self.exec(i, "iptables", "-S", PART_CHAIN).stdout


_live = []
_live_lock = threading.Lock()
_hooks_installed = False


def _stop_all(*_):
    with _live_lock:
        clusters = list(_live)
    for c in clusters:
        c.stop()


def _on_signal(sig, _frame):
    _stop_all()
    signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)


def _install_hooks():
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_stop_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _on_signal)


class Cluster:
    def __init__(self, n, mode="loopback", workdir=None, extra_args=(), bin_path=None,
                 standalone=False):
        assert mode in ("loopback", "netns"), mode
        assert n >= 1
        self.n, self.mode = n, mode
        if bin_path:
            harness.BIN = bin_path  # Node.args() reads it
        self.bin = harness.BIN
        self.workdir = workdir or os.path.join(harness.TMP_ROOT, f"chaos-{os.getpid()}")
        self.extra_args = list(extra_args)
        self.net = Netns(n) if mode == "netns" else None
        self.nodes = []
        self.forwarders = {}
        self.paused = set()
        self.stopped = False
        self.standalone = standalone or n == 1  # independent single nodes: no --join, no init

    # --- addresses --------------------------------------------------------------------

    def sql_addr(self, i):
        """(host, port) a root-namespace client connects to."""
        nd = self.nodes[i]
        if self.net:
            return self.net.ip(i), nd.ports["sql"]
        return nd.hosts["sql"], nd.ports["sql"]

    def http_addr(self, i):
        nd = self.nodes[i]
        if self.net:
            return self.net.ip(i), nd.ports["http"]
        return nd.hosts["http"], nd.ports["http"]

    def rpc_addr(self, i):
        return self.nodes[i].addr("rpc")

    def http(self, i, path, timeout_s=2.0):
        host, port = self.http_addr(i)
        return http_get(host, port, path, timeout_s)

    # --- lifecycle --------------------------------------------------------------------

    def _make_nodes(self):
        os.makedirs(self.workdir, exist_ok=True)
        for i in range(self.n):
            if self.net:
                hosts = {"sql": "127.0.0.1", "http": "127.0.0.1", "resp": "127.0.0.1",
                         "rpc": self.net.ip(i)}
                ports, wrap = dict(NS_PORTS), ["ip", "netns", "exec", self.net.ns(i)]
            else:
                hosts, ports, wrap = None, None, ()
            nd = harness.Node(data_dir=os.path.join(self.workdir, f"n{i}", "data"),
                              hosts=hosts, ports=ports, wrap=wrap)
            shutil.rmtree(nd.tmp, ignore_errors=True)
            nd.tmp = os.path.join(self.workdir, f"n{i}")
            os.makedirs(nd.tmp, exist_ok=True)
            nd.log_path = os.path.join(nd.tmp, "micedb.log")
            self.nodes.append(nd)
        if not self.standalone:
            join = ",".join(nd.addr("rpc") for nd in self.nodes)
            for nd in self.nodes:
                nd.extra_args = ["--join", join]
        for nd in self.nodes:
            nd.extra_args += self.extra_args

    def _start_forwarder(self, i):
        nd = self.nodes[i]
        specs = [f"{self.net.ip(i)}:{nd.ports[k]}=127.0.0.1:{nd.ports[k]}" for k in ("sql", "http")]
        p = subprocess.Popen(["ip", "netns", "exec", self.net.ns(i), sys.executable,
                              os.path.join(HERE, "tcpfwd.py"), *specs],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = p.stdout.readline()
        if "forwarding" not in line:
            p.kill()
            raise RuntimeError(f"forwarder in {self.net.ns(i)}: {line}{p.stdout.read()}")
        self.forwarders[i] = p

    def start(self, timeout_s=START_TIMEOUT_S):
        _install_hooks()
        with _live_lock:
            _live.append(self)
        if self.net:
            self.net.setup()
        self._make_nodes()
        for i, nd in enumerate(self.nodes):
            if self.net:
                self._start_forwarder(i)
            self._launch(i)
        if not self.standalone:
            self.init_cluster(timeout_s)
        self.wait_healthy(timeout_s=timeout_s)
        log(f"cluster of {self.n} ({self.mode}) up: "
            + ", ".join(f"n{i} sql {self._fmt(self.sql_addr(i))}" for i in range(self.n)))
        return self

    @staticmethod
    def _fmt(hp):
        return f"{hp[0]}:{hp[1]}"

    def _launch(self, i):
        self.nodes[i].start(wait_for=None)

    def init_cluster(self, timeout_s):
        deadline = time.monotonic() + timeout_s
        while True:
            r = run([self.bin, "init", "--rpc", self.rpc_addr(0)], check=False, timeout=timeout_s)
            if r.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"micedb init failed: {r.stdout}{r.stderr}")
            time.sleep(0.5)
        while time.monotonic() < deadline:
            try:
                st, body = self.http(0, "/v1/cluster/nodes")
                if st == 200 and isinstance(body, list) and \
                        sum(1 for x in body if x.get("live")) == self.n:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"/v1/cluster/nodes does not list {self.n} live nodes")

    def healthy(self, i):
        if not self.nodes[i].running() or i in self.paused:
            return False
        try:
            st, body = self.http(i, "/health", timeout_s=1.0)
        except OSError:
            return False
        return st == 200 and (not isinstance(body, dict) or body.get("ready", True))

    def wait_healthy(self, which=None, timeout_s=START_TIMEOUT_S):
        which = range(self.n) if which is None else which
        deadline = time.monotonic() + timeout_s
        for i in which:
            while not self.healthy(i):
                nd = self.nodes[i]
                if not nd.running():
                    raise RuntimeError(f"n{i} exited {nd.proc.returncode}:\n"
                                       f"{nd.read_log(nd.log_start)[-3000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"n{i} not healthy after {timeout_s}s:\n"
                                       f"{nd.read_log(nd.log_start)[-3000:]}")
                time.sleep(0.1)

    def kill9(self, i):
        nd = self.nodes[i]
        pid = nd.proc.pid
        nd.kill9()
        self.paused.discard(i)
        return pid

    def restart(self, i, wait=True, timeout_s=START_TIMEOUT_S):
        assert not self.nodes[i].running()
        self._launch(i)
        if wait:
            self.wait_healthy([i], timeout_s)

    def pause(self, i):
        self.nodes[i].proc.send_signal(signal.SIGSTOP)
        self.paused.add(i)

    def resume(self, i):
        if self.nodes[i].running():
            self.nodes[i].proc.send_signal(signal.SIGCONT)
        self.paused.discard(i)

    def cluster_nodes(self, via=None):
        for i in ([via] if via is not None else range(self.n)):
            try:
                st, body = self.http(i, "/v1/cluster/nodes")
                if st == 200:
                    return body
            except OSError:
                continue
        return None

    def ranges(self, via=None):
        for i in ([via] if via is not None else range(self.n)):
            try:
                st, body = self.http(i, "/v1/cluster/ranges")
                if st == 200:
                    return body
            except OSError:
                continue
        return None

    def index_of(self, node_id):
        """Our index of the cluster's node id (matched by RPC address)."""
        for x in self.cluster_nodes() or []:
            if x.get("id") == node_id:
                for i in range(self.n):
                    if x.get("rpc_addr") == self.rpc_addr(i):
                        return i
        return None

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        if self.net:
            self.net.heal()
        for i, nd in enumerate(self.nodes):
            self.resume(i)
            try:
                nd.stop(grace_s=15)
            except AssertionError as e:  # ignored SIGTERM: it was SIGKILLed; say so
                log(f"n{i}: {str(e).splitlines()[0]}")
            except OSError:
                pass
        for p in self.forwarders.values():
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.net:
            self.net.teardown()
        with _live_lock:
            if self in _live:
                _live.remove(self)

    def logs_tail(self, chars=2000):
        out = []
        for i, nd in enumerate(self.nodes):
            try:
                out.append(f"--- n{i} log ({nd.log_path}) ---\n{nd.read_log()[-chars:]}")
            except OSError:
                pass
        return "\n".join(out)
