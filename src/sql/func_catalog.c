/* func_catalog.c - the system information functions clients call with pg_catalog queries
 * (psql's \d, tab completion, pgbench, ORMs): current_schemas, format_type,
 * pg_get_userbyid, pg_table_is_visible (and the other *_is_visible), pg_get_indexdef,
 * pg_get_constraintdef, pg_get_expr, pg_get_viewdef, obj/col/shobj_description (no
 * comments: NULL), pg_encoding_to_char, the relation size functions (0: no estimate yet),
 * pg_size_pretty, has_*_privilege (true: no grants yet), pg_relation_is_publishable,
 * pg_get_function_result/arguments, pg_get_serial_sequence, to_regclass, ... They read the
 * catalog through func_ctx.pgcat (pgcatalog.h). */
#include <stdio.h>
#include <string.h>

#include "sql/array.h"
#include "sql/deparse.h"
#include "sql/func_int.h"
#include "sql/pgcatalog.h"

static mice_status no_catalog(sql_error *e)
{
    return sqlerr_set(e, MICE_INVALID, SQLSTATE_INTERNAL_ERROR, "no catalog in this context");
}

static mice_status str_out(func_ctx *c, sql_type_id t, const char *s, sql_datum *o, sql_error *e)
{
    if (!s) {
        *o = datum_null(t);
        return MICE_OK;
    }
    return func__bytes_out(c, t, s, strlen(s), o, e);
}

static mice_status buf_out(func_ctx *c, mice_buf *b, sql_datum *o, sql_error *e)
{
    return func__text_from_buf(c, b, o, e);
}

/* --- schemas, users, visibility ------------------------------------------------------ */

static mice_status f_current_schemas(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                     sql_error *e)
{
    (void)n;
    const pgcat_ctx *pc = c->pgcat;
    if (!pc) return no_catalog(e);
    static const char *const dflt[] = {"$user", "public"};
    const char *const *names = pc->sp && pc->sp->schemas ? pc->sp->schemas : dflt;
    uint32_t cnt = pc->sp && pc->sp->schemas ? pc->sp->n_schemas : 2;
    sql_datum *v = ARENA_NEW_ARRAY(c->arena, sql_datum, cnt + 2);
    if (!v) return sqlerr_nomem(e);
    uint32_t k = 0;
    bool listed = false;
    for (uint32_t i = 0; i < cnt; i++)
        listed |= !strcmp(names[i], "pg_catalog");
    if (a[0].v.b && !listed) v[k++] = datum_bytes(SQL_TYPE_NAME, mice_slice_str("pg_catalog"));
    for (uint32_t i = 0; i < cnt; i++) {
        const char *s = !strcmp(names[i], "$user") ? pc->user : names[i];
        if (!s || !s[0]) continue;
        bool exists = !strcmp(s, "pg_catalog") || !strcmp(s, "information_schema");
        catalog_desc *d;
        sql_error probe;
        if (!exists)
            exists =
                catalog_find_schema(pc->ct, pc->database_id, s, c->arena, &d, &probe) == MICE_OK;
        if (exists) v[k++] = datum_bytes(SQL_TYPE_NAME, mice_slice_str(s));
    }
    return array_build(SQL_TYPE_NAME_ARRAY, v, k, 1, c->arena, o, e);
}

static mice_status f_get_userbyid(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)n;
    if (!c->pgcat) return no_catalog(e);
    catalog_user **users;
    uint32_t cnt;
    mice_status rc = catalog_list_users(c->pgcat->ct, c->arena, &users, &cnt, e);
    if (rc) return rc;
    for (uint32_t i = 0; i < cnt; i++)
        if (users[i]->id == (uint32_t)a[0].v.i)
            return str_out(c, SQL_TYPE_NAME, users[i]->name, o, e);
    char buf[40];
    snprintf(buf, sizeof buf, "unknown (OID=%u)", (uint32_t)a[0].v.i);
    return str_out(c, SQL_TYPE_NAME, buf, o, e);
}

