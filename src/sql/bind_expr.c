/* bind_expr.c - binding and typing of expressions (see bind.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/array.h"
#include "sql/bind_int.h"
#include "sql/value_io.h"

mice_status bind__err(sql_error *err, const char *state, int32_t loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mice_status code = MICE_INVALID;
    if (!strcmp(state, SQLSTATE_FEATURE_NOT_SUPPORTED)) code = MICE_UNSUPPORTED;
    if (!strncmp(state, "42P01", 5)) code = MICE_NOTFOUND;
    sqlerr_vset(err, code, state, fmt, ap);
    va_end(ap);
    if (err && loc >= 0) err->position = loc + 1;
    return code;
}

mice_status bind__nomem(sql_error *err)
{
    return sqlerr_nomem(err);
}

static const char *type_name(sql_type t, char *buf, size_t cap)
{
    if (t.id == SQL_TYPE_UNKNOWN) {
        snprintf(buf, cap, "unknown");
        return buf;
    }
    sql_type_format(sql_type_make(t.id, -1), buf, cap);
    return buf;
}

/* --- constants and folding ------------------------------------------------------------ */

static mice_status bind_const(bind_ctx *b, const ast_node *n, sql_expr **out, sql_error *err)
{
    const ast_const *k = &n->u.konst;
    sql_datum v;
    sql_type t = sql_type_make(SQL_TYPE_UNKNOWN, -1);
    switch (k->ck) {
    case AST_CONST_NULL:
        v = datum_null(SQL_TYPE_UNKNOWN);
        break;
    case AST_CONST_BOOL:
        v = datum_bool(k->bval);
        t.id = SQL_TYPE_BOOL;
        break;
    case AST_CONST_INT:
        v = datum_int4(k->ival);
        t.id = SQL_TYPE_INT4;
        break;
    case AST_CONST_NUMERIC: {
        mice_slice txt = mice_slice_str(k->text);
        int64_t iv;
        bool is_int = strpbrk(k->text, ".eE") == NULL;
        if (is_int && value_parse_int(txt, 64, &iv, NULL) == MICE_OK) {
            /* as make_const: -2147483648 arrives here but is an int4 */
            bool small = iv >= INT32_MIN && iv <= INT32_MAX;
            v = small ? datum_int4((int32_t)iv) : datum_int8(iv);
            t.id = small ? SQL_TYPE_INT4 : SQL_TYPE_INT8;
        } else {
            const sql_numeric *num;
            mice_status rc = numeric_parse(txt, b->arena, &num, err);
            if (rc) return rc;
            v = datum_numeric(num);
            t.id = SQL_TYPE_NUMERIC;
        }
        break;
    }
    case AST_CONST_STRING:
        v = datum_bytes(SQL_TYPE_UNKNOWN, mice_slice_str(k->text));
        break;
    default:
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "bit string constants are not supported");
    }
    *out = expr_const(b->arena, v, t);
    if (!*out) return bind__nomem(err);
    (*out)->loc = n->loc;
    return MICE_OK;
}

static mice_status fold_ctx_eval(bind_ctx *b, sql_expr *e, sql_datum *v, sql_error *err)
{
    expr_ctx c = {.fctx = b->fctx, .vctx = b->vctx, .arena = b->arena};
    return expr_eval(e, &c, NULL, v, err);
}

mice_status bind__fold(bind_ctx *b, sql_expr **e, sql_error *err)
{
    if (b->no_fold) return MICE_OK; /* stored expressions keep their written form */
    mice_status rc = bind__simplify(b, e, err);
    if (rc) return rc;
    sql_expr *x = *e;
    if (x->kind == EXPR_CONST || x->fold_error || !expr_is_constant(x)) return MICE_OK;
    sql_datum v;
    sql_error *ferr = ARENA_NEW(b->arena, sql_error);
    if (!ferr) return bind__nomem(err);
    rc = fold_ctx_eval(b, x, &v, ferr);
    if (rc && !strncmp(ferr->sqlstate, "22", 2)) { /* a data exception: maybe never reached */
        x->fold_error = ferr;
        return MICE_OK;
    }
    if (rc) {
        if (err) *err = *ferr;
        return rc;
    }
    if (v.is_null) v.type = x->type.id;
    sql_expr *k = expr_const(b->arena, v, x->type);
    if (!k) return bind__nomem(err);
    k->loc = x->loc;
    *e = k;
    return MICE_OK;
}

/* --- coercion ------------------------------------------------------------------------- */

static int numeric_rank(sql_type_id t)
{
    switch (t) {
    case SQL_TYPE_INT2:
        return 1;
    case SQL_TYPE_INT4:
        return 2;
    case SQL_TYPE_INT8:
        return 3;
    case SQL_TYPE_NUMERIC:
        return 4;
    case SQL_TYPE_FLOAT4:
        return 5;
    case SQL_TYPE_FLOAT8:
        return 6;
    default:
        return 0;
    }
}

mice_status bind__coerce(bind_ctx *b, sql_expr **ep, sql_type t, sql_cast_context ctxk,
                         const char *colname, sql_error *err)
{
    sql_expr *e = *ep;
    if (e->type.id == t.id && (t.typmod < 0 || e->type.typmod == t.typmod)) return MICE_OK;
    if (sql_type_is_reg(t.id) || sql_type_is_reg(e->type.id)) {
        bool done;
        mice_status rc = bind__reg_cast(b, ep, t, &done, err);
        if (done || rc) return rc;
    }
    if (e->kind == EXPR_PARAM && e->type.id == SQL_TYPE_UNKNOWN) {
        b->param_types[e->index] = sql_type_make(t.id, -1);
        e->type = sql_type_make(t.id, -1);
        if (t.typmod < 0) return MICE_OK;
    }
    if (e->kind == EXPR_CONST && e->type.id == SQL_TYPE_UNKNOWN) {
        sql_datum v;
        if (e->value.is_null) {
            v = datum_null(t.id);
        } else {
            /* an interval's typmod fields say what a bare number means ('2' hour) */
            sql_type parse_t = t.id == SQL_TYPE_INTERVAL ? t : sql_type_make(t.id, -1);
            mice_status rc = value_from_text(parse_t, e->value.v.s, b->vctx, b->arena, &v, err);
            if (rc) {
                if (err && e->loc >= 0) err->position = e->loc + 1;
                return rc;
            }
            if (t.typmod >= 0 && (rc = datum_cast(&v, t, ctxk, b->vctx, b->arena, &v, err)))
                return rc;
        }
        e->value = v;
        e->type = t;
        return MICE_OK;
    }
    sql_cast_context have =
        e->type.id == t.id ? SQL_CAST_IMPLICIT : sql_cast_lookup(e->type.id, t.id);
    bool ok =
        have != SQL_CAST_NONE && (ctxk == SQL_CAST_EXPLICIT || have == SQL_CAST_IMPLICIT ||
                                  (ctxk == SQL_CAST_ASSIGNMENT && have == SQL_CAST_ASSIGNMENT));
    if (e->type.id == SQL_TYPE_UNKNOWN) ok = true;
    if (!ok) {
        char a[SQL_TYPE_NAME_MAX], c[SQL_TYPE_NAME_MAX];
        type_name(t, c, sizeof c);
        type_name(e->type, a, sizeof a);
        if (colname) {
            bind__err(err, SQLSTATE_DATATYPE_MISMATCH, e->loc,
                      "column \"%s\" is of type %s but expression is of type %s", colname, c, a);
            sqlerr_hint(err, "You will need to rewrite or cast the expression.");
            return MICE_INVALID;
        }
        return bind__err(err, have ? SQLSTATE_DATATYPE_MISMATCH : SQLSTATE_CANNOT_COERCE, e->loc,
                         "cannot cast type %s to %s", a, c);
    }
    sql_expr *c = expr_new(b->arena, EXPR_CAST, t, 1);
    if (!c) return bind__nomem(err);
    c->args[0] = e;
    c->cast_kind = ctxk;
    c->loc = e->loc;
    *ep = c;
    return bind__fold(b, ep, err);
}

