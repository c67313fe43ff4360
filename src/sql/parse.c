/*
 * parse.c - libpg_query's protobuf parse tree -> MiceDB AST.
 *
 * Steps, each bounded so hostile text cannot crash the process:
 *   1. a lexical pre-scan estimates the nesting the grammar would build (operator chains
 *      and parentheses); too deep -> 54001 before libpg_query's recursive output code runs;
 *   2. libpg_query parses (PostgreSQL's own grammar and error messages);
 *   3. an iterative walk over the protobuf bytes measures the real message depth, so
 *      protobuf-c's recursive decoder (~1 KiB of stack per level) stays within bounds;
 *   4. protobuf-c unpacks into the caller's arena (free is a no-op);
 *   5. per-node-kind functions, dispatched through a table on the node case, build our
 *      tree; anything without a translator is a clean 0A000 naming the node.
 * This is the only file that includes libpg_query's headers.
 */
#include "sql/parse.h"

#include <pg_query.h>
#include <ctype.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdio.h>
#include <string.h>

#include "base/check.h"

#define SQLSTATE_STACK_DEPTH "54001"
#define SQLSTATE_BAD_ENCODING "22021"

typedef PgQuery__Node pnode;

typedef struct tr_ctx {
    mice_arena *a;
    sql_error *err;
    const char *sql;
    size_t len;
    int depth;
    size_t stmt_from, stmt_to; /* the statement being translated */
} tr_ctx;

typedef mice_status (*tr_fn)(tr_ctx *c, const pnode *n, ast_node **out);

static bool is_space(char ch);

static mice_status tr(tr_ctx *c, const pnode *n, ast_node **out);

/* ---- errors ---- */

/* 1-based character position of byte offset loc (UTF-8 continuation bytes not counted). */
static int32_t char_pos(const tr_ctx *c, int32_t loc)
{
    if (loc < 0 || (size_t)loc > c->len) return 0;
    int32_t pos = 1;
    for (int32_t i = 0; i < loc; i++)
        if (((unsigned char)c->sql[i] & 0xC0) != 0x80) pos++;
    return pos;
}

static mice_status nomem(tr_ctx *c)
{
    return sqlerr_nomem(c->err);
}

static mice_status unsupported(tr_ctx *c, const char *what, int32_t loc)
{
    sqlerr_set(c->err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported",
               what);
    if (c->err) c->err->position = char_pos(c, loc);
    return MICE_UNSUPPORTED;
}

static mice_status too_deep(sql_error *err)
{
    sqlerr_set(err, MICE_LIMIT, SQLSTATE_STACK_DEPTH, "stack depth limit exceeded");
    sqlerr_hint(err, "The statement nests expressions or subqueries more than %d levels deep.",
                SQL_PARSE_DEPTH_MAX);
    return MICE_LIMIT;
}

/* What an error calls a node: the SQL words for common statements and clauses, else
 * libpg_query's type name ("CreateTrigStmt"). */
static const char *node_name(const pnode *n)
{
    static const struct {
        PgQuery__Node__NodeCase nc;
        const char *words;
    } friendly[] = {
        {PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT, "CREATE FUNCTION"},
        {PG_QUERY__NODE__NODE_MERGE_STMT, "MERGE"},
        {PG_QUERY__NODE__NODE_DO_STMT, "DO"},
        {PG_QUERY__NODE__NODE_CALL_STMT, "CALL"},
        {PG_QUERY__NODE__NODE_LOCK_STMT, "LOCK TABLE"},
        {PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT, "DECLARE CURSOR"},
        {PG_QUERY__NODE__NODE_FETCH_STMT, "FETCH"},
        {PG_QUERY__NODE__NODE_CLOSE_PORTAL_STMT, "CLOSE"},
        {PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT, "CREATE EXTENSION"},
        {PG_QUERY__NODE__NODE_CREATE_TRIG_STMT, "CREATE TRIGGER"},
        {PG_QUERY__NODE__NODE_CREATE_ENUM_STMT, "CREATE TYPE ... AS ENUM"},
        {PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT, "CREATE TYPE"},
        {PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT, "CREATE DOMAIN"},
        {PG_QUERY__NODE__NODE_COMMENT_STMT, "COMMENT"},
        {PG_QUERY__NODE__NODE_RULE_STMT, "CREATE RULE"},
        {PG_QUERY__NODE__NODE_REINDEX_STMT, "REINDEX"},
        {PG_QUERY__NODE__NODE_CLUSTER_STMT, "CLUSTER"},
        {PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT, "REFRESH MATERIALIZED VIEW"},
        {PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT, "ALTER SYSTEM"},
        {PG_QUERY__NODE__NODE_CONSTRAINTS_SET_STMT, "SET CONSTRAINTS"},
        {PG_QUERY__NODE__NODE_ALTER_DATABASE_STMT, "ALTER DATABASE"},
        {PG_QUERY__NODE__NODE_ALTER_DATABASE_SET_STMT, "ALTER DATABASE ... SET"},
        {PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT, "ALTER ROLE ... SET"},
        {PG_QUERY__NODE__NODE_ALTER_OWNER_STMT, "ALTER ... OWNER TO"},
        {PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT, "ALTER ... SET SCHEMA"},
        {PG_QUERY__NODE__NODE_CREATE_POLICY_STMT, "CREATE POLICY"},
        {PG_QUERY__NODE__NODE_CREATE_PUBLICATION_STMT, "CREATE PUBLICATION"},
        {PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT, "CREATE SUBSCRIPTION"},
        {PG_QUERY__NODE__NODE_LOAD_STMT, "LOAD"},
        {PG_QUERY__NODE__NODE_XML_EXPR, "XML expression"},
        {PG_QUERY__NODE__NODE_XML_SERIALIZE, "XMLSERIALIZE"},
        {PG_QUERY__NODE__NODE_RANGE_TABLE_SAMPLE, "TABLESAMPLE"},
        {PG_QUERY__NODE__NODE_RANGE_TABLE_FUNC, "XMLTABLE"},
        {PG_QUERY__NODE__NODE_CURRENT_OF_EXPR, "WHERE CURRENT OF"},
        {PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE, "CREATE TABLE ... (LIKE ...)"},
    };
    for (size_t i = 0; i < sizeof friendly / sizeof friendly[0]; i++)
        if (friendly[i].nc == n->node_case) return friendly[i].words;
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, n->node_case);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || !f->descriptor) return "this statement";
    return ((const ProtobufCMessageDescriptor *)f->descriptor)->short_name;
}

/* Map a protobuf enum (0 = undefined, then PostgreSQL's values from 1) onto ours. */
static bool pb_enum(int v, int count, int *out)
{
    if (v < 1 || v > count) return false;
    *out = v - 1;
    return true;
}

/* ---- small builders ---- */

static const char *str_or_null(const char *s)
{
    return s && s[0] ? s : NULL;
}

static mice_status new_node(tr_ctx *c, ast_kind k, int32_t loc, ast_node **out)
{
    *out = ast_new(c->a, k, loc);
    return *out ? MICE_OK : nomem(c);
}

static mice_status push(tr_ctx *c, ast_list *l, ast_node *n)
{
    return ast_list_push(c->a, l, n) ? nomem(c) : MICE_OK;
}

static mice_status push_name(tr_ctx *c, ast_names *names, const char *s)
{
    return ast_names_push(c->a, names, s) ? nomem(c) : MICE_OK;
}

/* A list of String nodes (qualified names, column lists). */
static mice_status tr_names(tr_ctx *c, size_t n, pnode *const *items, ast_names *out)
{
    for (size_t i = 0; i < n; i++) {
        const pnode *it = items[i];
        if (it->node_case != PG_QUERY__NODE__NODE_STRING) return unsupported(c, node_name(it), -1);
        mice_status rc = push_name(c, out, it->string->sval);
        if (rc) return rc;
    }
    return MICE_OK;
}

/* Translate each node of a repeated field; NULL list elements (unset nodes) are skipped. */
static mice_status tr_list(tr_ctx *c, size_t n, pnode *const *items, ast_list *out)
{
    for (size_t i = 0; i < n; i++) {
        ast_node *x = NULL;
        mice_status rc = tr(c, items[i], &x);
        if (rc) return rc;
        if (x && (rc = push(c, out, x))) return rc;
    }
    return MICE_OK;
}

static mice_status tr_behavior(tr_ctx *c, int v, ast_drop_behavior *out)
{
    int e = 0;
    if (v != 0 && !pb_enum(v, 2, &e)) return unsupported(c, "drop behavior", -1);
    *out = (ast_drop_behavior)e;
    return MICE_OK;
}

/* ---- values and names ---- */

static mice_status tr_value(tr_ctx *c, const pnode *n, ast_node **out)
{
    mice_status rc = new_node(c, AST_CONST, -1, out);
    if (rc) return rc;
    ast_const *k = &(*out)->u.konst;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_INTEGER:
        k->ck = AST_CONST_INT;
        k->ival = n->integer->ival;
        k->text = arena_sprintf(c->a, "%d", k->ival);
        if (!k->text) return nomem(c);
        break;
    case PG_QUERY__NODE__NODE_FLOAT:
        k->ck = AST_CONST_NUMERIC;
        k->text = n->float_->fval;
        break;
    case PG_QUERY__NODE__NODE_BOOLEAN:
        k->ck = AST_CONST_BOOL;
        k->bval = n->boolean->boolval;
        break;
    case PG_QUERY__NODE__NODE_STRING:
        k->ck = AST_CONST_STRING;
        k->text = n->string->sval;
        break;
    case PG_QUERY__NODE__NODE_BIT_STRING:
        k->ck = AST_CONST_BITS;
        k->text = n->bit_string->bsval;
        break;
    default:
        return unsupported(c, node_name(n), -1);
    }
    return MICE_OK;
}

static mice_status tr_a_const(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AConst *k = n->a_const;
    mice_status rc = MICE_OK;
    pnode v = PG_QUERY__NODE__INIT;
    switch (k->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
        v.node_case = PG_QUERY__NODE__NODE_INTEGER;
        v.integer = k->ival;
        break;
    case PG_QUERY__A__CONST__VAL_FVAL:
        v.node_case = PG_QUERY__NODE__NODE_FLOAT;
        v.float_ = k->fval;
        break;
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        v.node_case = PG_QUERY__NODE__NODE_BOOLEAN;
        v.boolean = k->boolval;
        break;
    case PG_QUERY__A__CONST__VAL_SVAL:
        v.node_case = PG_QUERY__NODE__NODE_STRING;
        v.string = k->sval;
        break;
    case PG_QUERY__A__CONST__VAL_BSVAL:
        v.node_case = PG_QUERY__NODE__NODE_BIT_STRING;
        v.bit_string = k->bsval;
        break;
    default:
        break;
    }
    if (k->isnull || v.node_case == PG_QUERY__NODE__NODE__NOT_SET) {
        rc = new_node(c, AST_CONST, k->location, out);
        if (!rc) (*out)->u.konst.ck = AST_CONST_NULL;
        return rc;
    }
    if ((rc = tr_value(c, &v, out))) return rc;
    (*out)->loc = k->location;
    return MICE_OK;
}

static mice_status tr_column_ref(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__ColumnRef *r = n->column_ref;
    mice_status rc = new_node(c, AST_COLUMN_REF, r->location, out);
    if (rc) return rc;
    ast_column_ref *cr = &(*out)->u.column_ref;
    for (size_t i = 0; !rc && i < r->n_fields; i++) {
        const pnode *f = r->fields[i];
        if (f->node_case == PG_QUERY__NODE__NODE_A_STAR && i + 1 == r->n_fields)
            cr->star = true;
        else if (f->node_case == PG_QUERY__NODE__NODE_STRING)
            rc = push_name(c, &cr->names, f->string->sval);
        else
            rc = unsupported(c, node_name(f), r->location);
    }
    return rc;
}

static mice_status tr_param_ref(tr_ctx *c, const pnode *n, ast_node **out)
{
    mice_status rc = new_node(c, AST_PARAM, n->param_ref->location, out);
    if (!rc) (*out)->u.param.number = n->param_ref->number;
    return rc;
}

static mice_status tr_a_star(tr_ctx *c, const pnode *n, ast_node **out)
{
    (void)n;
    return new_node(c, AST_COLUMN_REF, -1, out);
}

static mice_status tr_list_node(tr_ctx *c, const pnode *n, ast_node **out)
{
    mice_status rc = new_node(c, AST_EXPR_LIST, -1, out);
    if (!rc) rc = tr_list(c, n->list->n_items, n->list->items, &(*out)->u.expr_list.args);
    return rc;
}

