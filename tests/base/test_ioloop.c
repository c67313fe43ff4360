/* Unit tests for base/ioloop: tasks and timers on the loop thread, address parsing, and a
 * TCP echo server on 127.0.0.1 (ephemeral port) driven by plain client sockets: many
 * concurrent connections, backpressure, a client vanishing mid-write, graceful close,
 * writes from other threads, address in use, connection refused, stop with open
 * connections. Callbacks on the loop thread check with mice_assert (cmocka's asserts
 * must stay on the test's thread). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/check.h"
#include "base/env.h"
#include "base/future.h"
#include "base/ioloop.h"

enum {
    WAIT_MAX_MS = 10000,
    SOCKET_TIMEOUT_S = 10,
    CLOSE_REASONS = MICE_STATUS_COUNT,
};

/* ---- helpers ---- */

static void sleep_ms(uint64_t ms)
{
    env_sleep_ns(mice_env_real(), ms * MICE_NS_PER_MS);
}

/* Poll until *v >= want (another thread moves it); false after WAIT_MAX_MS. */
static bool wait_at_least(atomic_int *v, int want)
{
    for (int i = 0; i < WAIT_MAX_MS; i++) {
        if (atomic_load(v) >= want) return true;
        sleep_ms(1);
    }
    return false;
}

