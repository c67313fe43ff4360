/* sqljson.c - json text validation and the JSON forms of values (see sqljson.h). */
#include "sql/sqljson.h"

#include <stdio.h>
#include <string.h>

#include "sql/array.h"
#include "sql/types.h"
#include "sql/value_io.h"

enum { JSON_DEPTH_MAX = 6400 }; /* deeper nesting is refused as PostgreSQL's stack limit would */

typedef struct lexer {
    const uint8_t *p, *end;
    int depth;
    char detail[160]; /* PostgreSQL's DETAIL for the first error */
} lexer;

static void skip_ws(lexer *x)
{
    while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\n' || *x->p == '\r'))
        x->p++;
}

static bool is_hex(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Fail with detail; a "%s" in it takes the token at tok (up to white space or a
 * delimiter), as PostgreSQL's json lexer reports it. */
static bool fail(lexer *x, const uint8_t *tok, const char *detail)
{
    if (!tok) {
        snprintf(x->detail, sizeof x->detail, "%s", detail);
        return false;
    }
    const uint8_t *e = tok + 1;
    while (e < x->end && !strchr(" \t\n\r,:[]{}\"", *e) && *e)
        e++;
    if (strchr(",:[]{}", *tok)) e = tok + 1;
    if (*tok == '"') { /* a string token: through its closing quote */
        for (e = tok + 1; e < x->end && *e != '"'; e++)
            if (*e == '\\' && e + 1 < x->end) e++;
        if (e < x->end) e++;
    }
    int n = (int)(e - tok) > 60 ? 60 : (int)(e - tok);
    char token[64];
    snprintf(token, sizeof token, "%.*s", n, (const char *)tok);
    snprintf(x->detail, sizeof x->detail, detail, token);
    return false;
}

static bool lex_string(lexer *x)
{
    x->p++;
    while (x->p < x->end) {
        uint8_t c = *x->p;
        if (c == '"') {
            x->p++;
            return true;
        }
        if (c < 0x20) {
            snprintf(x->detail, sizeof x->detail, "Character with value 0x%02x must be escaped.", c);
            return false;
        }
        if (c == '\\') {
            if (x->p + 1 >= x->end) break;
            uint8_t e = x->p[1];
            if (e == 'u') {
                for (int i = 2; i < 6; i++)
                    if (x->p + i >= x->end || !is_hex(x->p[i]))
                        return fail(x, NULL, "\"\\u\" must be followed by four hexadecimal digits.");
                x->p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || !e) {
                snprintf(x->detail, sizeof x->detail, "Escape sequence \"\\%c\" is invalid.", e);
                return false;
            }
            x->p += 2;
            continue;
        }
        x->p++;
    }
    return fail(x, NULL, "The input string ended unexpectedly.");
}

static bool lex_number(lexer *x)
{
    const uint8_t *start = x->p;
    if (*x->p == '-') x->p++;
    if (x->p >= x->end) return fail(x, start, "Token \"%s\" is invalid.");
    if (*x->p == '0') {
        x->p++;
        if (x->p < x->end && *x->p >= '0' && *x->p <= '9') { /* "01": one invalid token */
            while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
                x->p++;
            return fail(x, start, "Token \"%s\" is invalid.");
        }
    } else if (*x->p >= '1' && *x->p <= '9') {
        while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
            x->p++;
    } else {
        return fail(x, start, "Token \"%s\" is invalid.");
    }
    if (x->p < x->end && *x->p == '.') {
        x->p++;
        if (x->p >= x->end || *x->p < '0' || *x->p > '9') return fail(x, start, "Token \"%s\" is invalid.");
        while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
            x->p++;
    }
    if (x->p < x->end && (*x->p == 'e' || *x->p == 'E')) {
        x->p++;
        if (x->p < x->end && (*x->p == '+' || *x->p == '-')) x->p++;
        if (x->p >= x->end || *x->p < '0' || *x->p > '9') return fail(x, start, "Token \"%s\" is invalid.");
        while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
            x->p++;
    }
    /* a number runs into letters or digits: one invalid token, as PostgreSQL lexes it */
    if (x->p < x->end && (((*x->p | 0x20) >= 'a' && (*x->p | 0x20) <= 'z') || *x->p >= 0x80))
        return fail(x, start, "Token \"%s\" is invalid.");
    return true;
}

static bool lex_word(lexer *x)
{
    const uint8_t *start = x->p;
    while (x->p < x->end && (((*x->p | 0x20) >= 'a' && (*x->p | 0x20) <= 'z') ||
                             (*x->p >= '0' && *x->p <= '9') || *x->p >= 0x80 || *x->p == '_'))
        x->p++;
    size_t n = (size_t)(x->p - start);
    if ((n == 4 && !memcmp(start, "true", 4)) || (n == 5 && !memcmp(start, "false", 5)) ||
        (n == 4 && !memcmp(start, "null", 4)))
        return true;
    if (n == 0) x->p++;
    return fail(x, start, "Token \"%s\" is invalid.");
}

static bool parse_value(lexer *x);

static bool parse_container(lexer *x, uint8_t close)
{
    if (++x->depth > JSON_DEPTH_MAX) return fail(x, NULL, "JSON nested too deep.");
    x->p++;
    skip_ws(x);
    if (x->p < x->end && *x->p == close) {
        x->p++;
        x->depth--;
        return true;
    }
    for (bool first = true;; first = false) {
        skip_ws(x);
        if (close == '}') {
            if (x->p >= x->end) return fail(x, NULL, "The input string ended unexpectedly.");
            if (*x->p != '"')
                return fail(x, x->p, first ? "Expected string or \"}\", but found \"%s\"."
                                           : "Expected string, but found \"%s\".");
            if (!lex_string(x)) return false;
            skip_ws(x);
            if (x->p >= x->end) return fail(x, NULL, "The input string ended unexpectedly.");
            if (*x->p != ':') return fail(x, x->p, "Expected \":\", but found \"%s\".");
            x->p++;
        }
        if (!parse_value(x)) return false;
        skip_ws(x);
        if (x->p >= x->end) return fail(x, NULL, "The input string ended unexpectedly.");
        if (*x->p == ',') {
            x->p++;
            continue;
        }
        if (*x->p == close) {
            x->p++;
            x->depth--;
            return true;
        }
        return fail(x, x->p, close == '}' ? "Expected \",\" or \"}\", but found \"%s\"."
                                          : "Expected \",\" or \"]\", but found \"%s\".");
    }
}

static bool parse_value(lexer *x)
{
    skip_ws(x);
    if (x->p >= x->end) return fail(x, NULL, "The input string ended unexpectedly.");
    switch (*x->p) {
    case '{': return parse_container(x, '}');
    case '[': return parse_container(x, ']');
    case '"': return lex_string(x);
    case '-': case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
    case '8': case '9':
        return lex_number(x);
    case ']': case '}': case ',': case ':':
        return fail(x, x->p, "Expected JSON value, but found \"%s\".");
    default: return lex_word(x);
    }
}

mice_status sqljson_validate(mice_slice text, sql_error *err)
{
    mice_status rc = value_check_utf8(text, err);
    if (rc) return rc;
    lexer x = {.p = text.p, .end = text.p + text.n};
    bool ok = parse_value(&x);
    if (ok) {
        skip_ws(&x);
        if (x.p < x.end) ok = fail(&x, x.p, "Expected end of input, but found \"%s\".");
    }
    if (ok) return MICE_OK;
    sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_TEXT_REPRESENTATION,
               "invalid input syntax for type json");
    sqlerr_detail(err, "%s", x.detail);
    return MICE_INVALID;
}

