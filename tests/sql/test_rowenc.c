/* Unit tests for sql/rowenc: row and index round trips for every type, key order equal to
 * datum order (composite keys, numeric on random values), canonical keys (-0, NaN, 1.0 vs
 * 1.00, bpchar padding), the unique index NULL rule, schema evolution and corrupt input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <math.h>

#include "base/prng.h"
#include "kv/keys.h"
#include "sql/array.h"
#include "sql/rowenc.h"

static mice_arena *arena;

static int setup(void **state)
{
    (void)state;
    arena = arena_create(NULL, "test", 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(arena);
    return 0;
}

static const sql_numeric *num(const char *text)
{
    const sql_numeric *n = NULL;
    sql_error err;
    assert_int_equal(numeric_parse(mice_slice_str(text), arena, &n, &err), MICE_OK);
    return n;
}

/* Random numeric text: sign, digits around a point, an exponent; digits from {0,1} or
 * {0..9}. Special values now and then. */
static void random_numeric_text(mice_prng *r, char *text, size_t cap)
{
    static const char *const special[] = {"NaN", "Infinity", "-Infinity", "0", "0.000"};
    if (prng_below(r, 16) == 0) {
        snprintf(text, cap, "%s", special[prng_below(r, 5)]);
        return;
    }
    size_t n = 0;
    if (prng_below(r, 2)) text[n++] = '-';
    int int_digits = (int)prng_below(r, 12), frac_digits = (int)prng_below(r, 12);
    int small = (int)prng_below(r, 3); /* digits drawn from a small alphabet make near-ties */
    text[n++] = (char)('1' + prng_below(r, 9));
    for (int i = 0; i < int_digits; i++) text[n++] = (char)('0' + prng_below(r, small ? 2 : 10));
    text[n++] = '.';
    for (int i = 0; i < frac_digits; i++) text[n++] = (char)('0' + prng_below(r, small ? 2 : 10));
    int exp_range = prng_below(r, 4) == 0 ? 40 : 4;
    snprintf(text + n, cap - n, "e%d", (int)prng_range(r, -exp_range, exp_range));
}

/* A variant of text: more digits (a near tie), trailing zeros (an equal value), or a
 * flipped sign. */
static void numeric_variant(mice_prng *r, const char *text, char *out, size_t cap)
{
    const char *e = strchr(text, 'e');
    if (!e || prng_below(r, 4) == 0) {
        random_numeric_text(r, out, cap);
        return;
    }
    int mant = (int)(e - text);
    const char *more[] = {"0", "00", "1", "0001", "9", "5"};
    const char *sign = prng_below(r, 8) == 0 ? (text[0] == '-' ? "" : "-") : "";
    const char *m = text[0] == '-' && sign[0] == 0 && prng_below(r, 8) == 0 ? text + 1 : text;
    int skip = (int)(m - text);
    snprintf(out, cap, "%s%.*s%s%s", sign, mant - skip, m, more[prng_below(r, 6)], e);
}

static const sql_numeric *random_numeric(mice_prng *r)
{
    char text[128];
    random_numeric_text(r, text, sizeof text);
    return num(text);
}

static sql_datum random_datum(mice_prng *r, sql_type_id type)
{
    static const double floats[] = {0.0, -0.0, 1.5, -1.5, 1e308, -1e308, 5e-324, INFINITY,
                                    -INFINITY, NAN};
    static const char *const texts[] = {"", "a", "a\0b", "ab", "b", "\xff\xfe", "abc  ", "abc"};
    static const size_t text_lens[] = {0, 1, 3, 2, 1, 2, 5, 3};
    switch (type) {
    case SQL_TYPE_BOOL: return datum_bool(prng_below(r, 2));
    case SQL_TYPE_INT2: return datum_int2((int16_t)prng_range(r, INT16_MIN, INT16_MAX));
    case SQL_TYPE_INT4: return datum_int4((int32_t)prng_range(r, -5, 5));
    case SQL_TYPE_INT8: return datum_int8(prng_below(r, 3) ? (int64_t)prng_next(r) : prng_range(r, -2, 2));
    case SQL_TYPE_OID:
        return (sql_datum){.type = SQL_TYPE_OID, .v.i = (int64_t)prng_below(r, UINT32_MAX + 1ull)};
    case SQL_TYPE_FLOAT4: return datum_float4((float)floats[prng_below(r, 10)]);
    case SQL_TYPE_FLOAT8:
        return datum_float8(prng_below(r, 2) ? floats[prng_below(r, 10)] : prng_double(r) - 0.5);
    case SQL_TYPE_NUMERIC: return datum_numeric(random_numeric(r));
    case SQL_TYPE_DATE: {
        static const sql_date dates[] = {SQL_DATE_NOBEGIN, -2451545, -1, 0, 1, 9000, SQL_DATE_NOEND};
        return datum_date(dates[prng_below(r, 7)]);
    }
    case SQL_TYPE_TIMESTAMP: case SQL_TYPE_TIMESTAMPTZ: {
        static const sql_timestamp ts[] = {SQL_TS_NOBEGIN, SQL_TIMESTAMP_MIN, -1, 0, 1,
                                           SQL_TIMESTAMP_END - 1, SQL_TS_NOEND};
        sql_datum d = datum_timestamp(ts[prng_below(r, 7)]);
        d.type = type;
        return d;
    }
    default: {
        size_t i = prng_below(r, 8);
        return datum_bytes(type, mice_slice_of(texts[i], text_lens[i]));
    }
    }
}

