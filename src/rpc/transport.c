/*
 * The transport's io-thread machinery.
 *
 * Cross-thread entry. Every public call that reaches the io thread builds one rpc_item
 * (packed bytes and all, so the io thread never packs what a caller built) and pushes it
 * into `inbox`, an MPSC queue whose wake function posts one drain task to the loop. The
 * drain pops everything queued so far, files each item with its peer, then flushes every
 * peer that got something: that is the "one loop turn" batching unit. Destroy must not
 * lose an item nor race a producer, so producers announce themselves in `posters` before
 * checking `closed` (the ioloop's own scheme); destroy sets `closed`, waits for posters to
 * reach zero, then tears down on the loop thread, which drains the inbox one last time.
 *
 * Lifetime. The transport is reference counted: the creator, every rpc_conn (its on_close
 * may come after destroy returned), every posted drain task, and every rpc_request a
 * handler holds. The last reference frees the memory; everything the io thread owns
 * (peers, calls, timers) is released by the teardown.
 *
 * Peer states (derived, loop thread): connected (conn != NULL), dialing (our outbound
 * attempt in progress), back-off (timer armed), idle. Calls sit in their peer's list with
 * the serial of the connection that carried the request (0 while queued), so losing a
 * connection fails exactly the calls that were on it.
 */
#include "rpc/transport.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "base/mpsc.h"
#include "base/prng.h"
#include "rpc/u64map.h"

enum {
    DRAIN_ITEMS_PER_TURN = 4096, /* then let sockets and timers run; drain again next turn */
    ITEM_OVERHEAD_BYTES = 64,    /* what a queued message costs beyond its bytes */
    CLOSE_LINGER_MS = 1000,      /* a closing peer connection flushes for at most this long */
    RETIRE_MAX_MS = 10000,       /* a retired connection the peer does not close is cut */
    BACKOFF_SHIFT_MAX = 20,
    PEER_ADDRS_IN_HELLO = 1,
};

typedef enum item_op { OP_SEND, OP_CALL, OP_RESPOND, OP_SET_ADDR } item_op;

typedef struct call_state call_state;
typedef struct peer peer;
typedef struct rpc_conn rpc_conn;

/* One request from another thread, then (for sends) one entry of a peer's queue. */
typedef struct rpc_item {
    mpsc_node node;
    struct rpc_item *next; /* in a peer's queue */
    item_op op;
    rpc_frame_type frame; /* the frame that carries it */
    uint64_t to_node;
    uint64_t call_id; /* OP_CALL */
    call_state *call; /* OP_CALL, until the io thread registers it */
    size_t n;
    uint8_t data[]; /* packed message, Request or Response; OP_SET_ADDR: the address */
} rpc_item;

struct call_state {
    rpc_transport *t;
    uint64_t call_id;
    uint64_t to_node;
    uint64_t timeout_ms;
    uint32_t method;
    mice_future *future; /* the completer's reference */
    ioloop_timer *timer;
    uint64_t conn_serial; /* connection that carried the request; 0 while queued */
    peer *peer;
    call_state *prev, *next; /* in peer->calls */
};

struct peer {
    rpc_transport *t;
    uint64_t node_id;
    char addr[IOLOOP_ADDR_MAX]; /* "" when unknown */
    rpc_conn *conn;             /* the connection in use (both Hellos checked) */
    rpc_conn *dialing;          /* our outbound attempt, until its Hello checks out */
    ioloop_timer *backoff;      /* armed while in back-off */
    uint32_t failures;          /* consecutive failed dials */
    bool wanted;                /* traffic was refused during back-off: dial when it ends */
    bool ever_connected;
    bool dirty; /* in the transport's flush list */
    peer *dirty_next;
    rpc_item *head, *tail; /* queued, not yet handed to the socket */
    size_t queued_bytes;
    call_state *calls;
};

struct rpc_conn {
    rpc_transport *t;
    ioloop_conn *c; /* NULL while dialing */
    uint64_t serial;
    bool outbound;
    bool hello_done;
    bool closing;         /* we closed it: ignore further input */
    bool retired;         /* lost to another connection to the same peer: read-only until EOF */
    bool abandoned;       /* outbound attempt given up before connect reported */
    uint64_t peer_node;   /* dialed node, or the Hello's */
    uint64_t incarnation; /* from the peer's Hello */
    peer *peer;           /* set for outbound at dial, inbound at Hello */
    ioloop_timer *timer;  /* handshake deadline; then, once retired, the retirement's */
    frame_decoder dec;
    rpc_conn *prev, *next; /* transport's list */
};

struct rpc_request {
    rpc_transport *t; /* holds a reference */
    uint64_t from_node;
    uint64_t call_id;
    uint64_t timeout_ms;
    uint32_t method;
    size_t payload_n;
    uint8_t payload[];
};

typedef struct stat_counters {
    atomic_uint_least64_t frames_out, frames_in, bytes_out, bytes_in, msgs_out, msgs_in;
    atomic_uint_least64_t msgs_dropped, calls_out, calls_ok, calls_failed, calls_timed_out;
    atomic_uint_least64_t requests_in, dials, dial_failures, handshakes, reconnects;
    atomic_uint_least64_t handshake_rejects, corrupt_frames, conns_open;
} stat_counters;

struct rpc_transport {
    ioloop *loop;
    uint64_t node_id;
    uint64_t incarnation;
    char cluster_id[RPC_CLUSTER_ID_MAX];
    char advertise[IOLOOP_ADDR_MAX];
    /* handlers_mu guards the handlers; the io thread holds it while one runs, so a setter
     * returns only once no call of the handler it replaced is in progress. */
    pthread_mutex_t handlers_mu;
    rpc_message_fn on_message;
    void *message_ctx;
    rpc_request_fn on_request;
    void *request_ctx;
    rpc_request_fn method_fn[RPC_METHOD_HANDLERS_MAX];
    void *method_ctx[RPC_METHOD_HANDLERS_MAX];
    void (*destroy_hook)(void *ctx); /* under handlers_mu */
    void *destroy_ctx;
    size_t frame_bytes_max;
    size_t peer_queue_bytes_max;
    uint32_t backoff_initial_ms, backoff_max_ms, connect_timeout_ms;
    int port;
    ioloop_listener *listener;

    atomic_int refs;
    atomic_int posters;
    atomic_bool closed;
    atomic_uint_least64_t next_call_id;
    mpsc_queue inbox;

    /* Loop thread only: */
    bool dead; /* torn down: connections closing on their own, nothing else left */
    u64map peers;
    u64map calls;
    rpc_conn *conns;
    peer *dirty;
    uint64_t conn_serial;
    mice_prng prng;

    stat_counters stats;
};

#define STAT_ADD(t, field, n)                                                                      \
    atomic_fetch_add_explicit(&(t)->stats.field, (n), memory_order_relaxed)
#define STAT_SUB(t, field, n)                                                                      \
    atomic_fetch_sub_explicit(&(t)->stats.field, (n), memory_order_relaxed)

