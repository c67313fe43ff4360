/* bind_int.h - the binder's internals shared by bind*.c (not a public contract). */
#ifndef MICE_SQL_BIND_INT_H
#define MICE_SQL_BIND_INT_H

#include "sql/bind.h"

typedef struct bind_rel {
    const char *name; /* alias or table name; NULL: unnamed */
    const catalog_desc *table;
    uint32_t offset, n_cols;
    const char **col_names;
    sql_type *col_types;
    bool *hidden;
    bool nullable; /* right side of a LEFT JOIN */
    bool *merged;  /* JOIN USING: this copy of the column is not visible unqualified */
} bind_rel;

typedef struct bind_aggs {
    plan_agg *v;
    uint32_t n, cap;
    /* GROUPING(...) calls (AST), bound as EXPR_AGG_REF with op 1 and their index here */
    const ast_node **gfuncs;
    uint32_t n_gfuncs, cap_gfuncs;
} bind_aggs;

/* The windows and window functions of one SELECT (bind_window.c). */
typedef struct bind_wins {
    const ast_list *defs; /* the WINDOW clause (AST_WINDOW_DEF with names) */
    plan_window *w;       /* distinct windows; their funcs collected in f (by win) */
    uint32_t n_w, cap_w;
    plan_wfunc *f;
    uint32_t *f_win; /* window of each function */
    uint32_t n_f, cap_f;
} bind_wins;

typedef struct bind_scope bind_scope;
struct bind_scope {
    bind_rel *rels;
    uint32_t n_rels, cap;
    uint32_t n_cols;
    bind_scope *parent;
    bool has_outer;  /* something here referenced an enclosing scope */
    bind_aggs *aggs; /* non-NULL: aggregates allowed (collected here) */
    bind_wins *wins; /* non-NULL: window functions allowed (collected here) */
};