static bool same_datum(const sql_datum *a, const sql_datum *b)
{
    if (a->is_null || b->is_null) return a->is_null == b->is_null;
    if (a->type == SQL_TYPE_FLOAT8)
        return memcmp(&a->v.f8, &b->v.f8, 8) == 0 || (isnan(a->v.f8) && isnan(b->v.f8));
    if (a->type == SQL_TYPE_FLOAT4)
        return memcmp(&a->v.f4, &b->v.f4, 4) == 0 || (isnan(a->v.f4) && isnan(b->v.f4));
    if (a->type == SQL_TYPE_NUMERIC) {
        if (a->v.num->dscale != b->v.num->dscale) return false;
    }
    if (a->type == SQL_TYPE_BPCHAR) return mice_slice_eq(a->v.s, b->v.s);
    return datum_cmp(a, b, NULL) == 0;
}

/* One column of each type; the primary key is (int4, text DESC, numeric, float8 DESC). */
static const sql_type_id all_types[] = {
    SQL_TYPE_INT4, SQL_TYPE_TEXT, SQL_TYPE_NUMERIC, SQL_TYPE_FLOAT8, SQL_TYPE_BOOL,
    SQL_TYPE_INT2, SQL_TYPE_INT8, SQL_TYPE_FLOAT4, SQL_TYPE_VARCHAR, SQL_TYPE_BPCHAR,
    SQL_TYPE_BYTEA, SQL_TYPE_DATE, SQL_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMPTZ, SQL_TYPE_OID,
};
enum { N_ALL = sizeof all_types / sizeof all_types[0] };

typedef struct fixture {
    rowenc_col cols[N_ALL];
    uint32_t pk_cols[4];
    keyenc_dir pk_dirs[4];
    rowenc_index pk;
    rowenc_table t;
} fixture;

static void fixture_init(fixture *f)
{
    for (uint32_t i = 0; i < N_ALL; i++) f->cols[i] = (rowenc_col){.id = i * 2 + 1, .type = all_types[i]};
    uint32_t pk_cols[4] = {0, 1, 2, 3};
    keyenc_dir pk_dirs[4] = {KEYENC_ASC, KEYENC_DESC, KEYENC_ASC, KEYENC_DESC};
    memcpy(f->pk_cols, pk_cols, sizeof pk_cols);
    memcpy(f->pk_dirs, pk_dirs, sizeof pk_dirs);
    f->pk = (rowenc_index){.id = 1, .unique = true, .n_cols = 4, .cols = f->pk_cols, .dirs = f->pk_dirs};
    f->t = (rowenc_table){.table_id = 60, .n_cols = N_ALL, .cols = f->cols, .primary = &f->pk};
}

static void random_row(mice_prng *r, const fixture *f, sql_datum *row, bool nulls)
{
    for (uint32_t i = 0; i < N_ALL; i++) {
        row[i] = random_datum(r, f->cols[i].type);
        if (i >= 4 && nulls && prng_below(r, 3) == 0) row[i] = datum_null(f->cols[i].type);
    }
}

