/* func_string.c - string and bytea functions, LIKE, and || (PostgreSQL 15 semantics).
 * Case mapping (lower, upper, initcap, ILIKE) is ASCII-only, as PostgreSQL under
 * collation "C": other UTF-8 characters pass through unchanged. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sql/func_int.h"
#include "sql/value_io.h"

enum { STRING_BYTES_MAX = (1 << 30) - 1 }; /* PostgreSQL's MaxAllocSize for one value */

/* ---- UTF-8 ---- */

/* Bytes of the character starting at p (pg_utf_mblen), clamped to what is left. */
static size_t u8len(const uint8_t *p, size_t left)
{
    size_t n = (*p & 0x80) == 0      ? 1
               : (*p & 0xe0) == 0xc0 ? 2
               : (*p & 0xf0) == 0xe0 ? 3
               : (*p & 0xf8) == 0xf0 ? 4
                                     : 1;
    return n > left ? left : n;
}

/* Byte offset after skipping nchars characters (or the end). */
static size_t u8skip(mice_slice s, int64_t nchars)
{
    size_t off = 0;
    while (nchars-- > 0 && off < s.n)
        off += u8len(s.p + off, s.n - off);
    return off;
}

static int64_t u8count(mice_slice s)
{
    return (int64_t)sql_utf8_char_count(s);
}

static mice_status too_large(sql_error *err)
{
    return sqlerr_set(err, MICE_LIMIT, SQLSTATE_PROGRAM_LIMIT_EXCEEDED,
                      "requested length too large");
}

/* ---- lengths ---- */

static mice_status f_char_length(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = datum_int4((int32_t)u8count(a[0].v.s));
    return MICE_OK;
}

/* length(character(n)): the trailing spaces are padding and do not count, as in PostgreSQL */
static mice_status f_bpchar_length(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                   sql_error *e)
{
    (void)n, (void)c, (void)e;
    mice_slice s = a[0].v.s;
    while (s.n > 0 && s.p[s.n - 1] == ' ')
        s.n--;
    *o = datum_int4((int32_t)u8count(s));
    return MICE_OK;
}

static mice_status f_octet_length(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = datum_int4((int32_t)a[0].v.s.n);
    return MICE_OK;
}

static mice_status f_bit_length(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = datum_int4((int32_t)(a[0].v.s.n * 8));
    return MICE_OK;
}

/* ---- case ---- */

static mice_status map_case(const sql_datum *a, func_ctx *c, int mode, sql_datum *o, sql_error *e)
{
    mice_slice s = a[0].v.s;
    uint8_t *p = arena_alloc(c->arena, s.n ? s.n : 1);
    if (!p) return sqlerr_nomem(e);
    bool was_alnum = false;
    for (size_t i = 0; i < s.n; i++) {
        uint8_t ch = s.p[i];
        bool up = mode == 1 || (mode == 2 && !was_alnum);
        if (ch < 0x80)
            p[i] = (uint8_t)(up ? toupper(ch) : tolower(ch));
        else
            p[i] = ch;
        was_alnum = ch < 0x80 && isalnum(ch);
    }
    *o = datum_text(mice_slice_of(p, s.n));
    return MICE_OK;
}

static mice_status f_lower(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    return map_case(a, c, 0, o, e);
}

static mice_status f_upper(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    return map_case(a, c, 1, o, e);
}

static mice_status f_initcap(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    return map_case(a, c, 2, o, e);
}

/* ---- substrings ---- */

/* text_substring: characters [start, start + len) with 1-based start; len < 0 is "to the
 * end" when has_len is false. */
