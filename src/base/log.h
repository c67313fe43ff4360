/*
 * log.h - leveled, one-line-per-event logging to stderr.
 *
 * Levels mean something: ERROR = a human should look; WARN = degraded but coping;
 * INFO = notable events (start, stop, leadership, splits); DEBUG = for developers.
 * Each line carries wall time, level, node id (once set) and the source location, and is
 * written with a single write() so lines from several threads never interleave.
 * Servers log one line per notable event, never per request.
 *
 * Owns: the process-wide level, node id and sink. Thread safety: logging is safe from any
 * thread; log_set_* are meant for start-up (they are atomic, but not ordered with lines
 * being written concurrently).
 */
#ifndef MICE_BASE_LOG_H
#define MICE_BASE_LOG_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { MICE_LOG_ERROR, MICE_LOG_WARN, MICE_LOG_INFO, MICE_LOG_DEBUG } mice_log_level;

void log_set_level(mice_log_level level);
mice_log_level log_get_level(void);
/* "error", "warn", "info", "debug"; false for anything else. */
bool log_parse_level(const char *name, mice_log_level *out);
const char *log_level_name(mice_log_level level);
void log_set_node_id(uint64_t node_id);
/* Redirect lines (without the trailing newline) to sink; NULL restores stderr. */
typedef void (*log_sink_fn)(mice_log_level level, const char *line, void *ctx);
void log_set_sink(log_sink_fn sink, void *ctx);

bool log_enabled(mice_log_level level);
void mice_log(mice_log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define MICE_LOG_AT(level, ...)                                                               \
    do {                                                                                      \
        if (log_enabled(level)) mice_log(level, __FILE__, __LINE__, __VA_ARGS__);             \
    } while (0)
#define log_error(...) MICE_LOG_AT(MICE_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) MICE_LOG_AT(MICE_LOG_WARN, __VA_ARGS__)
#define log_info(...) MICE_LOG_AT(MICE_LOG_INFO, __VA_ARGS__)
#define log_debug(...) MICE_LOG_AT(MICE_LOG_DEBUG, __VA_ARGS__)

#endif
