/* func_regex.c - POSIX regular expressions for ~ ~* !~ !~* (textregexeq...), SIMILAR TO
 * (similar_to_escape, PostgreSQL's translation to a regex), substring(x from re),
 * substring(x similar re escape e), regexp_replace, regexp_like, regexp_count,
 * regexp_instr and regexp_substr.
 *
 * PostgreSQL uses Henry Spencer's ARE engine; this uses the C library's POSIX ERE
 * (<regex.h>) after translating the ARE syntax PostgreSQL users write most: \d \D \s
 * \S \w \W (also inside brackets), \m \M \y \Y \A \Z, \n \t \r \f \v, non-capturing
 * groups "(?:...)" (capture numbers are remapped so they do not count), a leading
 * "(?i)" (and the other embedded option letters c, n, s), and back references.
 * Known differences from PostgreSQL 15: quantifiers are always greedy (*? +? ?? {m,n}?
 * are read as their greedy forms) and matches are POSIX leftmost-longest, so
 * alternations and the parts of substring(... similar ...) may split text differently;
 * lookahead/lookbehind constraints (?= ?! ?<= ?<!) are rejected (0A000); '.' and bracket
 * expressions match bytes, not UTF-8 characters; error texts for bad patterns use
 * PostgreSQL's wording for the common cases only. Compiled patterns are cached per thread
 * (fcache), keyed by pattern and flags. */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "sql/fcache.h"
#include "sql/func_int.h"

#define ARGS const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e

enum {
    GROUPS_MAX = 64, /* capture groups we track (POSIX groups of one pattern) */
};

typedef struct re_prog {
    regex_t re;
    bool compiled;
    bool global;                 /* 'g' flag */
    int n_groups;                /* capturing (ARE) groups */
    int group_index[GROUPS_MAX]; /* ARE group k (1-based) -> POSIX subexpression number */
} re_prog;

typedef struct re_flags {
    bool icase, newline, global, expanded;
} re_flags;

static mice_status re_error(sql_error *e, const char *what)
{
    return sqlerr_set(e, MICE_INVALID, "2201B", "invalid regular expression: %s", what);
}

static mice_status bad_escape_class(sql_error *e)
{
    return re_error(e, "invalid escape \\ sequence");
}

/* ---- ARE -> POSIX ERE ---- */

typedef struct xlate {
    mice_buf out;
    re_prog *prog;
    int posix_groups; /* '(' emitted so far */
    int are_groups;   /* capturing groups so far */
} xlate;

static void put(xlate *x, const char *s)
{
    buf_append_str(&x->out, s);
}

static void put_c(xlate *x, char ch)
{
    buf_append_u8(&x->out, (uint8_t)ch);
}

static const char *control_char(char ch)
{
    switch (ch) {
    case 'n':
        return "\n";
    case 't':
        return "\t";
    case 'r':
        return "\r";
    case 'f':
        return "\f";
    case 'v':
        return "\v";
    default:
        return NULL;
    }
}

/* Inside brackets: classes as their POSIX names. */
static mice_status bracket_escape(xlate *x, char ch, sql_error *e)
{
    const char *ctl = control_char(ch);
    switch (ch) {
    case 'd':
        put(x, "0-9");
        return MICE_OK;
    case 's':
        put(x, "[:space:]");
        return MICE_OK;
    case 'w':
        put(x, "[:alnum:]_");
        return MICE_OK;
    case 'D':
    case 'S':
    case 'W':
        return bad_escape_class(e);
    default:
        if (ctl)
            put(x, ctl);
        else
            put_c(x, ch);
        return MICE_OK;
    }
}

