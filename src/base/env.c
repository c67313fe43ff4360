#include "base/env.h"

#include <errno.h>
#include <sys/random.h>
#include <time.h>

#include "base/check.h"

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    int rc = clock_gettime(id, &ts);
    mice_assert(rc == 0);
    return (uint64_t)ts.tv_sec * MICE_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t real_mono_ns(void *ctx)
{
    (void)ctx;
    return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t real_wall_ns(void *ctx)
{
    (void)ctx;
    return clock_ns(CLOCK_REALTIME);
}

static uint64_t real_entropy(void *ctx)
{
    (void)ctx;
    uint64_t v = 0;
    ssize_t got = getrandom(&v, sizeof v, 0);
    if (got != (ssize_t)sizeof v) v = clock_ns(CLOCK_MONOTONIC) ^ ((uint64_t)errno << 48);
    return v;
}

static void real_sleep_ns(void *ctx, uint64_t ns)
{
    (void)ctx;
    struct timespec ts = {(time_t)(ns / MICE_NS_PER_S), (long)(ns % MICE_NS_PER_S)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static const mice_env real_env = {
    .mono_ns = real_mono_ns,
    .wall_ns = real_wall_ns,
    .entropy = real_entropy,
    .sleep_ns = real_sleep_ns,
    .ctx = 0,
};

const mice_env *mice_env_real(void)
{
    return &real_env;
}
