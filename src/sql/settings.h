/*
 * settings.h - a session's run-time settings (PostgreSQL's GUCs): SET, SHOW, RESET.
 *
 * A static registry describes every setting clients touch (server_version, DateStyle,
 * TimeZone, search_path, statement_timeout, work_mem, transaction_isolation, ...): its
 * type (bool, int with an optional unit, enum, string with a check), default, context
 * (read-only, restart-only, superuser, user) and flags (GUC_REPORT for ParameterStatus,
 * hidden from SHOW ALL, list syntax). A settings object holds one session's values.
 * Names are looked up case-insensitively; names with a dot ("myapp.x") that are not in the
 * registry become string placeholders on first SET, as in PostgreSQL.
 *
 * Values are parsed and shown exactly as PostgreSQL 15 does: booleans accept any prefix
 * of true/false/yes/no, on/off, 1/0 and show on/off; integers take units ("5s", "1.5MB";
 * time in ms, memory in kB, fractions rounded) and show in the largest exact unit ("64MB",
 * "90s", "0"); enums match case-insensitively and list the allowed values in the hint;
 * DateStyle is normalised ("iso" -> "ISO, MDY"); search_path is kept as set (identifiers
 * quoted when needed); TimeZone shows its canonical name ("<+02>-02" for SET TIME ZONE 2).
 * Errors carry PostgreSQL's SQLSTATE and text: 42704 unrecognized configuration parameter,
 * 55P02 cannot be changed, 22023 invalid value / requires a Boolean value / outside the
 * valid range. MiceDB-only limits are 0A000 with a DETAIL: client_encoding other than
 * UTF8, DateStyle output other than ISO, IntervalStyle other than postgres, bytea_output
 * escape, standard_conforming_strings off. work_mem defaults to 64MB (PostgreSQL: 4MB).
 *
 * Transactions follow PostgreSQL: between settings_txn_begin and commit/rollback every
 * change is undoable (ROLLBACK restores the values of BEGIN), SET LOCAL lasts until the end
 * of the block (outside one it is a 25P01 WARNING and has no effect), and
 * transaction_isolation/transaction_read_only/transaction_deferrable start each block at
 * their default_* values. Outside a block a SET takes effect at once. Savepoints are not
 * modelled (ROLLBACK TO keeps the settings).
 *
 * Owns: its values (C heap via mice_buf and a private arena) and the loaded time zone.
 * Thread safety: one session, one thread.
 * Invariants: every slot's value text is its normalised display form, NUL-terminated.
 */
#ifndef MICE_SQL_SETTINGS_H
#define MICE_SQL_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/ast.h"
#include "sql/datum.h"
#include "sql/sqlerr.h"

typedef struct settings settings;

#define SETTINGS_SERVER_VERSION_DEFAULT "15.18"
#define SETTINGS_SERVER_VERSION_NUM_DEFAULT 150018
#define SETTINGS_TIMEZONE_DEFAULT "UTC"
#define SETTINGS_MAX_CONNECTIONS_DEFAULT 100

/* More SQLSTATEs the settings raise (PostgreSQL's errcodes.txt). */
#define SQLSTATE_CANT_CHANGE_RUNTIME_PARAM "55P02"
#define SQLSTATE_NO_ACTIVE_SQL_TRANSACTION "25P01"
#define SQLSTATE_ACTIVE_SQL_TRANSACTION "25001"
#define SQLSTATE_INSUFFICIENT_PRIVILEGE "42501"
#define SQLSTATE_INVALID_NAME "42602"

typedef struct settings_init {
    const char *session_user; /* session_authorization; NULL = "postgres" */
    bool is_superuser;
    const char *server_version; /* NULL = SETTINGS_SERVER_VERSION_DEFAULT */
    int32_t server_version_num; /* 0 = SETTINGS_SERVER_VERSION_NUM_DEFAULT */
    const char *timezone;       /* default TimeZone; NULL = "UTC" */
    const char *zoneinfo_dir;   /* NULL = SQL_TZ_DEFAULT_DIR */
    int32_t max_connections;    /* 0 = SETTINGS_MAX_CONNECTIONS_DEFAULT */
} settings_init;

typedef enum settings_scope { SETTINGS_SESSION, SETTINGS_LOCAL } settings_scope;

typedef enum settings_isolation {
    SETTINGS_READ_UNCOMMITTED, /* runs as READ COMMITTED, as in PostgreSQL */
    SETTINGS_READ_COMMITTED,
    SETTINGS_REPEATABLE_READ,
    SETTINGS_SERIALIZABLE,
} settings_isolation;

typedef enum settings_date_order {
    SETTINGS_DATE_MDY,
    SETTINGS_DATE_DMY,
    SETTINGS_DATE_YMD,
} settings_date_order;

/* NULL init means all defaults. Errors: 22023 when init->timezone is not a valid zone.
 * On success *out must be freed with settings_destroy. */
mice_status settings_create(const settings_init *init, settings **out, sql_error *err);
void settings_destroy(settings *s);

/* SET name = value (value NULL: SET name TO DEFAULT). A warning that does not fail the
 * statement (25P01 SET LOCAL outside a transaction block) goes to *warning when not NULL
 * (warning->code stays MICE_OK; sqlstate "00000" means none). Errors: 42704, 42602, 55P02,
 * 42501, 22023, 25001, 0A000. On error nothing changes. */
