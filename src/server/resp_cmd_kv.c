/* String and key commands of the Redis API (see resp_cmd.h): each reads and writes
 * /kv/<key> through the transaction layer. Read-modify-write commands run as one
 * transaction (resp__run_txn) that locks what it reads, so they are atomic under
 * concurrency; their argument checks happen before the transaction, in Redis's order, so
 * the error a client sees is Redis's. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/resp_cmd_int.h"

#define STAT_ADD(r, f, v) atomic_fetch_add_explicit(&(r)->f, (v), memory_order_relaxed)

static txn_db *db_of(const resp_x *x)
{
    return x->r->db;
}

/* Wall-clock ms -> the ns the storage keeps (0 there means "no expiry"; clamp far
 * futures instead of overflowing). */
static uint64_t ms_to_ns(int64_t ms)
{
    if (ms <= 0) return 1; /* already expired, still "has an expiry" */
    if ((uint64_t)ms > UINT64_MAX / MICE_NS_PER_MS) return UINT64_MAX;
    return (uint64_t)ms * MICE_NS_PER_MS;
}

static int64_t ns_to_ms(uint64_t ns)
{
    return (int64_t)(ns / MICE_NS_PER_MS);
}

static void expire_time_error(resp_x *x)
{
    resp_put_errorf(x->out, "ERR invalid expire time in '%s' command", x->name);
}

static void put_value_or_null(resp_x *x, mice_buf *reply, bool found, const mice_buf *value)
{
    if (found)
        resp_put_bulk(reply, buf_slice(value));
    else
        resp_put_null(reply, x->ver);
}

static void count_lookup(resp_x *x, bool found)
{
    if (found)
        STAT_ADD(x->r, hits, 1);
    else
        STAT_ADD(x->r, misses, 1);
}

/* --- reads ------------------------------------------------------------------------------- */

/* One-shot read of argv[i]; false when a storage error was replied. */
static bool read_key(resp_x *x, size_t i, mice_buf *value, bool *found, uint64_t *expiry_ns)
{
    mice_buf key;
    buf_init(&key);
    resp__kv_key(&key, x->argv[i]);
    mice_err err;
    mice_status rc =
        txn_db_get_with_expiry(db_of(x), buf_slice(&key), value, found, expiry_ns, &err);
    buf_deinit(&key);
    if (rc) resp__storage_error(x, rc, &err);
    return rc == MICE_OK;
}

void resp__cmd_get(resp_x *x)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    if (read_key(x, 1, &v, &found, NULL)) {
        count_lookup(x, found);
        put_value_or_null(x, x->out, found, &v);
    }
    buf_deinit(&v);
}

void resp__cmd_strlen(resp_x *x)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    if (read_key(x, 1, &v, &found, NULL)) resp_put_int(x->out, found ? (int64_t)v.n : 0);
    buf_deinit(&v);
}

void resp__cmd_type(resp_x *x)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    if (read_key(x, 1, &v, &found, NULL)) resp_put_simple(x->out, found ? "string" : "none");
    buf_deinit(&v);
}

void resp__cmd_getrange(resp_x *x)
{
    int64_t start, end;
    if (!resp__parse_int(x->argv[2], &start) || !resp__parse_int(x->argv[3], &end)) {
        resp__error(x, RESP_ERR_NOT_INT);
        return;
    }
    mice_buf v;
    buf_init(&v);
    bool found = false;
    if (!read_key(x, 1, &v, &found, NULL)) {
        buf_deinit(&v);
        return;
    }
    /* Redis 7's getrangeCommand, step by step */
    int64_t len = (int64_t)v.n;
    bool empty = start < 0 && end < 0 && start > end;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= len) end = len - 1;
    if (empty || start > end || len == 0)
        resp_put_bulk(x->out, (mice_slice){0});
    else
        resp_put_bulk(x->out, mice_slice_of(v.p + start, (size_t)(end - start + 1)));
    buf_deinit(&v);
}

typedef enum { TTL_S, TTL_MS, EXPIRETIME_S, EXPIRETIME_MS } ttl_kind;

