/* exec_view.c - CREATE [OR REPLACE] VIEW and dropping relations that views depend on (see
 * exec.h, exec_int.h).
 *
 * A view is a catalog descriptor of kind CATALOG_VIEW holding its query's text as written,
 * its output columns (names and types, from binding the query at CREATE time) and the ids
 * of the tables and views the query reads (view_deps). Queries bind the text afresh at each
 * use (bind.c), keeping the stored columns. OR REPLACE follows PostgreSQL: the new query
 * may only add columns at the end (42P16 otherwise). Dropping a relation first looks for
 * views that depend on it, directly or through other views: RESTRICT answers 2BP01 with
 * PostgreSQL's DETAIL listing them, CASCADE drops them first with its NOTICE.
 *
 * Owns: nothing beyond the statement arena. Thread safety: one statement.
 */
#include <stdio.h>
#include <string.h>

#include "sql/bind.h"
#include "sql/exec_int.h"

static mice_status ddl_notice_text(const exec_ddl_env *env, sql_error *err, const char *msg,
                                   const char *detail)
{
    sql_error n;
    sqlerr_set(&n, MICE_OK, SQLSTATE_SUCCESS, "%s", msg);
    if (detail) sqlerr_detail(&n, "%s", detail);
    if (env->notice) return env->notice(env->notice_ctx, &n);
    if (err && !err->message[0]) *err = n;
    return MICE_OK;
}

/* The object's name as PostgreSQL's getObjectDescription gives it: quoted when it is not a
 * plain lower-case identifier, schema-qualified when the search path does not find it. */
static const char *quote_name(const exec_ddl_env *env, const char *name)
{
    bool plain = name[0] && !(name[0] >= '0' && name[0] <= '9');
    for (const char *p = name; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (plain) return name;
    mice_buf b;
    buf_init(&b);
    buf_append_u8(&b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') buf_append_u8(&b, '"');
        buf_append_u8(&b, (uint8_t)*p);
    }
    buf_append_u8(&b, '"');
    char *q = arena_strndup(env->arena, (const char *)b.p, b.n);
    buf_deinit(&b);
    return q ? q : name;
}

static const char *object_name(const exec_ddl_env *env, const catalog_desc *d)
{
    catalog_desc *found, *schema;
    sql_error probe;
    const char *name = quote_name(env, d->name);
    if (catalog_resolve_relation(env->ct, env->database_id, env->sp, NULL, d->name, env->arena,
                                 &found, &probe) == MICE_OK &&
        found->id == d->id)
        return name;
    if (catalog_get_desc(env->ct, d->parent_id, env->arena, &schema, &probe) != MICE_OK)
        return name;
    const char *q = arena_sprintf(env->arena, "%s.%s", quote_name(env, schema->name), name);
    return q ? q : name;
}

static const char *kind_word(const catalog_desc *d)
{
    return d->kind == CATALOG_VIEW ? "view" : d->kind == CATALOG_SEQUENCE ? "sequence" : "table";
}

/* --- dependencies ------------------------------------------------------------------------ */

typedef struct dep_list {
    catalog_desc **v;        /* dependent views, depth first */
    const catalog_desc **on; /* what each depends on (for the DETAIL) */
    uint32_t n, cap;
} dep_list;

static mice_status all_views(const exec_ddl_env *env, catalog_desc ***out, uint32_t *n,
                             sql_error *err)
{
    catalog_desc **schemas;
    uint32_t ns;
    *n = 0;
    mice_status rc = catalog_list(env->ct, env->database_id, env->arena, &schemas, &ns, err);
    if (rc) return rc;
    uint32_t cap = 16;
    catalog_desc **v = ARENA_NEW_ARRAY(env->arena, catalog_desc *, cap);
    if (!v) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < ns; i++) {
        if (schemas[i]->kind != CATALOG_SCHEMA) continue;
        catalog_desc **rels;
        uint32_t nr;
        if ((rc = catalog_list(env->ct, schemas[i]->id, env->arena, &rels, &nr, err))) return rc;
        for (uint32_t k = 0; k < nr; k++) {
            if (rels[k]->kind != CATALOG_VIEW) continue;
            if (*n == cap) {
                catalog_desc **w = ARENA_NEW_ARRAY(env->arena, catalog_desc *, cap * 2);
                if (!w) return sqlerr_nomem(err);
                memcpy(w, v, sizeof(*v) * cap);
                v = w;
                cap *= 2;
            }
            v[(*n)++] = rels[k];
        }
    }
    /* creation order (PostgreSQL reports dependents in pg_depend order) */
    for (uint32_t i = 1; i < *n; i++)
        for (uint32_t k = i; k > 0 && v[k - 1]->id > v[k]->id; k--) {
            catalog_desc *t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
    *out = v;
    return MICE_OK;
}

static bool listed(const dep_list *l, uint32_t id)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i]->id == id) return true;
    return false;
}

