/* fcache.c - the per-thread function cache (see fcache.h). A thread's cache is reached
 * through a thread-local pointer; a pthread key with a destructor frees it when the
 * thread exits. */
#include "sql/fcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

typedef struct fcache_entry {
    fcache_kind kind;
    uint8_t *key;
    size_t key_n;
    void *obj;
    fcache_free_fn *free_fn;
    uint64_t used; /* tick of the last hit or put; 0 = empty slot */
} fcache_entry;

typedef struct fcache {
    fcache_entry e[FCACHE_ENTRIES_MAX];
    uint64_t tick;
} fcache;

static __thread fcache *thread_cache;
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void entry_clear(fcache_entry *x)
{
    if (x->used) {
        x->free_fn(x->obj);
        free(x->key);
    }
    memset(x, 0, sizeof *x);
}

static void cache_destroy(void *p)
{
    fcache *c = p;
    for (int i = 0; i < FCACHE_ENTRIES_MAX; i++)
        entry_clear(&c->e[i]);
    free(c);
    thread_cache = NULL;
}

static void make_key(void)
{
    int rc = pthread_key_create(&cache_key, cache_destroy);
    mice_assert(rc == 0);
}

static fcache *cache(void)
{
    if (thread_cache) return thread_cache;
    pthread_once(&cache_once, make_key);
    thread_cache = mice_calloc(1, sizeof *thread_cache);
    int rc = pthread_setspecific(cache_key, thread_cache);
    mice_assert(rc == 0);
    return thread_cache;
}

void *fcache_get(fcache_kind kind, mice_slice key)
{
    fcache *c = cache();
    for (int i = 0; i < FCACHE_ENTRIES_MAX; i++) {
        fcache_entry *x = &c->e[i];
        if (x->used && x->kind == kind && x->key_n == key.n &&
            (key.n == 0 || memcmp(x->key, key.p, key.n) == 0)) {
            x->used = ++c->tick;
            return x->obj;
        }
    }
    return NULL;
}

void fcache_put(fcache_kind kind, mice_slice key, void *obj, fcache_free_fn *free_fn)
{
    fcache *c = cache();
    fcache_entry *victim = &c->e[0];
    for (int i = 0; i < FCACHE_ENTRIES_MAX; i++) {
        if (c->e[i].used < victim->used) victim = &c->e[i];
        if (!victim->used) break;
    }
    entry_clear(victim);
    victim->kind = kind;
    victim->key = mice_malloc(key.n ? key.n : 1);
    if (key.n) memcpy(victim->key, key.p, key.n);
    victim->key_n = key.n;
    victim->obj = obj;
    victim->free_fn = free_fn;
    victim->used = ++c->tick;
}
