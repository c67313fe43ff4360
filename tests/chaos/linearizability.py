"""Linearizability checker for histories of per-key registers (read, write, compare-and-set).

A history is a list of Op records, one per operation a client invoked: the key, the kind
("read", "write", "cas"), its arguments, the client-side invocation and completion times
(any monotonic clock) and the outcome:

  ok       the operation completed and we saw its result (a read's value, a CAS's success);
  fail     the operation certainly did not take effect (the server said so before commit);
  unknown  the operation may or may not have taken effect (timeout, connection lost,
           ambiguous error). Its completion time is treated as infinity: if it took effect,
           it did so at some point after its invocation, possibly long after.

Keys are independent registers, so the history is split per key and each part is checked on
its own (P-compositionality). Each part is searched with the Wing & Gong algorithm as
improved by Lowe ("Testing for linearizability", 2017): a linked list of call and return
events, a stack of tentatively linearized calls, and a cache of (set of linearized ops,
register value) pairs already explored, so each configuration is visited once. Failed ops
and reads of unknown outcome are dropped first: they cannot constrain anything. An op of
unknown outcome is never required to be linearized; if it is, it is at some point after its
call.

A CAS that returned false is a read that saw a value different from its expected one; a
CAS that returned true is a read of the expected value followed atomically by a write.

check_final() adds the "no acknowledged write missing" check: after the faults are healed a
final read of every key must be explainable by the history (it is appended as a read that
starts after every other op completed and is checked with the rest), and a value that no
operation wrote is reported as such.

Pure Python, no dependencies; run by /usr/bin/python3. Unit tests: test_linearizability.py.
`linearizability.py history.jsonl` rechecks a history saved by run.py.
"""
from dataclasses import dataclass, field

OK, FAIL, UNKNOWN = "ok", "fail", "unknown"
INF = float("inf")
SEARCH_STEPS_MAX = 5_000_000


@dataclass
class Op:
    key: object
    kind: str                 # "read" | "write" | "cas"
    call: float               # invocation time
    ret: float                # completion time (ignored when outcome is UNKNOWN)
    outcome: str = OK         # OK | FAIL | UNKNOWN
    value: object = None      # read: value seen; write: value written; cas: new value
    expected: object = None   # cas: expected old value
    result: object = None     # cas: True if it swapped (rows affected == 1)
    client: object = None
    node: object = None       # which server it went through (for reports)
    id: int = -1

    def describe(self):
        end = "?" if self.outcome == UNKNOWN else f"{self.ret:.3f}"
        if self.kind == "read":
            what = f"read -> {self.value!r}"
        elif self.kind == "write":
            what = f"write {self.value!r}"
        else:
            what = f"cas {self.expected!r}->{self.value!r} = {self.result!r}"
        via = "" if self.node is None else f" via n{self.node}"
        return (f"op {self.id} client {self.client}{via} key {self.key!r}: {what} "
                f"[{self.call:.3f}, {end}] {self.outcome}")


@dataclass
class Result:
    ok: bool
    key: object = None
    reason: str = ""
    ops: list = field(default_factory=list)   # ops of the failing key, for the report
    exhausted: bool = False                    # search gave up: neither proved nor refuted

    def report(self, limit=60):
        if self.ok:
            return "linearizable"
        head = "search budget exhausted (no verdict)" if self.exhausted else "NOT linearizable"
        lines = [f"key {self.key!r}: {head}: {self.reason}"]
        shown = sorted(self.ops, key=lambda o: o.call)
        for o in shown[:limit]:
            lines.append("  " + o.describe())
        if len(shown) > limit:
            lines.append(f"  ... {len(shown) - limit} more ops")
        return "\n".join(lines)


def step(state, op):
    """The register model: (legal, next state) for op applied to value state."""
    if op.kind == "read":
        return op.value == state, state
    if op.kind == "write":
        return True, op.value
    if op.kind == "cas":
        if op.result:
            return state == op.expected, op.value
        return state != op.expected, state
    raise ValueError(f"unknown op kind {op.kind!r}")


class _Entry:
    __slots__ = ("op", "is_call", "match", "prev", "next", "time", "unknown")

    def __init__(self, op, is_call, time, unknown):
        self.op, self.is_call, self.time, self.unknown = op, is_call, time, unknown
        self.match = self.prev = self.next = None


def _build_list(ops):
    events = []
    for i, op in enumerate(ops):
        unknown = op.outcome == UNKNOWN
        call = _Entry(op, True, op.call, unknown)
        ret = _Entry(op, False, INF if unknown else op.ret, unknown)
        call.match, ret.match = ret, call
        # Calls sort before returns at equal times: touching ops count as concurrent.
        events.append((op.call, 0, i, call))
        events.append((ret.time, 1, i, ret))
    events.sort(key=lambda e: e[:3])
    head = _Entry(None, False, -INF, False)
    prev = head
    for *_, e in events:
        prev.next, e.prev = e, prev
        prev = e
    return head


def _lift(e):
    e.prev.next = e.next
    if e.next:
        e.next.prev = e.prev
    m = e.match
    m.prev.next = m.next
    if m.next:
        m.next.prev = m.prev


