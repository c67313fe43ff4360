/*
 * ast.c - node allocation, list helpers and the S-expression printer.
 *
 * The printer is table driven: each kind lists its fields (name, type, offset), so adding
 * a field to a payload means adding one line here, and every kind prints the same way.
 * A few very common leaves (constants, parameters, column references, operators) have a
 * compact hand-written form to keep test expectations readable.
 */
#include "sql/ast.h"

#include <string.h>

#include "base/check.h"

/* ---- kinds ---- */

static const char *const kind_names[AST_KIND_COUNT] = {
#define X(kind, name, member, type) [kind] = name,
    AST_KIND_MAP(X)
#undef X
};

static const size_t kind_sizes[AST_KIND_COUNT] = {
#define X(kind, name, member, type) [kind] = offsetof(ast_node, u) + sizeof(type),
    AST_KIND_MAP(X)
#undef X
};

const char *ast_kind_name(ast_kind k)
{
    return (unsigned)k < AST_KIND_COUNT ? kind_names[k] : "?";
}

ast_node *ast_new(mice_arena *a, ast_kind k, int32_t loc)
{
    mice_assert((unsigned)k < AST_KIND_COUNT);
    ast_node *n = arena_zalloc(a, kind_sizes[k]);
    if (!n) return NULL;
    n->kind = k;
    n->loc = loc;
    return n;
}

void ast_node_copy(ast_node *dst, const ast_node *src)
{
    mice_assert((unsigned)src->kind < AST_KIND_COUNT);
    memset(dst, 0, sizeof *dst);
    memcpy(dst, src, kind_sizes[src->kind]); /* a node is allocated only that long */
}

ast_node *ast_node_dup(mice_arena *a, const ast_node *src)
{
    mice_assert((unsigned)src->kind < AST_KIND_COUNT);
    return arena_memdup(a, src, kind_sizes[src->kind]);
}

enum { LIST_CAP_MIN = 4 };

static void *grow(mice_arena *a, void *old, uint32_t n, uint32_t *cap, size_t elem_bytes)
{
    if (n < *cap) return old;
    uint32_t want = *cap ? *cap * 2 : LIST_CAP_MIN;
    if (want < *cap) return NULL; /* overflow */
    void *p = arena_alloc(a, (size_t)want * elem_bytes);
    if (!p) return NULL;
    if (n) memcpy(p, old, (size_t)n * elem_bytes);
    *cap = want;
    return p;
}

mice_status ast_list_push(mice_arena *a, ast_list *l, ast_node *n)
{
    mice_assert(n != NULL);
    ast_node **items = grow(a, l->items, l->n, &l->cap, sizeof *items);
    if (!items) return MICE_NOMEM;
    l->items = items;
    l->items[l->n++] = n;
    return MICE_OK;
}

mice_status ast_names_push(mice_arena *a, ast_names *names, const char *name)
{
    /* ast_names has no capacity field: capacity is LIST_CAP_MIN, then powers of two. */
    uint32_t n = names->n;
    if (n == 0 || (n >= LIST_CAP_MIN && (n & (n - 1)) == 0)) {
        uint32_t cap = n ? n * 2 : LIST_CAP_MIN;
        if (cap < n) return MICE_NOMEM;
        const char **v = arena_alloc(a, (size_t)cap * sizeof *v);
        if (!v) return MICE_NOMEM;
        if (n) memcpy(v, names->v, (size_t)n * sizeof *v);
        names->v = v;
    }
    names->v[names->n++] = name;
    return MICE_OK;
}

/* ---- printer: enum texts ---- */

static const char *const const_kinds[] = {"null", "int", "num", "str", "bits", "bool"};
static const char *const bool_ops[] = {"and", "or", "not"};
static const char *const bool_tests[] = {"is_true",      "is_not_true", "is_false",
                                         "is_not_false", "is_unknown",  "is_not_unknown"};
static const char *const like_kinds[] = {"like", "ilike", "similar"};
static const char *const sublink_kinds[] = {"exists", "all",       "any",  "rowcompare",
                                            "expr",   "multiexpr", "array"};
