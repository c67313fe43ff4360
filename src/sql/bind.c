/* bind.c - SELECT binding and planning: FROM, WHERE push-down, aggregation, ORDER BY,
 * LIMIT, set operations (see bind.h). */
#include <stdio.h>
#include <string.h>

#include "sql/bind_int.h"
#include "sql/parse.h"

/* --- scopes ---------------------------------------------------------------------------- */

mice_status bind__scope_add(bind_ctx *b, bind_scope *s, const char *name, const catalog_desc *t,
                            uint32_t n_cols, const char **names, const sql_type *types,
                            const bool *hidden)
{
    if (s->n_rels == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        bind_rel *v = ARENA_NEW_ARRAY(b->arena, bind_rel, cap);
        if (!v) return MICE_NOMEM;
        if (s->n_rels) memcpy(v, s->rels, sizeof(bind_rel) * s->n_rels);
        s->rels = v;
        s->cap = cap;
    }
    bind_rel *r = &s->rels[s->n_rels++];
    *r = (bind_rel){.name = name,
                    .table = t,
                    .offset = s->n_cols,
                    .n_cols = n_cols,
                    .col_names = names,
                    .col_types = (sql_type *)types,
                    .hidden = (bool *)hidden};
    s->n_cols += n_cols;
    return MICE_OK;
}

mice_status bind__scope_add_table(bind_ctx *b, bind_scope *s, const char *name,
                                  const catalog_desc *t)
{
    const char **names = ARENA_NEW_ARRAY(b->arena, const char *, t->n_columns + 1);
    sql_type *types = ARENA_NEW_ARRAY(b->arena, sql_type, t->n_columns + 1);
    bool *hidden = ARENA_NEW_ARRAY(b->arena, bool, t->n_columns + 1);
    if (!names || !types || !hidden) return MICE_NOMEM;
    for (uint32_t i = 0; i < t->n_columns; i++) {
        names[i] = t->columns[i].name;
        types[i] = t->columns[i].type;
        hidden[i] = t->columns[i].hidden;
    }
    return bind__scope_add(b, s, name, t, t->n_columns, names, types, hidden);
}

/* A table, or with allow_virtual also a pg_catalog / information_schema relation. */
static mice_status resolve_rel(bind_ctx *b, const ast_node *rv, bool allow_virtual,
                               catalog_desc **out, sql_error *err)
{
    const ast_range_var *r = &rv->u.range_var;
    mice_status rc = catalog_resolve_relation(b->ct, b->database_id, b->sp, r->schema, r->rel,
                                              b->arena, out, err);
    if (rc) {
        if (err && rv->loc >= 0) err->position = rv->loc + 1;
        return rc;
    }
    if (((*out)->kind == CATALOG_VIRTUAL || (*out)->kind == CATALOG_VIEW) && allow_virtual)
        return MICE_OK;
    if ((*out)->kind == CATALOG_VIRTUAL)
        return bind__err(err, SQLSTATE_INSUFFICIENT_PRIVILEGE, rv->loc,
                         "permission denied: \"%s\" is a system catalog", r->rel);
    if ((*out)->kind != CATALOG_TABLE)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, rv->loc, "\"%s\" is not a table",
                         r->rel);
    return MICE_OK;
}

mice_status bind__resolve_table(bind_ctx *b, const ast_node *rv, catalog_desc **out, sql_error *err)
{
    return resolve_rel(b, rv, false, out, err);
}

mice_status bind__table_layout(bind_ctx *b, plan_node *p, const catalog_desc *d, sql_error *err)
{
    p->table = d;
    if (catalog_table_layout(d, b->arena, &p->layout, &p->indexes)) return bind__nomem(err);
    return MICE_OK;
}

static mice_status scan_node(bind_ctx *b, const catalog_desc *d, const char *alias, plan_node **out,
                             sql_error *err)
{
    plan_node *p = plan_new(b->arena, PLAN_SCAN, d->n_columns);
    if (!p) return bind__nomem(err);
    for (uint32_t i = 0; i < d->n_columns; i++) {
        p->col_names[i] = d->columns[i].name;
        p->col_types[i] = d->columns[i].type;
    }
    p->alias = alias;
    p->full_scan = true;
    p->est_rows = 1000;
    p->cost_total = 1000;
    *out = p;
    return bind__table_layout(b, p, d, err);
}

/* --- FROM ------------------------------------------------------------------------------- */

static plan_node *project_node(bind_ctx *b, plan_node *child, sql_expr **exprs, const char **names,
                               uint32_t n);

static mice_status bind_from_item(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                                  sql_error *err);

static plan_node *join_node(bind_ctx *b, plan_node *l, plan_node *r, plan_join_type jt)
{
    plan_node *j = plan_new(b->arena, PLAN_JOIN, l->n_cols + r->n_cols);
    if (!j) return NULL;
    memcpy(j->col_names, l->col_names, sizeof(char *) * l->n_cols);
    memcpy(j->col_names + l->n_cols, r->col_names, sizeof(char *) * r->n_cols);
    memcpy(j->col_types, l->col_types, sizeof(sql_type) * l->n_cols);
    memcpy(j->col_types + l->n_cols, r->col_types, sizeof(sql_type) * r->n_cols);
    j->child = l;
    j->right = r;
    j->join_type = jt;
    j->est_rows = l->est_rows * (r->est_rows > 1 ? r->est_rows / 10 : 1);
    j->cost_total = l->cost_total + r->cost_total + j->est_rows;
    return j;
}

static void split_conjuncts(sql_expr *e, sql_expr **v, uint32_t *n, uint32_t cap)
{
    if (e->kind == EXPR_AND) {
        for (uint32_t i = 0; i < e->n_args; i++)
            split_conjuncts(e->args[i], v, n, cap);
    } else if (*n < cap) {
        v[(*n)++] = e;
    }
}

enum { BIND_CONJUNCTS_MAX = 256 };

static mice_status bind_join(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                             sql_error *err);

/* a RIGHT JOIN b = b LEFT JOIN a, with the columns put back in a, b order. */
static mice_status bind_right_join(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                                   sql_error *err)
{
    ast_node *sw = ast_node_dup(b->arena, n);
    if (!sw) return bind__nomem(err);
    sw->u.join.jt = AST_JOIN_LEFT;
    sw->u.join.l = n->u.join.r;
    sw->u.join.r = n->u.join.l;
    uint32_t first = s->n_rels, base = s->n_cols;
    mice_status rc = bind_join(b, s, sw, out, err);
    if (rc) return rc;
    /* scope: the relations of the (new) left side come first; reorder to the written order */
    plan_node *j = *out;
    uint32_t rn = j->child->n_cols, ln = j->right->n_cols;
    uint32_t n_right_rels = 0;
    while (first + n_right_rels < s->n_rels && s->rels[first + n_right_rels].offset < base + rn)
        n_right_rels++;
    uint32_t total = s->n_rels - first;
    bind_rel *tmp = ARENA_NEW_ARRAY(b->arena, bind_rel, total ? total : 1);
    sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, j->n_cols ? j->n_cols : 1);
    const char **names = ARENA_NEW_ARRAY(b->arena, const char *, j->n_cols ? j->n_cols : 1);
    if (!tmp || !ex || !names) return bind__nomem(err);
    for (uint32_t i = 0; i < total; i++) {
        bind_rel r = s->rels[first + (i + n_right_rels) % total];
        bool was_right = (i + n_right_rels) % total < n_right_rels;
        r.offset = was_right ? r.offset + ln : r.offset - rn;
        r.nullable = !was_right;
        tmp[i] = r;
    }
    memcpy(s->rels + first, tmp, sizeof(bind_rel) * total);
    for (uint32_t c = 0; c < j->n_cols; c++) {
        uint32_t src = c < ln ? rn + c : c - ln;
        names[c] = j->col_names[src];
        if (!(ex[c] = expr_col(b->arena, (int32_t)src, j->col_types[src], names[c])))
            return bind__nomem(err);
    }
    *out = project_node(b, j, ex, names, j->n_cols);
    return *out ? MICE_OK : bind__nomem(err);
}

/* The one column called name among rels [from, to); -1 absent, -2 ambiguous. */
static int using_find(const bind_scope *s, uint32_t from, uint32_t to, const char *name,
                      uint32_t *rel)
{
    int found = -1;
    for (uint32_t i = from; i < to; i++) {
        const bind_rel *r = &s->rels[i];
        for (uint32_t c = 0; c < r->n_cols; c++) {
            if ((r->hidden && r->hidden[c]) || (r->merged && r->merged[c])) continue;
            if (!r->col_names[c] || strcmp(r->col_names[c], name)) continue;
            if (found >= 0) return -2;
            found = (int)c;
            *rel = i;
        }
    }
    return found;
}

static mice_status using_names(bind_ctx *b, const bind_scope *s, const ast_join *j, uint32_t lf,
                               uint32_t rf, ast_names *out)
{
    if (!j->natural) {
        *out = j->using_cols;
        return MICE_OK;
    }
    *out = (ast_names){0};
    for (uint32_t i = rf; i < s->n_rels; i++)
        for (uint32_t c = 0; c < s->rels[i].n_cols; c++) {
            uint32_t rel;
            const bind_rel *r = &s->rels[i];
            if ((r->hidden && r->hidden[c]) || using_find(s, lf, rf, r->col_names[c], &rel) < 0)
                continue;
            if (ast_names_push(b->arena, out, r->col_names[c])) return MICE_NOMEM;
        }
    return MICE_OK;
}

/* JOIN ... USING (cols) / NATURAL JOIN: equalities, and the right side's copies of the
 * columns leave unqualified lookup and SELECT *. */
static mice_status using_cond(bind_ctx *b, bind_scope *s, const ast_node *n, uint32_t lf,
                              uint32_t rf, sql_expr **cond, sql_error *err)
{
    ast_names names;
    if (using_names(b, s, &n->u.join, lf, rf, &names)) return bind__nomem(err);
    for (uint32_t k = 0; k < names.n; k++) {
        uint32_t lrel = 0, rrel = 0;
        int lc = using_find(s, lf, rf, names.v[k], &lrel);
        int rc_ = using_find(s, rf, s->n_rels, names.v[k], &rrel);
        if (lc < 0 || rc_ < 0)
            return bind__err(
                err, lc == -2 || rc_ == -2 ? SQLSTATE_AMBIGUOUS_COLUMN : SQLSTATE_UNDEFINED_COLUMN,
                n->loc, "column \"%s\" specified in USING clause does not exist in %s table",
                names.v[k], lc < 0 ? "left" : "right");
        bind_rel *lr = &s->rels[lrel], *rr = &s->rels[rrel];
        sql_expr *l = expr_col(b->arena, (int32_t)(lr->offset + (uint32_t)lc), lr->col_types[lc],
                               lr->col_names[lc]);
        sql_expr *r = expr_col(b->arena, (int32_t)(rr->offset + (uint32_t)rc_), rr->col_types[rc_],
                               rr->col_names[rc_]);
        if (!rr->merged && !(rr->merged = ARENA_NEW_ARRAY(b->arena, bool, rr->n_cols)))
            return bind__nomem(err);
        if (!l || !r) return bind__nomem(err);
        rr->merged[rc_] = true;
        l->name = arena_sprintf(b->arena, "%s.%s", lr->name ? lr->name : "?", names.v[k]);
        r->name = arena_sprintf(b->arena, "%s.%s", rr->name ? rr->name : "?", names.v[k]);
        sql_expr *eq = expr_new(b->arena, EXPR_CMP, sql_type_make(SQL_TYPE_BOOL, -1), 2);
        if (!eq) return bind__nomem(err);
        eq->op = EXPR_EQ;
        eq->args[0] = l;
        eq->args[1] = r;
        if (!datum_types_comparable(l->type.id, r->type.id))
            return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, n->loc,
                             "JOIN/USING types do not match");
        if (!(*cond = bind__and(b, *cond, eq))) return bind__nomem(err);
    }
    return MICE_OK;
}

