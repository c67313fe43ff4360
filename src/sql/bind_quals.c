/* bind_quals.c - the order in which a filter evaluates its conditions (see bind_int.h).
 *
 * A filter (a scan's residual, a join's, a Filter node's) is a list of conditions that
 * stops at the first one that is not true (expr_qual_true), so the order decides which
 * conditions see which rows, and whether '1/x > 0' meets x = 0. PostgreSQL sorts a
 * node's conditions by their estimated per-row cost, keeping the written order among
 * equal costs (order_qual_clauses over cost_qual_eval); MiceDB does the same with the same
 * cost model, in units of one operator call: every operator, function, NULLIF, IS
 * DISTINCT FROM, GREATEST/LEAST and non-trivial cast costs 1 (a cast through text 2); an
 * IN list of n constants costs n/2; columns, constants, AND/OR/NOT, CASE, COALESCE and IS
 * tests cost nothing themselves; a subquery costs more than any expression. Unary plus,
 * which the binder drops, still counts (sql_expr.pg_hidden_ops).
 *
 * Before sorting, a scan's or join's equalities ('x = y', 'x = 5') go after its other
 * conditions: PostgreSQL turns them into equivalence classes and generates them again
 * once all other conditions are placed. A Filter above an aggregation (HAVING) keeps the
 * written order. */
#include <string.h>

#include "sql/bind_int.h"

enum { QUALS_MAX = 256 };
static const double subquery_cost = 1e6;

static double cast_cost(const sql_expr *e)
{
    sql_type_id from = e->args[0]->type.id, to = e->type.id;
    if (from == to) return 0;
    if (sql_type_is_string(from) && sql_type_is_string(to)) return 0;
    if (sql_type_is_string(from) || sql_type_is_string(to)) return 2;
    return 1;
}

static double cost_of(const sql_expr *e);

static double args_cost(const sql_expr *e, uint32_t from)
{
    double c = 0;
    for (uint32_t i = from; i < e->n_args; i++)
        c += cost_of(e->args[i]);
    return c;
}

/* CASE x WHEN v ...: PostgreSQL evaluates x once; the binder copied it into each WHEN. */
static double case_cost(const sql_expr *e)
{
    uint32_t pairs = (e->n_args - (e->has_else ? 1 : 0)) / 2;
    const sql_expr *first = NULL;
    double c = 0;
    for (uint32_t i = 0; i < pairs; i++) {
        const sql_expr *cond = e->args[2 * i];
        bool copy = cond->kind == EXPR_CMP && cond->op == EXPR_EQ && first &&
                    bind__expr_equal(cond->args[0], first);
        if (!first && cond->kind == EXPR_CMP && cond->op == EXPR_EQ) first = cond->args[0];
        c += copy ? 1 + cost_of(cond->args[1]) + cond->pg_hidden_ops : cost_of(cond);
        c += cost_of(e->args[2 * i + 1]);
    }
    if (e->has_else) c += cost_of(e->args[e->n_args - 1]);
    return c;
}

static double cost_of(const sql_expr *e)
{
    double own = e->pg_hidden_ops;
    switch (e->kind) {
    case EXPR_FUNC:
    case EXPR_CMP:
    case EXPR_ARITH:
    case EXPR_NEG:
    case EXPR_DISTINCT:
    case EXPR_NULLIF:
    case EXPR_MINMAX:
    case EXPR_NEXTVAL:
        own += 1;
        break;
    case EXPR_CAST:
        own += cast_cost(e);
        break;
    case EXPR_IN_LIST:
        own += 0.5 * (e->n_args - 1);
        break;
    case EXPR_SUBQUERY:
        own += subquery_cost;
        break;
    case EXPR_CASE:
        return own + case_cost(e);
    default:
        break;
    }
    return own + args_cost(e, 0);
}

double bind__qual_cost(const sql_expr *e)
{
    return cost_of(e);
}

static bool has_volatile(const sql_expr *e)
{
    if (e->kind == EXPR_NEXTVAL) return true;
    if (e->kind == EXPR_FUNC && e->fm->desc->volatility == FUNC_VOLATILE) return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (has_volatile(e->args[i])) return true;
    return false;
}

static bool equivalence(const sql_expr *e)
{
    return e->kind == EXPR_CMP && e->op == EXPR_EQ && !has_volatile(e);
}

static sql_expr *ordered(bind_ctx *b, sql_expr *filter, bool classes)
{
    if (!filter || filter->kind != EXPR_AND) return filter;
    sql_expr *v[QUALS_MAX], *eq[QUALS_MAX];
    double cost[QUALS_MAX];
    uint32_t n = 0;
    bind__split_conjuncts(filter, v, &n, QUALS_MAX);
    if (n == QUALS_MAX) return filter; /* too many to sort here: keep the written order */
    if (classes) {
        uint32_t k = 0, n_eq = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (equivalence(v[i]))
                eq[n_eq++] = v[i];
            else
                v[k++] = v[i];
        }
        memcpy(v + k, eq, sizeof(sql_expr *) * n_eq);
    }
    for (uint32_t i = 0; i < n; i++)
        cost[i] = cost_of(v[i]);
    for (uint32_t i = 1; i < n; i++) { /* insertion sort: stable, as PostgreSQL's */
        sql_expr *x = v[i];
        double cx = cost[i];
        uint32_t j = i;
        for (; j > 0 && cost[j - 1] > cx; j--) {
            v[j] = v[j - 1];
            cost[j] = cost[j - 1];
        }
        v[j] = x;
        cost[j] = cx;
    }
    sql_expr *out = NULL;
    for (uint32_t i = 0; i < n; i++)
        if (!(out = bind__and(b, out, v[i]))) return filter; /* over budget: unsorted is right */
    return out;
}

void bind__order_quals(bind_ctx *b, plan_node *p)
{
    if (!p) return;
    if (p->kind == PLAN_SCAN || p->kind == PLAN_JOIN) p->filter = ordered(b, p->filter, true);
    if (p->kind == PLAN_FILTER)
        p->filter = ordered(b, p->filter, !p->child || p->child->kind != PLAN_AGG);
    bind__order_quals(b, p->child);
    bind__order_quals(b, p->right);
    for (uint32_t i = 0; p->children && i < p->n_children; i++)
        bind__order_quals(b, p->children[i]);
}
