/*
 * pgbackend.h - what the PostgreSQL server asks of the SQL engine: a synchronous backend,
 * one session per client connection, answering through a sink.
 *
 * The server (pgserver) owns the sockets and the protocol (pgw_conn) on the io thread.
 * Every request a connection makes - start a session, run a simple Query, Parse, Bind,
 * Describe, Execute, Close, Sync, the pieces of a COPY FROM STDIN - becomes one task on
 * the worker pool, which calls the backend below synchronously. The backend does the
 * whole request on that worker (blocking on futures as it likes) and reports results by
 * calling the sink it was handed; the server carries each sink call to the io thread,
 * where it becomes protocol messages. When the backend function returns, the request is
 * over. Errors in SQL (syntax, constraint, serialization failure, a failed commit) are
 * ANSWERS: the backend reports them with pgb_sink_error() and returns MICE_OK. A backend
 * function returns another status only when it could not answer at all; the server then
 * reports SQLSTATE XX000 with the status text (MICE_CLOSED: nothing, the client is gone).
 *
 * What each request may report through its sink, in order:
 *   session_create     parameter_status*, notice*; on failure error() (always treated as
 *                      FATAL: the connection closes) and a non-OK return
 *   query              per statement: [columns] row* command_complete | empty_query |
 *                      error (and stop: the rest of the string is skipped); or COPY (below)
 *   parse, bind, close nothing (success) or error
 *   describe_statement parameter_description, then columns or no_data; or error
 *   describe_portal    columns or no_data; or error
 *   execute            row* then command_complete (*suspended false) or nothing more with
 *                      *suspended true when max_rows (> 0) rows were sent; or empty_query |
 *                      error; or COPY. A suspended portal stays; the next execute resumes.
 *   sync               nothing, or error (the implicit transaction failed to commit)
 *   copy_data          nothing; or error, which ends the COPY (and the statement)
 *   copy_done          command_complete ("COPY n") or error
 *   copy_fail          error (57014 "COPY from stdin failed: <message>")
 * notice() and parameter_status() are allowed in every request.
 *
 * COPY. A query/execute running "COPY ... FROM STDIN" calls copy_in() and RETURNS: the
 * statement stays open in the session. The server then hands it the client's data with
 * copy_data() calls (in order, never concurrently, bytes as the client split them) and
 * ends it with copy_done() or copy_fail(). Statements after the COPY in the same simple
 * Query string are the session's to run in copy_done(). "COPY ... TO STDOUT": copy_out(),
 * copy_row()* and then command_complete() ("COPY n"); the server sends CopyDone first.
 *
 * Flow control. pgb_sink_row() and pgb_sink_copy_row() BLOCK the worker while the
 * connection's output that is not yet written to the socket exceeds
 * PGSERVER_OUTPUT_HIGH_WATER_BYTES, until the io thread has written it down below
 * PGSERVER_OUTPUT_LOW_WATER_BYTES (pgserver.h). A SELECT of 10 million rows therefore
 * streams in constant memory, at the client's pace. Every sink call returns MICE_OK or
 * MICE_CLOSED: the client is gone (or the server is stopping), the backend should stop
 * work and return promptly (any status; nothing more is sent).
 *
 * Cancel. cancel(session) may be called from ANY thread at any time while the session
 * exists, including concurrently with a running request on a worker and when nothing
 * runs: it must only set a flag the engine polls (then the running statement fails with
 * 57014 "canceling statement due to user request"). The server calls it for a matching
 * CancelRequest and when the client disconnects or the server stops during a request,
 * and only while a request of the session runs; a backend clears its flag when a request
 * starts, so a cancel that arrives after a statement finished hits nothing (PostgreSQL).
 *
 * Threads. Every function except cancel runs on a worker thread. Requests of one session
 * never run concurrently and are ordered (each starts after the previous one returned,
 * possibly on another worker, with a happens-before edge between them), so a session
 * needs no lock of its own. Requests of different sessions run in parallel: the backend
 * ctx is shared and must be thread-safe. session_destroy runs on a worker after the last
 * request returned, or on the io thread when the pool refuses work at shutdown, so it
 * must not block for long.
 *
 * Lifetimes. Everything passed in (strings, slices, arrays, the sink) is borrowed for the
 * duration of the call only; the backend copies what it keeps (statement text, bound
 * values). Everything the backend passes to a sink call (fields, values, errors) is read
 * during that call only. The session pointer is the backend's: created by session_create,
 * freed by session_destroy, which is called exactly once per successful create.
 *
 * Formats: values given to pgb_sink_row() are already encoded in the result formats that
 * bind() asked for (text for a simple Query); NULL is is_null = true. Field descriptors
 * carry the same format codes.
 */
