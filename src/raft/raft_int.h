/*
 * raft_int.h - internals shared by the files of src/raft/ (not part of the contract).
 *
 *   log.c       the raft log: storage (durable) + unstable tail (appended, not yet
 *               persisted) + a pending snapshot; commit and applied indexes
 *   progress.c  per-peer replication progress, inflight windows, quorum arithmetic
 *   raft.c      roles, terms, elections, the step dispatcher, tick
 *   replicate.c leader side: appends, heartbeats, responses, snapshots, commit, transfer
 *   follower.c  follower side: append/heartbeat/snapshot handling
 *   read.c      ReadIndex and leases
 *   ready.c     Ready/Advance and applying committed conf changes
 *
 * Invariants: log.committed <= last index; log.applied <= log.committed; unstable entries
 * are contiguous from log.offset; only one Ready outstanding (ready_outstanding).
 */
#ifndef MICE_RAFT_RAFT_INT_H
#define MICE_RAFT_RAFT_INT_H

#include "raft/raft.h"

/* ---- log ---- */

typedef struct raft__log {
    raft_storage st;
    bool has_snap; /* snapshot received, not yet persisted */
    raft_snapshot snap;
    bool snap_handed; /* snap is in the outstanding Ready */
    uint64_t offset; /* index of ents[0] */
    raft_entry *ents;
    size_t n_ents;
    size_t cap_ents;
    uint64_t handed; /* unstable entries with index <= handed are in the outstanding Ready */
    uint64_t committed;
    uint64_t applied;
    uint32_t canaries;
} raft__log;

mice_status raft__log_init(raft__log *l, raft_storage st, uint32_t canaries);
void raft__log_deinit(raft__log *l);
uint64_t raft__log_first_index(const raft__log *l);
uint64_t raft__log_last_index(const raft__log *l);
uint64_t raft__log_last_term(const raft__log *l);
/* MICE_NOTFOUND if compacted, MICE_RANGE if beyond the last index. */
mice_status raft__log_term(const raft__log *l, uint64_t i, uint64_t *term_out);
bool raft__log_match_term(const raft__log *l, uint64_t i, uint64_t term);
bool raft__log_up_to_date(const raft__log *l, uint64_t last_index, uint64_t last_term);
/* Copy entries [lo, hi) bounded by max_bytes (at least one). *out freed by caller. */
mice_status raft__log_entries(const raft__log *l, uint64_t lo, uint64_t hi, size_t max_bytes,
                              raft_entry **out, size_t *n_out);
/* Append after truncating anything from ents[0].index on (must be > committed). */
void raft__log_append(raft__log *l, const raft_entry *ents, size_t n);
/* Follower: entries after (index, log_term) if that matches; *last_new = last index the
 * message vouches for. false if no match. MICE_INVALID through *bad if an entry conflicts
 * with a committed one (a broken leader; the message is ignored). */
bool raft__log_maybe_append(raft__log *l, uint64_t index, uint64_t log_term, uint64_t commit,
                            const raft_entry *ents, size_t n, uint64_t *last_new, bool *bad);
void raft__log_commit_to(raft__log *l, uint64_t i);
/* Largest index <= i whose term is <= term (fast back-off); 0 if none known. */
uint64_t raft__log_find_conflict_by_term(const raft__log *l, uint64_t i, uint64_t term);
void raft__log_restore(raft__log *l, const raft_snapshot *s);
/* Last index that is durable locally (committed entries are handed out only up to it). */
uint64_t raft__log_persisted_index(const raft__log *l);
void raft__log_stable_to(raft__log *l, uint64_t i, uint64_t term);
void raft__log_stable_snap_to(raft__log *l, uint64_t i);
bool raft__log_has_unhanded(const raft__log *l);
bool raft__log_has_next_committed(const raft__log *l);
size_t raft__log_uncommitted_count(const raft__log *l);

/* ---- progress ---- */

typedef struct raft__inflights {
    uint64_t last_index[RAFT_INFLIGHT_MAX]; /* ring: last entry index of each append */
    uint32_t start;
    uint32_t count;
    uint32_t size; /* config window, <= RAFT_INFLIGHT_MAX */
} raft__inflights;

enum { RAFT__VOTE_NONE = 0, RAFT__VOTE_GRANTED = 1, RAFT__VOTE_REJECTED = 2 };

typedef struct raft__progress {
    uint64_t id;
    uint64_t match;
    uint64_t next;
    raft_progress_state state;
    uint64_t pending_snapshot;
    uint32_t snapshot_ticks;
    bool probe_sent; /* PROBE: an append is unanswered; pause until a response/heartbeat */
    bool recent_active;
    uint8_t vote;
    uint64_t lease_acked_tick;
    uint64_t read_acked_seq;
    raft__inflights inflights;
} raft__progress;

