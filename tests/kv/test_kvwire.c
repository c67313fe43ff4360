/* kv batches on the wire (kv/kvwire): every op kind and field survives a round trip, as do
 * responses with rows, statuses and messages; malformed and random bytes never crash a
 * decoder and values a kv_request cannot hold are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "kv/kvwire.h"
#include "rpc/codec.h"
#include "rpc/proto/kv.pb-c.h"

static void assert_slice(mice_slice a, const char *s)
{
    assert_int_equal(a.n, strlen(s));
    if (a.n) assert_memory_equal(a.p, s, a.n);
}

static void assert_ts(hlc_ts a, uint64_t wall, uint32_t logical)
{
    assert_int_equal(a.wall_ns, wall);
    assert_int_equal(a.logical, logical);
}

static void test_request_round_trip(void **state)
{
    (void)state;
    kv_txn_meta meta = {.id = 0x1234567890abcdefull,
                        .primary = mice_slice_str("prim"),
                        .start_ts = {100, 1},
                        .read_ts = {200, 2},
                        .write_ts = {300, 3},
                        .isolation = KV_SERIALIZABLE,
                        .seq = 7,
                        .stmt_seq = 5,
                        .lock_timeout_ms = KV_LOCK_TIMEOUT_NONE};
    mice_slice intents[3] = {mice_slice_str("a"), mice_slice_str("b"), mice_slice_str("")};
    kv_span spans[2] = {{mice_slice_str("s1"), mice_slice_str("s2"), false},
                        {mice_slice_str("s3"), mice_slice_str(""), true}};
    kv_op ops[] = {
        {.kind = KV_OP_GET, .key = mice_slice_str("g")},
        {.kind = KV_OP_SCAN,
         .key = mice_slice_str("k1"),
         .end = mice_slice_str("k9"),
         .limit = 42,
         .reverse = true},
        {.kind = KV_OP_PUT,
         .key = mice_slice_str("p"),
         .value = mice_slice_str("v\0x"),
         .if_absent = true,
         .has_expiry = true,
         .expiry_wall_ns = 99},
        {.kind = KV_OP_DELETE, .key = mice_slice_str("d"), .if_expired = true},
        {.kind = KV_OP_LOCK, .key = mice_slice_str("l")},
        {.kind = KV_OP_RESOLVE,
         .key = mice_slice_str("r"),
         .resolve = KV_RESOLVE_STMT_UNDO,
         .commit_ts = {555, 6},
         .undo_seq = 4},
        {.kind = KV_OP_END_TXN,
         .commit = true,
         .one_phase = true,
         .intents = intents,
         .n_intents = 3,
         .read_spans = spans,
         .n_read_spans = 2},
        {.kind = KV_OP_GC_TXN},
        {.kind = KV_OP_CLEAR_RANGE, .key = mice_slice_str("c0"), .end = mice_slice_str("c9")},
        {.kind = KV_OP_PUSH_TXN,
         .key = mice_slice_str("pk"),
         .push_id = 0xfeedull,
         .push_start_ts = {11, 1},
         .push_read_ts = {22, 2},
         .push_abort = true},
        {.kind = KV_OP_VALIDATE,
         .key = mice_slice_str("s1"),
         .read_spans = spans,
         .n_read_spans = 2,
         .commit_ts = {777, 3}},
    };
    size_t n = sizeof ops / sizeof ops[0];
    kv_request req = {.txn = &meta, .ts = {7, 8}, .ops = ops, .n_ops = n};
    mice_buf b;
    buf_init(&b);
    kvwire_encode_request(&req, &b);
    kvwire_request d;
    mice_err err;
    assert_int_equal(kvwire_decode_request(buf_slice(&b), &d, &err), MICE_OK);
    assert_non_null(d.req.txn);
    assert_int_equal(d.req.txn->id, meta.id);
    assert_slice(d.req.txn->primary, "prim");
    assert_ts(d.req.txn->start_ts, 100, 1);
    assert_ts(d.req.txn->read_ts, 200, 2);
    assert_ts(d.req.txn->write_ts, 300, 3);
    assert_int_equal(d.req.txn->isolation, KV_SERIALIZABLE);
    assert_int_equal(d.req.txn->seq, 7);
    assert_int_equal(d.req.txn->stmt_seq, 5);
    assert_true(d.req.txn->lock_timeout_ms == KV_LOCK_TIMEOUT_NONE);
    assert_ts(d.req.ts, 7, 8);
    assert_int_equal(d.req.n_ops, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(d.req.ops[i].kind, ops[i].kind);
    const kv_op *o = d.req.ops;
    assert_slice(o[0].key, "g");
    assert_slice(o[1].key, "k1");
    assert_slice(o[1].end, "k9");
    assert_int_equal(o[1].limit, 42);
    assert_true(o[1].reverse);
    assert_int_equal(o[2].value.n, 1); /* mice_slice_str stops at the NUL */
    assert_true(o[2].if_absent);
    assert_true(o[2].has_expiry);
    assert_int_equal(o[2].expiry_wall_ns, 99);
    assert_true(o[3].if_expired);
    assert_false(o[4].if_expired);
    assert_int_equal(o[5].resolve, KV_RESOLVE_STMT_UNDO);
    assert_ts(o[5].commit_ts, 555, 6);
    assert_int_equal(o[5].undo_seq, 4);
    assert_true(o[6].commit);
    assert_true(o[6].one_phase);
    assert_int_equal(o[6].n_intents, 3);
    assert_slice(o[6].intents[0], "a");
    assert_slice(o[6].intents[1], "b");
    assert_slice(o[6].intents[2], "");
    assert_int_equal(o[6].n_read_spans, 2);
    assert_slice(o[6].read_spans[0].start, "s1");
    assert_slice(o[6].read_spans[0].end, "s2");
    assert_false(o[6].read_spans[0].to_end);
    assert_slice(o[6].read_spans[1].start, "s3");
    assert_true(o[6].read_spans[1].to_end);
    assert_slice(o[8].end, "c9");
    assert_slice(o[9].key, "pk");
    assert_int_equal(o[9].push_id, 0xfeedull);
    assert_ts(o[9].push_start_ts, 11, 1);
    assert_ts(o[9].push_read_ts, 22, 2);
    assert_true(o[9].push_abort);
    assert_false(o[8].push_abort);
    kvwire_request_deinit(&d);

    /* Non-transactional, no ops. */
    kv_request plain = {0};
    buf_reset(&b);
    kvwire_encode_request(&plain, &b);
    assert_int_equal(kvwire_decode_request(buf_slice(&b), &d, &err), MICE_OK);
    assert_null(d.req.txn);
    assert_int_equal(d.req.n_ops, 0);
    kvwire_request_deinit(&d);
    buf_deinit(&b);
}

