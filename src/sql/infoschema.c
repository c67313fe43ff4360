/* infoschema.c - the rows of information_schema's schemata, tables, columns, views,
 * sequences, table_constraints, key_column_usage, constraint_column_usage and
 * check_constraints, as PostgreSQL 15 shows them (see pgcatalog.h). NOT NULL columns
 * appear as CHECK constraints named <schema oid>_<table oid>_<attnum>_not_null, as in
 * PostgreSQL. */
#include <stdio.h>
#include <string.h>

#include "sql/deparse.h"
#include "sql/pgcatalog_int.h"

static bool objects(pgcat_out *o, pgcat_objs *objs)
{
    if (o->rc) return false;
    mice_status rc = pgcat__objects(o->c, o->arena, objs, o->err);
    if (rc) pgcat__fail(o, rc);
    return rc == MICE_OK;
}

static const char *yes(bool b)
{
    return b ? "YES" : "NO";
}

static void catalog_cols(pgcat_out *o, const char *prefix, const char *schema, const char *name)
{
    char col[64];
    snprintf(col, sizeof col, "%s_catalog", prefix);
    pgcat__text(o, col, o->c->database);
    snprintf(col, sizeof col, "%s_schema", prefix);
    pgcat__text(o, col, schema);
    snprintf(col, sizeof col, "%s_name", prefix);
    pgcat__text(o, col, name);
}

static void fill_schemata(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    const char *owner = pgcat__user_name(o->c, o->arena, CATALOG_ID_ROOT_USER);
    static const char *const fixed[] = {"information_schema", "pg_catalog"};
    for (uint32_t i = 0; i < 2 + objs.n_schemas; i++) {
        pgcat__row(o);
        pgcat__text(o, "catalog_name", o->c->database);
        if (i < 2) {
            pgcat__text(o, "schema_name", fixed[i]);
            pgcat__text(o, "schema_owner", owner);
            continue;
        }
        const catalog_desc *s = objs.schemas[i - 2];
        pgcat__text(o, "schema_name", s->name);
        pgcat__text(o, "schema_owner", pgcat__user_name(o->c, o->arena, s->owner_id));
    }
}

static void table_row(pgcat_out *o, const char *schema, const char *name, bool view)
{
    pgcat__row(o);
    catalog_cols(o, "table", schema, name);
    pgcat__text(o, "table_type", view ? "VIEW" : "BASE TABLE");
    pgcat__text(o, "is_insertable_into", yes(!view));
    pgcat__text(o, "is_typed", "NO");
}

static void fill_tables(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind == CATALOG_SEQUENCE) continue;
        table_row(o, pgcat__schema_name(&objs, d->parent_id), d->name, d->kind == CATALOG_VIEW);
    }
    for (uint32_t i = 0; i < pgcat__n_rels; i++)
        table_row(o, pgcat__rels[i].schema, pgcat__rels[i].name, pgcat__rels[i].kind == 'v');
}

/* information_schema's data_type: format_type without modifiers, ARRAY for arrays. */
static const char *data_type(sql_type_id t, char *buf, size_t cap)
{
    const sql_type_info *ti = sql_type_info_of(t);
    if (ti && ti->category == SQL_CAT_ARRAY) return "ARRAY";
    if (t == SQL_TYPE_BPCHAR) return "character";
    sql_type_format(sql_type_make(t, -1), buf, cap);
    return buf;
}

static void type_facts(pgcat_out *o, sql_type t)
{
    int32_t len = sql_typmod_char_length(t.typmod);
    switch (t.id) {
    case SQL_TYPE_VARCHAR:
    case SQL_TYPE_BPCHAR:
    case SQL_TYPE_TEXT:
        if (len >= 0 && t.id != SQL_TYPE_TEXT) pgcat__int(o, "character_maximum_length", len);
        pgcat__int(o, "character_octet_length", len >= 0 ? len * 4 : 1073741824);
        return;
    case SQL_TYPE_INT2:
    case SQL_TYPE_INT4:
    case SQL_TYPE_INT8:
        pgcat__int(o, "numeric_precision",
                   t.id == SQL_TYPE_INT2   ? 16
                   : t.id == SQL_TYPE_INT4 ? 32
                                           : 64);
        pgcat__int(o, "numeric_precision_radix", 2);
        pgcat__int(o, "numeric_scale", 0);
        return;
    case SQL_TYPE_FLOAT4:
    case SQL_TYPE_FLOAT8:
        pgcat__int(o, "numeric_precision", t.id == SQL_TYPE_FLOAT4 ? 24 : 53);
        pgcat__int(o, "numeric_precision_radix", 2);
        return;
    case SQL_TYPE_NUMERIC:
        pgcat__int(o, "numeric_precision_radix", 10);
        if (!sql_typmod_numeric_valid(t.typmod)) return;
        pgcat__int(o, "numeric_precision", sql_typmod_numeric_precision(t.typmod));
        pgcat__int(o, "numeric_scale", sql_typmod_numeric_scale(t.typmod));
        return;
    case SQL_TYPE_DATE:
        pgcat__int(o, "datetime_precision", 0);
        return;
    case SQL_TYPE_TIME:
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ:
        pgcat__int(o, "datetime_precision", t.typmod >= 0 ? t.typmod : 6);
        return;
    default:
        return;
    }
}

