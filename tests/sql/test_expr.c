/* Unit tests for sql/expr: PostgreSQL's three-valued logic, NULL rules, IN lists, CASE,
 * errors as SQLSTATEs, batch evaluation and filtering, and the EXPLAIN printer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sql/expr.h"
#include "sql/value_io.h"

static mice_arena *A;
static func_ctx FC;
static expr_ctx CTX;

static int setup(void **state)
{
    (void)state;
    A = arena_create(NULL, "test", 0);
    func_ctx_init(&FC, A, NULL);
    CTX = (expr_ctx){.fctx = &FC, .arena = A};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(A);
    return 0;
}

static const sql_type BOOL_T = {SQL_TYPE_BOOL, -1};
static const sql_type INT_T = {SQL_TYPE_INT4, -1};

static sql_expr *kb(int v) /* -1 = NULL */
{
    return expr_const(A, v < 0 ? datum_null(SQL_TYPE_BOOL) : datum_bool(v), BOOL_T);
}

static sql_expr *ki(int v)
{
    return expr_const(A, datum_int4(v), INT_T);
}

static sql_expr *knull_int(void)
{
    return expr_const(A, datum_null(SQL_TYPE_INT4), INT_T);
}

static sql_expr *node2(expr_kind k, sql_type t, sql_expr *a, sql_expr *b)
{
    sql_expr *e = expr_new(A, k, t, b ? 2 : 1);
    e->args[0] = a;
    if (b) e->args[1] = b;
    return e;
}

static int eval_bool(sql_expr *e) /* -1 = NULL */
{
    sql_datum v;
    sql_error err;
    assert_int_equal(expr_eval(e, &CTX, NULL, &v, &err), MICE_OK);
    return v.is_null ? -1 : v.v.b;
}

static void test_three_valued_logic(void **state)
{
    (void)state;
    /* AND/OR truth tables over {true, false, NULL} as PostgreSQL defines them. */
    static const int vals[3] = {1, 0, -1};
    static const int and_t[3][3] = {{1, 0, -1}, {0, 0, 0}, {-1, 0, -1}};
    static const int or_t[3][3] = {{1, 1, 1}, {1, 0, -1}, {1, -1, -1}};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            assert_int_equal(eval_bool(node2(EXPR_AND, BOOL_T, kb(vals[i]), kb(vals[j]))),
                             and_t[i][j]);
            assert_int_equal(eval_bool(node2(EXPR_OR, BOOL_T, kb(vals[i]), kb(vals[j]))),
                             or_t[i][j]);
        }
        assert_int_equal(eval_bool(node2(EXPR_NOT, BOOL_T, kb(vals[i]), NULL)),
                         vals[i] < 0 ? -1 : !vals[i]);
    }
}

static void test_comparisons_and_null_tests(void **state)
{
    (void)state;
    sql_expr *c = node2(EXPR_CMP, BOOL_T, ki(1), knull_int());
    c->op = EXPR_EQ;
    assert_int_equal(eval_bool(c), -1);
    c = node2(EXPR_CMP, BOOL_T, ki(1), ki(2));
    c->op = EXPR_LT;
    assert_int_equal(eval_bool(c), 1);
    sql_expr *nt = node2(EXPR_NULLTEST, BOOL_T, knull_int(), NULL);
    assert_int_equal(eval_bool(nt), 1);
    nt->negated = true;
    assert_int_equal(eval_bool(nt), 0);
    sql_expr *d = node2(EXPR_DISTINCT, BOOL_T, knull_int(), knull_int());
    assert_int_equal(eval_bool(d), 0);
    d = node2(EXPR_DISTINCT, BOOL_T, ki(1), knull_int());
    assert_int_equal(eval_bool(d), 1);
    sql_expr *bt = node2(EXPR_BOOLTEST, BOOL_T, kb(-1), NULL);
    bt->op = 3; /* IS NOT FALSE */
    assert_int_equal(eval_bool(bt), 1);
}

