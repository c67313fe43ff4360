/*
 * workload_ycsb.c - YCSB's core workloads over SQL, table usertable (ycsb_key TEXT primary
 * key, field0..field<N-1> TEXT), as YCSB's JDBC binding lays it out.
 *
 *   A  50% read, 50% update        B  95% read, 5% update
 *   C  100% read                   E  95% scan, 5% insert
 *
 * As in YCSB's CoreWorkload: record i's key is "user" + fnv64(i) (hashed insert order);
 * requests pick records with the scrambled zipfian chooser (base/zipf.h) over the records
 * inserted so far; a read fetches every field, an update rewrites one random field, a scan
 * reads 1..--max-scan (uniform) records from a chosen key on, an insert adds the next
 * record (a run-wide counter). YCSB's defaults are 10 fields of 100 bytes and scans of up
 * to 1000 records; here --fields, --field-size and --max-scan scale them (defaults 10,
 * 100, 100). `init` loads --records records.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/zipf.h"
#include "cli/workload_gen.h"

enum { YCSB_READ, YCSB_UPDATE, YCSB_SCAN, YCSB_INSERT };
static const char *const ycsb_op_names[] = {"read", "update", "scan", "insert"};
enum { YCSB_LOAD_ROWS = 100, YCSB_FIELDS_MAX = 32 };

typedef struct ycsb_state {
    mice_zipf_scrambled zipf;
    char key[32];
    char limit[16];
    char *values; /* fields * (field_size + 1) */
    const char *params[YCSB_FIELDS_MAX + 1];
} ycsb_state;

static void ycsb_key(uint64_t record, char *out, size_t n)
{
    snprintf(out, n, "user%" PRIu64, zipf_fnv64(record));
}

static mice_status ycsb_load(const wl_opts *o, PGconn *c, mice_err *err)
{
    mice_prng rng;
    prng_seed(&rng, o->seed);
    char key[32];
    char *value = mice_malloc((size_t)o->field_size + 1);
    mice_buf sql;
    buf_init(&sql);
    mice_status rc = MICE_OK;
    for (uint64_t r = 0; r < o->records && !rc;) {
        buf_reset(&sql);
        buf_append_str(&sql, "INSERT INTO usertable VALUES ");
        for (int i = 0; i < YCSB_LOAD_ROWS && r < o->records; i++, r++) {
            ycsb_key(r, key, sizeof key);
            buf_printf(&sql, "%s('%s'", i ? ", " : "", key);
            for (int f = 0; f < o->fields; f++) {
                wl_fill_text(&rng, value, (size_t)o->field_size); /* alphanumeric: no quoting */
                buf_printf(&sql, ", '%s'", value);
            }
            buf_append_str(&sql, ")");
        }
        rc = wl_exec(c, (const char *)sql.p, err);
    }
    buf_deinit(&sql);
    free(value);
    return rc;
}

static mice_status ycsb_init(const wl_opts *o, PGconn *c, mice_buf *report, mice_err *err)
{
    if (o->drop && wl_exec(c, "DROP TABLE IF EXISTS usertable", err)) return err->code;
    mice_buf sql;
    buf_init(&sql);
    buf_append_str(&sql, "CREATE TABLE IF NOT EXISTS usertable (ycsb_key TEXT PRIMARY KEY");
    for (int f = 0; f < o->fields; f++)
        buf_printf(&sql, ", field%d TEXT", f);
    buf_append_str(&sql, ")");
    mice_status rc = wl_exec(c, (const char *)sql.p, err);
    buf_deinit(&sql);
    uint64_t have = 0;
    if (!rc) rc = wl_count(c, "usertable", &have, err);
    if (!rc && have > 0) {
        buf_printf(report, "ycsb: usertable already holds %" PRIu64 " records (--drop to reload)\n",
                   have);
        return MICE_OK;
    }
    if (!rc) rc = ycsb_load(o, c, err);
    if (!rc)
        buf_printf(report, "ycsb: %" PRIu64 " records of %d fields x %d bytes loaded\n", o->records,
                   o->fields, o->field_size);
    return rc;
}

/* Inserts (workload E) continue after the records already there. */
static mice_status ycsb_run_begin(const wl_opts *o, PGconn *c, wl_shared *sh, mice_err *err)
{
    (void)o;
    uint64_t have = 0;
    mice_status rc = wl_count(c, "usertable", &have, err);
    if (!rc && have == 0)
        rc =
            mice_err_setf(err, MICE_INVALID, "usertable is empty: run `micedb workload init ycsb`");
    atomic_store(&sh->next_key, have);
    return rc;
}

