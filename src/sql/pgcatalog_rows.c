/* pgcatalog_rows.c - the rows of the pg_catalog relations that have any (see pgcatalog.h):
 * each is computed from the catalog (catalog_list / catalog_list_users), the type table,
 * the function registry and the session's settings. */
#include <stdio.h>
#include <string.h>

#include "sql/array.h"
#include "sql/deparse.h"
#include "sql/func.h"
#include "sql/pgcatalog_int.h"
#include "sql/settings.h"

static bool objects(pgcat_out *o, pgcat_objs *objs)
{
    if (o->rc) return false;
    mice_status rc = pgcat__objects(o->c, o->arena, objs, o->err);
    if (rc) pgcat__fail(o, rc);
    return rc == MICE_OK;
}

static sql_datum oid_datum(uint32_t v)
{
    return (sql_datum){.type = SQL_TYPE_OID, .v.i = v};
}

static char typalign(const sql_type_info *ti)
{
    switch (ti->typlen) {
    case 1:
    case -2:
    case 64:
        return 'c';
    case 2:
        return 's';
    case 8:
        return 'd';
    default:
        return 'i';
    }
}

static char typstorage(const sql_type_info *ti)
{
    if (ti->typlen > 0 || ti->typlen == -2) return 'p';
    return ti->id == SQL_TYPE_NUMERIC ? 'm' : 'x';
}

/* --- namespaces, relations, attributes ------------------------------------------------- */

static void ns_row(pgcat_out *o, uint32_t oid, const char *name, uint32_t owner)
{
    pgcat__row(o);
    pgcat__int(o, "oid", oid);
    pgcat__text(o, "nspname", name);
    pgcat__int(o, "nspowner", owner);
}

static void fill_namespace(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    ns_row(o, PGCAT_OID_NAMESPACE_CATALOG, "pg_catalog", CATALOG_ID_ROOT_USER);
    ns_row(o, PGCAT_OID_NAMESPACE_INFO, "information_schema", CATALOG_ID_ROOT_USER);
    for (uint32_t i = 0; i < objs.n_schemas; i++)
        ns_row(o, objs.schemas[i]->id, objs.schemas[i]->name, objs.schemas[i]->owner_id);
}

static uint32_t visible_columns(const catalog_desc *d)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->n_columns; i++)
        n += pgcat__column_visible(d, i);
    return n;
}

static bool has_index(const catalog_desc *d)
{
    for (uint32_t i = 0; i < d->n_indexes; i++)
        if (!pgcat_index_hidden(d, i)) return true;
    return false;
}

static void class_row(pgcat_out *o, uint32_t oid, const char *name, uint32_t ns, uint32_t owner,
                      char kind, uint32_t am, uint32_t natts)
{
    pgcat__row(o);
    pgcat__int(o, "oid", oid);
    pgcat__text(o, "relname", name);
    pgcat__int(o, "relnamespace", ns);
    pgcat__int(o, "reltype", 0);
    pgcat__int(o, "reloftype", 0);
    pgcat__int(o, "relowner", owner);
    pgcat__int(o, "relam", am);
    pgcat__int(o, "relfilenode", oid);
    pgcat__int(o, "reltablespace", 0);
    pgcat__int(o, "relpages", 0);
    pgcat__datum(o, "reltuples", datum_float4(kind == 'r' ? -1.0f : 0.0f));
    pgcat__int(o, "relallvisible", 0);
    pgcat__int(o, "reltoastrelid", 0);
    pgcat__bool(o, "relhasindex", false);
    pgcat__bool(o, "relisshared", false);
    pgcat__char(o, "relpersistence", 'p');
    pgcat__char(o, "relkind", kind);
    pgcat__int(o, "relnatts", natts);
    pgcat__int(o, "relchecks", 0);
    pgcat__bool(o, "relhasrules", false);
    pgcat__bool(o, "relhastriggers", false);
    pgcat__bool(o, "relhassubclass", false);
    pgcat__bool(o, "relrowsecurity", false);
    pgcat__bool(o, "relforcerowsecurity", false);
    pgcat__bool(o, "relispopulated", true);
    pgcat__char(o, "relreplident", kind == 'r' ? 'd' : 'n');
    pgcat__bool(o, "relispartition", false);
    pgcat__int(o, "relrewrite", 0);
    pgcat__int(o, "relfrozenxid", 0);
    pgcat__int(o, "relminmxid", 0);
}