static void test_response_round_trip(void **state)
{
    (void)state;
    kv_response r;
    kv_response_init(&r);
    kv_response_reset(&r, 3);
    r.results[0].found = true;
    buf_append_slice(&r.results[0].value, mice_slice_str("val"));
    r.results[0].has_expiry = true;
    r.results[0].expiry_wall_ns = 1234;
    for (int i = 0; i < 5; i++) {
        char k[8], v[8];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "v%d", i);
        kv_result_add_row(&r.results[1], mice_slice_str(k), mice_slice_str(v), (uint64_t)i);
    }
    r.results[1].more = true;
    buf_append_slice(&r.results[1].resume_key, mice_slice_str("k5"));
    r.results[2].commit_ts = (hlc_ts){77, 7};
    r.results[2].purged = true;
    r.results[2].locked = true;
    r.results[2].txn_state = KV_TXN_COMMITTED;
    r.results[2].heartbeat_wall_ns = 4321;
    r.conflict = KV_CONFLICT_DEADLOCK;
    r.write_ts = (hlc_ts){88, 8};
    mice_buf b;
    buf_init(&b);
    kvwire_encode_response(MICE_OK, NULL, &r, &b);
    kv_response d;
    kv_response_init(&d);
    mice_status st;
    mice_err rerr, err;
    assert_int_equal(kvwire_decode_response(buf_slice(&b), &st, &rerr, &d, &err), MICE_OK);
    assert_int_equal(st, MICE_OK);
    assert_int_equal(d.n_results, 3);
    assert_true(d.results[0].found);
    assert_slice(buf_slice(&d.results[0].value), "val");
    assert_true(d.results[0].has_expiry);
    assert_int_equal(d.results[0].expiry_wall_ns, 1234);
    assert_int_equal(d.results[1].n_rows, 5);
    assert_slice(buf_slice(&d.results[1].rows[3].key), "k3");
    assert_slice(buf_slice(&d.results[1].rows[3].value), "v3");
    assert_int_equal(d.results[1].rows[3].expiry_wall_ns, 3);
    assert_true(d.results[1].more);
    assert_slice(buf_slice(&d.results[1].resume_key), "k5");
    assert_ts(d.results[2].commit_ts, 77, 7);
    assert_true(d.results[2].purged);
    assert_true(d.results[2].locked);
    assert_int_equal(d.results[2].txn_state, KV_TXN_COMMITTED);
    assert_int_equal(d.results[2].heartbeat_wall_ns, 4321);
    assert_int_equal(d.results[0].txn_state, KV_TXN_MISSING);
    assert_int_equal(d.conflict, KV_CONFLICT_DEADLOCK);
    assert_ts(d.write_ts, 88, 8);

    /* An error travels with its message and no results. */
    mice_err e;
    mice_err_setf(&e, MICE_NOT_LEADER, "range 3: not the leaseholder; leader is node 2");
    buf_reset(&b);
    kvwire_encode_response(MICE_NOT_LEADER, &e, NULL, &b);
    assert_int_equal(kvwire_decode_response(buf_slice(&b), &st, &rerr, &d, &err), MICE_OK);
    assert_int_equal(st, MICE_NOT_LEADER);
    assert_string_equal(mice_err_msg(&rerr), "range 3: not the leaseholder; leader is node 2");
    assert_int_equal(d.n_results, 0);
    kv_response_deinit(&d);
    kv_response_deinit(&r);
    buf_deinit(&b);
}

