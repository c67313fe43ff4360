/*
 * ast.h - MiceDB's own syntax tree for PostgreSQL 15 SQL.
 *
 * parse.c turns libpg_query's parse tree into this tree; everything above the parser (bind,
 * plan, EXPLAIN, tests) works on it and never sees libpg_query's structures. The tree is a
 * raw parse tree: names are unresolved, types are names, nothing is checked against the
 * catalog. It mirrors PostgreSQL's raw grammar output closely (so PostgreSQL's semantics
 * documentation applies node by node) but with plain C types: NUL-terminated arena
 * strings for names and literal text, ast_list for child nodes, ast_names for qualified
 * names.
 *
 * Every node is an ast_node: a kind, a source location (byte offset of the node's first
 * token in the whole text passed to sql_parse, -1 when unknown) and the payload for its
 * kind in the union u (u.<member> as named in AST_KIND_MAP). A node is allocated with
 * just the room its kind needs, so only the member that matches the kind may be touched.
 * Absent optional children are NULL, absent lists have n == 0, absent names are NULL.
 *
 * Literals keep their source text where precision matters: integers that fit in int32
 * are AST_CONST_INT with ival (text too), anything else numeric is AST_CONST_NUMERIC with
 * the exact digits, so numeric(30,10) constants are never rounded through a double.
 *
 * Owns: nothing; every node, list and string lives in the arena given to the parser and
 * dies with it. Thread safety: a tree belongs to the thread that owns its arena.
 * Invariants: node->kind < AST_KIND_COUNT; list items are never NULL (an absent element is
 * not stored); ast_print output is stable (tests compare it byte for byte).
 */
#ifndef MICE_SQL_AST_H
#define MICE_SQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"

typedef struct ast_node ast_node;

/* Arena-backed vector of child nodes. */
typedef struct ast_list {
    ast_node **items;
    uint32_t n;
    uint32_t cap;
} ast_list;

/* A possibly qualified name: {"pg_catalog", "int4"}, {"t", "c"}, {"~"}. */
typedef struct ast_names {
    const char **v;
    uint32_t n;
} ast_names;

/* Small integer vector (array bounds: -1 = unspecified, as in int[]). */
typedef struct ast_ints {
    int32_t *v;
    uint32_t n;
} ast_ints;

/* ---- enums used by payloads (0 is the default / absent value where one exists) ---- */

typedef enum {
    AST_CONST_NULL,
    AST_CONST_INT,     /* fits int32: ival; text holds the digits too */
    AST_CONST_NUMERIC, /* text: exact source digits (1.5, 1e10, 99999999999, -2147483648);
                          PostgreSQL types an integer that fits int8 as int8, else numeric */
    AST_CONST_STRING,  /* text: the string's value (escapes resolved) */
    AST_CONST_BITS,    /* text: "b0101" or "xFF" as PostgreSQL keeps it */
    AST_CONST_BOOL,    /* bval */
} ast_const_kind;

typedef enum { AST_BOOL_AND, AST_BOOL_OR, AST_BOOL_NOT } ast_bool_op;

typedef enum {
    AST_TEST_IS_TRUE,
    AST_TEST_IS_NOT_TRUE,
    AST_TEST_IS_FALSE,
    AST_TEST_IS_NOT_FALSE,
    AST_TEST_IS_UNKNOWN,
    AST_TEST_IS_NOT_UNKNOWN,
} ast_bool_test_kind;

typedef enum { AST_LIKE_LIKE, AST_LIKE_ILIKE, AST_LIKE_SIMILAR } ast_like_kind;

typedef enum {
    AST_SUBLINK_EXISTS, /* EXISTS (q) */
    AST_SUBLINK_ALL,    /* test op ALL (q) */
    AST_SUBLINK_ANY,    /* test op ANY (q); IN (q) is ANY with op "=" */
    AST_SUBLINK_ROWCOMPARE,
    AST_SUBLINK_EXPR,      /* (q) as a scalar */
    AST_SUBLINK_MULTIEXPR, /* UPDATE SET (a, b) = (q) */
    AST_SUBLINK_ARRAY,     /* ARRAY(q) */
} ast_sublink_kind;

typedef enum {
    AST_SVF_CURRENT_DATE,
    AST_SVF_CURRENT_TIME,
    AST_SVF_CURRENT_TIMESTAMP,
    AST_SVF_LOCALTIME,
    AST_SVF_LOCALTIMESTAMP,
    AST_SVF_CURRENT_ROLE,
    AST_SVF_CURRENT_USER,
    AST_SVF_USER,
    AST_SVF_SESSION_USER,
    AST_SVF_CURRENT_CATALOG,
    AST_SVF_CURRENT_SCHEMA,
} ast_svf_kind;

typedef enum { AST_SORT_DEFAULT, AST_SORT_ASC, AST_SORT_DESC, AST_SORT_USING } ast_sort_dir;
typedef enum { AST_NULLS_DEFAULT, AST_NULLS_FIRST, AST_NULLS_LAST } ast_nulls_order;

typedef enum { AST_SETOP_NONE, AST_SETOP_UNION, AST_SETOP_INTERSECT, AST_SETOP_EXCEPT } ast_setop;

/* LIMIT n / FETCH FIRST n ROWS ONLY are AST_LIMIT_COUNT; FETCH ... WITH TIES differs. */
typedef enum { AST_LIMIT_DEFAULT, AST_LIMIT_COUNT, AST_LIMIT_WITH_TIES } ast_limit_kind;

