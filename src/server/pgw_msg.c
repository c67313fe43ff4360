#include "server/pgw_msg.h"

#include <stdio.h>
#include <string.h>

#include "base/check.h"

enum {
    STARTUP_HEADER_BYTES = 4, /* length word */
    TYPED_HEADER_BYTES = 5,   /* type byte + length word */
    CANCEL_REQUEST_BYTES = 16,
    SSL_REQUEST_BYTES = 8,
    WIRE_INT32_MAX = 0x7fffffff,
    RESERVE_AHEAD_MAX_BYTES = 1 << 20,
};

/* ---------------------------------------------------------------- framer */

void pgw_framer_init(pgw_framer *f, size_t max_msg_bytes)
{
    memset(f, 0, sizeof *f);
    buf_init(&f->buf);
    f->max_msg_bytes = max_msg_bytes ? max_msg_bytes : PGW_MSG_MAX_BYTES_DEFAULT;
    f->startup = true;
    f->failed = MICE_OK;
}

void pgw_framer_deinit(pgw_framer *f)
{
    buf_deinit(&f->buf);
}

void pgw_framer_set_startup(pgw_framer *f, bool startup)
{
    f->startup = startup;
}

void pgw_framer_feed(pgw_framer *f, const uint8_t *p, size_t n)
{
    /* Compact once per feed, not once per message: a chunk holding many small messages
     * costs one move. Frames already yielded die here, as the header says. */
    if (f->start > 0) {
        size_t rest = f->buf.n - f->start;
        if (rest) memmove(f->buf.p, f->buf.p + f->start, rest);
        buf_truncate(&f->buf, rest);
        f->start = 0;
    }
    if (f->failed) return; /* a failed stream is dead; do not keep buffering it */
    buf_append(&f->buf, p, n);
}

size_t pgw_framer_pending_bytes(const pgw_framer *f)
{
    return f->buf.n - f->start;
}

static bool is_frontend_type(uint8_t t)
{
    return t && strchr("QPBDESHCXpdcfF", t) != NULL;
}

/* Largest body a message of this type may have (PostgreSQL's small/large split). */
static size_t type_max_bytes(const pgw_framer *f, uint8_t t)
{
    size_t lim = f->max_msg_bytes;
    if (strchr("SHXcCDE", t)) lim = PGW_SMALL_MSG_MAX_BYTES;
    if (t == 'p') lim = PGW_AUTH_MSG_MAX_BYTES;
    return lim < f->max_msg_bytes ? lim : f->max_msg_bytes;
}

static mice_status framer_fail(pgw_framer *f, mice_err *err, mice_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static mice_status framer_fail(pgw_framer *f, mice_err *err, mice_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->failed_msg, sizeof f->failed_msg, fmt, ap);
    va_end(ap);
    f->failed = code;
    return mice_err_setf(err, code, "%s", f->failed_msg);
}

static mice_status next_startup(pgw_framer *f, const uint8_t *p, size_t avail, pgw_frame *out,
                                mice_err *err)
{
    if (avail < STARTUP_HEADER_BYTES) return MICE_AGAIN;
    uint32_t len = mice_load_be32(p);
    if (len < STARTUP_HEADER_BYTES + 4)
        return framer_fail(f, err, MICE_CORRUPT, "invalid length of startup packet (%u)", len);
    if (len > PGW_STARTUP_MAX_BYTES)
        return framer_fail(f, err, MICE_LIMIT, "startup packet of %u bytes exceeds %d", len,
                           PGW_STARTUP_MAX_BYTES);
    if (avail < len) return MICE_AGAIN;
    out->type = 0;
    out->body = mice_slice_of(p + STARTUP_HEADER_BYTES, len - STARTUP_HEADER_BYTES);
    f->start += len;
    return MICE_OK;
}

