/*
 * catalog.c - the catalog cache, reads and name resolution, bootstrap and sequences.
 * DDL lives in catalog_ddl.c, record encoding in catalog_desc.c; CATALOG.md has the why.
 *
 * The cache maps a system key to what a read of it returned (value or absent), for one
 * catalog version. Since every DDL bumps the version in its own txn, two snapshots that
 * read the same version see the same catalog, so entries loaded by one session serve
 * every session at that version. That is the whole invalidation rule.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "kv/keys.h"
#include "sql/catalog_int.h"

enum { CACHE_BUCKETS = 4096, SEQ_RETRIES_MAX = 100 };

struct catalog__entry {
    catalog__entry *next;
    uint64_t hash;
    mice_buf key;
    mice_buf val;
    bool found;
};

/* --- errors ------------------------------------------------------------------------- */

mice_status catalog__txn_error(sql_error *err, mice_status rc, const mice_err *me)
{
    return sqlerr_set(err, rc, txn_sqlstate(rc), "%s", mice_err_msg(me));
}

mice_status catalog__corrupt(sql_error *err, mice_status rc, const char *what, uint32_t id)
{
    if (rc == MICE_NOMEM) return sqlerr_nomem(err);
    return sqlerr_set(err, MICE_CORRUPT, SQLSTATE_DATA_CORRUPTED, "corrupt catalog record: %s %u",
                      what, id);
}

/* --- the cache ----------------------------------------------------------------------- */

static uint64_t hash_bytes(mice_slice s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < s.n; i++) h = (h ^ s.p[i]) * 1099511628211ull;
    return h;
}

/* Caller holds mu. */
static void cache_clear(catalog *c)
{
    for (size_t b = 0; b < c->n_buckets; b++) {
        catalog__entry *e = c->buckets[b];
        while (e) {
            catalog__entry *next = e->next;
            buf_deinit(&e->key);
            buf_deinit(&e->val);
            free(e);
            e = next;
        }
        c->buckets[b] = NULL;
    }
    c->n_entries = 0;
}