static mice_status substring_chars(mice_slice s, int64_t start, int64_t len, bool has_len,
                                   bool bytes, mice_slice *out, sql_error *e)
{
    if (has_len && len < 0)
        return sqlerr_set(e, MICE_INVALID, "22011", "negative substring length not allowed");
    int64_t s1 = start < 1 ? 1 : start;
    int64_t end = has_len ? start + len : INT64_MAX;
    if (end <= s1) {
        *out = mice_slice_of(s.p, 0);
        return MICE_OK;
    }
    size_t b0 = bytes ? (size_t)(s1 - 1 < (int64_t)s.n ? s1 - 1 : (int64_t)s.n) : u8skip(s, s1 - 1);
    mice_slice rest = mice_slice_of(s.p + b0, s.n - b0);
    int64_t l1 = end - s1;
    size_t b1 = bytes ? (size_t)(l1 < (int64_t)rest.n ? l1 : (int64_t)rest.n) : u8skip(rest, l1);
    *out = mice_slice_of(rest.p, b1);
    return MICE_OK;
}

static mice_status f_substr(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)c;
    mice_slice r = {0};
    bool bytes = a[0].type == SQL_TYPE_BYTEA;
    mice_status rc = substring_chars(a[0].v.s, a[1].v.i, n > 2 ? a[2].v.i : 0, n > 2, bytes, &r, e);
    if (rc) return rc;
    *o = datum_bytes(a[0].type, r);
    return MICE_OK;
}

static int64_t find_bytes(mice_slice hay, mice_slice needle, size_t from)
{
    if (needle.n == 0) return (int64_t)from;
    for (size_t i = from; i + needle.n <= hay.n; i++)
        if (memcmp(hay.p + i, needle.p, needle.n) == 0) return (int64_t)i;
    return -1;
}

static mice_status f_strpos(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    int64_t at = find_bytes(a[0].v.s, a[1].v.s, 0);
    *o = datum_int4(at < 0 ? 0 : (int32_t)u8count(mice_slice_of(a[0].v.s.p, (size_t)at)) + 1);
    return MICE_OK;
}

static mice_status f_left(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    mice_slice s = a[0].v.s;
    int64_t k = a[1].v.i;
    if (k < 0) k = u8count(s) + k;
    *o = datum_text(mice_slice_of(s.p, u8skip(s, k)));
    return MICE_OK;
}

static mice_status f_right(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    mice_slice s = a[0].v.s;
    int64_t k = a[1].v.i, len = u8count(s);
    int64_t skip = k < 0 ? -k : len - k;
    size_t off = u8skip(s, skip < 0 ? 0 : skip);
    *o = datum_text(mice_slice_of(s.p + off, s.n - off));
    return MICE_OK;
}

static mice_status pad(const sql_datum *a, int n, func_ctx *c, bool left, sql_datum *o,
                       sql_error *e)
{
    mice_slice s = a[0].v.s, fill = n > 2 ? a[2].v.s : MICE_SLICE_LIT(" ");
    int64_t want = a[1].v.i < 0 ? 0 : a[1].v.i, have = u8count(s);
    if (have >= want || fill.n == 0) {
        *o = datum_text(mice_slice_of(s.p, u8skip(s, want)));
        return MICE_OK;
    }
    if (want * 4 > STRING_BYTES_MAX) return too_large(e);
    mice_buf b;
    buf_init(&b);
    if (!left) buf_append_slice(&b, s);
    size_t off = 0;
    for (int64_t i = have; i < want; i++) {
        size_t l = u8len(fill.p + off, fill.n - off);
        buf_append(&b, fill.p + off, l);
        off += l;
        if (off >= fill.n) off = 0;
    }
    if (left) buf_append_slice(&b, s);
    return func__text_from_buf(c, &b, o, e);
}

static mice_status f_lpad(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    return pad(a, n, c, true, o, e);
}

static mice_status f_rpad(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    return pad(a, n, c, false, o, e);
}

/* Whether the character at p (len l) is one of the characters of set. */
static bool in_set(const uint8_t *p, size_t l, mice_slice set)
{
    for (size_t off = 0; off < set.n;) {
        size_t sl = u8len(set.p + off, set.n - off);
        if (sl == l && memcmp(set.p + off, p, l) == 0) return true;
        off += sl;
    }
    return false;
}

