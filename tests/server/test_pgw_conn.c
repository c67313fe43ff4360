/* Unit tests for server/pgw_conn: start-up, authentication (trust and SCRAM), simple and
 * extended query flows against a canned session, the skip-until-Sync rule, COPY, Flush,
 * async sessions and malformed streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/pgw_conn.h"
#include "server/support/fake_session.h"
#include "server/support/pgw_fe.h"

enum { TYPES_MAX = 8192, MSGS_MAX = 4096 };

typedef struct t_conn {
    fake_session fs;
    pgw_conn_config cfg;
    pgw_conn *c;
    mice_buf in, out;
    char types[TYPES_MAX];
    be_msg msgs[MSGS_MAX];
    size_t n_msgs;
} t_conn;

static int setup(void **state)
{
    t_conn *t = calloc(1, sizeof *t);
    fake_session_init(&t->fs);
    t->cfg = (pgw_conn_config){.backend_pid = 77,
                               .secret_key = 0x1234,
                               .insecure = true,
                               .peer_is_loopback = true,
                               .is_superuser = false};
    t->c = pgw_conn_create(&t->cfg, &fake_session_vtab, &t->fs);
    buf_init(&t->in);
    buf_init(&t->out);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    t_conn *t = *state;
    pgw_conn_destroy(t->c);
    fake_session_deinit(&t->fs);
    buf_deinit(&t->in);
    buf_deinit(&t->out);
    free(t);
    return 0;
}

/* Recreate the connection after changing t->cfg. */
static void reopen(t_conn *t)
{
    pgw_conn_destroy(t->c);
    t->c = pgw_conn_create(&t->cfg, &fake_session_vtab, &t->fs);
}

static void send_in(t_conn *t)
{
    pgw_conn_recv(t->c, t->in.p, t->in.n);
    buf_reset(&t->in);
}

/* Take the output and return its message types; the messages land in t->msgs. */
static const char *out_types(t_conn *t)
{
    buf_reset(&t->out);
    pgw_conn_take_output(t->c, &t->out);
    t->n_msgs = be_split(buf_slice(&t->out), t->msgs, MSGS_MAX);
    return be_types(buf_slice(&t->out), t->types, sizeof t->types);
}

static const char *status_value(t_conn *t, const char *name)
{
    const char *found = NULL;
    for (size_t i = 0; i < t->n_msgs; i++) {
        if (t->msgs[i].type != 'S') continue;
        const char *n = (const char *)t->msgs[i].body.p;
        if (strcmp(n, name) == 0) found = n + strlen(n) + 1;
    }
    return found;
}

static const char *field_of(t_conn *t, char type, char code)
{
    for (size_t i = 0; i < t->n_msgs; i++)
        if (t->msgs[i].type == type) return be_error_field(&t->msgs[i], code);
    return "";
}

static char rfq_status(t_conn *t)
{
    for (size_t i = t->n_msgs; i > 0; i--)
        if (t->msgs[i - 1].type == 'Z') return (char)t->msgs[i - 1].body.p[0];
    return 0;
}

/* Everything up to ReadyForQuery for a trusted connection. */
#define READY_TYPES "RSSSSSSSSSSSSSSKZ"

static void connect_as(t_conn *t, const char *user, const char *db)
{
    const char *kv[] = {"user", user, "database", db, "application_name", "pgbench", NULL};
    fe_startup(&t->in, PGW_PROTOCOL_3_0, kv);
    send_in(t);
}

static void test_psql_startup_and_simple_query(void **state)
{
    t_conn *t = *state;
    buf_append(&t->in, fe_psql15_startup, 8); /* SSLRequest */
    send_in(t);
    buf_reset(&t->out);
    pgw_conn_take_output(t->c, &t->out);
    assert_int_equal(t->out.n, 1);
    assert_int_equal(t->out.p[0], 'N');
    buf_append(&t->in, fe_psql15_startup + 8, fe_psql15_startup_len - 8);
    send_in(t);
    assert_string_equal(out_types(t), READY_TYPES);        /* 13 + the session's mice_node */
    assert_memory_equal(t->msgs[0].body.p, "\0\0\0\0", 4); /* AuthenticationOk */
    assert_string_equal(status_value(t, "server_version"), "15.18 (MiceDB)");
    assert_string_equal(status_value(t, "server_encoding"), "UTF8");
    assert_string_equal(status_value(t, "client_encoding"), "UTF8");
    assert_string_equal(status_value(t, "DateStyle"), "ISO, MDY");
    assert_string_equal(status_value(t, "integer_datetimes"), "on");
    assert_string_equal(status_value(t, "standard_conforming_strings"), "on");
    assert_string_equal(status_value(t, "TimeZone"), "Etc/UTC");
    assert_string_equal(status_value(t, "application_name"), "psql");
    assert_string_equal(status_value(t, "session_authorization"), "postgres");
    assert_string_equal(status_value(t, "is_superuser"), "on"); /* session override */
    assert_string_equal(status_value(t, "mice_node"), "1");
    const be_msg *k = &t->msgs[t->n_msgs - 2];
    assert_memory_equal(k->body.p, "\0\0\0\x4d\0\0\x12\x34", 8);
    assert_int_equal(rfq_status(t), 'I');
    assert_true(pgw_conn_is_ready(t->c));
    const pgw_startup_info *info = pgw_conn_startup_info(t->c);
    assert_string_equal(info->database, "postgres");
    assert_int_equal(info->n_params, 4);

    fe_query(&t->in, "select 1; select 2");
    send_in(t);
    assert_string_equal(out_types(t), "TDCTDCZ");
    assert_memory_equal(t->msgs[1].body.p,
                        "\0\1\0\0\0\1"
                        "1",
                        7);
    assert_string_equal((const char *)t->msgs[2].body.p, "SELECT 1");
    fe_terminate(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "");
    assert_true(pgw_conn_closing(t->c));
    assert_false(pgw_conn_wants_input(t->c));
    assert_string_equal(pgw_conn_close_reason(t->c), "");
    fe_query(&t->in, "select 1"); /* ignored once closing */
    send_in(t);
    assert_string_equal(out_types(t), "");
}