static int client_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {SOCKET_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static bool send_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

static bool recv_all(int fd, void *p, size_t n)
{
    uint8_t *b = p;
    while (n > 0) {
        ssize_t r = recv(fd, b, n, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        b += r;
        n -= (size_t)r;
    }
    return true;
}

/* True when the peer closed (EOF or reset) before any more bytes. */
static bool recv_eof(int fd)
{
    uint8_t b;
    ssize_t r = recv(fd, &b, 1, 0);
    return r == 0 || (r < 0 && (errno == ECONNRESET || errno == EPIPE));
}

static uint8_t pattern_byte(size_t i)
{
    return (uint8_t)(i * 2654435761u >> 13);
}

/* ---- the echo server ---- */

typedef struct server {
    ioloop *loop;
    ioloop_listener *listener;
    int port;
    atomic_int opened;
    atomic_int closed;
    atomic_int why[CLOSE_REASONS];
    ioloop_conn *held;           /* a reference taken in on_open, for cross-thread writes */
    atomic_bool hold_next;       /* (flags are set by the test thread, read on the loop) */
    atomic_bool close_after_big; /* "BIG" asks for BIG_REPLY_BYTES then a graceful close */
    atomic_bool no_read_pause;   /* new connections keep reading while backed up */
    atomic_int drains;           /* on_drain calls */
    atomic_int after_half;       /* bytes read after "HALF" shut our writing side */
    atomic_bool half_shut;
    atomic_int nodelay; /* accepted connections with TCP_NODELAY on */
} server;

enum {
    BIG_REPLY_BYTES = 4 * 1024 * 1024,
    HUGE_REPLY_BYTES = 64 * 1024 * 1024, /* more than loopback socket buffers hold */
    SHORT_LINGER_MS = 100,
};

static void echo_open(ioloop_conn *c, void *ctx)
{
    server *s = ctx;
    mice_assert(ioloop_on_loop_thread(s->loop));
    mice_assert(ioloop_conn_loop(c) == s->loop);
    ioloop_conn_set_data(c, s);
    if (ioloop_conn_nodelay(c)) atomic_fetch_add(&s->nodelay, 1);
    if (atomic_load(&s->no_read_pause)) ioloop_conn_set_read_pause(c, false);
    if (atomic_exchange(&s->hold_next, false)) {
        ioloop_conn_ref(c);
        s->held = c;
    }
    atomic_fetch_add(&s->opened, 1);
}

static void send_big_then_close(ioloop_conn *c, size_t bytes)
{
    mice_buf b;
    buf_init(&b);
    uint8_t *p = buf_extend(&b, bytes);
    for (size_t i = 0; i < bytes; i++)
        p[i] = pattern_byte(i);
    mice_assert(ioloop_conn_write_buf(c, &b) == MICE_OK);
    mice_assert(b.n == 0);
    ioloop_conn_close(c);
    mice_assert(ioloop_conn_write(c, MICE_SLICE_LIT("late")) == MICE_CLOSED);
}

static void echo_data(ioloop_conn *c, mice_slice bytes)
{
    server *s = ioloop_conn_data(c);
    if (atomic_load(&s->close_after_big) && bytes.n == 3 && memcmp(bytes.p, "BIG", 3) == 0) {
        send_big_then_close(c, BIG_REPLY_BYTES);
        return;
    }
    if (atomic_load(&s->close_after_big) && bytes.n == 4 && memcmp(bytes.p, "HUGE", 4) == 0) {
        ioloop_conn_set_linger_ms(c, SHORT_LINGER_MS);
        send_big_then_close(c, HUGE_REPLY_BYTES);
        return;
    }
    if (bytes.n == 4 && memcmp(bytes.p, "HALF", 4) == 0) {
        ioloop_conn_shutdown_write(c);
        atomic_store(&s->half_shut, true);
        return;
    }
    if (atomic_load(&s->half_shut)) {
        atomic_fetch_add(&s->after_half, (int)bytes.n);
        mice_assert(ioloop_conn_write(c, bytes) == MICE_CLOSED);
        return;
    }
    mice_status rc = ioloop_conn_write(c, bytes);
    mice_assert(rc == MICE_OK || rc == MICE_IOERR || rc == MICE_CLOSED);
}

static void echo_close(ioloop_conn *c, mice_status why)
{
    server *s = ioloop_conn_data(c);
    mice_assert(s != NULL);
    mice_assert(ioloop_on_loop_thread(s->loop));
    mice_assert((int)why >= 0 && (int)why < (int)CLOSE_REASONS);
    atomic_fetch_add(&s->why[why], 1);
    atomic_fetch_add(&s->closed, 1);
}

static void echo_drain(ioloop_conn *c)
{
    server *s = ioloop_conn_data(c);
    atomic_fetch_add(&s->drains, 1);
}

static const ioloop_conn_ops echo_ops = {
    .on_open = echo_open,
    .on_data = echo_data,
    .on_drain = echo_drain,
    .on_close = echo_close,
};

static server *server_start(void)
{
    server *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_int_equal(ioloop_start("io", &s->loop, NULL), MICE_OK);
    mice_err err;
    mice_status rc = ioloop_listen(s->loop, "127.0.0.1:0", &echo_ops, s, &s->listener, &err);
    if (rc) fail_msg("listen: %s", err.msg);
    s->port = ioloop_listener_port(s->listener);
    assert_true(s->port > 0);
    return s;
}

static void server_stop(server *s)
{
    ioloop_destroy(s->loop);
    free(s);
}

/* ---- tasks and timers ---- */

typedef struct counter {
    ioloop *loop;
    atomic_int n;
    atomic_int off_loop; /* calls that were not on the loop thread */
} counter;

static void bump(void *ctx)
{
    counter *c = ctx;
    if (!ioloop_on_loop_thread(c->loop) || ioloop_current() != c->loop)
        atomic_fetch_add(&c->off_loop, 1);
    atomic_fetch_add(&c->n, 1);
}

static void test_post_and_call_run_on_loop_thread(void **state)
{
    (void)state;
    counter c = {0};
    assert_int_equal(ioloop_start("io-test", &c.loop, NULL), MICE_OK);
    assert_false(ioloop_on_loop_thread(c.loop));
    assert_null(ioloop_current());
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ioloop_post(c.loop, bump, &c), MICE_OK);
    assert_int_equal(ioloop_call(c.loop, bump, &c), MICE_OK); /* after the posts: FIFO */
    assert_int_equal(atomic_load(&c.n), 1001);
    assert_int_equal(atomic_load(&c.off_loop), 0);
    ioloop_stop(c.loop);
    assert_true(ioloop_get_stats(c.loop).tasks_run >= 1001); /* counted after each task */
    ioloop_stop(c.loop);                                     /* idempotent */
    assert_int_equal(ioloop_post(c.loop, bump, &c), MICE_CLOSED);
    assert_int_equal(ioloop_call(c.loop, bump, &c), MICE_CLOSED);
    ioloop_listener *l;
    mice_err err;
    assert_int_equal(ioloop_listen(c.loop, "127.0.0.1:0", &echo_ops, NULL, &l, &err), MICE_CLOSED);
    assert_int_equal(atomic_load(&c.n), 1001);
    ioloop_destroy(c.loop);
}

typedef struct timers {
    ioloop *loop;
    atomic_int once, repeats, never, off_loop;
    ioloop_timer *never_timer;
    mice_future *done;
} timers;

static void on_once(ioloop_timer *t, void *ctx)
{
    (void)t;
    timers *ts = ctx;
    if (!ioloop_on_loop_thread(ts->loop)) atomic_fetch_add(&ts->off_loop, 1);
    atomic_fetch_add(&ts->once, 1);
}

static void on_repeat(ioloop_timer *t, void *ctx)
{
    timers *ts = ctx;
    if (!ioloop_on_loop_thread(ts->loop)) atomic_fetch_add(&ts->off_loop, 1);
    if (atomic_fetch_add(&ts->repeats, 1) + 1 == 5) {
        ioloop_timer_cancel(t); /* from inside its own callback */
        future_complete(ts->done, NULL, NULL);
    }
}

static void on_never(ioloop_timer *t, void *ctx)
{
    (void)t;
    atomic_fetch_add(&((timers *)ctx)->never, 1);
}

static void start_timers(void *ctx)
{
    timers *ts = ctx;
    mice_assert(ioloop_timer_start(ts->loop, 5, 0, on_once, ts) != NULL);
    mice_assert(ioloop_timer_start(ts->loop, 1, 2, on_repeat, ts) != NULL);
    ts->never_timer = ioloop_timer_start(ts->loop, 20, 0, on_never, ts);
    uint64_t now = ioloop_now_ms(ts->loop);
    mice_assert(now > 0);
}

static void cancel_never(void *ctx)
{
    timers *ts = ctx;
    ioloop_timer_cancel(ts->never_timer);
}

static void start_long_timer(void *ctx)
{
    timers *ts = ctx;
    mice_assert(ioloop_timer_start(ts->loop, 60000, 0, on_never, ts) != NULL);
}

static void test_timers(void **state)
{
    (void)state;
    timers ts = {.done = future_create()};
    assert_int_equal(ioloop_start("io", &ts.loop, NULL), MICE_OK);
    assert_int_equal(ioloop_call(ts.loop, start_timers, &ts), MICE_OK);
    assert_int_equal(ioloop_call(ts.loop, cancel_never, &ts), MICE_OK);
    assert_int_equal(future_wait(ts.done, 10ull * MICE_NS_PER_S, NULL, NULL), MICE_OK);
    future_release(ts.done);
    assert_true(wait_at_least(&ts.once, 1));
    sleep_ms(40); /* the cancelled one would have fired by now; the repeating one is gone */
    assert_int_equal(atomic_load(&ts.once), 1);
    assert_int_equal(atomic_load(&ts.repeats), 5);
    assert_int_equal(atomic_load(&ts.never), 0);
    assert_int_equal(atomic_load(&ts.off_loop), 0);
    /* A timer still armed at stop is freed without firing. */
    assert_int_equal(ioloop_call(ts.loop, start_long_timer, &ts), MICE_OK);
    ioloop_destroy(ts.loop);
    assert_int_equal(atomic_load(&ts.never), 0);
}

/* ---- addresses ---- */

static void test_parse_addr(void **state)
{
    (void)state;
    struct sockaddr_storage ss;
    mice_err err;
    assert_int_equal(ioloop_parse_addr("127.0.0.1:5433", &ss, &err), MICE_OK);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 5433);
    assert_int_equal(ioloop_parse_addr("[::1]:0", &ss, &err), MICE_OK);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(ioloop_parse_addr(":6379", &ss, &err), MICE_OK);
    assert_int_equal(ioloop_parse_addr("localhost:80", &ss, &err), MICE_OK);
    const char *bad[] = {
        "",       "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",  "127.0.0.1:12a",
        "::1:80", "[::1:80",   "[zz]:80",    "example.com:80",  "1.2.3.4:123456"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ioloop_parse_addr(bad[i], &ss, &err), MICE_INVALID);
        assert_true(err.msg[0] != '\0');
    }
    char longaddr[IOLOOP_ADDR_MAX + 8];
    memset(longaddr, '1', sizeof longaddr - 1);
    longaddr[sizeof longaddr - 1] = '\0';
    assert_int_equal(ioloop_parse_addr(longaddr, &ss, &err), MICE_INVALID);
}

