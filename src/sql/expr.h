/*
 * expr.h - bound, typed expression trees and their evaluator.
 *
 * The binder (bind.h) turns AST expressions into sql_expr trees: every node has its
 * result type, column references are indexes into the operator's input row, parameters
 * are 0-based, functions carry their resolved func_match, casts their target type.
 * Semantics are PostgreSQL's: three-valued AND/OR/NOT, strict comparison and arithmetic
 * (NULL in, NULL out), CASE/COALESCE/NULLIF/GREATEST/LEAST, IN lists with NULL giving
 * NULL when nothing matched, and errors as SQLSTATEs (22012, 22003, 21000 ...).
 *
 * Subqueries are evaluated through a callback into the executor (expr_ctx.subquery):
 * the evaluator computes the left-hand value of IN/ANY/ALL and hands the current row
 * over as the outer row for correlated references (EXPR_OUTER, level 1 = the enclosing
 * query). The executor caches uncorrelated results in the node (sub_cached).
 *
 * Aggregate calls never reach the evaluator: the binder replaces them by references to
 * the aggregation operator's output columns.
 *
 * Owns: nothing; trees live in the statement arena. Evaluated values go into
 * ctx->arena (the output batch's arena). Thread safety: one statement, one thread.
 */
#ifndef MICE_SQL_EXPR_H
#define MICE_SQL_EXPR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/batch.h"
#include "sql/datum.h"
#include "sql/func.h"
#include "sql/sqlerr.h"

#ifndef SQLSTATE_CARDINALITY_VIOLATION
#endif
#ifndef SQLSTATE_DATATYPE_MISMATCH
#define SQLSTATE_DATATYPE_MISMATCH "42804"
#endif

typedef enum expr_kind {
    EXPR_CONST,
    EXPR_PARAM, /* index: 0-based parameter number */
    EXPR_COL,   /* index: column of the input row */
    EXPR_OUTER, /* level (>= 1) and index: a column of an enclosing query's row */
    EXPR_FUNC,  /* fm, args */
    EXPR_CAST,  /* args[0] to type with cast_kind */
    EXPR_CMP,   /* op: expr_cmp_op; args[0], args[1] */
    EXPR_ARITH, /* op: sql_arith_op */
    EXPR_NEG,   /* unary minus */
    EXPR_AND,   /* n args */
    EXPR_OR,
    EXPR_NOT,
    EXPR_NULLTEST, /* negated: IS NOT NULL */
    EXPR_BOOLTEST, /* op: ast_bool_test_kind */
    EXPR_DISTINCT, /* negated: IS NOT DISTINCT FROM */
    EXPR_CASE,     /* args: cond0, res0, cond1, res1, ..., [else]; has_else */
    EXPR_COALESCE,
    EXPR_NULLIF,
    EXPR_MINMAX,   /* op: 1 greatest, 0 least */
    EXPR_IN_LIST,  /* args[0] IN (args[1..]); negated: NOT IN */
    EXPR_SUBQUERY, /* sub_kind, args[0] = test expr for ANY/ALL; plan */
    EXPR_AGG_REF,  /* only inside the binder (replaced before planning finishes) */
    EXPR_WIN_REF,  /* a window function (index): only inside the binder, like EXPR_AGG_REF */
    EXPR_NEXTVAL,  /* nextval of the sequence in plan (catalog_desc *); NULL plan: unique_rowid() */
} expr_kind;

typedef enum expr_cmp_op { EXPR_EQ, EXPR_NE, EXPR_LT, EXPR_LE, EXPR_GT, EXPR_GE } expr_cmp_op;

typedef enum expr_sub_kind {
    EXPR_SUB_EXISTS,
    EXPR_SUB_SCALAR,
    EXPR_SUB_ANY, /* op: the comparison */
    EXPR_SUB_ALL,
    EXPR_SUB_ARRAY, /* ARRAY(subquery): the column's values as an array */
} expr_sub_kind;