static bool cache_get(catalog *c, uint64_t version, mice_slice key, mice_buf *val, bool *found)
{
    uint64_t h = hash_bytes(key);
    bool hit = false;
    pthread_mutex_lock(&c->mu);
    if (c->version == version) {
        for (catalog__entry *e = c->buckets[h % c->n_buckets]; e; e = e->next) {
            if (e->hash != h || !mice_slice_eq(buf_slice(&e->key), key)) continue;
            buf_reset(val);
            buf_append_slice(val, buf_slice(&e->val));
            *found = e->found;
            hit = true;
            break;
        }
    }
    if (!hit) c->misses++;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

static void cache_put(catalog *c, uint64_t version, mice_slice key, mice_slice val, bool found)
{
    uint64_t h = hash_bytes(key);
    pthread_mutex_lock(&c->mu);
    if (c->version != version) goto done; /* read at another version: useless here */
    for (catalog__entry *e = c->buckets[h % c->n_buckets]; e; e = e->next)
        if (e->hash == h && mice_slice_eq(buf_slice(&e->key), key)) goto done;
    if (c->n_entries >= CATALOG_CACHE_ENTRIES_MAX) cache_clear(c);
    catalog__entry *e = mice_calloc(1, sizeof *e);
    e->hash = h;
    buf_append_slice(&e->key, key);
    buf_append_slice(&e->val, val);
    e->found = found;
    e->next = c->buckets[h % c->n_buckets];
    c->buckets[h % c->n_buckets] = e;
    c->n_entries++;
done:
    pthread_mutex_unlock(&c->mu);
}

catalog *catalog_create(txn_db *db, const mice_env *env, uint32_t node_id)
{
    catalog *c = mice_calloc(1, sizeof *c);
    c->db = db;
    c->env = env;
    rowenc_rowid_init(&c->rowid, env, node_id);
    pthread_mutex_init(&c->mu, NULL);
    c->n_buckets = CACHE_BUCKETS;
    c->buckets = mice_calloc(c->n_buckets, sizeof *c->buckets);
    return c;
}

void catalog_destroy(catalog *c)
{
    if (!c) return;
    cache_clear(c);
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int64_t catalog_unique_rowid(catalog *c)
{
    return rowenc_rowid_next(&c->rowid);
}

uint64_t catalog_cache_version(catalog *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t v = c->version;
    pthread_mutex_unlock(&c->mu);
    return v;
}

uint64_t catalog_cache_misses(catalog *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t v = c->misses;
    pthread_mutex_unlock(&c->mu);
    return v;
}

void catalog_txn_init(catalog_txn *ct, catalog *c, txn *t)
{
    *ct = (catalog_txn){.cat = c, .t = t};
}

static mice_status read_u64_key(txn *t, mice_slice key, uint64_t *out, sql_error *err)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_err me;
    mice_status rc = txn_get(t, key, &v, &found, &me);
    *out = 0;
    if (rc) rc = catalog__txn_error(err, rc, &me);
    else if (found && v.n != 8) rc = catalog__corrupt(err, MICE_CORRUPT, "counter", 0);
    else if (found) *out = mice_load_be64(v.p);
    buf_deinit(&v);
    return rc;
}

mice_status catalog_statement_begin(catalog_txn *ct, sql_error *err)
{
    mice_buf key;
    buf_init(&key);
    keys_catalog_version(&key);
    mice_status rc = read_u64_key(ct->t, buf_slice(&key), &ct->version, err);
    buf_deinit(&key);
    if (rc || !ct->cat) return rc;
    catalog *c = ct->cat;
    pthread_mutex_lock(&c->mu);
    if (ct->version > c->version) {
        cache_clear(c);
        c->version = ct->version;
    }
    pthread_mutex_unlock(&c->mu);
    return MICE_OK;
}

/* --- reads and writes of system keys ------------------------------------------------ */

mice_status catalog__get(catalog_txn *ct, mice_slice key, mice_buf *val, bool *found,
                         sql_error *err)
{
    bool cached = ct->cat && !ct->ddl;
    if (cached && cache_get(ct->cat, ct->version, key, val, found)) return MICE_OK;
    mice_err me;
    buf_reset(val);
    mice_status rc = txn_get(ct->t, key, val, found, &me);
    if (rc) return catalog__txn_error(err, rc, &me);
    if (cached) cache_put(ct->cat, ct->version, key, buf_slice(val), *found);
    return MICE_OK;
}

mice_status catalog__put(catalog_txn *ct, mice_slice key, mice_slice val, sql_error *err)
{
    ct->ddl = true;
    mice_err me;
    mice_status rc = txn_put(ct->t, key, val, &me);
    return rc ? catalog__txn_error(err, rc, &me) : MICE_OK;
}

mice_status catalog__del(catalog_txn *ct, mice_slice key, sql_error *err)
{
    ct->ddl = true;
    mice_err me;
    mice_status rc = txn_delete(ct->t, key, &me);
    return rc ? catalog__txn_error(err, rc, &me) : MICE_OK;
}

enum { DELETE_BATCH_ROWS = 1u << 16 }; /* each kv request seeks through the span's locks */

/* Collect up to DELETE_BATCH_ROWS keys from [start, end) into keys (each followed by its
 * length as 8 bytes, back to front readable). */
static mice_status collect_keys(catalog_txn *ct, mice_slice start, mice_slice end,
                                mice_buf *keys, size_t *n, sql_error *err)
{
    txn_scan *s = NULL;
    mice_err me;
    *n = 0;
    mice_status rc = txn_scan_open(ct->t, start, end, false, DELETE_BATCH_ROWS, &s);
    if (rc) return catalog__txn_error(err, rc, &me);
    for (;;) {
        const kv_row *rows;
        size_t n_rows = 0;
        rc = txn_scan_next(s, DELETE_BATCH_ROWS, &rows, &n_rows, &me);
        if (rc) { rc = catalog__txn_error(err, rc, &me); break; }
        if (n_rows == 0) break;
        for (size_t i = 0; i < n_rows; i++) {
            buf_append_be64(keys, rows[i].key.n);
            buf_append_slice(keys, buf_slice(&rows[i].key));
        }
        *n += n_rows;
    }
    txn_scan_close(s);
    return rc;
}

mice_status catalog__delete_span(catalog_txn *ct, mice_slice start, mice_slice end,
                                 sql_error *err)
{
    ct->ddl = true;
    mice_buf keys, from;
    buf_init(&keys);
    buf_init(&from);
    buf_append_slice(&from, start);
    mice_status rc;
    for (;;) {
        size_t n = 0;
        buf_reset(&keys);
        rc = collect_keys(ct, buf_slice(&from), end, &keys, &n, err);
        if (rc || n == 0) break;
        mice_slice in = buf_slice(&keys);
        mice_slice last = {0};
        while (in.n >= 8 && rc == MICE_OK) {
            uint64_t kn = mice_load_be64(in.p);
            last = (mice_slice){in.p + 8, (size_t)kn};
            rc = catalog__del(ct, last, err);
            in.p += 8 + kn;
            in.n -= 8 + kn;
        }
        if (rc || n < DELETE_BATCH_ROWS) break;
        buf_reset(&from);
        buf_append_slice(&from, last);
        buf_append_u8(&from, 0); /* the next key after last */
    }
    buf_deinit(&keys);
    buf_deinit(&from);
    return rc;
}

mice_status catalog__ns_get(catalog_txn *ct, uint32_t parent_id, const char *name, uint32_t *id,
                            catalog_kind *kind, uint32_t *index_id, bool *found, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_namespace(&key, parent_id, mice_slice_str(name));
    mice_status rc = catalog__get(ct, buf_slice(&key), &val, found, err);
    if (rc == MICE_OK && *found) {
        rc = catalog_ns_decode(buf_slice(&val), id, kind, index_id);
        if (rc) rc = catalog__corrupt(err, rc, "name entry under", parent_id);
    }
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

mice_status catalog__desc_get(catalog_txn *ct, uint32_t id, mice_arena *arena, catalog_desc **out,
                              bool *found, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_desc(&key, id);
    mice_status rc = catalog__get(ct, buf_slice(&key), &val, found, err);
    if (rc == MICE_OK && *found) {
        rc = catalog_desc_decode(buf_slice(&val), arena, out);
        if (rc == MICE_OK && (*out)->id != id) rc = MICE_CORRUPT;
        if (rc) rc = catalog__corrupt(err, rc, "descriptor", id);
    }
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

/* --- lookups --------------------------------------------------------------------------- */

bool catalog__is_virtual_schema(const char *name, uint32_t *id)
{
    if (strcmp(name, "pg_catalog") == 0) {
        *id = CATALOG_ID_PG_CATALOG;
        return true;
    }
    if (strcmp(name, "information_schema") == 0) {
        *id = CATALOG_ID_INFORMATION_SCHEMA;
        return true;
    }
    return false;
}

mice_status catalog_get_desc(catalog_txn *ct, uint32_t id, mice_arena *arena, catalog_desc **out,
                             sql_error *err)
{
    bool found = false;
    mice_status rc = catalog__desc_get(ct, id, arena, out, &found, err);
    if (rc) return rc;
    if (!found)
        return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                          "object with OID %u does not exist", id);
    return MICE_OK;
}

/* Name entry -> descriptor of one of the wanted kinds; *out NULL when absent. */
static mice_status named_desc(catalog_txn *ct, uint32_t parent_id, const char *name,
                              unsigned kinds_mask, mice_arena *arena, catalog_desc **out,
                              sql_error *err)
{
    uint32_t id, index_id;
    catalog_kind kind;
    bool found = false;
    *out = NULL;
    mice_status rc = catalog__ns_get(ct, parent_id, name, &id, &kind, &index_id, &found, err);
    if (rc || !found || !(kinds_mask & (1u << kind))) return rc;
    rc = catalog__desc_get(ct, id, arena, out, &found, err);
    if (rc == MICE_OK && !found) return catalog__corrupt(err, MICE_CORRUPT, "dangling name to", id);
    return rc;
}

#define KIND_BIT(k) (1u << (k))
#define RELATION_KINDS (KIND_BIT(CATALOG_TABLE) | KIND_BIT(CATALOG_VIEW) | KIND_BIT(CATALOG_SEQUENCE))

mice_status catalog_find_database(catalog_txn *ct, const char *name, mice_arena *arena,
                                  catalog_desc **out, sql_error *err)
{
    mice_status rc = named_desc(ct, 0, name, KIND_BIT(CATALOG_DATABASE), arena, out, err);
    if (rc == MICE_OK && !*out)
        return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_INVALID_CATALOG_NAME,
                          "database \"%s\" does not exist", name);
    return rc;
}

static mice_status virtual_desc(catalog_kind kind, uint32_t id, uint32_t parent, uint32_t db,
                                const char *name, mice_arena *arena, catalog_desc **out)
{
    catalog_desc *d = ARENA_NEW(arena, catalog_desc);
    if (!d || !(d->name = arena_strdup(arena, name))) return MICE_NOMEM;
    d->kind = kind;
    d->id = id;
    d->parent_id = parent;
    d->database_id = db;
    d->owner_id = CATALOG_ID_ROOT_USER;
    *out = d;
    return MICE_OK;
}

mice_status catalog_find_schema(catalog_txn *ct, uint32_t database_id, const char *name,
                                mice_arena *arena, catalog_desc **out, sql_error *err)
{
    uint32_t vid;
    if (catalog__is_virtual_schema(name, &vid)) {
        mice_status rc = virtual_desc(CATALOG_SCHEMA, vid, database_id, database_id, name, arena, out);
        return rc ? sqlerr_nomem(err) : MICE_OK;
    }
    mice_status rc = named_desc(ct, database_id, name, KIND_BIT(CATALOG_SCHEMA), arena, out, err);
    if (rc == MICE_OK && !*out)
        return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_INVALID_SCHEMA_NAME,
                          "schema \"%s\" does not exist", name);
    return rc;
}

