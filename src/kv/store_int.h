/*
 * store_int.h - shared between store.c (lifecycle, routing, the worker side of the
 * proposer), store_loop.c (the raft thread: turns, ticks, Readys, apply) and store_snap.c
 * (snapshots). Not part of the kv layer's interface.
 */
#ifndef MICE_KV_STORE_INT_H
#define MICE_KV_STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "base/future.h"
#include "base/ioloop.h"
#include "base/mpsc.h"
#include "kv/raftlog.h"
#include "kv/store.h"

/* The first byte of every log entry the store proposes. Formats on disk. */
enum {
    STORE_ENTRY_WRITE = 1, /* engine_batch_data of a request's effects */
    STORE_ENTRY_SPLIT = 2, /* varint new range id, varint generation, bytes split key */
    STORE_TICK_RING = 256, /* mono times of recent ticks, for lease expiry in time */
    STORE_DEPARTED_MAX = 4, /* removed replicas a range still routes messages to */
};

/* Work for the raft thread, pushed by workers. */
typedef enum store_cmd_kind {
    STORE_CMD_PROPOSE,    /* data = payload; term = the lease it was evaluated under */
    STORE_CMD_READ_INDEX, /* confirm leadership; completes with the term (uint64_t *) */
    STORE_CMD_CONF_CHANGE, /* cc, its context in data; generation = the descriptor's it
                            * was decided on; completes when applied, like PROPOSE */
} store_cmd_kind;

/* The context of a replica change entry (a Raft conf change entry's application bytes):
 * u8 version, varint count, then per added replica varint replica id + varint node id. */
enum { STORE_CC_CONTEXT_V1 = 1 };

typedef struct store_cmd {
    mpsc_node node;
    store_cmd_kind kind;
    uint64_t range_id;
    uint64_t term;
    mice_buf data;
    mice_future *fut; /* the completer's reference */
    /* Once accepted by Raft: the entry's index (proposals) or read id (reads). */
    uint64_t index;
    uint64_t read_index;    /* READ_INDEX: answered index (0 until the read state arrives) */
    uint64_t deadline_tick; /* READ_INDEX: fail when no answer by then */
    uint64_t pushed_ns;     /* when the worker handed it over */
    raft_conf_change cc;    /* CONF_CHANGE */
    uint64_t generation;    /* CONF_CHANGE */
    struct store_cmd *next;
} store_cmd;

/* What workers need to know, published by the raft thread under lease_mu. */
typedef struct store_lease_view {
    bool leader;
    uint64_t term;               /* the leader's term; 0 unless leader */
    uint64_t leader_node;        /* 0 = unknown */
    uint64_t expiry_ns;          /* lease: serve locally while mono < this */
    bool caught_up;              /* applied >= the commit index when the lease was checked */
    uint64_t oldest_proposal_ns; /* push time of the oldest proposal not yet resolved; 0 none */
    bool stopped;
} store_lease_view;

typedef struct store_range {
    store *s;
    uint64_t range_id;
    uint64_t replica_id;
    range_desc desc; /* written by the raft thread under s->ranges_mu (write) */
    kv_replica *kv;
    /* raft thread only */
    raft *r;
    raftlog *log;
    raft_ready rd;
    bool in_ready;
    uint64_t tick_base;   /* global tick count when the group was created */
    uint64_t created_ns;  /* mono time of raft tick 1 */
    uint64_t served_term; /* term whose lease the kv replica was prepared for */
    store_cmd *proposals; /* accepted, waiting to apply (ascending index) */
    store_cmd *proposals_tail;
    store_cmd *reads; /* ReadIndex requests in flight */
    uint64_t next_read_id;
    raft_snapshot snap_cache; /* last built snapshot (meta.index 0: none) */
    uint64_t snap_cache_tick; /* global tick when built */
    mice_buf snap_files[2];   /* files of a snapshot being installed, deleted after commit */
    range_desc pending_desc;  /* the descriptor this turn's batch makes true ... */
    bool desc_changed;        /* ... when set (split, snapshot) */
    range_desc *splits;       /* right-hand ranges this turn's batch creates */
    size_t n_splits;
    bool reinit_pending; /* uninitialised; a split in this turn's batch initialises it */
    raft_conf_state staged_conf; /* the config after the entries staged so far this turn */
    /* Replicas removed from the descriptor, remembered so messages still reach them while
     * a joint config needs them (newest last; the oldest forgotten). Raft thread. */
    range_replica departed[STORE_DEPARTED_MAX];
    uint32_t n_departed;
    uint64_t leader_heard_tick; /* global tick of the last message from a leader */
    bool remove_pending; /* this turn's batch removes the replica (its data, its state) */
    bool removed;        /* removed: no group, no span; tombstone = lowest id it may get again */
    uint64_t tombstone;
    atomic_bool changing; /* a store_change_replicas runs on this range (workers) */
    /* published for workers */
    pthread_mutex_t lease_mu;
    store_lease_view lease;
} store_range;

