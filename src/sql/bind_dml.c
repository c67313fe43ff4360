/* bind_dml.c - INSERT, UPDATE and DELETE plans: targets, defaults, constraints, ON
 * CONFLICT and RETURNING (see bind.h). */
#include <string.h>

#include "sql/bind_int.h"
#include "sql/parse.h"

mice_status bind__set_clauses(bind_ctx *b, bind_scope *s, const catalog_desc *d,
                              const ast_list *set, sql_expr **values, bool *col_set,
                              sql_error *err);

static mice_status nextval_expr(bind_ctx *b, const catalog_column *c, sql_expr **out,
                                sql_error *err)
{
    void *seq = NULL;
    if (c->sequence_id) {
        catalog_desc *d;
        mice_status rc = catalog_get_desc(b->ct, c->sequence_id, b->arena, &d, err);
        if (rc) return rc;
        seq = d;
    }
    sql_expr *e = expr_new(b->arena, EXPR_NEXTVAL, sql_type_make(SQL_TYPE_INT8, -1), 0);
    if (!e) return bind__nomem(err);
    e->plan = seq;
    *out = e;
    return bind__coerce(b, out, c->type, SQL_CAST_ASSIGNMENT, c->name, err);
}

mice_status bind_expr_text(bind_ctx *b, const char *text, const catalog_desc *table, sql_type want,
                           sql_expr **out, sql_error *err)
{
    char *sql = arena_sprintf(b->arena, "SELECT %s", text);
    if (!sql) return bind__nomem(err);
    sql_parse_result pr;
    mice_status rc = sql_parse(b->arena, sql, strlen(sql), &pr, err);
    if (rc) return rc;
    if (pr.n_stmts != 1 || pr.stmts[0].stmt->kind != AST_SELECT ||
        pr.stmts[0].stmt->u.select.targets.n != 1)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, -1, "bad expression text: %s", text);
    bind_scope s = {0};
    if (table && bind__scope_add_table(b, &s, table->name, table)) return bind__nomem(err);
    rc = bind__expr(b, &s, pr.stmts[0].stmt->u.select.targets.items[0]->u.res_target.val, out, err);
    if (rc) return rc;
    if (want.id) rc = bind__coerce(b, out, want, SQL_CAST_ASSIGNMENT, NULL, err);
    return rc;
}

static mice_status column_default(bind_ctx *b, const catalog_desc *d, uint32_t c, sql_expr **out,
                                  sql_error *err)
{
    const catalog_column *col = &d->columns[c];
    if (col->sequence_id || (col->default_expr && !strcmp(col->default_expr, "unique_rowid()")))
        return nextval_expr(b, col, out, err);
    if (col->default_expr) return bind_expr_text(b, col->default_expr, NULL, col->type, out, err);
    *out = expr_const(b->arena, datum_null(col->type.id), col->type);
    return *out ? MICE_OK : bind__nomem(err);
}

static plan_node *dml_node(bind_ctx *b, plan_kind k, const catalog_desc *d, const char *alias,
                           plan_node *child, sql_error *err)
{
    plan_node *p = plan_new(b->arena, k, 0);
    if (!p) return NULL;
    p->child = child;
    p->alias = alias;
    if (bind__table_layout(b, p, d, err)) return NULL;
    p->col_values = ARENA_NEW_ARRAY(b->arena, sql_expr *, d->n_columns + 1);
    p->col_set = ARENA_NEW_ARRAY(b->arena, bool, d->n_columns + 1);
    p->checks = ARENA_NEW_ARRAY(b->arena, sql_expr *, d->n_checks + 1);
    p->est_rows = child ? child->est_rows : 1;
    p->cost_total = (child ? child->cost_total : 0) + p->est_rows * 0.01;
    if (!p->col_values || !p->col_set || !p->checks) return NULL;
    for (uint32_t i = 0; i < d->n_checks; i++)
        if (bind_expr_text(b, d->checks[i].expr, d, sql_type_make(SQL_TYPE_BOOL, -1), &p->checks[i],
                           err))
            return NULL;
    return p;
}

typedef struct view_target view_target;
static mice_status view_scope(bind_ctx *b, bind_scope *s, const char *alias, const catalog_desc *d,
                              const view_target *vt, sql_error *err);

