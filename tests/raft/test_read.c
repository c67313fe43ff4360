/*
 * Linearizable reads: ReadIndex (heartbeat quorum, forwarding, waiting for a commit in
 * the new term, the no-quorum canary) and leader leases (validity window, drift margin and
 * its canary, expiry before any other leader can be elected, voided by transfers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "raft/raft.h"
#include "raft/support/net.h"

static bool has_read(net *n, uint64_t id, const char *ctx, uint64_t *index_out)
{
    net_node *nd = net_node_of(n, id);
    size_t len = strlen(ctx);
    for (size_t i = 0; i < nd->n_reads; i++) {
        if (nd->reads[i].context_len == len && memcmp(nd->reads[i].context, ctx, len) == 0) {
            if (index_out) *index_out = nd->reads[i].index;
            return true;
        }
    }
    return false;
}

static void test_read_index_on_leader_needs_heartbeat_quorum(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    assert_int_equal(raft_read_index(net_raft(n, 1), mice_slice_str("r1")), MICE_OK);
    net_process(n);
    assert_false(has_read(n, 1, "r1", NULL)); /* not before the heartbeat round */
    assert_true(net_count(n, RAFT_MSG_HEARTBEAT, 1, 0) >= 2);
    net_settle(n);
    uint64_t idx = 0;
    assert_true(has_read(n, 1, "r1", &idx));
    assert_int_equal(idx, raft_commit_index(net_raft(n, 1)));
    net_destroy(n);
}

static void test_read_index_forwarded_from_follower(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(raft_read_index(net_raft(n, 2), mice_slice_str("r")), MICE_NOT_LEADER);
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    assert_int_equal(raft_read_index(net_raft(n, 2), mice_slice_str("r2")), MICE_OK);
    net_settle(n);
    uint64_t idx = 0;
    assert_true(has_read(n, 2, "r2", &idx));
    assert_int_equal(idx, raft_commit_index(net_raft(n, 1)));
    assert_false(has_read(n, 1, "r2", NULL));
    uint8_t big[RAFT_CONTEXT_MAX + 1] = {0};
    assert_int_equal(raft_read_index(net_raft(n, 2), mice_slice_of(big, sizeof big)),
                     MICE_INVALID);
    net_destroy(n);
}

/* A deposed leader that does not know it yet must not answer: its commit index is stale.
 * The canary answers at once and returns an index behind the new leader's commits. */
static void check_stale_leader_read(uint32_t canaries, bool expect_answer)
{
    net *n = net_create(3, 0, NULL);
    for (uint64_t i = 1; i <= 3; i++) {
        net_node_of(n, i)->cfg.canaries = canaries;
        net_restart(n, i);
    }
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 1);
    for (int t = 0; t < 40; t++) {
        raft_tick(net_raft(n, 2));
        raft_tick(net_raft(n, 3));
        net_settle(n);
    }
    uint64_t lead = net_leader(n);
    assert_true(lead == 2 || lead == 3);
    net_propose(n, lead, "newer");
    assert_int_equal(raft_read_index(net_raft(n, 1), mice_slice_str("stale")), MICE_OK);
    net_tick(n, 1, 3);
    uint64_t idx = 0;
    assert_int_equal(has_read(n, 1, "stale", &idx), expect_answer);
    if (expect_answer) assert_true(idx < raft_commit_index(net_raft(n, lead)));
    net_destroy(n);
}

static void test_read_index_not_answered_by_deposed_leader(void **state)
{
    (void)state;
    check_stale_leader_read(0, false);
}

static void test_canary_read_index_no_quorum_answers_stale(void **state)
{
    (void)state;
    check_stale_leader_read(RAFT_CANARY_READ_INDEX_NO_QUORUM, true);
}

/* A new leader answers reads only after committing an entry of its own term. */
static bool drop_app_resps(void *ctx, const raft_msg *m)
{
    return *(bool *)ctx && m->type == RAFT_MSG_APP_RESP;
}

static void test_read_waits_for_commit_in_term(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    bool dropping = true;
    n->drop = drop_app_resps;
    n->drop_ctx = &dropping;
    assert_int_equal(net_elect(n, 1), 1);
    assert_int_equal(raft_read_index(net_raft(n, 1), mice_slice_str("early")), MICE_OK);
    net_tick(n, 1, 3); /* heartbeats are acknowledged, but nothing commits */
    assert_false(has_read(n, 1, "early", NULL));
    assert_false(raft_lease_read_ok(net_raft(n, 1), NULL));
    dropping = false;
    net_tick(n, 1, 3);
    uint64_t idx = 0;
    assert_true(has_read(n, 1, "early", &idx));
    assert_true(idx >= 2); /* includes the new term's first entry */
    net_destroy(n);
}

