/* Isolation specs: data-driven transaction interleavings (PostgreSQL's isolation tester,
 * in the block format of STYLE.md). Each file in tests/txn/testdata/ is a list of steps:
 *
 *     <command>[; <command>...]
 *     ----
 *     <expected output>
 *
 * separated by blank lines. Commands name a session (t1, t2, ...):
 *     begin <s> [isolation=read_committed|repeatable_read|serializable]
 *     get <s> k=<key>                 -> k=<value> or k=<none>
 *     put|update <s> k=<key> v=<v>    -> ok
 *     delete <s> k=<key>   lock <s> k=<key> (SELECT FOR UPDATE)   incr <s> k=<key>
 *     scan <s> [start=<k>] [end=<k>] [limit=<n>] [reverse]   -> k=v ... or <empty>
 *     stmt <s>  (next statement)   commit <s>   rollback <s>
 * A session without a transaction begins a READ COMMITTED one at its next command.
 * Each command runs as one statement (READ COMMITTED restarts are retried) on its own
 * thread. A command still waiting for a lock after it starts prints "blocked"; when a
 * later step unblocks it, that step's output gains a line "<s>: <result>". Results are
 * "ok", the read output, or "error <SQLSTATE>"; several commands' results join with "; ".
 *
 * Run with MICE_REWRITE=1 to rewrite the expected outputs from the actual ones (comment
 * lines, "#", are not kept). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <libgen.h>
#include <pthread.h>

#include "base/check.h"
#include "base/env.h"
#include "kv/locktable.h"
#include "txn/support/txn_test.h"

enum {
    SESSIONS_MAX = 8,
    LINE_MAX_BYTES = 512,
    OUT_MAX_BYTES = 4096,
    POLL_MS_MAX = 5000,
    SETTLE_MS = 30
};

typedef struct session {
    char name[16];
    txn *t;
    pthread_t th;
    bool running; /* a command thread exists (joined when done) */
    bool done;    /* atomic: the command finished */
    char cmd[LINE_MAX_BYTES];
    char result[LINE_MAX_BYTES];
} session;

typedef struct spec_run {
    tt_env env;
    session s[SESSIONS_MAX];
    size_t n_sessions;
} spec_run;

static session *session_of(spec_run *r, const char *name)
{
    for (size_t i = 0; i < r->n_sessions; i++)
        if (strcmp(r->s[i].name, name) == 0) return &r->s[i];
    mice_assert(r->n_sessions < SESSIONS_MAX);
    session *s = &r->s[r->n_sessions++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

/* The value of "name=" among the words, or NULL. */
static const char *arg(char **words, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = 2; i < n; i++)
        if (strncmp(words[i], name, len) == 0 && words[i][len] == '=') return words[i] + len + 1;
    return NULL;
}

static bool flag(char **words, int n, const char *name)
{
    for (int i = 2; i < n; i++)
        if (strcmp(words[i], name) == 0) return true;
    return false;
}

typedef struct stmt_ctx {
    char **words;
    int n;
    char *out;
} stmt_ctx;

static mice_status do_get(txn *t, const char *k, char *out, mice_err *err)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_status rc = txn_get(t, mice_slice_str(k), &v, &found, err);
    if (!rc)
        snprintf(out, LINE_MAX_BYTES, "%s=%.*s", k, found ? (int)v.n : 6,
                 found ? (char *)v.p : "<none>");
    buf_deinit(&v);
    return rc;
}

static mice_status do_scan(txn *t, char **w, int n, char *out, mice_err *err)
{
    const char *start = arg(w, n, "start"), *end = arg(w, n, "end"), *limit = arg(w, n, "limit");
    txn_scan *sc = NULL;
    mice_status rc =
        txn_scan_open(t, mice_slice_str(start ? start : ""), mice_slice_str(end ? end : ""),
                      flag(w, n, "reverse"), limit ? (size_t)atoi(limit) : 0, &sc);
    out[0] = 0;
    const kv_row *rows;
    size_t got;
    while (!rc && (rc = txn_scan_next(sc, 2, &rows, &got, err)) == MICE_OK && got)
        for (size_t i = 0; i < got; i++)
            snprintf(out + strlen(out), LINE_MAX_BYTES - strlen(out), "%s%.*s=%.*s",
                     out[0] ? " " : "", (int)rows[i].key.n, (char *)rows[i].key.p,
                     (int)rows[i].value.n, (char *)rows[i].value.p);
    if (!rc && !out[0]) snprintf(out, LINE_MAX_BYTES, "<empty>");
    txn_scan_close(sc);
    return rc;
}

