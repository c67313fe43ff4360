/*
 * raftcheck.c - incremental checks of Raft's safety properties.
 *
 * Everything is kept as dense vectors indexed by log index (the simulated logs are short)
 * plus one hash map for (index, term) -> chain hash. A node's chain is valid from its
 * snapshot index (whose chain value comes from the global map: some node persisted that
 * entry before a snapshot could be taken of it) up to its last persisted index.
 */
#include "sim/raftcheck.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

typedef struct pairmap {
    uint64_t *keys; /* 2 per slot; (0, 0) = empty */
    uint64_t *vals;
    size_t n, cap;
} pairmap;

typedef struct u64vec {
    uint64_t *v;
    size_t n, cap;
} u64vec;

typedef struct node_log {
    uint64_t base;       /* snapshot index; chain[base] = base_chain */
    uint64_t base_chain;
    u64vec chain;        /* chain of base+1 ... */
    uint64_t checked_commit;
} node_log;

struct raftcheck {
    pairmap entry_chain;  /* (index, term) -> chain */
    pairmap term_leader;  /* (term, 0) -> node + 1 */
    pairmap term_commit;  /* (term, 0) -> max commit observed in that term */
    u64vec committed;     /* index -> chain (0 unset) */
    u64vec applied;       /* index -> hash(term, data) (0 unset) */
    node_log log[RAFTCHECK_NODES_MAX];
    uint64_t leaders_seen;
    char invariant[64];
    char detail[RAFTCHECK_MSG_MAX];
};

static uint64_t mix64(uint64_t a, uint64_t b)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 29;
    return h | 1; /* never 0: 0 marks "unset" */
}

static size_t pm_slot(const pairmap *m, uint64_t a, uint64_t b)
{
    size_t mask = m->cap - 1;
    size_t s = mix64(a, b) & mask;
    while ((m->keys[2 * s] || m->keys[2 * s + 1]) &&
           !(m->keys[2 * s] == a && m->keys[2 * s + 1] == b))
        s = (s + 1) & mask;
    return s;
}

static void pm_put(pairmap *m, uint64_t a, uint64_t b, uint64_t v);

static void pm_grow(pairmap *m)
{
    pairmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 256;
    m->n = 0;
    m->keys = mice_calloc(2 * m->cap, sizeof *m->keys);
    m->vals = mice_calloc(m->cap, sizeof *m->vals);
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[2 * i] || old.keys[2 * i + 1])
            pm_put(m, old.keys[2 * i], old.keys[2 * i + 1], old.vals[i]);
    free(old.keys);
    free(old.vals);
}

static void pm_put(pairmap *m, uint64_t a, uint64_t b, uint64_t v)
{
    mice_assert(a || b);
    if ((m->n + 1) * 2 > m->cap) pm_grow(m);
    size_t s = pm_slot(m, a, b);
    if (!m->keys[2 * s] && !m->keys[2 * s + 1]) m->n++;
    m->keys[2 * s] = a;
    m->keys[2 * s + 1] = b;
    m->vals[s] = v;
}

static bool pm_get(const pairmap *m, uint64_t a, uint64_t b, uint64_t *v)
{
    if (!m->cap) return false;
    size_t s = pm_slot(m, a, b);
    if (!m->keys[2 * s] && !m->keys[2 * s + 1]) return false;
    *v = m->vals[s];
    return true;
}

static void pm_free(pairmap *m)
{
    free(m->keys);
    free(m->vals);
}

static void vec_set(u64vec *v, size_t i, uint64_t x)
{
    if (i >= v->cap) {
        size_t cap = v->cap ? v->cap : 256;
        while (cap <= i) cap *= 2;
        v->v = mice_realloc(v->v, cap * sizeof *v->v);
        memset(v->v + v->cap, 0, (cap - v->cap) * sizeof *v->v);
        v->cap = cap;
    }
    v->v[i] = x;
    if (i >= v->n) v->n = i + 1;
}

static uint64_t vec_get(const u64vec *v, size_t i)
{
    return i < v->n ? v->v[i] : 0;
}

raftcheck *raftcheck_create(void)
{
    return mice_calloc(1, sizeof(raftcheck));
}

void raftcheck_destroy(raftcheck *c)
{
    if (!c) return;
    pm_free(&c->entry_chain);
    pm_free(&c->term_leader);
    pm_free(&c->term_commit);
    free(c->committed.v);
    free(c->applied.v);
    for (int i = 0; i < RAFTCHECK_NODES_MAX; i++) free(c->log[i].chain.v);
    free(c);
}

bool raftcheck_failed(const raftcheck *c)
{
    return c->invariant[0] != 0;
}

const char *raftcheck_invariant(const raftcheck *c)
{
    return c->invariant;
}

const char *raftcheck_detail(const raftcheck *c)
{
    return c->detail;
}

uint64_t raftcheck_leaders_seen(const raftcheck *c)
{
    return c->leaders_seen;
}

__attribute__((format(printf, 3, 4))) static void fail(raftcheck *c, const char *inv,
                                                       const char *fmt, ...)
{
    if (raftcheck_failed(c)) return;
    snprintf(c->invariant, sizeof c->invariant, "%s", inv);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
}

void raftcheck_fail(raftcheck *c, const char *invariant, const char *detail)
{
    fail(c, invariant, "%s", detail);
}