/* ---- expressions ---- */

static mice_status tr_op_name(tr_ctx *c, const PgQuery__AExpr *e, ast_names *out)
{
    return tr_names(c, e->n_name, e->name, out);
}

/* Last component of an operator name ("!~~" of {"pg_catalog", "!~~"}). */
static const char *op_last(const PgQuery__AExpr *e)
{
    if (e->n_name == 0 || e->name[e->n_name - 1]->node_case != PG_QUERY__NODE__NODE_STRING)
        return "";
    return e->name[e->n_name - 1]->string->sval;
}

static mice_status tr_binary(tr_ctx *c, const PgQuery__AExpr *e, ast_node **l, ast_node **r)
{
    mice_status rc = tr(c, e->lexpr, l);
    if (!rc) rc = tr(c, e->rexpr, r);
    return rc;
}

/* LIKE/ILIKE/SIMILAR TO: the grammar wraps an ESCAPE pattern in like_escape() and every
 * SIMILAR pattern in similar_to_escape(); unwrap them into pattern + escape. */
static mice_status tr_like(tr_ctx *c, const PgQuery__AExpr *e, ast_like_kind lk, ast_node **out)
{
    mice_status rc = new_node(c, AST_LIKE, e->location, out);
    if (rc) return rc;
    ast_like *lt = &(*out)->u.like;
    lt->lk = lk;
    lt->negated = op_last(e)[0] == '!';
    if ((rc = tr(c, e->lexpr, &lt->arg))) return rc;
    const pnode *r = e->rexpr;
    if (r && r->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && r->func_call->n_funcname == 2) {
        const PgQuery__FuncCall *f = r->func_call;
        const pnode *fn = f->funcname[1];
        const char *want = lk == AST_LIKE_SIMILAR ? "similar_to_escape" : "like_escape";
        if (fn->node_case == PG_QUERY__NODE__NODE_STRING && !strcmp(fn->string->sval, want) &&
            f->n_args >= 1 && f->n_args <= 2) {
            if ((rc = tr(c, f->args[0], &lt->pattern))) return rc;
            return f->n_args == 2 ? tr(c, f->args[1], &lt->escape) : MICE_OK;
        }
    }
    return tr(c, r, &lt->pattern);
}

static mice_status tr_between(tr_ctx *c, const PgQuery__AExpr *e, int kind, ast_node **out)
{
    const pnode *r = e->rexpr;
    if (!r || r->node_case != PG_QUERY__NODE__NODE_LIST || r->list->n_items != 2)
        return unsupported(c, "BETWEEN form", e->location);
    mice_status rc = new_node(c, AST_BETWEEN, e->location, out);
    if (rc) return rc;
    ast_between *b = &(*out)->u.between;
    b->negated = kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN ||
                 kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
    b->symmetric = kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM ||
                   kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM;
    if ((rc = tr(c, e->lexpr, &b->arg))) return rc;
    if ((rc = tr(c, r->list->items[0], &b->lo))) return rc;
    return tr(c, r->list->items[1], &b->hi);
}

static mice_status tr_in(tr_ctx *c, const PgQuery__AExpr *e, ast_node **out)
{
    const pnode *r = e->rexpr;
    if (!r || r->node_case != PG_QUERY__NODE__NODE_LIST)
        return unsupported(c, "IN form", e->location);
    mice_status rc = new_node(c, AST_IN_LIST, e->location, out);
    if (rc) return rc;
    ast_in_list *in = &(*out)->u.in_list;
    in->negated = strcmp(op_last(e), "<>") == 0;
    if ((rc = tr(c, e->lexpr, &in->l))) return rc;
    return tr_list(c, r->list->n_items, r->list->items, &in->list);
}

static mice_status tr_a_expr(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AExpr *e = n->a_expr;
    mice_status rc;
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
        if ((rc = new_node(c, AST_OP, e->location, out))) return rc;
        if ((rc = tr_op_name(c, e, &(*out)->u.op.name))) return rc;
        return tr_binary(c, e, &(*out)->u.op.l, &(*out)->u.op.r);
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL:
        if ((rc = new_node(c, AST_ANY_ALL, e->location, out))) return rc;
        (*out)->u.any_all.all = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL;
        if ((rc = tr_op_name(c, e, &(*out)->u.any_all.op))) return rc;
        return tr_binary(c, e, &(*out)->u.any_all.l, &(*out)->u.any_all.r);
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT:
        if ((rc = new_node(c, AST_DISTINCT, e->location, out))) return rc;
        (*out)->u.distinct.is_not = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT;
        return tr_binary(c, e, &(*out)->u.distinct.l, &(*out)->u.distinct.r);
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF:
        if ((rc = new_node(c, AST_NULLIF, e->location, out))) return rc;
        return tr_binary(c, e, &(*out)->u.nullif.l, &(*out)->u.nullif.r);
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
        return tr_in(c, e, out);
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
        return tr_like(c, e, AST_LIKE_LIKE, out);
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
        return tr_like(c, e, AST_LIKE_ILIKE, out);
    case PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR:
        return tr_like(c, e, AST_LIKE_SIMILAR, out);
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        return tr_between(c, e, e->kind, out);
    default:
        return unsupported(c, "operator form", e->location);
    }
}

static mice_status tr_bool_expr(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__BoolExpr *b = n->bool_expr;
    int op;
    if (!pb_enum(b->boolop, 3, &op)) return unsupported(c, "boolean operator", b->location);
    mice_status rc = new_node(c, AST_BOOL_EXPR, b->location, out);
    if (rc) return rc;
    (*out)->u.bool_expr.op = (ast_bool_op)op;
    return tr_list(c, b->n_args, b->args, &(*out)->u.bool_expr.args);
}

static mice_status tr_null_test(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__NullTest *t = n->null_test;
    mice_status rc = new_node(c, AST_NULL_TEST, t->location, out);
    if (rc) return rc;
    (*out)->u.null_test.is_not = t->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL;
    return tr(c, t->arg, &(*out)->u.null_test.arg);
}

static mice_status tr_boolean_test(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__BooleanTest *t = n->boolean_test;
    int k;
    if (!pb_enum(t->booltesttype, 6, &k)) return unsupported(c, "boolean test", t->location);
    mice_status rc = new_node(c, AST_BOOL_TEST, t->location, out);
    if (rc) return rc;
    (*out)->u.bool_test.test = (ast_bool_test_kind)k;
    return tr(c, t->arg, &(*out)->u.bool_test.arg);
}

static mice_status tr_sub_link(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__SubLink *s = n->sub_link;
    int k;
    if (!pb_enum(s->sub_link_type, 7, &k)) return unsupported(c, "subquery form", s->location);
    mice_status rc = new_node(c, AST_SUBLINK, s->location, out);
    if (rc) return rc;
    ast_sublink *sl = &(*out)->u.sublink;
    sl->sk = (ast_sublink_kind)k;
    if ((rc = tr(c, s->testexpr, &sl->test))) return rc;
    if ((rc = tr_names(c, s->n_oper_name, s->oper_name, &sl->op))) return rc;
    /* x IN (subquery) arrives as ANY without an operator name: it means "=". */
    if (sl->sk == AST_SUBLINK_ANY && sl->op.n == 0 && (rc = push_name(c, &sl->op, "="))) return rc;
    return tr(c, s->subselect, &sl->query);
}

static mice_status tr_case_expr(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CaseExpr *e = n->case_expr;
    mice_status rc = new_node(c, AST_CASE, e->location, out);
    if (rc) return rc;
    ast_case *k = &(*out)->u.case_;
    if ((rc = tr(c, e->arg, &k->arg))) return rc;
    if ((rc = tr_list(c, e->n_args, e->args, &k->whens))) return rc;
    return tr(c, e->defresult, &k->else_);
}

static mice_status tr_case_when(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CaseWhen *w = n->case_when;
    mice_status rc = new_node(c, AST_CASE_WHEN, w->location, out);
    if (!rc) rc = tr(c, w->expr, &(*out)->u.case_when.cond);
    if (!rc) rc = tr(c, w->result, &(*out)->u.case_when.result);
    return rc;
}

static mice_status tr_coalesce(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CoalesceExpr *e = n->coalesce_expr;
    mice_status rc = new_node(c, AST_COALESCE, e->location, out);
    if (!rc) rc = tr_list(c, e->n_args, e->args, &(*out)->u.coalesce.args);
    return rc;
}

static mice_status tr_min_max(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__MinMaxExpr *e = n->min_max_expr;
    mice_status rc = new_node(c, AST_MINMAX, e->location, out);
    if (rc) return rc;
    (*out)->u.minmax.greatest = e->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST;
    return tr_list(c, e->n_args, e->args, &(*out)->u.minmax.args);
}

static mice_status tr_svf(tr_ctx *c, const pnode *n, ast_node **out)
{
    /* PostgreSQL's SVFOP_* order, with the _N (precision given) variants folded in. */
    static const ast_svf_kind map[] = {
        AST_SVF_CURRENT_DATE,      AST_SVF_CURRENT_TIME,      AST_SVF_CURRENT_TIME,
        AST_SVF_CURRENT_TIMESTAMP, AST_SVF_CURRENT_TIMESTAMP, AST_SVF_LOCALTIME,
        AST_SVF_LOCALTIME,         AST_SVF_LOCALTIMESTAMP,    AST_SVF_LOCALTIMESTAMP,
        AST_SVF_CURRENT_ROLE,      AST_SVF_CURRENT_USER,      AST_SVF_USER,
        AST_SVF_SESSION_USER,      AST_SVF_CURRENT_CATALOG,   AST_SVF_CURRENT_SCHEMA};
    const PgQuery__SQLValueFunction *f = n->sqlvalue_function;
    int k;
    if (!pb_enum(f->op, (int)(sizeof map / sizeof map[0]), &k))
        return unsupported(c, "SQL function", f->location);
    mice_status rc = new_node(c, AST_SVF, f->location, out);
    if (rc) return rc;
    (*out)->u.svf.fn = map[k];
    (*out)->u.svf.typmod = f->typmod;
    return MICE_OK;
}

static mice_status tr_type_name_p(tr_ctx *c, const PgQuery__TypeName *t, ast_node **out)
{
    if (!t) {
        *out = NULL;
        return MICE_OK;
    }
    mice_status rc = new_node(c, AST_TYPE_NAME, t->location, out);
    if (rc) return rc;
    ast_type_name *tn = &(*out)->u.type_name;
    tn->setof = t->setof;
    tn->pct_type = t->pct_type;
    if ((rc = tr_names(c, t->n_names, t->names, &tn->names))) return rc;
    if ((rc = tr_list(c, t->n_typmods, t->typmods, &tn->typmods))) return rc;
    if (t->n_array_bounds == 0) return MICE_OK;
    tn->array_bounds.v = ARENA_NEW_ARRAY(c->a, int32_t, t->n_array_bounds);
    if (!tn->array_bounds.v) return nomem(c);
    for (size_t i = 0; i < t->n_array_bounds; i++) {
        const pnode *b = t->array_bounds[i];
        tn->array_bounds.v[i] =
            b->node_case == PG_QUERY__NODE__NODE_INTEGER ? b->integer->ival : -1;
    }
    tn->array_bounds.n = (uint32_t)t->n_array_bounds;
    return MICE_OK;
}

static mice_status tr_type_name(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_type_name_p(c, n->type_name, out);
}

static mice_status tr_type_cast(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__TypeCast *t = n->type_cast;
    mice_status rc = new_node(c, AST_CAST, t->location, out);
    if (!rc) rc = tr(c, t->arg, &(*out)->u.cast.arg);
    if (!rc) rc = tr_type_name_p(c, t->type_name, &(*out)->u.cast.type);
    return rc;
}

static mice_status tr_collate(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CollateClause *k = n->collate_clause;
    mice_status rc = new_node(c, AST_COLLATE, k->location, out);
    if (!rc) rc = tr(c, k->arg, &(*out)->u.collate.arg);
    if (!rc) rc = tr_names(c, k->n_collname, k->collname, &(*out)->u.collate.collation);
    return rc;
}