static void fill_class(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        char kind = d->kind == CATALOG_TABLE ? 'r' : d->kind == CATALOG_VIEW ? 'v' : 'S';
        class_row(o, d->id, d->name, d->parent_id, d->owner_id, kind,
                  kind == 'r' ? PGCAT_OID_HEAP_AM : 0,
                  kind == 'r' || kind == 'v' ? visible_columns(d) : 3);
        if (d->kind != CATALOG_TABLE) continue;
        pgcat__bool(o, "relhasindex", has_index(d));
        pgcat__int(o, "relchecks", d->n_checks);
        for (uint32_t k = 0; k < d->n_indexes; k++) {
            if (pgcat_index_hidden(d, k)) continue;
            const catalog_index *ix = &d->indexes[k];
            class_row(o, pgcat_index_oid(d->id, ix->id), ix->name, d->parent_id, d->owner_id, 'i',
                      PGCAT_OID_BTREE_AM, ix->n_cols);
            pgcat__char(o, "relreplident", 'n');
        }
    }
    for (uint32_t i = 0; i < pgcat__n_rels; i++) {
        const pgcat_rel *r = &pgcat__rels[i];
        bool info = !strcmp(r->schema, "information_schema");
        class_row(o, r->oid, r->name, info ? PGCAT_OID_NAMESPACE_INFO : PGCAT_OID_NAMESPACE_CATALOG,
                  CATALOG_ID_ROOT_USER, r->kind, r->kind == 'r' ? PGCAT_OID_HEAP_AM : 0, r->n_cols);
    }
}

static void attr_row(pgcat_out *o, uint32_t rel, const char *name, sql_type t, int32_t attnum,
                     bool not_null, bool has_def, char identity)
{
    const sql_type_info *ti = sql_type_info_of(t.id);
    pgcat__row(o);
    pgcat__int(o, "attrelid", rel);
    pgcat__text(o, "attname", name);
    pgcat__int(o, "atttypid", t.id);
    pgcat__int(o, "attstattarget", -1);
    pgcat__int(o, "attlen", ti ? ti->typlen : -1);
    pgcat__int(o, "attnum", attnum);
    pgcat__int(o, "attndims",
               ti && ti->category == SQL_CAT_ARRAY && t.id != SQL_TYPE_INT2VECTOR &&
                   t.id != SQL_TYPE_OIDVECTOR);
    pgcat__int(o, "attcacheoff", -1);
    pgcat__int(o, "atttypmod", t.typmod);
    pgcat__bool(o, "attbyval", ti && ti->byval);
    pgcat__char(o, "attalign", ti ? typalign(ti) : 'i');
    pgcat__char(o, "attstorage", ti ? typstorage(ti) : 'x');
    pgcat__char(o, "attcompression", 0);
    pgcat__bool(o, "attnotnull", not_null);
    pgcat__bool(o, "atthasdef", has_def);
    pgcat__bool(o, "atthasmissing", false);
    pgcat__char(o, "attidentity", identity);
    pgcat__char(o, "attgenerated", 0);
    pgcat__bool(o, "attisdropped", false);
    pgcat__bool(o, "attislocal", true);
    pgcat__int(o, "attinhcount", 0);
    pgcat__int(o, "attcollation", pgcat__type_collation(t.id));
}

static void fill_attribute(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE && d->kind != CATALOG_VIEW) continue;
        for (uint32_t c = 0; c < d->n_columns; c++) {
            const catalog_column *col = &d->columns[c];
            if (!pgcat__column_visible(d, c)) continue;
            attr_row(o, d->id, col->name, col->type, (int32_t)col->id, col->not_null,
                     col->default_expr != NULL, col->identity);
        }
        for (uint32_t k = 0; k < d->n_indexes; k++) {
            if (pgcat_index_hidden(d, k)) continue;
            const catalog_index *ix = &d->indexes[k];
            for (uint32_t c = 0; c < ix->n_cols; c++) {
                int pos = catalog_column_pos(d, ix->col_ids[c]);
                if (pos < 0) continue;
                attr_row(o, pgcat_index_oid(d->id, ix->id), d->columns[pos].name,
                         d->columns[pos].type, (int32_t)c + 1, false, false, 0);
            }
        }
    }
    for (uint32_t i = 0; i < pgcat__n_rels; i++) {
        const pgcat_rel *r = &pgcat__rels[i];
        for (uint32_t c = 0; c < r->n_cols; c++)
            attr_row(o, r->oid, r->cols[c].name, sql_type_make(r->cols[c].type, -1), (int32_t)c + 1,
                     false, false, 0);
    }
}

/* --- indexes, constraints, defaults ---------------------------------------------------- */