static mice_status next_typed(pgw_framer *f, const uint8_t *p, size_t avail, pgw_frame *out,
                              mice_err *err)
{
    if (avail < 1) return MICE_AGAIN;
    uint8_t t = p[0];
    if (!is_frontend_type(t))
        return framer_fail(f, err, MICE_CORRUPT, "invalid frontend message type %u", t);
    if (avail < TYPED_HEADER_BYTES) return MICE_AGAIN;
    uint32_t len = mice_load_be32(p + 1);
    if (len < 4 || len > WIRE_INT32_MAX)
        return framer_fail(f, err, MICE_CORRUPT, "invalid message length %u in %s message", len,
                           pgw_fe_type_name(t));
    size_t body = len - 4;
    size_t lim = type_max_bytes(f, t);
    if (body > lim)
        return framer_fail(f, err, MICE_LIMIT, "%s message of %zu bytes exceeds the limit %zu",
                           pgw_fe_type_name(t), body, lim);
    if (avail - TYPED_HEADER_BYTES < body) {
        /* Reserve ahead so a large message does not grow the buffer chunk by chunk, but
         * only so far: a forged length must not cost memory the peer never sends. */
        size_t missing = TYPED_HEADER_BYTES + body - avail;
        buf_reserve(&f->buf, missing < RESERVE_AHEAD_MAX_BYTES ? missing : RESERVE_AHEAD_MAX_BYTES);
        return MICE_AGAIN;
    }
    out->type = t;
    out->body = mice_slice_of(p + TYPED_HEADER_BYTES, body);
    f->start += TYPED_HEADER_BYTES + body;
    return MICE_OK;
}

mice_status pgw_framer_next(pgw_framer *f, pgw_frame *out, mice_err *err)
{
    if (f->failed) return mice_err_setf(err, f->failed, "%s", f->failed_msg);
    const uint8_t *p = f->buf.p + f->start;
    size_t avail = f->buf.n - f->start;
    if (f->startup) return next_startup(f, p, avail, out, err);
    return next_typed(f, p, avail, out, err);
}

/* ---------------------------------------------------------------- decoding */

/* A bounds-checked cursor over one message body. */
typedef struct reader {
    const uint8_t *p;
    size_t n, off;
    const char *what; /* message name for errors */
    mice_err *err;
} reader;

/* Error texts are PostgreSQL's (pqformat.c, postgres.c), since clients see them. */
static mice_status rd_short(reader *r, const char *field)
{
    (void)field;
    return mice_err_setf(r->err, MICE_CORRUPT, "insufficient data left in message");
}

static mice_status rd_i32(reader *r, const char *field, int32_t *v)
{
    if (r->n - r->off < 4) return rd_short(r, field);
    *v = (int32_t)mice_load_be32(r->p + r->off);
    r->off += 4;
    return MICE_OK;
}

static mice_status rd_i16(reader *r, const char *field, int16_t *v)
{
    if (r->n - r->off < 2) return rd_short(r, field);
    *v = (int16_t)mice_load_be16(r->p + r->off);
    r->off += 2;
    return MICE_OK;
}

static mice_status rd_u8(reader *r, const char *field, uint8_t *v)
{
    if (r->n - r->off < 1) return rd_short(r, field);
    *v = r->p[r->off++];
    return MICE_OK;
}

static mice_status rd_str(reader *r, const char *field, const char **s, size_t *len)
{
    (void)field;
    const uint8_t *start = r->p + r->off;
    const uint8_t *nul = memchr(start, 0, r->n - r->off);
    if (!nul) return mice_err_setf(r->err, MICE_CORRUPT, "invalid string in message");
    *s = (const char *)start;
    if (len) *len = (size_t)(nul - start);
    r->off += (size_t)(nul - start) + 1;
    return MICE_OK;
}

static mice_status rd_bytes(reader *r, const char *field, size_t n, const uint8_t **out)
{
    if (r->n - r->off < n) return rd_short(r, field);
    *out = r->p + r->off;
    r->off += n;
    return MICE_OK;
}

static mice_status rd_end(reader *r)
{
    if (r->off != r->n) return mice_err_setf(r->err, MICE_CORRUPT, "invalid message format");
    return MICE_OK;
}

/* A count read from the wire: non-negative and plausible given the bytes left, so a
 * forged count cannot make us allocate more than the message could describe. */
static mice_status rd_count(reader *r, const char *field, size_t min_item_bytes, size_t *count)
{
    int16_t c = 0;
    mice_status rc = rd_i16(r, field, &c);
    if (rc) return rc;
    if (c < 0) return mice_err_setf(r->err, MICE_CORRUPT, "invalid message format");
    if ((size_t)c * min_item_bytes > r->n - r->off) return rd_short(r, field);
    *count = (size_t)c;
    return MICE_OK;
}

static void *alloc_array(mice_arena *a, size_t count, size_t size, mice_err *err)
{
    if (!count) return NULL;
    void *p = arena_alloc(a, count * size);
    if (!p) mice_err_setf(err, MICE_LIMIT, "message arrays exceed the decode budget");
    return p;
}