static void test_row_round_trip_every_type(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    mice_prng r;
    prng_seed(&r, 1);
    for (int it = 0; it < 3000; it++) {
        sql_datum row[N_ALL], back[N_ALL];
        random_row(&r, &f, row, true);
        mice_buf k, v;
        buf_init(&k);
        buf_init(&v);
        assert_int_equal(rowenc_primary_key(&f.t, row, &k), MICE_OK);
        assert_int_equal(rowenc_primary_value(&f.t, row, &v), MICE_OK);
        assert_int_equal(rowenc_primary_decode(&f.t, buf_slice(&k), buf_slice(&v), arena, back), MICE_OK);
        for (uint32_t i = 0; i < N_ALL; i++)
            if (!same_datum(&row[i], &back[i])) fail_msg("seed 1 iteration %d column %u", it, i);
        buf_deinit(&k);
        buf_deinit(&v);
        arena_reset(arena);
    }
}

static int tuple_cmp(const fixture *f, const sql_datum *a, const sql_datum *b)
{
    for (uint32_t i = 0; i < f->pk.n_cols; i++) {
        uint32_t c = f->pk.cols[i];
        sql_datum x = a[c], y = b[c];
        if (x.type == SQL_TYPE_BPCHAR) { /* bpchar ignores trailing spaces, as datum_cmp */
            x.type = y.type = SQL_TYPE_BPCHAR;
        }
        int cmp = datum_cmp(&x, &y, NULL);
        if (cmp) return f->pk.dirs[i] == KEYENC_DESC ? -cmp : cmp;
    }
    return 0;
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* Random composite keys of mixed types and directions sort like the datums. */
static void test_composite_keys_sort_like_datums(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    mice_prng r;
    prng_seed(&r, 2);
    for (int it = 0; it < 20000; it++) {
        sql_datum a[N_ALL], b[N_ALL];
        random_row(&r, &f, a, false);
        random_row(&r, &f, b, false);
        if (prng_below(&r, 2)) memcpy(b, a, sizeof(sql_datum) * 2); /* share a prefix */
        mice_buf ka, kb;
        buf_init(&ka);
        buf_init(&kb);
        assert_int_equal(rowenc_primary_key(&f.t, a, &ka), MICE_OK);
        assert_int_equal(rowenc_primary_key(&f.t, b, &kb), MICE_OK);
        int want = sign(tuple_cmp(&f, a, b));
        int got = sign(mice_slice_cmp(buf_slice(&ka), buf_slice(&kb)));
        if (want != got) fail_msg("seed 2 iteration %d: want %d got %d", it, want, got);
        buf_deinit(&ka);
        buf_deinit(&kb);
        arena_reset(arena);
    }
}

static void numeric_key(const sql_numeric *n, keyenc_dir dir, mice_buf *out)
{
    sql_datum d = datum_numeric(n);
    buf_reset(out);
    assert_int_equal(rowenc_key_put(out, &d, dir), MICE_OK);
}

/* Numeric keys: memcmp order == numeric_cmp on random values, both directions; equal
 * values (any scale) give equal keys; keys decode to an equal value. */
static void test_numeric_key_order_random(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, 3);
    mice_buf ka, kb;
    buf_init(&ka);
    buf_init(&kb);
    for (int it = 0; it < 50000; it++) {
        char ta[128], tb[128];
        random_numeric_text(&r, ta, sizeof ta);
        numeric_variant(&r, ta, tb, sizeof tb);
        const sql_numeric *a = num(ta), *b = num(tb);
        for (int dir = KEYENC_ASC; dir <= KEYENC_DESC; dir++) {
            numeric_key(a, (keyenc_dir)dir, &ka);
            numeric_key(b, (keyenc_dir)dir, &kb);
            int want = sign(numeric_cmp(a, b)) * (dir == KEYENC_DESC ? -1 : 1);
            if (sign(mice_slice_cmp(buf_slice(&ka), buf_slice(&kb))) != want)
                fail_msg("seed 3 iteration %d dir %d: %s vs %s", it, dir, ta, tb);
            mice_slice in = buf_slice(&ka);
            sql_datum back;
            assert_int_equal(rowenc_key_get(&in, SQL_TYPE_NUMERIC, (keyenc_dir)dir, arena, &back), MICE_OK);
            assert_int_equal(in.n, 0);
            assert_int_equal(numeric_cmp(back.v.num, a), 0);
        }
        if (it % 256 == 0) arena_reset(arena);
    }
    buf_deinit(&ka);
    buf_deinit(&kb);
}

