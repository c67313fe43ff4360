/* exec.c - operators: values, scans, filter, project, sort, limit, joins, append, and the
 * subquery callback (see exec.h). Aggregation is in exec_agg.c, DML in exec_dml.c. */
#include <stdlib.h>
#include <string.h>

#include "base/env.h"
#include "kv/keys.h"
#include "sql/array.h"
#include "sql/exec_int.h"

mice_status exec_txn_error(mice_status rc, const mice_err *me, sql_error *err)
{
    if (rc == MICE_NOMEM) return sqlerr_nomem(err);
    sqlerr_set(err, rc, txn_sqlstate(rc), "%s", me && me->msg[0] ? me->msg : mice_status_str(rc));
    if (err) err->code = rc;
    return rc;
}

mice_status exec__cancelled(exec_state *st, sql_error *err)
{
    if (st->env->cancel && atomic_load(st->env->cancel))
        return sqlerr_set(err, MICE_ABORTED, SQLSTATE_QUERY_CANCELED,
                          "canceling statement due to user request");
    return MICE_OK;
}

/* Operators that fill their batch from one child batch row for row (project, filter,
 * limit) hold as many rows as their input does; the others as many as their width allows. */
static uint32_t batch_rows_of(const plan_node *p, uint32_t out_cols)
{
    if ((p->kind == PLAN_PROJECT || p->kind == PLAN_FILTER || p->kind == PLAN_LIMIT ||
         p->kind == PLAN_SETOP) &&
        p->child)
        return batch_rows_of(p->child, p->child->n_cols);
    return batch_rows_for(out_cols);
}

exec_op *exec__new_op(exec_state *st, plan_node *p, uint32_t out_cols)
{
    exec_op *op = ARENA_NEW(st->arena, exec_op);
    if (!op) return NULL;
    op->p = p;
    op->st = st;
    op->out = batch_create(st->arena, out_cols, batch_rows_of(p, out_cols));
    if (!op->out) return NULL;
    return op;
}

mice_status exec__keep_row(exec_op *op, const sql_datum *row, uint32_t n, sql_error *err)
{
    if (!op->mem && !(op->mem = arena_create(op->st->arena, "rows", 0))) return sqlerr_nomem(err);
    if (op->n_rows == op->cap_rows) {
        uint64_t cap = op->cap_rows ? op->cap_rows * 2 : 256;
        sql_datum **v = arena_alloc(op->mem, sizeof(sql_datum *) * cap);
        if (!v) return sqlerr_nomem(err);
        if (op->n_rows) memcpy(v, op->rows, sizeof(sql_datum *) * op->n_rows);
        op->rows = v;
        op->cap_rows = cap;
    }
    sql_datum *copy = batch_row_copy(op->mem, row, n);
    if (!copy) return sqlerr_nomem(err);
    op->rows[op->n_rows++] = copy;
    return MICE_OK;
}

mice_status exec__drain(exec_op *op, exec_op *child, sql_error *err)
{
    uint32_t nc = child->p->n_cols;
    sql_datum row[nc ? nc : 1];
    for (;;) {
        sql_batch *b;
        mice_status rc = exec_next(child, &b, err);
        if (rc) return rc;
        if (!b->n_rows) return MICE_OK;
        for (uint32_t r = 0; r < b->n_rows; r++) {
            batch_get_row(b, r, row);
            if ((rc = exec__keep_row(op, row, nc, err))) return rc;
        }
    }
}

/* --- VALUES ------------------------------------------------------------------------------ */

static mice_status values_next(exec_op *op, sql_batch **out, sql_error *err)
{
    sql_batch *b = op->out;
    batch_reset(b);
    plan_node *p = op->p;
    expr_ctx c = op->st->ectx;
    c.arena = b->arena;
    sql_datum row[p->n_cols ? p->n_cols : 1];
    while (op->pos < p->n_rows && !batch_full(b)) {
        for (uint32_t i = 0; i < p->n_cols; i++) {
            sql_expr *e = p->rows[op->pos][i];
            if (!e) {
                row[i] = datum_null(p->col_types[i].id);
                continue;
            }
            mice_status rc = expr_eval(e, &c, NULL, &row[i], err);
            if (rc) return rc;
        }
        batch_append_row(b, row);
        op->pos++;
    }
    *out = b;
    return MICE_OK;
}

/* --- generate_series ---------------------------------------------------------------------- */

static mice_status srf_start(exec_op *op, sql_error *err)
{
    plan_node *p = op->p;
    expr_ctx c = op->st->ectx;
    c.arena = op->st->arena;
    sql_datum v[3];
    op->spans_ready = true;
    for (uint32_t i = 0; i < p->n_func_args && i < 3; i++) {
        mice_status rc = expr_eval(p->func_args[i], &c, NULL, &v[i], err);
        if (rc) return rc;
        if (v[i].is_null) op->done = true;
    }
    if (op->done) return MICE_OK;
    sql_type_id t = p->col_types[0].id;
    if (p->n_func_args < 3 && t == SQL_TYPE_NUMERIC) {
        mice_status rc = numeric_from_int64(1, op->st->arena, &v[2].v.num, err);
        if (rc) return rc;
        v[2].type = t;
        v[2].is_null = false;
    } else if (p->n_func_args < 3) {
        v[2] = t == SQL_TYPE_INT4 ? datum_int4(1) : datum_int8(1);
    }
    bool zero = t == SQL_TYPE_NUMERIC ? numeric_sign(v[2].v.num) == 0 : v[2].v.i == 0;
    if (zero)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "step size cannot equal zero");
    if (t == SQL_TYPE_NUMERIC && (numeric_is_special(v[0].v.num) ||
                                  numeric_is_special(v[1].v.num) || numeric_is_special(v[2].v.num)))
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "start, stop and step values cannot be NaN or infinity");
    op->srf_cur = v[0];
    op->srf_stop = v[1];
    op->srf_step = v[2];
    op->matched = false; /* srf_cur has not been emitted yet */
    if (t == SQL_TYPE_NUMERIC) {
        op->mem = arena_create(op->st->arena, "generate_series", 0);
        op->mem2 = arena_create(op->st->arena, "generate_series", 0);
        if (!op->mem || !op->mem2) return sqlerr_nomem(err);
    }
    return MICE_OK;
}

