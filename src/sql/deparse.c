/* deparse.c - PostgreSQL's ruleutils for the expressions we store (see deparse.h). */
#include "sql/deparse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/bind.h"
#include "sql/pgcatalog_int.h"
#include "sql/value_io.h"

/* --- node tree texts ------------------------------------------------------------------- */

static const char DEFAULT_HEAD[] = "{DEFAULT :col ";
static const char CHECK_HEAD[] = "{CHECK :expr ";

const char *deparse_default_tree(mice_arena *a, uint32_t column_id, const char *sql)
{
    return arena_sprintf(a, "%s%u :expr %s}", DEFAULT_HEAD, column_id, sql);
}

const char *deparse_check_tree(mice_arena *a, const char *sql)
{
    return arena_sprintf(a, "%s%s}", CHECK_HEAD, sql);
}

/* --- printing -------------------------------------------------------------------------- */

typedef struct dctx {
    const pgcat_ctx *c;
    bool pretty;
    mice_arena *a;
    sql_error *err;
    mice_status rc;
} dctx;

typedef enum { N_SIMPLE, N_OP, N_BOOL, N_TEST, N_CAST, N_OTHER } node_class;

static void expr(dctx *x, const sql_expr *e, bool showimplicit, mice_buf *out);

static void quote_ident(const char *id, mice_buf *out)
{
    bool plain = id[0] && (islower((unsigned char)id[0]) || id[0] == '_');
    for (const char *p = id; plain && *p; p++)
        plain = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_';
    if (plain) {
        buf_append_str(out, id);
        return;
    }
    buf_append_u8(out, '"');
    for (const char *p = id; *p; p++) {
        if (*p == '"') buf_append_u8(out, '"');
        buf_append_u8(out, (uint8_t)*p);
    }
    buf_append_u8(out, '"');
}

static void quote_literal(mice_slice s, mice_buf *out)
{
    bool backslash = memchr(s.p, '\\', s.n) != NULL;
    if (backslash) buf_append_u8(out, 'E');
    buf_append_u8(out, '\'');
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '\'' || s.p[i] == '\\') buf_append_u8(out, s.p[i]);
        buf_append_u8(out, s.p[i]);
    }
    buf_append_u8(out, '\'');
}

static void type_label(sql_type t, mice_buf *out)
{
    char tn[SQL_TYPE_NAME_MAX];
    sql_type_format(t, tn, sizeof tn);
    buf_printf(out, "::%s", tn);
}

/* The operator a function stands for (LIKE, regular expressions, ||), else NULL. */
static const char *op_of_func(const char *name)
{
    static const char *const map[][2] = {
        {"textlike", "~~"},      {"textnlike", "!~~"},     {"texticlike", "~~*"},
        {"texticnlike", "!~~*"}, {"textregexeq", "~"},     {"textregexne", "!~"},
        {"texticregexeq", "~*"}, {"texticregexne", "!~*"}, {"textcat", "||"},
        {"anytextcat", "||"},    {"textanycat", "||"},     {"array_cat", "||"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], name)) return map[i][1];
    return NULL;
}

static node_class class_of(const sql_expr *e)
{
    switch (e->kind) {
    case EXPR_CMP:
    case EXPR_ARITH:
    case EXPR_NEG:
        return N_OP;
    case EXPR_FUNC:
        if (op_of_func(e->fm->desc->name)) return N_OP;
        if (strchr(e->fm->desc->name, ' ')) return N_OTHER; /* x = ANY (a) */
        return N_SIMPLE;
    case EXPR_IN_LIST:
        return N_OTHER;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_NOT:
        return N_BOOL;
    case EXPR_NULLTEST:
    case EXPR_BOOLTEST:
    case EXPR_DISTINCT:
    case EXPR_SUBQUERY:
        return N_TEST;
    case EXPR_CAST:
        return N_CAST;
    default:
        return N_SIMPLE;
    }
}

static const char *op_name(const sql_expr *e)
{
    static const char *const arith[] = {"+", "-", "*", "/", "%"};
    if (e->kind == EXPR_CMP) return expr_cmp_name((expr_cmp_op)e->op);
    if (e->kind == EXPR_ARITH) return arith[e->op];
    if (e->kind == EXPR_NEG) return "-";
    return op_of_func(e->fm->desc->name);
}

