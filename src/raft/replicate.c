/*
 * replicate.c - the leader: appending proposals, sending appends/heartbeats/snapshots,
 * handling their responses, advancing the commit index, and leadership transfer.
 *
 * Batching: proposals only append to the local log and set `bcast_pending`; appends go out
 * when the driver collects the next Ready (raft__flush_appends), so every proposal made
 * between two Readys travels in one message per follower (bounded by max_entries_per_msg
 * and max_bytes_per_msg). Pipelining: a REPLICATE follower gets further appends while its
 * inflight window has room, without waiting for responses.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "raft/raft_int.h"

static uint64_t match_of(const void *ctx, uint64_t id)
{
    raft__progress *p = raft__progress_of((raft *)ctx, id);
    return p ? p->match : 0;
}

bool raft__maybe_commit(raft *r)
{
    uint64_t mci = raft__quorum_value(&r->conf, match_of, r);
    if (mci == UINT64_MAX || mci <= r->log.committed) return false;
    uint64_t t = 0;
    if (raft__log_term(&r->log, mci, &t) != MICE_OK) return false;
    bool own_term = t == r->term;
    /* CANARY RAFT_CANARY_COMMIT_OLD_TERM_BY_COUNT: commit an older term's entry by counting
     * replicas, the unsafe rule of figure 8 in the Raft paper. */
    if (r->cfg.canaries & RAFT_CANARY_COMMIT_OLD_TERM_BY_COUNT) own_term = true;
    if (!own_term) return false;
    bool first_in_term = !raft__committed_in_term(r);
    raft__log_commit_to(&r->log, mci);
    r->uncommitted_bytes = 0;
    if (first_in_term && raft__committed_in_term(r)) raft__reads_on_commit_in_term(r);
    return true;
}

/* The leader counts its own log once it is durable (called from advance), or at once with
 * the APPLY_BEFORE_PERSIST canary. */
void raft__self_persisted(raft *r)
{
    raft__progress *self = raft__progress_of(r, r->id);
    if (r->role != RAFT_LEADER || !self) return;
    uint64_t p = raft__log_persisted_index(&r->log);
    if (raft__progress_maybe_update(self, p) && raft__maybe_commit(r)) r->bcast_pending = true;
}

static mice_status append_checked(raft *r, raft_entry *ents, size_t n, bool limits)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += ents[i].len;
    if (limits) {
        if (r->lead_transferee != RAFT_NONE) return MICE_BUSY;
        if (raft__log_uncommitted_count(&r->log) + n > RAFT_PROPOSALS_PER_READY_MAX)
            return MICE_LIMIT;
        if (r->cfg.max_uncommitted_bytes && bytes &&
            r->uncommitted_bytes + bytes > r->cfg.max_uncommitted_bytes)
            return MICE_LIMIT;
    }
    uint64_t last = raft__log_last_index(&r->log);
    for (size_t i = 0; i < n; i++) {
        ents[i].term = r->term;
        ents[i].index = last + 1 + i;
    }
    raft__log_append(&r->log, ents, n);
    r->uncommitted_bytes += bytes;
    r->bcast_pending = true;
    /* CANARY RAFT_CANARY_APPLY_BEFORE_PERSIST: the leader counts itself before persisting. */
    if (r->cfg.canaries & RAFT_CANARY_APPLY_BEFORE_PERSIST) raft__self_persisted(r);
    return MICE_OK;
}

mice_status raft__append_entries(raft *r, raft_entry *ents, size_t n)
{
    mice_assert(r->role == RAFT_LEADER);
    return append_checked(r, ents, n, true);
}

void raft__become_leader(raft *r)
{
    mice_assert(r->role == RAFT_CANDIDATE);
    uint64_t term = r->term, vote = r->vote;
    raft__become_follower(r, term, r->id);
    r->vote = vote;
    r->role = RAFT_LEADER;
    r->lead = r->id;
    r->pending_conf_index = raft__log_last_index(&r->log);
    raft__progress *self = raft__progress_of(r, r->id);
    mice_assert(self != NULL);
    raft__progress_become_replicate(self);
    self->match = 0;
    raft__progress_maybe_update(self, raft__log_persisted_index(&r->log));
    log_info("raft %llu: leader at term %llu", (unsigned long long)r->id,
             (unsigned long long)term);
    /* An entry of the new term: committing it commits everything before it (5.4.2). */
    raft_entry noop = {.type = RAFT_ENTRY_NORMAL};
    mice_status rc = append_checked(r, &noop, 1, false);
    mice_assert(rc == MICE_OK);
}

