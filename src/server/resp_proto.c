/* The RESP codec (see resp_proto.h). The parser mirrors Redis 7's processInlineBuffer and
 * processMultibulkBuffer closely enough that the same bytes give the same commands and the
 * same protocol errors; it restarts from the command's first byte on every call, which is
 * cheap because need_bytes keeps the caller from calling before progress is possible. */
#include "server/resp_proto.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"

void resp_parser_init(resp_parser *p, size_t max_bulk_bytes)
{
    memset(p, 0, sizeof *p);
    p->max_bulk_bytes = max_bulk_bytes ? max_bulk_bytes : RESP_MAX_BULK_BYTES_DEFAULT;
    buf_init(&p->scratch);
}

void resp_parser_deinit(resp_parser *p)
{
    free(p->args);
    buf_deinit(&p->scratch);
    memset(p, 0, sizeof *p);
}

static void add_arg(resp_parser *p, mice_slice a)
{
    if (p->n_args == p->cap_args) {
        p->cap_args = p->cap_args ? 2 * p->cap_args : 16;
        p->args = mice_realloc(p->args, p->cap_args * sizeof *p->args);
    }
    p->args[p->n_args++] = a;
}

/* Redis's string2ll: optional '-', no '+', no leading zeros, no blanks, fits int64. */
static bool parse_ll(const uint8_t *s, size_t n, long long *out)
{
    if (n == 0 || n > 20) return false;
    if (n == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        i = 1;
        if (n == 1) return false;
    }
    if (s[i] < '1' || s[i] > '9') return false;
    unsigned long long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = s[i] - '0';
        if (v > (ULLONG_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) return false;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX) return false;
        *out = (long long)v;
    }
    return true;
}

static mice_status proto_error(mice_err *err, const char *what)
{
    return mice_err_setf(err, MICE_INVALID, "Protocol error: %s", what);
}

/* --- inline commands ------------------------------------------------------------------- */

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static uint8_t unescape(uint8_t c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    case 'b':
        return '\b';
    case 'a':
        return '\a';
    default:
        return c;
    }
}

/* One quoted word starting at line[*i] (the quote); appends to out. false: unbalanced. */
static bool split_quoted(const uint8_t *line, size_t n, size_t *i, mice_buf *out)
{
    uint8_t q = line[(*i)++];
    for (;;) {
        if (*i >= n) return false;
        uint8_t c = line[*i];
        if (q == '"' && c == '\\' && *i + 3 < n && line[*i + 1] == 'x' &&
            hex_digit(line[*i + 2]) >= 0 && hex_digit(line[*i + 3]) >= 0) {
            buf_append_u8(out, (uint8_t)(hex_digit(line[*i + 2]) * 16 + hex_digit(line[*i + 3])));
            *i += 4;
        } else if (q == '"' && c == '\\' && *i + 1 < n) {
            buf_append_u8(out, unescape(line[*i + 1]));
            *i += 2;
        } else if (q == '\'' && c == '\\' && *i + 1 < n && line[*i + 1] == '\'') {
            buf_append_u8(out, '\'');
            *i += 2;
        } else if (c == q) {
            (*i)++;
            /* the closing quote must be followed by a blank or the end */
            return *i >= n || isspace(line[*i]);
        } else {
            buf_append_u8(out, c);
            (*i)++;
        }
    }
}

/* Redis's sdssplitargs into p->scratch; words are recorded as offsets first (the scratch
 * may move while it grows), then turned into slices. */
static bool split_args(resp_parser *p, const uint8_t *line, size_t n)
{
    buf_reset(&p->scratch);
    size_t *ends = NULL, n_words = 0, cap = 0;
    size_t i = 0;
    bool ok = true;
    for (;;) {
        while (i < n && isspace(line[i]))
            i++;
        if (i >= n) break;
        if (line[i] == '"' || line[i] == '\'') {
            if (!split_quoted(line, n, &i, &p->scratch)) {
                ok = false;
                break;
            }
        } else {
            while (i < n && !isspace(line[i]))
                buf_append_u8(&p->scratch, line[i++]);
        }
        if (n_words == cap) {
            cap = cap ? 2 * cap : 8;
            ends = mice_realloc(ends, cap * sizeof *ends);
        }
        ends[n_words++] = p->scratch.n;
    }
    /* only empty words ("" or '') leave the scratch unallocated */
    const uint8_t *base = p->scratch.p ? p->scratch.p : (const uint8_t *)"";
    for (size_t w = 0; ok && w < n_words; w++) {
        size_t start = w ? ends[w - 1] : 0;
        add_arg(p, mice_slice_of(base + start, ends[w] - start));
    }
    free(ends);
    return ok;
}

