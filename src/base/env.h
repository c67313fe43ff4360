/*
 * env.h - the environment injected into everything that needs time or randomness.
 *
 * Code above src/base never calls clock_gettime, time() or rand(): it asks a mice_env,
 * which the real process fills from the OS (mice_env_real) and the deterministic
 * simulator fills from its own simulated clock and seeded PRNG. That single seam is what
 * makes a simulation seed reproduce a run exactly.
 *
 * Owns: nothing; an env is a table of callbacks plus the context they receive.
 * Thread safety: mice_env_real() is immutable and safe from any thread; a simulated env
 * belongs to the simulator's single thread.
 */
#ifndef MICE_BASE_ENV_H
#define MICE_BASE_ENV_H

#include <stdint.h>

typedef struct mice_env {
    uint64_t (*mono_ns)(void *ctx); /* monotonic nanoseconds, never goes back */
    uint64_t (*wall_ns)(void *ctx); /* nanoseconds since the Unix epoch */
    uint64_t (*entropy)(void *ctx); /* a fresh unpredictable 64-bit value (for seeds) */
    void (*sleep_ns)(void *ctx, uint64_t ns);
    void *ctx;
} mice_env;

/* The operating system's clocks and entropy. */
const mice_env *mice_env_real(void);

static inline uint64_t env_mono_ns(const mice_env *e)
{
    return e->mono_ns(e->ctx);
}
static inline uint64_t env_wall_ns(const mice_env *e)
{
    return e->wall_ns(e->ctx);
}
static inline uint64_t env_entropy(const mice_env *e)
{
    return e->entropy(e->ctx);
}
static inline void env_sleep_ns(const mice_env *e, uint64_t ns)
{
    e->sleep_ns(e->ctx, ns);
}

enum { MICE_NS_PER_US = 1000, MICE_NS_PER_MS = 1000000, MICE_NS_PER_S = 1000000000 };

#endif
