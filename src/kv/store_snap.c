/* Snapshots of a range: built as SST files from an engine snapshot, installed by clearing
 * the range's spans and ingesting them (see store.h).
 *
 * Snapshot data (a format on the wire): version byte, varint length + the range
 * descriptor, file count, then per file: the column family byte, varint length, the SST
 * bytes. Only the range's replicated data travels: MVCC versions (data CF), intents and
 * transaction records (locks CF). The Raft position comes in the snapshot's metadata.
 *
 * Installing is not one atomic write (an SST ingest cannot join a batch), so it is made
 * redoable: the files are written and synced first, then a MARKER naming them and the
 * snapshot is synced in STORE_CF_RAFT; then the old and new spans are cleared and the
 * files ingested (as copies, so the originals stay); finally the group-commit batch writes
 * the range's new Raft state and descriptor and deletes the marker. A restart that finds a
 * marker repeats clear + ingest + state (store__snapshot_redo), so a crash never leaves
 * new data under an old applied index. */
#include "kv/store_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/check.h"
#include "base/keyenc.h"
#include "base/log.h"
#include "base/varint.h"
#include "kv/intent.h"

enum {
    SNAP_DATA_V1 = 1,
    SNAP_MARKER_V1 = 1,
    SNAP_FILES = 2, /* data, locks */
    SNAP_READ_CHUNK_BYTES = 1 << 16,
};

static const engine_cf snap_cfs[SNAP_FILES] = {STORE_CF_DATA, STORE_CF_LOCKS};

/* --- spans ---------------------------------------------------------------------------------- */

void store__range_spans(const range_desc *d, store_span spans[STORE_SPANS])
{
    for (int i = 0; i < STORE_SPANS; i++) {
        buf_init(&spans[i].lower);
        buf_init(&spans[i].upper);
    }
    mice_slice start = buf_slice(&d->start), end = buf_slice(&d->end);
    /* MVCC versions: keyenc_put_bytes(key) + timestamp; every such key starts with
     * KEYENC_BYTES, so 0xFF is past all of them. */
    spans[0].cf = STORE_CF_DATA;
    keyenc_put_bytes(&spans[0].lower, start, KEYENC_ASC);
    if (end.n)
        keyenc_put_bytes(&spans[0].upper, end, KEYENC_ASC);
    else
        buf_append_u8(&spans[0].upper, 0xFF);
    /* Intents: 'I' + key. */
    spans[1].cf = STORE_CF_LOCKS;
    intent_key(&spans[1].lower, start);
    if (end.n)
        intent_key(&spans[1].upper, end);
    else
        buf_append_u8(&spans[1].upper, INTENT_KEY_PREFIX + 1);
    /* Transaction records: 'T' + keyenc(primary) + id, for primaries in the range. */
    spans[2].cf = STORE_CF_LOCKS;
    buf_append_u8(&spans[2].lower, TXN_RECORD_KEY_PREFIX);
    keyenc_put_bytes(&spans[2].lower, start, KEYENC_ASC);
    if (end.n) {
        buf_append_u8(&spans[2].upper, TXN_RECORD_KEY_PREFIX);
        keyenc_put_bytes(&spans[2].upper, end, KEYENC_ASC);
    } else {
        buf_append_u8(&spans[2].upper, TXN_RECORD_KEY_PREFIX + 1);
    }
}

void store__spans_deinit(store_span spans[STORE_SPANS])
{
    for (int i = 0; i < STORE_SPANS; i++) {
        buf_deinit(&spans[i].lower);
        buf_deinit(&spans[i].upper);
    }
}

/* --- files ---------------------------------------------------------------------------------- */

static mice_status read_file(const char *path, mice_buf *out, mice_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return mice_err_setf(err, MICE_IOERR, "store: cannot open %s", path);
    mice_status rc = MICE_OK;
    for (;;) {
        uint8_t *p = buf_extend(out, SNAP_READ_CHUNK_BYTES);
        size_t got = fread(p, 1, SNAP_READ_CHUNK_BYTES, f);
        buf_truncate(out, out->n - (SNAP_READ_CHUNK_BYTES - got));
        if (got < SNAP_READ_CHUNK_BYTES) {
            if (ferror(f)) rc = mice_err_setf(err, MICE_IOERR, "store: cannot read %s", path);
            break;
        }
    }
    fclose(f);
    return rc;
}

