/* The placement driver's decision (see placement.h): rules applied range by range. */
#include "kv/placement.h"

#include <inttypes.h>
#include <string.h>

typedef enum node_state {
    NODE_LIVE,
    NODE_SUSPECT,
    NODE_DEAD,
} node_state;

void placement_config_init(placement_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->replication_factor = PLACEMENT_REPLICATION_FACTOR_DEFAULT;
    cfg->dead_timeout_ms = PLACEMENT_DEAD_TIMEOUT_MS_DEFAULT;
}

static const placement_node *find_node(const placement_node *nodes, size_t n, uint64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (nodes[i].node_id == id) return &nodes[i];
    return NULL;
}

static node_state state_of(const placement_config *cfg, const placement_node *nodes, size_t n,
                           uint64_t id)
{
    const placement_node *nd = find_node(nodes, n, id);
    if (!nd) return NODE_DEAD; /* not a member any more */
    if (nd->live) return NODE_LIVE;
    return nd->down_ms >= cfg->dead_timeout_ms ? NODE_DEAD : NODE_SUSPECT;
}

/* Replicas (any type) each listed node holds, over every range. */
static uint64_t replicas_on(const range_desc *descs, size_t n_descs, uint64_t node_id)
{
    uint64_t n = 0;
    for (size_t i = 0; i < n_descs; i++)
        n += rangedesc_replica_on(&descs[i], node_id) != NULL;
    return n;
}

static placement_change change(placement_op op, const range_desc *d, uint64_t node,
                               const char *reason)
{
    return (placement_change){.op = op,
                              .range_id = d->range_id,
                              .node_id = node,
                              .generation = d->generation,
                              .reason = reason};
}

/* The decision for one range; op NONE if it is fine (or must wait). */
static placement_change decide(const placement_config *cfg, const placement_node *nodes,
                               size_t n_nodes, const range_desc *descs, size_t n_descs,
                               const range_desc *d)
{
    placement_change none = {0};
    uint32_t voters = 0, voters_up = 0, voters_suspect = 0;
    for (uint32_t i = 0; i < d->n_replicas; i++) {
        const range_replica *rep = &d->replicas[i];
        node_state st = state_of(cfg, nodes, n_nodes, rep->node_id);
        if (rep->type != RANGE_REPLICA_VOTER) continue;
        voters++;
        voters_up += st != NODE_DEAD;
        voters_suspect += st == NODE_SUSPECT;
    }
    /* 1. Without a quorum nothing commits, a change included. */
    if (voters == 0 || voters_up < voters / 2 + 1) return none;
    /* 2. An add that did not finish. */
    for (uint32_t i = 0; i < d->n_replicas; i++) {
        const range_replica *rep = &d->replicas[i];
        if (rep->type != RANGE_REPLICA_LEARNER) continue;
        node_state st = state_of(cfg, nodes, n_nodes, rep->node_id);
        if (st == NODE_LIVE) return change(PLACEMENT_ADD, d, rep->node_id, "finish adding");
        if (st == NODE_DEAD) return change(PLACEMENT_REMOVE, d, rep->node_id, "learner on a dead node");
        return none;
    }
    size_t available = 0;
    for (size_t i = 0; i < n_nodes; i++)
        available += state_of(cfg, nodes, n_nodes, nodes[i].node_id) != NODE_DEAD;
    uint32_t target = cfg->replication_factor;
    if (available < target) target = (uint32_t)available;
    /* 3. Under-replicated: the least loaded live node without a replica. */
    if (voters_up < target && d->n_replicas < RANGEDESC_REPLICAS_MAX) {
        const placement_node *best = NULL;
        uint64_t best_load = 0;
        for (size_t i = 0; i < n_nodes; i++) {
            const placement_node *nd = &nodes[i];
            if (!nd->live || nd->node_id == 0 || rangedesc_replica_on(d, nd->node_id)) continue;
            uint64_t load = replicas_on(descs, n_descs, nd->node_id);
            if (!best || load < best_load || (load == best_load && nd->node_id < best->node_id)) {
                best = nd;
                best_load = load;
            }
        }
        if (best) return change(PLACEMENT_ADD, d, best->node_id, "under-replicated");
    }
    /* 4. A voter on a dead node, once its replacement is in (or none can be). */
    for (uint32_t i = 0; i < d->n_replicas && voters > 1; i++) {
        const range_replica *rep = &d->replicas[i];
        if (rep->type == RANGE_REPLICA_VOTER &&
            state_of(cfg, nodes, n_nodes, rep->node_id) == NODE_DEAD)
            return change(PLACEMENT_REMOVE, d, rep->node_id, "replica on a dead node");
    }
    /* 5. Over-replicated (a node came back, or the factor went down). */
    if (voters_up > target && voters_suspect == 0) {
        const range_replica *worst = NULL;
        uint64_t worst_load = 0;
        for (uint32_t i = 0; i < d->n_replicas; i++) {
            const range_replica *rep = &d->replicas[i];
            if (rep->type != RANGE_REPLICA_VOTER) continue;
            uint64_t load = replicas_on(descs, n_descs, rep->node_id);
            if (!worst || load > worst_load ||
                (load == worst_load && rep->node_id > worst->node_id)) {
                worst = rep;
                worst_load = load;
            }
        }
        if (worst) return change(PLACEMENT_REMOVE, d, worst->node_id, "over-replicated");
    }
    return none;
}

