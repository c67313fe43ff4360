/*
 * engine.h - the SQL engine of one node: what the PostgreSQL session calls to run a
 * statement. No networking here.
 *
 * sql_exec_stmt runs one parsed statement (parse.h) inside the caller's transaction:
 * SELECT, INSERT/UPDATE/DELETE (RETURNING, ON CONFLICT), EXPLAIN, CREATE TABLE [IF NOT
 * EXISTS], DROP TABLE [IF EXISTS], CREATE [UNIQUE] INDEX (backfilled), DROP INDEX,
 * TRUNCATE. Rows go to the sink as datums (the session renders them with value_io.h);
 * the command tag comes back exactly as PostgreSQL writes it ("SELECT 3", "INSERT 0 2",
 * "UPDATE 1", "DELETE 0", "CREATE TABLE", ...). Each statement runs through
 * txn_run_statement, so a READ COMMITTED write conflict (MICE_AGAIN) re-runs it from the
 * start; rows of a DML statement are sent only after it succeeded, and a SELECT never
 * restarts (it does not write). Transaction control, SET/SHOW and the protocol are the
 * session's job. After an error the transaction must be treated as failed and rolled back,
 * as PostgreSQL does: the failed statement's earlier writes are still in it (the txn layer
 * has already aborted it for txn errors such as 40001, see txn.h).
 *
 * Extended protocol: sql_prepare binds once to report the parameter types (inferred from
 * context: `WHERE id = $1` makes $1 the column's type; unconstrained ones are text) and
 * the result columns; sql_exec_prepared runs it with parameter datums of those types.
 *
 * Memory: each statement gets an arena with the session's work_mem budget (53200 when a
 * sort or hash table exceeds it), freed when the statement ends. The cancel flag is
 * checked between batches (57014).
 *
 * Owns: an engine borrows the txn_db, catalog and env (they outlive it).
 * Thread safety: an engine is shared by all sessions; a session and its txn belong to
 * one thread at a time.
 */
#ifndef MICE_SQL_ENGINE_H
#define MICE_SQL_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/datum.h"
#include "sql/sqlerr.h"

enum {
    SQL_WORK_MEM_BYTES_DEFAULT = 64u << 20,
    SQL_COMMAND_TAG_MAX = 64,
};

typedef struct sql_engine sql_engine;

/* Per-session state the engine reads (the session owns and updates it). */
typedef struct sql_session {
    uint32_t database_id;
    const char *database;                   /* current_database() */
    const char *user;                       /* current_user */
    const catalog_search_path *search_path; /* NULL = "$user", public */
    sql_value_ctx vctx;                     /* TimeZone, extra_float_digits, statement time */
    sql_timestamp txn_start;                /* now() */
    size_t work_mem_bytes;                  /* 0 = SQL_WORK_MEM_BYTES_DEFAULT */
    const atomic_bool *cancel;              /* NULL = not cancellable */
    /* The session's catalog view for the current txn (catalog_txn_init'ed by the session at
     * BEGIN); NULL: one per statement. Needed so a txn that wrote DDL keeps bypassing the
     * catalog cache in its later statements. */
    catalog_txn *ct;
    /* The session's settings for current_setting() / set_config(); NULL: they fail. */
    struct settings *settings;
} sql_session;

typedef struct sql_column {
    const char *name;
    sql_type type;
} sql_column;

/* Where result rows go. columns is called once before the first row of a statement that
 * returns rows (also when there are none); a non-OK return stops the statement. Values
 * are borrowed for the duration of the call. */
typedef struct sql_result_sink {
    void *ctx;
    mice_status (*columns)(void *ctx, const sql_column *cols, uint32_t n);
    mice_status (*row)(void *ctx, const sql_datum *values, uint32_t n);
    /* A NOTICE of a successful statement (sqlstate, message, ...; code MICE_OK), such as
     * `relation "t" already exists, skipping`; NULL drops notices. */
    mice_status (*notice)(void *ctx, const sql_error *notice);
} sql_result_sink;

typedef struct sql_exec_result {
    char command_tag[SQL_COMMAND_TAG_MAX];
    uint64_t rows; /* rows returned or affected */
    bool returns_rows;
} sql_exec_result;

sql_engine *sql_engine_create(txn_db *db, catalog *cat, const mice_env *env);
void sql_engine_destroy(sql_engine *e); /* NULL is ignored */

/* Run one statement in t. params[i] is $i+1. */
mice_status sql_exec_stmt(sql_engine *e, const sql_session *s, txn *t, const ast_node *stmt,
                          const sql_datum *params, uint32_t n_params, const sql_result_sink *sink,
                          sql_exec_result *res, sql_error *err);

typedef struct sql_prepared {
    const ast_node *stmt; /* borrowed: must outlive the prepared statement */
    uint32_t n_params;
    sql_type *param_types; /* in the arena given to sql_prepare */
    uint32_t n_cols;       /* result columns; 0 when the statement returns no rows */
    sql_column *cols;
    bool returns_rows;
} sql_prepared;

/* Bind stmt without running it. param_hints (n_hints of them, id 0 = unspecified) are
 * the types the client declared in Parse. */
mice_status sql_prepare(sql_engine *e, const sql_session *s, txn *t, const ast_node *stmt,
                        const sql_type *param_hints, uint32_t n_hints, mice_arena *arena,
                        sql_prepared *out, sql_error *err);
mice_status sql_exec_prepared(sql_engine *e, const sql_session *s, txn *t, const sql_prepared *p,
                              const sql_datum *params, uint32_t n_params,
                              const sql_result_sink *sink, sql_exec_result *res, sql_error *err);

#endif
