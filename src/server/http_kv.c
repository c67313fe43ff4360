/* The key-value HTTP API (see http_kv.h). Single-key requests are one-shot kv operations
 * (txn_db_*) except DELETE, which reads and deletes in one transaction to tell whether
 * the key existed. Scans stream from one REPEATABLE READ snapshot: the stream callback
 * pulls the next batch only when MHD wants more bytes, so memory stays at one batch
 * whatever the span's size. */
#include "server/http_kv.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "kv/keys.h"
#include "server/http_json.h"
#include "server/scram.h"

struct http_kv {
    txn_db *db;
    const mice_env *env;
    const http_auth *auth;
};

http_kv *http_kv_create(const http_kv_config *cfg)
{
    http_kv *kv = mice_calloc(1, sizeof *kv);
    kv->db = cfg->db;
    kv->env = cfg->env ? cfg->env : mice_env_real();
    kv->auth = cfg->auth;
    return kv;
}

void http_kv_destroy(http_kv *kv)
{
    free(kv);
}

/* ---------------------------------------------------------------- helpers */

static bool authorized(http_kv *kv, const http_request *req, http_response *resp)
{
    char user[HTTP_AUTH_USER_MAX];
    return !kv->auth || http_auth_check(kv->auth, req, resp, user);
}

static void respond_txn_error(http_response *resp, mice_status rc, const mice_err *err)
{
    const char *msg = mice_err_msg(err);
    switch (rc) {
    case MICE_INVALID:
        http_respond_error(resp, 400, "bad_request", "%s", msg);
        return;
    case MICE_CONFLICT:
    case MICE_ABORTED:
    case MICE_TIMEOUT:
    case MICE_AGAIN:
        http_respond_error(resp, 409, "conflict", "%s", msg);
        return;
    default:
        http_respond_status(resp, rc, msg);
        return;
    }
}

static json_t *json_time(uint64_t wall_ns)
{
    if (!wall_ns) return json_null();
    mice_buf b;
    buf_init(&b);
    http_json_append_time(&b, wall_ns);
    json_t *s = json_stringn((const char *)b.p + 1, b.n - 2); /* without the quotes */
    buf_deinit(&b);
    return s;
}

/* name or name_b64 (http_json.h's rule) on obj. */
static void json_set_bytes(json_t *obj, const char *name, mice_slice bytes)
{
    if (http_json_utf8_valid(bytes)) {
        json_object_set_new(obj, name, json_stringn((const char *)bytes.p, bytes.n));
        return;
    }
    mice_buf b, field;
    buf_init(&b);
    buf_init(&field);
    scram_base64_encode(bytes.p, bytes.n, &b);
    buf_printf(&field, "%s_b64", name);
    json_object_set_new(obj, (const char *)field.p, json_stringn((const char *)b.p, b.n));
    buf_deinit(&b);
    buf_deinit(&field);
}

/* obj's name (a string) or name_b64 (base64) into out. *present false when neither. */
static mice_status json_get_bytes(const json_t *obj, const char *name, mice_buf *out, bool *present,
                                  mice_err *err)
{
    char b64name[64];
    snprintf(b64name, sizeof b64name, "%s_b64", name);
    const json_t *plain = json_object_get(obj, name), *enc = json_object_get(obj, b64name);
    *present = plain || enc;
    buf_reset(out);
    if (plain && enc)
        return mice_err_setf(err, MICE_INVALID, "both \"%s\" and \"%s\"", name, b64name);
    if (plain) {
        if (!json_is_string(plain))
            return mice_err_setf(err, MICE_INVALID, "\"%s\" must be a string", name);
        buf_append(out, json_string_value(plain), json_string_length(plain));
    } else if (enc) {
        if (!json_is_string(enc))
            return mice_err_setf(err, MICE_INVALID, "\"%s\" must be a string", b64name);
        size_t n = json_string_length(enc), got = 0;
        uint8_t *p = buf_extend(out, n / 4 * 3 + 3);
        if (!scram_base64_decode(mice_slice_of(json_string_value(enc), n), p, n / 4 * 3 + 3, &got))
            return mice_err_setf(err, MICE_INVALID, "\"%s\" is not valid base64", b64name);
        buf_truncate(out, got);
    }
    return MICE_OK;
}