/* A fixed ladder of numerics, each key strictly above the previous one. */
static void test_numeric_key_ladder(void **state)
{
    (void)state;
    static const char *const ladder[] = {
        "-Infinity", "-1e100", "-10000.0001", "-10000", "-100.5", "-100.0001", "-100", "-1.5",
        "-1", "-0.0001", "-1e-100", "0", "1e-100", "0.0001", "1", "1.5", "100", "100.0001",
        "100.5", "10000", "10000.0001", "1e100", "Infinity", "NaN"};
    mice_buf prev, cur;
    buf_init(&prev);
    buf_init(&cur);
    for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++) {
        numeric_key(num(ladder[i]), KEYENC_ASC, &cur);
        if (i > 0 && mice_slice_cmp(buf_slice(&prev), buf_slice(&cur)) >= 0)
            fail_msg("%s !< %s", ladder[i - 1], ladder[i]);
        buf_reset(&prev);
        buf_append_slice(&prev, buf_slice(&cur));
    }
    buf_deinit(&prev);
    buf_deinit(&cur);
}

static void assert_same_key(const sql_datum *a, const sql_datum *b)
{
    mice_buf ka, kb;
    buf_init(&ka);
    buf_init(&kb);
    assert_int_equal(rowenc_key_put(&ka, a, KEYENC_ASC), MICE_OK);
    assert_int_equal(rowenc_key_put(&kb, b, KEYENC_ASC), MICE_OK);
    assert_true(mice_slice_eq(buf_slice(&ka), buf_slice(&kb)));
    buf_deinit(&ka);
    buf_deinit(&kb);
}

/* Key equality is datum equality: -0 = 0, NaN = NaN, 1.0 = 1.00, 'ab' = 'ab  ' (bpchar). */
static void test_canonical_keys(void **state)
{
    (void)state;
    sql_datum a = datum_float8(-0.0), b = datum_float8(0.0);
    assert_same_key(&a, &b);
    a = datum_float8(NAN);
    b = datum_float8(-NAN);
    assert_same_key(&a, &b);
    a = datum_float4(-0.0f);
    b = datum_float4(0.0f);
    assert_same_key(&a, &b);
    a = datum_numeric(num("1.0"));
    b = datum_numeric(num("1.00"));
    assert_same_key(&a, &b);
    a = datum_numeric(num("-120.5000"));
    b = datum_numeric(num("-120.5"));
    assert_same_key(&a, &b);
    a = datum_numeric(num("0.000"));
    b = datum_numeric(num("0"));
    assert_same_key(&a, &b);
    a = datum_bytes(SQL_TYPE_BPCHAR, MICE_SLICE_LIT("ab"));
    b = datum_bytes(SQL_TYPE_BPCHAR, MICE_SLICE_LIT("ab  "));
    assert_same_key(&a, &b);
    /* ...while the row keeps what the key lost: 1.00 and -0 come back as written. */
    fixture f;
    fixture_init(&f);
    mice_prng r;
    prng_seed(&r, 4);
    sql_datum row[N_ALL], back[N_ALL];
    random_row(&r, &f, row, false);
    row[2] = datum_numeric(num("1.00"));
    row[3] = datum_float8(-0.0);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    assert_int_equal(rowenc_primary_key(&f.t, row, &k), MICE_OK);
    assert_int_equal(rowenc_primary_value(&f.t, row, &v), MICE_OK);
    assert_int_equal(rowenc_primary_decode(&f.t, buf_slice(&k), buf_slice(&v), arena, back), MICE_OK);
    assert_int_equal(back[2].v.num->dscale, 2);
    assert_true(signbit(back[3].v.f8));
    /* a key alone decodes to the canonical scale */
    mice_slice in = buf_slice(&k);
    uint64_t t, i;
    assert_int_equal(keys_decode_index_key(in, &t, &i, &in), MICE_OK);
    sql_datum d;
    assert_int_equal(rowenc_key_get(&in, SQL_TYPE_INT4, KEYENC_ASC, arena, &d), MICE_OK);
    assert_int_equal(rowenc_key_get(&in, SQL_TYPE_TEXT, KEYENC_DESC, arena, &d), MICE_OK);
    assert_int_equal(rowenc_key_get(&in, SQL_TYPE_NUMERIC, KEYENC_ASC, arena, &d), MICE_OK);
    assert_int_equal(d.v.num->dscale, 0);
    buf_deinit(&k);
    buf_deinit(&v);
}

