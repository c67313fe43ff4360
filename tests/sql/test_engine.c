/* End-to-end tests of the SQL engine (sql/engine.h): SQL text in, rows rendered with
 * value_to_text out, compared with what PostgreSQL 15 prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "base/check.h"
#include "base/tmpdir.h"
#include "sql/engine.h"
#include "sql/func.h"
#include "sql/parse.h"
#include "sql/settings.h"
#include "sql/value_io.h"
#include "storage/mvcc.h"

/* --- a scratch node ------------------------------------------------------------------------ */

typedef struct node {
    char dir[512];
    engine *e;
    txn_db *db;
    catalog *cat;
    sql_engine *sql;
    uint32_t db_id;
} node;

static node N;
static sql_error LAST_ERR;  /* the error of the last failed run_in */
static settings *SETTINGS; /* the session settings of run_in; NULL: none */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int node_setup(void **state)
{
    (void)state;
    memset(&N, 0, sizeof N);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), "engine", N.dir, sizeof N.dir, NULL) ==
                MICE_OK);
    engine_config ec;
    mvcc_config_init(&ec, N.dir);
    mice_err err;
    if (engine_open(&ec, &N.e, &err)) fail_msg("engine_open: %s", mice_err_msg(&err));
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.lock_timeout_ms = 10000;
    if (txn_db_create(N.e, mice_env_real(), &cfg, &N.db, &err))
        fail_msg("txn_db_create: %s", mice_err_msg(&err));
    sql_error serr;
    if (catalog_bootstrap(N.db, &serr)) fail_msg("bootstrap: %s", serr.message);
    N.cat = catalog_create(N.db, mice_env_real(), 1);
    N.sql = sql_engine_create(N.db, N.cat, mice_env_real());
    txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
    catalog_txn ct;
    catalog_txn_init(&ct, N.cat, t);
    mice_arena *a = arena_create(NULL, "setup", 0);
    catalog_desc *d = NULL;
    if (catalog_statement_begin(&ct, &serr) ||
        catalog_find_database(&ct, "defaultdb", a, &d, &serr))
        fail_msg("defaultdb: %s", serr.message);
    N.db_id = d->id;
    arena_destroy(a);
    txn_commit(t, &err);
    txn_destroy(t);
    return 0;
}