static const ioloop_conn_ops conn_ops;
static void peer_dial(rpc_transport *t, peer *p);
static void peer_flush(rpc_transport *t, peer *p);
static void conn_reject(rpc_conn *rc, const char *why);

/* ---- lifetime ---- */

static void transport_ref(rpc_transport *t)
{
    int before = atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
    mice_assert(before > 0);
}

static void transport_unref(rpc_transport *t)
{
    int before = atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel);
    mice_assert(before > 0);
    if (before != 1) return;
    mpsc_deinit(&t->inbox);
    pthread_mutex_destroy(&t->handlers_mu);
    free(t);
}

/* ---- the inbox: any thread -> io thread ---- */

static void drain_task(void *ctx);

static void post_drain(rpc_transport *t)
{
    transport_ref(t);
    if (ioloop_post(t->loop, drain_task, t) != MICE_OK) transport_unref(t);
}

static void inbox_wake(void *ctx)
{
    post_drain(ctx);
}

/* Push it unless destroying; takes it either way. */
static mice_status submit(rpc_transport *t, rpc_item *it)
{
    atomic_fetch_add(&t->posters, 1);
    if (atomic_load(&t->closed)) {
        atomic_fetch_sub(&t->posters, 1);
        return MICE_CLOSED;
    }
    mpsc_push(&t->inbox, &it->node);
    atomic_fetch_sub(&t->posters, 1);
    return MICE_OK;
}

static rpc_item *item_new(item_op op, rpc_frame_type frame, uint64_t to_node, size_t n)
{
    rpc_item *it = mice_malloc(sizeof *it + n + 1);
    memset(it, 0, sizeof *it);
    it->op = op;
    it->frame = frame;
    it->to_node = to_node;
    it->n = n;
    it->data[n] = 0;
    return it;
}

static size_t item_cost(const rpc_item *it)
{
    return it->n + ITEM_OVERHEAD_BYTES;
}

/* ---- calls ---- */

static void call_unlink(rpc_transport *t, call_state *c)
{
    u64map_del(&t->calls, c->call_id);
    if (c->peer) {
        if (c->prev)
            c->prev->next = c->next;
        else
            c->peer->calls = c->next;
        if (c->next) c->next->prev = c->prev;
        c->peer = NULL;
    }
    if (c->timer) {
        ioloop_timer_cancel(c->timer);
        c->timer = NULL;
    }
}

