/*
 * simnet.c - per-link fates of messages: loss, delay, reordering, duplication, partitions.
 */
#include "sim/simnet.h"

#include <string.h>

#include "base/check.h"

void simnet_init(simnet *n, mice_prng *prng, sim_sched *sched, int deliver_kind,
                 simnet_clone_fn clone, simnet_free_fn free_payload, simnet_link base)
{
    memset(n, 0, sizeof *n);
    n->prng = prng;
    n->sched = sched;
    n->deliver_kind = deliver_kind;
    n->clone = clone;
    n->free_payload = free_payload;
    n->reorder_extra_ns = 20 * (uint64_t)MICE_NS_PER_MS;
    simnet_set_all(n, base);
}

void simnet_set_all(simnet *n, simnet_link profile)
{
    for (int i = 0; i < SIMNET_NODES_MAX; i++) {
        for (int j = 0; j < SIMNET_NODES_MAX; j++) {
            bool blocked = n->link[i][j].blocked;
            n->link[i][j] = profile;
            n->link[i][j].blocked = blocked;
        }
    }
}

static uint64_t link_delay(simnet *n, const simnet_link *l)
{
    uint64_t d = l->delay_min_ns;
    if (l->delay_max_ns > l->delay_min_ns)
        d += prng_below(n->prng, l->delay_max_ns - l->delay_min_ns + 1);
    if (l->reorder_ppm && prng_chance(n->prng, l->reorder_ppm, SIMNET_PPM)) {
        d += prng_below(n->prng, n->reorder_extra_ns + 1);
        n->stats.reordered++;
    }
    return d;
}

void simnet_send(simnet *n, int from, int to, void *payload)
{
    mice_assert(from >= 0 && from < SIMNET_NODES_MAX);
    mice_assert(to >= 0 && to < SIMNET_NODES_MAX);
    const simnet_link *l = &n->link[from][to];
    n->stats.sent++;
    if (l->blocked) {
        n->stats.dropped_partition++;
        n->free_payload(payload);
        return;
    }
    if (l->loss_ppm && prng_chance(n->prng, l->loss_ppm, SIMNET_PPM)) {
        n->stats.dropped_loss++;
        n->free_payload(payload);
        return;
    }
    if (l->dup_ppm && prng_chance(n->prng, l->dup_ppm, SIMNET_PPM)) {
        n->stats.duplicated++;
        sched_after(n->sched, link_delay(n, l), n->deliver_kind, to, n->clone(payload),
                    (uint64_t)from);
    }
    sched_after(n->sched, link_delay(n, l), n->deliver_kind, to, payload, (uint64_t)from);
}

bool simnet_deliverable(const simnet *n, int from, int to)
{
    return !n->link[from][to].blocked;
}

void simnet_partition(simnet *n, int nodes, uint32_t mask)
{
    for (int i = 0; i < nodes; i++) {
        for (int j = 0; j < nodes; j++) {
            bool a = mask >> i & 1, b = mask >> j & 1;
            if (a != b) n->link[i][j].blocked = true;
        }
    }
    n->stats.partitions++;
}

void simnet_block(simnet *n, int from, int to)
{
    n->link[from][to].blocked = true;
    n->stats.asym_partitions++;
}

void simnet_isolate(simnet *n, int nodes, int node)
{
    simnet_partition(n, nodes, 1u << node);
}

void simnet_heal(simnet *n)
{
    for (int i = 0; i < SIMNET_NODES_MAX; i++)
        for (int j = 0; j < SIMNET_NODES_MAX; j++) n->link[i][j].blocked = false;
    n->stats.heals++;
}

bool simnet_any_blocked(const simnet *n, int nodes)
{
    for (int i = 0; i < nodes; i++)
        for (int j = 0; j < nodes; j++)
            if (n->link[i][j].blocked) return true;
    return false;
}
