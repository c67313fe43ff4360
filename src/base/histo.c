#include "base/histo.h"

#include <string.h>

#include "base/check.h"

enum { HALF = 1 << (HISTO_SUB_BITS - 1), LINEAR = 1 << HISTO_SUB_BITS };

void histo_init(mice_histo *h)
{
    memset(h, 0, sizeof *h);
}

void histo_reset(mice_histo *h)
{
    histo_init(h);
}

/* Below LINEAR a value is its own bucket. Above, with e = msb - SUB_BITS + 1 >= 1 the
 * value's top SUB_BITS bits (v >> e, in [HALF, LINEAR)) pick the bucket, and ranges of
 * consecutive e follow each other: bucket = e * HALF + (v >> e). */
uint32_t histo_bucket_of(uint64_t v)
{
    if (v < LINEAR) return (uint32_t)v;
    int msb = 63 - __builtin_clzll(v);
    int e = msb - HISTO_SUB_BITS + 1;
    uint64_t b = ((uint64_t)e << (HISTO_SUB_BITS - 1)) + (v >> e);
    mice_assert(b < HISTO_BUCKETS);
    return (uint32_t)b;
}

void histo_bucket_range(uint32_t bucket, uint64_t *lo, uint64_t *hi)
{
    mice_assert(bucket < HISTO_BUCKETS);
    if (bucket < LINEAR) {
        *lo = *hi = bucket;
        return;
    }
    int e = (int)(bucket >> (HISTO_SUB_BITS - 1)) - 1;
    uint64_t sub = bucket - ((uint64_t)e << (HISTO_SUB_BITS - 1));
    mice_assert(sub >= HALF);
    mice_assert(sub < LINEAR);
    *lo = sub << e;
    *hi = *lo + ((1ull << e) - 1);
}

void histo_record(mice_histo *h, uint64_t v)
{
    if (h->count == 0 || v < h->min) h->min = v;
    if (v > h->max) h->max = v;
    h->count++;
    h->sum += v;
    h->buckets[histo_bucket_of(v)]++;
}

void histo_merge(mice_histo *dst, const mice_histo *src)
{
    if (src->count == 0) return;
    if (dst->count == 0 || src->min < dst->min) dst->min = src->min;
    if (src->max > dst->max) dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    for (uint32_t i = 0; i < HISTO_BUCKETS; i++)
        dst->buckets[i] += src->buckets[i];
}

uint64_t histo_quantile(const mice_histo *h, double q)
{
    if (h->count == 0) return 0;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if ((double)rank < q * (double)h->count) rank++; /* ceil */
    if (rank == 0) rank = 1;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < HISTO_BUCKETS; i++) {
        seen += h->buckets[i];
        if (seen >= rank) {
            uint64_t lo, hi;
            histo_bucket_range(i, &lo, &hi);
            if (hi > h->max) hi = h->max;
            if (hi < h->min) hi = h->min;
            return hi;
        }
    }
    return h->max;
}

double histo_mean(const mice_histo *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}

uint64_t histo_count_below(const mice_histo *h, uint64_t value)
{
    if (value == 0) return 0;
    uint64_t lo, hi;
    uint32_t last = histo_bucket_of(value);
    histo_bucket_range(last, &lo, &hi);
    uint32_t end = lo == value ? last : last + 1; /* buckets [0, end) are below */
    uint64_t n = 0;
    for (uint32_t i = 0; i < end; i++)
        n += h->buckets[i];
    return n;
}
