/* bind_window.c - window functions in the binder (see bind_int.h).
 *
 * A call with OVER becomes an EXPR_WIN_REF (index: the function in the SELECT's bind_wins)
 * while the select list and ORDER BY are bound; its window (OVER w, OVER (w ...) or an
 * inline definition, resolved against the WINDOW clause as PostgreSQL's
 * transformWindowDefinitions does) is bound over the same scope and merged with an equal
 * one. When the FROM/WHERE/GROUP BY/HAVING plan is complete, bind__window_nodes puts one
 * PLAN_WINDOW per distinct window above it and turns each EXPR_WIN_REF into a column.
 * Errors are PostgreSQL's: 42P20 for window functions where they are not allowed and for
 * bad window references, 42803 inside aggregates, 42809 OVER on a plain function or a
 * window function without OVER, 42704 unknown window names.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/bind_int.h"

static const struct {
    const char *name;
    plan_win_fn fn;
    uint32_t min_args, max_args;
} win_funcs[] = {
    {"row_number", PLAN_WIN_ROW_NUMBER, 0, 0},
    {"rank", PLAN_WIN_RANK, 0, 0},
    {"dense_rank", PLAN_WIN_DENSE_RANK, 0, 0},
    {"percent_rank", PLAN_WIN_PERCENT_RANK, 0, 0},
    {"cume_dist", PLAN_WIN_CUME_DIST, 0, 0},
    {"ntile", PLAN_WIN_NTILE, 1, 1},
    {"lag", PLAN_WIN_LAG, 1, 3},
    {"lead", PLAN_WIN_LEAD, 1, 3},
    {"first_value", PLAN_WIN_FIRST_VALUE, 1, 1},
    {"last_value", PLAN_WIN_LAST_VALUE, 1, 1},
    {"nth_value", PLAN_WIN_NTH_VALUE, 2, 2},
};

static int win_func_of(const char *name)
{
    for (size_t i = 0; i < sizeof win_funcs / sizeof win_funcs[0]; i++)
        if (!strcasecmp(name, win_funcs[i].name)) return (int)i;
    return -1;
}

bool bind__is_window_only(const char *name)
{
    return win_func_of(name) >= 0;
}

static int agg_of(const char *name)
{
    static const char *const names[] = {"count", "count",    "sum",     "avg",        "min",
                                        "max",   "bool_and", "bool_or", "string_agg", "array_agg"};
    if (!strcasecmp(name, "every")) return PLAN_AGG_BOOL_AND;
    for (int i = 1; i < 10; i++)
        if (!strcasecmp(name, names[i])) return i;
    return -1;
}

/* --- the WINDOW clause and references to it --------------------------------------------- */

static const ast_node *find_def(const ast_list *defs, uint32_t before, const char *name)
{
    for (uint32_t i = 0; defs && i < defs->n && i < before; i++)
        if (!strcmp(defs->items[i]->u.window_def.name, name)) return defs->items[i];
    return NULL;
}

/* The effective definition of w (partition, order, frame) with references resolved;
 * limit: only WINDOW entries before it may be referenced (WINDOW clause entries). */
static mice_status resolve_def(bind_ctx *b, const ast_list *defs, const ast_node *w, uint32_t limit,
                               ast_window_def *out, sql_error *err)
{
    const ast_window_def *d = &w->u.window_def;
    *out = *d;
    if (!d->refname) return MICE_OK;
    const ast_node *ref = find_def(defs, limit, d->refname);
    if (!ref)
        return bind__err(err, SQLSTATE_UNDEFINED_OBJECT, w->loc, "window \"%s\" does not exist",
                         d->refname);
    ast_window_def r;
    uint32_t pos = 0;
    while (defs->items[pos] != ref)
        pos++;
    mice_status rc = resolve_def(b, defs, ref, pos, &r, err);
    if (rc) return rc;
    if (d->partition.n)
        return bind__err(err, "42P20", w->loc,
                         "cannot override PARTITION BY clause of window \"%s\"", d->refname);
    if (r.order.n && d->order.n)
        return bind__err(err, "42P20", w->loc, "cannot override ORDER BY clause of window \"%s\"",
                         d->refname);
    if (r.frame & AST_FRAME_NONDEFAULT) {
        bind__err(err, "42P20", w->loc, "cannot copy window \"%s\" because it has a frame clause",
                  d->refname);
        if (!(d->frame & AST_FRAME_NONDEFAULT))
            sqlerr_hint(err, "Omit the parentheses in this OVER clause.");
        return MICE_INVALID;
    }
    out->partition = r.partition;
    if (!d->order.n) out->order = r.order;
    return MICE_OK;
}

