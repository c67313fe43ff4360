/*
 * pgsession_copy.c - COPY table [(cols)] FROM STDIN and COPY table|(query) TO STDOUT in
 * PostgreSQL's text and CSV formats.
 *
 * COPY FROM: the session owns the protocol half: it answers CopyInResponse, cuts the
 * client's CopyData bytes into records however the client split them (a CSV record may
 * hold newlines inside quotes), decodes each field (text: the delimiter, \N for NULL,
 * backslash escapes and the old "\." end marker; CSV: quotes, doubled quotes, the unquoted
 * empty string for NULL, HEADER) and parses it with value_io as the column's type, just as
 * PostgreSQL's COPY does. Rows are inserted BATCH at a time through one prepared
 * "INSERT INTO t (cols) VALUES ($1..$n), ..." (the rest one by one), in the session's
 * transaction (the block's, or an implicit one committed at CopyDone).
 *
 * COPY FROM STDIN (FORMAT binary), as pgx's CopyFrom and psycopg's binary copy send it:
 * PostgreSQL's header (signature, flags, extension area), then per row a 16-bit field
 * count and per field a 32-bit length (-1 for NULL) and the type's binary form, read with
 * value_recv; a field count of -1 is the trailer. Errors are PostgreSQL's 22P04 texts.
 *
 * COPY TO: the table's columns (or the query) run as a statement whose rows are written as
 * CopyData records in the same formats (text escapes, CSV quoting, HEADER), then "COPY n".
 *
 * Binary COPY TO, FORCE_QUOTE / FORCE_NOT_NULL / FORCE_NULL, files and programs are 0A000.
 */
#include <ctype.h>
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
#define SQLSTATE_SYNTAX_ERROR "42601"

enum {
    COPY_PARAMS_MAX = 1024, /* BIND_PARAMS_MAX: a batch INSERT has rows * columns of them */
    COPY_BATCH_ROWS_MAX = 256,
};

/* ---------------------------------------------------------------- options */

typedef struct copy_opts {
    bool csv, header, binary;
    char delim, quote, escape;
    const char *null_text;
} copy_opts;

static const char *opt_text(const ast_node *arg)
{
    if (!arg) return NULL;
    if (arg->kind == AST_CONST) return arg->u.konst.text;
    if (arg->kind == AST_TYPE_NAME && arg->u.type_name.names.n)
        return arg->u.type_name.names.v[arg->u.type_name.names.n - 1];
    if (arg->kind == AST_COLUMN_REF && arg->u.column_ref.names.n)
        return arg->u.column_ref.names.v[arg->u.column_ref.names.n - 1];
    return NULL;
}

static bool opt_bool(const ast_node *arg)
{
    if (!arg) return true;
    if (arg->kind == AST_CONST && arg->u.konst.ck == AST_CONST_BOOL) return arg->u.konst.bval;
    if (arg->kind == AST_CONST && arg->u.konst.ck == AST_CONST_INT) return arg->u.konst.ival != 0;
    const char *t = opt_text(arg);
    return !(t && (!strcasecmp(t, "false") || !strcasecmp(t, "off") || !strcmp(t, "0")));
}

static mice_status one_byte(const char *what, const char *v, char *out, sql_error *err)
{
    if (!v || strlen(v) != 1)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY %s must be a single one-byte character", what);
    *out = v[0];
    return MICE_OK;
}

