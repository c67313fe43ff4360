/* Unit tests for sql/catalog: bootstrap, DDL in transactions (rollback leaves nothing),
 * every promised SQLSTATE, search_path, ids, cache invalidation, restart, concurrent DDL,
 * sequences, users and the descriptor record format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/prng.h"
#include "base/tmpdir.h"
#include "kv/keys.h"
#include "sql/catalog.h"
#include "storage/mvcc.h"

/* --- scratch engines ---------------------------------------------------------------- */

typedef struct cenv {
    char dir[512];
    engine *e;
    txn_db *db;
    catalog *cat;
    mice_arena *keep; /* session arenas hang here: descriptors outlive their session */
} cenv;

static void env_start(cenv *c)
{
    engine_config ec;
    mvcc_config_init(&ec, c->dir);
    mice_err err;
    if (engine_open(&ec, &c->e, &err)) fail_msg("engine_open: %s", mice_err_msg(&err));
    txn_db_config cfg;
    txn_db_config_init(&cfg);
    cfg.lock_timeout_ms = 10000;
    if (txn_db_create(c->e, mice_env_real(), &cfg, &c->db, &err))
        fail_msg("txn_db_create: %s", mice_err_msg(&err));
    sql_error serr;
    if (catalog_bootstrap(c->db, &serr)) fail_msg("bootstrap: %s", serr.message);
    c->cat = catalog_create(c->db, mice_env_real(), 1);
}

static void env_stop(cenv *c)
{
    catalog_destroy(c->cat);
    txn_db_destroy(c->db);
    engine_close(c->e);
    c->cat = NULL;
    c->db = NULL;
    c->e = NULL;
}