void raftcheck_leader(raftcheck *c, int node, uint64_t term)
{
    uint64_t who;
    if (pm_get(&c->term_leader, term, 0, &who)) {
        if (who != (uint64_t)node + 1)
            fail(c, "election safety", "nodes %d and %d both leader in term %" PRIu64,
                 (int)who - 1, node, term);
        return;
    }
    pm_put(&c->term_leader, term, 0, (uint64_t)node + 1);
    c->leaders_seen++;
}

/* Chain value of node's log at index; false if not held. */
static bool chain_at(const raftcheck *c, int node, uint64_t index, uint64_t *out)
{
    const node_log *l = &c->log[node];
    if (index < l->base) return false;
    if (index == l->base) {
        *out = l->base_chain;
        return true;
    }
    if (index - l->base > l->chain.n) return false;
    *out = l->chain.v[index - l->base - 1];
    return true;
}

static uint64_t last_index(const raftcheck *c, int node)
{
    return c->log[node].base + c->log[node].chain.n;
}

void raftcheck_log_append(raftcheck *c, int node, uint64_t index, const uint64_t *terms,
                          const uint64_t *data_hashes, size_t n)
{
    node_log *l = &c->log[node];
    if (n == 0) return;
    mice_assert(index > l->base);
    mice_assert(index <= last_index(c, node) + 1);
    l->chain.n = index - l->base - 1; /* truncate the conflicting tail */
    uint64_t prev;
    mice_assert(chain_at(c, node, index - 1, &prev));
    for (size_t i = 0; i < n; i++) {
        uint64_t idx = index + i, h = mix64(prev, mix64(terms[i], data_hashes[i]));
        uint64_t seen;
        if (pm_get(&c->entry_chain, idx, terms[i], &seen)) {
            if (seen != h)
                fail(c, "log matching",
                     "node %d: entry (index %" PRIu64 ", term %" PRIu64
                     ") differs from another log's entry with the same index and term"
                     " (or its prefix does)", node, idx, terms[i]);
        } else {
            pm_put(&c->entry_chain, idx, terms[i], h);
        }
        vec_set(&l->chain, idx - l->base - 1, h);
        prev = h;
    }
    if (l->checked_commit > last_index(c, node)) l->checked_commit = last_index(c, node);
}

void raftcheck_log_snapshot(raftcheck *c, int node, uint64_t index, uint64_t term)
{
    node_log *l = &c->log[node];
    uint64_t h = 0;
    if (index == 1 && term == 1) {
        h = mix64(1, 1); /* the bootstrap snapshot every member starts from */
        pm_put(&c->entry_chain, 1, 1, h);
    } else if (index > 0 && !pm_get(&c->entry_chain, index, term, &h)) {
        fail(c, "log matching", "node %d installed a snapshot at (index %" PRIu64 ", term %"
             PRIu64 ") that no log ever held", node, index, term);
    }
    l->base = index;
    l->base_chain = h;
    l->chain.n = 0;
    if (l->checked_commit < index) l->checked_commit = index;
}

void raftcheck_commit(raftcheck *c, int node, uint64_t commit, uint64_t term)
{
    uint64_t prev_max = 0;
    pm_get(&c->term_commit, term, 0, &prev_max);
    if (commit > prev_max) pm_put(&c->term_commit, term, 0, commit);
    node_log *l = &c->log[node];
    uint64_t upto = commit < last_index(c, node) ? commit : last_index(c, node);
    uint64_t from = l->checked_commit > l->base ? l->checked_commit : l->base;
    for (uint64_t i = from; i <= upto && i > 0; i++) {
        uint64_t h, g = vec_get(&c->committed, i);
        if (!chain_at(c, node, i, &h) || !h) continue;
        if (!g) vec_set(&c->committed, i, h);
        else if (g != h)
            fail(c, "log matching",
                 "node %d committed index %" PRIu64 " with a different history than another node",
                 node, i);
    }
    if (upto > l->checked_commit) l->checked_commit = upto;
}

void raftcheck_apply(raftcheck *c, int node, uint64_t index, uint64_t term, uint64_t data_hash)
{
    uint64_t h = mix64(term, data_hash), g = vec_get(&c->applied, index);
    if (!g) vec_set(&c->applied, index, h);
    else if (g != h)
        fail(c, "state machine safety",
             "node %d applied a different entry (term %" PRIu64 ") at index %" PRIu64
             " than another node did", node, term, index);
}

void raftcheck_leader_complete(raftcheck *c, int node, uint64_t term)
{
    uint64_t need = 0;
    const pairmap *m = &c->term_commit;
    for (size_t s = 0; s < m->cap; s++) {
        uint64_t t = m->keys[2 * s];
        if (t && t < term && m->vals[s] > need) need = m->vals[s];
    }
    if (need == 0) return;
    const node_log *l = &c->log[node];
    if (need > last_index(c, node)) {
        fail(c, "leader completeness",
             "node %d leads term %" PRIu64 " but its log ends at %" PRIu64
             ", before index %" PRIu64 " committed in an earlier term",
             node, term, last_index(c, node), need);
        return;
    }
    uint64_t at = need < l->base ? l->base : need, h, g = vec_get(&c->committed, at);
    if (g && chain_at(c, node, at, &h) && h != g)
        fail(c, "leader completeness",
             "node %d leads term %" PRIu64 " with a log that differs from the committed log"
             " at or before index %" PRIu64, node, term, at);
}
