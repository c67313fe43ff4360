/*
 * engine.c - RocksDB behind engine.h. See the header for the contract.
 *
 * Ownership inside RocksDB's C API is subtle, so it is written down here once:
 * - rocksdb_options_set_prefix_extractor, _set_compaction_filter_factory and
 *   rocksdb_block_based_options_set_filter_policy take ownership (shared_ptr) of what they
 *   are given: we never destroy those objects ourselves, and never hand one object to two
 *   options.
 * - rocksdb_block_based_options_set_block_cache shares the cache: we keep our reference
 *   and destroy it after the database is closed.
 * - RocksDB copies options at open; we keep ours until close because SST writers are
 *   created from the column family's options.
 */
#include "storage/engine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rocksdb/c.h>

#include "base/check.h"
#include "base/varint.h"

/* Column family names on disk; index 0 is RocksDB's mandatory default family. */
static const char *const cf_names[STORE_CF_COUNT + 1] = {"default", "data", "locks", "raft",
                                                         "meta"};

enum {
    ENGINE_LOG_FILES_KEPT = 4,
    ENGINE_INFO_LOG_LEVEL_WARN = 2, /* RocksDB's InfoLogLevel::WARN_LEVEL */
    ENGINE_TABLE_FORMAT_VERSION = 5,
    ENGINE_LEVELS = 7, /* RocksDB's default num_levels */
    ENGINE_MEMTABLE_PREFIX_BLOOM_PERMILLE = 100,
    ENGINE_PREFIX_NAME_MAX = 48,
    ENGINE_PREFIX_TRIM_MAX_BYTES = 64,
};

struct engine {
    rocksdb_t *db;
    rocksdb_options_t *db_opts;
    rocksdb_options_t *cf_opts[STORE_CF_COUNT + 1];
    rocksdb_column_family_handle_t *cf[STORE_CF_COUNT + 1];
    rocksdb_cache_t *cache;
    rocksdb_writeoptions_t *wo_sync;
    rocksdb_writeoptions_t *wo_nosync;
    rocksdb_readoptions_t *ro_default;
    bool sync_default;
    size_t prefix_trim_bytes;
    char prefix_name[ENGINE_PREFIX_NAME_MAX];
    engine_filter data_filter;
    char *dir;
    /* GC horizon as a seqlock: writers serialise on horizon_mu and make seq odd while
     * they write; readers retry until they see the same even seq before and after. */
    pthread_mutex_t horizon_mu;
    _Atomic uint64_t horizon_seq;
    _Atomic uint64_t horizon_wall_ns;
    _Atomic uint32_t horizon_logical;
    /* Iterators and snapshots not yet released: closing with any open is our bug. */
    _Atomic int open_handles;
};

struct engine_batch {
    engine *e;
    rocksdb_writebatch_t *wb;
    mice_buf *log; /* logged batches: the portable encoding (engine_batch_data) */
};

enum { BATCH_OP_PUT = 1, BATCH_OP_DELETE = 2, BATCH_OP_DELETE_RANGE = 3 };

struct engine_snapshot {
    engine *e;
    const rocksdb_snapshot_t *snap;
};

struct engine_iter {
    engine *e;
    rocksdb_iterator_t *it;
    rocksdb_readoptions_t *ro;
    mice_buf lower;
    mice_buf upper;
};

struct engine_sst_writer {
    rocksdb_envoptions_t *env_opts;
    rocksdb_sstfilewriter_t *w;
};

static inline rocksdb_column_family_handle_t *cf_handle(engine *e, engine_cf cf)
{
    mice_assert((unsigned)cf < STORE_CF_COUNT);
    return e->cf[cf + 1];
}

static bool has_text(const char *msg, const char *text)
{
    return strstr(msg, text) != NULL;
}

/* The one translation of RocksDB's error strings (Status::ToString) to mice_status.
 * Takes ownership of msg (frees it with rocksdb_free); NULL means success. */