void sqljson_append_string(mice_buf *out, mice_slice s)
{
    buf_append_u8(out, '"');
    for (size_t i = 0; i < s.n; i++) {
        uint8_t c = s.p[i];
        switch (c) {
        case '"': buf_append_str(out, "\\\""); break;
        case '\\': buf_append_str(out, "\\\\"); break;
        case '\b': buf_append_str(out, "\\b"); break;
        case '\f': buf_append_str(out, "\\f"); break;
        case '\n': buf_append_str(out, "\\n"); break;
        case '\r': buf_append_str(out, "\\r"); break;
        case '\t': buf_append_str(out, "\\t"); break;
        default:
            if (c < 0x20)
                buf_printf(out, "\\u%04x", c);
            else
                buf_append_u8(out, c);
        }
    }
    buf_append_u8(out, '"');
}

/* A timestamp in ISO 8601 as JSON wants it: "T" between date and time, a zone offset as
 * +hh:mm. */
static void append_datetime(mice_buf *out, mice_slice t)
{
    mice_buf b;
    buf_init(&b);
    bool zone = false;
    for (size_t i = 0; i < t.n; i++) {
        uint8_t c = t.p[i];
        if (c == ' ' && !zone && i == 10) {
            buf_append_u8(&b, 'T');
            continue;
        }
        buf_append_u8(&b, c);
        /* a zone: + or - after the time of day (not the date's hyphens) */
        if ((c == '+' || c == '-') && i > 11) {
            size_t j = i + 1, digits = 0;
            while (j < t.n && t.p[j] >= '0' && t.p[j] <= '9' && digits < 2)
                buf_append_u8(&b, t.p[j++]), digits++;
            if (j >= t.n || t.p[j] != ':') buf_append_str(&b, ":00");
            i = j - 1;
            zone = true;
        }
    }
    sqljson_append_string(out, buf_slice(&b));
    buf_deinit(&b);
}