static mice_status write_file_synced(const char *path, mice_slice bytes, mice_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f) return mice_err_setf(err, MICE_IOERR, "store: cannot create %s", path);
    bool ok = fwrite(bytes.p, 1, bytes.n, f) == bytes.n && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    return ok ? MICE_OK : mice_err_setf(err, MICE_IOERR, "store: cannot write %s", path);
}

static void file_path(const store *s, mice_buf *out, const char *what, uint64_t range_id,
                      uint64_t index, engine_cf cf)
{
    buf_reset(out);
    buf_printf(out, "%s/%s-r%" PRIu64 "-i%" PRIu64 "-%s.sst", s->snap_dir, what, range_id, index,
               engine_cf_name(cf));
    buf_append_u8(out, 0);
}

/* --- building ------------------------------------------------------------------------------- */

/* Append one file record for cf: every key of the cf's spans on snap, as an SST. */
static mice_status build_file(store_range *r, const engine_snapshot *snap,
                              const store_span spans[STORE_SPANS], engine_cf cf, mice_buf *data,
                              mice_err *err)
{
    store *s = r->s;
    mice_buf path, sst;
    buf_init(&path);
    buf_init(&sst);
    file_path(s, &path, "build", r->range_id, 0, cf);
    const char *p = (const char *)path.p;
    engine_sst_writer *w = NULL;
    engine_iter *it = NULL;
    size_t keys = 0;
    mice_status rc = MICE_OK;
    for (int i = 0; i < STORE_SPANS && !rc; i++) {
        if (spans[i].cf != cf) continue;
        engine_iter_opts o = {.cf = cf,
                              .lower = buf_slice(&spans[i].lower),
                              .upper = buf_slice(&spans[i].upper),
                              .snap = snap,
                              .no_fill_cache = true};
        rc = engine_iter_create(s->e, &o, &it, err);
        if (rc) break;
        for (engine_iter_first(it); !rc && engine_iter_valid(it); engine_iter_next(it)) {
            if (!w) rc = engine_sst_writer_create(s->e, cf, p, &w, err);
            if (!rc) rc = engine_sst_writer_put(w, engine_iter_key(it), engine_iter_value(it), err);
            keys++;
        }
        if (!rc) rc = engine_iter_status(it, err);
        engine_iter_destroy(it);
        it = NULL;
    }
    if (!rc && w) rc = engine_sst_writer_finish(w, NULL, err);
    engine_sst_writer_destroy(w);
    if (!rc && keys) rc = read_file(p, &sst, err);
    if (w) unlink(p);
    if (!rc) {
        buf_append_u8(data, (uint8_t)cf);
        varint_put_u64(data, sst.n);
        buf_append_slice(data, buf_slice(&sst));
    }
    buf_deinit(&path);
    buf_deinit(&sst);
    return rc;
}

mice_status store__snapshot_build(void *ctx, raft_snapshot *out)
{
    store_range *r = ctx;
    store *s = r->s;
    memset(out, 0, sizeof *out);
    if (!rangedesc_is_initialized(&r->desc)) return MICE_AGAIN; /* nothing to send */
    if (r->snap_cache.meta.index && r->snap_cache.meta.index >= raftlog_truncated_index(r->log)) {
        raft_snapshot_copy(out, &r->snap_cache);
        return MICE_OK;
    }
    raft_snapshot_meta meta = {.index = raftlog_applied(r->log)};
    mice_status rc = raftlog_term(r->log, meta.index, &meta.term);
    if (rc) return rc;
    raftlog_conf_state(r->log, &meta.conf);
    mice_buf data;
    buf_init(&data);
    buf_append_u8(&data, SNAP_DATA_V1);
    mice_buf desc;
    buf_init(&desc);
    rangedesc_encode(&r->desc, &desc);
    varint_put_u64(&data, desc.n);
    buf_append_slice(&data, buf_slice(&desc));
    buf_deinit(&desc);
    buf_append_u8(&data, SNAP_FILES);
    store_span spans[STORE_SPANS];
    store__range_spans(&r->desc, spans);
    engine_snapshot *snap = engine_snapshot_create(s->e);
    mice_err err;
    for (int i = 0; i < SNAP_FILES && !rc; i++)
        rc = build_file(r, snap, spans, snap_cfs[i], &data, &err);
    engine_snapshot_release(snap);
    store__spans_deinit(spans);
    if (rc) {
        log_error("store: r%" PRIu64 ": building a snapshot failed: %s", r->range_id,
                  mice_err_msg(&err));
        buf_deinit(&data);
        return rc;
    }
    raft_snapshot_deinit(&r->snap_cache);
    r->snap_cache.meta = meta;
    r->snap_cache.data = buf_steal(&data, &r->snap_cache.len);
    r->snap_cache_tick = s->ticks;
    log_info("store: n%" PRIu64 " r%" PRIu64 ": snapshot at %" PRIu64 " built (%zu bytes)",
             s->cfg.node_id, r->range_id, meta.index, r->snap_cache.len);
    raft_snapshot_copy(out, &r->snap_cache);
    return MICE_OK;
}