static mice_status rd_formats(reader *r, mice_arena *a, const char *field, int16_t **out, size_t *n)
{
    mice_status rc = rd_count(r, field, 2, n);
    if (rc) return rc;
    *out = alloc_array(a, *n, sizeof(int16_t), r->err);
    if (*n && !*out) return MICE_LIMIT;
    for (size_t i = 0; i < *n; i++) {
        if ((rc = rd_i16(r, field, &(*out)[i]))) return rc;
        if ((*out)[i] != 0 && (*out)[i] != 1)
            return mice_err_setf(r->err, MICE_INVALID, "unsupported format code: %d", (*out)[i]);
    }
    return MICE_OK;
}

static mice_status rd_values(reader *r, mice_arena *a, const char *field, pgw_value **out,
                             size_t *n)
{
    mice_status rc = rd_count(r, field, 4, n);
    if (rc) return rc;
    *out = alloc_array(a, *n, sizeof(pgw_value), r->err);
    if (*n && !*out) return MICE_LIMIT;
    for (size_t i = 0; i < *n; i++) {
        int32_t len = 0;
        if ((rc = rd_i32(r, field, &len))) return rc;
        pgw_value *v = &(*out)[i];
        if (len == -1) {
            *v = (pgw_value){.data = {NULL, 0}, .is_null = true};
            continue;
        }
        if (len < 0) return rd_short(r, field);
        const uint8_t *p = NULL;
        if ((rc = rd_bytes(r, field, (size_t)len, &p))) return rc;
        *v = (pgw_value){.data = mice_slice_of(p, (size_t)len), .is_null = false};
    }
    return MICE_OK;
}

static mice_status decode_startup_params(reader *r, mice_arena *a, pgw_startup_msg *m)
{
    pgw_param tmp[PGW_STARTUP_PARAMS_MAX];
    size_t n = 0;
    mice_status rc;
    for (;;) {
        const char *name = NULL, *value = NULL;
        size_t name_len = 0;
        if ((rc = rd_str(r, "parameter name", &name, &name_len))) return rc;
        if (name_len == 0) break;
        if ((rc = rd_str(r, "parameter value", &value, NULL))) return rc;
        if (n == PGW_STARTUP_PARAMS_MAX)
            return mice_err_setf(r->err, MICE_LIMIT, "more than %d startup parameters",
                                 PGW_STARTUP_PARAMS_MAX);
        tmp[n++] = (pgw_param){name, value};
    }
    if ((rc = rd_end(r))) return rc;
    m->params = alloc_array(a, n, sizeof(pgw_param), r->err);
    if (n && !m->params) return MICE_LIMIT;
    if (n) memcpy(m->params, tmp, n * sizeof(pgw_param));
    m->n_params = n;
    return MICE_OK;
}

static mice_status decode_startup(reader *r, mice_arena *a, pgw_fe_msg *out)
{
    int32_t code = 0;
    mice_status rc = rd_i32(r, "protocol version", &code);
    if (rc) return rc;
    if (code == PGW_SSL_REQUEST_CODE || code == PGW_GSSENC_REQUEST_CODE) {
        out->kind = code == PGW_SSL_REQUEST_CODE ? PGW_FE_SSL_REQUEST : PGW_FE_GSSENC_REQUEST;
        r->what = code == PGW_SSL_REQUEST_CODE ? "SSLRequest" : "GSSENCRequest";
        return rd_end(r);
    }
    if (code == PGW_CANCEL_REQUEST_CODE) {
        out->kind = PGW_FE_CANCEL_REQUEST;
        r->what = "CancelRequest";
        if ((rc = rd_i32(r, "process id", &out->u.cancel.pid))) return rc;
        if ((rc = rd_i32(r, "secret key", &out->u.cancel.secret_key))) return rc;
        return rd_end(r);
    }
    out->kind = PGW_FE_STARTUP;
    out->u.startup = (pgw_startup_msg){.version = code};
    if ((code >> 16) != 3) return MICE_OK; /* the connection refuses other majors */
    return decode_startup_params(r, a, &out->u.startup);
}

