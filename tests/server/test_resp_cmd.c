/* Unit tests for server/resp_cmd over a real engine and txn_db: replies byte for byte,
 * Redis's error texts, TTL under a controllable wall clock (exact expiry on every read path,
 * the purge step), authentication without a catalog, SCAN cursors, KRANGE/KCOUNT, the glob
 * matcher, and INCR's atomicity under concurrent clients. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/tmpdir.h"
#include "kv/keys.h"
#include "server/resp_cmd.h"
#include "server/resp_cmd_int.h"
#include "storage/mvcc.h"

/* The real clocks, with the wall clock pushed forward by a test-controlled offset. */
static atomic_uint_least64_t wall_offset_ns;

static uint64_t fake_mono(void *ctx)
{
    (void)ctx;
    return env_mono_ns(mice_env_real());
}

static uint64_t fake_wall(void *ctx)
{
    (void)ctx;
    return env_wall_ns(mice_env_real()) + atomic_load(&wall_offset_ns);
}

static uint64_t fake_entropy(void *ctx)
{
    (void)ctx;
    return env_entropy(mice_env_real());
}

static void fake_sleep(void *ctx, uint64_t ns)
{
    (void)ctx;
    env_sleep_ns(mice_env_real(), ns);
}

static const mice_env fake_env = {fake_mono, fake_wall, fake_entropy, fake_sleep, NULL};

static void advance_s(uint64_t s)
{
    atomic_fetch_add(&wall_offset_ns, s * MICE_NS_PER_S);
}

typedef struct fixture {
    char dir[512];
    engine *e;
    txn_db *db;
    resp_db *r;
    resp_client c;
    mice_buf out;
} fixture;

static int setup(void **state)
{
    fixture *f = mice_calloc(1, sizeof *f);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), "resp-cmd", f->dir, sizeof f->dir,
                                   NULL) == MICE_OK);
    engine_config ec;
    mvcc_config_init(&ec, f->dir);
    mice_err err;
    mice_assert(engine_open(&ec, &f->e, &err) == MICE_OK);
    txn_db_config tc;
    txn_db_config_init(&tc);
    mice_assert(txn_db_create(f->e, &fake_env, &tc, &f->db, &err) == MICE_OK);
    resp_db_config rc = {.db = f->db, .env = &fake_env, .version = "test"};
    mice_assert(resp_db_create(&rc, &f->r, &err) == MICE_OK);
    resp_client_init(&f->c, f->r, true);
    buf_init(&f->out);
    *state = f;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    buf_deinit(&f->out);
    resp_client_deinit(&f->c);
    resp_db_destroy(f->r);
    txn_db_destroy(f->db);
    engine_close(f->e);
    nftw(f->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* Run a command given as space-separated words ("" words are not expressible: use run_argv)
 * and return its reply as a NUL-terminated string owned by the fixture. */
static const char *run_on(fixture *f, resp_client *c, const char *line)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", line);
    mice_slice argv[64];
    size_t argc = 0;
    for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        argv[argc++] = mice_slice_str(w);
    buf_reset(&f->out);
    resp_exec(f->r, c, argv, argc, &f->out);
    buf_append_u8(&f->out, 0);
    return (const char *)f->out.p;
}

static const char *run(fixture *f, const char *line)
{
    return run_on(f, &f->c, line);
}

