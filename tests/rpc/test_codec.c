/* Unit tests for rpc/codec: the kind table, pack/unpack round trips of every message kind,
 * undecodable bytes, and RaftBatch assembly from packed messages (byte-identical to what
 * protobuf-c packs for the same batch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "rpc/codec.h"

static void test_kind_table(void **state)
{
    (void)state;
    assert_int_equal(rpc_msg_frame_type(RPC_MSG_RAFT), RPC_FRAME_RAFT_BATCH);
    assert_ptr_equal(rpc_msg_descriptor(RPC_MSG_RAFT), &rpcpb__raft_message__descriptor);
    assert_string_equal(rpc_msg_kind_name(RPC_MSG_HEARTBEAT), "heartbeat");
    assert_string_equal(rpc_msg_kind_name(RPC_MSG_KIND_COUNT), "?");
    assert_false(rpc_msg_kind_valid(RPC_MSG_KIND_COUNT));
    for (int k = 0; k < RPC_MSG_KIND_COUNT; k++) {
        rpc_msg_kind back;
        rpc_frame_type ft = rpc_msg_frame_type((rpc_msg_kind)k);
        assert_true(frame_type_valid(ft));
        if (k == RPC_MSG_RAFT) {
            assert_false(rpc_frame_msg_kind(ft, &back));
        } else {
            assert_true(rpc_frame_msg_kind(ft, &back));
            assert_int_equal(back, k);
        }
    }
    assert_ptr_equal(rpc_frame_descriptor(RPC_FRAME_RAFT_BATCH), &rpcpb__raft_batch__descriptor);
    assert_ptr_equal(rpc_frame_descriptor(RPC_FRAME_HEARTBEAT_RESP),
                     &rpcpb__node_heartbeat_response__descriptor);
    assert_ptr_equal(rpc_frame_descriptor(RPC_FRAME_HELLO), &rpcpb__hello__descriptor);
    rpc_msg_kind back;
    assert_false(rpc_frame_msg_kind(RPC_FRAME_HELLO, &back));
    assert_false(rpc_frame_msg_kind(RPC_FRAME_REQUEST, &back));
    assert_false(rpc_frame_msg_kind(RPC_FRAME_RESPONSE, &back));
}

static void test_heartbeat_round_trip(void **state)
{
    (void)state;
    enum { BEATS = 300 };
    Rpcpb__RangeHeartbeat beats[BEATS];
    Rpcpb__RangeHeartbeat *ptrs[BEATS];
    for (int i = 0; i < BEATS; i++) {
        rpcpb__range_heartbeat__init(&beats[i]);
        beats[i].range_id = 1000 + (uint64_t)i;
        beats[i].term = (uint64_t)i % 7 + 1;
        beats[i].commit = (uint64_t)i * 3;
        beats[i].from_replica = 1;
        beats[i].to_replica = 2;
        ptrs[i] = &beats[i];
    }
    Rpcpb__NodeHeartbeat hb = RPCPB__NODE_HEARTBEAT__INIT;
    hb.from_node = 1;
    hb.to_node = 2;
    hb.n_beats = BEATS;
    hb.beats = ptrs;
    mice_buf b;
    buf_init(&b);
    rpc_pack(&hb.base, &b);
    ProtobufCMessage *m = NULL;
    mice_err err;
    assert_int_equal(rpc_unpack(rpc_msg_descriptor(RPC_MSG_HEARTBEAT), buf_slice(&b), &m, &err),
                     MICE_OK);
    Rpcpb__NodeHeartbeat *back = (Rpcpb__NodeHeartbeat *)m;
    assert_int_equal(back->n_beats, BEATS);
    for (int i = 0; i < BEATS; i++) {
        assert_int_equal(back->beats[i]->range_id, beats[i].range_id);
        assert_int_equal(back->beats[i]->term, beats[i].term);
        assert_int_equal(back->beats[i]->commit, beats[i].commit);
    }
    rpc_unpacked_free(m);
    /* As a frame: */
    buf_reset(&b);
    rpc_pack_frame(&hb.base, RPC_FRAME_HEARTBEAT, &b);
    rpc_frame f;
    size_t used;
    assert_int_equal(frame_parse(buf_slice(&b), 1 << 20, &f, &used, &err), MICE_OK);
    assert_int_equal(f.type, RPC_FRAME_HEARTBEAT);
    assert_int_equal(f.body.n, protobuf_c_message_get_packed_size(&hb.base));
    buf_deinit(&b);
}

