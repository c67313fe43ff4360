/* The kv_transport over src/rpc (see transport_rpc.h). */
#include "kv/transport_rpc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/crc32c.h"
#include "base/log.h"
#include "kv/raftwire.h"
#include "rpc/proto/rpc.pb-c.h"

/* One snapshot stream being assembled (io thread only). */
typedef struct snap_asm {
    bool used;
    uint64_t from_node, range_id, snapshot_id;
    uint64_t from_replica, to_replica, to_node, term;
    mice_buf meta; /* packed rpcpb.SnapshotMeta of the first chunk */
    mice_buf data;
} snap_asm;

enum {
    ST_BATCHES,
    ST_SENT,
    ST_RECV,
    ST_REJ,
    ST_CH_SENT,
    ST_CH_RECV,
    ST_STREAMED,
    ST_ASSEMBLED,
    ST_DROPPED,
    ST_HB_TUPLES,
    ST_HB_MSGS,
    ST_N
};

/* Heartbeats (and responses) waiting for the next flush to one peer. */
typedef struct hb_peer {
    uint64_t node_id;
    Rpcpb__RangeHeartbeat *beats;
    size_t n_beats, cap_beats;
    Rpcpb__RangeHeartbeatResponse *resps;
    size_t n_resps, cap_resps;
} hb_peer;

typedef struct kv_transport_rpc {
    rpc_transport *t;
    uint64_t node_id;
    pthread_mutex_t mu; /* the receiver */
    kv_transport_recv_fn recv;
    void *recv_ctx;
    bool attached;
    atomic_uint_least64_t next_snapshot_id;
    snap_asm asms[KV_RPC_SNAP_ASSEMBLIES_MAX]; /* io thread */
    atomic_int refs;                           /* the owner's + one per snapshot stream in flight */
    atomic_bool closing;                       /* destroy began: streams stop at their next chunk */
    atomic_bool rpc_gone;  /* the rpc transport was destroyed first: do not touch it */
    pthread_mutex_t hb_mu; /* the pending heartbeats and flush_posted */
    hb_peer *hb;
    size_t n_hb;
    bool flush_posted;
    _Atomic uint64_t stat[ST_N];
} kv_transport_rpc;

static void count(kv_transport_rpc *k, int which, uint64_t n)
{
    atomic_fetch_add_explicit(&k->stat[which], n, memory_order_relaxed);
}

/* --- sending ---------------------------------------------------------------------------- */

/* One snapshot being sent: a chunk at a time as a METHOD_SNAPSHOT call, the next one once
 * the previous was acknowledged (flow control: never more than one chunk in the peer's
 * queue). Io thread after creation. */
typedef struct snap_stream {
    kv_transport_rpc *k;
    raftwire_route route;
    uint64_t from_replica, to_replica, term, id;
    mice_buf meta; /* packed rpcpb.SnapshotMeta */
    uint8_t *data; /* the snapshot's data, taken from the raft_msg */
    size_t len, off, sending;
    uint32_t crc;
} snap_stream;

static void k_free(kv_transport_rpc *k);

static void k_unref(kv_transport_rpc *k)
{
    if (atomic_fetch_sub(&k->refs, 1) == 1) k_free(k);
}

static void stream_free(snap_stream *st, bool done)
{
    kv_transport_rpc *k = st->k;
    if (!done) count(k, ST_DROPPED, 1);
    buf_deinit(&st->meta);
    free(st->data);
    free(st);
    k_unref(k);
}

static void stream_next(snap_stream *st);

static void chunk_acked(mice_future *f, mice_status delivery, void *ctx)
{
    snap_stream *st = ctx;
    mice_err err;
    mice_status rc = delivery ? delivery : future_wait(f, 0, NULL, &err);
    if (rc || atomic_load(&st->k->closing)) {
        if (rc && rc != MICE_CLOSED)
            log_warn("kv rpc: snapshot of range %" PRIu64 " to node %" PRIu64 " stopped at %zu of "
                     "%zu bytes: %s",
                     st->route.range_id, st->route.to_node, st->off, st->len,
                     delivery ? mice_status_str(delivery) : mice_err_msg(&err));
        stream_free(st, false);
        return;
    }
    st->off += st->sending;
    if (st->off >= st->len) {
        stream_free(st, true);
        return;
    }
    stream_next(st);
}