static mice_status tr_window_def_p(tr_ctx *c, const PgQuery__WindowDef *w, ast_node **out)
{
    if (!w) {
        *out = NULL;
        return MICE_OK;
    }
    mice_status rc = new_node(c, AST_WINDOW_DEF, w->location, out);
    if (rc) return rc;
    ast_window_def *d = &(*out)->u.window_def;
    d->name = str_or_null(w->name);
    d->refname = str_or_null(w->refname);
    d->frame = w->frame_options;
    if ((rc = tr_list(c, w->n_partition_clause, w->partition_clause, &d->partition))) return rc;
    if ((rc = tr_list(c, w->n_order_clause, w->order_clause, &d->order))) return rc;
    if ((rc = tr(c, w->start_offset, &d->start_offset))) return rc;
    return tr(c, w->end_offset, &d->end_offset);
}

static mice_status tr_window_def(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_window_def_p(c, n->window_def, out);
}

static mice_status tr_func_call_p(tr_ctx *c, const PgQuery__FuncCall *f, ast_node **out)
{
    mice_status rc = new_node(c, AST_FUNC, f->location, out);
    if (rc) return rc;
    ast_func *fn = &(*out)->u.func;
    fn->star = f->agg_star;
    fn->distinct = f->agg_distinct;
    fn->variadic = f->func_variadic;
    fn->within_group = f->agg_within_group;
    if ((rc = tr_names(c, f->n_funcname, f->funcname, &fn->name))) return rc;
    if ((rc = tr_list(c, f->n_args, f->args, &fn->args))) return rc;
    if ((rc = tr_list(c, f->n_agg_order, f->agg_order, &fn->agg_order))) return rc;
    if ((rc = tr(c, f->agg_filter, &fn->filter))) return rc;
    return tr_window_def_p(c, f->over, &fn->over);
}

static mice_status tr_func_call(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_func_call_p(c, n->func_call, out);
}

static mice_status tr_named_arg(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__NamedArgExpr *e = n->named_arg_expr;
    mice_status rc = new_node(c, AST_NAMED_ARG, e->location, out);
    if (rc) return rc;
    (*out)->u.named_arg.name = str_or_null(e->name);
    return tr(c, e->arg, &(*out)->u.named_arg.arg);
}

static mice_status tr_sort_by(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__SortBy *s = n->sort_by;
    int dir = 0, nulls = 0;
    if (!pb_enum(s->sortby_dir, 4, &dir) || !pb_enum(s->sortby_nulls, 3, &nulls))
        return unsupported(c, "sort order", s->location);
    mice_status rc = new_node(c, AST_SORT_BY, s->location, out);
    if (rc) return rc;
    ast_sort_by *sb = &(*out)->u.sort_by;
    sb->dir = (ast_sort_dir)dir;
    sb->nulls = (ast_nulls_order)nulls;
    if ((rc = tr_names(c, s->n_use_op, s->use_op, &sb->using_op))) return rc;
    return tr(c, s->node, &sb->expr);
}

static mice_status tr_array_expr(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AArrayExpr *e = n->a_array_expr;
    mice_status rc = new_node(c, AST_ARRAY, e->location, out);
    if (!rc) rc = tr_list(c, e->n_elements, e->elements, &(*out)->u.array.args);
    return rc;
}

static mice_status tr_row_expr(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__RowExpr *e = n->row_expr;
    mice_status rc = new_node(c, AST_ROW, e->location, out);
    if (rc) return rc;
    (*out)->u.row.explicit_row = e->row_format == PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL;
    return tr_list(c, e->n_args, e->args, &(*out)->u.row.args);
}

/* Subscripts and field names of an indirection path (A_Indirection, ResTarget). */
static mice_status tr_path(tr_ctx *c, size_t n, pnode *const *items, ast_list *out)
{
    for (size_t i = 0; i < n; i++) {
        const pnode *it = items[i];
        ast_node *x = NULL;
        mice_status rc;
        if (it->node_case == PG_QUERY__NODE__NODE_STRING ||
            it->node_case == PG_QUERY__NODE__NODE_A_STAR) {
            if ((rc = new_node(c, AST_FIELD, -1, &x))) return rc;
            x->u.field.star = it->node_case == PG_QUERY__NODE__NODE_A_STAR;
            x->u.field.name = x->u.field.star ? NULL : it->string->sval;
        } else if ((rc = tr(c, it, &x))) {
            return rc;
        }
        if (x && (rc = push(c, out, x))) return rc;
    }
    return MICE_OK;
}

static mice_status tr_indirection(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AIndirection *e = n->a_indirection;
    mice_status rc = new_node(c, AST_INDIRECTION, -1, out);
    if (!rc) rc = tr(c, e->arg, &(*out)->u.indirection.arg);
    if (!rc) {
        (*out)->loc = (*out)->u.indirection.arg ? (*out)->u.indirection.arg->loc : -1;
        rc = tr_path(c, e->n_indirection, e->indirection, &(*out)->u.indirection.path);
    }
    return rc;
}

static mice_status tr_indices(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AIndices *e = n->a_indices;
    mice_status rc = new_node(c, AST_SUBSCRIPT, -1, out);
    if (rc) return rc;
    ast_subscript *s = &(*out)->u.subscript;
    s->slice = e->is_slice;
    /* PostgreSQL keeps a plain subscript in uidx; we keep it in lo. */
    if (!e->is_slice) return tr(c, e->uidx, &s->lo);
    if ((rc = tr(c, e->lidx, &s->lo))) return rc;
    return tr(c, e->uidx, &s->hi);
}

static mice_status tr_grouping_func(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__GroupingFunc *g = n->grouping_func;
    mice_status rc = new_node(c, AST_GROUPING_FUNC, g->location, out);
    if (!rc) rc = tr_list(c, g->n_args, g->args, &(*out)->u.grouping_func.args);
    return rc;
}

static mice_status tr_set_to_default(tr_ctx *c, const pnode *n, ast_node **out)
{
    return new_node(c, AST_SET_TO_DEFAULT, n->set_to_default->location, out);
}

static mice_status tr_res_target(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__ResTarget *t = n->res_target;
    if (t->val && t->val->node_case == PG_QUERY__NODE__NODE_MULTI_ASSIGN_REF)
        return unsupported(c, "multiple-column assignment here", t->location);
    mice_status rc = new_node(c, AST_RES_TARGET, t->location, out);
    if (rc) return rc;
    ast_res_target *r = &(*out)->u.res_target;
    r->name = str_or_null(t->name);
    if ((rc = tr_path(c, t->n_indirection, t->indirection, &r->indirection))) return rc;
    return tr(c, t->val, &r->val);
}

/* ---- FROM items ---- */

static mice_status tr_alias(tr_ctx *c, const PgQuery__Alias *al, ast_node **out)
{
    *out = NULL;
    if (!al || !al->aliasname || !al->aliasname[0]) return MICE_OK;
    mice_status rc = new_node(c, AST_ALIAS, -1, out);
    if (rc) return rc;
    (*out)->u.alias.name = al->aliasname;
    return tr_names(c, al->n_colnames, al->colnames, &(*out)->u.alias.cols);
}

static mice_status tr_range_var_p(tr_ctx *c, const PgQuery__RangeVar *v, ast_node **out)
{
    *out = NULL;
    if (!v) return MICE_OK;
    mice_status rc = new_node(c, AST_RANGE_VAR, v->location, out);
    if (rc) return rc;
    ast_range_var *r = &(*out)->u.range_var;
    r->catalog = str_or_null(v->catalogname);
    r->schema = str_or_null(v->schemaname);
    r->rel = str_or_null(v->relname);
    r->only = !v->inh;
    r->persistence = v->relpersistence && v->relpersistence[0] ? v->relpersistence[0] : 'p';
    return tr_alias(c, v->alias, &r->alias);
}

static mice_status tr_range_var(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_range_var_p(c, n->range_var, out);
}

static mice_status tr_join(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__JoinExpr *j = n->join_expr;
    int jt;
    if (!pb_enum(j->jointype, 4, &jt)) return unsupported(c, "join type", -1);
    mice_status rc = new_node(c, AST_JOIN, -1, out);
    if (rc) return rc;
    ast_join *jn = &(*out)->u.join;
    jn->jt = (ast_join_type)jt;
    jn->natural = j->is_natural;
    if ((rc = tr(c, j->larg, &jn->l)) || (rc = tr(c, j->rarg, &jn->r))) return rc;
    if ((rc = tr_names(c, j->n_using_clause, j->using_clause, &jn->using_cols))) return rc;
    if ((rc = tr(c, j->quals, &jn->on))) return rc;
    jn->cross = jn->jt == AST_JOIN_INNER && !jn->natural && !jn->on && jn->using_cols.n == 0;
    if ((rc = tr_alias(c, j->alias, &jn->alias))) return rc;
    return tr_alias(c, j->join_using_alias, &jn->using_alias);
}

static mice_status tr_range_subselect(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__RangeSubselect *s = n->range_subselect;
    mice_status rc = new_node(c, AST_RANGE_SUBSELECT, -1, out);
    if (rc) return rc;
    ast_range_subselect *r = &(*out)->u.range_subselect;
    r->lateral = s->lateral;
    if ((rc = tr(c, s->subquery, &r->query))) return rc;
    return tr_alias(c, s->alias, &r->alias);
}

/* RangeFunction.functions is a list of two-element lists (call, column definitions). */
static mice_status tr_range_function(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__RangeFunction *f = n->range_function;
    mice_status rc = new_node(c, AST_RANGE_FUNC, -1, out);
    if (rc) return rc;
    ast_range_func *r = &(*out)->u.range_func;
    r->lateral = f->lateral;
    r->ordinality = f->ordinality;
    r->rows_from = f->is_rowsfrom;
    for (size_t i = 0; i < f->n_functions; i++) {
        const pnode *pair = f->functions[i];
        if (pair->node_case != PG_QUERY__NODE__NODE_LIST || pair->list->n_items < 1)
            return unsupported(c, "table function form", -1);
        ast_node *call = NULL;
        if ((rc = tr(c, pair->list->items[0], &call))) return rc;
        if (!call) return unsupported(c, "table function form", -1);
        if ((rc = push(c, &r->funcs, call))) return rc;
        if (i == 0 && call->loc >= 0) (*out)->loc = call->loc;
        if (pair->list->n_items > 1 &&
            pair->list->items[1]->node_case != PG_QUERY__NODE__NODE__NOT_SET)
            return unsupported(c, "column definition list per function", call->loc);
    }
    if ((rc = tr_alias(c, f->alias, &r->alias))) return rc;
    return tr_list(c, f->n_coldeflist, f->coldeflist, &r->coldefs);
}

/* ---- SELECT ---- */

static mice_status tr_grouping_set(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__GroupingSet *g = n->grouping_set;
    int k;
    if (!pb_enum(g->kind, 5, &k)) return unsupported(c, "grouping set", g->location);
    mice_status rc = new_node(c, AST_GROUPING_SET, g->location, out);
    if (rc) return rc;
    (*out)->u.grouping_set.gk = (ast_gset_kind)k;
    return tr_list(c, g->n_content, g->content, &(*out)->u.grouping_set.content);
}

static mice_status tr_locking(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__LockingClause *l = n->locking_clause;
    int s, w;
    if (!pb_enum(l->strength, 5, &s) || !pb_enum(l->wait_policy, 3, &w))
        return unsupported(c, "locking clause", -1);
    mice_status rc = new_node(c, AST_LOCKING, -1, out);
    if (rc) return rc;
    (*out)->u.locking.strength = (ast_lock_strength)s;
    (*out)->u.locking.wait = (ast_lock_wait)w;
    return tr_list(c, l->n_locked_rels, l->locked_rels, &(*out)->u.locking.rels);
}

static mice_status tr_with_p(tr_ctx *c, const PgQuery__WithClause *w, ast_node **out)
{
    *out = NULL;
    if (!w) return MICE_OK;
    mice_status rc = new_node(c, AST_WITH, w->location, out);
    if (rc) return rc;
    (*out)->u.with.recursive = w->recursive;
    return tr_list(c, w->n_ctes, w->ctes, &(*out)->u.with.ctes);
}

static mice_status tr_cte(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CommonTableExpr *e = n->common_table_expr;
    int mat;
    if (e->search_clause || e->cycle_clause) return unsupported(c, "SEARCH/CYCLE", e->location);
    if (!pb_enum(e->ctematerialized, 3, &mat)) return unsupported(c, "CTE option", e->location);
    mice_status rc = new_node(c, AST_CTE, e->location, out);
    if (rc) return rc;
    ast_cte *k = &(*out)->u.cte;
    k->name = e->ctename;
    k->materialized = (ast_cte_mat)mat;
    if ((rc = tr_names(c, e->n_aliascolnames, e->aliascolnames, &k->cols))) return rc;
    return tr(c, e->ctequery, &k->query);
}

