/*
 * fcache.h - a small per-thread cache for what built-in functions derive from an argument
 * and would otherwise rebuild on every row: compiled regular expressions (func_regex.c)
 * and loaded time zones (AT TIME ZONE in func_interval.c). A pattern or a zone name is
 * nearly always a constant, so the first row pays and the others hit.
 *
 * Entries are keyed by a kind and the key's bytes; a thread holds FCACHE_ENTRIES_MAX of
 * them and evicts the least recently used. Nothing is shared between threads, so there
 * is no lock; a thread's entries are freed when it exits (the main thread's stay
 * reachable until the process ends).
 *
 * Owns: the cached objects, each freed with the function it was put with (on eviction
 * and at thread exit). Thread safety: each thread sees only its own cache.
 */
#ifndef MICE_SQL_FCACHE_H
#define MICE_SQL_FCACHE_H

#include <stdbool.h>

#include "base/buf.h"

enum { FCACHE_ENTRIES_MAX = 32 };

typedef enum fcache_kind {
    FCACHE_REGEX = 1,
    FCACHE_ZONE = 2,
} fcache_kind;

typedef void fcache_free_fn(void *obj);

/* The object cached under (kind, key), or NULL. Borrowed: valid until the next
 * fcache_put on this thread. */
void *fcache_get(fcache_kind kind, mice_slice key);
/* Cache obj under (kind, key), evicting the least recently used entry when full; takes
 * ownership of obj. The caller may go on using obj until its next fcache_put. */
void fcache_put(fcache_kind kind, mice_slice key, void *obj, fcache_free_fn *free_fn);

#endif
