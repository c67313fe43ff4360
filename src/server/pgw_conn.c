#include "server/pgw_conn.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/check.h"

enum {
    STATUS_PARAMS_MAX = 32,
    CONN_ARENA_BYTES = 1 << 20, /* start-up parameters: at most PGW_STARTUP_MAX_BYTES */
    PROTOCOL_MINOR_LATEST = 0,
};

typedef enum {
    PH_STARTUP,       /* untyped packets */
    PH_AUTH_LOOKUP,   /* waiting for the verifier */
    PH_SASL_INITIAL,  /* AuthenticationSASL sent */
    PH_SASL_RESPONSE, /* AuthenticationSASLContinue sent */
    PH_STARTING,      /* AuthenticationOk sent, session starting */
    PH_READY,
} conn_phase;

typedef enum {
    REQ_NONE,
    REQ_VERIFIER,
    REQ_START,
    REQ_QUERY,
    REQ_PARSE,
    REQ_BIND,
    REQ_DESCRIBE,
    REQ_EXECUTE,
    REQ_CLOSE,
    REQ_SYNC,
} req_kind;

struct pgw_conn {
    const pgw_conn_config *cfg;
    const pgw_session_vtab *vt;
    void *ctx;
    pgw_framer framer;
    mice_buf pending_in; /* received while a request was outstanding */
    mice_buf out;
    size_t out_flushed; /* out[0, out_flushed) is ready to send */
    mice_arena *conn_arena, *msg_arena;
    conn_phase phase;
    req_kind req;
    bool req_failed, fatal_requested;
    bool ignore_till_sync;
    bool sync_after_error; /* a malformed extended-query message since the last Sync */
    bool copy_in;
    bool in_drive;
    bool ssl_done, gss_done;
    bool closing;
    char close_reason[MICE_ERR_MSG_MAX];
    char copy_fail_reason[MICE_ERR_MSG_MAX]; /* lives until the copy_fail request is done */
    bool cancel_pending;
    int32_t cancel_pid, cancel_key;
    bool have_info;
    pgw_startup_info info;
    pgw_param status[STATUS_PARAMS_MAX];
    size_t n_status;
    bool scram_active;
    scram_server scram;
};

static void drive(pgw_conn *c);

/* ---------------------------------------------------------------- output */

static void flush(pgw_conn *c)
{
    c->out_flushed = c->out.n;
}

static void maybe_flush(pgw_conn *c)
{
    if (c->out.n - c->out_flushed >= PGW_OUTPUT_FLUSH_BYTES) flush(c);
}

void pgw_conn_take_output(pgw_conn *c, mice_buf *dst)
{
    size_t n = c->out_flushed;
    if (!n) return;
    buf_append(dst, c->out.p, n);
    size_t rest = c->out.n - n;
    if (rest) memmove(c->out.p, c->out.p + n, rest);
    buf_truncate(&c->out, rest);
    c->out_flushed = 0;
}

size_t pgw_conn_output_bytes(const pgw_conn *c)
{
    return c->out.n;
}

static void close_quietly(pgw_conn *c, const char *reason)
{
    if (reason != c->close_reason) snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
    flush(c);
    c->closing = true;
}

/* A FATAL error to the client, then close: the stream cannot be trusted any further. */
static void fatal(pgw_conn *c, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fatal(pgw_conn *c, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->close_reason, sizeof c->close_reason, fmt, ap);
    va_end(ap);
    pgw_error e = {.severity = "FATAL", .sqlstate = sqlstate, .message = c->close_reason};
    pgw_put_error_response(&c->out, &e);
    flush(c);
    c->closing = true;
}

/* A non-fatal ERROR the connection itself raises while ready (bad message content). */
static void protocol_error(pgw_conn *c, const char *sqlstate, const char *message)
{
    pgw_error e = {.severity = "ERROR", .sqlstate = sqlstate, .message = message};
    pgw_put_error_response(&c->out, &e);
}

static void ready_for_query(pgw_conn *c)
{
    char status = c->vt->txn_status(c->ctx);
    mice_assert(status == 'I' || status == 'T' || status == 'E');
    pgw_put_ready_for_query(&c->out, status);
    flush(c);
}

/* ---------------------------------------------------------------- lifecycle */