typedef enum {
    AST_LOCK_NONE,
    AST_LOCK_FOR_KEY_SHARE,
    AST_LOCK_FOR_SHARE,
    AST_LOCK_FOR_NO_KEY_UPDATE,
    AST_LOCK_FOR_UPDATE,
} ast_lock_strength;
typedef enum { AST_LOCK_WAIT_BLOCK, AST_LOCK_WAIT_SKIP, AST_LOCK_WAIT_NOWAIT } ast_lock_wait;

typedef enum {
    AST_GSET_EMPTY,  /* () */
    AST_GSET_SIMPLE, /* (a, b) inside GROUPING SETS */
    AST_GSET_ROLLUP,
    AST_GSET_CUBE,
    AST_GSET_SETS, /* GROUPING SETS (...) */
} ast_gset_kind;

typedef enum { AST_CTE_MAT_DEFAULT, AST_CTE_MAT_ALWAYS, AST_CTE_MAT_NEVER } ast_cte_mat;

typedef enum { AST_JOIN_INNER, AST_JOIN_LEFT, AST_JOIN_FULL, AST_JOIN_RIGHT } ast_join_type;

typedef enum { AST_CONFLICT_NOTHING = 1, AST_CONFLICT_UPDATE } ast_conflict_action;

typedef enum { AST_OVERRIDING_NONE, AST_OVERRIDING_USER, AST_OVERRIDING_SYSTEM } ast_overriding;

/* Window frame bits: PostgreSQL's FRAMEOPTION_* values (nodes/parsenodes.h), kept as is. */
enum {
    AST_FRAME_NONDEFAULT = 0x1,
    AST_FRAME_RANGE = 0x2,
    AST_FRAME_ROWS = 0x4,
    AST_FRAME_GROUPS = 0x8,
    AST_FRAME_BETWEEN = 0x10,
    AST_FRAME_START_UNBOUNDED_PRECEDING = 0x20,
    AST_FRAME_END_UNBOUNDED_PRECEDING = 0x40,
    AST_FRAME_START_UNBOUNDED_FOLLOWING = 0x80,
    AST_FRAME_END_UNBOUNDED_FOLLOWING = 0x100,
    AST_FRAME_START_CURRENT_ROW = 0x200,
    AST_FRAME_END_CURRENT_ROW = 0x400,
    AST_FRAME_START_OFFSET_PRECEDING = 0x800,
    AST_FRAME_END_OFFSET_PRECEDING = 0x1000,
    AST_FRAME_START_OFFSET_FOLLOWING = 0x2000,
    AST_FRAME_END_OFFSET_FOLLOWING = 0x4000,
    AST_FRAME_EXCLUDE_CURRENT_ROW = 0x8000,
    AST_FRAME_EXCLUDE_GROUP = 0x10000,
    AST_FRAME_EXCLUDE_TIES = 0x20000,
};

typedef enum {
    AST_CONSTR_NULL,
    AST_CONSTR_NOT_NULL,
    AST_CONSTR_DEFAULT,   /* expr */
    AST_CONSTR_IDENTITY,  /* generated_when, options (sequence options) */
    AST_CONSTR_GENERATED, /* GENERATED ALWAYS AS (expr) STORED */
    AST_CONSTR_CHECK,     /* expr */
    AST_CONSTR_PRIMARY,   /* keys (empty on a column constraint), including */
    AST_CONSTR_UNIQUE,
    AST_CONSTR_EXCLUSION,
    AST_CONSTR_FOREIGN, /* pktable, fk_attrs, pk_attrs, fk_* */
    AST_CONSTR_DEFERRABLE,
    AST_CONSTR_NOT_DEFERRABLE,
    AST_CONSTR_DEFERRED,
    AST_CONSTR_IMMEDIATE,
} ast_constr_type;

/* Object kinds named by DROP, RENAME, GRANT, ALTER ... (a subset; others are 0A000). */
typedef enum {
    AST_OBJ_NONE,
    AST_OBJ_TABLE,
    AST_OBJ_INDEX,
    AST_OBJ_VIEW,
    AST_OBJ_MATVIEW,
    AST_OBJ_SEQUENCE,
    AST_OBJ_DATABASE,
    AST_OBJ_SCHEMA,
    AST_OBJ_COLUMN,
    AST_OBJ_TABCONSTRAINT,
    AST_OBJ_ROLE,
    AST_OBJ_FUNCTION,
    AST_OBJ_TYPE,
    AST_OBJ_OTHER,
} ast_obj_type;

typedef enum { AST_DROP_RESTRICT, AST_DROP_CASCADE } ast_drop_behavior;

typedef enum {
    AST_ALTER_ADD_COLUMN,      /* def: COLUMN_DEF; missing_ok = IF NOT EXISTS */
    AST_ALTER_DROP_COLUMN,     /* name; missing_ok = IF EXISTS; behavior */
    AST_ALTER_COLUMN_DEFAULT,  /* name; def: expr, or NULL for DROP DEFAULT */
    AST_ALTER_DROP_NOT_NULL,   /* name */
    AST_ALTER_SET_NOT_NULL,    /* name */
    AST_ALTER_COLUMN_TYPE,     /* name; def: COLUMN_DEF (type, USING in u.column_def.expr) */
    AST_ALTER_ADD_CONSTRAINT,  /* def: CONSTRAINT (ADD PRIMARY KEY (a) included) */
    AST_ALTER_DROP_CONSTRAINT, /* name; missing_ok; behavior */
    AST_ALTER_ADD_IDENTITY,    /* name; def: CONSTRAINT */
    AST_ALTER_DROP_IDENTITY,   /* name; missing_ok */
    AST_ALTER_SET_OPTIONS,     /* SET (fillfactor = n): def: EXPR_LIST of DEF_ELEM */
    AST_ALTER_RESET_OPTIONS,
    AST_ALTER_OWNER, /* name: new owner */
} ast_alter_kind;

