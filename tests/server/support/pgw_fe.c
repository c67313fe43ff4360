#include "pgw_fe.h"

#include <stdio.h>
#include <string.h>

#include "base/check.h"

/* psql 15.18 on a terminal, captured byte for byte through a loopback proxy: SSLRequest,
 * then StartupMessage 3.0 with user, database, application_name and client_encoding. */
const uint8_t fe_psql15_startup[] = {
    0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f, 0x00, 0x00, 0x00, 0x54, 0x00, 0x03, 0x00, 0x00,
    0x75, 0x73, 0x65, 0x72, 0x00, 0x70, 0x6f, 0x73, 0x74, 0x67, 0x72, 0x65, 0x73, 0x00, 0x64, 0x61,
    0x74, 0x61, 0x62, 0x61, 0x73, 0x65, 0x00, 0x70, 0x6f, 0x73, 0x74, 0x67, 0x72, 0x65, 0x73, 0x00,
    0x61, 0x70, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x6e, 0x61, 0x6d, 0x65,
    0x00, 0x70, 0x73, 0x71, 0x6c, 0x00, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x65, 0x6e, 0x63,
    0x6f, 0x64, 0x69, 0x6e, 0x67, 0x00, 0x55, 0x54, 0x46, 0x38, 0x00, 0x00,
};
const size_t fe_psql15_startup_len = sizeof fe_psql15_startup;

static size_t begin(mice_buf *b, uint8_t type)
{
    if (type) buf_append_u8(b, type);
    size_t at = b->n;
    buf_append_be32(b, 0);
    return at;
}

static void end(mice_buf *b, size_t at)
{
    mice_store_be32(b->p + at, (uint32_t)(b->n - at));
}

static void cstr(mice_buf *b, const char *s)
{
    buf_append(b, s, strlen(s) + 1);
}

void fe_ssl_request(mice_buf *b)
{
    size_t at = begin(b, 0);
    buf_append_be32(b, PGW_SSL_REQUEST_CODE);
    end(b, at);
}

void fe_gssenc_request(mice_buf *b)
{
    size_t at = begin(b, 0);
    buf_append_be32(b, PGW_GSSENC_REQUEST_CODE);
    end(b, at);
}

void fe_cancel_request(mice_buf *b, int32_t pid, int32_t key)
{
    size_t at = begin(b, 0);
    buf_append_be32(b, PGW_CANCEL_REQUEST_CODE);
    buf_append_be32(b, (uint32_t)pid);
    buf_append_be32(b, (uint32_t)key);
    end(b, at);
}

void fe_startup(mice_buf *b, int32_t version, const char *const *kv)
{
    size_t at = begin(b, 0);
    buf_append_be32(b, (uint32_t)version);
    for (size_t i = 0; kv && kv[i]; i++)
        cstr(b, kv[i]);
    buf_append_u8(b, 0);
    end(b, at);
}

void fe_query(mice_buf *b, const char *sql)
{
    size_t at = begin(b, 'Q');
    cstr(b, sql);
    end(b, at);
}

void fe_parse(mice_buf *b, const char *name, const char *sql, const pgw_oid_t *types, size_t n)
{
    size_t at = begin(b, 'P');
    cstr(b, name);
    cstr(b, sql);
    buf_append_be16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        buf_append_be32(b, (uint32_t)types[i]);
    end(b, at);
}

static void values(mice_buf *b, const pgw_value *v, size_t n)
{
    buf_append_be16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        if (v[i].is_null) {
            buf_append_be32(b, UINT32_MAX);
            continue;
        }
        buf_append_be32(b, (uint32_t)v[i].data.n);
        buf_append_slice(b, v[i].data);
    }
}

