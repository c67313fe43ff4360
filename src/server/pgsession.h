/*
 * pgsession.h - the PostgreSQL backend (pgbackend.h) over the SQL layer: one session per
 * client connection, with PostgreSQL's transaction blocks, settings and extended protocol.
 *
 * A pgsession_backend is the node-level context shared by every session: the txn_db, the
 * catalog, the SQL engine and the environment. A session (created by the vtab's session_create) holds the
 * user, the database, its settings (settings.h), the open transaction, its prepared
 * statements and portals, and a cancel flag.
 *
 * Transactions follow PostgreSQL. Outside a block every statement runs in its own implicit
 * transaction; a simple Query string with several statements runs as one implicit
 * transaction (unless it holds transaction control), and the extended protocol keeps one
 * implicit transaction from the first Execute until Sync. BEGIN/START TRANSACTION opens a
 * block (25001 WARNING when one is open); COMMIT/END and ROLLBACK/ABORT close it (25P01
 * WARNING when none is). An error inside a block makes it failed ('E'): every statement
 * but ROLLBACK/COMMIT gets 25P02 until the block ends; COMMIT of a failed block rolls back
 * and answers "ROLLBACK". The KV transaction starts lazily at the block's first query, so
 * SET TRANSACTION ISOLATION LEVEL after BEGIN applies.
 *
 * SAVEPOINT/RELEASE are kept by name; ROLLBACK TO SAVEPOINT is 0A000 (the transaction
 * layer cannot undo part of a transaction yet). DEALLOCATE drops prepared statements.
 * COPY table FROM STDIN (text format) is the session's: rows become executions of a
 * prepared INSERT (pgsession_copy.c).
 *
 * SET/SHOW/RESET run through settings_exec; ParameterStatus is reported for every
 * GUC_REPORT change at the end of each request. Every other statement goes to the SQL
 * engine (sql/engine.h) through one seam (pgsession_engine.c); the engine runs it under
 * txn_run_statement (READ COMMITTED restarts) and polls the session's cancel flag, which
 * CancelRequest and the backend's statement_timeout watchdog thread raise (57014). Error
 * positions are reported in characters of the whole query string.
 *
 * Owns: the backend owns nothing it was given (txn_db, catalog, env are borrowed and must
 * outlive it); a session owns its settings, transaction, statements, portals and arenas.
 * Thread safety: see pgbackend.h - the backend is shared and thread-safe (it only reads
 * its borrowed, thread-safe members); a session is used by one request at a time; cancel
 * from any thread (an atomic flag).
 */
#ifndef MICE_SERVER_PGSESSION_H
#define MICE_SERVER_PGSESSION_H

#include <stdint.h>

#include "base/env.h"
#include "base/status.h"
#include "server/pgbackend.h"
#include "sql/catalog.h"
#include "sql/engine.h"
#include "txn/txn.h"

typedef struct pgsession_backend pgsession_backend;

typedef struct pgsession_config {
    txn_db *db;         /* borrowed */
    catalog *cat;       /* borrowed */
    sql_engine *engine; /* borrowed */
    const mice_env *env; /* borrowed; NULL = mice_env_real() */
    uint32_t node_id;
    const char *zoneinfo_dir; /* NULL = the settings default */
} pgsession_config;

/* MICE_INVALID (with a message) when db or cat is missing. */
mice_status pgsession_backend_create(const pgsession_config *cfg, pgsession_backend **out,
                                     mice_err *err);
/* Every session must be destroyed first. NULL is ignored. */
void pgsession_backend_destroy(pgsession_backend *b);

/* The vtab to hand to pgserver with the backend as its ctx. */
const pgb_backend_vtab *pgsession_vtab(void);

#endif
