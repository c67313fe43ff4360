/* The in-process transport (see transport_loopback.h).
 *
 * Delayed batches travel through an MPSC queue to the delivery thread, which keeps them
 * in a binary heap by due time and sleeps in mpsc_pop_wait until the earliest is due or a
 * new one arrives. A batch with a NULL-range sentinel (stop) ends the thread. */
#include "kv/transport_loopback.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/env.h"
#include "base/prng.h"

typedef struct lb_node {
    uint64_t id;
    kv_transport_recv_fn recv;
    void *recv_ctx;
} lb_node;

typedef struct lb_cut {
    uint64_t a, b;     /* b == LB_EVERY_NODE: a is isolated */
    uint64_t range_id; /* 0: every range; else only this range's messages to/from a */
} lb_cut;

#define LB_EVERY_NODE UINT64_MAX

typedef struct lb_delayed {
    uint64_t due_ns;
    uint64_t seq; /* ties keep send order */
    kv_raft_batch *b;
} lb_delayed;

/* Carried through the delay queue (the batch's own node is the queue link). */
typedef struct lb_item {
    mpsc_node node;
    uint64_t due_ns;
    kv_raft_batch *b; /* NULL: stop */
} lb_item;

struct kv_loopback {
    pthread_mutex_t mu; /* everything below except the delivery thread's heap and queue */
    lb_node nodes[KV_LOOPBACK_NODES_MAX];
    size_t n_nodes;
    lb_cut *cuts;
    size_t n_cuts;
    uint32_t drop_ppm;
    uint64_t drop_types; /* bit per raft_msg_type */
    uint64_t delay_min_us, delay_max_us;
    mice_prng prng;
    kv_loopback_stats stats;
    /* delivery thread */
    const mice_env *env;
    mpsc_queue delayq;
    pthread_t thread;
    lb_delayed *heap; /* delivery thread only */
    size_t n_heap, cap_heap;
    uint64_t seq;
};

static lb_node *find_node(kv_loopback *lb, uint64_t id)
{
    for (size_t i = 0; i < lb->n_nodes; i++)
        if (lb->nodes[i].id == id) return &lb->nodes[i];
    return NULL;
}

static bool is_cut(kv_loopback *lb, uint64_t a, uint64_t b, uint64_t range_id)
{
    for (size_t i = 0; i < lb->n_cuts; i++) {
        const lb_cut *c = &lb->cuts[i];
        if (c->range_id && c->range_id != range_id) continue;
        if ((c->a == a && c->b == b) || (c->a == b && c->b == a)) return true;
        if (c->b == LB_EVERY_NODE && (c->a == a || c->a == b)) return true;
    }
    return false;
}

static void set_cut(kv_loopback *lb, uint64_t a, uint64_t b, uint64_t range_id, bool cut)
{
    for (size_t i = 0; i < lb->n_cuts; i++) {
        if (lb->cuts[i].range_id != range_id) continue;
        if ((lb->cuts[i].a == a && lb->cuts[i].b == b) ||
            (lb->cuts[i].a == b && lb->cuts[i].b == a)) {
            lb->cuts[i] = lb->cuts[--lb->n_cuts];
            break;
        }
    }
    if (!cut) return;
    lb->cuts = mice_realloc(lb->cuts, (lb->n_cuts + 1) * sizeof *lb->cuts);
    lb->cuts[lb->n_cuts++] = (lb_cut){.a = a, .b = b, .range_id = range_id};
}

/* Hand b to its receiver or drop it. Called with mu held. */
static void deliver_locked(kv_loopback *lb, kv_raft_batch *b)
{
    lb_node *to = find_node(lb, b->to_node);
    if (lb->drop_types) {
        size_t kept = 0;
        for (size_t i = 0; i < b->n_msgs; i++) {
            if (lb->drop_types & (1ull << b->msgs[i].type))
                raft_msg_deinit(&b->msgs[i]);
            else
                b->msgs[kept++] = b->msgs[i];
        }
        b->n_msgs = kept;
    }
    if (!to || b->n_msgs == 0 || is_cut(lb, b->from_node, b->to_node, b->range_id)) {
        lb->stats.dropped++;
        kv_raft_batch_free(b);
        return;
    }
    lb->stats.delivered++;
    to->recv(to->recv_ctx, b);
}

/* --- the delivery thread's heap ------------------------------------------------------------- */

static bool delayed_before(const lb_delayed *x, const lb_delayed *y)
{
    return x->due_ns < y->due_ns || (x->due_ns == y->due_ns && x->seq < y->seq);
}

