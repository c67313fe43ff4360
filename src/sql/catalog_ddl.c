/*
 * catalog_ddl.c - CREATE, DROP, ALTER, RENAME and TRUNCATE on the catalog.
 *
 * Every function runs inside the caller's txn and bumps the catalog version there, so
 * the whole statement commits or vanishes with the txn, and concurrent DDL collides on
 * the version key (the txn layer makes one of them wait and then retry or fail). Name
 * checks read the name entry the create will write, so two creators of one name also
 * collide on that key.
 */
#include <stdio.h>
#include <string.h>

#include "base/check.h"
#include "kv/keys.h"
#include "sql/catalog_int.h"

/* --- small steps ----------------------------------------------------------------------- */

static mice_status bump_version(catalog_txn *ct, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_catalog_version(&key);
    bool found = false;
    mice_err me;
    ct->ddl = true;
    mice_status rc = txn_get(ct->t, buf_slice(&key), &val, &found, &me);
    if (rc)
        rc = catalog__txn_error(err, rc, &me);
    else if (found && val.n != 8)
        rc = catalog__corrupt(err, MICE_CORRUPT, "catalog version", 0);
    if (rc == MICE_OK) {
        uint64_t v = found ? mice_load_be64(val.p) : 0;
        uint8_t b[8];
        mice_store_be64(b, v + 1);
        rc = catalog__put(ct, buf_slice(&key), mice_slice_of(b, 8), err);
    }
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status alloc_id(catalog_txn *ct, uint32_t *id, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_id_gen(&key);
    bool found = false;
    mice_err me;
    ct->ddl = true;
    mice_status rc = txn_get(ct->t, buf_slice(&key), &val, &found, &me);
    if (rc)
        rc = catalog__txn_error(err, rc, &me);
    else if (found && val.n != 8)
        rc = catalog__corrupt(err, MICE_CORRUPT, "id generator", 0);
    if (rc == MICE_OK) {
        uint64_t next = found ? mice_load_be64(val.p) : CATALOG_ID_FIRST;
        if (next >= UINT32_MAX)
            rc = sqlerr_set(err, MICE_LIMIT, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                            "out of object identifiers");
        uint8_t b[8];
        mice_store_be64(b, next + 1);
        if (rc == MICE_OK) rc = catalog__put(ct, buf_slice(&key), mice_slice_of(b, 8), err);
        *id = (uint32_t)next;
    }
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status ns_put(catalog_txn *ct, uint32_t parent, const char *name, uint32_t id,
                          catalog_kind kind, uint32_t index_id, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_namespace(&key, parent, mice_slice_str(name));
    catalog_ns_encode(id, kind, index_id, &val);
    mice_status rc = catalog__put(ct, buf_slice(&key), buf_slice(&val), err);
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status ns_del(catalog_txn *ct, uint32_t parent, const char *name, sql_error *err)
{
    mice_buf key;
    buf_init(&key);
    keys_namespace(&key, parent, mice_slice_str(name));
    mice_status rc = catalog__del(ct, buf_slice(&key), err);
    buf_deinit(&key);
    return rc;
}

static mice_status desc_put(catalog_txn *ct, const catalog_desc *d, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_desc(&key, d->id);
    catalog_desc_encode(d, &val);
    mice_status rc = catalog__put(ct, buf_slice(&key), buf_slice(&val), err);
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status desc_del(catalog_txn *ct, uint32_t id, sql_error *err)
{
    mice_buf key;
    buf_init(&key);
    keys_desc(&key, id);
    mice_status rc = catalog__del(ct, buf_slice(&key), err);
    buf_deinit(&key);
    return rc;
}

/* The descriptor for a DDL (read past the cache: this txn writes the catalog). */
static mice_status desc_for_ddl(catalog_txn *ct, uint32_t id, mice_arena *a, catalog_desc **d,
                                sql_error *err)
{
    if (id == CATALOG_ID_KV_TABLE) return catalog__kv_table_ddl_error(err);
    ct->ddl = true;
    bool found = false;
    mice_status rc = catalog__desc_get(ct, id, a, d, &found, err);
    if (rc == MICE_OK && !found)
        rc = sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                        "object with OID %u does not exist", id);
    return rc;
}

static mice_status duplicate(sql_error *err, catalog_kind kind, const char *name)
{
    switch (kind) {
    case CATALOG_DATABASE:
        return sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_DATABASE,
                          "database \"%s\" already exists", name);
    case CATALOG_SCHEMA:
        return sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_SCHEMA,
                          "schema \"%s\" already exists", name);
    default:
        return sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_TABLE,
                          "relation \"%s\" already exists", name);
    }
}

