/*
 * http.h - the node's HTTP/JSON server: listener, route table, request and response.
 *
 * libmicrohttpd (MHD) parses HTTP/1.1 on its own thread pool (epoll, `threads` threads
 * sharing one listening socket we bind ourselves, so bind errors are exact), or with
 * thread_per_connection on one thread per connection, for handlers that block. Its API stays
 * inside http.c: handlers see an http_request (method, percent-decoded path, query
 * parameters, headers, body) and fill an http_response (status, content type, extra
 * headers, and either an owned body or a streaming callback for NDJSON and the like).
 *
 * Routes are "METHOD pattern": a pattern is an exact path ("/health") or a prefix ending in
 * a slash and a star ("/v1/kv/" + "*"), whose remainder the handler gets as path_rest. A
 * GET route also
 * answers HEAD (MHD sends the headers and Content-Length, never the body). Unknown paths
 * get 404, a known path with another method 405 with an Allow header; a malformed request
 * target 400; a body over max_body_bytes 413 (at once when Content-Length says so; a
 * chunked body is discarded past the limit and answered 413 at its end). Every error body
 * is JSON: {"error": "<message>", "code": "<code>"}. A request line MHD cannot parse is
 * answered 400 by MHD itself (its own short body). Request bytes are never trusted.
 *
 * Built-in routes: GET / (name, version, the route table) and GET /health:
 *   /health          readiness: 200 {"status":"ok","live":true,"ready":true} when the
 *                    config's ready() callback says so (no callback: always ready), else
 *                    503 {"status":"unavailable","live":true,"ready":false}.
 *   /health?ready=1  the same (explicit form, as load balancers spell it).
 *   /health?ready=0  liveness only: 200 whenever the process answers; the body still
 *                    tells whether it is ready. Any other value of ready is 400.
 *
 * Errors: httpd_create returns MICE_INVALID for a bad config or address; httpd_start
 * MICE_BUSY "<addr>: address already in use", MICE_INVALID "<addr>: ..." for an address
 * that cannot be bound, MICE_IOERR otherwise.
 *
 * Owns: the listener, MHD's threads, every request's state. Borrows: handler contexts and
 * the ready callback's context, which must outlive httpd_stop.
 * Thread safety: create/route/start/stop/destroy from one controlling thread; handlers,
 * the ready callback and stream callbacks run on MHD's threads, several at once, so they
 * must be thread-safe; the route table is frozen at start. httpd_port and
 * httpd_get_stats from any thread.
 * Invariants: each request gets exactly one response; after httpd_stop returns no
 * handler or stream callback runs and every request's memory is freed.
 */
#ifndef MICE_SERVER_HTTP_H
#define MICE_SERVER_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum {
    HTTPD_THREADS_DEFAULT = 2,
    HTTPD_MAX_CONNECTIONS_DEFAULT = 1024,
    HTTPD_MAX_BODY_BYTES_DEFAULT = 1 << 20,
    HTTPD_IDLE_TIMEOUT_S_DEFAULT = 60, /* an idle keep-alive connection is closed after */
    HTTPD_ROUTES_MAX = 64,
    HTTP_QUERY_PARAMS_MAX = 32,      /* more parameters in one target: 400 */
    HTTP_RESPONSE_HEADERS_MAX = 8,   /* extra headers a handler may add */
    HTTP_STREAM_BLOCK_BYTES = 32768, /* the most a stream callback is asked for at once */
};

typedef struct httpd httpd;

typedef struct httpd_config {
    const char *listen_addr;  /* "host:port", IPv4, [IPv6] or localhost; port 0 picks one */
    unsigned threads;         /* 0: HTTPD_THREADS_DEFAULT */
    bool thread_per_connection; /* one thread per connection (up to max_connections) instead
                                 * of `threads` shared ones: for handlers and streams that
                                 * block for long (SQL over HTTP) */
    unsigned max_connections; /* 0: HTTPD_MAX_CONNECTIONS_DEFAULT; split over the threads;
                               * at the limit new ones wait in the listen backlog */
    size_t max_body_bytes;    /* 0: HTTPD_MAX_BODY_BYTES_DEFAULT */
    unsigned idle_timeout_s;  /* 0: HTTPD_IDLE_TIMEOUT_S_DEFAULT */
    const char *version;      /* reported by GET /; NULL: "unknown" */
    bool (*ready)(void *ctx); /* readiness for /health; any MHD thread; NULL: ready */
    void *ready_ctx;
} httpd_config;

typedef struct httpd_stats {
    uint64_t requests; /* requests answered */
    uint64_t responses_2xx;
    uint64_t responses_4xx;
    uint64_t responses_5xx;
} httpd_stats;

/* ---- request target parsing (pure; exposed for tests and fuzzing) ---- */

/* A request target ("/path?query") split and percent-decoded. Path bytes may be anything
 * (%00 included); in the query '+' is a space. Owns its decoded bytes. */
typedef struct http_uri {
    mice_buf decoded; /* the path, then each name and value */
    size_t path_n;
    size_t n_params;
    struct {
        size_t name_off, name_n, value_off, value_n;
    } params[HTTP_QUERY_PARAMS_MAX];
} http_uri;

