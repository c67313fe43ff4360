/* func.c - the function registry, PostgreSQL-style overload resolution and calls. */
#include "sql/func.h"

#include <ctype.h>
#include <string.h>

#include "base/check.h"
#include "sql/func_int.h"

typedef struct func_table {
    const func_desc *rows;
    const int *count;
} func_table;

static const func_table tables[] = {
    {func__string_table, &func__string_count}, {func__math_table, &func__math_count},
    {func__time_table, &func__time_count},     {func__bytes_table, &func__bytes_count},
    {func__like_table, &func__like_count},     {func__tochar_table, &func__tochar_count},
    {func__misc_table, &func__misc_count},     {func__interval_table, &func__interval_count},
    {func__bytea_table, &func__bytea_count},   {func__regex_table, &func__regex_count},
    {func__array_table, &func__array_count}, {func__catalog_table, &func__catalog_count},
    {func__json_table, &func__json_count},
};
enum { TABLE_COUNT = sizeof tables / sizeof tables[0], REGISTRY_MAX = 2048 };

void func_ctx_init(func_ctx *ctx, mice_arena *arena, const sql_value_ctx *vctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->arena = arena;
    ctx->vctx = vctx;
    ctx->txn_start = vctx ? vctx->dt.now : 0;
    ctx->stmt_start = ctx->txn_start;
    ctx->current_user = "postgres";
    ctx->session_user = "postgres";
    ctx->database = "postgres";
    ctx->schema = "public";
}

/* ---- helpers shared by the func_*.c files ---- */

mice_status func__bytes_out(func_ctx *ctx, sql_type_id type, const void *p, size_t n,
                            sql_datum *out, sql_error *err)
{
    mice_slice s = arena_slice_dup(ctx->arena, mice_slice_of(p, n));
    if (!s.p) return sqlerr_nomem(err);
    *out = datum_bytes(type, s);
    return MICE_OK;
}

mice_status func__text_out(func_ctx *ctx, const void *p, size_t n, sql_datum *out, sql_error *err)
{
    return func__bytes_out(ctx, SQL_TYPE_TEXT, p, n, out, err);
}

mice_status func__text_from_buf(func_ctx *ctx, mice_buf *b, sql_datum *out, sql_error *err)
{
    mice_status rc = func__text_out(ctx, b->p, b->n, out, err);
    buf_deinit(b);
    return rc;
}

char *func__cstr(func_ctx *ctx, mice_slice s)
{
    return arena_strndup(ctx->arena, (const char *)s.p, s.n);
}

mice_status func__numeric_int(func_ctx *ctx, int64_t v, sql_datum *out, sql_error *err)
{
    const sql_numeric *n;
    mice_status rc = numeric_from_int64(v, ctx->arena, &n, err);
    if (rc) return rc;
    *out = datum_numeric(n);
    return MICE_OK;
}

const sql_tz *func__tz(const func_ctx *ctx)
{
    return ctx->vctx ? ctx->vctx->dt.tz : NULL;
}

/* ---- registry ---- */

int func_registry_count(void)
{
    int n = 0;
    for (int t = 0; t < (int)TABLE_COUNT; t++)
        n += *tables[t].count;
    return n;
}

const func_desc *func_registry_at(int i)
{
    for (int t = 0; t < (int)TABLE_COUNT; t++) {
        if (i < *tables[t].count) return &tables[t].rows[i];
        i -= *tables[t].count;
    }
    return NULL;
}

/* Lowercased, "pg_catalog."-stripped name into buf; false when too long. */
static bool normalize_name(const char *name, char *buf, size_t cap)
{
    static const char prefix[] = "pg_catalog.";
    size_t plen = sizeof prefix - 1;
    if (strncasecmp(name, prefix, plen) == 0) name += plen;
    size_t n = strlen(name);
    if (n == 0 || n >= cap) return false;
    for (size_t i = 0; i <= n; i++)
        buf[i] = (char)tolower((unsigned char)name[i]);
    return true;
}

