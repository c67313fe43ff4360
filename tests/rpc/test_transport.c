/* Unit tests for rpc/transport over real loopback sockets: two or three transports in one
 * process, each on its own io loop (as on a node). Delivery and order per peer, batching
 * (many sends in one loop turn make one frame), calls with responses from the io thread and
 * from other threads, remote errors, timeouts, unreachable peers and back-off, reconnect
 * after a peer's transport is destroyed and recreated on the same port, malformed frames
 * from a raw socket (the connection closes, the transport keeps serving), wrong cluster
 * and wrong node ids, simultaneous dials converging on one connection, bounded queues,
 * and destroy with calls outstanding. Handlers run on io threads and record what they
 * see under a mutex; cmocka's asserts stay on the test thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/check.h"
#include "base/crc32c.h"
#include "base/env.h"
#include "base/log.h"
#include "rpc/transport.h"

enum {
    WAIT_MAX_MS = 10000,
    RECORD_MAX = 200000,
    SOCKET_TIMEOUT_S = 10,
    METHOD_ECHO = 100,        /* answered on the io thread, payload reversed */
    METHOD_FROM_THREAD = 101, /* answered by another thread */
    METHOD_FAIL = 102,        /* answered with MICE_CONFLICT and a message */
    METHOD_HOLD = 103,        /* kept unanswered until the test releases it */
    HELD_MAX = 16,
};

#define CLUSTER "test-cluster"

/* ---- a node: a loop, a transport, and what its handlers saw ---- */

typedef struct record {
    uint64_t from_node;
    rpc_msg_kind kind;
    uint64_t range_id; /* raft: range_id; heartbeat: number of beats */
    uint64_t index;
} record;

typedef struct node {
    uint64_t id;
    ioloop *loop;
    rpc_transport *t;
    pthread_mutex_t mu; /* protects the records and held requests */
    record *recs;
    size_t n_recs;
    rpc_request *held[HELD_MAX];
    size_t n_held;
    atomic_int reject_next; /* the message handler fails the next message */
} node;

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

static size_t recs_count(node *n)
{
    pthread_mutex_lock(&n->mu);
    size_t c = n->n_recs;
    pthread_mutex_unlock(&n->mu);
    return c;
}

static bool wait_recs(node *n, size_t want)
{
    for (int i = 0; i < WAIT_MAX_MS; i++) {
        if (recs_count(n) >= want) return true;
        sleep_ms(1);
    }
    return false;
}

static mice_status on_message(void *ctx, const rpc_inbound *in)
{
    node *n = ctx;
    mice_assert(ioloop_on_loop_thread(n->loop));
    if (atomic_exchange(&n->reject_next, 0)) return MICE_CORRUPT;
    record r = {.from_node = in->from_node, .kind = in->kind};
    if (in->kind == RPC_MSG_RAFT) {
        const Rpcpb__RaftMessage *m = (const Rpcpb__RaftMessage *)in->msg;
        r.range_id = m->range_id;
        r.index = m->index;
    } else if (in->kind == RPC_MSG_HEARTBEAT) {
        const Rpcpb__NodeHeartbeat *h = (const Rpcpb__NodeHeartbeat *)in->msg;
        r.range_id = h->n_beats;
        r.index = h->n_beats ? h->beats[h->n_beats - 1]->commit : 0;
    }
    pthread_mutex_lock(&n->mu);
    mice_assert(n->n_recs < RECORD_MAX);
    n->recs[n->n_recs++] = r;
    pthread_mutex_unlock(&n->mu);
    return MICE_OK;
}

static void *respond_later(void *p)
{
    rpc_request *req = p;
    sleep_ms(5);
    mice_buf out;
    buf_init(&out);
    buf_printf(&out, "thread:%.*s", (int)rpc_request_payload(req).n,
               (const char *)rpc_request_payload(req).p);
    rpc_respond(req, MICE_OK, NULL, buf_slice(&out));
    buf_deinit(&out);
    return NULL;
}

static void on_request(void *ctx, rpc_request *req)
{
    node *n = ctx;
    mice_assert(ioloop_on_loop_thread(n->loop));
    mice_slice in = rpc_request_payload(req);
    switch (rpc_request_method(req)) {
    case METHOD_ECHO: {
        uint8_t *rev = malloc(in.n + 1);
        for (size_t i = 0; i < in.n; i++)
            rev[i] = in.p[in.n - 1 - i];
        rpc_respond(req, MICE_OK, NULL, mice_slice_of(rev, in.n));
        free(rev);
        return;
    }
    case METHOD_FROM_THREAD: {
        pthread_t th;
        mice_assert(pthread_create(&th, NULL, respond_later, req) == 0);
        pthread_detach(th);
        return;
    }
    case METHOD_FAIL: {
        mice_err err;
        mice_err_setf(&err, MICE_CONFLICT, "no luck for node %llu",
                      (unsigned long long)rpc_request_from(req));
        rpc_respond(req, MICE_CONFLICT, &err, mice_slice_of(NULL, 0));
        return;
    }
    case METHOD_HOLD:
        pthread_mutex_lock(&n->mu);
        mice_assert(n->n_held < HELD_MAX);
        n->held[n->n_held++] = req;
        pthread_mutex_unlock(&n->mu);
        return;
    default:
        rpc_respond(req, MICE_UNSUPPORTED, NULL, mice_slice_of(NULL, 0));
    }
}

static void release_held(node *n)
{
    pthread_mutex_lock(&n->mu);
    size_t k = n->n_held;
    rpc_request *held[HELD_MAX];
    memcpy(held, n->held, sizeof held);
    n->n_held = 0;
    pthread_mutex_unlock(&n->mu);
    for (size_t i = 0; i < k; i++)
        rpc_respond(held[i], MICE_OK, NULL, MICE_SLICE_LIT("late"));
}

