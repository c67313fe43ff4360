/*
 * engine.h - the node's storage engine: RocksDB through its C API, nothing more.
 *
 * One engine is one RocksDB database in one directory, with four column families:
 * STORE_CF_DATA (MVCC versions, see mvcc.h), STORE_CF_LOCKS (uncommitted intents),
 * STORE_CF_RAFT (Raft log entries and hard states) and STORE_CF_META (node-local metadata).
 * Options are tuned once here: LZ4 for the upper levels, ZSTD for the bottom level, bloom
 * filters on every level, one LRU block cache shared by every column family.
 *
 * What the engine offers: point gets; write batches that span column families and commit
 * atomically, synced or not; iterators bounded to [lower, upper), forward and reverse,
 * optionally on a snapshot; snapshots; checkpoints (a consistent copy in another
 * directory, hard-linked where possible); SST files built from sorted puts and ingested;
 * manual compaction of a key range; a few statistics; and a hook for a compaction filter
 * on the data column family plus the GC horizon it reads (used by mvcc.c).
 *
 * RocksDB's API appears only in src/storage/; its `char **errptr` strings are turned
 * into a mice_status (plus message in a mice_err) by exactly one helper in engine.c.
 *
 * Owns: the RocksDB handle, its options, the block cache and the column family handles.
 * Batches, iterators, snapshots and SST writers are owned by whoever created them and
 * must be released before engine_close (closing with one open is a bug: it asserts).
 * Thread safety: an engine may be used from any number of threads at once (RocksDB is
 * internally synchronised); engine_open/engine_close are not concurrent with anything.
 * A batch, an iterator or an SST writer belongs to one thread at a time; a snapshot may
 * be shared by readers on several threads.
 * Invariants: after engine_batch_commit(..., ENGINE_SYNC) returns MICE_OK, all of the
 * batch is on disk and survives a crash; a batch is either wholly visible or not at all.
 * The GC horizon only moves forward.
 */
#ifndef MICE_STORAGE_ENGINE_H
#define MICE_STORAGE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/hlc.h"
#include "base/status.h"

typedef enum engine_cf {
    STORE_CF_DATA,
    STORE_CF_LOCKS,
    STORE_CF_RAFT,
    STORE_CF_META,
    STORE_CF_COUNT
} engine_cf;

typedef struct engine engine;
typedef struct engine_batch engine_batch;
typedef struct engine_iter engine_iter;
typedef struct engine_snapshot engine_snapshot;
typedef struct engine_sst_writer engine_sst_writer;

/* A compaction filter for the data column family. begin() runs on a RocksDB compaction
 * thread once per (sub)compaction and returns that compaction's private state; drop() is
 * then called for each key/value in key order and says whether to remove it; end() frees
 * the state. full_compaction is true when every file of the column family is an input,
 * so nothing older can hide in a file the compaction does not see. Slices passed to
 * drop() are borrowed for the duration of the call. */
typedef struct engine_filter {
    const char *name; /* stable across restarts; NULL = no filter */
    void *(*begin)(engine *e, bool full_compaction);
    bool (*drop)(void *state, mice_slice key, mice_slice value);
    void (*end)(void *state);
} engine_filter;

enum {
    ENGINE_BLOCK_CACHE_BYTES_DEFAULT = 64 << 20,
    ENGINE_WRITE_BUFFER_BYTES_DEFAULT = 32 << 20,
    ENGINE_BACKGROUND_JOBS_DEFAULT = 4,
    ENGINE_BLOOM_BITS_PER_KEY = 10,
};

/* The one configuration struct; engine_config_init fills defaults. */
typedef struct engine_config {
    const char *dir;          /* borrowed for the duration of engine_open */
    size_t block_cache_bytes; /* shared by every column family */
    size_t write_buffer_bytes;
    int background_jobs;
    bool create_if_missing; /* default true */
    bool error_if_exists;   /* default false */
    bool sync_default;      /* what ENGINE_SYNC_DEFAULT means; default true */
    /* Data CF prefix extractor: when non-zero, a data key's prefix is the key minus this
     * many trailing bytes (mvcc.c sets the timestamp width), which gives prefix blooms
     * for seeks among one user key's versions. Recorded in SST files: keep it stable. */
    size_t data_prefix_trim_bytes;
    engine_filter data_filter;
} engine_config;

