#include "cli/workload_run.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/env.h"
#include "base/histo.h"

enum {
    WL_CODES_MAX = 16,
    WL_TICK_MS = 1000,
    WL_POLL_MS = 50,
    WL_RECONNECT_PAUSE_MS = 200,
    WL_BAR_WIDTH = 40,
    WL_EXIT_OK = 0,
    WL_EXIT_FAIL = 1,
};

/* Counts by code; codes past WL_CODES_MAX distinct ones go to `other`. */
typedef struct wl_codes {
    struct {
        char code[WL_CODE_LEN];
        uint64_t n;
    } e[WL_CODES_MAX];
    int used;
    uint64_t other;
} wl_codes;

typedef struct wl_stats {
    pthread_mutex_t mu; /* protects everything below; taken by the worker and the ticker */
    mice_histo interval;
    mice_histo total[WL_OPS_MAX];
    uint64_t errors_interval;
    wl_codes errors;
    wl_codes retries;
    char first_error[256]; /* the first connect or prepare failure, for stderr */
} wl_stats;

typedef struct wl_thread {
    wl_worker w;
    wl_stats stats;
    pthread_t tid;
    const wl_gen *g;
    atomic_bool done;
} wl_thread;

static volatile sig_atomic_t wl_interrupted;
static atomic_uint_fast64_t wl_issued; /* ops claimed against --max-ops */

static void on_signal(int sig)
{
    (void)sig;
    wl_interrupted = 1;
}

static void codes_add(wl_codes *c, const char *code, uint64_t n)
{
    for (int i = 0; i < c->used; i++)
        if (!strcmp(c->e[i].code, code)) {
            c->e[i].n += n;
            return;
        }
    if (c->used == WL_CODES_MAX) {
        c->other += n;
        return;
    }
    snprintf(c->e[c->used].code, WL_CODE_LEN, "%s", code);
    c->e[c->used++].n = n;
}

static void codes_merge(wl_codes *dst, const wl_codes *src)
{
    for (int i = 0; i < src->used; i++)
        codes_add(dst, src->e[i].code, src->e[i].n);
    dst->other += src->other;
}

static uint64_t codes_total(const wl_codes *c)
{
    uint64_t n = c->other;
    for (int i = 0; i < c->used; i++)
        n += c->e[i].n;
    return n;
}

static void codes_print(const wl_codes *c, const char *sep, FILE *out)
{
    for (int i = 0; i < c->used; i++)
        fprintf(out, "%s%s=%" PRIu64, i ? sep : "", c->e[i].code, c->e[i].n);
    if (c->other) fprintf(out, "%sother=%" PRIu64, c->used ? sep : "", c->other);
}

static void note_retry(wl_worker *w, const char *code)
{
    wl_stats *s = w->stats;
    pthread_mutex_lock(&s->mu);
    codes_add(&s->retries, code, 1);
    pthread_mutex_unlock(&s->mu);
}

static void note_problem(wl_stats *s, const char *what, const mice_err *err)
{
    pthread_mutex_lock(&s->mu);
    if (!s->first_error[0])
        snprintf(s->first_error, sizeof s->first_error, "%s: %s", what, mice_err_msg(err));
    pthread_mutex_unlock(&s->mu);
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

mice_status wl_connect(const char *url, PGconn **out, mice_err *err)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        mice_status rc =
            mice_err_setf(err, MICE_UNAVAILABLE, "connect %s: %s", url, PQerrorMessage(c));
        PQfinish(c);
        *out = NULL;
        return rc;
    }
    PQsetNoticeProcessor(c, ignore_notice, NULL); /* "table does not exist, skipping" */
    *out = c;
    return MICE_OK;
}

static void disconnect(wl_thread *t)
{
    if (t->w.pg) PQfinish(t->w.pg);
    t->w.pg = NULL;
    wl_http_close(t->w.http);
    t->w.http = NULL;
}

