/*
 * pgw_msg.h - PostgreSQL wire protocol v3 messages: the frontend framer and decoder, and
 * the backend encoder.
 *
 * A socket delivers bytes in arbitrary chunks. The framer (pgw_framer) collects them and
 * yields one complete message at a time: first the untyped start-up packets (length +
 * code: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest), then typed messages
 * (type byte + length). Lengths are checked as soon as their header arrives, so an
 * oversized or garbage message is refused before its body is buffered; the framer holds
 * at most one message plus the chunk it was last fed. pgw_decode() turns a frame into a
 * pgw_fe_msg, validating every length, count, terminator and code; nothing in it trusts
 * the peer. The encoder functions (pgw_put_*) append one backend message each to a
 * mice_buf.
 *
 * Errors: MICE_CORRUPT for malformed framing or structure (bad length, missing NUL,
 * trailing bytes, unknown type byte), MICE_INVALID for well-formed values that are not
 * allowed (format code 2, Describe kind 'X'), MICE_LIMIT for a message over its size limit
 * or arrays over the decode arena's budget. All come with a message in the mice_err; for a
 * malformed body it is PostgreSQL's text for the same fault ("insufficient data left in
 * message", "invalid string in message", "invalid message format", ...), since the
 * connection sends it to the client.
 * Once the framer has failed it keeps failing: the connection must be closed.
 *
 * Owns: a framer owns its buffer. Decoded messages borrow: strings and byte slices point
 * into the frame (valid until the next pgw_framer_feed()/pgw_framer_deinit()), arrays are
 * allocated in the caller's arena. Strings are NUL-terminated in place (the decoder has
 * checked the terminator), so `const char *` fields can be used as C strings.
 * Thread safety: a framer belongs to one thread (the connection's io thread).
 */
#ifndef MICE_SERVER_PGW_MSG_H
#define MICE_SERVER_PGW_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"

enum {
    PGW_PROTOCOL_3_0 = 3 << 16,          /* StartupMessage version 3.0 */
    PGW_CANCEL_REQUEST_CODE = 80877102,  /* 1234.5678 */
    PGW_SSL_REQUEST_CODE = 80877103,     /* 1234.5679 */
    PGW_GSSENC_REQUEST_CODE = 80877104,  /* 1234.5680 */
    PGW_STARTUP_MAX_BYTES = 10000,       /* PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
    PGW_SMALL_MSG_MAX_BYTES = 10000,     /* Sync, Flush, Close, Describe, Execute, ... */
    PGW_AUTH_MSG_MAX_BYTES = 65535,      /* 'p' messages (PG_MAX_AUTH_TOKEN_LENGTH) */
    PGW_MSG_MAX_BYTES_DEFAULT = 1 << 30, /* 1 GiB, PostgreSQL's large-message limit */
    PGW_STARTUP_PARAMS_MAX = 64,
};

typedef int32_t pgw_oid_t; /* OIDs travel as int32 on the wire; 0 means unspecified */

/* ---------------------------------------------------------------- framer */

typedef struct pgw_frame {
    uint8_t type;    /* 0 for an untyped start-up packet */
    mice_slice body; /* after the length word; borrowed from the framer */
} pgw_frame;

typedef struct pgw_framer {
    mice_buf buf;
    size_t start; /* first byte not yet yielded */
    size_t max_msg_bytes;
    bool startup; /* expecting an untyped start-up packet */
    mice_status failed;
    char failed_msg[128];
} pgw_framer;

/* Starts in start-up mode. max_msg_bytes 0 means PGW_MSG_MAX_BYTES_DEFAULT; it bounds
 * the large messages (Query, Parse, Bind, CopyData, ...), never the small ones. */
void pgw_framer_init(pgw_framer *f, size_t max_msg_bytes);
void pgw_framer_deinit(pgw_framer *f);
/* Switch between untyped start-up packets and typed messages. The connection switches
 * after the StartupMessage (and back after answering SSLRequest, still in start-up). */
void pgw_framer_set_startup(pgw_framer *f, bool startup);
/* Append bytes as received. Invalidates every frame yielded so far. */
void pgw_framer_feed(pgw_framer *f, const uint8_t *p, size_t n);
/* Next complete message: MICE_OK and *out set; MICE_AGAIN when more bytes are needed;
 * MICE_CORRUPT / MICE_LIMIT (sticky) when the stream is bad. out->body stays valid until
 * the next pgw_framer_feed() or pgw_framer_deinit(). */