mice_status bind__window_defs(bind_ctx *b, const ast_list *defs, sql_error *err)
{
    for (uint32_t i = 0; i < defs->n; i++) {
        const ast_node *w = defs->items[i];
        if (find_def(defs, i, w->u.window_def.name))
            return bind__err(err, "42P20", w->loc, "window \"%s\" is already defined",
                             w->u.window_def.name);
        ast_window_def r;
        mice_status rc = resolve_def(b, defs, w, i, &r, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

/* --- binding a window ------------------------------------------------------------------ */

static mice_status bind_offset(bind_ctx *b, const ast_node *n, bool range, sql_type key,
                               const char *mode, sql_expr **out, sql_error *err)
{
    bind_scope empty = {0};
    mice_status rc = bind__expr(b, &empty, n, out, err);
    if (rc) return rc;
    sql_type want = sql_type_make(SQL_TYPE_INT8, -1);
    if (range) {
        if (sql_type_is_integer(key.id)) /* an unknown literal takes the key's type */
            want.id = (*out)->type.id == SQL_TYPE_UNKNOWN ? key.id : SQL_TYPE_INT8;
        else if (sql_type_is_float(key.id))
            want.id = SQL_TYPE_FLOAT8;
        else if (key.id == SQL_TYPE_NUMERIC)
            want.id = SQL_TYPE_NUMERIC;
        else if (key.id == SQL_TYPE_DATE || key.id == SQL_TYPE_TIMESTAMP ||
                 key.id == SQL_TYPE_TIMESTAMPTZ)
            want.id = SQL_TYPE_INTERVAL;
        else
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                             "RANGE with offset PRECEDING/FOLLOWING is not supported for this "
                             "column type");
    }
    sql_type_id got = (*out)->type.id;
    if (!range && got != SQL_TYPE_UNKNOWN && !sql_type_is_integer(got)) {
        char tn[SQL_TYPE_NAME_MAX];
        return bind__err(err, "42804", n->loc, "argument of %s must be type bigint, not type %s",
                         mode, (sql_type_format(sql_type_make(got, -1), tn, sizeof tn), tn));
    }
    return bind__coerce(b, out, want, SQL_CAST_IMPLICIT, NULL, err);
}

static mice_status bind_window(bind_ctx *b, bind_scope *s, const ast_window_def *d, int32_t loc,
                               plan_window *w, sql_error *err)
{
    *w = (plan_window){.n_part = d->partition.n, .n_order = d->order.n, .frame = d->frame};
    uint32_t np = d->partition.n ? d->partition.n : 1, no = d->order.n ? d->order.n : 1;
    w->part = ARENA_NEW_ARRAY(b->arena, sql_expr *, np);
    w->order = ARENA_NEW_ARRAY(b->arena, sql_expr *, no);
    w->order_desc = ARENA_NEW_ARRAY(b->arena, bool, no);
    w->order_nulls_first = ARENA_NEW_ARRAY(b->arena, bool, no);
    if (!w->part || !w->order || !w->order_desc || !w->order_nulls_first) return bind__nomem(err);
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; i < d->partition.n && !rc; i++)
        rc = bind__expr(b, s, d->partition.items[i], &w->part[i], err);
    for (uint32_t i = 0; i < d->order.n && !rc; i++) {
        const ast_sort_by *sb = &d->order.items[i]->u.sort_by;
        if (sb->dir == AST_SORT_USING)
            return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, d->order.items[i]->loc,
                             "ORDER BY USING");
        w->order_desc[i] = sb->dir == AST_SORT_DESC;
        w->order_nulls_first[i] =
            sb->nulls == AST_NULLS_DEFAULT ? w->order_desc[i] : sb->nulls == AST_NULLS_FIRST;
        rc = bind__expr(b, s, sb->expr, &w->order[i], err);
    }
    sql_type text = sql_type_make(SQL_TYPE_TEXT, -1);
    for (uint32_t i = 0; i < w->n_part && !rc; i++)
        if (w->part[i]->type.id == SQL_TYPE_UNKNOWN)
            rc = bind__coerce(b, &w->part[i], text, SQL_CAST_IMPLICIT, NULL, err);
    for (uint32_t i = 0; i < w->n_order && !rc; i++)
        if (w->order[i]->type.id == SQL_TYPE_UNKNOWN)
            rc = bind__coerce(b, &w->order[i], text, SQL_CAST_IMPLICIT, NULL, err);
    if (rc) return rc;
    bool range = d->frame & AST_FRAME_RANGE;
    bool offsets = d->frame & (AST_FRAME_START_OFFSET_PRECEDING | AST_FRAME_START_OFFSET_FOLLOWING |
                               AST_FRAME_END_OFFSET_PRECEDING | AST_FRAME_END_OFFSET_FOLLOWING);
    if (range && offsets && w->n_order != 1)
        return bind__err(err, "42P20", loc,
                         "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY "
                         "column");
    if ((d->frame & AST_FRAME_GROUPS) && !w->n_order)
        return bind__err(err, "42P20", loc, "GROUPS mode requires an ORDER BY clause");
    const char *mode = range ? "RANGE" : (d->frame & AST_FRAME_GROUPS) ? "GROUPS" : "ROWS";
    sql_type key = w->n_order ? w->order[0]->type : text;
    if (d->start_offset) rc = bind_offset(b, d->start_offset, range, key, mode, &w->start_off, err);
    if (!rc && d->end_offset)
        rc = bind_offset(b, d->end_offset, range, key, mode, &w->end_off, err);
    return rc;
}

