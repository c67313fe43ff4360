/*
 * fake_backend.c - see fake_backend.h. Statements are classified once (classify) and
 * run by the same code for simple and extended queries (produce_rows / run_other).
 */
#include "server/support/fake_backend.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/check.h"
#include "base/env.h"
#include "server/scram.h"

enum {
    USERS_MAX = 8,
    NAMES_MAX = 16,
    NAME_BYTES = 64,
    TEXT_BYTES = 256,
    CANCEL_POLL_ROWS = 1024,
    OID_INT4 = 23,
    OID_INT8 = 20,
    OID_TEXT = 25,
};

typedef struct fake_user {
    char name[NAME_BYTES];
    mice_buf verifier;
} fake_user;

struct fake_backend {
    fake_user users[USERS_MAX];
    int n_users;
    atomic_llong sessions_live, sessions_created, streams_stopped, cancels_seen;
};

typedef enum {
    ST_BAD,
    ST_EMPTY,
    ST_SELECT_N,
    ST_SELECT_PARAM,
    ST_GENERATE,
    ST_SLEEP,
    ST_FAIL,
    ST_NOTICE,
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_COPY_IN,
    ST_COPY_OUT,
} stmt_kind;

typedef struct stmt {
    stmt_kind kind;
    long long n;
} stmt;

typedef struct fake_entry {
    bool used;
    char name[NAME_BYTES];
    stmt st;
    pgw_oid_t param_type;
    /* portals */
    bool param_null;
    char param[TEXT_BYTES];
    int16_t format;
    long long done;
} fake_entry;

typedef struct fake_sess {
    fake_backend *fb;
    atomic_bool cancel;
    char txn;
    fake_entry stmts[NAMES_MAX], portals[NAMES_MAX];
    long long copy_lines;
    mice_buf copy_partial; /* a line split over CopyData messages */
} fake_sess;

/* ---------------------------------------------------------------- statements */

static bool digits(const char *s, long long *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 12) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

static stmt classify(const char *sql, size_t len)
{
    stmt st = {ST_BAD, 0};
    char b[TEXT_BYTES], w1[16] = "", w2[32] = "", w3[16] = "", w4[2] = "";
    if (len >= sizeof b) return st;
    for (size_t i = 0; i < len; i++)
        b[i] = (char)toupper((unsigned char)sql[i]);
    b[len] = '\0';
    int k = sscanf(b, "%15s %31s %15s %1s", w1, w2, w3, w4);
    if (k <= 0) {
        st.kind = ST_EMPTY;
    } else if (k == 1) {
        static const struct {
            const char *w;
            stmt_kind kind;
        } words[] = {{"FAIL", ST_FAIL},
                     {"NOTICE", ST_NOTICE},
                     {"BEGIN", ST_BEGIN},
                     {"COMMIT", ST_COMMIT},
                     {"ROLLBACK", ST_ROLLBACK}};
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strcmp(w1, words[i].w) == 0) st.kind = words[i].kind;
    } else if (k == 2 && strcmp(w1, "SELECT") == 0) {
        if (strcmp(w2, "$1") == 0)
            st.kind = ST_SELECT_PARAM;
        else if (digits(w2, &st.n))
            st.kind = ST_SELECT_N;
    } else if (k == 2 && strcmp(w1, "GENERATE") == 0 && digits(w2, &st.n)) {
        st.kind = ST_GENERATE;
    } else if (k == 2 && strcmp(w1, "SLEEP") == 0 && digits(w2, &st.n)) {
        st.kind = ST_SLEEP;
    } else if (k == 2 && strcmp(w1, "COPY") == 0 && strcmp(w2, "IN") == 0) {
        st.kind = ST_COPY_IN;
    } else if (k == 3 && strcmp(w1, "COPY") == 0 && strcmp(w2, "OUT") == 0 && digits(w3, &st.n)) {
        st.kind = ST_COPY_OUT;
    }
    return st;
}

/* ---------------------------------------------------------------- running statements */

