/* One range's durable Raft state over STORE_CF_RAFT (see raftlog.h).
 *
 * The module keeps two views of the state: `cur`, what is committed to the engine and
 * what every read answers, and `next`, what the batch being built will make true. Staging
 * starts from cur (or from next when something is already staged) and commit copies next
 * into cur, so a turn of the raft thread can stage a snapshot, entries, a hard state and
 * an applied index into one batch and the Raft library still reads only durable state. */
#include "kv/raftlog.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/varint.h"

enum {
    RL_SUFFIX_ENTRY = 'e',
    RL_SUFFIX_HARD_STATE = 'h',
    RL_SUFFIX_APPLIED = 'a',
    RL_SUFFIX_CONF = 'c',
    RL_SUFFIX_TRUNCATED = 't',
    RL_CONF_V1 = 1,
};

typedef struct rl_view {
    uint64_t trunc_index, trunc_term; /* last index removed from the log, and its term */
    uint64_t last, last_term;         /* last entry (== trunc_* when the log is empty) */
    uint64_t applied;
    raft_hard_state hs;
    raft_conf_state cs;
} rl_view;

struct raftlog {
    engine *e;
    uint64_t range_id;
    rl_view cur, next;
    bool staged;
    raftlog_snapshot_fn snapshot_fn;
    void *snapshot_ctx;
    mice_buf key; /* scratch */
};

/* --- keys ----------------------------------------------------------------------------------- */

static void range_prefix(mice_buf *out, uint64_t range_id)
{
    buf_append_u8(out, RAFTLOG_KEY_RANGE);
    buf_append_be64(out, range_id);
}

static void record_key(mice_buf *out, uint64_t range_id, uint8_t suffix)
{
    buf_reset(out);
    range_prefix(out, range_id);
    buf_append_u8(out, suffix);
}

static void entry_key(mice_buf *out, uint64_t range_id, uint64_t index)
{
    record_key(out, range_id, RL_SUFFIX_ENTRY);
    buf_append_be64(out, index);
}

void raftlog_desc_key(mice_buf *out, uint64_t range_id)
{
    buf_reset(out);
    buf_append_u8(out, RAFTLOG_KEY_DESC);
    buf_append_be64(out, range_id);
}

void raftlog_snap_pending_key(mice_buf *out, uint64_t range_id)
{
    buf_reset(out);
    buf_append_u8(out, RAFTLOG_KEY_SNAP_PENDING);
    buf_append_be64(out, range_id);
}

void raftlog_tombstone_key(mice_buf *out, uint64_t range_id)
{
    buf_reset(out);
    buf_append_u8(out, RAFTLOG_KEY_TOMBSTONE);
    buf_append_be64(out, range_id);
}

void raftlog_range_span(uint64_t range_id, mice_buf *lower, mice_buf *upper)
{
    buf_reset(lower);
    buf_reset(upper);
    range_prefix(lower, range_id);
    buf_append_u8(upper, RAFTLOG_KEY_RANGE);
    if (range_id == UINT64_MAX)
        buf_append_u8(upper, 0xFF); /* past every be64 */
    else
        buf_append_be64(upper, range_id + 1);
}

/* --- encodings ------------------------------------------------------------------------------ */

static mice_status get_u64(mice_slice *in, uint64_t *v)
{
    return varint_get_u64(in, v) ? MICE_CORRUPT : MICE_OK;
}

static void encode_two(mice_buf *out, uint64_t a, uint64_t b)
{
    buf_reset(out);
    varint_put_u64(out, a);
    varint_put_u64(out, b);
}

static void encode_hard_state(mice_buf *out, const raft_hard_state *hs)
{
    buf_reset(out);
    varint_put_u64(out, hs->term);
    varint_put_u64(out, hs->vote);
    varint_put_u64(out, hs->commit);
}

static mice_status decode_hard_state(mice_slice in, raft_hard_state *hs)
{
    if (get_u64(&in, &hs->term) || get_u64(&in, &hs->vote) || get_u64(&in, &hs->commit))
        return MICE_CORRUPT;
    return in.n ? MICE_CORRUPT : MICE_OK;
}