typedef struct small_table {
    rowenc_col cols[3]; /* pk int8 (id 1), b int4 (id 2), c text (id 3) */
    uint32_t pk_col, b_col, inc_col;
    keyenc_dir asc;
    rowenc_index pk, ux, nx;
    rowenc_table t;
} small_table;

static void small_init(small_table *s)
{
    s->cols[0] = (rowenc_col){1, SQL_TYPE_INT8};
    s->cols[1] = (rowenc_col){2, SQL_TYPE_INT4};
    s->cols[2] = (rowenc_col){3, SQL_TYPE_TEXT};
    s->pk_col = 0;
    s->b_col = 1;
    s->inc_col = 2;
    s->asc = KEYENC_ASC;
    s->pk = (rowenc_index){.id = 1, .unique = true, .n_cols = 1, .cols = &s->pk_col, .dirs = &s->asc};
    s->ux = (rowenc_index){.id = 2, .unique = true, .n_cols = 1, .cols = &s->b_col, .dirs = &s->asc,
                           .n_include = 1, .include = &s->inc_col};
    s->nx = (rowenc_index){.id = 3, .unique = false, .n_cols = 1, .cols = &s->b_col, .dirs = &s->asc};
    s->t = (rowenc_table){.table_id = 70, .n_cols = 3, .cols = s->cols, .primary = &s->pk};
}

static void index_key(const small_table *s, const rowenc_index *ix, int64_t pk, const sql_datum *b,
                      mice_buf *k, mice_buf *v)
{
    sql_datum row[3] = {datum_int8(pk), *b, datum_text(MICE_SLICE_LIT("inc"))};
    buf_reset(k);
    buf_reset(v);
    assert_int_equal(rowenc_index_entry(&s->t, ix, row, k, v), MICE_OK);
    sql_datum back[3];
    assert_int_equal(rowenc_index_decode(&s->t, ix, buf_slice(k), buf_slice(v), arena, back), MICE_OK);
    assert_int_equal(back[0].v.i, pk);
    assert_int_equal(back[1].is_null, b->is_null);
    if (!b->is_null) assert_int_equal(back[1].v.i, b->v.i);
    assert_int_equal(back[2].is_null, ix->n_include == 0);
}

/* Unique: equal values collide, NULLs never do; non-unique entries never collide. */
static void test_unique_index_null_rule(void **state)
{
    (void)state;
    small_table s;
    small_init(&s);
    mice_buf k1, v1, k2, v2;
    buf_init(&k1); buf_init(&v1); buf_init(&k2); buf_init(&v2);
    sql_datum five = datum_int4(5), null = datum_null(SQL_TYPE_INT4);
    index_key(&s, &s.ux, 1, &five, &k1, &v1);
    index_key(&s, &s.ux, 2, &five, &k2, &v2);
    assert_true(mice_slice_eq(buf_slice(&k1), buf_slice(&k2)));  /* a duplicate */
    assert_false(mice_slice_eq(buf_slice(&v1), buf_slice(&v2))); /* the value names the row */
    index_key(&s, &s.ux, 1, &null, &k1, &v1);
    index_key(&s, &s.ux, 2, &null, &k2, &v2);
    assert_false(mice_slice_eq(buf_slice(&k1), buf_slice(&k2)));
    index_key(&s, &s.nx, 1, &five, &k1, &v1);
    index_key(&s, &s.nx, 2, &five, &k2, &v2);
    assert_false(mice_slice_eq(buf_slice(&k1), buf_slice(&k2)));
    assert_true(mice_slice_cmp(buf_slice(&k1), buf_slice(&k2)) < 0); /* suffix orders by pk */
    assert_int_equal(v1.n, 0);
    buf_deinit(&k1); buf_deinit(&v1); buf_deinit(&k2); buf_deinit(&v2);
}

/* A value written with columns {1,2,3} reads under {1,3} (2 dropped) and {1,2,3,4} (4
 * added: NULL), and a NULL-only row has an empty value. */
