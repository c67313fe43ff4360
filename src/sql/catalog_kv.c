/*
 * catalog_kv.c - the built-in table kv: the KV namespace as a SQL relation.
 *
 * kv(key bytea PRIMARY KEY, value bytea NOT NULL, expires_at timestamptz) has no stored
 * descriptor: catalog_resolve_relation builds this one, in the caller's arena, for an
 * unqualified "kv" that names no relation on the search path, so a user's own table kv
 * wins and nothing needs bootstrapping (old data directories get it too). Its fixed id
 * marks its rows' layout (rowenc's kv_namespace): the key is the raw user key under the
 * KV prefix, exactly what RESP and HTTP read and write, so SQL and KV share every row and
 * every transaction. DDL on it (DROP, TRUNCATE, ALTER, CREATE INDEX) is refused with
 * 42501, as PostgreSQL refuses DDL on its system catalogs.
 */
#include <string.h>

#include "sql/catalog_int.h"

static const char *const COLUMN_NAMES[] = {"key", "value", "expires_at"};

mice_status catalog__kv_table_desc(uint32_t database_id, mice_arena *arena, catalog_desc **out,
                                   sql_error *err)
{
    static const sql_type_id types[] = {SQL_TYPE_BYTEA, SQL_TYPE_BYTEA, SQL_TYPE_TIMESTAMPTZ};
    enum { N_COLS = 3 };
    catalog_desc *d = ARENA_NEW(arena, catalog_desc);
    catalog_column *cols = ARENA_NEW_ARRAY(arena, catalog_column, N_COLS);
    catalog_index *pk = ARENA_NEW(arena, catalog_index);
    uint32_t *pk_cols = ARENA_NEW(arena, uint32_t);
    keyenc_dir *pk_dirs = ARENA_NEW(arena, keyenc_dir);
    if (!d || !cols || !pk || !pk_cols || !pk_dirs) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < N_COLS; i++)
        cols[i] = (catalog_column){.id = i + 1,
                                   .name = COLUMN_NAMES[i],
                                   .type = sql_type_make(types[i], -1),
                                   .not_null = i < 2};
    *pk_cols = 1;
    *pk_dirs = KEYENC_ASC;
    *pk = (catalog_index){.id = 1,
                          .name = CATALOG_KV_TABLE_NAME "_pkey",
                          .unique = true,
                          .primary = true,
                          .constraint = true,
                          .n_cols = 1,
                          .col_ids = pk_cols,
                          .dirs = pk_dirs};
    *d = (catalog_desc){.kind = CATALOG_TABLE,
                        .id = CATALOG_ID_KV_TABLE,
                        .database_id = database_id,
                        .name = CATALOG_KV_TABLE_NAME,
                        .owner_id = CATALOG_ID_ROOT_USER,
                        .version = 1,
                        .n_columns = N_COLS,
                        .columns = cols,
                        .next_column_id = N_COLS + 1,
                        .n_indexes = 1,
                        .indexes = pk,
                        .next_index_id = 2};
    *out = d;
    return MICE_OK;
}

mice_status catalog__kv_table_ddl_error(sql_error *err)
{
    sqlerr_set(err, MICE_INVALID, SQLSTATE_INSUFFICIENT_PRIVILEGE,
               "permission denied: \"%s\" is the built-in KV namespace", CATALOG_KV_TABLE_NAME);
    sqlerr_detail(err, "Its columns and key are fixed; rows can be inserted, updated and deleted.");
    return MICE_INVALID;
}