static bool list_equal(sql_expr **a, sql_expr **c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!bind__expr_equal(a[i], c[i])) return false;
    return true;
}

static bool opt_equal(const sql_expr *a, const sql_expr *c)
{
    return (!a && !c) || (a && c && bind__expr_equal(a, c));
}

static bool window_equal(const plan_window *a, const plan_window *c)
{
    if (a->n_part != c->n_part || a->n_order != c->n_order || a->frame != c->frame) return false;
    if (!list_equal(a->part, c->part, a->n_part) || !list_equal(a->order, c->order, a->n_order))
        return false;
    for (uint32_t i = 0; i < a->n_order; i++)
        if (a->order_desc[i] != c->order_desc[i] ||
            a->order_nulls_first[i] != c->order_nulls_first[i])
            return false;
    return opt_equal(a->start_off, c->start_off) && opt_equal(a->end_off, c->end_off);
}

static mice_status add_window(bind_ctx *b, bind_wins *ws, const plan_window *w, uint32_t *idx,
                              sql_error *err)
{
    for (uint32_t i = 0; i < ws->n_w; i++)
        if (window_equal(&ws->w[i], w)) {
            *idx = i;
            return MICE_OK;
        }
    if (ws->n_w == ws->cap_w) {
        uint32_t cap = ws->cap_w ? ws->cap_w * 2 : 4;
        plan_window *v = ARENA_NEW_ARRAY(b->arena, plan_window, cap);
        if (!v) return bind__nomem(err);
        if (ws->n_w) memcpy(v, ws->w, sizeof(plan_window) * ws->n_w);
        ws->w = v;
        ws->cap_w = cap;
    }
    ws->w[ws->n_w] = *w;
    *idx = ws->n_w++;
    return MICE_OK;
}