typedef struct sql_expr sql_expr;
struct sql_expr {
    expr_kind kind;
    sql_type type;
    int32_t loc;     /* source offset (for errors), -1 unknown */
    sql_datum value; /* EXPR_CONST */
    int32_t index;
    int32_t level;
    int32_t op;
    bool negated;
    bool has_else;
    sql_cast_context cast_kind;
    uint32_t n_args;
    sql_expr **args;
    const char *name;      /* EXPR_COL/EXPR_OUTER: the column's name, for EXPLAIN */
    const char *qual_name; /* EXPR_COL/EXPR_OUTER: "rel.col", for errors */
    const func_match *fm;  /* EXPR_FUNC */
    /* EXPR_SUBQUERY */
    expr_sub_kind sub_kind;
    void *plan; /* plan_node * */
    bool correlated;
    bool sub_cached;     /* executor's cache for uncorrelated subqueries */
    sql_datum sub_value; /* cached EXISTS/scalar result */
    sql_datum *sub_rows; /* cached ANY/ALL values */
    uint32_t sub_n_rows;
    /* Binder only: PostgreSQL's planner, simplifying this node, would fail with this error
     * (folding a constant in it failed); raised when the tree is complete and still has it
     * (bind_simplify.c). The node itself stays unfolded, so evaluating it fails the same. */
    const sql_error *fold_error;
    /* Binder only: operators PostgreSQL keeps here but the binder dropped (unary plus),
     * counted in the cost order of a filter's conditions (bind_quals.c). */
    uint16_t pg_hidden_ops;
};

typedef struct expr_ctx expr_ctx;
/* Run e's subquery with outer_row as the row of level 1 (test: the left-hand value for
 * ANY/ALL) and produce the boolean / scalar result. */
typedef mice_status (*expr_subquery_fn)(void *arg, const expr_ctx *ctx, sql_expr *e,
                                        const sql_datum *outer_row, const sql_datum *test,
                                        sql_datum *out, sql_error *err);

struct expr_ctx {
    const sql_datum *params;
    uint32_t n_params;
    const sql_datum *outer;    /* row of the enclosing query (level 1) */
    const expr_ctx *outer_ctx; /* its context (level 2 and up) */
    func_ctx *fctx;
    const sql_value_ctx *vctx;
    mice_arena *arena; /* where new values go */
    expr_subquery_fn subquery;
    void *subquery_arg;
    /* nextval(seq) / unique_rowid() (seq == NULL) */
    mice_status (*nextval)(void *arg, const void *seq, int64_t *out, sql_error *err);
    void *nextval_arg;
};

/* Constructors (NULL when the arena is over budget). */
sql_expr *expr_new(mice_arena *a, expr_kind k, sql_type t, uint32_t n_args);
sql_expr *expr_const(mice_arena *a, sql_datum v, sql_type t);
sql_expr *expr_col(mice_arena *a, int32_t index, sql_type t, const char *name);

/* Evaluate over one row (row[i] is input column i). */
mice_status expr_eval(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, sql_datum *out,
                      sql_error *err);
/* Evaluate for every row of in; out[r] for r < in->n_rows. */
mice_status expr_eval_batch(sql_expr *e, const expr_ctx *ctx, const sql_batch *in, sql_datum *out,
                            sql_error *err);
/* The rows of in for which the filter e is true (expr_qual_true), as ascending row numbers in
 * sel; *n_sel their count. */
mice_status expr_filter_batch(sql_expr *e, const expr_ctx *ctx, const sql_batch *in, uint32_t *sel,
                              uint32_t *n_sel, sql_error *err);
/* e is true for row (NULL counts as false). */
mice_status expr_is_true(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, bool *out,
                         sql_error *err);
/* The same for a filter (WHERE, ON, HAVING): its top-level AND is a list of conditions that
 * stops at the first one not true, NULL included, as PostgreSQL's quals do (an AND inside
 * an expression goes on past a NULL, which decides which conditions are evaluated). */
mice_status expr_qual_true(sql_expr *e, const expr_ctx *ctx, const sql_datum *row, bool *out,
                           sql_error *err);

/* Compare a and b with op (both non-NULL). */
bool expr_cmp_holds(expr_cmp_op op, int c);
/* Whether the tree uses no columns, outer references, params, subqueries or volatile
 * functions (so the binder may fold it). */
bool expr_is_constant(const sql_expr *e);
/* Whether the tree refers to input columns >= first (used for push-down decisions). */
void expr_columns_used(const sql_expr *e, uint8_t *used, uint32_t n_cols);
/* Whether e has a reference of exactly `level` (correlation). */
bool expr_has_outer(const sql_expr *e, int32_t level);

/* EXPLAIN text (PostgreSQL-like: (a = 1), ((b)::text ~~ 'x%'::text)). */
void expr_print(const sql_expr *e, const sql_value_ctx *vctx, mice_buf *out);
const char *expr_cmp_name(expr_cmp_op op);

#endif
