/* exec_alter.c - ALTER TABLE: ADD PRIMARY KEY / UNIQUE (see exec.h).
 *
 * ADD PRIMARY KEY on a table keyed by its hidden rowid (no PRIMARY KEY declared) moves
 * every row to the new key inside the statement's transaction: every index of the table
 * gets a fresh id (catalog_set_primary; the old ids' spans are GC jobs, cleared after
 * commit as for TRUNCATE), then each row of the old primary index is written under the new
 * primary key (insert-if-absent: a duplicate is 23505 "could not create unique index", a
 * NULL key column 23502 "contains null values") with its secondary entries. The entries go
 * to txn_write_batch REKEY_BATCH_ROWS rows (or REKEY_BATCH_BYTES) at a time; the first
 * failing one names the row, and a row's 23502 first writes the rows before it, so the
 * errors are those of writing row by row. Aborting the transaction undoes all of it, so
 * the table is never half rewritten. ADD UNIQUE builds a
 * constraint index like CREATE UNIQUE INDEX. Other ALTER TABLE forms are 0A000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

#include "kv/keys.h"
#include "sql/exec_int.h"
#include "sql/value_io.h"

/* "Key (a, b)=(1, x) is duplicated." for index ix of d over row. */
static void key_detail(const exec_ddl_env *env, const catalog_desc *d, const catalog_index *ix,
                       const sql_datum *row, sql_error *err)
{
    mice_buf cols, vals;
    buf_init(&cols);
    buf_init(&vals);
    for (uint32_t k = 0; k < ix->n_cols; k++) {
        int c = catalog_column_pos(d, ix->col_ids[k]);
        buf_append_str(&cols, k ? ", " : "");
        buf_append_str(&vals, k ? ", " : "");
        buf_append_str(&cols, d->columns[c].name);
        if (row[c].is_null)
            buf_append_str(&vals, "null");
        else if (value_to_text(&row[c], env->vctx, &vals, NULL))
            buf_append_str(&vals, "?");
    }
    sqlerr_detail(err, "Key (%.*s)=(%.*s) is duplicated.", (int)cols.n, (const char *)cols.p,
                  (int)vals.n, (const char *)vals.p);
    buf_deinit(&cols);
    buf_deinit(&vals);
}

typedef struct rekey {
    const exec_ddl_env *env;
    const catalog_desc *old, *d;
    rowenc_table old_layout, layout;
    rowenc_index *old_ixs, *ixs;
    int32_t *from_old; /* new column i = old column from_old[i] */
    sql_datum *old_row;
    mice_buf key, val;
    /* entries waiting for rekey_flush: key and value at offsets into bytes */
    struct rekey_write *w;
    txn_write *tw;
    size_t n_w, cap_w, n_rows;
    mice_buf bytes;
} rekey;

enum { REKEY_BATCH_ROWS = 256, REKEY_BATCH_BYTES = 1 << 20 };

typedef struct rekey_write {
    size_t key_off, key_len, val_off, val_len;
    const sql_datum *row; /* in the scan batch's arena: for the 23505 text */
    uint32_t pos;         /* index position */
    bool insert;
} rekey_write;

static void rekey_add(rekey *r, const sql_datum *row, uint32_t pos, bool insert)
{
    if (r->n_w == r->cap_w) {
        r->cap_w = r->cap_w ? 2 * r->cap_w : 256;
        r->w = mice_realloc(r->w, r->cap_w * sizeof *r->w);
    }
    r->w[r->n_w++] = (rekey_write){.key_off = r->bytes.n,
                                   .key_len = r->key.n,
                                   .val_off = r->bytes.n + r->key.n,
                                   .val_len = r->val.n,
                                   .row = row,
                                   .pos = pos,
                                   .insert = insert};
    buf_append_slice(&r->bytes, buf_slice(&r->key));
    buf_append_slice(&r->bytes, buf_slice(&r->val));
}

/* Write the waiting entries; a duplicate names the row and index of the first one. */
static mice_status rekey_flush(rekey *r, sql_error *err)
{
    mice_status rc = MICE_OK;
    if (r->n_w) {
        r->tw = mice_realloc(r->tw, r->n_w * sizeof *r->tw);
        for (size_t i = 0; i < r->n_w; i++) {
            const rekey_write *w = &r->w[i];
            r->tw[i] = (txn_write){.kind = w->insert ? TXN_WRITE_INSERT : TXN_WRITE_PUT,
                                   .key = mice_slice_of(r->bytes.p + w->key_off, w->key_len),
                                   .value = mice_slice_of(r->bytes.p + w->val_off, w->val_len)};
        }
        size_t failed = r->n_w;
        mice_err me;
        rc = txn_write_batch(r->env->t, r->tw, r->n_w, &failed, &me);
        if (rc == MICE_EXISTS && failed < r->n_w) {
            const rekey_write *w = &r->w[failed];
            const catalog_index *ix = &r->d->indexes[w->pos];
            sqlerr_set(err, MICE_EXISTS, SQLSTATE_UNIQUE_VIOLATION,
                       "could not create unique index \"%s\"", ix->name);
            key_detail(r->env, r->d, ix, w->row, err);
            sqlerr_object(err, NULL, r->d->name, NULL, ix->name);
        } else if (rc) {
            rc = exec_txn_error(rc, &me, err);
        }
    }
    r->n_w = r->n_rows = 0;
    buf_reset(&r->bytes);
    return rc;
}

