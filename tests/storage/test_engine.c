/* Unit tests for storage/engine: open statuses, batches across column families, bounded
 * iterators both ways, snapshots, checkpoints, SST write + ingest, compaction, stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"
#include "storage/engine.h"
#include "storage/support/storage_test.h"

#define S(lit) MICE_SLICE_LIT(lit)

static engine *open_ok(const char *dir)
{
    engine_config cfg;
    engine_config_init(&cfg, dir);
    engine *e = NULL;
    mice_err err;
    mice_status rc = engine_open(&cfg, &e, &err);
    if (rc) print_error("open: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    assert_non_null(e);
    return e;
}

static void put1(engine *e, engine_cf cf, const char *k, const char *v, engine_sync sync)
{
    engine_batch *b = engine_batch_create(e);
    engine_batch_put(b, cf, mice_slice_str(k), mice_slice_str(v));
    assert_int_equal(engine_batch_commit(b, sync, NULL), MICE_OK);
}

/* Expect cf:k to hold v, or to be absent when v is NULL. */
static void expect(engine *e, engine_cf cf, const engine_snapshot *snap, const char *k,
                   const char *v)
{
    mice_buf out;
    buf_init(&out);
    bool found = true;
    assert_int_equal(engine_get(e, cf, snap, mice_slice_str(k), &out, &found, NULL), MICE_OK);
    if (!v) {
        assert_false(found);
    } else {
        assert_true(found);
        assert_int_equal(out.n, strlen(v));
        assert_memory_equal(out.p, v, out.n);
    }
    buf_deinit(&out);
}

static void test_open_put_get_reopen(void **state)
{
    (void)state;
    char *dir = st_tmpdir("reopen");
    engine *e = open_ok(dir);
    assert_string_equal(engine_dir(e), dir);
    put1(e, STORE_CF_DATA, "k", "data", ENGINE_SYNC);
    put1(e, STORE_CF_LOCKS, "k", "lock", ENGINE_NOSYNC);
    put1(e, STORE_CF_RAFT, "k", "raft", ENGINE_SYNC_DEFAULT);
    expect(e, STORE_CF_DATA, NULL, "k", "data");
    expect(e, STORE_CF_LOCKS, NULL, "k", "lock");
    expect(e, STORE_CF_RAFT, NULL, "k", "raft");
    expect(e, STORE_CF_META, NULL, "k", NULL); /* column families are separate spaces */
    engine_close(e);
    e = open_ok(dir);
    expect(e, STORE_CF_DATA, NULL, "k", "data");
    expect(e, STORE_CF_LOCKS, NULL, "k", "lock");
    expect(e, STORE_CF_RAFT, NULL, "k", "raft");
    assert_string_equal(engine_cf_name(STORE_CF_META), "meta");
    engine_close(e);
    engine_close(NULL);
    st_rmtree_free(dir);
}

static mice_status try_open(const char *dir, bool create, bool excl, engine **e, mice_err *err)
{
    engine_config cfg;
    engine_config_init(&cfg, dir);
    cfg.create_if_missing = create;
    cfg.error_if_exists = excl;
    return engine_open(&cfg, e, err);
}

static void test_open_errors(void **state)
{
    (void)state;
    char *dir = st_tmpdir("openerr");
    char sub[ST_PATH_MAX];
    mice_err err;
    engine *e = NULL, *e2 = NULL;
    st_path(sub, sizeof sub, dir, "db");

    assert_int_equal(try_open("", true, false, &e, &err), MICE_INVALID);
    assert_int_equal(try_open(sub, false, false, &e, &err), MICE_NOTFOUND);
    assert_null(e);
    assert_int_equal(try_open(sub, true, true, &e, &err), MICE_OK);
    /* A second engine on the same directory is refused while the first holds it. */
    assert_int_equal(try_open(sub, true, false, &e2, &err), MICE_BUSY);
    assert_null(e2);
    engine_close(e);
    assert_int_equal(try_open(sub, true, true, &e, &err), MICE_EXISTS);

    /* Damage the CURRENT file: the engine must say corrupt, not crash. */
    char current[ST_PATH_MAX];
    st_path(current, sizeof current, sub, "CURRENT");
    FILE *f = fopen(current, "w");
    assert_non_null(f);
    fputs("garbage-without-newline", f);
    fclose(f);
    mice_status rc = try_open(sub, true, false, &e, &err);
    assert_int_equal(rc, MICE_CORRUPT);

    /* A path through a regular file: the file system refuses. */
    char under_file[ST_PATH_MAX];
    st_path(under_file, sizeof under_file, current, "db");
    assert_int_equal(try_open(under_file, true, false, &e, &err), MICE_IOERR);
    assert_non_null(strstr(mice_err_msg(&err), "storage: open"));
    st_rmtree_free(dir);
}