static void call_fail(rpc_transport *t, call_state *c, mice_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void call_fail(rpc_transport *t, call_state *c, mice_status code, const char *fmt, ...)
{
    call_unlink(t, c);
    mice_err err;
    va_list ap;
    va_start(ap, fmt);
    mice_err_vsetf(&err, code, fmt, ap);
    va_end(ap);
    STAT_ADD(t, calls_failed, 1);
    if (code == MICE_TIMEOUT) STAT_ADD(t, calls_timed_out, 1);
    future_fail(c->future, code, &err);
    free(c);
}

static void call_timed_out(ioloop_timer *timer, void *ctx)
{
    (void)timer;
    call_state *c = ctx;
    c->timer = NULL; /* a one-shot timer is gone once this returns */
    call_fail(c->t, c, MICE_TIMEOUT, "call to node %llu timed out after %llu ms",
              (unsigned long long)c->to_node, (unsigned long long)c->timeout_ms);
}

static void call_succeed(rpc_transport *t, call_state *c, mice_slice payload)
{
    call_unlink(t, c);
    mice_buf *value = mice_malloc(sizeof *value);
    buf_init(value);
    buf_append_slice(value, payload);
    STAT_ADD(t, calls_ok, 1);
    future_complete(c->future, value, rpc_payload_free);
    free(c);
}

typedef enum { CALLS_QUEUED, CALLS_SENT } call_set;

/* Fail the peer's calls still queued (a dial failed), or already sent (the connection that
 * would bring their answers is gone). */
static void peer_fail_calls(rpc_transport *t, peer *p, call_set which, const char *why)
{
    call_state *next;
    for (call_state *c = p->calls; c; c = next) {
        next = c->next;
        if ((c->conn_serial != 0) == (which == CALLS_SENT))
            call_fail(t, c, MICE_UNAVAILABLE, "node %llu: %s", (unsigned long long)p->node_id, why);
    }
}

/* ---- peers ---- */

static peer *peer_get(rpc_transport *t, uint64_t node_id)
{
    peer *p = u64map_get(&t->peers, node_id);
    if (p) return p;
    p = mice_calloc(1, sizeof *p);
    p->t = t;
    p->node_id = node_id;
    u64map_put(&t->peers, node_id, p);
    return p;
}

static void peer_mark_dirty(rpc_transport *t, peer *p)
{
    if (p->dirty) return;
    p->dirty = true;
    p->dirty_next = t->dirty;
    t->dirty = p;
}

/* Drop everything queued (a dial failed, or teardown): messages are counted as dropped;
 * the calls whose requests were queued are failed by the caller (CALLS_QUEUED). */
static void peer_drop_queue(rpc_transport *t, peer *p)
{
    while (p->head) {
        rpc_item *it = p->head;
        p->head = it->next;
        if (it->op == OP_SEND) STAT_ADD(t, msgs_dropped, 1);
        free(it);
    }
    p->tail = NULL;
    p->queued_bytes = 0;
}

static uint64_t backoff_ms(rpc_transport *t, uint32_t failures)
{
    uint32_t shift = failures > 0 ? failures - 1 : 0;
    if (shift > BACKOFF_SHIFT_MAX) shift = BACKOFF_SHIFT_MAX;
    uint64_t d = (uint64_t)t->backoff_initial_ms << shift;
    if (d > t->backoff_max_ms) d = t->backoff_max_ms;
    /* Jitter into [d/2, d], so peers that lost a node together do not redial in step. */
    return d / 2 + prng_below(&t->prng, d / 2 + 1);
}

static void backoff_done(ioloop_timer *timer, void *ctx)
{
    (void)timer;
    peer *p = ctx;
    p->backoff = NULL; /* a one-shot timer is gone once this returns */
    if (p->wanted || p->head) {
        p->wanted = false;
        peer_dial(p->t, p);
    }
}

/* Our attempt to reach p failed (refused, timed out, rejected). */
static void peer_dial_failed(rpc_transport *t, peer *p, const char *why)
{
    p->failures++;
    STAT_ADD(t, dial_failures, 1);
    if (p->conn) return; /* it reached us meanwhile: nothing lost */
    uint64_t delay = backoff_ms(t, p->failures);
    if (p->failures == 1) {
        log_warn("rpc: node %llu at %s unreachable: %s (retrying with back-off)",
                 (unsigned long long)p->node_id, p->addr, why);
    } else {
        log_debug("rpc: node %llu at %s unreachable: %s (attempt %u, next in %llu ms)",
                  (unsigned long long)p->node_id, p->addr, why, p->failures,
                  (unsigned long long)delay);
    }
    peer_drop_queue(t, p);
    peer_fail_calls(t, p, CALLS_QUEUED, why);
    if (!p->backoff) p->backoff = ioloop_timer_start(t->loop, delay, 0, backoff_done, p);
}

/* Can traffic for p be queued now? If not, say why (for the call's error). Dials an idle
 * peer that has an address. */
static const char *peer_admit(rpc_transport *t, peer *p, size_t cost)
{
    if (!p->conn && !p->dialing) {
        if (p->backoff) {
            p->wanted = true;
            return "unreachable (in back-off after a failed connection attempt)";
        }
        if (!p->addr[0]) return "no address known for this node";
        peer_dial(t, p);
        if (!p->dialing && !p->conn) return "unreachable";
    }
    if (p->queued_bytes + cost > t->peer_queue_bytes_max) return "send queue full";
    return NULL;
}

static void peer_enqueue(rpc_transport *t, peer *p, rpc_item *it)
{
    it->next = NULL;
    if (p->tail)
        p->tail->next = it;
    else
        p->head = it;
    p->tail = it;
    p->queued_bytes += item_cost(it);
    peer_mark_dirty(t, p);
}

static void peer_free(rpc_transport *t, peer *p, bool loop_alive)
{
    peer_drop_queue(t, p);
    if (p->backoff && loop_alive) ioloop_timer_cancel(p->backoff);
    free(p);
}

/* ---- connections ---- */

static rpc_conn *conn_new(rpc_transport *t, bool outbound)
{
    rpc_conn *rc = mice_calloc(1, sizeof *rc);
    rc->t = t;
    rc->outbound = outbound;
    rc->serial = ++t->conn_serial;
    frame_decoder_init(&rc->dec, t->frame_bytes_max);
    rc->next = t->conns;
    if (t->conns) t->conns->prev = rc;
    t->conns = rc;
    transport_ref(t);
    return rc;
}

static void conn_free(rpc_conn *rc)
{
    rpc_transport *t = rc->t;
    if (rc->prev)
        rc->prev->next = rc->next;
    else
        t->conns = rc->next;
    if (rc->next) rc->next->prev = rc->prev;
    frame_decoder_deinit(&rc->dec);
    free(rc);
    transport_unref(t);
}

static void conn_cancel_timer(rpc_conn *rc)
{
    if (rc->timer) {
        ioloop_timer_cancel(rc->timer);
        rc->timer = NULL;
    }
}

/* Close (gracefully: what we wrote still goes out). on_close follows. */
static void conn_close(rpc_conn *rc)
{
    if (rc->closing) return;
    rc->closing = true;
    conn_cancel_timer(rc);
    ioloop_conn_close(rc->c);
}

static void conn_write(rpc_conn *rc, mice_buf *out, uint64_t frames)
{
    rpc_transport *t = rc->t;
    size_t n = out->n;
    if (n == 0) return;
    /* Counted first: the write may reach the peer before ioloop_conn_write_buf returns. */
    STAT_ADD(t, frames_out, frames);
    STAT_ADD(t, bytes_out, n);
    if (ioloop_conn_write_buf(rc->c, out) != MICE_OK) { /* closing: on_close follows */
        STAT_SUB(t, frames_out, frames);
        STAT_SUB(t, bytes_out, n);
    }
}

static void conn_send_hello(rpc_conn *rc)
{
    rpc_transport *t = rc->t;
    Rpcpb__Hello h = RPCPB__HELLO__INIT;
    h.protocol_version = RPC_PROTOCOL_VERSION;
    h.node_id = t->node_id;
    h.cluster_id = t->cluster_id;
    h.incarnation = t->incarnation;
    char *addrs[PEER_ADDRS_IN_HELLO] = {t->advertise};
    if (t->advertise[0]) {
        h.n_addresses = PEER_ADDRS_IN_HELLO;
        h.addresses = addrs;
    }
    mice_buf out;
    buf_init(&out);
    rpc_pack_frame(&h.base, RPC_FRAME_HELLO, &out);
    conn_write(rc, &out, 1);
}

static void handshake_timed_out(ioloop_timer *timer, void *ctx)
{
    (void)timer;
    rpc_conn *rc = ctx;
    rc->timer = NULL;
    rpc_transport *t = rc->t;
    if (!rc->c) {
        /* Still dialing: give up on it; the connect callback frees it when it comes. */
        rc->abandoned = true;
        peer *p = rc->peer;
        rc->peer = NULL;
        if (p && p->dialing == rc) {
            p->dialing = NULL;
            peer_dial_failed(t, p, "connect timed out");
        }
        return;
    }
    log_warn("rpc: %s: no Hello within %u ms; closing", ioloop_conn_peer(rc->c),
             t->connect_timeout_ms);
    conn_close(rc);
}

/* An open connection (accepted, or our dial connected): start the handshake. */
static void conn_opened(rpc_conn *rc, ioloop_conn *c)
{
    rpc_transport *t = rc->t;
    rc->c = c;
    ioloop_conn_set_data(c, rc);
    ioloop_conn_set_read_pause(c, false);
    ioloop_conn_set_linger_ms(c, CLOSE_LINGER_MS);
    STAT_ADD(t, conns_open, 1);
    conn_send_hello(rc);
    if (!rc->timer)
        rc->timer = ioloop_timer_start(t->loop, t->connect_timeout_ms, 0, handshake_timed_out, rc);
}

static void conn_accepted(ioloop_conn *c, void *ctx)
{
    rpc_transport *t = ctx;
    if (t->dead) {
        ioloop_conn_close(c); /* on_close sees no data and does nothing */
        return;
    }
    rpc_conn *rc = conn_new(t, false);
    conn_opened(rc, c);
}

static void conn_connected(ioloop_conn *c, mice_status status, const mice_err *err, void *ctx)
{
    rpc_conn *rc = ctx;
    rpc_transport *t = rc->t;
    if (rc->abandoned || t->dead) {
        if (c) {
            ioloop_conn_set_data(c, rc);
            rc->c = c;
            STAT_ADD(t, conns_open, 1);
            rc->closing = true;
            ioloop_conn_close(c); /* on_close frees rc */
        } else {
            conn_free(rc);
        }
        return;
    }
    if (!c) {
        peer *p = rc->peer;
        bool was_dialing = p && p->dialing == rc;
        conn_cancel_timer(rc);
        conn_free(rc);
        if (was_dialing) {
            p->dialing = NULL;
            peer_dial_failed(t, p, err ? err->msg : mice_status_str(status));
        }
        return;
    }
    conn_opened(rc, c);
}

/* Dial p unless it is connected, being dialed, or has no address. */
static void peer_dial(rpc_transport *t, peer *p)
{
    if (p->conn || p->dialing || !p->addr[0] || t->dead) return;
    rpc_conn *rc = conn_new(t, true);
    rc->peer = p;
    rc->peer_node = p->node_id;
    p->dialing = rc;
    STAT_ADD(t, dials, 1);
    rc->timer = ioloop_timer_start(t->loop, t->connect_timeout_ms, 0, handshake_timed_out, rc);
    mice_err err;
    if (ioloop_connect(t->loop, p->addr, &conn_ops, rc, conn_connected, &err) != MICE_OK) {
        p->dialing = NULL;
        conn_cancel_timer(rc);
        conn_free(rc);
        peer_dial_failed(t, p, err.msg);
    }
}

static void retire_expired(ioloop_timer *timer, void *ctx)
{
    (void)timer;
    rpc_conn *rc = ctx;
    rc->timer = NULL;
    conn_close(rc);
}

/* rc lost to another connection to its peer. Both sides retire the same one: each stops
 * writing to it (half-close after what was written) but reads it until the other side's
 * EOF, so nothing either side wrote before deciding is lost. */
static void conn_retire(rpc_conn *rc)
{
    rpc_transport *t = rc->t;
    if (rc->retired || rc->closing) return;
    rc->retired = true;
    conn_cancel_timer(rc);
    ioloop_conn_shutdown_write(rc->c);
    rc->timer = ioloop_timer_start(t->loop, RETIRE_MAX_MS, 0, retire_expired, rc);
}

/* Which of two live connections to one peer both sides keep. */
static bool conn_preferred(const rpc_transport *t, const rpc_conn *fresh, const rpc_conn *old)
{
    if (fresh->incarnation != old->incarnation) return true; /* old is a dead process's */
    if (fresh->outbound == old->outbound) return true;       /* same dialer: the newer */
    uint64_t smaller = t->node_id < fresh->peer_node ? t->node_id : fresh->peer_node;
    uint64_t fresh_dialer = fresh->outbound ? t->node_id : fresh->peer_node;
    return fresh_dialer == smaller;
}

/* An address from a peer's Hello worth remembering: parses, and is not a wildcard that a
 * node listening on every interface would advertise unless told its real address. */
static bool dialable(const char *addr)
{
    struct sockaddr_storage sa;
    if (!addr || strlen(addr) >= IOLOOP_ADDR_MAX) return false;
    if (ioloop_parse_addr(addr, &sa, NULL) != MICE_OK) return false;
    static const char *const wildcards[] = {"0.0.0.0:", ":", "*:", "[::]:"};
    for (size_t i = 0; i < sizeof wildcards / sizeof wildcards[0]; i++) {
        if (strncmp(addr, wildcards[i], strlen(wildcards[i])) == 0) return false;
    }
    return true;
}

/* Both Hellos are in: rc becomes the peer's connection (or loses to the one it has). */
static void conn_established(rpc_conn *rc, const Rpcpb__Hello *h)
{
    rpc_transport *t = rc->t;
    peer *p = peer_get(t, rc->peer_node);
    rc->peer = p;
    if (!p->addr[0] && h->n_addresses > 0 && dialable(h->addresses[0]))
        snprintf(p->addr, sizeof p->addr, "%s", h->addresses[0]);
    if (p->dialing == rc) p->dialing = NULL;
    rpc_conn *old = p->conn;
    if (old) {
        if (!conn_preferred(t, rc, old)) {
            conn_retire(rc);
            return;
        }
        if (rc->incarnation != old->incarnation) {
            /* The peer restarted: nothing sent to its old process will be answered. */
            conn_close(old);
            peer_fail_calls(t, p, CALLS_SENT, "the node restarted");
        } else {
            conn_retire(old); /* answers to calls sent on it come on rc */
        }
    }
    p->conn = rc;
    STAT_ADD(t, handshakes, 1);
    if (p->ever_connected) STAT_ADD(t, reconnects, 1);
    log_info("rpc: connected to node %llu (%s, %s)", (unsigned long long)p->node_id,
             ioloop_conn_peer(rc->c), rc->outbound ? "dialed" : "accepted");
    p->ever_connected = true;
    p->failures = 0;
    p->wanted = false;
    if (p->backoff) {
        ioloop_timer_cancel(p->backoff);
        p->backoff = NULL;
    }
    peer_flush(t, p);
}

static void conn_reject(rpc_conn *rc, const char *why)
{
    rpc_transport *t = rc->t;
    STAT_ADD(t, handshake_rejects, 1);
    log_warn("rpc: %s: refused: %s", ioloop_conn_peer(rc->c), why);
    conn_close(rc);
}

static mice_status on_hello(rpc_conn *rc, mice_slice body, mice_err *err)
{
    rpc_transport *t = rc->t;
    ProtobufCMessage *m = NULL;
    mice_status rc_st = rpc_unpack(&rpcpb__hello__descriptor, body, &m, err);
    if (rc_st) return rc_st;
    Rpcpb__Hello *h = (Rpcpb__Hello *)m;
    char why[MICE_ERR_MSG_MAX] = "";
    if (h->protocol_version != RPC_PROTOCOL_VERSION) {
        snprintf(why, sizeof why, "protocol version %u (ours %u)", h->protocol_version,
                 RPC_PROTOCOL_VERSION);
    } else if (!h->cluster_id || strcmp(h->cluster_id, t->cluster_id) != 0) {
        snprintf(why, sizeof why, "node %llu is in cluster \"%.64s\", not \"%s\"",
                 (unsigned long long)h->node_id, h->cluster_id ? h->cluster_id : "", t->cluster_id);
    } else if (h->node_id == 0 || h->node_id == t->node_id) {
        snprintf(why, sizeof why, "peer claims node id %llu (ours is %llu)",
                 (unsigned long long)h->node_id, (unsigned long long)t->node_id);
    } else if (rc->outbound && h->node_id != rc->peer_node) {
        snprintf(why, sizeof why, "dialed node %llu but node %llu answered",
                 (unsigned long long)rc->peer_node, (unsigned long long)h->node_id);
    }
    if (why[0]) {
        rpc_unpacked_free(m);
        conn_reject(rc, why);
        return MICE_OK; /* handled: the connection is closing */
    }
    rc->hello_done = true;
    rc->peer_node = h->node_id;
    rc->incarnation = h->incarnation;
    conn_cancel_timer(rc);
    conn_established(rc, h);
    rpc_unpacked_free(m);
    return MICE_OK;
}

/* ---- inbound frames ---- */

static mice_status deliver(rpc_conn *rc, rpc_msg_kind kind, const ProtobufCMessage *msg,
                           mice_err *err)
{
    rpc_transport *t = rc->t;
    STAT_ADD(t, msgs_in, 1);
    rpc_inbound in = {.from_node = rc->peer_node, .kind = kind, .msg = msg};
    mice_status st = MICE_OK;
    pthread_mutex_lock(&t->handlers_mu);
    if (t->on_message) st = t->on_message(t->message_ctx, &in);
    pthread_mutex_unlock(&t->handlers_mu);
    if (st)
        return mice_err_setf(err, st, "%s message rejected by its handler",
                             rpc_msg_kind_name(kind));
    return MICE_OK;
}

static mice_status on_raft_batch(rpc_conn *rc, mice_slice body, mice_err *err)
{
    ProtobufCMessage *m = NULL;
    mice_status st = rpc_unpack(&rpcpb__raft_batch__descriptor, body, &m, err);
    if (st) return st;
    Rpcpb__RaftBatch *b = (Rpcpb__RaftBatch *)m;
    for (size_t i = 0; i < b->n_msgs && st == MICE_OK && !rc->closing; i++)
        st = deliver(rc, RPC_MSG_RAFT, &b->msgs[i]->base, err);
    rpc_unpacked_free(m);
    return st;
}

static mice_status on_one_way(rpc_conn *rc, rpc_msg_kind kind, mice_slice body, mice_err *err)
{
    ProtobufCMessage *m = NULL;
    mice_status st = rpc_unpack(rpc_msg_descriptor(kind), body, &m, err);
    if (st) return st;
    st = deliver(rc, kind, m, err);
    rpc_unpacked_free(m);
    return st;
}

static mice_status on_request(rpc_conn *rc, mice_slice body, mice_err *err)
{
    rpc_transport *t = rc->t;
    ProtobufCMessage *m = NULL;
    mice_status st = rpc_unpack(&rpcpb__request__descriptor, body, &m, err);
    if (st) return st;
    Rpcpb__Request *q = (Rpcpb__Request *)m;
    rpc_request *req = mice_malloc(sizeof *req + q->payload.len);
    req->t = t;
    transport_ref(t);
    req->from_node = rc->peer_node;
    req->call_id = q->call_id;
    req->timeout_ms = q->timeout_ms;
    req->method = q->method;
    req->payload_n = q->payload.len;
    if (q->payload.len) memcpy(req->payload, q->payload.data, q->payload.len);
    rpc_unpacked_free(m);
    STAT_ADD(t, requests_in, 1);
    if (req->method == RPCPB__METHOD__METHOD_PING) {
        rpc_respond(req, MICE_OK, NULL, mice_slice_of(req->payload, req->payload_n));
        return MICE_OK;
    }
    pthread_mutex_lock(&t->handlers_mu);
    uint32_t method = req->method;
    bool by_method = method < RPC_METHOD_HANDLERS_MAX && t->method_fn[method];
    bool handled = by_method || t->on_request != NULL;
    if (by_method)
        t->method_fn[method](t->method_ctx[method], req);
    else if (handled)
        t->on_request(t->request_ctx, req);
    pthread_mutex_unlock(&t->handlers_mu);
    if (!handled) {
        mice_err e;
        mice_err_setf(&e, MICE_UNSUPPORTED, "node %llu serves no method %u",
                      (unsigned long long)t->node_id, req->method);
        rpc_respond(req, MICE_UNSUPPORTED, &e, mice_slice_of(NULL, 0));
    }
    return MICE_OK;
}

static mice_status on_response(rpc_conn *rc, mice_slice body, mice_err *err)
{
    rpc_transport *t = rc->t;
    ProtobufCMessage *m = NULL;
    mice_status st = rpc_unpack(&rpcpb__response__descriptor, body, &m, err);
    if (st) return st;
    Rpcpb__Response *r = (Rpcpb__Response *)m;
    call_state *c = u64map_get(&t->calls, r->call_id);
    /* Late (timed out already) or not ours: nothing waits for it. */
    if (c && c->to_node == rc->peer_node) {
        if (r->status == MICE_OK) {
            call_succeed(t, c, mice_slice_of(r->payload.data, r->payload.len));
        } else {
            mice_status code =
                r->status < MICE_STATUS_COUNT ? (mice_status)r->status : MICE_INTERNAL;
            call_fail(t, c, code, "node %llu: %s", (unsigned long long)rc->peer_node,
                      r->error && r->error[0] ? r->error : mice_status_str(code));
        }
    }
    rpc_unpacked_free(m);
    return MICE_OK;
}

static mice_status on_frame(rpc_conn *rc, const rpc_frame *f, mice_err *err)
{
    if (!rc->hello_done) {
        if (f->type != RPC_FRAME_HELLO)
            return mice_err_setf(err, MICE_CORRUPT, "%s frame before the Hello",
                                 frame_type_name(f->type));
        return on_hello(rc, f->body, err);
    }
    rpc_msg_kind kind;
    switch (f->type) {
    case RPC_FRAME_HELLO:
        return mice_err_setf(err, MICE_CORRUPT, "a second Hello");
    case RPC_FRAME_RAFT_BATCH:
        return on_raft_batch(rc, f->body, err);
    case RPC_FRAME_REQUEST:
        return on_request(rc, f->body, err);
    case RPC_FRAME_RESPONSE:
        return on_response(rc, f->body, err);
    default:
        if (!rpc_frame_msg_kind(f->type, &kind))
            return mice_err_setf(err, MICE_CORRUPT, "unexpected %s frame",
                                 frame_type_name(f->type));
        return on_one_way(rc, kind, f->body, err);
    }
}

static void conn_data(ioloop_conn *c, mice_slice bytes)
{
    rpc_conn *rc = ioloop_conn_data(c);
    if (!rc || rc->closing) return;
    rpc_transport *t = rc->t;
    frame_decoder_feed(&rc->dec, bytes);
    for (;;) {
        rpc_frame f;
        mice_err err;
        mice_status st = frame_decoder_next(&rc->dec, &f, &err);
        if (st == MICE_AGAIN) return;
        if (st == MICE_OK) {
            STAT_ADD(t, frames_in, 1);
            STAT_ADD(t, bytes_in, RPC_FRAME_HEADER_BYTES + f.body.n);
            st = on_frame(rc, &f, &err);
        }
        if (st != MICE_OK) {
            STAT_ADD(t, corrupt_frames, 1);
            log_warn("rpc: %s (node %llu): closing: %s", ioloop_conn_peer(c),
                     (unsigned long long)rc->peer_node, err.msg);
            conn_close(rc);
            return;
        }
        if (rc->closing) return;
    }
}

static void conn_drained(ioloop_conn *c)
{
    rpc_conn *rc = ioloop_conn_data(c);
    if (!rc || rc->t->dead || !rc->peer || rc->peer->conn != rc) return;
    peer_flush(rc->t, rc->peer);
}

static void conn_closed(ioloop_conn *c, mice_status why)
{
    rpc_conn *rc = ioloop_conn_data(c);
    if (!rc) return; /* accepted while the transport was being torn down */
    rpc_transport *t = rc->t;
    STAT_SUB(t, conns_open, 1);
    conn_cancel_timer(rc);
    peer *p = rc->peer;
    if (!t->dead && p) {
        if (p->conn == rc) {
            p->conn = NULL;
            log_info("rpc: lost connection to node %llu (%s: %s)", (unsigned long long)p->node_id,
                     ioloop_conn_peer(c), mice_status_str(why));
            peer_fail_calls(t, p, CALLS_SENT, "connection lost");
            if (p->head) peer_dial(t, p); /* queued traffic: reconnect at once */
        } else if (p->dialing == rc) {
            p->dialing = NULL;
            peer_dial_failed(t, p, rc->closing ? "handshake failed" : "closed during handshake");
        }
        /* else: a retired or replaced connection; its calls wait for answers on p->conn */
    }
    conn_free(rc);
}

static const ioloop_conn_ops conn_ops = {
    .on_open = conn_accepted,
    .on_data = conn_data,
    .on_drain = conn_drained,
    .on_close = conn_closed,
};

/* ---- outbound: one write per peer per turn ---- */

static void mark_call_sent(rpc_transport *t, uint64_t call_id, uint64_t serial)
{
    call_state *c = u64map_get(&t->calls, call_id);
    if (c) c->conn_serial = serial;
}

/* Write p's queue to its connection as one buffer: consecutive Raft messages in one
 * RaftBatch frame (split at the frame limit), everything else a frame each. Stops once the
 * socket's backlog passes the high-water mark; on_drain resumes. */
static void peer_flush(rpc_transport *t, peer *p)
{
    rpc_conn *rc = p->conn;
    /* A connection the peer closed is closing before on_close tells us: what we wrote now
     * would be lost, so it stays queued for the connection that replaces this one. */
    if (!rc || rc->closing || ioloop_conn_is_closing(rc->c) || !p->head) return;
    size_t pending = ioloop_conn_pending_bytes(rc->c);
    if (pending > IOLOOP_WRITE_HIGH_WATER_BYTES) return;
    mice_buf out;
    buf_init(&out);
    size_t batch_at = SIZE_MAX;
    uint64_t frames = 0, msgs = 0;
    while (p->head && pending + out.n <= IOLOOP_WRITE_HIGH_WATER_BYTES) {
        rpc_item *it = p->head;
        p->head = it->next;
        if (!p->head) p->tail = NULL;
        p->queued_bytes -= item_cost(it);
        mice_slice bytes = mice_slice_of(it->data, it->n);
        if (it->frame == RPC_FRAME_RAFT_BATCH) {
            size_t add = rpc_raft_batch_item_bytes(it->n);
            if (batch_at != SIZE_MAX &&
                out.n - batch_at - RPC_FRAME_HEADER_BYTES + add > t->frame_bytes_max) {
                frame_finish(&out, batch_at, RPC_FRAME_RAFT_BATCH);
                batch_at = SIZE_MAX;
            }
            if (batch_at == SIZE_MAX) {
                batch_at = frame_begin(&out);
                frames++;
            }
            rpc_raft_batch_add(&out, bytes);
        } else {
            if (batch_at != SIZE_MAX) frame_finish(&out, batch_at, RPC_FRAME_RAFT_BATCH);
            batch_at = SIZE_MAX;
            frame_append(&out, it->frame, bytes);
            frames++;
            if (it->op == OP_CALL) mark_call_sent(t, it->call_id, rc->serial);
        }
        if (it->op == OP_SEND) msgs++;
        free(it);
    }
    if (batch_at != SIZE_MAX) frame_finish(&out, batch_at, RPC_FRAME_RAFT_BATCH);
    STAT_ADD(t, msgs_out, msgs);
    conn_write(rc, &out, frames);
    buf_deinit(&out);
}

/* ---- the drain: items from other threads, filed per peer ---- */

static void handle_send(rpc_transport *t, rpc_item *it)
{
    peer *p = peer_get(t, it->to_node);
    const char *refused = peer_admit(t, p, item_cost(it));
    if (refused) {
        if (it->op == OP_SEND) STAT_ADD(t, msgs_dropped, 1);
        free(it);
        return;
    }
    peer_enqueue(t, p, it);
}

static void handle_call(rpc_transport *t, rpc_item *it)
{
    call_state *c = it->call;
    it->call = NULL;
    peer *p = peer_get(t, it->to_node);
    /* Admit before the call joins the peer: a dial that fails at once fails the peer's
     * queued calls, and this one is not queued. */
    const char *refused = peer_admit(t, p, item_cost(it));
    if (refused) {
        free(it);
        call_fail(t, c, MICE_UNAVAILABLE, "node %llu: %s", (unsigned long long)p->node_id, refused);
        return;
    }
    c->peer = p;
    c->next = p->calls;
    if (p->calls) p->calls->prev = c;
    p->calls = c;
    u64map_put(&t->calls, c->call_id, c);
    c->timer = ioloop_timer_start(t->loop, c->timeout_ms, 0, call_timed_out, c);
    peer_enqueue(t, p, it);
}

static void handle_item(rpc_transport *t, rpc_item *it)
{
    switch (it->op) {
    case OP_SET_ADDR: {
        peer *p = peer_get(t, it->to_node);
        snprintf(p->addr, sizeof p->addr, "%s", (const char *)it->data);
        free(it);
        return;
    }
    case OP_CALL:
        handle_call(t, it);
        return;
    case OP_SEND:
    case OP_RESPOND:
        handle_send(t, it);
        return;
    }
    mice_unreachable();
}

static void flush_dirty(rpc_transport *t)
{
    while (t->dirty) {
        peer *p = t->dirty;
        t->dirty = p->dirty_next;
        p->dirty = false;
        p->dirty_next = NULL;
        peer_flush(t, p);
    }
}

static void drain_task(void *ctx)
{
    rpc_transport *t = ctx;
    if (!t->dead) {
        size_t i = 0;
        mpsc_node *n = NULL;
        for (; i < DRAIN_ITEMS_PER_TURN && (n = mpsc_pop(&t->inbox)); i++)
            handle_item(t, MPSC_CONTAINER(n, rpc_item, node));
        /* Stopped with items left: the queue was not seen empty, so no wake-up is owed. */
        if (i == DRAIN_ITEMS_PER_TURN) post_drain(t);
        flush_dirty(t);
    }
    transport_unref(t);
}

/* ---- public: any thread ---- */

void rpc_config_init(rpc_config *cfg, uint64_t node_id, const char *cluster_id)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->node_id = node_id;
    cfg->cluster_id = cluster_id;
}

