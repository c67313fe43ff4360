/* Unit tests for base/workpool: FIFO start order, thread names, stats, a multi-submitter
 * stress run, the bounded queue, and both shutdown modes with work still queued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "base/env.h"
#include "base/future.h"
#include "base/workpool.h"

static void test_bad_config(void **state)
{
    (void)state;
    workpool *wp = (workpool *)1;
    mice_err err;
    workpool_config cfg = {.threads = 0};
    assert_int_equal(workpool_create(&cfg, &wp, &err), MICE_INVALID);
    assert_null(wp);
    assert_non_null(strstr(err.msg, "threads"));
    cfg = (workpool_config){.threads = 1, .name = "a-name-far-too-long"};
    assert_int_equal(workpool_create(&cfg, &wp, &err), MICE_INVALID);
}

typedef struct order_log {
    pthread_mutex_t mu;
    int seen[64];
    int n;
    char names[4][WORKPOOL_NAME_MAX];
    bool on_worker;
    workpool *wp;
} order_log;

typedef struct order_task {
    order_log *log;
    int id;
} order_task;

static void record(void *ctx, mice_status st)
{
    order_task *t = ctx;
    assert_int_equal(st, MICE_OK);
    pthread_mutex_lock(&t->log->mu);
    t->log->seen[t->log->n++] = t->id;
    pthread_getname_np(pthread_self(), t->log->names[0], WORKPOOL_NAME_MAX);
    t->log->on_worker = workpool_on_worker(t->log->wp);
    pthread_mutex_unlock(&t->log->mu);
}

static void test_single_worker_is_fifo_and_named(void **state)
{
    (void)state;
    order_log log = {.mu = PTHREAD_MUTEX_INITIALIZER};
    workpool_config cfg = {.threads = 1, .name = "exec"};
    assert_int_equal(workpool_create(&cfg, &log.wp, NULL), MICE_OK);
    assert_false(workpool_on_worker(log.wp));
    order_task tasks[64];
    for (int i = 0; i < 64; i++) {
        tasks[i] = (order_task){&log, i};
        assert_int_equal(workpool_submit(log.wp, record, &tasks[i]), MICE_OK);
    }
    workpool_shutdown(log.wp, WORKPOOL_DRAIN);
    assert_int_equal(log.n, 64);
    for (int i = 0; i < 64; i++)
        assert_int_equal(log.seen[i], i);
    assert_string_equal(log.names[0], "exec-0");
    assert_true(log.on_worker);
    workpool_stats s = workpool_get_stats(log.wp);
    assert_int_equal(s.completed, 64);
    assert_int_equal(s.queued, 0);
    assert_int_equal(s.running, 0);
    assert_int_equal(workpool_submit(log.wp, record, &tasks[0]), MICE_CLOSED);
    workpool_destroy(log.wp);
}

enum { SUBMITTERS = 4, PER_SUBMITTER = 25000 };

typedef struct stress {
    workpool *wp;
    atomic_long sum;
    atomic_int runs;
} stress;

static void add_one(void *ctx, mice_status st)
{
    stress *s = ctx;
    if (st == MICE_OK) {
        atomic_fetch_add(&s->sum, 1);
        atomic_fetch_add(&s->runs, 1);
    }
}

static void *submit_many(void *p)
{
    stress *s = p;
    for (int i = 0; i < PER_SUBMITTER; i++) {
        while (workpool_submit(s->wp, add_one, s) == MICE_BUSY)
            sched_yield();
    }
    return NULL;
}

static void test_many_submitters(void **state)
{
    (void)state;
    stress s = {0};
    workpool_config cfg = {.threads = 4, .queue_max = 1000};
    assert_int_equal(workpool_create(&cfg, &s.wp, NULL), MICE_OK);
    assert_int_equal(workpool_threads(s.wp), 4);
    pthread_t tids[SUBMITTERS];
    uint64_t t0 = env_mono_ns(mice_env_real());
    for (int i = 0; i < SUBMITTERS; i++)
        assert_int_equal(pthread_create(&tids[i], NULL, submit_many, &s), 0);
    for (int i = 0; i < SUBMITTERS; i++)
        pthread_join(tids[i], NULL);
    workpool_shutdown(s.wp, WORKPOOL_DRAIN);
    uint64_t ns = env_mono_ns(mice_env_real()) - t0;
    assert_int_equal(atomic_load(&s.runs), SUBMITTERS * PER_SUBMITTER);
    workpool_stats st = workpool_get_stats(s.wp);
    assert_int_equal(st.completed, SUBMITTERS * PER_SUBMITTER);
    printf("workpool: %.2f M tiny tasks/s (4 submitters, 4 workers)\n",
           SUBMITTERS * PER_SUBMITTER / ((double)ns / MICE_NS_PER_S) / 1e6);
    workpool_destroy(s.wp);
}

/* A task that holds its worker until released, to keep work queued behind it. */
typedef struct gate {
    mice_future *entered;
    mice_future *release;
} gate;