static void index_cols(const catalog_desc *d, const catalog_index *ix, sql_datum *keys,
                       sql_datum *colls, sql_datum *classes, sql_datum *opts)
{
    for (uint32_t c = 0; c < ix->n_cols; c++) {
        int pos = catalog_column_pos(d, ix->col_ids[c]);
        keys[c] = datum_int2((int16_t)ix->col_ids[c]);
        colls[c] = oid_datum(pos >= 0 ? pgcat__type_collation(d->columns[pos].type.id) : 0);
        classes[c] = oid_datum(0);
        /* INDOPTION_DESC | INDOPTION_NULLS_FIRST: DESC puts NULLs first by default */
        opts[c] = datum_int2(ix->dirs[c] == KEYENC_DESC ? 3 : 0);
    }
}

static void fill_index(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE) continue;
        for (uint32_t k = 0; k < d->n_indexes; k++) {
            if (pgcat_index_hidden(d, k)) continue;
            const catalog_index *ix = &d->indexes[k];
            uint32_t n = ix->n_cols;
            sql_datum keys[n + 1], colls[n + 1], classes[n + 1], opts[n + 1];
            index_cols(d, ix, keys, colls, classes, opts);
            pgcat__row(o);
            pgcat__int(o, "indexrelid", pgcat_index_oid(d->id, ix->id));
            pgcat__int(o, "indrelid", d->id);
            pgcat__int(o, "indnatts", n);
            pgcat__int(o, "indnkeyatts", n);
            pgcat__bool(o, "indisunique", ix->unique);
            pgcat__bool(o, "indnullsnotdistinct", false);
            pgcat__bool(o, "indisprimary", ix->primary);
            pgcat__bool(o, "indisexclusion", false);
            pgcat__bool(o, "indimmediate", true);
            pgcat__bool(o, "indisclustered", false);
            pgcat__bool(o, "indisvalid", true);
            pgcat__bool(o, "indcheckxmin", false);
            pgcat__bool(o, "indisready", true);
            pgcat__bool(o, "indislive", true);
            pgcat__bool(o, "indisreplident", false);
            pgcat__array(o, "indkey", keys, n);
            pgcat__array(o, "indcollation", colls, n);
            pgcat__array(o, "indclass", classes, n);
            pgcat__array(o, "indoption", opts, n);
        }
    }
}

static void con_row(pgcat_out *o, const catalog_desc *d, uint32_t oid, const char *name, char type,
                    uint32_t index_oid)
{
    pgcat__row(o);
    pgcat__int(o, "oid", oid);
    pgcat__text(o, "conname", name);
    pgcat__int(o, "connamespace", d->parent_id);
    pgcat__char(o, "contype", type);
    pgcat__bool(o, "condeferrable", false);
    pgcat__bool(o, "condeferred", false);
    pgcat__bool(o, "convalidated", true);
    pgcat__int(o, "conrelid", d->id);
    pgcat__int(o, "contypid", 0);
    pgcat__int(o, "conindid", index_oid);
    pgcat__int(o, "conparentid", 0);
    pgcat__int(o, "confrelid", 0);
    pgcat__char(o, "confupdtype", ' ');
    pgcat__char(o, "confdeltype", ' ');
    pgcat__char(o, "confmatchtype", ' ');
    pgcat__bool(o, "conislocal", true);
    pgcat__int(o, "coninhcount", 0);
    pgcat__bool(o, "connoinherit", type == 'c' ? false : true);
}

static void fill_constraint(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE) continue;
        for (uint32_t k = 0; k < d->n_indexes; k++) {
            const catalog_index *ix = &d->indexes[k];
            if (pgcat_index_hidden(d, k) || !ix->constraint) continue;
            con_row(o, d, pgcat_constraint_oid(d->id, ix->id), ix->name, ix->primary ? 'p' : 'u',
                    pgcat_index_oid(d->id, ix->id));
            sql_datum keys[ix->n_cols + 1];
            for (uint32_t c = 0; c < ix->n_cols; c++)
                keys[c] = datum_int2((int16_t)ix->col_ids[c]);
            pgcat__array(o, "conkey", keys, ix->n_cols);
        }
        for (uint32_t k = 0; k < d->n_checks; k++) {
            con_row(o, d, pgcat_constraint_oid(d->id, PGCAT_CONSTRAINT_CHECK_BASE + k),
                    d->checks[k].name, 'c', 0);
            pgcat__text(o, "conbin", deparse_check_tree(o->arena, d->checks[k].expr));
            uint32_t ids[64], n = 0;
            if (o->rc == MICE_OK &&
                deparse_columns(o->c, d, d->checks[k].expr, ids, 64, &n, o->err) == MICE_OK) {
                sql_datum keys[64];
                for (uint32_t c = 0; c < n; c++)
                    keys[c] = datum_int2((int16_t)ids[c]);
                pgcat__array(o, "conkey", keys, n);
            }
        }
    }
}

