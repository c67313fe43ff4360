/* exec_window.c - PLAN_WINDOW: window functions over one window (see plan.h).
 *
 * The operator reads its whole input, evaluating per row the window's partition and order
 * keys and each function's arguments, sorts the rows by (partition, order, arrival), then
 * computes every function partition by partition as PostgreSQL's nodeWindowAgg does:
 * ranking functions from the peer groups (rows equal in the order keys), lag/lead from
 * row positions, first/last/nth_value and aggregates over each row's frame (ROWS, RANGE,
 * GROUPS with UNBOUNDED / CURRENT ROW / offset bounds, EXCLUDE). Aggregates whose frame
 * starts at the partition's first row accumulate as the frame end advances; other frames
 * are aggregated afresh (in a scratch arena) unless they equal the previous row's frame.
 * Rows come out in the sorted order: the input's columns, then one per function.
 *
 * Owns: rows in op->mem (the statement's work_mem budget: 53200 when exceeded).
 * Thread safety: one statement.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/datetime.h"
#include "sql/exec_int.h"
#include "sql/interval.h"

enum { WIN_SLOTS = PLAN_WIN_ARGS_MAX + 1 }; /* args, then the FILTER */

typedef struct win_layout {
    uint32_t nin, nk, args, res, seq, width;
} win_layout;

static win_layout layout_of(const plan_node *p)
{
    const plan_window *w = p->win;
    win_layout l;
    l.nin = p->child->n_cols;
    l.nk = w->n_part + w->n_order;
    l.args = l.nin + l.nk;
    l.res = l.args + WIN_SLOTS * w->n_funcs;
    l.seq = l.res + w->n_funcs;
    l.width = l.seq + 1;
    return l;
}

typedef struct win_sort {
    const plan_window *w;
    win_layout l;
    const sql_value_ctx *vctx;
} win_sort;

static int key_cmp(const sql_datum *u, const sql_datum *v, bool desc, bool nulls_first,
                   const sql_value_ctx *vctx)
{
    if (u->is_null || v->is_null) {
        if (u->is_null && v->is_null) return 0;
        int c = u->is_null ? 1 : -1;
        return nulls_first ? -c : c;
    }
    int c = datum_cmp(u, v, vctx);
    return desc ? -c : c;
}

static int row_cmp(const void *x, const void *y, void *arg)
{
    const win_sort *s = arg;
    const sql_datum *a = *(sql_datum *const *)x, *b = *(sql_datum *const *)y;
    const plan_window *w = s->w;
    for (uint32_t i = 0; i < w->n_part; i++) {
        int c = key_cmp(&a[s->l.nin + i], &b[s->l.nin + i], false, false, s->vctx);
        if (c) return c;
    }
    for (uint32_t i = 0; i < w->n_order; i++) {
        uint32_t k = s->l.nin + w->n_part + i;
        int c = key_cmp(&a[k], &b[k], w->order_desc[i], w->order_nulls_first[i], s->vctx);
        if (c) return c;
    }
    int64_t u = a[s->l.seq].v.i, v = b[s->l.seq].v.i;
    return u < v ? -1 : u > v;
}

static bool keys_equal(const sql_datum *a, const sql_datum *b, uint32_t from, uint32_t n,
                       const sql_value_ctx *vctx)
{
    for (uint32_t i = from; i < from + n; i++) {
        if (a[i].is_null || b[i].is_null) {
            if (a[i].is_null != b[i].is_null) return false;
            continue;
        }
        if (datum_cmp(&a[i], &b[i], vctx)) return false;
    }
    return true;
}

/* --- reading the input ------------------------------------------------------------------- */

