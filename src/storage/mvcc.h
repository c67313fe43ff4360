/*
 * mvcc.h - multi-version reads and writes over the storage engine.
 *
 * Every write of a user key at a timestamp is a new version in STORE_CF_DATA. A version's
 * RocksDB key is the user key made prefix-free with keyenc_put_bytes (0x00 escaped, then a
 * terminator) followed by the 12-byte HLC timestamp (hlc_ts_encode) with every bit
 * inverted. So versions of one key are adjacent and sort newest first, no user key's
 * versions interleave with another's, and a read at ts is one seek to key + ~ts.
 *
 * A version's value is a 1-byte header then the value bytes. Header bit 0: tombstone
 * (a delete; no value bytes); bit 1: an 8-byte big-endian expiry (wall-clock ns, for the
 * KV TTL feature) follows the header. Other bits are reserved and read as MICE_CORRUPT.
 *
 * Visibility: a read at ts sees, for each key, the newest version with timestamp <= ts;
 * if that version is a tombstone, or there is none, the key is absent.
 *
 * Garbage collection: a compaction filter on the data column family (installed by
 * mvcc_config_init) drops a version once a NEWER version of the same key with timestamp
 * <= the GC horizon was seen earlier in the same compaction; a tombstone that is the
 * newest version <= horizon is dropped only in a full compaction (every file is an input,
 * so nothing older can hide elsewhere). Hence every read at ts >= horizon answers exactly
 * as before GC. Reads below the horizon fail with MICE_TS_TOO_OLD, and so do writes at or
 * below it (a write there could surface under a dropped tombstone). The horizon lives in
 * the engine (engine_set_gc_horizon), only moves forward and is not persisted: the owner
 * sets it again after a restart.
 *
 * Owns: nothing but mvcc_reader objects; borrows the engine, which must outlive them.
 * Thread safety: any thread; writes go through an engine_batch, which its creator owns
 * until commit; a reader belongs to one thread at a time.
 * Invariants: for one key, versions are unique per timestamp (a second write at the same
 * ts replaces the first). Versions in STORE_CF_DATA are removed only by GC or by deleting
 * every version of a key span (engine_batch_delete_range): removing a single version
 * with a raw delete could let GC drop the version under it.
 */
#ifndef MICE_STORAGE_MVCC_H
#define MICE_STORAGE_MVCC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/hlc.h"
#include "base/status.h"
#include "storage/engine.h"

enum {
    MVCC_TS_BYTES = HLC_TS_ENCODED_BYTES,
    MVCC_HDR_TOMBSTONE = 0x01,
    MVCC_HDR_EXPIRY = 0x02,
    MVCC_EXPIRY_BYTES = 8,
};

/* engine_config_init plus the MVCC layout: data-CF prefix blooms on the user key part
 * and the GC compaction filter. Open every engine that holds MVCC data with this. */
void mvcc_config_init(engine_config *cfg, const char *dir);

/* What a read learned about the version it found. */
typedef struct mvcc_meta {
    hlc_ts ts;      /* the version's timestamp */
    bool tombstone; /* the version is a delete */
    bool has_expiry;
    uint64_t expiry_wall_ns; /* when has_expiry */
} mvcc_meta;

/* --- writes (into a batch; nothing is visible until engine_batch_commit) ------------- */

/* MICE_TS_TOO_OLD if ts is at or below the engine's GC horizon. */
mice_status mvcc_put(engine_batch *b, mice_slice key, hlc_ts ts, mice_slice value);
mice_status mvcc_put_with_expiry(engine_batch *b, mice_slice key, hlc_ts ts, mice_slice value,
                                 uint64_t expiry_wall_ns);
mice_status mvcc_delete(engine_batch *b, mice_slice key, hlc_ts ts);

/* --- point reads --------------------------------------------------------------------- */