/* A row's own error: the rows before it are written first, and their 23505 wins. */
static mice_status rekey_row_failed(rekey *r, mice_status rc, sql_error *err)
{
    sql_error ferr;
    sqlerr_clear(&ferr);
    mice_status frc = rekey_flush(r, &ferr);
    if (frc == MICE_OK) return rc;
    if (err) *err = ferr;
    return frc;
}

/* Queue one row (decoded from the old primary index) under the new layout; the row's
 * datums (in the scan batch's arena a) must stay until the next rekey_flush. */
static mice_status rekey_row(rekey *r, mice_arena *a, sql_error *err)
{
    const catalog_desc *d = r->d;
    sql_datum *row = ARENA_NEW_ARRAY(a, sql_datum, d->n_columns + 1);
    if (!row) return rekey_row_failed(r, sqlerr_nomem(err), err);
    for (uint32_t i = 0; i < d->n_columns; i++) {
        row[i] = r->old_row[r->from_old[i]];
        if (!row[i].is_null || !d->columns[i].not_null) continue;
        sqlerr_set(err, MICE_INVALID, SQLSTATE_NOT_NULL_VIOLATION,
                   "column \"%s\" of relation \"%s\" contains null values", d->columns[i].name,
                   d->name);
        sqlerr_object(err, NULL, d->name, d->columns[i].name, NULL);
        return rekey_row_failed(r, MICE_INVALID, err);
    }
    for (uint32_t pos = 0; pos < d->n_indexes; pos++) {
        buf_reset(&r->key);
        buf_reset(&r->val);
        mice_status rc = pos == 0
                             ? rowenc_primary_key(&r->layout, row, &r->key)
                             : rowenc_index_entry(&r->layout, &r->ixs[pos], row, &r->key, &r->val);
        if (rc == MICE_OK && pos == 0) rc = rowenc_primary_value(&r->layout, row, &r->val);
        if (rc) {
            sqlerr_set(err, rc, "XX000", "could not encode a row of \"%s\"", d->name);
            return rekey_row_failed(r, rc, err);
        }
        rekey_add(r, row, pos, d->indexes[pos].unique);
    }
    if (++r->n_rows == REKEY_BATCH_ROWS || r->bytes.n >= REKEY_BATCH_BYTES)
        return rekey_flush(r, err);
    return MICE_OK;
}

/* Copy every row of old's primary index into d's indexes (see the file comment). */
static mice_status rewrite_rows(rekey *r, sql_error *err)
{
    const exec_ddl_env *env = r->env;
    mice_status rc = MICE_OK;
    mice_buf start, end;
    buf_init(&start);
    buf_init(&end);
    keys_index_span(&start, &end, r->old->id, r->old->indexes[0].id);
    mice_arena *rows = arena_create(env->arena, "rekey", 0);
    txn_scan *s = NULL;
    if (!rows) rc = sqlerr_nomem(err);
    if (!rc && (rc = txn_scan_open(env->t, buf_slice(&start), buf_slice(&end), false, 0, &s)))
        rc = exec_txn_error(rc, NULL, err);
    while (rc == MICE_OK) {
        const kv_row *kr;
        size_t n = 0;
        mice_err me;
        if ((rc = txn_scan_next(s, SCAN_KV_BATCH_ROWS_MAX, &kr, &n, &me))) {
            rc = exec_txn_error(rc, &me, err);
            break;
        }
        if (n == 0) break;
        arena_reset(rows);
        for (size_t i = 0; rc == MICE_OK && i < n; i++) {
            rc = rowenc_primary_decode(&r->old_layout, buf_slice(&kr[i].key),
                                       buf_slice(&kr[i].value), rows, r->old_row);
            if (rc) {
                rc = sqlerr_set(err, rc, "XX001", "could not decode a row of \"%s\"", r->d->name);
                break;
            }
            rc = rekey_row(r, rows, err);
        }
        if (rc == MICE_OK) rc = rekey_flush(r, err); /* before the rows' arena is reset */
    }
    txn_scan_close(s);
    buf_deinit(&start);
    buf_deinit(&end);
    return rc;
}

