/*
 * bench_raft.c - Raft throughput in the deterministic simulator.
 *
 * A fault-free 3-node cluster (network delay up to 0.5 ms, fsync up to 1 ms, every Ready
 * synced before its acknowledgements leave) with a saturating open-loop client that keeps
 * 512 proposals outstanding at the leader. Run twice: batching and pipelining on (library
 * defaults: 64 entries per append, 64 appends in flight) and off (1 entry per append, 1
 * append in flight). Prints committed proposals per simulated second (the protocol's
 * throughput under these latencies), per wall-clock second (the library's CPU cost plus
 * the simulator's), their on/off ratio, and messages sent per committed entry.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/env.h"
#include "base/log.h"
#include "sim/raft_sim.h"

typedef struct bench_row {
    const char *name;
    double per_sim_s, per_wall_s, msgs_per_entry;
    uint64_t committed;
} bench_row;

static bench_row run_mode(const char *name, uint32_t entries, uint32_t inflight, uint64_t secs)
{
    sim_options o;
    sim_options_default(&o, 1);
    o.bench = true;
    o.bench_max_entries_per_msg = entries;
    o.bench_max_inflight = inflight;
    o.bench_seconds = secs;
    sim_result res;
    const mice_env *env = mice_env_real();
    uint64_t t0 = env_mono_ns(env);
    sim_run(&o, &res, NULL);
    double wall_s = (double)(env_mono_ns(env) - t0) / MICE_NS_PER_S;
    bench_row r = {.name = name, .committed = res.stats.proposals_committed};
    r.per_sim_s = (double)r.committed / (double)secs;
    r.per_wall_s = wall_s > 0 ? (double)r.committed / wall_s : 0;
    r.msgs_per_entry = r.committed ? (double)res.stats.msgs_sent / (double)r.committed : 0;
    printf("%-34s committed=%-8" PRIu64 " %10.0f /sim-s %10.0f /wall-s %7.3f msgs/entry\n",
           name, r.committed, r.per_sim_s, r.per_wall_s, r.msgs_per_entry);
    return r;
}

int main(int argc, char **argv)
{
    log_set_level(MICE_LOG_ERROR);
    uint64_t secs = argc > 1 ? strtoull(argv[1], NULL, 10) : 10;
    if (secs == 0) secs = 10;
    printf("raft in the simulator: 3 nodes, fault-free, saturating client, %" PRIu64
           " simulated seconds\n", secs);
    bench_row on = run_mode("batching+pipelining on (64/64)", 0, 0, secs);
    bench_row off = run_mode("batching+pipelining off (1/1)", 1, 1, secs);
    if (off.per_sim_s > 0 && off.per_wall_s > 0)
        printf("ratio on/off: %.1fx per simulated second, %.1fx per wall second; "
               "msgs/entry %.3f vs %.3f\n", on.per_sim_s / off.per_sim_s,
               on.per_wall_s / off.per_wall_s, on.msgs_per_entry, off.msgs_per_entry);
    return on.committed && off.committed ? 0 : 1;
}
