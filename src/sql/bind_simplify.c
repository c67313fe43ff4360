/* bind_simplify.c - PostgreSQL's expression simplifications beyond folding constants.
 *
 * Which rows a query evaluates an expression on decides whether it fails (1/x with x = 0
 * on some row), so MiceDB simplifies where PostgreSQL's planner (eval_const_expressions)
 * does and as it does, bottom-up as the binder builds each node:
 *   - a strict operator or function with a NULL constant argument is NULL;
 *   - AND/OR drop TRUE/FALSE constants, become FALSE/TRUE on a FALSE/TRUE one, keep one NULL
 *     constant (last), and collapse to their only argument;
 *   - NOT is pushed down: comparisons and IN lists are negated, AND/OR by De Morgan,
 *     IS [NOT] NULL/TRUE/FALSE/UNKNOWN inverted, NOT NOT dropped;
 *   - CASE drops arms whose condition is FALSE or NULL, ends at a TRUE one (its result is
 *     the ELSE), and is its ELSE when no arm is left;
 *   - COALESCE drops NULL constants and everything after a non-NULL constant.
 * The WHERE clause then sees a constant FALSE or NULL conjunct where PostgreSQL does, and
 * the binder turns that into an empty input (PostgreSQL's "One-Time Filter: false"). */
#include <string.h>

#include "sql/bind_int.h"

static bool is_const_null(const sql_expr *e)
{
    return e->kind == EXPR_CONST && e->value.is_null;
}

static bool is_bool_const(const sql_expr *e, bool v)
{
    return e->kind == EXPR_CONST && !e->value.is_null && e->value.type == SQL_TYPE_BOOL &&
           e->value.v.b == v;
}

static bool is_strict(const sql_expr *e)
{
    switch (e->kind) {
    case EXPR_CMP:
    case EXPR_ARITH:
    case EXPR_NEG:
    case EXPR_CAST:
        return true;
    case EXPR_FUNC:
        return e->fm && e->fm->desc->strict && e->fm->desc->volatility != FUNC_VOLATILE;
    case EXPR_IN_LIST: /* NULL IN (...) is NULL whatever the list holds */
        return false;
    default:
        return false;
    }
}

static mice_status make_const(bind_ctx *b, sql_expr **e, sql_datum v, sql_error *err)
{
    sql_expr *k = expr_const(b->arena, v, (*e)->type);
    if (!k) return bind__nomem(err);
    k->loc = (*e)->loc;
    *e = k;
    return MICE_OK;
}

static mice_status make_null(bind_ctx *b, sql_expr **e, sql_error *err)
{
    return make_const(b, e, datum_null((*e)->type.id), err);
}

/* --- AND / OR -------------------------------------------------------------------------- */

static void flatten_into(sql_expr *e, expr_kind k, sql_expr **v, uint32_t *n)
{
    for (uint32_t i = 0; i < e->n_args; i++) {
        if (e->args[i]->kind == k)
            flatten_into(e->args[i], k, v, n);
        else
            v[(*n)++] = e->args[i];
    }
}

static uint32_t count_flat(const sql_expr *e, expr_kind k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < e->n_args; i++)
        n += e->args[i]->kind == k ? count_flat(e->args[i], k) : 1;
    return n;
}

