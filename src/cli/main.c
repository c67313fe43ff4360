/*
 * main.c - the micedb binary: subcommand dispatch.
 *
 * `micedb start` runs a node. A node opens its storage engine (RocksDB with the MVCC
 * layer's options and GC filter), the transaction layer and the catalog (bootstrapped on
 * a fresh data directory), and serves PostgreSQL clients on the --sql address: the io
 * loop owns the sockets, the worker pool runs the SQL sessions (pgsession). It waits for
 * SIGINT or SIGTERM, then stops the server, the pool and the loop and closes everything in
 * reverse order. The Redis protocol listener (respserver, --resp) serves the KV namespace
 * on the same io loop and worker pool. The HTTP listener serves /health, the KV API
 * (/v1/kv, http_kv.h) and SQL over HTTP (/v1/sql, http_sql.h) on libmicrohttpd's threads,
 * one per connection (at most HTTP_CONNECTIONS_MAX): KV requests run on those threads;
 * each SQL request runs a session of the same PostgreSQL backend on one of http_sql's own
 * workers (a fixed number, so they are bounded; more at once get 503), streaming its rows
 * back to the HTTP thread through a bounded buffer. A maintenance thread clears dropped
 * and truncated tables' data. The RPC listener arrives with its issue and is listed as not
 * yet serving, so nobody mistakes the node for more than it is.
 *
 * Shutdown: the maintenance thread is joined, then every listener stops (HTTP - its SQL
 * statements cancelled first -, PostgreSQL, Redis) before the worker pool and the io loop
 * they use, and those before the SQL layer, the transactions and the storage engine.
 */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/env.h"
#include "base/ioloop.h"
#include "base/log.h"
#include "base/workpool.h"
#include "cli/cluster.h"
#include "cli/config.h"
#include "cli/workload.h"
#include "cli/workload_http.h"
#include "server/http.h"
#include "server/http_auth.h"
#include "server/http_kv.h"
#include "server/http_sql.h"
#include "server/pgserver.h"
#include "server/pgsession.h"
#include "server/resp_cmd.h"
#include "server/respserver.h"
#include "sql/catalog.h"
#include "sql/engine.h"
#include "storage/engine.h"
#include "storage/mvcc.h"
#include "txn/txn.h"

#define MICEDB_VERSION "0.1.0-dev"

enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    NODE_ID = 1,                /* the embedded single node */
    CATALOG_BOOTSTRAP_RETRY_MS = 200,
    INIT_TIMEOUT_MS = 60000,
    SQL_WORKERS = 16,           /* worker threads (default 8 MiB stacks; parsing needs ~1 MiB) */
    HTTP_CONNECTIONS_MAX = 256, /* HTTP clients at once (a thread each: SQL may block) */
    HTTP_SQL_WORKERS = 8,       /* SQL-over-HTTP requests running at once */
};

/* What a running node holds, torn down in reverse order by node_close. */
typedef struct node {
    engine *eng;
    ioloop *loop;
    workpool *pool;
    txn_db *db;
    catalog *cat;
    sql_engine *engine;
    pgsession_backend *backend;
    pgserver *sql;
    resp_db *rdb;
    respserver *resp;
    httpd *http;
    http_auth http_auth;
    http_kv *http_kv;
    http_sql *http_sql;
    atomic_bool ready; /* /health readiness: true between start-up and stop */
    pthread_t maint;   /* background upkeep (maint_main), joined by node_close */
    bool maint_started;
    atomic_bool stopping;
    cluster *cluster;           /* NULL: the embedded single node */
    uint64_t node_id;
    atomic_bool stop_requested; /* a stop signal arrived (set by the signal thread) */
} node;

enum {
    MAINT_PERIOD_MS = 1000,
    MAINT_SLEEP_STEP_MS = 50,
    GC_WINDOW_S = 4 * 3600, /* MVCC history kept (DESIGN.md): reads up to 4 h back */
};