void engine_config_init(engine_config *cfg, const char *dir);

/* Open (and with create_if_missing, create) the database in cfg->dir.
 * MICE_NOTFOUND: no database there and create_if_missing is false.
 * MICE_EXISTS: a database exists and error_if_exists is true.
 * MICE_BUSY: another engine (this process or another) holds the directory's lock.
 * MICE_CORRUPT: the files there are damaged. MICE_IOERR: the file system said no. */
mice_status engine_open(const engine_config *cfg, engine **out, mice_err *err);
/* Close and free; waits for background work. NULL is ignored. */
void engine_close(engine *e);
/* The directory the engine was opened on (owned by the engine). */
const char *engine_dir(const engine *e);

/* Point read of cf:key, on snap (NULL = latest). out is reset and filled when found. */
mice_status engine_get(engine *e, engine_cf cf, const engine_snapshot *snap, mice_slice key,
                       mice_buf *out, bool *found, mice_err *err);

/* --- write batches ---------------------------------------------------------------- */

typedef enum engine_sync {
    ENGINE_SYNC_DEFAULT, /* the engine's cfg.sync_default */
    ENGINE_SYNC,         /* fsync the WAL before returning */
    ENGINE_NOSYNC,       /* written to the OS, lost on power failure (not on a process kill) */
} engine_sync;

/* A batch copies every key and value it is given and owns those copies until it is
 * committed or destroyed. Operations apply in the order they were added. */
engine_batch *engine_batch_create(engine *e);
void engine_batch_destroy(engine_batch *b); /* NULL is ignored */
engine *engine_batch_engine(const engine_batch *b);
void engine_batch_put(engine_batch *b, engine_cf cf, mice_slice key, mice_slice value);
void engine_batch_delete(engine_batch *b, engine_cf cf, mice_slice key);
/* Delete every key in [lower, upper). */
void engine_batch_delete_range(engine_batch *b, engine_cf cf, mice_slice lower, mice_slice upper);
size_t engine_batch_count(const engine_batch *b);
size_t engine_batch_bytes(const engine_batch *b);
/* Apply the whole batch atomically. Consumes b, on success and on error. */
mice_status engine_batch_commit(engine_batch *b, engine_sync sync, mice_err *err);

/* Portable batch contents (Raft log entries carry a replica's effects to the others).
 * A LOGGED batch also keeps its operations in a portable encoding that names column
 * families by engine_cf, not by RocksDB's per-database ids, so another engine can replay
 * it: engine_batch_data returns it, engine_batch_add_data appends a decoded copy of
 * those operations to any batch. The encoding is a format on disk (in the Raft log):
 * version byte ENGINE_BATCH_DATA_V1, then per operation: kind (1 put, 2 delete,
 * 3 delete range), cf, varint key length, key, and for put/delete range a varint length
 * and the value/upper bound. */
enum { ENGINE_BATCH_DATA_V1 = 1 };
engine_batch *engine_batch_create_logged(engine *e);
/* Borrowed: valid until the batch next changes or is committed/destroyed. Only on a
 * logged batch (asserted). An empty logged batch gives just the version byte. */
mice_slice engine_batch_data(const engine_batch *b);
/* Append the operations encoded in data (untrusted) to b, in order. MICE_CORRUPT when
 * data is malformed; then nothing was added. */
mice_status engine_batch_add_data(engine_batch *b, mice_slice data, mice_err *err);

/* --- snapshots -------------------------------------------------------------------- */

/* A consistent read view of every column family as of now. */
engine_snapshot *engine_snapshot_create(engine *e);
void engine_snapshot_release(engine_snapshot *s); /* NULL is ignored */

/* --- iterators -------------------------------------------------------------------- */