static bool func_equal(const plan_wfunc *a, const plan_wfunc *c)
{
    if (a->fn != c->fn || a->n_args != c->n_args || a->type.id != c->type.id) return false;
    if (a->fn == PLAN_WIN_AGG && a->agg.fn != c->agg.fn) return false;
    return list_equal((sql_expr **)a->args, (sql_expr **)c->args, a->n_args) &&
           opt_equal(a->filter, c->filter);
}

static mice_status add_func(bind_ctx *b, bind_wins *ws, const plan_wfunc *f, uint32_t win,
                            uint32_t *idx, sql_error *err)
{
    for (uint32_t i = 0; i < ws->n_f; i++)
        if (ws->f_win[i] == win && func_equal(&ws->f[i], f)) {
            *idx = i;
            return MICE_OK;
        }
    if (ws->n_f == ws->cap_f) {
        uint32_t cap = ws->cap_f ? ws->cap_f * 2 : 8;
        plan_wfunc *v = ARENA_NEW_ARRAY(b->arena, plan_wfunc, cap);
        uint32_t *vw = ARENA_NEW_ARRAY(b->arena, uint32_t, cap);
        if (!v || !vw) return bind__nomem(err);
        if (ws->n_f) {
            memcpy(v, ws->f, sizeof(plan_wfunc) * ws->n_f);
            memcpy(vw, ws->f_win, sizeof(uint32_t) * ws->n_f);
        }
        ws->f = v;
        ws->f_win = vw;
        ws->cap_f = cap;
    }
    ws->f[ws->n_f] = *f;
    ws->f_win[ws->n_f] = win;
    *idx = ws->n_f++;
    return MICE_OK;
}

/* --- a window function call ------------------------------------------------------------ */

static mice_status refused(bind_ctx *b, const ast_node *n, sql_error *err)
{
    switch (b->win_ctx) {
    case 1:
        return bind__err(err, SQLSTATE_GROUPING_ERROR, n->loc,
                         "aggregate function calls cannot contain window function calls");
    case 2:
        return bind__err(err, "42P20", n->loc,
                         "window functions are not allowed in window definitions");
    case 3:
        return bind__err(err, "42P20", n->loc, "window function calls cannot be nested");
    default:
        return bind__err(err, "42P20", n->loc, "window functions are not allowed in %s",
                         b->clause ? b->clause : "this context");
    }
}

/* PostgreSQL's "function f(types) does not exist" for a call no signature matches. */
static mice_status no_such_function(const char *name, sql_expr **args, uint32_t n, int32_t loc,
                                    sql_error *err)
{
    sql_type_id types[PLAN_WIN_ARGS_MAX + 2];
    for (uint32_t i = 0; i < n && i < PLAN_WIN_ARGS_MAX + 2; i++)
        types[i] = args[i]->type.id;
    char qname[64];
    snprintf(qname, sizeof qname, "pg_catalog.%s_", name); /* never registered */
    func_match fm;
    mice_status rc = func_lookup(qname, types, (int)(n < 5 ? n : 5), &fm, err);
    if (rc && err) {
        /* the message names the function as written */
        char *p = strstr(err->message, "pg_catalog.");
        if (p) {
            size_t skip = strlen("pg_catalog.");
            memmove(p, p + skip, strlen(p + skip) + 1);
        }
        char *u = strstr(err->message, "_(");
        if (u) memmove(u, u + 1, strlen(u + 1) + 1);
        if (loc >= 0) err->position = loc + 1;
    }
    return rc ? rc : MICE_INVALID;
}

static mice_status bind_args(bind_ctx *b, bind_scope *s, const ast_func *f, plan_wfunc *wf,
                             sql_error *err)
{
    int saved_ctx = b->win_ctx;
    bind_wins *saved = s->wins;
    s->wins = NULL;
    b->win_ctx = 3;
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; i < f->args.n && !rc; i++)
        rc = bind__expr(b, s, f->args.items[i], &wf->args[i], err);
    if (!rc && f->filter) {
        rc = bind__cond(b, s, f->filter, "FILTER", &wf->filter, err);
    }
    s->wins = saved;
    b->win_ctx = saved_ctx;
    wf->n_args = f->args.n;
    return rc;
}