typedef enum {
    AST_TXN_BEGIN,
    AST_TXN_START,
    AST_TXN_COMMIT,
    AST_TXN_ROLLBACK,
    AST_TXN_SAVEPOINT,
    AST_TXN_RELEASE,
    AST_TXN_ROLLBACK_TO,
    AST_TXN_PREPARE,
    AST_TXN_COMMIT_PREPARED,
    AST_TXN_ROLLBACK_PREPARED,
} ast_txn_kind;

typedef enum {
    AST_SET_VALUE,     /* SET name = args / TO args */
    AST_SET_DEFAULT,   /* SET name TO DEFAULT */
    AST_SET_CURRENT,   /* SET name FROM CURRENT */
    AST_SET_MULTI,     /* SET TRANSACTION ..., SET SESSION CHARACTERISTICS: args are DEF_ELEM */
    AST_SET_RESET,     /* RESET name */
    AST_SET_RESET_ALL, /* RESET ALL */
} ast_set_kind;

typedef enum {
    AST_DISCARD_ALL,
    AST_DISCARD_PLANS,
    AST_DISCARD_SEQUENCES,
    AST_DISCARD_TEMP
} ast_discard;

typedef enum { AST_ROLE_STMT_ROLE, AST_ROLE_STMT_USER, AST_ROLE_STMT_GROUP } ast_role_stmt;

typedef enum {
    AST_ROLESPEC_NAME,
    AST_ROLESPEC_CURRENT_ROLE,
    AST_ROLESPEC_CURRENT_USER,
    AST_ROLESPEC_SESSION_USER,
    AST_ROLESPEC_PUBLIC,
} ast_rolespec_kind;

typedef enum { AST_NOTIFY_LISTEN, AST_NOTIFY_UNLISTEN, AST_NOTIFY_NOTIFY } ast_notify_kind;

/* ---- payloads ---- */

typedef struct ast_const {
    ast_const_kind ck;
    bool bval;
    int32_t ival;
    const char *text; /* NULL for NULL and BOOL */
} ast_const;

typedef struct ast_param {
    int32_t number; /* $n, 1-based */
} ast_param;

/* a, t.a, s.t.a, db.s.t.a, t.*, and the bare * of a target list (names.n == 0). */
typedef struct ast_column_ref {
    ast_names names;
    bool star;
} ast_column_ref;

/* Binary (l op r) or prefix (op r, l == NULL) operator; name may be qualified:
 * OPERATOR(pg_catalog.~) gives {"pg_catalog", "~"}. */
typedef struct ast_op {
    ast_names name;
    ast_node *l;
    ast_node *r;
} ast_op;

typedef struct ast_bool_expr {
    ast_bool_op op;
    ast_list args; /* AND/OR: 2 or more (PostgreSQL flattens chains); NOT: 1 */
} ast_bool_expr;

typedef struct ast_null_test {
    ast_node *arg;
    bool is_not;
} ast_null_test;

typedef struct ast_bool_test {
    ast_node *arg;
    ast_bool_test_kind test;
} ast_bool_test;

/* l IS [NOT] DISTINCT FROM r */
typedef struct ast_distinct {
    ast_node *l;
    ast_node *r;
    bool is_not;
} ast_distinct;

/* l op ANY (array) / l op ALL (array); the subquery form is AST_SUBLINK. */
typedef struct ast_any_all {
    ast_names op;
    ast_node *l;
    ast_node *r;
    bool all;
} ast_any_all;

/* l [NOT] IN (list...); the subquery form is AST_SUBLINK ANY with op "=". */
typedef struct ast_in_list {
    ast_node *l;
    ast_list list;
    bool negated;
} ast_in_list;

typedef struct ast_sublink {
    ast_sublink_kind sk;
    ast_node *test; /* left side for ANY/ALL/ROWCOMPARE; NULL otherwise */
    ast_names op;   /* operator for ANY/ALL/ROWCOMPARE */
    ast_node *query;
} ast_sublink;

typedef struct ast_between {
    ast_node *arg;
    ast_node *lo;
    ast_node *hi;
    bool negated;
    bool symmetric;
} ast_between;

typedef struct ast_like {
    ast_like_kind lk;
    ast_node *arg;
    ast_node *pattern;
    ast_node *escape; /* NULL when no ESCAPE clause */
    bool negated;
} ast_like;

typedef struct ast_pair {
    ast_node *l;
    ast_node *r;
} ast_pair; /* NULLIF(l, r) */

typedef struct ast_args {
    ast_list args;
} ast_args; /* COALESCE, ARRAY[...], GROUPING(...), expression lists */

typedef struct ast_minmax {
    bool greatest; /* else LEAST */
    ast_list args;
} ast_minmax;

typedef struct ast_case {
    ast_node *arg;   /* CASE arg WHEN ...; NULL for a searched CASE */
    ast_list whens;  /* AST_CASE_WHEN */
    ast_node *else_; /* NULL when absent */
} ast_case;

