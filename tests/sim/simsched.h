/*
 * simsched.h - the simulator's clock and event queue.
 *
 * Virtual time only moves when the next event is popped: a min-heap ordered by
 * (time, sequence number), so two events at the same instant run in the order they were
 * scheduled and a seed replays identically. Everything the simulator does (a message
 * arriving, an fsync finishing, a node's tick, a client's request, a fault) is an event.
 * simsched also provides a mice_env whose clocks read virtual time, for code that takes
 * an environment.
 *
 * Owns: its heap. Thread safety: the simulator's single thread.
 */
#ifndef MICE_TESTS_SIM_SIMSCHED_H
#define MICE_TESTS_SIM_SIMSCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/prng.h"

typedef struct sim_event {
    uint64_t t_ns;
    uint64_t seq;
    int kind;  /* the driver's event kinds */
    int node;
    void *ptr; /* owned by whoever handles the event */
    uint64_t arg;
} sim_event;

typedef struct sim_sched {
    sim_event *heap;
    size_t n, cap;
    uint64_t now_ns;
    uint64_t seq;
    mice_prng *prng; /* for the env's entropy */
    mice_env env;
} sim_sched;

void sched_init(sim_sched *s, mice_prng *prng);
/* Frees the heap; events still queued are dropped (free their ptrs first, see sched_drain). */
void sched_deinit(sim_sched *s);
void sched_at(sim_sched *s, uint64_t t_ns, int kind, int node, void *ptr, uint64_t arg);
static inline void sched_after(sim_sched *s, uint64_t delay_ns, int kind, int node, void *ptr,
                               uint64_t arg)
{
    sched_at(s, s->now_ns + delay_ns, kind, node, ptr, arg);
}
/* Pops the earliest event and advances now_ns to it; false when empty. */
bool sched_pop(sim_sched *s, sim_event *out);
/* Pops without advancing time (for teardown). */
bool sched_drain(sim_sched *s, sim_event *out);

/* Virtual-time environment: mono = now, wall = a fixed epoch + now, entropy from the PRNG,
 * sleep is not allowed (the simulator never blocks). */
const mice_env *sched_env(sim_sched *s);

#endif