static mice_status bind_returning(bind_ctx *b, plan_node *p, const view_target *vt,
                                  const ast_list *ret, sql_error *err)
{
    if (!ret->n) return MICE_OK;
    bind_scope s = {0};
    mice_status rc0 = view_scope(b, &s, p->alias, p->table, vt, err);
    if (rc0) return rc0;
    sql_expr **exprs;
    const char **names;
    uint32_t n;
    mice_status rc = bind__targets_star(b, &s, ret, &exprs, &names, &n, err);
    if (rc) return rc;
    p->returning = true;
    p->exprs = exprs;
    p->n_cols = n;
    p->col_names = names;
    p->col_types = ARENA_NEW_ARRAY(b->arena, sql_type, n ? n : 1);
    if (!p->col_types) return bind__nomem(err);
    for (uint32_t i = 0; i < n; i++)
        p->col_types[i] = exprs[i]->type;
    return MICE_OK;
}

static mice_status target_columns(bind_ctx *b, const catalog_desc *d, const ast_list *cols,
                                  int32_t **pos, uint32_t *n, sql_error *err)
{
    *pos = ARENA_NEW_ARRAY(b->arena, int32_t, d->n_columns + cols->n + 1);
    if (!*pos) return bind__nomem(err);
    *n = 0;
    if (!cols->n) {
        for (uint32_t i = 0; i < d->n_columns; i++)
            if (!d->columns[i].hidden) (*pos)[(*n)++] = (int32_t)i;
        return MICE_OK;
    }
    for (uint32_t i = 0; i < cols->n; i++) {
        const ast_node *t = cols->items[i];
        const catalog_column *c = catalog_column_by_name(d, t->u.res_target.name);
        if (!c || c->hidden)
            return bind__err(err, SQLSTATE_UNDEFINED_COLUMN, t->loc,
                             "column \"%s\" of relation \"%s\" does not exist",
                             t->u.res_target.name, d->name);
        int32_t k = (int32_t)(c - d->columns);
        for (uint32_t j = 0; j < *n; j++)
            if ((*pos)[j] == k)
                return bind__err(err, "42701", t->loc, "column \"%s\" specified more than once",
                                 c->name);
        (*pos)[(*n)++] = k;
    }
    return MICE_OK;
}

static mice_status insert_values(bind_ctx *b, const catalog_desc *d, const ast_select *sel,
                                 const int32_t *pos, uint32_t n_target, plan_node **out,
                                 sql_error *err)
{
    uint32_t nr = sel->values.n;
    plan_node *p = plan_new(b->arena, PLAN_VALUES, n_target);
    if (!p) return bind__nomem(err);
    p->n_rows = nr;
    p->est_rows = nr;
    p->rows = ARENA_NEW_ARRAY(b->arena, sql_expr **, nr);
    if (!p->rows) return bind__nomem(err);
    bind_scope s = {0};
    for (uint32_t r = 0; r < nr; r++) {
        const ast_node *row = sel->values.items[r];
        const ast_list *l = &row->u.expr_list.args;
        if (l->n > n_target)
            return bind__err(err, SQLSTATE_SYNTAX_ERROR, l->items[n_target]->loc,
                             "INSERT has more expressions than target columns");
        if (l->n < n_target)
            return bind__err(err, SQLSTATE_SYNTAX_ERROR, row->loc,
                             "INSERT has more target columns than expressions");
        p->rows[r] = ARENA_NEW_ARRAY(b->arena, sql_expr *, n_target ? n_target : 1);
        if (!p->rows[r]) return bind__nomem(err);
        for (uint32_t c = 0; c < n_target; c++) {
            const catalog_column *col = &d->columns[pos[c]];
            mice_status rc;
            if (l->items[c]->kind == AST_SET_TO_DEFAULT) {
                rc = column_default(b, d, (uint32_t)pos[c], &p->rows[r][c], err);
            } else {
                b->clause = "VALUES"; /* where aggregates and window functions are refused */
                rc = bind__expr(b, &s, l->items[c], &p->rows[r][c], err);
                b->clause = NULL;
                if (!rc)
                    rc = bind__coerce(b, &p->rows[r][c], col->type, SQL_CAST_ASSIGNMENT, col->name,
                                      err);
            }
            if (rc) return rc;
        }
    }
    for (uint32_t c = 0; c < n_target; c++) {
        p->col_types[c] = d->columns[pos[c]].type;
        p->col_names[c] = d->columns[pos[c]].name;
    }
    *out = p;
    return MICE_OK;
}

/* Without a column list, PostgreSQL targets only the first N columns when the source has
 * N < all values per row (the rest get their defaults); with a list, counts must match. */
