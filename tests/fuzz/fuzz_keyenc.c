// layer: base
/*
 * fuzz_keyenc.c - key decoding must never crash and must be canonical.
 *
 * Walks the input value by value with keyenc_peek; each value is decoded with the matching
 * keyenc_get_* (and separately with keyenc_skip, which must agree on the length); whenever
 * a value decodes, it is encoded again and must give back exactly the bytes consumed. The
 * input is also decoded as every other kind in both directions (which must either fail
 * without consuming or succeed canonically) and pretty-printed.
 */
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/check.h"
#include "base/keyenc.h"

/* Decode one value of kind/dir from *in and re-encode it into reenc. */
static mice_status decode_reencode(mice_slice *in, keyenc_kind kind, keyenc_dir dir,
                                   mice_buf *reenc, mice_buf *scratch)
{
    bool is_null = false, b = false;
    uint64_t u = 0;
    int64_t i = 0;
    double d = 0;
    mice_status rc = MICE_INTERNAL;
    buf_reset(scratch);
    switch (kind) {
    case KEYENC_KIND_NULL:
        rc = keyenc_get_null(in, dir);
        is_null = true;
        break;
    case KEYENC_KIND_BOOL:
        rc = keyenc_get_bool(in, dir, &b, &is_null);
        break;
    case KEYENC_KIND_UVARINT:
        rc = keyenc_get_uvarint(in, dir, &u);
        break;
    case KEYENC_KIND_INT:
        rc = keyenc_get_int64(in, dir, &i, &is_null);
        break;
    case KEYENC_KIND_FLOAT:
        rc = keyenc_get_float64(in, dir, &d, &is_null);
        break;
    case KEYENC_KIND_TIME:
        rc = keyenc_get_timestamp(in, dir, &i, &is_null);
        break;
    case KEYENC_KIND_TEXT:
        rc = keyenc_get_text(in, dir, scratch, &is_null);
        break;
    case KEYENC_KIND_BYTES:
        rc = keyenc_get_bytes(in, dir, scratch, &is_null);
        break;
    }
    if (rc) return rc;
    if (is_null) {
        mice_assert(scratch->n == 0);
        keyenc_put_null(reenc, dir);
        return MICE_OK;
    }
    switch (kind) {
    case KEYENC_KIND_NULL:
        mice_unreachable();
    case KEYENC_KIND_BOOL:
        keyenc_put_bool(reenc, b, dir);
        break;
    case KEYENC_KIND_UVARINT:
        keyenc_put_uvarint(reenc, u, dir);
        break;
    case KEYENC_KIND_INT:
        keyenc_put_int64(reenc, i, dir);
        break;
    case KEYENC_KIND_FLOAT:
        keyenc_put_float64(reenc, d, dir);
        break;
    case KEYENC_KIND_TIME:
        keyenc_put_timestamp(reenc, i, dir);
        break;
    case KEYENC_KIND_TEXT:
        keyenc_put_text(reenc, buf_slice(scratch), dir);
        break;
    case KEYENC_KIND_BYTES:
        keyenc_put_bytes(reenc, buf_slice(scratch), dir);
        break;
    }
    return MICE_OK;
}

/* Every kind and direction at the front of in: fail cleanly or round-trip exactly. */
static void try_every_kind(mice_slice in, mice_buf *reenc, mice_buf *scratch)
{
    for (int k = KEYENC_KIND_NULL; k <= KEYENC_KIND_BYTES; k++) {
        for (int dir = KEYENC_ASC; dir <= KEYENC_DESC; dir++) {
            mice_slice s = in;
            buf_reset(reenc);
            mice_status rc = decode_reencode(&s, (keyenc_kind)k, (keyenc_dir)dir, reenc, scratch);
            if (rc) {
                mice_assert(rc == MICE_CORRUPT);
                mice_assert(s.p == in.p && s.n == in.n);
                continue;
            }
            size_t used = in.n - s.n;
            mice_assert(used > 0);
            mice_assert(reenc->n == used);
            mice_assert(memcmp(reenc->p, in.p, used) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mice_slice in = mice_slice_of(size ? data : (const uint8_t *)"", size);
    mice_buf reenc, scratch, pretty;
    buf_init(&reenc);
    buf_init(&scratch);
    buf_init(&pretty);
    keyenc_pretty(in, &pretty);
    mice_assert(pretty.n > 0 && pretty.p[0] == '/');
    try_every_kind(in, &reenc, &scratch);
    while (in.n > 0) {
        keyenc_kind kind;
        keyenc_dir dir;
        mice_status rc = keyenc_peek(in, &kind, &dir);
        mice_assert(rc == MICE_OK || rc == MICE_CORRUPT);
        mice_slice skipped = in;
        mice_status skip_rc = keyenc_skip(&skipped);
        if (rc) {
            mice_assert(skip_rc == MICE_CORRUPT);
            break;
        }
        mice_slice s = in;
        buf_reset(&reenc);
        rc = decode_reencode(&s, kind, dir, &reenc, &scratch);
        mice_assert(rc == skip_rc);
        if (rc) {
            mice_assert(rc == MICE_CORRUPT);
            mice_assert(s.p == in.p && s.n == in.n);
            break;
        }
        size_t used = in.n - s.n;
        mice_assert(skipped.p == s.p && skipped.n == s.n);
        mice_assert(reenc.n == used && memcmp(reenc.p, in.p, used) == 0);
        in = s;
        try_every_kind(in, &reenc, &scratch);
    }
    buf_deinit(&reenc);
    buf_deinit(&scratch);
    buf_deinit(&pretty);
    return 0;
}
