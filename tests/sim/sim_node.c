/*
 * sim_node.c - driving one replica: the Ready loop under simulated disk and network.
 *
 * A Ready's msgs leave at once; its snapshot, entries and hard state are written to the
 * node's raft_memstorage (the durable disk) only when the simulated fsync completes, and
 * only then do msgs_after_persist leave and committed entries get applied. A crash while
 * the fsync is in flight loses that write (or, sometimes, keeps it without anyone hearing:
 * a torn crash). The state machine is volatile and rebuilt from the snapshot on restart;
 * Raft then hands the committed entries after it out again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "sim/sim_world.h"

enum { SIM_UNCOMMITTED_BYTES_MAX = 16 * 1024 }; /* flow control: impatient clients */

void *sim_msg_clone(const void *m)
{
    raft_msg *copy = mice_malloc(sizeof *copy);
    raft_msg_copy(copy, m);
    return copy;
}

void sim_msg_free(void *m)
{
    if (!m) return;
    raft_msg_deinit(m);
    free(m);
}

static void driver_fail(sim_world *w, const char *what, mice_status rc)
{
    char detail[128];
    snprintf(detail, sizeof detail, "%s: %s", what, mice_status_str(rc));
    /* A storage contract broken by the library (e.g. entries with a gap) is a finding. */
    raftcheck_fail(w->check, "driver contract", detail);
    sim_trace(w, "driver error: %s", detail);
    w->stop = true;
}

static uint64_t entry_hash(const raft_entry *e)
{
    uint8_t type = (uint8_t)e->type;
    return kvsm_hash_bytes(kvsm_hash_bytes(0, &type, 1), e->data, e->len);
}

sim_node *sim_leader(sim_world *w)
{
    sim_node *best = NULL;
    for (int i = 0; i < w->n_nodes; i++) {
        sim_node *n = &w->node[i];
        if (!n->up || raft_role_of(n->r) != RAFT_LEADER) continue;
        if (!best || raft_term(n->r) > raft_term(best->r)) best = n;
    }
    return best;
}

static void restore_state_machine(sim_world *w, sim_node *n)
{
    const raft_snapshot *s = raft_memstorage_snapshot(n->ms);
    memset(&n->sm, 0, sizeof n->sm);
    n->conf = s->meta.conf;
    if (s->len && kvsm_restore(&n->sm, mice_slice_of(s->data, s->len)) != MICE_OK)
        driver_fail(w, "snapshot data does not decode", MICE_CORRUPT);
    n->sm.applied_index = s->meta.index;
    n->sm.applied_term = s->meta.term;
}

void node_start(sim_world *w, sim_node *n)
{
    if (!n->ms) {
        n->ms = raft_memstorage_create();
        if (n->idx < w->n_voters0) {
            raft_conf_state cs = {0};
            for (int i = 0; i < w->n_voters0; i++) cs.voters[cs.n_voters++] = (uint64_t)i + 1;
            mice_assert(raft_memstorage_bootstrap(n->ms, &cs) == MICE_OK);
            raftcheck_log_snapshot(w->check, n->idx, 1, 1);
        }
    }
    restore_state_machine(w, n);
    raft_config c;
    raft_config_default(&c, (uint64_t)n->idx + 1, raft_memstorage_storage(n->ms));
    c.election_ticks = w->p.election_ticks;
    c.heartbeat_ticks = w->p.heartbeat_ticks;
    c.max_clock_drift_ticks = w->p.drift_ticks;
    c.lease_ticks = 0;
    c.pre_vote = w->p.pre_vote;
    c.check_quorum = w->p.check_quorum;
    c.max_inflight_msgs = w->p.max_inflight;
    c.max_entries_per_msg = w->p.max_entries;
    c.prng = &w->prng;
    c.max_uncommitted_bytes = w->opt.bench ? 0 : SIM_UNCOMMITTED_BYTES_MAX;
    c.canaries = w->opt.canaries;
    /* The state machine restarts from the snapshot, so Raft must hand out what follows it.
     * (applied = 0 would mean first_index - 1, below the snapshot when compaction kept a
     * tail of the log.) */
    c.applied = raft_memstorage_snapshot(n->ms)->meta.index;
    mice_status rc = raft_create(&c, &n->r);
    if (rc) {
        driver_fail(w, "raft_create", rc);
        return;
    }
    n->up = true;
    n->incarnation++;
    n->syncing = false;
    n->n_pending = 0;
    n->last_role = RAFT_FOLLOWER;
    n->lead_check_term = 0;
    sched_after(&w->sched, prng_below(&w->prng, n->tick_ns), EV_TICK, n->idx, NULL,
                n->incarnation);
}

