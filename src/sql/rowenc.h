/*
 * rowenc.h - SQL rows and index entries as keys and values (DESIGN.md "Data layout").
 *
 * Primary index: key = /t/<table>/<index> + the primary key columns, each keyenc'd in its
 * direction; value = the other columns as (column id delta, type tag) varint + payload
 * pairs in increasing column id order, NULLs omitted. Adding a column therefore needs no
 * rewrite (absent = NULL), and a decoder skips column ids it does not know (a dropped
 * column's bytes).
 *
 * Key encodings are canonical so that key equality is datum equality (a unique index
 * sees PostgreSQL's duplicates): -0.0 is 0.0 and every NaN one NaN (keyenc); numeric 1.0
 * and 1.00 encode alike (see below); bpchar drops trailing spaces ('ab' = 'ab  '). What
 * the key loses (numeric display scale, float -0, bpchar padding) is kept by writing the
 * primary key columns of those "composite" types into the value as well; the decoder
 * lets the value win. Secondary index entries keep only the canonical form.
 *
 * Numeric keys: a keyenc BYTES value (so keyenc_skip/peek/pretty and DESC work) holding
 * class byte 1 -Infinity, 2 negative, 3 zero, 4 positive, 5 +Infinity, 6 NaN; positives
 * continue with the base-10000 weight as 2 bytes (+0x8000, big-endian) and the digits as
 * 2 bytes each, trailing zero digits stripped (so a shorter digit string is the smaller
 * value); negatives use the bit-inverted weight, digits stored as 9999 - d and a final
 * 0xFFFF (above any stored digit), so -1 > -1.5 and -100 > -100.5 as bytes too. Decoded
 * numerics get the smallest display scale that shows every digit.
 *
 * Secondary indexes: non-unique: key = prefix + indexed columns + primary key columns,
 * value = INCLUDE'd columns (row value format; usually empty). Unique: key = prefix +
 * indexed columns, plus the primary key columns only when an indexed column is NULL
 * (NULLs never conflict in PostgreSQL); value = uvarint length + the primary key columns
 * keyenc'd + INCLUDE'd columns in row value format.
 *
 * Interval keys: a keyenc BYTES value of the 16-byte span (interval_key_bytes), so
 * '1 day' and '24 hours' are one key; the value keeps the fields (a composite type).
 * time keys are int64 microseconds, uuid keys BYTES of the 16 bytes.
 *
 * The kv table. The KV namespace (/kv/<user key> -> raw value, kv/keys.h) is the SQL table
 * kv(key bytea PRIMARY KEY, value bytea NOT NULL, expires_at timestamptz), columns in that
 * order; a rowenc_table with kv_namespace set encodes it: the primary key is keys_kv(key)
 * (the raw bytes, no keyenc, so SQL and the Redis/HTTP APIs share every key) and the value
 * is the raw value bytes. expires_at is not in the value but in the version's expiry
 * (txn_put_with_expiry); rowenc_kv_expiry_* convert, and a decoded row has it NULL until
 * the caller sets it from the row's expiry. kv has no secondary indexes.
 *
 * Supported types: bool, int2/4/8, oid, float4/8, numeric, text, varchar, bpchar,
 * bytea, date, time, timestamp, timestamptz, interval, uuid (everything datum.h holds);
 * in values (not keys) also one-dimensional arrays, as their flat bytes (array.h) in a
 * bytes pair. Others: MICE_UNSUPPORTED.
 *
 * Owns: nothing; encoders append to caller buffers, decoders put out-of-line bytes in
 * the caller's arena (datums never point into the input). Thread safety: pure functions
 * (the rowid generator is safe from any thread). Decoders never trust their input:
 * malformed bytes give MICE_CORRUPT; an arena over budget gives MICE_NOMEM.
 */
#ifndef MICE_SQL_ROWENC_H
#define MICE_SQL_ROWENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/env.h"
#include "base/keyenc.h"
#include "base/status.h"
#include "sql/datum.h"

/* A column as the encoder sees it. */
typedef struct rowenc_col {
    uint32_t id; /* > 0, unique within the table */
    sql_type_id type;
} rowenc_col;

