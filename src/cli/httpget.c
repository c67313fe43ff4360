/* One blocking HTTP GET (see httpget.h). */
#include "cli/httpget.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/env.h"
#include "base/ioloop.h"

static uint64_t now_ms(void)
{
    return env_mono_ns(mice_env_real()) / MICE_NS_PER_MS;
}

static mice_status wait_fd(int fd, short events, uint64_t deadline, mice_err *err)
{
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline) return mice_err_setf(err, MICE_TIMEOUT, "no answer in time");
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)(deadline - now));
        if (r > 0) return MICE_OK;
        if (r < 0 && errno != EINTR) return mice_err_setf(err, MICE_IOERR, "poll: %s", strerror(errno));
    }
}

/* Decode a chunked body in place into out. */
static mice_status dechunk(const uint8_t *p, size_t n, mice_buf *out, mice_err *err)
{
    size_t i = 0;
    for (;;) {
        char *end = NULL;
        char line[32];
        size_t k = 0;
        while (i < n && p[i] != '\r' && k < sizeof line - 1) line[k++] = (char)p[i++];
        line[k] = 0;
        unsigned long len = strtoul(line, &end, 16);
        if (end == line || i + 2 > n) return mice_err_setf(err, MICE_CORRUPT, "bad chunk header");
        i += 2;
        if (len == 0) return MICE_OK;
        if (len > n - i) return mice_err_setf(err, MICE_CORRUPT, "truncated chunk");
        buf_append(out, p + i, len);
        i += len + 2;
    }
}

static mice_status parse_answer(const mice_buf *in, int *status, mice_buf *body, mice_err *err)
{
    const char *s = (const char *)in->p;
    const char *hdr_end = memmem(s, in->n, "\r\n\r\n", 4);
    if (!hdr_end || sscanf(s, "HTTP/1.%*d %d", status) != 1)
        return mice_err_setf(err, MICE_CORRUPT, "not an HTTP answer");
    bool chunked = false;
    for (const char *l = s; l < hdr_end; l = strstr(l, "\r\n") + 2) {
        if (!strncasecmp(l, "transfer-encoding:", 18) && strstr(l, "chunked") &&
            strstr(l, "chunked") < hdr_end)
            chunked = true;
        if (!strstr(l, "\r\n")) break;
    }
    const uint8_t *b = (const uint8_t *)hdr_end + 4;
    size_t bn = in->n - (size_t)(b - in->p);
    if (chunked) return dechunk(b, bn, body, err);
    buf_append(body, b, bn);
    return MICE_OK;
}

static mice_status get_fd(int fd, const struct sockaddr_storage *sa, const char *addr,
                          const char *path, uint64_t deadline, int *status, mice_buf *body,
                          mice_err *err)
{
    socklen_t len = sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);
    if (connect(fd, (const struct sockaddr *)sa, len) != 0 && errno != EINPROGRESS)
        return mice_err_setf(err, MICE_UNAVAILABLE, "connect to %s: %s", addr, strerror(errno));
    mice_status st = wait_fd(fd, POLLOUT, deadline, err);
    if (st) return st;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) return mice_err_setf(err, MICE_UNAVAILABLE, "connect to %s: %s", addr, strerror(soerr));
    char req[1024];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                     path, addr);
    if (n < 0 || (size_t)n >= sizeof req) return mice_err_setf(err, MICE_INVALID, "path too long");
    for (int off = 0; off < n;) {
        if ((st = wait_fd(fd, POLLOUT, deadline, err))) return st;
        ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0 && errno != EINTR && errno != EAGAIN)
            return mice_err_setf(err, MICE_UNAVAILABLE, "send: %s", strerror(errno));
        if (w > 0) off += (int)w;
    }
    mice_buf in;
    buf_init(&in);
    for (;;) {
        if ((st = wait_fd(fd, POLLIN, deadline, err))) break;
        uint8_t chunk[16384];
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            st = mice_err_setf(err, MICE_UNAVAILABLE, "read: %s", strerror(errno));
            break;
        }
        if (in.n + (size_t)r > CLI_HTTP_BODY_MAX) {
            st = mice_err_setf(err, MICE_LIMIT, "answer longer than %d bytes", CLI_HTTP_BODY_MAX);
            break;
        }
        buf_append(&in, chunk, (size_t)r);
    }
    if (!st) st = parse_answer(&in, status, body, err);
    buf_deinit(&in);
    return st;
}

mice_status cli_http_get(const char *addr, const char *path, uint64_t timeout_ms, int *status,
                         mice_buf *body, mice_err *err)
{
    struct sockaddr_storage sa;
    mice_status st = ioloop_parse_addr(addr, &sa, err);
    if (st) return st;
    int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return mice_err_setf(err, MICE_IOERR, "socket: %s", strerror(errno));
    st = get_fd(fd, &sa, addr, path, now_ms() + timeout_ms, status, body, err);
    close(fd);
    return st;
}