static mice_status bind_join(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                             sql_error *err)
{
    const ast_join *j = &n->u.join;
    if (j->jt == AST_JOIN_FULL)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "FULL joins are not supported yet");
    if (j->jt == AST_JOIN_RIGHT) return bind_right_join(b, s, n, out, err);
    plan_node *l, *r;
    uint32_t first_left_rel = s->n_rels;
    uint32_t col_base = s->n_cols; /* the join's row starts at this scope column */
    mice_status rc = bind_from_item(b, s, j->l, &l, err);
    uint32_t first_right_rel = s->n_rels;
    if (!rc && j->r->kind == AST_RANGE_SUBSELECT && j->r->u.range_subselect.lateral)
        return bind__lateral_join(b, s, n, first_left_rel, l, out, err);
    if (!rc) rc = bind_from_item(b, s, j->r, &r, err);
    if (rc) return rc;
    bool left = j->jt == AST_JOIN_LEFT;
    if (left)
        for (uint32_t i = first_right_rel; i < s->n_rels; i++)
            s->rels[i].nullable = true;
    plan_node *jn = join_node(b, l, r, left ? PLAN_JOIN_LEFT : PLAN_JOIN_INNER);
    if (!jn) return bind__nomem(err);
    *out = jn;
    sql_expr *cond = NULL;
    if (j->natural || j->using_cols.n) {
        rc = using_cond(b, s, n, first_left_rel, first_right_rel, &cond, err);
    } else {
        if (!j->on) return MICE_OK;
        bind_aggs *saved = s->aggs;
        s->aggs = NULL;
        b->clause = "JOIN conditions";
        rc = bind__cond(b, s, j->on, "JOIN/ON", &cond, err);
        b->clause = NULL;
        s->aggs = saved;
    }
    if (rc || !cond) return rc;
    if ((rc = bind__canon_qual(b, &cond, err))) return rc;
    if (col_base && (rc = bind__refs_shift(b, cond, -(int32_t)col_base, err))) return rc;
    if (!left) return bind__push_filter(b, out, cond, err);
    /* LEFT JOIN: conjuncts on the right side alone filter the right input; the rest decide
     * matches. */
    sql_expr *v[BIND_CONJUNCTS_MAX];
    uint32_t nv = 0;
    split_conjuncts(cond, v, &nv, BIND_CONJUNCTS_MAX);
    for (uint32_t i = 0; i < nv; i++) {
        uint8_t used[jn->n_cols];
        memset(used, 0, jn->n_cols);
        bind__refs_used(v[i], used, jn->n_cols);
        bool uses_left = false, uses_right = false;
        for (uint32_t c = 0; c < jn->n_cols; c++)
            if (used[c]) (c < l->n_cols ? (uses_left = true) : (uses_right = true));
        if (uses_right && !uses_left) {
            rc = bind__refs_shift(b, v[i], -(int32_t)l->n_cols, err);
            if (!rc) rc = bind__push_filter(b, &jn->right, v[i], err);
            if (rc) return rc;
            continue;
        }
        if (!jn->filter) {
            jn->filter = v[i];
            continue;
        }
        sql_expr *a = expr_new(b->arena, EXPR_AND, v[i]->type, 2);
        if (!a) return bind__nomem(err);
        a->args[0] = jn->filter;
        a->args[1] = v[i];
        jn->filter = a;
    }
    return MICE_OK;
}

static mice_status bind_subselect(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                                  sql_error *err)
{
    const ast_range_subselect *rs = &n->u.range_subselect;
    bool corr = false;
    mice_status rc = bind__select(b, s->parent, rs->query, out, &corr, err);
    if (rc) return rc;
    if (corr) s->has_outer = true; /* the enclosing query is correlated through it */
    const char *alias = NULL;
    if (rs->alias) {
        alias = rs->alias->u.alias.name;
        const ast_names *cols = &rs->alias->u.alias.cols;
        for (uint32_t i = 0; i < cols->n && i < (*out)->n_cols; i++)
            (*out)->col_names[i] = cols->v[i];
    }
    if (bind__scope_add(b, s, alias, NULL, (*out)->n_cols, (*out)->col_names, (*out)->col_types,
                        NULL))
        return bind__nomem(err);
    return MICE_OK;
}

static bool cte_in_progress(const bind_ctx *b, const ast_node *cte)
{
    for (uint32_t i = 0; i < b->n_cte_stack; i++)
        if (b->cte_stack[i] == cte) return true;
    return false;
}

/* The CTE rv names, if any. Without RECURSIVE a CTE's own name inside its query is not
 * the CTE (an outer CTE or a table of that name is). */
static const ast_node *find_cte(const bind_ctx *b, const ast_node *rv, bool *recursive)
{
    if (rv->u.range_var.schema) return NULL;
    for (uint32_t k = b->n_ctes; k-- > 0;)
        for (uint32_t i = 0; i < b->ctes[k]->n; i++) {
            const ast_node *c = b->ctes[k]->items[i];
            if (!b->ctes_recursive[k] && cte_in_progress(b, c)) continue;
            if (!strcmp(c->u.cte.name, rv->u.range_var.rel)) {
                *recursive = b->ctes_recursive[k];
                return c;
            }
        }
    return NULL;
}

/* 42883 unless every column of p has an equality (DISTINCT, UNION, GROUP BY). */
static mice_status check_equality(const sql_type *types, uint32_t n, sql_error *err)
{
    for (uint32_t i = 0; i < n; i++)
        if (bind__no_opclass(types[i].id)) {
            char tn[SQL_TYPE_NAME_MAX];
            sql_type_format(types[i], tn, sizeof tn);
            return bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, -1,
                             "could not identify an equality operator for type %s", tn);
        }
    return MICE_OK;
}

static plan_node *same_cols(bind_ctx *b, plan_kind k, plan_node *child);
static plan_node *project_node(bind_ctx *b, plan_node *child, sql_expr **exprs, const char **names,
                               uint32_t n);

/* The recursive CTE's reference inside its own query: the working table. */
static mice_status worktable_ref(bind_ctx *b, const ast_node *rv, const ast_node *cte,
                                 plan_node **out, sql_error *err)
{
    const char *name = cte->u.cte.name;
    if (b->rec_phase == 3)
        return bind__err(err, "42P19", cte->loc,
                         "recursive query \"%s\" does not have the form non-recursive-term UNION "
                         "[ALL] recursive-term",
                         name);
    if (b->rec_phase == 1)
        return bind__err(err, "42P19", rv->loc,
                         "recursive reference to query \"%s\" must not appear within its "
                         "non-recursive term",
                         name);
    if (b->sel_depth != b->rec_depth)
        return bind__err(err, "42P19", rv->loc,
                         "recursive reference to query \"%s\" must not appear within a subquery",
                         name);
    if (b->rec_refs++)
        return bind__err(err, "42P19", rv->loc,
                         "recursive reference to query \"%s\" must not appear more than once",
                         name);
    plan_node *r = b->rec_node;
    plan_node *p = plan_new(b->arena, PLAN_WORKSCAN, r->n_cols);
    if (!p) return bind__nomem(err);
    memcpy(p->col_names, r->col_names, sizeof(char *) * r->n_cols);
    memcpy(p->col_types, r->col_types, sizeof(sql_type) * r->n_cols);
    p->rec_union = r;
    p->alias = rv->u.range_var.alias ? rv->u.range_var.alias->u.alias.name : name;
    p->func_name = name; /* EXPLAIN: "WorkTable Scan on t" */
    p->est_rows = 100;
    p->cost_total = 100;
    *out = p;
    return MICE_OK;
}

/* Where column c of the non-recursive term is written (errors about it point there). */
static int32_t nonrec_col_loc(const ast_select *q, uint32_t c)
{
    const ast_node *l = q->larg;
    while (l->kind == AST_SELECT && l->u.select.set_op != AST_SETOP_NONE)
        l = l->u.select.larg;
    if (l->kind != AST_SELECT || c >= l->u.select.targets.n) return -1;
    const ast_node *v = l->u.select.targets.items[c]->u.res_target.val;
    int32_t loc = v->loc; /* a cast starts where its argument does */
    for (; v->kind == AST_CAST; v = v->u.cast.arg)
        if (v->u.cast.arg->loc >= 0 && v->u.cast.arg->loc < loc) loc = v->u.cast.arg->loc;
    return loc;
}

/* Give the recursive term the non-recursive term's column types (42804 when the UNION's
 * common type differs from the non-recursive term's, as in PostgreSQL). */
static mice_status recursive_types(bind_ctx *b, const ast_node *cte, const ast_select *q,
                                   plan_node *nonrec, plan_node **term, sql_error *err)
{
    const char *name = cte->u.cte.name;
    if (nonrec->n_cols != (*term)->n_cols) {
        const ast_select *rs = &q->rarg->u.select;
        int32_t loc = rs->targets.n ? rs->targets.items[0]->u.res_target.val->loc : q->rarg->loc;
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, loc,
                         "each UNION query must have the same number of columns");
    }
    plan_node *in = *term;
    sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, in->n_cols ? in->n_cols : 1);
    if (!ex) return bind__nomem(err);
    bool cast = false;
    for (uint32_t c = 0; c < in->n_cols; c++) {
        if (!(ex[c] = expr_col(b->arena, (int32_t)c, in->col_types[c], in->col_names[c])))
            return bind__nomem(err);
        sql_expr a = {.kind = EXPR_COL, .type = nonrec->col_types[c], .loc = -1};
        sql_expr d = {.kind = EXPR_COL, .type = in->col_types[c], .loc = -1};
        sql_expr *v[2] = {&a, &d};
        sql_type t;
        mice_status rc = bind__common_type(b, v, 2, "UNION", &t, err);
        if (rc) return rc;
        if (t.id != nonrec->col_types[c].id) {
            char t1[SQL_TYPE_NAME_MAX], t2[SQL_TYPE_NAME_MAX];
            sql_type_format(sql_type_make(nonrec->col_types[c].id, -1), t1, sizeof t1);
            sql_type_format(sql_type_make(t.id, -1), t2, sizeof t2);
            bind__err(err, "42804", nonrec_col_loc(q, c),
                      "recursive query \"%s\" column %u has type %s in non-recursive term but type "
                      "%s overall",
                      name, c + 1, t1, t2);
            sqlerr_hint(err, "Cast the output of the non-recursive term to the correct type.");
            return MICE_INVALID;
        }
        if (in->col_types[c].id != t.id) {
            if ((rc = bind__coerce(b, &ex[c], nonrec->col_types[c], SQL_CAST_IMPLICIT, NULL, err)))
                return rc;
            cast = true;
        }
    }
    if (cast && !(*term = project_node(b, in, ex, in->col_names, in->n_cols)))
        return bind__nomem(err);
    return MICE_OK;
}

/* A CTE of WITH RECURSIVE: non-recursive-term UNION [ALL] recursive-term becomes a
 * Recursive Union whose recursive term reads the working table; a CTE that does not refer
 * to itself is an ordinary one (*plain). */