static mice_status transport_start(node *n, const char *listen, const char *cluster,
                                   const rpc_config *tweak)
{
    rpc_config cfg;
    if (tweak)
        cfg = *tweak;
    else
        rpc_config_init(&cfg, 0, NULL);
    cfg.node_id = n->id;
    cfg.cluster_id = cluster;
    cfg.listen_addr = listen;
    cfg.on_message = on_message;
    cfg.on_request = on_request;
    cfg.handler_ctx = n;
    if (!cfg.backoff_initial_ms) cfg.backoff_initial_ms = 20;
    if (!cfg.backoff_max_ms) cfg.backoff_max_ms = 200;
    mice_err err;
    mice_status rc = rpc_transport_create(n->loop, &cfg, &n->t, &err);
    if (rc) print_message("transport %llu: %s\n", (unsigned long long)n->id, err.msg);
    return rc;
}

static node *node_start_with(uint64_t id, const char *cluster, const rpc_config *tweak)
{
    node *n = calloc(1, sizeof *n);
    assert_non_null(n);
    n->id = id;
    n->recs = calloc(RECORD_MAX, sizeof *n->recs);
    assert_non_null(n->recs);
    pthread_mutex_init(&n->mu, NULL);
    char name[16];
    snprintf(name, sizeof name, "io%llu", (unsigned long long)id);
    assert_int_equal(ioloop_start(name, &n->loop, NULL), MICE_OK);
    assert_int_equal(transport_start(n, "127.0.0.1:0", cluster, tweak), MICE_OK);
    assert_true(rpc_transport_port(n->t) > 0);
    return n;
}

static node *node_start(uint64_t id)
{
    return node_start_with(id, CLUSTER, NULL);
}

static void node_stop(node *n)
{
    rpc_transport_destroy(n->t);
    release_held(n); /* answers to a destroyed transport are dropped */
    ioloop_destroy(n->loop);
    pthread_mutex_destroy(&n->mu);
    free(n->recs);
    free(n);
}

static void introduce(node *a, node *b)
{
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(b->t));
    assert_int_equal(rpc_set_peer_addr(a->t, b->id, addr), MICE_OK);
}

static mice_status send_raft(node *from, uint64_t to, uint64_t range_id, uint64_t index,
                             size_t data_bytes)
{
    Rpcpb__RaftMessage m = RPCPB__RAFT_MESSAGE__INIT;
    m.range_id = range_id;
    m.from_node = from->id;
    m.to_node = to;
    m.type = RPCPB__RAFT_MESSAGE_TYPE__MSG_APP;
    m.index = index;
    Rpcpb__Entry e = RPCPB__ENTRY__INIT;
    Rpcpb__Entry *ep = &e;
    uint8_t *data = NULL;
    if (data_bytes) {
        data = malloc(data_bytes);
        memset(data, (int)(index & 0xff), data_bytes);
        e.index = index + 1;
        e.data.data = data;
        e.data.len = data_bytes;
        m.n_entries = 1;
        m.entries = &ep;
    }
    mice_status rc = rpc_send(from->t, to, RPC_MSG_RAFT, &m.base);
    free(data);
    return rc;
}

/* Records of `from` at n, in arrival order, must be range ids first..first+count-1. */
static void check_order(node *n, uint64_t from, uint64_t first, uint64_t count)
{
    pthread_mutex_lock(&n->mu);
    uint64_t want = first;
    for (size_t i = 0; i < n->n_recs; i++) {
        if (n->recs[i].from_node != from || n->recs[i].kind != RPC_MSG_RAFT) continue;
        if (n->recs[i].range_id < first || n->recs[i].range_id >= first + count) continue;
        if (n->recs[i].range_id != want) {
            pthread_mutex_unlock(&n->mu);
            fail_msg("node %llu: message %llu from %llu arrived where %llu was due",
                     (unsigned long long)n->id, (unsigned long long)n->recs[i].range_id,
                     (unsigned long long)from, (unsigned long long)want);
        }
        want++;
    }
    pthread_mutex_unlock(&n->mu);
    assert_int_equal(want, first + count);
}

static mice_status call(node *from, uint64_t to, uint32_t method, const char *payload,
                        uint64_t timeout_ms, mice_buf *out, mice_err *err)
{
    buf_reset(out);
    return rpc_call_wait(from->t, to, method, mice_slice_str(payload), timeout_ms, out, err);
}

/* Block a loop until the gate opens (to pile up work for one turn). */
typedef struct gate {
    atomic_bool entered, open;
} gate;

static void gate_wait(void *p)
{
    gate *g = p;
    atomic_store(&g->entered, true);
    while (!atomic_load(&g->open))
        sleep_ms(1);
}

static void gate_close(gate *g, ioloop *loop)
{
    atomic_store(&g->entered, false);
    atomic_store(&g->open, false);
    assert_int_equal(ioloop_post(loop, gate_wait, g), MICE_OK);
    while (!atomic_load(&g->entered))
        sleep_ms(1);
}

static bool wait_stat(node *n, size_t offset, uint64_t want)
{
    for (int i = 0; i < WAIT_MAX_MS; i++) {
        rpc_stats s = rpc_get_stats(n->t);
        if (*(const uint64_t *)((const char *)&s + offset) >= want) return true;
        sleep_ms(1);
    }
    return false;
}
#define WAIT_STAT(n, field, want) wait_stat((n), offsetof(rpc_stats, field), (want))

/* ---- tests ---- */

