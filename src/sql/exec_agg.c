/* exec_agg.c - hash aggregation and DISTINCT (see exec.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/array.h"
#include "sql/exec_int.h"

typedef struct agg_group {
    sql_datum *keys;
    agg_acc *accs;
} agg_group;

static mice_status numeric_of_i128(__int128 v, mice_arena *a, const sql_numeric **out,
                                   sql_error *err)
{
    char buf[64];
    int n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    char tmp[64];
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    int k = 0;
    if (neg) buf[k++] = '-';
    while (n)
        buf[k++] = tmp[--n];
    return numeric_parse(mice_slice_of(buf, (size_t)k), a, out, err);
}

static mice_status seen_before(exec_op *op, agg_acc *acc, const sql_datum *v, bool *seen,
                               sql_error *err)
{
    for (uint32_t i = 0; i < acc->n_seen; i++)
        if (datum_cmp(&acc->seen[i], v, op->st->env->vctx) == 0) {
            *seen = true;
            return MICE_OK;
        }
    *seen = false;
    if (acc->n_seen == acc->cap_seen) {
        uint32_t cap = acc->cap_seen ? acc->cap_seen * 2 : 16;
        sql_datum *s = arena_alloc(op->mem, sizeof(sql_datum) * cap);
        if (!s) return sqlerr_nomem(err);
        if (acc->n_seen) memcpy(s, acc->seen, sizeof(sql_datum) * acc->n_seen);
        acc->seen = s;
        acc->cap_seen = cap;
    }
    if (!batch_datum_copy(op->mem, v, &acc->seen[acc->n_seen++])) return sqlerr_nomem(err);
    return MICE_OK;
}

static mice_status text_append(exec_op *op, agg_acc *acc, mice_slice s, sql_error *err)
{
    if (acc->text_len + s.n > acc->text_cap) {
        size_t cap = (acc->text_cap ? acc->text_cap * 2 : 64) + s.n;
        uint8_t *p = arena_alloc(op->mem, cap);
        if (!p) return sqlerr_nomem(err);
        if (acc->text_len) memcpy(p, acc->text, acc->text_len);
        acc->text = p;
        acc->text_cap = cap;
    }
    if (s.n) memcpy(acc->text + acc->text_len, s.p, s.n);
    acc->text_len += s.n;
    return MICE_OK;
}

static mice_status string_agg_add(exec_op *op, agg_acc *acc, const sql_datum *v,
                                  const sql_datum *delim, sql_error *err)
{
    mice_status rc = MICE_OK;
    if (acc->count > 1 && !delim->is_null) rc = text_append(op, acc, delim->v.s, err);
    return rc ? rc : text_append(op, acc, v->v.s, err);
}

/* array_agg: keep the value (NULLs too) and its ORDER BY keys, copied into op->mem. */
static mice_status array_agg_add(exec_op *op, const plan_agg *a, agg_acc *acc, const sql_datum *v,
                                 const sql_datum *keys, sql_error *err)
{
    uint32_t w = 1 + a->n_order;
    if (acc->n_items == acc->cap_items) {
        uint32_t cap = acc->cap_items ? acc->cap_items * 2 : 16;
        sql_datum *items = arena_alloc(op->mem, sizeof(sql_datum) * w * cap);
        if (!items) return sqlerr_nomem(err);
        if (acc->n_items) memcpy(items, acc->items, sizeof(sql_datum) * w * acc->n_items);
        acc->items = items;
        acc->cap_items = cap;
    }
    sql_datum *it = &acc->items[(size_t)w * acc->n_items++];
    if (!batch_datum_copy(op->mem, v, &it[0])) return sqlerr_nomem(err);
    for (uint32_t k = 0; k < a->n_order; k++)
        if (!batch_datum_copy(op->mem, &keys[k], &it[1 + k])) return sqlerr_nomem(err);
    acc->count++;
    return MICE_OK;
}

typedef struct agg_sort_ctx {
    const plan_agg *a;
    const sql_datum *items;
    const sql_value_ctx *vctx;
} agg_sort_ctx;

