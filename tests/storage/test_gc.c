/* Unit tests for MVCC garbage collection by the data column family's compaction filter:
 * after the horizon is set and the range compacted, exactly the versions no read at
 * ts >= horizon can see are gone, and every such read answers as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "base/buf.h"
#include "base/check.h"
#include "base/env.h"
#include "base/prng.h"
#include "storage/mvcc.h"
#include "storage/support/storage_test.h"

#define TS(w) ((hlc_ts){(w), 0})

enum { GC_KEYS = 60, GC_VERSIONS_MAX = 10, GC_TS_STEP = 10, GC_HORIZON = 55 };

typedef struct gc_model {
    int n_versions[GC_KEYS];
    uint64_t ts[GC_KEYS][GC_VERSIONS_MAX]; /* ascending */
    bool tombstone[GC_KEYS][GC_VERSIONS_MAX];
} gc_model;

static void key_name(int i, char *out, size_t n)
{
    snprintf(out, n, "key%03d", i);
}

/* Write the model's versions. Keys vary: all old, all new, tombstone last, mixed. */
static void write_versions(engine *e, gc_model *m, mice_prng *rng)
{
    char k[16], v[32];
    for (int i = 0; i < GC_KEYS; i++) {
        key_name(i, k, sizeof k);
        int n = 1 + (int)prng_below(rng, GC_VERSIONS_MAX);
        uint64_t first = 1 + prng_below(rng, 100);
        m->n_versions[i] = n;
        engine_batch *b = engine_batch_create(e);
        for (int j = 0; j < n; j++) {
            m->ts[i][j] = first + (uint64_t)j * GC_TS_STEP;
            m->tombstone[i][j] = prng_chance(rng, 1, 4);
            snprintf(v, sizeof v, "%s@%llu", k, (unsigned long long)m->ts[i][j]);
            mice_status rc = m->tombstone[i][j] ? mvcc_delete(b, mice_slice_str(k), TS(m->ts[i][j]))
                                                : mvcc_put(b, mice_slice_str(k), TS(m->ts[i][j]),
                                                           mice_slice_str(v));
            assert_int_equal(rc, MICE_OK);
        }
        assert_int_equal(engine_batch_commit(b, ENGINE_NOSYNC, NULL), MICE_OK);
    }
}

/* Every answer a read at ts in [horizon, max] gives, as one string. */
static void snapshot_answers(engine *e, mice_buf *out)
{
    buf_reset(out);
    mice_buf v;
    buf_init(&v);
    char k[16];
    for (uint64_t ts = GC_HORIZON; ts <= 220; ts++) {
        for (int i = 0; i < GC_KEYS; i++) {
            key_name(i, k, sizeof k);
            bool found;
            mvcc_meta meta;
            assert_int_equal(mvcc_get(e, NULL, mice_slice_str(k), TS(ts), &v, &found, &meta, NULL),
                             MICE_OK);
            buf_printf(out, "%s@%llu:%d:%.*s;", k, (unsigned long long)ts, found, (int)v.n,
                       found ? (const char *)v.p : "");
        }
    }
    buf_deinit(&v);
}

/* Versions present in the data column family, key by key, newest first. */
static int count_raw_versions(engine *e, int key, uint64_t *ts_out)
{
    char k[16];
    key_name(key, k, sizeof k);
    mice_buf lo, hi, ukey;
    buf_init(&lo);
    buf_init(&hi);
    buf_init(&ukey);
    mvcc_encode_key(&lo, mice_slice_str(k), HLC_TS_MAX);
    mvcc_encode_key(&hi, mice_slice_str(k), HLC_TS_ZERO);
    buf_append_u8(&hi, 0);
    engine_iter_opts o = {.cf = STORE_CF_DATA, .lower = buf_slice(&lo), .upper = buf_slice(&hi)};
    engine_iter *it;
    assert_int_equal(engine_iter_create(e, &o, &it, NULL), MICE_OK);
    int n = 0;
    for (engine_iter_first(it); engine_iter_valid(it); engine_iter_next(it)) {
        hlc_ts ts;
        buf_reset(&ukey);
        assert_int_equal(mvcc_decode_key(engine_iter_key(it), &ukey, &ts), MICE_OK);
        ts_out[n++] = ts.wall_ns;
    }
    engine_iter_destroy(it);
    buf_deinit(&lo);
    buf_deinit(&hi);
    buf_deinit(&ukey);
    return n;
}

/* What must survive: versions above the horizon, plus the newest one at or below it
 * unless that is a tombstone and the compaction could drop it. Newest first. */
static int expected_versions(const gc_model *m, int key, bool tombstones_dropped, uint64_t *out)
{
    int n = 0;
    for (int j = m->n_versions[key] - 1; j >= 0; j--) {
        if (m->ts[key][j] > GC_HORIZON) {
            out[n++] = m->ts[key][j];
            continue;
        }
        if (!(m->tombstone[key][j] && tombstones_dropped)) out[n++] = m->ts[key][j];
        break;
    }
    return n;
}

