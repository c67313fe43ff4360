/* Unit tests for server/scram: RFC 7677's vector, a real libpq/PostgreSQL 15 exchange,
 * verifier text, wrong passwords and malformed messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "server/scram.h"

#define S(lit) MICE_SLICE_LIT(lit)

/* RFC 7677 section 3: user "user", password "pencil". */
#define RFC_CLIENT_NONCE "rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_SALT_B64 "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_CLIENT_FIRST "n,,n=user,r=" RFC_CLIENT_NONCE
#define RFC_SERVER_FIRST "r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",s=" RFC_SALT_B64 ",i=4096"
#define RFC_CLIENT_FINAL                                                                           \
    "c=biws,r=" RFC_CLIENT_NONCE RFC_SERVER_NONCE ",p=dHzbZapWIk4jUhN+"                            \
                                                  "Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

/* Captured 2026-11-23 from psql 15.18 (libpq) against PostgreSQL 15.18 through a loopback
 * proxy: CREATE ROLE pgwtest PASSWORD 'sekret-pass' with password_encryption=scram-sha-256,
 * pg_authid.rolpassword, then the three SASL messages each way. */
#define PG_VERIFIER                                                                                \
    "SCRAM-SHA-256$4096:OJ6cW0tkoHXUXBK+uelpPw==$2tqGuCID9l0JUJ0wXFSuaHu1Xw6rOtAKqFQeN4Eohhc=:"    \
    "DEqKbf7o2sdb2em6keLxjS1AqEu3uPZfM8E6GzxCLSc="
#define PG_CLIENT_NONCE "FbFxni5xvPVx94zRCkgq0Q75"
#define PG_SERVER_NONCE "YubZU1Kp0Q20IXvny13/yxf3"
#define PG_CLIENT_FIRST "n,,n=,r=" PG_CLIENT_NONCE
#define PG_SERVER_FIRST "r=" PG_CLIENT_NONCE PG_SERVER_NONCE ",s=OJ6cW0tkoHXUXBK+uelpPw==,i=4096"
#define PG_CLIENT_FINAL                                                                            \
    "c=biws,r=" PG_CLIENT_NONCE PG_SERVER_NONCE ",p=IqFOxnrY9ujjaaFyxF4KBEAYISFGUfxNbVwz8tcKe8k="
#define PG_SERVER_FINAL "v=NgSXjlJFI//Q9PdislN4BAGMMu1XedxxJeMssb92qgM="

static void assert_buf_eq(const mice_buf *b, const char *want)
{
    assert_int_equal(b->n, strlen(want));
    assert_memory_equal(b->p, want, b->n);
}

static scram_verifier rfc_verifier(void)
{
    uint8_t salt[32];
    size_t n = 0;
    assert_true(scram_base64_decode(S(RFC_SALT_B64), salt, sizeof salt, &n));
    scram_verifier v;
    assert_int_equal(scram_verifier_make("pencil", mice_slice_of(salt, n), 4096, &v, NULL),
                     MICE_OK);
    return v;
}

static void test_rfc7677_client_and_server(void **state)
{
    (void)state;
    scram_verifier v = rfc_verifier();
    scram_server srv;
    scram_client cli;
    scram_server_init(&srv, &v, S(RFC_SERVER_NONCE));
    scram_client_init(&cli, "user", "pencil", S(RFC_CLIENT_NONCE));
    mice_buf m1, m2, m3, m4;
    buf_init(&m1), buf_init(&m2), buf_init(&m3), buf_init(&m4);
    scram_client_first(&cli, &m1);
    assert_buf_eq(&m1, RFC_CLIENT_FIRST);
    assert_int_equal(scram_server_first(&srv, buf_slice(&m1), &m2, NULL), MICE_OK);
    assert_buf_eq(&m2, RFC_SERVER_FIRST);
    assert_int_equal(scram_client_final(&cli, buf_slice(&m2), &m3, NULL), MICE_OK);
    assert_buf_eq(&m3, RFC_CLIENT_FINAL);
    assert_int_equal(scram_server_final(&srv, buf_slice(&m3), &m4, NULL), MICE_OK);
    assert_buf_eq(&m4, RFC_SERVER_FINAL);
    assert_int_equal(srv.state, SCRAM_SERVER_DONE);
    assert_int_equal(scram_client_verify(&cli, buf_slice(&m4), NULL), MICE_OK);
    buf_deinit(&m1), buf_deinit(&m2), buf_deinit(&m3), buf_deinit(&m4);
    scram_server_deinit(&srv);
    scram_client_deinit(&cli);
}

