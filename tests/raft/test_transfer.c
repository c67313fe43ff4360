/*
 * Leadership transfer: immediate TIMEOUT_NOW to an up-to-date target, catch-up first for a
 * lagging one, proposals refused meanwhile, abort after an election timeout, forwarding
 * from followers, invalid targets, and bypassing leader stickiness.
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

static void test_transfer_to_up_to_date_follower(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL); /* check_quorum on: stickiness must be bypassed */
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    uint64_t t = raft_term(net_raft(n, 1));
    assert_int_equal(raft_transfer_leader(net_raft(n, 1), 2), MICE_OK);
    net_process(n);
    assert_int_equal(net_count(n, RAFT_MSG_TIMEOUT_NOW, 1, 2), 1);
    net_settle(n);
    assert_int_equal(net_leader(n), 2);
    assert_int_equal(raft_term(net_raft(n, 2)), t + 1);
    assert_int_equal(raft_role_of(net_raft(n, 1)), RAFT_FOLLOWER);
    assert_int_equal(raft_leader(net_raft(n, 1)), 2);
    net_propose(n, 2, "y");
    assert_true(net_applied_text(n, 1, "y"));
    net_destroy(n);
}

static void test_transfer_to_lagging_follower_catches_up_first(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_cut(n, 1, 3);
    net_propose(n, 1, "a");
    net_propose(n, 1, "b");
    net_heal(n);
    assert_int_equal(raft_transfer_leader(net_raft(n, 1), 3), MICE_OK);
    net_process(n);
    assert_int_equal(net_count(n, RAFT_MSG_TIMEOUT_NOW, 1, 3), 0);
    net_settle(n);
    net_tick_all(n, 3);
    assert_int_equal(net_leader(n), 3);
    assert_true(net_applied_text(n, 3, "b"));
    net_destroy(n);
}

static void test_proposals_refused_during_transfer_then_abort(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 3);
    net_propose(n, 1, "a"); /* 3 lags and cannot catch up */
    assert_int_equal(raft_transfer_leader(net_raft(n, 1), 3), MICE_OK);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    assert_int_equal(st.lead_transferee, 3);
    assert_int_equal(raft_propose(net_raft(n, 1), mice_slice_str("no"), NULL), MICE_BUSY);
    for (int t = 0; t < 12; t++) {
        raft_tick(net_raft(n, 1));
        raft_tick(net_raft(n, 2));
        net_settle(n);
    }
    raft_get_status(net_raft(n, 1), &st);
    assert_int_equal(st.lead_transferee, RAFT_NONE); /* abandoned */
    assert_int_equal(net_leader(n), 1);
    net_propose(n, 1, "yes");
    assert_true(net_applied_text(n, 2, "yes"));
    net_destroy(n);
}

static void test_transfer_forwarded_by_follower(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    assert_int_equal(raft_transfer_leader(net_raft(n, 2), 3), MICE_OK);
    net_settle(n);
    assert_int_equal(net_leader(n), 3);
    net_destroy(n);
}

static void test_transfer_invalid_targets(void **state)
{
    (void)state;
    net *n = net_create(3, 1, NULL); /* 4 is a learner */
    assert_int_equal(raft_transfer_leader(net_raft(n, 2), 3), MICE_NOT_LEADER);
    assert_int_equal(net_elect(n, 1), 1);
    assert_int_equal(raft_transfer_leader(net_raft(n, 1), 4), MICE_INVALID);
    assert_int_equal(raft_transfer_leader(net_raft(n, 1), 1), MICE_INVALID);
    assert_int_equal(raft_transfer_leader(net_raft(n, 1), 7), MICE_INVALID);
    net_destroy(n);
}

/* A TIMEOUT_NOW makes the target campaign even though everyone just heard from the leader;
 * an ordinary campaign at that moment is ignored (stickiness). */
static void test_timeout_now_bypasses_stickiness(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    raft_tick(net_raft(n, 1)); /* a heartbeat round */
    net_settle(n);
    raft_msg hup = {.type = RAFT_MSG_HUP, .from = 3, .to = 3};
    net_inject(n, &hup); /* a pre-vote campaign */
    net_settle(n);
    assert_int_equal(net_leader(n), 1); /* 3's pre-votes were ignored */
    assert_int_equal(raft_term(net_raft(n, 3)), raft_term(net_raft(n, 1)));
    net_tick_all(n, 3);
    assert_int_equal(net_leader(n), 1);
    raft_msg tn = {.type = RAFT_MSG_TIMEOUT_NOW, .from = 1, .to = 2,
                   .term = raft_term(net_raft(n, 1))};
    net_inject(n, &tn);
    net_settle(n);
    assert_int_equal(net_leader(n), 2);
    net_destroy(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfer_to_up_to_date_follower),
        cmocka_unit_test(test_transfer_to_lagging_follower_catches_up_first),
        cmocka_unit_test(test_proposals_refused_during_transfer_then_abort),
        cmocka_unit_test(test_transfer_forwarded_by_follower),
        cmocka_unit_test(test_transfer_invalid_targets),
        cmocka_unit_test(test_timeout_now_bypasses_stickiness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