static int item_cmp(const void *x, const void *y, void *arg)
{
    const agg_sort_ctx *c = arg;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y, w = 1 + c->a->n_order;
    const sql_datum *p = &c->items[(size_t)w * i + 1], *q = &c->items[(size_t)w * j + 1];
    for (uint32_t k = 0; k < c->a->n_order; k++) {
        int r;
        if (p[k].is_null || q[k].is_null)
            r = p[k].is_null == q[k].is_null ? 0 : (p[k].is_null == c->a->order_nulls_first[k]) ? -1 : 1;
        else
            r = c->a->order_desc[k] ? -datum_cmp(&p[k], &q[k], c->vctx) : datum_cmp(&p[k], &q[k], c->vctx);
        if (r) return r;
    }
    return (i > j) - (i < j); /* input order among equal keys */
}

static mice_status array_agg_final(exec_op *op, const plan_agg *a, const agg_acc *acc,
                                   sql_datum *out, sql_error *err)
{
    uint32_t n = acc->n_items, w = 1 + a->n_order;
    sql_datum *v = arena_alloc(op->mem, sizeof(sql_datum) * (n ? n : 1));
    uint32_t *ord = arena_alloc(op->mem, sizeof(uint32_t) * (n ? n : 1));
    if (!v || !ord) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < n; i++)
        ord[i] = i;
    if (a->n_order) {
        agg_sort_ctx c = {a, acc->items, op->st->env->vctx};
        qsort_r(ord, n, sizeof *ord, item_cmp, &c);
    }
    for (uint32_t i = 0; i < n; i++)
        v[i] = acc->items[(size_t)w * ord[i]];
    return array_build(a->type.id, v, n, 1, op->mem, out, err);
}

mice_status exec__agg_add(exec_op *op, const plan_agg *a, agg_acc *acc, const sql_datum *v,
                          const sql_datum *v2, const sql_datum *keys, sql_error *err)
{
    if (a->fn == PLAN_AGG_COUNT_STAR) {
        acc->count++;
        return MICE_OK;
    }
    if (a->fn == PLAN_AGG_ARRAY_AGG && !a->distinct) return array_agg_add(op, a, acc, v, keys, err);
    if (v->is_null) return MICE_OK;
    if (a->distinct) {
        bool seen;
        mice_status rc = seen_before(op, acc, v, &seen, err);
        if (rc || seen) return rc;
    }
    acc->count++;
    switch (a->fn) {
    case PLAN_AGG_SUM:
    case PLAN_AGG_AVG:
        if (v->type == SQL_TYPE_INTERVAL) { /* the running sum lives in best */
            if (!acc->has) {
                acc->best = *v;
                acc->has = true;
                return MICE_OK;
            }
            return interval_add(&acc->best.v.iv, &v->v.iv, &acc->best.v.iv, err);
        }
        if (sql_type_is_integer(v->type)) {
            acc->isum += v->v.i;
        } else if (v->type == SQL_TYPE_FLOAT4) {
            acc->fsum += v->v.f4;
        } else if (v->type == SQL_TYPE_FLOAT8) {
            acc->fsum += v->v.f8;
        } else if (v->type == SQL_TYPE_NUMERIC) {
            if (!acc->nsum) {
                sql_datum d;
                if (!batch_datum_copy(op->mem, v, &d)) return sqlerr_nomem(err);
                acc->nsum = d.v.num;
                return MICE_OK;
            }
            return numeric_add(acc->nsum, v->v.num, op->mem, &acc->nsum, err);
        }
        return MICE_OK;
    case PLAN_AGG_MIN:
    case PLAN_AGG_MAX: {
        int c = acc->has ? datum_cmp(v, &acc->best, op->st->env->vctx) : 0;
        if (!acc->has || (a->fn == PLAN_AGG_MIN ? c < 0 : c > 0)) {
            if (!batch_datum_copy(op->mem, v, &acc->best)) return sqlerr_nomem(err);
            acc->has = true;
        }
        return MICE_OK;
    }
    case PLAN_AGG_STRING_AGG:
        return string_agg_add(op, acc, v, v2, err);
    case PLAN_AGG_ARRAY_AGG: /* DISTINCT: the distinct non-NULL values, in input order */
        acc->count--;
        return array_agg_add(op, a, acc, v, keys, err);
    case PLAN_AGG_BOOL_AND:
        acc->bval = acc->count == 1 ? v->v.b : (acc->bval && v->v.b);
        return MICE_OK;
    case PLAN_AGG_BOOL_OR:
        acc->bval = acc->count == 1 ? v->v.b : (acc->bval || v->v.b);
        return MICE_OK;
    default:
        return MICE_OK;
    }
}