static mice_status f_table_is_visible(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                      sql_error *e)
{
    (void)n;
    if (!c->pgcat) return no_catalog(e);
    bool v;
    mice_status rc = pgcat_rel_visible(c->pgcat, (uint32_t)a[0].v.i, &v, e);
    if (!rc) *o = datum_bool(v);
    return rc;
}

static mice_status f_true(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)c, (void)e;
    *o = datum_bool(true);
    return MICE_OK;
}

static mice_status f_false(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)c, (void)e;
    *o = datum_bool(false);
    return MICE_OK;
}

static mice_status f_null_text(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)c, (void)e;
    *o = datum_null(SQL_TYPE_TEXT);
    return MICE_OK;
}

static mice_status f_zero_int8(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)c, (void)e;
    *o = datum_int8(0);
    return MICE_OK;
}

static mice_status f_zero_oid(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)a, (void)n, (void)c, (void)e;
    *o = (sql_datum){.type = SQL_TYPE_OID, .v.i = 0};
    return MICE_OK;
}

/* --- types ---------------------------------------------------------------------------- */

static mice_status f_format_type(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (a[0].is_null) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    uint32_t oid = (uint32_t)a[0].v.i;
    int32_t typmod = a[1].is_null ? -1 : (int32_t)a[1].v.i;
    if (oid == 0) return str_out(c, SQL_TYPE_TEXT, "-", o, e);
    if (!sql_type_known((sql_type_id)oid)) return str_out(c, SQL_TYPE_TEXT, "???", o, e);
    char buf[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make((sql_type_id)oid, typmod), buf, sizeof buf);
    return str_out(c, SQL_TYPE_TEXT, buf, o, e);
}

static mice_status f_encoding_to_char(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                      sql_error *e)
{
    (void)n;
    const char *s = a[0].v.i == 6 ? "UTF8" : a[0].v.i == 0 ? "SQL_ASCII" : "";
    return str_out(c, SQL_TYPE_NAME, s, o, e);
}

/* --- definitions -------------------------------------------------------------------- */

static mice_status f_indexdef(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    if (!c->pgcat) return no_catalog(e);
    catalog_desc *d;
    int32_t pos;
    mice_status rc = pgcat_table_of(c->pgcat, (uint32_t)a[0].v.i, c->arena, &d, &pos, e);
    if (rc) return rc;
    if (!d || pos < 0 || (uint32_t)a[0].v.i != pgcat_index_oid(d->id, d->indexes[pos].id)) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    int64_t column = n > 1 ? a[1].v.i : 0;
    mice_buf b;
    buf_init(&b);
    rc = deparse_index(c->pgcat, d, (uint32_t)pos, (int32_t)column, &b, e);
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return buf_out(c, &b, o, e);
}

static mice_status f_constraintdef(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                   sql_error *e)
{
    if (!c->pgcat) return no_catalog(e);
    uint32_t oid = (uint32_t)a[0].v.i, table_id, sub;
    if (!pgcat_split_oid(oid, PGCAT_OIDS_CONSTRAINT, &table_id, &sub)) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    catalog_desc *d;
    int32_t pos;
    mice_status rc = pgcat_table_of(c->pgcat, oid, c->arena, &d, &pos, e);
    if (rc) return rc;
    if (!d || pos < 0) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    bool pretty = n > 1 && a[1].v.b;
    mice_buf b;
    buf_init(&b);
    rc = deparse_constraint(c->pgcat, d, sub >= PGCAT_CONSTRAINT_CHECK_BASE, (uint32_t)pos, pretty,
                            &b, e);
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return buf_out(c, &b, o, e);
}

static mice_status f_get_expr(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    if (!c->pgcat) return no_catalog(e);
    if (a[0].is_null || a[1].is_null) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    catalog_desc *d;
    int32_t pos;
    mice_status rc = pgcat_table_of(c->pgcat, (uint32_t)a[1].v.i, c->arena, &d, &pos, e);
    if (rc) return rc;
    bool pretty = n > 2 && !a[2].is_null && a[2].v.b;
    mice_buf b;
    buf_init(&b);
    rc = deparse_stored(c->pgcat, d, a[0].v.s, pretty, &b, e);
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return buf_out(c, &b, o, e);
}