typedef struct ast_case_when {
    ast_node *cond;
    ast_node *result;
} ast_case_when;

typedef struct ast_type_name {
    ast_names names;       /* as written or as the grammar normalised it: {"pg_catalog","int4"} */
    ast_list typmods;      /* expressions: varchar(20), numeric(10,2) */
    ast_ints array_bounds; /* int[] -> {-1}; int[3][4] -> {3, 4} */
    bool setof;
    bool pct_type; /* t.c%TYPE (ignored by the binder) */
} ast_type_name;

typedef struct ast_cast {
    ast_node *arg;
    ast_node *type; /* AST_TYPE_NAME */
} ast_cast;

typedef struct ast_collate {
    ast_node *arg;
    ast_names collation;
} ast_collate;

typedef struct ast_func {
    ast_names name; /* EXTRACT etc. arrive as {"pg_catalog", "extract"} */
    ast_list args;
    ast_list agg_order; /* AST_SORT_BY: string_agg(x, ',' ORDER BY y) */
    ast_node *filter;   /* FILTER (WHERE ...) */
    ast_node *over;     /* AST_WINDOW_DEF */
    bool star;          /* count(*) */
    bool distinct;
    bool variadic;
    bool within_group; /* agg_order came from WITHIN GROUP (ORDER BY ...) */
} ast_func;

typedef struct ast_named_arg {
    const char *name;
    ast_node *arg;
} ast_named_arg;

typedef struct ast_row {
    ast_list args;
    bool explicit_row; /* ROW(...) rather than (a, b) */
} ast_row;

/* arg followed by subscripts and field selections: (f(x)).a, arr[1][2:3], (r).* */
typedef struct ast_indirection {
    ast_node *arg;
    ast_list path; /* AST_SUBSCRIPT / AST_FIELD */
} ast_indirection;

typedef struct ast_subscript {
    ast_node *lo; /* the index, or the lower bound of a slice (NULL = open) */
    ast_node *hi; /* upper bound of a slice */
    bool slice;
} ast_subscript;

typedef struct ast_field {
    const char *name; /* NULL when star */
    bool star;
} ast_field;

typedef struct ast_svf {
    ast_svf_kind fn;
    int32_t typmod; /* CURRENT_TIMESTAMP(3) -> 3; -1 when absent */
} ast_svf;

typedef struct ast_res_target {
    const char *name;     /* AS alias (SELECT), column (INSERT/UPDATE), NULL if none */
    ast_list indirection; /* INSERT INTO t (a[1], b.c): AST_SUBSCRIPT / AST_FIELD */
    ast_node *val;        /* NULL in INSERT column lists and SET targets */
} ast_res_target;

/* UPDATE SET item: one column (cols.n == 1) or (a, b) = (...) (multi). */
typedef struct ast_set_clause {
    ast_list cols; /* AST_RES_TARGET without val */
    ast_node *value;
    bool multi;
} ast_set_clause;

typedef struct ast_alias {
    const char *name;
    ast_names cols; /* AS t(a, b) */
} ast_alias;

typedef struct ast_range_var {
    const char *catalog; /* NULL when not given */
    const char *schema;
    const char *rel;
    bool only;        /* ONLY t */
    char persistence; /* 'p' permanent, 't' temp, 'u' unlogged */
    ast_node *alias;  /* AST_ALIAS */
} ast_range_var;

typedef struct ast_join {
    ast_join_type jt;
    bool natural;
    bool cross; /* written CROSS JOIN or a comma-less ON-less inner join */
    ast_node *l;
    ast_node *r;
    ast_names using_cols;
    ast_node *on;
    ast_node *alias;       /* (a JOIN b) AS x */
    ast_node *using_alias; /* JOIN ... USING (a) AS x */
} ast_join;

typedef struct ast_range_subselect {
    bool lateral;
    ast_node *query;
    ast_node *alias;
} ast_range_subselect;

typedef struct ast_range_func {
    bool lateral;
    bool ordinality;
    bool rows_from; /* ROWS FROM (f(), g()) */
    ast_list funcs; /* function call expressions */
    ast_node *alias;
    ast_list coldefs; /* AS t(a int, b text): AST_COLUMN_DEF */
} ast_range_func;

typedef struct ast_sort_by {
    ast_node *expr;
    ast_sort_dir dir;
    ast_nulls_order nulls;
    ast_names using_op; /* ORDER BY x USING < */
} ast_sort_by;

typedef struct ast_window_def {
    const char *name;    /* WINDOW w AS (...) */
    const char *refname; /* OVER (w ORDER BY ...) or OVER w */
    ast_list partition;
    ast_list order; /* AST_SORT_BY */
    int32_t frame;  /* AST_FRAME_* bits */
    ast_node *start_offset;
    ast_node *end_offset;
} ast_window_def;

/* GROUP BY ROLLUP/CUBE/GROUPING SETS. Inside SETS, an implicit AST_ROW (a, b) is one set
 * of several columns and an AST_GSET_EMPTY node is (). */
typedef struct ast_grouping_set {
    ast_gset_kind gk;
    ast_list content;
} ast_grouping_set;

typedef struct ast_locking {
    ast_lock_strength strength;
    ast_lock_wait wait;
    ast_list rels; /* FOR UPDATE OF t: AST_RANGE_VAR */
} ast_locking;

typedef struct ast_with {
    bool recursive;
    ast_list ctes; /* AST_CTE */
} ast_with;