uint64_t rpc_request_from(const rpc_request *req)
{
    return req->from_node;
}

uint32_t rpc_request_method(const rpc_request *req)
{
    return req->method;
}

uint64_t rpc_request_timeout_ms(const rpc_request *req)
{
    return req->timeout_ms;
}

mice_slice rpc_request_payload(const rpc_request *req)
{
    return mice_slice_of(req->payload, req->payload_n);
}

void rpc_set_message_handler(rpc_transport *t, rpc_message_fn fn, void *ctx)
{
    pthread_mutex_lock(&t->handlers_mu);
    t->on_message = fn;
    t->message_ctx = ctx;
    pthread_mutex_unlock(&t->handlers_mu);
}

void rpc_set_request_handler(rpc_transport *t, rpc_request_fn fn, void *ctx)
{
    pthread_mutex_lock(&t->handlers_mu);
    t->on_request = fn;
    t->request_ctx = ctx;
    pthread_mutex_unlock(&t->handlers_mu);
}

void rpc_set_destroy_hook(rpc_transport *t, void (*fn)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&t->handlers_mu);
    t->destroy_hook = fn;
    t->destroy_ctx = ctx;
    pthread_mutex_unlock(&t->handlers_mu);
}

void rpc_set_method_handler(rpc_transport *t, uint32_t method, rpc_request_fn fn, void *ctx)
{
    mice_assert(method < RPC_METHOD_HANDLERS_MAX);
    pthread_mutex_lock(&t->handlers_mu);
    t->method_fn[method] = fn;
    t->method_ctx[method] = ctx;
    pthread_mutex_unlock(&t->handlers_mu);
}