pgw_conn *pgw_conn_create(const pgw_conn_config *cfg, const pgw_session_vtab *vt, void *ctx)
{
    pgw_conn *c = mice_calloc(1, sizeof *c);
    c->cfg = cfg;
    c->vt = vt;
    c->ctx = ctx;
    pgw_framer_init(&c->framer, cfg->max_msg_bytes);
    buf_init(&c->pending_in);
    buf_init(&c->out);
    c->conn_arena = arena_create(NULL, "pgw_conn", CONN_ARENA_BYTES);
    c->msg_arena = arena_create(NULL, "pgw_msg", PGW_DECODE_ARENA_BYTES);
    c->phase = PH_STARTUP;
    return c;
}

void pgw_conn_destroy(pgw_conn *c)
{
    if (!c) return;
    pgw_framer_deinit(&c->framer);
    buf_deinit(&c->pending_in);
    buf_deinit(&c->out);
    arena_destroy(c->conn_arena);
    arena_destroy(c->msg_arena);
    if (c->scram_active) scram_server_deinit(&c->scram);
    free(c);
}

bool pgw_conn_wants_input(const pgw_conn *c)
{
    return !c->closing && (c->req == REQ_NONE || c->copy_in);
}

bool pgw_conn_closing(const pgw_conn *c)
{
    return c->closing;
}

const char *pgw_conn_close_reason(const pgw_conn *c)
{
    return c->close_reason;
}

bool pgw_conn_take_cancel(pgw_conn *c, int32_t *pid, int32_t *secret_key)
{
    if (!c->cancel_pending) return false;
    c->cancel_pending = false;
    *pid = c->cancel_pid;
    *secret_key = c->cancel_key;
    return true;
}

const pgw_startup_info *pgw_conn_startup_info(const pgw_conn *c)
{
    return c->have_info ? &c->info : NULL;
}

bool pgw_conn_is_ready(const pgw_conn *c)
{
    return c->phase == PH_READY && !c->closing;
}

void pgw_conn_recv(pgw_conn *c, const uint8_t *p, size_t n)
{
    if (c->closing || n == 0) return;
    /* While a request is outstanding its arguments point into the framer's buffer, so
     * new bytes wait aside (the edge should have stopped reading; see wants_input). */
    if (pgw_conn_wants_input(c) && c->pending_in.n == 0)
        pgw_framer_feed(&c->framer, p, n);
    else
        buf_append(&c->pending_in, p, n);
    drive(c);
}

/* ---------------------------------------------------------------- status parameters */

static void set_status(pgw_conn *c, const char *name, const char *value)
{
    for (size_t i = 0; i < c->n_status; i++) {
        if (strcmp(c->status[i].name, name) == 0) {
            c->status[i].value = value;
            return;
        }
    }
    if (c->n_status < STATUS_PARAMS_MAX) c->status[c->n_status++] = (pgw_param){name, value};
}

static void default_status(pgw_conn *c)
{
    const pgw_conn_config *cfg = c->cfg;
    set_status(c, "application_name", c->info.application_name);
    set_status(c, "client_encoding", "UTF8");
    set_status(c, "DateStyle", "ISO, MDY");
    set_status(c, "default_transaction_read_only", "off");
    set_status(c, "in_hot_standby", "off");
    set_status(c, "integer_datetimes", "on");
    set_status(c, "IntervalStyle", "postgres");
    set_status(c, "is_superuser", cfg->is_superuser ? "on" : "off");
    set_status(c, "server_encoding", "UTF8");
    set_status(c, "server_version", cfg->server_version ? cfg->server_version : "15.18 (MiceDB)");
    set_status(c, "session_authorization", c->info.user);
    set_status(c, "standard_conforming_strings", "on");
    set_status(c, "TimeZone", cfg->timezone ? cfg->timezone : "Etc/UTC");
}

/* ---------------------------------------------------------------- requests */

static void begin_request(pgw_conn *c, req_kind kind)
{
    mice_assert(c->req == REQ_NONE);
    c->req = kind;
    c->req_failed = false;
}

static void finish_start(pgw_conn *c)
{
    for (size_t i = 0; i < c->n_status; i++)
        pgw_put_parameter_status(&c->out, c->status[i].name, c->status[i].value);
    pgw_put_backend_key_data(&c->out, c->cfg->backend_pid, c->cfg->secret_key);
    c->phase = PH_READY;
    ready_for_query(c);
}