/* Advance srf_cur by the step; *end when it overflows (integers) or passes stop. */
static mice_status srf_advance(exec_op *op, bool *end, sql_error *err)
{
    sql_datum *cur = &op->srf_cur;
    int64_t step = op->srf_step.v.i;
    if (cur->type == SQL_TYPE_NUMERIC) {
        if (op->matched) {
            mice_arena *a = op->mem2;
            op->mem2 = op->mem;
            op->mem = a;
            arena_reset(a);
            mice_status rc = numeric_add(cur->v.num, op->srf_step.v.num, a, &cur->v.num, err);
            if (rc) return rc;
        }
        int c = numeric_cmp(cur->v.num, op->srf_stop.v.num);
        *end = numeric_sign(op->srf_step.v.num) > 0 ? c > 0 : c < 0;
        return MICE_OK;
    }
    if (op->matched) {
        int64_t nv;
        bool ovf = __builtin_add_overflow(cur->v.i, step, &nv) ||
                   (cur->type == SQL_TYPE_INT4 && (nv > INT32_MAX || nv < INT32_MIN));
        if (ovf) {
            *end = true;
            return MICE_OK;
        }
        cur->v.i = nv;
    }
    *end = step > 0 ? cur->v.i > op->srf_stop.v.i : cur->v.i < op->srf_stop.v.i;
    return MICE_OK;
}

static mice_status funcscan_next(exec_op *op, sql_batch **out, sql_error *err)
{
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    mice_status rc = exec__cancelled(op->st, err);
    if (!rc && !op->spans_ready) rc = srf_start(op, err);
    if (rc) return rc;
    while (!op->done && !batch_full(b)) {
        bool end;
        if ((rc = srf_advance(op, &end, err))) return rc;
        if (end) {
            op->done = true;
            break;
        }
        sql_datum v = op->srf_cur;
        if (v.type == SQL_TYPE_NUMERIC && !batch_datum_copy(b->arena, &op->srf_cur, &v))
            return sqlerr_nomem(err);
        batch_append_row(b, &v);
        op->matched = true;
    }
    return MICE_OK;
}

/* --- scans ------------------------------------------------------------------------------- */