static void stream_next(snap_stream *st)
{
    kv_transport_rpc *k = st->k;
    size_t n = st->len - st->off;
    if (n > KV_RPC_SNAP_CHUNK_BYTES) n = KV_RPC_SNAP_CHUNK_BYTES;
    Rpcpb__SnapshotChunk c = RPCPB__SNAPSHOT_CHUNK__INIT;
    c.range_id = st->route.range_id;
    c.from_node = st->route.from_node;
    c.to_node = st->route.to_node;
    c.from_replica = st->from_replica;
    c.to_replica = st->to_replica;
    c.term = st->term;
    c.snapshot_id = st->id;
    ProtobufCMessage *meta = NULL;
    if (st->off == 0 &&
        rpc_unpack(&rpcpb__snapshot_meta__descriptor, buf_slice(&st->meta), &meta, NULL)) {
        stream_free(st, false);
        return;
    }
    c.meta = (Rpcpb__SnapshotMeta *)meta;
    c.offset = st->off;
    c.data.data = st->data + st->off;
    c.data.len = n;
    c.last = st->off + n == st->len;
    if (c.last) {
        c.total_bytes = st->len;
        c.crc32c = st->crc;
    }
    mice_buf payload;
    buf_init(&payload);
    rpc_pack(&c.base, &payload);
    rpc_unpacked_free(meta);
    st->sending = n;
    count(k, ST_CH_SENT, 1);
    mice_future *f = rpc_call(k->t, st->route.to_node, RPCPB__METHOD__METHOD_SNAPSHOT,
                              buf_slice(&payload), KV_RPC_SNAP_CHUNK_TIMEOUT_MS);
    buf_deinit(&payload);
    future_then(f, rpc_transport_loop(k->t), chunk_acked, st);
}

static void stream_start(void *ctx)
{
    snap_stream *st = ctx;
    if (atomic_load(&st->k->closing))
        stream_free(st, false);
    else
        stream_next(st);
}

/* Raft thread: take m's snapshot data into a stream and start it on the io loop. */
static void send_snapshot_stream(kv_transport_rpc *k, const raftwire_route *route, raft_msg *m)
{
    raftwire_view v;
    raftwire_view_init(&v, route, m);
    snap_stream *st = mice_calloc(1, sizeof *st);
    st->k = k;
    st->route = *route;
    st->from_replica = m->from;
    st->to_replica = m->to;
    st->term = m->term;
    st->id = atomic_fetch_add(&k->next_snapshot_id, 1);
    buf_init(&st->meta);
    rpc_pack(&v.meta.base, &st->meta);
    raftwire_view_deinit(&v);
    st->data = m->snapshot.data; /* taken: the batch is ours */
    st->len = m->snapshot.len;
    m->snapshot.data = NULL;
    m->snapshot.len = 0;
    st->crc = crc32c(st->data, st->len);
    atomic_fetch_add(&k->refs, 1);
    count(k, ST_STREAMED, 1);
    if (ioloop_post(rpc_transport_loop(k->t), stream_start, st) != MICE_OK) stream_free(st, false);
}

/* --- coalesced heartbeats ---------------------------------------------------------------- */

static void hb_peer_free(hb_peer *p)
{
    free(p->beats);
    free(p->resps);
}