/* An index: cols are ordinals into rowenc_table.cols. */
typedef struct rowenc_index {
    uint32_t id;
    bool unique;
    uint32_t n_cols;
    const uint32_t *cols;
    const keyenc_dir *dirs;
    uint32_t n_include; /* INCLUDE'd (stored) columns */
    const uint32_t *include;
} rowenc_index;

/* A table: cols in increasing id order (asserted); a row is one datum per column. */
typedef struct rowenc_table {
    uint32_t table_id;
    uint32_t n_cols;
    const rowenc_col *cols;
    const rowenc_index *primary;
    bool kv_namespace; /* the built-in table kv: see "The kv table" above */
} rowenc_table;

/* --- single values ---------------------------------------------------------------- */

/* Append one datum (NULL allowed) in key form. MICE_UNSUPPORTED for other types. */
mice_status rowenc_key_put(mice_buf *out, const sql_datum *d, keyenc_dir dir);
/* Consume one key value of column type `type` from *in. */
mice_status rowenc_key_get(mice_slice *in, sql_type_id type, keyenc_dir dir, mice_arena *arena,
                           sql_datum *out);
/* Numeric's order-preserving form (the bytes inside the keyenc BYTES value). */
void rowenc_numeric_key_bytes(const sql_numeric *n, mice_buf *out);
mice_status rowenc_numeric_from_key_bytes(mice_slice in, mice_arena *arena,
                                          const sql_numeric **out);

/* --- rows ------------------------------------------------------------------------ */

/* Primary key of row. MICE_INVALID when a key column is NULL. */
mice_status rowenc_primary_key(const rowenc_table *t, const sql_datum *row, mice_buf *key);
/* Row value: non-key columns plus composite key columns. */
mice_status rowenc_primary_value(const rowenc_table *t, const sql_datum *row, mice_buf *value);
/* Decode a primary index entry into row[0..t->n_cols); absent columns become NULL. */
mice_status rowenc_primary_decode(const rowenc_table *t, mice_slice key, mice_slice value,
                                  mice_arena *arena, sql_datum *row);

/* A secondary index entry for row (key and value appended). */
mice_status rowenc_index_entry(const rowenc_table *t, const rowenc_index *ix,
                               const sql_datum *row, mice_buf *key, mice_buf *value);
/* Decode a secondary index entry: fills the indexed, primary key and INCLUDE'd columns
 * of row; other columns are set to NULL. */
mice_status rowenc_index_decode(const rowenc_table *t, const rowenc_index *ix, mice_slice key,
                                mice_slice value, mice_arena *arena, sql_datum *row);

/* --- the kv table ------------------------------------------------------------------ */

enum { ROWENC_KV_KEY = 0, ROWENC_KV_VALUE = 1, ROWENC_KV_EXPIRES_AT = 2, ROWENC_KV_COLS = 3 };

/* expires_at as a timestamptz datum for an expiry in wall-clock ns (0 = none: NULL). */
sql_datum rowenc_kv_expiry_datum(uint64_t expiry_wall_ns);
/* The expiry in wall-clock ns a row's expires_at asks for (NULL: 0 = none). MICE_INVALID
 * for infinities and times before 1970-01-01 00:00:00.000001 UTC. */
mice_status rowenc_kv_expiry_ns(const sql_datum *expires_at, uint64_t *expiry_wall_ns);

/* --- hidden rowid (tables without PRIMARY KEY) ------------------------------------- */

/* unique_rowid(): (10 microsecond ticks since 2020-01-01) << 15 | node id (15 bits);
 * strictly increasing per generator, positive until about 2109. */
typedef struct rowenc_rowid_gen {
    uint64_t last_ticks; /* accessed atomically */
    uint32_t node_id;
    const mice_env *env; /* borrowed */
} rowenc_rowid_gen;

enum { ROWENC_ROWID_NODE_BITS = 15 };

void rowenc_rowid_init(rowenc_rowid_gen *g, const mice_env *env, uint32_t node_id);
int64_t rowenc_rowid_next(rowenc_rowid_gen *g);

#endif
