/*
 * httpget.h - one blocking HTTP/1.1 GET for the command-line tools (`micedb node status`).
 *
 * Sends "GET path" with Connection: close to host:port and reads the whole answer: status
 * code and body (chunked transfer encoding is decoded). Not a general client: no TLS, no
 * redirects, bodies up to CLI_HTTP_BODY_MAX.
 *
 * Owns nothing after return. Thread safety: any thread; blocks up to timeout_ms.
 */
#ifndef MICE_CLI_HTTPGET_H
#define MICE_CLI_HTTPGET_H

#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum { CLI_HTTP_BODY_MAX = 64 << 20 };

/* body receives the response body (appended). MICE_UNAVAILABLE when the connection fails,
 * MICE_TIMEOUT, MICE_CORRUPT for an answer that is not HTTP, MICE_LIMIT past the maximum. */
mice_status cli_http_get(const char *addr, const char *path, uint64_t timeout_ms, int *status,
                         mice_buf *body, mice_err *err);

#endif