static mice_status trim(const sql_datum *a, int n, bool lead, bool trail, sql_datum *o)
{
    mice_slice s = a[0].v.s, set = n > 1 ? a[1].v.s : MICE_SLICE_LIT(" ");
    size_t b = 0, end = s.n;
    if (lead) {
        while (b < s.n) {
            size_t l = u8len(s.p + b, s.n - b);
            if (!in_set(s.p + b, l, set)) break;
            b += l;
        }
    }
    if (trail) {
        /* walk forward remembering where the trailing run of set characters starts */
        size_t run = s.n;
        bool in_run = false;
        for (size_t off = b; off < s.n;) {
            size_t l = u8len(s.p + off, s.n - off);
            bool hit = in_set(s.p + off, l, set);
            if (hit && !in_run) run = off;
            in_run = hit;
            off += l;
        }
        end = in_run ? run : s.n;
    }
    *o = datum_text(mice_slice_of(s.p + b, end - b));
    return MICE_OK;
}

static mice_status f_btrim(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)c, (void)e;
    return trim(a, n, true, true, o);
}

static mice_status f_ltrim(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)c, (void)e;
    return trim(a, n, true, false, o);
}

static mice_status f_rtrim(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)c, (void)e;
    return trim(a, n, false, true, o);
}

static mice_status f_replace(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_slice s = a[0].v.s, from = a[1].v.s, to = a[2].v.s;
    if (from.n == 0 || s.n == 0) {
        *o = datum_text(s);
        return MICE_OK;
    }
    mice_buf b;
    buf_init(&b);
    size_t pos = 0;
    for (int64_t at; (at = find_bytes(s, from, pos)) >= 0; pos = (size_t)at + from.n) {
        buf_append(&b, s.p + pos, (size_t)at - pos);
        buf_append_slice(&b, to);
        if (b.n > STRING_BYTES_MAX) {
            buf_deinit(&b);
            return too_large(e);
        }
    }
    buf_append(&b, s.p + pos, s.n - pos);
    return func__text_from_buf(c, &b, o, e);
}

static mice_status f_repeat(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_slice s = a[0].v.s;
    int64_t k = a[1].v.i < 0 ? 0 : a[1].v.i;
    if ((int64_t)s.n * k > STRING_BYTES_MAX) return too_large(e);
    uint8_t *p = arena_alloc(c->arena, (size_t)k * s.n + 1);
    if (!p) return sqlerr_nomem(e);
    for (int64_t i = 0; i < k; i++)
        memcpy(p + (size_t)i * s.n, s.p, s.n);
    *o = datum_text(mice_slice_of(p, (size_t)k * s.n));
    return MICE_OK;
}

static mice_status f_reverse(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_slice s = a[0].v.s;
    uint8_t *p = arena_alloc(c->arena, s.n + 1);
    if (!p) return sqlerr_nomem(e);
    for (size_t off = 0; off < s.n;) {
        size_t l = u8len(s.p + off, s.n - off);
        memcpy(p + s.n - off - l, s.p + off, l);
        off += l;
    }
    *o = datum_text(mice_slice_of(p, s.n));
    return MICE_OK;
}

/* ---- concat, format ---- */

/* The output-function text of any non-NULL value. */
static mice_status append_value(const sql_datum *d, func_ctx *c, mice_buf *b, sql_error *e)
{
    if (sql_type_is_string(d->type)) {
        buf_append_slice(b, d->v.s);
        return MICE_OK;
    }
    return value_to_text(d, c->vctx, b, e);
}

static mice_status concat_ws(const sql_datum *a, int n, mice_slice sep, func_ctx *c, sql_datum *o,
                             sql_error *e)
{
    mice_buf b;
    buf_init(&b);
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (a[i].is_null) continue;
        if (!first) buf_append_slice(&b, sep);
        first = false;
        mice_status rc = append_value(&a[i], c, &b, e);
        if (rc) {
            buf_deinit(&b);
            return rc;
        }
    }
    return func__text_from_buf(c, &b, o, e);
}

