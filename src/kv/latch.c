/* Span latches (see latch.h). Guards form a FIFO list in arrival order; a guard may run
 * once no guard ahead of it conflicts. The list is short (one entry per request in flight
 * on this replica), so the quadratic check is cheaper than an interval tree would be. */
#include "kv/latch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

typedef struct owned_span {
    mice_buf start;
    mice_buf end; /* empty: a point */
    bool write;
} owned_span;

struct latch_guard {
    latch_guard *prev, *next;
    owned_span *spans;
    size_t n_spans;
};

struct latch_mgr {
    pthread_mutex_t mu; /* protects head, tail, count */
    pthread_cond_t released;
    latch_guard *head, *tail;
    size_t count;
};

latch_mgr *latch_mgr_create(void)
{
    latch_mgr *m = mice_calloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->released, NULL);
    return m;
}

void latch_mgr_destroy(latch_mgr *m)
{
    if (!m) return;
    mice_assert(m->head == NULL);
    pthread_cond_destroy(&m->released);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* Does [a_start, a_end) overlap [b_start, b_end)? An empty end is a point. */
static bool overlaps(const owned_span *a, const owned_span *b)
{
    mice_slice as = buf_slice(&a->start), bs = buf_slice(&b->start);
    bool a_point = a->end.n == 0, b_point = b->end.n == 0;
    if (a_point && b_point) return mice_slice_eq(as, bs);
    if (a_point) return mice_slice_cmp(as, bs) >= 0 && mice_slice_cmp(as, buf_slice(&b->end)) < 0;
    if (b_point) return mice_slice_cmp(bs, as) >= 0 && mice_slice_cmp(bs, buf_slice(&a->end)) < 0;
    return mice_slice_cmp(as, buf_slice(&b->end)) < 0 && mice_slice_cmp(bs, buf_slice(&a->end)) < 0;
}

static bool guards_conflict(const latch_guard *a, const latch_guard *b)
{
    for (size_t i = 0; i < a->n_spans; i++)
        for (size_t j = 0; j < b->n_spans; j++)
            if ((a->spans[i].write || b->spans[j].write) && overlaps(&a->spans[i], &b->spans[j]))
                return true;
    return false;
}

static bool blocked(const latch_guard *g)
{
    for (const latch_guard *p = g->prev; p; p = p->prev)
        if (guards_conflict(p, g)) return true;
    return false;
}

latch_guard *latch_acquire(latch_mgr *m, const latch_span *spans, size_t n_spans)
{
    latch_guard *g = mice_calloc(1, sizeof *g);
    g->spans = mice_calloc(n_spans ? n_spans : 1, sizeof *g->spans);
    g->n_spans = n_spans;
    for (size_t i = 0; i < n_spans; i++) {
        buf_init(&g->spans[i].start);
        buf_init(&g->spans[i].end);
        buf_append_slice(&g->spans[i].start, spans[i].start);
        buf_append_slice(&g->spans[i].end, spans[i].end);
        g->spans[i].write = spans[i].write;
    }
    pthread_mutex_lock(&m->mu);
    g->prev = m->tail;
    if (m->tail)
        m->tail->next = g;
    else
        m->head = g;
    m->tail = g;
    m->count++;
    while (blocked(g))
        pthread_cond_wait(&m->released, &m->mu);
    pthread_mutex_unlock(&m->mu);
    return g;
}

void latch_release(latch_mgr *m, latch_guard *g)
{
    pthread_mutex_lock(&m->mu);
    if (g->prev)
        g->prev->next = g->next;
    else
        m->head = g->next;
    if (g->next)
        g->next->prev = g->prev;
    else
        m->tail = g->prev;
    mice_assert(m->count > 0);
    m->count--;
    pthread_cond_broadcast(&m->released);
    pthread_mutex_unlock(&m->mu);
    for (size_t i = 0; i < g->n_spans; i++) {
        buf_deinit(&g->spans[i].start);
        buf_deinit(&g->spans[i].end);
    }
    free(g->spans);
    free(g);
}

size_t latch_mgr_count(latch_mgr *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->count;
    pthread_mutex_unlock(&m->mu);
    return n;
}