static void env_open(cenv *c, const char *tag)
{
    memset(c, 0, sizeof *c);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "catalog-%s", tag);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), prefix, c->dir, sizeof c->dir, NULL) ==
                MICE_OK);
    c->keep = arena_create(NULL, "keep", 0);
    env_start(c);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void env_close(cenv *c)
{
    if (c->db) env_stop(c);
    arena_destroy(c->keep);
    nftw(c->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* --- sessions ------------------------------------------------------------------------ */

typedef struct sess {
    cenv *env;
    txn *t;
    catalog_txn ct;
    mice_arena *a;
    sql_error err;
    uint32_t db_id;
} sess;

static uint32_t must_db(sess *s, const char *name)
{
    catalog_desc *d;
    if (catalog_find_database(&s->ct, name, s->a, &d, &s->err)) fail_msg("%s", s->err.message);
    return d->id;
}

static void begin(cenv *c, sess *s)
{
    memset(s, 0, sizeof *s);
    s->env = c;
    s->t = txn_begin(c->db, TXN_READ_COMMITTED);
    catalog_txn_init(&s->ct, c->cat, s->t);
    s->a = arena_create(c->keep, "sess", 0);
    assert_int_equal(catalog_statement_begin(&s->ct, &s->err), MICE_OK);
    s->db_id = must_db(s, "defaultdb");
}

static void next_statement(sess *s)
{
    txn_statement_begin(s->t);
    assert_int_equal(catalog_statement_begin(&s->ct, &s->err), MICE_OK);
}

static void end(sess *s, bool commit)
{
    mice_err me;
    if (commit) assert_int_equal(txn_commit(s->t, &me), MICE_OK);
    txn_destroy(s->t);
    s->t = NULL;
}

static void assert_err(sess *s, mice_status rc, const char *sqlstate, const char *message)
{
    assert_int_not_equal(rc, MICE_OK);
    assert_string_equal(s->err.sqlstate, sqlstate);
    if (message) assert_string_equal(s->err.message, message);
}

/* CREATE TABLE [schema.]name (a int4 [PRIMARY KEY], b text) in defaultdb. */
static mice_status create_table(sess *s, const char *schema, const char *name, bool pk,
                                catalog_desc **out)
{
    uint32_t schema_id;
    mice_status rc = catalog_creation_schema(&s->ct, s->db_id, NULL, schema, name, &schema_id, &s->err);
    if (rc) return rc;
    catalog_desc *d = ARENA_NEW(s->a, catalog_desc);
    d->kind = CATALOG_TABLE;
    d->parent_id = schema_id;
    d->name = name;
    d->owner_id = CATALOG_ID_ROOT_USER;
    d->columns = ARENA_NEW_ARRAY(s->a, catalog_column, 2);
    d->columns[0] = (catalog_column){.name = "a", .type = {SQL_TYPE_INT4, -1}};
    d->columns[1] = (catalog_column){.name = "b", .type = {SQL_TYPE_TEXT, -1}, .default_expr = "'x'"};
    d->n_columns = 2;
    if (pk) {
        d->indexes = ARENA_NEW_ARRAY(s->a, catalog_index, 1);
        uint32_t *cols = ARENA_NEW(s->a, uint32_t);
        keyenc_dir *dirs = ARENA_NEW(s->a, keyenc_dir);
        *cols = 1;
        d->indexes[0] = (catalog_index){.primary = true, .unique = true, .constraint = true,
                                        .n_cols = 1, .col_ids = cols, .dirs = dirs};
        d->n_indexes = 1;
    }
    d->checks = ARENA_NEW(s->a, catalog_check);
    d->checks[0] = (catalog_check){"t_a_check", "a > 0"};
    d->n_checks = 1;
    rc = catalog_create_relation(&s->ct, d, s->a, &s->err);
    if (rc == MICE_OK && out) *out = d;
    return rc;
}

static mice_status resolve(sess *s, const char *schema, const char *name, catalog_desc **d)
{
    return catalog_resolve_relation(&s->ct, s->db_id, NULL, schema, name, s->a, d, &s->err);
}

static size_t count_span(cenv *c, void (*span)(mice_buf *, mice_buf *))
{
    mice_buf st, en;
    buf_init(&st);
    buf_init(&en);
    span(&st, &en);
    txn *t = txn_begin(c->db, TXN_READ_COMMITTED);
    txn_scan *sc;
    assert_int_equal(txn_scan_open(t, buf_slice(&st), buf_slice(&en), false, 0, &sc), MICE_OK);
    size_t total = 0;
    for (;;) {
        const kv_row *rows;
        size_t n;
        mice_err me;
        assert_int_equal(txn_scan_next(sc, 0, &rows, &n, &me), MICE_OK);
        if (n == 0) break;
        total += n;
    }
    txn_scan_close(sc);
    txn_destroy(t);
    buf_deinit(&st);
    buf_deinit(&en);
    return total;
}

/* --- tests ----------------------------------------------------------------------------- */

static void test_bootstrap(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "boot");
    sess s;
    begin(&c, &s);
    catalog_user *root;
    assert_int_equal(catalog_get_user(&s.ct, "root", s.a, &root, &s.err), MICE_OK);
    assert_true(root->superuser && root->login);
    assert_int_equal(root->id, CATALOG_ID_ROOT_USER);
    assert_null(root->password);
    catalog_desc **dbs;
    uint32_t n;
    assert_int_equal(catalog_list(&s.ct, 0, s.a, &dbs, &n, &s.err), MICE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(dbs[0]->name, "defaultdb");
    assert_string_equal(dbs[1]->name, "postgres");
    for (uint32_t i = 0; i < n; i++) {
        catalog_desc *sc;
        assert_int_equal(catalog_find_schema(&s.ct, dbs[i]->id, "public", s.a, &sc, &s.err), MICE_OK);
        assert_int_equal(sc->parent_id, dbs[i]->id);
        assert_int_equal(catalog_find_schema(&s.ct, dbs[i]->id, "pg_catalog", s.a, &sc, &s.err), MICE_OK);
        assert_int_equal(sc->id, CATALOG_ID_PG_CATALOG);
        assert_int_equal(catalog_find_schema(&s.ct, dbs[i]->id, "information_schema", s.a, &sc, &s.err),
                         MICE_OK);
    }
    uint64_t version = s.ct.version;
    end(&s, false);
    size_t sys_keys = count_span(&c, keys_system_span);
    sql_error err;
    assert_int_equal(catalog_bootstrap(c.db, &err), MICE_OK); /* idempotent */
    assert_int_equal(count_span(&c, keys_system_span), sys_keys);
    begin(&c, &s);
    assert_int_equal(s.ct.version, version);
    catalog_desc *sc;
    assert_err(&s, catalog_create_schema(&s.ct, s.db_id, "pg_catalog", 1, NULL, &s.err), "42P06", NULL);
    assert_err(&s, catalog_create_schema(&s.ct, s.db_id, "pg_x", 1, NULL, &s.err), "42939", NULL);
    (void)sc;
    end(&s, false);
    env_close(&c);
}

static void test_create_resolve_drop(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "crd");
    sess s;
    begin(&c, &s);
    catalog_desc *d, *r;
    assert_int_equal(create_table(&s, NULL, "t", true, &d), MICE_OK);
    assert_true(d->id >= CATALOG_ID_FIRST);
    assert_int_equal(resolve(&s, NULL, "t", &r), MICE_OK); /* own uncommitted DDL is visible */
    assert_int_equal(r->id, d->id);
    assert_int_equal(r->database_id, s.db_id);
    assert_int_equal(r->n_columns, 2);
    assert_string_equal(r->columns[1].default_expr, "'x'");
    assert_true(r->columns[0].not_null); /* primary key columns are NOT NULL */
    assert_string_equal(r->indexes[0].name, "t_pkey");
    assert_string_equal(r->checks[0].expr, "a > 0");
    uint32_t *cols = ARENA_NEW(s.a, uint32_t);
    keyenc_dir *dirs = ARENA_NEW(s.a, keyenc_dir);
    *cols = 2;
    *dirs = KEYENC_DESC;
    catalog_index ix = {.n_cols = 1, .col_ids = cols, .dirs = dirs, .predicate = "b <> ''"};
    assert_int_equal(catalog_create_index(&s.ct, d->id, &ix, s.a, &s.err), MICE_OK);
    assert_string_equal(ix.name, "t_b_idx");
    assert_int_equal(ix.id, 2);
    end(&s, true);

    begin(&c, &s);
    catalog_desc *tab;
    uint32_t pos;
    assert_int_equal(catalog_resolve_index(&s.ct, s.db_id, NULL, NULL, "t_b_idx", s.a, &tab, &pos, &s.err),
                     MICE_OK);
    assert_int_equal(tab->indexes[pos].dirs[0], KEYENC_DESC);
    assert_string_equal(tab->indexes[pos].predicate, "b <> ''");
    /* a row, written with the table's layout */
    rowenc_table lt;
    rowenc_index *lix;
    assert_int_equal(catalog_table_layout(tab, s.a, &lt, &lix), MICE_OK);
    sql_datum row[2] = {datum_int4(1), datum_text(MICE_SLICE_LIT("one"))};
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    assert_int_equal(rowenc_primary_key(&lt, row, &k), MICE_OK);
    assert_int_equal(rowenc_primary_value(&lt, row, &v), MICE_OK);
    mice_err me;
    assert_int_equal(txn_put(s.t, buf_slice(&k), buf_slice(&v), &me), MICE_OK);
    end(&s, true);
    assert_int_equal(count_span(&c, keys_all_tables_span), 1);

    begin(&c, &s);
    assert_int_equal(catalog_drop_index(&s.ct, tab->id, 2, &s.err), MICE_OK);
    assert_err(&s, catalog_drop_index(&s.ct, tab->id, 1, &s.err), "2BP01",
               "cannot drop index t_pkey because constraint t_pkey on table t requires it");
    end(&s, false);
    begin(&c, &s);
    assert_int_equal(catalog_drop_relation(&s.ct, tab->id, &s.err), MICE_OK);
    assert_err(&s, resolve(&s, NULL, "t", &r), "42P01", "relation \"t\" does not exist");
    assert_err(&s, catalog_resolve_index(&s.ct, s.db_id, NULL, NULL, "t_b_idx", s.a, &tab, &pos, &s.err),
               "42704", "index \"t_b_idx\" does not exist");
    end(&s, true);
    size_t done = 0;
    assert_int_equal(catalog_gc_run(c.cat, &done, &s.err), MICE_OK);
    assert_int_equal(done, 1); /* the table (the index drop was rolled back) */
    assert_int_equal(count_span(&c, keys_all_tables_span), 0);
    begin(&c, &s);
    assert_int_equal(create_table(&s, NULL, "t", true, &d), MICE_OK); /* the name is free again */
    end(&s, true);
    buf_deinit(&k);
    buf_deinit(&v);
    env_close(&c);
}

static void test_rollback_leaves_nothing(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "rb");
    size_t before = count_span(&c, keys_system_span);
    sess s;
    begin(&c, &s);
    uint32_t sid;
    assert_int_equal(catalog_create_schema(&s.ct, s.db_id, "s1", 1, &sid, &s.err), MICE_OK);
    assert_int_equal(create_table(&s, "s1", "t", false, NULL), MICE_OK);
    catalog_user u = {.name = "bob", .login = true};
    assert_int_equal(catalog_create_user(&s.ct, &u, &s.err), MICE_OK);
    uint32_t dbid;
    assert_int_equal(catalog_create_database(&s.ct, "d2", 1, &dbid, &s.err), MICE_OK);
    end(&s, false);
    assert_int_equal(count_span(&c, keys_system_span), before);
    begin(&c, &s);
    catalog_desc *r;
    assert_err(&s, resolve(&s, "s1", "t", &r), "3F000", "schema \"s1\" does not exist");
    catalog_user *ru;
    assert_err(&s, catalog_get_user(&s.ct, "bob", s.a, &ru, &s.err), "42704", "role \"bob\" does not exist");
    assert_err(&s, catalog_find_database(&s.ct, "d2", s.a, &r, &s.err), "3D000",
               "database \"d2\" does not exist");
    end(&s, false);
    env_close(&c);
}