/* The protocol's part of ending a request: completions, ReadyForQuery, skip-to-Sync. */
static void finish_request(pgw_conn *c, req_kind kind)
{
    bool failed = c->req_failed;
    if (c->fatal_requested) { /* nothing follows a FATAL error, not even ReadyForQuery */
        close_quietly(c, c->close_reason);
        return;
    }
    switch (kind) {
    case REQ_START:
        finish_start(c);
        break;
    case REQ_QUERY:
        ready_for_query(c);
        break;
    case REQ_SYNC:
        ready_for_query(c);
        break;
    case REQ_PARSE:
        if (!failed) pgw_put_parse_complete(&c->out);
        break;
    case REQ_BIND:
        if (!failed) pgw_put_bind_complete(&c->out);
        break;
    case REQ_CLOSE:
        if (!failed) pgw_put_close_complete(&c->out);
        break;
    case REQ_DESCRIBE:
    case REQ_EXECUTE:
        break;
    case REQ_NONE:
    case REQ_VERIFIER:
        mice_unreachable();
    }
    bool extended = kind >= REQ_PARSE && kind <= REQ_CLOSE;
    if (failed && extended) {
        c->ignore_till_sync = true;
        /* PostgreSQL flushes every ErrorResponse: a client that sent Parse/Describe/Flush
         * without a Sync (asyncpg's prepare) waits for it, and the Flush it sent is
         * skipped with the rest until the Sync. */
        flush(c);
    }
}

void pgw_conn_done(pgw_conn *c)
{
    mice_assert(c->req != REQ_NONE && c->req != REQ_VERIFIER);
    req_kind kind = c->req;
    c->req = REQ_NONE;
    c->copy_in = false;
    if (c->closing) return;
    finish_request(c, kind);
    if (!c->in_drive) drive(c);
}

/* ---------------------------------------------------------------- start-up */

/* Whether an encoding name means UTF8 the way PostgreSQL's pg_char_to_encoding reads it:
 * letters and digits only, case-folded ("UTF-8", "'utf-8'" as asyncpg sends it, "Unicode"). */
static bool is_utf8_name(const char *v)
{
    char clean[16];
    size_t n = 0;
    for (; *v; v++) {
        if (!isalnum((unsigned char)*v)) continue;
        if (n + 1 == sizeof clean) return false;
        clean[n++] = (char)tolower((unsigned char)*v);
    }
    clean[n] = '\0';
    return strcmp(clean, "utf8") == 0 || strcmp(clean, "unicode") == 0;
}

/* Copy the parameters out of the frame (it dies with the next feed). */
static bool keep_params(pgw_conn *c, const pgw_startup_msg *m)
{
    pgw_param *kept = ARENA_NEW_ARRAY(c->conn_arena, pgw_param, m->n_params + 1);
    if (!kept) return false;
    for (size_t i = 0; i < m->n_params; i++) {
        kept[i].name = arena_strdup(c->conn_arena, m->params[i].name);
        kept[i].value = arena_strdup(c->conn_arena, m->params[i].value);
        if (!kept[i].name || !kept[i].value) return false;
    }
    pgw_startup_msg copy = {.version = m->version, .params = kept, .n_params = m->n_params};
    const char *user = pgw_startup_param(&copy, "user");
    const char *db = pgw_startup_param(&copy, "database");
    const char *app = pgw_startup_param(&copy, "application_name");
    const char *opts = pgw_startup_param(&copy, "options");
    c->info = (pgw_startup_info){
        .user = user ? user : "",
        .database = db && *db ? db : (user ? user : ""),
        .application_name = app ? app : "",
        .options = opts ? opts : "",
        .params = kept,
        .n_params = m->n_params,
    };
    c->have_info = true;
    return true;
}

/* Options we do not know under the protocol's reserved "_pq_." prefix. */
static size_t unknown_protocol_options(const pgw_startup_info *info, const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < info->n_params && n < max; i++)
        if (strncmp(info->params[i].name, "_pq_.", 5) == 0) names[n++] = info->params[i].name;
    return n;
}

static void begin_auth(pgw_conn *c);