struct store {
    store_config cfg;
    engine *e;
    char *snap_dir;
    ioloop *loop;
    ioloop_timer *ticker;
    mpsc_queue cmdq; /* store_cmd from workers */
    mpsc_queue msgq; /* kv_raft_batch from the transport */
    atomic_bool turn_posted;
    atomic_bool stopped;
    atomic_int pushers; /* workers between checking stopped and pushing a command */
    bool attached;
    bool failed; /* raft thread: a write failed; the store no longer makes progress */
    /* the range table */
    pthread_rwlock_t ranges_mu;
    store_range **ranges; /* ascending range id */
    size_t n_ranges, cap_ranges;
    /* raft thread */
    uint64_t ticks;
    uint64_t tick_ns[STORE_TICK_RING];
    _Atomic uint64_t stat[13];
    mice_prng prng;
};

/* Indices into store.stat, in store_stats order. */
enum {
    ST_TURNS,
    ST_BATCHES_SYNCED,
    ST_BATCHES_UNSYNCED,
    ST_PROPOSALS,
    ST_ENTRIES_APPLIED,
    ST_LEASE_READS,
    ST_READ_INDEX_READS,
    ST_SNAPSHOTS_SENT,
    ST_SNAPSHOTS_INSTALLED,
    ST_LOG_TRUNCATIONS,
    ST_MSGS_UNKNOWN_RANGE,
    ST_REPLICA_CHANGES,
    ST_REPLICAS_REMOVED,
    ST_COUNT
};
_Static_assert(ST_COUNT == sizeof(((store *)0)->stat) / sizeof(uint64_t), "one slot per stat");
_Static_assert(ST_COUNT * sizeof(uint64_t) == sizeof(store_stats), "stats mirror the slots");

static inline void store__count(store *s, int which, uint64_t n)
{
    atomic_fetch_add_explicit(&s->stat[which], n, memory_order_relaxed);
}

/* --- store.c ------------------------------------------------------------------------- */

/* Find a range by id (any thread holding ranges_mu, or the raft thread). */
store_range *store__find(store *s, uint64_t range_id);
/* (Re)create r's Raft group from its raftlog. */
mice_status store__raft_create(store_range *r, mice_err *err);
/* Create a range from its stored state (raftlog, descriptor) and add it to the table.
 * Raft thread once running; the opening thread before. */
mice_status store__add_range(store *s, const range_desc *desc, mice_err *err);
/* A replica of a range this node does not know yet, made for a message from its leader:
 * an empty log and no span until a snapshot arrives. Raft thread. */
mice_status store__add_uninitialized(store *s, uint64_t range_id, uint64_t replica_id,
                                     mice_err *err);
/* Bring a removed replica back as an uninitialised one with replica_id (the node was
 * added to the range again). Raft thread. */
mice_status store__revive(store_range *r, uint64_t replica_id, mice_err *err);
/* Stage the removal of this node's replica of d into b: its data spans, Raft state and
 * descriptor deleted, a tombstone written. Returns the tombstone (lowest replica id this
 * node may hold again). */
uint64_t store__stage_removal(engine_batch *b, const range_desc *d);
/* The lowest replica id of range_id this node may hold (its tombstone; 0 = none). */
mice_status store__tombstone(store *s, uint64_t range_id, uint64_t *out, mice_err *err);
/* Initialise an uninitialised replica from a split applied here (its Raft state was
 * written by the split's batch). Raft thread. */
mice_status store__reinit_range(store_range *r, const range_desc *desc, mice_err *err);
/* The node of replica_id of r: in the descriptor, or recently removed from it; 0 if
 * unknown. Raft thread. */
uint64_t store__peer_node(const store_range *r, uint64_t replica_id);
/* Wake the raft thread for a turn. Any thread. */
void store__schedule_turn(store *s);
void store__cmd_free(store_cmd *c);

/* --- store_loop.c (raft thread) -------------------------------------------------------- */

void store__turn(void *ctx);
void store__tick(ioloop_timer *t, void *ctx);
/* Complete every waiting proposal and read of r with MICE_CLOSED (after stop). */
void store__fail_waiters(store_range *r, mice_status why, const char *msg);
void store__publish_lease(store_range *r);

/* --- store_snap.c ---------------------------------------------------------------------- */

/* The raftlog's snapshot hook: the range's data at the applied index. Raft thread. */
mice_status store__snapshot_build(void *ctx, raft_snapshot *out);
/* Install a received snapshot: files written, marker synced, spans cleared, SSTs
 * ingested now; the raft state, descriptor and marker removal staged into b. */
mice_status store__snapshot_install(store_range *r, const raft_snapshot *snap, engine_batch *b,
                                    range_desc *new_desc, mice_err *err);
/* After the batch of an install committed: delete its files. */
void store__snapshot_cleanup(store_range *r);
/* Finish installs interrupted by a crash (store_open, before ranges load). */
mice_status store__snapshot_redo(store *s, mice_err *err);
/* The [lower, upper) spans in each column family holding a range's replicated data. */
typedef struct store_span {
    engine_cf cf;
    mice_buf lower, upper; /* empty upper = unbounded */
} store_span;
enum { STORE_SPANS = 3 };
void store__range_spans(const range_desc *d, store_span spans[STORE_SPANS]);
void store__spans_deinit(store_span spans[STORE_SPANS]);

#endif