/* Io thread: one NodeHeartbeat and one NodeHeartbeatResponse per peer with pending tuples. */
static void hb_flush(void *ctx)
{
    kv_transport_rpc *k = ctx;
    pthread_mutex_lock(&k->hb_mu);
    hb_peer *peers = k->hb;
    size_t n = k->n_hb;
    k->hb = NULL;
    k->n_hb = 0;
    k->flush_posted = false;
    pthread_mutex_unlock(&k->hb_mu);
    for (size_t i = 0; i < n; i++) {
        hb_peer *p = &peers[i];
        if (p->n_beats) {
            Rpcpb__RangeHeartbeat **ptrs = mice_calloc(p->n_beats, sizeof *ptrs);
            for (size_t j = 0; j < p->n_beats; j++)
                ptrs[j] = &p->beats[j];
            Rpcpb__NodeHeartbeat m = RPCPB__NODE_HEARTBEAT__INIT;
            m.from_node = k->node_id;
            m.to_node = p->node_id;
            m.n_beats = p->n_beats;
            m.beats = ptrs;
            if (rpc_send(k->t, p->node_id, RPC_MSG_HEARTBEAT, &m.base) == MICE_OK)
                count(k, ST_HB_MSGS, 1);
            free(ptrs);
        }
        if (p->n_resps) {
            Rpcpb__RangeHeartbeatResponse **ptrs = mice_calloc(p->n_resps, sizeof *ptrs);
            for (size_t j = 0; j < p->n_resps; j++)
                ptrs[j] = &p->resps[j];
            Rpcpb__NodeHeartbeatResponse m = RPCPB__NODE_HEARTBEAT_RESPONSE__INIT;
            m.from_node = k->node_id;
            m.to_node = p->node_id;
            m.n_resps = p->n_resps;
            m.resps = ptrs;
            if (rpc_send(k->t, p->node_id, RPC_MSG_HEARTBEAT_RESP, &m.base) == MICE_OK)
                count(k, ST_HB_MSGS, 1);
            free(ptrs);
        }
        hb_peer_free(p);
    }
    free(peers);
}

/* Queue a heartbeat or its response for the next flush (any thread). */
static void hb_add(kv_transport_rpc *k, uint64_t range_id, uint64_t to_node, const raft_msg *m)
{
    pthread_mutex_lock(&k->hb_mu);
    hb_peer *p = NULL;
    for (size_t i = 0; i < k->n_hb && !p; i++)
        if (k->hb[i].node_id == to_node) p = &k->hb[i];
    if (!p) {
        k->hb = mice_realloc(k->hb, (k->n_hb + 1) * sizeof *k->hb);
        p = &k->hb[k->n_hb++];
        memset(p, 0, sizeof *p);
        p->node_id = to_node;
    }
    if (m->type == RAFT_MSG_HEARTBEAT) {
        if (p->n_beats == p->cap_beats) {
            p->cap_beats = p->cap_beats ? 2 * p->cap_beats : 16;
            p->beats = mice_realloc(p->beats, p->cap_beats * sizeof *p->beats);
        }
        raftwire_heartbeat_from_msg(range_id, m, &p->beats[p->n_beats++]);
    } else {
        if (p->n_resps == p->cap_resps) {
            p->cap_resps = p->cap_resps ? 2 * p->cap_resps : 16;
            p->resps = mice_realloc(p->resps, p->cap_resps * sizeof *p->resps);
        }
        raftwire_heartbeat_resp_from_msg(range_id, m, &p->resps[p->n_resps++]);
    }
    bool post = !k->flush_posted;
    k->flush_posted = true;
    pthread_mutex_unlock(&k->hb_mu);
    count(k, ST_HB_TUPLES, 1);
    /* Once per burst: everything queued until the loop runs the flush leaves together. */
    if (post && ioloop_post(rpc_transport_loop(k->t), hb_flush, k) != MICE_OK) {
        pthread_mutex_lock(&k->hb_mu);
        k->flush_posted = false;
        pthread_mutex_unlock(&k->hb_mu);
    }
}

static void rpc_kv_send(void *impl, kv_raft_batch *b)
{
    kv_transport_rpc *k = impl;
    count(k, ST_BATCHES, 1);
    raftwire_route route = {
        .range_id = b->range_id, .from_node = b->from_node, .to_node = b->to_node};
    for (size_t i = 0; i < b->n_msgs; i++) {
        raft_msg *m = &b->msgs[i];
        if (m->type == RAFT_MSG_SNAP && m->snapshot.len > KV_RPC_SNAP_CHUNK_BYTES) {
            send_snapshot_stream(k, &route, m);
            continue;
        }
        if (m->type == RAFT_MSG_HEARTBEAT || m->type == RAFT_MSG_HEARTBEAT_RESP) {
            hb_add(k, b->range_id, b->to_node, m);
            continue;
        }
        mice_status rc = raftwire_send(k->t, &route, m);
        if (rc == MICE_OK)
            count(k, ST_SENT, 1);
        else if (rc != MICE_CLOSED)
            log_debug("kv rpc: raft message to node %" PRIu64 " not queued: %s", b->to_node,
                      mice_status_str(rc));
    }
    kv_raft_batch_free(b);
}

/* --- receiving (io thread) --------------------------------------------------------------- */