static mice_status decode_parse(reader *r, mice_arena *a, pgw_parse_msg *m)
{
    mice_status rc;
    if ((rc = rd_str(r, "statement name", &m->stmt_name, NULL))) return rc;
    if ((rc = rd_str(r, "query", &m->query, &m->query_len))) return rc;
    if ((rc = rd_count(r, "parameter type count", 4, &m->n_param_types))) return rc;
    m->param_types = alloc_array(a, m->n_param_types, sizeof(pgw_oid_t), r->err);
    if (m->n_param_types && !m->param_types) return MICE_LIMIT;
    for (size_t i = 0; i < m->n_param_types; i++)
        if ((rc = rd_i32(r, "parameter type", &m->param_types[i]))) return rc;
    return rd_end(r);
}

static mice_status decode_bind(reader *r, mice_arena *a, pgw_bind_msg *m)
{
    mice_status rc;
    if ((rc = rd_str(r, "portal name", &m->portal_name, NULL))) return rc;
    if ((rc = rd_str(r, "statement name", &m->stmt_name, NULL))) return rc;
    if ((rc = rd_formats(r, a, "parameter format count", &m->param_formats, &m->n_param_formats)))
        return rc;
    if ((rc = rd_values(r, a, "parameter count", &m->params, &m->n_params))) return rc;
    if (m->n_param_formats > 1 && m->n_param_formats != m->n_params)
        return mice_err_setf(r->err, MICE_CORRUPT,
                             "bind message has %zu parameter formats but %zu parameters",
                             m->n_param_formats, m->n_params);
    if ((rc = rd_formats(r, a, "result format count", &m->result_formats, &m->n_result_formats)))
        return rc;
    return rd_end(r);
}

static mice_status decode_function_call(reader *r, mice_arena *a, pgw_function_call_msg *m)
{
    mice_status rc;
    if ((rc = rd_i32(r, "function oid", &m->function_oid))) return rc;
    if ((rc = rd_formats(r, a, "argument format count", &m->arg_formats, &m->n_arg_formats)))
        return rc;
    if ((rc = rd_values(r, a, "argument count", &m->args, &m->n_args))) return rc;
    if ((rc = rd_i16(r, "result format", &m->result_format))) return rc;
    if (m->result_format != 0 && m->result_format != 1)
        return mice_err_setf(r->err, MICE_INVALID, "unsupported format code: %d", m->result_format);
    return rd_end(r);
}

/* Describe and Close: kind byte 'S' or 'P', then a name. */
static mice_status decode_target(reader *r, const char *verb, char *kind, const char **name)
{
    uint8_t k = 0;
    mice_status rc = rd_u8(r, "target kind", &k);
    if (rc) return rc;
    if (k != 'S' && k != 'P')
        return mice_err_setf(r->err, MICE_INVALID, "invalid %s message subtype %u", verb, k);
    *kind = (char)k;
    if ((rc = rd_str(r, "name", name, NULL))) return rc;
    return rd_end(r);
}

static mice_status decode_auth(reader *r, pgw_auth_expect expect, pgw_fe_msg *out)
{
    mice_status rc;
    switch (expect) {
    case PGW_AUTH_EXPECT_PASSWORD:
        out->kind = PGW_FE_PASSWORD;
        r->what = "PasswordMessage";
        if ((rc = rd_str(r, "password", &out->u.password.password, NULL))) return rc;
        return rd_end(r);
    case PGW_AUTH_EXPECT_SASL_INITIAL: {
        out->kind = PGW_FE_SASL_INITIAL;
        r->what = "SASLInitialResponse";
        if ((rc = rd_str(r, "mechanism", &out->u.sasl_initial.mechanism, NULL))) return rc;
        int32_t len = 0;
        if ((rc = rd_i32(r, "data length", &len))) return rc;
        out->u.sasl_initial.has_data = len != -1;
        out->u.sasl_initial.data = mice_slice_of(r->p + r->off, 0);
        if (len == -1) return rd_end(r);
        if (len < 0) return rd_short(r, "data");
        const uint8_t *p = NULL;
        if ((rc = rd_bytes(r, "data", (size_t)len, &p))) return rc;
        out->u.sasl_initial.data = mice_slice_of(p, (size_t)len);
        return rd_end(r);
    }
    case PGW_AUTH_EXPECT_SASL_RESPONSE:
        out->kind = PGW_FE_SASL_RESPONSE;
        out->u.sasl_response = mice_slice_of(r->p, r->n);
        return MICE_OK;
    }
    return mice_err_setf(r->err, MICE_INVALID, "unknown authentication state %d", (int)expect);
}

