/* Unit tests for server/pgw_msg: the framer fed in chunks, every frontend message decoded
 * and every way it can be malformed, and the backend encoder byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/prng.h"
#include "server/pgw_msg.h"
#include "server/support/pgw_fe.h"

typedef struct fixture {
    pgw_framer f;
    mice_arena *arena;
    mice_buf in;
    mice_err err;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    pgw_framer_init(&fx->f, 0);
    fx->arena = arena_create(NULL, "test", 0);
    buf_init(&fx->in);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    pgw_framer_deinit(&fx->f);
    arena_destroy(fx->arena);
    buf_deinit(&fx->in);
    free(fx);
    return 0;
}

/* Feed fx->in whole, expect exactly one message, decode it. */
static mice_status decode_one(fixture *fx, pgw_auth_expect expect, pgw_fe_msg *m)
{
    pgw_framer_feed(&fx->f, fx->in.p, fx->in.n);
    buf_reset(&fx->in);
    pgw_frame fr;
    mice_status rc = pgw_framer_next(&fx->f, &fr, &fx->err);
    if (rc) return rc;
    assert_int_equal(pgw_framer_pending_bytes(&fx->f), 0);
    return pgw_decode(&fr, expect, fx->arena, m, &fx->err);
}

static void test_psql_startup_bytes(void **state)
{
    fixture *fx = *state;
    pgw_fe_msg m;
    buf_append(&fx->in, fe_psql15_startup, fe_psql15_startup_len);
    pgw_framer_feed(&fx->f, fx->in.p, fx->in.n);
    pgw_frame fr;
    assert_int_equal(pgw_framer_next(&fx->f, &fr, NULL), MICE_OK);
    assert_int_equal(pgw_decode(&fr, 0, fx->arena, &m, NULL), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_SSL_REQUEST);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, NULL), MICE_OK);
    assert_int_equal(pgw_decode(&fr, 0, fx->arena, &m, NULL), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_STARTUP);
    assert_int_equal(m.u.startup.version, PGW_PROTOCOL_3_0);
    assert_int_equal(m.u.startup.n_params, 4);
    assert_string_equal(pgw_startup_param(&m.u.startup, "user"), "postgres");
    assert_string_equal(pgw_startup_param(&m.u.startup, "database"), "postgres");
    assert_string_equal(pgw_startup_param(&m.u.startup, "application_name"), "psql");
    assert_string_equal(pgw_startup_param(&m.u.startup, "client_encoding"), "UTF8");
    assert_null(pgw_startup_param(&m.u.startup, "options"));
    assert_int_equal(pgw_framer_next(&fx->f, &fr, NULL), MICE_AGAIN);
}

static void test_startup_phase_packets(void **state)
{
    fixture *fx = *state;
    pgw_fe_msg m;
    fe_gssenc_request(&fx->in);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_GSSENC_REQUEST);
    fe_cancel_request(&fx->in, 4242, -7);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_CANCEL_REQUEST);
    assert_int_equal(m.u.cancel.pid, 4242);
    assert_int_equal(m.u.cancel.secret_key, -7);
    /* Protocol 2.0: decoded (the connection refuses it), no parameters parsed. */
    fe_startup(&fx->in, 2 << 16, NULL);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_STARTUP);
    assert_int_equal(m.u.startup.version, 2 << 16);
    const char *kv[] = {"user", "u", "_pq_.x", "1", NULL};
    fe_startup(&fx->in, PGW_PROTOCOL_3_0 | 2, kv);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.u.startup.n_params, 2);
    assert_string_equal(m.u.startup.params[1].name, "_pq_.x");
}