/* Statement outcomes inside this file: MICE_OK, MICE_ABORTED (an error was reported),
 * MICE_AGAIN (switched to COPY FROM STDIN), MICE_CLOSED (the client is gone). */

static mice_status fail(fake_sess *ss, pgb_sink *k, const char *sqlstate, const char *msg)
{
    if (ss->txn == 'T') ss->txn = 'E';
    pgb_error e = {.severity = "ERROR", .sqlstate = sqlstate, .message = msg};
    if (strcmp(sqlstate, "42601") == 0) e.position = 1;
    if (strcmp(sqlstate, "57014") == 0) atomic_fetch_add(&ss->fb->cancels_seen, 1);
    return pgb_sink_error(k, &e) ? MICE_CLOSED : MICE_ABORTED;
}

/* What a request returns after a statement outcome: only a vanished client is news. */
static mice_status answered(mice_status outcome)
{
    return outcome == MICE_CLOSED ? MICE_CLOSED : MICE_OK;
}

static mice_status done(pgb_sink *k, const char *tag)
{
    return pgb_sink_command_complete(k, tag) ? MICE_CLOSED : MICE_OK;
}

static bool stmt_field(const stmt *st, int16_t format, pgw_field *f)
{
    *f = (pgw_field){.name = "?column?", .typmod = -1, .format = format};
    switch (st->kind) {
    case ST_SELECT_N:
        f->type_oid = OID_INT4;
        f->typlen = 4;
        return true;
    case ST_SELECT_PARAM:
        f->type_oid = OID_TEXT;
        f->typlen = -1;
        return true;
    case ST_GENERATE:
        f->name = "n";
        f->type_oid = OID_INT8;
        f->typlen = 8;
        return true;
    default:
        return false;
    }
}

static pgw_value int_value(long long v, bool wide, int16_t format, uint8_t *scratch)
{
    if (format == 0) {
        int n = snprintf((char *)scratch, 24, "%lld", v);
        return (pgw_value){.data = mice_slice_of(scratch, (size_t)n)};
    }
    if (wide) {
        mice_store_be64(scratch, (uint64_t)v);
        return (pgw_value){.data = mice_slice_of(scratch, 8)};
    }
    mice_store_be32(scratch, (uint32_t)v);
    return (pgw_value){.data = mice_slice_of(scratch, 4)};
}

static mice_status produce_rows(fake_sess *ss, const stmt *st, fake_entry *portal, int32_t max_rows,
                                pgb_sink *k, bool *suspended)
{
    long long total = st->kind == ST_GENERATE ? st->n : 1, sent = 0;
    long long at = portal ? portal->done : 0;
    int16_t format = portal ? portal->format : 0;
    uint8_t scratch[24];
    if (st->kind == ST_SELECT_PARAM && !portal)
        return fail(ss, k, "42P02", "there is no parameter $1");
    for (; at < total; at++, sent++) {
        if (max_rows > 0 && sent == max_rows) {
            *suspended = true;
            break;
        }
        if (at % CANCEL_POLL_ROWS == 0 && atomic_load(&ss->cancel)) {
            atomic_fetch_add(&ss->fb->streams_stopped, 1);
            return fail(ss, k, "57014", "canceling statement due to user request");
        }
        pgw_value v;
        if (st->kind == ST_SELECT_PARAM)
            v = portal->param_null ? (pgw_value){.is_null = true}
                                   : (pgw_value){.data = mice_slice_str(portal->param)};
        else
            v = int_value(st->kind == ST_GENERATE ? at + 1 : st->n, st->kind == ST_GENERATE, format,
                          scratch);
        if (pgb_sink_row(k, &v, 1)) {
            atomic_fetch_add(&ss->fb->streams_stopped, 1);
            return MICE_CLOSED;
        }
    }
    if (portal) portal->done = at;
    if (*suspended) return MICE_OK;
    char tag[32];
    snprintf(tag, sizeof tag, "SELECT %lld", total);
    return done(k, tag);
}

