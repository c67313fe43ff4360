/*
 * raft.c - roles, terms and elections, the message dispatcher, and the public entry points.
 *
 * Term rules come first in raft_step (figure 2, "all servers"): a message with a higher
 * term turns us into a follower of that term (except pre-votes, which never change terms,
 * and votes ignored because we still hear from a live leader); a message with a lower term
 * is answered only where that helps the stale sender step down. Then each role has its own
 * step function.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "raft/raft_int.h"

enum {
    ELECTION_TICKS_DEFAULT = 10,
    HEARTBEAT_TICKS_DEFAULT = 1,
    CLOCK_DRIFT_TICKS_DEFAULT = 2,
    INFLIGHT_DEFAULT = 64,
    ENTRIES_PER_MSG_DEFAULT = 64,
};
static const size_t BYTES_PER_MSG_DEFAULT = 1u << 20;
static const size_t COMMITTED_BYTES_PER_READY_DEFAULT = 64u << 20;

void raft_config_default(raft_config *c, uint64_t id, raft_storage storage)
{
    memset(c, 0, sizeof *c);
    c->id = id;
    c->election_ticks = ELECTION_TICKS_DEFAULT;
    c->heartbeat_ticks = HEARTBEAT_TICKS_DEFAULT;
    c->pre_vote = true;
    c->check_quorum = true;
    c->max_clock_drift_ticks = CLOCK_DRIFT_TICKS_DEFAULT;
    c->storage = storage;
}

static mice_status normalize_config(raft_config *c)
{
    if (c->id == RAFT_NONE || !c->storage.ops) return MICE_INVALID;
    if (c->heartbeat_ticks == 0 || c->election_ticks <= c->heartbeat_ticks) return MICE_INVALID;
    if (c->max_inflight_msgs == 0) c->max_inflight_msgs = INFLIGHT_DEFAULT;
    if (c->max_inflight_msgs > RAFT_INFLIGHT_MAX) return MICE_INVALID;
    if (c->max_entries_per_msg == 0) c->max_entries_per_msg = ENTRIES_PER_MSG_DEFAULT;
    if (c->max_entries_per_msg > RAFT_MSG_ENTRIES_MAX) return MICE_INVALID;
    if (c->max_bytes_per_msg == 0) c->max_bytes_per_msg = BYTES_PER_MSG_DEFAULT;
    if (c->max_committed_bytes_per_ready == 0)
        c->max_committed_bytes_per_ready = COMMITTED_BYTES_PER_READY_DEFAULT;
    /* At least one tick: two nodes' tick boundaries may be up to a tick apart. */
    if (c->max_clock_drift_ticks == 0 || c->max_clock_drift_ticks >= c->election_ticks)
        return MICE_INVALID;
    if (c->lease_ticks == 0) c->lease_ticks = c->election_ticks - c->max_clock_drift_ticks;
    if ((uint64_t)c->lease_ticks + c->max_clock_drift_ticks > c->election_ticks)
        return MICE_INVALID;
    return MICE_OK;
}

static void reset_randomized_timeout(raft *r)
{
    uint32_t e = r->cfg.election_ticks;
    r->randomized_timeout = e + (uint32_t)prng_below(r->prng, e);
}

static mice_status load_state(raft *r)
{
    raft_hard_state hs;
    raft_conf_state cs;
    mice_status rc = r->cfg.storage.ops->initial_state(r->cfg.storage.ctx, &hs, &cs);
    if (rc) return rc;
    uint64_t last = raft__log_last_index(&r->log);
    if (hs.commit > last || hs.commit < r->log.committed) return MICE_CORRUPT;
    r->term = hs.term;
    r->vote = hs.vote;
    r->log.committed = hs.commit;
    uint64_t applied = r->cfg.applied;
    if (applied == 0) {
        /* Restart from the snapshot, which may cover more than the compacted prefix: the
         * config in storage is the snapshot's, so entries it covers must not apply again. */
        raft_snapshot snap = {0};
        rc = r->cfg.storage.ops->snapshot(r->cfg.storage.ctx, &snap);
        applied = rc == MICE_OK && snap.meta.index > r->log.applied ? snap.meta.index
                                                                     : r->log.applied;
        raft_snapshot_deinit(&snap);
    }
    if (applied < r->log.applied || applied > hs.commit) return MICE_INVALID;
    r->log.applied = applied;
    r->conf = cs;
    r->prev_hs = hs;
    /* A replica that may have acknowledged a leader (and so backed its lease) before a crash
     * keeps refusing votes for one election timeout, as if it had just heard from it. Terms
     * start at 1 after bootstrap and no leader exists before term 2. */
    r->restart_sticky = hs.term >= 2;
    return MICE_OK;
}