bool func_exists(const char *name)
{
    char nm[FUNC_NAME_MAX];
    if (!normalize_name(name, nm, sizeof nm)) return false;
    for (int t = 0; t < (int)TABLE_COUNT; t++)
        for (int i = 0; i < *tables[t].count; i++)
            if (strcmp(tables[t].rows[i].name, nm) == 0) return true;
    return false;
}

const char *func_operator_function(const char *op)
{
    static const char *const map[][2] = {
        {"~~", "textlike"},      {"!~~", "textnlike"},    {"~~*", "texticlike"},
        {"!~~*", "texticnlike"}, {"||", "textcat"},       {"~", "textregexeq"},
        {"!~", "textregexne"},   {"~*", "texticregexeq"}, {"!~*", "texticregexne"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], op) == 0) return map[i][1];
    return NULL;
}

/* ---- overload resolution ---- */

static bool is_pseudo(sql_type_id t)
{
    return t == FUNC_TYPE_ANY || t == FUNC_TYPE_ANYNONARRAY || t == FUNC_TYPE_ANYCOMPATIBLE ||
           t == FUNC_TYPE_ANYARRAY;
}

static char category_of(sql_type_id t)
{
    if (is_pseudo(t)) return 'P';
    const sql_type_info *ti = sql_type_info_of(t);
    return ti ? ti->category : 'X';
}

static bool is_preferred(sql_type_id t)
{
    const sql_type_info *ti = is_pseudo(t) ? NULL : sql_type_info_of(t);
    return ti && ti->preferred;
}

static sql_type_id param_type(const func_desc *d, int i)
{
    return i < d->nargs ? d->args[i] : d->args[d->nargs - 1];
}

static bool implicit_ok(sql_type_id from, sql_type_id to)
{
    return from == to || sql_cast_lookup(from, to) == SQL_CAST_IMPLICIT;
}

/* PostgreSQL's select_common_type for the anycompatible arguments; INVALID when none
 * fits. All-unknown resolves to text. */
static sql_type_id common_type(const func_desc *d, const sql_type_id *types, int nargs)
{
    sql_type_id common = SQL_TYPE_INVALID;
    for (int i = 0; i < nargs; i++) {
        sql_type_id t = types[i];
        if (param_type(d, i) != FUNC_TYPE_ANYCOMPATIBLE || t == SQL_TYPE_UNKNOWN) continue;
        if (common == SQL_TYPE_INVALID) {
            common = t;
            continue;
        }
        if (category_of(t) != category_of(common)) return SQL_TYPE_INVALID;
        if (!is_preferred(common) && implicit_ok(common, t) && !implicit_ok(t, common)) common = t;
    }
    if (common == SQL_TYPE_INVALID) return SQL_TYPE_TEXT;
    for (int i = 0; i < nargs; i++)
        if (param_type(d, i) == FUNC_TYPE_ANYCOMPATIBLE && !implicit_ok(types[i], common))
            return SQL_TYPE_INVALID;
    return common;
}

typedef struct cand {
    const func_desc *d;
    sql_type_id common;
} cand;

static bool arity_ok(const func_desc *d, int nargs)
{
    return d->variadic ? nargs >= d->nargs : nargs == d->nargs;
}

static bool coercible(const func_desc *d, const sql_type_id *types, int nargs, sql_type_id *common)
{
    *common = SQL_TYPE_INVALID;
    for (int i = 0; i < nargs; i++) {
        sql_type_id p = param_type(d, i), t = types[i];
        if (p == FUNC_TYPE_ANY || p == FUNC_TYPE_ANYCOMPATIBLE) continue;
        if (p == FUNC_TYPE_ANYNONARRAY) {
            if (category_of(t) == SQL_CAT_ARRAY) return false;
            continue;
        }
        if (p == FUNC_TYPE_ANYARRAY) {
            if (category_of(t) != SQL_CAT_ARRAY) return false;
            continue;
        }
        if (!implicit_ok(t, p)) return false;
    }
    for (int i = 0; i < nargs; i++) {
        if (param_type(d, i) != FUNC_TYPE_ANYCOMPATIBLE) continue;
        *common = common_type(d, types, nargs);
        return *common != SQL_TYPE_INVALID;
    }
    return true;
}

