/*
 * Membership: learners (receive the log, never vote or count), joint consensus (a quorum
 * of both configs while joint; auto and explicit leave), promotion and demotion, removing
 * the leader, one pending change at a time, and the conf change value functions.
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

static raft_conf_change one_change(raft_cc_op op, uint64_t id, bool auto_leave)
{
    raft_conf_change cc = {.auto_leave = auto_leave, .n_changes = 1};
    cc.changes[0] = (raft_cc_item){.op = op, .node_id = id};
    return cc;
}

static uint64_t raft_status_last(raft *r)
{
    raft_status st;
    raft_get_status(r, &st);
    return st.last_index;
}

static void change(net *n, uint64_t lead, const raft_conf_change *cc)
{
    uint64_t idx = 0;
    assert_int_equal(raft_propose_conf_change(net_raft(n, lead), cc, &idx), MICE_OK);
    assert_true(idx > 0);
    net_settle(n);
}

static bool committed_soon(net *n, uint64_t lead, const char *text)
{
    uint64_t idx = 0;
    assert_int_equal(raft_propose(net_raft(n, lead), mice_slice_str(text), &idx), MICE_OK);
    net_tick_all(n, 3);
    return raft_commit_index(net_raft(n, lead)) >= idx;
}

static void test_learner_receives_log_but_never_counts(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_add_empty_node(n, 4, NULL);
    raft_conf_change cc = one_change(RAFT_CC_ADD_LEARNER, 4, false);
    change(n, 1, &cc);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    assert_true(raft_conf_state_has_learner(&st.conf, 4));
    assert_false(raft_conf_state_is_joint(&st.conf)); /* learner-only: applied directly */
    net_propose(n, 1, "x");
    net_tick_all(n, 3);
    assert_true(net_applied_text(n, 4, "x"));
    /* Voters 2 and 3 down: leader + learner are no quorum. */
    net_stop(n, 2);
    net_stop(n, 3);
    assert_false(committed_soon(n, 1, "y"));
    assert_false(net_applied_text(n, 4, "y"));
    /* A learner ignores a campaign request and is never asked for its vote. */
    assert_int_equal(raft_campaign(net_raft(n, 4)), MICE_INVALID);
    net_destroy(n);
}

static void test_promote_learner_with_auto_leave(void **state)
{
    (void)state;
    net *n = net_create(3, 1, NULL); /* 4 is a learner from the start */
    assert_int_equal(net_elect(n, 1), 1);
    net_propose(n, 1, "x");
    raft_conf_change cc = one_change(RAFT_CC_ADD_VOTER, 4, true);
    change(n, 1, &cc);
    net_tick_all(n, 3);
    raft_status st;
    raft_get_status(net_raft(n, 4), &st);
    assert_false(raft_conf_state_is_joint(&st.conf)); /* left by itself */
    assert_int_equal(st.conf.n_voters, 4);
    assert_false(raft_conf_state_has_learner(&st.conf, 4));
    /* Now 4 counts: with 1 and 4 up, 2 and 3 down, there is no quorum of 4 voters... */
    net_stop(n, 3);
    assert_true(committed_soon(n, 1, "with-3-voters"));
    net_stop(n, 2);
    assert_false(committed_soon(n, 1, "with-2-voters"));
    net_destroy(n);
}