static mice_status simplify_andor(bind_ctx *b, sql_expr **ep, sql_error *err)
{
    sql_expr *e = *ep;
    bool is_and = e->kind == EXPR_AND;
    uint32_t total = count_flat(e, e->kind);
    sql_expr **v = ARENA_NEW_ARRAY(b->arena, sql_expr *, total + 1);
    if (!v) return bind__nomem(err);
    uint32_t n = 0, kept = 0;
    flatten_into(e, e->kind, v, &n);
    bool have_null = false;
    for (uint32_t i = 0; i < n; i++) {
        if (is_const_null(v[i])) {
            have_null = true;
            continue;
        }
        if (is_bool_const(v[i], !is_and)) /* FALSE in AND, TRUE in OR decides */
            return make_const(b, ep, datum_bool(!is_and), err);
        if (is_bool_const(v[i], is_and)) continue; /* TRUE in AND, FALSE in OR: no effect */
        v[kept++] = v[i];
    }
    if (have_null) {
        sql_expr *k = expr_const(b->arena, datum_null(SQL_TYPE_BOOL), e->type);
        if (!k) return bind__nomem(err);
        v[kept++] = k;
    }
    if (kept == 0) return make_const(b, ep, datum_bool(is_and), err);
    if (kept == 1) {
        *ep = v[0];
        return MICE_OK;
    }
    e->args = v;
    e->n_args = kept;
    return MICE_OK;
}

/* --- NOT ------------------------------------------------------------------------------- */

static mice_status negate(bind_ctx *b, sql_expr **ep, sql_error *err)
{
    static const int negator[] = {[EXPR_EQ] = EXPR_NE, [EXPR_NE] = EXPR_EQ, [EXPR_LT] = EXPR_GE,
                                  [EXPR_LE] = EXPR_GT, [EXPR_GT] = EXPR_LE, [EXPR_GE] = EXPR_LT};
    sql_expr *e = *ep;
    switch (e->kind) {
    case EXPR_CONST:
        if (e->value.is_null) return MICE_OK;
        return make_const(b, ep, datum_bool(!e->value.v.b), err);
    case EXPR_CMP:
        e->op = negator[e->op];
        return MICE_OK;
    case EXPR_IN_LIST:
    case EXPR_NULLTEST:
        e->negated = !e->negated;
        return MICE_OK;
    case EXPR_BOOLTEST: /* TRUE/NOT TRUE, FALSE/NOT FALSE, UNKNOWN/NOT UNKNOWN pair up */
        e->op ^= 1;
        return MICE_OK;
    case EXPR_NOT:
        *ep = e->args[0];
        return MICE_OK;
    case EXPR_AND:
    case EXPR_OR:
        e->kind = e->kind == EXPR_AND ? EXPR_OR : EXPR_AND;
        for (uint32_t i = 0; i < e->n_args; i++) {
            mice_status rc = negate(b, &e->args[i], err);
            if (rc) return rc;
        }
        return MICE_OK;
    default: {
        sql_expr *x = expr_new(b->arena, EXPR_NOT, e->type, 1);
        if (!x) return bind__nomem(err);
        x->args[0] = e;
        x->loc = e->loc;
        *ep = x;
        return MICE_OK;
    }
    }
}

/* --- CASE, COALESCE -------------------------------------------------------------------- */

static mice_status simplify_case(bind_ctx *b, sql_expr **ep, sql_error *err)
{
    sql_expr *e = *ep;
    uint32_t pairs = (e->n_args - (e->has_else ? 1 : 0)) / 2, kept = 0;
    sql_expr *dflt = e->has_else ? e->args[e->n_args - 1] : NULL;
    bool changed = false;
    for (uint32_t i = 0; i < pairs; i++) {
        sql_expr *cond = e->args[2 * i], *res = e->args[2 * i + 1];
        if (cond->kind == EXPR_CONST && (cond->value.is_null || !cond->value.v.b)) {
            changed = true;
            continue;
        }
        if (cond->kind == EXPR_CONST) { /* TRUE: this result is the answer from here on */
            dflt = res;
            changed = true;
            break;
        }
        e->args[2 * kept] = cond;
        e->args[2 * kept + 1] = res;
        kept++;
    }
    if (!changed) return MICE_OK;
    if (kept == 0) {
        if (dflt) {
            *ep = dflt;
            return MICE_OK;
        }
        return make_null(b, ep, err);
    }
    e->has_else = dflt != NULL;
    if (dflt) e->args[2 * kept] = dflt;
    e->n_args = 2 * kept + (dflt ? 1 : 0);
    return MICE_OK;
}

