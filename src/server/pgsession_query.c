/*
 * pgsession_query.c - the session's lifecycle, the simple Query protocol and the vtab.
 *
 * A simple Query string is parsed once; its statements run in order, and the first error
 * stops the rest (PostgreSQL). Without transaction control in the string, several
 * statements share one implicit transaction committed after the last one, so an error
 * anywhere rolls back everything before it; a string with BEGIN/COMMIT runs each statement
 * outside a block in its own implicit transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "server/pgsession_int.h"
#include "sql/parse.h"

#define SQLSTATE_UNDEFINED_DATABASE "3D000"
#define SQLSTATE_INVALID_AUTHORIZATION "28000"

/* ---------------------------------------------------------------- catalog reads */

typedef struct who {
    uint32_t user_id, database_id;
    bool superuser, login;
    const char *password;
} who;

/* Read the user (and the database when not NULL) in a short read-only transaction. */
static mice_status read_identity(pgsession_backend *b, const char *user, const char *database,
                                 mice_arena *a, who *out, sql_error *err)
{
    txn *t = txn_begin(b->db, TXN_READ_COMMITTED);
    catalog_txn ct;
    catalog_txn_init(&ct, b->cat, t);
    mice_status rc = catalog_statement_begin(&ct, err);
    catalog_user *u = NULL;
    if (rc == MICE_OK) rc = catalog_get_user(&ct, user, a, &u, err);
    if (rc == MICE_NOTFOUND) {
        sqlerr_set(err, rc, SQLSTATE_INVALID_AUTHORIZATION, "role \"%s\" does not exist", user);
        database = NULL;
    }
    if (rc == MICE_OK) {
        out->user_id = u->id;
        out->superuser = u->superuser;
        out->login = u->login;
        out->password = u->password;
    }
    catalog_desc *d = NULL;
    if (rc == MICE_OK && database) rc = catalog_find_database(&ct, database, a, &d, err);
    if (rc == MICE_NOTFOUND && database)
        sqlerr_set(err, rc, SQLSTATE_UNDEFINED_DATABASE, "database \"%s\" does not exist", database);
    if (rc == MICE_OK && d) out->database_id = d->id;
    mice_err me;
    txn_rollback(t, &me);
    txn_destroy(t);
    return rc;
}

static mice_status lookup_verifier(void *ctx, const char *user, mice_buf *verifier)
{
    pgsession_backend *b = ctx;
    mice_arena *a = arena_create(NULL, "verifier", 1u << 20);
    who w = {0};
    sql_error err;
    sqlerr_clear(&err);
    mice_status rc = read_identity(b, user, NULL, a, &w, &err);
    if (rc == MICE_OK && (!w.password || !w.password[0])) rc = MICE_NOTFOUND;
    if (rc == MICE_OK) buf_append_str(verifier, w.password);
    arena_destroy(a);
    return rc == MICE_OK ? MICE_OK : rc == MICE_NOTFOUND ? MICE_NOTFOUND : rc;
}

/* ---------------------------------------------------------------- sessions */

static mice_status apply_startup(pgs_session *s, const pgw_startup_info *info, sql_error *err)
{
    settings_param *ps = ARENA_NEW_ARRAY(s->arena, settings_param, info->n_params + 1);
    mice_assert(ps != NULL);
    size_t n = 0;
    for (size_t i = 0; i < info->n_params; i++)
        ps[n++] = (settings_param){info->params[i].name, info->params[i].value};
    return settings_apply_startup(s->set, ps, n, err);
}

static void session_free(pgs_session *s)
{
    pgs__copy_free(s);
    pgs__drop_all(s, true);
    if (s->t) txn_destroy(s->t);
    settings_destroy(s->set);
    buf_deinit(&s->savepoints);
    arena_destroy(s->arena);
    free(s);
}

static mice_status session_create(void *ctx, const pgw_startup_info *info, pgb_sink *sink,
                                  void **session)
{
    pgsession_backend *b = ctx;
    *session = NULL;
    pgs_session *s = calloc(1, sizeof *s);
    mice_assert(s != NULL);
    s->be = b;
    s->arena = arena_create(NULL, "session", 0);
    atomic_init(&s->cancel, false);
    atomic_init(&s->timed_out, false);
    buf_init(&s->savepoints);
    const char *db = info->database && info->database[0] ? info->database : info->user;
    s->user = arena_strdup(s->arena, info->user ? info->user : "");
    s->database = arena_strdup(s->arena, db ? db : "");
    sql_error err;
    sqlerr_clear(&err);
    who w = {0};
    mice_status rc = read_identity(b, s->user, s->database, s->arena, &w, &err);
    if (rc == MICE_OK && !w.login) /* CREATE ROLE without LOGIN (PostgreSQL's message) */
        rc = sqlerr_set(&err, MICE_INVALID, SQLSTATE_INVALID_AUTHORIZATION,
                        "role \"%s\" is not permitted to log in", s->user);
    if (rc == MICE_OK) {
        s->user_id = w.user_id;
        s->database_id = w.database_id;
        s->superuser = w.superuser;
        settings_init si = {.session_user = s->user, .is_superuser = w.superuser,
                            .zoneinfo_dir = b->zoneinfo_dir};
        rc = settings_create(&si, &s->set, &err);
    }
    if (rc == MICE_OK) rc = apply_startup(s, info, &err);
    if (rc) {
        if (!err.sqlstate[0] || !strcmp(err.sqlstate, SQLSTATE_SUCCESS))
            sqlerr_set(&err, rc, SQLSTATE_INTERNAL_ERROR, "%s", mice_status_str(rc));
        pgs__send_error(sink, &err, "FATAL");
        session_free(s);
        return rc;
    }
    pgs__report_settings(s, sink);
    *session = s;
    return MICE_OK;
}

