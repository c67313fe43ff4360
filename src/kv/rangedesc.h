/*
 * rangedesc.h - range descriptors: which key span a range covers and where its replicas are.
 *
 * A range is [start, end) of the cluster's one key space (an empty start is the beginning,
 * an empty end the end of the key space), replicated by one Raft group whose members are
 * the descriptor's replicas: (node id, replica id, type) triples, where the replica id is
 * the member's Raft id inside the group (unique within the range, never reused:
 * next_replica_id is the id the next added replica gets) and the type says whether it
 * votes or is a LEARNER (receives the log, catching up before it is promoted; see store.h,
 * membership). The generation rises with every change of the span or the replicas (a
 * split makes both halves generation + 1, a replica change + 1), so a cached descriptor
 * can be recognised as stale. Generation 0
 * marks an UNINITIALISED replica: created by a message for a range this node does not
 * know yet, it has only its own (node, replica id) and no span until a snapshot (or the
 * split that creates the range locally) initialises it.
 *
 * Descriptors live in two places: each replica keeps its own copy in STORE_CF_RAFT
 * (raftlog_desc_key; written by the Raft commands that change it, carried in snapshots),
 * and the RANGE DIRECTORY in range 1 holds every range's descriptor under
 * /sys/range/<keyenc(start)> (keys.h reserves KEYS_SYS_RANGE_DIR), as MVCC values that
 * gateways read to route. rangedesc_initial() is the layout of a new cluster: the key
 * space split at the namespace boundaries of keys.h (system, tables, kv).
 *
 * Encoding (a format on disk and on the wire): version byte, varint range id, varint
 * generation, start and end as varint length + bytes, varint replica count, then varint
 * node id + varint replica id per replica. Version 2 adds a type byte after each replica
 * and a varint next replica id at the end; it is written only when version 1 cannot say
 * the same (a learner, or a next replica id above the largest id + 1), so encodings stay
 * canonical: decode(encode(d)) == d and encode(decode(bytes)) == bytes.
 *
 * Owns: a range_desc owns its start/end buffers (rangedesc_init/deinit).
 * Thread safety: values; functions are pure.
 */
#ifndef MICE_KV_RANGEDESC_H
#define MICE_KV_RANGEDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"
#include "raft/raft.h"

enum {
    RANGEDESC_REPLICAS_MAX = RAFT_NODES_MAX,
    RANGEDESC_V1 = 1,
    RANGEDESC_V2 = 2, /* + replica types, next replica id */
    RANGEDESC_INITIAL_COUNT = 3, /* system, tables, kv */
    RANGEDESC_SYSTEM_RANGE_ID = 1,
};

typedef enum range_replica_type {
    RANGE_REPLICA_VOTER = 0,
    RANGE_REPLICA_LEARNER = 1,
} range_replica_type;

typedef struct range_replica {
    uint64_t node_id;
    uint64_t replica_id;
    range_replica_type type;
} range_replica;

typedef struct range_desc {
    uint64_t range_id;
    uint64_t generation;
    mice_buf start; /* inclusive; empty = beginning of the key space */
    mice_buf end;   /* exclusive; empty = end of the key space */
    range_replica replicas[RANGEDESC_REPLICAS_MAX];
    uint32_t n_replicas;
    /* The replica id the next added replica gets; 0 = the largest id + 1
     * (rangedesc_next_replica_id). Ids of removed replicas are never handed out again. */
    uint64_t next_replica_id;
} range_desc;

void rangedesc_init(range_desc *d);
void rangedesc_deinit(range_desc *d);
void rangedesc_copy(range_desc *dst, const range_desc *src); /* dst initialised */

/* Generation > 0: the descriptor has a span and replicas. */
bool rangedesc_is_initialized(const range_desc *d);
/* False for an uninitialised descriptor. */
bool rangedesc_contains(const range_desc *d, mice_slice key);
/* True when the two spans share a key (false for an uninitialised descriptor). */
bool rangedesc_overlaps(const range_desc *d, mice_slice start, mice_slice end);
/* The replica on node_id, or NULL. */
const range_replica *rangedesc_replica_on(const range_desc *d, uint64_t node_id);
const range_replica *rangedesc_replica_by_id(const range_desc *d, uint64_t replica_id);
/* The Raft configuration of a descriptor: voters and learners by their type. */
void rangedesc_conf_state(const range_desc *d, raft_conf_state *cs);
/* How many replicas vote. */
uint32_t rangedesc_voter_count(const range_desc *d);
/* The id for the next replica added: above every id the range ever used. */
uint64_t rangedesc_next_replica_id(const range_desc *d);
/* Drop the replica with replica_id (no-op if absent); keeps next_replica_id above it. */
void rangedesc_remove_replica(range_desc *d, uint64_t replica_id);

void rangedesc_encode(const range_desc *d, mice_buf *out); /* appends */
/* Consume one descriptor from the front of *in. MICE_CORRUPT on malformed bytes. */
mice_status rangedesc_decode(mice_slice *in, range_desc *d);

/* The range directory key of a range starting at start (appended to out). */
void rangedesc_dir_key(mice_buf *out, mice_slice start);
/* [lower, upper) of the whole directory. */
void rangedesc_dir_span(mice_buf *lower, mice_buf *upper);

/* The ranges of a new cluster, ids 1..3: [min, tables), [tables, kv), [kv, max), each
 * replicated on every node of node_ids (replica id = node id). descs must hold
 * RANGEDESC_INITIAL_COUNT initialised descriptors. MICE_INVALID for 0 or more than
 * RANGEDESC_REPLICAS_MAX nodes, a node id 0 or a duplicate. */
mice_status rangedesc_initial(const uint64_t *node_ids, size_t n_nodes, range_desc *descs);

/* "r3 [/t, /kv) gen 2 {n1:1 n2:2 n4:4L}" for logs (L: learner) (appends). */
void rangedesc_describe(const range_desc *d, mice_buf *out);

#endif