static void put_ids(mice_buf *out, const uint64_t *ids, uint32_t n)
{
    varint_put_u64(out, n);
    for (uint32_t i = 0; i < n; i++)
        varint_put_u64(out, ids[i]);
}

static mice_status get_ids(mice_slice *in, uint64_t *ids, uint32_t *n)
{
    uint64_t count = 0;
    if (get_u64(in, &count) || count > RAFT_NODES_MAX) return MICE_CORRUPT;
    for (uint64_t i = 0; i < count; i++)
        if (get_u64(in, &ids[i])) return MICE_CORRUPT;
    *n = (uint32_t)count;
    return MICE_OK;
}

void raftlog_encode_conf_state(mice_buf *out, const raft_conf_state *cs)
{
    buf_append_u8(out, RL_CONF_V1);
    put_ids(out, cs->voters, cs->n_voters);
    put_ids(out, cs->voters_outgoing, cs->n_voters_outgoing);
    put_ids(out, cs->learners, cs->n_learners);
    buf_append_u8(out, cs->auto_leave ? 1 : 0);
}

mice_status raftlog_decode_conf_state(mice_slice *in, raft_conf_state *cs)
{
    memset(cs, 0, sizeof *cs);
    if (in->n < 1 || in->p[0] != RL_CONF_V1) return MICE_CORRUPT;
    in->p++;
    in->n--;
    if (get_ids(in, cs->voters, &cs->n_voters) ||
        get_ids(in, cs->voters_outgoing, &cs->n_voters_outgoing) ||
        get_ids(in, cs->learners, &cs->n_learners))
        return MICE_CORRUPT;
    if (in->n < 1 || in->p[0] > 1) return MICE_CORRUPT;
    cs->auto_leave = in->p[0] == 1;
    in->p++;
    in->n--;
    return MICE_OK;
}

static void encode_entry(mice_buf *out, const raft_entry *e)
{
    buf_reset(out);
    varint_put_u64(out, e->term);
    buf_append_u8(out, (uint8_t)e->type);
    buf_append(out, e->data, e->len);
}

/* Decode into e (index given); data is copied. */
static mice_status decode_entry(mice_slice in, uint64_t index, raft_entry *e)
{
    memset(e, 0, sizeof *e);
    if (get_u64(&in, &e->term) || in.n < 1) return MICE_CORRUPT;
    if (in.p[0] != RAFT_ENTRY_NORMAL && in.p[0] != RAFT_ENTRY_CONF_CHANGE) return MICE_CORRUPT;
    e->type = (raft_entry_type)in.p[0];
    e->index = index;
    e->len = in.n - 1;
    if (e->len) {
        e->data = mice_malloc(e->len);
        memcpy(e->data, in.p + 1, e->len);
    }
    return MICE_OK;
}

/* --- loading -------------------------------------------------------------------------------- */

static mice_status get_record(raftlog *l, uint8_t suffix, mice_buf *val, bool *found, mice_err *err)
{
    record_key(&l->key, l->range_id, suffix);
    return engine_get(l->e, STORE_CF_RAFT, NULL, buf_slice(&l->key), val, found, err);
}