static void test_batch_atomic_and_ops(void **state)
{
    (void)state;
    char *dir = st_tmpdir("batch");
    engine *e = open_ok(dir);
    engine_batch *b = engine_batch_create(e);
    assert_ptr_equal(engine_batch_engine(b), e);
    const char *keys[] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++)
        engine_batch_put(b, STORE_CF_META, S("x"), S("y"));
    for (int i = 0; i < 5; i++)
        engine_batch_put(b, STORE_CF_DATA, mice_slice_str(keys[i]), mice_slice_str(keys[i]));
    assert_int_equal(engine_batch_count(b), 10);
    assert_true(engine_batch_bytes(b) > 0);
    /* Nothing is visible before commit; a destroyed batch leaves no trace. */
    expect(e, STORE_CF_DATA, NULL, "a", NULL);
    engine_batch_destroy(b);
    engine_batch_destroy(NULL);
    expect(e, STORE_CF_META, NULL, "x", NULL);

    b = engine_batch_create(e);
    for (int i = 0; i < 5; i++)
        engine_batch_put(b, STORE_CF_DATA, mice_slice_str(keys[i]), mice_slice_str(keys[i]));
    engine_batch_delete(b, STORE_CF_DATA, S("a"));
    engine_batch_delete_range(b, STORE_CF_DATA, S("c"), S("e")); /* c, d; not e */
    engine_batch_put(b, STORE_CF_LOCKS, S("l"), S("1"));
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    expect(e, STORE_CF_DATA, NULL, "a", NULL);
    expect(e, STORE_CF_DATA, NULL, "b", "b");
    expect(e, STORE_CF_DATA, NULL, "c", NULL);
    expect(e, STORE_CF_DATA, NULL, "d", NULL);
    expect(e, STORE_CF_DATA, NULL, "e", "e");
    expect(e, STORE_CF_LOCKS, NULL, "l", "1");
    engine_close(e);
    st_rmtree_free(dir);
}

/* Collect the iterator's keys, forward or reverse, into one "k1,k2," string. */
static void walk(engine_iter *it, bool reverse, char *out, size_t out_n)
{
    out[0] = 0;
    if (reverse)
        engine_iter_last(it);
    else
        engine_iter_first(it);
    for (; engine_iter_valid(it); reverse ? engine_iter_prev(it) : engine_iter_next(it)) {
        mice_slice k = engine_iter_key(it);
        size_t len = strlen(out);
        snprintf(out + len, out_n - len, "%.*s,", (int)k.n, (const char *)k.p);
    }
    assert_int_equal(engine_iter_status(it, NULL), MICE_OK);
}