mice_status bind__common_type(bind_ctx *b, sql_expr **v, uint32_t n, const char *what,
                              sql_type *out, sql_error *err)
{
    (void)b;
    sql_type t = sql_type_make(SQL_TYPE_UNKNOWN, -1);
    for (uint32_t i = 0; i < n; i++) {
        sql_type_id x = v[i]->type.id;
        if (x == SQL_TYPE_UNKNOWN) continue;
        if (t.id == SQL_TYPE_UNKNOWN) {
            t = sql_type_make(x, -1);
        } else if (t.id != x) {
            if (numeric_rank(t.id) && numeric_rank(x)) {
                if (numeric_rank(x) > numeric_rank(t.id)) t.id = x;
            } else if (sql_type_is_string(t.id) && sql_type_is_string(x)) {
                t.id = SQL_TYPE_TEXT;
            } else if (sql_cast_lookup(t.id, x) == SQL_CAST_IMPLICIT) {
                t.id = x;
            } else if (sql_cast_lookup(x, t.id) != SQL_CAST_IMPLICIT) {
                char a[SQL_TYPE_NAME_MAX], c[SQL_TYPE_NAME_MAX];
                return bind__err(err, SQLSTATE_DATATYPE_MISMATCH, v[i]->loc,
                                 "%s types %s and %s cannot be matched", what,
                                 type_name(t, a, sizeof a), type_name(v[i]->type, c, sizeof c));
            }
        }
    }
    if (t.id == SQL_TYPE_UNKNOWN) t.id = SQL_TYPE_TEXT;
    *out = t;
    return MICE_OK;
}

static mice_status coerce_all(bind_ctx *b, sql_expr **v, uint32_t n, const char *what,
                              sql_type *out, sql_error *err)
{
    mice_status rc = bind__common_type(b, v, n, what, out, err);
    for (uint32_t i = 0; rc == MICE_OK && i < n; i++)
        rc = bind__coerce(b, &v[i], *out, SQL_CAST_IMPLICIT, NULL, err);
    return rc;
}

bool bind__expr_equal(const sql_expr *a, const sql_expr *b)
{
    if (a->kind != b->kind || a->type.id != b->type.id || a->n_args != b->n_args) return false;
    if (a->index != b->index || a->level != b->level || a->op != b->op || a->negated != b->negated)
        return false;
    if (a->kind == EXPR_CONST) {
        if (a->value.is_null || b->value.is_null) return a->value.is_null == b->value.is_null;
        if (!datum_types_comparable(a->value.type, b->value.type)) /* json: the same text */
            return a->value.type == b->value.type && a->value.type == SQL_TYPE_JSON &&
                   mice_slice_cmp(a->value.v.s, b->value.v.s) == 0;
        return datum_cmp(&a->value, &b->value, NULL) == 0;
    }
    if (a->kind == EXPR_FUNC && a->fm->desc != b->fm->desc) return false;
    if (a->kind == EXPR_SUBQUERY || a->kind == EXPR_NEXTVAL) return a == b;
    for (uint32_t i = 0; i < a->n_args; i++)
        if (!bind__expr_equal(a->args[i], b->args[i])) return false;
    return true;
}

/* --- names ----------------------------------------------------------------------------- */

static int find_col(const bind_rel *r, const char *name)
{
    for (uint32_t i = 0; i < r->n_cols; i++)
        if (r->col_names[i] && !strcmp(r->col_names[i], name)) return (int)i;
    return -1;
}

/* Find name (optionally in relation rel) in one scope: -2 ambiguous, -1 absent. */
static int scope_find(const bind_scope *s, const char *rel, const char *name, bool *rel_seen,
                      const bind_rel **which)
{
    int found = -1;
    for (uint32_t i = 0; i < s->n_rels; i++) {
        const bind_rel *r = &s->rels[i];
        if (rel && (!r->name || strcmp(r->name, rel))) continue;
        if (rel) *rel_seen = true;
        int c = find_col(r, name);
        if (c < 0 || (!rel && r->merged && r->merged[c])) continue;
        if (found >= 0) return -2;
        found = (int)(r->offset + (uint32_t)c);
        *which = r;
    }
    return found;
}

static mice_status bind_colref(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                               sql_error *err)
{
    const ast_names *nm = &n->u.column_ref.names;
    if (n->u.column_ref.star || nm->n == 0)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, n->loc, "* is not allowed here");
    const char *col = nm->v[nm->n - 1];
    const char *rel = nm->n >= 2 ? nm->v[nm->n - 2] : NULL;
    bool rel_seen = false;
    int32_t level = 0;
    for (bind_scope *sc = s; sc; sc = sc->parent, level++) {
        const bind_rel *which = NULL;
        int idx = scope_find(sc, rel, col, &rel_seen, &which);
        if (idx == -2)
            return bind__err(err, SQLSTATE_AMBIGUOUS_COLUMN, n->loc,
                             "column reference \"%s\" is ambiguous", col);
        if (idx < 0) {
            if (rel_seen) break;
            continue;
        }
        sql_type t = which->col_types[idx - (int)which->offset];
        sql_expr *e = expr_new(b->arena, level ? EXPR_OUTER : EXPR_COL, t, 0);
        if (!e) return bind__nomem(err);
        e->index = idx;
        e->level = level;
        e->loc = n->loc;
        e->name = rel || s->n_rels > 1
                      ? arena_sprintf(b->arena, "%s.%s", rel ? rel : which->name, col)
                      : col;
        e->qual_name = which->name ? arena_sprintf(b->arena, "%s.%s", which->name, col) : col;
        for (bind_scope *m = s; level && m != sc; m = m->parent)
            m->has_outer = true;
        *out = e;
        return MICE_OK;
    }
    if (rel && !rel_seen)
        return bind__err(err, SQLSTATE_UNDEFINED_TABLE, n->loc,
                         "missing FROM-clause entry for table \"%s\"", rel);
    if (rel)
        return bind__err(err, SQLSTATE_UNDEFINED_COLUMN, n->loc, "column %s.%s does not exist", rel,
                         col);
    return bind__err(err, SQLSTATE_UNDEFINED_COLUMN, n->loc, "column \"%s\" does not exist", col);
}

static mice_status bind_param(bind_ctx *b, const ast_node *n, sql_expr **out, sql_error *err)
{
    int32_t num = n->u.param.number;
    if (num < 1 || num > BIND_PARAMS_MAX)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, n->loc, "there is no parameter $%d", num);
    if (b->params_fixed && (uint32_t)num > b->n_params_given)
        return bind__err(err, SQLSTATE_UNDEFINED_PARAMETER, n->loc, "there is no parameter $%d",
                         num);
    if ((uint32_t)num > b->n_params) b->n_params = (uint32_t)num;
    sql_type t = b->param_types[num - 1];
    if (t.id == SQL_TYPE_INVALID) t = sql_type_make(SQL_TYPE_UNKNOWN, -1);
    sql_expr *e = expr_new(b->arena, EXPR_PARAM, t, 0);
    if (!e) return bind__nomem(err);
    e->index = num - 1;
    e->loc = n->loc;
    *out = e;
    return MICE_OK;
}

/* --- operators ------------------------------------------------------------------------ */

static int cmp_op_of(const char *op)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    if (!strcmp(op, "!=")) return EXPR_NE;
    for (int i = 0; i < 6; i++)
        if (!strcmp(op, ops[i])) return i;
    return -1;
}

static int arith_op_of(const char *op)
{
    static const char *const ops[] = {"+", "-", "*", "/", "%"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(op, ops[i])) return i;
    return -1;
}

static mice_status op_missing(sql_error *err, int32_t loc, const char *op, sql_type a, sql_type c)
{
    char x[SQL_TYPE_NAME_MAX], y[SQL_TYPE_NAME_MAX];
    bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, loc, "operator does not exist: %s %s %s",
              type_name(a, x, sizeof x), op, type_name(c, y, sizeof y));
    sqlerr_hint(err, "No operator matches the given name and argument types. "
                     "You might need to add explicit type casts.");
    return MICE_INVALID;
}