void rpc_respond(rpc_request *req, mice_status status, const mice_err *err, mice_slice payload)
{
    rpc_transport *t = req->t;
    Rpcpb__Response r = RPCPB__RESPONSE__INIT;
    r.call_id = req->call_id;
    r.status = (uint32_t)status;
    r.error = (char *)(status != MICE_OK && err ? err->msg : "");
    if (status == MICE_OK) {
        r.payload.data = (uint8_t *)payload.p;
        r.payload.len = payload.n;
    }
    size_t n = protobuf_c_message_get_packed_size(&r.base);
    if (n > t->frame_bytes_max) {
        /* Too long to send: the caller learns why instead of timing out. */
        r.status = MICE_LIMIT;
        r.error = "response longer than the frame limit";
        r.payload.data = NULL;
        r.payload.len = 0;
        n = protobuf_c_message_get_packed_size(&r.base);
    }
    rpc_item *it = item_new(OP_RESPOND, RPC_FRAME_RESPONSE, req->from_node, n);
    size_t wrote = protobuf_c_message_pack(&r.base, it->data);
    mice_assert(wrote == n);
    if (submit(t, it) != MICE_OK) free(it);
    free(req);
    transport_unref(t);
}

mice_status rpc_set_peer_addr(rpc_transport *t, uint64_t node_id, const char *addr)
{
    struct sockaddr_storage sa;
    if (node_id == 0) return MICE_INVALID;
    if (ioloop_parse_addr(addr, &sa, NULL) != MICE_OK) return MICE_INVALID;
    size_t n = strlen(addr);
    rpc_item *it = item_new(OP_SET_ADDR, RPC_FRAME_HELLO, node_id, n);
    memcpy(it->data, addr, n);
    mice_status rc = submit(t, it);
    if (rc) free(it);
    return rc;
}

