/* exec_vtab.c - scans that read no table: pg_catalog / information_schema relations
 * (pgcatalog.h) and unnest(array); ProjectSet, the set-returning select-list items (see
 * exec.h). */
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

/* --- ProjectSet ------------------------------------------------------------------------- */

typedef struct exec_projset {
    mice_arena *mem;   /* the current input row's item values; reset per input row */
    sql_datum *row;    /* the current input row (borrowing the child's batch) */
    sql_datum **vals;  /* per item its values */
    uint32_t *n_vals;
    uint32_t *cap;
    uint32_t pos, len; /* next output of the current row; the longest item */
} exec_projset;

static mice_status ps_push(exec_projset *ps, uint32_t i, sql_datum v, sql_error *err)
{
    if (ps->n_vals[i] == ps->cap[i]) {
        uint32_t cap = ps->cap[i] ? ps->cap[i] * 2 : 16;
        sql_datum *nv = arena_alloc(ps->mem, sizeof(sql_datum) * cap);
        if (!nv) return sqlerr_nomem(err);
        if (ps->n_vals[i]) memcpy(nv, ps->vals[i], sizeof(sql_datum) * ps->n_vals[i]);
        ps->vals[i] = nv;
        ps->cap[i] = cap;
    }
    ps->vals[i][ps->n_vals[i]++] = v;
    return MICE_OK;
}

static mice_status ps_series(exec_op *op, exec_projset *ps, uint32_t i, const sql_datum *a,
                             uint32_t n, sql_error *err)
{
    for (uint32_t k = 0; k < n; k++)
        if (a[k].is_null) return MICE_OK;
    if (a[0].type == SQL_TYPE_NUMERIC) {
        const sql_numeric *step = n == 3 ? a[2].v.num : NULL, *cur = a[0].v.num;
        mice_status rc = MICE_OK;
        if (!step) rc = numeric_from_int64(1, ps->mem, &step, err);
        if (rc) return rc;
        int dir = numeric_sign(step);
        if (dir == 0)
            return sqlerr_set(err, MICE_INVALID, "22023", "step size cannot equal zero");
        while (dir > 0 ? numeric_cmp(cur, a[1].v.num) <= 0 : numeric_cmp(cur, a[1].v.num) >= 0) {
            if ((rc = exec__cancelled(op->st, err))) return rc;
            if ((rc = ps_push(ps, i, datum_numeric(cur), err))) return rc;
            if ((rc = numeric_add(cur, step, ps->mem, &cur, err))) return rc;
        }
        return MICE_OK;
    }
    int64_t cur = a[0].v.i, stop = a[1].v.i, step = n == 3 ? a[2].v.i : 1;
    if (step == 0) return sqlerr_set(err, MICE_INVALID, "22023", "step size cannot equal zero");
    sql_type_id t = a[0].type;
    while (step > 0 ? cur <= stop : cur >= stop) {
        sql_datum v = {.type = t, .v.i = cur};
        mice_status rc = ps_push(ps, i, v, err);
        if (rc) return rc;
        if (__builtin_add_overflow(cur, step, &cur)) break;
    }
    return MICE_OK;
}

/* Evaluate every item for the current input row. */
static mice_status ps_load(exec_op *op, exec_projset *ps, sql_error *err)
{
    const plan_node *p = op->p;
    expr_ctx c = op->st->ectx;
    c.arena = ps->mem;
    ps->pos = ps->len = 0;
    for (uint32_t i = 0; i < p->n_srfs; i++) {
        const plan_srf *f = &p->srfs[i];
        sql_datum a[3];
        ps->n_vals[i] = ps->cap[i] = 0;
        ps->vals[i] = NULL;
        for (uint32_t k = 0; k < f->n_args && k < 3; k++) {
            mice_status rc = expr_eval(f->args[k], &c, ps->row, &a[k], err);
            if (rc) return rc;
        }
        mice_status rc = MICE_OK;
        if (f->kind == PLAN_SRF_SERIES) {
            rc = ps_series(op, ps, i, a, f->n_args, err);
        } else if (!a[0].is_null) {
            uint32_t n = array_count(&a[0]);
            int32_t lb = array_lbound(&a[0]);
            bool subs = f->kind == PLAN_SRF_SUBSCRIPTS;
            if (subs && (a[1].is_null || a[1].v.i != 1)) n = 0; /* one dimension only */
            bool rev = subs && f->n_args == 3 && !a[2].is_null && a[2].v.b;
            for (uint32_t k = 0; !rc && k < n; k++) {
                sql_datum v;
                int64_t idx = lb + (int64_t)(rev ? n - 1 - k : k);
                if (subs)
                    v = datum_int4((int32_t)idx);
                else
                    array_get(&a[0], idx, ps->mem, &v);
                rc = ps_push(ps, i, v, err);
            }
        }
        if (rc) return rc;
        if (ps->n_vals[i] > ps->len) ps->len = ps->n_vals[i];
    }
    return MICE_OK;
}

static mice_status project_set_next(exec_op *op, sql_batch **out, sql_error *err)
{
    const plan_node *p = op->p;
    exec_projset *ps = op->state;
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    uint32_t nc = p->child->n_cols;
    sql_datum row[p->n_cols ? p->n_cols : 1];
    mice_status rc = exec__cancelled(op->st, err);
    while (!rc && !batch_full(b)) {
        if (ps->pos >= ps->len) { /* the next input row */
            if (op->done) break;
            if (!op->in || op->in_row >= op->in->n_rows) {
                if (b->n_rows) break; /* the rows sent borrow the child's batch */
                if ((rc = exec_next(op->child, &op->in, err))) return rc;
                op->in_row = 0;
                if (!op->in->n_rows) {
                    op->done = true;
                    break;
                }
            }
            arena_reset(ps->mem);
            batch_get_row(op->in, op->in_row++, ps->row);
            rc = ps_load(op, ps, err);
            continue;
        }
        memcpy(row, ps->row, sizeof(sql_datum) * nc);
        for (uint32_t i = 0; i < p->n_srfs; i++) {
            sql_datum v = ps->pos < ps->n_vals[i] ? ps->vals[i][ps->pos]
                                                  : datum_null(p->col_types[nc + i].id);
            if (!batch_datum_copy(b->arena, &v, &row[nc + i])) return sqlerr_nomem(err);
        }
        ps->pos++;
        batch_append_row(b, row);
    }
    return rc;
}

mice_status exec__open_project_set(exec_state *st, exec_op *op, sql_error *err)
{
    const plan_node *p = op->p;
    exec_projset *ps = ARENA_NEW(st->arena, exec_projset);
    if (!ps) return sqlerr_nomem(err);
    uint32_t n = p->n_srfs ? p->n_srfs : 1, nc = p->child->n_cols ? p->child->n_cols : 1;
    ps->mem = arena_create(st->arena, "project set", 0);
    ps->row = ARENA_NEW_ARRAY(st->arena, sql_datum, nc);
    ps->vals = ARENA_NEW_ARRAY(st->arena, sql_datum *, n);
    ps->n_vals = ARENA_NEW_ARRAY(st->arena, uint32_t, n);
    ps->cap = ARENA_NEW_ARRAY(st->arena, uint32_t, n);
    if (!ps->mem || !ps->row || !ps->vals || !ps->n_vals || !ps->cap) return sqlerr_nomem(err);
    op->state = ps;
    op->next = project_set_next;
    return MICE_OK;
}
