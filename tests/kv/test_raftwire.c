/* Unit tests for kv/raftwire: random raft_msgs of every wire type survive encode + decode
 * field for field (entries, snapshot metadata and configuration, context); what a raft_msg
 * cannot hold or a peer must not send is MICE_CORRUPT; coalesced heartbeat tuples map to
 * and from MSG_HEARTBEAT(_RESP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "kv/raftwire.h"

static uint64_t nonzero(mice_prng *r)
{
    return 1 + prng_below(r, prng_chance(r, 1, 2) ? 5 : UINT64_MAX - 1);
}

static uint64_t any_u64(mice_prng *r)
{
    switch (prng_below(r, 3)) {
    case 0:
        return 0;
    case 1:
        return prng_below(r, 1000);
    default:
        return prng_next(r);
    }
}

static void random_ids(mice_prng *r, uint64_t *ids, uint32_t *n)
{
    *n = (uint32_t)prng_below(r, RAFT_NODES_MAX + 1);
    for (uint32_t i = 0; i < *n; i++)
        ids[i] = nonzero(r);
}

static void random_msg(mice_prng *r, raft_msg *m)
{
    raft_msg_init(m);
    do {
        m->type = (raft_msg_type)prng_below(r, RAFT_MSG_TYPE_COUNT);
    } while (raft_msg_is_local(m->type));
    m->from = nonzero(r);
    m->to = nonzero(r);
    m->term = any_u64(r);
    m->log_term = any_u64(r);
    m->index = any_u64(r);
    m->commit = any_u64(r);
    m->reject = prng_chance(r, 1, 2);
    m->reject_hint = any_u64(r);
    m->transfer = prng_chance(r, 1, 2);
    m->lease_tick = any_u64(r);
    m->read_seq = any_u64(r);
    m->context_len = (uint32_t)prng_below(r, RAFT_CONTEXT_MAX + 1);
    prng_fill(r, m->context, m->context_len);
    m->n_entries = (size_t)prng_below(r, 6);
    if (m->n_entries) m->entries = calloc(m->n_entries, sizeof *m->entries);
    for (size_t i = 0; i < m->n_entries; i++) {
        raft_entry *e = &m->entries[i];
        e->type = prng_chance(r, 1, 4) ? RAFT_ENTRY_CONF_CHANGE : RAFT_ENTRY_NORMAL;
        e->term = any_u64(r);
        e->index = any_u64(r);
        e->len = (size_t)prng_below(r, 100);
        if (e->len) {
            e->data = malloc(e->len);
            prng_fill(r, e->data, e->len);
        }
    }
    if (m->type == RAFT_MSG_SNAP) {
        raft_snapshot_meta *meta = &m->snapshot.meta;
        meta->index = any_u64(r);
        meta->term = any_u64(r);
        random_ids(r, meta->conf.voters, &meta->conf.n_voters);
        random_ids(r, meta->conf.voters_outgoing, &meta->conf.n_voters_outgoing);
        random_ids(r, meta->conf.learners, &meta->conf.n_learners);
        meta->conf.auto_leave = prng_chance(r, 1, 2);
        m->snapshot.len = (size_t)prng_below(r, 500);
        if (m->snapshot.len) {
            m->snapshot.data = malloc(m->snapshot.len);
            prng_fill(r, m->snapshot.data, m->snapshot.len);
        }
    }
}

static void assert_same_msg(const raft_msg *a, const raft_msg *b)
{
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->from, b->from);
    assert_int_equal(a->to, b->to);
    assert_int_equal(a->term, b->term);
    assert_int_equal(a->log_term, b->log_term);
    assert_int_equal(a->index, b->index);
    assert_int_equal(a->commit, b->commit);
    assert_int_equal(a->reject, b->reject);
    assert_int_equal(a->reject_hint, b->reject_hint);
    assert_int_equal(a->transfer, b->transfer);
    assert_int_equal(a->lease_tick, b->lease_tick);
    assert_int_equal(a->read_seq, b->read_seq);
    assert_int_equal(a->context_len, b->context_len);
    assert_memory_equal(a->context, b->context, a->context_len);
    assert_int_equal(a->n_entries, b->n_entries);
    for (size_t i = 0; i < a->n_entries; i++) {
        assert_int_equal(a->entries[i].type, b->entries[i].type);
        assert_int_equal(a->entries[i].term, b->entries[i].term);
        assert_int_equal(a->entries[i].index, b->entries[i].index);
        assert_int_equal(a->entries[i].len, b->entries[i].len);
        if (a->entries[i].len)
            assert_memory_equal(a->entries[i].data, b->entries[i].data, a->entries[i].len);
    }
    const raft_snapshot *sa = &a->snapshot, *sb = &b->snapshot;
    assert_int_equal(sa->meta.index, sb->meta.index);
    assert_int_equal(sa->meta.term, sb->meta.term);
    assert_true(raft_conf_state_equal(&sa->meta.conf, &sb->meta.conf));
    assert_int_equal(sa->meta.conf.n_voters, sb->meta.conf.n_voters);
    assert_int_equal(sa->meta.conf.auto_leave, sb->meta.conf.auto_leave);
    assert_int_equal(sa->len, sb->len);
    if (sa->len) assert_memory_equal(sa->data, sb->data, sa->len);
}

static void test_random_round_trips(void **state)
{
    (void)state;
    const uint64_t seed = 0x726166747769;
    mice_prng r;
    prng_seed(&r, seed);
    int seen[RAFT_MSG_TYPE_COUNT] = {0};
    mice_buf wire;
    buf_init(&wire);
    for (int round = 0; round < 5000; round++) {
        raft_msg m, back;
        random_msg(&r, &m);
        seen[m.type]++;
        raftwire_route route = {nonzero(&r), nonzero(&r), nonzero(&r)}, got;
        buf_reset(&wire);
        raftwire_encode(&route, &m, &wire);
        mice_err err;
        mice_status rc = raftwire_decode_bytes(buf_slice(&wire), &got, &back, &err);
        if (rc) fail_msg("seed %llu round %d: %s", (unsigned long long)seed, round, err.msg);
        assert_int_equal(got.range_id, route.range_id);
        assert_int_equal(got.from_node, route.from_node);
        assert_int_equal(got.to_node, route.to_node);
        assert_same_msg(&m, &back);
        raft_msg_deinit(&m);
        raft_msg_deinit(&back);
    }
    for (int t = 0; t < RAFT_MSG_TYPE_COUNT; t++) {
        if (!raft_msg_is_local((raft_msg_type)t)) assert_true(seen[t] > 0);
    }
    buf_deinit(&wire);
}

/* Encode a valid message into a view, let `spoil` damage the protobuf, decode. */
typedef void (*spoil_fn)(raftwire_view *v, Rpcpb__Entry *extra, uint64_t *ids);

