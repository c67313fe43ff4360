/*
 * exec.h - the executor: plan trees (plan.h) as pull-based operators over row batches.
 *
 * exec_open builds one operator per plan node; exec_next returns the next batch of rows
 * (n_rows == 0 at the end); exec_close releases scans. Operators read through txn.h
 * (txn_scan over key spans, txn_get for index lookups) and rowenc.h, and DML operators
 * write through txn_put/txn_delete, maintaining every index and checking NOT NULL,
 * CHECK and uniqueness (by reading the unique key first, in the same txn) with
 * PostgreSQL's SQLSTATEs and messages (23502, 23514, 23505 with DETAIL). DML operators
 * read their whole input before writing (so a statement never sees its own writes) and
 * then return their RETURNING rows; exec_rows_affected gives the command tag count.
 *
 * Memory: everything comes from env->stmt, whose byte budget is work_mem: a sort, hash
 * table or join input that would exceed it fails with 53200. A batch is valid until the
 * next exec_next on the same operator. The cancel flag is checked between batches
 * (57014 "canceling statement due to user request"). A txn status other than MICE_OK
 * comes back unchanged (MICE_AGAIN: re-run the statement; see txn_run_statement) with
 * the SQLSTATE from txn_sqlstate.
 *
 * Owns: its operators (in env->stmt) and open txn scans until exec_close.
 * Thread safety: one statement, one thread.
 */
#ifndef MICE_SQL_EXEC_H
#define MICE_SQL_EXEC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sql/ast.h"
#include "sql/batch.h"
#include "sql/catalog.h"
#include "sql/plan.h"

#ifndef SQLSTATE_QUERY_CANCELED
#define SQLSTATE_QUERY_CANCELED "57014"
#endif
#ifndef SQLSTATE_UNIQUE_VIOLATION
#define SQLSTATE_UNIQUE_VIOLATION "23505"
#endif
#ifndef SQLSTATE_NOT_NULL_VIOLATION
#define SQLSTATE_NOT_NULL_VIOLATION "23502"
#endif
#ifndef SQLSTATE_CHECK_VIOLATION
#define SQLSTATE_CHECK_VIOLATION "23514"
#endif

typedef struct exec_env {
    txn *t;
    catalog *cat;
    mice_arena *stmt; /* budget = work_mem */
    const sql_datum *params;
    uint32_t n_params;
    func_ctx *fctx;
    const sql_value_ctx *vctx;
    const atomic_bool *cancel; /* NULL = never */
} exec_env;

typedef struct exec_op exec_op;

mice_status exec_open(exec_env *env, plan_node *p, exec_op **out, sql_error *err);
/* *out is the next batch; (*out)->n_rows == 0 at the end. */
mice_status exec_next(exec_op *op, sql_batch **out, sql_error *err);
void exec_close(exec_op *op); /* NULL is ignored */
/* Rows inserted/updated/deleted by a DML root (after it has been run to the end). */
uint64_t exec_rows_affected(const exec_op *op);

/* DDL and utility statements: CREATE TABLE, DROP TABLE, CREATE INDEX (backfilled),
 * DROP INDEX, TRUNCATE. tag receives the command tag. */
typedef struct exec_ddl_env {
    txn *t;
    catalog_txn *ct;
    catalog *cat;
    uint32_t database_id;
    const catalog_search_path *sp;
    mice_arena *arena;
    const sql_value_ctx *vctx;
    func_ctx *fctx;
    /* Where NOTICEs go as they happen (DROP ... IF EXISTS sends one per missing name);
     * NULL: the first one is left in err with MICE_OK for the caller to send. */
    mice_status (*notice)(void *ctx, const sql_error *notice);
    void *notice_ctx;
} exec_ddl_env;
mice_status exec_ddl(const exec_ddl_env *env, const ast_node *stmt, char *tag, size_t tag_cap,
                     sql_error *err);

/* Translate a txn/kv status into a sql_error (keeps rc). */
mice_status exec_txn_error(mice_status rc, const mice_err *me, sql_error *err);

#endif
