/* engine.c - statement entry points: DML/SELECT through bind + exec, EXPLAIN, DDL (see
 * engine.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "sql/bind.h"
#include "sql/engine.h"
#include "sql/exec.h"
#include "sql/value_io.h"

struct sql_engine {
    txn_db *db;
    catalog *cat;
    const mice_env *env;
};

sql_engine *sql_engine_create(txn_db *db, catalog *cat, const mice_env *env)
{
    sql_engine *e = calloc(1, sizeof *e);
    mice_assert(e != NULL);
    e->db = db;
    e->cat = cat;
    e->env = env;
    return e;
}

void sql_engine_destroy(sql_engine *e)
{
    free(e);
}

/* One statement's context, re-used across READ COMMITTED restarts. */
typedef struct stmt_run {
    sql_engine *e;
    const sql_session *s;
    const ast_node *stmt;
    const sql_datum *params;
    uint32_t n_params;
    const sql_type *param_types; /* prepared: fixed types */
    bool params_fixed;           /* one-shot: exactly n_params parameters exist */
    const sql_result_sink *sink;
    sql_exec_result *res;
    sql_error *err;
    catalog_txn ct;
    catalog_txn *ctp;
    mice_arena *arena;
    func_ctx fctx;
    mice_prng prng; /* random(), gen_random_uuid(): seeded per statement from the env */
    bind_ctx *b;
    sql_prepared *prep; /* sql_prepare's output */
    mice_arena *keep;   /* and its arena */
} stmt_run;

static mice_status run_ddl(stmt_run *r, txn *t)
{
    exec_ddl_env env = {.t = t,
                        .ct = r->ctp,
                        .cat = r->e->cat,
                        .database_id = r->s->database_id,
                        .sp = r->s->search_path,
                        .arena = r->arena,
                        .vctx = &r->s->vctx,
                        .fctx = &r->fctx,
                        .notice = r->sink ? r->sink->notice : NULL,
                        .notice_ctx = r->sink ? r->sink->ctx : NULL};
    return exec_ddl(&env, r->stmt, r->res->command_tag, sizeof r->res->command_tag, r->err);
}

static void set_tag(sql_exec_result *res, const char *fmt, uint64_t n)
{
    snprintf(res->command_tag, sizeof res->command_tag, fmt, (unsigned long long)n);
}

static mice_status run_bind(stmt_run *r, txn *t, const ast_node *stmt, plan_node **plan)
{
    bind_ctx *b = ARENA_NEW(r->arena, bind_ctx);
    if (!b) return sqlerr_nomem(r->err);
    r->b = b;
    b->arena = r->arena;
    b->ct = r->ctp;
    b->database_id = r->s->database_id;
    b->sp = r->s->search_path;
    b->vctx = &r->s->vctx;
    b->fctx = &r->fctx;
    for (uint32_t i = 0; i < r->n_params && i < BIND_PARAMS_MAX; i++) {
        if (r->param_types)
            b->param_types[i] = r->param_types[i];
        else if (!r->params[i].is_null || r->params[i].type != SQL_TYPE_UNKNOWN)
            b->param_types[i] = sql_type_make(r->params[i].type, -1);
        if (b->param_types[i].id == SQL_TYPE_UNKNOWN) b->param_types[i].id = SQL_TYPE_INVALID;
    }
    b->params_fixed = r->params_fixed;
    b->n_params_given = r->n_params;
    (void)t;
    return bind_statement(b, stmt, plan, r->err);
}

static mice_status send_columns(stmt_run *r, const plan_node *p)
{
    r->res->returns_rows = true;
    if (!r->sink || !r->sink->columns) return MICE_OK;
    sql_column *cols = ARENA_NEW_ARRAY(r->arena, sql_column, p->n_cols ? p->n_cols : 1);
    if (!cols) return sqlerr_nomem(r->err);
    for (uint32_t i = 0; i < p->n_cols; i++) {
        cols[i].name = p->col_names[i] ? p->col_names[i] : "?column?";
        cols[i].type = p->col_types[i];
    }
    return r->sink->columns(r->sink->ctx, cols, p->n_cols);
}