static mice_status simplify_coalesce(bind_ctx *b, sql_expr **ep, sql_error *err)
{
    sql_expr *e = *ep;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < e->n_args; i++) {
        sql_expr *a = e->args[i];
        if (is_const_null(a)) continue;
        e->args[kept++] = a;
        if (a->kind == EXPR_CONST) break; /* never NULL: the rest is never evaluated */
    }
    if (kept == 0) return make_null(b, ep, err);
    if (kept == 1) {
        *ep = e->args[0];
        return MICE_OK;
    }
    e->n_args = kept;
    return MICE_OK;
}

mice_status bind__simplify(bind_ctx *b, sql_expr **ep, sql_error *err)
{
    sql_expr *e = *ep;
    if (is_strict(e)) {
        for (uint32_t i = 0; i < e->n_args; i++)
            if (is_const_null(e->args[i])) return make_null(b, ep, err);
        return MICE_OK;
    }
    switch (e->kind) {
    case EXPR_IN_LIST:
        if (is_const_null(e->args[0])) return make_null(b, ep, err);
        return MICE_OK;
    case EXPR_AND:
    case EXPR_OR:
        return simplify_andor(b, ep, err);
    case EXPR_NOT:
        *ep = e->args[0];
        return negate(b, ep, err);
    case EXPR_CASE:
        return simplify_case(b, ep, err);
    case EXPR_COALESCE:
        return simplify_coalesce(b, ep, err);
    default:
        return MICE_OK;
    }
}

bool bind__const_false(const sql_expr *e)
{
    return e->kind == EXPR_CONST &&
           (e->value.is_null || (e->value.type == SQL_TYPE_BOOL && !e->value.v.b));
}

/* --- WHERE and HAVING ------------------------------------------------------------------ */

static bool movable(const sql_expr *e)
{
    if (e->kind == EXPR_AGG_REF || e->kind == EXPR_SUBQUERY || e->kind == EXPR_NEXTVAL)
        return false;
    if (e->kind == EXPR_FUNC && e->fm->desc->volatility == FUNC_VOLATILE) return false;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!movable(e->args[i])) return false;
    return true;
}

mice_status bind__having_to_where(bind_ctx *b, sql_expr **having, bool grouped, sql_expr **where,
                                  sql_error *err)
{
    *where = NULL;
    if (!*having) return MICE_OK;
    sql_expr *v[256], *rest = NULL;
    uint32_t n = 0;
    bind__split_conjuncts(*having, v, &n, 256);
    if (n == 256) return MICE_OK; /* too many to take apart: leave HAVING as it is */
    for (uint32_t i = 0; i < n; i++) {
        bool move = grouped ? movable(v[i]) : bind__const_false(v[i]);
        if (move) {
            *where = bind__and(b, *where, v[i]);
            if (!*where) return bind__nomem(err);
        }
        if (!move || !grouped) { /* without GROUP BY the (constant) conjunct stays too */
            rest = bind__and(b, rest, v[i]);
            if (!rest) return bind__nomem(err);
        }
    }
    *having = rest;
    return MICE_OK;
}

bool bind__where_false(sql_expr *where)
{
    if (!where) return false;
    sql_expr *v[256];
    uint32_t n = 0;
    bind__split_conjuncts(where, v, &n, 256);
    for (uint32_t i = 0; i < n; i++)
        if (bind__const_false(v[i])) return true;
    return false;
}

mice_status bind__empty_input(bind_ctx *b, plan_node **p, sql_error *err)
{
    plan_node *old = *p;
    plan_node *e = plan_new(b->arena, PLAN_VALUES, old->n_cols);
    if (!e) return bind__nomem(err);
    memcpy(e->col_names, old->col_names, sizeof(char *) * old->n_cols);
    memcpy(e->col_types, old->col_types, sizeof(sql_type) * old->n_cols);
    e->n_rows = 0;
    e->est_rows = 0;
    *p = e;
    return MICE_OK;
}