static mice_status engine_status(char *msg, mice_err *err, const char *what)
{
    if (!msg) return MICE_OK;
    mice_status code = MICE_INTERNAL;
    if (has_text(msg, "lock hold by current process") || has_text(msg, "While lock file"))
        code = MICE_BUSY;
    else if (has_text(msg, "does not exist (create_if_missing is false)"))
        code = MICE_NOTFOUND;
    else if (has_text(msg, "exists (error_if_exists is true)") || has_text(msg, "Directory exists"))
        code = MICE_EXISTS;
    else if (!strncmp(msg, "Corruption", 10))
        code = MICE_CORRUPT;
    else if (!strncmp(msg, "NotFound", 8) || !strncmp(msg, "Not found", 9))
        code = MICE_NOTFOUND;
    else if (!strncmp(msg, "IO error", 8))
        code = MICE_IOERR;
    else if (!strncmp(msg, "Invalid argument", 16))
        code = MICE_INVALID;
    else if (!strncmp(msg, "Not implemented", 15))
        code = MICE_UNSUPPORTED;
    else if (!strncmp(msg, "Resource busy", 13) || !strncmp(msg, "Busy", 4))
        code = MICE_BUSY;
    else if (!strncmp(msg, "Operation timed out", 19) || !strncmp(msg, "Timed out", 9))
        code = MICE_TIMEOUT;
    else if (!strncmp(msg, "Operation aborted", 17) || !strncmp(msg, "Aborted", 7))
        code = MICE_ABORTED;
    else if (!strncmp(msg, "Operation failed. Try again", 27))
        code = MICE_AGAIN;
    else if (!strncmp(msg, "Result incomplete", 17))
        code = MICE_AGAIN;
    mice_err_setf(err, code, "storage: %s: %s", what, msg);
    rocksdb_free(msg);
    return code;
}

void engine_config_init(engine_config *cfg, const char *dir)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->dir = dir;
    cfg->block_cache_bytes = ENGINE_BLOCK_CACHE_BYTES_DEFAULT;
    cfg->write_buffer_bytes = ENGINE_WRITE_BUFFER_BYTES_DEFAULT;
    cfg->background_jobs = ENGINE_BACKGROUND_JOBS_DEFAULT;
    cfg->create_if_missing = true;
    cfg->sync_default = true;
}

const char *engine_cf_name(engine_cf cf)
{
    mice_assert((unsigned)cf < STORE_CF_COUNT);
    return cf_names[cf + 1];
}

const char *engine_dir(const engine *e)
{
    return e->dir;
}

/* --- options ------------------------------------------------------------------------ */

/* RocksDB's C wrappers call their destructor unconditionally: the engine frees itself. */
static void state_not_owned(void *state)
{
    (void)state;
}

static char *prefix_transform(void *state, const char *key, size_t n, size_t *out_n)
{
    const engine *e = state;
    *out_n = n - e->prefix_trim_bytes;
    return (char *)key;
}

static unsigned char prefix_in_domain(void *state, const char *key, size_t n)
{
    (void)key;
    const engine *e = state;
    return n > e->prefix_trim_bytes;
}

static unsigned char prefix_in_range(void *state, const char *key, size_t n)
{
    (void)state;
    (void)key;
    (void)n;
    return 0;
}

static const char *prefix_name(void *state)
{
    const engine *e = state;
    return e->prefix_name;
}

/* Per-compaction glue between RocksDB's filter callbacks and engine_filter. */
typedef struct filter_run {
    const engine_filter *f;
    void *state;
} filter_run;

static unsigned char filter_fn(void *arg, int level, const char *key, size_t key_n,
                               const char *value, size_t value_n, char **new_value,
                               size_t *new_value_n, unsigned char *value_changed)
{
    (void)level;
    (void)new_value;
    (void)new_value_n;
    filter_run *run = arg;
    *value_changed = 0;
    return run->f->drop(run->state, mice_slice_of(key, key_n), mice_slice_of(value, value_n));
}

static void filter_destroy(void *arg)
{
    filter_run *run = arg;
    run->f->end(run->state);
    free(run);
}