mice_status settings_set(settings *s, const char *name, const char *value, settings_scope scope,
                         sql_error *warning, sql_error *err);
/* RESET name: back to the value the session started with (default or start-up packet). */
mice_status settings_reset(settings *s, const char *name, sql_error *warning, sql_error *err);
/* RESET ALL: every user-settable setting except the per-transaction ones. */
void settings_reset_all(settings *s);

/* SHOW name: appends the display value to out (not NUL-terminated) and sets *display_name
 * (if not NULL) to the canonical name, the column header ("DateStyle"). Borrowed: valid
 * until settings_destroy. Errors: 42704. */
mice_status settings_show(settings *s, const char *name, mice_buf *out, const char **display_name,
                          sql_error *err);
/* SHOW ALL rows in PostgreSQL's order (by name, ignoring case), hidden ones left out.
 * The strings are borrowed for the duration of the callback. */
typedef void settings_show_all_cb(const char *name, const char *setting, const char *description,
                                  void *arg);
void settings_show_all(settings *s, settings_show_all_cb *cb, void *arg);

/* current_setting(name [, missing_ok]): value into out; *is_null when missing_ok and the
 * setting does not exist. Errors: 42704. */
mice_status settings_current_setting(settings *s, const char *name, bool missing_ok, mice_buf *out,
                                     bool *is_null, sql_error *err);
/* set_config(name, value, is_local): value NULL resets; the new value goes to out.
 * is_local outside a transaction block changes nothing (no warning, as PostgreSQL). */
mice_status settings_set_config(settings *s, const char *name, const char *value, bool is_local,
                                mice_buf *out, sql_error *err);

/* StartupMessage parameters (user, database and replication are skipped; options is
 * parsed as "-c name=value" / "--name=value" switches). The values become the session's
 * reset values. Errors as settings_set, plus 42601 for a bad options switch; PostgreSQL
 * turns these into FATAL. */
typedef struct settings_param {
    const char *name;
    const char *value;
} settings_param;
mice_status settings_apply_startup(settings *s, const settings_param *params, size_t n,
                                   sql_error *err);

/* Explicit transaction blocks (BEGIN ... COMMIT/ROLLBACK). mark_query is called when the
 * block runs its first query (takes its snapshot): from then on the isolation level and
 * read-write mode can no longer change (25001). BEGIN ISOLATION LEVEL x / READ ONLY is
 * settings_txn_begin followed by settings_set("transaction_isolation", ...). DISCARD ALL
 * is settings_reset_all. */
void settings_txn_begin(settings *s);
void settings_txn_mark_query(settings *s);
void settings_txn_commit(settings *s);
void settings_txn_rollback(settings *s);
bool settings_in_txn_block(const settings *s);

/* ParameterStatus: calls cb for every GUC_REPORT setting whose value differs from what
 * was last reported (all 13 on the first call, after start-up). */
typedef void settings_report_cb(const char *name, const char *value, void *arg);
void settings_take_reports(settings *s, settings_report_cb *cb, void *arg);

/* Up to date value context (TimeZone, extra_float_digits) for datum formatting; the time
 * zone is (re)loaded here when TimeZone changed. Borrowed: valid until the next call or
 * settings_destroy. now is left 0 (the statement sets it). */
const sql_value_ctx *settings_value_ctx(settings *s);

/* Typed getters for the executor. Timeouts: 0 = off. */
int64_t settings_statement_timeout_ms(const settings *s);
int64_t settings_lock_timeout_ms(const settings *s);
int64_t settings_idle_in_transaction_timeout_ms(const settings *s);
size_t settings_work_mem_bytes(const settings *s);
settings_isolation settings_default_isolation(const settings *s);
settings_isolation settings_txn_isolation(const settings *s);
bool settings_default_read_only(const settings *s);
bool settings_txn_read_only(const settings *s);
settings_date_order settings_get_date_order(const settings *s);
/* Value of a bool setting by name ("enable_seqscan"); asserts it exists and is bool. */
bool settings_get_bool(const settings *s, const char *name);
/* Value of an int (base unit) or enum (index) setting by name; asserted. */
int64_t settings_get_int(const settings *s, const char *name);
/* search_path as schema names ("$user" kept for the caller to resolve), in arena a.
 * Errors: 53200. */
mice_status settings_search_path(const settings *s, mice_arena *a, const char ***names, size_t *n,
                                 sql_error *err);

/* Run a parsed SET / RESET / SHOW (AST_VAR_SET, AST_VAR_SHOW). */
typedef struct settings_result {
    const char *tag; /* "SET", "RESET" or "SHOW" */
    uint32_t n_cols; /* 0 for SET/RESET, 1 for SHOW name, 3 for SHOW ALL */
    const char *col_names[3];
    uint32_t n_rows;
    const char **cells; /* n_rows * n_cols strings, row-major, in the arena */
    sql_error warning;  /* sqlstate "00000" = none; else a WARNING to send first */
} settings_result;
mice_status settings_exec(settings *s, const ast_node *stmt, mice_arena *a, settings_result *out,
                          sql_error *err);

#endif