static int node_teardown(void **state)
{
    (void)state;
    sql_engine_destroy(N.sql);
    catalog_destroy(N.cat);
    txn_db_destroy(N.db);
    engine_close(N.e);
    nftw(N.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* --- running SQL text ---------------------------------------------------------------------- */

typedef struct out_sink {
    mice_buf text;
    bool header;
} out_sink;

static mice_status on_columns(void *ctx, const sql_column *cols, uint32_t n)
{
    out_sink *o = ctx;
    if (!o->header) return MICE_OK;
    for (uint32_t i = 0; i < n; i++)
        buf_printf(&o->text, "%s%s", i ? "|" : "", cols[i].name);
    buf_append_str(&o->text, "\n");
    return MICE_OK;
}

static mice_status on_row(void *ctx, const sql_datum *v, uint32_t n)
{
    out_sink *o = ctx;
    for (uint32_t i = 0; i < n; i++) {
        if (i) buf_append_u8(&o->text, '|');
        if (v[i].is_null)
            buf_append_str(&o->text, "NULL");
        else if (value_to_text(&v[i], NULL, &o->text, NULL))
            buf_append_str(&o->text, "?");
    }
    buf_append_u8(&o->text, '\n');
    return MICE_OK;
}

static mice_status on_notice(void *ctx, const sql_error *n)
{
    out_sink *o = ctx;
    buf_printf(&o->text, "NOTICE %s: %s\n", n->sqlstate, n->message);
    return MICE_OK;
}

static sql_session session(void)
{
    sql_session s = {.database_id = N.db_id,
                     .database = "defaultdb",
                     .user = "root",
                     .vctx = SQL_VALUE_CTX_DEFAULT,
                     .settings = SETTINGS};
    return s;
}

/* Run every statement of sql in its own txn (autocommit); returns the rows of the last
 * one as "a|b\n" lines, or "ERROR <sqlstate>: <message>" (+ " DETAIL ..." / " @pos"). */
static char *run_in(txn *given, const char *sql, bool header, char **tag_out)
{
    static char result[1 << 16];
    mice_arena *a = arena_create(NULL, "test", 0);
    sql_parse_result pr;
    sql_error err;
    out_sink o = {.header = header};
    buf_init(&o.text);
    if (sql_parse(a, sql, strlen(sql), &pr, &err)) {
        snprintf(result, sizeof result, "ERROR %s: %s", err.sqlstate, err.message);
        arena_destroy(a);
        return result;
    }
    sql_session s = session();
    sql_result_sink sink = {.ctx = &o, .columns = on_columns, .row = on_row, .notice = on_notice};
    sql_exec_result res = {0};
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; i < pr.n_stmts && !rc; i++) {
        buf_reset(&o.text);
        txn *t = given ? given : txn_begin(N.db, TXN_READ_COMMITTED);
        rc = sql_exec_stmt(N.sql, &s, t, pr.stmts[i].stmt, NULL, 0, &sink, &res, &err);
        mice_err me;
        if (!given) {
            if (!rc && (rc = txn_commit(t, &me)))
                snprintf(err.message, sizeof err.message, "commit: %.400s", me.msg);
            txn_destroy(t);
        }
    }
    if (rc) {
        LAST_ERR = err;
        int n = snprintf(result, sizeof result, "ERROR %s: %s", err.sqlstate, err.message);
        if (err.detail[0])
            n += snprintf(result + n, sizeof result - (size_t)n, " DETAIL %s", err.detail);
        if (err.position) snprintf(result + n, sizeof result - (size_t)n, " @%d", err.position);
    } else {
        snprintf(result, sizeof result, "%.*s", (int)o.text.n,
                 o.text.p ? (const char *)o.text.p : "");
    }
    if (tag_out) *tag_out = strdup(res.command_tag);
    buf_deinit(&o.text);
    arena_destroy(a);
    return result;
}

static const char *q(const char *sql)
{
    return run_in(NULL, sql, false, NULL);
}

static const char *tag(const char *sql)
{
    static char t[SQL_COMMAND_TAG_MAX];
    char *got = NULL;
    const char *r = run_in(NULL, sql, false, &got);
    if (!strncmp(r, "ERROR", 5)) {
        free(got);
        return r;
    }
    snprintf(t, sizeof t, "%s", got ? got : "");
    free(got);
    return t;
}

#define OK(sql) assert_string_equal(q(sql), "")
#define EQ(sql, want) assert_string_equal(q(sql), want)

/* --- tests ----------------------------------------------------------------------------------- */

static void test_basic_roundtrip(void **state)
{
    (void)state;
    assert_string_equal(tag("CREATE TABLE t (id int PRIMARY KEY, name text, score float8)"),
                        "CREATE TABLE");
    assert_string_equal(tag("INSERT INTO t VALUES (1, 'a', 1.5), (2, 'b', NULL), (3, NULL, -2)"),
                        "INSERT 0 3");
    EQ("SELECT * FROM t", "1|a|1.5\n2|b|NULL\n3|NULL|-2\n");
    EQ("SELECT name, id * 2 FROM t WHERE id = 2", "b|4\n");
    assert_string_equal(tag("SELECT * FROM t"), "SELECT 3");
    EQ("SELECT 1 + 1, 'x' || 'y', 7 / 2, 7.0 / 2", "2|xy|3|3.5000000000000000\n");
}

static void test_types_roundtrip(void **state)
{
    (void)state;
    OK("CREATE TABLE ty (k int8 PRIMARY KEY, b bool, i2 int2, i4 int4, f4 float4, f8 float8, n "
       "numeric(10,2),"
       " t text, v varchar(5), c char(3), by bytea, d date, ts timestamp, tz timestamptz)");
    OK("INSERT INTO ty VALUES (1, true, 7, -8, 1.25, 3.5, 12.345, 'hello', 'abc', 'x', '\\x0102', "
       "'2024-02-29',"
       " '2024-01-02 03:04:05.5', '2024-01-02 03:04:05+00')");
    OK("INSERT INTO ty (k) VALUES (2)");
    EQ("SELECT * FROM ty ORDER BY k",
       "1|t|7|-8|1.25|3.5|12.35|hello|abc|x  |\\x0102|2024-02-29|2024-01-02 03:04:05.5|2024-01-02 "
       "03:04:05+00\n"
       "2|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
    EQ("INSERT INTO ty (k, v) VALUES (3, 'toolong')",
       "ERROR 22001: value too long for type character varying(5)");
    EQ("SELECT k FROM ty WHERE d > '2024-01-01' AND v = 'abc'", "1\n");
    EQ("SELECT i4 + i2, f4 * 2, n + 1 FROM ty WHERE k = 1", "-1|2.5|13.35\n");
}

static void test_where_and_index_selection(void **state)
{
    (void)state;
    OK("CREATE TABLE kv (k int PRIMARY KEY, v text, w int)");
    OK("INSERT INTO kv SELECT 1, 'one', 10");
    OK("INSERT INTO kv VALUES (2, 'two', 20), (3, 'three', 30), (4, 'four', 40), (5, 'five', "
       "NULL)");
    OK("CREATE INDEX kv_v_idx ON kv (v)");
    EQ("EXPLAIN (COSTS OFF) SELECT * FROM kv WHERE k = 3",
       "Index Scan using kv_pkey on kv\n  Index Cond: (k = 3)\n");
    EQ("SELECT v FROM kv WHERE k = 3", "three\n");
    EQ("EXPLAIN (COSTS OFF) SELECT * FROM kv WHERE v = 'two'",
       "Index Scan using kv_v_idx on kv\n  Index Cond: (v = 'two'::text)\n");
    EQ("SELECT k, w FROM kv WHERE v = 'two'", "2|20\n");
    EQ("SELECT k FROM kv WHERE k IN (4, 2, 9)", "2\n4\n");
    EQ("SELECT k FROM kv WHERE k >= 2 AND k < 4", "2\n3\n");
    EQ("SELECT k FROM kv WHERE k > 3", "4\n5\n");
    EQ("SELECT k FROM kv WHERE k <= 1", "1\n");
    EQ("EXPLAIN (COSTS OFF) SELECT * FROM kv WHERE w > 15", "Seq Scan on kv\n  Filter: (w > 15)\n");
    EQ("SELECT k FROM kv WHERE w > 15 AND v LIKE 't%'", "2\n3\n");
    EQ("SELECT k FROM kv WHERE w IS NULL", "5\n");
    EQ("SELECT k FROM kv WHERE k = '4'", "4\n");
    EQ("EXPLAIN (COSTS OFF) SELECT k FROM kv ORDER BY k DESC LIMIT 2",
       "Limit\n  ->  Index Scan Backward using kv_pkey on kv\n");
    EQ("SELECT k FROM kv ORDER BY k DESC LIMIT 2", "5\n4\n");
    EQ("SELECT k FROM kv WHERE k = 1 OR w = 40 ORDER BY 1", "1\n4\n");
}

static void test_order_limit_distinct(void **state)
{
    (void)state;
    OK("CREATE TABLE o (a int, b text)");
    OK("INSERT INTO o VALUES (3, 'x'), (1, 'y'), (NULL, 'z'), (2, 'x'), (1, 'x')");
    EQ("SELECT a FROM o ORDER BY a", "1\n1\n2\n3\nNULL\n");
    EQ("SELECT a FROM o ORDER BY a DESC", "NULL\n3\n2\n1\n1\n");
    EQ("SELECT a FROM o ORDER BY a NULLS FIRST", "NULL\n1\n1\n2\n3\n");
    EQ("SELECT a, b FROM o ORDER BY b DESC, a LIMIT 2 OFFSET 1", "1|y\n1|x\n");
    EQ("SELECT a AS z FROM o ORDER BY z DESC NULLS LAST LIMIT 1", "3\n");
    EQ("SELECT DISTINCT b FROM o ORDER BY b", "x\ny\nz\n");
    EQ("SELECT DISTINCT a FROM o ORDER BY 1", "1\n2\n3\nNULL\n");
    EQ("SELECT b FROM o ORDER BY a + 1 DESC LIMIT 2", "z\nx\n");
    EQ("SELECT a FROM o LIMIT 0", "");
    EQ("SELECT a FROM o LIMIT -1", "ERROR 2201W: LIMIT must not be negative");
}

static void test_aggregates(void **state)
{
    (void)state;
    OK("CREATE TABLE g (k text, i int, b bigint, n numeric, f float8)");
    EQ("SELECT count(*), count(i), sum(i), avg(i), min(k), max(f) FROM g",
       "0|0|NULL|NULL|NULL|NULL\n");
    OK("INSERT INTO g VALUES ('a', 1, 10, 1.5, 0.5), ('a', 2, 20, 2.25, 1.5), ('b', 3, NULL, NULL, "
       "NULL),"
       " ('b', NULL, 9223372036854775807, 1, 2), ('c', 4, 1, 0, 0)");
    EQ("SELECT count(*), count(i), sum(i), avg(i), min(k), max(f) FROM g",
       "5|4|10|2.5000000000000000|a|2\n");
    EQ("SELECT k, count(*), sum(i), sum(b), sum(n), avg(n) FROM g GROUP BY k ORDER BY k",
       "a|2|3|30|3.75|1.8750000000000000\n"
       "b|2|3|9223372036854775807|1|1.00000000000000000000\n"
       "c|1|4|1|0|0.00000000000000000000\n");
    EQ("SELECT k FROM g GROUP BY k HAVING count(*) > 1 ORDER BY k", "a\nb\n");
    EQ("SELECT k, sum(i) * 2 FROM g GROUP BY 1 HAVING sum(i) > 3 ORDER BY 2 DESC", "c|8\n");
    EQ("SELECT sum(b) FROM g", "9223372036854775838\n");
    EQ("SELECT count(DISTINCT k), bool_and(i > 0) FROM g", "3|t\n");
    EQ("SELECT k, i FROM g GROUP BY k", "ERROR 42803: column \"g.i\" must appear in the GROUP BY "
                                        "clause or be used in an aggregate function @11");
    EQ("SELECT sum(i) FROM g WHERE sum(i) > 1",
       "ERROR 42803: aggregate functions are not allowed in WHERE @28");
    EQ("SELECT avg(f), sum(f) FROM g", "1|4\n");
    EQ("SELECT k, string_agg(i::text, ',') FROM g GROUP BY k ORDER BY k", "a|1,2\nb|3\nc|4\n");
    EQ("SELECT string_agg(k, '') FROM g WHERE i > 100", "NULL\n");
}

static void test_joins(void **state)
{
    (void)state;
    OK("CREATE TABLE ja (id int PRIMARY KEY, name text)");
    OK("CREATE TABLE jb (id int PRIMARY KEY, a_id int, qty int)");
    OK("INSERT INTO ja VALUES (1, 'one'), (2, 'two'), (3, 'three')");
    OK("INSERT INTO jb VALUES (10, 1, 5), (11, 1, 6), (12, 2, 7), (13, 9, 8)");
    EQ("SELECT ja.name, jb.qty FROM ja JOIN jb ON jb.a_id = ja.id ORDER BY qty",
       "one|5\none|6\ntwo|7\n");
    EQ("SELECT a.name, b.qty FROM ja a LEFT JOIN jb b ON b.a_id = a.id ORDER BY a.id, b.qty",
       "one|5\none|6\ntwo|7\nthree|NULL\n");
    EQ("SELECT a.name, b.qty FROM ja a, jb b WHERE a.id = b.a_id AND b.qty > 5 ORDER BY 2",
       "one|6\ntwo|7\n");
    EQ("SELECT count(*) FROM ja, jb", "12\n");
    EQ("EXPLAIN (COSTS OFF) SELECT * FROM ja JOIN jb ON jb.a_id = ja.id",
       "Hash Join\n  Hash Cond: (ja.id = jb.a_id)\n  ->  Seq Scan on ja\n  ->  Hash\n        ->  "
       "Seq Scan on jb\n");
    EQ("SELECT id FROM ja, jb", "ERROR 42702: column reference \"id\" is ambiguous @8");
    EQ("SELECT a.name, b.qty FROM ja a LEFT JOIN jb b ON b.a_id = a.id AND b.qty > 5 ORDER BY a.id",
       "one|6\ntwo|7\nthree|NULL\n");
    EQ("SELECT a.name, sum(b.qty) FROM ja a JOIN jb b ON a.id = b.a_id GROUP BY a.name ORDER BY 1",
       "one|11\ntwo|7\n");
    EQ("SELECT a.name, b.qty FROM jb b RIGHT JOIN ja a ON b.a_id = a.id ORDER BY a.id, b.qty",
       "one|5\none|6\ntwo|7\nthree|NULL\n");
    EQ("SELECT * FROM ja RIGHT JOIN jb ON jb.a_id = ja.id WHERE jb.id > 11 ORDER BY jb.id",
       "2|two|12|2|7\nNULL|NULL|13|9|8\n");
    EQ("WITH big AS (SELECT a_id, sum(qty) AS s FROM jb GROUP BY a_id) "
       "SELECT ja.name, big.s FROM ja JOIN big ON big.a_id = ja.id ORDER BY 1",
       "one|11\ntwo|7\n");
    EQ("WITH x(n) AS (SELECT 1), y AS (SELECT n + 1 AS m FROM x) SELECT * FROM x, y", "1|2\n");
    OK("CREATE TABLE ua (id int, x text)");
    OK("CREATE TABLE ub (id int, y text)");
    OK("INSERT INTO ua VALUES (1, 'a'), (2, 'b')");
    OK("INSERT INTO ub VALUES (1, 'p'), (3, 'q')");
    EQ("SELECT * FROM ua JOIN ub USING (id)", "1|a|p\n");
    EQ("SELECT id, x, y FROM ua LEFT JOIN ub USING (id) ORDER BY id", "1|a|p\n2|b|NULL\n");
    EQ("SELECT id, ua.id, ub.id FROM ua RIGHT JOIN ub USING (id) ORDER BY 1", "1|1|1\n3|NULL|3\n");
    EQ("SELECT * FROM ua NATURAL JOIN ub", "1|a|p\n");
    EQ("SELECT * FROM ua JOIN ub USING (nope)",
       "ERROR 42703: column \"nope\" specified in USING clause does not exist in left table");
}

static void test_subqueries(void **state)
{
    (void)state;
    OK("CREATE TABLE sa (id int PRIMARY KEY, v int)");
    OK("CREATE TABLE sb (id int PRIMARY KEY, sa_id int)");
    OK("INSERT INTO sa VALUES (1, 10), (2, 20), (3, 30)");
    OK("INSERT INTO sb VALUES (1, 1), (2, 1), (3, 3)");
    EQ("SELECT id FROM sa WHERE id IN (SELECT sa_id FROM sb) ORDER BY id", "1\n3\n");
    EQ("SELECT id FROM sa WHERE id NOT IN (SELECT sa_id FROM sb) ORDER BY id", "2\n");
    OK("INSERT INTO sb VALUES (4, NULL)");
    EQ("SELECT id FROM sa WHERE id NOT IN (SELECT sa_id FROM sb) ORDER BY id", "");
    EQ("SELECT id FROM sa WHERE NOT id IN (SELECT sa_id FROM sb) ORDER BY id", "");
    EQ("SELECT id FROM sa WHERE NOT id IN (SELECT sa_id FROM sb WHERE sa_id IS NOT NULL) ORDER BY "
       "id",
       "2\n");
    EQ("SELECT id FROM sa WHERE EXISTS (SELECT 1 FROM sb WHERE sb.sa_id = sa.id) ORDER BY id",
       "1\n3\n");
    EQ("SELECT id, (SELECT count(*) FROM sb WHERE sb.sa_id = sa.id) FROM sa ORDER BY id",
       "1|2\n2|0\n3|1\n");
    EQ("SELECT (SELECT max(v) FROM sa)", "30\n");
    EQ("SELECT (SELECT v FROM sa)",
       "ERROR 21000: more than one row returned by a subquery used as an expression");
    EQ("SELECT id FROM sa WHERE v > (SELECT avg(v) FROM sa)", "3\n");
    EQ("SELECT x.c FROM (SELECT count(*) AS c FROM sa) x", "3\n");
    EQ("SELECT id FROM sa WHERE EXISTS (SELECT 1 FROM (SELECT sa_id FROM sb WHERE sb.sa_id = "
       "sa.id) y) ORDER BY 1",
       "1\n3\n");
    EQ("SELECT id FROM sa WHERE v = ANY (SELECT v FROM sa WHERE v < 25) ORDER BY 1", "1\n2\n");
}

static void test_expressions(void **state)
{
    (void)state;
    EQ("SELECT CASE WHEN 1 > 2 THEN 'a' WHEN 2 > 1 THEN 'b' END, CASE 3 WHEN 3 THEN 'x' ELSE 'y' "
       "END",
       "b|x\n");
    EQ("SELECT coalesce(NULL, 2, 3), nullif(1, 1), nullif(1, 2), greatest(1, 5, 3), least(2, 1.5)",
       "2|NULL|1|5|1.5\n");
    EQ("SELECT NULL AND false, NULL OR true, NOT NULL, 1 IS DISTINCT FROM NULL, NULL IS NOT "
       "DISTINCT FROM NULL",
       "f|t|NULL|t|t\n");
    EQ("SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, 3), true IS TRUE, NULL IS UNKNOWN",
       "t|NULL|t|t|t\n");
    EQ("SELECT 'abc' LIKE 'a%', 'abc' NOT LIKE '_b_', 'ABC' ILIKE 'a%', 5 BETWEEN 1 AND 10",
       "t|f|t|t\n");
    EQ("SELECT CAST('42' AS int) + 1, '1.5'::numeric * 2, 10::text || 'x', length('héllo'), "
       "upper('ab')",
       "43|3.0|10x|5|AB\n");
    EQ("SELECT 1 / 0", "ERROR 22012: division by zero");
    EQ("SELECT 2147483647 + 1", "ERROR 22003: integer out of range");
    EQ("SELECT 'abc' + 1", "ERROR 22P02: invalid input syntax for type integer: \"abc\" @8");
    EQ("SELECT 1 = 'x'::text", "ERROR 42883: operator does not exist: integer = text @10");
    EQ("SELECT -5 % 3, 2 ^ 3", "-2|8\n");
    EQ("SELECT current_user, CURRENT_TIMESTAMP IS NOT NULL, current_date >= '2000-01-01'",
       "root|t|t\n");
    OK("CREATE TABLE dflt (id int, at timestamptz DEFAULT CURRENT_TIMESTAMP, who text DEFAULT "
       "current_user)");
    OK("INSERT INTO dflt (id) VALUES (1)");
    EQ("SELECT id, at IS NOT NULL, who FROM dflt", "1|t|root\n");
}

static void test_dml_returning(void **state)
{
    (void)state;
    OK("CREATE TABLE d (id int PRIMARY KEY, v text, n int DEFAULT 7)");
    EQ("INSERT INTO d (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c') RETURNING id, n",
       "1|7\n2|7\n3|7\n");
    assert_string_equal(tag("UPDATE d SET v = v || '!' WHERE id >= 2"), "UPDATE 2");
    EQ("UPDATE d SET n = n + 1 WHERE id = 3 RETURNING *", "3|c!|8\n");
    EQ("SELECT * FROM d ORDER BY id", "1|a|7\n2|b!|7\n3|c!|8\n");
    EQ("UPDATE d SET id = 10 WHERE id = 1 RETURNING id, v", "10|a\n");
    EQ("SELECT id FROM d ORDER BY id", "2\n3\n10\n");
    EQ("DELETE FROM d WHERE id = 2 RETURNING v", "b!\n");
    assert_string_equal(tag("DELETE FROM d WHERE id = 99"), "DELETE 0");
    assert_string_equal(tag("DELETE FROM d"), "DELETE 2");
    EQ("SELECT count(*) FROM d", "0\n");
    OK("INSERT INTO d VALUES (5, 'e', DEFAULT)");
    EQ("SELECT n FROM d", "7\n");
    OK("INSERT INTO d SELECT id + 1, v, n FROM d");
    EQ("SELECT id FROM d ORDER BY id", "5\n6\n");
    OK("CREATE TABLE src (id int, delta int)");
    OK("INSERT INTO src VALUES (5, 100), (6, 200), (6, 300)");
    assert_string_equal(
        tag("UPDATE d SET n = n + src.delta FROM src WHERE src.id = d.id AND src.delta < 250"),
        "UPDATE 2");
    EQ("SELECT id, n FROM d ORDER BY id", "5|107\n6|207\n");
    assert_string_equal(tag("DELETE FROM d USING src WHERE src.id = d.id AND src.delta > 250"),
                        "DELETE 1");
    EQ("SELECT id FROM d", "5\n");
    EQ("UPDATE d SET (v, n) = ('multi', n * 2) RETURNING v, n", "multi|214\n");
}

static void test_constraints(void **state)
{
    (void)state;
    OK("CREATE TABLE c (id int PRIMARY KEY, email text UNIQUE, age int NOT NULL CHECK (age >= 0))");
    OK("INSERT INTO c VALUES (1, 'a@x', 30)");
    EQ("INSERT INTO c VALUES (1, 'b@x', 20)",
       "ERROR 23505: duplicate key value violates unique constraint \"c_pkey\" DETAIL Key (id)=(1) "
       "already exists.");
    EQ("INSERT INTO c VALUES (2, 'a@x', 20)", "ERROR 23505: duplicate key value violates unique "
                                              "constraint \"c_email_key\" DETAIL Key (email)=(a@x) "
                                              "already exists.");
    EQ("INSERT INTO c VALUES (2, 'b@x', NULL)",
       "ERROR 23502: null value in column \"age\" of relation \"c\" violates not-null constraint "
       "DETAIL Failing "
       "row contains (2, b@x, null).");
    EQ("INSERT INTO c VALUES (2, 'b@x', -1)", "ERROR 23514: new row for relation \"c\" violates "
                                              "check constraint \"c_age_check\" DETAIL Failing row "
                                              "contains (2, b@x, -1).");
    EQ("INSERT INTO c VALUES (NULL, 'b@x', 1)",
       "ERROR 23502: null value in column \"id\" of relation \"c\" violates not-null constraint "
       "DETAIL Failing "
       "row contains (null, b@x, 1).");
    OK("INSERT INTO c VALUES (2, NULL, 5), (3, NULL, 6)");
    EQ("UPDATE c SET email = 'a@x' WHERE id = 2",
       "ERROR 23505: duplicate key value violates unique constraint \"c_email_key\" DETAIL Key "
       "(email)=(a@x) "
       "already exists.");
    EQ("INSERT INTO c VALUES (1, 'z', 1) ON CONFLICT DO NOTHING", "");
    assert_string_equal(tag("INSERT INTO c VALUES (1, 'z', 1), (4, 'd', 4) ON CONFLICT DO NOTHING"),
                        "INSERT 0 1");
    EQ("INSERT INTO c VALUES (1, 'q', 99) ON CONFLICT (id) DO UPDATE SET age = excluded.age, email "
       "= c.email || "
       "'!' RETURNING *",
       "1|a@x!|99\n");
    EQ("INSERT INTO c VALUES (4, 'w', 1) ON CONFLICT (id) DO UPDATE SET age = 0 WHERE c.age > 100 "
       "RETURNING id",
       "");
    EQ("SELECT id, email, age FROM c ORDER BY id", "1|a@x!|99\n2|NULL|5\n3|NULL|6\n4|d|4\n");
    EQ("SELECT * FROM c WHERE email = 'd'", "4|d|4\n");
}

static void test_name_errors(void **state)
{
    (void)state;
    EQ("SELECT * FROM nosuch", "ERROR 42P01: relation \"nosuch\" does not exist @15");
    OK("CREATE TABLE ne (a int)");
    EQ("SELECT b FROM ne", "ERROR 42703: column \"b\" does not exist @8");
    EQ("SELECT ne.b FROM ne", "ERROR 42703: column ne.b does not exist @8");
    EQ("SELECT x.a FROM ne", "ERROR 42P01: missing FROM-clause entry for table \"x\" @8");
    EQ("INSERT INTO ne (zz) VALUES (1)",
       "ERROR 42703: column \"zz\" of relation \"ne\" does not exist @17");
    EQ("CREATE TABLE ne (a int)", "ERROR 42P07: relation \"ne\" already exists");
    assert_string_equal(tag("CREATE TABLE IF NOT EXISTS ne (a int)"), "CREATE TABLE");
    assert_string_equal(tag("DROP TABLE ne"), "DROP TABLE");
    EQ("DROP TABLE ne", "ERROR 42P01: table \"ne\" does not exist");
    assert_string_equal(tag("DROP TABLE IF EXISTS ne"), "DROP TABLE");
    EQ("SELECT * FROM ne", "ERROR 42P01: relation \"ne\" does not exist @15");
}

/* IF [NOT] EXISTS that skips reports PostgreSQL's NOTICE through the sink. */
static void test_notices(void **state)
{
    (void)state;
    OK("CREATE TABLE nt (a int)");
    EQ("CREATE TABLE IF NOT EXISTS nt (b int)",
       "NOTICE 42P07: relation \"nt\" already exists, skipping\n");
    EQ("SELECT * FROM nt", "");
    OK("CREATE INDEX nt_i ON nt (a)");
    EQ("CREATE INDEX IF NOT EXISTS nt_i ON nt (a)",
       "NOTICE 42P07: relation \"nt_i\" already exists, skipping\n");
    EQ("DROP INDEX IF EXISTS nt_nope", "NOTICE 00000: index \"nt_nope\" does not exist, skipping\n");
    EQ("DROP TABLE IF EXISTS nt_nope", "NOTICE 00000: table \"nt_nope\" does not exist, skipping\n");
    OK("CREATE SEQUENCE nt_s");
    EQ("CREATE SEQUENCE IF NOT EXISTS nt_s",
       "NOTICE 42P07: relation \"nt_s\" already exists, skipping\n");
    EQ("DROP SEQUENCE IF EXISTS nt_s2",
       "NOTICE 00000: sequence \"nt_s2\" does not exist, skipping\n");
    OK("CREATE SCHEMA nt_sch");
    EQ("CREATE SCHEMA IF NOT EXISTS nt_sch",
       "NOTICE 42P06: schema \"nt_sch\" already exists, skipping\n");
    assert_string_equal(tag("DROP TABLE IF EXISTS nt, nt_nope"), "DROP TABLE");
    EQ("DROP TABLE IF EXISTS nt", "NOTICE 00000: table \"nt\" does not exist, skipping\n");
}

/* Constraint violations name their table, column and constraint (ErrorResponse t, c, n). */
static void test_error_fields(void **state)
{
    (void)state;
    OK("CREATE TABLE ef (id int PRIMARY KEY, u text UNIQUE, n int NOT NULL, "
       "k int CONSTRAINT k_pos CHECK (k > 0))");
    OK("INSERT INTO ef VALUES (1, 'a', 1, 1)");
    assert_string_equal(q("INSERT INTO ef VALUES (1, 'b', 1, 1)"),
                        "ERROR 23505: duplicate key value violates unique constraint \"ef_pkey\" "
                        "DETAIL Key (id)=(1) already exists.");
    assert_string_equal(LAST_ERR.schema_name, "public");
    assert_string_equal(LAST_ERR.table_name, "ef");
    assert_string_equal(LAST_ERR.constraint_name, "ef_pkey");
    assert_string_equal(LAST_ERR.column_name, "");
    assert_string_equal(q("INSERT INTO ef VALUES (2, 'a', 1, 1)") + 6, "23505: duplicate key value "
                        "violates unique constraint \"ef_u_key\" DETAIL Key (u)=(a) already exists.");
    assert_string_equal(LAST_ERR.constraint_name, "ef_u_key");
    assert_string_equal(q("UPDATE ef SET n = NULL") + 6,
                        "23502: null value in column \"n\" of relation \"ef\" violates not-null "
                        "constraint DETAIL Failing row contains (1, a, null, 1).");
    assert_string_equal(LAST_ERR.table_name, "ef");
    assert_string_equal(LAST_ERR.column_name, "n");
    assert_string_equal(LAST_ERR.schema_name, "public");
    assert_string_equal(LAST_ERR.constraint_name, "");
    assert_string_equal(q("INSERT INTO ef VALUES (3, 'c', 1, 0)") + 6,
                        "23514: new row for relation \"ef\" violates check constraint \"k_pos\" "
                        "DETAIL Failing row contains (3, c, 1, 0).");
    assert_string_equal(LAST_ERR.table_name, "ef");
    assert_string_equal(LAST_ERR.constraint_name, "k_pos");
    assert_string_equal(LAST_ERR.schema_name, "public");
    OK("CREATE SCHEMA ef_s");
    OK("CREATE TABLE ef_s.ef (id int PRIMARY KEY)");
    OK("INSERT INTO ef_s.ef VALUES (1)");
    q("INSERT INTO ef_s.ef VALUES (1)");
    assert_string_equal(LAST_ERR.schema_name, "ef_s");
    assert_string_equal(LAST_ERR.table_name, "ef");
    /* Other errors name nothing. */
    EQ("SELECT 1/0", "ERROR 22012: division by zero");
    assert_string_equal(LAST_ERR.table_name, "");
    assert_string_equal(LAST_ERR.constraint_name, "");
}

/* current_setting / set_config read and write the session's settings. */
static void test_current_setting(void **state)
{
    (void)state;
    EQ("SELECT current_setting('application_name')",
       "ERROR XX000: settings are not available here");
    settings_init si = {0};
    sql_error err;
    assert_int_equal(settings_create(&si, &SETTINGS, &err), MICE_OK);
    EQ("SELECT current_setting('application_name')", "\n");
    EQ("SELECT set_config('application_name', 'eng', false)", "eng\n");
    EQ("SELECT current_setting('application_name'), current_setting('TimeZone')", "eng|UTC\n");
    EQ("SELECT current_setting('no_such_xyz')",
       "ERROR 42704: unrecognized configuration parameter \"no_such_xyz\"");
    EQ("SELECT current_setting('no_such_xyz', true) IS NULL", "t\n");
    EQ("SELECT current_setting('no_such_xyz', false)",
       "ERROR 42704: unrecognized configuration parameter \"no_such_xyz\"");
    settings_destroy(SETTINGS);
    SETTINGS = NULL;
}

static void test_serial_and_ddl(void **state)
{
    (void)state;
    OK("CREATE TABLE s (id serial PRIMARY KEY, v text)");
    EQ("INSERT INTO s (v) VALUES ('a'), ('b') RETURNING id", "1\n2\n");
    OK("CREATE TABLE big (id bigserial, v int)");
    EQ("INSERT INTO big (v) VALUES (5) RETURNING id, v", "1|5\n");
    OK("CREATE TABLE nopk (a int, b text)");
    OK("INSERT INTO nopk VALUES (1, 'x'), (1, 'x')");
    EQ("SELECT * FROM nopk", "1|x\n1|x\n");
    assert_string_equal(
        tag("CREATE UNIQUE INDEX nopk_b ON nopk (b)"),
        "ERROR 23505: could not create unique index \"nopk_b\" DETAIL Key (b)=(x) is duplicated.");
    assert_string_equal(tag("CREATE INDEX nopk_a ON nopk USING hash (a)"), "CREATE INDEX");
    EQ("SELECT b FROM nopk WHERE a = 1", "x\nx\n");
    assert_string_equal(tag("TRUNCATE nopk"), "TRUNCATE TABLE");
    EQ("SELECT count(*) FROM nopk", "0\n");
    assert_string_equal(tag("DROP INDEX nopk_a"), "DROP INDEX");
    OK("CREATE TABLE comp (a int, b int, c text, PRIMARY KEY (a, b))");
    OK("INSERT INTO comp VALUES (1, 2, 'x'), (1, 1, 'y'), (2, 1, 'z')");
    EQ("SELECT c FROM comp WHERE a = 1", "y\nx\n");
    EQ("EXPLAIN (COSTS OFF) SELECT c FROM comp WHERE a = 1 AND b = 2",
       "Index Scan using comp_pkey on comp\n  Index Cond: ((a = 1) AND (b = 2))\n");
    assert_string_equal(tag("CREATE SEQUENCE myseq START 10 INCREMENT 5"), "CREATE SEQUENCE");
    EQ("SELECT nextval('myseq'), nextval('myseq'::regclass)", "10|15\n");
    EQ("SELECT nextval('s_id_seq')", "3\n");
    EQ("SELECT nextval('s')", "ERROR 42809: \"s\" is not a sequence @16");
    assert_string_equal(tag("DROP SEQUENCE myseq"), "DROP SEQUENCE");
    EQ("SELECT nextval('myseq')", "ERROR 42P01: relation \"myseq\" does not exist @16");
    assert_string_equal(tag("CREATE SCHEMA app"), "CREATE SCHEMA");
    OK("CREATE TABLE app.items (id int PRIMARY KEY)");
    OK("INSERT INTO app.items VALUES (1)");
    EQ("SELECT app.items.id, i.id FROM app.items, app.items i", "1|1\n");
}

static void test_union_values(void **state)
{
    (void)state;
    EQ("SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 1", "1\n2\n1\n");
    EQ("SELECT 1 UNION SELECT 2 UNION SELECT 1 ORDER BY 1", "1\n2\n");
    EQ("VALUES (1, 'a'), (2, 'b')", "1|a\n2|b\n");
    EQ("SELECT 1 AS x UNION SELECT 2.5 ORDER BY x DESC", "2.5\n1\n");
    EQ("SELECT * FROM (VALUES (1), (2), (2), (3)) v(a) INTERSECT SELECT * FROM (VALUES (2), (2), "
       "(3), (4)) w(b) "
       "ORDER BY 1",
       "2\n3\n");
    EQ("SELECT * FROM (VALUES (1), (2), (2), (3)) v(a) INTERSECT ALL SELECT * FROM (VALUES (2), "
       "(2), (2)) w(b)",
       "2\n2\n");
    EQ("SELECT * FROM (VALUES (1), (1), (2), (3)) v(a) EXCEPT SELECT 3 ORDER BY 1", "1\n2\n");
    EQ("SELECT * FROM (VALUES (1), (1), (2), (3)) v(a) EXCEPT ALL SELECT 1", "1\n2\n3\n");
    EQ("SELECT 1, 2 EXCEPT SELECT 1",
       "ERROR 42601: each EXCEPT query must have the same number of columns @27");
}

static void test_generate_series(void **state)
{
    (void)state;
    EQ("SELECT * FROM generate_series(1, 3)", "1\n2\n3\n");
    assert_string_equal(run_in(NULL, "SELECT * FROM generate_series(1, 2)", true, NULL),
                        "generate_series\n1\n2\n");
    assert_string_equal(run_in(NULL, "SELECT * FROM generate_series(1, 2) g", true, NULL),
                        "g\n1\n2\n");
    assert_string_equal(run_in(NULL, "SELECT x FROM generate_series(1, 2) AS t(x)", true, NULL),
                        "x\n1\n2\n");
    EQ("SELECT g, g * g FROM generate_series(1, 3) g", "1|1\n2|4\n3|9\n");
    EQ("SELECT * FROM generate_series(10, 1, -4)", "10\n6\n2\n");
    EQ("SELECT * FROM generate_series(2147483646, 2147483647)", "2147483646\n2147483647\n");
    EQ("SELECT * FROM generate_series(1, 2, 0)", "ERROR 22023: step size cannot equal zero");
    EQ("SELECT * FROM generate_series(1, NULL)", "");
    EQ("SELECT * FROM generate_series(3, 1)", "");
    EQ("SELECT * FROM generate_series(1.5, 3)", "1.5\n2.5\n");
    EQ("SELECT * FROM generate_series(0, 1, 0.25)", "0\n0.25\n0.50\n0.75\n1.00\n");
    EQ("SELECT pg_typeof(g) FROM generate_series(1, 1::bigint) g", "bigint\n");
    EQ("SELECT count(*), sum(g) FROM generate_series(1, 100000) g", "100000|5000050000\n");
    EQ("SELECT count(*) FROM generate_series(1.0, 3000.0) g", "3000\n");
    OK("CREATE TABLE gs (a int PRIMARY KEY, b text)");
    assert_string_equal(tag("INSERT INTO gs SELECT g, 'x' || g FROM generate_series(1, 1000) g"),
                        "INSERT 0 1000");
    EQ("SELECT count(*), max(a + k) FROM gs, generate_series(1, 2) AS k", "2000|1002\n");
    assert_string_equal(tag("ANALYZE gs"), "ANALYZE");
    assert_string_equal(q("ANALYZE nope_gs"), "ERROR 42P01: relation \"nope_gs\" does not exist");
    EQ("SELECT generate_series(1, 3)", "1\n2\n3\n");
    assert_string_equal(run_in(NULL, "SELECT generate_series(1, 2), 'a' AS c", true, NULL),
                        "generate_series|c\n1|a\n2|a\n");
    EQ("SELECT a, generate_series(1, 2) FROM gs WHERE a < 3 ORDER BY 1, 2", "1|1\n1|2\n2|1\n2|2\n");
    /* a ProjectSet: arguments from the FROM row, several items side by side */
    EQ("SELECT a, generate_series(1, a) FROM gs WHERE a <= 3 ORDER BY 1, 2",
       "1|1\n2|1\n2|2\n3|1\n3|2\n3|3\n");
    EQ("SELECT generate_series(1, 2), generate_series(1, 3)", "1|1\n2|2\nNULL|3\n");
    assert_string_equal(
        run_in(NULL, "EXPLAIN (COSTS OFF) SELECT generate_series(1, a) FROM gs", false, NULL),
        "ProjectSet\n  ->  Seq Scan on gs\n");
    assert_string_equal(run_in(NULL, "EXPLAIN (COSTS OFF) SELECT * FROM generate_series(1, 3) g",
                               false, NULL),
                        "Function Scan on generate_series g\n");
}

static void test_pg_sleep(void **state)
{
    (void)state;
    EQ("SELECT pg_sleep(0.02), 7", "|7\n");
    EQ("SELECT pg_sleep(-1)", "\n");
    mice_arena *a = arena_create(NULL, "t", 0);
    const char *sql = "SELECT pg_sleep(100)";
    sql_parse_result pr;
    sql_error err;
    assert_int_equal(sql_parse(a, sql, strlen(sql), &pr, &err), MICE_OK);
    atomic_bool cancel = true;
    sql_session s = session();
    s.cancel = &cancel;
    sql_exec_result res;
    txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
    assert_int_not_equal(sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, NULL, &res, &err),
                         MICE_OK);
    assert_string_equal(err.sqlstate, "57014");
    assert_string_equal(err.message, "canceling statement due to user request");
    txn_destroy(t);
    arena_destroy(a);
}

/* --- concurrency, volume, extended protocol, limits ---------------------------------------------
 */

typedef struct incr_arg {
    int n;
    int failures;
} incr_arg;

static void *incr_thread(void *p)
{
    incr_arg *a = p;
    const char *sql = "UPDATE ctr SET v = v + 1 WHERE id = 1";
    for (int i = 0; i < a->n; i++) {
        mice_arena *ar = arena_create(NULL, "thr", 0);
        sql_parse_result pr;
        sql_error err;
        if (sql_parse(ar, sql, strlen(sql), &pr, &err)) a->failures++;
        sql_session s = session();
        sql_exec_result res;
        txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
        mice_status rc = sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, NULL, &res, &err);
        mice_err me;
        if (rc || txn_commit(t, &me) || strcmp(res.command_tag, "UPDATE 1")) a->failures++;
        txn_destroy(t);
        arena_destroy(ar);
    }
    return NULL;
}

