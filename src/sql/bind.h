/*
 * bind.h - the binder and planner: AST statements to typed, optimized plans.
 *
 * bind_statement resolves names through the catalog (tables with aliases, columns,
 * qualified names, *, the search_path), types every expression with PostgreSQL's rules
 * (unknown literals take the type of the other side, integer literals are int4/int8/
 * numeric, parameters take their type from context: `id = $1` makes $1 the column's type),
 * resolves functions and operators (func.h, datum.h) and builds the plan (plan.h) for
 * SELECT, INSERT, UPDATE and DELETE. Optimizations: constant folding; predicate push-down
 * into scans and below joins; equality joins as hash joins; index selection (equality
 * and range predicates on a prefix of the primary key or a secondary index become key
 * spans, IN lists several spans; an ORDER BY an index delivers drops the sort; LIMIT is
 * passed to the scan as a hint). The whole WHERE stays as the scan's residual filter
 * except what the spans guarantee, so a span is only ever a narrowing.
 *
 * Errors carry PostgreSQL's SQLSTATE, message and 1-based position: 42P01 relation does
 * not exist, 42703 column does not exist, 42702 ambiguous, 42883 operator/function does
 * not exist, 42804 datatype mismatch, 42803 grouping errors, 42601 syntax, 0A000 for
 * what is not supported yet.
 *
 * Owns: nothing; plans live in the arena. Thread safety: one statement, one thread.
 */
#ifndef MICE_SQL_BIND_H
#define MICE_SQL_BIND_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/plan.h"

#ifndef SQLSTATE_UNDEFINED_COLUMN
#define SQLSTATE_UNDEFINED_COLUMN "42703"
/* The function implementing an SQL value function (ast_svf_kind): "current_timestamp",
 * "current_user", ...; NULL when not supported. */
const char *bind_svf_name(int svf);

/* A type name from the AST (AST_TYPE_NAME) with its modifiers. */
mice_status bind_type_name(const ast_node *type_name, sql_type *out, sql_error *err);

#endif
#ifndef SQLSTATE_AMBIGUOUS_COLUMN
#define SQLSTATE_AMBIGUOUS_COLUMN "42702"
/* The function implementing an SQL value function (ast_svf_kind): "current_timestamp",
 * "current_user", ...; NULL when not supported. */
const char *bind_svf_name(int svf);

/* A type name from the AST (AST_TYPE_NAME) with its modifiers. */
mice_status bind_type_name(const ast_node *type_name, sql_type *out, sql_error *err);

#endif
#ifndef SQLSTATE_GROUPING_ERROR
#define SQLSTATE_GROUPING_ERROR "42803"
/* The function implementing an SQL value function (ast_svf_kind): "current_timestamp",
 * "current_user", ...; NULL when not supported. */
const char *bind_svf_name(int svf);

/* A type name from the AST (AST_TYPE_NAME) with its modifiers. */
mice_status bind_type_name(const ast_node *type_name, sql_type *out, sql_error *err);

#endif

enum { BIND_PARAMS_MAX = 1024 };

enum { BIND_SRF_MAX = 16 }; /* set-returning items in one select list */

enum { BIND_CTE_DEPTH_MAX = 32 }; /* CTE references nested inside CTE queries */

typedef struct bind_ctx {
    mice_arena *arena;
    catalog_txn *ct;
    uint32_t database_id;
    const catalog_search_path *sp;
    const sql_value_ctx *vctx;
    func_ctx *fctx;
    /* Parameter types: given ones (non-zero) are kept, the rest are inferred; on return
     * n_params is the highest $n used. */
    sql_type param_types[BIND_PARAMS_MAX];
    uint32_t n_params;
    /* Parameters were given with the statement (simple query, one-shot execution): a $n
     * beyond them is an error (42P02) instead of a new parameter to infer. */
    bool params_fixed;
    uint32_t n_params_given;
    const char *clause;      /* "WHERE", "JOIN conditions": where aggregates are refused */
    const ast_list *ctes[8]; /* WITH lists in scope, innermost last (AST_CTE items) */
    bool ctes_recursive[8];  /* ... of WITH RECURSIVE */
    uint32_t n_ctes;
    /* WITH RECURSIVE (bind.c): the CTE being bound, its term (1 non-recursive, 2
     * recursive, 3 not of the UNION form), its Recursive Union node, the references to it
     * so far, and the SELECT nesting (sel_depth) of its recursive term. */
    const ast_node *rec_cte;
    int rec_phase;
    plan_node *rec_node;
    uint32_t rec_refs, rec_depth, sel_depth;
    /* CTEs whose query is being bound, outermost first (a reference back to one of them
     * is mutual recursion; without RECURSIVE it is not the CTE) */
    const ast_node *cte_stack[BIND_CTE_DEPTH_MAX];
    uint32_t n_cte_stack;
    /* Views (bind.c): how deeply view bodies are being bound; every table and view read
     * (ids, for CREATE VIEW's dependencies) */
    uint32_t view_depth;
    uint32_t *deps;
    uint32_t n_deps, cap_deps;
    /* Keep the tree as written: no constant folding (deparse.h prints stored expressions) */
    bool no_fold;
    /* Set-returning select-list items being bound as columns srf_cols[i] of the current
     * scope (a Function Scan's or a ProjectSet's) */
    const ast_node *srf_nodes[BIND_SRF_MAX];
    int32_t srf_cols[BIND_SRF_MAX];
    sql_type srf_types[BIND_SRF_MAX];
    uint32_t n_srf;
    uint32_t expr_depth; /* bind__expr nesting: 0 outside an expression being bound */
    /* Why window functions are refused where they are (bind_window.c): 0 the clause,
     * 1 inside an aggregate's arguments, 2 in a window definition, 3 in a window
     * function's arguments. */
    int win_ctx;
    /* bind_window.c binds a window aggregate's call through the aggregate binder: its
     * arguments may hold aggregates (collected in win_agg_args) but no window functions */
    bool win_agg;
    void *win_agg_args; /* bind_aggs * */
} bind_ctx;

/* Bind and plan one SELECT / INSERT / UPDATE / DELETE. */
mice_status bind_statement(bind_ctx *b, const ast_node *stmt, plan_node **out, sql_error *err);

/* Bind a standalone expression text (column DEFAULT, CHECK) over the columns of table
 * (NULL: no columns), coerced to want (id 0: any type). */
mice_status bind_expr_text(bind_ctx *b, const char *text, const catalog_desc *table, sql_type want,
                           sql_expr **out, sql_error *err);

/* The function implementing an SQL value function (ast_svf_kind): "current_timestamp",
 * "current_user", ...; NULL when not supported. */
const char *bind_svf_name(int svf);

/* A type name from the AST (AST_TYPE_NAME) with its modifiers. */
mice_status bind_type_name(const ast_node *type_name, sql_type *out, sql_error *err);

#endif
