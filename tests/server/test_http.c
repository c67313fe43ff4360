/*
 * The HTTP server over real sockets on 127.0.0.1, spoken to as raw HTTP/1.1 bytes:
 * /health (ready, not ready, ?ready=0/1, HEAD), GET /, JSON 404/405/413/400 errors, a
 * malformed request line, keep-alive, 50 concurrent connections, a streamed (chunked)
 * response, body collection, address in use, a bad address, IPv6, stop while a client
 * holds a connection. Plus the pure parts: the request-target parser and the JSON body
 * helper.
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
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/buf.h"
#include "server/http.h"

enum {
    CLIENT_RECV_TIMEOUT_S = 10,
    MANY_CONNS = 50,
    BODY_LIMIT_BYTES = 1024,
    STREAM_LINES = 1000,
};

/* ---------------------------------------------------------------- a raw client */

typedef struct client {
    int fd;
    mice_buf in; /* bytes received and not yet consumed */
} client;

typedef struct reply {
    int status;
    char headers[4096]; /* raw header block, lower-cased names */
    mice_buf body;
} reply;

static void client_open(client *c, int port)
{
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(c->fd >= 0);
    struct timeval tv = {.tv_sec = CLIENT_RECV_TIMEOUT_S};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    buf_init(&c->in);
}

static void client_close(client *c)
{
    close(c->fd);
    buf_deinit(&c->in);
}

static void client_send(client *c, const char *text, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(c->fd, text + off, n - off, MSG_NOSIGNAL);
        assert_true(w > 0);
        off += (size_t)w;
    }
}

static void client_send_str(client *c, const char *text)
{
    client_send(c, text, strlen(text));
}

/* Read more bytes; false on EOF or error. */
static bool client_fill(client *c)
{
    uint8_t chunk[4096];
    ssize_t r = recv(c->fd, chunk, sizeof chunk, 0);
    if (r <= 0) return false;
    buf_append(&c->in, chunk, (size_t)r);
    return true;
}

/* The peer closed (EOF or reset); a timeout fails the test instead of passing it. */
static void assert_closed_by_server(client *c)
{
    uint8_t byte;
    for (;;) {
        ssize_t r = recv(c->fd, &byte, 1, 0);
        if (r == 0 || (r < 0 && errno == ECONNRESET)) return;
        if (r < 0) fail_msg("recv: %s (expected the server to close)", strerror(errno));
    }
}

static bool port_refuses(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    bool refused = connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 && errno == ECONNREFUSED;
    close(fd);
    return refused;
}

static void client_consume(client *c, size_t n)
{
    memmove(c->in.p, c->in.p + n, c->in.n - n);
    buf_truncate(&c->in, c->in.n - n);
}

/* A CRLF-terminated line out of the input, without the CRLF. */
static bool client_line(client *c, char *out, size_t cap)
{
    for (;;) {
        uint8_t *e = c->in.n ? memmem(c->in.p, c->in.n, "\r\n", 2) : NULL;
        if (e) {
            size_t n = (size_t)(e - c->in.p);
            assert_true(n < cap);
            memcpy(out, c->in.p, n);
            out[n] = '\0';
            client_consume(c, n + 2);
            return true;
        }
        if (!client_fill(c)) return false;
    }
}

static bool client_bytes(client *c, size_t n, mice_buf *out)
{
    while (c->in.n < n)
        if (!client_fill(c)) return false;
    buf_append(out, c->in.p, n);
    client_consume(c, n);
    return true;
}

static const char *reply_header(const reply *r, const char *name)
{
    static __thread char value[512];
    char key[128];
    snprintf(key, sizeof key, "\n%s: ", name);
    const char *p = strstr(r->headers, key);
    if (!p) return NULL;
    p += strlen(key);
    size_t n = strcspn(p, "\n");
    snprintf(value, sizeof value, "%.*s", (int)n, p);
    return value;
}

static bool read_chunked(client *c, mice_buf *body)
{
    char line[256];
    for (;;) {
        if (!client_line(c, line, sizeof line)) return false;
        size_t n = strtoul(line, NULL, 16);
        if (n == 0) return client_line(c, line, sizeof line); /* the final CRLF */
        if (!client_bytes(c, n, body) || !client_line(c, line, sizeof line)) return false;
    }
}

