/*
 * status.h - the one error vocabulary of MiceDB.
 *
 * Every function that can fail returns a mice_status. The codes and their texts come from
 * one X-macro so they never drift apart. When a caller needs detail (which key, which
 * column, what the peer sent), the callee fills a mice_err the caller passed in: the code
 * travels as the return value, the message beside it. Edges (pgwire, RESP, HTTP, logs)
 * turn statuses into SQLSTATEs, -ERR lines, HTTP codes or log lines; library code never
 * prints and never exits on bad input.
 *
 * Owns: nothing. Thread safety: all functions are pure or write only the caller's mice_err.
 * Invariants: MICE_OK is 0, so `if (rc) goto done;` reads naturally. Codes travel between
 * nodes (an rpc Response carries one): add new codes at the end, never renumber.
 */
#ifndef MICE_BASE_STATUS_H
#define MICE_BASE_STATUS_H

#include <stdarg.h>
#include <stddef.h>

#define MICE_STATUS_MAP(X)                                                                    \
    X(MICE_OK, "ok")                                                                          \
    X(MICE_NOTFOUND, "not found")                                                             \
    X(MICE_EXISTS, "already exists")                                                          \
    X(MICE_CONFLICT, "conflict; retry")                                                       \
    X(MICE_IOERR, "I/O error")                                                                \
    X(MICE_CORRUPT, "corrupt data")                                                           \
    X(MICE_INVALID, "invalid input")                                                          \
    X(MICE_RANGE, "value out of range")                                                       \
    X(MICE_NOMEM, "out of memory")                                                            \
    X(MICE_LIMIT, "resource limit exceeded")                                                  \
    X(MICE_BUSY, "busy")                                                                      \
    X(MICE_TIMEOUT, "timed out")                                                              \
    X(MICE_CLOSED, "closed")                                                                  \
    X(MICE_AGAIN, "try again")                                                                \
    X(MICE_ABORTED, "aborted")                                                                \
    X(MICE_NOT_LEADER, "not leader")                                                          \
    X(MICE_TS_TOO_OLD, "timestamp below the garbage collection horizon")                      \
    X(MICE_UNSUPPORTED, "not supported")                                                      \
    X(MICE_INTERNAL, "internal error")                                                        \
    X(MICE_UNAVAILABLE, "unavailable; the peer cannot be reached")

typedef enum {
#define X(code, text) code,
    MICE_STATUS_MAP(X)
#undef X
        MICE_STATUS_COUNT
} mice_status;

/* Static text for a code; never NULL (unknown codes give "unknown status"). */
const char *mice_status_str(mice_status s);
/* The code's name, e.g. "MICE_NOTFOUND"; never NULL. */
const char *mice_status_name(mice_status s);

enum { MICE_ERR_MSG_MAX = 512 };

/* Detail beside a status. Callers may pass NULL where they do not want detail. */
typedef struct mice_err {
    mice_status code;
    char msg[MICE_ERR_MSG_MAX];
} mice_err;

/* Clear to MICE_OK with an empty message. */
void mice_err_clear(mice_err *e);

/* Record code and a printf-style message in e (if e is not NULL); returns code, so
 * `return mice_err_setf(err, MICE_INVALID, "bad length %zu", n);` reads as one step. */
mice_status mice_err_setf(mice_err *e, mice_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
mice_status mice_err_vsetf(mice_err *e, mice_status code, const char *fmt, va_list ap);

/* The message if one was set, else the code's text. */
const char *mice_err_msg(const mice_err *e);

#endif