static mice_status run_plan(stmt_run *r, txn *t, plan_node *p)
{
    exec_env env = {.t = t,
                    .cat = r->e->cat,
                    .stmt = r->arena,
                    .params = r->params,
                    .n_params = r->n_params,
                    .fctx = &r->fctx,
                    .vctx = &r->s->vctx,
                    .cancel = r->s->cancel};
    exec_op *op;
    mice_status rc = exec_open(&env, p, &op, r->err);
    bool dml = p->kind == PLAN_INSERT || p->kind == PLAN_UPDATE || p->kind == PLAN_DELETE;
    bool first = true;
    uint64_t rows = 0;
    sql_datum row[p->n_cols ? p->n_cols : 1];
    while (!rc) {
        sql_batch *b;
        if ((rc = exec_next(op, &b, r->err))) break;
        if (first && (!dml || p->returning) && (rc = send_columns(r, p))) break;
        first = false;
        if (!b->n_rows) break;
        for (uint32_t i = 0; i < b->n_rows && !rc; i++) {
            batch_get_row(b, i, row);
            if (r->sink && r->sink->row) rc = r->sink->row(r->sink->ctx, row, p->n_cols);
            rows++;
        }
    }
    if (!rc) {
        if (p->kind == PLAN_INSERT)
            set_tag(r->res, "INSERT 0 %llu", exec_rows_affected(op));
        else if (p->kind == PLAN_UPDATE)
            set_tag(r->res, "UPDATE %llu", exec_rows_affected(op));
        else if (p->kind == PLAN_DELETE)
            set_tag(r->res, "DELETE %llu", exec_rows_affected(op));
        else
            set_tag(r->res, "SELECT %llu", rows);
        r->res->rows = dml ? exec_rows_affected(op) : rows;
    }
    exec_close(op);
    return rc;
}

static mice_status run_explain(stmt_run *r, txn *t)
{
    const ast_explain *ex = &r->stmt->u.explain;
    plan_explain_opts opts = {.costs = true};
    for (uint32_t i = 0; i < ex->options.n; i++) {
        const ast_def_elem *d = &ex->options.items[i]->u.def_elem;
        bool on = true;
        if (d->arg && d->arg->kind == AST_CONST) {
            const ast_const *k = &d->arg->u.konst;
            on = k->ck == AST_CONST_BOOL
                     ? k->bval
                     : !(k->text && (!strcmp(k->text, "false") || !strcmp(k->text, "off")));
        }
        if (!strcmp(d->name, "costs"))
            opts.costs = on;
        else if (!strcmp(d->name, "verbose"))
            opts.verbose = on;
        else if (!strcmp(d->name, "analyze") && on)
            return sqlerr_set(r->err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "EXPLAIN ANALYZE is not supported yet");
    }
    plan_node *p;
    mice_status rc = run_bind(r, t, ex->query, &p);
    if (rc) return rc;
    mice_buf out;
    buf_init(&out);
    plan_explain(p, &opts, &r->s->vctx, &out);
    plan_node hdr = {.n_cols = 1};
    const char *name = "QUERY PLAN";
    sql_type tt = sql_type_make(SQL_TYPE_TEXT, -1);
    hdr.col_names = &name;
    hdr.col_types = &tt;
    rc = send_columns(r, &hdr);
    uint64_t rows = 0;
    for (size_t pos = 0; !rc && pos < out.n; rows++) {
        const uint8_t *nl = memchr(out.p + pos, '\n', out.n - pos);
        size_t len = nl ? (size_t)(nl - (out.p + pos)) : out.n - pos;
        sql_datum d = datum_text(mice_slice_of(out.p + pos, len));
        if (r->sink && r->sink->row) rc = r->sink->row(r->sink->ctx, &d, 1);
        pos += len + 1;
    }
    buf_deinit(&out);
    set_tag(r->res, "EXPLAIN", 0);
    r->res->rows = rows;
    return rc;
}

/* A constraint violation of INSERT/UPDATE/DELETE also names the target's schema
 * (ErrorResponse field s), as PostgreSQL does. */
