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

static mice_status bind_returning(bind_ctx *b, plan_node *p, const ast_list *ret, sql_error *err)
{
    if (!ret->n) return MICE_OK;
    bind_scope s = {0};
    if (bind__scope_add_table(b, &s, p->alias, p->table)) return bind__nomem(err);
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

static mice_status bind_insert(bind_ctx *b, const ast_node *n, plan_node **out, sql_error *err)
{
    const ast_insert *ins = &n->u.insert;
    if (ins->with)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc, "WITH is not supported yet");
    catalog_desc *d;
    mice_status rc = bind__resolve_table(b, ins->table, &d, err);
    if (rc) return rc;
    const ast_range_var *rv = &ins->table->u.range_var;
    int32_t *pos = NULL;
    uint32_t n_target = 0;
    plan_node *src = NULL;
    rc = target_columns(b, d, &ins->cols, &pos, &n_target, err);
    if (!rc) rc = insert_source(b, d, ins, pos, &n_target, &src, err);
    if (rc) return rc;
    plan_node *p =
        dml_node(b, PLAN_INSERT, d, rv->alias ? rv->alias->u.alias.name : d->name, src, err);
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
    rc = bind_returning(b, p, &ins->returning, err);
    *out = p;
    return rc;
}

static mice_status target_scan(bind_ctx *b, const ast_node *table, const ast_list *from,
                               const ast_node *where, catalog_desc **d, plan_node **scan,
                               bind_scope *s, sql_error *err)
{
    mice_status rc = bind__resolve_table(b, table, d, err);
    if (rc) return rc;
    const ast_range_var *rv = &table->u.range_var;
    const char *alias = rv->alias ? rv->alias->u.alias.name : (*d)->name;
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
    if (bind__scope_add_table(b, s, alias, *d)) return bind__nomem(err);
    /* The target's columns stay first in the row: DML reads them from there. */
    if ((rc = bind__join_from(b, s, from, &p, err))) return rc;
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
    mice_status rc = target_scan(b, up->table, &up->from, up->where, &d, &scan, &s, err);
    if (rc) return rc;
    plan_node *p = dml_node(b, PLAN_UPDATE, d, s.rels[0].name, scan, err);
    if (!p) return err && err->code ? err->code : bind__nomem(err);
    rc = bind__set_clauses(b, &s, d, &up->set, p->col_values, p->col_set, err);
    if (!rc) rc = bind_returning(b, p, &up->returning, err);
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
    mice_status rc = target_scan(b, del->table, &del->using_, del->where, &d, &scan, &s, err);
    if (rc) return rc;
    plan_node *p = dml_node(b, PLAN_DELETE, d, s.rels[0].name, scan, err);
    if (!p) return err && err->code ? err->code : bind__nomem(err);
    rc = bind_returning(b, p, &del->returning, err);
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
