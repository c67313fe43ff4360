/*
 * pgserver_fake - the PostgreSQL server glue in front of the fake backend, as a process
 * real clients (psql, psycopg) can talk to. Test code only (tests/e2e/test_pgserver_fake.py).
 *
 *   pgserver_fake [--listen 127.0.0.1:0] [--insecure] [--workers N] [--max-connections N]
 *                 [--user name:password]...
 *
 * Prints "pgserver_fake listening on port <n>" on stdout once it accepts connections, runs
 * until SIGTERM or SIGINT, then stops the server cleanly and exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ioloop.h"
#include "base/log.h"
#include "base/workpool.h"
#include "server/pgserver.h"
#include "server/support/fake_backend.h"

enum { USER_ARG_MAX = 128, EXIT_USAGE = 2 };

typedef struct options {
    const char *listen;
    bool insecure;
    int workers;
    size_t max_connections;
} options;

static int usage(const char *why)
{
    fprintf(stderr,
            "pgserver_fake: %s\nusage: pgserver_fake [--listen host:port] [--insecure] "
            "[--workers N] [--max-connections N] [--user name:password]...\n",
            why);
    return EXIT_USAGE;
}

static bool add_user(fake_backend *fb, const char *arg)
{
    char copy[USER_ARG_MAX];
    const char *colon = strchr(arg, ':');
    if (!colon || strlen(arg) >= sizeof copy) return false;
    snprintf(copy, sizeof copy, "%s", arg);
    copy[colon - arg] = '\0';
    fake_backend_add_user(fb, copy, copy + (colon - arg) + 1);
    return true;
}

static int parse_args(int argc, char **argv, options *o, fake_backend *fb)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--insecure") == 0) {
            o->insecure = true;
        } else if (strcmp(a, "--listen") == 0 && has_value) {
            o->listen = argv[++i];
        } else if (strcmp(a, "--workers") == 0 && has_value) {
            o->workers = atoi(argv[++i]);
        } else if (strcmp(a, "--max-connections") == 0 && has_value) {
            o->max_connections = (size_t)atol(argv[++i]);
        } else if (strcmp(a, "--user") == 0 && has_value) {
            if (!add_user(fb, argv[++i])) return usage("--user wants name:password");
        } else {
            return usage("unknown or incomplete flag");
        }
    }
    return 0;
}

static int serve(const options *o, fake_backend *fb, const sigset_t *stop_signals)
{
    mice_err err;
    ioloop *loop = NULL;
    workpool *pool = NULL;
    pgserver *srv = NULL;
    int rc = 1;
    workpool_config wc = {.threads = o->workers, .name = "worker"};
    if (ioloop_start("io", &loop, &err) || workpool_create(&wc, &pool, &err)) goto done;
    pgserver_config cfg = {.listen_addr = o->listen,
                           .insecure = o->insecure,
                           .max_connections = o->max_connections,
                           .loop = loop,
                           .pool = pool,
                           .backend = &fake_backend_vtab,
                           .backend_ctx = fb};
    if (pgserver_create(&cfg, &srv, &err) || pgserver_start(srv, &err)) goto done;
    printf("pgserver_fake listening on port %d\n", pgserver_port(srv));
    fflush(stdout);
    int sig = 0;
    sigwait(stop_signals, &sig);
    rc = 0;
done:
    if (rc) fprintf(stderr, "pgserver_fake: %s\n", mice_err_msg(&err));
    pgserver_destroy(srv);
    if (pool) workpool_destroy(pool);
    if (loop) ioloop_destroy(loop);
    return rc;
}

int main(int argc, char **argv)
{
    /* Blocked before any thread starts, so every thread inherits the mask and sigwait
     * below is the only place these signals are taken. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    log_set_level(MICE_LOG_INFO);
    options o = {.listen = "127.0.0.1:0", .workers = 4};
    fake_backend *fb = fake_backend_create();
    int rc = parse_args(argc, argv, &o, fb);
    if (rc == 0) rc = serve(&o, fb, &stop_signals);
    fake_backend_destroy(fb);
    return rc;
}
