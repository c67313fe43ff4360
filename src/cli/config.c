#include "cli/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

enum { CONFIG_CACHE_BYTES_DEFAULT = 256u << 20, CONFIG_DEAD_AFTER_S_DEFAULT = 30 };

/* One row per string setting: flag, environment variable, default, field offset. */
typedef struct config_opt {
    const char *flag;
    const char *env;
    const char *def;
    size_t offset;
    const char *help;
} config_opt;

static const config_opt string_opts[] = {
    {"--data", "MICEDB_DATA", "./micedb-data", offsetof(mice_config, data_dir),
     "data directory"},
    {"--sql", "MICEDB_SQL_ADDR", "127.0.0.1:5433", offsetof(mice_config, sql_addr),
     "PostgreSQL protocol listen address"},
    {"--http", "MICEDB_HTTP_ADDR", "127.0.0.1:8080", offsetof(mice_config, http_addr),
     "HTTP listen address"},
    {"--resp", "MICEDB_RESP_ADDR", "127.0.0.1:6380", offsetof(mice_config, resp_addr),
     "Redis protocol listen address"},
    {"--rpc", "MICEDB_RPC_ADDR", "127.0.0.1:7070", offsetof(mice_config, rpc_addr),
     "node-to-node RPC listen address"},
    {"--join", "MICEDB_JOIN", "", offsetof(mice_config, join),
     "RPC addresses of a cluster's initial members, A,B,C (empty: one embedded node)"},
};
enum { STRING_OPT_COUNT = sizeof string_opts / sizeof string_opts[0] };

static char **field(mice_config *c, const config_opt *o)
{
    return (char **)((char *)c + o->offset);
}

static void set_string(mice_config *c, const config_opt *o, const char *v)
{
    char **f = field(c, o);
    free(*f);
    *f = mice_strdup(v);
}

static mice_status set_log_level(mice_config *c, const char *v, mice_err *err)
{
    if (!log_parse_level(v, &c->log_level))
        return mice_err_setf(err, MICE_INVALID, "log level must be error, warn, info or debug");
    return MICE_OK;
}

static mice_status set_cache(mice_config *c, const char *v, mice_err *err)
{
    char *end;
    errno = 0;
    unsigned long long mib = strtoull(v, &end, 10);
    if (errno || end == v || *end || mib == 0 || mib > (1ull << 20))
        return mice_err_setf(err, MICE_INVALID, "cache size must be 1..1048576 MiB, got '%s'", v);
    c->cache_bytes = mib << 20;
    return MICE_OK;
}

static mice_status set_dead_after(mice_config *c, const char *v, mice_err *err)
{
    char *end;
    errno = 0;
    unsigned long long s = strtoull(v, &end, 10);
    if (errno || end == v || *end || s == 0 || s > 86400)
        return mice_err_setf(err, MICE_INVALID, "--dead-after-s must be 1..86400, got '%s'", v);
    c->dead_after_s = s;
    return MICE_OK;
}

void config_init(mice_config *c, const char *(*getenv_fn)(const char *name))
{
    memset(c, 0, sizeof *c);
    c->log_level = MICE_LOG_INFO;
    c->cache_bytes = CONFIG_CACHE_BYTES_DEFAULT;
    c->dead_after_s = CONFIG_DEAD_AFTER_S_DEFAULT;
    if (!getenv_fn) getenv_fn = (const char *(*)(const char *))getenv;
    for (int i = 0; i < STRING_OPT_COUNT; i++) {
        const char *v = getenv_fn(string_opts[i].env);
        set_string(c, &string_opts[i], v && *v ? v : string_opts[i].def);
    }
    const char *lvl = getenv_fn("MICEDB_LOG_LEVEL");
    if (lvl) (void)set_log_level(c, lvl, NULL); /* a bad env value keeps the default */
    const char *cache = getenv_fn("MICEDB_CACHE_MB");
    if (cache) (void)set_cache(c, cache, NULL);
    const char *dead = getenv_fn("MICEDB_DEAD_AFTER_S");
    if (dead) (void)set_dead_after(c, dead, NULL);
}

void config_deinit(mice_config *c)
{
    for (int i = 0; i < STRING_OPT_COUNT; i++) {
        char **f = field(c, &string_opts[i]);
        free(*f);
        *f = NULL;
    }
}

/* "--flag=value" or "--flag value"; returns the value or NULL. */
static const char *flag_value(const char *flag, int argc, char **argv, int *i)
{
    size_t n = strlen(flag);
    const char *a = argv[*i];
    if (strncmp(a, flag, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != '\0') return NULL;
    if (*i + 1 >= argc) return "";
    return argv[++*i];
}

static mice_status parse_one(mice_config *c, int argc, char **argv, int *i, mice_err *err)
{
    const char *v;
    for (int k = 0; k < STRING_OPT_COUNT; k++) {
        if ((v = flag_value(string_opts[k].flag, argc, argv, i))) {
            if (!*v) return mice_err_setf(err, MICE_INVALID, "%s needs a value", string_opts[k].flag);
            set_string(c, &string_opts[k], v);
            return MICE_OK;
        }
    }
    if ((v = flag_value("--log-level", argc, argv, i))) return set_log_level(c, v, err);
    if ((v = flag_value("--cache-mb", argc, argv, i))) return set_cache(c, v, err);
    if ((v = flag_value("--dead-after-s", argc, argv, i))) return set_dead_after(c, v, err);
    return mice_err_setf(err, MICE_INVALID, "unknown flag '%s' (see micedb --help)", argv[*i]);
}

mice_status config_parse_flags(mice_config *c, int argc, char **argv, mice_err *err)
{
    for (int i = 0; i < argc; i++) {
        mice_status rc = parse_one(c, argc, argv, &i, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

void config_describe(const mice_config *c, mice_buf *out)
{
    for (int i = 0; i < STRING_OPT_COUNT; i++)
        buf_printf(out, "  %-10s = %s\n", string_opts[i].flag + 2,
                   *field((mice_config *)c, &string_opts[i]));
    buf_printf(out, "  %-10s = %s\n", "log-level", log_level_name(c->log_level));
    buf_printf(out, "  %-10s = %llu\n", "cache-mb", (unsigned long long)(c->cache_bytes >> 20));
    if (c->join[0])
        buf_printf(out, "  %-10s = %llu\n", "dead-after-s", (unsigned long long)c->dead_after_s);
}

void config_usage(mice_buf *out)
{
    for (int i = 0; i < STRING_OPT_COUNT; i++)
        buf_printf(out, "  %-14s %s (env %s, default %s)\n", string_opts[i].flag,
                   string_opts[i].help, string_opts[i].env, string_opts[i].def);
    buf_printf(out, "  %-14s error, warn, info or debug (env MICEDB_LOG_LEVEL, default info)\n",
               "--log-level");
    buf_printf(out, "  %-14s block cache size in MiB (env MICEDB_CACHE_MB, default 256)\n",
               "--cache-mb");
    buf_printf(out,
               "  %-14s a cluster node not live this long has its replicas replaced\n"
               "  %-14s (env MICEDB_DEAD_AFTER_S, default %d)\n",
               "--dead-after-s", "", CONFIG_DEAD_AFTER_S_DEFAULT);
}
