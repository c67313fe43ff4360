/*
 * prng.c - xoshiro256** (Blackman and Vigna, 2018), seeded with splitmix64.
 *
 * The algorithm is fixed forever: simulation seeds recorded in bug reports and the known
 * outputs hard-coded in tests/base/test_prng.c must keep reproducing.
 */
#include "base/prng.h"

#include "base/check.h"

static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void prng_seed(mice_prng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64_next(&x);
    /* splitmix64 is a bijection of its counter, so four consecutive outputs are never all
     * zero; the all-zero state would make xoshiro emit zeros forever. */
    mice_assert(r->s[0] | r->s[1] | r->s[2] | r->s[3]);
}

uint64_t prng_next(mice_prng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

uint64_t prng_below(mice_prng *r, uint64_t n)
{
    mice_assert(n > 0);
    /* Reject the top partial block of 2^64 so every residue is equally likely:
     * threshold = 2^64 mod n, computed without 128-bit arithmetic. */
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = prng_next(r);
        if (x >= threshold) return x % n;
    }
}

int64_t prng_range(mice_prng *r, int64_t lo, int64_t hi)
{
    mice_assert(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo; /* wraps correctly for any lo <= hi */
    uint64_t off = span == UINT64_MAX ? prng_next(r) : prng_below(r, span + 1);
    return (int64_t)((uint64_t)lo + off);
}

double prng_double(mice_prng *r)
{
    enum { DOUBLE_MANTISSA_BITS = 53 };
    return (double)(prng_next(r) >> (64 - DOUBLE_MANTISSA_BITS)) * 0x1.0p-53;
}

bool prng_chance(mice_prng *r, uint64_t num, uint64_t den)
{
    mice_assert(den > 0);
    if (num >= den) return true;
    return prng_below(r, den) < num;
}

void prng_fill(mice_prng *r, void *out, size_t n)
{
    /* Bytes are taken least significant first, so the stream is the same on big-endian
     * machines. */
    uint8_t *p = out;
    while (n > 0) {
        uint64_t x = prng_next(r);
        for (size_t i = 0; i < sizeof x && n > 0; i++, n--) {
            *p++ = (uint8_t)x;
            x >>= 8;
        }
    }
}
