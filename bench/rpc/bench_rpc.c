/*
 * bench_rpc.c - the node-to-node transport between two transports in one process.
 *
 * Each node has its own io loop, as in micedb. Phases:
 *  1. stream: one thread sends Raft messages carrying a 1 KiB entry from node 1 to node 2,
 *     keeping at most WINDOW_MSGS unacknowledged by the receiver's handler (what a Raft
 *     leader's flow control would do); messages/s, payload MiB/s, messages per frame.
 *  2. the same bytes through a plain blocking TCP socket on loopback (a 4-byte length
 *     before each 1 KiB record): the ceiling, and rpc's ratio to it.
 *  3. calls: sequential ping round trips (latency), then CALLS_IN_FLIGHT at once (calls/s).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/check.h"
#include "base/env.h"
#include "base/log.h"
#include "rpc/transport.h"

enum {
    PAYLOAD_BYTES = 1024,
    WINDOW_MSGS = 8192,
    SEQ_CALLS = 2000,
    CALLS_IN_FLIGHT = 64,
    RAW_RECORD_HEADER_BYTES = 4,
};

typedef struct receiver {
    atomic_uint_least64_t msgs, bytes;
} receiver;

static mice_status on_message(void *ctx, const rpc_inbound *in)
{
    receiver *r = ctx;
    const Rpcpb__RaftMessage *m = (const Rpcpb__RaftMessage *)in->msg;
    uint64_t n = 0;
    for (size_t i = 0; i < m->n_entries; i++)
        n += m->entries[i]->data.len;
    atomic_fetch_add_explicit(&r->bytes, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->msgs, 1, memory_order_release);
    return MICE_OK;
}

static double now_s(void)
{
    return (double)env_mono_ns(mice_env_real()) / MICE_NS_PER_S;
}

static void sleep_us(uint64_t us)
{
    env_sleep_ns(mice_env_real(), us * MICE_NS_PER_US);
}

typedef struct node {
    ioloop *loop;
    rpc_transport *t;
} node;

static void node_start(node *n, uint64_t id, receiver *r)
{
    char name[8];
    snprintf(name, sizeof name, "io%" PRIu64, id);
    mice_assert(ioloop_start(name, &n->loop, NULL) == MICE_OK);
    rpc_config cfg;
    rpc_config_init(&cfg, id, "bench");
    cfg.listen_addr = "127.0.0.1:0";
    cfg.on_message = on_message;
    cfg.handler_ctx = r;
    mice_err err;
    if (rpc_transport_create(n->loop, &cfg, &n->t, &err) != MICE_OK) {
        fprintf(stderr, "bench_rpc: %s\n", err.msg);
        exit(1);
    }
}

static void node_stop(node *n)
{
    rpc_transport_destroy(n->t);
    ioloop_destroy(n->loop);
}

/* ---- 1. stream ---- */

static double stream_rpc(node *a, receiver *r, double secs, rpc_stats *sa)
{
    static uint8_t data[PAYLOAD_BYTES];
    memset(data, 'r', sizeof data);
    Rpcpb__Entry e = RPCPB__ENTRY__INIT, *ep = &e;
    e.term = 1;
    e.data.data = data;
    e.data.len = sizeof data;
    Rpcpb__RaftMessage m = RPCPB__RAFT_MESSAGE__INIT;
    m.range_id = 1;
    m.from_node = 1;
    m.to_node = 2;
    m.from_replica = 1;
    m.to_replica = 2;
    m.type = RPCPB__RAFT_MESSAGE_TYPE__MSG_APP;
    m.n_entries = 1;
    m.entries = &ep;
    uint64_t sent = 0;
    double t0 = now_s(), t1 = t0;
    while (t1 - t0 < secs) {
        for (int i = 0; i < 256; i++) {
            while (sent - atomic_load_explicit(&r->msgs, memory_order_acquire) >= WINDOW_MSGS)
                sleep_us(20);
            m.index = sent;
            e.index = sent + 1;
            mice_assert(rpc_send(a->t, 2, RPC_MSG_RAFT, &m.base) == MICE_OK);
            sent++;
        }
        t1 = now_s();
    }
    while (atomic_load_explicit(&r->msgs, memory_order_acquire) < sent) {
        if (rpc_get_stats(a->t).msgs_dropped) break;
        sleep_us(100);
    }
    double elapsed = now_s() - t0;
    *sa = rpc_get_stats(a->t);
    return (double)atomic_load(&r->msgs) / elapsed;
}

/* ---- 2. plain TCP ---- */

typedef struct raw_reader {
    int fd;
    uint64_t records;
} raw_reader;

static bool read_full(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t got = read(fd, p, n);
        if (got <= 0) return false;
        p += got;
        n -= (size_t)got;
    }
    return true;
}

