/*
 * http.c - HTTP server on libmicrohttpd; the only file that sees MHD's API.
 *
 * Request life in MHD (one connection is served by one pool thread at a time):
 *   uri_log      the raw target, before MHD unescapes it in place; we copy it into a new
 *                req_state, which becomes MHD's per-request pointer.
 *   access #1    headers are in: parse the target, pick the route, check Content-Length.
 *                An early error (400/404/405/413) is queued here, before any body.
 *   access #k    body bytes: collected up to max_body_bytes, discarded past it.
 *   access last  (upload size 0) run the handler (or answer 413) and queue its response.
 *   completed    free the req_state (MHD calls it for every request uri_log saw).
 * We bind the listening socket ourselves so that "address in use" is an errno we can
 * translate, then hand it to MHD (which closes it at stop).
 */
#include "server/http.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/check.h"
#include "base/ioloop.h"
#include "base/log.h"

enum {
    LISTEN_BACKLOG = 511,
    CONTENT_TYPE_MAX = 128,
    ALLOW_HEADER_MAX = 128,
    ROUTE_PATTERN_MAX = 256,
    METHOD_MAX = 16,
};

typedef struct route {
    char method[METHOD_MAX];
    char pattern[ROUTE_PATTERN_MAX];
    size_t prefix_n; /* for a "/x/" + "*" pattern: bytes before '*'; 0 for an exact pattern */
    http_handler_fn fn;
    void *ctx;
} route;

struct httpd {
    httpd_config cfg;
    char listen_addr[IOLOOP_ADDR_MAX];
    char version[64];
    route routes[HTTPD_ROUTES_MAX];
    size_t n_routes;
    struct MHD_Daemon *daemon;
    atomic_int port;
    atomic_uint_fast64_t requests, resp_2xx, resp_4xx, resp_5xx;
};

typedef struct stream_state {
    http_stream_fn fn;
    http_stream_free_fn free_fn;
    void *ctx;
    bool finished;
} stream_state;

struct http_response {
    int status; /* 0: no respond call yet */
    char content_type[CONTENT_TYPE_MAX];
    mice_buf body;
    stream_state *stream;
    size_t n_headers;
    char *headers[HTTP_RESPONSE_HEADERS_MAX][2];
};

typedef struct req_state {
    httpd *s;
    mice_buf target;
    http_uri uri;
    mice_buf body;
    bool headers_seen;
    bool too_large;
    const route *route;
    mice_slice path_rest;
} req_state;

/* ---- request target ---- */

void http_uri_init(http_uri *u)
{
    memset(u, 0, sizeof *u);
    buf_init(&u->decoded);
}

void http_uri_deinit(http_uri *u)
{
    buf_deinit(&u->decoded);
    memset(u, 0, sizeof *u);
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode p[0..n) onto u->decoded. */
static mice_status percent_decode(http_uri *u, const uint8_t *p, size_t n, bool plus_is_space,
                                  mice_err *err)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '%') {
            int hi = i + 2 < n ? hex_value(p[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(p[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return mice_err_setf(err, MICE_INVALID, "bad %%-escape at byte %zu of the target",
                                     i);
            c = (uint8_t)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        buf_append_u8(&u->decoded, c);
    }
    return MICE_OK;
}

static mice_status parse_query(http_uri *u, const uint8_t *p, size_t n, mice_err *err)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && p[end] != '&')
            end++;
        if (end > i) {
            if (u->n_params == HTTP_QUERY_PARAMS_MAX)
                return mice_err_setf(err, MICE_INVALID, "more than %d query parameters",
                                     HTTP_QUERY_PARAMS_MAX);
            size_t eq = i;
            while (eq < end && p[eq] != '=')
                eq++;
            size_t k = u->n_params++;
            u->params[k].name_off = u->decoded.n;
            mice_status rc = percent_decode(u, p + i, eq - i, true, err);
            if (rc) return rc;
            u->params[k].name_n = u->decoded.n - u->params[k].name_off;
            u->params[k].value_off = u->decoded.n;
            if (eq < end && (rc = percent_decode(u, p + eq + 1, end - eq - 1, true, err)))
                return rc;
            u->params[k].value_n = u->decoded.n - u->params[k].value_off;
        }
        i = end + 1;
    }
    return MICE_OK;
}

