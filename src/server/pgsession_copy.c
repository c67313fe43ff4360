/*
 * pgsession_copy.c - COPY table [(cols)] FROM STDIN in PostgreSQL's text format.
 *
 * The session owns the protocol half of COPY: it answers CopyInResponse, cuts the client's
 * CopyData bytes into lines (however the client split them), decodes each line (the
 * delimiter, \N for NULL, backslash escapes, the old "\." end marker) and hands every row
 * to the engine as the parameters of one prepared "INSERT INTO t (cols) VALUES ($1..$n)",
 * whose parameter types are the columns' types, so every value is parsed by value_io just
 * as PostgreSQL's COPY parses it. The rows run in the session's transaction (the block's,
 * or an implicit one committed at CopyDone). CSV, binary, HEADER and COPY TO are 0A000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "server/pgsession_int.h"
#include "sql/engine.h"
#include "sql/parse.h"
#include "sql/value_io.h"

#define SQLSTATE_QUERY_CANCELED "57014"
#define SQLSTATE_BAD_COPY_FILE_FORMAT "22P04"

struct pgs_copy {
    mice_arena *arena; /* the prepared INSERT and its text */
    sql_prepared prep;
    char delim;
    const char *null_text;
    mice_buf pending; /* bytes of an unfinished line */
    mice_buf field;   /* one decoded field */
    uint64_t rows;
    const char **col_names; /* for errors */
    bool ended;       /* "\." seen */
};

static void append_ident(mice_buf *b, const char *id)
{
    buf_append_u8(b, '"');
    for (const char *p = id; *p; p++) {
        if (*p == '"') buf_append_u8(b, '"');
        buf_append_u8(b, (uint8_t)*p);
    }
    buf_append_u8(b, '"');
}

static mice_status copy_options(pgs_copy *c, const ast_copy *cp, sql_error *err)
{
    c->delim = '\t';
    c->null_text = "\\N";
    for (uint32_t i = 0; i < cp->options.n; i++) {
        const ast_node *o = cp->options.items[i];
        if (o->kind != AST_DEF_ELEM) continue;
        const char *name = o->u.def_elem.name;
        const ast_node *arg = o->u.def_elem.arg;
        const char *val = arg && arg->kind == AST_CONST ? arg->u.konst.text : NULL;
        if (!strcmp(name, "freeze")) continue;
        if (!strcmp(name, "format") && val && !strcmp(val, "text")) continue;
        if (!strcmp(name, "delimiter") && val && strlen(val) == 1) {
            c->delim = val[0];
            continue;
        }
        if (!strcmp(name, "null") && val) {
            c->null_text = arena_strdup(c->arena, val);
            continue;
        }
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY option \"%s\" is not supported", name);
    }
    return MICE_OK;
}

/* The column list: the statement's, or every visible column of the table. */
static mice_status copy_columns(pgs_session *s, pgs_copy *c, const ast_copy *cp, mice_buf *target,
                                uint32_t *n_cols, sql_error *err)
{
    if (cp->cols.n) {
        buf_reset(target);
        c->col_names = cp->cols.v;
        for (uint32_t i = 0; i < cp->cols.n; i++) {
            if (i) buf_append_str(target, ", ");
            append_ident(target, cp->cols.v[i]);
        }
        *n_cols = cp->cols.n;
        return MICE_OK;
    }
    mice_buf q;
    buf_init(&q);
    buf_printf(&q, "select * from %.*s limit 0", (int)target->n, (const char *)target->p);
    buf_append_u8(&q, 0);
    const char *text = arena_strdup(c->arena, (const char *)q.p);
    buf_deinit(&q);
    sql_parse_result p;
    mice_status rc = sql_parse(c->arena, text, strlen(text), &p, err);
    pgs_shape sh;
    if (rc == MICE_OK) rc = pgs__engine_describe(s, p.stmts[0].stmt, NULL, 0, c->arena, &sh, err);
    if (rc) return rc;
    buf_reset(target);
    c->col_names = ARENA_NEW_ARRAY(c->arena, const char *, sh.n_cols + 1);
    for (uint32_t i = 0; i < sh.n_cols; i++) {
        c->col_names[i] = sh.cols[i].name;
        if (i) buf_append_str(target, ", ");
        append_ident(target, sh.cols[i].name);
    }
    *n_cols = sh.n_cols;
    return MICE_OK;
}