static void hold(void *ctx, mice_status st)
{
    gate *g = ctx;
    assert_int_equal(st, MICE_OK);
    future_complete(g->entered, NULL, NULL);
    assert_int_equal(future_wait(g->release, 10ull * MICE_NS_PER_S, NULL, NULL), MICE_OK);
}

typedef struct outcome {
    atomic_int ran;
    atomic_int aborted;
} outcome;

static void note(void *ctx, mice_status st)
{
    outcome *o = ctx;
    atomic_fetch_add(st == MICE_OK ? &o->ran : &o->aborted, 1);
}

static void *release_later(void *p)
{
    env_sleep_ns(mice_env_real(), 50 * MICE_NS_PER_MS);
    future_complete(p, NULL, NULL);
    return NULL;
}

static void run_shutdown_with_queue(workpool_shutdown_mode mode, outcome *o)
{
    workpool *wp;
    workpool_config cfg = {.threads = 1, .queue_max = 10};
    assert_int_equal(workpool_create(&cfg, &wp, NULL), MICE_OK);
    gate g = {future_create(), future_create()};
    assert_int_equal(workpool_submit(wp, hold, &g), MICE_OK);
    assert_int_equal(future_wait(g.entered, 10ull * MICE_NS_PER_S, NULL, NULL), MICE_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(workpool_submit(wp, note, o), MICE_OK);
    assert_int_equal(workpool_submit(wp, note, o), MICE_BUSY); /* queue_max reached */
    workpool_stats s = workpool_get_stats(wp);
    assert_int_equal(s.queued, 10);
    assert_int_equal(s.running, 1);
    assert_int_equal(s.rejected, 1);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, release_later, g.release), 0);
    workpool_shutdown(wp, mode); /* waits for the held task */
    pthread_join(t, NULL);
    s = workpool_get_stats(wp);
    assert_int_equal(s.queued, 0);
    assert_int_equal(s.running, 0);
    assert_int_equal(s.completed + s.cancelled, 11);
    future_release(g.entered);
    future_release(g.release);
    workpool_destroy(wp);
}

static void test_shutdown_drain_runs_queue(void **state)
{
    (void)state;
    outcome o = {0};
    run_shutdown_with_queue(WORKPOOL_DRAIN, &o);
    assert_int_equal(atomic_load(&o.ran), 10);
    assert_int_equal(atomic_load(&o.aborted), 0);
}

static void test_shutdown_cancel_aborts_queue(void **state)
{
    (void)state;
    outcome o = {0};
    run_shutdown_with_queue(WORKPOOL_CANCEL, &o);
    assert_int_equal(atomic_load(&o.ran), 0);
    assert_int_equal(atomic_load(&o.aborted), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_single_worker_is_fifo_and_named),
        cmocka_unit_test(test_many_submitters),
        cmocka_unit_test(test_shutdown_drain_runs_queue),
        cmocka_unit_test(test_shutdown_cancel_aborts_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