static mice_status span_key_value(exec_op *op, sql_expr *e, sql_type col_type, keyenc_dir dir,
                                  mice_buf *key, bool *empty, sql_error *err)
{
    sql_datum v;
    expr_ctx c = op->st->ectx;
    c.arena = op->out->arena;
    mice_status rc = expr_eval(e, &c, NULL, &v, err);
    if (rc) return rc;
    if (v.is_null) {
        *empty = true;
        return MICE_OK;
    }
    if (v.type != col_type.id) {
        sql_error cast_err;
        if (datum_cast(&v, sql_type_make(col_type.id, -1), SQL_CAST_IMPLICIT, op->st->env->vctx,
                       c.arena, &v, &cast_err)) {
            *empty = true; /* out of the column type's range: nothing can match */
            return MICE_OK;
        }
    }
    rc = rowenc_key_put(key, &v, dir);
    if (rc)
        return sqlerr_set(err, rc, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot use this type in an index key");
    return MICE_OK;
}

/* The kv table's bound from e: the raw bytes of a bytea, after the KV prefix. */
static mice_status kv_bound(exec_op *op, sql_expr *e, bool successor, mice_buf *out, bool *empty,
                            sql_error *err)
{
    sql_datum v;
    expr_ctx c = op->st->ectx;
    c.arena = op->out->arena;
    mice_status rc = expr_eval(e, &c, NULL, &v, err);
    if (!rc && !v.is_null && v.type != SQL_TYPE_BYTEA)
        rc = datum_cast(&v, sql_type_make(SQL_TYPE_BYTEA, -1), SQL_CAST_IMPLICIT, op->st->env->vctx,
                        c.arena, &v, err);
    if (rc) return rc;
    if (v.is_null) {
        *empty = true;
        return MICE_OK;
    }
    buf_reset(out);
    keys_kv(out, v.v.s);
    if (successor) buf_append_u8(out, 0); /* raw keys: the next key after k is k + 0x00 */
    return MICE_OK;
}

/* Span i of the kv table (rowenc.h): keys are raw bytes under the KV prefix, not keyenc,
 * so an equality is [k, k+0x00) and a range bound moves by one 0x00 byte. */
static mice_status kv_span_bounds(exec_op *op, const plan_span *sp, bool *empty, sql_error *err)
{
    keys_kv_span(&op->start, &op->end);
    if (!sp) return MICE_OK;
    mice_status rc = MICE_OK;
    if (sp->n_eq) {
        rc = kv_bound(op, sp->eq[0], false, &op->start, empty, err);
        if (!rc && !*empty) rc = kv_bound(op, sp->eq[0], true, &op->end, empty, err);
        return rc;
    }
    if (sp->lo) rc = kv_bound(op, sp->lo, !sp->lo_incl, &op->start, empty, err);
    if (!rc && !*empty && sp->hi) rc = kv_bound(op, sp->hi, sp->hi_incl, &op->end, empty, err);
    if (!rc && !*empty && mice_slice_cmp(buf_slice(&op->start), buf_slice(&op->end)) >= 0)
        *empty = true;
    return rc;
}

static void prefix_end(mice_slice p, mice_buf *out)
{
    mice_buf s;
    buf_init(&s);
    buf_reset(out);
    keys_prefix_span(p, &s, out);
    buf_deinit(&s);
}

/* Build [start, end) of span i; *empty when nothing can match. */
static mice_status span_bounds(exec_op *op, uint32_t i, bool *empty, sql_error *err)
{
    plan_node *p = op->p;
    const catalog_index *ix = &p->table->indexes[p->index_pos];
    mice_buf *start = &op->start, *end = &op->end;
    buf_reset(start);
    buf_reset(end);
    *empty = false;
    if (p->layout.kv_namespace)
        return kv_span_bounds(op, p->n_spans ? &p->spans[i] : NULL, empty, err);
    mice_buf pre;
    buf_init(&pre);
    keys_index_prefix(&pre, p->table->id, ix->id);
    *empty = false;
    mice_status rc = MICE_OK;
    const plan_span *sp = p->n_spans ? &p->spans[i] : NULL;
    for (uint32_t k = 0; sp && k < sp->n_eq && !rc && !*empty; k++) {
        int col = catalog_column_pos(p->table, ix->col_ids[k]);
        rc = span_key_value(op, sp->eq[k], p->table->columns[col].type, ix->dirs[k], &pre, empty,
                            err);
    }
    if (rc || *empty || !sp || (!sp->lo && !sp->hi)) {
        if (!rc && !*empty) keys_prefix_span(buf_slice(&pre), start, end);
        buf_deinit(&pre);
        return rc;
    }
    int col = catalog_column_pos(p->table, ix->col_ids[sp->n_eq]);
    sql_type ct = p->table->columns[col].type;
    mice_buf k;
    buf_init(&k);
    if (sp->lo) {
        buf_append(&k, pre.p, pre.n);
        rc = span_key_value(op, sp->lo, ct, KEYENC_ASC, &k, empty, err);
        if (!rc && !*empty) {
            if (sp->lo_incl)
                buf_append(start, k.p, k.n);
            else
                prefix_end(buf_slice(&k), start);
        }
    } else {
        sql_datum null = datum_null(ct.id);
        buf_append(&k, pre.p, pre.n);
        rowenc_key_put(&k, &null, KEYENC_ASC);
        prefix_end(buf_slice(&k), start); /* NULLs never satisfy a range */
    }
    buf_reset(&k);
    if (!rc && !*empty && sp->hi) {
        buf_append(&k, pre.p, pre.n);
        rc = span_key_value(op, sp->hi, ct, KEYENC_ASC, &k, empty, err);
        if (!rc && !*empty) {
            if (sp->hi_incl)
                prefix_end(buf_slice(&k), end);
            else
                buf_append(end, k.p, k.n);
        }
    } else if (!rc && !*empty) {
        prefix_end(buf_slice(&pre), end);
    }
    if (!*empty && end->n && mice_slice_cmp(buf_slice(start), buf_slice(end)) >= 0) *empty = true;
    buf_deinit(&k);
    buf_deinit(&pre);
    return rc;
}

/* qsort comparators by start key, ascending and descending (no shared state: statements
 * on several workers sort at once). */
static int span_cmp_asc(const void *x, const void *y)
{
    const mice_buf *a = *(mice_buf *const *)x, *b = *(mice_buf *const *)y;
    return mice_slice_cmp(buf_slice(a), buf_slice(b));
}

static int span_cmp_desc(const void *x, const void *y)
{
    return span_cmp_asc(y, x);
}

/* Evaluate every span once, drop empty ones, order them by start key in scan direction
 * (an IN list's values come in any order) and drop duplicates. */
static mice_status prepare_spans(exec_op *op, sql_error *err)
{
    plan_node *p = op->p;
    uint32_t n = p->full_scan || p->n_spans == 0 ? 1 : p->n_spans;
    op->sp_start = ARENA_NEW_ARRAY(op->st->arena, mice_buf, 2 * n);
    mice_buf **order = ARENA_NEW_ARRAY(op->st->arena, mice_buf *, n);
    if (!op->sp_start || !order) return sqlerr_nomem(err);
    op->sp_end = op->sp_start + n;
    op->spans_ready = true;
    for (uint32_t i = 0; i < n; i++) {
        bool empty = false;
        mice_status rc = MICE_OK;
        if (p->full_scan) {
            buf_reset(&op->start);
            buf_reset(&op->end);
            if (p->layout.kv_namespace)
                keys_kv_span(&op->start, &op->end);
            else
                keys_index_span(&op->start, &op->end, p->table->id, p->table->indexes[0].id);
        } else {
            rc = span_bounds(op, i, &empty, err);
        }
        if (rc) return rc;
        if (empty) continue;
        mice_buf *pair = &op->sp_start[op->n_ready];
        *pair = op->start;
        op->sp_end[op->n_ready] = op->end;
        buf_init(&op->start);
        buf_init(&op->end);
        order[op->n_ready++] = pair;
    }
    if (op->n_ready < 2) return MICE_OK;
    qsort(order, op->n_ready, sizeof *order, p->reverse ? span_cmp_desc : span_cmp_asc);
    mice_buf *st = ARENA_NEW_ARRAY(op->st->arena, mice_buf, 2 * op->n_ready);
    if (!st) return sqlerr_nomem(err);
    uint32_t k = 0;
    for (uint32_t i = 0; i < op->n_ready; i++) {
        uint32_t idx = (uint32_t)(order[i] - op->sp_start);
        if (k && mice_slice_eq(buf_slice(&st[k - 1]), buf_slice(order[i]))) {
            buf_deinit(&op->sp_start[idx]);
            buf_deinit(&op->sp_end[idx]);
            continue;
        }
        st[k] = op->sp_start[idx];
        st[op->n_ready + k++] = op->sp_end[idx];
    }
    memmove(st + k, st + op->n_ready, sizeof(mice_buf) * k);
    op->sp_start = st;
    op->sp_end = st + k;
    op->n_ready = k;
    return MICE_OK;
}

static mice_status scan_open_span(exec_op *op, bool *more, sql_error *err)
{
    plan_node *p = op->p;
    if (!op->spans_ready) {
        mice_status rc = prepare_spans(op, err);
        if (rc) return rc;
    }
    if (op->span_i >= op->n_ready) {
        *more = false;
        return MICE_OK;
    }
    uint32_t i = op->span_i++;
    size_t limit = p->filter ? 0 : (size_t)p->limit_hint;
    if (txn_scan_open(op->st->env->t, buf_slice(&op->sp_start[i]), buf_slice(&op->sp_end[i]),
                      p->reverse, limit, &op->scan))
        return sqlerr_set(err, MICE_CLOSED, "25P02", "current transaction is aborted");
    *more = true;
    return MICE_OK;
}

static mice_status fetch_primary(exec_op *op, sql_datum *row, bool *found, sql_error *err)
{
    plan_node *p = op->p;
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    mice_err me;
    mice_status rc = rowenc_primary_key(&p->layout, row, &key);
    if (!rc) {
        rc = txn_get(op->st->env->t, buf_slice(&key), &val, found, &me);
        if (rc)
            rc = exec_txn_error(rc, &me, err);
        else if (*found)
            rc = rowenc_primary_decode(&p->layout, buf_slice(&key), buf_slice(&val), op->out->arena,
                                       row);
    } else {
        rc = sqlerr_set(err, MICE_CORRUPT, "XX001", "bad index entry");
    }
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status scan_row(exec_op *op, const kv_row *kr, sql_datum *row, bool *keep,
                            sql_error *err)
{
    plan_node *p = op->p;
    mice_status rc;
    *keep = true;
    if (p->index_pos == 0) {
        rc = rowenc_primary_decode(&p->layout, buf_slice(&kr->key), buf_slice(&kr->value),
                                   op->out->arena, row);
        if (!rc && p->layout.kv_namespace)
            row[ROWENC_KV_EXPIRES_AT] = rowenc_kv_expiry_datum(kr->expiry_wall_ns);
    } else {
        rc = rowenc_index_decode(&p->layout, &p->indexes[p->index_pos], buf_slice(&kr->key),
                                 buf_slice(&kr->value), op->out->arena, row);
        if (!rc) return fetch_primary(op, row, keep, err);
    }
    if (rc == MICE_NOMEM) return sqlerr_nomem(err);
    if (rc)
        return sqlerr_set(err, rc, "XX001", "could not decode a row of table \"%s\"",
                          p->table->name);
    return MICE_OK;
}

static mice_status scan_next(exec_op *op, sql_batch **out, sql_error *err)
{
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    plan_node *p = op->p;
    mice_status rc = exec__cancelled(op->st, err);
    expr_ctx c = op->st->ectx;
    c.arena = b->arena;
    sql_datum row[p->n_cols ? p->n_cols : 1];
    while (!rc && !op->done && b->n_rows < b->cap_rows) {
        if (!op->scan) {
            bool more = false;
            if ((rc = scan_open_span(op, &more, err))) break;
            if (!more) {
                op->done = true;
                break;
            }
        }
        if (op->kv_pos == op->kv_n) {
            /* Each kv request costs a seek through the span's lock entries: long scans ask
             * for growing batches (kept across calls), short ones stay cheap. */
            mice_err me;
            op->kv_batch = op->kv_batch ? op->kv_batch * 2 : SCAN_KV_BATCH_ROWS_MIN;
            if (op->kv_batch > SCAN_KV_BATCH_ROWS_MAX) op->kv_batch = SCAN_KV_BATCH_ROWS_MAX;
            op->kv_pos = op->kv_n = 0;
            rc = txn_scan_next(op->scan, op->kv_batch, &op->kv_rows, &op->kv_n, &me);
            if (rc) return exec_txn_error(rc, &me, err);
            if (op->kv_n == 0) {
                txn_scan_close(op->scan);
                op->scan = NULL;
                continue;
            }
        }
        while (!rc && op->kv_pos < op->kv_n && !batch_full(b)) {
            bool keep;
            rc = scan_row(op, &op->kv_rows[op->kv_pos++], row, &keep, err);
            if (!rc && keep && p->filter) rc = expr_qual_true(p->filter, &c, row, &keep, err);
            if (!rc && keep) batch_append_row(b, row);
        }
    }
    return rc;
}

static void scan_close(exec_op *op)
{
    txn_scan_close(op->scan);
    op->scan = NULL;
    op->kv_pos = op->kv_n = 0;
    for (uint32_t i = 0; i < op->n_ready; i++) {
        buf_deinit(&op->sp_start[i]);
        buf_deinit(&op->sp_end[i]);
    }
    op->n_ready = 0;
    buf_deinit(&op->start);
    buf_deinit(&op->end);
}

/* --- filter, project ------------------------------------------------------------------------ */

static mice_status filter_next(exec_op *op, sql_batch **out, sql_error *err)
{
    sql_batch *b = op->out;
    b->n_rows = 0;
    expr_ctx c = op->st->ectx;
    c.arena = b->arena;
    uint32_t sel[SQL_BATCH_ROWS_MAX];
    for (;;) {
        sql_batch *in;
        mice_status rc = exec_next(op->child, &in, err);
        if (rc) return rc;
        if (!in->n_rows) break;
        arena_reset(b->arena);
        uint32_t n;
        if ((rc = expr_filter_batch(op->p->filter, &c, in, sel, &n, err))) return rc;
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t k = 0; k < b->n_cols; k++)
                b->cols[k][i] = in->cols[k][sel[i]];
        b->n_rows = n;
        if (n) break;
    }
    *out = b;
    return MICE_OK;
}

static mice_status project_next(exec_op *op, sql_batch **out, sql_error *err)
{
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    sql_batch *in;
    mice_status rc = exec_next(op->child, &in, err);
    if (rc || !in->n_rows) return rc;
    expr_ctx c = op->st->ectx;
    c.arena = b->arena;
    for (uint32_t k = 0; k < b->n_cols; k++)
        if ((rc = expr_eval_batch(op->p->exprs[k], &c, in, b->cols[k], err))) return rc;
    b->n_rows = in->n_rows;
    return MICE_OK;
}

/* --- sort ---------------------------------------------------------------------------------- */

static int sort_cmp(const void *x, const void *y, void *arg)
{
    const exec_op *op = arg;
    const plan_node *p = op->p;
    const sql_datum *a = *(sql_datum *const *)x, *b = *(sql_datum *const *)y;
    for (uint32_t i = 0; i < p->n_keys; i++) {
        const sql_datum *u = &a[p->key_cols[i]], *v = &b[p->key_cols[i]];
        int c;
        if (u->is_null || v->is_null) {
            if (u->is_null && v->is_null) continue;
            c = u->is_null ? 1 : -1;
            if (p->key_nulls_first[i]) c = -c;
            return c;
        }
        c = datum_cmp(u, v, op->st->env->vctx);
        if (p->key_desc[i]) c = -c;
        if (c) return c;
    }
    return 0;
}

static mice_status emit_rows(exec_op *op, sql_batch **out)
{
    sql_batch *b = op->out;
    b->n_rows = 0;
    while (op->pos < op->n_rows && !batch_full(b))
        batch_append_row(b, op->rows[op->pos++]);
    *out = b;
    return MICE_OK;
}

static mice_status sort_next(exec_op *op, sql_batch **out, sql_error *err)
{
    if (!op->done) {
        mice_status rc = exec__drain(op, op->child, err);
        if (rc) return rc;
        if (op->n_rows > 1) qsort_r(op->rows, op->n_rows, sizeof(sql_datum *), sort_cmp, op);
        op->done = true;
    }
    return emit_rows(op, out);
}

/* --- unique (DISTINCT ON) ------------------------------------------------------------------ */

/* The input is sorted on the keys: a row passes when its keys differ from the previous
 * row's, whose copy alternates between op->mem and op->mem2 (the previous batch is gone). */
static mice_status unique_next(exec_op *op, sql_batch **out, sql_error *err)
{
    const plan_node *p = op->p;
    sql_batch *b = op->out;
    b->n_rows = 0;
    *out = b;
    const sql_value_ctx *vctx = op->st->env->vctx;
    if (!op->mem) {
        op->mem = arena_create(op->st->arena, "unique", 0);
        op->mem2 = arena_create(op->st->arena, "unique", 0);
        op->rows = ARENA_NEW_ARRAY(op->st->arena, sql_datum *, 1);
        if (!op->mem || !op->mem2 || !op->rows) return sqlerr_nomem(err);
    }
    sql_datum keys[p->n_keys ? p->n_keys : 1];
    for (;;) {
        sql_batch *in;
        mice_status rc = exec_next(op->child, &in, err);
        if (rc || !in->n_rows) return rc;
        for (uint32_t r = 0; r < in->n_rows; r++) {
            for (uint32_t k = 0; k < p->n_keys; k++)
                keys[k] = in->cols[p->key_cols[k]][r];
            if (op->n_rows && exec__rows_equal(op->rows[0], keys, p->n_keys, vctx)) continue;
            mice_arena *a = op->matched ? op->mem : op->mem2;
            op->matched = !op->matched;
            arena_reset(a);
            if (!(op->rows[0] = batch_row_copy(a, keys, p->n_keys))) return sqlerr_nomem(err);
            op->n_rows = 1;
            for (uint32_t k = 0; k < b->n_cols; k++)
                b->cols[k][b->n_rows] = in->cols[k][r];
            b->n_rows++;
        }
        if (b->n_rows) return MICE_OK;
    }
}

/* --- limit --------------------------------------------------------------------------------- */

static mice_status limit_value(exec_op *op, sql_expr *e, int64_t dflt, const char *state,
                               const char *what, int64_t *out, sql_error *err)
{
    *out = dflt;
    if (!e) return MICE_OK;
    sql_datum v;
    expr_ctx c = op->st->ectx;
    c.arena = op->out->arena;
    mice_status rc = expr_eval(e, &c, NULL, &v, err);
    if (rc) return rc;
    if (v.is_null) return MICE_OK;
    if (v.v.i < 0) return sqlerr_set(err, MICE_INVALID, state, "%s must not be negative", what);
    *out = v.v.i;
    return MICE_OK;
}

static mice_status limit_next(exec_op *op, sql_batch **out, sql_error *err)
{
    sql_batch *b = op->out;
    b->n_rows = 0;
    *out = b;
    if (!op->done) {
        mice_status rc =
            limit_value(op, op->p->limit, INT64_MAX, "2201W", "LIMIT", &op->limit, err);
        if (!rc) rc = limit_value(op, op->p->offset, 0, "2201X", "OFFSET", &op->offset, err);
        if (rc) return rc;
        op->done = true;
    }
    while (op->limit == INT64_MAX || op->seen - op->offset < op->limit) {
        sql_batch *in;
        mice_status rc = exec_next(op->child, &in, err);
        if (rc) return rc;
        if (!in->n_rows) break;
        for (uint32_t r = 0; r < in->n_rows; r++, op->seen++) {
            if (op->seen < op->offset) continue;
            if (op->limit != INT64_MAX && op->seen - op->offset >= op->limit) break;
            for (uint32_t k = 0; k < b->n_cols; k++)
                b->cols[k][b->n_rows] = in->cols[k][r];
            b->n_rows++;
        }
        if (b->n_rows) break;
    }
    return MICE_OK;
}

/* --- append ------------------------------------------------------------------------------- */

static mice_status append_next(exec_op *op, sql_batch **out, sql_error *err)
{
    while (op->child_i < op->p->n_children) {
        mice_status rc = exec_next(op->children[op->child_i], out, err);
        if (rc || (*out)->n_rows) return rc;
        op->child_i++;
    }
    op->out->n_rows = 0;
    *out = op->out;
    return MICE_OK;
}

/* --- hash tables -------------------------------------------------------------------------------
 */

uint64_t exec__hash_row(const sql_datum *v, uint32_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t x = v[i].is_null ? 0x5bd1e995u : datum_hash(&v[i]);
        h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    }
    return h;
}