/* Make l and r comparable: unknowns take the other side's type. */
static mice_status unify_cmp(bind_ctx *b, sql_expr **l, sql_expr **r, const char *op, int32_t loc,
                             sql_error *err)
{
    sql_type_id a = (*l)->type.id, c = (*r)->type.id;
    sql_type lt = (*l)->type, rt = (*r)->type;
    mice_status rc = MICE_OK;
    if (a == SQL_TYPE_UNKNOWN && c == SQL_TYPE_UNKNOWN) {
        rc = bind__coerce(b, l, sql_type_make(SQL_TYPE_TEXT, -1), SQL_CAST_IMPLICIT, NULL, err);
        if (!rc)
            rc = bind__coerce(b, r, sql_type_make(SQL_TYPE_TEXT, -1), SQL_CAST_IMPLICIT, NULL, err);
        return rc;
    }
    if (a == SQL_TYPE_UNKNOWN)
        rc = bind__coerce(b, l, sql_type_make(c, -1), SQL_CAST_IMPLICIT, NULL, err);
    else if (c == SQL_TYPE_UNKNOWN)
        rc = bind__coerce(b, r, sql_type_make(a, -1), SQL_CAST_IMPLICIT, NULL, err);
    if (rc || a == SQL_TYPE_UNKNOWN || c == SQL_TYPE_UNKNOWN) {
        if (!rc && (a == SQL_TYPE_JSON || c == SQL_TYPE_JSON)) /* json has no operators */
            return op_missing(err, loc, op, lt, rt);
        return rc;
    }
    if (datum_types_comparable(a, c)) return MICE_OK;
    if (a == SQL_TYPE_JSON || c == SQL_TYPE_JSON) return op_missing(err, loc, op, (*l)->type, (*r)->type);
    if (a == c && array_type_is(a)) { /* json[]: its elements have no equality */
        char tn[SQL_TYPE_NAME_MAX];
        return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, loc,
                         "could not identify an equality operator for type %s",
                         type_name(sql_type_make(sql_type_elem(a), -1), tn, sizeof tn));
    }
    if (sql_cast_lookup(c, a) == SQL_CAST_IMPLICIT)
        return bind__coerce(b, r, sql_type_make(a, -1), SQL_CAST_IMPLICIT, NULL, err);
    if (sql_cast_lookup(a, c) == SQL_CAST_IMPLICIT)
        return bind__coerce(b, l, sql_type_make(c, -1), SQL_CAST_IMPLICIT, NULL, err);
    return op_missing(err, loc, op, (*l)->type, (*r)->type);
}

static mice_status make_binary(bind_ctx *b, expr_kind k, int op, sql_type t, sql_expr *l,
                               sql_expr *r, int32_t loc, sql_expr **out, sql_error *err)
{
    sql_expr *e = expr_new(b->arena, k, t, 2);
    if (!e) return bind__nomem(err);
    e->op = op;
    e->args[0] = l;
    e->args[1] = r;
    e->loc = loc;
    *out = e;
    return bind__fold(b, out, err);
}

static mice_status bind_func_call(bind_ctx *b, const char *name, sql_expr **args, uint32_t n,
                                  int32_t loc, sql_expr **out, sql_error *err);
static mice_status bind_oper(bind_ctx *b, const char *op, sql_expr *l, sql_expr *r, int32_t loc,
                             sql_expr **out, sql_error *err);

static mice_status bind_cmp(bind_ctx *b, int op, sql_expr *l, sql_expr *r, const char *opname,
                            int32_t loc, sql_expr **out, sql_error *err)
{
    mice_status rc = unify_cmp(b, &l, &r, opname, loc, err);
    if (rc) return rc;
    return make_binary(b, EXPR_CMP, op, sql_type_make(SQL_TYPE_BOOL, -1), l, r, loc, out, err);
}

static mice_status bind_arith(bind_ctx *b, int op, sql_expr *l, sql_expr *r, const char *opname,
                              int32_t loc, sql_expr **out, sql_error *err)
{
    mice_status rc = MICE_OK;
    if (l->type.id == SQL_TYPE_UNKNOWN && r->type.id != SQL_TYPE_UNKNOWN)
        rc = bind__coerce(b, &l, sql_type_make(r->type.id, -1), SQL_CAST_IMPLICIT, NULL, err);
    else if (r->type.id == SQL_TYPE_UNKNOWN && l->type.id != SQL_TYPE_UNKNOWN)
        rc = bind__coerce(b, &r, sql_type_make(l->type.id, -1), SQL_CAST_IMPLICIT, NULL, err);
    if (rc) return rc;
    sql_type_id res;
    if (!sql_arith_result_type((sql_arith_op)op, l->type.id, r->type.id, &res))
        return op_missing(err, loc, opname, l->type, r->type);
    return make_binary(b, EXPR_ARITH, op, sql_type_make(res, -1), l, r, loc, out, err);
}

static mice_status bind_op(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                           sql_error *err)
{
    const ast_op *o = &n->u.op;
    const char *op = o->name.v[o->name.n - 1];
    sql_expr *l = NULL, *r = NULL;
    mice_status rc = bind__expr(b, s, o->r, &r, err);
    if (rc) return rc;
    if (!o->l) {
        if (!strcmp(op, "+")) { /* no-op, but PostgreSQL's int4up costs an operator call */
            if (r->kind != EXPR_CONST && r->pg_hidden_ops < UINT16_MAX) r->pg_hidden_ops++;
            *out = r;
            return MICE_OK;
        }
        if (!strcmp(op, "|/")) {
            rc = bind__coerce(b, &r, sql_type_make(SQL_TYPE_FLOAT8, -1), SQL_CAST_IMPLICIT, NULL,
                              err);
            if (rc) return rc;
            return bind_func_call(b, "sqrt", &r, 1, n->loc, out, err);
        }
        if (strcmp(op, "-"))
            return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc,
                             "operator does not exist: %s", op);
        if (r->type.id == SQL_TYPE_UNKNOWN)
            rc = bind__coerce(b, &r, sql_type_make(SQL_TYPE_NUMERIC, -1), SQL_CAST_IMPLICIT, NULL,
                              err);
        if (rc) return rc;
        sql_expr *e = expr_new(b->arena, EXPR_NEG, r->type, 1);
        if (!e) return bind__nomem(err);
        e->args[0] = r;
        e->loc = n->loc;
        *out = e;
        return bind__fold(b, out, err);
    }
    rc = bind__expr(b, s, o->l, &l, err);
    if (rc) return rc;
    int k = cmp_op_of(op);
    if (k >= 0) return bind_cmp(b, k, l, r, op, n->loc, out, err);
    if (!strcmp(op, "||")) { /* arrays first: anytextcat would take text[] as "any" */
        bool done;
        rc = bind__array_concat(b, l, r, n->loc, out, &done, err);
        if (done || rc) return rc;
    } else {
        bool done;
        rc = bind__array_contain(b, op, l, r, n->loc, out, &done, err);
        if (done || rc) return rc;
    }
    if (func_operator_resolves(op, l->type.id, r->type.id))
        return bind_oper(b, op, l, r, n->loc, out, err);
    k = arith_op_of(op);
    if (k >= 0) return bind_arith(b, k, l, r, op, n->loc, out, err);
    const char *fname = !strcmp(op, "^") ? "power" : func_operator_function(op);
    if (!fname) return op_missing(err, n->loc, op, l->type, r->type);
    sql_expr *args[2] = {l, r};
    return bind_func_call(b, fname, args, 2, n->loc, out, err);
}

/* --- functions and aggregates ----------------------------------------------------------- */

static int agg_fn_of(const char *name)
{
    static const char *const names[] = {"count", "count",    "sum",     "avg",        "min",
                                        "max",   "bool_and", "bool_or", "string_agg", "array_agg"};
    if (!strcasecmp(name, "every")) return PLAN_AGG_BOOL_AND;
    for (int i = 1; i < 10; i++)
        if (!strcasecmp(name, names[i])) return i;
    return -1;
}