static void accept_startup(pgw_conn *c, const pgw_startup_msg *m)
{
    int major = (int)((uint32_t)m->version >> 16), minor = m->version & 0xffff;
    if (major != 3) {
        fatal(c, "0A000", "unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", major,
              minor);
        return;
    }
    if (!keep_params(c, m)) {
        fatal(c, "53200", "out of memory for startup parameters");
        return;
    }
    const pgw_startup_info *info = &c->info;
    if (!*info->user) {
        fatal(c, "28000", "no PostgreSQL user name specified in startup packet");
        return;
    }
    const char *repl = pgw_startup_param(m, "replication");
    if (repl && strcasecmp(repl, "false") && strcasecmp(repl, "off") && strcmp(repl, "0")) {
        fatal(c, "0A000", "replication connections are not supported");
        return;
    }
    const char *enc = pgw_startup_param(m, "client_encoding");
    if (enc && !is_utf8_name(enc)) {
        fatal(c, "22023", "invalid value for parameter \"client_encoding\": \"%s\"", enc);
        return;
    }
    const char *unknown[PGW_STARTUP_PARAMS_MAX];
    size_t n_unknown = unknown_protocol_options(info, unknown, PGW_STARTUP_PARAMS_MAX);
    if (minor > PROTOCOL_MINOR_LATEST || n_unknown)
        pgw_put_negotiate_protocol_version(&c->out, PROTOCOL_MINOR_LATEST, unknown, n_unknown);
    pgw_framer_set_startup(&c->framer, false);
    default_status(c);
    begin_auth(c);
}

static void on_startup_frame(pgw_conn *c, const pgw_frame *f)
{
    pgw_fe_msg m;
    mice_err err;
    arena_reset(c->msg_arena);
    if (pgw_decode(f, PGW_AUTH_EXPECT_PASSWORD, c->msg_arena, &m, &err)) {
        fatal(c, "08P01", "invalid startup packet: %s", err.msg);
        return;
    }
    switch (m.kind) {
    case PGW_FE_SSL_REQUEST:
    case PGW_FE_GSSENC_REQUEST: {
        bool *done = m.kind == PGW_FE_SSL_REQUEST ? &c->ssl_done : &c->gss_done;
        if (*done) {
            fatal(c, "08P01", "duplicate encryption request");
            return;
        }
        *done = true;
        pgw_put_ssl_refuse(&c->out); /* no TLS yet: the client continues in plaintext */
        flush(c);
        return;
    }
    case PGW_FE_CANCEL_REQUEST:
        c->cancel_pending = true;
        c->cancel_pid = m.u.cancel.pid;
        c->cancel_key = m.u.cancel.secret_key;
        close_quietly(c, "cancel request");
        return;
    case PGW_FE_STARTUP:
        accept_startup(c, &m.u.startup);
        return;
    default:
        mice_unreachable(); /* the decoder yields only start-up kinds for type 0 */
    }
}

/* ---------------------------------------------------------------- authentication */

static void authenticated(pgw_conn *c)
{
    pgw_put_auth_ok(&c->out);
    flush(c);
    c->phase = PH_STARTING;
    begin_request(c, REQ_START);
    c->vt->start(c->ctx, c, &c->info);
}

/* Both modes ask for the verifier first: its answer picks the method (see the header). */
static void begin_auth(pgw_conn *c)
{
    if (c->cfg->insecure && !c->cfg->peer_is_loopback) {
        fatal(c, "28000", "insecure mode accepts connections from loopback only (user \"%s\")",
              c->info.user);
        return;
    }
    c->phase = PH_AUTH_LOOKUP;
    c->req = REQ_VERIFIER;
    if (c->vt->lookup_verifier)
        c->vt->lookup_verifier(c->ctx, c, c->info.user);
    else
        pgw_conn_provide_verifier(c, NULL);
}

void pgw_conn_provide_verifier(pgw_conn *c, const scram_verifier *v)
{
    mice_assert(c->req == REQ_VERIFIER);
    c->req = REQ_NONE;
    if (c->closing) return;
    if (!v && c->cfg->insecure) {
        /* Trust: a loopback user without a password. The session's start reports a user
         * that does not exist (28000), as PostgreSQL does after trust. */
        authenticated(c);
        return;
    }
    scram_server_init(&c->scram, v, c->cfg->scram_nonce);
    c->scram_active = true;
    static const char *const mechanisms[] = {SCRAM_MECHANISM};
    pgw_put_auth_sasl(&c->out, mechanisms, 1);
    flush(c);
    c->phase = PH_SASL_INITIAL;
    if (!c->in_drive) drive(c);
}

