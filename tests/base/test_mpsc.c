/* Unit tests for base/mpsc: FIFO order, wake-ups, timed waits, and a multi-producer stress
 * run that checks every item arrives exactly once and in per-producer order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>

#include "base/env.h"
#include "base/mpsc.h"

typedef struct item {
    mpsc_node node;
    int producer;
    uint32_t seq;
} item;

static void count_wake(void *ctx)
{
    atomic_fetch_add((atomic_int *)ctx, 1);
}

static void test_fifo_and_wakeups(void **state)
{
    (void)state;
    atomic_int wakes = 0;
    mpsc_queue q;
    mpsc_init(&q, count_wake, &wakes);
    assert_null(mpsc_pop(&q));
    item items[5];
    for (int i = 0; i < 5; i++) {
        items[i].seq = (uint32_t)i;
        /* Only the first push after the consumer re-armed (by seeing NULL) wakes it. */
        assert_int_equal(mpsc_push(&q, &items[i].node), i == 0);
    }
    assert_int_equal(atomic_load(&wakes), 1);
    for (int i = 0; i < 5; i++) {
        mpsc_node *n = mpsc_pop(&q);
        assert_non_null(n);
        assert_int_equal(MPSC_CONTAINER(n, item, node)->seq, i);
    }
    assert_null(mpsc_pop(&q)); /* re-arms */
    assert_true(mpsc_push(&q, &items[0].node));
    assert_int_equal(atomic_load(&wakes), 2);
    /* Interleaved push/pop through the stub node. */
    assert_ptr_equal(mpsc_pop(&q), &items[0].node);
    mpsc_push(&q, &items[1].node);
    assert_ptr_equal(mpsc_pop(&q), &items[1].node);
    assert_null(mpsc_pop(&q));
    mpsc_deinit(&q);
}

static void test_pop_wait_times_out(void **state)
{
    (void)state;
    mpsc_queue q;
    mpsc_init(&q, NULL, NULL);
    const mice_env *env = mice_env_real();
    uint64_t t0 = env_mono_ns(env);
    assert_null(mpsc_pop_wait(&q, 20 * MICE_NS_PER_MS));
    uint64_t waited = env_mono_ns(env) - t0;
    assert_true(waited >= 20 * MICE_NS_PER_MS);
    assert_true(waited < 2000ull * MICE_NS_PER_MS);
    item it = {.seq = 7};
    mpsc_push(&q, &it.node);
    assert_ptr_equal(mpsc_pop_wait(&q, 0), &it.node);
    mpsc_deinit(&q);
}

enum { PRODUCERS = 4, PER_PRODUCER = 200000 };

typedef struct producer_arg {
    mpsc_queue *q;
    item *items;
    int id;
} producer_arg;

static void *produce(void *p)
{
    producer_arg *a = p;
    for (uint32_t i = 0; i < PER_PRODUCER; i++) {
        a->items[i].producer = a->id;
        a->items[i].seq = i;
        mpsc_push(a->q, &a->items[i].node);
    }
    return NULL;
}

static void test_many_producers_blocking_consumer(void **state)
{
    (void)state;
    mpsc_queue q;
    mpsc_init(&q, NULL, NULL);
    item *items = calloc((size_t)PRODUCERS * PER_PRODUCER, sizeof *items);
    assert_non_null(items);
    pthread_t tids[PRODUCERS];
    producer_arg args[PRODUCERS];
    uint64_t t0 = env_mono_ns(mice_env_real());
    for (int p = 0; p < PRODUCERS; p++) {
        args[p] = (producer_arg){&q, items + (size_t)p * PER_PRODUCER, p};
        assert_int_equal(pthread_create(&tids[p], NULL, produce, &args[p]), 0);
    }
    uint32_t next_seq[PRODUCERS] = {0};
    for (size_t got = 0; got < (size_t)PRODUCERS * PER_PRODUCER; got++) {
        mpsc_node *n = mpsc_pop_wait(&q, 10ull * MICE_NS_PER_S);
        assert_non_null(n);
        item *it = MPSC_CONTAINER(n, item, node);
        assert_true(it->producer >= 0 && it->producer < PRODUCERS);
        assert_int_equal(it->seq, next_seq[it->producer]); /* per-producer FIFO, no loss */
        next_seq[it->producer]++;
    }
    uint64_t ns = env_mono_ns(mice_env_real()) - t0;
    for (int p = 0; p < PRODUCERS; p++)
        pthread_join(tids[p], NULL);
    assert_null(mpsc_pop(&q));
    printf("mpsc: %d producers, %.1f M items/s through a blocking consumer\n", PRODUCERS,
           (double)PRODUCERS * PER_PRODUCER / ((double)ns / MICE_NS_PER_S) / 1e6);
    free(items);
    mpsc_deinit(&q);
}

/* Baseline for the measurement above: the same traffic through a mutex + condvar list. */
typedef struct locked_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    mpsc_node *first, *last;
} locked_queue;

typedef struct locked_arg {
    locked_queue *q;
    item *items;
} locked_arg;

static void *produce_locked(void *p)
{
    locked_arg *a = p;
    for (uint32_t i = 0; i < PER_PRODUCER; i++) {
        mpsc_node *n = &a->items[i].node;
        atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
        pthread_mutex_lock(&a->q->mu);
        if (a->q->last) {
            atomic_store_explicit(&a->q->last->next, n, memory_order_relaxed);
        } else {
            a->q->first = n;
        }
        a->q->last = n;
        pthread_cond_signal(&a->q->cv);
        pthread_mutex_unlock(&a->q->mu);
    }
    return NULL;
}

static void test_measure_against_mutex_queue(void **state)
{
    (void)state;
    locked_queue q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL};
    item *items = calloc((size_t)PRODUCERS * PER_PRODUCER, sizeof *items);
    assert_non_null(items);
    pthread_t tids[PRODUCERS];
    locked_arg args[PRODUCERS];
    uint64_t t0 = env_mono_ns(mice_env_real());
    for (int p = 0; p < PRODUCERS; p++) {
        args[p] = (locked_arg){&q, items + (size_t)p * PER_PRODUCER};
        assert_int_equal(pthread_create(&tids[p], NULL, produce_locked, &args[p]), 0);
    }
    size_t got = 0;
    while (got < (size_t)PRODUCERS * PER_PRODUCER) {
        pthread_mutex_lock(&q.mu);
        while (!q.first)
            pthread_cond_wait(&q.cv, &q.mu);
        mpsc_node *n = q.first;
        q.first = q.last = NULL;
        pthread_mutex_unlock(&q.mu);
        for (; n; n = atomic_load_explicit(&n->next, memory_order_relaxed))
            got++;
    }
    uint64_t ns = env_mono_ns(mice_env_real()) - t0;
    for (int p = 0; p < PRODUCERS; p++)
        pthread_join(tids[p], NULL);
    printf("mutex+condvar baseline: %d producers, %.1f M items/s\n", PRODUCERS,
           (double)PRODUCERS * PER_PRODUCER / ((double)ns / MICE_NS_PER_S) / 1e6);
    free(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_wakeups),
        cmocka_unit_test(test_pop_wait_times_out),
        cmocka_unit_test(test_many_producers_blocking_consumer),
        cmocka_unit_test(test_measure_against_mutex_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