static mice_status f_viewdef(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (!c->pgcat) return no_catalog(e);
    catalog_desc *d;
    int32_t pos;
    mice_status rc = pgcat_table_of(c->pgcat, (uint32_t)a[0].v.i, c->arena, &d, &pos, e);
    if (rc) return rc;
    return str_out(c, SQL_TYPE_TEXT, d && d->kind == CATALOG_VIEW ? d->view_query : NULL, o, e);
}

static mice_status f_serial_sequence(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                     sql_error *e)
{
    (void)n;
    if (!c->pgcat) return no_catalog(e);
    uint32_t oid;
    mice_status rc = pgcat_reg_in(c->pgcat, SQL_TYPE_REGCLASS, a[0].v.s, &oid, e);
    if (rc) return rc;
    catalog_desc *d, *seq, *sd;
    int32_t pos;
    if ((rc = pgcat_table_of(c->pgcat, oid, c->arena, &d, &pos, e))) return rc;
    char *col = func__cstr(c, a[1].v.s);
    const catalog_column *cc = d && col ? catalog_column_by_name(d, col) : NULL;
    if (!cc)
        return sqlerr_set(e, MICE_INVALID, "42703",
                          "column \"%s\" of relation \"%s\" does not exist", col ? col : "?",
                          d ? d->name : "?");
    if (!cc->sequence_id) return str_out(c, SQL_TYPE_TEXT, NULL, o, e);
    if ((rc = catalog_get_desc(c->pgcat->ct, cc->sequence_id, c->arena, &seq, e))) return rc;
    if ((rc = catalog_get_desc(c->pgcat->ct, seq->parent_id, c->arena, &sd, e))) return rc;
    char *s = arena_sprintf(c->arena, "%s.%s", sd->name, seq->name);
    return str_out(c, SQL_TYPE_TEXT, s, o, e);
}

static mice_status f_to_regclass(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    if (!c->pgcat) return no_catalog(e);
    uint32_t oid;
    sql_error probe;
    *o = datum_null(SQL_TYPE_REGCLASS);
    if (pgcat_reg_in(c->pgcat, SQL_TYPE_REGCLASS, a[0].v.s, &oid, &probe) == MICE_OK)
        *o = (sql_datum){.type = SQL_TYPE_REGCLASS, .v.i = oid};
    (void)e;
    return MICE_OK;
}

/* --- functions ------------------------------------------------------------------------ */

static const func_desc *proc_of(uint32_t oid)
{
    if (oid < PGCAT_OID_PROC_BASE || oid - PGCAT_OID_PROC_BASE >= (uint32_t)func_registry_count())
        return NULL;
    return func_registry_at((int)(oid - PGCAT_OID_PROC_BASE));
}

static void type_name_of(sql_type_id t, mice_buf *b)
{
    static const struct {
        sql_type_id id;
        const char *name;
    } pseudo[] = {{FUNC_TYPE_ANY, "\"any\""},
                  {FUNC_TYPE_ANYNONARRAY, "anynonarray"},
                  {FUNC_TYPE_ANYCOMPATIBLE, "anycompatible"},
                  {FUNC_TYPE_VOID, "void"},
                  {FUNC_TYPE_ANYARRAY, "anyarray"}};
    for (size_t i = 0; i < sizeof pseudo / sizeof pseudo[0]; i++)
        if (pseudo[i].id == t) {
            buf_append_str(b, pseudo[i].name);
            return;
        }
    char tn[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(t, -1), tn, sizeof tn);
    buf_append_str(b, tn);
}

