/*
 * catalog.h - databases, schemas, tables, views, sequences, indexes and users, stored as
 * system keys (kv/keys.h) and read through a per-node cache (notes in sql/CATALOG.md).
 *
 * Storage. Every object has a descriptor under /sys/desc/<id>: a self-describing record
 * (format byte, then varint-tagged fields; unknown fields are skipped, so newer nodes
 * may add fields). Names live in /sys/ns/<parent id>/<name> -> (id, kind): databases
 * under parent 0, schemas under their database, relations and indexes under their schema
 * (one namespace, as pg_class). Users are records under /sys/users/<name>. Ids come from
 * a transactional counter (/sys/idgen, first CATALOG_ID_FIRST, PostgreSQL's first normal
 * OID, so ids double as OIDs). A sequence's value lives in /sys/seq/<id>, written only by
 * nextval/setval (absent = start, not yet called), so a txn may call nextval on a sequence
 * it created and has not committed without waiting for its own lock.
 *
 * Transactions. Every DDL function writes through the caller's txn and bumps the catalog
 * version (/sys/catver) in the same txn: a rolled-back CREATE leaves nothing, and two
 * concurrent DDL statements always write a common key (the version), so the transaction
 * layer serialises them (the loser waits, then gets MICE_AGAIN / MICE_CONFLICT).
 *
 * Cache. A catalog (one per node) caches system-key reads tagged with the catalog version.
 * catalog_statement_begin reads the version at the statement's snapshot; the cache is
 * used only when the versions agree (a newer version empties it; an older snapshot
 * bypasses it), and never by a txn that has written DDL (it must see its own writes).
 * Descriptors are decoded into the caller's arena on every lookup: they never alias
 * cache memory, so invalidation never pulls memory out from under a session.
 *
 * Names follow PostgreSQL: unqualified relation names search pg_catalog (virtual; the
 * caller says which names exist there) and then the search_path ("$user", public by
 * default); a CREATE goes to the first existing schema of the search_path.
 *
 * Errors (mice_status + sql_error with PostgreSQL's SQLSTATE and text):
 *   42P07 relation "t" already exists         42P01 relation "t" does not exist
 *   42P04 database "d" already exists         3D000 database "d" does not exist
 *   42P06 schema "s" already exists           3F000 schema "s" does not exist
 *   42710 role "r" already exists             42704 role/index/... "x" does not exist
 *   42701 column "c" of relation "t" already exists
 *   2BP01 cannot drop ... because other objects depend on it
 *   3F000 no schema has been selected to create in
 *   42501 permission denied to create "pg_catalog.t"
 *   42939 unacceptable schema name "pg_x"     42809 "x" is not a table
 *   2200H nextval: reached maximum/minimum value of sequence "s" (n)
 *   XX001 corrupt catalog record; 40001/40P01/55P03/25P02 from the txn (txn_sqlstate)
 *
 * Owns: a catalog owns its cache; it borrows the txn_db and env. Descriptors and users
 * handed out live in the caller's arena. Thread safety: a catalog is shared by every
 * session (the cache has a mutex); a catalog_txn belongs to its txn's thread.
 */
#ifndef MICE_SQL_CATALOG_H
#define MICE_SQL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/keyenc.h"
#include "sql/rowenc.h"
#include "sql/sqlerr.h"
#include "sql/types.h"
#include "txn/txn.h"

typedef enum catalog_kind {
    CATALOG_DATABASE = 1,
    CATALOG_SCHEMA = 2,
    CATALOG_TABLE = 3,
    CATALOG_VIEW = 4,
    CATALOG_SEQUENCE = 5,
    CATALOG_INDEX = 6,   /* only in name entries: an index's name points at its table */
    CATALOG_VIRTUAL = 7, /* never stored: a pg_catalog/information_schema table */
} catalog_kind;

enum {
    CATALOG_ID_ROOT_USER = 10,           /* PostgreSQL's bootstrap superuser OID */
    CATALOG_ID_PG_CATALOG = 11,          /* virtual schemas: fixed ids, no descriptor */
    CATALOG_ID_INFORMATION_SCHEMA = 13,
    CATALOG_ID_KV_TABLE = 16383,         /* the built-in table kv (below); no descriptor */
    CATALOG_ID_FIRST = 16384,            /* first allocated id (FirstNormalObjectId) */
    CATALOG_NAME_MAX = 63,               /* NAMEDATALEN - 1: the binder truncates longer
                                          * identifiers (with a NOTICE), as PostgreSQL */
    CATALOG_CACHE_ENTRIES_MAX = 65536,   /* the cache empties itself beyond this */
};

#define CATALOG_KV_TABLE_NAME "kv"