static void test_error_codes(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "err");
    sess s;
    begin(&c, &s);
    catalog_desc *d, *r;
    assert_int_equal(create_table(&s, NULL, "t", false, &d), MICE_OK);
    assert_err(&s, create_table(&s, NULL, "t", true, NULL), "42P07", "relation \"t\" already exists");
    assert_err(&s, create_table(&s, NULL, "t_pkey", true, NULL), "42P07",
               "relation \"t_pkey\" already exists"); /* indexes share the relation namespace */
    uint32_t id;
    assert_err(&s, catalog_create_database(&s.ct, "postgres", 1, &id, &s.err), "42P04",
               "database \"postgres\" already exists");
    assert_err(&s, catalog_create_schema(&s.ct, s.db_id, "public", 1, &id, &s.err), "42P06",
               "schema \"public\" already exists");
    catalog_user u = {.name = "root"};
    assert_err(&s, catalog_create_user(&s.ct, &u, &s.err), "42710", "role \"root\" already exists");
    assert_err(&s, catalog_drop_user(&s.ct, "nobody", &s.err), "42704", "role \"nobody\" does not exist");
    assert_err(&s, resolve(&s, NULL, "nope", &r), "42P01", "relation \"nope\" does not exist");
    assert_err(&s, resolve(&s, "public", "nope", &r), "42P01", "relation \"public.nope\" does not exist");
    assert_err(&s, resolve(&s, "nos", "t", &r), "3F000", "schema \"nos\" does not exist");
    assert_err(&s, catalog_find_database(&s.ct, "nodb", s.a, &r, &s.err), "3D000",
               "database \"nodb\" does not exist");
    catalog_column col = {.name = "b", .type = {SQL_TYPE_INT8, -1}};
    assert_err(&s, catalog_add_column(&s.ct, d->id, &col, s.a, &s.err), "42701",
               "column \"b\" of relation \"t\" already exists");
    assert_err(&s, create_table(&s, "pg_catalog", "x", true, NULL), "42501",
               "permission denied to create \"pg_catalog.x\"");
    const char *path[] = {"nothere"};
    catalog_search_path sp = {.schemas = path, .n_schemas = 1};
    assert_err(&s, catalog_creation_schema(&s.ct, s.db_id, &sp, NULL, "x", &id, &s.err), "3F000",
               "no schema has been selected to create in");
    uint32_t sid;
    assert_int_equal(catalog_create_schema(&s.ct, s.db_id, "full", 1, &sid, &s.err), MICE_OK);
    assert_int_equal(create_table(&s, "full", "t", true, NULL), MICE_OK);
    assert_err(&s, catalog_drop_schema(&s.ct, sid, false, &s.err), "2BP01",
               "cannot drop schema full because other objects depend on it");
    assert_int_equal(catalog_drop_schema(&s.ct, sid, true, &s.err), MICE_OK);
    assert_err(&s, resolve(&s, "full", "t", &r), "3F000", NULL);
    assert_err(&s, catalog_rename(&s.ct, d->id, "t", &s.err), "42P07", NULL);
    /* views share the relation namespace and keep their query text */
    /* ... their columns and the relations they read (view_deps) */
    uint32_t deps[2] = {d->id, 77};
    catalog_column vcol = {.id = 1, .name = "a", .type = {SQL_TYPE_INT4, -1}};
    catalog_desc v = {.kind = CATALOG_VIEW, .parent_id = d->parent_id, .name = "t",
                      .view_query = "SELECT a FROM t", .n_columns = 1, .columns = &vcol,
                      .n_view_deps = 2, .view_deps = deps};
    assert_err(&s, catalog_create_relation(&s.ct, &v, s.a, &s.err), "42P07", NULL);
    v.name = "v";
    assert_int_equal(catalog_create_relation(&s.ct, &v, s.a, &s.err), MICE_OK);
    assert_int_equal(resolve(&s, NULL, "v", &r), MICE_OK);
    assert_int_equal(r->kind, CATALOG_VIEW);
    assert_string_equal(r->view_query, "SELECT a FROM t");
    assert_int_equal(r->n_columns, 1);
    assert_string_equal(r->columns[0].name, "a");
    assert_int_equal(r->n_view_deps, 2);
    assert_int_equal(r->view_deps[0], d->id);
    assert_int_equal(r->view_deps[1], 77);
    end(&s, false);
    env_close(&c);
}