/* Write the outstanding Ready to the durable storage and tell the checker. */
static bool persist_ready(sim_world *w, sim_node *n)
{
    raft_ready *rd = &n->rd;
    mice_status rc = raft_memstorage_save_ready(n->ms, rd);
    if (rc) {
        driver_fail(w, "persisting a Ready", rc);
        return false;
    }
    if (rd->has_snapshot)
        raftcheck_log_snapshot(w->check, n->idx, rd->snapshot.meta.index, rd->snapshot.meta.term);
    if (rd->n_entries) {
        uint64_t *terms = mice_malloc(rd->n_entries * sizeof *terms);
        uint64_t *hashes = mice_malloc(rd->n_entries * sizeof *hashes);
        for (size_t i = 0; i < rd->n_entries; i++) {
            terms[i] = rd->entries[i].term;
            hashes[i] = entry_hash(&rd->entries[i]);
        }
        raftcheck_log_append(w->check, n->idx, rd->entries[0].index, terms, hashes,
                             rd->n_entries);
        free(terms);
        free(hashes);
    }
    raft_hard_state hs;
    raft_memstorage_hard_state(n->ms, &hs);
    raftcheck_commit(w->check, n->idx, hs.commit, hs.term);
    if (rd->hard_state_changed && raft_role_of(n->r) == RAFT_LEADER)
        nemesis_leader_committed(w, n);
    return true;
}

void node_crash(sim_world *w, sim_node *n)
{
    if (!n->up) return;
    bool keep = simdisk_crash(&w->disk, n->idx, w->p.keep_torn_ppm);
    if (n->syncing) {
        if (keep) {
            persist_ready(w, n);
            w->st.torn_kept++;
        }
        raft_ready_discard(&n->rd);
    }
    raft_destroy(n->r);
    n->r = NULL;
    n->up = false;
    n->syncing = false;
    n->n_pending = 0; /* its clients time out: outcome unknown */
    w->st.crashes++;
    sim_trace(w, "crash n%d%s", n->idx + 1, keep ? " (unsynced write kept)" : "");
}

static void send_msgs(sim_world *w, sim_node *n, raft_msg *msgs, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int to = (int)msgs[i].to - 1;
        if (to < 0 || to >= w->n_nodes) continue;
        if (msgs[i].type == RAFT_MSG_SNAP) w->st.snapshots_sent++;
        raft_msg *m = mice_malloc(sizeof *m);
        raft_msg_move(m, &msgs[i]);
        simnet_send(&w->net, n->idx, to, m);
    }
}

/* Lease safety: when a node becomes leader, no other leader may still hold a lease (a
 * read it served from its lease now could miss what the new leader commits). Stronger
 * and earlier than waiting for a stale read to show in the history. */
static void check_lease_overlap(sim_world *w, sim_node *n)
{
    for (int i = 0; i < w->n_nodes; i++) {
        sim_node *o = &w->node[i];
        if (o == n || !o->up || !raft_lease_read_ok(o->r, NULL)) continue;
        raft_status os;
        raft_get_status(o->r, &os);
        char detail[160];
        snprintf(detail, sizeof detail,
                 "n%d elected in term %" PRIu64 " while n%d (term %" PRIu64 ") holds a lease"
                 " for %" PRIu64 " more ticks", n->idx + 1, raft_term(n->r), i + 1, os.term,
                 os.lease_expiry_tick - os.tick);
        w->st.lease_overlaps++;
        raftcheck_fail(w->check, "lease safety", detail);
    }
}

