/* array.c - one-dimensional arrays as flat values (see array.h). */
#include "sql/array.h"

#include <ctype.h>
#include <string.h>

#include "base/check.h"
#include "sql/value_io.h"

#define SQLSTATE_ARRAY_SUBSCRIPT_ERROR "2202E"

bool array_type_is(sql_type_id t)
{
    return sql_type_elem(t) != SQL_TYPE_INVALID;
}

static bool is_vector(sql_type_id t)
{
    return t == SQL_TYPE_INT2VECTOR || t == SQL_TYPE_OIDVECTOR;
}

/* How an element type is stored. */
typedef enum { ELEM_FIXED, ELEM_BYTES, ELEM_NUMERIC, ELEM_OTHER } elem_form;

static elem_form form_of(sql_type_id t)
{
    if (t == SQL_TYPE_NUMERIC) return ELEM_NUMERIC;
    if (sql_type_is_string(t) || t == SQL_TYPE_BYTEA || t == SQL_TYPE_ACLITEM || t == SQL_TYPE_JSON)
        return ELEM_BYTES;
    if (t == SQL_TYPE_BOOL || sql_type_is_integer(t) || sql_type_is_float(t) ||
        sql_type_is_datetime(t))
        return ELEM_FIXED;
    return ELEM_OTHER;
}

/* ---- building and walking ---- */

static mice_status put_elem(mice_buf *b, sql_type_id elem, const sql_datum *d, sql_error *err)
{
    if (d->is_null) {
        buf_append_u8(b, 0);
        return MICE_OK;
    }
    buf_append_u8(b, 1);
    switch (form_of(elem)) {
    case ELEM_FIXED: {
        uint8_t raw[8] = {0};
        memcpy(raw, &d->v, sizeof raw);
        buf_append(b, raw, sizeof raw);
        return MICE_OK;
    }
    case ELEM_BYTES:
        buf_append_be32(b, (uint32_t)d->v.s.n);
        buf_append_slice(b, d->v.s);
        return MICE_OK;
    case ELEM_NUMERIC: {
        size_t at = b->n;
        buf_append_be32(b, 0);
        numeric_send(d->v.num, b);
        mice_store_be32(b->p + at, (uint32_t)(b->n - at - 4));
        return MICE_OK;
    }
    case ELEM_OTHER:
        break;
    }
    char tn[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(elem, -1), tn, sizeof tn);
    return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "arrays of type %s are not supported yet", tn);
}

mice_status array_build(sql_type_id array_type, const sql_datum *elems, uint32_t n, int32_t lbound,
                        mice_arena *arena, sql_datum *out, sql_error *err)
{
    sql_type_id elem = sql_type_elem(array_type);
    mice_assert(elem != SQL_TYPE_INVALID);
    mice_buf b;
    buf_init(&b);
    buf_append_be32(&b, (uint32_t)elem);
    buf_append_be32(&b, n);
    buf_append_be32(&b, (uint32_t)lbound);
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; rc == MICE_OK && i < n; i++)
        rc = put_elem(&b, elem, &elems[i], err);
    if (rc == MICE_OK) {
        mice_slice s = arena_slice_dup(arena, buf_slice(&b));
        if (!s.p) rc = sqlerr_nomem(err);
        *out = datum_bytes(array_type, s);
        out->type = array_type;
    }
    buf_deinit(&b);
    return rc;
}

/* Whether a holds array bytes at all (a datum of another type, as a badly typed call
 * could pass, reads as an empty array). */
static bool has_header(const sql_datum *a)
{
    return !a->is_null && array_type_is(a->type) && a->v.s.n >= SQL_ARRAY_HEADER_BYTES;
}

uint32_t array_count(const sql_datum *a)
{
    return has_header(a) ? mice_load_be32(a->v.s.p + 4) : 0;
}

int32_t array_lbound(const sql_datum *a)
{
    return has_header(a) ? (int32_t)mice_load_be32(a->v.s.p + 8) : 1;
}

sql_type_id array_elem(const sql_datum *a)
{
    return has_header(a) ? (sql_type_id)mice_load_be32(a->v.s.p) : sql_type_elem(a->type);
}

