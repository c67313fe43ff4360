/*
 * plan.h - physical plan nodes, their output columns, estimates and EXPLAIN text.
 *
 * The binder (bind.h) builds a tree of plan_node; the executor (exec.h) runs it. Every
 * node produces rows of n_cols columns (names and types for RowDescription); expressions
 * in a node refer to the columns of its input row: the child's output, or for joins the
 * left child's columns followed by the right child's. A scan's output is every column of
 * the table in descriptor order (hidden rowid included); projections pick from there.
 *
 * Nodes: VALUES (rows of expressions; one empty row = PostgreSQL's "Result"), SCAN (a
 * table's primary or secondary index over key spans built from expressions at open, with
 * a residual filter, direction and limit), FILTER, PROJECT, SORT (keys are input column
 * indexes), LIMIT, AGG (hash aggregation: group keys then aggregates), DISTINCT, JOIN
 * (nested loop or hash; inner or left), APPEND (UNION ALL), INSERT, UPDATE, DELETE,
 * SETOP (INTERSECT/EXCEPT [ALL], hashed).
 *
 * EXPLAIN prints PostgreSQL's text format: "Seq Scan on t", "Index Scan using t_pkey on t",
 * "Sort", "HashAggregate", "Hash Join", "Limit", "Insert on t", children as "->" lines,
 * details ("Filter:", "Index Cond:", "Sort Key:") below, with or without costs.
 *
 * Owns: nothing; nodes live in the statement arena. Thread safety: one statement.
 */
#ifndef MICE_SQL_PLAN_H
#define MICE_SQL_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/catalog.h"
#include "sql/expr.h"
#include "sql/pgcatalog.h"
#include "sql/rowenc.h"

typedef enum plan_kind {
    PLAN_VALUES,
    PLAN_SCAN,
    PLAN_FILTER,
    PLAN_PROJECT,
    PLAN_SORT,
    PLAN_LIMIT,
    PLAN_AGG,
    PLAN_DISTINCT,
    PLAN_JOIN,
    PLAN_APPEND,
    PLAN_INSERT,
    PLAN_UPDATE,
    PLAN_DELETE,
    PLAN_SETOP,    /* INTERSECT / EXCEPT [ALL] of child and right */
    PLAN_FUNCSCAN, /* generate_series(start, stop [, step]) or unnest(array): one column */
    PLAN_VTSCAN,   /* a pg_catalog / information_schema relation (pgcatalog.h) */
    PLAN_WINDOW,   /* window functions of one window over the child (exec_window.c) */
    PLAN_RECURSIVE, /* WITH RECURSIVE: child (non-recursive term) then rec_term repeated */
    PLAN_WORKSCAN,  /* the working table of the PLAN_RECURSIVE rec_union */
    PLAN_UNIQUE,    /* DISTINCT ON: the first of each run of rows equal in key_cols */
    PLAN_PROJECT_SET, /* child's columns, then one per set-returning select-list item, the
                         items' rows side by side, the shorter ones padded with NULLs */
} plan_kind;

typedef enum plan_srf_kind {
    PLAN_SRF_SERIES,     /* generate_series(start, stop [, step]) */
    PLAN_SRF_UNNEST,     /* unnest(array) */
    PLAN_SRF_SUBSCRIPTS, /* generate_subscripts(array, dim [, reverse]) */
} plan_srf_kind;

/* A set-returning function of a ProjectSet; its arguments see the child's row. */
typedef struct plan_srf {
    plan_srf_kind kind;
    uint32_t n_args;
    sql_expr **args;
} plan_srf;

typedef enum plan_agg_fn {
    PLAN_AGG_COUNT_STAR,
    PLAN_AGG_COUNT,
    PLAN_AGG_SUM,
    PLAN_AGG_AVG,
    PLAN_AGG_MIN,
    PLAN_AGG_MAX,
    PLAN_AGG_BOOL_AND,
    PLAN_AGG_BOOL_OR,
    PLAN_AGG_STRING_AGG, /* string_agg(text, delimiter) */
    PLAN_AGG_ARRAY_AGG,  /* array_agg(x [ORDER BY ...]): NULLs included */
} plan_agg_fn;

typedef struct plan_agg {
    plan_agg_fn fn;
    sql_expr *arg;  /* NULL for count(*) */
    sql_expr *arg2; /* string_agg's delimiter */
    sql_expr *filter; /* FILTER (WHERE ...): rows where it is not true are skipped; NULL none */
    bool distinct;
    uint32_t n_order; /* array_agg(x ORDER BY ...): the keys, per key DESC / NULLS FIRST */
    sql_expr **order;
    bool *order_desc, *order_nulls_first;
    sql_type type; /* result type */
    const char *name;
} plan_agg;

/* Window functions (PLAN_WINDOW). Aggregates are PLAN_WIN_AGG with agg set. */
typedef enum plan_win_fn {
    PLAN_WIN_AGG,
    PLAN_WIN_ROW_NUMBER,
    PLAN_WIN_RANK,
    PLAN_WIN_DENSE_RANK,
    PLAN_WIN_PERCENT_RANK,
    PLAN_WIN_CUME_DIST,
    PLAN_WIN_NTILE,
    PLAN_WIN_LAG,
    PLAN_WIN_LEAD,
    PLAN_WIN_FIRST_VALUE,
    PLAN_WIN_LAST_VALUE,
    PLAN_WIN_NTH_VALUE,
} plan_win_fn;

enum { PLAN_WIN_ARGS_MAX = 3 };

