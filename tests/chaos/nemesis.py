"""The nemesis: faults injected into a running cluster.py Cluster on a randomized schedule.

Faults (one at a time; each is held for a while, then healed, then the cluster gets a quiet
period before the next):
  kill      kill -9 one node (the leaseholder of a random range when /v1/cluster/ranges
            names one, else a random node), restart it after the hold, wait for /health
  pause     SIGSTOP one node, SIGCONT after the hold (a frozen process: GC pause, VM stall)
  isolate   (netns) one node cannot talk to the others; with clients=True the clients
            cannot reach it either
  split     (netns) the nodes split into a majority and a minority that cannot talk
  loss      (netns) one node drops a share of its incoming packets
  delay     (netns) netem delay on one node's link (a slow link where the kernel has no netem)

The schedule is drawn up front from the seed alone (which fault, which node, how long), so
the same --seed gives the same faults in the same order; only their effect on timing
varies. The nemesis stops after its duration and heal_all() leaves every node running,
reachable and healthy. Every applied fault is logged with its monotonic time so reports can
line faults up with the client history.

Thread safety: a Nemesis runs on one thread (its own); stop() may be called from another.
"""
import random
import threading
import time

import cluster as cl

LOOPBACK_FAULTS = ("kill", "pause")
NETNS_FAULTS = ("kill", "pause", "isolate", "split", "loss", "delay")


class Step:
    def __init__(self, fault, target, hold_s, quiet_s, param):
        self.fault, self.target, self.hold_s, self.quiet_s, self.param = \
            fault, target, hold_s, quiet_s, param

    def __repr__(self):
        return (f"{self.fault}(n{self.target}, {self.param}) hold {self.hold_s:.1f}s "
                f"quiet {self.quiet_s:.1f}s")


def available_faults(c):
    faults = NETNS_FAULTS if c.net else LOOPBACK_FAULTS
    if c.n == 1:
        faults = tuple(f for f in faults if f != "split")
    return faults


def make_schedule(seed, n, faults, duration_s, hold_s=(1.0, 6.0), quiet_s=(1.0, 4.0)):
    """The list of Steps whose nominal hold + quiet times fill duration_s."""
    rnd = random.Random(seed)
    steps, t = [], 0.0
    while t < duration_s:
        fault = rnd.choice(faults)
        target = rnd.randrange(n)
        param = None
        if fault == "isolate":
            param = {"clients": rnd.random() < 0.5}
        elif fault == "split":
            order = list(range(n))
            rnd.shuffle(order)
            minority = (n - 1) // 2
            param = {"groups": [sorted(order[minority:]), sorted(order[:minority])]}
        elif fault == "loss":
            param = {"percent": rnd.choice([5, 20, 50, 100])}
        elif fault == "delay":
            param = {"ms": rnd.choice([20, 100, 300]), "jitter_ms": rnd.choice([0, 10, 50])}
        elif fault == "kill":
            param = {"leaseholder": rnd.random() < 0.7, "pick": rnd.random()}
        s = Step(fault, target, rnd.uniform(*hold_s), rnd.uniform(*quiet_s), param)
        steps.append(s)
        t += s.hold_s + s.quiet_s
    return steps