void array_iter_init(array_iter *it, const sql_datum *a)
{
    it->elem = array_elem(a);
    it->left = array_count(a);
    it->rest = has_header(a) ? mice_slice_of(a->v.s.p + SQL_ARRAY_HEADER_BYTES,
                                             a->v.s.n - SQL_ARRAY_HEADER_BYTES)
                             : mice_slice_of(NULL, 0);
}

/* Bytes that do not decode end the walk (never for arrays built here). */
static bool stop(array_iter *it)
{
    it->left = 0;
    return false;
}

bool array_iter_next(array_iter *it, mice_arena *arena, sql_datum *out)
{
    if (it->left == 0 || it->rest.n < 1) return stop(it);
    it->left--;
    uint8_t flag = it->rest.p[0];
    it->rest.p++;
    it->rest.n--;
    *out = (sql_datum){.type = it->elem};
    if (!flag) {
        out->is_null = true;
        return true;
    }
    if (form_of(it->elem) == ELEM_FIXED) {
        if (it->rest.n < 8) return stop(it);
        memcpy(&out->v, it->rest.p, 8);
        it->rest.p += 8;
        it->rest.n -= 8;
        return true;
    }
    if (it->rest.n < 4 || it->rest.n - 4 < mice_load_be32(it->rest.p)) return stop(it);
    uint32_t len = mice_load_be32(it->rest.p);
    mice_slice body = mice_slice_of(it->rest.p + 4, len);
    it->rest.p += 4 + len;
    it->rest.n -= 4 + len;
    if (form_of(it->elem) == ELEM_NUMERIC) {
        const sql_numeric *num = NULL;
        if (!arena || numeric_recv(body, -1, arena, &num, NULL)) return stop(it);
        out->v.num = num;
        return true;
    }
    out->v.s = body;
    return true;
}

void array_get(const sql_datum *a, int64_t index, mice_arena *arena, sql_datum *out)
{
    sql_type_id elem = array_elem(a);
    int64_t pos = index - array_lbound(a);
    *out = datum_null(elem);
    if (a->is_null || pos < 0 || pos >= array_count(a)) return;
    array_iter it;
    array_iter_init(&it, a);
    for (int64_t i = 0; array_iter_next(&it, arena, out); i++)
        if (i == pos) return;
    *out = datum_null(elem);
}

/* ---- order and hashing ---- */

bool array_types_comparable(sql_type_id a, sql_type_id b)
{
    sql_type_id ea = sql_type_elem(a), eb = sql_type_elem(b);
    return ea != SQL_TYPE_INVALID && eb != SQL_TYPE_INVALID && datum_types_comparable(ea, eb);
}

int array_cmp(const sql_datum *a, const sql_datum *b, const sql_value_ctx *ctx)
{
    /* numeric elements need memory to decode: a small private arena */
    bool num = array_elem(a) == SQL_TYPE_NUMERIC || array_elem(b) == SQL_TYPE_NUMERIC;
    mice_arena *scratch = num ? arena_create(NULL, "array cmp", 0) : NULL;
    array_iter ia, ib;
    array_iter_init(&ia, a);
    array_iter_init(&ib, b);
    sql_datum x, y;
    int c = 0;
    for (;;) {
        bool ha = array_iter_next(&ia, scratch, &x), hb = array_iter_next(&ib, scratch, &y);
        if (!ha || !hb) {
            c = ha ? 1 : hb ? -1 : 0;
            break;
        }
        if ((c = datum_cmp(&x, &y, ctx)) != 0) break;
    }
    arena_destroy(scratch);
    return c;
}

uint64_t array_hash(const sql_datum *a)
{
    mice_arena *scratch =
        array_elem(a) == SQL_TYPE_NUMERIC ? arena_create(NULL, "array hash", 0) : NULL;
    array_iter it;
    array_iter_init(&it, a);
    uint64_t h = 1;
    sql_datum x;
    while (array_iter_next(&it, scratch, &x))
        h = h * 31 + (x.is_null ? 0 : datum_hash(&x));
    arena_destroy(scratch);
    return h;
}

/* ---- text ---- */