/* A decimal integer in [min, max]. */
static bool parse_uint(mice_slice s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (s.n == 0 || s.n > 19) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

static uint64_t expiry_of(http_kv *kv, uint64_t ttl_s)
{
    return ttl_s ? env_wall_ns(kv->env) + ttl_s * MICE_NS_PER_S : 0;
}

/* ---------------------------------------------------------------- single keys */

static bool key_of(const http_request *req, http_response *resp, mice_buf *key)
{
    if (req->path_rest.n == 0) {
        http_respond_error(resp, 400, "bad_request", "empty key");
        return false;
    }
    buf_reset(key);
    keys_kv(key, req->path_rest);
    return true;
}

static void handle_get(void *ctx, const http_request *req, http_response *resp)
{
    http_kv *kv = ctx;
    mice_buf key, value;
    buf_init(&key);
    buf_init(&value);
    if (authorized(kv, req, resp) && key_of(req, resp, &key)) {
        bool found = false;
        uint64_t expiry = 0;
        mice_err err;
        mice_status rc =
            txn_db_get_with_expiry(kv->db, buf_slice(&key), &value, &found, &expiry, &err);
        if (rc) {
            respond_txn_error(resp, rc, &err);
        } else if (!found) {
            http_respond_error(resp, 404, "not_found", "key not found");
        } else {
            http_respond(resp, 200, "application/octet-stream", &value);
            if (expiry) {
                json_t *t = json_time(expiry);
                http_response_header(resp, "X-Expires-At", json_string_value(t));
                json_decref(t);
            }
        }
    }
    buf_deinit(&key);
    buf_deinit(&value);
}

static void handle_put(void *ctx, const http_request *req, http_response *resp)
{
    http_kv *kv = ctx;
    mice_buf key;
    buf_init(&key);
    mice_slice ttl_text;
    uint64_t ttl_s = 0;
    if (!authorized(kv, req, resp) || !key_of(req, resp, &key)) {
        buf_deinit(&key);
        return;
    }
    if (http_uri_query(req->uri, "ttl", &ttl_text) &&
        !parse_uint(ttl_text, 1, HTTP_KV_TTL_MAX_S, &ttl_s)) {
        http_respond_error(resp, 400, "bad_request", "ttl must be whole seconds, 1 to %d",
                           HTTP_KV_TTL_MAX_S);
        buf_deinit(&key);
        return;
    }
    uint64_t expiry = expiry_of(kv, ttl_s);
    mice_err err;
    mice_status rc = txn_db_put(kv->db, buf_slice(&key), req->body, expiry, &err);
    if (rc) {
        respond_txn_error(resp, rc, &err);
    } else {
        json_t *doc = json_object();
        json_object_set_new(doc, "ok", json_true());
        json_object_set_new(doc, "expires_at", json_time(expiry));
        http_respond_json(resp, 200, doc);
    }
    buf_deinit(&key);
}

/* Read-then-delete in one transaction (retried on conflict) so the answer is exact. */
static mice_status delete_key(http_kv *kv, mice_slice key, bool *existed, mice_err *err)
{
    mice_status rc = MICE_OK;
    mice_buf value;
    buf_init(&value);
    for (int attempt = 0; attempt <= HTTP_KV_TXN_RETRIES; attempt++) {
        txn *t = txn_begin(kv->db, TXN_REPEATABLE_READ);
        rc = txn_get(t, key, &value, existed, err);
        if (rc == MICE_OK && *existed) rc = txn_delete(t, key, err);
        if (rc == MICE_OK) rc = txn_commit(t, err);
        txn_destroy(t);
        if (rc != MICE_CONFLICT) break;
    }
    buf_deinit(&value);
    return rc;
}

static void handle_delete(void *ctx, const http_request *req, http_response *resp)
{
    http_kv *kv = ctx;
    mice_buf key;
    buf_init(&key);
    if (authorized(kv, req, resp) && key_of(req, resp, &key)) {
        bool existed = false;
        mice_err err;
        mice_status rc = delete_key(kv, buf_slice(&key), &existed, &err);
        if (rc) {
            respond_txn_error(resp, rc, &err);
        } else if (!existed) {
            http_respond_error(resp, 404, "not_found", "key not found");
        } else {
            json_t *doc = json_object();
            json_object_set_new(doc, "deleted", json_true());
            http_respond_json(resp, 200, doc);
        }
    }
    buf_deinit(&key);
}

/* ---------------------------------------------------------------- scans */

typedef struct scan_stream {
    txn *t;
    txn_scan *scan;
    mice_buf out; /* NDJSON not yet handed to MHD, from out_off */
    size_t out_off;
    bool done;
} scan_stream;

static void scan_stream_free(void *ctx)
{
    scan_stream *s = ctx;
    txn_scan_close(s->scan);
    txn_destroy(s->t);
    buf_deinit(&s->out);
    free(s);
}

static void append_record(mice_buf *out, const kv_row *row)
{
    mice_slice user_key;
    if (!keys_kv_user_key(buf_slice(&row->key), &user_key)) return; /* span keeps us inside */
    buf_append_u8(out, '{');
    http_json_append_bytes_field(out, "key", user_key);
    buf_append_u8(out, ',');
    http_json_append_bytes_field(out, "value", buf_slice(&row->value));
    buf_append_str(out, ",\"expires_at\":");
    if (row->expiry_wall_ns)
        http_json_append_time(out, row->expiry_wall_ns);
    else
        buf_append_str(out, "null");
    buf_append_str(out, "}\n");
}

/* Fill s->out with the next batch (or the end, or an error line). */
static void scan_refill(scan_stream *s)
{
    const kv_row *rows = NULL;
    size_t n = 0;
    mice_err err;
    mice_status rc = txn_scan_next(s->scan, HTTP_KV_SCAN_BATCH_ROWS, &rows, &n, &err);
    buf_reset(&s->out);
    s->out_off = 0;
    if (rc) {
        buf_append_str(&s->out, "{\"error\":");
        http_json_append_string(&s->out, mice_slice_str(mice_err_msg(&err)));
        buf_printf(&s->out, ",\"code\":\"%s\"}\n",
                   rc == MICE_CONFLICT || rc == MICE_ABORTED ? "conflict" : "internal");
        s->done = true;
        return;
    }
    if (n == 0) s->done = true;
    for (size_t i = 0; i < n; i++)
        append_record(&s->out, &rows[i]);
}

static mice_status scan_stream_read(void *ctx, uint8_t *buf, size_t cap, size_t *n_out, bool *done)
{
    scan_stream *s = ctx;
    *n_out = 0;
    while (s->out_off == s->out.n && !s->done)
        scan_refill(s);
    size_t n = s->out.n - s->out_off;
    if (n > cap) n = cap;
    if (n) memcpy(buf, s->out.p + s->out_off, n);
    s->out_off += n;
    *n_out = n;
    *done = s->done && s->out_off == s->out.n;
    return MICE_OK;
}

static bool parse_bool(mice_slice v, bool *out)
{
    if (mice_slice_eq(v, MICE_SLICE_LIT("true")) || mice_slice_eq(v, MICE_SLICE_LIT("1")))
        return *out = true;
    if (mice_slice_eq(v, MICE_SLICE_LIT("false")) || mice_slice_eq(v, MICE_SLICE_LIT("0"))) {
        *out = false;
        return true;
    }
    return false;
}

/* The scan's [start, end) in kv keys from the query; false after answering 400. */
static bool scan_span(const http_request *req, http_response *resp, mice_buf *start, mice_buf *end)
{
    mice_slice v, prefix;
    bool has_prefix = http_uri_query(req->uri, "prefix", &prefix);
    bool has_start = http_uri_query(req->uri, "start", &v);
    if (has_prefix && (has_start || http_uri_query(req->uri, "end", &v))) {
        http_respond_error(resp, 400, "bad_request", "prefix excludes start and end");
        return false;
    }
    mice_buf tmp;
    buf_init(&tmp);
    keys_kv_span(start, end);
    if (has_prefix && prefix.n) {
        buf_reset(start);
        buf_reset(end);
        keys_kv(&tmp, prefix);
        keys_prefix_span(buf_slice(&tmp), start, end);
    }
    if (http_uri_query(req->uri, "start", &v) && v.n) {
        buf_reset(start);
        keys_kv(start, v);
    }
    if (http_uri_query(req->uri, "end", &v) && v.n) {
        buf_reset(end);
        keys_kv(end, v);
    }
    buf_deinit(&tmp);
    return true;
}

static void handle_scan(void *ctx, const http_request *req, http_response *resp)
{
    http_kv *kv = ctx;
    if (!authorized(kv, req, resp)) return;
    mice_slice v;
    uint64_t limit = 0;
    bool reverse = false;
    if (http_uri_query(req->uri, "limit", &v) && !parse_uint(v, 1, UINT32_MAX, &limit)) {
        http_respond_error(resp, 400, "bad_request", "limit must be a positive integer");
        return;
    }
    if (http_uri_query(req->uri, "reverse", &v) && !parse_bool(v, &reverse)) {
        http_respond_error(resp, 400, "bad_request", "reverse must be true/false or 1/0");
        return;
    }
    scan_stream *s = mice_calloc(1, sizeof *s);
    buf_init(&s->out);
    mice_buf start, end;
    buf_init(&start);
    buf_init(&end);
    if (!scan_span(req, resp, &start, &end)) {
        buf_deinit(&start);
        buf_deinit(&end);
        scan_stream_free(s);
        return;
    }
    s->t = txn_begin(kv->db, TXN_REPEATABLE_READ);
    if (mice_slice_cmp(buf_slice(&start), buf_slice(&end)) >= 0) {
        s->done = true; /* an empty span */
    } else if (txn_scan_open(s->t, buf_slice(&start), buf_slice(&end), reverse, (size_t)limit,
                             &s->scan)) {
        s->done = true;
    }
    buf_deinit(&start);
    buf_deinit(&end);
    http_respond_stream(resp, 200, "application/x-ndjson", scan_stream_read, scan_stream_free, s);
}

/* ---------------------------------------------------------------- compare-and-set */

typedef enum cas_kind { CAS_PUT, CAS_DELETE, CAS_GET } cas_kind;

typedef struct cas_cmp {
    mice_buf key, value;
    bool by_value; /* else by existence */
    bool exists;
} cas_cmp;

typedef struct cas_op {
    cas_kind kind;
    mice_buf key, value;
    uint64_t ttl_s;
} cas_op;

typedef struct cas_batch {
    cas_cmp *cmps;
    size_t n_cmps;
    cas_op *ops[2]; /* success, failure */
    size_t n_ops[2];
} cas_batch;

static void cas_free(cas_batch *b)
{
    for (size_t i = 0; i < b->n_cmps; i++) {
        buf_deinit(&b->cmps[i].key);
        buf_deinit(&b->cmps[i].value);
    }
    free(b->cmps);
    for (int w = 0; w < 2; w++) {
        for (size_t i = 0; i < b->n_ops[w]; i++) {
            buf_deinit(&b->ops[w][i].key);
            buf_deinit(&b->ops[w][i].value);
        }
        free(b->ops[w]);
    }
}

static mice_status array_of(const json_t *doc, const char *name, size_t *n, mice_err *err)
{
    const json_t *a = json_object_get(doc, name);
    *n = 0;
    if (!a) return MICE_OK;
    if (!json_is_array(a)) return mice_err_setf(err, MICE_INVALID, "\"%s\" must be an array", name);
    *n = json_array_size(a);
    if (*n > HTTP_KV_TXN_OPS_MAX)
        return mice_err_setf(err, MICE_INVALID, "\"%s\": more than %d entries", name,
                             HTTP_KV_TXN_OPS_MAX);
    return MICE_OK;
}

static mice_status parse_key(const json_t *e, const char *where, size_t i, mice_buf *key,
                             mice_err *err)
{
    bool present = false;
    mice_buf user_key;
    buf_init(&user_key);
    mice_status rc = json_get_bytes(e, "key", &user_key, &present, err);
    if (rc == MICE_OK && (!present || user_key.n == 0))
        rc = mice_err_setf(err, MICE_INVALID, "%s[%zu]: a non-empty \"key\" is required", where, i);
    if (rc == MICE_OK) keys_kv(key, buf_slice(&user_key));
    buf_deinit(&user_key);
    return rc;
}

static mice_status parse_cmp(const json_t *e, size_t i, cas_cmp *c, mice_err *err)
{
    if (!json_is_object(e))
        return mice_err_setf(err, MICE_INVALID, "compare[%zu]: not an object", i);
    mice_status rc = parse_key(e, "compare", i, &c->key, err);
    if (rc) return rc;
    bool has_value = false;
    if ((rc = json_get_bytes(e, "value", &c->value, &has_value, err))) return rc;
    const json_t *ex = json_object_get(e, "exists");
    if (has_value == (ex != NULL))
        return mice_err_setf(err, MICE_INVALID,
                             "compare[%zu]: give exactly one of \"value\" and \"exists\"", i);
    if (ex && !json_is_boolean(ex))
        return mice_err_setf(err, MICE_INVALID, "compare[%zu]: \"exists\" must be a boolean", i);
    c->by_value = has_value;
    c->exists = ex && json_is_true(ex);
    return MICE_OK;
}

static mice_status parse_op(const json_t *e, const char *where, size_t i, cas_op *op, mice_err *err)
{
    if (!json_is_object(e))
        return mice_err_setf(err, MICE_INVALID, "%s[%zu]: not an object", where, i);
    const char *kind = json_string_value(json_object_get(e, "op"));
    if (!kind) return mice_err_setf(err, MICE_INVALID, "%s[%zu]: \"op\" is required", where, i);
    if (!strcmp(kind, "put"))
        op->kind = CAS_PUT;
    else if (!strcmp(kind, "delete"))
        op->kind = CAS_DELETE;
    else if (!strcmp(kind, "get"))
        op->kind = CAS_GET;
    else
        return mice_err_setf(err, MICE_INVALID, "%s[%zu]: op must be put, delete or get", where, i);
    mice_status rc = parse_key(e, where, i, &op->key, err);
    if (rc) return rc;
    bool has_value = false;
    if ((rc = json_get_bytes(e, "value", &op->value, &has_value, err))) return rc;
    if (has_value != (op->kind == CAS_PUT))
        return mice_err_setf(err, MICE_INVALID, "%s[%zu]: \"value\" goes with put, and only there",
                             where, i);
    const json_t *ttl = json_object_get(e, "ttl");
    if (ttl && (op->kind != CAS_PUT || !json_is_integer(ttl) || json_integer_value(ttl) < 1 ||
                json_integer_value(ttl) > HTTP_KV_TTL_MAX_S))
        return mice_err_setf(err, MICE_INVALID, "%s[%zu]: ttl must be whole seconds, 1 to %d (put)",
                             where, i, HTTP_KV_TTL_MAX_S);
    op->ttl_s = ttl ? (uint64_t)json_integer_value(ttl) : 0;
    return MICE_OK;
}

static mice_status cas_parse(const json_t *doc, cas_batch *b, mice_err *err)
{
    static const char *const branch[2] = {"success", "failure"};
    memset(b, 0, sizeof *b);
    if (!json_is_object(doc))
        return mice_err_setf(err, MICE_INVALID, "the body must be a JSON object");
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)doc, k, v)
    {
        if (strcmp(k, "compare") && strcmp(k, "success") && strcmp(k, "failure"))
            return mice_err_setf(err, MICE_INVALID, "unknown field \"%s\"", k);
    }
    size_t n = 0;
    mice_status rc = array_of(doc, "compare", &n, err);
    if (rc) return rc;
    b->cmps = mice_calloc(n ? n : 1, sizeof *b->cmps);
    for (size_t i = 0; i < n && !rc; i++, b->n_cmps++) {
        buf_init(&b->cmps[i].key);
        buf_init(&b->cmps[i].value);
        rc = parse_cmp(json_array_get(json_object_get(doc, "compare"), i), i, &b->cmps[i], err);
    }
    for (int w = 0; w < 2 && !rc; w++) {
        if ((rc = array_of(doc, branch[w], &n, err))) break;
        b->ops[w] = mice_calloc(n ? n : 1, sizeof *b->ops[w]);
        const json_t *arr = json_object_get(doc, branch[w]);
        for (size_t i = 0; i < n && !rc; i++, b->n_ops[w]++) {
            buf_init(&b->ops[w][i].key);
            buf_init(&b->ops[w][i].value);
            rc = parse_op(json_array_get(arr, i), branch[w], i, &b->ops[w][i], err);
        }
    }
    return rc;
}

