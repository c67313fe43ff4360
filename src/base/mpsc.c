/*
 * Vyukov's intrusive MPSC queue. Producers exchange `head` and then link the previous
 * head to the new node; between those two steps the chain is briefly broken, which the
 * consumer sees as "empty for now". The pusher that broke it calls the wake function
 * after linking (unless a wake-up is already owed), so the consumer will look again.
 */
#include "base/mpsc.h"

#include <errno.h>
#include <time.h>

#include "base/check.h"
#include "base/env.h"

static void park_wake(void *ctx)
{
    mpsc_queue *q = ctx;
    pthread_mutex_lock(&q->park_mu);
    q->park_signaled = true;
    pthread_cond_signal(&q->park_cv);
    pthread_mutex_unlock(&q->park_mu);
}

void mpsc_init(mpsc_queue *q, mpsc_wake_fn wake, void *wake_ctx)
{
    atomic_init(&q->sentinel.next, NULL);
    atomic_init(&q->head, &q->sentinel);
    q->tail = &q->sentinel;
    atomic_init(&q->wake_requested, false);
    q->wake = wake ? wake : park_wake;
    q->wake_ctx = wake ? wake_ctx : q;
    int rc = pthread_mutex_init(&q->park_mu, NULL);
    mice_assert(rc == 0);
    pthread_condattr_t attr;
    rc = pthread_condattr_init(&attr);
    mice_assert(rc == 0);
    /* Deadlines are on the monotonic clock, like mice_env_real()->mono_ns. */
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    mice_assert(rc == 0);
    rc = pthread_cond_init(&q->park_cv, &attr);
    mice_assert(rc == 0);
    pthread_condattr_destroy(&attr);
    q->park_signaled = false;
}

void mpsc_deinit(mpsc_queue *q)
{
    mice_assert(q->tail == &q->sentinel);
    mice_assert(atomic_load(&q->head) == &q->sentinel);
    pthread_cond_destroy(&q->park_cv);
    pthread_mutex_destroy(&q->park_mu);
}

static void link_node(mpsc_queue *q, mpsc_node *n)
{
    atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
    mpsc_node *prev = atomic_exchange_explicit(&q->head, n, memory_order_acq_rel);
    atomic_store_explicit(&prev->next, n, memory_order_release);
}

bool mpsc_push(mpsc_queue *q, mpsc_node *n)
{
    link_node(q, n);
    /* acq_rel pairs with the consumer's re-arm exchange: either the consumer's exchange
     * comes later and sees our link, or ours comes later, reads false and wakes it. */
    if (atomic_exchange_explicit(&q->wake_requested, true, memory_order_acq_rel)) return false;
    q->wake(q->wake_ctx);
    return true;
}

static mpsc_node *try_pop(mpsc_queue *q)
{
    mpsc_node *tail = q->tail;
    mpsc_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (tail == &q->sentinel) {
        if (!next) return NULL;
        q->tail = next;
        tail = next;
        next = atomic_load_explicit(&next->next, memory_order_acquire);
    }
    if (next) {
        q->tail = next;
        return tail;
    }
    if (tail != atomic_load_explicit(&q->head, memory_order_acquire)) return NULL; /* mid-push */
    /* tail is the last node: put the sentinel behind it so tail can be handed out. */
    link_node(q, &q->sentinel);
    next = atomic_load_explicit(&tail->next, memory_order_acquire);
    if (next) {
        q->tail = next;
        return tail;
    }
    return NULL;
}

mpsc_node *mpsc_pop(mpsc_queue *q)
{
    mpsc_node *n = try_pop(q);
    if (n) return n;
    atomic_exchange_explicit(&q->wake_requested, false, memory_order_acq_rel);
    return try_pop(q);
}

static struct timespec deadline_after(uint64_t timeout_ns)
{
    uint64_t now = env_mono_ns(mice_env_real());
    uint64_t at = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
    return (struct timespec){(time_t)(at / MICE_NS_PER_S), (long)(at % MICE_NS_PER_S)};
}

mpsc_node *mpsc_pop_wait(mpsc_queue *q, uint64_t timeout_ns)
{
    mice_assert(q->wake == park_wake);
    struct timespec deadline = deadline_after(timeout_ns);
    for (;;) {
        mpsc_node *n = mpsc_pop(q);
        if (n) return n;
        bool timed_out = false;
        pthread_mutex_lock(&q->park_mu);
        while (!q->park_signaled && !timed_out) {
            if (timeout_ns == MPSC_WAIT_FOREVER) {
                pthread_cond_wait(&q->park_cv, &q->park_mu);
            } else {
                timed_out =
                    pthread_cond_timedwait(&q->park_cv, &q->park_mu, &deadline) == ETIMEDOUT;
            }
        }
        q->park_signaled = false;
        pthread_mutex_unlock(&q->park_mu);
        if (timed_out) return mpsc_pop(q);
    }
}
