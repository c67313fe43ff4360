/*
 * raft_sim.h - deterministic simulation of a Raft cluster running the register map.
 *
 * One seed drives everything: the network (simnet), the disks (simdisk), every node's tick
 * rate (skewed within the configured clock-drift bound), the clients and the nemesis. A
 * run has a safety phase (faults: loss, delay, reordering, duplication, symmetric and
 * asymmetric partitions, crashes that lose unsynced writes, slow disks, plus membership
 * changes, leadership transfers and snapshots with log compaction) and a liveness phase
 * (everything healed and restarted; writes must commit within a bound). After every event
 * raftcheck checks election safety, log matching, leader completeness and state-machine
 * safety (and the driver lease safety: no election while another leader's lease holds);
 * at the end the client history is checked for linearizability (linz).
 *
 * Nodes are indices 0..n-1 with Raft ids index + 1. The first `voters` nodes bootstrap the
 * cluster; the others start empty and join as learners when the nemesis adds them.
 *
 * Owns: everything of one run; sim_run() returns after freeing it. Thread safety: none
 * needed (one thread per run).
 */
#ifndef MICE_TESTS_SIM_RAFT_SIM_H
#define MICE_TESTS_SIM_RAFT_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

enum { SIM_NODES_MAX = 9, SIM_CLIENTS_MAX = 8 };

typedef struct sim_options {
    uint64_t seed;
    uint32_t canaries;       /* RAFT_CANARY_* bits */
    int nodes;               /* 0 = chosen by the seed (3..7 including spares) */
    uint64_t safety_ticks;   /* length of the faulty phase in nominal ticks; 0 = default */
    bool verbose;            /* per-event trace lines */
    /* Benchmark mode: no faults, no checks of linearizability, a saturating client. */
    bool bench;
    uint32_t bench_max_entries_per_msg; /* 0 = library default */
    uint32_t bench_max_inflight;
    uint64_t bench_seconds;  /* simulated seconds */
} sim_options;

typedef struct sim_stats {
    uint64_t campaigns, elections, leader_changes, terms;
    uint64_t snapshots_made, snapshots_sent, snapshots_installed, compactions;
    uint64_t conf_changes_proposed, conf_changes_applied, learners_added, promotions;
    uint64_t removals, demotions, transfers_requested, transfers_done;
    uint64_t partitions, asym_partitions, crashes, restarts, torn_kept, slow_disks;
    uint64_t msgs_sent, msgs_delivered, msgs_dropped, msgs_duplicated, msgs_reordered;
    uint64_t ops_ok, ops_failed, ops_unknown, reads_lease, reads_index;
    uint64_t entries_committed, proposals_committed, events;
    uint64_t sim_time_ns;
    uint64_t liveness_ops_ok;
    /* lease reads started at a leader a newer leader had replaced; new leaders elected while
     * an old one still held a lease (both stay 0 unless a lease bug opens the window) */
    uint64_t lease_reads_deposed, lease_overlaps;
    uint64_t linz_too_complex; /* histories the bounded search could not decide */
} sim_stats;

typedef struct sim_result {
    bool violation;
    char invariant[64];
    char detail[384];
    sim_stats stats;
} sim_result;

void sim_options_default(sim_options *o, uint64_t seed);
/* Run one seed. Trace lines (verbose) go to out; the summary is left to the caller. */
void sim_run(const sim_options *o, sim_result *res, mice_buf *out);
/* One line "elections=... ops ok=..." describing what the run exercised. */
void sim_describe_stats(const sim_stats *s, mice_buf *out);

#endif