static void column_row(pgcat_out *o, const char *schema, const char *table, const char *name,
                       sql_type t, uint32_t attnum, bool not_null, const char *def, char identity)
{
    char buf[SQL_TYPE_NAME_MAX], num[16];
    const sql_type_info *ti = sql_type_info_of(t.id);
    pgcat__row(o);
    catalog_cols(o, "table", schema, table);
    pgcat__text(o, "column_name", name);
    pgcat__int(o, "ordinal_position", attnum);
    pgcat__text(o, "column_default", def);
    pgcat__text(o, "is_nullable", yes(!not_null));
    pgcat__text(o, "data_type", data_type(t.id, buf, sizeof buf));
    type_facts(o, t);
    pgcat__text(o, "udt_catalog", o->c->database);
    pgcat__text(o, "udt_schema", "pg_catalog");
    pgcat__text(o, "udt_name", ti ? ti->typname : "?");
    snprintf(num, sizeof num, "%u", attnum);
    pgcat__text(o, "dtd_identifier", num);
    pgcat__text(o, "is_self_referencing", "NO");
    pgcat__text(o, "is_identity", yes(identity != 0));
    if (identity) pgcat__text(o, "identity_generation", identity == 'a' ? "ALWAYS" : "BY DEFAULT");
    pgcat__text(o, "identity_cycle", "NO");
    pgcat__text(o, "is_generated", "NEVER");
    pgcat__text(o, "is_updatable", "YES");
}

/* pg_get_expr(adbin, adrelid): the default as PostgreSQL prints it. */
static const char *default_text(pgcat_out *o, const catalog_desc *d, const catalog_column *col)
{
    if (!col->default_expr || o->rc) return NULL;
    mice_buf b;
    buf_init(&b);
    const char *tree = deparse_default_tree(o->arena, col->id, col->default_expr);
    mice_status rc = tree ? deparse_stored(o->c, d, mice_slice_str(tree), false, &b, o->err)
                          : sqlerr_nomem(o->err);
    const char *out = rc ? NULL : arena_strndup(o->arena, (const char *)b.p, b.n);
    buf_deinit(&b);
    if (rc) pgcat__fail(o, rc);
    return out;
}

static void fill_columns(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE && d->kind != CATALOG_VIEW) continue;
        const char *schema = pgcat__schema_name(&objs, d->parent_id);
        for (uint32_t c = 0; c < d->n_columns; c++) {
            const catalog_column *col = &d->columns[c];
            if (!pgcat__column_visible(d, c)) continue;
            column_row(o, schema, d->name, col->name, col->type, col->id, col->not_null,
                       default_text(o, d, col), col->identity);
        }
    }
    for (uint32_t i = 0; i < pgcat__n_rels; i++) {
        const pgcat_rel *r = &pgcat__rels[i];
        for (uint32_t c = 0; c < r->n_cols; c++)
            column_row(o, r->schema, r->name, r->cols[c].name, sql_type_make(r->cols[c].type, -1),
                       c + 1, false, NULL, 0);
    }
}

static void fill_views(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_VIEW) continue;
        pgcat__row(o);
        catalog_cols(o, "table", pgcat__schema_name(&objs, d->parent_id), d->name);
        pgcat__text(o, "view_definition", d->view_query);
        pgcat__text(o, "check_option", "NONE");
        pgcat__text(o, "is_updatable", "NO");
        pgcat__text(o, "is_insertable_into", "NO");
        pgcat__text(o, "is_trigger_updatable", "NO");
        pgcat__text(o, "is_trigger_deletable", "NO");
        pgcat__text(o, "is_trigger_insertable_into", "NO");
    }
}

static void fill_sequences(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_SEQUENCE) continue;
        const catalog_sequence_opts *s = &d->seq;
        int bits = s->max == INT16_MAX ? 16 : s->max == INT32_MAX ? 32 : 64;
        char v[32];
        pgcat__row(o);
        catalog_cols(o, "sequence", pgcat__schema_name(&objs, d->parent_id), d->name);
        pgcat__text(o, "data_type", bits == 16 ? "smallint" : bits == 32 ? "integer" : "bigint");
        pgcat__int(o, "numeric_precision", bits);
        pgcat__int(o, "numeric_precision_radix", 2);
        pgcat__int(o, "numeric_scale", 0);
        snprintf(v, sizeof v, "%lld", (long long)s->start);
        pgcat__text(o, "start_value", v);
        snprintf(v, sizeof v, "%lld", (long long)s->min);
        pgcat__text(o, "minimum_value", v);
        snprintf(v, sizeof v, "%lld", (long long)s->max);
        pgcat__text(o, "maximum_value", v);
        snprintf(v, sizeof v, "%lld", (long long)s->increment);
        pgcat__text(o, "increment", v);
        pgcat__text(o, "cycle_option", yes(s->cycle));
    }
}

