/*
 * raft.h - Raft consensus as a pure, deterministic state machine (etcd raft's Ready/Advance).
 *
 * WHAT IT IS. One `raft` value is one replica of one Raft group. It has no sockets, no disk,
 * no clock and no threads: the driver (the simulator, later the server's range replica)
 * feeds it events and carries out the actions it asks for.
 *   events:  raft_tick()            one logical clock tick (the driver decides how long)
 *            raft_step(msg)         a message that arrived from a peer
 *            raft_propose(data)     a client command; raft_propose_conf_change(cc)
 *            raft_read_index(ctx)   a linearizable read; raft_transfer_leader(id); ...
 *   actions: raft_ready_get()       fills a raft_ready: what to persist, send and apply
 *            raft_advance()         tells the library that Ready was handled
 * (The function is raft_ready_get because raft_ready is the type's name.)
 * Randomness (election timeouts) comes from a mice_prng the driver injects or seeds, so one
 * simulation seed replays a run exactly.
 *
 * THE DRIVER LOOP. Every field of a Ready may be empty.
 *
 *   raft_step(r, &msg); raft_tick(r); raft_propose(r, data, &idx); ...
 *   if (raft_has_ready(r)) {
 *       raft_ready rd;
 *       raft_ready_get(r, &rd);
 *       send(rd.msgs)                        (1) may go out at once, even before persisting
 *       if (rd.has_snapshot) storage.apply_snapshot(rd.snapshot)      (2) persist, in order:
 *       storage.append(rd.entries); if (rd.hard_state_changed) storage.set_hard_state(..)
 *       fsync                                  (raft_memstorage_save_ready() does all of (2))
 *       send(rd.msgs_after_persist)          (3) only once (2) is durable
 *       apply rd.snapshot data, then rd.committed_entries, to the state machine;
 *       deliver rd.read_states (serve a read once applied index >= read_state.index);
 *       if (rd.conf_state_changed) remember rd.conf_state with the applied index
 *       raft_advance(r, &rd);                (4) frees everything in rd
 *   }
 * Snapshots and compaction are the application's call: at some applied index it records a
 * snapshot with the config as of that index (rd.conf_state) in its storage and may then
 * compact the log up to it (raft_memstorage_create_snapshot + raft_memstorage_compact). The
 * library notices through storage.first_index() and ships storage.snapshot() to followers
 * that need compacted entries; a follower receives it as Ready.snapshot.
 * Only one Ready is outstanding at a time: raft_has_ready() is false between raft_ready_get()
 * and raft_advance(). step/tick/propose may still be called in between; what they produce
 * goes into the next Ready. A driver that crashes (the simulator) drops an outstanding Ready
 * with raft_ready_discard() and destroys the raft; the replica restarts from its storage.
 *
 * OWNERSHIP. A raft_ready owns every message, entry and snapshot in it until raft_advance()
 * or raft_ready_discard(). To keep a message beyond that (a network queue), copy it with
 * raft_msg_copy() or take it with raft_msg_move(); free kept messages with raft_msg_deinit().
 * raft_step() only borrows its message. The library reads the log through `raft_storage`
 * (a vtable + ctx the driver owns, which must outlive the raft) and never writes to it: the
 * driver appends persisted entries itself. raft_memstorage is the in-memory implementation.
 *
 * THREADS. None inside. A raft value belongs to its caller's thread; all calls are
 * non-blocking and deterministic given the same inputs and PRNG state.
 *
 * ERRORS. Messages are never trusted: raft_step() returns a status for stale, malformed or
 * misdirected messages and never aborts on message contents (duplicates, reordering and
 * loss are normal). Assertions guard only the library's own invariants and the driver
 * contract (e.g. calling raft_advance() with a Ready that was not the outstanding one).
 *
 * PROTOCOL SUMMARY (what the tests in tests/raft/ check, one rule at a time):
 * - Figure 2 of the Raft paper: terms, one vote per term, log up-to-date check, append
 *   consistency check and truncation of conflicting suffixes, commit by majority only for
 *   entries of the leader's own term, step down on any higher term.
 * - Elections: randomized timeout in [election_ticks, 2 * election_ticks - 1]. pre_vote: a
 *   node first asks whether it could win (PREVOTE at term + 1) without bumping its term.
 *   check_quorum: a leader that has not heard from a quorum within election_ticks steps
 *   down, and followers that heard from a leader within election_ticks ignore (pre)votes
 *   ("leader stickiness"), except those caused by a leadership transfer (TIMEOUT_NOW).
 * - Replication: per-peer progress in PROBE (one append in flight until a reply),
 *   REPLICATE (pipelining: up to max_inflight_msgs appends in flight) or SNAPSHOT (waiting
 *   for a snapshot to be installed). Appends batch up to max_entries_per_msg entries and
 *   max_bytes_per_msg bytes; a leader sends appends when the driver collects the next Ready,
 *   so all proposals made between two Readys share one append per follower. A rejection
 *   carries a hint (index, term) that lets the leader skip a whole conflicting term at once.
 * - Durability: the leader counts its own log for commit only once persisted (advance);
 *   followers acknowledge appends and votes in msgs_after_persist; committed_entries only
 *   contain locally persisted entries.
 * - Snapshots: when a follower needs entries below storage's first index, the leader sends
 *   the storage's snapshot (SNAP); the follower installs it (Ready.snapshot) and replication
 *   resumes after it. A SNAPSHOT-state peer that does not acknowledge within election_ticks
 *   falls back to PROBE (lost snapshots are retried); raft_report_snapshot() is faster.
 * - Membership: joint consensus. A conf change that alters the voter set enters a joint
 *   configuration (old and new voters; every decision needs a quorum of each), which is
 *   left by a second, empty conf change: proposed by the leader itself when auto_leave is
 *   set, else by the application (leave_joint). Learner-only changes apply directly.
 *   Learners receive the log but never vote, campaign or count for commit. Promotion is
 *   ADD_VOTER on a learner. A change takes effect when it is applied (handed out in
 *   committed_entries); at most one is pending at a time. A leader that is no longer a voter
 *   after a change steps down. A conf change may carry opaque application bytes
 *   (raft_conf_change.context) in its entry, for the driver to apply alongside.
 * - Leadership transfer: the leader stops accepting proposals, brings the target up to
 *   date, then sends TIMEOUT_NOW; the target campaigns at once (no pre-vote, bypassing
 *   stickiness). The transfer is abandoned after election_ticks.
 * - ReadIndex: the leader records its commit index (only once it has committed an entry of
 *   its own term), confirms it is still leader with a heartbeat round acknowledged by a
 *   quorum, then returns a read_state; followers forward the request to the leader.
 * - Leases: heartbeats and appends carry the leader's tick; acknowledgements echo it. The
 *   leader holds a lease until (tick at which the newest quorum-acknowledged message was
 *   sent) + lease_ticks, where lease_ticks <= election_ticks - max_clock_drift_ticks.
 *   Safe because followers ignore votes for election_ticks of their own clock after hearing
 *   from the leader (requires check_quorum) and a follower's clock may run at most
 *   max_clock_drift_ticks faster over one election timeout. A transfer in progress voids
 *   the lease, and once TIMEOUT_NOW was sent there is no lease for the rest of that term
 *   (a delayed TIMEOUT_NOW bypasses stickiness). A replica restarting with term >= 2
 *   refuses votes for its first election_ticks, since it may have backed a lease before.
 * - Durability of terms: a candidate's VOTE requests go to msgs_after_persist (its new
 *   term and self-vote must be durable first); pre-votes change nothing and go at once.
 *
 * PROPOSALS WHEN LEADERSHIP CHANGES. raft_propose() on the leader appends and returns the
 * entry's index. On a follower that knows a leader, the proposal is FORWARDED as MSG_PROP to
 * the leader (returns MICE_OK with index 0; the driver learns the outcome when the entry
 * appears in committed_entries) unless config.disable_proposal_forwarding is set, in which
 * case, and whenever no leader is known (candidates, followers without leader), the result
 * is MICE_NOT_LEADER. A MSG_PROP that reaches a node which is not leader is dropped
 * (MICE_NOT_LEADER from raft_step), never forwarded twice. During a leadership transfer the
 * leader refuses proposals with MICE_BUSY. Entries a deposed leader appended but did not
 * commit may be overwritten by the next leader: clients retry.
 *
 * Invariants (asserted): commit <= last index; applied <= commit; a committed entry is never
 * truncated; at most one Ready outstanding; bounded queues
 * (RAFT_* limits below) - when an outbox overflows, messages are dropped, which Raft
 * tolerates, and counted in raft_status.dropped_msgs.
 */