bool exec__rows_equal(const sql_datum *a, const sql_datum *b, uint32_t n, const sql_value_ctx *vctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (a[i].is_null || b[i].is_null) {
            if (a[i].is_null != b[i].is_null) return false;
            continue;
        }
        if (datum_cmp(&a[i], &b[i], vctx) != 0) return false;
    }
    return true;
}

mice_status exec__hash_init(exec_op *op, uint64_t n_buckets, sql_error *err)
{
    if (!op->mem && !(op->mem = arena_create(op->st->arena, "hash", 0))) return sqlerr_nomem(err);
    op->hash.n_buckets = n_buckets;
    op->hash.buckets = arena_zalloc(op->mem, sizeof(exec_hash_entry *) * n_buckets);
    return op->hash.buckets ? MICE_OK : sqlerr_nomem(err);
}

static mice_status hash_grow(exec_op *op, sql_error *err)
{
    exec_hash *h = &op->hash;
    uint64_t nb = h->n_buckets * 4;
    exec_hash_entry **nbk = arena_zalloc(op->mem, sizeof(exec_hash_entry *) * nb);
    if (!nbk) return sqlerr_nomem(err);
    for (uint64_t i = 0; i < h->n_buckets; i++) {
        for (exec_hash_entry *e = h->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = nbk[e->hash & (nb - 1)];
            nbk[e->hash & (nb - 1)] = e;
        }
    }
    h->buckets = nbk;
    h->n_buckets = nb;
    return MICE_OK;
}