static const char *const svf_kinds[] = {"current_date",    "current_time",   "current_timestamp",
                                        "localtime",       "localtimestamp", "current_role",
                                        "current_user",    "user",           "session_user",
                                        "current_catalog", "current_schema"};
static const char *const sort_dirs[] = {"", "asc", "desc", "using"};
static const char *const nulls_orders[] = {"", "nulls_first", "nulls_last"};
static const char *const setops[] = {"", "union", "intersect", "except"};
static const char *const limit_kinds[] = {"", "count", "with_ties"};
static const char *const lock_strengths[] = {"", "key_share", "share", "no_key_update", "update"};
static const char *const lock_waits[] = {"", "skip_locked", "nowait"};
static const char *const gset_kinds[] = {"empty", "simple", "rollup", "cube", "sets"};
static const char *const cte_mats[] = {"", "materialized", "not_materialized"};
static const char *const join_types[] = {"inner", "left", "full", "right"};
static const char *const conflict_actions[] = {"", "nothing", "update"};
static const char *const overridings[] = {"", "user_value", "system_value"};
static const char *const constr_types[] = {
    "null",   "not_null", "default", "identity",   "generated",      "check",    "primary_key",
    "unique", "exclude",  "foreign", "deferrable", "not_deferrable", "deferred", "immediate"};
static const char *const obj_types[] = {"",         "table",    "index",  "view",   "matview",
                                        "sequence", "database", "schema", "column", "constraint",
                                        "role",     "function", "type",   "other"};
static const char *const drop_behaviors[] = {"", "cascade"};
static const char *const alter_kinds[] = {"add_column",     "drop_column",     "column_default",
                                          "drop_not_null",  "set_not_null",    "column_type",
                                          "add_constraint", "drop_constraint", "add_identity",
                                          "drop_identity",  "set_options",     "reset_options",
                                          "owner"};
static const char *const txn_kinds[] = {
    "begin",   "start",       "commit",  "rollback",        "savepoint",
    "release", "rollback_to", "prepare", "commit_prepared", "rollback_prepared"};
static const char *const set_kinds[] = {"value", "default", "current",
                                        "multi", "reset",   "reset_all"};
static const char *const discards[] = {"all", "plans", "sequences", "temp"};
static const char *const role_stmts[] = {"role", "user", "group"};
static const char *const rolespecs[] = {"", "current_role", "current_user", "session_user",
                                        "public"};
static const char *const check_options[] = {"", "local", "cascaded"};
static const char *const notify_kinds[] = {"listen", "unlisten", "notify"};

/* ---- printer: field tables ---- */

typedef enum {
    FT_NODE,    /* ast_node *, omitted when NULL */
    FT_LIST,    /* ast_list, omitted when empty */
    FT_NAMES,   /* ast_names, omitted when empty */
    FT_INTS,    /* ast_ints, omitted when empty */
    FT_STR,     /* const char *, omitted when NULL */
    FT_BOOL,    /* omitted when false */
    FT_INT,     /* int32_t, always printed */
    FT_TYPMOD,  /* int32_t, omitted when -1 */
    FT_HEX,     /* int32_t, omitted when 0 */
    FT_CHAR,    /* char, omitted when 0 */
    FT_PERSIST, /* relation persistence char, omitted when 'p' (permanent) */
    FT_ENUM,    /* enum via texts; omitted when the text is "" */
} field_type;

typedef struct field_desc {
    const char *name;
    field_type type;
    size_t offset;
    const char *const *texts;
    size_t n_texts;
} field_desc;

#define FD(m, f, t)                                                                                \
    {                                                                                              \
#f, t, offsetof(ast_node, u.m.f), NULL, 0                                                  \
    }
#define FDN(m, f, name, t)                                                                         \
    {                                                                                              \
        name, t, offsetof(ast_node, u.m.f), NULL, 0                                                \
    }
#define FE(m, f, tx)                                                                               \
    {                                                                                              \
#f, FT_ENUM, offsetof(ast_node, u.m.f), tx, sizeof(tx) / sizeof(tx[0])                     \
    }
#define FIELDS(m, ...) static const field_desc fields_##m[] = {__VA_ARGS__};