#ifndef MICE_RAFT_RAFT_H
#define MICE_RAFT_RAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/prng.h"
#include "base/status.h"

/* Named limits. */
enum {
    RAFT_NODES_MAX = 16,            /* distinct nodes in voters + outgoing voters + learners */
    RAFT_CONF_CHANGES_MAX = 8,      /* node changes in one conf change */
    RAFT_CC_CONTEXT_MAX = 4096,     /* bytes of a conf change's application context */
    RAFT_CONTEXT_MAX = 32,          /* bytes of a ReadIndex request context */
    RAFT_INFLIGHT_MAX = 256,        /* upper bound for config.max_inflight_msgs */
    RAFT_MSG_ENTRIES_MAX = 1024,    /* upper bound for config.max_entries_per_msg */
    RAFT_OUTBOX_MAX = 8192,         /* messages queued for one Ready; more are dropped */
    RAFT_READS_PENDING_MAX = 1024,  /* ReadIndex requests waiting at a leader */
    RAFT_READ_STATES_MAX = 4096,    /* read states waiting for the next Ready */
    RAFT_PROPOSALS_PER_READY_MAX = 65536, /* unpersisted entries before proposals fail */
};
_Static_assert(RAFT_INFLIGHT_MAX <= RAFT_OUTBOX_MAX, "one window of appends fits the outbox");
_Static_assert(RAFT_NODES_MAX * RAFT_INFLIGHT_MAX <= RAFT_OUTBOX_MAX,
               "a full pipelining round to every peer fits the outbox");

