/*
 * zipf.h - YCSB's zipfian key choosers, bit for bit the algorithms of YCSB's
 * ZipfianGenerator and ScrambledZipfianGenerator (Gray et al., "Quickly Generating
 * Billion-Record Synthetic Databases", SIGMOD 1994), driven by a mice_prng.
 *
 * zipf_next draws from [0, items) with item 0 the most popular (P(i) ~ 1/(i+1)^theta).
 * The scrambled chooser spreads the popular items over the key space the way YCSB does:
 * it draws from a fixed zipfian over 10^10 items (zeta precomputed, as in YCSB) and maps
 * the item with FNV-1a 64 onto [0, n) for the n given at each call, so the key count may
 * grow between calls (YCSB workload E's inserts) at no cost.
 *
 * Owns: its constants, by value. Thread safety: none; one per thread (like the prng).
 */
#ifndef MICE_BASE_ZIPF_H
#define MICE_BASE_ZIPF_H

#include <stdint.h>

#include "base/prng.h"

#define ZIPF_THETA_YCSB 0.99

typedef struct mice_zipf {
    uint64_t items;
    double theta;
    double alpha;
    double zetan;
    double eta;
    double half_pow_theta; /* 0.5^theta */
} mice_zipf;

/* items >= 2, 0 < theta < 1. Computes zeta(items, theta) by summation: O(items). */
void zipf_init(mice_zipf *z, uint64_t items, double theta);
/* The same with zeta(items, theta) given (to skip the summation for huge item counts). */
void zipf_init_zeta(mice_zipf *z, uint64_t items, double theta, double zetan);
uint64_t zipf_next(const mice_zipf *z, mice_prng *r);
/* zeta(n, theta) = sum_{i=1..n} 1/i^theta. */
double zipf_zeta(uint64_t n, double theta);

/* YCSB's Utils.fnvhash64 (FNV-1a over the 8 little-endian bytes, made non-negative). */
uint64_t zipf_fnv64(uint64_t v);

/* YCSB's ScrambledZipfianGenerator (theta 0.99). */
typedef struct mice_zipf_scrambled {
    mice_zipf base;
} mice_zipf_scrambled;

void zipf_scrambled_init(mice_zipf_scrambled *z);
/* A key in [0, n); n > 0. */
uint64_t zipf_scrambled_next(const mice_zipf_scrambled *z, mice_prng *r, uint64_t n);

#endif