/* Values a kv_request cannot hold are refused, not cast. */
static void test_out_of_range_values(void **state)
{
    (void)state;
    mice_err err;
    kvwire_request d;
    struct {
        uint32_t kind, resolve, isolation;
        uint64_t txn_id;
    } cases[] = {
        {99, 0, 0, 1}, {KV_OP_VALIDATE + 1, 0, 0, 1}, {0, 7, 0, 1}, {0, 0, 9, 1},
        {0, 0, 0, 0}, /* a transaction id 0 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Rpcpb__KvBatchRequest m = RPCPB__KV_BATCH_REQUEST__INIT;
        Rpcpb__KvTxnMeta meta = RPCPB__KV_TXN_META__INIT;
        Rpcpb__KvOp op = RPCPB__KV_OP__INIT;
        Rpcpb__KvOp *ops[1] = {&op};
        op.kind = cases[i].kind;
        op.resolve = cases[i].resolve;
        meta.id = cases[i].txn_id;
        meta.isolation = cases[i].isolation;
        m.txn = &meta;
        m.n_ops = 1;
        m.ops = ops;
        mice_buf b;
        buf_init(&b);
        rpc_pack(&m.base, &b);
        assert_int_equal(kvwire_decode_request(buf_slice(&b), &d, &err), MICE_CORRUPT);
        kvwire_request_deinit(&d); /* a no-op after a failure */
        buf_deinit(&b);
    }
    Rpcpb__KvBatchResponse r = RPCPB__KV_BATCH_RESPONSE__INIT;
    r.status = 10000;
    mice_buf b;
    buf_init(&b);
    rpc_pack(&r.base, &b);
    kv_response resp;
    kv_response_init(&resp);
    mice_status st;
    mice_err rerr;
    assert_int_equal(kvwire_decode_response(buf_slice(&b), &st, &rerr, &resp, &err), MICE_CORRUPT);
    /* A push answer with a transaction state kv_txn_state cannot hold. */
    Rpcpb__KvBatchResponse r2 = RPCPB__KV_BATCH_RESPONSE__INIT;
    Rpcpb__KvResult res = RPCPB__KV_RESULT__INIT;
    Rpcpb__KvResult *res_ptrs[1] = {&res};
    res.txn_state = KV_TXN_ABORTED + 1;
    r2.n_results = 1;
    r2.results = res_ptrs;
    buf_reset(&b);
    rpc_pack(&r2.base, &b);
    assert_int_equal(kvwire_decode_response(buf_slice(&b), &st, &rerr, &resp, &err), MICE_CORRUPT);
    assert_int_equal(resp.n_results, 0);
    kv_response_deinit(&resp);
    buf_deinit(&b);
}