static const char *const default_path[] = {"$user", "public"};

/* The i-th schema name of the effective search path (pg_catalog first unless listed);
 * NULL past the end. */
static const char *path_at(const catalog_search_path *sp, uint32_t i)
{
    const char *const *names = sp && sp->schemas ? sp->schemas : default_path;
    uint32_t n = sp && sp->schemas ? sp->n_schemas : 2;
    bool has_pg_catalog = false;
    for (uint32_t k = 0; k < n; k++) has_pg_catalog |= strcmp(names[k], "pg_catalog") == 0;
    if (!has_pg_catalog) {
        if (i == 0) return "pg_catalog";
        i--;
    }
    if (i >= n) return NULL;
    if (strcmp(names[i], "$user") == 0) return sp && sp->user ? sp->user : "";
    return names[i];
}

static bool is_virtual_table(const catalog_search_path *sp, const char *schema, const char *name)
{
    return sp && sp->is_virtual && sp->is_virtual(sp->ctx, schema, name);
}

/* Look name up in one schema; *out NULL when not there (or no such schema). */
static mice_status lookup_in_schema(catalog_txn *ct, uint32_t database_id,
                                    const catalog_search_path *sp, const char *schema,
                                    const char *name, unsigned kinds, mice_arena *arena,
                                    catalog_desc **out, sql_error *err)
{
    uint32_t vid;
    *out = NULL;
    if (catalog__is_virtual_schema(schema, &vid)) {
        if (!(kinds & RELATION_KINDS) || !is_virtual_table(sp, schema, name)) return MICE_OK;
        mice_status rc = virtual_desc(CATALOG_VIRTUAL, 0, vid, database_id, name, arena, out);
        return rc ? sqlerr_nomem(err) : MICE_OK;
    }
    if (!schema[0]) return MICE_OK;
    catalog_desc *s = NULL;
    mice_status rc = named_desc(ct, database_id, schema, KIND_BIT(CATALOG_SCHEMA), arena, &s, err);
    if (rc || !s) return rc;
    return named_desc(ct, s->id, name, kinds, arena, out, err);
}

