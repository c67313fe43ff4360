/* expr.c - evaluation and printing of bound expressions (see expr.h). */
#include "sql/expr.h"

#include <string.h>

#include "sql/value_io.h"

sql_expr *expr_new(mice_arena *a, expr_kind k, sql_type t, uint32_t n_args)
{
    sql_expr *e = ARENA_NEW(a, sql_expr);
    if (!e) return NULL;
    e->kind = k;
    e->type = t;
    e->loc = -1;
    e->n_args = n_args;
    if (n_args) {
        e->args = ARENA_NEW_ARRAY(a, sql_expr *, n_args);
        if (!e->args) return NULL;
    }
    return e;
}

sql_expr *expr_const(mice_arena *a, sql_datum v, sql_type t)
{
    sql_expr *e = expr_new(a, EXPR_CONST, t, 0);
    if (e) e->value = v;
    return e;
}

sql_expr *expr_col(mice_arena *a, int32_t index, sql_type t, const char *name)
{
    sql_expr *e = expr_new(a, EXPR_COL, t, 0);
    if (!e) return NULL;
    e->index = index;
    e->name = name;
    return e;
}

bool expr_cmp_holds(expr_cmp_op op, int c)
{
    switch (op) {
    case EXPR_EQ:
        return c == 0;
    case EXPR_NE:
        return c != 0;
    case EXPR_LT:
        return c < 0;
    case EXPR_LE:
        return c <= 0;
    case EXPR_GT:
        return c > 0;
    case EXPR_GE:
        return c >= 0;
    }
    return false;
}

const char *expr_cmp_name(expr_cmp_op op)
{
    static const char *const names[] = {"=", "<>", "<", "<=", ">", ">="};
    return names[op];
}

static mice_status eval_andor(sql_expr *e, const expr_ctx *ctx, const sql_datum *row,
                              sql_datum *out, sql_error *err)
{
    bool is_and = e->kind == EXPR_AND;
    bool saw_null = false;
    for (uint32_t i = 0; i < e->n_args; i++) {
        sql_datum v;
        mice_status rc = expr_eval(e->args[i], ctx, row, &v, err);
        if (rc) return rc;
        if (v.is_null) {
            saw_null = true;
        } else if (v.v.b != is_and) {
            *out = datum_bool(!is_and);
            return MICE_OK;
        }
    }
    *out = saw_null ? datum_null(SQL_TYPE_BOOL) : datum_bool(is_and);
    return MICE_OK;
}

static mice_status eval_cmp(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, sql_datum *out,
                            sql_error *err)
{
    sql_datum a, b;
    mice_status rc = expr_eval(e->args[0], ctx, row, &a, err);
    if (rc) return rc;
    rc = expr_eval(e->args[1], ctx, row, &b, err);
    if (rc) return rc;
    if (a.is_null || b.is_null) {
        *out = datum_null(SQL_TYPE_BOOL);
        return MICE_OK;
    }
    *out = datum_bool(expr_cmp_holds((expr_cmp_op)e->op, datum_cmp(&a, &b, ctx->vctx)));
    return MICE_OK;
}

static mice_status eval_args(sql_expr *e, const expr_ctx *ctx, const sql_datum *row,
                             sql_datum *vals, sql_error *err)
{
    for (uint32_t i = 0; i < e->n_args; i++) {
        mice_status rc = expr_eval(e->args[i], ctx, row, &vals[i], err);
        if (rc) return rc;
    }
    return MICE_OK;
}

/* COALESCE evaluates its arguments only until one is not NULL, as PostgreSQL does. */
static mice_status eval_coalesce(sql_expr *e, const expr_ctx *ctx, const sql_datum *row,
                                 sql_datum *out, sql_error *err)
{
    for (uint32_t i = 0; i < e->n_args; i++) {
        mice_status rc = expr_eval(e->args[i], ctx, row, out, err);
        if (rc) return rc;
        if (!out->is_null) return MICE_OK;
    }
    *out = datum_null(e->type.id);
    return MICE_OK;
}

