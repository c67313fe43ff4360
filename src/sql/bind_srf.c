/* bind_srf.c - set-returning functions: generate_series(start, stop [, step]) and
 * unnest(array) as a FROM item (a Function Scan), and with generate_subscripts(array, dim
 * [, reverse]) as set-returning items of a select list (a Function Scan for one item whose
 * arguments do not use the FROM items, else a ProjectSet). */
#include <string.h>
#include <strings.h>

#include "sql/bind_int.h"

bool bind__is_srf(const ast_node *n)
{
    if (!n || n->kind != AST_FUNC) return false;
    const ast_names *nm = &n->u.func.name;
    if (nm->n > 2 || (nm->n == 2 && strcmp(nm->v[0], "pg_catalog"))) return false;
    return !strcasecmp(nm->v[nm->n - 1], "generate_series") ||
           !strcasecmp(nm->v[nm->n - 1], "unnest") ||
           !strcasecmp(nm->v[nm->n - 1], "generate_subscripts");
}

static bool is_subscripts(const ast_node *call)
{
    const ast_names *nm = &call->u.func.name;
    return !strcasecmp(nm->v[nm->n - 1], "generate_subscripts");
}

/* unnest(array): one column of the array's element type. */
static mice_status unnest_scan(bind_ctx *b, bind_scope *s, const ast_node *call, plan_node **out,
                               sql_error *err)
{
    const ast_func *f = &call->u.func;
    if (f->args.n != 1)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, call->loc,
                         "unnest with %u arguments is not supported", f->args.n);
    bind_scope args_scope = {.parent = s->parent};
    sql_expr **args = ARENA_NEW_ARRAY(b->arena, sql_expr *, 1);
    if (!args) return bind__nomem(err);
    mice_status rc = bind__expr(b, &args_scope, f->args.items[0], &args[0], err);
    if (rc) return rc;
    if (args_scope.has_outer) s->has_outer = true;
    sql_type_id elem = sql_type_elem(args[0]->type.id);
    if (args[0]->type.id == SQL_TYPE_UNKNOWN)
        return bind__err(err, SQLSTATE_DATATYPE_MISMATCH, call->loc,
                         "could not determine polymorphic type because input has type unknown");
    if (elem == SQL_TYPE_INVALID) {
        char tn[SQL_TYPE_NAME_MAX];
        sql_type_format(args[0]->type, tn, sizeof tn);
        return bind__err(err, "42883", call->loc, "function unnest(%s) does not exist", tn);
    }
    plan_node *p = plan_new(b->arena, PLAN_FUNCSCAN, 1);
    if (!p) return bind__nomem(err);
    p->col_names[0] = p->func_name = p->alias = "unnest";
    p->col_types[0] = sql_type_make(elem, -1);
    p->n_func_args = 1;
    p->func_args = args;
    p->est_rows = 10;
    p->cost_total = 1;
    *out = p;
    return MICE_OK;
}

/* The series type: int4, int8 or numeric, as PostgreSQL's overloads resolve. */
static mice_status srf_type(bind_ctx *b, sql_expr **args, uint32_t n, int32_t loc, sql_type *out,
                            sql_error *err)
{
    mice_status rc = bind__common_type(b, args, n, "generate_series", out, err);
    sql_type_id t = rc ? SQL_TYPE_UNKNOWN : out->id;
    if (t == SQL_TYPE_INT2 || t == SQL_TYPE_UNKNOWN) t = SQL_TYPE_INT4;
    if (!rc && (t == SQL_TYPE_INT4 || t == SQL_TYPE_INT8 || t == SQL_TYPE_NUMERIC)) {
        *out = sql_type_make(t, -1);
        return MICE_OK;
    }
    char names[3 * SQL_TYPE_NAME_MAX + 8] = "";
    for (uint32_t i = 0; i < n; i++) {
        char tn[SQL_TYPE_NAME_MAX];
        sql_type_format(args[i]->type, tn, sizeof tn);
        strcat(names, i ? ", " : "");
        strcat(names, tn);
    }
    return bind__err(err, "42883", loc, "function generate_series(%s) does not exist", names);
}

mice_status bind__srf_scan(bind_ctx *b, bind_scope *s, const ast_node *call, plan_node **out,
                           sql_error *err)
{
    const ast_func *f = &call->u.func;
    if (f->over || f->star || f->distinct || f->filter || f->agg_order.n || f->variadic)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, call->loc,
                         "generate_series(...) in this form is not supported");
    if (!strcasecmp(f->name.v[f->name.n - 1], "unnest")) return unnest_scan(b, s, call, out, err);
    if (is_subscripts(call))
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, call->loc,
                         "generate_subscripts() is only supported in the select list");
    if (f->args.n < 2 || f->args.n > 3)
        return bind__err(err, "42883", call->loc, "function generate_series with %u arguments "
                         "does not exist", f->args.n);
    bind_scope args_scope = {.parent = s->parent}; /* no LATERAL: siblings are not visible */
    sql_expr **args = ARENA_NEW_ARRAY(b->arena, sql_expr *, 3);
    if (!args) return bind__nomem(err);
    for (uint32_t i = 0; i < f->args.n; i++) {
        mice_status rc = bind__expr(b, &args_scope, f->args.items[i], &args[i], err);
        if (rc) return rc;
    }
    if (args_scope.has_outer) s->has_outer = true;
    sql_type t;
    mice_status rc = srf_type(b, args, f->args.n, call->loc, &t, err);
    for (uint32_t i = 0; !rc && i < f->args.n; i++) {
        rc = bind__coerce(b, &args[i], t, SQL_CAST_IMPLICIT, NULL, err);
        if (!rc) rc = bind__fold(b, &args[i], err);
    }
    if (rc) return rc;
    plan_node *p = plan_new(b->arena, PLAN_FUNCSCAN, 1);
    if (!p) return bind__nomem(err);
    p->col_names[0] = "generate_series";
    p->col_types[0] = t;
    p->func_name = "generate_series";
    p->alias = "generate_series";
    p->n_func_args = f->args.n;
    p->func_args = args;
    p->est_rows = 1000; /* PostgreSQL's default for a function scan */
    p->cost_total = 10;
    *out = p;
    return MICE_OK;
}