static mice_status tr_select_p(tr_ctx *c, const PgQuery__SelectStmt *s, ast_node **out);

/* The DISTINCT list: one unset node for plain DISTINCT, expressions for DISTINCT ON. */
static mice_status tr_distinct(tr_ctx *c, const PgQuery__SelectStmt *s, ast_select *sel)
{
    if (s->n_distinct_clause == 0) return MICE_OK;
    sel->distinct = true;
    return tr_list(c, s->n_distinct_clause, s->distinct_clause, &sel->distinct_on);
}

static mice_status tr_select_lists(tr_ctx *c, const PgQuery__SelectStmt *s, ast_select *sel)
{
    mice_status rc;
    if ((rc = tr_distinct(c, s, sel))) return rc;
    if ((rc = tr_list(c, s->n_target_list, s->target_list, &sel->targets))) return rc;
    if ((rc = tr_list(c, s->n_from_clause, s->from_clause, &sel->from))) return rc;
    if ((rc = tr(c, s->where_clause, &sel->where))) return rc;
    if ((rc = tr_list(c, s->n_group_clause, s->group_clause, &sel->group_by))) return rc;
    if ((rc = tr(c, s->having_clause, &sel->having))) return rc;
    if ((rc = tr_list(c, s->n_window_clause, s->window_clause, &sel->windows))) return rc;
    if ((rc = tr_list(c, s->n_values_lists, s->values_lists, &sel->values))) return rc;
    if ((rc = tr_list(c, s->n_sort_clause, s->sort_clause, &sel->order_by))) return rc;
    if ((rc = tr(c, s->limit_count, &sel->limit))) return rc;
    if ((rc = tr(c, s->limit_offset, &sel->offset))) return rc;
    return tr_list(c, s->n_locking_clause, s->locking_clause, &sel->locking);
}

static mice_status tr_select_p(tr_ctx *c, const PgQuery__SelectStmt *s, ast_node **out)
{
    int op, lim;
    if (!pb_enum(s->op, 4, &op) || !pb_enum(s->limit_option, 3, &lim))
        return unsupported(c, "SELECT form", -1);
    if (++c->depth > SQL_PARSE_DEPTH_MAX) return too_deep(c->err);
    mice_status rc = new_node(c, AST_SELECT, -1, out);
    if (rc) return rc;
    ast_select *sel = &(*out)->u.select;
    sel->set_op = (ast_setop)op;
    sel->all = s->all;
    sel->limit_kind = (ast_limit_kind)lim;
    sel->group_distinct = s->group_distinct;
    if ((rc = tr_with_p(c, s->with_clause, &sel->with))) return rc;
    if (s->into_clause && (rc = tr_range_var_p(c, s->into_clause->rel, &sel->into))) return rc;
    if ((rc = tr_select_lists(c, s, sel))) return rc;
    if (s->larg && (rc = tr_select_p(c, s->larg, &sel->larg))) return rc;
    if (s->rarg && (rc = tr_select_p(c, s->rarg, &sel->rarg))) return rc;
    c->depth--;
    return MICE_OK;
}

static mice_status tr_select(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_select_p(c, n->select_stmt, out);
}

/* ---- INSERT / UPDATE / DELETE ---- */

/* UPDATE SET items. (a, b) = (1, 2) arrives as one ResTarget per column, each holding a
 * MultiAssignRef with a copy of the source; the first (colno 1) carries it for all. */
static mice_status tr_set_clauses(tr_ctx *c, size_t n, pnode *const *items, ast_list *out)
{
    ast_node *multi = NULL;
    for (size_t i = 0; i < n; i++) {
        const pnode *it = items[i];
        if (it->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            return unsupported(c, node_name(it), -1);
        const PgQuery__ResTarget *t = it->res_target;
        const pnode *v = t->val;
        bool is_multi = v && v->node_case == PG_QUERY__NODE__NODE_MULTI_ASSIGN_REF;
        ast_node *col = NULL;
        mice_status rc = new_node(c, AST_RES_TARGET, t->location, &col);
        if (rc) return rc;
        col->u.res_target.name = str_or_null(t->name);
        if ((rc = tr_path(c, t->n_indirection, t->indirection, &col->u.res_target.indirection)))
            return rc;
        if (!is_multi || v->multi_assign_ref->colno <= 1 || !multi) {
            if ((rc = new_node(c, AST_SET_CLAUSE, t->location, &multi))) return rc;
            multi->u.set_clause.multi = is_multi;
            const pnode *src = is_multi ? v->multi_assign_ref->source : v;
            if ((rc = tr(c, src, &multi->u.set_clause.value))) return rc;
            if ((rc = push(c, out, multi))) return rc;
        }
        if ((rc = push(c, &multi->u.set_clause.cols, col))) return rc;
        if (!is_multi) multi = NULL;
    }
    return MICE_OK;
}

static mice_status tr_index_elem(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__IndexElem *e = n->index_elem;
    int dir = 0, nulls = 0;
    if (!pb_enum(e->ordering, 4, &dir) || !pb_enum(e->nulls_ordering, 3, &nulls))
        return unsupported(c, "index element order", -1);
    if (e->n_opclassopts) return unsupported(c, "operator class options", -1);
    mice_status rc = new_node(c, AST_INDEX_ELEM, -1, out);
    if (rc) return rc;
    ast_index_elem *ie = &(*out)->u.index_elem;
    ie->column = str_or_null(e->name);
    ie->dir = (ast_sort_dir)dir;
    ie->nulls = (ast_nulls_order)nulls;
    if ((rc = tr_names(c, e->n_collation, e->collation, &ie->collation))) return rc;
    if ((rc = tr_names(c, e->n_opclass, e->opclass, &ie->opclass))) return rc;
    if ((rc = tr(c, e->expr, &ie->expr))) return rc;
    if (ie->expr) (*out)->loc = ie->expr->loc;
    return MICE_OK;
}

static mice_status tr_on_conflict(tr_ctx *c, const PgQuery__OnConflictClause *o, ast_node **out)
{
    *out = NULL;
    if (!o) return MICE_OK;
    int act;
    if (!pb_enum(o->action, 3, &act) || act == 0)
        return unsupported(c, "ON CONFLICT form", o->location);
    mice_status rc = new_node(c, AST_ON_CONFLICT, o->location, out);
    if (rc) return rc;
    ast_on_conflict *oc = &(*out)->u.on_conflict;
    oc->action = (ast_conflict_action)act;
    if (o->infer) {
        const PgQuery__InferClause *in = o->infer;
        oc->constraint = str_or_null(in->conname);
        if ((rc = tr_list(c, in->n_index_elems, in->index_elems, &oc->infer_elems))) return rc;
        if ((rc = tr(c, in->where_clause, &oc->infer_where))) return rc;
    }
    if ((rc = tr_set_clauses(c, o->n_target_list, o->target_list, &oc->set))) return rc;
    return tr(c, o->where_clause, &oc->where);
}

static mice_status tr_insert(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__InsertStmt *s = n->insert_stmt;
    int ov = 0;
    if (!pb_enum(s->override, 3, &ov)) return unsupported(c, "OVERRIDING", -1);
    mice_status rc = new_node(c, AST_INSERT, -1, out);
    if (rc) return rc;
    ast_insert *ins = &(*out)->u.insert;
    ins->overriding = (ast_overriding)ov;
    if ((rc = tr_with_p(c, s->with_clause, &ins->with))) return rc;
    if ((rc = tr_range_var_p(c, s->relation, &ins->table))) return rc;
    if ((rc = tr_list(c, s->n_cols, s->cols, &ins->cols))) return rc;
    if ((rc = tr(c, s->select_stmt, &ins->query))) return rc;
    if ((rc = tr_on_conflict(c, s->on_conflict_clause, &ins->on_conflict))) return rc;
    return tr_list(c, s->n_returning_list, s->returning_list, &ins->returning);
}

static mice_status tr_update(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__UpdateStmt *s = n->update_stmt;
    mice_status rc = new_node(c, AST_UPDATE, -1, out);
    if (rc) return rc;
    ast_update *u = &(*out)->u.update;
    if ((rc = tr_with_p(c, s->with_clause, &u->with))) return rc;
    if ((rc = tr_range_var_p(c, s->relation, &u->table))) return rc;
    if ((rc = tr_set_clauses(c, s->n_target_list, s->target_list, &u->set))) return rc;
    if ((rc = tr_list(c, s->n_from_clause, s->from_clause, &u->from))) return rc;
    if ((rc = tr(c, s->where_clause, &u->where))) return rc;
    return tr_list(c, s->n_returning_list, s->returning_list, &u->returning);
}

static mice_status tr_delete(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__DeleteStmt *s = n->delete_stmt;
    mice_status rc = new_node(c, AST_DELETE, -1, out);
    if (rc) return rc;
    ast_delete *d = &(*out)->u.delete_;
    if ((rc = tr_with_p(c, s->with_clause, &d->with))) return rc;
    if ((rc = tr_range_var_p(c, s->relation, &d->table))) return rc;
    if ((rc = tr_list(c, s->n_using_clause, s->using_clause, &d->using_))) return rc;
    if ((rc = tr(c, s->where_clause, &d->where))) return rc;
    return tr_list(c, s->n_returning_list, s->returning_list, &d->returning);
}

/* ---- DDL pieces ---- */

static mice_status tr_def_elem(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__DefElem *d = n->def_elem;
    mice_status rc = new_node(c, AST_DEF_ELEM, d->location, out);
    if (rc) return rc;
    (*out)->u.def_elem.ns = str_or_null(d->defnamespace);
    (*out)->u.def_elem.name = str_or_null(d->defname);
    return tr(c, d->arg, &(*out)->u.def_elem.arg);
}

static mice_status tr_role_spec_p(tr_ctx *c, const PgQuery__RoleSpec *r, ast_node **out)
{
    *out = NULL;
    if (!r) return MICE_OK;
    int k;
    if (!pb_enum(r->roletype, 5, &k)) return unsupported(c, "role specification", r->location);
    mice_status rc = new_node(c, AST_ROLE_SPEC, r->location, out);
    if (rc) return rc;
    (*out)->u.role_spec.rk = (ast_rolespec_kind)k;
    (*out)->u.role_spec.name = str_or_null(r->rolename);
    return MICE_OK;
}

static mice_status tr_role_spec(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_role_spec_p(c, n->role_spec, out);
}

static char first_char(const char *s)
{
    return s && s[0] ? s[0] : 0;
}

static mice_status tr_constraint(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__Constraint *k = n->constraint;
    int ct;
    if (!pb_enum(k->contype, 14, &ct)) return unsupported(c, "constraint type", k->location);
    mice_status rc = new_node(c, AST_CONSTRAINT, k->location, out);
    if (rc) return rc;
    ast_constraint *x = &(*out)->u.constraint;
    x->ct = (ast_constr_type)ct;
    x->name = str_or_null(k->conname);
    x->deferrable = k->deferrable;
    x->initdeferred = k->initdeferred;
    x->nulls_not_distinct = k->nulls_not_distinct;
    x->no_inherit = k->is_no_inherit;
    x->indexname = str_or_null(k->indexname);
    x->fk_match = first_char(k->fk_matchtype);
    x->fk_upd_action = first_char(k->fk_upd_action);
    x->fk_del_action = first_char(k->fk_del_action);
    x->generated_when = first_char(k->generated_when);
    if (x->ct == AST_CONSTR_EXCLUSION) return unsupported(c, "EXCLUDE constraint", k->location);
    if ((rc = tr(c, k->raw_expr, &x->expr))) return rc;
    if ((rc = tr_names(c, k->n_keys, k->keys, &x->keys))) return rc;
    if ((rc = tr_names(c, k->n_including, k->including, &x->including))) return rc;
    if ((rc = tr_range_var_p(c, k->pktable, &x->pktable))) return rc;
    if ((rc = tr_names(c, k->n_fk_attrs, k->fk_attrs, &x->fk_attrs))) return rc;
    if ((rc = tr_names(c, k->n_pk_attrs, k->pk_attrs, &x->pk_attrs))) return rc;
    return tr_list(c, k->n_options, k->options, &x->options);
}

static mice_status tr_column_def(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__ColumnDef *d = n->column_def;
    mice_status rc = new_node(c, AST_COLUMN_DEF, d->location, out);
    if (rc) return rc;
    ast_column_def *cd = &(*out)->u.column_def;
    cd->name = str_or_null(d->colname);
    if ((rc = tr_type_name_p(c, d->type_name, &cd->type))) return rc;
    if ((rc = tr_list(c, d->n_constraints, d->constraints, &cd->constraints))) return rc;
    if (d->coll_clause &&
        (rc = tr_names(c, d->coll_clause->n_collname, d->coll_clause->collname, &cd->collation)))
        return rc;
    /* ALTER COLUMN ... TYPE t USING expr keeps the expression in raw_default. */
    return tr(c, d->raw_default, &cd->expr);
}

static mice_status tr_partition_elem(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__PartitionElem *e = n->partition_elem;
    mice_status rc = new_node(c, AST_INDEX_ELEM, e->location, out);
    if (rc) return rc;
    ast_index_elem *ie = &(*out)->u.index_elem;
    ie->column = str_or_null(e->name);
    if ((rc = tr_names(c, e->n_collation, e->collation, &ie->collation))) return rc;
    if ((rc = tr_names(c, e->n_opclass, e->opclass, &ie->opclass))) return rc;
    return tr(c, e->expr, &ie->expr);
}

static mice_status tr_access_priv(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AccessPriv *p = n->access_priv;
    mice_status rc = new_node(c, AST_ACCESS_PRIV, -1, out);
    if (rc) return rc;
    (*out)->u.access_priv.priv = str_or_null(p->priv_name);
    return tr_names(c, p->n_cols, p->cols, &(*out)->u.access_priv.cols);
}

static mice_status tr_vacuum_rel(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__VacuumRelation *v = n->vacuum_relation;
    mice_status rc = new_node(c, AST_VACUUM_REL, -1, out);
    if (rc) return rc;
    if ((rc = tr_range_var_p(c, v->relation, &(*out)->u.vacuum_rel.table))) return rc;
    if ((*out)->u.vacuum_rel.table) (*out)->loc = (*out)->u.vacuum_rel.table->loc;
    return tr_names(c, v->n_va_cols, v->va_cols, &(*out)->u.vacuum_rel.cols);
}

/* ---- DDL statements ---- */

static ast_obj_type obj_type(int v)
{
    switch (v) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        return AST_OBJ_TABLE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        return AST_OBJ_INDEX;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
        return AST_OBJ_VIEW;
    case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
        return AST_OBJ_MATVIEW;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        return AST_OBJ_SEQUENCE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE:
        return AST_OBJ_DATABASE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
        return AST_OBJ_SCHEMA;
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
        return AST_OBJ_COLUMN;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
        return AST_OBJ_TABCONSTRAINT;
    case PG_QUERY__OBJECT_TYPE__OBJECT_ROLE:
        return AST_OBJ_ROLE;
    case PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION:
        return AST_OBJ_FUNCTION;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
        return AST_OBJ_TYPE;
    default:
        return AST_OBJ_OTHER;
    }
}