static mice_status key_columns(const catalog_desc *d, const ast_constraint *c, mice_arena *a,
                               catalog_index *ix, sql_error *err)
{
    uint32_t n = c->keys.n;
    ix->col_ids = ARENA_NEW_ARRAY(a, uint32_t, n ? n : 1);
    ix->dirs = ARENA_NEW_ARRAY(a, keyenc_dir, n ? n : 1);
    if (!ix->col_ids || !ix->dirs) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        const catalog_column *col = catalog_column_by_name(d, c->keys.v[i]);
        if (!col || col->hidden)
            return sqlerr_set(err, MICE_INVALID, "42703",
                              "column \"%s\" named in key does not exist", c->keys.v[i]);
        for (uint32_t k = 0; k < i; k++)
            if (ix->col_ids[k] == col->id)
                return sqlerr_set(err, MICE_INVALID, "42701",
                                  "column \"%s\" appears twice in primary key constraint",
                                  col->name);
        ix->col_ids[i] = col->id;
        ix->dirs[i] = KEYENC_ASC;
    }
    ix->n_cols = n;
    ix->name = c->name;
    return MICE_OK;
}

static mice_status add_primary_key(const exec_ddl_env *env, const catalog_desc *old,
                                   const ast_constraint *c, sql_error *err)
{
    catalog_index pk = {0};
    mice_status rc = key_columns(old, c, env->arena, &pk, err);
    if (rc) return rc;
    rekey r = {.env = env, .old = old};
    rc = catalog_set_primary(env->ct, old->id, &pk, env->arena, (catalog_desc **)&r.d, err);
    if (rc) return rc;
    if (catalog_table_layout(old, env->arena, &r.old_layout, &r.old_ixs) ||
        catalog_table_layout(r.d, env->arena, &r.layout, &r.ixs))
        return sqlerr_nomem(err);
    r.from_old = ARENA_NEW_ARRAY(env->arena, int32_t, r.d->n_columns + 1);
    r.old_row = ARENA_NEW_ARRAY(env->arena, sql_datum, old->n_columns + 1);
    if (!r.from_old || !r.old_row) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < r.d->n_columns; i++)
        r.from_old[i] = catalog_column_pos(old, r.d->columns[i].id);
    buf_init(&r.key);
    buf_init(&r.val);
    buf_init(&r.bytes);
    rc = rewrite_rows(&r, err);
    buf_deinit(&r.key);
    buf_deinit(&r.val);
    buf_deinit(&r.bytes);
    free(r.w);
    free(r.tw);
    return rc;
}

static mice_status add_unique(const exec_ddl_env *env, const catalog_desc *d,
                              const ast_constraint *c, sql_error *err)
{
    catalog_index ix = {.unique = true, .constraint = true};
    mice_status rc = key_columns(d, c, env->arena, &ix, err);
    if (!rc) rc = catalog_create_index(env->ct, d->id, &ix, env->arena, err);
    if (!rc) rc = exec__backfill(env, d->id, ix.id, err);
    return rc;
}

static mice_status add_constraint(const exec_ddl_env *env, const catalog_desc *d,
                                  const ast_node *def, sql_error *err)
{
    const ast_constraint *c = &def->u.constraint;
    if (c->including.n || c->indexname || c->options.n || c->deferrable)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "INCLUDE, USING INDEX, WITH and DEFERRABLE are not supported yet");
    if (c->ct == AST_CONSTR_PRIMARY) return add_primary_key(env, d, c, err);
    if (c->ct == AST_CONSTR_UNIQUE) return add_unique(env, d, c, err);
    return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "ALTER TABLE ADD of this constraint is not supported yet");
}

mice_status exec__alter_table(const exec_ddl_env *env, const ast_node *n, sql_error *err)
{
    const ast_alter_table *at = &n->u.alter_table;
    if (at->obj != AST_OBJ_TABLE || !at->table || at->table->kind != AST_RANGE_VAR)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "only ALTER TABLE is supported");
    const ast_range_var *rv = &at->table->u.range_var;
    for (uint32_t i = 0; i < at->cmds.n; i++) {
        catalog_desc *d;
        sql_error probe;
        mice_status rc = catalog_resolve_relation(env->ct, env->database_id, env->sp, rv->schema,
                                                  rv->rel, env->arena, &d, &probe);
        if (rc == MICE_NOTFOUND && at->missing_ok)
            return sqlerr_set(err, MICE_OK, SQLSTATE_SUCCESS,
                              "relation \"%s\" does not exist, skipping", rv->rel);
        if (rc) {
            *err = probe;
            return rc;
        }
        if (d->kind != CATALOG_TABLE)
            return sqlerr_set(err, MICE_INVALID, "42809", "\"%s\" is not a table", rv->rel);
        const ast_alter_cmd *cmd = &at->cmds.items[i]->u.alter_cmd;
        if (cmd->ak == AST_ALTER_ADD_CONSTRAINT && cmd->def && cmd->def->kind == AST_CONSTRAINT)
            rc = add_constraint(env, d, cmd->def, err);
        else
            rc = sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                            "this form of ALTER TABLE is not supported yet");
        if (rc) return rc;
    }
    return MICE_OK;
}
