/*
 * mpsc.h - a multi-producer, single-consumer queue with a wake-up for its consumer.
 *
 * The queue is intrusive (Vyukov's MPSC): a producer embeds an mpsc_node in its own
 * message and pushes it with one atomic exchange, never blocking and never allocating.
 * The single consumer pops in FIFO order (per producer, and globally in the order the
 * exchanges happened). This is how work reaches a loop thread: the io loop's "run this
 * on the loop" tasks and, later, the raft thread's proposals.
 *
 * Waking the consumer: a push that finds the queue "unarmed" calls the wake function
 * given to mpsc_init (for a libuv loop: uv_async_send on the loop's async handle). The
 * consumer re-arms the queue every time mpsc_pop returns NULL, so a push after that NULL
 * always wakes it again, and pushes while the consumer is busy draining cost no wake-up.
 * A queue made with a NULL wake function wakes a built-in mutex+condvar instead, for a
 * plain thread that sleeps in mpsc_pop_wait.
 *
 * Owns: nothing it carries; a pushed node belongs to the queue until popped, then to the
 * consumer. The caller owns the mpsc_queue memory (init/deinit).
 * Thread safety: mpsc_push from any thread; mpsc_pop and mpsc_pop_wait only from the one
 * consumer thread; init/deinit while no other thread uses the queue.
 * Invariants: a node is in at most one queue at a time; mpsc_pop returns NULL only after
 * re-arming the wake-up, so "pop until NULL, then sleep until woken" never loses a push.
 * mpsc_pop may return NULL while a push is half done (the pusher then wakes the consumer).
 */
#ifndef MICE_BASE_MPSC_H
#define MICE_BASE_MPSC_H

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mpsc_node {
    _Atomic(struct mpsc_node *) next;
} mpsc_node;

typedef void (*mpsc_wake_fn)(void *wake_ctx);

typedef struct mpsc_queue {
    _Atomic(mpsc_node *) head; /* producers: last pushed node */
    char pad_head[64 - sizeof(void *)];
    mpsc_node *tail; /* consumer only: next node to pop */
    mpsc_node sentinel;
    char pad_tail[64 - 2 * sizeof(void *)];
    atomic_bool wake_requested; /* true: the consumer will look again without a wake-up */
    mpsc_wake_fn wake;
    void *wake_ctx;
    /* Built-in parking for plain threads (wake == NULL). */
    pthread_mutex_t park_mu; /* protects park_signaled */
    pthread_cond_t park_cv;
    bool park_signaled;
} mpsc_queue;

/* Recover the enclosing struct from its embedded node. */
#define MPSC_CONTAINER(node_ptr, type, member) ((type *)((char *)(node_ptr)-offsetof(type, member)))

/* wake may be NULL: the queue then wakes mpsc_pop_wait. wake runs on the pushing thread
 * and must be cheap and thread-safe (uv_async_send is). */
void mpsc_init(mpsc_queue *q, mpsc_wake_fn wake, void *wake_ctx);
/* The queue must be empty. */
void mpsc_deinit(mpsc_queue *q);

/* Any thread. Returns true when this push called the wake function. */
bool mpsc_push(mpsc_queue *q, mpsc_node *n);
/* Consumer only. The oldest node, or NULL (empty, or a push is mid-way). */
mpsc_node *mpsc_pop(mpsc_queue *q);
/* Consumer only, queue made with a NULL wake function: pop, sleeping up to timeout_ns
 * (MPSC_WAIT_FOREVER for no limit) for a push. NULL when the time ran out. */
#define MPSC_WAIT_FOREVER UINT64_MAX
mpsc_node *mpsc_pop_wait(mpsc_queue *q, uint64_t timeout_ns);

#endif