/* One response; false when the connection closed before a status line. */
static bool read_reply(client *c, bool head, reply *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->body);
    char line[1024];
    if (!client_line(c, line, sizeof line)) return false;
    assert_int_equal(strncmp(line, "HTTP/1.1 ", 9), 0);
    r->status = atoi(line + 9);
    size_t used = 1;
    r->headers[0] = '\n';
    while (client_line(c, line, sizeof line) && line[0]) {
        for (char *p = line; *p && *p != ':'; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        used += (size_t)snprintf(r->headers + used, sizeof r->headers - used, "%s\n", line);
        assert_true(used < sizeof r->headers);
    }
    if (head) return true;
    const char *te = reply_header(r, "transfer-encoding");
    if (te && strstr(te, "chunked")) return read_chunked(c, &r->body);
    const char *cl = reply_header(r, "content-length");
    if (cl) return client_bytes(c, strtoul(cl, NULL, 10), &r->body);
    while (client_fill(c)) {
    }
    buf_append(&r->body, c->in.p, c->in.n);
    client_consume(c, c->in.n);
    return true;
}

static void reply_deinit(reply *r)
{
    buf_deinit(&r->body);
}

/* One request on a fresh connection. */
static void roundtrip(int port, const char *request, bool head, reply *r)
{
    client c;
    client_open(&c, port);
    client_send_str(&c, request);
    assert_true(read_reply(&c, head, r));
    client_close(&c);
}

static json_t *reply_json(const reply *r)
{
    const char *ct = reply_header(r, "content-type");
    assert_non_null(ct);
    assert_string_equal(ct, "application/json");
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)r->body.p, r->body.n, 0, &jerr);
    if (!doc) fail_msg("bad JSON body: %s (%.*s)", jerr.text, (int)r->body.n, (char *)r->body.p);
    return doc;
}

static void assert_error_reply(const reply *r, int status, const char *code)
{
    assert_int_equal(r->status, status);
    json_t *doc = reply_json(r);
    assert_string_equal(json_string_value(json_object_get(doc, "code")), code);
    assert_true(json_is_string(json_object_get(doc, "error")));
    json_decref(doc);
}

/* ---------------------------------------------------------------- the server under test */

static atomic_bool node_ready = true;
static atomic_int stream_frees;

static bool ready_cb(void *ctx)
{
    (void)ctx;
    return atomic_load(&node_ready);
}

static void handle_echo(void *ctx, const http_request *req, http_response *resp)
{
    (void)ctx;
    mice_buf b;
    buf_init(&b);
    buf_append_slice(&b, req->body);
    http_respond(resp, 200, "application/octet-stream", &b);
    buf_deinit(&b);
}

static void handle_json(void *ctx, const http_request *req, http_response *resp)
{
    (void)ctx;
    json_t *doc = NULL;
    mice_err err;
    mice_err_clear(&err);
    mice_status rc = http_json_parse(req->body, &doc, &err);
    if (rc) {
        http_respond_status(resp, rc, mice_err_msg(&err));
        return;
    }
    http_respond_json(resp, 200, json_pack("{s:o}", "got", doc));
}

static void handle_kv(void *ctx, const http_request *req, http_response *resp)
{
    (void)ctx;
    mice_buf b;
    buf_init(&b);
    buf_append_slice(&b, req->path_rest);
    http_respond(resp, 200, "application/octet-stream", &b);
    buf_deinit(&b);
}

static void handle_silent(void *ctx, const http_request *req, http_response *resp)
{
    (void)ctx, (void)req, (void)resp;
}

typedef struct stream_ctx {
    int next;
} stream_ctx;

static mice_status stream_lines(void *ctx, uint8_t *buf, size_t cap, size_t *n_out, bool *done)
{
    stream_ctx *st = ctx;
    size_t n = 0;
    while (st->next < STREAM_LINES && cap - n > 32)
        n += (size_t)snprintf((char *)buf + n, cap - n, "{\"i\":%d}\n", st->next++);
    *n_out = n;
    *done = st->next == STREAM_LINES;
    return MICE_OK;
}

static void stream_free_ctx(void *ctx)
{
    free(ctx);
    atomic_fetch_add(&stream_frees, 1);
}

static void handle_stream(void *ctx, const http_request *req, http_response *resp)
{
    (void)ctx, (void)req;
    stream_ctx *st = calloc(1, sizeof *st);
    http_respond_stream(resp, 200, "application/x-ndjson", stream_lines, stream_free_ctx, st);
}