enum { RAFT_NONE = 0 }; /* node id 0 means "nobody" (no vote, no leader) */

/* ---- Canaries: deliberately injectable bugs (config.canaries), for the simulator to
 * prove that its checks can fail. Each is one clearly marked conditional in src/raft/. */
#define RAFT_CANARY_MAP(X)                                                                    \
    X(RAFT_CANARY_VOTE_WITHOUT_LOG_CHECK, 1u << 0, "vote_without_log_check",                  \
      "grant votes without the log up-to-date check")                                        \
    X(RAFT_CANARY_COMMIT_OLD_TERM_BY_COUNT, 1u << 1, "commit_old_term_by_count",              \
      "leader commits an entry of an older term by counting replicas")                       \
    X(RAFT_CANARY_LEASE_WITHOUT_DRIFT, 1u << 2, "lease_without_drift",                        \
      "lease lasts the full election timeout, no clock-drift margin")                        \
    X(RAFT_CANARY_APPLY_BEFORE_PERSIST, 1u << 3, "apply_before_persist",                      \
      "entries count as persisted once appended in memory (acks, commit, apply)")            \
    X(RAFT_CANARY_READ_INDEX_NO_QUORUM, 1u << 4, "read_index_no_quorum",                      \
      "ReadIndex answered by the leader without a confirming heartbeat quorum")

enum {
#define X(name, bit, short_name, text) name = bit,
    RAFT_CANARY_MAP(X)
#undef X
};
/* Short name ("vote_without_log_check") of one flag; NULL if flag is not exactly one canary. */
const char *raft_canary_name(uint32_t flag);
/* One-line description of one flag; NULL if unknown. */
const char *raft_canary_text(uint32_t flag);
/* All canaries: count, and the flag at position i (0 when i >= count). */
size_t raft_canary_count(void);
uint32_t raft_canary_at(size_t i);
/* Parse a short name or the full macro name; false if unknown. */
bool raft_canary_parse(const char *name, uint32_t *flag_out);

/* ---- Log entries, hard state, configuration ---- */

typedef enum raft_entry_type {
    RAFT_ENTRY_NORMAL = 0,      /* application command (data may be empty: leader no-op) */
    RAFT_ENTRY_CONF_CHANGE = 1, /* data is an encoded raft_conf_change */
} raft_entry_type;

/* An entry owns its data (malloc'd; NULL when len == 0), freed by raft_entry_deinit(). */
typedef struct raft_entry {
    uint64_t term;
    uint64_t index;
    raft_entry_type type;
    uint8_t *data;
    size_t len;
} raft_entry;

void raft_entry_copy(raft_entry *dst, const raft_entry *src); /* deep copy into dst */
void raft_entry_deinit(raft_entry *e);
/* Free an array of n entries (each deinit'ed) allocated with mice_malloc; NULL is fine. */
void raft_entries_free(raft_entry *v, size_t n);
/* Bytes an entry counts for batching and limits (data + a fixed overhead). */
size_t raft_entry_size(const raft_entry *e);

