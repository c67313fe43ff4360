/*
 * pgsession_engine.c - the one seam between the session and the SQL engine (engine.h):
 * type a statement (parameters, result columns) and run it inside the session's
 * transaction.
 *
 * The engine runs each statement under txn_run_statement (READ COMMITTED restarts) and
 * polls the session's cancel flag between batches; the statement_timeout watchdog
 * (pgsession.c) raises the same flag, and the message is rewritten here when it was the
 * timeout. RowDescription gets the engine's names and types (no table oid/attnum yet).
 */
#include <stdio.h>
#include <string.h>

#include "server/pgsession_int.h"
#include "sql/engine.h"

/* The engine's view of the session for one statement (search_path in arena a). */
static mice_status sql_session_of(pgs_session *s, mice_arena *a, catalog_search_path *sp,
                                  sql_session *out, sql_error *err)
{
    const char **names = NULL;
    size_t n = 0;
    mice_status rc = settings_search_path(s->set, a, &names, &n, err);
    if (rc) return rc;
    *sp = (catalog_search_path){.schemas = names, .n_schemas = (uint32_t)n, .user = s->user};
    memset(out, 0, sizeof *out);
    out->database_id = s->database_id;
    out->database = s->database;
    out->user = s->user;
    out->search_path = sp;
    out->vctx = *settings_value_ctx(s->set);
    out->vctx.dt.now = pgs__now(s);
    out->txn_start = s->txn_start;
    out->work_mem_bytes = settings_work_mem_bytes(s->set);
    out->cancel = &s->cancel;
    out->ct = s->t ? &s->ct : NULL;
    out->settings = s->set;
    return MICE_OK;
}

static void shape_of(const sql_prepared *p, mice_arena *a, pgs_shape *out)
{
    out->n_params = p->n_params;
    out->param_types = ARENA_NEW_ARRAY(a, sql_type, p->n_params ? p->n_params : 1);
    for (uint32_t i = 0; i < p->n_params; i++) {
        out->param_types[i] = p->param_types[i];
        if (out->param_types[i].id == SQL_TYPE_INVALID)
            out->param_types[i] = sql_type_make(SQL_TYPE_TEXT, -1);
    }
    out->returns_rows = p->returns_rows;
    out->n_cols = p->n_cols;
    out->cols = ARENA_NEW_ARRAY(a, pgs_col, p->n_cols ? p->n_cols : 1);
    for (uint32_t i = 0; i < p->n_cols; i++)
        out->cols[i] = (pgs_col){.name = p->cols[i].name, .type = p->cols[i].type};
}

mice_status pgs__engine_describe(pgs_session *s, const ast_node *ast, const pgw_oid_t *given,
                                 size_t n_given, mice_arena *a, pgs_shape *out, sql_error *err)
{
    memset(out, 0, sizeof *out);
    catalog_search_path sp;
    sql_session ss;
    mice_status rc = sql_session_of(s, a, &sp, &ss, err);
    if (rc) return rc;
    sql_type *hints = ARENA_NEW_ARRAY(a, sql_type, n_given ? n_given : 1);
    for (size_t i = 0; i < n_given; i++) hints[i] = sql_type_make((sql_type_id)given[i], -1);
    sql_prepared *p = ARENA_NEW(a, sql_prepared);
    rc = sql_prepare(s->be->engine, &ss, s->t, ast, hints, (uint32_t)n_given, a, p, err);
    if (rc) return rc;
    shape_of(p, a, out);
    out->prepared = p;
    return MICE_OK;
}

static mice_status on_columns(void *ctx, const sql_column *cols, uint32_t n)
{
    pgs_run *r = ctx;
    if (!r->cols_fn) return MICE_OK;
    pgs_col *pc = ARENA_NEW_ARRAY(r->arena, pgs_col, n ? n : 1);
    if (!pc) return MICE_NOMEM;
    for (uint32_t i = 0; i < n; i++) pc[i] = (pgs_col){.name = cols[i].name, .type = cols[i].type};
    return r->cols_fn(r->ctx, pc, n);
}

static mice_status on_row(void *ctx, const sql_datum *values, uint32_t n)
{
    pgs_run *r = ctx;
    return r->row_fn(r->ctx, values, n);
}

static mice_status on_notice(void *ctx, const sql_error *n)
{
    pgs_run *r = ctx;
    if (!r->sink) return MICE_OK;
    return pgs__send_error(r->sink, n, "NOTICE");
}

mice_status pgs__engine_run(pgs_session *s, pgs_run *r, sql_error *err)
{
    catalog_search_path sp;
    sql_session ss;
    mice_status rc = sql_session_of(s, r->arena, &sp, &ss, err);
    if (rc) return rc;
    sql_result_sink sink = {.ctx = r, .columns = on_columns, .row = on_row,
                           .notice = on_notice};
    sql_exec_result res;
    memset(&res, 0, sizeof res);
    if (r->prepared)
        rc = sql_exec_prepared(s->be->engine, &ss, s->t, r->prepared, r->params, r->n_params, &sink,
                               &res, err);
    else
        rc = sql_exec_stmt(s->be->engine, &ss, s->t, r->ast, r->params, r->n_params, &sink, &res,
                           err);
    if (rc == MICE_OK) snprintf(r->tag, sizeof r->tag, "%s", res.command_tag);
    return rc;
}