static httpd *start_server(const char *addr)
{
    httpd_config cfg = {.listen_addr = addr,
                        .threads = 2,
                        .max_body_bytes = BODY_LIMIT_BYTES,
                        .version = "test-1",
                        .ready = ready_cb};
    httpd *s = NULL;
    mice_err err;
    mice_err_clear(&err);
    assert_int_equal(httpd_create(&cfg, &s, &err), MICE_OK);
    assert_int_equal(httpd_route(s, "POST", "/echo", handle_echo, NULL, &err), MICE_OK);
    assert_int_equal(httpd_route(s, "PUT", "/echo", handle_echo, NULL, &err), MICE_OK);
    assert_int_equal(httpd_route(s, "POST", "/json", handle_json, NULL, &err), MICE_OK);
    assert_int_equal(httpd_route(s, "GET", "/kv/*", handle_kv, NULL, &err), MICE_OK);
    assert_int_equal(httpd_route(s, "GET", "/silent", handle_silent, NULL, &err), MICE_OK);
    assert_int_equal(httpd_route(s, "GET", "/stream", handle_stream, NULL, &err), MICE_OK);
    if (httpd_start(s, &err)) fail_msg("start: %s", mice_err_msg(&err));
    assert_true(httpd_port(s) > 0);
    return s;
}

static int setup(void **state)
{
    atomic_store(&node_ready, true);
    *state = start_server("127.0.0.1:0");
    return 0;
}

static int teardown(void **state)
{
    httpd_destroy(*state);
    return 0;
}

#define PORT(state) httpd_port((httpd *)*(state))

/* ---------------------------------------------------------------- endpoints */