static mice_status copy_options(const ast_copy *cp, mice_arena *a, copy_opts *o, sql_error *err)
{
    const char *delim = NULL, *quote = NULL, *escape = NULL, *null_text = NULL;
    bool header_given = false;
    *o = (copy_opts){0};
    for (uint32_t i = 0; i < cp->options.n; i++) {
        const ast_node *n = cp->options.items[i];
        if (n->kind != AST_DEF_ELEM) continue;
        const char *name = n->u.def_elem.name;
        const ast_node *arg = n->u.def_elem.arg;
        const char *val = opt_text(arg);
        if (!strcmp(name, "freeze")) continue;
        if (!strcmp(name, "format")) {
            if (val && !strcasecmp(val, "csv")) {
                o->csv = true;
            } else if (val && !strcasecmp(val, "binary")) {
                if (!cp->is_from)
                    return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                      "COPY TO in format \"binary\" is not supported yet");
                o->binary = true;
            } else if (!val || strcasecmp(val, "text")) {
                return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                                  "COPY format \"%s\" not recognized", val ? val : "");
            }
        } else if (!strcmp(name, "header")) {
            o->header = opt_bool(arg);
            header_given = true;
        } else if (!strcmp(name, "delimiter")) {
            delim = val;
        } else if (!strcmp(name, "null")) {
            null_text = val;
        } else if (!strcmp(name, "quote")) {
            quote = val;
        } else if (!strcmp(name, "escape")) {
            escape = val;
        } else if (!strcmp(name, "encoding")) {
            if (!val || (strcasecmp(val, "utf8") && strcasecmp(val, "utf-8")))
                return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                                  "COPY encoding \"%s\" is not supported", val ? val : "");
        } else if (!strncmp(name, "force_", 6)) {
            return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "COPY option \"%s\" is not supported yet", name);
        } else {
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR,
                              "option \"%s\" not recognized", name);
        }
    }
    if (o->binary) {
        const char *what = delim ? "DELIMITER" : null_text ? "NULL" : header_given ? "HEADER"
                                                                 : quote        ? "QUOTE"
                                                                 : escape       ? "ESCAPE"
                                                                                : NULL;
        if (what)
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR,
                              "cannot specify %s in BINARY mode", what);
    }
    mice_status rc = one_byte("delimiter", delim ? delim : o->csv ? "," : "\t", &o->delim, err);
    if (!rc && (quote || escape) && !o->csv)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY %s available only in CSV mode", quote ? "quote" : "escape");
    if (!rc) rc = one_byte("quote", quote ? quote : "\"", &o->quote, err);
    if (!rc) rc = one_byte("escape", escape ? escape : quote ? quote : "\"", &o->escape, err);
    if (!rc && o->csv && o->delim == o->quote)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "COPY delimiter and quote must be different");
    o->null_text = arena_strdup(a, null_text ? null_text : o->csv ? "" : "\\N");
    return rc ? rc : o->null_text ? MICE_OK : sqlerr_nomem(err);
}

static void append_ident(mice_buf *b, const char *id)
{
    buf_append_u8(b, '"');
    for (const char *p = id; *p; p++) {
        if (*p == '"') buf_append_u8(b, '"');
        buf_append_u8(b, (uint8_t)*p);
    }
    buf_append_u8(b, '"');
}

static void append_table(mice_buf *b, const ast_range_var *rv)
{
    if (rv->schema) {
        append_ident(b, rv->schema);
        buf_append_u8(b, '.');
    }
    append_ident(b, rv->rel);
}

/* Parse and describe one statement text of ours (its positions mean nothing to clients). */
static mice_status describe_text(pgs_session *s, mice_arena *a, const char *text, size_t n,
                                 pgs_shape *sh, sql_error *err)
{
    sql_parse_result p;
    mice_status rc = sql_parse(a, text, n, &p, err);
    if (rc == MICE_OK) rc = pgs__engine_describe(s, p.stmts[0].stmt, NULL, 0, a, sh, err);
    return rc;
}

/* ---------------------------------------------------------------- COPY FROM */

struct pgs_copy {
    mice_arena *arena; /* the prepared INSERTs and their texts */
    copy_opts o;
    mice_buf target; /* "t" (cols) */
    uint32_t n_cols;
    const char **col_names; /* for errors */
    sql_type *types;
    sql_prepared one, batch; /* one row; batch_rows rows */
    uint32_t batch_rows;
    mice_arena *rows; /* values of the buffered rows */
    sql_datum *vals;  /* batch_rows * n_cols */
    uint32_t n_buffered;
    mice_buf pending; /* bytes of an unfinished record */
    mice_buf field;   /* one decoded field */
    uint64_t count;
    bool ended;       /* "\." seen (binary: the trailer) */
    bool skip_header; /* HEADER: the first record is not data */
    bool bin_header;  /* binary: the file header has been read */
};