static void heap_push(kv_loopback *lb, lb_delayed d)
{
    if (lb->n_heap == lb->cap_heap) {
        lb->cap_heap = lb->cap_heap ? 2 * lb->cap_heap : 64;
        lb->heap = mice_realloc(lb->heap, lb->cap_heap * sizeof *lb->heap);
    }
    size_t i = lb->n_heap++;
    lb->heap[i] = d;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!delayed_before(&lb->heap[i], &lb->heap[p])) break;
        lb_delayed t = lb->heap[p];
        lb->heap[p] = lb->heap[i];
        lb->heap[i] = t;
        i = p;
    }
}

static lb_delayed heap_pop(kv_loopback *lb)
{
    lb_delayed top = lb->heap[0];
    lb->heap[0] = lb->heap[--lb->n_heap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < lb->n_heap && delayed_before(&lb->heap[l], &lb->heap[m])) m = l;
        if (r < lb->n_heap && delayed_before(&lb->heap[r], &lb->heap[m])) m = r;
        if (m == i) break;
        lb_delayed t = lb->heap[m];
        lb->heap[m] = lb->heap[i];
        lb->heap[i] = t;
        i = m;
    }
    return top;
}

static void *delivery_main(void *arg)
{
    kv_loopback *lb = arg;
    for (;;) {
        uint64_t wait_ns = MPSC_WAIT_FOREVER;
        if (lb->n_heap) {
            uint64_t now = env_mono_ns(lb->env);
            wait_ns = lb->heap[0].due_ns > now ? lb->heap[0].due_ns - now : 0;
        }
        mpsc_node *n = wait_ns ? mpsc_pop_wait(&lb->delayq, wait_ns) : mpsc_pop(&lb->delayq);
        if (n) {
            lb_item *it = MPSC_CONTAINER(n, lb_item, node);
            kv_raft_batch *b = it->b;
            uint64_t due = it->due_ns;
            free(it);
            if (!b) break;
            heap_push(lb, (lb_delayed){.due_ns = due, .seq = lb->seq++, .b = b});
            continue;
        }
        uint64_t now = env_mono_ns(lb->env);
        pthread_mutex_lock(&lb->mu);
        while (lb->n_heap && lb->heap[0].due_ns <= now)
            deliver_locked(lb, heap_pop(lb).b);
        pthread_mutex_unlock(&lb->mu);
    }
    while (lb->n_heap)
        kv_raft_batch_free(heap_pop(lb).b);
    /* Drain anything pushed after the stop item. */
    mpsc_node *n;
    while ((n = mpsc_pop(&lb->delayq))) {
        lb_item *it = MPSC_CONTAINER(n, lb_item, node);
        kv_raft_batch_free(it->b);
        free(it);
    }
    return NULL;
}

/* --- the kv_transport ops ------------------------------------------------------------------- */

static mice_status lb_attach(void *impl, uint64_t node_id, kv_transport_recv_fn recv,
                             void *recv_ctx)
{
    kv_loopback *lb = impl;
    mice_status rc = MICE_OK;
    pthread_mutex_lock(&lb->mu);
    if (find_node(lb, node_id)) {
        rc = MICE_EXISTS;
    } else if (lb->n_nodes == KV_LOOPBACK_NODES_MAX) {
        rc = MICE_LIMIT;
    } else {
        lb->nodes[lb->n_nodes++] = (lb_node){.id = node_id, .recv = recv, .recv_ctx = recv_ctx};
    }
    pthread_mutex_unlock(&lb->mu);
    return rc;
}

static void lb_detach(void *impl, uint64_t node_id)
{
    kv_loopback *lb = impl;
    pthread_mutex_lock(&lb->mu);
    for (size_t i = 0; i < lb->n_nodes; i++) {
        if (lb->nodes[i].id != node_id) continue;
        lb->nodes[i] = lb->nodes[--lb->n_nodes];
        break;
    }
    pthread_mutex_unlock(&lb->mu);
}

