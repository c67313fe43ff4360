/*
 * pgw_conn.h - one PostgreSQL client connection as a pure state machine.
 *
 * No sockets, no threads, no clock. The io edge feeds the bytes a socket delivered
 * (pgw_conn_recv) and carries out what the connection asks for: bytes to write
 * (pgw_conn_take_output), close after writing (pgw_conn_closing), forward a cancel to
 * the backend it names (pgw_conn_take_cancel). SQL is not done here: the connection asks
 * an injected session (pgw_session_vtab) to look up a verifier, start, run a simple Query,
 * Parse, Bind, Describe, Execute, Close, Sync, and takes its answers through the
 * pgw_conn_* result functions below.
 *
 * Phases:
 *   startup   SSLRequest/GSSENCRequest -> 'N' (no TLS yet); CancelRequest -> cancel action
 *             and close; StartupMessage 3.0 (3.x with x > 0 or _pq_ options also gets
 *             NegotiateProtocolVersion) with user, database (default: user),
 *             application_name, options, client_encoding (UTF8 only) kept for the session.
 *   auth      the session looks up the user's SCRAM verifier first (lookup_verifier).
 *             Insecure mode: peers that are not loopback are refused before the lookup
 *             (FATAL 28000); a loopback user with a verifier must pass SCRAM-SHA-256, one
 *             without (no password, or no such user: start then fails) is trusted.
 *             Secure mode: SCRAM-SHA-256 against the verifier (unknown users and users
 *             without a password run a mock exchange and fail, as in PostgreSQL).
 *             A wrong password is FATAL 28P01.
 *   starting  AuthenticationOk, session start request; then 13 ParameterStatus (the
 *             session may override or add some while starting), BackendKeyData,
 *             ReadyForQuery.
 *   ready     one message at a time. Simple Query: the session runs every statement of
 *             the string and reports per statement; ReadyForQuery follows. Extended query:
 *             Parse/Bind/Describe/Execute/Close each become one request; after an error
 *             every message up to the next Sync is discarded; Sync asks the session to end
 *             the implicit transaction, then ReadyForQuery with the session's status.
 *             COPY: the session switches a running Query/Execute into copy-in or copy-out.
 *             Terminate closes.
 *
 * Bad input, as in PostgreSQL 15:
 *   - an unknown message type, or one with no place in the current phase (a 'p' message
 *     after start-up, a Query during COPY IN): FATAL 08P01 and close.
 *   - a bad length word (below 4 or over the type's limit): framing is lost; one FATAL
 *     (08P01 / 54000) and close. Garbage during start-up: likewise.
 *   - a known type with a malformed body (bad counts, missing terminators, trailing
 *     bytes): ERROR 08P01 with PostgreSQL's text ("invalid message format", "insufficient
 *     data left in message", "invalid string in message", ...; 54000 when its arrays pass
 *     the decode budget), and the session goes on.
 *     After Parse/Bind/Describe/Execute/Close/Flush the connection skips to Sync, as after
 *     any error; after Query, FunctionCall or Sync, ReadyForQuery follows. Bodies that
 *     PostgreSQL does not read are not judged: Terminate closes, any message skipped
 *     before Sync stays skipped, CopyData/CopyDone/CopyFail outside COPY are dropped, and
 *     during COPY IN a bad Flush/Sync is ignored, a bad CopyDone ends the COPY and a bad
 *     CopyFail fails it through copy_fail (the session reports the error).
 *     Limitation: the session is not told of these errors (PostgreSQL aborts the implicit
 *     transaction): a malformed Sync gets ReadyForQuery without a sync request, and a
 *     well-formed Sync after the skip ends the implicit transaction as usual.
 *
 * Requests and answers. Every vtab call except copy_data starts one request; at most one
 * is outstanding. The session answers, synchronously inside the callback or later from
 * the io thread, with result calls and then exactly one pgw_conn_done(). Until then the
 * connection reads no further messages (pgw_conn_wants_input() is false; bytes fed
 * meanwhile are kept for later). What the session may send per request:
 *   lookup_verifier  pgw_conn_provide_verifier() instead of pgw_conn_done()
 *   start            pgw_conn_parameter_status(), or pgw_conn_error() (closes)
 *   query            per statement: [row_description] data_row* command_complete |
 *                    empty_query | error (then stop); or copy_in()/copy_out() (COPY)
 *   parse            error, or nothing (ParseComplete is sent by the connection)
 *   bind, close      likewise (BindComplete / CloseComplete)
 *   describe         statement: parameter_description, then row_description or no_data;
 *                    portal: row_description or no_data
 *   execute          data_row* then command_complete | portal_suspended | empty_query |
 *                    error; or copy_in()/copy_out()
 *   sync             error (a failed commit) or nothing
 *   copy-in          after copy_in() the connection reads CopyData (copy_data calls, no
 *                    answer each), then CopyDone (copy_done request: command_complete,
 *                    done) or CopyFail (copy_fail request: error, done); the session may
 *                    also end the COPY early with error() + done().
 * notice() and parameter_status() are allowed during any request.
 *
 * Owns: its buffers, its copy of the start-up parameters and the SCRAM exchange; borrows
 * the vtab and ctx. Lifetimes: strings and slices passed to a vtab call stay valid until
 * the session calls pgw_conn_done() for that request (for query/execute that switch to
 * COPY: until copy_in()/copy_out(); for copy_data: until the callback returns).
 * Thread safety: a connection and its session callbacks live on one thread (the io loop);
 * a session working on another thread posts its answers back to that loop.
 */