/* ---- TCP ---- */

static void test_echo_round_trip(void **state)
{
    (void)state;
    server *s = server_start();
    int fd = client_connect(s->port);
    const char msg[] = "hello, mice";
    assert_true(send_all(fd, msg, sizeof msg));
    char back[sizeof msg];
    assert_true(recv_all(fd, back, sizeof back));
    assert_memory_equal(back, msg, sizeof msg);
    close(fd);
    assert_true(wait_at_least(&s->closed, 1));
    assert_int_equal(atomic_load(&s->why[MICE_CLOSED]), 1); /* the peer's EOF */
    ioloop_stats st = ioloop_get_stats(s->loop);
    assert_int_equal(st.conns_accepted, 1);
    assert_int_equal(st.conns_open, 0);
    assert_int_equal(st.bytes_read, sizeof msg);
    assert_int_equal(st.bytes_written, sizeof msg);
    server_stop(s);
}

enum { CLIENT_THREADS = 8, CONNS_PER_THREAD = 16, ROUNDS = 50, MSG_BYTES = 200 };

typedef struct client_arg {
    int port;
    int id;
    bool ok;
} client_arg;

static void *chatty_client(void *p)
{
    client_arg *a = p;
    int fds[CONNS_PER_THREAD];
    uint8_t out[MSG_BYTES], in[MSG_BYTES];
    a->ok = true;
    for (int i = 0; i < CONNS_PER_THREAD; i++)
        fds[i] = client_connect(a->port);
    for (int r = 0; r < ROUNDS && a->ok; r++) {
        for (int i = 0; i < CONNS_PER_THREAD; i++) {
            for (int k = 0; k < MSG_BYTES; k++)
                out[k] = (uint8_t)(a->id * 31 + i * 7 + r + k);
            a->ok = a->ok && send_all(fds[i], out, sizeof out);
        }
        for (int i = 0; i < CONNS_PER_THREAD; i++) {
            for (int k = 0; k < MSG_BYTES; k++)
                out[k] = (uint8_t)(a->id * 31 + i * 7 + r + k);
            a->ok = a->ok && recv_all(fds[i], in, sizeof in) && memcmp(in, out, sizeof in) == 0;
        }
    }
    for (int i = 0; i < CONNS_PER_THREAD; i++)
        close(fds[i]);
    return NULL;
}

