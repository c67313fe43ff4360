/*
 * pgsession_int.h - what the files of pgsession share: the session, its prepared
 * statements and portals, and the seam to the SQL engine (pgsession_engine.c).
 *
 * Owns: a statement owns its arena (text copy, AST, described types); a portal owns its
 * arena (bound values, buffered rows). Thread safety: one request at a time (pgbackend.h).
 */
#ifndef MICE_SERVER_PGSESSION_INT_H
#define MICE_SERVER_PGSESSION_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "server/pgsession.h"
#include "sql/ast.h"
#include "sql/datetime.h"
#include "sql/datum.h"
#include "sql/settings.h"
#include "sql/sqlerr.h"

enum {
    PGS_STMT_ARENA_BYTES = 256u << 20,  /* one statement's parse, plan and values */
    PGS_TAG_MAX = 64,                   /* "INSERT 0 1234567890" */
    PGS_NAME_MAX = 64,
};

/* The statement_timeout watchdog: one thread per backend raising the cancel flag of the
 * sessions whose deadline passed. mu protects the list and stop. */
typedef struct pgs_watchdog {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pgs_session *armed; /* sessions with a deadline, linked by watch_next */
    bool stop;
    pthread_t thread;
} pgs_watchdog;

enum { PGS_WATCHDOG_TICK_NS = 2 * 1000 * 1000 };

struct pgsession_backend {
    pgs_watchdog wd;
    txn_db *db;
    catalog *cat;
    sql_engine *engine;
    const mice_env *env;
    uint32_t node_id;
    const char *zoneinfo_dir;
};

/* One result column as the engine describes it. */
typedef struct pgs_col {
    const char *name;
    sql_type type;
    uint32_t table_oid; /* 0 when not a table column */
    int16_t attnum;     /* 0 when not a table column */
} pgs_col;

/* What Describe reports about a prepared statement. */
typedef struct pgs_shape {
    uint32_t n_params;
    sql_type *param_types;
    bool returns_rows; /* false: NoData */
    uint32_t n_cols;
    pgs_col *cols;
    const sql_prepared *prepared; /* the engine's, in the statement arena; NULL: none */
} pgs_shape;

typedef struct pgs_stmt {
    struct pgs_stmt *next;
    char *name;
    mice_arena *arena;
    const char *sql; /* NUL-terminated copy of the whole Parse text */
    size_t sql_len;
    ast_node *ast;   /* NULL: empty query */
    pgs_shape shape;
    uint32_t refs;   /* the session's list + portals using it */
} pgs_stmt;

typedef struct pgs_portal {
    struct pgs_portal *next;
    char *name;
    mice_arena *arena;
    pgs_stmt *stmt;
    sql_datum *params;
    int16_t *formats; /* per result column */
    bool started, done;
    /* Rows run ahead of a max_rows Execute: encoded values, row by row. */
    uint32_t n_rows, next_row;
    pgw_value **rows;
    uint32_t rows_cap;
    char tag[PGS_TAG_MAX];
} pgs_portal;

typedef struct pgs_copy pgs_copy; /* pgsession_copy.c */

typedef enum pgs_block {
    PGS_IDLE,     /* no transaction */
    PGS_IMPLICIT, /* an implicit transaction (multi-statement Query, extended until Sync) */
    PGS_BLOCK,    /* BEGIN ... */
    PGS_FAILED,   /* a block after an error: only ROLLBACK/COMMIT */
} pgs_block;