/* 42P07 / 42P04 / 42P06 when name is taken under parent. */
static mice_status name_free(catalog_txn *ct, uint32_t parent, const char *name, catalog_kind kind,
                             sql_error *err)
{
    uint32_t id, index_id;
    catalog_kind k;
    bool found = false;
    ct->ddl = true;
    mice_status rc = catalog__ns_get(ct, parent, name, &id, &k, &index_id, &found, err);
    if (rc) return rc;
    return found ? duplicate(err, kind, name) : MICE_OK;
}

/* --- databases and schemas -------------------------------------------------------------- */

mice_status catalog_create_schema(catalog_txn *ct, uint32_t database_id, const char *name,
                                  uint32_t owner_id, uint32_t *id_out, sql_error *err)
{
    uint32_t vid;
    if (catalog__is_virtual_schema(name, &vid)) return duplicate(err, CATALOG_SCHEMA, name);
    if (strncmp(name, "pg_", 3) == 0) {
        mice_status rc =
            sqlerr_set(err, MICE_INVALID, "42939", "unacceptable schema name \"%s\"", name);
        sqlerr_detail(err, "The prefix \"pg_\" is reserved for system schemas.");
        return rc;
    }
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *db = NULL;
    mice_status rc = desc_for_ddl(ct, database_id, a, &db, err);
    if (rc == MICE_OK && db->kind != CATALOG_DATABASE)
        rc = sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_INVALID_CATALOG_NAME,
                        "database with OID %u does not exist", database_id);
    if (rc == MICE_OK) rc = name_free(ct, database_id, name, CATALOG_SCHEMA, err);
    catalog_desc d = {.kind = CATALOG_SCHEMA,
                      .parent_id = database_id,
                      .database_id = database_id,
                      .name = name,
                      .owner_id = owner_id,
                      .version = 1};
    if (rc == MICE_OK) rc = alloc_id(ct, &d.id, err);
    if (rc == MICE_OK) rc = desc_put(ct, &d, err);
    if (rc == MICE_OK) rc = ns_put(ct, database_id, name, d.id, CATALOG_SCHEMA, 0, err);
    if (rc == MICE_OK) rc = bump_version(ct, err);
    if (rc == MICE_OK && id_out) *id_out = d.id;
    arena_destroy(a);
    return rc;
}

mice_status catalog_create_database(catalog_txn *ct, const char *name, uint32_t owner_id,
                                    uint32_t *id_out, sql_error *err)
{
    mice_status rc = name_free(ct, 0, name, CATALOG_DATABASE, err);
    catalog_desc d = {.kind = CATALOG_DATABASE, .name = name, .owner_id = owner_id, .version = 1};
    if (rc == MICE_OK) rc = alloc_id(ct, &d.id, err);
    d.database_id = d.id;
    if (rc == MICE_OK) rc = desc_put(ct, &d, err);
    if (rc == MICE_OK) rc = ns_put(ct, 0, name, d.id, CATALOG_DATABASE, 0, err);
    if (rc == MICE_OK) rc = bump_version(ct, err);
    if (rc == MICE_OK) rc = catalog_create_schema(ct, d.id, "public", owner_id, NULL, err);
    if (rc == MICE_OK && id_out) *id_out = d.id;
    return rc;
}

/* --- relations ----------------------------------------------------------------------------- */

static const char *column_name(const catalog_desc *d, uint32_t col_id)
{
    int pos = catalog_column_pos(d, col_id);
    return pos < 0 ? "?" : d->columns[pos].name;
}

/* PostgreSQL's ChooseRelationName: <table>_<cols>_<suffix>, then a number until free. */
static mice_status choose_index_name(catalog_txn *ct, const catalog_desc *d, catalog_index *ix,
                                     mice_arena *a, sql_error *err)
{
    mice_buf base;
    buf_init(&base);
    buf_append_str(&base, d->name);
    if (!ix->primary)
        for (uint32_t i = 0; i < ix->n_cols; i++)
            buf_printf(&base, "_%s", column_name(d, ix->col_ids[i]));
    const char *suffix = ix->primary ? "pkey" : ix->unique ? "key" : "idx";
    mice_status rc = MICE_OK;
    for (int n = 0; rc == MICE_OK; n++) {
        char *name = n == 0 ? arena_sprintf(a, "%s_%s", (const char *)base.p, suffix)
                            : arena_sprintf(a, "%s_%s%d", (const char *)base.p, suffix, n);
        if (!name) {
            rc = sqlerr_nomem(err);
            break;
        }
        uint32_t id, index_id;
        catalog_kind k;
        bool found = false;
        rc = catalog__ns_get(ct, d->parent_id, name, &id, &k, &index_id, &found, err);
        if (rc == MICE_OK && !found) {
            ix->name = name;
            break;
        }
    }
    buf_deinit(&base);
    return rc;
}