static mice_status f_concat(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    return concat_ws(a, n, mice_slice_of("", 0), c, o, e);
}

static mice_status f_concat_ws(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    if (a[0].is_null) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    return concat_ws(a + 1, n - 1, a[0].v.s, c, o, e);
}

static mice_status f_textcat(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    return concat_ws(a, n, mice_slice_of("", 0), c, o, e);
}

/* PostgreSQL's reserved, column-name and type/function-name keywords: quote_ident() quotes
 * them (pg_get_keywords() where catcode <> 'U'). */
// clang-format off
static const char *const quoted_keywords[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column",
    "concurrently", "constraint", "create", "cross", "current_catalog", "current_date",
    "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
    "dec", "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end",
    "except", "exists", "extract", "false", "fetch", "float", "for", "foreign", "freeze",
    "from", "full", "grant", "greatest", "group", "grouping", "having", "ilike", "in",
    "initially", "inner", "inout", "int", "integer", "intersect", "interval", "into", "is",
    "isnull", "join", "lateral", "leading", "least", "left", "like", "limit", "localtime",
    "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not", "notnull",
    "null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer",
    "overlaps", "overlay", "placing", "position", "precision", "primary", "real",
    "references", "returning", "right", "row", "select", "session_user", "setof", "similar",
    "smallint", "some", "substring", "symmetric", "table", "tablesample", "then", "time",
    "timestamp", "to", "trailing", "treat", "trim", "true", "union", "unique", "user",
    "using", "values", "varchar", "variadic", "verbose", "when", "where", "window", "with",
    "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces",
    "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
};
// clang-format on

static bool is_unreserved_ident(mice_slice s)
{
    if (s.n == 0 || !((s.p[0] >= 'a' && s.p[0] <= 'z') || s.p[0] == '_')) return false;
    for (size_t i = 0; i < s.n; i++) {
        uint8_t ch = s.p[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
    }
    for (size_t i = 0; i < sizeof quoted_keywords / sizeof quoted_keywords[0]; i++)
        if (strlen(quoted_keywords[i]) == s.n && memcmp(quoted_keywords[i], s.p, s.n) == 0)
            return false;
    return true;
}

static void append_ident(mice_buf *b, mice_slice s)
{
    if (is_unreserved_ident(s)) {
        buf_append_slice(b, s);
        return;
    }
    buf_append_u8(b, '"');
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '"') buf_append_u8(b, '"');
        buf_append_u8(b, s.p[i]);
    }
    buf_append_u8(b, '"');
}

static void append_literal(mice_buf *b, mice_slice s)
{
    if (memchr(s.p, '\\', s.n)) buf_append_u8(b, 'E');
    buf_append_u8(b, '\'');
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] == '\'' || s.p[i] == '\\') buf_append_u8(b, s.p[i]);
        buf_append_u8(b, s.p[i]);
    }
    buf_append_u8(b, '\'');
}

static mice_status f_quote_ident(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_buf b;
    buf_init(&b);
    append_ident(&b, a[0].v.s);
    return func__text_from_buf(c, &b, o, e);
}

static mice_status quote_lit(const sql_datum *a, func_ctx *c, sql_datum *o, sql_error *e)
{
    mice_buf v, b;
    buf_init(&v);
    buf_init(&b);
    mice_status rc = append_value(&a[0], c, &v, e);
    if (!rc) {
        append_literal(&b, buf_slice(&v));
        rc = func__text_out(c, b.p, b.n, o, e);
    }
    buf_deinit(&v);
    buf_deinit(&b);
    return rc;
}

static mice_status f_quote_literal(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                   sql_error *e)
{
    (void)n;
    return quote_lit(a, c, o, e);
}

