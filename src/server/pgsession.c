/*
 * pgsession.c - sessions, transaction control, SET/SHOW and the simple Query protocol.
 *
 * The transaction state machine (pgs_block) mirrors PostgreSQL's TBLOCK states closely
 * enough for clients: IDLE, IMPLICIT (a transaction nobody opened by name), BLOCK and
 * FAILED. The KV transaction is begun lazily by pgs__txn_for_query, so a block that only
 * runs SET costs nothing and its isolation level can still change until the first query.
 */
#include "server/pgsession.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "server/pgsession_int.h"
#include "sql/parse.h"
#include "sql/types.h"
#include "sql/value_io.h"

#define SQLSTATE_IN_FAILED_SQL_TRANSACTION "25P02"
#define SQLSTATE_QUERY_CANCELED "57014"
#define SQLSTATE_UNDEFINED_DATABASE "3D000"
#define SQLSTATE_INVALID_AUTHORIZATION "28000"

/* ---------------------------------------------------------------- statement_timeout */

static void *watchdog_main(void *arg)
{
    pgsession_backend *b = arg;
    pgs_watchdog *wd = &b->wd;
    pthread_mutex_lock(&wd->mu);
    while (!wd->stop) {
        if (!wd->armed) {
            pthread_cond_wait(&wd->cv, &wd->mu);
            continue;
        }
        uint64_t now = env_mono_ns(b->env);
        for (pgs_session **pp = &wd->armed; *pp;) {
            pgs_session *s = *pp;
            if (s->deadline_ns > now) {
                pp = &s->watch_next;
                continue;
            }
            atomic_store(&s->timed_out, true);
            atomic_store(&s->cancel, true);
            *pp = s->watch_next;
        }
        pthread_mutex_unlock(&wd->mu);
        env_sleep_ns(b->env, PGS_WATCHDOG_TICK_NS);
        pthread_mutex_lock(&wd->mu);
    }
    pthread_mutex_unlock(&wd->mu);
    return NULL;
}

static void watchdog_arm(pgs_session *s, uint64_t timeout_ms)
{
    pgs_watchdog *wd = &s->be->wd;
    atomic_store(&s->timed_out, false);
    pthread_mutex_lock(&wd->mu);
    s->deadline_ns = env_mono_ns(s->be->env) + timeout_ms * 1000000u;
    s->watch_next = wd->armed;
    wd->armed = s;
    pthread_cond_signal(&wd->cv);
    pthread_mutex_unlock(&wd->mu);
}

static void watchdog_disarm(pgs_session *s)
{
    pgs_watchdog *wd = &s->be->wd;
    pthread_mutex_lock(&wd->mu);
    for (pgs_session **pp = &wd->armed; *pp; pp = &(*pp)->watch_next) {
        if (*pp == s) {
            *pp = s->watch_next;
            break;
        }
    }
    s->deadline_ns = 0;
    pthread_mutex_unlock(&wd->mu);
}

/* ---------------------------------------------------------------- backend */

mice_status pgsession_backend_create(const pgsession_config *cfg, pgsession_backend **out,
                                     mice_err *err)
{
    *out = NULL;
    if (!cfg->db || !cfg->cat || !cfg->engine)
        return mice_err_setf(err, MICE_INVALID, "pgsession: no db, catalog or engine");
    pgsession_backend *b = calloc(1, sizeof *b);
    mice_assert(b != NULL);
    b->db = cfg->db;
    b->cat = cfg->cat;
    b->engine = cfg->engine;
    b->env = cfg->env ? cfg->env : mice_env_real();
    b->node_id = cfg->node_id;
    b->zoneinfo_dir = cfg->zoneinfo_dir;
    pthread_mutex_init(&b->wd.mu, NULL);
    pthread_cond_init(&b->wd.cv, NULL);
    if (pthread_create(&b->wd.thread, NULL, watchdog_main, b) != 0) {
        pthread_cond_destroy(&b->wd.cv);
        pthread_mutex_destroy(&b->wd.mu);
        free(b);
        return mice_err_setf(err, MICE_IOERR, "pgsession: cannot start the timeout watchdog");
    }
    *out = b;
    return MICE_OK;
}