static void observe_role(sim_world *w, sim_node *n)
{
    raft_role role = raft_role_of(n->r);
    uint64_t term = raft_term(n->r);
    if (role == RAFT_LEADER) {
        raftcheck_leader(w->check, n->idx, term);
        if (n->led_term != term) {
            n->led_term = term;
            raft_status st;
            raft_get_status(n->r, &st);
            n->lead_check_term = term;
            n->lead_check_upto = st.last_index;
            w->st.elections++;
            if (w->last_leader != (uint64_t)n->idx + 1) w->st.leader_changes++;
            w->last_leader = (uint64_t)n->idx + 1;
            sim_trace(w, "n%d leads term %" PRIu64, n->idx + 1, term);
            check_lease_overlap(w, n);
            nemesis_new_leader(w, n, term);
        }
    }
    if (role == RAFT_CANDIDATE && n->last_role != RAFT_CANDIDATE) w->st.campaigns++;
    n->last_role = role;
}

void node_pump(sim_world *w, sim_node *n)
{
    if (!n->up || w->stop) return;
    observe_role(w, n);
    if (!n->up || n->syncing || !raft_has_ready(n->r)) return; /* the nemesis may strike */
    raft_ready_get(n->r, &n->rd);
    n->syncing = true;
    send_msgs(w, n, n->rd.msgs, n->rd.n_msgs);
    raft_ready *rd = &n->rd;
    bool disk = rd->must_sync || rd->has_snapshot || rd->n_entries || rd->hard_state_changed;
    if (disk) simdisk_sync(&w->disk, n->idx, NULL);
    else sched_after(&w->sched, 0, EV_SYNCED, n->idx, NULL, w->disk.epoch[n->idx]);
}

static void apply_entry(sim_world *w, sim_node *n, const raft_entry *e)
{
    if (e->index != n->sm.applied_index + 1) {
        char what[96];
        snprintf(what, sizeof what, "n%d applied index %" PRIu64 " after %" PRIu64, n->idx + 1,
                 e->index, n->sm.applied_index);
        driver_fail(w, what, MICE_INTERNAL);
        return;
    }
    raftcheck_apply(w->check, n->idx, e->index, e->term, entry_hash(e));
    n->sm.applied_index = e->index;
    n->sm.applied_term = e->term;
    w->st.entries_committed++;
    if (e->type == RAFT_ENTRY_CONF_CHANGE) return;
    kvsm_cmd cmd;
    if (e->len == 0 || kvsm_decode(mice_slice_of(e->data, e->len), &cmd) != MICE_OK) return;
    int64_t result = kvsm_apply(&n->sm, &cmd);
    if (result < 0) return;
    n->applied_cmds++;
    if (cmd.op_id < w->hist.n && !w->applied_t[cmd.op_id]) {
        w->applied_t[cmd.op_id] = sim_hist_now(w);
        w->applied_result[cmd.op_id] = result;
    }
    client_answer(w, n, cmd.op_id, result);
}

static void apply_ready(sim_world *w, sim_node *n)
{
    raft_ready *rd = &n->rd;
    if (rd->has_snapshot) {
        const raft_snapshot *s = &rd->snapshot;
        if (s->len && kvsm_restore(&n->sm, mice_slice_of(s->data, s->len)) != MICE_OK)
            driver_fail(w, "snapshot data does not decode", MICE_CORRUPT);
        n->sm.applied_index = s->meta.index;
        n->sm.applied_term = s->meta.term;
        n->conf = s->meta.conf;
        w->st.snapshots_installed++;
        sim_trace(w, "n%d installs snapshot at %" PRIu64, n->idx + 1, s->meta.index);
    }
    for (size_t i = 0; i < rd->n_committed_entries && !w->stop; i++)
        apply_entry(w, n, &rd->committed_entries[i]);
    n->conf = rd->conf_state; /* always filled: the config as of the applied index */
    if (rd->conf_state_changed) w->st.conf_changes_applied++;
    for (size_t i = 0; i < rd->n_read_states; i++) client_read_state(w, n, &rd->read_states[i]);
}