FIELDS(konst, FE(konst, ck, const_kinds))
FIELDS(param, FD(param, number, FT_INT))
FIELDS(column_ref, FD(column_ref, names, FT_NAMES), FD(column_ref, star, FT_BOOL))
FIELDS(op, FD(op, name, FT_NAMES), FD(op, l, FT_NODE), FD(op, r, FT_NODE))
FIELDS(bool_expr, FE(bool_expr, op, bool_ops), FD(bool_expr, args, FT_LIST))
FIELDS(null_test, FD(null_test, arg, FT_NODE), FD(null_test, is_not, FT_BOOL))
FIELDS(bool_test, FD(bool_test, arg, FT_NODE), FE(bool_test, test, bool_tests))
FIELDS(distinct, FD(distinct, l, FT_NODE), FD(distinct, r, FT_NODE), FD(distinct, is_not, FT_BOOL))
FIELDS(any_all, FD(any_all, op, FT_NAMES), FD(any_all, l, FT_NODE), FD(any_all, r, FT_NODE),
       FD(any_all, all, FT_BOOL))
FIELDS(in_list, FD(in_list, l, FT_NODE), FD(in_list, list, FT_LIST), FD(in_list, negated, FT_BOOL))
FIELDS(sublink, FE(sublink, sk, sublink_kinds), FD(sublink, test, FT_NODE),
       FD(sublink, op, FT_NAMES), FD(sublink, query, FT_NODE))
FIELDS(between, FD(between, arg, FT_NODE), FD(between, lo, FT_NODE), FD(between, hi, FT_NODE),
       FD(between, negated, FT_BOOL), FD(between, symmetric, FT_BOOL))
FIELDS(like, FE(like, lk, like_kinds), FD(like, arg, FT_NODE), FD(like, pattern, FT_NODE),
       FD(like, escape, FT_NODE), FD(like, negated, FT_BOOL))
FIELDS(nullif, FD(nullif, l, FT_NODE), FD(nullif, r, FT_NODE))
FIELDS(coalesce, FD(coalesce, args, FT_LIST))
FIELDS(minmax, FD(minmax, greatest, FT_BOOL), FD(minmax, args, FT_LIST))
FIELDS(case_, FD(case_, arg, FT_NODE), FD(case_, whens, FT_LIST),
       FDN(case_, else_, "else", FT_NODE))
FIELDS(case_when, FD(case_when, cond, FT_NODE), FD(case_when, result, FT_NODE))
FIELDS(cast, FD(cast, arg, FT_NODE), FD(cast, type, FT_NODE))
FIELDS(type_name, FD(type_name, names, FT_NAMES), FD(type_name, typmods, FT_LIST),
       FD(type_name, array_bounds, FT_INTS), FD(type_name, setof, FT_BOOL),
       FD(type_name, pct_type, FT_BOOL))
FIELDS(collate, FD(collate, arg, FT_NODE), FD(collate, collation, FT_NAMES))
FIELDS(func, FD(func, name, FT_NAMES), FD(func, args, FT_LIST), FD(func, agg_order, FT_LIST),
       FD(func, filter, FT_NODE), FD(func, over, FT_NODE), FD(func, star, FT_BOOL),
       FD(func, distinct, FT_BOOL), FD(func, variadic, FT_BOOL), FD(func, within_group, FT_BOOL))
FIELDS(named_arg, FD(named_arg, name, FT_STR), FD(named_arg, arg, FT_NODE))
FIELDS(array, FD(array, args, FT_LIST))
FIELDS(row, FD(row, args, FT_LIST), FD(row, explicit_row, FT_BOOL))
FIELDS(indirection, FD(indirection, arg, FT_NODE), FD(indirection, path, FT_LIST))
FIELDS(subscript, FD(subscript, lo, FT_NODE), FD(subscript, hi, FT_NODE),
       FD(subscript, slice, FT_BOOL))
FIELDS(field, FD(field, name, FT_STR), FD(field, star, FT_BOOL))
FIELDS(svf, FE(svf, fn, svf_kinds), FD(svf, typmod, FT_TYPMOD))
FIELDS(grouping_func, FD(grouping_func, args, FT_LIST))
FIELDS(set_to_default, )
FIELDS(expr_list, FD(expr_list, args, FT_LIST))
FIELDS(res_target, FD(res_target, name, FT_STR), FD(res_target, indirection, FT_LIST),
       FD(res_target, val, FT_NODE))
