/* bind_joinorder.c - the order of a query's inner joins (see bind_int.h).
 *
 * The binder joins FROM items left to right, and push-down leaves each conjunct at the
 * lowest join that has its columns. When two neighbours share no equality, that join is a
 * cross product, and over many tables (sqllogictest's select5 joins up to 64) the
 * intermediate results explode although every table is connected to another by an
 * equality. Without statistics, the rule here is: when the written order has such a cross
 * product and another order avoids it, start from the item with the most selective filter
 * and repeatedly add a not yet joined item that an equality connects to the joined ones
 * (the most selective first), so that every step can be a hash join; an item that nothing
 * connects comes last. A written order with no cross product is kept as it is.
 *
 * The tree of inner joins is flattened into its items (anything that is not an inner join:
 * scans, subqueries, LEFT JOINs) and the conjuncts of its join nodes, rebuilt left-deep in
 * the new order with each conjunct at the first join that has all its items, and topped by
 * a projection that puts the columns back in their written order, so that nothing above
 * (targets, GROUP BY, ORDER BY) sees a difference. */
#include <string.h>

#include "base/check.h"
#include "sql/bind_int.h"

enum { JO_ITEMS_MAX = 64, JO_CONJUNCTS_MAX = 1024 };

typedef struct jo_item {
    plan_node *p;
    uint32_t off; /* first column in the written row */
    double est;
} jo_item;

typedef struct jo_conj {
    sql_expr *e;
    uint32_t off;      /* e is over the row of a join starting at this written column */
    uint64_t items;    /* the items it uses */
    uint64_t lhs, rhs; /* for an equality: the items of each side */
    bool hashable;     /* an equality whose sides could be hash keys */
} jo_conj;

typedef struct jo_state {
    jo_item items[JO_ITEMS_MAX];
    uint32_t n_items;
    jo_conj conj[JO_CONJUNCTS_MAX];
    uint32_t n_conj;
    uint32_t n_cols;
} jo_state;

/* Items and conjuncts of the inner joins under p; false when there are too many. Nothing
 * is changed yet. */
static bool flatten(jo_state *st, plan_node *p, uint32_t off)
{
    if (p->kind != PLAN_JOIN || p->join_type != PLAN_JOIN_INNER) {
        if (st->n_items == JO_ITEMS_MAX) return false;
        st->items[st->n_items++] = (jo_item){.p = p, .off = off};
        return true;
    }
    if (!flatten(st, p->child, off) || !flatten(st, p->right, off + p->child->n_cols)) return false;
    if (!p->filter) return true;
    sql_expr *v[JO_CONJUNCTS_MAX];
    uint32_t n = 0;
    bind__split_conjuncts(p->filter, v, &n, JO_CONJUNCTS_MAX);
    if (n == JO_CONJUNCTS_MAX || st->n_conj + n > JO_CONJUNCTS_MAX) return false;
    for (uint32_t i = 0; i < n; i++)
        st->conj[st->n_conj++] = (jo_conj){.e = v[i], .off = off};
    return true;
}

/* The items whose columns e (over a row starting at written column off) uses. */
static uint64_t items_of(const jo_state *st, const sql_expr *e, uint32_t off)
{
    uint8_t used[st->n_cols ? st->n_cols : 1];
    memset(used, 0, sizeof used);
    bind__refs_used(e, used, st->n_cols - off);
    uint64_t set = 0;
    for (uint32_t i = 0; i < st->n_items; i++) {
        const jo_item *it = &st->items[i];
        for (uint32_t c = it->off; c < it->off + it->p->n_cols; c++)
            if (c >= off && used[c - off]) {
                set |= 1ull << i;
                break;
            }
    }
    return set;
}

/* A guess at an item's rows from its filter: equality to a value is very selective. */
static double item_estimate(const plan_node *p)
{
    if (p->kind != PLAN_SCAN && p->kind != PLAN_FILTER) return p->est_rows > 0 ? p->est_rows : 1000;
    double est = 1000;
    sql_expr *v[256];
    uint32_t n = 0;
    if (p->filter) bind__split_conjuncts(p->filter, v, &n, 256);
    for (uint32_t i = 0; i < n; i++) {
        const sql_expr *e = v[i];
        bool col_eq = e->kind == EXPR_CMP && e->op == EXPR_EQ &&
                      (e->args[0]->kind == EXPR_COL || e->args[1]->kind == EXPR_COL);
        est *= col_eq ? 0.01 : e->kind == EXPR_IN_LIST ? 0.05 : 0.5;
    }
    return est;
}

static bool connects(const jo_conj *c, uint64_t joined, uint32_t item)
{
    uint64_t bit = 1ull << item;
    if (!c->hashable) return false;
    return (c->lhs == bit && c->rhs && (c->rhs & ~joined) == 0) ||
           (c->rhs == bit && c->lhs && (c->lhs & ~joined) == 0);
}

static bool connected(const jo_state *st, uint64_t joined, uint32_t item)
{
    for (uint32_t k = 0; k < st->n_conj; k++)
        if (connects(&st->conj[k], joined, item)) return true;
    return false;
}