static void test_schema_evolution(void **state)
{
    (void)state;
    small_table s;
    small_init(&s);
    sql_datum row[3] = {datum_int8(9), datum_int4(-7), datum_text(MICE_SLICE_LIT("x"))};
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    assert_int_equal(rowenc_primary_key(&s.t, row, &k), MICE_OK);
    assert_int_equal(rowenc_primary_value(&s.t, row, &v), MICE_OK);
    rowenc_col dropped[2] = {{1, SQL_TYPE_INT8}, {3, SQL_TYPE_TEXT}};
    rowenc_table t2 = {.table_id = 70, .n_cols = 2, .cols = dropped, .primary = &s.pk};
    sql_datum back[4];
    assert_int_equal(rowenc_primary_decode(&t2, buf_slice(&k), buf_slice(&v), arena, back), MICE_OK);
    assert_int_equal(back[0].v.i, 9);
    assert_memory_equal(back[1].v.s.p, "x", 1);
    rowenc_col added[4] = {{1, SQL_TYPE_INT8}, {2, SQL_TYPE_INT4}, {3, SQL_TYPE_TEXT}, {9, SQL_TYPE_BOOL}};
    rowenc_table t3 = {.table_id = 70, .n_cols = 4, .cols = added, .primary = &s.pk};
    assert_int_equal(rowenc_primary_decode(&t3, buf_slice(&k), buf_slice(&v), arena, back), MICE_OK);
    assert_int_equal(back[1].v.i, -7);
    assert_true(back[3].is_null);
    /* a NULL key column is refused; NULL non-key columns cost nothing */
    row[1] = datum_null(SQL_TYPE_INT4);
    row[2] = datum_null(SQL_TYPE_TEXT);
    buf_reset(&v);
    assert_int_equal(rowenc_primary_value(&s.t, row, &v), MICE_OK);
    assert_int_equal(v.n, 0);
    row[0] = datum_null(SQL_TYPE_INT8);
    assert_int_equal(rowenc_primary_key(&s.t, row, &k), MICE_INVALID);
    /* a datum of the wrong type for its column is refused */
    sql_datum bad[3] = {datum_int8(1), datum_text(MICE_SLICE_LIT("no")), datum_null(SQL_TYPE_TEXT)};
    assert_int_equal(rowenc_primary_value(&s.t, bad, &v), MICE_INVALID);
    buf_deinit(&k);
    buf_deinit(&v);
}

/* Array columns live in values (their flat bytes), never in keys. */
static void test_array_values(void **state)
{
    (void)state;
    rowenc_col cols[3] = {{1, SQL_TYPE_INT8}, {2, SQL_TYPE_INT4_ARRAY}, {3, SQL_TYPE_TEXT_ARRAY}};
    uint32_t pk_cols[1] = {0};
    keyenc_dir pk_dirs[1] = {KEYENC_ASC};
    rowenc_index pk = {.id = 1, .n_cols = 1, .cols = pk_cols, .dirs = pk_dirs};
    rowenc_table t = {.table_id = 71, .n_cols = 3, .cols = cols, .primary = &pk};
    sql_datum elems[3] = {datum_int4(5), datum_null(SQL_TYPE_INT4), datum_int4(-9)};
    sql_datum row[3] = {datum_int8(1)}, back[3];
    sql_error err;
    assert_int_equal(array_build(SQL_TYPE_INT4_ARRAY, elems, 3, 1, arena, &row[1], &err), MICE_OK);
    assert_int_equal(array_build(SQL_TYPE_TEXT_ARRAY, NULL, 0, 1, arena, &row[2], &err), MICE_OK);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    assert_int_equal(rowenc_primary_key(&t, row, &k), MICE_OK);
    assert_int_equal(rowenc_primary_value(&t, row, &v), MICE_OK);
    assert_int_equal(rowenc_primary_decode(&t, buf_slice(&k), buf_slice(&v), arena, back), MICE_OK);
    for (int i = 1; i < 3; i++) {
        assert_int_equal(back[i].type, row[i].type);
        assert_int_equal(back[i].v.s.n, row[i].v.s.n);
        assert_memory_equal(back[i].v.s.p, row[i].v.s.p, row[i].v.s.n);
    }
    /* an array is not a key */
    buf_reset(&k);
    assert_int_equal(rowenc_key_put(&k, &row[1], KEYENC_ASC), MICE_UNSUPPORTED);
    /* an int[] datum does not go into a text column */
    rowenc_col text_cols[3] = {{1, SQL_TYPE_INT8}, {2, SQL_TYPE_TEXT}, {3, SQL_TYPE_TEXT_ARRAY}};
    rowenc_table t2 = {.table_id = 71, .n_cols = 3, .cols = text_cols, .primary = &pk};
    buf_reset(&v);
    assert_int_equal(rowenc_primary_value(&t2, row, &v), MICE_INVALID);
    buf_deinit(&k);
    buf_deinit(&v);
}

