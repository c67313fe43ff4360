/*
 * progress.c - what the leader knows about each follower, and quorum arithmetic.
 *
 * PROBE: the leader does not know where the follower's log matches; it sends one append
 * and waits for the answer (or the next heartbeat response) before sending another.
 * REPLICATE: the log matches up to `match`; appends are pipelined optimistically (next is
 * advanced on send) while the inflight window has room. SNAPSHOT: a snapshot is on its way;
 * nothing else is sent until the follower acknowledges an index >= pending_snapshot or the
 * attempt times out.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "raft/raft_int.h"

void raft__progress_reset(raft__progress *p, uint64_t id, uint64_t next, uint32_t window)
{
    mice_assert(window >= 1);
    mice_assert(window <= RAFT_INFLIGHT_MAX);
    memset(p, 0, sizeof *p);
    p->id = id;
    p->next = next;
    p->state = RAFT_PROGRESS_PROBE;
    p->inflights.size = window;
}

static void reset_state(raft__progress *p, raft_progress_state s)
{
    p->probe_sent = false;
    p->pending_snapshot = 0;
    p->snapshot_ticks = 0;
    p->state = s;
    p->inflights.start = 0;
    p->inflights.count = 0;
}

void raft__progress_become_probe(raft__progress *p)
{
    if (p->state == RAFT_PROGRESS_SNAPSHOT) {
        /* Resume after the snapshot, if it got there; otherwise probing finds out. */
        uint64_t after = p->pending_snapshot + 1;
        reset_state(p, RAFT_PROGRESS_PROBE);
        p->next = p->match + 1 > after ? p->match + 1 : after;
        return;
    }
    reset_state(p, RAFT_PROGRESS_PROBE);
    p->next = p->match + 1;
}

void raft__progress_become_replicate(raft__progress *p)
{
    reset_state(p, RAFT_PROGRESS_REPLICATE);
    p->next = p->match + 1;
}

void raft__progress_become_snapshot(raft__progress *p, uint64_t snap_index)
{
    reset_state(p, RAFT_PROGRESS_SNAPSHOT);
    p->pending_snapshot = snap_index;
}

bool raft__progress_maybe_update(raft__progress *p, uint64_t n)
{
    bool updated = false;
    if (p->match < n) {
        p->match = n;
        updated = true;
        p->probe_sent = false;
    }
    if (p->next < n + 1) p->next = n + 1;
    return updated;
}

/* A rejection of the append whose previous index was `rejected`; match_hint is the
 * leader's guess of the follower's last matching index (from the follower's hint). */
bool raft__progress_maybe_decr_to(raft__progress *p, uint64_t rejected, uint64_t match_hint)
{
    if (p->state == RAFT_PROGRESS_REPLICATE) {
        if (rejected <= p->match) return false; /* stale */
        p->next = p->match + 1;
        return true;
    }
    if (p->next == 0 || p->next - 1 != rejected) return false; /* stale */
    uint64_t n = rejected < match_hint + 1 ? rejected : match_hint + 1;
    if (n < p->match + 1) n = p->match + 1;
    if (n < 1) n = 1;
    p->next = n;
    p->probe_sent = false;
    return true;
}

bool raft__progress_is_paused(const raft__progress *p)
{
    switch (p->state) {
    case RAFT_PROGRESS_PROBE: return p->probe_sent;
    case RAFT_PROGRESS_REPLICATE: return raft__inflights_full(&p->inflights);
    case RAFT_PROGRESS_SNAPSHOT: return true;
    }
    return true;
}

void raft__progress_sent(raft__progress *p, uint64_t last_index, size_t n_entries)
{
    if (p->state == RAFT_PROGRESS_REPLICATE) {
        if (n_entries) {
            p->next = last_index + 1;
            raft__inflights_add(&p->inflights, last_index);
        }
    } else if (p->state == RAFT_PROGRESS_PROBE) {
        p->probe_sent = true;
    }
}

bool raft__inflights_full(const raft__inflights *in)
{
    return in->count >= in->size;
}

void raft__inflights_add(raft__inflights *in, uint64_t last_index)
{
    mice_assert(!raft__inflights_full(in));
    in->last_index[(in->start + in->count) % in->size] = last_index;
    in->count++;
}

void raft__inflights_free_to(raft__inflights *in, uint64_t index)
{
    while (in->count > 0 && in->last_index[in->start] <= index) {
        in->start = (in->start + 1) % in->size;
        in->count--;
    }
}

void raft__inflights_free_first(raft__inflights *in)
{
    if (in->count == 0) return;
    in->start = (in->start + 1) % in->size;
    in->count--;
}

/* ---- quorum ---- */

static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static uint64_t majority_value(const uint64_t *ids, uint32_t n, raft__value_fn fn,
                               const void *ctx)
{
    if (n == 0) return UINT64_MAX;
    uint64_t v[RAFT_NODES_MAX];
    for (uint32_t i = 0; i < n; i++) v[i] = fn(ctx, ids[i]);
    qsort(v, n, sizeof v[0], cmp_desc);
    return v[n / 2]; /* the (n/2+1)-th largest: reached by a majority */
}

uint64_t raft__quorum_value(const raft_conf_state *cs, raft__value_fn fn, const void *ctx)
{
    uint64_t a = majority_value(cs->voters, cs->n_voters, fn, ctx);
    uint64_t b = majority_value(cs->voters_outgoing, cs->n_voters_outgoing, fn, ctx);
    return a < b ? a : b;
}

static raft__vote_result majority_votes(const uint64_t *ids, uint32_t n, raft__value_fn fn,
                                        const void *ctx)
{
    if (n == 0) return RAFT__VOTE_WON;
    uint32_t granted = 0, rejected = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t v = fn(ctx, ids[i]);
        granted += v == RAFT__VOTE_GRANTED;
        rejected += v == RAFT__VOTE_REJECTED;
    }
    uint32_t q = n / 2 + 1;
    if (granted >= q) return RAFT__VOTE_WON;
    if (n - rejected < q) return RAFT__VOTE_LOST;
    return RAFT__VOTE_PENDING;
}

raft__vote_result raft__quorum_votes(const raft_conf_state *cs, raft__value_fn fn,
                                     const void *ctx)
{
    raft__vote_result a = majority_votes(cs->voters, cs->n_voters, fn, ctx);
    raft__vote_result b = majority_votes(cs->voters_outgoing, cs->n_voters_outgoing, fn, ctx);
    if (a == RAFT__VOTE_LOST || b == RAFT__VOTE_LOST) return RAFT__VOTE_LOST;
    if (a == RAFT__VOTE_WON && b == RAFT__VOTE_WON) return RAFT__VOTE_WON;
    return RAFT__VOTE_PENDING;
}
