#include "base/check.h"

#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BACKTRACE_FRAMES_MAX = 64 };

_Noreturn void mice_panic(const char *file, int line, const char *what)
{
    void *frames[BACKTRACE_FRAMES_MAX];
    fprintf(stderr, "PANIC %s:%d: assertion failed: %s\n", file, line, what);
    int n = backtrace(frames, BACKTRACE_FRAMES_MAX);
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
    abort();
}

_Noreturn void mice_oom(size_t size_bytes)
{
    fprintf(stderr, "PANIC: out of memory allocating %zu bytes\n", size_bytes);
    abort();
}

void *mice_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) mice_oom(n);
    return p;
}

void *mice_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) mice_oom(count * size);
    return p;
}

void *mice_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) mice_oom(n);
    return q;
}

char *mice_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mice_malloc(n);
    memcpy(p, s, n);
    return p;
}
