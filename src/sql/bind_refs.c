/* bind_refs.c - references to an operator's input row, seen through subqueries.
 *
 * An expression refers to its operator's input row with EXPR_COL, and a subquery inside it
 * refers to the same row with EXPR_OUTER at level 1 (level 2 from a subquery nested in that
 * one, and so on). When the binder moves an expression to another operator (push-down below
 * a join, a reordered join, an aggregate's output) both kinds of references must move
 * together, so these helpers walk into subquery plans, every expression slot of every
 * node. Plans share expression subtrees (a span's value is also part of the scan's Index
 * Cond), so a walk visits each node of a subquery's plan once. */
#include <string.h>

#include "sql/bind_int.h"

typedef struct ref_walk ref_walk;
/* Called on every reference to the walked row; *index is its column. */
typedef void (*ref_fn)(ref_walk *w, sql_expr *ref);

struct ref_walk {
    ref_fn fn;
    const int32_t *map; /* remap: new index of old column i (n_map of them) */
    uint32_t n_map;
    int32_t delta; /* shift */
    uint8_t *used; /* columns used (n_used of them) */
    uint32_t n_used;
    /* visited nodes: open addressing on the pointer, grown in the arena */
    mice_arena *arena;
    const void **seen;
    uint32_t n_seen, cap_seen;
    bool oom;
};

static uint32_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (uint32_t)x;
}

/* true the first time p is seen */
static bool first_visit(ref_walk *w, const void *p)
{
    if (!w->arena) return true; /* no dedup needed (read-only walks) */
    if (w->n_seen * 2 >= w->cap_seen) {
        uint32_t nc = w->cap_seen ? w->cap_seen * 2 : 64;
        const void **ns = arena_zalloc(w->arena, sizeof(void *) * nc);
        if (!ns) {
            w->oom = true;
            return false;
        }
        for (uint32_t i = 0; i < w->cap_seen; i++) {
            if (!w->seen[i]) continue;
            uint32_t h = ptr_hash(w->seen[i]) & (nc - 1);
            while (ns[h])
                h = (h + 1) & (nc - 1);
            ns[h] = w->seen[i];
        }
        w->seen = ns;
        w->cap_seen = nc;
    }
    uint32_t h = ptr_hash(p) & (w->cap_seen - 1);
    while (w->seen[h]) {
        if (w->seen[h] == p) return false;
        h = (h + 1) & (w->cap_seen - 1);
    }
    w->seen[h] = p;
    w->n_seen++;
    return true;
}

static void walk_plan(ref_walk *w, plan_node *p, int32_t depth);

static void walk_expr(ref_walk *w, sql_expr *e, int32_t depth)
{
    /* sharing happens inside plans (spans and Index Cond); a tree outside one has none, so
     * a walk that never enters a subquery allocates nothing */
    if (!e || (depth > 0 && !first_visit(w, e))) return;
    if ((depth == 0 && e->kind == EXPR_COL) ||
        (depth > 0 && e->kind == EXPR_OUTER && e->level == depth))
        w->fn(w, e);
    for (uint32_t i = 0; i < e->n_args; i++)
        walk_expr(w, e->args[i], depth);
    if (e->kind == EXPR_SUBQUERY && e->plan) walk_plan(w, e->plan, depth + 1);
}

static void walk_list(ref_walk *w, sql_expr **v, uint32_t n, int32_t depth)
{
    if (!v) return;
    for (uint32_t i = 0; i < n; i++)
        walk_expr(w, v[i], depth);
}