/* Give the index an id and a name and write its name entry. */
static mice_status add_index_name(catalog_txn *ct, catalog_desc *d, catalog_index *ix,
                                  mice_arena *a, sql_error *err)
{
    if (ix->id == 0) ix->id = d->next_index_id++;
    mice_status rc = ix->name ? name_free(ct, d->parent_id, ix->name, CATALOG_INDEX, err)
                              : choose_index_name(ct, d, ix, a, err);
    if (rc) return rc;
    for (uint32_t i = 0; i < ix->n_cols; i++)
        if (catalog_column_pos(d, ix->col_ids[i]) < 0)
            return sqlerr_set(err, MICE_INVALID, "42703", "column with id %u does not exist",
                              ix->col_ids[i]);
    return ns_put(ct, d->parent_id, ix->name, d->id, CATALOG_INDEX, ix->id, err);
}

/* A table without a primary index gets the hidden rowid column as its key. */
static mice_status add_rowid(catalog_desc *d, mice_arena *a, sql_error *err)
{
    catalog_column *cols = ARENA_NEW_ARRAY(a, catalog_column, d->n_columns + 1);
    catalog_index *ixs = ARENA_NEW_ARRAY(a, catalog_index, d->n_indexes + 1);
    uint32_t *col_ids = ARENA_NEW(a, uint32_t);
    keyenc_dir *dirs = ARENA_NEW(a, keyenc_dir);
    if (!cols || !ixs || !col_ids || !dirs) return sqlerr_nomem(err);
    if (d->n_columns) memcpy(cols, d->columns, sizeof *cols * d->n_columns);
    if (d->n_indexes) memcpy(ixs + 1, d->indexes, sizeof *ixs * d->n_indexes);
    uint32_t id = d->next_column_id++;
    cols[d->n_columns++] = (catalog_column){.id = id,
                                            .name = "rowid",
                                            .type = {SQL_TYPE_INT8, -1},
                                            .not_null = true,
                                            .hidden = true,
                                            .default_expr = "unique_rowid()"};
    *col_ids = id;
    *dirs = KEYENC_ASC;
    ixs[0] = (catalog_index){
        .primary = true, .unique = true, .n_cols = 1, .col_ids = col_ids, .dirs = dirs};
    d->columns = cols;
    d->indexes = ixs;
    d->n_indexes++;
    return MICE_OK;
}

/* Column ids, duplicate names, the primary index first, key columns NOT NULL. */
static mice_status prepare_table(catalog_desc *d, mice_arena *a, sql_error *err)
{
    d->next_column_id = d->next_column_id ? d->next_column_id : 1;
    for (uint32_t i = 0; i < d->n_columns; i++) {
        catalog_column *c = &d->columns[i];
        for (uint32_t k = 0; k < i; k++)
            if (strcmp(d->columns[k].name, c->name) == 0)
                return sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_COLUMN,
                                  "column \"%s\" specified more than once", c->name);
        if (c->id == 0) c->id = d->next_column_id++;
        if (c->id >= d->next_column_id) d->next_column_id = c->id + 1;
    }
    uint32_t pk = d->n_indexes;
    for (uint32_t i = 0; i < d->n_indexes; i++)
        if (d->indexes[i].primary) pk = i;
    if (pk == d->n_indexes) {
        mice_status rc = add_rowid(d, a, err);
        if (rc) return rc;
        pk = 0;
    }
    catalog_index tmp = d->indexes[pk];
    memmove(&d->indexes[1], &d->indexes[0], sizeof tmp * pk);
    d->indexes[0] = tmp;
    d->indexes[0].unique = true;
    for (uint32_t k = 0; k < tmp.n_cols; k++) {
        int pos = catalog_column_pos(d, tmp.col_ids[k]);
        if (pos >= 0) d->columns[pos].not_null = true;
    }
    d->next_index_id = d->next_index_id ? d->next_index_id : 1;
    return MICE_OK;
}

