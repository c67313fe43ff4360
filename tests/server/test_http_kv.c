/* Unit tests for server/http_kv's compare-and-set batch (http_kv_txn) on a real txn_db,
 * and for http_auth's Basic credentials parser: what runs, what each op answers, what a
 * malformed batch refuses, and that a batch is atomic against concurrent batches. */
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "base/check.h"
#include "base/tmpdir.h"
#include "kv/keys.h"
#include "server/http_auth.h"
#include "server/http_kv.h"
#include "storage/mvcc.h"

typedef struct fixture {
    char dir[512];
    engine *e;
    txn_db *db;
    http_kv *kv;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), "httpkv", f->dir, sizeof f->dir,
                                   NULL) == MICE_OK);
    engine_config ec;
    mvcc_config_init(&ec, f->dir);
    mice_err err;
    if (engine_open(&ec, &f->e, &err)) fail_msg("engine_open: %s", mice_err_msg(&err));
    txn_db_config tc;
    txn_db_config_init(&tc);
    if (txn_db_create(f->e, mice_env_real(), &tc, &f->db, &err)) fail_msg("%s", mice_err_msg(&err));
    http_kv_config kc = {.db = f->db};
    f->kv = http_kv_create(&kc);
    *state = f;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    http_kv_destroy(f->kv);
    txn_db_destroy(f->db);
    engine_close(f->e);
    nftw(f->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* Run a batch given as JSON text; the answer's compact text into out (or the error). */
static mice_status run(fixture *f, const char *batch, char *out, size_t cap)
{
    json_error_t jerr;
    json_t *doc = json_loads(batch, 0, &jerr);
    assert_non_null(doc);
    json_t *answer = NULL;
    mice_err err;
    mice_err_clear(&err);
    mice_status rc = http_kv_txn(f->kv, doc, &answer, &err);
    json_decref(doc);
    if (rc) {
        snprintf(out, cap, "%s", mice_err_msg(&err));
        return rc;
    }
    char *text = json_dumps(answer, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(out, cap, "%s", text);
    free(text);
    json_decref(answer);
    return MICE_OK;
}

static bool get(fixture *f, const char *user_key, char *value, size_t cap, uint64_t *expiry)
{
    mice_buf key, v;
    buf_init(&key);
    buf_init(&v);
    keys_kv(&key, mice_slice_str(user_key));
    bool found = false;
    uint64_t exp = 0;
    mice_err err;
    assert_int_equal(txn_db_get_with_expiry(f->db, buf_slice(&key), &v, &found, &exp, &err),
                     MICE_OK);
    snprintf(value, cap, "%.*s", (int)v.n, (const char *)v.p);
    if (expiry) *expiry = exp;
    buf_deinit(&key);
    buf_deinit(&v);
    return found;
}

static void test_success_and_failure_branches(void **state)
{
    fixture *f = *state;
    char out[2048], v[64];
    assert_int_equal(
        run(f, "{\"success\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"1\"}]}", out, sizeof out),
        MICE_OK);
    assert_string_equal(out, "{\"results\":[{\"op\":\"put\"}],\"succeeded\":true}");
    const char *cas =
        "{\"compare\":[{\"key\":\"a\",\"value\":\"1\"},{\"key\":\"b\",\"exists\":false}],"
        "\"success\":[{\"op\":\"put\",\"key\":\"a\",\"value\":\"2\"},"
        "{\"op\":\"put\",\"key\":\"b\",\"value\":\"x\",\"ttl\":100}],"
        "\"failure\":[{\"op\":\"get\",\"key\":\"a\"}]}";
    uint64_t now = env_wall_ns(mice_env_real()), exp = 0;
    assert_int_equal(run(f, cas, out, sizeof out), MICE_OK);
    assert_string_equal(out,
                        "{\"results\":[{\"op\":\"put\"},{\"op\":\"put\"}],\"succeeded\":true}");
    assert_true(get(f, "a", v, sizeof v, NULL));
    assert_string_equal(v, "2");
    assert_true(get(f, "b", v, sizeof v, &exp));
    assert_true(exp >= now + 99ull * MICE_NS_PER_S && exp <= now + 101ull * MICE_NS_PER_S);
    /* the same batch again: a is 2 now, so the failure branch runs and nothing changes */
    assert_int_equal(run(f, cas, out, sizeof out), MICE_OK);
    assert_string_equal(out, "{\"results\":[{\"expires_at\":null,\"found\":true,\"key\":\"a\","
                             "\"op\":\"get\",\"value\":\"2\"}],\"succeeded\":false}");
    /* deletes say whether there was something; binary values come back as base64 */
    assert_int_equal(run(f,
                         "{\"compare\":[{\"key\":\"b\",\"exists\":true}],\"success\":["
                         "{\"op\":\"delete\",\"key\":\"b\"},{\"op\":\"delete\",\"key\":\"zz\"},"
                         "{\"op\":\"put\",\"key\":\"c\",\"value_b64\":\"AP8=\"},"
                         "{\"op\":\"get\",\"key\":\"c\"}]}",
                         out, sizeof out),
                     MICE_OK);
    assert_string_equal(out,
                        "{\"results\":[{\"deleted\":true,\"op\":\"delete\"},{\"deleted\":false,"
                        "\"op\":\"delete\"},{\"op\":\"put\"},{\"expires_at\":null,\"found\":"
                        "true,\"key\":\"c\",\"op\":\"get\",\"value_b64\":\"AP8=\"}],"
                        "\"succeeded\":true}");
    assert_false(get(f, "b", v, sizeof v, NULL));
}

static void test_malformed_batches_run_nothing(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "[]",
        "{\"compare\":{}}",
        "{\"unknown\":[]}",
        "{\"compare\":[{\"key\":\"k\"}]}",
        "{\"compare\":[{\"value\":\"v\"}]}",
        "{\"compare\":[{\"key\":\"\",\"exists\":true}]}",
        "{\"compare\":[{\"key\":\"k\",\"exists\":1}]}",
        "{\"compare\":[{\"key\":\"k\",\"key_b64\":\"aw==\",\"exists\":true}]}",
        ("{\"success\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\"},"
         "{\"op\":\"nope\",\"key\":\"k\"}]}"),
        "{\"success\":[{\"op\":\"put\",\"key\":\"k\"}]}",
        "{\"success\":[{\"op\":\"delete\",\"key\":\"k\",\"value\":\"v\"}]}",
        "{\"success\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\",\"ttl\":0}]}",
        "{\"success\":[{\"op\":\"put\",\"key\":\"k\",\"value\":\"v\",\"ttl\":\"5\"}]}",
        "{\"success\":[{\"op\":\"get\",\"key\":\"k\",\"ttl\":5}]}",
        "{\"success\":[{\"op\":\"put\",\"key_b64\":\"***\",\"value\":\"v\"}]}",
        "{\"failure\":[7]}",
    };
    char out[512], v[16];
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mice_status rc = run(f, bad[i], out, sizeof out);
        if (rc != MICE_INVALID) fail_msg("batch %zu: %s -> %d", i, bad[i], (int)rc);
        assert_true(out[0] != '\0');
    }
    assert_false(get(f, "k", v, sizeof v, NULL)); /* batch 8's valid first put never ran */
}

