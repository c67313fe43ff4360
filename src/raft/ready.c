/*
 * ready.c - handing work to the driver (raft_ready_get) and taking its acknowledgement
 * (raft_advance); conf changes take effect here, when their entries are handed out to be
 * applied.
 *
 * The outstanding Ready is remembered only by its sequence number; advance() trusts its
 * contents for indexes, and re-checks terms (entries overwritten in the meantime are not
 * marked stable).
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "raft/raft_int.h"

static raft_hard_state hard_state_of(const raft *r)
{
    return (raft_hard_state){.term = r->term, .vote = r->vote, .commit = r->log.committed};
}

static bool hs_equal(raft_hard_state a, raft_hard_state b)
{
    return a.term == b.term && a.vote == b.vote && a.commit == b.commit;
}

bool raft_has_ready(const raft *r)
{
    if (r->ready_outstanding) return false;
    raft_soft_state ss = {.lead = r->lead, .role = r->role};
    if (ss.lead != r->prev_ss.lead || ss.role != r->prev_ss.role) return true;
    if (!hs_equal(hard_state_of(r), r->prev_hs)) return true;
    if (r->log.has_snap && !r->log.snap_handed) return true;
    if (raft__log_has_unhanded(&r->log) || raft__log_has_next_committed(&r->log)) return true;
    if (r->msgs.n || r->msgs_after_persist.n || r->n_read_states) return true;
    return (r->bcast_pending || r->heartbeat_pending) && r->role == RAFT_LEADER;
}

void raft__apply_conf_state(raft *r, const raft_conf_state *cs)
{
    r->conf = *cs;
    r->conf_changed_since_ready = true;
    raft__reset_progress(r);
    if (r->role != RAFT_LEADER) return;
    if (!raft__is_voter(r, r->id)) {
        log_info("raft %llu: removed from the voters, stepping down", (unsigned long long)r->id);
        raft__become_follower(r, r->term, RAFT_NONE);
        return;
    }
    if (r->lead_transferee != RAFT_NONE && !raft__is_voter(r, r->lead_transferee))
        raft__abort_transfer(r);
    if (raft__maybe_commit(r)) r->bcast_pending = true;
    r->bcast_pending = true; /* new members need the log */
}

static void apply_conf_entry(raft *r, const raft_entry *e)
{
    raft_conf_change cc;
    raft_conf_state next;
    mice_status rc = raft_conf_change_decode(e->data, e->len, &cc);
    if (!rc) rc = raft_conf_change_apply(&r->conf, &cc, &next);
    if (rc) {
        /* Every replica rejects the same entry the same way, so configs still agree. */
        log_warn("raft %llu: conf change at %llu ignored: %s", (unsigned long long)r->id,
                 (unsigned long long)e->index, mice_status_str(rc));
        return;
    }
    raft__apply_conf_state(r, &next);
}

static void take_committed(raft *r, raft_ready *rd)
{
    if (r->log.has_snap) return; /* the snapshot comes first */
    uint64_t hi = r->log.committed;
    uint64_t p = raft__log_persisted_index(&r->log);
    if (p < hi) hi = p;
    if (hi <= r->log.applied) return;
    mice_status rc = raft__log_entries(&r->log, r->log.applied + 1, hi + 1,
                                       r->cfg.max_committed_bytes_per_ready,
                                       &rd->committed_entries, &rd->n_committed_entries);
    if (rc) {
        /* Storage failed to read back what it persisted: retried with the next Ready. */
        log_error("raft %llu: reading committed entries failed: %s", (unsigned long long)r->id,
                  mice_status_str(rc));
        return;
    }
    for (size_t i = 0; i < rd->n_committed_entries; i++)
        if (rd->committed_entries[i].type == RAFT_ENTRY_CONF_CHANGE)
            apply_conf_entry(r, &rd->committed_entries[i]);
}

static void take_entries(raft *r, raft_ready *rd)
{
    raft__log *l = &r->log;
    if (!raft__log_has_unhanded(l)) return;
    uint64_t lo = l->handed + 1 > l->offset ? l->handed + 1 : l->offset;
    uint64_t hi = l->offset + l->n_ents;
    rd->entries = mice_malloc((size_t)(hi - lo) * sizeof *rd->entries);
    for (uint64_t i = lo; i < hi; i++)
        raft_entry_copy(&rd->entries[rd->n_entries++], &l->ents[i - l->offset]);
    l->handed = hi - 1;
}