static void test_in_list(void **state)
{
    (void)state;
    sql_expr *in = expr_new(A, EXPR_IN_LIST, BOOL_T, 3);
    in->args[0] = ki(2);
    in->args[1] = ki(1);
    in->args[2] = knull_int();
    assert_int_equal(eval_bool(in), -1); /* no match and a NULL: NULL */
    in->args[1] = ki(2);
    assert_int_equal(eval_bool(in), 1);
    in->negated = true;
    assert_int_equal(eval_bool(in), 0);
    in->args[0] = knull_int();
    assert_int_equal(eval_bool(in), -1);
}

static void test_case_coalesce_arith(void **state)
{
    (void)state;
    sql_expr *cs = expr_new(A, EXPR_CASE, INT_T, 5);
    cs->args[0] = kb(-1);
    cs->args[1] = ki(1);
    cs->args[2] = kb(1);
    cs->args[3] = ki(2);
    cs->args[4] = ki(3);
    cs->has_else = true;
    sql_datum v;
    sql_error err;
    assert_int_equal(expr_eval(cs, &CTX, NULL, &v, &err), MICE_OK);
    assert_int_equal(v.v.i, 2);
    sql_expr *co = node2(EXPR_COALESCE, INT_T, knull_int(), ki(7));
    assert_int_equal(expr_eval(co, &CTX, NULL, &v, &err), MICE_OK);
    assert_int_equal(v.v.i, 7);
    sql_expr *div = node2(EXPR_ARITH, INT_T, ki(1), ki(0));
    div->op = SQL_OP_DIV;
    assert_int_not_equal(expr_eval(div, &CTX, NULL, &v, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "22012");
    sql_expr *add = node2(EXPR_ARITH, INT_T, ki(INT32_MAX), ki(1));
    add->op = SQL_OP_ADD;
    assert_int_not_equal(expr_eval(add, &CTX, NULL, &v, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "22003");
    add->args[1] = knull_int();
    assert_int_equal(expr_eval(add, &CTX, NULL, &v, &err), MICE_OK);
    assert_true(v.is_null);
}

static void test_batch_filter_and_print(void **state)
{
    (void)state;
    sql_batch *b = batch_create(A, 2, 0);
    for (int i = 0; i < 10; i++) {
        sql_datum row[2] = {datum_int4(i), i % 3 ? datum_int4(i * 10) : datum_null(SQL_TYPE_INT4)};
        batch_append_row(b, row);
    }
    sql_expr *gt = node2(EXPR_CMP, BOOL_T, expr_col(A, 1, INT_T, "b"), ki(35));
    gt->op = EXPR_GT;
    uint32_t sel[SQL_BATCH_ROWS_MAX], n;
    sql_error err;
    assert_int_equal(expr_filter_batch(gt, &CTX, b, sel, &n, &err), MICE_OK);
    assert_int_equal(n, 4); /* 40, 50, 70, 80; NULLs are not true */
    assert_int_equal(sel[0], 4);
    assert_int_equal(sel[3], 8);
    sql_datum out[SQL_BATCH_ROWS_MAX];
    sql_expr *sum =
        node2(EXPR_ARITH, INT_T, expr_col(A, 0, INT_T, "a"), expr_col(A, 1, INT_T, "b"));
    sum->op = SQL_OP_ADD;
    assert_int_equal(expr_eval_batch(sum, &CTX, b, out, &err), MICE_OK);
    assert_true(out[0].is_null);
    assert_int_equal(out[1].v.i, 11);
    mice_buf p;
    buf_init(&p);
    sql_expr *both =
        node2(EXPR_AND, BOOL_T, gt, node2(EXPR_NULLTEST, BOOL_T, expr_col(A, 0, INT_T, "a"), NULL));
    expr_print(both, NULL, &p);
    assert_string_equal((const char *)p.p, "((b > 35) AND (a IS NULL))");
    buf_deinit(&p);
    assert_true(expr_is_constant(sum->args[1]) == false);
    assert_true(expr_is_constant(ki(3)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_valued_logic),
        cmocka_unit_test(test_comparisons_and_null_tests),
        cmocka_unit_test(test_in_list),
        cmocka_unit_test(test_case_coalesce_arith),
        cmocka_unit_test(test_batch_filter_and_print),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