static mice_status load_last_entry(raftlog *l, mice_err *err)
{
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    entry_key(&lo, l->range_id, 0);
    record_key(&hi, l->range_id, RL_SUFFIX_ENTRY + 1);
    engine_iter_opts o = {.cf = STORE_CF_RAFT, .lower = buf_slice(&lo), .upper = buf_slice(&hi)};
    engine_iter *it = NULL;
    mice_status rc = engine_iter_create(l->e, &o, &it, err);
    if (rc) goto done;
    engine_iter_last(it);
    rl_view *v = &l->cur;
    v->last = v->trunc_index;
    v->last_term = v->trunc_term;
    if (engine_iter_valid(it)) {
        mice_slice k = engine_iter_key(it);
        raft_entry e;
        if (k.n != lo.n) {
            rc = mice_err_setf(err, MICE_CORRUPT, "raftlog: r%llu: bad entry key",
                               (unsigned long long)l->range_id);
            goto done;
        }
        uint64_t index = mice_load_be64(k.p + k.n - 8);
        rc = decode_entry(engine_iter_value(it), index, &e);
        if (rc) {
            mice_err_setf(err, rc, "raftlog: r%llu: bad entry %llu",
                          (unsigned long long)l->range_id, (unsigned long long)index);
            goto done;
        }
        if (index > v->trunc_index) {
            v->last = index;
            v->last_term = e.term;
        }
        raft_entry_deinit(&e);
    } else {
        rc = engine_iter_status(it, err);
    }
done:
    engine_iter_destroy(it);
    buf_deinit(&lo);
    buf_deinit(&hi);
    return rc;
}

static mice_status load_view(raftlog *l, mice_err *err)
{
    rl_view *v = &l->cur;
    mice_buf val;
    buf_init(&val);
    bool found = false;
    mice_status rc = get_record(l, RL_SUFFIX_TRUNCATED, &val, &found, err);
    if (rc) goto done;
    if (!found) {
        rc = mice_err_setf(err, MICE_NOTFOUND, "raftlog: r%llu: no state",
                           (unsigned long long)l->range_id);
        goto done;
    }
    mice_slice in = buf_slice(&val);
    if (get_u64(&in, &v->trunc_index) || get_u64(&in, &v->trunc_term) || in.n) goto corrupt;
    rc = get_record(l, RL_SUFFIX_HARD_STATE, &val, &found, err);
    if (rc) goto done;
    if (!found || decode_hard_state(buf_slice(&val), &v->hs)) goto corrupt;
    rc = get_record(l, RL_SUFFIX_APPLIED, &val, &found, err);
    if (rc) goto done;
    in = buf_slice(&val);
    if (!found || get_u64(&in, &v->applied) || in.n) goto corrupt;
    rc = get_record(l, RL_SUFFIX_CONF, &val, &found, err);
    if (rc) goto done;
    in = buf_slice(&val);
    if (!found || raftlog_decode_conf_state(&in, &v->cs) || in.n) goto corrupt;
    rc = load_last_entry(l, err);
    if (rc) goto done;
    if (v->applied < v->trunc_index || v->applied > v->hs.commit || v->hs.commit > v->last)
        goto corrupt;
    goto done;
corrupt:
    rc = mice_err_setf(err, MICE_CORRUPT, "raftlog: r%llu: malformed or inconsistent state",
                       (unsigned long long)l->range_id);
done:
    buf_deinit(&val);
    return rc;
}

mice_status raftlog_open(engine *e, uint64_t range_id, raftlog **out, mice_err *err)
{
    *out = NULL;
    raftlog *l = mice_calloc(1, sizeof *l);
    l->e = e;
    l->range_id = range_id;
    buf_init(&l->key);
    mice_status rc = load_view(l, err);
    if (rc) {
        raftlog_destroy(l);
        return rc;
    }
    l->next = l->cur;
    *out = l;
    return MICE_OK;
}

void raftlog_destroy(raftlog *l)
{
    if (!l) return;
    buf_deinit(&l->key);
    free(l);
}

static void write_state(engine_batch *b, uint64_t range_id, uint64_t index, uint64_t term,
                        const raft_conf_state *cs, const raft_hard_state *hs)
{
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    record_key(&k, range_id, RL_SUFFIX_TRUNCATED);
    encode_two(&v, index, term);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    record_key(&k, range_id, RL_SUFFIX_HARD_STATE);
    encode_hard_state(&v, hs);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    record_key(&k, range_id, RL_SUFFIX_APPLIED);
    buf_reset(&v);
    varint_put_u64(&v, index);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    record_key(&k, range_id, RL_SUFFIX_CONF);
    buf_reset(&v);
    raftlog_encode_conf_state(&v, cs);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    buf_deinit(&k);
    buf_deinit(&v);
}