/* Lease: valid from a quorum's acknowledgement for election - drift ticks. */
static void check_lease_window(uint32_t canaries, uint32_t expect_ticks)
{
    net *n = net_create(3, 0, NULL);
    for (uint64_t i = 1; i <= 3; i++) {
        net_node_of(n, i)->cfg.canaries = canaries;
        net_restart(n, i);
    }
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    net_tick(n, 1, 1); /* heartbeat round: acknowledged at once */
    uint64_t read_index = 0;
    assert_true(raft_lease_read_ok(net_raft(n, 1), &read_index));
    assert_int_equal(read_index, raft_commit_index(net_raft(n, 1)));
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    assert_int_equal(st.lease_expiry_tick, st.tick + expect_ticks);
    net_isolate(n, 1);
    uint32_t valid = 0;
    while (raft_lease_read_ok(net_raft(n, 1), NULL)) {
        raft_tick(net_raft(n, 1));
        net_settle(n);
        valid++;
    }
    assert_int_equal(valid, expect_ticks);
    net_destroy(n);
}

static void test_lease_lasts_election_minus_drift(void **state)
{
    (void)state;
    check_lease_window(0, 10 - 2);
}

static void test_canary_lease_without_drift_lasts_full_timeout(void **state)
{
    (void)state;
    check_lease_window(RAFT_CANARY_LEASE_WITHOUT_DRIFT, 10);
}

/* No other leader can be elected while the old leader's lease is valid (same clocks). */
static void test_new_leader_only_after_lease_expired(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    net_tick_all(n, 1);
    assert_true(raft_lease_read_ok(net_raft(n, 1), NULL));
    net_isolate(n, 1);
    for (int t = 0; t < 60; t++) {
        net_tick_all(n, 1);
        uint64_t other = net_leader(n);
        bool new_leader = (other == 2 || other == 3) &&
                          raft_term(net_raft(n, other)) > raft_term(net_raft(n, 1));
        if (new_leader) assert_false(raft_lease_read_ok(net_raft(n, 1), NULL));
    }
    assert_true(raft_role_of(net_raft(n, 2)) == RAFT_LEADER ||
                raft_role_of(net_raft(n, 3)) == RAFT_LEADER);
    net_destroy(n);
}

/* Pending reads are bounded: an isolated leader refuses more than RAFT_READS_PENDING_MAX. */
static void test_pending_reads_are_bounded(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    net_isolate(n, 1);
    for (int i = 0; i < RAFT_READS_PENDING_MAX; i++)
        assert_int_equal(raft_read_index(net_raft(n, 1), mice_slice_str("r")), MICE_OK);
    assert_int_equal(raft_read_index(net_raft(n, 1), mice_slice_str("r")), MICE_LIMIT);
    net_destroy(n);
}

static void no_check_quorum(raft_config *c)
{
    c->check_quorum = false;
}

/* No lease while transferring leadership (nor after a TIMEOUT_NOW in that term), and none
 * without check_quorum (followers would not refuse votes). */
static void test_lease_voided_by_transfer_and_needs_check_quorum(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_cut(n, 1, 3);
    net_propose(n, 1, "x");
    net_tick(n, 1, 1);
    assert_true(raft_lease_read_ok(net_raft(n, 1), NULL));
    assert_int_equal(raft_transfer_leader(net_raft(n, 1), 3), MICE_OK);
    assert_false(raft_lease_read_ok(net_raft(n, 1), NULL));
    net_destroy(n);

    n = net_create(3, 0, no_check_quorum);
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    net_tick(n, 1, 1);
    assert_false(raft_lease_read_ok(net_raft(n, 1), NULL));
    net_destroy(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_index_on_leader_needs_heartbeat_quorum),
        cmocka_unit_test(test_read_index_forwarded_from_follower),
        cmocka_unit_test(test_read_index_not_answered_by_deposed_leader),
        cmocka_unit_test(test_canary_read_index_no_quorum_answers_stale),
        cmocka_unit_test(test_read_waits_for_commit_in_term),
        cmocka_unit_test(test_lease_lasts_election_minus_drift),
        cmocka_unit_test(test_canary_lease_without_drift_lasts_full_timeout),
        cmocka_unit_test(test_new_leader_only_after_lease_expired),
        cmocka_unit_test(test_lease_voided_by_transfer_and_needs_check_quorum),
        cmocka_unit_test(test_pending_reads_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
