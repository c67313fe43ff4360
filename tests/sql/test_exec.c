/* Unit tests for sql/exec: operators over VALUES inputs (no storage needed): sort with
 * PostgreSQL's NULL ordering, limit/offset, hash aggregation (empty input, NULL groups),
 * DISTINCT, hash and nested-loop joins (inner, left), UNION, the work_mem budget (53200)
 * and batches larger than one SQL_BATCH_ROWS_MAX. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sql/bind.h"
#include "sql/exec.h"
#include "sql/parse.h"
#include "sql/value_io.h"

static mice_buf OUT;
static sql_error ERR;

/* Bind sql (no tables) and run it with a statement arena of budget bytes (0 = none). */
static mice_status run(const char *sql, size_t budget)
{
    mice_arena *a = arena_create(NULL, "stmt", budget);
    mice_arena *pa = arena_create(NULL, "parse", 0);
    buf_reset(&OUT);
    sql_parse_result pr;
    mice_status rc = sql_parse(pa, sql, strlen(sql), &pr, &ERR);
    func_ctx fc;
    func_ctx_init(&fc, a, NULL);
    bind_ctx *b = ARENA_NEW(pa, bind_ctx);
    b->arena = pa;
    b->fctx = &fc;
    plan_node *p = NULL;
    if (!rc) rc = bind_statement(b, pr.stmts[0].stmt, &p, &ERR);
    exec_env env = {.stmt = a, .fctx = &fc};
    exec_op *op = NULL;
    if (!rc) rc = exec_open(&env, p, &op, &ERR);
    while (!rc) {
        sql_batch *bt;
        if ((rc = exec_next(op, &bt, &ERR)) || !bt->n_rows) break;
        for (uint32_t r = 0; r < bt->n_rows; r++) {
            for (uint32_t c = 0; c < bt->n_cols; c++) {
                if (c) buf_append_u8(&OUT, '|');
                sql_datum *d = &bt->cols[c][r];
                if (d->is_null)
                    buf_append_str(&OUT, "NULL");
                else
                    value_to_text(d, NULL, &OUT, NULL);
            }
            buf_append_u8(&OUT, '\n');
        }
    }
    exec_close(op);
    arena_destroy(a);
    arena_destroy(pa);
    buf_append_u8(&OUT, 0);
    return rc;
}

static const char *rows(const char *sql)
{
    mice_status rc = run(sql, 0);
    if (rc) fail_msg("%s: %s", ERR.sqlstate, ERR.message);
    return (const char *)OUT.p;
}

static void test_sort_limit(void **state)
{
    (void)state;
    const char *v = "(VALUES (3, 'c'), (NULL, 'n'), (1, 'a'), (2, NULL)) v(a, b)";
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT a FROM %s ORDER BY a", v);
    assert_string_equal(rows(sql), "1\n2\n3\nNULL\n");
    snprintf(sql, sizeof sql, "SELECT a FROM %s ORDER BY a DESC", v);
    assert_string_equal(rows(sql), "NULL\n3\n2\n1\n");
    snprintf(sql, sizeof sql, "SELECT b FROM %s ORDER BY b NULLS FIRST LIMIT 2 OFFSET 1", v);
    assert_string_equal(rows(sql), "a\nc\n");
    snprintf(sql, sizeof sql, "SELECT a FROM %s LIMIT 0", v);
    assert_string_equal(rows(sql), "");
}

static void test_aggregation(void **state)
{
    (void)state;
    assert_string_equal(rows("SELECT count(*), sum(a), min(a) FROM (VALUES (1)) v(a) WHERE a > 5"),
                        "0|NULL|NULL\n");
    assert_string_equal(rows("SELECT a, count(*) FROM (VALUES (1), (NULL), (1), (NULL), (2)) v(a) "
                             "GROUP BY a ORDER BY a"),
                        "1|2\n2|1\nNULL|2\n");
    assert_string_equal(rows("SELECT DISTINCT a FROM (VALUES (1), (1), (2)) v(a) ORDER BY 1"),
                        "1\n2\n");
    assert_string_equal(rows("SELECT sum(a), avg(a) FROM (VALUES (1::int8), (2)) v(a)"),
                        "3|1.5000000000000000\n");
    assert_string_equal(rows("SELECT count(DISTINCT a) FROM (VALUES (1), (1), (NULL), (3)) v(a)"),
                        "2\n");
}

static void test_joins_and_union(void **state)
{
    (void)state;
    const char *l = "(VALUES (1, 'x'), (2, 'y'), (3, 'z')) l(id, s)";
    const char *r = "(VALUES (1, 10), (1, 11), (3, 30), (NULL, 0)) r(id, n)";
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT l.s, r.n FROM %s JOIN %s ON l.id = r.id ORDER BY 2", l, r);
    assert_string_equal(rows(sql), "x|10\nx|11\nz|30\n");
    snprintf(sql, sizeof sql, "SELECT l.s, r.n FROM %s LEFT JOIN %s ON l.id = r.id ORDER BY 1, 2",
             l, r);
    assert_string_equal(rows(sql), "x|10\nx|11\ny|NULL\nz|30\n");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s JOIN %s ON l.id < r.id", l, r);
    assert_string_equal(rows(sql), "2\n");
    assert_string_equal(rows("SELECT 1 UNION SELECT 1 UNION ALL SELECT 2"), "1\n2\n");
}

static void test_many_batches_and_budget(void **state)
{
    (void)state;
    /* 3000 rows cross the batch boundary twice. */
    mice_buf sql;
    buf_init(&sql);
    buf_append_str(&sql, "SELECT count(*), sum(a), max(a) FROM (VALUES (0)");
    for (int i = 1; i < 3000; i++)
        buf_printf(&sql, ", (%d)", i);
    buf_append_str(&sql, ") v(a)");
    assert_string_equal(rows((const char *)sql.p), "3000|4498500|2999\n");
    buf_reset(&sql);
    buf_append_str(&sql, "SELECT a FROM (VALUES ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0')");
    for (int i = 1; i < 3000; i++)
        buf_printf(&sql, ", ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa%d')", i);
    buf_append_str(&sql, ") v(a) ORDER BY a DESC LIMIT 1");
    buf_append_u8(&sql, 0);
    assert_string_equal(rows((const char *)sql.p), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa999\n");
    /* the same sort in a 300 KiB statement budget: 53200, not a crash */
    assert_int_equal(run((const char *)sql.p, 300u << 10), MICE_NOMEM);
    assert_string_equal(ERR.sqlstate, "53200");
    buf_deinit(&sql);
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_not_equal(run("SELECT (SELECT a FROM (VALUES (1), (2)) v(a))", 0), MICE_OK);
    assert_string_equal(ERR.sqlstate, "21000");
    assert_int_not_equal(run("SELECT 1 OFFSET -1", 0), MICE_OK);
    assert_string_equal(ERR.sqlstate, "2201X");
    assert_int_not_equal(run("SELECT a / 0 FROM (VALUES (1)) v(a)", 0), MICE_OK);
    assert_string_equal(ERR.sqlstate, "22012");
}

static int setup(void **state)
{
    (void)state;
    buf_init(&OUT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    buf_deinit(&OUT);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_limit),      cmocka_unit_test(test_aggregation),
        cmocka_unit_test(test_joins_and_union), cmocka_unit_test(test_many_batches_and_budget),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