static void ttl_command(resp_x *x, ttl_kind kind)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    uint64_t exp = 0;
    if (read_key(x, 1, &v, &found, &exp)) {
        int64_t reply = -2;
        if (found && exp == 0) reply = -1;
        if (found && exp) {
            int64_t at_ms = ns_to_ms(exp);
            int64_t left = at_ms - (int64_t)resp__now_ms(x);
            if (left < 0) left = 0;
            switch (kind) {
            case TTL_S:
                reply = (left + 500) / 1000;
                break;
            case TTL_MS:
                reply = left;
                break;
            case EXPIRETIME_S:
                reply = at_ms / 1000;
                break;
            case EXPIRETIME_MS:
                reply = at_ms;
                break;
            }
        }
        resp_put_int(x->out, reply);
    }
    buf_deinit(&v);
}

void resp__cmd_ttl(resp_x *x)
{
    ttl_command(x, TTL_S);
}

void resp__cmd_pttl(resp_x *x)
{
    ttl_command(x, TTL_MS);
}

void resp__cmd_expiretime(resp_x *x)
{
    ttl_command(x, EXPIRETIME_S);
}

void resp__cmd_pexpiretime(resp_x *x)
{
    ttl_command(x, EXPIRETIME_MS);
}

/* MGET and EXISTS: one REPEATABLE READ snapshot for every key. */
typedef struct multi_read {
    bool exists; /* EXISTS: count; else MGET: values */
} multi_read;

static mice_status multi_read_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                                 mice_err *err)
{
    multi_read *m = arg;
    *rollback = true; /* read-only */
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    int64_t n = 0;
    mice_status rc = MICE_OK;
    if (!m->exists) resp_put_array(reply, x->argc - 1);
    for (size_t i = 1; rc == MICE_OK && i < x->argc; i++) {
        bool found = false;
        resp__kv_key(&key, x->argv[i]);
        rc = txn_get(t, buf_slice(&key), &v, &found, err);
        if (rc) break;
        n += found;
        if (!m->exists) {
            count_lookup(x, found);
            put_value_or_null(x, reply, found, &v);
        }
    }
    if (m->exists) resp_put_int(reply, n);
    buf_deinit(&key);
    buf_deinit(&v);
    return rc;
}

/* Read-only commands use a REPEATABLE READ transaction: one snapshot, no locks. */
static void run_snapshot(resp_x *x, resp_txn_fn fn, void *arg)
{
    mice_buf reply;
    buf_init(&reply);
    txn *t = txn_begin(db_of(x), TXN_REPEATABLE_READ);
    mice_err err;
    bool rollback = false;
    mice_status rc = fn(t, x, arg, &reply, &rollback, &err);
    mice_err ignored;
    txn_rollback(t, &ignored);
    txn_destroy(t);
    if (rc == MICE_OK)
        buf_append_slice(x->out, buf_slice(&reply));
    else
        resp__storage_error(x, rc, &err);
    buf_deinit(&reply);
}

void resp__cmd_mget(resp_x *x)
{
    multi_read m = {.exists = false};
    run_snapshot(x, multi_read_fn, &m);
}

void resp__cmd_exists(resp_x *x)
{
    multi_read m = {.exists = true};
    run_snapshot(x, multi_read_fn, &m);
}

/* --- SET and its family -------------------------------------------------------------------- */

enum {
    OPT_NX = 1 << 0,
    OPT_XX = 1 << 1,
    OPT_GET = 1 << 2,
    OPT_KEEPTTL = 1 << 3,
    OPT_PERSIST = 1 << 4,
    OPT_EX = 1 << 5,
    OPT_PX = 1 << 6,
    OPT_EXAT = 1 << 7,
    OPT_PXAT = 1 << 8,
    OPT_ANY_EXPIRE = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT,
};

typedef struct set_opts {
    unsigned flags;
    int64_t expire_at_ms; /* with OPT_ANY_EXPIRE */
} set_opts;

/* Redis 7's parseExtendedStringArgumentsOrReply + getExpireMillisecondsOrReply, for SET
 * (is_set) or GETEX. false when an error was replied. */
