#include "base/zipf.h"

#include <math.h>

#include "base/check.h"

/* YCSB's constants for its scrambled generator: 10^10 items, zeta(10^10, 0.99). */
#define ZIPF_SCRAMBLED_ITEMS 10000000000ull
#define ZIPF_SCRAMBLED_ZETAN 26.46902820178302

double zipf_zeta(uint64_t n, double theta)
{
    double sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += 1.0 / pow((double)(i + 1), theta);
    return sum;
}

void zipf_init_zeta(mice_zipf *z, uint64_t items, double theta, double zetan)
{
    mice_assert(items >= 2);
    mice_assert(theta > 0);
    mice_assert(theta < 1);
    double zeta2 = zipf_zeta(2, theta);
    z->items = items;
    z->theta = theta;
    z->alpha = 1.0 / (1.0 - theta);
    z->zetan = zetan;
    z->eta = (1 - pow(2.0 / (double)items, 1 - theta)) / (1 - zeta2 / zetan);
    z->half_pow_theta = pow(0.5, theta);
}

void zipf_init(mice_zipf *z, uint64_t items, double theta)
{
    zipf_init_zeta(z, items, theta, zipf_zeta(items, theta));
}

uint64_t zipf_next(const mice_zipf *z, mice_prng *r)
{
    double u = prng_double(r);
    double uz = u * z->zetan;
    if (uz < 1.0) return 0;
    if (uz < 1.0 + z->half_pow_theta) return 1;
    uint64_t v = (uint64_t)((double)z->items * pow(z->eta * u - z->eta + 1, z->alpha));
    return v < z->items ? v : z->items - 1;
}

uint64_t zipf_fnv64(uint64_t v)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (int i = 0; i < 8; i++) {
        h ^= v & 0xff;
        h *= 1099511628211ull;
        v >>= 8;
    }
    /* Java's Math.abs on a long (the one value without a positive twin, 2^63, is kept
     * as such here, where Java leaves it negative). */
    int64_t s = (int64_t)h;
    return s < 0 && s != INT64_MIN ? (uint64_t)(-s) : (uint64_t)s;
}

void zipf_scrambled_init(mice_zipf_scrambled *z)
{
    zipf_init_zeta(&z->base, ZIPF_SCRAMBLED_ITEMS, ZIPF_THETA_YCSB, ZIPF_SCRAMBLED_ZETAN);
}

uint64_t zipf_scrambled_next(const mice_zipf_scrambled *z, mice_prng *r, uint64_t n)
{
    mice_assert(n > 0);
    return zipf_fnv64(zipf_next(&z->base, r)) % n;
}