static bool needs_quotes(mice_slice s)
{
    if (s.n == 0) return true;
    if (s.n == 4 && strncasecmp((const char *)s.p, "null", 4) == 0) return true;
    for (size_t i = 0; i < s.n; i++) {
        uint8_t c = s.p[i];
        if (c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || isspace(c)) return true;
    }
    return false;
}

mice_status array_to_text(const sql_datum *a, const sql_value_ctx *ctx, mice_buf *out,
                          sql_error *err)
{
    bool vec = is_vector(a->type);
    mice_arena *scratch =
        array_elem(a) == SQL_TYPE_NUMERIC ? arena_create(NULL, "array out", 0) : NULL;
    mice_buf item;
    buf_init(&item);
    if (!vec) buf_append_u8(out, '{');
    array_iter it;
    array_iter_init(&it, a);
    sql_datum x;
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; rc == MICE_OK && array_iter_next(&it, scratch, &x); i++) {
        if (i) buf_append_u8(out, vec ? ' ' : ',');
        if (x.is_null) {
            buf_append_str(out, "NULL");
            continue;
        }
        buf_reset(&item);
        rc = value_to_text(&x, ctx, &item, err);
        if (rc || vec || !needs_quotes(buf_slice(&item))) {
            buf_append_slice(out, buf_slice(&item));
            continue;
        }
        buf_append_u8(out, '"');
        for (size_t k = 0; k < item.n; k++) {
            if (item.p[k] == '"' || item.p[k] == '\\') buf_append_u8(out, '\\');
            buf_append_u8(out, item.p[k]);
        }
        buf_append_u8(out, '"');
    }
    if (!vec) buf_append_u8(out, '}');
    buf_deinit(&item);
    arena_destroy(scratch);
    return rc;
}

static mice_status malformed(sql_error *err, mice_slice text, const char *detail)
{
    int n = text.n > 256 ? 256 : (int)text.n;
    sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_TEXT_REPRESENTATION,
               "malformed array literal: \"%.*s\"", n, (const char *)text.p);
    sqlerr_detail(err, "%s", detail);
    return MICE_INVALID;
}

typedef struct elems {
    sql_datum *v;
    uint32_t n, cap;
} elems;