/* The column list: the statement's, or every visible column of the table. */
static mice_status copy_columns(pgs_session *s, pgs_copy *c, const ast_copy *cp, sql_error *err)
{
    mice_buf q;
    buf_init(&q);
    buf_append_str(&q, "select ");
    if (cp->cols.n) {
        for (uint32_t i = 0; i < cp->cols.n; i++) {
            if (i) buf_append_str(&q, ", ");
            append_ident(&q, cp->cols.v[i]);
        }
    } else {
        buf_append_u8(&q, '*');
    }
    buf_append_str(&q, " from ");
    append_table(&q, &cp->table->u.range_var);
    buf_append_str(&q, " limit 0");
    const char *text = arena_strndup(c->arena, (const char *)q.p, q.n);
    buf_deinit(&q);
    pgs_shape sh;
    mice_status rc = describe_text(s, c->arena, text, strlen(text), &sh, err);
    if (rc) return rc;
    c->n_cols = sh.n_cols;
    c->col_names = ARENA_NEW_ARRAY(c->arena, const char *, sh.n_cols + 1);
    for (uint32_t i = 0; i < sh.n_cols; i++)
        c->col_names[i] = sh.cols[i].name;
    append_table(&c->target, &cp->table->u.range_var);
    buf_append_str(&c->target, " (");
    for (uint32_t i = 0; i < sh.n_cols; i++) {
        if (i) buf_append_str(&c->target, ", ");
        append_ident(&c->target, sh.cols[i].name);
    }
    buf_append_u8(&c->target, ')');
    return MICE_OK;
}

/* Prepare "insert into t (cols) values (...) x rows". */
static mice_status prepare_insert(pgs_session *s, pgs_copy *c, uint32_t rows, sql_prepared *out,
                                  sql_error *err)
{
    mice_buf q;
    buf_init(&q);
    buf_printf(&q, "insert into %.*s values ", (int)c->target.n, (const char *)c->target.p);
    for (uint32_t r = 0, k = 1; r < rows; r++) {
        buf_append_str(&q, r ? ", (" : "(");
        for (uint32_t i = 0; i < c->n_cols; i++)
            buf_printf(&q, "%s$%u", i ? ", " : "", k++);
        buf_append_u8(&q, ')');
    }
    const char *text = arena_strndup(c->arena, (const char *)q.p, q.n);
    size_t n = q.n;
    buf_deinit(&q);
    pgs_shape sh;
    mice_status rc = describe_text(s, c->arena, text, n, &sh, err);
    if (rc == MICE_OK) *out = *sh.prepared;
    return rc;
}

void pgs__copy_free(pgs_session *s)
{
    pgs_copy *c = s->copy;
    if (!c) return;
    buf_deinit(&c->pending);
    buf_deinit(&c->field);
    buf_deinit(&c->target);
    arena_destroy(c->arena);
    free(c);
    s->copy = NULL;
}