static void test_startup_errors(void **state)
{
    fixture *fx = *state;
    pgw_fe_msg m;
    struct {
        const char *bytes;
        size_t n;
        mice_status want;
    } cases[] = {
        {"\x00\x00\x00\x07\x00\x03\x00", 7, MICE_CORRUPT},                      /* length < 8 */
        {"\x00\x00\x00\x0c\x04\xd2\x16\x2f\x00\x00\x00\x00", 12, MICE_CORRUPT}, /* SSL + junk */
        {"\x00\x00\x00\x0c\x04\xd2\x16\x2e\x00\x00\x00\x01", 12, MICE_CORRUPT}, /* short cancel */
        {"\x00\x00\x00\x0d\x00\x03\x00\x00user\x00", 13, MICE_CORRUPT},         /* no value */
        {"\x00\x00\x00\x0e\x00\x03\x00\x00user\x00u", 14, MICE_CORRUPT},        /* no NUL */
        {"\x00\x00\x00\x0f\x00\x03\x00\x00user\x00u\x00", 15, MICE_CORRUPT},    /* no end NUL */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pgw_framer_deinit(&fx->f);
        pgw_framer_init(&fx->f, 0);
        buf_append(&fx->in, cases[i].bytes, cases[i].n);
        assert_int_equal(decode_one(fx, 0, &m), cases[i].want);
        assert_true(strlen(fx->err.msg) > 0);
    }
    /* Over the start-up limit: refused from the length word alone. */
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    buf_append(&fx->in, "\x00\x00\x27\x11", 4); /* 10001 */
    assert_int_equal(decode_one(fx, 0, &m), MICE_LIMIT);
    /* Too many parameters. */
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    const char *kv[2 * PGW_STARTUP_PARAMS_MAX + 3];
    for (int i = 0; i < PGW_STARTUP_PARAMS_MAX + 1; i++)
        kv[2 * i] = "k", kv[2 * i + 1] = "v";
    kv[2 * (PGW_STARTUP_PARAMS_MAX + 1)] = NULL;
    fe_startup(&fx->in, PGW_PROTOCOL_3_0, kv);
    assert_int_equal(decode_one(fx, 0, &m), MICE_LIMIT);
}

static void typed(fixture *fx)
{
    pgw_framer_set_startup(&fx->f, false);
}

static void test_simple_messages_round_trip(void **state)
{
    fixture *fx = *state;
    typed(fx);
    pgw_fe_msg m;
    fe_query(&fx->in, "select 1; select 2");
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_QUERY);
    assert_string_equal(m.u.query.sql, "select 1; select 2");
    assert_int_equal(m.u.query.sql_len, 18);
    fe_describe(&fx->in, 'P', "portal1");
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_DESCRIBE);
    assert_int_equal(m.u.describe.kind, 'P');
    assert_string_equal(m.u.describe.name, "portal1");
    fe_close(&fx->in, 'S', "");
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_CLOSE);
    assert_int_equal(m.u.close.kind, 'S');
    assert_string_equal(m.u.close.name, "");
    fe_execute(&fx->in, "p", 10);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_EXECUTE);
    assert_string_equal(m.u.execute.portal_name, "p");
    assert_int_equal(m.u.execute.max_rows, 10);
    struct {
        void (*enc)(mice_buf *);
        pgw_fe_kind kind;
    } empty[] = {{fe_sync, PGW_FE_SYNC},
                 {fe_flush, PGW_FE_FLUSH},
                 {fe_terminate, PGW_FE_TERMINATE},
                 {fe_copy_done, PGW_FE_COPY_DONE}};
    for (size_t i = 0; i < 4; i++) {
        empty[i].enc(&fx->in);
        assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
        assert_int_equal(m.kind, empty[i].kind);
    }
    fe_copy_data(&fx->in, "1\t1\t0\t\n", 7);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_COPY_DATA);
    assert_int_equal(m.u.copy_data.n, 7);
    fe_copy_fail(&fx->in, "aborted by user");
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_string_equal(m.u.copy_fail.message, "aborted by user");
}

