#include "fake_session.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/check.h"

enum { OID_INT4 = 23, OID_TEXT = 25 };
enum { P_NONE, P_LOOKUP, P_START, P_QUERY, P_SYNC, P_EXECUTE };

static void logf_(fake_session *fs, const char *what, const char *arg)
{
    buf_printf(&fs->log, "%s(%s);", what, arg);
}

void fake_session_init(fake_session *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->txn = 'I';
    fs->rows_per_select = 1;
    buf_init(&fs->log);
    buf_init(&fs->pending_text);
}

void fake_session_deinit(fake_session *fs)
{
    buf_deinit(&fs->log);
    buf_deinit(&fs->pending_text);
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static const pgw_field int4_column = {
    .name = "?column?", .type_oid = OID_INT4, .typlen = 4, .typmod = -1, .format = 0};

static void send_rows(pgw_conn *c, int n)
{
    pgw_value one = {.data = MICE_SLICE_LIT("1"), .is_null = false};
    for (int i = 0; i < n; i++)
        pgw_conn_data_row(c, &one, 1);
}

/* One statement of a simple Query; false when it failed (stop the rest). */
static bool run_statement(fake_session *fs, pgw_conn *c, const char *st, bool *copying)
{
    char tag[64];
    if (starts_with(st, "select")) {
        pgw_conn_row_description(c, &int4_column, 1);
        send_rows(c, fs->rows_per_select);
        snprintf(tag, sizeof tag, "SELECT %d", fs->rows_per_select);
        pgw_conn_command_complete(c, tag);
    } else if (starts_with(st, "begin")) {
        fs->txn = 'T';
        pgw_conn_command_complete(c, "BEGIN");
    } else if (starts_with(st, "commit") || starts_with(st, "rollback")) {
        pgw_conn_command_complete(c, fs->txn == 'E' || starts_with(st, "rollback") ? "ROLLBACK"
                                                                                   : "COMMIT");
        fs->txn = 'I';
    } else if (starts_with(st, "bad")) {
        pgw_error e = {
            .severity = "ERROR", .sqlstate = "42601", .message = "syntax error", .position = 1};
        if (fs->txn == 'T') fs->txn = 'E';
        pgw_conn_error(c, &e);
        return false;
    } else if (starts_with(st, "fatal")) {
        pgw_error e = {.severity = "FATAL", .sqlstate = "57P01", .message = "shutting down"};
        pgw_conn_error(c, &e);
        return false;
    } else if (starts_with(st, "notice")) {
        pgw_error e = {.severity = "NOTICE", .sqlstate = "00000", .message = "hello"};
        pgw_conn_notice(c, &e);
        pgw_conn_command_complete(c, "DO");
    } else if (starts_with(st, "set ")) {
        pgw_conn_parameter_status(c, "application_name", st + 4);
        pgw_conn_command_complete(c, "SET");
    } else if (starts_with(st, "copy in")) {
        int16_t formats[2] = {0, 0};
        fs->copy_rows = 0;
        pgw_conn_copy_in(c, 0, formats, 2);
        *copying = true;
        return false;
    } else if (starts_with(st, "copy out")) {
        pgw_conn_copy_out(c, 0, NULL, 0);
        pgw_conn_copy_data(c, MICE_SLICE_LIT("1\tx\n"));
        pgw_conn_copy_data(c, MICE_SLICE_LIT("2\ty\n"));
        pgw_conn_copy_done(c);
        pgw_conn_command_complete(c, "COPY 2");
    } else {
        pgw_conn_command_complete(c, "OK");
    }
    return true;
}

static void run_query(fake_session *fs, pgw_conn *c, const char *sql, size_t len)
{
    char text[1024];
    snprintf(text, sizeof text, "%.*s", (int)len, sql);
    bool any = false, copying = false;
    for (char *save = NULL, *st = strtok_r(text, ";", &save); st; st = strtok_r(NULL, ";", &save)) {
        while (isspace((unsigned char)*st))
            st++;
        if (!*st) continue;
        any = true;
        if (!run_statement(fs, c, st, &copying)) break;
    }
    if (copying) return; /* done() comes with CopyDone/CopyFail */
    if (!any) pgw_conn_empty_query(c);
    pgw_conn_done(c);
}

static void record(fake_session *fs, pgw_conn *c, int kind, const char *text, size_t n)
{
    mice_assert(fs->pending == P_NONE);
    fs->pending = kind;
    fs->pending_conn = c;
    buf_reset(&fs->pending_text);
    buf_append(&fs->pending_text, text, n);
}

static void fs_lookup(void *ctx, pgw_conn *c, const char *user)
{
    fake_session *fs = ctx;
    logf_(fs, "lookup", user);
    if (fs->async) {
        record(fs, c, P_LOOKUP, user, strlen(user));
        return;
    }
    pgw_conn_provide_verifier(c, strcmp(user, "alice") == 0 ? fs->verifier : NULL);
}

static void do_start(pgw_conn *c, const pgw_startup_info *info)
{
    if (strcmp(info->database, "nodb") == 0) {
        pgw_error e = {.severity = "FATAL",
                       .sqlstate = "3D000",
                       .message = "database \"nodb\" does not exist"};
        pgw_conn_error(c, &e);
    } else {
        pgw_conn_parameter_status(c, "is_superuser", "on");
        pgw_conn_parameter_status(c, "mice_node", "1");
    }
    pgw_conn_done(c);
}

static void fs_start(void *ctx, pgw_conn *c, const pgw_startup_info *info)
{
    fake_session *fs = ctx;
    logf_(fs, "start", info->database);
    if (fs->async) {
        record(fs, c, P_START, info->database, strlen(info->database));
        return;
    }
    do_start(c, info);
}

static void fs_query(void *ctx, pgw_conn *c, const char *sql, size_t len)
{
    fake_session *fs = ctx;
    char text[300];
    snprintf(text, sizeof text, "%.*s", (int)(len < 256 ? len : 256), sql);
    logf_(fs, "query", text);
    if (fs->async) {
        record(fs, c, P_QUERY, sql, len);
        return;
    }
    run_query(fs, c, sql, len);
}

static fake_entry *find(fake_entry *tab, const char *name)
{
    for (int i = 0; i < FAKE_NAMES_MAX; i++)
        if (tab[i].used && strcmp(tab[i].name, name) == 0) return &tab[i];
    return NULL;
}

static fake_entry *put(fake_entry *tab, const char *name)
{
    fake_entry *e = find(tab, name);
    for (int i = 0; !e && i < FAKE_NAMES_MAX; i++)
        if (!tab[i].used) e = &tab[i];
    mice_assert(e != NULL);
    memset(e, 0, sizeof *e);
    e->used = true;
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

static void fail(pgw_conn *c, const char *sqlstate, const char *message)
{
    pgw_error e = {.severity = "ERROR", .sqlstate = sqlstate, .message = message};
    pgw_conn_error(c, &e);
}

static void fs_parse(void *ctx, pgw_conn *c, const pgw_parse_msg *m)
{
    fake_session *fs = ctx;
    logf_(fs, "parse", m->stmt_name);
    pgw_error syntax = {
        .severity = "ERROR", .sqlstate = "42601", .message = "syntax error", .position = 1};
    if (starts_with(m->query, "bad"))
        pgw_conn_error(c, &syntax);
    else if (*m->stmt_name && find(fs->stmts, m->stmt_name))
        fail(c, "42P05", "prepared statement already exists");
    else
        snprintf(put(fs->stmts, m->stmt_name)->query, sizeof fs->stmts[0].query, "%s", m->query);
    pgw_conn_done(c);
}

static void fs_bind(void *ctx, pgw_conn *c, const pgw_bind_msg *m)
{
    fake_session *fs = ctx;
    logf_(fs, "bind", m->stmt_name);
    fake_entry *st = find(fs->stmts, m->stmt_name);
    int16_t fmt;
    mice_err err;
    if (!st) {
        fail(c, "26000", "prepared statement does not exist");
    } else if (pgw_bind_result_format(m, 1, 0, &fmt, &err)) {
        fail(c, "08P01", err.msg);
    } else {
        fake_entry *p = put(fs->portals, m->portal_name);
        snprintf(p->query, sizeof p->query, "%s", st->query);
        p->rows_left = starts_with(st->query, "select") ? fs->rows_per_select : 0;
    }
    pgw_conn_done(c);
}

static void describe_rows(pgw_conn *c, const char *query)
{
    if (starts_with(query, "select"))
        pgw_conn_row_description(c, &int4_column, 1);
    else
        pgw_conn_no_data(c);
}

static void fs_describe(void *ctx, pgw_conn *c, char kind, const char *name)
{
    fake_session *fs = ctx;
    logf_(fs, kind == 'S' ? "describe_stmt" : "describe_portal", name);
    fake_entry *e = find(kind == 'S' ? fs->stmts : fs->portals, name);
    if (!e) {
        fail(c, kind == 'S' ? "26000" : "34000", "does not exist");
    } else if (kind == 'S') {
        pgw_oid_t types[16];
        size_t n = 0;
        for (const char *p = e->query; *p && n < 16; p++)
            if (*p == '$') types[n++] = OID_INT4;
        pgw_conn_parameter_description(c, types, n);
        describe_rows(c, e->query);
    } else {
        describe_rows(c, e->query);
    }
    pgw_conn_done(c);
}

static void run_execute(fake_session *fs, pgw_conn *c, const char *portal, int32_t max_rows)
{
    fake_entry *p = find(fs->portals, portal);
    if (!p) {
        fail(c, "34000", "portal does not exist");
    } else if (!starts_with(p->query, "select")) {
        bool copying = false;
        run_statement(fs, c, p->query, &copying);
        if (copying) return;
    } else {
        int n = max_rows > 0 && max_rows < p->rows_left ? max_rows : p->rows_left;
        send_rows(c, n);
        p->rows_left -= n;
        p->rows_sent += n;
        char tag[32];
        snprintf(tag, sizeof tag, "SELECT %d", p->rows_sent);
        if (p->rows_left > 0)
            pgw_conn_portal_suspended(c);
        else
            pgw_conn_command_complete(c, tag);
    }
    pgw_conn_done(c);
}

static void fs_execute(void *ctx, pgw_conn *c, const char *portal, int32_t max_rows)
{
    fake_session *fs = ctx;
    char arg[96];
    snprintf(arg, sizeof arg, "%s,%d", portal, (int)max_rows);
    logf_(fs, "execute", arg);
    if (fs->async) {
        record(fs, c, P_EXECUTE, portal, strlen(portal));
        buf_append(&fs->pending_text, &max_rows, sizeof max_rows);
        return;
    }
    run_execute(fs, c, portal, max_rows);
}

static void fs_close(void *ctx, pgw_conn *c, char kind, const char *name)
{
    fake_session *fs = ctx;
    logf_(fs, kind == 'S' ? "close_stmt" : "close_portal", name);
    fake_entry *e = find(kind == 'S' ? fs->stmts : fs->portals, name);
    if (e) e->used = false;
    pgw_conn_done(c);
}

static void fs_sync(void *ctx, pgw_conn *c, bool after_error)
{
    fake_session *fs = ctx;
    logf_(fs, "sync", after_error ? "after error" : "");
    if (fs->async) {
        record(fs, c, P_SYNC, "", 0);
        return;
    }
    pgw_conn_done(c);
}

static void fs_copy_data(void *ctx, pgw_conn *c, mice_slice data)
{
    fake_session *fs = ctx;
    if (mice_slice_eq(data, MICE_SLICE_LIT("boom\n"))) {
        pgw_error e = {.severity = "ERROR", .sqlstate = "22P04", .message = "bad COPY row"};
        pgw_conn_error(c, &e);
        pgw_conn_done(c);
        return;
    }
    fs->copy_rows++;
}

static void fs_copy_done(void *ctx, pgw_conn *c)
{
    fake_session *fs = ctx;
    char tag[32];
    snprintf(tag, sizeof tag, "COPY %d", fs->copy_rows);
    logf_(fs, "copy_done", tag);
    pgw_conn_command_complete(c, tag);
    pgw_conn_done(c);
}

static void fs_copy_fail(void *ctx, pgw_conn *c, const char *message)
{
    fake_session *fs = ctx;
    logf_(fs, "copy_fail", message);
    pgw_error e = {.severity = "ERROR", .sqlstate = "57014", .message = "COPY from stdin failed"};
    pgw_conn_error(c, &e);
    pgw_conn_done(c);
}

static char fs_txn_status(void *ctx)
{
    return ((fake_session *)ctx)->txn;
}

bool fake_session_complete(fake_session *fs)
{
    int kind = fs->pending;
    if (kind == P_NONE) return false;
    fs->pending = P_NONE;
    pgw_conn *c = fs->pending_conn;
    const char *text = (const char *)fs->pending_text.p;
    /* Requests that answering triggers (the next pipelined message) are recorded anew. */
    switch (kind) {
    case P_LOOKUP:
        pgw_conn_provide_verifier(c, strcmp(text, "alice") == 0 ? fs->verifier : NULL);
        break;
    case P_START:
        do_start(c, pgw_conn_startup_info(c));
        break;
    case P_QUERY:
        run_query(fs, c, text, fs->pending_text.n);
        break;
    case P_SYNC:
        pgw_conn_done(c);
        break;
    case P_EXECUTE: {
        int32_t max_rows;
        size_t n = fs->pending_text.n - sizeof max_rows;
        memcpy(&max_rows, fs->pending_text.p + n, sizeof max_rows);
        char portal[64];
        snprintf(portal, sizeof portal, "%.*s", (int)n, text);
        run_execute(fs, c, portal, max_rows);
        break;
    }
    }
    return true;
}

const pgw_session_vtab fake_session_vtab = {
    .lookup_verifier = fs_lookup,
    .start = fs_start,
    .query = fs_query,
    .parse = fs_parse,
    .bind = fs_bind,
    .describe = fs_describe,
    .execute = fs_execute,
    .close = fs_close,
    .sync = fs_sync,
    .copy_data = fs_copy_data,
    .copy_done = fs_copy_done,
    .copy_fail = fs_copy_fail,
    .txn_status = fs_txn_status,
};
