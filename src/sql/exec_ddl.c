/* exec_ddl.c - CREATE/DROP TABLE, CREATE/DROP INDEX (with backfill) and TRUNCATE
 * (see exec.h). Column DEFAULT and CHECK expressions are stored as SQL text, printed
 * back from the AST here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv/keys.h"
#include "sql/bind.h"
#include "sql/exec_int.h"
#include "sql/value_io.h"

/* --- expressions back to SQL text ------------------------------------------------------------ */

static bool deparse(const ast_node *n, mice_buf *out);

static bool deparse_list(const ast_list *l, const char *sep, mice_buf *out)
{
    for (uint32_t i = 0; i < l->n; i++) {
        if (i) buf_append_str(out, sep);
        if (!deparse(l->items[i], out)) return false;
    }
    return true;
}

static void deparse_names(const ast_names *nm, mice_buf *out)
{
    for (uint32_t i = 0; i < nm->n; i++)
        buf_printf(out, "%s%s", i ? "." : "", nm->v[i]);
}

static void deparse_const(const ast_const *k, mice_buf *out)
{
    switch (k->ck) {
    case AST_CONST_NULL:
        buf_append_str(out, "NULL");
        return;
    case AST_CONST_BOOL:
        buf_append_str(out, k->bval ? "true" : "false");
        return;
    case AST_CONST_INT:
    case AST_CONST_NUMERIC:
        buf_append_str(out, k->text);
        return;
    default:
        buf_append_u8(out, '\'');
        for (const char *p = k->text; *p; p++) {
            if (*p == '\'') buf_append_u8(out, '\'');
            buf_append_u8(out, (uint8_t)*p);
        }
        buf_append_u8(out, '\'');
    }
}

static bool deparse_type(const ast_node *t, mice_buf *out)
{
    const ast_type_name *tn = &t->u.type_name;
    deparse_names(&tn->names, out);
    if (tn->typmods.n) {
        buf_append_u8(out, '(');
        if (!deparse_list(&tn->typmods, ",", out)) return false;
        buf_append_u8(out, ')');
    }
    for (uint32_t i = 0; i < tn->array_bounds.n; i++)
        buf_append_str(out, "[]");
    return true;
}

static bool deparse_func(const ast_func *f, mice_buf *out)
{
    deparse_names(&f->name, out);
    buf_append_u8(out, '(');
    if (f->star) buf_append_u8(out, '*');
    if (f->distinct) buf_append_str(out, "DISTINCT ");
    bool ok = deparse_list(&f->args, ", ", out);
    buf_append_u8(out, ')');
    return ok && !f->over && !f->filter && !f->agg_order.n;
}

static bool deparse_case(const ast_case *c, mice_buf *out)
{
    buf_append_str(out, "CASE");
    if (c->arg) {
        buf_append_u8(out, ' ');
        if (!deparse(c->arg, out)) return false;
    }
    for (uint32_t i = 0; i < c->whens.n; i++) {
        const ast_case_when *w = &c->whens.items[i]->u.case_when;
        buf_append_str(out, " WHEN ");
        if (!deparse(w->cond, out)) return false;
        buf_append_str(out, " THEN ");
        if (!deparse(w->result, out)) return false;
    }
    if (c->else_) {
        buf_append_str(out, " ELSE ");
        if (!deparse(c->else_, out)) return false;
    }
    buf_append_str(out, " END");
    return true;
}