/* What must be durable before votes or acknowledgements leave the node. */
typedef struct raft_hard_state {
    uint64_t term;
    uint64_t vote;   /* RAFT_NONE if none this term */
    uint64_t commit;
} raft_hard_state;

/* A configuration. Joint while n_voters_outgoing > 0: decisions then need a quorum of
 * `voters` AND a quorum of `voters_outgoing`. A node may be in voters_outgoing and learners
 * at once (a voter being demoted). Ids are non-zero and unique within each array. */
typedef struct raft_conf_state {
    uint64_t voters[RAFT_NODES_MAX];
    uint32_t n_voters;
    uint64_t voters_outgoing[RAFT_NODES_MAX];
    uint32_t n_voters_outgoing;
    uint64_t learners[RAFT_NODES_MAX];
    uint32_t n_learners;
    bool auto_leave; /* joint config the leader leaves by itself once applied */
} raft_conf_state;

bool raft_conf_state_is_joint(const raft_conf_state *cs);
bool raft_conf_state_has_voter(const raft_conf_state *cs, uint64_t id); /* in or outgoing */
bool raft_conf_state_has_learner(const raft_conf_state *cs, uint64_t id);
bool raft_conf_state_equal(const raft_conf_state *a, const raft_conf_state *b);

typedef enum raft_cc_op {
    RAFT_CC_ADD_VOTER = 1,   /* add, or promote a learner */
    RAFT_CC_ADD_LEARNER = 2, /* add as learner, or demote a voter */
    RAFT_CC_REMOVE_NODE = 3,
} raft_cc_op;

typedef struct raft_cc_item {
    raft_cc_op op;
    uint64_t node_id;
} raft_cc_item;

/* A membership change. Either leave_joint (and no items), or n_changes items applied to
 * the current (non-joint) config; if the voter set changes, the result is a joint config
 * (auto_leave: the leader proposes the leave by itself once the joint config is applied). */
typedef struct raft_conf_change {
    bool leave_joint;
    bool auto_leave;
    uint32_t n_changes;
    raft_cc_item changes[RAFT_CONF_CHANGES_MAX];
    /* Opaque bytes for the application, carried in the entry and ignored by the library
     * (etcd's ConfChange.Context; the store puts the new replicas' node ids there). Borrowed:
     * encode copies them; after decode they point into the decoded bytes. At most
     * RAFT_CC_CONTEXT_MAX bytes (longer: encode asserts, decode is MICE_CORRUPT). */
    const uint8_t *context;
    uint32_t context_len;
} raft_conf_change;

/* Entry data for a conf change, and back. decode: MICE_CORRUPT on malformed bytes. */
void raft_conf_change_encode(const raft_conf_change *cc, mice_buf *out);
mice_status raft_conf_change_decode(const uint8_t *p, size_t n, raft_conf_change *cc);
/* The config that results from applying cc to cs (pure; what every replica does when the
 * entry is applied). MICE_INVALID: leaving when not joint, entering joint while joint, an
 * empty voter set, id 0, or a change list that names a node twice; MICE_LIMIT: more than
 * RAFT_NODES_MAX nodes. */
mice_status raft_conf_change_apply(const raft_conf_state *cs, const raft_conf_change *cc,
                                   raft_conf_state *out);

/* ---- Snapshots ---- */

typedef struct raft_snapshot_meta {
    uint64_t index; /* last entry the snapshot covers */
    uint64_t term;  /* that entry's term */
    raft_conf_state conf;
} raft_snapshot_meta;

/* The application state at meta.index; owns data (malloc'd, NULL when len == 0). */
typedef struct raft_snapshot {
    raft_snapshot_meta meta;
    uint8_t *data;
    size_t len;
} raft_snapshot;

void raft_snapshot_copy(raft_snapshot *dst, const raft_snapshot *src);
void raft_snapshot_deinit(raft_snapshot *s);

/* ---- Storage: the driver's durable log, read-only for the library ----
 * Index 0 / term 0 is the implicit empty prefix. Entries [first_index, last_index] are
 * available; first_index - 1 is the last index covered by the snapshot (its term is still
 * answered by term()). */