mice_status catalog_resolve_relation(catalog_txn *ct, uint32_t database_id,
                                     const catalog_search_path *sp, const char *schema,
                                     const char *name, mice_arena *arena, catalog_desc **out,
                                     sql_error *err)
{
    *out = NULL;
    mice_status rc = MICE_OK;
    if (schema) {
        uint32_t vid;
        catalog_desc *s;
        if (!catalog__is_virtual_schema(schema, &vid)) {
            rc = catalog_find_schema(ct, database_id, schema, arena, &s, err);
            if (rc) return rc;
        }
        rc = lookup_in_schema(ct, database_id, sp, schema, name, RELATION_KINDS, arena, out, err);
    } else {
        const char *s;
        for (uint32_t i = 0; rc == MICE_OK && !*out && (s = path_at(sp, i)); i++)
            rc = lookup_in_schema(ct, database_id, sp, s, name, RELATION_KINDS, arena, out, err);
    }
    if (rc == MICE_OK && !*out && !schema && strcmp(name, CATALOG_KV_TABLE_NAME) == 0)
        return catalog__kv_table_desc(database_id, arena, out, err);
    if (rc == MICE_OK && !*out) {
        if (schema)
            return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_TABLE,
                              "relation \"%s.%s\" does not exist", schema, name);
        return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_TABLE,
                          "relation \"%s\" does not exist", name);
    }
    return rc;
}