static mice_status eval_func(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, sql_datum *out,
                             sql_error *err)
{
    if (e->kind == EXPR_COALESCE) return eval_coalesce(e, ctx, row, out, err);
    sql_datum small[8];
    sql_datum *vals = small;
    if (e->n_args > 8) {
        vals = arena_alloc(ctx->arena, sizeof(sql_datum) * e->n_args);
        if (!vals) return sqlerr_nomem(err);
    }
    mice_status rc = eval_args(e, ctx, row, vals, err);
    if (rc) return rc;
    switch (e->kind) {
    case EXPR_NULLIF:
        func_nullif(&vals[0], &vals[1], ctx->vctx, out);
        break;
    case EXPR_MINMAX:
        if (e->op)
            func_greatest(vals, (int)e->n_args, ctx->vctx, out);
        else
            func_least(vals, (int)e->n_args, ctx->vctx, out);
        break;
    default: {
        mice_arena *saved = ctx->fctx->arena;
        ctx->fctx->arena = ctx->arena;
        rc = func_call(e->fm, vals, (int)e->n_args, ctx->fctx, out, err);
        ctx->fctx->arena = saved;
        if (rc) return rc;
    }
    }
    if (out->is_null) out->type = e->type.id;
    return MICE_OK;
}

static mice_status eval_case(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, sql_datum *out,
                             sql_error *err)
{
    uint32_t pairs = (e->n_args - (e->has_else ? 1 : 0)) / 2;
    for (uint32_t i = 0; i < pairs; i++) {
        bool hit;
        mice_status rc = expr_is_true(e->args[2 * i], ctx, row, &hit, err);
        if (rc) return rc;
        if (hit) return expr_eval(e->args[2 * i + 1], ctx, row, out, err);
    }
    if (e->has_else) return expr_eval(e->args[e->n_args - 1], ctx, row, out, err);
    *out = datum_null(e->type.id);
    return MICE_OK;
}

static mice_status eval_in_list(sql_expr *e, const expr_ctx *ctx, const sql_datum *row,
                                sql_datum *out, sql_error *err)
{
    sql_datum l;
    mice_status rc = expr_eval(e->args[0], ctx, row, &l, err);
    if (rc) return rc;
    if (l.is_null) {
        *out = datum_null(SQL_TYPE_BOOL);
        return MICE_OK;
    }
    bool saw_null = false;
    for (uint32_t i = 1; i < e->n_args; i++) {
        sql_datum v;
        rc = expr_eval(e->args[i], ctx, row, &v, err);
        if (rc) return rc;
        if (v.is_null) {
            saw_null = true;
        } else if (datum_cmp(&l, &v, ctx->vctx) == 0) {
            *out = datum_bool(!e->negated);
            return MICE_OK;
        }
    }
    *out = saw_null ? datum_null(SQL_TYPE_BOOL) : datum_bool(e->negated);
    return MICE_OK;
}

static mice_status eval_tests(sql_expr *e, const expr_ctx *ctx, const sql_datum *row,
                              sql_datum *out, sql_error *err)
{
    sql_datum a;
    mice_status rc = expr_eval(e->args[0], ctx, row, &a, err);
    if (rc) return rc;
    if (e->kind == EXPR_NULLTEST) {
        *out = datum_bool(a.is_null != e->negated);
        return MICE_OK;
    }
    if (e->kind == EXPR_NOT) {
        *out = a.is_null ? a : datum_bool(!a.v.b);
        return MICE_OK;
    }
    if (e->kind == EXPR_NEG) {
        if (a.is_null) {
            *out = datum_null(e->type.id);
            return MICE_OK;
        }
        return datum_negate(&a, ctx->arena, out, err);
    }
    if (e->kind == EXPR_CAST)
        return datum_cast(&a, e->type, e->cast_kind, ctx->vctx, ctx->arena, out, err);
    /* EXPR_BOOLTEST: op is ast_bool_test_kind order: TRUE, NOT TRUE, FALSE, NOT FALSE,
     * UNKNOWN, NOT UNKNOWN */
    bool r = false;
    switch (e->op) {
    case 0:
        r = !a.is_null && a.v.b;
        break;
    case 1:
        r = a.is_null || !a.v.b;
        break;
    case 2:
        r = !a.is_null && !a.v.b;
        break;
    case 3:
        r = a.is_null || a.v.b;
        break;
    case 4:
        r = a.is_null;
        break;
    default:
        r = !a.is_null;
        break;
    }
    *out = datum_bool(r);
    return MICE_OK;
}