typedef struct raft_storage_ops {
    /* Hard state and configuration to start from. */
    mice_status (*initial_state)(void *ctx, raft_hard_state *hs, raft_conf_state *cs);
    /* Entries [lo, hi), deep-copied into a mice_malloc'd array the caller frees with
     * raft_entries_free(). Stops before the entry that would exceed max_bytes, but always
     * returns at least one. MICE_NOTFOUND if lo < first_index (compacted), MICE_RANGE if
     * hi > last_index + 1. */
    mice_status (*entries)(void *ctx, uint64_t lo, uint64_t hi, size_t max_bytes,
                           raft_entry **out, size_t *n_out);
    /* Term of entry i, for first_index - 1 <= i <= last_index. MICE_NOTFOUND below
     * (compacted), MICE_RANGE above. */
    mice_status (*term)(void *ctx, uint64_t i, uint64_t *term_out);
    uint64_t (*first_index)(void *ctx);
    uint64_t (*last_index)(void *ctx);
    /* The newest snapshot, deep-copied into *out (raft_snapshot_deinit frees it).
     * MICE_AGAIN if one is being made (the leader retries later). */
    mice_status (*snapshot)(void *ctx, raft_snapshot *out);
} raft_storage_ops;

typedef struct raft_storage {
    const raft_storage_ops *ops;
    void *ctx;
} raft_storage;

/* ---- Messages ---- */

#define RAFT_MSG_TYPE_MAP(X)                                                                  \
    X(RAFT_MSG_HUP)             /* local: campaign now (tests, or a driver's own timer) */    \
    X(RAFT_MSG_BEAT)            /* local: leader broadcasts a heartbeat now */                \
    X(RAFT_MSG_PROP)            /* proposal: local, or forwarded by a follower */             \
    X(RAFT_MSG_APP)             /* append entries: log_term/index = previous entry */        \
    X(RAFT_MSG_APP_RESP)        /* index = last matching index, or rejected index + hint */   \
    X(RAFT_MSG_VOTE)            /* request vote: log_term/index = candidate's last entry */   \
    X(RAFT_MSG_VOTE_RESP)                                                                     \
    X(RAFT_MSG_PREVOTE)         /* term = candidate's term + 1; never changes terms */        \
    X(RAFT_MSG_PREVOTE_RESP)                                                                  \
    X(RAFT_MSG_HEARTBEAT)       /* commit = min(follower's match, leader commit) */           \
    X(RAFT_MSG_HEARTBEAT_RESP)                                                                \
    X(RAFT_MSG_SNAP)            /* install snapshot */                                        \
    X(RAFT_MSG_SNAP_STATUS)     /* local: driver reports a snapshot send (reject = failed) */ \
    X(RAFT_MSG_UNREACHABLE)     /* local: driver reports a peer unreachable */                \
    X(RAFT_MSG_TIMEOUT_NOW)     /* leadership transfer: campaign at once */                   \
    X(RAFT_MSG_READ_INDEX)      /* context = request id; local, or forwarded to the leader */ \
    X(RAFT_MSG_READ_INDEX_RESP) /* index = read index for context */                          \
    X(RAFT_MSG_TRANSFER_LEADER) /* local or forwarded: from = transfer target */

typedef enum raft_msg_type {
#define X(name) name,
    RAFT_MSG_TYPE_MAP(X)
#undef X
        RAFT_MSG_TYPE_COUNT
} raft_msg_type;

/* A message owns its entries (and their data) and its snapshot data. Fields unused by a
 * type are zero. Initialize with raft_msg_init() or `= {0}`; free with raft_msg_deinit(). */
typedef struct raft_msg {
    raft_msg_type type;
    uint64_t from;
    uint64_t to;
    uint64_t term;       /* sender's term (0 for local messages) */
    uint64_t log_term;   /* APP: term of entry `index`; VOTE: last log term; reject: hint term */
    uint64_t index;      /* APP: previous index; APP_RESP: match / rejected index */
    raft_entry *entries; /* APP, PROP */
    size_t n_entries;
    uint64_t commit;     /* APP, HEARTBEAT: leader's commit (capped) */
    bool reject;         /* *_RESP, SNAP_STATUS */
    uint64_t reject_hint; /* APP_RESP reject: follower's hint index (fast back-off) */
    bool transfer;       /* VOTE from a leadership transfer: bypasses leader stickiness */
    uint64_t lease_tick; /* APP, HEARTBEAT: leader's tick when sent; echoed in responses */
    uint64_t read_seq;   /* HEARTBEAT: ReadIndex confirmation round; echoed in the resp */
    raft_snapshot snapshot; /* SNAP */
    uint8_t context[RAFT_CONTEXT_MAX]; /* READ_INDEX, READ_INDEX_RESP */
    uint32_t context_len;
} raft_msg;