static mice_status copy_in_start(pgs_session *s, pgs_run *r, const ast_copy *cp, sql_error *err)
{
    pgs_copy *c = calloc(1, sizeof *c);
    mice_assert(c != NULL);
    c->arena = arena_create(NULL, "copy", PGS_STMT_ARENA_BYTES);
    buf_init(&c->pending);
    buf_init(&c->field);
    buf_init(&c->target);
    s->copy = c;
    pgs__txn_for_query(s);
    txn_statement_begin(s->t);
    mice_status rc = copy_options(cp, c->arena, &c->o, err);
    if (rc == MICE_OK) rc = copy_columns(s, c, cp, err);
    if (rc == MICE_OK) rc = prepare_insert(s, c, 1, &c->one, err);
    if (rc == MICE_OK) {
        c->types = c->one.param_types;
        c->batch_rows = c->n_cols ? COPY_PARAMS_MAX / c->n_cols : 1;
        if (c->batch_rows > COPY_BATCH_ROWS_MAX) c->batch_rows = COPY_BATCH_ROWS_MAX;
        if (c->batch_rows > 1) rc = prepare_insert(s, c, c->batch_rows, &c->batch, err);
        c->rows = arena_create(c->arena, "copy rows", 0);
        c->vals = ARENA_NEW_ARRAY(c->arena, sql_datum, (size_t)c->batch_rows * c->n_cols + 1);
        if (!rc && (!c->rows || !c->vals)) rc = sqlerr_nomem(err);
    }
    c->skip_header = c->o.header;
    err->position = 0; /* a position in our generated statement means nothing to the client */
    if (rc == MICE_OK) {
        int16_t *formats = ARENA_NEW_ARRAY(c->arena, int16_t, c->n_cols + 1);
        for (uint32_t i = 0; i < c->n_cols; i++)
            formats[i] = c->o.binary ? 1 : 0;
        rc = pgb_sink_copy_in(r->sink, c->o.binary ? 1 : 0, formats, c->n_cols);
    }
    if (rc) pgs__copy_free(s);
    return rc;
}

/* Insert the buffered rows. */
static mice_status flush_rows(pgs_session *s, pgb_sink *sink, sql_error *err)
{
    pgs_copy *c = s->copy;
    mice_status rc = MICE_OK;
    uint32_t done = 0;
    mice_arena *a = arena_create(NULL, "copy batch", PGS_STMT_ARENA_BYTES);
    while (rc == MICE_OK && done < c->n_buffered) {
        bool full = c->n_buffered - done == c->batch_rows && c->batch_rows > 1;
        const sql_prepared *p = full ? &c->batch : &c->one;
        uint32_t rows = full ? c->batch_rows : 1;
        pgs_run run = {.ast = p->stmt,
                       .prepared = p,
                       .params = c->vals + (size_t)done * c->n_cols,
                       .n_params = rows * c->n_cols,
                       .arena = a,
                       .sink = sink};
        rc = pgs__engine_run(s, &run, err);
        done += rows;
    }
    arena_destroy(a);
    err->position = 0;
    if (rc == MICE_OK) c->count += c->n_buffered;
    c->n_buffered = 0;
    arena_reset(c->rows);
    return rc;
}

static int hex_digit(int ch)
{
    return isdigit(ch) ? ch - '0' : isxdigit(ch) ? (tolower(ch) - 'a' + 10) : -1;
}

/* Decode a text-format field into c->field (backslash escapes). */
static void text_field(pgs_copy *c, const char *p, size_t n)
{
    buf_reset(&c->field);
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch != '\\' || i + 1 == n) {
            buf_append_u8(&c->field, (uint8_t)ch);
            continue;
        }
        ch = p[++i];
        if (ch >= '0' && ch <= '7') { /* \ooo */
            int v = ch - '0';
            for (int k = 0; k < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7'; k++)
                v = v * 8 + (p[++i] - '0');
            buf_append_u8(&c->field, (uint8_t)v);
            continue;
        }
        if (ch == 'x' && i + 1 < n && hex_digit((unsigned char)p[i + 1]) >= 0) { /* \xhh */
            int v = hex_digit((unsigned char)p[++i]);
            if (i + 1 < n && hex_digit((unsigned char)p[i + 1]) >= 0)
                v = v * 16 + hex_digit((unsigned char)p[++i]);
            buf_append_u8(&c->field, (uint8_t)v);
            continue;
        }
        switch (ch) {
        case 'b':
            ch = '\b';
            break;
        case 'f':
            ch = '\f';
            break;
        case 'n':
            ch = '\n';
            break;
        case 'r':
            ch = '\r';
            break;
        case 't':
            ch = '\t';
            break;
        case 'v':
            ch = '\v';
            break;
        default:
            break;
        }
        buf_append_u8(&c->field, (uint8_t)ch);
    }
}

/* The next field of a record at *pos: its bytes decoded into c->field; *is_null. Returns
 * false at the end of the record. */
