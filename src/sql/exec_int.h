/* exec_int.h - the executor's internals shared by exec*.c (not a public contract). */
#ifndef MICE_SQL_EXEC_INT_H
#define MICE_SQL_EXEC_INT_H

#include "sql/exec.h"

enum { SCAN_KV_BATCH_ROWS_MIN = 256, SCAN_KV_BATCH_ROWS_MAX = 1u << 16 };

typedef struct exec_state {
    exec_env *env;
    mice_arena *arena; /* operators and their state */
    expr_ctx ectx;     /* params, outer row, subquery callback */
} exec_state;

typedef struct exec_hash_entry {
    uint64_t hash;
    sql_datum *row; /* keys (then aggregate state for AGG) */
    void *payload;
    struct exec_hash_entry *next;
} exec_hash_entry;

typedef struct exec_hash {
    exec_hash_entry **buckets;
    uint64_t n_buckets, n_entries;
} exec_hash;

struct exec_op {
    plan_node *p;
    exec_state *st;
    exec_op *child, *right;
    exec_op **children;
    sql_batch *out;
    mice_status (*next)(exec_op *op, sql_batch **out, sql_error *err);
    void (*close)(exec_op *op);
    bool done;
    uint64_t affected;
    /* scans; kv rows of the current kv batch (valid until the next txn_scan_next) */
    txn_scan *scan;
    const kv_row *kv_rows;
    size_t kv_n, kv_pos, kv_batch;
    uint32_t span_i;
    mice_buf start, end;
    bool spans_ready;
    uint32_t n_ready; /* precomputed spans (several: IN lists), sorted by start key */
    mice_buf *sp_start, *sp_end;
    /* materialized rows: sort, join inner, DML input, RETURNING output */
    sql_datum **rows;
    uint64_t n_rows, cap_rows, pos;
    mice_arena *mem;
    /* limit */
    int64_t limit, offset, seen;
    /* join / aggregate */
    exec_hash hash;
    sql_batch *in;
    uint32_t in_row;
    exec_hash_entry *cand;
    uint64_t cand_pos;
    bool matched;
    uint32_t child_i;
    /* function scan (generate_series): current value, stop, step; numeric values
     * alternate between mem and mem2 */
    sql_datum srf_cur, srf_stop, srf_step;
    mice_arena *mem2;
    void *state; /* ProjectSet: its run state (exec_vtab.c) */
};

exec_op *exec__new_op(exec_state *st, plan_node *p, uint32_t out_cols);
mice_status exec__open_node(exec_state *st, plan_node *p, exec_op **out, sql_error *err);
mice_status exec__open_project_set(exec_state *st, exec_op *op, sql_error *err);
mice_status exec__cancelled(exec_state *st, sql_error *err);
/* Append a copy of row to op->rows (in op->mem). */
mice_status exec__keep_row(exec_op *op, const sql_datum *row, uint32_t n, sql_error *err);
/* Pull every row of child into op->rows. */
mice_status exec__drain(exec_op *op, exec_op *child, sql_error *err);
uint64_t exec__hash_row(const sql_datum *v, uint32_t n);
bool exec__rows_equal(const sql_datum *a, const sql_datum *b, uint32_t n,
                      const sql_value_ctx *vctx);
mice_status exec__hash_init(exec_op *op, uint64_t n_buckets, sql_error *err);
mice_status exec__hash_insert(exec_op *op, uint64_t h, sql_datum *row, void *payload,
                              sql_error *err);

/* A pg_catalog / information_schema scan (exec_vtab.c). */
mice_status exec__vtscan_next(exec_op *op, sql_batch **out, sql_error *err);
/* unnest(array) as a function scan (exec_vtab.c). */
mice_status exec__unnest_next(exec_op *op, sql_batch **out, sql_error *err);
/* CREATE INDEX's backfill: entries of index index_id for every row of the table. */
mice_status exec__backfill(const exec_ddl_env *env, uint32_t table_id, uint32_t index_id,
                           sql_error *err);
/* Views (exec_view.c): CREATE [OR REPLACE] VIEW; DROP of a table, view or sequence that
 * first handles the views depending on it (2BP01, or CASCADE); also: ids dropped by the
 * same statement, whose dependence does not count. */
mice_status exec__create_view(const exec_ddl_env *env, const ast_node *n, sql_error *err);
mice_status exec__drop_relation(const exec_ddl_env *env, const catalog_desc *d, bool cascade,
                                const uint32_t *also, uint32_t n_also, sql_error *err);
/* ALTER TABLE (exec_alter.c). */
mice_status exec__alter_table(const exec_ddl_env *env, const ast_node *n, sql_error *err);

/* An aggregate's running state (exec_agg.c); zeroed = no rows yet. Memory it needs comes
 * from op->mem. */
typedef struct agg_acc {
    int64_t count;
    __int128 isum;
    double fsum;
    const sql_numeric *nsum;
    sql_datum best;
    bool has;
    bool bval;
    uint8_t *text; /* string_agg: the result so far (in op->mem) */
    size_t text_len, text_cap;
    sql_datum *seen; /* DISTINCT: values so far */
    uint32_t n_seen, cap_seen;
    sql_datum *items; /* array_agg: per input row the value, then its ORDER BY keys */
    uint32_t n_items, cap_items;
} agg_acc;
/* keys: array_agg's ORDER BY keys for this row (a->n_order of them; NULL when none) */
mice_status exec__agg_add(exec_op *op, const plan_agg *a, agg_acc *acc, const sql_datum *v,
                          const sql_datum *v2, const sql_datum *keys, sql_error *err);
mice_status exec__agg_final(exec_op *op, const plan_agg *a, const agg_acc *acc, sql_datum *out,
                            sql_error *err);
/* Window functions (exec_window.c). */
mice_status exec__window_next(exec_op *op, sql_batch **out, sql_error *err);
/* WITH RECURSIVE (exec_recursive.c). */
mice_status exec__recursive_next(exec_op *op, sql_batch **out, sql_error *err);
mice_status exec__workscan_next(exec_op *op, sql_batch **out, sql_error *err);

mice_status exec__open_agg(exec_state *st, plan_node *p, exec_op *op, sql_error *err);
mice_status exec__open_setop(exec_state *st, plan_node *p, exec_op *op, sql_error *err);
mice_status exec__open_dml(exec_state *st, plan_node *p, exec_op *op, sql_error *err);
mice_status exec__nextval(void *arg, const void *seq, int64_t *out, sql_error *err);
mice_status exec__subquery(void *arg, const expr_ctx *ctx, sql_expr *e, const sql_datum *outer_row,
                           const sql_datum *test, sql_datum *out, sql_error *err);

#endif
