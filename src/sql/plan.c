/* plan.c - plan nodes and EXPLAIN text in PostgreSQL's format (see plan.h). */
#include "sql/plan.h"

#include <string.h>

plan_node *plan_new(mice_arena *a, plan_kind k, uint32_t n_cols)
{
    plan_node *p = ARENA_NEW(a, plan_node);
    if (!p) return NULL;
    p->kind = k;
    p->n_cols = n_cols;
    p->col_names = ARENA_NEW_ARRAY(a, const char *, n_cols ? n_cols : 1);
    p->col_types = ARENA_NEW_ARRAY(a, sql_type, n_cols ? n_cols : 1);
    p->conflict_index = -1;
    if (!p->col_names || !p->col_types) return NULL;
    return p;
}

const char *plan_node_name(const plan_node *p)
{
    switch (p->kind) {
    case PLAN_VALUES:
        return p->n_rows <= 1 ? "Result" : "Values Scan"; /* 0: a WHERE that is false */
    case PLAN_SCAN:
        if (p->full_scan && p->index_pos == 0) return "Seq Scan";
        return p->reverse ? "Index Scan Backward" : "Index Scan";
    case PLAN_FILTER:
        return "Filter";
    case PLAN_PROJECT:
        return "Project";
    case PLAN_SORT:
        return "Sort";
    case PLAN_LIMIT:
        return "Limit";
    case PLAN_AGG:
        return p->n_group ? "HashAggregate" : "Aggregate";
    case PLAN_DISTINCT:
        return "HashAggregate";
    case PLAN_JOIN:
        if (p->n_hash_keys) return p->join_type == PLAN_JOIN_LEFT ? "Hash Left Join" : "Hash Join";
        return p->join_type == PLAN_JOIN_LEFT ? "Nested Loop Left Join" : "Nested Loop";
    case PLAN_APPEND:
        return "Append";
    case PLAN_INSERT:
        return "Insert";
    case PLAN_UPDATE:
        return "Update";
    case PLAN_DELETE:
        return "Delete";
    case PLAN_SETOP:
        if (p->setop_except) return p->setop_all ? "HashSetOp Except All" : "HashSetOp Except";
        return p->setop_all ? "HashSetOp Intersect All" : "HashSetOp Intersect";
    case PLAN_FUNCSCAN:
        return "Function Scan";
    case PLAN_VTSCAN:
        return "Seq Scan";
    case PLAN_WINDOW:
        return "WindowAgg";
    case PLAN_RECURSIVE:
        return "Recursive Union";
    case PLAN_WORKSCAN:
        return "WorkTable Scan";
    case PLAN_UNIQUE:
        return "Unique";
    case PLAN_PROJECT_SET:
        return "ProjectSet";
    }
    return "?";
}

static void indent(mice_buf *out, int n)
{
    for (int i = 0; i < n; i++)
        buf_append_u8(out, ' ');
}

static void detail_expr(mice_buf *out, int ind, const char *label, const sql_expr *e,
                        const sql_value_ctx *vctx)
{
    indent(out, ind);
    buf_printf(out, "%s: ", label);
    expr_print(e, vctx, out);
    buf_append_u8(out, '\n');
}

static void node_title(const plan_node *p, mice_buf *out)
{
    buf_append_str(out, plan_node_name(p));
    const char *alias = p->alias && p->table && strcmp(p->alias, p->table->name) ? p->alias : NULL;
    if (p->kind == PLAN_SCAN) {
        if (!(p->full_scan && p->index_pos == 0))
            buf_printf(out, " using %s", p->table->indexes[p->index_pos].name);
        buf_printf(out, " on %s", p->table->name);
        if (alias) buf_printf(out, " %s", alias);
    } else if (p->kind == PLAN_INSERT || p->kind == PLAN_UPDATE || p->kind == PLAN_DELETE) {
        buf_printf(out, " on %s", p->table->name);
        if (alias) buf_printf(out, " %s", alias);
    } else if (p->kind == PLAN_VTSCAN) {
        buf_printf(out, " on %s", p->vtab->name);
        if (p->alias && strcmp(p->alias, p->vtab->name)) buf_printf(out, " %s", p->alias);
    } else if (p->kind == PLAN_FUNCSCAN || p->kind == PLAN_WORKSCAN) {
        buf_printf(out, " on %s", p->func_name);
        if (p->alias && strcmp(p->alias, p->func_name)) buf_printf(out, " %s", p->alias);
    }
}