/* (Re)connect the worker and prepare its statements; false after a failure (counted). */
static bool worker_connect(wl_thread *t)
{
    wl_worker *w = &t->w;
    mice_err err;
    mice_err_clear(&err);
    disconnect(t);
    mice_status rc;
    if (w->o->target == WL_TARGET_SQL) {
        rc = wl_connect(w->o->url, &w->pg, &err);
    } else {
        rc = wl_http_open(w->o->http_addr, &w->http, &err);
    }
    const char *what = "connect";
    if (!rc) {
        what = "prepare";
        rc = t->g->worker_open(w, &err);
    }
    if (!rc) return true;
    note_problem(&t->stats, what, &err);
    pthread_mutex_lock(&t->stats.mu);
    codes_add(&t->stats.errors, "conn", 1);
    t->stats.errors_interval++;
    pthread_mutex_unlock(&t->stats.mu);
    disconnect(t);
    return false;
}

static bool claim_op(const wl_opts *o)
{
    return o->max_ops == 0 || atomic_fetch_add(&wl_issued, 1) < o->max_ops;
}

static void *worker_main(void *arg)
{
    wl_thread *t = arg;
    wl_worker *w = &t->w;
    const mice_env *env = mice_env_real();
    bool connected = false;
    while (!atomic_load(w->stop)) {
        if (!connected && !(connected = worker_connect(t))) {
            env_sleep_ns(env, (uint64_t)WL_RECONNECT_PAUSE_MS * MICE_NS_PER_MS);
            continue;
        }
        if (!claim_op(w->o)) break;
        wl_outcome out = {0};
        uint64_t t0 = env_mono_ns(env);
        t->g->op(w, &out);
        uint64_t lat = env_mono_ns(env) - t0;
        mice_assert(out.op >= 0);
        mice_assert(out.op < t->g->op_count);
        pthread_mutex_lock(&t->stats.mu);
        if (out.code[0]) {
            codes_add(&t->stats.errors, out.code, 1);
            t->stats.errors_interval++;
        } else {
            histo_record(&t->stats.interval, lat);
            histo_record(&t->stats.total[out.op], lat);
        }
        pthread_mutex_unlock(&t->stats.mu);
        if (!strcmp(out.code, "conn")) connected = false;
    }
    disconnect(t);
    t->g->worker_close(w);
    atomic_store(&t->done, true);
    return NULL;
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

static void print_progress_head(void)
{
    printf("%8s %10s %10s %9s %9s %8s\n", "elapsed", "ops/s", "ops/s(cum)", "p50(ms)", "p99(ms)",
           "errors");
}

/* Take every worker's interval statistics and print one progress line. */
static void tick(wl_thread *ts, int n, double elapsed_s, double since_s, uint64_t *ops_total,
                 mice_histo *scratch)
{
    histo_reset(scratch);
    uint64_t errors = 0;
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&ts[i].stats.mu);
        histo_merge(scratch, &ts[i].stats.interval);
        histo_reset(&ts[i].stats.interval);
        errors += ts[i].stats.errors_interval;
        ts[i].stats.errors_interval = 0;
        pthread_mutex_unlock(&ts[i].stats.mu);
    }
    *ops_total += scratch->count;
    printf("%7.1fs %10.1f %10.1f %9.2f %9.2f %8" PRIu64 "\n", elapsed_s,
           since_s > 0 ? (double)scratch->count / since_s : 0.0,
           elapsed_s > 0 ? (double)*ops_total / elapsed_s : 0.0, ms(histo_quantile(scratch, 0.5)),
           ms(histo_quantile(scratch, 0.99)), errors);
    fflush(stdout);
}

static void print_row(const char *name, const mice_histo *h, double elapsed_s)
{
    printf("%-10s %10" PRIu64 " %10.1f %9.2f %9.2f %9.2f %9.2f\n", name, h->count,
           elapsed_s > 0 ? (double)h->count / elapsed_s : 0.0, ms(histo_quantile(h, 0.5)),
           ms(histo_quantile(h, 0.95)), ms(histo_quantile(h, 0.99)), ms(h->max));
}

