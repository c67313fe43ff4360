/*
 * The PostgreSQL backend over the real SQL layer (pgsession), driven directly through its
 * vtab with a capturing sink, against a real engine in a temp dir: start-up errors,
 * simple queries with several statements and their implicit transaction, transaction
 * blocks and 25P02, warnings, SET/SHOW, the extended protocol (named and unnamed
 * statements and portals, inferred parameter types, suspended portals, binary formats,
 * 26000/34000/42P05/08P01), error positions in the whole query string, and CREATE/ALTER/
 * DROP USER/ROLE (verifiers, 42710/42704/42501, NOTICEs, NOLOGIN roles refused at start).
 *
 * Every sink call becomes one line of a transcript, so a test reads as the conversation:
 *   C name:oid[:fmt] ...   RowDescription     D v|v|NULL   DataRow (binary as hex)
 *   T tag                  CommandComplete    E sqlstate message [@pos]   ErrorResponse
 *   W sqlstate message     Notice             P oid,oid    ParameterDescription
 *   n  NoData              I  EmptyQuery      (ParameterStatus is counted, not printed)
 */
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

#include "base/check.h"
#include "base/tmpdir.h"
#include "server/pgsession.h"
#include "server/scram.h"
#include "sql/engine.h"
#include "storage/mvcc.h"

/* ---------------------------------------------------------------- capturing sink */

typedef struct capture {
    mice_buf out;
    int n_param_status;
} capture;

static void line(capture *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(capture *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&c->out, fmt, ap);
    va_end(ap);
    buf_append_u8(&c->out, '\n');
}

static mice_status cap_columns(void *ctx, const pgw_field *f, size_t n)
{
    capture *c = ctx;
    buf_append_str(&c->out, "C");
    for (size_t i = 0; i < n; i++) {
        buf_printf(&c->out, " %s:%d", f[i].name, f[i].type_oid);
        if (f[i].format) buf_printf(&c->out, ":%d", f[i].format);
    }
    buf_append_u8(&c->out, '\n');
    return MICE_OK;
}

static mice_status cap_row(void *ctx, const pgw_value *v, size_t n)
{
    capture *c = ctx;
    buf_append_str(&c->out, "D ");
    for (size_t i = 0; i < n; i++) {
        if (i) buf_append_u8(&c->out, '|');
        if (v[i].is_null) {
            buf_append_str(&c->out, "NULL");
            continue;
        }
        bool text = true;
        for (size_t k = 0; k < v[i].data.n; k++)
            if (v[i].data.p[k] < 0x20 || v[i].data.p[k] == 0x7f) text = false;
        if (text) {
            buf_append_slice(&c->out, v[i].data);
            continue;
        }
        buf_append_str(&c->out, "\\x");
        for (size_t k = 0; k < v[i].data.n; k++) buf_printf(&c->out, "%02x", v[i].data.p[k]);
    }
    buf_append_u8(&c->out, '\n');
    return MICE_OK;
}

static mice_status cap_tag(void *ctx, const char *tag)
{
    line(ctx, "T %s", tag);
    return MICE_OK;
}

static mice_status cap_empty(void *ctx)
{
    line(ctx, "I");
    return MICE_OK;
}

/* The object fields (s t c n) of the last ErrorResponse. */
static char LAST_FIELDS[256];
static char LAST_SEVERITY[16]; /* of the last notice */

static mice_status cap_error(void *ctx, const pgb_error *e)
{
    snprintf(LAST_FIELDS, sizeof LAST_FIELDS, "s=%s t=%s c=%s n=%s",
             e->schema_name ? e->schema_name : "-", e->table_name ? e->table_name : "-",
             e->column_name ? e->column_name : "-", e->constraint_name ? e->constraint_name : "-");
    if (e->position)
        line(ctx, "E %s %s @%d", e->sqlstate, e->message, e->position);
    else
        line(ctx, "E %s %s", e->sqlstate, e->message);
    return MICE_OK;
}

static mice_status cap_notice(void *ctx, const pgb_error *e)
{
    snprintf(LAST_SEVERITY, sizeof LAST_SEVERITY, "%s", e->severity);
    line(ctx, "W %s %s", e->sqlstate, e->message);
    return MICE_OK;
}

static mice_status cap_param_status(void *ctx, const char *name, const char *value)
{
    (void)name, (void)value;
    ((capture *)ctx)->n_param_status++;
    return MICE_OK;
}