static mice_status read_input(exec_op *op, const win_layout *l, sql_error *err)
{
    const plan_window *w = op->p->win;
    if (!op->mem2 && !(op->mem2 = arena_create(op->st->arena, "window eval", 0)))
        return sqlerr_nomem(err);
    sql_datum row[l->width];
    expr_ctx c = op->st->ectx;
    c.arena = op->mem2;
    int64_t seq = 0;
    for (;;) {
        sql_batch *b;
        mice_status rc = exec_next(op->child, &b, err);
        if (rc) return rc;
        if (!b->n_rows) return MICE_OK;
        if ((rc = exec__cancelled(op->st, err))) return rc;
        for (uint32_t r = 0; r < b->n_rows; r++) {
            arena_reset(op->mem2);
            batch_get_row(b, r, row);
            for (uint32_t i = l->nin; i < l->width; i++)
                row[i] = datum_null(SQL_TYPE_TEXT);
            for (uint32_t i = 0; i < w->n_part && !rc; i++)
                rc = expr_eval(w->part[i], &c, row, &row[l->nin + i], err);
            for (uint32_t i = 0; i < w->n_order && !rc; i++)
                rc = expr_eval(w->order[i], &c, row, &row[l->nin + w->n_part + i], err);
            for (uint32_t f = 0; f < w->n_funcs && !rc; f++) {
                const plan_wfunc *fn = &w->funcs[f];
                sql_datum *slot = &row[l->args + WIN_SLOTS * f];
                for (uint32_t a = 0; a < fn->n_args && !rc; a++)
                    rc = expr_eval(fn->args[a], &c, row, &slot[a], err);
                if (!rc && fn->filter) rc = expr_eval(fn->filter, &c, row, &slot[3], err);
            }
            if (rc) return rc;
            row[l->seq] = datum_int8(seq++);
            if ((rc = exec__keep_row(op, row, l->width, err))) return rc;
        }
    }
}

/* --- one partition --------------------------------------------------------------------- */

typedef struct win_part {
    exec_op *op;
    const plan_window *w;
    win_layout l;
    sql_datum **rows; /* the partition's rows */
    uint64_t n;
    uint64_t *grp_start, *grp_end; /* peer group bounds of each row */
    uint64_t *grp_of;              /* peer group number of each row */
    uint64_t *grp_first;           /* first row of each peer group */
    uint64_t n_groups;
    int64_t start_off, end_off;   /* ROWS / GROUPS offsets */
    sql_datum start_val, end_val; /* RANGE offsets */
    mice_arena *scratch;
    uint64_t hint_i, hint_s, hint_e; /* RANGE offsets: the last row's bounds */
} win_part;

static mice_status offset_value(exec_op *op, sql_expr *e, bool start, bool range, int64_t *n,
                                sql_datum *v, sql_error *err)
{
    if (!e) return MICE_OK;
    expr_ctx c = op->st->ectx;
    c.arena = op->mem;
    mice_status rc = expr_eval(e, &c, NULL, v, err);
    if (rc) return rc;
    const char *which = start ? "starting" : "ending";
    if (v->is_null)
        return sqlerr_set(err, MICE_INVALID, "22004", "frame %s offset must not be null", which);
    bool neg = false;
    if (sql_type_is_integer(v->type))
        neg = v->v.i < 0;
    else if (v->type == SQL_TYPE_FLOAT8)
        neg = v->v.f8 < 0;
    else if (v->type == SQL_TYPE_INTERVAL)
        neg = (__int128)v->v.iv.month * 30 * SQL_USECS_PER_DAY +
                  (__int128)v->v.iv.day * SQL_USECS_PER_DAY + v->v.iv.time <
              0; /* interval_sign: months of 30 days */
    else if (v->type == SQL_TYPE_NUMERIC) {
        const sql_numeric *zero;
        if ((rc = numeric_parse(mice_slice_of("0", 1), op->mem, &zero, err))) return rc;
        sql_datum z = datum_numeric(zero);
        neg = datum_cmp(v, &z, op->st->env->vctx) < 0;
    }
    if (neg && range)
        return sqlerr_set(err, MICE_INVALID, "22013",
                          "invalid preceding or following size in window function");
    if (neg)
        return sqlerr_set(err, MICE_INVALID, "22013", "frame %s offset must not be negative",
                          which);
    *n = sql_type_is_integer(v->type) ? v->v.i : 0;
    return MICE_OK;
}

/* RANGE offsets: compare row j's key with key(i) -/+ off in the sort direction; returns
 * <0 when j's key is before that bound, 0 at it, >0 after. */
