/* Crash safety of synced batches (Foundation deliverable 6).
 *
 * Each round forks a writer child that opens the engine and commits synced batches, each
 * spanning two column families (three MVCC versions in data, one raft entry, plus the
 * meta key "last"), and reports every batch number through a pipe after commit returns.
 * The parent SIGKILLs it after a random delay, then forks a checker child that reopens
 * the database and verifies: every acknowledged batch is wholly present, no batch is
 * partly present, and "last" names the newest complete batch. Rounds accumulate in one
 * directory, so recovery of recovered databases is exercised too.
 *
 * The parent never opens RocksDB itself: forking a process whose RocksDB background
 * threads exist would hand the child locks nobody can release. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/env.h"
#include "base/prng.h"
#include "storage/mvcc.h"
#include "storage/support/storage_test.h"

enum {
    CRASH_ROUNDS = 50,
    CRASH_TIME_BUDGET_S = 30,
    CRASH_ROUND_STRIDE = 100000, /* batch numbers of round r: r * stride + 1 ... */
    CRASH_DATA_KEYS = 3,
    CRASH_KILL_DELAY_MS_MAX = 150,
    CHILD_FAILED = 3,
    CHECK_FAILED = 4,
};

static void batch_key(char *out, size_t n, uint64_t batch, int part)
{
    snprintf(out, n, "b%010llu/%d", (unsigned long long)batch, part);
}

static engine *child_open(const char *dir)
{
    engine_config cfg;
    mvcc_config_init(&cfg, dir);
    engine *e = NULL;
    mice_err err;
    if (engine_open(&cfg, &e, &err)) {
        fprintf(stderr, "crash child: open: %s\n", mice_err_msg(&err));
        _exit(CHILD_FAILED);
    }
    return e;
}

/* split plants a bug for the checker to catch: the batch is committed as two. */
static _Noreturn void writer_child(const char *dir, int ack_fd, uint64_t first, bool split)
{
    engine *e = child_open(dir);
    char k[32], v[32];
    for (uint64_t no = first; no < first + CRASH_ROUND_STRIDE - 1; no++) {
        engine_batch *b = engine_batch_create(e);
        snprintf(v, sizeof v, "%llu", (unsigned long long)no);
        for (int part = 0; part < CRASH_DATA_KEYS; part++) {
            batch_key(k, sizeof k, no, part);
            if (mvcc_put(b, mice_slice_str(k), (hlc_ts){no, 0}, mice_slice_str(v)))
                _exit(CHILD_FAILED);
        }
        if (split) {
            if (engine_batch_commit(b, ENGINE_SYNC, NULL)) _exit(CHILD_FAILED);
            b = engine_batch_create(e);
        }
        batch_key(k, sizeof k, no, 9);
        engine_batch_put(b, STORE_CF_RAFT, mice_slice_str(k), mice_slice_str(v));
        engine_batch_put(b, STORE_CF_META, MICE_SLICE_LIT("last"), mice_slice_str(v));
        if (engine_batch_commit(b, ENGINE_SYNC, NULL)) _exit(CHILD_FAILED);
        if (write(ack_fd, &no, sizeof no) != sizeof no) _exit(CHILD_FAILED);
    }
    engine_close(e);
    _exit(0);
}

/* --- checker (runs in its own child) ------------------------------------------------ */

typedef struct check_state {
    uint8_t *data_parts; /* per batch number: data versions seen */
    uint8_t *raft_seen;
    size_t n;
} check_state;

static uint64_t parse_batch(mice_slice key)
{
    if (key.n < 12 || key.p[0] != 'b') return 0;
    return strtoull((const char *)key.p + 1, NULL, 10);
}

static mice_status on_data(void *ctx, mice_slice key, mice_slice value, const mvcc_meta *meta)
{
    (void)value;
    (void)meta;
    check_state *c = ctx;
    uint64_t no = parse_batch(key);
    if (no == 0 || no >= c->n) return MICE_CORRUPT;
    c->data_parts[no]++;
    return MICE_OK;
}

