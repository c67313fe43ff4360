/*
 * raft_sim.c - one simulation run: choose the seed's parameters, build the world, run the
 * safety phase and the liveness phase as one event loop, then check the history.
 *
 * Parameters that the seed picks: cluster size (3 or 5 voters plus up to 2 spare nodes),
 * pre-vote, check-quorum (and with it lease reads), batching and pipelining limits, the
 * network's delay, loss, duplication and reordering rates, fsync latency and each node's
 * tick rate. Tick rates differ by up to +-K, which stays inside what the configured
 * max_clock_drift_ticks covers (lease safety assumes bounded drift): with election
 * timeout e and drift d, a lease of e - d leader ticks ends before e - 1 follower ticks
 * (stickiness starts when the message arrives, up to one tick before the follower's first
 * tick) while (e - d)(1 + K) <= (e - 1)(1 - K), i.e. K <= (d - 1) / (2e - d - 1). The seed
 * picks d in 2..4 and uses 90% of that bound (4.7% .. 18%), so skew is real and large.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "sim/sim_world.h"

enum {
    TICK_NS = 10 * MICE_NS_PER_MS,
    ELECTION_TICKS = 10,
    DRIFT_TICKS = 2,
    DRIFT_SHARE_MAX_PERCENT = 40, /* drift margin at most this share of the timeout */
    SKEW_SHARE_PERCENT = 90, /* of the largest skew the drift margin covers */
    SAFETY_TICKS_DEFAULT = 3000,
    LIVENESS_NS = 6 * (uint64_t)MICE_NS_PER_S,
    LIVENESS_BOUND_NS = 5 * (uint64_t)MICE_NS_PER_S,
    OP_TIMEOUT_NS = 400 * MICE_NS_PER_MS,
    OP_TIMEOUT_MIN_NS = 50 * MICE_NS_PER_MS,
    OP_TIMEOUT_FAST_NS = 20 * MICE_NS_PER_MS,
    LIVENESS_OP_TIMEOUT_NS = 1000 * MICE_NS_PER_MS,
    LINZ_STATES_MAX = 200000,
    BENCH_WINDOW = 512,
    BENCH_PUMP_NS = 100 * MICE_NS_PER_US,
};


/* Largest tick-rate skew (ppm) that a lease of election - drift ticks tolerates. */
static uint32_t skew_bound_ppm(uint32_t election, uint32_t drift)
{
    uint64_t k = 1000000ull * (drift - 1) / (2 * election - drift - 1);
    return (uint32_t)(k * SKEW_SHARE_PERCENT / 100);
}

void sim_options_default(sim_options *o, uint64_t seed)
{
    memset(o, 0, sizeof *o);
    o->seed = seed;
}

void sim_trace(sim_world *w, const char *fmt, ...)
{
    if (!w->opt.verbose || !w->out) return;
    buf_printf(w->out, "  [%8.3fs] ", (double)w->sched.now_ns / MICE_NS_PER_S);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(w->out, fmt, ap);
    va_end(ap);
    buf_append_u8(w->out, '\n');
}

uint64_t sim_hist_now(sim_world *w)
{
    return ++w->hist_clock;
}

static uint32_t pick_u32(sim_world *w, const uint32_t *choices, size_t n)
{
    return choices[prng_below(&w->prng, n)];
}