static void test_many_concurrent_connections(void **state)
{
    (void)state;
    server *s = server_start();
    pthread_t tids[CLIENT_THREADS];
    client_arg args[CLIENT_THREADS];
    uint64_t t0 = env_mono_ns(mice_env_real());
    for (int i = 0; i < CLIENT_THREADS; i++) {
        args[i] = (client_arg){s->port, i, false};
        assert_int_equal(pthread_create(&tids[i], NULL, chatty_client, &args[i]), 0);
    }
    for (int i = 0; i < CLIENT_THREADS; i++)
        pthread_join(tids[i], NULL);
    uint64_t ns = env_mono_ns(mice_env_real()) - t0;
    for (int i = 0; i < CLIENT_THREADS; i++)
        assert_true(args[i].ok);
    int conns = CLIENT_THREADS * CONNS_PER_THREAD;
    assert_true(wait_at_least(&s->closed, conns));
    assert_int_equal(atomic_load(&s->opened), conns);
    printf("echo: %d connections, %.0f k round trips/s (%d-byte messages)\n", conns,
           (double)conns * ROUNDS / ((double)ns / MICE_NS_PER_S) / 1e3, MSG_BYTES);
    server_stop(s);
}

enum { FLOOD_BYTES = 16 * 1024 * 1024 };