static void lb_send(void *impl, kv_raft_batch *b)
{
    kv_loopback *lb = impl;
    pthread_mutex_lock(&lb->mu);
    lb->stats.sent++;
    if (lb->drop_ppm && prng_below(&lb->prng, KV_LOOPBACK_PPM) < lb->drop_ppm) {
        lb->stats.dropped++;
        pthread_mutex_unlock(&lb->mu);
        kv_raft_batch_free(b);
        return;
    }
    uint64_t delay_us = lb->delay_min_us;
    if (lb->delay_max_us > lb->delay_min_us)
        delay_us += prng_below(&lb->prng, lb->delay_max_us - lb->delay_min_us + 1);
    if (delay_us == 0) {
        deliver_locked(lb, b);
        pthread_mutex_unlock(&lb->mu);
        return;
    }
    pthread_mutex_unlock(&lb->mu);
    lb_item *it = mice_malloc(sizeof *it);
    it->due_ns = env_mono_ns(lb->env) + delay_us * MICE_NS_PER_US;
    it->b = b;
    mpsc_push(&lb->delayq, &it->node);
}

static const kv_transport_ops loopback_ops = {
    .attach = lb_attach,
    .detach = lb_detach,
    .send = lb_send,
};

/* --- lifecycle and controls ----------------------------------------------------------------- */

kv_loopback *kv_loopback_create(uint64_t seed)
{
    kv_loopback *lb = mice_calloc(1, sizeof *lb);
    pthread_mutex_init(&lb->mu, NULL);
    prng_seed(&lb->prng, seed);
    lb->env = mice_env_real();
    mpsc_init(&lb->delayq, NULL, NULL);
    int rc = pthread_create(&lb->thread, NULL, delivery_main, lb);
    mice_assert(rc == 0);
    return lb;
}

void kv_loopback_destroy(kv_loopback *lb)
{
    if (!lb) return;
    lb_item *stop = mice_calloc(1, sizeof *stop);
    mpsc_push(&lb->delayq, &stop->node);
    pthread_join(lb->thread, NULL);
    mice_assert(lb->n_nodes == 0);
    mpsc_deinit(&lb->delayq);
    free(lb->heap);
    free(lb->cuts);
    pthread_mutex_destroy(&lb->mu);
    free(lb);
}

kv_transport kv_loopback_transport(kv_loopback *lb)
{
    return (kv_transport){&loopback_ops, lb};
}

void kv_loopback_set_drop(kv_loopback *lb, uint32_t drop_ppm)
{
    pthread_mutex_lock(&lb->mu);
    lb->drop_ppm = drop_ppm > KV_LOOPBACK_PPM ? KV_LOOPBACK_PPM : drop_ppm;
    pthread_mutex_unlock(&lb->mu);
}

void kv_loopback_set_delay(kv_loopback *lb, uint64_t min_us, uint64_t max_us)
{
    pthread_mutex_lock(&lb->mu);
    lb->delay_min_us = min_us;
    lb->delay_max_us = max_us < min_us ? min_us : max_us;
    pthread_mutex_unlock(&lb->mu);
}

void kv_loopback_partition(kv_loopback *lb, uint64_t a, uint64_t b, bool cut)
{
    mice_assert(a != LB_EVERY_NODE && b != LB_EVERY_NODE);
    pthread_mutex_lock(&lb->mu);
    set_cut(lb, a, b, 0, cut);
    pthread_mutex_unlock(&lb->mu);
}

void kv_loopback_isolate(kv_loopback *lb, uint64_t node, bool cut)
{
    pthread_mutex_lock(&lb->mu);
    set_cut(lb, node, LB_EVERY_NODE, 0, cut);
    pthread_mutex_unlock(&lb->mu);
}

void kv_loopback_block_range(kv_loopback *lb, uint64_t node, uint64_t range_id, bool cut)
{
    mice_assert(range_id != 0);
    pthread_mutex_lock(&lb->mu);
    set_cut(lb, node, LB_EVERY_NODE, range_id, cut);
    pthread_mutex_unlock(&lb->mu);
}

void kv_loopback_heal(kv_loopback *lb)
{
    pthread_mutex_lock(&lb->mu);
    lb->n_cuts = 0;
    lb->drop_types = 0;
    lb->drop_ppm = 0;
    lb->delay_min_us = lb->delay_max_us = 0;
    pthread_mutex_unlock(&lb->mu);
}

void kv_loopback_drop_msg_type(kv_loopback *lb, raft_msg_type type, bool drop)
{
    mice_assert((unsigned)type < 64);
    pthread_mutex_lock(&lb->mu);
    if (drop)
        lb->drop_types |= 1ull << type;
    else
        lb->drop_types &= ~(1ull << type);
    pthread_mutex_unlock(&lb->mu);
}

kv_loopback_stats kv_loopback_get_stats(kv_loopback *lb)
{
    pthread_mutex_lock(&lb->mu);
    kv_loopback_stats s = lb->stats;
    pthread_mutex_unlock(&lb->mu);
    return s;
}