/* The greedy order; false when the written one has no cross product (keep it). */
static bool choose_order(const jo_state *st, uint32_t *order)
{
    bool written_ok = true;
    uint64_t joined = 1;
    for (uint32_t i = 1; i < st->n_items && written_ok; i++) {
        written_ok = connected(st, joined, i);
        joined |= 1ull << i;
    }
    if (written_ok) return false;
    uint32_t first = 0;
    for (uint32_t i = 1; i < st->n_items; i++)
        if (st->items[i].est < st->items[first].est) first = i;
    order[0] = first;
    joined = 1ull << first;
    for (uint32_t k = 1; k < st->n_items; k++) {
        int32_t best = -1;
        bool best_conn = false;
        for (uint32_t i = 0; i < st->n_items; i++) {
            if (joined & (1ull << i)) continue;
            bool conn = connected(st, joined, i);
            if (best < 0 || (conn && !best_conn) ||
                (conn == best_conn && st->items[i].est < st->items[best].est)) {
                best = (int32_t)i;
                best_conn = conn;
            }
        }
        order[k] = (uint32_t)best;
        joined |= 1ull << best;
    }
    return true;
}

static plan_node *inner_join(bind_ctx *b, plan_node *l, plan_node *r)
{
    plan_node *j = plan_new(b->arena, PLAN_JOIN, l->n_cols + r->n_cols);
    if (!j) return NULL;
    memcpy(j->col_names, l->col_names, sizeof(char *) * l->n_cols);
    memcpy(j->col_names + l->n_cols, r->col_names, sizeof(char *) * r->n_cols);
    memcpy(j->col_types, l->col_types, sizeof(sql_type) * l->n_cols);
    memcpy(j->col_types + l->n_cols, r->col_types, sizeof(sql_type) * r->n_cols);
    j->child = l;
    j->right = r;
    j->join_type = PLAN_JOIN_INNER;
    j->est_rows = l->est_rows * (r->est_rows > 1 ? r->est_rows / 10 : 1);
    j->cost_total = l->cost_total + r->cost_total + j->est_rows;
    return j;
}

static mice_status rebuild(bind_ctx *b, jo_state *st, const uint32_t *order, plan_node *top,
                           plan_node **out, sql_error *err)
{
    int32_t *map = ARENA_NEW_ARRAY(b->arena, int32_t, st->n_cols ? st->n_cols : 1);
    if (!map) return bind__nomem(err);
    uint32_t pos = 0;
    for (uint32_t k = 0; k < st->n_items; k++) {
        jo_item *it = &st->items[order[k]];
        for (uint32_t c = 0; c < it->p->n_cols; c++)
            map[it->off + c] = (int32_t)(pos + c);
        pos += it->p->n_cols;
    }
    mice_assert(pos == st->n_cols);
    plan_node *acc = st->items[order[0]].p;
    uint64_t joined = 1ull << order[0];
    bool placed[JO_CONJUNCTS_MAX] = {0};
    for (uint32_t k = 1; k < st->n_items; k++) {
        acc = inner_join(b, acc, st->items[order[k]].p);
        if (!acc) return bind__nomem(err);
        joined |= 1ull << order[k];
        for (uint32_t i = 0; i < st->n_conj; i++) {
            jo_conj *c = &st->conj[i];
            if (placed[i] || (c->items & ~joined)) continue;
            mice_status rc = c->off ? bind__refs_shift(b, c->e, (int32_t)c->off, err) : MICE_OK;
            if (!rc) rc = bind__refs_remap(b, c->e, map, st->n_cols, err);
            if (rc) return rc;
            acc->filter = bind__and(b, acc->filter, c->e);
            if (!acc->filter) return bind__nomem(err);
            placed[i] = true;
        }
    }
    /* the written column order on top */
    plan_node *p = plan_new(b->arena, PLAN_PROJECT, st->n_cols);
    if (!p) return bind__nomem(err);
    p->exprs = ARENA_NEW_ARRAY(b->arena, sql_expr *, st->n_cols ? st->n_cols : 1);
    if (!p->exprs) return bind__nomem(err);
    for (uint32_t c = 0; c < st->n_cols; c++) {
        p->col_names[c] = top->col_names[c];
        p->col_types[c] = top->col_types[c];
        p->exprs[c] = expr_col(b->arena, map[c], top->col_types[c], top->col_names[c]);
        if (!p->exprs[c]) return bind__nomem(err);
    }
    p->child = acc;
    p->est_rows = acc->est_rows;
    p->cost_total = acc->cost_total;
    *out = p;
    return MICE_OK;
}

mice_status bind__order_joins(bind_ctx *b, plan_node **pp, sql_error *err)
{
    plan_node *top = *pp;
    if (top->kind != PLAN_JOIN || top->join_type != PLAN_JOIN_INNER) return MICE_OK;
    jo_state *st = ARENA_NEW(b->arena, jo_state);
    if (!st) return bind__nomem(err);
    st->n_cols = top->n_cols;
    if (!flatten(st, top, 0) || st->n_items < 3) return MICE_OK;
    for (uint32_t i = 0; i < st->n_items; i++)
        st->items[i].est = item_estimate(st->items[i].p);
    for (uint32_t i = 0; i < st->n_conj; i++) {
        jo_conj *c = &st->conj[i];
        c->items = items_of(st, c->e, c->off);
        if (c->e->kind == EXPR_CMP && c->e->op == EXPR_EQ) {
            c->lhs = items_of(st, c->e->args[0], c->off);
            c->rhs = items_of(st, c->e->args[1], c->off);
            c->hashable = (c->lhs & c->rhs) == 0 &&
                          bind__hashable_pair(c->e->args[0]->type.id, c->e->args[1]->type.id) &&
                          !expr_has_outer(c->e, 1);
        }
    }
    uint32_t order[JO_ITEMS_MAX];
    if (!choose_order(st, order)) return MICE_OK;
    return rebuild(b, st, order, top, pp, err);
}