static void test_real_postgres_verifier_and_exchange(void **state)
{
    (void)state;
    scram_verifier v;
    mice_err err;
    assert_int_equal(scram_verifier_parse(S(PG_VERIFIER), &v, &err), MICE_OK);
    assert_int_equal(v.iterations, 4096);
    assert_int_equal(v.salt_len, 16);
    bool match = false;
    assert_int_equal(scram_verifier_check_password(&v, "sekret-pass", &match, NULL), MICE_OK);
    assert_true(match);
    assert_int_equal(scram_verifier_check_password(&v, "sekret-pasS", &match, NULL), MICE_OK);
    assert_false(match);
    /* Our text form of the same verifier is byte-identical to PostgreSQL's. */
    mice_buf text;
    buf_init(&text);
    scram_verifier_format(&v, &text);
    assert_buf_eq(&text, PG_VERIFIER);
    buf_deinit(&text);
    /* Replaying libpq's side against our server reproduces PostgreSQL's answers. */
    scram_server srv;
    scram_server_init(&srv, &v, S(PG_SERVER_NONCE));
    mice_buf out;
    buf_init(&out);
    assert_int_equal(scram_server_first(&srv, S(PG_CLIENT_FIRST), &out, NULL), MICE_OK);
    assert_buf_eq(&out, PG_SERVER_FIRST);
    buf_reset(&out);
    assert_int_equal(scram_server_final(&srv, S(PG_CLIENT_FINAL), &out, &err), MICE_OK);
    assert_buf_eq(&out, PG_SERVER_FINAL);
    buf_deinit(&out);
    scram_server_deinit(&srv);
}

static void test_verifier_text_round_trip_and_errors(void **state)
{
    (void)state;
    scram_verifier v = rfc_verifier(), back;
    mice_buf text;
    buf_init(&text);
    scram_verifier_format(&v, &text);
    assert_int_equal(scram_verifier_parse(buf_slice(&text), &back, NULL), MICE_OK);
    assert_memory_equal(&v, &back, sizeof v);
    buf_deinit(&text);
    /* A random salt is drawn when none is given, and differs between calls. */
    scram_verifier r1, r2;
    assert_int_equal(scram_verifier_make("x", S(""), 0, &r1, NULL), MICE_OK);
    assert_int_equal(scram_verifier_make("x", S(""), 0, &r2, NULL), MICE_OK);
    assert_int_equal(r1.iterations, SCRAM_ITERATIONS_DEFAULT);
    assert_int_equal(r1.salt_len, SCRAM_SALT_BYTES_DEFAULT);
    assert_memory_not_equal(r1.salt, r2.salt, r1.salt_len);
    const char *bad[] = {
        "",
        "md5abcdef",
        "SCRAM-SHA-256$",
        "SCRAM-SHA-256$4096:c2FsdA==$",
        "SCRAM-SHA-256$0:c2FsdA==$2tqGuCID9l0JUJ0wXFSuaHu1Xw6rOtAKqFQeN4Eohhc=:"
        "DEqKbf7o2sdb2em6keLxjS1AqEu3uPZfM8E6GzxCLSc=",
        "SCRAM-SHA-256$x:c2FsdA==$2tqGuCID9l0JUJ0wXFSuaHu1Xw6rOtAKqFQeN4Eohhc=:"
        "DEqKbf7o2sdb2em6keLxjS1AqEu3uPZfM8E6GzxCLSc=",
        "SCRAM-SHA-256$4096:c2Fs!A==$2tqGuCID9l0JUJ0wXFSuaHu1Xw6rOtAKqFQeN4Eohhc=:"
        "DEqKbf7o2sdb2em6keLxjS1AqEu3uPZfM8E6GzxCLSc=",
        "SCRAM-SHA-256$4096:c2FsdA==$2tqGuCID9l0JUJ0wXFSuaHu1Xw6rOtAKqFQeN4Eoh=:"
        "DEqKbf7o2sdb2em6keLxjS1AqEu3uPZfM8E6GzxCLSc=",
        "SCRAM-SHA-256$4096:c2FsdA==$2tqGuCID9l0JUJ0wXFSuaHu1Xw6rOtAKqFQeN4Eohhc=:DEqK",
        "SCRAM-SHA-256$99999999999:c2FsdA==$2tqGuCID9l0JUJ0wXFSuaHu1Xw6rOtAKqFQeN4Eohhc=:"
        "DEqKbf7o2sdb2em6keLxjS1AqEu3uPZfM8E6GzxCLSc=",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mice_err err;
        assert_int_equal(scram_verifier_parse(mice_slice_str(bad[i]), &back, &err), MICE_CORRUPT);
    }
}

