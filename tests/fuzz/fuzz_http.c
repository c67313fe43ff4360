// layer: server
/*
 * fuzz_http.c - our parsers of HTTP request bytes must never crash and must agree with
 * themselves. (MHD parses the request line and headers internally; what we parse is the
 * request target and JSON bodies.)
 *
 * The input is parsed as a request target with http_uri_parse. When it parses: the path is
 * never longer than the input, every parameter is found again by its name, and the path,
 * percent-encoded again byte by byte, parses back to the same path with no parameters.
 * The input is also parsed as a JSON body with http_json_parse: on success the document,
 * dumped and parsed again, is equal to itself; on failure nothing is returned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/check.h"
#include "server/http.h"

static void check_uri(mice_slice in)
{
    http_uri u, again;
    http_uri_init(&u);
    http_uri_init(&again);
    if (http_uri_parse(&u, in, NULL) == MICE_OK) {
        mice_slice path = http_uri_path(&u);
        mice_assert(path.n <= in.n || path.n == 1);
        mice_assert(u.n_params <= HTTP_QUERY_PARAMS_MAX);
        for (size_t k = 0; k < u.n_params; k++) {
            mice_buf name;
            buf_init(&name);
            buf_append(&name, u.decoded.p + u.params[k].name_off, u.params[k].name_n);
            mice_slice v;
            /* Names with a NUL cannot be asked for by a C string; skip those. */
            if (!memchr(name.p, 0, name.n)) mice_assert(http_uri_query(&u, (char *)name.p, &v));
            buf_deinit(&name);
        }
        mice_buf enc;
        buf_init(&enc);
        for (size_t i = 0; i < path.n; i++) {
            uint8_t c = path.p[i];
            bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '.';
            if (plain)
                buf_append_u8(&enc, c);
            else
                buf_printf(&enc, "%%%02X", c);
        }
        if (path.n > 0 && path.p[0] == '/') {
            mice_assert(http_uri_parse(&again, buf_slice(&enc), NULL) == MICE_OK);
            mice_assert(mice_slice_eq(http_uri_path(&again), path));
            mice_assert(again.n_params == 0);
        }
        buf_deinit(&enc);
    }
    http_uri_deinit(&u);
    http_uri_deinit(&again);
}

static void check_json(mice_slice in)
{
    json_t *doc = (json_t *)1;
    if (http_json_parse(in, &doc, NULL) != MICE_OK) {
        mice_assert(doc == NULL);
        return;
    }
    mice_assert(doc != NULL);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
    mice_assert(text != NULL);
    json_t *again = NULL;
    mice_assert(http_json_parse(mice_slice_str(text), &again, NULL) == MICE_OK);
    mice_assert(json_equal(doc, again));
    json_decref(again);
    json_decref(doc);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mice_slice in = mice_slice_of(data, size);
    check_uri(in);
    check_json(in);
    return 0;
}
