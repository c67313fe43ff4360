/*
 * transport.h - node-to-node messages and calls over TCP, on the node's io loop.
 *
 * One rpc_transport per node, bound to the io thread's ioloop. It listens for peers,
 * keeps one connection per peer node (dialed on demand), and carries two things:
 *
 *   one-way messages   rpc_send(t, node, kind, msg): Raft messages, coalesced heartbeats,
 *                      snapshot chunks (rpc_msg_kind, codec.h). Fire and forget: a message
 *                      is delivered at most once, in order per peer, or dropped (peer
 *                      unreachable, queue full, connection lost) - which Raft tolerates.
 *   unary calls        rpc_call(t, node, method, payload, timeout) -> future, answered by
 *                      the peer's request handler with rpc_respond(). Payloads are opaque
 *                      bytes (the kv layer puts its batch requests there).
 *
 * A CONNECTION starts with a Hello in each direction (node id, cluster id, advertised
 * addresses, protocol version). A peer of another cluster, with our own node id, of
 * another protocol version, or - on a connection we dialed - with another node id than
 * the one we dialed is refused (one log line; the connection closes). Nothing but a Hello
 * is accepted before the Hello. If both nodes dial each other at once, both keep the
 * connection dialed by the smaller node id and retire the other: each side half-closes it
 * after what it already wrote and reads it to the end, so nothing is lost (what arrives on
 * the retired connection may interleave with the first messages on the kept one). A
 * connection from a new incarnation of the peer (it restarted) replaces the old at once.
 *
 * BATCHING. Senders on any thread push into one MPSC queue; the io thread drains it once
 * per loop turn, appends each message to its destination peer's queue, then writes each
 * peer's queue as ONE write: consecutive Raft messages share one RaftBatch frame, other
 * messages get a frame each. So a Raft group's Ready fan-out and all groups' Readys from
 * one raft-thread turn cost one frame and one syscall per peer.
 *
 * RECONNECTS. A peer with queued traffic and no connection is dialed. A failed dial or
 * handshake (refused, RPC connect timeout, rejected Hello) puts the peer in back-off for
 * d = min(backoff_max, backoff_initial * 2^(failures-1)), jittered to [d/2, d] by a PRNG seeded
 * from the env; during back-off Raft messages to it are dropped and calls fail at once with
 * MICE_UNAVAILABLE. A connection that was up and is lost is redialed at the next message.
 *
 * BACKPRESSURE. Each peer's outgoing queue is bounded (peer_queue_bytes_max). While the
 * socket has IOLOOP_WRITE_HIGH_WATER_BYTES unwritten, new traffic waits in the queue; when
 * the queue is full, Raft messages (and other one-way messages) are dropped and calls fail
 * with MICE_UNAVAILABLE. Reading is never paused on peer connections (two nodes writing to
 * each other must not wait for each other), so memory is bounded by the queues, the high
 * water mark and the frame limit.
 *
 * MALFORMED INPUT. A frame with a bad checksum or length, over frame_bytes_max, of an
 * unknown type, or whose protobuf does not decode closes that connection with one log
 * line (stats.corrupt_frames); other connections are unaffected. Nothing asserts on bytes
 * from the network.
 *
 * HANDLERS run on the io thread, one call at a time. They must not block (no disk, no
 * locks that the raft thread or workers hold for long, no future_wait): copy what they
 * need and hand it to a queue (the raft thread's MPSC inbox, a worker pool). The message
 * a handler receives is borrowed for the duration of the call. A request handler takes
 * ownership of the rpc_request and must pass it to rpc_respond() exactly once, from any
 * thread, at any later time (before or after rpc_transport_destroy: a response to a
 * destroyed transport is dropped).
 *
 * Owns: its listener, connections, peers (address book, queues), pending calls and their
 * timers; the messages queued for sending (packed copies). Borrows the ioloop, which must
 * outlive it: destroy the transport before stopping the loop.
 * Thread safety: rpc_send, rpc_call, rpc_respond, rpc_set_peer_addr, rpc_get_stats and the
 * getters from any thread. rpc_transport_create/destroy from any thread but the loop's.
 * Handlers run on the loop thread. Peers, connections and calls are owned by the loop
 * thread; other threads reach them only through the MPSC queue.
 * Invariants: per destination, messages leave in the order rpc_send was called on one
 * thread, and arrive in that order over one connection; a call's future completes exactly once
 * (response, remote error, MICE_TIMEOUT, MICE_UNAVAILABLE, or MICE_CLOSED at destroy); no frame is
 * written on a connection before both Hellos were checked (except our own Hello).
 */