#ifndef MICE_SERVER_PGW_CONN_H
#define MICE_SERVER_PGW_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "server/pgw_msg.h"
#include "server/scram.h"

typedef struct pgw_conn pgw_conn;

enum {
    PGW_OUTPUT_FLUSH_BYTES = 8192, /* like PostgreSQL's send buffer: flush when this full */
    PGW_DECODE_ARENA_BYTES = 16 << 20,
};

typedef struct pgw_startup_info {
    const char *user;
    const char *database;
    const char *application_name; /* "" when not sent */
    const char *options;          /* "" when not sent */
    const pgw_param *params;      /* every parameter the client sent */
    size_t n_params;
} pgw_startup_info;

typedef struct pgw_session_vtab {
    /* NULL means no user has a password: every SCRAM exchange fails (secure mode), every
     * loopback user is trusted (insecure mode). */
    void (*lookup_verifier)(void *ctx, pgw_conn *c, const char *user);
    void (*start)(void *ctx, pgw_conn *c, const pgw_startup_info *info);
    void (*query)(void *ctx, pgw_conn *c, const char *sql, size_t sql_len);
    void (*parse)(void *ctx, pgw_conn *c, const pgw_parse_msg *m);
    void (*bind)(void *ctx, pgw_conn *c, const pgw_bind_msg *m);
    void (*describe)(void *ctx, pgw_conn *c, char kind, const char *name);
    void (*execute)(void *ctx, pgw_conn *c, const char *portal, int32_t max_rows);
    void (*close)(void *ctx, pgw_conn *c, char kind, const char *name);
    /* after_error: a malformed extended-query message was answered with an ERROR since
     * the previous Sync, so the implicit transaction must roll back (PostgreSQL). */
    void (*sync)(void *ctx, pgw_conn *c, bool after_error);
    void (*copy_data)(void *ctx, pgw_conn *c, mice_slice data);
    void (*copy_done)(void *ctx, pgw_conn *c);
    void (*copy_fail)(void *ctx, pgw_conn *c, const char *message);
    /* 'I', 'T' or 'E' for ReadyForQuery; called only between requests. */
    char (*txn_status)(void *ctx);
} pgw_session_vtab;