static void fill_attrdef(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE) continue;
        for (uint32_t c = 0; c < d->n_columns; c++) {
            const catalog_column *col = &d->columns[c];
            if (!col->default_expr || !pgcat__column_visible(d, c)) continue;
            pgcat__row(o);
            pgcat__int(o, "oid", pgcat_attrdef_oid(d->id, col->id));
            pgcat__int(o, "adrelid", d->id);
            pgcat__int(o, "adnum", col->id);
            pgcat__text(o, "adbin", deparse_default_tree(o->arena, col->id, col->default_expr));
        }
    }
}

static int64_t seq_type(const catalog_desc *d)
{
    return d->seq.max == INT16_MAX   ? SQL_TYPE_INT2
           : d->seq.max == INT32_MAX ? SQL_TYPE_INT4
                                     : SQL_TYPE_INT8;
}

static void fill_sequence(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_SEQUENCE) continue;
        pgcat__row(o);
        pgcat__int(o, "seqrelid", d->id);
        pgcat__int(o, "seqtypid", seq_type(d));
        pgcat__int(o, "seqstart", d->seq.start);
        pgcat__int(o, "seqincrement", d->seq.increment);
        pgcat__int(o, "seqmax", d->seq.max);
        pgcat__int(o, "seqmin", d->seq.min);
        pgcat__int(o, "seqcache", d->seq.cache);
        pgcat__bool(o, "seqcycle", d->seq.cycle);
    }
}

static void fill_depend(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    const pgcat_rel *pg_class = pgcat_find("pg_catalog", "pg_class");
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE) continue;
        for (uint32_t c = 0; c < d->n_columns; c++) {
            const catalog_column *col = &d->columns[c];
            if (!col->sequence_id) continue;
            pgcat__row(o);
            pgcat__int(o, "classid", pg_class->oid);
            pgcat__int(o, "objid", col->sequence_id);
            pgcat__int(o, "objsubid", 0);
            pgcat__int(o, "refclassid", pg_class->oid);
            pgcat__int(o, "refobjid", d->id);
            pgcat__int(o, "refobjsubid", col->id);
            pgcat__char(o, "deptype", col->identity ? 'i' : 'a');
        }
    }
}

/* --- types and functions --------------------------------------------------------------- */

static void pseudo_rows(pgcat_out *o)
{
    const pgcat_pseudo *p;
    for (size_t i = 0; (p = pgcat__pseudo_at(i)) != NULL; i++) {
        pgcat__row(o);
        pgcat__int(o, "oid", p->oid);
        pgcat__text(o, "typname", p->typname);
        pgcat__int(o, "typnamespace", PGCAT_OID_NAMESPACE_CATALOG);
        pgcat__int(o, "typowner", CATALOG_ID_ROOT_USER);
        pgcat__int(o, "typlen", p->oid == 2275 ? -2 : 4);
        pgcat__bool(o, "typbyval", p->oid != 2275);
        pgcat__char(o, "typtype", 'p');
        pgcat__char(o, "typcategory", 'P');
        pgcat__bool(o, "typispreferred", false);
        pgcat__bool(o, "typisdefined", true);
        pgcat__char(o, "typdelim", ',');
        pgcat__char(o, "typalign", p->oid == 2275 ? 'c' : 'i');
        pgcat__char(o, "typstorage", 'p');
        pgcat__int(o, "typtypmod", -1);
    }
}

static void fill_type(pgcat_out *o)
{
    pseudo_rows(o);
    const sql_type_info *ti;
    for (size_t i = 0; (ti = sql_type_info_at(i)) != NULL; i++) {
        if (ti->id == SQL_TYPE_ANYARRAY) continue; /* a pseudo-type row above */
        bool pseudo = ti->id == SQL_TYPE_UNKNOWN;
        pgcat__row(o);
        pgcat__int(o, "oid", ti->id);
        pgcat__text(o, "typname", ti->typname);
        pgcat__int(o, "typnamespace", PGCAT_OID_NAMESPACE_CATALOG);
        pgcat__int(o, "typowner", CATALOG_ID_ROOT_USER);
        pgcat__int(o, "typlen", ti->typlen);
        pgcat__bool(o, "typbyval", ti->byval);
        pgcat__char(o, "typtype", pseudo ? 'p' : 'b');
        pgcat__char(o, "typcategory", ti->category);
        pgcat__bool(o, "typispreferred", ti->preferred);
        pgcat__bool(o, "typisdefined", true);
        pgcat__char(o, "typdelim", ',');
        pgcat__int(o, "typrelid", 0);
        pgcat__int(o, "typsubscript", 0);
        pgcat__int(o, "typelem", ti->elem);
        pgcat__int(o, "typarray", ti->array);
        bool arr = array_type_is(ti->id) && ti->id != SQL_TYPE_INT2VECTOR &&
                   ti->id != SQL_TYPE_OIDVECTOR;
        pgcat__int(o, "typinput", arr ? PGCAT_OID_ARRAY_IN : 0);
        pgcat__int(o, "typoutput", arr ? PGCAT_OID_ARRAY_OUT : 0);
        pgcat__int(o, "typreceive", arr ? PGCAT_OID_ARRAY_RECV : 0);
        pgcat__int(o, "typsend", arr ? PGCAT_OID_ARRAY_SEND : 0);
        pgcat__int(o, "typmodin", 0);
        pgcat__int(o, "typmodout", 0);
        pgcat__int(o, "typanalyze", 0);
        pgcat__char(o, "typalign", typalign(ti));
        pgcat__char(o, "typstorage", typstorage(ti));
        pgcat__bool(o, "typnotnull", false);
        pgcat__int(o, "typbasetype", 0);
        pgcat__int(o, "typtypmod", -1);
        pgcat__int(o, "typndims", 0);
        pgcat__int(o, "typcollation", pgcat__type_collation(ti->id));
    }
}