static mice_status decode_typed(reader *r, uint8_t type, pgw_auth_expect expect, mice_arena *a,
                                pgw_fe_msg *out)
{
    mice_status rc;
    switch (type) {
    case 'Q':
        out->kind = PGW_FE_QUERY;
        if ((rc = rd_str(r, "query", &out->u.query.sql, &out->u.query.sql_len))) return rc;
        return rd_end(r);
    case 'P':
        out->kind = PGW_FE_PARSE;
        return decode_parse(r, a, &out->u.parse);
    case 'B':
        out->kind = PGW_FE_BIND;
        return decode_bind(r, a, &out->u.bind);
    case 'D':
        out->kind = PGW_FE_DESCRIBE;
        return decode_target(r, "DESCRIBE", &out->u.describe.kind, &out->u.describe.name);
    case 'C':
        out->kind = PGW_FE_CLOSE;
        return decode_target(r, "CLOSE", &out->u.close.kind, &out->u.close.name);
    case 'E':
        out->kind = PGW_FE_EXECUTE;
        if ((rc = rd_str(r, "portal name", &out->u.execute.portal_name, NULL))) return rc;
        if ((rc = rd_i32(r, "row limit", &out->u.execute.max_rows))) return rc;
        return rd_end(r);
    case 'S':
        out->kind = PGW_FE_SYNC;
        return rd_end(r);
    case 'H':
        out->kind = PGW_FE_FLUSH;
        return rd_end(r);
    case 'X':
        out->kind = PGW_FE_TERMINATE;
        return rd_end(r);
    case 'p':
        return decode_auth(r, expect, out);
    case 'd':
        out->kind = PGW_FE_COPY_DATA;
        out->u.copy_data = mice_slice_of(r->p, r->n);
        return MICE_OK;
    case 'c':
        out->kind = PGW_FE_COPY_DONE;
        return rd_end(r);
    case 'f':
        out->kind = PGW_FE_COPY_FAIL;
        if ((rc = rd_str(r, "message", &out->u.copy_fail.message, NULL))) return rc;
        return rd_end(r);
    case 'F':
        out->kind = PGW_FE_FUNCTION_CALL;
        return decode_function_call(r, a, &out->u.function_call);
    }
    return mice_err_setf(r->err, MICE_CORRUPT, "invalid frontend message type %u", type);
}

mice_status pgw_decode(const pgw_frame *f, pgw_auth_expect expect, mice_arena *arena,
                       pgw_fe_msg *out, mice_err *err)
{
    memset(out, 0, sizeof *out);
    reader r = {.p = f->body.p, .n = f->body.n, .off = 0, .err = err};
    if (!r.p) r.p = (const uint8_t *)"";
    if (f->type == 0) {
        r.what = "startup packet";
        return decode_startup(&r, arena, out);
    }
    r.what = pgw_fe_type_name(f->type);
    return decode_typed(&r, f->type, expect, arena, out);
}

const char *pgw_startup_param(const pgw_startup_msg *m, const char *name)
{
    for (size_t i = 0; i < m->n_params; i++)
        if (strcmp(m->params[i].name, name) == 0) return m->params[i].value;
    return NULL;
}

int16_t pgw_bind_param_format(const pgw_bind_msg *m, size_t i)
{
    if (m->n_param_formats == 0) return 0;
    if (m->n_param_formats == 1) return m->param_formats[0];
    return i < m->n_param_formats ? m->param_formats[i] : 0;
}

mice_status pgw_bind_result_format(const pgw_bind_msg *m, size_t n_columns, size_t i,
                                   int16_t *format, mice_err *err)
{
    if (m->n_result_formats > 1 && m->n_result_formats != n_columns)
        return mice_err_setf(err, MICE_INVALID,
                             "bind message has %zu result formats but query has %zu columns",
                             m->n_result_formats, n_columns);
    if (m->n_result_formats == 0)
        *format = 0;
    else if (m->n_result_formats == 1)
        *format = m->result_formats[0];
    else
        *format = i < n_columns ? m->result_formats[i] : 0;
    return MICE_OK;
}

const char *pgw_fe_type_name(uint8_t type)
{
    switch (type) {
    case 'Q':
        return "Query";
    case 'P':
        return "Parse";
    case 'B':
        return "Bind";
    case 'D':
        return "Describe";
    case 'E':
        return "Execute";
    case 'S':
        return "Sync";
    case 'H':
        return "Flush";
    case 'C':
        return "Close";
    case 'X':
        return "Terminate";
    case 'p':
        return "PasswordMessage";
    case 'd':
        return "CopyData";
    case 'c':
        return "CopyDone";
    case 'f':
        return "CopyFail";
    case 'F':
        return "FunctionCall";
    }
    return "unknown";
}