static bool deparse(const ast_node *n, mice_buf *out)
{
    bool ok = true;
    switch (n->kind) {
    case AST_CONST:
        deparse_const(&n->u.konst, out);
        return true;
    case AST_COLUMN_REF:
        deparse_names(&n->u.column_ref.names, out);
        return !n->u.column_ref.star;
    case AST_OP:
        buf_append_u8(out, '(');
        if (n->u.op.l && !(deparse(n->u.op.l, out))) return false;
        buf_printf(out, "%s%s ", n->u.op.l ? " " : "", n->u.op.name.v[n->u.op.name.n - 1]);
        ok = deparse(n->u.op.r, out);
        buf_append_u8(out, ')');
        return ok;
    case AST_BOOL_EXPR:
        buf_append_u8(out, '(');
        if (n->u.bool_expr.op == AST_BOOL_NOT) buf_append_str(out, "NOT ");
        ok = deparse_list(&n->u.bool_expr.args,
                          n->u.bool_expr.op == AST_BOOL_AND ? " AND " : " OR ", out);
        buf_append_u8(out, ')');
        return ok;
    case AST_NULL_TEST:
        buf_append_u8(out, '(');
        ok = deparse(n->u.null_test.arg, out);
        buf_append_str(out, n->u.null_test.is_not ? " IS NOT NULL)" : " IS NULL)");
        return ok;
    case AST_FUNC:
        return deparse_func(&n->u.func, out);
    case AST_CAST:
        buf_append_u8(out, '(');
        ok = deparse(n->u.cast.arg, out);
        buf_append_str(out, ")::");
        return ok && deparse_type(n->u.cast.type, out);
    case AST_IN_LIST:
        buf_append_u8(out, '(');
        ok = deparse(n->u.in_list.l, out);
        buf_append_str(out, n->u.in_list.negated ? " NOT IN (" : " IN (");
        ok = ok && deparse_list(&n->u.in_list.list, ", ", out);
        buf_append_str(out, "))");
        return ok;
    case AST_BETWEEN:
        buf_append_u8(out, '(');
        ok = deparse(n->u.between.arg, out);
        buf_append_str(out, n->u.between.negated ? " NOT BETWEEN " : " BETWEEN ");
        ok = ok && deparse(n->u.between.lo, out);
        buf_append_str(out, " AND ");
        ok = ok && deparse(n->u.between.hi, out);
        buf_append_u8(out, ')');
        return ok && !n->u.between.symmetric;
    case AST_LIKE:
        buf_append_u8(out, '(');
        ok = deparse(n->u.like.arg, out);
        buf_printf(out, " %s%s ", n->u.like.negated ? "NOT " : "",
                   n->u.like.lk == AST_LIKE_ILIKE ? "ILIKE" : "LIKE");
        ok = ok && deparse(n->u.like.pattern, out);
        buf_append_u8(out, ')');
        return ok && n->u.like.lk != AST_LIKE_SIMILAR && !n->u.like.escape;
    case AST_CASE:
        return deparse_case(&n->u.case_, out);
    case AST_SVF: {
        const char *name = bind_svf_name((int)n->u.svf.fn);
        for (const char *p = name; p && *p; p++)
            buf_append_u8(out, (uint8_t)(*p - 32 * (*p >= 'a' && *p <= 'z')));
        return name != NULL;
    }
    case AST_COALESCE:
    case AST_MINMAX: {
        const ast_list *l = n->kind == AST_COALESCE ? &n->u.coalesce.args : &n->u.minmax.args;
        buf_append_str(out, n->kind == AST_COALESCE ? "COALESCE("
                            : n->u.minmax.greatest  ? "GREATEST("
                                                    : "LEAST(");
        ok = deparse_list(l, ", ", out);
        buf_append_u8(out, ')');
        return ok;
    }
    case AST_NULLIF:
        buf_append_str(out, "NULLIF(");
        ok = deparse(n->u.nullif.l, out);
        buf_append_str(out, ", ");
        ok = ok && deparse(n->u.nullif.r, out);
        buf_append_u8(out, ')');
        return ok;
    default:
        return false;
    }
}

static mice_status expr_text(const exec_ddl_env *env, const ast_node *n, const char **out,
                             sql_error *err)
{
    mice_buf b;
    buf_init(&b);
    bool ok = deparse(n, &b);
    *out = ok ? arena_strndup(env->arena, (const char *)b.p, b.n) : NULL;
    buf_deinit(&b);
    if (!ok)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "this expression is not supported in DEFAULT or CHECK yet");
    return *out ? MICE_OK : sqlerr_nomem(err);
}

/* --- CREATE TABLE ------------------------------------------------------------------------------
 */

typedef struct table_build {
    const exec_ddl_env *env;
    catalog_desc *d;
    uint32_t cap_indexes, cap_checks;
    int *serial_bits; /* per column: 0, 16, 32, 64 */
    const uint32_t *pk_cols;
    uint32_t n_pk;
} table_build;

/* The column names an expression mentions: *first the first one, *several when another
 * differs from it. */
static void columns_of(const ast_node *n, const char **first, bool *several);

static void columns_of_list(const ast_list *l, const char **first, bool *several)
{
    for (uint32_t i = 0; i < l->n; i++)
        columns_of(l->items[i], first, several);
}