static mice_status bind_recursive_cte(bind_ctx *b, bind_scope *s, const ast_node *cte,
                                      plan_node **out, bool *plain, bool *corr, sql_error *err)
{
    const ast_node *q = cte->u.cte.query;
    const ast_select *sel = q->kind == AST_SELECT ? &q->u.select : NULL;
    const ast_node *saved_cte = b->rec_cte;
    int saved_phase = b->rec_phase;
    plan_node *saved_node = b->rec_node;
    uint32_t saved_refs = b->rec_refs, saved_depth = b->rec_depth;
    b->rec_cte = cte;
    mice_status rc;
    *plain = false;
    if (!sel || sel->set_op != AST_SETOP_UNION || sel->with) {
        b->rec_phase = 3;
        rc = bind__select(b, s->parent, q, out, corr, err);
        goto done;
    }
    plan_node *nonrec, *term;
    b->rec_phase = 1;
    rc = bind__select(b, s->parent, sel->larg, &nonrec, corr, err);
    if (rc) goto done;
    plan_node *r = same_cols(b, PLAN_RECURSIVE, nonrec);
    if (!r) {
        rc = bind__nomem(err);
        goto done;
    }
    for (uint32_t i = 0; i < cte->u.cte.cols.n && i < r->n_cols; i++)
        r->col_names[i] = cte->u.cte.cols.v[i];
    b->rec_phase = 2;
    b->rec_node = r;
    b->rec_refs = 0;
    b->rec_depth = b->sel_depth + 1;
    rc = bind__select(b, s->parent, sel->rarg, &term, corr, err);
    if (rc) goto done;
    if (!b->rec_refs) { /* not recursive after all */
        *plain = true;
        goto done;
    }
    if (sel->order_by.n || sel->limit || sel->offset) {
        const ast_node *at = sel->order_by.n ? sel->order_by.items[0]->u.sort_by.expr
                             : sel->offset   ? sel->offset
                                             : sel->limit;
        rc = bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, at->loc,
                       "%s in a recursive query is not implemented",
                       sel->order_by.n ? "ORDER BY" : sel->offset ? "OFFSET" : "LIMIT");
        goto done;
    }
    if ((rc = recursive_types(b, cte, sel, nonrec, &term, err))) goto done;
    for (uint32_t c = 0; !sel->all && c < r->n_cols; c++) /* UNION compares rows */
        if (bind__no_opclass(r->col_types[c].id)) {
            char tn[SQL_TYPE_NAME_MAX];
            sql_type_format(r->col_types[c], tn, sizeof tn);
            rc = bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, nonrec_col_loc(sel, c),
                           "could not identify an equality operator for type %s", tn);
            goto done;
        }
    r->rec_term = term;
    r->rec_all = sel->all;
    r->est_rows = nonrec->est_rows * 10;
    *out = r;
done:
    b->rec_cte = saved_cte;
    b->rec_phase = saved_phase;
    b->rec_node = saved_node;
    b->rec_refs = saved_refs;
    b->rec_depth = saved_depth;
    return rc;
}

/* A CTE is planned like a subquery in FROM at each reference. */
static mice_status bind_cte_ref(bind_ctx *b, bind_scope *s, const ast_node *rv, const ast_node *cte,
                                bool recursive, plan_node **out, sql_error *err)
{
    bool corr = false, plain = true;
    mice_status rc = MICE_OK;
    if (recursive && b->rec_cte == cte) {
        rc = worktable_ref(b, rv, cte, out, err);
    } else if (cte_in_progress(b, cte)) { /* a CTE of the list referring back to this one */
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, cte->loc,
                         "mutual recursion between WITH items is not implemented");
    } else if (b->n_cte_stack == BIND_CTE_DEPTH_MAX) {
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, rv->loc, "WITH nested too deep");
    } else {
        b->cte_stack[b->n_cte_stack++] = cte;
        if (recursive) rc = bind_recursive_cte(b, s, cte, out, &plain, &corr, err);
        if (!rc && plain) rc = bind__select(b, s->parent, cte->u.cte.query, out, &corr, err);
        b->n_cte_stack--;
    }
    if (rc) return rc;
    if (corr) s->has_outer = true;
    const ast_names *cols = &cte->u.cte.cols;
    for (uint32_t i = 0; i < cols->n && i < (*out)->n_cols; i++)
        (*out)->col_names[i] = cols->v[i];
    const ast_range_var *r = &rv->u.range_var;
    const char *alias = r->alias ? r->alias->u.alias.name : r->rel;
    if (bind__scope_add(b, s, alias, NULL, (*out)->n_cols, (*out)->col_names, (*out)->col_types,
                        NULL))
        return bind__nomem(err);
    return MICE_OK;
}

static mice_status add_dep(bind_ctx *b, uint32_t id, sql_error *err)
{
    for (uint32_t i = 0; i < b->n_deps; i++)
        if (b->deps[i] == id) return MICE_OK;
    if (b->n_deps == b->cap_deps) {
        uint32_t cap = b->cap_deps ? b->cap_deps * 2 : 8;
        uint32_t *v = ARENA_NEW_ARRAY(b->arena, uint32_t, cap);
        if (!v) return bind__nomem(err);
        if (b->n_deps) memcpy(v, b->deps, sizeof(uint32_t) * b->n_deps);
        b->deps = v;
        b->cap_deps = cap;
    }
    b->deps[b->n_deps++] = id;
    return MICE_OK;
}

enum { BIND_VIEW_DEPTH_MAX = 32 };

/* A view in FROM: its stored query, parsed and bound as a subquery of its own (no outer
 * references, no CTEs of the referencing query), keeps the columns the view was created
 * with. */
static mice_status bind_view(bind_ctx *b, bind_scope *s, const ast_node *n, const catalog_desc *d,
                             plan_node **out, sql_error *err)
{
    if (b->view_depth >= BIND_VIEW_DEPTH_MAX)
        return bind__err(err, "42P17", n->loc, "infinite recursion detected in rules for relation \"%s\"",
                         d->name);
    sql_parse_result pr;
    const char *text = d->view_query ? d->view_query : "";
    mice_status rc = sql_parse(b->arena, text, strlen(text), &pr, err);
    if (!rc && (pr.n_stmts != 1 || pr.stmts[0].stmt->kind != AST_SELECT))
        rc = bind__err(err, SQLSTATE_DATA_CORRUPTED, -1, "view \"%s\" has a bad definition",
                       d->name);
    if (rc) {
        if (err) err->position = n->loc + 1;
        return rc;
    }
    uint32_t n_ctes = b->n_ctes, n_deps = b->n_deps;
    b->n_ctes = 0;
    b->view_depth++;
    bool corr = false;
    rc = bind__select(b, NULL, pr.stmts[0].stmt, out, &corr, err);
    b->view_depth--;
    b->n_ctes = n_ctes;
    b->n_deps = n_deps; /* a view depends on the views it reads, not on what they read */
    if (rc) {
        if (err) err->position = n->loc + 1;
        return rc;
    }
    plan_node *p = *out;
    uint32_t nc = d->n_columns < p->n_cols ? d->n_columns : p->n_cols;
    sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, nc ? nc : 1);
    const char **names = ARENA_NEW_ARRAY(b->arena, const char *, nc ? nc : 1);
    if (!ex || !names) return bind__nomem(err);
    for (uint32_t i = 0; i < nc; i++) {
        names[i] = d->columns[i].name;
        if (!(ex[i] = expr_col(b->arena, (int32_t)i, p->col_types[i], names[i])))
            return bind__nomem(err);
    }
    if (!(p = *out = project_node(b, p, ex, names, nc))) return bind__nomem(err);
    const ast_range_var *rv = &n->u.range_var;
    const char *alias = rv->alias ? rv->alias->u.alias.name : rv->rel;
    for (uint32_t i = 0; i < s->n_rels; i++) /* PostgreSQL gives no position here */
        if (s->rels[i].name && !strcmp(s->rels[i].name, alias))
            return bind__err(err, "42712", -1, "table name \"%s\" specified more than once",
                             alias);
    if (rv->alias)
        for (uint32_t i = 0; i < rv->alias->u.alias.cols.n && i < nc; i++)
            p->col_names[i] = rv->alias->u.alias.cols.v[i];
    if (bind__scope_add(b, s, alias, NULL, nc, p->col_names, p->col_types, NULL))
        return bind__nomem(err);
    return MICE_OK;
}

static mice_status bind_from_item(bind_ctx *b, bind_scope *s, const ast_node *n, plan_node **out,
                                  sql_error *err)
{
    switch (n->kind) {
    case AST_RANGE_VAR: {
        bool recursive = false;
        const ast_node *cte = find_cte(b, n, &recursive);
        if (cte) return bind_cte_ref(b, s, n, cte, recursive, out, err);
        catalog_desc *d;
        mice_status rc = resolve_rel(b, n, true, &d, err);
        if (rc && !strcmp(err->sqlstate, "42P01") && !n->u.range_var.schema)
            for (uint32_t i = 0; i < b->n_cte_stack; i++)
                if (!strcmp(b->cte_stack[i]->u.cte.name, n->u.range_var.rel)) {
                    sqlerr_detail(err,
                                  "There is a WITH item named \"%s\", but it cannot be "
                                  "referenced from this part of the query.",
                                  n->u.range_var.rel);
                    sqlerr_hint(err, "Use WITH RECURSIVE, or re-order the WITH items to remove "
                                     "forward references.");
                    break;
                }
        if (rc) return rc;
        if (d->kind == CATALOG_VIRTUAL) return bind__vtab_scan(b, s, n, d, out, err);
        if ((rc = add_dep(b, d->id, err))) return rc;
        if (d->kind == CATALOG_VIEW) return bind_view(b, s, n, d, out, err);
        const ast_range_var *rv = &n->u.range_var;
        const char *alias = rv->alias ? rv->alias->u.alias.name : rv->rel;
        for (uint32_t i = 0; i < s->n_rels; i++)
            if (s->rels[i].name && !strcmp(s->rels[i].name, alias))
                return bind__err(err, "42712", n->loc, "table name \"%s\" specified more than once",
                                 alias);
        rc = scan_node(b, d, alias, out, err);
        if (rc) return rc;
        if (bind__scope_add_table(b, s, alias, d)) return bind__nomem(err);
        if (rv->alias && rv->alias->u.alias.cols.n) {
            bind_rel *r = &s->rels[s->n_rels - 1];
            const ast_names *cols = &rv->alias->u.alias.cols;
            uint32_t k = 0;
            for (uint32_t i = 0; i < r->n_cols && k < cols->n; i++)
                if (!r->hidden[i]) r->col_names[i] = cols->v[k++];
        }
        return MICE_OK;
    }
    case AST_JOIN:
        return bind_join(b, s, n, out, err);
    case AST_RANGE_SUBSELECT:
        return bind_subselect(b, s, n, out, err);
    case AST_RANGE_FUNC:
        return bind__range_func(b, s, n, out, err);
    default:
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "FROM item %s is not supported", ast_kind_name(n->kind));
    }
}

static mice_status bind_from(bind_ctx *b, bind_scope *s, const ast_list *from, plan_node **out,
                             sql_error *err)
{
    if (from->n == 0) {
        plan_node *p = plan_new(b->arena, PLAN_VALUES, 0);
        if (!p) return bind__nomem(err);
        p->n_rows = 1;
        p->rows = ARENA_NEW_ARRAY(b->arena, sql_expr **, 1);
        p->est_rows = 1;
        *out = p;
        return p->rows ? MICE_OK : bind__nomem(err);
    }
    plan_node *acc = NULL;
    for (uint32_t i = 0; i < from->n; i++) {
        plan_node *p;
        mice_status rc = bind_from_item(b, s, from->items[i], &p, err);
        if (rc) return rc;
        if (!acc) {
            acc = p;
        } else {
            acc = join_node(b, acc, p, PLAN_JOIN_INNER);
            if (!acc) return bind__nomem(err);
        }
    }
    *out = acc;
    return MICE_OK;
}