static mice_status range_cmp(win_part *wp, uint64_t i, uint64_t j, const sql_datum *off,
                             bool preceding, int *out, sql_error *err)
{
    const plan_window *w = wp->w;
    uint32_t k = wp->l.nin + w->n_part;
    const sql_datum *ki = &wp->rows[i][k], *kj = &wp->rows[j][k];
    bool desc = w->order_desc[0];
    /* the bound moves against the sort direction for PRECEDING */
    bool sub = preceding != desc;
    sql_type_id t = ki->type;
    int c;
    if (sql_type_is_integer(t)) {
        __int128 bound = (__int128)ki->v.i + (sub ? -(__int128)off->v.i : (__int128)off->v.i);
        __int128 x = kj->v.i;
        c = x < bound ? -1 : x > bound;
    } else if (sql_type_is_float(t)) {
        double a = t == SQL_TYPE_FLOAT4 ? ki->v.f4 : ki->v.f8;
        double x = t == SQL_TYPE_FLOAT4 ? kj->v.f4 : kj->v.f8;
        double bound = sub ? a - off->v.f8 : a + off->v.f8;
        c = x < bound ? -1 : x > bound;
    } else if (t == SQL_TYPE_DATE || t == SQL_TYPE_TIMESTAMP || t == SQL_TYPE_TIMESTAMPTZ) {
        /* PostgreSQL's in_range for date/timestamp[tz] and interval: key +/- offset as a
         * timestamp (date: midnight; timestamptz: calendar steps in the session zone) */
        const sql_tz *tz = wp->op->st->env->vctx->dt.tz;
        sql_timestamp a = ki->v.ts, x = kj->v.ts, bound;
        mice_status rc = MICE_OK;
        if (t == SQL_TYPE_DATE) {
            rc = date_to_timestamp(ki->v.date, &a, err);
            if (!rc) rc = date_to_timestamp(kj->v.date, &x, err);
        }
        sql_interval iv = off->v.iv;
        if (!rc && sub) rc = interval_neg(&off->v.iv, &iv, err);
        if (!rc) rc = interval_timestamp_add(a, &iv, t == SQL_TYPE_TIMESTAMPTZ, tz, &bound, err);
        if (rc) return rc;
        c = x < bound ? -1 : x > bound;
    } else {
        sql_datum bound;
        mice_status rc =
            datum_arith(sub ? SQL_OP_SUB : SQL_OP_ADD, ki, off, wp->scratch, &bound, err);
        if (rc) return rc;
        c = datum_cmp(kj, &bound, wp->op->st->env->vctx);
    }
    *out = desc ? -c : c;
    return MICE_OK;
}

static bool key_null(const win_part *wp, uint64_t j)
{
    return wp->rows[j][wp->l.nin + wp->w->n_part].is_null;
}