/* Keep the candidates with the highest score; returns the new count. */
static int keep_best(cand *c, int n, const int *score)
{
    int best = -1, k = 0;
    for (int i = 0; i < n; i++)
        if (score[i] > best) best = score[i];
    cand tmp[REGISTRY_MAX];
    for (int i = 0; i < n; i++)
        if (score[i] == best) tmp[k++] = c[i];
    memcpy(c, tmp, sizeof(cand) * (size_t)k);
    return k;
}

static int select_by_match(cand *c, int n, const sql_type_id *types, int nargs, bool preferred)
{
    int score[REGISTRY_MAX];
    for (int j = 0; j < n; j++) {
        score[j] = 0;
        for (int i = 0; i < nargs; i++) {
            sql_type_id p = param_type(c[j].d, i), t = types[i];
            if (t == SQL_TYPE_UNKNOWN) continue;
            if (p == t || (preferred && is_preferred(p) && category_of(p) == category_of(t)))
                score[j]++;
        }
    }
    return keep_best(c, n, score);
}

/* Unknown literals (PostgreSQL's func_select_candidate): at each unknown position the
 * string category if any candidate accepts it there, else the one category all
 * candidates agree on (a conflict resolves nothing); keep the candidates in those
 * categories, and the ones taking a preferred type where any does (all of them when that
 * would leave none). Then the last gasp: when the known arguments share one type, assume
 * the unknowns have it too; a unique candidate accepting that wins. */
static int select_by_unknowns(cand *c, int n, const sql_type_id *types, int nargs)
{
    char want[FUNC_CALL_ARGS_MAX];
    bool want_pref[FUNC_CALL_ARGS_MAX];
    bool resolved = true;
    for (int i = 0; i < nargs && resolved; i++) {
        if (types[i] != SQL_TYPE_UNKNOWN) continue;
        want[i] = 0;
        want_pref[i] = false;
        bool conflict = false;
        for (int j = 0; j < n; j++) {
            sql_type_id p = param_type(c[j].d, i);
            char cat = category_of(p);
            if (!want[i]) {
                want[i] = cat;
                want_pref[i] = is_preferred(p);
            } else if (cat == want[i]) {
                want_pref[i] |= is_preferred(p);
            } else if (cat == SQL_CAT_STRING) {
                want[i] = cat;
                want_pref[i] = is_preferred(p);
            } else {
                conflict = true;
            }
        }
        if (conflict && want[i] != SQL_CAT_STRING) resolved = false;
    }
    if (resolved) {
        int score[REGISTRY_MAX];
        for (int j = 0; j < n; j++) {
            score[j] = 1;
            for (int i = 0; i < nargs; i++) {
                if (types[i] != SQL_TYPE_UNKNOWN) continue;
                sql_type_id p = param_type(c[j].d, i);
                if (category_of(p) != want[i] || (want_pref[i] && !is_preferred(p))) score[j] = 0;
            }
        }
        n = keep_best(c, n, score);
        if (n == 1) return n;
    }
    sql_type_id known = SQL_TYPE_INVALID;
    for (int i = 0; i < nargs; i++) {
        if (types[i] == SQL_TYPE_UNKNOWN) continue;
        if (known == SQL_TYPE_INVALID) known = types[i];
        else if (known != types[i]) return n; /* no single known type: ambiguous */
    }
    if (known == SQL_TYPE_INVALID) return n;
    sql_type_id as_known[FUNC_CALL_ARGS_MAX];
    for (int i = 0; i < nargs; i++) as_known[i] = known;
    int hit = -1, hits = 0;
    for (int j = 0; j < n; j++) {
        sql_type_id common;
        if (coercible(c[j].d, as_known, nargs, &common)) hit = j, hits++;
    }
    if (hits != 1) return n;
    c[0] = c[hit];
    return 1;
}

