/*
 * The PostgreSQL server glue over real sockets on 127.0.0.1 with the fake backend
 * (tests/server/support/fake_backend.h): simple and extended queries, errors and
 * transaction status, COPY, 200 concurrent connections, a 5-million-row stream in bounded
 * memory, a client vanishing mid-stream, CancelRequest from a second connection, the
 * connection limit, stop with busy connections, address in use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/env.h"
#include "base/log.h"
#include "server/pgserver.h"
#include "server/support/fake_backend.h"
#include "server/support/pgw_fe.h"

enum {
    CLIENT_RECV_TIMEOUT_S = 60,
    MANY_CONNS = 200,
    STREAM_ROWS = 5000000,
    /* high water + one batch + one read chunk + pgw_conn's unflushed bytes, with slack */
    BUFFERED_BOUND_BYTES = 4 << 20,
    WAIT_MS = 20000,
};

/* ---------------------------------------------------------------- a blocking client */

typedef struct cli {
    int fd;
    mice_buf in;
    size_t off;
    int32_t pid, key;
} cli;

typedef struct result {
    long long rows;
    char tag[64];
    char sqlstate[8];
    char status;
    char first_value[64];
    char types[64];
} result;

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = CLIENT_RECV_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void cli_send(cli *c, mice_buf *b)
{
    size_t off = 0;
    while (off < b->n) {
        ssize_t n = send(c->fd, b->p + off, b->n - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += (size_t)n;
    }
    buf_reset(b);
}

/* The next backend message, or 0 at EOF/timeout. body borrows c->in until the next call. */
static char cli_next(cli *c, mice_slice *body)
{
    for (;;) {
        size_t avail = c->in.n - c->off;
        if (avail >= 5) {
            uint32_t len = mice_load_be32(c->in.p + c->off + 1);
            if (avail >= 1 + (size_t)len) {
                char type = (char)c->in.p[c->off];
                *body = mice_slice_of(c->in.p + c->off + 5, len - 4);
                c->off += 1 + len;
                return type;
            }
        }
        if (c->off > 0) {
            memmove(c->in.p, c->in.p + c->off, c->in.n - c->off);
            buf_truncate(&c->in, c->in.n - c->off);
            c->off = 0;
        }
        buf_reserve(&c->in, 256 * 1024);
        ssize_t n = recv(c->fd, c->in.p + c->in.n, c->in.cap - c->in.n, 0);
        if (n <= 0) return 0;
        c->in.n += (size_t)n;
    }
}

static void note(result *r, char type, mice_slice body)
{
    size_t nt = strlen(r->types);
    if (nt + 1 < sizeof r->types) r->types[nt] = type;
    be_msg m = {type, body};
    if (type == 'E' && !r->sqlstate[0])
        snprintf(r->sqlstate, sizeof r->sqlstate, "%s", be_error_field(&m, 'C'));
    if (type == 'C') snprintf(r->tag, sizeof r->tag, "%.*s", (int)body.n, (const char *)body.p);
    if (type == 'Z') r->status = (char)body.p[0];
    if (type == 'D') {
        if (r->rows == 0 && body.n >= 6) {
            int32_t len = (int32_t)mice_load_be32(body.p + 2);
            if (len >= 0 && (size_t)len < sizeof r->first_value)
                memcpy(r->first_value, body.p + 6, (size_t)len);
        }
        r->rows++;
    }
}

/* Read up to ReadyForQuery (true) or EOF (false). */
static bool cli_until_ready(cli *c, result *r)
{
    mice_slice body;
    for (;;) {
        char t = cli_next(c, &body);
        if (t == 0) return false;
        if (t == 'K') {
            c->pid = (int32_t)mice_load_be32(body.p);
            c->key = (int32_t)mice_load_be32(body.p + 4);
        }
        note(r, t, body);
        if (t == 'Z') return true;
    }
}

static bool cli_open_db(cli *c, int port, const char *db, result *r)
{
    *c = (cli){.fd = tcp_connect(port)};
    buf_init(&c->in);
    mice_buf b;
    buf_init(&b);
    const char *kv[] = {"user", "root", "database", db, NULL};
    fe_startup(&b, PGW_PROTOCOL_3_0, kv);
    cli_send(c, &b);
    buf_deinit(&b);
    *r = (result){0};
    return cli_until_ready(c, r);
}

static void cli_open(cli *c, int port)
{
    result r;
    assert_true(cli_open_db(c, port, "test", &r));
    assert_int_equal(r.status, 'I');
}

static void cli_close(cli *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    buf_deinit(&c->in);
}

static void cli_send_query(cli *c, const char *sql)
{
    mice_buf b;
    buf_init(&b);
    fe_query(&b, sql);
    cli_send(c, &b);
    buf_deinit(&b);
}

static result cli_query(cli *c, const char *sql)
{
    cli_send_query(c, sql);
    result r = {0};
    assert_true(cli_until_ready(c, &r));
    return r;
}

/* ---------------------------------------------------------------- the server under test */

typedef struct fx {
    ioloop *loop;
    workpool *pool;
    fake_backend *fb;
    pgserver *srv;
    int port;
} fx;

static void fx_start_pool(fx *f, size_t max_conns, int threads, size_t queue_max)
{
    mice_err err;
    assert_int_equal(ioloop_start("io", &f->loop, &err), MICE_OK);
    workpool_config wc = {.threads = threads, .queue_max = queue_max, .name = "worker"};
    assert_int_equal(workpool_create(&wc, &f->pool, &err), MICE_OK);
    f->fb = fake_backend_create();
    pgserver_config cfg = {.listen_addr = "127.0.0.1:0",
                           .insecure = true,
                           .max_connections = max_conns,
                           .loop = f->loop,
                           .pool = f->pool,
                           .backend = &fake_backend_vtab,
                           .backend_ctx = f->fb};
    assert_int_equal(pgserver_create(&cfg, &f->srv, &err), MICE_OK);
    assert_int_equal(pgserver_start(f->srv, &err), MICE_OK);
    f->port = pgserver_port(f->srv);
    assert_true(f->port > 0);
}

static void fx_start(fx *f, size_t max_conns)
{
    fx_start_pool(f, max_conns, 4, 0);
}

static void fx_stop(fx *f)
{
    pgserver_destroy(f->srv);
    assert_int_equal(fake_backend_get_stats(f->fb).sessions_live, 0);
    workpool_destroy(f->pool);
    ioloop_destroy(f->loop);
    fake_backend_destroy(f->fb);
}

static uint64_t now_ms(void)
{
    return env_mono_ns(mice_env_real()) / MICE_NS_PER_MS;
}

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

/* Poll until the fake backend's live sessions drop to n. */
static void wait_sessions(fx *f, int64_t n)
{
    uint64_t deadline = now_ms() + WAIT_MS;
    while (fake_backend_get_stats(f->fb).sessions_live != n && now_ms() < deadline)
        sleep_ms(5);
    assert_int_equal(fake_backend_get_stats(f->fb).sessions_live, n);
}

/* ---------------------------------------------------------------- tests */

static void test_simple_queries_errors_and_status(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    assert_true(c.pid > 0);
    result r = cli_query(&c, "SELECT 5");
    assert_string_equal(r.types, "TDCZ");
    assert_string_equal(r.first_value, "5");
    assert_string_equal(r.tag, "SELECT 1");
    r = cli_query(&c, "SELECT 1; GENERATE 3; NOTICE");
    assert_string_equal(r.types, "TDCTDDDCNCZ");
    r = cli_query(&c, "  ");
    assert_string_equal(r.types, "IZ");
    r = cli_query(&c, "BEGIN; FAIL; SELECT 1");
    assert_string_equal(r.types, "CEZ");
    assert_string_equal(r.sqlstate, "22012");
    assert_int_equal(r.status, 'E');
    r = cli_query(&c, "SELECT 1");
    assert_string_equal(r.sqlstate, "25P02");
    r = cli_query(&c, "ROLLBACK");
    assert_int_equal(r.status, 'I');
    r = cli_query(&c, "what");
    assert_string_equal(r.sqlstate, "42601");
    pgserver_stats st = pgserver_get_stats(f.srv);
    assert_int_equal(st.conns_open, 1);
    assert_int_equal(st.queries, 7);
    assert_int_equal(st.errors, 3);
    cli_close(&c);
    result fail_db;
    assert_false(cli_open_db(&c, f.port, "nodb", &fail_db)); /* FATAL, then closed */
    assert_string_equal(fail_db.sqlstate, "3D000");
    cli_close(&c);
    fx_stop(&f);
}

static void test_extended_query_with_suspension(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    mice_buf b;
    buf_init(&b);
    fe_parse(&b, "s1", "GENERATE 5", NULL, 0);
    fe_bind(&b, "p1", "s1", NULL, 0, NULL, 0, NULL, 0);
    fe_describe(&b, 'P', "p1");
    fe_execute(&b, "p1", 2);
    fe_execute(&b, "p1", 0);
    fe_sync(&b);
    pgw_value v = {.data = MICE_SLICE_LIT("hello")};
    fe_parse(&b, "", "SELECT $1", NULL, 0);
    fe_bind(&b, "", "", NULL, 0, &v, 1, NULL, 0);
    fe_describe(&b, 'S', "");
    fe_execute(&b, "", 0);
    fe_bind(&b, "", "nope", NULL, 0, NULL, 0, NULL, 0);
    fe_execute(&b, "", 0); /* skipped: after an error, everything up to Sync */
    fe_sync(&b);
    cli_send(&c, &b);
    buf_deinit(&b);
    result r = {0};
    assert_true(cli_until_ready(&c, &r));
    if (strcmp(r.types, "12TDDsDDDCZ") != 0) printf("# sqlstate %s\n", r.sqlstate);
    assert_string_equal(r.types, "12TDDsDDDCZ");
    r = (result){0};
    assert_true(cli_until_ready(&c, &r));
    assert_string_equal(r.types, "12tTDCEZ");
    assert_string_equal(r.first_value, "hello");
    assert_string_equal(r.sqlstate, "26000");
    cli_close(&c);
    fx_stop(&f);
}

/* Queries sent while one runs wait in order; each gets its answers. */
static void test_pipelined_queries(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    cli_send_query(&c, "SLEEP 100");
    sleep_ms(20);
    mice_buf b;
    buf_init(&b);
    enum { PIPELINED = 500 };
    for (int i = 0; i < PIPELINED; i++) {
        char sql[32];
        snprintf(sql, sizeof sql, "SELECT %d", i);
        fe_query(&b, sql);
    }
    cli_send(&c, &b);
    buf_deinit(&b);
    result r = {0};
    assert_true(cli_until_ready(&c, &r));
    assert_string_equal(r.tag, "SLEEP");
    for (int i = 0; i < PIPELINED; i++) {
        r = (result){0};
        assert_true(cli_until_ready(&c, &r));
        char want[16];
        snprintf(want, sizeof want, "%d", i);
        assert_string_equal(r.first_value, want);
    }
    cli_close(&c);
    fx_stop(&f);
}

static void test_copy_in_and_out(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    cli_send_query(&c, "COPY IN");
    mice_slice body;
    assert_int_equal(cli_next(&c, &body), 'G');
    mice_buf b;
    buf_init(&b);
    for (int i = 0; i < 1000; i++)
        fe_copy_data(&b, "a\nb", 3); /* lines split over messages */
    fe_copy_data(&b, "\n", 1);
    fe_copy_done(&b);
    cli_send(&c, &b);
    result r = {0};
    assert_true(cli_until_ready(&c, &r));
    assert_string_equal(r.tag, "COPY 1001");
    cli_send_query(&c, "COPY IN");
    assert_int_equal(cli_next(&c, &body), 'G');
    fe_copy_data(&b, "x\nboom\ny\n", 9);
    fe_copy_data(&b, "z\n", 2);
    fe_copy_done(&b);
    cli_send(&c, &b);
    r = (result){0};
    assert_true(cli_until_ready(&c, &r));
    assert_string_equal(r.sqlstate, "22P04");
    r = cli_query(&c, "COPY OUT 3");
    assert_string_equal(r.types, "HdddcCZ");
    assert_string_equal(r.tag, "COPY 3");
    r = cli_query(&c, "SELECT 2");
    assert_string_equal(r.first_value, "2");
    buf_deinit(&b);
    cli_close(&c);
    fx_stop(&f);
}

static void test_many_concurrent_connections(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    static cli cs[MANY_CONNS];
    for (int i = 0; i < MANY_CONNS; i++)
        cli_open(&cs[i], f.port);
    assert_int_equal(pgserver_get_stats(f.srv).conns_open, MANY_CONNS);
    for (int i = 0; i < MANY_CONNS; i++) {
        char sql[32];
        snprintf(sql, sizeof sql, "SELECT %d; GENERATE 100", i);
        cli_send_query(&cs[i], sql);
    }
    for (int i = 0; i < MANY_CONNS; i++) {
        result r = {0};
        assert_true(cli_until_ready(&cs[i], &r));
        char want[16];
        snprintf(want, sizeof want, "%d", i);
        assert_string_equal(r.first_value, want);
        assert_int_equal(r.rows, 101);
    }
    for (int i = 0; i < MANY_CONNS; i++)
        cli_close(&cs[i]);
    wait_sessions(&f, 0);
    assert_int_equal(pgserver_get_stats(f.srv).conns_total, MANY_CONNS);
    fx_stop(&f);
}

static void test_large_stream_in_bounded_memory(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    char sql[32];
    snprintf(sql, sizeof sql, "GENERATE %d", STREAM_ROWS);
    cli_send_query(&c, sql);
    sleep_ms(300); /* let the socket and the window fill: the worker must wait */
    uint64_t t0 = now_ms();
    result r = {0};
    assert_true(cli_until_ready(&c, &r));
    uint64_t ms = now_ms() - t0 + 1;
    assert_int_equal(r.rows, STREAM_ROWS);
    char want[32];
    snprintf(want, sizeof want, "SELECT %d", STREAM_ROWS);
    assert_string_equal(r.tag, want);
    pgserver_stats st = pgserver_get_stats(f.srv);
    printf("# %d rows in %llu ms (%.0f rows/s); most output buffered %llu bytes\n", STREAM_ROWS,
           (unsigned long long)ms, STREAM_ROWS * 1000.0 / (double)ms,
           (unsigned long long)st.output_buffered_max_bytes);
    assert_true(st.output_buffered_max_bytes < BUFFERED_BOUND_BYTES);
    assert_true(st.output_buffered_max_bytes > PGSERVER_OUTPUT_LOW_WATER_BYTES);
    assert_true(ioloop_get_stats(f.loop).read_pauses > 0); /* the window really closed */
    cli_close(&c);
    fx_stop(&f);
}

static void test_client_vanishes_mid_stream(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    cli_send_query(&c, "GENERATE 1000000000");
    mice_slice body;
    for (int i = 0; i < 10000; i++)
        assert_int_not_equal(cli_next(&c, &body), 0);
    cli_close(&c);
    wait_sessions(&f, 0);
    assert_int_equal(fake_backend_get_stats(f.fb).streams_stopped, 1);
    assert_int_equal(pgserver_get_stats(f.srv).conns_open, 0);
    fx_stop(&f);
}

static void send_cancel(int port, int32_t pid, int32_t key)
{
    cli k = {.fd = tcp_connect(port)};
    buf_init(&k.in);
    mice_buf b;
    buf_init(&b);
    fe_cancel_request(&b, pid, key);
    cli_send(&k, &b);
    buf_deinit(&b);
    mice_slice body;
    assert_int_equal(cli_next(&k, &body), 0); /* closed without an answer */
    cli_close(&k);
}

static void test_cancel_from_another_connection(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    cli_send_query(&c, "SLEEP 300");
    send_cancel(f.port, c.pid, c.key ^ 1);    /* wrong secret: ignored */
    send_cancel(f.port, c.pid + 7777, c.key); /* unknown pid: ignored */
    result r = {0};
    assert_true(cli_until_ready(&c, &r));
    assert_string_equal(r.tag, "SLEEP");
    uint64_t t0 = now_ms();
    cli_send_query(&c, "SLEEP 60000");
    sleep_ms(50);
    send_cancel(f.port, c.pid, c.key);
    r = (result){0};
    assert_true(cli_until_ready(&c, &r));
    assert_string_equal(r.sqlstate, "57014");
    assert_true(now_ms() - t0 < 10000);
    assert_int_equal(pgserver_get_stats(f.srv).cancels, 1);
    r = cli_query(&c, "SELECT 3"); /* the session goes on */
    assert_string_equal(r.first_value, "3");
    cli_close(&c);
    fx_stop(&f);
}

static void test_connection_limit(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 3);
    cli cs[3], extra;
    for (int i = 0; i < 3; i++)
        cli_open(&cs[i], f.port);
    result r;
    assert_false(cli_open_db(&extra, f.port, "test", &r));
    assert_string_equal(r.sqlstate, "53300");
    cli_close(&extra);
    assert_int_equal(pgserver_get_stats(f.srv).conns_rejected, 1);
    cli_send_query(&cs[1], "SLEEP 60000"); /* a cancel still gets through at the limit */
    sleep_ms(50);
    send_cancel(f.port, cs[1].pid, cs[1].key);
    r = (result){0};
    assert_true(cli_until_ready(&cs[1], &r));
    assert_string_equal(r.sqlstate, "57014");
    cli_close(&cs[0]);
    wait_sessions(&f, 2);
    uint64_t deadline = now_ms() + WAIT_MS;
    while (pgserver_get_stats(f.srv).conns_open > 2 && now_ms() < deadline)
        sleep_ms(5);
    cli_open(&cs[0], f.port);
    for (int i = 0; i < 3; i++)
        cli_close(&cs[i]);
    fx_stop(&f);
}

