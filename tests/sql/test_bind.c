/* Unit tests for sql/bind: typing (literals, parameters, aggregates), constant folding,
 * name resolution errors with positions, and the optimizer's choices as EXPLAIN text
 * (index selection, IN-list spans, ORDER BY by index, push-down below joins). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ftw.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/tmpdir.h"
#include "sql/bind.h"
#include "sql/engine.h"
#include "sql/parse.h"
#include "storage/mvcc.h"

static char DIR_[512];
static engine *E;
static txn_db *DB;
static catalog *CAT;
static sql_engine *SQL;
static uint32_t DB_ID;

static int rm_one(const char *p, const struct stat *st, int f, struct FTW *w)
{
    (void)st;
    (void)f;
    (void)w;
    return remove(p);
}

static void exec_sql(const char *sql)
{
    mice_arena *a = arena_create(NULL, "t", 0);
    sql_parse_result pr;
    sql_error err;
    mice_assert(sql_parse(a, sql, strlen(sql), &pr, &err) == MICE_OK);
    sql_session s = {.database_id = DB_ID, .vctx = SQL_VALUE_CTX_DEFAULT};
    sql_exec_result res;
    txn *t = txn_begin(DB, TXN_READ_COMMITTED);
    if (sql_exec_stmt(SQL, &s, t, pr.stmts[0].stmt, NULL, 0, NULL, &res, &err))
        fail_msg("%s", err.message);
    mice_err me;
    mice_assert(txn_commit(t, &me) == MICE_OK);
    txn_destroy(t);
    arena_destroy(a);
}

static int setup(void **state)
{
    (void)state;
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), "bind", DIR_, sizeof DIR_, NULL) ==
                MICE_OK);
    engine_config ec;
    mvcc_config_init(&ec, DIR_);
    mice_err err;
    mice_assert(engine_open(&ec, &E, &err) == MICE_OK);
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    mice_assert(txn_db_create(E, mice_env_real(), &cfg, &DB, &err) == MICE_OK);
    sql_error serr;
    mice_assert(catalog_bootstrap(DB, &serr) == MICE_OK);
    CAT = catalog_create(DB, mice_env_real(), 1);
    SQL = sql_engine_create(DB, CAT, mice_env_real());
    txn *t = txn_begin(DB, TXN_READ_COMMITTED);
    catalog_txn ct;
    catalog_txn_init(&ct, CAT, t);
    mice_arena *a = arena_create(NULL, "s", 0);
    catalog_desc *d;
    mice_assert(catalog_statement_begin(&ct, &serr) == MICE_OK);
    mice_assert(catalog_find_database(&ct, "defaultdb", a, &d, &serr) == MICE_OK);
    DB_ID = d->id;
    arena_destroy(a);
    txn_destroy(t);
    exec_sql("CREATE TABLE t (id int PRIMARY KEY, a int8, b text, c numeric, d int NOT NULL)");
    exec_sql("CREATE INDEX t_b_idx ON t (b)");
    exec_sql("CREATE INDEX t_a_d ON t (a, d)");
    exec_sql("CREATE TABLE u (id int PRIMARY KEY, t_id int, x text)");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sql_engine_destroy(SQL);
    catalog_destroy(CAT);
    txn_db_destroy(DB);
    engine_close(E);
    nftw(DIR_, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* Bind sql; *plan and the ctx (for parameter types) stay valid until the next call. */
static mice_arena *BA;
static bind_ctx *B;
static sql_error ERR;
static txn *T;

static mice_status bind(const char *sql, plan_node **plan)
{
    if (BA) arena_destroy(BA);
    if (T) txn_destroy(T);
    BA = arena_create(NULL, "bind", 0);
    sql_parse_result pr;
    mice_status rc = sql_parse(BA, sql, strlen(sql), &pr, &ERR);
    if (rc) return rc;
    T = txn_begin(DB, TXN_READ_COMMITTED);
    catalog_txn *ct = ARENA_NEW(BA, catalog_txn);
    catalog_txn_init(ct, CAT, T);
    if ((rc = catalog_statement_begin(ct, &ERR))) return rc;
    func_ctx *fc = ARENA_NEW(BA, func_ctx);
    func_ctx_init(fc, BA, NULL);
    B = ARENA_NEW(BA, bind_ctx);
    *B = (bind_ctx){.arena = BA, .ct = ct, .database_id = DB_ID, .fctx = fc};
    return bind_statement(B, pr.stmts[0].stmt, plan, &ERR);
}

