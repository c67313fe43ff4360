/*
 * main.c - the micedb binary: subcommand dispatch.
 *
 * `micedb start` runs a node. Today a node opens its storage engine (RocksDB with the
 * MVCC layer's options and GC filter), reports what it opened, and waits for SIGINT or
 * SIGTERM to close it cleanly; the SQL, RESP, HTTP and RPC listeners arrive with their
 * issues and are listed as not yet serving, so nobody mistakes the node for more than it is.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/log.h"
#include "cli/config.h"
#include "storage/engine.h"
#include "storage/mvcc.h"

#define MICEDB_VERSION "0.1.0-dev"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static int usage(FILE *out)
{
    mice_buf b;
    buf_init(&b);
    buf_append_str(&b, "usage: micedb <command> [flags]\n\n"
                       "commands:\n"
                       "  start      run a node (embedded single-node defaults)\n"
                       "  version    print the version\n"
                       "  help       this text\n\n"
                       "flags of start:\n");
    config_usage(&b);
    fputs((const char *)b.p, out);
    buf_deinit(&b);
    return out == stdout ? EXIT_OK : EXIT_USAGE;
}

/* Block SIGINT/SIGTERM in this (and every later) thread and wait for one of them. */
static int wait_for_stop_signal(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    return sig;
}

static void block_stop_signals(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static mice_status open_storage(const mice_config *cfg, engine **out, mice_err *err)
{
    if (mkdir(cfg->data_dir, 0755) != 0 && errno != EEXIST)
        return mice_err_setf(err, MICE_IOERR, "cannot create data directory %s: %s",
                             cfg->data_dir, strerror(errno));
    mice_buf dir;
    buf_init(&dir);
    buf_printf(&dir, "%s/store", cfg->data_dir);
    engine_config ecfg;
    mvcc_config_init(&ecfg, (const char *)dir.p);
    ecfg.block_cache_bytes = cfg->cache_bytes;
    mice_status rc = engine_open(&ecfg, out, err);
    buf_deinit(&dir);
    return rc;
}

static int cmd_start(int argc, char **argv)
{
    mice_config cfg;
    mice_err err;
    mice_err_clear(&err);
    config_init(&cfg, NULL);
    if (config_parse_flags(&cfg, argc, argv, &err)) {
        fprintf(stderr, "micedb start: %s\n", mice_err_msg(&err));
        config_deinit(&cfg);
        return EXIT_USAGE;
    }
    log_set_level(cfg.log_level);
    block_stop_signals(); /* before any thread starts, so only sigwait sees them */

    mice_buf desc;
    buf_init(&desc);
    config_describe(&cfg, &desc);
    log_info("micedb %s starting with configuration:\n%s", MICEDB_VERSION, (char *)desc.p);
    buf_deinit(&desc);

    engine *eng = NULL;
    if (open_storage(&cfg, &eng, &err)) {
        log_error("cannot open storage in %s: %s", cfg.data_dir, mice_err_msg(&err));
        fprintf(stderr, "micedb start: cannot open storage in %s: %s\n", cfg.data_dir,
                mice_err_msg(&err));
        config_deinit(&cfg);
        return EXIT_RUNTIME;
    }
    log_info("storage open: %s (RocksDB; column families data, locks, raft, meta)",
             engine_dir(eng));
    log_warn("listeners not serving yet in this build: sql %s, http %s, resp %s, rpc %s",
             cfg.sql_addr, cfg.http_addr, cfg.resp_addr, cfg.rpc_addr);
    log_info("ready; stop with SIGINT or SIGTERM");
    fprintf(stdout, "micedb ready (data %s)\n", cfg.data_dir);
    fflush(stdout);

    int sig = wait_for_stop_signal();
    log_info("received %s, closing storage", sig == SIGINT ? "SIGINT" : "SIGTERM");
    engine_close(eng);
    log_info("stopped");
    config_deinit(&cfg);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage(stderr);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) return usage(stdout);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("micedb %s\n", MICEDB_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "start")) return cmd_start(argc - 2, argv + 2);
    fprintf(stderr, "micedb: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