static bool parse_set_opts(resp_x *x, size_t first, bool is_set, set_opts *o)
{
    memset(o, 0, sizeof *o);
    size_t expire_arg = 0;
    for (size_t j = first; j < x->argc; j++) {
        bool has_next = j + 1 < x->argc;
        unsigned f = o->flags;
        unsigned other_expire_or_ttl = OPT_KEEPTTL | OPT_PERSIST;
        if (is_set && resp__arg_is(x, j, "NX") && !(f & OPT_XX)) {
            o->flags |= OPT_NX;
        } else if (is_set && resp__arg_is(x, j, "XX") && !(f & OPT_NX)) {
            o->flags |= OPT_XX;
        } else if (is_set && resp__arg_is(x, j, "GET")) {
            o->flags |= OPT_GET;
        } else if (is_set && resp__arg_is(x, j, "KEEPTTL") &&
                   !(f & (OPT_PERSIST | OPT_ANY_EXPIRE))) {
            o->flags |= OPT_KEEPTTL;
        } else if (!is_set && resp__arg_is(x, j, "PERSIST") &&
                   !(f & (OPT_ANY_EXPIRE | OPT_KEEPTTL))) {
            o->flags |= OPT_PERSIST;
        } else if (resp__arg_is(x, j, "EX") && has_next &&
                   !(f & (other_expire_or_ttl | OPT_EXAT | OPT_PX | OPT_PXAT))) {
            o->flags |= OPT_EX;
            expire_arg = ++j;
        } else if (resp__arg_is(x, j, "PX") && has_next &&
                   !(f & (other_expire_or_ttl | OPT_EX | OPT_EXAT | OPT_PXAT))) {
            o->flags |= OPT_PX;
            expire_arg = ++j;
        } else if (resp__arg_is(x, j, "EXAT") && has_next &&
                   !(f & (other_expire_or_ttl | OPT_EX | OPT_PX | OPT_PXAT))) {
            o->flags |= OPT_EXAT;
            expire_arg = ++j;
        } else if (resp__arg_is(x, j, "PXAT") && has_next &&
                   !(f & (other_expire_or_ttl | OPT_EX | OPT_EXAT | OPT_PX))) {
            o->flags |= OPT_PXAT;
            expire_arg = ++j;
        } else {
            resp__error(x, RESP_ERR_SYNTAX);
            return false;
        }
    }
    if (!(o->flags & OPT_ANY_EXPIRE)) return true;
    int64_t v = 0;
    if (!resp__parse_int(x->argv[expire_arg], &v)) {
        resp__error(x, RESP_ERR_NOT_INT);
        return false;
    }
    bool seconds = o->flags & (OPT_EX | OPT_EXAT);
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
        expire_time_error(x);
        return false;
    }
    if (seconds) v *= 1000;
    if (o->flags & (OPT_EX | OPT_PX)) {
        int64_t now = (int64_t)resp__now_ms(x);
        if (v > LLONG_MAX - now) {
            expire_time_error(x);
            return false;
        }
        v += now;
    }
    o->expire_at_ms = v;
    return true;
}

static mice_status set_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                          mice_err *err)
{
    const set_opts *o = arg;
    mice_buf key, old;
    buf_init(&key);
    buf_init(&old);
    resp__kv_key(&key, x->argv[1]);
    bool found = false;
    uint64_t old_exp = 0;
    mice_status rc =
        txn_get_for_update_with_expiry(t, buf_slice(&key), &old, &found, &old_exp, err);
    if (rc == MICE_OK) {
        bool skip = ((o->flags & OPT_NX) && found) || ((o->flags & OPT_XX) && !found);
        if (skip) {
            *rollback = true;
        } else {
            uint64_t exp = (o->flags & OPT_KEEPTTL)      ? old_exp
                           : (o->flags & OPT_ANY_EXPIRE) ? ms_to_ns(o->expire_at_ms)
                                                         : 0;
            rc = txn_put_with_expiry(t, buf_slice(&key), x->argv[2], exp, err);
        }
        if (rc == MICE_OK && (o->flags & OPT_GET))
            put_value_or_null(x, reply, found, &old);
        else if (rc == MICE_OK && skip)
            resp_put_null(reply, x->ver);
        else if (rc == MICE_OK)
            resp_put_simple(reply, "OK");
    }
    buf_deinit(&key);
    buf_deinit(&old);
    return rc;
}

static void plain_put(resp_x *x, mice_slice user_key, mice_slice value, uint64_t expiry_ns)
{
    mice_buf key;
    buf_init(&key);
    resp__kv_key(&key, user_key);
    mice_err err;
    mice_status rc = txn_db_put(db_of(x), buf_slice(&key), value, expiry_ns, &err);
    buf_deinit(&key);
    if (rc)
        resp__storage_error(x, rc, &err);
    else
        resp__ok(x);
}

void resp__cmd_set(resp_x *x)
{
    set_opts o;
    if (!parse_set_opts(x, 3, true, &o)) return;
    if (!(o.flags & (OPT_NX | OPT_XX | OPT_GET | OPT_KEEPTTL))) {
        plain_put(x, x->argv[1], x->argv[2],
                  (o.flags & OPT_ANY_EXPIRE) ? ms_to_ns(o.expire_at_ms) : 0);
        return;
    }
    resp__run_txn(x, set_fn, &o);
}