/* A bracket expression starting at p[i] == '['; returns the index after it. */
static mice_status bracket(xlate *x, const char *p, size_t n, size_t *i, sql_error *e)
{
    size_t k = *i + 1;
    put_c(x, '[');
    if (k < n && p[k] == '^') put_c(x, p[k++]);
    if (k < n && p[k] == ']') put_c(x, p[k++]);
    while (k < n && p[k] != ']') {
        if (p[k] == '[' && k + 1 < n && (p[k + 1] == ':' || p[k + 1] == '.' || p[k + 1] == '=')) {
            char kind = p[k + 1];
            size_t end = k + 2;
            while (end + 1 < n && !(p[end] == kind && p[end + 1] == ']'))
                end++;
            if (end + 1 >= n) return re_error(e, "brackets [] not balanced");
            buf_append(&x->out, p + k, end + 2 - k);
            k = end + 2;
        } else if (p[k] == '\\' && k + 1 < n) {
            mice_status rc = bracket_escape(x, p[k + 1], e);
            if (rc) return rc;
            k += 2;
        } else {
            put_c(x, p[k++]);
        }
    }
    if (k >= n) return re_error(e, "brackets [] not balanced");
    put_c(x, ']');
    *i = k + 1;
    return MICE_OK;
}

static mice_status escape(xlate *x, const char *p, size_t n, size_t *i, sql_error *e)
{
    if (*i + 1 >= n) return bad_escape_class(e);
    char ch = p[*i + 1];
    *i += 2;
    const char *ctl = control_char(ch);
    if (ctl) {
        put(x, ctl);
        return MICE_OK;
    }
    switch (ch) {
    case 'd':
        put(x, "[0-9]");
        return MICE_OK;
    case 'D':
        put(x, "[^0-9]");
        return MICE_OK;
    case 's':
        put(x, "[[:space:]]");
        return MICE_OK;
    case 'S':
        put(x, "[^[:space:]]");
        return MICE_OK;
    case 'w':
        put(x, "[[:alnum:]_]");
        return MICE_OK;
    case 'W':
        put(x, "[^[:alnum:]_]");
        return MICE_OK;
    case 'm':
        put(x, "\\<");
        return MICE_OK;
    case 'M':
        put(x, "\\>");
        return MICE_OK;
    case 'y':
        put(x, "\\b");
        return MICE_OK;
    case 'Y':
        put(x, "\\B");
        return MICE_OK;
    case 'A':
        put(x, "^");
        return MICE_OK;
    case 'Z':
        put(x, "$");
        return MICE_OK;
    default:
        break;
    }
    if (ch >= '1' && ch <= '9') {
        int k = ch - '0';
        if (k > x->are_groups) return re_error(e, "invalid backreference number");
        char ref[16];
        int pg = x->prog->group_index[k - 1];
        if (pg > 9) return re_error(e, "invalid backreference number");
        snprintf(ref, sizeof ref, "\\%d", pg);
        put(x, ref);
        return MICE_OK;
    }
    if (isalnum((unsigned char)ch)) return bad_escape_class(e);
    put_c(x, '\\');
    put_c(x, ch);
    return MICE_OK;
}

static mice_status open_group(xlate *x, const char *p, size_t n, size_t *i, sql_error *e)
{
    bool capture = true;
    if (*i + 1 < n && p[*i + 1] == '?') {
        if (*i + 2 < n && p[*i + 2] == ':') {
            capture = false;
            *i += 3;
        } else {
            return sqlerr_set(e, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "regular expression lookahead and lookbehind constraints are not "
                              "supported");
        }
    } else {
        *i += 1;
    }
    x->posix_groups++;
    if (capture && x->are_groups < GROUPS_MAX)
        x->prog->group_index[x->are_groups++] = x->posix_groups;
    put_c(x, '(');
    return MICE_OK;
}

/* Leading embedded options "(?letters)". */
static size_t embedded_options(const char *p, size_t n, re_flags *f)
{
    if (n < 3 || p[0] != '(' || p[1] != '?' || !isalpha((unsigned char)p[2])) return 0;
    size_t k = 2;
    while (k < n && isalpha((unsigned char)p[k]))
        k++;
    if (k >= n || p[k] != ')') return 0;
    for (size_t j = 2; j < k; j++) {
        if (p[j] == 'i') f->icase = true;
        if (p[j] == 'c') f->icase = false;
        if (p[j] == 'n') f->newline = true;
        if (p[j] == 's') f->newline = false;
    }
    return k + 1;
}