mice_status sqljson_append_datum(mice_buf *out, const sql_datum *d, const sql_value_ctx *ctx,
                                 sql_error *err)
{
    if (d->is_null) {
        buf_append_str(out, "null");
        return MICE_OK;
    }
    if (d->type == SQL_TYPE_BOOL) {
        buf_append_str(out, d->v.b ? "true" : "false");
        return MICE_OK;
    }
    if (d->type == SQL_TYPE_JSON) {
        buf_append_slice(out, d->v.s);
        return MICE_OK;
    }
    if (array_type_is(d->type) && d->type != SQL_TYPE_INT2VECTOR && d->type != SQL_TYPE_OIDVECTOR) {
        mice_arena *scratch = arena_create(NULL, "json array", 0);
        if (!scratch) return sqlerr_nomem(err);
        array_iter it;
        sql_datum e;
        array_iter_init(&it, d);
        buf_append_u8(out, '[');
        mice_status rc = MICE_OK;
        for (bool first = true; !rc && array_iter_next(&it, scratch, &e); first = false) {
            if (!first) buf_append_u8(out, ',');
            rc = sqljson_append_datum(out, &e, ctx, err);
        }
        buf_append_u8(out, ']');
        arena_destroy(scratch);
        return rc;
    }
    mice_buf t;
    buf_init(&t);
    mice_status rc = value_to_text(d, ctx, &t, err);
    if (rc) {
        buf_deinit(&t);
        return rc;
    }
    mice_slice s = buf_slice(&t);
    if (sql_type_is_numeric_family(d->type) && !sql_type_is_reg(d->type) && d->type != SQL_TYPE_OID &&
        s.n && ((s.p[0] >= '0' && s.p[0] <= '9') || (s.p[0] == '-' && s.n > 1 && s.p[1] != 'I')))
        buf_append_slice(out, s);
    else if (d->type == SQL_TYPE_TIMESTAMP || d->type == SQL_TYPE_TIMESTAMPTZ)
        append_datetime(out, s);
    else
        sqljson_append_string(out, s);
    buf_deinit(&t);
    return MICE_OK;
}
