/*
 * net.h - a tiny in-test network of raft nodes for readable scenarios.
 *
 * Each node is a raft plus a raft_memstorage and a record of what it applied. The driver
 * loop is the one documented in raft.h: save the Ready to storage, queue msgs and
 * msgs_after_persist, record committed entries and read states, advance. Messages wait in
 * one FIFO queue until net_deliver*; a test can cut links, isolate or stop nodes, hold
 * messages of one type, or pop a queued message to inspect or alter it.
 *
 * Owns: every raft, storage and queued message. Single-threaded.
 */
#ifndef MICE_TESTS_RAFT_NET_H
#define MICE_TESTS_RAFT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raft/raft.h"

enum { NET_NODES_MAX = 8, NET_APPLIED_MAX = 4096 };

typedef struct net_node {
    uint64_t id;
    bool exists;
    bool down;          /* stopped: receives nothing, processes nothing */
    raft *r;
    raft_memstorage *ms;
    raft_config cfg;
    /* Applied normal entries with data (no-ops and conf changes are skipped). */
    raft_entry applied[NET_APPLIED_MAX];
    size_t n_applied;
    uint64_t applied_index;
    raft_read_state reads[64];
    size_t n_reads;
    raft_conf_state conf;
} net_node;

typedef bool (*net_drop_fn)(void *ctx, const raft_msg *m);

typedef struct net {
    net_node nodes[NET_NODES_MAX + 1]; /* indexed by id, 1..NET_NODES_MAX */
    raft_msg *queue;
    size_t n_queue;
    size_t cap_queue;
    bool cut[NET_NODES_MAX + 1][NET_NODES_MAX + 1];
    net_drop_fn drop;    /* optional: drop a message when it returns true */
    void *drop_ctx;
    uint64_t delivered;
    uint64_t seed;
} net;

/* Config tweak applied to every node the net creates. */
typedef void (*net_config_fn)(raft_config *c);

/* Voters 1..n_voters, learners n_voters+1..n_voters+n_learners, all bootstrapped. */
net *net_create(uint32_t n_voters, uint32_t n_learners, net_config_fn tweak);
void net_destroy(net *n);
raft *net_raft(net *n, uint64_t id);
net_node *net_node_of(net *n, uint64_t id);

/* A node that is not in the bootstrap config (empty storage): a future member. */
void net_add_empty_node(net *n, uint64_t id, net_config_fn tweak);
/* Crash and restart from storage (an outstanding Ready is lost). */
void net_restart(net *n, uint64_t id);
/* Crash in the middle of a Ready: its msgs went out, nothing was persisted; restart. */
void net_crash_mid_ready(net *n, uint64_t id);
void net_stop(net *n, uint64_t id);
void net_start(net *n, uint64_t id); /* restart a stopped node */

/* Handle every node's Ready (repeatedly, until none has one). */
void net_process(net *n);
/* Process, then deliver queued messages until quiet (bounded); returns messages delivered. */
size_t net_settle(net *n);
/* Deliver only the messages currently queued (one round), then process. */
void net_deliver_round(net *n);
void net_tick(net *n, uint64_t id, uint32_t ticks);
void net_tick_all(net *n, uint32_t ticks); /* one tick to each live node, settling between */

/* Campaign on id and settle; returns the leader afterwards (RAFT_NONE if none). */
uint64_t net_elect(net *n, uint64_t id);
uint64_t net_leader(net *n); /* the leader with the highest term among live nodes */

void net_cut(net *n, uint64_t a, uint64_t b);      /* both directions */
void net_isolate(net *n, uint64_t id);             /* cut from everyone */
void net_heal(net *n);

/* Propose on id and settle; asserts success; returns the index (0 if forwarded). */
uint64_t net_propose(net *n, uint64_t id, const char *text);

/* Queue inspection: count / remove (into *out, caller deinits) the first message matching
 * type (RAFT_MSG_TYPE_COUNT = any), from and to (0 = any). */
size_t net_count(const net *n, raft_msg_type type, uint64_t from, uint64_t to);
bool net_take(net *n, raft_msg_type type, uint64_t from, uint64_t to, raft_msg *out);
void net_drop_all(net *n);
/* Step a message directly into a node (then process its Ready). */
void net_inject(net *n, const raft_msg *m);

/* Has node id applied an entry with this text? */
bool net_applied_text(const net *n, uint64_t id, const char *text);
/* Failure helper: print every node's status and the queue to stderr. */
void net_dump(net *n);

/* Single-node helpers for rule tests: a raft over ms whose log holds entries with the
 * given terms at indexes 2.. (bootstrap is index 1, term 1), current term = term. */
raft *rule_raft(raft_memstorage **ms_out, uint64_t id, uint32_t n_voters,
                const uint64_t *terms, size_t n_terms, uint64_t term, uint32_t canaries);
/* Collect a ready: save it to ms and advance; messages moved into *msgs (caller frees with
 * rule_msgs_free). after_persist messages are appended after the others and counted in
 * *n_after. */
void rule_ready(raft *r, raft_memstorage *ms, raft_msg **msgs, size_t *n, size_t *n_after);
void rule_msgs_free(raft_msg *msgs, size_t n);
/* Find a message of a type in a collected list; NULL if none. */
const raft_msg *rule_find(const raft_msg *msgs, size_t n, raft_msg_type type, uint64_t to);

#endif
