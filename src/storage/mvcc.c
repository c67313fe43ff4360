/*
 * mvcc.c - versions over the engine. See mvcc.h for the layout and the GC rule.
 */
#include "storage/mvcc.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/keyenc.h"

enum {
    /* Older versions of a key a forward scan steps over with next() before it gives up
     * and seeks past them: most keys have few versions, and next() is cheaper. */
    MVCC_SCAN_NEXT_MAX = 4,
};

/* The byte after KEYENC_BYTES: an upper bound above every encoded user key. */
static const uint8_t user_keys_end[1] = {KEYENC_BYTES + 1};

/* --- layout ------------------------------------------------------------------------- */

static void put_prefix(mice_buf *b, mice_slice key)
{
    keyenc_put_bytes(b, key, KEYENC_ASC);
}

void mvcc_span_bounds(mice_slice start, mice_slice end, mice_buf *lower, mice_buf *upper)
{
    put_prefix(lower, start);
    if (end.n)
        put_prefix(upper, end);
    else
        buf_append(upper, user_keys_end, sizeof user_keys_end);
}

static void put_inverted_ts(mice_buf *b, hlc_ts ts)
{
    uint8_t *t = buf_extend(b, MVCC_TS_BYTES);
    hlc_ts_encode(ts, t);
    for (int i = 0; i < MVCC_TS_BYTES; i++)
        t[i] = (uint8_t)~t[i];
}

static hlc_ts get_inverted_ts(const uint8_t *p)
{
    uint8_t t[MVCC_TS_BYTES];
    for (int i = 0; i < MVCC_TS_BYTES; i++)
        t[i] = (uint8_t)~p[i];
    return hlc_ts_decode(t);
}

void mvcc_encode_key(mice_buf *out, mice_slice key, hlc_ts ts)
{
    put_prefix(out, key);
    put_inverted_ts(out, ts);
}

mice_status mvcc_decode_key(mice_slice raw, mice_buf *key_out, hlc_ts *ts)
{
    if (raw.n <= MVCC_TS_BYTES) return MICE_CORRUPT;
    mice_slice prefix = mice_slice_of(raw.p, raw.n - MVCC_TS_BYTES);
    size_t before = key_out->n;
    mice_status rc = keyenc_get_bytes(&prefix, KEYENC_ASC, key_out, NULL);
    if (!rc && prefix.n != 0) rc = MICE_CORRUPT; /* bytes between key and timestamp */
    if (rc) {
        buf_truncate(key_out, before);
        return MICE_CORRUPT;
    }
    *ts = get_inverted_ts(raw.p + raw.n - MVCC_TS_BYTES);
    return MICE_OK;
}

mice_status mvcc_decode_value(mice_slice raw, mvcc_meta *meta, mice_slice *value)
{
    if (raw.n < 1) return MICE_CORRUPT;
    uint8_t hdr = raw.p[0];
    if (hdr & ~(MVCC_HDR_TOMBSTONE | MVCC_HDR_EXPIRY)) return MICE_CORRUPT;
    size_t off = 1;
    meta->tombstone = hdr & MVCC_HDR_TOMBSTONE;
    meta->has_expiry = hdr & MVCC_HDR_EXPIRY;
    meta->expiry_wall_ns = 0;
    if (meta->has_expiry) {
        if (raw.n < off + MVCC_EXPIRY_BYTES) return MICE_CORRUPT;
        meta->expiry_wall_ns = mice_load_be64(raw.p + off);
        off += MVCC_EXPIRY_BYTES;
    }
    if (meta->tombstone && raw.n != off) return MICE_CORRUPT;
    *value = mice_slice_of(raw.p + off, raw.n - off);
    return MICE_OK;
}

/* --- writes ------------------------------------------------------------------------- */

static mice_status put_version(engine_batch *b, mice_slice key, hlc_ts ts, uint8_t hdr,
                               uint64_t expiry_wall_ns, mice_slice value)
{
    hlc_ts horizon = engine_gc_horizon(engine_batch_engine(b));
    if (!hlc_ts_is_zero(horizon) && hlc_ts_cmp(ts, horizon) <= 0) return MICE_TS_TOO_OLD;
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    mvcc_encode_key(&k, key, ts);
    buf_reserve(&v, 1 + MVCC_EXPIRY_BYTES + value.n);
    buf_append_u8(&v, hdr);
    if (hdr & MVCC_HDR_EXPIRY) buf_append_be64(&v, expiry_wall_ns);
    buf_append_slice(&v, value);
    engine_batch_put(b, STORE_CF_DATA, buf_slice(&k), buf_slice(&v));
    buf_deinit(&k);
    buf_deinit(&v);
    return MICE_OK;
}