static void truncate_implicit_targets(const ast_insert *ins, uint32_t width, uint32_t *n_target)
{
    if (!ins->cols.n && width < *n_target) *n_target = width;
}

static mice_status values_width(const ast_select *sel, uint32_t *width, sql_error *err)
{
    *width = (uint32_t)sel->values.items[0]->u.expr_list.args.n;
    for (uint32_t r = 1; r < sel->values.n; r++) {
        const ast_node *row = sel->values.items[r];
        if (row->u.expr_list.args.n != *width)
            return bind__err(err, SQLSTATE_SYNTAX_ERROR, row->loc,
                             "VALUES lists must all be the same length");
    }
    return MICE_OK;
}

static mice_status insert_source(bind_ctx *b, const catalog_desc *d, const ast_insert *ins,
                                 const int32_t *pos, uint32_t *n_target_io, plan_node **out,
                                 sql_error *err)
{
    if (!ins->query) {
        plan_node *p = plan_new(b->arena, PLAN_VALUES, 0);
        if (!p || !(p->rows = ARENA_NEW_ARRAY(b->arena, sql_expr **, 1))) return bind__nomem(err);
        p->n_rows = 1;
        *n_target_io = 0; /* DEFAULT VALUES: every column takes its default */
        *out = p;
        return MICE_OK;
    }
    const ast_select *sel = &ins->query->u.select;
    mice_status rc;
    if (sel->values.n && sel->set_op == AST_SETOP_NONE && !sel->order_by.n && !sel->limit) {
        uint32_t width;
        if ((rc = values_width(sel, &width, err))) return rc;
        truncate_implicit_targets(ins, width, n_target_io);
        return insert_values(b, d, sel, pos, *n_target_io, out, err);
    }
    bool corr = false;
    plan_node *src;
    rc = bind__select(b, NULL, ins->query, &src, &corr, err);
    if (rc) return rc;
    truncate_implicit_targets(ins, src->n_cols, n_target_io);
    uint32_t n_target = *n_target_io;
    if (src->n_cols > n_target)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, ins->query->loc,
                         "INSERT has more expressions than target columns");
    if (src->n_cols < n_target)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, ins->query->loc,
                         "INSERT has more target columns than expressions");
    sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, n_target ? n_target : 1);
    plan_node *p = plan_new(b->arena, PLAN_PROJECT, n_target);
    if (!ex || !p) return bind__nomem(err);
    for (uint32_t c = 0; c < n_target; c++) {
        const catalog_column *col = &d->columns[pos[c]];
        if (!(ex[c] = expr_col(b->arena, (int32_t)c, src->col_types[c], src->col_names[c])))
            return bind__nomem(err);
        if ((rc = bind__coerce(b, &ex[c], col->type, SQL_CAST_ASSIGNMENT, col->name, err)))
            return rc;
        p->col_types[c] = col->type;
        p->col_names[c] = col->name;
    }
    p->exprs = ex;
    p->child = src;
    p->est_rows = src->est_rows;
    p->cost_total = src->cost_total;
    *out = p;
    return MICE_OK;
}