static mice_status f_function_result(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                     sql_error *e)
{
    (void)n;
    const func_desc *f = proc_of((uint32_t)a[0].v.i);
    if (!f) return str_out(c, SQL_TYPE_TEXT, NULL, o, e);
    mice_buf b;
    buf_init(&b);
    type_name_of(f->ret, &b);
    return buf_out(c, &b, o, e);
}

static mice_status f_function_arguments(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                        sql_error *e)
{
    (void)n;
    const func_desc *f = proc_of((uint32_t)a[0].v.i);
    if (!f) return str_out(c, SQL_TYPE_TEXT, NULL, o, e);
    mice_buf b;
    buf_init(&b);
    for (int i = 0; i < f->nargs; i++) {
        if (i) buf_append_str(&b, ", ");
        if (f->variadic && i == f->nargs - 1) buf_append_str(&b, "VARIADIC ");
        type_name_of(f->args[i], &b);
    }
    return buf_out(c, &b, o, e);
}

static mice_status f_functiondef(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    const func_desc *f = proc_of((uint32_t)a[0].v.i);
    if (!f) return str_out(c, SQL_TYPE_TEXT, NULL, o, e);
    mice_buf b;
    buf_init(&b);
    buf_printf(&b, "CREATE OR REPLACE FUNCTION pg_catalog.%s(", f->name);
    for (int i = 0; i < f->nargs; i++) {
        if (i) buf_append_str(&b, ", ");
        if (f->variadic && i == f->nargs - 1) buf_append_str(&b, "VARIADIC ");
        type_name_of(f->args[i], &b);
    }
    buf_append_str(&b, ")\n RETURNS ");
    type_name_of(f->ret, &b);
    buf_printf(&b, "\n LANGUAGE internal\n %s%s\nAS $function$%s$function$\n",
               f->volatility == FUNC_IMMUTABLE ? "IMMUTABLE"
               : f->volatility == FUNC_STABLE  ? "STABLE"
                                               : "VOLATILE",
               f->strict ? " STRICT" : "", f->name);
    return buf_out(c, &b, o, e);
}

static mice_status f_char_to_encoding(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                      sql_error *e)
{
    (void)n, (void)c, (void)e;
    mice_slice s = a[0].v.s;
    bool utf8 = (s.n == 4 && !strncasecmp((const char *)s.p, "utf8", 4)) ||
                (s.n == 5 && !strncasecmp((const char *)s.p, "utf-8", 5));
    bool ascii = s.n == 9 && !strncasecmp((const char *)s.p, "sql_ascii", 9);
    *o = datum_int4(utf8 ? 6 : ascii ? 0 : -1);
    return MICE_OK;
}

static mice_status f_database_encoding(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                       sql_error *e)
{
    (void)a, (void)n;
    return str_out(c, SQL_TYPE_NAME, "UTF8", o, e);
}

/* --- sizes ----------------------------------------------------------------------------- */

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

static mice_status f_size_pretty(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    int64_t v = a[0].v.i;
    if (a[0].type == SQL_TYPE_NUMERIC) {
        mice_status rc = numeric_to_int(a[0].v.num, 64, &v, e);
        if (rc) return rc;
    }
    /* PostgreSQL: bytes below 10 kB, else halve-rounded kB, MB, GB, TB, PB (one extra bit
     * kept for rounding) */
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    const int64_t limit = 10 * 1024, limit2 = limit * 2 - 1;
    int u = 0;
    int64_t size = v;
    if (magnitude(size) >= (uint64_t)limit) {
        size >>= 9;
        for (u = 1; magnitude(size) >= (uint64_t)limit2 && u < 5; u++)
            size >>= 10;
        size = (size + (size < 0 ? -1 : 1)) / 2;
    }
    char buf[48];
    snprintf(buf, sizeof buf, "%lld %s", (long long)size, units[u]);
    return str_out(c, SQL_TYPE_TEXT, buf, o, e);
}