static int check_db(const char *dir, const uint64_t *acked, size_t n_acked, size_t max_batch)
{
    engine *e = child_open(dir);
    check_state c = {calloc(max_batch, 1), calloc(max_batch, 1), max_batch};
    mvcc_scan_opts o = {.ts = HLC_TS_MAX};
    mice_err err;
    if (mvcc_scan(e, &o, on_data, &c, &err)) {
        fprintf(stderr, "check: scan: %s\n", mice_err_msg(&err));
        return CHECK_FAILED;
    }
    engine_iter *it;
    engine_iter_opts io = {.cf = STORE_CF_RAFT};
    if (engine_iter_create(e, &io, &it, NULL)) return CHECK_FAILED;
    for (engine_iter_first(it); engine_iter_valid(it); engine_iter_next(it)) {
        uint64_t no = parse_batch(engine_iter_key(it));
        if (no == 0 || no >= max_batch) return CHECK_FAILED;
        c.raft_seen[no]++;
    }
    engine_iter_destroy(it);
    uint64_t newest = 0;
    for (size_t no = 1; no < max_batch; no++) {
        if (!c.data_parts[no] && !c.raft_seen[no]) continue;
        if (c.data_parts[no] != CRASH_DATA_KEYS || c.raft_seen[no] != 1) {
            fprintf(stderr, "check: batch %zu half visible: %d data, %d raft\n", no,
                    c.data_parts[no], c.raft_seen[no]);
            return CHECK_FAILED;
        }
        newest = no;
    }
    for (size_t i = 0; i < n_acked; i++) {
        if (c.data_parts[acked[i]] != CRASH_DATA_KEYS) {
            fprintf(stderr, "check: acknowledged batch %llu lost\n", (unsigned long long)acked[i]);
            return CHECK_FAILED;
        }
    }
    mice_buf last;
    buf_init(&last);
    bool found = false;
    if (engine_get(e, STORE_CF_META, NULL, MICE_SLICE_LIT("last"), &last, &found, NULL))
        return CHECK_FAILED;
    buf_append_u8(&last, 0);
    if (newest && (!found || strtoull((const char *)last.p, NULL, 10) != newest)) {
        fprintf(stderr, "check: last=%s but newest complete batch is %llu\n",
                found ? (const char *)last.p : "(none)", (unsigned long long)newest);
        return CHECK_FAILED;
    }
    buf_deinit(&last);
    free(c.data_parts);
    free(c.raft_seen);
    engine_close(e);
    return 0;
}

/* --- parent ------------------------------------------------------------------------- */

static int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    return status;
}

/* One round: run and kill a writer, collecting its acknowledgments into acked. */
static size_t run_writer_round(const char *dir, int round, mice_prng *rng, uint64_t *acked,
                               size_t n_acked, bool split)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        writer_child(dir, fds[1], (uint64_t)round * CRASH_ROUND_STRIDE + 1, split);
    }
    close(fds[1]);
    /* The kill delay starts once the writer acknowledged its first batch: on a loaded
     * machine (sanitizers, parallel tests) opening the store can take longer than the
     * whole delay, and a round that writes nothing tests nothing. */
    uint64_t no;
    if (read(fds[0], &no, sizeof no) == sizeof no) acked[n_acked++] = no;
    uint64_t delay_ms = 1 + prng_below(rng, CRASH_KILL_DELAY_MS_MAX);
    env_sleep_ns(mice_env_real(), delay_ms * MICE_NS_PER_MS);
    kill(pid, SIGKILL);
    int status = wait_child(pid);
    assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
    while (read(fds[0], &no, sizeof no) == sizeof no)
        acked[n_acked++] = no;
    close(fds[0]);
    return n_acked;
}

static void test_crash_rounds(void **state)
{
    (void)state;
    char *dir = st_tmpdir("crash");
    uint64_t seed = env_entropy(mice_env_real());
    const char *fixed = getenv("MICE_TEST_SEED");
    if (fixed) seed = strtoull(fixed, NULL, 10);
    print_message("crash test seed=%llu (reproduce with MICE_TEST_SEED)\n",
                  (unsigned long long)seed);
    mice_prng rng;
    prng_seed(&rng, seed);
    size_t cap = 1u << 20, n_acked = 0;
    uint64_t *acked = calloc(cap, sizeof *acked);
    const mice_env *env = mice_env_real();
    uint64_t start = env_mono_ns(env);
    int rounds = 0;
    for (int round = 1; round <= CRASH_ROUNDS; round++) {
        if (env_mono_ns(env) - start > (uint64_t)CRASH_TIME_BUDGET_S * MICE_NS_PER_S) break;
        size_t before = n_acked;
        n_acked = run_writer_round(dir, round, &rng, acked, n_acked, false);
        assert_true(n_acked < cap);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(check_db(dir, acked, n_acked, (size_t)(round + 1) * CRASH_ROUND_STRIDE));
        int status = wait_child(pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            print_error("round %d failed (seed=%llu, %zu acks this round)\n", round,
                        (unsigned long long)seed, n_acked - before);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        rounds++;
    }
    print_message("crash test: %d rounds, %zu acknowledged batches, all intact\n", rounds, n_acked);
    assert_true(rounds >= 10);
    assert_true(n_acked > 0);
    free(acked);
    st_rmtree_free(dir);
}

/* The checker is only worth something if it can fail: with each batch committed as two,
 * a kill between the halves must be reported as a half-visible batch. */
static void test_checker_catches_split_batches(void **state)
{
    (void)state;
    char *dir = st_tmpdir("crashplant");
    mice_prng rng;
    prng_seed(&rng, 42);
    size_t cap = 1u << 20, n_acked = 0;
    uint64_t *acked = calloc(cap, sizeof *acked);
    bool caught = false;
    print_message("planted bug: the checker's complaint below is expected\n");
    for (int round = 1; round <= CRASH_ROUNDS && !caught; round++) {
        n_acked = run_writer_round(dir, round, &rng, acked, n_acked, true);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(check_db(dir, acked, n_acked, (size_t)(round + 1) * CRASH_ROUND_STRIDE));
        int status = wait_child(pid);
        caught = WIFEXITED(status) && WEXITSTATUS(status) == CHECK_FAILED;
    }
    assert_true(caught);
    free(acked);
    st_rmtree_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_rounds),
        cmocka_unit_test(test_checker_catches_split_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