static void test_concurrent_updates_read_committed(void **state)
{
    (void)state;
    OK("CREATE TABLE ctr (id int PRIMARY KEY, v int)");
    OK("INSERT INTO ctr VALUES (1, 0)");
    pthread_t th[2];
    incr_arg args[2] = {{.n = 40}, {.n = 40}};
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, incr_thread, &args[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(args[0].failures + args[1].failures, 0);
    EQ("SELECT v FROM ctr", "80\n");
}

typedef struct blocked_arg {
    char result[128];
} blocked_arg;

static void *blocked_update(void *p)
{
    blocked_arg *b = p;
    const char *sql = "UPDATE acct SET bal = bal * 2 WHERE id = 1 RETURNING bal";
    mice_arena *ar = arena_create(NULL, "thr", 0);
    sql_parse_result pr;
    sql_error err;
    out_sink o = {0};
    buf_init(&o.text);
    sql_result_sink sink = {.ctx = &o, .row = on_row};
    mice_assert(sql_parse(ar, sql, strlen(sql), &pr, &err) == MICE_OK);
    sql_session s = session();
    sql_exec_result res;
    txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
    mice_status rc = sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, &sink, &res, &err);
    mice_err me;
    if (!rc) rc = txn_commit(t, &me);
    snprintf(b->result, sizeof b->result, "%d %.*s", (int)rc, (int)o.text.n,
             o.text.p ? (char *)o.text.p : "");
    txn_destroy(t);
    buf_deinit(&o.text);
    arena_destroy(ar);
    return NULL;
}

