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
 *   - COALESCE drops NULL constants and everything after a non-NULL constant;
 *   - NULLIF with a NULL constant argument is its first argument.
 * bind__canon_qual then does what canonicalize_qual does to WHERE, ON and HAVING. The
 * WHERE clause then sees a constant FALSE or NULL conjunct where PostgreSQL does, and the
 * binder turns that into an empty input (PostgreSQL's "One-Time Filter: false").
 *
 * Folding a constant can fail (1/0). PostgreSQL's planner simplifies top-down, left to
 * right, and never looks at what a decided AND/OR, CASE or COALESCE skips, so
 * 'false AND 1/0 = a' is false but '1/0 = a AND false' fails. The binder folds bottom-up,
 * so a failed fold of a data exception (class 22) is kept as the node's fold_error and
 * handed up: a node inherits the first fold_error among the arguments PostgreSQL would
 * have simplified (all of them, but for those skipped), and bind__expr raises it when a
 * complete expression still has one. */
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
    k->fold_error = (*e)->fold_error;
    *e = k;
    return MICE_OK;
}

static const sql_error *first_fold_error(sql_expr *const *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (v[i]->fold_error) return v[i]->fold_error;
    return NULL;
}

/* *ep replaced e: it carries what simplifying e would have raised first. */
static void inherit(sql_expr *to, const sql_error *fe)
{
    if (fe) to->fold_error = fe;
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
    const sql_error *fe = NULL, *fe_dropped = NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (!fe) fe = v[i]->fold_error;
        if (is_const_null(v[i])) {
            have_null = true;
            if (!fe_dropped) fe_dropped = v[i]->fold_error;
            continue;
        }
        if (is_bool_const(v[i], !is_and)) { /* FALSE in AND, TRUE in OR decides */
            e->fold_error = fe;
            return make_const(b, ep, datum_bool(!is_and), err);
        }
        if (is_bool_const(v[i], is_and)) { /* TRUE in AND, FALSE in OR: no effect */
            if (!fe_dropped) fe_dropped = v[i]->fold_error;
            continue;
        }
        v[kept++] = v[i];
    }
    if (have_null) {
        sql_expr *k = expr_const(b->arena, datum_null(SQL_TYPE_BOOL), e->type);
        if (!k) return bind__nomem(err);
        v[kept++] = k;
    }
    /* what dropped constants would have raised stays with an argument, so that an AND/OR
     * this one is flattened into still sees it */
    if (fe_dropped && kept && !v[kept - 1]->fold_error) v[kept - 1]->fold_error = fe_dropped;
    e->fold_error = fe;
    if (kept == 0) return make_const(b, ep, datum_bool(is_and), err);
    if (kept == 1) {
        *ep = v[0];
        inherit(*ep, fe);
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
    bool changed = false, decided = false;
    const sql_error *fe = NULL;
    for (uint32_t i = 0; i < pairs; i++) {
        sql_expr *cond = e->args[2 * i], *res = e->args[2 * i + 1];
        if (!fe) fe = cond->fold_error;
        if (cond->kind == EXPR_CONST && (cond->value.is_null || !cond->value.v.b)) {
            changed = true; /* its result is never looked at */
            continue;
        }
        if (!fe) fe = res->fold_error;
        if (cond->kind == EXPR_CONST) { /* TRUE: this result is the answer from here on */
            dflt = res;
            changed = decided = true;
            break;
        }
        e->args[2 * kept] = cond;
        e->args[2 * kept + 1] = res;
        kept++;
    }
    if (!decided && dflt && !fe) fe = dflt->fold_error;
    e->fold_error = fe;
    if (!changed) return MICE_OK;
    if (kept == 0) {
        if (dflt) {
            *ep = dflt;
            inherit(*ep, fe);
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
    const sql_error *fe = NULL;
    for (uint32_t i = 0; i < e->n_args; i++) {
        sql_expr *a = e->args[i];
        if (!fe) fe = a->fold_error;
        if (is_const_null(a)) continue;
        e->args[kept++] = a;
        if (a->kind == EXPR_CONST) break; /* never NULL: the rest is never evaluated */
    }
    e->fold_error = fe;
    if (kept == 0) return make_null(b, ep, err);
    if (kept == 1) {
        *ep = e->args[0];
        inherit(*ep, fe);
        return MICE_OK;
    }
    e->n_args = kept;
    return MICE_OK;
}

mice_status bind__simplify(bind_ctx *b, sql_expr **ep, sql_error *err)
{
    sql_expr *e = *ep;
    if (e->kind != EXPR_AND && e->kind != EXPR_OR && e->kind != EXPR_CASE &&
        e->kind != EXPR_COALESCE)
        e->fold_error = first_fold_error(e->args, e->n_args);
    if (is_strict(e)) {
        for (uint32_t i = 0; i < e->n_args; i++)
            if (is_const_null(e->args[i])) return make_null(b, ep, err);
        return MICE_OK;
    }
    switch (e->kind) {
    case EXPR_IN_LIST:
        if (is_const_null(e->args[0])) return make_null(b, ep, err);
        return MICE_OK;
    case EXPR_NULLIF: /* a NULL argument is never equal: NULLIF is its first argument */
        if (is_const_null(e->args[0]) || is_const_null(e->args[1])) {
            const sql_error *fe = e->fold_error;
            *ep = e->args[0];
            inherit(*ep, fe);
        }
        return MICE_OK;
    case EXPR_AND:
    case EXPR_OR:
        return simplify_andor(b, ep, err);
    case EXPR_NOT: {
        *ep = e->args[0];
        mice_status rc = negate(b, ep, err);
        if (!rc) inherit(*ep, e->fold_error);
        return rc;
    }
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
    if (e->kind == EXPR_AGG_REF || e->kind == EXPR_WIN_REF || e->kind == EXPR_SUBQUERY ||
        e->kind == EXPR_NEXTVAL)
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

/* --- canonicalize_qual --------------------------------------------------------------- */

/* The arguments of an AND (OR) with those of nested ANDs (ORs) pulled up, into v. */
static void pull_up(sql_expr *const *args, uint32_t n, expr_kind k, sql_expr **v, uint32_t *nv)
{
    for (uint32_t i = 0; i < n; i++) {
        if (args[i]->kind == k)
            pull_up(args[i]->args, args[i]->n_args, k, v, nv);
        else
            v[(*nv)++] = args[i];
    }
}

static uint32_t pulled_count(sql_expr *const *args, uint32_t n, expr_kind k)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n; i++)
        c += args[i]->kind == k ? pulled_count(args[i]->args, args[i]->n_args, k) : 1;
    return c;
}

/* An AND or OR of n pulled-up arguments (the only one when n == 1). */
static mice_status make_bool(bind_ctx *b, expr_kind k, sql_expr *const *args, uint32_t n,
                             sql_expr **out, sql_error *err)
{
    uint32_t total = pulled_count(args, n, k);
    if (total == 1 && n == 1 && args[0]->kind != k) {
        *out = args[0];
        return MICE_OK;
    }
    sql_expr *e = expr_new(b->arena, k, sql_type_make(SQL_TYPE_BOOL, -1), total);
    if (!e) return bind__nomem(err);
    uint32_t nv = 0;
    pull_up(args, n, k, e->args, &nv);
    *out = e;
    return MICE_OK;
}

static bool member(const sql_expr *x, sql_expr *const *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (bind__expr_equal(x, v[i])) return true;
    return false;
}

/* The clauses an OR arm ANDs (one for an arm that is not an AND). */
static sql_expr *const *arm_clauses(sql_expr *const *arm, uint32_t *n)
{
    if ((*arm)->kind == EXPR_AND) {
        *n = (*arm)->n_args;
        return (*arm)->args;
    }
    *n = 1;
    return arm;
}

/* process_duplicate_ors: (A AND B) OR (A AND C) is A AND (B OR C); (A AND B) OR A is A. */
static mice_status duplicate_ors(bind_ctx *b, sql_expr **arms, uint32_t n, sql_expr **out,
                                 sql_error *err)
{
    if (n == 0) {
        *out = expr_const(b->arena, datum_bool(false), sql_type_make(SQL_TYPE_BOOL, -1));
        return *out ? MICE_OK : bind__nomem(err);
    }
    if (n == 1) {
        *out = arms[0];
        return MICE_OK;
    }
    /* the shortest AND is the reference; an arm that is no AND wins at once */
    sql_expr *const *ref = NULL;
    uint32_t n_ref = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (arms[i]->kind != EXPR_AND) {
            ref = &arms[i];
            n_ref = 1;
            break;
        }
        if (!ref || arms[i]->n_args < n_ref) {
            ref = arms[i]->args;
            n_ref = arms[i]->n_args;
        }
    }
    sql_expr **win = ARENA_NEW_ARRAY(b->arena, sql_expr *, n_ref + 1);
    if (!win) return bind__nomem(err);
    uint32_t n_win = 0;
    for (uint32_t r = 0; r < n_ref; r++) {
        if (member(ref[r], ref, r)) continue; /* duplicates in the reference count once */
        bool everywhere = true;
        for (uint32_t i = 0; i < n && everywhere; i++) {
            uint32_t nc;
            sql_expr *const *c = arm_clauses(&arms[i], &nc);
            everywhere = member(ref[r], c, nc);
        }
        if (everywhere) win[n_win++] = ref[r];
    }
    if (n_win == 0) return make_bool(b, EXPR_OR, arms, n, out, err);
    sql_expr **rest = ARENA_NEW_ARRAY(b->arena, sql_expr *, n);
    if (!rest) return bind__nomem(err);
    uint32_t n_rest = 0;
    bool degenerate = false;
    for (uint32_t i = 0; i < n && !degenerate; i++) {
        uint32_t nc, k = 0;
        sql_expr *const *c = arm_clauses(&arms[i], &nc);
        sql_expr **left = ARENA_NEW_ARRAY(b->arena, sql_expr *, nc);
        if (!left) return bind__nomem(err);
        for (uint32_t j = 0; j < nc; j++)
            if (!member(c[j], win, n_win)) left[k++] = c[j];
        if (k == 0) {
            degenerate = true; /* (A AND B) OR A: the other arms do not matter */
            break;
        }
        mice_status rc = make_bool(b, EXPR_AND, left, k, &rest[n_rest++], err);
        if (rc) return rc;
    }
    if (!degenerate) {
        mice_status rc = make_bool(b, EXPR_OR, rest, n_rest, &win[n_win], err);
        if (rc) return rc;
        n_win++;
    }
    return make_bool(b, EXPR_AND, win, n_win, out, err);
}

/* find_duplicate_ors over a WHERE, ON or HAVING condition: there an AND or OR above the
 * (pushed down) NOTs only decides whether a row passes, so NULL is as good as FALSE: an AND
 * with a NULL or FALSE constant is FALSE, an OR drops them; then duplicate OR arms and
 * clauses common to every arm are taken out, as PostgreSQL's canonicalize_qual does. */
mice_status bind__canon_qual(bind_ctx *b, sql_expr **ep, sql_error *err)
{
    sql_expr *e = *ep;
    if (e->kind != EXPR_AND && e->kind != EXPR_OR) return MICE_OK;
    bool is_and = e->kind == EXPR_AND;
    sql_expr **v = ARENA_NEW_ARRAY(b->arena, sql_expr *, e->n_args ? e->n_args : 1);
    if (!v) return bind__nomem(err);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < e->n_args; i++) {
        sql_expr *a = e->args[i];
        mice_status rc = bind__canon_qual(b, &a, err);
        if (rc) return rc;
        if (a->kind == EXPR_CONST && (a->value.is_null || !a->value.v.b)) {
            if (is_and) return make_const(b, ep, datum_bool(false), err);
            continue;
        }
        if (is_bool_const(a, true)) {
            if (!is_and) return make_const(b, ep, datum_bool(true), err);
            continue;
        }
        v[kept++] = a;
    }
    if (!is_and) {
        uint32_t total = pulled_count(v, kept, EXPR_OR), nv = 0;
        sql_expr **arms = ARENA_NEW_ARRAY(b->arena, sql_expr *, total ? total : 1);
        if (!arms) return bind__nomem(err);
        pull_up(v, kept, EXPR_OR, arms, &nv);
        return duplicate_ors(b, arms, nv, ep, err);
    }
    if (kept == 0) return make_const(b, ep, datum_bool(true), err);
    return make_bool(b, EXPR_AND, v, kept, ep, err);
}