/* One row per power of two of nanoseconds between the fastest and slowest operation. */
static void print_histogram(const mice_histo *h)
{
    if (h->count == 0) return;
    int lo = 63 - __builtin_clzll(h->min | 1), hi = 63 - __builtin_clzll(h->max | 1);
    uint64_t top = 0;
    for (int k = lo; k <= hi; k++) {
        uint64_t end = k == 63 ? UINT64_MAX : 1ull << (k + 1);
        uint64_t c = histo_count_below(h, end) - histo_count_below(h, 1ull << k);
        if (c > top) top = c;
    }
    printf("latency histogram (all ops; ms):\n");
    for (int k = lo; k <= hi; k++) {
        uint64_t start = 1ull << k, end = k == 63 ? UINT64_MAX : 1ull << (k + 1);
        uint64_t c = histo_count_below(h, end) - histo_count_below(h, start);
        char bar[WL_BAR_WIDTH + 1];
        int len = top ? (int)((c * WL_BAR_WIDTH + top - 1) / top) : 0;
        memset(bar, '#', (size_t)len);
        bar[len] = 0;
        printf("  %10.3f - %10.3f %10" PRIu64 " %6.2f%% %s\n", ms(start), ms(end), c,
               100.0 * (double)c / (double)h->count, bar);
    }
}

static void summary(const wl_gen *g, const wl_opts *o, wl_thread *ts, int n, double elapsed_s)
{
    static mice_histo per_op[WL_OPS_MAX], all;
    wl_codes errors = {0}, retries = {0};
    histo_reset(&all);
    for (int k = 0; k < g->op_count; k++)
        histo_reset(&per_op[k]);
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&ts[i].stats.mu);
        for (int k = 0; k < g->op_count; k++)
            histo_merge(&per_op[k], &ts[i].stats.total[k]);
        codes_merge(&errors, &ts[i].stats.errors);
        codes_merge(&retries, &ts[i].stats.retries);
        pthread_mutex_unlock(&ts[i].stats.mu);
    }
    static const char *const target_names[] = {"sql", "http", "etcd"};
    printf("\nsummary: %s, target %s, concurrency %d, %.2f s\n", g->name, target_names[o->target],
           o->concurrency, elapsed_s);
    printf("%-10s %10s %10s %9s %9s %9s %9s\n", "op", "ops", "ops/s", "p50(ms)", "p95(ms)",
           "p99(ms)", "max(ms)");
    for (int k = 0; k < g->op_count; k++) {
        if (per_op[k].count) print_row(g->op_names[k], &per_op[k], elapsed_s);
        histo_merge(&all, &per_op[k]);
    }
    print_row("all", &all, elapsed_s);
    uint64_t nerr = codes_total(&errors), nretry = codes_total(&retries);
    printf("errors: %" PRIu64, nerr);
    if (nerr) {
        printf(" (");
        codes_print(&errors, ", ", stdout);
        printf(")");
    }
    printf("\nretries: %" PRIu64, nretry);
    if (nretry) {
        printf(" (");
        codes_print(&retries, ", ", stdout);
        printf(")");
    }
    printf("\n");
    print_histogram(&all);
    printf("result: workload=%s target=%s ops=%" PRIu64 " ops_per_s=%.1f p50_ms=%.3f p95_ms=%.3f"
           " p99_ms=%.3f max_ms=%.3f errors=%" PRIu64 " retries=%" PRIu64 " errors_by_code=",
           g->name, target_names[o->target], all.count,
           elapsed_s > 0 ? (double)all.count / elapsed_s : 0.0, ms(histo_quantile(&all, 0.5)),
           ms(histo_quantile(&all, 0.95)), ms(histo_quantile(&all, 0.99)), ms(all.max), nerr,
           nretry);
    codes_print(&errors, ",", stdout);
    printf("\n");
    fflush(stdout);
    for (int i = 0; i < n; i++)
        if (ts[i].stats.first_error[0]) {
            fprintf(stderr, "workload: worker %d: %s\n", i, ts[i].stats.first_error);
            break;
        }
}