static mice_status cap_param_desc(void *ctx, const pgw_oid_t *types, size_t n)
{
    capture *c = ctx;
    buf_append_str(&c->out, "P ");
    for (size_t i = 0; i < n; i++) buf_printf(&c->out, "%s%d", i ? "," : "", types[i]);
    buf_append_u8(&c->out, '\n');
    return MICE_OK;
}

static mice_status cap_no_data(void *ctx)
{
    line(ctx, "n");
    return MICE_OK;
}

static mice_status cap_copy(void *ctx, int8_t format, const int16_t *f, size_t n)
{
    (void)format, (void)f, (void)n;
    line(ctx, "COPY");
    return MICE_OK;
}

static mice_status cap_copy_row(void *ctx, mice_slice bytes)
{
    (void)bytes;
    line(ctx, "COPYROW");
    return MICE_OK;
}

static const pgb_sink_ops cap_ops = {
    .columns = cap_columns,
    .row = cap_row,
    .command_complete = cap_tag,
    .empty_query = cap_empty,
    .error = cap_error,
    .notice = cap_notice,
    .parameter_status = cap_param_status,
    .parameter_description = cap_param_desc,
    .no_data = cap_no_data,
    .copy_in = cap_copy,
    .copy_out = cap_copy,
    .copy_row = cap_copy_row,
};

/* ---------------------------------------------------------------- a node in a temp dir */

typedef struct node {
    char dir[512];
    engine *e;
    txn_db *db;
    catalog *cat;
    sql_engine *eng;
    pgsession_backend *be;
    const pgb_backend_vtab *vt;
    void *sess;
    capture cap;
    pgb_sink sink;
} node;

static node *N; /* the current test's node */

static void *start_session(node *n, const char *user, const char *database)
{
    pgw_param params[2] = {{"application_name", "test"}, {"DateStyle", "ISO, MDY"}};
    pgw_startup_info info = {.user = user, .database = database, .application_name = "test",
                             .options = "", .params = params, .n_params = 2};
    void *s = NULL;
    buf_reset(&n->cap.out);
    mice_status rc = n->vt->session_create(n->be, &info, &n->sink, &s);
    return rc == MICE_OK ? s : NULL;
}