mice_status catalog_creation_schema(catalog_txn *ct, uint32_t database_id,
                                    const catalog_search_path *sp, const char *schema,
                                    const char *name, uint32_t *schema_id, sql_error *err)
{
    uint32_t vid;
    catalog_desc *s = NULL;
    mice_arena *a = arena_create(NULL, "catalog", 0);
    mice_status rc = MICE_OK;
    if (schema && catalog__is_virtual_schema(schema, &vid)) {
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                        "permission denied to create \"%s.%s\"", schema, name);
        sqlerr_detail(err, "System catalog modifications are currently disallowed.");
    } else if (schema) {
        rc = catalog_find_schema(ct, database_id, schema, a, &s, err);
    } else {
        const char *p;
        for (uint32_t i = 0; rc == MICE_OK && !s && (p = path_at(sp, i)); i++) {
            if (catalog__is_virtual_schema(p, &vid) || !p[0]) continue;
            rc = named_desc(ct, database_id, p, KIND_BIT(CATALOG_SCHEMA), a, &s, err);
        }
        if (rc == MICE_OK && !s)
            rc = sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_INVALID_SCHEMA_NAME,
                            "no schema has been selected to create in");
    }
    if (rc == MICE_OK) *schema_id = s->id;
    arena_destroy(a);
    return rc;
}

mice_status catalog_resolve_index(catalog_txn *ct, uint32_t database_id,
                                  const catalog_search_path *sp, const char *schema,
                                  const char *name, mice_arena *arena, catalog_desc **table,
                                  uint32_t *index_pos, sql_error *err)
{
    *table = NULL;
    mice_status rc = MICE_OK;
    const char *s;
    for (uint32_t i = 0; rc == MICE_OK && !*table; i++) {
        s = schema ? (i == 0 ? schema : NULL) : path_at(sp, i);
        if (!s) break;
        rc = lookup_in_schema(ct, database_id, sp, s, name, KIND_BIT(CATALOG_INDEX), arena, table, err);
    }
    if (rc) return rc;
    for (uint32_t i = 0; *table && i < (*table)->n_indexes; i++) {
        if (strcmp((*table)->indexes[i].name, name) != 0) continue;
        *index_pos = i;
        return MICE_OK;
    }
    *table = NULL;
    return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT, "index \"%s\" does not exist",
                      name);
}

/* Scan [start, end) of system keys into rows handed to fn. */
typedef mice_status (*scan_fn)(void *ctx, const kv_row *row, sql_error *err);

static mice_status scan_span(catalog_txn *ct, mice_slice start, mice_slice end, scan_fn fn,
                             void *ctx, sql_error *err)
{
    txn_scan *s = NULL;
    mice_err me;
    mice_status rc = txn_scan_open(ct->t, start, end, false, 0, &s);
    if (rc) return catalog__txn_error(err, rc, &me);
    for (;;) {
        const kv_row *rows;
        size_t n = 0;
        rc = txn_scan_next(s, 0, &rows, &n, &me);
        if (rc) { rc = catalog__txn_error(err, rc, &me); break; }
        if (n == 0) break;
        for (size_t i = 0; i < n && rc == MICE_OK; i++) rc = fn(ctx, &rows[i], err);
        if (rc) break;
    }
    txn_scan_close(s);
    return rc;
}