static void deliver(kv_transport_rpc *k, const raftwire_route *route, raft_msg *m)
{
    pthread_mutex_lock(&k->mu);
    if (k->attached) {
        kv_raft_batch *b = kv_raft_batch_create(route->range_id, route->from_node, route->to_node);
        kv_raft_batch_add(b, m);
        k->recv(k->recv_ctx, b);
        count(k, ST_RECV, 1);
    }
    pthread_mutex_unlock(&k->mu);
    raft_msg_deinit(m);
}

static void asm_drop(kv_transport_rpc *k, snap_asm *a)
{
    if (!a->used) return;
    buf_deinit(&a->meta);
    buf_deinit(&a->data);
    memset(a, 0, sizeof *a);
    count(k, ST_DROPPED, 1);
}

static snap_asm *asm_find(kv_transport_rpc *k, uint64_t from_node, uint64_t range_id)
{
    for (size_t i = 0; i < KV_RPC_SNAP_ASSEMBLIES_MAX; i++)
        if (k->asms[i].used && k->asms[i].from_node == from_node && k->asms[i].range_id == range_id)
            return &k->asms[i];
    return NULL;
}

static void asm_finish(kv_transport_rpc *k, snap_asm *a, const Rpcpb__SnapshotChunk *c)
{
    if (c->total_bytes != a->data.n || crc32c(a->data.p, a->data.n) != c->crc32c) {
        log_warn("kv rpc: snapshot of range %" PRIu64 " from node %" PRIu64
                 ": length or checksum mismatch",
                 a->range_id, a->from_node);
        asm_drop(k, a);
        return;
    }
    ProtobufCMessage *meta = NULL;
    mice_err err;
    if (rpc_unpack(&rpcpb__snapshot_meta__descriptor, buf_slice(&a->meta), &meta, &err)) {
        asm_drop(k, a);
        return;
    }
    Rpcpb__Snapshot snap = RPCPB__SNAPSHOT__INIT;
    snap.meta = (Rpcpb__SnapshotMeta *)meta;
    snap.data.data = a->data.p;
    snap.data.len = a->data.n;
    Rpcpb__RaftMessage pb = RPCPB__RAFT_MESSAGE__INIT;
    pb.range_id = a->range_id;
    pb.from_node = a->from_node;
    pb.to_node = a->to_node;
    pb.from_replica = a->from_replica;
    pb.to_replica = a->to_replica;
    pb.type = RPCPB__RAFT_MESSAGE_TYPE__MSG_SNAP;
    pb.term = a->term;
    pb.snapshot = &snap;
    raftwire_route route;
    raft_msg m;
    mice_status rc = raftwire_decode(&pb, &route, &m, &err);
    rpc_unpacked_free(meta);
    if (rc) {
        log_warn("kv rpc: snapshot of range %" PRIu64 ": %s", a->range_id, mice_err_msg(&err));
        asm_drop(k, a);
        return;
    }
    buf_deinit(&a->meta);
    buf_deinit(&a->data);
    memset(a, 0, sizeof *a);
    count(k, ST_ASSEMBLED, 1);
    deliver(k, &route, &m);
}

/* Io thread: add a chunk to its stream. False when the stream is not (or no longer) being
 * assembled: the sender should stop. */
static bool on_chunk(kv_transport_rpc *k, uint64_t from_node, const Rpcpb__SnapshotChunk *c)
{
    count(k, ST_CH_RECV, 1);
    if (c->from_node != from_node || c->to_node != k->node_id || c->range_id == 0) return false;
    snap_asm *a = asm_find(k, from_node, c->range_id);
    if (c->offset == 0) {
        if (a) asm_drop(k, a); /* a new stream replaces an unfinished one */
        a = NULL;
        if (!c->meta) return false;
        for (size_t i = 0; !a && i < KV_RPC_SNAP_ASSEMBLIES_MAX; i++)
            if (!k->asms[i].used) a = &k->asms[i];
        if (!a) return false; /* too many streams at once: Raft retries */
        a->used = true;
        a->from_node = from_node;
        a->range_id = c->range_id;
        a->snapshot_id = c->snapshot_id;
        a->from_replica = c->from_replica;
        a->to_replica = c->to_replica;
        a->to_node = c->to_node;
        a->term = c->term;
        buf_init(&a->meta);
        buf_init(&a->data);
        rpc_pack(&c->meta->base, &a->meta);
    } else if (!a || a->snapshot_id != c->snapshot_id || a->data.n != c->offset) {
        if (a && a->snapshot_id == c->snapshot_id) asm_drop(k, a); /* a gap: a chunk was lost */
        return false;
    }
    if (a->data.n + c->data.len > KV_RPC_SNAP_MAX_BYTES) {
        asm_drop(k, a);
        return false;
    }
    buf_append(&a->data, c->data.data, c->data.len);
    if (c->last) asm_finish(k, a, c);
    return true;
}

