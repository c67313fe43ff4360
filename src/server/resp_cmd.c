/* Command dispatch and the connection commands (see resp_cmd.h): lookup, Redis 7's
 * unknown-command and arity errors, authentication, HELLO, CLIENT, COMMAND, CONFIG, INFO,
 * and the helpers the key commands share (resp_cmd_int.h). */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/check.h"
#include "kv/keys.h"
#include "server/resp_cmd_int.h"
#include "server/scram.h"
#include "sql/sqlerr.h"

#define STAT_ADD(r, f, v) atomic_fetch_add_explicit(&(r)->f, (v), memory_order_relaxed)
#define STAT_LOAD(r, f) atomic_load_explicit(&(r)->f, memory_order_relaxed)

enum {
    CMD_NAME_MAX = 32,
    ERR_ARGS_SHOWN_BYTES = 128, /* Redis shows this much of an unknown command's arguments */
};

/* --- the server-wide state ----------------------------------------------------------------- */

mice_status resp_db_create(const resp_db_config *cfg, resp_db **out, mice_err *err)
{
    *out = NULL;
    if (!cfg->db) return mice_err_setf(err, MICE_INVALID, "resp: a txn_db is required");
    resp_db *r = mice_calloc(1, sizeof *r);
    r->db = cfg->db;
    r->cat = cfg->cat;
    r->env = cfg->env ? cfg->env : mice_env_real();
    r->max_bulk_bytes = cfg->max_bulk_bytes ? cfg->max_bulk_bytes : RESP_MAX_BULK_BYTES_DEFAULT;
    snprintf(r->version, sizeof r->version, "%s", cfg->version ? cfg->version : "dev");
    atomic_store(&r->port, cfg->port);
    r->start_wall_ns = env_wall_ns(r->env);
    atomic_store(&r->next_client_id, 1);
    pthread_mutex_init(&r->cursor_mu, NULL);
    for (size_t i = 0; i < RESP_CURSORS_MAX; i++)
        buf_init(&r->cursors[i].resume);
    /* Cursors start at a random point so a cursor from before a restart is unlikely to
     * name a live one. */
    r->next_cursor = (env_entropy(r->env) >> 16) | 1;
    *out = r;
    return MICE_OK;
}

void resp_db_destroy(resp_db *r)
{
    if (!r) return;
    for (size_t i = 0; i < RESP_CURSORS_MAX; i++)
        buf_deinit(&r->cursors[i].resume);
    pthread_mutex_destroy(&r->cursor_mu);
    free(r);
}

void resp_db_set_port(resp_db *r, int port)
{
    atomic_store(&r->port, port);
}

resp_stats resp_db_get_stats(const resp_db *cr)
{
    resp_db *r = (resp_db *)cr;
    return (resp_stats){
        .conns_open = STAT_LOAD(r, conns_open),
        .conns_total = STAT_LOAD(r, conns_total),
        .conns_rejected = STAT_LOAD(r, conns_rejected),
        .commands = STAT_LOAD(r, commands),
        .errors = STAT_LOAD(r, errors),
        .keyspace_hits = STAT_LOAD(r, hits),
        .keyspace_misses = STAT_LOAD(r, misses),
        .expired_keys = STAT_LOAD(r, expired),
    };
}

void resp_db_count_connection(resp_db *r, int delta, bool rejected)
{
    if (rejected) {
        STAT_ADD(r, conns_rejected, 1);
        return;
    }
    if (delta > 0) {
        STAT_ADD(r, conns_total, 1);
        STAT_ADD(r, conns_open, 1);
    } else {
        atomic_fetch_sub_explicit(&r->conns_open, 1, memory_order_relaxed);
    }
}

void resp_db_count_expired(resp_db *r, uint64_t n)
{
    STAT_ADD(r, expired, n);
}

const mice_env *resp_db_env(const resp_db *r)
{
    return r->env;
}

txn_db *resp_db_txn_db(const resp_db *r)
{
    return r->db;
}

void resp_client_init(resp_client *c, resp_db *r, bool peer_loopback)
{
    memset(c, 0, sizeof *c);
    c->id = atomic_fetch_add(&r->next_client_id, 1);
    c->proto = 2;
    c->peer_loopback = peer_loopback;
    buf_init(&c->name);
}