static mice_status eval_binary(sql_expr *e, const expr_ctx *ctx, const sql_datum *row,
                               sql_datum *out, sql_error *err)
{
    sql_datum a, b;
    mice_status rc = expr_eval(e->args[0], ctx, row, &a, err);
    if (rc) return rc;
    rc = expr_eval(e->args[1], ctx, row, &b, err);
    if (rc) return rc;
    if (e->kind == EXPR_DISTINCT) {
        bool distinct;
        if (a.is_null || b.is_null)
            distinct = a.is_null != b.is_null;
        else
            distinct = datum_cmp(&a, &b, ctx->vctx) != 0;
        *out = datum_bool(distinct != e->negated);
        return MICE_OK;
    }
    if (a.is_null || b.is_null) {
        *out = datum_null(e->type.id);
        return MICE_OK;
    }
    rc = datum_arith((sql_arith_op)e->op, &a, &b, ctx->arena, out, err);
    if (rc) return rc;
    if (out->type != e->type.id && !out->is_null)
        return datum_cast(out, e->type, SQL_CAST_IMPLICIT, ctx->vctx, ctx->arena, out, err);
    return MICE_OK;
}

static mice_status eval_subquery(sql_expr *e, const expr_ctx *ctx, const sql_datum *row,
                                 sql_datum *out, sql_error *err)
{
    sql_datum test = datum_null(SQL_TYPE_UNKNOWN);
    if (e->n_args) {
        mice_status rc = expr_eval(e->args[0], ctx, row, &test, err);
        if (rc) return rc;
    }
    if (!ctx->subquery)
        return sqlerr_set(err, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR, "subquery without executor");
    return ctx->subquery(ctx->subquery_arg, ctx, e, row, &test, out, err);
}

mice_status expr_eval(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, sql_datum *out,
                      sql_error *err)
{
    switch (e->kind) {
    case EXPR_CONST:
        *out = e->value;
        return MICE_OK;
    case EXPR_PARAM:
        if ((uint32_t)e->index >= ctx->n_params)
            return sqlerr_set(err, MICE_INVALID, "08P01", "there is no parameter $%d",
                              e->index + 1);
        *out = ctx->params[e->index];
        return MICE_OK;
    case EXPR_COL:
        *out = row[e->index];
        return MICE_OK;
    case EXPR_OUTER: {
        const expr_ctx *c = ctx;
        for (int32_t l = 1; l < e->level && c; l++)
            c = c->outer_ctx;
        if (!c || !c->outer)
            return sqlerr_set(err, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR, "no outer row");
        *out = c->outer[e->index];
        return MICE_OK;
    }
    case EXPR_AND:
    case EXPR_OR:
        return eval_andor(e, ctx, row, out, err);
    case EXPR_CMP:
        return eval_cmp(e, ctx, row, out, err);
    case EXPR_FUNC:
    case EXPR_COALESCE:
    case EXPR_NULLIF:
    case EXPR_MINMAX:
        return eval_func(e, ctx, row, out, err);
    case EXPR_CASE:
        return eval_case(e, ctx, row, out, err);
    case EXPR_IN_LIST:
        return eval_in_list(e, ctx, row, out, err);
    case EXPR_NOT:
    case EXPR_NULLTEST:
    case EXPR_BOOLTEST:
    case EXPR_NEG:
    case EXPR_CAST:
        return eval_tests(e, ctx, row, out, err);
    case EXPR_ARITH:
    case EXPR_DISTINCT:
        return eval_binary(e, ctx, row, out, err);
    case EXPR_SUBQUERY:
        return eval_subquery(e, ctx, row, out, err);
    case EXPR_NEXTVAL: {
        int64_t v;
        if (!ctx->nextval)
            return sqlerr_set(err, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR,
                              "nextval without catalog");
        mice_status rc = ctx->nextval(ctx->nextval_arg, e->plan, &v, err);
        if (rc) return rc;
        *out = datum_int8(v);
        return MICE_OK;
    }
    case EXPR_AGG_REF:
    case EXPR_WIN_REF:
        break;
    }
    return sqlerr_set(err, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR, "unexpected expression kind %d",
                      (int)e->kind);
}

mice_status expr_is_true(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, bool *out,
                         sql_error *err)
{
    sql_datum v;
    mice_status rc = expr_eval(e, ctx, row, &v, err);
    if (rc) return rc;
    *out = !v.is_null && v.v.b;
    return MICE_OK;
}

