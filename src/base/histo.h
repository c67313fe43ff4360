/*
 * histo.h - a log-linear latency histogram (HDR-like), fixed size, no allocation.
 *
 * Values (unsigned 64-bit, e.g. microseconds) below 2^HISTO_SUB_BITS have a bucket each;
 * above, every power-of-two range [2^k, 2^(k+1)) is split into 2^(HISTO_SUB_BITS-1) equal
 * buckets, so a bucket's width is at most 1/2^(HISTO_SUB_BITS-1) of its lower bound: any
 * quantile is reported within that relative error (below 1.6%), over the whole 64-bit range.
 * The minimum, maximum and sum are exact. Histograms of the same shape merge by adding
 * counts, which is how per-thread recordings become one summary.
 *
 * Owns: its counters, by value (about 30 KiB). Thread safety: none; one owner at a time
 * (callers that share one lock it).
 * Invariants: count == sum of the buckets; min <= max when count > 0.
 */
#ifndef MICE_BASE_HISTO_H
#define MICE_BASE_HISTO_H

#include <stdint.h>

enum {
    HISTO_SUB_BITS = 7,
    HISTO_BUCKETS = ((64 - HISTO_SUB_BITS) << (HISTO_SUB_BITS - 1)) + (1 << HISTO_SUB_BITS),
};

typedef struct mice_histo {
    uint64_t count;
    uint64_t min;
    uint64_t max;
    uint64_t sum; /* wraps only past 2^64 in total, far beyond any run */
    uint64_t buckets[HISTO_BUCKETS];
} mice_histo;

void histo_init(mice_histo *h); /* empty */
void histo_reset(mice_histo *h);
void histo_record(mice_histo *h, uint64_t value);
/* dst += src. */
void histo_merge(mice_histo *dst, const mice_histo *src);

/* The value at quantile q in [0, 1]: the highest value of the bucket holding the
 * ceil(q * count)-th smallest recording, clamped to [min, max]. 0 when empty. */
uint64_t histo_quantile(const mice_histo *h, double q);
/* Mean (exact); 0 when empty. */
double histo_mean(const mice_histo *h);
/* How many recordings were below `value`; exact when value is a bucket boundary (every
 * power of two is one), else counts the whole bucket holding value as below. */
uint64_t histo_count_below(const mice_histo *h, uint64_t value);

/* The bucket of a value, and the range [lo, hi] of values a bucket holds (for tests and
 * printing). */
uint32_t histo_bucket_of(uint64_t value);
void histo_bucket_range(uint32_t bucket, uint64_t *lo, uint64_t *hi);

#endif