/* The frame of row i: [*s, *e). */
static mice_status frame_of(win_part *wp, uint64_t i, uint64_t *s, uint64_t *e, sql_error *err)
{
    int32_t fo = wp->w->frame;
    uint64_t n = wp->n;
    mice_status rc;
    /* start */
    if (fo & AST_FRAME_START_UNBOUNDED_PRECEDING) {
        *s = 0;
    } else if (fo & AST_FRAME_START_CURRENT_ROW) {
        *s = (fo & AST_FRAME_ROWS) ? i : wp->grp_start[i];
    } else {
        bool prec = fo & AST_FRAME_START_OFFSET_PRECEDING;
        if (fo & AST_FRAME_ROWS) {
            int64_t v = prec ? (int64_t)i - wp->start_off : (int64_t)i + wp->start_off;
            *s = v < 0 ? 0 : (uint64_t)v > n ? n : (uint64_t)v;
        } else if (fo & AST_FRAME_GROUPS) {
            int64_t g = (int64_t)wp->grp_of[i] + (prec ? -wp->start_off : wp->start_off);
            *s = g < 0 ? 0 : (uint64_t)g >= wp->n_groups ? n : wp->grp_first[g];
        } else if (key_null(wp, i)) {
            *s = wp->grp_start[i];
        } else {
            /* the bound only moves forward as i does: start from the last answer */
            if (i < wp->hint_i) wp->hint_s = wp->hint_e = 0;
            wp->hint_i = i;
            uint64_t j = wp->hint_s;
            for (; j < n; j++) {
                if (key_null(wp, j)) {
                    if (wp->w->order_nulls_first[0]) continue;
                    break;
                }
                int c;
                if ((rc = range_cmp(wp, i, j, &wp->start_val, prec, &c, err))) return rc;
                if (c >= 0) break;
            }
            *s = wp->hint_s = j;
        }
    }
    /* end */
    if (fo & AST_FRAME_END_UNBOUNDED_FOLLOWING) {
        *e = n;
    } else if (fo & AST_FRAME_END_CURRENT_ROW) {
        *e = (fo & AST_FRAME_ROWS) ? i + 1 : wp->grp_end[i];
    } else {
        bool prec = fo & AST_FRAME_END_OFFSET_PRECEDING;
        if (fo & AST_FRAME_ROWS) {
            int64_t v = prec ? (int64_t)i - wp->end_off + 1 : (int64_t)i + wp->end_off + 1;
            *e = v < 0 ? 0 : (uint64_t)v > n ? n : (uint64_t)v;
        } else if (fo & AST_FRAME_GROUPS) {
            int64_t g = (int64_t)wp->grp_of[i] + (prec ? -wp->end_off : wp->end_off);
            *e = g < 0 ? 0 : (uint64_t)g >= wp->n_groups ? n : wp->grp_end[wp->grp_first[g]];
        } else if (key_null(wp, i)) {
            *e = wp->grp_end[i];
        } else {
            /* the first row past the bound (non-NULL keys only), searched from the last one */
            if (i < wp->hint_i) wp->hint_s = wp->hint_e = 0;
            wp->hint_i = i;
            uint64_t j = wp->hint_e;
            while (j < n && key_null(wp, j) && wp->w->order_nulls_first[0])
                j++;
            for (; j < n && !key_null(wp, j); j++) {
                int c;
                if ((rc = range_cmp(wp, i, j, &wp->end_val, prec, &c, err))) return rc;
                if (c > 0) break;
            }
            *e = wp->hint_e = j;
        }
    }
    if (*e < *s) *e = *s;
    return MICE_OK;
}

/* Whether frame row j is excluded for current row i (EXCLUDE ...). */
static bool excluded(const win_part *wp, uint64_t i, uint64_t j)
{
    int32_t fo = wp->w->frame;
    if (fo & AST_FRAME_EXCLUDE_CURRENT_ROW) return j == i;
    if (fo & AST_FRAME_EXCLUDE_GROUP) return wp->grp_of[j] == wp->grp_of[i];
    if (fo & AST_FRAME_EXCLUDE_TIES) return j != i && wp->grp_of[j] == wp->grp_of[i];
    return false;
}

static const sql_datum *arg_of(const win_part *wp, uint64_t row, uint32_t f, uint32_t a)
{
    return &wp->rows[row][wp->l.args + WIN_SLOTS * f + a];
}

static mice_status agg_row(win_part *wp, exec_op *tmp, uint32_t f, agg_acc *acc, uint64_t j,
                           sql_error *err)
{
    const plan_wfunc *fn = &wp->w->funcs[f];
    if (fn->filter) {
        const sql_datum *fv = arg_of(wp, j, f, 3);
        if (fv->is_null || !fv->v.b) return MICE_OK;
    }
    sql_datum none = datum_null(SQL_TYPE_TEXT);
    return exec__agg_add(tmp, &fn->agg, acc, fn->n_args > 0 ? arg_of(wp, j, f, 0) : &none,
                         fn->n_args > 1 ? arg_of(wp, j, f, 1) : &none, NULL, err);
}

static mice_status set_result(win_part *wp, uint64_t i, uint32_t f, const sql_datum *v,
                              sql_error *err)
{
    if (!batch_datum_copy(wp->op->mem, v, &wp->rows[i][wp->l.res + f])) return sqlerr_nomem(err);
    return MICE_OK;
}