static void columns_of(const ast_node *n, const char **first, bool *several)
{
    if (!n) return;
    switch (n->kind) {
    case AST_COLUMN_REF: {
        if (n->u.column_ref.star || !n->u.column_ref.names.n) return;
        const char *c = n->u.column_ref.names.v[n->u.column_ref.names.n - 1];
        if (!*first)
            *first = c;
        else if (strcmp(*first, c))
            *several = true;
        return;
    }
    case AST_OP:
        columns_of(n->u.op.l, first, several);
        columns_of(n->u.op.r, first, several);
        return;
    case AST_BOOL_EXPR:
        columns_of_list(&n->u.bool_expr.args, first, several);
        return;
    case AST_NULL_TEST:
        columns_of(n->u.null_test.arg, first, several);
        return;
    case AST_BOOL_TEST:
        columns_of(n->u.bool_test.arg, first, several);
        return;
    case AST_FUNC:
        columns_of_list(&n->u.func.args, first, several);
        return;
    case AST_IN_LIST:
        columns_of(n->u.in_list.l, first, several);
        columns_of_list(&n->u.in_list.list, first, several);
        return;
    case AST_BETWEEN:
        columns_of(n->u.between.arg, first, several);
        columns_of(n->u.between.lo, first, several);
        columns_of(n->u.between.hi, first, several);
        return;
    case AST_LIKE:
        columns_of(n->u.like.arg, first, several);
        columns_of(n->u.like.pattern, first, several);
        return;
    case AST_CAST:
        columns_of(n->u.cast.arg, first, several);
        return;
    case AST_COLLATE:
        columns_of(n->u.collate.arg, first, several);
        return;
    case AST_DISTINCT:
        columns_of(n->u.distinct.l, first, several);
        columns_of(n->u.distinct.r, first, several);
        return;
    case AST_NULLIF:
        columns_of(n->u.nullif.l, first, several);
        columns_of(n->u.nullif.r, first, several);
        return;
    case AST_COALESCE:
        columns_of_list(&n->u.coalesce.args, first, several);
        return;
    case AST_MINMAX:
        columns_of_list(&n->u.minmax.args, first, several);
        return;
    case AST_ANY_ALL:
        columns_of(n->u.any_all.l, first, several);
        columns_of(n->u.any_all.r, first, several);
        return;
    case AST_CASE:
        columns_of(n->u.case_.arg, first, several);
        for (uint32_t i = 0; i < n->u.case_.whens.n; i++) {
            columns_of(n->u.case_.whens.items[i]->u.case_when.cond, first, several);
            columns_of(n->u.case_.whens.items[i]->u.case_when.result, first, several);
        }
        columns_of(n->u.case_.else_, first, several);
        return;
    default:
        return;
    }
}

/* PostgreSQL names a CHECK after its column only when it mentions exactly one. */
static const char *single_column(const ast_node *n)
{
    const char *first = NULL;
    bool several = false;
    columns_of(n, &first, &several);
    return several ? NULL : first;
}

static mice_status add_check(table_build *tb, const ast_node *c, const char *col, sql_error *err)
{
    catalog_desc *d = tb->d;
    if (d->n_checks == tb->cap_checks) {
        uint32_t cap = tb->cap_checks ? tb->cap_checks * 2 : 4;
        catalog_check *v = ARENA_NEW_ARRAY(tb->env->arena, catalog_check, cap);
        if (!v) return sqlerr_nomem(err);
        if (d->n_checks) memcpy(v, d->checks, sizeof(catalog_check) * d->n_checks);
        d->checks = v;
        tb->cap_checks = cap;
    }
    catalog_check *k = &d->checks[d->n_checks];
    mice_status rc = expr_text(tb->env, c->u.constraint.expr, &k->expr, err);
    if (rc) return rc;
    k->name = c->u.constraint.name;
    if (!k->name) {
        const char *fc = col ? col : single_column(c->u.constraint.expr);
        const char *base = fc ? arena_sprintf(tb->env->arena, "%s_%s_check", d->name, fc)
                              : arena_sprintf(tb->env->arena, "%s_check", d->name);
        k->name = base;
        for (uint32_t n = 1;; n++) {
            bool taken = false;
            for (uint32_t i = 0; i < d->n_checks; i++)
                taken |= !strcmp(d->checks[i].name, k->name);
            if (!taken) break;
            k->name = arena_sprintf(tb->env->arena, "%s%u", base, n);
        }
    }
    d->n_checks++;
    return MICE_OK;
}

static mice_status add_index(table_build *tb, const ast_names *keys, const char *single,
                             bool primary, const char *name, int32_t loc, sql_error *err)
{
    catalog_desc *d = tb->d;
    mice_arena *a = tb->env->arena;
    uint32_t n = single ? 1 : keys->n;
    uint32_t *cols = ARENA_NEW_ARRAY(a, uint32_t, n);
    keyenc_dir *dirs = ARENA_NEW_ARRAY(a, keyenc_dir, n);
    if (!cols || !dirs) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        const char *cn = single ? single : keys->v[i];
        const catalog_column *c = catalog_column_by_name(d, cn);
        if (!c) {
            sqlerr_set(err, MICE_INVALID, "42703", "column \"%s\" named in key does not exist", cn);
            if (loc >= 0) err->position = loc + 1;
            return MICE_INVALID;
        }
        cols[i] = (uint32_t)(c - d->columns) + 1;
        dirs[i] = KEYENC_ASC;
        if (primary) ((catalog_column *)c)->not_null = true;
    }
    if (primary && d->n_indexes && d->indexes[0].primary)
        return sqlerr_set(err, MICE_INVALID, "42P16",
                          "multiple primary keys for table \"%s\" are not allowed", d->name);
    if (d->n_indexes == tb->cap_indexes) {
        uint32_t cap = tb->cap_indexes ? tb->cap_indexes * 2 : 4;
        catalog_index *v = ARENA_NEW_ARRAY(a, catalog_index, cap);
        if (!v) return sqlerr_nomem(err);
        if (d->n_indexes) memcpy(v, d->indexes, sizeof(catalog_index) * d->n_indexes);
        d->indexes = v;
        tb->cap_indexes = cap;
    }
    catalog_index ix = {.name = name,
                        .unique = true,
                        .primary = primary,
                        .constraint = true,
                        .n_cols = n,
                        .col_ids = cols,
                        .dirs = dirs};
    if (primary) {
        memmove(d->indexes + 1, d->indexes, sizeof(catalog_index) * d->n_indexes);
        d->indexes[0] = ix;
    } else {
        d->indexes[d->n_indexes] = ix;
    }
    d->n_indexes++;
    return MICE_OK;
}