static mice_status check_window_func(bind_ctx *b, const ast_node *n, int k, plan_wfunc *wf,
                                     sql_error *err)
{
    const char *name = win_funcs[k].name;
    wf->fn = win_funcs[k].fn;
    wf->name = name;
    if (wf->n_args < win_funcs[k].min_args || wf->n_args > win_funcs[k].max_args)
        return no_such_function(name, wf->args, wf->n_args, n->loc, err);
    sql_type int4 = sql_type_make(SQL_TYPE_INT4, -1);
    mice_status rc = MICE_OK;
    switch (wf->fn) {
    case PLAN_WIN_ROW_NUMBER:
    case PLAN_WIN_RANK:
    case PLAN_WIN_DENSE_RANK:
        wf->type = sql_type_make(SQL_TYPE_INT8, -1);
        return MICE_OK;
    case PLAN_WIN_PERCENT_RANK:
    case PLAN_WIN_CUME_DIST:
        wf->type = sql_type_make(SQL_TYPE_FLOAT8, -1);
        return MICE_OK;
    case PLAN_WIN_NTILE:
        wf->type = int4;
        break;
    default:
        break;
    }
    /* integer arguments: ntile's, nth_value's and lag/lead's offset */
    uint32_t int_arg = wf->fn == PLAN_WIN_NTILE ? 0 : 1;
    if (wf->fn != PLAN_WIN_FIRST_VALUE && wf->fn != PLAN_WIN_LAST_VALUE && int_arg < wf->n_args) {
        sql_type_id t = wf->args[int_arg]->type.id;
        if (t != SQL_TYPE_UNKNOWN && t != SQL_TYPE_INT2 && t != SQL_TYPE_INT4)
            return no_such_function(name, wf->args, wf->n_args, n->loc, err);
        rc = bind__coerce(b, &wf->args[int_arg], int4, SQL_CAST_IMPLICIT, NULL, err);
        if (rc) return rc;
    }
    if (wf->fn == PLAN_WIN_NTILE) return MICE_OK;
    sql_type t = wf->args[0]->type;
    if ((wf->fn == PLAN_WIN_LAG || wf->fn == PLAN_WIN_LEAD) && wf->n_args == 3) {
        sql_expr *v[2] = {wf->args[0], wf->args[2]};
        sql_error tmp = {0};
        if (bind__common_type(b, v, 2, name, &t, &tmp))
            return no_such_function(name, wf->args, wf->n_args, n->loc, err);
        rc = bind__coerce(b, &wf->args[2], t, SQL_CAST_IMPLICIT, NULL, err);
    } else if (t.id == SQL_TYPE_UNKNOWN) {
        t = sql_type_make(SQL_TYPE_TEXT, -1);
    }
    if (!rc) rc = bind__coerce(b, &wf->args[0], t, SQL_CAST_IMPLICIT, NULL, err);
    wf->type = t;
    return rc;
}