/* READ COMMITTED: an UPDATE that waited for another txn's row lock re-runs on the committed
 * row (the statement restart of txn_run_statement), as PostgreSQL's EvalPlanQual does. */
static void test_blocked_update_sees_new_row(void **state)
{
    (void)state;
    OK("CREATE TABLE acct (id int PRIMARY KEY, bal int)");
    OK("INSERT INTO acct VALUES (1, 100)");
    txn *t1 = txn_begin(N.db, TXN_READ_COMMITTED);
    assert_string_equal(
        run_in(t1, "UPDATE acct SET bal = bal - 30 WHERE id = 1 RETURNING bal", false, NULL),
        "70\n");
    pthread_t th;
    blocked_arg b = {{0}};
    pthread_create(&th, NULL, blocked_update, &b);
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    mice_err me;
    assert_int_equal(txn_commit(t1, &me), MICE_OK);
    txn_destroy(t1);
    pthread_join(th, NULL);
    assert_string_equal(b.result, "0 140\n");
    EQ("SELECT bal FROM acct", "140\n");
}

static void test_big_table_scan_aggregate(void **state)
{
    (void)state;
    OK("CREATE TABLE big100k (id int PRIMARY KEY, grp int, pad text)");
    char sql[256];
    for (int base = 0; base < 100000; base += 10000) {
        txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
        for (int i = base; i < base + 10000; i += 500) {
            mice_buf b;
            buf_init(&b);
            buf_append_str(&b, "INSERT INTO big100k VALUES ");
            for (int k = i; k < i + 500; k++)
                buf_printf(&b, "%s(%d, %d, 'row-%d')", k > i ? "," : "", k, k % 7, k);
            assert_string_equal(run_in(t, (const char *)b.p, false, NULL), "");
            buf_deinit(&b);
        }
        mice_err me;
        assert_int_equal(txn_commit(t, &me), MICE_OK);
        txn_destroy(t);
    }
    /* 4 MiB of work_mem is far less than the table: the scan and aggregate stream. */
    mice_arena *a = arena_create(NULL, "t", 0);
    snprintf(sql, sizeof sql,
             "SELECT grp, count(*), sum(id), max(pad) FROM big100k GROUP BY grp ORDER BY grp");
    sql_parse_result pr;
    sql_error err;
    assert_int_equal(sql_parse(a, sql, strlen(sql), &pr, &err), MICE_OK);
    sql_session s = session();
    s.work_mem_bytes = 4u << 20;
    out_sink o = {0};
    buf_init(&o.text);
    sql_result_sink sink = {.ctx = &o, .row = on_row};
    sql_exec_result res;
    txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
    mice_status rc = sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, &sink, &res, &err);
    if (rc) fail_msg("%s", err.message);
    assert_string_equal(
        (const char *)o.text.p,
        "0|14286|714264285|row-99995\n1|14286|714278571|row-99996\n2|14286|714292857|row-99997\n"
        "3|14286|714307143|row-99998\n4|14286|714321429|row-99999\n5|14285|714235715|row-99993\n"
        "6|14285|714250000|row-99994\n");
    /* A sort of everything does not fit in 4 MiB: 53200, cleanly. */
    snprintf(sql, sizeof sql, "SELECT pad, id FROM big100k ORDER BY pad DESC");
    assert_int_equal(sql_parse(a, sql, strlen(sql), &pr, &err), MICE_OK);
    s.work_mem_bytes = 1u << 20;
    rc = sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, NULL, &res, &err);
    assert_int_equal(rc, MICE_NOMEM);
    assert_string_equal(err.sqlstate, "53200");
    txn_destroy(t);
    buf_deinit(&o.text);
    arena_destroy(a);
    EQ("SELECT count(*), min(id), max(id) FROM big100k", "100000|0|99999\n");
    EQ("SELECT pad FROM big100k WHERE id = 77777", "row-77777\n");
    EQ("SELECT count(*) FROM big100k WHERE id >= 1000 AND id < 2000", "1000\n");
}

