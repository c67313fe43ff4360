/* Unit tests for base/buf and base/status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/buf.h"
#include "base/status.h"

static void test_append_and_grow(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    for (int i = 0; i < 10000; i++) buf_append_u8(&b, (uint8_t)i);
    assert_int_equal(b.n, 10000);
    for (int i = 0; i < 10000; i++) assert_int_equal(b.p[i], (uint8_t)i);
    buf_reset(&b);
    buf_printf(&b, "%s=%d", "k", 7);
    assert_string_equal((char *)b.p, "k=7");
    buf_append_be32(&b, 0x01020304);
    assert_memory_equal(b.p + 3, "\x01\x02\x03\x04", 4);
    assert_int_equal(mice_load_be32(b.p + 3), 0x01020304);
    buf_truncate(&b, 1);
    assert_int_equal(b.n, 1);
    size_t n;
    uint8_t *p = buf_steal(&b, &n);
    assert_int_equal(n, 1);
    assert_null(b.p);
    free(p);
    buf_deinit(&b);
}

static void test_slice_order(void **state)
{
    (void)state;
    assert_true(mice_slice_cmp(MICE_SLICE_LIT("a"), MICE_SLICE_LIT("ab")) < 0);
    assert_true(mice_slice_cmp(MICE_SLICE_LIT("b"), MICE_SLICE_LIT("ab")) > 0);
    assert_true(mice_slice_cmp(MICE_SLICE_LIT("a\0"), MICE_SLICE_LIT("a")) > 0);
    assert_int_equal(mice_slice_cmp(MICE_SLICE_LIT(""), MICE_SLICE_LIT("")), 0);
    assert_true(mice_slice_has_prefix(MICE_SLICE_LIT("/t/1"), MICE_SLICE_LIT("/t/")));
    assert_false(mice_slice_eq(MICE_SLICE_LIT("x"), MICE_SLICE_LIT("y")));
}

static void test_status_text_and_err(void **state)
{
    (void)state;
    assert_int_equal(MICE_OK, 0);
    assert_string_equal(mice_status_str(MICE_NOTFOUND), "not found");
    assert_string_equal(mice_status_name(MICE_CORRUPT), "MICE_CORRUPT");
    assert_string_equal(mice_status_str((mice_status)9999), "unknown status");
    mice_err e;
    mice_err_clear(&e);
    assert_string_equal(mice_err_msg(&e), "ok");
    assert_int_equal(mice_err_setf(&e, MICE_INVALID, "bad length %d", 5), MICE_INVALID);
    assert_int_equal(e.code, MICE_INVALID);
    assert_string_equal(mice_err_msg(&e), "bad length 5");
    assert_int_equal(mice_err_setf(NULL, MICE_IOERR, "ignored"), MICE_IOERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_grow),
        cmocka_unit_test(test_slice_order),
        cmocka_unit_test(test_status_text_and_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
