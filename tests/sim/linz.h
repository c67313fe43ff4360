/*
 * linz.h - linearizability checker for a map of registers (read, write, compare-and-set).
 *
 * A history is a list of client operations, each with an invoke time, a completion time
 * and an outcome: ok (the result was seen), failed (it definitely did not take effect) or
 * unknown (indeterminate: it may take effect at any moment after its invocation, or
 * never; e.g. a proposal whose answer was lost). The map is checked one key at a time
 * (registers compose: a history is linearizable iff every key's sub-history is, Herlihy &
 * Wing's locality), each key with Wing & Gong's search as improved by Lowe: linearize a
 * pending operation whose invocation precedes every pending completion, memoise the
 * (linearized set, register value) pairs already explored, backtrack on a completion that
 * cannot be passed. Unknown operations complete at +infinity and may always be placed at
 * the very end, where they affect nothing: that is "never took effect".
 *
 * Values are int64; 0 means "absent" and is each register's initial value, so writes
 * should use non-zero values. A read returns the value (0 for absent). A CAS with outcome
 * ok reports whether it swapped; a CAS that did not swap observed value != expect.
 *
 * The search is bounded: a key whose exploration exceeds max_states memo entries gives
 * LINZ_TOO_COMPLEX rather than hanging.
 *
 * Owns: a linz_history owns its operation array. Thread safety: one thread.
 * Invariants: times are totally ordered; on equal times an invocation is taken to come
 * before a completion (the permissive reading), so callers that want strict order use
 * distinct times (the simulator uses a global event counter).
 */
#ifndef MICE_TESTS_SIM_LINZ_H
#define MICE_TESTS_SIM_LINZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { LINZ_READ, LINZ_WRITE, LINZ_CAS } linz_kind;
typedef enum { LINZ_PENDING, LINZ_OK, LINZ_FAILED, LINZ_UNKNOWN } linz_outcome;
typedef enum { LINZ_LINEARIZABLE, LINZ_VIOLATION, LINZ_TOO_COMPLEX } linz_result;

#define LINZ_TIME_INFINITE UINT64_MAX

typedef struct linz_op {
    uint32_t client;
    linz_kind kind;
    linz_outcome outcome;
    uint64_t key;
    int64_t value;     /* write: the value; CAS: the new value */
    int64_t expect;    /* CAS only */
    int64_t result;    /* read: the value seen; CAS: 1 swapped, 0 not (outcome ok only) */
    uint64_t invoke_t; /* any totally ordered clock */
    uint64_t complete_t;
} linz_op;

typedef struct linz_history {
    linz_op *ops;
    size_t n, cap;
} linz_history;

typedef struct linz_report {
    linz_result result;
    uint64_t key;         /* the first key that failed (violation or too complex) */
    size_t key_ops;       /* operations on that key that took part in the search */
    size_t keys_checked;
    size_t states_explored; /* memo entries over all keys */
    size_t ops_checked;     /* operations that took part (failed ones are dropped) */
} linz_report;

void linz_history_init(linz_history *h);
void linz_history_deinit(linz_history *h);
/* Record an invocation; returns the op's id for linz_complete. */
size_t linz_invoke(linz_history *h, uint32_t client, linz_kind kind, uint64_t key, int64_t value,
                   int64_t expect, uint64_t invoke_t);
/* Record the outcome. For LINZ_UNKNOWN the completion time is ignored (+infinity). */
void linz_complete(linz_history *h, size_t id, linz_outcome outcome, int64_t result,
                   uint64_t complete_t);
/* Ops still pending at check time count as unknown. */
linz_result linz_check(const linz_history *h, size_t max_states, linz_report *rep);
/* Same, on a plain array (handy in tests). */
linz_result linz_check_ops(const linz_op *ops, size_t n, size_t max_states, linz_report *rep);
const char *linz_result_name(linz_result r);

#endif
