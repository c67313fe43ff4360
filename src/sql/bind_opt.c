/* bind_opt.c - the rule-based optimizations: predicate push-down, hash join keys and
 * index selection (key spans, ORDER BY by index) (see bind.h). */
#include <string.h>

#include "sql/bind_int.h"

void bind__split_conjuncts(sql_expr *e, sql_expr **v, uint32_t *n, uint32_t cap)
{
    if (e->kind == EXPR_AND) {
        for (uint32_t i = 0; i < e->n_args; i++)
            bind__split_conjuncts(e->args[i], v, n, cap);
    } else if (*n < cap) {
        v[(*n)++] = e;
    }
}

sql_expr *bind__and(bind_ctx *b, sql_expr *a, sql_expr *c)
{
    if (!a) return c;
    sql_expr *e = expr_new(b->arena, EXPR_AND, sql_type_make(SQL_TYPE_BOOL, -1), 2);
    if (!e) return NULL;
    e->args[0] = a;
    e->args[1] = c;
    return e;
}

static void col_range(const sql_expr *e, uint32_t n_cols, bool *any, uint32_t *lo, uint32_t *hi)
{
    uint8_t used[n_cols ? n_cols : 1];
    memset(used, 0, sizeof used);
    bind__refs_used(e, used, n_cols);
    *any = false;
    for (uint32_t c = 0; c < n_cols; c++) {
        if (!used[c]) continue;
        if (!*any) *lo = c;
        *hi = c;
        *any = true;
    }
}

static mice_status push_one(bind_ctx *b, plan_node **pp, sql_expr *e, sql_error *err)
{
    plan_node *p = *pp;
    if (p->kind == PLAN_SCAN || p->kind == PLAN_FILTER || p->kind == PLAN_VTSCAN) {
        p->filter = bind__and(b, p->filter, e);
        return p->filter ? MICE_OK : bind__nomem(err);
    }
    if (p->kind == PLAN_JOIN) {
        bool any;
        uint32_t lo = 0, hi = 0, ln = p->child->n_cols;
        col_range(e, p->n_cols, &any, &lo, &hi);
        if (any && hi < ln) return push_one(b, &p->child, e, err);
        if (any && lo >= ln && p->join_type == PLAN_JOIN_INNER) {
            mice_status rc = bind__refs_shift(b, e, -(int32_t)ln, err);
            return rc ? rc : push_one(b, &p->right, e, err);
        }
        if (p->join_type == PLAN_JOIN_INNER) {
            p->filter = bind__and(b, p->filter, e);
            return p->filter ? MICE_OK : bind__nomem(err);
        }
    }
    plan_node *f = plan_new(b->arena, PLAN_FILTER, p->n_cols);
    if (!f) return bind__nomem(err);
    memcpy(f->col_names, p->col_names, sizeof(char *) * p->n_cols);
    memcpy(f->col_types, p->col_types, sizeof(sql_type) * p->n_cols);
    f->child = p;
    f->filter = e;
    f->est_rows = p->est_rows / 3;
    f->cost_total = p->cost_total + p->est_rows * 0.01;
    *pp = f;
    return MICE_OK;
}

mice_status bind__push_filter(bind_ctx *b, plan_node **p, sql_expr *cond, sql_error *err)
{
    sql_expr *v[256];
    uint32_t n = 0;
    bind__split_conjuncts(cond, v, &n, 256);
    for (uint32_t i = 0; i < n; i++) {
        if (v[i]->kind == EXPR_CONST && !v[i]->value.is_null && v[i]->value.v.b) continue;
        mice_status rc = push_one(b, p, v[i], err);
        if (rc) return rc;
    }
    return MICE_OK;
}

/* --- hash joins ---------------------------------------------------------------------------- */

bool bind__hashable_pair(sql_type_id a, sql_type_id c)
{
    if (a == c) return true;
    if (sql_type_is_integer(a) && sql_type_is_integer(c)) return true;
    return sql_type_is_string(a) && sql_type_is_string(c) && a != SQL_TYPE_BPCHAR &&
           c != SQL_TYPE_BPCHAR;
}

static bool has_subquery(const sql_expr *e)
{
    if (e->kind == EXPR_SUBQUERY) return true;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (has_subquery(e->args[i])) return true;
    return false;
}