static void test_delivery_and_order_both_ways(void **state)
{
    (void)state;
    enum { MSGS = 3000 };
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b);
    introduce(b, a);
    /* Connect first: while two simultaneous dials merge, order is not promised. */
    mice_buf out;
    buf_init(&out);
    assert_int_equal(call(a, 2, RPCPB__METHOD__METHOD_PING, "", 2000, &out, NULL), MICE_OK);
    buf_deinit(&out);
    for (uint64_t i = 0; i < MSGS; i++) {
        assert_int_equal(send_raft(a, 2, i, i, i % 7 == 0 ? 300 : 0), MICE_OK);
        assert_int_equal(send_raft(b, 1, i, i, 0), MICE_OK);
    }
    assert_true(wait_recs(b, MSGS));
    assert_true(wait_recs(a, MSGS));
    check_order(b, 1, 0, MSGS);
    check_order(a, 2, 0, MSGS);
    rpc_stats sa = rpc_get_stats(a->t), sb = rpc_get_stats(b->t);
    assert_int_equal(sb.msgs_in, MSGS);
    assert_int_equal(sa.msgs_out, MSGS);
    assert_int_equal(sa.msgs_dropped, 0);
    /* One connection serves both directions. */
    assert_int_equal(sa.conns_open, 1);
    assert_int_equal(sb.conns_open, 1);
    print_message("3000 messages each way: %llu frames out of node 1, %llu of node 2\n",
                  (unsigned long long)sa.frames_out, (unsigned long long)sb.frames_out);
    node_stop(a);
    node_stop(b);
}

static void test_many_sends_in_one_turn_make_one_frame(void **state)
{
    (void)state;
    enum { MSGS = 500 };
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b);
    assert_int_equal(send_raft(a, 2, 0, 0, 0), MICE_OK);
    assert_true(wait_recs(b, 1)); /* connected, Hellos done */
    rpc_stats before_a = rpc_get_stats(a->t), before_b = rpc_get_stats(b->t);
    gate g;
    gate_close(&g, a->loop);
    for (uint64_t i = 1; i <= MSGS; i++)
        assert_int_equal(send_raft(a, 2, i, i, 100), MICE_OK);
    atomic_store(&g.open, true);
    assert_true(wait_recs(b, MSGS + 1));
    check_order(b, 1, 0, MSGS + 1);
    rpc_stats after_a = rpc_get_stats(a->t), after_b = rpc_get_stats(b->t);
    assert_int_equal(after_a.frames_out - before_a.frames_out, 1);
    assert_int_equal(after_b.frames_in - before_b.frames_in, 1);
    assert_int_equal(after_b.msgs_in - before_b.msgs_in, MSGS);

    /* A heartbeat in the middle splits the Raft run: three frames, still in order. */
    before_a = after_a;
    gate_close(&g, a->loop);
    assert_int_equal(send_raft(a, 2, MSGS + 1, 0, 0), MICE_OK);
    Rpcpb__RangeHeartbeat rh = RPCPB__RANGE_HEARTBEAT__INIT, *rhp = &rh;
    rh.range_id = 9;
    rh.commit = 77;
    Rpcpb__NodeHeartbeat hb = RPCPB__NODE_HEARTBEAT__INIT;
    hb.n_beats = 1;
    hb.beats = &rhp;
    assert_int_equal(rpc_send(a->t, 2, RPC_MSG_HEARTBEAT, &hb.base), MICE_OK);
    assert_int_equal(send_raft(a, 2, MSGS + 2, 0, 0), MICE_OK);
    atomic_store(&g.open, true);
    assert_true(wait_recs(b, MSGS + 4));
    after_a = rpc_get_stats(a->t);
    assert_int_equal(after_a.frames_out - before_a.frames_out, 3);
    pthread_mutex_lock(&b->mu);
    assert_int_equal(b->recs[MSGS + 1].range_id, MSGS + 1);
    assert_int_equal(b->recs[MSGS + 2].kind, RPC_MSG_HEARTBEAT);
    assert_int_equal(b->recs[MSGS + 2].index, 77);
    assert_int_equal(b->recs[MSGS + 3].range_id, MSGS + 2);
    pthread_mutex_unlock(&b->mu);
    node_stop(a);
    node_stop(b);
}

static void test_batches_split_at_the_frame_limit(void **state)
{
    (void)state;
    enum { MSGS = 40, DATA = 1000, FRAME_MAX = 8 * 1024 };
    rpc_config tweak;
    rpc_config_init(&tweak, 0, NULL);
    tweak.frame_bytes_max = FRAME_MAX;
    node *a = node_start_with(1, CLUSTER, &tweak), *b = node_start_with(2, CLUSTER, &tweak);
    introduce(a, b);
    gate g;
    gate_close(&g, a->loop);
    for (uint64_t i = 0; i < MSGS; i++)
        assert_int_equal(send_raft(a, 2, i, i, DATA), MICE_OK);
    atomic_store(&g.open, true);
    assert_true(wait_recs(b, MSGS));
    check_order(b, 1, 0, MSGS);
    rpc_stats s = rpc_get_stats(a->t);
    /* ~1 KiB each, 8 KiB frames: 5 to 7 batch frames plus the Hello. */
    print_message("%d messages of %d bytes: %llu frames\n", MSGS, DATA,
                  (unsigned long long)s.frames_out);
    assert_true(s.frames_out >= 1 + MSGS * DATA / FRAME_MAX);
    assert_true(s.frames_out <= 1 + MSGS / 5);
    /* A message longer than the limit is refused at once. */
    assert_int_equal(send_raft(a, 2, 999, 0, FRAME_MAX), MICE_LIMIT);
    mice_buf big;
    buf_init(&big);
    memset(buf_extend(&big, FRAME_MAX), 'x', FRAME_MAX);
    mice_err err;
    mice_buf out;
    buf_init(&out);
    assert_int_equal(rpc_call_wait(a->t, 2, METHOD_ECHO, buf_slice(&big), 1000, &out, &err),
                     MICE_LIMIT);
    buf_deinit(&big);
    buf_deinit(&out);
    node_stop(a);
    node_stop(b);
}

