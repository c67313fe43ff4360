/*
 * http_sql.h - SQL over HTTP: POST /v1/sql, answered as a stream of NDJSON lines.
 *
 * Request (application/json):
 *   {"sql": "SELECT ...", "params": [1, "x", null], "database": "defaultdb"}
 *   {"statements": ["INSERT ...", {"sql": "UPDATE ... $1", "params": [2]}], "database": ...}
 * "sql" without params may hold several statements separated by ';' (they run as one
 * implicit transaction, as a psql -c string does); with params it must be one statement
 * ($1, $2, ... typed from context, as the extended protocol does). "statements" run in
 * order as ONE transaction: all of them commit or none (BEGIN ... COMMIT around them; the
 * first error stops and rolls back). Params are JSON scalars sent as text (numbers as
 * written, true/false, null as NULL; arrays and objects as their JSON text).
 * "database" defaults to defaultdb.
 *
 * Answer (application/x-ndjson), per statement that ran:
 *   {"columns":[{"name":"id","type":"integer"},...]}   when it returns rows
 *   {"id":1,"name":"ann"}                               one object per row
 *   {"command":"SELECT 1"}                              the command tag
 * Values follow http_json.h (numbers where exact, null, else PostgreSQL's text output).
 * Duplicate column names in one row object get "_2", "_3"... suffixes (the columns line
 * keeps the real names).
 *
 * Errors: HTTP status by SQLSTATE (http_json_status_for_sqlstate: 400 user errors, 409
 * serialization failures, 500 internal) with {"error": message, "code": SQLSTATE} plus
 * "detail", "hint", "position" when PostgreSQL would send them. Once rows have streamed
 * past HTTP_SQL_HEAD_BYTES the status line is gone: the error then arrives as that JSON
 * object on the last line (and no command line follows), so a client that reads the
 * stream must check the last line. Smaller answers are held until the request ends, so
 * their status is always exact.
 *
 * How it runs: each request is one session of the PostgreSQL backend (pgbackend.h) -
 * the same sessions pgserver runs, so transactions, SET, errors and users behave alike -
 * driven through the backend's vtab on one of HTTP_SQL_WORKERS_DEFAULT worker threads of
 * its own. The handler waits until the head of the answer is known (done, or
 * HTTP_SQL_HEAD_BYTES ready); the rest flows through a bounded buffer: the worker blocks
 * above HTTP_SQL_HIGH_WATER_BYTES until MHD's stream callback has sent it, so a result of
 * any size costs constant memory and goes at the client's pace. A request beyond the
 * worker count gets 503 (53300) at once instead of queueing, so a handler never waits on
 * a worker that waits on an MHD thread. A client that goes away cancels its statement
 * (noticed by the stream, or by the waiting handler polling its socket every 100 ms).
 *
 * Owns: its worker pool and every in-flight job. Borrows the backend (vtab + context)
 * and auth, which outlive it. Thread safety: handlers and streams run on MHD threads;
 * jobs on the pool; a job's channel has a mutex shared by its two sides. create,
 * register, stop and destroy from the controlling thread.
 */
#ifndef MICE_SERVER_HTTP_SQL_H
#define MICE_SERVER_HTTP_SQL_H

#include <jansson.h>

#include "base/status.h"
#include "server/http.h"
#include "server/http_auth.h"
#include "server/pgbackend.h"

enum {
    HTTP_SQL_WORKERS_DEFAULT = 8,           /* SQL requests running at once */
    HTTP_SQL_HEAD_BYTES = 64 * 1024,        /* answer held back to get the status right */
    HTTP_SQL_HIGH_WATER_BYTES = 256 * 1024, /* the worker waits above this */
    HTTP_SQL_STATEMENTS_MAX = 1024,
    HTTP_SQL_PARAMS_MAX = 65535, /* PostgreSQL's limit */
};

#define HTTP_SQL_DEFAULT_DATABASE "defaultdb"

typedef struct http_sql http_sql;

typedef struct http_sql_config {
    const pgb_backend_vtab *backend; /* borrowed: the PostgreSQL sessions */
    void *backend_ctx;               /* borrowed */
    const http_auth *auth;           /* borrowed; NULL = everyone is root (tests) */
    unsigned workers;                /* 0 = HTTP_SQL_WORKERS_DEFAULT */
} http_sql_config;

mice_status http_sql_create(const http_sql_config *cfg, http_sql **out, mice_err *err);
mice_status http_sql_register(http_sql *q, httpd *s, mice_err *err);
/* Before httpd_stop: running statements are cancelled and waiting handlers answer 503,
 * so the server's threads can be joined promptly. */
void http_sql_stop(http_sql *q);
/* After httpd_stop: waits for the jobs, frees. NULL is ignored. */
void http_sql_destroy(http_sql *q);

#endif