static mice_status prepare_insert(pgs_session *s, pgs_copy *c, const ast_copy *cp, sql_error *err)
{
    const ast_range_var *rv = &cp->table->u.range_var;
    mice_buf table, cols, q;
    buf_init(&table);
    buf_init(&cols);
    buf_init(&q);
    if (rv->schema) {
        append_ident(&table, rv->schema);
        buf_append_u8(&table, '.');
    }
    append_ident(&table, rv->rel);
    buf_append_slice(&cols, buf_slice(&table));
    uint32_t n = 0;
    mice_status rc = copy_columns(s, c, cp, &cols, &n, err);
    if (rc == MICE_OK) {
        buf_printf(&q, "insert into %.*s (%.*s) values (", (int)table.n, (const char *)table.p,
                   (int)cols.n, (const char *)cols.p);
        for (uint32_t i = 0; i < n; i++) buf_printf(&q, "%s$%u", i ? ", " : "", i + 1);
        buf_append_str(&q, ")");
        const char *text = arena_strndup(c->arena, (const char *)q.p, q.n);
        sql_parse_result p;
        rc = sql_parse(c->arena, text, q.n, &p, err);
        pgs_shape sh;
        if (rc == MICE_OK) rc = pgs__engine_describe(s, p.stmts[0].stmt, NULL, 0, c->arena, &sh, err);
        if (rc == MICE_OK) c->prep = *sh.prepared;
    }
    buf_deinit(&table);
    buf_deinit(&cols);
    buf_deinit(&q);
    return rc;
}

void pgs__copy_free(pgs_session *s)
{
    pgs_copy *c = s->copy;
    if (!c) return;
    buf_deinit(&c->pending);
    buf_deinit(&c->field);
    arena_destroy(c->arena);
    free(c);
    s->copy = NULL;
}

mice_status pgs__copy_start(pgs_session *s, pgs_run *r, sql_error *err)
{
    const ast_copy *cp = &r->ast->u.copy;
    if (!cp->is_from || cp->filename || cp->is_program || !cp->table || cp->where)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "only COPY table FROM STDIN is supported");
    pgs_copy *c = calloc(1, sizeof *c);
    mice_assert(c != NULL);
    c->arena = arena_create(NULL, "copy", PGS_STMT_ARENA_BYTES);
    buf_init(&c->pending);
    buf_init(&c->field);
    s->copy = c;
    pgs__txn_for_query(s);
    txn_statement_begin(s->t);
    mice_status rc = copy_options(c, cp, err);
    if (rc == MICE_OK) rc = prepare_insert(s, c, cp, err);
    err->position = 0; /* a position in our generated statement means nothing to the client */
    if (rc == MICE_OK) {
        int16_t *formats = ARENA_NEW_ARRAY(c->arena, int16_t, c->prep.n_params + 1);
        rc = pgb_sink_copy_in(r->sink, 0, formats, c->prep.n_params);
    }
    if (rc) pgs__copy_free(s);
    return rc;
}

/* Decode one field of the text format into c->field; false for the NULL marker. */
static bool decode_field(pgs_copy *c, const char *p, size_t n)
{
    if (strlen(c->null_text) == n && !memcmp(p, c->null_text, n)) return false;
    buf_reset(&c->field);
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch != '\\' || i + 1 == n) {
            buf_append_u8(&c->field, (uint8_t)ch);
            continue;
        }
        ch = p[++i];
        switch (ch) {
        case 'b': ch = '\b'; break;
        case 'f': ch = '\f'; break;
        case 'n': ch = '\n'; break;
        case 'r': ch = '\r'; break;
        case 't': ch = '\t'; break;
        case 'v': ch = '\v'; break;
        default: break;
        }
        buf_append_u8(&c->field, (uint8_t)ch);
    }
    return true;
}