static mice_status bind_on_conflict(bind_ctx *b, plan_node *p, const ast_node *oc_node,
                                    sql_error *err)
{
    const ast_on_conflict *oc = &oc_node->u.on_conflict;
    const catalog_desc *d = p->table;
    p->on_conflict =
        oc->action == AST_CONFLICT_NOTHING ? PLAN_CONFLICT_NOTHING : PLAN_CONFLICT_UPDATE;
    if (oc->constraint) {
        for (uint32_t i = 0; i < d->n_indexes; i++)
            if (!strcmp(d->indexes[i].name, oc->constraint)) p->conflict_index = (int32_t)i;
        if (p->conflict_index < 0)
            return bind__err(err, SQLSTATE_UNDEFINED_OBJECT, oc_node->loc,
                             "constraint \"%s\" for table \"%s\" does not exist", oc->constraint,
                             d->name);
    } else if (oc->infer_elems.n) {
        for (uint32_t i = 0; i < d->n_indexes && p->conflict_index < 0; i++) {
            const catalog_index *ix = &d->indexes[i];
            if (!ix->unique || ix->n_cols != oc->infer_elems.n) continue;
            bool all = true;
            for (uint32_t k = 0; k < oc->infer_elems.n && all; k++) {
                const char *cn = oc->infer_elems.items[k]->u.index_elem.column;
                const catalog_column *c = cn ? catalog_column_by_name(d, cn) : NULL;
                bool in = false;
                for (uint32_t j = 0; c && j < ix->n_cols; j++)
                    in |= ix->col_ids[j] == c->id;
                all = in;
            }
            if (all) p->conflict_index = (int32_t)i;
        }
        if (p->conflict_index < 0)
            return bind__err(err, "42P10", oc_node->loc,
                             "there is no unique or exclusion constraint matching the ON CONFLICT "
                             "specification");
    } else if (p->on_conflict == PLAN_CONFLICT_UPDATE) {
        return bind__err(
            err, SQLSTATE_SYNTAX_ERROR, oc_node->loc,
            "ON CONFLICT DO UPDATE requires inference specification or constraint name");
    }
    if (p->on_conflict != PLAN_CONFLICT_UPDATE) return MICE_OK;
    bind_scope s = {0};
    if (bind__scope_add_table(b, &s, p->alias, d) || bind__scope_add_table(b, &s, "excluded", d))
        return bind__nomem(err);
    p->conflict_values = ARENA_NEW_ARRAY(b->arena, sql_expr *, d->n_columns + 1);
    if (!p->conflict_values) return bind__nomem(err);
    bool *set_cols = ARENA_NEW_ARRAY(b->arena, bool, d->n_columns + 1);
    if (!set_cols) return bind__nomem(err);
    mice_status rc = bind__set_clauses(b, &s, d, &oc->set, p->conflict_values, set_cols, err);
    if (!rc && oc->where) rc = bind__cond(b, &s, oc->where, "WHERE", &p->conflict_where, err);
    return rc;
}

static mice_status set_one(bind_ctx *b, bind_scope *s, const catalog_desc *d, const ast_node *t,
                           const ast_node *value, sql_expr **values, bool *col_set, sql_error *err)
{
    const catalog_column *c = catalog_column_by_name(d, t->u.res_target.name);
    if (!c || c->hidden)
        return bind__err(err, SQLSTATE_UNDEFINED_COLUMN, t->loc,
                         "column \"%s\" of relation \"%s\" does not exist", t->u.res_target.name,
                         d->name);
    uint32_t k = (uint32_t)(c - d->columns);
    if (col_set[k])
        return bind__err(err, "42601", t->loc, "multiple assignments to same column \"%s\"",
                         c->name);
    col_set[k] = true;
    if (value->kind == AST_SET_TO_DEFAULT) return column_default(b, d, k, &values[k], err);
    mice_status rc = bind__expr(b, s, value, &values[k], err);
    if (!rc) rc = bind__coerce(b, &values[k], c->type, SQL_CAST_ASSIGNMENT, c->name, err);
    return rc;
}

mice_status bind__set_clauses(bind_ctx *b, bind_scope *s, const catalog_desc *d,
                              const ast_list *set, sql_expr **values, bool *col_set,
                              sql_error *err);
mice_status bind__set_clauses(bind_ctx *b, bind_scope *s, const catalog_desc *d,
                              const ast_list *set, sql_expr **values, bool *col_set, sql_error *err)
{
    for (uint32_t c = 0; c < d->n_columns; c++)
        if (!(values[c] = expr_col(b->arena, (int32_t)c, d->columns[c].type, d->columns[c].name)))
            return bind__nomem(err);
    for (uint32_t i = 0; i < set->n; i++) {
        const ast_set_clause *sc = &set->items[i]->u.set_clause;
        const ast_node *v = sc->value;
        bool row = sc->multi && v->kind == AST_ROW;
        if (sc->multi && (!row || v->u.row.args.n != sc->cols.n))
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, set->items[i]->loc,
                             "SET (columns) = (subquery) is not supported yet");
        for (uint32_t k = 0; k < sc->cols.n; k++) {
            const char *clause = b->clause;
            b->clause = "UPDATE"; /* where aggregates and window functions are refused */
            mice_status rc = set_one(b, s, d, sc->cols.items[k], row ? v->u.row.args.items[k] : v,
                                     values, col_set, err);
            b->clause = clause;
            if (rc) return rc;
        }
    }
    return MICE_OK;
}

/* --- DML through a view ----------------------------------------------------------------
 * PostgreSQL's automatically updatable views: a view over one table, without DISTINCT,
 * GROUP BY, HAVING, LIMIT/OFFSET, set operations, WITH, aggregates, window functions or
 * set-returning functions, writes its table; its columns that are plain columns of the
 * table are updatable, the others are not (0A000); UPDATE and DELETE see only the rows of
 * the view (its WHERE). Not yet: views over views, RETURNING *, ON CONFLICT. */