static void test_strings(void **state)
{
    fixture *f = *state;
    assert_string_equal(run(f, "PING"), "+PONG\r\n");
    assert_string_equal(run(f, "SET k v"), "+OK\r\n");
    assert_string_equal(run(f, "GET k"), "$1\r\nv\r\n");
    assert_string_equal(run(f, "GET nope"), "$-1\r\n");
    assert_string_equal(run(f, "SET k w GET"), "$1\r\nv\r\n");
    assert_string_equal(run(f, "SET k x NX"), "$-1\r\n");
    assert_string_equal(run(f, "SET q x XX"), "$-1\r\n");
    assert_string_equal(run(f, "SETNX q 1"), ":1\r\n");
    assert_string_equal(run(f, "INCRBY q 41"), ":42\r\n");
    assert_string_equal(run(f, "INCR k"), "-ERR value is not an integer or out of range\r\n");
    assert_string_equal(run(f, "APPEND k yz"), ":3\r\n");
    assert_string_equal(run(f, "GETRANGE k -2 -1"), "$2\r\nyz\r\n");
    assert_string_equal(run(f, "MSET a 1 b 2"), "+OK\r\n");
    assert_string_equal(run(f, "MGET a b c"), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
    assert_string_equal(run(f, "MSETNX c 3 a 9"), ":0\r\n");
    assert_string_equal(run(f, "EXISTS a b c a"), ":3\r\n");
    assert_string_equal(run(f, "DEL a b c a"), ":2\r\n");
    assert_string_equal(run(f, "GETDEL q"), "$2\r\n42\r\n");
    assert_string_equal(run(f, "TYPE k"), "+string\r\n");
    assert_string_equal(run(f, "DBSIZE"), ":1\r\n");
    f->c.proto = 3;
    assert_string_equal(run(f, "GET nope"), "_\r\n");
    assert_string_equal(run(f, "MGET nope"), "*1\r\n_\r\n");
}

static void test_errors(void **state)
{
    fixture *f = *state;
    assert_string_equal(run(f, "get"), "-ERR wrong number of arguments for 'get' command\r\n");
    assert_string_equal(run(f, "FOO a b"),
                        "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
    /* Redis shows at most ~128 bytes of the arguments */
    char line[600];
    snprintf(line, sizeof line, "nope %0100d %0100d %0100d", 1, 2, 3);
    const char *e = run(f, line);
    assert_true(strncmp(e, "-ERR unknown command 'nope', with args beginning with: '000", 59) == 0);
    assert_int_equal(strlen(e), strlen("-ERR unknown command 'nope', with args beginning with: ") +
                                    (1 + 100 + 2) + (1 + 25 + 2) + 2);
    assert_string_equal(run(f, "SET k v EX 0"), "-ERR invalid expire time in 'set' command\r\n");
    assert_string_equal(run(f, "SETEX k -1 v"), "-ERR invalid expire time in 'setex' command\r\n");
    assert_string_equal(run(f, "SET k v NX XX"), "-ERR syntax error\r\n");
    assert_string_equal(run(f, "MSET a"), "-ERR wrong number of arguments for 'mset' command\r\n");
    assert_string_equal(run(f, "CLIENT SETNAME"),
                        "-ERR wrong number of arguments for 'client|setname' command\r\n");
    assert_string_equal(run(f, "CLIENT BOO"),
                        "-ERR unknown subcommand 'BOO'. Try CLIENT HELP.\r\n");
    assert_string_equal(run(f, "HELLO 4"), "-NOPROTO unsupported protocol version\r\n");
    assert_string_equal(run(f, "SET n 9223372036854775807"), "+OK\r\n");
    assert_string_equal(run(f, "INCR n"), "-ERR increment or decrement would overflow\r\n");
    assert_string_equal(run(f, "SCAN 12345"), "-ERR invalid cursor\r\n");
    assert_string_equal(run(f, "KRANGE a b LIMIT x"),
                        "-ERR value is not an integer or out of range\r\n");
    resp_stats st = resp_db_get_stats(f->r);
    assert_int_equal(st.errors, 13); /* every '-' reply above */
}

static void test_ttl_with_clock(void **state)
{
    fixture *f = *state;
    assert_string_equal(run(f, "SET t v EX 10"), "+OK\r\n");
    assert_string_equal(run(f, "SET keep v"), "+OK\r\n");
    assert_string_equal(run(f, "TTL t"), ":10\r\n");
    assert_string_equal(run(f, "TTL keep"), ":-1\r\n");
    assert_string_equal(run(f, "TTL none"), ":-2\r\n");
    advance_s(4);
    assert_string_equal(run(f, "TTL t"), ":6\r\n");
    assert_string_equal(run(f, "INCR t"), "-ERR value is not an integer or out of range\r\n");
    assert_string_equal(run(f, "APPEND t w"), ":2\r\n"); /* keeps the TTL */
    assert_string_equal(run(f, "TTL t"), ":6\r\n");
    assert_string_equal(run(f, "SET t x KEEPTTL"), "+OK\r\n");
    assert_string_equal(run(f, "TTL t"), ":6\r\n");
    assert_string_equal(run(f, "KCOUNT \"\" \"\""), ":0\r\n"); /* quotes are literal here */
    advance_s(7);
    /* expired: invisible to every read path */
    assert_string_equal(run(f, "GET t"), "$-1\r\n");
    assert_string_equal(run(f, "EXISTS t"), ":0\r\n");
    assert_string_equal(run(f, "TTL t"), ":-2\r\n");
    assert_string_equal(run(f, "DBSIZE"), ":1\r\n");
    assert_string_equal(run(f, "KEYS *"), "*1\r\n$4\r\nkeep\r\n");
    assert_string_equal(run(f, "KRANGE a z"), "*2\r\n$4\r\nkeep\r\n$1\r\nv\r\n");
    assert_string_equal(run(f, "SCAN 0"), "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nkeep\r\n");
    assert_string_equal(run(f, "SETNX t again"), ":1\r\n"); /* NX sees it absent */
    assert_string_equal(run(f, "TTL t"), ":-1\r\n");
    /* EXPIRE in the past deletes; PERSIST; GETEX */
    assert_string_equal(run(f, "EXPIRE keep 100"), ":1\r\n");
    assert_string_equal(run(f, "PERSIST keep"), ":1\r\n");
    assert_string_equal(run(f, "PERSIST keep"), ":0\r\n");
    assert_string_equal(run(f, "GETEX keep PX 1500"), "$1\r\nv\r\n");
    const char *pttl = run(f, "PTTL keep");
    assert_true(pttl[0] == ':' && atoi(pttl + 1) > 1000 && atoi(pttl + 1) <= 1500);
    assert_string_equal(run(f, "EXPIRE keep -1"), ":1\r\n");
    assert_string_equal(run(f, "GET keep"), "$-1\r\n");
    /* the purge step tombstones expired keys */
    assert_string_equal(run(f, "SET p1 v PX 1000"), "+OK\r\n");
    assert_string_equal(run(f, "SET p2 v PX 1000"), "+OK\r\n");
    advance_s(2);
    mice_buf resume, start, end;
    buf_init(&resume);
    buf_init(&start);
    buf_init(&end);
    keys_kv_span(&start, &end);
    bool more = true;
    size_t n = 0;
    mice_err err;
    assert_int_equal(txn_db_purge_expired(f->db, buf_slice(&start), buf_slice(&end), 100, &resume,
                                          &more, &n, &err),
                     MICE_OK);
    assert_int_equal(n, 2);
    assert_false(more);
    buf_deinit(&resume);
    buf_deinit(&start);
    buf_deinit(&end);
}

static void test_auth_without_catalog(void **state)
{
    fixture *f = *state;
    resp_client remote;
    resp_client_init(&remote, f->r, false);
    assert_string_equal(run_on(f, &remote, "GET k"), "-NOAUTH Authentication required.\r\n");
    assert_string_equal(run_on(f, &remote, "NOPE"),
                        "-ERR unknown command 'NOPE', with args beginning with: \r\n");
    assert_string_equal(run_on(f, &remote, "AUTH root pw"),
                        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    assert_true(strncmp(run_on(f, &remote, "HELLO 3"), "-NOAUTH HELLO must be called", 28) == 0);
    assert_string_equal(run_on(f, &remote, "QUIT"), "+OK\r\n");
    resp_client_deinit(&remote);
    /* loopback: root, trusted */
    assert_string_equal(run(f, "AUTH pw"),
                        "-ERR AUTH <password> called without any password configured for the "
                        "default user. Are you sure your configuration is correct?\r\n");
    assert_string_equal(run(f, "FLUSHDB"), "+OK\r\n");
}

static void test_scan_and_ranges(void **state)
{
    fixture *f = *state;
    char line[64];
    for (int i = 0; i < 50; i++) {
        snprintf(line, sizeof line, "SET key:%02d %d", i, i);
        assert_string_equal(run(f, line), "+OK\r\n");
    }
    int seen[50] = {0};
    char cursor[32] = "0";
    int calls = 0;
    do {
        snprintf(line, sizeof line, "SCAN %s MATCH key:* COUNT 7", cursor);
        const char *r = run(f, line);
        calls++;
        assert_true(strncmp(r, "*2\r\n$", 5) == 0);
        const char *p = strchr(r + 5, '\n') + 1;
        size_t len = strcspn(p, "\r");
        snprintf(cursor, sizeof cursor, "%.*s", (int)len, p);
        for (const char *k = strstr(p, "key:"); k; k = strstr(k + 1, "key:"))
            seen[atoi(k + 4)]++;
    } while (strcmp(cursor, "0") != 0 && calls < 20);
    assert_int_equal(calls, 8); /* 50 keys, 7 per call */
    for (int i = 0; i < 50; i++)
        assert_int_equal(seen[i], 1);
    assert_string_equal(run(f, "KCOUNT key:10 key:20"), ":10\r\n");
    assert_string_equal(run(f, "KRANGE key:10 key:20 LIMIT 2 REV"),
                        "*4\r\n$6\r\nkey:19\r\n$2\r\n19\r\n$6\r\nkey:18\r\n$2\r\n18\r\n");
    assert_string_equal(run(f, "KRANGE key:48 ~"),
                        "*4\r\n$6\r\nkey:48\r\n$2\r\n48\r\n$6\r\nkey:49\r\n$2\r\n49\r\n");
    assert_string_equal(run(f, "KEYS key:4?"), "*10\r\n$6\r\nkey:40\r\n$6\r\nkey:41\r\n"
                                               "$6\r\nkey:42\r\n$6\r\nkey:43\r\n$6\r\nkey:44\r\n"
                                               "$6\r\nkey:45\r\n$6\r\nkey:46\r\n$6\r\nkey:47\r\n"
                                               "$6\r\nkey:48\r\n$6\r\nkey:49\r\n");
    assert_string_equal(run(f, "FLUSHDB"), "+OK\r\n");
    assert_string_equal(run(f, "DBSIZE"), ":0\r\n");
}

static void test_glob(void **state)
{
    (void)state;
    struct {
        const char *pattern, *s;
        bool match;
    } cases[] = {
        {"*", "", true},         {"*", "abc", true},         {"a*c", "abbbc", true},
        {"a*c", "abcd", false},  {"?b", "ab", true},         {"?b", "b", false},
        {"[abc]x", "bx", true},  {"[^abc]x", "bx", false},   {"[a-c]", "b", true},
        {"[c-a]", "b", true},    {"h\\*o", "h*o", true},     {"h\\*o", "hello", false},
        {"*ll*", "hello", true}, {"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false},
        {"[\\]]", "]", true},    {"user:*", "user:1", true}, {"user:*", "use", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(
            resp__glob_match(mice_slice_str(cases[i].pattern), mice_slice_str(cases[i].s)),
            cases[i].match);
}

typedef struct incr_thread {
    fixture *f;
    int n;
    int failures;
} incr_thread;

static void *incr_main(void *p)
{
    incr_thread *a = p;
    resp_client c;
    resp_client_init(&c, a->f->r, true);
    mice_buf out;
    buf_init(&out);
    mice_slice argv[] = {MICE_SLICE_LIT("INCR"), MICE_SLICE_LIT("ctr")};
    for (int i = 0; i < a->n; i++) {
        buf_reset(&out);
        resp_exec(a->f->r, &c, argv, 2, &out);
        if (out.n == 0 || out.p[0] != ':') a->failures++;
    }
    buf_deinit(&out);
    resp_client_deinit(&c);
    return NULL;
}

static void test_concurrent_incr(void **state)
{
    fixture *f = *state;
    enum { THREADS = 8, PER = 150 };
    pthread_t th[THREADS];
    incr_thread args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (incr_thread){.f = f, .n = PER};
        pthread_create(&th[i], NULL, incr_main, &args[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    assert_string_equal(run(f, "GET ctr"), "$4\r\n1200\r\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_with_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_without_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_and_ranges, setup, teardown),
        cmocka_unit_test(test_glob),
        cmocka_unit_test_setup_teardown(test_concurrent_incr, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