/* Io thread: a METHOD_SNAPSHOT call carrying one chunk; answered at once. */
static void on_snapshot_call(void *ctx, rpc_request *req)
{
    kv_transport_rpc *k = ctx;
    ProtobufCMessage *m = NULL;
    mice_err err;
    mice_status rc =
        rpc_unpack(&rpcpb__snapshot_chunk__descriptor, rpc_request_payload(req), &m, &err);
    if (rc == MICE_OK && !on_chunk(k, rpc_request_from(req), (const Rpcpb__SnapshotChunk *)m))
        rc = mice_err_setf(&err, MICE_ABORTED, "snapshot stream not being assembled here");
    rpc_unpacked_free(m);
    rpc_respond(req, rc, rc ? &err : NULL, mice_slice_of(NULL, 0));
}

/* One heartbeat tuple to the store; MICE_CORRUPT for a bad tuple (the connection closes). */
static mice_status on_beat(kv_transport_rpc *k, uint64_t from_node, uint64_t range_id,
                           mice_status decoded, raft_msg *m)
{
    if (decoded) {
        count(k, ST_REJ, 1);
        return decoded;
    }
    raftwire_route route = {.range_id = range_id, .from_node = from_node, .to_node = k->node_id};
    deliver(k, &route, m);
    return MICE_OK;
}

static mice_status on_message(void *ctx, const rpc_inbound *in)
{
    kv_transport_rpc *k = ctx;
    if (in->kind == RPC_MSG_SNAPSHOT_CHUNK) { /* one-way chunks are accepted too */
        (void)on_chunk(k, in->from_node, (const Rpcpb__SnapshotChunk *)in->msg);
        return MICE_OK;
    }
    mice_err err;
    if (in->kind == RPC_MSG_HEARTBEAT) {
        const Rpcpb__NodeHeartbeat *h = (const Rpcpb__NodeHeartbeat *)in->msg;
        if (h->from_node != in->from_node || h->to_node != k->node_id) return MICE_OK;
        mice_status rc = MICE_OK;
        for (size_t i = 0; i < h->n_beats && !rc; i++) {
            raft_msg m;
            rc = on_beat(k, in->from_node, h->beats[i]->range_id,
                         raftwire_heartbeat_to_msg(h->beats[i], &m, &err), &m);
        }
        return rc;
    }
    if (in->kind == RPC_MSG_HEARTBEAT_RESP) {
        const Rpcpb__NodeHeartbeatResponse *h = (const Rpcpb__NodeHeartbeatResponse *)in->msg;
        if (h->from_node != in->from_node || h->to_node != k->node_id) return MICE_OK;
        mice_status rc = MICE_OK;
        for (size_t i = 0; i < h->n_resps && !rc; i++) {
            raft_msg m;
            rc = on_beat(k, in->from_node, h->resps[i]->range_id,
                         raftwire_heartbeat_resp_to_msg(h->resps[i], &m, &err), &m);
        }
        return rc;
    }
    if (in->kind != RPC_MSG_RAFT) return MICE_OK;
    raftwire_route route;
    raft_msg m;
    mice_status rc = raftwire_decode((const Rpcpb__RaftMessage *)in->msg, &route, &m, &err);
    if (rc || route.from_node != in->from_node || route.to_node != k->node_id) {
        count(k, ST_REJ, 1);
        if (rc)
            log_warn("kv rpc: raft message from node %" PRIu64 ": %s", in->from_node,
                     mice_err_msg(&err));
        if (!rc) raft_msg_deinit(&m);
        return rc; /* undecodable: the connection closes; misaddressed: dropped */
    }
    deliver(k, &route, &m);
    return MICE_OK;
}

/* --- the kv_transport ------------------------------------------------------------------- */

