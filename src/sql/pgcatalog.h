/*
 * pgcatalog.h - pg_catalog and information_schema as virtual tables, and the catalog
 * lookups behind PostgreSQL's reg types (regclass, regtype, ...).
 *
 * Every relation PostgreSQL 15 has in pg_catalog and information_schema exists here with
 * its exact columns and OID (pgcatalog_defs.c, generated from a real server), so any
 * query a client sends binds. Rows are computed when a statement scans the relation,
 * from the catalog as that statement's transaction sees it (catalog_txn), so they are
 * always consistent with the statement's snapshot: pg_namespace, pg_class, pg_attribute,
 * pg_index, pg_constraint, pg_attrdef, pg_type, pg_proc, pg_database, pg_roles/pg_authid/
 * pg_user, pg_settings, pg_am, pg_collation, pg_tablespace, pg_sequence, pg_depend,
 * pg_language, pg_tables/pg_indexes/pg_views/pg_sequences and information_schema's
 * schemata, tables, columns, table_constraints, key_column_usage and
 * constraint_column_usage have rows; the others are empty (we have no such objects).
 *
 * OIDs: types use PostgreSQL's (types.h); databases, schemas, tables, views, sequences
 * and users their catalog ids; the catalog relations PostgreSQL's own OIDs; objects that
 * have no id of their own get synthesized OIDs derived from their table's id (indexes,
 * constraints, column defaults: see pgcat_index_oid ...) and functions one after
 * PGCAT_PROC_OID_BASE in registry order. Synthesized OIDs assume table ids below 2^20.
 *
 * Owns: nothing; rows and names live in the caller's arena. Thread safety: one statement,
 * one thread (the catalog_txn's).
 */
#ifndef MICE_SQL_PGCATALOG_H
#define MICE_SQL_PGCATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/catalog.h"
#include "sql/datum.h"

struct settings;

/* What the virtual tables and the catalog functions see of the session. */
typedef struct pgcat_ctx {
    catalog_txn *ct;
    uint32_t database_id;
    const char *database;
    const char *user;
    const catalog_search_path *sp; /* NULL: "$user", public */
    const sql_value_ctx *vctx;     /* for printing values; NULL: defaults */
    struct settings *settings;     /* pg_settings; NULL: empty */
} pgcat_ctx;

typedef struct pgcat_col {
    const char *name;
    sql_type_id type;
} pgcat_col;

/* A relation of pg_catalog or information_schema. */
typedef struct pgcat_rel {
    const char *schema;
    const char *name;
    uint32_t oid;
    char kind; /* 'r' table, 'v' view, as PostgreSQL's relkind */
    uint32_t n_cols;
    const pgcat_col *cols;
} pgcat_rel;

enum {
    PGCAT_OID_NAMESPACE_CATALOG = 11,
    PGCAT_OID_NAMESPACE_INFO = 13,
    PGCAT_OID_PROC_BASE = 0x20000000u, /* + registry position */
    PGCAT_OID_DEFAULT_COLLATION = 100,
    PGCAT_OID_HEAP_AM = 2,
    PGCAT_OID_BTREE_AM = 403,
    PGCAT_OID_DEFAULT_TABLESPACE = 1663,
};

/* The relation schema.name, or by OID; NULL when there is none. */
const pgcat_rel *pgcat_find(const char *schema, const char *name);
const pgcat_rel *pgcat_find_oid(uint32_t oid);
/* catalog_search_path.is_virtual (ctx unused). */
bool pgcat_is_virtual(void *ctx, const char *schema, const char *name);

/* Every row of rel (n_cols datums each, typed as its columns), in arena. */
mice_status pgcat_rows(const pgcat_ctx *c, const pgcat_rel *rel, mice_arena *arena,
                       sql_datum ***rows, uint64_t *n_rows, sql_error *err);

/* Synthesized OIDs (see above) and their inverse. */
uint32_t pgcat_index_oid(uint32_t table_id, uint32_t index_id);
uint32_t pgcat_constraint_oid(uint32_t table_id, uint32_t n); /* n: index id, or 512 + check */
uint32_t pgcat_attrdef_oid(uint32_t table_id, uint32_t column_id);
bool pgcat_split_oid(uint32_t oid, uint32_t kind_bits, uint32_t *table_id, uint32_t *sub);
enum {
    PGCAT_OIDS_INDEX = 0x80000000u,
    PGCAT_OIDS_CONSTRAINT = 0xC0000000u,
    PGCAT_OIDS_ATTRDEF = 0x40000000u,
    PGCAT_CONSTRAINT_CHECK_BASE = 512
};

/* The table of an index, constraint or relation OID, with the index (or check) position
 * (-1 when the OID is the relation itself); *out NULL when there is no such object. */
mice_status pgcat_table_of(const pgcat_ctx *c, uint32_t oid, mice_arena *arena, catalog_desc **out,
                           int32_t *pos, sql_error *err);
/* The hidden rowid primary index of a table without PRIMARY KEY is not an index to
 * PostgreSQL clients. */
bool pgcat_index_hidden(const catalog_desc *d, uint32_t pos);

/* regclass/regtype/regproc/regnamespace/regrole text of an OID (qualified by schema when
 * not visible, "-" for 0, the number when unknown), into arena. */
mice_status pgcat_reg_out(const pgcat_ctx *c, sql_type_id type, uint32_t oid, mice_arena *arena,
                          mice_slice *out, sql_error *err);
/* The OID a name denotes ('public.t'::regclass, 'int4'::regtype, ...). Errors as
 * PostgreSQL: 42P01 relation "x" does not exist, 42704 type/schema/role "x" does not
 * exist, 42883 function "x" does not exist. Numeric text is taken as the OID. */
mice_status pgcat_reg_in(const pgcat_ctx *c, sql_type_id type, mice_slice text, uint32_t *oid,
                         sql_error *err);

/* current_schema(): the first schema of the search path that exists; NULL if none. */
mice_status pgcat_current_schema(const pgcat_ctx *c, mice_arena *arena, const char **out,
                                 sql_error *err);
/* Whether a relation (by OID) is visible: first of its name on the search path. */
mice_status pgcat_rel_visible(const pgcat_ctx *c, uint32_t oid, bool *visible, sql_error *err);

#endif
