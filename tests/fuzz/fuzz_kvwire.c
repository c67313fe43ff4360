// layer: kv
/*
 * fuzz_kvwire.c - a kv.batch payload from the network (kv/kvwire) must never crash the
 * decoders, and what decodes must agree with itself: a decoded request encodes to bytes
 * that decode to the same ops and encode to the same bytes again (protobuf-c's output is
 * canonical), and likewise a decoded response with its status, message and results.
 * The input is tried as a request and as a response.
 */
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/check.h"
#include "kv/kvwire.h"

static void check_request(mice_slice in)
{
    kvwire_request a;
    if (kvwire_decode_request(in, &a, NULL) != MICE_OK) return;
    mice_buf once, twice;
    buf_init(&once);
    buf_init(&twice);
    kvwire_encode_request(&a.req, &once);
    kvwire_request b;
    mice_assert(kvwire_decode_request(buf_slice(&once), &b, NULL) == MICE_OK);
    mice_assert(b.req.n_ops == a.req.n_ops);
    mice_assert((b.req.txn == NULL) == (a.req.txn == NULL));
    for (size_t i = 0; i < a.req.n_ops; i++) {
        mice_assert(b.req.ops[i].kind == a.req.ops[i].kind);
        mice_assert(b.req.ops[i].n_intents == a.req.ops[i].n_intents);
        mice_assert(mice_slice_eq(b.req.ops[i].key, a.req.ops[i].key));
    }
    kvwire_encode_request(&b.req, &twice);
    mice_assert(once.n == twice.n && memcmp(once.p, twice.p, once.n) == 0);
    kvwire_request_deinit(&a);
    kvwire_request_deinit(&b);
    buf_deinit(&once);
    buf_deinit(&twice);
}

static void check_response(mice_slice in)
{
    kv_response a, b;
    kv_response_init(&a);
    kv_response_init(&b);
    mice_status st, st2;
    mice_err rerr, rerr2;
    if (kvwire_decode_response(in, &st, &rerr, &a, NULL) == MICE_OK) {
        mice_buf once;
        buf_init(&once);
        kvwire_encode_response(st, &rerr, &a, &once);
        mice_assert(kvwire_decode_response(buf_slice(&once), &st2, &rerr2, &b, NULL) == MICE_OK);
        mice_assert(st2 == st);
        if (st == MICE_OK) {
            mice_assert(b.n_results == a.n_results);
            for (size_t i = 0; i < a.n_results; i++)
                mice_assert(b.results[i].n_rows == a.results[i].n_rows);
        }
        buf_deinit(&once);
    }
    kv_response_deinit(&a);
    kv_response_deinit(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mice_slice in = mice_slice_of(data, size);
    check_request(in);
    check_response(in);
    return 0;
}
