/* Unit tests for storage/mvcc: visibility of versions and tombstones at every timestamp,
 * keys that are prefixes of each other or hold 0x00/0xFF, scans both ways with bounds and
 * limits, expiry, the GC horizon's refusals, corrupt versions, and a seeded random
 * comparison against an in-memory model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/prng.h"
#include "storage/mvcc.h"
#include "storage/support/storage_test.h"

#define S(lit) MICE_SLICE_LIT(lit)
#define TS(w) ((hlc_ts){(w), 0})

typedef struct fixture {
    char *dir;
    engine *e;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = st_tmpdir("mvcc");
    engine_config cfg;
    mvcc_config_init(&cfg, f->dir);
    mice_err err;
    if (engine_open(&cfg, &f->e, &err)) {
        print_error("open: %s\n", mice_err_msg(&err));
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    engine_close(f->e);
    st_rmtree_free(f->dir);
    free(f);
    return 0;
}

static void put(engine *e, mice_slice k, uint64_t ts, const char *v)
{
    engine_batch *b = engine_batch_create(e);
    mice_status rc = v ? mvcc_put(b, k, TS(ts), mice_slice_str(v)) : mvcc_delete(b, k, TS(ts));
    assert_int_equal(rc, MICE_OK);
    assert_int_equal(engine_batch_commit(b, ENGINE_NOSYNC, NULL), MICE_OK);
}

/* Expect key at ts to read v (NULL = absent) from both mvcc_get and a reader. */
static void expect_at(engine *e, const engine_snapshot *snap, mice_slice k, uint64_t ts,
                      const char *v, uint64_t want_version)
{
    mice_buf out;
    buf_init(&out);
    bool found = true;
    mvcc_meta meta;
    assert_int_equal(mvcc_get(e, snap, k, TS(ts), &out, &found, &meta, NULL), MICE_OK);
    assert_int_equal(found, v != NULL);
    if (v) {
        assert_int_equal(out.n, strlen(v));
        assert_memory_equal(out.p, v, out.n);
    }
    assert_int_equal(meta.ts.wall_ns, want_version);
    mvcc_reader *r = NULL;
    assert_int_equal(mvcc_reader_create(e, snap, &r, NULL), MICE_OK);
    buf_reset(&out);
    assert_int_equal(mvcc_reader_get(r, k, TS(ts), &out, &found, NULL, NULL), MICE_OK);
    assert_int_equal(found, v != NULL);
    if (v) assert_memory_equal(out.p, v, out.n);
    mvcc_reader_destroy(r);
    buf_deinit(&out);
}

static void test_versions_and_tombstones(void **state)
{
    fixture *f = *state;
    mice_slice k = S("key");
    put(f->e, k, 10, "v10");
    put(f->e, k, 20, "v20");
    put(f->e, k, 30, NULL);
    engine_snapshot *snap = engine_snapshot_create(f->e);
    put(f->e, k, 40, "v40");
    put(f->e, S("kez"), 1, "other"); /* a neighbour must not leak into key's reads */

    expect_at(f->e, NULL, k, 5, NULL, 0);
    expect_at(f->e, NULL, k, 10, "v10", 10);
    expect_at(f->e, NULL, k, 15, "v10", 10);
    expect_at(f->e, NULL, k, 20, "v20", 20);
    expect_at(f->e, NULL, k, 29, "v20", 20);
    expect_at(f->e, NULL, k, 30, NULL, 30); /* the tombstone is reported in meta */
    expect_at(f->e, NULL, k, 39, NULL, 30);
    expect_at(f->e, NULL, k, 40, "v40", 40);
    expect_at(f->e, NULL, k, UINT64_MAX, "v40", 40);
    expect_at(f->e, snap, k, UINT64_MAX, NULL, 30);
    expect_at(f->e, NULL, S("ke"), 100, NULL, 0);
    expect_at(f->e, NULL, S("keyy"), 100, NULL, 0);

    mvcc_meta meta;
    bool exists = false;
    assert_int_equal(mvcc_newest(f->e, NULL, k, &exists, &meta, NULL), MICE_OK);
    assert_true(exists);
    assert_int_equal(meta.ts.wall_ns, 40);
    assert_int_equal(mvcc_newest(f->e, snap, k, &exists, &meta, NULL), MICE_OK);
    assert_true(exists && meta.tombstone && meta.ts.wall_ns == 30);
    assert_int_equal(mvcc_newest(f->e, NULL, S("nope"), &exists, &meta, NULL), MICE_OK);
    assert_false(exists);
    engine_snapshot_release(snap);

    /* Logical ticks order versions inside one wall-clock nanosecond. */
    engine_batch *b = engine_batch_create(f->e);
    assert_int_equal(mvcc_put(b, S("l"), (hlc_ts){50, 1}, S("one")), MICE_OK);
    assert_int_equal(mvcc_put(b, S("l"), (hlc_ts){50, 2}, S("two")), MICE_OK);
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    mice_buf out;
    buf_init(&out);
    bool found;
    assert_int_equal(mvcc_get(f->e, NULL, S("l"), (hlc_ts){50, 1}, &out, &found, NULL, NULL), 0);
    assert_true(found && out.n == 3 && !memcmp(out.p, "one", 3));
    assert_int_equal(mvcc_get(f->e, NULL, S("l"), (hlc_ts){50, 3}, &out, &found, NULL, NULL), 0);
    assert_true(found && out.n == 3 && !memcmp(out.p, "two", 3));
    buf_deinit(&out);
}

