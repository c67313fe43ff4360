/* Unit tests for the linearizability checker: histories known to be linearizable pass,
 * histories known not to be (stale read, lost acknowledged write, CAS anomalies) fail,
 * indeterminate operations may take effect late or never, and the bound is reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "sim/linz.h"

enum { STATES_MAX = 100000 };

#define OK LINZ_OK
#define UNK LINZ_UNKNOWN
#define FAIL LINZ_FAILED

static linz_op rd(uint64_t key, int64_t seen, uint64_t t0, uint64_t t1)
{
    return (linz_op){.kind = LINZ_READ, .outcome = OK, .key = key, .result = seen,
                     .invoke_t = t0, .complete_t = t1};
}

static linz_op wr(uint64_t key, int64_t v, linz_outcome o, uint64_t t0, uint64_t t1)
{
    return (linz_op){.kind = LINZ_WRITE, .outcome = o, .key = key, .value = v, .invoke_t = t0,
                     .complete_t = o == UNK ? LINZ_TIME_INFINITE : t1};
}

static linz_op cas(uint64_t key, int64_t expect, int64_t v, linz_outcome o, int64_t swapped,
                   uint64_t t0, uint64_t t1)
{
    return (linz_op){.kind = LINZ_CAS, .outcome = o, .key = key, .value = v, .expect = expect,
                     .result = swapped, .invoke_t = t0,
                     .complete_t = o == UNK ? LINZ_TIME_INFINITE : t1};
}

#define CHECK(ops) linz_check_ops(ops, sizeof ops / sizeof ops[0], STATES_MAX, NULL)

static void test_empty_and_sequential_histories_pass(void **state)
{
    (void)state;
    assert_int_equal(linz_check_ops(NULL, 0, STATES_MAX, NULL), LINZ_LINEARIZABLE);
    linz_op ops[] = {rd(1, 0, 1, 2), wr(1, 5, OK, 3, 4), rd(1, 5, 5, 6),
                     cas(1, 5, 7, OK, 1, 7, 8), rd(1, 7, 9, 10), cas(1, 5, 9, OK, 0, 11, 12)};
    assert_int_equal(CHECK(ops), LINZ_LINEARIZABLE);
}

static void test_concurrent_read_may_see_either_value(void **state)
{
    (void)state;
    /* the write overlaps both reads: one sees the old value, a later one the new */
    linz_op ops[] = {wr(1, 5, OK, 1, 10), rd(1, 0, 2, 3), rd(1, 5, 4, 5), rd(1, 5, 11, 12)};
    assert_int_equal(CHECK(ops), LINZ_LINEARIZABLE);
}

static void test_stale_read_after_completed_write_fails(void **state)
{
    (void)state;
    linz_op ops[] = {wr(1, 5, OK, 1, 2), rd(1, 0, 3, 4)};
    assert_int_equal(CHECK(ops), LINZ_VIOLATION);
    /* new value then old value, both reads after the write began: not linearizable */
    linz_op flip[] = {wr(1, 5, OK, 1, 10), rd(1, 5, 2, 3), rd(1, 0, 4, 5)};
    assert_int_equal(CHECK(flip), LINZ_VIOLATION);
}

static void test_lost_acknowledged_write_fails(void **state)
{
    (void)state;
    linz_op ops[] = {wr(1, 5, OK, 1, 2), wr(1, 6, OK, 3, 4), rd(1, 5, 5, 6)};
    assert_int_equal(CHECK(ops), LINZ_VIOLATION);
}

static void test_read_of_never_written_value_fails(void **state)
{
    (void)state;
    linz_op ops[] = {wr(1, 5, OK, 1, 2), rd(1, 42, 3, 4)};
    assert_int_equal(CHECK(ops), LINZ_VIOLATION);
}