static void test_iterators_bounds_and_snapshots(void **state)
{
    (void)state;
    char *dir = st_tmpdir("iter");
    engine *e = open_ok(dir);
    const char *keys[] = {"a", "b", "bb", "c", "d"};
    for (int i = 0; i < 5; i++)
        put1(e, STORE_CF_DATA, keys[i], "v", ENGINE_NOSYNC);
    put1(e, STORE_CF_META, "zz", "v", ENGINE_NOSYNC);

    engine_snapshot *snap = engine_snapshot_create(e);
    put1(e, STORE_CF_DATA, "bc", "late", ENGINE_NOSYNC);

    char got[256];
    engine_iter *it = NULL;
    engine_iter_opts o = {.cf = STORE_CF_DATA, .lower = S("b"), .upper = S("d")};
    assert_int_equal(engine_iter_create(e, &o, &it, NULL), MICE_OK);
    assert_false(engine_iter_valid(it));
    walk(it, false, got, sizeof got);
    assert_string_equal(got, "b,bb,bc,c,");
    walk(it, true, got, sizeof got);
    assert_string_equal(got, "c,bc,bb,b,");
    engine_iter_seek(it, S("bb"));
    assert_true(engine_iter_valid(it));
    assert_memory_equal(engine_iter_key(it).p, "bb", 2);
    assert_memory_equal(engine_iter_value(it).p, "v", 1);
    engine_iter_seek_for_prev(it, S("bbb"));
    assert_memory_equal(engine_iter_key(it).p, "bb", 2);
    engine_iter_seek(it, S("z")); /* past the upper bound */
    assert_false(engine_iter_valid(it));
    engine_iter_destroy(it);

    /* On the snapshot, the later write is invisible to iterators and gets alike. */
    engine_iter_opts so = {.cf = STORE_CF_DATA, .snap = snap};
    assert_int_equal(engine_iter_create(e, &so, &it, NULL), MICE_OK);
    walk(it, false, got, sizeof got);
    assert_string_equal(got, "a,b,bb,c,d,");
    engine_iter_destroy(it);
    engine_iter_destroy(NULL);
    expect(e, STORE_CF_DATA, snap, "bc", NULL);
    expect(e, STORE_CF_DATA, NULL, "bc", "late");
    engine_snapshot_release(snap);
    engine_snapshot_release(NULL);

    engine_iter_opts lo = {.cf = STORE_CF_DATA, .lower = S("c"), .no_fill_cache = true};
    assert_int_equal(engine_iter_create(e, &lo, &it, NULL), MICE_OK);
    walk(it, true, got, sizeof got);
    assert_string_equal(got, "d,c,");
    engine_iter_destroy(it);
    engine_close(e);
    st_rmtree_free(dir);
}

static void test_checkpoint(void **state)
{
    (void)state;
    char *dir = st_tmpdir("ckpt");
    char db[ST_PATH_MAX], cp[ST_PATH_MAX];
    st_path(db, sizeof db, dir, "db");
    st_path(cp, sizeof cp, dir, "cp");
    engine *e = open_ok(db);
    put1(e, STORE_CF_DATA, "k1", "v1", ENGINE_SYNC);
    assert_int_equal(engine_flush(e, NULL), MICE_OK);
    put1(e, STORE_CF_RAFT, "k2", "v2", ENGINE_SYNC); /* still in the memtable / WAL */
    assert_int_equal(engine_checkpoint(e, cp, NULL), MICE_OK);
    mice_err err;
    assert_int_equal(engine_checkpoint(e, cp, &err), MICE_EXISTS);
    put1(e, STORE_CF_DATA, "k3", "after", ENGINE_SYNC);
    engine_close(e);

    e = open_ok(cp);
    expect(e, STORE_CF_DATA, NULL, "k1", "v1");
    expect(e, STORE_CF_RAFT, NULL, "k2", "v2");
    expect(e, STORE_CF_DATA, NULL, "k3", NULL);
    engine_close(e);
    st_rmtree_free(dir);
}