typedef struct flood {
    int fd;
    size_t bytes;
    bool ok;
} flood;

static void *flood_writer(void *p)
{
    flood *f = p;
    uint8_t chunk[64 * 1024];
    f->ok = true;
    for (size_t off = 0; off < f->bytes && f->ok; off += sizeof chunk) {
        size_t n = f->bytes - off < sizeof chunk ? f->bytes - off : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = pattern_byte(off + i);
        f->ok = send_all(f->fd, chunk, n);
    }
    return NULL;
}

static bool read_pattern(int fd, size_t bytes)
{
    static uint8_t chunk[64 * 1024];
    for (size_t off = 0; off < bytes;) {
        size_t n = bytes - off < sizeof chunk ? bytes - off : sizeof chunk;
        ssize_t r = recv(fd, chunk, n, 0);
        if (r <= 0) return false;
        for (ssize_t i = 0; i < r; i++) {
            if (chunk[i] != pattern_byte(off + (size_t)i)) return false;
        }
        off += (size_t)r;
    }
    return true;
}

static void test_backpressure_pauses_and_resumes_reading(void **state)
{
    (void)state;
    server *s = server_start();
    flood f = {client_connect(s->port), FLOOD_BYTES, false};
    pthread_t t;
    uint64_t t0 = env_mono_ns(mice_env_real());
    assert_int_equal(pthread_create(&t, NULL, flood_writer, &f), 0);
    /* Not reading yet: the echo piles up on the server until it stops reading us. */
    for (int i = 0; i < WAIT_MAX_MS && ioloop_get_stats(s->loop).read_pauses == 0; i++)
        sleep_ms(1);
    assert_true(ioloop_get_stats(s->loop).read_pauses >= 1);
    assert_true(ioloop_get_stats(s->loop).bytes_read < FLOOD_BYTES);
    assert_true(read_pattern(f.fd, FLOOD_BYTES));
    uint64_t ns = env_mono_ns(mice_env_real()) - t0;
    pthread_join(t, NULL);
    assert_true(f.ok);
    /* The client can hold the last bytes before the loop thread ran the write's
     * completion, which is where bytes_written counts them. */
    for (int i = 0; i < WAIT_MAX_MS && ioloop_get_stats(s->loop).bytes_written < FLOOD_BYTES; i++)
        sleep_ms(1);
    ioloop_stats st = ioloop_get_stats(s->loop);
    assert_true(st.read_resumes >= 1);
    assert_int_equal(st.bytes_written, FLOOD_BYTES);
    printf("echo: one connection streamed %d MiB both ways at %.0f MiB/s (%llu pauses)\n",
           FLOOD_BYTES >> 20, (double)FLOOD_BYTES / (1 << 20) / ((double)ns / MICE_NS_PER_S),
           (unsigned long long)st.read_pauses);
    close(f.fd);
    assert_true(wait_at_least(&s->closed, 1));
    server_stop(s);
}

/* A peer link (read pause off) reads everything the client sends although the client does
 * not read the echo yet; the echo piles up in the server and on_drain reports the drain. */
static void test_backpressure_without_read_pause(void **state)
{
    (void)state;
    server *s = server_start();
    atomic_store(&s->no_read_pause, true);
    flood f = {client_connect(s->port), FLOOD_BYTES, false};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, flood_writer, &f), 0);
    for (int i = 0; i < WAIT_MAX_MS && ioloop_get_stats(s->loop).bytes_read < FLOOD_BYTES; i++)
        sleep_ms(1);
    ioloop_stats st = ioloop_get_stats(s->loop);
    assert_int_equal(st.bytes_read, FLOOD_BYTES); /* all read while nobody read the echo */
    assert_int_equal(st.read_pauses, 0);
    /* More than the kernel's socket buffers hold went unread, so the backlog passed the
     * high-water mark; reading it all drains it. */
    assert_true(read_pattern(f.fd, FLOOD_BYTES));
    pthread_join(t, NULL);
    assert_true(f.ok);
    assert_true(wait_at_least(&s->drains, 1));
    close(f.fd);
    assert_true(wait_at_least(&s->closed, 1));
    server_stop(s);
}

