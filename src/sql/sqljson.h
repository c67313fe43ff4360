/*
 * sqljson.h - the json type (PostgreSQL's json, not jsonb): its text is kept as written,
 * after a syntax check; and the JSON forms of SQL values that json_build_object() and
 * json_build_array() (func_json.c) put together.
 *
 * A json datum is like text: its bytes in v.s, type SQL_TYPE_JSON. It has no ordering or
 * equality (PostgreSQL's json has no btree or hash opclass).
 *
 * Owns: nothing. Thread safety: pure functions over caller-owned memory.
 */
#ifndef MICE_SQL_SQLJSON_H
#define MICE_SQL_SQLJSON_H

#include "base/buf.h"
#include "sql/datum.h"

/* 22P02 invalid input syntax for type json (with PostgreSQL's DETAIL) unless text is one
 * JSON value with optional white space around it (RFC 8259, as PostgreSQL's lexer). */
mice_status sqljson_validate(mice_slice text, sql_error *err);

/* s as a JSON string literal, PostgreSQL's escape_json. */
void sqljson_append_string(mice_buf *out, mice_slice s);

/* d in JSON (PostgreSQL's datum_to_json): null, true/false, numbers as they print (NaN and
 * infinities quoted), json as is, arrays as JSON arrays, timestamps in ISO 8601 with "T"
 * and +hh:mm, everything else as a string of its text output. */
mice_status sqljson_append_datum(mice_buf *out, const sql_datum *d, const sql_value_ctx *ctx,
                                 sql_error *err);

#endif