static void test_stop_with_active_connections(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli idle, sleeper, streamer;
    cli_open(&idle, f.port);
    cli_open(&sleeper, f.port);
    cli_open(&streamer, f.port);
    cli_send_query(&sleeper, "SLEEP 600000");
    cli_send_query(&streamer, "GENERATE 1000000000"); /* and never read */
    sleep_ms(200);
    uint64_t t0 = now_ms();
    pgserver_stop(f.srv);
    assert_true(now_ms() - t0 < PGSERVER_STOP_LINGER_MS + 5000);
    assert_int_equal(fake_backend_get_stats(f.fb).sessions_live, 0);
    assert_int_equal(pgserver_get_stats(f.srv).conns_open, 0);
    mice_slice body;
    while (cli_next(&idle, &body) != 0) {
    }
    cli_close(&idle);
    cli_close(&sleeper);
    cli_close(&streamer);
    fx_stop(&f);
}

static void test_round_trip_rate(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    cli c;
    cli_open(&c, f.port);
    enum { ROUND_TRIPS = 20000 };
    uint64_t t0 = now_ms();
    for (int i = 0; i < ROUND_TRIPS; i++) {
        result r = cli_query(&c, "SELECT 1");
        assert_int_equal(r.rows, 1);
    }
    uint64_t ms = now_ms() - t0 + 1;
    printf("# SELECT 1: %.0f round trips/s on one connection\n", ROUND_TRIPS * 1000.0 / (double)ms);
    cli_close(&c);
    fx_stop(&f);
}