#ifndef MICE_RPC_TRANSPORT_H
#define MICE_RPC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/future.h"
#include "base/ioloop.h"
#include "base/status.h"
#include "rpc/codec.h"

enum {
    RPC_PROTOCOL_VERSION = 1,
    RPC_PEER_QUEUE_BYTES_DEFAULT = 32 * 1024 * 1024, /* per peer, not yet handed to the socket */
    RPC_BACKOFF_INITIAL_MS_DEFAULT = 50,
    RPC_BACKOFF_MAX_MS_DEFAULT = 5000,
    RPC_CONNECT_TIMEOUT_MS_DEFAULT = 5000, /* dial + both Hellos */
    RPC_CLUSTER_ID_MAX = 128,              /* bytes, with the NUL */
};

typedef struct rpc_transport rpc_transport;

/* A one-way message that arrived. Borrowed: valid during the handler call only. msg is the
 * unpacked protobuf of kind's type: cast to Rpcpb__RaftMessage for RPC_MSG_RAFT,
 * Rpcpb__NodeHeartbeat for RPC_MSG_HEARTBEAT, and so on (codec.h). */
typedef struct rpc_inbound {
    uint64_t from_node; /* the peer's node id, as its Hello said */
    rpc_msg_kind kind;
    const ProtobufCMessage *msg;
} rpc_inbound;

/* Io thread, must not block. A status other than MICE_OK means the message was malformed
 * (e.g. an enum out of range): the transport logs it and closes the connection. */
typedef mice_status (*rpc_message_fn)(void *ctx, const rpc_inbound *in);

/* An incoming call, owned by the request handler until rpc_respond. */
typedef struct rpc_request rpc_request;
/* Io thread, must not block: answer at once or hand req to a worker that answers. */
typedef void (*rpc_request_fn)(void *ctx, rpc_request *req);

uint64_t rpc_request_from(const rpc_request *req);
uint32_t rpc_request_method(const rpc_request *req);
uint64_t rpc_request_timeout_ms(const rpc_request *req); /* the caller's, 0 = none given */
/* Borrowed: valid until rpc_respond. */
mice_slice rpc_request_payload(const rpc_request *req);

/* Answer req and free it. Any thread. status MICE_OK sends payload; any other status
 * fails the caller's future with that status and err's message (err may be NULL). */
void rpc_respond(rpc_request *req, mice_status status, const mice_err *err, mice_slice payload);

typedef struct rpc_config {
    uint64_t node_id;           /* this node; non-zero */
    const char *cluster_id;     /* peers must present the same; copied; non-empty */
    const char *listen_addr;    /* "host:port" (port 0: any free one); NULL: dial only */
    const char *advertise_addr; /* told to peers; NULL: listen_addr with the bound port (set
                                   it when listening on 0.0.0.0: peers ignore wildcards) */
    rpc_message_fn on_message;  /* NULL: one-way messages are counted and dropped */
    rpc_request_fn on_request;  /* NULL: calls other than METHOD_PING get MICE_UNSUPPORTED */
    void *handler_ctx;
    size_t frame_bytes_max;      /* longest frame body sent or accepted; 0 = default */
    size_t peer_queue_bytes_max; /* 0 = default; at least frame_bytes_max */
    uint32_t backoff_initial_ms; /* 0 = default */
    uint32_t backoff_max_ms;     /* 0 = default */
    uint32_t connect_timeout_ms; /* 0 = default */
    const mice_env *env;         /* NULL: the real one; seeds the back-off jitter */
} rpc_config;

/* Zero everything, then set the ids (the rest takes defaults). */
void rpc_config_init(rpc_config *cfg, uint64_t node_id, const char *cluster_id);

/* Replace the message (or request) handler and its context after creation, so layers above
 * can plug in once the transport exists (kv/transport_rpc for Raft messages,
 * kv/kvserver for calls). fn NULL: none. Any thread but the loop's; returns once no call
 * of the replaced handler is in progress (the io thread holds a mutex while one runs). */
void rpc_set_message_handler(rpc_transport *t, rpc_message_fn fn, void *ctx);
void rpc_set_request_handler(rpc_transport *t, rpc_request_fn fn, void *ctx);
/* fn(ctx) runs once at the start of rpc_transport_destroy, on the destroying thread, so a
 * layer that holds the transport learns it is going (kv/transport_rpc, whichever of the two
 * is destroyed first). NULL clears it. Not concurrently with rpc_transport_destroy. */