typedef struct view_target {
    const catalog_desc *view; /* NULL: the target is a table */
    int32_t *base_col;        /* per view column: the table's column, -1 not updatable */
    const ast_node *where;    /* the view's WHERE, over the table named rel_name */
    const char *rel_name;
} view_target;

static mice_status not_updatable(const ast_node *n, const char *view, const char *detail,
                                 sql_error *err)
{
    const char *what = n->kind == AST_INSERT   ? "insert into"
                       : n->kind == AST_UPDATE ? "update"
                                               : "delete from";
    const char *verb = n->kind == AST_INSERT   ? "inserting into"
                       : n->kind == AST_UPDATE ? "updating"
                                               : "deleting from";
    const char *op = n->kind == AST_INSERT ? "INSERT" : n->kind == AST_UPDATE ? "UPDATE" : "DELETE";
    bind__err(err, "55000", -1, "cannot %s view \"%s\"", what, view);
    sqlerr_detail(err, "%s", detail);
    sqlerr_hint(err,
                "To enable %s the view, provide an INSTEAD OF %s trigger or an unconditional ON %s "
                "DO INSTEAD rule.",
                verb, op, op);
    return MICE_INVALID;
}

static bool plan_has(const plan_node *p, plan_kind k)
{
    if (!p) return false;
    if (p->kind == k) return true;
    for (uint32_t i = 0; p->children && i < p->n_children; i++)
        if (plan_has(p->children[i], k)) return true;
    return plan_has(p->child, k) || plan_has(p->right, k);
}

/* The DML target rv: a table (*d), or an updatable view (vt->view) over table *d. */
static mice_status dml_target(bind_ctx *b, const ast_node *stmt, const ast_node *rv,
                              catalog_desc **d, view_target *vt, sql_error *err)
{
    *vt = (view_target){0};
    const ast_range_var *r = &rv->u.range_var;
    catalog_desc *v;
    sql_error probe;
    if (catalog_resolve_relation(b->ct, b->database_id, b->sp, r->schema, r->rel, b->arena, &v,
                                 &probe) != MICE_OK ||
        v->kind != CATALOG_VIEW)
        return bind__resolve_table(b, rv, d, err);
    sql_parse_result pr;
    const char *text = v->view_query ? v->view_query : "";
    mice_status rc = sql_parse(b->arena, text, strlen(text), &pr, err);
    if (rc) return rc;
    const ast_select *q = pr.n_stmts == 1 && pr.stmts[0].stmt->kind == AST_SELECT
                              ? &pr.stmts[0].stmt->u.select
                              : NULL;
    const char *why = NULL;
    if (!q || q->values.n || q->from.n != 1 || q->from.items[0]->kind != AST_RANGE_VAR)
        why = "Views that do not select from a single table or view are not automatically "
              "updatable.";
    else if (q->set_op != AST_SETOP_NONE)
        why = "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.";
    else if (q->with)
        why = "Views containing WITH are not automatically updatable.";
    else if (q->distinct)
        why = "Views containing DISTINCT are not automatically updatable.";
    else if (q->group_by.n)
        why = "Views containing GROUP BY are not automatically updatable.";
    else if (q->having)
        why = "Views containing HAVING are not automatically updatable.";
    else if (q->limit || q->offset)
        why = "Views containing LIMIT or OFFSET are not automatically updatable.";
    if (why) return not_updatable(stmt, v->name, why, err);
    const ast_node *base_rv = q->from.items[0];
    catalog_desc *base;
    if (catalog_resolve_relation(b->ct, b->database_id, b->sp, base_rv->u.range_var.schema,
                                 base_rv->u.range_var.rel, b->arena, &base, &probe) == MICE_OK &&
        base->kind == CATALOG_VIEW)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, rv->loc,
                         "writing through a view over a view is not supported yet");
    /* bind the view's query to see what its columns are */
    uint32_t n_ctes = b->n_ctes;
    b->n_ctes = 0;
    bool corr = false;
    plan_node *p;
    rc = bind__select(b, NULL, pr.stmts[0].stmt, &p, &corr, err);
    b->n_ctes = n_ctes;
    if (rc) return rc;
    if (plan_has(p, PLAN_AGG))
        return not_updatable(
            stmt, v->name, "Views that return aggregate functions are not automatically updatable.",
            err);
    if (plan_has(p, PLAN_WINDOW))
        return not_updatable(stmt, v->name,
                             "Views that return window functions are not automatically updatable.",
                             err);
    if (plan_has(p, PLAN_FUNCSCAN))
        return not_updatable(
            stmt, v->name,
            "Views that return set-returning functions are not automatically updatable.", err);
    if (p->kind == PLAN_SORT) p = p->child;
    const plan_node *below = p->kind == PLAN_PROJECT ? p->child : NULL;
    while (below && below->kind == PLAN_FILTER)
        below = below->child;
    if (!below || below->kind != PLAN_SCAN)
        return not_updatable(stmt, v->name,
                             "Views that do not select from a single table or view are not "
                             "automatically updatable.",
                             err);
    if ((rc = bind__resolve_table(b, base_rv, d, err))) return rc;
    vt->view = v;
    vt->where = q->where;
    vt->rel_name =
        base_rv->u.range_var.alias ? base_rv->u.range_var.alias->u.alias.name : (*d)->name;
    vt->base_col = ARENA_NEW_ARRAY(b->arena, int32_t, v->n_columns + 1);
    if (!vt->base_col) return bind__nomem(err);
    for (uint32_t i = 0; i < v->n_columns; i++) {
        const sql_expr *e = i < p->n_cols ? p->exprs[i] : NULL;
        vt->base_col[i] = e && e->kind == EXPR_COL ? e->index : -1;
    }
    return MICE_OK;
}