mice_status expr_qual_true(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, bool *out,
                           sql_error *err)
{
    if (e->kind != EXPR_AND) return expr_is_true(e, ctx, row, out, err);
    for (uint32_t i = 0; i < e->n_args; i++) {
        mice_status rc = expr_qual_true(e->args[i], ctx, row, out, err);
        if (rc || !*out) return rc;
    }
    *out = true;
    return MICE_OK;
}

mice_status expr_eval_batch(sql_expr *e, const expr_ctx *ctx, const sql_batch *in, sql_datum *out,
                            sql_error *err)
{
    if (e->kind == EXPR_COL) {
        memcpy(out, in->cols[e->index], sizeof(sql_datum) * in->n_rows);
        return MICE_OK;
    }
    sql_datum row[in->n_cols ? in->n_cols : 1];
    for (uint32_t r = 0; r < in->n_rows; r++) {
        batch_get_row(in, r, row);
        mice_status rc = expr_eval(e, ctx, row, &out[r], err);
        if (rc) return rc;
    }
    return MICE_OK;
}

mice_status expr_filter_batch(sql_expr *e, const expr_ctx *ctx, const sql_batch *in, uint32_t *sel,
                              uint32_t *n_sel, sql_error *err)
{
    sql_datum row[in->n_cols ? in->n_cols : 1];
    uint32_t n = 0;
    for (uint32_t r = 0; r < in->n_rows; r++) {
        batch_get_row(in, r, row);
        bool ok;
        mice_status rc = expr_qual_true(e, ctx, row, &ok, err);
        if (rc) return rc;
        if (ok) sel[n++] = r;
    }
    *n_sel = n;
    return MICE_OK;
}

bool expr_is_constant(const sql_expr *e)
{
    switch (e->kind) {
    case EXPR_PARAM:
    case EXPR_COL:
    case EXPR_OUTER:
    case EXPR_SUBQUERY:
    case EXPR_AGG_REF:
    case EXPR_WIN_REF:
    case EXPR_NEXTVAL:
        return false;
    case EXPR_FUNC:
        if (e->fm->desc->volatility != FUNC_IMMUTABLE) return false;
        break;
    default:
        break;
    }
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!expr_is_constant(e->args[i])) return false;
    return true;
}

void expr_columns_used(const sql_expr *e, uint8_t *used, uint32_t n_cols)
{
    if (e->kind == EXPR_COL && (uint32_t)e->index < n_cols) used[e->index] = 1;
    for (uint32_t i = 0; i < e->n_args; i++)
        expr_columns_used(e->args[i], used, n_cols);
}

bool expr_has_outer(const sql_expr *e, int32_t level)
{
    if (e->kind == EXPR_OUTER && e->level == level) return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (expr_has_outer(e->args[i], level)) return true;
    return false;
}

/* --- EXPLAIN printing ---------------------------------------------------------------- */

static void print_const(const sql_expr *e, const sql_value_ctx *vctx, mice_buf *out)
{
    if (e->value.is_null) {
        buf_append_str(out, "NULL");
        return;
    }
    mice_buf txt;
    buf_init(&txt);
    if (value_to_text(&e->value, vctx, &txt, NULL) != MICE_OK) buf_append_str(&txt, "?");
    bool quoted = !sql_type_is_numeric_family(e->type.id) || txt.n == 0 || txt.p[0] == '-';
    if (e->type.id == SQL_TYPE_INT4 || e->type.id == SQL_TYPE_INT8) quoted = txt.p[0] == '-';
    if (quoted) buf_append_u8(out, '\'');
    buf_append(out, txt.p, txt.n);
    if (quoted) {
        char tn[SQL_TYPE_NAME_MAX];
        sql_type_format(e->type, tn, sizeof tn);
        buf_printf(out, "'::%s", tn);
    }
    buf_deinit(&txt);
}

static void print_list(const sql_expr *e, uint32_t from, const char *sep, const sql_value_ctx *vctx,
                       mice_buf *out)
{
    for (uint32_t i = from; i < e->n_args; i++) {
        if (i > from) buf_append_str(out, sep);
        expr_print(e->args[i], vctx, out);
    }
}

static void print_op(const sql_expr *e, const char *op, const sql_value_ctx *vctx, mice_buf *out)
{
    buf_append_u8(out, '(');
    expr_print(e->args[0], vctx, out);
    buf_printf(out, " %s ", op);
    expr_print(e->args[1], vctx, out);
    buf_append_u8(out, ')');
}