static const char *explain(const char *sql)
{
    static char text[4096];
    plan_node *p;
    if (bind(sql, &p)) fail_msg("%s: %s", ERR.sqlstate, ERR.message);
    mice_buf out;
    buf_init(&out);
    plan_explain_opts o = {.costs = false};
    plan_explain(p, &o, NULL, &out);
    snprintf(text, sizeof text, "%.*s", (int)out.n, (const char *)out.p);
    buf_deinit(&out);
    return text;
}

static const char *error_of(const char *sql)
{
    static char text[700];
    plan_node *p;
    if (!bind(sql, &p)) return "no error";
    snprintf(text, sizeof text, "%s %s @%d", ERR.sqlstate, ERR.message, ERR.position);
    return text;
}

static void test_types(void **state)
{
    (void)state;
    plan_node *p;
    assert_int_equal(
        bind("SELECT count(*), sum(id), sum(a), avg(id), min(b), 1, 3000000000, 1.5, 'x', "
             "a + id FROM t",
             &p),
        MICE_INVALID);
    assert_string_equal(ERR.sqlstate, "42803");
    static const sql_type_id want[] = {
        SQL_TYPE_INT8, SQL_TYPE_INT8, SQL_TYPE_NUMERIC, SQL_TYPE_NUMERIC, SQL_TYPE_TEXT,
        SQL_TYPE_INT4, SQL_TYPE_INT8, SQL_TYPE_NUMERIC, SQL_TYPE_TEXT,    SQL_TYPE_INT8};
    /* the last column mixes aggregates with a bare column: grouping error instead */
    assert_int_equal(
        bind("SELECT count(*), sum(id), sum(a), avg(id), min(b), 1, 3000000000, 1.5, 'x' FROM t",
             &p),
        MICE_OK);
    for (uint32_t i = 0; i < 9; i++)
        assert_int_equal(p->col_types[i].id, want[i]);
    assert_string_equal(p->col_names[0], "count");
    assert_string_equal(p->col_names[5], "?column?");
    assert_int_equal(bind("SELECT |/ 25, 2 ^ 0.5", &p), MICE_OK);
    assert_int_equal(p->col_types[0].id, SQL_TYPE_FLOAT8);
    assert_int_equal(p->col_types[1].id, SQL_TYPE_NUMERIC);
}

static void test_parameter_inference(void **state)
{
    (void)state;
    plan_node *p;
    assert_int_equal(bind("SELECT b FROM t WHERE id = $1 AND c > $2 AND b LIKE $3", &p), MICE_OK);
    assert_int_equal(B->n_params, 3);
    assert_int_equal(B->param_types[0].id, SQL_TYPE_INT4);
    assert_int_equal(B->param_types[1].id, SQL_TYPE_NUMERIC);
    assert_int_equal(B->param_types[2].id, SQL_TYPE_TEXT);
    assert_int_equal(bind("UPDATE t SET a = $2 WHERE id = $1", &p), MICE_OK);
    assert_int_equal(B->param_types[0].id, SQL_TYPE_INT4);
    assert_int_equal(B->param_types[1].id, SQL_TYPE_INT8);
    assert_int_equal(bind("INSERT INTO t (id, d) VALUES ($1, $2) RETURNING id", &p), MICE_OK);
    assert_int_equal(B->param_types[1].id, SQL_TYPE_INT4);
    assert_int_equal(p->n_cols, 1);
}

static void test_constant_folding_and_literals(void **state)
{
    (void)state;
    assert_string_equal(explain("SELECT * FROM t WHERE id = 1 + 2 * 3"),
                        "Index Scan using t_pkey on t\n  Index Cond: (id = 7)\n");
    assert_string_equal(explain("SELECT * FROM t WHERE id = '5'"),
                        "Index Scan using t_pkey on t\n  Index Cond: (id = 5)\n");
    assert_string_equal(explain("SELECT * FROM t WHERE d > 1 AND true"),
                        "Seq Scan on t\n  Filter: (d > 1)\n");
    assert_string_equal(explain("SELECT 1 + 1"), "Result\n");
}