mice_status exec__hash_insert(exec_op *op, uint64_t hv, sql_datum *row, void *payload,
                              sql_error *err)
{
    exec_hash *h = &op->hash;
    if (h->n_entries >= h->n_buckets) {
        mice_status rc = hash_grow(op, err);
        if (rc) return rc;
    }
    exec_hash_entry *e = ARENA_NEW(op->mem, exec_hash_entry);
    if (!e) return sqlerr_nomem(err);
    e->hash = hv;
    e->row = row;
    e->payload = payload;
    e->next = h->buckets[hv & (h->n_buckets - 1)];
    h->buckets[hv & (h->n_buckets - 1)] = e;
    h->n_entries++;
    return MICE_OK;
}

/* --- joins -------------------------------------------------------------------------------------
 */

static mice_status eval_keys(exec_op *op, sql_expr **keys, uint32_t n, const sql_datum *row,
                             mice_arena *a, sql_datum *out, bool *has_null, sql_error *err)
{
    expr_ctx c = op->st->ectx;
    c.arena = a;
    *has_null = false;
    for (uint32_t i = 0; i < n; i++) {
        mice_status rc = expr_eval(keys[i], &c, row, &out[i], err);
        if (rc) return rc;
        *has_null |= out[i].is_null;
    }
    return MICE_OK;
}