mice_status mvcc_put(engine_batch *b, mice_slice key, hlc_ts ts, mice_slice value)
{
    return put_version(b, key, ts, 0, 0, value);
}

mice_status mvcc_put_with_expiry(engine_batch *b, mice_slice key, hlc_ts ts, mice_slice value,
                                 uint64_t expiry_wall_ns)
{
    return put_version(b, key, ts, MVCC_HDR_EXPIRY, expiry_wall_ns, value);
}

mice_status mvcc_delete(engine_batch *b, mice_slice key, hlc_ts ts)
{
    return put_version(b, key, ts, MVCC_HDR_TOMBSTONE, 0, mice_slice_of(NULL, 0));
}

/* --- point reads -------------------------------------------------------------------- */

struct mvcc_reader {
    engine *e;
    engine_iter *it;
    mice_buf target; /* scratch: the key being sought */
};

static mice_status check_read_ts(engine *e, hlc_ts ts, mice_err *err)
{
    hlc_ts horizon = engine_gc_horizon(e);
    if (hlc_ts_less(ts, horizon)) {
        char a[HLC_TS_FORMAT_BYTES], b[HLC_TS_FORMAT_BYTES];
        hlc_ts_format(ts, a, sizeof a);
        hlc_ts_format(horizon, b, sizeof b);
        return mice_err_setf(err, MICE_TS_TOO_OLD, "mvcc: read at %s below GC horizon %s", a, b);
    }
    return MICE_OK;
}

/* The iterator is positioned by a seek to target; is it on a version of the key whose
 * prefix is the first prefix_n bytes of target? Then decode it into meta / value. */
static mice_status read_version_here(engine_iter *it, const mice_buf *target, size_t prefix_n,
                                     bool *hit, mvcc_meta *meta, mice_slice *value, mice_err *err)
{
    *hit = false;
    if (!engine_iter_valid(it)) return engine_iter_status(it, err);
    mice_slice k = engine_iter_key(it);
    if (k.n != prefix_n + MVCC_TS_BYTES || memcmp(k.p, target->p, prefix_n) != 0) return MICE_OK;
    if (mvcc_decode_value(engine_iter_value(it), meta, value))
        return mice_err_setf(err, MICE_CORRUPT, "mvcc: malformed version value");
    meta->ts = get_inverted_ts(k.p + prefix_n);
    *hit = true;
    return MICE_OK;
}

static mice_status get_at(engine_iter *it, mice_buf *target, mice_slice key, hlc_ts ts,
                          mice_buf *value, bool *found, mvcc_meta *meta, mice_err *err)
{
    *found = false;
    if (meta) memset(meta, 0, sizeof *meta);
    buf_reset(target);
    put_prefix(target, key);
    size_t prefix_n = target->n;
    put_inverted_ts(target, ts);
    engine_iter_seek(it, buf_slice(target));
    bool hit;
    mvcc_meta m;
    mice_slice v;
    mice_status rc = read_version_here(it, target, prefix_n, &hit, &m, &v, err);
    if (rc || !hit) return rc;
    if (meta) *meta = m;
    if (!m.tombstone) {
        buf_reset(value);
        buf_append_slice(value, v);
        *found = true;
    }
    return MICE_OK;
}

static mice_status point_iter(engine *e, const engine_snapshot *snap, engine_iter **it,
                              mice_err *err)
{
    engine_iter_opts o = {.cf = STORE_CF_DATA, .snap = snap, .prefix_only = true};
    return engine_iter_create(e, &o, it, err);
}

mice_status mvcc_get(engine *e, const engine_snapshot *snap, mice_slice key, hlc_ts ts,
                     mice_buf *value, bool *found, mvcc_meta *meta, mice_err *err)
{
    *found = false;
    mice_status rc = check_read_ts(e, ts, err);
    if (rc) return rc;
    engine_iter *it = NULL;
    rc = point_iter(e, snap, &it, err);
    if (rc) return rc;
    mice_buf target;
    buf_init(&target);
    rc = get_at(it, &target, key, ts, value, found, meta, err);
    buf_deinit(&target);
    engine_iter_destroy(it);
    return rc;
}