static bool virtual_tables(void *ctx, const char *schema, const char *name)
{
    (void)ctx;
    return strcmp(schema, "pg_catalog") == 0 && strcmp(name, "pg_class") == 0;
}

static void test_search_path(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "path");
    sess s;
    begin(&c, &s);
    catalog_desc *pub, *s1t, *bobt, *pgc, *r;
    uint32_t id;
    assert_int_equal(catalog_create_schema(&s.ct, s.db_id, "s1", 1, &id, &s.err), MICE_OK);
    assert_int_equal(catalog_create_schema(&s.ct, s.db_id, "bob", 1, &id, &s.err), MICE_OK);
    assert_int_equal(create_table(&s, NULL, "t", true, &pub), MICE_OK);
    assert_int_equal(create_table(&s, "s1", "t", true, &s1t), MICE_OK);
    assert_int_equal(create_table(&s, "bob", "t", true, &bobt), MICE_OK);
    assert_int_equal(create_table(&s, "public", "pg_class", true, &pgc), MICE_OK);
    end(&s, true);
    begin(&c, &s);
    /* default "$user", public: no user schema -> public */
    assert_int_equal(resolve(&s, NULL, "t", &r), MICE_OK);
    assert_int_equal(r->id, pub->id);
    catalog_search_path sp = {.user = "bob", .is_virtual = virtual_tables};
    assert_int_equal(catalog_resolve_relation(&s.ct, s.db_id, &sp, NULL, "t", s.a, &r, &s.err), MICE_OK);
    assert_int_equal(r->id, bobt->id); /* "$user" = bob */
    const char *path1[] = {"s1", "public"};
    sp.schemas = path1;
    sp.n_schemas = 2;
    assert_int_equal(catalog_resolve_relation(&s.ct, s.db_id, &sp, NULL, "t", s.a, &r, &s.err), MICE_OK);
    assert_int_equal(r->id, s1t->id);
    assert_int_equal(catalog_creation_schema(&s.ct, s.db_id, &sp, NULL, "x", &id, &s.err), MICE_OK);
    assert_int_equal(id, s1t->parent_id);
    /* pg_catalog is searched first unless the path places it */
    assert_int_equal(catalog_resolve_relation(&s.ct, s.db_id, &sp, NULL, "pg_class", s.a, &r, &s.err),
                     MICE_OK);
    assert_int_equal(r->kind, CATALOG_VIRTUAL);
    assert_int_equal(r->parent_id, CATALOG_ID_PG_CATALOG);
    const char *path2[] = {"public", "pg_catalog"};
    sp.schemas = path2;
    assert_int_equal(catalog_resolve_relation(&s.ct, s.db_id, &sp, NULL, "pg_class", s.a, &r, &s.err),
                     MICE_OK);
    assert_int_equal(r->id, pgc->id);
    assert_int_equal(catalog_resolve_relation(&s.ct, s.db_id, &sp, "pg_catalog", "pg_class", s.a, &r,
                                              &s.err), MICE_OK);
    assert_int_equal(r->kind, CATALOG_VIRTUAL);
    assert_err(&s, catalog_resolve_relation(&s.ct, s.db_id, &sp, "pg_catalog", "t", s.a, &r, &s.err),
               "42P01", "relation \"pg_catalog.t\" does not exist");
    /* missing schemas in the path are skipped */
    const char *path3[] = {"gone", "s1"};
    sp.schemas = path3;
    assert_int_equal(catalog_resolve_relation(&s.ct, s.db_id, &sp, NULL, "t", s.a, &r, &s.err), MICE_OK);
    assert_int_equal(r->id, s1t->id);
    end(&s, false);
    env_close(&c);
}

