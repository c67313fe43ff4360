"""Unit tests of the linearizability checker on synthetic histories: linearizable ones pass,
planted violations (stale read, lost write, CAS double success, a value nobody wrote) are
caught, unknown outcomes are handled both ways, and random histories produced by a real
atomic register under simulated concurrency always pass."""
import random

import linearizability as lin
from linearizability import FAIL, OK, UNKNOWN, Op


def w(v, call, ret, key="k", outcome=OK, client=None):
    return Op(key=key, kind="write", call=call, ret=ret, value=v, outcome=outcome, client=client)


def r(v, call, ret, key="k", outcome=OK, client=None):
    return Op(key=key, kind="read", call=call, ret=ret, value=v, outcome=outcome, client=client)


def cas(old, new, ok, call, ret, key="k", outcome=OK):
    return Op(key=key, kind="cas", call=call, ret=ret, value=new, expected=old, result=ok,
              outcome=outcome)


def test_empty_and_sequential_histories_pass():
    assert lin.check([]).ok
    h = [w(1, 0, 1), r(1, 2, 3), w(2, 4, 5), r(2, 6, 7), cas(2, 3, True, 8, 9), r(3, 10, 11)]
    assert lin.check(h).ok


def test_read_of_initial_value():
    assert lin.check([r(None, 0, 1), w(1, 2, 3)]).ok
    assert lin.check([r(0, 0, 1)], initial=0).ok
    assert not lin.check([r(0, 0, 1)], initial=None).ok


def test_concurrent_ops_may_take_either_order():
    # The write overlaps both reads: old then new is fine.
    h = [w(1, 0, 1), w(2, 2, 10), r(1, 3, 4), r(2, 5, 6)]
    assert lin.check(h).ok
    # ... but new then old again is not (the write happened once).
    h = [w(1, 0, 1), w(2, 2, 10), r(2, 3, 4), r(1, 5, 6)]
    res = lin.check(h)
    assert not res.ok
    assert "NOT linearizable" in res.report()


def test_stale_read_is_caught():
    h = [w(1, 0, 1), w(2, 2, 3), r(1, 4, 5)]
    res = lin.check(h)
    assert not res.ok and res.key == "k"


def test_lost_write_is_caught_by_final_read():
    h = [w(1, 0, 1), w(2, 2, 3)]
    assert lin.check_final(h, {"k": 2}).ok
    res = lin.check_final(h, {"k": 1})
    assert not res.ok
    assert "acknowledged write missing" in res.reason


def test_final_value_nobody_wrote_is_caught():
    res = lin.check_final([w(1, 0, 1)], {"k": 7})
    assert not res.ok and "no op wrote" in res.reason


def test_cas_double_success_is_caught():
    # Two CAS from the same old value both report success: only one can have swapped.
    h = [w(0, 0, 1), cas(0, 1, True, 2, 5), cas(0, 2, True, 3, 6)]
    assert not lin.check(h).ok
    # One success and one failure is fine when they overlap, whichever started first.
    assert lin.check([w(0, 0, 1), cas(0, 1, True, 2, 5), cas(0, 2, False, 3, 6)]).ok
    assert lin.check([w(0, 0, 1), cas(0, 2, False, 2, 5), cas(0, 1, True, 3, 4)]).ok
    # But a failure strictly before the success saw the old value and should have swapped.
    assert not lin.check([w(0, 0, 1), cas(0, 2, False, 2, 3), cas(0, 1, True, 4, 5)]).ok


def test_failed_cas_must_have_seen_another_value():
    # Nobody changed the value, yet the CAS reports a mismatch.
    assert not lin.check([w(0, 0, 1), cas(0, 1, False, 2, 3)]).ok


def test_failed_ops_never_take_effect():
    h = [w(1, 0, 1), w(2, 2, 3, outcome=FAIL), r(2, 4, 5)]
    assert not lin.check(h).ok
    assert lin.check([w(1, 0, 1), w(2, 2, 3, outcome=FAIL), r(1, 4, 5)]).ok


def test_unknown_write_may_or_may_not_take_effect_even_late():
    base = [w(1, 0, 1), w(2, 2, 3, outcome=UNKNOWN)]
    assert lin.check(base + [r(1, 4, 5)]).ok            # did not happen (yet)
    assert lin.check(base + [r(2, 4, 5)]).ok            # happened
    assert lin.check(base + [r(1, 4, 5), r(2, 6, 7)]).ok  # happened late
    # Once seen it cannot be undone.
    assert not lin.check(base + [r(2, 4, 5), r(1, 6, 7)]).ok
    # An unknown write cannot take effect before it was invoked.
    assert not lin.check([r(5, 0, 1), w(5, 2, 3, outcome=UNKNOWN)]).ok