static const char *filter_name(void *arg)
{
    const filter_run *run = arg;
    return run->f->name;
}

static rocksdb_compactionfilter_t *filter_create(void *arg, rocksdb_compactionfiltercontext_t *ctx)
{
    engine *e = arg;
    filter_run *run = mice_malloc(sizeof *run);
    run->f = &e->data_filter;
    run->state = e->data_filter.begin(e, rocksdb_compactionfiltercontext_is_full_compaction(ctx));
    return rocksdb_compactionfilter_create(run, filter_destroy, filter_fn, filter_name);
}

static const char *filter_factory_name(void *arg)
{
    const engine *e = arg;
    return e->data_filter.name;
}

static rocksdb_options_t *make_cf_options(engine *e, const engine_config *cfg, int idx)
{
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_options_set_write_buffer_size(o, cfg->write_buffer_bytes);
    rocksdb_options_set_level_compaction_dynamic_level_bytes(o, 1);
    rocksdb_options_set_compression(o, rocksdb_lz4_compression);
    rocksdb_options_set_bottommost_compression(o, rocksdb_zstd_compression);

    rocksdb_block_based_table_options_t *t = rocksdb_block_based_options_create();
    rocksdb_block_based_options_set_block_cache(t, e->cache);
    rocksdb_block_based_options_set_filter_policy(
        t, rocksdb_filterpolicy_create_bloom_full(ENGINE_BLOOM_BITS_PER_KEY));
    rocksdb_block_based_options_set_format_version(t, ENGINE_TABLE_FORMAT_VERSION);
    bool is_data = idx == STORE_CF_DATA + 1;
    if (is_data && e->prefix_trim_bytes) {
        /* Version keys are never looked up whole; their user-key prefix is. */
        rocksdb_block_based_options_set_whole_key_filtering(t, 0);
        rocksdb_options_set_prefix_extractor(
            o, rocksdb_slicetransform_create(e, state_not_owned, prefix_transform, prefix_in_domain,
                                             prefix_in_range, prefix_name));
        rocksdb_options_set_memtable_prefix_bloom_size_ratio(
            o, ENGINE_MEMTABLE_PREFIX_BLOOM_PERMILLE / 1000.0);
    }
    rocksdb_options_set_block_based_table_factory(o, t);
    rocksdb_block_based_options_destroy(t); /* the factory copied it */

    if (is_data && e->data_filter.name) {
        rocksdb_options_set_compaction_filter_factory(
            o, rocksdb_compactionfilterfactory_create(e, state_not_owned, filter_create,
                                                      filter_factory_name));
    }
    return o;
}

static void make_db_options(engine *e, const engine_config *cfg)
{
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(o, cfg->create_if_missing);
    rocksdb_options_set_create_missing_column_families(o, 1);
    rocksdb_options_set_error_if_exists(o, cfg->error_if_exists);
    rocksdb_options_set_paranoid_checks(o, 1);
    rocksdb_options_set_max_background_jobs(o, cfg->background_jobs);
    rocksdb_options_set_keep_log_file_num(o, ENGINE_LOG_FILES_KEPT);
    rocksdb_options_set_info_log_level(o, ENGINE_INFO_LOG_LEVEL_WARN); /* a small LOG file */
    e->db_opts = o;
}

static engine *engine_alloc(const engine_config *cfg)
{
    engine *e = mice_calloc(1, sizeof *e);
    e->dir = mice_strdup(cfg->dir);
    e->sync_default = cfg->sync_default;
    e->prefix_trim_bytes = cfg->data_prefix_trim_bytes;
    snprintf(e->prefix_name, sizeof e->prefix_name, "mice.trim%zu", cfg->data_prefix_trim_bytes);
    e->data_filter = cfg->data_filter;
    if (e->data_filter.name) {
        mice_assert(e->data_filter.begin);
        mice_assert(e->data_filter.drop);
        mice_assert(e->data_filter.end);
    }
    pthread_mutex_init(&e->horizon_mu, NULL);
    e->cache = rocksdb_cache_create_lru(cfg->block_cache_bytes);
    make_db_options(e, cfg);
    for (int i = 0; i <= STORE_CF_COUNT; i++)
        e->cf_opts[i] = make_cf_options(e, cfg, i);
    e->wo_sync = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(e->wo_sync, 1);
    e->wo_nosync = rocksdb_writeoptions_create();
    e->ro_default = rocksdb_readoptions_create();
    return e;
}

