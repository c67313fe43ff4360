/*
 * One mutex and condition variable per future: futures are per request, waits are rare
 * compared with the work behind them, and the mutex makes "complete vs. wait vs. then"
 * races easy to reason about (and TSan understands it). The reference count is atomic so
 * the last of waiter and completer frees without taking the lock afterwards.
 */
#include "base/future.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "base/check.h"
#include "base/env.h"
#include "base/ioloop.h"

struct mice_future {
    pthread_mutex_t mu; /* protects every field below except refs */
    pthread_cond_t cv;  /* signalled once, on completion */
    atomic_int refs;
    bool done;
    bool value_taken;
    bool has_cb;
    mice_status code;
    char *msg; /* failure detail, or NULL */
    void *value;
    future_drop_fn drop;
    future_cb cb;
    void *cb_ctx;
    ioloop *cb_loop;
};

mice_future *future_create(void)
{
    mice_future *f = mice_calloc(1, sizeof *f);
    int rc = pthread_mutex_init(&f->mu, NULL);
    mice_assert(rc == 0);
    pthread_condattr_t attr;
    rc = pthread_condattr_init(&attr);
    mice_assert(rc == 0);
    rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* = mice_env_real()->mono_ns */
    mice_assert(rc == 0);
    rc = pthread_cond_init(&f->cv, &attr);
    mice_assert(rc == 0);
    pthread_condattr_destroy(&attr);
    atomic_init(&f->refs, 2);
    return f;
}

static void future_unref(mice_future *f)
{
    int before = atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel);
    mice_assert(before > 0);
    if (before != 1) return;
    if (f->done && !f->value_taken && f->drop && f->value) f->drop(f->value);
    free(f->msg);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static void run_cb_on_loop(void *ctx)
{
    mice_future *f = ctx;
    f->cb(f, MICE_OK, f->cb_ctx);
    future_unref(f);
}

/* The callback owns the waiter's reference; called once the future is done. */
static void dispatch_cb(mice_future *f)
{
    if (f->cb_loop) {
        if (ioloop_post(f->cb_loop, run_cb_on_loop, f) == MICE_OK) return;
        f->cb(f, MICE_CLOSED, f->cb_ctx);
    } else {
        f->cb(f, MICE_OK, f->cb_ctx);
    }
    future_unref(f);
}

static void finish(mice_future *f, mice_status code, char *msg, void *value, future_drop_fn drop)
{
    pthread_mutex_lock(&f->mu);
    mice_assert(!f->done); /* completed exactly once */
    f->done = true;
    f->code = code;
    f->msg = msg;
    f->value = value;
    f->drop = drop;
    bool run_cb = f->has_cb;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (run_cb) dispatch_cb(f);
    future_unref(f); /* the completer's reference */
}

void future_complete(mice_future *f, void *value, future_drop_fn drop)
{
    finish(f, MICE_OK, NULL, value, drop);
}

void future_fail(mice_future *f, mice_status code, const mice_err *err)
{
    mice_assert(code != MICE_OK);
    char *msg = err && err->msg[0] ? mice_strdup(err->msg) : NULL;
    finish(f, code, msg, NULL, NULL);
}

void future_failf(mice_future *f, mice_status code, const char *fmt, ...)
{
    mice_err err;
    va_list ap;
    va_start(ap, fmt);
    mice_err_vsetf(&err, code, fmt, ap);
    va_end(ap);
    future_fail(f, code, &err);
}

static struct timespec deadline_after(uint64_t timeout_ns)
{
    uint64_t now = env_mono_ns(mice_env_real());
    uint64_t at = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;
    return (struct timespec){(time_t)(at / MICE_NS_PER_S), (long)(at % MICE_NS_PER_S)};
}

static void wait_done_locked(mice_future *f, uint64_t timeout_ns)
{
    if (f->done || timeout_ns == 0) return;
    if (timeout_ns == FUTURE_WAIT_FOREVER) {
        while (!f->done)
            pthread_cond_wait(&f->cv, &f->mu);
        return;
    }
    struct timespec deadline = deadline_after(timeout_ns);
    while (!f->done) {
        if (pthread_cond_timedwait(&f->cv, &f->mu, &deadline) == ETIMEDOUT) return;
    }
}

mice_status future_wait(mice_future *f, uint64_t timeout_ns, void **value, mice_err *err)
{
    /* A loop thread that blocks stalls every connection (or raft group) it serves. */
    mice_assert(timeout_ns == 0 || ioloop_current() == NULL);
    if (value) *value = NULL;
    pthread_mutex_lock(&f->mu);
    wait_done_locked(f, timeout_ns);
    mice_status rc = f->done ? f->code : MICE_TIMEOUT;
    if (rc == MICE_OK && value) {
        mice_assert(!f->value_taken); /* the value is given out once */
        *value = f->value;
        f->value_taken = true;
    } else if (!f->done) {
        mice_err_setf(err, rc, "future not completed within %llu ms",
                      (unsigned long long)(timeout_ns / MICE_NS_PER_MS));
    } else if (rc != MICE_OK) {
        mice_err_setf(err, rc, "%s", f->msg ? f->msg : mice_status_str(rc));
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

bool future_is_done(mice_future *f)
{
    pthread_mutex_lock(&f->mu);
    bool done = f->done;
    pthread_mutex_unlock(&f->mu);
    return done;
}

void future_release(mice_future *f)
{
    future_unref(f);
}

void future_then(mice_future *f, ioloop *loop, future_cb cb, void *ctx)
{
    mice_assert(cb != NULL);
    pthread_mutex_lock(&f->mu);
    mice_assert(!f->has_cb);
    f->has_cb = true;
    f->cb = cb;
    f->cb_ctx = ctx;
    f->cb_loop = loop;
    bool done = f->done;
    pthread_mutex_unlock(&f->mu);
    if (done) dispatch_cb(f);
}