static bool next_field(pgs_copy *c, const char *line, size_t n, size_t *pos, bool *is_null,
                       bool *last)
{
    size_t i = *pos;
    if (i > n) return false;
    const copy_opts *o = &c->o;
    bool quoted = false;
    buf_reset(&c->field);
    size_t start = i;
    if (!o->csv) {
        while (i < n && line[i] != o->delim)
            i += line[i] == '\\' && i + 1 < n ? 2 : 1;
        size_t len = i - start;
        *is_null = strlen(o->null_text) == len && !memcmp(line + start, o->null_text, len);
        if (!*is_null) text_field(c, line + start, len);
    } else {
        while (i < n && line[i] != o->delim) {
            if (line[i] != o->quote) {
                buf_append_u8(&c->field, (uint8_t)line[i++]);
                continue;
            }
            quoted = true;
            for (i++; i < n;) {
                bool escaped = line[i] == o->escape && i + 1 < n &&
                               (line[i + 1] == o->quote || line[i + 1] == o->escape);
                if (escaped && (o->escape != o->quote || line[i + 1] == o->quote)) {
                    buf_append_u8(&c->field, (uint8_t)line[i + 1]);
                    i += 2;
                    continue;
                }
                if (line[i++] == o->quote) break; /* the closing quote */
                buf_append_u8(&c->field, (uint8_t)line[i - 1]);
            }
        }
        size_t len = i - start;
        *is_null =
            !quoted && strlen(o->null_text) == len && !memcmp(line + start, o->null_text, len);
    }
    *last = i >= n;
    *pos = i + 1;
    return true;
}

static mice_status insert_record(pgs_session *s, const char *line, size_t n, pgb_sink *sink,
                                 sql_error *err)
{
    pgs_copy *c = s->copy;
    if (n == 2 && line[0] == '\\' && line[1] == '.') {
        c->ended = true;
        return MICE_OK;
    }
    if (c->skip_header) {
        c->skip_header = false;
        return MICE_OK;
    }
    uint32_t want = c->n_cols, i = 0;
    sql_datum *vals = c->vals + (size_t)c->n_buffered * want;
    const sql_value_ctx *vctx = settings_value_ctx(s->set);
    mice_status rc = MICE_OK;
    size_t pos = 0;
    bool is_null, last = false;
    while (rc == MICE_OK && !last && next_field(c, line, n, &pos, &is_null, &last)) {
        if (i == want) {
            rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_BAD_COPY_FILE_FORMAT,
                            "extra data after last expected column");
            break;
        }
        sql_type t = c->types[i];
        if (is_null)
            vals[i] = datum_null(t.id);
        else
            rc = value_from_text(t, buf_slice(&c->field), vctx, c->rows, &vals[i], err);
        i++;
    }
    if (rc == MICE_OK && i < want && !(want == 0 && n == 0))
        rc = sqlerr_set(err, MICE_INVALID, SQLSTATE_BAD_COPY_FILE_FORMAT,
                        "missing data for column \"%s\"", c->col_names[i]);
    if (rc) return rc;
    if (++c->n_buffered == c->batch_rows) rc = flush_rows(s, sink, err);
    return rc;
}

/* Where the record starting at start ends (its newline), or NULL when it is incomplete.
 * CSV records may hold newlines inside quotes. */
static const uint8_t *record_end(const pgs_copy *c, const uint8_t *start, const uint8_t *end)
{
    if (!c->o.csv) return memchr(start, '\n', (size_t)(end - start));
    bool quoted = false;
    for (const uint8_t *p = start; p < end; p++) {
        if (*p == (uint8_t)c->o.quote)
            quoted = !quoted; /* an escaped (doubled) quote toggles twice */
        else if (quoted && c->o.escape != c->o.quote && *p == (uint8_t)c->o.escape && p + 1 < end)
            p++;
        else if (*p == '\n' && !quoted)
            return p;
    }
    return NULL;
}

static mice_status bad_copy(sql_error *err, const char *what)
{
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_BAD_COPY_FILE_FORMAT, "%s", what);
}