static mice_status join_build(exec_op *op, sql_error *err)
{
    mice_status rc = exec__drain(op, op->right, err);
    if (rc || !op->p->n_hash_keys) return rc;
    uint32_t nk = op->p->n_hash_keys;
    if ((rc = exec__hash_init(op, 1024, err))) return rc;
    for (uint64_t i = 0; i < op->n_rows; i++) {
        sql_datum *keys = arena_alloc(op->mem, sizeof(sql_datum) * nk);
        bool has_null;
        if (!keys) return sqlerr_nomem(err);
        rc = eval_keys(op, op->p->right_keys, nk, op->rows[i], op->mem, keys, &has_null, err);
        if (rc) return rc;
        if (has_null) continue;
        if ((rc = exec__hash_insert(op, exec__hash_row(keys, nk), keys, op->rows[i], err)))
            return rc;
    }
    return MICE_OK;
}

/* The next candidate right row for the current left row, or NULL. */
static sql_datum *join_candidate(exec_op *op, const sql_datum *lkeys, uint64_t lh)
{
    if (!op->p->n_hash_keys) return op->cand_pos < op->n_rows ? op->rows[op->cand_pos++] : NULL;
    while (op->cand) {
        exec_hash_entry *e = op->cand;
        op->cand = e->next;
        if (e->hash == lh && exec__rows_equal(e->row, lkeys, op->p->n_hash_keys, op->st->env->vctx))
            return e->payload;
    }
    return NULL;
}

