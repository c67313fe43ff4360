/* Durability of commits and recovery from abandoned transactions across kill -9.
 *
 * Each round forks a writer child that commits transactions (each writes acct/a and
 * acct/b to the same value plus a per-transaction log key) and reports each one through
 * a pipe once txn_commit returned, while a second thread keeps a transaction with
 * intents open. The parent SIGKILLs the child after a random delay, then forks a checker
 * child that reopens the database and verifies: every acknowledged commit is present;
 * acct/a == acct/b (no commit is half visible); no uncommitted write is visible; and a
 * new transaction can write the keys the dead process left locked (its intents are
 * rolled back once their record's heartbeat is older than the TTL).
 *
 * The parent never opens RocksDB itself (forking with RocksDB threads alive is unsafe). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/env.h"
#include "base/prng.h"
#include "txn/support/txn_test.h"

enum {
    CRASH_ROUNDS = 12,
    CRASH_STRIDE = 1000000,
    CRASH_KILL_DELAY_MS_MAX = 200,
    CRASH_TTL_MS = 100,
    CHILD_FAILED = 3,
};

static void child_open(tt_env *env, const char *dir)
{
    memset(env, 0, sizeof *env);
    txn_db_config_init(&env->cfg);
    env->cfg.txn_ttl_ms = CRASH_TTL_MS;
    env->dir = strdup(dir);
    tt_reopen(env);
}

static void *open_txn_main(void *p)
{
    txn_db *db = p;
    for (;;) { /* keep intents of an uncommitted transaction on disk */
        txn *t = txn_begin(db, TXN_READ_COMMITTED);
        if (tt_put(t, "pending/x", "uncommitted") || tt_put(t, "acct/c", "uncommitted"))
            _exit(CHILD_FAILED);
        env_sleep_ns(mice_env_real(), 5 * MICE_NS_PER_MS);
        txn_destroy(t);
    }
    return NULL;
}

static _Noreturn void writer_child(const char *dir, int ack_fd, uint64_t first)
{
    tt_env env;
    child_open(&env, dir);
    pthread_t th;
    pthread_create(&th, NULL, open_txn_main, env.db);
    for (uint64_t no = first;; no++) {
        char v[32], logk[32];
        snprintf(v, sizeof v, "%llu", (unsigned long long)no);
        snprintf(logk, sizeof logk, "log/%012llu", (unsigned long long)no);
        txn *t = txn_begin(env.db, TXN_REPEATABLE_READ);
        mice_err err;
        mice_status rc = tt_put(t, "acct/a", v);
        if (!rc) rc = tt_put(t, logk, v);
        if (!rc) rc = tt_put(t, "acct/b", v);
        if (!rc) rc = txn_commit(t, &err);
        txn_destroy(t);
        if (rc) _exit(CHILD_FAILED);
        if (write(ack_fd, &no, sizeof no) != sizeof no) _exit(CHILD_FAILED);
    }
}

static int check_child(const char *dir, const uint64_t *acked, size_t n_acked, uint64_t round)
{
    tt_env env;
    child_open(&env, dir);
    char a[32], b[32], v[32], logk[32];
    tt_db_get(env.db, "acct/a", a, sizeof a);
    tt_db_get(env.db, "acct/b", b, sizeof b);
    if (strcmp(a, b) != 0) return fprintf(stderr, "torn commit: a=%s b=%s\n", a, b), 4;
    tt_db_get(env.db, "pending/x", v, sizeof v); /* absent, or the last checker's value */
    if (strcmp(v, "uncommitted") == 0) return fprintf(stderr, "uncommitted visible\n"), 5;
    for (size_t i = 0; i < n_acked; i++) {
        snprintf(logk, sizeof logk, "log/%012llu", (unsigned long long)acked[i]);
        if (!tt_db_get(env.db, logk, v, sizeof v) || strtoull(a, NULL, 10) < acked[i])
            return fprintf(stderr, "acknowledged commit %llu lost\n", (unsigned long long)acked[i]),
                   6;
    }
    /* The dead process's locks (acct/a, acct/b of a transaction in flight, and the
     * intents of its never-committed one) give way after the TTL. Orphans on keys nobody
     * writes stay until met: readers skip them, as the checks above show. */
    txn *t = txn_begin(env.db, TXN_READ_COMMITTED);
    snprintf(v, sizeof v, "%llu", (unsigned long long)round);
    mice_err err;
    if (tt_put(t, "acct/a", a) || tt_put(t, "acct/b", b) || tt_put(t, "acct/c", v) ||
        tt_put(t, "pending/x", v) || txn_commit(t, &err))
        return 7;
    txn_destroy(t);
    tt_close_keep(&env);
    free(env.dir);
    return 0;
}

static int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    return status;
}

static size_t run_round(const char *dir, uint64_t round, mice_prng *rng, uint64_t *acked,
                        size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        writer_child(dir, fds[1], round * CRASH_STRIDE + 1);
    }
    close(fds[1]);
    size_t n = 0;
    uint64_t no;
    /* Kill at a random moment after the first acknowledgment (however slow the build). */
    if (read(fds[0], &no, sizeof no) == sizeof no) acked[n++] = no;
    env_sleep_ns(mice_env_real(), prng_below(rng, CRASH_KILL_DELAY_MS_MAX) * MICE_NS_PER_MS);
    kill(pid, SIGKILL);
    int status = wait_child(pid);
    assert_true(WIFSIGNALED(status));
    while (n < cap && read(fds[0], &no, sizeof no) == sizeof no)
        acked[n++] = no;
    close(fds[0]);
    return n;
}

static void test_kill9_rounds(void **state)
{
    (void)state;
    char *dir = tt_tmpdir("crash");
    uint64_t seed = env_entropy(mice_env_real());
    fprintf(stderr, "crash test seed %llu\n", (unsigned long long)seed);
    mice_prng rng;
    prng_seed(&rng, seed);
    enum { ACKED_MAX = 1 << 20 };
    uint64_t *acked = malloc(ACKED_MAX * sizeof *acked);
    size_t total = 0;
    for (uint64_t round = 1; round <= CRASH_ROUNDS; round++) {
        size_t n = run_round(dir, round, &rng, acked, ACKED_MAX);
        total += n;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) _exit(check_child(dir, acked, n, round));
        int status = wait_child(pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status))
            fprintf(stderr, "round %llu failed (seed %llu)\n", (unsigned long long)round,
                    (unsigned long long)seed);
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    fprintf(stderr, "crash test: %zu acknowledged commits checked\n", total);
    assert_true(total > 0);
    free(acked);
    tt_rmtree_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
