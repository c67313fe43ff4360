/*
 * prng.h - a seeded, reproducible pseudo-random generator (xoshiro256**).
 *
 * Same seed, same sequence, on every machine and build: the simulator and every property
 * test depend on it. Seeds are expanded with splitmix64 so nearby seeds (1, 2, 3...) give
 * unrelated streams. Not for cryptography (SCRAM nonces etc. use OpenSSL).
 *
 * Owns: its 256-bit state, by value. Thread safety: one generator per thread.
 */
#ifndef MICE_BASE_PRNG_H
#define MICE_BASE_PRNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mice_prng {
    uint64_t s[4];
} mice_prng;

void prng_seed(mice_prng *r, uint64_t seed);
uint64_t prng_next(mice_prng *r);
/* Uniform in [0, n); n > 0. Unbiased (rejection sampling). */
uint64_t prng_below(mice_prng *r, uint64_t n);
/* Uniform in [lo, hi]; lo <= hi. */
int64_t prng_range(mice_prng *r, int64_t lo, int64_t hi);
/* Uniform double in [0, 1). */
double prng_double(mice_prng *r);
/* True with probability num/den. */
bool prng_chance(mice_prng *r, uint64_t num, uint64_t den);
void prng_fill(mice_prng *r, void *out, size_t n);

#endif