static void test_base64_strict(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n = 0;
    assert_true(scram_base64_decode(S(""), out, sizeof out, &n) && n == 0);
    assert_true(scram_base64_decode(S("biws"), out, sizeof out, &n) && n == 3);
    assert_memory_equal(out, "n,,", 3);
    assert_true(scram_base64_decode(S("YQ=="), out, sizeof out, &n) && n == 1);
    assert_true(scram_base64_decode(S("YWI="), out, sizeof out, &n) && n == 2);
    assert_false(scram_base64_decode(S("YQ="), out, sizeof out, &n));
    assert_false(scram_base64_decode(S("Y==="), out, sizeof out, &n));
    assert_false(scram_base64_decode(S("YQ==YQ=="), out, sizeof out, &n));
    assert_false(scram_base64_decode(S("bi s"), out, sizeof out, &n));
    assert_false(scram_base64_decode(S("=biw"), out, sizeof out, &n));
    assert_false(scram_base64_decode(S("biwsbiws"), out, 5, &n)); /* over capacity */
    mice_buf b;
    buf_init(&b);
    scram_base64_encode((const uint8_t *)"ab", 2, &b);
    assert_buf_eq(&b, "YWI=");
    buf_deinit(&b);
}

/* Run a whole exchange with a client of the given password; returns server_final's code. */
static mice_status exchange(const scram_verifier *v, const char *password, char gs2_flag)
{
    scram_server srv;
    scram_client cli;
    scram_server_init(&srv, v, S("srvnonce"));
    scram_client_init(&cli, "", password, S("clinonce"));
    cli.gs2_flag = gs2_flag;
    mice_buf m1, m2, m3, m4;
    buf_init(&m1), buf_init(&m2), buf_init(&m3), buf_init(&m4);
    scram_client_first(&cli, &m1);
    assert_int_equal(scram_server_first(&srv, buf_slice(&m1), &m2, NULL), MICE_OK);
    assert_int_equal(scram_client_final(&cli, buf_slice(&m2), &m3, NULL), MICE_OK);
    mice_err err;
    mice_status rc = scram_server_final(&srv, buf_slice(&m3), &m4, &err);
    if (rc == MICE_OK)
        assert_int_equal(scram_client_verify(&cli, buf_slice(&m4), NULL), MICE_OK);
    else
        assert_int_equal(m4.n, 0);
    buf_deinit(&m1), buf_deinit(&m2), buf_deinit(&m3), buf_deinit(&m4);
    scram_server_deinit(&srv);
    scram_client_deinit(&cli);
    return rc;
}