mice_status bind__err(sql_error *err, const char *state, int32_t loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
mice_status bind__nomem(sql_error *err);

mice_status bind__expr(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                       sql_error *err);
/* Bind and coerce to bool (WHERE, HAVING, ON). */
mice_status bind__cond(bind_ctx *b, bind_scope *s, const ast_node *n, const char *what,
                       sql_expr **out, sql_error *err);
/* Coerce e to t in context ctxk; for assignment errors, colname names the column. */
mice_status bind__coerce(bind_ctx *b, sql_expr **e, sql_type t, sql_cast_context ctxk,
                         const char *colname, sql_error *err);
/* The common type of n expressions (CASE, COALESCE, IN, UNION); 42804 when none. */
mice_status bind__common_type(bind_ctx *b, sql_expr **v, uint32_t n, const char *what,
                              sql_type *out, sql_error *err);
mice_status bind__fold(bind_ctx *b, sql_expr **e, sql_error *err);
/* PostgreSQL's simplifications of one node whose arguments are simplified already
 * (bind_simplify.c); bind__fold calls it first. */
mice_status bind__simplify(bind_ctx *b, sql_expr **e, sql_error *err);
/* A WHERE, ON or HAVING condition, where NULL is as good as FALSE, simplified as
 * PostgreSQL's canonicalize_qual does (after binding it). */
mice_status bind__canon_qual(bind_ctx *b, sql_expr **cond, sql_error *err);
/* e is the constant FALSE or NULL (a WHERE conjunct that lets no row through). */
bool bind__const_false(const sql_expr *e);
/* PostgreSQL evaluates HAVING conjuncts without aggregates, subqueries or volatile
 * functions before grouping: with GROUP BY (grouped) they leave *having for *where; without,
 * a constant FALSE/NULL one is copied there (and stays). *where: NULL or their AND. */
mice_status bind__having_to_where(bind_ctx *b, sql_expr **having, bool grouped, sql_expr **where,
                                  sql_error *err);
/* A WHERE with a constant FALSE/NULL conjunct: nothing below it is evaluated. */
bool bind__where_false(sql_expr *where);
/* Replace *p by an input with the same columns and no rows. */
mice_status bind__empty_input(bind_ctx *b, plan_node **p, sql_error *err);
bool bind__expr_equal(const sql_expr *a, const sql_expr *b);
/* Add a relation's columns to the scope. */
mice_status bind__scope_add(bind_ctx *b, bind_scope *s, const char *name, const catalog_desc *t,
                            uint32_t n_cols, const char **names, const sql_type *types,
                            const bool *hidden);
mice_status bind__scope_add_table(bind_ctx *b, bind_scope *s, const char *name,
                                  const catalog_desc *t);

/* A SELECT (any form) as a plan; outer is the enclosing scope for correlation. */
mice_status bind__select(bind_ctx *b, bind_scope *outer, const ast_node *n, plan_node **out,
                         bool *correlated, sql_error *err);
mice_status bind__resolve_table(bind_ctx *b, const ast_node *rv, catalog_desc **out,
                                sql_error *err);
mice_status bind__table_layout(bind_ctx *b, plan_node *p, const catalog_desc *d, sql_error *err);
/* Push conjuncts of cond into p (scans, join sides); returns the new root. */
mice_status bind__push_filter(bind_ctx *b, plan_node **p, sql_expr *cond, sql_error *err);
/* References to the input row in e, including those from inside its subqueries (EXPR_OUTER
 * at the matching level), as bind_refs.c explains: add delta to each (in place); map old
 * column i to map[i]; mark the columns used. */
mice_status bind__refs_shift(bind_ctx *b, sql_expr *e, int32_t delta, sql_error *err);
mice_status bind__refs_remap(bind_ctx *b, sql_expr *e, const int32_t *map, uint32_t n_map,
                             sql_error *err);
void bind__refs_used(const sql_expr *e, uint8_t *used, uint32_t n_cols);
/* A correlated subquery evaluated above an aggregation: its references to the input row
 * become references to the group keys (42803 for a column that is not one). */
mice_status bind__refs_over_group(bind_ctx *b, sql_expr *sub, sql_expr **group, uint32_t n_group,
                                  sql_error *err);
void bind__split_conjuncts(sql_expr *e, sql_expr **v, uint32_t *n, uint32_t cap);
sql_expr *bind__and(bind_ctx *b, sql_expr *a, sql_expr *c);
/* Cross-join the FROM items to *p (UPDATE ... FROM, DELETE ... USING). */
mice_status bind__join_from(bind_ctx *b, bind_scope *s, const ast_list *from, plan_node **p,
                            sql_error *err);
/* Reorder a tree of three or more inner joins whose written order has a cross product that
 * equalities could avoid (bind_joinorder.c); the written column order is kept. Call after
 * push-down and before bind__choose_indexes. */
mice_status bind__order_joins(bind_ctx *b, plan_node **p, sql_error *err);
/* Sort the conditions of every filter in p (scans, joins, Filter nodes) by PostgreSQL's
 * cost estimate, stably (bind_quals.c); call when p is complete. */
void bind__order_quals(bind_ctx *b, plan_node *p);
/* That estimate for one condition, in operator calls. */
double bind__qual_cost(const sql_expr *e);
/* Whether an equality between these types can be a hash join key. */
bool bind__hashable_pair(sql_type_id a, sql_type_id c);
/* Choose key spans for every scan below p. */
void bind__choose_indexes(bind_ctx *b, plan_node *p);
mice_status bind__dml(bind_ctx *b, const ast_node *n, plan_node **out, sql_error *err);
mice_status bind__targets_star(bind_ctx *b, bind_scope *s, const ast_list *targets,
                               sql_expr ***exprs, const char ***names, uint32_t *n, sql_error *err);
/* generate_series(...) (bind_srf.c): is n such a call; its Function Scan (arguments bound
 * without the sibling FROM items); a FROM item (AST_RANGE_FUNC) added to s. */
bool bind__is_srf(const ast_node *n);
/* json, jsonb and arrays of them have no equality or ordering (no btree/hash opclass). */
static inline bool bind__no_opclass(sql_type_id t)
{
    sql_type_id e = sql_type_elem(t);
    return t == SQL_TYPE_JSON || t == SQL_TYPE_JSONB || e == SQL_TYPE_JSON || e == SQL_TYPE_JSONB;
}
/* A set-returning select-list item for a ProjectSet: its arguments bound in s (they may use
 * the FROM items' columns) and its result type. */
mice_status bind__srf_item(bind_ctx *b, bind_scope *s, const ast_node *call, plan_srf *out,
                           sql_type *type, sql_error *err);
/* bind_vtab.c: a pg_catalog / information_schema relation in FROM; a JOIN whose right side
 * is a simple LATERAL (SELECT exprs) over left (its relations start at first_rel). */
mice_status bind__vtab_scan(bind_ctx *b, bind_scope *s, const ast_node *n, const catalog_desc *d,
                            plan_node **out, sql_error *err);
mice_status bind__lateral_join(bind_ctx *b, bind_scope *s, const ast_node *n, uint32_t first_rel,
                               plan_node *left, plan_node **out, sql_error *err);
/* bind_array.c: x op ANY/ALL (array), ARRAY[...], subscripts, casts to and from the reg
 * types, array || array. */
mice_status bind__any_all(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                          sql_error *err);
mice_status bind__array_ctor(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                             sql_error *err);
mice_status bind__indirection(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                              sql_error *err);
/* A cast from or to a reg type that needs the catalog (names); *done false when e to t is
 * an ordinary cast. */
mice_status bind__reg_cast(bind_ctx *b, sql_expr **e, sql_type t, bool *done, sql_error *err);
/* array || array / element: *done false when neither side is an array. */
/* array @> array, <@ and && (PostgreSQL's array containment and overlap): *done false when
 * op is none of them or neither side is an array. */
mice_status bind__array_contain(bind_ctx *b, const char *op, sql_expr *l, sql_expr *r, int32_t loc,
                                sql_expr **out, bool *done, sql_error *err);
mice_status bind__array_concat(bind_ctx *b, sql_expr *l, sql_expr *r, int32_t loc, sql_expr **out,
                               bool *done, sql_error *err);
mice_status bind__srf_scan(bind_ctx *b, bind_scope *s, const ast_node *call, plan_node **out,
                           sql_error *err);
mice_status bind__range_func(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                             sql_error *err);

/* bind_window.c: a function call with OVER (or a window-only function without it) as an
 * EXPR_WIN_REF collected in s->wins; the WINDOW clause's names checked; window nodes over
 * *p for the collected functions (grouped: their expressions rewritten over the
 * aggregation by over_agg first), and every EXPR_WIN_REF in v[0..n) replaced by the
 * column holding its result. */
bool bind__is_window_only(const char *name);
mice_status bind__window_func(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                              sql_error *err);
mice_status bind__window_defs(bind_ctx *b, const ast_list *defs, sql_error *err);
typedef mice_status (*bind_over_agg_fn)(bind_ctx *b, const void *g, sql_expr **ep, sql_error *err);
mice_status bind__window_nodes(bind_ctx *b, bind_wins *w, bind_over_agg_fn over, const void *g,
                               plan_node **p, sql_expr **v, uint32_t n, sql_error *err);

#endif