mice_status bind__srf_item(bind_ctx *b, bind_scope *s, const ast_node *call, plan_srf *out,
                           sql_type *type, sql_error *err)
{
    const ast_func *f = &call->u.func;
    const char *name = f->name.v[f->name.n - 1];
    if (f->over || f->star || f->distinct || f->filter || f->agg_order.n || f->variadic)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, call->loc,
                         "%s(...) in this form is not supported", name);
    bool unnest = !strcasecmp(name, "unnest"), subs = is_subscripts(call);
    uint32_t n = f->args.n;
    bool arity_ok = unnest ? n == 1 : subs ? n == 2 || n == 3 : n == 2 || n == 3;
    if (!arity_ok)
        return bind__err(err, "42883", call->loc, "function %s with %u arguments does not exist",
                         name, n);
    *out = (plan_srf){.kind = unnest ? PLAN_SRF_UNNEST : subs ? PLAN_SRF_SUBSCRIPTS : PLAN_SRF_SERIES,
                      .n_args = n,
                      .args = ARENA_NEW_ARRAY(b->arena, sql_expr *, n)};
    if (!out->args) return bind__nomem(err);
    bind_aggs *saved = s->aggs;
    s->aggs = NULL;
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; !rc && i < n; i++)
        rc = bind__expr(b, s, f->args.items[i], &out->args[i], err);
    s->aggs = saved;
    if (rc) return rc;
    if (out->kind == PLAN_SRF_SERIES) {
        rc = srf_type(b, out->args, n, call->loc, type, err);
        for (uint32_t i = 0; !rc && i < n; i++)
            rc = bind__coerce(b, &out->args[i], *type, SQL_CAST_IMPLICIT, NULL, err);
        return rc;
    }
    sql_type_id at = out->args[0]->type.id;
    if (at == SQL_TYPE_UNKNOWN)
        return bind__err(err, SQLSTATE_DATATYPE_MISMATCH, call->loc,
                         "could not determine polymorphic type because input has type unknown");
    if (sql_type_elem(at) == SQL_TYPE_INVALID) {
        char tn[SQL_TYPE_NAME_MAX];
        sql_type_format(out->args[0]->type, tn, sizeof tn);
        return bind__err(err, "42883", call->loc, "function %s(%s%s) does not exist", name, tn,
                         subs ? ", integer" : "");
    }
    if (!subs) {
        *type = sql_type_make(sql_type_elem(at), -1);
        return MICE_OK;
    }
    *type = sql_type_make(SQL_TYPE_INT4, -1);
    rc = bind__coerce(b, &out->args[1], *type, SQL_CAST_IMPLICIT, NULL, err);
    if (!rc && n == 3)
        rc = bind__coerce(b, &out->args[2], sql_type_make(SQL_TYPE_BOOL, -1), SQL_CAST_IMPLICIT,
                          NULL, err);
    return rc;
}

mice_status bind__range_func(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                             sql_error *err)
{
    const ast_range_func *rf = &n->u.range_func;
    if (rf->lateral || rf->ordinality || rf->rows_from || rf->funcs.n != 1 ||
        !bind__is_srf(rf->funcs.items[0]))
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "only generate_series() is supported as a table function (no LATERAL, "
                         "WITH ORDINALITY or ROWS FROM)");
    if (rf->coldefs.n)
        return bind__err(err, "42601", n->loc,
                         "a column definition list is only allowed for functions returning "
                         "\"record\"");
    mice_status rc = bind__srf_scan(b, s, rf->funcs.items[0], out, err);
    if (rc) return rc;
    plan_node *p = *out;
    if (rf->alias) {
        /* A scalar function's column takes the alias name, as in PostgreSQL. */
        p->alias = p->col_names[0] = rf->alias->u.alias.name;
        const ast_names *cols = &rf->alias->u.alias.cols;
        if (cols->n > 1)
            return bind__err(err, "42P10", n->loc,
                             "too many column aliases specified for function generate_series");
        if (cols->n) p->col_names[0] = cols->v[0];
    }
    if (bind__scope_add(b, s, p->alias, NULL, 1, p->col_names, p->col_types, NULL))
        return bind__nomem(err);
    return MICE_OK;
}
