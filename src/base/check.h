/*
 * check.h - assertions for our own bugs, on in every build.
 *
 * mice_assert(cond) aborts with the file, line, condition and a backtrace when cond is
 * false. It is for invariants of our code only: bytes from disk or the network are never
 * asserted on (they get MICE_CORRUPT / MICE_INVALID). mice_oom() is the single place an
 * allocation failure of the C library ends the process: budgets are enforced by arenas,
 * so a failing malloc means the machine itself is out of memory.
 *
 * Owns: nothing. Thread safety: any thread.
 */
#ifndef MICE_BASE_CHECK_H
#define MICE_BASE_CHECK_H

#include <stddef.h>

_Noreturn void mice_panic(const char *file, int line, const char *what);
_Noreturn void mice_oom(size_t size_bytes);

#define mice_assert(cond)                                                                     \
    do {                                                                                      \
        if (__builtin_expect(!(cond), 0)) mice_panic(__FILE__, __LINE__, #cond);              \
    } while (0)

#define mice_unreachable() mice_panic(__FILE__, __LINE__, "unreachable")

/* malloc/calloc/realloc that never return NULL (they call mice_oom). */
void *mice_malloc(size_t n);
void *mice_calloc(size_t count, size_t size);
void *mice_realloc(void *p, size_t n);
char *mice_strdup(const char *s);

#endif
