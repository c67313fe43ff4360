/*
 * A mutex + condition variable around an intrusive FIFO list. Work here is a whole
 * statement, microseconds to seconds, so one lock per submit and per start is noise; a
 * lock-free multi-consumer queue would buy nothing measurable and cost clarity.
 */
#include "base/workpool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

typedef struct wp_task {
    struct wp_task *next;
    workpool_fn fn;
    void *ctx;
} wp_task;

typedef enum { WP_RUNNING, WP_DRAINING, WP_CANCELLING, WP_STOPPED } wp_state;

struct workpool {
    pthread_mutex_t mu;    /* protects everything below except the immutable fields */
    pthread_cond_t work;   /* a task was queued or the state changed */
    wp_task *first, *last; /* FIFO */
    wp_state state;
    workpool_stats stats;
    /* Immutable after create: */
    size_t queue_max;
    int threads;
    pthread_t *tids;
    char name[WORKPOOL_NAME_MAX];
};

typedef struct worker_arg {
    workpool *wp;
    int index;
} worker_arg;

static _Thread_local const workpool *current_pool;

static wp_task *take_locked(workpool *wp)
{
    wp_task *t = wp->first;
    if (!t) return NULL;
    wp->first = t->next;
    if (!wp->first) wp->last = NULL;
    wp->stats.queued--;
    return t;
}

static void *worker_main(void *arg)
{
    worker_arg wa = *(worker_arg *)arg;
    free(arg);
    workpool *wp = wa.wp;
    char tname[WORKPOOL_NAME_MAX + 16];
    snprintf(tname, sizeof tname, "%s-%d", wp->name, wa.index);
    tname[WORKPOOL_NAME_MAX - 1] = '\0'; /* config check keeps this from cutting anything */
    pthread_setname_np(pthread_self(), tname);
    current_pool = wp;
    pthread_mutex_lock(&wp->mu);
    for (;;) {
        wp_task *t = wp->state == WP_CANCELLING ? NULL : take_locked(wp);
        if (!t) {
            if (wp->state != WP_RUNNING) break; /* draining and empty, or cancelling */
            pthread_cond_wait(&wp->work, &wp->mu);
            continue;
        }
        wp->stats.running++;
        pthread_mutex_unlock(&wp->mu);
        t->fn(t->ctx, MICE_OK);
        free(t);
        pthread_mutex_lock(&wp->mu);
        wp->stats.running--;
        wp->stats.completed++;
    }
    pthread_mutex_unlock(&wp->mu);
    current_pool = NULL;
    return NULL;
}

static mice_status check_config(const workpool_config *cfg, mice_err *err)
{
    if (cfg->threads < 1 || cfg->threads > WORKPOOL_THREADS_MAX) {
        return mice_err_setf(err, MICE_INVALID, "workpool: %d threads (want 1..%d)", cfg->threads,
                             WORKPOOL_THREADS_MAX);
    }
    /* "<name>-<index>" must fit a Linux thread name. */
    if (cfg->name && strlen(cfg->name) + 1 + 4 >= WORKPOOL_NAME_MAX) {
        return mice_err_setf(err, MICE_INVALID, "workpool: name \"%s\" too long for thread names",
                             cfg->name);
    }
    return MICE_OK;
}

static void join_workers(workpool *wp, int count)
{
    for (int i = 0; i < count; i++)
        pthread_join(wp->tids[i], NULL);
}

mice_status workpool_create(const workpool_config *cfg, workpool **out, mice_err *err)
{
    *out = NULL;
    mice_status rc = check_config(cfg, err);
    if (rc) return rc;
    workpool *wp = mice_calloc(1, sizeof *wp);
    pthread_mutex_init(&wp->mu, NULL);
    pthread_cond_init(&wp->work, NULL);
    wp->queue_max = cfg->queue_max ? cfg->queue_max : WORKPOOL_QUEUE_MAX_DEFAULT;
    wp->threads = cfg->threads;
    snprintf(wp->name, sizeof wp->name, "%s", cfg->name ? cfg->name : "worker");
    wp->tids = mice_calloc((size_t)cfg->threads, sizeof *wp->tids);
    for (int i = 0; i < cfg->threads; i++) {
        worker_arg *wa = mice_malloc(sizeof *wa);
        *wa = (worker_arg){wp, i};
        int prc = pthread_create(&wp->tids[i], NULL, worker_main, wa);
        if (prc != 0) {
            free(wa);
            wp->threads = i;
            workpool_destroy(wp);
            return mice_err_setf(err, MICE_IOERR, "workpool: starting thread %d: %s", i,
                                 strerror(prc));
        }
    }
    *out = wp;
    return MICE_OK;
}

mice_status workpool_submit(workpool *wp, workpool_fn fn, void *ctx)
{
    mice_assert(fn != NULL);
    wp_task *t = mice_malloc(sizeof *t);
    *t = (wp_task){NULL, fn, ctx};
    pthread_mutex_lock(&wp->mu);
    mice_status rc = MICE_OK;
    if (wp->state != WP_RUNNING) {
        rc = MICE_CLOSED;
    } else if (wp->stats.queued >= wp->queue_max) {
        rc = MICE_BUSY;
    } else {
        if (wp->last) {
            wp->last->next = t;
        } else {
            wp->first = t;
        }
        wp->last = t;
        wp->stats.queued++;
        pthread_cond_signal(&wp->work);
    }
    if (rc) wp->stats.rejected++;
    pthread_mutex_unlock(&wp->mu);
    if (rc) free(t);
    return rc;
}

void workpool_shutdown(workpool *wp, workpool_shutdown_mode mode)
{
    mice_assert(current_pool != wp); /* a worker cannot join itself */
    pthread_mutex_lock(&wp->mu);
    if (wp->state == WP_STOPPED) {
        pthread_mutex_unlock(&wp->mu);
        return;
    }
    wp->state = mode == WORKPOOL_CANCEL ? WP_CANCELLING : WP_DRAINING;
    wp_task *cancelled = NULL;
    if (mode == WORKPOOL_CANCEL) {
        cancelled = wp->first;
        wp->first = wp->last = NULL;
        wp->stats.queued = 0;
    }
    pthread_cond_broadcast(&wp->work);
    pthread_mutex_unlock(&wp->mu);
    /* Cancelled tasks are told outside the lock: their cleanup may submit elsewhere. */
    while (cancelled) {
        wp_task *next = cancelled->next;
        cancelled->fn(cancelled->ctx, MICE_ABORTED);
        free(cancelled);
        pthread_mutex_lock(&wp->mu);
        wp->stats.cancelled++;
        pthread_mutex_unlock(&wp->mu);
        cancelled = next;
    }
    join_workers(wp, wp->threads);
    pthread_mutex_lock(&wp->mu);
    wp->state = WP_STOPPED;
    pthread_mutex_unlock(&wp->mu);
}

void workpool_destroy(workpool *wp)
{
    if (!wp) return;
    workpool_shutdown(wp, WORKPOOL_DRAIN);
    mice_assert(wp->first == NULL);
    pthread_cond_destroy(&wp->work);
    pthread_mutex_destroy(&wp->mu);
    free(wp->tids);
    free(wp);
}

workpool_stats workpool_get_stats(workpool *wp)
{
    pthread_mutex_lock(&wp->mu);
    workpool_stats s = wp->stats;
    pthread_mutex_unlock(&wp->mu);
    return s;
}

int workpool_threads(const workpool *wp)
{
    return wp->threads;
}

bool workpool_on_worker(const workpool *wp)
{
    return current_pool == wp;
}