/* The view column named name: its table column (42703 / 0A000 as PostgreSQL). */
static mice_status view_column(const ast_node *stmt, const view_target *vt, const ast_node *t,
                               int32_t *out, sql_error *err)
{
    const char *name = t->u.res_target.name;
    for (uint32_t i = 0; i < vt->view->n_columns; i++) {
        if (strcmp(vt->view->columns[i].name, name)) continue;
        *out = vt->base_col[i];
        if (*out >= 0) return MICE_OK;
        bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1, /* PostgreSQL gives no position */
                  "cannot %s column \"%s\" of view \"%s\"",
                  stmt->kind == AST_INSERT ? "insert into" : "update", name, vt->view->name);
        sqlerr_detail(err, "View columns that are not columns of their base relation are not "
                           "updatable.");
        return MICE_INVALID;
    }
    return bind__err(err, SQLSTATE_UNDEFINED_COLUMN, t->loc,
                     "column \"%s\" of relation \"%s\" does not exist", name, vt->view->name);
}

/* INSERT's target list through a view: the table's columns (all the view's without one). */
static mice_status view_insert_cols(bind_ctx *b, const ast_node *stmt, const view_target *vt,
                                    const ast_list *cols, int32_t **pos, uint32_t *n,
                                    sql_error *err)
{
    const catalog_desc *v = vt->view;
    *pos = ARENA_NEW_ARRAY(b->arena, int32_t, v->n_columns + cols->n + 1);
    if (!*pos) return bind__nomem(err);
    *n = 0;
    for (uint32_t i = 0; i < (cols->n ? cols->n : v->n_columns); i++) {
        int32_t k;
        if (cols->n) {
            mice_status rc = view_column(stmt, vt, cols->items[i], &k, err);
            if (rc) return rc;
        } else if ((k = vt->base_col[i]) < 0) {
            bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                      "cannot insert into column \"%s\" of view \"%s\"", v->columns[i].name,
                      v->name);
            sqlerr_detail(err, "View columns that are not columns of their base relation are "
                               "not updatable.");
            return MICE_INVALID;
        }
        for (uint32_t j = 0; j < *n; j++)
            if ((*pos)[j] == k)
                return bind__err(err, "42701", cols->n ? cols->items[i]->loc : -1,
                                 "column \"%s\" specified more than once",
                                 cols->n ? cols->items[i]->u.res_target.name : v->columns[i].name);
        (*pos)[(*n)++] = k;
    }
    return MICE_OK;
}

