/* Unit tests for base/skipset: a random history of adds and removes checked against a
 * sorted-array model, including next/prev/last seeks with bounds in both directions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "base/skipset.h"

enum { UNIVERSE = 600 };

/* Keys of varied lengths so that prefixes occur: "k", "k1", "k12", ... */
static void key_of(uint32_t v, char *out, size_t cap)
{
    snprintf(out, cap, "k%u", v);
}

static int cmp_keys(uint32_t a, uint32_t b)
{
    char x[16], y[16];
    key_of(a, x, sizeof x);
    key_of(b, y, sizeof y);
    return mice_slice_cmp(mice_slice_str(x), mice_slice_str(y));
}

/* The model: present[v]; seeks walk all values (small universe). */
static bool model_next(const bool *present, uint32_t from, bool incl, int32_t end, uint32_t *out)
{
    bool found = false;
    for (uint32_t v = 0; v < UNIVERSE; v++) {
        if (!present[v]) continue;
        int c = cmp_keys(v, from);
        if (c < 0 || (c == 0 && !incl)) continue;
        if (end >= 0 && cmp_keys(v, (uint32_t)end) >= 0) continue;
        if (!found || cmp_keys(v, *out) < 0) *out = v;
        found = true;
    }
    return found;
}

static bool model_prev(const bool *present, uint32_t from, bool incl, uint32_t start, uint32_t *out)
{
    bool found = false;
    for (uint32_t v = 0; v < UNIVERSE; v++) {
        if (!present[v]) continue;
        int c = cmp_keys(v, from);
        if (c > 0 || (c == 0 && !incl)) continue;
        if (cmp_keys(v, start) < 0) continue;
        if (!found || cmp_keys(v, *out) > 0) *out = v;
        found = true;
    }
    return found;
}

static void expect_key(bool got, mice_slice k, bool want, uint32_t v)
{
    assert_int_equal(got, want);
    if (!want) return;
    char buf[16];
    key_of(v, buf, sizeof buf);
    assert_true(mice_slice_eq(k, mice_slice_str(buf)));
}

static void test_matches_model(void **state)
{
    (void)state;
    mice_skipset s;
    skipset_init(&s, 7);
    static bool present[UNIVERSE];
    memset(present, 0, sizeof present);
    size_t n = 0;
    mice_prng r;
    prng_seed(&r, 99);
    for (int step = 0; step < 20000; step++) {
        uint32_t v = (uint32_t)(prng_next(&r) % UNIVERSE);
        char k[16];
        key_of(v, k, sizeof k);
        if (prng_next(&r) % 3) {
            assert_int_equal(skipset_add(&s, mice_slice_str(k)), !present[v]);
            n += !present[v];
            present[v] = true;
        } else {
            assert_int_equal(skipset_remove(&s, mice_slice_str(k)), present[v]);
            n -= present[v];
            present[v] = false;
        }
        assert_int_equal(skipset_size(&s), n);
        assert_int_equal(skipset_contains(&s, mice_slice_str(k)), present[v]);
        /* A seek from a random key with a random bound. */
        uint32_t from = (uint32_t)(prng_next(&r) % UNIVERSE);
        uint32_t bound = (uint32_t)(prng_next(&r) % UNIVERSE);
        bool incl = prng_next(&r) & 1;
        char fk[16], bk[16];
        key_of(from, fk, sizeof fk);
        key_of(bound, bk, sizeof bk);
        mice_slice got;
        uint32_t want = 0;
        bool w = model_next(present, from, incl, (int32_t)bound, &want);
        expect_key(skipset_next(&s, mice_slice_str(fk), incl, mice_slice_str(bk), &got), got, w,
                   want);
        w = model_next(present, from, incl, -1, &want);
        expect_key(skipset_next(&s, mice_slice_str(fk), incl, (mice_slice){0}, &got), got, w, want);
        w = model_prev(present, from, incl, bound, &want);
        expect_key(skipset_prev(&s, mice_slice_str(fk), incl, mice_slice_str(bk), &got), got, w,
                   want);
        /* The largest key at or above the bound, by brute force. */
        uint32_t last = 0;
        bool any = false;
        for (uint32_t x = 0; x < UNIVERSE; x++)
            if (present[x] && cmp_keys(x, bound) >= 0 && (!any || cmp_keys(x, last) > 0)) {
                last = x;
                any = true;
            }
        expect_key(skipset_last(&s, mice_slice_str(bk), &got), got, any, last);
    }
    skipset_deinit(&s);
}

static void test_empty_key_and_empty_set(void **state)
{
    (void)state;
    mice_skipset s;
    skipset_init(&s, 1);
    mice_slice got;
    assert_false(skipset_next(&s, (mice_slice){0}, true, (mice_slice){0}, &got));
    assert_false(skipset_last(&s, (mice_slice){0}, &got));
    assert_true(skipset_add(&s, (mice_slice){0}));
    assert_true(skipset_add(&s, MICE_SLICE_LIT("a")));
    assert_true(skipset_next(&s, (mice_slice){0}, true, (mice_slice){0}, &got));
    assert_int_equal(got.n, 0);
    assert_true(skipset_next(&s, (mice_slice){0}, false, (mice_slice){0}, &got));
    assert_true(mice_slice_eq(got, MICE_SLICE_LIT("a")));
    assert_true(skipset_prev(&s, MICE_SLICE_LIT("a"), false, (mice_slice){0}, &got));
    assert_int_equal(got.n, 0);
    skipset_deinit(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_model),
        cmocka_unit_test(test_empty_key_and_empty_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