static void test_calls(void **state)
{
    (void)state;
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b);
    mice_buf out;
    buf_init(&out);
    mice_err err;
    assert_int_equal(call(a, 2, METHOD_ECHO, "hello", 2000, &out, &err), MICE_OK);
    assert_int_equal(out.n, 5);
    assert_memory_equal(out.p, "olleh", 5);
    assert_int_equal(call(a, 2, RPCPB__METHOD__METHOD_PING, "ping?", 2000, &out, &err), MICE_OK);
    assert_memory_equal(out.p, "ping?", 5);
    assert_int_equal(call(a, 2, METHOD_FROM_THREAD, "x", 2000, &out, &err), MICE_OK);
    assert_memory_equal(out.p, "thread:x", 8);
    assert_int_equal(call(a, 2, METHOD_FAIL, "", 2000, &out, &err), MICE_CONFLICT);
    assert_non_null(strstr(err.msg, "no luck for node 1"));
    assert_int_equal(call(a, 2, 4242, "", 2000, &out, &err), MICE_UNSUPPORTED);
    /* The callee calls back: the connection it accepted serves both directions. */
    assert_int_equal(call(b, 1, METHOD_ECHO, "ab", 2000, &out, &err), MICE_OK);
    assert_memory_equal(out.p, "ba", 2);
    assert_int_equal(rpc_get_stats(b->t).dials, 0);
    /* Many calls in flight at once, from several futures. */
    enum { IN_FLIGHT = 200 };
    mice_future *fs[IN_FLIGHT];
    char payload[IN_FLIGHT][16];
    for (int i = 0; i < IN_FLIGHT; i++) {
        snprintf(payload[i], sizeof payload[i], "%d", i * 37);
        fs[i] = rpc_call(a->t, 2, i % 2 ? METHOD_ECHO : RPCPB__METHOD__METHOD_PING,
                         mice_slice_str(payload[i]), 5000);
    }
    for (int i = 0; i < IN_FLIGHT; i++) {
        void *v = NULL;
        assert_int_equal(future_wait(fs[i], FUTURE_WAIT_FOREVER, &v, &err), MICE_OK);
        mice_buf *got = v;
        size_t n = strlen(payload[i]);
        assert_int_equal(got->n, n);
        for (size_t j = 0; j < n; j++)
            assert_int_equal(got->p[j], (uint8_t)payload[i][i % 2 ? n - 1 - j : j]);
        rpc_payload_free(got);
        future_release(fs[i]);
    }
    rpc_stats s = rpc_get_stats(a->t);
    assert_int_equal(s.calls_out, 5 + IN_FLIGHT);
    assert_int_equal(s.calls_ok, 3 + IN_FLIGHT);
    assert_int_equal(s.calls_failed, 2);
    assert_int_equal(rpc_get_stats(b->t).requests_in, 5 + IN_FLIGHT);
    /* Invalid targets. */
    assert_int_equal(call(a, 0, METHOD_ECHO, "", 100, &out, &err), MICE_INVALID);
    assert_int_equal(call(a, 1, METHOD_ECHO, "", 100, &out, &err), MICE_INVALID);
    assert_int_equal(send_raft(a, 1, 0, 0, 0), MICE_INVALID);
    buf_deinit(&out);
    node_stop(a);
    node_stop(b);
}

static void test_call_timeout_and_late_answer(void **state)
{
    (void)state;
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b);
    mice_buf out;
    buf_init(&out);
    mice_err err;
    uint64_t t0 = env_mono_ns(mice_env_real());
    assert_int_equal(call(a, 2, METHOD_HOLD, "", 150, &out, &err), MICE_TIMEOUT);
    uint64_t ms = (env_mono_ns(mice_env_real()) - t0) / MICE_NS_PER_MS;
    assert_true(ms >= 140); /* libuv's clock is coarse (a few ms) */
    if (!strstr(err.msg, "timed out after 150 ms")) fail_msg("message: %s", err.msg);
    assert_int_equal(rpc_get_stats(a->t).calls_timed_out, 1);
    /* The answer comes after the caller gave up: dropped, and the link still works. */
    release_held(b);
    assert_int_equal(call(a, 2, METHOD_ECHO, "ok", 2000, &out, &err), MICE_OK);
    assert_memory_equal(out.p, "ko", 2);
    buf_deinit(&out);
    node_stop(a);
    node_stop(b);
}

static void test_unreachable_peers(void **state)
{
    (void)state;
    node *a = node_start(1);
    mice_buf out;
    buf_init(&out);
    mice_err err;
    /* No address. */
    assert_int_equal(call(a, 7, METHOD_ECHO, "", 1000, &out, &err), MICE_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "no address"));
    assert_int_equal(send_raft(a, 7, 0, 0, 0), MICE_OK); /* queued, then dropped */
    assert_true(WAIT_STAT(a, msgs_dropped, 1));
    /* An address where nobody listens: refused, then back-off refuses at once. */
    node *gone = node_start(9);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(gone->t));
    node_stop(gone);
    assert_int_equal(rpc_set_peer_addr(a->t, 9, addr), MICE_OK);
    assert_int_equal(call(a, 9, METHOD_ECHO, "", 5000, &out, &err), MICE_UNAVAILABLE);
    uint64_t t0 = env_mono_ns(mice_env_real());
    assert_int_equal(call(a, 9, METHOD_ECHO, "", 5000, &out, &err), MICE_UNAVAILABLE);
    assert_true((env_mono_ns(mice_env_real()) - t0) / MICE_NS_PER_MS < 1000);
    rpc_stats s = rpc_get_stats(a->t);
    assert_true(s.dial_failures >= 1);
    assert_int_equal(s.calls_failed, 3);
    assert_int_equal(rpc_set_peer_addr(a->t, 9, "not an address"), MICE_INVALID);
    assert_int_equal(rpc_set_peer_addr(a->t, 0, addr), MICE_INVALID);
    buf_deinit(&out);
    node_stop(a);
}