static void sort_keys(const plan_node *p, int ind, mice_buf *out)
{
    indent(out, ind);
    buf_append_str(out, "Sort Key: ");
    const plan_node *c = p->child;
    for (uint32_t i = 0; i < p->n_keys; i++) {
        if (i) buf_append_str(out, ", ");
        const char *name = c->col_names[p->key_cols[i]];
        if (c->kind == PLAN_PROJECT)
            expr_print(c->exprs[p->key_cols[i]], NULL, out);
        else
            buf_append_str(out, name ? name : "?column?");
        if (p->key_desc[i]) buf_append_str(out, " DESC");
        if (p->key_nulls_first[i] != p->key_desc[i])
            buf_append_str(out, p->key_nulls_first[i] ? " NULLS FIRST" : " NULLS LAST");
    }
    buf_append_u8(out, '\n');
}

static void group_keys(const plan_node *p, int ind, const sql_value_ctx *vctx, mice_buf *out)
{
    indent(out, ind);
    buf_append_str(out, "Group Key: ");
    for (uint32_t i = 0; i < p->n_group; i++) {
        if (i) buf_append_str(out, ", ");
        expr_print(p->group[i], vctx, out);
    }
    buf_append_u8(out, '\n');
}

static void node_details(const plan_node *p, int ind, const sql_value_ctx *vctx, mice_buf *out)
{
    switch (p->kind) {
    case PLAN_SCAN:
    case PLAN_VTSCAN:
        if (p->index_cond) detail_expr(out, ind, "Index Cond", p->index_cond, vctx);
        if (p->filter) detail_expr(out, ind, "Filter", p->filter, vctx);
        break;
    case PLAN_FILTER:
        detail_expr(out, ind, "Filter", p->filter, vctx);
        break;
    case PLAN_VALUES:
        if (p->n_rows == 0) {
            indent(out, ind);
            buf_append_str(out, "One-Time Filter: false\n");
        }
        break;
    case PLAN_SORT:
        sort_keys(p, ind, out);
        break;
    case PLAN_AGG:
        if (p->n_group) group_keys(p, ind, vctx, out);
        break;
    case PLAN_DISTINCT: {
        indent(out, ind);
        buf_append_str(out, "Group Key: ");
        for (uint32_t i = 0; i < p->n_cols; i++)
            buf_printf(out, "%s%s", i ? ", " : "", p->col_names[i] ? p->col_names[i] : "?column?");
        buf_append_u8(out, '\n');
        break;
    }
    case PLAN_JOIN:
        if (p->n_hash_keys) {
            indent(out, ind);
            buf_append_str(out, "Hash Cond: (");
            for (uint32_t i = 0; i < p->n_hash_keys; i++) {
                if (i) buf_append_str(out, " AND ");
                expr_print(p->left_keys[i], vctx, out);
                buf_append_str(out, " = ");
                expr_print(p->right_keys[i], vctx, out);
            }
            buf_append_str(out, ")\n");
        }
        if (p->filter)
            detail_expr(out, ind, p->n_hash_keys ? "Join Filter" : "Join Filter", p->filter, vctx);
        break;
    default:
        break;
    }
}

static void explain_node(const plan_node *p, int level_ind, bool arrow,
                         const plan_explain_opts *opts, const sql_value_ctx *vctx, mice_buf *out)
{
    while (p->kind == PLAN_PROJECT && p->child)
        p = p->child;
    indent(out, level_ind);
    if (arrow) buf_append_str(out, "->  ");
    node_title(p, out);
    if (opts->costs) {
        uint32_t width = p->n_cols * 8;
        buf_printf(out, "  (cost=%.2f..%.2f rows=%.0f width=%u)", p->cost_startup, p->cost_total,
                   p->est_rows < 1 ? 1 : p->est_rows, width);
    }
    buf_append_u8(out, '\n');
    int ind = level_ind + (arrow ? 6 : 2);
    node_details(p, ind, vctx, out);
    int child_ind = arrow ? level_ind + 6 : level_ind + 2;
    if (p->kind == PLAN_JOIN && p->n_hash_keys) {
        explain_node(p->child, child_ind, true, opts, vctx, out);
        indent(out, child_ind);
        buf_append_str(out, "->  Hash\n");
        explain_node(p->right, child_ind + 6, true, opts, vctx, out);
        return;
    }
    if (p->kind == PLAN_APPEND) {
        for (uint32_t i = 0; i < p->n_children; i++)
            explain_node(p->children[i], child_ind, true, opts, vctx, out);
        return;
    }
    if (p->child) explain_node(p->child, child_ind, true, opts, vctx, out);
    if (p->right) explain_node(p->right, child_ind, true, opts, vctx, out);
    if (p->rec_term) explain_node(p->rec_term, child_ind, true, opts, vctx, out);
}

void plan_explain(const plan_node *p, const plan_explain_opts *opts, const sql_value_ctx *vctx,
                  mice_buf *out)
{
    /* PostgreSQL does not show projections as nodes. */
    while (p->kind == PLAN_PROJECT && p->child)
        p = p->child;
    explain_node(p, 0, false, opts, vctx, out);
}