/* An aggregate whose result does not depend on the order rows are added in. */
static bool order_free(const plan_agg *a)
{
    switch (a->fn) {
    case PLAN_AGG_SUM:
    case PLAN_AGG_AVG:
        return !sql_type_is_float(a->arg->type.id);
    case PLAN_AGG_STRING_AGG:
    case PLAN_AGG_ARRAY_AGG:
        return false;
    default:
        return true;
    }
}

static mice_status aggregate(win_part *wp, uint32_t f, sql_error *err)
{
    int32_t fo = wp->w->frame;
    bool exclude =
        fo & (AST_FRAME_EXCLUDE_CURRENT_ROW | AST_FRAME_EXCLUDE_GROUP | AST_FRAME_EXCLUDE_TIES);
    exec_op tmp = *wp->op;
    mice_status rc;
    if ((fo & AST_FRAME_START_UNBOUNDED_PRECEDING) && !exclude) {
        /* running aggregate: the frame only grows */
        tmp.mem = wp->scratch;
        arena_reset(wp->scratch);
        agg_acc acc = {0};
        uint64_t added = 0;
        for (uint64_t i = 0; i < wp->n; i++) {
            uint64_t s, e;
            if ((rc = frame_of(wp, i, &s, &e, err))) return rc;
            for (; added < e; added++)
                if ((rc = agg_row(wp, &tmp, f, &acc, added, err))) return rc;
            sql_datum v;
            if ((rc = exec__agg_final(&tmp, &wp->w->funcs[f].agg, &acc, &v, err))) return rc;
            if ((rc = set_result(wp, i, f, &v, err))) return rc;
        }
        return MICE_OK;
    }
    if ((fo & AST_FRAME_END_UNBOUNDED_FOLLOWING) && !exclude && order_free(&wp->w->funcs[f].agg)) {
        /* frames [s, n) with s growing: accumulate from the last row backwards (exact
         * aggregates only: a float sum's rounding depends on the order) */
        tmp.mem = wp->scratch;
        arena_reset(wp->scratch);
        agg_acc acc = {0};
        uint64_t added_from = wp->n;
        for (uint64_t i = wp->n; i-- > 0;) {
            uint64_t s, e;
            if ((rc = frame_of(wp, i, &s, &e, err))) return rc;
            for (; added_from > s; added_from--)
                if ((rc = agg_row(wp, &tmp, f, &acc, added_from - 1, err))) return rc;
            sql_datum v;
            if ((rc = exec__agg_final(&tmp, &wp->w->funcs[f].agg, &acc, &v, err))) return rc;
            if ((rc = set_result(wp, i, f, &v, err))) return rc;
        }
        return MICE_OK;
    }
    mice_arena *row_mem = arena_create(wp->op->st->arena, "window frame", 0);
    if (!row_mem) return sqlerr_nomem(err);
    tmp.mem = row_mem;
    uint64_t ps = UINT64_MAX, pe = 0;
    rc = MICE_OK;
    for (uint64_t i = 0; i < wp->n && !rc; i++) {
        uint64_t s, e;
        if ((rc = frame_of(wp, i, &s, &e, err))) break;
        if (!exclude && s == ps && e == pe && i > 0) {
            rc = set_result(wp, i, f, &wp->rows[i - 1][wp->l.res + f], err);
            continue;
        }
        arena_reset(row_mem);
        agg_acc acc = {0};
        for (uint64_t j = s; j < e && !rc; j++)
            if (!excluded(wp, i, j)) rc = agg_row(wp, &tmp, f, &acc, j, err);
        sql_datum v;
        if (!rc) rc = exec__agg_final(&tmp, &wp->w->funcs[f].agg, &acc, &v, err);
        if (!rc) rc = set_result(wp, i, f, &v, err);
        ps = s;
        pe = e;
    }
    arena_destroy(row_mem);
    return rc;
}