def test_unknown_cas_and_unknown_read():
    h = [w(0, 0, 1), cas(0, 1, None, 2, 3, outcome=UNKNOWN), r(1, 4, 5)]
    assert lin.check(h).ok
    h = [w(0, 0, 1), cas(0, 1, None, 2, 3, outcome=UNKNOWN), r(0, 4, 5)]
    assert lin.check(h).ok
    # A read that timed out tells nothing, whatever it carries.
    assert lin.check([w(0, 0, 1), r(99, 2, 3, outcome=UNKNOWN)]).ok
    assert lin.check_final([w(1, 0, 1), w(2, 2, 3, outcome=UNKNOWN)], {"k": 2}).ok
    assert lin.check_final([w(1, 0, 1), w(2, 2, 3, outcome=UNKNOWN)], {"k": 1}).ok


def test_keys_are_independent():
    h = [w(1, 0, 1, key="a"), w(1, 0, 1, key="b"), r(1, 2, 3, key="a"), r(None, 2, 3, key="c"),
         w(2, 4, 5, key="b"), r(1, 6, 7, key="b")]
    res = lin.check(h)
    assert not res.ok and res.key == "b"


def simulate(seed, clients=4, ops=60, keys=2, p_unknown=0.1):
    """A history from a real atomic register: each op takes effect at one random instant
    inside its interval; some completions are lost (unknown outcome)."""
    rnd = random.Random(seed)
    reg = {}
    events = []  # (effect time, op)
    t_free = [0.0] * clients
    hist = []
    next_val = 1
    for _ in range(ops):
        c = rnd.randrange(clients)
        call = t_free[c] + rnd.random()
        ret = call + rnd.random() * 3
        t_free[c] = ret
        key = f"k{rnd.randrange(keys)}"
        kind = rnd.choice(["read", "write", "cas"])
        op = Op(key=key, kind=kind, call=call, ret=ret, client=c)
        if kind == "write":
            op.value, next_val = next_val, next_val + 1
        elif kind == "cas":
            op.expected = rnd.choice([None] + list(range(max(1, next_val - 3), next_val)))
            op.value, next_val = next_val, next_val + 1
        events.append((rnd.uniform(call, ret), op))
        hist.append(op)
    for _, op in sorted(events, key=lambda e: e[0]):
        cur = reg.get(op.key)
        if op.kind == "read":
            op.value = cur
        elif op.kind == "write":
            reg[op.key] = op.value
        else:
            op.result = cur == op.expected
            if op.result:
                reg[op.key] = op.value
    for op in hist:
        if rnd.random() < p_unknown:
            op.outcome = UNKNOWN
    return hist, reg


def test_random_histories_of_an_atomic_register_pass():
    for seed in range(200):
        hist, final = simulate(seed)
        res = lin.check(hist)
        assert res.ok, f"seed {seed}: {res.report()}"
        keys = {op.key for op in hist}
        assert lin.check_final(hist, {k: final.get(k) for k in keys}).ok, f"seed {seed}"


def test_random_histories_with_a_planted_stale_read_fail():
    caught = 0
    for seed in range(200):
        hist, _ = simulate(seed, p_unknown=0.0)
        reads = [o for o in hist if o.kind == "read"]
        writes = [o for o in hist if o.kind == "write"]
        # Plant: a read strictly after two sequential writes to its key returns the older one.
        for rd in reads:
            before = sorted((wr for wr in writes if wr.key == rd.key and wr.ret < rd.call),
                            key=lambda o: o.ret)
            if len(before) >= 2 and before[-2].ret < before[-1].call:
                others = [o for o in hist if o.key == rd.key and o is not before[-1]
                          and o.kind != "read" and o.ret > before[-1].call]
                if others:
                    continue  # something overlapping could legally restore the old value
                rd.value = before[-2].value
                assert not lin.check(hist).ok, f"seed {seed}: planted stale read not caught"
                caught += 1
                break
    assert caught >= 10


def test_search_budget_gives_no_verdict_rather_than_a_wrong_one():
    # Many concurrent unknown writes and reads that rule out all of them: large search space.
    h = [w(0, 0, 1)] + [w(i, 2, 3, outcome=UNKNOWN) for i in range(1, 16)] + [r(0, 4, 5)]
    res = lin.check(h, steps_max=50)
    assert not res.ok and res.exhausted
    assert "no verdict" in res.report()
    assert lin.check(h).ok