static mice_status tr_create_table(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CreateStmt *s = n->create_stmt;
    if (s->partbound) return unsupported(c, "CREATE TABLE ... PARTITION OF", -1);
    if (s->of_typename) return unsupported(c, "CREATE TABLE ... OF type", -1);
    mice_status rc = new_node(c, AST_CREATE_TABLE, -1, out);
    if (rc) return rc;
    ast_create_table *ct = &(*out)->u.create_table;
    ct->if_not_exists = s->if_not_exists;
    if ((rc = tr_range_var_p(c, s->relation, &ct->table))) return rc;
    for (size_t i = 0; i < s->n_table_elts; i++) {
        const pnode *e = s->table_elts[i];
        ast_node *x = NULL;
        if (e->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF &&
            e->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
            return unsupported(c, node_name(e), -1);
        if ((rc = tr(c, e, &x))) return rc;
        rc = push(c, x->kind == AST_COLUMN_DEF ? &ct->columns : &ct->constraints, x);
        if (rc) return rc;
    }
    if ((rc = tr_list(c, s->n_constraints, s->constraints, &ct->constraints))) return rc;
    if ((rc = tr_list(c, s->n_options, s->options, &ct->options))) return rc;
    if ((rc = tr_list(c, s->n_inh_relations, s->inh_relations, &ct->inherits))) return rc;
    if (!s->partspec) return MICE_OK;
    if ((rc = new_node(c, AST_PARTITION_SPEC, s->partspec->location, &ct->partition))) return rc;
    ct->partition->u.partition_spec.strategy = str_or_null(s->partspec->strategy);
    return tr_list(c, s->partspec->n_part_params, s->partspec->part_params,
                   &ct->partition->u.partition_spec.params);
}

static mice_status tr_create_table_as(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CreateTableAsStmt *s = n->create_table_as_stmt;
    if (!s->into) return unsupported(c, "CREATE TABLE AS form", -1);
    int obj = obj_type(s->objtype);
    if (obj != AST_OBJ_TABLE && obj != AST_OBJ_MATVIEW)
        return unsupported(c, "CREATE ... AS form", -1);
    mice_status rc = new_node(c, AST_CREATE_TABLE_AS, -1, out);
    if (rc) return rc;
    ast_create_table_as *k = &(*out)->u.create_table_as;
    k->if_not_exists = s->if_not_exists;
    k->matview = obj == AST_OBJ_MATVIEW;
    k->with_no_data = s->into->skip_data;
    if ((rc = tr_range_var_p(c, s->into->rel, &k->table))) return rc;
    if ((rc = tr_names(c, s->into->n_col_names, s->into->col_names, &k->cols))) return rc;
    return tr(c, s->query, &k->query);
}

/* One DROP object: a name list (tables...), a bare name (schemas) or a type name. */
static mice_status tr_drop_object(tr_ctx *c, const pnode *o, ast_list *out)
{
    ast_node *q = NULL;
    mice_status rc = new_node(c, AST_QNAME, -1, &q);
    if (rc) return rc;
    ast_names *names = &q->u.qname.names;
    if (o->node_case == PG_QUERY__NODE__NODE_LIST)
        rc = tr_names(c, o->list->n_items, o->list->items, names);
    else if (o->node_case == PG_QUERY__NODE__NODE_STRING)
        rc = push_name(c, names, o->string->sval);
    else if (o->node_case == PG_QUERY__NODE__NODE_TYPE_NAME)
        rc = tr_names(c, o->type_name->n_names, o->type_name->names, names);
    else
        rc = unsupported(c, node_name(o), -1);
    if (rc) return rc;
    return push(c, out, q);
}

static mice_status tr_drop(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__DropStmt *s = n->drop_stmt;
    ast_obj_type obj = obj_type(s->remove_type);
    if (obj == AST_OBJ_OTHER || obj == AST_OBJ_FUNCTION || obj == AST_OBJ_COLUMN ||
        obj == AST_OBJ_TABCONSTRAINT || obj == AST_OBJ_ROLE)
        return unsupported(c, "DROP of this object kind", -1);
    mice_status rc = new_node(c, AST_DROP, -1, out);
    if (rc) return rc;
    ast_drop *d = &(*out)->u.drop;
    d->obj = obj;
    d->missing_ok = s->missing_ok;
    d->concurrent = s->concurrent;
    if ((rc = tr_behavior(c, s->behavior, &d->behavior))) return rc;
    for (size_t i = 0; i < s->n_objects; i++)
        if ((rc = tr_drop_object(c, s->objects[i], &d->names))) return rc;
    return MICE_OK;
}

static mice_status tr_dropdb(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__DropdbStmt *s = n->dropdb_stmt;
    mice_status rc = new_node(c, AST_DROP, -1, out);
    if (rc) return rc;
    ast_drop *d = &(*out)->u.drop;
    d->obj = AST_OBJ_DATABASE;
    d->missing_ok = s->missing_ok;
    ast_node *q = NULL;
    if ((rc = new_node(c, AST_QNAME, -1, &q))) return rc;
    if ((rc = push_name(c, &q->u.qname.names, s->dbname))) return rc;
    return push(c, &d->names, q);
}

static mice_status tr_create_index(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__IndexStmt *s = n->index_stmt;
    if (s->n_exclude_op_names) return unsupported(c, "exclusion index", -1);
    mice_status rc = new_node(c, AST_CREATE_INDEX, -1, out);
    if (rc) return rc;
    ast_create_index *ci = &(*out)->u.create_index;
    ci->name = str_or_null(s->idxname);
    ci->method = str_or_null(s->access_method);
    ci->unique = s->unique;
    ci->concurrent = s->concurrent;
    ci->if_not_exists = s->if_not_exists;
    ci->nulls_not_distinct = s->nulls_not_distinct;
    if ((rc = tr_range_var_p(c, s->relation, &ci->table))) return rc;
    if ((rc = tr_list(c, s->n_index_params, s->index_params, &ci->params))) return rc;
    rc = tr_list(c, s->n_index_including_params, s->index_including_params, &ci->including);
    if (rc) return rc;
    if ((rc = tr_list(c, s->n_options, s->options, &ci->options))) return rc;
    return tr(c, s->where_clause, &ci->where);
}

static bool alter_kind(int subtype, ast_alter_kind *out)
{
    static const struct {
        int pg;
        ast_alter_kind ak;
    } map[] = {
        {PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn, AST_ALTER_ADD_COLUMN},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn, AST_ALTER_DROP_COLUMN},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault, AST_ALTER_COLUMN_DEFAULT},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull, AST_ALTER_DROP_NOT_NULL},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull, AST_ALTER_SET_NOT_NULL},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType, AST_ALTER_COLUMN_TYPE},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint, AST_ALTER_ADD_CONSTRAINT},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint, AST_ALTER_DROP_CONSTRAINT},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_AddIdentity, AST_ALTER_ADD_IDENTITY},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_DropIdentity, AST_ALTER_DROP_IDENTITY},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions, AST_ALTER_SET_OPTIONS},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions, AST_ALTER_RESET_OPTIONS},
        {PG_QUERY__ALTER_TABLE_TYPE__AT_ChangeOwner, AST_ALTER_OWNER},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].pg == subtype) {
            *out = map[i].ak;
            return true;
        }
    return false;
}

static mice_status tr_alter_cmd(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AlterTableCmd *k = n->alter_table_cmd;
    ast_alter_kind ak;
    if (!alter_kind(k->subtype, &ak)) return unsupported(c, "this ALTER TABLE action", -1);
    mice_status rc = new_node(c, AST_ALTER_CMD, -1, out);
    if (rc) return rc;
    ast_alter_cmd *a = &(*out)->u.alter_cmd;
    a->ak = ak;
    a->name = str_or_null(k->name);
    a->missing_ok = k->missing_ok;
    if (ak == AST_ALTER_OWNER && k->newowner) a->name = str_or_null(k->newowner->rolename);
    if ((rc = tr_behavior(c, k->behavior, &a->behavior))) return rc;
    return tr(c, k->def, &a->def);
}

static mice_status tr_alter_table(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AlterTableStmt *s = n->alter_table_stmt;
    ast_obj_type obj = obj_type(s->objtype);
    if (obj != AST_OBJ_TABLE && obj != AST_OBJ_INDEX && obj != AST_OBJ_VIEW &&
        obj != AST_OBJ_SEQUENCE)
        return unsupported(c, "ALTER of this object kind", -1);
    mice_status rc = new_node(c, AST_ALTER_TABLE, -1, out);
    if (rc) return rc;
    ast_alter_table *at = &(*out)->u.alter_table;
    at->obj = obj;
    at->missing_ok = s->missing_ok;
    if ((rc = tr_range_var_p(c, s->relation, &at->table))) return rc;
    return tr_list(c, s->n_cmds, s->cmds, &at->cmds);
}

static mice_status tr_rename(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__RenameStmt *s = n->rename_stmt;
    ast_obj_type obj = obj_type(s->rename_type);
    if (obj == AST_OBJ_OTHER || obj == AST_OBJ_FUNCTION)
        return unsupported(c, "RENAME of this object kind", -1);
    mice_status rc = new_node(c, AST_RENAME, -1, out);
    if (rc) return rc;
    ast_rename *r = &(*out)->u.rename;
    r->obj = obj;
    r->subname = str_or_null(s->subname);
    r->newname = str_or_null(s->newname);
    r->missing_ok = s->missing_ok;
    if ((rc = tr_range_var_p(c, s->relation, &r->table))) return rc;
    if (!s->object) return MICE_OK;
    ast_list objs = {0};
    if ((rc = tr_drop_object(c, s->object, &objs))) return rc;
    r->object = objs.items[0];
    return MICE_OK;
}