/* The same client bytes, whole or one byte at a time, give the same server bytes. */
static void build_session_stream(mice_buf *b)
{
    fe_ssl_request(b);
    const char *kv[] = {"user", "u", "database", "d", NULL};
    fe_startup(b, PGW_PROTOCOL_3_0, kv);
    fe_query(b, "begin; select 1");
    fe_parse(b, "P_0", "select $1", NULL, 0);
    fe_sync(b);
    pgw_value v = {.data = MICE_SLICE_LIT("5")};
    fe_bind(b, "", "P_0", NULL, 0, &v, 1, NULL, 0);
    fe_describe(b, 'P', "");
    fe_execute(b, "", 0);
    fe_sync(b);
    fe_query(b, "copy in");
    fe_copy_data(b, "1\n", 2);
    fe_copy_done(b);
    fe_query(b, "commit");
    fe_terminate(b);
}

static void test_byte_at_a_time_equals_whole(void **state)
{
    t_conn *t = *state;
    mice_buf stream, whole, bytewise;
    buf_init(&stream), buf_init(&whole), buf_init(&bytewise);
    build_session_stream(&stream);
    pgw_conn_recv(t->c, stream.p, stream.n);
    pgw_conn_take_output(t->c, &whole);
    assert_true(pgw_conn_closing(t->c));
    reopen(t);
    fake_session_deinit(&t->fs);
    fake_session_init(&t->fs);
    for (size_t i = 0; i < stream.n; i++) {
        pgw_conn_recv(t->c, stream.p + i, 1);
        pgw_conn_take_output(t->c, &bytewise);
    }
    assert_true(pgw_conn_closing(t->c));
    assert_int_equal(whole.n, bytewise.n);
    assert_memory_equal(whole.p, bytewise.p, whole.n);
    /* 'N', ready sequence, then the session's answers. */
    assert_string_equal(be_types(mice_slice_of(whole.p + 1, whole.n - 1), t->types, TYPES_MAX),
                        READY_TYPES "CTDCZ"
                                    "1Z"
                                    "2TDCZ"
                                    "GCZ"
                                    "CZ");
    buf_deinit(&stream), buf_deinit(&whole), buf_deinit(&bytewise);
}

static void test_ssl_gss_and_cancel(void **state)
{
    t_conn *t = *state;
    fe_gssenc_request(&t->in);
    fe_ssl_request(&t->in);
    send_in(t);
    buf_reset(&t->out);
    pgw_conn_take_output(t->c, &t->out);
    assert_int_equal(t->out.n, 2);
    assert_memory_equal(t->out.p, "NN", 2);
    fe_ssl_request(&t->in); /* a second one is a protocol violation */
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'S'), "FATAL");
    assert_string_equal(field_of(t, 'E', 'C'), "08P01");
    assert_true(pgw_conn_closing(t->c));

    reopen(t);
    fe_cancel_request(&t->in, 4242, 99);
    send_in(t);
    assert_string_equal(out_types(t), "");
    assert_true(pgw_conn_closing(t->c));
    int32_t pid = 0, key = 0;
    assert_true(pgw_conn_take_cancel(t->c, &pid, &key));
    assert_int_equal(pid, 4242);
    assert_int_equal(key, 99);
    assert_false(pgw_conn_take_cancel(t->c, &pid, &key));
}

static void expect_startup_fatal(t_conn *t, const char *const *kv, int32_t version,
                                 const char *sqlstate)
{
    reopen(t);
    fe_startup(&t->in, version, kv);
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'S'), "FATAL");
    assert_string_equal(field_of(t, 'E', 'C'), sqlstate);
    assert_true(pgw_conn_closing(t->c));
    assert_false(pgw_conn_is_ready(t->c));
}

