#include "cli/workload_http.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/check.h"

struct wl_http {
    char host[256];
    char port[16];
    int fd;       /* -1 when not connected */
    mice_buf in;  /* received, not yet consumed */
    mice_buf out; /* the request being sent */
};

static mice_status http_connect(wl_http *h, mice_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int gai = getaddrinfo(h->host, h->port, &hints, &ai);
    if (gai)
        return mice_err_setf(err, MICE_UNAVAILABLE, "%s:%s: %s", h->host, h->port,
                             gai_strerror(gai));
    int fd = -1, last_errno = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            last_errno = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return mice_err_setf(err, MICE_UNAVAILABLE, "connect %s:%s: %s", h->host, h->port,
                             strerror(last_errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {.tv_sec = WL_HTTP_TIMEOUT_S};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    h->fd = fd;
    buf_reset(&h->in);
    return MICE_OK;
}

static void http_disconnect(wl_http *h)
{
    if (h->fd >= 0) close(h->fd);
    h->fd = -1;
    buf_reset(&h->in);
}

mice_status wl_http_open(const char *addr, wl_http **out, mice_err *err)
{
    *out = NULL;
    if (!strncmp(addr, "http://", 7)) addr += 7;
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr)
        return mice_err_setf(err, MICE_INVALID, "bad HTTP address '%s' (want host:port)", addr);
    size_t hn = (size_t)(colon - addr), pn = strcspn(colon + 1, "/");
    wl_http *h = mice_calloc(1, sizeof *h);
    if (hn >= sizeof h->host || pn == 0 || pn >= sizeof h->port) {
        free(h);
        return mice_err_setf(err, MICE_INVALID, "bad HTTP address '%s' (want host:port)", addr);
    }
    memcpy(h->host, addr, hn);
    memcpy(h->port, colon + 1, pn);
    h->fd = -1;
    buf_init(&h->in);
    buf_init(&h->out);
    mice_status rc = http_connect(h, err);
    if (rc) {
        wl_http_close(h);
        return rc;
    }
    *out = h;
    return MICE_OK;
}

void wl_http_close(wl_http *h)
{
    if (!h) return;
    http_disconnect(h);
    buf_deinit(&h->in);
    buf_deinit(&h->out);
    free(h);
}

static bool send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Read more bytes into h->in; false on EOF, error or timeout. */
static bool recv_more(wl_http *h)
{
    for (;;) {
        uint8_t *dst = buf_extend(&h->in, 16384);
        ssize_t r = recv(h->fd, dst, 16384, 0);
        if (r < 0 && errno == EINTR) {
            buf_truncate(&h->in, h->in.n - 16384);
            continue;
        }
        buf_truncate(&h->in, h->in.n - 16384 + (r > 0 ? (size_t)r : 0));
        return r > 0;
    }
}

static void consume(mice_buf *b, size_t n)
{
    memmove(b->p, b->p + n, b->n - n);
    buf_truncate(b, b->n - n);
}

/* Find "\r\n" at or after from; returns its offset or -1. */
static long find_crlf(const mice_buf *b, size_t from)
{
    for (size_t i = from; i + 1 < b->n; i++)
        if (b->p[i] == '\r' && b->p[i + 1] == '\n') return (long)i;
    return -1;
}

typedef struct http_head {
    int status;
    long content_length; /* -1 unknown */
    bool chunked;
    bool close;
} http_head;

/* Parse the status line and the headers we need from the first head_len bytes. */
static bool parse_head(const char *p, size_t head_len, http_head *hd)
{
    *hd = (http_head){.content_length = -1};
    if (head_len < 12 || strncmp(p, "HTTP/1.", 7)) return false;
    hd->status = atoi(p + 9);
    const char *end = p + head_len;
    const char *line = memchr(p, '\n', head_len);
    while (line && ++line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t len = eol ? (size_t)(eol - line) : (size_t)(end - line);
        if (len > 15 && !strncasecmp(line, "content-length:", 15))
            hd->content_length = strtol(line + 15, NULL, 10);
        else if (len > 18 && !strncasecmp(line, "transfer-encoding:", 18))
            hd->chunked = memmem(line, len, "chunked", 7) != NULL;
        else if (len > 11 && !strncasecmp(line, "connection:", 11))
            hd->close = memmem(line, len, "close", 5) != NULL;
        line = eol;
    }
    return hd->status >= 100 && hd->status < 600;
}

/* Read a chunked body into resp; false on a transport or format error. */
static bool read_chunked(wl_http *h, mice_buf *resp)
{
    for (;;) {
        long eol;
        while ((eol = find_crlf(&h->in, 0)) < 0)
            if (!recv_more(h)) return false;
        unsigned long size = strtoul((const char *)h->in.p, NULL, 16);
        consume(&h->in, (size_t)eol + 2);
        while (h->in.n < size + 2)
            if (!recv_more(h)) return false;
        buf_append(resp, h->in.p, size);
        consume(&h->in, size + 2);
        if (size == 0) return true; /* trailers are not expected; the last CRLF is consumed */
    }
}

/* Read one response; 0 = ok, 1 = nothing arrived (stale connection), 2 = broken. */
static int read_response(wl_http *h, int *status, mice_buf *resp)
{
    long head_end;
    size_t scanned = 0;
    for (;;) {
        head_end = -1;
        for (size_t i = scanned; i + 3 < h->in.n; i++)
            if (!memcmp(h->in.p + i, "\r\n\r\n", 4)) {
                head_end = (long)i;
                break;
            }
        if (head_end >= 0) break;
        if (h->in.n > WL_HTTP_HEAD_MAX) return 2;
        scanned = h->in.n > 3 ? h->in.n - 3 : 0;
        size_t before = h->in.n;
        if (!recv_more(h)) return before == 0 ? 1 : 2;
    }
    http_head hd;
    if (!parse_head((const char *)h->in.p, (size_t)head_end, &hd)) return 2;
    consume(&h->in, (size_t)head_end + 4);
    buf_reset(resp);
    if (hd.chunked) {
        if (!read_chunked(h, resp)) return 2;
    } else if (hd.content_length >= 0) {
        while (h->in.n < (size_t)hd.content_length)
            if (!recv_more(h)) return 2;
        buf_append(resp, h->in.p, (size_t)hd.content_length);
        consume(&h->in, (size_t)hd.content_length);
    } else if (hd.status != 204 && hd.status != 304) {
        while (recv_more(h)) {
        } /* body until close */
        buf_append(resp, h->in.p, h->in.n);
        hd.close = true;
    }
    *status = hd.status;
    if (hd.close) http_disconnect(h);
    return 0;
}

mice_status wl_http_request(wl_http *h, const char *method, const char *path,
                            const char *content_type, const void *body, size_t n, int *status,
                            mice_buf *resp, mice_err *err)
{
    buf_reset(&h->out);
    buf_printf(&h->out, "%s %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Length: %zu\r\n", method, path,
               h->host, h->port, n);
    if (content_type) buf_printf(&h->out, "Content-Type: %s\r\n", content_type);
    buf_append_str(&h->out, "\r\n");
    if (n) buf_append(&h->out, body, n);
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh = h->fd < 0;
        if (fresh) {
            mice_status rc = http_connect(h, err);
            if (rc) return rc;
        }
        int r = 2;
        if (send_all(h->fd, h->out.p, h->out.n)) r = read_response(h, status, resp);
        if (r == 0) return MICE_OK;
        http_disconnect(h);
        if (fresh || r == 2)
            return mice_err_setf(err, r == 2 ? MICE_CORRUPT : MICE_UNAVAILABLE, "%s %s: %s", method,
                                 path, r == 2 ? "bad or cut response" : "connection closed");
        /* a kept-alive connection the server had closed: once more on a fresh one */
    }
    return mice_err_setf(err, MICE_UNAVAILABLE, "%s %s: connection closed", method, path);
}

void wl_base64(mice_buf *out, const void *data, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const uint8_t *p = data;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], tab[v & 63]};
        buf_append(out, q, 4);
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        char q[4] = {tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=', '='};
        buf_append(out, q, 4);
    }
}
