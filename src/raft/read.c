/*
 * read.c - linearizable reads without writing to the log: ReadIndex and leader leases.
 *
 * ReadIndex (Raft thesis 6.4): the leader records its commit index as the read index, then
 * proves it is still the leader by a heartbeat round that a quorum acknowledges; a read
 * served once applied >= read index is then linearizable. Rounds are numbered (read_seq):
 * a request recorded when read_seq became s is confirmed once a quorum has echoed a
 * heartbeat carrying a sequence >= s, since such a heartbeat was sent after the request.
 * A new leader first needs an entry of its own term committed, or its commit index could
 * be behind entries the previous leader committed; requests wait for that (seq 0). All
 * requests made between two Readys share one heartbeat round, sent when the Ready is taken.
 *
 * Leases: every heartbeat/append carries the leader's tick and acknowledgements echo it.
 * The newest tick a quorum has echoed is a time at which a quorum had heard from us; each
 * of them refuses votes for election_ticks of its own clock afterwards (check_quorum's
 * stickiness), so no other leader can exist before that tick + election_ticks, minus the
 * drift by which a follower's clock may run ahead of ours.
 */
#include <string.h>

#include "base/check.h"
#include "raft/raft_int.h"

bool raft__committed_in_term(const raft *r)
{
    uint64_t t = 0;
    return raft__log_term(&r->log, r->log.committed, &t) == MICE_OK && t == r->term;
}

void raft__add_read_state(raft *r, uint64_t index, const uint8_t *ctx, uint32_t n)
{
    if (r->n_read_states >= RAFT_READ_STATES_MAX) return; /* dropped: the client retries */
    if (r->n_read_states == r->cap_read_states) {
        r->cap_read_states = r->cap_read_states ? r->cap_read_states * 2 : 8;
        r->read_states = mice_realloc(r->read_states, r->cap_read_states * sizeof *r->read_states);
    }
    raft_read_state *rs = &r->read_states[r->n_read_states++];
    rs->index = index;
    rs->context_len = n;
    if (n) memcpy(rs->context, ctx, n);
}

static void answer(raft *r, const raft__pending_read *pr)
{
    if (pr->from == r->id) {
        raft__add_read_state(r, pr->index, pr->context, pr->context_len);
        return;
    }
    raft_msg m = {.type = RAFT_MSG_READ_INDEX_RESP, .to = pr->from, .index = pr->index,
                  .context_len = pr->context_len};
    memcpy(m.context, pr->context, pr->context_len);
    raft__send(r, &m);
}

static bool single_voter(const raft *r)
{
    return r->conf.n_voters == 1 && r->conf.voters[0] == r->id &&
           r->conf.n_voters_outgoing == 0;
}

mice_status raft__leader_read_index(raft *r, uint64_t from, const uint8_t *ctx, uint32_t n)
{
    mice_assert(r->role == RAFT_LEADER);
    if (n > RAFT_CONTEXT_MAX) return MICE_INVALID;
    raft__pending_read pr = {.from = from, .index = r->log.committed, .context_len = n};
    if (n) memcpy(pr.context, ctx, n);
    bool ready = raft__committed_in_term(r);
    /* CANARY RAFT_CANARY_READ_INDEX_NO_QUORUM: answer at once, as if still leader. */
    if (ready && (single_voter(r) || (r->cfg.canaries & RAFT_CANARY_READ_INDEX_NO_QUORUM))) {
        answer(r, &pr);
        return MICE_OK;
    }
    if (r->n_reads >= RAFT_READS_PENDING_MAX) return MICE_LIMIT;
    if (ready) pr.seq = ++r->read_seq;
    r->reads[(r->reads_start + r->n_reads) % RAFT_READS_PENDING_MAX] = pr;
    r->n_reads++;
    if (ready) r->heartbeat_pending = true; /* one round for all reads until the next Ready */
    return MICE_OK;
}

static uint64_t read_acked_of(const void *ctx, uint64_t id)
{
    const raft *r = ctx;
    if (id == r->id) return r->read_seq;
    raft__progress *p = raft__progress_of((raft *)r, id);
    return p ? p->read_acked_seq : 0;
}

void raft__reads_on_heartbeat_resp(raft *r)
{
    if (r->n_reads == 0) return;
    uint64_t confirmed = raft__quorum_value(&r->conf, read_acked_of, r);
    while (r->n_reads > 0) {
        raft__pending_read *pr = &r->reads[r->reads_start];
        if (pr->seq == 0 || pr->seq > confirmed) break;
        answer(r, pr);
        r->reads_start = (r->reads_start + 1) % RAFT_READS_PENDING_MAX;
        r->n_reads--;
    }
}

void raft__reads_on_commit_in_term(raft *r)
{
    if (r->n_reads == 0) return;
    r->read_seq++;
    for (size_t i = 0; i < r->n_reads; i++) {
        raft__pending_read *pr = &r->reads[(r->reads_start + i) % RAFT_READS_PENDING_MAX];
        if (pr->seq != 0) continue;
        pr->seq = r->read_seq;
        pr->index = r->log.committed;
    }
    if (single_voter(r) || (r->cfg.canaries & RAFT_CANARY_READ_INDEX_NO_QUORUM)) {
        while (r->n_reads > 0) {
            answer(r, &r->reads[r->reads_start]);
            r->reads_start = (r->reads_start + 1) % RAFT_READS_PENDING_MAX;
            r->n_reads--;
        }
        return;
    }
    r->heartbeat_pending = true;
}

void raft__reads_clear(raft *r)
{
    r->n_reads = 0;
    r->reads_start = 0;
}

static uint64_t lease_acked_of(const void *ctx, uint64_t id)
{
    const raft *r = ctx;
    if (id == r->id) return r->tick;
    raft__progress *p = raft__progress_of((raft *)r, id);
    return p ? p->lease_acked_tick : 0;
}

uint64_t raft__lease_expiry(const raft *r)
{
    if (r->role != RAFT_LEADER || !r->cfg.check_quorum || r->lead_transferee != RAFT_NONE ||
        r->lease_void_in_term)
        return 0;
    uint64_t t = raft__quorum_value(&r->conf, lease_acked_of, r);
    if (t == 0 || t == UINT64_MAX) return 0;
    return t + raft__effective_lease_ticks(r);
}

bool raft_lease_read_ok(const raft *r, uint64_t *read_index_out)
{
    if (read_index_out) *read_index_out = 0;
    if (!raft__committed_in_term(r)) return false;
    if (r->tick >= raft__lease_expiry(r)) return false;
    if (read_index_out) *read_index_out = r->log.committed;
    return true;
}