/* Random bytes, truncations and bit flips of valid encodings: decoders answer, never crash
 * (run under ASan to see leaks and overreads). */
static void test_malformed_never_crash(void **state)
{
    (void)state;
    mice_prng rng;
    prng_seed(&rng, 42);
    mice_slice intents[2] = {mice_slice_str("a"), mice_slice_str("bb")};
    kv_txn_meta meta = {.id = 5, .primary = mice_slice_str("a")};
    kv_op ops[2] = {{.kind = KV_OP_PUT, .key = mice_slice_str("a"), .value = mice_slice_str("v")},
                    {.kind = KV_OP_END_TXN, .intents = intents, .n_intents = 2}};
    kv_request req = {.txn = &meta, .ops = ops, .n_ops = 2};
    mice_buf valid, b;
    buf_init(&valid);
    buf_init(&b);
    kvwire_encode_request(&req, &valid);
    size_t ok = 0, refused = 0;
    for (int iter = 0; iter < 20000; iter++) {
        buf_reset(&b);
        int mode = iter % 3;
        if (mode == 0) { /* random bytes */
            size_t n = prng_next(&rng) % 64;
            for (size_t i = 0; i < n; i++)
                buf_append_u8(&b, (uint8_t)prng_next(&rng));
        } else if (mode == 1) { /* truncation */
            buf_append(&b, valid.p, prng_next(&rng) % (valid.n + 1));
        } else { /* bit flips */
            buf_append(&b, valid.p, valid.n);
            for (int k = 0; k < 3; k++)
                b.p[prng_next(&rng) % b.n] ^= (uint8_t)(1u << (prng_next(&rng) % 8));
        }
        kvwire_request d;
        mice_err err;
        if (kvwire_decode_request(buf_slice(&b), &d, &err) == MICE_OK) {
            ok++;
            for (size_t i = 0; i < d.req.n_ops; i++) /* touch everything it claims */
                for (size_t k = 0; k < d.req.ops[i].n_intents; k++)
                    (void)d.req.ops[i].intents[k].n;
            kvwire_request_deinit(&d);
        } else {
            refused++;
        }
        kv_response resp;
        kv_response_init(&resp);
        mice_status st;
        mice_err rerr;
        (void)kvwire_decode_response(buf_slice(&b), &st, &rerr, &resp, &err);
        kv_response_deinit(&resp);
    }
    printf("malformed: %zu decoded, %zu refused\n", ok, refused);
    assert_true(refused > 0);
    assert_true(ok > 0);
    buf_deinit(&valid);
    buf_deinit(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_response_round_trip),
        cmocka_unit_test(test_out_of_range_values),
        cmocka_unit_test(test_malformed_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