static void test_parse_and_bind_round_trip(void **state)
{
    fixture *fx = *state;
    typed(fx);
    pgw_fe_msg m;
    pgw_oid_t types[] = {20, 1043, 0};
    fe_parse(&fx->in, "sbstmt1", "SELECT c FROM sbtest1 WHERE id=$1", types, 3);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_PARSE);
    assert_string_equal(m.u.parse.stmt_name, "sbstmt1");
    assert_string_equal(m.u.parse.query, "SELECT c FROM sbtest1 WHERE id=$1");
    assert_int_equal(m.u.parse.n_param_types, 3);
    assert_int_equal(m.u.parse.param_types[1], 1043);
    fe_parse(&fx->in, "", "BEGIN", NULL, 0);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.u.parse.n_param_types, 0);
    assert_null(m.u.parse.param_types);

    pgw_value vals[] = {{.data = MICE_SLICE_LIT("42")}, {.is_null = true}, {.data = {NULL, 0}}};
    int16_t fmts[] = {0, 1, 0}, rfmt[] = {1};
    fe_bind(&fx->in, "", "P_0", fmts, 3, vals, 3, rfmt, 1);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    const pgw_bind_msg *b = &m.u.bind;
    assert_string_equal(b->portal_name, "");
    assert_string_equal(b->stmt_name, "P_0");
    assert_int_equal(b->n_params, 3);
    assert_memory_equal(b->params[0].data.p, "42", 2);
    assert_false(b->params[0].is_null);
    assert_true(b->params[1].is_null);
    assert_false(b->params[2].is_null);
    assert_int_equal(b->params[2].data.n, 0);
    assert_int_equal(pgw_bind_param_format(b, 1), 1);
    int16_t f = -1;
    assert_int_equal(pgw_bind_result_format(b, 5, 4, &f, NULL), MICE_OK);
    assert_int_equal(f, 1); /* one code applies to every column (sysbench) */
    /* N result formats must match the column count. */
    int16_t rfmts[] = {0, 1};
    fe_bind(&fx->in, "p", "s", NULL, 0, NULL, 0, rfmts, 2);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(pgw_bind_param_format(&m.u.bind, 0), 0);
    assert_int_equal(pgw_bind_result_format(&m.u.bind, 2, 1, &f, NULL), MICE_OK);
    assert_int_equal(f, 1);
    assert_int_equal(pgw_bind_result_format(&m.u.bind, 3, 1, &f, &fx->err), MICE_INVALID);
}