static void walk_plan(ref_walk *w, plan_node *p, int32_t depth)
{
    if (!p || !first_visit(w, p)) return;
    if (p->rows)
        for (uint32_t r = 0; r < p->n_rows; r++)
            if (p->rows[r]) walk_list(w, p->rows[r], p->n_cols, depth);
    for (uint32_t s = 0; p->spans && s < p->n_spans; s++) {
        walk_list(w, p->spans[s].eq, p->spans[s].n_eq, depth);
        walk_expr(w, p->spans[s].lo, depth);
        walk_expr(w, p->spans[s].hi, depth);
    }
    walk_expr(w, p->index_cond, depth);
    walk_expr(w, p->filter, depth);
    if (p->kind == PLAN_PROJECT) walk_list(w, p->exprs, p->n_cols, depth);
    walk_expr(w, p->limit, depth);
    walk_expr(w, p->offset, depth);
    walk_list(w, p->group, p->n_group, depth);
    for (uint32_t i = 0; p->aggs && i < p->n_aggs; i++) {
        walk_expr(w, p->aggs[i].arg, depth);
        walk_expr(w, p->aggs[i].arg2, depth);
        walk_expr(w, p->aggs[i].filter, depth);
        walk_list(w, p->aggs[i].order, p->aggs[i].n_order, depth);
    }
    walk_list(w, p->left_keys, p->n_hash_keys, depth);
    walk_list(w, p->right_keys, p->n_hash_keys, depth);
    walk_list(w, p->func_args, p->n_func_args, depth);
    if (p->win) {
        walk_list(w, p->win->part, p->win->n_part, depth);
        walk_list(w, p->win->order, p->win->n_order, depth);
        for (uint32_t i = 0; i < p->win->n_funcs; i++) {
            walk_list(w, p->win->funcs[i].args, p->win->funcs[i].n_args, depth);
            walk_expr(w, p->win->funcs[i].filter, depth);
        }
    }
    walk_plan(w, p->rec_term, depth);
    for (uint32_t i = 0; p->srfs && i < p->n_srfs; i++)
        walk_list(w, p->srfs[i].args, p->srfs[i].n_args, depth);
    for (uint32_t i = 0; p->children && i < p->n_children; i++)
        walk_plan(w, p->children[i], depth);
    walk_plan(w, p->child, depth);
    walk_plan(w, p->right, depth);
}

static void ref_remap(ref_walk *w, sql_expr *ref)
{
    if (w->map) {
        if (ref->index >= 0 && (uint32_t)ref->index < w->n_map) ref->index = w->map[ref->index];
    } else {
        ref->index += w->delta;
    }
}

static void ref_mark(ref_walk *w, sql_expr *ref)
{
    if (ref->index >= 0 && (uint32_t)ref->index < w->n_used) w->used[ref->index] = 1;
}

mice_status bind__refs_shift(bind_ctx *b, sql_expr *e, int32_t delta, sql_error *err)
{
    ref_walk w = {.fn = ref_remap, .delta = delta, .arena = b->arena};
    walk_expr(&w, e, 0);
    return w.oom ? bind__nomem(err) : MICE_OK;
}

mice_status bind__refs_remap(bind_ctx *b, sql_expr *e, const int32_t *map, uint32_t n_map,
                             sql_error *err)
{
    ref_walk w = {.fn = ref_remap, .map = map, .n_map = n_map, .arena = b->arena};
    walk_expr(&w, e, 0);
    return w.oom ? bind__nomem(err) : MICE_OK;
}

void bind__refs_used(const sql_expr *e, uint8_t *used, uint32_t n_cols)
{
    ref_walk w = {.fn = ref_mark, .used = used, .n_used = n_cols};
    walk_expr(&w, (sql_expr *)e, 0);
}

/* --- outer references of a grouped query -------------------------------------------------- */

typedef struct group_map {
    ref_walk w;
    sql_expr **group;
    uint32_t n_group;
    const sql_expr *bad; /* an ungrouped column */
} group_map;

static void ref_to_group(ref_walk *w, sql_expr *ref)
{
    group_map *g = (group_map *)w;
    for (uint32_t i = 0; i < g->n_group; i++) {
        const sql_expr *k = g->group[i];
        if (k->kind == EXPR_COL && k->index == ref->index) {
            ref->index = (int32_t)i;
            return;
        }
    }
    if (!g->bad) g->bad = ref;
}

mice_status bind__refs_over_group(bind_ctx *b, sql_expr *sub, sql_expr **group, uint32_t n_group,
                                  sql_error *err)
{
    group_map g = {
        .w = {.fn = ref_to_group, .arena = b->arena}, .group = group, .n_group = n_group};
    /* only the references inside the subquery's plan: its test expression (args) is
     * rewritten by the caller like any other expression over the input row */
    walk_plan(&g.w, sub->plan, 1);
    if (g.w.oom) return bind__nomem(err);
    if (g.bad)
        return bind__err(err, SQLSTATE_GROUPING_ERROR, g.bad->loc,
                         "subquery uses ungrouped column \"%s\" from outer query",
                         g.bad->qual_name ? g.bad->qual_name : g.bad->name);
    return MICE_OK;
}