static mice_status setnx_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                            mice_err *err)
{
    (void)arg;
    mice_buf key, old;
    buf_init(&key);
    buf_init(&old);
    resp__kv_key(&key, x->argv[1]);
    bool found = false;
    mice_status rc = txn_get_for_update(t, buf_slice(&key), &old, &found, err);
    if (rc == MICE_OK && !found) rc = txn_put(t, buf_slice(&key), x->argv[2], err);
    if (rc == MICE_OK) resp_put_int(reply, !found);
    *rollback = found;
    buf_deinit(&key);
    buf_deinit(&old);
    return rc;
}

void resp__cmd_setnx(resp_x *x)
{
    resp__run_txn(x, setnx_fn, NULL);
}

static void setex_command(resp_x *x, bool ms)
{
    int64_t v = 0;
    if (!resp__parse_int(x->argv[2], &v)) {
        resp__error(x, RESP_ERR_NOT_INT);
        return;
    }
    int64_t now = (int64_t)resp__now_ms(x);
    if (v <= 0 || (!ms && v > LLONG_MAX / 1000)) {
        expire_time_error(x);
        return;
    }
    if (!ms) v *= 1000;
    if (v > LLONG_MAX - now) {
        expire_time_error(x);
        return;
    }
    plain_put(x, x->argv[1], x->argv[3], ms_to_ns(v + now));
}

void resp__cmd_setex(resp_x *x)
{
    setex_command(x, false);
}

void resp__cmd_psetex(resp_x *x)
{
    setex_command(x, true);
}

/* GETDEL, and GETEX with options: read under lock, then delete or rewrite the TTL. */
static mice_status getex_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                            mice_err *err)
{
    const set_opts *o = arg; /* NULL: GETDEL */
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    resp__kv_key(&key, x->argv[1]);
    bool found = false;
    uint64_t exp = 0;
    mice_status rc = txn_get_for_update_with_expiry(t, buf_slice(&key), &v, &found, &exp, err);
    if (rc == MICE_OK && found) {
        bool del =
            !o || ((o->flags & OPT_ANY_EXPIRE) && o->expire_at_ms <= (int64_t)resp__now_ms(x));
        if (del)
            rc = txn_delete(t, buf_slice(&key), err);
        else if (o->flags & OPT_PERSIST)
            rc = exp ? txn_put_with_expiry(t, buf_slice(&key), buf_slice(&v), 0, err) : MICE_OK;
        else
            rc = txn_put_with_expiry(t, buf_slice(&key), buf_slice(&v), ms_to_ns(o->expire_at_ms),
                                     err);
    }
    *rollback = !found;
    if (rc == MICE_OK) {
        count_lookup(x, found);
        put_value_or_null(x, reply, found, &v);
    }
    buf_deinit(&key);
    buf_deinit(&v);
    return rc;
}

void resp__cmd_getdel(resp_x *x)
{
    resp__run_txn(x, getex_fn, NULL);
}

void resp__cmd_getex(resp_x *x)
{
    set_opts o;
    if (!parse_set_opts(x, 2, false, &o)) return;
    if (!(o.flags & (OPT_ANY_EXPIRE | OPT_PERSIST))) {
        resp__cmd_get(x);
        return;
    }
    resp__run_txn(x, getex_fn, &o);
}

/* --- multi-key writes ------------------------------------------------------------------------- */

static mice_status mset_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                           mice_err *err)
{
    bool nx = arg != NULL;
    mice_buf key, old;
    buf_init(&key);
    buf_init(&old);
    mice_status rc = MICE_OK;
    bool any = false;
    for (size_t i = 1; nx && rc == MICE_OK && i < x->argc && !any; i += 2) {
        resp__kv_key(&key, x->argv[i]);
        rc = txn_get_for_update(t, buf_slice(&key), &old, &any, err);
    }
    for (size_t i = 1; rc == MICE_OK && !any && i < x->argc; i += 2) {
        resp__kv_key(&key, x->argv[i]);
        rc = txn_put(t, buf_slice(&key), x->argv[i + 1], err);
    }
    *rollback = any;
    if (rc == MICE_OK && nx) resp_put_int(reply, !any);
    if (rc == MICE_OK && !nx) resp_put_simple(reply, "OK");
    buf_deinit(&key);
    buf_deinit(&old);
    return rc;
}