/* Aggregates and set-returning functions live outside the function registry. */
static const struct {
    const char *name;
    char kind;
    bool retset;
    sql_type_id ret, arg;
} extra_procs[] = {
    {"count", 'a', false, SQL_TYPE_INT8, FUNC_TYPE_ANY},
    {"sum", 'a', false, SQL_TYPE_NUMERIC, SQL_TYPE_NUMERIC},
    {"avg", 'a', false, SQL_TYPE_NUMERIC, SQL_TYPE_NUMERIC},
    {"min", 'a', false, SQL_TYPE_ANYARRAY, SQL_TYPE_ANYARRAY},
    {"max", 'a', false, SQL_TYPE_ANYARRAY, SQL_TYPE_ANYARRAY},
    {"bool_and", 'a', false, SQL_TYPE_BOOL, SQL_TYPE_BOOL},
    {"bool_or", 'a', false, SQL_TYPE_BOOL, SQL_TYPE_BOOL},
    {"every", 'a', false, SQL_TYPE_BOOL, SQL_TYPE_BOOL},
    {"string_agg", 'a', false, SQL_TYPE_TEXT, SQL_TYPE_TEXT},
    {"generate_series", 'f', true, SQL_TYPE_INT8, SQL_TYPE_INT8},
    {"unnest", 'f', true, SQL_TYPE_ANYARRAY, SQL_TYPE_ANYARRAY},
};

static void proc_row(pgcat_out *o, uint32_t oid, const char *name, char kind, bool strict,
                     char volatility, bool retset, sql_type_id ret, const sql_datum *args,
                     uint32_t nargs, sql_type_id variadic)
{
    pgcat__row(o);
    pgcat__int(o, "oid", oid);
    pgcat__text(o, "proname", name);
    pgcat__int(o, "pronamespace", PGCAT_OID_NAMESPACE_CATALOG);
    pgcat__int(o, "proowner", CATALOG_ID_ROOT_USER);
    pgcat__int(o, "prolang", 12); /* internal */
    pgcat__datum(o, "procost", datum_float4(1));
    pgcat__datum(o, "prorows", datum_float4(retset ? 1000 : 0));
    pgcat__int(o, "provariadic", variadic);
    pgcat__int(o, "prosupport", 0);
    pgcat__char(o, "prokind", kind);
    pgcat__bool(o, "prosecdef", false);
    pgcat__bool(o, "proleakproof", false);
    pgcat__bool(o, "proisstrict", strict);
    pgcat__bool(o, "proretset", retset);
    pgcat__char(o, "provolatile", volatility);
    pgcat__char(o, "proparallel", 's');
    pgcat__int(o, "pronargs", nargs);
    pgcat__int(o, "pronargdefaults", 0);
    pgcat__int(o, "prorettype", ret);
    pgcat__array(o, "proargtypes", args, nargs);
    pgcat__text(o, "prosrc", name);
}

static void fill_proc(pgcat_out *o)
{
    int n = func_registry_count();
    for (int i = 0; i < n; i++) {
        const func_desc *f = func_registry_at(i);
        sql_datum args[FUNC_DECL_ARGS_MAX];
        for (int k = 0; k < f->nargs; k++)
            args[k] = oid_datum(f->args[k]);
        proc_row(o, PGCAT_OID_PROC_BASE + (uint32_t)i, f->name, 'f', f->strict, (char)f->volatility,
                 false, f->ret, args, (uint32_t)f->nargs, f->variadic ? f->args[f->nargs - 1] : 0);
    }
    for (size_t i = 0; i < sizeof extra_procs / sizeof extra_procs[0]; i++) {
        sql_datum arg = oid_datum(extra_procs[i].arg);
        proc_row(o, PGCAT_OID_PROC_BASE + (uint32_t)(n + (int)i), extra_procs[i].name,
                 extra_procs[i].kind, false, 'i', extra_procs[i].retset, extra_procs[i].ret, &arg,
                 1, 0);
    }
}