/* ruleutils' isSimpleNode: whether node needs no parentheses under parent (pretty mode). */
static bool simple_under(const sql_expr *node, const sql_expr *parent)
{
    node_class nc = class_of(node), pc = class_of(parent);
    if (nc == N_SIMPLE || nc == N_CAST) return true; /* casts print function-like */
    if (nc == N_OP && pc == N_OP && node->kind == EXPR_ARITH && parent->kind == EXPR_ARITH) {
        bool lo = node->op == SQL_OP_ADD || node->op == SQL_OP_SUB;
        bool plo = parent->op == SQL_OP_ADD || parent->op == SQL_OP_SUB;
        if (!lo && plo) return true;
        if (lo && !plo) return false;
        return parent->n_args && parent->args[0] == node;
    }
    if (nc == N_OP || nc == N_TEST) {
        if (pc == N_CAST) return false;
        return pc == N_BOOL || parent->kind == EXPR_CASE || parent->kind == EXPR_COALESCE ||
               parent->kind == EXPR_NULLIF || parent->kind == EXPR_MINMAX;
    }
    if (nc == N_BOOL) {
        if (pc == N_BOOL) {
            if (node->kind == EXPR_NOT || node->kind == EXPR_AND)
                return parent->kind == EXPR_AND || parent->kind == EXPR_OR;
            return parent->kind == EXPR_OR;
        }
        if (pc == N_CAST) return false;
        return parent->kind == EXPR_CASE || parent->kind == EXPR_COALESCE ||
               parent->kind == EXPR_NULLIF || parent->kind == EXPR_MINMAX;
    }
    return false;
}

/* get_rule_expr_paren */
static void expr_paren(dctx *x, const sql_expr *e, bool showimplicit, const sql_expr *parent,
                       mice_buf *out)
{
    /* an implicit cast that is not shown is transparent for the parenthesis decision */
    const sql_expr *shown = e;
    while (!showimplicit && shown->kind == EXPR_CAST && shown->cast_kind != SQL_CAST_EXPLICIT)
        shown = shown->args[0];
    bool paren = x->pretty && !simple_under(shown, parent);
    if (paren) buf_append_u8(out, '(');
    expr(x, e, showimplicit, out);
    if (paren) buf_append_u8(out, ')');
}

static void const_expr(dctx *x, const sql_expr *e, int showtype, mice_buf *out)
{
    const sql_datum *v = &e->value;
    sql_type t = sql_type_make(e->type.id, -1);
    if (v->is_null) {
        buf_append_str(out, "NULL");
        if (showtype >= 0 && t.id != SQL_TYPE_UNKNOWN) type_label(t, out);
        return;
    }
    mice_buf txt;
    buf_init(&txt);
    if (sql_type_is_reg(t.id)) {
        mice_slice s;
        mice_status rc = pgcat_reg_out(x->c, t.id, (uint32_t)v->v.i, x->a, &s, x->err);
        if (rc) x->rc = rc;
        if (!rc) buf_append_slice(&txt, s);
    } else if (value_to_text(v, x->c->vctx, &txt, x->err)) {
        x->rc = MICE_UNSUPPORTED;
    }
    bool label = true;
    switch (t.id) {
    case SQL_TYPE_INT4:
        if (txt.n && txt.p[0] != '-') {
            buf_append_slice(out, buf_slice(&txt));
            label = false;
        } else {
            quote_literal(buf_slice(&txt), out);
        }
        break;
    case SQL_TYPE_NUMERIC: {
        bool floaty = txt.n && isdigit(txt.p[0]) && memchr(txt.p, '.', txt.n);
        if (floaty)
            buf_append_slice(out, buf_slice(&txt));
        else
            quote_literal(buf_slice(&txt), out);
        label = !floaty;
        break;
    }
    case SQL_TYPE_BOOL:
        buf_append_str(out, v->v.b ? "true" : "false");
        label = false;
        break;
    default:
        quote_literal(buf_slice(&txt), out);
        label = t.id != SQL_TYPE_UNKNOWN;
        break;
    }
    buf_deinit(&txt);
    if ((label && showtype >= 0) || showtype > 0) type_label(t, out);
}