/* ---------------------------------------------------------------- encoding */

/* Start a message: type byte and a length word patched by msg_end(). */
static size_t msg_begin(mice_buf *b, char type)
{
    buf_append_u8(b, (uint8_t)type);
    size_t at = b->n;
    buf_append_be32(b, 0);
    return at;
}

static void msg_end(mice_buf *b, size_t at)
{
    size_t len = b->n - at;
    mice_assert(len <= WIRE_INT32_MAX); /* our own messages; a 2 GiB row is our bug */
    mice_store_be32(b->p + at, (uint32_t)len);
}

static void put_cstr(mice_buf *b, const char *s)
{
    buf_append(b, s, strlen(s) + 1);
}

static void put_empty(mice_buf *b, char type)
{
    msg_end(b, msg_begin(b, type));
}

static void put_auth(mice_buf *b, int32_t code, mice_slice data)
{
    size_t at = msg_begin(b, 'R');
    buf_append_be32(b, (uint32_t)code);
    buf_append_slice(b, data);
    msg_end(b, at);
}

void pgw_put_auth_ok(mice_buf *b)
{
    put_auth(b, PGW_AUTH_OK, mice_slice_of("", 0));
}

void pgw_put_auth_cleartext_password(mice_buf *b)
{
    put_auth(b, PGW_AUTH_CLEARTEXT_PASSWORD, mice_slice_of("", 0));
}

void pgw_put_auth_sasl(mice_buf *b, const char *const *mechanisms, size_t n)
{
    size_t at = msg_begin(b, 'R');
    buf_append_be32(b, PGW_AUTH_SASL);
    for (size_t i = 0; i < n; i++)
        put_cstr(b, mechanisms[i]);
    buf_append_u8(b, 0);
    msg_end(b, at);
}

void pgw_put_auth_sasl_continue(mice_buf *b, mice_slice data)
{
    put_auth(b, PGW_AUTH_SASL_CONTINUE, data);
}

void pgw_put_auth_sasl_final(mice_buf *b, mice_slice data)
{
    put_auth(b, PGW_AUTH_SASL_FINAL, data);
}

void pgw_put_parameter_status(mice_buf *b, const char *name, const char *value)
{
    size_t at = msg_begin(b, 'S');
    put_cstr(b, name);
    put_cstr(b, value);
    msg_end(b, at);
}

void pgw_put_backend_key_data(mice_buf *b, int32_t pid, int32_t secret_key)
{
    size_t at = msg_begin(b, 'K');
    buf_append_be32(b, (uint32_t)pid);
    buf_append_be32(b, (uint32_t)secret_key);
    msg_end(b, at);
}

void pgw_put_ready_for_query(mice_buf *b, char status)
{
    mice_assert(status == 'I' || status == 'T' || status == 'E');
    size_t at = msg_begin(b, 'Z');
    buf_append_u8(b, (uint8_t)status);
    msg_end(b, at);
}

void pgw_put_row_description(mice_buf *b, const pgw_field *fields, size_t n)
{
    mice_assert(n <= INT16_MAX);
    size_t at = msg_begin(b, 'T');
    buf_append_be16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        const pgw_field *f = &fields[i];
        put_cstr(b, f->name);
        buf_append_be32(b, (uint32_t)f->table_oid);
        buf_append_be16(b, (uint16_t)f->attnum);
        buf_append_be32(b, (uint32_t)f->type_oid);
        buf_append_be16(b, (uint16_t)f->typlen);
        buf_append_be32(b, (uint32_t)f->typmod);
        buf_append_be16(b, (uint16_t)f->format);
    }
    msg_end(b, at);
}

void pgw_put_data_row(mice_buf *b, const pgw_value *values, size_t n)
{
    mice_assert(n <= INT16_MAX);
    size_t at = msg_begin(b, 'D');
    buf_append_be16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        if (values[i].is_null) {
            buf_append_be32(b, UINT32_MAX); /* -1 */
            continue;
        }
        mice_assert(values[i].data.n <= WIRE_INT32_MAX);
        buf_append_be32(b, (uint32_t)values[i].data.n);
        buf_append_slice(b, values[i].data);
    }
    msg_end(b, at);
}