static int node_setup(void **state)
{
    node *n = calloc(1, sizeof *n);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), "pgsession", n->dir, sizeof n->dir,
                                   NULL) == MICE_OK);
    engine_config ec;
    mvcc_config_init(&ec, n->dir);
    mice_err err;
    mice_err_clear(&err);
    if (engine_open(&ec, &n->e, &err)) fail_msg("engine_open: %s", mice_err_msg(&err));
    txn_db_config tc;
    txn_db_config_init(&tc);
    tc.lock_timeout_ms = 10000;
    if (txn_db_create(n->e, mice_env_real(), &tc, &n->db, &err)) fail_msg("txn_db: %s", mice_err_msg(&err));
    sql_error serr;
    if (catalog_bootstrap(n->db, &serr)) fail_msg("bootstrap: %s", serr.message);
    n->cat = catalog_create(n->db, mice_env_real(), 1);
    n->eng = sql_engine_create(n->db, n->cat, mice_env_real());
    pgsession_config cfg = {.db = n->db, .cat = n->cat, .engine = n->eng, .node_id = 1};
    if (pgsession_backend_create(&cfg, &n->be, &err)) fail_msg("backend: %s", mice_err_msg(&err));
    n->vt = pgsession_vtab();
    buf_init(&n->cap.out);
    n->sink = (pgb_sink){&cap_ops, &n->cap};
    n->sess = start_session(n, "root", "defaultdb");
    assert_non_null(n->sess);
    N = n;
    *state = n;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static int node_teardown(void **state)
{
    node *n = *state;
    if (n->sess) n->vt->session_destroy(n->be, n->sess);
    pgsession_backend_destroy(n->be);
    sql_engine_destroy(n->eng);
    catalog_destroy(n->cat);
    txn_db_destroy(n->db);
    engine_close(n->e);
    buf_deinit(&n->cap.out);
    nftw(n->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(n);
    return 0;
}

/* ---------------------------------------------------------------- helpers */

static const char *take(void)
{
    buf_append_u8(&N->cap.out, 0);
    static char copy[16384];
    snprintf(copy, sizeof copy, "%s", (const char *)N->cap.out.p);
    buf_reset(&N->cap.out);
    return copy;
}

/* Run a simple Query; returns the transcript. */
static const char *q(const char *sql)
{
    buf_reset(&N->cap.out);
    assert_int_equal(N->vt->query(N->be, N->sess, sql, strlen(sql), &N->sink), MICE_OK);
    return take();
}

static char status(void)
{
    return N->vt->txn_status(N->be, N->sess);
}

#define expect_q(sql, want) assert_string_equal(q(sql), want)

/* The transcript ends with want (RowDescription before an execution error is optional). */
static void assert_ends_with(const char *got, const char *want)
{
    size_t g = strlen(got), w = strlen(want);
    if (g < w || strcmp(got + g - w, want)) fail_msg("got \"%s\", want it to end with \"%s\"", got, want);
}

static void parse(const char *name, const char *sql, const pgw_oid_t *types, size_t n)
{
    assert_int_equal(N->vt->parse(N->be, N->sess, name, sql, strlen(sql), types, n, &N->sink), MICE_OK);
}

static void bind(const char *portal, const char *stmt, pgw_value *params, size_t n_params,
                 int16_t *pformats, size_t n_pf, int16_t *rformats, size_t n_rf)
{
    pgw_bind_msg m = {.portal_name = portal, .stmt_name = stmt, .param_formats = pformats,
                      .n_param_formats = n_pf, .params = params, .n_params = n_params,
                      .result_formats = rformats, .n_result_formats = n_rf};
    assert_int_equal(N->vt->bind(N->be, N->sess, &m, &N->sink), MICE_OK);
}

static bool execute(const char *portal, int32_t max_rows)
{
    bool suspended = false;
    assert_int_equal(N->vt->execute(N->be, N->sess, portal, max_rows, &N->sink, &suspended), MICE_OK);
    return suspended;
}

static void sync(void)
{
    assert_int_equal(N->vt->sync(N->be, N->sess, false, &N->sink), MICE_OK);
}

static pgw_value text_param(const char *s)
{
    return (pgw_value){.data = mice_slice_str(s)};
}

/* ---------------------------------------------------------------- start-up */

static void test_startup_errors(void **state)
{
    node *n = *state;
    assert_null(start_session(n, "nobody", "defaultdb"));
    assert_string_equal(take(), "E 28000 role \"nobody\" does not exist\n");
    assert_null(start_session(n, "root", "nodb"));
    assert_string_equal(take(), "E 3D000 database \"nodb\" does not exist\n");
    capture before = n->cap;
    (void)before;
    assert_true(n->cap.n_param_status >= 13); /* the first session reported every GUC */
    mice_buf v;
    buf_init(&v);
    assert_int_equal(n->vt->lookup_verifier(n->be, "root", &v), MICE_NOTFOUND); /* no password */
    assert_int_equal(n->vt->lookup_verifier(n->be, "nobody", &v), MICE_NOTFOUND);
    buf_deinit(&v);
}

/* ---------------------------------------------------------------- simple query */

static void test_simple_multi_statement(void **state)
{
    (void)state;
    expect_q("create table t (id int primary key, v text); insert into t values (1, 'a'), (2, NULL);"
             " select id, v from t order by id",
             "T CREATE TABLE\nT INSERT 0 2\nC id:23 v:25\nD 1|a\nD 2|NULL\nT SELECT 2\n");
    assert_int_equal(status(), 'I');
    expect_q("", "I\n");
    expect_q(" ; -- nothing\n", "I\n");
    /* one implicit transaction: the error rolls back the insert before it */
    expect_q("insert into t values (3, 'c'); select 1/0; insert into t values (4, 'd')",
             "T INSERT 0 1\nE 22012 division by zero\n");
    expect_q("select count(*) from t", "C count:20\nD 2\nT SELECT 1\n");
    assert_int_equal(status(), 'I');
}

static void test_error_positions(void **state)
{
    (void)state;
    expect_q("select * from nosuch", "E 42P01 relation \"nosuch\" does not exist @15\n");
    /* positions count from the start of the whole string */
    expect_q("select 1; select * from nosuch", "C ?column?:23\nD 1\nT SELECT 1\n"
                                               "E 42P01 relation \"nosuch\" does not exist @25\n");
    expect_q("select 1; selec 2", "E 42601 syntax error at or near \"selec\" @11\n");
    /* characters, not bytes: both the parser's and the engine's positions */
    expect_q("select 'ééé' frm x", "E 42601 syntax error at or near \"x\" @18\n");
    expect_q("select 'ééé'; select 'é', nosuchcol", "C ?column?:25\nD ééé\nT SELECT 1\n"
                                                 "E 42703 column \"nosuchcol\" does not exist @27\n");
}

/* ---------------------------------------------------------------- transaction blocks */

static void test_block_commit_and_warnings(void **state)
{
    (void)state;
    expect_q("create table b (id int primary key)", "T CREATE TABLE\n");
    expect_q("commit", "W 25P01 there is no transaction in progress\nT COMMIT\n");
    expect_q("rollback", "W 25P01 there is no transaction in progress\nT ROLLBACK\n");
    expect_q("begin", "T BEGIN\n");
    assert_int_equal(status(), 'T');
    expect_q("begin", "W 25001 there is already a transaction in progress\nT BEGIN\n");
    expect_q("insert into b values (1)", "T INSERT 0 1\n");
    expect_q("end", "T COMMIT\n");
    assert_int_equal(status(), 'I');
    expect_q("start transaction isolation level repeatable read", "T START TRANSACTION\n");
    expect_q("show transaction_isolation", "C transaction_isolation:25\nD repeatable read\nT SHOW\n");
    expect_q("insert into b values (2)", "T INSERT 0 1\n");
    expect_q("abort", "T ROLLBACK\n");
    expect_q("select id from b order by id", "C id:23\nD 1\nT SELECT 1\n");
}

static void test_failed_block_25p02(void **state)
{
    (void)state;
    expect_q("create table f (id int primary key)", "T CREATE TABLE\n");
    expect_q("begin; insert into f values (1)", "T BEGIN\nT INSERT 0 1\n");
    expect_q("insert into f values (1)",
             "E 23505 duplicate key value violates unique constraint \"f_pkey\"\n");
    assert_int_equal(status(), 'E');
    expect_q("select 1", "E 25P02 current transaction is aborted, commands ignored until end of "
                         "transaction block\n");
    assert_int_equal(status(), 'E');
    expect_q("commit", "T ROLLBACK\n");
    assert_int_equal(status(), 'I');
    expect_q("select count(*) from f", "C count:20\nD 0\nT SELECT 1\n");
    /* ROLLBACK ends a failed block too; a string with BEGIN runs statements separately */
    expect_q("begin; select 1/0", "T BEGIN\nE 22012 division by zero\n");
    expect_q("rollback; insert into f values (7)", "T ROLLBACK\nT INSERT 0 1\n");
    expect_q("select id from f", "C id:23\nD 7\nT SELECT 1\n");
}

static void test_set_show_reset(void **state)
{
    node *n = *state;
    int before = n->cap.n_param_status;
    expect_q("set application_name = 'x'", "T SET\n");
    assert_int_equal(n->cap.n_param_status, before + 1);
    expect_q("show application_name", "C application_name:25\nD x\nT SHOW\n");
    expect_q("reset application_name", "T RESET\n");
    expect_q("show application_name", "C application_name:25\nD test\nT SHOW\n");
    expect_q("set nosuch = 1", "E 42704 unrecognized configuration parameter \"nosuch\"\n");
    /* SET inside a rolled back block is undone */
    expect_q("begin; set application_name = 'y'; rollback; show application_name",
             "T BEGIN\nT SET\nT ROLLBACK\nC application_name:25\nD test\nT SHOW\n");
}

/* The engine's NOTICEs, the error object fields and current_setting() on the wire. */
static void test_notices_error_fields_current_setting(void **state)
{
    (void)state;
    expect_q("create table nf (id int primary key, v int not null)", "T CREATE TABLE\n");
    expect_q("create table if not exists nf (a int)",
             "W 42P07 relation \"nf\" already exists, skipping\nT CREATE TABLE\n");
    assert_string_equal(LAST_SEVERITY, "NOTICE");
    expect_q("drop table if exists nf_x",
             "W 00000 table \"nf_x\" does not exist, skipping\nT DROP TABLE\n");
    expect_q("insert into nf values (1, null)", "E 23502 null value in column \"v\" of relation "
                                                "\"nf\" violates not-null constraint\n");
    assert_string_equal(LAST_FIELDS, "s=public t=nf c=v n=-");
    expect_q("insert into nf values (1, 1), (1, 2)",
             "E 23505 duplicate key value violates unique constraint \"nf_pkey\"\n");
    assert_string_equal(LAST_FIELDS, "s=public t=nf c=- n=nf_pkey");
    expect_q("select 1/0", "E 22012 division by zero\n");
    assert_string_equal(LAST_FIELDS, "s=- t=- c=- n=-");
    expect_q("set application_name = 'cs'", "T SET\n");
    expect_q("select current_setting('application_name') as a", "C a:25\nD cs\nT SELECT 1\n");
}

/* ---------------------------------------------------------------- extended protocol */

static void test_extended_suspended_portals(void **state)
{
    (void)state;
    expect_q("create table e (id int primary key, v text)", "T CREATE TABLE\n");
    expect_q("insert into e values (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e')", "T INSERT 0 5\n");
    parse("sel", "select id, v from e where id >= $1 order by id", NULL, 0);
    assert_int_equal(N->vt->describe_statement(N->be, N->sess, "sel", &N->sink), MICE_OK);
    assert_string_equal(take(), "P 23\nC id:23 v:25\n");
    expect_q("begin", "T BEGIN\n");
    pgw_value p[1] = {text_param("2")};
    bind("cur", "sel", p, 1, NULL, 0, NULL, 0);
    assert_true(execute("cur", 2));
    assert_string_equal(take(), "D 2|b\nD 3|c\n");
    sync(); /* inside a block the portal survives Sync */
    assert_true(execute("cur", 2)); /* exactly the last rows: still suspended, as PostgreSQL */
    assert_string_equal(take(), "D 4|d\nD 5|e\n");
    assert_false(execute("cur", 2));
    assert_string_equal(take(), "T SELECT 0\n");
    bind("", "sel", p, 1, NULL, 0, NULL, 0);
    assert_true(execute("", 3));
    assert_false(execute("", 3));
    assert_string_equal(take(), "D 2|b\nD 3|c\nD 4|d\nD 5|e\nT SELECT 1\n");
    expect_q("commit", "T COMMIT\n");
    /* the portal ended with its transaction */
    execute("cur", 0);
    assert_string_equal(take(), "E 34000 portal \"cur\" does not exist\n");
    sync();
    take();
    /* unnamed statement and portal, no limit, implicit transaction until Sync */
    parse("", "insert into e values ($1, $2)", NULL, 0);
    pgw_value p2[2] = {text_param("6"), text_param("f")};
    bind("", "", p2, 2, NULL, 0, NULL, 0);
    assert_int_equal(N->vt->describe_portal(N->be, N->sess, "", &N->sink), MICE_OK);
    assert_false(execute("", 0));
    sync();
    assert_string_equal(take(), "n\nT INSERT 0 1\n");
    expect_q("select count(*) from e", "C count:20\nD 6\nT SELECT 1\n");
}

static void test_extended_binary_formats(void **state)
{
    (void)state;
    pgw_oid_t types[1] = {20}; /* int8 declared by the client */
    parse("bin", "select $1 + 1 as n, 'hi'::text as s", types, 1);
    uint8_t eight[8] = {0, 0, 0, 0, 0, 0, 0x01, 0x00}; /* 256 */
    pgw_value p[1] = {{.data = mice_slice_of(eight, 8)}};
    int16_t pf[1] = {1}, rf[1] = {1};
    bind("", "bin", p, 1, pf, 1, rf, 1);
    assert_int_equal(N->vt->describe_portal(N->be, N->sess, "", &N->sink), MICE_OK);
    execute("", 0);
    sync();
    assert_string_equal(take(), "C n:20:1 s:25:1\nD \\x0000000000000101|hi\nT SELECT 1\n");
    /* a bad binary length is 22P03 */
    uint8_t four[4] = {0, 0, 0, 1};
    pgw_value bad[1] = {{.data = mice_slice_of(four, 4)}};
    bind("", "bin", bad, 1, pf, 1, rf, 1);
    sync();
    assert_memory_equal(take(), "E 22P03", 7);
}

static void test_extended_errors(void **state)
{
    (void)state;
    parse("s1", "select 1", NULL, 0);
    parse("s1", "select 2", NULL, 0);
    assert_string_equal(take(), "E 42P05 prepared statement \"s1\" already exists\n");
    sync();
    bind("", "nope", NULL, 0, NULL, 0, NULL, 0);
    assert_string_equal(take(), "E 26000 prepared statement \"nope\" does not exist\n");
    assert_int_equal(N->vt->describe_portal(N->be, N->sess, "zz", &N->sink), MICE_OK);
    assert_string_equal(take(), "E 34000 portal \"zz\" does not exist\n");
    pgw_value p[1] = {text_param("1")};
    bind("", "s1", p, 1, NULL, 0, NULL, 0);
    assert_string_equal(take(), "E 08P01 bind message supplies 1 parameters, but prepared "
                                "statement \"s1\" requires 0\n");
    parse("two", "select 1; select 2", NULL, 0);
    assert_string_equal(take(), "E 42601 cannot insert multiple commands into a prepared statement\n");
    parse("", "", NULL, 0);
    bind("", "", NULL, 0, NULL, 0, NULL, 0);
    execute("", 0);
    assert_string_equal(take(), "I\n");
    assert_int_equal(N->vt->close(N->be, N->sess, 'S', "s1", &N->sink), MICE_OK);
    assert_int_equal(N->vt->close(N->be, N->sess, 'S', "s1", &N->sink), MICE_OK); /* not an error */
    bind("", "s1", NULL, 0, NULL, 0, NULL, 0);
    assert_string_equal(take(), "E 26000 prepared statement \"s1\" does not exist\n");
    sync();
    expect_q("deallocate nope", "E 26000 prepared statement \"nope\" does not exist\n");
    parse("d1", "select 1", NULL, 0);
    expect_q("deallocate d1", "T DEALLOCATE\n");
    expect_q("deallocate all", "T DEALLOCATE ALL\n");
}

static void test_extended_error_in_block(void **state)
{
    (void)state;
    expect_q("begin", "T BEGIN\n");
    parse("", "select 1 / $1", NULL, 0);
    pgw_value zero[1] = {text_param("0")};
    bind("", "", zero, 1, NULL, 0, NULL, 0);
    execute("", 0); /* the server skips the rest up to Sync after an error */
    sync();
    assert_string_equal(take(), "E 22012 division by zero\n");
    assert_int_equal(status(), 'E');
    parse("", "select 1", NULL, 0);
    assert_memory_equal(take(), "E 25P02", 7);
    parse("rb", "rollback", NULL, 0);
    bind("", "rb", NULL, 0, NULL, 0, NULL, 0);
    execute("", 0);
    sync();
    assert_string_equal(take(), "T ROLLBACK\n");
    assert_int_equal(status(), 'I');
}

static void test_cancel_flag_is_cleared_per_request(void **state)
{
    (void)state;
    N->vt->cancel(N->be, N->sess); /* nothing runs: hits nothing */
    expect_q("select 1", "C ?column?:23\nD 1\nT SELECT 1\n");
}

static void test_savepoints(void **state)
{
    (void)state;
    expect_q("savepoint a", "E 25P01 SAVEPOINT can only be used in transaction blocks\n");
    expect_q("begin; savepoint a; savepoint b; release a", "T BEGIN\nT SAVEPOINT\nT SAVEPOINT\nT RELEASE\n");
    expect_q("release b", "E 3B001 savepoint \"b\" does not exist\n"); /* went with a */
    assert_int_equal(status(), 'E');
    expect_q("rollback", "T ROLLBACK\n");
    expect_q("begin; savepoint c; rollback to c",
             "T BEGIN\nT SAVEPOINT\nE 0A000 ROLLBACK TO SAVEPOINT is not supported\n");
    expect_q("rollback", "T ROLLBACK\n");
}

/* A statement that runs for a long time: a three-way cross join of 2000 rows. */
static const char *slow_setup(void)
{
    static char sql[32768];
    size_t n = (size_t)snprintf(sql, sizeof sql, "create table slow (id int primary key); "
                                                 "insert into slow values (1)");
    for (int i = 2; i <= 2000; i++) n += (size_t)snprintf(sql + n, sizeof sql - n, ",(%d)", i);
    return sql;
}

static void test_statement_timeout(void **state)
{
    (void)state;
    expect_q(slow_setup(), "T CREATE TABLE\nT INSERT 0 2000\n");
    expect_q("set statement_timeout = '50ms'", "T SET\n");
    assert_ends_with(q("select count(*) from slow a, slow b, slow c"),
                     "E 57014 canceling statement due to statement timeout\n");
    expect_q("reset statement_timeout; select 1", "T RESET\nC ?column?:23\nD 1\nT SELECT 1\n");
}

static void *cancel_later(void *arg)
{
    node *n = arg;
    env_sleep_ns(mice_env_real(), 50 * 1000 * 1000);
    n->vt->cancel(n->be, n->sess);
    return NULL;
}

static void test_cancel_from_another_thread(void **state)
{
    node *n = *state;
    expect_q(slow_setup(), "T CREATE TABLE\nT INSERT 0 2000\n");
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, cancel_later, n), 0);
    const char *got = q("begin; select count(*) from slow a, slow b, slow c");
    pthread_join(th, NULL);
    assert_memory_equal(got, "T BEGIN\n", 8);
    assert_ends_with(got, "E 57014 canceling statement due to user request\n");
    assert_int_equal(status(), 'E');
    expect_q("rollback", "T ROLLBACK\n");
}

