/* The wait queue, live-transaction registry and deadlock detector (see locktable.h).
 * Entries live in a small array scanned linearly: it holds one entry per transaction
 * that has written through this replica and not finished, i.e. about one per busy
 * session. A hash map is the obvious replacement when that grows. */
#include "kv/locktable.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "base/check.h"

typedef struct lt_txn {
    uint64_t id;
    hlc_ts start_ts;
    uint64_t waiting_for; /* holder id, 0 when not waiting */
    bool victim;          /* chosen to break a deadlock; its wait returns MICE_ABORTED */
    bool finished;        /* kept only while it still waits (a finishing waiter) */
    int refs;             /* 1 while live (until finish) + 1 while it waits */
    pthread_cond_t wake;
} lt_txn;

struct locktable {
    const mice_env *env;
    pthread_mutex_t mu; /* protects txns, n_txns, cap_txns, deadlocks, waiting */
    lt_txn **txns;
    size_t n_txns, cap_txns;
    uint64_t deadlocks;
    uint64_t waiting;
    uint64_t kicks; /* locktable_kick_all calls: a wait begun before one returns */
};

locktable *locktable_create(const mice_env *env)
{
    locktable *lt = mice_calloc(1, sizeof *lt);
    lt->env = env;
    pthread_mutex_init(&lt->mu, NULL);
    return lt;
}

void locktable_destroy(locktable *lt)
{
    if (!lt) return;
    mice_assert(lt->waiting == 0);
    for (size_t i = 0; i < lt->n_txns; i++) {
        pthread_cond_destroy(&lt->txns[i]->wake);
        free(lt->txns[i]);
    }
    free(lt->txns);
    pthread_mutex_destroy(&lt->mu);
    free(lt);
}

static lt_txn *find(locktable *lt, uint64_t id)
{
    for (size_t i = 0; i < lt->n_txns; i++)
        if (lt->txns[i]->id == id && !lt->txns[i]->finished) return lt->txns[i];
    return NULL;
}

static lt_txn *add(locktable *lt, uint64_t id, hlc_ts start_ts)
{
    if (lt->n_txns == lt->cap_txns) {
        lt->cap_txns = lt->cap_txns ? 2 * lt->cap_txns : 16;
        lt->txns = mice_realloc(lt->txns, lt->cap_txns * sizeof *lt->txns);
    }
    lt_txn *t = mice_calloc(1, sizeof *t);
    t->id = id;
    t->start_ts = start_ts;
    t->refs = 1;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->wake, &attr);
    pthread_condattr_destroy(&attr);
    lt->txns[lt->n_txns++] = t;
    return t;
}

static void unref(locktable *lt, lt_txn *t)
{
    if (--t->refs > 0) return;
    for (size_t i = 0; i < lt->n_txns; i++) {
        if (lt->txns[i] == t) {
            lt->txns[i] = lt->txns[--lt->n_txns];
            break;
        }
    }
    pthread_cond_destroy(&t->wake);
    free(t);
}

void locktable_txn_begin(locktable *lt, uint64_t txn_id, hlc_ts start_ts)
{
    mice_assert(txn_id != 0);
    pthread_mutex_lock(&lt->mu);
    if (!find(lt, txn_id)) add(lt, txn_id, start_ts);
    pthread_mutex_unlock(&lt->mu);
}

void locktable_txn_finish(locktable *lt, uint64_t txn_id)
{
    pthread_mutex_lock(&lt->mu);
    lt_txn *t = find(lt, txn_id);
    if (t) {
        t->finished = true;
        for (size_t i = 0; i < lt->n_txns; i++)
            if (lt->txns[i]->waiting_for == txn_id) pthread_cond_signal(&lt->txns[i]->wake);
        unref(lt, t);
    }
    pthread_mutex_unlock(&lt->mu);
}

bool locktable_txn_live(locktable *lt, uint64_t txn_id)
{
    pthread_mutex_lock(&lt->mu);
    bool live = find(lt, txn_id) != NULL;
    pthread_mutex_unlock(&lt->mu);
    return live;
}

static bool younger(const lt_txn *a, const lt_txn *b)
{
    int c = hlc_ts_cmp(a->start_ts, b->start_ts);
    return c > 0 || (c == 0 && a->id > b->id);
}

