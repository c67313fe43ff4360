/*
 * http_auth.h - who is calling the HTTP APIs (/v1/kv, /v1/sql): the same rule as the
 * PostgreSQL listener in its insecure (development) mode.
 *
 *   - Only loopback clients are served (127.0.0.0/8, ::1): others get 403.
 *   - The user is the one named by HTTP Basic credentials (RFC 7617), else "root".
 *   - A user with a password (a SCRAM-SHA-256 verifier in the catalog, set by CREATE USER
 *     ... PASSWORD) must send it: it is checked against the verifier (PBKDF2 with the
 *     stored salt and iterations, constant-time compare); missing or wrong credentials
 *     get 401 with `WWW-Authenticate: Basic realm="micedb"`.
 *   - A user without a password is trusted (as `psql -h 127.0.0.1` is).
 *   - An unknown user, or a role without LOGIN, gets 401 (28000), like a failed password,
 *     so the answer does not tell which users exist.
 * Error bodies are the APIs' JSON {"error": ..., "code": <SQLSTATE>} (28P01 bad password,
 * 28000 no such login role).
 *
 * Owns: nothing; borrows the txn_db and catalog (they outlive it). Thread safety: any
 * thread (each check reads the user in its own short transaction).
 */
#ifndef MICE_SERVER_HTTP_AUTH_H
#define MICE_SERVER_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "server/http.h"
#include "sql/catalog.h"
#include "txn/txn.h"

enum { HTTP_AUTH_USER_MAX = 64 }; /* NAMEDATALEN */

typedef struct http_auth {
    txn_db *db;   /* borrowed */
    catalog *cat; /* borrowed */
} http_auth;

/* Decode an Authorization header value "Basic <base64(user:password)>" (scheme
 * case-insensitive). false when it is not one, or the user is empty or too long.
 * password gets at most pass_cap - 1 bytes (false when longer). Pure. */
bool http_auth_parse_basic(const char *header, char *user, size_t user_cap, char *password,
                           size_t pass_cap);

/* Who req is. true with the user name in user[HTTP_AUTH_USER_MAX]; false after answering
 * resp with 401/403 (or 500 when the catalog cannot be read). */
bool http_auth_check(const http_auth *a, const http_request *req, http_response *resp, char *user);

#endif