mice_status catalog_create_relation(catalog_txn *ct, catalog_desc *d, mice_arena *arena,
                                    sql_error *err)
{
    mice_assert(d->kind == CATALOG_TABLE || d->kind == CATALOG_VIEW || d->kind == CATALOG_SEQUENCE);
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *schema = NULL;
    mice_status rc = MICE_OK;
    if (d->parent_id == CATALOG_ID_PG_CATALOG || d->parent_id == CATALOG_ID_INFORMATION_SCHEMA) {
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                        "permission denied to create \"%s\"", d->name);
        goto done;
    }
    rc = desc_for_ddl(ct, d->parent_id, a, &schema, err);
    if (rc == MICE_OK && schema->kind != CATALOG_SCHEMA)
        rc = sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_INVALID_SCHEMA_NAME,
                        "schema with OID %u does not exist", d->parent_id);
    if (rc == MICE_OK) rc = name_free(ct, d->parent_id, d->name, d->kind, err);
    if (rc == MICE_OK && d->kind == CATALOG_TABLE) rc = prepare_table(d, arena, err);
    if (rc == MICE_OK) rc = alloc_id(ct, &d->id, err);
    if (rc) goto done;
    d->database_id = schema->parent_id;
    d->version = 1;
    for (uint32_t i = 0; rc == MICE_OK && i < d->n_indexes; i++)
        rc = add_index_name(ct, d, &d->indexes[i], arena, err);
    if (rc == MICE_OK) rc = desc_put(ct, d, err);
    if (rc == MICE_OK) rc = ns_put(ct, d->parent_id, d->name, d->id, d->kind, 0, err);
    if (rc == MICE_OK) rc = bump_version(ct, err);
done:
    arena_destroy(a);
    return rc;
}

static mice_status table_for_ddl(catalog_txn *ct, uint32_t table_id, mice_arena *a,
                                 catalog_desc **d, sql_error *err)
{
    mice_status rc = desc_for_ddl(ct, table_id, a, d, err);
    if (rc == MICE_OK && (*d)->kind != CATALOG_TABLE)
        rc = sqlerr_set(err, MICE_INVALID, "42809", "\"%s\" is not a table", (*d)->name);
    return rc;
}

mice_status catalog_create_index(catalog_txn *ct, uint32_t table_id, catalog_index *ix,
                                 mice_arena *arena, sql_error *err)
{
    catalog_desc *d = NULL;
    mice_status rc = table_for_ddl(ct, table_id, arena, &d, err);
    if (rc) return rc;
    catalog_index *ixs = ARENA_NEW_ARRAY(arena, catalog_index, d->n_indexes + 1);
    if (!ixs) return sqlerr_nomem(err);
    memcpy(ixs, d->indexes, sizeof *ixs * d->n_indexes);
    ix->id = 0;
    ix->primary = false;
    rc = add_index_name(ct, d, ix, arena, err);
    if (rc) return rc;
    ixs[d->n_indexes++] = *ix;
    d->indexes = ixs;
    d->version++;
    rc = desc_put(ct, d, err);
    return rc ? rc : bump_version(ct, err);
}

mice_status catalog_add_column(catalog_txn *ct, uint32_t table_id, catalog_column *col,
                               mice_arena *arena, sql_error *err)
{
    catalog_desc *d = NULL;
    mice_status rc = table_for_ddl(ct, table_id, arena, &d, err);
    if (rc) return rc;
    if (catalog_column_by_name(d, col->name))
        return sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_COLUMN,
                          "column \"%s\" of relation \"%s\" already exists", col->name, d->name);
    catalog_column *cols = ARENA_NEW_ARRAY(arena, catalog_column, d->n_columns + 1);
    if (!cols) return sqlerr_nomem(err);
    memcpy(cols, d->columns, sizeof *cols * d->n_columns);
    col->id = d->next_column_id++;
    cols[d->n_columns++] = *col;
    d->columns = cols;
    d->version++;
    rc = desc_put(ct, d, err);
    return rc ? rc : bump_version(ct, err);
}

static mice_status gc_job_add(catalog_txn *ct, uint32_t table_id, uint32_t index_id,
                              sql_error *err);

/* True when the table's primary index is the hidden rowid (no PRIMARY KEY declared). */
static bool has_rowid_primary(const catalog_desc *d)
{
    if (d->n_indexes == 0 || d->indexes[0].n_cols != 1) return false;
    int pos = catalog_column_pos(d, d->indexes[0].col_ids[0]);
    return pos >= 0 && d->columns[pos].hidden;
}

