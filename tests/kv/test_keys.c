/* Unit tests for kv/keys: namespace order, nested spans, builders, decoding, pretty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/keyenc.h"
#include "base/prng.h"
#include "kv/keys.h"

static int cmp_bufs(const mice_buf *a, const mice_buf *b)
{
    return mice_slice_cmp(buf_slice(a), buf_slice(b));
}

static void assert_pretty(const mice_buf *key, const char *want)
{
    mice_buf out;
    buf_init(&out);
    keys_pretty(buf_slice(key), &out);
    buf_append_u8(&out, 0);
    assert_string_equal((const char *)out.p, want);
    buf_deinit(&out);
}

static void test_namespaces_sort_system_tables_kv(void **state)
{
    (void)state;
    mice_buf sys_hi, tab_lo, tab_hi, kv_lo, kv_hi, s, e;
    buf_init(&sys_hi);
    buf_init(&tab_lo);
    buf_init(&tab_hi);
    buf_init(&kv_lo);
    buf_init(&kv_hi);
    buf_init(&s);
    buf_init(&e);
    keys_sequence(&sys_hi, UINT64_MAX); /* a late system key kind with a huge id */
    keys_sys_prefix(&sys_hi, KEYS_SYS_RANGE_DIR);
    keys_index_prefix(&tab_lo, 0, 0);
    keys_index_prefix(&tab_hi, UINT64_MAX, UINT64_MAX);
    keyenc_put_text(&tab_hi, MICE_SLICE_LIT("\xff\xff"), KEYENC_DESC);
    keys_kv(&kv_lo, MICE_SLICE_LIT(""));
    keys_kv(&kv_hi, MICE_SLICE_LIT("\xff\xff\xff"));
    assert_true(cmp_bufs(&sys_hi, &tab_lo) < 0);
    assert_true(cmp_bufs(&tab_hi, &kv_lo) < 0);
    assert_true(cmp_bufs(&kv_lo, &kv_hi) < 0);
    /* Each namespace lies inside its span, and the spans are disjoint and ordered. */
    keys_system_span(&s, &e);
    assert_true(cmp_bufs(&s, &sys_hi) <= 0 && cmp_bufs(&sys_hi, &e) < 0);
    mice_buf s2, e2, s3, e3;
    buf_init(&s2);
    buf_init(&e2);
    buf_init(&s3);
    buf_init(&e3);
    keys_all_tables_span(&s2, &e2);
    keys_kv_span(&s3, &e3);
    assert_true(cmp_bufs(&e, &s2) <= 0);
    assert_true(cmp_bufs(&e2, &s3) <= 0);
    assert_true(cmp_bufs(&s2, &tab_lo) <= 0 && cmp_bufs(&tab_hi, &e2) < 0);
    assert_true(cmp_bufs(&s3, &kv_lo) <= 0 && cmp_bufs(&kv_hi, &e3) < 0);
    assert_true(s.p[0] > 0x00 && e3.p[0] < 0xFF); /* bounds bytes stay free */
    buf_deinit(&sys_hi);
    buf_deinit(&tab_lo);
    buf_deinit(&tab_hi);
    buf_deinit(&kv_lo);
    buf_deinit(&kv_hi);
    buf_deinit(&s);
    buf_deinit(&e);
    buf_deinit(&s2);
    buf_deinit(&e2);
    buf_deinit(&s3);
    buf_deinit(&e3);
}

static bool in_span(const mice_buf *k, const mice_buf *s, const mice_buf *e)
{
    return cmp_bufs(s, k) <= 0 && cmp_bufs(k, e) < 0;
}

/* Table spans are disjoint and ordered by id (5 vs 50 vs 500 too); index spans nest. */
static void test_table_spans_nest(void **state)
{
    (void)state;
    mice_prng r;
    uint64_t seed = 7;
    prng_seed(&r, seed);
    mice_buf s1, e1, s2, e2, is, ie, k;
    buf_init(&s1);
    buf_init(&e1);
    buf_init(&s2);
    buf_init(&e2);
    buf_init(&is);
    buf_init(&ie);
    buf_init(&k);
    for (int i = 0; i < 5000; i++) {
        uint64_t a = prng_below(&r, 4) == 0 ? prng_next(&r) : prng_below(&r, 1000);
        uint64_t b = prng_below(&r, 2) ? a * 10 + prng_below(&r, 10) : prng_below(&r, 100000);
        uint64_t ix = prng_below(&r, 300);
        buf_reset(&s1);
        buf_reset(&e1);
        buf_reset(&s2);
        buf_reset(&e2);
        buf_reset(&is);
        buf_reset(&ie);
        buf_reset(&k);
        keys_table_span(&s1, &e1, a);
        keys_table_span(&s2, &e2, b);
        if (a < b) assert_true(cmp_bufs(&e1, &s2) <= 0);
        if (a > b) assert_true(cmp_bufs(&e2, &s1) <= 0);
        keys_index_span(&is, &ie, a, ix);
        assert_true(cmp_bufs(&s1, &is) <= 0 && cmp_bufs(&ie, &e1) <= 0);
        keys_index_prefix(&k, a, ix);
        keyenc_put_int64(&k, (int64_t)prng_next(&r), KEYENC_DESC);
        assert_true(in_span(&k, &is, &ie));
        assert_true(in_span(&k, &s1, &e1));
        if (a != b) assert_false(in_span(&k, &s2, &e2));
        uint64_t t2, i2;
        mice_slice rest;
        assert_int_equal(keys_decode_index_key(buf_slice(&k), &t2, &i2, &rest), MICE_OK);
        assert_true(t2 == a && i2 == ix && rest.n == 9);
    }
    buf_deinit(&s1);
    buf_deinit(&e1);
    buf_deinit(&s2);
    buf_deinit(&e2);
    buf_deinit(&is);
    buf_deinit(&ie);
    buf_deinit(&k);
}