static void test_prepare_and_params(void **state)
{
    (void)state;
    OK("CREATE TABLE pp (id int PRIMARY KEY, name text, amount numeric)");
    OK("INSERT INTO pp VALUES (1, 'a', 1.5), (2, 'b', 2.5)");
    mice_arena *a = arena_create(NULL, "t", 0);
    const char *sql = "SELECT name, amount FROM pp WHERE id = $1 AND amount > $2";
    sql_parse_result pr;
    sql_error err;
    assert_int_equal(sql_parse(a, sql, strlen(sql), &pr, &err), MICE_OK);
    sql_session s = session();
    txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
    sql_prepared p;
    assert_int_equal(sql_prepare(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, a, &p, &err), MICE_OK);
    assert_int_equal(p.n_params, 2);
    assert_int_equal(p.param_types[0].id, SQL_TYPE_INT4);
    assert_int_equal(p.param_types[1].id, SQL_TYPE_NUMERIC);
    assert_int_equal(p.n_cols, 2);
    assert_string_equal(p.cols[0].name, "name");
    assert_int_equal(p.cols[1].type.id, SQL_TYPE_NUMERIC);
    sql_datum params[2];
    params[0] = datum_int4(2);
    assert_int_equal(
        value_from_text(p.param_types[1], MICE_SLICE_LIT("1"), NULL, a, &params[1], &err), MICE_OK);
    out_sink o = {0};
    buf_init(&o.text);
    sql_result_sink sink = {.ctx = &o, .row = on_row};
    sql_exec_result res;
    assert_int_equal(sql_exec_prepared(N.sql, &s, t, &p, params, 2, &sink, &res, &err), MICE_OK);
    assert_string_equal((const char *)o.text.p, "b|2.5\n");
    assert_string_equal(res.command_tag, "SELECT 1");
    const char *ins = "INSERT INTO pp (id, name) VALUES ($1, $2)";
    assert_int_equal(sql_parse(a, ins, strlen(ins), &pr, &err), MICE_OK);
    assert_int_equal(sql_prepare(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, a, &p, &err), MICE_OK);
    assert_int_equal(p.param_types[0].id, SQL_TYPE_INT4);
    assert_int_equal(p.param_types[1].id, SQL_TYPE_TEXT);
    assert_false(p.returns_rows);
    params[0] = datum_int4(3);
    params[1] = datum_text(MICE_SLICE_LIT("c"));
    assert_int_equal(sql_exec_prepared(N.sql, &s, t, &p, params, 2, NULL, &res, &err), MICE_OK);
    assert_string_equal(res.command_tag, "INSERT 0 1");
    mice_err me;
    assert_int_equal(txn_commit(t, &me), MICE_OK);
    txn_destroy(t);
    buf_deinit(&o.text);
    arena_destroy(a);
    EQ("SELECT name FROM pp WHERE id = 3", "c\n");
}