static mice_status parse_inline(resp_parser *p, mice_slice in, size_t *consumed, mice_err *err)
{
    const uint8_t *nl = memchr(in.p, '\n', in.n);
    if (!nl) {
        if (in.n > RESP_INLINE_MAX_BYTES) return proto_error(err, "too big inline request");
        p->need_bytes = in.n + 1;
        return MICE_AGAIN;
    }
    size_t line_n = (size_t)(nl - in.p);
    if (line_n > RESP_INLINE_MAX_BYTES) return proto_error(err, "too big inline request");
    size_t n = line_n;
    if (n && in.p[n - 1] == '\r') n--;
    if (!split_args(p, in.p, n)) {
        p->n_args = 0;
        return proto_error(err, "unbalanced quotes in request");
    }
    *consumed = line_n + 1;
    return MICE_OK;
}

/* --- multibulk commands ----------------------------------------------------------------- */

/* The line at in[pos...]: *line_end is the CR. MICE_AGAIN when no CR + 1 byte yet. */
static mice_status find_line(resp_parser *p, mice_slice in, size_t pos, size_t *line_end,
                             const char *too_big, mice_err *err)
{
    const uint8_t *cr = memchr(in.p + pos, '\r', in.n - pos);
    if (!cr) {
        if (in.n - pos > RESP_INLINE_MAX_BYTES) return proto_error(err, too_big);
        p->need_bytes = in.n + 1;
        return MICE_AGAIN;
    }
    *line_end = (size_t)(cr - in.p);
    if (*line_end + 2 > in.n) { /* the LF after the CR */
        p->need_bytes = *line_end + 2;
        return MICE_AGAIN;
    }
    return MICE_OK;
}

static mice_status parse_multibulk(resp_parser *p, mice_slice in, size_t *consumed, mice_err *err)
{
    size_t end = 0;
    mice_status rc = find_line(p, in, 0, &end, "too big mbulk count string", err);
    if (rc) return rc;
    long long count = 0;
    if (!parse_ll(in.p + 1, end - 1, &count) || count > RESP_ARGS_MAX)
        return proto_error(err, "invalid multibulk length");
    size_t pos = end + 2;
    for (long long i = 0; i < count; i++) {
        if (pos >= in.n) {
            p->need_bytes = pos + 1;
            return MICE_AGAIN;
        }
        if ((rc = find_line(p, in, pos, &end, "too big bulk count string", err))) return rc;
        if (in.p[pos] != '$') {
            char what[40];
            snprintf(what, sizeof what, "expected '$', got '%c'", in.p[pos]);
            return proto_error(err, what);
        }
        long long len = 0;
        if (!parse_ll(in.p + pos + 1, end - pos - 1, &len) || len < 0 ||
            (unsigned long long)len > p->max_bulk_bytes)
            return proto_error(err, "invalid bulk length");
        size_t body = end + 2;
        if (in.n - body < (size_t)len + 2) {
            p->need_bytes = body + (size_t)len + 2;
            return MICE_AGAIN;
        }
        add_arg(p, mice_slice_of(in.p + body, (size_t)len));
        pos = body + (size_t)len + 2;
    }
    *consumed = pos;
    return MICE_OK;
}

mice_status resp_parse_command(resp_parser *p, mice_slice in, size_t *consumed, mice_err *err)
{
    p->n_args = 0;
    p->need_bytes = 0;
    *consumed = 0;
    if (in.n == 0) {
        p->need_bytes = 1;
        return MICE_AGAIN;
    }
    mice_status rc =
        in.p[0] == '*' ? parse_multibulk(p, in, consumed, err) : parse_inline(p, in, consumed, err);
    if (rc) p->n_args = 0;
    return rc;
}

/* --- replies ------------------------------------------------------------------------------ */