static int serial_bits(const ast_node *type)
{
    const ast_names *nm = &type->u.type_name.names;
    const char *t = nm->v[nm->n - 1];
    if (nm->n != 1 || type->u.type_name.array_bounds.n) return 0;
    if (!strcmp(t, "serial") || !strcmp(t, "serial4")) return 32;
    if (!strcmp(t, "bigserial") || !strcmp(t, "serial8")) return 64;
    if (!strcmp(t, "smallserial") || !strcmp(t, "serial2")) return 16;
    return 0;
}

static mice_status column_def(table_build *tb, uint32_t i, const ast_node *n, sql_error *err)
{
    const ast_column_def *cd = &n->u.column_def;
    catalog_column *c = &tb->d->columns[i];
    c->name = cd->name;
    for (uint32_t k = 0; k < i; k++)
        if (!strcmp(tb->d->columns[k].name, cd->name))
            return sqlerr_set(err, MICE_EXISTS, "42701", "column \"%s\" specified more than once",
                              cd->name);
    int bits = serial_bits(cd->type);
    tb->serial_bits[i] = bits;
    mice_status rc = MICE_OK;
    if (bits) {
        c->type = sql_type_make(bits == 64   ? SQL_TYPE_INT8
                                : bits == 32 ? SQL_TYPE_INT4
                                             : SQL_TYPE_INT2,
                                -1);
        c->not_null = true;
    } else {
        rc = bind_type_name(cd->type, &c->type, err);
    }
    return rc;
}

static mice_status column_constraints(table_build *tb, uint32_t i, const ast_node *n,
                                      sql_error *err)
{
    const ast_column_def *cd = &n->u.column_def;
    catalog_column *c = &tb->d->columns[i];
    for (uint32_t k = 0; k < cd->constraints.n; k++) {
        const ast_node *cn = cd->constraints.items[k];
        const ast_constraint *ct = &cn->u.constraint;
        mice_status rc = MICE_OK;
        switch (ct->ct) {
        case AST_CONSTR_NULL:
            c->not_null = false;
            break;
        case AST_CONSTR_NOT_NULL:
            c->not_null = true;
            break;
        case AST_CONSTR_DEFAULT:
            rc = expr_text(tb->env, ct->expr, &c->default_expr, err);
            break;
        case AST_CONSTR_CHECK:
            rc = add_check(tb, cn, c->name, err);
            break;
        case AST_CONSTR_PRIMARY:
        case AST_CONSTR_UNIQUE:
            rc = add_index(tb, NULL, c->name, ct->ct == AST_CONSTR_PRIMARY, ct->name, cn->loc, err);
            break;
        default:
            rc = sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                            "this column constraint is not supported yet");
        }
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status create_serial(table_build *tb, uint32_t i, sql_error *err)
{
    const exec_ddl_env *env = tb->env;
    catalog_column *c = &tb->d->columns[i];
    catalog_desc *s = ARENA_NEW(env->arena, catalog_desc);
    if (!s) return sqlerr_nomem(err);
    s->kind = CATALOG_SEQUENCE;
    s->parent_id = tb->d->parent_id;
    s->owner_id = CATALOG_ID_ROOT_USER;
    s->name = arena_sprintf(env->arena, "%s_%s_seq", tb->d->name, c->name);
    int bits = tb->serial_bits[i];
    s->seq = (catalog_sequence_opts){.start = 1,
                                     .increment = 1,
                                     .min = 1,
                                     .cache = 1,
                                     .max = bits == 64   ? INT64_MAX
                                            : bits == 32 ? INT32_MAX
                                                         : INT16_MAX};
    mice_status rc = catalog_create_relation(env->ct, s, env->arena, err);
    if (rc) return rc;
    c->sequence_id = s->id;
    c->default_expr = arena_sprintf(env->arena, "nextval('%s'::regclass)", s->name);
    return MICE_OK;
}

static mice_status table_constraints(table_build *tb, const ast_create_table *ct, sql_error *err)
{
    for (uint32_t k = 0; k < ct->constraints.n; k++) {
        const ast_node *cn = ct->constraints.items[k];
        const ast_constraint *c = &cn->u.constraint;
        mice_status rc;
        if (c->ct == AST_CONSTR_CHECK)
            rc = add_check(tb, cn, NULL, err);
        else if (c->ct == AST_CONSTR_PRIMARY || c->ct == AST_CONSTR_UNIQUE)
            rc = add_index(tb, &c->keys, NULL, c->ct == AST_CONSTR_PRIMARY, c->name, cn->loc, err);
        else
            rc = sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                            "this table constraint is not supported yet");
        if (rc) return rc;
    }
    return MICE_OK;
}