static mice_status check_agg(bind_ctx *b, bind_scope *s, const ast_node *n, int fn, plan_wfunc *wf,
                             sql_error *err)
{
    /* type the aggregate as a grouped one would be, then take its plan_agg */
    bind_aggs tmp = {0};
    bind_aggs *saved = s->aggs;
    s->aggs = &tmp;
    ast_node copy;
    ast_node_copy(&copy, n);
    copy.u.func.over = NULL;
    copy.u.func.filter = NULL;
    int saved_ctx = b->win_ctx;
    bind_wins *saved_w = s->wins;
    s->wins = NULL;
    b->win_ctx = 3;
    b->win_agg = true;
    b->win_agg_args = saved;
    sql_expr *ref;
    mice_status rc = bind__expr(b, s, &copy, &ref, err);
    b->win_agg = false;
    s->aggs = saved;
    s->wins = saved_w;
    b->win_ctx = saved_ctx;
    if (rc) return rc;
    if (tmp.n != 1 || ref->kind != EXPR_AGG_REF)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "this window aggregate is not supported");
    (void)fn;
    wf->fn = PLAN_WIN_AGG;
    wf->agg = tmp.v[0];
    wf->type = wf->agg.type;
    wf->name = wf->agg.name;
    wf->n_args = 0;
    if (wf->agg.arg) wf->args[wf->n_args++] = wf->agg.arg;
    if (wf->agg.arg2) wf->args[wf->n_args++] = wf->agg.arg2;
    if (n->u.func.filter) {
        saved_w = s->wins;
        s->wins = NULL;
        b->win_ctx = 3;
        rc = bind__cond(b, s, n->u.func.filter, "FILTER", &wf->filter, err);
        s->wins = saved_w;
        b->win_ctx = saved_ctx;
    }
    return rc;
}

mice_status bind__window_func(bind_ctx *b, bind_scope *s, const ast_node *n, sql_expr **out,
                              sql_error *err)
{
    const ast_func *f = &n->u.func;
    const char *name = f->name.v[f->name.n - 1];
    int k = win_func_of(name);
    int fn = k < 0 ? agg_of(name) : -1;
    if (!f->over) {
        if (k >= 0)
            return bind__err(err, "42809", n->loc, "window function %s requires an OVER clause",
                             name);
        return bind__err(err, SQLSTATE_INTERNAL_ERROR, n->loc, "not a window function call");
    }
    if (k < 0 && fn < 0)
        return bind__err(err, "42809", n->loc,
                         "OVER specified, but %s is not a window function nor an aggregate "
                         "function",
                         name);
    if (!s->wins) return refused(b, n, err);
    bind_wins *ws = s->wins;
    if (f->distinct)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "DISTINCT is not implemented for window functions");
    if (f->agg_order.n)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "aggregate ORDER BY is not implemented for window functions");
    if (k >= 0 && f->filter)
        return bind__err(err, SQLSTATE_FEATURE_NOT_SUPPORTED, n->loc,
                         "FILTER is not implemented for non-aggregate window functions");
    /* the window */
    const ast_node *over = f->over;
    ast_window_def d;
    mice_status rc;
    if (over->u.window_def.name) {
        const ast_node *def = find_def(ws->defs, UINT32_MAX, over->u.window_def.name);
        if (!def)
            return bind__err(err, SQLSTATE_UNDEFINED_OBJECT, over->loc,
                             "window \"%s\" does not exist", over->u.window_def.name);
        uint32_t pos = 0;
        while (ws->defs->items[pos] != def)
            pos++;
        rc = resolve_def(b, ws->defs, def, pos, &d, err);
    } else {
        rc = resolve_def(b, ws->defs, over, UINT32_MAX, &d, err);
    }
    if (rc) return rc;
    plan_wfunc wf = {0};
    if (k >= 0) {
        rc = bind_args(b, s, f, &wf, err);
        if (!rc) rc = check_window_func(b, n, k, &wf, err);
    } else {
        rc = check_agg(b, s, n, fn, &wf, err);
    }
    if (rc) return rc;
    plan_window w;
    int saved_ctx = b->win_ctx;
    s->wins = NULL;
    b->win_ctx = 2;
    rc = bind_window(b, s, &d, over->loc, &w, err);
    s->wins = ws;
    b->win_ctx = saved_ctx;
    uint32_t wi = 0, fi = 0;
    if (!rc) rc = add_window(b, ws, &w, &wi, err);
    if (!rc) rc = add_func(b, ws, &wf, wi, &fi, err);
    if (rc) return rc;
    sql_expr *e = expr_new(b->arena, EXPR_WIN_REF, wf.type, 0);
    if (!e) return bind__nomem(err);
    e->index = (int32_t)fi;
    e->name = wf.name;
    e->loc = n->loc;
    *out = e;
    return MICE_OK;
}