void raft__progress_reset(raft__progress *p, uint64_t id, uint64_t next, uint32_t window);
void raft__progress_become_probe(raft__progress *p);
void raft__progress_become_replicate(raft__progress *p);
void raft__progress_become_snapshot(raft__progress *p, uint64_t snap_index);
bool raft__progress_maybe_update(raft__progress *p, uint64_t n);
bool raft__progress_maybe_decr_to(raft__progress *p, uint64_t rejected, uint64_t match_hint);
bool raft__progress_is_paused(const raft__progress *p);
void raft__progress_sent(raft__progress *p, uint64_t last_index, size_t n_entries);
void raft__inflights_add(raft__inflights *in, uint64_t last_index);
void raft__inflights_free_to(raft__inflights *in, uint64_t index);
void raft__inflights_free_first(raft__inflights *in);
bool raft__inflights_full(const raft__inflights *in);

/* Quorum arithmetic over a config. value(id) gives each voter's number (match index,
 * acked tick, ...); result: the largest value a quorum has reached (min over both halves
 * of a joint config; UINT64_MAX for an empty half). */
typedef uint64_t (*raft__value_fn)(const void *ctx, uint64_t id);
uint64_t raft__quorum_value(const raft_conf_state *cs, raft__value_fn fn, const void *ctx);
typedef enum { RAFT__VOTE_PENDING, RAFT__VOTE_WON, RAFT__VOTE_LOST } raft__vote_result;
raft__vote_result raft__quorum_votes(const raft_conf_state *cs, raft__value_fn fn,
                                     const void *ctx);

/* ---- the node ---- */

typedef struct raft__pending_read {
    uint64_t from; /* requester (self or a follower) */
    uint64_t index;
    uint64_t seq;  /* heartbeat round that confirms it; 0 = waits for a commit in term */
    uint8_t context[RAFT_CONTEXT_MAX];
    uint32_t context_len;
} raft__pending_read;

typedef struct raft__msgq {
    raft_msg *v;
    size_t n;
    size_t cap;
} raft__msgq;

struct raft {
    raft_config cfg;
    mice_prng own_prng;
    mice_prng *prng;
    uint64_t id;
    uint64_t term;
    uint64_t vote;
    uint64_t lead;
    raft_role role;
    raft__log log;
    raft_conf_state conf;
    raft__progress prs[RAFT_NODES_MAX];
    uint32_t n_prs;

    uint64_t tick;
    uint32_t election_elapsed;
    uint32_t heartbeat_elapsed;
    uint32_t randomized_timeout;
    bool restart_sticky; /* refuse votes for the first election timeout after a restart */

    uint64_t pending_conf_index;
    uint64_t lead_transferee;
    bool lease_void_in_term; /* TIMEOUT_NOW sent: no lease again in this term */
    size_t uncommitted_bytes;
    bool bcast_pending; /* proposals appended since the last flush of appends */
    bool heartbeat_pending; /* ReadIndex requests waiting for a confirming round */

    raft__pending_read *reads; /* ring of RAFT_READS_PENDING_MAX */
    size_t reads_start;
    size_t n_reads;
    uint64_t read_seq;
    raft_read_state *read_states;
    size_t n_read_states;
    size_t cap_read_states;

    raft__msgq msgs;
    raft__msgq msgs_after_persist;
    uint64_t dropped_msgs;

    raft_hard_state prev_hs;
    raft_soft_state prev_ss;
    bool ready_outstanding;
    uint64_t ready_seq;
    bool conf_changed_since_ready;
};

/* raft.c */
raft__progress *raft__progress_of(raft *r, uint64_t id);
void raft__send(raft *r, raft_msg *m); /* takes m's contents; fills from/term */
void raft__send_after_persist(raft *r, raft_msg *m);
void raft__become_follower(raft *r, uint64_t term, uint64_t lead);
bool raft__promotable(const raft *r);
uint32_t raft__effective_lease_ticks(const raft *r);
bool raft__is_voter(const raft *r, uint64_t id);
void raft__reset_progress(raft *r);

/* replicate.c */
void raft__become_leader(raft *r);
mice_status raft__step_leader(raft *r, const raft_msg *m);
void raft__bcast_append(raft *r);
void raft__bcast_heartbeat(raft *r);
bool raft__send_append(raft *r, raft__progress *p, bool send_if_empty);
bool raft__maybe_commit(raft *r);
mice_status raft__append_entries(raft *r, raft_entry *ents, size_t n);
void raft__abort_transfer(raft *r);
void raft__tick_progress(raft *r);
void raft__self_persisted(raft *r);
void raft__flush_appends(raft *r);

/* follower.c */
void raft__handle_append(raft *r, const raft_msg *m);
void raft__handle_heartbeat(raft *r, const raft_msg *m);
void raft__handle_snapshot(raft *r, const raft_msg *m);

/* read.c */
mice_status raft__leader_read_index(raft *r, uint64_t from, const uint8_t *ctx, uint32_t n);
void raft__reads_on_heartbeat_resp(raft *r);
void raft__reads_on_commit_in_term(raft *r);
void raft__reads_clear(raft *r);
void raft__add_read_state(raft *r, uint64_t index, const uint8_t *ctx, uint32_t n);
bool raft__committed_in_term(const raft *r);
uint64_t raft__lease_expiry(const raft *r); /* leader: lease valid while tick < this */

/* ready.c */
void raft__apply_conf_state(raft *r, const raft_conf_state *cs);
void raft__maybe_auto_leave(raft *r);

#endif