static mice_status sum_value(exec_op *op, const plan_agg *a, const agg_acc *acc, sql_datum *out,
                             sql_error *err)
{
    sql_type_id at = a->arg->type.id;
    if (sql_type_is_integer(at)) {
        if (a->type.id == SQL_TYPE_INT8) {
            if (acc->isum > INT64_MAX || acc->isum < INT64_MIN)
                return sqlerr_out_of_range(err, "bigint");
            *out = datum_int8((int64_t)acc->isum);
            return MICE_OK;
        }
        const sql_numeric *n;
        mice_status rc = numeric_of_i128(acc->isum, op->mem, &n, err);
        *out = datum_numeric(n);
        return rc;
    }
    if (at == SQL_TYPE_INTERVAL)
        *out = acc->best;
    else if (at == SQL_TYPE_FLOAT4)
        *out = datum_float4((float)acc->fsum);
    else if (at == SQL_TYPE_FLOAT8)
        *out = datum_float8(acc->fsum);
    else
        *out = datum_numeric(acc->nsum);
    return MICE_OK;
}

mice_status exec__agg_final(exec_op *op, const plan_agg *a, const agg_acc *acc, sql_datum *out,
                            sql_error *err)
{
    if (a->fn == PLAN_AGG_COUNT_STAR || a->fn == PLAN_AGG_COUNT) {
        *out = datum_int8(acc->count);
        return MICE_OK;
    }
    if (!acc->count) {
        *out = datum_null(a->type.id);
        return MICE_OK;
    }
    switch (a->fn) {
    case PLAN_AGG_ARRAY_AGG:
        return array_agg_final(op, a, acc, out, err);
    case PLAN_AGG_SUM:
        return sum_value(op, a, acc, out, err);
    case PLAN_AGG_AVG: {
        if (a->type.id == SQL_TYPE_INTERVAL) {
            *out = datum_interval((sql_interval){0});
            return interval_div(&acc->best.v.iv, (double)acc->count, &out->v.iv, err);
        }
        if (a->type.id == SQL_TYPE_FLOAT8) {
            *out = datum_float8(acc->fsum / (double)acc->count);
            return MICE_OK;
        }
        sql_datum s, c;
        const sql_numeric *cn;
        mice_status rc = MICE_OK;
        if (sql_type_is_integer(a->arg->type.id)) {
            const sql_numeric *sn;
            rc = numeric_of_i128(acc->isum, op->mem, &sn, err);
            s = datum_numeric(sn);
        } else {
            s = datum_numeric(acc->nsum);
        }
        if (!rc) rc = numeric_from_int64(acc->count, op->mem, &cn, err);
        if (rc) return rc;
        c = datum_numeric(cn);
        return datum_arith(SQL_OP_DIV, &s, &c, op->mem, out, err);
    }
    case PLAN_AGG_MIN:
    case PLAN_AGG_MAX:
        *out = acc->best;
        return MICE_OK;
    case PLAN_AGG_STRING_AGG:
        *out = datum_text(mice_slice_of(acc->text, acc->text_len));
        return MICE_OK;
    default:
        *out = datum_bool(acc->bval);
        return MICE_OK;
    }
}

static mice_status find_group(exec_op *op, const sql_datum *keys, uint32_t ng, agg_group **out,
                              sql_error *err)
{
    uint64_t h = exec__hash_row(keys, ng);
    for (exec_hash_entry *e = op->hash.buckets[h & (op->hash.n_buckets - 1)]; e; e = e->next)
        if (e->hash == h && exec__rows_equal(e->row, keys, ng, op->st->env->vctx)) {
            *out = e->payload;
            return MICE_OK;
        }
    agg_group *g = ARENA_NEW(op->mem, agg_group);
    if (!g) return sqlerr_nomem(err);
    g->keys = batch_row_copy(op->mem, keys, ng);
    g->accs = ARENA_NEW_ARRAY(op->mem, agg_acc, op->p->n_aggs ? op->p->n_aggs : 1);
    if (!g->keys || !g->accs) return sqlerr_nomem(err);
    mice_status rc = exec__hash_insert(op, h, g->keys, g, err);
    if (rc) return rc;
    /* groups in arrival order, for a stable output */
    if (op->n_rows == op->cap_rows) {
        uint64_t cap = op->cap_rows ? op->cap_rows * 2 : 64;
        sql_datum **v = arena_alloc(op->mem, sizeof(sql_datum *) * cap);
        if (!v) return sqlerr_nomem(err);
        if (op->n_rows) memcpy(v, op->rows, sizeof(sql_datum *) * op->n_rows);
        op->rows = v;
        op->cap_rows = cap;
    }
    op->rows[op->n_rows++] = (sql_datum *)g;
    *out = g;
    return MICE_OK;
}