/* --- installing ----------------------------------------------------------------------------- */

typedef struct snap_file {
    engine_cf cf;
    mice_slice bytes;
} snap_file;

static mice_status decode_data(mice_slice in, range_desc *desc, snap_file files[SNAP_FILES])
{
    uint64_t n = 0;
    if (in.n < 1 || in.p[0] != SNAP_DATA_V1) return MICE_CORRUPT;
    in.p++;
    in.n--;
    if (varint_get_u64(&in, &n) || n > in.n) return MICE_CORRUPT;
    mice_slice d = mice_slice_of(in.p, (size_t)n);
    if (rangedesc_decode(&d, desc) || d.n) return MICE_CORRUPT;
    in.p += n;
    in.n -= (size_t)n;
    if (in.n < 1 || in.p[0] != SNAP_FILES) return MICE_CORRUPT;
    in.p++;
    in.n--;
    for (int i = 0; i < SNAP_FILES; i++) {
        if (in.n < 1 || in.p[0] != snap_cfs[i]) return MICE_CORRUPT;
        in.p++;
        in.n--;
        if (varint_get_u64(&in, &n) || n > in.n) return MICE_CORRUPT;
        files[i] = (snap_file){.cf = snap_cfs[i], .bytes = mice_slice_of(in.p, (size_t)n)};
        in.p += n;
        in.n -= (size_t)n;
    }
    return in.n ? MICE_CORRUPT : MICE_OK;
}

static void encode_marker(mice_buf *out, const raft_snapshot_meta *meta, const range_desc *desc,
                          mice_buf paths[SNAP_FILES])
{
    buf_append_u8(out, SNAP_MARKER_V1);
    varint_put_u64(out, meta->index);
    varint_put_u64(out, meta->term);
    raftlog_encode_conf_state(out, &meta->conf);
    mice_buf d;
    buf_init(&d);
    rangedesc_encode(desc, &d);
    varint_put_u64(out, d.n);
    buf_append_slice(out, buf_slice(&d));
    buf_deinit(&d);
    for (int i = 0; i < SNAP_FILES; i++) {
        varint_put_u64(out, paths[i].n); /* 0: no file (an empty column family span) */
        buf_append_slice(out, buf_slice(&paths[i]));
    }
}

static mice_status decode_marker(mice_slice in, raft_snapshot_meta *meta, range_desc *desc,
                                 mice_buf paths[SNAP_FILES])
{
    uint64_t n = 0;
    if (in.n < 1 || in.p[0] != SNAP_MARKER_V1) return MICE_CORRUPT;
    in.p++;
    in.n--;
    if (varint_get_u64(&in, &meta->index) || varint_get_u64(&in, &meta->term) ||
        raftlog_decode_conf_state(&in, &meta->conf) || varint_get_u64(&in, &n) || n > in.n)
        return MICE_CORRUPT;
    mice_slice d = mice_slice_of(in.p, (size_t)n);
    if (rangedesc_decode(&d, desc) || d.n) return MICE_CORRUPT;
    in.p += n;
    in.n -= (size_t)n;
    for (int i = 0; i < SNAP_FILES; i++) {
        if (varint_get_u64(&in, &n) || n > in.n) return MICE_CORRUPT;
        buf_reset(&paths[i]);
        buf_append(&paths[i], in.p, (size_t)n);
        if (n && paths[i].p[n - 1] != 0) return MICE_CORRUPT; /* stored with the NUL */
        in.p += n;
        in.n -= (size_t)n;
    }
    return in.n ? MICE_CORRUPT : MICE_OK;
}

