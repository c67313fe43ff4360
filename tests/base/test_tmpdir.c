/* Unit tests for base/tmpdir: fresh distinct directories, a missing root created, and a
 * path too long for the buffer refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/tmpdir.h"

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_distinct_dirs_under_a_new_root(void **state)
{
    (void)state;
    char root[256], a[512], b[512];
    assert_int_equal(
        mice_tmpdir_create(getenv("MICE_TEST_TMP"), "tmpdir-root", root, sizeof root, NULL),
        MICE_OK);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/new", root); /* does not exist yet */
    assert_int_equal(mice_tmpdir_create(sub, "t", a, sizeof a, NULL), MICE_OK);
    assert_int_equal(mice_tmpdir_create(sub, "t", b, sizeof b, NULL), MICE_OK);
    assert_string_not_equal(a, b);
    assert_true(is_dir(a) && is_dir(b));
    assert_int_equal(strncmp(a, sub, strlen(sub)), 0);
    rmdir(a);
    rmdir(b);
    rmdir(sub);
    rmdir(root);
}

static void test_too_long_is_invalid(void **state)
{
    (void)state;
    char small[8];
    mice_err err;
    assert_int_equal(mice_tmpdir_create("/tmp", "x", small, sizeof small, &err), MICE_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distinct_dirs_under_a_new_root),
        cmocka_unit_test(test_too_long_is_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
