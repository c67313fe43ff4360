/*
 * pgsession_rows.c - result rows and errors on their way to the sink: values encoded in
 * the formats Bind asked for (text for a simple Query), RowDescription fields.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "server/pgsession_int.h"

/* Encodes rows for a sink: text for simple Query, or the portal's formats. */
void pgs__row_out_deinit(row_out *o)
{
    buf_deinit(&o->bytes);
    free(o->offs);
    free(o->vals);
}

mice_status pgs__send_cols(void *ctx, const pgs_col *cols, uint32_t n)
{
    row_out *o = ctx;
    pgw_field *f = calloc(n ? n : 1, sizeof *f);
    mice_assert(f != NULL);
    for (uint32_t i = 0; i < n; i++) pgs__field(&cols[i], o->formats ? o->formats[i] : 0, &f[i]);
    mice_status rc = pgb_sink_columns(o->sink, f, n);
    free(f);
    return rc;
}

/* Encode one row into o->vals (borrowing o->bytes until the next call). */
mice_status pgs__encode_row(row_out *o, const sql_datum *row, uint32_t n, sql_error *err)
{
    if (n > o->cap) {
        o->cap = n;
        o->offs = realloc(o->offs, n * sizeof *o->offs);
        o->vals = realloc(o->vals, n * sizeof *o->vals);
        mice_assert(o->offs != NULL);
        mice_assert(o->vals != NULL);
    }
    buf_reset(&o->bytes);
    for (uint32_t i = 0; i < n; i++) {
        o->offs[i] = o->bytes.n;
        o->vals[i].is_null = row[i].is_null;
        if (row[i].is_null) continue;
        mice_status rc = pgs__encode(o->s, &row[i], o->formats ? o->formats[i] : 0, &o->bytes, err);
        if (rc) return rc;
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t end = i + 1 < n ? o->offs[i + 1] : o->bytes.n;
        o->vals[i].data = mice_slice_of(o->bytes.p + o->offs[i], end - o->offs[i]);
    }
    return MICE_OK;
}

mice_status pgs__send_row(void *ctx, const sql_datum *row, uint32_t n)
{
    row_send *rs = ctx;
    mice_status rc = pgs__encode_row(&rs->out, row, n, rs->err);
    if (rc) return rc;
    return pgb_sink_row(rs->out.sink, rs->out.vals, n);
}

void pgs__row_out_init(row_out *o, pgs_session *s, pgb_sink *sink, const int16_t *formats)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    o->sink = sink;
    o->formats = formats;
    buf_init(&o->bytes);
}

/* An SQL error to the client (MICE_OK), or MICE_CLOSED when the client is gone. */
mice_status pgs__answer_error(pgb_sink *sink, mice_status rc, sql_error *err)
{
    if (!err->sqlstate[0] || !strcmp(err->sqlstate, SQLSTATE_SUCCESS)) {
        if (rc == MICE_CLOSED) return MICE_CLOSED;
        sqlerr_set(err, rc, SQLSTATE_INTERNAL_ERROR, "%s", mice_status_str(rc));
    }
    return pgs__send_error(sink, err, "ERROR") == MICE_CLOSED ? MICE_CLOSED : MICE_OK;
}