mice_status raft_create(const raft_config *c, raft **out)
{
    *out = NULL;
    raft_config cfg = *c;
    mice_status rc = normalize_config(&cfg);
    if (rc) return rc;
    raft *r = mice_calloc(1, sizeof *r);
    r->cfg = cfg;
    r->id = cfg.id;
    if (cfg.prng) {
        r->prng = cfg.prng;
    } else {
        prng_seed(&r->own_prng, cfg.seed ^ (cfg.id * 0x9e3779b97f4a7c15ull));
        r->prng = &r->own_prng;
    }
    r->reads = mice_calloc(RAFT_READS_PENDING_MAX, sizeof *r->reads);
    r->tick = 1;
    rc = raft__log_init(&r->log, cfg.storage, cfg.canaries);
    if (!rc) rc = load_state(r);
    if (rc) {
        raft_destroy(r);
        return rc;
    }
    raft__reset_progress(r);
    raft__become_follower(r, r->term, RAFT_NONE);
    r->prev_ss = (raft_soft_state){.lead = RAFT_NONE, .role = RAFT_FOLLOWER};
    *out = r;
    return MICE_OK;
}

static void msgq_free(raft__msgq *q)
{
    for (size_t i = 0; i < q->n; i++) raft_msg_deinit(&q->v[i]);
    free(q->v);
    memset(q, 0, sizeof *q);
}

void raft_destroy(raft *r)
{
    if (!r) return;
    raft__log_deinit(&r->log);
    msgq_free(&r->msgs);
    msgq_free(&r->msgs_after_persist);
    free(r->reads);
    free(r->read_states);
    free(r);
}

/* ---- sending ---- */

static void msgq_push(raft *r, raft__msgq *q, raft_msg *m)
{
    if (q->n >= RAFT_OUTBOX_MAX) {
        r->dropped_msgs++;
        raft_msg_deinit(m);
        return;
    }
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->v = mice_realloc(q->v, q->cap * sizeof *q->v);
    }
    raft_msg_move(&q->v[q->n++], m);
}

static void fill_envelope(raft *r, raft_msg *m)
{
    /* A forwarded TRANSFER_LEADER names its target in `from` (see raft.h). */
    if (m->type != RAFT_MSG_TRANSFER_LEADER || m->from == RAFT_NONE) m->from = r->id;
    /* Pre-vote requests and granted pre-vote responses carry a future term on purpose. */
    if (m->term == 0 && m->type != RAFT_MSG_PROP && m->type != RAFT_MSG_TRANSFER_LEADER &&
        m->type != RAFT_MSG_READ_INDEX)
        m->term = r->term;
}

void raft__send(raft *r, raft_msg *m)
{
    fill_envelope(r, m);
    msgq_push(r, &r->msgs, m);
}

void raft__send_after_persist(raft *r, raft_msg *m)
{
    fill_envelope(r, m);
    msgq_push(r, &r->msgs_after_persist, m);
}

/* ---- membership helpers ---- */

raft__progress *raft__progress_of(raft *r, uint64_t id)
{
    for (uint32_t i = 0; i < r->n_prs; i++)
        if (r->prs[i].id == id) return &r->prs[i];
    return NULL;
}

bool raft__is_voter(const raft *r, uint64_t id)
{
    return raft_conf_state_has_voter(&r->conf, id);
}

bool raft__promotable(const raft *r)
{
    return raft__is_voter(r, r->id) && !r->log.has_snap;
}

