/*
 * pgsession_ext.c - the extended query protocol: prepared statements and portals.
 *
 * A statement keeps a copy of its text and its AST in its own arena, typed once at Parse
 * (the parameter types the client gave, the rest inferred by the engine). A portal keeps
 * its bound parameter values and result formats in its arena. Execute without a row limit
 * streams; with one, the statement runs to completion on the first Execute and the rows
 * wait in the portal, encoded, for the Executes that follow (PortalSuspended between).
 * Portals end with their transaction, as PostgreSQL's (non-holdable) portals do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "server/pgsession_int.h"
#include "sql/bind.h"
#include "sql/parse.h"
#include "sql/types.h"
#include "sql/value_io.h"

#define SQLSTATE_DUPLICATE_PSTATEMENT "42P05"
#define SQLSTATE_DUPLICATE_CURSOR "42P03"
#define SQLSTATE_INVALID_SQL_STATEMENT_NAME "26000"
#define SQLSTATE_INVALID_CURSOR_NAME "34000"
#define SQLSTATE_PROTOCOL_VIOLATION "08P01"
#define SQLSTATE_IN_FAILED_SQL_TRANSACTION "25P02"

/* ---------------------------------------------------------------- bookkeeping */

static void stmt_unref(pgs_stmt *st)
{
    mice_assert(st->refs > 0);
    if (--st->refs == 0) arena_destroy(st->arena);
}

static pgs_stmt *find_stmt(pgs_session *s, const char *name)
{
    for (pgs_stmt *st = s->stmts; st; st = st->next)
        if (!strcmp(st->name, name)) return st;
    return NULL;
}

static pgs_portal *find_portal(pgs_session *s, const char *name)
{
    for (pgs_portal *p = s->portals; p; p = p->next)
        if (!strcmp(p->name, name)) return p;
    return NULL;
}

static void drop_stmt(pgs_session *s, pgs_stmt *st)
{
    for (pgs_stmt **pp = &s->stmts; *pp; pp = &(*pp)->next) {
        if (*pp == st) {
            *pp = st->next;
            stmt_unref(st);
            return;
        }
    }
}

static void drop_portal(pgs_session *s, pgs_portal *p)
{
    for (pgs_portal **pp = &s->portals; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            pgs_stmt *st = p->stmt;
            arena_destroy(p->arena);
            stmt_unref(st);
            return;
        }
    }
}

void pgs__drop_portals(pgs_session *s)
{
    while (s->portals)
        drop_portal(s, s->portals);
}

void pgs__drop_stale_portals(pgs_session *s)
{
    if (!s->portals_stale) return;
    s->portals_stale = false;
    pgs__drop_portals(s);
}

void pgs__drop_all(pgs_session *s, bool statements)
{
    pgs__drop_portals(s);
    while (statements && s->stmts)
        drop_stmt(s, s->stmts);
}

static mice_status send_sql_error(pgs_session *s, pgb_sink *sink, mice_status rc, sql_error *err)
{
    pgs__statement_failed(s);
    return pgs__answer_error(sink, rc, err);
}

static mice_status fail(pgs_session *s, pgb_sink *sink, const char *sqlstate, const char *fmt,
                        const char *name)
{
    sql_error err;
    sqlerr_set(&err, MICE_INVALID, sqlstate, fmt, name);
    return send_sql_error(s, sink, MICE_INVALID, &err);
}

static bool ends_block(const ast_node *n)
{
    return n && n->kind == AST_TRANSACTION &&
           (n->u.transaction.tk == AST_TXN_ROLLBACK || n->u.transaction.tk == AST_TXN_COMMIT);
}

static mice_status fail_aborted(pgs_session *s, pgb_sink *sink)
{
    return fail(s, sink, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction "
                "block%s",
                "");
}

mice_status pgs__deallocate(pgs_session *s, const char *name, sql_error *err)
{
    if (!name) {
        while (s->stmts)
            drop_stmt(s, s->stmts);
        return MICE_OK;
    }
    pgs_stmt *st = find_stmt(s, name);
    if (!st || !name[0])
        return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", name);
    drop_stmt(s, st);
    return MICE_OK;
}

/* ---------------------------------------------------------------- Parse */