/* While joint, a decision needs a quorum of the old AND the new voters. */
static void test_joint_needs_both_quorums_until_explicit_leave(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_add_empty_node(n, 4, NULL);
    net_add_empty_node(n, 5, NULL);
    raft_conf_change cc = {.n_changes = 4};
    cc.changes[0] = (raft_cc_item){RAFT_CC_ADD_VOTER, 4};
    cc.changes[1] = (raft_cc_item){RAFT_CC_ADD_VOTER, 5};
    cc.changes[2] = (raft_cc_item){RAFT_CC_REMOVE_NODE, 2};
    cc.changes[3] = (raft_cc_item){RAFT_CC_REMOVE_NODE, 3};
    change(n, 1, &cc);
    net_tick_all(n, 3);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    assert_true(raft_conf_state_is_joint(&st.conf)); /* no auto leave */
    net_stop(n, 2);
    net_stop(n, 3);
    assert_false(committed_soon(n, 1, "needs-old-quorum")); /* new {1,4,5} alone: no */
    net_start(n, 2);
    net_tick_all(n, 5);
    assert_true(raft_commit_index(net_raft(n, 1)) >= raft_status_last(net_raft(n, 1)));
    raft_conf_change leave = {.leave_joint = true};
    change(n, 1, &leave);
    net_tick_all(n, 3);
    raft_get_status(net_raft(n, 1), &st);
    assert_false(raft_conf_state_is_joint(&st.conf));
    assert_int_equal(st.conf.n_voters, 3);
    net_stop(n, 2);
    assert_true(committed_soon(n, 1, "new-config-only"));
    assert_true(net_applied_text(n, 5, "new-config-only"));
    net_destroy(n);
}

/* A leader removed from the voters steps down once the change is applied; the rest elect. */
static void test_removed_leader_steps_down(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    raft_conf_change cc = one_change(RAFT_CC_REMOVE_NODE, 1, true);
    change(n, 1, &cc);
    net_tick_all(n, 3);
    assert_int_not_equal(raft_role_of(net_raft(n, 1)), RAFT_LEADER);
    net_tick_all(n, 40);
    uint64_t lead = net_leader(n);
    assert_true(lead == 2 || lead == 3);
    raft_status st;
    raft_get_status(net_raft(n, lead), &st);
    assert_false(raft_conf_state_has_voter(&st.conf, 1));
    net_propose(n, lead, "without-1");
    assert_true(net_applied_text(n, lead == 2 ? 3 : 2, "without-1"));
    net_destroy(n);
}

/* Demotion: a voter becomes a learner and stops counting. */
static void test_demote_voter_to_learner(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    raft_conf_change cc = one_change(RAFT_CC_ADD_LEARNER, 3, true);
    change(n, 1, &cc);
    net_tick_all(n, 3);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    assert_false(raft_conf_state_is_joint(&st.conf));
    assert_true(raft_conf_state_has_learner(&st.conf, 3));
    assert_int_equal(st.conf.n_voters, 2);
    net_stop(n, 2);
    assert_false(committed_soon(n, 1, "1-and-learner")); /* 3 does not count */
    net_destroy(n);
}

static void test_one_pending_change_and_leader_only(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_add_empty_node(n, 4, NULL);
    raft_conf_change cc = one_change(RAFT_CC_ADD_LEARNER, 4, false);
    assert_int_equal(raft_propose_conf_change(net_raft(n, 2), &cc, NULL), MICE_NOT_LEADER);
    assert_int_equal(raft_propose_conf_change(net_raft(n, 1), &cc, NULL), MICE_OK);
    raft_conf_change cc5 = one_change(RAFT_CC_ADD_LEARNER, 5, false);
    assert_int_equal(raft_propose_conf_change(net_raft(n, 1), &cc5, NULL), MICE_BUSY);
    net_settle(n);
    raft_conf_change leave = {.leave_joint = true};
    assert_int_equal(raft_propose_conf_change(net_raft(n, 1), &leave, NULL), MICE_INVALID);
    raft_conf_change none = {.n_changes = 1};
    none.changes[0] = (raft_cc_item){RAFT_CC_REMOVE_NODE, 0};
    assert_int_equal(raft_propose_conf_change(net_raft(n, 1), &none, NULL), MICE_INVALID);
    net_destroy(n);
}