/* Shifting a key without subqueries cannot fail (bind_refs.c allocates only inside plans). */
static void choose_hash_keys(bind_ctx *b, plan_node *j)
{
    if (!j->filter) return;
    sql_expr *v[256];
    uint32_t n = 0, ln = j->child->n_cols;
    bind__split_conjuncts(j->filter, v, &n, 256);
    sql_expr **lk = ARENA_NEW_ARRAY(b->arena, sql_expr *, n);
    sql_expr **rk = ARENA_NEW_ARRAY(b->arena, sql_expr *, n);
    if (!lk || !rk) return;
    sql_expr *rest = NULL;
    uint32_t nk = 0;
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *e = v[i];
        if (e->kind == EXPR_CMP && e->op == EXPR_EQ) {
            bool a1, a2;
            uint32_t lo1 = 0, hi1 = 0, lo2 = 0, hi2 = 0;
            col_range(e->args[0], j->n_cols, &a1, &lo1, &hi1);
            col_range(e->args[1], j->n_cols, &a2, &lo2, &hi2);
            sql_expr *l = NULL, *r = NULL;
            if (a1 && a2 && hi1 < ln && lo2 >= ln) l = e->args[0], r = e->args[1];
            if (a1 && a2 && hi2 < ln && lo1 >= ln) l = e->args[1], r = e->args[0];
            if (l && bind__hashable_pair(l->type.id, r->type.id) && !expr_has_outer(e, 1) &&
                !has_subquery(e) && bind__refs_shift(b, r, -(int32_t)ln, NULL) == MICE_OK) {
                lk[nk] = l;
                rk[nk++] = r;
                continue;
            }
        }
        rest = bind__and(b, rest, e);
    }
    if (!nk) return;
    j->n_hash_keys = nk;
    j->left_keys = lk;
    j->right_keys = rk;
    j->filter = rest;
    j->cost_total = j->child->cost_total + j->right->cost_total + j->est_rows;
}

/* --- index selection ----------------------------------------------------------------------- */

/* A value usable as a span bound: no input columns (constants, params, outer refs). */
static bool span_value(const sql_expr *e)
{
    if (e->kind == EXPR_COL || e->kind == EXPR_SUBQUERY || e->kind == EXPR_NEXTVAL) return false;
    if (e->kind == EXPR_FUNC && e->fm->desc->volatility == FUNC_VOLATILE) return false;
    for (uint32_t i = 0; i < e->n_args; i++)
        if (!span_value(e->args[i])) return false;
    return true;
}

static bool key_compatible(sql_type_id col, sql_type_id v)
{
    if (col == v) return true;
    if (sql_type_is_integer(col) && sql_type_is_integer(v)) return true;
    return col == SQL_TYPE_TEXT && sql_type_is_string(v) && v != SQL_TYPE_BPCHAR;
}

/* conjunct e is "col <op> value" on scan column col: the op as seen from the column. */
static int match_cmp(const sql_expr *e, uint32_t col, sql_type_id ct, sql_expr **value)
{
    static const int flip[] = {EXPR_EQ, EXPR_NE, EXPR_GT, EXPR_GE, EXPR_LT, EXPR_LE};
    if (e->kind != EXPR_CMP || e->op == EXPR_NE) return -1;
    for (int side = 0; side < 2; side++) {
        const sql_expr *c = e->args[side], *v = e->args[1 - side];
        if (c->kind == EXPR_COL && (uint32_t)c->index == col && span_value(v) &&
            key_compatible(ct, v->type.id)) {
            *value = (sql_expr *)v;
            return side == 0 ? e->op : flip[e->op];
        }
    }
    return -1;
}

static bool match_in(const sql_expr *e, uint32_t col, sql_type_id ct)
{
    if (e->kind != EXPR_IN_LIST || e->negated) return false;
    const sql_expr *c = e->args[0];
    if (c->kind != EXPR_COL || (uint32_t)c->index != col || !key_compatible(ct, c->type.id))
        return false;
    for (uint32_t i = 1; i < e->n_args; i++)
        if (!span_value(e->args[i])) return false;
    return e->n_args <= 257;
}

typedef struct index_choice {
    uint32_t n_eq;
    sql_expr *eq[16];
    sql_expr *in; /* an IN list on column n_eq (then n_eq counts it) */
    sql_expr *lo, *hi;
    bool lo_incl, hi_incl;
    sql_expr *used[20];
    uint32_t n_used;
    int score;
} index_choice;

static void range_on(index_choice *ch, sql_expr **v, uint32_t n, uint32_t col, sql_type_id ct)
{
    for (uint32_t i = 0; i < n; i++) {
        sql_expr *val;
        int op = match_cmp(v[i], col, ct, &val);
        if ((op == EXPR_GT || op == EXPR_GE) && !ch->lo) {
            ch->lo = val;
            ch->lo_incl = op == EXPR_GE;
        } else if ((op == EXPR_LT || op == EXPR_LE) && !ch->hi) {
            ch->hi = val;
            ch->hi_incl = op == EXPR_LE;
        } else {
            continue;
        }
        if (ch->n_used < 20) ch->used[ch->n_used++] = v[i];
    }
}