#ifndef SQLSTATE_DUPLICATE_TABLE
#define SQLSTATE_DUPLICATE_TABLE "42P07"
#endif
#ifndef SQLSTATE_DUPLICATE_OBJECT
#define SQLSTATE_DUPLICATE_OBJECT "42710"
#endif
#ifndef SQLSTATE_DUPLICATE_DATABASE
#define SQLSTATE_DUPLICATE_DATABASE "42P04"
#endif
#ifndef SQLSTATE_DUPLICATE_SCHEMA
#define SQLSTATE_DUPLICATE_SCHEMA "42P06"
#endif
#ifndef SQLSTATE_DUPLICATE_COLUMN
#define SQLSTATE_DUPLICATE_COLUMN "42701"
#endif
#ifndef SQLSTATE_UNDEFINED_TABLE
#define SQLSTATE_UNDEFINED_TABLE "42P01"
#endif
#ifndef SQLSTATE_INVALID_CATALOG_NAME
#define SQLSTATE_INVALID_CATALOG_NAME "3D000"
#endif
#ifndef SQLSTATE_INVALID_SCHEMA_NAME
#define SQLSTATE_INVALID_SCHEMA_NAME "3F000"
#endif
#ifndef SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST
#define SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST "2BP01"
#endif
#ifndef SQLSTATE_INSUFFICIENT_PRIVILEGE
#define SQLSTATE_INSUFFICIENT_PRIVILEGE "42501"
#endif
#ifndef SQLSTATE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED
#define SQLSTATE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED "2200H"
#endif
#ifndef SQLSTATE_DATA_CORRUPTED
#define SQLSTATE_DATA_CORRUPTED "XX001"
#endif

typedef enum catalog_identity {
    CATALOG_IDENTITY_NONE = 0,
    CATALOG_IDENTITY_ALWAYS = 'a',
    CATALOG_IDENTITY_BY_DEFAULT = 'd',
} catalog_identity;

typedef struct catalog_column {
    uint32_t id; /* 0 on create: assigned */
    const char *name;
    sql_type type;
    bool not_null;
    bool hidden;              /* the implicit rowid; not in SELECT * */
    const char *default_expr; /* SQL text, re-parsed by the binder; NULL = none */
    uint32_t sequence_id;     /* serial/identity sequence owned by this column; 0 = none */
    char identity;            /* catalog_identity */
} catalog_column;

typedef struct catalog_index {
    uint32_t id; /* 0 on create: assigned (the primary index is 1) */
    const char *name; /* NULL on create: generated as PostgreSQL does (t_pkey, t_a_key...) */
    bool unique;
    bool primary;
    bool constraint; /* backs a PRIMARY KEY / UNIQUE constraint */
    uint32_t n_cols;
    uint32_t *col_ids;
    keyenc_dir *dirs;
    uint32_t n_include;
    uint32_t *include_ids;
    const char *predicate; /* partial index WHERE, SQL text; NULL = none */
} catalog_index;

typedef struct catalog_check {
    const char *name;
    const char *expr; /* SQL text */
} catalog_check;

typedef struct catalog_sequence_opts {
    int64_t start, increment, min, max, cache;
    bool cycle;
    uint32_t owner_table_id, owner_column_id; /* OWNED BY; 0 = none */
} catalog_sequence_opts;

typedef struct catalog_desc {
    catalog_kind kind;
    uint32_t id;
    uint32_t parent_id;   /* schema: its database; relation: its schema; database: 0 */
    uint32_t database_id; /* the database it lives in (itself for a database) */
    const char *name;
    uint32_t owner_id;
    uint64_t version; /* bumped on every change of this descriptor */
    /* tables */
    uint32_t n_columns; /* in id order = attnum order */
    catalog_column *columns;
    uint32_t next_column_id;
    uint32_t n_indexes; /* indexes[0] is the primary index */
    catalog_index *indexes;
    uint32_t next_index_id;
    uint32_t n_checks;
    catalog_check *checks;
    /* views: the query's text (as written), the relations it reads (ids; DROP of one of
     * them answers 2BP01 or, with CASCADE, drops the view too) */
    const char *view_query;
    uint32_t n_view_deps;
    uint32_t *view_deps;
    /* sequences */
    catalog_sequence_opts seq;
} catalog_desc;

typedef struct catalog_user {
    uint32_t id; /* 0 on create: assigned */
    const char *name;
    bool superuser;
    bool login;
    const char *password; /* "SCRAM-SHA-256$..." verifier, NULL = none */
} catalog_user;

/* search_path: schemas in order ("$user" means the user's own schema if it exists);
 * NULL = the default "$user", public. is_virtual says whether schema.name is a virtual
 * table (pg_catalog/information_schema); NULL = none are. */
