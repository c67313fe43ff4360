/* Unit tests for rpc/u64map: random puts, gets and deletes against a plain array, with
 * keys chosen to collide, and iteration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "rpc/u64map.h"

enum { KEY_SPACE = 2000, OPS = 200000 };

static void test_random_ops_match_a_model(void **state)
{
    (void)state;
    const uint64_t seed = 0x75363461;
    mice_prng r;
    prng_seed(&r, seed);
    static uintptr_t model[KEY_SPACE + 1]; /* 0: absent */
    size_t count = 0;
    u64map m;
    u64map_init(&m);
    assert_null(u64map_get(&m, 5));
    assert_null(u64map_del(&m, 5));
    for (int op = 0; op < OPS; op++) {
        uint64_t k = 1 + prng_below(&r, KEY_SPACE);
        /* Phases that fill up and drain, so the table grows and deletions shift runs. */
        bool filling = (op / 20000) % 2 == 0;
        uint64_t dice = prng_below(&r, 10);
        if (dice < (filling ? 6u : 3u)) {
            uintptr_t v = (uintptr_t)prng_next(&r) | 1;
            if (!model[k]) count++;
            model[k] = v;
            u64map_put(&m, k, (void *)v);
        } else if (dice < 9) {
            void *got = u64map_del(&m, k);
            assert_int_equal((uintptr_t)got, model[k]);
            if (model[k]) count--;
            model[k] = 0;
        } else {
            assert_int_equal((uintptr_t)u64map_get(&m, k), model[k]);
        }
        assert_int_equal(u64map_count(&m), count);
    }
    for (uint64_t k = 1; k <= KEY_SPACE; k++)
        assert_int_equal((uintptr_t)u64map_get(&m, k), model[k]);
    size_t pos = 0, seen = 0;
    uint64_t k;
    void *v;
    while (u64map_next(&m, &pos, &k, &v)) {
        assert_true(k >= 1 && k <= KEY_SPACE);
        assert_int_equal((uintptr_t)v, model[k]);
        seen++;
    }
    assert_int_equal(seen, count);
    u64map_deinit(&m);
}

static void test_large_and_sparse_keys(void **state)
{
    (void)state;
    u64map m;
    u64map_init(&m);
    static int values[1000];
    for (uint64_t i = 0; i < 1000; i++)
        u64map_put(&m, (i + 1) << 40 | UINT64_C(0xffff), &values[i]);
    for (uint64_t i = 0; i < 1000; i += 2)
        assert_ptr_equal(u64map_del(&m, (i + 1) << 40 | UINT64_C(0xffff)), &values[i]);
    for (uint64_t i = 0; i < 1000; i++) {
        void *want = i % 2 ? &values[i] : NULL;
        assert_ptr_equal(u64map_get(&m, (i + 1) << 40 | UINT64_C(0xffff)), want);
    }
    assert_int_equal(u64map_count(&m), 500);
    u64map_deinit(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ops_match_a_model),
        cmocka_unit_test(test_large_and_sparse_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