static mice_status list_push(const exec_ddl_env *env, dep_list *l, catalog_desc *v,
                             const catalog_desc *on, sql_error *err)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 8;
        catalog_desc **a = ARENA_NEW_ARRAY(env->arena, catalog_desc *, cap);
        const catalog_desc **b = ARENA_NEW_ARRAY(env->arena, const catalog_desc *, cap);
        if (!a || !b) return sqlerr_nomem(err);
        if (l->n) {
            memcpy(a, l->v, sizeof(*a) * l->n);
            memcpy(b, l->on, sizeof(*b) * l->n);
        }
        l->v = a;
        l->on = b;
        l->cap = cap;
    }
    l->v[l->n] = v;
    l->on[l->n++] = on;
    return MICE_OK;
}

/* PostgreSQL's findDependentObjects: the views reading d, newest first, each followed
 * (depth first) by its own dependents; *post gets them in post order (dependents before
 * what they depend on: the order to drop them), seen marks everything reached. */
static mice_status collect(const exec_ddl_env *env, catalog_desc **views, uint32_t nv,
                           const catalog_desc *d, const uint32_t *skip, uint32_t n_skip,
                           dep_list *seen, dep_list *post, sql_error *err)
{
    for (uint32_t i = nv; i-- > 0;) { /* views are in id order: newest first */
        catalog_desc *v = views[i];
        bool uses = false;
        for (uint32_t k = 0; k < v->n_view_deps && !uses; k++)
            uses = v->view_deps[k] == d->id;
        bool skipped = false;
        for (uint32_t k = 0; k < n_skip; k++)
            skipped = skipped || skip[k] == v->id;
        if (!uses || skipped || listed(seen, v->id) || v->id == d->id) continue;
        mice_status rc = list_push(env, seen, v, d, err);
        if (!rc) rc = collect(env, views, nv, v, skip, n_skip, seen, post, err);
        if (!rc) rc = list_push(env, post, v, d, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

mice_status exec__drop_relation(const exec_ddl_env *env, const catalog_desc *d, bool cascade,
                                const uint32_t *also, uint32_t n_also, sql_error *err)
{
    catalog_desc **views = NULL;
    uint32_t nv = 0;
    mice_status rc = all_views(env, &views, &nv, err);
    if (rc) return rc;
    dep_list seen = {0}, post = {0}, l = {0};
    if ((rc = collect(env, views, nv, d, also, n_also, &seen, &post, err))) return rc;
    for (uint32_t i = post.n; i-- > 0;) /* reported in reverse post order, as PostgreSQL */
        if ((rc = list_push(env, &l, post.v[i], post.on[i], err))) return rc;
    if (l.n) {
        mice_buf detail;
        buf_init(&detail);
        for (uint32_t i = 0; i < l.n; i++) {
            if (i) buf_append_u8(&detail, '\n');
            if (cascade)
                buf_printf(&detail, "drop cascades to %s %s", kind_word(l.v[i]),
                           object_name(env, l.v[i]));
            else
                buf_printf(&detail, "%s %s depends on %s %s", kind_word(l.v[i]),
                           object_name(env, l.v[i]), kind_word(l.on[i]), object_name(env, l.on[i]));
        }
        char *text = arena_strndup(env->arena, (const char *)detail.p, detail.n);
        buf_deinit(&detail);
        if (!text) return sqlerr_nomem(err);
        if (!cascade) {
            sqlerr_set(err, MICE_INVALID, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                       "cannot drop %s %s because other objects depend on it", kind_word(d),
                       object_name(env, d));
            sqlerr_detail(err, "%s", text);
            sqlerr_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return MICE_INVALID;
        }
        char msg[64];
        if (l.n == 1)
            rc = ddl_notice_text(env, err, text, NULL);
        else {
            snprintf(msg, sizeof msg, "drop cascades to %u other objects", l.n);
            rc = ddl_notice_text(env, err, msg, text);
        }
        if (rc) return rc;
        for (uint32_t i = 0; i < post.n; i++) /* dependents before what they read */
            if ((rc = catalog_drop_relation(env->ct, post.v[i]->id, err))) return rc;
    }
    return catalog_drop_relation(env->ct, d->id, err);
}

/* --- CREATE VIEW --------------------------------------------------------------------------- */

static mice_status replace_check(const catalog_desc *old, const catalog_desc *d, sql_error *err)
{
    if (d->n_columns < old->n_columns)
        return sqlerr_set(err, MICE_INVALID, "42P16", "cannot drop columns from view");
    for (uint32_t i = 0; i < old->n_columns; i++) {
        const catalog_column *a = &old->columns[i], *c = &d->columns[i];
        if (strcmp(a->name, c->name)) {
            sqlerr_set(err, MICE_INVALID, "42P16",
                       "cannot change name of view column \"%s\" to \"%s\"", a->name, c->name);
            sqlerr_hint(err, "Use ALTER VIEW ... RENAME COLUMN ... to change name of view "
                             "column instead.");
            return MICE_INVALID;
        }
        if (a->type.id != c->type.id) {
            char t1[SQL_TYPE_NAME_MAX], t2[SQL_TYPE_NAME_MAX];
            sql_type_format(a->type, t1, sizeof t1);
            sql_type_format(c->type, t2, sizeof t2);
            return sqlerr_set(err, MICE_INVALID, "42P16",
                              "cannot change data type of view column \"%s\" from %s to %s",
                              a->name, t1, t2);
        }
    }
    return MICE_OK;
}

mice_status exec__create_view(const exec_ddl_env *env, const ast_node *n, sql_error *err)
{
    const ast_create_view *cv = &n->u.create_view;
    const ast_range_var *rv = &cv->view->u.range_var;
    if (cv->check_option || rv->persistence == 't' || cv->options.n)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "WITH CHECK OPTION, view options and TEMP views are not supported yet");
    if (!cv->query_text)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "the view's query text was not found");
    bind_ctx *b = ARENA_NEW(env->arena, bind_ctx);
    if (!b) return sqlerr_nomem(err);
    b->arena = env->arena;
    b->ct = env->ct;
    b->database_id = env->database_id;
    b->sp = env->sp;
    b->vctx = env->vctx;
    b->fctx = env->fctx;
    b->params_fixed = true;
    plan_node *p;
    mice_status rc = bind_statement(b, cv->query, &p, err);
    if (rc) return rc;
    if (cv->cols.n > p->n_cols)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR,
                          "CREATE VIEW specifies more column names than columns");
    catalog_desc *d = ARENA_NEW(env->arena, catalog_desc);
    if (!d || !(d->columns = ARENA_NEW_ARRAY(env->arena, catalog_column, p->n_cols + 1)))
        return sqlerr_nomem(err);
    d->kind = CATALOG_VIEW;
    d->name = rv->rel;
    d->owner_id = CATALOG_ID_ROOT_USER;
    d->view_query = cv->query_text;
    d->n_view_deps = b->n_deps;
    d->view_deps = b->deps;
    d->n_columns = p->n_cols;
    for (uint32_t i = 0; i < p->n_cols; i++) {
        const char *name = i < cv->cols.n ? cv->cols.v[i] : p->col_names[i];
        if (!name) name = "?column?";
        for (uint32_t k = 0; k < i; k++)
            if (!strcmp(d->columns[k].name, name))
                return sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_COLUMN,
                                  "column \"%s\" specified more than once", name);
        sql_type t = p->col_types[i];
        if (t.id == SQL_TYPE_UNKNOWN) t = sql_type_make(SQL_TYPE_TEXT, -1);
        d->columns[i] = (catalog_column){.id = i + 1, .name = name, .type = t};
    }
    d->next_column_id = p->n_cols + 1;
    catalog_desc *old;
    sql_error probe;
    rc = catalog_resolve_relation(env->ct, env->database_id, env->sp, rv->schema, rv->rel,
                                  env->arena, &old, &probe);
    if (rc == MICE_OK && cv->replace) {
        if (old->kind != CATALOG_VIEW)
            return sqlerr_set(err, MICE_INVALID, "42809", "\"%s\" is not a view", rv->rel);
        if ((rc = replace_check(old, d, err))) return rc;
        for (uint32_t i = 0; i < d->n_view_deps; i++)
            if (d->view_deps[i] == old->id)
                return sqlerr_set(err, MICE_INVALID, "42P17",
                                  "infinite recursion detected in rules for relation \"%s\"",
                                  rv->rel);
        d->id = old->id;
        d->parent_id = old->parent_id;
        d->database_id = old->database_id;
        d->owner_id = old->owner_id;
        d->version = old->version + 1;
        return catalog_update_desc(env->ct, d, err);
    }
    uint32_t schema_id;
    rc = catalog_creation_schema(env->ct, env->database_id, env->sp, rv->schema, rv->rel,
                                 &schema_id, err);
    if (rc) return rc;
    d->parent_id = schema_id;
    return catalog_create_relation(env->ct, d, env->arena, err);
}