mice_status bind__join_from(bind_ctx *b, bind_scope *s, const ast_list *from, plan_node **p,
                            sql_error *err)
{
    for (uint32_t i = 0; i < from->n; i++) {
        plan_node *r;
        mice_status rc = bind_from_item(b, s, from->items[i], &r, err);
        if (rc) return rc;
        if (!(*p = join_node(b, *p, r, PLAN_JOIN_INNER))) return bind__nomem(err);
    }
    return MICE_OK;
}

/* --- target lists --------------------------------------------------------------------------- */

/* PostgreSQL's FigureColnameInternal: a name and its strength (2 from a column,
 * function or special form, 1 from a cast's type or CASE, 0 none); a cast names the
 * column after its type unless what it casts has a stronger name. */
static int figure_colname(const ast_node *v, const char **name)
{
    switch (v->kind) {
    case AST_COLUMN_REF:
        *name = v->u.column_ref.names.v[v->u.column_ref.names.n - 1];
        return 2;
    case AST_FUNC:
        *name = v->u.func.name.v[v->u.func.name.n - 1];
        return 2;
    case AST_GROUPING_FUNC:
        *name = "grouping";
        return 2;
    case AST_CAST: {
        int strength = figure_colname(v->u.cast.arg, name);
        if (strength <= 1) {
            const ast_names *tn = &v->u.cast.type->u.type_name.names;
            *name = tn->v[tn->n - 1];
            return 1;
        }
        return strength;
    }
    case AST_CASE:
        *name = "case";
        return 1;
    case AST_COALESCE:
        *name = "coalesce";
        return 2;
    case AST_NULLIF:
        *name = "nullif";
        return 2;
    case AST_MINMAX:
        *name = v->u.minmax.greatest ? "greatest" : "least";
        return 2;
    case AST_SUBLINK: {
        if (v->u.sublink.sk == AST_SUBLINK_EXISTS) {
            *name = "exists";
            return 2;
        }
        if (v->u.sublink.sk != AST_SUBLINK_EXPR) return 0;
        /* a scalar subquery is named after its (leftmost) select's only column */
        const ast_node *q = v->u.sublink.query;
        while (q && q->kind == AST_SELECT && q->u.select.set_op != AST_SETOP_NONE)
            q = q->u.select.larg;
        if (!q || q->kind != AST_SELECT || !q->u.select.targets.n) return 0;
        const ast_node *t = q->u.select.targets.items[0];
        if (t->u.res_target.name) {
            *name = t->u.res_target.name;
            return 2;
        }
        return figure_colname(t->u.res_target.val, name);
    }
    default:
        return 0;
    }
}

static const char *target_name(const ast_node *t)
{
    if (t->u.res_target.name) return t->u.res_target.name;
    const char *name = "?column?";
    figure_colname(t->u.res_target.val, &name);
    return name;
}

typedef struct tlist {
    sql_expr **exprs;
    const char **names;
    uint32_t n, cap;
} tlist;

static bool tlist_push(bind_ctx *b, tlist *t, sql_expr *e, const char *name)
{
    if (t->n == t->cap) {
        uint32_t cap = t->cap ? t->cap * 2 : 16;
        sql_expr **e2 = ARENA_NEW_ARRAY(b->arena, sql_expr *, cap);
        const char **n2 = ARENA_NEW_ARRAY(b->arena, const char *, cap);
        if (!e2 || !n2) return false;
        if (t->n) {
            memcpy(e2, t->exprs, sizeof(sql_expr *) * t->n);
            memcpy(n2, t->names, sizeof(char *) * t->n);
        }
        t->exprs = e2;
        t->names = n2;
        t->cap = cap;
    }
    t->exprs[t->n] = e;
    t->names[t->n++] = name;
    return true;
}

static mice_status expand_star(bind_ctx *b, bind_scope *s, const ast_node *ref, tlist *t,
                               sql_error *err)
{
    const ast_names *nm = &ref->u.column_ref.names;
    const char *rel = nm->n ? nm->v[nm->n - 1] : NULL;
    bool seen = false;
    for (uint32_t i = 0; i < s->n_rels; i++) {
        const bind_rel *r = &s->rels[i];
        if (rel && (!r->name || strcmp(r->name, rel))) continue;
        seen = true;
        for (uint32_t c = 0; c < r->n_cols; c++) {
            if ((r->hidden && r->hidden[c]) || (r->merged && r->merged[c])) continue;
            sql_expr *e =
                expr_col(b->arena, (int32_t)(r->offset + c), r->col_types[c], r->col_names[c]);
            if (!e || !tlist_push(b, t, e, r->col_names[c])) return bind__nomem(err);
        }
    }
    if (rel && !seen)
        return bind__err(err, SQLSTATE_UNDEFINED_TABLE, ref->loc,
                         "missing FROM-clause entry for table \"%s\"", rel);
    if (!rel && s->n_rels == 0)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, ref->loc,
                         "SELECT * with no tables specified is not valid");
    return MICE_OK;
}

static mice_status bind_targets(bind_ctx *b, bind_scope *s, const ast_list *targets, tlist *t,
                                sql_error *err)
{
    for (uint32_t i = 0; i < targets->n; i++) {
        const ast_node *tn = targets->items[i];
        const ast_node *v = tn->u.res_target.val;
        if (v->kind == AST_COLUMN_REF && v->u.column_ref.star) {
            mice_status rc = expand_star(b, s, v, t, err);
            if (rc) return rc;
            continue;
        }
        sql_expr *e;
        mice_status rc = bind__expr(b, s, v, &e, err);
        if (rc) return rc;
        if (!tlist_push(b, t, e, target_name(tn))) return bind__nomem(err);
    }
    return MICE_OK;
}

mice_status bind__targets_star(bind_ctx *b, bind_scope *s, const ast_list *targets,
                               sql_expr ***exprs, const char ***names, uint32_t *n, sql_error *err)
{
    tlist t = {0};
    mice_status rc = bind_targets(b, s, targets, &t, err);
    if (rc) return rc;
    for (uint32_t i = 0; i < t.n; i++)
        if (t.exprs[i]->type.id == SQL_TYPE_UNKNOWN &&
            (rc = bind__coerce(b, &t.exprs[i], sql_type_make(SQL_TYPE_TEXT, -1), SQL_CAST_IMPLICIT,
                               NULL, err)))
            return rc;
    *exprs = t.exprs;
    *names = t.names;
    *n = t.n;
    return MICE_OK;
}

/* --- aggregation ------------------------------------------------------------------------------ */

typedef struct agg_state {
    sql_expr **group;
    uint32_t n_group;
    bind_aggs aggs;
    /* GROUPING SETS / ROLLUP / CUBE (or GROUPING() calls): the sets as bit masks over
     * group[], and for each GROUPING() call the group[] index of each argument */
    uint64_t *sets;
    uint32_t n_sets;
    uint32_t **gf_args;
} agg_state;

static mice_status over_agg(bind_ctx *b, const agg_state *g, sql_expr **ep, sql_error *err)
{
    sql_expr *e = *ep;
    for (uint32_t i = 0; i < g->n_group; i++) {
        if (bind__expr_equal(e, g->group[i])) {
            *ep = expr_col(b->arena, (int32_t)i, e->type, e->name);
            if (!*ep) return bind__nomem(err);
            if (e->kind != EXPR_COL) (*ep)->name = NULL;
            return MICE_OK;
        }
    }
    if (e->kind == EXPR_AGG_REF) {
        uint32_t col = g->n_group + (uint32_t)e->index + (e->op == 1 ? g->aggs.n : 0);
        sql_expr *c = expr_col(b->arena, (int32_t)col, e->type, e->name);
        if (!c) return bind__nomem(err);
        c->name = arena_sprintf(b->arena, "%s(...)", e->name);
        *ep = c;
        return MICE_OK;
    }
    if (e->kind == EXPR_COL)
        return bind__err(
            err, SQLSTATE_GROUPING_ERROR, e->loc,
            "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function",
            e->qual_name ? e->qual_name : e->name);
    for (uint32_t i = 0; i < e->n_args; i++) {
        mice_status rc = over_agg(b, g, &e->args[i], err);
        if (rc) return rc;
    }
    if (e->kind == EXPR_SUBQUERY && e->correlated)
        return bind__refs_over_group(b, e, g->group, g->n_group, err);
    return MICE_OK;
}

static mice_status over_agg_cb(bind_ctx *b, const void *g, sql_expr **ep, sql_error *err)
{
    return over_agg(b, g, ep, err);
}

/* One GROUP BY item: an output column position or name, or an expression. */
static mice_status bind_group_item(bind_ctx *b, bind_scope *s, const tlist *t, const ast_node *n,
                                   sql_expr **out, sql_error *err)
{
    if (n->kind == AST_CONST && n->u.konst.ck == AST_CONST_INT) {
        int32_t k = n->u.konst.ival;
        if (k < 1 || (uint32_t)k > t->n)
            return bind__err(err, "42P10", n->loc, "GROUP BY position %d is not in select list", k);
        *out = t->exprs[k - 1];
        return MICE_OK;
    }
    b->clause = "GROUP BY";
    mice_status rc = bind__expr(b, s, n, out, err);
    b->clause = NULL;
    if (rc == MICE_INVALID && n->kind == AST_COLUMN_REF && n->u.column_ref.names.n == 1) {
        for (uint32_t k = 0; k < t->n; k++)
            if (t->names[k] && !strcmp(t->names[k], n->u.column_ref.names.v[0])) {
                *out = t->exprs[k];
                sqlerr_clear(err);
                return MICE_OK;
            }
    }
    return rc;
}

enum { BIND_GROUPING_SETS_MAX = 4096, BIND_GROUP_EXPRS_MAX = 64 };

typedef struct gset_list {
    uint64_t *v;
    uint32_t n, cap;
} gset_list;

static mice_status gset_push(bind_ctx *b, gset_list *l, uint64_t m, int32_t loc, sql_error *err)
{
    if (l->n == BIND_GROUPING_SETS_MAX)
        return bind__err(err, "54001", loc, "too many grouping sets present (maximum 4096)");
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 8;
        uint64_t *v = ARENA_NEW_ARRAY(b->arena, uint64_t, cap);
        if (!v) return bind__nomem(err);
        if (l->n) memcpy(v, l->v, sizeof(uint64_t) * l->n);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = m;
    return MICE_OK;
}

/* The group[] bit of a leaf (bound, de-duplicated into g->group). */
static mice_status gset_leaf(bind_ctx *b, bind_scope *s, const tlist *t, agg_state *g,
                             const ast_node *n, uint64_t *mask, sql_error *err)
{
    if (n->kind == AST_ROW) { /* (a, b) inside ROLLUP/CUBE/SETS: one element */
        *mask = 0;
        for (uint32_t i = 0; i < n->u.row.args.n; i++) {
            uint64_t m;
            mice_status rc = gset_leaf(b, s, t, g, n->u.row.args.items[i], &m, err);
            if (rc) return rc;
            *mask |= m;
        }
        return MICE_OK;
    }
    sql_expr *e;
    mice_status rc = bind_group_item(b, s, t, n, &e, err);
    if (rc) return rc;
    for (uint32_t i = 0; i < g->n_group; i++)
        if (bind__expr_equal(g->group[i], e)) {
            *mask = 1ull << i;
            return MICE_OK;
        }
    if (g->n_group == BIND_GROUP_EXPRS_MAX)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "more than 64 distinct grouping expressions");
    g->group[g->n_group] = e;
    *mask = 1ull << g->n_group++;
    return MICE_OK;
}