mice_status pgw_framer_next(pgw_framer *f, pgw_frame *out, mice_err *err);
/* Bytes buffered and not yet yielded (tests and back-pressure). */
size_t pgw_framer_pending_bytes(const pgw_framer *f);

/* ---------------------------------------------------------------- frontend messages */

typedef enum {
    PGW_FE_STARTUP,
    PGW_FE_SSL_REQUEST,
    PGW_FE_GSSENC_REQUEST,
    PGW_FE_CANCEL_REQUEST,
    PGW_FE_QUERY,
    PGW_FE_PARSE,
    PGW_FE_BIND,
    PGW_FE_DESCRIBE,
    PGW_FE_EXECUTE,
    PGW_FE_SYNC,
    PGW_FE_FLUSH,
    PGW_FE_CLOSE,
    PGW_FE_TERMINATE,
    PGW_FE_PASSWORD,
    PGW_FE_SASL_INITIAL,
    PGW_FE_SASL_RESPONSE,
    PGW_FE_COPY_DATA,
    PGW_FE_COPY_DONE,
    PGW_FE_COPY_FAIL,
    PGW_FE_FUNCTION_CALL,
} pgw_fe_kind;

/* What a 'p' message means depends on the authentication exchange the server started;
 * the wire does not say. */
typedef enum {
    PGW_AUTH_EXPECT_PASSWORD,      /* after AuthenticationCleartextPassword */
    PGW_AUTH_EXPECT_SASL_INITIAL,  /* after AuthenticationSASL */
    PGW_AUTH_EXPECT_SASL_RESPONSE, /* after AuthenticationSASLContinue */
} pgw_auth_expect;

typedef struct pgw_param {
    const char *name;
    const char *value;
} pgw_param;

/* A parameter or argument value: is_null for length -1, else data. */
typedef struct pgw_value {
    mice_slice data;
    bool is_null;
} pgw_value;

typedef struct pgw_startup_msg {
    int32_t version; /* major << 16 | minor; params decoded only for major 3 */
    pgw_param *params;
    size_t n_params;
} pgw_startup_msg;

typedef struct pgw_parse_msg {
    const char *stmt_name; /* "" = unnamed statement */
    const char *query;
    size_t query_len;
    pgw_oid_t *param_types; /* n_param_types entries; 0 = infer */
    size_t n_param_types;
} pgw_parse_msg;

typedef struct pgw_bind_msg {
    const char *portal_name;
    const char *stmt_name;
    int16_t *param_formats; /* 0, 1 (applies to all) or n_params codes, each 0 or 1 */
    size_t n_param_formats;
    pgw_value *params;
    size_t n_params;
    int16_t *result_formats; /* 0, 1 (applies to all) or one per result column */
    size_t n_result_formats;
} pgw_bind_msg;

typedef struct pgw_function_call_msg {
    pgw_oid_t function_oid;
    int16_t *arg_formats;
    size_t n_arg_formats;
    pgw_value *args;
    size_t n_args;
    int16_t result_format;
} pgw_function_call_msg;

typedef struct pgw_fe_msg {
    pgw_fe_kind kind;
    union {
        pgw_startup_msg startup;
        struct {
            int32_t pid, secret_key;
        } cancel;
        struct {
            const char *sql;
            size_t sql_len;
        } query;
        pgw_parse_msg parse;
        pgw_bind_msg bind;
        struct {
            char kind; /* 'S' statement or 'P' portal */
            const char *name;
        } describe, close;
        struct {
            const char *portal_name;
            int32_t max_rows; /* 0 = no limit */
        } execute;
        struct {
            const char *password;
        } password;
        struct {
            const char *mechanism;
            mice_slice data;
            bool has_data; /* false when the length was -1 */
        } sasl_initial;
        mice_slice sasl_response;
        mice_slice copy_data;
        struct {
            const char *message;
        } copy_fail;
        pgw_function_call_msg function_call;
    } u;
} pgw_fe_msg;

/* Decode a frame. `expect` is only consulted for 'p' messages. Arrays go into `arena`
 * (MICE_LIMIT when over its budget); strings and slices borrow from the frame. */