static void add_member(raft *r, const raft__progress *old, uint32_t n_old, uint64_t id)
{
    if (raft__progress_of(r, id)) return;
    mice_assert(r->n_prs < RAFT_NODES_MAX);
    raft__progress *p = &r->prs[r->n_prs++];
    for (uint32_t i = 0; i < n_old; i++) {
        if (old[i].id == id) {
            *p = old[i];
            return;
        }
    }
    raft__progress_reset(p, id, raft__log_last_index(&r->log) + 1, r->cfg.max_inflight_msgs);
    p->recent_active = true; /* a new member gets one election timeout to show up */
}

/* Rebuild the progress set from the config, keeping what we knew about staying members. */
void raft__reset_progress(raft *r)
{
    raft__progress *tmp = mice_malloc(RAFT_NODES_MAX * sizeof *tmp);
    uint32_t n_old = r->n_prs;
    memcpy(tmp, r->prs, n_old * sizeof *tmp);
    r->n_prs = 0;
    const raft_conf_state *cs = &r->conf;
    for (uint32_t i = 0; i < cs->n_voters; i++) add_member(r, tmp, n_old, cs->voters[i]);
    for (uint32_t i = 0; i < cs->n_voters_outgoing; i++)
        add_member(r, tmp, n_old, cs->voters_outgoing[i]);
    for (uint32_t i = 0; i < cs->n_learners; i++) add_member(r, tmp, n_old, cs->learners[i]);
    free(tmp);
}

/* ---- roles ---- */

static void reset_term_state(raft *r, uint64_t term)
{
    if (r->term != term) {
        r->term = term;
        r->vote = RAFT_NONE;
    }
    r->lead = RAFT_NONE;
    r->election_elapsed = 0;
    r->heartbeat_elapsed = 0;
    reset_randomized_timeout(r);
    raft__abort_transfer(r);
    raft__reads_clear(r);
    r->lease_void_in_term = false;
    uint64_t last = raft__log_last_index(&r->log);
    for (uint32_t i = 0; i < r->n_prs; i++) {
        raft__progress *p = &r->prs[i];
        raft__progress_reset(p, p->id, last + 1, r->cfg.max_inflight_msgs);
        if (p->id == r->id) p->match = raft__log_persisted_index(&r->log);
    }
    r->pending_conf_index = 0;
    r->uncommitted_bytes = 0;
}

void raft__become_follower(raft *r, uint64_t term, uint64_t lead)
{
    reset_term_state(r, term);
    r->lead = lead;
    r->role = RAFT_FOLLOWER;
}

static void become_pre_candidate(raft *r)
{
    mice_assert(r->role != RAFT_LEADER);
    /* Keeps term and vote: a pre-election must not disturb anyone. */
    r->role = RAFT_PRE_CANDIDATE;
    r->lead = RAFT_NONE;
    r->election_elapsed = 0;
    reset_randomized_timeout(r);
    for (uint32_t i = 0; i < r->n_prs; i++) r->prs[i].vote = RAFT__VOTE_NONE;
}

static void become_candidate(raft *r)
{
    mice_assert(r->role != RAFT_LEADER);
    reset_term_state(r, r->term + 1);
    r->vote = r->id;
    r->role = RAFT_CANDIDATE;
    log_debug("raft %llu: candidate at term %llu", (unsigned long long)r->id,
              (unsigned long long)r->term);
}

static uint64_t vote_of(const void *ctx, uint64_t id)
{
    raft__progress *p = raft__progress_of((raft *)ctx, id);
    return p ? p->vote : RAFT__VOTE_NONE;
}

static raft__vote_result record_vote(raft *r, uint64_t id, bool granted)
{
    raft__progress *p = raft__progress_of(r, id);
    if (p && p->vote == RAFT__VOTE_NONE)
        p->vote = granted ? RAFT__VOTE_GRANTED : RAFT__VOTE_REJECTED;
    return raft__quorum_votes(&r->conf, vote_of, r);
}

