/*
 * batch.h - row batches: the unit the executor's operators pass to each other.
 *
 * A batch holds up to cap_rows rows column-major: cols[c][r] is the datum of column c in
 * row r. Fill it up to batch_full(), never up to SQL_BATCH_ROWS_MAX: a wide batch holds
 * fewer (batch_append_row asserts it). Out-of-line bytes (strings, numerics) of the values an
 * operator produced live in the batch's arena, a child of the statement arena, which the producing
 * operator resets before it fills the batch again. So a batch a child hands up is valid until the
 * next call to that child's next(); an operator that keeps rows longer (sort, hash
 * tables, join inner sides) copies them with batch_datum_copy into a longer-lived arena.
 *
 * Owns: the column arrays and the batch arena (both inside the statement arena).
 * Thread safety: one statement, one thread.
 */
#ifndef MICE_SQL_BATCH_H
#define MICE_SQL_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "sql/datum.h"

/* A batch holds SQL_BATCH_ROWS_MAX rows, fewer when its rows are wide (more than 10
 * columns): a join of dozens of tables has hundreds of columns at every level, and full
 * batches at each would take megabytes of the statement's work_mem before a single row is
 * kept. */
enum {
    SQL_BATCH_ROWS_MAX = 1024,
    SQL_BATCH_ROWS_MIN = 16,
    SQL_BATCH_DATUMS_BYTES_MAX = 256u << 10,
    SQL_BATCH_ARENA_BYTES_MIN = 1u << 16
};

typedef struct sql_batch {
    uint32_t n_cols;
    uint32_t n_rows;
    uint32_t cap_rows; /* SQL_BATCH_ROWS_MIN .. SQL_BATCH_ROWS_MAX, by the row width */
    sql_datum **cols;  /* n_cols arrays of cap_rows datums */
    mice_arena *arena; /* out-of-line bytes of this batch's values */
} sql_batch;

/* A batch of n_cols columns of cap_rows rows (0: batch_rows_for(n_cols)) in stmt (arrays)
 * with a child arena for values; NULL when over budget. */
sql_batch *batch_create(mice_arena *stmt, uint32_t n_cols, uint32_t cap_rows);
/* The rows a batch of n_cols columns holds. */
uint32_t batch_rows_for(uint32_t n_cols);
/* Drop the rows and the value bytes (the arena is reset). */
void batch_reset(sql_batch *b);
/* Gather row r into row[0..n_cols). */
void batch_get_row(const sql_batch *b, uint32_t r, sql_datum *row);
/* Append a row (values borrowed: the caller makes sure they live in b's arena or longer). */
void batch_append_row(sql_batch *b, const sql_datum *row);
static inline bool batch_full(const sql_batch *b)
{
    return b->n_rows >= b->cap_rows;
}

/* Copy d's out-of-line bytes into arena; false when over budget. */
bool batch_datum_copy(mice_arena *arena, const sql_datum *d, sql_datum *out);
/* A row-major copy of n datums in arena; NULL when over budget. */
sql_datum *batch_row_copy(mice_arena *arena, const sql_datum *row, uint32_t n);

#endif