typedef struct list_ctx {
    catalog_txn *ct;
    mice_arena *arena;
    void **items;
    uint32_t n, cap;
    bool users;
} list_ctx;

static mice_status list_push(list_ctx *l, void *item)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        void **items = ARENA_NEW_ARRAY(l->arena, void *, cap);
        if (!items) return MICE_NOMEM;
        if (l->n) memcpy(items, l->items, sizeof(void *) * l->n);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = item;
    return MICE_OK;
}

static mice_status list_row(void *ctx, const kv_row *row, sql_error *err)
{
    list_ctx *l = ctx;
    mice_status rc;
    void *item = NULL;
    if (l->users) {
        catalog_user *u = NULL;
        rc = catalog_user_decode(buf_slice(&row->value), l->arena, &u);
        if (rc) return catalog__corrupt(err, rc, "user record", 0);
        item = u;
    } else {
        uint32_t id, index_id;
        catalog_kind kind;
        rc = catalog_ns_decode(buf_slice(&row->value), &id, &kind, &index_id);
        if (rc) return catalog__corrupt(err, rc, "name entry", 0);
        if (kind == CATALOG_INDEX) return MICE_OK;
        catalog_desc *d = NULL;
        bool found = false;
        rc = catalog__desc_get(l->ct, id, l->arena, &d, &found, err);
        if (rc) return rc;
        if (!found) return catalog__corrupt(err, MICE_CORRUPT, "dangling name to", id);
        item = d;
    }
    return list_push(l, item) ? sqlerr_nomem(err) : MICE_OK;
}

static mice_status list_prefix(catalog_txn *ct, const mice_buf *prefix, list_ctx *l, sql_error *err)
{
    mice_buf start, end;
    buf_init(&start);
    buf_init(&end);
    keys_prefix_span(buf_slice(prefix), &start, &end);
    mice_status rc = scan_span(ct, buf_slice(&start), buf_slice(&end), list_row, l, err);
    buf_deinit(&start);
    buf_deinit(&end);
    return rc;
}

mice_status catalog_list(catalog_txn *ct, uint32_t parent_id, mice_arena *arena,
                         catalog_desc ***out, uint32_t *n_out, sql_error *err)
{
    list_ctx l = {.ct = ct, .arena = arena};
    mice_buf prefix;
    buf_init(&prefix);
    keys_namespace_prefix(&prefix, parent_id);
    mice_status rc = list_prefix(ct, &prefix, &l, err);
    buf_deinit(&prefix);
    *out = (catalog_desc **)l.items;
    *n_out = l.n;
    return rc;
}

mice_status catalog_list_users(catalog_txn *ct, mice_arena *arena, catalog_user ***out,
                               uint32_t *n_out, sql_error *err)
{
    list_ctx l = {.ct = ct, .arena = arena, .users = true};
    mice_buf prefix;
    buf_init(&prefix);
    keys_sys_prefix(&prefix, KEYS_SYS_USERS);
    mice_status rc = list_prefix(ct, &prefix, &l, err);
    buf_deinit(&prefix);
    *out = (catalog_user **)l.items;
    *n_out = l.n;
    return rc;
}

mice_status catalog_get_user(catalog_txn *ct, const char *name, mice_arena *arena,
                             catalog_user **out, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_user(&key, mice_slice_str(name));
    bool found = false;
    mice_status rc = catalog__get(ct, buf_slice(&key), &val, &found, err);
    if (rc == MICE_OK && !found)
        rc = sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT, "role \"%s\" does not exist",
                        name);
    else if (rc == MICE_OK && (rc = catalog_user_decode(buf_slice(&val), arena, out)))
        rc = catalog__corrupt(err, rc, "user record", 0);
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

/* --- descriptor helpers ---------------------------------------------------------------- */

const catalog_column *catalog_column_by_name(const catalog_desc *d, const char *name)
{
    for (uint32_t i = 0; i < d->n_columns; i++)
        if (strcmp(d->columns[i].name, name) == 0) return &d->columns[i];
    return NULL;
}