static void campaign(raft *r, bool pre, bool transfer)
{
    if (pre) become_pre_candidate(r);
    else become_candidate(r);
    uint64_t vote_term = pre ? r->term + 1 : r->term;
    if (record_vote(r, r->id, true) == RAFT__VOTE_WON) {
        /* Single-voter config: won already. */
        if (pre) campaign(r, false, false);
        else raft__become_leader(r);
        return;
    }
    for (uint32_t i = 0; i < r->n_prs; i++) {
        uint64_t id = r->prs[i].id;
        if (id == r->id || !raft__is_voter(r, id)) continue;
        raft_msg m = {.type = pre ? RAFT_MSG_PREVOTE : RAFT_MSG_VOTE, .to = id,
                      .term = vote_term, .index = raft__log_last_index(&r->log),
                      .log_term = raft__log_last_term(&r->log), .transfer = transfer};
        /* A real campaign speaks in a term it must not forget: had we crashed before our
         * term and self-vote were durable, we could vote again in this term and two leaders
         * could write different entries at the same (index, term). */
        if (pre) raft__send(r, &m);
        else raft__send_after_persist(r, &m);
    }
}

static void hup(raft *r, bool transfer)
{
    if (r->role == RAFT_LEADER || !raft__promotable(r)) return;
    if (r->cfg.pre_vote && !transfer) campaign(r, true, false);
    else campaign(r, false, transfer);
}

mice_status raft_campaign(raft *r)
{
    if (!raft__promotable(r)) return MICE_INVALID;
    if (r->role == RAFT_LEADER) return MICE_OK;
    campaign(r, false, false);
    return MICE_OK;
}

/* ---- tick ---- */

static bool in_lease(const raft *r)
{
    /* Leader stickiness: we heard from a leader (or restarted, see load_state) less than an
     * election timeout ago, so a vote now could elect a second leader under its lease. */
    if (!r->cfg.check_quorum || r->election_elapsed >= r->cfg.election_ticks) return false;
    return r->lead != RAFT_NONE || r->restart_sticky;
}

static uint64_t active_of(const void *ctx, uint64_t id)
{
    const raft *r = ctx;
    if (id == r->id) return 1;
    raft__progress *p = raft__progress_of((raft *)r, id);
    return p && p->recent_active ? 1 : 0;
}

static void tick_leader(raft *r)
{
    r->heartbeat_elapsed++;
    r->election_elapsed++;
    raft__tick_progress(r);
    if (r->election_elapsed >= r->cfg.election_ticks) {
        r->election_elapsed = 0;
        if (r->cfg.check_quorum) {
            if (raft__quorum_value(&r->conf, active_of, r) == 0) {
                log_info("raft %llu: no quorum heard within an election timeout, stepping down",
                         (unsigned long long)r->id);
                raft__become_follower(r, r->term, RAFT_NONE);
                return;
            }
            for (uint32_t i = 0; i < r->n_prs; i++)
                r->prs[i].recent_active = r->prs[i].id == r->id;
        }
        if (r->lead_transferee != RAFT_NONE) raft__abort_transfer(r);
    }
    if (r->heartbeat_elapsed >= r->cfg.heartbeat_ticks) {
        r->heartbeat_elapsed = 0;
        raft__bcast_heartbeat(r);
    }
}

void raft_tick(raft *r)
{
    r->tick++;
    if (r->role == RAFT_LEADER) {
        tick_leader(r);
        return;
    }
    r->election_elapsed++;
    if (r->election_elapsed >= r->cfg.election_ticks) r->restart_sticky = false;
    if (raft__promotable(r) && r->election_elapsed >= r->randomized_timeout) {
        r->election_elapsed = 0;
        hup(r, false);
    }
}

/* ---- votes ---- */

static void handle_vote(raft *r, const raft_msg *m)
{
    bool pre = m->type == RAFT_MSG_PREVOTE;
    bool can_vote = r->vote == m->from || (r->vote == RAFT_NONE && r->lead == RAFT_NONE) ||
                    (pre && m->term > r->term);
    bool up_to_date = raft__log_up_to_date(&r->log, m->index, m->log_term);
    /* CANARY RAFT_CANARY_VOTE_WITHOUT_LOG_CHECK: skip the election restriction (5.4.1). */
    if (r->cfg.canaries & RAFT_CANARY_VOTE_WITHOUT_LOG_CHECK) up_to_date = true;
    raft_msg resp = {.type = pre ? RAFT_MSG_PREVOTE_RESP : RAFT_MSG_VOTE_RESP, .to = m->from};
    if (can_vote && up_to_date) {
        resp.term = m->term; /* for a pre-vote: the term the candidate would get */
        if (!pre) {
            r->election_elapsed = 0;
            r->vote = m->from;
        }
    } else {
        resp.term = r->term;
        resp.reject = true;
    }
    /* A granted vote must be durable before the candidate can count it. */
    if (pre) raft__send(r, &resp);
    else raft__send_after_persist(r, &resp);
}