typedef struct catalog_search_path {
    const char *const *schemas;
    uint32_t n_schemas;
    const char *user;
    bool (*is_virtual)(void *ctx, const char *schema, const char *name);
    void *ctx;
} catalog_search_path;

typedef struct catalog catalog;

/* A session's view of the catalog for one transaction. */
typedef struct catalog_txn {
    catalog *cat;
    txn *t;
    uint64_t version; /* read by catalog_statement_begin */
    bool ddl;         /* this txn wrote the catalog: bypass the cache */
} catalog_txn;

/* --- the node's catalog ------------------------------------------------------------- */

/* Fresh data directory: root (superuser, no password), databases defaultdb and postgres,
 * schema public in each. Does nothing when already bootstrapped. */
mice_status catalog_bootstrap(txn_db *db, sql_error *err);
catalog *catalog_create(txn_db *db, const mice_env *env, uint32_t node_id);
void catalog_destroy(catalog *c); /* NULL is ignored */
/* Clear the data of dropped tables and indexes and of truncated tables' old indexes
 * (committed GC jobs). Any thread; the node runs it in the background. */
mice_status catalog_gc_run(catalog *c, size_t *n_done, sql_error *err);
/* unique_rowid() for this node (hidden rowid columns). */
int64_t catalog_unique_rowid(catalog *c);
/* Statistics for tests: the cache's version and how many reads missed it. */
uint64_t catalog_cache_version(catalog *c);
uint64_t catalog_cache_misses(catalog *c);

void catalog_txn_init(catalog_txn *ct, catalog *c, txn *t);
/* At every statement start (after txn_statement_begin): read the version, sync the cache. */
mice_status catalog_statement_begin(catalog_txn *ct, sql_error *err);

/* --- lookups (results in arena) ------------------------------------------------------ */

mice_status catalog_get_desc(catalog_txn *ct, uint32_t id, mice_arena *arena, catalog_desc **out,
                             sql_error *err);
mice_status catalog_find_database(catalog_txn *ct, const char *name, mice_arena *arena,
                                  catalog_desc **out, sql_error *err);
/* pg_catalog and information_schema resolve to virtual schema descriptors. */
mice_status catalog_find_schema(catalog_txn *ct, uint32_t database_id, const char *name,
                                mice_arena *arena, catalog_desc **out, sql_error *err);
/* A table, view, sequence (or CATALOG_VIRTUAL pseudo-descriptor: parent_id is the virtual
 * schema's id) by optional schema and name. An unqualified "kv" that names no relation on
 * the search path is the built-in table kv(key bytea PRIMARY KEY, value bytea NOT NULL,
 * expires_at timestamptz): the KV namespace that the Redis and HTTP APIs serve, in every
 * database (id CATALOG_ID_KV_TABLE, no stored descriptor, rows encoded by rowenc's
 * kv_namespace layout). DDL on it fails with 42501. */
mice_status catalog_resolve_relation(catalog_txn *ct, uint32_t database_id,
                                     const catalog_search_path *sp, const char *schema,
                                     const char *name, mice_arena *arena, catalog_desc **out,
                                     sql_error *err);
/* The schema a CREATE without (or with) a schema name goes to. */
mice_status catalog_creation_schema(catalog_txn *ct, uint32_t database_id,
                                    const catalog_search_path *sp, const char *schema,
                                    const char *name, uint32_t *schema_id, sql_error *err);
/* An index by name: its table and the index's position in table->indexes. */
mice_status catalog_resolve_index(catalog_txn *ct, uint32_t database_id,
                                  const catalog_search_path *sp, const char *schema,
                                  const char *name, mice_arena *arena, catalog_desc **table,
                                  uint32_t *index_pos, sql_error *err);
/* Every object named under parent (0: databases; a database: its schemas; a schema: its
 * relations), in name order. */
mice_status catalog_list(catalog_txn *ct, uint32_t parent_id, mice_arena *arena,
                         catalog_desc ***out, uint32_t *n_out, sql_error *err);
mice_status catalog_get_user(catalog_txn *ct, const char *name, mice_arena *arena,
                             catalog_user **out, sql_error *err);
mice_status catalog_list_users(catalog_txn *ct, mice_arena *arena, catalog_user ***out,
                               uint32_t *n_out, sql_error *err);

/* Column/index helpers on a descriptor. NULL / -1 when absent. */
const catalog_column *catalog_column_by_name(const catalog_desc *d, const char *name);
int catalog_column_pos(const catalog_desc *d, uint32_t column_id);
/* The rowenc view of a table (arrays in arena): t->primary is index 0 of *indexes, which
 * is parallel to d->indexes. */
mice_status catalog_table_layout(const catalog_desc *d, mice_arena *arena, rowenc_table *t,
                                 rowenc_index **indexes);