static void choose_params(sim_world *w)
{
    sim_params *p = &w->p;
    static const uint32_t windows[] = {1, 2, 8, 64};
    static const uint32_t batches[] = {1, 3, 16, 64};
    p->election_ticks = ELECTION_TICKS * (prng_chance(&w->prng, 1, 3) ? 2 : 1);
    p->heartbeat_ticks = 1 + (uint32_t)prng_below(&w->prng, 2);
    p->drift_ticks = (uint32_t)prng_range(&w->prng, DRIFT_TICKS,
                                          p->election_ticks * DRIFT_SHARE_MAX_PERCENT / 100);
    p->pre_vote = prng_chance(&w->prng, 4, 5);
    p->check_quorum = prng_chance(&w->prng, 3, 4);
    p->lease_reads = p->check_quorum && prng_chance(&w->prng, 4, 5);
    p->max_inflight = pick_u32(w, windows, 4);
    p->max_entries = pick_u32(w, batches, 4);
    p->tick_ns = TICK_NS;
    p->skew_ppm = skew_bound_ppm(p->election_ticks, p->drift_ticks);
    /* impatient clients (a third of the seeds) give up quickly and move to another node */
    p->op_timeout_ns = prng_chance(&w->prng, 1, 3)
                           ? OP_TIMEOUT_FAST_NS + prng_below(&w->prng, OP_TIMEOUT_FAST_NS)
                           : OP_TIMEOUT_MIN_NS + prng_below(&w->prng, OP_TIMEOUT_NS - OP_TIMEOUT_MIN_NS);
    /* half the seeds on a fast network (round trips well inside a tick), half slower */
    p->net_delay_max_ns = prng_chance(&w->prng, 1, 2)
                              ? 300 * MICE_NS_PER_US + prng_below(&w->prng, MICE_NS_PER_MS)
                              : (uint64_t)MICE_NS_PER_MS * (1 + prng_below(&w->prng, 8));
    p->loss_ppm = (uint32_t)prng_below(&w->prng, 30000);
    p->dup_ppm = (uint32_t)prng_below(&w->prng, 20000);
    p->reorder_ppm = (uint32_t)prng_below(&w->prng, 50000);
    p->fsync_max_ns = (uint64_t)MICE_NS_PER_MS * (1 + prng_below(&w->prng, 6));
    p->keep_torn_ppm = 300000;
    p->churn_ppm = prng_chance(&w->prng, 2, 3) ? (uint32_t)prng_range(&w->prng, 200000, 600000) : 0;
    p->commit_strike_ppm = prng_chance(&w->prng, 1, 2) ? (uint32_t)prng_range(&w->prng, 5000, 50000)
                                                       : 0;
    p->nemesis_mix = (int)prng_below(&w->prng, (uint64_t)nemesis_mix_count());
    p->think_max_ns = prng_chance(&w->prng, 1, 2) ? 2 * MICE_NS_PER_MS : 20 * MICE_NS_PER_MS;
    int voters = prng_chance(&w->prng, 1, 2) ? 3 : 5;
    int total = voters + (int)prng_below(&w->prng, 3);
    if (w->opt.nodes) {
        total = w->opt.nodes < SIM_NODES_MAX ? w->opt.nodes : SIM_NODES_MAX;
        voters = total < 5 ? (total < 3 ? total : 3) : 5;
    }
    w->n_voters0 = voters;
    w->n_nodes = total;
    w->n_clients = 3 + (int)prng_below(&w->prng, SIM_CLIENTS_MAX - 2);
    w->n_keys = 2 + (int)prng_below(&w->prng, 4);
}

static void bench_params(sim_world *w)
{
    sim_params *p = &w->p;
    memset(p, 0, sizeof *p);
    p->election_ticks = ELECTION_TICKS;
    p->heartbeat_ticks = 1;
    p->drift_ticks = DRIFT_TICKS;
    p->pre_vote = p->check_quorum = true;
    p->max_inflight = w->opt.bench_max_inflight;
    p->max_entries = w->opt.bench_max_entries_per_msg;
    p->tick_ns = TICK_NS;
    p->op_timeout_ns = OP_TIMEOUT_NS;
    p->net_delay_max_ns = 500 * MICE_NS_PER_US;
    p->fsync_max_ns = 1 * MICE_NS_PER_MS;
    w->n_voters0 = w->n_nodes = 3;
    w->n_clients = 0;
    w->n_keys = 1;
}