static mice_status step_candidate(raft *r, const raft_msg *m)
{
    switch (m->type) {
    case RAFT_MSG_PROP:
        return MICE_NOT_LEADER;
    case RAFT_MSG_APP:
    case RAFT_MSG_HEARTBEAT:
    case RAFT_MSG_SNAP:
        raft__become_follower(r, m->term, m->from); /* a leader won this term */
        if (m->type == RAFT_MSG_APP) raft__handle_append(r, m);
        else if (m->type == RAFT_MSG_HEARTBEAT) raft__handle_heartbeat(r, m);
        else raft__handle_snapshot(r, m);
        return MICE_OK;
    case RAFT_MSG_VOTE_RESP:
    case RAFT_MSG_PREVOTE_RESP: {
        bool mine = (m->type == RAFT_MSG_PREVOTE_RESP) == (r->role == RAFT_PRE_CANDIDATE);
        if (!mine) return MICE_OK;
        raft__vote_result res = record_vote(r, m->from, !m->reject);
        if (res == RAFT__VOTE_WON) {
            if (r->role == RAFT_PRE_CANDIDATE) campaign(r, false, false);
            else raft__become_leader(r);
        } else if (res == RAFT__VOTE_LOST) {
            raft__become_follower(r, r->term, RAFT_NONE);
        }
        return MICE_OK;
    }
    case RAFT_MSG_READ_INDEX:
    case RAFT_MSG_TRANSFER_LEADER:
        return MICE_NOT_LEADER;
    default:
        return MICE_OK;
    }
}

static mice_status forward_to_leader(raft *r, const raft_msg *m)
{
    if (r->lead == RAFT_NONE) return MICE_NOT_LEADER;
    raft_msg f;
    raft_msg_copy(&f, m);
    f.to = r->lead;
    f.term = 0;
    raft__send(r, &f);
    return MICE_OK;
}

static mice_status step_follower(raft *r, const raft_msg *m)
{
    switch (m->type) {
    case RAFT_MSG_PROP:
        if (m->from != r->id || r->cfg.disable_proposal_forwarding) return MICE_NOT_LEADER;
        return forward_to_leader(r, m);
    case RAFT_MSG_APP:
    case RAFT_MSG_HEARTBEAT:
    case RAFT_MSG_SNAP:
        r->election_elapsed = 0;
        r->lead = m->from;
        if (m->type == RAFT_MSG_APP) raft__handle_append(r, m);
        else if (m->type == RAFT_MSG_HEARTBEAT) raft__handle_heartbeat(r, m);
        else raft__handle_snapshot(r, m);
        return MICE_OK;
    case RAFT_MSG_TRANSFER_LEADER:
        return forward_to_leader(r, m);
    case RAFT_MSG_TIMEOUT_NOW:
        if (!raft__promotable(r)) return MICE_OK;
        campaign(r, false, true); /* transfer: no pre-vote, bypasses stickiness */
        return MICE_OK;
    case RAFT_MSG_READ_INDEX:
        if (m->from != r->id) return MICE_NOT_LEADER;
        return forward_to_leader(r, m);
    case RAFT_MSG_READ_INDEX_RESP:
        if (m->from != r->lead) return MICE_OK;
        raft__add_read_state(r, m->index, m->context, m->context_len);
        return MICE_OK;
    default:
        return MICE_OK;
    }
}