static mice_status insert_line(pgs_session *s, const char *line, size_t n, pgb_sink *sink,
                               sql_error *err)
{
    pgs_copy *c = s->copy;
    if (n == 2 && line[0] == '\\' && line[1] == '.') {
        c->ended = true;
        return MICE_OK;
    }
    uint32_t want = c->prep.n_params;
    mice_arena *a = arena_create(NULL, "copy row", PGS_STMT_ARENA_BYTES);
    sql_datum *vals = ARENA_NEW_ARRAY(a, sql_datum, want + 1);
    const sql_value_ctx *vctx = settings_value_ctx(s->set);
    uint32_t i = 0;
    mice_status rc = MICE_OK;
    for (size_t start = 0; rc == MICE_OK;) {
        size_t end = start;
        while (end < n && line[end] != c->delim) end++;
        if (i == want) {
            rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_BAD_COPY_FILE_FORMAT,
                            "extra data after last expected column");
            break;
        }
        sql_type t = c->prep.param_types[i];
        if (!decode_field(c, line + start, end - start))
            vals[i] = datum_null(t.id);
        else
            rc = value_from_text(t, buf_slice(&c->field), vctx, a, &vals[i], err);
        i++;
        if (end >= n) break;
        start = end + 1;
    }
    if (rc == MICE_OK && i < want)
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_BAD_COPY_FILE_FORMAT,
                        "missing data for column \"%s\"", c->col_names[i]);
    if (rc == MICE_OK) {
        pgs_run r = {.ast = c->prep.stmt, .prepared = &c->prep, .params = vals, .n_params = want,
                     .arena = a, .sink = sink};
        rc = pgs__engine_run(s, &r, err);
    }
    arena_destroy(a);
    err->position = 0;
    if (rc == MICE_OK) c->rows++;
    return rc;
}

/* Insert every complete line of pending (all of it when final). */
static mice_status drain_lines(pgs_session *s, bool final, pgb_sink *sink, sql_error *err)
{
    pgs_copy *c = s->copy;
    size_t start = 0;
    mice_status rc = MICE_OK;
    while (rc == MICE_OK && !c->ended && start < c->pending.n) {
        const uint8_t *nl = memchr(c->pending.p + start, '\n', c->pending.n - start);
        if (!nl && !final) break;
        size_t end = nl ? (size_t)(nl - c->pending.p) : c->pending.n;
        size_t len = end - start;
        if (len && c->pending.p[start + len - 1] == '\r') len--;
        rc = insert_line(s, (const char *)c->pending.p + start, len, sink, err);
        start = nl ? end + 1 : end;
    }
    size_t rest = c->pending.n - start;
    memmove(c->pending.p, c->pending.p + start, rest);
    buf_truncate(&c->pending, rest);
    return rc;
}

static mice_status copy_error(pgs_session *s, pgb_sink *sink, mice_status rc, sql_error *err)
{
    pgs__copy_free(s);
    pgs__statement_failed(s);
    pgs__drop_stale_portals(s);
    return pgs__answer_error(sink, rc, err);
}

mice_status pgs__copy_data(void *ctx, void *session, mice_slice data, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    if (!s->copy) return MICE_OK;
    buf_append_slice(&s->copy->pending, data);
    sql_error err;
    sqlerr_clear(&err);
    mice_status rc = drain_lines(s, false, sink, &err);
    return rc ? copy_error(s, sink, rc, &err) : MICE_OK;
}

mice_status pgs__copy_done(void *ctx, void *session, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    sql_error err;
    sqlerr_clear(&err);
    if (!s->copy) return MICE_OK;
    mice_status rc = drain_lines(s, true, sink, &err);
    if (rc) return copy_error(s, sink, rc, &err);
    char tag[PGS_TAG_MAX];
    snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)s->copy->rows);
    pgs__copy_free(s);
    if ((rc = pgs__end_implicit(s, true, &err)))
        return copy_error(s, sink, rc, &err);
    pgs__drop_stale_portals(s);
    rc = pgb_sink_command_complete(sink, tag);
    if (rc == MICE_OK) pgs__report_settings(s, sink);
    return rc;
}

mice_status pgs__copy_fail(void *ctx, void *session, const char *message, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    sql_error err;
    sqlerr_set(&err, MICE_ABORTED, SQLSTATE_QUERY_CANCELED, "COPY from stdin failed: %s", message);
    return copy_error(s, sink, MICE_ABORTED, &err);
}
