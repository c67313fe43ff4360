/*
 * resp_cmd_int.h - what the files of resp_cmd share: the server-wide state, one command's
 * execution context, the shared reply helpers and the command handlers. Not a public
 * interface (see resp_cmd.h).
 */
#ifndef MICE_SERVER_RESP_CMD_INT_H
#define MICE_SERVER_RESP_CMD_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "server/resp_cmd.h"
#include "server/resp_proto.h"

typedef struct resp_cursor {
    uint64_t id; /* 0 = free */
    mice_buf resume;
} resp_cursor;

struct resp_db {
    txn_db *db;
    catalog *cat;
    const mice_env *env;
    size_t max_bulk_bytes;
    char version[32];
    atomic_int port;
    uint64_t start_wall_ns;
    atomic_uint_least64_t next_client_id;
    atomic_uint_least64_t conns_open, conns_total, conns_rejected, commands, errors;
    atomic_uint_least64_t hits, misses, expired;
    pthread_mutex_t cursor_mu; /* protects cursors and next_cursor */
    resp_cursor cursors[RESP_CURSORS_MAX];
    uint64_t next_cursor;
};

/* One command being run. */
typedef struct resp_x {
    resp_db *r;
    resp_client *c;
    const mice_slice *argv;
    size_t argc;
    mice_buf *out;
    int ver;
    const char *name; /* lower-case full name for error texts ("set", "client|setname") */
    bool close;       /* QUIT */
} resp_x;

#define RESP_ERR_SYNTAX "ERR syntax error"
#define RESP_ERR_NOT_INT "ERR value is not an integer or out of range"

/* --- helpers (resp_cmd.c) --------------------------------------------------------------- */

void resp__error(resp_x *x, const char *msg);
void resp__storage_error(resp_x *x, mice_status rc, const mice_err *err);
void resp__ok(resp_x *x);
bool resp__arg_is(const resp_x *x, size_t i, const char *word); /* case-insensitive */
/* Redis's string2ll on an argument or value. */
bool resp__parse_int(mice_slice s, int64_t *out);
/* /kv/<user key> into out (reset first). */
void resp__kv_key(mice_buf *out, mice_slice user_key);
uint64_t resp__now_ms(const resp_x *x);
/* Redis's glob (stringmatchlen): * ? [...] [^...] ranges and \ escapes. */
bool resp__glob_match(mice_slice pattern, mice_slice s);

/* Run fn as a READ COMMITTED statement in a fresh transaction, committed unless it asks
 * for a rollback; retried whole on conflicts and deadlocks. fn writes its reply into
 * reply (reset before every attempt); the reply is appended to x->out on success. */
typedef mice_status (*resp_txn_fn)(txn *t, resp_x *x, void *arg, mice_buf *reply, bool *rollback,
                                   mice_err *err);
void resp__run_txn(resp_x *x, resp_txn_fn fn, void *arg);

/* --- handlers --------------------------------------------------------------------------- */

/* resp_cmd_kv.c: strings and keys */
void resp__cmd_get(resp_x *x);
void resp__cmd_set(resp_x *x);
void resp__cmd_setnx(resp_x *x);
void resp__cmd_setex(resp_x *x);
void resp__cmd_psetex(resp_x *x);
void resp__cmd_getdel(resp_x *x);
void resp__cmd_getex(resp_x *x);
void resp__cmd_mget(resp_x *x);
void resp__cmd_mset(resp_x *x);
void resp__cmd_msetnx(resp_x *x);
void resp__cmd_del(resp_x *x);
void resp__cmd_exists(resp_x *x);
void resp__cmd_type(resp_x *x);
void resp__cmd_incr(resp_x *x);
void resp__cmd_incrby(resp_x *x);
void resp__cmd_decr(resp_x *x);
void resp__cmd_decrby(resp_x *x);
void resp__cmd_append(resp_x *x);
void resp__cmd_strlen(resp_x *x);
void resp__cmd_getrange(resp_x *x);
void resp__cmd_expire(resp_x *x);
void resp__cmd_pexpire(resp_x *x);
void resp__cmd_expireat(resp_x *x);
void resp__cmd_pexpireat(resp_x *x);
void resp__cmd_ttl(resp_x *x);
void resp__cmd_pttl(resp_x *x);
void resp__cmd_expiretime(resp_x *x);
void resp__cmd_pexpiretime(resp_x *x);
void resp__cmd_persist(resp_x *x);

/* resp_cmd_scan.c: spans of the key space */
void resp__cmd_keys(resp_x *x);
void resp__cmd_scan(resp_x *x);
void resp__cmd_dbsize(resp_x *x);
void resp__cmd_flushdb(resp_x *x);
void resp__cmd_krange(resp_x *x);
void resp__cmd_kcount(resp_x *x);
/* Count the keys of the whole namespace (INFO keyspace). */
mice_status resp__count_keys(resp_db *r, uint64_t *n, mice_err *err);

#endif