static void test_cancel(void **state)
{
    (void)state;
    OK("CREATE TABLE cn (a int)");
    OK("INSERT INTO cn VALUES (1)");
    mice_arena *a = arena_create(NULL, "t", 0);
    const char *sql = "SELECT * FROM cn";
    sql_parse_result pr;
    sql_error err;
    assert_int_equal(sql_parse(a, sql, strlen(sql), &pr, &err), MICE_OK);
    atomic_bool cancel = true;
    sql_session s = session();
    s.cancel = &cancel;
    sql_exec_result res;
    txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
    assert_int_not_equal(sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, NULL, &res, &err),
                         MICE_OK);
    assert_string_equal(err.sqlstate, "57014");
    assert_string_equal(err.message, "canceling statement due to user request");
    txn_destroy(t);
    arena_destroy(a);
}

/* --- sqllogictest: the first records of select1.test
 * ----------------------------------------------- */

typedef struct slt_rows {
    char **vals;
    size_t n, cap;
    uint32_t n_cols;
} slt_rows;

static mice_status slt_row(void *ctx, const sql_datum *v, uint32_t n)
{
    slt_rows *r = ctx;
    r->n_cols = n;
    for (uint32_t i = 0; i < n; i++) {
        mice_buf b;
        buf_init(&b);
        if (v[i].is_null)
            buf_append_str(&b, "NULL");
        else
            value_to_text(&v[i], NULL, &b, NULL);
        if (b.n == 0) buf_append_str(&b, "(empty)");
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 64;
            r->vals = realloc(r->vals, sizeof(char *) * r->cap);
        }
        r->vals[r->n++] = strndup((const char *)b.p, b.n);
        buf_deinit(&b);
    }
    return MICE_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slt_row_key_cols; /* unused; rows are compared as joined strings */