static void world_init(sim_world *w, const sim_options *o, mice_buf *out)
{
    memset(w, 0, sizeof *w);
    w->opt = *o;
    w->out = out;
    prng_seed(&w->prng, o->seed);
    if (o->bench) bench_params(w);
    else choose_params(w);
    sched_init(&w->sched, &w->prng);
    w->check = raftcheck_create();
    linz_history_init(&w->hist);
    simnet_init(&w->net, &w->prng, &w->sched, EV_DELIVER, sim_msg_clone, sim_msg_free,
                (simnet_link){0});
    nemesis_heal_net(w);
    w->net.stats.heals = 0;
    simdisk_init(&w->disk, &w->prng, &w->sched, EV_SYNCED,
                 (simdisk_profile){.fsync_min_ns = 50 * MICE_NS_PER_US,
                                   .fsync_max_ns = w->p.fsync_max_ns,
                                   .slow_ppm = o->bench ? 0 : 10000,
                                   .slow_fsync_ns = 150 * (uint64_t)MICE_NS_PER_MS});
    for (int i = 0; i < w->n_nodes; i++) {
        sim_node *n = &w->node[i];
        n->idx = i;
        /* the extremes of the allowed range half of the time: fast and slow clocks meet */
        int64_t k = (int64_t)w->p.skew_ppm, skew = k ? prng_range(&w->prng, -k, k) : 0;
        if (k && prng_chance(&w->prng, 1, 2)) skew = prng_chance(&w->prng, 1, 2) ? k : -k;
        n->tick_ns = (uint64_t)((int64_t)w->p.tick_ns + (int64_t)w->p.tick_ns * skew / 1000000);
        node_start(w, n);
    }
}

static void world_free(sim_world *w)
{
    sim_event ev;
    while (sched_drain(&w->sched, &ev))
        if (ev.kind == EV_DELIVER) sim_msg_free(ev.ptr);
    for (int i = 0; i < w->n_nodes; i++) {
        sim_node *n = &w->node[i];
        if (n->up && n->syncing) raft_ready_discard(&n->rd);
        if (n->r) raft_destroy(n->r);
        if (n->ms) raft_memstorage_destroy(n->ms);
    }
    sched_deinit(&w->sched);
    raftcheck_destroy(w->check);
    linz_history_deinit(&w->hist);
    free(w->applied_t);
    free(w->applied_result);
}

/* Benchmark: keep BENCH_WINDOW proposals outstanding at the leader. */
static void bench_pump(sim_world *w)
{
    sim_node *lead = sim_leader(w);
    if (lead) {
        uint64_t proposed = w->st.ops_ok; /* here: proposals accepted by the leader */
        uint64_t done = lead->applied_cmds;
        kvsm_cmd cmd = {.kind = KVSM_CMD_NOOP};
        mice_buf data;
        buf_init(&data);
        kvsm_encode(&cmd, &data);
        for (uint64_t k = proposed - done; k < BENCH_WINDOW; k++) {
            if (raft_propose(lead->r, buf_slice(&data), NULL) != MICE_OK) break;
            w->st.ops_ok++;
        }
        buf_deinit(&data);
        node_pump(w, lead);
    }
    sched_after(&w->sched, BENCH_PUMP_NS, EV_CLIENT, -1, NULL, 0);
}

static void start_liveness(sim_world *w)
{
    w->liveness = true;
    w->liveness_start_ns = w->sched.now_ns;
    /* patient clients now: impatient ones can keep an overloaded leader's queue full */
    if (w->p.op_timeout_ns < LIVENESS_OP_TIMEOUT_NS) w->p.op_timeout_ns = LIVENESS_OP_TIMEOUT_NS;
    nemesis_heal_all(w);
    sched_after(&w->sched, LIVENESS_NS, EV_END, 0, NULL, 0);
}

