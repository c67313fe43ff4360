#include "cli/workload.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/env.h"
#include "cli/workload_gen.h"
#include "cli/workload_run.h"

enum { WL_EXIT_OK = 0, WL_EXIT_FAIL = 1, WL_EXIT_USAGE = 2 };

typedef enum { F_STR, F_INT, F_U64, F_I64, F_DUR, F_BOOL, F_CHAR } flag_kind;

typedef struct wl_flag {
    const char *name;
    flag_kind kind;
    size_t offset;
    const char *def;
    const char *help;
} wl_flag;

#define OPT(field) offsetof(wl_opts, field)
static const wl_flag flags[] = {
    {"--url", F_STR, OPT(url), "postgres://root@127.0.0.1:5433/defaultdb?sslmode=disable",
     "PostgreSQL URL of the node (libpq)"},
    {"--duration", F_DUR, OPT(duration_ns), "0", "how long to run (30s, 5m; 0 = until Ctrl-C)"},
    {"--max-ops", F_U64, OPT(max_ops), "0", "stop after this many operations (0 = no limit)"},
    {"--concurrency", F_INT, OPT(concurrency), "8", "workers, each with its own connection"},
    {"--seed", F_U64, OPT(seed), "1", "random seed (worker i uses a stream derived from it)"},
    {"--drop", F_BOOL, OPT(drop), NULL, "init: drop the workload's table first"},
    {"--read-percent", F_INT, OPT(read_percent), "0", "kv: percentage of reads"},
    {"--keys", F_U64, OPT(keys), "100000", "kv: number of distinct keys"},
    {"--value-size", F_INT, OPT(value_size), "256", "kv: bytes per value"},
    {"--batch", F_INT, OPT(batch), "1", "kv: keys per SQL statement"},
    {"--sequential", F_BOOL, OPT(sequential), NULL,
     "kv: write keys in order; read among those written"},
    {"--accounts", F_U64, OPT(accounts), "1000", "bank: number of accounts"},
    {"--initial-balance", F_I64, OPT(initial_balance), "1000", "bank: balance of each account"},
    {"--max-transfer", F_I64, OPT(max_transfer), "100", "bank: largest amount moved"},
    {"--workload", F_CHAR, OPT(ycsb_workload), "B", "ycsb: A, B, C or E"},
    {"--records", F_U64, OPT(records), "10000", "ycsb: records loaded by init"},
    {"--fields", F_INT, OPT(fields), "10", "ycsb: fields per record"},
    {"--field-size", F_INT, OPT(field_size), "100", "ycsb: bytes per field"},
    {"--max-scan", F_INT, OPT(max_scan), "100", "ycsb: longest scan (records)"},
};
#undef OPT
enum { FLAG_COUNT = sizeof flags / sizeof flags[0] };

static const wl_gen *const gens[] = {&wl_gen_kv, &wl_gen_bank, &wl_gen_ycsb};

void workload_usage(mice_buf *out)
{
    buf_append_str(
        out, "usage: micedb workload init  <kv|bank|ycsb> [flags]\n"
             "       micedb workload run   <kv|bank|ycsb> [flags]\n"
             "       micedb workload check bank [flags]\n\n"
             "targets (kv only; default is SQL at --url):\n"
             "  --http HOST:PORT         micedb's HTTP KV API (PUT/GET /v1/kv/<key>)\n"
             "  --etcd http://HOST:PORT  etcd v3's JSON gateway (/v3/kv/put, /v3/kv/range)\n\n"
             "flags:\n");
    for (int i = 0; i < FLAG_COUNT; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s%s", flags[i].name, flags[i].kind == F_BOOL ? "" : " V");
        buf_printf(out, "  %-24s %s", name, flags[i].help);
        if (flags[i].def) buf_printf(out, " (default %s)", flags[i].def);
        buf_append_str(out, "\n");
    }
}

/* "30s", "500ms", "2m", "1h", "1.5s" or plain seconds. */
static bool parse_duration(const char *v, uint64_t *ns)
{
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || x < 0) return false;
    double unit = MICE_NS_PER_S;
    if (!strcmp(end, "ms"))
        unit = MICE_NS_PER_MS;
    else if (!strcmp(end, "us"))
        unit = MICE_NS_PER_US;
    else if (!strcmp(end, "m"))
        unit = 60.0 * MICE_NS_PER_S;
    else if (!strcmp(end, "h"))
        unit = 3600.0 * MICE_NS_PER_S;
    else if (*end && strcmp(end, "s"))
        return false;
    *ns = (uint64_t)(x * unit);
    return true;
}

static bool set_flag(wl_opts *o, const wl_flag *f, const char *v)
{
    void *dst = (char *)o + f->offset;
    char *end = NULL;
    errno = 0;
    switch (f->kind) {
    case F_STR:
        *(const char **)dst = v;
        return true;
    case F_BOOL:
        *(bool *)dst = true;
        return true;
    case F_DUR:
        return parse_duration(v, dst);
    case F_CHAR:
        if (strlen(v) != 1) return false;
        *(char *)dst = (char)(v[0] >= 'a' && v[0] <= 'z' ? v[0] - 32 : v[0]);
        return true;
    case F_INT: {
        long x = strtol(v, &end, 10);
        if (errno || *end || end == v || x < 0 || x > 1000000000) return false;
        *(int *)dst = (int)x;
        return true;
    }
    case F_U64: {
        if (*v == '-') return false;
        unsigned long long x = strtoull(v, &end, 10);
        if (errno || *end || end == v) return false;
        *(uint64_t *)dst = x;
        return true;
    }
    case F_I64: {
        long long x = strtoll(v, &end, 10);
        if (errno || *end || end == v) return false;
        *(int64_t *)dst = x;
        return true;
    }
    }
    return false;
}