/* The sets one GROUP BY item stands for (PostgreSQL's expand_grouping_sets). */
static mice_status gset_expand(bind_ctx *b, bind_scope *s, const tlist *t, agg_state *g,
                               const ast_node *n, gset_list *out, sql_error *err)
{
    mice_status rc;
    uint64_t m;
    if (n->kind != AST_GROUPING_SET) {
        if ((rc = gset_leaf(b, s, t, g, n, &m, err))) return rc;
        return gset_push(b, out, m, n->loc, err);
    }
    const ast_grouping_set *gs = &n->u.grouping_set;
    uint32_t k = gs->content.n;
    uint64_t el[BIND_GROUP_EXPRS_MAX];
    if (gs->gk != AST_GSET_SETS && k > BIND_GROUP_EXPRS_MAX)
        return bind__err(err, "54001", n->loc, "too many grouping sets present (maximum 4096)");
    switch (gs->gk) {
    case AST_GSET_EMPTY:
        return gset_push(b, out, 0, n->loc, err);
    case AST_GSET_SIMPLE:
        m = 0;
        for (uint32_t i = 0; i < k; i++) {
            if ((rc = gset_leaf(b, s, t, g, gs->content.items[i], &el[0], err))) return rc;
            m |= el[0];
        }
        return gset_push(b, out, m, n->loc, err);
    case AST_GSET_ROLLUP:
        for (uint32_t i = 0; i < k; i++)
            if ((rc = gset_leaf(b, s, t, g, gs->content.items[i], &el[i], err))) return rc;
        for (uint32_t len = k + 1; len-- > 0;) {
            m = 0;
            for (uint32_t i = 0; i < len; i++)
                m |= el[i];
            if ((rc = gset_push(b, out, m, n->loc, err))) return rc;
        }
        return MICE_OK;
    case AST_GSET_CUBE:
        if (k > 12) return bind__err(err, "54001", n->loc, "too many grouping sets present (maximum 4096)");
        for (uint32_t i = 0; i < k; i++)
            if ((rc = gset_leaf(b, s, t, g, gs->content.items[i], &el[i], err))) return rc;
        for (uint64_t sub = (1ull << k); sub-- > 0;) {
            m = 0;
            for (uint32_t i = 0; i < k; i++) /* element i present when its bit (from the left) */
                if (sub & (1ull << (k - 1 - i))) m |= el[i];
            if ((rc = gset_push(b, out, m, n->loc, err))) return rc;
        }
        return MICE_OK;
    case AST_GSET_SETS:
        for (uint32_t i = 0; i < k; i++) {
            const ast_node *c = gs->content.items[i];
            if (c->kind == AST_ROW) {
                if ((rc = gset_leaf(b, s, t, g, c, &m, err))) return rc;
                if ((rc = gset_push(b, out, m, c->loc, err))) return rc;
            } else if ((rc = gset_expand(b, s, t, g, c, out, err))) {
                return rc;
            }
        }
        return MICE_OK;
    }
    return MICE_OK;
}

/* GROUP BY with grouping sets (or GROUPING() calls): g->sets is the cross product of the
 * items' sets; GROUPING() arguments must be grouping expressions (42803). */
static mice_status bind_grouping_sets(bind_ctx *b, bind_scope *s, const ast_select *sel,
                                      const tlist *t, agg_state *g, sql_error *err)
{
    gset_list acc = {0};
    mice_status rc = gset_push(b, &acc, 0, -1, err);
    for (uint32_t i = 0; !rc && i < sel->group_by.n; i++) {
        gset_list item = {0}, next = {0};
        if ((rc = gset_expand(b, s, t, g, sel->group_by.items[i], &item, err))) break;
        for (uint32_t x = 0; !rc && x < acc.n; x++)
            for (uint32_t y = 0; !rc && y < item.n; y++)
                rc = gset_push(b, &next, acc.v[x] | item.v[y], sel->group_by.items[i]->loc, err);
        acc = next;
    }
    if (rc) return rc;
    if (sel->group_distinct) { /* GROUP BY DISTINCT: drop repeated sets */
        uint32_t k = 0;
        for (uint32_t i = 0; i < acc.n; i++) {
            bool dup = false;
            for (uint32_t j = 0; j < k && !dup; j++)
                dup = acc.v[j] == acc.v[i];
            if (!dup) acc.v[k++] = acc.v[i];
        }
        acc.n = k;
    }
    g->sets = acc.v;
    g->n_sets = acc.n;
    uint32_t nf = g->aggs.n_gfuncs;
    g->gf_args = ARENA_NEW_ARRAY(b->arena, uint32_t *, nf ? nf : 1);
    if (!g->gf_args) return bind__nomem(err);
    for (uint32_t f = 0; f < nf; f++) {
        const ast_list *args = &g->aggs.gfuncs[f]->u.grouping_func.args;
        if (!(g->gf_args[f] = ARENA_NEW_ARRAY(b->arena, uint32_t, args->n ? args->n : 1)))
            return bind__nomem(err);
        for (uint32_t a = 0; a < args->n; a++) {
            sql_expr *e;
            if ((rc = bind__expr(b, s, args->items[a], &e, err))) return rc;
            uint32_t i = 0;
            while (i < g->n_group && !bind__expr_equal(g->group[i], e))
                i++;
            if (i == g->n_group)
                return bind__err(err, SQLSTATE_GROUPING_ERROR, args->items[a]->loc,
                                 "arguments to GROUPING must be grouping expressions of the "
                                 "associated query level");
            g->gf_args[f][a] = i;
        }
    }
    return MICE_OK;
}

static mice_status bind_group(bind_ctx *b, bind_scope *s, const ast_select *sel, const tlist *t,
                              agg_state *g, sql_error *err)
{
    bool sets = g->aggs.n_gfuncs > 0;
    for (uint32_t i = 0; i < sel->group_by.n; i++)
        sets = sets || sel->group_by.items[i]->kind == AST_GROUPING_SET;
    g->n_group = sets ? 0 : sel->group_by.n;
    uint32_t cap = sets ? BIND_GROUP_EXPRS_MAX : g->n_group;
    g->group = ARENA_NEW_ARRAY(b->arena, sql_expr *, cap ? cap : 1);
    if (!g->group) return bind__nomem(err);
    bind_aggs *saved = s->aggs;
    s->aggs = NULL;
    mice_status rc = MICE_OK;
    if (sets)
        rc = bind_grouping_sets(b, s, sel, t, g, err);
    for (uint32_t i = 0; !sets && !rc && i < sel->group_by.n; i++)
        rc = bind_group_item(b, s, t, sel->group_by.items[i], &g->group[i], err);
    s->aggs = saved;
    return rc;
}

static mice_status agg_node(bind_ctx *b, plan_node *child, const agg_state *g, plan_node **out,
                            sql_error *err)
{
    plan_node *p = plan_new(b->arena, PLAN_AGG, g->n_group + g->aggs.n);
    if (!p) return bind__nomem(err);
    for (uint32_t i = 0; i < g->n_group; i++) {
        p->col_types[i] = g->group[i]->type;
        p->col_names[i] = g->group[i]->name;
    }
    for (uint32_t i = 0; i < g->aggs.n; i++) {
        p->col_types[g->n_group + i] = g->aggs.v[i].type;
        p->col_names[g->n_group + i] = g->aggs.v[i].name;
    }
    mice_status rc = check_equality(p->col_types, g->n_group, err);
    if (rc) return rc;
    p->child = child;
    p->n_group = g->n_group;
    p->group = g->group;
    p->n_aggs = g->aggs.n;
    p->aggs = g->aggs.v;
    p->est_rows = g->n_group ? child->est_rows / 10 + 1 : 1;
    p->cost_startup = child->cost_total;
    p->cost_total = child->cost_total + child->est_rows * 0.02;
    *out = p;
    return MICE_OK;
}

/* Grouping sets: one aggregation per set over the same input, each projected to every
 * grouping column (NULL where the set does not group by it), the aggregates and the
 * GROUPING() values of the set, appended. */
static mice_status gsets_node(bind_ctx *b, plan_node *child, const agg_state *g, plan_node **out,
                              sql_error *err)
{
    uint32_t na = g->aggs.n, nf = g->aggs.n_gfuncs, width = g->n_group + na + nf;
    plan_node **kids = ARENA_NEW_ARRAY(b->arena, plan_node *, g->n_sets);
    const char **names = ARENA_NEW_ARRAY(b->arena, const char *, width ? width : 1);
    if (!kids || !names) return bind__nomem(err);
    for (uint32_t i = 0; i < g->n_group; i++)
        names[i] = g->group[i]->name;
    for (uint32_t j = 0; j < na; j++)
        names[g->n_group + j] = g->aggs.v[j].name;
    for (uint32_t f = 0; f < nf; f++)
        names[g->n_group + na + f] = "grouping";
    for (uint32_t k = 0; k < g->n_sets; k++) {
        uint64_t m = g->sets[k];
        agg_state sub = {.aggs = g->aggs};
        sub.group = ARENA_NEW_ARRAY(b->arena, sql_expr *, g->n_group ? g->n_group : 1);
        sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, width ? width : 1);
        int32_t *pos = ARENA_NEW_ARRAY(b->arena, int32_t, g->n_group ? g->n_group : 1);
        if (!sub.group || !ex || !pos) return bind__nomem(err);
        for (uint32_t i = 0; i < g->n_group; i++) {
            pos[i] = (m >> i) & 1 ? (int32_t)sub.n_group : -1;
            if (pos[i] >= 0) sub.group[sub.n_group++] = g->group[i];
        }
        plan_node *a;
        mice_status rc = agg_node(b, child, &sub, &a, err);
        if (rc) return rc;
        for (uint32_t i = 0; i < g->n_group; i++)
            ex[i] = pos[i] >= 0 ? expr_col(b->arena, pos[i], g->group[i]->type, names[i])
                                : expr_const(b->arena, datum_null(g->group[i]->type.id),
                                             g->group[i]->type);
        for (uint32_t j = 0; j < na; j++)
            ex[g->n_group + j] = expr_col(b->arena, (int32_t)(sub.n_group + j),
                                          g->aggs.v[j].type, names[g->n_group + j]);
        for (uint32_t f = 0; f < nf; f++) {
            const ast_list *args = &g->aggs.gfuncs[f]->u.grouping_func.args;
            int32_t v = 0;
            for (uint32_t x = 0; x < args->n; x++)
                v = v << 1 | !((m >> g->gf_args[f][x]) & 1);
            ex[g->n_group + na + f] =
                expr_const(b->arena, datum_int4(v), sql_type_make(SQL_TYPE_INT4, -1));
        }
        for (uint32_t i = 0; i < width; i++)
            if (!ex[i]) return bind__nomem(err);
        if (!(kids[k] = project_node(b, a, ex, names, width))) return bind__nomem(err);
    }
    if (g->n_sets == 1) {
        *out = kids[0];
        return MICE_OK;
    }
    plan_node *p = same_cols(b, PLAN_APPEND, kids[0]);
    if (!p) return bind__nomem(err);
    p->child = NULL;
    p->n_children = g->n_sets;
    p->children = kids;
    p->est_rows = kids[0]->est_rows * g->n_sets;
    *out = p;
    return MICE_OK;
}

/* --- ORDER BY, LIMIT -------------------------------------------------------------------------- */

typedef struct sort_item {
    int32_t col;    /* tlist column, or -1: expr */
    sql_expr *expr; /* over the FROM scope (rewritten over the aggregate when grouping) */
    bool desc, nulls_first;
} sort_item;

/* ORDER BY items, or DISTINCT ON's expressions (what = "DISTINCT ON": plain expressions,
 * ascending). */