def _unlift(e):
    m = e.match
    m.prev.next = m
    if m.next:
        m.next.prev = m
    e.prev.next = e
    if e.next:
        e.next.prev = e


def relevant(ops):
    """Ops that can constrain a register: failed ops and unknown reads are dropped."""
    out = []
    for op in ops:
        if op.outcome == FAIL:
            continue
        if op.outcome == UNKNOWN and op.kind == "read":
            continue
        if op.outcome == UNKNOWN and op.kind == "cas":
            # Its result is unknown: it took effect (swapped) or it did not (no effect).
            op = Op(**{**op.__dict__, "result": True})
        out.append(op)
    return out


def check_key(ops, initial=None, steps_max=SEARCH_STEPS_MAX):
    """WGL search over the ops of one key. Returns a Result."""
    ops = relevant(ops)
    for i, op in enumerate(ops):
        if op.id < 0:
            op.id = i
    if not ops:
        return Result(True)
    head = _build_list(ops)
    bit = {id(op): 1 << i for i, op in enumerate(ops)}
    state, linearized = initial, 0
    cache = {(0, _hashable(initial))}
    calls = []
    entry = head.next
    steps = 0
    depth_max, stuck = 0, None   # deepest partial order reached, and the op it could not place
    while head.next is not None:
        steps += 1
        if steps > steps_max:
            return Result(False, reason=f"more than {steps_max} search steps", ops=ops,
                          exhausted=True)
        if entry.is_call:
            legal, nxt = step(state, entry.op)
            if legal:
                lin = linearized | bit[id(entry.op)]
                key = (lin, _hashable(nxt))
                if key not in cache:
                    cache.add(key)
                    calls.append((entry, state))
                    state, linearized = nxt, lin
                    _lift(entry)
                    entry = head.next
                    continue
            entry = entry.next
        else:
            if entry.unknown:
                # Every op that completed is linearized; the rest may never have happened.
                return Result(True)
            if len(calls) >= depth_max:
                depth_max, stuck = len(calls), entry.op
            if not calls:
                return Result(False, reason=_why(stuck, ops), ops=ops)
            entry, state = calls.pop()
            linearized &= ~bit[id(entry.op)]
            _unlift(entry)
            entry = entry.next
    return Result(True)


def _why(op, ops):
    if op is None:
        return "no order of the operations explains their results"
    return ("no order of the operations explains their results; the search could not "
            f"place {op.describe()}")


def _hashable(v):
    return v if v is None or isinstance(v, (int, str, float, bytes, tuple)) else repr(v)


def by_key(history):
    keys = {}
    for op in history:
        keys.setdefault(op.key, []).append(op)
    return keys


def check(history, initial=None, steps_max=SEARCH_STEPS_MAX):
    """Check every key independently; the first failing key's Result, or an ok Result."""
    for k, ops in sorted(by_key(history).items(), key=lambda kv: repr(kv[0])):
        r = check_key(ops, initial=initial, steps_max=steps_max)
        if not r.ok:
            r.key = k
            return r
    return Result(True)


def check_final(history, finals, initial=None, steps_max=SEARCH_STEPS_MAX):
    """The "no acknowledged write missing" check.

    finals maps every key to the value a read after healing returned (None: no row). Each
    final read is appended after every op of the history and the whole is checked; a final
    value nobody wrote is reported as such, a lost acknowledged write by the search.
    """
    t_end = max([o.ret for o in history if o.outcome != UNKNOWN] +
                [o.call for o in history] + [0.0]) + 1.0
    extended = list(history)
    for k, v in finals.items():
        written = {o.value for o in history if o.key == k and o.kind in ("write", "cas")
                   and o.outcome != FAIL}
        if v != initial and v not in written:
            return Result(False, key=k, reason=f"final read saw {v!r}, which no op wrote",
                          ops=[o for o in history if o.key == k])
        extended.append(Op(key=k, kind="read", call=t_end, ret=t_end + 1.0, value=v,
                           client="final"))
    r = check(extended, initial=initial, steps_max=steps_max)
    if not r.ok and not r.exhausted:
        last = _last_acked_write(history, r.key)
        if last is not None and finals.get(r.key) != last.value:
            r.reason = (f"final read saw {finals.get(r.key)!r}; acknowledged write missing? "
                        f"the last acknowledged write was {last.describe()}; " + r.reason)
    return r


def load(path):
    """(history, finals) from a run.py history.jsonl."""
    import json
    history, finals = [], {}
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            if "final" in d:
                finals = {k: v for k, v in d["final"]}
            elif "kind" in d:
                history.append(Op(**d))
    return history, finals


def main(argv):
    if len(argv) != 1:
        print("usage: linearizability.py HISTORY.jsonl   (recheck a run.py history)")
        return 2
    history, finals = load(argv[0])
    res = check_final(history, finals) if finals else check(history)
    print(f"{len(history)} ops: {res.report()}")
    return 0 if res.ok else 1


def _last_acked_write(history, key):
    acked = [o for o in history if o.key == key and o.outcome == OK and
             (o.kind == "write" or (o.kind == "cas" and o.result))]
    return max(acked, key=lambda o: o.ret) if acked else None


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