FIELDS(set_clause, FD(set_clause, cols, FT_LIST), FD(set_clause, value, FT_NODE),
       FD(set_clause, multi, FT_BOOL))
FIELDS(alias, FD(alias, name, FT_STR), FD(alias, cols, FT_NAMES))
FIELDS(range_var, FD(range_var, catalog, FT_STR), FD(range_var, schema, FT_STR),
       FD(range_var, rel, FT_STR), FD(range_var, only, FT_BOOL),
       FD(range_var, persistence, FT_PERSIST), FD(range_var, alias, FT_NODE))
FIELDS(join, FE(join, jt, join_types), FD(join, natural, FT_BOOL), FD(join, cross, FT_BOOL),
       FD(join, l, FT_NODE), FD(join, r, FT_NODE), FD(join, using_cols, FT_NAMES),
       FD(join, on, FT_NODE), FD(join, alias, FT_NODE), FD(join, using_alias, FT_NODE))
FIELDS(range_subselect, FD(range_subselect, lateral, FT_BOOL), FD(range_subselect, query, FT_NODE),
       FD(range_subselect, alias, FT_NODE))
FIELDS(range_func, FD(range_func, lateral, FT_BOOL), FD(range_func, ordinality, FT_BOOL),
       FD(range_func, rows_from, FT_BOOL), FD(range_func, funcs, FT_LIST),
       FD(range_func, alias, FT_NODE), FD(range_func, coldefs, FT_LIST))
FIELDS(sort_by, FD(sort_by, expr, FT_NODE), FE(sort_by, dir, sort_dirs),
       FE(sort_by, nulls, nulls_orders), FD(sort_by, using_op, FT_NAMES))
FIELDS(window_def, FD(window_def, name, FT_STR), FD(window_def, refname, FT_STR),
       FD(window_def, partition, FT_LIST), FD(window_def, order, FT_LIST),
       FD(window_def, frame, FT_HEX), FD(window_def, start_offset, FT_NODE),
       FD(window_def, end_offset, FT_NODE))
FIELDS(grouping_set, FE(grouping_set, gk, gset_kinds), FD(grouping_set, content, FT_LIST))
FIELDS(locking, FE(locking, strength, lock_strengths), FE(locking, wait, lock_waits),
       FD(locking, rels, FT_LIST))
FIELDS(with, FD(with, recursive, FT_BOOL), FD(with, ctes, FT_LIST))
FIELDS(cte, FD(cte, name, FT_STR), FD(cte, cols, FT_NAMES), FE(cte, materialized, cte_mats),
       FD(cte, query, FT_NODE))
FIELDS(select, FD(select, with, FT_NODE), FD(select, distinct, FT_BOOL),
       FD(select, distinct_on, FT_LIST), FD(select, targets, FT_LIST), FD(select, into, FT_NODE),
       FD(select, from, FT_LIST), FD(select, where, FT_NODE), FD(select, group_by, FT_LIST),
       FD(select, group_distinct, FT_BOOL), FD(select, having, FT_NODE),
       FD(select, windows, FT_LIST), FD(select, values, FT_LIST), FD(select, order_by, FT_LIST),
       FD(select, limit, FT_NODE), FD(select, offset, FT_NODE), FE(select, limit_kind, limit_kinds),
       FD(select, locking, FT_LIST), FE(select, set_op, setops), FD(select, all, FT_BOOL),
       FD(select, larg, FT_NODE), FD(select, rarg, FT_NODE))
FIELDS(on_conflict, FE(on_conflict, action, conflict_actions),
       FD(on_conflict, infer_elems, FT_LIST), FD(on_conflict, infer_where, FT_NODE),
       FD(on_conflict, constraint, FT_STR), FD(on_conflict, set, FT_LIST),
       FD(on_conflict, where, FT_NODE))
FIELDS(insert, FD(insert, with, FT_NODE), FD(insert, table, FT_NODE), FD(insert, cols, FT_LIST),
       FD(insert, query, FT_NODE), FD(insert, on_conflict, FT_NODE), FD(insert, returning, FT_LIST),
       FE(insert, overriding, overridings))