static bool pairs_ok(resp_x *x)
{
    if (x->argc % 2 == 1) return true;
    resp_put_errorf(x->out, "ERR wrong number of arguments for '%s' command", x->name);
    return false;
}

void resp__cmd_mset(resp_x *x)
{
    if (pairs_ok(x)) resp__run_txn(x, mset_fn, NULL);
}

void resp__cmd_msetnx(resp_x *x)
{
    static int nx_marker;
    if (pairs_ok(x)) resp__run_txn(x, mset_fn, &nx_marker);
}

static mice_status del_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                          mice_err *err)
{
    (void)arg;
    mice_buf key, old;
    buf_init(&key);
    buf_init(&old);
    int64_t n = 0;
    mice_status rc = MICE_OK;
    for (size_t i = 1; rc == MICE_OK && i < x->argc; i++) {
        bool found = false;
        resp__kv_key(&key, x->argv[i]);
        rc = txn_get_for_update(t, buf_slice(&key), &old, &found, err);
        if (rc == MICE_OK && found) {
            rc = txn_delete(t, buf_slice(&key), err);
            n++;
        }
    }
    *rollback = n == 0;
    if (rc == MICE_OK) resp_put_int(reply, n);
    buf_deinit(&key);
    buf_deinit(&old);
    return rc;
}

void resp__cmd_del(resp_x *x)
{
    resp__run_txn(x, del_fn, NULL);
}

/* --- counters and APPEND ---------------------------------------------------------------------- */

typedef struct incr_arg {
    int64_t delta;
} incr_arg;

static mice_status incr_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                           mice_err *err)
{
    const incr_arg *a = arg;
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    resp__kv_key(&key, x->argv[1]);
    bool found = false;
    uint64_t exp = 0;
    mice_status rc = txn_get_for_update_with_expiry(t, buf_slice(&key), &v, &found, &exp, err);
    int64_t cur = 0;
    if (rc == MICE_OK && found && !resp__parse_int(buf_slice(&v), &cur)) {
        *rollback = true;
        resp_put_error(reply, RESP_ERR_NOT_INT);
    } else if (rc == MICE_OK && ((a->delta < 0 && cur < 0 && a->delta < LLONG_MIN - cur) ||
                                 (a->delta > 0 && cur > 0 && a->delta > LLONG_MAX - cur))) {
        *rollback = true;
        resp_put_error(reply, "ERR increment or decrement would overflow");
    } else if (rc == MICE_OK) {
        char num[32];
        int n = snprintf(num, sizeof num, "%lld", (long long)(cur + a->delta));
        rc = txn_put_with_expiry(t, buf_slice(&key), mice_slice_of(num, (size_t)n), exp, err);
        if (rc == MICE_OK) resp_put_int(reply, cur + a->delta);
    }
    buf_deinit(&key);
    buf_deinit(&v);
    return rc;
}

static void incr_command(resp_x *x, int64_t delta)
{
    incr_arg a = {.delta = delta};
    resp__run_txn(x, incr_fn, &a);
}

void resp__cmd_incr(resp_x *x)
{
    incr_command(x, 1);
}

void resp__cmd_decr(resp_x *x)
{
    incr_command(x, -1);
}

void resp__cmd_incrby(resp_x *x)
{
    int64_t d;
    if (!resp__parse_int(x->argv[2], &d)) {
        resp__error(x, RESP_ERR_NOT_INT);
        return;
    }
    incr_command(x, d);
}

void resp__cmd_decrby(resp_x *x)
{
    int64_t d;
    if (!resp__parse_int(x->argv[2], &d)) {
        resp__error(x, RESP_ERR_NOT_INT);
        return;
    }
    if (d == INT64_MIN) {
        resp__error(x, "ERR decrement would overflow");
        return;
    }
    incr_command(x, -d);
}