/* Type a statement the session runs itself (no parameters). */
static mice_status shape_session_stmt(pgs_session *s, pgs_stmt *st, sql_error *err)
{
    const ast_node *n = st->ast;
    if (n->kind != AST_VAR_SHOW) return MICE_OK;
    st->shape.returns_rows = true;
    const char *name = n->u.var_show.name;
    if (!strcmp(name, "all")) {
        static const char *all_cols[3] = {"name", "setting", "description"};
        st->shape.n_cols = 3;
        st->shape.cols = ARENA_NEW_ARRAY(st->arena, pgs_col, 3);
        for (int i = 0; i < 3; i++)
            st->shape.cols[i] =
                (pgs_col){.name = all_cols[i], .type = sql_type_make(SQL_TYPE_TEXT, -1)};
        return MICE_OK;
    }
    mice_buf tmp;
    buf_init(&tmp);
    const char *display = NULL;
    mice_status rc = settings_show(s->set, name, &tmp, &display, err);
    buf_deinit(&tmp);
    if (rc) return rc;
    st->shape.n_cols = 1;
    st->shape.cols = ARENA_NEW(st->arena, pgs_col);
    st->shape.cols[0] = (pgs_col){.name = arena_strdup(st->arena, display),
                                  .type = sql_type_make(SQL_TYPE_TEXT, -1)};
    return MICE_OK;
}

/* SQL PREPARE's statement: the query under it, its declared parameter types as OIDs. */
static mice_status unwrap_sql_prepare(pgs_stmt *st, const pgw_oid_t **types, size_t *n_types,
                                      sql_error *err)
{
    const ast_prepare *pr = &st->ast->u.prepare;
    uint32_t n = pr->argtypes.n;
    pgw_oid_t *oids = ARENA_NEW_ARRAY(st->arena, pgw_oid_t, n ? n : 1);
    if (!oids) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        sql_type t;
        mice_status rc = bind_type_name(pr->argtypes.items[i], &t, err);
        if (rc) return rc;
        oids[i] = (pgw_oid_t)t.id;
    }
    st->ast = pr->query;
    *types = oids;
    *n_types = n;
    return MICE_OK;
}

static mice_status prepare(pgs_session *s, pgs_stmt *st, const pgw_oid_t *types, size_t n_types,
                           bool sql_prepare, sql_error *err)
{
    sql_parse_result p;
    mice_status rc = sql_parse(st->arena, st->sql, st->sql_len, &p, err);
    if (rc) return rc;
    if (p.n_stmts > 1)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR,
                          "cannot insert multiple commands into a prepared statement");
    if (p.n_stmts == 0) return MICE_OK;
    st->ast = p.stmts[0].stmt;
    if (sql_prepare && st->ast->kind == AST_PREPARE &&
        (rc = unwrap_sql_prepare(st, &types, &n_types, err)))
        return rc;
    if (s->block == PGS_FAILED && !ends_block(st->ast))
        return sqlerr_set(err, MICE_CLOSED, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                          "current transaction is aborted, commands ignored until end of "
                          "transaction block");
    ast_kind k = st->ast->kind;
    if (k == AST_TRANSACTION || k == AST_VAR_SET || k == AST_VAR_SHOW || k == AST_DEALLOCATE ||
        k == AST_COPY || pgs__is_role_stmt(st->ast)) {
        st->shape.n_params = 0;
        return shape_session_stmt(s, st, err);
    }
    pgs__txn_for_query(s);
    txn_statement_begin(s->t);
    rc = pgs__engine_describe(s, st->ast, types, n_types, st->arena, &st->shape, err);
    if (rc) pgs__position_to_chars(st->sql, st->sql_len, err);
    txn_statement_end(s->t);
    return rc;
}

/* A new named (or unnamed) statement from sql: Parse's, or SQL PREPARE's (sql_prepare: sql
 * is the PREPARE statement). */