typedef struct ast_cte {
    const char *name;
    ast_names cols;
    ast_cte_mat materialized;
    ast_node *query;
} ast_cte;

/* SELECT, VALUES, and set operations (set_op != NONE: larg/rarg set, the SELECT-list
 * fields empty; ORDER BY/LIMIT/locking/WITH of the whole set operation live here). */
typedef struct ast_select {
    ast_node *with;
    bool distinct;        /* DISTINCT or DISTINCT ON */
    ast_list distinct_on; /* empty for plain DISTINCT */
    ast_list targets;     /* AST_RES_TARGET */
    ast_node *into;       /* SELECT INTO t: AST_RANGE_VAR (CREATE TABLE AS) */
    ast_list from;
    ast_node *where;
    ast_list group_by;
    bool group_distinct;
    ast_node *having;
    ast_list windows;  /* AST_WINDOW_DEF with name */
    ast_list values;   /* VALUES rows: each an AST_EXPR_LIST */
    ast_list order_by; /* AST_SORT_BY */
    ast_node *limit;
    ast_node *offset;
    ast_limit_kind limit_kind;
    ast_list locking; /* AST_LOCKING */
    ast_setop set_op;
    bool all;
    ast_node *larg;
    ast_node *rarg;
} ast_select;

typedef struct ast_on_conflict {
    ast_conflict_action action;
    ast_list infer_elems; /* ON CONFLICT (a, b): AST_INDEX_ELEM */
    ast_node *infer_where;
    const char *constraint; /* ON CONFLICT ON CONSTRAINT c */
    ast_list set;           /* DO UPDATE SET: AST_SET_CLAUSE */
    ast_node *where;
} ast_on_conflict;

typedef struct ast_insert {
    ast_node *with;
    ast_node *table; /* AST_RANGE_VAR (alias allowed) */
    ast_list cols;   /* AST_RES_TARGET */
    ast_node *query; /* AST_SELECT (VALUES or SELECT); NULL for DEFAULT VALUES */
    ast_node *on_conflict;
    ast_list returning;
    ast_overriding overriding;
} ast_insert;

typedef struct ast_update {
    ast_node *with;
    ast_node *table;
    ast_list set; /* AST_SET_CLAUSE */
    ast_list from;
    ast_node *where;
    ast_list returning;
} ast_update;

typedef struct ast_delete {
    ast_node *with;
    ast_node *table;
    ast_list using_;
    ast_node *where;
    ast_list returning;
} ast_delete;

typedef struct ast_column_def {
    const char *name;
    ast_node *type;       /* AST_TYPE_NAME */
    ast_list constraints; /* AST_CONSTRAINT */
    ast_names collation;
    ast_node *expr; /* ALTER COLUMN TYPE ... USING expr */
} ast_column_def;

typedef struct ast_constraint {
    ast_constr_type ct;
    const char *name; /* CONSTRAINT name */
    ast_node *expr;   /* CHECK / DEFAULT / GENERATED expression */
    ast_names keys;   /* PRIMARY KEY / UNIQUE columns */
    ast_names including;
    ast_node *pktable; /* REFERENCES t: AST_RANGE_VAR */
    ast_names fk_attrs;
    ast_names pk_attrs;
    char fk_match;      /* 's' simple, 'f' full, 'p' partial; 0 when absent */
    char fk_upd_action; /* 'a' no action, 'r' restrict, 'c' cascade, 'n' set null,
                           'd' set default; 0 when absent */
    char fk_del_action;
    char generated_when; /* 'a' ALWAYS, 'd' BY DEFAULT */
    bool deferrable;
    bool initdeferred;
    bool nulls_not_distinct;
    bool no_inherit;
    const char *indexname; /* USING INDEX */
    ast_list options;      /* identity sequence options or WITH (...): AST_DEF_ELEM */
} ast_constraint;

/* name = arg in WITH (...), EXPLAIN (...), COPY ... WITH (...), role and sequence options,
 * transaction modes. arg is an expression (usually AST_CONST or AST_TYPE_NAME or a
 * AST_EXPR_LIST of names), or NULL when the option has no value (EXPLAIN (ANALYZE)). */
typedef struct ast_def_elem {
    const char *ns; /* toast.x -> "toast"; usually NULL */
    const char *name;
    ast_node *arg;
} ast_def_elem;

typedef struct ast_partition_spec {
    const char *strategy; /* "range", "list", "hash" */
    ast_list params;      /* AST_INDEX_ELEM */
} ast_partition_spec;

typedef struct ast_create_table {
    ast_node *table;      /* AST_RANGE_VAR: persistence 't' for TEMP */
    ast_list columns;     /* AST_COLUMN_DEF */
    ast_list constraints; /* table constraints: AST_CONSTRAINT */
    ast_list options;     /* WITH (fillfactor = 100): AST_DEF_ELEM */
    ast_list inherits;    /* INHERITS (t): AST_RANGE_VAR */
    ast_node *partition;  /* PARTITION BY: AST_PARTITION_SPEC */
    bool if_not_exists;
} ast_create_table;

typedef struct ast_create_table_as {
    ast_node *table;
    ast_names cols;
    ast_node *query;
    bool if_not_exists;
    bool matview;
    bool with_no_data;
} ast_create_table_as;

typedef struct ast_drop {
    ast_obj_type obj;
    ast_list names; /* AST_QNAME */
    ast_drop_behavior behavior;
    bool missing_ok;
    bool concurrent;
} ast_drop;

typedef struct ast_qname {
    ast_names names;
} ast_qname;