/* After a half-close the client reads EOF (after what was queued) but can still send. */
static void test_half_close_keeps_reading(void **state)
{
    (void)state;
    server *s = server_start();
    int fd = client_connect(s->port);
    assert_true(send_all(fd, "abc", 3));
    char back[3];
    assert_true(recv_all(fd, back, 3));
    assert_true(send_all(fd, "HALF", 4));
    assert_true(recv_eof(fd));
    assert_true(send_all(fd, "still here", 10));
    assert_true(wait_at_least(&s->after_half, 10));
    assert_int_equal(atomic_load(&s->closed), 0);
    close(fd);
    assert_true(wait_at_least(&s->closed, 1));
    assert_int_equal(atomic_load(&s->why[MICE_CLOSED]), 1);
    server_stop(s);
}

static void test_client_closes_mid_write(void **state)
{
    (void)state;
    server *s = server_start();
    int fd = client_connect(s->port);
    struct timeval tv = {0, 200 * 1000}; /* send until the buffers are full, then give up */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    uint8_t chunk[64 * 1024];
    memset(chunk, 'x', sizeof chunk);
    size_t sent = 0;
    while (sent < FLOOD_BYTES) {
        ssize_t w = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);
        if (w <= 0) break;
        sent += (size_t)w;
    }
    assert_true(sent > IOLOOP_WRITE_HIGH_WATER_BYTES);
    struct linger lg = {1, 0}; /* close with a reset, the rudest way to vanish */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    assert_true(wait_at_least(&s->closed, 1));
    assert_int_equal(atomic_load(&s->why[MICE_OK]), 0);
    /* The server is still fine. */
    fd = client_connect(s->port);
    assert_true(send_all(fd, "ok?", 3));
    char back[3];
    assert_true(recv_all(fd, back, 3));
    assert_memory_equal(back, "ok?", 3);
    close(fd);
    assert_true(wait_at_least(&s->closed, 2));
    server_stop(s);
}

static void test_graceful_close_flushes_output(void **state)
{
    (void)state;
    server *s = server_start();
    atomic_store(&s->close_after_big, true);
    int fd = client_connect(s->port);
    assert_true(send_all(fd, "BIG", 3));
    assert_true(read_pattern(fd, BIG_REPLY_BYTES)); /* every byte arrives before the close */
    assert_true(recv_eof(fd));
    assert_true(wait_at_least(&s->closed, 1));
    assert_int_equal(atomic_load(&s->why[MICE_OK]), 1);
    close(fd);
    server_stop(s);
}

static void test_close_gives_up_on_a_peer_that_never_reads(void **state)
{
    (void)state;
    server *s = server_start();
    atomic_store(&s->close_after_big, true);
    int fd = client_connect(s->port);
    uint64_t t0 = env_mono_ns(mice_env_real());
    assert_true(send_all(fd, "HUGE", 4));
    assert_true(wait_at_least(&s->closed, 1)); /* without reading a byte */
    assert_true(env_mono_ns(mice_env_real()) - t0 >= SHORT_LINGER_MS * MICE_NS_PER_MS);
    assert_int_equal(atomic_load(&s->why[MICE_TIMEOUT]), 1);
    close(fd);
    server_stop(s);
}