static mice_status run_stmt(txn *t, void *p, mice_err *err)
{
    stmt_ctx *c = p;
    char **w = c->words;
    const char *k = arg(w, c->n, "k"), *v = arg(w, c->n, "v");
    snprintf(c->out, LINE_MAX_BYTES, "ok");
    if (!strcmp(w[0], "get")) return do_get(t, k, c->out, err);
    if (!strcmp(w[0], "scan")) return do_scan(t, w, c->n, c->out, err);
    if (!strcmp(w[0], "put") || !strcmp(w[0], "update"))
        return txn_put(t, mice_slice_str(k), mice_slice_str(v), err);
    if (!strcmp(w[0], "delete")) return txn_delete(t, mice_slice_str(k), err);
    if (!strcmp(w[0], "lock") || !strcmp(w[0], "incr")) {
        mice_buf val;
        buf_init(&val);
        bool found = false;
        mice_status rc = txn_get_for_update(t, mice_slice_str(k), &val, &found, err);
        if (!rc && !strcmp(w[0], "incr")) {
            char num[32];
            snprintf(num, sizeof num, "%d", found ? atoi((char *)val.p) + 1 : 1);
            rc = txn_put(t, mice_slice_str(k), mice_slice_str(num), err);
        }
        buf_deinit(&val);
        return rc;
    }
    snprintf(c->out, LINE_MAX_BYTES, "unknown command %s", w[0]);
    return MICE_OK;
}

static void *command_main(void *p)
{
    spec_run *r = ((void **)p)[0];
    session *s = ((void **)p)[1];
    free(p);
    char *w[16];
    int n = 0;
    char buf[LINE_MAX_BYTES];
    snprintf(buf, sizeof buf, "%s", s->cmd);
    for (char *tok = strtok(buf, " \t"); tok && n < 16; tok = strtok(NULL, " \t"))
        w[n++] = tok;
    mice_err err;
    mice_status rc = MICE_OK;
    snprintf(s->result, sizeof s->result, "ok");
    if (!s->t && strcmp(w[0], "begin") != 0) s->t = txn_begin(r->env.db, TXN_READ_COMMITTED);
    if (!strcmp(w[0], "begin")) {
        const char *iso = arg(w, n, "isolation");
        txn_isolation level = !iso || !strcmp(iso, "read_committed") ? TXN_READ_COMMITTED
                              : !strcmp(iso, "repeatable_read")      ? TXN_REPEATABLE_READ
                                                                     : TXN_SERIALIZABLE;
        txn_destroy(s->t);
        s->t = txn_begin(r->env.db, level);

    } else if (!strcmp(w[0], "commit") || !strcmp(w[0], "rollback")) {
        rc = !strcmp(w[0], "commit") ? txn_commit(s->t, &err) : txn_rollback(s->t, &err);
        txn_destroy(s->t); /* the session's next command begins a new transaction */
        s->t = NULL;
    } else if (!strcmp(w[0], "stmt")) {
        txn_statement_begin(s->t);
    } else {
        stmt_ctx c = {w, n, s->result};
        rc = txn_run_statement(s->t, run_stmt, &c, &err);
    }
    if (rc) snprintf(s->result, sizeof s->result, "error %s", txn_sqlstate(rc));
    __atomic_store_n(&s->done, true, __ATOMIC_RELEASE);
    return NULL;
}

static locktable *lt_of(spec_run *r)
{
    return kv_replica_locktable(kv_sender_replica(txn_db_sender(r->env.db), 0));
}

static size_t blocked_count(spec_run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_sessions; i++)
        if (r->s[i].running && !__atomic_load_n(&r->s[i].done, __ATOMIC_ACQUIRE)) n++;
    return n;
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

/* Start one command; append its result, or "blocked" if it waits for a lock. */
static void start_command(spec_run *r, const char *line, char *out)
{
    char name[16] = "";
    sscanf(line, "%*s %15s", name);
    session *s = session_of(r, name);
    mice_assert(!s->running); /* a blocked session gets no new commands */
    size_t others_blocked = blocked_count(r);
    snprintf(s->cmd, sizeof s->cmd, "%s", line);
    s->done = false;
    s->running = true;
    void **arg2 = malloc(2 * sizeof *arg2);
    arg2[0] = r;
    arg2[1] = s;
    pthread_create(&s->th, NULL, command_main, arg2);
    for (int i = 0; i < POLL_MS_MAX; i++) {
        if (__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) break;
        if (locktable_waiting(lt_of(r)) > others_blocked) {
            strcat(out, out[0] ? "; blocked" : "blocked");
            return;
        }
        sleep_ms(1);
    }
    mice_assert(s->done);
    pthread_join(s->th, NULL);
    s->running = false;
    if (out[0]) strcat(out, "; ");
    strcat(out, s->result);
}

