/*
 * intent.h - the lock column family's layout: intents and transaction records.
 *
 * An INTENT is an uncommitted write (or a row lock) of one transaction, stored in
 * STORE_CF_LOCKS under 'I' + user key, so a key has at most one intent and a reader finds
 * it with one point get (or one bounded iterator for a span). It names its transaction
 * and the transaction's primary key, where the TRANSACTION RECORD lives: STORE_CF_LOCKS
 * under 'T' + keyenc_bytes(primary) + be64(txn id). Keeping records in the lock CF, not in
 * the data CF under /sys/txn/, keeps them out of MVCC (no versions, no GC filter, no
 * tombstones left behind) and next to the primary's intent: both derive from the primary
 * key, so when ranges arrive, the range holding the primary key owns the record and one
 * Raft proposal can write the record and the primary's intent together.
 *
 * An intent keeps the value of its newest write plus at most one PRIOR value: the value
 * as of the end of the previous statement of the same transaction. That is what a
 * READ COMMITTED statement retry needs to undo exactly the current statement's writes
 * (KV_RESOLVE_STMT_UNDO); savepoints would generalise it to a history by sequence.
 *
 * A PUT may carry an expiry (the KV TTL, kept with the value when it becomes a version);
 * an intent with an expiry (current or prior) is encoded as version 2, which appends the
 * two expiries, so intents without one keep version 1's bytes.
 *
 * Encodings are versioned by a leading byte; decoders never trust their input
 * (MICE_CORRUPT on anything malformed).
 *
 * Owns: nothing; encode functions append to the caller's buffer, decoders borrow slices
 * of the raw value (valid as long as the raw bytes are).
 * Thread safety: pure functions.
 */
#ifndef MICE_KV_INTENT_H
#define MICE_KV_INTENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/hlc.h"
#include "base/status.h"

enum {
    INTENT_KEY_PREFIX = 'I',
    TXN_RECORD_KEY_PREFIX = 'T',
};

typedef enum intent_kind {
    INTENT_PUT = 1,    /* value is the new row */
    INTENT_DELETE = 2, /* a tombstone */
    INTENT_LOCK = 3,   /* a row lock only (SELECT FOR UPDATE): commit writes nothing */
} intent_kind;

typedef struct intent {
    uint64_t txn_id;
    hlc_ts start_ts; /* the writer's begin timestamp (its age, for deadlock victims) */
    hlc_ts write_ts; /* provisional commit timestamp when written */
    uint32_t seq;    /* sequence number of the newest write */
    intent_kind kind;
    mice_slice primary; /* borrowed from the raw value */
    mice_slice value;   /* borrowed; empty unless kind == INTENT_PUT */
    bool has_prior;     /* a value from an earlier statement exists */
    uint32_t prior_seq;
    intent_kind prior_kind;
    mice_slice prior_value; /* borrowed */
    /* KV TTL: a PUT's value expires at this wall-clock time (as mvcc_put_with_expiry). */
    bool has_expiry;
    uint64_t expiry_wall_ns;
    bool prior_has_expiry;
    uint64_t prior_expiry_wall_ns;
} intent;

typedef enum txn_status {
    TXN_PENDING = 1,
    TXN_COMMITTED = 2,
    TXN_ABORTED = 3,
} txn_status;

typedef struct txn_record {
    txn_status status;
    hlc_ts write_ts; /* provisional (PENDING) or final (COMMITTED) commit timestamp */
    uint64_t heartbeat_wall_ns;
} txn_record;

/* out = 'I' + key (out is reset first). */
void intent_key(mice_buf *out, mice_slice key);
/* The user key inside an intent key; MICE_CORRUPT if it is not one. */
mice_status intent_key_decode(mice_slice raw, mice_slice *key);
void intent_encode(mice_buf *out, const intent *in);
mice_status intent_decode(mice_slice raw, intent *out);

/* out = 'T' + keyenc_bytes(primary) + be64(txn_id) (out is reset first). */
void txn_record_key(mice_buf *out, mice_slice primary, uint64_t txn_id);
void txn_record_encode(mice_buf *out, const txn_record *r);
mice_status txn_record_decode(mice_slice raw, txn_record *out);

#endif
