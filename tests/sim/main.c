/*
 * main.c - micedb-sim: the deterministic simulator's command line.
 *
 *   micedb-sim raft [--seeds A-B | --seed N] [--canary NAME] [--list-canaries] [--nodes N]
 *                   [--steps N] [-v] [--expect-violation] [--self-check-determinism]
 *                   [--keep-going]
 *
 * Runs each seed (raft_sim.h), prints what it exercised, stops at the first violation with
 * the seed, the invariant and `reproduce with --seed=N`, and ends with
 * "<count> seeds, <violations> violations". Exit 0 when clean; 1 on a violation (or, with
 * --expect-violation, 0 only if a violation WAS found: how a canary's test passes).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "raft/raft.h"
#include "sim/raft_sim.h"

enum { PER_SEED_LINES_MAX = 1000, SUMMARY_EVERY = 1000 };

typedef struct cli {
    uint64_t first, last;
    uint32_t canaries;
    const char *canary_name;
    int nodes;
    uint64_t steps;
    bool verbose, list, expect_violation, self_check, keep_going;
} cli;

static int usage(void)
{
    fprintf(stderr, "usage: micedb-sim raft [--seeds A-B | --seed N] [--canary NAME] "
                    "[--list-canaries] [--nodes N] [--steps N] [-v] [--expect-violation] "
                    "[--self-check-determinism] [--keep-going]\n");
    return 2;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s) return false;
    *out = strtoull(s, &end, 10);
    return *end == 0;
}

static bool parse_seeds(const char *s, cli *c)
{
    const char *dash = s ? strchr(s, '-') : NULL;
    if (!dash) return false;
    char lo[32];
    size_t n = (size_t)(dash - s);
    if (n == 0 || n >= sizeof lo) return false;
    memcpy(lo, s, n);
    lo[n] = 0;
    return parse_u64(lo, &c->first) && parse_u64(dash + 1, &c->last) && c->first <= c->last;
}

/* "--name=value" or "--name value". */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n)) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] == 0 && *i + 1 < argc) return argv[++*i];
    return NULL;
}

static bool parse_one(int argc, char **argv, int *i, cli *c)
{
    const char *v;
    uint64_t x;
    if (!strcmp(argv[*i], "-v")) c->verbose = true;
    else if (!strcmp(argv[*i], "--list-canaries")) c->list = true;
    else if (!strcmp(argv[*i], "--expect-violation")) c->expect_violation = true;
    else if (!strcmp(argv[*i], "--self-check-determinism")) c->self_check = true;
    else if (!strcmp(argv[*i], "--keep-going")) c->keep_going = true;
    else if ((v = opt_value(argc, argv, i, "--seeds"))) return parse_seeds(v, c);
    else if ((v = opt_value(argc, argv, i, "--seed"))) {
        if (!parse_u64(v, &c->first)) return false;
        c->last = c->first;
    } else if ((v = opt_value(argc, argv, i, "--canary"))) {
        uint32_t flag;
        if (!raft_canary_parse(v, &flag)) return false;
        c->canaries |= flag;
        c->canary_name = v;
    } else if ((v = opt_value(argc, argv, i, "--nodes"))) {
        if (!parse_u64(v, &x) || x < 1 || x > SIM_NODES_MAX) return false;
        c->nodes = (int)x;
    } else if ((v = opt_value(argc, argv, i, "--steps"))) {
        if (!parse_u64(v, &c->steps) || c->steps == 0) return false;
    } else {
        return false;
    }
    return true;
}

static void list_canaries(void)
{
    for (size_t i = 0; i < raft_canary_count(); i++) {
        uint32_t f = raft_canary_at(i);
        printf("%-28s %s\n", raft_canary_name(f), raft_canary_text(f));
    }
}

static void add_stats(sim_stats *sum, const sim_stats *s)
{
    _Static_assert(sizeof(sim_stats) % sizeof(uint64_t) == 0, "sim_stats is all uint64_t");
    uint64_t *a = (uint64_t *)sum;
    const uint64_t *b = (const uint64_t *)s;
    for (size_t i = 0; i < sizeof(sim_stats) / sizeof(uint64_t); i++) a[i] += b[i];
}

static void run_seed(const cli *c, uint64_t seed, bool verbose, sim_result *res, mice_buf *out)
{
    sim_options o;
    sim_options_default(&o, seed);
    o.canaries = c->canaries;
    o.nodes = c->nodes;
    o.safety_ticks = c->steps;
    o.verbose = verbose;
    sim_run(&o, res, out);
    buf_printf(out, "seed %" PRIu64 ": %s ", seed, res->violation ? "VIOLATION" : "ok");
    sim_describe_stats(&res->stats, out);
    buf_append_u8(out, '\n');
}

static int self_check(const cli *c)
{
    mice_buf a, b;
    buf_init(&a);
    buf_init(&b);
    sim_result ra, rb;
    run_seed(c, c->first, true, &ra, &a);
    run_seed(c, c->first, true, &rb, &b);
    bool same = mice_slice_eq(buf_slice(&a), buf_slice(&b));
    printf("determinism: seed %" PRIu64 " %s (%zu and %zu bytes of trace)\n", c->first,
           same ? "prints identical output twice" : "DIFFERS between two runs", a.n, b.n);
    buf_deinit(&a);
    buf_deinit(&b);
    return same ? 0 : 1;
}

static void report_violation(const cli *c, uint64_t seed, const sim_result *res)
{
    printf("VIOLATION seed %" PRIu64 ": %s: %s\n", seed, res->invariant, res->detail);
    printf("reproduce with --seed=%" PRIu64 "%s%s\n", seed, c->canary_name ? " --canary " : "",
           c->canary_name ? c->canary_name : "");
}

static int run_seeds(const cli *c)
{
    uint64_t count = c->last - c->first + 1, done = 0, violations = 0;
    bool per_seed = c->verbose || count <= PER_SEED_LINES_MAX;
    sim_stats total;
    memset(&total, 0, sizeof total);
    mice_buf out;
    buf_init(&out);
    for (uint64_t seed = c->first; seed <= c->last; seed++) {
        sim_result res;
        buf_reset(&out);
        run_seed(c, seed, c->verbose, &res, &out);
        done++;
        add_stats(&total, &res.stats);
        if (per_seed || res.violation) fwrite(out.p, 1, out.n, stdout);
        else if (done % SUMMARY_EVERY == 0) printf("%" PRIu64 " seeds done, 0 violations\n", done);
        fflush(stdout);
        if (res.violation) {
            violations++;
            report_violation(c, seed, &res);
            if (!c->keep_going) break;
        }
    }
    buf_reset(&out);
    buf_printf(&out, "total: ");
    sim_describe_stats(&total, &out);
    printf("%s\n%" PRIu64 " seeds, %" PRIu64 " violations\n", (char *)out.p, done, violations);
    buf_deinit(&out);
    if (c->expect_violation) {
        if (violations) printf("canary %s caught\n", c->canary_name ? c->canary_name : "-");
        else printf("expected a violation, found none in %" PRIu64 " seeds\n", done);
        return violations ? 0 : 1;
    }
    return violations ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "raft")) return usage();
    cli c = {.first = 1, .last = 1};
    log_set_level(MICE_LOG_ERROR); /* the library's INFO lines carry wall-clock times */
    for (int i = 2; i < argc; i++)
        if (!parse_one(argc, argv, &i, &c)) return usage();
    if (c.list) {
        list_canaries();
        return 0;
    }
    if (c.self_check) return self_check(&c);
    return run_seeds(&c);
}