static sql_type agg_type(plan_agg_fn fn, sql_type_id arg)
{
    sql_type_id r = arg;
    switch (fn) {
    case PLAN_AGG_COUNT_STAR:
    case PLAN_AGG_COUNT:
        r = SQL_TYPE_INT8;
        break;
    case PLAN_AGG_SUM:
        if (arg == SQL_TYPE_INT2 || arg == SQL_TYPE_INT4)
            r = SQL_TYPE_INT8;
        else if (arg == SQL_TYPE_INT8)
            r = SQL_TYPE_NUMERIC;
        break;
    case PLAN_AGG_AVG:
        r = arg == SQL_TYPE_INTERVAL ? arg : sql_type_is_float(arg) ? SQL_TYPE_FLOAT8 : SQL_TYPE_NUMERIC;
        break;
    case PLAN_AGG_STRING_AGG:
        r = SQL_TYPE_TEXT;
        break;
    case PLAN_AGG_ARRAY_AGG:
        r = sql_type_info_of(arg) ? sql_type_info_of(arg)->array : SQL_TYPE_INVALID;
        break;
    case PLAN_AGG_BOOL_AND:
    case PLAN_AGG_BOOL_OR:
        r = SQL_TYPE_BOOL;
        break;
    default:
        break;
    }
    return sql_type_make(r, -1);
}

/* An aggregate's arguments: no nested aggregates (but a window aggregate's arguments may
 * hold plain ones, bind_window.c) and no window functions. */
typedef struct agg_args_scope {
    bind_aggs *aggs;
    bind_wins *wins;
    int win_ctx;
} agg_args_scope;

static void agg_args_enter(bind_ctx *b, bind_scope *s, agg_args_scope *as)
{
    *as = (agg_args_scope){s->aggs, s->wins, b->win_ctx};
    s->aggs = b->win_agg ? b->win_agg_args : NULL;
    s->wins = NULL;
    if (!b->win_agg) b->win_ctx = 1;
    b->win_agg = false;
}

static void agg_args_leave(bind_ctx *b, bind_scope *s, const agg_args_scope *as)
{
    s->aggs = as->aggs;
    s->wins = as->wins;
    b->win_ctx = as->win_ctx;
}

static mice_status bind_string_agg_args(bind_ctx *b, bind_scope *s, const ast_node *n,
                                        sql_expr **arg, sql_expr **arg2, sql_error *err)
{
    agg_args_scope as;
    agg_args_enter(b, s, &as);
    mice_status rc = bind__expr(b, s, n->u.func.args.items[0], arg, err);
    if (!rc) rc = bind__expr(b, s, n->u.func.args.items[1], arg2, err);
    agg_args_leave(b, s, &as);
    sql_type text = sql_type_make(SQL_TYPE_TEXT, -1);
    for (int i = 0; i < 2 && !rc; i++) {
        sql_expr **e = i ? arg2 : arg;
        if (!sql_type_is_string((*e)->type.id))
            return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc,
                             "function string_agg with these argument types does not exist");
        rc = bind__coerce(b, e, text, SQL_CAST_IMPLICIT, NULL, err);
    }
    return rc;
}

/* array_agg(x [ORDER BY k [DESC] [NULLS FIRST|LAST], ...]): one-dimensional arrays of
 * types that have an array type. */
static mice_status bind_array_agg_args(bind_ctx *b, bind_scope *s, const ast_node *n,
                                       sql_expr **arg, plan_agg *order, sql_error *err)
{
    const ast_func *f = &n->u.func;
    agg_args_scope as;
    agg_args_enter(b, s, &as);
    mice_status rc = bind__expr(b, s, f->args.items[0], arg, err);
    if (!rc && (*arg)->type.id == SQL_TYPE_UNKNOWN) {
        agg_args_leave(b, s, &as);
        bind__err(err, "42725", n->loc, "function array_agg(unknown) is not unique");
        sqlerr_hint(err, "Could not choose a best candidate function. "
                         "You might need to add explicit type casts.");
        return MICE_INVALID;
    }
    uint32_t k = f->agg_order.n;
    if (!rc && k) {
        order->n_order = k;
        order->order = ARENA_NEW_ARRAY(b->arena, sql_expr *, k);
        order->order_desc = ARENA_NEW_ARRAY(b->arena, bool, k);
        order->order_nulls_first = ARENA_NEW_ARRAY(b->arena, bool, k);
        if (!order->order || !order->order_desc || !order->order_nulls_first) rc = bind__nomem(err);
    }
    for (uint32_t i = 0; !rc && i < k; i++) {
        const ast_sort_by *sb = &f->agg_order.items[i]->u.sort_by;
        if (sb->dir == AST_SORT_USING) {
            rc = bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                           "ORDER BY USING is not supported");
            break;
        }
        rc = bind__expr(b, s, sb->expr, &order->order[i], err);
        if (!rc && order->order[i]->type.id == SQL_TYPE_UNKNOWN)
            rc = bind__coerce(b, &order->order[i], sql_type_make(SQL_TYPE_TEXT, -1),
                              SQL_CAST_IMPLICIT, NULL, err);
        order->order_desc[i] = sb->dir == AST_SORT_DESC;
        order->order_nulls_first[i] =
            sb->nulls == AST_NULLS_DEFAULT ? sb->dir == AST_SORT_DESC : sb->nulls == AST_NULLS_FIRST;
    }
    agg_args_leave(b, s, &as);
    if (rc) return rc;
    sql_type_id at = (*arg)->type.id;
    const sql_type_info *ti = sql_type_info_of(at);
    if (array_type_is(at))
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "multidimensional arrays are not supported yet");
    if (!ti || ti->array == SQL_TYPE_INVALID) {
        char tn[SQL_TYPE_NAME_MAX];
        bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc, "function array_agg(%s) does not exist",
                  type_name((*arg)->type, tn, sizeof tn));
        sqlerr_hint(err, "No function matches the given name and argument types. "
                         "You might need to add explicit type casts.");
        return MICE_INVALID;
    }
    return MICE_OK;
}