mice_status catalog_set_primary(catalog_txn *ct, uint32_t table_id, catalog_index *pk,
                                mice_arena *arena, catalog_desc **out, sql_error *err)
{
    catalog_desc *d = NULL;
    mice_status rc = table_for_ddl(ct, table_id, arena, &d, err);
    if (rc) return rc;
    if (!has_rowid_primary(d))
        return sqlerr_set(err, MICE_INVALID, "42P16",
                          "multiple primary keys for table \"%s\" are not allowed", d->name);
    uint32_t rowid_col = d->indexes[0].col_ids[0];
    rc = ns_del(ct, d->parent_id, d->indexes[0].name, err);
    /* Every index moves to a fresh, empty id (their entries hold the rowid); the old data
     * is garbage once the transaction commits, as for TRUNCATE. */
    for (uint32_t i = 0; rc == MICE_OK && i < d->n_indexes; i++) {
        catalog_index *ix = &d->indexes[i];
        rc = gc_job_add(ct, d->id, ix->id, err);
        ix->id = d->next_index_id++;
        if (rc == MICE_OK && i > 0)
            rc = ns_put(ct, d->parent_id, ix->name, d->id, CATALOG_INDEX, ix->id, err);
    }
    if (rc) return rc;
    pk->id = 0;
    pk->primary = pk->unique = pk->constraint = true;
    for (uint32_t i = 0; i < pk->n_cols; i++) {
        int pos = catalog_column_pos(d, pk->col_ids[i]);
        if (pos < 0 || d->columns[pos].hidden)
            return sqlerr_set(err, MICE_INVALID, "42703", "column with id %u does not exist",
                              pk->col_ids[i]);
        d->columns[pos].not_null = true;
    }
    rc = add_index_name(ct, d, pk, arena, err);
    if (rc) return rc;
    d->indexes[0] = *pk;
    /* the hidden rowid column goes: rows are keyed by the new primary key now */
    int pos = catalog_column_pos(d, rowid_col);
    memmove(&d->columns[pos], &d->columns[pos + 1],
            sizeof(catalog_column) * (d->n_columns - (uint32_t)pos - 1));
    d->n_columns--;
    d->version++;
    rc = desc_put(ct, d, err);
    if (rc == MICE_OK) rc = bump_version(ct, err);
    if (rc == MICE_OK) *out = d;
    return rc;
}

mice_status catalog_update_desc(catalog_txn *ct, catalog_desc *d, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *old = NULL;
    mice_status rc = desc_for_ddl(ct, d->id, a, &old, err);
    if (rc == MICE_OK &&
        (old->kind != d->kind || strcmp(old->name, d->name) != 0 || old->parent_id != d->parent_id))
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_INTERNAL_ERROR,
                        "catalog_update_desc cannot rename or move \"%s\"", old->name);
    if (rc == MICE_OK) {
        d->version = old->version + 1;
        rc = desc_put(ct, d, err);
    }
    if (rc == MICE_OK) rc = bump_version(ct, err);
    arena_destroy(a);
    return rc;
}

/* --- drops -------------------------------------------------------------------------------- */

/* The data of a dropped table (index_id 0) or index, or of a truncated table's old
 * indexes, becomes garbage when the transaction commits: it is recorded as a GC job in
 * the same transaction and cleared at once, without MVCC history, by catalog_gc_run.
 * Like PostgreSQL's TRUNCATE this is not MVCC-safe: a transaction whose snapshot predates
 * the commit finds the old data gone. The value repeats the ids for the sweeper. */
