/*
 * cluster.h - a node of a replicated cluster: its identity, `init` and `join`, and the
 * replicated stack (rpc transport, store of Raft ranges, gateway) under the SQL layer.
 *
 * `micedb start --join A,B,C` (A, B, C: the rpc addresses of the initial members, the
 * same list on each) makes a node part of a cluster. Without --join a node is the
 * embedded single-node default and none of this runs.
 *
 * IDENTITY. An initial member's node id is its --rpc address's position in the --join
 * list (1-based), so no coordination is needed to name the first nodes. The identity
 * (cluster id, node id) and the member list are kept in the engine's meta column family;
 * a restarted node reads them and serves at once.
 *
 * INIT. A fresh initial member waits (its SQL, HTTP and RESP listeners are not up yet)
 * with an rpc transport of the provisional cluster "pending/<join list>". `micedb init
 * --rpc A` probes A (rpc/probe.h) and calls METHOD_NODE_INIT; A picks the cluster id
 * (kept in meta first, so a retried init reuses it), sends METHOD_NODE_BOOTSTRAP to every
 * other member, then bootstraps itself. Bootstrapping writes the initial ranges
 * (kv/rangedesc.h: system, tables, kv; 3 replicas on the first three members) and the
 * identity in one go; a member already bootstrapped into the same cluster answers OK.
 *
 * JOIN. A fresh node whose --rpc address is not in the list probes the listed nodes for
 * one that runs the cluster, and calls METHOD_NODE_JOIN from a temporary identity: the
 * member allocates the next node id (/sys/nodeidgen, through a transaction) and answers
 * with it, the cluster id and the members. The node then starts with no ranges; the
 * placement driver gives it replicas.
 *
 * RUNNING. One rpc transport on the node's io loop (--rpc), one store (raft thread), one
 * gateway (kv/gateway.h) whose kv_sender the txn_db uses, and the kv server answering
 * forwarded batches. Every node writes its record (/sys/node/<id>: addresses and a
 * heartbeat) every CLUSTER_HEARTBEAT_MS; a node whose heartbeat is older than
 * CLUSTER_LIVE_MS is not live. cluster_maintain (the maintenance thread, once a second)
 * heartbeats, learns peers' addresses from the records, splits off a range for every
 * table, and runs the placement step where this node holds range 1's lease.
 *
 * Owns: the transports, store, gateway, kv server, clock. Borrows the engine, io loop,
 * worker pool and env, which must outlive it.
 * Thread safety: cluster_start/stop/destroy on the main thread; cluster_maintain on the
 * maintenance thread; the getters and JSON builders from any thread.
 */
#ifndef MICE_CLI_CLUSTER_H
#define MICE_CLI_CLUSTER_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/hlc.h"
#include "base/ioloop.h"
#include "base/status.h"
#include "base/workpool.h"
#include "kv/sender.h"
#include "kv/store.h"
#include "rpc/transport.h"
#include "storage/engine.h"
#include "txn/txn.h"

enum {
    CLUSTER_MEMBERS_MAX = 64,
    CLUSTER_HEARTBEAT_MS = 1000,
    CLUSTER_LIVE_MS = 4500,          /* no heartbeat for this long: not live */
    CLUSTER_DEAD_AFTER_MS = 30000,   /* not live for this long: its replicas are replaced */
    CLUSTER_REPLICATION = 3,
    CLUSTER_CALL_TIMEOUT_MS = 10000,
    CLUSTER_FIRST_SPLIT_RANGE_ID = 100, /* range ids of splits start here */
};

typedef struct cluster cluster;

typedef struct cluster_config {
    const char *join; /* "A,B,C": rpc addresses of the initial members */
    const char *rpc_addr;
    const char *sql_addr;
    const char *http_addr;
    const char *resp_addr;
    engine *eng; /* opened with mvcc_config_init */
    ioloop *loop;
    workpool *pool;
    const mice_env *env;
    const atomic_bool *stopping; /* set: stop waiting for init (MICE_CLOSED) */
    uint64_t dead_after_ms;      /* 0 = CLUSTER_DEAD_AFTER_MS */
} cluster_config;

/* Become a member (waiting for init or joining if this is a fresh data directory), then
 * open the store and start serving rpc. Blocks until then. */
mice_status cluster_start(const cluster_config *cfg, cluster **out, mice_err *err);

uint64_t cluster_node_id(const cluster *c);
const char *cluster_id(const cluster *c);
kv_sender *cluster_sender(cluster *c); /* for txn_db_config.sender */
hlc *cluster_clock(cluster *c);        /* for txn_db_config.clock */
store *cluster_store(cluster *c);

/* The txn_db made over cluster_sender: the kv server and maintenance use it. Call once,
 * before cluster_maintain. Writes this node's record (retrying until a quorum answers or
 * *stopping). */
mice_status cluster_attach_db(cluster *c, txn_db *db, mice_err *err);

/* Maintenance thread, about once a second (see the header comment). Logs, never fails. */
void cluster_maintain(cluster *c);

/* JSON arrays for GET /v1/cluster/nodes and /v1/cluster/ranges (new references). */
mice_status cluster_nodes_json(cluster *c, json_t **out, mice_err *err);
mice_status cluster_ranges_json(cluster *c, json_t **out, mice_err *err);

/* The node is stopping: requests through the gateway and the local store fail at once
 * (MICE_CLOSED), so threads blocked in them return. Idempotent; NULL is ignored. */
void cluster_quiesce(cluster *c);
/* Quiesce, then stop serving rpc (before the worker pool and io loop stop). */
void cluster_stop(cluster *c);
void cluster_destroy(cluster *c); /* NULL is ignored */

/* `micedb init --rpc ADDR`: bootstrap the cluster ADDR is an initial member of. */
mice_status cluster_init_remote(const char *rpc_addr, uint64_t timeout_ms, char *cluster_id_out,
                                size_t cap, mice_err *err);

#endif