static mice_status bind_agg(bind_ctx *b, bind_scope *s, const ast_node *n, int fn, sql_expr **out,
                            sql_error *err)
{
    const ast_func *f = &n->u.func;
    const char *name = f->name.v[f->name.n - 1];
    if (!s->aggs)
        return bind__err(err, SQLSTATE_GROUPING_ERROR, n->loc,
                         "aggregate functions are not allowed in %s",
                         b->clause ? b->clause : "this context");
    if (b->rec_phase == 2 && b->sel_depth == b->rec_depth)
        return bind__err(err, "42P19", n->loc,
                         "aggregate functions are not allowed in a recursive query's recursive "
                         "term");
    if (f->star) fn = PLAN_AGG_COUNT_STAR;
    if (fn != PLAN_AGG_COUNT_STAR && f->args.n != (fn == PLAN_AGG_STRING_AGG ? 2u : 1u))
        return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc,
                         "function %s with %u arguments does not exist", name, f->args.n);
    if ((f->agg_order.n && fn != PLAN_AGG_ARRAY_AGG) || f->over)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "aggregate ORDER BY is not supported");
    sql_expr *filter = NULL;
    if (f->filter) { /* over the input rows, like the arguments */
        agg_args_scope as;
        const char *clause = b->clause;
        agg_args_enter(b, s, &as);
        b->clause = "FILTER";
        b->win_ctx = 0; /* "window functions are not allowed in FILTER" */
        mice_status rc = bind__cond(b, s, f->filter, "FILTER", &filter, err);
        b->clause = clause;
        agg_args_leave(b, s, &as);
        if (rc) return rc;
    }
    sql_expr *arg = NULL, *arg2 = NULL;
    plan_agg order = {0};
    if (fn == PLAN_AGG_ARRAY_AGG) {
        mice_status rc = bind_array_agg_args(b, s, n, &arg, &order, err);
        if (rc) return rc;
    } else if (fn == PLAN_AGG_STRING_AGG) {
        mice_status rc = bind_string_agg_args(b, s, n, &arg, &arg2, err);
        if (rc) return rc;
    } else if (fn != PLAN_AGG_COUNT_STAR) {
        agg_args_scope as;
        agg_args_enter(b, s, &as);
        mice_status rc = bind__expr(b, s, f->args.items[0], &arg, err);
        agg_args_leave(b, s, &as);
        if (rc) return rc;
        sql_type want = sql_type_make(SQL_TYPE_INVALID, -1);
        if (arg->type.id == SQL_TYPE_UNKNOWN)
            want.id = fn == PLAN_AGG_BOOL_AND || fn == PLAN_AGG_BOOL_OR ? SQL_TYPE_BOOL
                      : fn >= PLAN_AGG_MIN                              ? SQL_TYPE_TEXT
                                                                        : SQL_TYPE_NUMERIC;
        if (want.id) rc = bind__coerce(b, &arg, want, SQL_CAST_IMPLICIT, NULL, err);
        if (rc) return rc;
        sql_type_id at = arg->type.id;
        /* PostgreSQL has no min/max for bool, bytea, uuid or jsonb */
        bool ordered = at != SQL_TYPE_BOOL && at != SQL_TYPE_BYTEA && at != SQL_TYPE_UUID &&
                       !bind__no_opclass(at);
        bool ok = fn == PLAN_AGG_COUNT || ((fn == PLAN_AGG_MIN || fn == PLAN_AGG_MAX) && ordered) ||
                  ((fn == PLAN_AGG_SUM || fn == PLAN_AGG_AVG) &&
                   (sql_type_is_numeric_family(at) || at == SQL_TYPE_INTERVAL)) ||
                  ((fn == PLAN_AGG_BOOL_AND || fn == PLAN_AGG_BOOL_OR) && at == SQL_TYPE_BOOL);
        if (!ok) {
            char tn[SQL_TYPE_NAME_MAX];
            bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc, "function %s(%s) does not exist",
                      name, type_name(arg->type, tn, sizeof tn));
            sqlerr_hint(err, "No function matches the given name and argument types. "
                             "You might need to add explicit type casts.");
            return MICE_INVALID;
        }
    }
    if (f->distinct && arg && bind__no_opclass(arg->type.id)) {
        char tn[SQL_TYPE_NAME_MAX];
        return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc,
                         "could not identify an equality operator for type %s",
                         type_name(arg->type, tn, sizeof tn));
    }
    for (uint32_t k = 0; k < order.n_order; k++)
        if (bind__no_opclass(order.order[k]->type.id)) {
            char tn[SQL_TYPE_NAME_MAX];
            bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc,
                      "could not identify an ordering operator for type %s",
                      type_name(order.order[k]->type, tn, sizeof tn));
            sqlerr_hint(err, "Use an explicit ordering operator or modify the query.");
            return MICE_INVALID;
        }
    bind_aggs *ag = s->aggs;
    if (ag->n == ag->cap) {
        uint32_t cap = ag->cap ? ag->cap * 2 : 8;
        plan_agg *v = ARENA_NEW_ARRAY(b->arena, plan_agg, cap);
        if (!v) return bind__nomem(err);
        if (ag->n) memcpy(v, ag->v, sizeof(plan_agg) * ag->n);
        ag->v = v;
        ag->cap = cap;
    }
    plan_agg *pa = &ag->v[ag->n];
    *pa = (plan_agg){.fn = (plan_agg_fn)fn,
                     .arg = arg,
                     .arg2 = arg2,
                     .filter = filter,
                     .distinct = f->distinct,
                     .n_order = order.n_order,
                     .order = order.order,
                     .order_desc = order.order_desc,
                     .order_nulls_first = order.order_nulls_first,
                     .type = agg_type((plan_agg_fn)fn, arg ? arg->type.id : SQL_TYPE_INT8),
                     .name = arena_strdup(b->arena, name)};
    sql_expr *e = expr_new(b->arena, EXPR_AGG_REF, pa->type, 0);
    if (!e) return bind__nomem(err);
    e->index = (int32_t)ag->n++;
    e->name = pa->name;
    e->loc = n->loc;
    *out = e;
    return MICE_OK;
}

/* A call of the resolved function fm: unknown literals and parameters take its argument
 * types now, the other arguments are cast at run time (func_call). */
static mice_status bind_matched_call(bind_ctx *b, func_match *fm, sql_expr **args, uint32_t n,
                                     int32_t loc, sql_expr **out, sql_error *err)
{
    mice_status rc;
    sql_expr *e = expr_new(b->arena, EXPR_FUNC, sql_type_make(fm->ret, -1), n);
    if (!e) return bind__nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        sql_type_id want = fm->arg_types[i];
        if (args[i]->type.id == SQL_TYPE_UNKNOWN && sql_type_known(want)) {
            rc = bind__coerce(b, &args[i], sql_type_make(want, -1), SQL_CAST_IMPLICIT, NULL, err);
            if (rc) return rc;
        }
        e->args[i] = args[i];
    }
    e->fm = fm;
    e->loc = loc;
    *out = e;
    return bind__fold(b, out, err);
}

static mice_status bind_func_call(bind_ctx *b, const char *name, sql_expr **args, uint32_t n,
                                  int32_t loc, sql_expr **out, sql_error *err)
{
    sql_type_id types[FUNC_CALL_ARGS_MAX];
    if (n > FUNC_CALL_ARGS_MAX)
        return bind__err(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, loc,
                         "cannot pass more than 100 arguments to a function");
    for (uint32_t i = 0; i < n; i++)
        types[i] = args[i]->type.id;
    func_match *fm = ARENA_NEW(b->arena, func_match);
    if (!fm) return bind__nomem(err);
    mice_status rc = func_lookup(name, types, (int)n, fm, err);
    if (rc) {
        if (err && loc >= 0) err->position = loc + 1;
        return rc;
    }
    return bind_matched_call(b, fm, args, n, loc, out, err);
}

/* A binary operator backed by functions (func_lookup_operator). */
static mice_status bind_oper(bind_ctx *b, const char *op, sql_expr *l, sql_expr *r, int32_t loc,
                             sql_expr **out, sql_error *err)
{
    func_match *fm = ARENA_NEW(b->arena, func_match);
    if (!fm) return bind__nomem(err);
    mice_status rc = func_lookup_operator(op, l->type.id, r->type.id, fm, err);
    if (rc) {
        if (err && loc >= 0) err->position = loc + 1;
        return rc;
    }
    sql_expr *args[2] = {l, r};
    return bind_matched_call(b, fm, args, 2, loc, out, err);
}

/* nextval('seq') / nextval('seq'::regclass): the sequence is resolved at bind time. */
static mice_status bind_nextval(bind_ctx *b, const ast_node *n, sql_expr **out, sql_error *err)
{
    const ast_func *f = &n->u.func;
    const ast_node *a = f->args.n == 1 ? f->args.items[0] : NULL;
    if (a && a->kind == AST_CAST) a = a->u.cast.arg;
    if (!a || a->kind != AST_CONST || a->u.konst.ck != AST_CONST_STRING)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "nextval needs a sequence name constant");
    const char *text = a->u.konst.text, *dot = strchr(text, '.');
    const char *schema = dot ? arena_strndup(b->arena, text, (size_t)(dot - text)) : NULL;
    catalog_desc *d;
    mice_status rc = catalog_resolve_relation(b->ct, b->database_id, b->sp, schema,
                                              dot ? dot + 1 : text, b->arena, &d, err);
    if (rc) {
        if (err) err->position = a->loc + 1;
        return rc;
    }
    if (d->kind != CATALOG_SEQUENCE)
        return bind__err(err, "42809", a->loc, "\"%s\" is not a sequence", text);
    *out = expr_new(b->arena, EXPR_NEXTVAL, sql_type_make(SQL_TYPE_INT8, -1), 0);
    if (!*out) return bind__nomem(err);
    (*out)->plan = d;
    (*out)->loc = n->loc;
    return MICE_OK;
}

static mice_status bind_func(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                             sql_error *err)
{
    const ast_func *f = &n->u.func;
    const char *name = f->name.v[f->name.n - 1];
    if (!strcasecmp(name, "nextval")) return bind_nextval(b, n, out, err);
    for (uint32_t i = 0; i < b->n_srf; i++)
        if (n == b->srf_nodes[i]) {
            *out = expr_col(b->arena, b->srf_cols[i], b->srf_types[i], name);
            return *out ? MICE_OK : bind__nomem(err);
        }
    if (bind__is_srf(n))
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "set-returning functions are only supported in FROM or as one top-level "
                         "select-list item");
    if (f->over || bind__is_window_only(name)) return bind__window_func(b, s, n, out, err);
    int fn = agg_fn_of(name);
    if (fn >= 0 && (f->name.n == 1 || !strcmp(f->name.v[0], "pg_catalog")))
        return bind_agg(b, s, n, fn, out, err);
    if (f->over || f->star || f->distinct)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "%s(...) in this form is not supported", name);
    sql_expr **args = ARENA_NEW_ARRAY(b->arena, sql_expr *, f->args.n ? f->args.n : 1);
    if (!args) return bind__nomem(err);
    for (uint32_t i = 0; i < f->args.n; i++) {
        mice_status rc = bind__expr(b, s, f->args.items[i], &args[i], err);
        if (rc) return rc;
    }
    char qname[2 * FUNC_NAME_MAX + 2];
    if (f->name.n == 2)
        snprintf(qname, sizeof qname, "%s.%s", f->name.v[0], name);
    else
        snprintf(qname, sizeof qname, "%s", name);
    return bind_func_call(b, qname, args, f->args.n, n->loc, out, err);
}