static void clear_spans(engine_batch *b, const range_desc *d)
{
    store_span spans[STORE_SPANS];
    store__range_spans(d, spans);
    for (int i = 0; i < STORE_SPANS; i++)
        engine_batch_delete_range(b, spans[i].cf, buf_slice(&spans[i].lower),
                                  buf_slice(&spans[i].upper));
    store__spans_deinit(spans);
}

/* Clear the old and the new span, then ingest the files (copies: the originals stay until
 * the marker is gone, so this can be repeated). */
static mice_status clear_and_ingest(engine *e, const range_desc *old_desc, const range_desc *desc,
                                    mice_buf paths[SNAP_FILES], mice_err *err)
{
    engine_batch *b = engine_batch_create(e);
    /* An uninitialised replica has no span (and must not clear everything). */
    if (old_desc && rangedesc_is_initialized(old_desc)) clear_spans(b, old_desc);
    clear_spans(b, desc);
    mice_status rc = engine_batch_commit(b, ENGINE_NOSYNC, err);
    for (int i = 0; i < SNAP_FILES && !rc; i++) {
        if (!paths[i].n) continue;
        const char *p = (const char *)paths[i].p;
        rc = engine_ingest(e, snap_cfs[i], &p, 1, false, err);
    }
    return rc;
}

/* The rest of an install, into b: the Raft state at the snapshot, the descriptor, the
 * marker's removal. */
static void stage_state(raftlog *l, engine_batch *b, const raft_snapshot_meta *meta,
                        const range_desc *desc)
{
    raftlog_stage_snapshot(l, b, meta);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    raftlog_desc_key(&k, desc->range_id);
    rangedesc_encode(desc, &v);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    raftlog_snap_pending_key(&k, desc->range_id);
    engine_batch_delete(b, STORE_CF_RAFT, buf_slice(&k));
    buf_deinit(&k);
    buf_deinit(&v);
}

static void remove_files(mice_buf paths[SNAP_FILES])
{
    for (int i = 0; i < SNAP_FILES; i++) {
        if (paths[i].n) unlink((const char *)paths[i].p);
        buf_reset(&paths[i]);
    }
}

mice_status store__snapshot_install(store_range *r, const raft_snapshot *snap, engine_batch *b,
                                    range_desc *new_desc, mice_err *err)
{
    store *s = r->s;
    snap_file files[SNAP_FILES];
    mice_status rc = decode_data(mice_slice_of(snap->data, snap->len), new_desc, files);
    if (rc) return mice_err_setf(err, rc, "store: malformed snapshot data");
    if (new_desc->range_id != r->range_id || !rangedesc_replica_on(new_desc, s->cfg.node_id) ||
        !rangedesc_is_initialized(new_desc))
        return mice_err_setf(err, MICE_INVALID, "store: the snapshot is for another replica");
    /* Another local range still holding part of the span (this node has not applied the
     * split or snapshot that shrank it): refuse; the leader retries later. */
    for (size_t i = 0; i < s->n_ranges; i++) {
        const store_range *o = s->ranges[i];
        if (o != r &&
            rangedesc_overlaps(&o->desc, buf_slice(&new_desc->start), buf_slice(&new_desc->end)))
            return mice_err_setf(err, MICE_BUSY, "store: r%" PRIu64 " still overlaps the snapshot",
                                 o->range_id);
    }
    for (int i = 0; i < SNAP_FILES && !rc; i++) {
        buf_reset(&r->snap_files[i]);
        if (!files[i].bytes.n) continue;
        file_path(s, &r->snap_files[i], "install", r->range_id, snap->meta.index, files[i].cf);
        rc = write_file_synced((const char *)r->snap_files[i].p, files[i].bytes, err);
    }
    mice_buf key, marker;
    buf_init(&key);
    buf_init(&marker);
    if (!rc) {
        raftlog_snap_pending_key(&key, r->range_id);
        encode_marker(&marker, &snap->meta, new_desc, r->snap_files);
        engine_batch *mb = engine_batch_create(s->e);
        engine_batch_put(mb, STORE_CF_RAFT, buf_slice(&key), buf_slice(&marker));
        rc = engine_batch_commit(mb, ENGINE_SYNC, err);
    }
    buf_deinit(&key);
    buf_deinit(&marker);
    if (rc) {
        remove_files(r->snap_files);
        return rc;
    }
    /* From here on a failure leaves the marker: the next start-up finishes the install. */
    rc = clear_and_ingest(s->e, &r->desc, new_desc, r->snap_files, err);
    if (rc) {
        s->failed = true;
        return rc;
    }
    stage_state(r->log, b, &snap->meta, new_desc);
    log_info("store: n%" PRIu64 " r%" PRIu64 ": snapshot at %" PRIu64 " installed (%zu bytes)",
             s->cfg.node_id, r->range_id, snap->meta.index, snap->len);
    return MICE_OK;
}

