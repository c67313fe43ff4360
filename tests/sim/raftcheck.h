/*
 * raftcheck.h - Raft's safety properties, checked after every simulation step.
 *
 *   election safety     at most one leader per term, ever (term -> leader map)
 *   log matching        entries with the same (index, term) have identical prefixes: each
 *                       node's persisted log carries a hash chain h[i] = H(h[i-1], term,
 *                       data); one global map (index, term) -> h[i] must never disagree
 *   leader completeness a leader of term T holds every entry observed committed in a term
 *                       below T (checked on its persisted log, the first time it has made
 *                       its log durable as leader)
 *   state-machine safety no two nodes apply different entries at one index (index ->
 *                       (term, data hash) of the first apply)
 *   commit agreement    every node's committed prefix hashes to the same chain value
 *
 * The first violation is kept (invariant name + detail); later ones are ignored.
 *
 * Owns: its maps and per-node chains. Thread safety: one thread.
 */
#ifndef MICE_TESTS_SIM_RAFTCHECK_H
#define MICE_TESTS_SIM_RAFTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { RAFTCHECK_NODES_MAX = 16, RAFTCHECK_MSG_MAX = 256 };

typedef struct raftcheck raftcheck;

raftcheck *raftcheck_create(void);
void raftcheck_destroy(raftcheck *c);

bool raftcheck_failed(const raftcheck *c);
const char *raftcheck_invariant(const raftcheck *c); /* "" if none */
const char *raftcheck_detail(const raftcheck *c);

/* Record a violation found elsewhere (the driver: a broken library contract). */
void raftcheck_fail(raftcheck *c, const char *invariant, const char *detail);
/* Election safety: node believes it leads term. */
void raftcheck_leader(raftcheck *c, int node, uint64_t term);
/* The persisted log of node: replaced from index on by n entries (terms[i], data hashes). */
void raftcheck_log_append(raftcheck *c, int node, uint64_t index, const uint64_t *terms,
                          const uint64_t *data_hashes, size_t n);
/* The persisted log of node was replaced by a snapshot at (index, term). */
void raftcheck_log_snapshot(raftcheck *c, int node, uint64_t index, uint64_t term);
/* node's commit index, while its term is term. */
void raftcheck_commit(raftcheck *c, int node, uint64_t commit, uint64_t term);
/* node applied (index, term, data hash). */
void raftcheck_apply(raftcheck *c, int node, uint64_t index, uint64_t term, uint64_t data_hash);
/* node, leader of term, has made its log durable: it must hold all earlier commits. */
void raftcheck_leader_complete(raftcheck *c, int node, uint64_t term);
/* A node whose log was lost entirely (never in this simulator: crashes keep synced data). */
uint64_t raftcheck_leaders_seen(const raftcheck *c);

#endif