/* absolute-form ("http://host/path", RFC 9112 3.2.2) must be accepted; the authority is
 * ignored (MHD checked Host), leaving the origin-form part. */
static mice_slice strip_absolute_form(mice_slice t)
{
    static const char *const schemes[] = {"http://", "https://"};
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        size_t n = strlen(schemes[k]);
        if (t.n < n || strncasecmp((const char *)t.p, schemes[k], n) != 0) continue;
        size_t i = n;
        while (i < t.n && t.p[i] != '/')
            i++;
        return i == t.n ? MICE_SLICE_LIT("/") : mice_slice_of(t.p + i, t.n - i);
    }
    return t;
}

mice_status http_uri_parse(http_uri *u, mice_slice target, mice_err *err)
{
    buf_reset(&u->decoded);
    u->path_n = 0;
    u->n_params = 0;
    target = strip_absolute_form(target);
    if (target.n == 0 || target.p[0] != '/')
        return mice_err_setf(err, MICE_INVALID, "request target must start with '/'");
    size_t q = target.n, hash = target.n;
    for (size_t i = 0; i < target.n; i++) {
        uint8_t c = target.p[i];
        if (c <= 0x20 || c == 0x7f)
            return mice_err_setf(err, MICE_INVALID, "control byte 0x%02x in the target", c);
        if (c == '?' && q == target.n) q = i;
        if (c == '#' && hash == target.n) hash = i;
    }
    if (hash < q) q = hash;
    buf_reserve(&u->decoded, target.n + 1); /* decoding never grows; no reallocation below */
    mice_status rc = percent_decode(u, target.p, q, false, err);
    if (rc) return rc;
    u->path_n = u->decoded.n;
    if (q < hash) rc = parse_query(u, target.p + q + 1, hash - q - 1, err);
    return rc;
}

mice_slice http_uri_path(const http_uri *u)
{
    return mice_slice_of(u->decoded.p, u->path_n);
}

bool http_uri_query(const http_uri *u, const char *name, mice_slice *value)
{
    mice_slice want = mice_slice_str(name);
    for (size_t k = 0; k < u->n_params; k++) {
        mice_slice got = mice_slice_of(u->decoded.p + u->params[k].name_off, u->params[k].name_n);
        if (!mice_slice_eq(got, want)) continue;
        *value = mice_slice_of(u->decoded.p + u->params[k].value_off, u->params[k].value_n);
        return true;
    }
    return false;
}

mice_status http_json_parse(mice_slice body, json_t **out, mice_err *err)
{
    *out = NULL;
    if (body.n == 0) return mice_err_setf(err, MICE_INVALID, "empty JSON body");
    if (memchr(body.p, 0, body.n) != NULL)
        return mice_err_setf(err, MICE_INVALID, "NUL byte in JSON body");
    json_error_t jerr;
    json_t *doc =
        json_loadb((const char *)body.p, body.n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!doc)
        return mice_err_setf(err, MICE_INVALID, "line %d, column %d: %s", jerr.line, jerr.column,
                             jerr.text);
    *out = doc;
    return MICE_OK;
}

/* ---- responses ---- */

static void stream_release(stream_state *st)
{
    if (!st) return;
    if (st->free_fn) st->free_fn(st->ctx);
    free(st);
}

static void response_clear_body(http_response *resp)
{
    buf_reset(&resp->body);
    stream_release(resp->stream);
    resp->stream = NULL;
}

static void response_init(http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    buf_init(&resp->body);
}

static void response_deinit(http_response *resp)
{
    response_clear_body(resp);
    buf_deinit(&resp->body);
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i][0]);
        free(resp->headers[i][1]);
    }
    resp->n_headers = 0;
}