static void test_index_selection(void **state)
{
    (void)state;
    assert_string_equal(
        explain("SELECT * FROM t WHERE b = 'x' AND d = 3"),
        "Index Scan using t_b_idx on t\n  Index Cond: (b = 'x'::text)\n  Filter: (d = 3)\n");
    assert_string_equal(explain("SELECT * FROM t WHERE a = 1 AND d > 2"),
                        "Index Scan using t_a_d on t\n  Index Cond: ((a = 1) AND (d > 2))\n");
    assert_string_equal(explain("SELECT * FROM t WHERE id IN (3, 1, 2)"),
                        "Index Scan using t_pkey on t\n  Index Cond: (id = ANY ('{3,1,2}'))\n");
    assert_string_equal(
        explain("SELECT * FROM t WHERE id = 1 AND b = 'x'"),
        "Index Scan using t_pkey on t\n  Index Cond: (id = 1)\n  Filter: (b = 'x'::text)\n");
    assert_string_equal(explain("SELECT id FROM t ORDER BY id LIMIT 3"),
                        "Limit\n  ->  Index Scan using t_pkey on t\n");
    assert_string_equal(explain("SELECT id FROM t ORDER BY b LIMIT 3"),
                        "Limit\n  ->  Sort\n        Sort Key: b\n        ->  Seq Scan on t\n");
    assert_string_equal(explain("SELECT b, count(*) FROM t GROUP BY b"),
                        "HashAggregate\n  Group Key: b\n  ->  Seq Scan on t\n");
}

static void test_pushdown_below_joins(void **state)
{
    (void)state;
    assert_string_equal(
        explain("SELECT t.b, u.x FROM t JOIN u ON u.t_id = t.id WHERE t.id = 5 AND u.x = 'q'"),
        "Hash Join\n  Hash Cond: (t.id = u.t_id)\n"
        "  ->  Index Scan using t_pkey on t\n        Index Cond: (t.id = 5)\n"
        "  ->  Hash\n        ->  Seq Scan on u\n              Filter: (u.x = 'q'::text)\n");
    assert_string_equal(
        explain("SELECT * FROM t LEFT JOIN u ON u.t_id = t.id WHERE u.x IS NULL"),
        "Filter\n  Filter: (u.x IS NULL)\n  ->  Hash Left Join\n        Hash Cond: (t.id = "
        "u.t_id)\n"
        "        ->  Seq Scan on t\n        ->  Hash\n              ->  Seq Scan on u\n");
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(error_of("SELECT nope FROM t"), "42703 column \"nope\" does not exist @8");
    assert_string_equal(error_of("SELECT id FROM t, u"),
                        "42702 column reference \"id\" is ambiguous @8");
    assert_string_equal(error_of("SELECT * FROM missing"),
                        "42P01 relation \"missing\" does not exist @15");
    assert_string_equal(error_of("SELECT b + 1 FROM t"),
                        "42883 operator does not exist: text + integer @10");
    assert_string_equal(error_of("SELECT * FROM t WHERE b"),
                        "42804 argument of WHERE must be type boolean, not type text @23");
    assert_string_equal(error_of("INSERT INTO t (id, d) VALUES (1, 2, 3)"),
                        "42601 INSERT has more expressions than target columns @37");
    assert_string_equal(error_of("INSERT INTO t (id, d) VALUES (1, 'x')"),
                        "22P02 invalid input syntax for type integer: \"x\" @34");
    assert_string_equal(error_of("SELECT 1 ORDER BY 2"),
                        "42P10 ORDER BY position 2 is not in select list @19");
    assert_string_equal(error_of("SELECT CASE WHEN true THEN 1 ELSE 'a'::text END"),
                        "42804 CASE types text and integer cannot be matched @28");
}

static int teardown_bind(void **state)
{
    if (BA) arena_destroy(BA);
    if (T) txn_destroy(T);
    BA = NULL;
    T = NULL;
    return teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_parameter_inference),
        cmocka_unit_test(test_constant_folding_and_literals),
        cmocka_unit_test(test_index_selection),
        cmocka_unit_test(test_pushdown_below_joins),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown_bind);
}