/* One constraint of a table, for the constraint views. */
typedef struct con {
    const char *name;
    const char *type; /* PRIMARY KEY, UNIQUE, CHECK */
    const catalog_index *ix;
    const char *check; /* CHECK clause */
} con;

/* The constraints of d in PostgreSQL's order: checks (NOT NULL first), then keys. */
static uint32_t constraints(pgcat_out *o, const pgcat_objs *objs, const catalog_desc *d, con *out,
                            uint32_t cap)
{
    uint32_t n = 0;
    for (uint32_t c = 0; c < d->n_columns && n < cap; c++) {
        const catalog_column *col = &d->columns[c];
        if (!col->not_null || !pgcat__column_visible(d, c)) continue;
        char *name = arena_sprintf(o->arena, "%u_%u_%u_not_null", d->parent_id, d->id, col->id);
        char *check = arena_sprintf(o->arena, "%s IS NOT NULL", col->name);
        out[n++] = (con){.name = name, .type = "CHECK", .check = check};
    }
    (void)objs;
    for (uint32_t k = 0; k < d->n_checks && n < cap && o->rc == MICE_OK; k++) {
        /* PostgreSQL: pg_get_constraintdef without its "CHECK " */
        mice_buf b;
        buf_init(&b);
        mice_status rc = deparse_constraint(o->c, d, true, k, false, &b, o->err);
        const char *clause =
            rc || b.n < 6 ? NULL : arena_strndup(o->arena, (const char *)b.p + 6, b.n - 6);
        buf_deinit(&b);
        if (rc) pgcat__fail(o, rc);
        out[n++] = (con){.name = d->checks[k].name, .type = "CHECK", .check = clause};
    }
    for (uint32_t k = 0; k < d->n_indexes && n < cap; k++) {
        const catalog_index *ix = &d->indexes[k];
        if (pgcat_index_hidden(d, k) || !ix->constraint) continue;
        out[n++] =
            (con){.name = ix->name, .type = ix->primary ? "PRIMARY KEY" : "UNIQUE", .ix = ix};
    }
    return n;
}

enum { CONS_MAX = 256 };

static void fill_constraint_views(pgcat_out *o, int which)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE) continue;
        const char *schema = pgcat__schema_name(&objs, d->parent_id);
        con v[CONS_MAX];
        uint32_t n = constraints(o, &objs, d, v, CONS_MAX);
        for (uint32_t k = 0; k < n; k++) {
            if (which == 0) { /* table_constraints */
                pgcat__row(o);
                catalog_cols(o, "constraint", schema, v[k].name);
                catalog_cols(o, "table", schema, d->name);
                pgcat__text(o, "constraint_type", v[k].type);
                pgcat__text(o, "is_deferrable", "NO");
                pgcat__text(o, "initially_deferred", "NO");
                pgcat__text(o, "enforced", "YES");
                if (v[k].ix) pgcat__text(o, "nulls_distinct", "YES");
                continue;
            }
            if (which == 1) { /* check_constraints */
                if (!v[k].check) continue;
                pgcat__row(o);
                catalog_cols(o, "constraint", schema, v[k].name);
                pgcat__text(o, "check_clause", v[k].check);
                continue;
            }
            if (!v[k].ix) continue;
            for (uint32_t c = 0; c < v[k].ix->n_cols; c++) {
                int pos = catalog_column_pos(d, v[k].ix->col_ids[c]);
                if (pos < 0) continue;
                pgcat__row(o);
                catalog_cols(o, "constraint", schema, v[k].name);
                catalog_cols(o, "table", schema, d->name);
                pgcat__text(o, "column_name", d->columns[pos].name);
                if (which == 2) pgcat__int(o, "ordinal_position", c + 1); /* key_column_usage */
            }
        }
    }
}

static void fill_table_constraints(pgcat_out *o)
{
    fill_constraint_views(o, 0);
}

static void fill_check_constraints(pgcat_out *o)
{
    fill_constraint_views(o, 1);
}

static void fill_key_column_usage(pgcat_out *o)
{
    fill_constraint_views(o, 2);
}

static void fill_constraint_column_usage(pgcat_out *o)
{
    fill_constraint_views(o, 3);
}

static const struct {
    const char *name;
    void (*fill)(pgcat_out *o);
} fills[] = {
    {"check_constraints", fill_check_constraints},
    {"columns", fill_columns},
    {"constraint_column_usage", fill_constraint_column_usage},
    {"key_column_usage", fill_key_column_usage},
    {"schemata", fill_schemata},
    {"sequences", fill_sequences},
    {"table_constraints", fill_table_constraints},
    {"tables", fill_tables},
    {"views", fill_views},
};

void pgcat__infoschema_rows(pgcat_out *o)
{
    for (size_t i = 0; i < sizeof fills / sizeof fills[0]; i++)
        if (!strcmp(fills[i].name, o->rel->name)) {
            fills[i].fill(o);
            return;
        }
}