/* get_coercion_expr */
static void cast_expr(dctx *x, const sql_expr *e, bool showimplicit, mice_buf *out)
{
    const sql_expr *arg = e->args[0];
    if (!showimplicit && e->cast_kind != SQL_CAST_EXPLICIT) {
        expr_paren(x, arg, false, e, out);
        return;
    }
    if (arg->kind == EXPR_CONST && arg->type.id == e->type.id && arg->type.typmod < 0) {
        const_expr(x, arg, -1, out);
    } else {
        if (!x->pretty) buf_append_u8(out, '(');
        expr_paren(x, arg, false, e, out);
        if (!x->pretty) buf_append_u8(out, ')');
    }
    type_label(e->type, out);
}

/* The operand type PostgreSQL's operator resolution casts to, for a binary operator whose
 * sides have different types that we compare directly. */
static sql_type_id operand_type(sql_type_id self, sql_type_id other)
{
    if (sql_type_is_integer(self) && other == SQL_TYPE_NUMERIC) return SQL_TYPE_NUMERIC;
    if ((sql_type_is_integer(self) || self == SQL_TYPE_NUMERIC) && other == SQL_TYPE_FLOAT8)
        return SQL_TYPE_FLOAT8;
    if (self == SQL_TYPE_VARCHAR && (other == SQL_TYPE_TEXT || other == SQL_TYPE_VARCHAR))
        return SQL_TYPE_TEXT;
    return self;
}

/* The type a function's argument i is cast to (PostgreSQL shows those casts). */
static sql_type_id func_arg_type(const sql_expr *f, uint32_t i)
{
    sql_type_id t = f->fm && (int)i < f->fm->nargs ? f->fm->arg_types[i] : SQL_TYPE_INVALID;
    const sql_type_info *ti = sql_type_info_of(t);
    return ti && ti->category != 'P' ? t : f->args[i]->type.id;
}

/* Argument i of parent, with the implicit cast PostgreSQL's operator or function
 * resolution would have put there (shown, as ruleutils shows implicit casts of arguments). */
static void operand(dctx *x, const sql_expr *parent, uint32_t i, bool paren, mice_buf *out)
{
    const sql_expr *arg = parent->args[i];
    sql_type_id want = arg->type.id;
    if (parent->kind == EXPR_FUNC)
        want = func_arg_type(parent, i);
    else if (parent->n_args == 2)
        want = operand_type(arg->type.id, parent->args[1 - i]->type.id);
    if (want == arg->type.id || want == SQL_TYPE_UNKNOWN || arg->type.id == SQL_TYPE_UNKNOWN) {
        if (paren)
            expr_paren(x, arg, true, parent, out);
        else
            expr(x, arg, true, out);
        return;
    }
    sql_expr *args1[1] = {(sql_expr *)arg};
    sql_expr cast = {.kind = EXPR_CAST,
                     .type = sql_type_make(want, -1),
                     .cast_kind = SQL_CAST_IMPLICIT,
                     .n_args = 1,
                     .args = args1};
    if (paren)
        expr_paren(x, &cast, true, parent, out);
    else
        expr(x, &cast, true, out);
}

static void op_expr(dctx *x, const sql_expr *e, mice_buf *out)
{
    if (!x->pretty) buf_append_u8(out, '(');
    if (e->kind == EXPR_NEG) {
        buf_append_str(out, "- ");
        expr_paren(x, e->args[0], true, e, out);
    } else {
        operand(x, e, 0, true, out);
        buf_printf(out, " %s ", op_name(e));
        operand(x, e, 1, true, out);
    }
    if (!x->pretty) buf_append_u8(out, ')');
}

static void list(dctx *x, const sql_expr *e, uint32_t from, mice_buf *out)
{
    for (uint32_t i = from; i < e->n_args; i++) {
        if (i > from) buf_append_str(out, ", ");
        if (e->kind == EXPR_FUNC)
            operand(x, e, i, false, out);
        else
            expr(x, e->args[i], true, out);
    }
}

static const char *svf_keyword(const char *name)
{
    static const char *const svfs[][2] = {
        {"current_timestamp", "CURRENT_TIMESTAMP"},
        {"current_date", "CURRENT_DATE"},
        {"localtimestamp", "LOCALTIMESTAMP"},
        {"current_user", "CURRENT_USER"},
        {"current_role", "CURRENT_ROLE"},
        {"session_user", "SESSION_USER"},
        {"user", "USER"},
        {"current_catalog", "CURRENT_CATALOG"},
        {"current_schema", "CURRENT_SCHEMA"},
    };
    for (size_t i = 0; i < sizeof svfs / sizeof svfs[0]; i++)
        if (!strcmp(svfs[i][0], name)) return svfs[i][1];
    return NULL;
}