static void engine_free(engine *e)
{
    rocksdb_readoptions_destroy(e->ro_default);
    rocksdb_writeoptions_destroy(e->wo_nosync);
    rocksdb_writeoptions_destroy(e->wo_sync);
    for (int i = 0; i <= STORE_CF_COUNT; i++)
        rocksdb_options_destroy(e->cf_opts[i]);
    rocksdb_options_destroy(e->db_opts);
    rocksdb_cache_destroy(e->cache);
    pthread_mutex_destroy(&e->horizon_mu);
    free(e->dir);
    free(e);
}

mice_status engine_open(const engine_config *cfg, engine **out, mice_err *err)
{
    *out = NULL;
    if (!cfg->dir || !cfg->dir[0]) return mice_err_setf(err, MICE_INVALID, "storage: no dir");
    if (cfg->data_prefix_trim_bytes > ENGINE_PREFIX_TRIM_MAX_BYTES)
        return mice_err_setf(err, MICE_INVALID, "storage: prefix trim too large");
    engine *e = engine_alloc(cfg);
    char *msg = NULL;
    e->db = rocksdb_open_column_families(e->db_opts, cfg->dir, STORE_CF_COUNT + 1, cf_names,
                                         (const rocksdb_options_t *const *)e->cf_opts, e->cf, &msg);
    mice_status rc = engine_status(msg, err, "open");
    if (rc) {
        engine_free(e);
        return rc;
    }
    mice_assert(e->db);
    *out = e;
    return MICE_OK;
}

void engine_close(engine *e)
{
    if (!e) return;
    mice_assert(atomic_load(&e->open_handles) == 0);
    for (int i = 0; i <= STORE_CF_COUNT; i++)
        rocksdb_column_family_handle_destroy(e->cf[i]);
    rocksdb_close(e->db);
    engine_free(e);
}

/* --- reads -------------------------------------------------------------------------- */

static rocksdb_readoptions_t *snap_read_options(const engine_snapshot *snap)
{
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    if (snap) rocksdb_readoptions_set_snapshot(ro, snap->snap);
    return ro;
}

mice_status engine_get(engine *e, engine_cf cf, const engine_snapshot *snap, mice_slice key,
                       mice_buf *out, bool *found, mice_err *err)
{
    *found = false;
    rocksdb_readoptions_t *ro = snap ? snap_read_options(snap) : e->ro_default;
    char *msg = NULL;
    rocksdb_pinnableslice_t *v =
        rocksdb_get_pinned_cf(e->db, ro, cf_handle(e, cf), (const char *)key.p, key.n, &msg);
    if (snap) rocksdb_readoptions_destroy(ro);
    mice_status rc = engine_status(msg, err, "get");
    if (rc || !v) return rc;
    size_t n = 0;
    const char *p = rocksdb_pinnableslice_value(v, &n);
    buf_reset(out);
    buf_append(out, p, n);
    rocksdb_pinnableslice_destroy(v);
    *found = true;
    return MICE_OK;
}

/* --- batches ------------------------------------------------------------------------ */

engine_batch *engine_batch_create(engine *e)
{
    engine_batch *b = mice_malloc(sizeof *b);
    b->e = e;
    b->wb = rocksdb_writebatch_create();
    b->log = NULL;
    return b;
}

engine_batch *engine_batch_create_logged(engine *e)
{
    engine_batch *b = engine_batch_create(e);
    b->log = mice_malloc(sizeof *b->log);
    buf_init(b->log);
    buf_append_u8(b->log, ENGINE_BATCH_DATA_V1);
    return b;
}