static mice_status translate(mice_slice pat, re_flags *f, xlate *x, sql_error *e)
{
    const char *p = (const char *)pat.p;
    size_t n = pat.n, i = embedded_options(p, n, f);
    mice_status rc = MICE_OK;
    while (i < n && !rc) {
        char ch = p[i];
        if (ch == '\\') {
            rc = escape(x, p, n, &i, e);
        } else if (ch == '[') {
            rc = bracket(x, p, n, &i, e);
        } else if (ch == '(') {
            rc = open_group(x, p, n, &i, e);
        } else if ((ch == '*' || ch == '+' || ch == '?' || ch == '}') && i + 1 < n &&
                   p[i + 1] == '?') {
            put_c(x, ch); /* non-greedy: read as greedy */
            i += 2;
        } else if (f->expanded && (isspace((unsigned char)ch) || ch == '#')) {
            if (ch == '#')
                while (i < n && p[i] != '\n')
                    i++;
            else
                i++;
        } else {
            put_c(x, ch);
            i++;
        }
    }
    x->prog->n_groups = x->are_groups;
    return rc;
}

static const char *posix_error_text(int code)
{
    switch (code) {
    case REG_EPAREN:
        return "parentheses () not balanced";
    case REG_EBRACK:
        return "brackets [] not balanced";
    case REG_EBRACE:
        return "braces {} not balanced";
    case REG_BADRPT:
        return "quantifier operand invalid";
    case REG_EESCAPE:
        return "invalid escape \\ sequence";
    case REG_ESUBREG:
        return "invalid backreference number";
    case REG_ECTYPE:
        return "invalid character class";
    case REG_ECOLLATE:
        return "invalid collating element";
    case REG_ERANGE:
        return "invalid character range";
    case REG_BADBR:
        return "invalid repetition count(s)";
    case REG_ESPACE:
        return "out of memory";
    default:
        return "invalid regular expression";
    }
}

static mice_status parse_flags(mice_slice flags, re_flags *f, sql_error *e)
{
    for (size_t i = 0; i < flags.n; i++) {
        switch (flags.p[i]) {
        case 'g':
            f->global = true;
            break;
        case 'i':
            f->icase = true;
            break;
        case 'c':
            f->icase = false;
            break;
        case 'n':
        case 'p':
        case 'w':
            f->newline = true;
            break;
        case 's':
            f->newline = false;
            break;
        case 'x':
            f->expanded = true;
            break;
        case 't':
            f->expanded = false;
            break;
        default:
            return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid regular expression option: \"%.*s\"", 1,
                              (const char *)flags.p + i);
        }
    }
    return MICE_OK;
}

static mice_status re_compile(mice_slice pat, re_flags f, re_prog *prog, sql_error *e)
{
    memset(prog, 0, sizeof *prog);
    xlate x = {.prog = prog};
    buf_init(&x.out);
    mice_status rc = translate(pat, &f, &x, e);
    if (!rc) {
        buf_append_u8(&x.out, 0);
        int cflags = REG_EXTENDED | (f.icase ? REG_ICASE : 0) | (f.newline ? REG_NEWLINE : 0);
        int code = regcomp(&prog->re, (const char *)x.out.p, cflags);
        if (code)
            rc = re_error(e, posix_error_text(code));
        else
            prog->compiled = true;
    }
    prog->global = f.global;
    buf_deinit(&x.out);
    return rc;
}

static void re_prog_free(void *p)
{
    re_prog *prog = p;
    if (prog->compiled) regfree(&prog->re);
    free(prog);
}

/* The program for (pattern, flags), from the thread's cache or compiled into it.
 * Borrowed: valid until the next fcache_put on this thread (no other regex is compiled
 * while a caller uses it). */
static mice_status re_get(mice_slice pat, re_flags f, const re_prog **out, sql_error *e)
{
    uint8_t flag_bits = (uint8_t)(f.icase | f.newline << 1 | f.global << 2 | f.expanded << 3);
    mice_buf key;
    buf_init(&key);
    buf_append_u8(&key, flag_bits);
    buf_append_slice(&key, pat);
    re_prog *prog = fcache_get(FCACHE_REGEX, buf_slice(&key));
    mice_status rc = MICE_OK;
    if (!prog) {
        prog = mice_malloc(sizeof *prog);
        rc = re_compile(pat, f, prog, e);
        if (rc)
            re_prog_free(prog);
        else
            fcache_put(FCACHE_REGEX, buf_slice(&key), prog, re_prog_free);
    }
    buf_deinit(&key);
    if (!rc) *out = prog;
    return rc;
}