/* --- databases, roles, settings --------------------------------------------------------- */

static void fill_database(pgcat_out *o)
{
    catalog_desc **dbs;
    uint32_t n;
    mice_status rc = catalog_list(o->c->ct, 0, o->arena, &dbs, &n, o->err);
    if (rc) return pgcat__fail(o, rc);
    for (uint32_t i = 0; i < n; i++) {
        pgcat__row(o);
        pgcat__int(o, "oid", dbs[i]->id);
        pgcat__text(o, "datname", dbs[i]->name);
        pgcat__int(o, "datdba", dbs[i]->owner_id);
        pgcat__int(o, "encoding", 6); /* UTF8 */
        pgcat__char(o, "datlocprovider", 'c');
        pgcat__bool(o, "datistemplate", false);
        pgcat__bool(o, "datallowconn", true);
        pgcat__int(o, "datconnlimit", -1);
        pgcat__int(o, "datfrozenxid", 0);
        pgcat__int(o, "datminmxid", 1);
        pgcat__int(o, "dattablespace", PGCAT_OID_DEFAULT_TABLESPACE);
        pgcat__text(o, "datcollate", "C");
        pgcat__text(o, "datctype", "C");
    }
}

static void fill_roles(pgcat_out *o, bool authid, bool user_view)
{
    catalog_user **users;
    uint32_t n;
    mice_status rc = catalog_list_users(o->c->ct, o->arena, &users, &n, o->err);
    if (rc) return pgcat__fail(o, rc);
    for (uint32_t i = 0; i < n; i++) {
        const catalog_user *u = users[i];
        pgcat__row(o);
        if (user_view) { /* pg_user, pg_shadow */
            pgcat__text(o, "usename", u->name);
            pgcat__int(o, "usesysid", u->id);
            pgcat__bool(o, "usecreatedb", u->superuser);
            pgcat__bool(o, "usesuper", u->superuser);
            pgcat__bool(o, "userepl", u->superuser);
            pgcat__bool(o, "usebypassrls", u->superuser);
            pgcat__text(o, "passwd", authid ? u->password : "********");
            continue;
        }
        pgcat__int(o, "oid", u->id);
        pgcat__text(o, "rolname", u->name);
        pgcat__bool(o, "rolsuper", u->superuser);
        pgcat__bool(o, "rolinherit", true);
        pgcat__bool(o, "rolcreaterole", u->superuser);
        pgcat__bool(o, "rolcreatedb", u->superuser);
        pgcat__bool(o, "rolcanlogin", u->login);
        pgcat__bool(o, "rolreplication", u->superuser);
        pgcat__bool(o, "rolbypassrls", u->superuser);
        pgcat__int(o, "rolconnlimit", -1);
        pgcat__text(o, "rolpassword", authid ? u->password : "********");
    }
}

static void fill_authid(pgcat_out *o)
{
    fill_roles(o, true, false);
}

static void fill_roles_view(pgcat_out *o)
{
    fill_roles(o, false, false);
}

static void fill_user(pgcat_out *o)
{
    fill_roles(o, false, true);
}

static void fill_shadow(pgcat_out *o)
{
    fill_roles(o, true, true);
}

static void setting_row(const char *name, const char *setting, const char *description, void *arg)
{
    pgcat_out *o = arg;
    pgcat__row(o);
    pgcat__text(o, "name", name);
    pgcat__text(o, "setting", setting);
    pgcat__text(o, "category", "Ungrouped");
    pgcat__text(o, "short_desc", description);
    pgcat__text(o, "context", "user");
    pgcat__text(o, "vartype", "string");
    pgcat__text(o, "source", "default");
    pgcat__text(o, "boot_val", setting);
    pgcat__text(o, "reset_val", setting);
    pgcat__bool(o, "pending_restart", false);
}

static void fill_settings(pgcat_out *o)
{
    if (o->c->settings) settings_show_all(o->c->settings, setting_row, o);
}

/* --- small fixed catalogs ---------------------------------------------------------------- */

static void fill_am(pgcat_out *o)
{
    static const struct {
        uint32_t oid;
        const char *name;
        char type;
    } ams[] = {
        {PGCAT_OID_HEAP_AM, "heap", 't'}, {PGCAT_OID_BTREE_AM, "btree", 'i'}, {405, "hash", 'i'}};
    for (size_t i = 0; i < sizeof ams / sizeof ams[0]; i++) {
        pgcat__row(o);
        pgcat__int(o, "oid", ams[i].oid);
        pgcat__text(o, "amname", ams[i].name);
        pgcat__int(o, "amhandler", 0);
        pgcat__char(o, "amtype", ams[i].type);
    }
}