static void *raw_read(void *arg)
{
    raw_reader *rr = arg;
    uint8_t buf[RAW_RECORD_HEADER_BYTES + PAYLOAD_BYTES];
    while (read_full(rr->fd, buf, sizeof buf))
        rr->records++;
    return NULL;
}

static double stream_raw(double secs)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    mice_assert(bind(lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
    mice_assert(listen(lfd, 1) == 0);
    socklen_t len = sizeof sa;
    getsockname(lfd, (struct sockaddr *)&sa, &len);
    int wfd = socket(AF_INET, SOCK_STREAM, 0);
    mice_assert(connect(wfd, (struct sockaddr *)&sa, sizeof sa) == 0);
    raw_reader rr = {.fd = accept(lfd, NULL, NULL)};
    pthread_t th;
    pthread_create(&th, NULL, raw_read, &rr);
    enum { RECORDS_PER_WRITE = 64 }; /* a fair fight: rpc batches too */
    static uint8_t chunk[RECORDS_PER_WRITE * (RAW_RECORD_HEADER_BYTES + PAYLOAD_BYTES)];
    memset(chunk, 'r', sizeof chunk);
    uint64_t records = 0;
    double t0 = now_s();
    while (now_s() - t0 < secs) {
        size_t off = 0;
        while (off < sizeof chunk) {
            ssize_t w = write(wfd, chunk + off, sizeof chunk - off);
            mice_assert(w > 0);
            off += (size_t)w;
        }
        records += RECORDS_PER_WRITE;
    }
    shutdown(wfd, SHUT_WR);
    pthread_join(th, NULL);
    double elapsed = now_s() - t0;
    mice_assert(rr.records == records);
    close(wfd);
    close(rr.fd);
    close(lfd);
    return (double)records / elapsed;
}

/* ---- 3. calls ---- */

static void calls(node *a, double *lat_us, double *per_s)
{
    mice_buf out;
    buf_init(&out);
    double t0 = now_s();
    for (int i = 0; i < SEQ_CALLS; i++) {
        buf_reset(&out);
        mice_assert(rpc_call_wait(a->t, 2, RPCPB__METHOD__METHOD_PING, MICE_SLICE_LIT("ping"), 5000,
                                  &out, NULL) == MICE_OK);
    }
    *lat_us = (now_s() - t0) * 1e6 / SEQ_CALLS;
    buf_deinit(&out);
    uint64_t done = 0;
    mice_future *fs[CALLS_IN_FLIGHT];
    t0 = now_s();
    for (int round = 0; round < SEQ_CALLS * 4 / CALLS_IN_FLIGHT; round++) {
        for (int i = 0; i < CALLS_IN_FLIGHT; i++)
            fs[i] = rpc_call(a->t, 2, RPCPB__METHOD__METHOD_PING, MICE_SLICE_LIT("ping"), 5000);
        for (int i = 0; i < CALLS_IN_FLIGHT; i++) {
            void *v = NULL;
            mice_assert(future_wait(fs[i], FUTURE_WAIT_FOREVER, &v, NULL) == MICE_OK);
            rpc_payload_free(v);
            future_release(fs[i]);
            done++;
        }
    }
    *per_s = (double)done / (now_s() - t0);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3;
    if (secs <= 0) secs = 3;
    log_set_level(MICE_LOG_WARN);
    receiver r1 = {0}, r2 = {0};
    node a, b;
    node_start(&a, 1, &r1);
    node_start(&b, 2, &r2);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(b.t));
    mice_assert(rpc_set_peer_addr(a.t, 2, addr) == MICE_OK);

    rpc_stats sa;
    double rpc_mps = stream_rpc(&a, &r2, secs, &sa);
    double raw_mps = stream_raw(secs);
    double lat_us, calls_per_s;
    calls(&a, &lat_us, &calls_per_s);

    double mib = (double)PAYLOAD_BYTES / (1024 * 1024);
    printf("rpc between two transports on loopback, %d-byte Raft entries, %.0f s per phase\n",
           PAYLOAD_BYTES, secs);
    printf("%-30s %10.0f msgs/s %8.1f MiB/s  %.1f msgs/frame, %" PRIu64 " dropped\n",
           "rpc stream (window 8192)", rpc_mps, rpc_mps * mib,
           sa.frames_out > 1 ? (double)sa.msgs_out / (double)(sa.frames_out - 1) : 0.0,
           sa.msgs_dropped);
    printf("%-30s %10.0f msgs/s %8.1f MiB/s\n", "plain TCP, same records", raw_mps, raw_mps * mib);
    printf("%-30s %10.1f us round trip, %.0f calls/s with %d in flight\n", "rpc ping calls", lat_us,
           calls_per_s, CALLS_IN_FLIGHT);
    printf("ratio rpc/plain TCP: %.2f (checksums, protobuf, copies, one io thread per node)\n",
           rpc_mps / raw_mps);
    node_stop(&a);
    node_stop(&b);
    return 0;
}