static void func_expr(dctx *x, const sql_expr *e, mice_buf *out)
{
    const char *name = e->fm->desc->name;
    if (op_of_func(name)) return op_expr(x, e, out);
    if (strchr(name, ' ') && e->n_args == 2) { /* "= ANY" / "<> ALL" */
        if (!x->pretty) buf_append_u8(out, '(');
        expr_paren(x, e->args[0], true, e, out);
        buf_printf(out, " %s (", name);
        expr_paren(x, e->args[1], true, e, out);
        buf_append_u8(out, ')');
        if (!x->pretty) buf_append_u8(out, ')');
        return;
    }
    if (!strcmp(name, "array")) {
        buf_append_str(out, "ARRAY[");
        list(x, e, 0, out);
        buf_append_u8(out, ']');
        return;
    }
    if (!strcmp(name, "array_subscript")) {
        expr_paren(x, e->args[0], true, e, out);
        buf_append_u8(out, '[');
        expr(x, e->args[1], true, out);
        buf_append_u8(out, ']');
        return;
    }
    const char *kw = e->n_args == 0 ? svf_keyword(name) : NULL;
    if (kw) {
        buf_append_str(out, kw);
        return;
    }
    buf_printf(out, "%s(", name);
    list(x, e, 0, out);
    buf_append_u8(out, ')');
}

static void bool_expr(dctx *x, const sql_expr *e, mice_buf *out)
{
    if (!x->pretty) buf_append_u8(out, '(');
    if (e->kind == EXPR_NOT) {
        buf_append_str(out, "NOT ");
        expr_paren(x, e->args[0], false, e, out);
    } else {
        for (uint32_t i = 0; i < e->n_args; i++) {
            if (i) buf_append_str(out, e->kind == EXPR_AND ? " AND " : " OR ");
            expr_paren(x, e->args[i], false, e, out);
        }
    }
    if (!x->pretty) buf_append_u8(out, ')');
}

