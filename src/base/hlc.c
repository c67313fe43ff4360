/*
 * hlc.c - hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014).
 *
 * The state is the last timestamp handed out or merged. now() takes the physical clock
 * when it has moved past that state and otherwise bumps the logical counter, so results
 * strictly increase even when the wall clock steps backwards. One mutex serialises the
 * state: the critical sections are a handful of instructions and a clock read.
 */
#include "base/hlc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/buf.h"
#include "base/check.h"

struct hlc {
    const mice_env *env;
    uint64_t max_offset_ns;
    pthread_mutex_t mu; /* protects last */
    hlc_ts last;        /* the greatest timestamp returned by now() or merged in */
};

hlc *hlc_create(const mice_env *env, uint64_t max_offset_ns)
{
    mice_assert(env != NULL);
    hlc *c = mice_calloc(1, sizeof *c);
    c->env = env;
    c->max_offset_ns = max_offset_ns;
    c->last = HLC_TS_ZERO;
    int rc = pthread_mutex_init(&c->mu, NULL);
    mice_assert(rc == 0);
    return c;
}

void hlc_destroy(hlc *c)
{
    if (!c) return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

hlc_ts hlc_now(hlc *c)
{
    uint64_t phys = env_wall_ns(c->env);
    pthread_mutex_lock(&c->mu);
    if (phys > c->last.wall_ns)
        c->last = (hlc_ts){phys, 0};
    else
        c->last = hlc_ts_next(c->last);
    hlc_ts t = c->last;
    pthread_mutex_unlock(&c->mu);
    return t;
}

mice_status hlc_update(hlc *c, hlc_ts remote)
{
    uint64_t phys = env_wall_ns(c->env);
    /* Compare by subtraction so phys + max_offset cannot overflow. */
    if (remote.wall_ns > phys && remote.wall_ns - phys > c->max_offset_ns) return MICE_RANGE;
    hlc_forward(c, remote);
    return MICE_OK;
}

void hlc_forward(hlc *c, hlc_ts ts)
{
    pthread_mutex_lock(&c->mu);
    if (hlc_ts_cmp(ts, c->last) > 0) c->last = ts;
    pthread_mutex_unlock(&c->mu);
}

int hlc_ts_cmp(hlc_ts a, hlc_ts b)
{
    if (a.wall_ns != b.wall_ns) return a.wall_ns < b.wall_ns ? -1 : 1;
    if (a.logical != b.logical) return a.logical < b.logical ? -1 : 1;
    return 0;
}

hlc_ts hlc_ts_next(hlc_ts t)
{
    if (t.logical < UINT32_MAX) return (hlc_ts){t.wall_ns, t.logical + 1};
    /* HLC_TS_MAX has no successor; reaching it means a clock 584 years past the epoch. */
    mice_assert(t.wall_ns < UINT64_MAX);
    return (hlc_ts){t.wall_ns + 1, 0};
}

hlc_ts hlc_ts_prev(hlc_ts t)
{
    mice_assert(!hlc_ts_is_zero(t));
    if (t.logical > 0) return (hlc_ts){t.wall_ns, t.logical - 1};
    return (hlc_ts){t.wall_ns - 1, UINT32_MAX};
}

void hlc_ts_encode(hlc_ts t, uint8_t out[HLC_TS_ENCODED_BYTES])
{
    mice_store_be64(out, t.wall_ns);
    mice_store_be32(out + 8, t.logical);
}

hlc_ts hlc_ts_decode(const uint8_t in[HLC_TS_ENCODED_BYTES])
{
    return (hlc_ts){mice_load_be64(in), mice_load_be32(in + 8)};
}

void hlc_ts_format(hlc_ts t, char *out, unsigned out_bytes)
{
    if (out_bytes == 0) return;
    snprintf(out, out_bytes, "%" PRIu64 ".%09" PRIu64 ",%" PRIu32, t.wall_ns / MICE_NS_PER_S,
             t.wall_ns % MICE_NS_PER_S, t.logical);
}