void raftlog_write_initial(engine_batch *b, uint64_t range_id, const raft_conf_state *cs,
                           const raft_hard_state *hs)
{
    raft_hard_state fresh = {
        .term = RAFTLOG_INIT_TERM, .vote = RAFT_NONE, .commit = RAFTLOG_INIT_INDEX};
    mice_assert(!hs || hs->commit >= RAFTLOG_INIT_INDEX);
    write_state(b, range_id, RAFTLOG_INIT_INDEX, RAFTLOG_INIT_TERM, cs, hs ? hs : &fresh);
}

void raftlog_write_empty(engine_batch *b, uint64_t range_id)
{
    raft_conf_state none = {0};
    raft_hard_state zero = {0};
    write_state(b, range_id, 0, 0, &none, &zero);
}

/* --- reads ---------------------------------------------------------------------------------- */

uint64_t raftlog_range_id(const raftlog *l)
{
    return l->range_id;
}
uint64_t raftlog_first_index(const raftlog *l)
{
    return l->cur.trunc_index + 1;
}
uint64_t raftlog_last_index(const raftlog *l)
{
    return l->cur.last;
}
uint64_t raftlog_applied(const raftlog *l)
{
    return l->cur.applied;
}
uint64_t raftlog_truncated_index(const raftlog *l)
{
    return l->cur.trunc_index;
}
void raftlog_hard_state(const raftlog *l, raft_hard_state *hs)
{
    *hs = l->cur.hs;
}
void raftlog_conf_state(const raftlog *l, raft_conf_state *cs)
{
    *cs = l->cur.cs;
}

/* Term of i in view v, reading the engine for entries in the middle. */
static mice_status view_term(raftlog *l, const rl_view *v, uint64_t i, uint64_t *term_out)
{
    *term_out = 0;
    if (i < v->trunc_index) return MICE_NOTFOUND;
    if (i > v->last) return MICE_RANGE;
    if (i == v->trunc_index) {
        *term_out = v->trunc_term;
        return MICE_OK;
    }
    if (i == v->last) {
        *term_out = v->last_term;
        return MICE_OK;
    }
    mice_buf val;
    buf_init(&val);
    bool found = false;
    entry_key(&l->key, l->range_id, i);
    mice_status rc = engine_get(l->e, STORE_CF_RAFT, NULL, buf_slice(&l->key), &val, &found, NULL);
    if (!rc && !found) rc = MICE_CORRUPT; /* a hole inside the log */
    if (!rc) {
        mice_slice in = buf_slice(&val);
        rc = get_u64(&in, term_out);
    }
    buf_deinit(&val);
    return rc;
}

mice_status raftlog_term(raftlog *l, uint64_t i, uint64_t *term_out)
{
    return view_term(l, &l->cur, i, term_out);
}

static mice_status read_entries(raftlog *l, uint64_t lo, uint64_t hi, size_t max_bytes,
                                raft_entry **out, size_t *n_out)
{
    mice_buf lower, upper;
    buf_init(&lower);
    buf_init(&upper);
    entry_key(&lower, l->range_id, lo);
    entry_key(&upper, l->range_id, hi);
    engine_iter_opts o = {
        .cf = STORE_CF_RAFT, .lower = buf_slice(&lower), .upper = buf_slice(&upper)};
    engine_iter *it = NULL;
    raft_entry *v = mice_malloc((size_t)(hi - lo) * sizeof *v);
    size_t n = 0, bytes = 0;
    mice_status rc = engine_iter_create(l->e, &o, &it, NULL);
    if (rc) goto done;
    for (engine_iter_first(it); engine_iter_valid(it) && n < hi - lo; engine_iter_next(it)) {
        mice_slice k = engine_iter_key(it);
        uint64_t index = k.n == lower.n ? mice_load_be64(k.p + k.n - 8) : 0;
        if (index != lo + n) {
            rc = MICE_CORRUPT; /* a hole inside the log */
            break;
        }
        raft_entry e;
        rc = decode_entry(engine_iter_value(it), index, &e);
        if (rc) break;
        bytes += raft_entry_size(&e);
        if (n > 0 && bytes > max_bytes) {
            raft_entry_deinit(&e);
            break;
        }
        v[n++] = e;
    }
    if (!rc && !engine_iter_valid(it)) rc = engine_iter_status(it, NULL);
    if (!rc && n == 0) rc = MICE_CORRUPT;
done:
    engine_iter_destroy(it);
    buf_deinit(&lower);
    buf_deinit(&upper);
    if (rc) {
        raft_entries_free(v, n);
        return rc;
    }
    *out = v;
    *n_out = n;
    return MICE_OK;
}