FIELDS(update, FD(update, with, FT_NODE), FD(update, table, FT_NODE), FD(update, set, FT_LIST),
       FD(update, from, FT_LIST), FD(update, where, FT_NODE), FD(update, returning, FT_LIST))
FIELDS(delete_, FD(delete_, with, FT_NODE), FD(delete_, table, FT_NODE),
       FDN(delete_, using_, "using", FT_LIST), FD(delete_, where, FT_NODE),
       FD(delete_, returning, FT_LIST))
FIELDS(column_def, FD(column_def, name, FT_STR), FD(column_def, type, FT_NODE),
       FD(column_def, constraints, FT_LIST), FD(column_def, collation, FT_NAMES),
       FD(column_def, expr, FT_NODE))
FIELDS(constraint, FE(constraint, ct, constr_types), FD(constraint, name, FT_STR),
       FD(constraint, expr, FT_NODE), FD(constraint, keys, FT_NAMES),
       FD(constraint, including, FT_NAMES), FD(constraint, pktable, FT_NODE),
       FD(constraint, fk_attrs, FT_NAMES), FD(constraint, pk_attrs, FT_NAMES),
       FD(constraint, fk_match, FT_CHAR), FD(constraint, fk_upd_action, FT_CHAR),
       FD(constraint, fk_del_action, FT_CHAR), FD(constraint, generated_when, FT_CHAR),
       FD(constraint, deferrable, FT_BOOL), FD(constraint, initdeferred, FT_BOOL),
       FD(constraint, nulls_not_distinct, FT_BOOL), FD(constraint, no_inherit, FT_BOOL),
       FD(constraint, indexname, FT_STR), FD(constraint, options, FT_LIST))
FIELDS(def_elem, FD(def_elem, ns, FT_STR), FD(def_elem, name, FT_STR), FD(def_elem, arg, FT_NODE))
FIELDS(partition_spec, FD(partition_spec, strategy, FT_STR), FD(partition_spec, params, FT_LIST))
FIELDS(create_table, FD(create_table, table, FT_NODE), FD(create_table, columns, FT_LIST),
       FD(create_table, constraints, FT_LIST), FD(create_table, options, FT_LIST),
       FD(create_table, inherits, FT_LIST), FD(create_table, partition, FT_NODE),
       FD(create_table, if_not_exists, FT_BOOL))
FIELDS(create_table_as, FD(create_table_as, table, FT_NODE), FD(create_table_as, cols, FT_NAMES),
       FD(create_table_as, query, FT_NODE), FD(create_table_as, if_not_exists, FT_BOOL),
       FD(create_table_as, matview, FT_BOOL), FD(create_table_as, with_no_data, FT_BOOL))
FIELDS(drop, FE(drop, obj, obj_types), FD(drop, names, FT_LIST), FE(drop, behavior, drop_behaviors),
       FD(drop, missing_ok, FT_BOOL), FD(drop, concurrent, FT_BOOL))
FIELDS(qname, FD(qname, names, FT_NAMES))
FIELDS(index_elem, FD(index_elem, column, FT_STR), FD(index_elem, expr, FT_NODE),
       FD(index_elem, collation, FT_NAMES), FD(index_elem, opclass, FT_NAMES),
       FE(index_elem, dir, sort_dirs), FE(index_elem, nulls, nulls_orders))
FIELDS(create_index, FD(create_index, name, FT_STR), FD(create_index, table, FT_NODE),
       FD(create_index, method, FT_STR), FD(create_index, params, FT_LIST),
       FD(create_index, including, FT_LIST), FD(create_index, options, FT_LIST),
       FD(create_index, where, FT_NODE), FD(create_index, unique, FT_BOOL),
       FD(create_index, concurrent, FT_BOOL), FD(create_index, if_not_exists, FT_BOOL),
       FD(create_index, nulls_not_distinct, FT_BOOL))
FIELDS(alter_table, FE(alter_table, obj, obj_types), FD(alter_table, table, FT_NODE),
       FD(alter_table, cmds, FT_LIST), FD(alter_table, missing_ok, FT_BOOL))