static void test_startup_refusals(void **state)
{
    t_conn *t = *state;
    const char *ok[] = {"user", "u", NULL};
    expect_startup_fatal(t, ok, 2 << 16, "0A000");
    expect_startup_fatal(t, ok, 4 << 16, "0A000");
    const char *no_user[] = {"database", "d", NULL};
    expect_startup_fatal(t, no_user, PGW_PROTOCOL_3_0, "28000");
    const char *empty_user[] = {"user", "", NULL};
    expect_startup_fatal(t, empty_user, PGW_PROTOCOL_3_0, "28000");
    const char *latin1[] = {"user", "u", "client_encoding", "LATIN1", NULL};
    expect_startup_fatal(t, latin1, PGW_PROTOCOL_3_0, "22023");
    const char *utf80[] = {"user", "u", "client_encoding", "utf80", NULL};
    expect_startup_fatal(t, utf80, PGW_PROTOCOL_3_0, "22023");
    const char *repl[] = {"user", "u", "replication", "database", NULL};
    expect_startup_fatal(t, repl, PGW_PROTOCOL_3_0, "0A000");
    /* Insecure mode refuses non-loopback peers. */
    t->cfg.peer_is_loopback = false;
    expect_startup_fatal(t, ok, PGW_PROTOCOL_3_0, "28000");
    t->cfg.peer_is_loopback = true;
    /* A database the session does not know: FATAL after AuthenticationOk. */
    reopen(t);
    connect_as(t, "u", "nodb");
    assert_string_equal(out_types(t), "RE");
    assert_string_equal(field_of(t, 'E', 'C'), "3D000");
    assert_true(pgw_conn_closing(t->c));
    assert_non_null(strstr(pgw_conn_close_reason(t->c), "nodb"));
}

static void test_negotiate_protocol_version(void **state)
{
    t_conn *t = *state;
    const char *kv[] = {
        "user",  "u", "_pq_.compression", "on", "client_encoding", "'utf-8'", "replication",
        "false", NULL};
    fe_startup(&t->in, PGW_PROTOCOL_3_0 | 2, kv);
    send_in(t);
    assert_string_equal(out_types(t), "v" READY_TYPES);
    assert_memory_equal(t->msgs[0].body.p, "\0\0\0\0\0\0\0\1_pq_.compression\0", 25);
    assert_string_equal(pgw_conn_startup_info(t->c)->database, "u"); /* defaults to user */
}

/* Run the SCRAM exchange through the connection with the given password. */
static mice_status scram_login(t_conn *t, const char *user, const char *password,
                               const char *mechanism)
{
    connect_as(t, user, "d");
    assert_string_equal(out_types(t), "R");
    assert_memory_equal(t->msgs[0].body.p, "\0\0\0\x0aSCRAM-SHA-256\0\0", 19);
    scram_client cli;
    scram_client_init(&cli, "", password, MICE_SLICE_LIT("clientnonce"));
    mice_buf m;
    buf_init(&m);
    scram_client_first(&cli, &m);
    fe_sasl_initial(&t->in, mechanism, m.p, (int32_t)m.n);
    send_in(t);
    mice_status rc = MICE_ABORTED;
    if (strcmp(out_types(t), "R") != 0) goto done;
    buf_reset(&m);
    mice_slice server_first = mice_slice_of(t->msgs[0].body.p + 4, t->msgs[0].body.n - 4);
    assert_int_equal(scram_client_final(&cli, server_first, &m, NULL), MICE_OK);
    fe_sasl_response(&t->in, m.p, m.n);
    send_in(t);
    const char *types = out_types(t);
    if (strcmp(types, "R" READY_TYPES) != 0) goto done;
    mice_slice final = mice_slice_of(t->msgs[0].body.p + 4, t->msgs[0].body.n - 4);
    rc = scram_client_verify(&cli, final, NULL);
done:
    buf_deinit(&m);
    scram_client_deinit(&cli);
    return rc;
}