static mice_status run_sleep(fake_sess *ss, const stmt *st, pgb_sink *k)
{
    for (long long ms = 0; ms < st->n; ms++) {
        if (atomic_load(&ss->cancel))
            return fail(ss, k, "57014", "canceling statement due to user request");
        env_sleep_ns(mice_env_real(), MICE_NS_PER_MS);
    }
    return done(k, "SLEEP");
}

static mice_status run_copy_out(fake_sess *ss, const stmt *st, pgb_sink *k)
{
    int16_t text = 0;
    if (pgb_sink_copy_out(k, 0, &text, 1)) return MICE_CLOSED;
    for (long long i = 1; i <= st->n; i++) {
        char line[32];
        int n = snprintf(line, sizeof line, "%lld\n", i);
        if (pgb_sink_copy_row(k, mice_slice_of(line, (size_t)n))) {
            atomic_fetch_add(&ss->fb->streams_stopped, 1);
            return MICE_CLOSED;
        }
    }
    char tag[32];
    snprintf(tag, sizeof tag, "COPY %lld", st->n);
    return done(k, tag);
}

static mice_status run_other(fake_sess *ss, const stmt *st, pgb_sink *k)
{
    int16_t text = 0;
    switch (st->kind) {
    case ST_EMPTY:
        return pgb_sink_empty_query(k) ? MICE_CLOSED : MICE_OK;
    case ST_SLEEP:
        return run_sleep(ss, st, k);
    case ST_FAIL:
        return fail(ss, k, "22012", "fake failure");
    case ST_NOTICE: {
        pgb_error e = {.severity = "NOTICE", .sqlstate = "00000", .message = "fake notice"};
        if (pgb_sink_notice(k, &e)) return MICE_CLOSED;
        return done(k, "DO");
    }
    case ST_BEGIN:
        ss->txn = 'T';
        return done(k, "BEGIN");
    case ST_COMMIT:
    case ST_ROLLBACK: {
        bool failed = ss->txn == 'E';
        ss->txn = 'I';
        return done(k, failed || st->kind == ST_ROLLBACK ? "ROLLBACK" : "COMMIT");
    }
    case ST_COPY_IN:
        ss->copy_lines = 0;
        buf_reset(&ss->copy_partial);
        return pgb_sink_copy_in(k, 0, &text, 1) ? MICE_CLOSED : MICE_AGAIN;
    case ST_COPY_OUT:
        return run_copy_out(ss, st, k);
    default:
        return fail(ss, k, "42601", "syntax error at or near the start");
    }
}

static bool returns_rows(const stmt *st)
{
    return st->kind == ST_SELECT_N || st->kind == ST_SELECT_PARAM || st->kind == ST_GENERATE;
}

static mice_status run_stmt(fake_sess *ss, const stmt *st, fake_entry *portal, int32_t max_rows,
                            pgb_sink *k, bool *suspended)
{
    if (ss->txn == 'E' && st->kind != ST_COMMIT && st->kind != ST_ROLLBACK)
        return fail(ss, k, "25P02",
                    "current transaction is aborted, commands ignored until end of "
                    "transaction block");
    if (!returns_rows(st)) return run_other(ss, st, k);
    if (!portal) {
        pgw_field f;
        stmt_field(st, 0, &f);
        if (pgb_sink_columns(k, &f, 1)) return MICE_CLOSED;
    }
    return produce_rows(ss, st, portal, max_rows, k, suspended);
}

/* ---------------------------------------------------------------- the vtab: sessions */

static mice_status fb_session_create(void *ctx, const pgw_startup_info *info, pgb_sink *sink,
                                     void **session)
{
    fake_backend *fb = ctx;
    if (strcmp(info->database, "nodb") == 0) {
        pgb_error e = {.severity = "FATAL",
                       .sqlstate = "3D000",
                       .message = "database \"nodb\" does not exist"};
        pgb_sink_error(sink, &e);
        return MICE_NOTFOUND;
    }
    fake_sess *ss = mice_calloc(1, sizeof *ss);
    ss->fb = fb;
    ss->txn = 'I';
    buf_init(&ss->copy_partial);
    atomic_fetch_add(&fb->sessions_live, 1);
    atomic_fetch_add(&fb->sessions_created, 1);
    *session = ss;
    return pgb_sink_parameter_status(sink, "fake_backend", "on");
}