static mice_status no_function(const char *name, const sql_type_id *types, int nargs,
                               bool ambiguous, sql_error *err)
{
    mice_buf b;
    buf_init(&b);
    for (int i = 0; i < nargs; i++) {
        char tn[SQL_TYPE_NAME_MAX];
        sql_type_format(sql_type_make(types[i], -1), tn, sizeof tn);
        buf_printf(&b, "%s%s", i ? ", " : "", tn);
    }
    if (ambiguous) {
        sqlerr_set(err, MICE_INVALID, "42725", "function %s(%.*s) is not unique", name, (int)b.n,
                   (const char *)b.p);
        sqlerr_hint(err, "Could not choose a best candidate function. "
                         "You might need to add explicit type casts.");
    } else {
        sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_FUNCTION,
                   "function %s(%.*s) does not exist", name, (int)b.n, (const char *)b.p);
        sqlerr_hint(err, "No function matches the given name and argument types. "
                         "You might need to add explicit type casts.");
    }
    buf_deinit(&b);
    return err ? err->code : (ambiguous ? MICE_INVALID : MICE_NOTFOUND);
}

static void fill_match(const cand *c, const sql_type_id *types, int nargs, func_match *out)
{
    out->desc = c->d;
    out->nargs = nargs;
    for (int i = 0; i < nargs; i++) {
        sql_type_id p = param_type(c->d, i);
        if (p == FUNC_TYPE_ANYCOMPATIBLE)
            p = c->common;
        else if (p == FUNC_TYPE_ANY || p == FUNC_TYPE_ANYARRAY)
            p = types[i];
        else if (p == FUNC_TYPE_ANYNONARRAY)
            p = types[i] == SQL_TYPE_UNKNOWN ? SQL_TYPE_TEXT : types[i];
        out->arg_types[i] = p;
    }
    if (c->d->ret == FUNC_TYPE_ANY &&
        nargs == 2) { /* nullif: an unknown side takes the other's type */
        sql_type_id *t = out->arg_types;
        if (t[0] == SQL_TYPE_UNKNOWN && t[1] != SQL_TYPE_UNKNOWN) t[0] = t[1];
        if (t[0] == SQL_TYPE_UNKNOWN) t[0] = SQL_TYPE_TEXT;
        if (t[1] == SQL_TYPE_UNKNOWN) t[1] = t[0];
    }
    out->ret = c->d->ret == FUNC_TYPE_ANYCOMPATIBLE ? c->common
               : c->d->ret == FUNC_TYPE_ANY         ? out->arg_types[0]
                                                    : c->d->ret;
    if (out->ret == SQL_TYPE_UNKNOWN) out->ret = SQL_TYPE_TEXT;
}

static bool name_in(const char *name, const char *const *names, int n_names)
{
    for (int i = 0; i < n_names; i++)
        if (strcmp(name, names[i]) == 0) return true;
    return false;
}

/* Candidates among the functions named names[0..n_names), resolved as one overload set
 * (a PostgreSQL operator's candidates are the functions behind its pg_operator rows). */
mice_status func__lookup_names(const char *const *names, int n_names, const sql_type_id *types,
                               int nargs, func_match *out, sql_error *err)
{
    cand c[REGISTRY_MAX];
    int n = 0;
    for (int t = 0; t < (int)TABLE_COUNT; t++) {
        for (int i = 0; i < *tables[t].count && n < REGISTRY_MAX; i++) {
            const func_desc *d = &tables[t].rows[i];
            sql_type_id common;
            if (!name_in(d->name, names, n_names) || !arity_ok(d, nargs)) continue;
            if (!coercible(d, types, nargs, &common)) continue;
            c[n++] = (cand){d, common};
        }
    }
    if (n > 1) n = select_by_match(c, n, types, nargs, false);
    if (n > 1) n = select_by_match(c, n, types, nargs, true);
    if (n > 1) n = select_by_unknowns(c, n, types, nargs);
    if (n != 1) return no_function(names[0], types, nargs, n > 1, err);
    fill_match(&c[0], types, nargs, out);
    return MICE_OK;
}

