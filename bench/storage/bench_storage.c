/*
 * bench_storage - MVCC against raw RocksDB on the same data shape, in the same run.
 *
 * N keys with small values are loaded twice into one engine: as MVCC versions in the data
 * column family and as plain key -> value pairs in the meta column family ("raw"), both
 * flushed and compacted so reads go through SST files and the shared block cache. Then
 * each operation runs for a fixed time on both sides with the same key sequence:
 *   point read   raw engine_get      vs mvcc_get (one iterator per read) and
 *                                       mvcc_reader_get (one reused iterator)
 *   write        one put per batch, unsynced and synced
 *   scan 100     raw iterator over 100 keys vs mvcc_scan(limit 100), forward and reverse
 * Output: ops/s for both and the cost ratio (raw ops/s / MVCC ops/s; 1.0 = free).
 *
 * Usage: bench_storage [keys] [seconds per measurement]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ftw.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/check.h"
#include "base/env.h"
#include "base/prng.h"
#include "base/tmpdir.h"
#include "storage/engine.h"
#include "storage/mvcc.h"

enum {
    KEYS_DEFAULT = 200000,
    VALUE_BYTES = 16,
    LOAD_BATCH_KEYS = 1000,
    SCAN_ROWS = 100,
    CLOCK_CHECK_EVERY = 64,
    SYNCED_SECONDS_DIVISOR = 2,
    MEASURE_ROUNDS = 3,
};

typedef struct bench {
    engine *e;
    size_t keys;
    double seconds;
    const mice_env *env;
    mice_prng rng;
    mice_buf key, val;
    uint64_t write_seq; /* fresh timestamps / keys for writes */
} bench;

static const hlc_ts load_ts = {1000, 0};
static const hlc_ts read_ts = {2000, 0};

static void make_key(bench *b, size_t i)
{
    buf_reset(&b->key);
    buf_printf(&b->key, "user%010zu", i);
}

static void check(mice_status rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "bench_storage: %s: %s\n", what, mice_status_str(rc));
        exit(1);
    }
}

static void load(bench *b)
{
    uint8_t value[VALUE_BYTES];
    memset(value, 'v', sizeof value);
    for (size_t i = 0; i < b->keys; i += LOAD_BATCH_KEYS) {
        engine_batch *batch = engine_batch_create(b->e);
        for (size_t j = i; j < i + LOAD_BATCH_KEYS && j < b->keys; j++) {
            make_key(b, j);
            check(mvcc_put(batch, buf_slice(&b->key), load_ts, mice_slice_of(value, sizeof value)),
                  "mvcc_put");
            engine_batch_put(batch, STORE_CF_META, buf_slice(&b->key),
                             mice_slice_of(value, sizeof value));
        }
        check(engine_batch_commit(batch, ENGINE_NOSYNC, NULL), "load commit");
    }
    mice_slice all = mice_slice_of(NULL, 0);
    check(engine_flush(b->e, NULL), "flush");
    check(engine_compact_range(b->e, STORE_CF_DATA, all, all, NULL), "compact data");
    check(engine_compact_range(b->e, STORE_CF_META, all, all, NULL), "compact meta");
}

typedef void (*op_fn)(bench *b);

/* Run op repeatedly for the configured time (divided by div); ops per second. The key
 * sequence restarts from the same seed for each side. */
static double measure(bench *b, op_fn op, double div)
{
    prng_seed(&b->rng, 7);
    uint64_t start = env_mono_ns(b->env);
    uint64_t budget = (uint64_t)(b->seconds / div * MICE_NS_PER_S), ops = 0, now = start;
    for (;;) {
        for (int i = 0; i < CLOCK_CHECK_EVERY; i++)
            op(b);
        ops += CLOCK_CHECK_EVERY;
        now = env_mono_ns(b->env);
        if (now - start >= budget) break;
    }
    return (double)ops * MICE_NS_PER_S / (double)(now - start);
}

static void random_key(bench *b)
{
    make_key(b, (size_t)prng_below(&b->rng, b->keys));
}

static void op_raw_get(bench *b)
{
    random_key(b);
    bool found;
    check(engine_get(b->e, STORE_CF_META, NULL, buf_slice(&b->key), &b->val, &found, NULL), "get");
    mice_assert(found);
}

static void op_mvcc_get(bench *b)
{
    random_key(b);
    bool found;
    check(mvcc_get(b->e, NULL, buf_slice(&b->key), read_ts, &b->val, &found, NULL, NULL), "get");
    mice_assert(found);
}

static mvcc_reader *bench_reader;

static void op_mvcc_reader_get(bench *b)
{
    random_key(b);
    bool found;
    check(mvcc_reader_get(bench_reader, buf_slice(&b->key), read_ts, &b->val, &found, NULL, NULL),
          "reader get");
    mice_assert(found);
}

static void write_one(bench *b, bool mvcc, engine_sync sync)
{
    uint8_t value[VALUE_BYTES];
    memset(value, 'w', sizeof value);
    random_key(b);
    engine_batch *batch = engine_batch_create(b->e);
    if (mvcc) {
        hlc_ts ts = {3000 + ++b->write_seq, 0};
        check(mvcc_put(batch, buf_slice(&b->key), ts, mice_slice_of(value, sizeof value)), "put");
    } else {
        engine_batch_put(batch, STORE_CF_LOCKS, buf_slice(&b->key),
                         mice_slice_of(value, sizeof value));
    }
    check(engine_batch_commit(batch, sync, NULL), "commit");
}