static mice_status ycsb_worker_open(wl_worker *w, mice_err *err)
{
    const wl_opts *o = w->o;
    ycsb_state *s = w->state;
    if (!s) {
        s = mice_calloc(1, sizeof *s);
        zipf_scrambled_init(&s->zipf);
        s->values = mice_malloc((size_t)o->fields * ((size_t)o->field_size + 1));
        w->state = s;
    }
    mice_status rc =
        wl_prepare(w->pg, "ycsb_read", "SELECT * FROM usertable WHERE ycsb_key = $1", 1, err);
    if (!rc)
        rc = wl_prepare(w->pg, "ycsb_scan",
                        "SELECT * FROM usertable WHERE ycsb_key >= $1 ORDER BY ycsb_key LIMIT $2",
                        2, err);
    mice_buf sql;
    buf_init(&sql);
    for (int f = 0; f < o->fields && !rc; f++) {
        char name[32];
        snprintf(name, sizeof name, "ycsb_update_%d", f);
        buf_reset(&sql);
        buf_printf(&sql, "UPDATE usertable SET field%d = $1 WHERE ycsb_key = $2", f);
        rc = wl_prepare(w->pg, name, (const char *)sql.p, 2, err);
    }
    buf_reset(&sql);
    buf_append_str(&sql, "INSERT INTO usertable VALUES ($1");
    for (int f = 0; f < o->fields; f++)
        buf_printf(&sql, ", $%d", f + 2);
    buf_append_str(&sql, ")");
    if (!rc) rc = wl_prepare(w->pg, "ycsb_insert", (const char *)sql.p, o->fields + 1, err);
    buf_deinit(&sql);
    return rc;
}

static void ycsb_worker_close(wl_worker *w)
{
    ycsb_state *s = w->state;
    if (!s) return;
    free(s->values);
    free(s);
    w->state = NULL;
}

static int ycsb_pick(wl_worker *w)
{
    uint64_t p = prng_below(&w->rng, 100);
    switch (w->o->ycsb_workload) {
    case 'A':
        return p < 50 ? YCSB_READ : YCSB_UPDATE;
    case 'B':
        return p < 95 ? YCSB_READ : YCSB_UPDATE;
    case 'C':
        return YCSB_READ;
    case 'E':
        return p < 95 ? YCSB_SCAN : YCSB_INSERT;
    }
    mice_unreachable();
}

static char *ycsb_value(wl_worker *w, int field)
{
    ycsb_state *s = w->state;
    char *v = s->values + (size_t)field * ((size_t)w->o->field_size + 1);
    wl_fill_text(&w->rng, v, (size_t)w->o->field_size);
    return v;
}

static void ycsb_op(wl_worker *w, wl_outcome *out)
{
    ycsb_state *s = w->state;
    const wl_opts *o = w->o;
    out->op = ycsb_pick(w);
    PGresult *res = NULL;
    if (out->op == YCSB_INSERT) {
        ycsb_key(atomic_fetch_add(&w->shared->next_key, 1), s->key, sizeof s->key);
        s->params[0] = s->key;
        for (int f = 0; f < o->fields; f++)
            s->params[f + 1] = ycsb_value(w, f);
        res = PQexecPrepared(w->pg, "ycsb_insert", o->fields + 1, s->params, NULL, NULL, 0);
        wl_pg_ok(w->pg, res, out);
        return;
    }
    uint64_t n = atomic_load(&w->shared->next_key);
    ycsb_key(zipf_scrambled_next(&s->zipf, &w->rng, n ? n : 1), s->key, sizeof s->key);
    s->params[0] = s->key;
    if (out->op == YCSB_READ) {
        res = PQexecPrepared(w->pg, "ycsb_read", 1, s->params, NULL, NULL, 0);
    } else if (out->op == YCSB_SCAN) {
        snprintf(s->limit, sizeof s->limit, "%" PRIu64,
                 1 + prng_below(&w->rng, (uint64_t)o->max_scan));
        s->params[1] = s->limit;
        res = PQexecPrepared(w->pg, "ycsb_scan", 2, s->params, NULL, NULL, 0);
    } else {
        int f = (int)prng_below(&w->rng, (uint64_t)o->fields);
        char name[32];
        snprintf(name, sizeof name, "ycsb_update_%d", f);
        const char *params[2] = {ycsb_value(w, f), s->key};
        res = PQexecPrepared(w->pg, name, 2, params, NULL, NULL, 0);
    }
    wl_pg_ok(w->pg, res, out);
}

const wl_gen wl_gen_ycsb = {
    .name = "ycsb",
    .op_names = ycsb_op_names,
    .op_count = 4,
    .http_ok = false,
    .init = ycsb_init,
    .run_begin = ycsb_run_begin,
    .check = NULL,
    .worker_open = ycsb_worker_open,
    .worker_close = ycsb_worker_close,
    .op = ycsb_op,
};