static bool send_snapshot(raft *r, raft__progress *p)
{
    if (!p->recent_active) return false; /* don't ship a snapshot into the void */
    raft_msg m = {.type = RAFT_MSG_SNAP, .to = p->id};
    mice_status rc = r->cfg.storage.ops->snapshot(r->cfg.storage.ctx, &m.snapshot);
    if (rc || m.snapshot.meta.index == 0) {
        raft_msg_deinit(&m);
        return false; /* MICE_AGAIN: being made; try again on a later response/heartbeat */
    }
    log_debug("raft %llu: snapshot %llu to %llu", (unsigned long long)r->id,
              (unsigned long long)m.snapshot.meta.index, (unsigned long long)p->id);
    raft__progress_become_snapshot(p, m.snapshot.meta.index);
    raft__send(r, &m);
    return true;
}

bool raft__send_append(raft *r, raft__progress *p, bool send_if_empty)
{
    if (p->id == r->id || raft__progress_is_paused(p)) return false;
    uint64_t last = raft__log_last_index(&r->log);
    uint64_t prev = p->next - 1, prev_term = 0;
    raft_msg m = {.type = RAFT_MSG_APP, .to = p->id};
    mice_status rc = raft__log_term(&r->log, prev, &prev_term);
    if (rc == MICE_OK && p->next <= last) {
        uint64_t hi = last + 1;
        if (hi - p->next > r->cfg.max_entries_per_msg) hi = p->next + r->cfg.max_entries_per_msg;
        rc = raft__log_entries(&r->log, p->next, hi, r->cfg.max_bytes_per_msg, &m.entries,
                               &m.n_entries);
    }
    if (rc == MICE_NOTFOUND) return send_snapshot(r, p);
    if (rc) {
        /* A storage failure (I/O): nothing sent; the next heartbeat response retries. */
        log_error("raft %llu: reading the log for %llu failed: %s", (unsigned long long)r->id,
                  (unsigned long long)p->id, mice_status_str(rc));
        raft_msg_deinit(&m);
        return false;
    }
    if (m.n_entries == 0 && !send_if_empty) return false;
    m.index = prev;
    m.log_term = prev_term;
    m.commit = r->log.committed;
    m.lease_tick = r->tick;
    uint64_t sent_last = m.n_entries ? m.entries[m.n_entries - 1].index : prev;
    raft__progress_sent(p, sent_last, m.n_entries);
    raft__send(r, &m);
    return true;
}

static void send_all_appends(raft *r, raft__progress *p, bool send_if_empty)
{
    if (!raft__send_append(r, p, send_if_empty)) return;
    while (p->state == RAFT_PROGRESS_REPLICATE && raft__send_append(r, p, false)) {
    }
}

void raft__bcast_append(raft *r)
{
    for (uint32_t i = 0; i < r->n_prs; i++) send_all_appends(r, &r->prs[i], true);
}

void raft__flush_appends(raft *r)
{
    bool appends = r->bcast_pending, heartbeat = r->heartbeat_pending;
    r->bcast_pending = false;
    r->heartbeat_pending = false;
    if (r->role != RAFT_LEADER) return;
    if (appends) raft__bcast_append(r);
    if (heartbeat) raft__bcast_heartbeat(r);
}

void raft__bcast_heartbeat(raft *r)
{
    for (uint32_t i = 0; i < r->n_prs; i++) {
        raft__progress *p = &r->prs[i];
        if (p->id == r->id) continue;
        uint64_t commit = p->match < r->log.committed ? p->match : r->log.committed;
        raft_msg m = {.type = RAFT_MSG_HEARTBEAT, .to = p->id, .commit = commit,
                      .lease_tick = r->tick, .read_seq = r->read_seq};
        raft__send(r, &m);
    }
}

static void send_timeout_now(raft *r, uint64_t to)
{
    r->lease_void_in_term = true; /* the target may now win without waiting out our lease */
    raft_msg m = {.type = RAFT_MSG_TIMEOUT_NOW, .to = to};
    raft__send(r, &m);
}

void raft__abort_transfer(raft *r)
{
    r->lead_transferee = RAFT_NONE;
}

static mice_status handle_transfer(raft *r, uint64_t target)
{
    if (!raft__is_voter(r, target)) return MICE_INVALID;
    if (target == r->id || target == r->lead_transferee) return MICE_OK;
    raft__abort_transfer(r);
    raft__progress *p = raft__progress_of(r, target);
    if (!p) return MICE_INVALID;
    log_info("raft %llu: transferring leadership to %llu", (unsigned long long)r->id,
             (unsigned long long)target);
    r->lead_transferee = target;
    r->election_elapsed = 0; /* abort after one election timeout */
    if (p->match == raft__log_last_index(&r->log)) send_timeout_now(r, target);
    else raft__send_append(r, p, true);
    return MICE_OK;
}

static void note_ack(raft *r, raft__progress *p, const raft_msg *m)
{
    p->recent_active = true;
    /* Only ticks we actually sent can be echoed; anything else is ignored. */
    if (m->lease_tick > p->lease_acked_tick && m->lease_tick <= r->tick)
        p->lease_acked_tick = m->lease_tick;
}