static void check_leader_complete(sim_world *w, sim_node *n)
{
    if (!n->lead_check_term || raft_role_of(n->r) != RAFT_LEADER) return;
    if (raft_term(n->r) != n->lead_check_term) return;
    if (raft_memstorage_last_index(n->ms) < n->lead_check_upto) return;
    raftcheck_leader_complete(w->check, n->idx, n->lead_check_term);
    n->lead_check_term = 0;
}

void node_on_synced(sim_world *w, sim_node *n, uint64_t epoch)
{
    if (!n->up || !n->syncing || !simdisk_sync_valid(&w->disk, n->idx, epoch)) return;
    if (!persist_ready(w, n)) return;
    send_msgs(w, n, n->rd.msgs_after_persist, n->rd.n_msgs_after_persist);
    apply_ready(w, n);
    raft_advance(n->r, &n->rd);
    n->syncing = false;
    client_serve_reads(w, n);
    check_leader_complete(w, n);
    node_pump(w, n);
}

void node_on_tick(sim_world *w, sim_node *n, uint64_t incarnation)
{
    if (!n->up || n->incarnation != incarnation) return;
    raft_tick(n->r);
    client_serve_reads(w, n);
    node_pump(w, n);
    sched_after(&w->sched, n->tick_ns, EV_TICK, n->idx, NULL, incarnation);
}

void node_on_deliver(sim_world *w, raft_msg *m, int from)
{
    int to = (int)m->to - 1;
    if (to < 0 || to >= w->n_nodes || !w->node[to].up || !simnet_deliverable(&w->net, from, to)) {
        if (to >= 0 && to < w->n_nodes) w->st.msgs_dropped++;
        sim_msg_free(m);
        return;
    }
    sim_node *n = &w->node[to];
    w->st.msgs_delivered++;
    if (w->opt.verbose && getenv("SIM_TRACE_VOTES") &&
        (m->type == RAFT_MSG_VOTE || m->type == RAFT_MSG_VOTE_RESP || m->type == RAFT_MSG_PREVOTE ||
         m->type == RAFT_MSG_PREVOTE_RESP || m->type == RAFT_MSG_TIMEOUT_NOW)) {
        mice_buf b;
        buf_init(&b);
        raft_describe_msg(m, &b);
        sim_trace(w, "deliver %s (n%d term %" PRIu64 ")", (char *)b.p, to + 1, raft_term(n->r));
        buf_deinit(&b);
    }
    (void)raft_step(n->r, m); /* stale or rejected messages are normal here */
    sim_msg_free(m);
    node_pump(w, n);
}

void node_make_snapshot(sim_world *w, sim_node *n)
{
    if (!n->up) return;
    uint64_t index = n->sm.applied_index;
    const raft_snapshot *cur = raft_memstorage_snapshot(n->ms);
    if (index <= cur->meta.index || index > raft_memstorage_last_index(n->ms)) return;
    mice_buf data;
    buf_init(&data);
    kvsm_snapshot(&n->sm, &data);
    mice_status rc = raft_memstorage_create_snapshot(n->ms, index, &n->conf, buf_slice(&data));
    buf_deinit(&data);
    if (rc) return;
    raft_memstorage_set_conf_state(n->ms, &n->conf);
    w->st.snapshots_made++;
    uint64_t keep = prng_below(&w->prng, 8);
    uint64_t upto = index > keep ? index - keep : index;
    if (upto >= raft_memstorage_first_index(n->ms) && raft_memstorage_compact(n->ms, upto) == 0)
        w->st.compactions++;
}