mice_status mvcc_newest(engine *e, const engine_snapshot *snap, mice_slice key, bool *exists,
                        mvcc_meta *meta, mice_err *err)
{
    *exists = false;
    memset(meta, 0, sizeof *meta);
    engine_iter *it = NULL;
    mice_status rc = point_iter(e, snap, &it, err);
    if (rc) return rc;
    mice_buf target;
    buf_init(&target);
    put_prefix(&target, key);
    size_t prefix_n = target.n;
    /* The greatest timestamp inverts to the smallest suffix: land on the newest version. */
    put_inverted_ts(&target, HLC_TS_MAX);
    engine_iter_seek(it, buf_slice(&target));
    mice_slice v;
    rc = read_version_here(it, &target, prefix_n, exists, meta, &v, err);
    buf_deinit(&target);
    engine_iter_destroy(it);
    return rc;
}

mice_status mvcc_reader_create(engine *e, const engine_snapshot *snap, mvcc_reader **out,
                               mice_err *err)
{
    *out = NULL;
    mvcc_reader *r = mice_calloc(1, sizeof *r);
    r->e = e;
    buf_init(&r->target);
    mice_status rc = point_iter(e, snap, &r->it, err);
    if (rc) {
        mvcc_reader_destroy(r);
        return rc;
    }
    *out = r;
    return MICE_OK;
}

void mvcc_reader_destroy(mvcc_reader *r)
{
    if (!r) return;
    engine_iter_destroy(r->it);
    buf_deinit(&r->target);
    free(r);
}

mice_status mvcc_reader_get(mvcc_reader *r, mice_slice key, hlc_ts ts, mice_buf *value, bool *found,
                            mvcc_meta *meta, mice_err *err)
{
    *found = false;
    mice_status rc = check_read_ts(r->e, ts, err);
    if (rc) return rc;
    return get_at(r->it, &r->target, key, ts, value, found, meta, err);
}

/* --- scans -------------------------------------------------------------------------- */

typedef struct scan_state {
    const mvcc_scan_opts *o;
    engine_iter *it;
    bool valid;      /* the iterator's position, cached after every move: */
    mice_slice key;  /* borrowed from the iterator until it next moves */
    mice_buf prefix; /* the current user key's encoded prefix */
    mice_buf target; /* scratch seek key */
    mice_buf user_key;
    mice_buf value; /* reverse scans: the visible value, copied before moving on */
    size_t rows;
    mvcc_scan_fn on_row;
    void *ctx;
} scan_state;

typedef enum scan_move { SCAN_FIRST, SCAN_LAST, SCAN_NEXT, SCAN_PREV } scan_move;

static void scan_sync(scan_state *s)
{
    s->valid = engine_iter_valid(s->it);
    if (s->valid) s->key = engine_iter_key(s->it);
}

static void scan_step(scan_state *s, scan_move m)
{
    switch (m) {
    case SCAN_FIRST:
        engine_iter_first(s->it);
        break;
    case SCAN_LAST:
        engine_iter_last(s->it);
        break;
    case SCAN_NEXT:
        engine_iter_next(s->it);
        break;
    case SCAN_PREV:
        engine_iter_prev(s->it);
        break;
    }
    scan_sync(s);
}

/* Seek to the current prefix + ~ts: forward to the newest version <= ts, or with
 * for_prev to the last key before it. */
static void scan_seek(scan_state *s, hlc_ts ts, bool for_prev)
{
    buf_reset(&s->target);
    buf_append(&s->target, s->prefix.p, s->prefix.n);
    put_inverted_ts(&s->target, ts);
    if (for_prev)
        engine_iter_seek_for_prev(s->it, buf_slice(&s->target));
    else
        engine_iter_seek(s->it, buf_slice(&s->target));
    scan_sync(s);
}

/* Remember the prefix of the version under the iterator. */
static mice_status scan_take_prefix(scan_state *s, mice_err *err)
{
    if (s->key.n <= MVCC_TS_BYTES) return mice_err_setf(err, MICE_CORRUPT, "mvcc: short data key");
    buf_reset(&s->prefix);
    buf_append(&s->prefix, s->key.p, s->key.n - MVCC_TS_BYTES);
    return MICE_OK;
}