void engine_batch_destroy(engine_batch *b)
{
    if (!b) return;
    rocksdb_writebatch_destroy(b->wb);
    if (b->log) {
        buf_deinit(b->log);
        free(b->log);
    }
    free(b);
}

static void log_op(engine_batch *b, uint8_t kind, engine_cf cf, mice_slice key, mice_slice value)
{
    if (!b->log) return;
    buf_append_u8(b->log, kind);
    buf_append_u8(b->log, (uint8_t)cf);
    varint_put_u64(b->log, key.n);
    buf_append_slice(b->log, key);
    if (kind == BATCH_OP_DELETE) return;
    varint_put_u64(b->log, value.n);
    buf_append_slice(b->log, value);
}

engine *engine_batch_engine(const engine_batch *b)
{
    return b->e;
}

void engine_batch_put(engine_batch *b, engine_cf cf, mice_slice key, mice_slice value)
{
    rocksdb_writebatch_put_cf(b->wb, cf_handle(b->e, cf), (const char *)key.p, key.n,
                              (const char *)value.p, value.n);
    log_op(b, BATCH_OP_PUT, cf, key, value);
}

void engine_batch_delete(engine_batch *b, engine_cf cf, mice_slice key)
{
    rocksdb_writebatch_delete_cf(b->wb, cf_handle(b->e, cf), (const char *)key.p, key.n);
    log_op(b, BATCH_OP_DELETE, cf, key, (mice_slice){0});
}

void engine_batch_delete_range(engine_batch *b, engine_cf cf, mice_slice lower, mice_slice upper)
{
    rocksdb_writebatch_delete_range_cf(b->wb, cf_handle(b->e, cf), (const char *)lower.p, lower.n,
                                       (const char *)upper.p, upper.n);
    log_op(b, BATCH_OP_DELETE_RANGE, cf, lower, upper);
}

size_t engine_batch_count(const engine_batch *b)
{
    return (size_t)rocksdb_writebatch_count(b->wb);
}

size_t engine_batch_bytes(const engine_batch *b)
{
    size_t n = 0;
    (void)rocksdb_writebatch_data(b->wb, &n);
    return n;
}

mice_slice engine_batch_data(const engine_batch *b)
{
    mice_assert(b->log != NULL);
    return buf_slice(b->log);
}

/* One operation of the portable encoding; slices borrow from the input. */
typedef struct batch_op {
    uint8_t kind;
    engine_cf cf;
    mice_slice key, value;
} batch_op;

static mice_status get_bytes(mice_slice *in, mice_slice *out)
{
    uint64_t n = 0;
    if (varint_get_u64(in, &n) || n > in->n) return MICE_CORRUPT;
    *out = mice_slice_of(in->p, (size_t)n);
    in->p += n;
    in->n -= (size_t)n;
    return MICE_OK;
}

static mice_status next_op(mice_slice *in, batch_op *op)
{
    if (in->n < 2) return MICE_CORRUPT;
    op->kind = in->p[0];
    uint8_t cf = in->p[1];
    in->p += 2;
    in->n -= 2;
    if (op->kind < BATCH_OP_PUT || op->kind > BATCH_OP_DELETE_RANGE) return MICE_CORRUPT;
    if (cf >= STORE_CF_COUNT) return MICE_CORRUPT;
    op->cf = (engine_cf)cf;
    op->value = (mice_slice){0};
    if (get_bytes(in, &op->key)) return MICE_CORRUPT;
    if (op->kind != BATCH_OP_DELETE && get_bytes(in, &op->value)) return MICE_CORRUPT;
    return MICE_OK;
}