/* Truncated or flipped bytes decode to MICE_CORRUPT (or a valid row), never a crash. */
static void test_corrupt_input(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    mice_prng r;
    prng_seed(&r, 5);
    int corrupt = 0;
    for (int it = 0; it < 20000; it++) {
        sql_datum row[N_ALL], back[N_ALL];
        random_row(&r, &f, row, true);
        mice_buf k, v;
        buf_init(&k);
        buf_init(&v);
        assert_int_equal(rowenc_primary_key(&f.t, row, &k), MICE_OK);
        assert_int_equal(rowenc_primary_value(&f.t, row, &v), MICE_OK);
        mice_buf *victim = prng_below(&r, 2) ? &k : &v;
        if (victim->n > 0) {
            if (prng_below(&r, 2))
                buf_truncate(victim, prng_below(&r, victim->n));
            else
                victim->p[prng_below(&r, victim->n)] ^= (uint8_t)(1u << prng_below(&r, 8));
        }
        mice_status rc = rowenc_primary_decode(&f.t, buf_slice(&k), buf_slice(&v), arena, back);
        assert_true(rc == MICE_OK || rc == MICE_CORRUPT);
        corrupt += rc == MICE_CORRUPT;
        buf_deinit(&k);
        buf_deinit(&v);
        if (it % 64 == 0) arena_reset(arena);
    }
    assert_true(corrupt > 1000);
    const uint8_t junk[] = {4, 0x30, 0x00, 0xFF};
    sql_datum back[N_ALL];
    assert_int_equal(rowenc_primary_decode(&f.t, mice_slice_of(junk, 4), mice_slice_of("", 0), arena, back),
                     MICE_CORRUPT);
    const sql_numeric *n;
    const uint8_t bad_digit[] = {4, 0x80, 0x00, 0x27, 0x10}; /* digit 10000 */
    assert_int_equal(rowenc_numeric_from_key_bytes(mice_slice_of(bad_digit, 5), arena, &n), MICE_CORRUPT);
}

static uint64_t fake_wall_ns;
static uint64_t fake_wall(void *ctx)
{
    (void)ctx;
    return fake_wall_ns;
}

/* unique_rowid(): strictly increasing even when the clock stalls or steps back. */
static void test_rowid_monotone(void **state)
{
    (void)state;
    mice_env env = *mice_env_real();
    env.wall_ns = fake_wall;
    fake_wall_ns = UINT64_C(1800000000000000000);
    rowenc_rowid_gen g;
    rowenc_rowid_init(&g, &env, 3);
    int64_t prev = 0;
    for (int i = 0; i < 10000; i++) {
        if (i % 100 == 0) fake_wall_ns -= 1000000; /* clock steps back 1 ms */
        if (i % 7 == 0) fake_wall_ns += 50000;
        int64_t id = rowenc_rowid_next(&g);
        assert_true(id > prev);
        assert_int_equal(id & ((1 << ROWENC_ROWID_NODE_BITS) - 1), 3);
        prev = id;
    }
}

static void test_unsupported_type(void **state)
{
    (void)state;
    sql_datum d = {.type = SQL_TYPE_JSONB};
    mice_buf b;
    buf_init(&b);
    assert_int_equal(rowenc_key_put(&b, &d, KEYENC_ASC), MICE_UNSUPPORTED);
    mice_slice in = mice_slice_of("\x00", 1);
    assert_int_equal(rowenc_key_get(&in, SQL_TYPE_JSONB, KEYENC_ASC, arena, &d), MICE_UNSUPPORTED);
    buf_deinit(&b);
}