/* A full worker queue is the pool's backpressure: the request fails with 53000, the
 * session goes on. */
static void test_full_pool_answers_53000(void **state)
{
    (void)state;
    fx f;
    fx_start_pool(&f, 0, 1, 1);
    cli a, b, c;
    cli_open(&a, f.port);
    cli_open(&b, f.port);
    cli_open(&c, f.port);
    cli_send_query(&a, "SLEEP 1000"); /* runs on the only worker */
    sleep_ms(200);
    cli_send_query(&b, "SELECT 2"); /* waits in the queue (queue_max 1) */
    sleep_ms(100);
    result r = cli_query(&c, "SELECT 3"); /* refused */
    assert_string_equal(r.sqlstate, "53000");
    assert_int_equal(r.status, 'I');
    r = (result){0};
    assert_true(cli_until_ready(&b, &r));
    assert_string_equal(r.first_value, "2");
    r = (result){0};
    assert_true(cli_until_ready(&a, &r));
    assert_string_equal(r.tag, "SLEEP");
    r = cli_query(&c, "SELECT 3");
    assert_string_equal(r.first_value, "3");
    cli_close(&a);
    cli_close(&b);
    cli_close(&c);
    fx_stop(&f);
}

static void test_address_in_use(void **state)
{
    (void)state;
    fx f;
    fx_start(&f, 0);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", f.port);
    pgserver_config cfg = {.listen_addr = addr,
                           .insecure = true,
                           .loop = f.loop,
                           .pool = f.pool,
                           .backend = &fake_backend_vtab,
                           .backend_ctx = f.fb};
    pgserver *second;
    mice_err err;
    assert_int_equal(pgserver_create(&cfg, &second, &err), MICE_OK);
    assert_int_equal(pgserver_start(second, &err), MICE_BUSY);
    assert_non_null(strstr(err.msg, "address already in use"));
    pgserver_destroy(second);
    cfg.backend = NULL;
    assert_int_equal(pgserver_create(&cfg, &second, &err), MICE_INVALID);
    fx_stop(&f);
}

int main(void)
{
    log_set_level(MICE_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_queries_errors_and_status),
        cmocka_unit_test(test_extended_query_with_suspension),
        cmocka_unit_test(test_pipelined_queries),
        cmocka_unit_test(test_copy_in_and_out),
        cmocka_unit_test(test_many_concurrent_connections),
        cmocka_unit_test(test_large_stream_in_bounded_memory),
        cmocka_unit_test(test_client_vanishes_mid_stream),
        cmocka_unit_test(test_cancel_from_another_connection),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_stop_with_active_connections),
        cmocka_unit_test(test_round_trip_rate),
        cmocka_unit_test(test_full_pool_answers_53000),
        cmocka_unit_test(test_address_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