void pgsession_backend_destroy(pgsession_backend *b)
{
    if (!b) return;
    pthread_mutex_lock(&b->wd.mu);
    b->wd.stop = true;
    pthread_cond_signal(&b->wd.cv);
    pthread_mutex_unlock(&b->wd.mu);
    pthread_join(b->wd.thread, NULL);
    pthread_cond_destroy(&b->wd.cv);
    pthread_mutex_destroy(&b->wd.mu);
    free(b);
}

/* ---------------------------------------------------------------- errors */

mice_status pgs__send_error(pgb_sink *sink, const sql_error *e, const char *severity)
{
    pgb_error pe = {0};
    pe.severity = severity;
    pe.sqlstate = e->sqlstate[0] ? e->sqlstate : SQLSTATE_INTERNAL_ERROR;
    pe.message = e->message[0] ? e->message : mice_status_str(e->code);
    pe.detail = e->detail[0] ? e->detail : NULL;
    pe.hint = e->hint[0] ? e->hint : NULL;
    pe.position = e->position;
    pe.schema_name = e->schema_name[0] ? e->schema_name : NULL;
    pe.table_name = e->table_name[0] ? e->table_name : NULL;
    pe.column_name = e->column_name[0] ? e->column_name : NULL;
    pe.datatype_name = e->datatype_name[0] ? e->datatype_name : NULL;
    pe.constraint_name = e->constraint_name[0] ? e->constraint_name : NULL;
    if (!strcmp(severity, "ERROR") || !strcmp(severity, "FATAL")) return pgb_sink_error(sink, &pe);
    return pgb_sink_notice(sink, &pe);
}

static mice_status send_warning(pgb_sink *sink, const char *sqlstate, const char *msg)
{
    pgb_error pe = {.severity = "WARNING", .sqlstate = sqlstate, .message = msg};
    return pgb_sink_notice(sink, &pe);
}

mice_status pgs__check_interrupt(pgs_session *s, sql_error *err)
{
    if (!atomic_load(&s->cancel)) return MICE_OK;
    if (atomic_load(&s->timed_out))
        return sqlerr_set(err, MICE_TIMEOUT, SQLSTATE_QUERY_CANCELED,
                          "canceling statement due to statement timeout");
    return sqlerr_set(err, MICE_ABORTED, SQLSTATE_QUERY_CANCELED,
                      "canceling statement due to user request");
}

/* ---------------------------------------------------------------- values */

void pgs__position_to_chars(const char *sql, size_t len, sql_error *err)
{
    if (err->position <= 0 || !sql) return;
    size_t end = (size_t)err->position - 1 < len ? (size_t)err->position - 1 : len;
    int32_t chars = 1;
    for (size_t i = 0; i < end; i++)
        if (((uint8_t)sql[i] & 0xc0) != 0x80) chars++; /* not a UTF-8 continuation byte */
    err->position = chars;
}

sql_timestamp pgs__now(const pgs_session *s)
{
    const int64_t unix_to_pg_us = (int64_t)SQL_UNIX_EPOCH_DAYS * 86400 * 1000000;
    return (sql_timestamp)(env_wall_ns(s->be->env) / 1000) - unix_to_pg_us;
}

void pgs__field(const pgs_col *c, int16_t format, pgw_field *out)
{
    const sql_type_info *ti = sql_type_info_of(c->type.id);
    out->name = c->name ? c->name : "?column?";
    out->table_oid = (pgw_oid_t)c->table_oid;
    out->attnum = c->attnum;
    out->type_oid = (pgw_oid_t)c->type.id;
    out->typlen = ti ? ti->typlen : -1;
    out->typmod = c->type.typmod;
    out->format = format;
}

mice_status pgs__encode(pgs_session *s, const sql_datum *d, int16_t format, mice_buf *out,
                        sql_error *err)
{
    if (format == 1) return value_send(d, out, err);
    return value_to_text(d, settings_value_ctx(s->set), out, err);
}