/* --- the other forms ----------------------------------------------------------------------- */

static mice_status bind_list(bind_ctx *b, bind_scope *s, const ast_list *l, sql_expr **v,
                             sql_error *err)
{
    for (uint32_t i = 0; i < l->n; i++) {
        mice_status rc = bind__expr(b, s, l->items[i], &v[i], err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status new_n(bind_ctx *b, expr_kind k, sql_type t, uint32_t n, int32_t loc,
                         sql_expr **out, sql_error *err)
{
    *out = expr_new(b->arena, k, t, n);
    if (!*out) return bind__nomem(err);
    (*out)->loc = loc;
    return MICE_OK;
}

static const sql_type BOOL_T = {SQL_TYPE_BOOL, -1};

static mice_status bind_boolexpr(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                                 sql_error *err)
{
    const ast_bool_expr *be = &n->u.bool_expr;
    expr_kind k = be->op == AST_BOOL_AND ? EXPR_AND : be->op == AST_BOOL_OR ? EXPR_OR : EXPR_NOT;
    mice_status rc = new_n(b, k, BOOL_T, be->args.n, n->loc, out, err);
    if (rc) return rc;
    const char *what = k == EXPR_AND ? "AND" : k == EXPR_OR ? "OR" : "NOT";
    for (uint32_t i = 0; i < be->args.n; i++) {
        rc = bind__cond(b, s, be->args.items[i], what, &(*out)->args[i], err);
        if (rc) return rc;
    }
    return bind__fold(b, out, err);
}

static mice_status bind_unary_test(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                                   sql_error *err)
{
    sql_expr *a;
    mice_status rc;
    if (n->kind == AST_NULL_TEST) {
        rc = bind__expr(b, s, n->u.null_test.arg, &a, err);
        if (!rc) rc = new_n(b, EXPR_NULLTEST, BOOL_T, 1, n->loc, out, err);
        if (rc) return rc;
        (*out)->negated = n->u.null_test.is_not;
    } else {
        rc = bind__cond(b, s, n->u.bool_test.arg, "IS", &a, err);
        if (!rc) rc = new_n(b, EXPR_BOOLTEST, BOOL_T, 1, n->loc, out, err);
        if (rc) return rc;
        (*out)->op = (int32_t)n->u.bool_test.test;
    }
    (*out)->args[0] = a;
    return bind__fold(b, out, err);
}

static mice_status bind_distinct(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                                 sql_error *err)
{
    sql_expr *l, *r;
    mice_status rc = bind__expr(b, s, n->u.distinct.l, &l, err);
    if (!rc) rc = bind__expr(b, s, n->u.distinct.r, &r, err);
    if (!rc) rc = unify_cmp(b, &l, &r, "=", n->loc, err);
    if (!rc) rc = new_n(b, EXPR_DISTINCT, BOOL_T, 2, n->loc, out, err);
    if (rc) return rc;
    (*out)->args[0] = l;
    (*out)->args[1] = r;
    (*out)->negated = n->u.distinct.is_not;
    return bind__fold(b, out, err);
}

static bool uses_columns(const sql_expr *e)
{
    if (e->kind == EXPR_COL) return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (uses_columns(e->args[i])) return true;
    return false;
}

/* x IN (list), as PostgreSQL's parser builds it: one list test (= ANY) over the items that
 * use no column of this query when there are at least two of them, and one x = item per
 * other item, ORed in list order (NOT IN: <> ANDed), so that 'x IN (a, 1)' is
 * 'x = a OR x = 1' and its parts simplify and evaluate as PostgreSQL's do. */
static mice_status bind_in(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                           sql_error *err)
{
    const ast_in_list *in = &n->u.in_list;
    uint32_t nl = in->list.n, n_const = 0;
    sql_expr **items = ARENA_NEW_ARRAY(b->arena, sql_expr *, nl ? nl : 1);
    bool *is_var = ARENA_NEW_ARRAY(b->arena, bool, nl ? nl : 1);
    if (!items || !is_var) return bind__nomem(err);
    sql_expr *l0; /* the left side, bound again for each use after the first */
    mice_status rc = bind__expr(b, s, in->l, &l0, err);
    if (!rc) rc = bind_list(b, s, &in->list, items, err);
    if (rc) return rc;
    for (uint32_t i = 0; i < nl; i++) {
        is_var[i] = uses_columns(items[i]);
        n_const += !is_var[i];
    }
    sql_expr *acc = NULL;
    if (n_const > 1) {
        rc = new_n(b, EXPR_IN_LIST, BOOL_T, n_const + 1, n->loc, &acc, err);
        if (rc) return rc;
        acc->negated = in->negated;
        acc->args[0] = l0;
        l0 = NULL;
        for (uint32_t i = 0, k = 1; i < nl; i++)
            if (!is_var[i]) acc->args[k++] = items[i];
        sql_type t;
        rc = coerce_all(b, acc->args, acc->n_args, "IN", &t, err);
        if (!rc && bind__no_opclass(t.id)) /* no equality */
            return op_missing(err, n->loc, in->negated ? "<>" : "=", t, t);
        if (!rc) rc = bind__fold(b, &acc, err);
        if (rc) return rc;
    }
    for (uint32_t i = 0; i < nl; i++) {
        if (n_const > 1 && !is_var[i]) continue;
        sql_expr *l = l0, *cmp;
        l0 = NULL;
        if (!l) rc = bind__expr(b, s, in->l, &l, err);
        if (!rc)
            rc = bind_cmp(b, in->negated ? EXPR_NE : EXPR_EQ, l, items[i], in->negated ? "<>" : "=",
                          n->loc, &cmp, err);
        if (rc) return rc;
        if (!acc) {
            acc = cmp;
            continue;
        }
        sql_expr *bx;
        rc = new_n(b, in->negated ? EXPR_AND : EXPR_OR, BOOL_T, 2, n->loc, &bx, err);
        if (rc) return rc;
        bx->args[0] = acc;
        bx->args[1] = cmp;
        if ((rc = bind__fold(b, &bx, err))) return rc;
        acc = bx;
    }
    *out = acc;
    return MICE_OK;
}

static mice_status bind_between(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                                sql_error *err)
{
    const ast_between *bt = &n->u.between;
    if (bt->symmetric)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "BETWEEN SYMMETRIC is not supported");
    sql_expr *a, *a2, *lo, *hi, *c1, *c2;
    mice_status rc = bind__expr(b, s, bt->arg, &a, err);
    if (!rc) rc = bind__expr(b, s, bt->arg, &a2, err);
    if (!rc) rc = bind__expr(b, s, bt->lo, &lo, err);
    if (!rc) rc = bind__expr(b, s, bt->hi, &hi, err);
    if (!rc) rc = bind_cmp(b, bt->negated ? EXPR_LT : EXPR_GE, a, lo, ">=", n->loc, &c1, err);
    if (!rc) rc = bind_cmp(b, bt->negated ? EXPR_GT : EXPR_LE, a2, hi, "<=", n->loc, &c2, err);
    if (!rc) rc = new_n(b, bt->negated ? EXPR_OR : EXPR_AND, BOOL_T, 2, n->loc, out, err);
    if (rc) return rc;
    (*out)->args[0] = c1;
    (*out)->args[1] = c2;
    return bind__fold(b, out, err);
}

static mice_status bind_like(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                             sql_error *err)
{
    const ast_like *lk = &n->u.like;
    bool similar = lk->lk == AST_LIKE_SIMILAR;
    const char *op = similar                    ? (lk->negated ? "!~" : "~")
                     : lk->lk == AST_LIKE_ILIKE ? (lk->negated ? "!~~*" : "~~*")
                                                : (lk->negated ? "!~~" : "~~");
    sql_expr *args[2], *pat[2];
    mice_status rc = bind__expr(b, s, lk->arg, &args[0], err);
    if (!rc) rc = bind__expr(b, s, lk->pattern, &pat[0], err);
    if (!rc && lk->escape) rc = bind__expr(b, s, lk->escape, &pat[1], err);
    if (rc) return rc;
    /* as PostgreSQL's grammar: x SIMILAR TO p [ESCAPE e] is x ~ similar_to_escape(p[, e]),
     * x LIKE p ESCAPE e is x ~~ like_escape(p, e) */
    args[1] = pat[0];
    if (similar || lk->escape) {
        rc = bind_func_call(b, similar ? "similar_to_escape" : "like_escape", pat,
                            lk->escape ? 2 : 1, n->loc, &args[1], err);
        if (rc) return rc;
    }
    if (similar) return bind_oper(b, op, args[0], args[1], n->loc, out, err);
    return bind_func_call(b, func_operator_function(op), args, 2, n->loc, out, err);
}

static mice_status bind_case(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                             sql_error *err)
{
    const ast_case *c = &n->u.case_;
    /* the ELSE result comes first in the type resolution, as in PostgreSQL */
    uint32_t nw = c->whens.n, o = c->else_ ? 1 : 0, nres = nw + o;
    mice_status rc = new_n(b, EXPR_CASE, BOOL_T, 2 * nw + (c->else_ ? 1 : 0), n->loc, out, err);
    if (rc) return rc;
    sql_expr *e = *out;
    e->has_else = c->else_ != NULL;
    sql_expr **res = ARENA_NEW_ARRAY(b->arena, sql_expr *, nres);
    if (!res) return bind__nomem(err);
    for (uint32_t i = 0; i < nw; i++) {
        const ast_case_when *w = &c->whens.items[i]->u.case_when;
        if (c->arg) {
            sql_expr *l, *r;
            rc = bind__expr(b, s, c->arg, &l, err);
            if (!rc) rc = bind__expr(b, s, w->cond, &r, err);
            if (!rc) rc = bind_cmp(b, EXPR_EQ, l, r, "=", w->cond->loc, &e->args[2 * i], err);
        } else {
            rc = bind__cond(b, s, w->cond, "CASE/WHEN", &e->args[2 * i], err);
        }
        if (!rc) rc = bind__expr(b, s, w->result, &res[o + i], err);
        if (rc) return rc;
    }
    if (c->else_ && (rc = bind__expr(b, s, c->else_, &res[0], err))) return rc;
    rc = coerce_all(b, res, nres, "CASE", &e->type, err);
    if (rc) return rc;
    for (uint32_t i = 0; i < nw; i++)
        e->args[2 * i + 1] = res[o + i];
    if (c->else_) e->args[2 * nw] = res[0];
    return bind__fold(b, out, err);
}

static mice_status bind_variadic(bind_ctx *b, bind_scope *s, const ast_node *n, expr_kind k, int op,
                                 const ast_list *l, const char *what, sql_expr **out,
                                 sql_error *err)
{
    mice_status rc = new_n(b, k, BOOL_T, l->n, n->loc, out, err);
    if (!rc) (*out)->op = op;
    if (!rc) rc = bind_list(b, s, l, (*out)->args, err);
    if (!rc) rc = coerce_all(b, (*out)->args, l->n, what, &(*out)->type, err);
    if (rc) return rc;
    return bind__fold(b, out, err);
}

static mice_status bind_nullif(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                               sql_error *err)
{
    mice_status rc = new_n(b, EXPR_NULLIF, BOOL_T, 2, n->loc, out, err);
    sql_expr *e = *out;
    if (!rc) rc = bind__expr(b, s, n->u.nullif.l, &e->args[0], err);
    if (!rc) rc = bind__expr(b, s, n->u.nullif.r, &e->args[1], err);
    if (!rc) rc = unify_cmp(b, &e->args[0], &e->args[1], "=", n->loc, err);
    if (rc) return rc;
    e->type = e->args[0]->type;
    return bind__fold(b, out, err);
}

static mice_status type_from_ast(bind_ctx *b, const ast_node *tn, sql_type *out, sql_error *err)
{
    (void)b;
    const ast_type_name *t = &tn->u.type_name;
    char name[256] = "";
    /* unquoted char arrives as pg_catalog.bpchar: a bare "char" is the quoted, one-byte type */
    const ast_names *tnm = &t->names;
    if (tnm->n && !strcmp(tnm->v[tnm->n - 1], "char") &&
        (tnm->n == 1 || (tnm->n == 2 && !strcmp(tnm->v[0], "pg_catalog"))) && !t->typmods.n)
        strcpy(name, "\"char\"");
    bool quoted_char = name[0] != 0;
    for (uint32_t i = 0; i < t->names.n && !quoted_char; i++) {
        if (i) strncat(name, ".", sizeof name - strlen(name) - 1);
        strncat(name, t->names.v[i], sizeof name - strlen(name) - 1);
    }
    if (t->array_bounds.n) strncat(name, "[]", sizeof name - strlen(name) - 1);
    int32_t mods[4];
    int nm = 0;
    for (uint32_t i = 0; i < t->typmods.n && nm < 4; i++) {
        const ast_node *m = t->typmods.items[i];
        if (m->kind != AST_CONST || m->u.konst.ck != AST_CONST_INT)
            return bind__err(err, SQLSTATE_SYNTAX_ERROR, m->loc,
                             "type modifiers must be simple constants");
        mods[nm++] = m->u.konst.ival;
    }
    mice_status rc = sql_type_parse(name, mods, nm, out, err);
    if (rc && err && tn->loc >= 0) err->position = tn->loc + 1;
    return rc;
}

mice_status bind_type_name(const ast_node *tn, sql_type *out, sql_error *err)
{
    return type_from_ast(NULL, tn, out, err);
}

static mice_status bind_cast(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                             sql_error *err)
{
    sql_type t;
    mice_status rc = type_from_ast(b, n->u.cast.type, &t, err);
    if (!rc) rc = bind__expr(b, s, n->u.cast.arg, out, err);
    if (rc) return rc;
    if ((*out)->kind == EXPR_CONST && (*out)->type.id == SQL_TYPE_UNKNOWN)
        return bind__coerce(b, out, t, SQL_CAST_EXPLICIT, NULL, err);
    if ((*out)->type.id == t.id && (*out)->type.typmod == t.typmod) return MICE_OK;
    if (sql_type_is_reg(t.id) || sql_type_is_reg((*out)->type.id)) {
        bool done;
        rc = bind__reg_cast(b, out, t, &done, err);
        if (done || rc) return rc;
    }
    if ((*out)->kind == EXPR_PARAM && (*out)->type.id == SQL_TYPE_UNKNOWN)
        return bind__coerce(b, out, t, SQL_CAST_EXPLICIT, NULL, err);
    sql_expr *c;
    rc = new_n(b, EXPR_CAST, t, 1, n->loc, &c, err);
    if (rc) return rc;
    c->args[0] = *out;
    c->cast_kind = SQL_CAST_EXPLICIT;
    if (sql_cast_lookup((*out)->type.id, t.id) == SQL_CAST_NONE && (*out)->type.id != t.id) {
        char x[SQL_TYPE_NAME_MAX], y[SQL_TYPE_NAME_MAX];
        return bind__err(err, SQLSTATE_CANNOT_COERCE, n->loc, "cannot cast type %s to %s",
                         type_name((*out)->type, x, sizeof x), type_name(t, y, sizeof y));
    }
    *out = c;
    return bind__fold(b, out, err);
}

static mice_status bind_sublink(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                                sql_error *err)
{
    const ast_sublink *sl = &n->u.sublink;
    expr_sub_kind k;
    switch (sl->sk) {
    case AST_SUBLINK_EXISTS:
        k = EXPR_SUB_EXISTS;
        break;
    case AST_SUBLINK_EXPR:
        k = EXPR_SUB_SCALAR;
        break;
    case AST_SUBLINK_ANY:
        k = EXPR_SUB_ANY;
        break;
    case AST_SUBLINK_ALL:
        k = EXPR_SUB_ALL;
        break;
    case AST_SUBLINK_ARRAY:
        k = EXPR_SUB_ARRAY;
        break;
    default:
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "this subquery form is not supported");
    }
    plan_node *p;
    bool corr = false;
    mice_status rc = bind__select(b, s, sl->query, &p, &corr, err);
    if (rc) return rc;
    if (k != EXPR_SUB_EXISTS && p->n_cols != 1)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, n->loc,
                         k == EXPR_SUB_SCALAR ? "subquery must return only one column"
                                              : "subquery has too many columns");
    sql_type t = k == EXPR_SUB_SCALAR ? p->col_types[0] : BOOL_T;
    if (k == EXPR_SUB_ARRAY) {
        const sql_type_info *ti = sql_type_info_of(p->col_types[0].id);
        if (!ti || !ti->array)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                             "ARRAY(subquery) of this type is not supported");
        t = sql_type_make(ti->array, -1);
    }
    bool with_test = k == EXPR_SUB_ANY || k == EXPR_SUB_ALL;
    rc = new_n(b, EXPR_SUBQUERY, t, with_test ? 1 : 0, n->loc, out, err);
    if (rc) return rc;
    sql_expr *e = *out;
    e->sub_kind = k;
    e->plan = p;
    e->correlated = corr;
    if (with_test) {
        const char *op = sl->op.n ? sl->op.v[sl->op.n - 1] : "=";
        e->op = cmp_op_of(op);
        if (e->op < 0)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc, "operator %s", op);
        rc = bind__expr(b, s, sl->test, &e->args[0], err);
        if (rc) return rc;
        sql_expr col = {.kind = EXPR_COL, .type = p->col_types[0], .loc = -1};
        sql_expr *cp = &col;
        rc = unify_cmp(b, &e->args[0], &cp, op, n->loc, err);
        if (rc) return rc;
        if (cp != &col)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                             "subquery comparison needs a cast of the subquery's column");
    }
    return MICE_OK;
}