static void test_health_ready(void **state)
{
    reply r;
    roundtrip(PORT(state), "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false,
              &r);
    assert_int_equal(r.status, 200);
    json_t *doc = reply_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    assert_true(json_is_true(json_object_get(doc, "live")));
    assert_true(json_is_true(json_object_get(doc, "ready")));
    json_decref(doc);
    reply_deinit(&r);
    roundtrip(PORT(state), "GET /health?ready=1 HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_int_equal(r.status, 200);
    reply_deinit(&r);
}

static void test_health_not_ready(void **state)
{
    atomic_store(&node_ready, false);
    reply r;
    const char *variants[] = {"/health", "/health?ready=1"};
    for (size_t i = 0; i < 2; i++) {
        char req[128];
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", variants[i]);
        roundtrip(PORT(state), req, false, &r);
        assert_int_equal(r.status, 503);
        json_t *doc = reply_json(&r);
        assert_true(json_is_false(json_object_get(doc, "ready")));
        assert_true(json_is_true(json_object_get(doc, "live")));
        json_decref(doc);
        reply_deinit(&r);
    }
    roundtrip(PORT(state), "GET /health?ready=0 HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_int_equal(r.status, 200); /* liveness only */
    json_t *doc = reply_json(&r);
    assert_true(json_is_false(json_object_get(doc, "ready")));
    json_decref(doc);
    reply_deinit(&r);
    roundtrip(PORT(state), "GET /health?ready=yes HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_error_reply(&r, 400, "bad_request");
    reply_deinit(&r);
}

/* HEAD: headers with the GET's Content-Length, no body; the next response on the same
 * connection parses, so no stray body bytes were sent. */
static void test_head_health(void **state)
{
    client c;
    client_open(&c, PORT(state));
    client_send_str(&c, "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
    reply r;
    assert_true(read_reply(&c, true, &r));
    assert_int_equal(r.status, 200);
    const char *cl = reply_header(&r, "content-length");
    assert_non_null(cl);
    assert_true(atoi(cl) > 0);
    client_send_str(&c, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    reply r2;
    assert_true(read_reply(&c, false, &r2));
    assert_int_equal(r2.status, 200);
    assert_int_equal((int)r2.body.n, atoi(cl));
    reply_deinit(&r);
    reply_deinit(&r2);
    client_close(&c);
}

static void test_root_describes_node(void **state)
{
    reply r;
    roundtrip(PORT(state), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = reply_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "version")), "test-1");
    json_t *eps = json_object_get(doc, "endpoints");
    assert_true(json_is_array(eps));
    bool health = false;
    for (size_t i = 0; i < json_array_size(eps); i++) {
        json_t *e = json_array_get(eps, i);
        if (!strcmp(json_string_value(json_object_get(e, "path")), "/health")) health = true;
    }
    assert_true(health);
    json_decref(doc);
    reply_deinit(&r);
}

static void test_not_found_and_method_not_allowed(void **state)
{
    reply r;
    roundtrip(PORT(state), "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_error_reply(&r, 404, "not_found");
    reply_deinit(&r);
    roundtrip(PORT(state), "DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_error_reply(&r, 405, "method_not_allowed");
    assert_string_equal(reply_header(&r, "allow"), "GET, HEAD");
    reply_deinit(&r);
    roundtrip(PORT(state), "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_error_reply(&r, 405, "method_not_allowed");
    assert_string_equal(reply_header(&r, "allow"), "POST, PUT");
    reply_deinit(&r);
    roundtrip(PORT(state), "GET /health/ HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_error_reply(&r, 404, "not_found");
    reply_deinit(&r);
    /* A handler that forgets to answer is a 500, not a hang. */
    roundtrip(PORT(state), "GET /silent HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_error_reply(&r, 500, "internal");
    reply_deinit(&r);
}

static void test_bad_target_is_400(void **state)
{
    reply r;
    roundtrip(PORT(state), "GET /kv/%zz HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_error_reply(&r, 400, "bad_request");
    reply_deinit(&r);
    roundtrip(PORT(state), "GET /kv/a%2Fb%00c HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal((int)r.body.n, 5);
    assert_memory_equal(r.body.p, "a/b\0c", 5);
    reply_deinit(&r);
}

static void test_body_collected(void **state)
{
    reply r;
    roundtrip(PORT(state), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
              false, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal((int)r.body.n, 5);
    assert_memory_equal(r.body.p, "hello", 5);
    reply_deinit(&r);
    roundtrip(PORT(state),
              "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
              false, &r);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body.p, "abcde", 5);
    reply_deinit(&r);
    const char *ok_json = "{\"a\":[1,2]}";
    const char *bad_json = "{\"a\":";
    char req[256];
    snprintf(req, sizeof req, "POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(ok_json), ok_json);
    roundtrip(PORT(state), req, false, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = reply_json(&r);
    assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "got"), "a")), 2);
    json_decref(doc);
    reply_deinit(&r);
    snprintf(req, sizeof req, "POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(bad_json), bad_json);
    roundtrip(PORT(state), req, false, &r);
    assert_error_reply(&r, 400, "bad_request");
    reply_deinit(&r);
}

static void test_oversized_body_is_413(void **state)
{
    char req[256];
    snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n",
             BODY_LIMIT_BYTES + 1);
    reply r;
    roundtrip(PORT(state), req, false, &r); /* answered before the body is sent */
    assert_error_reply(&r, 413, "too_large");
    reply_deinit(&r);

    /* Chunked: no length up front; the body is discarded past the limit, then 413. */
    client c;
    client_open(&c, PORT(state));
    client_send_str(&c, "PUT /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    char chunk[600];
    memset(chunk, 'z', sizeof chunk);
    for (int i = 0; i < 4; i++) {
        char size_line[32];
        snprintf(size_line, sizeof size_line, "%zx\r\n", sizeof chunk);
        client_send_str(&c, size_line);
        client_send(&c, chunk, sizeof chunk);
        client_send_str(&c, "\r\n");
    }
    client_send_str(&c, "0\r\n\r\n");
    assert_true(read_reply(&c, false, &r));
    assert_error_reply(&r, 413, "too_large");
    reply_deinit(&r);
    client_close(&c);

    /* Exactly at the limit is fine. */
    client_open(&c, PORT(state));
    snprintf(req, sizeof req, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n",
             BODY_LIMIT_BYTES);
    client_send_str(&c, req);
    char body[BODY_LIMIT_BYTES];
    memset(body, 'b', sizeof body);
    client_send(&c, body, sizeof body);
    assert_true(read_reply(&c, false, &r));
    assert_int_equal(r.status, 200);
    assert_int_equal((int)r.body.n, BODY_LIMIT_BYTES);
    reply_deinit(&r);
    client_close(&c);
}

static void test_malformed_request_line(void **state)
{
    const char *bad[] = {
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /health HTTP/1.1\r\nNo colon here\r\n\r\n",
        "\x01\x02\x03 / HTTP/1.1\r\n\r\n",
    };
    /* MHD answers 400 (505 for the version) or, for a line without a target, just closes. */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        client c;
        client_open(&c, PORT(state));
        client_send_str(&c, bad[i]);
        reply r;
        if (!read_reply(&c, false, &r)) { /* MHD may answer or just close */
            print_message("malformed request %zu: closed\n", i);
        } else {
            print_message("malformed request %zu: %d\n", i, r.status);
            if (r.status < 400 || r.status > 505) fail_msg("request %zu got %d", i, r.status);
            reply_deinit(&r);
        }
        client_close(&c);
    }
    reply r;
    roundtrip(PORT(state), "GET http://x/health HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_int_equal(r.status, 200); /* still serving; absolute-form accepted */
    reply_deinit(&r);
}

static void test_malformed_request_line_is_400(void **state)
{
    client c;
    client_open(&c, PORT(state));
    client_send_str(&c, "GET /health HTTP/1.1 extra\r\nHost: x\r\n\r\n");
    reply r;
    assert_true(read_reply(&c, false, &r));
    assert_int_equal(r.status, 400);
    reply_deinit(&r);
    client_close(&c);
}

static void test_keep_alive(void **state)
{
    client c;
    client_open(&c, PORT(state));
    for (int i = 0; i < 2; i++) {
        client_send_str(&c, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        reply r;
        assert_true(read_reply(&c, false, &r));
        assert_int_equal(r.status, 200);
        reply_deinit(&r);
    }
    /* Two pipelined requests in one write. */
    client_send_str(&c, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    reply r;
    assert_true(read_reply(&c, false, &r));
    assert_int_equal(r.status, 200);
    reply_deinit(&r);
    assert_true(read_reply(&c, false, &r));
    assert_int_equal(r.status, 404);
    reply_deinit(&r);
    client_close(&c);
}

static void test_many_concurrent_connections(void **state)
{
    client cs[MANY_CONNS];
    for (int i = 0; i < MANY_CONNS; i++)
        client_open(&cs[i], PORT(state));
    for (int i = 0; i < MANY_CONNS; i++)
        client_send_str(&cs[i], i % 2 ? "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                                      : "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    for (int i = MANY_CONNS - 1; i >= 0; i--) {
        reply r;
        assert_true(read_reply(&cs[i], false, &r));
        assert_int_equal(r.status, 200);
        reply_deinit(&r);
        client_close(&cs[i]);
    }
    httpd_stats st = httpd_get_stats(*state);
    assert_true(st.requests >= MANY_CONNS);
    assert_true(st.responses_2xx >= MANY_CONNS);
}

static void test_streamed_response(void **state)
{
    int frees = atomic_load(&stream_frees);
    reply r;
    roundtrip(PORT(state), "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", false, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(reply_header(&r, "content-type"), "application/x-ndjson");
    int lines = 0;
    for (size_t i = 0; i < r.body.n; i++)
        lines += r.body.p[i] == '\n';
    assert_int_equal(lines, STREAM_LINES);
    assert_memory_equal(r.body.p, "{\"i\":0}\n", 8);
    reply_deinit(&r);
    /* A client that leaves mid-stream: the stream's context is still freed once. */
    client c;
    client_open(&c, PORT(state));
    client_send_str(&c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    client_fill(&c);
    client_close(&c);
    httpd_stop(*state); /* joins: every request is finished after this */
    assert_int_equal(atomic_load(&stream_frees), frees + 2);
}

static void test_stop_with_open_connection(void **state)
{
    client c;
    client_open(&c, PORT(state));
    client_send_str(&c, "GET /health HTTP/1.1\r\nHost: x\r\n"); /* headers never finish */
    client idle;
    client_open(&idle, PORT(state));
    client_send_str(&idle, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    reply r;
    assert_true(read_reply(&idle, false, &r)); /* idle keep-alive connection afterwards */
    reply_deinit(&r);
    int port = PORT(state);
    httpd_stop(*state);
    assert_int_equal(httpd_port(*state), 0);
    assert_closed_by_server(&c);
    assert_closed_by_server(&idle);
    assert_true(port_refuses(port)); /* the listener is closed too */
    client_close(&c);
    client_close(&idle);
    httpd_stop(*state); /* idempotent */
}

/* ---------------------------------------------------------------- lifecycle errors */

static void test_address_in_use(void **state)
{
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", PORT(state));
    httpd_config cfg = {.listen_addr = addr};
    httpd *s = NULL;
    mice_err err;
    mice_err_clear(&err);
    assert_int_equal(httpd_create(&cfg, &s, &err), MICE_OK);
    assert_int_equal(httpd_start(s, &err), MICE_BUSY);
    char want[96];
    snprintf(want, sizeof want, "%s: address already in use", addr);
    assert_string_equal(mice_err_msg(&err), want);
    httpd_destroy(s);
}

static void test_bad_address(void **state)
{
    (void)state;
    const char *bad[] = {"nonsense", "300.1.1.1:80", "127.0.0.1:99999", "[::zz]:1", NULL};
    for (int i = 0; bad[i]; i++) {
        httpd_config cfg = {.listen_addr = bad[i]};
        httpd *s = NULL;
        mice_err err;
        mice_err_clear(&err);
        assert_int_equal(httpd_create(&cfg, &s, &err), MICE_INVALID);
        assert_null(s);
        assert_non_null(strstr(mice_err_msg(&err), bad[i]));
    }
    /* Parses, but is not an address of this machine. */
    httpd_config cfg = {.listen_addr = "192.0.2.1:0"};
    httpd *s = NULL;
    mice_err err;
    mice_err_clear(&err);
    assert_int_equal(httpd_create(&cfg, &s, &err), MICE_OK);
    assert_int_equal(httpd_start(s, &err), MICE_INVALID);
    assert_non_null(strstr(mice_err_msg(&err), "192.0.2.1:0"));
    httpd_destroy(s);
}

static void test_ipv6_and_localhost(void **state)
{
    (void)state;
    const char *addrs[] = {"[::1]:0", "localhost:0"};
    for (int i = 0; i < 2; i++) {
        httpd_config cfg = {.listen_addr = addrs[i]};
        httpd *s = NULL;
        mice_err err;
        mice_err_clear(&err);
        assert_int_equal(httpd_create(&cfg, &s, &err), MICE_OK);
        mice_status rc = httpd_start(s, &err);
        if (i == 0 && rc == MICE_INVALID) { /* no IPv6 on this host */
            httpd_destroy(s);
            continue;
        }
        assert_int_equal(rc, MICE_OK);
        assert_true(httpd_port(s) > 0);
        httpd_destroy(s);
    }
}

/* At the limit MHD stops accepting: a further connection waits in the kernel's backlog,
 * unanswered, until a slot frees. */
static void test_connection_limit(void **state)
{
    (void)state;
    httpd_config cfg = {.listen_addr = "127.0.0.1:0", .max_connections = 2, .threads = 1};
    httpd *s = NULL;
    mice_err err;
    assert_int_equal(httpd_create(&cfg, &s, &err), MICE_OK);
    assert_int_equal(httpd_start(s, &err), MICE_OK);
    client held[2], extra;
    reply r;
    for (int i = 0; i < 2; i++) {
        client_open(&held[i], httpd_port(s));
        client_send_str(&held[i], "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_true(read_reply(&held[i], false, &r));
        reply_deinit(&r);
    }
    client_open(&extra, httpd_port(s));
    struct timeval short_wait = {.tv_usec = 300 * 1000};
    setsockopt(extra.fd, SOL_SOCKET, SO_RCVTIMEO, &short_wait, sizeof short_wait);
    client_send_str(&extra, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    uint8_t byte;
    assert_true(recv(extra.fd, &byte, 1, MSG_PEEK) < 0 && errno == EAGAIN);
    client_close(&held[0]);
    struct timeval long_wait = {.tv_sec = CLIENT_RECV_TIMEOUT_S};
    setsockopt(extra.fd, SOL_SOCKET, SO_RCVTIMEO, &long_wait, sizeof long_wait);
    assert_true(read_reply(&extra, false, &r));
    assert_int_equal(r.status, 200);
    reply_deinit(&r);
    client_close(&extra);
    client_close(&held[1]);
    httpd_destroy(s);
}

static void test_route_errors(void **state)
{
    (void)state;
    httpd_config cfg = {.listen_addr = "127.0.0.1:0"};
    httpd *s = NULL;
    mice_err err;
    mice_err_clear(&err);
    assert_int_equal(httpd_create(&cfg, &s, &err), MICE_OK);
    assert_int_equal(httpd_route(s, "GET", "/health", handle_echo, NULL, &err), MICE_EXISTS);
    assert_int_equal(httpd_route(s, "get", "/x", handle_echo, NULL, &err), MICE_INVALID);
    assert_int_equal(httpd_route(s, "GET", "x", handle_echo, NULL, &err), MICE_INVALID);
    assert_int_equal(httpd_route(s, "GET", "/a*", handle_echo, NULL, &err), MICE_INVALID);
    assert_int_equal(httpd_route(s, "GET", "/a/*/b", handle_echo, NULL, &err), MICE_INVALID);
    mice_status rc = MICE_OK;
    for (int i = 0; rc == MICE_OK && i < HTTPD_ROUTES_MAX; i++) {
        char p[32];
        snprintf(p, sizeof p, "/r%d", i);
        rc = httpd_route(s, "GET", p, handle_echo, NULL, &err);
    }
    assert_int_equal(rc, MICE_LIMIT);
    httpd_destroy(s);
}

/* ---------------------------------------------------------------- pure helpers */

static void assert_param(const http_uri *u, const char *name, const char *want)
{
    mice_slice v;
    assert_true(http_uri_query(u, name, &v));
    assert_int_equal((int)v.n, (int)strlen(want));
    assert_memory_equal(v.p, want, v.n);
}

static void test_uri_parse(void **state)
{
    (void)state;
    http_uri u;
    http_uri_init(&u);
    mice_err err;
    assert_int_equal(
        http_uri_parse(&u, mice_slice_str("/a%20b+c?x=1&y=a+b%26&empty=&flag&&x=2"), &err),
        MICE_OK);
    mice_slice p = http_uri_path(&u);
    assert_int_equal((int)p.n, 6);
    assert_memory_equal(p.p, "/a b+c", 6);
    assert_param(&u, "x", "1"); /* the first wins */
    assert_param(&u, "y", "a b&");
    assert_param(&u, "empty", "");
    assert_param(&u, "flag", "");
    mice_slice v;
    assert_false(http_uri_query(&u, "nope", &v));
    assert_int_equal(http_uri_parse(&u, mice_slice_str("/p#frag?x=1"), &err), MICE_OK);
    assert_false(http_uri_query(&u, "x", &v));
    assert_int_equal((int)http_uri_path(&u).n, 2);
    assert_int_equal(http_uri_parse(&u, mice_slice_str("HTTP://h:1/k?x=3"), &err), MICE_OK);
    assert_memory_equal(http_uri_path(&u).p, "/k", 2);
    assert_param(&u, "x", "3");
    assert_int_equal(http_uri_parse(&u, mice_slice_str("http://h"), &err), MICE_OK);
    assert_int_equal((int)http_uri_path(&u).n, 1);

    const char *bad[] = {"", "x", "*", "/%", "/%4", "/%g0", "/a b", "/a\x7f", "/?q=%zz"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(http_uri_parse(&u, mice_slice_str(bad[i]), &err), MICE_INVALID);
    mice_buf many;
    buf_init(&many);
    buf_append_str(&many, "/?");
    for (int i = 0; i <= HTTP_QUERY_PARAMS_MAX; i++)
        buf_printf(&many, "p%d=%d&", i, i);
    assert_int_equal(http_uri_parse(&u, buf_slice(&many), &err), MICE_INVALID);
    buf_deinit(&many);
    http_uri_deinit(&u);
}

static void test_json_parse(void **state)
{
    (void)state;
    json_t *doc = NULL;
    mice_err err;
    assert_int_equal(http_json_parse(mice_slice_str("[1, {\"a\": null}]"), &doc, &err), MICE_OK);
    assert_true(json_is_array(doc));
    json_decref(doc);
    assert_int_equal(http_json_parse(mice_slice_str("42"), &doc, &err), MICE_OK);
    json_decref(doc);
    const char *bad[] = {"", "{", "{\"a\":1,\"a\":2}", "[1] x", "\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(http_json_parse(mice_slice_str(bad[i]), &doc, &err), MICE_INVALID);
        assert_null(doc);
    }
    assert_int_equal(http_json_parse(mice_slice_of("\"a\0\"", 4), &doc, &err), MICE_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_health_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_not_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_health, setup, teardown),
        cmocka_unit_test_setup_teardown(test_root_describes_node, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_and_method_not_allowed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_target_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_collected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_body_is_413, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_request_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_request_line_is_400, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_alive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_concurrent_connections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streamed_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_with_open_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_in_use, setup, teardown),
        cmocka_unit_test(test_bad_address),
        cmocka_unit_test(test_ipv6_and_localhost),
        cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_route_errors),
        cmocka_unit_test(test_uri_parse),
        cmocka_unit_test(test_json_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