static mice_status append_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                             mice_err *err)
{
    (void)arg;
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    resp__kv_key(&key, x->argv[1]);
    bool found = false;
    uint64_t exp = 0;
    mice_status rc = txn_get_for_update_with_expiry(t, buf_slice(&key), &v, &found, &exp, err);
    if (rc == MICE_OK && v.n + x->argv[2].n > x->r->max_bulk_bytes) {
        *rollback = true;
        resp_put_error(reply, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    } else if (rc == MICE_OK) {
        buf_append_slice(&v, x->argv[2]);
        rc = txn_put_with_expiry(t, buf_slice(&key), buf_slice(&v), found ? exp : 0, err);
        if (rc == MICE_OK) resp_put_int(reply, (int64_t)v.n);
    }
    buf_deinit(&key);
    buf_deinit(&v);
    return rc;
}

void resp__cmd_append(resp_x *x)
{
    resp__run_txn(x, append_fn, NULL);
}

/* --- EXPIRE and PERSIST ----------------------------------------------------------------------- */

enum { EXP_NX = 1, EXP_XX = 2, EXP_GT = 4, EXP_LT = 8 };

typedef struct expire_arg {
    int64_t at_ms;
    unsigned flags;
    bool persist;
} expire_arg;

static mice_status expire_fn(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                             mice_err *err)
{
    const expire_arg *a = arg;
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    resp__kv_key(&key, x->argv[1]);
    bool found = false;
    uint64_t exp = 0;
    mice_status rc = txn_get_for_update_with_expiry(t, buf_slice(&key), &v, &found, &exp, err);
    bool done = false;
    if (rc == MICE_OK && found && a->persist) {
        done = exp != 0;
        if (done) rc = txn_put_with_expiry(t, buf_slice(&key), buf_slice(&v), 0, err);
    } else if (rc == MICE_OK && found) {
        int64_t cur = exp ? ns_to_ms(exp) : -1; /* -1: no TTL (an infinite one for GT/LT) */
        bool skip = ((a->flags & EXP_NX) && cur != -1) || ((a->flags & EXP_XX) && cur == -1) ||
                    ((a->flags & EXP_GT) && (cur == -1 || a->at_ms <= cur)) ||
                    ((a->flags & EXP_LT) && cur != -1 && a->at_ms >= cur);
        if (!skip && a->at_ms <= (int64_t)resp__now_ms(x))
            rc = txn_delete(t, buf_slice(&key), err);
        else if (!skip)
            rc = txn_put_with_expiry(t, buf_slice(&key), buf_slice(&v), ms_to_ns(a->at_ms), err);
        done = !skip;
    }
    *rollback = !done;
    if (rc == MICE_OK) resp_put_int(reply, done);
    buf_deinit(&key);
    buf_deinit(&v);
    return rc;
}

/* Redis 7's expireGenericCommand: basetime_ms is now for relative forms, 0 for *AT. */
static void expire_command(resp_x *x, bool relative, bool seconds)
{
    expire_arg a = {0};
    for (size_t i = 3; i < x->argc; i++) {
        if (resp__arg_is(x, i, "NX"))
            a.flags |= EXP_NX;
        else if (resp__arg_is(x, i, "XX"))
            a.flags |= EXP_XX;
        else if (resp__arg_is(x, i, "GT"))
            a.flags |= EXP_GT;
        else if (resp__arg_is(x, i, "LT"))
            a.flags |= EXP_LT;
        else {
            resp_put_errorf(x->out, "ERR Unsupported option %.*s", (int)x->argv[i].n,
                            (const char *)x->argv[i].p);
            return;
        }
    }
    if ((a.flags & EXP_NX) && (a.flags & (EXP_XX | EXP_GT | EXP_LT))) {
        resp__error(x, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return;
    }
    if ((a.flags & EXP_GT) && (a.flags & EXP_LT)) {
        resp__error(x, "ERR GT and LT options at the same time are not compatible");
        return;
    }
    int64_t when = 0;
    if (!resp__parse_int(x->argv[2], &when)) {
        resp__error(x, RESP_ERR_NOT_INT);
        return;
    }
    if (seconds && (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)) {
        expire_time_error(x);
        return;
    }
    if (seconds) when *= 1000;
    if (relative) {
        int64_t now = (int64_t)resp__now_ms(x);
        if (when > LLONG_MAX - now) {
            expire_time_error(x);
            return;
        }
        when += now;
    }
    a.at_ms = when;
    resp__run_txn(x, expire_fn, &a);
}

void resp__cmd_expire(resp_x *x)
{
    expire_command(x, true, true);
}

void resp__cmd_pexpire(resp_x *x)
{
    expire_command(x, true, false);
}

void resp__cmd_expireat(resp_x *x)
{
    expire_command(x, false, true);
}

void resp__cmd_pexpireat(resp_x *x)
{
    expire_command(x, false, false);
}

void resp__cmd_persist(resp_x *x)
{
    expire_arg a = {.persist = true};
    resp__run_txn(x, expire_fn, &a);
}
