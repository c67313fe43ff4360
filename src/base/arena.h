/*
 * arena.h - region allocators arranged in a tree, one per lifetime.
 *
 * Session -> statement -> row batch (PostgreSQL's memory contexts). Objects are carved
 * from chunks and never freed one by one; arena_reset drops everything allocated in an
 * arena (and destroys its children), arena_destroy frees the arena, its children and
 * their memory. Each arena may have a byte budget that covers itself and its
 * descendants: an allocation that would exceed the budget of the arena or of any
 * ancestor fails (returns NULL), so a runaway query fails cleanly instead of eating the
 * machine. Allocations are 16-byte aligned.
 *
 * Owns: its chunks and its child arenas. Thread safety: an arena tree belongs to one
 * thread at a time. Invariants: used_bytes(a) = own chunk bytes + children's used_bytes.
 */
#ifndef MICE_BASE_ARENA_H
#define MICE_BASE_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct mice_arena mice_arena;

/* parent may be NULL for a root. budget_bytes 0 means unlimited. name must be static. */
mice_arena *arena_create(mice_arena *parent, const char *name, size_t budget_bytes);
void arena_destroy(mice_arena *a);
void arena_reset(mice_arena *a);

/* NULL when the budget would be exceeded. */
void *arena_alloc(mice_arena *a, size_t n);
void *arena_zalloc(mice_arena *a, size_t n);
void *arena_memdup(mice_arena *a, const void *p, size_t n);
/* NUL-terminated copy; NULL when over budget. */
char *arena_strndup(mice_arena *a, const char *s, size_t n);
char *arena_strdup(mice_arena *a, const char *s);
char *arena_sprintf(mice_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copy a slice's bytes into the arena; returns a slice with .p == NULL when over budget
 * (an empty input gives an empty slice with a non-NULL pointer). */
mice_slice arena_slice_dup(mice_arena *a, mice_slice s);

size_t arena_used_bytes(const mice_arena *a);
size_t arena_budget_bytes(const mice_arena *a);
const char *arena_name(const mice_arena *a);

#define ARENA_NEW(a, type) ((type *)arena_zalloc((a), sizeof(type)))
#define ARENA_NEW_ARRAY(a, type, count) ((type *)arena_zalloc((a), sizeof(type) * (count)))

#endif
