/* Unit tests for base/arena: alignment, growth, reset, the tree, and budgets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"

static void test_alloc_is_aligned_and_distinct(void **state)
{
    (void)state;
    mice_arena *a = arena_create(NULL, "t", 0);
    uint8_t *prev = NULL;
    for (int i = 1; i < 2000; i++) {
        uint8_t *p = arena_alloc(a, (size_t)(i % 97) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_true(p != prev);
        memset(p, 0xab, (size_t)(i % 97) + 1);
        prev = p;
    }
    uint8_t *big = arena_alloc(a, 3u << 20);
    assert_non_null(big);
    memset(big, 1, 3u << 20);
    arena_destroy(a);
}

static void test_budget_fails_cleanly(void **state)
{
    (void)state;
    mice_arena *root = arena_create(NULL, "root", 64 * 1024);
    mice_arena *child = arena_create(root, "child", 0);
    size_t got = 0;
    while (arena_alloc(child, 1000)) got += 1000;
    assert_true(got > 32 * 1024);
    assert_true(got <= 64 * 1024);
    assert_true(arena_used_bytes(root) <= 64 * 1024);
    assert_null(arena_alloc(child, 1000));
    /* Destroying the child returns its bytes to the parent's budget. */
    arena_destroy(child);
    assert_int_equal(arena_used_bytes(root), 0);
    assert_non_null(arena_alloc(root, 1000));
    arena_destroy(root);
}

static void test_reset_destroys_children_and_reuses(void **state)
{
    (void)state;
    mice_arena *stmt = arena_create(NULL, "stmt", 0);
    mice_arena *batch = arena_create(stmt, "batch", 1u << 20);
    for (int round = 0; round < 100; round++) {
        for (int i = 0; i < 100; i++) assert_non_null(arena_alloc(batch, 500));
        arena_reset(batch);
        assert_true(arena_used_bytes(batch) <= (1u << 20));
    }
    arena_reset(stmt); /* destroys batch */
    assert_int_equal(arena_used_bytes(stmt), 0);
    char *s = arena_sprintf(stmt, "%s-%d", "row", 42);
    assert_string_equal(s, "row-42");
    mice_slice d = arena_slice_dup(stmt, MICE_SLICE_LIT("a\0b"));
    assert_int_equal(d.n, 3);
    assert_memory_equal(d.p, "a\0b", 3);
    arena_destroy(stmt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_is_aligned_and_distinct),
        cmocka_unit_test(test_budget_fails_cleanly),
        cmocka_unit_test(test_reset_destroys_children_and_reuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
