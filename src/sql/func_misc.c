/* func_misc.c - session information, pg_typeof, version() and the variadic helpers
 * (coalesce, greatest, least, nullif, num_nulls, num_nonnulls) as callable functions. */
#include <string.h>

#include "base/buf.h"
#include "base/env.h"
#include "sql/func_int.h"
#include "sql/pgcatalog.h"
#include "sql/settings.h"

#define MICE_PG_VERSION_STRING                                                                     \
    "PostgreSQL 15.18 (MiceDB 0.1.0-dev) on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"

static mice_status name_out(func_ctx *c, const char *s, sql_datum *o, sql_error *e)
{
    if (!s) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    return func__text_out(c, s, strlen(s), o, e);
}

static mice_status f_version(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n;
    return name_out(c, MICE_PG_VERSION_STRING, o, e);
}

static mice_status f_current_user(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)a, (void)n;
    return name_out(c, c->current_user, o, e);
}

static mice_status f_session_user(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)a, (void)n;
    return name_out(c, c->session_user, o, e);
}

static mice_status f_current_database(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                      sql_error *e)
{
    (void)a, (void)n;
    return name_out(c, c->database, o, e);
}

static mice_status f_current_schema(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                    sql_error *e)
{
    (void)a, (void)n;
    if (c->pgcat) { /* the search path's first existing schema */
        const char *s;
        mice_status rc = pgcat_current_schema(c->pgcat, c->arena, &s, e);
        return rc ? rc : name_out(c, s, o, e);
    }
    return name_out(c, c->schema, o, e);
}

/* pg_sleep(seconds): returns void, shown as an empty string; polls the cancel flag. Without
 * a clock (ctx->env NULL: no executor, as in direct calls) it returns at once. */
static mice_status f_pg_sleep(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const mice_env *env = c->env;
    double secs = env ? a[0].v.f8 : 0;
    uint64_t total = secs > 0 ? (secs > 1e9 ? UINT64_MAX / 2 : (uint64_t)(secs * 1e9)) : 0;
    uint64_t start = env ? env_mono_ns(env) : 0;
    for (;;) {
        if (c->cancel && atomic_load(c->cancel))
            return sqlerr_set(e, MICE_ABORTED, "57014",
                              "canceling statement due to user request");
        uint64_t spent = env ? env_mono_ns(env) - start : total;
        if (spent >= total) break;
        uint64_t left = total - spent;
        env_sleep_ns(env, left < 10 * (uint64_t)MICE_NS_PER_MS ? left : 10 * (uint64_t)MICE_NS_PER_MS);
    }
    *o = datum_text(MICE_SLICE_LIT(""));
    return MICE_OK;
}

static mice_status f_backend_pid(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)e;
    *o = datum_int4(c->backend_pid);
    return MICE_OK;
}

/* regtype output is format_type's name; returned here as text. */
static mice_status f_pg_typeof(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    char name[SQL_TYPE_NAME_MAX];
    size_t len = sql_type_format(sql_type_make(a[0].type, -1), name, sizeof name);
    return func__text_out(c, name, len, o, e);
}

static mice_status count_nulls(const sql_datum *a, int n, bool nulls, sql_datum *o)
{
    int32_t k = 0;
    for (int i = 0; i < n; i++)
        k += a[i].is_null == nulls;
    *o = datum_int4(k);
    return MICE_OK;
}

static mice_status f_num_nulls(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)c, (void)e;
    return count_nulls(a, n, true, o);
}

static mice_status f_num_nonnulls(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)c, (void)e;
    return count_nulls(a, n, false, o);
}

static mice_status f_coalesce(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)c, (void)e;
    func_coalesce(a, n, o);
    return MICE_OK;
}

static mice_status f_greatest(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)e;
    func_greatest(a, n, c->vctx, o);
    return MICE_OK;
}

static mice_status f_least(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)e;
    func_least(a, n, c->vctx, o);
    return MICE_OK;
}

