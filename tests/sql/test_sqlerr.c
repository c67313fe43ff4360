/* Unit tests for sql/sqlerr: the error value every SQL module fills. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sql/sqlerr.h"

static void test_set_detail_hint_clear(void **state)
{
    (void)state;
    sql_error e;
    sqlerr_clear(&e);
    assert_int_equal(e.code, MICE_OK);
    assert_string_equal(e.sqlstate, "00000");
    assert_int_equal(sqlerr_set(&e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range",
                                "integer"),
                     MICE_RANGE);
    sqlerr_detail(&e, "detail %d", 7);
    sqlerr_hint(&e, "hint");
    e.position = 12;
    assert_string_equal(e.sqlstate, "22003");
    assert_string_equal(e.message, "integer out of range");
    assert_string_equal(e.detail, "detail 7");
    assert_string_equal(e.hint, "hint");
    /* a new error starts clean */
    sqlerr_set(&e, MICE_INVALID, SQLSTATE_SYNTAX_ERROR, "x");
    assert_string_equal(e.detail, "");
    assert_string_equal(e.hint, "");
    assert_int_equal(e.position, 0);
    /* NULL is allowed everywhere */
    assert_int_equal(sqlerr_set(NULL, MICE_INVALID, "22P02", "x"), MICE_INVALID);
    sqlerr_detail(NULL, "x");
    sqlerr_hint(NULL, "x");
    sqlerr_clear(NULL);
}

static void test_shorthands(void **state)
{
    (void)state;
    sql_error e;
    assert_int_equal(sqlerr_invalid_input(&e, "integer", "abc", 3), MICE_INVALID);
    assert_string_equal(e.sqlstate, "22P02");
    assert_string_equal(e.message, "invalid input syntax for type integer: \"abc\"");
    assert_int_equal(sqlerr_out_of_range(&e, "bigint"), MICE_RANGE);
    assert_string_equal(e.message, "bigint out of range");
    assert_int_equal(sqlerr_division_by_zero(&e), MICE_RANGE);
    assert_string_equal(e.sqlstate, "22012");
    assert_int_equal(sqlerr_nomem(&e), MICE_NOMEM);
    assert_string_equal(e.sqlstate, "53200");
    char big[2000];
    memset(big, 'x', sizeof big);
    sqlerr_invalid_input(&e, "text", big, sizeof big); /* cut, not overflowed */
    assert_true(strlen(e.message) < SQL_ERROR_MSG_MAX);
    mice_err me;
    sqlerr_division_by_zero(&e);
    sqlerr_to_mice_err(&e, &me);
    assert_int_equal(me.code, MICE_RANGE);
    assert_string_equal(me.msg, "22012: division by zero");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_detail_hint_clear),
        cmocka_unit_test(test_shorthands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