typedef struct pgs_session {
    pgsession_backend *be;
    mice_arena *arena; /* the session's lifetime: names */
    char *user;
    char *database;
    uint32_t database_id;
    uint32_t user_id;
    bool superuser;
    settings *set;
    txn *t;            /* the open KV transaction, NULL until the first query needs it */
    catalog_txn ct;    /* the catalog view of t (DDL in t bypasses the cache) */
    pgs_block block;
    mice_buf savepoints; /* names of the block's savepoints, each NUL-terminated, oldest first */
    pgs_stmt *stmts;
    pgs_portal *portals;
    bool portals_stale; /* the transaction ended: drop the portals at the request's end */
    pgs_copy *copy;     /* a running COPY FROM STDIN */
    atomic_bool cancel;
    uint64_t deadline_ns; /* statement_timeout, env mono; 0 = none (watchdog's mu) */
    struct pgs_session *watch_next;
    atomic_bool timed_out; /* the watchdog raised cancel */
    sql_timestamp txn_start; /* now() of the open transaction */
} pgs_session;

/* ---- pgsession.c ---- */
/* Report an sql_error as an ERROR (or a WARNING/NOTICE with severity). */
mice_status pgs__send_error(pgb_sink *sink, const sql_error *e, const char *severity);
/* Ensure a KV transaction is open for a query (starts an implicit one when idle). */
void pgs__txn_for_query(pgs_session *s);
/* Finish the implicit transaction: commit (ok) or roll back. Errors go to err. */
mice_status pgs__end_implicit(pgs_session *s, bool commit, sql_error *err);
/* After a failed statement: a block turns failed, an implicit transaction rolls back. */
void pgs__statement_failed(pgs_session *s);
/* Run one parsed statement with bound parameters; rows go to row_fn. Fills tag. */
typedef mice_status (*pgs_cols_fn)(void *ctx, const pgs_col *cols, uint32_t n);
typedef mice_status (*pgs_row_fn)(void *ctx, const sql_datum *row, uint32_t n);
typedef struct pgs_run {
    const ast_node *ast;
    const char *sql; /* the whole text the AST came from */
    size_t sql_len;
    const char *stmt_text; /* the statement's own text within it (SQL PREPARE keeps it) */
    size_t stmt_len;
    const sql_prepared *prepared; /* NULL: run ast */
    const sql_datum *params;
    uint32_t n_params;
    mice_arena *arena;
    pgs_cols_fn cols_fn; /* NULL: do not report columns */
    pgs_row_fn row_fn;
    void *ctx;
    pgb_sink *sink;      /* notices */
    char tag[PGS_TAG_MAX];
} pgs_run;
/* Transaction control, SET/SHOW, or the engine. MICE_OK or an SQL error in err (the
 * status is MICE_CLOSED when the client is gone). */
mice_status pgs__run_statement(pgs_session *s, pgs_run *r, sql_error *err);
/* The same PostgreSQL type facts RowDescription needs. */
void pgs__field(const pgs_col *c, int16_t format, pgw_field *out);
/* Encode one datum in format (0 text, 1 binary). */
mice_status pgs__encode(pgs_session *s, const sql_datum *d, int16_t format, mice_buf *out,
                        sql_error *err);
void pgs__report_settings(pgs_session *s, pgb_sink *sink);
/* 57014 when cancelled or past statement_timeout. */
mice_status pgs__check_interrupt(pgs_session *s, sql_error *err);
bool pgs__is_txn_control(const ast_node *n);
/* The engine reports 1-based byte positions; clients want characters (PostgreSQL). */
void pgs__position_to_chars(const char *sql, size_t len, sql_error *err);
/* The wall clock as a PostgreSQL timestamp (through the env). */
sql_timestamp pgs__now(const pgs_session *s);

/* ---- pgsession_rows.c ---- */
/* Encodes rows for a sink: text for simple Query, or the portal's formats. */
typedef struct row_out {
    pgs_session *s;
    pgb_sink *sink;
    const int16_t *formats; /* NULL: all text */
    mice_buf bytes;
    size_t *offs;
    pgw_value *vals; /* the last encoded row; borrows bytes */
    uint32_t cap;
} row_out;
typedef struct row_send {
    row_out out;
    sql_error *err;
} row_send;
void pgs__row_out_init(row_out *o, pgs_session *s, pgb_sink *sink, const int16_t *formats);
void pgs__row_out_deinit(row_out *o);
mice_status pgs__encode_row(row_out *o, const sql_datum *row, uint32_t n, sql_error *err);
/* pgs_cols_fn / pgs_row_fn over a row_send. */
mice_status pgs__send_cols(void *ctx, const pgs_col *cols, uint32_t n);
mice_status pgs__send_row(void *ctx, const sql_datum *row, uint32_t n);
/* An SQL error to the client (MICE_OK), or MICE_CLOSED when the client is gone. */
mice_status pgs__answer_error(pgb_sink *sink, mice_status rc, sql_error *err);

