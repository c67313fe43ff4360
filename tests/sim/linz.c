/*
 * linz.c - Wing & Gong / Lowe linearizability search, one key at a time.
 *
 * Each key's operations become call and return events on a doubly linked list sorted by
 * time. The search walks the list: at a call it tries to linearize that operation now
 * (the register model accepts it and the resulting (linearized set, value) pair is new),
 * lifting the call and its return out of the list; at a return whose operation is not yet
 * linearized it backtracks. The memo of visited (set, value) pairs is what makes this
 * practical (Lowe, "Testing for linearizability", 2017).
 */
#include "sim/linz.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"

void linz_history_init(linz_history *h)
{
    memset(h, 0, sizeof *h);
}

void linz_history_deinit(linz_history *h)
{
    free(h->ops);
    memset(h, 0, sizeof *h);
}

size_t linz_invoke(linz_history *h, uint32_t client, linz_kind kind, uint64_t key, int64_t value,
                   int64_t expect, uint64_t invoke_t)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 256;
        h->ops = mice_realloc(h->ops, h->cap * sizeof *h->ops);
    }
    linz_op *op = &h->ops[h->n];
    *op = (linz_op){.client = client, .kind = kind, .outcome = LINZ_PENDING, .key = key,
                    .value = value, .expect = expect, .invoke_t = invoke_t,
                    .complete_t = LINZ_TIME_INFINITE};
    return h->n++;
}

void linz_complete(linz_history *h, size_t id, linz_outcome outcome, int64_t result,
                   uint64_t complete_t)
{
    mice_assert(id < h->n);
    linz_op *op = &h->ops[id];
    mice_assert(op->outcome == LINZ_PENDING);
    op->outcome = outcome;
    op->result = result;
    op->complete_t = outcome == LINZ_UNKNOWN ? LINZ_TIME_INFINITE : complete_t;
    mice_assert(op->complete_t >= op->invoke_t);
}

const char *linz_result_name(linz_result r)
{
    switch (r) {
    case LINZ_LINEARIZABLE: return "linearizable";
    case LINZ_VIOLATION: return "not linearizable";
    case LINZ_TOO_COMPLEX: return "too complex to decide";
    }
    return "?";
}

/* ---- the register model ---------------------------------------------------------- */

static bool is_indeterminate(const linz_op *op)
{
    return op->outcome == LINZ_UNKNOWN || op->outcome == LINZ_PENDING;
}

static bool model_step(int64_t state, const linz_op *op, int64_t *next)
{
    *next = state;
    switch (op->kind) {
    case LINZ_READ: return op->result == state;
    case LINZ_WRITE: *next = op->value; return true;
    case LINZ_CAS:
        if (is_indeterminate(op)) {
            if (state == op->expect) *next = op->value;
            return true;
        }
        if (op->result) {
            if (state != op->expect) return false;
            *next = op->value;
            return true;
        }
        return state != op->expect;
    }
    return false;
}

/* Failed operations never took effect; reads without an answer observed nothing. */
static bool takes_part(const linz_op *op)
{
    if (op->outcome == LINZ_FAILED) return false;
    if (op->kind == LINZ_READ && op->outcome != LINZ_OK) return false;
    return true;
}

/* ---- memo: a hash set of (bitset, value) ------------------------------------------- */

typedef struct memo {
    size_t words;     /* bitset words per entry */
    uint64_t *store;  /* entries back to back: value, then words bitset words */
    size_t n, cap;    /* entries */
    uint32_t *slots;  /* 1-based entry numbers; 0 = empty */
    size_t nslots;
} memo;

static uint64_t memo_hash(const uint64_t *bits, size_t words, int64_t value)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)value;
    for (size_t i = 0; i < words; i++) {
        h ^= bits[i];
        h *= 0xff51afd7ed558ccdull;
        h ^= h >> 33;
    }
    return h;
}

static void memo_init(memo *m, size_t words)
{
    memset(m, 0, sizeof *m);
    m->words = words;
    m->nslots = 1024;
    m->slots = mice_calloc(m->nslots, sizeof *m->slots);
}