/* The k-th (0-based) row of row i's frame, after exclusions; false when there is none. */
static mice_status frame_row(win_part *wp, uint64_t i, int64_t k, bool from_end, uint64_t *out,
                             bool *found, sql_error *err)
{
    uint64_t s, e;
    mice_status rc = frame_of(wp, i, &s, &e, err);
    if (rc) return rc;
    *found = false;
    int64_t seen = 0;
    for (uint64_t x = 0; x < e - s; x++) {
        uint64_t j = from_end ? e - 1 - x : s + x;
        if (excluded(wp, i, j)) continue;
        if (seen++ == k) {
            *out = j;
            *found = true;
            return MICE_OK;
        }
    }
    return MICE_OK;
}

static mice_status compute(win_part *wp, uint32_t f, sql_error *err)
{
    const plan_wfunc *fn = &wp->w->funcs[f];
    uint64_t n = wp->n;
    mice_status rc = MICE_OK;
    if (fn->fn == PLAN_WIN_AGG) return aggregate(wp, f, err);
    int64_t ntile = 0;
    bool ntile_null = false;
    if (fn->fn == PLAN_WIN_NTILE) { /* PostgreSQL reads the argument once per partition */
        const sql_datum *v = arg_of(wp, 0, f, 0);
        ntile_null = v->is_null;
        if (!ntile_null && v->v.i <= 0)
            return sqlerr_set(err, MICE_INVALID, "22014",
                              "argument of ntile must be greater than zero");
        ntile = v->v.i;
    }
    for (uint64_t i = 0; i < n && !rc; i++) {
        sql_datum v = datum_null(fn->type.id);
        switch (fn->fn) {
        case PLAN_WIN_ROW_NUMBER:
            v = datum_int8((int64_t)i + 1);
            break;
        case PLAN_WIN_RANK:
            v = datum_int8((int64_t)wp->grp_start[i] + 1);
            break;
        case PLAN_WIN_DENSE_RANK:
            v = datum_int8((int64_t)wp->grp_of[i] + 1);
            break;
        case PLAN_WIN_PERCENT_RANK:
            v = datum_float8(n > 1 ? (double)wp->grp_start[i] / (double)(n - 1) : 0.0);
            break;
        case PLAN_WIN_CUME_DIST:
            v = datum_float8((double)wp->grp_end[i] / (double)n);
            break;
        case PLAN_WIN_NTILE: {
            if (ntile_null) break;
            /* nodeWindowAgg's window_ntile: the first (n % k) buckets get one more row */
            uint64_t k = (uint64_t)ntile, per = n / k, extra = n % k, b;
            if (per == 0) {
                b = i + 1;
            } else {
                uint64_t big = extra * (per + 1);
                b = i < big ? i / (per + 1) + 1 : extra + (i - big) / per + 1;
            }
            v = datum_int4((int32_t)b);
            break;
        }
        case PLAN_WIN_LAG:
        case PLAN_WIN_LEAD: {
            int64_t off = 1;
            if (fn->n_args > 1) {
                const sql_datum *o = arg_of(wp, i, f, 1);
                if (o->is_null) break;
                off = o->v.i;
            }
            int64_t t = fn->fn == PLAN_WIN_LAG ? (int64_t)i - off : (int64_t)i + off;
            if (t >= 0 && (uint64_t)t < n)
                v = *arg_of(wp, (uint64_t)t, f, 0);
            else if (fn->n_args > 2)
                v = *arg_of(wp, i, f, 2);
            break;
        }
        case PLAN_WIN_FIRST_VALUE:
        case PLAN_WIN_LAST_VALUE:
        case PLAN_WIN_NTH_VALUE: {
            int64_t k = 0;
            if (fn->fn == PLAN_WIN_NTH_VALUE) {
                const sql_datum *o = arg_of(wp, i, f, 1);
                if (o->is_null) break;
                if (o->v.i <= 0)
                    return sqlerr_set(err, MICE_INVALID, "22016",
                                      "argument of nth_value must be greater than zero");
                k = o->v.i - 1;
            }
            uint64_t j;
            bool found;
            rc = frame_row(wp, i, k, fn->fn == PLAN_WIN_LAST_VALUE, &j, &found, err);
            if (!rc && found) v = *arg_of(wp, j, f, 0);
            break;
        }
        case PLAN_WIN_AGG:
            break;
        }
        if (!rc) wp->rows[i][wp->l.res + f] = v;
    }
    return rc;
}

