/*
 * http_json.h - the JSON the HTTP APIs write: strings, key-value bytes, PostgreSQL values,
 * times, and the HTTP status of a SQLSTATE.
 *
 * Everything appends JSON text straight to a mice_buf: the SQL endpoint streams millions
 * of rows, so no json_t is built per value (jansson is used for request bodies and small
 * answers). The choices, which README.md's "HTTP API" section documents:
 *
 *   Bytes (KV keys and values) are written as a JSON string under the field's name when
 *   they are valid UTF-8 (NUL and control characters escaped), otherwise as standard
 *   base64 (RFC 4648, padded) under the name with "_b64" appended: {"key":"user:1"} or
 *   {"key_b64":"AP8="}. Exactly one of the two appears, so a reader checks which.
 *
 *   PostgreSQL values come in PostgreSQL's text output (what psql shows) and become: SQL
 *   NULL null; bool true/false; int2/int4/int8/oid JSON numbers; float4/float8 numbers
 *   when finite, else the strings "NaN", "Infinity", "-Infinity"; everything else a JSON
 *   string of the text output, numeric included (a JSON number would lose digits in
 *   every double-based parser), bytea as its "\x..." hex form. A value whose text is not
 *   a valid JSON number (it never should be) is written as a string.
 *
 *   Times (expires_at) are RFC 3339 in UTC with microseconds: "2025-01-31T08:00:00.250000Z".
 *
 * Owns: nothing; pure functions over the caller's buffers. Thread safety: any thread.
 */
#ifndef MICE_SERVER_HTTP_JSON_H
#define MICE_SERVER_HTTP_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"

/* True when s is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
bool http_json_utf8_valid(mice_slice s);
/* A quoted JSON string of s; bytes that are not valid UTF-8 become U+FFFD. */
void http_json_append_string(mice_buf *out, mice_slice s);
/* "name":"<s>" or "name_b64":"<base64>" as described above (no leading comma). */
void http_json_append_bytes_field(mice_buf *out, const char *name, mice_slice bytes);
/* True when s is a JSON number (RFC 8259 grammar). */
bool http_json_number_valid(mice_slice s);
/* One PostgreSQL text-format value of type type_oid (is_null: SQL NULL) as JSON. */
void http_json_append_pg_value(mice_buf *out, uint32_t type_oid, mice_slice text, bool is_null);
/* A quoted RFC 3339 UTC time for wall-clock nanoseconds since the Unix epoch. */
void http_json_append_time(mice_buf *out, uint64_t wall_ns);

/* The HTTP status for an error's SQLSTATE: class 40 (serialization failure, deadlock) and
 * 55P03 (lock timeout) 409, 28 (authorization) and 42501 (privilege) 403, 53 (resources)
 * and 57P (shutdown) 503, XX and 58 (internal, system) 500, everything else 400. */
int http_json_status_for_sqlstate(const char *sqlstate);

#endif