static void test_sst_write_and_ingest(void **state)
{
    (void)state;
    char *dir = st_tmpdir("sst");
    char db[ST_PATH_MAX], sst[ST_PATH_MAX], bad[ST_PATH_MAX], missing[ST_PATH_MAX];
    st_path(db, sizeof db, dir, "db");
    st_path(sst, sizeof sst, dir, "a.sst");
    st_path(bad, sizeof bad, dir, "bad.sst");
    st_path(missing, sizeof missing, dir, "missing.sst");
    engine *e = open_ok(db);
    put1(e, STORE_CF_DATA, "k000", "old", ENGINE_NOSYNC);

    engine_sst_writer *w = NULL;
    mice_err err;
    assert_int_equal(engine_sst_writer_create(e, STORE_CF_DATA, sst, &w, &err), MICE_OK);
    char k[16];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof k, "k%03d", i);
        assert_int_equal(engine_sst_writer_put(w, mice_slice_str(k), S("sst"), &err), MICE_OK);
    }
    uint64_t size = 0;
    assert_int_equal(engine_sst_writer_finish(w, &size, &err), MICE_OK);
    assert_true(size > 0);
    engine_sst_writer_destroy(w);

    /* Keys out of order are refused. */
    assert_int_equal(engine_sst_writer_create(e, STORE_CF_DATA, bad, &w, &err), MICE_OK);
    assert_int_equal(engine_sst_writer_put(w, S("b"), S("1"), &err), MICE_OK);
    assert_int_equal(engine_sst_writer_put(w, S("a"), S("1"), &err), MICE_INVALID);
    engine_sst_writer_destroy(w);
    engine_sst_writer_destroy(NULL);

    const char *paths[] = {sst};
    assert_int_equal(engine_ingest(e, STORE_CF_DATA, paths, 1, true, &err), MICE_OK);
    expect(e, STORE_CF_DATA, NULL, "k000", "sst"); /* the ingested file is newer */
    expect(e, STORE_CF_DATA, NULL, "k099", "sst");
    expect(e, STORE_CF_META, NULL, "k099", NULL);
    const char *none[] = {missing};
    mice_status rc = engine_ingest(e, STORE_CF_DATA, none, 1, false, &err);
    print_message("ingest of a missing file: %s (%s)\n", mice_status_name(rc), mice_err_msg(&err));
    assert_int_equal(rc, MICE_IOERR);
    engine_close(e);
    st_rmtree_free(dir);
}

static void test_compaction_stats_and_horizon(void **state)
{
    (void)state;
    char *dir = st_tmpdir("compact");
    engine *e = open_ok(dir);
    engine_batch *b = engine_batch_create(e);
    char k[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(k, sizeof k, "key%05d", i);
        engine_batch_put(b, STORE_CF_DATA, mice_slice_str(k), S("value"));
    }
    assert_int_equal(engine_batch_commit(b, ENGINE_NOSYNC, NULL), MICE_OK);
    engine_cf_stats st;
    assert_int_equal(engine_stats(e, STORE_CF_DATA, &st, NULL), MICE_OK);
    assert_true(st.memtable_bytes > 0);
    assert_int_equal(engine_flush(e, NULL), MICE_OK);
    assert_int_equal(engine_compact_range(e, STORE_CF_DATA, mice_slice_of(NULL, 0),
                                          mice_slice_of(NULL, 0), NULL),
                     MICE_OK);
    assert_int_equal(engine_stats(e, STORE_CF_DATA, &st, NULL), MICE_OK);
    assert_true(st.estimated_keys >= 900 && st.estimated_keys <= 1100);
    assert_true(st.live_sst_bytes > 0);
    assert_true(st.sst_files >= 1);
    expect(e, STORE_CF_DATA, NULL, "key00500", "value");
    (void)engine_block_cache_usage_bytes(e);

    assert_true(hlc_ts_is_zero(engine_gc_horizon(e)));
    engine_set_gc_horizon(e, (hlc_ts){100, 5});
    engine_set_gc_horizon(e, (hlc_ts){100, 4}); /* never moves back */
    hlc_ts h = engine_gc_horizon(e);
    assert_int_equal(h.wall_ns, 100);
    assert_int_equal(h.logical, 5);
    engine_close(e);
    st_rmtree_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_put_get_reopen),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_batch_atomic_and_ops),
        cmocka_unit_test(test_iterators_bounds_and_snapshots),
        cmocka_unit_test(test_checkpoint),
        cmocka_unit_test(test_sst_write_and_ingest),
        cmocka_unit_test(test_compaction_stats_and_horizon),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