void resp_client_deinit(resp_client *c)
{
    buf_deinit(&c->name);
}

/* --- helpers ------------------------------------------------------------------------------- */

void resp__error(resp_x *x, const char *msg)
{
    resp_put_error(x->out, msg);
}

void resp__storage_error(resp_x *x, mice_status rc, const mice_err *err)
{
    resp_put_errorf(x->out, "ERR %s: %s", mice_status_str(rc), err ? mice_err_msg(err) : "");
}

void resp__ok(resp_x *x)
{
    resp_put_simple(x->out, "OK");
}

bool resp__arg_is(const resp_x *x, size_t i, const char *word)
{
    size_t n = strlen(word);
    return i < x->argc && x->argv[i].n == n &&
           strncasecmp((const char *)x->argv[i].p, word, n) == 0;
}

bool resp__parse_int(mice_slice s, int64_t *out)
{
    if (s.n == 0 || s.n > 20) return false;
    if (s.n == 1 && s.p[0] == '0') {
        *out = 0;
        return true;
    }
    size_t i = s.p[0] == '-' ? 1 : 0;
    if (i == s.n || s.p[i] < '1' || s.p[i] > '9') return false;
    unsigned long long v = 0;
    for (; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') return false;
        unsigned d = s.p[i] - '0';
        if (v > (ULLONG_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    if (s.p[0] == '-') {
        if (v > (unsigned long long)LLONG_MAX + 1) return false;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? INT64_MIN : -(int64_t)v;
        return true;
    }
    if (v > (unsigned long long)LLONG_MAX) return false;
    *out = (int64_t)v;
    return true;
}

void resp__kv_key(mice_buf *out, mice_slice user_key)
{
    buf_reset(out);
    keys_kv(out, user_key);
}

uint64_t resp__now_ms(const resp_x *x)
{
    return env_wall_ns(x->r->env) / MICE_NS_PER_MS;
}

static bool glob_class(const uint8_t **pp, const uint8_t *pend, uint8_t c)
{
    const uint8_t *p = *pp + 1; /* after '[' */
    bool negate = p < pend && *p == '^';
    if (negate) p++;
    bool match = false;
    while (p < pend && *p != ']') {
        if (*p == '\\' && p + 1 < pend) {
            p++;
            if (*p == c) match = true;
        } else if (p + 2 < pend && p[1] == '-' && p[2] != ']') {
            uint8_t lo = p[0], hi = p[2];
            if (lo > hi) {
                uint8_t t = lo;
                lo = hi;
                hi = t;
            }
            if (c >= lo && c <= hi) match = true;
            p += 2;
        } else if (*p == c) {
            match = true;
        }
        p++;
    }
    *pp = p < pend ? p : pend - 1; /* on the ']' (or the last byte of an open class) */
    return negate ? !match : match;
}

/* Iterative glob with one backtrack point per '*': linear in practice, no recursion. */
bool resp__glob_match(mice_slice pattern, mice_slice s)
{
    const uint8_t *p = pattern.p, *pend = pattern.p + pattern.n;
    const uint8_t *q = s.p, *qend = s.p + s.n;
    const uint8_t *star_p = NULL, *star_q = NULL;
    while (q < qend) {
        if (p < pend && *p == '*') {
            while (p < pend && *p == '*')
                p++;
            if (p == pend) return true;
            star_p = p;
            star_q = q;
            continue;
        }
        bool ok = false;
        const uint8_t *next = p;
        if (p < pend) {
            if (*p == '?') {
                ok = true;
            } else if (*p == '[') {
                ok = glob_class(&next, pend, *q);
            } else if (*p == '\\' && p + 1 < pend) {
                next = p + 1;
                ok = *next == *q;
            } else {
                ok = *p == *q;
            }
        }
        if (ok) {
            p = next + 1;
            q++;
        } else if (star_p) {
            p = star_p;
            q = ++star_q;
        } else {
            return false;
        }
    }
    while (p < pend && *p == '*')
        p++;
    return p == pend;
}

static bool retryable(mice_status rc)
{
    return rc == MICE_CONFLICT || rc == MICE_ABORTED || rc == MICE_AGAIN;
}

typedef struct txn_call {
    resp_x *x;
    resp_txn_fn fn;
    void *arg;
    mice_buf *reply;
    bool rollback;
} txn_call;

static mice_status run_statement(txn *t, void *ctx, mice_err *err)
{
    txn_call *tc = ctx;
    buf_reset(tc->reply);
    tc->rollback = false;
    return tc->fn(t, tc->x, tc->arg, tc->reply, &tc->rollback, err);
}

void resp__run_txn(resp_x *x, resp_txn_fn fn, void *arg)
{
    mice_buf reply;
    buf_init(&reply);
    txn_call tc = {.x = x, .fn = fn, .arg = arg, .reply = &reply};
    mice_status rc = MICE_OK;
    mice_err err;
    mice_err_clear(&err);
    for (int attempt = 0; attempt <= RESP_TXN_RETRIES_MAX; attempt++) {
        txn *t = txn_begin(x->r->db, TXN_READ_COMMITTED);
        rc = txn_run_statement(t, run_statement, &tc, &err);
        if (rc == MICE_OK && !tc.rollback) rc = txn_commit(t, &err);
        txn_destroy(t);
        if (!retryable(rc)) break;
    }
    if (rc == MICE_OK)
        buf_append_slice(x->out, buf_slice(&reply));
    else
        resp__storage_error(x, rc, &err);
    buf_deinit(&reply);
}

/* --- users ------------------------------------------------------------------------------------ */

typedef struct user_info {
    bool found, superuser, login;
    mice_buf verifier; /* empty: no password */
} user_info;

static mice_status lookup_user(resp_db *r, const char *name, user_info *u, mice_err *err)
{
    u->found = false;
    buf_reset(&u->verifier);
    if (!r->cat) { /* no catalog: root only, without a password */
        u->found = u->superuser = u->login = strcmp(name, "root") == 0;
        return MICE_OK;
    }
    mice_arena *a = arena_create(NULL, "resp-user", 1u << 16);
    txn *t = txn_begin(r->db, TXN_READ_COMMITTED);
    catalog_txn ct;
    catalog_txn_init(&ct, r->cat, t);
    sql_error serr;
    sqlerr_clear(&serr);
    catalog_user *cu = NULL;
    mice_status rc = catalog_statement_begin(&ct, &serr);
    if (rc == MICE_OK) rc = catalog_get_user(&ct, name, a, &cu, &serr);
    if (rc == MICE_OK) {
        u->found = true;
        u->superuser = cu->superuser;
        u->login = cu->login;
        if (cu->password) buf_append_str(&u->verifier, cu->password);
    }
    if (rc == MICE_NOTFOUND) rc = MICE_OK;
    if (rc) sqlerr_to_mice_err(&serr, err);
    mice_err ignored;
    txn_rollback(t, &ignored);
    txn_destroy(t);
    arena_destroy(a);
    return rc;
}

/* Loopback clients are root while root has no password (SQL's insecure-mode trust). */
static mice_status settle_trust(resp_x *x, mice_err *err)
{
    resp_client *c = x->c;
    if (c->auth_known) return MICE_OK;
    user_info u = {0};
    buf_init(&u.verifier);
    mice_status rc = lookup_user(x->r, "root", &u, err);
    if (rc == MICE_OK) {
        c->auth_known = true;
        if (c->peer_loopback && u.found && u.login && u.verifier.n == 0) {
            c->authenticated = c->superuser = true;
            snprintf(c->user, sizeof c->user, "root");
        }
    }
    buf_deinit(&u.verifier);
    return rc;
}

/* AUTH's check. *ok false = WRONGPASS; *no_default_password: "AUTH pw" while root has none. */
static mice_status check_login(resp_x *x, mice_slice user, mice_slice password, bool default_user,
                               bool *ok, bool *no_default_password, mice_err *err)
{
    *ok = false;
    *no_default_password = false;
    char name[RESP_USER_MAX];
    if (user.n >= sizeof name || memchr(user.p, 0, user.n)) return MICE_OK;
    snprintf(name, sizeof name, "%.*s", (int)user.n, (const char *)user.p);
    if (strcmp(name, "default") == 0) snprintf(name, sizeof name, "root");
    user_info u = {0};
    buf_init(&u.verifier);
    mice_status rc = lookup_user(x->r, name, &u, err);
    if (rc == MICE_OK && u.found && u.login) {
        if (u.verifier.n == 0) {
            *no_default_password = default_user;
            *ok = !default_user && x->c->peer_loopback;
        } else {
            scram_verifier v;
            mice_buf pw;
            buf_init(&pw);
            buf_append_slice(&pw, password);
            buf_append_u8(&pw, 0);
            rc = scram_verifier_parse(buf_slice(&u.verifier), &v, err);
            if (rc == MICE_OK && !memchr(password.p, 0, password.n))
                rc = scram_verifier_check_password(&v, (const char *)pw.p, ok, err);
            buf_deinit(&pw);
        }
    }
    if (rc == MICE_OK && *ok) {
        x->c->authenticated = true;
        x->c->auth_known = true;
        x->c->superuser = u.superuser;
        snprintf(x->c->user, sizeof x->c->user, "%s", name);
    }
    buf_deinit(&u.verifier);
    return rc;
}

static const char ERR_WRONGPASS[] = "WRONGPASS invalid username-password pair or user is disabled.";
static const char ERR_NO_DEFAULT_PASSWORD[] =
    "ERR AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?";

/* AUTH [user] password; false when it failed (the reply is written). */
static bool do_auth(resp_x *x, mice_slice user, mice_slice password, bool default_user)
{
    bool ok = false, no_default = false;
    mice_err err;
    mice_status rc = check_login(x, user, password, default_user, &ok, &no_default, &err);
    if (rc) {
        resp__storage_error(x, rc, &err);
        return false;
    }
    if (no_default) {
        resp__error(x, ERR_NO_DEFAULT_PASSWORD);
        return false;
    }
    if (!ok) {
        resp__error(x, ERR_WRONGPASS);
        return false;
    }
    return true;
}

static void cmd_auth(resp_x *x)
{
    if (x->argc > 3) {
        resp__error(x, RESP_ERR_SYNTAX);
        return;
    }
    bool default_user = x->argc == 2;
    mice_slice user = default_user ? MICE_SLICE_LIT("root") : x->argv[1];
    if (do_auth(x, user, x->argv[x->argc - 1], default_user)) resp__ok(x);
}

/* --- connection commands ---------------------------------------------------------------------- */

static void cmd_ping(resp_x *x)
{
    if (x->argc > 2) {
        resp__error(x, "ERR wrong number of arguments for 'ping' command");
        return;
    }
    if (x->argc == 2)
        resp_put_bulk(x->out, x->argv[1]);
    else
        resp_put_simple(x->out, "PONG");
}

static void cmd_echo(resp_x *x)
{
    resp_put_bulk(x->out, x->argv[1]);
}

static void cmd_select(resp_x *x)
{
    int64_t db = 0;
    if (!resp__parse_int(x->argv[1], &db)) {
        resp__error(x, RESP_ERR_NOT_INT);
        return;
    }
    if (db != 0) {
        resp__error(x, "ERR DB index is out of range");
        return;
    }
    resp__ok(x);
}

static void cmd_quit(resp_x *x)
{
    resp__ok(x);
    x->close = true;
}

static void put_hello_map(resp_x *x)
{
    resp_put_map(x->out, x->ver, 7);
    resp_put_bulk_str(x->out, "server");
    resp_put_bulk_str(x->out, "redis");
    resp_put_bulk_str(x->out, "version");
    resp_put_bulk_str(x->out, RESP_REDIS_VERSION);
    resp_put_bulk_str(x->out, "proto");
    resp_put_int(x->out, x->c->proto);
    resp_put_bulk_str(x->out, "id");
    resp_put_int(x->out, (int64_t)x->c->id);
    resp_put_bulk_str(x->out, "mode");
    resp_put_bulk_str(x->out, "standalone");
    resp_put_bulk_str(x->out, "role");
    resp_put_bulk_str(x->out, "master");
    resp_put_bulk_str(x->out, "modules");
    resp_put_array(x->out, 0);
}

static bool valid_client_name(mice_slice name)
{
    for (size_t i = 0; i < name.n; i++)
        if (name.p[i] < '!' || name.p[i] > '~') return false;
    return name.n <= RESP_CLIENT_NAME_MAX;
}

static const char ERR_CLIENT_NAME[] =
    "ERR Client names cannot contain spaces, newlines or special characters.";

static void cmd_hello(resp_x *x)
{
    int64_t ver = 0;
    if (x->argc >= 2) {
        if (!resp__parse_int(x->argv[1], &ver)) {
            resp__error(x, "ERR Protocol version is not an integer or out of range");
            return;
        }
        if (ver < 2 || ver > 3) {
            resp__error(x, "NOPROTO unsupported protocol version");
            return;
        }
    }
    size_t auth_at = 0, name_at = 0;
    for (size_t i = 2; i < x->argc; i++) {
        size_t more = x->argc - i - 1;
        if (resp__arg_is(x, i, "AUTH") && more >= 2) {
            auth_at = i;
            i += 2;
        } else if (resp__arg_is(x, i, "SETNAME") && more >= 1) {
            name_at = i;
            i++;
        } else {
            resp_put_errorf(x->out, "ERR Syntax error in HELLO option '%.*s'", (int)x->argv[i].n,
                            (const char *)x->argv[i].p);
            return;
        }
    }
    if (auth_at && !do_auth(x, x->argv[auth_at + 1], x->argv[auth_at + 2], false)) return;
    if (!x->c->authenticated) {
        resp__error(x, "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the "
                       "same time");
        return;
    }
    if (name_at) {
        if (!valid_client_name(x->argv[name_at + 1])) {
            resp__error(x, ERR_CLIENT_NAME);
            return;
        }
        buf_reset(&x->c->name);
        buf_append_slice(&x->c->name, x->argv[name_at + 1]);
    }
    if (ver) x->c->proto = (int)ver;
    x->ver = x->c->proto;
    put_hello_map(x);
}

static void unknown_subcommand(resp_x *x, const char *container)
{
    resp_put_errorf(x->out, "ERR unknown subcommand '%.128s'. Try %s HELP.",
                    x->argc > 1 ? (const char *)x->argv[1].p : "", container);
}

static bool sub_arity(resp_x *x, const char *fullname, int arity)
{
    bool ok = arity > 0 ? x->argc == (size_t)arity : x->argc >= (size_t)-arity;
    if (!ok) {
        resp_put_errorf(x->out, "ERR wrong number of arguments for '%s' command", fullname);
    }
    return ok;
}

static void client_line(resp_x *x, mice_buf *b)
{
    buf_printf(b, "id=%llu addr=? laddr=? fd=0 name=%.*s db=0 user=%s resp=%d\n",
               (unsigned long long)x->c->id, (int)x->c->name.n, (const char *)x->c->name.p,
               x->c->user[0] ? x->c->user : "default", x->c->proto);
}

static void cmd_client(resp_x *x)
{
    if (resp__arg_is(x, 1, "SETNAME")) {
        if (!sub_arity(x, "client|setname", 3)) return;
        if (!valid_client_name(x->argv[2])) {
            resp__error(x, ERR_CLIENT_NAME);
            return;
        }
        buf_reset(&x->c->name);
        buf_append_slice(&x->c->name, x->argv[2]);
        resp__ok(x);
    } else if (resp__arg_is(x, 1, "GETNAME")) {
        if (!sub_arity(x, "client|getname", 2)) return;
        if (x->c->name.n)
            resp_put_bulk(x->out, buf_slice(&x->c->name));
        else
            resp_put_null(x->out, x->ver);
    } else if (resp__arg_is(x, 1, "ID")) {
        if (sub_arity(x, "client|id", 2)) resp_put_int(x->out, (int64_t)x->c->id);
    } else if (resp__arg_is(x, 1, "SETINFO")) {
        if (sub_arity(x, "client|setinfo", 4)) resp__ok(x);
    } else if (resp__arg_is(x, 1, "INFO") || resp__arg_is(x, 1, "LIST")) {
        if (resp__arg_is(x, 1, "INFO") && !sub_arity(x, "client|info", 2)) return;
        mice_buf b;
        buf_init(&b);
        client_line(x, &b);
        resp_put_verbatim(x->out, x->ver, "txt", buf_slice(&b));
        buf_deinit(&b);
    } else {
        unknown_subcommand(x, "CLIENT");
    }
}

/* --- the command table ---------------------------------------------------------------------------
 */

typedef void (*cmd_fn)(resp_x *x);

typedef struct cmd_def {
    const char *name;
    int arity; /* Redis's: n = exactly n arguments with the name, -n = at least n */
    cmd_fn fn;
    bool no_auth; /* allowed before authentication */
} cmd_def;

static void cmd_command(resp_x *x);
static void cmd_config(resp_x *x);
static void cmd_info(resp_x *x);
static void cmd_time(resp_x *x);

static const cmd_def commands[] = {
    {"append", 3, resp__cmd_append, false},
    {"auth", -2, cmd_auth, true},
    {"client", -2, cmd_client, false},
    {"command", -1, cmd_command, false},
    {"config", -2, cmd_config, false},
    {"dbsize", 1, resp__cmd_dbsize, false},
    {"decr", 2, resp__cmd_decr, false},
    {"decrby", 3, resp__cmd_decrby, false},
    {"del", -2, resp__cmd_del, false},
    {"echo", 2, cmd_echo, false},
    {"exists", -2, resp__cmd_exists, false},
    {"expire", -3, resp__cmd_expire, false},
    {"expireat", -3, resp__cmd_expireat, false},
    {"expiretime", 2, resp__cmd_expiretime, false},
    {"flushall", -1, resp__cmd_flushdb, false},
    {"flushdb", -1, resp__cmd_flushdb, false},
    {"get", 2, resp__cmd_get, false},
    {"getdel", 2, resp__cmd_getdel, false},
    {"getex", -2, resp__cmd_getex, false},
    {"getrange", 4, resp__cmd_getrange, false},
    {"hello", -1, cmd_hello, true},
    {"incr", 2, resp__cmd_incr, false},
    {"incrby", 3, resp__cmd_incrby, false},
    {"info", -1, cmd_info, false},
    {"kcount", 3, resp__cmd_kcount, false},
    {"keys", 2, resp__cmd_keys, false},
    {"krange", -3, resp__cmd_krange, false},
    {"mget", -2, resp__cmd_mget, false},
    {"mset", -3, resp__cmd_mset, false},
    {"msetnx", -3, resp__cmd_msetnx, false},
    {"persist", 2, resp__cmd_persist, false},
    {"pexpire", -3, resp__cmd_pexpire, false},
    {"pexpireat", -3, resp__cmd_pexpireat, false},
    {"pexpiretime", 2, resp__cmd_pexpiretime, false},
    {"ping", -1, cmd_ping, false},
    {"psetex", 4, resp__cmd_psetex, false},
    {"pttl", 2, resp__cmd_pttl, false},
    {"quit", -1, cmd_quit, true},
    {"scan", -2, resp__cmd_scan, false},
    {"select", 2, cmd_select, false},
    {"set", -3, resp__cmd_set, false},
    {"setex", 4, resp__cmd_setex, false},
    {"setnx", 3, resp__cmd_setnx, false},
    {"strlen", 2, resp__cmd_strlen, false},
    {"substr", 4, resp__cmd_getrange, false},
    {"time", 1, cmd_time, false},
    {"ttl", 2, resp__cmd_ttl, false},
    {"type", 2, resp__cmd_type, false},
    {"unlink", -2, resp__cmd_del, false},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

static const cmd_def *find_command(mice_slice name)
{
    char lower[CMD_NAME_MAX];
    if (name.n == 0 || name.n >= sizeof lower) return NULL;
    for (size_t i = 0; i < name.n; i++)
        lower[i] = (char)tolower(name.p[i]);
    lower[name.n] = 0;
    size_t lo = 0, hi = N_COMMANDS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(lower, commands[mid].name);
        if (c == 0) return &commands[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static void cmd_command(resp_x *x)
{
    if (x->argc == 1) {
        resp_put_array(x->out, 0);
    } else if (resp__arg_is(x, 1, "COUNT")) {
        if (sub_arity(x, "command|count", 2)) resp_put_int(x->out, N_COMMANDS);
    } else if (resp__arg_is(x, 1, "DOCS")) {
        resp_put_map(x->out, x->ver, 0);
    } else if (resp__arg_is(x, 1, "INFO")) {
        resp_put_array(x->out, x->argc - 2);
        for (size_t i = 2; i < x->argc; i++)
            resp_put_null_array(x->out, x->ver);
    } else if (resp__arg_is(x, 1, "LIST")) {
        resp_put_array(x->out, N_COMMANDS);
        for (size_t i = 0; i < N_COMMANDS; i++)
            resp_put_bulk_str(x->out, commands[i].name);
    } else {
        unknown_subcommand(x, "COMMAND");
    }
}

static void cmd_config(resp_x *x)
{
    if (resp__arg_is(x, 1, "GET")) {
        if (!sub_arity(x, "config|get", -3)) return;
        char bulk_max[32];
        snprintf(bulk_max, sizeof bulk_max, "%zu", x->r->max_bulk_bytes);
        const char *params[][2] = {{"appendonly", "no"},
                                   {"databases", "1"},
                                   {"maxmemory", "0"},
                                   {"proto-max-bulk-len", bulk_max},
                                   {"save", ""}};
        enum { N_PARAMS = sizeof params / sizeof params[0] };
        bool hit[N_PARAMS] = {0};
        size_t n = 0;
        for (size_t k = 0; k < N_PARAMS; k++)
            for (size_t i = 2; i < x->argc && !hit[k]; i++)
                if (resp__glob_match(x->argv[i], mice_slice_str(params[k][0]))) hit[k] = true;
        for (size_t k = 0; k < N_PARAMS; k++)
            n += hit[k];
        resp_put_map(x->out, x->ver, n);
        for (size_t k = 0; k < N_PARAMS; k++) {
            if (!hit[k]) continue;
            resp_put_bulk_str(x->out, params[k][0]);
            resp_put_bulk_str(x->out, params[k][1]);
        }
    } else if (resp__arg_is(x, 1, "RESETSTAT")) {
        if (sub_arity(x, "config|resetstat", 2)) resp__ok(x);
    } else if (resp__arg_is(x, 1, "SET")) {
        if (!sub_arity(x, "config|set", -4)) return;
        resp_put_errorf(x->out, "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'",
                        (int)x->argv[2].n, (const char *)x->argv[2].p);
    } else {
        unknown_subcommand(x, "CONFIG");
    }
}

static void cmd_time(resp_x *x)
{
    uint64_t now_us = env_wall_ns(x->r->env) / 1000;
    char s[32], us[32];
    snprintf(s, sizeof s, "%llu", (unsigned long long)(now_us / 1000000));
    snprintf(us, sizeof us, "%llu", (unsigned long long)(now_us % 1000000));
    resp_put_array(x->out, 2);
    resp_put_bulk_str(x->out, s);
    resp_put_bulk_str(x->out, us);
}

/* --- INFO
 * ------------------------------------------------------------------------------------------ */

static bool section_wanted(resp_x *x, const char *name)
{
    if (x->argc == 1) return true;
    for (size_t i = 1; i < x->argc; i++)
        if (resp__arg_is(x, i, name) || resp__arg_is(x, i, "all") ||
            resp__arg_is(x, i, "everything") || resp__arg_is(x, i, "default"))
            return true;
    return false;
}

static void cmd_info(resp_x *x)
{
    resp_db *r = x->r;
    mice_buf b;
    buf_init(&b);
    uint64_t up_s = (env_wall_ns(r->env) - r->start_wall_ns) / MICE_NS_PER_S;
    if (section_wanted(x, "server"))
        buf_printf(&b,
                   "# Server\r\nredis_version:%s\r\nmicedb_version:%s\r\nredis_mode:standalone\r\n"
                   "process_id:%ld\r\ntcp_port:%d\r\nuptime_in_seconds:%llu\r\n"
                   "uptime_in_days:%llu\r\n\r\n",
                   RESP_REDIS_VERSION, r->version, (long)getpid(), atomic_load(&r->port),
                   (unsigned long long)up_s, (unsigned long long)(up_s / 86400));
    if (section_wanted(x, "clients"))
        buf_printf(&b, "# Clients\r\nconnected_clients:%llu\r\n\r\n",
                   (unsigned long long)STAT_LOAD(r, conns_open));
    if (section_wanted(x, "stats"))
        buf_printf(&b,
                   "# Stats\r\ntotal_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
                   "rejected_connections:%llu\r\nexpired_keys:%llu\r\nkeyspace_hits:%llu\r\n"
                   "keyspace_misses:%llu\r\ntotal_error_replies:%llu\r\n\r\n",
                   (unsigned long long)STAT_LOAD(r, conns_total),
                   (unsigned long long)STAT_LOAD(r, commands),
                   (unsigned long long)STAT_LOAD(r, conns_rejected),
                   (unsigned long long)STAT_LOAD(r, expired),
                   (unsigned long long)STAT_LOAD(r, hits), (unsigned long long)STAT_LOAD(r, misses),
                   (unsigned long long)STAT_LOAD(r, errors));
    if (section_wanted(x, "keyspace")) {
        uint64_t n = 0;
        mice_err err;
        mice_status rc = resp__count_keys(r, &n, &err);
        if (rc) {
            resp__storage_error(x, rc, &err);
            buf_deinit(&b);
            return;
        }
        buf_append_str(&b, "# Keyspace\r\n");
        if (n) buf_printf(&b, "db0:keys=%llu,expires=0,avg_ttl=0\r\n", (unsigned long long)n);
        buf_append_str(&b, "\r\n");
    }
    if (b.n >= 2) buf_truncate(&b, b.n - 2); /* no blank line after the last section */
    resp_put_verbatim(x->out, x->ver, "txt", buf_slice(&b));
    buf_deinit(&b);
}

/* --- dispatch
 * --------------------------------------------------------------------------------------- */

/* Redis 7's text, argument bytes up to a NUL like its %s. */
static void unknown_command(resp_x *x)
{
    mice_buf args;
    buf_init(&args);
    for (size_t i = 1; i < x->argc && args.n < ERR_ARGS_SHOWN_BYTES; i++) {
        const uint8_t *nul = memchr(x->argv[i].p, 0, x->argv[i].n);
        size_t n = nul ? (size_t)(nul - x->argv[i].p) : x->argv[i].n;
        size_t room = ERR_ARGS_SHOWN_BYTES - args.n;
        buf_printf(&args, "'%.*s' ", (int)(n < room ? n : room), (const char *)x->argv[i].p);
    }
    const uint8_t *nul = memchr(x->argv[0].p, 0, x->argv[0].n);
    size_t name_n = nul ? (size_t)(nul - x->argv[0].p) : x->argv[0].n;
    resp_put_errorf(x->out, "ERR unknown command '%.*s', with args beginning with: %.*s",
                    (int)(name_n < 128 ? name_n : 128), (const char *)x->argv[0].p, (int)args.n,
                    (const char *)args.p);
    buf_deinit(&args);
}

static void exec_one(resp_x *x);

bool resp_exec(resp_db *r, resp_client *c, const mice_slice *argv, size_t argc, mice_buf *out)
{
    mice_assert(argc >= 1);
    resp_x x = {.r = r, .c = c, .argv = argv, .argc = argc, .out = out, .ver = c->proto};
    size_t start = out->n;
    STAT_ADD(r, commands, 1);
    exec_one(&x);
    if (out->n > start && out->p[start] == '-') STAT_ADD(r, errors, 1);
    return x.close;
}

static void exec_one(resp_x *x)
{
    resp_client *c = x->c;
    const mice_slice *argv = x->argv;
    size_t argc = x->argc;
    mice_buf *out = x->out;
    const cmd_def *d = find_command(argv[0]);
    if (!d) {
        unknown_command(x);
        return;
    }
    x->name = d->name;
    if ((d->arity > 0 && argc != (size_t)d->arity) || (d->arity < 0 && argc < (size_t)-d->arity)) {
        resp_put_errorf(out, "ERR wrong number of arguments for '%s' command", d->name);
        return;
    }
    mice_err err;
    mice_status rc = settle_trust(x, &err);
    if (rc) {
        resp__storage_error(x, rc, &err);
        return;
    }
    if (!c->authenticated && !d->no_auth) {
        resp__error(x, "NOAUTH Authentication required.");
        return;
    }
    d->fn(x);
}
