/*
 * sim_nemesis.c - the faults of the safety phase, and healing them for the liveness phase.
 *
 * At random intervals the nemesis picks one action: a partition (random split, the
 * leader isolated, or one-way blocks around the leader or between random nodes), a flaky
 * network period (loss, duplication, reordering), a crash with a later restart, a slow
 * disk, a membership change through the current leader (add a learner, promote, demote,
 * remove, replace a voter: joint consensus), a leadership transfer, or snapshots with log
 * compaction. Network faults last until the next heal event.
 */
#include <inttypes.h>
#include <string.h>

#include "base/check.h"
#include "sim/sim_world.h"

enum {
    NEMESIS_GAP_MIN_NS = 10 * MICE_NS_PER_MS,
    NEMESIS_GAP_MAX_NS = 200 * MICE_NS_PER_MS,
    CHURN_DELAY_MAX_NS = 40 * MICE_NS_PER_MS,
    FAULT_MIN_NS = 50 * MICE_NS_PER_MS,
    FAULT_MAX_NS = 1500 * MICE_NS_PER_MS,
    SLOW_FSYNC_NS = 150 * MICE_NS_PER_MS,
};

static uint64_t rand_between(sim_world *w, uint64_t lo, uint64_t hi)
{
    return lo + prng_below(&w->prng, hi - lo + 1);
}

static void base_profile(sim_world *w)
{
    simnet_set_all(&w->net, (simnet_link){.delay_min_ns = 100 * MICE_NS_PER_US,
                                          .delay_max_ns = w->p.net_delay_max_ns,
                                          .loss_ppm = w->p.loss_ppm, .dup_ppm = w->p.dup_ppm,
                                          .reorder_ppm = w->p.reorder_ppm});
}

static int nodes_down(const sim_world *w)
{
    int down = 0;
    for (int i = 0; i < w->n_nodes; i++) down += !w->node[i].up;
    return down;
}

static void schedule_heal(sim_world *w)
{
    sched_after(&w->sched, rand_between(w, FAULT_MIN_NS, FAULT_MAX_NS), EV_HEAL_NET, 0, NULL, 0);
}

static void nemesis_partition(sim_world *w)
{
    if (simnet_any_blocked(&w->net, w->n_nodes)) return;
    sim_node *lead = sim_leader(w);
    uint64_t kind = prng_below(&w->prng, 5);
    if (kind == 0 || !lead) {
        uint32_t mask = (uint32_t)prng_below(&w->prng, (1u << w->n_nodes) - 1) + 1;
        simnet_partition(&w->net, w->n_nodes, mask);
        w->st.partitions++;
        sim_trace(w, "partition mask=%#x", mask);
    } else if (kind == 1) {
        simnet_isolate(&w->net, w->n_nodes, lead->idx);
        w->st.partitions++;
        sim_trace(w, "isolate leader n%d", lead->idx + 1);
    } else if (kind == 2) {
        for (int i = 0; i < w->n_nodes; i++)
            if (i != lead->idx) simnet_block(&w->net, i, lead->idx);
        w->st.asym_partitions++;
        sim_trace(w, "leader n%d hears nobody (one-way)", lead->idx + 1);
    } else if (kind == 3) {
        for (int i = 0; i < w->n_nodes; i++)
            if (i != lead->idx) simnet_block(&w->net, lead->idx, i);
        w->st.asym_partitions++;
        sim_trace(w, "leader n%d reaches nobody (one-way)", lead->idx + 1);
    } else {
        int links = (int)rand_between(w, 1, (uint64_t)w->n_nodes);
        for (int k = 0; k < links; k++) {
            int a = (int)prng_below(&w->prng, (uint64_t)w->n_nodes);
            int b = (int)prng_below(&w->prng, (uint64_t)w->n_nodes);
            if (a != b) simnet_block(&w->net, a, b);
        }
        w->st.asym_partitions++;
        sim_trace(w, "%d random one-way link cuts", links);
    }
    schedule_heal(w);
}

/* The leader cut off while clients keep reading from it: what stale reads need. */
static void nemesis_isolate_leader(sim_world *w)
{
    sim_node *lead = sim_leader(w);
    if (!lead || simnet_any_blocked(&w->net, w->n_nodes)) return;
    simnet_isolate(&w->net, w->n_nodes, lead->idx);
    w->st.partitions++;
    sim_trace(w, "isolate leader n%d", lead->idx + 1);
    schedule_heal(w);
}

static void nemesis_flaky(sim_world *w)
{
    simnet_set_all(&w->net, (simnet_link){.delay_min_ns = 100 * MICE_NS_PER_US,
                                          .delay_max_ns = 4 * w->p.net_delay_max_ns,
                                          .loss_ppm = (uint32_t)rand_between(w, 20000, 300000),
                                          .dup_ppm = (uint32_t)rand_between(w, 10000, 100000),
                                          .reorder_ppm = (uint32_t)rand_between(w, 10000, 300000)});
    sim_trace(w, "flaky network");
    schedule_heal(w);
}

