/*
 * resp_proto.h - the Redis protocol (RESP2 and RESP3) as bytes: a command parser and the
 * reply encoders. Pure: no sockets, no threads, no clock.
 *
 * Requests. A client sends commands either as a multibulk ("*<n>\r\n" then n bulk strings
 * "$<len>\r\n<bytes>\r\n") or, when the first byte is not '*', as one inline line of
 * words separated by blanks with Redis's quoting rules ("..." with \n \r \t \b \a \\ \"
 * and \xHH escapes, '...' with \'). resp_parse_command takes the bytes received so far and
 * either returns one complete command, asks for more (MICE_AGAIN, with the least total
 * input that can complete it in need_bytes, so a 100 MB value is not re-parsed for every
 * read), or fails with exactly Redis 7's protocol error text (MICE_INVALID), after which
 * the server replies "-ERR <text>" and closes the connection:
 *   Protocol error: too big inline request           (a line over RESP_INLINE_MAX_BYTES)
 *   Protocol error: unbalanced quotes in request
 *   Protocol error: too big mbulk count string       (no CR within RESP_INLINE_MAX_BYTES)
 *   Protocol error: invalid multibulk length         (not a number, or > RESP_ARGS_MAX)
 *   Protocol error: too big bulk count string
 *   Protocol error: expected '$', got 'x'
 *   Protocol error: invalid bulk length              (not a number, < 0, > max_bulk_bytes)
 * Nothing is allocated from a declared length: a bulk is only taken once all its bytes
 * are there, so memory follows what the client really sent, and max_bulk_bytes (Redis's
 * proto-max-bulk-len, 512 MB) bounds one argument. As in Redis, the two bytes after a
 * bulk are skipped unchecked. "*0" / "*-1" and blank inline lines are empty commands
 * (n_args == 0), which the caller skips.
 *
 * Replies. resp_put_* append one value to a buffer; `ver` (2 or 3) picks RESP2's or
 * RESP3's shape where they differ (null, map, set, double, boolean, verbatim string).
 * Error texts have CR and LF replaced by spaces, as Redis does, so a reply is one line.
 * resp_reply_scan measures one complete reply value (tests, the fuzzer, tools).
 *
 * Owns: a parser owns its argument array and inline scratch; parsed arguments borrow the
 * input (multibulk) or the scratch (inline) until the next parse call.
 * Thread safety: a parser belongs to one thread; the encoders are pure functions.
 */
#ifndef MICE_SERVER_RESP_PROTO_H
#define MICE_SERVER_RESP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum {
    RESP_INLINE_MAX_BYTES = 64 * 1024,               /* Redis's PROTO_INLINE_MAX_SIZE */
    RESP_MAX_BULK_BYTES_DEFAULT = 512 * 1024 * 1024, /* Redis's proto-max-bulk-len */
    RESP_ARGS_MAX = 1024 * 1024,                     /* arguments of one command */
    RESP_REPLY_DEPTH_MAX = 64,                       /* nesting resp_reply_scan accepts */
};

typedef struct resp_parser {
    size_t max_bulk_bytes;
    size_t need_bytes; /* after MICE_AGAIN: input shorter than this cannot complete */
    mice_slice *args;  /* the last command; borrowed bytes (see above) */
    size_t n_args, cap_args;
    mice_buf scratch; /* inline arguments, unescaped */
} resp_parser;

/* max_bulk_bytes 0 = RESP_MAX_BULK_BYTES_DEFAULT. */
void resp_parser_init(resp_parser *p, size_t max_bulk_bytes);
void resp_parser_deinit(resp_parser *p);

/* Parse one command at the start of in. MICE_OK: p->args[0..n_args) and *consumed (the
 * bytes it used). MICE_AGAIN: incomplete; p->need_bytes says how much input is needed at
 * least. MICE_INVALID: the Redis protocol error in err (the connection must close). */
mice_status resp_parse_command(resp_parser *p, mice_slice in, size_t *consumed, mice_err *err);

/* --- replies --------------------------------------------------------------------------- */

void resp_put_simple(mice_buf *b, const char *s);  /* +s */
void resp_put_error(mice_buf *b, const char *msg); /* -msg (msg starts with its code: "ERR ...") */
void resp_put_errorf(mice_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void resp_put_int(mice_buf *b, int64_t v);
void resp_put_bulk(mice_buf *b, mice_slice s);
void resp_put_bulk_str(mice_buf *b, const char *s);
void resp_put_null(mice_buf *b, int ver);       /* $-1 / _ */
void resp_put_null_array(mice_buf *b, int ver); /* *-1 / _ */
void resp_put_array(mice_buf *b, size_t n);
void resp_put_map(mice_buf *b, int ver, size_t n_pairs); /* %n / *2n */
void resp_put_set(mice_buf *b, int ver, size_t n);       /* ~n / *n */
void resp_put_bool(mice_buf *b, int ver, bool v);        /* #t / :1 */
/* RESP3 "=<len>\r\n<fmt>:<text>" (fmt is 3 letters, e.g. "txt"); RESP2 a bulk string. */
void resp_put_verbatim(mice_buf *b, int ver, const char *fmt, mice_slice text);

/* A client's request as a multibulk (tests, benchmarks, the fuzzer). */
void resp_put_command(mice_buf *b, const mice_slice *args, size_t n);

/* The length of the one complete reply value at the start of in (any RESP2/RESP3 type,
 * aggregates nested up to RESP_REPLY_DEPTH_MAX). MICE_AGAIN when incomplete, MICE_INVALID
 * when malformed. */
mice_status resp_reply_scan(mice_slice in, size_t *len);

#endif