static const uint8_t copy_signature[11] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0};

/* The binary file header at the start of p: its length, 0 when incomplete. */
static mice_status binary_header(const uint8_t *p, size_t n, size_t *used, sql_error *err)
{
    *used = 0;
    if (n < sizeof copy_signature) return MICE_OK;
    if (memcmp(p, copy_signature, sizeof copy_signature))
        return bad_copy(err, "COPY file signature not recognized");
    if (n < sizeof copy_signature + 8) return MICE_OK;
    uint32_t flags = mice_load_be32(p + 11), ext = mice_load_be32(p + 15);
    if (flags & (1u << 16)) return bad_copy(err, "invalid COPY file header (WITH OIDS)");
    if (flags >> 17) return bad_copy(err, "unrecognized critical flags in COPY file header");
    if (ext > (uint32_t)INT32_MAX) return bad_copy(err, "invalid COPY file header (missing length)");
    if (n - 19 < ext) return MICE_OK;
    *used = 19 + ext;
    return MICE_OK;
}

/* One binary tuple at the start of p (n bytes): its values into the buffered row. *used is
 * 0 when the tuple is incomplete. */
static mice_status binary_tuple(pgs_session *s, const uint8_t *p, size_t n, size_t *used,
                                sql_error *err)
{
    pgs_copy *c = s->copy;
    *used = 0;
    if (n < 2) return MICE_OK;
    int16_t fields = (int16_t)mice_load_be16(p);
    if (fields == -1) {
        c->ended = true;
        *used = 2;
        return MICE_OK;
    }
    if (fields != (int16_t)c->n_cols)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_BAD_COPY_FILE_FORMAT,
                          "row field count is %d, expected %u", fields, (unsigned)c->n_cols);
    size_t pos = 2;
    for (uint32_t i = 0; i < c->n_cols; i++) { /* complete? */
        if (n - pos < 4) return MICE_OK;
        int32_t len = (int32_t)mice_load_be32(p + pos);
        pos += 4;
        if (len < -1) return bad_copy(err, "invalid field size");
        if (len > 0 && n - pos < (size_t)len) return MICE_OK;
        if (len > 0) pos += (size_t)len;
    }
    sql_datum *vals = c->vals + (size_t)c->n_buffered * c->n_cols;
    const sql_value_ctx *vctx = settings_value_ctx(s->set);
    pos = 2;
    for (uint32_t i = 0; i < c->n_cols; i++) {
        int32_t len = (int32_t)mice_load_be32(p + pos);
        pos += 4;
        if (len == -1) {
            vals[i] = datum_null(c->types[i].id);
            continue;
        }
        mice_status rc = value_recv(c->types[i], mice_slice_of(p + pos, (size_t)len), vctx,
                                    c->rows, &vals[i], err);
        if (rc) return rc;
        pos += (size_t)len;
    }
    *used = pos;
    c->n_buffered++;
    return MICE_OK;
}

/* Insert every complete binary tuple of pending; at the end (final) a partial one is
 * 22P04, a missing trailer is not (PostgreSQL stops at the end of the data too). */
static mice_status drain_binary(pgs_session *s, bool final, pgb_sink *sink, sql_error *err)
{
    pgs_copy *c = s->copy;
    size_t start = 0, used = 0;
    mice_status rc = MICE_OK;
    if (!c->bin_header) {
        rc = binary_header(c->pending.p, c->pending.n, &used, err);
        if (rc == MICE_OK && used) c->bin_header = true;
        start = used;
    }
    while (rc == MICE_OK && c->bin_header && !c->ended && start < c->pending.n) {
        rc = binary_tuple(s, c->pending.p + start, c->pending.n - start, &used, err);
        if (rc || !used) break;
        start += used;
        if (c->n_buffered == c->batch_rows) rc = flush_rows(s, sink, err);
    }
    if (rc == MICE_OK && final && !c->ended && start < c->pending.n)
        rc = bad_copy(err, c->bin_header ? "unexpected EOF in COPY data"
                                         : "COPY file signature not recognized");
    if (rc == MICE_OK && final && !c->bin_header && c->pending.n == 0)
        rc = bad_copy(err, "COPY file signature not recognized");
    size_t rest = c->pending.n - start;
    memmove(c->pending.p, c->pending.p + start, rest);
    buf_truncate(&c->pending, rest);
    if (rc == MICE_OK && final && c->n_buffered) rc = flush_rows(s, sink, err);
    return rc;
}