static void install_signals(bool on)
{
    struct sigaction sa = {0};
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sa.sa_flags = on ? SA_RESETHAND : 0; /* a second Ctrl-C ends the process at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static bool all_done(wl_thread *ts, int n)
{
    for (int i = 0; i < n; i++)
        if (!atomic_load(&ts[i].done)) return false;
    return true;
}

/* Print a progress line a second until the deadline, Ctrl-C or every worker finished. */
static double drive(const wl_opts *o, wl_thread *ts, int n, uint64_t start_ns)
{
    const mice_env *env = mice_env_real();
    static mice_histo scratch;
    uint64_t ops_total = 0, last_tick = start_ns, now = start_ns;
    print_progress_head();
    for (;;) {
        env_sleep_ns(env, (uint64_t)WL_POLL_MS * MICE_NS_PER_MS);
        now = env_mono_ns(env);
        bool end = wl_interrupted || all_done(ts, n) ||
                   (o->duration_ns && now - start_ns >= o->duration_ns);
        if (end) break;
        if (now - last_tick >= (uint64_t)WL_TICK_MS * MICE_NS_PER_MS) {
            tick(ts, n, (double)(now - start_ns) / 1e9, (double)(now - last_tick) / 1e9, &ops_total,
                 &scratch);
            last_tick = now;
        }
    }
    return (double)(now - start_ns) / 1e9;
}

/* The setup connection's part: run_begin before, check after. */
static mice_status setup_begin(const wl_gen *g, const wl_opts *o, wl_shared *sh, mice_err *err)
{
    if (o->target != WL_TARGET_SQL || !g->run_begin) return MICE_OK;
    PGconn *c = NULL;
    mice_status rc = wl_connect(o->url, &c, err);
    if (!rc) rc = g->run_begin(o, c, sh, err);
    if (c) PQfinish(c);
    return rc;
}

static int run_check(const wl_gen *g, const wl_opts *o)
{
    if (o->target != WL_TARGET_SQL || !g->check) return WL_EXIT_OK;
    PGconn *c = NULL;
    mice_err err;
    mice_err_clear(&err);
    mice_buf report;
    buf_init(&report);
    mice_status rc = wl_connect(o->url, &c, &err);
    if (!rc) rc = g->check(o, c, &report, &err);
    if (report.n) fputs((const char *)report.p, stdout);
    if (rc) fprintf(stderr, "workload: check %s: %s\n", g->name, mice_err_msg(&err));
    buf_deinit(&report);
    if (c) PQfinish(c);
    return rc ? WL_EXIT_FAIL : WL_EXIT_OK;
}

int wl_run(const wl_gen *g, const wl_opts *o)
{
    static wl_shared shared;
    mice_err err;
    mice_err_clear(&err);
    atomic_store(&shared.next_key, 0);
    shared.rows = 0;
    if (setup_begin(g, o, &shared, &err)) {
        fprintf(stderr, "workload: %s\n", mice_err_msg(&err));
        return WL_EXIT_FAIL;
    }
    atomic_store(&wl_issued, 0);
    wl_interrupted = 0;
    install_signals(true);
    atomic_bool stop = false;
    int n = o->concurrency;
    wl_thread *ts = mice_calloc((size_t)n, sizeof *ts);
    const mice_env *env = mice_env_real();
    uint64_t start_ns = env_mono_ns(env);
    int started = 0;
    for (int i = 0; i < n; i++) {
        wl_thread *t = &ts[i];
        t->g = g;
        t->w = (wl_worker){.id = i,
                           .o = o,
                           .shared = &shared,
                           .stats = &t->stats,
                           .note_retry = note_retry,
                           .stop = &stop};
        prng_seed(&t->w.rng, o->seed * 1000003u + (uint64_t)i);
        pthread_mutex_init(&t->stats.mu, NULL);
        if (pthread_create(&t->tid, NULL, worker_main, t) != 0) {
            fprintf(stderr, "workload: cannot start worker %d\n", i);
            atomic_store(&t->done, true);
            continue;
        }
        started++;
    }
    double elapsed_s = started ? drive(o, ts, n, start_ns) : 0;
    atomic_store(&stop, true);
    for (int i = 0; i < n; i++)
        if (ts[i].tid) pthread_join(ts[i].tid, NULL);
    install_signals(false);
    summary(g, o, ts, n, elapsed_s);
    uint64_t ops = 0, errors = 0;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < g->op_count; k++)
            ops += ts[i].stats.total[k].count;
        errors += codes_total(&ts[i].stats.errors);
        pthread_mutex_destroy(&ts[i].stats.mu);
    }
    free(ts);
    int status = run_check(g, o);
    if (started == 0 || (ops == 0 && errors > 0)) status = WL_EXIT_FAIL;
    return status;
}
