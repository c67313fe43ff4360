/*
 * store.h - every range replica of one node, each a Raft group, driven by one raft thread.
 *
 * A store owns the node's ranges: for each, a Raft group (src/raft/, with its durable log
 * in STORE_CF_RAFT through raftlog.h) and a kv_replica (latches, lock table, evaluation)
 * whose proposer is replicated:
 *   - A worker serving a request latches and asks the proposer to ACQUIRE the range: the
 *     leader serves when it holds a valid Raft lease and has applied everything committed
 *     when its term began (a local read, no round trip); a leader without a lease first
 *     confirms with a ReadIndex round; any other replica answers MICE_NOT_LEADER (the
 *     message names the leader's node when known) and the caller routes elsewhere.
 *   - The effects of the evaluation (an engine_batch, serialised with engine_batch_data)
 *     become one log entry, proposed on the raft thread only if the leader's term is still
 *     the one the request was acquired in. The worker blocks on a future completed when
 *     the entry is APPLIED locally, which implies it is durable on a majority.
 *   - Every replica, leader or follower, applies committed entries on the raft thread.
 *
 * THE RAFT THREAD (an ioloop named "raft") owns every Raft group. One timer ticks them all.
 * Proposals, ReadIndex requests and inbound messages arrive through MPSC queues. A turn
 * drains the queues, steps the groups, then collects the Ready of every group that has
 * one and writes, in ONE RocksDB batch, all their log entries and hard states (synced when
 * any of them must be: group commit), the effects of their committed entries and each
 * group's applied index (so re-applying after a crash starts exactly where the data is),
 * then sends messages that had to wait for durability, completes proposals and reads,
 * and advances the groups. Applied entries older than the retained window are truncated
 * from the log in the same batch; a follower that needs truncated entries receives a
 * snapshot: the range's data as SST files built from an engine snapshot, ingested on the
 * receiver after the span is cleared (store_snap.c; redone at start-up if interrupted).
 *
 * Ranges: a new cluster starts with the descriptors of rangedesc_initial(), written by
 * store_bootstrap on every initial member. store_split divides a range at a key with a
 * Raft command on it; the right-hand range gets the same replicas and its own group.
 *
 * Membership (store_change_replicas, store_placement_step): a replica is added as a Raft
 * LEARNER, catches up by SST snapshot and the log, then is promoted to voter through a
 * joint configuration; a replica is removed the same way (the lease moves away first if
 * it is the leader's). Each change is one Raft conf change entry whose context names the
 * new replicas' nodes, and applying it changes the descriptor (replicas, generation) in
 * the same batch on every replica, so descriptors and Raft configs agree. A node that gets
 * a leader's message for a range it lacks makes an empty (uninitialised) replica, which
 * the leader then sends a snapshot; a joining node opens holding no range (cfg.join). A
 * removed replica drops its group and clears its data and Raft state with range deletions
 * once it applies the change and the joint config no longer needs it (or no leader talks
 * to it any more), leaving a tombstone so late messages do not bring it back.
 *
 * Owns: the raft thread, every range (Raft group, raftlog, kv_replica) and the queues.
 * Borrows the engine, clock, env, transport and timestamp guard, which must outlive it.
 * Thread safety: store_open/store_stop/store_close on one controlling thread; everything
 * else from any thread. Inside: the raft thread owns every raft value and raftlog; one
 * rwlock (ranges_mu) protects the range table and descriptors for routing; a mutex per
 * range protects the lease view the raft thread publishes for workers.
 */
#ifndef MICE_KV_STORE_H
#define MICE_KV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/env.h"
#include "base/hlc.h"
#include "base/status.h"
#include "kv/placement.h"
#include "kv/rangedesc.h"
#include "kv/replica.h"
#include "kv/request.h"
#include "kv/sender.h"
#include "kv/transport.h"
#include "kv/tsguard.h"
#include "storage/engine.h"

enum {
    STORE_TICK_MS_DEFAULT = 50,
    STORE_ELECTION_TICKS_DEFAULT = 10,
    STORE_HEARTBEAT_TICKS_DEFAULT = 2,
    STORE_CLOCK_DRIFT_TICKS = 2, /* lease margin: election - drift ticks */
    STORE_LOG_KEEP_ENTRIES_DEFAULT = 1000,
    STORE_LOG_TRUNCATE_SLACK_DEFAULT = 1000,
    STORE_PROPOSAL_TIMEOUT_MS_DEFAULT = 10000,
    STORE_CATCHUP_TIMEOUT_MS_DEFAULT = 120000, /* a new replica's snapshot and log tail */
    STORE_MAX_UNCOMMITTED_BYTES = 64 << 20,
    STORE_RANGES_MAX = 4096,
    STORE_TURN_ITEMS_MAX = 8192, /* inbox items per turn before yielding to timers */
};

typedef struct store store;