static mice_status partition(exec_op *op, const win_layout *l, sql_datum **rows, uint64_t n,
                             mice_arena *scratch, sql_error *err)
{
    const plan_window *w = op->p->win;
    win_part wp = {.op = op, .w = w, .l = *l, .rows = rows, .n = n, .scratch = scratch};
    arena_reset(scratch);
    wp.grp_start = arena_alloc(scratch, sizeof(uint64_t) * n);
    wp.grp_end = arena_alloc(scratch, sizeof(uint64_t) * n);
    wp.grp_of = arena_alloc(scratch, sizeof(uint64_t) * n);
    wp.grp_first = arena_alloc(scratch, sizeof(uint64_t) * n);
    if (!wp.grp_start || !wp.grp_end || !wp.grp_of || !wp.grp_first) return sqlerr_nomem(err);
    const sql_value_ctx *vctx = op->st->env->vctx;
    for (uint64_t i = 0; i < n; i++) {
        bool peer = i > 0 && keys_equal(rows[i - 1], rows[i], l->nin + w->n_part, w->n_order, vctx);
        if (!peer) wp.grp_first[wp.n_groups++] = i;
        wp.grp_of[i] = wp.n_groups - 1;
        wp.grp_start[i] = wp.grp_first[wp.n_groups - 1];
    }
    for (uint64_t i = n; i-- > 0;)
        wp.grp_end[i] = i + 1 < n && wp.grp_of[i + 1] == wp.grp_of[i] ? wp.grp_end[i + 1] : i + 1;
    bool range = w->frame & AST_FRAME_RANGE;
    mice_status rc = offset_value(op, w->start_off, true, range, &wp.start_off, &wp.start_val, err);
    if (!rc) rc = offset_value(op, w->end_off, false, range, &wp.end_off, &wp.end_val, err);
    /* the group arrays live in scratch: aggregates use a frame arena of their own */
    mice_arena *agg_mem = arena_create(op->st->arena, "window agg", 0);
    if (!agg_mem) return sqlerr_nomem(err);
    wp.scratch = agg_mem;
    for (uint32_t f = 0; f < w->n_funcs && !rc; f++)
        rc = compute(&wp, f, err);
    arena_destroy(agg_mem);
    return rc;
}

static mice_status run(exec_op *op, sql_error *err)
{
    win_layout l = layout_of(op->p);
    mice_status rc = read_input(op, &l, err);
    if (rc) return rc;
    const plan_window *w = op->p->win;
    win_sort ws = {w, l, op->st->env->vctx};
    if (op->n_rows > 1) qsort_r(op->rows, op->n_rows, sizeof(sql_datum *), row_cmp, &ws);
    mice_arena *scratch = arena_create(op->st->arena, "window partition", 0);
    if (!scratch) return sqlerr_nomem(err);
    uint64_t ps = 0;
    for (uint64_t i = 1; i <= op->n_rows && !rc; i++) {
        if (i < op->n_rows && keys_equal(op->rows[i - 1], op->rows[i], l.nin, w->n_part, ws.vctx))
            continue;
        rc = exec__cancelled(op->st, err);
        if (!rc) rc = partition(op, &l, op->rows + ps, i - ps, scratch, err);
        ps = i;
    }
    arena_destroy(scratch);
    return rc;
}

mice_status exec__window_next(exec_op *op, sql_batch **out, sql_error *err)
{
    if (!op->done) {
        mice_status rc = run(op, err);
        if (rc) return rc;
        op->done = true;
    }
    win_layout l = layout_of(op->p);
    uint32_t nf = op->p->win->n_funcs;
    sql_batch *b = op->out;
    b->n_rows = 0;
    sql_datum row[l.nin + nf + 1];
    while (op->pos < op->n_rows && !batch_full(b)) {
        const sql_datum *r = op->rows[op->pos++];
        memcpy(row, r, sizeof(sql_datum) * l.nin);
        memcpy(row + l.nin, r + l.res, sizeof(sql_datum) * nf);
        batch_append_row(b, row);
    }
    *out = b;
    return MICE_OK;
}