static void report_one(const char *name, const char *value, void *arg)
{
    pgb_sink_parameter_status(arg, name, value);
}

void pgs__report_settings(pgs_session *s, pgb_sink *sink)
{
    settings_take_reports(s->set, report_one, sink);
}

/* ---------------------------------------------------------------- transactions */

static txn_isolation to_txn_isolation(settings_isolation i)
{
    switch (i) {
    case SETTINGS_REPEATABLE_READ: return TXN_REPEATABLE_READ;
    case SETTINGS_SERIALIZABLE: return TXN_SERIALIZABLE;
    default: return TXN_READ_COMMITTED;
    }
}

void pgs__txn_for_query(pgs_session *s)
{
    if (s->block == PGS_IDLE) s->block = PGS_IMPLICIT;
    if (s->t) return;
    settings_isolation iso = settings_default_isolation(s->set);
    if (s->block == PGS_BLOCK) {
        settings_txn_mark_query(s->set);
        iso = settings_txn_isolation(s->set);
    }
    s->t = txn_begin(s->be->db, to_txn_isolation(iso));
    s->txn_start = pgs__now(s);
    catalog_txn_init(&s->ct, s->be->cat, s->t);
    int64_t lock_ms = settings_lock_timeout_ms(s->set);
    if (lock_ms > 0) txn_set_lock_timeout(s->t, (uint64_t)lock_ms);
}

static mice_status finish_txn(pgs_session *s, bool commit, sql_error *err)
{
    mice_status rc = MICE_OK;
    if (s->t) {
        mice_err me;
        mice_err_clear(&me);
        if (commit) {
            rc = txn_commit(s->t, &me);
            if (rc) sqlerr_set(err, rc, txn_sqlstate(rc), "%s", mice_err_msg(&me));
        } else {
            txn_rollback(s->t, &me);
        }
        txn_destroy(s->t);
        s->t = NULL;
    }
    s->portals_stale = true; /* dropped when the request ends: one may be running now */
    buf_reset(&s->savepoints);
    return rc;
}

mice_status pgs__end_implicit(pgs_session *s, bool commit, sql_error *err)
{
    if (s->block != PGS_IMPLICIT) return MICE_OK;
    s->block = PGS_IDLE;
    return finish_txn(s, commit, err);
}

void pgs__statement_failed(pgs_session *s)
{
    if (s->block == PGS_BLOCK || s->block == PGS_FAILED) {
        s->block = PGS_FAILED;
        if (s->t) { /* release locks now; the block stays failed until ROLLBACK */
            mice_err me;
            txn_rollback(s->t, &me);
        }
        return;
    }
    sql_error ignored;
    pgs__end_implicit(s, false, &ignored);
}

bool pgs__is_txn_control(const ast_node *n)
{
    return n && n->kind == AST_TRANSACTION;
}