static mice_status push(elems *e, mice_arena *arena, sql_datum d, sql_error *err)
{
    if (e->n == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 8;
        sql_datum *v = ARENA_NEW_ARRAY(arena, sql_datum, cap);
        if (!v) return sqlerr_nomem(err);
        if (e->n) memcpy(v, e->v, sizeof *v * e->n);
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = d;
    return MICE_OK;
}

static mice_status vector_from_text(sql_type t, mice_slice text, mice_arena *arena, sql_datum *out,
                                    sql_error *err)
{
    elems e = {0};
    sql_type_id elem = sql_type_elem(t.id);
    size_t i = 0;
    while (i < text.n) {
        while (i < text.n && isspace(text.p[i]))
            i++;
        size_t start = i;
        while (i < text.n && !isspace(text.p[i]))
            i++;
        if (i == start) break;
        sql_datum d;
        mice_status rc =
            value_from_text(sql_type_make(elem, -1), mice_slice_of(text.p + start, i - start), NULL,
                            arena, &d, err);
        if (!rc) rc = push(&e, arena, d, err);
        if (rc) return rc;
    }
    return array_build(t.id, e.v, e.n, 0, arena, out, err);
}

/* One element of a '{...}' literal starting at *pos: its text (escapes resolved) into
 * item; *null for an unquoted NULL. */
static mice_status scan_item(mice_slice text, size_t *pos, mice_buf *item, bool *null,
                             sql_error *err)
{
    size_t i = *pos;
    bool quoted = false, any = false;
    buf_reset(item);
    *null = false;
    while (i < text.n && isspace(text.p[i]))
        i++;
    if (i < text.n && text.p[i] == '"') {
        quoted = true;
        for (i++; i < text.n && text.p[i] != '"'; i++) {
            if (text.p[i] == '\\' && i + 1 < text.n) i++;
            buf_append_u8(item, text.p[i]);
        }
        if (i >= text.n) return malformed(err, text, "Unexpected end of input.");
        i++;
        while (i < text.n && isspace(text.p[i]))
            i++;
    } else {
        size_t trail = 0;
        for (; i < text.n && text.p[i] != ',' && text.p[i] != '}'; i++) {
            if (text.p[i] == '{' || text.p[i] == '"')
                return malformed(err, text, "Unexpected \"{\" character.");
            if (text.p[i] == '\\' && i + 1 < text.n) {
                buf_append_u8(item, text.p[++i]);
                trail = 0;
                any = true;
                continue;
            }
            trail = isspace(text.p[i]) ? trail + 1 : 0;
            buf_append_u8(item, text.p[i]);
            any = any || !isspace(text.p[i]);
        }
        buf_truncate(item, item->n - trail);
        if (!any) return malformed(err, text, "Unexpected \",\" character.");
        *null = item->n == 4 && strncasecmp((const char *)item->p, "null", 4) == 0;
    }
    (void)quoted;
    *pos = i;
    return MICE_OK;
}

mice_status array_from_text(sql_type t, mice_slice text, const sql_value_ctx *ctx,
                            mice_arena *arena, sql_datum *out, sql_error *err)
{
    if (is_vector(t.id)) return vector_from_text(t, text, arena, out, err);
    sql_type elem = sql_type_make(sql_type_elem(t.id), t.typmod);
    size_t i = 0;
    while (i < text.n && isspace(text.p[i]))
        i++;
    if (i < text.n && text.p[i] == '[')
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "array dimension decorations are not supported yet");
    if (i >= text.n || text.p[i] != '{')
        return malformed(err, text, "Array value must start with \"{\" or dimension information.");
    i++;
    elems e = {0};
    mice_buf item;
    buf_init(&item);
    mice_status rc = MICE_OK;
    size_t j = i;
    while (j < text.n && isspace(text.p[j]))
        j++;
    bool empty = j < text.n && text.p[j] == '}';
    if (empty) i = j;
    if (!empty && j < text.n && text.p[j] == '{')
        rc = sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "multidimensional arrays are not supported yet");
    while (rc == MICE_OK && !empty) {
        bool null;
        rc = scan_item(text, &i, &item, &null, err);
        sql_datum d = datum_null(elem.id);
        if (rc == MICE_OK && !null)
            rc = value_from_text(elem, buf_slice(&item), ctx, arena, &d, err);
        if (rc == MICE_OK) rc = push(&e, arena, d, err);
        if (rc) break;
        if (i < text.n && text.p[i] == ',') {
            i++;
            continue;
        }
        if (i < text.n && text.p[i] == '}') break;
        rc = malformed(err, text, "Unexpected end of input.");
    }
    buf_deinit(&item);
    if (rc) return rc;
    for (i++; i < text.n; i++)
        if (!isspace(text.p[i])) return malformed(err, text, "Junk after closing right brace.");
    return array_build(t.id, e.v, e.n, 1, arena, out, err);
}

mice_status array_send(const sql_datum *a, mice_buf *out, sql_error *err)
{
    uint32_t n = array_count(a);
    mice_arena *scratch =
        array_elem(a) == SQL_TYPE_NUMERIC ? arena_create(NULL, "array send", 0) : NULL;
    array_iter it;
    array_iter_init(&it, a);
    sql_datum x;
    bool has_null = false;
    while (array_iter_next(&it, scratch, &x))
        has_null |= x.is_null;
    buf_append_be32(out, n ? 1 : 0);
    buf_append_be32(out, has_null ? 1 : 0);
    buf_append_be32(out, (uint32_t)array_elem(a));
    if (n) {
        buf_append_be32(out, n);
        buf_append_be32(out, (uint32_t)array_lbound(a));
    }
    array_iter_init(&it, a);
    mice_status rc = MICE_OK;
    while (rc == MICE_OK && array_iter_next(&it, scratch, &x)) {
        if (x.is_null) {
            buf_append_be32(out, UINT32_MAX);
            continue;
        }
        size_t at = out->n;
        buf_append_be32(out, 0);
        rc = value_send(&x, out, err);
        mice_store_be32(out->p + at, (uint32_t)(out->n - at - 4));
    }
    arena_destroy(scratch);
    return rc;
}

