/*
 * log.c - the raft log as the library sees it: the driver's storage (durable, read-only
 * here), followed by the unstable tail (appended but not yet persisted by the driver), or
 * replaced by a received snapshot that is not yet persisted.
 *
 * Entries move from unstable to stable when raft_advance() reports the Ready that carried
 * them as persisted (stable_to checks the term, since a newer leader may have overwritten
 * them meanwhile). Storage may still hold an old tail beyond `offset` after a truncation;
 * reads at or beyond `offset` always come from the unstable part, never from storage.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "raft/raft_int.h"

mice_status raft__log_init(raft__log *l, raft_storage st, uint32_t canaries)
{
    memset(l, 0, sizeof *l);
    l->st = st;
    l->canaries = canaries;
    uint64_t first = st.ops->first_index(st.ctx);
    uint64_t last = st.ops->last_index(st.ctx);
    if (first == 0 || last + 1 < first) return MICE_CORRUPT;
    l->offset = last + 1;
    l->handed = last;
    l->committed = first - 1;
    l->applied = first - 1;
    return MICE_OK;
}

void raft__log_deinit(raft__log *l)
{
    raft_entries_free(l->ents, l->n_ents);
    l->ents = NULL;
    l->n_ents = 0;
    raft_snapshot_deinit(&l->snap);
}

uint64_t raft__log_first_index(const raft__log *l)
{
    if (l->has_snap) return l->snap.meta.index + 1;
    return l->st.ops->first_index(l->st.ctx);
}

uint64_t raft__log_last_index(const raft__log *l)
{
    if (l->n_ents) return l->offset + l->n_ents - 1;
    if (l->has_snap) return l->snap.meta.index;
    return l->offset - 1;
}

mice_status raft__log_term(const raft__log *l, uint64_t i, uint64_t *term_out)
{
    *term_out = 0;
    if (i >= l->offset && i < l->offset + l->n_ents) {
        *term_out = l->ents[i - l->offset].term;
        return MICE_OK;
    }
    if (i > raft__log_last_index(l)) return MICE_RANGE;
    if (l->has_snap) {
        if (i != l->snap.meta.index) return MICE_NOTFOUND;
        *term_out = l->snap.meta.term;
        return MICE_OK;
    }
    return l->st.ops->term(l->st.ctx, i, term_out);
}

uint64_t raft__log_last_term(const raft__log *l)
{
    uint64_t t = 0;
    mice_status rc = raft__log_term(l, raft__log_last_index(l), &t);
    mice_assert(rc == MICE_OK);
    return t;
}

bool raft__log_match_term(const raft__log *l, uint64_t i, uint64_t term)
{
    uint64_t t = 0;
    return raft__log_term(l, i, &t) == MICE_OK && t == term;
}

bool raft__log_up_to_date(const raft__log *l, uint64_t last_index, uint64_t last_term)
{
    uint64_t my_term = raft__log_last_term(l);
    return last_term > my_term || (last_term == my_term && last_index >= raft__log_last_index(l));
}

mice_status raft__log_entries(const raft__log *l, uint64_t lo, uint64_t hi, size_t max_bytes,
                              raft_entry **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (lo < raft__log_first_index(l)) return MICE_NOTFOUND;
    if (hi > raft__log_last_index(l) + 1 || lo > hi) return MICE_RANGE;
    if (lo == hi) return MICE_OK;
    raft_entry *v = NULL;
    size_t n = 0, bytes = 0;
    if (lo < l->offset) {
        uint64_t shi = hi < l->offset ? hi : l->offset;
        mice_status rc = l->st.ops->entries(l->st.ctx, lo, shi, max_bytes, &v, &n);
        if (rc) return rc;
        for (size_t i = 0; i < n; i++) bytes += raft_entry_size(&v[i]);
        if (n < shi - lo || shi == hi) {
            *out = v;
            *n_out = n;
            return MICE_OK;
        }
    }
    uint64_t ulo = lo > l->offset ? lo : l->offset;
    v = mice_realloc(v, (n + (size_t)(hi - ulo)) * sizeof *v);
    for (uint64_t i = ulo; i < hi; i++) {
        const raft_entry *e = &l->ents[i - l->offset];
        bytes += raft_entry_size(e);
        if (n > 0 && bytes > max_bytes) break;
        raft_entry_copy(&v[n++], e);
    }
    *out = v;
    *n_out = n;
    return MICE_OK;
}

static void reserve_ents(raft__log *l, size_t extra)
{
    if (l->n_ents + extra <= l->cap_ents) return;
    size_t cap = l->cap_ents ? l->cap_ents : 64;
    while (cap < l->n_ents + extra) cap *= 2;
    l->ents = mice_realloc(l->ents, cap * sizeof *l->ents);
    l->cap_ents = cap;
}

static void truncate_unstable(raft__log *l, size_t keep)
{
    for (size_t i = keep; i < l->n_ents; i++) raft_entry_deinit(&l->ents[i]);
    l->n_ents = keep;
}

void raft__log_append(raft__log *l, const raft_entry *ents, size_t n)
{
    if (n == 0) return;
    uint64_t first = ents[0].index;
    mice_assert(first > l->committed);
    mice_assert(first <= raft__log_last_index(l) + 1);
    if (first <= l->offset) {
        /* Replaces the whole unstable tail and part of storage's tail. */
        truncate_unstable(l, 0);
        l->offset = first;
    } else {
        truncate_unstable(l, (size_t)(first - l->offset));
    }
    if (l->handed >= first) l->handed = first - 1;
    reserve_ents(l, n);
    for (size_t i = 0; i < n; i++) {
        mice_assert(ents[i].index == first + i);
        raft_entry_copy(&l->ents[l->n_ents++], &ents[i]);
    }
}