static void test_auth_and_function_call(void **state)
{
    fixture *fx = *state;
    typed(fx);
    pgw_fe_msg m;
    fe_password(&fx->in, "secret");
    assert_int_equal(decode_one(fx, PGW_AUTH_EXPECT_PASSWORD, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_PASSWORD);
    assert_string_equal(m.u.password.password, "secret");
    fe_sasl_initial(&fx->in, "SCRAM-SHA-256", "n,,n=,r=abc", 11);
    assert_int_equal(decode_one(fx, PGW_AUTH_EXPECT_SASL_INITIAL, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_SASL_INITIAL);
    assert_string_equal(m.u.sasl_initial.mechanism, "SCRAM-SHA-256");
    assert_true(m.u.sasl_initial.has_data);
    assert_memory_equal(m.u.sasl_initial.data.p, "n,,n=,r=abc", 11);
    fe_sasl_initial(&fx->in, "SCRAM-SHA-256", NULL, -1);
    assert_int_equal(decode_one(fx, PGW_AUTH_EXPECT_SASL_INITIAL, &m), MICE_OK);
    assert_false(m.u.sasl_initial.has_data);
    fe_sasl_response(&fx->in, "c=biws", 6);
    assert_int_equal(decode_one(fx, PGW_AUTH_EXPECT_SASL_RESPONSE, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_SASL_RESPONSE);
    assert_int_equal(m.u.sasl_response.n, 6);
    /* The same bytes mean different things in different auth states. */
    fe_sasl_response(&fx->in, "c=biws", 6);
    assert_int_equal(decode_one(fx, PGW_AUTH_EXPECT_PASSWORD, &m), MICE_CORRUPT);

    pgw_value args[] = {{.data = MICE_SLICE_LIT("7")}, {.is_null = true}};
    int16_t fmts[] = {1};
    fe_function_call(&fx->in, 1598, fmts, 1, args, 2, 1);
    assert_int_equal(decode_one(fx, 0, &m), MICE_OK);
    assert_int_equal(m.kind, PGW_FE_FUNCTION_CALL);
    assert_int_equal(m.u.function_call.function_oid, 1598);
    assert_int_equal(m.u.function_call.n_args, 2);
    assert_true(m.u.function_call.args[1].is_null);
    assert_int_equal(m.u.function_call.result_format, 1);
}

static char last_decode_msg[MICE_ERR_MSG_MAX];

/* Body bytes for a typed message that must fail to decode with `want`. */
static void expect_decode_error(fixture *fx, uint8_t type, const void *body, size_t n,
                                pgw_auth_expect expect, mice_status want)
{
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    typed(fx);
    fe_raw(&fx->in, type, body, n);
    pgw_fe_msg m;
    mice_err err;
    mice_err_clear(&err);
    pgw_framer_feed(&fx->f, fx->in.p, fx->in.n);
    buf_reset(&fx->in);
    pgw_frame fr;
    assert_int_equal(pgw_framer_next(&fx->f, &fr, NULL), MICE_OK);
    mice_status rc = pgw_decode(&fr, expect, fx->arena, &m, &err);
    if (rc != want) fail_msg("type %c: got %s (%s)", type, mice_status_name(rc), err.msg);
    assert_true(strlen(err.msg) > 0);
    snprintf(last_decode_msg, sizeof last_decode_msg, "%s", err.msg);
}

#define BODY(lit) lit, sizeof(lit) - 1

static void test_malformed_bodies(void **state)
{
    fixture *fx = *state;
    expect_decode_error(fx, 'Q', BODY("select 1"), 0, MICE_CORRUPT);       /* no NUL */
    expect_decode_error(fx, 'Q', BODY("select 1\0junk"), 0, MICE_CORRUPT); /* trailing */
    expect_decode_error(fx, 'P', BODY("s\0q\0\xff\xff"), 0, MICE_CORRUPT); /* count -1 */
    expect_decode_error(fx, 'P', BODY("s\0q\0\x00\x02\0\0\0\x17"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'P', BODY("s\0q\0\x00"), 0, MICE_CORRUPT); /* short count */
    expect_decode_error(fx, 'B', BODY("\0s\0\x00\x00\x00\x01\xff\xff\xff\xfe\x00\x00"), 0,
                        MICE_CORRUPT); /* value length -2 */
    expect_decode_error(fx, 'B',
                        BODY("\0s\0\x00\x00\x00\x01\x00\x00\x00\x09"
                             "ab\x00\x00"),
                        0, MICE_CORRUPT); /* value longer than message */
    expect_decode_error(fx, 'B', BODY("\0s\0\x00\x01\x00\x02\x00\x00\x00\x00\x00"), 0,
                        MICE_INVALID); /* format code 2 */
    expect_decode_error(fx, 'B',
                        BODY("\0s\0\x00\x02\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"), 0,
                        MICE_CORRUPT); /* 2 formats, 1 param */
    expect_decode_error(fx, 'B', BODY("\0s\0\x00\x00\x00\x00"), 0, MICE_CORRUPT); /* short */
    expect_decode_error(fx, 'B', BODY("\0s\0\x00\x00\x00\x00\x00\x00\x00"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'D', BODY("X\0"), 0, MICE_INVALID);
    expect_decode_error(fx, 'D', BODY(""), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'C', BODY("Pname"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'E', BODY("p\0\0\0"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'E', BODY("p\0\0\0\0\0\0"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'S', BODY("x"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'H', BODY("x"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'X', BODY("x"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'c', BODY("x"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'f', BODY("no nul"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'p', BODY("pw"), PGW_AUTH_EXPECT_PASSWORD, MICE_CORRUPT);
    expect_decode_error(fx, 'p',
                        BODY("SCRAM-SHA-256\0\x00\x00\x00\x09"
                             "abc"),
                        PGW_AUTH_EXPECT_SASL_INITIAL, MICE_CORRUPT);
    expect_decode_error(fx, 'p', BODY("SCRAM-SHA-256\0\xff\xff\xff\xf0"),
                        PGW_AUTH_EXPECT_SASL_INITIAL, MICE_CORRUPT);
    expect_decode_error(fx, 'p',
                        BODY("SCRAM-SHA-256\0\x00\x00\x00\x01"
                             "ab"),
                        PGW_AUTH_EXPECT_SASL_INITIAL, MICE_CORRUPT);
    expect_decode_error(fx, 'F', BODY("\0\0\0\1\0\0\0\0\0\2"), 0, MICE_INVALID);
    expect_decode_error(fx, 'F', BODY("\0\0\0\1\0\0\0\0"), 0, MICE_CORRUPT);
    expect_decode_error(fx, 'F', BODY("\0\0\0\1\0\0\0\0\0\0\0"), 0, MICE_CORRUPT);
}

/* The connection sends these texts to the client: they are PostgreSQL's (pqformat.c,
 * postgres.c). */
static void test_malformed_body_texts_are_postgresqls(void **state)
{
    fixture *fx = *state;
    struct {
        uint8_t type;
        const char *body;
        size_t n;
        mice_status want;
        const char *text;
    } cases[] = {
        {'P', BODY("no-terminator"), MICE_CORRUPT, "invalid string in message"},
        {'Q', BODY("select 1\0junk"), MICE_CORRUPT, "invalid message format"},
        {'S', BODY("x"), MICE_CORRUPT, "invalid message format"},
        {'E', BODY("p\0\0\0"), MICE_CORRUPT, "insufficient data left in message"},
        {'B', BODY("\0s\0\0\0\0\1\xff\xff\xff\xfe\0\0"), MICE_CORRUPT,
         "insufficient data left in message"},
        {'B', BODY("\0s\0\0\2\0\0\0\0\0\1\0\0\0\0\0\0"), MICE_CORRUPT,
         "bind message has 2 parameter formats but 1 parameters"},
        {'B', BODY("\0s\0\0\1\0\2\0\0\0\0"), MICE_INVALID, "unsupported format code: 2"},
        {'D', BODY("X\0"), MICE_INVALID, "invalid DESCRIBE message subtype 88"},
        {'C', BODY("X\0"), MICE_INVALID, "invalid CLOSE message subtype 88"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        expect_decode_error(fx, cases[i].type, cases[i].body, cases[i].n, 0, cases[i].want);
        if (strcmp(last_decode_msg, cases[i].text) != 0)
            fail_msg("case %zu: \"%s\" want \"%s\"", i, last_decode_msg, cases[i].text);
    }
}

static void test_framing_errors_are_sticky(void **state)
{
    fixture *fx = *state;
    typed(fx);
    pgw_frame fr;
    mice_err err;
    /* Unknown type byte: refused before any length is read. */
    pgw_framer_feed(&fx->f, (const uint8_t *)"Z", 1);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "invalid frontend message type"));
    fe_sync(&fx->in);
    pgw_framer_feed(&fx->f, fx->in.p, fx->in.n);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_CORRUPT); /* stays failed */
    /* Length below 4. */
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    typed(fx);
    pgw_framer_feed(&fx->f, (const uint8_t *)"Q\0\0\0\3", 5);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_CORRUPT);
    /* Negative length (top bit set). */
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    typed(fx);
    pgw_framer_feed(&fx->f, (const uint8_t *)"Q\x80\0\0\0", 5);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_CORRUPT);
}

static void test_size_limits(void **state)
{
    fixture *fx = *state;
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 1000); /* configured large-message limit */
    typed(fx);
    pgw_frame fr;
    mice_err err;
    /* 1000-byte body passes, 1001 is refused from the header alone. */
    pgw_framer_feed(&fx->f, (const uint8_t *)"d\0\0\x03\xec", 5);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_AGAIN);
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 1000);
    typed(fx);
    pgw_framer_feed(&fx->f, (const uint8_t *)"Q\0\0\x03\xed", 5);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_LIMIT);
    /* Small messages have a fixed 10000-byte limit whatever the configured maximum. */
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    typed(fx);
    pgw_framer_feed(&fx->f, (const uint8_t *)"S\0\0\x27\x15", 5); /* body 10001 */
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_LIMIT);
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    typed(fx);
    pgw_framer_feed(&fx->f, (const uint8_t *)"p\0\1\0\4", 5); /* body 65536 */
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_LIMIT);
    /* A 1 GiB + 1 Query is refused by the default limit. */
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    typed(fx);
    pgw_framer_feed(&fx->f, (const uint8_t *)"Q\x40\0\0\x05", 5);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_LIMIT);
    /* Arrays over the decode arena's budget. */
    mice_arena *tiny = arena_create(NULL, "tiny", 256);
    pgw_value vals[64];
    for (int i = 0; i < 64; i++)
        vals[i] = (pgw_value){.data = MICE_SLICE_LIT("x")};
    fe_bind(&fx->in, "", "", NULL, 0, vals, 64, NULL, 0);
    pgw_framer_deinit(&fx->f);
    pgw_framer_init(&fx->f, 0);
    typed(fx);
    pgw_framer_feed(&fx->f, fx->in.p, fx->in.n);
    assert_int_equal(pgw_framer_next(&fx->f, &fr, &err), MICE_OK);
    pgw_fe_msg m;
    assert_int_equal(pgw_decode(&fr, 0, tiny, &m, &err), MICE_LIMIT);
    arena_destroy(tiny);
}

/* A pgbench -M prepared style stream, then the same bytes fed in every chunking. */
static void build_stream(mice_buf *b)
{
    const char *kv[] = {"user",    "postgres", "database", "capdb", "application_name",
                        "pgbench", NULL};
    fe_ssl_request(b);
    fe_startup(b, PGW_PROTOCOL_3_0, kv);
    for (int i = 0; i < 20; i++) {
        fe_parse(b, "P_0", "SELECT abalance FROM pgbench_accounts WHERE aid = $1;", NULL, 0);
        pgw_value v = {.data = MICE_SLICE_LIT("12345")};
        fe_bind(b, "", "P_0", NULL, 0, &v, 1, NULL, 0);
        fe_describe(b, 'P', "");
        fe_execute(b, "", 0);
        fe_sync(b);
    }
    fe_copy_data(b, "1\t1\t0\t\n", 7);
    fe_copy_data(b, "\\.\n", 3);
    fe_copy_done(b);
    fe_terminate(b);
}

/* Count messages, switching to typed mode after the StartupMessage as a connection does. */
static size_t count_messages(mice_slice stream, mice_prng *r, size_t max_chunk)
{
    pgw_framer f;
    pgw_framer_init(&f, 0);
    mice_arena *a = arena_create(NULL, "t", 0);
    size_t off = 0, count = 0;
    while (off < stream.n) {
        size_t chunk = max_chunk == 1 ? 1 : 1 + prng_below(r, max_chunk);
        if (chunk > stream.n - off) chunk = stream.n - off;
        pgw_framer_feed(&f, stream.p + off, chunk);
        off += chunk;
        pgw_frame fr;
        mice_status rc;
        while ((rc = pgw_framer_next(&f, &fr, NULL)) == MICE_OK) {
            pgw_fe_msg m;
            assert_int_equal(pgw_decode(&fr, 0, a, &m, NULL), MICE_OK);
            if (m.kind == PGW_FE_STARTUP) pgw_framer_set_startup(&f, false);
            count++;
            arena_reset(a);
        }
        assert_int_equal(rc, MICE_AGAIN);
        /* Never more than one message plus the chunk just fed. */
        assert_true(pgw_framer_pending_bytes(&f) < 200 + chunk);
    }
    assert_int_equal(pgw_framer_pending_bytes(&f), 0);
    pgw_framer_deinit(&f);
    arena_destroy(a);
    return count;
}

static void test_chunked_feeding(void **state)
{
    (void)state;
    mice_buf s;
    buf_init(&s);
    build_stream(&s);
    mice_prng r;
    prng_seed(&r, 7);
    size_t want = 2 + 20 * 5 + 4;
    assert_int_equal(count_messages(buf_slice(&s), &r, 1), want);
    for (int round = 0; round < 50; round++)
        assert_int_equal(count_messages(buf_slice(&s), &r, 1 + (size_t)round * 13), want);
    assert_int_equal(count_messages(buf_slice(&s), &r, s.n), want);
    buf_deinit(&s);
}

static void assert_bytes(const mice_buf *b, const char *want, size_t n)
{
    if (b->n != n) fail_msg("length %zu, want %zu", b->n, n);
    assert_memory_equal(b->p, want, n);
}

static void test_encoder_bytes(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    pgw_put_ready_for_query(&b, 'I');
    assert_bytes(&b, "Z\0\0\0\5I", 6);
    buf_reset(&b);
    pgw_put_auth_ok(&b);
    assert_bytes(&b, "R\0\0\0\x08\0\0\0\0", 9);
    buf_reset(&b);
    const char *mech[] = {"SCRAM-SHA-256"};
    pgw_put_auth_sasl(&b, mech, 1);
    assert_bytes(&b, "R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0", 24);
    buf_reset(&b);
    pgw_put_auth_sasl_continue(&b, MICE_SLICE_LIT("r=x"));
    assert_bytes(&b, "R\0\0\0\x0b\0\0\0\x0br=x", 12);
    buf_reset(&b);
    pgw_put_auth_sasl_final(&b, MICE_SLICE_LIT("v=y"));
    assert_bytes(&b, "R\0\0\0\x0b\0\0\0\x0cv=y", 12);
    buf_reset(&b);
    pgw_put_auth_cleartext_password(&b);
    assert_bytes(&b, "R\0\0\0\x08\0\0\0\3", 9);
    buf_reset(&b);
    pgw_put_parameter_status(&b, "a", "b");
    assert_bytes(&b,
                 "S\0\0\0\x08"
                 "a\0b\0",
                 9);
    buf_reset(&b);
    pgw_put_backend_key_data(&b, 1, -1);
    assert_bytes(&b, "K\0\0\0\x0c\0\0\0\1\xff\xff\xff\xff", 13);
    buf_reset(&b);
    pgw_put_command_complete(&b, "SELECT 1");
    assert_bytes(&b, "C\0\0\0\x0dSELECT 1\0", 14);
    buf_reset(&b);
    pgw_value vals[] = {{.data = MICE_SLICE_LIT("1")}, {.is_null = true}};
    pgw_put_data_row(&b, vals, 2);
    assert_bytes(&b,
                 "D\0\0\0\x0f\0\2\0\0\0\1"
                 "1\xff\xff\xff\xff",
                 16);
    buf_reset(&b);
    pgw_field f = {.name = "c",
                   .table_oid = 16384,
                   .attnum = 2,
                   .type_oid = 1042,
                   .typlen = -1,
                   .typmod = 124,
                   .format = 1};
    pgw_put_row_description(&b, &f, 1);
    assert_bytes(&b,
                 "T\0\0\0\x1a\0\1"
                 "c\0\0\0\x40\0\0\2\0\0\4\x12\xff\xff\0\0\0\x7c\0\1",
                 27);
    buf_deinit(&b);
}

static void test_encoder_bytes_extended_and_copy(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    pgw_oid_t types[] = {23, 20};
    pgw_put_parameter_description(&b, types, 2);
    assert_bytes(&b, "t\0\0\0\x0e\0\2\0\0\0\x17\0\0\0\x14", 15);
    buf_reset(&b);
    int16_t cf[] = {0, 1};
    pgw_put_copy_in_response(&b, 0, cf, 2);
    assert_bytes(&b, "G\0\0\0\x0b\0\0\2\0\0\0\1", 12);
    buf_reset(&b);
    pgw_put_copy_out_response(&b, 1, NULL, 0);
    assert_bytes(&b, "H\0\0\0\x07\1\0\0", 8);
    buf_reset(&b);
    pgw_put_copy_data(&b, MICE_SLICE_LIT("ab"));
    pgw_put_copy_done(&b);
    assert_bytes(&b, "d\0\0\0\6abc\0\0\0\4", 12);
    buf_reset(&b);
    const char *unk[] = {"_pq_.x"};
    pgw_put_negotiate_protocol_version(&b, 0, unk, 1);
    assert_bytes(&b, "v\0\0\0\x13\0\0\0\0\0\0\0\1_pq_.x\0", 20);
    buf_reset(&b);
    pgw_put_parse_complete(&b);
    pgw_put_bind_complete(&b);
    pgw_put_close_complete(&b);
    pgw_put_no_data(&b);
    pgw_put_portal_suspended(&b);
    pgw_put_empty_query_response(&b);
    pgw_put_ssl_refuse(&b);
    assert_bytes(&b,
                 "1\0\0\0\4"
                 "2\0\0\0\4"
                 "3\0\0\0\4n\0\0\0\4s\0\0\0\4I\0\0\0\4N",
                 31);
    buf_deinit(&b);
}

static void test_error_response_fields(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    pgw_error e = {.severity = "ERROR",
                   .sqlstate = "42601",
                   .message = "syntax error",
                   .detail = "d",
                   .hint = "h",
                   .position = 8,
                   .table_name = "t"};
    pgw_put_error_response(&b, &e);
    be_msg m;
    assert_int_equal(be_split(buf_slice(&b), &m, 1), 1);
    assert_int_equal(m.type, 'E');
    assert_string_equal(be_error_field(&m, 'S'), "ERROR");
    assert_string_equal(be_error_field(&m, 'V'), "ERROR");
    assert_string_equal(be_error_field(&m, 'C'), "42601");
    assert_string_equal(be_error_field(&m, 'M'), "syntax error");
    assert_string_equal(be_error_field(&m, 'D'), "d");
    assert_string_equal(be_error_field(&m, 'H'), "h");
    assert_string_equal(be_error_field(&m, 'P'), "8");
    assert_string_equal(be_error_field(&m, 't'), "t");
    assert_string_equal(be_error_field(&m, 'W'), "");
    assert_int_equal(m.body.p[m.body.n - 1], 0); /* terminator */
    buf_reset(&b);
    pgw_error n = {.severity = "NOTICE", .sqlstate = "00000", .message = "hi"};
    pgw_put_notice_response(&b, &n);
    assert_bytes(&b, "N\0\0\0\x20SNOTICE\0VNOTICE\0C00000\0Mhi\0\0", 33);
    buf_deinit(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_psql_startup_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_startup_phase_packets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_startup_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simple_messages_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_and_bind_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_and_function_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_body_texts_are_postgresqls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_framing_errors_are_sticky, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_limits, setup, teardown),
        cmocka_unit_test(test_chunked_feeding),
        cmocka_unit_test(test_encoder_bytes),
        cmocka_unit_test(test_encoder_bytes_extended_and_copy),
        cmocka_unit_test(test_error_response_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