/* A NUL-terminated copy of a text argument in the arena. */
static const char *subject(func_ctx *c, mice_slice s, sql_error *e)
{
    const char *p = func__cstr(c, s);
    if (!p) sqlerr_nomem(e);
    return p;
}

/* One match of prog in s[from, len); m[0..nm) filled with absolute offsets. */
static bool re_exec(const re_prog *prog, const char *s, size_t len, size_t from, regmatch_t *m,
                    size_t nm)
{
    m[0].rm_so = (regoff_t)from;
    m[0].rm_eo = (regoff_t)len;
    int flags = REG_STARTEND | (from > 0 ? REG_NOTBOL : 0);
    return regexec(&prog->re, s, nm, m, flags) == 0;
}

/* ---- operators ---- */

static mice_status match_op(ARGS, bool icase, bool negate)
{
    (void)n;
    const re_prog *prog;
    re_flags f = {.icase = icase};
    mice_status rc = re_get(a[1].v.s, f, &prog, e);
    if (rc) return rc;
    const char *s = subject(c, a[0].v.s, e);
    if (!s) return MICE_NOMEM;
    regmatch_t m[1];
    *o = datum_bool(re_exec(prog, s, a[0].v.s.n, 0, m, 1) != negate);
    return MICE_OK;
}

static mice_status f_textregexeq(ARGS)
{
    return match_op(a, n, c, o, e, false, false);
}

static mice_status f_textregexne(ARGS)
{
    return match_op(a, n, c, o, e, false, true);
}

static mice_status f_texticregexeq(ARGS)
{
    return match_op(a, n, c, o, e, true, false);
}

static mice_status f_texticregexne(ARGS)
{
    return match_op(a, n, c, o, e, true, true);
}

/* ---- SIMILAR TO ---- */

static void sim_part_separator(mice_buf *r, int nquotes)
{
    buf_append_str(r, nquotes == 0 ? "){1,1}?(" : "){1,1}(?:");
}

/* PostgreSQL's similar_escape: the SQL pattern as an anchored regex. esc NULL: backslash. */
static mice_status similar_escape(mice_slice pat, const mice_slice *esc, mice_buf *r, sql_error *e)
{
    int esc_char = '\\';
    if (esc) {
        if (esc->n == 0)
            esc_char = -1;
        else if (sql_utf8_char_count(*esc) > 1) {
            sqlerr_set(e, MICE_INVALID, "22025", "invalid escape string");
            sqlerr_hint(e, "Escape string must be empty or one character.");
            return MICE_INVALID;
        } else if (esc->n > 1) {
            return sqlerr_set(e, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "multibyte escape characters are not supported");
        } else {
            esc_char = esc->p[0];
        }
    }
    bool after_escape = false, in_class = false;
    int nquotes = 0;
    buf_append_str(r, "^(?:");
    for (size_t i = 0; i < pat.n; i++) {
        char ch = (char)pat.p[i];
        if (after_escape) {
            if (ch == '"' && !in_class) {
                if (nquotes > 1)
                    return sqlerr_set(e, MICE_INVALID, "2200C",
                                      "SQL regular expression may not contain more than two "
                                      "escape-double-quote separators");
                sim_part_separator(r, nquotes++);
            } else {
                buf_append_u8(r, '\\');
                buf_append_u8(r, (uint8_t)ch);
            }
            after_escape = false;
        } else if (esc_char >= 0 && (uint8_t)ch == esc_char) {
            after_escape = true;
        } else if (in_class) {
            if (ch == '\\') buf_append_u8(r, '\\');
            buf_append_u8(r, (uint8_t)ch);
            if (ch == ']') in_class = false;
        } else if (ch == '[') {
            buf_append_u8(r, '[');
            in_class = true;
        } else if (ch == '%') {
            buf_append_str(r, ".*");
        } else if (ch == '_') {
            buf_append_u8(r, '.');
        } else if (ch == '(') {
            buf_append_str(r, "(?:");
        } else if (ch == '\\' || ch == '.' || ch == '^' || ch == '$') {
            buf_append_u8(r, '\\');
            buf_append_u8(r, (uint8_t)ch);
        } else {
            buf_append_u8(r, (uint8_t)ch);
        }
    }
    buf_append_str(r, ")$");
    return MICE_OK;
}