static void test_scram_login(void **state)
{
    t_conn *t = *state;
    scram_verifier v;
    assert_int_equal(scram_verifier_make("pencil", MICE_SLICE_LIT("salt"), 0, &v, NULL), MICE_OK);
    t->fs.verifier = &v;
    t->cfg.insecure = false;
    t->cfg.peer_is_loopback = false;
    t->cfg.scram_nonce = MICE_SLICE_LIT("servernonce");
    reopen(t);
    assert_int_equal(scram_login(t, "alice", "pencil", "SCRAM-SHA-256"), MICE_OK);
    assert_true(pgw_conn_is_ready(t->c));
    assert_non_null(strstr((const char *)t->fs.log.p, "lookup(alice);start(d);"));

    reopen(t);
    assert_int_equal(scram_login(t, "alice", "pencilx", "SCRAM-SHA-256"), MICE_ABORTED);
    assert_string_equal(t->types, "E");
    assert_string_equal(field_of(t, 'E', 'C'), "28P01");
    assert_string_equal(field_of(t, 'E', 'M'), "password authentication failed for user \"alice\"");
    assert_true(pgw_conn_closing(t->c));

    /* Unknown user: same messages, same failure. */
    reopen(t);
    assert_int_equal(scram_login(t, "bob", "pencil", "SCRAM-SHA-256"), MICE_ABORTED);
    assert_string_equal(field_of(t, 'E', 'C'), "28P01");

    reopen(t);
    assert_int_equal(scram_login(t, "alice", "pencil", "SCRAM-SHA-256-PLUS"), MICE_ABORTED);
    assert_string_equal(field_of(t, 'E', 'C'), "08P01");
    assert_true(pgw_conn_closing(t->c));
}

/* Insecure mode asks for the verifier first: no password is trust, a password is SCRAM. */
static void test_insecure_trust_or_scram(void **state)
{
    t_conn *t = *state;
    scram_verifier v;
    assert_int_equal(scram_verifier_make("pencil", MICE_SLICE_LIT("salt"), 0, &v, NULL), MICE_OK);
    t->fs.verifier = &v;
    t->cfg.scram_nonce = MICE_SLICE_LIT("servernonce");
    reopen(t);
    connect_as(t, "u", "d"); /* no password */
    assert_string_equal(out_types(t), READY_TYPES);
    assert_non_null(strstr((const char *)t->fs.log.p, "lookup(u);start(d);"));

    reopen(t);
    assert_int_equal(scram_login(t, "alice", "pencil", "SCRAM-SHA-256"), MICE_OK);
    assert_true(pgw_conn_is_ready(t->c));

    reopen(t);
    assert_int_equal(scram_login(t, "alice", "wrong", "SCRAM-SHA-256"), MICE_ABORTED);
    assert_string_equal(t->types, "E");
    assert_string_equal(field_of(t, 'E', 'S'), "FATAL");
    assert_string_equal(field_of(t, 'E', 'C'), "28P01");
    assert_string_equal(field_of(t, 'E', 'M'), "password authentication failed for user \"alice\"");
    assert_true(pgw_conn_closing(t->c));

    /* A client that answers AuthenticationSASL with a Terminate (psql without password). */
    reopen(t);
    connect_as(t, "alice", "d");
    assert_string_equal(out_types(t), "R");
    fe_terminate(&t->in);
    send_in(t);
    assert_true(pgw_conn_closing(t->c));
    assert_false(pgw_conn_is_ready(t->c));

    /* Not loopback: refused before the lookup, password or not. */
    buf_reset(&t->fs.log);
    t->cfg.peer_is_loopback = false;
    reopen(t);
    connect_as(t, "alice", "d");
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'C'), "28000");
    assert_true(pgw_conn_closing(t->c));
    assert_int_equal(t->fs.log.n, 0); /* no lookup */
}

static void test_scram_protocol_violations(void **state)
{
    t_conn *t = *state;
    t->cfg.insecure = false;
    reopen(t);
    connect_as(t, "alice", "d");
    assert_string_equal(out_types(t), "R");
    fe_query(&t->in, "select 1"); /* not a SASL response */
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'C'), "08P01");

    reopen(t);
    connect_as(t, "alice", "d");
    out_types(t);
    fe_sasl_initial(&t->in, "SCRAM-SHA-256", "p=tls-unique,,n=,r=x", 20);
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_non_null(strstr(field_of(t, 'E', 'M'), "channel binding"));

    reopen(t);
    connect_as(t, "alice", "d");
    out_types(t);
    fe_sasl_initial(&t->in, "SCRAM-SHA-256", NULL, -1);
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'C'), "08P01");

    reopen(t);
    connect_as(t, "alice", "d");
    out_types(t);
    fe_terminate(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "");
    assert_true(pgw_conn_closing(t->c));
}

static void test_extended_pgbench_prepared(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    fe_parse(&t->in, "P_0", "select abalance from a where aid = $1;", NULL, 0);
    fe_sync(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "1Z");
    for (int i = 0; i < 3; i++) {
        pgw_value v = {.data = MICE_SLICE_LIT("7")};
        fe_bind(&t->in, "", "P_0", NULL, 0, &v, 1, NULL, 0);
        fe_describe(&t->in, 'P', "");
        fe_execute(&t->in, "", 0);
        fe_sync(&t->in);
        send_in(t);
        assert_string_equal(out_types(t), "2TDCZ");
    }
    fe_describe(&t->in, 'S', "P_0");
    fe_close(&t->in, 'S', "P_0");
    fe_close(&t->in, 'P', "nonexistent");
    fe_sync(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "tT33Z");
    assert_memory_equal(t->msgs[0].body.p, "\0\1\0\0\0\x17", 6);
    /* Describe of a statement without rows: NoData. */
    fe_parse(&t->in, "", "begin", NULL, 0);
    fe_describe(&t->in, 'S', "");
    fe_sync(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "1tnZ");
}

