/* func_like.c - LIKE / ILIKE / NOT LIKE (textlike, texticlike, textnlike, texticnlike) and
 * like_escape() for the ESCAPE clause, following PostgreSQL's like_match.c: the pattern
 * is walked bytewise (UTF-8 is self-synchronising) except that '_' consumes one whole
 * character; backslash escapes the next pattern character; '%' recursion aborts early
 * when the rest cannot match. ILIKE folds ASCII letters only (collation "C"). */
#include <ctype.h>
#include <string.h>

#include "sql/func_int.h"

enum { LIKE_FALSE = 0, LIKE_TRUE = 1, LIKE_ABORT = -1, LIKE_ERROR = -2 };

static size_t charlen(const uint8_t *p, size_t left)
{
    size_t n = (*p & 0x80) == 0      ? 1
               : (*p & 0xe0) == 0xc0 ? 2
               : (*p & 0xf0) == 0xe0 ? 3
               : (*p & 0xf8) == 0xf0 ? 4
                                     : 1;
    return n > left ? left : n;
}

static int match_text(const uint8_t *t, size_t tlen, const uint8_t *p, size_t plen, int depth)
{
    if (depth > 10000) return LIKE_ERROR; /* the executor's stack-depth limit, roughly */
    if (plen == 1 && *p == '%') return LIKE_TRUE;
    while (tlen > 0 && plen > 0) {
        if (*p == '\\') {
            p++, plen--;
            if (plen == 0) return LIKE_ERROR;
            if (*p != *t) return LIKE_FALSE;
        } else if (*p == '%') {
            p++, plen--;
            while (plen > 0) {
                if (*p == '%') {
                    p++, plen--;
                } else if (*p == '_') {
                    if (tlen == 0) return LIKE_ABORT;
                    size_t l = charlen(t, tlen);
                    t += l, tlen -= l;
                    p++, plen--;
                } else {
                    break;
                }
            }
            if (plen == 0) return LIKE_TRUE;
            uint8_t first;
            if (*p == '\\') {
                if (plen < 2) return LIKE_ERROR;
                first = p[1];
            } else {
                first = *p;
            }
            while (tlen > 0) {
                if (*t == first) {
                    int m = match_text(t, tlen, p, plen, depth + 1);
                    if (m != LIKE_FALSE) return m;
                }
                size_t l = charlen(t, tlen);
                t += l, tlen -= l;
            }
            return LIKE_ABORT;
        } else if (*p == '_') {
            size_t l = charlen(t, tlen);
            t += l, tlen -= l;
            p++, plen--;
            continue;
        } else if (*p != *t) {
            return LIKE_FALSE;
        }
        t++, tlen--;
        p++, plen--;
    }
    if (tlen > 0) return LIKE_FALSE;
    while (plen > 0 && *p == '%')
        p++, plen--;
    return plen == 0 ? LIKE_TRUE : LIKE_ABORT;
}

static mice_status like(mice_slice t, mice_slice p, bool *out, sql_error *e)
{
    int m = match_text(t.p, t.n, p.p, p.n, 0);
    if (m == LIKE_ERROR) {
        if (p.n > 0 && p.p[p.n - 1] == '\\')
            return sqlerr_set(e, MICE_INVALID, "22025",
                              "LIKE pattern must not end with escape character");
        return sqlerr_set(e, MICE_LIMIT, "54001", "stack depth limit exceeded");
    }
    *out = m == LIKE_TRUE;
    return MICE_OK;
}

static mice_slice fold(func_ctx *c, mice_slice s)
{
    uint8_t *q = arena_alloc(c->arena, s.n + 1);
    if (!q) return (mice_slice){NULL, 0};
    for (size_t i = 0; i < s.n; i++)
        q[i] = s.p[i] < 0x80 ? (uint8_t)tolower(s.p[i]) : s.p[i];
    return mice_slice_of(q, s.n);
}

static mice_status like_call(const sql_datum *a, func_ctx *c, bool icase, bool negate, sql_datum *o,
                             sql_error *e)
{
    mice_slice t = a[0].v.s, p = a[1].v.s;
    if (icase) {
        t = fold(c, t);
        p = fold(c, p);
        if (!t.p || !p.p) return sqlerr_nomem(e);
    }
    bool m = false;
    mice_status rc = like(t, p, &m, e);
    if (rc) return rc;
    *o = datum_bool(m != negate);
    return MICE_OK;
}

static mice_status f_textlike(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    return like_call(a, c, false, false, o, e);
}

static mice_status f_textnlike(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    return like_call(a, c, false, true, o, e);
}

static mice_status f_texticlike(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    return like_call(a, c, true, false, o, e);
}

static mice_status f_texticnlike(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    return like_call(a, c, true, true, o, e);
}

/* Rewrite a pattern with ESCAPE esc into one using backslash (PostgreSQL's like_escape). */
static mice_status f_like_escape(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_slice p = a[0].v.s, esc = a[1].v.s;
    if (esc.n > 0 && charlen(esc.p, esc.n) != esc.n) {
        sqlerr_set(e, MICE_INVALID, "22025", "invalid escape string");
        sqlerr_hint(e, "Escape string must be empty or one character.");
        return MICE_INVALID;
    }
    if (esc.n == 1 && esc.p[0] == '\\') {
        *o = datum_text(p);
        return MICE_OK;
    }
    mice_buf b;
    buf_init(&b);
    bool after = false;
    for (size_t off = 0; off < p.n;) {
        size_t l = charlen(p.p + off, p.n - off);
        if (esc.n && l == esc.n && memcmp(p.p + off, esc.p, l) == 0 && !after) {
            buf_append_u8(&b, '\\');
            after = true;
        } else if (p.p[off] == '\\') {
            buf_append_u8(&b, '\\');
            if (!after || !esc.n) buf_append_u8(&b, '\\');
            after = false;
        } else {
            buf_append(&b, p.p + off, l);
            after = false;
        }
        off += l;
    }
    return func__text_from_buf(c, &b, o, e);
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
const func_desc func__like_table[] = {
    R("textlike", T(BOOL), true, I, f_textlike, 2, T(TEXT), T(TEXT)),
    R("textnlike", T(BOOL), true, I, f_textnlike, 2, T(TEXT), T(TEXT)),
    R("texticlike", T(BOOL), true, I, f_texticlike, 2, T(TEXT), T(TEXT)),
    R("texticnlike", T(BOOL), true, I, f_texticnlike, 2, T(TEXT), T(TEXT)),
    R("like", T(BOOL), true, I, f_textlike, 2, T(TEXT), T(TEXT)),
    R("notlike", T(BOOL), true, I, f_textnlike, 2, T(TEXT), T(TEXT)),
    R("like_escape", T(TEXT), true, I, f_like_escape, 2, T(TEXT), T(TEXT)),
};
const int func__like_count = sizeof func__like_table / sizeof func__like_table[0];