static mice_status add_stmt(pgs_session *s, const char *name, const char *sql, size_t sql_len,
                            const pgw_oid_t *param_types, size_t n_types, bool sql_prepare,
                            sql_error *err)
{
    pgs_stmt *old = find_stmt(s, name);
    if (old && name[0])
        return sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_PSTATEMENT,
                          "prepared statement \"%s\" already exists", name);
    if (old) drop_stmt(s, old);
    mice_arena *a = arena_create(NULL, "prepared", PGS_STMT_ARENA_BYTES);
    pgs_stmt *st = ARENA_NEW(a, pgs_stmt); /* the statement lives in its own arena */
    mice_assert(st != NULL);
    st->arena = a;
    st->name = arena_strdup(a, name);
    st->sql = arena_strndup(a, sql, sql_len);
    st->sql_len = sql_len;
    mice_status rc = prepare(s, st, param_types, n_types, sql_prepare, err);
    if (rc) {
        arena_destroy(a);
        return rc;
    }
    st->refs = 1;
    st->next = s->stmts;
    s->stmts = st;
    return MICE_OK;
}

mice_status pgs__parse(void *ctx, void *session, const char *name, const char *sql, size_t sql_len,
                       const pgw_oid_t *param_types, size_t n_types, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    sql_error err;
    sqlerr_clear(&err);
    mice_status rc = add_stmt(s, name, sql, sql_len, param_types, n_types, false, &err);
    return rc ? send_sql_error(s, sink, rc, &err) : MICE_OK;
}

/* ---------------------------------------------------------------- SQL PREPARE / EXECUTE */

mice_status pgs__sql_prepare(pgs_session *s, pgs_run *r, sql_error *err)
{
    const char *name = r->ast->u.prepare.name;
    snprintf(r->tag, sizeof r->tag, "PREPARE");
    const char *text = r->stmt_text ? r->stmt_text : r->sql;
    size_t len = r->stmt_text ? r->stmt_len : r->sql_len;
    mice_status rc = add_stmt(s, name ? name : "", text, len, NULL, 0, true, err);
    if (rc) pgs__position_to_chars(text, len, err);
    return rc;
}

/* EXECUTE's argument i as a value of type t: a constant, or a constant with a cast (what
 * psycopg2 and friends interpolate). */
static mice_status execute_arg(pgs_session *s, const ast_node *n, sql_type t, mice_arena *a,
                               sql_datum *out, sql_error *err)
{
    if (t.id == SQL_TYPE_INVALID || t.id == SQL_TYPE_UNKNOWN) t = sql_type_make(SQL_TYPE_TEXT, -1);
    const sql_value_ctx *vctx = settings_value_ctx(s->set);
    sql_type as = t;
    if (n->kind == AST_CAST && n->u.cast.arg->kind == AST_CONST) {
        mice_status rc = bind_type_name(n->u.cast.type, &as, err);
        if (rc) return rc;
        n = n->u.cast.arg;
    }
    if (n->kind != AST_CONST)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "EXECUTE parameters other than constants are not supported yet");
    const ast_const *c = &n->u.konst;
    if (c->ck == AST_CONST_NULL) {
        *out = datum_null(t.id);
        return MICE_OK;
    }
    const char *text = c->ck == AST_CONST_BOOL ? (c->bval ? "true" : "false") : c->text;
    sql_datum v;
    mice_status rc = value_from_text(as, mice_slice_str(text), vctx, a, &v, err);
    if (rc || as.id == t.id) {
        *out = v;
        return rc;
    }
    return datum_cast(&v, t, SQL_CAST_ASSIGNMENT, vctx, a, out, err);
}

mice_status pgs__sql_execute(pgs_session *s, pgs_run *r, sql_error *err)
{
    const ast_execute *ex = &r->ast->u.execute;
    pgs_stmt *st = find_stmt(s, ex->name ? ex->name : "");
    if (!st || !ex->name)
        return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                          "prepared statement \"%s\" does not exist", ex->name ? ex->name : "");
    if (ex->params.n != st->shape.n_params) {
        sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR,
                   "wrong number of parameters for prepared statement \"%s\"", st->name);
        sqlerr_detail(err, "Expected %u parameters but got %u.", st->shape.n_params, ex->params.n);
        return MICE_INVALID;
    }
    if (!st->ast) return MICE_OK;
    sql_datum *params = ARENA_NEW_ARRAY(r->arena, sql_datum, ex->params.n ? ex->params.n : 1);
    if (!params) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < ex->params.n; i++) {
        mice_status rc =
            execute_arg(s, ex->params.items[i], st->shape.param_types[i], r->arena, &params[i], err);
        if (rc) return rc;
    }
    st->refs++; /* a DEALLOCATE cannot run meanwhile, but the statement outlives this run */
    pgs_run e = *r;
    e.ast = st->ast;
    e.sql = e.stmt_text = st->sql;
    e.sql_len = e.stmt_len = st->sql_len;
    e.prepared = st->shape.prepared;
    e.params = params;
    e.n_params = st->shape.n_params;
    mice_status rc = pgs__run_statement(s, &e, err);
    if (rc == MICE_OK) snprintf(r->tag, sizeof r->tag, "%s", e.tag);
    stmt_unref(st);
    return rc;
}