FIELDS(alter_cmd, FE(alter_cmd, ak, alter_kinds), FD(alter_cmd, name, FT_STR),
       FD(alter_cmd, def, FT_NODE), FE(alter_cmd, behavior, drop_behaviors),
       FD(alter_cmd, missing_ok, FT_BOOL))
FIELDS(rename, FE(rename, obj, obj_types), FD(rename, table, FT_NODE), FD(rename, object, FT_NODE),
       FD(rename, subname, FT_STR), FD(rename, newname, FT_STR), FD(rename, missing_ok, FT_BOOL))
FIELDS(truncate, FD(truncate, tables, FT_LIST), FD(truncate, restart_identity, FT_BOOL),
       FE(truncate, behavior, drop_behaviors))
FIELDS(transaction, FE(transaction, tk, txn_kinds), FD(transaction, options, FT_LIST),
       FD(transaction, savepoint, FT_STR), FD(transaction, gid, FT_STR),
       FD(transaction, chain, FT_BOOL))
FIELDS(var_set, FE(var_set, sk, set_kinds), FD(var_set, name, FT_STR), FD(var_set, args, FT_LIST),
       FD(var_set, local, FT_BOOL))
FIELDS(var_show, FD(var_show, name, FT_STR))
FIELDS(explain, FD(explain, query, FT_NODE), FD(explain, options, FT_LIST))
FIELDS(create_db, FD(create_db, name, FT_STR), FD(create_db, options, FT_LIST))
FIELDS(create_schema, FD(create_schema, name, FT_STR), FD(create_schema, authrole, FT_NODE),
       FD(create_schema, if_not_exists, FT_BOOL))
FIELDS(role_spec, FE(role_spec, rk, rolespecs), FD(role_spec, name, FT_STR))
FIELDS(create_role, FE(create_role, rs, role_stmts), FD(create_role, name, FT_STR),
       FD(create_role, options, FT_LIST))
FIELDS(alter_role, FD(alter_role, role, FT_NODE), FD(alter_role, options, FT_LIST))
FIELDS(drop_role, FD(drop_role, roles, FT_LIST), FD(drop_role, missing_ok, FT_BOOL))
FIELDS(access_priv, FD(access_priv, priv, FT_STR), FD(access_priv, cols, FT_NAMES))
FIELDS(grant, FD(grant, is_grant, FT_BOOL), FE(grant, obj, obj_types),
       FD(grant, all_in_schema, FT_BOOL), FD(grant, objects, FT_LIST), FD(grant, privs, FT_LIST),
       FD(grant, grantees, FT_LIST), FD(grant, grant_option, FT_BOOL),
       FE(grant, behavior, drop_behaviors))
FIELDS(grant_role, FD(grant_role, is_grant, FT_BOOL), FD(grant_role, roles, FT_LIST),
       FD(grant_role, grantees, FT_LIST), FD(grant_role, admin_opt, FT_BOOL))
FIELDS(copy, FD(copy, table, FT_NODE), FD(copy, query, FT_NODE), FD(copy, cols, FT_NAMES),
       FD(copy, is_from, FT_BOOL), FD(copy, is_program, FT_BOOL), FD(copy, filename, FT_STR),
       FD(copy, options, FT_LIST), FD(copy, where, FT_NODE))
FIELDS(vacuum, FD(vacuum, is_vacuum, FT_BOOL), FD(vacuum, options, FT_LIST),
       FD(vacuum, rels, FT_LIST))
FIELDS(vacuum_rel, FD(vacuum_rel, table, FT_NODE), FD(vacuum_rel, cols, FT_NAMES))
FIELDS(prepare, FD(prepare, name, FT_STR), FD(prepare, argtypes, FT_LIST),
       FD(prepare, query, FT_NODE))
FIELDS(execute, FD(execute, name, FT_STR), FD(execute, params, FT_LIST))
FIELDS(deallocate, FD(deallocate, name, FT_STR))
FIELDS(create_view, FD(create_view, view, FT_NODE), FD(create_view, cols, FT_NAMES),
       FD(create_view, query, FT_NODE), FD(create_view, replace, FT_BOOL),
       FD(create_view, options, FT_LIST), FE(create_view, check_option, check_options))
