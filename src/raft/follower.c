/*
 * follower.c - a follower's side of replication: appends (figure 2's receiver rules),
 * heartbeats and snapshots from the leader of the current term.
 *
 * Acknowledgements of new entries go to msgs_after_persist: the leader may count them for
 * commit, so they must not leave before the entries are durable here. Rejections and
 * heartbeat responses promise nothing durable and go out at once.
 */
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "raft/raft_int.h"

static void send_ack(raft *r, raft_msg *resp)
{
    /* CANARY RAFT_CANARY_APPLY_BEFORE_PERSIST: acknowledge before the entries are durable. */
    if (r->cfg.canaries & RAFT_CANARY_APPLY_BEFORE_PERSIST) raft__send(r, resp);
    else raft__send_after_persist(r, resp);
}

void raft__handle_append(raft *r, const raft_msg *m)
{
    raft_msg resp = {.type = RAFT_MSG_APP_RESP, .to = m->from, .lease_tick = m->lease_tick};
    if (m->index < r->log.committed) {
        /* Everything up to our commit index already matches the leader's log. */
        resp.index = r->log.committed;
        send_ack(r, &resp);
        return;
    }
    uint64_t last_new = 0;
    bool bad = false;
    if (raft__log_maybe_append(&r->log, m->index, m->log_term, m->commit, m->entries,
                               m->n_entries, &last_new, &bad)) {
        resp.index = last_new;
        send_ack(r, &resp);
        return;
    }
    if (bad) return; /* malformed or contradicting committed entries: ignore it */
    /* Reject, with a hint that lets the leader skip a whole conflicting term: the largest
     * index <= the probed one whose term is <= the probed term. */
    uint64_t hint = m->index;
    uint64_t last = raft__log_last_index(&r->log);
    if (hint > last) hint = last;
    hint = raft__log_find_conflict_by_term(&r->log, hint, m->log_term);
    uint64_t hint_term = 0;
    (void)raft__log_term(&r->log, hint, &hint_term);
    resp.index = m->index;
    resp.reject = true;
    resp.reject_hint = hint;
    resp.log_term = hint_term;
    raft__send(r, &resp);
}

void raft__handle_heartbeat(raft *r, const raft_msg *m)
{
    /* The leader sends min(our match, its commit), which our log is known to hold; the cap
     * only protects against a confused sender. */
    uint64_t c = m->commit;
    uint64_t last = raft__log_last_index(&r->log);
    if (c > last) c = last;
    raft__log_commit_to(&r->log, c);
    raft_msg resp = {.type = RAFT_MSG_HEARTBEAT_RESP, .to = m->from,
                     .lease_tick = m->lease_tick, .read_seq = m->read_seq};
    raft__send(r, &resp);
}

void raft__handle_snapshot(raft *r, const raft_msg *m)
{
    const raft_snapshot_meta *meta = &m->snapshot.meta;
    raft_msg resp = {.type = RAFT_MSG_APP_RESP, .to = m->from, .lease_tick = m->lease_tick};
    if (meta->index == 0 || meta->conf.n_voters == 0) return; /* malformed */
    if (meta->index <= r->log.committed) {
        resp.index = r->log.committed;
        send_ack(r, &resp);
        return;
    }
    if (raft__log_match_term(&r->log, meta->index, meta->term) && !r->log.has_snap) {
        /* We have the entries already: just learn that they are committed. */
        raft__log_commit_to(&r->log, meta->index);
        resp.index = raft__log_last_index(&r->log);
        send_ack(r, &resp);
        return;
    }
    log_info("raft %llu: installing snapshot %llu/%llu", (unsigned long long)r->id,
             (unsigned long long)meta->term, (unsigned long long)meta->index);
    raft__log_restore(&r->log, &m->snapshot);
    raft__apply_conf_state(r, &meta->conf);
    resp.index = meta->index;
    raft__send_after_persist(r, &resp); /* the snapshot must be durable before the ack */
}