static void sasl_initial(pgw_conn *c, const pgw_fe_msg *m)
{
    if (strcmp(m->u.sasl_initial.mechanism, SCRAM_MECHANISM) != 0) {
        fatal(c, "08P01", "client selected an invalid SASL authentication mechanism");
        return;
    }
    if (!m->u.sasl_initial.has_data) {
        fatal(c, "08P01", "SASL initial response without data");
        return;
    }
    mice_buf reply;
    buf_init(&reply);
    mice_err err;
    mice_status rc = scram_server_first(&c->scram, m->u.sasl_initial.data, &reply, &err);
    if (rc == MICE_OK) {
        pgw_put_auth_sasl_continue(&c->out, buf_slice(&reply));
        flush(c);
        c->phase = PH_SASL_RESPONSE;
    } else {
        fatal(c, rc == MICE_INVALID ? "08P01" : "XX000", "%s", err.msg);
    }
    buf_deinit(&reply);
}

static void sasl_response(pgw_conn *c, const pgw_fe_msg *m)
{
    mice_buf reply;
    buf_init(&reply);
    mice_err err;
    mice_status rc = scram_server_final(&c->scram, m->u.sasl_response, &reply, &err);
    if (rc == MICE_OK) {
        pgw_put_auth_sasl_final(&c->out, buf_slice(&reply));
        authenticated(c);
    } else if (rc == MICE_ABORTED) {
        fatal(c, "28P01", "password authentication failed for user \"%s\"", c->info.user);
    } else {
        fatal(c, rc == MICE_INVALID ? "08P01" : "XX000", "%s", err.msg);
    }
    buf_deinit(&reply);
}

static void on_auth_frame(pgw_conn *c, const pgw_frame *f)
{
    if (f->type == 'X') {
        close_quietly(c, "terminated during authentication");
        return;
    }
    if (f->type != 'p') {
        fatal(c, "08P01", "expected SASL response, got message type %u", f->type);
        return;
    }
    pgw_fe_msg m;
    mice_err err;
    arena_reset(c->msg_arena);
    pgw_auth_expect expect =
        c->phase == PH_SASL_INITIAL ? PGW_AUTH_EXPECT_SASL_INITIAL : PGW_AUTH_EXPECT_SASL_RESPONSE;
    if (pgw_decode(f, expect, c->msg_arena, &m, &err)) {
        fatal(c, "08P01", "%s", err.msg);
        return;
    }
    if (expect == PGW_AUTH_EXPECT_SASL_INITIAL)
        sasl_initial(c, &m);
    else
        sasl_response(c, &m);
}

/* ---------------------------------------------------------------- ready */

static void on_copy_in_msg(pgw_conn *c, const pgw_fe_msg *m)
{
    switch (m->kind) {
    case PGW_FE_COPY_DATA:
        c->vt->copy_data(c->ctx, c, m->u.copy_data);
        return;
    case PGW_FE_COPY_DONE:
        c->copy_in = false; /* the running request now waits for the session */
        c->vt->copy_done(c->ctx, c);
        return;
    case PGW_FE_COPY_FAIL:
        c->copy_in = false;
        c->vt->copy_fail(c->ctx, c, m->u.copy_fail.message);
        return;
    case PGW_FE_FLUSH:
    case PGW_FE_SYNC:
        return; /* PostgreSQL ignores these during COPY IN */
    case PGW_FE_TERMINATE:
        close_quietly(c, "terminated during COPY");
        return;
    default:
        fatal(c, "08P01", "unexpected message during COPY from stdin");
        return;
    }
}

static void function_call(pgw_conn *c)
{
    protocol_error(c, "0A000", "the function call sub-protocol is not supported");
    ready_for_query(c); /* FunctionCall is not extended query: no skip to Sync */
}