static mice_status decode_spoiled(spoil_fn spoil, raft_msg_type type, mice_err *err)
{
    raft_msg m;
    raft_msg_init(&m);
    m.type = type;
    m.from = 1;
    m.to = 2;
    m.term = 3;
    raft_entry e = {.term = 3, .index = 4, .type = RAFT_ENTRY_NORMAL};
    m.entries = &e;
    m.n_entries = 1;
    m.snapshot.meta.conf.n_voters = 1;
    m.snapshot.meta.conf.voters[0] = 1;
    raftwire_route route = {7, 1, 2};
    raftwire_view v;
    raftwire_view_init(&v, &route, &m);
    Rpcpb__Entry extra;
    uint64_t ids[RAFT_NODES_MAX + 1];
    for (int i = 0; i <= RAFT_NODES_MAX; i++)
        ids[i] = (uint64_t)i + 1;
    spoil(&v, &extra, ids);
    raft_msg out;
    raftwire_route got;
    mice_status rc = raftwire_decode(&v.msg, &got, &out, err);
    assert_int_equal(out.n_entries, rc == MICE_OK ? 1 : 0); /* failure leaves it empty */
    raft_msg_deinit(&out);
    raftwire_view_deinit(&v);
    return rc;
}

static void spoil_nothing(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)v, (void)x, (void)ids;
}
static void spoil_type(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x, (void)ids;
    v->msg.type = (Rpcpb__RaftMessageType)99;
}
static void spoil_negative_type(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x, (void)ids;
    v->msg.type = (Rpcpb__RaftMessageType)-1;
}
static void spoil_entry_type(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x, (void)ids;
    v->entries[0].type = (Rpcpb__EntryType)5;
}
static void spoil_context(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x;
    v->msg.context.data = (uint8_t *)ids;
    v->msg.context.len = RAFT_CONTEXT_MAX + 1;
}
static void spoil_range(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x, (void)ids;
    v->msg.range_id = 0;
}
static void spoil_replica(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x, (void)ids;
    v->msg.to_replica = 0;
}
static void spoil_too_many_voters(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x;
    v->conf.voters = ids;
    v->conf.n_voters = RAFT_NODES_MAX + 1;
}
static void spoil_voter_zero(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x;
    ids[0] = 0;
    v->conf.learners = ids;
    v->conf.n_learners = 2;
}
static void spoil_no_meta(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x, (void)ids;
    v->snapshot.meta = NULL;
}
static void spoil_snapshot_on_app(raftwire_view *v, Rpcpb__Entry *x, uint64_t *ids)
{
    (void)x, (void)ids;
    v->msg.type = RPCPB__RAFT_MESSAGE_TYPE__MSG_APP;
}