/* Background upkeep, once a second: clear the data of dropped and truncated tables
 * (catalog GC jobs), and move the MVCC GC horizon to now - GC_WINDOW_S, so compactions
 * drop versions (and the delete markers of expired or deleted keys) older than the window.
 * A transaction whose snapshot is older than the window fails (MICE_TS_TOO_OLD).
 * Sleeps in short steps so that a stop is prompt. */
static void *maint_main(void *arg)
{
    node *n = arg;
    const mice_env *env = mice_env_real();
    while (!atomic_load(&n->stopping)) {
        size_t done = 0;
        sql_error serr;
        sqlerr_clear(&serr);
        if (catalog_gc_run(n->cat, &done, &serr))
            log_warn("gc: %s", serr.message);
        else if (done)
            log_info("gc: cleared the data of %zu dropped or truncated index(es)", done);
        if (n->cluster) cluster_maintain(n->cluster);
        hlc_ts now = hlc_now(txn_db_clock(n->db));
        uint64_t window_ns = (uint64_t)GC_WINDOW_S * MICE_NS_PER_S;
        if (now.wall_ns > window_ns)
            mvcc_set_gc_horizon(n->eng, (hlc_ts){.wall_ns = now.wall_ns - window_ns});
        for (int i = 0; i < MAINT_PERIOD_MS / MAINT_SLEEP_STEP_MS && !atomic_load(&n->stopping);
             i++)
            env_sleep_ns(env, (uint64_t)MAINT_SLEEP_STEP_MS * MICE_NS_PER_MS);
    }
    return NULL;
}

static int usage(FILE *out)
{
    mice_buf b;
    buf_init(&b);
    buf_append_str(&b, "usage: micedb <command> [flags]\n\n"
                       "commands:\n"
                       "  start      run a node (embedded single-node defaults; --join for a cluster)\n"
                       "  init       bootstrap a new cluster: micedb init --rpc HOST:PORT\n"
                       "  node       micedb node status [--http HOST:PORT]: the cluster's nodes\n"
                       "  workload   load generators: kv, bank, ycsb (micedb workload help)\n"
                       "  version    print the version\n"
                       "  help       this text\n\n"
                       "flags of start:\n");
    config_usage(&b);
    fputs((const char *)b.p, out);
    buf_deinit(&b);
    return out == stdout ? EXIT_OK : EXIT_USAGE;
}

static atomic_int stop_signal;

/* The signal thread: wait for SIGINT/SIGTERM (blocked in every thread), then say so. */
static void *signal_main(void *arg)
{
    atomic_bool *stop_requested = arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    atomic_store(&stop_signal, sig);
    atomic_store(stop_requested, true);
    return NULL;
}