/* Insert every complete record of pending (all of it when final). */
static mice_status drain_records(pgs_session *s, bool final, pgb_sink *sink, sql_error *err)
{
    pgs_copy *c = s->copy;
    if (c->o.binary) return drain_binary(s, final, sink, err);
    size_t start = 0;
    mice_status rc = MICE_OK;
    while (rc == MICE_OK && !c->ended && start < c->pending.n) {
        const uint8_t *b = c->pending.p + start, *e = c->pending.p + c->pending.n;
        const uint8_t *nl = record_end(c, b, e);
        if (!nl && !final) break;
        size_t len = (size_t)((nl ? nl : e) - b);
        size_t take = len;
        if (take && b[take - 1] == '\r') take--;
        rc = insert_record(s, (const char *)b, take, sink, err);
        start += len + (nl ? 1 : 0);
    }
    size_t rest = c->pending.n - start;
    memmove(c->pending.p, c->pending.p + start, rest);
    buf_truncate(&c->pending, rest);
    if (rc == MICE_OK && final && c->n_buffered) rc = flush_rows(s, sink, err);
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
    mice_status rc = drain_records(s, false, sink, &err);
    return rc ? copy_error(s, sink, rc, &err) : MICE_OK;
}

mice_status pgs__copy_done(void *ctx, void *session, pgb_sink *sink)
{
    (void)ctx;
    pgs_session *s = session;
    sql_error err;
    sqlerr_clear(&err);
    if (!s->copy) return MICE_OK;
    mice_status rc = drain_records(s, true, sink, &err);
    if (rc) return copy_error(s, sink, rc, &err);
    char tag[PGS_TAG_MAX];
    snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)s->copy->count);
    pgs__copy_free(s);
    if ((rc = pgs__end_implicit(s, true, &err))) return copy_error(s, sink, rc, &err);
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

/* ---------------------------------------------------------------- COPY TO */

typedef struct copy_out {
    pgs_session *s;
    pgb_sink *sink;
    copy_opts o;
    mice_buf line, value;
    uint64_t count;
    sql_error *err;
} copy_out;

static void text_escape(const copy_opts *o, mice_slice v, mice_buf *out)
{
    for (size_t i = 0; i < v.n; i++) {
        uint8_t ch = v.p[i];
        const char *esc = NULL;
        switch (ch) {
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\v':
            esc = "\\v";
            break;
        default:
            break;
        }
        if (esc) {
            buf_append_str(out, esc);
        } else {
            if (ch == (uint8_t)o->delim) buf_append_u8(out, '\\');
            buf_append_u8(out, ch);
        }
    }
}

static void csv_field(const copy_opts *o, mice_slice v, mice_buf *out)
{
    bool quote = strlen(o->null_text) == v.n && !memcmp(v.p, o->null_text, v.n);
    for (size_t i = 0; i < v.n && !quote; i++)
        quote = v.p[i] == (uint8_t)o->delim || v.p[i] == (uint8_t)o->quote || v.p[i] == '\n' ||
                v.p[i] == '\r';
    if (!quote) {
        buf_append_slice(out, v);
        return;
    }
    buf_append_u8(out, (uint8_t)o->quote);
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == (uint8_t)o->quote || v.p[i] == (uint8_t)o->escape)
            buf_append_u8(out, (uint8_t)o->escape);
        buf_append_u8(out, v.p[i]);
    }
    buf_append_u8(out, (uint8_t)o->quote);
}