static void copy_data(const char *bytes)
{
    assert_int_equal(N->vt->copy_data(N->be, N->sess, mice_slice_str(bytes), &N->sink), MICE_OK);
}

static void test_copy_from_stdin(void **state)
{
    (void)state;
    expect_q("create table c (id int primary key, v text, n int default 7)", "T CREATE TABLE\n");
    expect_q("copy c (id, v) from stdin", "COPY\n");
    copy_data("1\tone\n2\t\\N\n3\tt"); /* lines split anywhere */
    copy_data("ab\\there\n");
    assert_string_equal(take(), "");
    assert_int_equal(N->vt->copy_done(N->be, N->sess, &N->sink), MICE_OK);
    assert_string_equal(take(), "T COPY 3\n");
    expect_q("select id, v, n from c order by id", /* the tab in 'tab\there' prints as hex */
             "C id:23 v:25 n:23\nD 1|one|7\nD 2|NULL|7\nD 3|\\x7461620968657265|7\nT SELECT 3\n");
    /* a bad row ends the COPY with an error and rolls the rows back */
    expect_q("copy c from stdin", "COPY\n");
    copy_data("4\tx\t1\n5\ty\n");
    assert_string_equal(take(), "E 22P04 missing data for column \"n\"\n");
    expect_q("copy c from stdin", "COPY\n");
    assert_int_equal(N->vt->copy_fail(N->be, N->sess, "client gave up", &N->sink), MICE_OK);
    assert_string_equal(take(), "E 57014 COPY from stdin failed: client gave up\n");
    expect_q("select count(*) from c", "C count:20\nD 3\nT SELECT 1\n");
    expect_q("copy c to stdout", "COPY\nCOPYROW\nCOPYROW\nCOPYROW\nT COPY 3\n");
    expect_q("copy c to 'file'", "E 0A000 COPY to or from a file or program is not supported; "
                                 "use STDIN/STDOUT (psql's \\copy)\n");
    /* CSV: a quoted newline stays inside its record; HEADER skips the first line */
    expect_q("copy c from stdin with (format csv, header)", "COPY\n");
    copy_data("id,v,n\n10,\"a\nb\",1\n11,,2\n");
    assert_int_equal(N->vt->copy_done(N->be, N->sess, &N->sink), MICE_OK);
    assert_string_equal(take(), "T COPY 2\n");
    expect_q("select id, length(v), v is null, n from c where id >= 10 order by id",
             "C id:23 length:23 ?column?:16 n:23\nD 10|3|f|1\nD 11|NULL|t|2\nT SELECT 2\n");
}