static void dispatch(sim_world *w, const sim_event *ev)
{
    switch ((sim_event_kind)ev->kind) {
    case EV_DELIVER: node_on_deliver(w, ev->ptr, (int)ev->arg); break;
    case EV_SYNCED: node_on_synced(w, &w->node[ev->node], ev->arg); break;
    case EV_TICK: node_on_tick(w, &w->node[ev->node], ev->arg); break;
    case EV_CLIENT:
        if (ev->node < 0) bench_pump(w);
        else client_on_start(w, ev->node);
        break;
    case EV_CLIENT_TIMEOUT: client_on_timeout(w, ev->node, ev->arg); break;
    case EV_NEMESIS: nemesis_on_tick(w); break;
    case EV_HEAL_NET:
        if (!w->liveness) nemesis_heal_net(w);
        break;
    case EV_RESTART:
        if (!w->node[ev->node].up && !w->liveness) {
            node_start(w, &w->node[ev->node]);
            w->st.restarts++;
            sim_trace(w, "restart n%d", ev->node + 1);
        }
        break;
    case EV_DISK_FAST: w->disk.slow_disk[ev->node] = false; break;
    case EV_CHURN: nemesis_on_churn(w, ev->node, ev->arg); break;
    case EV_LIVENESS: start_liveness(w); break;
    case EV_END: w->stop = true; break;
    }
}

static void trace_params(sim_world *w)
{
    const sim_params *p = &w->p;
    sim_trace(w, "params: nodes=%d voters=%d clients=%d keys=%d pre_vote=%d check_quorum=%d"
              " lease_reads=%d inflight=%u batch=%u drift=%u skew=%uppm delay<=%" PRIu64
              "us loss=%uppm mix=%d churn=%uppm strike=%uppm", w->n_nodes, w->n_voters0,
              w->n_clients, w->n_keys, p->pre_vote, p->check_quorum, p->lease_reads,
              p->max_inflight, p->max_entries, p->drift_ticks, p->skew_ppm,
              p->net_delay_max_ns / MICE_NS_PER_US, p->loss_ppm, p->nemesis_mix, p->churn_ppm,
              p->commit_strike_ppm);
    for (int i = 0; i < w->n_nodes; i++)
        sim_trace(w, "n%d tick %" PRIu64 "us", i + 1, w->node[i].tick_ns / MICE_NS_PER_US);
}

static void schedule_start(sim_world *w)
{
    trace_params(w);
    if (w->opt.bench) {
        sched_after(&w->sched, 0, EV_CLIENT, -1, NULL, 0);
        sched_after(&w->sched, w->opt.bench_seconds * MICE_NS_PER_S, EV_END, 0, NULL, 0);
        return;
    }
    for (int c = 0; c < w->n_clients; c++)
        sched_after(&w->sched, prng_below(&w->prng, 50 * MICE_NS_PER_MS), EV_CLIENT, c, NULL, 0);
    sched_after(&w->sched, 200 * MICE_NS_PER_MS, EV_NEMESIS, 0, NULL, 0);
    uint64_t ticks = w->opt.safety_ticks ? w->opt.safety_ticks : SAFETY_TICKS_DEFAULT;
    sched_after(&w->sched, ticks * w->p.tick_ns, EV_LIVENESS, 0, NULL, 0);
}

static void set_violation(sim_result *res, const char *invariant, const char *detail)
{
    res->violation = true;
    snprintf(res->invariant, sizeof res->invariant, "%s", invariant);
    snprintf(res->detail, sizeof res->detail, "%s", detail);
}

/* The simulator sees what clients cannot: a write whose answer was lost took effect iff
 * some replica applied it (replicas agree, or raftcheck has already failed the run), and
 * then no later than that first apply. Pinning indeterminate writes down this way keeps
 * the search small and the check strict; nothing unapplied was ever observed. */
static void resolve_indeterminate(sim_world *w)
{
    for (size_t i = 0; i < w->hist.n; i++) {
        linz_op *o = &w->hist.ops[i];
        if (o->kind == LINZ_READ || (o->outcome != LINZ_UNKNOWN && o->outcome != LINZ_PENDING))
            continue;
        if (!w->applied_t[i]) {
            o->outcome = LINZ_FAILED;
            continue;
        }
        o->outcome = LINZ_OK;
        o->result = w->applied_result[i];
        o->complete_t = w->applied_t[i];
    }
}

