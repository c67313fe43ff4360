/* exec_vtab.c - scans that read no table: pg_catalog / information_schema relations
 * (pgcatalog.h) and unnest(array) (see exec.h). */
#include <string.h>

#include "sql/array.h"
#include "sql/exec_int.h"

mice_status exec__vtscan_next(exec_op *op, sql_batch **out, sql_error *err)
{
    plan_node *p = op->p;
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    mice_status rc = exec__cancelled(op->st, err);
    if (rc) return rc;
    if (!p->vt_ready) {
        const func_ctx *f = op->st->env->fctx;
        if (!f || !f->pgcat)
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INTERNAL_ERROR, "no catalog for \"%s\"",
                              p->vtab->name);
        rc = pgcat_rows(f->pgcat, p->vtab, op->st->env->stmt, &p->vt_rows, &p->vt_n_rows, err);
        if (rc) return rc;
        p->vt_ready = true;
    }
    expr_ctx c = op->st->ectx;
    c.arena = b->arena;
    uint32_t nc = p->vtab->n_cols;
    sql_datum row[p->n_cols]; /* the relation's columns, then tableoid */
    row[nc] = (sql_datum){.type = SQL_TYPE_OID, .v.i = p->vtab->oid};
    while (op->pos < p->vt_n_rows && !batch_full(b)) {
        memcpy(row, p->vt_rows[op->pos++], sizeof(sql_datum) * nc);
        bool keep = true;
        if (p->filter && (rc = expr_is_true(p->filter, &c, row, &keep, err))) return rc;
        if (keep) batch_append_row(b, row);
    }
    return MICE_OK;
}

mice_status exec__unnest_next(exec_op *op, sql_batch **out, sql_error *err)
{
    plan_node *p = op->p;
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    mice_status rc = exec__cancelled(op->st, err);
    if (rc || op->done) return rc;
    if (!op->spans_ready) {
        expr_ctx c = op->st->ectx;
        c.arena = op->st->arena;
        op->spans_ready = true;
        if ((rc = expr_eval(p->func_args[0], &c, NULL, &op->srf_cur, err))) return rc;
        op->pos = 0;
        if (op->srf_cur.is_null) {
            op->done = true;
            return MICE_OK;
        }
    }
    uint32_t n = array_count(&op->srf_cur);
    int32_t lb = array_lbound(&op->srf_cur);
    while (op->pos < n && !batch_full(b)) {
        sql_datum v;
        array_get(&op->srf_cur, lb + (int64_t)op->pos++, b->arena, &v);
        batch_append_row(b, &v);
    }
    if (op->pos >= n) op->done = true;
    return MICE_OK;
}