static mice_status f_quote_nullable(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                    sql_error *e)
{
    (void)n;
    if (a[0].is_null) return func__text_out(c, "NULL", 4, o, e);
    return quote_lit(a, c, o, e);
}

/* ---- format() ---- */

/* Reads digits at *p; 0 when none. -1 for overflow. */
static int64_t read_num(const uint8_t **p, const uint8_t *end, bool *any)
{
    int64_t v = 0;
    *any = false;
    while (*p < end && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        if (v > INT_MAX) return -1;
        (*p)++;
        *any = true;
    }
    return v;
}

typedef struct fmt_spec {
    int64_t argpos; /* 1-based into the value args; 0 = next */
    int64_t width;
    bool left;
    uint8_t type;
} fmt_spec;

static mice_status parse_spec(const uint8_t **pp, const uint8_t *end, fmt_spec *sp, sql_error *e)
{
    const uint8_t *p = *pp;
    bool any;
    memset(sp, 0, sizeof *sp);
    const char *unterminated = "unterminated format() type specifier";
    const uint8_t *mark = p;
    int64_t n = read_num(&p, end, &any);
    if (n < 0)
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "number is out of range");
    if (any && p < end && *p == '$') {
        if (n == 0)
            return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "format specifies argument 0, but arguments are numbered from 1");
        sp->argpos = n;
        p++;
    } else {
        p = mark;
    }
    while (p < end && *p == '-')
        sp->left = true, p++;
    sp->width = read_num(&p, end, &any);
    if (sp->width < 0)
        return sqlerr_set(e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE,
                          "number is out of range");
    if (p >= end) {
        sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE, "%s", unterminated);
        sqlerr_hint(e, "For a single \"%%\" use \"%%%%\".");
        return MICE_INVALID;
    }
    sp->type = *p++;
    if (sp->type != 's' && sp->type != 'I' && sp->type != 'L') {
        int l = (int)u8len(p - 1, (size_t)(end - p + 1));
        sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                   "unrecognized format() type specifier \"%.*s\"", l, (const char *)(p - 1));
        sqlerr_hint(e, "For a single \"%%\" use \"%%%%\".");
        return MICE_INVALID;
    }
    *pp = p;
    return MICE_OK;
}

static mice_status format_one(const fmt_spec *sp, const sql_datum *v, func_ctx *c, mice_buf *b,
                              sql_error *e)
{
    mice_buf t;
    buf_init(&t);
    mice_status rc = MICE_OK;
    if (v->is_null) {
        if (sp->type == 'I')
            rc = sqlerr_set(e, MICE_INVALID, "22004",
                            "null values cannot be formatted as an SQL identifier");
        else if (sp->type == 'L')
            buf_append_str(&t, "NULL");
    } else {
        mice_buf raw;
        buf_init(&raw);
        rc = append_value(v, c, &raw, e);
        if (!rc && sp->type == 's') buf_append_slice(&t, buf_slice(&raw));
        if (!rc && sp->type == 'I') append_ident(&t, buf_slice(&raw));
        if (!rc && sp->type == 'L') append_literal(&t, buf_slice(&raw));
        buf_deinit(&raw);
    }
    if (!rc && sp->width > STRING_BYTES_MAX) rc = too_large(e);
    int64_t chars = u8count(buf_slice(&t));
    if (!rc && sp->left) buf_append_slice(b, buf_slice(&t));
    for (int64_t i = chars; !rc && i < sp->width; i++)
        buf_append_u8(b, ' ');
    if (!rc && !sp->left) buf_append_slice(b, buf_slice(&t));
    buf_deinit(&t);
    return rc;
}