#define SKIP_EXISTS "%s \"%s\" already exists, skipping"

/* A NOTICE of a successful statement travels in err with code MICE_OK (the engine sends
 * it through the sink); only the first one of a statement is kept. */
static mice_status ddl_notice(const exec_ddl_env *env, sql_error *err, const char *sqlstate,
                              const char *what, const char *name, const char *fmt)
{
    if (env->notice) {
        sql_error n;
        sqlerr_clear(&n);
        sqlerr_set(&n, MICE_OK, sqlstate, fmt, what, name);
        return env->notice(env->notice_ctx, &n);
    }
    if (err && err->message[0]) return MICE_OK;
    sqlerr_set(err, MICE_OK, sqlstate, fmt, what, name);
    return MICE_OK;
}

static mice_status create_table(const exec_ddl_env *env, const ast_node *n, sql_error *err)
{
    const ast_create_table *ct = &n->u.create_table;
    const ast_range_var *rv = &ct->table->u.range_var;
    if (ct->inherits.n || ct->partition || rv->persistence == 't')
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "INHERITS, PARTITION BY and TEMP tables are not supported yet");
    catalog_desc *existing;
    sql_error probe;
    if (ct->if_not_exists &&
        catalog_resolve_relation(env->ct, env->database_id, env->sp, rv->schema, rv->rel,
                                 env->arena, &existing, &probe) == MICE_OK)
        return ddl_notice(env, err, "42P07", "relation", rv->rel, SKIP_EXISTS);
    uint32_t schema_id;
    mice_status rc = catalog_creation_schema(env->ct, env->database_id, env->sp, rv->schema,
                                             rv->rel, &schema_id, err);
    if (rc) return rc;
    table_build tb = {.env = env};
    catalog_desc *d = tb.d = ARENA_NEW(env->arena, catalog_desc);
    uint32_t nc = ct->columns.n;
    if (!d || !(d->columns = ARENA_NEW_ARRAY(env->arena, catalog_column, nc + 2)) ||
        !(tb.serial_bits = ARENA_NEW_ARRAY(env->arena, int, nc + 1)))
        return sqlerr_nomem(err);
    d->kind = CATALOG_TABLE;
    d->parent_id = schema_id;
    d->name = rv->rel;
    d->owner_id = CATALOG_ID_ROOT_USER;
    for (uint32_t i = 0; i < nc && !rc; i++)
        rc = column_def(&tb, i, ct->columns.items[i], err);
    d->n_columns = nc;
    for (uint32_t i = 0; i < nc && !rc; i++)
        rc = column_constraints(&tb, i, ct->columns.items[i], err);
    if (!rc) rc = table_constraints(&tb, ct, err);
    if (rc) return rc;
    if (d->n_indexes && !d->indexes[0].primary) {
        /* no PRIMARY KEY: the catalog puts the hidden rowid first; keep our uniques after it */
    }
    for (uint32_t i = 0; i < nc && !rc; i++)
        if (tb.serial_bits[i]) rc = create_serial(&tb, i, err);
    if (!rc) rc = catalog_create_relation(env->ct, d, env->arena, err);
    return rc;
}

/* --- indexes -------------------------------------------------------------------------------------
 */

static void dup_detail(const exec_ddl_env *env, const catalog_desc *d, const catalog_index *ix,
                       const sql_datum *row, sql_error *err)
{
    mice_buf cols, vals;
    buf_init(&cols);
    buf_init(&vals);
    for (uint32_t k = 0; k < ix->n_cols; k++) {
        int c = catalog_column_pos(d, ix->col_ids[k]);
        buf_append_str(&cols, k ? ", " : "");
        buf_append_str(&vals, k ? ", " : "");
        buf_append_str(&cols, d->columns[c].name);
        if (row[c].is_null)
            buf_append_str(&vals, "null");
        else if (value_to_text(&row[c], env->vctx, &vals, NULL))
            buf_append_str(&vals, "?");
    }
    sqlerr_detail(err, "Key (%.*s)=(%.*s) is duplicated.", (int)cols.n, (const char *)cols.p,
                  (int)vals.n, (const char *)vals.p);
    buf_deinit(&cols);
    buf_deinit(&vals);
}