bool raft__log_maybe_append(raft__log *l, uint64_t index, uint64_t log_term, uint64_t commit,
                            const raft_entry *ents, size_t n, uint64_t *last_new, bool *bad)
{
    *bad = false;
    if (!raft__log_match_term(l, index, log_term)) return false;
    for (size_t i = 0; i < n; i++) {
        if (ents[i].index != index + 1 + i) {
            *bad = true; /* not contiguous: malformed message */
            return false;
        }
    }
    *last_new = index + n;
    size_t k = 0;
    while (k < n && raft__log_match_term(l, ents[k].index, ents[k].term)) k++;
    if (k < n) {
        if (ents[k].index <= l->committed) {
            log_error("raft: append conflicts with committed entry %llu",
                      (unsigned long long)ents[k].index);
            *bad = true;
            return false;
        }
        raft__log_append(l, ents + k, n - k);
    }
    uint64_t c = commit < *last_new ? commit : *last_new;
    raft__log_commit_to(l, c);
    return true;
}

void raft__log_commit_to(raft__log *l, uint64_t i)
{
    if (i <= l->committed) return;
    mice_assert(i <= raft__log_last_index(l));
    l->committed = i;
}

uint64_t raft__log_find_conflict_by_term(const raft__log *l, uint64_t i, uint64_t term)
{
    uint64_t last = raft__log_last_index(l);
    if (i > last) i = last;
    for (;;) {
        uint64_t t = 0;
        if (raft__log_term(l, i, &t) != MICE_OK) return i; /* compacted: stop here */
        if (t <= term || i == 0) return i;
        i--;
    }
}

void raft__log_restore(raft__log *l, const raft_snapshot *s)
{
    truncate_unstable(l, 0);
    raft_snapshot_deinit(&l->snap);
    raft_snapshot_copy(&l->snap, s);
    l->has_snap = true;
    l->snap_handed = false;
    l->offset = s->meta.index + 1;
    l->handed = s->meta.index;
    l->committed = s->meta.index;
}

uint64_t raft__log_persisted_index(const raft__log *l)
{
    /* CANARY RAFT_CANARY_APPLY_BEFORE_PERSIST: in-memory entries count as durable. */
    if (l->canaries & RAFT_CANARY_APPLY_BEFORE_PERSIST) return raft__log_last_index(l);
    if (l->has_snap) return l->applied; /* nothing new is durable until the snapshot is */
    return l->offset - 1;
}

void raft__log_stable_to(raft__log *l, uint64_t i, uint64_t term)
{
    if (l->has_snap || i < l->offset || i >= l->offset + l->n_ents) return;
    if (l->ents[i - l->offset].term != term) return; /* overwritten since; not durable */
    size_t drop = (size_t)(i + 1 - l->offset);
    for (size_t k = 0; k < drop; k++) raft_entry_deinit(&l->ents[k]);
    memmove(l->ents, l->ents + drop, (l->n_ents - drop) * sizeof *l->ents);
    l->n_ents -= drop;
    l->offset = i + 1;
}

void raft__log_stable_snap_to(raft__log *l, uint64_t i)
{
    if (!l->has_snap || l->snap.meta.index != i) return;
    raft_snapshot_deinit(&l->snap);
    l->has_snap = false;
}

bool raft__log_has_unhanded(const raft__log *l)
{
    return l->n_ents > 0 && l->handed < l->offset + l->n_ents - 1;
}

bool raft__log_has_next_committed(const raft__log *l)
{
    uint64_t hi = l->committed;
    uint64_t p = raft__log_persisted_index(l);
    if (p < hi) hi = p;
    return hi > l->applied;
}

size_t raft__log_uncommitted_count(const raft__log *l)
{
    uint64_t last = raft__log_last_index(l);
    return last > l->committed ? (size_t)(last - l->committed) : 0;
}