static mice_status agg_consume(exec_op *op, sql_error *err)
{
    plan_node *p = op->p;
    uint32_t ng = p->n_group, nc = p->child->n_cols;
    sql_datum row[nc ? nc : 1], keys[ng ? ng : 1];
    for (;;) {
        sql_batch *in;
        mice_status rc = exec_next(op->child, &in, err);
        if (rc) return rc;
        if (!in->n_rows) return MICE_OK;
        if ((rc = exec__cancelled(op->st, err))) return rc;
        expr_ctx c = op->st->ectx;
        c.arena = op->out->arena;
        arena_reset(op->out->arena);
        for (uint32_t r = 0; r < in->n_rows; r++) {
            batch_get_row(in, r, row);
            for (uint32_t k = 0; k < ng; k++)
                if ((rc = expr_eval(p->group[k], &c, row, &keys[k], err))) return rc;
            agg_group *g;
            if ((rc = find_group(op, keys, ng, &g, err))) return rc;
            for (uint32_t a = 0; a < p->n_aggs; a++) {
                sql_datum v = datum_null(SQL_TYPE_INT8), v2 = v;
                const plan_agg *pa = &p->aggs[a];
                if (pa->filter) {
                    sql_datum fv;
                    if ((rc = expr_eval(pa->filter, &c, row, &fv, err))) return rc;
                    if (fv.is_null || !fv.v.b) continue;
                }
                sql_datum okeys[pa->n_order ? pa->n_order : 1];
                if (pa->arg && (rc = expr_eval(pa->arg, &c, row, &v, err))) return rc;
                if (pa->arg2 && (rc = expr_eval(pa->arg2, &c, row, &v2, err))) return rc;
                for (uint32_t k = 0; k < pa->n_order; k++)
                    if ((rc = expr_eval(pa->order[k], &c, row, &okeys[k], err))) return rc;
                if ((rc = exec__agg_add(op, pa, &g->accs[a], &v, &v2, okeys, err))) return rc;
            }
        }
    }
}

static mice_status agg_next(exec_op *op, sql_batch **out, sql_error *err)
{
    plan_node *p = op->p;
    mice_status rc;
    if (!op->done) {
        if ((rc = agg_consume(op, err))) return rc;
        op->done = true;
        if (op->n_rows == 0 && p->n_group == 0 && p->kind == PLAN_AGG) {
            agg_group *g;
            if ((rc = find_group(op, NULL, 0, &g, err))) return rc;
        }
    }
    sql_batch *b = op->out;
    batch_reset(b);
    *out = b;
    uint32_t ng = p->n_group;
    sql_datum row[p->n_cols ? p->n_cols : 1];
    while (op->pos < op->n_rows && !batch_full(b)) {
        agg_group *g = (agg_group *)op->rows[op->pos++];
        for (uint32_t k = 0; k < ng; k++)
            row[k] = g->keys[k];
        for (uint32_t a = 0; a < p->n_aggs; a++)
            if ((rc = exec__agg_final(op, &p->aggs[a], &g->accs[a], &row[ng + a], err))) return rc;
        batch_append_row(b, row);
    }
    return MICE_OK;
}