/* Scan results as "key=value;" with bytes outside [a-z0-9] as \xHH. */
typedef struct collect {
    char text[2048];
    int rows;
    int stop_after;
} collect;

static void append_escaped(collect *c, mice_slice s)
{
    for (size_t i = 0; i < s.n; i++) {
        size_t len = strlen(c->text);
        uint8_t ch = s.p[i];
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        snprintf(c->text + len, sizeof c->text - len, plain ? "%c" : "\\x%02x", ch);
    }
}

static mice_status on_row(void *ctx, mice_slice key, mice_slice value, const mvcc_meta *meta)
{
    collect *c = ctx;
    assert_false(meta->tombstone);
    append_escaped(c, key);
    strcat(c->text, "=");
    append_escaped(c, value);
    strcat(c->text, ";");
    c->rows++;
    if (c->stop_after && c->rows >= c->stop_after) return MICE_ABORTED;
    return MICE_OK;
}

static const char *scan(engine *e, const char *start, const char *end, uint64_t ts, size_t limit,
                        bool reverse)
{
    static collect c;
    memset(&c, 0, sizeof c);
    mvcc_scan_opts o = {.start = mice_slice_str(start),
                        .end = mice_slice_str(end),
                        .ts = TS(ts),
                        .limit = limit,
                        .reverse = reverse};
    mice_err err;
    mice_status rc = mvcc_scan(e, &o, on_row, &c, &err);
    if (rc) print_error("scan: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK);
    return c.text;
}

static void test_scan_bounds_limits_directions(void **state)
{
    fixture *f = *state;
    char k[8], v[8];
    for (int i = 0; i < 8; i++) {
        snprintf(k, sizeof k, "k%d", i);
        for (int ts = 10; ts <= 30; ts += 10) {
            snprintf(v, sizeof v, "%d", i * 100 + ts);
            put(f->e, mice_slice_str(k), (uint64_t)ts + (uint64_t)i, v);
        }
    }
    put(f->e, S("k3"), 35, NULL);    /* deleted from 35 on */
    put(f->e, S("k9"), 100, "late"); /* invisible before 100 */

    assert_string_equal(scan(f->e, "k2", "k5", 50, 0, false), "k2=230;k4=430;");
    assert_string_equal(scan(f->e, "k2", "k5", 34, 0, false), "k2=230;k3=330;k4=430;");
    assert_string_equal(scan(f->e, "k2", "k5", 50, 0, true), "k4=430;k2=230;");
    assert_string_equal(scan(f->e, "k2", "k5", 15, 0, true), "k4=410;k3=310;k2=210;");
    assert_string_equal(scan(f->e, "k2", "k5", 12, 0, false), "k2=210;");
    assert_string_equal(scan(f->e, "k0", "", 50, 2, false), "k0=30;k1=130;");
    assert_string_equal(scan(f->e, "k0", "", 50, 2, true), "k7=730;k6=630;");
    assert_string_equal(scan(f->e, "k0", "", 200, 1, true), "k9=late;");
    assert_string_equal(scan(f->e, "k5", "k6", 50, 0, true), "k5=530;");  /* start included */
    assert_string_equal(scan(f->e, "k50", "k6", 50, 0, false), "");       /* between keys */
    assert_string_equal(scan(f->e, "k6", "k5", 50, 0, false), "");        /* empty span */
    assert_string_equal(scan(f->e, "", "k1", 50, 0, false), "k0=30;");    /* from the start */
    assert_string_equal(scan(f->e, "", "k1", 5, 0, false), "");           /* before all */
    assert_string_equal(scan(f->e, "k7", "k9", 200, 0, true), "k7=730;"); /* end excluded */
    assert_string_equal(scan(f->e, "k", "k0\x01", 50, 0, false), "k0=30;");

    /* A callback's status stops the scan and comes back. */
    collect c = {.stop_after = 2};
    mvcc_scan_opts o = {.start = S("k"), .ts = TS(50)};
    assert_int_equal(mvcc_scan(f->e, &o, on_row, &c, NULL), MICE_ABORTED);
    assert_int_equal(c.rows, 2);
}

static void test_prefix_keys_and_special_bytes(void **state)
{
    fixture *f = *state;
    /* Sorted bytewise, a proper prefix first. */
    static const struct {
        const char *p;
        size_t n;
    } keys[] = {{"", 0},
                {"\x00", 1},
                {"\x00\x00", 2},
                {"\x00\xff", 2},
                {"a", 1},
                {"a\x00", 2},
                {"a\x00\x00", 3},
                {"a\x00\x01", 3},
                {"a\x00"
                 "b",
                 3},
                {"a\x01", 2},
                {"ab", 2},
                {"a\xff", 2},
                {"a\xff\xff", 3},
                {"b", 1},
                {"\xff", 1},
                {"\xff\x00", 2},
                {"\xff\xff", 2}};
    enum { N = sizeof keys / sizeof keys[0] };
    char v[8];
    for (int i = 0; i < N; i++) {
        snprintf(v, sizeof v, "v%d", i);
        put(f->e, mice_slice_of(keys[i].p, keys[i].n), 10, v);
        put(f->e, mice_slice_of(keys[i].p, keys[i].n), 20 + (uint64_t)(i % 3), i % 2 ? NULL : "x");
    }
    for (int i = 0; i < N; i++) {
        snprintf(v, sizeof v, "v%d", i);
        expect_at(f->e, NULL, mice_slice_of(keys[i].p, keys[i].n), 15, v, 10);
        uint64_t vts = 20 + (uint64_t)(i % 3);
        expect_at(f->e, NULL, mice_slice_of(keys[i].p, keys[i].n), 30, i % 2 ? NULL : "x", vts);
    }
    /* Forward and reverse scans at 15 list every key exactly once, in byte order. */
    mvcc_scan_opts o = {.ts = TS(15)};
    collect fwd = {0}, rev = {0};
    assert_int_equal(mvcc_scan(f->e, &o, on_row, &fwd, NULL), MICE_OK);
    o.reverse = true;
    assert_int_equal(mvcc_scan(f->e, &o, on_row, &rev, NULL), MICE_OK);
    assert_int_equal(fwd.rows, N);
    assert_int_equal(rev.rows, N);
    collect want = {0};
    for (int i = 0; i < N; i++) {
        snprintf(v, sizeof v, "v%d", i);
        on_row(&want, mice_slice_of(keys[i].p, keys[i].n), mice_slice_str(v), &(mvcc_meta){0});
    }
    assert_string_equal(fwd.text, want.text);
    /* A scan bounded by a key and its extension holds just that key. */
    o = (mvcc_scan_opts){.start = S("a"), .end = mice_slice_of("a\x00", 2), .ts = TS(15)};
    collect one = {0};
    assert_int_equal(mvcc_scan(f->e, &o, on_row, &one, NULL), MICE_OK);
    assert_string_equal(one.text, "a=v4;");
}

static void test_expiry_and_layout(void **state)
{
    fixture *f = *state;
    engine_batch *b = engine_batch_create(f->e);
    assert_int_equal(mvcc_put_with_expiry(b, S("ttl"), TS(7), S("val"), 123456789), MICE_OK);
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    mice_buf out;
    buf_init(&out);
    bool found;
    mvcc_meta meta;
    assert_int_equal(mvcc_get(f->e, NULL, S("ttl"), TS(9), &out, &found, &meta, NULL), MICE_OK);
    assert_true(found && meta.has_expiry && !meta.tombstone);
    assert_int_equal(meta.expiry_wall_ns, 123456789);
    assert_int_equal(out.n, 3);

    /* Layout round trip; newer versions sort first. */
    mice_buf a, c, key;
    buf_init(&a);
    buf_init(&c);
    buf_init(&key);
    mvcc_encode_key(&a, mice_slice_of("x\x00y", 3), (hlc_ts){5, 9});
    mvcc_encode_key(&c, mice_slice_of("x\x00y", 3), (hlc_ts){6, 0});
    assert_true(mice_slice_cmp(buf_slice(&c), buf_slice(&a)) < 0);
    hlc_ts ts;
    assert_int_equal(mvcc_decode_key(buf_slice(&a), &key, &ts), MICE_OK);
    assert_true(key.n == 3 && !memcmp(key.p, "x\x00y", 3));
    assert_true(ts.wall_ns == 5 && ts.logical == 9);
    assert_int_equal(mvcc_decode_key(S("short"), &key, &ts), MICE_CORRUPT);
    assert_int_equal(mvcc_decode_key(S("\x70zzzzzzzzzzzzzzz"), &key, &ts), MICE_CORRUPT);
    mice_slice v;
    assert_int_equal(mvcc_decode_value(S(""), &meta, &v), MICE_CORRUPT);
    assert_int_equal(mvcc_decode_value(S("\x04"), &meta, &v), MICE_CORRUPT);
    assert_int_equal(mvcc_decode_value(S("\x02\x01"), &meta, &v), MICE_CORRUPT);
    assert_int_equal(mvcc_decode_value(S("\x01x"), &meta, &v), MICE_CORRUPT);

    /* A damaged version on disk reads as corrupt, never as data. */
    buf_reset(&a);
    mvcc_encode_key(&a, S("bad"), TS(3));
    b = engine_batch_create(f->e);
    engine_batch_put(b, STORE_CF_DATA, buf_slice(&a), S("\x80"));
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    assert_int_equal(mvcc_get(f->e, NULL, S("bad"), TS(9), &out, &found, NULL, NULL), MICE_CORRUPT);
    mvcc_scan_opts o = {.start = S("b"), .end = S("c"), .ts = TS(9)};
    collect col = {0};
    assert_int_equal(mvcc_scan(f->e, &o, on_row, &col, NULL), MICE_CORRUPT);
    buf_deinit(&a);
    buf_deinit(&c);
    buf_deinit(&key);
    buf_deinit(&out);
}

static void test_gc_horizon_refusals(void **state)
{
    fixture *f = *state;
    put(f->e, S("k"), 10, "a");
    put(f->e, S("k"), 30, "b");
    mvcc_set_gc_horizon(f->e, TS(25));
    assert_int_equal(mvcc_gc_horizon(f->e).wall_ns, 25);
    mice_buf out;
    buf_init(&out);
    bool found;
    mice_err err;
    assert_int_equal(mvcc_get(f->e, NULL, S("k"), TS(24), &out, &found, NULL, &err),
                     MICE_TS_TOO_OLD);
    assert_non_null(strstr(mice_err_msg(&err), "horizon"));
    expect_at(f->e, NULL, S("k"), 25, "a", 10); /* at the horizon is still fine */
    mvcc_reader *r;
    assert_int_equal(mvcc_reader_create(f->e, NULL, &r, NULL), MICE_OK);
    assert_int_equal(mvcc_reader_get(r, S("k"), TS(1), &out, &found, NULL, NULL), MICE_TS_TOO_OLD);
    mvcc_reader_destroy(r);
    mvcc_reader_destroy(NULL);
    mvcc_scan_opts o = {.ts = TS(20)};
    collect c = {0};
    assert_int_equal(mvcc_scan(f->e, &o, on_row, &c, NULL), MICE_TS_TOO_OLD);
    engine_batch *b = engine_batch_create(f->e);
    assert_int_equal(mvcc_put(b, S("k"), TS(25), S("x")), MICE_TS_TOO_OLD);
    assert_int_equal(mvcc_delete(b, S("k"), TS(2)), MICE_TS_TOO_OLD);
    assert_int_equal(mvcc_put(b, S("k"), TS(26), S("x")), MICE_OK);
    engine_batch_destroy(b);
    buf_deinit(&out);
}

/* --- seeded comparison against a model ---------------------------------------------- */

enum { MODEL_KEYS = 24, MODEL_OPS = 600, MODEL_TS_MAX = 60, MODEL_CHECKS = 400, MODEL_SCANS = 300 };

typedef struct model_version {
    int key;
    uint64_t ts;
    int value; /* -1 = tombstone */
} model_version;

static uint8_t model_key_bytes[MODEL_KEYS][4];
static size_t model_key_n[MODEL_KEYS];

/* The model's answer: index of the newest version of key <= ts, or -1. */
static int model_read(const model_version *v, int n, int key, uint64_t ts)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (v[i].key == key && v[i].ts <= ts && (best < 0 || v[i].ts > v[best].ts)) best = i;
    return best;
}