/* The newest version of key at or below ts, on snap (NULL = latest state).
 * *found: a live value exists (value is reset and filled). meta (may be NULL) is filled
 * whenever a version <= ts exists, tombstones included (then found is false and
 * meta->tombstone true). MICE_TS_TOO_OLD if ts is below the GC horizon. */
mice_status mvcc_get(engine *e, const engine_snapshot *snap, mice_slice key, hlc_ts ts,
                     mice_buf *value, bool *found, mvcc_meta *meta, mice_err *err);

/* The newest version of key at any timestamp, tombstones included (write-write conflict
 * detection: a writer at ts conflicts when meta->ts >= ts). *exists is false when the key
 * has no version at all. */
mice_status mvcc_newest(engine *e, const engine_snapshot *snap, mice_slice key, bool *exists,
                        mvcc_meta *meta, mice_err *err);

/* A reusable point reader: one RocksDB iterator and scratch buffers kept across reads,
 * so a read costs one seek and no allocation. It reads snap, or when snap is NULL the
 * state at mvcc_reader_create; create a new reader to see later writes.
 * Owns its iterator; borrows the engine and snap, which must outlive it. */
typedef struct mvcc_reader mvcc_reader;
mice_status mvcc_reader_create(engine *e, const engine_snapshot *snap, mvcc_reader **out,
                               mice_err *err);
void mvcc_reader_destroy(mvcc_reader *r); /* NULL is ignored */
/* As mvcc_get, through the reader. */
mice_status mvcc_reader_get(mvcc_reader *r, mice_slice key, hlc_ts ts, mice_buf *value, bool *found,
                            mvcc_meta *meta, mice_err *err);

/* --- scans --------------------------------------------------------------------------- */

typedef struct mvcc_scan_opts {
    mice_slice start;            /* inclusive */
    mice_slice end;              /* exclusive; empty = no end */
    hlc_ts ts;                   /* read timestamp */
    size_t limit;                /* at most this many rows; 0 = no limit */
    bool reverse;                /* largest key first */
    const engine_snapshot *snap; /* NULL = latest state */
} mvcc_scan_opts;

/* Called once per visible key, in scan order. key and value are borrowed for the call.
 * Returning anything but MICE_OK stops the scan, and mvcc_scan returns that status. */
typedef mice_status (*mvcc_scan_fn)(void *ctx, mice_slice key, mice_slice value,
                                    const mvcc_meta *meta);

/* Visit the keys in [start, end) visible at ts (tombstoned keys are skipped).
 * MICE_TS_TOO_OLD if ts is below the GC horizon; MICE_CORRUPT on a malformed version. */
mice_status mvcc_scan(engine *e, const mvcc_scan_opts *o, mvcc_scan_fn on_row, void *ctx,
                      mice_err *err);

/* --- GC -------------------------------------------------------------------------------- */

/* Raise the GC horizon (never lowers it). Takes effect at the next compaction. */
void mvcc_set_gc_horizon(engine *e, hlc_ts horizon);
hlc_ts mvcc_gc_horizon(const engine *e);

/* --- layout helpers (tests, tools, debugging) ---------------------------------------- */

/* The RocksDB keys bounding every version of every user key in [start, end) (empty end:
 * to the end of the key space), for engine_batch_delete_range and raw iteration. */
void mvcc_span_bounds(mice_slice start, mice_slice end, mice_buf *lower, mice_buf *upper);
/* Append the RocksDB key of key's version at ts to out. */
void mvcc_encode_key(mice_buf *out, mice_slice key, hlc_ts ts);
/* Split a RocksDB data key into the user key (appended to key_out) and timestamp. */
mice_status mvcc_decode_key(mice_slice raw, mice_buf *key_out, hlc_ts *ts);
/* Parse a version's value: header into meta (ts untouched), bytes into *value (borrowed
 * from raw). MICE_CORRUPT on a bad header or length. */
mice_status mvcc_decode_value(mice_slice raw, mvcc_meta *meta, mice_slice *value);

#endif