mice_status func_lookup(const char *name, const sql_type_id *types, int nargs, func_match *out,
                        sql_error *err)
{
    char nm[FUNC_NAME_MAX];
    if (nargs > FUNC_CALL_ARGS_MAX || nargs < 0)
        return sqlerr_set(err, MICE_LIMIT, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "cannot pass more than %d arguments to a function", FUNC_CALL_ARGS_MAX);
    if (!normalize_name(name, nm, sizeof nm)) return no_function(name, types, nargs, false, err);
    const char *names[1] = {nm};
    return func__lookup_names(names, 1, types, nargs, out, err);
}

/* ---- calls ---- */

mice_status func_call(const func_match *m, const sql_datum *args, int nargs, func_ctx *ctx,
                      sql_datum *out, sql_error *err)
{
    sql_datum cast[FUNC_CALL_ARGS_MAX];
    mice_assert(nargs == m->nargs);
    for (int i = 0; i < nargs; i++) {
        cast[i] = args[i];
        if (args[i].type == m->arg_types[i]) continue;
        if (m->desc->strict && args[i].is_null) {
            *out = datum_null(m->ret);
            return MICE_OK;
        }
        mice_status rc = datum_cast(&args[i], sql_type_make(m->arg_types[i], -1), SQL_CAST_IMPLICIT,
                                    ctx->vctx, ctx->arena, &cast[i], err);
        if (rc) return rc;
    }
    if (m->desc->strict) {
        for (int i = 0; i < nargs; i++) {
            if (cast[i].is_null) {
                *out = datum_null(m->ret);
                return MICE_OK;
            }
        }
    }
    return m->desc->fn(cast, nargs, ctx, out, err);
}

mice_status func_call_by_name(const char *name, const sql_datum *args, int nargs, func_ctx *ctx,
                              sql_datum *out, sql_error *err)
{
    sql_type_id types[FUNC_CALL_ARGS_MAX];
    if (nargs > FUNC_CALL_ARGS_MAX)
        return sqlerr_set(err, MICE_LIMIT, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                          "cannot pass more than %d arguments to a function", FUNC_CALL_ARGS_MAX);
    for (int i = 0; i < nargs; i++)
        types[i] = args[i].type;
    func_match *m = ARENA_NEW(ctx->arena, func_match);
    if (!m) return sqlerr_nomem(err);
    mice_status rc = func_lookup(name, types, nargs, m, err);
    if (rc) return rc;
    return func_call(m, args, nargs, ctx, out, err);
}

/* ---- special forms ---- */

static void extreme(const sql_datum *args, int nargs, const sql_value_ctx *vctx, int sign,
                    sql_datum *out)
{
    const sql_datum *best = NULL;
    for (int i = 0; i < nargs; i++) {
        if (args[i].is_null) continue;
        if (!best || datum_cmp(&args[i], best, vctx) * sign > 0) best = &args[i];
    }
    *out = best ? *best : datum_null(nargs ? args[0].type : SQL_TYPE_UNKNOWN);
}

void func_greatest(const sql_datum *args, int nargs, const sql_value_ctx *vctx, sql_datum *out)
{
    extreme(args, nargs, vctx, 1, out);
}

void func_least(const sql_datum *args, int nargs, const sql_value_ctx *vctx, sql_datum *out)
{
    extreme(args, nargs, vctx, -1, out);
}

void func_coalesce(const sql_datum *args, int nargs, sql_datum *out)
{
    for (int i = 0; i < nargs; i++) {
        if (!args[i].is_null) {
            *out = args[i];
            return;
        }
    }
    *out = datum_null(nargs ? args[0].type : SQL_TYPE_UNKNOWN);
}

void func_nullif(const sql_datum *a, const sql_datum *b, const sql_value_ctx *vctx, sql_datum *out)
{
    if (!a->is_null && !b->is_null && datum_equal(a, b, vctx))
        *out = datum_null(a->type);
    else
        *out = *a;
}