static void on_ready_msg(pgw_conn *c, const pgw_fe_msg *m)
{
    const pgw_session_vtab *vt = c->vt;
    if (c->ignore_till_sync && m->kind != PGW_FE_SYNC && m->kind != PGW_FE_TERMINATE) return;
    switch (m->kind) {
    case PGW_FE_QUERY:
        begin_request(c, REQ_QUERY);
        vt->query(c->ctx, c, m->u.query.sql, m->u.query.sql_len);
        return;
    case PGW_FE_PARSE:
        begin_request(c, REQ_PARSE);
        vt->parse(c->ctx, c, &m->u.parse);
        return;
    case PGW_FE_BIND:
        begin_request(c, REQ_BIND);
        vt->bind(c->ctx, c, &m->u.bind);
        return;
    case PGW_FE_DESCRIBE:
        begin_request(c, REQ_DESCRIBE);
        vt->describe(c->ctx, c, m->u.describe.kind, m->u.describe.name);
        return;
    case PGW_FE_EXECUTE:
        begin_request(c, REQ_EXECUTE);
        vt->execute(c->ctx, c, m->u.execute.portal_name, m->u.execute.max_rows);
        return;
    case PGW_FE_CLOSE:
        begin_request(c, REQ_CLOSE);
        vt->close(c->ctx, c, m->u.close.kind, m->u.close.name);
        return;
    case PGW_FE_SYNC: {
        bool after_error = c->sync_after_error;
        c->ignore_till_sync = false;
        c->sync_after_error = false;
        begin_request(c, REQ_SYNC);
        vt->sync(c->ctx, c, after_error);
        return;
    }
    case PGW_FE_FLUSH:
        flush(c);
        return;
    case PGW_FE_TERMINATE:
        close_quietly(c, "");
        return;
    case PGW_FE_COPY_DATA:
    case PGW_FE_COPY_DONE:
    case PGW_FE_COPY_FAIL:
        return; /* left over from a COPY that failed: dropped */
    case PGW_FE_FUNCTION_CALL:
        function_call(c);
        return;
    default:
        fatal(c, "08P01", "unexpected message in ready state");
        return;
    }
}

/* A malformed body during COPY IN. PostgreSQL reads no body of CopyDone, Flush or Sync
 * there; a CopyFail that is cut short still fails the COPY; other types have no place in
 * COPY, malformed or not. */
static void malformed_in_copy(pgw_conn *c, uint8_t type, const char *message)
{
    if (type == 'H' || type == 'S') return;
    if (type != 'c' && type != 'f') {
        fatal(c, "08P01", "unexpected message during COPY from stdin");
        return;
    }
    c->copy_in = false;
    if (type == 'c') {
        c->vt->copy_done(c->ctx, c);
        return;
    }
    snprintf(c->copy_fail_reason, sizeof c->copy_fail_reason, "%s", message);
    c->vt->copy_fail(c->ctx, c, c->copy_fail_reason);
}

/* A message of a valid type whose body is malformed. The length word framed it, so the
 * stream is still in step: like PostgreSQL, answer with an ERROR and go on. An extended
 * query message starts the skip to Sync; after Query, FunctionCall or Sync comes
 * ReadyForQuery. Messages PostgreSQL does not read in the current state are not judged. */
static void malformed_msg(pgw_conn *c, uint8_t type, mice_status rc, const char *message)
{
    if (type == 'X') {
        close_quietly(c, c->copy_in ? "terminated during COPY" : ""); /* body never read */
        return;
    }
    if (c->copy_in) {
        malformed_in_copy(c, type, message);
        return;
    }
    mice_assert(type != 0);                         /* the framer yields typed messages */
    if (strchr("dcf", type)) return;                /* COPY leftovers: dropped unread */
    if (c->ignore_till_sync && type != 'S') return; /* skipped unread */
    protocol_error(c, rc == MICE_LIMIT ? "54000" : "08P01", message);
    if (strchr("PBDECH", type)) {
        c->ignore_till_sync = true;
        c->sync_after_error = true; /* the Sync must not commit the implicit transaction */
        return;
    }
    c->ignore_till_sync = false; /* a Sync ends the skip even when malformed */
    ready_for_query(c);
}

static void on_ready_frame(pgw_conn *c, const pgw_frame *f)
{
    if (f->type == 'p') {
        fatal(c, "08P01", "invalid frontend message type %u", f->type);
        return;
    }
    pgw_fe_msg m;
    mice_err err;
    arena_reset(c->msg_arena);
    mice_status rc = pgw_decode(f, PGW_AUTH_EXPECT_PASSWORD, c->msg_arena, &m, &err);
    if (rc) {
        malformed_msg(c, f->type, rc, err.msg);
        return;
    }
    if (c->copy_in)
        on_copy_in_msg(c, &m);
    else
        on_ready_msg(c, &m);
}

/* ---------------------------------------------------------------- the loop */

static void on_frame(pgw_conn *c, const pgw_frame *f)
{
    switch (c->phase) {
    case PH_STARTUP:
        on_startup_frame(c, f);
        return;
    case PH_SASL_INITIAL:
    case PH_SASL_RESPONSE:
        on_auth_frame(c, f);
        return;
    case PH_READY:
        on_ready_frame(c, f);
        return;
    case PH_AUTH_LOOKUP:
    case PH_STARTING:
        mice_unreachable(); /* a request is outstanding: no reading */
    }
}