static mice_status gc_job_add(catalog_txn *ct, uint32_t table_id, uint32_t index_id, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_gc_job(&key, table_id, index_id);
    buf_append_be32(&val, table_id);
    buf_append_be32(&val, index_id);
    mice_status rc = catalog__put(ct, buf_slice(&key), buf_slice(&val), err);
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status delete_table_span(catalog_txn *ct, uint32_t table_id, sql_error *err)
{
    return gc_job_add(ct, table_id, 0, err);
}

static mice_status drop_desc(catalog_txn *ct, const catalog_desc *d, mice_arena *a, sql_error *err);

static mice_status drop_owned_sequences(catalog_txn *ct, const catalog_desc *d, mice_arena *a,
                                        sql_error *err)
{
    for (uint32_t i = 0; i < d->n_columns; i++) {
        if (!d->columns[i].sequence_id) continue;
        catalog_desc *seq = NULL;
        bool found = false;
        mice_status rc = catalog__desc_get(ct, d->columns[i].sequence_id, a, &seq, &found, err);
        if (rc == MICE_OK && found && seq->kind == CATALOG_SEQUENCE)
            rc = drop_desc(ct, seq, a, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status drop_desc(catalog_txn *ct, const catalog_desc *d, mice_arena *a, sql_error *err)
{
    mice_status rc = MICE_OK;
    if (d->kind == CATALOG_TABLE) {
        rc = delete_table_span(ct, d->id, err);
        for (uint32_t i = 0; rc == MICE_OK && i < d->n_indexes; i++)
            rc = ns_del(ct, d->parent_id, d->indexes[i].name, err);
        if (rc == MICE_OK) rc = drop_owned_sequences(ct, d, a, err);
    } else if (d->kind == CATALOG_SEQUENCE) {
        mice_buf key;
        buf_init(&key);
        keys_sequence(&key, d->id);
        rc = catalog__del(ct, buf_slice(&key), err);
        buf_deinit(&key);
    }
    if (rc == MICE_OK) rc = ns_del(ct, d->parent_id, d->name, err);
    if (rc == MICE_OK) rc = desc_del(ct, d->id, err);
    return rc;
}

mice_status catalog_drop_relation(catalog_txn *ct, uint32_t id, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *d = NULL;
    mice_status rc = desc_for_ddl(ct, id, a, &d, err);
    if (rc == MICE_OK && d->kind != CATALOG_TABLE && d->kind != CATALOG_VIEW &&
        d->kind != CATALOG_SEQUENCE)
        rc = sqlerr_set(err, MICE_INVALID, "42809", "\"%s\" is not a relation", d->name);
    if (rc == MICE_OK) rc = drop_desc(ct, d, a, err);
    if (rc == MICE_OK) rc = bump_version(ct, err);
    arena_destroy(a);
    return rc;
}

mice_status catalog_drop_index(catalog_txn *ct, uint32_t table_id, uint32_t index_id,
                               sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *d = NULL;
    mice_status rc = table_for_ddl(ct, table_id, a, &d, err);
    uint32_t pos = 0;
    while (rc == MICE_OK && pos < d->n_indexes && d->indexes[pos].id != index_id)
        pos++;
    if (rc == MICE_OK && pos == d->n_indexes)
        rc = sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                        "index with id %u does not exist", index_id);
    if (rc == MICE_OK && d->indexes[pos].primary) {
        const char *n = d->indexes[pos].name;
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                        "cannot drop index %s because constraint %s on table %s requires it", n, n,
                        d->name);
    }
    mice_buf start, end;
    buf_init(&start);
    buf_init(&end);
    if (rc == MICE_OK) rc = gc_job_add(ct, table_id, index_id, err);
    if (rc == MICE_OK) rc = ns_del(ct, d->parent_id, d->indexes[pos].name, err);
    if (rc == MICE_OK) {
        memmove(&d->indexes[pos], &d->indexes[pos + 1],
                sizeof *d->indexes * (d->n_indexes - pos - 1));
        d->n_indexes--;
        d->version++;
        rc = desc_put(ct, d, err);
    }
    if (rc == MICE_OK) rc = bump_version(ct, err);
    buf_deinit(&start);
    buf_deinit(&end);
    arena_destroy(a);
    return rc;
}

mice_status catalog_drop_schema(catalog_txn *ct, uint32_t schema_id, bool cascade, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *s = NULL, **kids = NULL;
    uint32_t n = 0;
    mice_status rc = desc_for_ddl(ct, schema_id, a, &s, err);
    if (rc == MICE_OK && s->kind != CATALOG_SCHEMA)
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_SCHEMA_NAME, "\"%s\" is not a schema",
                        s->name);
    if (rc == MICE_OK) rc = catalog_list(ct, schema_id, a, &kids, &n, err);
    if (rc == MICE_OK && n > 0 && !cascade) {
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_DEPENDENT_OBJECTS_STILL_EXIST,
                        "cannot drop schema %s because other objects depend on it", s->name);
        sqlerr_hint(err, "Use DROP ... CASCADE to drop the dependent objects too.");
    }
    for (uint32_t i = 0; rc == MICE_OK && i < n; i++) {
        catalog_desc *k = NULL;
        bool found = false;
        rc = catalog__desc_get(ct, kids[i]->id, a, &k, &found,
                               err); /* an owned sequence may be gone */
        if (rc == MICE_OK && found) rc = drop_desc(ct, k, a, err);
    }
    if (rc == MICE_OK) rc = drop_desc(ct, s, a, err);
    if (rc == MICE_OK) rc = bump_version(ct, err);
    arena_destroy(a);
    return rc;
}