static void fb_session_destroy(void *ctx, void *session)
{
    fake_backend *fb = ctx;
    fake_sess *ss = session;
    buf_deinit(&ss->copy_partial);
    free(ss);
    atomic_fetch_sub(&fb->sessions_live, 1);
}

static mice_status fb_lookup_verifier(void *ctx, const char *user, mice_buf *verifier)
{
    fake_backend *fb = ctx;
    for (int i = 0; i < fb->n_users; i++) {
        if (strcmp(fb->users[i].name, user) == 0) {
            buf_append_slice(verifier, buf_slice(&fb->users[i].verifier));
            return MICE_OK;
        }
    }
    return MICE_NOTFOUND;
}

static mice_status fb_query(void *ctx, void *session, const char *sql, size_t len, pgb_sink *k)
{
    (void)ctx;
    fake_sess *ss = session;
    atomic_store(&ss->cancel, false);
    stmt all = classify(sql, len);
    if (all.kind == ST_EMPTY) return run_other(ss, &all, k);
    for (size_t start = 0; start < len;) {
        const char *semi = memchr(sql + start, ';', len - start);
        size_t end = semi ? (size_t)(semi - sql) : len;
        stmt st = classify(sql + start, end - start);
        start = end + 1;
        if (st.kind == ST_EMPTY) continue;
        bool suspended = false;
        mice_status rc = run_stmt(ss, &st, NULL, 0, k, &suspended);
        if (rc == MICE_CLOSED) return rc;
        if (rc) break; /* failed, or COPY FROM STDIN: the rest is not run (fake) */
    }
    return MICE_OK;
}

/* ---------------------------------------------------------------- the vtab: extended */

static fake_entry *find(fake_entry *tab, const char *name)
{
    for (int i = 0; i < NAMES_MAX; i++)
        if (tab[i].used && strcmp(tab[i].name, name) == 0) return &tab[i];
    return NULL;
}

/* A slot for name: the unnamed one is replaced, a named one must be new. */
static fake_entry *claim(fake_entry *tab, const char *name, bool *exists)
{
    fake_entry *e = find(tab, name);
    *exists = e && name[0] != '\0';
    if (e) return *exists ? NULL : e;
    for (int i = 0; i < NAMES_MAX; i++)
        if (!tab[i].used) return &tab[i];
    return NULL;
}

static mice_status fb_parse(void *ctx, void *session, const char *name, const char *sql, size_t len,
                            const pgw_oid_t *types, size_t n_types, pgb_sink *k)
{
    (void)ctx;
    fake_sess *ss = session;
    stmt st = classify(sql, len);
    if (st.kind == ST_BAD || memchr(sql, ';', len))
        return answered(fail(ss, k, "42601", "syntax error at or near the start"));
    bool exists;
    fake_entry *e = claim(ss->stmts, name, &exists);
    if (!e || strlen(name) >= NAME_BYTES) {
        fail(ss, k, exists ? "42P05" : "54000", "prepared statement already exists or too many");
        return MICE_OK;
    }
    *e = (fake_entry){.used = true, .st = st, .param_type = n_types ? types[0] : 0};
    snprintf(e->name, sizeof e->name, "%s", name);
    return MICE_OK;
}