/* The model's visible value of the key with these bytes at ts, or -1 (absent). */
static int model_visible(const model_version *v, int n, mice_slice key, uint64_t ts)
{
    int best = -1;
    for (int i = 0; i < n; i++) {
        mice_slice k = mice_slice_of(model_key_bytes[v[i].key], model_key_n[v[i].key]);
        if (mice_slice_eq(k, key) && v[i].ts <= ts && (best < 0 || v[i].ts > v[best].ts)) best = i;
    }
    return best < 0 ? -1 : v[best].value;
}

static int cmp_model_keys(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return mice_slice_cmp(mice_slice_of(model_key_bytes[x], model_key_n[x]),
                          mice_slice_of(model_key_bytes[y], model_key_n[y]));
}

/* Random scans (bounds, limit, direction) against the model's answer. */
static void check_random_scans(engine *e, const model_version *v, int n, mice_prng *rng)
{
    int order[MODEL_KEYS], distinct = 0;
    for (int k = 0; k < MODEL_KEYS; k++)
        order[k] = k;
    qsort(order, MODEL_KEYS, sizeof order[0], cmp_model_keys);
    for (int k = 0; k < MODEL_KEYS; k++)
        if (!distinct || cmp_model_keys(&order[k], &order[distinct - 1]))
            order[distinct++] = order[k];
    for (int i = 0; i < MODEL_SCANS; i++) {
        int a = (int)prng_below(rng, MODEL_KEYS), b = (int)prng_below(rng, MODEL_KEYS);
        mvcc_scan_opts o = {.start = mice_slice_of(model_key_bytes[a], model_key_n[a]),
                            .end = mice_slice_of(model_key_bytes[b], model_key_n[b]),
                            .ts = TS(prng_below(rng, MODEL_TS_MAX + 2)),
                            .limit = (size_t)prng_below(rng, 6),
                            .reverse = prng_chance(rng, 1, 2)};
        collect want = {0}, got = {0};
        for (int j = 0; j < distinct; j++) {
            int k = order[o.reverse ? distinct - 1 - j : j];
            mice_slice key = mice_slice_of(model_key_bytes[k], model_key_n[k]);
            if (mice_slice_cmp(key, o.start) < 0) continue;
            if (o.end.n && mice_slice_cmp(key, o.end) >= 0) continue;
            int value = model_visible(v, n, key, o.ts.wall_ns);
            if (value < 0 || (o.limit && (size_t)want.rows >= o.limit)) continue;
            char text[16];
            snprintf(text, sizeof text, "%d", value);
            on_row(&want, key, mice_slice_str(text), &(mvcc_meta){0});
        }
        assert_int_equal(mvcc_scan(e, &o, on_row, &got, NULL), MICE_OK);
        if (strcmp(want.text, got.text))
            print_error("scan %d: want %s got %s\n", i, want.text, got.text);
        assert_string_equal(want.text, got.text);
    }
}