int catalog_column_pos(const catalog_desc *d, uint32_t column_id)
{
    for (uint32_t i = 0; i < d->n_columns; i++)
        if (d->columns[i].id == column_id) return (int)i;
    return -1;
}

static mice_status layout_index(const catalog_desc *d, const catalog_index *ci, mice_arena *a,
                                rowenc_index *ri)
{
    uint32_t *cols = ARENA_NEW_ARRAY(a, uint32_t, ci->n_cols + 1);
    uint32_t *inc = ARENA_NEW_ARRAY(a, uint32_t, ci->n_include + 1);
    if (!cols || !inc) return MICE_NOMEM;
    for (uint32_t k = 0; k < ci->n_cols; k++) {
        int pos = catalog_column_pos(d, ci->col_ids[k]);
        if (pos < 0) return MICE_CORRUPT;
        cols[k] = (uint32_t)pos;
    }
    for (uint32_t k = 0; k < ci->n_include; k++) {
        int pos = catalog_column_pos(d, ci->include_ids[k]);
        if (pos < 0) return MICE_CORRUPT;
        inc[k] = (uint32_t)pos;
    }
    *ri = (rowenc_index){.id = ci->id, .unique = ci->unique, .n_cols = ci->n_cols, .cols = cols,
                         .dirs = ci->dirs, .n_include = ci->n_include, .include = inc};
    return MICE_OK;
}

mice_status catalog_table_layout(const catalog_desc *d, mice_arena *arena, rowenc_table *t,
                                 rowenc_index **indexes)
{
    if (d->kind != CATALOG_TABLE || d->n_indexes == 0) return MICE_INVALID;
    rowenc_col *cols = ARENA_NEW_ARRAY(arena, rowenc_col, d->n_columns + 1);
    rowenc_index *ixs = ARENA_NEW_ARRAY(arena, rowenc_index, d->n_indexes);
    if (!cols || !ixs) return MICE_NOMEM;
    for (uint32_t i = 0; i < d->n_columns; i++) {
        if (i > 0 && d->columns[i].id <= d->columns[i - 1].id) return MICE_CORRUPT;
        cols[i] = (rowenc_col){d->columns[i].id, d->columns[i].type.id};
    }
    for (uint32_t i = 0; i < d->n_indexes; i++) {
        mice_status rc = layout_index(d, &d->indexes[i], arena, &ixs[i]);
        if (rc) return rc;
    }
    *t = (rowenc_table){.table_id = d->id,
                        .n_cols = d->n_columns,
                        .cols = cols,
                        .primary = &ixs[0],
                        .kv_namespace = d->id == CATALOG_ID_KV_TABLE};
    *indexes = ixs;
    return MICE_OK;
}

/* --- bootstrap ------------------------------------------------------------------------ */

static mice_status bootstrap_objects(catalog_txn *ct, sql_error *err)
{
    catalog_user root = {.id = CATALOG_ID_ROOT_USER, .name = "root", .superuser = true, .login = true};
    mice_status rc = catalog_create_user(ct, &root, err);
    uint32_t id;
    if (rc == MICE_OK) rc = catalog_create_database(ct, "defaultdb", CATALOG_ID_ROOT_USER, &id, err);
    if (rc == MICE_OK) rc = catalog_create_database(ct, "postgres", CATALOG_ID_ROOT_USER, &id, err);
    return rc;
}

mice_status catalog_bootstrap(txn_db *db, sql_error *err)
{
    txn *t = txn_begin(db, TXN_SERIALIZABLE);
    catalog_txn ct;
    catalog_txn_init(&ct, NULL, t);
    mice_status rc = catalog_statement_begin(&ct, err);
    if (rc || ct.version != 0) goto done; /* already bootstrapped */
    rc = bootstrap_objects(&ct, err);
    if (rc) goto done;
    mice_err me;
    rc = txn_commit(t, &me);
    if (rc) rc = catalog__txn_error(err, rc, &me);
done:
    txn_destroy(t);
    return rc;
}

/* --- sequences --------------------------------------------------------------------------- */

