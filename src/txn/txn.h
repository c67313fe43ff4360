/*
 * txn.h - transactions: what the SQL executor (and the KV API) call to read and write.
 *
 * A txn_db wraps the kv layer (a kv_sender routing to replicas) and a timestamp source.
 * A txn is a snapshot-based transaction with PostgreSQL's isolation levels:
 *   READ COMMITTED   (default) a fresh snapshot per statement (txn_statement_begin);
 *   REPEATABLE READ  one snapshot for the whole transaction (snapshot isolation);
 *   SERIALIZABLE     snapshot isolation plus commit-time validation that nothing the
 *                    transaction read (points and spans) was written after its snapshot.
 * Reads never wait for writers. A write to a row another transaction has written (an
 * intent, i.e. a row lock) waits until that transaction commits or aborts, up to the lock
 * wait timeout, with deadlock detection. COMMIT returns only once the transaction's
 * writes are synced to disk.
 *
 * Statements and the READ COMMITTED retry contract. The executor brackets every
 * statement with txn_statement_begin / txn_statement_end (the first statement is begun
 * implicitly by txn_begin). When a write under READ COMMITTED meets a row committed after
 * the statement's snapshot (typically after waiting for its lock), the call returns
 * MICE_AGAIN: the transaction has already undone this statement's writes, kept the row
 * lock it waited for (so the re-run cannot lose the row again), and taken a fresh
 * snapshot; the executor must re-run the statement from its beginning (re-reading
 * rows, re-evaluating WHERE). This is PostgreSQL's "UPDATE proceeds on the new row
 * version", done by re-running the statement. txn_run_statement wraps that loop. Under
 * REPEATABLE READ and SERIALIZABLE the same situation is a serialization failure.
 *
 * Errors (every call returns mice_status, detail in mice_err; txn_sqlstate maps them):
 *   MICE_CONFLICT  40001 could not serialize access (write-too-old, validation, or the
 *                        transaction was aborted by someone else)
 *   MICE_ABORTED   40P01 deadlock detected: this transaction was chosen as the victim
 *   MICE_TIMEOUT   55P03 lock wait timeout
 *   MICE_CLOSED    25P02 the transaction already failed: only rollback is accepted
 *   MICE_AGAIN           READ COMMITTED statement restart (see above); never escapes
 *                        txn_run_statement unless its retry budget runs out
 *   MICE_EXISTS    23505 txn_insert found the key (the transaction stays usable)
 * After any error except MICE_AGAIN, MICE_NOTFOUND, MICE_INVALID and MICE_EXISTS it is
 * aborted at once (its locks are released so others proceed) and later calls return
 * MICE_CLOSED until txn_rollback / txn_destroy.
 *
 * Owns: a txn_db owns its replica, sender and (unless one is given) clock; it borrows the
 * engine and env, which must outlive it. A txn owns its buffers; it borrows its db.
 * Thread safety: a txn_db is shared by every session thread; a txn and its scans belong
 * to one thread at a time.
 */
#ifndef MICE_TXN_TXN_H
#define MICE_TXN_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/hlc.h"
#include "base/status.h"
#include "kv/request.h"
#include "kv/sender.h"
#include "storage/engine.h"

typedef enum txn_isolation {
    TXN_READ_COMMITTED = KV_READ_COMMITTED,
    TXN_REPEATABLE_READ = KV_REPEATABLE_READ,
    TXN_SERIALIZABLE = KV_SERIALIZABLE,
} txn_isolation;

typedef struct txn_db txn_db;
typedef struct txn txn;
typedef struct txn_scan txn_scan;

enum {
    TXN_STMT_RETRIES_MAX = 100, /* READ COMMITTED statement restarts before giving up */
    TXN_SCAN_BATCH_ROWS_DEFAULT = 256,
};

typedef struct txn_db_config {
    hlc *clock;               /* timestamp source; NULL = the db creates its own HLC. The
                               * TSO of range 1 replaces it in a cluster. Borrowed. */
    uint64_t lock_timeout_ms; /* 0 = wait without limit */
    uint64_t txn_ttl_ms;      /* a pending transaction not running here, older than this,
                               * is abandoned (rolled back by whoever meets its intents) */
    bool force_two_phase;     /* commit through the 2PC path (record, then resolve each
                               * key as if it were its own range): tests and later ranges */
    kv_sender *sender;        /* NULL = the db makes one replica over the whole engine (a
                               * single node). Set: route through these replicas instead
                               * (a cluster store's, kv/store.h store_add_replicas); the db
                               * then creates no replica or timestamp guard of its own, and
                               * clock should be the one the replicas use. Borrowed. */
} txn_db_config;