/* --- raft_storage ops ----------------------------------------------------------------------- */

static mice_status op_initial_state(void *ctx, raft_hard_state *hs, raft_conf_state *cs)
{
    raftlog *l = ctx;
    *hs = l->cur.hs;
    *cs = l->cur.cs;
    return MICE_OK;
}

static mice_status op_entries(void *ctx, uint64_t lo, uint64_t hi, size_t max_bytes,
                              raft_entry **out, size_t *n_out)
{
    raftlog *l = ctx;
    *out = NULL;
    *n_out = 0;
    if (lo <= l->cur.trunc_index) return MICE_NOTFOUND;
    if (hi > l->cur.last + 1 || lo > hi) return MICE_RANGE;
    if (lo == hi) return MICE_OK;
    return read_entries(l, lo, hi, max_bytes, out, n_out);
}

static mice_status op_term(void *ctx, uint64_t i, uint64_t *term_out)
{
    return raftlog_term(ctx, i, term_out);
}

static uint64_t op_first_index(void *ctx)
{
    return raftlog_first_index(ctx);
}

static uint64_t op_last_index(void *ctx)
{
    return raftlog_last_index(ctx);
}

static mice_status op_snapshot(void *ctx, raft_snapshot *out)
{
    raftlog *l = ctx;
    memset(out, 0, sizeof *out);
    if (!l->snapshot_fn) return MICE_AGAIN;
    return l->snapshot_fn(l->snapshot_ctx, out);
}

static const raft_storage_ops raftlog_ops = {
    .initial_state = op_initial_state,
    .entries = op_entries,
    .term = op_term,
    .first_index = op_first_index,
    .last_index = op_last_index,
    .snapshot = op_snapshot,
};

raft_storage raftlog_storage(raftlog *l)
{
    return (raft_storage){&raftlog_ops, l};
}

void raftlog_set_snapshot_fn(raftlog *l, raftlog_snapshot_fn fn, void *ctx)
{
    l->snapshot_fn = fn;
    l->snapshot_ctx = ctx;
}

/* --- staged writes -------------------------------------------------------------------------- */

static rl_view *staging(raftlog *l)
{
    if (!l->staged) {
        l->next = l->cur;
        l->staged = true;
    }
    return &l->next;
}

static void delete_entries(raftlog *l, engine_batch *b, uint64_t lo, uint64_t hi_exclusive)
{
    if (lo >= hi_exclusive) return;
    mice_buf lower, upper;
    buf_init(&lower);
    buf_init(&upper);
    entry_key(&lower, l->range_id, lo);
    entry_key(&upper, l->range_id, hi_exclusive);
    engine_batch_delete_range(b, STORE_CF_RAFT, buf_slice(&lower), buf_slice(&upper));
    buf_deinit(&lower);
    buf_deinit(&upper);
}

mice_status raftlog_stage_append(raftlog *l, engine_batch *b, const raft_entry *ents, size_t n)
{
    if (n == 0) return MICE_OK;
    rl_view *v = staging(l);
    uint64_t first = ents[0].index;
    for (size_t i = 1; i < n; i++)
        if (ents[i].index != first + i) return MICE_INVALID;
    if (first <= v->trunc_index) return MICE_NOTFOUND;
    if (first > v->last + 1) return MICE_INVALID;
    mice_buf val;
    buf_init(&val);
    for (size_t i = 0; i < n; i++) {
        entry_key(&l->key, l->range_id, ents[i].index);
        encode_entry(&val, &ents[i]);
        engine_batch_put(b, STORE_CF_RAFT, buf_slice(&l->key), buf_slice(&val));
    }
    buf_deinit(&val);
    uint64_t new_last = first + n - 1;
    delete_entries(l, b, new_last + 1, v->last + 1); /* the old, conflicting tail */
    v->last = new_last;
    v->last_term = ents[n - 1].term;
    return MICE_OK;
}