static mice_status bind_param(fake_sess *ss, fake_entry *p, const pgw_bind_msg *m, pgb_sink *k)
{
    size_t needed = p->st.kind == ST_SELECT_PARAM ? 1 : 0;
    if (m->n_params != needed)
        return fail(ss, k, "08P01", "bind message supplies the wrong number of parameters");
    if (needed == 0) return MICE_OK;
    if (pgw_bind_param_format(m, 0) != 0)
        return fail(ss, k, "0A000", "binary parameters are not supported by the fake");
    if (m->params[0].data.n >= TEXT_BYTES) return fail(ss, k, "54000", "parameter too long");
    p->param_null = m->params[0].is_null;
    if (!p->param_null) memcpy(p->param, m->params[0].data.p, m->params[0].data.n);
    return MICE_OK;
}

static mice_status fb_bind(void *ctx, void *session, const pgw_bind_msg *m, pgb_sink *k)
{
    (void)ctx;
    fake_sess *ss = session;
    fake_entry *s = find(ss->stmts, m->stmt_name);
    if (!s) return answered(fail(ss, k, "26000", "prepared statement does not exist"));
    bool exists;
    fake_entry *p = claim(ss->portals, m->portal_name, &exists);
    if (!p || strlen(m->portal_name) >= NAME_BYTES) {
        fail(ss, k, "42P03", "portal already exists or too many");
        return MICE_OK;
    }
    *p = (fake_entry){.used = true, .st = s->st};
    snprintf(p->name, sizeof p->name, "%s", m->portal_name);
    mice_err err;
    pgw_field f;
    size_t n_cols = stmt_field(&s->st, 0, &f) ? 1 : 0;
    if (n_cols && pgw_bind_result_format(m, n_cols, 0, &p->format, &err)) {
        p->used = false;
        fail(ss, k, "08P01", err.msg);
        return MICE_OK;
    }
    if (bind_param(ss, p, m, k) != MICE_OK) p->used = false;
    return MICE_OK;
}

static mice_status fb_describe_statement(void *ctx, void *session, const char *name, pgb_sink *k)
{
    (void)ctx;
    fake_sess *ss = session;
    fake_entry *s = find(ss->stmts, name);
    if (!s) return answered(fail(ss, k, "26000", "prepared statement does not exist"));
    pgw_oid_t t = s->param_type ? s->param_type : OID_TEXT;
    if (pgb_sink_parameter_description(k, &t, s->st.kind == ST_SELECT_PARAM ? 1 : 0))
        return MICE_CLOSED;
    pgw_field f;
    if (!stmt_field(&s->st, 0, &f)) return pgb_sink_no_data(k);
    return pgb_sink_columns(k, &f, 1);
}

static mice_status fb_describe_portal(void *ctx, void *session, const char *name, pgb_sink *k)
{
    (void)ctx;
    fake_sess *ss = session;
    fake_entry *p = find(ss->portals, name);
    if (!p) return answered(fail(ss, k, "34000", "portal does not exist"));
    pgw_field f;
    if (!stmt_field(&p->st, p->format, &f)) return pgb_sink_no_data(k);
    return pgb_sink_columns(k, &f, 1);
}

static mice_status fb_execute(void *ctx, void *session, const char *portal, int32_t max_rows,
                              pgb_sink *k, bool *suspended)
{
    (void)ctx;
    fake_sess *ss = session;
    atomic_store(&ss->cancel, false);
    fake_entry *p = find(ss->portals, portal);
    if (!p) return answered(fail(ss, k, "34000", "portal does not exist"));
    mice_status rc = run_stmt(ss, &p->st, p, max_rows, k, suspended);
    return rc == MICE_CLOSED ? rc : MICE_OK;
}

static mice_status fb_close(void *ctx, void *session, char kind, const char *name, pgb_sink *k)
{
    (void)ctx;
    (void)k;
    fake_sess *ss = session;
    fake_entry *e = find(kind == 'S' ? ss->stmts : ss->portals, name);
    if (e) e->used = false;
    return MICE_OK;
}

static mice_status fb_sync(void *ctx, void *session, bool after_error, pgb_sink *k)
{
    (void)ctx;
    (void)after_error;
    (void)k;
    fake_sess *ss = session;
    fake_entry *unnamed = find(ss->portals, "");
    if (unnamed && ss->txn == 'I') unnamed->used = false; /* dies with the implicit txn */
    return MICE_OK;
}