void pgw_put_command_complete(mice_buf *b, const char *tag)
{
    size_t at = msg_begin(b, 'C');
    put_cstr(b, tag);
    msg_end(b, at);
}

void pgw_put_empty_query_response(mice_buf *b)
{
    put_empty(b, 'I');
}

static void put_field(mice_buf *b, char code, const char *value)
{
    if (!value) return;
    buf_append_u8(b, (uint8_t)code);
    put_cstr(b, value);
}

static void put_int_field(mice_buf *b, char code, int32_t value)
{
    if (value <= 0) return;
    char text[16];
    snprintf(text, sizeof text, "%d", (int)value);
    put_field(b, code, text);
}

static void put_error_fields(mice_buf *b, char type, const pgw_error *e)
{
    mice_assert(e->severity && e->sqlstate && e->message);
    size_t at = msg_begin(b, type);
    put_field(b, 'S', e->severity);
    put_field(b, 'V', e->severity); /* non-localized severity: we never localize */
    put_field(b, 'C', e->sqlstate);
    put_field(b, 'M', e->message);
    put_field(b, 'D', e->detail);
    put_field(b, 'H', e->hint);
    put_int_field(b, 'P', e->position);
    put_int_field(b, 'p', e->internal_position);
    put_field(b, 'q', e->internal_query);
    put_field(b, 'W', e->where);
    put_field(b, 's', e->schema_name);
    put_field(b, 't', e->table_name);
    put_field(b, 'c', e->column_name);
    put_field(b, 'd', e->datatype_name);
    put_field(b, 'n', e->constraint_name);
    put_field(b, 'F', e->file);
    put_int_field(b, 'L', e->line);
    put_field(b, 'R', e->routine);
    buf_append_u8(b, 0);
    msg_end(b, at);
}

void pgw_put_error_response(mice_buf *b, const pgw_error *e)
{
    put_error_fields(b, 'E', e);
}

void pgw_put_notice_response(mice_buf *b, const pgw_error *e)
{
    put_error_fields(b, 'N', e);
}

void pgw_put_parse_complete(mice_buf *b)
{
    put_empty(b, '1');
}

void pgw_put_bind_complete(mice_buf *b)
{
    put_empty(b, '2');
}

void pgw_put_close_complete(mice_buf *b)
{
    put_empty(b, '3');
}

void pgw_put_no_data(mice_buf *b)
{
    put_empty(b, 'n');
}

void pgw_put_parameter_description(mice_buf *b, const pgw_oid_t *types, size_t n)
{
    mice_assert(n <= UINT16_MAX);
    size_t at = msg_begin(b, 't');
    buf_append_be16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        buf_append_be32(b, (uint32_t)types[i]);
    msg_end(b, at);
}

void pgw_put_portal_suspended(mice_buf *b)
{
    put_empty(b, 's');
}

static void put_copy_response(mice_buf *b, char type, int8_t format, const int16_t *formats,
                              size_t n)
{
    mice_assert(n <= INT16_MAX);
    size_t at = msg_begin(b, type);
    buf_append_u8(b, (uint8_t)format);
    buf_append_be16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        buf_append_be16(b, (uint16_t)formats[i]);
    msg_end(b, at);
}

void pgw_put_copy_in_response(mice_buf *b, int8_t format, const int16_t *column_formats, size_t n)
{
    put_copy_response(b, 'G', format, column_formats, n);
}

void pgw_put_copy_out_response(mice_buf *b, int8_t format, const int16_t *column_formats, size_t n)
{
    put_copy_response(b, 'H', format, column_formats, n);
}

void pgw_put_copy_data(mice_buf *b, mice_slice data)
{
    size_t at = msg_begin(b, 'd');
    buf_append_slice(b, data);
    msg_end(b, at);
}

void pgw_put_copy_done(mice_buf *b)
{
    put_empty(b, 'c');
}

void pgw_put_negotiate_protocol_version(mice_buf *b, int32_t newest_minor,
                                        const char *const *unrecognized, size_t n)
{
    size_t at = msg_begin(b, 'v');
    buf_append_be32(b, (uint32_t)newest_minor);
    buf_append_be32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        put_cstr(b, unrecognized[i]);
    msg_end(b, at);
}

void pgw_put_ssl_refuse(mice_buf *b)
{
    buf_append_u8(b, 'N');
}