typedef struct ast_index_elem {
    const char *column; /* or expr */
    ast_node *expr;
    ast_names collation;
    ast_names opclass;
    ast_sort_dir dir;
    ast_nulls_order nulls;
} ast_index_elem;

typedef struct ast_create_index {
    const char *name; /* NULL: the system picks one */
    ast_node *table;
    const char *method; /* "btree" when not given */
    ast_list params;    /* AST_INDEX_ELEM */
    ast_list including; /* AST_INDEX_ELEM */
    ast_list options;
    ast_node *where;
    bool unique;
    bool concurrent;
    bool if_not_exists;
    bool nulls_not_distinct;
} ast_create_index;

typedef struct ast_alter_table {
    ast_obj_type obj; /* TABLE, INDEX, VIEW, SEQUENCE */
    ast_node *table;
    ast_list cmds; /* AST_ALTER_CMD */
    bool missing_ok;
} ast_alter_table;

typedef struct ast_alter_cmd {
    ast_alter_kind ak;
    const char *name;
    ast_node *def;
    ast_drop_behavior behavior;
    bool missing_ok;
} ast_alter_cmd;

/* ALTER TABLE t RENAME TO u / RENAME COLUMN a TO b / RENAME CONSTRAINT, ALTER INDEX ... */
typedef struct ast_rename {
    ast_obj_type obj;    /* what is renamed: TABLE, COLUMN, TABCONSTRAINT, INDEX, ... */
    ast_node *table;     /* the relation, when there is one */
    ast_node *object;    /* other objects (schemas, databases, roles): AST_QNAME */
    const char *subname; /* old column / constraint name */
    const char *newname;
    bool missing_ok;
} ast_rename;

typedef struct ast_truncate {
    ast_list tables; /* AST_RANGE_VAR */
    bool restart_identity;
    ast_drop_behavior behavior;
} ast_truncate;

typedef struct ast_transaction {
    ast_txn_kind tk;
    ast_list options; /* AST_DEF_ELEM: transaction_isolation, transaction_read_only, ... */
    const char *savepoint;
    const char *gid;
    bool chain;
} ast_transaction;

typedef struct ast_var_set {
    ast_set_kind sk;
    const char *name; /* lower case; SET TIME ZONE -> "timezone" */
    ast_list args;
    bool local; /* SET LOCAL */
} ast_var_set;

typedef struct ast_var_show {
    const char *name; /* "all" for SHOW ALL */
} ast_var_show;

typedef struct ast_explain {
    ast_node *query;
    ast_list options; /* AST_DEF_ELEM: analyze, verbose, costs, format, ... */
} ast_explain;

typedef struct ast_create_db {
    const char *name;
    ast_list options;
} ast_create_db;

typedef struct ast_create_schema {
    const char *name;
    ast_node *authrole; /* AST_ROLE_SPEC */
    bool if_not_exists;
} ast_create_schema;

typedef struct ast_role_spec {
    ast_rolespec_kind rk;
    const char *name;
} ast_role_spec;

typedef struct ast_create_role {
    ast_role_stmt rs;
    const char *name;
    ast_list options; /* AST_DEF_ELEM: password, canlogin, superuser, ... */
} ast_create_role;

typedef struct ast_alter_role {
    ast_node *role; /* AST_ROLE_SPEC */
    ast_list options;
} ast_alter_role;

typedef struct ast_drop_role {
    ast_list roles; /* AST_ROLE_SPEC */
    bool missing_ok;
} ast_drop_role;

typedef struct ast_access_priv {
    const char *priv; /* "select", ...; NULL = ALL PRIVILEGES */
    ast_names cols;
} ast_access_priv;

typedef struct ast_grant {
    bool is_grant;
    ast_obj_type obj;
    bool all_in_schema; /* ON ALL TABLES IN SCHEMA s */
    ast_list objects;   /* AST_RANGE_VAR for tables, AST_QNAME otherwise */
    ast_list privs;     /* AST_ACCESS_PRIV; empty = ALL */
    ast_list grantees;  /* AST_ROLE_SPEC */
    bool grant_option;
    ast_drop_behavior behavior;
} ast_grant;

typedef struct ast_grant_role {
    bool is_grant;
    ast_list roles;    /* AST_ACCESS_PRIV (role names in priv) */
    ast_list grantees; /* AST_ROLE_SPEC */
    bool admin_opt;
} ast_grant_role;

typedef struct ast_copy {
    ast_node *table; /* AST_RANGE_VAR, or NULL with query */
    ast_node *query; /* COPY (query) TO ... */
    ast_names cols;
    bool is_from;
    bool is_program;
    const char *filename; /* NULL: STDIN / STDOUT */
    ast_list options;     /* AST_DEF_ELEM: format, header, delimiter, null, freeze, ... */
    ast_node *where;
} ast_copy;

typedef struct ast_vacuum {
    bool is_vacuum;   /* else ANALYZE */
    ast_list options; /* AST_DEF_ELEM: analyze, verbose, full, freeze, ... */
    ast_list rels;    /* AST_VACUUM_REL */
} ast_vacuum;

typedef struct ast_vacuum_rel {
    ast_node *table;
    ast_names cols;
} ast_vacuum_rel;

typedef struct ast_prepare {
    const char *name;
    ast_list argtypes; /* AST_TYPE_NAME */
    ast_node *query;
} ast_prepare;

typedef struct ast_execute {
    const char *name;
    ast_list params;
} ast_execute;

