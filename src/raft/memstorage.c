/*
 * memstorage.c - raft_storage kept in memory, for tests and the simulator.
 *
 * It models the durable state of one replica: a snapshot, a contiguous run of entries after
 * `base_index` (the last compacted index, whose term `base_term` stays known), the hard
 * state and the config. Whatever the driver saved here survives a simulated crash.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "raft/raft.h"

struct raft_memstorage {
    raft_hard_state hs;
    raft_conf_state cs;
    raft_snapshot snap;
    uint64_t base_index; /* entries[0].index == base_index + 1 */
    uint64_t base_term;
    raft_entry *entries;
    size_t n_entries;
    size_t cap_entries;
};

static raft_memstorage *ms_of(void *ctx)
{
    return ctx;
}

static uint64_t ms_last(const raft_memstorage *ms)
{
    return ms->base_index + ms->n_entries;
}

static mice_status op_initial_state(void *ctx, raft_hard_state *hs, raft_conf_state *cs)
{
    raft_memstorage *ms = ms_of(ctx);
    *hs = ms->hs;
    *cs = ms->cs;
    return MICE_OK;
}

static mice_status op_entries(void *ctx, uint64_t lo, uint64_t hi, size_t max_bytes,
                              raft_entry **out, size_t *n_out)
{
    raft_memstorage *ms = ms_of(ctx);
    *out = NULL;
    *n_out = 0;
    if (lo <= ms->base_index) return MICE_NOTFOUND;
    if (hi > ms_last(ms) + 1 || lo > hi) return MICE_RANGE;
    if (lo == hi) return MICE_OK;
    raft_entry *v = mice_malloc((size_t)(hi - lo) * sizeof *v);
    size_t n = 0, bytes = 0;
    for (uint64_t i = lo; i < hi; i++) {
        const raft_entry *e = &ms->entries[i - ms->base_index - 1];
        bytes += raft_entry_size(e);
        if (n > 0 && bytes > max_bytes) break;
        raft_entry_copy(&v[n++], e);
    }
    *out = v;
    *n_out = n;
    return MICE_OK;
}

static mice_status op_term(void *ctx, uint64_t i, uint64_t *term_out)
{
    raft_memstorage *ms = ms_of(ctx);
    *term_out = 0;
    if (i < ms->base_index) return MICE_NOTFOUND;
    if (i > ms_last(ms)) return MICE_RANGE;
    *term_out = i == ms->base_index ? ms->base_term : ms->entries[i - ms->base_index - 1].term;
    return MICE_OK;
}

static uint64_t op_first_index(void *ctx)
{
    return ms_of(ctx)->base_index + 1;
}

static uint64_t op_last_index(void *ctx)
{
    return ms_last(ms_of(ctx));
}

static mice_status op_snapshot(void *ctx, raft_snapshot *out)
{
    raft_snapshot_copy(out, &ms_of(ctx)->snap);
    return MICE_OK;
}

static const raft_storage_ops memstorage_ops = {
    .initial_state = op_initial_state,
    .entries = op_entries,
    .term = op_term,
    .first_index = op_first_index,
    .last_index = op_last_index,
    .snapshot = op_snapshot,
};

raft_memstorage *raft_memstorage_create(void)
{
    return mice_calloc(1, sizeof(raft_memstorage));
}

static void drop_entries_from(raft_memstorage *ms, size_t pos)
{
    for (size_t i = pos; i < ms->n_entries; i++) raft_entry_deinit(&ms->entries[i]);
    ms->n_entries = pos;
}

void raft_memstorage_destroy(raft_memstorage *ms)
{
    if (!ms) return;
    drop_entries_from(ms, 0);
    free(ms->entries);
    raft_snapshot_deinit(&ms->snap);
    free(ms);
}

raft_storage raft_memstorage_storage(raft_memstorage *ms)
{
    return (raft_storage){&memstorage_ops, ms};
}

mice_status raft_memstorage_bootstrap(raft_memstorage *ms, const raft_conf_state *cs)
{
    if (ms->n_entries || ms->base_index || ms->hs.term) return MICE_INVALID;
    ms->snap.meta.index = 1;
    ms->snap.meta.term = 1;
    ms->snap.meta.conf = *cs;
    ms->base_index = 1;
    ms->base_term = 1;
    ms->cs = *cs;
    ms->hs = (raft_hard_state){.term = 1, .vote = RAFT_NONE, .commit = 1};
    return MICE_OK;
}

