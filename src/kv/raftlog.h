/*
 * raftlog.h - one range's durable Raft state in STORE_CF_RAFT: the raft_storage of its
 * Raft group.
 *
 * Layout of the raft column family (every integer big-endian, so keys sort by number):
 *   0x01 range 'e' index   a log entry: varint term, type byte, data
 *   0x01 range 'h'         hard state: varint term, vote, commit
 *   0x01 range 'a'         applied index (written in the batch that applies the entries,
 *                          so re-applying after a crash starts exactly where the data is)
 *   0x01 range 'c'         conf state as of the applied index
 *   0x01 range 't'         truncated state: the last index removed from the log, its term
 *   0x02 range             the replica's range descriptor (rangedesc.h)
 *   0x03 range             a snapshot being installed (store_snap.c redoes it at restart)
 *   0x04 range             tombstone of a removed replica: varint lowest replica id this
 *                          node may hold again (a delayed message for the removed one
 *                          must not bring it back; store.h, membership)
 * The log holds entries (truncated index, last index]; the truncated index is also where
 * a snapshot of the range starts (bootstrap, split, or an installed snapshot).
 *
 * Writes are STAGED into a caller's engine_batch (the raft thread's one batch per loop
 * turn, group commit) and take effect in this module's view only when the caller says the
 * batch committed (raftlog_commit_staged); until then reads answer the old state, which is
 * what the Raft library expects (it never reads what it has not seen persisted).
 * raftlog_abort_staged forgets staged changes after a failed write.
 *
 * Owns: its cached view (first/last index, hard state, conf, applied, truncated state).
 * Borrows the engine. Thread safety: one thread (the store's raft thread) uses a raftlog;
 * raftlog_open/raftlog_destroy may run on another thread while no one else uses it.
 * Invariants: truncated index <= applied <= hard state commit <= last index once
 * committed; entries are contiguous; reads never see staged changes.
 */
#ifndef MICE_KV_RAFTLOG_H
#define MICE_KV_RAFTLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "raft/raft.h"
#include "storage/engine.h"

enum {
    RAFTLOG_KEY_RANGE = 0x01,
    RAFTLOG_KEY_DESC = 0x02,
    RAFTLOG_KEY_SNAP_PENDING = 0x03,
    RAFTLOG_KEY_TOMBSTONE = 0x04,
    /* A new Raft group (bootstrap, split) starts as if from a snapshot at this index and
     * term, identical on every replica; no leader exists at this term. */
    RAFTLOG_INIT_INDEX = 1,
    RAFTLOG_INIT_TERM = 1,
};

typedef struct raftlog raftlog;

/* The storage answers snapshot requests through this (the store builds the SST). */
typedef mice_status (*raftlog_snapshot_fn)(void *ctx, raft_snapshot *out);

/* Load range_id's state. MICE_NOTFOUND if the range has no truncated state (never
 * initialised); MICE_CORRUPT on malformed records. */
mice_status raftlog_open(engine *e, uint64_t range_id, raftlog **out, mice_err *err);
void raftlog_destroy(raftlog *l); /* NULL is ignored */

/* Write the state of a fresh group into b: truncated (INIT_INDEX, INIT_TERM), hard state
 * hs (NULL: {INIT_TERM, none, INIT_INDEX}), applied INIT_INDEX, conf cs. No log entries. */
void raftlog_write_initial(engine_batch *b, uint64_t range_id, const raft_conf_state *cs,
                           const raft_hard_state *hs);
/* The state of an uninitialised replica: an empty log at index 0, no config, no vote. */
void raftlog_write_empty(engine_batch *b, uint64_t range_id);

raft_storage raftlog_storage(raftlog *l);
void raftlog_set_snapshot_fn(raftlog *l, raftlog_snapshot_fn fn, void *ctx);

uint64_t raftlog_range_id(const raftlog *l);
uint64_t raftlog_first_index(const raftlog *l);
uint64_t raftlog_last_index(const raftlog *l);
uint64_t raftlog_applied(const raftlog *l);
uint64_t raftlog_truncated_index(const raftlog *l);
void raftlog_hard_state(const raftlog *l, raft_hard_state *hs);
void raftlog_conf_state(const raftlog *l, raft_conf_state *cs);
/* Term of entry i (truncated index .. last index), as raft_storage's term op. */
mice_status raftlog_term(raftlog *l, uint64_t i, uint64_t *term_out);

/* --- staged writes ------------------------------------------------------------------- */

/* Entries from ents[0].index on, replacing any stored entries from there (a conflicting
 * tail is deleted). MICE_INVALID for a gap or non-contiguous entries; MICE_NOTFOUND when
 * ents[0].index is at or below the truncated index. */
mice_status raftlog_stage_append(raftlog *l, engine_batch *b, const raft_entry *ents, size_t n);
void raftlog_stage_hard_state(raftlog *l, engine_batch *b, const raft_hard_state *hs);
void raftlog_stage_applied(raftlog *l, engine_batch *b, uint64_t applied);
void raftlog_stage_conf_state(raftlog *l, engine_batch *b, const raft_conf_state *cs);
/* Drop entries up to and including index (applied >= index > truncated index, else
 * MICE_INVALID / MICE_NOTFOUND); its term is remembered as the truncated term. */
mice_status raftlog_stage_truncate(raftlog *l, engine_batch *b, uint64_t index);
/* Replace the whole log with a snapshot's position: every entry goes, truncated and
 * applied become meta->index, the conf becomes meta->conf and the hard state's commit
 * (and term, if lower) is raised to the snapshot's. */
void raftlog_stage_snapshot(raftlog *l, engine_batch *b, const raft_snapshot_meta *meta);

/* The staged batch committed (or failed: abort). */
void raftlog_commit_staged(raftlog *l);
void raftlog_abort_staged(raftlog *l);

/* --- keys (the store uses them for descriptors, markers and whole-range deletes) ------ */

void raftlog_desc_key(mice_buf *out, uint64_t range_id);
void raftlog_snap_pending_key(mice_buf *out, uint64_t range_id);
void raftlog_tombstone_key(mice_buf *out, uint64_t range_id);
/* [lower, upper) covering every 0x01 record of range_id. */
void raftlog_range_span(uint64_t range_id, mice_buf *lower, mice_buf *upper);

/* Encodings shared with snapshots (meta) and tests. */
void raftlog_encode_conf_state(mice_buf *out, const raft_conf_state *cs);
mice_status raftlog_decode_conf_state(mice_slice *in, raft_conf_state *cs);

#endif