typedef struct pgw_conn_config {
    int32_t backend_pid; /* BackendKeyData: names this connection for CancelRequest */
    int32_t secret_key;
    bool insecure;              /* loopback peers only; trust users without a password */
    bool peer_is_loopback;      /* the edge knows the peer address */
    const char *server_version; /* NULL: "15.18 (MiceDB)" */
    const char *timezone;       /* NULL: "Etc/UTC" */
    bool is_superuser;
    size_t max_msg_bytes;   /* 0: PGW_MSG_MAX_BYTES_DEFAULT */
    mice_slice scram_nonce; /* tests only: fixed server nonce; .n == 0 draws random */
} pgw_conn_config;

/* cfg, vt and ctx are borrowed (cfg strings too) and must outlive the connection. */
pgw_conn *pgw_conn_create(const pgw_conn_config *cfg, const pgw_session_vtab *vt, void *ctx);
void pgw_conn_destroy(pgw_conn *c);

/* ---------------------------------------------------------------- edge: events in */

/* Bytes received. Processes every complete message it can; ignored once closing. */
void pgw_conn_recv(pgw_conn *c, const uint8_t *p, size_t n);

/* ---------------------------------------------------------------- edge: actions out */

/* Move the bytes ready to send (up to the last flush point) to the end of dst. */
void pgw_conn_take_output(pgw_conn *c, mice_buf *dst);
/* All buffered output, flushed or not (for back-pressure). */
size_t pgw_conn_output_bytes(const pgw_conn *c);
/* False while a request is outstanding or once closing: stop reading the socket. */
bool pgw_conn_wants_input(const pgw_conn *c);
/* True once the connection is over: write the remaining output, then close the socket.
 * If a request is still outstanding, cancel it in the session first. */
bool pgw_conn_closing(const pgw_conn *c);
/* Why it closed ("" for Terminate); borrowed, valid while c lives. */
const char *pgw_conn_close_reason(const pgw_conn *c);
/* A CancelRequest arrived: true once, with the backend it names. */
bool pgw_conn_take_cancel(pgw_conn *c, int32_t *pid, int32_t *secret_key);
/* Start-up information once the StartupMessage was accepted, else NULL. */
const pgw_startup_info *pgw_conn_startup_info(const pgw_conn *c);
/* True between ReadyForQuery and the connection's end (tests, metrics). */
bool pgw_conn_is_ready(const pgw_conn *c);

/* ---------------------------------------------------------------- session: answers */

/* Answer to lookup_verifier; v NULL when the user does not exist or has no password.
 * Copied; ends the request. */
void pgw_conn_provide_verifier(pgw_conn *c, const scram_verifier *v);
void pgw_conn_row_description(pgw_conn *c, const pgw_field *fields, size_t n);
void pgw_conn_data_row(pgw_conn *c, const pgw_value *values, size_t n);
void pgw_conn_command_complete(pgw_conn *c, const char *tag);
void pgw_conn_empty_query(pgw_conn *c);
void pgw_conn_portal_suspended(pgw_conn *c);
void pgw_conn_parameter_description(pgw_conn *c, const pgw_oid_t *types, size_t n);
void pgw_conn_no_data(pgw_conn *c);
void pgw_conn_notice(pgw_conn *c, const pgw_error *e);
void pgw_conn_parameter_status(pgw_conn *c, const char *name, const char *value);
/* Severity FATAL (or any error while starting) closes the connection after done(). */
void pgw_conn_error(pgw_conn *c, const pgw_error *e);
void pgw_conn_copy_in(pgw_conn *c, int8_t format, const int16_t *column_formats, size_t n);
void pgw_conn_copy_out(pgw_conn *c, int8_t format, const int16_t *column_formats, size_t n);
void pgw_conn_copy_data(pgw_conn *c, mice_slice data); /* copy-out rows */
void pgw_conn_copy_done(pgw_conn *c);                  /* end of copy-out data */
/* The current request is finished. May run further requests before it returns. */
void pgw_conn_done(pgw_conn *c);

#endif