static void test_error_discards_until_sync(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    buf_reset(&t->fs.log);
    fe_parse(&t->in, "", "bad syntax", NULL, 0);
    fe_bind(&t->in, "", "", NULL, 0, NULL, 0, NULL, 0);
    fe_describe(&t->in, 'P', "");
    fe_execute(&t->in, "", 0);
    fe_query(&t->in, "select 1"); /* also discarded */
    fe_flush(&t->in);
    fe_sync(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "EZ");
    assert_string_equal(field_of(t, 'E', 'C'), "42601");
    assert_string_equal(field_of(t, 'E', 'P'), "1");
    assert_string_equal((const char *)t->fs.log.p, "parse();sync();");
    /* After the Sync everything works again. */
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "TDCZ");
    /* An error in the middle: what came before stands, the rest is skipped. */
    fe_parse(&t->in, "s1", "select 1", NULL, 0);
    fe_bind(&t->in, "", "missing", NULL, 0, NULL, 0, NULL, 0);
    fe_execute(&t->in, "", 0);
    fe_sync(&t->in);
    fe_parse(&t->in, "s1", "select 1", NULL, 0); /* duplicate name */
    fe_sync(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "1EZEZ");
    assert_string_equal(be_error_field(&t->msgs[1], 'C'), "26000");
    assert_string_equal(be_error_field(&t->msgs[3], 'C'), "42P05");
    /* Terminate is honoured while skipping. */
    fe_parse(&t->in, "", "bad", NULL, 0);
    fe_execute(&t->in, "", 0);
    fe_terminate(&t->in);
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_true(pgw_conn_closing(t->c));
    assert_string_equal(pgw_conn_close_reason(t->c), "");
}

/* asyncpg prepares with Parse, Describe, Flush and waits: an error is sent at once, not held
 * until a Sync the client has not sent. */
static void test_error_is_flushed_before_sync(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    fe_parse(&t->in, "s", "bad syntax", NULL, 0);
    fe_describe(&t->in, 'S', "s");
    fe_flush(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "E");
    fe_sync(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "Z");
}

static void test_flush_and_output_threshold(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    fe_parse(&t->in, "", "select 1", NULL, 0);
    send_in(t);
    assert_string_equal(out_types(t), ""); /* held until Flush or Sync */
    assert_true(pgw_conn_output_bytes(t->c) > 0);
    fe_flush(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "1");
    /* Many rows without Sync: flushed in buffer-sized pieces anyway. */
    t->fs.rows_per_select = 3000;
    fe_bind(&t->in, "", "", NULL, 0, NULL, 0, NULL, 0);
    fe_execute(&t->in, "", 0);
    send_in(t);
    buf_reset(&t->out);
    pgw_conn_take_output(t->c, &t->out);
    assert_true(t->out.n >= PGW_OUTPUT_FLUSH_BYTES);
    assert_true(pgw_conn_output_bytes(t->c) < PGW_OUTPUT_FLUSH_BYTES);
    fe_sync(&t->in);
    send_in(t);
    pgw_conn_take_output(t->c, &t->out);
    assert_int_equal(t->out.p[t->out.n - 6], 'Z');
}

static void test_execute_row_limit(void **state)
{
    t_conn *t = *state;
    t->fs.rows_per_select = 5;
    connect_as(t, "u", "d");
    out_types(t);
    fe_parse(&t->in, "", "select x", NULL, 0);
    fe_bind(&t->in, "c1", "", NULL, 0, NULL, 0, NULL, 0);
    fe_execute(&t->in, "c1", 2);
    fe_execute(&t->in, "c1", 2);
    fe_flush(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "12DDsDDs");
    fe_execute(&t->in, "c1", 2);
    fe_sync(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "DCZ");
    assert_string_equal((const char *)t->msgs[1].body.p, "SELECT 5");
}

static void test_transaction_status(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    fe_query(&t->in, "begin");
    send_in(t);
    assert_string_equal(out_types(t), "CZ");
    assert_int_equal(rfq_status(t), 'T');
    fe_query(&t->in, "select 1; bad; select 2");
    send_in(t);
    assert_string_equal(out_types(t), "TDCEZ"); /* the statement after the error never ran */
    assert_int_equal(rfq_status(t), 'E');
    fe_query(&t->in, "rollback");
    send_in(t);
    assert_string_equal(out_types(t), "CZ");
    assert_int_equal(rfq_status(t), 'I');
    fe_query(&t->in, "");
    fe_query(&t->in, "  ;  ; ");
    send_in(t);
    assert_string_equal(out_types(t), "IZIZ");
    fe_query(&t->in, "notice; set myapp");
    send_in(t);
    assert_string_equal(out_types(t), "NCSCZ");
    assert_string_equal(status_value(t, "application_name"), "myapp");
    fe_function_call(&t->in, 1598, NULL, 0, NULL, 0, 0);
    send_in(t);
    assert_string_equal(out_types(t), "EZ");
    assert_string_equal(field_of(t, 'E', 'C'), "0A000");
}