static void session_destroy(void *ctx, void *session)
{
    (void)ctx;
    if (session) session_free(session);
}

/* ---------------------------------------------------------------- simple query */

static bool has_txn_control(const sql_parse_result *p)
{
    for (uint32_t i = 0; i < p->n_stmts; i++)
        if (pgs__is_txn_control(p->stmts[i].stmt)) return true;
    return false;
}

/* Run the parsed statements; MICE_OK when every one succeeded. */
static mice_status run_statements(pgs_session *s, const char *sql, size_t sql_len,
                                  const sql_parse_result *p, pgb_sink *sink, sql_error *err)
{
    bool one_txn = p->n_stmts > 1 && !has_txn_control(p);
    for (uint32_t i = 0; i < p->n_stmts; i++) {
        if (p->stmts[i].stmt->kind == AST_COPY && i + 1 < p->n_stmts)
            return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "COPY must be the last statement of a query string");
        row_send rs = {.err = err};
        pgs__row_out_init(&rs.out, s, sink, NULL);
        pgs_run r = {.ast = p->stmts[i].stmt, .sql = sql, .sql_len = sql_len,
                     .stmt_text = sql + p->stmts[i].offset, .stmt_len = p->stmts[i].len,
                     .arena = arena_create(NULL, "stmt", PGS_STMT_ARENA_BYTES),
                     .cols_fn = pgs__send_cols, .row_fn = pgs__send_row, .ctx = &rs, .sink = sink};
        sqlerr_clear(err);
        mice_status rc = pgs__run_statement(s, &r, err);
        pgs__row_out_deinit(&rs.out);
        arena_destroy(r.arena);
        if (rc == MICE_OK && s->copy) return MICE_OK; /* COPY goes on in copy_data/done */
        if (rc == MICE_OK && !one_txn) rc = pgs__end_implicit(s, true, err);
        if (rc) return rc;
        if ((rc = pgb_sink_command_complete(sink, r.tag))) return rc;
    }
    if (one_txn) return pgs__end_implicit(s, true, err);
    return MICE_OK;
}

static mice_status query(void *ctx, void *session, const char *sql, size_t sql_len, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    atomic_store(&s->cancel, false);
    mice_arena *a = arena_create(NULL, "query", PGS_STMT_ARENA_BYTES);
    sql_parse_result p;
    sql_error err;
    sqlerr_clear(&err);
    mice_status rc = sql_parse(a, sql, sql_len, &p, &err);
    if (rc == MICE_OK && p.n_stmts == 0) {
        rc = pgb_sink_empty_query(sink);
    } else if (rc == MICE_OK) {
        rc = run_statements(s, sql, sql_len, &p, sink, &err);
    }
    if (rc) {
        pgs__statement_failed(s);
        rc = pgs__answer_error(sink, rc, &err);
    }
    arena_destroy(a);
    pgs__drop_stale_portals(s);
    if (rc == MICE_OK) pgs__report_settings(s, sink);
    return rc;
}

/* ---------------------------------------------------------------- the rest of the vtab */

static char txn_status(void *ctx, void *session)
{
    (void)ctx;
    pgs_session *s = session;
    switch (s->block) {
    case PGS_BLOCK: return 'T';
    case PGS_FAILED: return 'E';
    default: return 'I';
    }
}

static void cancel(void *ctx, void *session)
{
    (void)ctx;
    pgs_session *s = session;
    atomic_store(&s->cancel, true);
}

static const pgb_backend_vtab vtab = {
    .session_create = session_create,
    .session_destroy = session_destroy,
    .lookup_verifier = lookup_verifier,
    .query = query,
    .parse = pgs__parse,
    .bind = pgs__bind,
    .describe_statement = pgs__describe_statement,
    .describe_portal = pgs__describe_portal,
    .execute = pgs__execute,
    .close = pgs__close,
    .sync = pgs__sync,
    .txn_status = txn_status,
    .cancel = cancel,
    .copy_data = pgs__copy_data,
    .copy_done = pgs__copy_done,
    .copy_fail = pgs__copy_fail,
};

const pgb_backend_vtab *pgsession_vtab(void)
{
    return &vtab;
}