static mice_status f_format(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    if (a[0].is_null) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    const uint8_t *p = a[0].v.s.p, *end = p + a[0].v.s.n;
    int64_t next = 1;
    mice_buf b;
    buf_init(&b);
    mice_status rc = MICE_OK;
    while (!rc && p < end) {
        if (*p != '%') {
            buf_append_u8(&b, *p++);
            continue;
        }
        p++;
        if (p < end && *p == '%') {
            buf_append_u8(&b, *p++);
            continue;
        }
        fmt_spec sp;
        rc = parse_spec(&p, end, &sp, e);
        if (rc) break;
        int64_t arg = sp.argpos ? sp.argpos : next;
        next = arg + 1;
        if (arg >= n) {
            rc = sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                            "too few arguments for format()");
            break;
        }
        rc = format_one(&sp, &a[arg], c, &b, e);
    }
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return func__text_from_buf(c, &b, o, e);
}

/* ---- split_part, translate, ascii, chr, to_hex, starts_with ---- */

static mice_status f_split_part(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c;
    mice_slice s = a[0].v.s, d = a[1].v.s;
    int64_t field = a[2].v.i;
    if (field == 0)
        return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "field position must not be zero");
    *o = datum_text(mice_slice_of(s.p, 0));
    if (s.n == 0) return MICE_OK;
    if (d.n == 0) {
        if (field == 1 || field == -1) *o = datum_text(s);
        return MICE_OK;
    }
    int64_t nfields = 1;
    for (int64_t at = 0; (at = find_bytes(s, d, (size_t)at)) >= 0; at += (int64_t)d.n)
        nfields++;
    if (field < 0) field = nfields + field + 1;
    if (field < 1 || field > nfields) return MICE_OK;
    size_t start = 0;
    for (int64_t i = 1; i < field; i++)
        start = (size_t)find_bytes(s, d, start) + d.n;
    int64_t end = find_bytes(s, d, start);
    *o = datum_text(mice_slice_of(s.p + start, (end < 0 ? s.n : (size_t)end) - start));
    return MICE_OK;
}

static mice_status f_translate(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_slice s = a[0].v.s, from = a[1].v.s, to = a[2].v.s;
    mice_buf b;
    buf_init(&b);
    for (size_t off = 0; off < s.n;) {
        size_t l = u8len(s.p + off, s.n - off);
        int64_t idx = -1, k = 0;
        for (size_t f = 0; f < from.n; k++) {
            size_t fl = u8len(from.p + f, from.n - f);
            if (fl == l && memcmp(from.p + f, s.p + off, l) == 0) {
                idx = k;
                break;
            }
            f += fl;
        }
        if (idx < 0) {
            buf_append(&b, s.p + off, l);
        } else {
            size_t t = u8skip(to, idx);
            if (t < to.n) buf_append(&b, to.p + t, u8len(to.p + t, to.n - t));
        }
        off += l;
    }
    return func__text_from_buf(c, &b, o, e);
}

static uint32_t u8decode(const uint8_t *p, size_t l)
{
    static const uint8_t lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t cp = p[0] & lead_mask[l];
    for (size_t i = 1; i < l; i++)
        cp = cp << 6 | (p[i] & 0x3f);
    return cp;
}

static mice_status f_ascii(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    mice_slice s = a[0].v.s;
    *o = datum_int4(s.n == 0 ? 0 : (int32_t)u8decode(s.p, u8len(s.p, s.n)));
    return MICE_OK;
}

static mice_status f_chr(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    int64_t cp = a[0].v.i;
    const char *st = SQLSTATE_PROGRAM_LIMIT_EXCEEDED;
    if (cp < 0)
        return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "character number must be positive");
    if (cp == 0) return sqlerr_set(e, MICE_INVALID, st, "null character not permitted");
    if (cp > 0x10FFFF)
        return sqlerr_set(e, MICE_INVALID, st, "requested character too large for encoding: %d",
                          (int)cp);
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return sqlerr_set(e, MICE_INVALID, st, "requested character not valid for encoding: %d",
                          (int)cp);
    uint8_t u[4];
    size_t l;
    if (cp < 0x80) {
        u[0] = (uint8_t)cp, l = 1;
    } else if (cp < 0x800) {
        u[0] = (uint8_t)(0xc0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 0x3f)), l = 2;
    } else if (cp < 0x10000) {
        u[0] = (uint8_t)(0xe0 | cp >> 12), u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (uint8_t)(0x80 | (cp & 0x3f)), l = 3;
    } else {
        u[0] = (uint8_t)(0xf0 | cp >> 18), u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (uint8_t)(0x80 | (cp & 0x3f)), l = 4;
    }
    return func__text_out(c, u, l, o, e);
}