/* ---- pgsession_ext.c: extended protocol ---- */
mice_status pgs__parse(void *ctx, void *session, const char *name, const char *sql, size_t sql_len,
                       const pgw_oid_t *param_types, size_t n_types, pgb_sink *sink);
mice_status pgs__bind(void *ctx, void *session, const pgw_bind_msg *m, pgb_sink *sink);
mice_status pgs__describe_statement(void *ctx, void *session, const char *name, pgb_sink *sink);
mice_status pgs__describe_portal(void *ctx, void *session, const char *name, pgb_sink *sink);
mice_status pgs__execute(void *ctx, void *session, const char *portal, int32_t max_rows,
                         pgb_sink *sink, bool *suspended);
mice_status pgs__close(void *ctx, void *session, char kind, const char *name, pgb_sink *sink);
mice_status pgs__sync(void *ctx, void *session, bool after_error, pgb_sink *sink);
void pgs__drop_all(pgs_session *s, bool statements);
/* DEALLOCATE name (NULL: ALL). 26000 for an unknown name. */
mice_status pgs__deallocate(pgs_session *s, const char *name, sql_error *err);
/* SQL PREPARE name [(types)] AS statement: a prepared statement as Parse makes one (42P05
 * when the name is taken); EXECUTE name [(constants)] runs it with r's row callbacks
 * (26000 for an unknown name, 42601 for a wrong number of parameters). */
mice_status pgs__sql_prepare(pgs_session *s, pgs_run *r, sql_error *err);
mice_status pgs__sql_execute(pgs_session *s, pgs_run *r, sql_error *err);
/* Drop portals when a transaction ends (PostgreSQL's portals do not outlive it). */
void pgs__drop_portals(pgs_session *s);
/* Drop the portals of an ended transaction (at request boundaries). */
void pgs__drop_stale_portals(pgs_session *s);

/* ---- pgsession_copy.c: COPY FROM STDIN, COPY TO STDOUT ---- */
/* COPY TO runs to the end (CopyOutResponse, rows, the tag in r->tag). COPY FROM starts
 * (CopyInResponse) and the statement stays open in s->copy. */
mice_status pgs__copy_start(pgs_session *s, pgs_run *r, sql_error *err);
void pgs__copy_free(pgs_session *s);
mice_status pgs__copy_data(void *ctx, void *session, mice_slice data, pgb_sink *sink);
mice_status pgs__copy_done(void *ctx, void *session, pgb_sink *sink);
mice_status pgs__copy_fail(void *ctx, void *session, const char *message, pgb_sink *sink);

/* ---- pgsession_role.c: CREATE/ALTER/DROP USER and ROLE ---- */
bool pgs__is_role_stmt(const ast_node *n);
/* Run one role statement in the session's transaction; fills r->tag, NOTICEs to r->sink. */
mice_status pgs__run_role(pgs_session *s, pgs_run *r, sql_error *err);

/* ---- pgsession_engine.c: the seam to the SQL engine ---- */
/* Type the parameters and result columns of a statement (shape in stmt arena). given
 * has n_given OIDs (0 = infer). */
mice_status pgs__engine_describe(pgs_session *s, const ast_node *ast, const pgw_oid_t *given,
                                 size_t n_given, mice_arena *a, pgs_shape *out, sql_error *err);
/* Execute within s->t (open); READ COMMITTED restarts inside. */
mice_status pgs__engine_run(pgs_session *s, pgs_run *r, sql_error *err);

#endif
