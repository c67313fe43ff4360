/*
 * kvwire.h - kv batches on the wire: kv_request / kv_response <-> rpcpb.KvBatchRequest /
 * rpcpb.KvBatchResponse bytes (src/rpc/proto/kv.proto), the payload of METHOD_KV_BATCH.
 *
 * Every field of request.h travels. A response carries the batch's mice_status and message
 * with the results, so the gateway tells a remote kv answer (conflict, lock timeout, not
 * leader with the leader's node) from a failed call.
 *
 * Untrusted input: decoding refuses (MICE_CORRUPT) bytes protobuf-c cannot decode and
 * values a kv_request cannot hold: an unknown op kind, resolve kind, isolation or conflict,
 * a transaction id 0, a status outside mice_status. Nothing asserts on received bytes.
 *
 * Owns: a kvwire_request owns the unpacked message its kv_request borrows from (keys,
 * values, spans) and the arrays it built (kvwire_request_deinit). A decoded kv_response
 * owns its bytes as usual.
 * Thread safety: pure functions, any thread.
 */
#ifndef MICE_KV_KVWIRE_H
#define MICE_KV_KVWIRE_H

#include "base/buf.h"
#include "base/status.h"
#include "kv/request.h"

enum { KVWIRE_OPS_MAX = 1 << 20 }; /* ops in one batch; more is refused */

/* Append req's encoding to out. */
void kvwire_encode_request(const kv_request *req, mice_buf *out);

typedef struct kvwire_request {
    kv_request req; /* borrows everything below */
    kv_txn_meta txn;
    kv_op *ops;
    mice_slice *intents; /* every op's intents, one array */
    kv_span *spans;      /* every op's read spans, one array */
    void *pb;            /* the unpacked rpcpb.KvBatchRequest */
} kvwire_request;

/* Decode bytes into out (initialised here; on error out is empty and deinit is a no-op). */
mice_status kvwire_decode_request(mice_slice bytes, kvwire_request *out, mice_err *err);
void kvwire_request_deinit(kvwire_request *r);

/* Append the encoding of a batch's outcome: status (and rerr's message when not OK) and,
 * when OK, resp's results. resp may be NULL when status is not OK. */
void kvwire_encode_response(mice_status status, const mice_err *rerr, const kv_response *resp,
                            mice_buf *out);
/* Decode a response: *status and rerr receive the remote batch's outcome, resp is reset
 * and filled (caller deinits; empty unless *status is MICE_OK). Returns MICE_CORRUPT (in
 * err) for bytes that do not decode; MICE_OK otherwise, whatever *status is. */
mice_status kvwire_decode_response(mice_slice bytes, mice_status *status, mice_err *rerr,
                                   kv_response *resp, mice_err *err);

#endif