static void eval_index(const plan_node *p, uint32_t pos, sql_expr **v, uint32_t n, index_choice *ch)
{
    memset(ch, 0, sizeof *ch);
    const catalog_index *ix = &p->table->indexes[pos];
    for (uint32_t k = 0; k < ix->n_cols && k < 16; k++) {
        int col = catalog_column_pos(p->table, ix->col_ids[k]);
        sql_type_id ct = p->table->columns[col].type.id;
        bool found = false;
        for (uint32_t i = 0; i < n && !found; i++) {
            sql_expr *val;
            if (match_cmp(v[i], (uint32_t)col, ct, &val) == EXPR_EQ) {
                ch->eq[ch->n_eq++] = val;
                ch->used[ch->n_used++] = v[i];
                found = true;
            } else if (!ch->in && match_in(v[i], (uint32_t)col, ct)) {
                ch->in = v[i];
                ch->eq[ch->n_eq++] = NULL;
                ch->used[ch->n_used++] = v[i];
                found = true;
            }
        }
        if (!found) {
            if (ix->dirs[k] == KEYENC_ASC) range_on(ch, v, n, (uint32_t)col, ct);
            break;
        }
    }
    ch->score = (int)ch->n_eq * 10 + (ch->lo ? 4 : 0) + (ch->hi ? 4 : 0);
    if (ch->n_eq == ix->n_cols && (ix->unique || ix->primary)) ch->score += 100;
    if (pos == 0 && ch->score) ch->score += 1; /* the primary index needs no lookup */
}

static void apply_choice(bind_ctx *b, plan_node *p, uint32_t pos, const index_choice *ch)
{
    uint32_t n_spans = ch->in ? ch->in->n_args - 1 : 1;
    plan_span *spans = ARENA_NEW_ARRAY(b->arena, plan_span, n_spans);
    if (!spans) return;
    for (uint32_t s = 0; s < n_spans; s++) {
        plan_span *sp = &spans[s];
        sp->n_eq = ch->n_eq;
        sp->eq = ARENA_NEW_ARRAY(b->arena, sql_expr *, ch->n_eq ? ch->n_eq : 1);
        if (!sp->eq) return;
        for (uint32_t k = 0; k < ch->n_eq; k++)
            sp->eq[k] = ch->eq[k] ? ch->eq[k] : ch->in->args[1 + s];
        sp->lo = ch->lo;
        sp->hi = ch->hi;
        sp->lo_incl = ch->lo_incl;
        sp->hi_incl = ch->hi_incl;
    }
    p->index_pos = pos;
    p->full_scan = false;
    p->spans = spans;
    p->n_spans = n_spans;
    sql_expr *cond = NULL;
    for (uint32_t i = 0; i < ch->n_used; i++)
        cond = bind__and(b, cond, ch->used[i]);
    p->index_cond = cond;
    /* The residual filter keeps what the spans do not guarantee. */
    sql_expr *v[256], *rest = NULL;
    uint32_t n = 0;
    bind__split_conjuncts(p->filter, v, &n, 256);
    for (uint32_t i = 0; i < n; i++) {
        bool used = false;
        for (uint32_t k = 0; k < ch->n_used; k++)
            used |= ch->used[k] == v[i];
        if (!used) rest = bind__and(b, rest, v[i]);
    }
    p->filter = rest;
    bool unique_point = ch->score >= 100 && !ch->in;
    p->est_rows = unique_point ? 1 : 10 * n_spans;
    p->cost_total = unique_point ? 8.3 : 4 + p->est_rows;
}

static void choose_scan(bind_ctx *b, plan_node *p)
{
    if (!p->filter || !p->full_scan) return;
    sql_expr *v[256];
    uint32_t n = 0;
    bind__split_conjuncts(p->filter, v, &n, 256);
    index_choice best = {0}, cur;
    uint32_t best_pos = 0;
    best.score = 0;
    for (uint32_t pos = 0; pos < p->table->n_indexes; pos++) {
        if (p->table->indexes[pos].predicate) continue;
        eval_index(p, pos, v, n, &cur);
        if (cur.score > best.score) {
            best = cur;
            best_pos = pos;
        }
    }
    if (best.score > 0) apply_choice(b, p, best_pos, &best);
}

void bind__choose_indexes(bind_ctx *b, plan_node *p)
{
    if (!p) return;
    if (p->kind == PLAN_SCAN) choose_scan(b, p);
    if (p->kind == PLAN_JOIN) choose_hash_keys(b, p);
    bind__choose_indexes(b, p->child);
    bind__choose_indexes(b, p->right);
}