/* ---------------------------------------------------------------- Bind */

static mice_status decode_param(pgs_session *s, const pgw_bind_msg *m, size_t i, sql_type t,
                                mice_arena *a, sql_datum *out, sql_error *err)
{
    if (t.id == SQL_TYPE_INVALID || t.id == SQL_TYPE_UNKNOWN) t = sql_type_make(SQL_TYPE_TEXT, -1);
    if (m->params[i].is_null) {
        *out = datum_null(t.id);
        return MICE_OK;
    }
    const sql_value_ctx *vctx = settings_value_ctx(s->set);
    if (pgw_bind_param_format(m, i) == 1)
        return value_recv(t, m->params[i].data, vctx, a, out, err);
    return value_from_text(t, m->params[i].data, vctx, a, out, err);
}

static mice_status bind_values(pgs_session *s, pgs_portal *p, const pgw_bind_msg *m, sql_error *err)
{
    const pgs_shape *sh = &p->stmt->shape;
    p->params = ARENA_NEW_ARRAY(p->arena, sql_datum, sh->n_params ? sh->n_params : 1);
    for (size_t i = 0; i < m->n_params; i++) {
        mice_status rc = decode_param(s, m, i, sh->param_types[i], p->arena, &p->params[i], err);
        if (rc) return rc;
    }
    p->formats = ARENA_NEW_ARRAY(p->arena, int16_t, sh->n_cols ? sh->n_cols : 1);
    for (uint32_t c = 0; c < sh->n_cols; c++) {
        mice_err me;
        mice_err_clear(&me);
        if (pgw_bind_result_format(m, sh->n_cols, c, &p->formats[c], &me))
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_PROTOCOL_VIOLATION, "%s",
                              mice_err_msg(&me));
    }
    return MICE_OK;
}

mice_status pgs__bind(void *ctx, void *session, const pgw_bind_msg *m, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    pgs__drop_stale_portals(s);
    pgs_stmt *st = find_stmt(s, m->stmt_name);
    if (!st && !m->stmt_name[0])
        return fail(s, sink, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                    "unnamed prepared statement does not exist%s", "");
    if (!st)
        return fail(s, sink, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                    "prepared statement \"%s\" does not exist", m->stmt_name);
    if (s->block == PGS_FAILED && !ends_block(st->ast)) return fail_aborted(s, sink);
    pgs_portal *old = find_portal(s, m->portal_name);
    if (old && m->portal_name[0])
        return fail(s, sink, SQLSTATE_DUPLICATE_CURSOR, "portal \"%s\" already exists",
                    m->portal_name);
    if (old) drop_portal(s, old);
    sql_error err;
    sqlerr_clear(&err);
    if (m->n_params != st->shape.n_params) {
        sqlerr_set(
            &err, MICE_INVALID, SQLSTATE_PROTOCOL_VIOLATION,
            "bind message supplies %zu parameters, but prepared statement \"%s\" requires %u",
            m->n_params, st->name, st->shape.n_params);
        return send_sql_error(s, sink, MICE_INVALID, &err);
    }
    mice_arena *a = arena_create(NULL, "portal", PGS_STMT_ARENA_BYTES);
    pgs_portal *p = ARENA_NEW(a, pgs_portal);
    p->arena = a;
    p->name = arena_strdup(a, m->portal_name);
    p->stmt = st;
    st->refs++;
    mice_status rc = bind_values(s, p, m, &err);
    if (rc) {
        arena_destroy(a);
        stmt_unref(st);
        return send_sql_error(s, sink, rc, &err);
    }
    p->next = s->portals;
    s->portals = p;
    return MICE_OK;
}

