/* bind_vtab.c - FROM items that are not stored tables: pg_catalog / information_schema
 * relations (a VTSCAN over rows pgcatalog.h computes) and the simple LATERAL subquery
 * (see bind.h). */
#include <string.h>

#include "sql/bind_int.h"

mice_status bind__vtab_scan(bind_ctx *b, bind_scope *s, const ast_node *n, const catalog_desc *d,
                            plan_node **out, sql_error *err)
{
    const char *schema =
        d->parent_id == CATALOG_ID_PG_CATALOG ? "pg_catalog" : "information_schema";
    const pgcat_rel *r = pgcat_find(schema, d->name);
    if (!r)
        return bind__err(err, SQLSTATE_UNDEFINED_TABLE, n->loc, "relation \"%s.%s\" does not exist",
                         schema, d->name);
    const ast_range_var *rv = &n->u.range_var;
    const char *alias = rv->alias ? rv->alias->u.alias.name : rv->rel;
    for (uint32_t i = 0; i < s->n_rels; i++)
        if (s->rels[i].name && !strcmp(s->rels[i].name, alias))
            return bind__err(err, "42712", n->loc, "table name \"%s\" specified more than once",
                             alias);
    /* the relation's columns, then the system column tableoid (hidden from SELECT *) */
    uint32_t nc = r->n_cols + 1;
    plan_node *p = plan_new(b->arena, PLAN_VTSCAN, nc);
    const char **names = ARENA_NEW_ARRAY(b->arena, const char *, nc);
    bool *hidden = ARENA_NEW_ARRAY(b->arena, bool, nc);
    if (!p || !names || !hidden) return bind__nomem(err);
    names[r->n_cols] = p->col_names[r->n_cols] = "tableoid";
    p->col_types[r->n_cols] = sql_type_make(SQL_TYPE_OID, -1);
    hidden[r->n_cols] = true;
    const ast_names *cols = rv->alias ? &rv->alias->u.alias.cols : NULL;
    for (uint32_t i = 0; i < r->n_cols; i++) {
        names[i] = cols && i < cols->n ? cols->v[i] : r->cols[i].name;
        p->col_names[i] = names[i];
        p->col_types[i] = sql_type_make(r->cols[i].type, -1);
    }
    p->vtab = r;
    p->alias = alias;
    p->est_rows = 100;
    p->cost_total = 10;
    if (bind__scope_add(b, s, alias, NULL, nc, names, p->col_types, hidden))
        return bind__nomem(err);
    *out = p;
    return MICE_OK;
}

/* LATERAL (SELECT exprs) without FROM, WHERE or grouping: the expressions are computed over
 * each row of the left side, i.e. a projection that appends them to its columns. */
mice_status bind__lateral_join(bind_ctx *b, bind_scope *s, const ast_node *n, uint32_t first_rel,
                               plan_node *left, plan_node **out, sql_error *err)
{
    const ast_node *sub = n->u.join.r;
    const ast_range_subselect *rs = &sub->u.range_subselect;
    const ast_select *sel = &rs->query->u.select;
    if (rs->query->kind != AST_SELECT || sel->set_op || sel->from.n || sel->where ||
        sel->group_by.n || sel->having || sel->order_by.n || sel->limit || sel->offset ||
        sel->distinct || sel->values.n || sel->with || n->u.join.on || n->u.join.using_cols.n ||
        n->u.join.jt != AST_JOIN_INNER)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, sub->loc,
                         "only LATERAL (SELECT expressions) without FROM is supported");
    uint32_t base = first_rel < s->n_rels ? s->rels[first_rel].offset : s->n_cols;
    uint32_t nt = sel->targets.n, nl = left->n_cols;
    sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, nl + nt + 1);
    const char **names = ARENA_NEW_ARRAY(b->arena, const char *, nl + nt + 1);
    sql_type *types = ARENA_NEW_ARRAY(b->arena, sql_type, nt + 1);
    if (!ex || !names || !types) return bind__nomem(err);
    for (uint32_t i = 0; i < nl; i++) {
        names[i] = left->col_names[i];
        if (!(ex[i] = expr_col(b->arena, (int32_t)i, left->col_types[i], names[i])))
            return bind__nomem(err);
    }
    const ast_names *cols = rs->alias ? &rs->alias->u.alias.cols : NULL;
    for (uint32_t i = 0; i < nt; i++) {
        const ast_res_target *t = &sel->targets.items[i]->u.res_target;
        if (t->val->kind == AST_COLUMN_REF && t->val->u.column_ref.star)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, t->val->loc,
                             "* in a LATERAL subquery is not supported");
        sql_expr *e;
        mice_status rc = bind__expr(b, s, t->val, &e, err);
        if (!rc && e->type.id == SQL_TYPE_UNKNOWN)
            rc =
                bind__coerce(b, &e, sql_type_make(SQL_TYPE_TEXT, -1), SQL_CAST_IMPLICIT, NULL, err);
        if (!rc && base) rc = bind__refs_shift(b, e, -(int32_t)base, err);
        if (rc) return rc;
        ex[nl + i] = e;
        types[i] = e->type;
        names[nl + i] = cols && i < cols->n ? cols->v[i] : t->name ? t->name : "?column?";
    }
    plan_node *p = plan_new(b->arena, PLAN_PROJECT, nl + nt);
    if (!p) return bind__nomem(err);
    for (uint32_t i = 0; i < nl + nt; i++) {
        p->col_names[i] = names[i];
        p->col_types[i] = ex[i]->type;
    }
    p->exprs = ex;
    p->child = left;
    p->est_rows = left->est_rows;
    p->cost_total = left->cost_total;
    const char *alias = rs->alias ? rs->alias->u.alias.name : NULL;
    if (bind__scope_add(b, s, alias, NULL, nt, names + nl, types, NULL)) return bind__nomem(err);
    *out = p;
    return MICE_OK;
}