mice_status exec__backfill(const exec_ddl_env *env, uint32_t table_id, uint32_t index_id,
                           sql_error *err)
{
    catalog_desc *d;
    mice_status rc = catalog_get_desc(env->ct, table_id, env->arena, &d, err);
    if (rc) return rc;
    rowenc_table layout;
    rowenc_index *ixs;
    if (catalog_table_layout(d, env->arena, &layout, &ixs)) return sqlerr_nomem(err);
    uint32_t pos = 0;
    while (pos < d->n_indexes && d->indexes[pos].id != index_id)
        pos++;
    mice_buf start, end, key, val, scratch;
    buf_init(&start);
    buf_init(&end);
    buf_init(&key);
    buf_init(&val);
    buf_init(&scratch);
    keys_index_span(&start, &end, table_id, d->indexes[0].id);
    txn_scan *s = NULL;
    mice_arena *rows = arena_create(env->arena, "backfill", 0);
    sql_datum *row = ARENA_NEW_ARRAY(env->arena, sql_datum, d->n_columns + 1);
    if (!rows || !row) rc = sqlerr_nomem(err);
    if (!rc && txn_scan_open(env->t, buf_slice(&start), buf_slice(&end), false, 0, &s))
        rc = sqlerr_set(err, MICE_CLOSED, "25P02", "current transaction is aborted");
    while (!rc) {
        const kv_row *kr;
        size_t n;
        mice_err me;
        if ((rc = txn_scan_next(s, SCAN_KV_BATCH_ROWS_MAX, &kr, &n, &me))) {
            rc = exec_txn_error(rc, &me, err);
            break;
        }
        if (!n) break;
        arena_reset(rows);
        for (size_t i = 0; i < n && !rc; i++) {
            rc = rowenc_primary_decode(&layout, buf_slice(&kr[i].key), buf_slice(&kr[i].value),
                                       rows, row);
            buf_reset(&key);
            buf_reset(&val);
            if (!rc) rc = rowenc_index_entry(&layout, &ixs[pos], row, &key, &val);
            if (rc) {
                rc = sqlerr_set(err, rc, "XX001", "could not index a row of \"%s\"", d->name);
                break;
            }
            bool found = false;
            if (d->indexes[pos].unique &&
                (rc = txn_get(env->t, buf_slice(&key), &scratch, &found, &me)))
                rc = exec_txn_error(rc, &me, err);
            if (!rc && found) {
                sqlerr_set(err, MICE_EXISTS, SQLSTATE_UNIQUE_VIOLATION,
                           "could not create unique index \"%s\"", d->indexes[pos].name);
                dup_detail(env, d, &d->indexes[pos], row, err);
                rc = MICE_EXISTS;
            }
            if (!rc && (rc = txn_put(env->t, buf_slice(&key), buf_slice(&val), &me)))
                rc = exec_txn_error(rc, &me, err);
        }
    }
    txn_scan_close(s);
    buf_deinit(&start);
    buf_deinit(&end);
    buf_deinit(&key);
    buf_deinit(&val);
    buf_deinit(&scratch);
    return rc;
}

static mice_status create_index(const exec_ddl_env *env, const ast_node *n, sql_error *err)
{
    const ast_create_index *ci = &n->u.create_index;
    const ast_range_var *rv = &ci->table->u.range_var;
    if (ci->where || ci->including.n)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "partial indexes and INCLUDE are not supported yet");
    catalog_desc *d, *t2;
    uint32_t pos;
    sql_error probe;
    if (ci->if_not_exists && ci->name &&
        catalog_resolve_index(env->ct, env->database_id, env->sp, rv->schema, ci->name, env->arena,
                              &t2, &pos, &probe) == MICE_OK)
        return ddl_notice(env, err, "42P07", "relation", ci->name, SKIP_EXISTS);
    mice_status rc = catalog_resolve_relation(env->ct, env->database_id, env->sp, rv->schema,
                                              rv->rel, env->arena, &d, err);
    if (rc) return rc;
    uint32_t nc = ci->params.n;
    uint32_t *cols = ARENA_NEW_ARRAY(env->arena, uint32_t, nc + 1);
    keyenc_dir *dirs = ARENA_NEW_ARRAY(env->arena, keyenc_dir, nc + 1);
    if (!cols || !dirs) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < nc; i++) {
        const ast_index_elem *e = &ci->params.items[i]->u.index_elem;
        if (!e->column)
            return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "expression indexes are not supported yet");
        const catalog_column *c = catalog_column_by_name(d, e->column);
        if (!c)
            return sqlerr_set(err, MICE_INVALID, "42703", "column \"%s\" does not exist",
                              e->column);
        cols[i] = c->id;
        dirs[i] = e->dir == AST_SORT_DESC ? KEYENC_DESC : KEYENC_ASC;
    }
    catalog_index ix = {
        .name = ci->name, .unique = ci->unique, .n_cols = nc, .col_ids = cols, .dirs = dirs};
    rc = catalog_create_index(env->ct, d->id, &ix, env->arena, err);
    if (!rc) rc = exec__backfill(env, d->id, ix.id, err);
    return rc;
}

/* --- DROP, TRUNCATE
 * -------------------------------------------------------------------------------- */

static mice_status qname_parts(const ast_node *q, const char **schema, const char **name)
{
    const ast_names *nm = &q->u.qname.names;
    *name = nm->v[nm->n - 1];
    *schema = nm->n >= 2 ? nm->v[nm->n - 2] : NULL;
    return MICE_OK;
}

