/*
 * resp_cmd.h - the Redis commands of MiceDB: each command turned into reads and writes of
 * the KV namespace (kv/keys.h: /kv/<user key>, shared with SQL's key space) through the
 * transaction layer, and its reply encoded with resp_proto.
 *
 * Semantics follow Redis 7 for strings and keys: GET SET (EX PX EXAT PXAT NX XX GET
 * KEEPTTL) SETNX SETEX PSETEX GETDEL GETEX MGET MSET MSETNX DEL UNLINK EXISTS TYPE INCR
 * INCRBY DECR DECRBY APPEND STRLEN GETRANGE SUBSTR EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX
 * GT LT) TTL PTTL EXPIRETIME PEXPIRETIME PERSIST KEYS SCAN DBSIZE FLUSHDB FLUSHALL, and
 * for connections PING ECHO HELLO AUTH SELECT QUIT COMMAND CLIENT INFO CONFIG TIME, with
 * Redis 7's error texts (unknown command, arity, syntax, integer, expire time...). Two
 * commands are ours, for the ordered key space: KRANGE start end [LIMIT n] [REV] answers
 * the keys of [start, end) in key order (largest first with REV) and their values as one
 * flat array k1 v1 k2 v2...; KCOUNT start end answers how many keys [start, end) holds.
 * An empty end means the end of the namespace.
 *
 * Atomicity: a command that reads and writes (SET with NX/XX/GET/KEEPTTL, INCR, APPEND,
 * GETDEL, GETEX, EXPIRE, PERSIST, MSETNX, DEL...) or writes several keys (MSET) runs as
 * one READ COMMITTED transaction that locks the keys it reads (txn_get_for_update), so
 * concurrent INCRs never lose an update; it is retried whole on a serialization failure or
 * deadlock. Multi-key reads (MGET, EXISTS, KRANGE, KCOUNT, SCAN's page, DBSIZE) read one
 * REPEATABLE READ snapshot. Plain SET and GET are one-shot operations (one synced write,
 * one read). FLUSHDB deletes in transactions of RESP_FLUSH_BATCH_KEYS keys, so it is not
 * atomic as a whole.
 *
 * TTL: an expiry is a wall-clock time stored with the value (txn_put_with_expiry); reads
 * treat a value past it as absent, so expiry is exact whatever the purge does. TTL/PTTL
 * read it back (txn_db_get_with_expiry). EXPIRE with a time in the past deletes the key.
 *
 * Authentication: users are the SQL catalog's. A connection from loopback is trusted as
 * root while root has no password (SQL's insecure mode); otherwise every command but
 * AUTH, HELLO and QUIT answers NOAUTH until AUTH [user] password (or HELLO ... AUTH)
 * succeeds: the password is checked against the user's SCRAM verifier; "AUTH password"
 * and the user "default" mean root. FLUSHDB/FLUSHALL need a superuser.
 *
 * DBSIZE and INFO's keyspace line count keys with a scan (O(keys), as nothing keeps a
 * count); INFO's expires= is not tracked and reads 0.
 *
 * SCAN cursors are numbers (clients parse them) naming a resume key kept in a bounded
 * server-wide table (RESP_CURSORS_MAX entries): a cursor evicted from it, like a made-up
 * one, answers "ERR invalid cursor". KEYS and KRANGE without LIMIT refuse to answer more
 * than RESP_RANGE_KEYS_MAX keys (use SCAN / LIMIT), which bounds a reply's memory.
 *
 * Owns: a resp_db owns its cursor table and counters and borrows the txn_db, catalog and
 * env; a resp_client owns its name. Thread safety: resp_exec runs on a worker (it blocks
 * on storage); a resp_client is used by one thread at a time; a resp_db is shared (its
 * counters are atomics, its cursor table has its own mutex).
 */
#ifndef MICE_SERVER_RESP_CMD_H
#define MICE_SERVER_RESP_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/status.h"
#include "sql/catalog.h"
#include "txn/txn.h"

enum {
    RESP_RANGE_KEYS_MAX = 100000, /* KEYS, and KRANGE without LIMIT */
    RESP_CURSORS_MAX = 4096,      /* SCAN resume points kept */
    RESP_SCAN_COUNT_DEFAULT = 10,
    RESP_FLUSH_BATCH_KEYS = 1000,
    RESP_TXN_RETRIES_MAX = 50,  /* whole-command retries on conflicts and deadlocks */
    RESP_CLIENT_NAME_MAX = 256, /* bytes of CLIENT SETNAME */
    RESP_USER_MAX = 64,
};

#define RESP_REDIS_VERSION "7.0.15" /* what HELLO and INFO report: the Redis we answer like */

typedef struct resp_db resp_db;

typedef struct resp_db_config {
    txn_db *db;
    catalog *cat;          /* users; NULL = no users: every loopback client is root */
    const mice_env *env;   /* NULL = mice_env_real() */
    size_t max_bulk_bytes; /* APPEND's limit; 0 = RESP_MAX_BULK_BYTES_DEFAULT */
    const char *version;   /* micedb's, for INFO */
    int port;              /* for INFO; may be set later with resp_db_set_port */
} resp_db_config;

typedef struct resp_stats {
    uint64_t conns_open, conns_total, conns_rejected;
    uint64_t commands, errors;
    uint64_t keyspace_hits, keyspace_misses;
    uint64_t expired_keys; /* tombstoned by the background purge */
} resp_stats;

mice_status resp_db_create(const resp_db_config *cfg, resp_db **out, mice_err *err);
void resp_db_destroy(resp_db *r); /* NULL is ignored */
void resp_db_set_port(resp_db *r, int port);
resp_stats resp_db_get_stats(const resp_db *r);
/* Connection bookkeeping for INFO (the listener calls these). Any thread. */
void resp_db_count_connection(resp_db *r, int delta, bool rejected);
void resp_db_count_expired(resp_db *r, uint64_t n);
const mice_env *resp_db_env(const resp_db *r);
txn_db *resp_db_txn_db(const resp_db *r);

/* One connection's state. */
typedef struct resp_client {
    uint64_t id;
    int proto; /* 2 or 3 (HELLO) */
    bool peer_loopback;
    bool auth_known; /* whether the trust rule was evaluated */
    bool authenticated, superuser;
    char user[RESP_USER_MAX];
    mice_buf name;
} resp_client;

void resp_client_init(resp_client *c, resp_db *r, bool peer_loopback);
void resp_client_deinit(resp_client *c);

/* Run one command (argv[0] is its name, argc >= 1) and append its reply to out. Returns
 * true when the connection must close once the reply is sent (QUIT). Worker thread. */
bool resp_exec(resp_db *r, resp_client *c, const mice_slice *argv, size_t argc, mice_buf *out);

#endif