static void fill_collation(pgcat_out *o)
{
    static const struct {
        uint32_t oid;
        const char *name;
        char provider;
    } colls[] = {
        {PGCAT_OID_DEFAULT_COLLATION, "default", 'd'}, {950, "C", 'c'}, {951, "POSIX", 'c'}};
    for (size_t i = 0; i < sizeof colls / sizeof colls[0]; i++) {
        pgcat__row(o);
        pgcat__int(o, "oid", colls[i].oid);
        pgcat__text(o, "collname", colls[i].name);
        pgcat__int(o, "collnamespace", PGCAT_OID_NAMESPACE_CATALOG);
        pgcat__int(o, "collowner", CATALOG_ID_ROOT_USER);
        pgcat__char(o, "collprovider", colls[i].provider);
        pgcat__bool(o, "collisdeterministic", true);
        pgcat__int(o, "collencoding", -1);
        if (colls[i].provider == 'c') {
            pgcat__text(o, "collcollate", colls[i].name);
            pgcat__text(o, "collctype", colls[i].name);
        }
    }
}

static void fill_tablespace(pgcat_out *o)
{
    static const char *const names[] = {"pg_default", "pg_global"};
    for (uint32_t i = 0; i < 2; i++) {
        pgcat__row(o);
        pgcat__int(o, "oid", PGCAT_OID_DEFAULT_TABLESPACE + i);
        pgcat__text(o, "spcname", names[i]);
        pgcat__int(o, "spcowner", CATALOG_ID_ROOT_USER);
    }
}

static void fill_language(pgcat_out *o)
{
    static const char *const names[] = {"internal", "c", "sql"};
    for (uint32_t i = 0; i < 3; i++) {
        pgcat__row(o);
        pgcat__int(o, "oid", 12 + i);
        pgcat__text(o, "lanname", names[i]);
        pgcat__int(o, "lanowner", CATALOG_ID_ROOT_USER);
        pgcat__bool(o, "lanispl", false);
        pgcat__bool(o, "lanpltrusted", i == 2);
        pgcat__int(o, "lanplcallfoid", 0);
        pgcat__int(o, "laninline", 0);
        pgcat__int(o, "lanvalidator", 0);
    }
}

/* --- the convenience views: pg_tables, pg_indexes, pg_views, pg_sequences -------------- */

static void fill_tables(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE) continue;
        pgcat__row(o);
        pgcat__text(o, "schemaname", pgcat__schema_name(&objs, d->parent_id));
        pgcat__text(o, "tablename", d->name);
        pgcat__text(o, "tableowner", pgcat__user_name(o->c, o->arena, d->owner_id));
        pgcat__bool(o, "hasindexes", has_index(d));
        pgcat__bool(o, "hasrules", false);
        pgcat__bool(o, "hastriggers", false);
        pgcat__bool(o, "rowsecurity", false);
    }
    for (uint32_t i = 0; i < pgcat__n_rels; i++) {
        const pgcat_rel *r = &pgcat__rels[i];
        if (r->kind != 'r') continue;
        pgcat__row(o);
        pgcat__text(o, "schemaname", r->schema);
        pgcat__text(o, "tablename", r->name);
        pgcat__text(o, "tableowner", pgcat__user_name(o->c, o->arena, CATALOG_ID_ROOT_USER));
        pgcat__bool(o, "hasindexes", false);
        pgcat__bool(o, "hasrules", false);
        pgcat__bool(o, "hastriggers", false);
        pgcat__bool(o, "rowsecurity", false);
    }
}

static void fill_indexes(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_TABLE) continue;
        const char *schema = pgcat__schema_name(&objs, d->parent_id);
        for (uint32_t k = 0; k < d->n_indexes; k++) {
            if (pgcat_index_hidden(d, k)) continue;
            mice_buf def;
            buf_init(&def);
            pgcat__indexdef(d, k, schema, &def);
            buf_append_u8(&def, 0);
            pgcat__row(o);
            pgcat__text(o, "schemaname", schema);
            pgcat__text(o, "tablename", d->name);
            pgcat__text(o, "indexname", d->indexes[k].name);
            pgcat__text(o, "indexdef", (const char *)def.p);
            buf_deinit(&def);
        }
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
        pgcat__text(o, "schemaname", pgcat__schema_name(&objs, d->parent_id));
        pgcat__text(o, "viewname", d->name);
        pgcat__text(o, "viewowner", pgcat__user_name(o->c, o->arena, d->owner_id));
        pgcat__text(o, "definition", d->view_query);
    }
    for (uint32_t i = 0; i < pgcat__n_rels; i++) {
        const pgcat_rel *r = &pgcat__rels[i];
        if (r->kind != 'v') continue;
        pgcat__row(o);
        pgcat__text(o, "schemaname", r->schema);
        pgcat__text(o, "viewname", r->name);
        pgcat__text(o, "viewowner", pgcat__user_name(o->c, o->arena, CATALOG_ID_ROOT_USER));
    }
}