static const char *const SVF_NAMES[] = {"current_date",      "current_time",
                                        "current_timestamp", "localtime",
                                        "localtimestamp",    "current_role",
                                        "current_user",      "user",
                                        "session_user",      "current_catalog",
                                        "current_schema"};

const char *bind_svf_name(int svf)
{
    return svf >= 0 && svf < (int)(sizeof SVF_NAMES / sizeof SVF_NAMES[0]) ? SVF_NAMES[svf] : NULL;
}

static mice_status bind_svf(bind_ctx *b, const ast_node *n, sql_expr **out, sql_error *err)
{
    const char *name = bind_svf_name((int)n->u.svf.fn);
    if (!name)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "this SQL value function is not supported yet");
    return bind_func_call(b, name, NULL, 0, n->loc, out, err);
}

static mice_status bind_expr_node(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                                  sql_error *err);

/* A complete expression (not a part of one being bound) that PostgreSQL's planner would
 * fail to simplify fails here: see bind_simplify.c. */
mice_status bind__expr(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                       sql_error *err)
{
    b->expr_depth++;
    mice_status rc = bind_expr_node(b, s, n, out, err);
    b->expr_depth--;
    if (!rc && b->expr_depth == 0 && (*out)->fold_error) {
        if (err) *err = *(*out)->fold_error;
        return (*out)->fold_error->code ? (*out)->fold_error->code : MICE_INVALID;
    }
    return rc;
}