mice_status catalog_drop_database(catalog_txn *ct, uint32_t database_id, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *db = NULL, **kids = NULL;
    uint32_t n = 0;
    mice_status rc = desc_for_ddl(ct, database_id, a, &db, err);
    if (rc == MICE_OK && db->kind != CATALOG_DATABASE)
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_CATALOG_NAME,
                        "\"%s\" is not a database", db->name);
    if (rc == MICE_OK) rc = catalog_list(ct, database_id, a, &kids, &n, err);
    for (uint32_t i = 0; rc == MICE_OK && i < n; i++)
        rc = catalog_drop_schema(ct, kids[i]->id, true, err);
    if (rc == MICE_OK) rc = drop_desc(ct, db, a, err);
    if (rc == MICE_OK) rc = bump_version(ct, err);
    arena_destroy(a);
    return rc;
}

/* --- renames and truncate ------------------------------------------------------------------ */

mice_status catalog_rename(catalog_txn *ct, uint32_t id, const char *new_name, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *d = NULL;
    mice_status rc = desc_for_ddl(ct, id, a, &d, err);
    if (rc == MICE_OK && strcmp(d->name, new_name) == 0) rc = duplicate(err, d->kind, new_name);
    if (rc == MICE_OK) rc = name_free(ct, d->parent_id, new_name, d->kind, err);
    if (rc == MICE_OK) rc = ns_del(ct, d->parent_id, d->name, err);
    if (rc == MICE_OK) rc = ns_put(ct, d->parent_id, new_name, d->id, d->kind, 0, err);
    if (rc == MICE_OK) {
        d->name = new_name;
        d->version++;
        rc = desc_put(ct, d, err);
    }
    if (rc == MICE_OK) rc = bump_version(ct, err);
    arena_destroy(a);
    return rc;
}

mice_status catalog_rename_index(catalog_txn *ct, uint32_t table_id, uint32_t index_id,
                                 const char *new_name, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *d = NULL;
    mice_status rc = table_for_ddl(ct, table_id, a, &d, err);
    catalog_index *ix = NULL;
    for (uint32_t i = 0; rc == MICE_OK && i < d->n_indexes; i++)
        if (d->indexes[i].id == index_id) ix = &d->indexes[i];
    if (rc == MICE_OK && !ix)
        rc = sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                        "index with id %u does not exist", index_id);
    if (rc == MICE_OK) rc = name_free(ct, d->parent_id, new_name, CATALOG_INDEX, err);
    if (rc == MICE_OK) rc = ns_del(ct, d->parent_id, ix->name, err);
    if (rc == MICE_OK) rc = ns_put(ct, d->parent_id, new_name, d->id, CATALOG_INDEX, index_id, err);
    if (rc == MICE_OK) {
        ix->name = new_name;
        d->version++;
        rc = desc_put(ct, d, err);
    }
    if (rc == MICE_OK) rc = bump_version(ct, err);
    arena_destroy(a);
    return rc;
}

mice_status catalog_truncate(catalog_txn *ct, uint32_t table_id, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "ddl", 0);
    catalog_desc *d = NULL;
    mice_status rc = table_for_ddl(ct, table_id, a, &d, err);
    /* Every index moves to a fresh, empty id; the old ids' data is garbage. O(indexes),
     * whatever the table's size. */
    for (uint32_t i = 0; rc == MICE_OK && i < d->n_indexes; i++) {
        catalog_index *ix = &d->indexes[i];
        rc = gc_job_add(ct, d->id, ix->id, err);
        ix->id = d->next_index_id++;
        if (rc == MICE_OK)
            rc = ns_put(ct, d->parent_id, ix->name, d->id, CATALOG_INDEX, ix->id, err);
    }
    if (rc == MICE_OK) {
        d->version++;
        rc = desc_put(ct, d, err);
    }
    if (rc == MICE_OK) rc = bump_version(ct, err);
    arena_destroy(a);
    return rc;
}

/* Clear the spans of committed GC jobs (see gc_job_add), each then deleted in its own
 * transaction. Jobs of transactions not yet committed are invisible, so never run. */