void txn_db_config_init(txn_db_config *cfg);

/* The engine must be opened with mvcc_config_init. env is borrowed. Reads the store's
 * timestamp high-water mark (kv/tsguard.h): MICE_IOERR / MICE_CORRUPT from there. */
mice_status txn_db_create(engine *e, const mice_env *env, const txn_db_config *cfg, txn_db **out,
                          mice_err *err);
/* No transaction may be open. NULL is ignored. */
void txn_db_destroy(txn_db *db);
/* The gateway underneath (tools, tests, the KV API's batch paths). Borrowed. */
kv_sender *txn_db_sender(txn_db *db);
hlc *txn_db_clock(txn_db *db);

/* --- one-shot, non-transactional operations (the Redis/HTTP KV API) ------------------ */

/* Read the latest committed value. */
mice_status txn_db_get(txn_db *db, mice_slice key, mice_buf *value, bool *found, mice_err *err);
/* Write at a fresh timestamp, synced. expiry_wall_ns 0 = no expiry. Waits for a pending
 * transaction's lock on the key like any writer. */
mice_status txn_db_put(txn_db *db, mice_slice key, mice_slice value, uint64_t expiry_wall_ns,
                       mice_err *err);
mice_status txn_db_delete(txn_db *db, mice_slice key, mice_err *err);
/* txn_db_get plus the value's expiry: *expiry_wall_ns is 0 when it has none (or when
 * the key is absent). An expired value is absent, as for every read. */
mice_status txn_db_get_with_expiry(txn_db *db, mice_slice key, mice_buf *value, bool *found,
                                   uint64_t *expiry_wall_ns, mice_err *err);
/* One bounded step of the TTL's background purge over [start, end) (kv/replica.h's
 * kv_replica_purge_expired on every replica): visits at most max_rows keys, tombstones the
 * expired ones (unsynced), says where the next step starts (*resume, when *more). Over a
 * cluster's sender it does nothing yet (replicas may not write outside Raft). */
mice_status txn_db_purge_expired(txn_db *db, mice_slice start, mice_slice end, size_t max_rows,
                                 mice_buf *resume, bool *more, size_t *n_purged, mice_err *err);
/* Remove every version and lock of [start, end) at once, synced, without MVCC history:
 * only for spans nobody reads any more (a TRUNCATEd or DROPped table's old data). */
mice_status txn_db_clear_range(txn_db *db, mice_slice start, mice_slice end, mice_err *err);

/* --- transactions -------------------------------------------------------------------- */

txn *txn_begin(txn_db *db, txn_isolation isolation);
/* Roll back if still open, then free. NULL is ignored. */
void txn_destroy(txn *t);

/* Start the next statement: READ COMMITTED takes a fresh snapshot. */
void txn_statement_begin(txn *t);
void txn_statement_end(txn *t);
/* One statement as a function, re-run on MICE_AGAIN (at most TXN_STMT_RETRIES_MAX). */
typedef mice_status (*txn_stmt_fn)(txn *t, void *ctx, mice_err *err);
mice_status txn_run_statement(txn *t, txn_stmt_fn fn, void *ctx, mice_err *err);

mice_status txn_get(txn *t, mice_slice key, mice_buf *value, bool *found, mice_err *err);
/* txn_get plus the value's expiry (0 = none or absent; NULL: not wanted), as
 * txn_db_get_with_expiry: the HTTP KV API's batch reads and the SQL kv table. */
mice_status txn_get_with_expiry(txn *t, mice_slice key, mice_buf *value, bool *found,
                                uint64_t *expiry_wall_ns, mice_err *err);