static mice_status bind_sort_items_of(bind_ctx *b, bind_scope *s, const ast_list *order,
                                      const tlist *t, sort_item *items, const char *what,
                                      sql_error *err)
{
    for (uint32_t i = 0; i < order->n; i++) {
        ast_sort_by plain = {.expr = order->items[i]};
        const ast_sort_by *sb =
            order->items[i]->kind == AST_SORT_BY ? &order->items[i]->u.sort_by : &plain;
        sort_item *it = &items[i];
        if (sb->dir == AST_SORT_USING)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, order->items[i]->loc,
                             "ORDER BY USING");
        it->desc = sb->dir == AST_SORT_DESC;
        it->nulls_first = sb->nulls == AST_NULLS_DEFAULT ? it->desc : sb->nulls == AST_NULLS_FIRST;
        it->col = -1;
        const ast_node *n = sb->expr;
        if (n->kind == AST_CONST && n->u.konst.ck == AST_CONST_INT) {
            int32_t k = n->u.konst.ival;
            if (k < 1 || (uint32_t)k > t->n)
                return bind__err(err, "42P10", n->loc, "%s position %d is not in select list",
                                 what, k);
            it->col = k - 1;
            continue;
        }
        if (n->kind == AST_COLUMN_REF && n->u.column_ref.names.n == 1 && !n->u.column_ref.star) {
            for (uint32_t k = 0; k < t->n && it->col < 0; k++)
                if (t->names[k] && !strcmp(t->names[k], n->u.column_ref.names.v[0]))
                    it->col = (int32_t)k;
            if (it->col >= 0) continue;
        }
        if (!s)
            return bind__err(err, SQLSTATE_UNDEFINED_COLUMN, n->loc,
                             "ORDER BY on a UNION/INTERSECT/EXCEPT "
                             "result must be on one of the result columns");
        mice_status rc = bind__expr(b, s, n, &it->expr, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status bind_sort_items(bind_ctx *b, bind_scope *s, const ast_list *order,
                                   const tlist *t, sort_item *items, sql_error *err)
{
    return bind_sort_items_of(b, s, order, t, items, "ORDER BY", err);
}

static mice_status sort_node(bind_ctx *b, plan_node **p, const sort_item *items, uint32_t n,
                             sql_error *err);

/* SELECT DISTINCT ON (don) ... ORDER BY items: the sort (the ORDER BY's leading DISTINCT ON
 * items, the other DISTINCT ON items, the rest of the ORDER BY) and a Unique on the DISTINCT
 * ON columns; 42P10 as PostgreSQL's transformDistinctOnClause when the ORDER BY does not
 * start with them. */
static mice_status distinct_on(bind_ctx *b, const ast_select *sel, plan_node **p,
                               const sort_item *items, uint32_t n_sort, const sort_item *don,
                               uint32_t n_don, sql_error *err)
{
    sort_item *keys = ARENA_NEW_ARRAY(b->arena, sort_item, n_sort + n_don + 1);
    if (!keys) return bind__nomem(err);
    uint32_t nk = 0, prefix = 0;
    bool skipped = false;
    for (uint32_t i = 0; i < n_sort; i++) {
        int32_t match = -1;
        for (uint32_t k = 0; k < n_don && match < 0; k++)
            if (don[k].col == items[i].col) match = (int32_t)k;
        if (match < 0) {
            skipped = true;
            continue;
        }
        if (skipped)
            return bind__err(err, "42P10", sel->distinct_on.items[match]->loc,
                             "SELECT DISTINCT ON expressions must match initial ORDER BY "
                             "expressions");
        keys[nk++] = items[i];
        prefix = i + 1;
    }
    for (uint32_t k = 0; k < n_don; k++) {
        bool in_order = false;
        for (uint32_t i = 0; i < n_sort && !in_order; i++)
            in_order = items[i].col == don[k].col;
        if (in_order) continue;
        if (skipped)
            return bind__err(err, "42P10", sel->distinct_on.items[k]->loc,
                             "SELECT DISTINCT ON expressions must match initial ORDER BY "
                             "expressions");
        bool dup = false;
        for (uint32_t i = 0; i < nk && !dup; i++)
            dup = keys[i].col == don[k].col;
        if (!dup) keys[nk++] = don[k];
    }
    for (uint32_t i = prefix; i < n_sort; i++)
        keys[nk++] = items[i];
    mice_status rc = sort_node(b, p, keys, nk, err);
    if (rc) return rc;
    plan_node *u = same_cols(b, PLAN_UNIQUE, *p);
    if (!u) return bind__nomem(err);
    u->key_cols = ARENA_NEW_ARRAY(b->arena, uint32_t, n_don);
    if (!u->key_cols) return bind__nomem(err);
    for (uint32_t k = 0; k < n_don; k++)
        u->key_cols[u->n_keys++] = (uint32_t)don[k].col;
    *p = u;
    return MICE_OK;
}

static mice_status bind_limit_expr(bind_ctx *b, const ast_node *n, sql_expr **out, sql_error *err)
{
    if (!n) {
        *out = NULL;
        return MICE_OK;
    }
    bind_scope empty = {0};
    mice_status rc = bind__expr(b, &empty, n, out, err);
    if (!rc && (*out)->kind == EXPR_CONST && (*out)->value.is_null) {
        *out = NULL;
        return MICE_OK;
    }
    if (!rc)
        rc = bind__coerce(b, out, sql_type_make(SQL_TYPE_INT8, -1), SQL_CAST_IMPLICIT, NULL, err);
    return rc;
}

static plan_node *project_node(bind_ctx *b, plan_node *child, sql_expr **exprs, const char **names,
                               uint32_t n)
{
    plan_node *p = plan_new(b->arena, PLAN_PROJECT, n);
    if (!p) return NULL;
    for (uint32_t i = 0; i < n; i++) {
        p->col_names[i] = names[i];
        p->col_types[i] = exprs[i]->type;
    }
    p->exprs = exprs;
    p->child = child;
    p->est_rows = child->est_rows;
    p->cost_startup = child->cost_startup;
    p->cost_total = child->cost_total;
    return p;
}

static plan_node *same_cols(bind_ctx *b, plan_kind k, plan_node *child)
{
    plan_node *p = plan_new(b->arena, k, child->n_cols);
    if (!p) return NULL;
    memcpy(p->col_names, child->col_names, sizeof(char *) * child->n_cols);
    memcpy(p->col_types, child->col_types, sizeof(sql_type) * child->n_cols);
    p->child = child;
    p->est_rows = child->est_rows;
    p->cost_startup = child->cost_total;
    p->cost_total = child->cost_total + child->est_rows * 0.01;
    return p;
}

static mice_status sort_node(bind_ctx *b, plan_node **p, const sort_item *items, uint32_t n,
                             sql_error *err)
{
    plan_node *s = same_cols(b, PLAN_SORT, *p);
    if (!s) return bind__nomem(err);
    s->n_keys = n;
    s->key_cols = ARENA_NEW_ARRAY(b->arena, uint32_t, n);
    s->key_desc = ARENA_NEW_ARRAY(b->arena, bool, n);
    s->key_nulls_first = ARENA_NEW_ARRAY(b->arena, bool, n);
    if (!s->key_cols || !s->key_desc || !s->key_nulls_first) return bind__nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        sql_type kt = (*p)->col_types[items[i].col];
        if (bind__no_opclass(kt.id)) {
            char tn[SQL_TYPE_NAME_MAX];
            sql_type_format(kt, tn, sizeof tn);
            bind__err(err, SQLSTATE_UNDEFINED_FUNCTION, -1,
                      "could not identify an ordering operator for type %s", tn);
            sqlerr_hint(err, "Use an explicit ordering operator or modify the query.");
            return MICE_INVALID;
        }
        s->key_cols[i] = (uint32_t)items[i].col;
        s->key_desc[i] = items[i].desc;
        s->key_nulls_first[i] = items[i].nulls_first;
    }
    s->cost_total += (*p)->est_rows * 0.1;
    *p = s;
    return MICE_OK;
}

static mice_status limit_node(bind_ctx *b, const ast_select *sel, plan_node **p, sql_error *err)
{
    sql_expr *lim, *off;
    mice_status rc = bind_limit_expr(b, sel->limit, &lim, err);
    if (!rc) rc = bind_limit_expr(b, sel->offset, &off, err);
    if (rc) return rc;
    if (!lim && !off) return MICE_OK;
    if (sel->limit_kind == AST_LIMIT_WITH_TIES)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, sel->limit->loc,
                         "WITH TIES is not supported");
    plan_node *l = same_cols(b, PLAN_LIMIT, *p);
    if (!l) return bind__nomem(err);
    l->limit = lim;
    l->offset = off;
    if (lim && lim->kind == EXPR_CONST && lim->value.v.i < l->est_rows)
        l->est_rows = (double)lim->value.v.i;
    *p = l;
    return MICE_OK;
}

/* An ORDER BY on plain NOT NULL (or nulls-compatible) columns of a single scan that an
 * index delivers: use the index and drop the sort. */
static bool order_by_index(plan_node *scan, const tlist *t, const sort_item *items, uint32_t n)
{
    if (scan->kind != PLAN_SCAN || n == 0 || (scan->n_spans > 1)) return false;
    bool desc = items[0].desc;
    uint32_t cols[16];
    for (uint32_t i = 0; i < n; i++) {
        if (i >= 16 || items[i].col < 0 || items[i].desc != desc) return false;
        const sql_expr *e = t->exprs[items[i].col];
        if (e->kind != EXPR_COL) return false;
        const catalog_column *c = &scan->table->columns[e->index];
        if (!c->not_null && items[i].nulls_first != !desc) return false;
        cols[i] = c->id;
    }
    for (uint32_t pos = 0; pos < scan->table->n_indexes; pos++) {
        if (!scan->full_scan && pos != scan->index_pos) continue;
        const catalog_index *ix = &scan->table->indexes[pos];
        if (ix->predicate) continue;
        uint32_t skip = scan->full_scan ? 0 : scan->spans[0].n_eq;
        if (skip + n > ix->n_cols) continue;
        bool ok = true;
        for (uint32_t i = 0; i < n && ok; i++)
            ok = ix->col_ids[skip + i] == cols[i] && ix->dirs[skip + i] == KEYENC_ASC;
        if (!ok) continue;
        if (scan->full_scan) {
            scan->full_scan = false;
            scan->index_pos = pos;
            scan->n_spans = 0; /* whole index */
        }
        scan->reverse = desc;
        return true;
    }
    return false;
}

/* --- SELECT ---------------------------------------------------------------------------------- */

static mice_status finish_sort_items(bind_ctx *b, const agg_state *g, bool grouping, tlist *t,
                                     sort_item *items, uint32_t n, bool distinct,
                                     uint32_t *n_visible, sql_error *err)
{
    *n_visible = t->n;
    for (uint32_t i = 0; i < n; i++) {
        sort_item *it = &items[i];
        if (it->col >= 0) continue;
        if (grouping) {
            mice_status rc = over_agg(b, g, &it->expr, err);
            if (rc) return rc;
        }
        for (uint32_t k = 0; k < t->n && it->col < 0; k++)
            if (bind__expr_equal(it->expr, t->exprs[k])) it->col = (int32_t)k;
        if (it->col >= 0) continue;
        if (distinct)
            return bind__err(
                err, "42P10", it->expr->loc,
                "for SELECT DISTINCT, ORDER BY expressions must appear in select list");
        it->col = (int32_t)t->n;
        if (!tlist_push(b, t, it->expr, NULL)) return bind__nomem(err);
    }
    return MICE_OK;
}