static mice_status f_to_hex(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    char buf[24];
    uint64_t v = a[0].type == SQL_TYPE_INT4 ? (uint64_t)(uint32_t)a[0].v.i : (uint64_t)a[0].v.i;
    int len = snprintf(buf, sizeof buf, "%llx", (unsigned long long)v);
    return func__text_out(c, buf, (size_t)len, o, e);
}

static mice_status f_starts_with(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = datum_bool(mice_slice_has_prefix(a[0].v.s, a[1].v.s));
    return MICE_OK;
}

#define R FUNC__ROW
#define V FUNC__VROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define S FUNC_STABLE
const func_desc func__string_table[] = {
    R("length", T(INT4), true, I, f_char_length, 1, T(TEXT)),
    R("length", T(INT4), true, I, f_bpchar_length, 1, T(BPCHAR)),
    R("char_length", T(INT4), true, I, f_bpchar_length, 1, T(BPCHAR)),
    R("character_length", T(INT4), true, I, f_bpchar_length, 1, T(BPCHAR)),
    R("octet_length", T(INT4), true, I, f_octet_length, 1, T(BPCHAR)),
    R("length", T(INT4), true, I, f_octet_length, 1, T(BYTEA)),
    R("char_length", T(INT4), true, I, f_char_length, 1, T(TEXT)),
    R("character_length", T(INT4), true, I, f_char_length, 1, T(TEXT)),
    R("octet_length", T(INT4), true, I, f_octet_length, 1, T(TEXT)),
    R("octet_length", T(INT4), true, I, f_octet_length, 1, T(BYTEA)),
    R("bit_length", T(INT4), true, I, f_bit_length, 1, T(TEXT)),
    R("bit_length", T(INT4), true, I, f_bit_length, 1, T(BYTEA)),
    R("lower", T(TEXT), true, I, f_lower, 1, T(TEXT)),
    R("upper", T(TEXT), true, I, f_upper, 1, T(TEXT)),
    R("initcap", T(TEXT), true, I, f_initcap, 1, T(TEXT)),
    R("substr", T(TEXT), true, I, f_substr, 2, T(TEXT), T(INT4)),
    R("substr", T(TEXT), true, I, f_substr, 3, T(TEXT), T(INT4), T(INT4)),
    R("substr", T(BYTEA), true, I, f_substr, 2, T(BYTEA), T(INT4)),
    R("substr", T(BYTEA), true, I, f_substr, 3, T(BYTEA), T(INT4), T(INT4)),
    R("substring", T(TEXT), true, I, f_substr, 2, T(TEXT), T(INT4)),
    R("substring", T(TEXT), true, I, f_substr, 3, T(TEXT), T(INT4), T(INT4)),
    R("substring", T(BYTEA), true, I, f_substr, 2, T(BYTEA), T(INT4)),
    R("substring", T(BYTEA), true, I, f_substr, 3, T(BYTEA), T(INT4), T(INT4)),
    R("strpos", T(INT4), true, I, f_strpos, 2, T(TEXT), T(TEXT)),
    R("position", T(INT4), true, I, f_strpos, 2, T(TEXT), T(TEXT)),
    R("left", T(TEXT), true, I, f_left, 2, T(TEXT), T(INT4)),
    R("right", T(TEXT), true, I, f_right, 2, T(TEXT), T(INT4)),
    R("lpad", T(TEXT), true, I, f_lpad, 2, T(TEXT), T(INT4)),
    R("lpad", T(TEXT), true, I, f_lpad, 3, T(TEXT), T(INT4), T(TEXT)),
    R("rpad", T(TEXT), true, I, f_rpad, 2, T(TEXT), T(INT4)),
    R("rpad", T(TEXT), true, I, f_rpad, 3, T(TEXT), T(INT4), T(TEXT)),
    R("btrim", T(TEXT), true, I, f_btrim, 1, T(TEXT)),
    R("btrim", T(TEXT), true, I, f_btrim, 2, T(TEXT), T(TEXT)),
    R("ltrim", T(TEXT), true, I, f_ltrim, 1, T(TEXT)),
    R("ltrim", T(TEXT), true, I, f_ltrim, 2, T(TEXT), T(TEXT)),
    R("rtrim", T(TEXT), true, I, f_rtrim, 1, T(TEXT)),
    R("rtrim", T(TEXT), true, I, f_rtrim, 2, T(TEXT), T(TEXT)),
    R("replace", T(TEXT), true, I, f_replace, 3, T(TEXT), T(TEXT), T(TEXT)),
    R("repeat", T(TEXT), true, I, f_repeat, 2, T(TEXT), T(INT4)),
    R("reverse", T(TEXT), true, I, f_reverse, 1, T(TEXT)),
    V("concat", T(TEXT), false, S, f_concat, 1, FUNC_TYPE_ANY),
    V("concat_ws", T(TEXT), false, S, f_concat_ws, 2, T(TEXT), FUNC_TYPE_ANY),
    R("split_part", T(TEXT), true, I, f_split_part, 3, T(TEXT), T(TEXT), T(INT4)),
    R("ascii", T(INT4), true, I, f_ascii, 1, T(TEXT)),
    R("chr", T(TEXT), true, I, f_chr, 1, T(INT4)),
    R("to_hex", T(TEXT), true, I, f_to_hex, 1, T(INT4)),
    R("to_hex", T(TEXT), true, I, f_to_hex, 1, T(INT8)),
    R("starts_with", T(BOOL), true, I, f_starts_with, 2, T(TEXT), T(TEXT)),
    R("quote_ident", T(TEXT), true, I, f_quote_ident, 1, T(TEXT)),
    R("quote_literal", T(TEXT), true, I, f_quote_literal, 1, T(TEXT)),
    R("quote_literal", T(TEXT), true, S, f_quote_literal, 1, FUNC_TYPE_ANYNONARRAY),
    R("quote_nullable", T(TEXT), false, I, f_quote_nullable, 1, T(TEXT)),
    R("quote_nullable", T(TEXT), false, S, f_quote_nullable, 1, FUNC_TYPE_ANYNONARRAY),
    R("format", T(TEXT), false, S, f_format, 1, T(TEXT)),
    V("format", T(TEXT), false, S, f_format, 2, T(TEXT), FUNC_TYPE_ANY),
    R("translate", T(TEXT), true, I, f_translate, 3, T(TEXT), T(TEXT), T(TEXT)),
    R("textcat", T(TEXT), true, I, f_textcat, 2, T(TEXT), T(TEXT)),
    /* the || operator: the binder looks up "textcat", which also carries the two
     * non-text forms so that 'a' || 1 and 1 || 'a' resolve as PostgreSQL's operator does */
    R("textcat", T(TEXT), true, S, f_textcat, 2, FUNC_TYPE_ANYNONARRAY, T(TEXT)),
    R("textcat", T(TEXT), true, S, f_textcat, 2, T(TEXT), FUNC_TYPE_ANYNONARRAY),
    R("anytextcat", T(TEXT), true, S, f_textcat, 2, FUNC_TYPE_ANYNONARRAY, T(TEXT)),
    R("textanycat", T(TEXT), true, S, f_textcat, 2, T(TEXT), FUNC_TYPE_ANYNONARRAY),
};
const int func__string_count = sizeof func__string_table / sizeof func__string_table[0];