enum { SEQ_VALUE_BYTES = 9 }; /* int64 last value, big-endian; 1 byte is_called */

static mice_status seq_read(txn *t, uint32_t id, const catalog_desc *seq, int64_t *last,
                            bool *called, sql_error *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    keys_sequence(&key, id);
    bool found = false;
    mice_err me;
    mice_status rc = txn_get_for_update(t, buf_slice(&key), &val, &found, &me);
    if (rc) rc = catalog__txn_error(err, rc, &me);
    else if (!found) { *last = seq->seq.start; *called = false; }
    else if (val.n != SEQ_VALUE_BYTES || val.p[8] > 1)
        rc = catalog__corrupt(err, MICE_CORRUPT, "sequence", id);
    else { *last = (int64_t)mice_load_be64(val.p); *called = val.p[8] == 1; }
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

static mice_status seq_write(txn *t, uint32_t id, int64_t last, bool called, sql_error *err)
{
    mice_buf key;
    buf_init(&key);
    keys_sequence(&key, id);
    uint8_t v[SEQ_VALUE_BYTES];
    mice_store_be64(v, (uint64_t)last);
    v[8] = called ? 1 : 0;
    mice_err me;
    mice_status rc = txn_put(t, buf_slice(&key), mice_slice_of(v, sizeof v), &me);
    buf_deinit(&key);
    return rc ? catalog__txn_error(err, rc, &me) : MICE_OK;
}

static mice_status seq_next_value(const catalog_desc *seq, int64_t last, bool called, int64_t *next,
                                  sql_error *err)
{
    const catalog_sequence_opts *o = &seq->seq;
    if (!called) { *next = last; return MICE_OK; }
    int64_t v;
    bool over = __builtin_add_overflow(last, o->increment, &v) || v > o->max || v < o->min;
    if (!over) { *next = v; return MICE_OK; }
    if (o->cycle) { *next = o->increment > 0 ? o->min : o->max; return MICE_OK; }
    bool up = o->increment > 0;
    return sqlerr_set(err, MICE_RANGE, SQLSTATE_SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                      "nextval: reached %s value of sequence \"%s\" (%lld)", up ? "maximum" : "minimum",
                      seq->name, (long long)(up ? o->max : o->min));
}

/* One read-modify-write of the counter in its own short txn, retried on conflicts. */
static mice_status seq_update(catalog *c, const catalog_desc *seq, bool setval, int64_t v,
                              bool is_called, int64_t *out, sql_error *err)
{
    mice_status rc = MICE_CONFLICT;
    for (int attempt = 0; attempt < SEQ_RETRIES_MAX; attempt++) {
        txn *t = txn_begin(c->db, TXN_READ_COMMITTED);
        int64_t last = 0;
        bool called = false;
        rc = seq_read(t, seq->id, seq, &last, &called, err);
        if (rc == MICE_OK && !setval) rc = seq_next_value(seq, last, called, &v, err);
        if (rc == MICE_OK) rc = seq_write(t, seq->id, v, setval ? is_called : true, err);
        mice_err me;
        if (rc == MICE_OK && (rc = txn_commit(t, &me))) rc = catalog__txn_error(err, rc, &me);
        txn_destroy(t);
        if (rc != MICE_CONFLICT && rc != MICE_AGAIN) break;
    }
    if (rc == MICE_OK && out) *out = v;
    return rc;
}

mice_status catalog_sequence_nextval(catalog *c, const catalog_desc *seq, int64_t *out,
                                     sql_error *err)
{
    mice_assert(seq->kind == CATALOG_SEQUENCE);
    return seq_update(c, seq, false, 0, false, out, err);
}

mice_status catalog_sequence_setval(catalog *c, const catalog_desc *seq, int64_t v,
                                    bool is_called, sql_error *err)
{
    mice_assert(seq->kind == CATALOG_SEQUENCE);
    if (v < seq->seq.min || v > seq->seq.max)
        return sqlerr_set(err, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)",
                          (long long)v, seq->name, (long long)seq->seq.min, (long long)seq->seq.max);
    return seq_update(c, seq, true, v, is_called, NULL, err);
}