mice_status engine_batch_add_data(engine_batch *b, mice_slice data, mice_err *err)
{
    if (data.n < 1 || data.p[0] != ENGINE_BATCH_DATA_V1)
        return mice_err_setf(err, MICE_CORRUPT, "storage: batch data: unknown version");
    /* Validate everything first, so a malformed tail adds nothing. */
    mice_slice in = mice_slice_of(data.p + 1, data.n - 1);
    batch_op op;
    while (in.n)
        if (next_op(&in, &op))
            return mice_err_setf(err, MICE_CORRUPT, "storage: batch data: malformed at byte %zu",
                                 data.n - in.n);
    in = mice_slice_of(data.p + 1, data.n - 1);
    while (in.n) {
        mice_status rc = next_op(&in, &op);
        mice_assert(rc == MICE_OK);
        if (op.kind == BATCH_OP_PUT)
            engine_batch_put(b, op.cf, op.key, op.value);
        else if (op.kind == BATCH_OP_DELETE)
            engine_batch_delete(b, op.cf, op.key);
        else
            engine_batch_delete_range(b, op.cf, op.key, op.value);
    }
    return MICE_OK;
}

mice_status engine_batch_commit(engine_batch *b, engine_sync sync, mice_err *err)
{
    engine *e = b->e;
    bool do_sync = sync == ENGINE_SYNC || (sync == ENGINE_SYNC_DEFAULT && e->sync_default);
    char *msg = NULL;
    rocksdb_write(e->db, do_sync ? e->wo_sync : e->wo_nosync, b->wb, &msg);
    engine_batch_destroy(b);
    return engine_status(msg, err, "write");
}

/* --- snapshots ---------------------------------------------------------------------- */

engine_snapshot *engine_snapshot_create(engine *e)
{
    engine_snapshot *s = mice_malloc(sizeof *s);
    s->e = e;
    s->snap = rocksdb_create_snapshot(e->db);
    atomic_fetch_add(&e->open_handles, 1);
    return s;
}

void engine_snapshot_release(engine_snapshot *s)
{
    if (!s) return;
    rocksdb_release_snapshot(s->e->db, s->snap);
    atomic_fetch_sub(&s->e->open_handles, 1);
    free(s);
}

/* --- iterators ---------------------------------------------------------------------- */

mice_status engine_iter_create(engine *e, const engine_iter_opts *o, engine_iter **out,
                               mice_err *err)
{
    (void)err; /* creation cannot fail today; the status is for future checks */
    engine_iter *it = mice_calloc(1, sizeof *it);
    it->ro = snap_read_options(o->snap);
    buf_init(&it->lower);
    buf_init(&it->upper);
    /* RocksDB keeps pointers to the bounds: they live in the iterator's own buffers. */
    if (o->lower.n) {
        buf_append_slice(&it->lower, o->lower);
        rocksdb_readoptions_set_iterate_lower_bound(it->ro, (const char *)it->lower.p, it->lower.n);
    }
    if (o->upper.n) {
        buf_append_slice(&it->upper, o->upper);
        rocksdb_readoptions_set_iterate_upper_bound(it->ro, (const char *)it->upper.p, it->upper.n);
    }
    if (o->prefix_only)
        rocksdb_readoptions_set_prefix_same_as_start(it->ro, 1);
    else
        rocksdb_readoptions_set_total_order_seek(it->ro, 1);
    if (o->no_fill_cache) rocksdb_readoptions_set_fill_cache(it->ro, 0);
    it->it = rocksdb_create_iterator_cf(e->db, it->ro, cf_handle(e, o->cf));
    it->e = e;
    atomic_fetch_add(&e->open_handles, 1);
    *out = it;
    return MICE_OK;
}

void engine_iter_destroy(engine_iter *it)
{
    if (!it) return;
    atomic_fetch_sub(&it->e->open_handles, 1);
    rocksdb_iter_destroy(it->it);
    rocksdb_readoptions_destroy(it->ro);
    buf_deinit(&it->lower);
    buf_deinit(&it->upper);
    free(it);
}

void engine_iter_first(engine_iter *it)
{
    rocksdb_iter_seek_to_first(it->it);
}

void engine_iter_last(engine_iter *it)
{
    rocksdb_iter_seek_to_last(it->it);
}

void engine_iter_seek(engine_iter *it, mice_slice target)
{
    rocksdb_iter_seek(it->it, (const char *)target.p, target.n);
}