void store__snapshot_cleanup(store_range *r)
{
    remove_files(r->snap_files);
}

/* Finish one interrupted install. */
static mice_status redo_one(store *s, mice_slice marker, mice_err *err)
{
    raft_snapshot_meta meta;
    range_desc desc, old;
    rangedesc_init(&desc);
    rangedesc_init(&old);
    mice_buf paths[SNAP_FILES], k, v;
    for (int i = 0; i < SNAP_FILES; i++)
        buf_init(&paths[i]);
    buf_init(&k);
    buf_init(&v);
    raftlog *l = NULL;
    bool have_old = false;
    mice_status rc = decode_marker(marker, &meta, &desc, paths);
    if (rc) {
        rc = mice_err_setf(err, rc, "store: malformed snapshot marker");
        goto done;
    }
    raftlog_desc_key(&k, desc.range_id);
    rc = engine_get(s->e, STORE_CF_RAFT, NULL, buf_slice(&k), &v, &have_old, err);
    if (!rc && have_old) {
        mice_slice in = buf_slice(&v);
        if (rangedesc_decode(&in, &old) || in.n)
            rc = mice_err_setf(err, MICE_CORRUPT, "store: malformed range descriptor");
    }
    if (!rc) rc = clear_and_ingest(s->e, have_old ? &old : NULL, &desc, paths, err);
    if (!rc) rc = raftlog_open(s->e, desc.range_id, &l, err);
    if (!rc) {
        engine_batch *b = engine_batch_create(s->e);
        stage_state(l, b, &meta, &desc);
        rc = engine_batch_commit(b, ENGINE_SYNC, err);
    }
    if (!rc) {
        remove_files(paths);
        log_info("store: n%" PRIu64 " r%" PRIu64 ": interrupted snapshot install at %" PRIu64
                 " finished",
                 s->cfg.node_id, desc.range_id, meta.index);
    }
done:
    raftlog_destroy(l);
    rangedesc_deinit(&desc);
    rangedesc_deinit(&old);
    for (int i = 0; i < SNAP_FILES; i++)
        buf_deinit(&paths[i]);
    buf_deinit(&k);
    buf_deinit(&v);
    return rc;
}

mice_status store__snapshot_redo(store *s, mice_err *err)
{
    uint8_t lo = RAFTLOG_KEY_SNAP_PENDING, hi = RAFTLOG_KEY_SNAP_PENDING + 1;
    engine_iter_opts o = {
        .cf = STORE_CF_RAFT, .lower = mice_slice_of(&lo, 1), .upper = mice_slice_of(&hi, 1)};
    /* Collect first: redo writes into the span being iterated. */
    mice_buf *markers = NULL;
    size_t n = 0;
    engine_iter *it = NULL;
    mice_status rc = engine_iter_create(s->e, &o, &it, err);
    if (rc) return rc;
    for (engine_iter_first(it); engine_iter_valid(it); engine_iter_next(it)) {
        markers = mice_realloc(markers, (n + 1) * sizeof *markers);
        buf_init(&markers[n]);
        buf_append_slice(&markers[n++], engine_iter_value(it));
    }
    rc = engine_iter_status(it, err);
    engine_iter_destroy(it);
    for (size_t i = 0; i < n; i++) {
        if (!rc) rc = redo_one(s, buf_slice(&markers[i]), err);
        buf_deinit(&markers[i]);
    }
    free(markers);
    return rc;
}