static mice_status tr_truncate(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__TruncateStmt *s = n->truncate_stmt;
    mice_status rc = new_node(c, AST_TRUNCATE, -1, out);
    if (rc) return rc;
    (*out)->u.truncate.restart_identity = s->restart_seqs;
    if ((rc = tr_behavior(c, s->behavior, &(*out)->u.truncate.behavior))) return rc;
    return tr_list(c, s->n_relations, s->relations, &(*out)->u.truncate.tables);
}

/* The text of CREATE VIEW's query: what follows the first AS outside parentheses, quotes
 * and comments (NULL when not found). */
static const char *view_query_text(tr_ctx *c)
{
    const char *q = c->sql;
    size_t i = c->stmt_from, end = c->stmt_to;
    int depth = 0;
    while (i < end) {
        char ch = q[i];
        if (ch == '\'' || ch == '"') {
            for (i++; i < end && !(q[i] == ch && (i + 1 >= end || q[i + 1] != ch)); i++)
                if (q[i] == ch) i++; /* a doubled quote */
            i++;
        } else if (ch == '-' && i + 1 < end && q[i + 1] == '-') {
            while (i < end && q[i] != '\n')
                i++;
        } else if (ch == '/' && i + 1 < end && q[i + 1] == '*') {
            for (i += 2; i + 1 < end && !(q[i] == '*' && q[i + 1] == '/'); i++)
                ;
            i += 2;
        } else if (ch == '(') {
            depth++, i++;
        } else if (ch == ')') {
            depth--, i++;
        } else if (depth == 0 && (ch == 'a' || ch == 'A') && i + 1 < end &&
                   (q[i + 1] == 's' || q[i + 1] == 'S') && i > 0 &&
                   !(isalnum((unsigned char)q[i - 1]) || q[i - 1] == '_') &&
                   (i + 2 >= end || !(isalnum((unsigned char)q[i + 2]) || q[i + 2] == '_'))) {
            i += 2;
            while (i < end && is_space(q[i]))
                i++;
            return arena_strndup(c->a, q + i, end - i);
        } else if (isalnum((unsigned char)ch) || ch == '_') {
            while (i < end && (isalnum((unsigned char)q[i]) || q[i] == '_' || q[i] == '$'))
                i++;
        } else {
            i++;
        }
    }
    return NULL;
}

static mice_status tr_create_view(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__ViewStmt *s = n->view_stmt;
    int chk = 0;
    if (!pb_enum(s->with_check_option, 3, &chk)) return unsupported(c, "view check option", -1);
    mice_status rc = new_node(c, AST_CREATE_VIEW, -1, out);
    if (rc) return rc;
    ast_create_view *v = &(*out)->u.create_view;
    v->replace = s->replace;
    v->check_option = chk;
    if ((rc = tr_range_var_p(c, s->view, &v->view))) return rc;
    if ((rc = tr_names(c, s->n_aliases, s->aliases, &v->cols))) return rc;
    if ((rc = tr_list(c, s->n_options, s->options, &v->options))) return rc;
    v->query_text = view_query_text(c);
    return tr(c, s->query, &v->query);
}

static mice_status tr_create_seq(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CreateSeqStmt *s = n->create_seq_stmt;
    mice_status rc = new_node(c, AST_CREATE_SEQ, -1, out);
    if (rc) return rc;
    (*out)->u.create_seq.if_not_exists = s->if_not_exists;
    if ((rc = tr_range_var_p(c, s->sequence, &(*out)->u.create_seq.seq))) return rc;
    return tr_list(c, s->n_options, s->options, &(*out)->u.create_seq.options);
}

static mice_status tr_alter_seq(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AlterSeqStmt *s = n->alter_seq_stmt;
    mice_status rc = new_node(c, AST_ALTER_SEQ, -1, out);
    if (rc) return rc;
    (*out)->u.alter_seq.missing_ok = s->missing_ok;
    if ((rc = tr_range_var_p(c, s->sequence, &(*out)->u.alter_seq.seq))) return rc;
    return tr_list(c, s->n_options, s->options, &(*out)->u.alter_seq.options);
}

/* ---- session, utility and security statements ---- */

static mice_status tr_transaction(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__TransactionStmt *s = n->transaction_stmt;
    int k;
    if (!pb_enum(s->kind, 10, &k)) return unsupported(c, "transaction statement", -1);
    mice_status rc = new_node(c, AST_TRANSACTION, -1, out);
    if (rc) return rc;
    ast_transaction *t = &(*out)->u.transaction;
    t->tk = (ast_txn_kind)k;
    t->savepoint = str_or_null(s->savepoint_name);
    t->gid = str_or_null(s->gid);
    t->chain = s->chain;
    return tr_list(c, s->n_options, s->options, &t->options);
}

static mice_status tr_var_set(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__VariableSetStmt *s = n->variable_set_stmt;
    int k;
    if (!pb_enum(s->kind, 6, &k)) return unsupported(c, "SET form", -1);
    mice_status rc = new_node(c, AST_VAR_SET, -1, out);
    if (rc) return rc;
    ast_var_set *v = &(*out)->u.var_set;
    v->sk = (ast_set_kind)k;
    v->name = str_or_null(s->name);
    v->local = s->is_local;
    return tr_list(c, s->n_args, s->args, &v->args);
}

static mice_status tr_var_show(tr_ctx *c, const pnode *n, ast_node **out)
{
    mice_status rc = new_node(c, AST_VAR_SHOW, -1, out);
    if (!rc) (*out)->u.var_show.name = str_or_null(n->variable_show_stmt->name);
    return rc;
}

static mice_status tr_explain(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__ExplainStmt *s = n->explain_stmt;
    mice_status rc = new_node(c, AST_EXPLAIN, -1, out);
    if (!rc) rc = tr_list(c, s->n_options, s->options, &(*out)->u.explain.options);
    if (!rc) rc = tr(c, s->query, &(*out)->u.explain.query);
    return rc;
}

static mice_status tr_createdb(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CreatedbStmt *s = n->createdb_stmt;
    mice_status rc = new_node(c, AST_CREATE_DB, -1, out);
    if (rc) return rc;
    (*out)->u.create_db.name = str_or_null(s->dbname);
    return tr_list(c, s->n_options, s->options, &(*out)->u.create_db.options);
}

static mice_status tr_create_schema(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CreateSchemaStmt *s = n->create_schema_stmt;
    if (s->n_schema_elts) return unsupported(c, "CREATE SCHEMA with elements", -1);
    mice_status rc = new_node(c, AST_CREATE_SCHEMA, -1, out);
    if (rc) return rc;
    (*out)->u.create_schema.name = str_or_null(s->schemaname);
    (*out)->u.create_schema.if_not_exists = s->if_not_exists;
    return tr_role_spec_p(c, s->authrole, &(*out)->u.create_schema.authrole);
}

static mice_status tr_create_role(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CreateRoleStmt *s = n->create_role_stmt;
    int k;
    if (!pb_enum(s->stmt_type, 3, &k)) return unsupported(c, "CREATE ROLE form", -1);
    mice_status rc = new_node(c, AST_CREATE_ROLE, -1, out);
    if (rc) return rc;
    (*out)->u.create_role.rs = (ast_role_stmt)k;
    (*out)->u.create_role.name = str_or_null(s->role);
    return tr_list(c, s->n_options, s->options, &(*out)->u.create_role.options);
}

static mice_status tr_alter_role(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__AlterRoleStmt *s = n->alter_role_stmt;
    mice_status rc = new_node(c, AST_ALTER_ROLE, -1, out);
    if (!rc) rc = tr_role_spec_p(c, s->role, &(*out)->u.alter_role.role);
    if (!rc) rc = tr_list(c, s->n_options, s->options, &(*out)->u.alter_role.options);
    return rc;
}

static mice_status tr_drop_role(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__DropRoleStmt *s = n->drop_role_stmt;
    mice_status rc = new_node(c, AST_DROP_ROLE, -1, out);
    if (rc) return rc;
    (*out)->u.drop_role.missing_ok = s->missing_ok;
    return tr_list(c, s->n_roles, s->roles, &(*out)->u.drop_role.roles);
}

static mice_status tr_grant(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__GrantStmt *s = n->grant_stmt;
    if (s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_DEFAULTS || s->targtype == 0)
        return unsupported(c, "ALTER DEFAULT PRIVILEGES", -1);
    ast_obj_type obj = obj_type(s->objtype);
    if (obj != AST_OBJ_TABLE && obj != AST_OBJ_SCHEMA && obj != AST_OBJ_DATABASE &&
        obj != AST_OBJ_SEQUENCE)
        return unsupported(c, "GRANT on this object kind", -1);
    mice_status rc = new_node(c, AST_GRANT, -1, out);
    if (rc) return rc;
    ast_grant *g = &(*out)->u.grant;
    g->is_grant = s->is_grant;
    g->obj = obj;
    g->all_in_schema = s->targtype == PG_QUERY__GRANT_TARGET_TYPE__ACL_TARGET_ALL_IN_SCHEMA;
    g->grant_option = s->grant_option;
    if ((rc = tr_behavior(c, s->behavior, &g->behavior))) return rc;
    for (size_t i = 0; i < s->n_objects; i++) {
        const pnode *o = s->objects[i];
        if (o->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
            ast_node *x = NULL;
            if ((rc = tr(c, o, &x)) || (rc = push(c, &g->objects, x))) return rc;
        } else if ((rc = tr_drop_object(c, o, &g->objects))) {
            return rc;
        }
    }
    if ((rc = tr_list(c, s->n_privileges, s->privileges, &g->privs))) return rc;
    return tr_list(c, s->n_grantees, s->grantees, &g->grantees);
}

static mice_status tr_grant_role(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__GrantRoleStmt *s = n->grant_role_stmt;
    mice_status rc = new_node(c, AST_GRANT_ROLE, -1, out);
    if (rc) return rc;
    ast_grant_role *g = &(*out)->u.grant_role;
    g->is_grant = s->is_grant;
    g->admin_opt = s->admin_opt;
    if ((rc = tr_list(c, s->n_granted_roles, s->granted_roles, &g->roles))) return rc;
    return tr_list(c, s->n_grantee_roles, s->grantee_roles, &g->grantees);
}

static mice_status tr_copy(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__CopyStmt *s = n->copy_stmt;
    mice_status rc = new_node(c, AST_COPY, -1, out);
    if (rc) return rc;
    ast_copy *k = &(*out)->u.copy;
    k->is_from = s->is_from;
    k->is_program = s->is_program;
    k->filename = str_or_null(s->filename);
    if ((rc = tr_range_var_p(c, s->relation, &k->table))) return rc;
    if ((rc = tr(c, s->query, &k->query))) return rc;
    if ((rc = tr_names(c, s->n_attlist, s->attlist, &k->cols))) return rc;
    if ((rc = tr_list(c, s->n_options, s->options, &k->options))) return rc;
    return tr(c, s->where_clause, &k->where);
}

static mice_status tr_vacuum(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__VacuumStmt *s = n->vacuum_stmt;
    mice_status rc = new_node(c, AST_VACUUM, -1, out);
    if (rc) return rc;
    (*out)->u.vacuum.is_vacuum = s->is_vacuumcmd;
    if ((rc = tr_list(c, s->n_options, s->options, &(*out)->u.vacuum.options))) return rc;
    return tr_list(c, s->n_rels, s->rels, &(*out)->u.vacuum.rels);
}

static mice_status tr_prepare(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__PrepareStmt *s = n->prepare_stmt;
    mice_status rc = new_node(c, AST_PREPARE, -1, out);
    if (rc) return rc;
    (*out)->u.prepare.name = str_or_null(s->name);
    if ((rc = tr_list(c, s->n_argtypes, s->argtypes, &(*out)->u.prepare.argtypes))) return rc;
    return tr(c, s->query, &(*out)->u.prepare.query);
}

static mice_status tr_execute(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__ExecuteStmt *s = n->execute_stmt;
    mice_status rc = new_node(c, AST_EXECUTE, -1, out);
    if (rc) return rc;
    (*out)->u.execute.name = str_or_null(s->name);
    return tr_list(c, s->n_params, s->params, &(*out)->u.execute.params);
}

static mice_status tr_deallocate(tr_ctx *c, const pnode *n, ast_node **out)
{
    mice_status rc = new_node(c, AST_DEALLOCATE, -1, out);
    if (!rc) (*out)->u.deallocate.name = str_or_null(n->deallocate_stmt->name);
    return rc;
}