static mice_status join_next(exec_op *op, sql_batch **out, sql_error *err)
{
    plan_node *p = op->p;
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    mice_status rc = MICE_OK;
    if (!op->done) {
        if ((rc = join_build(op, err))) return rc;
        op->done = true;
        op->matched = true; /* no row started yet */
        op->cand_pos = UINT64_MAX;
    }
    uint32_t ln = p->child->n_cols, nk = p->n_hash_keys;
    sql_datum row[p->n_cols], lkeys[nk ? nk : 1];
    uint64_t lh = 0;
    bool has_null = false;
    expr_ctx c = op->st->ectx;
    c.arena = b->arena;
    while (!batch_full(b)) {
        if (!op->in || op->in_row >= op->in->n_rows) {
            if ((rc = exec_next(op->child, &op->in, err))) return rc;
            if (!op->in->n_rows) break;
            op->in_row = 0;
            op->cand_pos = UINT64_MAX;
        }
        batch_get_row(op->in, op->in_row, row);
        if (nk) rc = eval_keys(op, p->left_keys, nk, row, b->arena, lkeys, &has_null, err);
        if (rc) return rc;
        if (nk) lh = exec__hash_row(lkeys, nk);
        if (op->cand_pos == UINT64_MAX) { /* start this left row */
            /* a join that filters out almost everything may run long between batches */
            if ((rc = exec__cancelled(op->st, err))) return rc;
            op->cand_pos = 0;
            op->matched = false;
            op->cand = nk && !has_null ? op->hash.buckets[lh & (op->hash.n_buckets - 1)] : NULL;
            if (nk && has_null) op->cand_pos = op->n_rows;
        }
        sql_datum *r;
        while (!batch_full(b) && (nk ? !has_null : true) && (r = join_candidate(op, lkeys, lh))) {
            memcpy(row + ln, r, sizeof(sql_datum) * (p->n_cols - ln));
            bool ok = true;
            if (p->filter && (rc = expr_qual_true(p->filter, &c, row, &ok, err))) return rc;
            if (!ok) continue;
            op->matched = true;
            batch_append_row(b, row);
        }
        if (batch_full(b)) break;
        if (!op->matched && p->join_type == PLAN_JOIN_LEFT) {
            for (uint32_t k = ln; k < p->n_cols; k++)
                row[k] = datum_null(p->col_types[k].id);
            batch_append_row(b, row);
        }
        op->in_row++;
        op->cand_pos = UINT64_MAX;
    }
    return MICE_OK;
}

/* --- subqueries ----------------------------------------------------------------------------------
 */

typedef struct sub_result {
    bool any_row;
    uint32_t n;
    sql_datum first;
    sql_datum *vals; /* ANY/ALL: every value */
    uint32_t cap;
} sub_result;

static mice_status sub_collect(exec_state *parent, const expr_ctx *ctx, sql_expr *e,
                               const sql_datum *outer, mice_arena *keep, sub_result *res,
                               sql_error *err)
{
    exec_state st = {.env = parent->env, .arena = arena_create(parent->arena, "subquery", 0)};
    if (!st.arena) return sqlerr_nomem(err);
    st.ectx = parent->ectx;
    st.ectx.outer = outer;
    st.ectx.outer_ctx = ctx;
    st.ectx.subquery_arg = &st;
    exec_op *op = NULL;
    mice_status rc = exec__open_node(&st, e->plan, &op, err);
    bool all = e->sub_kind >= EXPR_SUB_ANY;
    while (!rc) {
        sql_batch *b;
        if ((rc = exec_next(op, &b, err)) || !b->n_rows) break;
        for (uint32_t r = 0; r < b->n_rows && !rc; r++) {
            res->any_row = true;
            if (e->sub_kind == EXPR_SUB_EXISTS) break;
            if (res->n == 0 && !batch_datum_copy(keep, &b->cols[0][r], &res->first))
                rc = sqlerr_nomem(err);
            if (all) {
                if (res->n == res->cap) {
                    uint32_t cap = res->cap ? res->cap * 2 : 64;
                    sql_datum *v = arena_alloc(keep, sizeof(sql_datum) * cap);
                    if (!v)
                        rc = sqlerr_nomem(err);
                    else if (res->n)
                        memcpy(v, res->vals, sizeof(sql_datum) * res->n);
                    res->vals = v;
                    res->cap = cap;
                }
                if (!rc && !batch_datum_copy(keep, &b->cols[0][r], &res->vals[res->n]))
                    rc = sqlerr_nomem(err);
            }
            res->n++;
        }
        if (e->sub_kind == EXPR_SUB_EXISTS && res->any_row) break;
        if (e->sub_kind == EXPR_SUB_SCALAR && res->n > 1)
            rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_CARDINALITY_VIOLATION,
                            "more than one row returned by a subquery used as an expression");
    }
    exec_close(op);
    arena_destroy(st.arena);
    return rc;
}

static void sub_compare(const sql_expr *e, const sub_result *res, const sql_datum *test,
                        const sql_value_ctx *vctx, sql_datum *out)
{
    bool any = e->sub_kind == EXPR_SUB_ANY, saw_null = false;
    if (res->n && test->is_null) {
        *out = datum_null(SQL_TYPE_BOOL);
        return;
    }
    for (uint32_t i = 0; i < res->n; i++) {
        if (res->vals[i].is_null) {
            saw_null = true;
            continue;
        }
        bool holds = expr_cmp_holds((expr_cmp_op)e->op, datum_cmp(test, &res->vals[i], vctx));
        if (holds == any) {
            *out = datum_bool(any);
            return;
        }
    }
    *out = saw_null ? datum_null(SQL_TYPE_BOOL) : datum_bool(!any);
}