static void test_reconnect_after_peer_restart(void **state)
{
    (void)state;
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b);
    introduce(b, a);
    mice_buf out;
    buf_init(&out);
    mice_err err;
    assert_int_equal(call(a, 2, METHOD_ECHO, "1", 2000, &out, &err), MICE_OK);
    int port = rpc_transport_port(b->t);
    /* A call outstanding when the peer goes away fails as unavailable, not by timeout. */
    mice_future *f = rpc_call(a->t, 2, METHOD_HOLD, MICE_SLICE_LIT(""), 60000);
    for (int i = 0; i < WAIT_MAX_MS && rpc_get_stats(b->t).requests_in < 2; i++)
        sleep_ms(1);
    rpc_transport_destroy(b->t);
    b->t = NULL;
    release_held(b);
    assert_int_equal(future_wait(f, 10ull * MICE_NS_PER_S, NULL, &err), MICE_UNAVAILABLE);
    future_release(f);
    /* Same node, same port, new transport (new incarnation). */
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    assert_int_equal(transport_start(b, listen, CLUSTER, NULL), MICE_OK);
    introduce(b, a);
    size_t before = recs_count(b);
    bool delivered = false;
    for (uint64_t i = 0; i < 2000 && !delivered; i++) {
        assert_int_equal(send_raft(a, 2, 1000 + i, 0, 0), MICE_OK);
        sleep_ms(5);
        delivered = recs_count(b) > before;
    }
    assert_true(delivered);
    assert_int_equal(call(a, 2, METHOD_ECHO, "12", 2000, &out, &err), MICE_OK);
    assert_memory_equal(out.p, "21", 2);
    assert_int_equal(call(b, 1, METHOD_ECHO, "34", 2000, &out, &err), MICE_OK);
    rpc_stats s = rpc_get_stats(a->t);
    assert_true(s.reconnects >= 1);
    print_message("reconnect: %llu dials, %llu failed, %llu messages dropped meanwhile\n",
                  (unsigned long long)s.dials, (unsigned long long)s.dial_failures,
                  (unsigned long long)s.msgs_dropped);
    buf_deinit(&out);
    node_stop(a);
    node_stop(b);
}

/* A node that dialed us told its address in its Hello: after the connection is gone, we
 * can dial it back without being told where it lives. */
static void test_address_learned_from_hello(void **state)
{
    (void)state;
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b); /* b is never told where node 1 lives */
    mice_buf out;
    buf_init(&out);
    mice_err err;
    assert_int_equal(call(a, 2, METHOD_ECHO, "hi", 2000, &out, &err), MICE_OK);
    int port = rpc_transport_port(a->t);
    rpc_transport_destroy(a->t);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    assert_int_equal(transport_start(a, listen, CLUSTER, NULL), MICE_OK);
    bool ok = false;
    for (int i = 0; i < 100 && !ok; i++) {
        ok = call(b, 1, METHOD_ECHO, "yo", 2000, &out, &err) == MICE_OK;
        if (!ok) sleep_ms(20); /* b may still hold the old connection for a moment */
    }
    assert_true(ok);
    assert_memory_equal(out.p, "oy", 2);
    assert_true(rpc_get_stats(b->t).dials >= 1);
    buf_deinit(&out);
    node_stop(a);
    node_stop(b);
}

/* ---- raw sockets speaking (bad) frames ---- */

static int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {SOCKET_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void raw_send(int fd, const mice_buf *b)
{
    assert_int_equal(send(fd, b->p, b->n, MSG_NOSIGNAL), (ssize_t)b->n);
}

/* Read until the transport closes the connection; false if it did not within the
 * socket timeout. */
static bool raw_closed_by_peer(int fd)
{
    uint8_t chunk[4096];
    for (;;) {
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r == 0 || (r < 0 && errno == ECONNRESET)) return true;
        if (r < 0) return false;
    }
}

static void append_hello(mice_buf *b, uint64_t node_id, const char *cluster)
{
    Rpcpb__Hello h = RPCPB__HELLO__INIT;
    h.protocol_version = RPC_PROTOCOL_VERSION;
    h.node_id = node_id;
    h.cluster_id = (char *)cluster;
    h.incarnation = 12345;
    rpc_pack_frame(&h.base, RPC_FRAME_HELLO, b);
}

typedef enum bad_kind {
    BAD_GARBAGE,
    BAD_FRAME_BEFORE_HELLO,
    BAD_BODY_CHECKSUM,
    BAD_HEADER_CHECKSUM,
    BAD_TOO_LONG,
    BAD_PROTOBUF,
    BAD_SECOND_HELLO,
    BAD_HANDLER_REJECTS,
    BAD_KINDS
} bad_kind;