static mice_status apply_txn_options(pgs_session *s, const ast_list *opts, sql_error *err)
{
    for (uint32_t i = 0; i < opts->n; i++) {
        const ast_node *o = opts->items[i];
        if (o->kind != AST_DEF_ELEM || !o->u.def_elem.arg) continue;
        const ast_node *arg = o->u.def_elem.arg;
        char val[32];
        if (arg->kind == AST_CONST && arg->u.konst.ck == AST_CONST_INT)
            snprintf(val, sizeof val, "%s", arg->u.konst.ival ? "on" : "off");
        else if (arg->kind == AST_CONST && arg->u.konst.text)
            snprintf(val, sizeof val, "%s", arg->u.konst.text);
        else
            continue;
        sql_error warn;
        sqlerr_clear(&warn);
        mice_status rc = settings_set(s->set, o->u.def_elem.name, val, SETTINGS_LOCAL, &warn, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status run_begin(pgs_session *s, pgs_run *r, const ast_transaction *tx, sql_error *err)
{
    const char *tag = tx->tk == AST_TXN_START ? "START TRANSACTION" : "BEGIN";
    if (s->block == PGS_BLOCK || s->block == PGS_FAILED) {
        mice_status rc = send_warning(r->sink, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                                      "there is already a transaction in progress");
        if (rc) return rc;
    } else {
        settings_txn_begin(s->set);
        s->block = PGS_BLOCK; /* an implicit transaction becomes the block */
        if (s->t) settings_txn_mark_query(s->set);
    }
    mice_status rc = apply_txn_options(s, &tx->options, err);
    if (rc) return rc;
    snprintf(r->tag, sizeof r->tag, "%s", tag);
    return MICE_OK;
}

static mice_status run_end(pgs_session *s, pgs_run *r, bool commit, sql_error *err)
{
    snprintf(r->tag, sizeof r->tag, "%s", commit ? "COMMIT" : "ROLLBACK");
    if (s->block != PGS_BLOCK && s->block != PGS_FAILED) {
        mice_status rc = send_warning(r->sink, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                                      "there is no transaction in progress");
        if (rc) return rc;
        return pgs__end_implicit(s, commit, err);
    }
    if (s->block == PGS_FAILED) {
        commit = false;
        snprintf(r->tag, sizeof r->tag, "ROLLBACK");
    }
    s->block = PGS_IDLE;
    mice_status rc = finish_txn(s, commit, err);
    if (commit && rc == MICE_OK)
        settings_txn_commit(s->set);
    else
        settings_txn_rollback(s->set);
    return rc;
}

/* Offset of the newest savepoint called name, or -1. */
static long find_savepoint(const pgs_session *s, const char *name)
{
    long found = -1;
    for (size_t off = 0; off < s->savepoints.n;) {
        const char *sp = (const char *)s->savepoints.p + off;
        if (!strcmp(sp, name)) found = (long)off;
        off += strlen(sp) + 1;
    }
    return found;
}

/* SAVEPOINT and RELEASE keep their names; ROLLBACK TO would need the transaction layer to
 * undo part of a transaction, which it cannot yet: 0A000 rather than a wrong answer. */
static mice_status run_savepoint(pgs_session *s, pgs_run *r, const ast_transaction *tx,
                                 sql_error *err)
{
    const char *what = tx->tk == AST_TXN_SAVEPOINT ? "SAVEPOINT"
                       : tx->tk == AST_TXN_RELEASE ? "RELEASE SAVEPOINT" : "ROLLBACK TO SAVEPOINT";
    if (s->block != PGS_BLOCK)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
                          "%s can only be used in transaction blocks", what);
    const char *name = tx->savepoint ? tx->savepoint : "";
    if (tx->tk == AST_TXN_SAVEPOINT) {
        buf_append(&s->savepoints, name, strlen(name) + 1);
        snprintf(r->tag, sizeof r->tag, "SAVEPOINT");
        return MICE_OK;
    }
    long off = find_savepoint(s, name);
    if (off < 0)
        return sqlerr_set(err, MICE_NOTFOUND, "3B001", "savepoint \"%s\" does not exist", name);
    if (tx->tk == AST_TXN_ROLLBACK_TO)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "ROLLBACK TO SAVEPOINT is not supported");
    buf_truncate(&s->savepoints, (size_t)off);
    snprintf(r->tag, sizeof r->tag, "RELEASE");
    return MICE_OK;
}

static mice_status run_transaction(pgs_session *s, pgs_run *r, sql_error *err)
{
    const ast_transaction *tx = &r->ast->u.transaction;
    switch (tx->tk) {
    case AST_TXN_BEGIN:
    case AST_TXN_START: return run_begin(s, r, tx, err);
    case AST_TXN_COMMIT: return run_end(s, r, true, err);
    case AST_TXN_ROLLBACK: return run_end(s, r, false, err);
    case AST_TXN_SAVEPOINT:
    case AST_TXN_RELEASE:
    case AST_TXN_ROLLBACK_TO: return run_savepoint(s, r, tx, err);
    default:
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "prepared transactions are not supported");
    }
}

/* ---------------------------------------------------------------- SET / SHOW */