/* PostgreSQL's NULLIF keeps the first argument's type; the two must be comparable. */
static mice_status f_nullif(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    sql_datum x = a[0], y = a[1];
    if (x.type == SQL_TYPE_UNKNOWN) x.type = SQL_TYPE_TEXT;
    if (y.type == SQL_TYPE_UNKNOWN) y.type = sql_type_is_string(x.type) ? x.type : SQL_TYPE_TEXT;
    if (!datum_types_comparable(x.type, y.type)) {
        char ta[SQL_TYPE_NAME_MAX], tb[SQL_TYPE_NAME_MAX];
        sql_type_format(sql_type_make(x.type, -1), ta, sizeof ta);
        sql_type_format(sql_type_make(y.type, -1), tb, sizeof tb);
        return sqlerr_set(e, MICE_NOTFOUND, SQLSTATE_UNDEFINED_FUNCTION,
                          "operator does not exist: %s = %s", ta, tb);
    }
    func_nullif(&x, &y, c->vctx, o);
    return MICE_OK;
}

static mice_status no_settings(sql_error *e)
{
    return sqlerr_set(e, MICE_INVALID, SQLSTATE_INTERNAL_ERROR, "settings are not available here");
}

static mice_status f_current_setting(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                     sql_error *e)
{
    if (!c->settings) return no_settings(e);
    char *name = func__cstr(c, a[0].v.s);
    if (!name) return sqlerr_nomem(e);
    mice_buf b;
    buf_init(&b);
    bool is_null = false;
    mice_status rc = settings_current_setting(c->settings, name, n > 1 && a[1].v.b, &b, &is_null, e);
    if (!rc && is_null) *o = datum_null(SQL_TYPE_TEXT);
    else if (!rc) rc = func__text_from_buf(c, &b, o, e);
    buf_deinit(&b);
    return rc;
}

static mice_status f_set_config(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].is_null)
        return sqlerr_set(e, MICE_INVALID, "22004", "SET requires parameter name");
    if (!c->settings) return no_settings(e);
    char *name = func__cstr(c, a[0].v.s);
    char *value = a[1].is_null ? NULL : func__cstr(c, a[1].v.s);
    if (!name || (!a[1].is_null && !value)) return sqlerr_nomem(e);
    mice_buf b;
    buf_init(&b);
    bool local = !a[2].is_null && a[2].v.b;
    mice_status rc = settings_set_config(c->settings, name, value, local, &b, e);
    if (!rc) rc = func__text_from_buf(c, &b, o, e);
    buf_deinit(&b);
    return rc;
}

#define R FUNC__ROW
#define V FUNC__VROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define S FUNC_STABLE
#define ANYC FUNC_TYPE_ANYCOMPATIBLE
const func_desc func__misc_table[] = {
    R("version", T(TEXT), true, S, f_version, 0, 0),
    R("current_user", T(TEXT), true, S, f_current_user, 0, 0),
    R("current_role", T(TEXT), true, S, f_current_user, 0, 0),
    R("user", T(TEXT), true, S, f_current_user, 0, 0),
    R("session_user", T(TEXT), true, S, f_session_user, 0, 0),
    R("current_database", T(TEXT), true, S, f_current_database, 0, 0),
    R("current_catalog", T(TEXT), true, S, f_current_database, 0, 0),
    R("current_schema", T(TEXT), true, S, f_current_schema, 0, 0),
    R("pg_backend_pid", T(INT4), true, S, f_backend_pid, 0, 0),
    R("pg_sleep", T(TEXT), true, FUNC_VOLATILE, f_pg_sleep, 1, T(FLOAT8)),
    R("current_setting", T(TEXT), true, S, f_current_setting, 1, T(TEXT)),
    R("current_setting", T(TEXT), true, S, f_current_setting, 2, T(TEXT), T(BOOL)),
    R("set_config", T(TEXT), false, FUNC_VOLATILE, f_set_config, 3, T(TEXT), T(TEXT), T(BOOL)),
    R("pg_typeof", T(TEXT), false, S, f_pg_typeof, 1, FUNC_TYPE_ANY),
    V("num_nulls", T(INT4), false, I, f_num_nulls, 1, FUNC_TYPE_ANY),
    V("num_nonnulls", T(INT4), false, I, f_num_nonnulls, 1, FUNC_TYPE_ANY),
    V("coalesce", ANYC, false, I, f_coalesce, 1, ANYC),
    V("greatest", ANYC, false, I, f_greatest, 1, ANYC),
    V("least", ANYC, false, I, f_least, 1, ANYC),
    R("nullif", FUNC_TYPE_ANY, false, I, f_nullif, 2, FUNC_TYPE_ANY, FUNC_TYPE_ANY),
};
const int func__misc_count = sizeof func__misc_table / sizeof func__misc_table[0];