void engine_iter_seek_for_prev(engine_iter *it, mice_slice target)
{
    rocksdb_iter_seek_for_prev(it->it, (const char *)target.p, target.n);
}

void engine_iter_next(engine_iter *it)
{
    rocksdb_iter_next(it->it);
}

void engine_iter_prev(engine_iter *it)
{
    rocksdb_iter_prev(it->it);
}

bool engine_iter_valid(const engine_iter *it)
{
    return rocksdb_iter_valid(it->it);
}

mice_slice engine_iter_key(const engine_iter *it)
{
    size_t n = 0;
    const char *p = rocksdb_iter_key(it->it, &n);
    return mice_slice_of(p, n);
}

mice_slice engine_iter_value(const engine_iter *it)
{
    size_t n = 0;
    const char *p = rocksdb_iter_value(it->it, &n);
    return mice_slice_of(p, n);
}

mice_status engine_iter_status(const engine_iter *it, mice_err *err)
{
    char *msg = NULL;
    rocksdb_iter_get_error(it->it, &msg);
    return engine_status(msg, err, "iterate");
}

/* --- checkpoints, SSTs, compaction -------------------------------------------------- */

mice_status engine_checkpoint(engine *e, const char *dir, mice_err *err)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return mice_err_setf(err, MICE_EXISTS, "storage: checkpoint: %s exists", dir);
    char *msg = NULL;
    rocksdb_checkpoint_t *cp = rocksdb_checkpoint_object_create(e->db, &msg);
    mice_status rc = engine_status(msg, err, "checkpoint");
    if (rc) return rc;
    rocksdb_checkpoint_create(cp, dir, 0, &msg);
    rocksdb_checkpoint_object_destroy(cp);
    return engine_status(msg, err, "checkpoint");
}

mice_status engine_sst_writer_create(engine *e, engine_cf cf, const char *path,
                                     engine_sst_writer **out, mice_err *err)
{
    *out = NULL;
    engine_sst_writer *w = mice_calloc(1, sizeof *w);
    w->env_opts = rocksdb_envoptions_create();
    w->w = rocksdb_sstfilewriter_create(w->env_opts, e->cf_opts[cf + 1]);
    char *msg = NULL;
    rocksdb_sstfilewriter_open(w->w, path, &msg);
    mice_status rc = engine_status(msg, err, "sst open");
    if (rc) {
        engine_sst_writer_destroy(w);
        return rc;
    }
    *out = w;
    return MICE_OK;
}

mice_status engine_sst_writer_put(engine_sst_writer *w, mice_slice key, mice_slice value,
                                  mice_err *err)
{
    char *msg = NULL;
    rocksdb_sstfilewriter_put(w->w, (const char *)key.p, key.n, (const char *)value.p, value.n,
                              &msg);
    return engine_status(msg, err, "sst put");
}

mice_status engine_sst_writer_finish(engine_sst_writer *w, uint64_t *size_bytes, mice_err *err)
{
    char *msg = NULL;
    rocksdb_sstfilewriter_finish(w->w, &msg);
    mice_status rc = engine_status(msg, err, "sst finish");
    if (!rc && size_bytes) rocksdb_sstfilewriter_file_size(w->w, size_bytes);
    return rc;
}

void engine_sst_writer_destroy(engine_sst_writer *w)
{
    if (!w) return;
    rocksdb_sstfilewriter_destroy(w->w);
    rocksdb_envoptions_destroy(w->env_opts);
    free(w);
}

mice_status engine_ingest(engine *e, engine_cf cf, const char *const *paths, size_t n_paths,
                          bool move_files, mice_err *err)
{
    rocksdb_ingestexternalfileoptions_t *o = rocksdb_ingestexternalfileoptions_create();
    rocksdb_ingestexternalfileoptions_set_move_files(o, move_files);
    char *msg = NULL;
    rocksdb_ingest_external_file_cf(e->db, cf_handle(e, cf), paths, n_paths, o, &msg);
    rocksdb_ingestexternalfileoptions_destroy(o);
    return engine_status(msg, err, "ingest");
}

