/* batch.c - column-major row batches (see batch.h). */
#include "sql/batch.h"

#include <string.h>

#include "base/check.h"
#include "sql/array.h"

uint32_t batch_rows_for(uint32_t n_cols)
{
    size_t cap = SQL_BATCH_DATUMS_BYTES_MAX / (sizeof(sql_datum) * (n_cols ? n_cols : 1));
    return cap > SQL_BATCH_ROWS_MAX   ? SQL_BATCH_ROWS_MAX
           : cap < SQL_BATCH_ROWS_MIN ? SQL_BATCH_ROWS_MIN
                                      : (uint32_t)cap;
}

sql_batch *batch_create(mice_arena *stmt, uint32_t n_cols, uint32_t cap_rows)
{
    sql_batch *b = ARENA_NEW(stmt, sql_batch);
    if (!b) return NULL;
    b->n_cols = n_cols;
    b->cap_rows = cap_rows ? cap_rows : batch_rows_for(n_cols);
    b->cols = ARENA_NEW_ARRAY(stmt, sql_datum *, n_cols ? n_cols : 1);
    b->arena = arena_create(stmt, "batch", 0);
    if (!b->cols || !b->arena) return NULL;
    for (uint32_t c = 0; c < n_cols; c++) {
        b->cols[c] = arena_alloc(stmt, sizeof(sql_datum) * b->cap_rows);
        if (!b->cols[c]) return NULL;
    }
    return b;
}

void batch_reset(sql_batch *b)
{
    b->n_rows = 0;
    arena_reset(b->arena);
}

void batch_get_row(const sql_batch *b, uint32_t r, sql_datum *row)
{
    for (uint32_t c = 0; c < b->n_cols; c++)
        row[c] = b->cols[c][r];
}

void batch_append_row(sql_batch *b, const sql_datum *row)
{
    mice_assert(b->n_rows < b->cap_rows);
    for (uint32_t c = 0; c < b->n_cols; c++)
        b->cols[c][b->n_rows] = row[c];
    b->n_rows++;
}

bool batch_datum_copy(mice_arena *arena, const sql_datum *d, sql_datum *out)
{
    *out = *d;
    if (d->is_null) return true;
    switch (d->type) {
    case SQL_TYPE_TEXT:
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_BPCHAR:
    case SQL_TYPE_BYTEA:
    case SQL_TYPE_UNKNOWN:
    case SQL_TYPE_JSONB:
    case SQL_TYPE_JSON:
    case SQL_TYPE_NAME:
    case SQL_TYPE_CHAR:
    case SQL_TYPE_PG_NODE_TREE:
    case SQL_TYPE_ACLITEM:
        if (d->v.s.n == 0) return true;
        out->v.s = arena_slice_dup(arena, d->v.s);
        return out->v.s.p != NULL;
    case SQL_TYPE_NUMERIC: {
        size_t n = sizeof(sql_numeric) + sizeof(int16_t) * (size_t)d->v.num->ndigits;
        out->v.num = arena_memdup(arena, d->v.num, n);
        return out->v.num != NULL;
    }
    default:
        if (array_type_is(d->type) && d->v.s.n) {
            out->v.s = arena_slice_dup(arena, d->v.s);
            return out->v.s.p != NULL;
        }
        return true;
    }
}

sql_datum *batch_row_copy(mice_arena *arena, const sql_datum *row, uint32_t n)
{
    sql_datum *out = arena_alloc(arena, sizeof(sql_datum) * (n ? n : 1));
    if (!out) return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!batch_datum_copy(arena, &row[i], &out[i])) return NULL;
    return out;
}
