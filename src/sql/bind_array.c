/* bind_array.c - array expressions and the reg types' casts (see bind.h): x op ANY/ALL
 * (array), ARRAY[...], a[i], array || array and the casts between the reg types and text,
 * which need the catalog (pgcatalog.h) to turn names into OIDs and back. They become
 * EXPR_FUNC calls of the internal functions below (not in the registry: PostgreSQL
 * spells them as syntax, not as functions). */
#include <string.h>

#include "sql/array.h"
#include "sql/bind_int.h"

/* --- the internal functions ------------------------------------------------------------ */

/* x op ANY/ALL (a): three-valued as PostgreSQL's scalar-array op. */
static mice_status any_all(const sql_datum *args, int op, bool all, func_ctx *ctx, sql_datum *out)
{
    const sql_datum *x = &args[0], *a = &args[1];
    if (a->is_null) {
        *out = datum_null(SQL_TYPE_BOOL);
        return MICE_OK;
    }
    if (array_count(a) == 0) {
        *out = datum_bool(all);
        return MICE_OK;
    }
    if (x->is_null) {
        *out = datum_null(SQL_TYPE_BOOL);
        return MICE_OK;
    }
    array_iter it;
    array_iter_init(&it, a);
    sql_datum e;
    bool saw_null = false;
    while (array_iter_next(&it, ctx->arena, &e)) {
        if (e.is_null) {
            saw_null = true;
            continue;
        }
        bool holds = expr_cmp_holds((expr_cmp_op)op, datum_cmp(x, &e, ctx->vctx));
        if (holds != all) {
            *out = datum_bool(!all);
            return MICE_OK;
        }
    }
    *out = saw_null ? datum_null(SQL_TYPE_BOOL) : datum_bool(all);
    return MICE_OK;
}

#define ANY_ALL_FN(name, op, all)                                                                  \
    static mice_status name(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,       \
                            sql_error *err)                                                        \
    {                                                                                              \
        (void)nargs;                                                                               \
        (void)err;                                                                                 \
        return any_all(args, op, all, ctx, out);                                                   \
    }
ANY_ALL_FN(any_eq, EXPR_EQ, false)
ANY_ALL_FN(any_ne, EXPR_NE, false)
ANY_ALL_FN(any_lt, EXPR_LT, false)
ANY_ALL_FN(any_le, EXPR_LE, false)
ANY_ALL_FN(any_gt, EXPR_GT, false)
ANY_ALL_FN(any_ge, EXPR_GE, false)
ANY_ALL_FN(all_eq, EXPR_EQ, true)
ANY_ALL_FN(all_ne, EXPR_NE, true)
ANY_ALL_FN(all_lt, EXPR_LT, true)
ANY_ALL_FN(all_le, EXPR_LE, true)
ANY_ALL_FN(all_gt, EXPR_GT, true)
ANY_ALL_FN(all_ge, EXPR_GE, true)

#define INTERNAL(nm, n, rt, st, fnp)                                                               \
    {                                                                                              \
        .name = nm, .nargs = n, .ret = rt, .strict = st, .volatility = FUNC_IMMUTABLE, .fn = fnp   \
    }
static const func_desc any_all_descs[2][6] = {
    {INTERNAL("= ANY", 2, SQL_TYPE_BOOL, false, any_eq),
     INTERNAL("<> ANY", 2, SQL_TYPE_BOOL, false, any_ne),
     INTERNAL("< ANY", 2, SQL_TYPE_BOOL, false, any_lt),
     INTERNAL("<= ANY", 2, SQL_TYPE_BOOL, false, any_le),
     INTERNAL("> ANY", 2, SQL_TYPE_BOOL, false, any_gt),
     INTERNAL(">= ANY", 2, SQL_TYPE_BOOL, false, any_ge)},
    {INTERNAL("= ALL", 2, SQL_TYPE_BOOL, false, all_eq),
     INTERNAL("<> ALL", 2, SQL_TYPE_BOOL, false, all_ne),
     INTERNAL("< ALL", 2, SQL_TYPE_BOOL, false, all_lt),
     INTERNAL("<= ALL", 2, SQL_TYPE_BOOL, false, all_le),
     INTERNAL("> ALL", 2, SQL_TYPE_BOOL, false, all_gt),
     INTERNAL(">= ALL", 2, SQL_TYPE_BOOL, false, all_ge)},
};