static void test_ids_monotone_and_listing(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "ids");
    uint32_t prev = 0;
    for (int i = 0; i < 10; i++) {
        sess s;
        begin(&c, &s);
        char name[16];
        snprintf(name, sizeof name, "t%d", 9 - i);
        catalog_desc *d;
        assert_int_equal(create_table(&s, NULL, arena_strdup(s.a, name), i % 2, &d), MICE_OK);
        assert_true(d->id > prev);
        if (i != 3) prev = d->id;
        if (i % 2 == 0) {
            assert_true(d->columns[2].hidden); /* no primary key: the rowid */
            assert_string_equal(d->columns[2].name, "rowid");
            assert_int_equal(d->indexes[0].col_ids[0], d->columns[2].id);
        }
        end(&s, i != 3); /* one rolled back: its id is not burnt (ids are transactional) */
    }
    sess s;
    begin(&c, &s);
    catalog_desc *pub;
    assert_int_equal(catalog_find_schema(&s.ct, s.db_id, "public", s.a, &pub, &s.err), MICE_OK);
    catalog_desc **all;
    uint32_t n;
    assert_int_equal(catalog_list(&s.ct, pub->id, s.a, &all, &n, &s.err), MICE_OK);
    assert_int_equal(n, 9); /* tables only, not their index names */
    for (uint32_t i = 1; i < n; i++) assert_true(strcmp(all[i - 1]->name, all[i]->name) < 0);
    end(&s, false);
    env_close(&c);
}

/* Session A caches t; session B adds a column and commits; A's next statement sees it. */
static void test_cache_invalidation(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "cache");
    sess a, b;
    begin(&c, &a);
    catalog_desc *d;
    assert_int_equal(create_table(&a, NULL, "t", true, &d), MICE_OK);
    end(&a, true);
    begin(&c, &a);
    catalog_desc *r;
    assert_int_equal(resolve(&a, NULL, "t", &r), MICE_OK);
    uint64_t misses = catalog_cache_misses(c.cat);
    for (int i = 0; i < 10; i++) {
        next_statement(&a);
        assert_int_equal(resolve(&a, NULL, "t", &r), MICE_OK);
    }
    assert_int_equal(catalog_cache_misses(c.cat), misses); /* served from the cache */
    assert_int_equal(r->n_columns, 2);
    uint64_t v0 = catalog_cache_version(c.cat);

    begin(&c, &b);
    catalog_column col = {.name = "c", .type = {SQL_TYPE_INT8, -1}};
    assert_int_equal(catalog_add_column(&b.ct, d->id, &col, b.a, &b.err), MICE_OK);
    assert_int_equal(col.id, 3);
    next_statement(&a); /* B has not committed: A still sees two columns */
    assert_int_equal(resolve(&a, NULL, "t", &r), MICE_OK);
    assert_int_equal(r->n_columns, 2);
    end(&b, true);
    next_statement(&a); /* READ COMMITTED: the next statement sees B's DDL */
    assert_int_equal(resolve(&a, NULL, "t", &r), MICE_OK);
    assert_int_equal(r->n_columns, 3);
    assert_int_equal(r->version, 2);
    assert_true(catalog_cache_version(c.cat) > v0);
    end(&a, false);

    /* A REPEATABLE READ snapshot older than the cache bypasses it instead of reading new entries. */
    sess rr = {0};
    rr.t = txn_begin(c.db, TXN_REPEATABLE_READ);
    catalog_txn_init(&rr.ct, c.cat, rr.t);
    rr.a = arena_create(c.keep, "rr", 0);
    assert_int_equal(catalog_statement_begin(&rr.ct, &rr.err), MICE_OK);
    rr.db_id = must_db(&rr, "defaultdb");
    begin(&c, &b);
    assert_int_equal(catalog_drop_relation(&b.ct, d->id, &b.err), MICE_OK);
    end(&b, true);
    begin(&c, &b); /* loads the cache at the new version */
    assert_err(&b, resolve(&b, NULL, "t", &r), "42P01", NULL);
    end(&b, false);
    txn_statement_begin(rr.t);
    assert_int_equal(catalog_statement_begin(&rr.ct, &rr.err), MICE_OK);
    assert_int_equal(resolve(&rr, NULL, "t", &r), MICE_OK); /* its snapshot still has t */
    end(&rr, false);
    env_close(&c);
}

static void test_restart_keeps_everything(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "restart");
    sess s;
    begin(&c, &s);
    catalog_desc *d;
    assert_int_equal(create_table(&s, NULL, "kept", true, &d), MICE_OK);
    catalog_user u = {.name = "alice", .login = true, .password = "SCRAM-SHA-256$4096:c2FsdA==$a:b"};
    assert_int_equal(catalog_create_user(&s.ct, &u, &s.err), MICE_OK);
    uint32_t id = d->id;
    end(&s, true);
    env_stop(&c);
    env_start(&c); /* bootstrap again: a no-op */
    begin(&c, &s);
    catalog_desc *r;
    assert_int_equal(resolve(&s, NULL, "kept", &r), MICE_OK);
    assert_int_equal(r->id, id);
    catalog_user *ru;
    assert_int_equal(catalog_get_user(&s.ct, "alice", s.a, &ru, &s.err), MICE_OK);
    assert_string_equal(ru->password, u.password);
    catalog_user **users;
    uint32_t n;
    assert_int_equal(catalog_list_users(&s.ct, s.a, &users, &n, &s.err), MICE_OK);
    assert_int_equal(n, 2);
    catalog_desc *d2;
    assert_int_equal(create_table(&s, NULL, "after", true, &d2), MICE_OK);
    assert_true(d2->id > id); /* the id counter survived too */
    end(&s, true);
    env_close(&c);
}

typedef struct racer {
    cenv *c;
    const char *name;
    pthread_barrier_t *go;
    mice_status rc;
    char sqlstate[6];
} racer;