static void test_expr(dctx *x, const sql_expr *e, mice_buf *out)
{
    static const char *const tests[] = {" IS TRUE",      " IS NOT TRUE", " IS FALSE",
                                        " IS NOT FALSE", " IS UNKNOWN",  " IS NOT UNKNOWN"};
    if (!x->pretty) buf_append_u8(out, '(');
    expr_paren(x, e->args[0], true, e, out);
    if (e->kind == EXPR_NULLTEST) {
        buf_append_str(out, e->negated ? " IS NOT NULL" : " IS NULL");
    } else if (e->kind == EXPR_BOOLTEST) {
        buf_append_str(out, tests[e->op]);
    } else {
        buf_append_str(out, e->negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        expr_paren(x, e->args[1], true, e, out);
    }
    if (!x->pretty) buf_append_u8(out, ')');
}

static void in_expr(dctx *x, const sql_expr *e, mice_buf *out)
{
    if (!x->pretty) buf_append_u8(out, '(');
    expr_paren(x, e->args[0], true, e, out);
    buf_append_str(out, e->negated ? " <> ALL (ARRAY[" : " = ANY (ARRAY[");
    list(x, e, 1, out);
    buf_append_str(out, "])");
    if (!x->pretty) buf_append_u8(out, ')');
}

static void case_expr(dctx *x, const sql_expr *e, mice_buf *out)
{
    uint32_t nw = (e->n_args - (e->has_else ? 1 : 0)) / 2;
    buf_append_str(out, "CASE");
    for (uint32_t i = 0; i < nw; i++) {
        buf_append_str(out, " WHEN ");
        expr(x, e->args[2 * i], false, out);
        buf_append_str(out, " THEN ");
        expr(x, e->args[2 * i + 1], true, out);
    }
    if (e->has_else) {
        buf_append_str(out, " ELSE ");
        expr(x, e->args[e->n_args - 1], true, out);
    }
    buf_append_str(out, " END");
}

static void nextval_expr(dctx *x, const sql_expr *e, mice_buf *out)
{
    const catalog_desc *seq = e->plan;
    if (!seq) {
        buf_append_str(out, "unique_rowid()");
        return;
    }
    mice_slice s;
    mice_status rc = pgcat_reg_out(x->c, SQL_TYPE_REGCLASS, seq->id, x->a, &s, x->err);
    if (rc) {
        x->rc = rc;
        return;
    }
    buf_append_str(out, "nextval(");
    quote_literal(s, out);
    buf_append_str(out, "::regclass)");
}

static void expr(dctx *x, const sql_expr *e, bool showimplicit, mice_buf *out)
{
    switch (e->kind) {
    case EXPR_CONST:
        const_expr(x, e, 0, out);
        return;
    case EXPR_PARAM:
        buf_printf(out, "$%d", e->index + 1);
        return;
    case EXPR_COL:
    case EXPR_OUTER: {
        const char *name = e->name ? e->name : "?column?";
        const char *dot = strrchr(name, '.');
        quote_ident(dot ? dot + 1 : name, out);
        return;
    }
    case EXPR_FUNC:
        func_expr(x, e, out);
        return;
    case EXPR_CAST:
        cast_expr(x, e, showimplicit, out);
        return;
    case EXPR_CMP:
    case EXPR_ARITH:
    case EXPR_NEG:
        op_expr(x, e, out);
        return;
    case EXPR_AND:
    case EXPR_OR:
    case EXPR_NOT:
        bool_expr(x, e, out);
        return;
    case EXPR_NULLTEST:
    case EXPR_BOOLTEST:
    case EXPR_DISTINCT:
        test_expr(x, e, out);
        return;
    case EXPR_IN_LIST:
        in_expr(x, e, out);
        return;
    case EXPR_CASE:
        case_expr(x, e, out);
        return;
    case EXPR_COALESCE:
    case EXPR_MINMAX:
        buf_append_str(out, e->kind == EXPR_COALESCE ? "COALESCE("
                            : e->op                  ? "GREATEST("
                                                     : "LEAST(");
        list(x, e, 0, out);
        buf_append_u8(out, ')');
        return;
    case EXPR_NULLIF:
        buf_append_str(out, "NULLIF(");
        list(x, e, 0, out);
        buf_append_u8(out, ')');
        return;
    case EXPR_NEXTVAL:
        nextval_expr(x, e, out);
        return;
    default:
        buf_append_str(out, "(SubPlan)");
        return;
    }
}

/* --- entry points ------------------------------------------------------------------------ */

/* Split a node tree text into (column id or 0, SQL). */
static const char *tree_sql(mice_arena *a, mice_slice tree, uint32_t *col, bool *check)
{
    char *t = arena_strndup(a, (const char *)tree.p, tree.n);
    *col = 0;
    *check = false;
    if (!t) return NULL;
    size_t n = strlen(t);
    if (!strncmp(t, DEFAULT_HEAD, sizeof DEFAULT_HEAD - 1) && n && t[n - 1] == '}') {
        char *end;
        *col = (uint32_t)strtoul(t + sizeof DEFAULT_HEAD - 1, &end, 10);
        t[n - 1] = 0;
        return strncmp(end, " :expr ", 7) ? NULL : end + 7;
    }
    if (!strncmp(t, CHECK_HEAD, sizeof CHECK_HEAD - 1) && n && t[n - 1] == '}') {
        *check = true;
        t[n - 1] = 0;
        return t + sizeof CHECK_HEAD - 1;
    }
    return t;
}

mice_status deparse_stored(const pgcat_ctx *c, const catalog_desc *table, mice_slice tree,
                           bool pretty, mice_buf *out, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "deparse", 0);
    if (!a) return sqlerr_nomem(err);
    uint32_t col;
    bool check;
    const char *sql = tree_sql(a, tree, &col, &check);
    func_ctx fc;
    func_ctx_init(&fc, a, c->vctx);
    fc.pgcat = c;
    bind_ctx *b = ARENA_NEW(a, bind_ctx);
    mice_status rc = b && sql ? MICE_OK : sqlerr_nomem(err);
    sql_type want = sql_type_make(check ? SQL_TYPE_BOOL : SQL_TYPE_INVALID, -1);
    if (rc == MICE_OK && col && table) {
        int pos = catalog_column_pos(table, col);
        if (pos >= 0) want = table->columns[pos].type;
    }
    sql_expr *e = NULL;
    if (rc == MICE_OK) {
        *b = (bind_ctx){.arena = a,
                        .ct = c->ct,
                        .database_id = c->database_id,
                        .sp = c->sp,
                        .vctx = c->vctx,
                        .fctx = &fc,
                        .no_fold = true};
        rc = bind_expr_text(b, sql, table, want, &e, err);
    }
    if (rc == MICE_OK) {
        dctx x = {.c = c, .pretty = pretty, .a = a, .err = err};
        expr(&x, e, false, out);
        rc = x.rc;
    }
    arena_destroy(a);
    return rc;
}

