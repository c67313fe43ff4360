/* Unit tests for base/future: completion before and after the wait, from other threads,
 * timeouts, failures with messages, value ownership, callbacks on a loop thread, and the
 * node's pattern under stress: workers blocking on futures the io loop completes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "base/env.h"
#include "base/future.h"
#include "base/ioloop.h"
#include "base/workpool.h"

static atomic_int drops;

static void drop_int(void *value)
{
    atomic_fetch_add(&drops, 1);
    free(value);
}

static int *new_int(int v)
{
    int *p = malloc(sizeof *p);
    *p = v;
    return p;
}

static void test_complete_before_wait(void **state)
{
    (void)state;
    mice_future *f = future_create();
    assert_false(future_is_done(f));
    future_complete(f, new_int(42), drop_int);
    assert_true(future_is_done(f));
    void *v = NULL;
    assert_int_equal(future_wait(f, FUTURE_WAIT_FOREVER, &v, NULL), MICE_OK);
    assert_int_equal(*(int *)v, 42);
    free(v); /* taken: ours now */
    future_release(f);
}

typedef struct delayed {
    mice_future *f;
    uint64_t delay_ms;
    int value;
} delayed;

static void *complete_later(void *p)
{
    delayed *d = p;
    env_sleep_ns(mice_env_real(), d->delay_ms * MICE_NS_PER_MS);
    future_complete(d->f, new_int(d->value), drop_int);
    return NULL;
}

static void test_complete_from_other_thread_while_waiting(void **state)
{
    (void)state;
    mice_future *f = future_create();
    delayed d = {f, 30, 7};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, complete_later, &d), 0);
    void *v = NULL;
    assert_int_equal(future_wait(f, 10ull * MICE_NS_PER_S, &v, NULL), MICE_OK);
    assert_int_equal(*(int *)v, 7);
    free(v);
    future_release(f);
    pthread_join(t, NULL);
}

static void test_timeout_then_abandon(void **state)
{
    (void)state;
    atomic_store(&drops, 0);
    mice_future *f = future_create();
    mice_err err;
    uint64_t t0 = env_mono_ns(mice_env_real());
    assert_int_equal(future_wait(f, 20 * MICE_NS_PER_MS, NULL, &err), MICE_TIMEOUT);
    assert_true(env_mono_ns(mice_env_real()) - t0 >= 20 * MICE_NS_PER_MS);
    assert_non_null(strstr(err.msg, "not completed"));
    assert_int_equal(future_wait(f, 0, NULL, NULL), MICE_TIMEOUT); /* a poll */
    /* The waiter gives up; the completer finishes later and the value is dropped. */
    future_release(f);
    delayed d = {f, 10, 1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, complete_later, &d), 0);
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&drops), 1);
}

static void test_failure_carries_message(void **state)
{
    (void)state;
    mice_future *f = future_create();
    future_failf(f, MICE_NOT_LEADER, "range %d: leader is n%d", 7, 2);
    mice_err err;
    void *v = (void *)1;
    assert_int_equal(future_wait(f, FUTURE_WAIT_FOREVER, &v, &err), MICE_NOT_LEADER);
    assert_null(v);
    assert_int_equal(err.code, MICE_NOT_LEADER);
    assert_string_equal(err.msg, "range 7: leader is n2");
    future_release(f);

    f = future_create();
    future_fail(f, MICE_CONFLICT, NULL); /* no message: the code's text */
    assert_int_equal(future_wait(f, 0, NULL, &err), MICE_CONFLICT);
    assert_string_equal(err.msg, mice_status_str(MICE_CONFLICT));
    future_release(f);

    /* A future that completed with MICE_TIMEOUT (a call that timed out) keeps its message;
     * only a wait that ran out says "not completed". */
    f = future_create();
    future_failf(f, MICE_TIMEOUT, "call to node %d timed out", 3);
    assert_int_equal(future_wait(f, FUTURE_WAIT_FOREVER, NULL, &err), MICE_TIMEOUT);
    assert_string_equal(err.msg, "call to node 3 timed out");
    future_release(f);
}

static void test_untaken_value_is_dropped(void **state)
{
    (void)state;
    atomic_store(&drops, 0);
    mice_future *f = future_create();
    future_complete(f, new_int(5), drop_int);
    assert_int_equal(future_wait(f, 0, NULL, NULL), MICE_OK); /* value left inside */
    future_release(f);
    assert_int_equal(atomic_load(&drops), 1);
}

typedef struct cb_probe {
    ioloop *loop;
    mice_future *ran; /* completed by the callback with what it saw */
    mice_status delivery;
    bool on_loop;
    int value;
} cb_probe;

static void probe_cb(mice_future *f, mice_status delivery, void *ctx)
{
    cb_probe *p = ctx;
    p->delivery = delivery;
    p->on_loop = ioloop_on_loop_thread(p->loop);
    void *v = NULL;
    if (future_wait(f, 0, &v, NULL) == MICE_OK && v) {
        p->value = *(int *)v;
        free(v);
    }
    future_complete(p->ran, NULL, NULL);
}

