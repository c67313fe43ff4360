/* Read a node's Hello (see probe.h). Plain blocking socket with poll() deadlines. */
#include "rpc/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/ioloop.h"
#include "rpc/codec.h"
#include "rpc/frame.h"
#include "rpc/proto/rpc.pb-c.h"

enum { PROBE_HELLO_BYTES_MAX = 64 * 1024 };

static uint64_t now_ms(void)
{
    return env_mono_ns(mice_env_real()) / MICE_NS_PER_MS;
}

/* Wait until fd is ready for events or the deadline passes. */
static mice_status wait_fd(int fd, short events, uint64_t deadline_ms, mice_err *err)
{
    for (;;) {
        uint64_t now = now_ms();
        if (now >= deadline_ms) return mice_err_setf(err, MICE_TIMEOUT, "no answer in time");
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)(deadline_ms - now));
        if (r > 0) return MICE_OK;
        if (r < 0 && errno != EINTR)
            return mice_err_setf(err, MICE_IOERR, "poll: %s", strerror(errno));
    }
}

static mice_status probe_fd(int fd, const struct sockaddr_storage *sa, uint64_t deadline_ms,
                            rpc_probe_result *out, mice_err *err)
{
    socklen_t len = sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                              : sizeof(struct sockaddr_in);
    if (connect(fd, (const struct sockaddr *)sa, len) != 0 && errno != EINPROGRESS)
        return mice_err_setf(err, MICE_UNAVAILABLE, "connect: %s", strerror(errno));
    mice_status st = wait_fd(fd, POLLOUT, deadline_ms, err);
    if (st) return st;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) return mice_err_setf(err, MICE_UNAVAILABLE, "connect: %s", strerror(soerr));

    frame_decoder dec;
    frame_decoder_init(&dec, PROBE_HELLO_BYTES_MAX);
    rpc_frame f;
    for (;;) {
        st = frame_decoder_next(&dec, &f, err);
        if (st != MICE_AGAIN) break;
        if ((st = wait_fd(fd, POLLIN, deadline_ms, err))) break;
        uint8_t chunk[4096];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n == 0) {
            st = mice_err_setf(err, MICE_UNAVAILABLE, "closed before its Hello");
            break;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            st = mice_err_setf(err, MICE_UNAVAILABLE, "read: %s", strerror(errno));
            break;
        }
        frame_decoder_feed(&dec, (mice_slice){.p = chunk, .n = (size_t)n});
    }
    if (st == MICE_OK && f.type != RPC_FRAME_HELLO)
        st = mice_err_setf(err, MICE_CORRUPT, "first frame is %s, not a Hello",
                           frame_type_name(f.type));
    if (st == MICE_OK) {
        ProtobufCMessage *m = NULL;
        st = rpc_unpack(&rpcpb__hello__descriptor, f.body, &m, err);
        if (st == MICE_OK) {
            const Rpcpb__Hello *h = (const Rpcpb__Hello *)m;
            out->node_id = h->node_id;
            out->protocol_version = h->protocol_version;
            snprintf(out->cluster_id, sizeof out->cluster_id, "%s",
                     h->cluster_id ? h->cluster_id : "");
            if (h->n_addresses > 0 && h->addresses[0])
                snprintf(out->addr, sizeof out->addr, "%s", h->addresses[0]);
            rpc_unpacked_free(m);
        }
    }
    frame_decoder_deinit(&dec);
    return st;
}

mice_status rpc_probe(const char *addr, uint64_t timeout_ms, rpc_probe_result *out,
                      mice_err *err)
{
    memset(out, 0, sizeof *out);
    struct sockaddr_storage sa;
    mice_status st = ioloop_parse_addr(addr, &sa, err);
    if (st) return st;
    int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return mice_err_setf(err, MICE_IOERR, "socket: %s", strerror(errno));
    st = probe_fd(fd, &sa, now_ms() + timeout_ms, out, err);
    close(fd);
    if (st) {
        char msg[MICE_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", mice_err_msg(err));
        mice_err_setf(err, st, "probing %s: %s", addr, msg);
    }
    return st;
}