static mice_status drop(const exec_ddl_env *env, const ast_node *n, char *tag, size_t cap,
                        sql_error *err)
{
    const ast_drop *dr = &n->u.drop;
    bool seq = dr->obj == AST_OBJ_SEQUENCE, view = dr->obj == AST_OBJ_VIEW;
    bool table = dr->obj == AST_OBJ_TABLE || seq || view;
    catalog_kind want = seq ? CATALOG_SEQUENCE : view ? CATALOG_VIEW : CATALOG_TABLE;
    const char *what = seq ? "sequence" : view ? "view" : table ? "table" : "index";
    if (!table && dr->obj != AST_OBJ_INDEX)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "this DROP is not supported yet");
    snprintf(tag, cap, "DROP %s", seq ? "SEQUENCE" : view ? "VIEW" : table ? "TABLE" : "INDEX");
    uint32_t nn = dr->names.n;
    catalog_desc **descs = ARENA_NEW_ARRAY(env->arena, catalog_desc *, nn ? nn : 1);
    uint32_t *pos = ARENA_NEW_ARRAY(env->arena, uint32_t, nn ? nn : 1);
    uint32_t *ids = ARENA_NEW_ARRAY(env->arena, uint32_t, nn ? nn : 1);
    if (!descs || !pos || !ids) return sqlerr_nomem(err);
    uint32_t n_ids = 0;
    /* resolve every name first: views named in the same DROP do not block each other */
    for (uint32_t i = 0; i < nn; i++) {
        const char *schema, *name;
        qname_parts(dr->names.items[i], &schema, &name);
        catalog_desc *d;
        sql_error probe;
        pos[i] = 0;
        descs[i] = NULL;
        mice_status rc = table ? catalog_resolve_relation(env->ct, env->database_id, env->sp,
                                                          schema, name, env->arena, &d, &probe)
                               : catalog_resolve_index(env->ct, env->database_id, env->sp, schema,
                                                       name, env->arena, &d, &pos[i], &probe);
        if (rc == MICE_OK && table && d->kind != want &&
            (d->kind == CATALOG_VIEW || d->kind == CATALOG_TABLE) &&
            (want == CATALOG_VIEW || want == CATALOG_TABLE)) {
            sqlerr_set(err, MICE_INVALID, "42809", "\"%s\" is not a %s", name, what);
            sqlerr_hint(err, "Use DROP %s to remove a %s.",
                        d->kind == CATALOG_VIEW ? "VIEW" : "TABLE",
                        d->kind == CATALOG_VIEW ? "view" : "table");
            return MICE_INVALID;
        }
        if (rc == MICE_NOTFOUND || (rc == MICE_OK && table && d->kind != want)) {
            if (dr->missing_ok) {
                rc = ddl_notice(env, err, SQLSTATE_SUCCESS, what, name,
                                "%s \"%s\" does not exist, skipping");
                if (rc) return rc;
                continue;
            }
            return sqlerr_set(err, MICE_NOTFOUND,
                              table ? SQLSTATE_UNDEFINED_TABLE : SQLSTATE_UNDEFINED_OBJECT,
                              "%s \"%s\" does not exist", what, name);
        }
        if (rc) {
            *err = probe;
            return rc;
        }
        if (!table && d->indexes[pos[i]].primary)
            return sqlerr_set(err, MICE_INVALID, "2BP01",
                              "cannot drop index %s because constraint %s on table %s requires it",
                              name, name, d->name);
        descs[i] = d;
        if (table) ids[n_ids++] = d->id;
    }
    for (uint32_t i = 0; i < nn; i++) {
        catalog_desc *d = descs[i];
        if (!d) continue;
        mice_status rc =
            table ? exec__drop_relation(env, d, dr->behavior == AST_DROP_CASCADE, ids, n_ids, err)
                  : catalog_drop_index(env->ct, d->id, d->indexes[pos[i]].id, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status truncate(const exec_ddl_env *env, const ast_node *n, sql_error *err)
{
    const ast_truncate *tr = &n->u.truncate;
    for (uint32_t i = 0; i < tr->tables.n; i++) {
        const ast_range_var *rv = &tr->tables.items[i]->u.range_var;
        catalog_desc *d;
        mice_status rc = catalog_resolve_relation(env->ct, env->database_id, env->sp, rv->schema,
                                                  rv->rel, env->arena, &d, err);
        if (!rc) rc = catalog_truncate(env->ct, d->id, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status seq_option(const ast_def_elem *o, catalog_sequence_opts *opts, sql_error *err)
{
    int64_t v = 0;
    const ast_node *a = o->arg;
    if (a && a->kind == AST_CONST && a->u.konst.ck == AST_CONST_INT)
        v = a->u.konst.ival;
    else if (a && a->kind == AST_CONST && a->u.konst.ck == AST_CONST_NUMERIC)
        v = strtoll(a->u.konst.text, NULL, 10);
    if (!strcmp(o->name, "start"))
        opts->start = v;
    else if (!strcmp(o->name, "increment"))
        opts->increment = v;
    else if (!strcmp(o->name, "minvalue"))
        opts->min = v;
    else if (!strcmp(o->name, "maxvalue"))
        opts->max = v;
    else if (!strcmp(o->name, "cache"))
        opts->cache = v;
    else if (!strcmp(o->name, "cycle"))
        opts->cycle = !a || a->u.konst.bval;
    else
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "sequence option \"%s\" is not supported yet", o->name);
    return MICE_OK;
}

static mice_status create_sequence(const exec_ddl_env *env, const ast_node *n, sql_error *err)
{
    const ast_sequence *sq = &n->u.create_seq;
    const ast_range_var *rv = &sq->seq->u.range_var;
    catalog_desc *existing;
    sql_error probe;
    if (sq->if_not_exists &&
        catalog_resolve_relation(env->ct, env->database_id, env->sp, rv->schema, rv->rel,
                                 env->arena, &existing, &probe) == MICE_OK)
        return ddl_notice(env, err, "42P07", "relation", rv->rel, SKIP_EXISTS);
    catalog_desc *d = ARENA_NEW(env->arena, catalog_desc);
    if (!d) return sqlerr_nomem(err);
    d->kind = CATALOG_SEQUENCE;
    d->name = rv->rel;
    d->owner_id = CATALOG_ID_ROOT_USER;
    d->seq = (catalog_sequence_opts){.increment = 1, .cache = 1, .max = INT64_MAX, .min = 1};
    bool has_start = false, has_min = false;
    for (uint32_t i = 0; i < sq->options.n; i++) {
        const ast_def_elem *o = &sq->options.items[i]->u.def_elem;
        mice_status rc = seq_option(o, &d->seq, err);
        if (rc) return rc;
        has_start |= !strcmp(o->name, "start");
        has_min |= !strcmp(o->name, "minvalue");
    }
    if (d->seq.increment < 0 && !has_min) {
        d->seq.min = INT64_MIN;
        d->seq.max = -1;
    }
    if (!has_start) d->seq.start = d->seq.increment < 0 ? d->seq.max : d->seq.min;
    mice_status rc = catalog_creation_schema(env->ct, env->database_id, env->sp, rv->schema,
                                             rv->rel, &d->parent_id, err);
    return rc ? rc : catalog_create_relation(env->ct, d, env->arena, err);
}

static mice_status create_schema(const exec_ddl_env *env, const ast_node *n, sql_error *err)
{
    const ast_create_schema *cs = &n->u.create_schema;
    catalog_desc *existing;
    sql_error probe;
    if (cs->if_not_exists && catalog_find_schema(env->ct, env->database_id, cs->name, env->arena,
                                                 &existing, &probe) == MICE_OK)
        return ddl_notice(env, err, "42P06", "schema", cs->name, SKIP_EXISTS);
    uint32_t id;
    return catalog_create_schema(env->ct, env->database_id, cs->name, CATALOG_ID_ROOT_USER, &id,
                                 err);
}

/* ANALYZE / VACUUM [t, ...]: nothing to do yet; it only checks that the tables exist. */
static mice_status analyze(const exec_ddl_env *env, const ast_node *stmt, sql_error *err)
{
    const ast_list *rels = &stmt->u.vacuum.rels;
    for (uint32_t i = 0; i < rels->n; i++) {
        const ast_node *rv = rels->items[i]->u.vacuum_rel.table;
        if (!rv || rv->kind != AST_RANGE_VAR) continue;
        catalog_desc *d;
        mice_status rc =
            catalog_resolve_relation(env->ct, env->database_id, env->sp, rv->u.range_var.schema,
                                     rv->u.range_var.rel, env->arena, &d, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

mice_status exec_ddl(const exec_ddl_env *env, const ast_node *stmt, char *tag, size_t tag_cap,
                     sql_error *err)
{
    switch (stmt->kind) {
    case AST_CREATE_TABLE:
        snprintf(tag, tag_cap, "CREATE TABLE");
        return create_table(env, stmt, err);
    case AST_CREATE_INDEX:
        snprintf(tag, tag_cap, "CREATE INDEX");
        return create_index(env, stmt, err);
    case AST_CREATE_SEQ:
        snprintf(tag, tag_cap, "CREATE SEQUENCE");
        return create_sequence(env, stmt, err);
    case AST_CREATE_SCHEMA:
        snprintf(tag, tag_cap, "CREATE SCHEMA");
        return create_schema(env, stmt, err);
    case AST_DROP:
        return drop(env, stmt, tag, tag_cap, err);
    case AST_CREATE_VIEW:
        snprintf(tag, tag_cap, "CREATE VIEW");
        return exec__create_view(env, stmt, err);
    case AST_TRUNCATE:
        snprintf(tag, tag_cap, "TRUNCATE TABLE");
        return truncate(env, stmt, err);
    case AST_VACUUM: /* no dead tuples to reclaim, no statistics yet: check the tables */
        snprintf(tag, tag_cap, stmt->u.vacuum.is_vacuum ? "VACUUM" : "ANALYZE");
        return analyze(env, stmt, err);
    case AST_ALTER_TABLE:
        snprintf(tag, tag_cap, "ALTER TABLE");
        return exec__alter_table(env, stmt, err);
    default:
        break;
    }
    return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported",
                      ast_kind_name(stmt->kind));
}