FIELDS(create_seq, FD(create_seq, seq, FT_NODE), FD(create_seq, options, FT_LIST),
       FD(create_seq, if_not_exists, FT_BOOL))
FIELDS(alter_seq, FD(alter_seq, seq, FT_NODE), FD(alter_seq, options, FT_LIST),
       FD(alter_seq, missing_ok, FT_BOOL))
FIELDS(discard, FE(discard, what, discards))
FIELDS(notify, FE(notify, nk, notify_kinds), FD(notify, channel, FT_STR),
       FD(notify, payload, FT_STR))
FIELDS(checkpoint, )

typedef struct kind_desc {
    const field_desc *fields;
    size_t n_fields;
} kind_desc;

static const kind_desc kind_descs[AST_KIND_COUNT] = {
#define X(kind, name, member, type)                                                                \
    [kind] = {fields_##member, sizeof(fields_##member) / sizeof(field_desc)},
    AST_KIND_MAP(X)
#undef X
};

/* ---- printer ---- */

typedef struct printer {
    mice_buf *out;
    bool locations;
} printer;

static void print_node(printer *p, const ast_node *n);

static bool is_plain_word(const char *s)
{
    if (!*s) return false;
    for (const char *c = s; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
                  (*c >= 'A' && *c <= 'Z') || ((unsigned char)*c >= 0x80) ||
                  strchr("+-*/<>=~!@#%^&|`?", *c);
        if (!ok) return false;
    }
    return true;
}

static void print_quoted(mice_buf *b, const char *s, char quote)
{
    buf_append_u8(b, (uint8_t)quote);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == (unsigned char)quote || *c == '\\') {
            buf_append_u8(b, '\\');
            buf_append_u8(b, *c);
        } else if (*c == '\n') {
            buf_append_str(b, "\\n");
        } else if (*c < 0x20 || *c == 0x7f) {
            buf_printf(b, "\\x%02x", *c);
        } else {
            buf_append_u8(b, *c);
        }
    }
    buf_append_u8(b, (uint8_t)quote);
}

static void print_name(mice_buf *b, const char *s)
{
    if (is_plain_word(s))
        buf_append_str(b, s);
    else
        print_quoted(b, s, '"');
}

static void print_names(mice_buf *b, const ast_names *names)
{
    for (uint32_t i = 0; i < names->n; i++) {
        if (i) buf_append_u8(b, '.');
        print_name(b, names->v[i]);
    }
}

static void print_list(printer *p, const ast_list *l)
{
    buf_append_u8(p->out, '[');
    for (uint32_t i = 0; i < l->n; i++) {
        if (i) buf_append_u8(p->out, ' ');
        print_node(p, l->items[i]);
    }
    buf_append_u8(p->out, ']');
}

/* Returns false when the field has its default value and is left out. */
static bool field_present(const field_desc *f, const uint8_t *base)
{
    const void *at = base + f->offset;
    switch (f->type) {
    case FT_NODE:
        return *(ast_node *const *)at != NULL;
    case FT_LIST:
        return ((const ast_list *)at)->n > 0;
    case FT_NAMES:
        return ((const ast_names *)at)->n > 0;
    case FT_INTS:
        return ((const ast_ints *)at)->n > 0;
    case FT_STR:
        return *(const char *const *)at != NULL;
    case FT_BOOL:
        return *(const bool *)at;
    case FT_INT:
        return true;
    case FT_TYPMOD:
        return *(const int32_t *)at != -1;
    case FT_HEX:
        return *(const int32_t *)at != 0;
    case FT_CHAR:
        return *(const char *)at != 0;
    case FT_PERSIST:
        return *(const char *)at != 0 && *(const char *)at != 'p';
    case FT_ENUM: {
        unsigned v = *(const unsigned *)at;
        return v >= f->n_texts || f->texts[v][0] != '\0';
    }
    }
    return false;
}