static void test_cas_anomalies_fail(void **state)
{
    (void)state;
    /* two CASes from the same expected value both succeed, one after the other */
    linz_op both[] = {wr(1, 1, OK, 1, 2), cas(1, 1, 2, OK, 1, 3, 4), cas(1, 1, 3, OK, 1, 5, 6)};
    assert_int_equal(CHECK(both), LINZ_VIOLATION);
    /* concurrent, both succeed: still impossible (the second sees 2, not 1) */
    linz_op conc[] = {wr(1, 1, OK, 1, 2), cas(1, 1, 2, OK, 1, 3, 8), cas(1, 1, 3, OK, 1, 4, 9)};
    assert_int_equal(CHECK(conc), LINZ_VIOLATION);
    /* a CAS that reported no swap although the value matched and nothing else ran */
    linz_op noswap[] = {wr(1, 1, OK, 1, 2), cas(1, 1, 2, OK, 0, 3, 4)};
    assert_int_equal(CHECK(noswap), LINZ_VIOLATION);
    /* a successful CAS whose effect is not seen afterwards */
    linz_op lost[] = {wr(1, 1, OK, 1, 2), cas(1, 1, 2, OK, 1, 3, 4), rd(1, 1, 5, 6)};
    assert_int_equal(CHECK(lost), LINZ_VIOLATION);
}

static void test_cas_races_that_are_fine_pass(void **state)
{
    (void)state;
    linz_op ops[] = {wr(1, 1, OK, 1, 2), cas(1, 1, 2, OK, 1, 3, 8), cas(1, 1, 3, OK, 0, 4, 9),
                     rd(1, 2, 10, 11)};
    assert_int_equal(CHECK(ops), LINZ_LINEARIZABLE);
}

static void test_unknown_write_may_apply_late_or_never(void **state)
{
    (void)state;
    /* unknown write invoked at 1, seen much later: it took effect late */
    linz_op late[] = {wr(1, 5, UNK, 1, 0), rd(1, 0, 2, 3), rd(1, 5, 100, 101)};
    assert_int_equal(CHECK(late), LINZ_LINEARIZABLE);
    /* never seen at all: it never took effect */
    linz_op never[] = {wr(1, 5, UNK, 1, 0), rd(1, 0, 2, 3), rd(1, 0, 100, 101)};
    assert_int_equal(CHECK(never), LINZ_LINEARIZABLE);
    /* but it cannot take effect twice, nor before its invocation */
    linz_op twice[] = {wr(1, 5, UNK, 1, 0), wr(1, 6, OK, 2, 3), rd(1, 5, 4, 5),
                       rd(1, 6, 6, 7), rd(1, 5, 8, 9)};
    assert_int_equal(CHECK(twice), LINZ_VIOLATION);
    linz_op early[] = {rd(1, 5, 1, 2), wr(1, 5, UNK, 3, 0)};
    assert_int_equal(CHECK(early), LINZ_VIOLATION);
}

static void test_failed_write_must_not_be_seen(void **state)
{
    (void)state;
    linz_op ops[] = {wr(1, 5, FAIL, 1, 2), rd(1, 5, 3, 4)};
    assert_int_equal(CHECK(ops), LINZ_VIOLATION);
    linz_op fine[] = {wr(1, 5, FAIL, 1, 2), rd(1, 0, 3, 4)};
    assert_int_equal(CHECK(fine), LINZ_LINEARIZABLE);
}

static void test_keys_are_independent_and_reported(void **state)
{
    (void)state;
    linz_op ops[] = {wr(1, 5, OK, 1, 2), wr(2, 6, OK, 1, 2), rd(1, 5, 3, 4), rd(2, 5, 3, 4)};
    linz_report rep;
    assert_int_equal(linz_check_ops(ops, 4, STATES_MAX, &rep), LINZ_VIOLATION);
    assert_int_equal(rep.key, 2);
    assert_int_equal(rep.key_ops, 2);
}