void rpc_set_destroy_hook(rpc_transport *t, void (*fn)(void *ctx), void *ctx);

/* A handler for one method (below RPC_METHOD_HANDLERS_MAX), tried before the request
 * handler: kv/transport_rpc takes METHOD_SNAPSHOT while kv/kvserver takes the rest. */
enum { RPC_METHOD_HANDLERS_MAX = 16 };
void rpc_set_method_handler(rpc_transport *t, uint32_t method, rpc_request_fn fn, void *ctx);

/* Create the transport on loop and start listening. MICE_INVALID for a bad config or
 * address, MICE_BUSY for an address in use, MICE_CLOSED if the loop is stopping. */
mice_status rpc_transport_create(ioloop *loop, const rpc_config *cfg, rpc_transport **out,
                                 mice_err *err);
/* Stop listening, close connections (flushing what was written), drop queued messages,
 * fail pending calls with MICE_CLOSED, and free. Waits for the io thread. NULL is fine. */
void rpc_transport_destroy(rpc_transport *t);

uint64_t rpc_transport_node_id(const rpc_transport *t);
ioloop *rpc_transport_loop(const rpc_transport *t); /* the io loop it is bound to */
int rpc_transport_port(const rpc_transport *t);     /* the bound port; 0 when not listening */

/* Address book: where to dial node_id ("host:port"). Replaces an earlier address; an open
 * connection stays. A peer that connects to us is also reachable through that connection,
 * and its Hello's first address is remembered if we had none. MICE_INVALID for a bad
 * address or node id 0, MICE_CLOSED once destroying. */
mice_status rpc_set_peer_addr(rpc_transport *t, uint64_t node_id, const char *addr);

/* Queue msg (kind's protobuf type, asserted) for to_node; it is packed now, so the caller
 * may free msg on return. MICE_OK means queued, not delivered. MICE_INVALID: to_node is 0
 * or our own id; MICE_LIMIT: the message is longer than frame_bytes_max; MICE_CLOSED:
 * destroying. */
mice_status rpc_send(rpc_transport *t, uint64_t to_node, rpc_msg_kind kind,
                     const ProtobufCMessage *msg);

/* Call method on to_node with payload (copied). Never NULL. The future completes on the io
 * thread with a mice_buf * (the response payload; free it with rpc_payload_free), or fails:
 * MICE_TIMEOUT after timeout_ms (0 = RPC_CALL_TIMEOUT_MS_DEFAULT), MICE_UNAVAILABLE when the
 * peer cannot be reached (no address, back-off, refused, queue full, connection lost
 * with the call outstanding), MICE_CLOSED when the transport is destroyed, MICE_LIMIT
 * when payload exceeds the frame limit, or the status the remote handler answered. */
enum { RPC_CALL_TIMEOUT_MS_DEFAULT = 10000 };
mice_future *rpc_call(rpc_transport *t, uint64_t to_node, uint32_t method, mice_slice payload,
                      uint64_t timeout_ms);
void rpc_payload_free(void *payload); /* a future's value: a malloc'd mice_buf */

/* rpc_call and wait (not on a loop thread): on MICE_OK, out receives the response payload
 * (appended); on failure err has the message. */
mice_status rpc_call_wait(rpc_transport *t, uint64_t to_node, uint32_t method, mice_slice payload,
                          uint64_t timeout_ms, mice_buf *out, mice_err *err);

typedef struct rpc_stats {
    uint64_t frames_out, frames_in; /* all frame types, Hellos included */
    uint64_t bytes_out, bytes_in;   /* frame bytes, headers included */
    uint64_t msgs_out, msgs_in;     /* one-way messages written / handed to on_message */
    uint64_t msgs_dropped;          /* one-way messages not sent: unreachable, queue full, lost */
    uint64_t calls_out, calls_ok, calls_failed, calls_timed_out; /* our calls */
    uint64_t requests_in;          /* calls we answered or are answering */
    uint64_t dials, dial_failures; /* outbound attempts; refused, timed out, or rejected */
    uint64_t handshakes;           /* connections that passed both Hellos */
    uint64_t reconnects;           /* handshakes with a peer we had been connected to */
    uint64_t handshake_rejects;    /* wrong cluster, node id or version */
    uint64_t corrupt_frames;       /* connections closed for malformed input */
    uint64_t conns_open;           /* connections now open (any state) */
} rpc_stats;
/* Any thread; counters are read one by one (not a consistent snapshot). */
rpc_stats rpc_get_stats(const rpc_transport *t);

#endif