static void set_content_type(http_response *resp, const char *content_type)
{
    snprintf(resp->content_type, sizeof resp->content_type, "%s",
             content_type ? content_type : "application/octet-stream");
}

void http_respond(http_response *resp, int status, const char *content_type, mice_buf *body)
{
    mice_assert(status >= 100 && status <= 599);
    response_clear_body(resp);
    resp->status = status;
    set_content_type(resp, content_type);
    if (body) {
        buf_append(&resp->body, body->p, body->n);
        buf_reset(body);
    }
}

void http_respond_json(http_response *resp, int status, json_t *doc)
{
    mice_assert(doc != NULL);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(doc);
    if (!text) mice_oom(0); /* jansson fails only when allocation does */
    response_clear_body(resp);
    resp->status = status;
    set_content_type(resp, "application/json");
    buf_append_str(&resp->body, text);
    buf_append_u8(&resp->body, '\n');
    free(text);
}

void http_respond_error(http_response *resp, int status, const char *code, const char *fmt, ...)
{
    char msg[MICE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* Messages may quote client bytes: json_string rejects invalid UTF-8, so fall back. */
    json_t *m = json_string(msg);
    if (!m) m = json_string("(message not valid UTF-8)");
    json_t *doc = json_object();
    json_object_set_new(doc, "error", m);
    json_object_set_new(doc, "code", json_string(code));
    http_respond_json(resp, status, doc);
}

void http_respond_status(http_response *resp, mice_status rc, const char *message)
{
    int status = 500;
    const char *code = "internal";
    switch (rc) {
    case MICE_INVALID:
        status = 400, code = "bad_request";
        break;
    case MICE_NOTFOUND:
        status = 404, code = "not_found";
        break;
    case MICE_LIMIT:
        status = 413, code = "too_large";
        break;
    case MICE_UNSUPPORTED:
        status = 501, code = "not_implemented";
        break;
    case MICE_BUSY:
    case MICE_CLOSED:
    case MICE_NOT_LEADER:
        status = 503, code = "unavailable";
        break;
    default:
        break;
    }
    http_respond_error(resp, status, code, "%s", message ? message : mice_status_str(rc));
}

void http_respond_stream(http_response *resp, int status, const char *content_type,
                         http_stream_fn fn, http_stream_free_fn free_fn, void *ctx)
{
    mice_assert(fn != NULL);
    response_clear_body(resp);
    resp->status = status;
    set_content_type(resp, content_type);
    resp->stream = mice_calloc(1, sizeof *resp->stream);
    *resp->stream = (stream_state){.fn = fn, .free_fn = free_fn, .ctx = ctx};
}

static bool header_text_ok(const char *s)
{
    return s && s[0] && !strpbrk(s, "\r\n");
}

mice_status http_response_header(http_response *resp, const char *name, const char *value)
{
    if (!header_text_ok(name) || !value || strpbrk(value, "\r\n")) return MICE_INVALID;
    if (resp->n_headers == HTTP_RESPONSE_HEADERS_MAX) return MICE_LIMIT;
    resp->headers[resp->n_headers][0] = mice_strdup(name);
    resp->headers[resp->n_headers][1] = mice_strdup(value);
    resp->n_headers++;
    return MICE_OK;
}

const char *http_request_header(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn_, MHD_HEADER_KIND, name);
}

bool http_request_client_gone(const http_request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn_, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci) return false;
    char byte;
    ssize_t n = recv(ci->connect_fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

bool http_request_peer_is_loopback(const http_request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn_, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        const uint8_t *b = in6->sin6_addr.s6_addr;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) ||
               (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127);
    }
    return false;
}

/* ---- MHD edge: turning an http_response into an MHD response ---- */

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_state *st = cls;
    if (st->finished) return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = 0;
    bool done = false;
    size_t cap = max < HTTP_STREAM_BLOCK_BYTES ? max : HTTP_STREAM_BLOCK_BYTES;
    mice_status rc = st->fn(st->ctx, (uint8_t *)buf, cap, &n, &done);
    if (rc || n > cap || (n == 0 && !done)) {
        st->finished = true;
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (done) st->finished = true;
    if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_release(cls);
}