static mice_status rpc_kv_attach(void *impl, uint64_t node_id, kv_transport_recv_fn recv,
                                 void *recv_ctx)
{
    kv_transport_rpc *k = impl;
    if (node_id != k->node_id) return MICE_INVALID;
    pthread_mutex_lock(&k->mu);
    mice_status rc = k->attached ? MICE_EXISTS : MICE_OK;
    if (!rc) {
        k->recv = recv;
        k->recv_ctx = recv_ctx;
        k->attached = true;
    }
    pthread_mutex_unlock(&k->mu);
    return rc;
}

static void rpc_kv_detach(void *impl, uint64_t node_id)
{
    kv_transport_rpc *k = impl;
    (void)node_id;
    pthread_mutex_lock(&k->mu);
    k->attached = false;
    k->recv = NULL;
    k->recv_ctx = NULL;
    pthread_mutex_unlock(&k->mu);
}

static const kv_transport_ops rpc_kv_ops = {
    .attach = rpc_kv_attach,
    .detach = rpc_kv_detach,
    .send = rpc_kv_send,
};

/* rpc_transport_destroy is starting (the destroy hook). */
static void on_rpc_destroy(void *ctx)
{
    kv_transport_rpc *k = ctx;
    atomic_store(&k->rpc_gone, true);
}

mice_status kv_transport_rpc_create(rpc_transport *t, kv_transport *out, void **impl_out,
                                    mice_err *err)
{
    if (!t) return mice_err_setf(err, MICE_INVALID, "kv rpc transport: no rpc transport");
    kv_transport_rpc *k = mice_calloc(1, sizeof *k);
    k->t = t;
    k->node_id = rpc_transport_node_id(t);
    pthread_mutex_init(&k->mu, NULL);
    pthread_mutex_init(&k->hb_mu, NULL);
    atomic_init(&k->next_snapshot_id, 1);
    atomic_init(&k->refs, 1);
    atomic_init(&k->closing, false);
    atomic_init(&k->rpc_gone, false);
    rpc_set_message_handler(t, on_message, k);
    rpc_set_method_handler(t, RPCPB__METHOD__METHOD_SNAPSHOT, on_snapshot_call, k);
    rpc_set_destroy_hook(t, on_rpc_destroy, k);
    *out = (kv_transport){.ops = &rpc_kv_ops, .impl = k};
    *impl_out = k;
    return MICE_OK;
}

static void hb_noop(void *ctx)
{
    (void)ctx;
}

static void k_free(kv_transport_rpc *k)
{
    for (size_t i = 0; i < k->n_hb; i++)
        hb_peer_free(&k->hb[i]);
    free(k->hb);
    pthread_mutex_destroy(&k->hb_mu);
    for (size_t i = 0; i < KV_RPC_SNAP_ASSEMBLIES_MAX; i++)
        if (k->asms[i].used) {
            buf_deinit(&k->asms[i].meta);
            buf_deinit(&k->asms[i].data);
        }
    pthread_mutex_destroy(&k->mu);
    free(k);
}

void kv_transport_rpc_destroy(void *impl)
{
    kv_transport_rpc *k = impl;
    if (!k) return;
    atomic_store(&k->closing, true);
    if (!atomic_load(&k->rpc_gone)) {
        rpc_set_destroy_hook(k->t, NULL, NULL);
        rpc_set_message_handler(k->t, NULL, NULL);
        rpc_set_method_handler(k->t, RPCPB__METHOD__METHOD_SNAPSHOT, NULL, NULL);
        /* A flush or stream start posted earlier runs before this (posting order); none is
         * posted later, as the store that sends is closed. */
        (void)ioloop_call(rpc_transport_loop(k->t), hb_noop, NULL);
    }           /* else the rpc transport's teardown ran them, and failed the streams' calls */
    k_unref(k); /* streams still waiting for an answer free it with the last one */
}

kv_transport_rpc_stats kv_transport_rpc_get_stats(void *impl)
{
    kv_transport_rpc *k = impl;
    kv_transport_rpc_stats s;
    uint64_t *p = (uint64_t *)&s;
    _Static_assert(sizeof s == ST_N * sizeof(uint64_t), "one slot per stat");
    for (int i = 0; i < ST_N; i++)
        p[i] = atomic_load_explicit(&k->stat[i], memory_order_relaxed);
    return s;
}