mice_status exec__open_agg(exec_state *st, plan_node *p, exec_op *op, sql_error *err)
{
    if (p->kind == PLAN_DISTINCT) {
        /* DISTINCT is grouping by every column without aggregates. */
        plan_node *q = ARENA_NEW(st->arena, plan_node);
        if (!q) return sqlerr_nomem(err);
        *q = *p;
        q->n_group = p->n_cols;
        q->group = ARENA_NEW_ARRAY(st->arena, sql_expr *, p->n_cols ? p->n_cols : 1);
        if (!q->group) return sqlerr_nomem(err);
        for (uint32_t i = 0; i < p->n_cols; i++)
            if (!(q->group[i] = expr_col(st->arena, (int32_t)i, p->col_types[i], p->col_names[i])))
                return sqlerr_nomem(err);
        q->n_aggs = 0;
        op->p = q;
    }
    op->next = agg_next;
    return exec__hash_init(op, 256, err);
}

/* --- INTERSECT / EXCEPT ---------------------------------------------------------------------- */

typedef struct setop_count {
    int64_t right; /* rows of the right input still unmatched */
    bool emitted;
} setop_count;

static setop_count *setop_find(exec_op *op, const sql_datum *row, uint32_t n, uint64_t h)
{
    for (exec_hash_entry *e = op->hash.buckets[h & (op->hash.n_buckets - 1)]; e; e = e->next)
        if (e->hash == h && exec__rows_equal(e->row, row, n, op->st->env->vctx)) return e->payload;
    return NULL;
}

static mice_status setop_add(exec_op *op, const sql_datum *row, uint32_t n, uint64_t h,
                             setop_count **out, sql_error *err)
{
    setop_count *c = ARENA_NEW(op->mem, setop_count);
    sql_datum *keep = batch_row_copy(op->mem, row, n);
    if (!c || !keep) return sqlerr_nomem(err);
    *out = c;
    return exec__hash_insert(op, h, keep, c, err);
}

static mice_status setop_build(exec_op *op, sql_error *err)
{
    uint32_t n = op->p->n_cols;
    sql_datum row[n ? n : 1];
    for (;;) {
        sql_batch *b;
        mice_status rc = exec_next(op->right, &b, err);
        if (rc || !b->n_rows) return rc;
        for (uint32_t r = 0; r < b->n_rows; r++) {
            batch_get_row(b, r, row);
            uint64_t h = exec__hash_row(row, n);
            setop_count *c = setop_find(op, row, n, h);
            if (!c && (rc = setop_add(op, row, n, h, &c, err))) return rc;
            c->right++;
        }
    }
}

/* Whether a left row is output: INTERSECT keeps rows the right side has, EXCEPT the
 * others; without ALL each distinct row once, with ALL as many times as the counts say. */
static mice_status setop_keep(exec_op *op, const sql_datum *row, bool *keep, sql_error *err)
{
    const plan_node *p = op->p;
    uint32_t n = p->n_cols;
    uint64_t h = exec__hash_row(row, n);
    setop_count *c = setop_find(op, row, n, h);
    if (!c) {
        mice_status rc = setop_add(op, row, n, h, &c, err);
        if (rc) return rc;
    }
    if (p->setop_all) {
        bool matched = c->right > 0;
        if (matched) c->right--;
        *keep = p->setop_except ? !matched : matched;
        return MICE_OK;
    }
    *keep = !c->emitted && (p->setop_except ? c->right == 0 : c->right > 0);
    if (*keep) c->emitted = true;
    return MICE_OK;
}

static mice_status setop_next(exec_op *op, sql_batch **out, sql_error *err)
{
    mice_status rc;
    if (!op->done) {
        if ((rc = setop_build(op, err))) return rc;
        op->done = true;
    }
    sql_batch *b = op->out;
    b->n_rows = 0;
    *out = b;
    uint32_t n = op->p->n_cols;
    sql_datum row[n ? n : 1];
    while (!b->n_rows) {
        sql_batch *in;
        if ((rc = exec_next(op->child, &in, err)) || !in->n_rows) return rc;
        for (uint32_t r = 0; r < in->n_rows; r++) {
            bool keep;
            batch_get_row(in, r, row);
            if ((rc = setop_keep(op, row, &keep, err))) return rc;
            if (keep) batch_append_row(b, row);
        }
    }
    return MICE_OK;
}

mice_status exec__open_setop(exec_state *st, plan_node *p, exec_op *op, sql_error *err)
{
    (void)st;
    (void)p;
    op->next = setop_next;
    return exec__hash_init(op, 256, err);
}
