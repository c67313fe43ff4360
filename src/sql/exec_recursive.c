/* exec_recursive.c - WITH RECURSIVE: PLAN_RECURSIVE and PLAN_WORKSCAN (see plan.h).
 *
 * The Recursive Union first produces the non-recursive term's rows; they are the working
 * table. While the working table is not empty, the recursive term runs once over it (a
 * fresh operator tree in an arena of its own, like a correlated subquery) and its new rows
 * (UNION: those not produced before; UNION ALL: all) are produced and become the next
 * working table. Rows of one iteration are handed up before the next iteration runs, so
 * a LIMIT above stops an endless recursion as in PostgreSQL; without one, an endless
 * recursion runs until the statement is cancelled (statement_timeout, CancelRequest:
 * 57014), which is checked per iteration and by the operators below.
 *
 * Owns: UNION's rows and hash (op->mem, for the whole statement); UNION ALL's rows per
 * iteration (op->mem2, replaced when the next iteration's rows exist).
 * Thread safety: one statement.
 */
#include <string.h>

#include "sql/exec_int.h"

/* Keep row (from a batch) if new: append a pointer to *rows (array in arena). */
static mice_status keep(exec_op *op, mice_arena *arena, const sql_datum *row, sql_datum ***rows,
                        uint64_t *n, uint64_t *cap, sql_error *err)
{
    uint32_t nc = op->p->n_cols;
    sql_datum *copy;
    if (op->p->rec_all) {
        if (!(copy = batch_row_copy(arena, row, nc))) return sqlerr_nomem(err);
    } else {
        uint64_t h = exec__hash_row(row, nc);
        for (exec_hash_entry *e = op->hash.buckets[h & (op->hash.n_buckets - 1)]; e; e = e->next)
            if (e->hash == h && exec__rows_equal(e->row, row, nc, op->st->env->vctx))
                return MICE_OK;
        if (!(copy = batch_row_copy(op->mem, row, nc))) return sqlerr_nomem(err);
        mice_status rc = exec__hash_insert(op, h, copy, NULL, err);
        if (rc) return rc;
    }
    if (*n == *cap) {
        uint64_t c = *cap ? *cap * 2 : 64;
        sql_datum **v = arena_alloc(arena, sizeof(sql_datum *) * c);
        if (!v) return sqlerr_nomem(err);
        if (*n) memcpy(v, *rows, sizeof(sql_datum *) * *n);
        *rows = v;
        *cap = c;
    }
    (*rows)[(*n)++] = copy;
    return MICE_OK;
}

static mice_status collect(exec_op *op, exec_op *src, mice_arena *arena, sql_datum ***rows,
                           uint64_t *n, sql_error *err)
{
    uint32_t nc = op->p->n_cols;
    sql_datum row[nc ? nc : 1];
    uint64_t cap = 0;
    *rows = NULL;
    *n = 0;
    for (;;) {
        sql_batch *b;
        mice_status rc = exec_next(src, &b, err);
        if (rc) return rc;
        if (!b->n_rows) return MICE_OK;
        for (uint32_t r = 0; r < b->n_rows; r++) {
            batch_get_row(b, r, row);
            if ((rc = keep(op, arena, row, rows, n, &cap, err))) return rc;
        }
    }
}

/* One run of the recursive term over the working table (p->wt_rows). */
static mice_status iterate(exec_op *op, mice_arena *arena, sql_datum ***rows, uint64_t *n,
                           sql_error *err)
{
    exec_state st = {.env = op->st->env, .arena = arena_create(op->st->arena, "recursive term", 0)};
    if (!st.arena) return sqlerr_nomem(err);
    st.ectx = op->st->ectx;
    st.ectx.subquery_arg = &st;
    exec_op *term = NULL;
    mice_status rc = exec__open_node(&st, op->p->rec_term, &term, err);
    if (!rc) rc = collect(op, term, arena, rows, n, err);
    exec_close(term);
    arena_destroy(st.arena);
    return rc;
}

mice_status exec__recursive_next(exec_op *op, sql_batch **out, sql_error *err)
{
    plan_node *p = op->p;
    sql_batch *b = op->out;
    b->n_rows = 0;
    *out = b;
    for (;;) {
        if (op->pos < op->n_rows) {
            while (op->pos < op->n_rows && !batch_full(b))
                batch_append_row(b, op->rows[op->pos++]);
            return MICE_OK;
        }
        if (op->done) return MICE_OK;
        mice_status rc = exec__cancelled(op->st, err);
        if (rc) return rc;
        if (!op->mem && !(op->mem = arena_create(op->st->arena, "recursive rows", 0)))
            return sqlerr_nomem(err);
        if (!p->rec_all && !op->hash.buckets && (rc = exec__hash_init(op, 1024, err))) return rc;
        mice_arena *next = arena_create(op->st->arena, "recursive iteration", 0);
        if (!next) return sqlerr_nomem(err);
        sql_datum **rows;
        uint64_t n;
        if (!op->child_i) {
            rc = collect(op, op->child, next, &rows, &n, err);
            op->child_i = 1;
        } else if (!op->n_rows) {
            op->done = true;
            rc = MICE_OK;
            n = 0;
            rows = NULL;
        } else {
            p->wt_rows = op->rows;
            p->wt_n = op->n_rows;
            rc = iterate(op, next, &rows, &n, err);
            p->wt_rows = NULL;
            p->wt_n = 0;
        }
        if (op->mem2) arena_destroy(op->mem2); /* the previous working table */
        op->mem2 = next;
        if (rc) return rc;
        op->rows = rows;
        op->n_rows = n;
        op->pos = 0;
        if (!n) op->done = true;
    }
}

mice_status exec__workscan_next(exec_op *op, sql_batch **out, sql_error *err)
{
    (void)err;
    const plan_node *u = op->p->rec_union;
    sql_batch *b = op->out;
    b->n_rows = 0;
    while (op->pos < u->wt_n && !batch_full(b))
        batch_append_row(b, u->wt_rows[op->pos++]);
    *out = b;
    return MICE_OK;
}
