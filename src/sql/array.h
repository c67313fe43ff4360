/*
 * array.h - one-dimensional SQL arrays (text[], oid[], name[], ...), int2vector and
 * oidvector as flat values: what pg_catalog's columns, current_schemas(), ARRAY[...],
 * ARRAY(subquery), = ANY(array) and array_to_string() need.
 *
 * An array datum has the array's type id and its bytes in v.s (like text): a header
 * (element type u32, element count u32, lower bound i32, all big-endian) then per element
 * a flag byte (0 NULL, 1 value) and the value: 8 bytes of the datum's payload for the
 * fixed-size types (bool, integers, oid and the reg types, floats, date, timestamps),
 * u32 length + bytes for the string types and bytea, u32 length + PostgreSQL's binary
 * form for numeric. So an array is self-contained bytes: copying the slice copies the
 * array, and elements decode without allocation (except numeric).
 *
 * Text forms are PostgreSQL's: '{a,"b c",NULL}' (elements quoted when empty, "NULL", or
 * holding braces, commas, quotes, backslashes or white space), and '1 2 3' for int2vector
 * and oidvector (lower bound 0). Input accepts the same ({} for empty; no dimension
 * decorations; more than one dimension is 0A000). Comparison is element by element, then
 * by length, NULL elements last (btree array_ops).
 *
 * Owns: nothing; results live in the caller's arena. Thread safety: pure functions.
 */
#ifndef MICE_SQL_ARRAY_H
#define MICE_SQL_ARRAY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/datum.h"

enum { SQL_ARRAY_HEADER_BYTES = 12 };

/* Whether values of type t are arrays in this format (arrays, int2vector, oidvector). */
bool array_type_is(sql_type_id t);

/* Build an array of type array_type from n element datums (already of its element type
 * or NULL) with the given lower bound (1 for SQL arrays, 0 for the vectors). */
mice_status array_build(sql_type_id array_type, const sql_datum *elems, uint32_t n, int32_t lbound,
                        mice_arena *arena, sql_datum *out, sql_error *err);

uint32_t array_count(const sql_datum *a);
int32_t array_lbound(const sql_datum *a);
sql_type_id array_elem(const sql_datum *a);

/* Walk the elements in order. Element values borrow the array's bytes (numeric ones are
 * decoded into arena, which may be NULL for arrays of other types). */
typedef struct array_iter {
    mice_slice rest;
    sql_type_id elem;
    uint32_t left;
} array_iter;
void array_iter_init(array_iter *it, const sql_datum *a);
/* false at the end (and where bytes that are not an array end the walk). */
bool array_iter_next(array_iter *it, mice_arena *arena, sql_datum *out);

/* a[index] with SQL subscript semantics: NULL outside [lbound, lbound + count). */
void array_get(const sql_datum *a, int64_t index, mice_arena *arena, sql_datum *out);

/* PostgreSQL's btree order (both arrays of comparable element types). */
int array_cmp(const sql_datum *a, const sql_datum *b, const sql_value_ctx *ctx);
uint64_t array_hash(const sql_datum *a);
/* Element types compare (datum_types_comparable). */
bool array_types_comparable(sql_type_id a, sql_type_id b);

mice_status array_to_text(const sql_datum *a, const sql_value_ctx *ctx, mice_buf *out,
                          sql_error *err);
/* Errors: 22P02 malformed array literal (with PostgreSQL's DETAIL), the element type's
 * input errors, 0A000 for more than one dimension. */
mice_status array_from_text(sql_type t, mice_slice text, const sql_value_ctx *ctx,
                            mice_arena *arena, sql_datum *out, sql_error *err);
/* PostgreSQL's array_send. */
mice_status array_send(const sql_datum *a, mice_buf *out, sql_error *err);
/* PostgreSQL's array_recv (Bind parameters in binary). Errors: 22P03 for malformed bytes
 * or flags, 42804 for an element type other than t's, 0A000 for more than one dimension,
 * the element type's own receive errors. */
mice_status array_recv(sql_type t, mice_slice bytes, const sql_value_ctx *ctx, mice_arena *arena,
                       sql_datum *out, sql_error *err);

/* The cast context from one array type to another: that of their element types
 * (int2vector -> int2[] and oidvector -> oid[] are implicit). */
sql_cast_context array_cast_lookup(sql_type_id from, sql_type_id to);
/* Cast an array element by element (the vectors keep their lower bound). */
mice_status array_cast(const sql_datum *in, sql_type target, sql_cast_context kind,
                       const sql_value_ctx *ctx, mice_arena *arena, sql_datum *out, sql_error *err);

#endif