typedef struct incr_arg {
    fixture *f;
    int done;
} incr_arg;

/* Read the counter, then compare-and-set it to +1, until 50 increments succeeded. */
static void *incrementer(void *p)
{
    incr_arg *a = p;
    char v[32], batch[256], out[512];
    while (a->done < 50) {
        if (!get(a->f, "ctr", v, sizeof v, NULL)) strcpy(v, "0");
        snprintf(batch, sizeof batch,
                 "{\"compare\":[{\"key\":\"ctr\",\"value\":\"%s\"}],\"success\":[{\"op\":\"put\","
                 "\"key\":\"ctr\",\"value\":\"%d\"}]}",
                 v, atoi(v) + 1);
        mice_status rc = run(a->f, batch, out, sizeof out);
        if (rc == MICE_CONFLICT) continue;
        assert_int_equal(rc, MICE_OK);
        if (strstr(out, "\"succeeded\":true")) a->done++;
    }
    return NULL;
}

static void test_concurrent_batches_lose_no_update(void **state)
{
    fixture *f = *state;
    char v[64];
    assert_int_equal(
        run(f, "{\"success\":[{\"op\":\"put\",\"key\":\"ctr\",\"value\":\"0\"}]}", v, sizeof v),
        MICE_OK);
    enum { THREADS = 4 };
    pthread_t th[THREADS];
    incr_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (incr_arg){.f = f};
        pthread_create(&th[i], NULL, incrementer, &args[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    assert_true(get(f, "ctr", v, sizeof v, NULL));
    assert_int_equal(atoi(v), THREADS * 50);
}

static void test_basic_credentials(void **state)
{
    (void)state;
    char user[HTTP_AUTH_USER_MAX], pass[64];
    /* "alice:wonder land" */
    assert_true(http_auth_parse_basic("Basic YWxpY2U6d29uZGVyIGxhbmQ=", user, sizeof user, pass,
                                      sizeof pass));
    assert_string_equal(user, "alice");
    assert_string_equal(pass, "wonder land");
    assert_true(http_auth_parse_basic("basic   Ym9iOg==  ", user, sizeof user, pass, sizeof pass));
    assert_string_equal(user, "bob"); /* "bob:" */
    assert_string_equal(pass, "");
    assert_true(http_auth_parse_basic("Basic dTpwOnE=", user, sizeof user, pass, sizeof pass));
    assert_string_equal(pass, "p:q"); /* the first colon splits */
    assert_false(http_auth_parse_basic(NULL, user, sizeof user, pass, sizeof pass));
    assert_false(http_auth_parse_basic("Bearer abc", user, sizeof user, pass, sizeof pass));
    assert_false(http_auth_parse_basic("Basic !!!!", user, sizeof user, pass, sizeof pass));
    assert_false(
        http_auth_parse_basic("Basic Ym9i", user, sizeof user, pass, sizeof pass)); /* no : */
    assert_false(
        http_auth_parse_basic("Basic OnB3", user, sizeof user, pass, sizeof pass)); /* ":pw" */
    assert_false(
        http_auth_parse_basic("Basic YQBiOmM=", user, sizeof user, pass, sizeof pass)); /* NUL */
    assert_false(http_auth_parse_basic("Basic YTpsb25ncGFzc3dvcmQ=", user, sizeof user, pass, 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_success_and_failure_branches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_batches_run_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_batches_lose_no_update, setup, teardown),
        cmocka_unit_test(test_basic_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