static mice_status cas_compare(txn *t, const cas_cmp *c, mice_buf *scratch, bool *ok, mice_err *err)
{
    bool found = false;
    mice_status rc = txn_get(t, buf_slice(&c->key), scratch, &found, err);
    if (rc) return rc;
    *ok = c->by_value ? found && mice_slice_eq(buf_slice(scratch), buf_slice(&c->value))
                      : found == c->exists;
    return MICE_OK;
}

static mice_status cas_run_op(http_kv *kv, txn *t, const cas_op *op, mice_buf *scratch,
                              json_t *results, mice_err *err)
{
    static const char *const names[] = {"put", "delete", "get"};
    json_t *r = json_object();
    json_object_set_new(r, "op", json_string(names[op->kind]));
    json_array_append_new(results, r);
    mice_status rc = MICE_OK;
    bool found = false;
    uint64_t expiry = 0;
    switch (op->kind) {
    case CAS_PUT:
        return txn_put_with_expiry(t, buf_slice(&op->key), buf_slice(&op->value),
                                   expiry_of(kv, op->ttl_s), err);
    case CAS_DELETE:
        rc = txn_get(t, buf_slice(&op->key), scratch, &found, err);
        if (rc == MICE_OK && found) rc = txn_delete(t, buf_slice(&op->key), err);
        json_object_set_new(r, "deleted", json_boolean(found));
        return rc;
    case CAS_GET:
        rc = txn_get_with_expiry(t, buf_slice(&op->key), scratch, &found, &expiry, err);
        json_object_set_new(r, "found", json_boolean(found));
        if (rc == MICE_OK && found) {
            mice_slice user_key;
            keys_kv_user_key(buf_slice(&op->key), &user_key);
            json_set_bytes(r, "key", user_key);
            json_set_bytes(r, "value", buf_slice(scratch));
            json_object_set_new(r, "expires_at", json_time(expiry));
        }
        return rc;
    }
    return MICE_OK;
}