/* --- the plan ---------------------------------------------------------------------------- */

static mice_status over_list(bind_ctx *b, bind_over_agg_fn over, const void *g, sql_expr **v,
                             uint32_t n, sql_error *err)
{
    for (uint32_t i = 0; i < n; i++) {
        mice_status rc = over(b, g, &v[i], err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status replace_refs(bind_ctx *b, sql_expr **ep, const int32_t *col, sql_error *err)
{
    sql_expr *e = *ep;
    if (e->kind == EXPR_WIN_REF) {
        sql_expr *c = expr_col(b->arena, col[e->index], e->type, e->name);
        if (!c) return bind__nomem(err);
        *ep = c;
        return MICE_OK;
    }
    for (uint32_t i = 0; i < e->n_args; i++) {
        mice_status rc = replace_refs(b, &e->args[i], col, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

mice_status bind__window_nodes(bind_ctx *b, bind_wins *ws, bind_over_agg_fn over, const void *g,
                               plan_node **p, sql_expr **v, uint32_t n, sql_error *err)
{
    mice_status rc;
    int32_t *col = ARENA_NEW_ARRAY(b->arena, int32_t, ws->n_f ? ws->n_f : 1);
    if (!col) return bind__nomem(err);
    /* grouped: the functions' arguments are checked first, then the windows (PostgreSQL's
     * check_ungrouped_columns walks the target list before the window clauses) */
    for (uint32_t i = 0; over && i < ws->n_f; i++) {
        plan_wfunc *f = &ws->f[i];
        if ((rc = over_list(b, over, g, f->args, f->n_args, err))) return rc;
        if (f->filter && (rc = over(b, g, &f->filter, err))) return rc;
    }
    for (uint32_t wi = 0; over && wi < ws->n_w; wi++) {
        plan_window *w = &ws->w[wi];
        if ((rc = over_list(b, over, g, w->part, w->n_part, err))) return rc;
        if ((rc = over_list(b, over, g, w->order, w->n_order, err))) return rc;
    }
    for (uint32_t wi = 0; wi < ws->n_w; wi++) {
        plan_window *w = &ws->w[wi];
        uint32_t nf = 0;
        for (uint32_t i = 0; i < ws->n_f; i++)
            nf += ws->f_win[i] == wi;
        w->funcs = ARENA_NEW_ARRAY(b->arena, plan_wfunc, nf ? nf : 1);
        if (!w->funcs) return bind__nomem(err);
        plan_node *child = *p;
        plan_node *node = plan_new(b->arena, PLAN_WINDOW, child->n_cols + nf);
        if (!node) return bind__nomem(err);
        memcpy(node->col_names, child->col_names, sizeof(char *) * child->n_cols);
        memcpy(node->col_types, child->col_types, sizeof(sql_type) * child->n_cols);
        for (uint32_t i = 0; i < ws->n_f; i++) {
            if (ws->f_win[i] != wi) continue;
            plan_wfunc *f = &ws->f[i];
            if (f->fn == PLAN_WIN_AGG) {
                f->agg.arg = f->n_args > 0 ? f->args[0] : NULL;
                f->agg.arg2 = f->n_args > 1 ? f->args[1] : NULL;
            }
            uint32_t c = child->n_cols + w->n_funcs;
            col[i] = (int32_t)c;
            node->col_names[c] = f->name;
            node->col_types[c] = f->type;
            w->funcs[w->n_funcs++] = *f;
        }
        node->win = w;
        node->child = child;
        node->est_rows = child->est_rows;
        node->cost_startup = child->cost_total + child->est_rows * 0.1;
        node->cost_total = node->cost_startup + child->est_rows * 0.01;
        *p = node;
    }
    for (uint32_t i = 0; i < n; i++)
        if ((rc = replace_refs(b, &v[i], col, err))) return rc;
    return MICE_OK;
}
