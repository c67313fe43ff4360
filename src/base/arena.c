#include "base/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

enum {
    ARENA_ALIGN_BYTES = 16,
    ARENA_CHUNK_MIN_BYTES = 4096,
    ARENA_CHUNK_MAX_BYTES = 1u << 20,
};

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t size_bytes; /* usable bytes after the header */
    size_t used_bytes;
    _Alignas(ARENA_ALIGN_BYTES) uint8_t data[];
} arena_chunk;

struct mice_arena {
    mice_arena *parent;
    mice_arena *first_child;
    mice_arena *next_sibling;
    const char *name;
    size_t budget_bytes;
    size_t used_bytes; /* own chunks + descendants */
    size_t next_chunk_bytes;
    arena_chunk *chunks; /* newest first; allocation happens in the head */
};

mice_arena *arena_create(mice_arena *parent, const char *name, size_t budget_bytes)
{
    mice_arena *a = mice_calloc(1, sizeof *a);
    a->parent = parent;
    a->name = name;
    a->budget_bytes = budget_bytes;
    a->next_chunk_bytes = ARENA_CHUNK_MIN_BYTES;
    if (parent) {
        a->next_sibling = parent->first_child;
        parent->first_child = a;
    }
    return a;
}

static void charge(mice_arena *a, size_t n, int sign)
{
    for (mice_arena *p = a; p; p = p->parent) {
        if (sign > 0) {
            p->used_bytes += n;
        } else {
            mice_assert(p->used_bytes >= n);
            p->used_bytes -= n;
        }
    }
}

static void free_chunks(mice_arena *a)
{
    size_t freed = 0;
    for (arena_chunk *c = a->chunks, *next; c; c = next) {
        next = c->next;
        freed += c->size_bytes + sizeof *c;
        free(c);
    }
    a->chunks = NULL;
    charge(a, freed, -1);
}

static void unlink_child(mice_arena *a)
{
    mice_arena **pp = &a->parent->first_child;
    while (*pp != a) pp = &(*pp)->next_sibling;
    *pp = a->next_sibling;
}

void arena_destroy(mice_arena *a)
{
    if (!a) return;
    while (a->first_child) arena_destroy(a->first_child);
    free_chunks(a);
    if (a->parent) unlink_child(a);
    free(a);
}

void arena_reset(mice_arena *a)
{
    while (a->first_child) arena_destroy(a->first_child);
    /* Keep the newest (largest) chunk to avoid malloc churn for batch-like reuse. */
    arena_chunk *keep = a->chunks;
    if (!keep) return;
    a->chunks = keep->next;
    free_chunks(a);
    keep->next = NULL;
    keep->used_bytes = 0;
    a->chunks = keep;
}

static bool within_budget(const mice_arena *a, size_t extra)
{
    for (const mice_arena *p = a; p; p = p->parent)
        if (p->budget_bytes && p->used_bytes + extra > p->budget_bytes) return false;
    return true;
}

static arena_chunk *new_chunk(mice_arena *a, size_t need)
{
    size_t size = a->next_chunk_bytes;
    if (size < need) size = need;
    if (!within_budget(a, size + sizeof(arena_chunk))) {
        /* Retry with exactly what is needed before giving up. */
        size = need;
        if (!within_budget(a, size + sizeof(arena_chunk))) return NULL;
    }
    arena_chunk *c = aligned_alloc(ARENA_ALIGN_BYTES,
                                   (sizeof *c + size + ARENA_ALIGN_BYTES - 1) &
                                       ~(size_t)(ARENA_ALIGN_BYTES - 1));
    if (!c) mice_oom(size);
    c->size_bytes = size;
    c->used_bytes = 0;
    c->next = a->chunks;
    a->chunks = c;
    charge(a, size + sizeof *c, +1);
    if (a->next_chunk_bytes < ARENA_CHUNK_MAX_BYTES) a->next_chunk_bytes *= 2;
    return c;
}

void *arena_alloc(mice_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN_BYTES - 1) & ~(size_t)(ARENA_ALIGN_BYTES - 1);
    if (need == 0) need = ARENA_ALIGN_BYTES;
    arena_chunk *c = a->chunks;
    if (!c || c->size_bytes - c->used_bytes < need) {
        c = new_chunk(a, need);
        if (!c) return NULL;
    }
    void *p = c->data + c->used_bytes;
    c->used_bytes += need;
    return p;
}

void *arena_zalloc(mice_arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    if (p) memset(p, 0, n);
    return p;
}

void *arena_memdup(mice_arena *a, const void *p, size_t n)
{
    void *q = arena_alloc(a, n);
    if (q && n) memcpy(q, p, n);
    return q;
}

char *arena_strndup(mice_arena *a, const char *s, size_t n)
{
    char *q = arena_alloc(a, n + 1);
    if (!q) return NULL;
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

char *arena_strdup(mice_arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_sprintf(mice_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *q = need < 0 ? NULL : arena_alloc(a, (size_t)need + 1);
    if (q) vsnprintf(q, (size_t)need + 1, fmt, ap2);
    va_end(ap2);
    return q;
}

mice_slice arena_slice_dup(mice_arena *a, mice_slice s)
{
    uint8_t *p = arena_alloc(a, s.n);
    if (p && s.n) memcpy(p, s.p, s.n);
    return (mice_slice){p, s.n};
}

size_t arena_used_bytes(const mice_arena *a)
{
    return a->used_bytes;
}

size_t arena_budget_bytes(const mice_arena *a)
{
    return a->budget_bytes;
}

const char *arena_name(const mice_arena *a)
{
    return a->name;
}