mice_status rpc_send(rpc_transport *t, uint64_t to_node, rpc_msg_kind kind,
                     const ProtobufCMessage *msg)
{
    mice_assert(rpc_msg_kind_valid(kind));
    mice_assert(msg->descriptor == rpc_msg_descriptor(kind));
    if (to_node == 0 || to_node == t->node_id) return MICE_INVALID;
    size_t n = protobuf_c_message_get_packed_size(msg);
    size_t framed = kind == RPC_MSG_RAFT ? rpc_raft_batch_item_bytes(n) : n;
    if (framed > t->frame_bytes_max) return MICE_LIMIT;
    rpc_item *it = item_new(OP_SEND, rpc_msg_frame_type(kind), to_node, n);
    size_t wrote = protobuf_c_message_pack(msg, it->data);
    mice_assert(wrote == n);
    mice_status rc = submit(t, it);
    if (rc) free(it);
    return rc;
}

void rpc_payload_free(void *payload)
{
    mice_buf *b = payload;
    if (!b) return;
    buf_deinit(b);
    free(b);
}

mice_future *rpc_call(rpc_transport *t, uint64_t to_node, uint32_t method, mice_slice payload,
                      uint64_t timeout_ms)
{
    mice_future *f = future_create();
    if (to_node == 0 || to_node == t->node_id) {
        future_failf(f, MICE_INVALID, "cannot call node %llu", (unsigned long long)to_node);
        return f;
    }
    if (timeout_ms == 0) timeout_ms = RPC_CALL_TIMEOUT_MS_DEFAULT;
    Rpcpb__Request q = RPCPB__REQUEST__INIT;
    q.call_id = atomic_fetch_add(&t->next_call_id, 1);
    q.method = method;
    q.timeout_ms = timeout_ms;
    q.payload.data = (uint8_t *)payload.p;
    q.payload.len = payload.n;
    size_t n = protobuf_c_message_get_packed_size(&q.base);
    if (n > t->frame_bytes_max) {
        future_failf(f, MICE_LIMIT, "request of %zu bytes exceeds the frame limit of %zu", n,
                     t->frame_bytes_max);
        return f;
    }
    rpc_item *it = item_new(OP_CALL, RPC_FRAME_REQUEST, to_node, n);
    size_t wrote = protobuf_c_message_pack(&q.base, it->data);
    mice_assert(wrote == n);
    call_state *c = mice_calloc(1, sizeof *c);
    c->t = t;
    c->call_id = q.call_id;
    c->to_node = to_node;
    c->timeout_ms = timeout_ms;
    c->method = method;
    c->future = f;
    it->call_id = q.call_id;
    it->call = c;
    STAT_ADD(t, calls_out, 1);
    if (submit(t, it) != MICE_OK) {
        free(it);
        free(c);
        STAT_ADD(t, calls_failed, 1);
        future_failf(f, MICE_CLOSED, "the transport is shutting down");
    }
    return f;
}