/* Returns true when the message is fully handled by the term rules. */
static bool step_term(raft *r, const raft_msg *m)
{
    bool vote_req = m->type == RAFT_MSG_VOTE || m->type == RAFT_MSG_PREVOTE;
    if (m->term > r->term) {
        if (vote_req && !m->transfer && in_lease(r)) return true; /* stickiness: ignore */
        if (m->type == RAFT_MSG_PREVOTE) return false;
        if (m->type == RAFT_MSG_PREVOTE_RESP && !m->reject) return false;
        bool from_leader = m->type == RAFT_MSG_APP || m->type == RAFT_MSG_HEARTBEAT ||
                           m->type == RAFT_MSG_SNAP;
        raft__become_follower(r, m->term, from_leader ? m->from : RAFT_NONE);
        return false;
    }
    if (m->term < r->term) {
        if (m->type == RAFT_MSG_APP || m->type == RAFT_MSG_HEARTBEAT) {
            /* Figure 2: reply false; our term makes the stale leader step down. */
            raft_msg resp = {.type = RAFT_MSG_APP_RESP, .to = m->from, .reject = true,
                             .index = m->index};
            raft__send(r, &resp);
        } else if (vote_req) {
            /* Figure 2: reply false; a stale candidate learns our term (and stops). */
            raft_msg resp = {.type = m->type == RAFT_MSG_VOTE ? RAFT_MSG_VOTE_RESP
                                                              : RAFT_MSG_PREVOTE_RESP,
                             .to = m->from, .reject = true};
            raft__send(r, &resp);
        }
        return true;
    }
    return false;
}

static mice_status check_msg(const raft *r, const raft_msg *m)
{
    if ((unsigned)m->type >= RAFT_MSG_TYPE_COUNT) return MICE_INVALID;
    if (m->n_entries && !m->entries) return MICE_INVALID;
    if (m->n_entries > RAFT_MSG_ENTRIES_MAX) return MICE_INVALID;
    if (m->context_len > RAFT_CONTEXT_MAX) return MICE_INVALID;
    if (raft_msg_is_local(m->type)) return MICE_OK;
    if (m->term == 0 && m->type != RAFT_MSG_PROP && m->type != RAFT_MSG_READ_INDEX &&
        m->type != RAFT_MSG_TRANSFER_LEADER)
        return MICE_INVALID;
    if (m->to != RAFT_NONE && m->to != r->id) return MICE_INVALID;
    if (m->from == RAFT_NONE) return MICE_INVALID;
    if (m->from == r->id && m->term != 0) return MICE_INVALID; /* our own echo */
    return MICE_OK;
}

mice_status raft_step(raft *r, const raft_msg *m)
{
    mice_status rc = check_msg(r, m);
    if (rc) return rc;
    if (m->term != 0 && step_term(r, m)) return MICE_OK;
    switch (m->type) {
    case RAFT_MSG_HUP:
        hup(r, false);
        return MICE_OK;
    case RAFT_MSG_VOTE:
    case RAFT_MSG_PREVOTE:
        handle_vote(r, m);
        return MICE_OK;
    default:
        break;
    }
    if (r->role == RAFT_LEADER) return raft__step_leader(r, m);
    if (r->role == RAFT_FOLLOWER) return step_follower(r, m);
    return step_candidate(r, m);
}

/* ---- public requests ---- */

mice_status raft_propose(raft *r, mice_slice data, uint64_t *index_out)
{
    if (index_out) *index_out = 0;
    if (r->role != RAFT_LEADER) {
        if (r->role != RAFT_FOLLOWER || r->lead == RAFT_NONE) return MICE_NOT_LEADER;
        if (r->cfg.disable_proposal_forwarding) return MICE_NOT_LEADER;
    }
    raft_entry e = {.type = RAFT_ENTRY_NORMAL, .data = (uint8_t *)data.p, .len = data.n};
    raft_msg m = {.type = RAFT_MSG_PROP, .from = r->id, .entries = &e, .n_entries = 1};
    if (r->role == RAFT_LEADER) {
        mice_status rc = raft__append_entries(r, &e, 1); /* the log keeps a copy */
        if (!rc && index_out) *index_out = e.index;
        return rc;
    }
    return raft_step(r, &m);
}

mice_status raft_propose_conf_change(raft *r, const raft_conf_change *cc, uint64_t *index_out)
{
    if (index_out) *index_out = 0;
    if (r->role != RAFT_LEADER) return MICE_NOT_LEADER;
    if (r->lead_transferee != RAFT_NONE) return MICE_BUSY;
    if (r->pending_conf_index > r->log.applied) return MICE_BUSY;
    raft_conf_state next;
    mice_status rc = raft_conf_change_apply(&r->conf, cc, &next);
    if (rc) return rc;
    mice_buf b;
    buf_init(&b);
    raft_conf_change_encode(cc, &b);
    raft_entry e = {.type = RAFT_ENTRY_CONF_CHANGE, .data = b.p, .len = b.n};
    rc = raft__append_entries(r, &e, 1);
    if (!rc) {
        r->pending_conf_index = e.index;
        if (index_out) *index_out = e.index;
    }
    buf_deinit(&b);
    return rc;
}