static void drive(pgw_conn *c)
{
    if (c->in_drive) return;
    c->in_drive = true;
    while (pgw_conn_wants_input(c)) {
        pgw_frame f;
        mice_err err;
        mice_status rc = pgw_framer_next(&c->framer, &f, &err);
        if (rc == MICE_AGAIN) {
            if (c->pending_in.n == 0) break;
            pgw_framer_feed(&c->framer, c->pending_in.p, c->pending_in.n);
            buf_reset(&c->pending_in);
            continue;
        }
        if (rc) {
            fatal(c, rc == MICE_LIMIT ? "54000" : "08P01", "%s", err.msg);
            break;
        }
        on_frame(c, &f);
    }
    c->in_drive = false;
}

/* ---------------------------------------------------------------- session answers */

static bool answering(pgw_conn *c)
{
    mice_assert(c->req != REQ_NONE && c->req != REQ_VERIFIER);
    return !c->closing;
}

void pgw_conn_row_description(pgw_conn *c, const pgw_field *fields, size_t n)
{
    if (answering(c)) pgw_put_row_description(&c->out, fields, n);
}

void pgw_conn_data_row(pgw_conn *c, const pgw_value *values, size_t n)
{
    if (!answering(c)) return;
    pgw_put_data_row(&c->out, values, n);
    maybe_flush(c);
}

void pgw_conn_command_complete(pgw_conn *c, const char *tag)
{
    if (answering(c)) pgw_put_command_complete(&c->out, tag);
}

void pgw_conn_empty_query(pgw_conn *c)
{
    if (answering(c)) pgw_put_empty_query_response(&c->out);
}

void pgw_conn_portal_suspended(pgw_conn *c)
{
    if (answering(c)) pgw_put_portal_suspended(&c->out);
}

void pgw_conn_parameter_description(pgw_conn *c, const pgw_oid_t *types, size_t n)
{
    if (answering(c)) pgw_put_parameter_description(&c->out, types, n);
}

void pgw_conn_no_data(pgw_conn *c)
{
    if (answering(c)) pgw_put_no_data(&c->out);
}

void pgw_conn_notice(pgw_conn *c, const pgw_error *e)
{
    if (answering(c)) pgw_put_notice_response(&c->out, e);
}

void pgw_conn_parameter_status(pgw_conn *c, const char *name, const char *value)
{
    if (!answering(c)) return;
    if (c->req != REQ_START) {
        pgw_put_parameter_status(&c->out, name, value);
        return;
    }
    /* While starting, the values join the set sent before BackendKeyData. */
    char *n = arena_strdup(c->conn_arena, name), *v = arena_strdup(c->conn_arena, value);
    if (n && v) set_status(c, n, v);
}

void pgw_conn_error(pgw_conn *c, const pgw_error *e)
{
    if (!answering(c)) return;
    pgw_put_error_response(&c->out, e);
    c->req_failed = true;
    c->copy_in = false; /* CopyData still arriving is dropped as in PostgreSQL */
    bool fatal_severity = strcmp(e->severity, "FATAL") == 0 || strcmp(e->severity, "PANIC") == 0;
    if (fatal_severity || c->req == REQ_START) {
        c->fatal_requested = true;
        snprintf(c->close_reason, sizeof c->close_reason, "%s", e->message);
    }
}

void pgw_conn_copy_in(pgw_conn *c, int8_t format, const int16_t *column_formats, size_t n)
{
    mice_assert(c->req == REQ_QUERY || c->req == REQ_EXECUTE);
    if (!answering(c)) return;
    pgw_put_copy_in_response(&c->out, format, column_formats, n);
    flush(c); /* the client waits for it before sending data */
    c->copy_in = true;
    if (!c->in_drive) drive(c);
}

void pgw_conn_copy_out(pgw_conn *c, int8_t format, const int16_t *column_formats, size_t n)
{
    mice_assert(c->req == REQ_QUERY || c->req == REQ_EXECUTE);
    if (answering(c)) pgw_put_copy_out_response(&c->out, format, column_formats, n);
}

void pgw_conn_copy_data(pgw_conn *c, mice_slice data)
{
    if (!answering(c)) return;
    pgw_put_copy_data(&c->out, data);
    maybe_flush(c);
}

void pgw_conn_copy_done(pgw_conn *c)
{
    if (answering(c)) pgw_put_copy_done(&c->out);
}