mice_status pgw_decode(const pgw_frame *f, pgw_auth_expect expect, mice_arena *arena,
                       pgw_fe_msg *out, mice_err *err);
/* Value of a startup parameter, or NULL. */
const char *pgw_startup_param(const pgw_startup_msg *m, const char *name);
/* Format code (0 text, 1 binary) of parameter i / result column i under the 0/1/N rule.
 * pgw_bind_result_format fails with MICE_INVALID when n_result_formats is neither 0, 1
 * nor n_columns. */
int16_t pgw_bind_param_format(const pgw_bind_msg *m, size_t i);
mice_status pgw_bind_result_format(const pgw_bind_msg *m, size_t n_columns, size_t i,
                                   int16_t *format, mice_err *err);
/* Human name of a frontend message type byte ("Parse"), or "unknown". */
const char *pgw_fe_type_name(uint8_t type);

/* ---------------------------------------------------------------- backend messages */

typedef struct pgw_field {
    const char *name;
    pgw_oid_t table_oid; /* 0 when not a table column */
    int16_t attnum;      /* 0 when not a table column */
    pgw_oid_t type_oid;
    int16_t typlen; /* -1 varlena, -2 cstring */
    int32_t typmod; /* -1 none */
    int16_t format; /* 0 text, 1 binary */
} pgw_field;

/* ErrorResponse / NoticeResponse. severity, sqlstate and message are required; every
 * other field is optional (NULL or 0 = absent). position and internal_position are
 * 1-based character offsets. */
typedef struct pgw_error {
    const char *severity; /* ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG */
    const char *sqlstate; /* five characters, e.g. "42601" */
    const char *message;
    const char *detail, *hint;
    int32_t position;
    int32_t internal_position;
    const char *internal_query, *where;
    const char *schema_name, *table_name, *column_name, *datatype_name, *constraint_name;
    const char *file, *routine;
    int32_t line;
} pgw_error;

enum {
    PGW_AUTH_OK = 0,
    PGW_AUTH_CLEARTEXT_PASSWORD = 3,
    PGW_AUTH_SASL = 10,
    PGW_AUTH_SASL_CONTINUE = 11,
    PGW_AUTH_SASL_FINAL = 12,
};

void pgw_put_auth_ok(mice_buf *b);
void pgw_put_auth_cleartext_password(mice_buf *b);
void pgw_put_auth_sasl(mice_buf *b, const char *const *mechanisms, size_t n);
void pgw_put_auth_sasl_continue(mice_buf *b, mice_slice data);
void pgw_put_auth_sasl_final(mice_buf *b, mice_slice data);
void pgw_put_parameter_status(mice_buf *b, const char *name, const char *value);
void pgw_put_backend_key_data(mice_buf *b, int32_t pid, int32_t secret_key);
/* status: 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
void pgw_put_ready_for_query(mice_buf *b, char status);
void pgw_put_row_description(mice_buf *b, const pgw_field *fields, size_t n);
void pgw_put_data_row(mice_buf *b, const pgw_value *values, size_t n);
void pgw_put_command_complete(mice_buf *b, const char *tag);
void pgw_put_empty_query_response(mice_buf *b);
void pgw_put_error_response(mice_buf *b, const pgw_error *e);
void pgw_put_notice_response(mice_buf *b, const pgw_error *e);
void pgw_put_parse_complete(mice_buf *b);
void pgw_put_bind_complete(mice_buf *b);
void pgw_put_close_complete(mice_buf *b);
void pgw_put_no_data(mice_buf *b);
void pgw_put_parameter_description(mice_buf *b, const pgw_oid_t *types, size_t n);
void pgw_put_portal_suspended(mice_buf *b);
/* format: 0 text, 1 binary (overall); column_formats has n entries. */
void pgw_put_copy_in_response(mice_buf *b, int8_t format, const int16_t *column_formats, size_t n);
void pgw_put_copy_out_response(mice_buf *b, int8_t format, const int16_t *column_formats, size_t n);
void pgw_put_copy_data(mice_buf *b, mice_slice data);
void pgw_put_copy_done(mice_buf *b);
void pgw_put_negotiate_protocol_version(mice_buf *b, int32_t newest_minor,
                                        const char *const *unrecognized, size_t n);
/* The single byte 'N' that refuses SSLRequest / GSSENCRequest. */
void pgw_put_ssl_refuse(mice_buf *b);

#endif