static void fill_sequences(pgcat_out *o)
{
    pgcat_objs objs;
    if (!objects(o, &objs)) return;
    for (uint32_t i = 0; i < objs.n_rels; i++) {
        const catalog_desc *d = objs.rels[i];
        if (d->kind != CATALOG_SEQUENCE) continue;
        pgcat__row(o);
        pgcat__text(o, "schemaname", pgcat__schema_name(&objs, d->parent_id));
        pgcat__text(o, "sequencename", d->name);
        pgcat__text(o, "sequenceowner", pgcat__user_name(o->c, o->arena, d->owner_id));
        pgcat__int(o, "data_type", seq_type(d));
        pgcat__int(o, "start_value", d->seq.start);
        pgcat__int(o, "min_value", d->seq.min);
        pgcat__int(o, "max_value", d->seq.max);
        pgcat__int(o, "increment_by", d->seq.increment);
        pgcat__bool(o, "cycle", d->seq.cycle);
        pgcat__int(o, "cache_size", d->seq.cache);
    }
}

/* --- dispatch --------------------------------------------------------------------------- */

static const struct {
    const char *name;
    void (*fill)(pgcat_out *o);
} fills[] = {
    {"pg_am", fill_am},
    {"pg_attrdef", fill_attrdef},
    {"pg_attribute", fill_attribute},
    {"pg_authid", fill_authid},
    {"pg_class", fill_class},
    {"pg_collation", fill_collation},
    {"pg_constraint", fill_constraint},
    {"pg_database", fill_database},
    {"pg_depend", fill_depend},
    {"pg_index", fill_index},
    {"pg_indexes", fill_indexes},
    {"pg_language", fill_language},
    {"pg_namespace", fill_namespace},
    {"pg_proc", fill_proc},
    {"pg_roles", fill_roles_view},
    {"pg_sequence", fill_sequence},
    {"pg_sequences", fill_sequences},
    {"pg_settings", fill_settings},
    {"pg_shadow", fill_shadow},
    {"pg_tables", fill_tables},
    {"pg_tablespace", fill_tablespace},
    {"pg_type", fill_type},
    {"pg_user", fill_user},
    {"pg_views", fill_views},
};

void pgcat__catalog_rows(pgcat_out *o)
{
    for (size_t i = 0; i < sizeof fills / sizeof fills[0]; i++)
        if (!strcmp(fills[i].name, o->rel->name)) {
            fills[i].fill(o);
            return;
        }
}

/* --- definitions shared with the functions ---------------------------------------------- */

static void append_ident(mice_buf *b, const char *id)
{
    bool plain = id[0] && ((id[0] >= 'a' && id[0] <= 'z') || id[0] == '_');
    for (const char *p = id; plain && *p; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (plain) {
        buf_append_str(b, id);
        return;
    }
    buf_append_u8(b, '"');
    for (const char *p = id; *p; p++) {
        if (*p == '"') buf_append_u8(b, '"');
        buf_append_u8(b, (uint8_t)*p);
    }
    buf_append_u8(b, '"');
}

static void key_list(const catalog_desc *d, const catalog_index *ix, bool dirs, mice_buf *out)
{
    buf_append_u8(out, '(');
    for (uint32_t c = 0; c < ix->n_cols; c++) {
        int pos = catalog_column_pos(d, ix->col_ids[c]);
        if (c) buf_append_str(out, ", ");
        append_ident(out, pos >= 0 ? d->columns[pos].name : "?");
        if (dirs && ix->dirs[c] == KEYENC_DESC) buf_append_str(out, " DESC");
    }
    buf_append_u8(out, ')');
}

void pgcat__indexdef(const catalog_desc *d, uint32_t pos, const char *schema, mice_buf *out)
{
    const catalog_index *ix = &d->indexes[pos];
    buf_append_str(out, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    append_ident(out, ix->name);
    buf_append_str(out, " ON ");
    append_ident(out, schema);
    buf_append_u8(out, '.');
    append_ident(out, d->name);
    buf_append_str(out, " USING btree ");
    key_list(d, ix, true, out);
}

void pgcat__keydef(const catalog_desc *d, uint32_t pos, mice_buf *out)
{
    const catalog_index *ix = &d->indexes[pos];
    buf_append_str(out, ix->primary ? "PRIMARY KEY " : "UNIQUE ");
    key_list(d, ix, false, out);
}