static void test_copy_in_and_out(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    fe_query(&t->in, "copy in");
    send_in(t);
    assert_string_equal(out_types(t), "G");
    assert_memory_equal(t->msgs[0].body.p, "\0\0\2\0\0\0\0", 7);
    for (int i = 0; i < 3; i++)
        fe_copy_data(&t->in, "1\t1\t0\t\n", 7);
    fe_copy_data(&t->in, "\\.\n", 3);
    fe_flush(&t->in); /* ignored during COPY */
    fe_sync(&t->in);
    fe_copy_done(&t->in);
    send_in(t);
    assert_string_equal(out_types(t), "CZ");
    assert_string_equal((const char *)t->msgs[0].body.p, "COPY 4");
    /* CopyFail */
    fe_query(&t->in, "copy in");
    fe_copy_data(&t->in, "1\n", 2);
    fe_copy_fail(&t->in, "user cancelled");
    send_in(t);
    assert_string_equal(out_types(t), "GEZ");
    assert_string_equal(field_of(t, 'E', 'C'), "57014");
    /* The session rejects a row: the rest of the copy stream is dropped. */
    fe_query(&t->in, "copy in");
    fe_copy_data(&t->in, "boom\n", 5);
    fe_copy_data(&t->in, "2\n", 2);
    fe_copy_done(&t->in);
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "GEZTDCZ");
    assert_string_equal(field_of(t, 'E', 'C'), "22P04");
    /* A message that has no place in COPY is fatal. */
    fe_query(&t->in, "copy in");
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "GE");
    assert_string_equal(field_of(t, 'E', 'S'), "FATAL");
    assert_true(pgw_conn_closing(t->c));

    reopen(t);
    connect_as(t, "u", "d");
    out_types(t);
    fe_query(&t->in, "copy out");
    send_in(t);
    assert_string_equal(out_types(t), "HddcCZ");
}

static void test_malformed_streams(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    /* Unknown type byte: FATAL 08P01 with PostgreSQL's text, and close. */
    buf_append(&t->in, "y\0\0\0\10junk", 9);
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'S'), "FATAL");
    assert_string_equal(field_of(t, 'E', 'C'), "08P01");
    assert_string_equal(field_of(t, 'E', 'M'), "invalid frontend message type 121");
    assert_true(pgw_conn_closing(t->c));
    /* A password message after start-up. */
    reopen(t);
    connect_as(t, "u", "d");
    out_types(t);
    fe_password(&t->in, "x");
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_true(pgw_conn_closing(t->c));
    /* Oversized message: refused from its header. */
    t->cfg.max_msg_bytes = 100;
    reopen(t);
    connect_as(t, "u", "d");
    out_types(t);
    buf_append(&t->in, "Q\0\0\0\x69", 5);
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'C'), "54000");
    assert_true(pgw_conn_closing(t->c));
    /* Garbage instead of a start-up packet. */
    reopen(t);
    buf_append(&t->in, "GET / HTTP/1.1\r\n\r\n", 18);
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_true(pgw_conn_closing(t->c));
    /* A session FATAL closes after its request. */
    reopen(t);
    connect_as(t, "u", "d");
    out_types(t);
    fe_query(&t->in, "fatal");
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'C'), "57P01");
    assert_true(pgw_conn_closing(t->c));
}

/* Expect one ERROR 08P01 (not FATAL) with this message as the first output message. */
static void expect_protocol_error(t_conn *t, const char *types, const char *message)
{
    assert_string_equal(out_types(t), types);
    assert_string_equal(field_of(t, 'E', 'S'), "ERROR");
    assert_string_equal(field_of(t, 'E', 'C'), "08P01");
    assert_string_equal(field_of(t, 'E', 'M'), message);
    assert_false(pgw_conn_closing(t->c));
}

#define BODY(lit) lit, sizeof(lit) - 1