/* Flags in argv[0..argc), as "--name value" or "--name=value". */
static bool parse_flags(wl_opts *o, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        const char *value = eq ? eq + 1 : NULL;
        bool http = nlen == 6 && !strncmp(arg, "--http", 6);
        bool etcd = nlen == 6 && !strncmp(arg, "--etcd", 6);
        const wl_flag *f = NULL;
        for (int k = 0; k < FLAG_COUNT && !http && !etcd; k++)
            if (strlen(flags[k].name) == nlen && !strncmp(flags[k].name, arg, nlen)) f = &flags[k];
        if (!f && !http && !etcd) {
            fprintf(stderr, "micedb workload: unknown flag '%s'\n", arg);
            return false;
        }
        bool takes_value = http || etcd || f->kind != F_BOOL;
        if (takes_value && !value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "micedb workload: %.*s needs a value\n", (int)nlen, arg);
                return false;
            }
            value = argv[++i];
        }
        if (http || etcd) {
            o->target = http ? WL_TARGET_HTTP : WL_TARGET_ETCD;
            o->http_addr = value;
        } else if (!set_flag(o, f, value ? value : "")) {
            fprintf(stderr, "micedb workload: bad value '%s' for %s\n", value, f->name);
            return false;
        }
    }
    return true;
}

static const char *validate(const wl_gen *g, const wl_opts *o)
{
    if (o->target != WL_TARGET_SQL && !g->http_ok) return "--http and --etcd are for kv only";
    if (o->concurrency < 1) return "--concurrency must be at least 1";
    if (o->read_percent > 100) return "--read-percent must be 0..100";
    if (o->keys < 1) return "--keys must be at least 1";
    if (o->batch < 1 || o->batch > 1000) return "--batch must be 1..1000";
    if ((uint64_t)o->batch > o->keys) return "--batch must not exceed --keys";
    if (o->value_size < 1) return "--value-size must be at least 1";
    if (o->accounts < 2) return "--accounts must be at least 2";
    if (o->max_transfer < 1) return "--max-transfer must be at least 1";
    if (!strchr("ABCE", o->ycsb_workload)) return "--workload must be A, B, C or E";
    if (o->records < 1) return "--records must be at least 1";
    if (o->fields < 1 || o->fields > 32) return "--fields must be 1..32";
    if (o->field_size < 1 || o->max_scan < 1) return "--field-size and --max-scan must be >= 1";
    return NULL;
}

/* init and check share the setup connection. */
static int run_setup(const wl_gen *g, const wl_opts *o, bool init)
{
    if (!init && !g->check) {
        printf("%s: nothing to check\n", g->name);
        return WL_EXIT_OK;
    }
    if (o->target != WL_TARGET_SQL) {
        printf("%s: nothing to %s for the HTTP targets\n", g->name, init ? "initialize" : "check");
        return WL_EXIT_OK;
    }
    PGconn *c = NULL;
    mice_err err;
    mice_err_clear(&err);
    mice_buf report;
    buf_init(&report);
    mice_status rc = wl_connect(o->url, &c, &err);
    if (!rc) rc = init ? g->init(o, c, &report, &err) : g->check(o, c, &report, &err);
    if (report.n) fputs((const char *)report.p, stdout);
    if (rc)
        fprintf(stderr, "micedb workload %s %s: %s\n", init ? "init" : "check", g->name,
                mice_err_msg(&err));
    buf_deinit(&report);
    if (c) PQfinish(c);
    return rc ? WL_EXIT_FAIL : WL_EXIT_OK;
}

int workload_main(int argc, char **argv)
{
    mice_buf usage;
    buf_init(&usage);
    workload_usage(&usage);
    int status = WL_EXIT_USAGE;
    if (argc >= 1 && (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help"))) {
        fputs((const char *)usage.p, stdout);
        status = WL_EXIT_OK;
        goto done;
    }
    const char *verb = argc >= 1 ? argv[0] : "";
    bool init = !strcmp(verb, "init"), run = !strcmp(verb, "run"), check = !strcmp(verb, "check");
    const wl_gen *g = NULL;
    for (size_t i = 0; argc >= 2 && i < sizeof gens / sizeof gens[0]; i++)
        if (!strcmp(argv[1], gens[i]->name)) g = gens[i];
    if (!(init || run || check) || !g) {
        fputs((const char *)usage.p, stderr);
        goto done;
    }
    wl_opts o = {.target = WL_TARGET_SQL};
    for (int i = 0; i < FLAG_COUNT; i++)
        if (flags[i].def && !set_flag(&o, &flags[i], flags[i].def)) goto done;
    if (!parse_flags(&o, argc - 2, argv + 2)) goto done;
    const char *bad = validate(g, &o);
    if (bad) {
        fprintf(stderr, "micedb workload: %s\n", bad);
        goto done;
    }
    status = run ? wl_run(g, &o) : run_setup(g, &o, init);
done:
    buf_deinit(&usage);
    return status;
}
