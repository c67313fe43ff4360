/*
 * probe.h - learn who listens at a node-to-node address, before knowing its id or cluster.
 *
 * A node answers every new connection with its Hello (rpc.proto) before it reads ours, so
 * a probe dials, reads that one frame and closes: it learns the node id, the cluster id
 * and the advertised addresses without joining anything. `micedb init` and a node joining
 * a running cluster use it to find the id to call (rpc_call needs one); the probed node
 * logs a handshake that never completed, nothing else.
 *
 * Owns: nothing after return. Thread safety: any thread; blocks up to timeout_ms (never
 * call it on a loop thread).
 */
#ifndef MICE_RPC_PROBE_H
#define MICE_RPC_PROBE_H

#include <stdint.h>

#include "base/status.h"
#include "rpc/transport.h"

typedef struct rpc_probe_result {
    uint64_t node_id;
    char cluster_id[RPC_CLUSTER_ID_MAX];
    char addr[128]; /* first advertised address, "" if none */
    uint32_t protocol_version;
} rpc_probe_result;

/* MICE_UNAVAILABLE when nothing accepts at addr or it closes before a Hello,
 * MICE_TIMEOUT after timeout_ms, MICE_CORRUPT for a malformed Hello, MICE_INVALID for a
 * bad address. */
mice_status rpc_probe(const char *addr, uint64_t timeout_ms, rpc_probe_result *out,
                      mice_err *err);

#endif