static void count_response(httpd *s, int status)
{
    atomic_fetch_add(&s->requests, 1);
    if (status >= 500)
        atomic_fetch_add(&s->resp_5xx, 1);
    else if (status >= 400)
        atomic_fetch_add(&s->resp_4xx, 1);
    else if (status >= 200 && status < 300)
        atomic_fetch_add(&s->resp_2xx, 1);
}

/* Queue resp on conn; resp's body or stream moves to MHD. */
static enum MHD_Result send_response(httpd *s, struct MHD_Connection *conn, http_response *resp)
{
    struct MHD_Response *r;
    if (resp->stream) {
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, HTTP_STREAM_BLOCK_BYTES,
                                              stream_read, resp->stream, stream_free);
        if (r) resp->stream = NULL; /* MHD frees it through stream_free from now on */
    } else if (resp->body.n == 0) {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        size_t n = 0;
        uint8_t *p = buf_steal(&resp->body, &n);
        r = MHD_create_response_from_buffer_with_free_callback(n, p, free);
        if (!r) free(p);
    }
    if (!r) return MHD_NO; /* MHD is out of memory: it closes the connection */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    for (size_t i = 0; i < resp->n_headers; i++)
        MHD_add_response_header(r, resp->headers[i][0], resp->headers[i][1]);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    if (ok == MHD_YES) count_response(s, resp->status);
    return ok;
}