static void crash_node(sim_world *w, sim_node *victim)
{
    if (!victim->up || nodes_down(w) * 2 + 2 > w->n_nodes) return;
    node_crash(w, victim);
    sched_after(&w->sched, rand_between(w, 10 * MICE_NS_PER_MS, FAULT_MAX_NS), EV_RESTART,
                victim->idx, NULL, 0);
}

static void nemesis_crash(sim_world *w)
{
    sim_node *victim = sim_leader(w);
    uint64_t dice = prng_below(&w->prng, 3);
    if (dice == 1 || !victim) victim = &w->node[prng_below(&w->prng, (uint64_t)w->n_nodes)];
    if (dice == 2) { /* prefer a node with a write in flight: it loses it */
        for (int i = 0; i < w->n_nodes; i++)
            if (w->node[i].up && w->node[i].syncing) victim = &w->node[i];
    }
    crash_node(w, victim);
}

/* Leader churn: short-lived leaders that append without replicating leave divergent logs
 * in several terms behind them (the setting of figure 8 in the Raft paper). */
void nemesis_new_leader(sim_world *w, sim_node *n, uint64_t term)
{
    if (w->liveness || !w->p.churn_ppm || !prng_chance(&w->prng, w->p.churn_ppm, SIMNET_PPM))
        return;
    if (prng_chance(&w->prng, 1, 3)) { /* before its first Ready leaves: nothing replicated */
        nemesis_on_churn(w, n->idx, term);
        return;
    }
    sched_after(&w->sched, prng_below(&w->prng, CHURN_DELAY_MAX_NS), EV_CHURN, n->idx, NULL, term);
}

/* A leader cut off the moment its commit index moved, before it can replicate further. */
void nemesis_leader_committed(sim_world *w, sim_node *n)
{
    if (w->liveness || !w->p.commit_strike_ppm || simnet_any_blocked(&w->net, w->n_nodes))
        return;
    if (!prng_chance(&w->prng, w->p.commit_strike_ppm, SIMNET_PPM)) return;
    simnet_isolate(&w->net, w->n_nodes, n->idx);
    w->st.partitions++;
    sim_trace(w, "isolate leader n%d right after it committed", n->idx + 1);
    schedule_heal(w);
}

void nemesis_on_churn(sim_world *w, int node, uint64_t term)
{
    sim_node *n = &w->node[node];
    if (w->liveness || !n->up || raft_role_of(n->r) != RAFT_LEADER || raft_term(n->r) != term)
        return;
    if (prng_chance(&w->prng, 1, 2) || simnet_any_blocked(&w->net, w->n_nodes)) {
        sim_trace(w, "churn: crash leader n%d", node + 1);
        crash_node(w, n);
        return;
    }
    simnet_isolate(&w->net, w->n_nodes, node);
    w->st.partitions++;
    sim_trace(w, "churn: isolate leader n%d", node + 1);
    schedule_heal(w);
}

static void nemesis_slow_disk(sim_world *w)
{
    int i = (int)prng_below(&w->prng, (uint64_t)w->n_nodes);
    if (w->disk.slow_disk[i]) return;
    w->disk.slow_disk[i] = true;
    w->st.slow_disks++;
    sim_trace(w, "slow disk n%d", i + 1);
    sched_after(&w->sched, rand_between(w, FAULT_MIN_NS, FAULT_MAX_NS), EV_DISK_FAST, i, NULL, 0);
}

/* A node id (1-based) in conf with the wanted membership, chosen at random; 0 if none. */
static uint64_t pick_member(sim_world *w, const raft_conf_state *cs, int want)
{
    uint64_t ids[SIM_NODES_MAX];
    int n = 0;
    for (int i = 0; i < w->n_nodes; i++) {
        uint64_t id = (uint64_t)i + 1;
        int is = raft_conf_state_has_voter(cs, id) ? 2 : raft_conf_state_has_learner(cs, id);
        if (is == want) ids[n++] = id;
    }
    return n ? ids[prng_below(&w->prng, (uint64_t)n)] : 0;
}

static int voter_count(const raft_conf_state *cs)
{
    return (int)cs->n_voters;
}