static mice_status tr_discard(tr_ctx *c, const pnode *n, ast_node **out)
{
    int k;
    if (!pb_enum(n->discard_stmt->target, 4, &k)) return unsupported(c, "DISCARD form", -1);
    mice_status rc = new_node(c, AST_DISCARD, -1, out);
    if (!rc) (*out)->u.discard.what = (ast_discard)k;
    return rc;
}

static mice_status tr_notify_like(tr_ctx *c, ast_notify_kind k, const char *channel,
                                  const char *payload, ast_node **out)
{
    mice_status rc = new_node(c, AST_NOTIFY, -1, out);
    if (rc) return rc;
    (*out)->u.notify.nk = k;
    (*out)->u.notify.channel = str_or_null(channel);
    (*out)->u.notify.payload = str_or_null(payload);
    return MICE_OK;
}

static mice_status tr_listen(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_notify_like(c, AST_NOTIFY_LISTEN, n->listen_stmt->conditionname, NULL, out);
}

static mice_status tr_unlisten(tr_ctx *c, const pnode *n, ast_node **out)
{
    return tr_notify_like(c, AST_NOTIFY_UNLISTEN, n->unlisten_stmt->conditionname, NULL, out);
}

static mice_status tr_notify(tr_ctx *c, const pnode *n, ast_node **out)
{
    const PgQuery__NotifyStmt *s = n->notify_stmt;
    return tr_notify_like(c, AST_NOTIFY_NOTIFY, s->conditionname, s->payload, out);
}

static mice_status tr_checkpoint(tr_ctx *c, const pnode *n, ast_node **out)
{
    (void)n;
    return new_node(c, AST_CHECKPOINT, -1, out);
}

/* ---- dispatch ---- */

static const tr_fn tr_table[] = {
    [PG_QUERY__NODE__NODE_INTEGER] = tr_value,
    [PG_QUERY__NODE__NODE_FLOAT] = tr_value,
    [PG_QUERY__NODE__NODE_BOOLEAN] = tr_value,
    [PG_QUERY__NODE__NODE_STRING] = tr_value,
    [PG_QUERY__NODE__NODE_BIT_STRING] = tr_value,
    [PG_QUERY__NODE__NODE_LIST] = tr_list_node,
    [PG_QUERY__NODE__NODE_A_CONST] = tr_a_const,
    [PG_QUERY__NODE__NODE_A_STAR] = tr_a_star,
    [PG_QUERY__NODE__NODE_COLUMN_REF] = tr_column_ref,
    [PG_QUERY__NODE__NODE_PARAM_REF] = tr_param_ref,
    [PG_QUERY__NODE__NODE_A_EXPR] = tr_a_expr,
    [PG_QUERY__NODE__NODE_BOOL_EXPR] = tr_bool_expr,
    [PG_QUERY__NODE__NODE_NULL_TEST] = tr_null_test,
    [PG_QUERY__NODE__NODE_BOOLEAN_TEST] = tr_boolean_test,
    [PG_QUERY__NODE__NODE_SUB_LINK] = tr_sub_link,
    [PG_QUERY__NODE__NODE_CASE_EXPR] = tr_case_expr,
    [PG_QUERY__NODE__NODE_CASE_WHEN] = tr_case_when,
    [PG_QUERY__NODE__NODE_COALESCE_EXPR] = tr_coalesce,
    [PG_QUERY__NODE__NODE_MIN_MAX_EXPR] = tr_min_max,
    [PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION] = tr_svf,
    [PG_QUERY__NODE__NODE_TYPE_NAME] = tr_type_name,
    [PG_QUERY__NODE__NODE_TYPE_CAST] = tr_type_cast,
    [PG_QUERY__NODE__NODE_COLLATE_CLAUSE] = tr_collate,
    [PG_QUERY__NODE__NODE_FUNC_CALL] = tr_func_call,
    [PG_QUERY__NODE__NODE_NAMED_ARG_EXPR] = tr_named_arg,
    [PG_QUERY__NODE__NODE_WINDOW_DEF] = tr_window_def,
    [PG_QUERY__NODE__NODE_SORT_BY] = tr_sort_by,
    [PG_QUERY__NODE__NODE_A_ARRAY_EXPR] = tr_array_expr,
    [PG_QUERY__NODE__NODE_ROW_EXPR] = tr_row_expr,
    [PG_QUERY__NODE__NODE_A_INDIRECTION] = tr_indirection,
    [PG_QUERY__NODE__NODE_A_INDICES] = tr_indices,
    [PG_QUERY__NODE__NODE_GROUPING_FUNC] = tr_grouping_func,
    [PG_QUERY__NODE__NODE_SET_TO_DEFAULT] = tr_set_to_default,
    [PG_QUERY__NODE__NODE_RES_TARGET] = tr_res_target,
    [PG_QUERY__NODE__NODE_RANGE_VAR] = tr_range_var,
    [PG_QUERY__NODE__NODE_JOIN_EXPR] = tr_join,
    [PG_QUERY__NODE__NODE_RANGE_SUBSELECT] = tr_range_subselect,
    [PG_QUERY__NODE__NODE_RANGE_FUNCTION] = tr_range_function,
    [PG_QUERY__NODE__NODE_GROUPING_SET] = tr_grouping_set,
    [PG_QUERY__NODE__NODE_LOCKING_CLAUSE] = tr_locking,
    [PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR] = tr_cte,
    [PG_QUERY__NODE__NODE_SELECT_STMT] = tr_select,
    [PG_QUERY__NODE__NODE_INSERT_STMT] = tr_insert,
    [PG_QUERY__NODE__NODE_UPDATE_STMT] = tr_update,
    [PG_QUERY__NODE__NODE_DELETE_STMT] = tr_delete,
    [PG_QUERY__NODE__NODE_INDEX_ELEM] = tr_index_elem,
    [PG_QUERY__NODE__NODE_DEF_ELEM] = tr_def_elem,
    [PG_QUERY__NODE__NODE_ROLE_SPEC] = tr_role_spec,
    [PG_QUERY__NODE__NODE_CONSTRAINT] = tr_constraint,
    [PG_QUERY__NODE__NODE_COLUMN_DEF] = tr_column_def,
    [PG_QUERY__NODE__NODE_PARTITION_ELEM] = tr_partition_elem,
    [PG_QUERY__NODE__NODE_ACCESS_PRIV] = tr_access_priv,
    [PG_QUERY__NODE__NODE_VACUUM_RELATION] = tr_vacuum_rel,
    [PG_QUERY__NODE__NODE_CREATE_STMT] = tr_create_table,
    [PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT] = tr_create_table_as,
    [PG_QUERY__NODE__NODE_DROP_STMT] = tr_drop,
    [PG_QUERY__NODE__NODE_DROPDB_STMT] = tr_dropdb,
    [PG_QUERY__NODE__NODE_INDEX_STMT] = tr_create_index,
    [PG_QUERY__NODE__NODE_ALTER_TABLE_STMT] = tr_alter_table,
    [PG_QUERY__NODE__NODE_ALTER_TABLE_CMD] = tr_alter_cmd,
    [PG_QUERY__NODE__NODE_RENAME_STMT] = tr_rename,
    [PG_QUERY__NODE__NODE_TRUNCATE_STMT] = tr_truncate,
    [PG_QUERY__NODE__NODE_VIEW_STMT] = tr_create_view,
    [PG_QUERY__NODE__NODE_CREATE_SEQ_STMT] = tr_create_seq,
    [PG_QUERY__NODE__NODE_ALTER_SEQ_STMT] = tr_alter_seq,
    [PG_QUERY__NODE__NODE_TRANSACTION_STMT] = tr_transaction,
    [PG_QUERY__NODE__NODE_VARIABLE_SET_STMT] = tr_var_set,
    [PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT] = tr_var_show,
    [PG_QUERY__NODE__NODE_EXPLAIN_STMT] = tr_explain,
    [PG_QUERY__NODE__NODE_CREATEDB_STMT] = tr_createdb,
    [PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT] = tr_create_schema,
    [PG_QUERY__NODE__NODE_CREATE_ROLE_STMT] = tr_create_role,
    [PG_QUERY__NODE__NODE_ALTER_ROLE_STMT] = tr_alter_role,
    [PG_QUERY__NODE__NODE_DROP_ROLE_STMT] = tr_drop_role,
    [PG_QUERY__NODE__NODE_GRANT_STMT] = tr_grant,
    [PG_QUERY__NODE__NODE_GRANT_ROLE_STMT] = tr_grant_role,
    [PG_QUERY__NODE__NODE_COPY_STMT] = tr_copy,
    [PG_QUERY__NODE__NODE_VACUUM_STMT] = tr_vacuum,
    [PG_QUERY__NODE__NODE_PREPARE_STMT] = tr_prepare,
    [PG_QUERY__NODE__NODE_EXECUTE_STMT] = tr_execute,
    [PG_QUERY__NODE__NODE_DEALLOCATE_STMT] = tr_deallocate,
    [PG_QUERY__NODE__NODE_DISCARD_STMT] = tr_discard,
    [PG_QUERY__NODE__NODE_LISTEN_STMT] = tr_listen,
    [PG_QUERY__NODE__NODE_UNLISTEN_STMT] = tr_unlisten,
    [PG_QUERY__NODE__NODE_NOTIFY_STMT] = tr_notify,
    [PG_QUERY__NODE__NODE_CHECK_POINT_STMT] = tr_checkpoint,
};

/* The "location" field of any node, found through its protobuf descriptor; -1 if none. */
static int32_t node_location(const pnode *n)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&pg_query__node__descriptor, n->node_case);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE || !f->descriptor) return -1;
    const ProtobufCFieldDescriptor *lf = protobuf_c_message_descriptor_get_field_by_name(
        (const ProtobufCMessageDescriptor *)f->descriptor, "location");
    const void *msg = *(void *const *)((const char *)n + f->offset);
    if (!lf || lf->type != PROTOBUF_C_TYPE_INT32 || !msg) return -1;
    return *(const int32_t *)((const char *)msg + lf->offset);
}

/* Translate any node; an absent (NULL or unset) node gives *out = NULL. Recursion depth is
 * bounded twice: by the protobuf depth check and by c->depth here. */
static mice_status tr(tr_ctx *c, const pnode *n, ast_node **out)
{
    *out = NULL;
    if (!n || n->node_case == PG_QUERY__NODE__NODE__NOT_SET) return MICE_OK;
    size_t k = (size_t)n->node_case;
    tr_fn fn = k < sizeof tr_table / sizeof tr_table[0] ? tr_table[k] : NULL;
    if (!fn) return unsupported(c, node_name(n), node_location(n));
    if (++c->depth > SQL_PARSE_DEPTH_MAX) return too_deep(c->err);
    mice_status rc = fn(c, n, out);
    c->depth--;
    return rc;
}

/* ---- step 1: lexical pre-scan ----
 *
 * libpg_query's output and protobuf code recurse once per tree level, and a left-deep
 * operator chain (1+1+1+...) builds one level per operator without growing the grammar's
 * own (heap) stack; so do UNION and JOIN chains. Before handing text over we estimate
 * the deepest nesting: per parenthesis (or CASE ... END) level, the operators since the
 * last separator (',' ';' AND OR, which PostgreSQL flattens), summed over the open levels,
 * plus two per open level. The estimate errs high; strings, quoted identifiers and
 * comments are skipped. The protobuf depth check (step 3) backs it up exactly. */

enum {
    PRESCAN_PAREN_WEIGHT = 2,
    PRESCAN_LEVELS_MAX = SQL_PARSE_DEPTH_MAX / PRESCAN_PAREN_WEIGHT + 1
};

typedef struct prescan {
    const char *s;
    size_t n;
    size_t i;
    int level;
    int64_t sum;
    int64_t max;
    int32_t chain[PRESCAN_LEVELS_MAX + 1];
} prescan;

static bool word_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '$' || ch >= 0x80;
}

static void ps_note(prescan *p, int64_t delta)
{
    p->sum += delta;
    if (p->sum > p->max) p->max = p->sum;
}

static void ps_skip_quoted(prescan *p, char q, bool backslash)
{
    for (p->i++; p->i < p->n; p->i++) {
        char ch = p->s[p->i];
        if (backslash && ch == '\\')
            p->i++;
        else if (ch == q && p->i + 1 < p->n && p->s[p->i + 1] == q)
            p->i++;
        else if (ch == q)
            break;
    }
    p->i++;
}