static void test_address_in_use(void **state)
{
    (void)state;
    server *s = server_start();
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s->port);
    ioloop_listener *l = (ioloop_listener *)1;
    mice_err err;
    assert_int_equal(ioloop_listen(s->loop, addr, &echo_ops, s, &l, &err), MICE_BUSY);
    assert_null(l);
    char want[128];
    snprintf(want, sizeof want, "%s: address already in use", addr);
    assert_string_equal(err.msg, want);
    assert_int_equal(ioloop_listen(s->loop, "127.0.0.1:http", &echo_ops, s, &l, &err),
                     MICE_INVALID);
    /* After closing the first listener the port can be taken again (SO_REUSEADDR). */
    ioloop_listener_close(s->listener);
    assert_int_equal(ioloop_listen(s->loop, addr, &echo_ops, s, &l, &err), MICE_OK);
    assert_int_equal(ioloop_listener_port(l), s->port);
    /* IPv6 loopback, if this machine has it. */
    ioloop_listener *l6 = NULL;
    if (ioloop_listen(s->loop, "[::1]:0", &echo_ops, s, &l6, &err) == MICE_OK) {
        assert_true(ioloop_listener_port(l6) > 0);
        int fd = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        sa6.sin6_port = htons((uint16_t)ioloop_listener_port(l6));
        assert_int_equal(connect(fd, (struct sockaddr *)&sa6, sizeof sa6), 0);
        char back[2];
        assert_true(send_all(fd, "v6", 2));
        assert_true(recv_all(fd, back, 2));
        assert_memory_equal(back, "v6", 2);
        close(fd);
        ioloop_listener_close(l6);
    }
    server_stop(s); /* closes l */
}

/* An outbound connection whose events land in futures the test thread waits on. */
typedef struct dialer {
    ioloop *loop;
    mice_future *connected; /* value: the conn, or failure */
    mice_future *echoed;    /* value: the bytes that came back (a mice_buf *) */
    mice_future *closed;
    mice_buf got;
    size_t want;
    atomic_bool nodelay; /* the connected socket had TCP_NODELAY on */
} dialer;

static void dial_data(ioloop_conn *c, mice_slice bytes)
{
    dialer *d = ioloop_conn_data(c);
    buf_append_slice(&d->got, bytes);
    if (d->got.n == d->want) future_complete(d->echoed, NULL, NULL);
}

static void dial_close(ioloop_conn *c, mice_status why)
{
    dialer *d = ioloop_conn_data(c);
    future_complete(d->closed, (void *)(intptr_t)why, NULL);
}

static const ioloop_conn_ops dial_ops = {.on_data = dial_data, .on_close = dial_close};

static void dial_done(ioloop_conn *c, mice_status status, const mice_err *err, void *ctx)
{
    dialer *d = ctx;
    mice_assert(ioloop_on_loop_thread(d->loop));
    if (status) {
        future_fail(d->connected, status, err);
        return;
    }
    ioloop_conn_set_data(c, d);
    atomic_store(&d->nodelay, ioloop_conn_nodelay(c));
    mice_assert(ioloop_conn_write(c, MICE_SLICE_LIT("ping")) == MICE_OK);
    future_complete(d->connected, c, NULL);
}

static void test_connect_refused(void **state)
{
    (void)state;
    server *s = server_start();
    int port = s->port;
    ioloop_listener_close(s->listener); /* nobody listens there now */
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    dialer d = {.loop = s->loop, .connected = future_create()};
    mice_err err;
    assert_int_equal(ioloop_connect(s->loop, addr, &dial_ops, &d, dial_done, &err), MICE_OK);
    assert_int_equal(future_wait(d.connected, 10ull * MICE_NS_PER_S, NULL, &err), MICE_IOERR);
    char want[128];
    snprintf(want, sizeof want, "%s: connection refused", addr);
    assert_string_equal(err.msg, want);
    future_release(d.connected);
    assert_int_equal(ioloop_connect(s->loop, "nowhere", &dial_ops, &d, dial_done, &err),
                     MICE_INVALID);
    server_stop(s);
}

static void test_connect_and_echo(void **state)
{
    (void)state;
    server *s = server_start();
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", s->port);
    dialer d = {s->loop, future_create(), future_create(), future_create(), {0}, 4};
    buf_init(&d.got);
    mice_err err;
    assert_int_equal(ioloop_connect(s->loop, addr, &dial_ops, &d, dial_done, &err), MICE_OK);
    void *conn = NULL;
    assert_int_equal(future_wait(d.connected, 10ull * MICE_NS_PER_S, &conn, &err), MICE_OK);
    assert_non_null(conn);
    assert_int_equal(future_wait(d.echoed, 10ull * MICE_NS_PER_S, NULL, NULL), MICE_OK);
    assert_memory_equal(d.got.p, "ping", 4);
    assert_int_equal(ioloop_get_stats(s->loop).conns_connected, 1);
    /* both ends have Nagle's algorithm off */
    assert_true(atomic_load(&d.nodelay));
    assert_int_equal(atomic_load(&s->nodelay), 1);
    /* Stopping the loop closes our side with MICE_ABORTED. */
    ioloop_stop(s->loop);
    void *why = NULL;
    assert_int_equal(future_wait(d.closed, 0, &why, NULL), MICE_OK);
    assert_int_equal((intptr_t)why, MICE_ABORTED);
    future_release(d.connected);
    future_release(d.echoed);
    future_release(d.closed);
    buf_deinit(&d.got);
    server_stop(s);
}