/* Set-returning select-list items (PostgreSQL's ProjectSet). One item whose arguments do
 * not use the FROM items is a Function Scan cross-joined to the (single) FROM item; otherwise
 * the items become a ProjectSet over the FROM plan (after WHERE), their rows side by side.
 * Either way each item is bound as a hidden column of the scope. */
typedef struct srf_set {
    uint32_t n;
    const ast_node *nodes[BIND_SRF_MAX];
    int32_t cols[BIND_SRF_MAX];
    sql_type types[BIND_SRF_MAX];
    plan_srf items[BIND_SRF_MAX];
    bool project_set; /* wrap the FROM plan in a ProjectSet (project_set_node) */
} srf_set;

static mice_status srf_scan_target(bind_ctx *b, bind_scope *s, const ast_select *sel,
                                   plan_node **p, srf_set *set, sql_error *err)
{
    const ast_node *call = set->nodes[0];
    plan_node *fs;
    mice_status rc = bind__srf_scan(b, s, call, &fs, err);
    if (rc) return rc;
    static const bool hidden[1] = {true};
    set->cols[0] = (int32_t)s->n_cols;
    set->types[0] = fs->col_types[0];
    if (bind__scope_add(b, s, NULL, NULL, 1, fs->col_names, fs->col_types, hidden))
        return bind__nomem(err);
    *p = sel->from.n ? join_node(b, *p, fs, PLAN_JOIN_INNER) : fs;
    return *p ? MICE_OK : bind__nomem(err);
}

/* Drop the columns ORDER BY / DISTINCT ON added after the select list's n_visible. */
static mice_status strip_hidden(bind_ctx *b, plan_node **p, const tlist *t, uint32_t n_visible,
                                sql_error *err)
{
    sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, n_visible ? n_visible : 1);
    if (!ex) return bind__nomem(err);
    for (uint32_t i = 0; i < n_visible; i++)
        if (!(ex[i] = expr_col(b->arena, (int32_t)i, t->exprs[i]->type, t->names[i])))
            return bind__nomem(err);
    return (*p = project_node(b, *p, ex, t->names, n_visible)) ? MICE_OK : bind__nomem(err);
}

static mice_status srf_target(bind_ctx *b, bind_scope *s, const ast_select *sel, plan_node **p,
                              srf_set *set, sql_error *err)
{
    for (uint32_t i = 0; i < sel->targets.n; i++) {
        const ast_node *v = sel->targets.items[i]->u.res_target.val;
        if (!bind__is_srf(v)) continue;
        if (set->n == BIND_SRF_MAX)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, v->loc,
                             "more than %d set-returning functions in the select list are not "
                             "supported", BIND_SRF_MAX);
        set->nodes[set->n++] = v;
    }
    if (!set->n) return MICE_OK;
    if (sel->group_by.n || sel->having)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, set->nodes[0]->loc,
                         "a set-returning function in the select list is not supported with "
                         "GROUP BY or HAVING");
    if (set->n == 1 && sel->from.n <= 1) {
        uint32_t n_cols = s->n_cols;
        bool has_outer = s->has_outer;
        mice_status rc = srf_scan_target(b, s, sel, p, set, err);
        bool uses_from = rc && (!strcmp(err->sqlstate, SQLSTATE_UNDEFINED_COLUMN) ||
                                !strcmp(err->sqlstate, "42P01") ||
                                !strcmp(err->sqlstate, SQLSTATE_FEATURE_NOT_SUPPORTED));
        if (!uses_from) return rc;
        sqlerr_clear(err);
        s->n_cols = n_cols;
        s->has_outer = has_outer;
    }
    set->project_set = true;
    static const bool hidden[1] = {true};
    for (uint32_t i = 0; i < set->n; i++) {
        mice_status rc = bind__srf_item(b, s, set->nodes[i], &set->items[i], &set->types[i], err);
        if (rc) return rc;
    }
    for (uint32_t i = 0; i < set->n; i++) {
        const ast_names *nm = &set->nodes[i]->u.func.name;
        const char *name = nm->v[nm->n - 1];
        set->cols[i] = (int32_t)s->n_cols;
        if (bind__scope_add(b, s, NULL, NULL, 1, &name, &set->types[i], hidden))
            return bind__nomem(err);
    }
    return MICE_OK;
}

/* The ProjectSet over p (the FROM plan after WHERE) whose columns the scope gave the items. */
static mice_status project_set_node(bind_ctx *b, const srf_set *set, plan_node **p, sql_error *err)
{
    plan_node *c = *p;
    if (set->cols[0] != (int32_t)c->n_cols)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, set->nodes[0]->loc,
                         "set-returning functions over this FROM clause are not supported");
    plan_node *ps = plan_new(b->arena, PLAN_PROJECT_SET, c->n_cols + set->n);
    plan_srf *items = ARENA_NEW_ARRAY(b->arena, plan_srf, set->n);
    if (!ps || !items) return bind__nomem(err);
    memcpy(ps->col_names, c->col_names, sizeof(char *) * c->n_cols);
    memcpy(ps->col_types, c->col_types, sizeof(sql_type) * c->n_cols);
    for (uint32_t i = 0; i < set->n; i++) {
        const ast_names *nm = &set->nodes[i]->u.func.name;
        ps->col_names[c->n_cols + i] = nm->v[nm->n - 1];
        ps->col_types[c->n_cols + i] = set->types[i];
        items[i] = set->items[i];
    }
    ps->child = c;
    ps->n_srfs = set->n;
    ps->srfs = items;
    ps->est_rows = c->est_rows * 10;
    ps->cost_total = c->cost_total + c->est_rows;
    *p = ps;
    return MICE_OK;
}

/* The select list, srf's items bound as the scope's columns (the enclosing SELECT's
 * set-returning items are restored after). */
static mice_status bind_srf_targets(bind_ctx *b, bind_scope *s, const ast_list *targets,
                                    const srf_set *srf, tlist *t, sql_error *err)
{
    uint32_t outer_n_srf = b->n_srf;
    const ast_node *outer_nodes[BIND_SRF_MAX];
    int32_t outer_cols[BIND_SRF_MAX];
    sql_type outer_types[BIND_SRF_MAX];
    memcpy(outer_nodes, b->srf_nodes, sizeof outer_nodes);
    memcpy(outer_cols, b->srf_cols, sizeof outer_cols);
    memcpy(outer_types, b->srf_types, sizeof outer_types);
    b->n_srf = srf->n;
    memcpy(b->srf_nodes, srf->nodes, sizeof srf->nodes);
    memcpy(b->srf_cols, srf->cols, sizeof srf->cols);
    memcpy(b->srf_types, srf->types, sizeof srf->types);
    mice_status rc = bind_targets(b, s, targets, t, err);
    b->n_srf = outer_n_srf;
    memcpy(b->srf_nodes, outer_nodes, sizeof outer_nodes);
    memcpy(b->srf_cols, outer_cols, sizeof outer_cols);
    memcpy(b->srf_types, outer_types, sizeof outer_types);
    return rc;
}

static mice_status bind_simple_select(bind_ctx *b, bind_scope *s, const ast_select *sel,
                                      plan_node **out, sql_error *err)
{
    if (sel->into || sel->locking.n)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, -1,
                         "INTO and FOR UPDATE are not supported yet");
    uint32_t n_don = sel->distinct_on.n;
    bool distinct = sel->distinct && !n_don; /* plain DISTINCT */
    plan_node *p;
    mice_status rc = bind_from(b, s, &sel->from, &p, err);
    if (!rc && sel->windows.n) rc = bind__window_defs(b, &sel->windows, err);
    srf_set srf = {0};
    if (!rc) rc = srf_target(b, s, sel, &p, &srf, err);
    if (rc) return rc;
    bool no_rows = false;
    if (sel->where) {
        sql_expr *w;
        b->clause = "WHERE";
        rc = bind__cond(b, s, sel->where, "WHERE", &w, err);
        b->clause = NULL;
        if (!rc) rc = bind__canon_qual(b, &w, err);
        if (rc) return rc;
        no_rows = bind__where_false(w);
        if (!no_rows && (rc = bind__push_filter(b, &p, w, err))) return rc;
    }
    agg_state g = {0};
    s->aggs = &g.aggs;
    tlist t = {0};
    sql_expr *having = NULL;
    uint32_t n_sort = sel->order_by.n;
    sort_item *items = ARENA_NEW_ARRAY(b->arena, sort_item, n_sort ? n_sort : 1);
    if (!items) return bind__nomem(err);
    bind_wins wins = {.defs = &sel->windows};
    s->wins = &wins;
    rc = bind_srf_targets(b, s, &sel->targets, &srf, &t, err);
    s->wins = NULL;
    if (!rc && srf.n && g.aggs.n)
        rc = bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, srf.nodes[0]->loc,
                       "a set-returning function next to aggregates is not supported");
    if (!rc && srf.n && wins.n_f)
        rc = bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, srf.nodes[0]->loc,
                       "a set-returning function next to window functions is not supported");
    if (!rc && sel->having) {
        b->clause = "HAVING";
        rc = bind__cond(b, s, sel->having, "HAVING", &having, err);
        b->clause = NULL;
    }
    if (!rc && having) rc = bind__canon_qual(b, &having, err);
    s->wins = &wins;
    if (!rc) rc = bind_sort_items(b, s, &sel->order_by, &t, items, err);
    sort_item *don = ARENA_NEW_ARRAY(b->arena, sort_item, n_don ? n_don : 1);
    if (!don) return bind__nomem(err);
    if (!rc && n_don)
        rc = bind_sort_items_of(b, s, &sel->distinct_on, &t, don, "DISTINCT ON", err);
    s->wins = NULL;
    if (rc) return rc;
    /* the FROM plan is complete once HAVING has given what belongs to WHERE */
    sql_expr *moved;
    bool had_having = having != NULL;
    if ((rc = bind__having_to_where(b, &having, sel->group_by.n > 0, &moved, err))) return rc;
    no_rows = no_rows || bind__where_false(moved);
    if (!no_rows && moved && (rc = bind__push_filter(b, &p, moved, err))) return rc;
    if (no_rows && (rc = bind__empty_input(b, &p, err))) return rc;
    if ((rc = bind__order_joins(b, &p, err))) return rc;
    bind__choose_indexes(b, p);
    if (srf.project_set && (rc = project_set_node(b, &srf, &p, err))) return rc;
    bool grouping = g.aggs.n || g.aggs.n_gfuncs || sel->group_by.n || had_having;
    if (grouping) {
        rc = bind_group(b, s, sel, &t, &g, err);
        for (uint32_t i = 0; !rc && i < t.n; i++)
            rc = over_agg(b, &g, &t.exprs[i], err);
        if (!rc && having) rc = over_agg(b, &g, &having, err);
        if (!rc) rc = g.n_sets ? gsets_node(b, p, &g, &p, err) : agg_node(b, p, &g, &p, err);
        if (!rc && having) rc = bind__push_filter(b, &p, having, err);
        if (rc) return rc;
    }
    s->aggs = NULL;
    for (uint32_t i = 0; i < t.n; i++)
        if (t.exprs[i]->type.id == SQL_TYPE_UNKNOWN &&
            (rc = bind__coerce(b, &t.exprs[i], sql_type_make(SQL_TYPE_TEXT, -1), SQL_CAST_IMPLICIT,
                               NULL, err)))
            return rc;
    uint32_t n_visible;
    rc = finish_sort_items(b, &g, grouping, &t, items, n_sort, distinct, &n_visible, err);
    uint32_t n_visible_don;
    if (!rc && n_don)
        rc = finish_sort_items(b, &g, grouping, &t, don, n_don, false, &n_visible_don, err);
    if (!rc && wins.n_f)
        rc = bind__window_nodes(b, &wins, grouping ? over_agg_cb : NULL, &g, &p, t.exprs, t.n, err);
    if (rc) return rc;
    bool sorted = !grouping && !sel->distinct && order_by_index(p, &t, items, n_sort);
    plan_node *scan = p;
    p = project_node(b, p, t.exprs, t.names, t.n);
    if (!p) return bind__nomem(err);
    if (distinct && (rc = check_equality(p->col_types, p->n_cols, err))) return rc;
    if (distinct && !(p = same_cols(b, PLAN_DISTINCT, p))) return bind__nomem(err);
    if (n_don && (rc = distinct_on(b, sel, &p, items, n_sort, don, n_don, err))) return rc;
    if (!n_don && n_sort && !sorted && (rc = sort_node(b, &p, items, n_sort, err))) return rc;
    if ((rc = limit_node(b, sel, &p, err))) return rc;
    if (p->kind == PLAN_LIMIT && p->limit && p->limit->kind == EXPR_CONST &&
        scan->kind == PLAN_SCAN && !scan->filter && !sel->distinct && (sorted || !n_sort)) {
        int64_t off = p->offset && p->offset->kind == EXPR_CONST ? p->offset->value.v.i : 0;
        scan->limit_hint = (uint64_t)(p->limit->value.v.i + off);
    }
    if (n_visible < t.n && (rc = strip_hidden(b, &p, &t, n_visible, err))) return rc;
    bind__order_quals(b, p);
    *out = p;
    return MICE_OK;
}