/* A valid type with a malformed body is an ERROR, and the session goes on (PostgreSQL 15). */
static void test_malformed_body_is_error_in_simple_query(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    fe_raw(&t->in, 'Q', BODY("select 1")); /* no terminator */
    fe_query(&t->in, "select 1");
    send_in(t);
    expect_protocol_error(t, "EZTDCZ", "invalid string in message");
    fe_raw(&t->in, 'Q', BODY("select 1\0junk"));
    send_in(t);
    expect_protocol_error(t, "EZ", "invalid message format");
    /* FunctionCall is not extended query either: ReadyForQuery follows at once. */
    fe_raw(&t->in, 'F', BODY("\0\0\0\1\0\0\0\0"));
    send_in(t);
    expect_protocol_error(t, "EZ", "insufficient data left in message");
    /* A malformed Sync outside a skip: error, ReadyForQuery, no sync request. */
    buf_reset(&t->fs.log);
    fe_raw(&t->in, 'S', BODY("x"));
    send_in(t);
    expect_protocol_error(t, "EZ", "invalid message format");
    assert_int_equal(t->fs.log.n, 0);
    /* Bodies PostgreSQL never reads: COPY leftovers are dropped, Terminate closes. */
    fe_raw(&t->in, 'c', BODY("junk"));
    fe_raw(&t->in, 'f', BODY("no terminator"));
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "TDCZ");
    fe_raw(&t->in, 'X', BODY("junk"));
    send_in(t);
    assert_string_equal(out_types(t), "");
    assert_true(pgw_conn_closing(t->c));
    assert_string_equal(pgw_conn_close_reason(t->c), "");
}

static void test_malformed_body_skips_to_sync_in_extended_query(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    buf_reset(&t->fs.log);
    /* The e2e case: a statement name without its NUL, then Sync. */
    fe_raw(&t->in, 'P', BODY("no-terminator"));
    fe_bind(&t->in, "", "", NULL, 0, NULL, 0, NULL, 0);
    fe_execute(&t->in, "", 0);
    fe_raw(&t->in, 'E', BODY("p\0\0")); /* malformed too, but skipped unread */
    fe_query(&t->in, "select 1");       /* skipped as well */
    fe_sync(&t->in);
    send_in(t);
    expect_protocol_error(t, "EZ", "invalid string in message");
    assert_string_equal((const char *)t->fs.log.p, "sync(after error);");
    assert_int_equal(rfq_status(t), 'I');
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "TDCZ");
    /* In the middle of a batch: what came before stands, the rest is skipped. */
    static const int16_t two_formats[] = {0, 0};
    fe_parse(&t->in, "s1", "select 1", NULL, 0);
    fe_bind(&t->in, "", "s1", two_formats, 2, NULL, 0, NULL, 0);
    fe_execute(&t->in, "", 0);
    fe_sync(&t->in);
    send_in(t);
    expect_protocol_error(t, "1EZ", "bind message has 2 parameter formats but 0 parameters");
    /* Each extended message kind starts the skip. */
    struct {
        uint8_t type;
        const char *body;
        size_t n;
        const char *message;
    } cases[] = {
        {'B', BODY("\0s1\0\0\0\0\1\xff\xff\xff\xfe\0\0"), "insufficient data left in message"},
        {'B', BODY("\0s1\0\0\0\0\0\0\0junk"), "invalid message format"},
        {'D', BODY("X\0"), "invalid DESCRIBE message subtype 88"},
        {'C', BODY("Sname"), "invalid string in message"},
        {'E', BODY("\0\0\0"), "insufficient data left in message"},
        {'H', BODY("x"), "invalid message format"},
        {'P', BODY("s\0q\0\xff\xff"), "invalid message format"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fe_raw(&t->in, cases[i].type, cases[i].body, cases[i].n);
        fe_execute(&t->in, "", 0);
        fe_sync(&t->in);
        send_in(t);
        expect_protocol_error(t, "EZ", cases[i].message);
    }
    /* A malformed Sync still ends the skip, with an error of its own. */
    fe_parse(&t->in, "", "bad", NULL, 0);
    fe_raw(&t->in, 'S', BODY("x"));
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "EEZTDCZ");
    assert_string_equal(be_error_field(&t->msgs[0], 'C'), "42601");
    assert_string_equal(be_error_field(&t->msgs[1], 'S'), "ERROR");
    assert_string_equal(be_error_field(&t->msgs[1], 'C'), "08P01");
    assert_false(pgw_conn_closing(t->c));
}

static void test_malformed_body_during_copy_in(void **state)
{
    t_conn *t = *state;
    connect_as(t, "u", "d");
    out_types(t);
    /* Flush and Sync bodies are not read during COPY; a CopyDone's neither. */
    fe_query(&t->in, "copy in");
    fe_copy_data(&t->in, "1\n", 2);
    fe_raw(&t->in, 'H', BODY("x"));
    fe_raw(&t->in, 'S', BODY("x"));
    fe_raw(&t->in, 'c', BODY("junk"));
    send_in(t);
    assert_string_equal(out_types(t), "GCZ");
    /* A CopyFail without its terminator still fails the COPY; the session goes on. */
    buf_reset(&t->fs.log);
    fe_query(&t->in, "copy in");
    fe_raw(&t->in, 'f', BODY("no terminator"));
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "GEZTDCZ");
    assert_non_null(strstr((const char *)t->fs.log.p, "copy_fail(invalid string in message);"));
    assert_false(pgw_conn_closing(t->c));
    /* A Query has no place in COPY, malformed or not. */
    fe_query(&t->in, "copy in");
    fe_raw(&t->in, 'Q', BODY("select 1"));
    send_in(t);
    assert_string_equal(out_types(t), "GE");
    assert_string_equal(field_of(t, 'E', 'S'), "FATAL");
    assert_true(pgw_conn_closing(t->c));
}