mice_status exec__subquery(void *arg, const expr_ctx *ctx, sql_expr *e, const sql_datum *outer_row,
                           const sql_datum *test, sql_datum *out, sql_error *err)
{
    exec_state *st = arg;
    sub_result local = {0}, *res = &local;
    if (!e->correlated && e->sub_cached) {
        res->n = e->sub_n_rows;
        res->vals = e->sub_rows;
        res->first = e->sub_value;
        res->any_row = e->sub_n_rows > 0;
    } else {
        mice_arena *keep = e->correlated ? ctx->arena : st->env->stmt;
        mice_status rc = sub_collect(st, ctx, e, outer_row, keep, res, err);
        if (rc) return rc;
        if (!e->correlated) {
            e->sub_cached = true;
            e->sub_n_rows = res->n ? res->n : (res->any_row ? 1 : 0);
            e->sub_rows = res->vals;
            e->sub_value = res->first;
        }
    }
    switch (e->sub_kind) {
    case EXPR_SUB_EXISTS:
        *out = datum_bool(res->any_row);
        break;
    case EXPR_SUB_SCALAR:
        *out = res->n ? res->first : datum_null(e->type.id);
        break;
    case EXPR_SUB_ARRAY:
        return array_build(e->type.id, res->vals, res->n, 1, ctx->arena, out, err);
    default:
        sub_compare(e, res, test, st->env->vctx, out);
        break;
    }
    return MICE_OK;
}

/* --- dispatch ----------------------------------------------------------------------------------
 */

mice_status exec__open_node(exec_state *st, plan_node *p, exec_op **out, sql_error *err)
{
    exec_op *op = exec__new_op(st, p, p->n_cols);
    if (!op) return sqlerr_nomem(err);
    mice_status rc = MICE_OK;
    if (p->child) rc = exec__open_node(st, p->child, &op->child, err);
    if (!rc && p->right) rc = exec__open_node(st, p->right, &op->right, err);
    if (rc) return rc;
    switch (p->kind) {
    case PLAN_VALUES:
        op->next = values_next;
        break;
    case PLAN_SCAN:
        op->next = scan_next;
        op->close = scan_close;
        buf_init(&op->start);
        buf_init(&op->end);
        break;
    case PLAN_FILTER:
        op->next = filter_next;
        break;
    case PLAN_PROJECT:
        op->next = project_next;
        break;
    case PLAN_SORT:
        op->next = sort_next;
        break;
    case PLAN_LIMIT:
        op->next = limit_next;
        break;
    case PLAN_JOIN:
        op->next = join_next;
        break;
    case PLAN_APPEND:
        op->next = append_next;
        op->children = ARENA_NEW_ARRAY(st->arena, exec_op *, p->n_children);
        if (!op->children) return sqlerr_nomem(err);
        for (uint32_t i = 0; i < p->n_children && !rc; i++)
            rc = exec__open_node(st, p->children[i], &op->children[i], err);
        break;
    case PLAN_AGG:
    case PLAN_DISTINCT:
        rc = exec__open_agg(st, p, op, err);
        break;
    case PLAN_INSERT:
    case PLAN_UPDATE:
    case PLAN_DELETE:
        rc = exec__open_dml(st, p, op, err);
        break;
    case PLAN_SETOP:
        rc = exec__open_setop(st, p, op, err);
        break;
    case PLAN_FUNCSCAN:
        op->next = strcmp(p->func_name, "unnest") ? funcscan_next : exec__unnest_next;
        break;
    case PLAN_VTSCAN:
        op->next = exec__vtscan_next;
        break;
    case PLAN_WINDOW:
        op->next = exec__window_next;
        break;
    case PLAN_RECURSIVE:
        op->next = exec__recursive_next;
        break;
    case PLAN_WORKSCAN:
        op->next = exec__workscan_next;
        break;
    case PLAN_UNIQUE:
        op->next = unique_next;
        break;
    case PLAN_PROJECT_SET:
        rc = exec__open_project_set(st, op, err);
        break;
    }
    *out = op;
    return rc;
}

mice_status exec_open(exec_env *env, plan_node *p, exec_op **out, sql_error *err)
{
    exec_state *st = ARENA_NEW(env->stmt, exec_state);
    if (!st) return sqlerr_nomem(err);
    st->env = env;
    st->arena = env->stmt;
    st->ectx = (expr_ctx){.params = env->params,
                          .n_params = env->n_params,
                          .fctx = env->fctx,
                          .vctx = env->vctx,
                          .arena = env->stmt,
                          .subquery = exec__subquery,
                          .subquery_arg = st};
    st->ectx.nextval = exec__nextval;
    st->ectx.nextval_arg = env;
    if (env->fctx) { /* pg_sleep() */
        env->fctx->cancel = env->cancel;
        if (!env->fctx->env) env->fctx->env = mice_env_real();
    }
    *out = NULL;
    return exec__open_node(st, p, out, err);
}

mice_status exec_next(exec_op *op, sql_batch **out, sql_error *err)
{
    return op->next(op, out, err);
}

void exec_close(exec_op *op)
{
    if (!op) return;
    exec_close(op->child);
    exec_close(op->right);
    for (uint32_t i = 0; op->children && i < op->p->n_children; i++)
        exec_close(op->children[i]);
    if (op->close) op->close(op);
    op->close = NULL;
}

uint64_t exec_rows_affected(const exec_op *op)
{
    return op->affected;
}
