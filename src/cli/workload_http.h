/*
 * workload_http.h - a minimal HTTP/1.1 client for `micedb workload`'s --http and --etcd
 * targets: one keep-alive TCP connection, one request at a time, blocking.
 *
 * Requests carry Content-Length; responses are read by Content-Length or chunked
 * transfer-coding (what libmicrohttpd and Go's net/http send). A request on a connection
 * the server closed while idle is retried once on a fresh connection; "Connection: close"
 * in a response closes ours after reading it. Receives time out after WL_HTTP_TIMEOUT_S.
 *
 * Owns: its socket and buffers. Thread safety: one thread at a time (a worker's own).
 */
#ifndef MICE_CLI_WORKLOAD_HTTP_H
#define MICE_CLI_WORKLOAD_HTTP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/status.h"

enum { WL_HTTP_TIMEOUT_S = 10, WL_HTTP_HEAD_MAX = 16384 };

typedef struct wl_http wl_http;

/* addr: "host:port" or "http://host:port[/]". Connects at once (MICE_UNAVAILABLE when it
 * cannot, MICE_INVALID for a bad address). */
mice_status wl_http_open(const char *addr, wl_http **out, mice_err *err);
void wl_http_close(wl_http *h); /* NULL is ignored */

/* One request; *status = the HTTP status, body replaced by the response body. Transport
 * failures (after the one retry) are MICE_UNAVAILABLE / MICE_CORRUPT (bad response). */
mice_status wl_http_request(wl_http *h, const char *method, const char *path,
                            const char *content_type, const void *body, size_t n, int *status,
                            mice_buf *resp, mice_err *err);

/* Append the base64 (RFC 4648, padded) of p[0..n) to out. */
void wl_base64(mice_buf *out, const void *p, size_t n);

#endif