/* ---------------------------------------------------------------- Describe */

static mice_status describe_rows(const pgs_shape *sh, const int16_t *formats, pgb_sink *sink)
{
    if (!sh->returns_rows) return pgb_sink_no_data(sink);
    pgw_field *f = calloc(sh->n_cols ? sh->n_cols : 1, sizeof *f);
    mice_assert(f != NULL);
    for (uint32_t i = 0; i < sh->n_cols; i++)
        pgs__field(&sh->cols[i], formats ? formats[i] : 0, &f[i]);
    mice_status rc = pgb_sink_columns(sink, f, sh->n_cols);
    free(f);
    return rc;
}

mice_status pgs__describe_statement(void *ctx, void *session, const char *name, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    pgs_stmt *st = find_stmt(s, name);
    if (!st && !name[0])
        return fail(s, sink, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                    "unnamed prepared statement does not exist%s", "");
    if (!st)
        return fail(s, sink, SQLSTATE_INVALID_SQL_STATEMENT_NAME,
                    "prepared statement \"%s\" does not exist", name);
    const pgs_shape *sh = &st->shape;
    pgw_oid_t *oids = calloc(sh->n_params ? sh->n_params : 1, sizeof *oids);
    mice_assert(oids != NULL);
    for (uint32_t i = 0; i < sh->n_params; i++)
        oids[i] = (pgw_oid_t)sh->param_types[i].id;
    mice_status rc = pgb_sink_parameter_description(sink, oids, sh->n_params);
    free(oids);
    if (rc) return rc;
    return describe_rows(sh, NULL, sink);
}