/* UPDATE's SET list with the view's column names replaced by the table's. */
static mice_status view_set_list(bind_ctx *b, const ast_node *stmt, const view_target *vt,
                                 const catalog_desc *d, const ast_list *set, ast_list *out,
                                 sql_error *err)
{
    *out = (ast_list){0};
    for (uint32_t i = 0; i < set->n; i++) {
        ast_node *sc = ast_node_dup(b->arena, set->items[i]);
        if (!sc) return bind__nomem(err);
        ast_list cols = {0};
        const ast_list *old = &set->items[i]->u.set_clause.cols;
        for (uint32_t k = 0; k < old->n; k++) {
            int32_t c;
            mice_status rc = view_column(stmt, vt, old->items[k], &c, err);
            if (rc) return rc;
            ast_node *t = ast_node_dup(b->arena, old->items[k]);
            if (!t) return bind__nomem(err);
            t->u.res_target.name = d->columns[c].name;
            if (ast_list_push(b->arena, &cols, t)) return bind__nomem(err);
        }
        sc->u.set_clause.cols = cols;
        if (ast_list_push(b->arena, out, sc)) return bind__nomem(err);
    }
    return MICE_OK;
}

static mice_status view_dml_check(const view_target *vt, const ast_list *returning,
                                  const ast_node *on_conflict, sql_error *err)
{
    if (!vt->view) return MICE_OK;
    for (uint32_t i = 0; i < returning->n; i++) {
        const ast_node *v = returning->items[i]->u.res_target.val;
        if (v->kind == AST_COLUMN_REF && v->u.column_ref.star)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, v->loc,
                             "RETURNING * through a view is not supported yet");
    }
    if (on_conflict)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, on_conflict->loc,
                         "ON CONFLICT through a view is not supported yet");
    return MICE_OK;
}

static mice_status bind_insert(bind_ctx *b, const ast_node *n, plan_node **out, sql_error *err)
{
    const ast_insert *ins = &n->u.insert;
    if (ins->with)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc, "WITH is not supported yet");
    catalog_desc *d;
    view_target vt;
    mice_status rc = dml_target(b, n, ins->table, &d, &vt, err);
    if (!rc) rc = view_dml_check(&vt, &ins->returning, ins->on_conflict, err);
    if (rc) return rc;
    const ast_range_var *rv = &ins->table->u.range_var;
    int32_t *pos = NULL;
    uint32_t n_target = 0;
    plan_node *src = NULL;
    rc = vt.view ? view_insert_cols(b, n, &vt, &ins->cols, &pos, &n_target, err)
                 : target_columns(b, d, &ins->cols, &pos, &n_target, err);
    if (!rc) rc = insert_source(b, d, ins, pos, &n_target, &src, err);
    if (rc) return rc;
    const char *alias = rv->alias ? rv->alias->u.alias.name : vt.view ? vt.view->name : d->name;
    plan_node *p = dml_node(b, PLAN_INSERT, d, alias, src, err);
    if (!p) return err && err->code ? err->code : bind__nomem(err);
    for (uint32_t c = 0; c < d->n_columns; c++) {
        int32_t k = -1;
        for (uint32_t j = 0; j < n_target; j++)
            if (pos[j] == (int32_t)c) k = (int32_t)j;
        if (k >= 0)
            p->col_values[c] = expr_col(b->arena, k, d->columns[c].type, d->columns[c].name);
        else if ((rc = column_default(b, d, c, &p->col_values[c], err)))
            return rc;
        if (!p->col_values[c]) return bind__nomem(err);
    }
    if (ins->on_conflict && (rc = bind_on_conflict(b, p, ins->on_conflict, err))) return rc;
    rc = bind_returning(b, p, &vt, &ins->returning, err);
    *out = p;
    return rc;
}

/* The target's scope: the table's columns, named as the view names them (the table's
 * columns the view does not show are hidden). */
static mice_status view_scope(bind_ctx *b, bind_scope *s, const char *alias, const catalog_desc *d,
                              const view_target *vt, sql_error *err)
{
    if (!vt || !vt->view) return bind__scope_add_table(b, s, alias, d) ? bind__nomem(err) : MICE_OK;
    const char **names = ARENA_NEW_ARRAY(b->arena, const char *, d->n_columns + 1);
    sql_type *types = ARENA_NEW_ARRAY(b->arena, sql_type, d->n_columns + 1);
    bool *hidden = ARENA_NEW_ARRAY(b->arena, bool, d->n_columns + 1);
    if (!names || !types || !hidden) return bind__nomem(err);
    for (uint32_t j = 0; j < d->n_columns; j++) {
        names[j] = d->columns[j].name;
        types[j] = d->columns[j].type;
        hidden[j] = true;
        for (uint32_t i = 0; i < vt->view->n_columns && hidden[j]; i++)
            if (vt->base_col[i] == (int32_t)j) {
                names[j] = vt->view->columns[i].name;
                hidden[j] = false;
            }
    }
    return bind__scope_add(b, s, alias, d, d->n_columns, names, types, hidden) ? bind__nomem(err)
                                                                               : MICE_OK;
}