/* Rows keyed (int, text DESC) sort by the tuple order across the whole table span. */
static void test_composite_keys_sort_like_tuples(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, 11);
    for (int i = 0; i < 20000; i++) {
        int64_t a1 = prng_range(&r, -3, 3), a2 = prng_range(&r, -3, 3);
        char t1[3] = {(char)('a' + prng_below(&r, 3)), (char)prng_below(&r, 2), 0};
        char t2[3] = {(char)('a' + prng_below(&r, 3)), (char)prng_below(&r, 2), 0};
        mice_buf k1, k2;
        buf_init(&k1);
        buf_init(&k2);
        keys_index_prefix(&k1, 52, 1);
        keys_index_prefix(&k2, 52, 1);
        keyenc_put_int64(&k1, a1, KEYENC_ASC);
        keyenc_put_int64(&k2, a2, KEYENC_ASC);
        keyenc_put_text(&k1, mice_slice_of(t1, 2), KEYENC_DESC);
        keyenc_put_text(&k2, mice_slice_of(t2, 2), KEYENC_DESC);
        int want = a1 != a2 ? (a1 < a2 ? -1 : 1) : -memcmp(t1, t2, 2);
        int got = cmp_bufs(&k1, &k2);
        if ((want < 0) != (got < 0) || (want == 0) != (got == 0))
            fail_msg("seed 11 iteration %d", i);
        buf_deinit(&k1);
        buf_deinit(&k2);
    }
}

static void test_kv_keys_sort_by_user_bytes(void **state)
{
    (void)state;
    const char *keys[] = {"",  "\x00",   "\x00\x01", "a",      "a\x00", "ab",
                          "b", "user:1", "user:10",  "user:2", "\xff"};
    size_t lens[] = {0, 1, 2, 1, 2, 2, 1, 6, 7, 6, 1};
    size_t n = sizeof keys / sizeof keys[0];
    for (size_t i = 0; i + 1 < n; i++) {
        mice_buf a, b;
        buf_init(&a);
        buf_init(&b);
        keys_kv(&a, mice_slice_of(keys[i], lens[i]));
        keys_kv(&b, mice_slice_of(keys[i + 1], lens[i + 1]));
        assert_true(cmp_bufs(&a, &b) < 0);
        mice_slice u;
        assert_true(keys_kv_user_key(buf_slice(&a), &u));
        assert_int_equal(u.n, lens[i]);
        buf_deinit(&a);
        buf_deinit(&b);
    }
    mice_buf t;
    buf_init(&t);
    keys_desc(&t, 1);
    mice_slice u;
    assert_false(keys_kv_user_key(buf_slice(&t), &u));
    buf_deinit(&t);
}

static void test_pretty(void **state)
{
    (void)state;
    mice_buf k;
    buf_init(&k);
    keys_desc(&k, 52);
    assert_pretty(&k, "/sys/desc/52");
    buf_reset(&k);
    keys_namespace(&k, 50, MICE_SLICE_LIT("public"));
    assert_pretty(&k, "/sys/ns/50/\"public\"");
    buf_reset(&k);
    keys_catalog_version(&k);
    assert_pretty(&k, "/sys/catver");
    buf_reset(&k);
    keys_index_prefix(&k, 52, 1);
    keyenc_put_int64(&k, 42, KEYENC_ASC);
    keyenc_put_text(&k, MICE_SLICE_LIT("bob"), KEYENC_ASC);
    assert_pretty(&k, "/t/52/1/42/\"bob\"");
    buf_reset(&k);
    keys_kv(&k, MICE_SLICE_LIT("user:1"));
    assert_pretty(&k, "/kv/\"user:1\"");
    buf_reset(&k);
    keys_kv(&k, MICE_SLICE_LIT("a\"\n"));
    assert_pretty(&k, "/kv/\"a\\\"\\x0a\"");
    buf_reset(&k);
    buf_append(&k, "\x09\x01", 2);
    assert_pretty(&k, "/?0901");
    buf_reset(&k);
    assert_pretty(&k, "/Min");
    buf_deinit(&k);
}

static void test_decode_rejects_non_table_keys(void **state)
{
    (void)state;
    uint64_t t, i;
    mice_slice rest;
    mice_buf k;
    buf_init(&k);
    keys_desc(&k, 5);
    assert_int_equal(keys_decode_index_key(buf_slice(&k), &t, &i, &rest), MICE_CORRUPT);
    buf_reset(&k);
    buf_append_u8(&k, KEYS_NS_TABLE);
    assert_int_equal(keys_decode_index_key(buf_slice(&k), &t, &i, &rest), MICE_CORRUPT);
    keyenc_put_uvarint(&k, 7, KEYENC_ASC);
    assert_int_equal(keys_decode_index_key(buf_slice(&k), &t, &i, &rest), MICE_CORRUPT);
    buf_append_u8(&k, 0x29); /* a uvarint tag with 9 bytes: invalid */
    assert_int_equal(keys_decode_index_key(buf_slice(&k), &t, &i, &rest), MICE_CORRUPT);
    assert_int_equal(keys_decode_index_key(mice_slice_of("", 0), &t, &i, &rest), MICE_CORRUPT);
    buf_deinit(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_namespaces_sort_system_tables_kv),
        cmocka_unit_test(test_table_spans_nest),
        cmocka_unit_test(test_composite_keys_sort_like_tuples),
        cmocka_unit_test(test_kv_keys_sort_by_user_bytes),
        cmocka_unit_test(test_pretty),
        cmocka_unit_test(test_decode_rejects_non_table_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