#ifndef MICE_SERVER_PGBACKEND_H
#define MICE_SERVER_PGBACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "server/pgw_conn.h"
#include "server/pgw_msg.h"

/* Errors and notices: severity, sqlstate and message required, everything else optional
 * (see pgw_msg.h). The backend may point into its own memory: read during the call. */
typedef pgw_error pgb_error;

/* ---------------------------------------------------------------- the sink */

typedef struct pgb_sink_ops {
    mice_status (*columns)(void *ctx, const pgw_field *fields, size_t n);
    mice_status (*row)(void *ctx, const pgw_value *values, size_t n); /* may block */
    mice_status (*command_complete)(void *ctx, const char *tag);      /* "SELECT 3" */
    mice_status (*empty_query)(void *ctx);
    mice_status (*error)(void *ctx, const pgb_error *e);
    mice_status (*notice)(void *ctx, const pgb_error *e);
    mice_status (*parameter_status)(void *ctx, const char *name, const char *value);
    mice_status (*parameter_description)(void *ctx, const pgw_oid_t *types, size_t n);
    mice_status (*no_data)(void *ctx);
    mice_status (*copy_in)(void *ctx, int8_t format, const int16_t *column_formats, size_t n);
    mice_status (*copy_out)(void *ctx, int8_t format, const int16_t *column_formats, size_t n);
    mice_status (*copy_row)(void *ctx, mice_slice bytes); /* may block */
} pgb_sink_ops;

/* Where one request's results go. Borrowed by the backend for the call it was passed to. */
typedef struct pgb_sink {
    const pgb_sink_ops *ops;
    void *ctx;
} pgb_sink;

static inline mice_status pgb_sink_columns(pgb_sink *s, const pgw_field *fields, size_t n)
{
    return s->ops->columns(s->ctx, fields, n);
}
static inline mice_status pgb_sink_row(pgb_sink *s, const pgw_value *values, size_t n)
{
    return s->ops->row(s->ctx, values, n);
}
static inline mice_status pgb_sink_command_complete(pgb_sink *s, const char *tag)
{
    return s->ops->command_complete(s->ctx, tag);
}
static inline mice_status pgb_sink_empty_query(pgb_sink *s)
{
    return s->ops->empty_query(s->ctx);
}
static inline mice_status pgb_sink_error(pgb_sink *s, const pgb_error *e)
{
    return s->ops->error(s->ctx, e);
}
static inline mice_status pgb_sink_notice(pgb_sink *s, const pgb_error *e)
{
    return s->ops->notice(s->ctx, e);
}
static inline mice_status pgb_sink_parameter_status(pgb_sink *s, const char *name,
                                                    const char *value)
{
    return s->ops->parameter_status(s->ctx, name, value);
}
static inline mice_status pgb_sink_parameter_description(pgb_sink *s, const pgw_oid_t *types,
                                                         size_t n)
{
    return s->ops->parameter_description(s->ctx, types, n);
}
static inline mice_status pgb_sink_no_data(pgb_sink *s)
{
    return s->ops->no_data(s->ctx);
}
static inline mice_status pgb_sink_copy_in(pgb_sink *s, int8_t format, const int16_t *formats,
                                           size_t n)
{
    return s->ops->copy_in(s->ctx, format, formats, n);
}
static inline mice_status pgb_sink_copy_out(pgb_sink *s, int8_t format, const int16_t *formats,
                                            size_t n)
{
    return s->ops->copy_out(s->ctx, format, formats, n);
}
static inline mice_status pgb_sink_copy_row(pgb_sink *s, mice_slice bytes)
{
    return s->ops->copy_row(s->ctx, bytes);
}