static void put_line(mice_buf *b, char type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void put_line(mice_buf *b, char type, const char *fmt, ...)
{
    buf_append_u8(b, (uint8_t)type);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
    buf_append(b, "\r\n", 2);
}

void resp_put_simple(mice_buf *b, const char *s)
{
    put_line(b, '+', "%s", s);
}

void resp_put_error(mice_buf *b, const char *msg)
{
    buf_append_u8(b, '-');
    for (const char *c = msg; *c; c++)
        buf_append_u8(b, *c == '\r' || *c == '\n' ? ' ' : (uint8_t)*c);
    buf_append(b, "\r\n", 2);
}

void resp_put_errorf(mice_buf *b, const char *fmt, ...)
{
    mice_buf msg;
    buf_init(&msg);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    buf_append_u8(&msg, 0);
    resp_put_error(b, (const char *)msg.p);
    buf_deinit(&msg);
}

void resp_put_int(mice_buf *b, int64_t v)
{
    put_line(b, ':', "%lld", (long long)v);
}

void resp_put_bulk(mice_buf *b, mice_slice s)
{
    put_line(b, '$', "%zu", s.n);
    buf_append_slice(b, s);
    buf_append(b, "\r\n", 2);
}

void resp_put_bulk_str(mice_buf *b, const char *s)
{
    resp_put_bulk(b, mice_slice_str(s));
}

void resp_put_null(mice_buf *b, int ver)
{
    buf_append_str(b, ver >= 3 ? "_\r\n" : "$-1\r\n");
}

void resp_put_null_array(mice_buf *b, int ver)
{
    buf_append_str(b, ver >= 3 ? "_\r\n" : "*-1\r\n");
}

void resp_put_array(mice_buf *b, size_t n)
{
    put_line(b, '*', "%zu", n);
}

void resp_put_map(mice_buf *b, int ver, size_t n_pairs)
{
    if (ver >= 3)
        put_line(b, '%', "%zu", n_pairs);
    else
        put_line(b, '*', "%zu", 2 * n_pairs);
}

void resp_put_set(mice_buf *b, int ver, size_t n)
{
    put_line(b, ver >= 3 ? '~' : '*', "%zu", n);
}

void resp_put_bool(mice_buf *b, int ver, bool v)
{
    if (ver >= 3)
        buf_append_str(b, v ? "#t\r\n" : "#f\r\n");
    else
        resp_put_int(b, v);
}

void resp_put_verbatim(mice_buf *b, int ver, const char *fmt, mice_slice text)
{
    if (ver < 3) {
        resp_put_bulk(b, text);
        return;
    }
    mice_assert(strlen(fmt) == 3);
    put_line(b, '=', "%zu", text.n + 4);
    buf_printf(b, "%s:", fmt);
    buf_append_slice(b, text);
    buf_append(b, "\r\n", 2);
}

void resp_put_command(mice_buf *b, const mice_slice *args, size_t n)
{
    resp_put_array(b, n);
    for (size_t i = 0; i < n; i++)
        resp_put_bulk(b, args[i]);
}

/* --- reply scanning ------------------------------------------------------------------------- */

static mice_status scan_value(mice_slice in, size_t pos, int depth, size_t *end);

/* The header line at pos: its integer (for sized types) and the position after CRLF. */
static mice_status scan_line(mice_slice in, size_t pos, size_t *after, const uint8_t **text,
                             size_t *text_n)
{
    const uint8_t *cr = memchr(in.p + pos, '\r', in.n - pos);
    if (!cr || (size_t)(cr - in.p) + 2 > in.n) return MICE_AGAIN;
    if (cr[1] != '\n') return MICE_INVALID;
    *text = in.p + pos + 1;
    *text_n = (size_t)(cr - *text);
    *after = (size_t)(cr - in.p) + 2;
    return MICE_OK;
}

static mice_status scan_value(mice_slice in, size_t pos, int depth, size_t *end)
{
    if (depth > RESP_REPLY_DEPTH_MAX) return MICE_INVALID;
    if (pos >= in.n) return MICE_AGAIN;
    const uint8_t *text;
    size_t text_n, after;
    mice_status rc = scan_line(in, pos, &after, &text, &text_n);
    if (rc) return rc;
    uint8_t type = in.p[pos];
    long long n = 0;
    switch (type) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '(':
    case '#':
    case '_':
        *end = after;
        return MICE_OK;
    case '$':
    case '=':
    case '!':
        if (!parse_ll(text, text_n, &n) || n < -1) return MICE_INVALID;
        if (n == -1) {
            *end = after;
            return MICE_OK;
        }
        if (in.n - after < (size_t)n + 2) return MICE_AGAIN;
        if (in.p[after + n] != '\r' || in.p[after + n + 1] != '\n') return MICE_INVALID;
        *end = after + (size_t)n + 2;
        return MICE_OK;
    case '*':
    case '~':
    case '>':
    case '%':
    case '|':
        if (!parse_ll(text, text_n, &n) || n < -1) return MICE_INVALID;
        if (n > (long long)(in.n - after)) return MICE_AGAIN; /* each element takes bytes */
        if (type == '%' || type == '|') n *= 2;
        for (long long i = 0; i < n; i++) {
            if ((rc = scan_value(in, after, depth + 1, &after))) return rc;
        }
        *end = after;
        return MICE_OK;
    default:
        return MICE_INVALID;
    }
}

mice_status resp_reply_scan(mice_slice in, size_t *len)
{
    *len = 0;
    return scan_value(in, 0, 0, len);
}