static void slt_sort_rows(slt_rows *r)
{
    size_t nr = r->n_cols ? r->n / r->n_cols : 0;
    char **rows = calloc(nr + 1, sizeof(char *));
    for (size_t i = 0; i < nr; i++) {
        mice_buf b;
        buf_init(&b);
        for (uint32_t c = 0; c < r->n_cols; c++)
            buf_printf(&b, "%s%c", r->vals[i * r->n_cols + c], 1);
        rows[i] = strndup((const char *)b.p, b.n);
        buf_deinit(&b);
    }
    qsort(rows, nr, sizeof(char *), cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < nr; i++) {
        char *save, *tok = strtok_r(rows[i], "\1", &save);
        for (uint32_t c = 0; c < r->n_cols && tok; c++, tok = strtok_r(NULL, "\1", &save)) {
            free(r->vals[k]);
            r->vals[k++] = strdup(tok);
        }
        free(rows[i]);
    }
    free(rows);
}

static void slt_md5(const slt_rows *r, char *hex)
{
    mice_buf all;
    buf_init(&all);
    for (size_t i = 0; i < r->n; i++)
        buf_printf(&all, "%s\n", r->vals[i]);
    mice_arena *a = arena_create(NULL, "md5", 0);
    func_ctx fc;
    func_ctx_init(&fc, a, NULL);
    sql_datum in = datum_text(buf_slice(&all)), out;
    sql_error err;
    mice_assert(func_call_by_name("md5", &in, 1, &fc, &out, &err) == MICE_OK);
    snprintf(hex, 33, "%.*s", (int)out.v.s.n, (const char *)out.v.s.p);
    arena_destroy(a);
    buf_deinit(&all);
}