static mice_status bind_values(bind_ctx *b, bind_scope *s, const ast_select *sel, plan_node **out,
                               sql_error *err)
{
    uint32_t nr = sel->values.n, nc = sel->values.items[0]->u.expr_list.args.n;
    plan_node *p = plan_new(b->arena, PLAN_VALUES, nc);
    if (!p) return bind__nomem(err);
    p->n_rows = nr;
    p->est_rows = nr;
    p->rows = ARENA_NEW_ARRAY(b->arena, sql_expr **, nr);
    sql_expr **col = ARENA_NEW_ARRAY(b->arena, sql_expr *, nr);
    if (!p->rows || !col) return bind__nomem(err);
    for (uint32_t r = 0; r < nr; r++) {
        const ast_list *l = &sel->values.items[r]->u.expr_list.args;
        if (l->n != nc)
            return bind__err(err, SQLSTATE_SYNTAX_ERROR, sel->values.items[r]->loc,
                             "VALUES lists must all be the same length");
        p->rows[r] = ARENA_NEW_ARRAY(b->arena, sql_expr *, nc ? nc : 1);
        if (!p->rows[r]) return bind__nomem(err);
        for (uint32_t c = 0; c < nc; c++) {
            if (l->items[c]->kind == AST_SET_TO_DEFAULT) {
                p->rows[r][c] = NULL; /* INSERT fills in the column default */
                continue;
            }
            const char *clause = b->clause;
            b->clause = "VALUES"; /* where aggregates and window functions are refused */
            mice_status rc = bind__expr(b, s, l->items[c], &p->rows[r][c], err);
            b->clause = clause;
            if (rc) return rc;
        }
    }
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t k = 0;
        for (uint32_t r = 0; r < nr; r++)
            if (p->rows[r][c]) col[k++] = p->rows[r][c];
        sql_type t = sql_type_make(SQL_TYPE_TEXT, -1);
        mice_status rc = k ? bind__common_type(b, col, k, "VALUES", &t, err) : MICE_OK;
        if (rc) return rc;
        bool keep_unknown = b->n_params == UINT32_MAX; /* never */
        (void)keep_unknown;
        for (uint32_t r = 0; r < nr; r++)
            if (p->rows[r][c] &&
                (rc = bind__coerce(b, &p->rows[r][c], t, SQL_CAST_IMPLICIT, NULL, err)))
                return rc;
        p->col_types[c] = t;
        p->col_names[c] = arena_sprintf(b->arena, "column%u", c + 1);
    }
    *out = p;
    return MICE_OK;
}

static mice_status setop_tail(bind_ctx *b, const ast_select *sel, plan_node *p, plan_node **out,
                              sql_error *err)
{
    mice_status rc;
    if (sel->order_by.n) {
        tlist t = {.exprs = NULL, .names = p->col_names, .n = p->n_cols};
        sort_item *items = ARENA_NEW_ARRAY(b->arena, sort_item, sel->order_by.n);
        if (!items) return bind__nomem(err);
        rc = bind_sort_items(b, NULL, &sel->order_by, &t, items, err);
        if (!rc) rc = sort_node(b, &p, items, sel->order_by.n, err);
        if (rc) return rc;
    }
    rc = limit_node(b, sel, &p, err);
    *out = p;
    return rc;
}

/* Give both inputs of a set operation the common type of each column. */
static mice_status setop_coerce(bind_ctx *b, const char *what, plan_node **kids, sql_error *err)
{
    for (uint32_t c = 0; c < kids[0]->n_cols; c++) {
        sql_expr a = {.kind = EXPR_COL, .type = kids[0]->col_types[c], .loc = -1};
        sql_expr d = {.kind = EXPR_COL, .type = kids[1]->col_types[c], .loc = -1};
        sql_expr *v[2] = {&a, &d};
        sql_type t;
        mice_status rc = bind__common_type(b, v, 2, what, &t, err);
        if (rc) return rc;
        for (int k = 0; k < 2; k++) {
            if (kids[k]->col_types[c].id == t.id) continue;
            plan_node *in = kids[k];
            sql_expr **ex = ARENA_NEW_ARRAY(b->arena, sql_expr *, in->n_cols);
            if (!ex) return bind__nomem(err);
            for (uint32_t i = 0; i < in->n_cols; i++)
                if (!(ex[i] = expr_col(b->arena, (int32_t)i, in->col_types[i], in->col_names[i])))
                    return bind__nomem(err);
            if ((rc = bind__coerce(b, &ex[c], t, SQL_CAST_IMPLICIT, NULL, err))) return rc;
            if (!(kids[k] = project_node(b, in, ex, in->col_names, in->n_cols)))
                return bind__nomem(err);
        }
    }
    return MICE_OK;
}

static mice_status bind_setop(bind_ctx *b, bind_scope *outer, const ast_select *sel,
                              plan_node **out, bool *corr, sql_error *err)
{
    const char *what = sel->set_op == AST_SETOP_UNION       ? "UNION"
                       : sel->set_op == AST_SETOP_INTERSECT ? "INTERSECT"
                                                            : "EXCEPT";
    plan_node *kids[2];
    b->sel_depth--; /* the branches are at the set operation's level (WITH RECURSIVE) */
    mice_status rc = bind__select(b, outer, sel->larg, &kids[0], corr, err);
    if (!rc) rc = bind__select(b, outer, sel->rarg, &kids[1], corr, err);
    b->sel_depth++;
    if (rc) return rc;
    const ast_select *rs = &sel->rarg->u.select;
    int32_t loc = rs->targets.n ? rs->targets.items[0]->u.res_target.val->loc : sel->rarg->loc;
    if (kids[0]->n_cols != kids[1]->n_cols)
        return bind__err(err, SQLSTATE_SYNTAX_ERROR, loc,
                         "each %s query must have the same number of columns", what);
    if ((rc = setop_coerce(b, what, kids, err))) return rc;
    plan_node *p = same_cols(b, sel->set_op == AST_SETOP_UNION ? PLAN_APPEND : PLAN_SETOP, kids[0]);
    if (!p) return bind__nomem(err);
    if (p->kind == PLAN_SETOP) {
        p->right = kids[1];
        p->setop_except = sel->set_op == AST_SETOP_EXCEPT;
        p->setop_all = sel->all;
        return setop_tail(b, sel, p, out, err);
    }
    p->child = NULL;
    p->n_children = 2;
    p->children = ARENA_NEW_ARRAY(b->arena, plan_node *, 2);
    if (!p->children) return bind__nomem(err);
    p->children[0] = kids[0];
    p->children[1] = kids[1];
    p->est_rows = kids[0]->est_rows + kids[1]->est_rows;
    if (!sel->all && (rc = check_equality(p->col_types, p->n_cols, err))) return rc;
    if (!sel->all && !(p = same_cols(b, PLAN_DISTINCT, p))) return bind__nomem(err);
    return setop_tail(b, sel, p, out, err);
}

static mice_status bind_select_any(bind_ctx *b, bind_scope *outer, const ast_node *n,
                                   plan_node **out, bool *corr, sql_error *err);

/* A subquery's expressions are complete expressions of their own (bind__expr). */
mice_status bind__select(bind_ctx *b, bind_scope *outer, const ast_node *n, plan_node **out,
                         bool *corr, sql_error *err)
{
    uint32_t depth = b->expr_depth;
    b->expr_depth = 0;
    b->sel_depth++;
    mice_status rc = bind_select_any(b, outer, n, out, corr, err);
    b->sel_depth--;
    b->expr_depth = depth;
    return rc;
}

static mice_status bind_select_any(bind_ctx *b, bind_scope *outer, const ast_node *n,
                                   plan_node **out, bool *corr, sql_error *err)
{
    if (n->kind != AST_SELECT)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc, "%s is not supported here",
                         ast_kind_name(n->kind));
    const ast_select *sel = &n->u.select;
    if (sel->with) {
        const ast_with *w = &sel->with->u.with;
        if (b->n_ctes == 8)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, sel->with->loc,
                             "WITH nested too deep");
        b->ctes_recursive[b->n_ctes] = w->recursive;
        b->ctes[b->n_ctes++] = &w->ctes;
        ast_node copy;
        ast_node_copy(&copy, n);
        copy.u.select.with = NULL;
        mice_status rc = bind__select(b, outer, &copy, out, corr, err);
        b->n_ctes--;
        return rc;
    }
    if (sel->set_op != AST_SETOP_NONE) return bind_setop(b, outer, sel, out, corr, err);
    bind_scope s = {.parent = outer};
    mice_status rc;
    if (sel->values.n) {
        rc = bind_values(b, &s, sel, out, err);
        if (!rc && (sel->order_by.n || sel->limit || sel->offset)) {
            tlist t = {.names = (*out)->col_names, .n = (*out)->n_cols};
            sort_item *items = ARENA_NEW_ARRAY(b->arena, sort_item, sel->order_by.n + 1);
            if (!items) return bind__nomem(err);
            rc = bind_sort_items(b, NULL, &sel->order_by, &t, items, err);
            if (!rc && sel->order_by.n) rc = sort_node(b, out, items, sel->order_by.n, err);
            if (!rc) rc = limit_node(b, sel, out, err);
        }
    } else {
        rc = bind_simple_select(b, &s, sel, out, err);
    }
    if (corr && s.has_outer) *corr = true;
    return rc;
}

mice_status bind_statement(bind_ctx *b, const ast_node *stmt, plan_node **out, sql_error *err)
{
    mice_status rc;
    if (stmt->kind == AST_SELECT) {
        bool corr = false;
        rc = bind__select(b, NULL, stmt, out, &corr, err);
    } else if (stmt->kind == AST_INSERT || stmt->kind == AST_UPDATE || stmt->kind == AST_DELETE) {
        rc = bind__dml(b, stmt, out, err);
    } else {
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, stmt->loc, "%s is not supported",
                         ast_kind_name(stmt->kind));
    }
    if (rc) return rc;
    for (uint32_t i = 0; i < b->n_params; i++)
        if (b->param_types[i].id == SQL_TYPE_INVALID || b->param_types[i].id == SQL_TYPE_UNKNOWN)
            b->param_types[i] = sql_type_make(SQL_TYPE_TEXT, -1);
    return MICE_OK;
}