typedef struct race_stmt {
    sess *s;
    const char *name;
    int runs;
} race_stmt;

/* One CREATE TABLE statement; txn_run_statement re-runs it on MICE_AGAIN. */
static mice_status race_create(txn *t, void *ctx, mice_err *me)
{
    (void)t;
    (void)me;
    race_stmt *st = ctx;
    st->runs++;
    mice_status rc = catalog_statement_begin(&st->s->ct, &st->s->err);
    if (rc == MICE_OK) rc = create_table(st->s, NULL, st->name, true, NULL);
    return rc;
}

static void *racer_main(void *p)
{
    racer *r = p;
    sess s = {0};
    s.env = r->c;
    s.t = txn_begin(r->c->db, TXN_READ_COMMITTED);
    catalog_txn_init(&s.ct, r->c->cat, s.t);
    s.a = arena_create(NULL, "racer", 0);
    catalog_desc *dd;
    catalog_statement_begin(&s.ct, &s.err);
    catalog_find_database(&s.ct, "defaultdb", s.a, &dd, &s.err);
    s.db_id = dd->id;
    race_stmt st = {.s = &s, .name = r->name};
    pthread_barrier_wait(r->go);
    mice_err me;
    r->rc = txn_run_statement(s.t, race_create, &st, &me);
    if (r->rc == MICE_OK) {
        r->rc = txn_commit(s.t, &me);
        if (r->rc) snprintf(r->sqlstate, sizeof r->sqlstate, "%s", txn_sqlstate(r->rc));
    } else {
        snprintf(r->sqlstate, sizeof r->sqlstate, "%s", s.err.sqlstate);
    }
    txn_destroy(s.t);
    arena_destroy(s.a);
    return NULL;
}

/* Two threads create the same table: exactly one wins, the other sees 42P07 or 40001. */
static void test_concurrent_create(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "race");
    for (int round = 0; round < 20; round++) {
        char name[16];
        snprintf(name, sizeof name, "r%d", round);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        racer rs[2] = {{.c = &c, .name = name, .go = &go}, {.c = &c, .name = name, .go = &go}};
        pthread_t th[2];
        for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, racer_main, &rs[i]);
        for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
        pthread_barrier_destroy(&go);
        int ok = (rs[0].rc == MICE_OK) + (rs[1].rc == MICE_OK);
        if (ok != 1) fail_msg("round %d: %d winners (%d %d)", round, ok, rs[0].rc, rs[1].rc);
        racer *loser = rs[0].rc ? &rs[0] : &rs[1];
        if (strcmp(loser->sqlstate, "42P07") != 0 && strcmp(loser->sqlstate, "40001") != 0)
            fail_msg("round %d: loser got %s", round, loser->sqlstate);
    }
    sess s;
    begin(&c, &s);
    catalog_desc *pub, **all;
    uint32_t n;
    assert_int_equal(catalog_find_schema(&s.ct, s.db_id, "public", s.a, &pub, &s.err), MICE_OK);
    assert_int_equal(catalog_list(&s.ct, pub->id, s.a, &all, &n, &s.err), MICE_OK);
    assert_int_equal(n, 20);
    end(&s, false);
    env_close(&c);
}

static void test_sequences(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "seq");
    sess s;
    begin(&c, &s);
    uint32_t schema_id;
    assert_int_equal(catalog_creation_schema(&s.ct, s.db_id, NULL, NULL, "q", &schema_id, &s.err), MICE_OK);
    catalog_desc q = {.kind = CATALOG_SEQUENCE, .parent_id = schema_id, .name = "q",
                      .seq = {.start = 1, .increment = 1, .min = 1, .max = 3, .cache = 1}};
    assert_int_equal(catalog_create_relation(&s.ct, &q, s.a, &s.err), MICE_OK);
    end(&s, true);
    begin(&c, &s);
    catalog_desc *seq;
    assert_int_equal(resolve(&s, NULL, "q", &seq), MICE_OK);
    int64_t v;
    for (int64_t want = 1; want <= 3; want++) {
        assert_int_equal(catalog_sequence_nextval(c.cat, seq, &v, &s.err), MICE_OK);
        assert_int_equal(v, want);
    }
    assert_err(&s, catalog_sequence_nextval(c.cat, seq, &v, &s.err), "2200H",
               "nextval: reached maximum value of sequence \"q\" (3)");
    end(&s, false); /* nextval is not rolled back */
    begin(&c, &s);
    next_statement(&s);
    assert_err(&s, catalog_sequence_setval(c.cat, seq, 9, true, &s.err), "22003",
               "setval: value 9 is out of bounds for sequence \"q\" (1..3)");
    assert_int_equal(catalog_sequence_setval(c.cat, seq, 1, false, &s.err), MICE_OK);
    assert_int_equal(catalog_sequence_nextval(c.cat, seq, &v, &s.err), MICE_OK);
    assert_int_equal(v, 1);
    next_statement(&s); /* a fresh snapshot sees the counter nextval wrote */
    assert_int_equal(catalog_drop_relation(&s.ct, seq->id, &s.err), MICE_OK);
    end(&s, true);
    env_close(&c);
}

typedef struct seq_racer {
    cenv *c;
    const catalog_desc *seq;
    int64_t got[200];
} seq_racer;