/* Run one query record; returns true when it matched. */
static bool slt_query(const char *sql, const char *sort, char **expect, size_t n_expect, char *why,
                      size_t cap)
{
    mice_arena *a = arena_create(NULL, "slt", 0);
    sql_parse_result pr;
    sql_error err;
    slt_rows rows = {0};
    bool ok = false;
    if (sql_parse(a, sql, strlen(sql), &pr, &err)) {
        snprintf(why, cap, "parse: %.300s", err.message);
    } else {
        sql_session s = session();
        sql_result_sink sink = {.ctx = &rows, .row = slt_row};
        sql_exec_result res;
        txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
        if (sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, &sink, &res, &err)) {
            snprintf(why, cap, "%s: %.300s", err.sqlstate, err.message);
        } else {
            if (!strcmp(sort, "rowsort")) slt_sort_rows(&rows);
            if (!strcmp(sort, "valuesort")) qsort(rows.vals, rows.n, sizeof(char *), cmp_str);
            size_t nv;
            char hash[64];
            if (n_expect == 1 && sscanf(expect[0], "%zu values hashing to %63s", &nv, hash) == 2) {
                char got[33];
                slt_md5(&rows, got);
                ok = nv == rows.n && !strcmp(got, hash);
                snprintf(why, cap, "%zu values hashing to %s", rows.n, got);
            } else {
                ok = n_expect == rows.n;
                for (size_t i = 0; ok && i < rows.n; i++)
                    ok = !strcmp(expect[i], rows.vals[i]);
                snprintf(why, cap, "%zu values, first %s", rows.n, rows.n ? rows.vals[0] : "-");
            }
        }
        txn_destroy(t);
    }
    for (size_t i = 0; i < rows.n; i++)
        free(rows.vals[i]);
    free(rows.vals);
    arena_destroy(a);
    return ok;
}

enum { SLT_QUERIES = 1000 };

static void test_slt_select1(void **state)
{
    (void)state;
    (void)slt_row_key_cols;
    const char *dir = getenv("MICE_SLT_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/select1.test", dir ? dir : "/work/shared/slt");
    FILE *f = fopen(path, "r");
    if (!f) skip();
    char line[4096];
    int queries = 0, failed = 0;
    while (queries < SLT_QUERIES && fgets(line, sizeof line, f)) {
        bool skipit = false;
        while (!strncmp(line, "skipif", 6) || !strncmp(line, "onlyif", 6)) {
            bool pg = strstr(line, "postgresql") != NULL;
            if ((line[0] == 's') == pg) skipit = true;
            if (!fgets(line, sizeof line, f)) break;
        }
        bool is_stmt = !strncmp(line, "statement", 9), is_query = !strncmp(line, "query", 5);
        if (!is_stmt && !is_query) continue;
        char types[64] = "", sort[64] = "nosort";
        if (is_query) sscanf(line, "query %63s %63s", types, sort);
        mice_buf sql;
        buf_init(&sql);
        char *expect[4096];
        size_t n_expect = 0;
        bool in_result = false;
        while (fgets(line, sizeof line, f) && line[0] != '\n') {
            line[strcspn(line, "\n")] = 0;
            if (!strcmp(line, "----"))
                in_result = true;
            else if (in_result && n_expect < 4096)
                expect[n_expect++] = strdup(line);
            else if (!in_result)
                buf_printf(&sql, "%s\n", line);
        }
        if (!skipit) {
            char why[512];
            if (is_stmt) {
                assert_string_equal(q((const char *)sql.p), "");
            } else {
                queries++;
                if (!slt_query((const char *)sql.p, sort, expect, n_expect, why, sizeof why)) {
                    failed++;
                    print_message("slt mismatch (%s): %s\n", why, (const char *)sql.p);
                }
            }
        }
        for (size_t i = 0; i < n_expect; i++)
            free(expect[i]);
        buf_deinit(&sql);
    }
    fclose(f);
    assert_int_equal(failed, 0);
    assert_int_equal(queries, SLT_QUERIES);
}

/* --- throughput (printed, not asserted)
 * ------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_throughput(void **state)
{
    (void)state;
    OK("CREATE TABLE perf (id int PRIMARY KEY, v text, n int)");
    enum { N_ROWS = 5000 };
    char sql[128];
    sql_session s = session();
    sql_error err;
    sql_exec_result res;
    /* parse + bind + execute per statement, all in one transaction */
    txn *t = txn_begin(N.db, TXN_READ_COMMITTED);
    double t0 = now_s();
    for (int i = 0; i < N_ROWS; i++) {
        mice_arena *a = arena_create(NULL, "p", 0);
        snprintf(sql, sizeof sql, "INSERT INTO perf VALUES (%d, 'value-%d', %d)", i, i, i % 100);
        sql_parse_result pr;
        mice_assert(sql_parse(a, sql, strlen(sql), &pr, &err) == MICE_OK);
        mice_assert(sql_exec_stmt(N.sql, &s, t, pr.stmts[0].stmt, NULL, 0, NULL, &res, &err) ==
                    MICE_OK);
        arena_destroy(a);
    }
    double t1 = now_s();
    mice_err me;
    mice_assert(txn_commit(t, &me) == MICE_OK);
    txn_destroy(t);
    out_sink o = {0};
    buf_init(&o.text);
    sql_result_sink sink = {.ctx = &o, .row = on_row};
    double t2 = now_s();
    for (int i = 0; i < N_ROWS; i++) {
        mice_arena *a = arena_create(NULL, "p", 0);
        snprintf(sql, sizeof sql, "SELECT v, n FROM perf WHERE id = %d", (i * 7919) % N_ROWS);
        sql_parse_result pr;
        mice_assert(sql_parse(a, sql, strlen(sql), &pr, &err) == MICE_OK);
        txn *rt = txn_begin(N.db, TXN_READ_COMMITTED);
        buf_reset(&o.text);
        mice_assert(sql_exec_stmt(N.sql, &s, rt, pr.stmts[0].stmt, NULL, 0, &sink, &res, &err) ==
                    MICE_OK);
        mice_assert(res.rows == 1);
        txn_destroy(rt);
        arena_destroy(a);
    }
    double t3 = now_s();
    buf_deinit(&o.text);
    print_message(
        "throughput: %.0f inserts/s (one txn), %.0f point selects/s (txn each), single thread\n",
        N_ROWS / (t1 - t0), N_ROWS / (t3 - t2));
    EQ("SELECT count(*), sum(n) FROM perf", "5000|247500\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_roundtrip),
        cmocka_unit_test(test_types_roundtrip),
        cmocka_unit_test(test_where_and_index_selection),
        cmocka_unit_test(test_order_limit_distinct),
        cmocka_unit_test(test_aggregates),
        cmocka_unit_test(test_joins),
        cmocka_unit_test(test_subqueries),
        cmocka_unit_test(test_expressions),
        cmocka_unit_test(test_dml_returning),
        cmocka_unit_test(test_constraints),
        cmocka_unit_test(test_name_errors),
        cmocka_unit_test(test_notices),
        cmocka_unit_test(test_error_fields),
        cmocka_unit_test(test_current_setting),
        cmocka_unit_test(test_serial_and_ddl),
        cmocka_unit_test(test_union_values),
        cmocka_unit_test(test_concurrent_updates_read_committed),
        cmocka_unit_test(test_blocked_update_sees_new_row),
        cmocka_unit_test(test_big_table_scan_aggregate),
        cmocka_unit_test(test_prepare_and_params),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_generate_series),
        cmocka_unit_test(test_pg_sleep),
        cmocka_unit_test(test_slt_select1),
        cmocka_unit_test(test_throughput),
    };
    return cmocka_run_group_tests(tests, node_setup, node_teardown);
}