mice_status pgs__describe_portal(void *ctx, void *session, const char *name, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    pgs_portal *p = find_portal(s, name);
    if (!p)
        return fail(s, sink, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist", name);
    return describe_rows(&p->stmt->shape, p->formats, sink);
}

/* ---------------------------------------------------------------- Execute */

typedef struct row_keep {
    row_send rs;
    pgs_portal *p;
} row_keep;

/* Keep an encoded row in the portal for a later Execute. */
static mice_status keep_row(void *ctx, const sql_datum *row, uint32_t n)
{
    row_keep *k = ctx;
    mice_status rc = pgs__encode_row(&k->rs.out, row, n, k->rs.err);
    if (rc) return rc;
    pgs_portal *p = k->p;
    if (p->n_rows == p->rows_cap) {
        uint32_t cap = p->rows_cap ? p->rows_cap * 2 : 64;
        pgw_value **rows = ARENA_NEW_ARRAY(p->arena, pgw_value *, cap);
        if (!rows) return sqlerr_nomem(k->rs.err);
        if (p->n_rows) memcpy(rows, p->rows, p->n_rows * sizeof *rows);
        p->rows = rows;
        p->rows_cap = cap;
    }
    pgw_value *v = ARENA_NEW_ARRAY(p->arena, pgw_value, n ? n : 1);
    if (!v) return sqlerr_nomem(k->rs.err);
    for (uint32_t i = 0; i < n; i++) {
        v[i].is_null = k->rs.out.vals[i].is_null;
        if (!v[i].is_null) v[i].data = arena_slice_dup(p->arena, k->rs.out.vals[i].data);
    }
    p->rows[p->n_rows++] = v;
    return MICE_OK;
}

/* Run the portal's statement: stream the rows (keep false) or keep them in the portal. */
static mice_status run_portal(pgs_session *s, pgs_portal *p, bool keep, pgb_sink *sink,
                              sql_error *err)
{
    row_keep k = {.rs = {.err = err}, .p = p};
    pgs__row_out_init(&k.rs.out, s, sink, p->formats);
    pgs_run r = {.ast = p->stmt->ast,
                 .sql = p->stmt->sql,
                 .sql_len = p->stmt->sql_len,
                 .stmt_text = p->stmt->sql,
                 .stmt_len = p->stmt->sql_len,
                 .prepared = p->stmt->shape.prepared,
                 .params = p->params,
                 .n_params = p->stmt->shape.n_params,
                 .arena = arena_create(NULL, "exec", PGS_STMT_ARENA_BYTES),
                 .row_fn = keep ? keep_row : pgs__send_row,
                 .ctx = &k,
                 .sink = sink};
    mice_status rc = pgs__run_statement(s, &r, err);
    pgs__row_out_deinit(&k.rs.out);
    arena_destroy(r.arena);
    if (rc == MICE_OK) snprintf(p->tag, sizeof p->tag, "%s", r.tag);
    return rc;
}

/* Send kept rows, at most max_rows (0: all). */
static mice_status send_kept(pgs_portal *p, int32_t max_rows, pgb_sink *sink, bool *suspended)
{
    uint32_t n_cols = p->stmt->shape.n_cols, sent = 0;
    while (p->next_row < p->n_rows && (max_rows <= 0 || sent < (uint32_t)max_rows)) {
        mice_status rc = pgb_sink_row(sink, p->rows[p->next_row++], n_cols);
        if (rc) return rc;
        sent++;
    }
    if (max_rows > 0 && sent == (uint32_t)max_rows) { /* as PostgreSQL: even at the end */
        *suspended = true;
        return MICE_OK;
    }
    p->done = true;
    if (!strncmp(p->tag, "SELECT ", 7)) snprintf(p->tag, sizeof p->tag, "SELECT %u", sent);
    return pgb_sink_command_complete(sink, p->tag);
}

static mice_status execute_first(pgs_session *s, pgs_portal *p, int32_t max_rows, pgb_sink *sink,
                                 bool *suspended);

mice_status pgs__execute(void *ctx, void *session, const char *portal, int32_t max_rows,
                         pgb_sink *sink, bool *suspended)
{
    (void)ctx;
    pgs_session *s = session;
    atomic_store(&s->cancel, false);
    pgs_portal *p = find_portal(s, portal);
    if (!p)
        return fail(s, sink, SQLSTATE_INVALID_CURSOR_NAME, "portal \"%s\" does not exist", portal);
    if (!p->stmt->ast) return pgb_sink_empty_query(sink);
    if (s->block == PGS_FAILED && !ends_block(p->stmt->ast)) return fail_aborted(s, sink);
    if (p->started) return send_kept(p, max_rows, sink, suspended);
    mice_status rc = execute_first(s, p, max_rows, sink, suspended);
    pgs__drop_stale_portals(s);
    return rc;
}

static mice_status execute_first(pgs_session *s, pgs_portal *p, int32_t max_rows, pgb_sink *sink,
                                 bool *suspended)
{
    p->started = true;
    bool keep = max_rows > 0 && p->stmt->shape.returns_rows;
    sql_error err;
    sqlerr_clear(&err);
    mice_status rc = run_portal(s, p, keep, sink, &err);
    if (rc) return send_sql_error(s, sink, rc, &err);
    if (s->copy) return MICE_OK; /* COPY goes on in copy_data/copy_done */
    if (keep) return send_kept(p, max_rows, sink, suspended);
    p->done = true;
    rc = pgb_sink_command_complete(sink, p->tag);
    if (rc == MICE_OK) pgs__report_settings(s, sink);
    return rc;
}

/* ---------------------------------------------------------------- Close, Sync */

mice_status pgs__close(void *ctx, void *session, char kind, const char *name, pgb_sink *sink)
{
    (void)ctx, (void)sink;
    pgs_session *s = session;
    if (kind == 'S') {
        pgs_stmt *st = find_stmt(s, name);
        if (st) drop_stmt(s, st);
    } else {
        pgs_portal *p = find_portal(s, name);
        if (p) drop_portal(s, p);
    }
    return MICE_OK;
}

mice_status pgs__sync(void *ctx, void *session, bool after_error, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    sql_error err;
    sqlerr_clear(&err);
    if (after_error) pgs__statement_failed(s);
    mice_status rc = pgs__end_implicit(s, true, &err);
    pgs__drop_stale_portals(s);
    if (rc) return pgs__answer_error(sink, rc, &err);
    pgs__report_settings(s, sink);
    return MICE_OK;
}
