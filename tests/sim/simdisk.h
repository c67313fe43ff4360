/*
 * simdisk.h - simulated disks: fsync latency, slow disks, and crashes that lose unsynced
 * writes.
 *
 * A node's write becomes durable only when its fsync completes (a SIMDISK_EV_SYNCED event
 * at now + a latency drawn from the node's profile; a "slow" disk or an occasional slow
 * fsync takes much longer). A crash bumps the node's epoch: syncs still in flight carry
 * the old epoch and are void when they arrive, so the caller drops their writes, or, with
 * simdisk_crash's torn choice, keeps them (the data reached the platter but nobody heard).
 * What "the write" is belongs to the caller (here: a Raft Ready's entries, hard state and
 * snapshot, applied to raft_memstorage on sync).
 *
 * Owns: nothing but counters. Thread safety: one thread.
 */
#ifndef MICE_TESTS_SIM_SIMDISK_H
#define MICE_TESTS_SIM_SIMDISK_H

#include <stdbool.h>
#include <stdint.h>

#include "base/prng.h"
#include "sim/simsched.h"

enum { SIMDISK_NODES_MAX = 16 };

typedef struct simdisk_profile {
    uint64_t fsync_min_ns, fsync_max_ns;
    uint32_t slow_ppm;    /* chance that one fsync is slow */
    uint64_t slow_fsync_ns; /* extra latency of a slow fsync (uniform up to this) */
} simdisk_profile;

typedef struct simdisk_stats {
    uint64_t syncs, slow_syncs, crashes, lost_writes, torn_kept;
} simdisk_stats;

typedef struct simdisk {
    mice_prng *prng;
    sim_sched *sched;
    int synced_kind;
    simdisk_profile profile[SIMDISK_NODES_MAX];
    bool slow_disk[SIMDISK_NODES_MAX]; /* every fsync slow until cleared */
    uint64_t epoch[SIMDISK_NODES_MAX];
    simdisk_stats stats;
} simdisk;

void simdisk_init(simdisk *d, mice_prng *prng, sim_sched *sched, int synced_kind,
                  simdisk_profile profile);
/* Schedule the fsync of a write: event synced_kind, node, ptr = write, arg = epoch. */
void simdisk_sync(simdisk *d, int node, void *write);
/* True if a popped sync event still counts (no crash since it was issued). */
bool simdisk_sync_valid(const simdisk *d, int node, uint64_t epoch);
/* Crash: in-flight syncs become void. Returns true when the caller should nevertheless
 * keep the newest unsynced write (a torn crash after the data hit the disk). */
bool simdisk_crash(simdisk *d, int node, uint32_t keep_ppm);

#endif