static bool scan_on_prefix(const scan_state *s)
{
    return s->valid && s->key.n == s->prefix.n + MVCC_TS_BYTES &&
           memcmp(s->key.p, s->prefix.p, s->prefix.n) == 0;
}

/* The timestamp of the version under the iterator (which is on the current prefix). */
static hlc_ts scan_ts(const scan_state *s)
{
    return get_inverted_ts(s->key.p + s->prefix.n);
}

/* Decode the version under the iterator; value is borrowed from the iterator. */
static mice_status scan_version(const scan_state *s, mvcc_meta *meta, mice_slice *value,
                                mice_err *err)
{
    if (mvcc_decode_value(engine_iter_value(s->it), meta, value))
        return mice_err_setf(err, MICE_CORRUPT, "mvcc: malformed version value");
    meta->ts = scan_ts(s);
    return MICE_OK;
}

/* Hand a found version of the current key to the callback unless it is a tombstone. */
static mice_status scan_emit(scan_state *s, const mvcc_meta *meta, mice_slice value, mice_err *err)
{
    if (meta->tombstone) return MICE_OK;
    buf_reset(&s->user_key);
    mice_slice p = buf_slice(&s->prefix);
    if (keyenc_get_bytes(&p, KEYENC_ASC, &s->user_key, NULL) || p.n)
        return mice_err_setf(err, MICE_CORRUPT, "mvcc: malformed data key");
    s->rows++;
    return s->on_row(s->ctx, buf_slice(&s->user_key), value, meta);
}

/* Forward: the iterator is on the current key's newest version. Move to the newest
 * version at or below the read ts (a few next() steps are cheaper than a seek), emit it,
 * then move past the key's older versions the same way. */
static mice_status scan_key_forward(scan_state *s, mice_err *err)
{
    for (int i = 0; scan_on_prefix(s) && hlc_ts_cmp(scan_ts(s), s->o->ts) > 0; i++) {
        if (i == MVCC_SCAN_NEXT_MAX) {
            scan_seek(s, s->o->ts, false);
            break;
        }
        scan_step(s, SCAN_NEXT);
    }
    if (!scan_on_prefix(s)) return MICE_OK; /* every version is newer than the read ts */
    mvcc_meta meta;
    mice_slice v;
    mice_status rc = scan_version(s, &meta, &v, err);
    if (!rc) rc = scan_emit(s, &meta, v, err);
    if (rc) return rc;
    for (int i = 0; i < MVCC_SCAN_NEXT_MAX && scan_on_prefix(s); i++)
        scan_step(s, SCAN_NEXT);
    if (scan_on_prefix(s)) {
        scan_seek(s, HLC_TS_ZERO, false); /* the oldest possible version */
        if (scan_on_prefix(s)) scan_step(s, SCAN_NEXT);
    }
    return MICE_OK;
}

/* Reverse: the iterator is on the current key's oldest version. Walk towards newer
 * versions while they are at or below the read ts, keeping a copy of the last one (the
 * visible version), then step past the key's remaining versions and emit the copy. */
static mice_status scan_key_backward(scan_state *s, mice_err *err)
{
    bool have = false;
    mvcc_meta meta;
    for (; scan_on_prefix(s) && hlc_ts_cmp(scan_ts(s), s->o->ts) <= 0; scan_step(s, SCAN_PREV)) {
        mice_slice v;
        mice_status rc = scan_version(s, &meta, &v, err);
        if (rc) return rc;
        buf_reset(&s->value);
        buf_append_slice(&s->value, v);
        have = true;
    }
    for (int i = 0; i < MVCC_SCAN_NEXT_MAX && scan_on_prefix(s); i++)
        scan_step(s, SCAN_PREV);
    /* The newest possible version sorts first among the key's versions: the last key
     * before it is the oldest version of the previous user key. */
    if (scan_on_prefix(s)) scan_seek(s, HLC_TS_MAX, true);
    if (scan_on_prefix(s)) scan_step(s, SCAN_PREV); /* a version at exactly HLC_TS_MAX */
    return have ? scan_emit(s, &meta, buf_slice(&s->value), err) : MICE_OK;
}

static bool scan_more(const scan_state *s)
{
    return s->valid && (s->o->limit == 0 || s->rows < s->o->limit);
}