static mice_status f_similar_to_escape(ARGS)
{
    mice_buf r;
    buf_init(&r);
    mice_status rc = similar_escape(a[0].v.s, n > 1 ? &a[1].v.s : NULL, &r, e);
    if (rc) {
        buf_deinit(&r);
        return rc;
    }
    return func__text_from_buf(c, &r, o, e);
}

/* ---- substring ---- */

/* The text of ARE group k (0 = whole match) of a match, or NULL when it did not
 * participate. */
static bool group_text(const re_prog *prog, const regmatch_t *m, int k, regoff_t *so, regoff_t *eo)
{
    int idx = k == 0 ? 0 : prog->group_index[k - 1];
    if (m[idx].rm_so < 0) return false;
    *so = m[idx].rm_so;
    *eo = m[idx].rm_eo;
    return true;
}

/* substring(s from re): the first capture group if there is one, else the match. */
static mice_status substring_re(const sql_datum *a, const re_prog *prog, func_ctx *c, sql_datum *o,
                                sql_error *e)
{
    const char *s = subject(c, a[0].v.s, e);
    if (!s) return MICE_NOMEM;
    regmatch_t m[GROUPS_MAX + 1];
    regoff_t so, eo;
    if (!re_exec(prog, s, a[0].v.s.n, 0, m, GROUPS_MAX + 1) ||
        !group_text(prog, m, prog->n_groups > 0 ? 1 : 0, &so, &eo)) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    *o = datum_text(mice_slice_of(a[0].v.s.p + so, (size_t)(eo - so)));
    return MICE_OK;
}

static mice_status f_textregexsubstr(ARGS)
{
    (void)n;
    const re_prog *prog;
    mice_status rc = re_get(a[1].v.s, (re_flags){0}, &prog, e);
    return rc ? rc : substring_re(a, prog, c, o, e);
}

static mice_status f_substring_similar(ARGS)
{
    (void)n;
    mice_buf r;
    buf_init(&r);
    mice_status rc = similar_escape(a[1].v.s, &a[2].v.s, &r, e);
    const re_prog *prog = NULL;
    if (!rc) rc = re_get(buf_slice(&r), (re_flags){0}, &prog, e);
    buf_deinit(&r);
    return rc ? rc : substring_re(a, prog, c, o, e);
}

/* ---- regexp_* ---- */

/* fname: the function, for its error when 'g' is given and it has no use for it. */
static mice_status compile_with_flags(const sql_datum *pat, const sql_datum *flags,
                                      const re_prog **prog, const char *fname, sql_error *e)
{
    re_flags f = {0};
    mice_status rc = flags ? parse_flags(flags->v.s, &f, e) : MICE_OK;
    if (!rc && f.global && fname)
        return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "%s() does not support the \"global\" option", fname);
    return rc ? rc : re_get(pat->v.s, f, prog, e);
}

/* Append the replacement with \1..\9 and \& expanded. */
static void expand_replacement(mice_buf *out, mice_slice rep, const char *s, const re_prog *prog,
                               const regmatch_t *m)
{
    for (size_t i = 0; i < rep.n; i++) {
        char ch = (char)rep.p[i];
        if (ch != '\\' || i + 1 >= rep.n) {
            buf_append_u8(out, (uint8_t)ch);
            continue;
        }
        char nx = (char)rep.p[++i];
        regoff_t so, eo;
        if (nx >= '1' && nx <= '9') {
            int k = nx - '0';
            if (k <= prog->n_groups && group_text(prog, m, k, &so, &eo))
                buf_append(out, s + so, (size_t)(eo - so));
        } else if (nx == '&') {
            buf_append(out, s + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so));
        } else if (nx == '\\') {
            buf_append_u8(out, '\\');
        } else {
            buf_append_u8(out, '\\');
            buf_append_u8(out, (uint8_t)nx);
        }
    }
}