/* ---------------------------------------------------------------- the backend */

typedef struct pgb_backend_vtab {
    /* Start a session for an authenticated client. info: user, database (default: the
     * user), application_name, options and every start-up parameter. MICE_OK with
     * *session set, or error() on the sink and a non-OK status (e.g. 3D000 unknown
     * database, 28000 role does not exist). */
    mice_status (*session_create)(void *ctx, const pgw_startup_info *info, pgb_sink *sink,
                                  void **session);
    void (*session_destroy)(void *ctx, void *session);
    /* Asked before every login, in both modes. The user's SCRAM verifier in PostgreSQL's text form
     * ("SCRAM-SHA-256$4096:...") appended to verifier: MICE_OK; MICE_NOTFOUND when the user
     * does not exist or has no password. NULL: nobody can log in with a password. */
    mice_status (*lookup_verifier)(void *ctx, const char *user, mice_buf *verifier);

    /* Simple Query: every statement of sql[0..sql_len) (not NUL-terminated for the
     * backend's purposes; it happens to be). */
    mice_status (*query)(void *ctx, void *session, const char *sql, size_t sql_len, pgb_sink *sink);
    /* Extended query. name "" is the unnamed statement/portal. param_types has n_types
     * entries (0 = infer). */
    mice_status (*parse)(void *ctx, void *session, const char *name, const char *sql,
                         size_t sql_len, const pgw_oid_t *param_types, size_t n_types,
                         pgb_sink *sink);
    /* m as decoded from the wire: portal, statement, parameter formats and values, result
     * formats (use pgw_bind_param_format / pgw_bind_result_format for the 0/1/N rule). */
    mice_status (*bind)(void *ctx, void *session, const pgw_bind_msg *m, pgb_sink *sink);
    mice_status (*describe_statement)(void *ctx, void *session, const char *name, pgb_sink *sink);
    mice_status (*describe_portal)(void *ctx, void *session, const char *name, pgb_sink *sink);
    /* max_rows 0: no limit. *suspended (initially false) set when the portal has more. */
    mice_status (*execute)(void *ctx, void *session, const char *portal, int32_t max_rows,
                           pgb_sink *sink, bool *suspended);
    /* kind 'S' statement or 'P' portal; closing a name that does not exist is not an error. */
    mice_status (*close)(void *ctx, void *session, char kind, const char *name, pgb_sink *sink);
    /* End of an extended-query cycle: commit the implicit transaction, if any. With
     * after_error (the protocol layer answered a malformed message with an ERROR since
     * the last Sync) the cycle failed: roll the implicit transaction back, or put an
     * explicit block into the failed state, as a failed statement would. */
    mice_status (*sync)(void *ctx, void *session, bool after_error, pgb_sink *sink);
    /* 'I' idle, 'T' in a transaction block, 'E' in a failed one. Called on the worker at
     * the end of every request (the server caches it for ReadyForQuery). */
    char (*txn_status)(void *ctx, void *session);
    /* Any thread, any time while the session exists: set the cancel flag (see above). */
    void (*cancel)(void *ctx, void *session);

    /* COPY FROM STDIN, after query/execute called copy_in(). */
    mice_status (*copy_data)(void *ctx, void *session, mice_slice data, pgb_sink *sink);
    mice_status (*copy_done)(void *ctx, void *session, pgb_sink *sink);
    mice_status (*copy_fail)(void *ctx, void *session, const char *message, pgb_sink *sink);
} pgb_backend_vtab;

#endif