static void name_schema(stmt_run *r)
{
    sql_error *e = r->err;
    if (!e->table_name[0] || e->schema_name[0] || !r->stmt) return;
    const ast_node *tb = r->stmt->kind == AST_INSERT   ? r->stmt->u.insert.table
                         : r->stmt->kind == AST_UPDATE ? r->stmt->u.update.table
                         : r->stmt->kind == AST_DELETE ? r->stmt->u.delete_.table
                                                       : NULL;
    if (!tb || tb->kind != AST_RANGE_VAR) return;
    const ast_range_var *rv = &tb->u.range_var;
    catalog_desc *d, *sd;
    sql_error probe;
    if (catalog_resolve_relation(r->ctp, r->s->database_id, r->s->search_path, rv->schema, rv->rel,
                                 r->arena, &d, &probe) == MICE_OK &&
        catalog_get_desc(r->ctp, d->parent_id, r->arena, &sd, &probe) == MICE_OK)
        snprintf(e->schema_name, sizeof e->schema_name, "%s", sd->name);
}

static mice_status stmt_fn(txn *t, void *arg, mice_err *me)
{
    stmt_run *r = arg;
    sqlerr_clear(r->err);
    memset(r->res, 0, sizeof *r->res);
    size_t budget = r->s->work_mem_bytes ? r->s->work_mem_bytes : SQL_WORK_MEM_BYTES_DEFAULT;
    r->arena = arena_create(NULL, "stmt", budget);
    if (!r->arena) return sqlerr_nomem(r->err);
    if (r->s->ct) {
        r->ctp = r->s->ct;
    } else {
        catalog_txn_init(&r->ct, r->e->cat, t);
        r->ctp = &r->ct;
    }
    func_ctx_init(&r->fctx, r->arena, &r->s->vctx);
    if (r->e->env) {
        prng_seed(&r->prng, env_entropy(r->e->env));
        r->fctx.prng = &r->prng;
    }
    r->fctx.txn_start = r->s->txn_start;
    r->fctx.stmt_start = r->s->vctx.dt.now;
    if (r->s->user) r->fctx.current_user = r->fctx.session_user = r->s->user;
    if (r->s->database) r->fctx.database = r->s->database;
    r->fctx.settings = r->s->settings;
    mice_status rc = catalog_statement_begin(r->ctp, r->err);
    if (!rc) {
        switch (r->stmt->kind) {
        case AST_SELECT:
        case AST_INSERT:
        case AST_UPDATE:
        case AST_DELETE: {
            plan_node *p;
            rc = run_bind(r, t, r->stmt, &p);
            if (!rc) rc = run_plan(r, t, p);
            break;
        }
        case AST_EXPLAIN:
            rc = run_explain(r, t);
            break;
        default:
            rc = run_ddl(r, t);
            break;
        }
    }
    if (rc == MICE_INVALID || rc == MICE_EXISTS) name_schema(r);
    arena_destroy(r->arena);
    r->arena = NULL;
    if (rc == MICE_AGAIN) mice_err_setf(me, rc, "restart");
    return rc;
}

static mice_status run_statement(stmt_run *r, txn *t)
{
    mice_err me;
    mice_err_clear(&me);
    mice_status rc = txn_run_statement(t, stmt_fn, r, &me);
    if (rc && r->err && r->err->code == MICE_OK) exec_txn_error(rc, &me, r->err);
    if (!rc && r->err->message[0]) { /* a NOTICE (exec_ddl) */
        if (r->sink && r->sink->notice) rc = r->sink->notice(r->sink->ctx, r->err);
        if (!rc) sqlerr_clear(r->err);
    }
    return rc;
}

mice_status sql_exec_stmt(sql_engine *e, const sql_session *s, txn *t, const ast_node *stmt,
                          const sql_datum *params, uint32_t n_params, const sql_result_sink *sink,
                          sql_exec_result *res, sql_error *err)
{
    sql_error local;
    stmt_run r = {.e = e,
                  .s = s,
                  .stmt = stmt,
                  .params = params,
                  .n_params = n_params,
                  .params_fixed = true,
                  .sink = sink,
                  .res = res,
                  .err = err ? err : &local};
    return run_statement(&r, t);
}