/* ---------------------------------------------------------------- roles */

/* The verifier stored for user ("" when none). */
static const char *verifier_of(const char *user)
{
    static char text[512];
    mice_buf v;
    buf_init(&v);
    mice_status rc = N->vt->lookup_verifier(N->be, user, &v);
    snprintf(text, sizeof text, "%.*s", rc == MICE_OK ? (int)v.n : 0, (const char *)v.p);
    buf_deinit(&v);
    return text;
}

static void test_create_alter_drop_role(void **state)
{
    (void)state;
    expect_q("create user alice with password 'pw'", "T CREATE ROLE\n");
    const char *v = verifier_of("alice");
    assert_int_equal(strncmp(v, "SCRAM-SHA-256$4096:", 19), 0);
    scram_verifier sv;
    assert_int_equal(scram_verifier_parse(mice_slice_str(v), &sv, NULL), MICE_OK);
    bool match = false;
    assert_int_equal(scram_verifier_check_password(&sv, "pw", &match, NULL), MICE_OK);
    assert_true(match);
    char first[512];
    snprintf(first, sizeof first, "%s", v);
    expect_q("create user alice", "E 42710 role \"alice\" already exists\n");
    expect_q("create role Alice", "E 42710 role \"alice\" already exists\n"); /* folded */
    /* the salt is random: the same password gives another verifier */
    expect_q("alter user alice password 'pw'", "T ALTER ROLE\n");
    assert_string_not_equal(verifier_of("alice"), first);
    /* a verifier is stored as given (pg_dump output restores) */
    char sql[700];
    snprintf(sql, sizeof sql, "alter role alice with password '%s'", first);
    expect_q(sql, "T ALTER ROLE\n");
    assert_string_equal(verifier_of("alice"), first);
    expect_q("alter user alice password ''",
             "W 00000 empty string is not a valid password, clearing password\nT ALTER ROLE\n");
    assert_string_equal(verifier_of("alice"), "");
    expect_q("alter user alice with password 'x' superuser createdb connection limit 3",
             "T ALTER ROLE\n");
    expect_q("alter user alice password null", "T ALTER ROLE\n");
    assert_string_equal(verifier_of("alice"), "");
    expect_q("alter user nobody password 'x'", "E 42704 role \"nobody\" does not exist\n");
    expect_q("create user bob login password 'a' password 'b'", "E 42601 conflicting or redundant options\n");
    expect_q("create role pg_mine", "E 42939 role name \"pg_mine\" is reserved\n");
    expect_q("create role r1 in role alice", "E 0A000 role membership is not supported\n");
    expect_q("drop user alice", "T DROP ROLE\n");
    expect_q("drop role alice", "E 42704 role \"alice\" does not exist\n");
    expect_q("drop role if exists alice, nobody",
             "W 00000 role \"alice\" does not exist, skipping\n"
             "W 00000 role \"nobody\" does not exist, skipping\nT DROP ROLE\n");
    expect_q("drop user root", "E 55006 current user cannot be dropped\n");
}