static void formats(mice_buf *b, const int16_t *f, size_t n)
{
    buf_append_be16(b, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        buf_append_be16(b, (uint16_t)f[i]);
}

void fe_bind(mice_buf *b, const char *portal, const char *stmt, const int16_t *fmts,
             size_t n_formats, const pgw_value *vals, size_t n_values,
             const int16_t *result_formats, size_t n_result_formats)
{
    size_t at = begin(b, 'B');
    cstr(b, portal);
    cstr(b, stmt);
    formats(b, fmts, n_formats);
    values(b, vals, n_values);
    formats(b, result_formats, n_result_formats);
    end(b, at);
}

void fe_describe(mice_buf *b, char kind, const char *name)
{
    size_t at = begin(b, 'D');
    buf_append_u8(b, (uint8_t)kind);
    cstr(b, name);
    end(b, at);
}

void fe_execute(mice_buf *b, const char *portal, int32_t max_rows)
{
    size_t at = begin(b, 'E');
    cstr(b, portal);
    buf_append_be32(b, (uint32_t)max_rows);
    end(b, at);
}

void fe_close(mice_buf *b, char kind, const char *name)
{
    size_t at = begin(b, 'C');
    buf_append_u8(b, (uint8_t)kind);
    cstr(b, name);
    end(b, at);
}

void fe_sync(mice_buf *b)
{
    end(b, begin(b, 'S'));
}

void fe_flush(mice_buf *b)
{
    end(b, begin(b, 'H'));
}

void fe_terminate(mice_buf *b)
{
    end(b, begin(b, 'X'));
}

void fe_password(mice_buf *b, const char *password)
{
    size_t at = begin(b, 'p');
    cstr(b, password);
    end(b, at);
}

void fe_sasl_initial(mice_buf *b, const char *mechanism, const void *data, int32_t len)
{
    size_t at = begin(b, 'p');
    cstr(b, mechanism);
    buf_append_be32(b, (uint32_t)len);
    if (len > 0) buf_append(b, data, (size_t)len);
    end(b, at);
}

void fe_sasl_response(mice_buf *b, const void *data, size_t n)
{
    size_t at = begin(b, 'p');
    buf_append(b, data, n);
    end(b, at);
}

void fe_copy_data(mice_buf *b, const void *data, size_t n)
{
    size_t at = begin(b, 'd');
    buf_append(b, data, n);
    end(b, at);
}

void fe_copy_done(mice_buf *b)
{
    end(b, begin(b, 'c'));
}

void fe_copy_fail(mice_buf *b, const char *message)
{
    size_t at = begin(b, 'f');
    cstr(b, message);
    end(b, at);
}

void fe_function_call(mice_buf *b, pgw_oid_t oid, const int16_t *fmts, size_t n_formats,
                      const pgw_value *args, size_t n_args, int16_t result_format)
{
    size_t at = begin(b, 'F');
    buf_append_be32(b, (uint32_t)oid);
    formats(b, fmts, n_formats);
    values(b, args, n_args);
    buf_append_be16(b, (uint16_t)result_format);
    end(b, at);
}

void fe_raw(mice_buf *b, uint8_t type, const void *body, size_t n)
{
    size_t at = begin(b, type);
    buf_append(b, body, n);
    end(b, at);
}

size_t be_split(mice_slice s, be_msg *out, size_t max)
{
    size_t n = 0, off = 0;
    while (off < s.n) {
        mice_assert(s.n - off >= 5);
        uint32_t len = mice_load_be32(s.p + off + 1);
        mice_assert(len >= 4 && s.n - off - 1 >= len);
        if (n < max) out[n] = (be_msg){(char)s.p[off], mice_slice_of(s.p + off + 5, len - 4)};
        n++;
        off += 1 + len;
    }
    return n < max ? n : max;
}

const char *be_types(mice_slice s, char *out, size_t cap)
{
    size_t n = 0, off = 0;
    while (off < s.n && n + 1 < cap) {
        mice_assert(s.n - off >= 5);
        uint32_t len = mice_load_be32(s.p + off + 1);
        mice_assert(len >= 4 && s.n - off - 1 >= len);
        out[n++] = (char)s.p[off];
        off += 1 + len;
    }
    out[n] = 0;
    return out;
}

const char *be_error_field(const be_msg *m, char code)
{
    static char value[512];
    size_t off = 0;
    while (off < m->body.n && m->body.p[off]) {
        char c = (char)m->body.p[off++];
        const char *v = (const char *)m->body.p + off;
        size_t len = strnlen(v, m->body.n - off);
        if (c == code) {
            snprintf(value, sizeof value, "%.*s", (int)len, v);
            return value;
        }
        off += len + 1;
    }
    return "";
}