typedef struct ast_deallocate {
    const char *name; /* NULL: DEALLOCATE ALL */
} ast_deallocate;

typedef struct ast_create_view {
    ast_node *view; /* AST_RANGE_VAR */
    ast_names cols;
    ast_node *query;
    bool replace;
    ast_list options;
    int32_t check_option; /* 0 none, 1 LOCAL, 2 CASCADED CHECK OPTION */
    const char *query_text; /* the query as written (to the statement's end) */
} ast_create_view;

typedef struct ast_sequence {
    ast_node *seq; /* AST_RANGE_VAR */
    ast_list options;
    bool if_not_exists; /* CREATE */
    bool missing_ok;    /* ALTER */
} ast_sequence;

typedef struct ast_discard_stmt {
    ast_discard what;
} ast_discard_stmt;

/* LISTEN / UNLISTEN / NOTIFY: parsed so the executor can answer 0A000 with the right
 * command name today and implement them later. GRANT/REVOKE likewise arrive complete. */
typedef struct ast_notify {
    ast_notify_kind nk;
    const char *channel; /* NULL: UNLISTEN * */
    const char *payload;
} ast_notify;

typedef struct ast_none {
    int32_t unused;
} ast_none;

/* X(KIND, printed name, union member, payload type) */
#define AST_KIND_MAP(X)                                                                            \
    X(AST_CONST, "const", konst, ast_const)                                                        \
    X(AST_PARAM, "param", param, ast_param)                                                        \
    X(AST_COLUMN_REF, "col", column_ref, ast_column_ref)                                           \
    X(AST_OP, "op", op, ast_op)                                                                    \
    X(AST_BOOL_EXPR, "bool", bool_expr, ast_bool_expr)                                             \
    X(AST_NULL_TEST, "null_test", null_test, ast_null_test)                                        \
    X(AST_BOOL_TEST, "bool_test", bool_test, ast_bool_test)                                        \
    X(AST_DISTINCT, "distinct_from", distinct, ast_distinct)                                       \
    X(AST_ANY_ALL, "any_all", any_all, ast_any_all)                                                \
    X(AST_IN_LIST, "in", in_list, ast_in_list)                                                     \
    X(AST_SUBLINK, "sublink", sublink, ast_sublink)                                                \
    X(AST_BETWEEN, "between", between, ast_between)                                                \
    X(AST_LIKE, "like", like, ast_like)                                                            \
    X(AST_NULLIF, "nullif", nullif, ast_pair)                                                      \
    X(AST_COALESCE, "coalesce", coalesce, ast_args)                                                \
    X(AST_MINMAX, "minmax", minmax, ast_minmax)                                                    \
    X(AST_CASE, "case", case_, ast_case)                                                           \
    X(AST_CASE_WHEN, "when", case_when, ast_case_when)                                             \
    X(AST_CAST, "cast", cast, ast_cast)                                                            \
    X(AST_TYPE_NAME, "type", type_name, ast_type_name)                                             \
    X(AST_COLLATE, "collate", collate, ast_collate)                                                \
    X(AST_FUNC, "func", func, ast_func)                                                            \
    X(AST_NAMED_ARG, "named_arg", named_arg, ast_named_arg)                                        \
    X(AST_ARRAY, "array", array, ast_args)                                                         \
    X(AST_ROW, "row", row, ast_row)                                                                \
    X(AST_INDIRECTION, "indirection", indirection, ast_indirection)                                \
    X(AST_SUBSCRIPT, "subscript", subscript, ast_subscript)                                        \
    X(AST_FIELD, "field", field, ast_field)                                                        \
    X(AST_SVF, "svf", svf, ast_svf)                                                                \
    X(AST_GROUPING_FUNC, "grouping", grouping_func, ast_args)                                      \
    X(AST_SET_TO_DEFAULT, "default", set_to_default, ast_none)                                     \
    X(AST_EXPR_LIST, "list", expr_list, ast_args)                                                  \
    X(AST_RES_TARGET, "target", res_target, ast_res_target)                                        \
    X(AST_SET_CLAUSE, "set", set_clause, ast_set_clause)                                           \
    X(AST_ALIAS, "alias", alias, ast_alias)                                                        \
    X(AST_RANGE_VAR, "table", range_var, ast_range_var)                                            \
    X(AST_JOIN, "join", join, ast_join)                                                            \
    X(AST_RANGE_SUBSELECT, "subselect", range_subselect, ast_range_subselect)                      \
    X(AST_RANGE_FUNC, "table_func", range_func, ast_range_func)                                    \
    X(AST_SORT_BY, "sort", sort_by, ast_sort_by)                                                   \
    X(AST_WINDOW_DEF, "window", window_def, ast_window_def)                                        \
    X(AST_GROUPING_SET, "grouping_set", grouping_set, ast_grouping_set)                            \
    X(AST_LOCKING, "locking", locking, ast_locking)                                                \
    X(AST_WITH, "with", with, ast_with)                                                            \
    X(AST_CTE, "cte", cte, ast_cte)                                                                \
    X(AST_SELECT, "select", select, ast_select)                                                    \
    X(AST_ON_CONFLICT, "on_conflict", on_conflict, ast_on_conflict)                                \
    X(AST_INSERT, "insert", insert, ast_insert)                                                    \
    X(AST_UPDATE, "update", update, ast_update)                                                    \
    X(AST_DELETE, "delete", delete_, ast_delete)                                                   \
    X(AST_COLUMN_DEF, "column", column_def, ast_column_def)                                        \
    X(AST_CONSTRAINT, "constraint", constraint, ast_constraint)                                    \
    X(AST_DEF_ELEM, "opt", def_elem, ast_def_elem)                                                 \
    X(AST_PARTITION_SPEC, "partition_by", partition_spec, ast_partition_spec)                      \
    X(AST_CREATE_TABLE, "create_table", create_table, ast_create_table)                            \
    X(AST_CREATE_TABLE_AS, "create_table_as", create_table_as, ast_create_table_as)                \
    X(AST_DROP, "drop", drop, ast_drop)                                                            \
    X(AST_QNAME, "name", qname, ast_qname)                                                         \
    X(AST_INDEX_ELEM, "index_elem", index_elem, ast_index_elem)                                    \
    X(AST_CREATE_INDEX, "create_index", create_index, ast_create_index)                            \
    X(AST_ALTER_TABLE, "alter_table", alter_table, ast_alter_table)                                \
    X(AST_ALTER_CMD, "alter", alter_cmd, ast_alter_cmd)                                            \
    X(AST_RENAME, "rename", rename, ast_rename)                                                    \
    X(AST_TRUNCATE, "truncate", truncate, ast_truncate)                                            \
    X(AST_TRANSACTION, "transaction", transaction, ast_transaction)                                \
    X(AST_VAR_SET, "set_var", var_set, ast_var_set)                                                \
    X(AST_VAR_SHOW, "show", var_show, ast_var_show)                                                \
    X(AST_EXPLAIN, "explain", explain, ast_explain)                                                \
    X(AST_CREATE_DB, "create_database", create_db, ast_create_db)                                  \
    X(AST_CREATE_SCHEMA, "create_schema", create_schema, ast_create_schema)                        \
    X(AST_ROLE_SPEC, "role", role_spec, ast_role_spec)                                             \
    X(AST_CREATE_ROLE, "create_role", create_role, ast_create_role)                                \
    X(AST_ALTER_ROLE, "alter_role", alter_role, ast_alter_role)                                    \
    X(AST_DROP_ROLE, "drop_role", drop_role, ast_drop_role)                                        \
    X(AST_ACCESS_PRIV, "priv", access_priv, ast_access_priv)                                       \
    X(AST_GRANT, "grant", grant, ast_grant)                                                        \
    X(AST_GRANT_ROLE, "grant_role", grant_role, ast_grant_role)                                    \
    X(AST_COPY, "copy", copy, ast_copy)                                                            \
    X(AST_VACUUM, "vacuum", vacuum, ast_vacuum)                                                    \
    X(AST_VACUUM_REL, "vacuum_rel", vacuum_rel, ast_vacuum_rel)                                    \
    X(AST_PREPARE, "prepare", prepare, ast_prepare)                                                \
    X(AST_EXECUTE, "execute", execute, ast_execute)                                                \
    X(AST_DEALLOCATE, "deallocate", deallocate, ast_deallocate)                                    \
    X(AST_CREATE_VIEW, "create_view", create_view, ast_create_view)                                \
    X(AST_CREATE_SEQ, "create_sequence", create_seq, ast_sequence)                                 \
    X(AST_ALTER_SEQ, "alter_sequence", alter_seq, ast_sequence)                                    \
    X(AST_DISCARD, "discard", discard, ast_discard_stmt)                                           \
    X(AST_NOTIFY, "notify", notify, ast_notify)                                                    \
    X(AST_CHECKPOINT, "checkpoint", checkpoint, ast_none)