#define R FUNC__ROW
#define T FUNC__T
#define S FUNC_STABLE
#define I FUNC_IMMUTABLE
const func_desc func__catalog_table[] = {
    R("current_schemas", T(NAME_ARRAY), true, S, f_current_schemas, 1, T(BOOL)),
    R("pg_get_userbyid", T(NAME), true, S, f_get_userbyid, 1, T(OID)),
    R("pg_table_is_visible", T(BOOL), true, S, f_table_is_visible, 1, T(OID)),
    R("pg_type_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_function_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_collation_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_opclass_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_operator_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_conversion_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_statistics_obj_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_ts_config_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_ts_dict_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_ts_parser_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_ts_template_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("pg_opfamily_is_visible", T(BOOL), true, S, f_true, 1, T(OID)),
    R("getdatabaseencoding", T(NAME), true, S, f_database_encoding, 0, 0),
    R("pg_char_to_encoding", T(INT4), true, S, f_char_to_encoding, 1, T(NAME)),
    R("pg_get_function_sqlbody", T(TEXT), true, S, f_null_text, 1, T(OID)),
    R("pg_get_functiondef", T(TEXT), true, S, f_functiondef, 1, T(OID)),
    R("format_type", T(TEXT), false, S, f_format_type, 2, T(OID), T(INT4)),
    R("pg_encoding_to_char", T(NAME), true, S, f_encoding_to_char, 1, T(INT4)),
    R("pg_get_indexdef", T(TEXT), true, S, f_indexdef, 1, T(OID)),
    R("pg_get_indexdef", T(TEXT), true, S, f_indexdef, 3, T(OID), T(INT4), T(BOOL)),
    R("pg_get_constraintdef", T(TEXT), true, S, f_constraintdef, 1, T(OID)),
    R("pg_get_constraintdef", T(TEXT), true, S, f_constraintdef, 2, T(OID), T(BOOL)),
    R("pg_get_expr", T(TEXT), false, S, f_get_expr, 2, T(PG_NODE_TREE), T(OID)),
    R("pg_get_expr", T(TEXT), false, S, f_get_expr, 3, T(PG_NODE_TREE), T(OID), T(BOOL)),
    R("pg_get_viewdef", T(TEXT), true, S, f_viewdef, 1, T(OID)),
    R("pg_get_viewdef", T(TEXT), true, S, f_viewdef, 2, T(OID), T(BOOL)),
    R("pg_get_serial_sequence", T(TEXT), true, S, f_serial_sequence, 2, T(TEXT), T(TEXT)),
    R("to_regclass", T(REGCLASS), true, S, f_to_regclass, 1, T(TEXT)),
    R("pg_get_function_result", T(TEXT), true, S, f_function_result, 1, T(OID)),
    R("pg_get_function_arguments", T(TEXT), true, S, f_function_arguments, 1, T(OID)),
    R("pg_get_function_identity_arguments", T(TEXT), true, S, f_function_arguments, 1, T(OID)),
    R("pg_get_statisticsobjdef_columns", T(TEXT), true, S, f_null_text, 1, T(OID)),
    R("pg_get_partkeydef", T(TEXT), true, S, f_null_text, 1, T(OID)),
    R("pg_get_triggerdef", T(TEXT), true, S, f_null_text, 1, T(OID)),
    R("pg_get_triggerdef", T(TEXT), true, S, f_null_text, 2, T(OID), T(BOOL)),
    R("pg_get_ruledef", T(TEXT), true, S, f_null_text, 1, T(OID)),
    R("pg_get_ruledef", T(TEXT), true, S, f_null_text, 2, T(OID), T(BOOL)),
    R("pg_tablespace_location", T(TEXT), true, S, f_null_text, 1, T(OID)),
    R("obj_description", T(TEXT), true, S, f_null_text, 1, T(OID)),
    R("obj_description", T(TEXT), true, S, f_null_text, 2, T(OID), T(NAME)),
    R("col_description", T(TEXT), true, S, f_null_text, 2, T(OID), T(INT4)),
    R("shobj_description", T(TEXT), true, S, f_null_text, 2, T(OID), T(NAME)),
    R("pg_relation_size", T(INT8), true, S, f_zero_int8, 1, T(REGCLASS)),
    R("pg_relation_size", T(INT8), true, S, f_zero_int8, 2, T(REGCLASS), T(TEXT)),
    R("pg_total_relation_size", T(INT8), true, S, f_zero_int8, 1, T(REGCLASS)),
    R("pg_table_size", T(INT8), true, S, f_zero_int8, 1, T(REGCLASS)),
    R("pg_indexes_size", T(INT8), true, S, f_zero_int8, 1, T(REGCLASS)),
    R("pg_database_size", T(INT8), true, S, f_zero_int8, 1, T(NAME)),
    R("pg_database_size", T(INT8), true, S, f_zero_int8, 1, T(OID)),
    R("pg_size_pretty", T(TEXT), true, I, f_size_pretty, 1, T(INT8)),
    R("pg_size_pretty", T(TEXT), true, I, f_size_pretty, 1, T(NUMERIC)),
    R("pg_relation_is_publishable", T(BOOL), true, S, f_false, 1, T(REGCLASS)),
    R("pg_is_in_recovery", T(BOOL), true, S, f_false, 0, 0),
    R("pg_is_other_temp_schema", T(BOOL), true, S, f_false, 1, T(OID)),
    R("pg_my_temp_schema", T(OID), true, S, f_zero_oid, 0, 0),
    R("has_table_privilege", T(BOOL), true, S, f_true, 2, T(TEXT), T(TEXT)),
    R("has_table_privilege", T(BOOL), true, S, f_true, 2, T(OID), T(TEXT)),
    R("has_table_privilege", T(BOOL), true, S, f_true, 3, T(NAME), T(TEXT), T(TEXT)),
    R("has_table_privilege", T(BOOL), true, S, f_true, 3, T(NAME), T(OID), T(TEXT)),
    R("has_schema_privilege", T(BOOL), true, S, f_true, 2, T(TEXT), T(TEXT)),
    R("has_schema_privilege", T(BOOL), true, S, f_true, 2, T(OID), T(TEXT)),
    R("has_schema_privilege", T(BOOL), true, S, f_true, 3, T(NAME), T(TEXT), T(TEXT)),
    R("has_schema_privilege", T(BOOL), true, S, f_true, 3, T(NAME), T(OID), T(TEXT)),
    R("has_database_privilege", T(BOOL), true, S, f_true, 2, T(TEXT), T(TEXT)),
    R("has_database_privilege", T(BOOL), true, S, f_true, 2, T(OID), T(TEXT)),
    R("has_database_privilege", T(BOOL), true, S, f_true, 3, T(NAME), T(TEXT), T(TEXT)),
    R("has_sequence_privilege", T(BOOL), true, S, f_true, 2, T(TEXT), T(TEXT)),
    R("has_sequence_privilege", T(BOOL), true, S, f_true, 2, T(OID), T(TEXT)),
    R("has_function_privilege", T(BOOL), true, S, f_true, 2, T(TEXT), T(TEXT)),
    R("has_function_privilege", T(BOOL), true, S, f_true, 2, T(OID), T(TEXT)),
    R("has_column_privilege", T(BOOL), true, S, f_true, 3, T(TEXT), T(TEXT), T(TEXT)),
    R("has_column_privilege", T(BOOL), true, S, f_true, 3, T(OID), T(INT2), T(TEXT)),
    R("has_any_column_privilege", T(BOOL), true, S, f_true, 2, T(TEXT), T(TEXT)),
    R("has_any_column_privilege", T(BOOL), true, S, f_true, 2, T(OID), T(TEXT)),
    R("pg_has_role", T(BOOL), true, S, f_true, 2, T(NAME), T(TEXT)),
    R("pg_has_role", T(BOOL), true, S, f_true, 3, T(NAME), T(NAME), T(TEXT)),
};
const int func__catalog_count = sizeof func__catalog_table / sizeof func__catalog_table[0];