static void test_callback_runs_on_loop_thread(void **state)
{
    (void)state;
    ioloop *loop;
    assert_int_equal(ioloop_start("io", &loop, NULL), MICE_OK);
    for (int already_done = 0; already_done < 2; already_done++) {
        cb_probe p = {.loop = loop, .ran = future_create()};
        mice_future *f = future_create();
        delayed d = {f, 10, 11};
        pthread_t t;
        if (already_done) {
            future_complete(f, new_int(11), drop_int);
            future_then(f, loop, probe_cb, &p);
        } else {
            future_then(f, loop, probe_cb, &p);
            assert_int_equal(pthread_create(&t, NULL, complete_later, &d), 0);
        }
        assert_int_equal(future_wait(p.ran, 10ull * MICE_NS_PER_S, NULL, NULL), MICE_OK);
        future_release(p.ran);
        if (!already_done) pthread_join(t, NULL);
        assert_int_equal(p.delivery, MICE_OK);
        assert_true(p.on_loop);
        assert_int_equal(p.value, 11);
    }
    ioloop_destroy(loop);
}

static void test_callback_after_loop_stopped(void **state)
{
    (void)state;
    ioloop *loop;
    assert_int_equal(ioloop_start("io", &loop, NULL), MICE_OK);
    cb_probe p = {.loop = loop, .ran = future_create()};
    mice_future *f = future_create();
    future_then(f, loop, probe_cb, &p);
    ioloop_stop(loop);
    atomic_store(&drops, 0);
    future_complete(f, new_int(3), drop_int); /* runs the callback here, delivery CLOSED */
    assert_int_equal(future_wait(p.ran, 0, NULL, NULL), MICE_OK);
    future_release(p.ran);
    assert_int_equal(p.delivery, MICE_CLOSED);
    assert_false(p.on_loop);
    ioloop_destroy(loop);
}

static void test_callback_without_loop_runs_on_completer(void **state)
{
    (void)state;
    cb_probe p = {.loop = NULL, .ran = future_create()};
    mice_future *f = future_create();
    future_then(f, NULL, probe_cb, &p);
    future_complete(f, new_int(9), drop_int);
    assert_int_equal(future_wait(p.ran, 0, NULL, NULL), MICE_OK);
    future_release(p.ran);
    assert_int_equal(p.delivery, MICE_OK);
    assert_int_equal(p.value, 9);
}

/* The design's pattern: a worker hands a request to the io loop and blocks on a future
 * that the loop completes. */
enum { STRESS_TASKS = 20000, STRESS_WORKERS = 4 };

typedef struct stress {
    ioloop *loop;
    atomic_int ok;
    atomic_int bad;
} stress;

typedef struct request {
    mice_future *reply;
    int question;
} request;

static void answer_on_loop(void *ctx)
{
    request *r = ctx;
    if (r->question % 10 == 0) {
        future_failf(r->reply, MICE_CONFLICT, "question %d", r->question);
    } else {
        future_complete(r->reply, new_int(r->question * 2), drop_int);
    }
}

static void worker_task(void *ctx, mice_status st)
{
    stress *s = ctx;
    static atomic_int next;
    if (st != MICE_OK) return;
    request r = {future_create(), atomic_fetch_add(&next, 1)};
    if (ioloop_post(s->loop, answer_on_loop, &r) != MICE_OK) abort();
    void *v = NULL;
    mice_status rc = future_wait(r.reply, 10ull * MICE_NS_PER_S, &v, NULL);
    bool good =
        r.question % 10 == 0 ? rc == MICE_CONFLICT : rc == MICE_OK && *(int *)v == r.question * 2;
    atomic_fetch_add(good ? &s->ok : &s->bad, 1);
    free(v);
    future_release(r.reply);
}

static void test_workers_block_on_loop_completed_futures(void **state)
{
    (void)state;
    stress s = {0};
    assert_int_equal(ioloop_start("io", &s.loop, NULL), MICE_OK);
    workpool *wp;
    workpool_config cfg = {.threads = STRESS_WORKERS};
    assert_int_equal(workpool_create(&cfg, &wp, NULL), MICE_OK);
    uint64_t t0 = env_mono_ns(mice_env_real());
    for (int i = 0; i < STRESS_TASKS; i++) {
        assert_int_equal(workpool_submit(wp, worker_task, &s), MICE_OK);
    }
    workpool_shutdown(wp, WORKPOOL_DRAIN);
    uint64_t ns = env_mono_ns(mice_env_real()) - t0;
    assert_int_equal(atomic_load(&s.ok), STRESS_TASKS);
    assert_int_equal(atomic_load(&s.bad), 0);
    printf("future round trips worker -> io loop -> worker: %.0f k/s\n",
           STRESS_TASKS / ((double)ns / MICE_NS_PER_S) / 1e3);
    workpool_destroy(wp);
    ioloop_destroy(s.loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_before_wait),
        cmocka_unit_test(test_complete_from_other_thread_while_waiting),
        cmocka_unit_test(test_timeout_then_abandon),
        cmocka_unit_test(test_failure_carries_message),
        cmocka_unit_test(test_untaken_value_is_dropped),
        cmocka_unit_test(test_callback_runs_on_loop_thread),
        cmocka_unit_test(test_callback_after_loop_stopped),
        cmocka_unit_test(test_callback_without_loop_runs_on_completer),
        cmocka_unit_test(test_workers_block_on_loop_completed_futures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