static mice_status f_array_ctor(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,
                                sql_error *err)
{
    const sql_type_info *ti = sql_type_info_of(args[0].type);
    return array_build(ti->array, args, (uint32_t)nargs, 1, ctx->arena, out, err);
}

static mice_status f_subscript(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,
                               sql_error *err)
{
    (void)nargs;
    (void)err;
    array_get(&args[0], args[1].v.i, ctx->arena, out);
    return MICE_OK;
}

/* array || array, array || element, element || array (args[2]: which, as an int4). */
static mice_status f_concat(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,
                            sql_error *err)
{
    (void)nargs;
    int64_t form = args[2].v.i; /* 0 both arrays, 1 append, 2 prepend */
    const sql_datum *arr = form == 2 ? &args[1] : &args[0];
    if (form == 0 && args[0].is_null) {
        *out = args[1];
        return MICE_OK;
    }
    if (form == 0 && args[1].is_null) {
        *out = args[0];
        return MICE_OK;
    }
    uint32_t na = arr->is_null ? 0 : array_count(arr);
    uint32_t nb = form == 0 ? array_count(&args[1]) : 1;
    sql_datum *v = ARENA_NEW_ARRAY(ctx->arena, sql_datum, na + nb + 1);
    if (!v) return sqlerr_nomem(err);
    uint32_t k = 0;
    array_iter it;
    sql_datum e;
    if (form == 2) v[k++] = args[0];
    if (!arr->is_null) {
        array_iter_init(&it, arr);
        while (array_iter_next(&it, ctx->arena, &e))
            v[k++] = e;
    }
    if (form == 1) v[k++] = args[1];
    if (form == 0) {
        array_iter_init(&it, &args[1]);
        while (array_iter_next(&it, ctx->arena, &e))
            v[k++] = e;
    }
    return array_build(arr->is_null ? (form == 2 ? args[1].type : args[0].type) : arr->type, v, k,
                       1, ctx->arena, out, err);
}

/* Whether x equals an element of a (NULL elements never equal anything). */
static bool array_has(const sql_datum *a, const sql_datum *x, func_ctx *ctx)
{
    array_iter it;
    sql_datum e;
    array_iter_init(&it, a);
    while (array_iter_next(&it, ctx->arena, &e))
        if (!e.is_null && datum_cmp(&e, x, ctx->vctx) == 0) return true;
    return false;
}

/* a @> b (args[2] 0), a <@ b (1), a && b (2): PostgreSQL's array_contain_compare. */
static mice_status f_contain(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,
                             sql_error *err)
{
    (void)nargs, (void)err;
    int64_t form = args[2].v.i;
    const sql_datum *outer = form == 1 ? &args[1] : &args[0], *inner = form == 1 ? &args[0] : &args[1];
    bool overlap = form == 2, result = !overlap;
    array_iter it;
    sql_datum e;
    array_iter_init(&it, inner);
    while (array_iter_next(&it, ctx->arena, &e)) {
        bool found = !e.is_null && array_has(outer, &e, ctx);
        if (overlap && found) {
            result = true;
            break;
        }
        if (!overlap && !found) {
            result = false;
            break;
        }
    }
    *out = datum_bool(result);
    return MICE_OK;
}

static mice_status f_reg_text(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,
                              sql_error *err)
{
    (void)nargs;
    if (!ctx->pgcat)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INTERNAL_ERROR, "no catalog for regclass");
    mice_slice s;
    mice_status rc =
        pgcat_reg_out(ctx->pgcat, args[0].type, (uint32_t)args[0].v.i, ctx->arena, &s, err);
    if (!rc) *out = datum_text(s);
    return rc;
}

/* text_reg(text, type oid) */
static mice_status f_text_reg(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,
                              sql_error *err)
{
    (void)nargs;
    if (!ctx->pgcat)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INTERNAL_ERROR, "no catalog for regclass");
    uint32_t oid;
    sql_type_id t = (sql_type_id)args[1].v.i;
    mice_status rc = pgcat_reg_in(ctx->pgcat, t, args[0].v.s, &oid, err);
    if (!rc) *out = (sql_datum){.type = t, .v.i = oid};
    return rc;
}

static const func_desc ctor_desc = INTERNAL("array", 1, SQL_TYPE_INVALID, false, f_array_ctor);
static const func_desc subscript_desc =
    INTERNAL("array_subscript", 2, SQL_TYPE_INVALID, true, f_subscript);