/* The kv table's layout: the KV namespace's raw keys and values, expiry beside them. */
static void test_kv_table_layout(void **state)
{
    (void)state;
    static const rowenc_col cols[] = {
        {1, SQL_TYPE_BYTEA}, {2, SQL_TYPE_BYTEA}, {3, SQL_TYPE_TIMESTAMPTZ}};
    static const uint32_t pk_cols[] = {0};
    static const keyenc_dir pk_dirs[] = {KEYENC_ASC};
    rowenc_index pk = {.id = 1, .unique = true, .n_cols = 1, .cols = pk_cols, .dirs = pk_dirs};
    rowenc_table t = {
        .table_id = 16383, .n_cols = 3, .cols = cols, .primary = &pk, .kv_namespace = true};
    sql_datum row[3] = {datum_bytes(SQL_TYPE_BYTEA, mice_slice_of("k\0/\xff", 4)),
                        datum_bytes(SQL_TYPE_BYTEA, MICE_SLICE_LIT("value")),
                        rowenc_kv_expiry_datum(1700000000123456000ull)};
    mice_buf key, value, want;
    buf_init(&key);
    buf_init(&value);
    buf_init(&want);
    assert_int_equal(rowenc_primary_key(&t, row, &key), MICE_OK);
    keys_kv(&want, mice_slice_of("k\0/\xff", 4));
    assert_true(mice_slice_eq(buf_slice(&key), buf_slice(&want))); /* what HTTP/RESP use */
    assert_int_equal(rowenc_primary_value(&t, row, &value), MICE_OK);
    assert_true(mice_slice_eq(buf_slice(&value), MICE_SLICE_LIT("value")));
    mice_arena *a = arena_create(NULL, "kv", 0);
    sql_datum back[3];
    assert_int_equal(rowenc_primary_decode(&t, buf_slice(&key), buf_slice(&value), a, back),
                     MICE_OK);
    assert_true(mice_slice_eq(back[0].v.s, row[0].v.s));
    assert_true(back[0].v.s.p != key.p + 1); /* copied into the arena */
    assert_true(mice_slice_eq(back[1].v.s, row[1].v.s));
    assert_true(back[2].is_null); /* the caller sets it from the row's expiry */
    /* an empty value is a value; a NULL one is refused; a non-kv key is corrupt */
    row[1] = datum_bytes(SQL_TYPE_BYTEA, MICE_SLICE_LIT(""));
    buf_reset(&value);
    assert_int_equal(rowenc_primary_value(&t, row, &value), MICE_OK);
    assert_int_equal(value.n, 0);
    row[1] = datum_null(SQL_TYPE_BYTEA);
    assert_int_equal(rowenc_primary_value(&t, row, &value), MICE_INVALID);
    row[0] = datum_null(SQL_TYPE_BYTEA);
    assert_int_equal(rowenc_primary_key(&t, row, &key), MICE_INVALID);
    buf_reset(&key);
    keys_index_prefix(&key, 16383, 1);
    assert_int_equal(rowenc_primary_decode(&t, buf_slice(&key), buf_slice(&value), a, back),
                     MICE_CORRUPT);
    /* expiry <-> expires_at: microsecond precision, NULL = none, infinities refused */
    uint64_t ns = 0;
    sql_datum e = rowenc_kv_expiry_datum(1700000000123456000ull);
    assert_false(e.is_null);
    assert_int_equal(rowenc_kv_expiry_ns(&e, &ns), MICE_OK);
    assert_true(ns == 1700000000123456000ull);
    e = rowenc_kv_expiry_datum(0);
    assert_true(e.is_null);
    assert_int_equal(rowenc_kv_expiry_ns(&e, &ns), MICE_OK);
    assert_true(ns == 0);
    e = datum_timestamptz(SQL_TS_NOEND);
    assert_int_equal(rowenc_kv_expiry_ns(&e, &ns), MICE_INVALID);
    e = datum_timestamptz(SQL_TS_NOBEGIN);
    assert_int_equal(rowenc_kv_expiry_ns(&e, &ns), MICE_INVALID);
    e = datum_timestamptz(-INT64_C(946684800) * 1000000); /* 1970-01-01: would be "none" */
    assert_int_equal(rowenc_kv_expiry_ns(&e, &ns), MICE_INVALID);
    e = datum_timestamptz(INT64_C(9000000000000000000)); /* far past 2554 */
    assert_int_equal(rowenc_kv_expiry_ns(&e, &ns), MICE_INVALID);
    arena_destroy(a);
    buf_deinit(&key);
    buf_deinit(&value);
    buf_deinit(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_round_trip_every_type),
        cmocka_unit_test(test_composite_keys_sort_like_datums),
        cmocka_unit_test(test_numeric_key_order_random),
        cmocka_unit_test(test_numeric_key_ladder),
        cmocka_unit_test(test_canonical_keys),
        cmocka_unit_test(test_unique_index_null_rule),
        cmocka_unit_test(test_schema_evolution), cmocka_unit_test(test_array_values),
        cmocka_unit_test(test_corrupt_input),
        cmocka_unit_test(test_rowid_monotone),
        cmocka_unit_test(test_unsupported_type),
        cmocka_unit_test(test_kv_table_layout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