/* Called with mu held after w->waiting_for was set: if the chain from w's holder leads
 * back to w, mark the youngest transaction on the cycle as the victim and wake it. */
static void detect_deadlock(locktable *lt, lt_txn *w)
{
    lt_txn *victim = w;
    lt_txn *t = find(lt, w->waiting_for);
    for (size_t hops = 0; t && hops <= lt->n_txns; hops++) {
        if (t == w) {
            lt->deadlocks++;
            victim->victim = true;
            pthread_cond_signal(&victim->wake);
            return;
        }
        if (younger(t, victim)) victim = t;
        if (t->waiting_for == 0) return;
        t = find(lt, t->waiting_for);
    }
}

static struct timespec deadline_of(const mice_env *env, uint64_t timeout_ms)
{
    uint64_t at = env_mono_ns(env) + timeout_ms * MICE_NS_PER_MS;
    return (struct timespec){.tv_sec = (time_t)(at / MICE_NS_PER_S),
                             .tv_nsec = (long)(at % MICE_NS_PER_S)};
}

mice_status locktable_wait(locktable *lt, uint64_t waiter_id, hlc_ts waiter_start,
                           uint64_t holder_id, uint64_t timeout_ms)
{
    struct timespec deadline = deadline_of(lt->env, timeout_ms);
    pthread_mutex_lock(&lt->mu);
    if (!find(lt, holder_id)) {
        pthread_mutex_unlock(&lt->mu);
        return MICE_OK;
    }
    lt_txn *w = waiter_id ? find(lt, waiter_id) : NULL;
    if (w)
        w->refs++;
    else
        w = add(lt, waiter_id, waiter_start); /* unregistered or non-transactional */
    w->waiting_for = holder_id;
    lt->waiting++;
    if (waiter_id) detect_deadlock(lt, w);
    mice_status rc = MICE_OK;
    uint64_t kicks = lt->kicks;
    while (!w->victim && find(lt, holder_id) && lt->kicks == kicks) {
        int e = timeout_ms ? pthread_cond_timedwait(&w->wake, &lt->mu, &deadline)
                           : pthread_cond_wait(&w->wake, &lt->mu);
        if (e == ETIMEDOUT && !w->victim && find(lt, holder_id) && lt->kicks == kicks) {
            rc = MICE_TIMEOUT;
            break;
        }
    }
    if (w->victim) {
        w->victim = false;
        rc = MICE_ABORTED;
    }
    w->waiting_for = 0;
    lt->waiting--;
    unref(lt, w);
    pthread_mutex_unlock(&lt->mu);
    return rc;
}

void locktable_kick_all(locktable *lt)
{
    pthread_mutex_lock(&lt->mu);
    lt->kicks++;
    for (size_t i = 0; i < lt->n_txns; i++)
        if (lt->txns[i]->waiting_for) pthread_cond_signal(&lt->txns[i]->wake);
    pthread_mutex_unlock(&lt->mu);
}

void locktable_copy_live(locktable *dst, locktable *src)
{
    mice_assert(dst != src);
    pthread_mutex_lock(&src->mu);
    size_t n = src->n_txns;
    uint64_t *ids = mice_malloc((n ? n : 1) * sizeof *ids);
    hlc_ts *starts = mice_malloc((n ? n : 1) * sizeof *starts);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (src->txns[i]->finished || src->txns[i]->id == 0) continue;
        ids[k] = src->txns[i]->id;
        starts[k++] = src->txns[i]->start_ts;
    }
    pthread_mutex_unlock(&src->mu);
    for (size_t i = 0; i < k; i++)
        locktable_txn_begin(dst, ids[i], starts[i]);
    free(ids);
    free(starts);
}

uint64_t locktable_deadlocks(locktable *lt)
{
    pthread_mutex_lock(&lt->mu);
    uint64_t n = lt->deadlocks;
    pthread_mutex_unlock(&lt->mu);
    return n;
}

uint64_t locktable_waiting(locktable *lt)
{
    pthread_mutex_lock(&lt->mu);
    uint64_t n = lt->waiting;
    pthread_mutex_unlock(&lt->mu);
    return n;
}