typedef struct store_config {
    uint64_t node_id; /* non-zero, unique in the cluster */
    engine *engine;   /* opened with mvcc_config_init */
    hlc *clock;       /* commit timestamps of this node's replicas */
    const mice_env *env;
    kv_transport transport;
    kv_ts_guard *ts_guard; /* NULL = none */
    uint32_t tick_ms;
    uint32_t election_ticks;
    uint32_t heartbeat_ticks;
    uint64_t log_keep_entries;    /* applied entries kept for followers that lag */
    uint64_t log_truncate_slack;  /* truncate once keep + slack applied entries are held */
    uint64_t proposal_timeout_ms; /* a worker gives up waiting (MICE_TIMEOUT: outcome unknown) */
    /* A new leaseholder raises its replica's read high-water mark to now + this, above any
     * read the previous one may have served (clocks of different nodes differ by at most
     * this; 0 when every store shares one clock, as in-process tests do). The TSO of
     * range 1 replaces this. */
    uint64_t max_clock_offset_ns;
    uint64_t lock_timeout_ms; /* kv replicas */
    uint64_t txn_ttl_ms;
    uint64_t seed;        /* election randomness; 0 = from the env's entropy */
    bool lease_reads_off; /* every acquisition confirms leadership with ReadIndex (tests,
                           * clocks that cannot be trusted) */
    bool join;            /* a node joining a running cluster: opens holding no range; its
                           * replicas arrive from leaders that add it (membership) */
    uint64_t catchup_timeout_ms; /* store_change_replicas waits this long for a learner */
} store_config;

void store_config_init(store_config *cfg, uint64_t node_id, engine *e, hlc *clock,
                       kv_transport transport);

/* Write the ranges of a new cluster into an empty engine, in one synced batch: each
 * descriptor and its Raft group's initial state (raftlog_write_initial), plus the range
 * directory entries in range 1's data. Every initial member bootstraps with the same
 * descriptors. MICE_EXISTS if the engine already holds ranges; MICE_INVALID for
 * descriptors that overlap or a range 1 that does not hold the directory. */
mice_status store_bootstrap(engine *e, const range_desc *descs, size_t n_descs, mice_err *err);

/* Load every range this node holds (finishing an interrupted snapshot install first) and
 * start the raft thread. MICE_NOTFOUND when the engine holds no range (not bootstrapped),
 * unless cfg->join. */
mice_status store_open(const store_config *cfg, store **out, mice_err *err);
/* Stop the raft thread and leave the transport: requests waiting on it fail with
 * MICE_CLOSED, later requests too. Ranges stay allocated (workers may still be inside
 * them). Idempotent. */
void store_stop(store *s);
/* Stop (if needed) and free. No request may be in flight. NULL is ignored. */
void store_close(store *s);

uint64_t store_node_id(const store *s);

/* --- serving (any thread) ------------------------------------------------------------ */

/* Serve a request on this node's replica of the range holding the first op's key (END_TXN
 * and GC_TXN: the transaction's primary). MICE_NOT_LEADER when this replica is not the
 * leaseholder or an op's key is in another range; MICE_NOTFOUND when no local range holds
 * the key; other errors as kv_replica_send. */
mice_status store_send(store *s, const kv_request *req, kv_response *resp, mice_err *err);
/* This node's replica of the range holding key, or NULL. Borrowed until store_close. */
kv_replica *store_replica_for_key(store *s, mice_slice key);
/* Add every current replica to snd (a txn_db's sender). Replicas created later by splits
 * are not added. */
void store_add_replicas(store *s, kv_sender *snd);

/* --- ranges ----------------------------------------------------------------------------- */

typedef struct store_range_info {
    range_desc desc; /* initialised by the call; the caller deinits */
    uint64_t replica_id;
    raft_role role;
    uint64_t term;
    uint64_t leader_node; /* 0 = unknown */
    uint64_t commit;
    uint64_t applied;
    uint64_t first_index;
    uint64_t last_index;
    bool lease_valid; /* a local read would be served now */
} store_range_info;

/* Range ids, ascending, into ids (at most cap); returns how many ranges exist. */
size_t store_range_ids(store *s, uint64_t *ids, size_t cap);
/* MICE_NOTFOUND for an unknown range, MICE_CLOSED after stop. */
mice_status store_range_info_get(store *s, uint64_t range_id, store_range_info *out);
/* The range holding key: its id, or 0. */
uint64_t store_range_for_key(store *s, mice_slice key);

/* Campaign for leadership of range_id now (tests). Followers that heard from a leader
 * recently ignore it (leader stickiness); store_transfer_leader is the polite way. */
mice_status store_campaign(store *s, uint64_t range_id);
/* Ask the range's leader to hand leadership (and so the lease) to the replica on to_node.
 * From any replica of the range (a follower forwards it). Returns once asked; watch
 * store_range_info_get for the outcome. MICE_INVALID if to_node has no replica. */
mice_status store_transfer_leader(store *s, uint64_t range_id, uint64_t to_node);