void raftlog_stage_hard_state(raftlog *l, engine_batch *b, const raft_hard_state *hs)
{
    rl_view *v = staging(l);
    mice_buf val;
    buf_init(&val);
    record_key(&l->key, l->range_id, RL_SUFFIX_HARD_STATE);
    encode_hard_state(&val, hs);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&l->key), buf_slice(&val));
    buf_deinit(&val);
    v->hs = *hs;
}

void raftlog_stage_applied(raftlog *l, engine_batch *b, uint64_t applied)
{
    rl_view *v = staging(l);
    mice_buf val;
    buf_init(&val);
    record_key(&l->key, l->range_id, RL_SUFFIX_APPLIED);
    varint_put_u64(&val, applied);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&l->key), buf_slice(&val));
    buf_deinit(&val);
    v->applied = applied;
}

void raftlog_stage_conf_state(raftlog *l, engine_batch *b, const raft_conf_state *cs)
{
    rl_view *v = staging(l);
    mice_buf val;
    buf_init(&val);
    record_key(&l->key, l->range_id, RL_SUFFIX_CONF);
    raftlog_encode_conf_state(&val, cs);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&l->key), buf_slice(&val));
    buf_deinit(&val);
    v->cs = *cs;
}

static void stage_truncated(raftlog *l, engine_batch *b, uint64_t index, uint64_t term)
{
    rl_view *v = staging(l);
    mice_buf val;
    buf_init(&val);
    record_key(&l->key, l->range_id, RL_SUFFIX_TRUNCATED);
    encode_two(&val, index, term);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&l->key), buf_slice(&val));
    buf_deinit(&val);
    v->trunc_index = index;
    v->trunc_term = term;
}

mice_status raftlog_stage_truncate(raftlog *l, engine_batch *b, uint64_t index)
{
    rl_view *v = staging(l);
    if (index <= v->trunc_index) return MICE_NOTFOUND;
    if (index > v->applied || index > v->last) return MICE_INVALID;
    uint64_t term = 0;
    /* Entries up to applied were persisted by earlier batches: readable from the engine,
     * unless this very batch replaced the log (then index is the snapshot's, known). */
    mice_status rc = view_term(l, v, index, &term);
    if (rc) return rc;
    delete_entries(l, b, v->trunc_index + 1, index + 1);
    stage_truncated(l, b, index, term);
    return MICE_OK;
}

void raftlog_stage_snapshot(raftlog *l, engine_batch *b, const raft_snapshot_meta *meta)
{
    rl_view *v = staging(l);
    delete_entries(l, b, 0, UINT64_MAX);
    stage_truncated(l, b, meta->index, meta->term);
    v->last = meta->index;
    v->last_term = meta->term;
    raft_hard_state hs = v->hs;
    if (hs.commit < meta->index) hs.commit = meta->index;
    if (hs.term < meta->term) hs.term = meta->term;
    raftlog_stage_hard_state(l, b, &hs);
    raftlog_stage_applied(l, b, meta->index);
    raftlog_stage_conf_state(l, b, &meta->conf);
}

void raftlog_commit_staged(raftlog *l)
{
    if (!l->staged) return;
    l->cur = l->next;
    l->staged = false;
    mice_assert(l->cur.trunc_index <= l->cur.applied);
    mice_assert(l->cur.applied <= l->cur.hs.commit);
    mice_assert(l->cur.hs.commit <= l->cur.last);
}

void raftlog_abort_staged(raftlog *l)
{
    l->staged = false;
    l->next = l->cur;
}