static void build_bad_input(bad_kind kind, mice_buf *b)
{
    buf_reset(b);
    if (kind == BAD_GARBAGE) {
        buf_append_str(b, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        return;
    }
    if (kind != BAD_FRAME_BEFORE_HELLO) append_hello(b, 66, CLUSTER);
    size_t at = b->n;
    switch (kind) {
    case BAD_FRAME_BEFORE_HELLO:
        frame_append(b, RPC_FRAME_RAFT_BATCH, MICE_SLICE_LIT(""));
        return;
    case BAD_BODY_CHECKSUM:
        frame_append(b, RPC_FRAME_REQUEST, MICE_SLICE_LIT("\x08\x01"));
        b->p[b->n - 1] ^= 0x40;
        return;
    case BAD_HEADER_CHECKSUM:
        frame_append(b, RPC_FRAME_REQUEST, MICE_SLICE_LIT("\x08\x01"));
        b->p[at + 1] ^= 0x01;
        return;
    case BAD_TOO_LONG: {
        uint8_t *h = buf_extend(b, RPC_FRAME_HEADER_BYTES);
        mice_buf tmp;
        buf_init(&tmp);
        frame_append(&tmp, RPC_FRAME_RAFT_BATCH, MICE_SLICE_LIT(""));
        memcpy(h, tmp.p, RPC_FRAME_HEADER_BYTES);
        buf_deinit(&tmp);
        mice_store_be32(h, RPC_FRAME_BYTES_MAX_DEFAULT + 1); /* and fix the header CRC */
        mice_store_be32(h + 12, crc32c(h, 12));
        return;
    }
    case BAD_PROTOBUF:
        frame_append(b, RPC_FRAME_RAFT_BATCH, MICE_SLICE_LIT("\x0a\x7f\x08"));
        return;
    case BAD_SECOND_HELLO:
        append_hello(b, 66, CLUSTER);
        return;
    case BAD_HANDLER_REJECTS: {
        Rpcpb__RaftMessage m = RPCPB__RAFT_MESSAGE__INIT;
        Rpcpb__RaftMessage *mp = &m;
        Rpcpb__RaftBatch batch = RPCPB__RAFT_BATCH__INIT;
        batch.n_msgs = 1;
        batch.msgs = &mp;
        rpc_pack_frame(&batch.base, RPC_FRAME_RAFT_BATCH, b);
        return;
    }
    default:
        mice_unreachable();
    }
}

static void test_malformed_frames_close_only_that_connection(void **state)
{
    (void)state;
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b);
    mice_buf in, out;
    buf_init(&in);
    buf_init(&out);
    mice_err err;
    assert_int_equal(call(a, 2, METHOD_ECHO, "up", 2000, &out, &err), MICE_OK);
    for (int k = 0; k < BAD_KINDS; k++) {
        uint64_t corrupt_before = rpc_get_stats(b->t).corrupt_frames;
        if (k == BAD_HANDLER_REJECTS) atomic_store(&b->reject_next, 1);
        int fd = raw_connect(rpc_transport_port(b->t));
        build_bad_input((bad_kind)k, &in);
        raw_send(fd, &in);
        if (!raw_closed_by_peer(fd)) fail_msg("bad input %d: connection left open", k);
        close(fd);
        assert_true(WAIT_STAT(b, corrupt_frames, corrupt_before + 1));
        /* The transport keeps serving its real peer. */
        char word[8];
        snprintf(word, sizeof word, "k%d", k);
        assert_int_equal(call(a, 2, METHOD_ECHO, word, 2000, &out, &err), MICE_OK);
        assert_int_equal(send_raft(a, 2, 500 + (uint64_t)k, 0, 0), MICE_OK);
        assert_true(wait_recs(b, (size_t)k + 1)); /* before the next reject_next is armed */
    }
    assert_true(wait_recs(b, BAD_KINDS));
    check_order(b, 1, 500, BAD_KINDS);
    /* A raw client that says Hello properly is served. */
    int fd = raw_connect(rpc_transport_port(b->t));
    buf_reset(&in);
    append_hello(&in, 66, CLUSTER);
    Rpcpb__RaftMessage m = RPCPB__RAFT_MESSAGE__INIT, *mp = &m;
    m.range_id = 4242;
    Rpcpb__RaftBatch batch = RPCPB__RAFT_BATCH__INIT;
    batch.n_msgs = 1;
    batch.msgs = &mp;
    rpc_pack_frame(&batch.base, RPC_FRAME_RAFT_BATCH, &in);
    raw_send(fd, &in);
    assert_true(wait_recs(b, BAD_KINDS + 1));
    pthread_mutex_lock(&b->mu);
    assert_int_equal(b->recs[BAD_KINDS].from_node, 66);
    assert_int_equal(b->recs[BAD_KINDS].range_id, 4242);
    pthread_mutex_unlock(&b->mu);
    close(fd);
    assert_int_equal(rpc_get_stats(a->t).corrupt_frames, 0);
    buf_deinit(&in);
    buf_deinit(&out);
    node_stop(a);
    node_stop(b);
}

static void test_silent_client_is_cut_off(void **state)
{
    (void)state;
    rpc_config tweak;
    rpc_config_init(&tweak, 0, NULL);
    tweak.connect_timeout_ms = 200;
    node *b = node_start_with(2, CLUSTER, &tweak);
    int fd = raw_connect(rpc_transport_port(b->t));
    uint64_t t0 = env_mono_ns(mice_env_real());
    assert_true(raw_closed_by_peer(fd));
    assert_true((env_mono_ns(mice_env_real()) - t0) / MICE_NS_PER_MS >= 150);
    close(fd);
    node_stop(b);
}

static void test_wrong_cluster_and_wrong_node_are_refused(void **state)
{
    (void)state;
    node *a = node_start(1), *b = node_start(2);
    node *stranger = node_start_with(3, "another-cluster", NULL);
    introduce(stranger, a);
    introduce(a, stranger);
    mice_buf out;
    buf_init(&out);
    mice_err err;
    /* Both directions: whoever dials, both sides refuse. */
    assert_int_equal(call(stranger, 1, METHOD_ECHO, "", 2000, &out, &err), MICE_UNAVAILABLE);
    assert_true(WAIT_STAT(a, handshake_rejects, 1));
    assert_true(rpc_get_stats(stranger->t).handshake_rejects >= 1);
    assert_int_equal(call(a, 3, METHOD_ECHO, "", 2000, &out, &err), MICE_UNAVAILABLE);
    assert_int_equal(rpc_get_stats(b->t).handshake_rejects, 0);
    assert_int_equal(recs_count(a), 0);
    /* Node 1 believes node 5 lives at node 2's address: node 2 answers, and is refused. */
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(b->t));
    assert_int_equal(rpc_set_peer_addr(a->t, 5, addr), MICE_OK);
    assert_int_equal(call(a, 5, METHOD_ECHO, "", 2000, &out, &err), MICE_UNAVAILABLE);
    assert_true(rpc_get_stats(a->t).handshake_rejects >= 2);
    /* A peer claiming our own id is refused too. */
    node *twin = node_start(2);
    introduce(twin, b);
    assert_int_equal(call(twin, 2, METHOD_ECHO, "", 2000, &out, &err), MICE_INVALID);
    int fd = raw_connect(rpc_transport_port(b->t));
    mice_buf in;
    buf_init(&in);
    append_hello(&in, 2, CLUSTER);
    raw_send(fd, &in);
    assert_true(raw_closed_by_peer(fd));
    close(fd);
    assert_true(WAIT_STAT(b, handshake_rejects, 1));
    buf_deinit(&in);
    buf_deinit(&out);
    node_stop(twin);
    node_stop(stranger);
    node_stop(a);
    node_stop(b);
}