void raft_msg_init(raft_msg *m);
void raft_msg_copy(raft_msg *dst, const raft_msg *src); /* deep copy; dst is overwritten */
void raft_msg_move(raft_msg *dst, raft_msg *src);       /* dst takes it; src becomes empty */
void raft_msg_deinit(raft_msg *m);
const char *raft_msg_type_name(raft_msg_type t); /* "APP"...; "?" if out of range */
/* Append a one-line description ("3->1 APP t5 prev=(4,12) ents=[13..15] commit=12"). */
void raft_describe_msg(const raft_msg *m, mice_buf *out);
void raft_describe_entry(const raft_entry *e, mice_buf *out);
/* True for message types that never cross the network (HUP, BEAT, SNAP_STATUS, ...). */
bool raft_msg_is_local(raft_msg_type t);

/* ---- Config ---- */

typedef struct raft_config {
    uint64_t id;             /* this node, non-zero */
    uint32_t election_ticks; /* must be > heartbeat_ticks; timeouts randomized in [e, 2e-1] */
    uint32_t heartbeat_ticks;
    uint32_t max_inflight_msgs;   /* pipelining window per follower, 1..RAFT_INFLIGHT_MAX;
                                     0 = default 64 */
    uint32_t max_entries_per_msg; /* batching: 1 turns batching off; 0 = default 64;
                                     at most RAFT_MSG_ENTRIES_MAX */
    size_t max_bytes_per_msg;     /* batching by bytes (one entry always fits); 0 = 1 MiB */
    size_t max_committed_bytes_per_ready; /* apply batch; 0 = 64 MiB (>= 1 entry always) */
    size_t max_uncommitted_bytes; /* leader refuses proposals beyond it (MICE_LIMIT); 0 = inf */
    bool pre_vote;
    bool check_quorum;
    bool disable_proposal_forwarding;
    /* Leader lease, in ticks. 0 = election_ticks - max_clock_drift_ticks. Must satisfy
     * lease_ticks + max_clock_drift_ticks <= election_ticks (raft_create: MICE_INVALID).
     * max_clock_drift_ticks >= 1 bounds by how many ticks a follower's clock may get ahead
     * of the leader's over one election timeout, including up to one tick of phase
     * difference between their tick boundaries (so 0 is MICE_INVALID).
     * Leases need check_quorum; without it raft_lease_read_ok() is always false. */
    uint32_t lease_ticks;
    uint32_t max_clock_drift_ticks;
    /* Randomness: prng is borrowed and used if non-NULL, else an internal generator is
     * seeded with seed mixed with id (the same seed gives the same run, and nodes sharing
     * a seed still draw different timeouts). */
    mice_prng *prng;
    uint64_t seed;
    raft_storage storage; /* borrowed; must outlive the raft */
    uint64_t applied;     /* last index the state machine applied before a restart;
                             0 = storage's snapshot index */
    uint32_t canaries;    /* RAFT_CANARY_* bits; 0 in production */
} raft_config;

/* Fill defaults (election 10, heartbeat 1, pre_vote and check_quorum on, drift 2). */
void raft_config_default(raft_config *c, uint64_t id, raft_storage storage);

/* ---- Ready ---- */

typedef enum raft_role {
    RAFT_FOLLOWER,
    RAFT_PRE_CANDIDATE,
    RAFT_CANDIDATE,
    RAFT_LEADER,
} raft_role;
const char *raft_role_name(raft_role role);

typedef struct raft_soft_state {
    uint64_t lead; /* RAFT_NONE if unknown */
    raft_role role;
} raft_soft_state;

/* Result of a ReadIndex request: serve the read once applied index >= index. */
typedef struct raft_read_state {
    uint64_t index;
    uint8_t context[RAFT_CONTEXT_MAX];
    uint32_t context_len;
} raft_read_state;