mice_status raft_memstorage_append(raft_memstorage *ms, const raft_entry *ents, size_t n)
{
    if (n == 0) return MICE_OK;
    uint64_t first = ents[0].index;
    for (size_t i = 1; i < n; i++)
        if (ents[i].index != first + i) return MICE_INVALID;
    if (first <= ms->base_index) return MICE_NOTFOUND;
    if (first > ms_last(ms) + 1) return MICE_INVALID;
    drop_entries_from(ms, (size_t)(first - ms->base_index - 1));
    if (ms->n_entries + n > ms->cap_entries) {
        size_t cap = ms->cap_entries ? ms->cap_entries : 64;
        while (cap < ms->n_entries + n) cap *= 2;
        ms->entries = mice_realloc(ms->entries, cap * sizeof *ms->entries);
        ms->cap_entries = cap;
    }
    for (size_t i = 0; i < n; i++) raft_entry_copy(&ms->entries[ms->n_entries++], &ents[i]);
    return MICE_OK;
}

void raft_memstorage_set_hard_state(raft_memstorage *ms, const raft_hard_state *hs)
{
    ms->hs = *hs;
}

void raft_memstorage_set_conf_state(raft_memstorage *ms, const raft_conf_state *cs)
{
    ms->cs = *cs;
}

mice_status raft_memstorage_apply_snapshot(raft_memstorage *ms, const raft_snapshot *s)
{
    if (s->meta.index <= ms->snap.meta.index) return MICE_CONFLICT;
    drop_entries_from(ms, 0);
    raft_snapshot_deinit(&ms->snap);
    raft_snapshot_copy(&ms->snap, s);
    ms->base_index = s->meta.index;
    ms->base_term = s->meta.term;
    ms->cs = s->meta.conf;
    if (ms->hs.commit < s->meta.index) ms->hs.commit = s->meta.index;
    if (ms->hs.term < s->meta.term) ms->hs.term = s->meta.term;
    return MICE_OK;
}

mice_status raft_memstorage_create_snapshot(raft_memstorage *ms, uint64_t index,
                                            const raft_conf_state *cs, mice_slice data)
{
    if (index <= ms->snap.meta.index) return MICE_CONFLICT;
    if (index > ms_last(ms)) return MICE_RANGE;
    uint64_t term = 0;
    mice_status rc = op_term(ms, index, &term);
    if (rc) return rc;
    raft_snapshot_deinit(&ms->snap);
    ms->snap.meta = (raft_snapshot_meta){.index = index, .term = term, .conf = *cs};
    ms->cs = *cs; /* a restart resumes from the snapshot (config.applied = 0) */
    ms->snap.len = data.n;
    ms->snap.data = NULL;
    if (data.n) {
        ms->snap.data = mice_malloc(data.n);
        memcpy(ms->snap.data, data.p, data.n);
    }
    return MICE_OK;
}

mice_status raft_memstorage_compact(raft_memstorage *ms, uint64_t index)
{
    if (index <= ms->base_index) return MICE_NOTFOUND;
    if (index > ms_last(ms)) return MICE_RANGE;
    if (index > ms->snap.meta.index) return MICE_INVALID;
    size_t drop = (size_t)(index - ms->base_index);
    uint64_t term = ms->entries[drop - 1].term;
    for (size_t i = 0; i < drop; i++) raft_entry_deinit(&ms->entries[i]);
    memmove(ms->entries, ms->entries + drop, (ms->n_entries - drop) * sizeof *ms->entries);
    ms->n_entries -= drop;
    ms->base_index = index;
    ms->base_term = term;
    return MICE_OK;
}

mice_status raft_memstorage_save_ready(raft_memstorage *ms, const raft_ready *rd)
{
    mice_status rc;
    if (rd->has_snapshot) {
        rc = raft_memstorage_apply_snapshot(ms, &rd->snapshot);
        if (rc) return rc;
    }
    rc = raft_memstorage_append(ms, rd->entries, rd->n_entries);
    if (rc) return rc;
    if (rd->hard_state_changed) ms->hs = rd->hard_state;
    return MICE_OK;
}

void raft_memstorage_hard_state(const raft_memstorage *ms, raft_hard_state *hs)
{
    *hs = ms->hs;
}

uint64_t raft_memstorage_first_index(const raft_memstorage *ms)
{
    return ms->base_index + 1;
}

uint64_t raft_memstorage_last_index(const raft_memstorage *ms)
{
    return ms_last(ms);
}

const raft_entry *raft_memstorage_entry(const raft_memstorage *ms, uint64_t index)
{
    if (index <= ms->base_index || index > ms_last(ms)) return NULL;
    return &ms->entries[index - ms->base_index - 1];
}

const raft_snapshot *raft_memstorage_snapshot(const raft_memstorage *ms)
{
    return &ms->snap;
}