static mice_status f_regexp_replace(ARGS)
{
    const re_prog *prog;
    mice_status rc = compile_with_flags(&a[1], n > 3 ? &a[3] : NULL, &prog, NULL, e);
    if (rc) return rc;
    const char *s = subject(c, a[0].v.s, e);
    if (!s) return MICE_NOMEM;
    size_t len = a[0].v.s.n, from = 0;
    mice_buf out;
    buf_init(&out);
    regmatch_t m[GROUPS_MAX + 1];
    while (from <= len && re_exec(prog, s, len, from, m, GROUPS_MAX + 1)) {
        buf_append(&out, s + from, (size_t)m[0].rm_so - from);
        expand_replacement(&out, a[2].v.s, s, prog, m);
        from = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) { /* empty match: copy one byte and move on */
            if (from < len) buf_append_u8(&out, (uint8_t)s[from]);
            from++;
        }
        if (!prog->global) break;
    }
    if (from < len) buf_append(&out, s + from, len - from);
    return func__text_from_buf(c, &out, o, e);
}

static mice_status f_regexp_like(ARGS)
{
    const re_prog *prog;
    mice_status rc = compile_with_flags(&a[1], n > 2 ? &a[2] : NULL, &prog, "regexp_like", e);
    if (rc) return rc;
    const char *s = subject(c, a[0].v.s, e);
    if (!s) return MICE_NOMEM;
    regmatch_t m[1];
    *o = datum_bool(re_exec(prog, s, a[0].v.s.n, 0, m, 1));
    return MICE_OK;
}

static mice_status start_arg(const sql_datum *d, size_t *from, sql_error *e)
{
    if (d->v.i <= 0)
        return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid value for parameter \"%s\": %lld", "start", (long long)d->v.i);
    *from = (size_t)d->v.i - 1;
    return MICE_OK;
}