/* Both nodes dial each other in the same instant, with traffic queued: both keep the
 * connection node 1 dialed, retire the other, and lose nothing written on either. */
static void test_simultaneous_dials_converge(void **state)
{
    (void)state;
    enum { ROUNDS = 5, MSGS = 200 };
    for (int round = 0; round < ROUNDS; round++) {
        node *a = node_start(1), *b = node_start(2);
        introduce(a, b);
        introduce(b, a);
        gate ga, gb;
        gate_close(&ga, a->loop);
        gate_close(&gb, b->loop);
        for (uint64_t i = 0; i < MSGS / 2; i++) {
            assert_int_equal(send_raft(a, 2, i, 0, 0), MICE_OK);
            assert_int_equal(send_raft(b, 1, i, 0, 0), MICE_OK);
        }
        atomic_store(&ga.open, true);
        atomic_store(&gb.open, true);
        for (uint64_t i = MSGS / 2; i < MSGS; i++) {
            assert_int_equal(send_raft(a, 2, i, 0, 0), MICE_OK);
            assert_int_equal(send_raft(b, 1, i, 0, 0), MICE_OK);
            if (i % 10 == 0) sleep_ms(1);
        }
        if (!wait_recs(a, MSGS) || !wait_recs(b, MSGS)) {
            rpc_stats sa = rpc_get_stats(a->t), sb = rpc_get_stats(b->t);
            fail_msg("round %d: node 1 got %zu, node 2 got %zu of %d; dropped %llu/%llu, "
                     "dials %llu/%llu, failures %llu/%llu, handshakes %llu/%llu",
                     round, recs_count(a), recs_count(b), MSGS, (unsigned long long)sa.msgs_dropped,
                     (unsigned long long)sb.msgs_dropped, (unsigned long long)sa.dials,
                     (unsigned long long)sb.dials, (unsigned long long)sa.dial_failures,
                     (unsigned long long)sb.dial_failures, (unsigned long long)sa.handshakes,
                     (unsigned long long)sb.handshakes);
        }
        /* Both dialed; each keeps the connection node 1 dialed. */
        for (int i = 0; i < WAIT_MAX_MS; i++) {
            rpc_stats sa = rpc_get_stats(a->t), sb = rpc_get_stats(b->t);
            if (sa.conns_open == 1 && sb.conns_open == 1 && sa.handshakes >= 1 &&
                sb.handshakes >= 1)
                break;
            sleep_ms(1);
        }
        assert_int_equal(rpc_get_stats(a->t).conns_open, 1);
        assert_int_equal(rpc_get_stats(b->t).conns_open, 1);
        /* And the survivor carries traffic both ways. */
        mice_buf out;
        buf_init(&out);
        mice_err err;
        assert_int_equal(call(a, 2, METHOD_ECHO, "ab", 2000, &out, &err), MICE_OK);
        assert_int_equal(call(b, 1, METHOD_ECHO, "cd", 2000, &out, &err), MICE_OK);
        assert_int_equal(rpc_get_stats(a->t).conns_open, 1);
        assert_int_equal(rpc_get_stats(a->t).msgs_dropped, 0);
        assert_int_equal(recs_count(a), MSGS);
        assert_int_equal(recs_count(b), MSGS);
        buf_deinit(&out);
        node_stop(a);
        node_stop(b);
    }
}

/* A listener that accepts and never says Hello: the dial stays in its handshake. */
static int mute_listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void test_bounded_queue_drops_and_fails_fast(void **state)
{
    (void)state;
    enum { MSGS = 100, DATA = 4000, QUEUE_BYTES = 64 * 1024 };
    rpc_config tweak;
    rpc_config_init(&tweak, 0, NULL);
    tweak.frame_bytes_max = 16 * 1024;
    tweak.peer_queue_bytes_max = QUEUE_BYTES;
    tweak.connect_timeout_ms = 300;
    node *a = node_start_with(1, CLUSTER, &tweak);
    int port;
    int lfd = mute_listener(&port);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    assert_int_equal(rpc_set_peer_addr(a->t, 2, addr), MICE_OK);
    for (uint64_t i = 0; i < MSGS; i++)
        assert_int_equal(send_raft(a, 2, i, i, DATA), MICE_OK);
    mice_buf out;
    buf_init(&out);
    mice_err err;
    uint64_t t0 = env_mono_ns(mice_env_real());
    mice_buf big;
    buf_init(&big);
    memset(buf_extend(&big, DATA), 'q', DATA); /* more than the room left */
    assert_int_equal(rpc_call_wait(a->t, 2, METHOD_ECHO, buf_slice(&big), 5000, &out, &err),
                     MICE_UNAVAILABLE);
    buf_deinit(&big);
    if (!strstr(err.msg, "queue full")) fail_msg("message: %s", err.msg);
    assert_true((env_mono_ns(mice_env_real()) - t0) / MICE_NS_PER_MS < 250);
    rpc_stats s = rpc_get_stats(a->t);
    assert_true(s.msgs_dropped >= MSGS - QUEUE_BYTES / DATA);
    /* The handshake never completes: the dial times out and what was queued is dropped. */
    assert_true(WAIT_STAT(a, dial_failures, 1));
    assert_true(WAIT_STAT(a, msgs_dropped, MSGS));
    assert_int_equal(rpc_get_stats(a->t).msgs_out, 0);
    close(lfd);
    buf_deinit(&out);
    node_stop(a);
}