static void print_field_value(printer *p, const field_desc *f, const uint8_t *base)
{
    const void *at = base + f->offset;
    mice_buf *b = p->out;
    switch (f->type) {
    case FT_NODE:
        print_node(p, *(ast_node *const *)at);
        break;
    case FT_LIST:
        print_list(p, (const ast_list *)at);
        break;
    case FT_NAMES:
        print_names(b, (const ast_names *)at);
        break;
    case FT_INTS: {
        const ast_ints *v = at;
        buf_append_u8(b, '[');
        for (uint32_t i = 0; i < v->n; i++)
            buf_printf(b, i ? " %d" : "%d", v->v[i]);
        buf_append_u8(b, ']');
        break;
    }
    case FT_STR:
        print_name(b, *(const char *const *)at);
        break;
    case FT_BOOL:
        buf_append_str(b, "true");
        break;
    case FT_INT:
    case FT_TYPMOD:
        buf_printf(b, "%d", *(const int32_t *)at);
        break;
    case FT_HEX:
        buf_printf(b, "0x%x", (unsigned)*(const int32_t *)at);
        break;
    case FT_CHAR:
    case FT_PERSIST:
        buf_printf(b, "%c", *(const char *)at);
        break;
    case FT_ENUM: {
        unsigned v = *(const unsigned *)at;
        if (v < f->n_texts)
            buf_append_str(b, f->texts[v]);
        else
            buf_printf(b, "?%u", v);
        break;
    }
    }
}

/* Compact forms for the commonest leaves; returns false to use the generic form. */
static bool print_compact(printer *p, const ast_node *n)
{
    mice_buf *b = p->out;
    switch (n->kind) {
    case AST_CONST: {
        const ast_const *c = &n->u.konst;
        if (c->ck == AST_CONST_NULL)
            buf_append_str(b, "null");
        else if (c->ck == AST_CONST_BOOL)
            buf_append_str(b, c->bval ? "true" : "false");
        else if (c->ck == AST_CONST_INT)
            buf_printf(b, "%d", c->ival);
        else if (c->ck == AST_CONST_NUMERIC)
            buf_printf(b, "(num %s)", c->text ? c->text : "");
        else if (c->ck == AST_CONST_STRING)
            print_quoted(b, c->text ? c->text : "", '\'');
        else
            buf_printf(b, "(bits %s)", c->text ? c->text : "");
        return true;
    }
    case AST_PARAM:
        buf_printf(b, "$%d", n->u.param.number);
        return true;
    case AST_COLUMN_REF:
        if (n->u.column_ref.names.n == 0) {
            buf_append_str(b, "*");
            return true;
        }
        buf_append_str(b, "(col ");
        print_names(b, &n->u.column_ref.names);
        if (n->u.column_ref.star) buf_append_str(b, ".*");
        buf_append_u8(b, ')');
        return true;
    case AST_OP:
        buf_append_str(b, "(op ");
        print_names(b, &n->u.op.name);
        if (n->u.op.l) {
            buf_append_u8(b, ' ');
            print_node(p, n->u.op.l);
        }
        buf_append_u8(b, ' ');
        print_node(p, n->u.op.r);
        buf_append_u8(b, ')');
        return true;
    default:
        return false;
    }
}

static void print_node(printer *p, const ast_node *n)
{
    if (!n) {
        buf_append_str(p->out, "nil");
        return;
    }
    if (!p->locations && print_compact(p, n)) return;
    buf_printf(p->out, "(%s", ast_kind_name(n->kind));
    if (p->locations && n->loc >= 0) buf_printf(p->out, "@%d", n->loc);
    if ((unsigned)n->kind >= AST_KIND_COUNT) {
        buf_append_u8(p->out, ')');
        return;
    }
    const kind_desc *k = &kind_descs[n->kind];
    const uint8_t *base = (const uint8_t *)n;
    for (size_t i = 0; i < k->n_fields; i++) {
        const field_desc *f = &k->fields[i];
        if (!field_present(f, base)) continue;
        buf_printf(p->out, " :%s", f->name);
        if (f->type == FT_BOOL) continue;
        buf_append_u8(p->out, ' ');
        print_field_value(p, f, base);
    }
    buf_append_u8(p->out, ')');
}

void ast_print(const ast_node *n, mice_buf *out)
{
    printer p = {out, false};
    print_node(&p, n);
}

void ast_print_locations(const ast_node *n, mice_buf *out)
{
    printer p = {out, true};
    print_node(&p, n);
}