static void test_conf_change_values(void **state)
{
    (void)state;
    raft_conf_change cc = {.auto_leave = true, .n_changes = 2};
    cc.changes[0] = (raft_cc_item){RAFT_CC_ADD_VOTER, 7};
    cc.changes[1] = (raft_cc_item){RAFT_CC_REMOVE_NODE, 0x0102030405060708ull};
    mice_buf b;
    buf_init(&b);
    raft_conf_change_encode(&cc, &b);
    raft_conf_change back;
    assert_int_equal(raft_conf_change_decode(b.p, b.n, &back), MICE_OK);
    assert_true(back.auto_leave);
    assert_int_equal(back.n_changes, 2);
    assert_int_equal(back.changes[1].node_id, 0x0102030405060708ull);
    assert_int_equal(raft_conf_change_decode(b.p, b.n - 1, &back), MICE_CORRUPT);
    b.p[3] = 9; /* bad op */
    assert_int_equal(raft_conf_change_decode(b.p, b.n, &back), MICE_CORRUPT);
    /* An application context travels behind the items and comes back as it went. */
    const uint8_t ctx[] = {0xAA, 0xBB, 0xCC};
    cc.context = ctx;
    cc.context_len = sizeof ctx;
    buf_reset(&b);
    raft_conf_change_encode(&cc, &b);
    assert_int_equal(raft_conf_change_decode(b.p, b.n, &back), MICE_OK);
    assert_int_equal(back.n_changes, 2);
    assert_int_equal(back.context_len, 3);
    assert_memory_equal(back.context, ctx, 3);
    assert_int_equal(raft_conf_change_decode(b.p, b.n - 1, &back), MICE_CORRUPT);
    assert_int_equal(raft_conf_change_decode(b.p, b.n - 4, &back), MICE_CORRUPT);
    b.p[b.n - 4] = 0xFF; /* length byte past the end */
    assert_int_equal(raft_conf_change_decode(b.p, b.n, &back), MICE_CORRUPT);
    buf_deinit(&b);

    raft_conf_state cs = {.voters = {1, 2, 3}, .n_voters = 3}, out;
    raft_conf_change add = {.n_changes = 1, .changes = {{RAFT_CC_ADD_VOTER, 4}}};
    assert_int_equal(raft_conf_change_apply(&cs, &add, &out), MICE_OK);
    assert_true(raft_conf_state_is_joint(&out));
    assert_int_equal(raft_conf_change_apply(&out, &add, &out), MICE_INVALID); /* joint */
    raft_conf_change rm_all = {.n_changes = 3,
                               .changes = {{RAFT_CC_REMOVE_NODE, 1},
                                           {RAFT_CC_REMOVE_NODE, 2},
                                           {RAFT_CC_REMOVE_NODE, 3}}};
    assert_int_equal(raft_conf_change_apply(&cs, &rm_all, &out), MICE_INVALID);
    raft_conf_change twice = {.n_changes = 2,
                              .changes = {{RAFT_CC_ADD_VOTER, 4}, {RAFT_CC_REMOVE_NODE, 4}}};
    assert_int_equal(raft_conf_change_apply(&cs, &twice, &out), MICE_INVALID);
    raft_conf_state big = {.n_voters = RAFT_NODES_MAX};
    for (uint32_t i = 0; i < RAFT_NODES_MAX; i++) big.voters[i] = i + 1;
    raft_conf_change learner = {.n_changes = 1, .changes = {{RAFT_CC_ADD_LEARNER, 99}}};
    assert_int_equal(raft_conf_change_apply(&big, &learner, &out), MICE_LIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learner_receives_log_but_never_counts),
        cmocka_unit_test(test_promote_learner_with_auto_leave),
        cmocka_unit_test(test_joint_needs_both_quorums_until_explicit_leave),
        cmocka_unit_test(test_removed_leader_steps_down),
        cmocka_unit_test(test_demote_voter_to_learner),
        cmocka_unit_test(test_one_pending_change_and_leader_only),
        cmocka_unit_test(test_conf_change_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