static void ps_skip_comment(prescan *p)
{
    int nest = 0;
    while (p->i + 1 < p->n) {
        if (p->s[p->i] == '/' && p->s[p->i + 1] == '*')
            nest++, p->i += 2;
        else if (p->s[p->i] == '*' && p->s[p->i + 1] == '/') {
            p->i += 2;
            if (--nest == 0) return;
        } else
            p->i++;
    }
    p->i = p->n;
}

/* $tag$ ... $tag$ (a dollar-quoted string), or $1 (a parameter). */
static void ps_skip_dollar(prescan *p)
{
    size_t j = p->i + 1;
    while (j < p->n && word_char((unsigned char)p->s[j]) && p->s[j] != '$')
        j++;
    if (j >= p->n || p->s[j] != '$' ||
        (j > p->i + 1 && p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9')) {
        p->i = j; /* a parameter or a stray '$' */
        return;
    }
    size_t tag_len = j + 1 - p->i;
    const char *end = memmem(p->s + j + 1, p->n - (j + 1), p->s + p->i, tag_len);
    p->i = end ? (size_t)(end - p->s) + tag_len : p->n;
}

static bool ps_open(prescan *p)
{
    if (p->level + 1 > PRESCAN_LEVELS_MAX) return false;
    p->chain[++p->level] = 0;
    ps_note(p, PRESCAN_PAREN_WEIGHT);
    return true;
}

static void ps_close(prescan *p)
{
    if (p->level > 0) p->sum -= p->chain[p->level--] + PRESCAN_PAREN_WEIGHT;
}

static void ps_separator(prescan *p)
{
    p->sum -= p->chain[p->level];
    p->chain[p->level] = 0;
}

static void ps_operator(prescan *p)
{
    p->chain[p->level]++;
    ps_note(p, 1);
}

/* Keywords: AND/OR separate (flattened lists), CASE ... END nests like parentheses, and
 * the rest build one tree level each (UNION and JOIN chains are left-deep too). */
static bool ps_word(prescan *p)
{
    size_t start = p->i;
    while (p->i < p->n && word_char((unsigned char)p->s[p->i]))
        p->i++;
    size_t len = p->i - start;
    char w[10];
    if (len >= sizeof w) return true;
    for (size_t k = 0; k < len; k++)
        w[k] = (char)(p->s[start + k] | 0x20);
    w[len] = '\0';
    if (!strcmp(w, "and") || !strcmp(w, "or")) {
        ps_separator(p);
        return true;
    }
    if (!strcmp(w, "case")) return ps_open(p);
    if (!strcmp(w, "end")) {
        ps_close(p);
        return true;
    }
    static const char *const ops[] = {"not",       "is",     "like",     "ilike", "similar",
                                      "between",   "in",     "collate",  "at",    "isnull",
                                      "notnull",   "escape", "overlaps", "union", "except",
                                      "intersect", "join",   "when"};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (!strcmp(w, ops[k])) {
            ps_operator(p);
            return true;
        }
    return true;
}

static bool ps_punct(prescan *p, char ch)
{
    static const char op_chars[] = "+-*/<>=~!@#%^&|`?:";
    if (ch == '(' || ch == '[') {
        if (!ps_open(p)) return false;
    } else if (ch == ')' || ch == ']') {
        ps_close(p);
    } else if (ch == ',' || ch == ';') {
        ps_separator(p);
    } else if (strchr(op_chars, ch)) {
        while (p->i + 1 < p->n && p->s[p->i + 1] && strchr(op_chars, p->s[p->i + 1]))
            p->i++;
        ps_operator(p);
    }
    p->i++;
    return true;
}

static bool prescan_ok(const char *s, size_t n)
{
    static _Thread_local prescan p; /* ~2 KiB: keep it off the stack */
    memset(&p, 0, offsetof(prescan, chain) + sizeof p.chain[0]);
    p.s = s;
    p.n = n;
    while (p.i < p.n && p.max <= SQL_PARSE_DEPTH_MAX) {
        unsigned char ch = (unsigned char)s[p.i];
        unsigned char nx = p.i + 1 < n ? (unsigned char)s[p.i + 1] : 0;
        bool prev_word = p.i > 0 && word_char((unsigned char)s[p.i - 1]);
        if (ch == '-' && nx == '-') {
            while (p.i < n && s[p.i] != '\n')
                p.i++;
        } else if (ch == '/' && nx == '*') {
            ps_skip_comment(&p);
        } else if (ch == '\'') {
            bool esc = p.i > 0 && (s[p.i - 1] | 0x20) == 'e' &&
                       !(p.i > 1 && word_char((unsigned char)s[p.i - 2]));
            ps_skip_quoted(&p, '\'', esc);
        } else if (ch == '"') {
            ps_skip_quoted(&p, '"', false);
        } else if (ch == '$' && !prev_word) {
            ps_skip_dollar(&p);
        } else if (word_char(ch)) {
            if (!ps_word(&p)) return false;
        } else if (!ps_punct(&p, (char)ch)) {
            return false;
        }
    }
    return p.max <= SQL_PARSE_DEPTH_MAX;
}

/* ---- step 3: protobuf depth, measured without recursion ---- */

static bool pb_varint(const uint8_t *p, size_t end, size_t *i, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*i >= end) return false;
        uint8_t b = p[(*i)++];
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

typedef struct pb_frame {
    const ProtobufCMessageDescriptor *d;
    size_t end;
} pb_frame;

static mice_status pb_bad(sql_error *err)
{
    return sqlerr_set(err, MICE_INTERNAL, SQLSTATE_INTERNAL_ERROR,
                      "could not decode the parse tree");
}

static mice_status pb_check_depth(const uint8_t *p, size_t n, sql_error *err)
{
    static _Thread_local pb_frame st[SQL_PARSE_DEPTH_MAX + 1];
    int top = 0;
    size_t i = 0;
    st[0] = (pb_frame){&pg_query__parse_result__descriptor, n};
    for (;;) {
        while (top > 0 && i >= st[top].end)
            top--;
        if (top == 0 && i >= n) return MICE_OK;
        uint64_t tag, v;
        if (!pb_varint(p, st[top].end, &i, &tag)) return pb_bad(err);
        switch (tag & 7) {
        case 0:
            if (!pb_varint(p, st[top].end, &i, &v)) return pb_bad(err);
            break;
        case 1:
            i += 8;
            break;
        case 5:
            i += 4;
            break;
        case 2: {
            if (!pb_varint(p, st[top].end, &i, &v) || v > st[top].end - i) return pb_bad(err);
            uint64_t id = tag >> 3;
            const ProtobufCFieldDescriptor *f =
                id <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(st[top].d, (unsigned)id)
                                 : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && f->descriptor) {
                if (top + 1 > SQL_PARSE_DEPTH_MAX) return too_deep(err);
                st[top + 1] = (pb_frame){f->descriptor, i + (size_t)v};
                top++;
            } else {
                i += (size_t)v;
            }
            break;
        }
        default:
            return pb_bad(err);
        }
        if (i > st[top].end) return pb_bad(err);
    }
}

/* ---- steps 2 and 4: libpg_query and protobuf-c ---- */

typedef struct pb_arena {
    ProtobufCAllocator al; /* first: protobuf-c hands us back allocator_data */
    mice_arena *a;
    bool failed;
} pb_arena;

static void *pb_alloc(void *data, size_t size)
{
    pb_arena *pa = data;
    void *p = arena_alloc(pa->a, size ? size : 1);
    if (!p) pa->failed = true;
    return p;
}

static void pb_free(void *data, void *p)
{
    (void)data; /* the arena frees everything at once */
    (void)p;
}

/* libpg_query reports PostgreSQL's message but not its SQLSTATE: recover the few that
 * differ from 42601 by their wording. */
static mice_status map_pg_error(const PgQueryError *e, sql_error *err)
{
    const char *msg = e->message ? e->message : "syntax error";
    mice_status code = MICE_INVALID;
    const char *state = SQLSTATE_SYNTAX_ERROR;
    if (strstr(msg, "stack depth limit exceeded")) {
        code = MICE_LIMIT;
        state = SQLSTATE_STACK_DEPTH;
    } else if (strstr(msg, "not yet implemented") || strstr(msg, "is not implemented")) {
        code = MICE_UNSUPPORTED;
        state = SQLSTATE_FEATURE_NOT_SUPPORTED;
    } else if (strstr(msg, "out of memory")) {
        code = MICE_NOMEM;
        state = SQLSTATE_OUT_OF_MEMORY;
    }
    sqlerr_set(err, code, state, "%s", msg);
    if (err) err->position = e->cursorpos > 0 ? e->cursorpos : 0;
    return code;
}

static mice_status run_pg_query(mice_arena *a, const char *text, PgQuery__ParseResult **tree,
                                sql_error *err)
{
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(text);
    mice_status rc = MICE_OK;
    if (r.error) {
        rc = map_pg_error(r.error, err);
        goto done;
    }
    if ((rc = pb_check_depth((const uint8_t *)r.parse_tree.data, r.parse_tree.len, err))) goto done;
    pb_arena pa = {{pb_alloc, pb_free, NULL}, a, false};
    pa.al.allocator_data = &pa;
    *tree = pg_query__parse_result__unpack(&pa.al, r.parse_tree.len,
                                           (const uint8_t *)r.parse_tree.data);
    if (!*tree) rc = pa.failed ? sqlerr_nomem(err) : pb_bad(err);
done:
    pg_query_free_protobuf_parse_result(r);
    return rc;
}

/* ---- step 5 and the entry point ---- */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* The statement's span: PostgreSQL's (len 0 = to the end), whitespace trimmed. */
static void stmt_span(const PgQuery__RawStmt *r, size_t total, sql_stmt *s)
{
    size_t from = r->stmt_location > 0 ? (size_t)r->stmt_location : 0;
    if (from > total) from = total;
    size_t to = r->stmt_len > 0 ? from + (size_t)r->stmt_len : total;
    if (to > total) to = total;
    s->offset = (uint32_t)from;
    s->len = (uint32_t)(to - from);
}

static void trim_span(const char *sql, sql_stmt *s)
{
    while (s->len > 0 && is_space(sql[s->offset]))
        s->offset++, s->len--;
    while (s->len > 0 && is_space(sql[s->offset + s->len - 1]))
        s->len--;
}

static mice_status translate(tr_ctx *c, const PgQuery__ParseResult *tree, sql_parse_result *out)
{
    sql_stmt *stmts = tree->n_stmts ? ARENA_NEW_ARRAY(c->a, sql_stmt, tree->n_stmts) : NULL;
    if (tree->n_stmts && !stmts) return nomem(c);
    for (size_t i = 0; i < tree->n_stmts; i++) {
        const PgQuery__RawStmt *r = tree->stmts[i];
        sql_stmt *s = &stmts[i];
        stmt_span(r, c->len, s);
        trim_span(c->sql, s);
        c->depth = 0;
        c->stmt_from = s->offset;
        c->stmt_to = (size_t)s->offset + s->len;
        mice_status rc = tr(c, r->stmt, &s->stmt);
        if (rc) return rc;
        if (!s->stmt) return pb_bad(c->err);
        if (s->stmt->loc < 0) s->stmt->loc = (int32_t)s->offset;
    }
    out->stmts = stmts;
    out->n_stmts = (uint32_t)tree->n_stmts;
    return MICE_OK;
}

enum { SQL_TEXT_MAX_BYTES = 256u << 20 }; /* far beyond any client; keeps offsets in int32 */

mice_status sql_parse(mice_arena *a, const char *sql, size_t len, sql_parse_result *out,
                      sql_error *err)
{
    out->stmts = NULL;
    out->n_stmts = 0;
    sqlerr_clear(err);
    if (len > SQL_TEXT_MAX_BYTES)
        return sqlerr_set(err, MICE_LIMIT, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "statement text is too long");
    if (len && memchr(sql, 0, len))
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_BAD_ENCODING,
                          "invalid byte sequence for encoding \"UTF8\": 0x00");
    if (!prescan_ok(sql, len)) return too_deep(err);
    char *text = arena_strndup(a, len ? sql : "", len);
    if (!text) return sqlerr_nomem(err);
    PgQuery__ParseResult *tree = NULL;
    mice_status rc = run_pg_query(a, text, &tree, err);
    if (rc) return rc;
    tr_ctx c = {a, err, text, len, 0};
    sql_parse_result res = {0};
    if ((rc = translate(&c, tree, &res))) return rc;
    *out = res;
    return MICE_OK;
}