/* The main thread, once serving: wait for the signal thread. */
static int wait_for_stop_signal(atomic_bool *stop_requested)
{
    while (!atomic_load(stop_requested))
        env_sleep_ns(mice_env_real(), (uint64_t)MAINT_SLEEP_STEP_MS * MICE_NS_PER_MS);
    return atomic_load(&stop_signal);
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
        return mice_err_setf(err, MICE_IOERR, "cannot create data directory %s: %s", cfg->data_dir,
                             strerror(errno));
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

static bool node_ready(void *ctx)
{
    return atomic_load((atomic_bool *)ctx);
}

/* Stop in reverse order of start; every member may be NULL. */
static void node_close(node *n)
{
    atomic_store(&n->stopping, true);
    /* In a cluster, statements and upkeep blocked on other nodes (a lost quorum, a dead
     * leaseholder) fail at once instead of retrying until their deadline. */
    cluster_quiesce(n->cluster);
    if (n->maint_started) pthread_join(n->maint, NULL);
    http_sql_stop(n->http_sql); /* cancels its statements, so httpd_stop joins promptly */
    if (n->http) httpd_stop(n->http);
    if (n->sql) pgserver_stop(n->sql);
    if (n->resp) respserver_stop(n->resp);
    cluster_stop(n->cluster); /* its kv server's requests finish before the pool stops */
    if (n->pool) workpool_shutdown(n->pool, WORKPOOL_CANCEL);
    if (n->loop) ioloop_stop(n->loop);
    httpd_destroy(n->http);
    http_sql_destroy(n->http_sql);
    http_kv_destroy(n->http_kv);
    if (n->sql) pgserver_destroy(n->sql);
    respserver_destroy(n->resp);
    resp_db_destroy(n->rdb);
    if (n->pool) workpool_destroy(n->pool);
    if (n->loop) ioloop_destroy(n->loop);
    pgsession_backend_destroy(n->backend);
    sql_engine_destroy(n->engine);
    catalog_destroy(n->cat);
    txn_db_destroy(n->db);
    cluster_destroy(n->cluster);
    if (n->eng) {
        log_info("closing storage");
        engine_close(n->eng);
    }
    *n = (node){0};
}

static mice_status open_sql(node *n, mice_err *err)
{
    txn_db_config tcfg;
    txn_db_config_init(&tcfg);
    if (n->cluster) {
        tcfg.sender = cluster_sender(n->cluster);
        tcfg.clock = cluster_clock(n->cluster);
    }
    mice_status rc = txn_db_create(n->eng, mice_env_real(), &tcfg, &n->db, err);
    if (rc) return rc;
    if (n->cluster && (rc = cluster_attach_db(n->cluster, n->db, err))) return rc;
    sql_error serr;
    for (;;) { /* in a cluster, other nodes may be bootstrapping the catalog at once */
        sqlerr_clear(&serr);
        rc = catalog_bootstrap(n->db, &serr);
        if (!rc || !n->cluster || atomic_load(&n->stop_requested)) break;
        log_warn("catalog bootstrap: %s (retrying)", serr.message);
        env_sleep_ns(mice_env_real(), (uint64_t)CATALOG_BOOTSTRAP_RETRY_MS * MICE_NS_PER_MS);
    }
    if (rc) {
        sqlerr_to_mice_err(&serr, err);
        return rc;
    }
    n->cat = catalog_create(n->db, mice_env_real(), (uint32_t)n->node_id);
    n->engine = sql_engine_create(n->db, n->cat, mice_env_real());
    pgsession_config scfg = {.db = n->db,
                             .cat = n->cat,
                             .engine = n->engine,
                             .env = mice_env_real(),
                             .node_id = (uint32_t)n->node_id};
    return pgsession_backend_create(&scfg, &n->backend, err);
}

static void cluster_json_route(http_response *resp, cluster *c,
                               mice_status (*fn)(cluster *, json_t **, mice_err *))
{
    json_t *doc = NULL;
    mice_err err;
    mice_err_clear(&err);
    mice_status rc = fn(c, &doc, &err);
    if (rc) {
        http_respond_status(resp, rc, mice_err_msg(&err));
        return;
    }
    http_respond_json(resp, 200, doc);
}

static void get_cluster_nodes(void *ctx, const http_request *req, http_response *resp)
{
    (void)req;
    cluster_json_route(resp, ctx, cluster_nodes_json);
}

static void get_cluster_ranges(void *ctx, const http_request *req, http_response *resp)
{
    (void)req;
    cluster_json_route(resp, ctx, cluster_ranges_json);
}

/* The KV and SQL APIs on the HTTP server (before it starts). */
static mice_status serve_http_apis(node *n, mice_err *err)
{
    n->http_auth = (http_auth){.db = n->db, .cat = n->cat};
    http_kv_config kcfg = {.db = n->db, .env = mice_env_real(), .auth = &n->http_auth};
    n->http_kv = http_kv_create(&kcfg);
    http_sql_config qcfg = {.backend = pgsession_vtab(),
                            .backend_ctx = n->backend,
                            .auth = &n->http_auth,
                            .workers = HTTP_SQL_WORKERS};
    mice_status rc = http_sql_create(&qcfg, &n->http_sql, err);
    if (!rc) rc = http_kv_register(n->http_kv, n->http, err);
    if (!rc) rc = http_sql_register(n->http_sql, n->http, err);
    if (!rc && n->cluster)
        rc = httpd_route(n->http, "GET", "/v1/cluster/nodes", get_cluster_nodes, n->cluster, err);
    if (!rc && n->cluster)
        rc = httpd_route(n->http, "GET", "/v1/cluster/ranges", get_cluster_ranges, n->cluster, err);
    return rc;
}

/* Start the io loop, the workers, the SQL layer and the PostgreSQL listener. */
static mice_status node_serve(node *n, const mice_config *cfg, mice_err *err)
{
    mice_status rc = ioloop_start("io", &n->loop, err);
    if (rc) return rc;
    workpool_config wcfg = {.threads = SQL_WORKERS, .name = "sql"};
    if ((rc = workpool_create(&wcfg, &n->pool, err))) return rc;
    n->node_id = NODE_ID;
    if (cfg->join[0]) {
        cluster_config ccfg = {.join = cfg->join,
                               .rpc_addr = cfg->rpc_addr,
                               .sql_addr = cfg->sql_addr,
                               .http_addr = cfg->http_addr,
                               .resp_addr = cfg->resp_addr,
                               .eng = n->eng,
                               .loop = n->loop,
                               .pool = n->pool,
                               .env = mice_env_real(),
                               .stopping = &n->stop_requested,
                               .dead_after_ms = cfg->dead_after_s * 1000};
        if ((rc = cluster_start(&ccfg, &n->cluster, err))) return rc;
        n->node_id = cluster_node_id(n->cluster);
    }
    if ((rc = open_sql(n, err))) return rc;
    pgserver_config pcfg = {.listen_addr = cfg->sql_addr,
                            .insecure = true,
                            .loop = n->loop,
                            .pool = n->pool,
                            .backend = pgsession_vtab(),
                            .backend_ctx = n->backend};
    if ((rc = pgserver_create(&pcfg, &n->sql, err))) return rc;
    if ((rc = pgserver_start(n->sql, err))) return rc;
    httpd_config hcfg = {.listen_addr = cfg->http_addr,
                         .version = MICEDB_VERSION,
                         .thread_per_connection = true,
                         .max_connections = HTTP_CONNECTIONS_MAX,
                         .ready = node_ready,
                         .ready_ctx = &n->ready};
    if ((rc = httpd_create(&hcfg, &n->http, err))) return rc;
    if ((rc = serve_http_apis(n, err))) return rc;
    if ((rc = httpd_start(n->http, err))) return rc;
    resp_db_config rcfg = {
        .db = n->db, .cat = n->cat, .env = mice_env_real(), .version = MICEDB_VERSION};
    if ((rc = resp_db_create(&rcfg, &n->rdb, err))) return rc;
    respserver_config rscfg = {
        .listen_addr = cfg->resp_addr, .loop = n->loop, .pool = n->pool, .rdb = n->rdb};
    if ((rc = respserver_create(&rscfg, &n->resp, err))) return rc;
    if ((rc = respserver_start(n->resp, err))) return rc;
    if (pthread_create(&n->maint, NULL, maint_main, n) != 0)
        return mice_err_setf(err, MICE_NOMEM, "cannot start the maintenance thread");
    n->maint_started = true;
    return MICE_OK;
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
    node n = {.eng = eng};
    pthread_t sig_thread;
    if (pthread_create(&sig_thread, NULL, signal_main, &n.stop_requested) != 0) {
        fprintf(stderr, "micedb start: cannot start the signal thread\n");
        engine_close(eng);
        config_deinit(&cfg);
        return EXIT_RUNTIME;
    }
    pthread_detach(sig_thread);
    if (node_serve(&n, &cfg, &err)) {
        if (atomic_load(&n.stop_requested)) { /* stopped while waiting for init */
            log_info("stopped before serving");
            node_close(&n);
            config_deinit(&cfg);
            return EXIT_OK;
        }
        log_error("cannot start: %s", mice_err_msg(&err));
        fprintf(stderr, "micedb start: %s\n", mice_err_msg(&err));
        node_close(&n);
        config_deinit(&cfg);
        return EXIT_RUNTIME;
    }
    if (!n.cluster) log_info("single node (no --join): the rpc listener %s is not used", cfg.rpc_addr);
    atomic_store(&n.ready, true);
    log_info("ready; stop with SIGINT or SIGTERM");
    fprintf(stdout, "micedb ready (data %s)\n", cfg.data_dir);
    fflush(stdout);

    int sig = wait_for_stop_signal(&n.stop_requested);
    log_info("received %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    atomic_store(&n.ready, false);
    node_close(&n);
    log_info("stopped");
    config_deinit(&cfg);
    return EXIT_OK;
}

/* `micedb init --rpc ADDR [--timeout-s N]` */
static int cmd_init(int argc, char **argv)
{
    const char *addr = NULL;
    uint64_t timeout_ms = INIT_TIMEOUT_MS;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--rpc") && i + 1 < argc) {
            addr = argv[++i];
        } else if (!strncmp(argv[i], "--rpc=", 6)) {
            addr = argv[i] + 6;
        } else if (!strcmp(argv[i], "--timeout-s") && i + 1 < argc) {
            timeout_ms = strtoull(argv[++i], NULL, 10) * 1000;
        } else {
            fprintf(stderr, "micedb init: unknown argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!addr) {
        fprintf(stderr, "usage: micedb init --rpc HOST:PORT   (an initial member's --rpc)\n");
        return EXIT_USAGE;
    }
    log_set_level(MICE_LOG_WARN); /* a tool: connection chatter is noise */
    char id[RPC_CLUSTER_ID_MAX];
    mice_err err;
    mice_err_clear(&err);
    if (cluster_init_remote(addr, timeout_ms, id, sizeof id, &err)) {
        fprintf(stderr, "micedb init: %s\n", mice_err_msg(&err));
        return EXIT_RUNTIME;
    }
    printf("cluster %s initialized\n", id);
    return EXIT_OK;
}

/* `micedb node status [--http HOST:PORT]`: the members, from any node's HTTP API. */
static int cmd_node(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "status") != 0) {
        fprintf(stderr, "usage: micedb node status [--http HOST:PORT]\n");
        return EXIT_USAGE;
    }
    const char *addr = getenv("MICEDB_HTTP_ADDR");
    if (!addr || !*addr) addr = "127.0.0.1:8080";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--http") && i + 1 < argc) {
            addr = argv[++i];
        } else if (!strncmp(argv[i], "--http=", 7)) {
            addr = argv[i] + 7;
        } else {
            fprintf(stderr, "micedb node status: unknown argument '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    mice_buf body;
    buf_init(&body);
    mice_err err;
    mice_err_clear(&err);
    int status = 0;
    wl_http *h = NULL;
    mice_status rc = wl_http_open(addr, &h, &err);
    if (!rc) rc = wl_http_request(h, "GET", "/v1/cluster/nodes", NULL, NULL, 0, &status, &body, &err);
    wl_http_close(h);
    if (rc) {
        fprintf(stderr, "micedb node status: %s\n", mice_err_msg(&err));
        buf_deinit(&body);
        return EXIT_RUNTIME;
    }
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)body.p, body.n, 0, &jerr);
    if (status != 200 || !json_is_array(doc)) {
        fprintf(stderr, "micedb node status: HTTP %d: %.*s\n", status, (int)body.n,
                (const char *)body.p);
        json_decref(doc);
        buf_deinit(&body);
        return EXIT_RUNTIME;
    }
    printf("%-4s %-22s %-22s %-22s %-5s\n", "id", "sql_addr", "rpc_addr", "http_addr", "live");
    size_t i;
    json_t *v;
    json_array_foreach(doc, i, v)
    {
        printf("%-4lld %-22s %-22s %-22s %-5s\n",
               (long long)json_integer_value(json_object_get(v, "id")),
               json_string_value(json_object_get(v, "sql_addr")),
               json_string_value(json_object_get(v, "rpc_addr")),
               json_string_value(json_object_get(v, "http_addr")),
               json_is_true(json_object_get(v, "live")) ? "true" : "false");
    }
    json_decref(doc);
    buf_deinit(&body);
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
    if (!strcmp(cmd, "init")) return cmd_init(argc - 2, argv + 2);
    if (!strcmp(cmd, "node")) return cmd_node(argc - 2, argv + 2);
    if (!strcmp(cmd, "workload")) return workload_main(argc - 2, argv + 2);
    fprintf(stderr, "micedb: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