static enum MHD_Result send_error(httpd *s, struct MHD_Connection *conn, int status,
                                  const char *code, const char *allow, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static enum MHD_Result send_error(httpd *s, struct MHD_Connection *conn, int status,
                                  const char *code, const char *allow, const char *fmt, ...)
{
    char msg[MICE_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    http_response resp;
    response_init(&resp);
    http_respond_error(&resp, status, code, "%s", msg);
    if (allow) http_response_header(&resp, "Allow", allow);
    enum MHD_Result ok = send_response(s, conn, &resp);
    response_deinit(&resp);
    return ok;
}

/* ---- routing ---- */

static bool route_matches(const route *r, mice_slice path, mice_slice *rest)
{
    if (r->prefix_n == 0) {
        *rest = mice_slice_of(NULL, 0);
        return mice_slice_eq(path, mice_slice_str(r->pattern));
    }
    if (path.n < r->prefix_n || memcmp(path.p, r->pattern, r->prefix_n) != 0) return false;
    *rest = mice_slice_of(path.p + r->prefix_n, path.n - r->prefix_n);
    return true;
}

static bool method_serves(const route *r, const char *method)
{
    return strcmp(r->method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

/* The route for method and path, or NULL with the methods the path has in allow ("" when
 * the path is unknown). */
static const route *route_find(const httpd *s, const char *method, mice_slice path,
                               mice_slice *rest, char *allow, size_t allow_cap)
{
    allow[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < s->n_routes; i++) {
        const route *r = &s->routes[i];
        if (!route_matches(r, path, rest)) continue;
        if (method_serves(r, method)) return r;
        bool get = strcmp(r->method, "GET") == 0;
        int w = snprintf(allow + used, allow_cap - used, "%s%s%s", used ? ", " : "", r->method,
                         get ? ", HEAD" : "");
        if (w > 0 && (size_t)w < allow_cap - used) used += (size_t)w;
    }
    return NULL;
}

static bool method_ok(const char *m)
{
    size_t n = strlen(m);
    if (n == 0 || n >= METHOD_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (m[i] < 'A' || m[i] > 'Z') return false;
    return true;
}

mice_status httpd_route(httpd *s, const char *method, const char *pattern, http_handler_fn fn,
                        void *ctx, mice_err *err)
{
    mice_assert(s->daemon == NULL); /* the table is frozen once threads read it */
    mice_assert(fn != NULL);
    size_t n = pattern ? strlen(pattern) : 0;
    if (!method || !method_ok(method))
        return mice_err_setf(err, MICE_INVALID, "http route: bad method");
    if (n == 0 || pattern[0] != '/' || n >= ROUTE_PATTERN_MAX)
        return mice_err_setf(err, MICE_INVALID, "http route: pattern must start with '/'");
    const char *star = strchr(pattern, '*');
    if (star && (star != pattern + n - 1 || star[-1] != '/'))
        return mice_err_setf(err, MICE_INVALID, "http route %s: '*' only as a last segment",
                             pattern);
    for (size_t i = 0; i < s->n_routes; i++)
        if (!strcmp(s->routes[i].method, method) && !strcmp(s->routes[i].pattern, pattern))
            return mice_err_setf(err, MICE_EXISTS, "http route %s %s: already exists", method,
                                 pattern);
    if (s->n_routes == HTTPD_ROUTES_MAX)
        return mice_err_setf(err, MICE_LIMIT, "http route: more than %d", HTTPD_ROUTES_MAX);
    route *r = &s->routes[s->n_routes++];
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->pattern, sizeof r->pattern, "%s", pattern);
    r->prefix_n = star ? n - 1 : 0;
    r->fn = fn;
    r->ctx = ctx;
    return MICE_OK;
}

/* ---- built-in endpoints ---- */

static void handle_health(void *ctx, const http_request *req, http_response *resp)
{
    httpd *s = ctx;
    bool liveness_only = false;
    mice_slice v;
    if (http_uri_query(req->uri, "ready", &v)) {
        if (mice_slice_eq(v, MICE_SLICE_LIT("0"))) {
            liveness_only = true;
        } else if (!mice_slice_eq(v, MICE_SLICE_LIT("1"))) {
            http_respond_error(resp, 400, "bad_request", "health: ready must be 0 or 1");
            return;
        }
    }
    bool ready = !s->cfg.ready || s->cfg.ready(s->cfg.ready_ctx);
    json_t *doc = json_object();
    json_object_set_new(doc, "status", json_string(ready ? "ok" : "unavailable"));
    json_object_set_new(doc, "live", json_true());
    json_object_set_new(doc, "ready", json_boolean(ready));
    http_respond_json(resp, ready || liveness_only ? 200 : 503, doc);
    http_response_header(resp, "Cache-Control", "no-store");
}

static void handle_root(void *ctx, const http_request *req, http_response *resp)
{
    (void)req;
    httpd *s = ctx;
    json_t *endpoints = json_array();
    for (size_t i = 0; i < s->n_routes; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "method", json_string(s->routes[i].method));
        json_object_set_new(e, "path", json_string(s->routes[i].pattern));
        json_array_append_new(endpoints, e);
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "name", json_string("micedb"));
    json_object_set_new(doc, "version", json_string(s->version));
    json_object_set_new(doc, "endpoints", endpoints);
    http_respond_json(resp, 200, doc);
}

/* ---- MHD callbacks ---- */

static req_state *req_state_create(httpd *s, const char *uri)
{
    req_state *rq = mice_calloc(1, sizeof *rq);
    rq->s = s;
    buf_init(&rq->target);
    buf_append_str(&rq->target, uri ? uri : "");
    http_uri_init(&rq->uri);
    buf_init(&rq->body);
    return rq;
}

static void req_state_destroy(req_state *rq)
{
    buf_deinit(&rq->target);
    http_uri_deinit(&rq->uri);
    buf_deinit(&rq->body);
    free(rq);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    return req_state_create(cls, uri);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    if (*req_cls) req_state_destroy(*req_cls);
    *req_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char line[MICE_ERR_MSG_MAX];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_debug("http: %s", line);
}

/* Strict decimal; false for anything else or overflow. */
static bool parse_u64(const char *text, uint64_t *out)
{
    uint64_t v = 0;
    if (!text || !*text) return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return true;
}

/* First call: headers are in. Queue an early error, or wait for the body. */
static enum MHD_Result on_headers(httpd *s, struct MHD_Connection *conn, req_state *rq,
                                  const char *method)
{
    mice_err err;
    mice_err_clear(&err);
    if (http_uri_parse(&rq->uri, buf_slice(&rq->target), &err))
        return send_error(s, conn, 400, "bad_request", NULL, "%s", mice_err_msg(&err));
    char allow[ALLOW_HEADER_MAX];
    mice_slice path = http_uri_path(&rq->uri);
    rq->route = route_find(s, method, path, &rq->path_rest, allow, sizeof allow);
    if (!rq->route && allow[0])
        return send_error(s, conn, 405, "method_not_allowed", allow, "method %s not allowed here",
                          method);
    if (!rq->route) return send_error(s, conn, 404, "not_found", NULL, "no such endpoint");
    uint64_t declared = 0;
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && parse_u64(cl, &declared) && declared > s->cfg.max_body_bytes)
        return send_error(s, conn, 413, "too_large", NULL,
                          "body of %llu bytes over the limit of %zu", (unsigned long long)declared,
                          s->cfg.max_body_bytes);
    return MHD_YES;
}

static enum MHD_Result on_complete(httpd *s, struct MHD_Connection *conn, req_state *rq,
                                   const char *method)
{
    if (rq->too_large)
        return send_error(s, conn, 413, "too_large", NULL, "body over the limit of %zu bytes",
                          s->cfg.max_body_bytes);
    http_request req = {
        .method = method,
        .path = http_uri_path(&rq->uri),
        .path_rest = rq->path_rest,
        .body = buf_slice(&rq->body),
        .uri = &rq->uri,
        .conn_ = conn,
    };
    http_response resp;
    response_init(&resp);
    rq->route->fn(rq->route->ctx, &req, &resp);
    enum MHD_Result ok;
    if (resp.status == 0)
        ok = send_error(s, conn, 500, "internal", NULL, "handler gave no response");
    else
        ok = send_response(s, conn, &resp);
    response_deinit(&resp);
    return ok;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **req_cls)
{
    (void)version;
    httpd *s = cls;
    req_state *rq = *req_cls;
    if (!rq) *req_cls = rq = req_state_create(s, url); /* uri_log always runs first */
    if (!rq->headers_seen) {
        rq->headers_seen = true;
        return on_headers(s, conn, rq, method);
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!rq->route || rq->too_large) return MHD_YES; /* answered early, or discarding */
        if (n > s->cfg.max_body_bytes - rq->body.n) {
            rq->too_large = true;
            buf_deinit(&rq->body);
            buf_init(&rq->body);
            return MHD_YES;
        }
        buf_append(&rq->body, upload_data, n);
        return MHD_YES;
    }
    if (!rq->route) return MHD_YES; /* the early error is already queued */
    return on_complete(s, conn, rq, method);
}

/* ---- lifecycle ---- */

mice_status httpd_create(const httpd_config *cfg, httpd **out, mice_err *err)
{
    *out = NULL;
    if (!cfg->listen_addr || strlen(cfg->listen_addr) >= IOLOOP_ADDR_MAX)
        return mice_err_setf(err, MICE_INVALID, "http: listen address missing or too long");
    struct sockaddr_storage ss;
    mice_status rc = ioloop_parse_addr(cfg->listen_addr, &ss, err);
    if (rc) return rc;
    httpd *s = mice_calloc(1, sizeof *s);
    s->cfg = *cfg;
    snprintf(s->listen_addr, sizeof s->listen_addr, "%s", cfg->listen_addr);
    s->cfg.listen_addr = s->listen_addr;
    snprintf(s->version, sizeof s->version, "%s", cfg->version ? cfg->version : "unknown");
    s->cfg.version = s->version;
    if (!s->cfg.threads) s->cfg.threads = HTTPD_THREADS_DEFAULT;
    if (!s->cfg.max_connections) s->cfg.max_connections = HTTPD_MAX_CONNECTIONS_DEFAULT;
    if (!s->cfg.max_body_bytes) s->cfg.max_body_bytes = HTTPD_MAX_BODY_BYTES_DEFAULT;
    if (!s->cfg.idle_timeout_s) s->cfg.idle_timeout_s = HTTPD_IDLE_TIMEOUT_S_DEFAULT;
    if ((rc = httpd_route(s, "GET", "/", handle_root, s, err)) ||
        (rc = httpd_route(s, "GET", "/health", handle_health, s, err))) {
        free(s);
        return rc;
    }
    *out = s;
    return MICE_OK;
}

/* The one translation of bind/listen errno values. */
static mice_status bind_error(int e, const char *addr, mice_err *err)
{
    if (e == EADDRINUSE) return mice_err_setf(err, MICE_BUSY, "%s: address already in use", addr);
    if (e == EADDRNOTAVAIL || e == EAFNOSUPPORT || e == EINVAL || e == EACCES)
        return mice_err_setf(err, MICE_INVALID, "%s: cannot bind: %s", addr, strerror(e));
    return mice_err_setf(err, MICE_IOERR, "%s: cannot listen: %s", addr, strerror(e));
}

static mice_status open_listener(const char *addr, int *fd_out, mice_err *err)
{
    struct sockaddr_storage ss;
    mice_status rc = ioloop_parse_addr(addr, &ss, err);
    if (rc) return rc;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return bind_error(errno, addr, err);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    socklen_t len =
        ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        int e = errno;
        close(fd);
        return bind_error(e, addr, err);
    }
    *fd_out = fd;
    return MICE_OK;
}