static void take_msgs(raft__msgq *q, raft_msg **v, size_t *n)
{
    *v = q->v;
    *n = q->n;
    memset(q, 0, sizeof *q);
}

void raft_ready_get(raft *r, raft_ready *rd)
{
    mice_assert(!r->ready_outstanding);
    memset(rd, 0, sizeof *rd);
    raft__flush_appends(r);
    if (r->log.has_snap && !r->log.snap_handed) {
        raft_snapshot_copy(&rd->snapshot, &r->log.snap);
        rd->has_snapshot = true;
        r->log.snap_handed = true;
    }
    take_entries(r, rd);
    take_committed(r, rd); /* may change the config, the role and the outbox */
    raft__flush_appends(r);
    rd->soft_state = (raft_soft_state){.lead = r->lead, .role = r->role};
    rd->soft_state_changed =
        rd->soft_state.lead != r->prev_ss.lead || rd->soft_state.role != r->prev_ss.role;
    r->prev_ss = rd->soft_state;
    rd->hard_state = hard_state_of(r);
    rd->hard_state_changed = !hs_equal(rd->hard_state, r->prev_hs);
    rd->must_sync = rd->n_entries || rd->has_snapshot || rd->hard_state.term != r->prev_hs.term ||
                    rd->hard_state.vote != r->prev_hs.vote;
    r->prev_hs = rd->hard_state;
    take_msgs(&r->msgs, &rd->msgs, &rd->n_msgs);
    take_msgs(&r->msgs_after_persist, &rd->msgs_after_persist, &rd->n_msgs_after_persist);
    rd->read_states = r->read_states;
    rd->n_read_states = r->n_read_states;
    r->read_states = NULL;
    r->n_read_states = 0;
    r->cap_read_states = 0;
    rd->conf_state = r->conf;
    rd->conf_state_changed = r->conf_changed_since_ready;
    r->conf_changed_since_ready = false;
    r->ready_outstanding = true;
    rd->seq_ = ++r->ready_seq;
}

void raft_ready_discard(raft_ready *rd)
{
    raft_snapshot_deinit(&rd->snapshot);
    raft_entries_free(rd->entries, rd->n_entries);
    raft_entries_free(rd->committed_entries, rd->n_committed_entries);
    for (size_t i = 0; i < rd->n_msgs; i++) raft_msg_deinit(&rd->msgs[i]);
    free(rd->msgs);
    for (size_t i = 0; i < rd->n_msgs_after_persist; i++)
        raft_msg_deinit(&rd->msgs_after_persist[i]);
    free(rd->msgs_after_persist);
    free(rd->read_states);
    memset(rd, 0, sizeof *rd);
}

void raft__maybe_auto_leave(raft *r)
{
    if (r->role != RAFT_LEADER || !raft_conf_state_is_joint(&r->conf) || !r->conf.auto_leave)
        return;
    if (r->pending_conf_index > r->log.applied || r->lead_transferee != RAFT_NONE) return;
    raft_conf_change cc = {.leave_joint = true};
    uint64_t index = 0;
    mice_status rc = raft_propose_conf_change(r, &cc, &index);
    if (rc) log_warn("raft %llu: auto-leave of the joint config failed: %s",
                     (unsigned long long)r->id, mice_status_str(rc));
}

void raft_advance(raft *r, raft_ready *rd)
{
    mice_assert(r->ready_outstanding);
    mice_assert(rd->seq_ == r->ready_seq);
    if (rd->has_snapshot) {
        raft__log_stable_snap_to(&r->log, rd->snapshot.meta.index);
        if (r->log.applied < rd->snapshot.meta.index) r->log.applied = rd->snapshot.meta.index;
    }
    if (rd->n_entries) {
        const raft_entry *last = &rd->entries[rd->n_entries - 1];
        raft__log_stable_to(&r->log, last->index, last->term);
    }
    if (rd->n_committed_entries) {
        uint64_t idx = rd->committed_entries[rd->n_committed_entries - 1].index;
        mice_assert(idx <= r->log.committed);
        if (idx > r->log.applied) r->log.applied = idx;
    }
    r->ready_outstanding = false;
    raft_ready_discard(rd);
    raft__self_persisted(r);
    raft__maybe_auto_leave(r);
}
