/* Unit tests for kv/intent: round trips, and every truncation or bad byte is MICE_CORRUPT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kv/intent.h"

static void sample(intent *in, bool prior)
{
    memset(in, 0, sizeof *in);
    in->txn_id = 0x0102030405060708ull;
    in->start_ts = (hlc_ts){100, 1};
    in->write_ts = (hlc_ts){200, 2};
    in->seq = 7;
    in->kind = INTENT_PUT;
    in->primary = MICE_SLICE_LIT("prim");
    in->value = MICE_SLICE_LIT("value\0with nul");
    in->has_prior = prior;
    if (prior) {
        in->prior_kind = INTENT_DELETE;
        in->prior_seq = 3;
    }
}

/* Expiries (the KV TTL) travel in version 2; an intent without one keeps version 1. */
static void test_intent_expiry_round_trip(void **state)
{
    (void)state;
    for (int variant = 0; variant < 3; variant++) {
        intent in, out;
        sample(&in, variant > 0);
        in.has_expiry = variant != 1;
        in.expiry_wall_ns = in.has_expiry ? 0x1122334455667788ull : 0;
        in.prior_has_expiry = variant > 0;
        in.prior_expiry_wall_ns = variant > 0 ? 42 : 0;
        mice_buf b;
        buf_init(&b);
        intent_encode(&b, &in);
        assert_int_equal(b.p[0], 2);
        assert_int_equal(intent_decode(buf_slice(&b), &out), MICE_OK);
        assert_int_equal(out.has_expiry, in.has_expiry);
        assert_true(out.expiry_wall_ns == in.expiry_wall_ns);
        assert_int_equal(out.prior_has_expiry, in.prior_has_expiry);
        assert_true(out.prior_expiry_wall_ns == in.prior_expiry_wall_ns);
        assert_true(mice_slice_eq(out.value, in.value));
        for (size_t n = 0; n < b.n; n++)
            assert_int_equal(intent_decode(mice_slice_of(b.p, n), &out), MICE_CORRUPT);
        buf_deinit(&b);
    }
    intent plain;
    sample(&plain, false);
    mice_buf b;
    buf_init(&b);
    intent_encode(&b, &plain);
    assert_int_equal(b.p[0], 1);
    buf_deinit(&b);
}

static void test_intent_round_trip(void **state)
{
    (void)state;
    for (int prior = 0; prior < 2; prior++) {
        intent in, out;
        sample(&in, prior);
        mice_buf b;
        buf_init(&b);
        intent_encode(&b, &in);
        assert_int_equal(intent_decode(buf_slice(&b), &out), MICE_OK);
        assert_true(out.txn_id == in.txn_id);
        assert_int_equal(hlc_ts_cmp(out.start_ts, in.start_ts), 0);
        assert_int_equal(hlc_ts_cmp(out.write_ts, in.write_ts), 0);
        assert_int_equal(out.seq, 7);
        assert_int_equal(out.kind, INTENT_PUT);
        assert_true(mice_slice_eq(out.primary, in.primary));
        assert_true(mice_slice_eq(out.value, in.value));
        assert_int_equal(out.has_prior, prior);
        if (prior) {
            assert_int_equal(out.prior_kind, INTENT_DELETE);
            assert_int_equal(out.prior_seq, 3);
        }
        /* every truncation and a trailing byte are rejected */
        for (size_t n = 0; n < b.n; n++)
            assert_int_equal(intent_decode(mice_slice_of(b.p, n), &out), MICE_CORRUPT);
        buf_append_u8(&b, 0);
        assert_int_equal(intent_decode(buf_slice(&b), &out), MICE_CORRUPT);
        buf_truncate(&b, b.n - 1);
        b.p[1] = 9; /* bad kind */
        assert_int_equal(intent_decode(buf_slice(&b), &out), MICE_CORRUPT);
        b.p[0] = 3; /* unknown version */
        assert_int_equal(intent_decode(buf_slice(&b), &out), MICE_CORRUPT);
        buf_deinit(&b);
    }
}

static void test_record_round_trip_and_keys(void **state)
{
    (void)state;
    txn_record r = {.status = TXN_COMMITTED, .write_ts = {5, 6}, .heartbeat_wall_ns = 77}, out;
    mice_buf b, k1, k2;
    buf_init(&b);
    buf_init(&k1);
    buf_init(&k2);
    txn_record_encode(&b, &r);
    assert_int_equal(txn_record_decode(buf_slice(&b), &out), MICE_OK);
    assert_int_equal(out.status, TXN_COMMITTED);
    assert_int_equal(out.heartbeat_wall_ns, 77);
    for (size_t n = 0; n < b.n; n++)
        assert_int_equal(txn_record_decode(mice_slice_of(b.p, n), &out), MICE_CORRUPT);
    b.p[1] = 0;
    assert_int_equal(txn_record_decode(buf_slice(&b), &out), MICE_CORRUPT);
    /* record keys of primaries a < a\0 keep that order whatever the ids (prefix-free) */
    txn_record_key(&k1, MICE_SLICE_LIT("a"), UINT64_MAX);
    txn_record_key(&k2, mice_slice_of("a\0", 2), 0);
    assert_true(mice_slice_cmp(buf_slice(&k1), buf_slice(&k2)) < 0);
    intent_key(&k1, MICE_SLICE_LIT("user"));
    mice_slice user;
    assert_int_equal(intent_key_decode(buf_slice(&k1), &user), MICE_OK);
    assert_true(mice_slice_eq(user, MICE_SLICE_LIT("user")));
    assert_int_equal(intent_key_decode(buf_slice(&k2), &user), MICE_CORRUPT);
    buf_deinit(&b);
    buf_deinit(&k1);
    buf_deinit(&k2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intent_round_trip),
        cmocka_unit_test(test_intent_expiry_round_trip),
        cmocka_unit_test(test_record_round_trip_and_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
