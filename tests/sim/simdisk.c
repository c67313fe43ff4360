/*
 * simdisk.c - fsync latency and crash epochs.
 */
#include "sim/simdisk.h"

#include <string.h>

#include "base/check.h"

enum { SIMDISK_PPM = 1000000 };

void simdisk_init(simdisk *d, mice_prng *prng, sim_sched *sched, int synced_kind,
                  simdisk_profile profile)
{
    memset(d, 0, sizeof *d);
    d->prng = prng;
    d->sched = sched;
    d->synced_kind = synced_kind;
    for (int i = 0; i < SIMDISK_NODES_MAX; i++) d->profile[i] = profile;
}

void simdisk_sync(simdisk *d, int node, void *write)
{
    mice_assert(node >= 0 && node < SIMDISK_NODES_MAX);
    const simdisk_profile *p = &d->profile[node];
    uint64_t lat = p->fsync_min_ns;
    if (p->fsync_max_ns > p->fsync_min_ns)
        lat += prng_below(d->prng, p->fsync_max_ns - p->fsync_min_ns + 1);
    bool slow = d->slow_disk[node] || (p->slow_ppm && prng_chance(d->prng, p->slow_ppm, SIMDISK_PPM));
    if (slow && p->slow_fsync_ns) {
        lat += prng_below(d->prng, p->slow_fsync_ns + 1);
        d->stats.slow_syncs++;
    }
    d->stats.syncs++;
    sched_after(d->sched, lat, d->synced_kind, node, write, d->epoch[node]);
}

bool simdisk_sync_valid(const simdisk *d, int node, uint64_t epoch)
{
    return d->epoch[node] == epoch;
}

bool simdisk_crash(simdisk *d, int node, uint32_t keep_ppm)
{
    d->epoch[node]++;
    d->stats.crashes++;
    bool keep = keep_ppm && prng_chance(d->prng, keep_ppm, SIMDISK_PPM);
    if (keep) d->stats.torn_kept++;
    return keep;
}