/* GROUPING(args): registered with the aggregates; bind.c evaluates it per grouping set. */
static mice_status bind_grouping_func(bind_ctx *b, bind_scope *s, const ast_node *n,
                                      sql_expr **out, sql_error *err)
{
    bind_aggs *ag = s->aggs;
    if (!ag)
        return bind__err(err, SQLSTATE_GROUPING_ERROR, n->loc,
                         "grouping operations are not allowed in %s",
                         b->clause ? b->clause : "this context");
    if (n->u.grouping_func.args.n > 31)
        return bind__err(err, SQLSTATE_PROGRAM_LIMIT_EXCEEDED, n->loc,
                         "GROUPING must have fewer than 32 arguments");
    if (ag->n_gfuncs == ag->cap_gfuncs) {
        uint32_t cap = ag->cap_gfuncs ? ag->cap_gfuncs * 2 : 4;
        const ast_node **v = ARENA_NEW_ARRAY(b->arena, const ast_node *, cap);
        if (!v) return bind__nomem(err);
        if (ag->n_gfuncs) memcpy(v, ag->gfuncs, sizeof(*v) * ag->n_gfuncs);
        ag->gfuncs = v;
        ag->cap_gfuncs = cap;
    }
    sql_expr *e = expr_new(b->arena, EXPR_AGG_REF, sql_type_make(SQL_TYPE_INT4, -1), 0);
    if (!e) return bind__nomem(err);
    e->op = 1;
    e->index = (int32_t)ag->n_gfuncs;
    ag->gfuncs[ag->n_gfuncs++] = n;
    e->name = "grouping";
    e->loc = n->loc;
    *out = e;
    return MICE_OK;
}

static mice_status bind_expr_node(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                                  sql_error *err)
{
    switch (n->kind) {
    case AST_CONST:
        return bind_const(b, n, out, err);
    case AST_COLUMN_REF:
        return bind_colref(b, s, n, out, err);
    case AST_PARAM:
        return bind_param(b, n, out, err);
    case AST_OP:
        return bind_op(b, s, n, out, err);
    case AST_BOOL_EXPR:
        return bind_boolexpr(b, s, n, out, err);
    case AST_NULL_TEST:
    case AST_BOOL_TEST:
        return bind_unary_test(b, s, n, out, err);
    case AST_DISTINCT:
        return bind_distinct(b, s, n, out, err);
    case AST_IN_LIST:
        return bind_in(b, s, n, out, err);
    case AST_BETWEEN:
        return bind_between(b, s, n, out, err);
    case AST_LIKE:
        return bind_like(b, s, n, out, err);
    case AST_CASE:
        return bind_case(b, s, n, out, err);
    case AST_COALESCE:
        return bind_variadic(b, s, n, EXPR_COALESCE, 0, &n->u.coalesce.args, "COALESCE", out, err);
    case AST_MINMAX:
        return bind_variadic(b, s, n, EXPR_MINMAX, n->u.minmax.greatest, &n->u.minmax.args,
                             n->u.minmax.greatest ? "GREATEST" : "LEAST", out, err);
    case AST_NULLIF:
        return bind_nullif(b, s, n, out, err);
    case AST_CAST:
        return bind_cast(b, s, n, out, err);
    case AST_GROUPING_FUNC:
        return bind_grouping_func(b, s, n, out, err);
    case AST_FUNC:
        return bind_func(b, s, n, out, err);
    case AST_SUBLINK:
        return bind_sublink(b, s, n, out, err);
    case AST_SVF:
        return bind_svf(b, n, out, err);
    case AST_COLLATE:
        return bind_expr_node(b, s, n->u.collate.arg, out, err);
    case AST_ANY_ALL:
        return bind__any_all(b, s, n, out, err);
    case AST_ARRAY:
        return bind__array_ctor(b, s, n, out, err);
    case AST_INDIRECTION:
        return bind__indirection(b, s, n, out, err);
    default:
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "expression kind %s is not supported", ast_kind_name(n->kind));
    }
}

mice_status bind__cond(bind_ctx *b, bind_scope *s, const ast_node *n, const char *what,
                       sql_expr **out, sql_error *err)
{
    mice_status rc = bind__expr(b, s, n, out, err);
    if (rc) return rc;
    if ((*out)->type.id == SQL_TYPE_BOOL) return MICE_OK;
    if ((*out)->type.id == SQL_TYPE_UNKNOWN)
        return bind__coerce(b, out, BOOL_T, SQL_CAST_IMPLICIT, NULL, err);
    char tn[SQL_TYPE_NAME_MAX];
    return bind__err(err, SQLSTATE_DATATYPE_MISMATCH, n->loc,
                     "argument of %s must be type boolean, not type %s", what,
                     type_name((*out)->type, tn, sizeof tn));
}
