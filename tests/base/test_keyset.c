/* Unit tests for base/keyset: membership against a reference model, growth, empty keys and
 * keys that differ only in length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/keyset.h"
#include "base/prng.h"

static void test_add_and_contains(void **state)
{
    (void)state;
    mice_keyset s;
    keyset_init(&s);
    bool was;
    assert_false(keyset_contains(&s, MICE_SLICE_LIT("a")));
    keyset_add(&s, MICE_SLICE_LIT("a"), &was);
    assert_false(was);
    keyset_add(&s, MICE_SLICE_LIT("a"), &was);
    assert_true(was);
    keyset_add(&s, MICE_SLICE_LIT(""), &was);
    assert_false(was);
    keyset_add(&s, mice_slice_of("a\0", 2), &was); /* "a" plus a zero byte is another key */
    assert_false(was);
    assert_true(keyset_contains(&s, MICE_SLICE_LIT("")));
    assert_false(keyset_contains(&s, MICE_SLICE_LIT("b")));
    assert_int_equal(keyset_size(&s), 3);
    keyset_deinit(&s);
}

/* Random keys from a small alphabet so that repeats are common; a sorted array of the keys
 * added so far is the model. */
static void test_matches_model(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, 42);
    mice_keyset s;
    keyset_init(&s);
    enum { N = 20000 };
    static char model[N][8];
    static bool in_model[1 << 16];
    memset(in_model, 0, sizeof in_model);
    size_t distinct = 0;
    for (int i = 0; i < N; i++) {
        uint32_t v = (uint32_t)(prng_next(&r) % 5000);
        snprintf(model[i], sizeof model[i], "k%u", v);
        bool was;
        keyset_add(&s, mice_slice_str(model[i]), &was);
        assert_int_equal(was, in_model[v]);
        if (!in_model[v]) distinct++;
        in_model[v] = true;
    }
    assert_int_equal(keyset_size(&s), distinct);
    for (uint32_t v = 0; v < 6000; v++) {
        char k[8];
        snprintf(k, sizeof k, "k%u", v);
        assert_int_equal(keyset_contains(&s, mice_slice_str(k)), v < 5000 && in_model[v]);
    }
    keyset_deinit(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_contains),
        cmocka_unit_test(test_matches_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