static void nemesis_conf_change(sim_world *w)
{
    sim_node *lead = sim_leader(w);
    if (!lead) return;
    const raft_conf_state *cs = &lead->conf;
    raft_conf_change cc = {.auto_leave = !prng_chance(&w->prng, 1, 4)};
    if (raft_conf_state_is_joint(cs)) {
        if (cs->auto_leave) return;
        cc.leave_joint = true;
    } else {
        uint64_t outsider = pick_member(w, cs, 0), learner = pick_member(w, cs, 1);
        uint64_t voter = pick_member(w, cs, 2);
        uint64_t dice = prng_below(&w->prng, 5);
        if (dice == 0 && outsider) {
            cc.changes[cc.n_changes++] = (raft_cc_item){RAFT_CC_ADD_LEARNER, outsider};
        } else if (dice == 1 && learner) {
            cc.changes[cc.n_changes++] = (raft_cc_item){RAFT_CC_ADD_VOTER, learner};
        } else if (dice == 2 && voter && voter_count(cs) > 3) {
            raft_cc_op op = prng_chance(&w->prng, 1, 2) ? RAFT_CC_REMOVE_NODE : RAFT_CC_ADD_LEARNER;
            cc.changes[cc.n_changes++] = (raft_cc_item){op, voter};
        } else if (dice == 3 && voter && learner) {
            cc.changes[cc.n_changes++] = (raft_cc_item){RAFT_CC_ADD_VOTER, learner};
            cc.changes[cc.n_changes++] = (raft_cc_item){RAFT_CC_REMOVE_NODE, voter};
        } else if (learner) {
            cc.changes[cc.n_changes++] = (raft_cc_item){RAFT_CC_REMOVE_NODE, learner};
        } else {
            return;
        }
    }
    if (raft_propose_conf_change(lead->r, &cc, NULL) == MICE_OK) {
        w->st.conf_changes_proposed++;
        sim_trace(w, "n%d proposes conf change (%u items%s)", lead->idx + 1, cc.n_changes,
                  cc.leave_joint ? ", leave joint" : "");
        node_pump(w, lead);
    }
}

static void nemesis_transfer(sim_world *w)
{
    sim_node *lead = sim_leader(w);
    if (!lead) return;
    uint64_t target = pick_member(w, &lead->conf, 2);
    if (!target || target == (uint64_t)lead->idx + 1) return;
    if (raft_transfer_leader(lead->r, target) != MICE_OK) return;
    w->st.transfers_requested++;
    sim_trace(w, "n%d transfers leadership to n%" PRIu64, lead->idx + 1, target);
    node_pump(w, lead);
}

static void nemesis_snapshots(sim_world *w)
{
    for (int i = 0; i < w->n_nodes; i++)
        if (prng_chance(&w->prng, 1, 2)) node_make_snapshot(w, &w->node[i]);
}

/* Per-seed mixes of actions: P partition, I isolate the leader, F flaky network, C crash,
 * S slow disk, M membership change, T transfer, N snapshots. A storm hits everything at
 * once; the calmer mixes leave room for the clean sequences some bugs need (a lone
 * leader cut off while clients read from it; a crash in the middle of an fsync). */
static const struct nemesis_mix {
    const char *actions;
    uint64_t gap_min_ns, gap_max_ns;
} mixes[] = {
    {"PIFCSMMTNN", NEMESIS_GAP_MIN_NS, NEMESIS_GAP_MAX_NS},
    {"PIIITN", 100 * MICE_NS_PER_MS, 500 * MICE_NS_PER_MS},
    {"CCSSMNT", 50 * MICE_NS_PER_MS, 400 * MICE_NS_PER_MS},
};

int nemesis_mix_count(void)
{
    return (int)(sizeof mixes / sizeof mixes[0]);
}

void nemesis_on_tick(sim_world *w)
{
    if (w->liveness || w->stop) return;
    const struct nemesis_mix *mix = &mixes[w->p.nemesis_mix];
    size_t n = strlen(mix->actions);
    switch (mix->actions[prng_below(&w->prng, n)]) {
    case 'P': nemesis_partition(w); break;
    case 'I': nemesis_isolate_leader(w); break;
    case 'F': nemesis_flaky(w); break;
    case 'C': nemesis_crash(w); break;
    case 'S': nemesis_slow_disk(w); break;
    case 'M': nemesis_conf_change(w); break;
    case 'T': nemesis_transfer(w); break;
    default: nemesis_snapshots(w); break;
    }
    sched_after(&w->sched, rand_between(w, mix->gap_min_ns, mix->gap_max_ns), EV_NEMESIS, 0, NULL,
                0);
}

void nemesis_heal_net(sim_world *w)
{
    simnet_heal(&w->net);
    base_profile(w);
}

void nemesis_heal_all(sim_world *w)
{
    nemesis_heal_net(w);
    for (int i = 0; i < w->n_nodes; i++) {
        w->disk.slow_disk[i] = false;
        if (!w->node[i].up) {
            node_start(w, &w->node[i]);
            w->st.restarts++;
        }
    }
    sim_trace(w, "heal everything");
}