/* --- DDL (in ct's txn; each bumps the catalog version) ------------------------------ */

mice_status catalog_create_database(catalog_txn *ct, const char *name, uint32_t owner_id,
                                    uint32_t *id_out, sql_error *err);
mice_status catalog_create_schema(catalog_txn *ct, uint32_t database_id, const char *name,
                                  uint32_t owner_id, uint32_t *id_out, sql_error *err);
/* d: kind (table, view or sequence), parent_id (a schema), name, owner and the kind's
 * fields. Assigns d->id, d->database_id, column ids, index ids and missing index names;
 * a table without a primary index gets a hidden "rowid" int8 column (default
 * unique_rowid()) as its primary key. d's arrays must come from arena (they may grow). */
mice_status catalog_create_relation(catalog_txn *ct, catalog_desc *d, mice_arena *arena,
                                    sql_error *err);
/* Adds ix to the table (assigns id and, if NULL, a name). Does not backfill entries. */
mice_status catalog_create_index(catalog_txn *ct, uint32_t table_id, catalog_index *ix,
                                 mice_arena *arena, sql_error *err);
/* ALTER TABLE ADD PRIMARY KEY on a table keyed by its hidden rowid: pk (columns set; the
 * name NULL for t_pkey) becomes indexes[0], its columns NOT NULL, the rowid column leaves
 * the descriptor, and every index gets a fresh, empty id (the old ids' data is a GC job,
 * cleared after commit as for TRUNCATE). The rows are NOT copied: the caller writes them
 * from the old primary index (as the old descriptor has it) into the new indexes. 42P16
 * when the table already has a PRIMARY KEY. *out is the new descriptor (in arena). */
mice_status catalog_set_primary(catalog_txn *ct, uint32_t table_id, catalog_index *pk,
                                mice_arena *arena, catalog_desc **out, sql_error *err);
/* Adds a column (assigns its id). 42701 when the name is taken. No rewrite is needed. */
mice_status catalog_add_column(catalog_txn *ct, uint32_t table_id, catalog_column *col,
                               mice_arena *arena, sql_error *err);
/* Writes a changed table/view/sequence descriptor (ALTER); its name must be unchanged. */
mice_status catalog_update_desc(catalog_txn *ct, catalog_desc *d, sql_error *err);
/* Tables also lose their rows and owned sequences; sequences their counter. */
mice_status catalog_drop_relation(catalog_txn *ct, uint32_t id, sql_error *err);
mice_status catalog_drop_index(catalog_txn *ct, uint32_t table_id, uint32_t index_id,
                               sql_error *err);
mice_status catalog_drop_schema(catalog_txn *ct, uint32_t schema_id, bool cascade,
                                sql_error *err);
mice_status catalog_drop_database(catalog_txn *ct, uint32_t database_id, sql_error *err);
/* Rename a database, schema or relation. */
mice_status catalog_rename(catalog_txn *ct, uint32_t id, const char *new_name, sql_error *err);
mice_status catalog_rename_index(catalog_txn *ct, uint32_t table_id, uint32_t index_id,
                                 const char *new_name, sql_error *err);
/* TRUNCATE: deletes every key of the table's span in the txn (the id stays). */
mice_status catalog_truncate(catalog_txn *ct, uint32_t table_id, sql_error *err);

mice_status catalog_create_user(catalog_txn *ct, catalog_user *u, sql_error *err);
mice_status catalog_alter_user(catalog_txn *ct, const catalog_user *u, sql_error *err);
mice_status catalog_drop_user(catalog_txn *ct, const char *name, sql_error *err);

/* --- sequences: outside the caller's txn, as PostgreSQL (never rolled back) ---------- */

mice_status catalog_sequence_nextval(catalog *c, const catalog_desc *seq, int64_t *out,
                                     sql_error *err);
/* setval(seq, v, is_called). */
mice_status catalog_sequence_setval(catalog *c, const catalog_desc *seq, int64_t v,
                                    bool is_called, sql_error *err);

/* --- descriptor records (catalog_desc.c) -------------------------------------------- */

void catalog_desc_encode(const catalog_desc *d, mice_buf *out);
/* MICE_CORRUPT for bad bytes; MICE_NOMEM when the arena is full. */
mice_status catalog_desc_decode(mice_slice in, mice_arena *arena, catalog_desc **out);
void catalog_user_encode(const catalog_user *u, mice_buf *out);
mice_status catalog_user_decode(mice_slice in, mice_arena *arena, catalog_user **out);
/* Name entries: (id, kind, index id). */
void catalog_ns_encode(uint32_t id, catalog_kind kind, uint32_t index_id, mice_buf *out);
mice_status catalog_ns_decode(mice_slice in, uint32_t *id, catalog_kind *kind,
                              uint32_t *index_id);

#endif