static void handle_app_reject(raft *r, raft__progress *p, const raft_msg *m)
{
    uint64_t hint = m->reject_hint;
    if (m->log_term > 0) hint = raft__log_find_conflict_by_term(&r->log, hint, m->log_term);
    if (!raft__progress_maybe_decr_to(p, m->index, hint)) return;
    if (p->state == RAFT_PROGRESS_REPLICATE) raft__progress_become_probe(p);
    raft__send_append(r, p, true);
}

static mice_status handle_app_resp(raft *r, raft__progress *p, const raft_msg *m)
{
    if (m->index > raft__log_last_index(&r->log)) return MICE_INVALID;
    note_ack(r, p, m);
    if (m->reject) {
        handle_app_reject(r, p, m);
        return MICE_OK;
    }
    bool was_paused = raft__progress_is_paused(p);
    if (!raft__progress_maybe_update(p, m->index)) return MICE_OK;
    if (p->state == RAFT_PROGRESS_PROBE) {
        raft__progress_become_replicate(p);
    } else if (p->state == RAFT_PROGRESS_SNAPSHOT) {
        if (p->match >= p->pending_snapshot) raft__progress_become_replicate(p);
    } else {
        raft__inflights_free_to(&p->inflights, m->index);
    }
    if (raft__maybe_commit(r)) raft__bcast_append(r);
    else if (was_paused || p->state == RAFT_PROGRESS_REPLICATE) send_all_appends(r, p, false);
    if (p->id == r->lead_transferee && p->match == raft__log_last_index(&r->log))
        send_timeout_now(r, p->id);
    return MICE_OK;
}

static void handle_heartbeat_resp(raft *r, raft__progress *p, const raft_msg *m)
{
    note_ack(r, p, m);
    if (m->read_seq > p->read_acked_seq && m->read_seq <= r->read_seq)
        p->read_acked_seq = m->read_seq;
    p->probe_sent = false;
    /* A full window may be full of lost messages: let one more through. */
    if (p->state == RAFT_PROGRESS_REPLICATE && raft__inflights_full(&p->inflights))
        raft__inflights_free_first(&p->inflights);
    if (p->match < raft__log_last_index(&r->log)) raft__send_append(r, p, true);
    raft__reads_on_heartbeat_resp(r);
}

static mice_status step_peer_msg(raft *r, const raft_msg *m)
{
    raft__progress *p = raft__progress_of(r, m->from);
    if (!p || p->id == r->id) return MICE_OK; /* not (or no longer) a member */
    switch (m->type) {
    case RAFT_MSG_APP_RESP:
        return handle_app_resp(r, p, m);
    case RAFT_MSG_HEARTBEAT_RESP:
        handle_heartbeat_resp(r, p, m);
        return MICE_OK;
    case RAFT_MSG_SNAP_STATUS:
        if (p->state != RAFT_PROGRESS_SNAPSHOT) return MICE_OK;
        if (m->reject) p->pending_snapshot = 0;
        raft__progress_become_probe(p);
        p->probe_sent = true; /* wait for the follower's answer or a heartbeat */
        return MICE_OK;
    case RAFT_MSG_UNREACHABLE:
        if (p->state == RAFT_PROGRESS_REPLICATE) raft__progress_become_probe(p);
        return MICE_OK;
    default:
        return MICE_OK;
    }
}

static mice_status step_prop(raft *r, const raft_msg *m)
{
    if (m->n_entries == 0) return MICE_INVALID;
    raft_entry *ents = mice_malloc(m->n_entries * sizeof *ents);
    for (size_t i = 0; i < m->n_entries; i++) {
        /* Conf changes are only proposed locally (raft_propose_conf_change). */
        ents[i] = (raft_entry){.type = RAFT_ENTRY_NORMAL, .data = m->entries[i].data,
                               .len = m->entries[i].len};
        if (m->entries[i].type != RAFT_ENTRY_NORMAL) {
            free(ents);
            return MICE_INVALID;
        }
    }
    mice_status rc = raft__append_entries(r, ents, m->n_entries); /* the log copies data */
    free(ents);
    return rc;
}

mice_status raft__step_leader(raft *r, const raft_msg *m)
{
    switch (m->type) {
    case RAFT_MSG_BEAT:
        raft__bcast_heartbeat(r);
        return MICE_OK;
    case RAFT_MSG_PROP:
        return step_prop(r, m);
    case RAFT_MSG_READ_INDEX:
        return raft__leader_read_index(r, m->from, m->context, m->context_len);
    case RAFT_MSG_TRANSFER_LEADER:
        return handle_transfer(r, m->from);
    default:
        return step_peer_msg(r, m);
    }
}

void raft__tick_progress(raft *r)
{
    for (uint32_t i = 0; i < r->n_prs; i++) {
        raft__progress *p = &r->prs[i];
        if (p->state != RAFT_PROGRESS_SNAPSHOT) continue;
        /* A snapshot that was lost must not stall the follower forever. */
        if (++p->snapshot_ticks >= r->cfg.election_ticks) raft__progress_become_probe(p);
    }
}
