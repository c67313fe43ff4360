// layer: server
/*
 * fuzz_http_json.c - the JSON the HTTP APIs write must always be valid JSON that means
 * exactly the bytes it came from, and the Basic credentials parser must never crash.
 *
 * For any input: http_json_append_string's output parses (jansson) as a string, equal to
 * the input whenever http_json_utf8_valid says the input is UTF-8, and that verdict
 * agrees with jansson's own UTF-8 check; a bytes field parses back to the input from
 * either its text or its base64 form; every PostgreSQL value rendering parses as JSON, and
 * a JSON number by jansson's grammar is one by http_json_number_valid; Basic credentials
 * parsed from the input (as a header value) have a non-empty user without ':'.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/check.h"
#include "server/http_auth.h"
#include "server/http_json.h"
#include "server/scram.h"

static json_t *parse(const mice_buf *b)
{
    return json_loadb((const char *)b->p, b->n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

static void check_string(mice_slice in)
{
    mice_buf b;
    buf_init(&b);
    http_json_append_string(&b, in);
    json_t *s = parse(&b);
    mice_assert(s != NULL);
    mice_assert(json_is_string(s));
    bool utf8 = http_json_utf8_valid(in);
    json_t *checked = json_stringn((const char *)in.p, in.n); /* NULL for invalid UTF-8 */
    mice_assert(utf8 == (checked != NULL));
    json_decref(checked);
    if (utf8) {
        mice_assert(json_string_length(s) == in.n);
        mice_assert(in.n == 0 || memcmp(json_string_value(s), in.p, in.n) == 0);
    }
    json_decref(s);
    buf_deinit(&b);
}

static void check_bytes_field(mice_slice in)
{
    mice_buf b;
    buf_init(&b);
    buf_append_u8(&b, '{');
    http_json_append_bytes_field(&b, "k", in);
    buf_append_u8(&b, '}');
    json_t *o = parse(&b);
    mice_assert(o != NULL);
    json_t *text = json_object_get(o, "k"), *b64 = json_object_get(o, "k_b64");
    mice_assert((text != NULL) != (b64 != NULL));
    if (text) {
        mice_assert(json_string_length(text) == in.n);
        mice_assert(in.n == 0 || memcmp(json_string_value(text), in.p, in.n) == 0);
    } else {
        uint8_t *raw = mice_malloc(in.n + 4);
        size_t n = 0;
        mice_assert(scram_base64_decode(
            mice_slice_of(json_string_value(b64), json_string_length(b64)), raw, in.n + 4, &n));
        mice_assert(n == in.n && memcmp(raw, in.p, n) == 0);
        free(raw);
    }
    json_decref(o);
    buf_deinit(&b);
}

static void check_pg_values(mice_slice in)
{
    static const uint32_t oids[] = {16, 20, 21, 23, 25, 26, 700, 701, 1700, 17, 1184};
    for (size_t i = 0; i < sizeof oids / sizeof *oids; i++) {
        mice_buf b;
        buf_init(&b);
        http_json_append_pg_value(&b, oids[i], in, false);
        json_t *v = parse(&b);
        mice_assert(v != NULL);
        json_decref(v);
        buf_deinit(&b);
    }
    bool plain = in.n > 0;
    for (size_t i = 0; i < in.n && plain; i++)
        plain = in.p[i] > ' ' && in.p[i] < 0x7f;
    json_t *n = plain ? json_loadb((const char *)in.p, in.n, JSON_DECODE_ANY, NULL) : NULL;
    if (n && json_is_number(n)) mice_assert(http_json_number_valid(in));
    json_decref(n);
}

static void check_basic(mice_slice in)
{
    char *header = mice_malloc(in.n + 7);
    memcpy(header, "Basic ", 6);
    memcpy(header + 6, in.p, in.n);
    header[in.n + 6] = '\0';
    char user[HTTP_AUTH_USER_MAX], pass[64];
    if (http_auth_parse_basic(header, user, sizeof user, pass, sizeof pass)) {
        mice_assert(user[0] != '\0');
        mice_assert(strchr(user, ':') == NULL);
        mice_assert(strlen(user) < sizeof user && strlen(pass) < sizeof pass);
    }
    free(header);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mice_slice in = mice_slice_of(data, size);
    check_string(in);
    check_bytes_field(in);
    check_pg_values(in);
    check_basic(in);
    return 0;
}