static void print_sub(const sql_expr *e, const sql_value_ctx *vctx, mice_buf *out)
{
    static const char *const kinds[] = {"EXISTS", "SubPlan", "ANY", "ALL", "ARRAY"};
    if (e->n_args) {
        buf_append_u8(out, '(');
        expr_print(e->args[0], vctx, out);
        buf_printf(out, " %s %s (SubPlan))", expr_cmp_name((expr_cmp_op)e->op), kinds[e->sub_kind]);
    } else {
        buf_printf(out, "(%s)", kinds[e->sub_kind]);
    }
}

void expr_print(const sql_expr *e, const sql_value_ctx *vctx, mice_buf *out)
{
    static const char *const arith[] = {"+", "-", "*", "/", "%"};
    static const char *const tests[] = {"IS TRUE",      "IS NOT TRUE", "IS FALSE",
                                        "IS NOT FALSE", "IS UNKNOWN",  "IS NOT UNKNOWN"};
    char tn[SQL_TYPE_NAME_MAX];
    switch (e->kind) {
    case EXPR_CONST:
        print_const(e, vctx, out);
        return;
    case EXPR_PARAM:
        buf_printf(out, "$%d", e->index + 1);
        return;
    case EXPR_COL:
    case EXPR_OUTER:
        buf_append_str(out, e->name ? e->name : "?column?");
        return;
    case EXPR_CMP:
        print_op(e, expr_cmp_name((expr_cmp_op)e->op), vctx, out);
        return;
    case EXPR_ARITH:
        print_op(e, arith[e->op], vctx, out);
        return;
    case EXPR_DISTINCT:
        print_op(e, e->negated ? "IS NOT DISTINCT FROM" : "IS DISTINCT FROM", vctx, out);
        return;
    case EXPR_AND:
    case EXPR_OR:
        buf_append_u8(out, '(');
        print_list(e, 0, e->kind == EXPR_AND ? " AND " : " OR ", vctx, out);
        buf_append_u8(out, ')');
        return;
    case EXPR_NOT:
        buf_append_str(out, "(NOT ");
        expr_print(e->args[0], vctx, out);
        buf_append_u8(out, ')');
        return;
    case EXPR_NEG:
        buf_append_str(out, "(- ");
        expr_print(e->args[0], vctx, out);
        buf_append_u8(out, ')');
        return;
    case EXPR_NULLTEST:
        buf_append_u8(out, '(');
        expr_print(e->args[0], vctx, out);
        buf_append_str(out, e->negated ? " IS NOT NULL)" : " IS NULL)");
        return;
    case EXPR_BOOLTEST:
        buf_append_u8(out, '(');
        expr_print(e->args[0], vctx, out);
        buf_printf(out, " %s)", tests[e->op]);
        return;
    case EXPR_CAST:
        sql_type_format(e->type, tn, sizeof tn);
        buf_append_u8(out, '(');
        expr_print(e->args[0], vctx, out);
        buf_printf(out, ")::%s", tn);
        return;
    case EXPR_IN_LIST:
        buf_append_u8(out, '(');
        expr_print(e->args[0], vctx, out);
        buf_append_str(out, e->negated ? " <> ALL ('{" : " = ANY ('{");
        print_list(e, 1, ",", vctx, out);
        buf_append_str(out, "}'))");
        return;
    case EXPR_SUBQUERY:
        print_sub(e, vctx, out);
        return;
    case EXPR_NEXTVAL:
        buf_append_str(out, e->plan ? "nextval()" : "unique_rowid()");
        return;
    case EXPR_FUNC:
    case EXPR_COALESCE:
    case EXPR_NULLIF:
    case EXPR_MINMAX:
    case EXPR_CASE:
    case EXPR_WIN_REF:
    case EXPR_AGG_REF: {
        const char *name = e->kind == EXPR_FUNC       ? e->fm->desc->name
                           : e->kind == EXPR_COALESCE ? "COALESCE"
                           : e->kind == EXPR_NULLIF   ? "NULLIF"
                           : e->kind == EXPR_CASE     ? "CASE"
                           : e->kind == EXPR_MINMAX   ? (e->op ? "GREATEST" : "LEAST")
                                                      : (e->name ? e->name : "agg");
        buf_printf(out, "%s(", name);
        print_list(e, 0, ", ", vctx, out);
        buf_append_u8(out, ')');
        return;
    }
    }
}
