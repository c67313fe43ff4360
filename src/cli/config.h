/*
 * config.h - the node's configuration: one struct, one source of truth.
 *
 * Defaults are the embedded single-node setup (data in ./micedb-data, SQL on
 * 127.0.0.1:5433, HTTP 8080, RESP 6380, node RPC 7070). They are overridden first by
 * environment variables (MICEDB_DATA, MICEDB_SQL_ADDR, ...), then by command-line flags
 * (--data, --sql, ...), and the result is printed at start-up.
 *
 * Owns: the strings it points at (config_deinit frees them). Thread safety: filled on the
 * main thread before any other thread starts; read-only afterwards.
 */
#ifndef MICE_CLI_CONFIG_H
#define MICE_CLI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/status.h"

typedef struct mice_config {
    char *data_dir;
    char *sql_addr;
    char *http_addr;
    char *resp_addr;
    char *rpc_addr;
    char *join; /* "" = the embedded single node; else the initial members' rpc addresses */
    mice_log_level log_level;
    uint64_t cache_bytes;
    uint64_t dead_after_s; /* a cluster node not live this long has its replicas replaced */
} mice_config;

/* Defaults, then the environment. getenv_fn is injectable for tests (NULL = getenv). */
void config_init(mice_config *c, const char *(*getenv_fn)(const char *name));
void config_deinit(mice_config *c);
/* Apply flags argv[0..argc); the first non-flag argument is an error. */
mice_status config_parse_flags(mice_config *c, int argc, char **argv, mice_err *err);
/* Multi-line "key = value" description, appended to out. */
void config_describe(const mice_config *c, mice_buf *out);
/* The flag reference for --help, appended to out. */
void config_usage(mice_buf *out);

#endif