static void op_raw_put(bench *b)
{
    write_one(b, false, ENGINE_NOSYNC);
}
static void op_mvcc_put(bench *b)
{
    write_one(b, true, ENGINE_NOSYNC);
}
static void op_raw_put_sync(bench *b)
{
    write_one(b, false, ENGINE_SYNC);
}
static void op_mvcc_put_sync(bench *b)
{
    write_one(b, true, ENGINE_SYNC);
}

static void raw_scan(bench *b, bool reverse)
{
    random_key(b);
    engine_iter_opts o = {.cf = STORE_CF_META};
    if (reverse)
        o.upper = buf_slice(&b->key);
    else
        o.lower = buf_slice(&b->key);
    engine_iter *it;
    check(engine_iter_create(b->e, &o, &it, NULL), "iter");
    int rows = 0;
    for (reverse ? engine_iter_last(it) : engine_iter_first(it);
         engine_iter_valid(it) && rows < SCAN_ROWS;
         reverse ? engine_iter_prev(it) : engine_iter_next(it)) {
        mice_slice k = engine_iter_key(it), v = engine_iter_value(it);
        buf_reset(&b->val);
        buf_append_slice(&b->val, k);
        buf_append_slice(&b->val, v);
        rows++;
    }
    engine_iter_destroy(it);
}

static void op_raw_scan(bench *b)
{
    raw_scan(b, false);
}
static void op_raw_scan_reverse(bench *b)
{
    raw_scan(b, true);
}

static mice_status on_row(void *ctx, mice_slice key, mice_slice value, const mvcc_meta *meta)
{
    (void)meta;
    bench *b = ctx;
    buf_reset(&b->val);
    buf_append_slice(&b->val, key);
    buf_append_slice(&b->val, value);
    return MICE_OK;
}

static void mvcc_scan_op(bench *b, bool reverse)
{
    random_key(b);
    mvcc_scan_opts o = {.ts = read_ts, .limit = SCAN_ROWS, .reverse = reverse};
    if (reverse)
        o.end = buf_slice(&b->key);
    else
        o.start = buf_slice(&b->key);
    check(mvcc_scan(b->e, &o, on_row, b, NULL), "scan");
}

static void op_mvcc_scan(bench *b)
{
    mvcc_scan_op(b, false);
}
static void op_mvcc_scan_reverse(bench *b)
{
    mvcc_scan_op(b, true);
}

/* Alternate raw and MVCC runs a few times and keep each side's best, so a noisy moment
 * does not land on one side only. */
static void row(bench *b, const char *name, op_fn raw_op, op_fn mvcc_op, double div)
{
    double raw = 0, mvcc = 0;
    for (int i = 0; i < MEASURE_ROUNDS; i++) {
        double r = measure(b, raw_op, div * MEASURE_ROUNDS);
        double m = measure(b, mvcc_op, div * MEASURE_ROUNDS);
        raw = r > raw ? r : raw;
        mvcc = m > mvcc ? m : mvcc;
    }
    printf("%-34s %14.0f %14.0f %10.2fx\n", name, raw, mvcc, raw / mvcc);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    bench b = {.keys = KEYS_DEFAULT, .seconds = 0.9, .env = mice_env_real()};
    if (argc > 1) b.keys = strtoull(argv[1], NULL, 10);
    if (argc > 2) b.seconds = strtod(argv[2], NULL);
    buf_init(&b.key);
    buf_init(&b.val);
    char dir[512];
    mice_assert(mice_tmpdir_create(getenv("TMPDIR"), "bench-storage", dir, sizeof dir, NULL) ==
                MICE_OK);
    engine_config cfg;
    mvcc_config_init(&cfg, dir);
    check(engine_open(&cfg, &b.e, NULL), "open");
    load(&b);
    printf("bench/storage: %zu keys, %d-byte values, %.1f s per measurement, dir %s\n", b.keys,
           VALUE_BYTES, b.seconds, dir);
    printf("%-34s %14s %14s %11s\n", "operation", "raw ops/s", "mvcc ops/s", "cost ratio");

    row(&b, "point read (mvcc_get)", op_raw_get, op_mvcc_get, 1);
    engine_snapshot *snap = engine_snapshot_create(b.e);
    check(mvcc_reader_create(b.e, snap, &bench_reader, NULL), "reader");
    row(&b, "point read (mvcc_reader, reused)", op_raw_get, op_mvcc_reader_get, 1);
    mvcc_reader_destroy(bench_reader);
    engine_snapshot_release(snap);
    /* Scans before writes: writes add versions the raw side has no equivalent of. */
    row(&b, "scan 100 keys", op_raw_scan, op_mvcc_scan, 1);
    row(&b, "reverse scan 100 keys", op_raw_scan_reverse, op_mvcc_scan_reverse, 1);
    row(&b, "point write, unsynced", op_raw_put, op_mvcc_put, 1);
    row(&b, "point write, synced", op_raw_put_sync, op_mvcc_put_sync, SYNCED_SECONDS_DIVISOR);

    engine_close(b.e);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    buf_deinit(&b.key);
    buf_deinit(&b.val);
    return 0;
}