void http_uri_init(http_uri *u);
void http_uri_deinit(http_uri *u);
/* Parse an origin-form target (starts with '/'), or an absolute-form one ("http://host/p",
 * whose authority is ignored). MICE_INVALID with a message for control
 * bytes, a bad %-escape, or more than HTTP_QUERY_PARAMS_MAX parameters. u is reset first. */
mice_status http_uri_parse(http_uri *u, mice_slice target, mice_err *err);
/* Borrowed: valid until the next parse or deinit. */
mice_slice http_uri_path(const http_uri *u);
/* The first parameter named name; false when absent. value borrowed as above. */
bool http_uri_query(const http_uri *u, const char *name, mice_slice *value);

/* Parse a request body as one JSON value (duplicate keys rejected, no trailing bytes, NUL
 * bytes rejected). MICE_INVALID "line L, column C: ..." on bad input. *out is a new
 * reference the caller json_decref()s. */
mice_status http_json_parse(mice_slice body, json_t **out, mice_err *err);

/* ---- handlers ---- */

typedef struct http_request {
    const char *method;   /* "GET", "HEAD", "POST", ... (HEAD for a GET route's HEAD) */
    mice_slice path;      /* percent-decoded */
    mice_slice path_rest; /* the part a trailing "*" matched; empty otherwise */
    mice_slice body;      /* at most max_body_bytes */
    const http_uri *uri;  /* query parameters: http_uri_query(req->uri, ...) */
    void *conn_;          /* private to http.c */
} http_request;           /* Borrowed by handlers: valid during the handler call only. */

/* A header by name (case-insensitive); NULL when absent. Borrowed like the request. */
const char *http_request_header(const http_request *req, const char *name);
/* True when the client connects from 127.0.0.0/8 or ::1 (IPv4-mapped too): the HTTP
 * APIs trust such clients like the PostgreSQL listener does in its insecure mode. */
bool http_request_peer_is_loopback(const http_request *req);
/* True when the client has closed its connection (or it failed): a handler that waits for
 * long polls this to give up early. Only a closed write side is seen (a client that
 * half-closes and still reads looks gone). */
bool http_request_client_gone(const http_request *req);

typedef struct http_response http_response;

/* Fill the buffer with at most cap bytes; set *n_out (>0) or *done (with *n_out >= 0).
 * May block (it runs on an MHD thread). A non-OK status cuts the response off. Never
 * called again after *done or an error. */
typedef mice_status (*http_stream_fn)(void *ctx, uint8_t *buf, size_t cap, size_t *n_out,
                                      bool *done);
/* Called exactly once when the response is finished or abandoned (client gone, stop). */
typedef void (*http_stream_free_fn)(void *ctx);

/* A handler calls exactly one http_respond* (a second call replaces the first; none at all
 * is answered 500). Runs on an MHD thread. */
typedef void (*http_handler_fn)(void *ctx, const http_request *req, http_response *resp);

/* Body taken (left empty); content_type copied. */
void http_respond(http_response *resp, int status, const char *content_type, mice_buf *body);
/* Serialises doc compactly as application/json and drops the caller's reference. */
void http_respond_json(http_response *resp, int status, json_t *doc);
/* {"error": message, "code": code} with status. */
void http_respond_error(http_response *resp, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An error from a status: MICE_INVALID 400, MICE_NOTFOUND 404, MICE_LIMIT 413,
 * MICE_UNSUPPORTED 501, MICE_BUSY/MICE_CLOSED/MICE_NOT_LEADER 503, else 500. */
void http_respond_status(http_response *resp, mice_status rc, const char *message);
/* Chunked response produced by fn; free_fn(ctx) always runs once, even if this response is
 * replaced or never sent. */
void http_respond_stream(http_response *resp, int status, const char *content_type,
                         http_stream_fn fn, http_stream_free_fn free_fn, void *ctx);
/* Add a response header (copied). MICE_LIMIT past HTTP_RESPONSE_HEADERS_MAX, MICE_INVALID
 * for CR/LF in name or value. */
mice_status http_response_header(http_response *resp, const char *name, const char *value);

/* ---- the server ---- */

/* Copies cfg. MICE_INVALID with a message for a bad config or unparsable address. */
mice_status httpd_create(const httpd_config *cfg, httpd **out, mice_err *err);
/* Register a route before httpd_start; method is "GET", "POST", "PUT", "DELETE"...
 * MICE_EXISTS for a duplicate, MICE_LIMIT past HTTPD_ROUTES_MAX, MICE_INVALID for a bad
 * pattern. fn and ctx must outlive the server. */
mice_status httpd_route(httpd *s, const char *method, const char *pattern, http_handler_fn fn,
                        void *ctx, mice_err *err);
/* Bind, listen and start the threads. Logs one line. */
mice_status httpd_start(httpd *s, mice_err *err);
/* The bound port after start, else 0. */
int httpd_port(const httpd *s);
/* Close the listener and every connection (clients holding one open are cut off), join
 * the threads. Idempotent; no-op before start. */
void httpd_stop(httpd *s);
/* Stops if needed, frees. NULL is fine. */
void httpd_destroy(httpd *s);

httpd_stats httpd_get_stats(const httpd *s);

#endif