static void memo_deinit(memo *m)
{
    free(m->store);
    free(m->slots);
}

static const uint64_t *memo_entry(const memo *m, size_t i)
{
    return m->store + i * (m->words + 1);
}

static void memo_insert_slot(memo *m, uint64_t h, uint32_t entry_no)
{
    size_t mask = m->nslots - 1;
    for (size_t s = h & mask;; s = (s + 1) & mask) {
        if (!m->slots[s]) {
            m->slots[s] = entry_no;
            return;
        }
    }
}

static void memo_grow(memo *m)
{
    free(m->slots);
    m->nslots *= 2;
    m->slots = mice_calloc(m->nslots, sizeof *m->slots);
    for (size_t i = 0; i < m->n; i++) {
        const uint64_t *e = memo_entry(m, i);
        memo_insert_slot(m, memo_hash(e + 1, m->words, (int64_t)e[0]), (uint32_t)(i + 1));
    }
}

/* Adds (bits, value); false if it was already there. */
static bool memo_add(memo *m, const uint64_t *bits, int64_t value)
{
    uint64_t h = memo_hash(bits, m->words, value);
    size_t mask = m->nslots - 1;
    for (size_t s = h & mask; m->slots[s]; s = (s + 1) & mask) {
        const uint64_t *e = memo_entry(m, m->slots[s] - 1);
        if ((int64_t)e[0] == value && !memcmp(e + 1, bits, m->words * sizeof *bits)) return false;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 1024;
        m->store = mice_realloc(m->store, m->cap * (m->words + 1) * sizeof *m->store);
    }
    uint64_t *e = m->store + m->n * (m->words + 1);
    e[0] = (uint64_t)value;
    memcpy(e + 1, bits, m->words * sizeof *bits);
    m->n++;
    if (m->n * 2 > m->nslots) memo_grow(m);
    else memo_insert_slot(m, h, (uint32_t)m->n);
    return true;
}

/* ---- the event list ------------------------------------------------------------------ */

typedef struct event {
    uint64_t t;
    uint32_t op;   /* index into the key's op list */
    bool is_call;
} event;

typedef struct node {
    uint32_t op;
    int32_t match; /* call: index of its return node; return: -1 */
    uint32_t prev, next;
} node;

static int event_cmp(const void *a, const void *b)
{
    const event *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->is_call != y->is_call) return x->is_call ? -1 : 1; /* permissive on ties */
    return x->op < y->op ? -1 : x->op > y->op;
}

static void lift(node *nodes, uint32_t e)
{
    node *c = &nodes[e], *r = &nodes[c->match];
    nodes[c->prev].next = c->next;
    nodes[c->next].prev = c->prev;
    nodes[r->prev].next = r->next;
    nodes[r->next].prev = r->prev;
}

static void unlift(node *nodes, uint32_t e)
{
    node *c = &nodes[e], *r = &nodes[c->match];
    nodes[r->prev].next = (uint32_t)c->match;
    nodes[r->next].prev = (uint32_t)c->match;
    nodes[c->prev].next = e;
    nodes[c->next].prev = e;
}

/* Builds the list for ops[0..m) into nodes[0..2m], head sentinel at 2m whose prev is the
 * tail; the list is circular through the head. */
static void build_list(const linz_op *const *ops, size_t m, node *nodes)
{
    event *ev = mice_malloc(2 * m * sizeof *ev);
    for (size_t i = 0; i < m; i++) {
        ev[2 * i] = (event){ops[i]->invoke_t, (uint32_t)i, true};
        uint64_t done = is_indeterminate(ops[i]) ? LINZ_TIME_INFINITE : ops[i]->complete_t;
        ev[2 * i + 1] = (event){done, (uint32_t)i, false};
    }
    qsort(ev, 2 * m, sizeof *ev, event_cmp);
    int32_t *ret_at = mice_malloc(m * sizeof *ret_at);
    for (size_t k = 0; k < 2 * m; k++)
        if (!ev[k].is_call) ret_at[ev[k].op] = (int32_t)k;
    uint32_t head = (uint32_t)(2 * m);
    for (size_t k = 0; k < 2 * m; k++) {
        nodes[k].op = ev[k].op;
        nodes[k].match = ev[k].is_call ? ret_at[ev[k].op] : -1;
        nodes[k].prev = k ? (uint32_t)(k - 1) : head;
        nodes[k].next = k + 1 < 2 * m ? (uint32_t)(k + 1) : head;
    }
    nodes[head] = (node){0, -1, (uint32_t)(2 * m - 1), 0};
    free(ret_at);
    free(ev);
}

