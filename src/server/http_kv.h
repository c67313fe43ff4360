/*
 * http_kv.h - the key-value HTTP/JSON API over the KV namespace (/kv/<user key>).
 *
 *   GET    /v1/kv/{key}            the value's raw bytes (application/octet-stream), with
 *                                  header X-Expires-At (RFC 3339) when it has an expiry;
 *                                  404 {"error","code":"not_found"} when absent or expired
 *   PUT    /v1/kv/{key}[?ttl=S]    body = the value's raw bytes; ttl in whole seconds
 *                                  (1..HTTP_KV_TTL_MAX_S); 200 {"ok":true,"expires_at":..}
 *   DELETE /v1/kv/{key}            200 {"deleted":true}; 404 when there was nothing
 *   GET    /v1/kv?start=&end=&prefix=&limit=&reverse=
 *                                  NDJSON, one {"key","value","expires_at"} per line in
 *                                  key order (reverse: descending), from one snapshot;
 *                                  [start, end) or every key with prefix; limit > 0
 *   POST   /v1/kv/txn              compare-and-set batch (below)
 * {key} is the percent-decoded rest of the path, so any byte can be sent (%00, %2F...).
 * Keys and values in JSON follow http_json.h: a string when valid UTF-8, else base64
 * under "<name>_b64" (both accepted in requests). Expiry is exact: an expired key is
 * never returned, whatever the state of its cleanup.
 *
 * The batch, like etcd's Txn: {"compare": [...], "success": [...], "failure": [...]}.
 * A compare is {"key": k, "value": v} (the key exists with exactly v) or {"key": k,
 * "exists": true|false}. All compares true: the success ops run, else the failure ops;
 * an op is {"op":"put","key":k,"value":v[,"ttl":S]}, {"op":"delete","key":k} or
 * {"op":"get","key":k}. Everything runs in ONE SERIALIZABLE transaction: the compares'
 * reads are validated at commit, so the batch is atomic against concurrent writers
 * (retried up to HTTP_KV_TXN_RETRIES times on a serialization failure, then 409).
 * Answer: 200 {"succeeded": bool, "results": [one object per op run: {"op":"put"},
 * {"op":"delete","deleted":bool}, {"op":"get","found":bool[,"key","value","expires_at"]}]}.
 *
 * Errors: HTTP status + {"error": message, "code": c}: 400 bad_request (bad key, ttl,
 * limit, JSON), 404 not_found, 409 conflict (serialization failure, deadlock, lock
 * timeout that outlived the retries), 500 internal; authentication (http_auth.h) 401/403
 * with the SQLSTATE 28000/28P01 as code.
 *
 * Owns: the http_kv context; borrows the txn_db, env and auth (they outlive it and the
 * server). Thread safety: handlers and streams run on the HTTP server's threads, several
 * at once; each request uses its own transaction, the context is read-only.
 */
#ifndef MICE_SERVER_HTTP_KV_H
#define MICE_SERVER_HTTP_KV_H

#include <jansson.h>

#include "base/env.h"
#include "base/status.h"
#include "server/http.h"
#include "server/http_auth.h"
#include "txn/txn.h"

enum {
    HTTP_KV_TTL_MAX_S = 10 * 365 * 24 * 3600, /* ten years */
    HTTP_KV_TXN_OPS_MAX = 1024,               /* compares, and ops per branch */
    HTTP_KV_TXN_RETRIES = 10,
    HTTP_KV_SCAN_BATCH_ROWS = 256,
};

typedef struct http_kv http_kv;

typedef struct http_kv_config {
    txn_db *db;            /* borrowed */
    const mice_env *env;   /* borrowed; NULL = mice_env_real() */
    const http_auth *auth; /* borrowed; NULL = no authentication (tests) */
} http_kv_config;

http_kv *http_kv_create(const http_kv_config *cfg);
void http_kv_destroy(http_kv *kv); /* NULL is ignored */
/* Add the routes above to s (before httpd_start). */
mice_status http_kv_register(http_kv *kv, httpd *s, mice_err *err);

/* The compare-and-set batch on its own (the POST handler's core; tests call it): doc is
 * the request body, *answer (a new reference) the 200 body. MICE_INVALID for a malformed
 * batch (nothing ran); txn errors as txn.h (MICE_CONFLICT after the retries). */
mice_status http_kv_txn(http_kv *kv, const json_t *doc, json_t **answer, mice_err *err);

#endif