static const func_desc concat_desc = INTERNAL("array_cat", 3, SQL_TYPE_INVALID, false, f_concat);
static const func_desc contain_desc = INTERNAL("arraycontains", 3, SQL_TYPE_BOOL, true, f_contain);
static const func_desc reg_text_desc = {.name = "text",
                                        .nargs = 1,
                                        .ret = SQL_TYPE_TEXT,
                                        .strict = true,
                                        .volatility = FUNC_STABLE,
                                        .fn = f_reg_text};
static const func_desc text_reg_desc = {.name = "to_reg",
                                        .nargs = 2,
                                        .ret = SQL_TYPE_INVALID,
                                        .strict = true,
                                        .volatility = FUNC_STABLE,
                                        .fn = f_text_reg};

/* An EXPR_FUNC of an internal function over args (their types as they are). */
static mice_status internal_call(bind_ctx *b, const func_desc *d, sql_type ret, sql_expr **args,
                                 uint32_t n, int32_t loc, sql_expr **out, sql_error *err)
{
    func_match *fm = ARENA_NEW(b->arena, func_match);
    sql_expr *e = expr_new(b->arena, EXPR_FUNC, ret, n);
    if (!fm || !e) return bind__nomem(err);
    fm->desc = d;
    fm->nargs = (int)n;
    fm->ret = ret.id;
    for (uint32_t i = 0; i < n; i++) {
        fm->arg_types[i] = args[i]->type.id;
        e->args[i] = args[i];
    }
    e->fm = fm;
    e->loc = loc;
    *out = e;
    return bind__fold(b, out, err);
}

static sql_expr *int_const(bind_ctx *b, int64_t v)
{
    return expr_const(b->arena, datum_int4((int32_t)v), sql_type_make(SQL_TYPE_INT4, -1));
}

static mice_status not_array(sql_error *err, int32_t loc, sql_type t, const char *what)
{
    char tn[SQL_TYPE_NAME_MAX];
    sql_type_format(t, tn, sizeof tn);
    return bind__err(err, SQLSTATE_DATATYPE_MISMATCH, loc, "%s must be an array, not type %s", what,
                     tn);
}

/* --- binding -------------------------------------------------------------------------- */

static int cmp_op(const char *op)
{
    static const char *const ops[] = {"=", "<>", "<", "<=", ">", ">="};
    if (!strcmp(op, "!=")) return EXPR_NE;
    for (int i = 0; i < 6; i++)
        if (!strcmp(op, ops[i])) return i;
    return -1;
}

mice_status bind__any_all(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                          sql_error *err)
{
    const ast_any_all *aa = &n->u.any_all;
    const char *opname = aa->op.v[aa->op.n - 1];
    int op = cmp_op(opname);
    if (op < 0)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "operator %s with ANY/ALL is not supported", opname);
    sql_expr *args[2];
    mice_status rc = bind__expr(b, s, aa->l, &args[0], err);
    if (!rc) rc = bind__expr(b, s, aa->r, &args[1], err);
    if (rc) return rc;
    sql_type lt = args[0]->type, rt = args[1]->type;
    if (rt.id == SQL_TYPE_UNKNOWN) {
        sql_type_id l = lt.id == SQL_TYPE_UNKNOWN ? SQL_TYPE_TEXT : lt.id;
        const sql_type_info *ti = sql_type_info_of(l);
        if (!ti || !ti->array) return not_array(err, aa->r->loc, rt, "op ANY/ALL (array)");
        rc = bind__coerce(b, &args[1], sql_type_make(ti->array, -1), SQL_CAST_IMPLICIT, NULL, err);
        if (rc) return rc;
        rt = args[1]->type;
    }
    sql_type_id elem = sql_type_elem(rt.id);
    if (elem == SQL_TYPE_INVALID) return not_array(err, aa->r->loc, rt, "op ANY/ALL (array)");
    if (!datum_types_comparable(args[0]->type.id, elem)) {
        rc = bind__coerce(b, &args[0], sql_type_make(elem, -1), SQL_CAST_IMPLICIT, NULL, err);
        if (rc) return rc;
    }
    if (bind__no_opclass(elem)) {
        char tn[SQL_TYPE_NAME_MAX];
        sql_type_format(sql_type_make(elem, -1), tn, sizeof tn);
        bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc, "operator does not exist: %s %s %s", tn,
                  opname, tn);
        sqlerr_hint(err, "No operator matches the given name and argument types. "
                         "You might need to add explicit type casts.");
        return MICE_INVALID;
    }
    return internal_call(b, &any_all_descs[aa->all][op], sql_type_make(SQL_TYPE_BOOL, -1), args, 2,
                         n->loc, out, err);
}