static void test_gc_drops_exactly_the_invisible(void **state)
{
    (void)state;
    char *dir = st_tmpdir("gc");
    engine_config cfg;
    mvcc_config_init(&cfg, dir);
    engine *e;
    assert_int_equal(engine_open(&cfg, &e, NULL), MICE_OK);
    uint64_t seed = 0x6c0001;
    print_message("seed=%llu\n", (unsigned long long)seed);
    mice_prng rng;
    prng_seed(&rng, seed);
    static gc_model m;
    write_versions(e, &m, &rng);
    mice_slice all = mice_slice_of(NULL, 0);

    /* Without a horizon, compaction keeps everything. */
    assert_int_equal(engine_flush(e, NULL), MICE_OK);
    assert_int_equal(engine_compact_range(e, STORE_CF_DATA, all, all, NULL), MICE_OK);
    uint64_t got[GC_VERSIONS_MAX], want[GC_VERSIONS_MAX];
    int total_before = 0;
    for (int i = 0; i < GC_KEYS; i++) {
        assert_int_equal(count_raw_versions(e, i, got), m.n_versions[i]);
        total_before += m.n_versions[i];
    }
    mice_buf before, after;
    buf_init(&before);
    buf_init(&after);
    snapshot_answers(e, &before);

    mvcc_set_gc_horizon(e, TS(GC_HORIZON));
    assert_int_equal(engine_compact_range(e, STORE_CF_DATA, all, all, NULL), MICE_OK);

    /* The whole column family was one compaction's input: tombstones at the horizon go. */
    int total_after = 0;
    for (int i = 0; i < GC_KEYS; i++) {
        int n = count_raw_versions(e, i, got);
        int w = expected_versions(&m, i, true, want);
        if (n != w || memcmp(got, want, sizeof got[0] * (size_t)n)) {
            print_error("key %d: %d versions, want %d\n", i, n, w);
            fail();
        }
        total_after += n;
    }
    print_message("versions before %d, after %d\n", total_before, total_after);
    assert_true(total_after < total_before);

    snapshot_answers(e, &after);
    assert_int_equal(before.n, after.n);
    assert_memory_equal(before.p, after.p, before.n);

    /* Below the horizon the answer is a refusal, not a wrong value. */
    mice_buf v;
    buf_init(&v);
    bool found;
    assert_int_equal(
        mvcc_get(e, NULL, MICE_SLICE_LIT("key001"), TS(GC_HORIZON - 1), &v, &found, NULL, NULL),
        MICE_TS_TOO_OLD);
    buf_deinit(&v);

    /* The drops survive a restart (GC wrote them down in SST files). */
    engine_close(e);
    assert_int_equal(engine_open(&cfg, &e, NULL), MICE_OK);
    for (int i = 0; i < GC_KEYS; i++)
        assert_int_equal(count_raw_versions(e, i, got), expected_versions(&m, i, true, want));
    engine_close(e);
    buf_deinit(&before);
    buf_deinit(&after);
    st_rmtree_free(dir);
}

/* A compaction that does not see every file must keep a tombstone at the horizon: an
 * older version could be hiding in a file outside it. */
static void test_gc_keeps_tombstone_in_partial_compaction(void **state)
{
    (void)state;
    char *dir = st_tmpdir("gcpart");
    engine_config cfg;
    mvcc_config_init(&cfg, dir);
    engine *e;
    assert_int_equal(engine_open(&cfg, &e, NULL), MICE_OK);
    mice_slice k = MICE_SLICE_LIT("k"), other = MICE_SLICE_LIT("z");
    engine_batch *b = engine_batch_create(e);
    assert_int_equal(mvcc_put(b, k, TS(10), MICE_SLICE_LIT("old")), MICE_OK);
    assert_int_equal(mvcc_put(b, other, TS(10), MICE_SLICE_LIT("z")), MICE_OK);
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    mice_slice all = mice_slice_of(NULL, 0);
    assert_int_equal(engine_flush(e, NULL), MICE_OK);
    assert_int_equal(engine_compact_range(e, STORE_CF_DATA, all, all, NULL), MICE_OK);
    b = engine_batch_create(e);
    assert_int_equal(mvcc_delete(b, k, TS(20)), MICE_OK);
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    assert_int_equal(engine_flush(e, NULL), MICE_OK);
    mvcc_set_gc_horizon(e, TS(30));
    /* Compact only the range of "k": the file holding "z" keeps the compaction partial
     * only if RocksDB leaves it out; either way no read at >= 30 may find "old". */
    mice_buf lo, hi, v;
    buf_init(&lo);
    buf_init(&hi);
    buf_init(&v);
    mvcc_encode_key(&lo, k, HLC_TS_MAX);
    mvcc_encode_key(&hi, k, HLC_TS_ZERO);
    assert_int_equal(engine_compact_range(e, STORE_CF_DATA, buf_slice(&lo), buf_slice(&hi), NULL),
                     MICE_OK);
    bool found = true;
    assert_int_equal(mvcc_get(e, NULL, k, TS(30), &v, &found, NULL, NULL), MICE_OK);
    assert_false(found);
    assert_int_equal(mvcc_get(e, NULL, other, TS(30), &v, &found, NULL, NULL), MICE_OK);
    assert_true(found);
    buf_deinit(&lo);
    buf_deinit(&hi);
    buf_deinit(&v);
    engine_close(e);
    st_rmtree_free(dir);
}