static void test_wrong_password_and_mock(void **state)
{
    (void)state;
    scram_verifier v = rfc_verifier();
    assert_int_equal(exchange(&v, "pencil", 'n'), MICE_OK);
    assert_int_equal(exchange(&v, "pencil", 'y'), MICE_OK); /* c=eSws */
    assert_int_equal(exchange(&v, "Pencil", 'n'), MICE_ABORTED);
    assert_int_equal(exchange(&v, "", 'n'), MICE_ABORTED);
    /* No verifier (unknown user): the exchange looks normal and fails at the end. */
    assert_int_equal(exchange(NULL, "pencil", 'n'), MICE_ABORTED);
    assert_int_equal(exchange(NULL, "", 'n'), MICE_ABORTED);
}

static mice_status server_first_of(const char *msg, mice_err *err)
{
    scram_verifier v = rfc_verifier();
    scram_server srv;
    scram_server_init(&srv, &v, S("srv"));
    mice_buf out;
    buf_init(&out);
    mice_status rc = scram_server_first(&srv, mice_slice_str(msg), &out, err);
    if (rc) assert_int_equal(srv.state, SCRAM_SERVER_FAILED);
    buf_deinit(&out);
    scram_server_deinit(&srv);
    return rc;
}

static void test_malformed_client_first(void **state)
{
    (void)state;
    mice_err err;
    assert_int_equal(server_first_of("p=tls-server-end-point,,n=,r=abc", &err), MICE_INVALID);
    assert_non_null(strstr(err.msg, "channel binding"));
    assert_int_equal(server_first_of("n,a=bob,n=,r=abc", &err), MICE_INVALID);
    assert_non_null(strstr(err.msg, "authorization identity"));
    assert_int_equal(server_first_of("n,,m=ext,n=,r=abc", &err), MICE_INVALID);
    assert_non_null(strstr(err.msg, "extension"));
    const char *bad[] = {"",
                         "n",
                         "n,",
                         "n,,",
                         "x,,n=,r=abc",
                         "n,,r=abc",
                         "n,,n=,r=",
                         "n,,n=,x=abc",
                         "n,,n=,r=a\x7f",
                         "n;,n=,r=abc",
                         "n,x,n=,r=abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(server_first_of(bad[i], &err), MICE_INVALID);
    assert_int_equal(server_first_of("n,,n=,r=abc,x=ext", &err), MICE_OK);
    assert_int_equal(server_first_of("y,,n=someone,r=abc", &err), MICE_OK);
    /* An embedded NUL is refused. */
    scram_server srv;
    scram_server_init(&srv, NULL, S("s"));
    mice_buf out;
    buf_init(&out);
    assert_int_equal(scram_server_first(&srv, mice_slice_of("n,,n=,r=a\0b", 11), &out, &err),
                     MICE_INVALID);
    buf_deinit(&out);
    scram_server_deinit(&srv);
}

static mice_status server_final_of(const char *final, mice_err *err)
{
    scram_verifier v = rfc_verifier();
    scram_server srv;
    scram_server_init(&srv, &v, S(RFC_SERVER_NONCE));
    mice_buf out;
    buf_init(&out);
    assert_int_equal(scram_server_first(&srv, S(RFC_CLIENT_FIRST), &out, NULL), MICE_OK);
    buf_reset(&out);
    mice_status rc = scram_server_final(&srv, mice_slice_str(final), &out, err);
    if (rc) assert_int_equal(out.n, 0);
    /* Whatever happened, the exchange is over: a second final is refused. */
    assert_int_equal(scram_server_final(&srv, mice_slice_str(final), &out, NULL), MICE_INVALID);
    buf_deinit(&out);
    scram_server_deinit(&srv);
    return rc;
}

static void test_malformed_client_final(void **state)
{
    (void)state;
    mice_err err;
    assert_int_equal(server_final_of(RFC_CLIENT_FINAL, &err), MICE_OK);
    const char *nonce = RFC_CLIENT_NONCE RFC_SERVER_NONCE;
    char msg[256];
    /* channel binding data that does not match the header ("y,," for an "n,," start) */
    snprintf(msg, sizeof msg, "c=eSws,r=%s,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", nonce);
    assert_int_equal(server_final_of(msg, &err), MICE_INVALID);
    assert_non_null(strstr(err.msg, "channel binding"));
    snprintf(msg, sizeof msg, "c=biws,r=%sX,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", nonce);
    assert_int_equal(server_final_of(msg, &err), MICE_INVALID);
    assert_non_null(strstr(err.msg, "nonce"));
    const char *tails[] = {
        "",                                                    /* no proof */
        ",p=",                                                 /* empty proof */
        ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndV=",      /* short proof */
        ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=y", /* proof not last */
        ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7And!Q=",     /* bad base64 */
        ",garbage",
    };
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        snprintf(msg, sizeof msg, "c=biws,r=%s%s", nonce, tails[i]);
        assert_int_equal(server_final_of(msg, &err), MICE_INVALID);
    }
    assert_int_equal(server_final_of("r=abc,c=biws", &err), MICE_INVALID);
    /* A flipped proof bit is a wrong password, not a malformed message. */
    snprintf(msg, sizeof msg, "c=biws,r=%s,p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", nonce);
    assert_int_equal(server_final_of(msg, &err), MICE_ABORTED);
    /* Extensions before the proof are covered by the signature and accepted. */
    snprintf(msg, sizeof msg,
             "c=biws,r=%s,x=1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", nonce);
    assert_int_equal(server_final_of(msg, &err), MICE_ABORTED);
}

