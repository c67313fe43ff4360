/* exec_dml.c - INSERT, UPDATE, DELETE: constraint checks, index maintenance, ON CONFLICT
 * and RETURNING (see exec.h).
 *
 * INSERT without ON CONFLICT (COPY FROM included: it runs as such INSERTs) writes in
 * batches: each row's entries (primary, then every secondary index, in index order; an
 * entry of the primary or a unique index without NULLs as an insert-if-absent) are
 * collected and sent DML_BATCH_ROWS rows or DML_BATCH_BYTES at a time through
 * txn_write_batch, one kv request per range instead of one per entry. The first entry
 * (in row order) that finds a live key names the row and index of the 23505, as the
 * per-row checks did. An error of a later row (NOT NULL, CHECK, an expression) first
 * flushes the rows before it, so an earlier row's 23505 still wins, as in PostgreSQL.
 * INSERT ... ON CONFLICT (it reads each row's conflicts and decides per row), UPDATE and
 * DELETE keep the per-row path. DML reads its whole input before writing (ENGINE.md), so
 * deferring writes changes nothing that the statement itself could see. */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/keyset.h"
#include "kv/keys.h"
#include "sql/batch.h"
#include "sql/exec_int.h"
#include "sql/value_io.h"

mice_status exec__nextval(void *arg, const void *seq, int64_t *out, sql_error *err)
{
    exec_env *env = arg;
    if (!seq) {
        *out = catalog_unique_rowid(env->cat);
        return MICE_OK;
    }
    return catalog_sequence_nextval(env->cat, seq, out, err);
}

typedef struct dml_ctx {
    exec_op *op;
    const catalog_desc *d;
    mice_arena *row_arena; /* per row scratch */
    mice_buf key, val, key2, val2;
    uint64_t expiry2;    /* the kv table: the expiry of the value kv_get read into val2 */
    mice_keyset touched; /* ON CONFLICT DO UPDATE: primary keys this statement wrote */
    bool batched;        /* INSERT without ON CONFLICT: entries go to the batch below */
    struct dml_batch *batch;
} dml_ctx;

enum { DML_BATCH_ROWS = 256, DML_BATCH_BYTES = 1 << 20 };

/* One index entry waiting in the batch; key and value are offsets into bytes. */
typedef struct dml_write {
    size_t key_off, key_len, val_off, val_len;
    uint64_t expiry_wall_ns;
    txn_write_kind kind;
    uint32_t row; /* in rows */
    uint32_t pos; /* index position */
} dml_write;

typedef struct dml_batch {
    mice_buf bytes;
    dml_write *w;
    txn_write *tw; /* built at flush time (bytes may move while collecting) */
    size_t n_w, cap_w;
    sql_datum *rows[DML_BATCH_ROWS]; /* copies, for the 23505 text */
    size_t n_rows;
    mice_arena *arena; /* the row copies; reset at each flush */
} dml_batch;

static void row_text(dml_ctx *x, const sql_datum *row, mice_buf *out)
{
    buf_append_u8(out, '(');
    bool first = true;
    for (uint32_t i = 0; i < x->d->n_columns; i++) {
        if (x->d->columns[i].hidden) continue;
        if (!first) buf_append_str(out, ", ");
        first = false;
        if (row[i].is_null)
            buf_append_str(out, "null");
        else if (value_to_text(&row[i], x->op->st->env->vctx, out, NULL))
            buf_append_str(out, "?");
    }
    buf_append_u8(out, ')');
}