typedef struct frame {
    uint32_t entry;
    int64_t state;
} frame;

/* The search proper over one key's participating operations. */
static linz_result check_key(const linz_op *const *ops, size_t m, size_t max_states,
                             size_t *states)
{
    if (m == 0) return LINZ_LINEARIZABLE;
    node *nodes = mice_malloc((2 * m + 1) * sizeof *nodes);
    build_list(ops, m, nodes);
    size_t words = (m + 63) / 64;
    uint64_t *bits = mice_calloc(words, sizeof *bits);
    frame *stack = mice_malloc(m * sizeof *stack);
    size_t depth = 0;
    memo memo_set;
    memo_init(&memo_set, words);
    const uint32_t head = (uint32_t)(2 * m);
    linz_result res = LINZ_LINEARIZABLE;
    int64_t state = 0;
    uint32_t e = nodes[head].next;
    while (nodes[head].next != head) {
        if (e != head && nodes[e].match >= 0) {
            uint32_t op = nodes[e].op;
            int64_t next;
            if (model_step(state, ops[op], &next)) {
                bits[op / 64] |= 1ull << (op % 64);
                if (memo_add(&memo_set, bits, next)) {
                    if (memo_set.n > max_states) {
                        res = LINZ_TOO_COMPLEX;
                        break;
                    }
                    stack[depth++] = (frame){e, state};
                    state = next;
                    lift(nodes, e);
                    e = nodes[head].next;
                    continue;
                }
                bits[op / 64] &= ~(1ull << (op % 64));
            }
            e = nodes[e].next;
            continue;
        }
        /* A return (or the end) reached with its operation not linearized: backtrack. */
        if (depth == 0) {
            res = LINZ_VIOLATION;
            break;
        }
        frame f = stack[--depth];
        state = f.state;
        uint32_t op = nodes[f.entry].op;
        bits[op / 64] &= ~(1ull << (op % 64));
        unlift(nodes, f.entry);
        e = nodes[f.entry].next;
    }
    *states += memo_set.n;
    memo_deinit(&memo_set);
    free(stack);
    free(bits);
    free(nodes);
    return res;
}

static int key_order_cmp(const void *a, const void *b)
{
    const linz_op *x = *(const linz_op *const *)a, *y = *(const linz_op *const *)b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x < y ? -1 : x > y;
}

linz_result linz_check_ops(const linz_op *ops, size_t n, size_t max_states, linz_report *rep)
{
    linz_report local;
    if (!rep) rep = &local;
    memset(rep, 0, sizeof *rep);
    const linz_op **sorted = mice_malloc((n ? n : 1) * sizeof *sorted);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (takes_part(&ops[i])) sorted[m++] = &ops[i];
    qsort(sorted, m, sizeof *sorted, key_order_cmp);
    rep->ops_checked = m;
    rep->result = LINZ_LINEARIZABLE;
    for (size_t lo = 0; lo < m;) {
        size_t hi = lo;
        while (hi < m && sorted[hi]->key == sorted[lo]->key) hi++;
        rep->keys_checked++;
        linz_result r = check_key(sorted + lo, hi - lo, max_states, &rep->states_explored);
        if (r != LINZ_LINEARIZABLE) {
            rep->result = r;
            rep->key = sorted[lo]->key;
            rep->key_ops = hi - lo;
            if (r == LINZ_VIOLATION) break;
        }
        lo = hi;
    }
    free(sorted);
    return rep->result;
}

linz_result linz_check(const linz_history *h, size_t max_states, linz_report *rep)
{
    return linz_check_ops(h->ops, h->n, max_states, rep);
}