static mice_status run_settings(pgs_session *s, pgs_run *r, sql_error *err)
{
    settings_result res;
    memset(&res, 0, sizeof res);
    mice_status rc = settings_exec(s->set, r->ast, r->arena, &res, err);
    if (rc) return rc;
    if (strcmp(res.warning.sqlstate, SQLSTATE_SUCCESS) && res.warning.sqlstate[0]) {
        rc = pgs__send_error(r->sink, &res.warning, "WARNING");
        if (rc) return rc;
    }
    snprintf(r->tag, sizeof r->tag, "%s", res.tag);
    if (res.n_cols == 0) return MICE_OK;
    pgs_col cols[3];
    for (uint32_t c = 0; c < res.n_cols && c < 3; c++)
        cols[c] = (pgs_col){.name = res.col_names[c], .type = sql_type_make(SQL_TYPE_TEXT, -1)};
    if (r->cols_fn && (rc = r->cols_fn(r->ctx, cols, res.n_cols))) return rc;
    sql_datum row[3];
    for (uint32_t i = 0; i < res.n_rows; i++) {
        for (uint32_t c = 0; c < res.n_cols && c < 3; c++) {
            const char *cell = res.cells[i * res.n_cols + c];
            row[c] = cell ? datum_text(mice_slice_str(cell)) : datum_null(SQL_TYPE_TEXT);
        }
        if ((rc = r->row_fn(r->ctx, row, res.n_cols))) return rc;
    }
    return MICE_OK;
}

mice_status pgs__run_statement(pgs_session *s, pgs_run *r, sql_error *err)
{
    const ast_node *n = r->ast;
    r->tag[0] = 0;
    if (s->block == PGS_FAILED) {
        bool ends = n->kind == AST_TRANSACTION &&
                    (n->u.transaction.tk == AST_TXN_ROLLBACK || n->u.transaction.tk == AST_TXN_COMMIT);
        if (!ends)
            return sqlerr_set(err, MICE_CLOSED, SQLSTATE_IN_FAILED_SQL_TRANSACTION,
                              "current transaction is aborted, commands ignored until end of "
                              "transaction block");
    }
    if (n->kind == AST_TRANSACTION) return run_transaction(s, r, err);
    if (n->kind == AST_VACUUM && n->u.vacuum.is_vacuum && s->block != PGS_IDLE)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "VACUUM cannot run inside a transaction block");
    if (n->kind == AST_COPY) return pgs__copy_start(s, r, err);
    if (n->kind == AST_PREPARE) return pgs__sql_prepare(s, r, err);
    if (n->kind == AST_EXECUTE) return pgs__sql_execute(s, r, err);
    if (n->kind == AST_DEALLOCATE) {
        snprintf(r->tag, sizeof r->tag, "%s", n->u.deallocate.name ? "DEALLOCATE" : "DEALLOCATE ALL");
        return pgs__deallocate(s, n->u.deallocate.name, err);
    }
    if (pgs__is_role_stmt(n)) return pgs__run_role(s, r, err);
    if (n->kind == AST_VAR_SET || n->kind == AST_VAR_SHOW) {
        mice_status rc = run_settings(s, r, err);
        if (rc == MICE_OK && n->kind == AST_VAR_SHOW && !r->tag[0]) snprintf(r->tag, sizeof r->tag, "SHOW");
        return rc;
    }
    pgs__txn_for_query(s);
    int64_t timeout_ms = settings_statement_timeout_ms(s->set);
    if (timeout_ms > 0) watchdog_arm(s, (uint64_t)timeout_ms);
    mice_status rc = pgs__check_interrupt(s, err);
    if (rc == MICE_OK) rc = pgs__engine_run(s, r, err);
    if (rc) pgs__position_to_chars(r->sql, r->sql_len, err);
    if (timeout_ms > 0) watchdog_disarm(s);
    if (rc && !strcmp(err->sqlstate, SQLSTATE_QUERY_CANCELED) && atomic_load(&s->timed_out))
        snprintf(err->message, sizeof err->message, "canceling statement due to statement timeout");
    atomic_store(&s->timed_out, false);
    return rc;
}