mice_status bind__array_ctor(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                             sql_error *err)
{
    const ast_list *l = &n->u.array.args;
    if (l->n == 0) {
        sql_datum d;
        mice_status rc = array_build(SQL_TYPE_TEXT_ARRAY, NULL, 0, 1, b->arena, &d, err);
        if (rc) return rc;
        *out = expr_const(b->arena, d, sql_type_make(SQL_TYPE_TEXT_ARRAY, -1));
        return *out ? MICE_OK : bind__nomem(err);
    }
    sql_expr **args = ARENA_NEW_ARRAY(b->arena, sql_expr *, l->n);
    if (!args) return bind__nomem(err);
    for (uint32_t i = 0; i < l->n; i++) {
        if (l->items[i]->kind == AST_ARRAY)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, l->items[i]->loc,
                             "multidimensional arrays are not supported yet");
        mice_status rc = bind__expr(b, s, l->items[i], &args[i], err);
        if (rc) return rc;
    }
    sql_type t;
    mice_status rc = bind__common_type(b, args, l->n, "ARRAY", &t, err);
    for (uint32_t i = 0; !rc && i < l->n; i++)
        rc = bind__coerce(b, &args[i], t, SQL_CAST_IMPLICIT, NULL, err);
    if (rc) return rc;
    const sql_type_info *ti = sql_type_info_of(t.id);
    if (!ti || !ti->array) return not_array(err, n->loc, t, "ARRAY element");
    return internal_call(b, &ctor_desc, sql_type_make(ti->array, -1), args, l->n, n->loc, out, err);
}

mice_status bind__indirection(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                              sql_error *err)
{
    const ast_indirection *in = &n->u.indirection;
    mice_status rc = bind__expr(b, s, in->arg, out, err);
    for (uint32_t i = 0; !rc && i < in->path.n; i++) {
        const ast_node *step = in->path.items[i];
        if (step->kind != AST_SUBSCRIPT || step->u.subscript.slice || !step->u.subscript.lo)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, step->loc,
                             "only array subscripts a[i] are supported");
        sql_type_id elem = sql_type_elem((*out)->type.id);
        if (elem == SQL_TYPE_INVALID) {
            char tn[SQL_TYPE_NAME_MAX];
            sql_type_format((*out)->type, tn, sizeof tn);
            return bind__err(err, SQLSTATE_DATATYPE_MISMATCH, step->loc,
                             "cannot subscript type %s because it does not support subscripting",
                             tn);
        }
        sql_expr *args[2] = {*out, NULL};
        rc = bind__expr(b, s, step->u.subscript.lo, &args[1], err);
        if (!rc)
            rc = bind__coerce(b, &args[1], sql_type_make(SQL_TYPE_INT4, -1), SQL_CAST_IMPLICIT,
                              NULL, err);
        if (!rc)
            rc = internal_call(b, &subscript_desc, sql_type_make(elem, -1), args, 2, step->loc, out,
                               err);
    }
    return rc;
}

mice_status bind__reg_cast(bind_ctx *b, sql_expr **e, sql_type t, bool *done, sql_error *err)
{
    sql_type_id from = (*e)->type.id;
    *done = false;
    if (sql_type_is_reg(t.id) && sql_type_is_string(from) && (*e)->kind == EXPR_CONST &&
        !(*e)->value.is_null && b->fctx && b->fctx->pgcat) {
        uint32_t oid;
        *done = true;
        mice_status rc = pgcat_reg_in(b->fctx->pgcat, t.id, (*e)->value.v.s, &oid, err);
        if (rc) {
            if (err && (*e)->loc >= 0) err->position = (*e)->loc + 1;
            return rc;
        }
        sql_expr *k = expr_const(b->arena, (sql_datum){.type = t.id, .v.i = oid}, t);
        if (!k) return bind__nomem(err);
        k->loc = (*e)->loc;
        *e = k;
        return MICE_OK;
    }
    if (sql_type_is_reg(t.id) && sql_type_is_string(from) && from != SQL_TYPE_UNKNOWN) {
        *done = true;
        sql_expr *args[2] = {*e, int_const(b, t.id)};
        if (!args[1]) return bind__nomem(err);
        return internal_call(b, &text_reg_desc, t, args, 2, (*e)->loc, e, err);
    }
    if (sql_type_is_reg(from) && sql_type_is_string(t.id) && t.id != SQL_TYPE_UNKNOWN) {
        *done = true;
        sql_expr *arg = *e;
        mice_status rc = internal_call(b, &reg_text_desc, sql_type_make(SQL_TYPE_TEXT, -1), &arg, 1,
                                       (*e)->loc, e, err);
        if (rc || t.id == SQL_TYPE_TEXT) return rc;
        return bind__coerce(b, e, t, SQL_CAST_EXPLICIT, NULL, err);
    }
    return MICE_OK;
}