/* Report sessions that a step unblocked, once the rest are waiting again. */
static void collect_unblocked(spec_run *r, char *out)
{
    bool any = false;
    for (size_t i = 0; i < r->n_sessions; i++)
        any |= r->s[i].running;
    if (!any) return;
    sleep_ms(SETTLE_MS);
    for (int i = 0; i < POLL_MS_MAX && locktable_waiting(lt_of(r)) < blocked_count(r); i++)
        sleep_ms(1);
    for (size_t i = 0; i < r->n_sessions; i++) {
        session *s = &r->s[i];
        if (!s->running || !__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) continue;
        pthread_join(s->th, NULL);
        s->running = false;
        snprintf(out + strlen(out), OUT_MAX_BYTES - strlen(out), "\n%s: %s", s->name, s->result);
    }
}

static void run_step(spec_run *r, char *cmds, char *out)
{
    out[0] = 0;
    char *save = NULL;
    for (char *c = strtok_r(cmds, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
        while (*c == ' ')
            c++;
        start_command(r, c, out);
    }
    collect_unblocked(r, out);
}

static void squash_oks(char *out)
{
    size_t first = strcspn(out, "\n");
    for (size_t i = 0; i < first; i += 4)
        if (strncmp(out + i, "ok", 2) != 0 || (i + 2 < first && strncmp(out + i + 2, "; ", 2) != 0))
            return;
    memmove(out + 2, out + first, strlen(out + first) + 1);
}

typedef struct spec_step {
    char cmds[LINE_MAX_BYTES];
    char expected[OUT_MAX_BYTES];
    char actual[OUT_MAX_BYTES];
} spec_step;

/* Parse the file's steps; returns how many. */
static size_t parse_spec(FILE *f, spec_step *steps, size_t max)
{
    char line[LINE_MAX_BYTES];
    size_t n = 0;
    int phase = 0; /* 0: between steps, 1: commands, 2: expected */
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (phase == 0 && (line[0] == 0 || line[0] == '#')) continue;
        if (phase == 0) {
            mice_assert(n < max);
            memset(&steps[n], 0, sizeof steps[n]);
            phase = 1;
        }
        spec_step *s = &steps[n];
        if (phase == 1 && strcmp(line, "----") == 0) {
            phase = 2;
        } else if (phase == 1) {
            if (s->cmds[0]) strcat(s->cmds, "; ");
            strcat(s->cmds, line);
        } else if (line[0] == 0) {
            phase = 0;
            n++;
        } else {
            if (s->expected[0]) strcat(s->expected, "\n");
            strcat(s->expected, line);
        }
    }
    return phase == 2 ? n + 1 : n;
}

static void rewrite_spec(const char *path, const spec_step *steps, size_t n)
{
    FILE *f = fopen(path, "w");
    mice_assert(f != NULL);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s\n----\n%s\n", i ? "\n" : "", steps[i].cmds, steps[i].actual);
    fclose(f);
}

static int run_spec(const char *path)
{
    enum { STEPS_MAX = 64 };
    static spec_step steps[STEPS_MAX];
    FILE *f = fopen(path, "r");
    mice_assert(f != NULL);
    size_t n = parse_spec(f, steps, STEPS_MAX);
    fclose(f);
    spec_run *r = calloc(1, sizeof *r);
    tt_open(&r->env, "iso", NULL);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char cmds[LINE_MAX_BYTES];
        snprintf(cmds, sizeof cmds, "%s", steps[i].cmds);
        run_step(r, cmds, steps[i].actual);
        squash_oks(steps[i].actual);
        if (strcmp(steps[i].actual, steps[i].expected) != 0) {
            fprintf(stderr, "%s: step %zu \"%s\"\n  expected: %s\n  actual:   %s\n", path, i + 1,
                    steps[i].cmds, steps[i].expected, steps[i].actual);
            failures++;
        }
    }
    for (size_t i = 0; i < r->n_sessions; i++) {
        mice_assert(!r->s[i].running); /* a spec must not end with a session blocked */
        txn_destroy(r->s[i].t);
    }
    tt_close(&r->env);
    free(r);
    const char *rw = getenv("MICE_REWRITE");
    if (rw && rw[0] == '1') rewrite_spec(path, steps, n);
    return failures;
}

static void test_isolation_specs(void **state)
{
    (void)state;
    char here[LINE_MAX_BYTES], dir[LINE_MAX_BYTES];
    snprintf(here, sizeof here, "%s", __FILE__);
    snprintf(dir, sizeof dir, "%s/testdata", dirname(here));
    DIR *d = opendir(dir);
    assert_non_null(d);
    int failures = 0, files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 6 || strcmp(de->d_name + len - 5, ".spec") != 0) continue;
        char path[2 * LINE_MAX_BYTES];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        failures += run_spec(path);
        files++;
    }
    closedir(d);
    assert_true(files > 0);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isolation_specs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