/* Owned by the library until raft_advance() / raft_ready_discard(). */
typedef struct raft_ready {
    bool soft_state_changed;
    raft_soft_state soft_state;     /* always filled */
    bool hard_state_changed;
    raft_hard_state hard_state;     /* always filled; persist when changed */
    bool has_snapshot;
    raft_snapshot snapshot;         /* install before entries */
    raft_entry *entries;            /* append to storage (truncating any conflicting tail) */
    size_t n_entries;
    raft_entry *committed_entries;  /* apply in order; all persisted locally */
    size_t n_committed_entries;
    raft_msg *msgs;                 /* may be sent at once */
    size_t n_msgs;
    raft_msg *msgs_after_persist;   /* send only after this Ready's writes are durable */
    size_t n_msgs_after_persist;
    raft_read_state *read_states;
    size_t n_read_states;
    bool conf_state_changed;        /* a conf change in committed_entries took effect */
    raft_conf_state conf_state;     /* config after committed_entries; always filled */
    bool must_sync;                 /* entries or term/vote changed: fsync before (3) */
    uint64_t seq_;                  /* internal: identifies the outstanding Ready */
} raft_ready;

/* ---- The raft node ---- */

typedef struct raft raft;

/* MICE_INVALID for a bad config (id 0, election_ticks <= heartbeat_ticks, lease too long,
 * limits out of range); storage errors are passed through. */
mice_status raft_create(const raft_config *c, raft **out);
void raft_destroy(raft *r);

void raft_tick(raft *r);
/* Process one message from the network (or a local message type). Returns MICE_OK when
 * the message was processed (even if it was rejected by protocol), MICE_INVALID for a
 * malformed or misdirected message, MICE_NOT_LEADER for a proposal / leader-only request
 * that cannot be served here. The library state stays consistent in every case. */
mice_status raft_step(raft *r, const raft_msg *m);

/* Campaign now (skips pre-vote). MICE_INVALID on a learner / non-member, else MICE_OK. */
mice_status raft_campaign(raft *r);
/* Propose a command. Leader: appended, *index_out = its index (NULL allowed). Follower
 * with a leader: forwarded, *index_out = 0. MICE_NOT_LEADER, MICE_BUSY (transfer in
 * progress), MICE_LIMIT (uncommitted bytes or unpersisted entries over the limit). */
mice_status raft_propose(raft *r, mice_slice data, uint64_t *index_out);
/* Leader only (MICE_NOT_LEADER otherwise; never forwarded). MICE_BUSY while another conf
 * change is not yet applied; MICE_INVALID / MICE_LIMIT as raft_conf_change_apply. */
mice_status raft_propose_conf_change(raft *r, const raft_conf_change *cc, uint64_t *index_out);
/* Leader: start transferring to target (MICE_INVALID if target is not a voter or is self).
 * Follower with a leader: forwarded. MICE_NOT_LEADER otherwise. */
mice_status raft_transfer_leader(raft *r, uint64_t target);
/* Linearizable read: the answer arrives as a read_state with this context in a later Ready.
 * MICE_INVALID if ctx is longer than RAFT_CONTEXT_MAX, MICE_NOT_LEADER with no leader
 * known, MICE_LIMIT if too many reads are pending. Requests can be lost; retry on timeout. */
mice_status raft_read_index(raft *r, mice_slice ctx);
/* True only if this node is leader, holds a lease valid at its current tick, has committed
 * an entry of its term and is not transferring leadership: a read of the state machine at
 * applied index >= *read_index_out (NULL allowed) is then linearizable with no round trip. */
bool raft_lease_read_ok(const raft *r, uint64_t *read_index_out);

/* Driver reports: a snapshot sent to id finished (failed = true: retry by probing), or id is
 * unreachable (a pipelining follower goes back to probing). */
void raft_report_snapshot(raft *r, uint64_t id, bool failed);
void raft_report_unreachable(raft *r, uint64_t id);

bool raft_has_ready(const raft *r);
/* Collect the Ready (asserts none is outstanding). */
void raft_ready_get(raft *r, raft_ready *rd);
/* Acknowledge the outstanding Ready: its entries, hard state and snapshot are durable and
 * its committed entries applied. Frees everything in rd. */
void raft_advance(raft *r, raft_ready *rd);
/* Free a Ready without advancing (crash simulation; the raft must then be destroyed). */
void raft_ready_discard(raft_ready *rd);

/* ---- Introspection (tests, metrics, simulator checks) ---- */

typedef enum raft_progress_state {
    RAFT_PROGRESS_PROBE,
    RAFT_PROGRESS_REPLICATE,
    RAFT_PROGRESS_SNAPSHOT,
} raft_progress_state;
const char *raft_progress_state_name(raft_progress_state s);

typedef struct raft_peer_status {
    uint64_t id;
    uint64_t match;
    uint64_t next;
    raft_progress_state state;
    bool is_learner;
    bool recent_active;
    uint32_t inflight;         /* appends in flight */
    uint64_t pending_snapshot; /* SNAPSHOT state: index of the snapshot sent */
} raft_peer_status;