static void test_out_of_order_and_client_errors(void **state)
{
    (void)state;
    scram_server srv;
    scram_server_init(&srv, NULL, S("s"));
    mice_buf out;
    buf_init(&out);
    assert_int_equal(scram_server_final(&srv, S(RFC_CLIENT_FINAL), &out, NULL), MICE_INVALID);
    assert_int_equal(scram_server_first(&srv, S(RFC_CLIENT_FIRST), &out, NULL), MICE_INVALID);
    scram_server_deinit(&srv);

    scram_client cli;
    scram_client_init(&cli, "us,er=", "pencil", S(RFC_CLIENT_NONCE));
    mice_err err;
    assert_int_equal(scram_client_verify(&cli, S("v=x"), &err), MICE_INVALID);
    buf_reset(&out);
    scram_client_first(&cli, &out);
    assert_buf_eq(&out, "n,,n=us=2Cer=3D,r=" RFC_CLIENT_NONCE);
    buf_reset(&out);
    /* The server nonce must extend ours. */
    assert_int_equal(
        scram_client_final(&cli, S("r=other,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), &out, &err),
        MICE_INVALID);
    assert_int_equal(scram_client_final(&cli, S("r=" RFC_CLIENT_NONCE "x,s=W22Z,i=0"), &out, &err),
                     MICE_INVALID);
    assert_int_equal(
        scram_client_final(&cli, S("r=" RFC_CLIENT_NONCE "x,s=W22ZaJ0S,i=99999999"), &out, &err),
        MICE_INVALID);
    assert_int_equal(scram_client_final(&cli, S(RFC_SERVER_FIRST), &out, &err), MICE_OK);
    assert_int_equal(scram_client_verify(&cli, S("e=invalid-proof"), &err), MICE_INVALID);
    assert_non_null(strstr(err.msg, "invalid-proof"));
    assert_int_equal(
        scram_client_verify(&cli, S("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), &err),
        MICE_ABORTED);
    buf_deinit(&out);
    scram_client_deinit(&cli);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc7677_client_and_server),
        cmocka_unit_test(test_real_postgres_verifier_and_exchange),
        cmocka_unit_test(test_verifier_text_round_trip_and_errors),
        cmocka_unit_test(test_base64_strict),
        cmocka_unit_test(test_wrong_password_and_mock),
        cmocka_unit_test(test_malformed_client_first),
        cmocka_unit_test(test_malformed_client_final),
        cmocka_unit_test(test_out_of_order_and_client_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