/* SELECT ... FOR UPDATE: lock the row (waiting like a writer), then read it. */
mice_status txn_get_for_update(txn *t, mice_slice key, mice_buf *value, bool *found, mice_err *err);
mice_status txn_put(txn *t, mice_slice key, mice_slice value, mice_err *err);
/* KV TTL: txn_put whose value expires at expiry_wall_ns (wall-clock ns; 0 = never). */
mice_status txn_put_with_expiry(txn *t, mice_slice key, mice_slice value, uint64_t expiry_wall_ns,
                                mice_err *err);
/* txn_get_for_update plus the value's expiry (0 = none or absent): read-modify-write of
 * KV values that keeps their TTL (INCR, APPEND, SET KEEPTTL). */
mice_status txn_get_for_update_with_expiry(txn *t, mice_slice key, mice_buf *value, bool *found,
                                           uint64_t *expiry_wall_ns, mice_err *err);
/* INSERT: put only if the key has no live value, else MICE_EXISTS (23505), which leaves
 * the transaction usable (ON CONFLICT DO NOTHING); the executor decides what it means. */
mice_status txn_insert(txn *t, mice_slice key, mice_slice value, mice_err *err);
mice_status txn_delete(txn *t, mice_slice key, mice_err *err);

/* Many writes at once (INSERT and COPY): the same as calling txn_put / txn_insert /
 * txn_delete for each write in order, but sent as few kv requests as possible - one per
 * range per run of writes without a repeated key - each evaluated under one latch set and
 * written as one batch (one Raft proposal on a replicated range). Lock waits, deadlocks,
 * write-too-old and READ COMMITTED's MICE_AGAIN behave as for single writes (after
 * MICE_AGAIN the statement's writes, this batch's included, are undone).
 * MICE_EXISTS: *failed_index (if not NULL) is the first TXN_WRITE_INSERT, in the order
 * given, whose key had a live value; every write before it is applied, and so may be some
 * after it (when the batch spans several ranges): the caller fails the statement, as
 * INSERT does. The transaction stays usable, as for txn_insert. *failed_index is n when
 * no write failed. */
typedef enum txn_write_kind {
    TXN_WRITE_PUT,    /* txn_put_with_expiry */
    TXN_WRITE_INSERT, /* txn_insert: MICE_EXISTS if the key has a live value */
    TXN_WRITE_DELETE, /* txn_delete */
} txn_write_kind;

typedef struct txn_write {
    txn_write_kind kind;
    mice_slice key;
    mice_slice value;        /* PUT, INSERT */
    uint64_t expiry_wall_ns; /* PUT, INSERT: KV TTL (wall-clock ns); 0 = never */
} txn_write;

enum { TXN_BATCH_OPS_MAX = 4096 }; /* writes per kv request; longer batches are cut */

mice_status txn_write_batch(txn *t, const txn_write *w, size_t n, size_t *failed_index,
                            mice_err *err);

/* Scans of [start, end) (empty end = to the end of the key space), largest key first
 * with reverse, at most limit rows (0 = all). The executor pulls batches. */
mice_status txn_scan_open(txn *t, mice_slice start, mice_slice end, bool reverse, size_t limit,
                          txn_scan **out);
/* The next batch of at most max_rows rows (0 = the default); *n_rows == 0 at the end.
 * Expired values are skipped; a row's expiry_wall_ns says when a live one expires.
 * Borrowed: rows stay valid until the next txn_scan_next or txn_scan_close. */
mice_status txn_scan_next(txn_scan *s, size_t max_rows, const kv_row **rows, size_t *n_rows,
                          mice_err *err);
void txn_scan_close(txn_scan *s); /* NULL is ignored */

/* Commit; on MICE_OK the writes are durable. The transaction is finished either way. */
mice_status txn_commit(txn *t, mice_err *err);
/* Release every lock and drop every write. Idempotent. */
mice_status txn_rollback(txn *t, mice_err *err);

/* SET lock_timeout for this transaction: 0 = wait without limit (PostgreSQL's meaning). */
void txn_set_lock_timeout(txn *t, uint64_t timeout_ms);

hlc_ts txn_read_ts(const txn *t);
hlc_ts txn_commit_ts(const txn *t); /* after a successful commit */
txn_isolation txn_get_isolation(const txn *t);
uint64_t txn_id(const txn *t);

/* The SQLSTATE for a status returned by this module ("XX000" for unexpected ones). */
const char *txn_sqlstate(mice_status rc);

#endif