mice_status raft_transfer_leader(raft *r, uint64_t target)
{
    raft_msg m = {.type = RAFT_MSG_TRANSFER_LEADER, .from = target};
    if (r->role == RAFT_LEADER) {
        if (target == r->id || !raft__is_voter(r, target)) return MICE_INVALID;
        return raft__step_leader(r, &m);
    }
    if (r->role != RAFT_FOLLOWER) return MICE_NOT_LEADER;
    return forward_to_leader(r, &m);
}

mice_status raft_read_index(raft *r, mice_slice ctx)
{
    if (ctx.n > RAFT_CONTEXT_MAX) return MICE_INVALID;
    if (r->role == RAFT_LEADER)
        return raft__leader_read_index(r, r->id, ctx.p, (uint32_t)ctx.n);
    raft_msg m = {.type = RAFT_MSG_READ_INDEX, .from = r->id,
                  .context_len = (uint32_t)ctx.n};
    if (ctx.n) memcpy(m.context, ctx.p, ctx.n);
    if (r->role != RAFT_FOLLOWER) return MICE_NOT_LEADER;
    return forward_to_leader(r, &m);
}

void raft_report_snapshot(raft *r, uint64_t id, bool failed)
{
    raft_msg m = {.type = RAFT_MSG_SNAP_STATUS, .from = id, .reject = failed};
    if (r->role == RAFT_LEADER) raft__step_leader(r, &m);
}

void raft_report_unreachable(raft *r, uint64_t id)
{
    raft_msg m = {.type = RAFT_MSG_UNREACHABLE, .from = id};
    if (r->role == RAFT_LEADER) raft__step_leader(r, &m);
}

/* ---- introspection ---- */

uint32_t raft__effective_lease_ticks(const raft *r)
{
    /* CANARY RAFT_CANARY_LEASE_WITHOUT_DRIFT: the lease ignores the clock-drift bound. */
    if (r->cfg.canaries & RAFT_CANARY_LEASE_WITHOUT_DRIFT) return r->cfg.election_ticks;
    return r->cfg.lease_ticks;
}

raft_role raft_role_of(const raft *r)
{
    return r->role;
}
uint64_t raft_term(const raft *r)
{
    return r->term;
}
uint64_t raft_leader(const raft *r)
{
    return r->lead;
}
uint64_t raft_id(const raft *r)
{
    return r->id;
}
uint64_t raft_commit_index(const raft *r)
{
    return r->log.committed;
}
uint64_t raft_applied_index(const raft *r)
{
    return r->log.applied;
}

void raft_get_status(const raft *r, raft_status *st)
{
    memset(st, 0, sizeof *st);
    *st = (raft_status){.id = r->id, .role = r->role, .term = r->term, .vote = r->vote,
                        .lead = r->lead, .commit = r->log.committed,
                        .applied = r->log.applied, .tick = r->tick,
                        .first_index = raft__log_first_index(&r->log),
                        .last_index = raft__log_last_index(&r->log),
                        .last_term = raft__log_last_term(&r->log),
                        .lead_transferee = r->lead_transferee,
                        .dropped_msgs = r->dropped_msgs, .conf = r->conf};
    st->lease_expiry_tick = r->role == RAFT_LEADER ? raft__lease_expiry(r) : 0;
    if (r->role != RAFT_LEADER) return;
    for (uint32_t i = 0; i < r->n_prs; i++) {
        const raft__progress *p = &r->prs[i];
        st->peers[st->n_peers++] = (raft_peer_status){
            .id = p->id, .match = p->match, .next = p->next, .state = p->state,
            .is_learner = !raft__is_voter(r, p->id), .recent_active = p->recent_active,
            .inflight = p->inflights.count, .pending_snapshot = p->pending_snapshot};
    }
}