static void test_destroy_fails_outstanding_calls(void **state)
{
    (void)state;
    node *a = node_start(1), *b = node_start(2);
    introduce(a, b);
    mice_future *f = rpc_call(a->t, 2, METHOD_HOLD, MICE_SLICE_LIT("x"), 60000);
    for (int i = 0; i < WAIT_MAX_MS && rpc_get_stats(b->t).requests_in < 1; i++)
        sleep_ms(1);
    rpc_transport_destroy(a->t);
    mice_err err;
    assert_int_equal(future_wait(f, 0, NULL, &err), MICE_CLOSED);
    future_release(f);
    /* Calls and sends after destroy... are impossible (the pointer is gone); a fresh
     * transport on the same loop works. */
    assert_int_equal(transport_start(a, "127.0.0.1:0", CLUSTER, NULL), MICE_OK);
    introduce(a, b);
    mice_buf out;
    buf_init(&out);
    assert_int_equal(call(a, 2, METHOD_ECHO, "z", 2000, &out, &err), MICE_OK);
    buf_deinit(&out);
    node_stop(a);
    node_stop(b);
}

static void test_three_nodes_heartbeats(void **state)
{
    (void)state;
    enum { BEATS = 2000 };
    node *n[3] = {node_start(1), node_start(2), node_start(3)};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (i != j) introduce(n[i], n[j]);
    mice_buf out;
    buf_init(&out);
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            assert_int_equal(call(n[i], n[j]->id, RPCPB__METHOD__METHOD_PING, "", 2000, &out, NULL),
                             MICE_OK);
    buf_deinit(&out);
    Rpcpb__RangeHeartbeat *beats = calloc(BEATS, sizeof *beats);
    Rpcpb__RangeHeartbeat **ptrs = calloc(BEATS, sizeof *ptrs);
    for (int i = 0; i < BEATS; i++) {
        rpcpb__range_heartbeat__init(&beats[i]);
        beats[i].range_id = (uint64_t)i + 1;
        beats[i].commit = (uint64_t)i * 10;
        ptrs[i] = &beats[i];
    }
    Rpcpb__NodeHeartbeat hb = RPCPB__NODE_HEARTBEAT__INIT;
    hb.n_beats = BEATS;
    hb.beats = ptrs;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (i != j)
                assert_int_equal(rpc_send(n[i]->t, n[j]->id, RPC_MSG_HEARTBEAT, &hb.base), MICE_OK);
    for (int i = 0; i < 3; i++) {
        assert_true(wait_recs(n[i], 2));
        pthread_mutex_lock(&n[i]->mu);
        for (size_t r = 0; r < 2; r++) {
            assert_int_equal(n[i]->recs[r].kind, RPC_MSG_HEARTBEAT);
            assert_int_equal(n[i]->recs[r].range_id, BEATS);
            assert_int_equal(n[i]->recs[r].index, (BEATS - 1) * 10);
        }
        pthread_mutex_unlock(&n[i]->mu);
        assert_int_equal(rpc_get_stats(n[i]->t).conns_open, 2);
    }
    free(beats);
    free(ptrs);
    for (int i = 0; i < 3; i++)
        node_stop(n[i]);
}

static void test_bad_config(void **state)
{
    (void)state;
    ioloop *loop;
    assert_int_equal(ioloop_start("io", &loop, NULL), MICE_OK);
    rpc_transport *t = NULL;
    rpc_config cfg;
    mice_err err;
    rpc_config_init(&cfg, 0, CLUSTER);
    assert_int_equal(rpc_transport_create(loop, &cfg, &t, &err), MICE_INVALID);
    rpc_config_init(&cfg, 1, "");
    assert_int_equal(rpc_transport_create(loop, &cfg, &t, &err), MICE_INVALID);
    rpc_config_init(&cfg, 1, CLUSTER);
    cfg.listen_addr = "127.0.0.1:http";
    assert_int_equal(rpc_transport_create(loop, &cfg, &t, &err), MICE_INVALID);
    /* Address in use. */
    cfg.listen_addr = "127.0.0.1:0";
    assert_int_equal(rpc_transport_create(loop, &cfg, &t, &err), MICE_OK);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(t));
    rpc_transport *t2 = NULL;
    cfg.listen_addr = addr;
    assert_int_equal(rpc_transport_create(loop, &cfg, &t2, &err), MICE_BUSY);
    assert_null(t2);
    /* Dial-only transport. */
    cfg.listen_addr = NULL;
    assert_int_equal(rpc_transport_create(loop, &cfg, &t2, &err), MICE_OK);
    assert_int_equal(rpc_transport_port(t2), 0);
    assert_int_equal(rpc_transport_node_id(t2), 1);
    rpc_transport_destroy(t2);
    rpc_transport_destroy(t);
    rpc_transport_destroy(NULL);
    ioloop_destroy(loop);
}

int main(void)
{
    /* RPC_TEST_DEBUG=1: log everything; RPC_TEST_ONLY=glob: run matching tests only. */
    log_set_level(getenv("RPC_TEST_DEBUG") ? MICE_LOG_DEBUG : MICE_LOG_ERROR);
    if (getenv("RPC_TEST_ONLY")) cmocka_set_test_filter(getenv("RPC_TEST_ONLY"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivery_and_order_both_ways),
        cmocka_unit_test(test_many_sends_in_one_turn_make_one_frame),
        cmocka_unit_test(test_batches_split_at_the_frame_limit),
        cmocka_unit_test(test_calls),
        cmocka_unit_test(test_call_timeout_and_late_answer),
        cmocka_unit_test(test_unreachable_peers),
        cmocka_unit_test(test_reconnect_after_peer_restart),
        cmocka_unit_test(test_address_learned_from_hello),
        cmocka_unit_test(test_malformed_frames_close_only_that_connection),
        cmocka_unit_test(test_silent_client_is_cut_off),
        cmocka_unit_test(test_wrong_cluster_and_wrong_node_are_refused),
        cmocka_unit_test(test_simultaneous_dials_converge),
        cmocka_unit_test(test_bounded_queue_drops_and_fails_fast),
        cmocka_unit_test(test_destroy_fails_outstanding_calls),
        cmocka_unit_test(test_three_nodes_heartbeats),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