class Nemesis:
    def __init__(self, cluster, seed, duration_s, faults=None, log=cl.log):
        self.c = cluster
        self.seed = seed
        self.duration_s = duration_s
        self.faults = tuple(faults or available_faults(cluster))
        self.schedule = make_schedule(seed, cluster.n, self.faults, duration_s)
        self.events = []            # (monotonic time, text)
        self.error = None           # an exception that stopped the nemesis (a finding)
        self.killed = set()         # nodes this nemesis killed and has not restarted yet
        self.unexpected_exits = []  # (node, exit code): deaths the nemesis did not cause
        self.log = log
        self._stop = threading.Event()
        self._thread = None

    def note(self, text):
        self.events.append((time.monotonic(), text))
        self.log(f"nemesis: {text}")

    def start(self):
        self._thread = threading.Thread(target=self._run, name="nemesis", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _sleep(self, s):
        return self._stop.wait(s)

    def _run(self):
        t_end = time.monotonic() + self.duration_s
        try:
            for step in self.schedule:
                if self._stop.is_set() or time.monotonic() >= t_end:
                    break
                self.check_alive()
                if any(not nd.running() for nd in self.c.nodes):
                    self.heal_all()  # restart what died on its own before the next fault
                self.apply(step)
                self._sleep(min(step.hold_s, max(0.0, t_end - time.monotonic())))
                self.heal(step)
                if self._sleep(step.quiet_s):
                    break
        except Exception as e:  # a node that does not come back is a finding, not a crash
            self.error = e
            self.note(f"error: {e!r}")

    def _kill_target(self, step):
        if not step.param["leaseholder"]:
            return step.target
        ranges = self.c.ranges() or []
        holders = [r.get("leaseholder") for r in ranges if r.get("leaseholder") is not None]
        if not holders:
            return step.target
        node_id = holders[int(step.param["pick"] * len(holders))]
        i = self.c.index_of(node_id)
        return step.target if i is None else i

    def apply(self, step):
        c, f = self.c, step.fault
        if f == "kill":
            step.applied_to = self._kill_target(step)
            self.check_alive()
            self.killed.add(step.applied_to)
            pid = c.kill9(step.applied_to)
            self.note(f"kill -9 n{step.applied_to} (pid {pid})")
        elif f == "pause":
            step.applied_to = step.target
            c.pause(step.target)
            self.note(f"SIGSTOP n{step.target}")
        elif f == "isolate":
            c.net.isolate(step.target, clients=step.param["clients"])
            self.note(f"isolate n{step.target}"
                      + (" (clients cut off too)" if step.param["clients"] else ""))
        elif f == "split":
            c.net.partition(step.param["groups"])
            self.note(f"split {step.param['groups']}")
        elif f == "loss":
            c.net.loss(step.target, step.param["percent"])
            self.note(f"loss {step.param['percent']}% into n{step.target}")
        elif f == "delay":
            what = c.net.delay(step.target, step.param["ms"], step.param["jitter_ms"])
            self.note(f"{what} on n{step.target}")

    def heal(self, step):
        c, f = self.c, step.fault
        if f == "kill":
            c.restart(step.applied_to)
            self.killed.discard(step.applied_to)
            self.note(f"restarted n{step.applied_to}, healthy")
        elif f == "pause":
            c.resume(step.applied_to)
            self.note(f"SIGCONT n{step.applied_to}")
        else:
            c.net.heal()
            self.note("healed network")

    def check_alive(self):
        """Record nodes that died without the nemesis killing them (a crash is a finding;
        the exit code tells a crash from a signal sent by someone else)."""
        for i, nd in enumerate(self.c.nodes):
            if i not in self.killed and nd.proc is not None and nd.proc.poll() is not None:
                code = nd.proc.returncode
                if (i, nd.proc.pid) not in [(x[0], x[2]) for x in self.unexpected_exits]:
                    self.unexpected_exits.append((i, code, nd.proc.pid))
                    self.note(f"n{i} (pid {nd.proc.pid}) exited on its own with code {code}")

    def heal_all(self, timeout_s=cl.START_TIMEOUT_S):
        """Every fault undone: network healed, paused nodes resumed, dead nodes restarted."""
        self.check_alive()
        if self.c.net:
            self.c.net.heal()
        for i, nd in enumerate(self.c.nodes):
            self.c.resume(i)
            if not nd.running():
                self.c.restart(i, wait=False)
                self.killed.discard(i)
                self.note(f"heal_all: restarted n{i}")
        self.c.wait_healthy(timeout_s=timeout_s)
        self.note("heal_all: every node healthy")