mice_status deparse_constraint(const pgcat_ctx *c, const catalog_desc *d, bool check, uint32_t pos,
                               bool pretty, mice_buf *out, sql_error *err)
{
    if (!check) {
        pgcat__keydef(d, pos, out);
        return MICE_OK;
    }
    mice_arena *a = arena_create(NULL, "constraintdef", 0);
    const char *tree = a ? deparse_check_tree(a, d->checks[pos].expr) : NULL;
    if (!tree) {
        arena_destroy(a);
        return sqlerr_nomem(err);
    }
    buf_append_str(out, "CHECK (");
    mice_status rc = deparse_stored(c, d, mice_slice_str(tree), pretty, out, err);
    buf_append_u8(out, ')');
    arena_destroy(a);
    return rc;
}

mice_status deparse_index(const pgcat_ctx *c, const catalog_desc *d, uint32_t pos, int32_t column,
                          mice_buf *out, sql_error *err)
{
    const catalog_index *ix = &d->indexes[pos];
    if (column > 0) {
        if ((uint32_t)column > ix->n_cols) return MICE_OK;
        int cp = catalog_column_pos(d, ix->col_ids[column - 1]);
        quote_ident(cp >= 0 ? d->columns[cp].name : "?", out);
        return MICE_OK;
    }
    catalog_desc *sd;
    mice_arena *a = arena_create(NULL, "indexdef", 0);
    if (!a) return sqlerr_nomem(err);
    mice_status rc = catalog_get_desc(c->ct, d->parent_id, a, &sd, err);
    if (rc == MICE_OK) pgcat__indexdef(d, pos, sd->name, out);
    arena_destroy(a);
    return rc;
}

static void mark_columns(const sql_expr *e, bool *used, uint32_t n)
{
    if (e->kind == EXPR_COL && e->index >= 0 && (uint32_t)e->index < n) used[e->index] = true;
    for (uint32_t i = 0; i < e->n_args; i++)
        mark_columns(e->args[i], used, n);
}

mice_status deparse_columns(const pgcat_ctx *c, const catalog_desc *table, const char *sql,
                            uint32_t *ids, uint32_t cap, uint32_t *n, sql_error *err)
{
    *n = 0;
    mice_arena *a = arena_create(NULL, "columns", 0);
    bind_ctx *b = a ? ARENA_NEW(a, bind_ctx) : NULL;
    bool *used = a ? ARENA_NEW_ARRAY(a, bool, table->n_columns + 1) : NULL;
    if (!b || !used) {
        arena_destroy(a);
        return sqlerr_nomem(err);
    }
    func_ctx fc;
    func_ctx_init(&fc, a, c->vctx);
    fc.pgcat = c;
    *b = (bind_ctx){.arena = a,
                    .ct = c->ct,
                    .database_id = c->database_id,
                    .sp = c->sp,
                    .vctx = c->vctx,
                    .fctx = &fc,
                    .no_fold = true};
    sql_expr *e;
    mice_status rc = bind_expr_text(b, sql, table, sql_type_make(SQL_TYPE_INVALID, -1), &e, err);
    if (rc == MICE_OK) {
        mark_columns(e, used, table->n_columns);
        for (uint32_t i = 0; i < table->n_columns; i++)
            if (used[i] && *n < cap) ids[(*n)++] = table->columns[i].id;
        /* ascending attnums, as PostgreSQL's conkey */
        for (uint32_t i = 1; i < *n; i++)
            for (uint32_t k = i; k > 0 && ids[k - 1] > ids[k]; k--) {
                uint32_t t = ids[k];
                ids[k] = ids[k - 1];
                ids[k - 1] = t;
            }
    }
    arena_destroy(a);
    return rc;
}
