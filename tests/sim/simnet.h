/*
 * simnet.h - a simulated network between the nodes of one simulation.
 *
 * Every link (from -> to) has its own delay range, loss and duplication probabilities
 * and may be blocked; a symmetric partition blocks both directions between two groups,
 * an asymmetric one only one direction. Reordering comes from independent random delays
 * plus an occasional extra "reorder" delay. All choices come from the simulation's one
 * PRNG. A message in flight when its link gets blocked is dropped on arrival, as a
 * partition would.
 *
 * Payloads are opaque: simnet schedules a delivery event (kind SIMNET_EV_DELIVER on the
 * caller's sim_sched, ptr = the payload, node = destination, arg = source) and asks the
 * caller's clone function for the copy a duplicate needs. Whoever pops the event owns the
 * payload; dropped payloads go to the free function.
 *
 * Owns: nothing but counters; payloads move to the event queue. Thread safety: one thread.
 */
#ifndef MICE_TESTS_SIM_SIMNET_H
#define MICE_TESTS_SIM_SIMNET_H

#include <stdbool.h>
#include <stdint.h>

#include "base/prng.h"
#include "sim/simsched.h"

enum { SIMNET_NODES_MAX = 16, SIMNET_PPM = 1000000 };

typedef struct simnet_link {
    uint64_t delay_min_ns, delay_max_ns;
    uint32_t loss_ppm, dup_ppm, reorder_ppm;
    bool blocked;
} simnet_link;

typedef struct simnet_stats {
    uint64_t sent, delivered, dropped_loss, dropped_partition, duplicated, reordered;
    uint64_t partitions, asym_partitions, heals;
} simnet_stats;

typedef void *(*simnet_clone_fn)(const void *payload);
typedef void (*simnet_free_fn)(void *payload);

typedef struct simnet {
    mice_prng *prng;
    sim_sched *sched;
    int deliver_kind;
    simnet_clone_fn clone;
    simnet_free_fn free_payload;
    uint64_t reorder_extra_ns;
    simnet_link link[SIMNET_NODES_MAX][SIMNET_NODES_MAX];
    simnet_stats stats;
} simnet;

/* All links get the same base profile; nothing blocked. */
void simnet_init(simnet *n, mice_prng *prng, sim_sched *sched, int deliver_kind,
                 simnet_clone_fn clone, simnet_free_fn free_payload, simnet_link base);
void simnet_set_all(simnet *n, simnet_link profile); /* keeps blocked flags */
/* Takes ownership of payload (freed if dropped). */
void simnet_send(simnet *n, int from, int to, void *payload);
/* At delivery: false if the link is now blocked (the caller then frees the payload). */
bool simnet_deliverable(const simnet *n, int from, int to);

/* Block both directions between the nodes in mask and the others in 0..nodes-1. */
void simnet_partition(simnet *n, int nodes, uint32_t mask);
/* Block one direction only. */
void simnet_block(simnet *n, int from, int to);
void simnet_isolate(simnet *n, int nodes, int node);
void simnet_heal(simnet *n);
bool simnet_any_blocked(const simnet *n, int nodes);

#endif