/* Split the range holding split_key at split_key; the right-hand range [split_key, end)
 * gets id new_range_id (unique in the cluster: the caller allocates it) and the same
 * replicas. Run on the leaseholder; waits until the split is applied here. The range
 * directory is not updated (store_put_directory). MICE_INVALID if split_key is a range's
 * start or new_range_id exists; MICE_NOT_LEADER as store_send. */
mice_status store_split(store *s, mice_slice split_key, uint64_t new_range_id, mice_err *err);
/* Write desc's entry in the range directory (range 1) through this node's replica of
 * range 1, which must be the leaseholder (else MICE_NOT_LEADER). */
mice_status store_put_directory(store *s, const range_desc *desc, mice_err *err);

/* --- membership ------------------------------------------------------------------------ */

typedef enum store_replica_op {
    STORE_REPLICA_ADD = 1,    /* a replica on node_id: learner, caught up, promoted to voter */
    STORE_REPLICA_REMOVE = 2, /* the replica on node_id leaves the range */
} store_replica_op;

/* Change the replicas of range_id on its leaseholder (this node's replica must hold the
 * lease, else MICE_NOT_LEADER naming the leader; NOTFOUND if this node has no replica).
 * Blocks the calling worker until the change is complete:
 *   ADD: a conf change entry adds the replica as a LEARNER (a fresh replica id); the node
 *     makes an empty replica when the leader's first message arrives and catches up by
 *     SST snapshot and the log; once it has everything committed when it was added (or
 *     cfg.catchup_timeout_ms passes: MICE_TIMEOUT, the learner stays and a later ADD of
 *     the same node resumes), a second entry promotes it to voter through a joint
 *     configuration that the leader leaves by itself; returns once it is left.
 *   REMOVE: one entry removes it (through a joint configuration when it votes). If the
 *     replica to remove is this node's, the leader, the lease is first transferred to the
 *     most caught-up other voter and the call returns MICE_NOT_LEADER naming the new
 *     leader: retry there. A removed replica drops its group and clears its data (range
 *     deletions, in the batch that applies the change) once it applies the entry.
 * Each entry changes the descriptor (replicas, generation + 1) in the batch that applies
 * it on every replica, so descriptors and Raft configs agree. Then the range directory
 * entry is rewritten if this node holds range 1's lease (else the caller writes it there,
 * as store_placement_step does; generations order directory writes). out (NULL allowed,
 * initialised) gets the new descriptor.
 * MICE_INVALID: node_id 0, adding a node that already has a voter, removing a node without
 * a replica or the last voter. MICE_BUSY: another change of the range is in progress (here,
 * or a pending or joint config at the leader). MICE_CONFLICT: the range changed meanwhile. */
mice_status store_change_replicas(store *s, uint64_t range_id, store_replica_op op,
                                  uint64_t node_id, range_desc *out, mice_err *err);

/* Write desc's entry in the range directory unless the entry there is at least as new
 * (generation); through this node's replica of range 1, which must hold the lease (else
 * MICE_NOT_LEADER). */
mice_status store_update_directory(store *s, const range_desc *desc, mice_err *err);

/* Carries one placement change out on the range's leaseholder (an RPC to it, or a direct
 * call in tests); out (initialised) gets the new descriptor. NULL in store_placement_step:
 * store_change_replicas on this store. */
typedef mice_status (*store_change_fn)(void *ctx, const placement_change *c, range_desc *out,
                                       mice_err *err);

/* One round of the placement driver, run periodically by range 1's leaseholder (this node
 * must hold range 1's lease: MICE_NOT_LEADER otherwise). Reads every descriptor from the
 * range directory, asks placement_next for one change given the caller's liveness view of
 * the nodes, carries it out through change (NULL: here) and writes the range's new
 * directory entry. *done gets the change (op PLACEMENT_NONE: nothing to do). A change that
 * fails returns its status (MICE_NOT_LEADER: the range's lease is elsewhere; MICE_BUSY,
 * MICE_TIMEOUT: try again next round). */
mice_status store_placement_step(store *s, const placement_node *nodes, size_t n_nodes,
                                 const placement_config *cfg, store_change_fn change,
                                 void *change_ctx, placement_change *done, mice_err *err);

/* --- counters (any thread) ------------------------------------------------------------- */

typedef struct store_stats {
    uint64_t turns;            /* raft-thread turns that handled Readys */
    uint64_t batches_synced;   /* group-commit batches written with fsync */
    uint64_t batches_unsynced; /* batches with applied state only */
    uint64_t proposals;        /* entries proposed by this node */
    uint64_t entries_applied;
    uint64_t lease_reads;      /* acquisitions served from the lease */
    uint64_t read_index_reads; /* acquisitions that needed a ReadIndex round */
    uint64_t snapshots_sent;
    uint64_t snapshots_installed;
    uint64_t log_truncations;
    uint64_t msgs_unknown_range; /* inbound messages for a range this node lacks */
    uint64_t replica_changes;    /* replica change entries applied (each replica counts) */
    uint64_t replicas_removed;   /* replicas dropped here after learning of their removal */
} store_stats;

store_stats store_get_stats(store *s);

#endif