static void expect_closed_with_one_error(t_conn *t, const char *bytes, size_t n,
                                         const char *sqlstate)
{
    reopen(t);
    connect_as(t, "u", "d");
    out_types(t);
    buf_append(&t->in, bytes, n);
    fe_query(&t->in, "select 1");
    send_in(t);
    assert_string_equal(out_types(t), "E");
    assert_string_equal(field_of(t, 'E', 'C'), sqlstate);
    assert_true(pgw_conn_closing(t->c));
}

/* A bad length word loses the framing: at most one error (class 08 or 54), then close. */
static void test_bad_length_closes(void **state)
{
    t_conn *t = *state;
    expect_closed_with_one_error(t, BODY("Q\0\0\0\2"), "08P01");         /* below 4 */
    expect_closed_with_one_error(t, BODY("Q\xff\xff\xff\xfb"), "08P01"); /* negative */
    expect_closed_with_one_error(t, BODY("Q\x7f\xff\xff\xf0"), "54000"); /* 2 GiB */
    expect_closed_with_one_error(t, BODY("S\0\x10\0\0xxxx"), "54000");   /* Sync of 1 MiB */
}

static void test_async_session(void **state)
{
    t_conn *t = *state;
    t->fs.async = true;
    connect_as(t, "u", "d");
    assert_string_equal(out_types(t), ""); /* the verifier lookup is pending */
    assert_false(pgw_conn_wants_input(t->c));
    assert_true(fake_session_complete(&t->fs)); /* no password: trust */
    assert_string_equal(out_types(t), "R"); /* AuthenticationOk; start is pending */
    assert_false(pgw_conn_wants_input(t->c));
    assert_true(fake_session_complete(&t->fs));
    assert_string_equal(out_types(t), &READY_TYPES[1]); /* without the R already taken */
    /* Two pipelined queries: one runs at a time, the second waits in the buffer. */
    fe_query(&t->in, "select 1");
    fe_query(&t->in, "begin");
    send_in(t);
    assert_false(pgw_conn_wants_input(t->c));
    assert_string_equal(out_types(t), "");
    fe_query(&t->in, "commit"); /* arrives while busy: kept aside */
    send_in(t);
    assert_true(fake_session_complete(&t->fs));
    assert_string_equal(out_types(t), "TDCZ");
    assert_false(pgw_conn_wants_input(t->c)); /* "begin" started */
    assert_true(fake_session_complete(&t->fs));
    assert_string_equal(out_types(t), "CZ");
    assert_int_equal(rfq_status(t), 'T');
    assert_true(fake_session_complete(&t->fs));
    assert_string_equal(out_types(t), "CZ");
    assert_int_equal(rfq_status(t), 'I');
    assert_true(pgw_conn_wants_input(t->c));
    assert_false(fake_session_complete(&t->fs));
    /* Extended: Execute answered later, then Sync. */
    fe_parse(&t->in, "", "select 1", NULL, 0);
    fe_bind(&t->in, "", "", NULL, 0, NULL, 0, NULL, 0);
    fe_execute(&t->in, "", 0);
    fe_sync(&t->in);
    send_in(t);
    assert_true(fake_session_complete(&t->fs)); /* execute */
    assert_true(fake_session_complete(&t->fs)); /* sync */
    assert_string_equal(out_types(t), "12DCZ");
    /* An async SCRAM lookup. */
    t->cfg.insecure = false;
    reopen(t);
    connect_as(t, "bob", "d");
    assert_string_equal(out_types(t), "");
    assert_true(fake_session_complete(&t->fs));
    assert_string_equal(out_types(t), "R");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_psql_startup_and_simple_query),
        T(test_byte_at_a_time_equals_whole),
        T(test_ssl_gss_and_cancel),
        T(test_startup_refusals),
        T(test_negotiate_protocol_version),
        T(test_scram_login),
        T(test_insecure_trust_or_scram),
        T(test_scram_protocol_violations),
        T(test_extended_pgbench_prepared),
        T(test_error_discards_until_sync),
        T(test_flush_and_output_threshold),
        T(test_execute_row_limit),
        T(test_transaction_status),
        T(test_copy_in_and_out),
        T(test_malformed_streams),
        T(test_malformed_body_is_error_in_simple_query),
        T(test_malformed_body_skips_to_sync_in_extended_query),
        T(test_error_is_flushed_before_sync),
        T(test_malformed_body_during_copy_in),
        T(test_bad_length_closes),
        T(test_async_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