/* Byte offset of the 1-based character position start within s. */
static size_t char_offset(mice_slice s, size_t chars)
{
    size_t i = 0;
    while (i < s.n && chars > 0) {
        i++;
        while (i < s.n && (s.p[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return chars > 0 ? s.n + 1 : i;
}

static mice_status f_regexp_count(ARGS)
{
    size_t start = 0;
    mice_status rc = n > 2 ? start_arg(&a[2], &start, e) : MICE_OK;
    const re_prog *prog = NULL;
    if (!rc) rc = compile_with_flags(&a[1], n > 3 ? &a[3] : NULL, &prog, "regexp_count", e);
    if (rc) return rc;
    const char *s = subject(c, a[0].v.s, e);
    if (!s) return MICE_NOMEM;
    size_t len = a[0].v.s.n, from = char_offset(a[0].v.s, start);
    int32_t count = 0;
    regmatch_t m[1];
    while (from <= len && re_exec(prog, s, len, from, m, 1)) {
        count++;
        from = m[0].rm_eo > m[0].rm_so ? (size_t)m[0].rm_eo : (size_t)m[0].rm_eo + 1;
    }
    *o = datum_int4(count);
    return MICE_OK;
}

/* The N-th match at or after start; *found false when there is none. */
static mice_status nth_match(const sql_datum *a, int n, int flags_arg, const char *fname,
                             func_ctx *c, const re_prog **prog, const char **s, regmatch_t *m,
                             bool *found, sql_error *e)
{
    size_t start = 0;
    int64_t nth = n > 3 ? a[3].v.i : 1;
    mice_status rc = n > 2 ? start_arg(&a[2], &start, e) : MICE_OK;
    if (!rc && nth <= 0)
        rc = sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                        "invalid value for parameter \"%s\": %lld", "n", (long long)nth);
    if (!rc) rc = compile_with_flags(&a[1], n > flags_arg ? &a[flags_arg] : NULL, prog, fname, e);
    if (rc) return rc;
    *s = subject(c, a[0].v.s, e);
    if (!*s) return MICE_NOMEM;
    size_t len = a[0].v.s.n, from = char_offset(a[0].v.s, start);
    *found = false;
    while (from <= len && re_exec(*prog, *s, len, from, m, GROUPS_MAX + 1)) {
        if (--nth == 0) {
            *found = true;
            break;
        }
        from = m[0].rm_eo > m[0].rm_so ? (size_t)m[0].rm_eo : (size_t)m[0].rm_eo + 1;
    }
    return MICE_OK;
}

static mice_status f_regexp_substr(ARGS)
{
    const re_prog *prog = NULL;
    const char *s = NULL;
    regmatch_t m[GROUPS_MAX + 1];
    bool found;
    mice_status rc = nth_match(a, n, 4, "regexp_substr", c, &prog, &s, m, &found, e);
    int64_t sub = n > 5 ? a[5].v.i : 0;
    regoff_t so, eo;
    if (!rc &&
        (!found || sub < 0 || sub > prog->n_groups || !group_text(prog, m, (int)sub, &so, &eo)))
        *o = datum_null(SQL_TYPE_TEXT);
    else if (!rc)
        *o = datum_text(mice_slice_of(a[0].v.s.p + so, (size_t)(eo - so)));
    return rc;
}

static mice_status f_regexp_instr(ARGS)
{
    const re_prog *prog = NULL;
    const char *s = NULL;
    regmatch_t m[GROUPS_MAX + 1];
    bool found;
    mice_status rc = nth_match(a, n, 5, "regexp_instr", c, &prog, &s, m, &found, e);
    int64_t endopt = n > 4 ? a[4].v.i : 0, sub = n > 6 ? a[6].v.i : 0;
    regoff_t so, eo;
    if (!rc &&
        (!found || sub < 0 || sub > prog->n_groups || !group_text(prog, m, (int)sub, &so, &eo))) {
        *o = datum_int4(0);
    } else if (!rc) {
        size_t at = (size_t)(endopt ? eo : so);
        *o = datum_int4((int32_t)sql_utf8_char_count(mice_slice_of(a[0].v.s.p, at)) + 1);
    }
    return rc;
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define TX T(TEXT)
#define I4 T(INT4)
const func_desc func__regex_table[] = {
    R("textregexeq", T(BOOL), true, I, f_textregexeq, 2, TX, TX),
    R("textregexne", T(BOOL), true, I, f_textregexne, 2, TX, TX),
    R("texticregexeq", T(BOOL), true, I, f_texticregexeq, 2, TX, TX),
    R("texticregexne", T(BOOL), true, I, f_texticregexne, 2, TX, TX),
    R("similar_to_escape", TX, true, I, f_similar_to_escape, 1, TX),
    R("similar_to_escape", TX, true, I, f_similar_to_escape, 2, TX, TX),
    R("substring", TX, true, I, f_textregexsubstr, 2, TX, TX),
    R("substring", TX, true, I, f_substring_similar, 3, TX, TX, TX),
    R("regexp_replace", TX, true, I, f_regexp_replace, 3, TX, TX, TX),
    R("regexp_replace", TX, true, I, f_regexp_replace, 4, TX, TX, TX, TX),
    R("regexp_like", T(BOOL), true, I, f_regexp_like, 2, TX, TX),
    R("regexp_like", T(BOOL), true, I, f_regexp_like, 3, TX, TX, TX),
    R("regexp_count", I4, true, I, f_regexp_count, 2, TX, TX),
    R("regexp_count", I4, true, I, f_regexp_count, 3, TX, TX, I4),
    R("regexp_count", I4, true, I, f_regexp_count, 4, TX, TX, I4, TX),
    R("regexp_substr", TX, true, I, f_regexp_substr, 2, TX, TX),
    R("regexp_substr", TX, true, I, f_regexp_substr, 3, TX, TX, I4),
    R("regexp_substr", TX, true, I, f_regexp_substr, 4, TX, TX, I4, I4),
    R("regexp_substr", TX, true, I, f_regexp_substr, 5, TX, TX, I4, I4, TX),
    R("regexp_substr", TX, true, I, f_regexp_substr, 6, TX, TX, I4, I4, TX, I4),
    R("regexp_instr", I4, true, I, f_regexp_instr, 2, TX, TX),
    R("regexp_instr", I4, true, I, f_regexp_instr, 3, TX, TX, I4),
    R("regexp_instr", I4, true, I, f_regexp_instr, 4, TX, TX, I4, I4),
    R("regexp_instr", I4, true, I, f_regexp_instr, 5, TX, TX, I4, I4, I4),
    R("regexp_instr", I4, true, I, f_regexp_instr, 6, TX, TX, I4, I4, I4, TX),
    R("regexp_instr", I4, true, I, f_regexp_instr, 7, TX, TX, I4, I4, I4, TX, I4),
};
const int func__regex_count = sizeof func__regex_table / sizeof func__regex_table[0];