mice_status rpc_call_wait(rpc_transport *t, uint64_t to_node, uint32_t method, mice_slice payload,
                          uint64_t timeout_ms, mice_buf *out, mice_err *err)
{
    mice_future *f = rpc_call(t, to_node, method, payload, timeout_ms);
    void *value = NULL;
    mice_status rc = future_wait(f, FUTURE_WAIT_FOREVER, &value, err);
    future_release(f);
    if (rc == MICE_OK) {
        mice_buf *b = value;
        buf_append(out, b->p, b->n);
        rpc_payload_free(b);
    }
    return rc;
}

rpc_stats rpc_get_stats(const rpc_transport *t)
{
    rpc_stats s;
#define LOAD(f) s.f = atomic_load_explicit(&t->stats.f, memory_order_relaxed)
    LOAD(frames_out);
    LOAD(frames_in);
    LOAD(bytes_out);
    LOAD(bytes_in);
    LOAD(msgs_out);
    LOAD(msgs_in);
    LOAD(msgs_dropped);
    LOAD(calls_out);
    LOAD(calls_ok);
    LOAD(calls_failed);
    LOAD(calls_timed_out);
    LOAD(requests_in);
    LOAD(dials);
    LOAD(dial_failures);
    LOAD(handshakes);
    LOAD(reconnects);
    LOAD(handshake_rejects);
    LOAD(corrupt_frames);
    LOAD(conns_open);
#undef LOAD
    return s;
}

ioloop *rpc_transport_loop(const rpc_transport *t)
{
    return t->loop;
}

uint64_t rpc_transport_node_id(const rpc_transport *t)
{
    return t->node_id;
}

int rpc_transport_port(const rpc_transport *t)
{
    return t->port;
}

/* ---- create and destroy ---- */