mice_status catalog_gc_run(catalog *c, size_t *n_done, sql_error *err)
{
    *n_done = 0;
    mice_buf start, end, span_lo, span_hi;
    buf_init(&start);
    buf_init(&end);
    buf_init(&span_lo);
    buf_init(&span_hi);
    keys_sys_prefix(&start, KEYS_SYS_GC_JOB);
    keys_prefix_span(buf_slice(&start), &span_lo, &span_hi);
    mice_status rc = MICE_OK;
    for (;;) {
        /* One job per round trip: jobs are rare and each clear is one synced batch. */
        txn *t = txn_begin(c->db, TXN_READ_COMMITTED);
        txn_scan *s = NULL;
        mice_err me;
        const kv_row *rows = NULL;
        size_t n = 0;
        rc = txn_scan_open(t, buf_slice(&span_lo), buf_slice(&span_hi), false, 1, &s);
        if (!rc) rc = txn_scan_next(s, 1, &rows, &n, &me);
        uint32_t table_id = 0, index_id = 0;
        mice_buf job;
        buf_init(&job);
        if (!rc && n == 1 && rows[0].value.n == 8) {
            table_id = mice_load_be32(rows[0].value.p);
            index_id = mice_load_be32(rows[0].value.p + 4);
            buf_append_slice(&job, buf_slice(&rows[0].key));
        }
        txn_scan_close(s);
        txn_destroy(t);
        if (rc) {
            rc = catalog__txn_error(err, rc, &me);
            buf_deinit(&job);
            break;
        }
        if (n == 0 || job.n == 0) {
            if (n == 1) rc = catalog__corrupt(err, MICE_CORRUPT, "GC job", 0);
            buf_deinit(&job);
            break;
        }
        buf_reset(&start);
        buf_reset(&end);
        if (index_id == 0)
            keys_table_span(&start, &end, table_id);
        else
            keys_index_span(&start, &end, table_id, index_id);
        rc = txn_db_clear_range(c->db, buf_slice(&start), buf_slice(&end), &me);
        if (!rc) rc = txn_db_delete(c->db, buf_slice(&job), &me);
        buf_deinit(&job);
        if (rc) {
            rc = catalog__txn_error(err, rc, &me);
            break;
        }
        (*n_done)++;
    }
    buf_deinit(&start);
    buf_deinit(&end);
    buf_deinit(&span_lo);
    buf_deinit(&span_hi);
    return rc;
}

/* --- users ---------------------------------------------------------------------------------- */

static mice_status user_exists(catalog_txn *ct, const char *name, bool *found, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_user(&key, mice_slice_str(name));
    ct->ddl = true;
    mice_status rc = catalog__get(ct, buf_slice(&key), &val, found, err);
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status user_put(catalog_txn *ct, const catalog_user *u, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_user(&key, mice_slice_str(u->name));
    catalog_user_encode(u, &val);
    mice_status rc = catalog__put(ct, buf_slice(&key), buf_slice(&val), err);
    buf_deinit(&key);
    buf_deinit(&val);
    return rc ? rc : bump_version(ct, err);
}

mice_status catalog_create_user(catalog_txn *ct, catalog_user *u, sql_error *err)
{
    bool found = false;
    mice_status rc = user_exists(ct, u->name, &found, err);
    if (rc == MICE_OK && found)
        rc = sqlerr_set(err, MICE_EXISTS, SQLSTATE_DUPLICATE_OBJECT, "role \"%s\" already exists",
                        u->name);
    if (rc == MICE_OK && u->id == 0) rc = alloc_id(ct, &u->id, err);
    return rc ? rc : user_put(ct, u, err);
}

static mice_status no_role(sql_error *err, const char *name)
{
    return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist",
                      name);
}

mice_status catalog_alter_user(catalog_txn *ct, const catalog_user *u, sql_error *err)
{
    bool found = false;
    mice_status rc = user_exists(ct, u->name, &found, err);
    if (rc == MICE_OK && !found) rc = no_role(err, u->name);
    return rc ? rc : user_put(ct, u, err);
}

mice_status catalog_drop_user(catalog_txn *ct, const char *name, sql_error *err)
{
    bool found = false;
    mice_status rc = user_exists(ct, name, &found, err);
    if (rc == MICE_OK && !found) rc = no_role(err, name);
    mice_buf key;
    buf_init(&key);
    keys_user(&key, mice_slice_str(name));
    if (rc == MICE_OK) rc = catalog__del(ct, buf_slice(&key), err);
    buf_deinit(&key);
    return rc ? rc : bump_version(ct, err);
}
