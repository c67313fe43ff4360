/* pgcatalog_int.h - what pgcatalog*.c and infoschema.c share (not a public contract). */
#ifndef MICE_SQL_PGCATALOG_INT_H
#define MICE_SQL_PGCATALOG_INT_H

#include "sql/pgcatalog.h"

/* pgcatalog_defs.c (generated): every relation, sorted by schema then name. */
extern const pgcat_rel pgcat__rels[];
extern const uint32_t pgcat__n_rels;

/* Rows being produced for one relation. Errors are sticky: after the first one every
 * call does nothing and rc keeps it. */
typedef struct pgcat_out {
    const pgcat_ctx *c;
    const pgcat_rel *rel;
    mice_arena *arena;
    sql_datum **rows;
    uint64_t n, cap;
    sql_datum *row; /* the row being filled */
    sql_error *err;
    mice_status rc;
} pgcat_out;

/* A pseudo-type: its name as format_type shows it, its typname, its OID. */
typedef struct pgcat_pseudo {
    const char *shown;
    const char *typname;
    uint32_t oid;
} pgcat_pseudo;
/* The i-th pseudo-type; NULL past the end. */
const pgcat_pseudo *pgcat__pseudo_at(size_t i);

/* PostgreSQL's OIDs of the array I/O functions, which pg_type.typinput/typoutput/
 * typreceive/typsend of every array type name (clients test typinput = 'array_in'::regproc
 * to tell arrays); regproc reads and shows them by name. */
enum {
    PGCAT_OID_ARRAY_IN = 750,
    PGCAT_OID_ARRAY_OUT = 751,
    PGCAT_OID_ARRAY_RECV = 2400,
    PGCAT_OID_ARRAY_SEND = 2401,
};

/* Start a row: every column NULL. */
void pgcat__row(pgcat_out *o);
/* Set a column of the current row by name (asserted to exist), converting to its type. */
void pgcat__int(pgcat_out *o, const char *col, int64_t v);
void pgcat__bool(pgcat_out *o, const char *col, bool v);
void pgcat__text(pgcat_out *o, const char *col, const char *s); /* NULL s: NULL */
void pgcat__char(pgcat_out *o, const char *col, char v);
void pgcat__datum(pgcat_out *o, const char *col, sql_datum v);
/* An array column from n elements of its element type. */
void pgcat__array(pgcat_out *o, const char *col, const sql_datum *elems, uint32_t n);
void pgcat__fail(pgcat_out *o, mice_status rc);

/* The database's schemas and, per schema, its relations (tables, views, sequences), in
 * name order; in arena. */
typedef struct pgcat_objs {
    catalog_desc **schemas;
    uint32_t n_schemas;
    catalog_desc **rels; /* every relation of every schema */
    uint32_t n_rels;
} pgcat_objs;
mice_status pgcat__objects(const pgcat_ctx *c, mice_arena *a, pgcat_objs *out, sql_error *err);
/* A schema's name by id (pg_catalog and information_schema included); "?" if unknown. */
const char *pgcat__schema_name(const pgcat_objs *objs, uint32_t id);
/* A user's name by id; NULL if unknown. */
const char *pgcat__user_name(const pgcat_ctx *c, mice_arena *a, uint32_t id);
/* Whether column i of table d is shown to clients (not the hidden rowid). */
bool pgcat__column_visible(const catalog_desc *d, uint32_t i);
/* PostgreSQL's typcollation for a type (100 for the collatable string types, else 0). */
uint32_t pgcat__type_collation(sql_type_id t);

/* Rows of a pg_catalog relation (pgcatalog_rows.c) / of information_schema (infoschema.c);
 * relations without rows of their own stay empty. */
void pgcat__catalog_rows(pgcat_out *o);
void pgcat__infoschema_rows(pgcat_out *o);
/* pg_get_indexdef(index, 0, pretty) text: "CREATE [UNIQUE] INDEX i ON s.t USING btree (a DESC)". */
void pgcat__indexdef(const catalog_desc *d, uint32_t pos, const char *schema, mice_buf *out);
/* pg_get_constraintdef for a PRIMARY KEY / UNIQUE index: "PRIMARY KEY (a, b)". */
void pgcat__keydef(const catalog_desc *d, uint32_t pos, mice_buf *out);

#endif
