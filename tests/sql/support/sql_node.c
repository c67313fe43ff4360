/* sql_node.c - see sql_node.h. */
#include "sql/support/sql_node.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/tmpdir.h"
#include "sql/parse.h"
#include "sql/value_io.h"
#include "storage/mvcc.h"

static sql_node NODE;

sql_node *sql_node_get(void)
{
    return &NODE;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

int sql_node_setup(void **state)
{
    (void)state;
    sql_node *n = &NODE;
    memset(n, 0, sizeof *n);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), "sqlnode", n->dir, sizeof n->dir,
                                   NULL) == MICE_OK);
    engine_config ec;
    mvcc_config_init(&ec, n->dir);
    mice_err err;
    mice_assert(engine_open(&ec, &n->e, &err) == MICE_OK);
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.lock_timeout_ms = 10000;
    mice_assert(txn_db_create(n->e, mice_env_real(), &cfg, &n->db, &err) == MICE_OK);
    sql_error serr;
    mice_assert(catalog_bootstrap(n->db, &serr) == MICE_OK);
    n->cat = catalog_create(n->db, mice_env_real(), 1);
    n->sql = sql_engine_create(n->db, n->cat, mice_env_real());
    txn *t = txn_begin(n->db, TXN_READ_COMMITTED);
    catalog_txn ct;
    catalog_txn_init(&ct, n->cat, t);
    mice_arena *a = arena_create(NULL, "setup", 0);
    catalog_desc *d = NULL;
    mice_assert(catalog_statement_begin(&ct, &serr) == MICE_OK);
    mice_assert(catalog_find_database(&ct, "defaultdb", a, &d, &serr) == MICE_OK);
    n->db_id = d->id;
    arena_destroy(a);
    txn_commit(t, &err);
    txn_destroy(t);
    return 0;
}

int sql_node_teardown(void **state)
{
    (void)state;
    sql_node *n = &NODE;
    sql_engine_destroy(n->sql);
    catalog_destroy(n->cat);
    txn_db_destroy(n->db);
    engine_close(n->e);
    nftw(n->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static mice_status on_row(void *ctx, const sql_datum *v, uint32_t n)
{
    mice_buf *o = ctx;
    for (uint32_t i = 0; i < n; i++) {
        if (i) buf_append_u8(o, '|');
        if (v[i].is_null)
            buf_append_str(o, "NULL");
        else if (value_to_text(&v[i], NULL, o, NULL))
            buf_append_str(o, "?");
    }
    buf_append_u8(o, '\n');
    return MICE_OK;
}

const char *sql_node_run(txn *given, const char *sql)
{
    static char result[1 << 16];
    sql_node *n = &NODE;
    mice_arena *a = arena_create(NULL, "test", 0);
    sql_parse_result pr;
    sql_error err;
    mice_buf o;
    buf_init(&o);
    mice_status rc = sql_parse(a, sql, strlen(sql), &pr, &err);
    sql_session s = {.database_id = n->db_id,
                     .database = "defaultdb",
                     .user = "root",
                     .vctx = SQL_VALUE_CTX_DEFAULT};
    sql_result_sink sink = {.ctx = &o, .row = on_row};
    for (uint32_t i = 0; i < pr.n_stmts && !rc; i++) {
        buf_reset(&o);
        txn *t = given ? given : txn_begin(n->db, TXN_READ_COMMITTED);
        sql_exec_result res = {0};
        rc = sql_exec_stmt(n->sql, &s, t, pr.stmts[i].stmt, NULL, 0, &sink, &res, &err);
        if (!given) {
            mice_err me;
            if (!rc && (rc = txn_commit(t, &me)))
                snprintf(err.message, sizeof err.message, "commit: %.400s", me.msg);
            txn_destroy(t);
        }
    }
    if (rc)
        snprintf(result, sizeof result, "ERROR %s: %s", err.sqlstate, err.message);
    else
        snprintf(result, sizeof result, "%.*s", (int)o.n, o.p ? (const char *)o.p : "");
    buf_deinit(&o);
    arena_destroy(a);
    return result;
}