static void test_random_against_model(void **state)
{
    fixture *f = *state;
    uint64_t seed = 0x5eed0001;
    mice_prng rng;
    prng_seed(&rng, seed);
    print_message("seed=%llu\n", (unsigned long long)seed);
    static const uint8_t alphabet[] = {0x00, 0x01, 'a', 0xfe, 0xff};
    for (int k = 0; k < MODEL_KEYS; k++) {
        model_key_n[k] = (size_t)prng_below(&rng, 4);
        for (size_t j = 0; j < model_key_n[k]; j++)
            model_key_bytes[k][j] = alphabet[prng_below(&rng, sizeof alphabet)];
    }
    static model_version v[MODEL_OPS];
    int n = 0;
    for (int i = 0; i < MODEL_OPS; i++) {
        int key = (int)prng_below(&rng, MODEL_KEYS);
        uint64_t ts = 1 + prng_below(&rng, MODEL_TS_MAX);
        int value = prng_chance(&rng, 1, 4) ? -1 : i;
        char text[16];
        snprintf(text, sizeof text, "%d", value);
        put(f->e, mice_slice_of(model_key_bytes[key], model_key_n[key]), ts,
            value < 0 ? NULL : text);
        /* Same key and ts replaces the earlier version in the model too. */
        int j = 0;
        while (j < n &&
               !(v[j].ts == ts && model_key_n[v[j].key] == model_key_n[key] &&
                 !memcmp(model_key_bytes[v[j].key], model_key_bytes[key], model_key_n[key])))
            j++;
        v[j] = (model_version){key, ts, value};
        if (j == n) n++;
    }
    mice_buf out;
    buf_init(&out);
    for (int i = 0; i < MODEL_CHECKS; i++) {
        int key = (int)prng_below(&rng, MODEL_KEYS);
        uint64_t ts = prng_below(&rng, MODEL_TS_MAX + 2);
        /* Duplicate key byte strings are the same key: the model lookup handles that by
         * comparing bytes through the first matching index. */
        int canon = key;
        for (int k = 0; k < key; k++)
            if (model_key_n[k] == model_key_n[key] &&
                !memcmp(model_key_bytes[k], model_key_bytes[key], model_key_n[key])) {
                canon = k;
                break;
            }
        int best = -1;
        for (int k = 0; k < MODEL_KEYS; k++) {
            if (model_key_n[k] != model_key_n[canon] ||
                memcmp(model_key_bytes[k], model_key_bytes[canon], model_key_n[canon]))
                continue;
            int b = model_read(v, n, k, ts);
            if (b >= 0 && (best < 0 || v[b].ts > v[best].ts)) best = b;
        }
        bool found;
        mvcc_meta meta;
        assert_int_equal(mvcc_get(f->e, NULL, mice_slice_of(model_key_bytes[key], model_key_n[key]),
                                  TS(ts), &out, &found, &meta, NULL),
                         MICE_OK);
        bool want = best >= 0 && v[best].value >= 0;
        if (found != want)
            print_error("seed=%llu key=%d ts=%llu\n", (unsigned long long)seed, key,
                        (unsigned long long)ts);
        assert_int_equal(found, want);
        if (want) assert_int_equal(atoi((const char *)out.p), v[best].value);
    }
    buf_deinit(&out);
    check_random_scans(f->e, v, n, &rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_versions_and_tombstones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_bounds_limits_directions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prefix_keys_and_special_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_and_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gc_horizon_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