static mice_status check_row(dml_ctx *x, const sql_datum *row, sql_error *err)
{
    const catalog_desc *d = x->d;
    for (uint32_t i = 0; i < d->n_columns; i++) {
        if (!d->columns[i].not_null || !row[i].is_null) continue;
        sqlerr_set(err, MICE_INVALID, SQLSTATE_NOT_NULL_VIOLATION,
                   "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                   d->columns[i].name, d->name);
        sqlerr_object(err, NULL, d->name, d->columns[i].name, NULL);
        mice_buf t;
        buf_init(&t);
        row_text(x, row, &t);
        sqlerr_detail(err, "Failing row contains %.*s.", (int)t.n, (const char *)t.p);
        buf_deinit(&t);
        return MICE_INVALID;
    }
    expr_ctx c = x->op->st->ectx;
    c.arena = x->row_arena;
    for (uint32_t i = 0; i < d->n_checks; i++) {
        sql_datum v;
        mice_status rc = expr_eval(x->op->p->checks[i], &c, row, &v, err);
        if (rc) return rc;
        if (v.is_null || v.v.b) continue;
        sqlerr_set(err, MICE_INVALID, SQLSTATE_CHECK_VIOLATION,
                   "new row for relation \"%s\" violates check constraint \"%s\"", d->name,
                   d->checks[i].name);
        sqlerr_object(err, NULL, d->name, NULL, d->checks[i].name);
        mice_buf t;
        buf_init(&t);
        row_text(x, row, &t);
        sqlerr_detail(err, "Failing row contains %.*s.", (int)t.n, (const char *)t.p);
        buf_deinit(&t);
        return MICE_INVALID;
    }
    return MICE_OK;
}

static mice_status unique_error(dml_ctx *x, uint32_t pos, const sql_datum *row, sql_error *err)
{
    const catalog_index *ix = &x->d->indexes[pos];
    sqlerr_set(err, MICE_EXISTS, SQLSTATE_UNIQUE_VIOLATION,
               "duplicate key value violates unique constraint \"%s\"", ix->name);
    sqlerr_object(err, NULL, x->d->name, NULL, ix->name);
    mice_buf cols, vals;
    buf_init(&cols);
    buf_init(&vals);
    for (uint32_t k = 0; k < ix->n_cols; k++) {
        int c = catalog_column_pos(x->d, ix->col_ids[k]);
        if (k) {
            buf_append_str(&cols, ", ");
            buf_append_str(&vals, ", ");
        }
        buf_append_str(&cols, x->d->columns[c].name);
        if (row[c].is_null)
            buf_append_str(&vals, "null");
        else if (value_to_text(&row[c], x->op->st->env->vctx, &vals, NULL))
            buf_append_str(&vals, "?");
    }
    sqlerr_detail(err, "Key (%.*s)=(%.*s) already exists.", (int)cols.n, (const char *)cols.p,
                  (int)vals.n, (const char *)vals.p);
    buf_deinit(&cols);
    buf_deinit(&vals);
    return MICE_EXISTS;
}

static mice_status index_key(dml_ctx *x, uint32_t pos, const sql_datum *row, mice_buf *key,
                             mice_buf *val, sql_error *err)
{
    plan_node *p = x->op->p;
    buf_reset(key);
    buf_reset(val);
    mice_status rc = pos == 0 ? rowenc_primary_key(&p->layout, row, key)
                              : rowenc_index_entry(&p->layout, &p->indexes[pos], row, key, val);
    if (!rc && pos == 0) rc = rowenc_primary_value(&p->layout, row, val);
    if (rc == MICE_INVALID)
        return sqlerr_set(err, rc, SQLSTATE_NOT_NULL_VIOLATION, "null value in primary key");
    if (rc)
        return sqlerr_set(err, rc, SQLSTATE_FEATURE_NOT_SUPPORTED, "cannot encode a row of \"%s\"",
                          x->d->name);
    return MICE_OK;
}

static mice_status kv_get(dml_ctx *x, mice_slice key, mice_buf *val, bool *found, sql_error *err)
{
    mice_err me;
    uint64_t expiry = 0;
    mice_status rc = txn_get_with_expiry(x->op->st->env->t, key, val, found, &expiry, &me);
    if (val == &x->val2) x->expiry2 = expiry;
    return rc ? exec_txn_error(rc, &me, err) : MICE_OK;
}

/* The kv table's expiry for row (its expires_at), or 22008 when it cannot be one. */
static mice_status row_expiry(dml_ctx *x, const sql_datum *row, uint64_t *expiry_wall_ns,
                              sql_error *err)
{
    *expiry_wall_ns = 0;
    if (!x->op->p->layout.kv_namespace) return MICE_OK;
    if (rowenc_kv_expiry_ns(&row[ROWENC_KV_EXPIRES_AT], expiry_wall_ns))
        return sqlerr_set(err, MICE_INVALID, "22008",
                          "expires_at must be a finite time after 1970-01-01 and before 2554");
    return MICE_OK;
}

/* Write a row's primary entry (key, val from index_key); the kv table's with its expiry. */
static mice_status primary_put(dml_ctx *x, const sql_datum *row, mice_slice key, mice_slice val,
                               sql_error *err)
{
    uint64_t expiry = 0;
    mice_status rc = row_expiry(x, row, &expiry, err);
    if (rc) return rc;
    mice_err me;
    rc = txn_put_with_expiry(x->op->st->env->t, key, val, expiry, &me);
    return rc ? exec_txn_error(rc, &me, err) : MICE_OK;
}

static mice_status kv_put(dml_ctx *x, mice_slice key, mice_slice val, sql_error *err)
{
    mice_err me;
    mice_status rc = txn_put(x->op->st->env->t, key, val, &me);
    return rc ? exec_txn_error(rc, &me, err) : MICE_OK;
}

static mice_status kv_del(dml_ctx *x, mice_slice key, sql_error *err)
{
    mice_err me;
    mice_status rc = txn_delete(x->op->st->env->t, key, &me);
    return rc ? exec_txn_error(rc, &me, err) : MICE_OK;
}

/* A NULL in a unique key: the entry cannot conflict (NULLs are distinct). */
static bool key_has_null(const dml_ctx *x, const catalog_index *ix, const sql_datum *row)
{
    bool has_null = false;
    for (uint32_t k = 0; k < ix->n_cols; k++)
        has_null |= row[catalog_column_pos(x->d, ix->col_ids[k])].is_null;
    return has_null;
}

/* The first unique index (position) whose key row already has, or -1. */
static mice_status find_conflict(dml_ctx *x, const sql_datum *row, int32_t *pos, sql_error *err)
{
    *pos = -1;
    for (uint32_t i = 0; i < x->d->n_indexes; i++) {
        const catalog_index *ix = &x->d->indexes[i];
        if (!ix->unique && !ix->primary) continue;
        if (key_has_null(x, ix, row)) continue;
        bool found;
        mice_status rc = index_key(x, i, row, &x->key2, &x->val2, err);
        if (!rc) rc = kv_get(x, buf_slice(&x->key2), &x->val2, &found, err);
        if (rc) return rc;
        if (found) {
            *pos = (int32_t)i;
            return MICE_OK;
        }
    }
    return MICE_OK;
}

/* Load the existing row that conflicts on index pos (key2/val2 hold its entry). */
static mice_status load_conflicting(dml_ctx *x, uint32_t pos, sql_datum *row, sql_error *err)
{
    plan_node *p = x->op->p;
    mice_status rc = MICE_OK;
    if (pos != 0) {
        bool found = false;
        rc = rowenc_index_decode(&p->layout, &p->indexes[pos], buf_slice(&x->key2),
                                 buf_slice(&x->val2), x->row_arena, row);
        if (!rc) {
            buf_reset(&x->key2);
            rc = rowenc_primary_key(&p->layout, row, &x->key2);
        }
        if (!rc && (rc = kv_get(x, buf_slice(&x->key2), &x->val2, &found, err))) return rc;
        if (!rc && !found)
            return sqlerr_set(err, MICE_CORRUPT, "XX001", "index entry without a row");
    }
    if (!rc)
        rc = rowenc_primary_decode(&p->layout, buf_slice(&x->key2), buf_slice(&x->val2),
                                   x->row_arena, row);
    if (rc) return sqlerr_set(err, rc, "XX001", "could not decode a row of \"%s\"", x->d->name);
    if (p->layout.kv_namespace) row[ROWENC_KV_EXPIRES_AT] = rowenc_kv_expiry_datum(x->expiry2);
    return MICE_OK;
}

static mice_status write_indexes(dml_ctx *x, const sql_datum *row, bool check, sql_error *err)
{
    for (uint32_t i = 1; i < x->d->n_indexes; i++) {
        mice_status rc = index_key(x, i, row, &x->key, &x->val, err);
        if (rc) return rc;
        if (check && x->d->indexes[i].unique) {
            bool found;
            if ((rc = kv_get(x, buf_slice(&x->key), &x->val2, &found, err))) return rc;
            if (found) return unique_error(x, i, row, err);
        }
        if ((rc = kv_put(x, buf_slice(&x->key), buf_slice(&x->val), err))) return rc;
    }
    return MICE_OK;
}

static mice_status delete_row(dml_ctx *x, const sql_datum *row, sql_error *err)
{
    for (uint32_t i = 0; i < x->d->n_indexes; i++) {
        mice_status rc = index_key(x, i, row, &x->key, &x->val, err);
        if (!rc) rc = kv_del(x, buf_slice(&x->key), err);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status update_row(dml_ctx *x, const sql_datum *old, const sql_datum *row,
                              sql_error *err)
{
    mice_status rc = check_row(x, row, err);
    mice_buf scratch;
    buf_init(&scratch);
    for (uint32_t i = 0; !rc && i < x->d->n_indexes; i++) {
        rc = index_key(x, i, old, &x->key, &x->val, err);
        if (!rc) rc = index_key(x, i, row, &x->key2, &x->val2, err);
        if (rc) break;
        bool same_key = mice_slice_eq(buf_slice(&x->key), buf_slice(&x->key2));
        bool same_expiry = true; /* the kv table keeps expires_at beside the value */
        if (i == 0 && x->op->p->layout.kv_namespace) {
            uint64_t before = 0, after = 0;
            if ((rc = row_expiry(x, old, &before, err)) || (rc = row_expiry(x, row, &after, err)))
                break;
            same_expiry = before == after;
        }
        if (same_key && same_expiry && mice_slice_eq(buf_slice(&x->val), buf_slice(&x->val2)))
            continue;
        if (!same_key) {
            if (x->d->indexes[i].unique || i == 0) {
                bool found;
                if ((rc = kv_get(x, buf_slice(&x->key2), &scratch, &found, err))) break;
                if (found) {
                    rc = unique_error(x, i, row, err);
                    break;
                }
            }
            if ((rc = kv_del(x, buf_slice(&x->key), err))) break;
        }
        rc = i == 0 ? primary_put(x, row, buf_slice(&x->key2), buf_slice(&x->val2), err)
                    : kv_put(x, buf_slice(&x->key2), buf_slice(&x->val2), err);
    }
    buf_deinit(&scratch);
    return rc;
}

static mice_status emit_returning(dml_ctx *x, const sql_datum *row, sql_error *err)
{
    exec_op *op = x->op;
    op->affected++;
    if (!op->p->returning) return MICE_OK;
    uint32_t n = op->p->n_cols;
    sql_datum out[n ? n : 1];
    expr_ctx c = op->st->ectx;
    c.arena = x->row_arena;
    for (uint32_t i = 0; i < n; i++) {
        mice_status rc = expr_eval(op->p->exprs[i], &c, row, &out[i], err);
        if (rc) return rc;
    }
    return exec__keep_row(op, out, n, err);
}

/* ON CONFLICT DO UPDATE: note that this statement wrote the row (by primary key). */
static mice_status remember_row(dml_ctx *x, const sql_datum *row, sql_error *err)
{
    if (x->op->p->on_conflict != PLAN_CONFLICT_UPDATE) return MICE_OK;
    mice_status rc = index_key(x, 0, row, &x->key, &x->val, err);
    bool was;
    if (!rc) keyset_add(&x->touched, buf_slice(&x->key), &was);
    return rc;
}

static mice_status conflict_update(dml_ctx *x, uint32_t pos, const sql_datum *excluded,
                                   sql_error *err)
{
    const plan_node *p = x->op->p;
    uint32_t n = x->d->n_columns;
    sql_datum both[2 * n], row[n];
    mice_status rc = load_conflicting(x, pos, both, err);
    if (rc) return rc;
    if (keyset_contains(&x->touched, buf_slice(&x->key2))) {
        sqlerr_set(err, MICE_INVALID, SQLSTATE_CARDINALITY_VIOLATION,
                   "ON CONFLICT DO UPDATE command cannot affect row a second time");
        sqlerr_hint(err, "Ensure that no rows proposed for insertion within the same command "
                         "have duplicate constrained values.");
        return MICE_INVALID;
    }
    memcpy(both + n, excluded, sizeof(sql_datum) * n);
    expr_ctx c = x->op->st->ectx;
    c.arena = x->row_arena;
    if (p->conflict_where) {
        bool ok;
        if ((rc = expr_is_true(p->conflict_where, &c, both, &ok, err)) || !ok) return rc;
    }
    for (uint32_t i = 0; i < n; i++)
        if ((rc = expr_eval(p->conflict_values[i], &c, both, &row[i], err))) return rc;
    if ((rc = update_row(x, both, row, err))) return rc;
    if ((rc = remember_row(x, row, err))) return rc;
    return emit_returning(x, row, err);
}

static mice_status insert_row(dml_ctx *x, const sql_datum *src, sql_error *err)
{
    const plan_node *p = x->op->p;
    uint32_t n = x->d->n_columns;
    sql_datum row[n ? n : 1];
    expr_ctx c = x->op->st->ectx;
    c.arena = x->row_arena;
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = expr_eval(p->col_values[i], &c, src, &row[i], err);
    if (!rc) rc = check_row(x, row, err);
    int32_t cpos;
    if (!rc) rc = find_conflict(x, row, &cpos, err);
    if (rc) return rc;
    if (cpos >= 0) {
        bool target = p->conflict_index < 0 || p->conflict_index == cpos;
        if (p->on_conflict == PLAN_CONFLICT_NOTHING && target) return MICE_OK;
        if (p->on_conflict == PLAN_CONFLICT_UPDATE && target)
            return conflict_update(x, (uint32_t)cpos, row, err);
        return unique_error(x, (uint32_t)cpos, row, err);
    }
    rc = index_key(x, 0, row, &x->key, &x->val, err);
    if (!rc) rc = primary_put(x, row, buf_slice(&x->key), buf_slice(&x->val), err);
    if (!rc) rc = write_indexes(x, row, false, err);
    if (!rc) rc = remember_row(x, row, err);
    if (!rc) rc = emit_returning(x, row, err);
    return rc;
}

/* --- batched INSERT ------------------------------------------------------------------ */

static void batch_init(dml_batch *b, mice_arena *parent)
{
    memset(b, 0, sizeof *b);
    buf_init(&b->bytes);
    b->arena = arena_create(parent, "dml batch", 0);
}

static void batch_deinit(dml_batch *b)
{
    buf_deinit(&b->bytes);
    free(b->w);
    free(b->tw);
    if (b->arena) arena_destroy(b->arena);
}

static void batch_add(dml_batch *b, txn_write_kind kind, mice_slice key, mice_slice val,
                      uint64_t expiry_wall_ns, uint32_t pos)
{
    if (b->n_w == b->cap_w) {
        b->cap_w = b->cap_w ? 2 * b->cap_w : 64;
        b->w = mice_realloc(b->w, b->cap_w * sizeof *b->w);
    }
    dml_write *w = &b->w[b->n_w++];
    *w = (dml_write){.key_off = b->bytes.n,
                     .key_len = key.n,
                     .expiry_wall_ns = expiry_wall_ns,
                     .kind = kind,
                     .row = (uint32_t)b->n_rows,
                     .pos = pos};
    buf_append_slice(&b->bytes, key);
    w->val_off = b->bytes.n;
    w->val_len = val.n;
    buf_append_slice(&b->bytes, val);
}

/* Write the batch's entries; a 23505 names the row and index of the first failing one. */
static mice_status batch_flush(dml_ctx *x, sql_error *err)
{
    dml_batch *b = x->batch;
    mice_status rc = MICE_OK;
    if (b->n_w) {
        b->tw = mice_realloc(b->tw, b->n_w * sizeof *b->tw);
        for (size_t i = 0; i < b->n_w; i++) {
            const dml_write *w = &b->w[i];
            b->tw[i] = (txn_write){.kind = w->kind,
                                   .key = mice_slice_of(b->bytes.p + w->key_off, w->key_len),
                                   .value = mice_slice_of(b->bytes.p + w->val_off, w->val_len),
                                   .expiry_wall_ns = w->expiry_wall_ns};
        }
        size_t failed = b->n_w;
        mice_err me;
        rc = txn_write_batch(x->op->st->env->t, b->tw, b->n_w, &failed, &me);
        if (rc == MICE_EXISTS && failed < b->n_w)
            rc = unique_error(x, b->w[failed].pos, b->rows[b->w[failed].row], err);
        else if (rc)
            rc = exec_txn_error(rc, &me, err);
    }
    buf_reset(&b->bytes);
    b->n_w = 0;
    b->n_rows = 0;
    arena_reset(b->arena);
    return rc;
}

/* Errors that end the statement through the transaction: the batch is dropped unsent. */
static bool txn_failure(mice_status rc)
{
    return rc == MICE_AGAIN || rc == MICE_CONFLICT || rc == MICE_ABORTED || rc == MICE_TIMEOUT ||
           rc == MICE_CLOSED || rc == MICE_NOMEM;
}

/* A row's error: the rows collected before it are written first, and their 23505 wins. */
static mice_status batch_row_failed(dml_ctx *x, mice_status rc, sql_error *err)
{
    if (txn_failure(rc) || !x->batch->n_w) return rc;
    sql_error ferr;
    sqlerr_clear(&ferr);
    mice_status frc = batch_flush(x, &ferr);
    if (frc == MICE_OK) return rc;
    if (err) *err = ferr;
    return frc;
}

static mice_status insert_row_batched(dml_ctx *x, const sql_datum *src, sql_error *err)
{
    const plan_node *p = x->op->p;
    dml_batch *b = x->batch;
    uint32_t n = x->d->n_columns;
    sql_datum row[n ? n : 1];
    expr_ctx c = x->op->st->ectx;
    c.arena = x->row_arena;
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = expr_eval(p->col_values[i], &c, src, &row[i], err);
    if (!rc) rc = check_row(x, row, err);
    uint64_t expiry = 0;
    if (!rc) rc = row_expiry(x, row, &expiry, err);
    size_t mark_w = b->n_w, mark_bytes = b->bytes.n;
    for (uint32_t i = 0; i < x->d->n_indexes && !rc; i++) {
        const catalog_index *ix = &x->d->indexes[i];
        if ((rc = index_key(x, i, row, &x->key, &x->val, err))) break;
        bool check = (ix->unique || ix->primary) && !key_has_null(x, ix, row);
        batch_add(b, check ? TXN_WRITE_INSERT : TXN_WRITE_PUT, buf_slice(&x->key),
                  buf_slice(&x->val), i == 0 ? expiry : 0, i);
    }
    if (!rc && !(b->rows[b->n_rows] = batch_row_copy(b->arena, row, n))) rc = sqlerr_nomem(err);
    if (rc) { /* none of this row's entries stay */
        b->n_w = mark_w;
        buf_truncate(&b->bytes, mark_bytes);
        return batch_row_failed(x, rc, err);
    }
    b->n_rows++;
    if ((rc = emit_returning(x, row, err))) return batch_row_failed(x, rc, err);
    if (b->n_rows == DML_BATCH_ROWS || b->bytes.n >= DML_BATCH_BYTES) return batch_flush(x, err);
    return MICE_OK;
}

static mice_status dml_row(dml_ctx *x, const sql_datum *in, sql_error *err)
{
    const plan_node *p = x->op->p;
    if (p->kind == PLAN_INSERT)
        return x->batched ? insert_row_batched(x, in, err) : insert_row(x, in, err);
    if (p->kind == PLAN_DELETE) {
        mice_status rc = delete_row(x, in, err);
        return rc ? rc : emit_returning(x, in, err);
    }
    uint32_t n = x->d->n_columns;
    sql_datum row[n ? n : 1];
    expr_ctx c = x->op->st->ectx;
    c.arena = x->row_arena;
    for (uint32_t i = 0; i < n; i++) {
        mice_status rc = expr_eval(p->col_values[i], &c, in, &row[i], err);
        if (rc) return rc;
    }
    mice_status rc = update_row(x, in, row, err);
    return rc ? rc : emit_returning(x, row, err);
}

/* With UPDATE ... FROM / DELETE ... USING a target row can come several times: act once. */
static mice_status seen_target(exec_op *op, const sql_datum *row, bool *seen, sql_error *err)
{
    const rowenc_index *pk = op->p->layout.primary;
    sql_datum key[pk->n_cols];
    for (uint32_t i = 0; i < pk->n_cols; i++)
        key[i] = row[pk->cols[i]];
    uint64_t h = exec__hash_row(key, pk->n_cols);
    for (exec_hash_entry *e = op->hash.buckets[h & (op->hash.n_buckets - 1)]; e; e = e->next)
        if (e->hash == h && exec__rows_equal(e->row, key, pk->n_cols, op->st->env->vctx)) {
            *seen = true;
            return MICE_OK;
        }
    *seen = false;
    sql_datum *copy = batch_row_copy(op->mem, key, pk->n_cols);
    if (!copy) return sqlerr_nomem(err);
    return exec__hash_insert(op, h, copy, NULL, err);
}

static mice_status dml_run(exec_op *op, sql_error *err)
{
    mice_status rc = exec__drain(op, op->child, err);
    if (rc) return rc;
    sql_datum **input = op->rows;
    uint64_t n_input = op->n_rows;
    op->rows = NULL;
    op->n_rows = op->cap_rows = 0;
    dml_ctx x = {
        .op = op, .d = op->p->table, .row_arena = arena_create(op->st->arena, "dml row", 0)};
    if (!x.row_arena) return sqlerr_nomem(err);
    buf_init(&x.key);
    buf_init(&x.val);
    buf_init(&x.key2);
    buf_init(&x.val2);
    keyset_init(&x.touched);
    dml_batch batch;
    x.batched = op->p->kind == PLAN_INSERT && op->p->on_conflict == PLAN_CONFLICT_NONE;
    if (x.batched) {
        batch_init(&batch, op->st->arena);
        if (!batch.arena) rc = sqlerr_nomem(err);
        x.batch = &batch;
    }
    for (uint64_t i = 0; i < n_input && !rc; i++) {
        if ((i & 1023) == 0 && (rc = exec__cancelled(op->st, err))) break;
        arena_reset(x.row_arena);
        bool seen = false;
        if (op->p->kind != PLAN_INSERT && op->p->child->kind == PLAN_JOIN &&
            (rc = seen_target(op, input[i], &seen, err)))
            break;
        if (!seen) rc = dml_row(&x, input[i], err);
    }
    if (x.batched) {
        if (!rc) rc = batch_flush(&x, err);
        batch_deinit(&batch);
    }
    buf_deinit(&x.key);
    buf_deinit(&x.val);
    buf_deinit(&x.key2);
    buf_deinit(&x.val2);
    keyset_deinit(&x.touched);
    return rc;
}

static mice_status dml_next(exec_op *op, sql_batch **out, sql_error *err)
{
    if (!op->done) {
        mice_status rc = dml_run(op, err);
        if (rc) return rc;
        op->done = true;
    }
    sql_batch *b = op->out;
    b->n_rows = 0;
    while (op->pos < op->n_rows && !batch_full(b))
        batch_append_row(b, op->rows[op->pos++]);
    *out = b;
    return MICE_OK;
}

mice_status exec__open_dml(exec_state *st, plan_node *p, exec_op *op, sql_error *err)
{
    (void)st;
    (void)err;
    (void)p;
    op->next = dml_next;
    return exec__hash_init(op, 64, err);
}