static void put_field(copy_out *co, uint32_t i, const uint8_t *p, size_t n, bool is_null)
{
    if (i) buf_append_u8(&co->line, (uint8_t)co->o.delim);
    if (is_null)
        buf_append_str(&co->line, co->o.null_text);
    else if (co->o.csv)
        csv_field(&co->o, mice_slice_of(p, n), &co->line);
    else
        text_escape(&co->o, mice_slice_of(p, n), &co->line);
}

static mice_status out_cols(void *ctx, const pgs_col *cols, uint32_t n)
{
    copy_out *co = ctx;
    int16_t formats[n + 1];
    memset(formats, 0, sizeof formats);
    mice_status rc = pgb_sink_copy_out(co->sink, 0, formats, n);
    if (rc || !co->o.header) return rc;
    buf_reset(&co->line);
    for (uint32_t i = 0; i < n; i++)
        put_field(co, i, (const uint8_t *)cols[i].name, strlen(cols[i].name), false);
    buf_append_u8(&co->line, '\n');
    return pgb_sink_copy_row(co->sink, buf_slice(&co->line));
}

static mice_status out_row(void *ctx, const sql_datum *row, uint32_t n)
{
    copy_out *co = ctx;
    const sql_value_ctx *vctx = settings_value_ctx(co->s->set);
    buf_reset(&co->line);
    for (uint32_t i = 0; i < n; i++) {
        buf_reset(&co->value);
        if (!row[i].is_null) {
            mice_status rc = value_to_text(&row[i], vctx, &co->value, co->err);
            if (rc) return rc;
        }
        put_field(co, i, co->value.p, co->value.n, row[i].is_null);
    }
    buf_append_u8(&co->line, '\n');
    co->count++;
    return pgb_sink_copy_row(co->sink, buf_slice(&co->line));
}

static mice_status copy_out_run(pgs_session *s, pgs_run *r, const ast_copy *cp, sql_error *err)
{
    copy_out co = {.s = s, .sink = r->sink, .err = err};
    mice_status rc = copy_options(cp, r->arena, &co.o, err);
    if (rc) return rc;
    const ast_node *stmt = cp->query;
    if (!stmt) {
        mice_buf q;
        buf_init(&q);
        buf_append_str(&q, "select ");
        for (uint32_t i = 0; i < cp->cols.n; i++) {
            if (i) buf_append_str(&q, ", ");
            append_ident(&q, cp->cols.v[i]);
        }
        if (!cp->cols.n) buf_append_u8(&q, '*');
        buf_append_str(&q, " from ");
        append_table(&q, &cp->table->u.range_var);
        char *text = arena_strndup(r->arena, (const char *)q.p, q.n);
        size_t n = q.n;
        buf_deinit(&q);
        sql_parse_result p;
        if ((rc = sql_parse(r->arena, text, n, &p, err))) return rc;
        stmt = p.stmts[0].stmt;
    }
    buf_init(&co.line);
    buf_init(&co.value);
    pgs__txn_for_query(s);
    pgs_run q = {.ast = stmt,
                 .sql = r->sql,
                 .sql_len = r->sql_len,
                 .arena = r->arena,
                 .cols_fn = out_cols,
                 .row_fn = out_row,
                 .ctx = &co,
                 .sink = r->sink};
    rc = pgs__engine_run(s, &q, err);
    if (!cp->query) err->position = 0;
    buf_deinit(&co.line);
    buf_deinit(&co.value);
    if (rc == MICE_OK) snprintf(r->tag, sizeof r->tag, "COPY %llu", (unsigned long long)co.count);
    return rc;
}

mice_status pgs__copy_start(pgs_session *s, pgs_run *r, sql_error *err)
{
    const ast_copy *cp = &r->ast->u.copy;
    if (cp->filename || cp->is_program)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY to or from a file or program is not supported; use STDIN/STDOUT "
                          "(psql's \\copy)");
    if (cp->where || (cp->is_from && !cp->table))
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "COPY FROM with WHERE is not supported yet");
    if (!cp->is_from) return copy_out_run(s, r, cp, err);
    return copy_in_start(s, r, cp, err);
}
