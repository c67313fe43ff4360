/*
 * simsched.c - binary min-heap of events on (time, sequence).
 */
#include "sim/simsched.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"

enum { SIM_WALL_EPOCH_S = 1790000000 }; /* a fixed start date: runs must not see real time */

static uint64_t sim_mono_ns(void *ctx)
{
    return ((sim_sched *)ctx)->now_ns;
}

static uint64_t sim_wall_ns(void *ctx)
{
    return (uint64_t)SIM_WALL_EPOCH_S * MICE_NS_PER_S + ((sim_sched *)ctx)->now_ns;
}

static uint64_t sim_entropy(void *ctx)
{
    return prng_next(((sim_sched *)ctx)->prng);
}

static void sim_sleep_ns(void *ctx, uint64_t ns)
{
    (void)ctx;
    (void)ns;
    mice_panic(__FILE__, __LINE__, "sleep inside the simulator");
}

void sched_init(sim_sched *s, mice_prng *prng)
{
    memset(s, 0, sizeof *s);
    s->prng = prng;
    s->env = (mice_env){sim_mono_ns, sim_wall_ns, sim_entropy, sim_sleep_ns, s};
}

void sched_deinit(sim_sched *s)
{
    free(s->heap);
    memset(s, 0, sizeof *s);
}

const mice_env *sched_env(sim_sched *s)
{
    return &s->env;
}

static bool ev_less(const sim_event *a, const sim_event *b)
{
    if (a->t_ns != b->t_ns) return a->t_ns < b->t_ns;
    return a->seq < b->seq;
}

void sched_at(sim_sched *s, uint64_t t_ns, int kind, int node, void *ptr, uint64_t arg)
{
    mice_assert(t_ns >= s->now_ns);
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->heap = mice_realloc(s->heap, s->cap * sizeof *s->heap);
    }
    size_t i = s->n++;
    sim_event ev = {t_ns, s->seq++, kind, node, ptr, arg};
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ev_less(&ev, &s->heap[parent])) break;
        s->heap[i] = s->heap[parent];
        i = parent;
    }
    s->heap[i] = ev;
}

bool sched_drain(sim_sched *s, sim_event *out)
{
    if (s->n == 0) return false;
    *out = s->heap[0];
    sim_event last = s->heap[--s->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->n) break;
        if (c + 1 < s->n && ev_less(&s->heap[c + 1], &s->heap[c])) c++;
        if (!ev_less(&s->heap[c], &last)) break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->n) s->heap[i] = last;
    return true;
}

bool sched_pop(sim_sched *s, sim_event *out)
{
    if (!sched_drain(s, out)) return false;
    mice_assert(out->t_ns >= s->now_ns);
    s->now_ns = out->t_ns;
    return true;
}
