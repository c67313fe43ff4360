/*
 * pgw_fe.h - test helpers: encode frontend (client) messages as psql/libpq would, and
 * split the server's output into messages for assertions.
 *
 * Owns: nothing; every encoder appends to the caller's buffer. Test code only.
 */
#ifndef MICE_TESTS_SERVER_PGW_FE_H
#define MICE_TESTS_SERVER_PGW_FE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "server/pgw_msg.h"

/* psql 15.18 on a terminal, captured byte for byte through a loopback proxy: SSLRequest,
 * then StartupMessage 3.0 with user, database, application_name and client_encoding. */
extern const uint8_t fe_psql15_startup[];
extern const size_t fe_psql15_startup_len;

void fe_ssl_request(mice_buf *b);
void fe_gssenc_request(mice_buf *b);
void fe_cancel_request(mice_buf *b, int32_t pid, int32_t key);
/* kv: name, value, name, value, ..., NULL */
void fe_startup(mice_buf *b, int32_t version, const char *const *kv);
void fe_query(mice_buf *b, const char *sql);
void fe_parse(mice_buf *b, const char *name, const char *sql, const pgw_oid_t *types, size_t n);
void fe_bind(mice_buf *b, const char *portal, const char *stmt, const int16_t *formats,
             size_t n_formats, const pgw_value *values, size_t n_values,
             const int16_t *result_formats, size_t n_result_formats);
void fe_describe(mice_buf *b, char kind, const char *name);
void fe_execute(mice_buf *b, const char *portal, int32_t max_rows);
void fe_close(mice_buf *b, char kind, const char *name);
void fe_sync(mice_buf *b);
void fe_flush(mice_buf *b);
void fe_terminate(mice_buf *b);
void fe_password(mice_buf *b, const char *password);
/* len -1 sends no data (length -1). */
void fe_sasl_initial(mice_buf *b, const char *mechanism, const void *data, int32_t len);
void fe_sasl_response(mice_buf *b, const void *data, size_t n);
void fe_copy_data(mice_buf *b, const void *data, size_t n);
void fe_copy_done(mice_buf *b);
void fe_copy_fail(mice_buf *b, const char *message);
void fe_function_call(mice_buf *b, pgw_oid_t oid, const int16_t *formats, size_t n_formats,
                      const pgw_value *args, size_t n_args, int16_t result_format);
/* Any type byte with any body; the length word is computed. */
void fe_raw(mice_buf *b, uint8_t type, const void *body, size_t n);

/* One backend message split out of a stream. */
typedef struct be_msg {
    char type;
    mice_slice body;
} be_msg;

/* Split stream into messages; returns the count (at most max). Asserts the stream is
 * whole (tests only). */
size_t be_split(mice_slice stream, be_msg *out, size_t max);
/* The type bytes of every message in stream, as a NUL-terminated string in out. */
const char *be_types(mice_slice stream, char *out, size_t cap);
/* Field `code` of an ErrorResponse/NoticeResponse body, as a static copy, or "". */
const char *be_error_field(const be_msg *m, char code);

#endif