mice_status httpd_start(httpd *s, mice_err *err)
{
    mice_assert(s->daemon == NULL);
    int fd = -1;
    mice_status rc = open_listener(s->listen_addr, &fd, err);
    if (rc) return rc;
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    unsigned pool = s->cfg.threads;
    if (s->cfg.thread_per_connection) { /* handlers that block stall only their own client */
        flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
                MHD_USE_ITC | MHD_USE_ERROR_LOG;
        pool = 0;
    }
    s->daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, on_access, s, MHD_OPTION_LISTEN_SOCKET, fd,
                         /* without a pool, MHD warns about a size of 0: say the limit twice */
                         pool ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_CONNECTION_LIMIT,
                         pool ? pool : s->cfg.max_connections, MHD_OPTION_CONNECTION_LIMIT,
                         s->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
                         s->cfg.idle_timeout_s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_EXTERNAL_LOGGER,
                         on_mhd_log, s, MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_END);
    if (!s->daemon) {
        /* Whether MHD closed fd on this path depends on where it failed; leaking one fd on a
         * failed start beats closing a descriptor another thread may already reuse. */
        return mice_err_setf(err, MICE_IOERR, "%s: cannot start the HTTP server", s->listen_addr);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    atomic_store(&s->port, info ? (int)info->port : 0);
    log_info("http listening on %s (port %d, %u threads%s, at most %u connections, bodies up to "
             "%zu bytes)",
             s->listen_addr, atomic_load(&s->port), pool ? pool : s->cfg.max_connections,
             pool ? "" : " (one per connection)", s->cfg.max_connections, s->cfg.max_body_bytes);
    return MICE_OK;
}

int httpd_port(const httpd *s)
{
    return atomic_load(&((httpd *)s)->port);
}

void httpd_stop(httpd *s)
{
    if (!s->daemon) return;
    MHD_stop_daemon(s->daemon); /* closes the listener and connections, joins the threads */
    s->daemon = NULL;
    atomic_store(&s->port, 0);
    log_info("http stopped on %s", s->listen_addr);
}

void httpd_destroy(httpd *s)
{
    if (!s) return;
    httpd_stop(s);
    free(s);
}

httpd_stats httpd_get_stats(const httpd *s)
{
    httpd *m = (httpd *)s; /* atomics are read-only here; C11 loads want non-const */
    return (httpd_stats){
        .requests = atomic_load(&m->requests),
        .responses_2xx = atomic_load(&m->resp_2xx),
        .responses_4xx = atomic_load(&m->resp_4xx),
        .responses_5xx = atomic_load(&m->resp_5xx),
    };
}
