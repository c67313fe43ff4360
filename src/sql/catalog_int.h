/*
 * catalog_int.h - what catalog.c (cache, lookups, sequences) and catalog_ddl.c share.
 * Not for use outside src/sql/catalog*.c.
 */
#ifndef MICE_SQL_CATALOG_INT_H
#define MICE_SQL_CATALOG_INT_H

#include <pthread.h>

#include "sql/catalog.h"

typedef struct catalog__entry catalog__entry;

struct catalog {
    txn_db *db;          /* borrowed */
    const mice_env *env; /* borrowed */
    rowenc_rowid_gen rowid;
    pthread_mutex_t mu;  /* protects everything below */
    catalog__entry **buckets;
    size_t n_buckets;
    size_t n_entries;
    uint64_t version; /* the catalog version the cached entries belong to */
    uint64_t misses;
};

/* A txn call failed: its status and SQLSTATE into err. */
mice_status catalog__txn_error(sql_error *err, mice_status rc, const mice_err *me);
/* A stored record did not decode. */
mice_status catalog__corrupt(sql_error *err, mice_status rc, const char *what, uint32_t id);

/* System key reads through the cache (see catalog.h), writes through the txn. A write
 * marks the txn as DDL (reads bypass the cache from then on). */
mice_status catalog__get(catalog_txn *ct, mice_slice key, mice_buf *val, bool *found,
                         sql_error *err);
mice_status catalog__put(catalog_txn *ct, mice_slice key, mice_slice val, sql_error *err);
mice_status catalog__del(catalog_txn *ct, mice_slice key, sql_error *err);
/* Delete every key in [start, end) in the txn. */
mice_status catalog__delete_span(catalog_txn *ct, mice_slice start, mice_slice end,
                                 sql_error *err);

mice_status catalog__ns_get(catalog_txn *ct, uint32_t parent_id, const char *name, uint32_t *id,
                            catalog_kind *kind, uint32_t *index_id, bool *found, sql_error *err);
mice_status catalog__desc_get(catalog_txn *ct, uint32_t id, mice_arena *arena, catalog_desc **out,
                              bool *found, sql_error *err);
bool catalog__is_virtual_schema(const char *name, uint32_t *id);
/* The built-in table kv (catalog_kv.c): its descriptor, and the error DDL on it gets. */
mice_status catalog__kv_table_desc(uint32_t database_id, mice_arena *arena, catalog_desc **out,
                                   sql_error *err);
mice_status catalog__kv_table_ddl_error(sql_error *err);

#endif