static void test_what_raft_cannot_hold_is_corrupt(void **state)
{
    (void)state;
    mice_err err;
    assert_int_equal(decode_spoiled(spoil_nothing, RAFT_MSG_APP, &err), MICE_OK);
    assert_int_equal(decode_spoiled(spoil_nothing, RAFT_MSG_SNAP, &err), MICE_OK);
    assert_int_equal(decode_spoiled(spoil_type, RAFT_MSG_APP, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "unknown type 99"));
    assert_int_equal(decode_spoiled(spoil_negative_type, RAFT_MSG_APP, &err), MICE_CORRUPT);
    assert_int_equal(decode_spoiled(spoil_nothing, RAFT_MSG_HUP, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "local type"));
    assert_int_equal(decode_spoiled(spoil_nothing, RAFT_MSG_UNREACHABLE, &err), MICE_CORRUPT);
    assert_int_equal(decode_spoiled(spoil_entry_type, RAFT_MSG_APP, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "entry type 5"));
    assert_int_equal(decode_spoiled(spoil_context, RAFT_MSG_READ_INDEX, &err), MICE_CORRUPT);
    assert_int_equal(decode_spoiled(spoil_range, RAFT_MSG_APP, &err), MICE_CORRUPT);
    assert_int_equal(decode_spoiled(spoil_replica, RAFT_MSG_APP, &err), MICE_CORRUPT);
    assert_int_equal(decode_spoiled(spoil_too_many_voters, RAFT_MSG_SNAP, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "17 voters"));
    assert_int_equal(decode_spoiled(spoil_voter_zero, RAFT_MSG_SNAP, &err), MICE_CORRUPT);
    assert_int_equal(decode_spoiled(spoil_no_meta, RAFT_MSG_SNAP, &err), MICE_CORRUPT);
    assert_int_equal(decode_spoiled(spoil_snapshot_on_app, RAFT_MSG_SNAP, &err), MICE_CORRUPT);
    /* Undecodable bytes. */
    raft_msg out;
    raftwire_route route;
    assert_int_equal(raftwire_decode_bytes(MICE_SLICE_LIT("\x52\x01\x08"), &route, &out, &err),
                     MICE_CORRUPT);
    assert_int_equal(out.n_entries, 0);
}

static void test_heartbeat_tuples(void **state)
{
    (void)state;
    raft_msg hb;
    raft_msg_init(&hb);
    hb.type = RAFT_MSG_HEARTBEAT;
    hb.from = 1;
    hb.to = 3;
    hb.term = 9;
    hb.commit = 120;
    hb.lease_tick = 4000;
    hb.read_seq = 17;
    Rpcpb__RangeHeartbeat t;
    raftwire_heartbeat_from_msg(55, &hb, &t);
    assert_int_equal(t.range_id, 55);
    raft_msg back;
    mice_err err;
    assert_int_equal(raftwire_heartbeat_to_msg(&t, &back, &err), MICE_OK);
    assert_same_msg(&hb, &back);

    raft_msg resp;
    raft_msg_init(&resp);
    resp.type = RAFT_MSG_HEARTBEAT_RESP;
    resp.from = 3;
    resp.to = 1;
    resp.term = 9;
    resp.reject = true;
    resp.commit = 7;
    resp.lease_tick = 4000;
    resp.read_seq = 17;
    Rpcpb__RangeHeartbeatResponse tr;
    raftwire_heartbeat_resp_from_msg(55, &resp, &tr);
    assert_int_equal(raftwire_heartbeat_resp_to_msg(&tr, &back, &err), MICE_OK);
    assert_same_msg(&resp, &back);
    tr.to_replica = 0;
    assert_int_equal(raftwire_heartbeat_resp_to_msg(&tr, &back, &err), MICE_CORRUPT);
    t.range_id = 0;
    assert_int_equal(raftwire_heartbeat_to_msg(&t, &back, &err), MICE_CORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_round_trips),
        cmocka_unit_test(test_what_raft_cannot_hold_is_corrupt),
        cmocka_unit_test(test_heartbeat_tuples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