typedef struct engine_iter_opts {
    engine_cf cf;
    mice_slice lower;            /* inclusive; empty = unbounded */
    mice_slice upper;            /* exclusive; empty = unbounded */
    const engine_snapshot *snap; /* NULL = the state when the iterator is created */
    /* Seek only among keys sharing the sought key's data-CF prefix (see
     * data_prefix_trim_bytes): cheap point seeks, undefined order across prefixes. */
    bool prefix_only;
    bool no_fill_cache; /* long scans that should not evict the hot set */
} engine_iter_opts;

/* The iterator copies the bounds. It starts unpositioned (not valid). */
mice_status engine_iter_create(engine *e, const engine_iter_opts *o, engine_iter **out,
                               mice_err *err);
void engine_iter_destroy(engine_iter *it); /* NULL is ignored */
void engine_iter_first(engine_iter *it);
void engine_iter_last(engine_iter *it);
/* First key >= target (forward), last key <= target (reverse). */
void engine_iter_seek(engine_iter *it, mice_slice target);
void engine_iter_seek_for_prev(engine_iter *it, mice_slice target);
void engine_iter_next(engine_iter *it);
void engine_iter_prev(engine_iter *it);
bool engine_iter_valid(const engine_iter *it);
/* Borrowed: valid until the iterator next moves or is destroyed. Only when valid. */
mice_slice engine_iter_key(const engine_iter *it);
mice_slice engine_iter_value(const engine_iter *it);
/* After the iterator became invalid: MICE_OK if it simply ran out of keys. */
mice_status engine_iter_status(const engine_iter *it, mice_err *err);

/* --- files: checkpoints, SSTs, compaction ----------------------------------------- */

/* A consistent copy of the whole database in dir, which must not exist (MICE_EXISTS).
 * Files are hard-linked when on the same file system. */
mice_status engine_checkpoint(engine *e, const char *dir, mice_err *err);

/* Build an SST file for cf at path from puts in strictly increasing key order
 * (MICE_INVALID otherwise). */
mice_status engine_sst_writer_create(engine *e, engine_cf cf, const char *path,
                                     engine_sst_writer **out, mice_err *err);
mice_status engine_sst_writer_put(engine_sst_writer *w, mice_slice key, mice_slice value,
                                  mice_err *err);
/* Write the footer and close the file; the writer must still be destroyed. */
mice_status engine_sst_writer_finish(engine_sst_writer *w, uint64_t *size_bytes, mice_err *err);
void engine_sst_writer_destroy(engine_sst_writer *w); /* NULL is ignored */

/* Ingest finished SST files into cf atomically. With move_files, the files are moved
 * (hard-linked) into the database instead of copied. */
mice_status engine_ingest(engine *e, engine_cf cf, const char *const *paths, size_t n_paths,
                          bool move_files, mice_err *err);

/* Flush every memtable to SST files. */
mice_status engine_flush(engine *e, mice_err *err);
/* Compact cf's keys in [lower, upper) (empty = unbounded) down to the bottom level,
 * running the compaction filter on the way. Blocks until done. */
mice_status engine_compact_range(engine *e, engine_cf cf, mice_slice lower, mice_slice upper,
                                 mice_err *err);

/* --- statistics ------------------------------------------------------------------- */

typedef struct engine_cf_stats {
    uint64_t estimated_keys;
    uint64_t live_sst_bytes;
    uint64_t memtable_bytes;
    uint64_t sst_files;
} engine_cf_stats;

mice_status engine_stats(engine *e, engine_cf cf, engine_cf_stats *out, mice_err *err);
uint64_t engine_block_cache_usage_bytes(engine *e);
/* Name of a column family, e.g. "data" (static). */
const char *engine_cf_name(engine_cf cf);

/* --- GC horizon ------------------------------------------------------------------- */

/* Raise the garbage-collection horizon; a lower or equal ts is ignored (it never moves
 * back). Safe from any thread; compaction threads read it through engine_gc_horizon. */
void engine_set_gc_horizon(engine *e, hlc_ts horizon);
hlc_ts engine_gc_horizon(const engine *e);

#endif