static void test_undecodable_bytes(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t n;
    } bad[] = {
        {"\x08", 1}, /* varint field without its value */
        {"\x0a\x05"
         "ab",
         4},                                                      /* length past the end */
        {"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12}, /* over-long varint */
        {"\x0f", 1},                                              /* wire type 7 */
        {"\x52\x01\x08", 3},                                      /* entries: a truncated Entry */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ProtobufCMessage *m = (ProtobufCMessage *)1;
        mice_err err;
        mice_status rc = rpc_unpack(&rpcpb__raft_message__descriptor,
                                    mice_slice_of(bad[i].bytes, bad[i].n), &m, &err);
        if (rc != MICE_CORRUPT) fail_msg("case %zu decoded", i);
        assert_null(m);
        assert_non_null(strstr(err.msg, "rpcpb.RaftMessage"));
    }
    /* Empty bytes are a valid message with every field zero. */
    ProtobufCMessage *m = NULL;
    assert_int_equal(rpc_unpack(&rpcpb__hello__descriptor, mice_slice_of(NULL, 0), &m, NULL),
                     MICE_OK);
    assert_int_equal(((Rpcpb__Hello *)m)->node_id, 0);
    rpc_unpacked_free(m);
    rpc_unpacked_free(NULL);
}

static void random_raft_message(mice_prng *r, Rpcpb__RaftMessage *m, Rpcpb__Entry *ents,
                                Rpcpb__Entry **ptrs, size_t max_ents, uint8_t *data)
{
    rpcpb__raft_message__init(m);
    m->range_id = prng_next(r);
    m->from_node = prng_below(r, 5);
    m->to_node = prng_below(r, 5);
    m->type = (Rpcpb__RaftMessageType)prng_below(r, 18);
    m->term = prng_below(r, 1000);
    m->index = prng_next(r);
    m->reject = prng_chance(r, 1, 2);
    m->n_entries = (size_t)prng_below(r, max_ents + 1);
    m->entries = ptrs;
    for (size_t i = 0; i < m->n_entries; i++) {
        rpcpb__entry__init(&ents[i]);
        ents[i].term = m->term;
        ents[i].index = m->index + i;
        ents[i].data.len = (size_t)prng_below(r, 64);
        ents[i].data.data = data;
        ptrs[i] = &ents[i];
    }
}

static void test_raft_batch_assembly(void **state)
{
    (void)state;
    const uint64_t seed = 7;
    mice_prng r;
    prng_seed(&r, seed);
    enum { MSGS = 50, ENTS = 4 };
    uint8_t data[64];
    prng_fill(&r, data, sizeof data);
    for (int round = 0; round < 100; round++) {
        size_t n = (size_t)prng_below(&r, MSGS + 1);
        Rpcpb__RaftMessage msgs[MSGS];
        Rpcpb__RaftMessage *mptrs[MSGS];
        Rpcpb__Entry ents[MSGS][ENTS];
        Rpcpb__Entry *eptrs[MSGS][ENTS];
        mice_buf body, one;
        buf_init(&body);
        buf_init(&one);
        for (size_t i = 0; i < n; i++) {
            random_raft_message(&r, &msgs[i], ents[i], eptrs[i], ENTS, data);
            mptrs[i] = &msgs[i];
            buf_reset(&one);
            rpc_pack(&msgs[i].base, &one);
            size_t before = body.n;
            rpc_raft_batch_add(&body, buf_slice(&one));
            assert_int_equal(body.n - before, rpc_raft_batch_item_bytes(one.n));
        }
        Rpcpb__RaftBatch batch = RPCPB__RAFT_BATCH__INIT;
        batch.n_msgs = n;
        batch.msgs = mptrs;
        mice_buf whole;
        buf_init(&whole);
        rpc_pack(&batch.base, &whole);
        assert_int_equal(whole.n, body.n);
        if (n) assert_memory_equal(whole.p, body.p, body.n);
        ProtobufCMessage *m = NULL;
        assert_int_equal(rpc_unpack(&rpcpb__raft_batch__descriptor, buf_slice(&body), &m, NULL),
                         MICE_OK);
        Rpcpb__RaftBatch *back = (Rpcpb__RaftBatch *)m;
        assert_int_equal(back->n_msgs, n);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(back->msgs[i]->range_id, msgs[i].range_id);
            assert_int_equal(back->msgs[i]->n_entries, msgs[i].n_entries);
            for (size_t e = 0; e < msgs[i].n_entries; e++) {
                assert_int_equal(back->msgs[i]->entries[e]->index, msgs[i].entries[e]->index);
                assert_int_equal(back->msgs[i]->entries[e]->data.len, msgs[i].entries[e]->data.len);
            }
        }
        rpc_unpacked_free(m);
        buf_deinit(&whole);
        buf_deinit(&body);
        buf_deinit(&one);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_table),
        cmocka_unit_test(test_heartbeat_round_trip),
        cmocka_unit_test(test_undecodable_bytes),
        cmocka_unit_test(test_raft_batch_assembly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