static mice_status config_check(const rpc_config *cfg, mice_err *err)
{
    if (cfg->node_id == 0) return mice_err_setf(err, MICE_INVALID, "rpc: node id 0");
    if (!cfg->cluster_id || !cfg->cluster_id[0])
        return mice_err_setf(err, MICE_INVALID, "rpc: empty cluster id");
    if (strlen(cfg->cluster_id) >= RPC_CLUSTER_ID_MAX)
        return mice_err_setf(err, MICE_INVALID, "rpc: cluster id longer than %d bytes",
                             RPC_CLUSTER_ID_MAX - 1);
    if (cfg->frame_bytes_max > RPC_FRAME_BYTES_MAX_LIMIT)
        return mice_err_setf(err, MICE_INVALID, "rpc: frame limit above %d bytes",
                             RPC_FRAME_BYTES_MAX_LIMIT);
    if (cfg->advertise_addr && strlen(cfg->advertise_addr) >= IOLOOP_ADDR_MAX)
        return mice_err_setf(err, MICE_INVALID, "rpc: advertised address too long");
    return MICE_OK;
}

static void config_apply(rpc_transport *t, const rpc_config *cfg)
{
    t->node_id = cfg->node_id;
    snprintf(t->cluster_id, sizeof t->cluster_id, "%s", cfg->cluster_id);
    t->on_message = cfg->on_message;
    t->message_ctx = cfg->handler_ctx;
    t->on_request = cfg->on_request;
    t->request_ctx = cfg->handler_ctx;
    t->frame_bytes_max = cfg->frame_bytes_max ? cfg->frame_bytes_max : RPC_FRAME_BYTES_MAX_DEFAULT;
    t->peer_queue_bytes_max =
        cfg->peer_queue_bytes_max ? cfg->peer_queue_bytes_max : RPC_PEER_QUEUE_BYTES_DEFAULT;
    if (t->peer_queue_bytes_max < t->frame_bytes_max + ITEM_OVERHEAD_BYTES)
        t->peer_queue_bytes_max = t->frame_bytes_max + ITEM_OVERHEAD_BYTES;
    t->backoff_initial_ms =
        cfg->backoff_initial_ms ? cfg->backoff_initial_ms : RPC_BACKOFF_INITIAL_MS_DEFAULT;
    t->backoff_max_ms = cfg->backoff_max_ms ? cfg->backoff_max_ms : RPC_BACKOFF_MAX_MS_DEFAULT;
    if (t->backoff_max_ms < t->backoff_initial_ms) t->backoff_max_ms = t->backoff_initial_ms;
    t->connect_timeout_ms =
        cfg->connect_timeout_ms ? cfg->connect_timeout_ms : RPC_CONNECT_TIMEOUT_MS_DEFAULT;
    const mice_env *env = cfg->env ? cfg->env : mice_env_real();
    prng_seed(&t->prng, env_entropy(env));
    t->incarnation = prng_next(&t->prng) | 1;
}

/* "host:port" with the bound port, from the listen address. */
static void advertise_from_listen(rpc_transport *t, const char *listen_addr)
{
    const char *colon = strrchr(listen_addr, ':');
    int host_n = colon ? (int)(colon - listen_addr) : 0;
    snprintf(t->advertise, sizeof t->advertise, "%.*s:%d", host_n, listen_addr, t->port);
}

mice_status rpc_transport_create(ioloop *loop, const rpc_config *cfg, rpc_transport **out,
                                 mice_err *err)
{
    *out = NULL;
    mice_assert(!ioloop_on_loop_thread(loop));
    mice_status rc = config_check(cfg, err);
    if (rc) return rc;
    rpc_transport *t = mice_calloc(1, sizeof *t);
    t->loop = loop;
    pthread_mutex_init(&t->handlers_mu, NULL);
    config_apply(t, cfg);
    atomic_init(&t->refs, 1);
    atomic_init(&t->next_call_id, 1);
    mpsc_init(&t->inbox, inbox_wake, t);
    u64map_init(&t->peers);
    u64map_init(&t->calls);
    if (cfg->listen_addr && cfg->listen_addr[0]) {
        rc = ioloop_listen(loop, cfg->listen_addr, &conn_ops, t, &t->listener, err);
        if (rc) {
            transport_unref(t);
            return rc;
        }
        t->port = ioloop_listener_port(t->listener);
        advertise_from_listen(t, cfg->listen_addr);
    }
    if (cfg->advertise_addr) snprintf(t->advertise, sizeof t->advertise, "%s", cfg->advertise_addr);
    *out = t;
    return MICE_OK;
}

static void free_inbox_item(rpc_item *it)
{
    if (it->op == OP_CALL && it->call) {
        future_failf(it->call->future, MICE_CLOSED, "the transport is shutting down");
        free(it->call);
    }
    free(it);
}

/* Release everything the io thread owns. loop_alive false: the loop already stopped and
 * closed our handles (timers are gone; connections reported their close). */
static void teardown(rpc_transport *t, bool loop_alive)
{
    t->dead = true;
    if (t->listener && loop_alive) ioloop_listener_close(t->listener);
    t->listener = NULL;
    mpsc_node *n;
    while ((n = mpsc_pop(&t->inbox)))
        free_inbox_item(MPSC_CONTAINER(n, rpc_item, node));
    uint64_t key;
    void *value;
    size_t pos = 0;
    while (u64map_next(&t->calls, &pos, &key, &value)) {
        call_state *c = value;
        if (!loop_alive) c->timer = NULL;
        c->peer = NULL; /* peers go below */
        if (c->timer) ioloop_timer_cancel(c->timer);
        c->timer = NULL;
        STAT_ADD(t, calls_failed, 1);
        future_failf(c->future, MICE_CLOSED, "the transport is shutting down");
        free(c);
    }
    u64map_deinit(&t->calls);
    pos = 0;
    while (u64map_next(&t->peers, &pos, &key, &value))
        peer_free(t, value, loop_alive);
    u64map_deinit(&t->peers);
    t->dirty = NULL;
    for (rpc_conn *rc = t->conns; rc; rc = rc->next) {
        rc->peer = NULL;
        if (!loop_alive) continue;
        conn_cancel_timer(rc);
        if (rc->c)
            conn_close(rc);
        else
            rc->abandoned = true;
    }
}

static void teardown_on_loop(void *ctx)
{
    teardown(ctx, true);
}

void rpc_transport_destroy(rpc_transport *t)
{
    if (!t) return;
    mice_assert(!ioloop_on_loop_thread(t->loop));
    pthread_mutex_lock(&t->handlers_mu);
    void (*hook)(void *) = t->destroy_hook;
    void *hook_ctx = t->destroy_ctx;
    t->destroy_hook = NULL;
    pthread_mutex_unlock(&t->handlers_mu);
    if (hook) hook(hook_ctx);
    atomic_store(&t->closed, true);
    while (atomic_load(&t->posters) != 0)
        sched_yield();
    if (ioloop_call(t->loop, teardown_on_loop, t) != MICE_OK) {
        /* The loop stopped first: wait for its thread so nothing else runs, then clean up
         * what its shutdown did not. */
        ioloop_stop(t->loop);
        teardown(t, false);
    }
    transport_unref(t);
}