static void test_send_from_another_thread(void **state)
{
    (void)state;
    server *s = server_start();
    atomic_store(&s->hold_next, true);
    int fd = client_connect(s->port);
    assert_true(wait_at_least(&s->opened, 1));
    ioloop_conn *c = s->held; /* our reference, usable on this thread */
    assert_non_null(c);
    assert_string_not_equal(ioloop_conn_peer(c), "?");
    for (int i = 0; i < 100; i++) {
        mice_buf b;
        buf_init(&b);
        buf_printf(&b, "line %03d\n", i);
        assert_int_equal(ioloop_conn_send(c, &b), MICE_OK);
        assert_int_equal(b.n, 0); /* taken */
    }
    for (int i = 0; i < 100; i++) {
        char line[10], want[10];
        snprintf(want, sizeof want, "line %03d\n", i);
        assert_true(recv_all(fd, line, 9));
        assert_memory_equal(line, want, 9);
    }
    assert_false(ioloop_conn_is_closing(c));
    ioloop_conn_close_async(c);
    assert_true(recv_eof(fd));
    assert_true(wait_at_least(&s->closed, 1));
    assert_true(ioloop_conn_is_closing(c));
    assert_int_equal(atomic_load(&s->why[MICE_OK]), 1);
    mice_buf late;
    buf_init(&late);
    buf_append_str(&late, "too late");
    assert_int_equal(ioloop_conn_send(c, &late), MICE_OK); /* dropped: closed */
    ioloop_conn_unref(c);
    close(fd);
    server_stop(s);
}

enum { OPEN_AT_STOP = 10 };

static void test_stop_with_open_connections(void **state)
{
    (void)state;
    server *s = server_start();
    int fds[OPEN_AT_STOP];
    for (int i = 0; i < OPEN_AT_STOP; i++)
        fds[i] = client_connect(s->port);
    assert_true(send_all(fds[0], "x", 1));
    assert_true(wait_at_least(&s->opened, OPEN_AT_STOP));
    char x;
    assert_true(recv_all(fds[0], &x, 1));
    ioloop *loop = s->loop;
    ioloop_stop(loop);
    assert_int_equal(atomic_load(&s->closed), OPEN_AT_STOP);
    assert_int_equal(atomic_load(&s->why[MICE_ABORTED]), OPEN_AT_STOP);
    for (int i = 0; i < OPEN_AT_STOP; i++) {
        assert_true(recv_eof(fds[i]));
        close(fds[i]);
    }
    assert_int_equal(ioloop_get_stats(loop).conns_open, 0);
    server_stop(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_post_and_call_run_on_loop_thread),
        cmocka_unit_test(test_timers),
        cmocka_unit_test(test_parse_addr),
        cmocka_unit_test(test_echo_round_trip),
        cmocka_unit_test(test_many_concurrent_connections),
        cmocka_unit_test(test_backpressure_pauses_and_resumes_reading),
        cmocka_unit_test(test_backpressure_without_read_pause),
        cmocka_unit_test(test_half_close_keeps_reading),
        cmocka_unit_test(test_client_closes_mid_write),
        cmocka_unit_test(test_graceful_close_flushes_output),
        cmocka_unit_test(test_close_gives_up_on_a_peer_that_never_reads),
        cmocka_unit_test(test_address_in_use),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_connect_and_echo),
        cmocka_unit_test(test_send_from_another_thread),
        cmocka_unit_test(test_stop_with_open_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