/* 6. Balance: when every range is fine, no node is suspect, and the live nodes' replica
 * counts differ by two or more, add a replica on the least loaded node to a healthy range
 * that has one on the most loaded; rule 5 then removes the most loaded node's (it is the
 * worst of that range). So a node that joins receives replicas until counts are within one. */
static placement_change rebalance(const placement_config *cfg, const placement_node *nodes,
                                  size_t n_nodes, const range_desc *descs, size_t n_descs)
{
    const placement_node *lo = NULL, *hi = NULL;
    uint64_t lo_n = 0, hi_n = 0;
    for (size_t i = 0; i < n_nodes; i++) { /* no moves while a node may be coming back */
        if (state_of(cfg, nodes, n_nodes, nodes[i].node_id) == NODE_SUSPECT)
            return (placement_change){0};
    }
    for (size_t i = 0; i < n_nodes; i++) {
        if (!nodes[i].live || nodes[i].node_id == 0) continue;
        uint64_t n = replicas_on(descs, n_descs, nodes[i].node_id);
        if (!lo || n < lo_n) {
            lo = &nodes[i];
            lo_n = n;
        }
        if (!hi || n > hi_n) {
            hi = &nodes[i];
            hi_n = n;
        }
    }
    if (!lo || hi_n < lo_n + 2) return (placement_change){0};
    for (size_t i = 0; i < n_descs; i++) {
        const range_desc *d = &descs[i];
        if (!rangedesc_is_initialized(d) || d->n_replicas >= RANGEDESC_REPLICAS_MAX) continue;
        if (!rangedesc_replica_on(d, hi->node_id) || rangedesc_replica_on(d, lo->node_id)) continue;
        bool healthy = true;
        for (uint32_t k = 0; k < d->n_replicas && healthy; k++)
            healthy = d->replicas[k].type == RANGE_REPLICA_VOTER &&
                      state_of(cfg, nodes, n_nodes, d->replicas[k].node_id) == NODE_LIVE;
        if (healthy) return change(PLACEMENT_ADD, d, lo->node_id, "rebalance");
    }
    return (placement_change){0};
}

placement_change placement_next(const placement_config *cfg, const placement_node *nodes,
                                size_t n_nodes, const range_desc *descs, size_t n_descs)
{
    for (size_t i = 0; i < n_descs; i++) {
        if (!rangedesc_is_initialized(&descs[i])) continue;
        placement_change c = decide(cfg, nodes, n_nodes, descs, n_descs, &descs[i]);
        if (c.op != PLACEMENT_NONE) return c;
    }
    return rebalance(cfg, nodes, n_nodes, descs, n_descs);
}

void placement_describe(const placement_change *c, mice_buf *out)
{
    if (c->op == PLACEMENT_NONE) {
        buf_append_str(out, "nothing to do");
        return;
    }
    buf_printf(out, "%s r%" PRIu64 " %s n%" PRIu64 " (%s)",
               c->op == PLACEMENT_ADD ? "add" : "remove", c->range_id,
               c->op == PLACEMENT_ADD ? "on" : "from", c->node_id, c->reason);
}