static void final_checks(sim_world *w, sim_result *res)
{
    char detail[256];
    if (raftcheck_failed(w->check)) {
        set_violation(res, raftcheck_invariant(w->check), raftcheck_detail(w->check));
        return;
    }
    if (w->opt.bench) return;
    resolve_indeterminate(w);
    linz_report rep;
    linz_result lr = linz_check(&w->hist, LINZ_STATES_MAX, &rep);
    if (lr == LINZ_VIOLATION) {
        snprintf(detail, sizeof detail, "client history of key %" PRIu64 " (%zu operations) is"
                 " not linearizable", rep.key, rep.key_ops);
        set_violation(res, "linearizability", detail);
        return;
    }
    if (lr == LINZ_TOO_COMPLEX) {
        w->st.linz_too_complex++;
        sim_trace(w, "linearizability: too complex, key %" PRIu64, rep.key);
    }
    if (!w->liveness_write_ns || w->liveness_write_ns - w->liveness_start_ns > LIVENESS_BOUND_NS) {
        snprintf(detail, sizeof detail, "no write acknowledged within %.1fs after healing",
                 (double)LIVENESS_BOUND_NS / MICE_NS_PER_S);
        set_violation(res, "liveness", detail);
    }
}

static void collect_stats(sim_world *w, sim_result *res)
{
    sim_stats *s = &w->st;
    s->msgs_sent = w->net.stats.sent;
    s->msgs_dropped += w->net.stats.dropped_loss + w->net.stats.dropped_partition;
    s->msgs_duplicated = w->net.stats.duplicated;
    s->msgs_reordered = w->net.stats.reordered;
    s->terms = raftcheck_leaders_seen(w->check);
    s->sim_time_ns = w->sched.now_ns;
    for (int i = 0; i < w->n_nodes; i++)
        if (w->node[i].applied_cmds > s->proposals_committed)
            s->proposals_committed = w->node[i].applied_cmds;
    res->stats = *s;
}

void sim_run(const sim_options *o, sim_result *res, mice_buf *out)
{
    memset(res, 0, sizeof *res);
    sim_world *w = mice_calloc(1, sizeof *w);
    world_init(w, o, out);
    schedule_start(w);
    sim_event ev;
    while (!w->stop && sched_pop(&w->sched, &ev)) {
        w->st.events++;
        dispatch(w, &ev);
        if (raftcheck_failed(w->check)) w->stop = true;
    }
    final_checks(w, res);
    collect_stats(w, res);
    world_free(w);
    free(w);
}

void sim_describe_stats(const sim_stats *s, mice_buf *out)
{
    buf_printf(out, "elections=%" PRIu64 " leader_changes=%" PRIu64 " campaigns=%" PRIu64
               " snapshots=%" PRIu64 "/%" PRIu64 "/%" PRIu64 " compactions=%" PRIu64
               " conf=%" PRIu64 "/%" PRIu64 " transfers=%" PRIu64,
               s->elections, s->leader_changes, s->campaigns, s->snapshots_made,
               s->snapshots_sent, s->snapshots_installed, s->compactions,
               s->conf_changes_proposed, s->conf_changes_applied, s->transfers_requested);
    buf_printf(out, " partitions=%" PRIu64 "+%" PRIu64 "asym crashes=%" PRIu64 " torn=%" PRIu64
               " slow_disks=%" PRIu64 " msgs=%" PRIu64 " dropped=%" PRIu64 " dup=%" PRIu64,
               s->partitions, s->asym_partitions, s->crashes, s->torn_kept, s->slow_disks,
               s->msgs_sent, s->msgs_dropped, s->msgs_duplicated);
    buf_printf(out, " ops ok=%" PRIu64 " failed=%" PRIu64 " unknown=%" PRIu64
               " reads lease=%" PRIu64 " index=%" PRIu64 " committed=%" PRIu64
               " linz_undecided=%" PRIu64 " t=%.1fs", s->ops_ok, s->ops_failed, s->ops_unknown,
               s->reads_lease, s->reads_index, s->proposals_committed, s->linz_too_complex,
               (double)s->sim_time_ns / MICE_NS_PER_S);
}