/* One attempt: compares, the chosen branch, commit. */
static mice_status cas_attempt(http_kv *kv, const cas_batch *b, json_t **answer, mice_err *err)
{
    txn *t = txn_begin(kv->db, TXN_SERIALIZABLE);
    mice_buf scratch;
    buf_init(&scratch);
    bool all = true;
    mice_status rc = MICE_OK;
    for (size_t i = 0; i < b->n_cmps && all && !rc; i++)
        rc = cas_compare(t, &b->cmps[i], &scratch, &all, err);
    json_t *results = json_array();
    int w = all ? 0 : 1;
    for (size_t i = 0; i < b->n_ops[w] && !rc; i++)
        rc = cas_run_op(kv, t, &b->ops[w][i], &scratch, results, err);
    if (rc == MICE_OK) rc = txn_commit(t, err);
    txn_destroy(t);
    buf_deinit(&scratch);
    if (rc) {
        json_decref(results);
        return rc;
    }
    *answer = json_object();
    json_object_set_new(*answer, "succeeded", json_boolean(all));
    json_object_set_new(*answer, "results", results);
    return MICE_OK;
}

mice_status http_kv_txn(http_kv *kv, const json_t *doc, json_t **answer, mice_err *err)
{
    *answer = NULL;
    cas_batch b;
    mice_status rc = cas_parse(doc, &b, err);
    for (int attempt = 0; rc == MICE_OK; attempt++) {
        rc = cas_attempt(kv, &b, answer, err);
        bool retry = rc == MICE_CONFLICT || rc == MICE_ABORTED;
        if (!retry || attempt >= HTTP_KV_TXN_RETRIES) break;
        rc = MICE_OK;
        env_sleep_ns(kv->env, (uint64_t)(attempt + 1) * MICE_NS_PER_MS);
    }
    cas_free(&b);
    return rc;
}

static void handle_txn(void *ctx, const http_request *req, http_response *resp)
{
    http_kv *kv = ctx;
    if (!authorized(kv, req, resp)) return;
    json_t *doc = NULL, *answer = NULL;
    mice_err err;
    mice_status rc = http_json_parse(req->body, &doc, &err);
    if (rc == MICE_OK) rc = http_kv_txn(kv, doc, &answer, &err);
    json_decref(doc);
    if (rc)
        respond_txn_error(resp, rc, &err);
    else
        http_respond_json(resp, 200, answer);
}

/* ---------------------------------------------------------------- routes */

mice_status http_kv_register(http_kv *kv, httpd *s, mice_err *err)
{
    mice_status rc = httpd_route(s, "GET", "/v1/kv", handle_scan, kv, err);
    if (!rc) rc = httpd_route(s, "POST", "/v1/kv/txn", handle_txn, kv, err);
    if (!rc) rc = httpd_route(s, "GET", "/v1/kv/*", handle_get, kv, err);
    if (!rc) rc = httpd_route(s, "PUT", "/v1/kv/*", handle_put, kv, err);
    if (!rc) rc = httpd_route(s, "DELETE", "/v1/kv/*", handle_delete, kv, err);
    return rc;
}