typedef struct plan_wfunc {
    plan_win_fn fn;
    plan_agg agg; /* PLAN_WIN_AGG: the aggregate (its arg/arg2 are args[0]/args[1]) */
    uint32_t n_args;
    sql_expr *args[PLAN_WIN_ARGS_MAX]; /* over the input row */
    sql_expr *filter;                  /* aggregate FILTER (WHERE ...); NULL none */
    sql_type type;
    const char *name;
} plan_wfunc;

/* One window: rows are sorted by the partition keys (ascending, NULLs last) then the
 * order keys; frame holds PostgreSQL's FRAMEOPTION_* bits (ast.h AST_FRAME_*), the offsets
 * are constant expressions (int8 for ROWS/GROUPS, the order key's type for RANGE). */
typedef struct plan_window {
    uint32_t n_part;
    sql_expr **part;
    uint32_t n_order;
    sql_expr **order;
    bool *order_desc;
    bool *order_nulls_first;
    int32_t frame;
    sql_expr *start_off, *end_off;
    uint32_t n_funcs;
    plan_wfunc *funcs;
} plan_window;

/* One key span: the equality prefix values, then an optional range on the next column. */
typedef struct plan_span {
    uint32_t n_eq;
    sql_expr **eq;
    sql_expr *lo, *hi; /* NULL = open */
    bool lo_incl, hi_incl;
} plan_span;

typedef enum plan_join_type { PLAN_JOIN_INNER, PLAN_JOIN_LEFT } plan_join_type;

typedef enum plan_conflict {
    PLAN_CONFLICT_NONE,
    PLAN_CONFLICT_NOTHING,
    PLAN_CONFLICT_UPDATE
} plan_conflict;

typedef struct plan_node plan_node;
struct plan_node {
    plan_kind kind;
    uint32_t n_cols;
    const char **col_names;
    sql_type *col_types;
    double est_rows;
    double cost_startup, cost_total;
    plan_node *child, *right;

    /* VALUES: n_rows rows of n_cols expressions (evaluated without input) */
    uint32_t n_rows;
    sql_expr ***rows;

    /* SCAN (and DML targets) */
    const catalog_desc *table;
    const char *alias;
    rowenc_table layout;
    rowenc_index *indexes; /* parallel to table->indexes */
    uint32_t index_pos;    /* 0 = primary */
    bool full_scan;        /* no spans: the whole index */
    uint32_t n_spans;
    plan_span *spans;
    sql_expr *index_cond; /* for EXPLAIN */
    bool reverse;
    uint64_t limit_hint; /* 0 = none */

    /* FILTER, SCAN residual, JOIN condition, AGG having is a FILTER above */
    sql_expr *filter;

    /* PROJECT: n_cols expressions; DML: RETURNING list (n_cols of them) */
    sql_expr **exprs;

    /* SORT */
    uint32_t n_keys;
    uint32_t *key_cols;
    bool *key_desc;
    bool *key_nulls_first;

    /* LIMIT */
    sql_expr *limit, *offset;

    /* AGG: group keys (over the input), then aggregates */
    uint32_t n_group;
    sql_expr **group;
    uint32_t n_aggs;
    plan_agg *aggs;

    /* JOIN */
    plan_join_type join_type;
    uint32_t n_hash_keys; /* > 0: hash join on left_keys[i] = right_keys[i] */
    sql_expr **left_keys, **right_keys;

    /* SETOP */
    bool setop_except; /* else INTERSECT */
    bool setop_all;

    /* FUNCSCAN: the function's name and its arguments (evaluated at the first next) */
    const char *func_name;
    uint32_t n_func_args;
    sql_expr **func_args;
    uint32_t n_srfs; /* PLAN_PROJECT_SET */
    plan_srf *srfs;

    /* VTSCAN: the relation and its rows, computed at the first scan of the statement and
     * kept (statement arena) for re-scans (correlated subqueries); filter as SCAN */
    const pgcat_rel *vtab;
    sql_datum **vt_rows;
    uint64_t vt_n_rows;
    bool vt_ready;

    /* WINDOW: output = the child's columns, then one per window function */
    const plan_window *win;

    /* RECURSIVE: the recursive term, planned once and run per iteration over the working
     * table (the previous iteration's new rows, wt_rows: set by the executor); rec_all:
     * UNION ALL, else duplicates of rows already produced are dropped. WORKSCAN:
     * rec_union is the RECURSIVE node whose working table it reads. */
    plan_node *rec_term, *rec_union;
    bool rec_all;
    sql_datum **wt_rows;
    uint64_t wt_n;

    /* APPEND */
    uint32_t n_children;
    plan_node **children;

    /* INSERT / UPDATE: per table column, the value over the input row (INSERT: the
     * source row; UPDATE: the old table row) */
    sql_expr **col_values;
    bool *col_set;     /* UPDATE: which columns SET assigns */
    sql_expr **checks; /* CHECK constraints over the new table row */
    bool returning;
    plan_conflict on_conflict;
    int32_t conflict_index;     /* ON CONFLICT (cols): index position; -1 = any unique */
    sql_expr **conflict_values; /* DO UPDATE: over existing row ++ excluded row */
    sql_expr *conflict_where;
};

plan_node *plan_new(mice_arena *a, plan_kind k, uint32_t n_cols);
/* The node's display name ("Seq Scan", "Hash Join", ...). */
const char *plan_node_name(const plan_node *p);

typedef struct plan_explain_opts {
    bool costs;
    bool verbose;
} plan_explain_opts;

/* Append the EXPLAIN text: one line per output row, '\n'-terminated. */
void plan_explain(const plan_node *p, const plan_explain_opts *opts, const sql_value_ctx *vctx,
                  mice_buf *out);

#endif