mice_status engine_flush(engine *e, mice_err *err)
{
    rocksdb_flushoptions_t *o = rocksdb_flushoptions_create();
    rocksdb_flushoptions_set_wait(o, 1);
    mice_status rc = MICE_OK;
    for (int i = 0; i <= STORE_CF_COUNT && !rc; i++) {
        char *msg = NULL;
        rocksdb_flush_cf(e->db, o, e->cf[i], &msg);
        rc = engine_status(msg, err, "flush");
    }
    rocksdb_flushoptions_destroy(o);
    return rc;
}

mice_status engine_compact_range(engine *e, engine_cf cf, mice_slice lower, mice_slice upper,
                                 mice_err *err)
{
    (void)err;                     /* the C API reports no error from manual compaction */
    enum { BOTTOMMOST_FORCE = 2 }; /* BottommostLevelCompaction::kForce */
    rocksdb_compactoptions_t *o = rocksdb_compactoptions_create();
    rocksdb_compactoptions_set_bottommost_level_compaction(o, BOTTOMMOST_FORCE);
    rocksdb_compactoptions_set_exclusive_manual_compaction(o, 0);
    rocksdb_compact_range_cf_opt(e->db, cf_handle(e, cf), o, lower.n ? (const char *)lower.p : NULL,
                                 lower.n, upper.n ? (const char *)upper.p : NULL, upper.n);
    rocksdb_compactoptions_destroy(o);
    return MICE_OK;
}

/* --- statistics --------------------------------------------------------------------- */

static uint64_t cf_property(engine *e, engine_cf cf, const char *name)
{
    uint64_t v = 0;
    if (rocksdb_property_int_cf(e->db, cf_handle(e, cf), name, &v) != 0) return 0;
    return v;
}

mice_status engine_stats(engine *e, engine_cf cf, engine_cf_stats *out, mice_err *err)
{
    (void)err;
    memset(out, 0, sizeof *out);
    out->estimated_keys = cf_property(e, cf, "rocksdb.estimate-num-keys");
    out->live_sst_bytes = cf_property(e, cf, "rocksdb.live-sst-files-size");
    out->memtable_bytes = cf_property(e, cf, "rocksdb.cur-size-all-mem-tables");
    char name[64];
    for (int level = 0; level < ENGINE_LEVELS; level++) {
        snprintf(name, sizeof name, "rocksdb.num-files-at-level%d", level);
        char *v = rocksdb_property_value_cf(e->db, cf_handle(e, cf), name);
        if (!v) continue;
        out->sst_files += strtoull(v, NULL, 10);
        rocksdb_free(v);
    }
    return MICE_OK;
}

uint64_t engine_block_cache_usage_bytes(engine *e)
{
    return rocksdb_cache_get_usage(e->cache);
}

/* --- GC horizon --------------------------------------------------------------------- */

void engine_set_gc_horizon(engine *e, hlc_ts horizon)
{
    pthread_mutex_lock(&e->horizon_mu);
    hlc_ts cur = {atomic_load(&e->horizon_wall_ns), atomic_load(&e->horizon_logical)};
    if (hlc_ts_cmp(horizon, cur) > 0) {
        atomic_fetch_add(&e->horizon_seq, 1); /* odd: write in progress */
        atomic_store(&e->horizon_wall_ns, horizon.wall_ns);
        atomic_store(&e->horizon_logical, horizon.logical);
        atomic_fetch_add(&e->horizon_seq, 1);
    }
    pthread_mutex_unlock(&e->horizon_mu);
}

hlc_ts engine_gc_horizon(const engine *e)
{
    engine *m = (engine *)e; /* atomics are read-only here; C11 loads want non-const */
    for (;;) {
        uint64_t s1 = atomic_load(&m->horizon_seq);
        hlc_ts t = {atomic_load(&m->horizon_wall_ns), atomic_load(&m->horizon_logical)};
        uint64_t s2 = atomic_load(&m->horizon_seq);
        if (s1 == s2 && !(s1 & 1)) return t;
    }
}