static void test_role_login_and_privileges(void **state)
{
    node *n = *state;
    expect_q("create role nologin_r; create user plain; create user boss superuser",
             "T CREATE ROLE\nT CREATE ROLE\nT CREATE ROLE\n");
    assert_null(start_session(n, "nologin_r", "defaultdb")); /* CREATE ROLE: NOLOGIN */
    assert_string_equal(take(), "E 28000 role \"nologin_r\" is not permitted to log in\n");
    expect_q("alter role nologin_r login", "T ALTER ROLE\n");
    void *s = start_session(n, "nologin_r", "defaultdb");
    assert_non_null(s);
    n->vt->session_destroy(n->be, s);
    /* a plain user: only its own password */
    void *root = n->sess;
    n->sess = start_session(n, "plain", "defaultdb");
    assert_non_null(n->sess);
    expect_q("create user x", "E 42501 permission denied to create role\n");
    expect_q("drop user boss", "E 42501 permission denied to drop role\n");
    expect_q("alter user boss password 'x'", "E 42501 permission denied\n");
    expect_q("alter user plain superuser", "E 42501 permission denied\n");
    expect_q("alter user current_user password 'mine'", "T ALTER ROLE\n");
    n->vt->session_destroy(n->be, n->sess);
    n->sess = root;
    assert_int_equal(strncmp(verifier_of("plain"), "SCRAM-SHA-256$", 14), 0);
    /* in a block: rolled back with it; extended protocol too */
    expect_q("begin; create user tmp_u; rollback", "T BEGIN\nT CREATE ROLE\nT ROLLBACK\n");
    expect_q("drop user tmp_u", "E 42704 role \"tmp_u\" does not exist\n");
    parse("", "create user ext_u password 'p'", NULL, 0);
    bind("", "", NULL, 0, NULL, 0, NULL, 0);
    execute("", 0);
    sync();
    assert_string_equal(take(), "T CREATE ROLE\n");
    assert_int_equal(strncmp(verifier_of("ext_u"), "SCRAM-SHA-256$", 14), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_startup_errors, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_simple_multi_statement, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_error_positions, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_block_commit_and_warnings, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_failed_block_25p02, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_set_show_reset, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_notices_error_fields_current_setting, node_setup,
                                        node_teardown),
        cmocka_unit_test_setup_teardown(test_extended_suspended_portals, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_extended_binary_formats, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_extended_errors, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_extended_error_in_block, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_flag_is_cleared_per_request, node_setup,
                                        node_teardown),
        cmocka_unit_test_setup_teardown(test_savepoints, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_copy_from_stdin, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_create_alter_drop_role, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_role_login_and_privileges, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_statement_timeout, node_setup, node_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_from_another_thread, node_setup, node_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