/* GC while the engine is busy: a writer adds versions, a second thread keeps raising the
 * horizon behind it, the main thread flushes, compacts and reads. Every read at the
 * newest timestamp must find the newest acknowledged version, whose value names its ts.
 * Mostly a ThreadSanitizer target for the horizon seqlock and the filter's threads. */
enum { BUSY_KEYS = 50, BUSY_VERSIONS = 20000, BUSY_HORIZON_LAG = 100, BUSY_COMPACTIONS = 8 };

typedef struct busy {
    engine *e;
    _Atomic uint64_t acked_ts; /* every version <= this is committed */
    _Atomic bool done;
} busy;

static void *busy_writer(void *arg)
{
    busy *bz = arg;
    char k[16], v[32];
    for (uint64_t ts = 1; ts <= BUSY_VERSIONS; ts++) {
        key_name((int)(ts % BUSY_KEYS), k, sizeof k);
        snprintf(v, sizeof v, "%s@%llu", k, (unsigned long long)ts);
        engine_batch *b = engine_batch_create(bz->e);
        mice_assert(mvcc_put(b, mice_slice_str(k), TS(ts), mice_slice_str(v)) == MICE_OK);
        mice_assert(engine_batch_commit(b, ENGINE_NOSYNC, NULL) == MICE_OK);
        atomic_store(&bz->acked_ts, ts);
    }
    atomic_store(&bz->done, true);
    return NULL;
}

static void *busy_horizon(void *arg)
{
    busy *bz = arg;
    while (!atomic_load(&bz->done)) {
        uint64_t acked = atomic_load(&bz->acked_ts);
        if (acked > BUSY_HORIZON_LAG) mvcc_set_gc_horizon(bz->e, TS(acked - BUSY_HORIZON_LAG));
        env_sleep_ns(mice_env_real(), 100 * MICE_NS_PER_US);
    }
    return NULL;
}

/* Reads at the newest timestamp (a fixed read ts could fall below the moving horizon). */
static void busy_check_reads(busy *bz, mice_buf *v)
{
    uint64_t acked = atomic_load(&bz->acked_ts);
    char k[16], want[32];
    for (int i = 0; i < BUSY_KEYS && acked > BUSY_KEYS; i++) {
        key_name(i, k, sizeof k);
        bool found = false;
        mvcc_meta meta;
        assert_int_equal(
            mvcc_get(bz->e, NULL, mice_slice_str(k), HLC_TS_MAX, v, &found, &meta, NULL), MICE_OK);
        assert_true(found);
        assert_true(meta.ts.wall_ns + BUSY_KEYS > acked); /* nothing acknowledged is missing */
        snprintf(want, sizeof want, "%s@%llu", k, (unsigned long long)meta.ts.wall_ns);
        assert_int_equal(v->n, strlen(want));
        assert_memory_equal(v->p, want, v->n);
    }
}

static void test_gc_while_busy(void **state)
{
    (void)state;
    char *dir = st_tmpdir("gcbusy");
    engine_config cfg;
    mvcc_config_init(&cfg, dir);
    cfg.write_buffer_bytes = 256 << 10; /* small memtables: flushes and compactions happen */
    busy bz = {0};
    assert_int_equal(engine_open(&cfg, &bz.e, NULL), MICE_OK);
    pthread_t writer, horizon;
    assert_int_equal(pthread_create(&writer, NULL, busy_writer, &bz), 0);
    assert_int_equal(pthread_create(&horizon, NULL, busy_horizon, &bz), 0);
    mice_buf v;
    buf_init(&v);
    mice_slice all = mice_slice_of(NULL, 0);
    for (int i = 0; i < BUSY_COMPACTIONS || !atomic_load(&bz.done); i++) {
        assert_int_equal(engine_flush(bz.e, NULL), MICE_OK);
        assert_int_equal(engine_compact_range(bz.e, STORE_CF_DATA, all, all, NULL), MICE_OK);
        busy_check_reads(&bz, &v);
    }
    pthread_join(writer, NULL);
    pthread_join(horizon, NULL);
    assert_int_equal(engine_compact_range(bz.e, STORE_CF_DATA, all, all, NULL), MICE_OK);
    busy_check_reads(&bz, &v);
    engine_cf_stats st;
    assert_int_equal(engine_stats(bz.e, STORE_CF_DATA, &st, NULL), MICE_OK);
    print_message("after GC: ~%llu versions of %d written\n", (unsigned long long)st.estimated_keys,
                  BUSY_VERSIONS);
    assert_true(st.estimated_keys < BUSY_VERSIONS);
    buf_deinit(&v);
    engine_close(bz.e);
    st_rmtree_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gc_drops_exactly_the_invisible),
        cmocka_unit_test(test_gc_keeps_tombstone_in_partial_compaction),
        cmocka_unit_test(test_gc_while_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
