/*
 * placement.h - the placement driver's decision: which replica to add or remove next.
 *
 * A pure function of (node liveness, range descriptors, config) -> at most one change,
 * so it can be tested on tables of cases and run again after every change (each change
 * alters the descriptors the next decision sees). DESIGN.md "Ranges and placement": the
 * leaseholder of range 1 runs it periodically (store_placement_step) and carries the
 * change out as add-learner -> catch up by snapshot -> promote, or remove.
 *
 * Nodes are LIVE, SUSPECT (not live for less than dead_timeout_ms: maybe restarting, left
 * alone) or DEAD (not live for dead_timeout_ms or more). The list is the cluster's
 * membership: a replica on a node missing from it counts as on a DEAD node. Per range, in
 * the order given, the first rule that applies decides:
 *   1. a range whose live and suspect voters are no quorum of its voters is skipped
 *      (no change could commit; that needs an operator);
 *   2. a learner (an add that did not finish) on a LIVE node: ADD it again (the store
 *      resumes with the catch-up and promotion); on a DEAD node: REMOVE it; on a SUSPECT
 *      node: the range waits;
 *   3. fewer voters on live or suspect nodes than the target, min(replication_factor,
 *      live + suspect nodes): ADD on the LIVE node without a replica of the range that
 *      holds the fewest replicas overall (ties: lowest node id);
 *   4. a voter on a DEAD node (and another voter left): REMOVE it, after rule 3 added its
 *      replacement when a node was free for one;
 *   5. more voters than the target and none on a suspect node: REMOVE the voter on the
 *      live node holding the most replicas (ties: highest node id).
 * When no range needs anything:
 *   6. no node SUSPECT and the live nodes' replica counts differ by two or more: ADD on the
 *      least loaded node to a range whose voters are all LIVE and that has one on the most
 *      loaded node (rule 5 then removes that one): a node that joins receives replicas.
 *
 * Owns: nothing. Thread safety: pure functions, any thread.
 */
#ifndef MICE_KV_PLACEMENT_H
#define MICE_KV_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kv/rangedesc.h"

enum {
    PLACEMENT_REPLICATION_FACTOR_DEFAULT = 3,
    /* Long enough to ride out a restart or an upgrade of one node; moving a replica
     * copies the range, so replacing it must not be the reaction to a blip. */
    PLACEMENT_DEAD_TIMEOUT_MS_DEFAULT = 60000,
};

typedef struct placement_node {
    uint64_t node_id;
    bool live;
    uint64_t down_ms; /* not live: for how long (the caller's liveness record) */
} placement_node;

typedef struct placement_config {
    uint32_t replication_factor; /* voters a range wants; fewer when fewer nodes are up */
    uint64_t dead_timeout_ms;    /* a node not live this long is replaced */
} placement_config;

void placement_config_init(placement_config *cfg);

typedef enum placement_op {
    PLACEMENT_NONE = 0,
    PLACEMENT_ADD = 1,    /* a replica of range_id on node_id (learner, then voter) */
    PLACEMENT_REMOVE = 2, /* the replica of range_id on node_id */
} placement_op;

typedef struct placement_change {
    placement_op op;
    uint64_t range_id;
    uint64_t node_id;
    uint64_t generation; /* of the descriptor the decision read */
    const char *reason;  /* static text for logs; NULL with PLACEMENT_NONE */
} placement_change;

/* The next change, or op PLACEMENT_NONE when every range is where it should be. */
placement_change placement_next(const placement_config *cfg, const placement_node *nodes,
                                size_t n_nodes, const range_desc *descs, size_t n_descs);

/* "add r3 on n4 (under-replicated)" for logs (appends). */
void placement_describe(const placement_change *c, mice_buf *out);

#endif