static char fb_txn_status(void *ctx, void *session)
{
    (void)ctx;
    return ((fake_sess *)session)->txn;
}

static void fb_cancel(void *ctx, void *session)
{
    (void)ctx;
    atomic_store(&((fake_sess *)session)->cancel, true);
}

/* ---------------------------------------------------------------- the vtab: COPY */

static mice_status copy_line(fake_sess *ss, mice_slice line, pgb_sink *k)
{
    if (line.n == 4 && memcmp(line.p, "boom", 4) == 0)
        return fail(ss, k, "22P04", "bad copy data: boom");
    ss->copy_lines++;
    return MICE_OK;
}

static mice_status fb_copy_data(void *ctx, void *session, mice_slice data, pgb_sink *k)
{
    (void)ctx;
    fake_sess *ss = session;
    for (size_t i = 0; i < data.n; i++) {
        if (data.p[i] != '\n') {
            buf_append_u8(&ss->copy_partial, data.p[i]);
            continue;
        }
        mice_status rc = copy_line(ss, buf_slice(&ss->copy_partial), k);
        buf_reset(&ss->copy_partial);
        if (rc) return rc == MICE_CLOSED ? rc : MICE_OK;
    }
    return MICE_OK;
}

static mice_status fb_copy_done(void *ctx, void *session, pgb_sink *k)
{
    (void)ctx;
    fake_sess *ss = session;
    if (ss->copy_partial.n && copy_line(ss, buf_slice(&ss->copy_partial), k)) return MICE_OK;
    char tag[32];
    snprintf(tag, sizeof tag, "COPY %lld", ss->copy_lines);
    return done(k, tag);
}

static mice_status fb_copy_fail(void *ctx, void *session, const char *message, pgb_sink *k)
{
    (void)ctx;
    char msg[256];
    snprintf(msg, sizeof msg, "COPY from stdin failed: %s", message);
    fail(session, k, "57014", msg);
    return MICE_OK;
}

const pgb_backend_vtab fake_backend_vtab = {
    .session_create = fb_session_create,
    .session_destroy = fb_session_destroy,
    .lookup_verifier = fb_lookup_verifier,
    .query = fb_query,
    .parse = fb_parse,
    .bind = fb_bind,
    .describe_statement = fb_describe_statement,
    .describe_portal = fb_describe_portal,
    .execute = fb_execute,
    .close = fb_close,
    .sync = fb_sync,
    .txn_status = fb_txn_status,
    .cancel = fb_cancel,
    .copy_data = fb_copy_data,
    .copy_done = fb_copy_done,
    .copy_fail = fb_copy_fail,
};

/* ---------------------------------------------------------------- the backend */

fake_backend *fake_backend_create(void)
{
    return mice_calloc(1, sizeof(fake_backend));
}

void fake_backend_destroy(fake_backend *fb)
{
    if (!fb) return;
    for (int i = 0; i < fb->n_users; i++)
        buf_deinit(&fb->users[i].verifier);
    free(fb);
}

void fake_backend_add_user(fake_backend *fb, const char *user, const char *password)
{
    mice_assert(fb->n_users < USERS_MAX);
    fake_user *u = &fb->users[fb->n_users++];
    snprintf(u->name, sizeof u->name, "%s", user);
    buf_init(&u->verifier);
    scram_verifier v;
    mice_err err;
    mice_status rc = scram_verifier_make(password, mice_slice_of(NULL, 0), 0, &v, &err);
    mice_assert(rc == MICE_OK);
    scram_verifier_format(&v, &u->verifier);
}

fake_backend_stats fake_backend_get_stats(fake_backend *fb)
{
    return (fake_backend_stats){
        .sessions_live = atomic_load(&fb->sessions_live),
        .sessions_created = atomic_load(&fb->sessions_created),
        .streams_stopped = atomic_load(&fb->streams_stopped),
        .cancels_seen = atomic_load(&fb->cancels_seen),
    };
}