mice_status bind__array_concat(bind_ctx *b, sql_expr *l, sql_expr *r, int32_t loc, sql_expr **out,
                               bool *done, sql_error *err)
{
    bool la = array_type_is(l->type.id), ra = array_type_is(r->type.id);
    *done = la || ra;
    if (!*done) return MICE_OK;
    mice_status rc = MICE_OK;
    int form;
    sql_type at = la ? l->type : r->type;
    sql_type elem = sql_type_make(sql_type_elem(at.id), -1);
    if (la && ra) {
        form = 0;
        if (l->type.id != r->type.id)
            rc = bind__coerce(b, &r, l->type, SQL_CAST_IMPLICIT, NULL, err);
    } else if (la && r->type.id == SQL_TYPE_UNKNOWN) {
        form = 0;
        rc = bind__coerce(b, &r, at, SQL_CAST_IMPLICIT, NULL, err);
    } else if (ra && l->type.id == SQL_TYPE_UNKNOWN) {
        form = 0;
        rc = bind__coerce(b, &l, at, SQL_CAST_IMPLICIT, NULL, err);
    } else if (la) {
        form = 1;
        rc = bind__coerce(b, &r, elem, SQL_CAST_IMPLICIT, NULL, err);
    } else {
        form = 2;
        rc = bind__coerce(b, &l, elem, SQL_CAST_IMPLICIT, NULL, err);
    }
    if (rc) return rc;
    sql_expr *args[3] = {l, r, int_const(b, form)};
    if (!args[2]) return bind__nomem(err);
    return internal_call(b, &concat_desc, sql_type_make(at.id, -1), args, 3, loc, out, err);
}

mice_status bind__array_contain(bind_ctx *b, const char *op, sql_expr *l, sql_expr *r, int32_t loc,
                                sql_expr **out, bool *done, sql_error *err)
{
    int form = !strcmp(op, "@>") ? 0 : !strcmp(op, "<@") ? 1 : !strcmp(op, "&&") ? 2 : -1;
    bool la = array_type_is(l->type.id), ra = array_type_is(r->type.id);
    *done = form >= 0 && (la || ra);
    if (!*done) return MICE_OK;
    mice_status rc = MICE_OK;
    if (la && r->type.id == SQL_TYPE_UNKNOWN)
        rc = bind__coerce(b, &r, l->type, SQL_CAST_IMPLICIT, NULL, err);
    else if (ra && l->type.id == SQL_TYPE_UNKNOWN)
        rc = bind__coerce(b, &l, r->type, SQL_CAST_IMPLICIT, NULL, err);
    if (rc) return rc;
    sql_type_id le = sql_type_elem(l->type.id), re = sql_type_elem(r->type.id);
    if (le == SQL_TYPE_INVALID || re == SQL_TYPE_INVALID ||
        le != re) {
        char lt[SQL_TYPE_NAME_MAX], rt[SQL_TYPE_NAME_MAX];
        sql_type_format(l->type, lt, sizeof lt);
        sql_type_format(r->type, rt, sizeof rt);
        bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, loc, "operator does not exist: %s %s %s", lt, op,
                  rt);
        sqlerr_hint(err, "No operator matches the given name and argument types. "
                         "You might need to add explicit type casts.");
        return MICE_INVALID;
    }
    if (bind__no_opclass(le))
        return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, loc,
                         "could not identify an equality operator for type json");
    sql_expr *args[3] = {l, r, int_const(b, form)};
    if (!args[2]) return bind__nomem(err);
    return internal_call(b, &contain_desc, sql_type_make(SQL_TYPE_BOOL, -1), args, 3, loc, out, err);
}
