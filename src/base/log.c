#include "base/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/env.h"

enum { LOG_LINE_MAX_BYTES = 2048 };

static _Atomic int current_level = MICE_LOG_INFO;
static _Atomic uint64_t current_node_id;
static _Atomic(log_sink_fn) current_sink;
static void *_Atomic current_sink_ctx;

static const char *const level_names[] = {"error", "warn", "info", "debug"};
static const char *const level_tags[] = {"E", "W", "I", "D"};

void log_set_level(mice_log_level level)
{
    atomic_store(&current_level, (int)level);
}

mice_log_level log_get_level(void)
{
    return (mice_log_level)atomic_load(&current_level);
}

bool log_parse_level(const char *name, mice_log_level *out)
{
    for (int i = 0; i <= MICE_LOG_DEBUG; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (mice_log_level)i;
            return true;
        }
    }
    return false;
}

const char *log_level_name(mice_log_level level)
{
    if ((unsigned)level > MICE_LOG_DEBUG) return "?";
    return level_names[level];
}

void log_set_node_id(uint64_t node_id)
{
    atomic_store(&current_node_id, node_id);
}

void log_set_sink(log_sink_fn sink, void *ctx)
{
    atomic_store(&current_sink_ctx, ctx);
    atomic_store(&current_sink, sink);
}

bool log_enabled(mice_log_level level)
{
    return (int)level <= atomic_load_explicit(&current_level, memory_order_relaxed);
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void mice_log(mice_log_level level, const char *file, int line, const char *fmt, ...)
{
    char out[LOG_LINE_MAX_BYTES];
    uint64_t now = env_wall_ns(mice_env_real());
    time_t secs = (time_t)(now / MICE_NS_PER_S);
    struct tm tm;
    gmtime_r(&secs, &tm);
    int n = (int)strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
    uint64_t node = atomic_load(&current_node_id);
    n += snprintf(out + n, sizeof out - (size_t)n, ".%06uZ %s ",
                  (unsigned)(now % MICE_NS_PER_S / MICE_NS_PER_US), level_tags[level]);
    if (node) n += snprintf(out + n, sizeof out - (size_t)n, "n%llu ", (unsigned long long)node);
    n += snprintf(out + n, sizeof out - (size_t)n, "%s:%d ", basename_of(file), line);
    va_list ap;
    va_start(ap, fmt);
    if (n < (int)sizeof out) n += vsnprintf(out + n, sizeof out - (size_t)n, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof out - 1) n = (int)sizeof out - 2;

    log_sink_fn sink = atomic_load(&current_sink);
    if (sink) {
        out[n] = '\0';
        sink(level, out, atomic_load(&current_sink_ctx));
        return;
    }
    out[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, out, (size_t)n);
    (void)w; /* nowhere to report a failed log write */
}