/* PostgreSQL's array_recv: ndim, flags, element type, then per dimension (count, lower
 * bound), then per element a length (-1 NULL) and the element's binary form. */
mice_status array_recv(sql_type t, mice_slice bytes, const sql_value_ctx *ctx, mice_arena *arena,
                       sql_datum *out, sql_error *err)
{
    sql_type elem = sql_type_make(sql_type_elem(t.id), is_vector(t.id) ? -1 : t.typmod);
    if (bytes.n < 12) goto bad;
    int32_t ndim = (int32_t)mice_load_be32(bytes.p);
    int32_t flags = (int32_t)mice_load_be32(bytes.p + 4);
    uint32_t elem_oid = mice_load_be32(bytes.p + 8);
    size_t pos = 12;
    if (ndim < 0 || ndim > 6)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "invalid number of dimensions: %d", ndim);
    if (ndim > 1)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "multidimensional arrays are not supported yet");
    if (flags != 0 && flags != 1)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "invalid array flags");
    if (elem_oid != (uint32_t)elem.id) {
        char want[SQL_TYPE_NAME_MAX];
        sql_type_format(sql_type_make(elem.id, -1), want, sizeof want);
        return sqlerr_set(err, MICE_INVALID, "42804",
                          "binary data has array element type %u instead of expected %u (%s)",
                          elem_oid, (unsigned)elem.id, want);
    }
    uint32_t n = 0;
    int32_t lbound = is_vector(t.id) ? 0 : 1;
    if (ndim == 1) {
        if (bytes.n < pos + 8) goto bad;
        int32_t dim = (int32_t)mice_load_be32(bytes.p + pos);
        lbound = (int32_t)mice_load_be32(bytes.p + pos + 4);
        pos += 8;
        if (dim < 0 || (size_t)dim > (bytes.n - pos) / 4)
            return sqlerr_set(err, MICE_INVALID, "54000", "array size exceeds the maximum allowed");
        n = (uint32_t)dim;
    }
    sql_datum *v = ARENA_NEW_ARRAY(arena, sql_datum, n ? n : 1);
    if (!v) return sqlerr_nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        if (bytes.n < pos + 4) goto bad;
        int32_t len = (int32_t)mice_load_be32(bytes.p + pos);
        pos += 4;
        if (len == -1) {
            v[i] = datum_null(elem.id);
            continue;
        }
        if (len < 0 || (size_t)len > bytes.n - pos) goto bad;
        mice_status rc =
            value_recv(elem, mice_slice_of(bytes.p + pos, (size_t)len), ctx, arena, &v[i], err);
        if (rc) return rc;
        pos += (size_t)len;
    }
    if (pos != bytes.n) goto bad;
    return array_build(t.id, v, n, lbound, arena, out, err);
bad:
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                      "incorrect binary data format");
}

/* ---- casts ---- */

sql_cast_context array_cast_lookup(sql_type_id from, sql_type_id to)
{
    sql_type_id ef = sql_type_elem(from), et = sql_type_elem(to);
    if (ef == SQL_TYPE_INVALID || et == SQL_TYPE_INVALID) return SQL_CAST_NONE;
    if (is_vector(from) && ef == et) return SQL_CAST_IMPLICIT;
    if (is_vector(to)) return SQL_CAST_NONE;
    return sql_cast_lookup(ef, et);
}

mice_status array_cast(const sql_datum *in, sql_type target, sql_cast_context kind,
                       const sql_value_ctx *ctx, mice_arena *arena, sql_datum *out, sql_error *err)
{
    sql_type elem = sql_type_make(sql_type_elem(target.id), target.typmod);
    uint32_t n = array_count(in);
    sql_datum *v = ARENA_NEW_ARRAY(arena, sql_datum, n ? n : 1);
    if (!v) return sqlerr_nomem(err);
    array_iter it;
    array_iter_init(&it, in);
    sql_datum x;
    for (uint32_t i = 0; array_iter_next(&it, arena, &x); i++) {
        mice_status rc = datum_cast(&x, elem, kind, ctx, arena, &v[i], err);
        if (rc) return rc;
    }
    return array_build(target.id, v, n, array_lbound(in), arena, out, err);
}