static void test_history_builder(void **state)
{
    (void)state;
    linz_history h;
    linz_history_init(&h);
    size_t a = linz_invoke(&h, 1, LINZ_WRITE, 7, 3, 0, 1);
    size_t b = linz_invoke(&h, 2, LINZ_READ, 7, 0, 0, 2);
    size_t c = linz_invoke(&h, 3, LINZ_WRITE, 7, 4, 0, 3); /* left pending: unknown */
    (void)c;
    linz_complete(&h, a, LINZ_OK, 0, 4);
    linz_complete(&h, b, LINZ_OK, 4, 5);
    assert_int_equal(linz_check(&h, STATES_MAX, NULL), LINZ_LINEARIZABLE);
    size_t d = linz_invoke(&h, 2, LINZ_READ, 7, 0, 0, 6);
    linz_complete(&h, d, LINZ_OK, 0, 7); /* absent after an acknowledged write */
    assert_int_equal(linz_check(&h, STATES_MAX, NULL), LINZ_VIOLATION);
    linz_history_deinit(&h);
}

/* Many concurrent unknown writes and reads of values nobody wrote make the search explode;
 * the bound turns that into a clear answer. */
static void test_bound_reports_too_complex(void **state)
{
    (void)state;
    enum { N = 40 };
    linz_op ops[N + 1];
    for (int i = 0; i < N; i++) ops[i] = wr(1, i + 1, UNK, (uint64_t)i, 0);
    ops[N] = rd(1, 999, N + 1, N + 2);
    linz_report rep;
    assert_int_equal(linz_check_ops(ops, N + 1, 5000, &rep), LINZ_TOO_COMPLEX);
    assert_int_equal(rep.key, 1);
}

/* Random sequential histories (each op runs alone against a reference map) are
 * linearizable; corrupting one read makes them not. */
static void test_random_sequential_histories(void **state)
{
    (void)state;
    enum { OPS = 300, KEYS = 4 };
    for (uint64_t seed = 1; seed <= 50; seed++) {
        mice_prng r;
        prng_seed(&r, seed);
        linz_op ops[OPS];
        int64_t map[KEYS] = {0};
        for (int i = 0; i < OPS; i++) {
            uint64_t k = prng_below(&r, KEYS), t = 10 * (uint64_t)i;
            int64_t v = (int64_t)prng_below(&r, 5) + 1;
            switch (prng_below(&r, 3)) {
            case 0: ops[i] = rd(k, map[k], t, t + 5); break;
            case 1: ops[i] = wr(k, v, OK, t, t + 5); map[k] = v; break;
            default: {
                int64_t exp = (int64_t)prng_below(&r, 6);
                ops[i] = cas(k, exp, v, OK, map[k] == exp, t, t + 5);
                if (map[k] == exp) map[k] = v;
            }
            }
        }
        assert_int_equal(linz_check_ops(ops, OPS, STATES_MAX, NULL), LINZ_LINEARIZABLE);
        for (int i = OPS - 1; i >= 0; i--) {
            if (ops[i].kind != LINZ_READ) continue;
            ops[i].result += 7; /* a value nobody ever wrote */
            break;
        }
        assert_int_equal(linz_check_ops(ops, OPS, STATES_MAX, NULL), LINZ_VIOLATION);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_sequential_histories_pass),
        cmocka_unit_test(test_concurrent_read_may_see_either_value),
        cmocka_unit_test(test_stale_read_after_completed_write_fails),
        cmocka_unit_test(test_lost_acknowledged_write_fails),
        cmocka_unit_test(test_read_of_never_written_value_fails),
        cmocka_unit_test(test_cas_anomalies_fail),
        cmocka_unit_test(test_cas_races_that_are_fine_pass),
        cmocka_unit_test(test_unknown_write_may_apply_late_or_never),
        cmocka_unit_test(test_failed_write_must_not_be_seen),
        cmocka_unit_test(test_keys_are_independent_and_reported),
        cmocka_unit_test(test_history_builder),
        cmocka_unit_test(test_bound_reports_too_complex),
        cmocka_unit_test(test_random_sequential_histories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