mice_status sql_exec_prepared(sql_engine *e, const sql_session *s, txn *t, const sql_prepared *p,
                              const sql_datum *params, uint32_t n_params,
                              const sql_result_sink *sink, sql_exec_result *res, sql_error *err)
{
    sql_error local;
    if (n_params != p->n_params)
        return sqlerr_set(err, MICE_INVALID, "08P01",
                          "bind message supplies %u parameters, but prepared statement requires %u",
                          n_params, p->n_params);
    stmt_run r = {.e = e,
                  .s = s,
                  .stmt = p->stmt,
                  .params = params,
                  .n_params = n_params,
                  .param_types = p->param_types,
                  .sink = sink,
                  .res = res,
                  .err = err ? err : &local};
    return run_statement(&r, t);
}

static mice_status prepare_fn(txn *t, void *arg, mice_err *me)
{
    stmt_run *r = arg;
    (void)me;
    sqlerr_clear(r->err);
    r->arena = arena_create(NULL, "prepare", SQL_WORK_MEM_BYTES_DEFAULT);
    if (!r->arena) return sqlerr_nomem(r->err);
    if (r->s->ct) {
        r->ctp = r->s->ct;
    } else {
        catalog_txn_init(&r->ct, r->e->cat, t);
        r->ctp = &r->ct;
    }
    func_ctx_init(&r->fctx, r->arena, &r->s->vctx);
    mice_status rc = catalog_statement_begin(r->ctp, r->err);
    const ast_node *q = r->stmt->kind == AST_EXPLAIN ? r->stmt->u.explain.query : r->stmt;
    sql_prepared *out = r->prep;
    mice_arena *keep = r->keep;
    plan_node *p = NULL;
    bool bindable = q->kind == AST_SELECT || q->kind == AST_INSERT || q->kind == AST_UPDATE ||
                    q->kind == AST_DELETE;
    if (!rc && bindable) rc = run_bind(r, t, q, &p);
    if (!rc && bindable) {
        out->n_params = r->b->n_params;
        out->param_types = ARENA_NEW_ARRAY(keep, sql_type, out->n_params + 1);
        if (!out->param_types) rc = sqlerr_nomem(r->err);
        for (uint32_t i = 0; !rc && i < out->n_params; i++)
            out->param_types[i] = r->b->param_types[i];
    }
    bool rows =
        r->stmt->kind == AST_EXPLAIN ||
        (p && (!(p->kind == PLAN_INSERT || p->kind == PLAN_UPDATE || p->kind == PLAN_DELETE) ||
               p->returning));
    if (!rc && rows) {
        uint32_t n = r->stmt->kind == AST_EXPLAIN ? 1 : p->n_cols;
        out->cols = ARENA_NEW_ARRAY(keep, sql_column, n + 1);
        if (!out->cols) rc = sqlerr_nomem(r->err);
        for (uint32_t i = 0; !rc && i < n; i++) {
            bool ex = r->stmt->kind == AST_EXPLAIN;
            const char *name = ex ? "QUERY PLAN" : (p->col_names[i] ? p->col_names[i] : "?column?");
            out->cols[i].name = arena_strdup(keep, name);
            out->cols[i].type = ex ? sql_type_make(SQL_TYPE_TEXT, -1) : p->col_types[i];
        }
        out->n_cols = n;
        out->returns_rows = true;
    }
    arena_destroy(r->arena);
    r->arena = NULL;
    return rc;
}

mice_status sql_prepare(sql_engine *e, const sql_session *s, txn *t, const ast_node *stmt,
                        const sql_type *param_hints, uint32_t n_hints, mice_arena *arena,
                        sql_prepared *out, sql_error *err)
{
    sql_error local;
    memset(out, 0, sizeof *out);
    out->stmt = stmt;
    sql_datum *hint_vals = ARENA_NEW_ARRAY(arena, sql_datum, n_hints + 1);
    if (!hint_vals) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < n_hints; i++)
        hint_vals[i] = datum_null(param_hints[i].id ? param_hints[i].id : SQL_TYPE_UNKNOWN);
    stmt_run r = {.e = e,
                  .s = s,
                  .stmt = stmt,
                  .params = hint_vals,
                  .n_params = n_hints,
                  .prep = out,
                  .keep = arena,
                  .err = err ? err : &local};
    mice_err me;
    mice_err_clear(&me);
    mice_status rc = txn_run_statement(t, prepare_fn, &r, &me);
    if (!rc && out->n_params < n_hints) out->n_params = n_hints;
    return rc;
}