typedef struct raft_status {
    uint64_t id;
    raft_role role;
    uint64_t term;
    uint64_t vote;
    uint64_t lead;
    uint64_t commit;
    uint64_t applied;
    uint64_t first_index; /* first entry still in the log (storage or memory) */
    uint64_t last_index;
    uint64_t last_term;
    uint64_t lead_transferee; /* RAFT_NONE unless transferring */
    uint64_t tick;            /* ticks since raft_create */
    uint64_t lease_expiry_tick; /* leader: lease valid while tick < this; 0 otherwise */
    uint64_t dropped_msgs;
    raft_conf_state conf;
    uint32_t n_peers;         /* leader only: progress of every member incl. itself */
    raft_peer_status peers[RAFT_NODES_MAX];
} raft_status;

void raft_get_status(const raft *r, raft_status *st);
/* Cheap accessors. */
raft_role raft_role_of(const raft *r);
uint64_t raft_term(const raft *r);
uint64_t raft_leader(const raft *r);
uint64_t raft_id(const raft *r);
uint64_t raft_commit_index(const raft *r);
uint64_t raft_applied_index(const raft *r);

/* ---- In-memory storage (tests and the simulator) ----
 * Models what the driver made durable. Not thread-safe; owned by the driver.
 * Its initial conf state is the snapshot's (bootstrap or create_snapshot), so a replica
 * restarts with config.applied = 0: from the snapshot, re-applying the committed entries
 * (and conf changes) after it. A driver that restarts from a later applied index must
 * store the matching conf state with raft_memstorage_set_conf_state(). */
typedef struct raft_memstorage raft_memstorage;

raft_memstorage *raft_memstorage_create(void);
void raft_memstorage_destroy(raft_memstorage *ms);
raft_storage raft_memstorage_storage(raft_memstorage *ms);
/* A new cluster: snapshot at (index 1, term 1) holding cs, hard state {1, none, 1}. Every
 * member is bootstrapped with the same cs; nodes added later start empty and receive a
 * snapshot. No leader exists at term 1, so a fresh cluster can elect at once (restarts at
 * term >= 2 first sit out one election timeout, see Leases). MICE_INVALID if not empty. */
mice_status raft_memstorage_bootstrap(raft_memstorage *ms, const raft_conf_state *cs);
/* Append entries (contiguous); entries from ents[0].index on are replaced. MICE_INVALID if
 * that would leave a gap, MICE_NOTFOUND if ents[0].index is compacted away. */
mice_status raft_memstorage_append(raft_memstorage *ms, const raft_entry *ents, size_t n);
void raft_memstorage_set_hard_state(raft_memstorage *ms, const raft_hard_state *hs);
void raft_memstorage_set_conf_state(raft_memstorage *ms, const raft_conf_state *cs);
/* Replace everything with a received snapshot. MICE_CONFLICT if older than the current. */
mice_status raft_memstorage_apply_snapshot(raft_memstorage *ms, const raft_snapshot *s);
/* Record an application snapshot at index (<= last index, > current snapshot index) with the
 * config at that index (raft_ready.conf_state as of that applied index). Does not compact. */
mice_status raft_memstorage_create_snapshot(raft_memstorage *ms, uint64_t index,
                                            const raft_conf_state *cs, mice_slice data);
/* Drop entries up to and including index (first_index becomes index + 1; term(index) stays
 * known). Only what a snapshot covers may go: MICE_INVALID if index > snapshot index. */
mice_status raft_memstorage_compact(raft_memstorage *ms, uint64_t index);
/* Persist a Ready: snapshot, entries, hard state (steps (2) of the driver loop). */
mice_status raft_memstorage_save_ready(raft_memstorage *ms, const raft_ready *rd);
/* What is stored, for checks. */
void raft_memstorage_hard_state(const raft_memstorage *ms, raft_hard_state *hs);
uint64_t raft_memstorage_first_index(const raft_memstorage *ms);
uint64_t raft_memstorage_last_index(const raft_memstorage *ms);
/* Borrowed: valid until the storage next changes. NULL if index is not stored. */
const raft_entry *raft_memstorage_entry(const raft_memstorage *ms, uint64_t index);
/* Borrowed snapshot (meta.index 0 if none). */
const raft_snapshot *raft_memstorage_snapshot(const raft_memstorage *ms);

#endif