typedef enum {
#define X(kind, name, member, type) kind,
    AST_KIND_MAP(X)
#undef X
        AST_KIND_COUNT
} ast_kind;

struct ast_node {
    ast_kind kind;
    int32_t loc; /* byte offset in the text given to sql_parse; -1 if unknown */
    union {
#define X(kind, name, member, type) type member;
        AST_KIND_MAP(X)
#undef X
    } u;
};

/* "select", "op", ...: the name ast_print uses; "?" for an out-of-range kind. */
const char *ast_kind_name(ast_kind k);

/* A zeroed node of kind k with just the room its payload needs; NULL when the arena's
 * budget is exhausted. */
ast_node *ast_new(mice_arena *a, ast_kind k, int32_t loc);
/* A shallow copy of src into a whole node (nodes are allocated only as long as their kind
 * needs: never copy one with `*n`). */
void ast_node_copy(ast_node *dst, const ast_node *src);
/* A shallow copy of src in a, as long as its kind needs (NULL when out of memory). */
ast_node *ast_node_dup(mice_arena *a, const ast_node *src);

/* Append n to l, growing it in the arena; MICE_NOMEM when over budget. */
mice_status ast_list_push(mice_arena *a, ast_list *l, ast_node *n);
/* Append a copy-free name (the string must live in the same arena or longer). */
mice_status ast_names_push(mice_arena *a, ast_names *names, const char *name);

/* Append a stable S-expression rendering of n (NULL prints as "nil") to out:
 * (kind :field value ...) with default-valued fields omitted, lists as [a b], names as
 * dotted words, strings quoted. Locations are not printed (see ast_print_locations).
 * Recursion depth equals tree depth, which the parser bounds (SQL_PARSE_DEPTH_MAX). */
void ast_print(const ast_node *n, mice_buf *out);
/* Same, with "@offset" after each node kind that has a location. */
void ast_print_locations(const ast_node *n, mice_buf *out);

#endif