static void *seq_racer_main(void *p)
{
    seq_racer *r = p;
    sql_error err;
    for (int i = 0; i < 200; i++)
        if (catalog_sequence_nextval(r->c->cat, r->seq, &r->got[i], &err)) r->got[i] = -1;
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* nextval from two threads hands out every value exactly once; a sequence created in an
 * uncommitted txn can be used by that txn. */
static void test_sequence_concurrency(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "seqc");
    sess s;
    begin(&c, &s);
    uint32_t schema_id;
    assert_int_equal(catalog_creation_schema(&s.ct, s.db_id, NULL, NULL, "q", &schema_id, &s.err), MICE_OK);
    catalog_desc *q = ARENA_NEW(s.a, catalog_desc);
    *q = (catalog_desc){.kind = CATALOG_SEQUENCE, .parent_id = schema_id, .name = "q",
                        .seq = {.start = 1, .increment = 1, .min = 1, .max = INT64_MAX, .cache = 1}};
    assert_int_equal(catalog_create_relation(&s.ct, q, s.a, &s.err), MICE_OK);
    int64_t v;
    assert_int_equal(catalog_sequence_nextval(c.cat, q, &v, &s.err), MICE_OK); /* not committed yet */
    assert_int_equal(v, 1);
    end(&s, true);
    seq_racer rs[2] = {{.c = &c, .seq = q}, {.c = &c, .seq = q}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, seq_racer_main, &rs[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    int64_t all[400];
    memcpy(all, rs[0].got, sizeof rs[0].got);
    memcpy(all + 200, rs[1].got, sizeof rs[1].got);
    qsort(all, 400, sizeof all[0], cmp_i64);
    for (int i = 0; i < 400; i++) assert_int_equal(all[i], i + 2);
    env_close(&c);
}

/* DROP DATABASE takes everything inside with it; ALTER writes a new descriptor version. */
static void test_drop_database_and_alter(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "dropdb");
    sess s;
    begin(&c, &s);
    uint32_t dbid, sid;
    assert_int_equal(catalog_create_database(&s.ct, "d2", 1, &dbid, &s.err), MICE_OK);
    assert_int_equal(catalog_create_schema(&s.ct, dbid, "s2", 1, &sid, &s.err), MICE_OK);
    s.db_id = dbid;
    catalog_desc *d;
    assert_int_equal(create_table(&s, "s2", "t", true, &d), MICE_OK);
    assert_int_equal(create_table(&s, NULL, "u", false, NULL), MICE_OK); /* in d2.public */
    d->columns[1].default_expr = "'changed'";
    assert_int_equal(catalog_update_desc(&s.ct, d, &s.err), MICE_OK);
    assert_int_equal(d->version, 2);
    d->name = "renamed";
    assert_err(&s, catalog_update_desc(&s.ct, d, &s.err), "XX000", NULL);
    end(&s, true);
    begin(&c, &s);
    catalog_desc *r;
    s.db_id = dbid;
    assert_int_equal(resolve(&s, "s2", "t", &r), MICE_OK);
    assert_string_equal(r->columns[1].default_expr, "'changed'");
    size_t sys_before_drop = count_span(&c, keys_system_span);
    assert_int_equal(catalog_drop_database(&s.ct, dbid, &s.err), MICE_OK);
    end(&s, true);
    assert_true(count_span(&c, keys_system_span) < sys_before_drop);
    begin(&c, &s);
    assert_err(&s, catalog_find_database(&s.ct, "d2", s.a, &r, &s.err), "3D000", NULL);
    catalog_desc **dbs;
    uint32_t n;
    assert_int_equal(catalog_list(&s.ct, 0, s.a, &dbs, &n, &s.err), MICE_OK);
    assert_int_equal(n, 2);
    for (uint32_t id = dbid; id <= d->id + 1; id++) {
        bool gone = catalog_get_desc(&s.ct, id, s.a, &r, &s.err) == MICE_NOTFOUND;
        assert_true(gone);
    }
    end(&s, false);
    env_close(&c);
}

static void test_truncate_rename_users(void **state)
{
    (void)state;
    cenv c;
    env_open(&c, "misc");
    sess s;
    begin(&c, &s);
    catalog_desc *d;
    assert_int_equal(create_table(&s, NULL, "t", true, &d), MICE_OK);
    rowenc_table lt;
    rowenc_index *lix;
    assert_int_equal(catalog_table_layout(d, s.a, &lt, &lix), MICE_OK);
    for (int i = 0; i < 2500; i++) { /* more than one delete batch */
        sql_datum row[2] = {datum_int4(i), datum_null(SQL_TYPE_TEXT)};
        mice_buf k, v;
        buf_init(&k);
        buf_init(&v);
        assert_int_equal(rowenc_primary_key(&lt, row, &k), MICE_OK);
        assert_int_equal(rowenc_primary_value(&lt, row, &v), MICE_OK);
        mice_err me;
        assert_int_equal(txn_put(s.t, buf_slice(&k), buf_slice(&v), &me), MICE_OK);
        buf_deinit(&k);
        buf_deinit(&v);
    }
    end(&s, true);
    assert_int_equal(count_span(&c, keys_all_tables_span), 2500);
    begin(&c, &s);
    uint32_t old_pk = d->indexes[0].id;
    assert_int_equal(catalog_truncate(&s.ct, d->id, &s.err), MICE_OK);
    end(&s, true);
    /* TRUNCATE moved the index to a fresh id; the old data goes with the GC job. */
    assert_int_equal(count_span(&c, keys_all_tables_span), 2500);
    size_t done = 0;
    assert_int_equal(catalog_gc_run(c.cat, &done, &s.err), MICE_OK);
    assert_int_equal(done, 1);
    assert_int_equal(count_span(&c, keys_all_tables_span), 0);
    assert_int_equal(catalog_gc_run(c.cat, &done, &s.err), MICE_OK);
    assert_int_equal(done, 0);
    begin(&c, &s);
    catalog_desc *r;
    assert_int_equal(resolve(&s, NULL, "t", &r), MICE_OK);
    assert_true(r->indexes[0].id != old_pk);
    assert_int_equal(catalog_rename(&s.ct, d->id, "t2", &s.err), MICE_OK);
    assert_int_equal(catalog_rename_index(&s.ct, d->id, r->indexes[0].id, "t2_pkey", &s.err),
                     MICE_OK);
    end(&s, true);
    begin(&c, &s);
    assert_err(&s, resolve(&s, NULL, "t", &r), "42P01", NULL);
    assert_int_equal(resolve(&s, NULL, "t2", &r), MICE_OK);
    assert_int_equal(r->id, d->id);
    assert_string_equal(r->indexes[0].name, "t2_pkey");
    catalog_user u = {.name = "carol", .login = true};
    assert_int_equal(catalog_create_user(&s.ct, &u, &s.err), MICE_OK);
    assert_true(u.id >= CATALOG_ID_FIRST);
    u.superuser = true;
    u.password = "SCRAM-SHA-256$4096:x$y:z";
    assert_int_equal(catalog_alter_user(&s.ct, &u, &s.err), MICE_OK);
    catalog_user *ru;
    assert_int_equal(catalog_get_user(&s.ct, "carol", s.a, &ru, &s.err), MICE_OK);
    assert_true(ru->superuser);
    assert_int_equal(catalog_drop_user(&s.ct, "carol", &s.err), MICE_OK);
    assert_err(&s, catalog_get_user(&s.ct, "carol", s.a, &ru, &s.err), "42704", NULL);
    end(&s, true);
    env_close(&c);
}

/* Records round-trip, skip unknown fields, and reject damage without crashing. */
static void test_descriptor_records(void **state)
{
    (void)state;
    mice_arena *a = arena_create(NULL, "rec", 0);
    uint32_t cols[2] = {2, 1}, inc[1] = {3};
    keyenc_dir dirs[2] = {KEYENC_DESC, KEYENC_ASC};
    catalog_column columns[3] = {
        {.id = 1, .name = "a", .type = {SQL_TYPE_INT4, -1}, .not_null = true},
        {.id = 2, .name = "b", .type = {SQL_TYPE_NUMERIC, 655366}, .default_expr = "1.5"},
        {.id = 3, .name = "c", .type = {SQL_TYPE_INT8, -1}, .sequence_id = 99, .identity = 'd'}};
    catalog_index idx[2] = {
        {.id = 1, .name = "p", .primary = true, .unique = true, .n_cols = 1, .col_ids = &cols[1],
         .dirs = &dirs[1]},
        {.id = 2, .name = "u", .unique = true, .n_cols = 2, .col_ids = cols, .dirs = dirs, .n_include = 1,
         .include_ids = inc, .predicate = "a > 1"}};
    catalog_check chk = {"c1", "b > 0"};
    catalog_desc d = {.kind = CATALOG_TABLE, .id = 500, .parent_id = 400, .database_id = 300, .name = "t",
                      .owner_id = 10, .version = 7, .n_columns = 3, .columns = columns, .next_column_id = 4,
                      .n_indexes = 2, .indexes = idx, .next_index_id = 3, .n_checks = 1, .checks = &chk};
    mice_buf b;
    buf_init(&b);
    catalog_desc_encode(&d, &b);
    buf_append(&b, "\xf8\x07\x05", 3); /* field 127, varint 5: from a newer version */
    catalog_desc *r;
    assert_int_equal(catalog_desc_decode(buf_slice(&b), a, &r), MICE_OK);
    assert_int_equal(r->n_columns, 3);
    assert_int_equal(r->columns[1].type.typmod, 655366);
    assert_int_equal(r->columns[2].identity, 'd');
    assert_int_equal(r->indexes[1].n_cols, 2);
    assert_int_equal(r->indexes[1].dirs[0], KEYENC_DESC);
    assert_int_equal(r->indexes[1].include_ids[0], 3);
    assert_string_equal(r->indexes[1].predicate, "a > 1");
    assert_string_equal(r->checks[0].expr, "b > 0");
    assert_int_equal(r->version, 7);
    mice_prng rng;
    prng_seed(&rng, 9);
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        mice_buf m;
        buf_init(&m);
        buf_append_slice(&m, buf_slice(&b));
        if (prng_below(&rng, 2))
            buf_truncate(&m, prng_below(&rng, m.n));
        else
            m.p[prng_below(&rng, m.n)] ^= (uint8_t)(1u << prng_below(&rng, 8));
        mice_status rc = catalog_desc_decode(buf_slice(&m), a, &r);
        assert_true(rc == MICE_OK || rc == MICE_CORRUPT);
        bad += rc == MICE_CORRUPT;
        buf_deinit(&m);
        if (i % 128 == 0) arena_reset(a);
    }
    assert_true(bad > 1000);
    buf_deinit(&b);
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_create_resolve_drop),
        cmocka_unit_test(test_rollback_leaves_nothing),
        cmocka_unit_test(test_error_codes),
        cmocka_unit_test(test_search_path),
        cmocka_unit_test(test_ids_monotone_and_listing),
        cmocka_unit_test(test_cache_invalidation),
        cmocka_unit_test(test_restart_keeps_everything),
        cmocka_unit_test(test_concurrent_create),
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_sequence_concurrency),
        cmocka_unit_test(test_drop_database_and_alter),
        cmocka_unit_test(test_truncate_rename_users),
        cmocka_unit_test(test_descriptor_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