static mice_status scan_run(scan_state *s, mice_err *err)
{
    mice_status rc = MICE_OK;
    scan_step(s, s->o->reverse ? SCAN_LAST : SCAN_FIRST);
    while (!rc && scan_more(s)) {
        rc = scan_take_prefix(s, err);
        if (!rc) rc = s->o->reverse ? scan_key_backward(s, err) : scan_key_forward(s, err);
    }
    return rc;
}

mice_status mvcc_scan(engine *e, const mvcc_scan_opts *o, mvcc_scan_fn on_row, void *ctx,
                      mice_err *err)
{
    mice_status rc = check_read_ts(e, o->ts, err);
    if (rc) return rc;
    scan_state s = {.o = o, .on_row = on_row, .ctx = ctx};
    buf_init(&s.prefix);
    buf_init(&s.target);
    buf_init(&s.user_key);
    buf_init(&s.value);
    mice_buf lower, upper;
    buf_init(&lower);
    buf_init(&upper);
    mvcc_span_bounds(o->start, o->end, &lower, &upper);
    if (mice_slice_cmp(buf_slice(&lower), buf_slice(&upper)) >= 0) goto done;
    engine_iter_opts io = {.cf = STORE_CF_DATA,
                           .lower = buf_slice(&lower),
                           .upper = buf_slice(&upper),
                           .snap = o->snap};
    rc = engine_iter_create(e, &io, &s.it, err);
    if (rc) goto done;
    rc = scan_run(&s, err);
    if (!rc && !engine_iter_valid(s.it)) rc = engine_iter_status(s.it, err);
done:
    engine_iter_destroy(s.it);
    buf_deinit(&lower);
    buf_deinit(&upper);
    buf_deinit(&s.prefix);
    buf_deinit(&s.target);
    buf_deinit(&s.user_key);
    buf_deinit(&s.value);
    return rc;
}

/* --- GC ----------------------------------------------------------------------------- */

void mvcc_set_gc_horizon(engine *e, hlc_ts horizon)
{
    engine_set_gc_horizon(e, horizon);
}

hlc_ts mvcc_gc_horizon(const engine *e)
{
    return engine_gc_horizon(e);
}

/* One compaction's view: the horizon when it started and the key it is walking. */
typedef struct gc_state {
    hlc_ts horizon;
    bool full_compaction;
    bool have_prefix;
    bool seen_at_or_below_horizon; /* a newer version of prefix with ts <= horizon */
    mice_buf prefix;
} gc_state;

static void *gc_begin(engine *e, bool full_compaction)
{
    gc_state *g = mice_calloc(1, sizeof *g);
    g->horizon = engine_gc_horizon(e);
    g->full_compaction = full_compaction;
    buf_init(&g->prefix);
    return g;
}

static bool gc_drop(void *state, mice_slice key, mice_slice value)
{
    gc_state *g = state;
    if (hlc_ts_is_zero(g->horizon)) return false;
    if (key.n <= MVCC_TS_BYTES || key.p[0] != KEYENC_BYTES) return false; /* not ours */
    mice_slice prefix = mice_slice_of(key.p, key.n - MVCC_TS_BYTES);
    if (!g->have_prefix || !mice_slice_eq(prefix, buf_slice(&g->prefix))) {
        buf_reset(&g->prefix);
        buf_append_slice(&g->prefix, prefix);
        g->have_prefix = true;
        g->seen_at_or_below_horizon = false;
    }
    /* Keys arrive in order, so versions of one key arrive newest first. */
    if (g->seen_at_or_below_horizon) return true;
    hlc_ts ts = get_inverted_ts(key.p + prefix.n);
    if (hlc_ts_cmp(ts, g->horizon) > 0) return false;
    g->seen_at_or_below_horizon = true;
    /* The newest version <= horizon stays, so reads at >= horizon see it; a tombstone
     * there may go only when nothing older can survive elsewhere. */
    mvcc_meta meta;
    mice_slice v;
    if (mvcc_decode_value(value, &meta, &v)) return false;
    return meta.tombstone && g->full_compaction;
}

static void gc_end(void *state)
{
    gc_state *g = state;
    buf_deinit(&g->prefix);
    free(g);
}

void mvcc_config_init(engine_config *cfg, const char *dir)
{
    engine_config_init(cfg, dir);
    cfg->data_prefix_trim_bytes = MVCC_TS_BYTES;
    cfg->data_filter = (engine_filter){
        .name = "mice.mvcc_gc.v1", .begin = gc_begin, .drop = gc_drop, .end = gc_end};
}