static mice_status target_scan(bind_ctx *b, const ast_node *stmt, const ast_node *table,
                               const ast_list *from, const ast_node *where, catalog_desc **d,
                               view_target *vt, plan_node **scan, bind_scope *s, sql_error *err)
{
    mice_status rc = dml_target(b, stmt, table, d, vt, err);
    if (rc) return rc;
    const ast_range_var *rv = &table->u.range_var;
    const char *alias = rv->alias  ? rv->alias->u.alias.name
                        : vt->view ? vt->view->name
                                   : (*d)->name;
    plan_node *p = plan_new(b->arena, PLAN_SCAN, (*d)->n_columns);
    if (!p) return bind__nomem(err);
    for (uint32_t i = 0; i < (*d)->n_columns; i++) {
        p->col_names[i] = (*d)->columns[i].name;
        p->col_types[i] = (*d)->columns[i].type;
    }
    p->alias = alias;
    p->full_scan = true;
    p->est_rows = 1000;
    p->cost_total = 1000;
    if ((rc = bind__table_layout(b, p, *d, err))) return rc;
    if ((rc = view_scope(b, s, alias, *d, vt, err))) return rc;
    /* The target's columns stay first in the row: DML reads them from there. */
    if ((rc = bind__join_from(b, s, from, &p, err))) return rc;
    if (vt->view && vt->where) { /* only the view's rows */
        bind_scope vs = {0};
        sql_expr *w;
        if (bind__scope_add_table(b, &vs, vt->rel_name, *d)) return bind__nomem(err);
        rc = bind__cond(b, &vs, vt->where, "WHERE", &w, err);
        if (!rc) rc = bind__push_filter(b, &p, w, err);
        if (rc) return rc;
    }
    if (where) {
        sql_expr *w;
        b->clause = "WHERE";
        rc = bind__cond(b, s, where, "WHERE", &w, err);
        b->clause = NULL;
        if (!rc) rc = bind__push_filter(b, &p, w, err);
        if (rc) return rc;
    }
    bind__choose_indexes(b, p);
    *scan = p;
    return MICE_OK;
}

static mice_status bind_update(bind_ctx *b, const ast_node *n, plan_node **out, sql_error *err)
{
    const ast_update *up = &n->u.update;
    if (up->with)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc, "WITH is not supported yet");
    catalog_desc *d;
    plan_node *scan;
    bind_scope s = {0};
    view_target vt;
    mice_status rc = target_scan(b, n, up->table, &up->from, up->where, &d, &vt, &scan, &s, err);
    if (!rc) rc = view_dml_check(&vt, &up->returning, NULL, err);
    if (rc) return rc;
    ast_list set = up->set;
    if (vt.view && (rc = view_set_list(b, n, &vt, d, &up->set, &set, err))) return rc;
    plan_node *p = dml_node(b, PLAN_UPDATE, d, s.rels[0].name, scan, err);
    if (!p) return err && err->code ? err->code : bind__nomem(err);
    rc = bind__set_clauses(b, &s, d, &set, p->col_values, p->col_set, err);
    if (!rc) rc = bind_returning(b, p, &vt, &up->returning, err);
    *out = p;
    return rc;
}

static mice_status bind_delete(bind_ctx *b, const ast_node *n, plan_node **out, sql_error *err)
{
    const ast_delete *del = &n->u.delete_;
    if (del->with)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "DELETE ... USING and WITH are not supported yet");
    catalog_desc *d;
    plan_node *scan;
    bind_scope s = {0};
    view_target vt;
    mice_status rc =
        target_scan(b, n, del->table, &del->using_, del->where, &d, &vt, &scan, &s, err);
    if (!rc) rc = view_dml_check(&vt, &del->returning, NULL, err);
    if (rc) return rc;
    plan_node *p = dml_node(b, PLAN_DELETE, d, s.rels[0].name, scan, err);
    if (!p) return err && err->code ? err->code : bind__nomem(err);
    rc = bind_returning(b, p, &vt, &del->returning, err);
    *out = p;
    return rc;
}

mice_status bind__dml(bind_ctx *b, const ast_node *n, plan_node **out, sql_error *err)
{
    switch (n->kind) {
    case AST_INSERT:
        return bind_insert(b, n, out, err);
    case AST_UPDATE:
        return bind_update(b, n, out, err);
    default:
        return bind_delete(b, n, out, err);
    }
}
