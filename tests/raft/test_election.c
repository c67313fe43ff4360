/*
 * Elections: figure 2's rules for terms and votes, randomized timeouts, pre-vote,
 * check-quorum and leader stickiness, restart durability. Each test is one rule.
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

static void no_prevote_no_cq(raft_config *c)
{
    c->pre_vote = false;
    c->check_quorum = false;
}

static void test_three_nodes_elect_one_leader(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    net_tick_all(n, 40);
    uint64_t lead = net_leader(n);
    assert_int_not_equal(lead, RAFT_NONE);
    int leaders = 0;
    for (uint64_t id = 1; id <= 3; id++) {
        leaders += raft_role_of(net_raft(n, id)) == RAFT_LEADER;
        assert_int_equal(raft_leader(net_raft(n, id)), lead);
        assert_int_equal(raft_term(net_raft(n, id)), raft_term(net_raft(n, lead)));
    }
    assert_int_equal(leaders, 1);
    net_destroy(n);
}

/* Figure 2, RequestVote 1: reply false if term < currentTerm. */
static void test_vote_rejected_for_stale_term(void **state)
{
    (void)state;
    raft_memstorage *ms;
    raft *r = rule_raft(&ms, 1, 3, NULL, 0, 5, 0);
    raft_msg m = {.type = RAFT_MSG_VOTE, .from = 2, .to = 1, .term = 4, .index = 9,
                  .log_term = 4};
    assert_int_equal(raft_step(r, &m), MICE_OK);
    raft_msg *out;
    size_t n;
    rule_ready(r, ms, &out, &n, NULL);
    const raft_msg *resp = rule_find(out, n, RAFT_MSG_VOTE_RESP, 2);
    assert_non_null(resp);
    assert_true(resp->reject);
    assert_int_equal(resp->term, 5);
    assert_int_equal(raft_term(r), 5);
    rule_msgs_free(out, n);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

/* Figure 2, RequestVote 2: votedFor is null or candidateId - one vote per term, and the
 * vote is durable before the response leaves (msgs_after_persist). */
static void test_vote_once_per_term_and_persist_before_reply(void **state)
{
    (void)state;
    raft_memstorage *ms;
    raft *r = rule_raft(&ms, 1, 3, NULL, 0, 1, 0);
    raft_msg m = {.type = RAFT_MSG_VOTE, .from = 2, .to = 1, .term = 2, .index = 1,
                  .log_term = 1};
    assert_int_equal(raft_step(r, &m), MICE_OK);
    raft_msg *out;
    size_t n, n_after;
    rule_ready(r, ms, &out, &n, &n_after);
    assert_int_equal(n, 1);
    assert_int_equal(n_after, 1); /* the grant waits for the vote to be durable */
    assert_false(out[0].reject);
    raft_hard_state hs;
    raft_memstorage_hard_state(ms, &hs);
    assert_int_equal(hs.term, 2);
    assert_int_equal(hs.vote, 2);
    rule_msgs_free(out, n);

    m.from = 3; /* another candidate, same term */
    assert_int_equal(raft_step(r, &m), MICE_OK);
    rule_ready(r, ms, &out, &n, NULL);
    assert_true(rule_find(out, n, RAFT_MSG_VOTE_RESP, 3)->reject);
    rule_msgs_free(out, n);

    m.from = 2; /* the same candidate again (a duplicate): granted again */
    assert_int_equal(raft_step(r, &m), MICE_OK);
    rule_ready(r, ms, &out, &n, NULL);
    assert_false(rule_find(out, n, RAFT_MSG_VOTE_RESP, 2)->reject);
    rule_msgs_free(out, n);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

/* A candidate's term and self-vote are durable before it asks anyone for a vote. */
static void test_candidate_persists_term_before_vote_requests(void **state)
{
    (void)state;
    raft_memstorage *ms;
    raft *r = rule_raft(&ms, 1, 3, NULL, 0, 1, 0);
    assert_int_equal(raft_campaign(r), MICE_OK);
    raft_ready rd;
    raft_ready_get(r, &rd);
    assert_true(rd.hard_state_changed);
    assert_true(rd.must_sync);
    assert_int_equal(rd.hard_state.term, 2);
    assert_int_equal(rd.hard_state.vote, 1);
    assert_int_equal(rd.n_msgs, 0);
    assert_int_equal(rd.n_msgs_after_persist, 2);
    assert_int_equal(rd.msgs_after_persist[0].type, RAFT_MSG_VOTE);
    raft_advance(r, &rd);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

/* Section 5.4.1: grant only if the candidate's log is at least as up-to-date. */
static void check_up_to_date(uint32_t canaries, bool expect_reject)
{
    raft_memstorage *ms;
    const uint64_t terms[] = {1, 2, 3};
    raft *r = rule_raft(&ms, 1, 3, terms, 3, 3, canaries); /* last (4, t3) */
    struct {
        uint64_t index, log_term;
        bool stale;
    } cases[] = {{3, 3, true}, {9, 2, true}, {4, 3, false}, {2, 4, false}};
    for (size_t i = 0; i < 4; i++) {
        raft_msg m = {.type = RAFT_MSG_VOTE, .from = 2, .to = 1, .term = 10 + i,
                      .index = cases[i].index, .log_term = cases[i].log_term};
        assert_int_equal(raft_step(r, &m), MICE_OK);
        raft_msg *out;
        size_t n;
        rule_ready(r, ms, &out, &n, NULL);
        const raft_msg *resp = rule_find(out, n, RAFT_MSG_VOTE_RESP, 2);
        assert_non_null(resp);
        assert_int_equal(resp->reject, cases[i].stale && expect_reject);
        rule_msgs_free(out, n);
    }
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

static void test_vote_requires_up_to_date_log(void **state)
{
    (void)state;
    check_up_to_date(0, true);
}

/* The canary really breaks the rule above: a stale candidate gets the vote. */
static void test_canary_vote_without_log_check_grants_stale(void **state)
{
    (void)state;
    check_up_to_date(RAFT_CANARY_VOTE_WITHOUT_LOG_CHECK, false);
}

/* Figure 2, all servers: a higher term in any message makes a leader a follower. */
static void test_leader_steps_down_on_higher_term(void **state)
{
    (void)state;
    net *n = net_create(3, 0, no_prevote_no_cq);
    assert_int_equal(net_elect(n, 1), 1);
    uint64_t t = raft_term(net_raft(n, 1));
    raft_msg m = {.type = RAFT_MSG_HEARTBEAT_RESP, .from = 2, .to = 1, .term = t + 3};
    assert_int_equal(raft_step(net_raft(n, 1), &m), MICE_OK);
    assert_int_equal(raft_role_of(net_raft(n, 1)), RAFT_FOLLOWER);
    assert_int_equal(raft_term(net_raft(n, 1)), t + 3);
    assert_int_equal(raft_leader(net_raft(n, 1)), RAFT_NONE);
    net_destroy(n);
}

/* Figure 2, candidates: an AppendEntries from a leader of the same term ends the campaign. */
static void test_candidate_yields_to_leader_of_same_term(void **state)
{
    (void)state;
    net *n = net_create(3, 0, no_prevote_no_cq);
    net_isolate(n, 1);
    net_elect(n, 1); /* stays a candidate: nobody hears it */
    assert_int_equal(raft_role_of(net_raft(n, 1)), RAFT_CANDIDATE);
    uint64_t t = raft_term(net_raft(n, 1));
    raft_msg m = {.type = RAFT_MSG_APP, .from = 2, .to = 1, .term = t, .index = 1,
                  .log_term = 1};
    assert_int_equal(raft_step(net_raft(n, 1), &m), MICE_OK);
    assert_int_equal(raft_role_of(net_raft(n, 1)), RAFT_FOLLOWER);
    assert_int_equal(raft_leader(net_raft(n, 1)), 2);
    net_destroy(n);
}

/* Candidates that split the vote time out and try again in a new term. */
static void test_split_vote_retries_in_next_term(void **state)
{
    (void)state;
    net *n = net_create(4, 0, no_prevote_no_cq);
    net_cut(n, 1, 2); /* 1 and 2 campaign at once; 3 votes 1, 4 votes 2 */
    net_cut(n, 1, 4);
    net_cut(n, 2, 3);
    raft_msg hup1 = {.type = RAFT_MSG_HUP, .from = 1, .to = 1};
    raft_msg hup2 = {.type = RAFT_MSG_HUP, .from = 2, .to = 2};
    raft_step(net_raft(n, 1), &hup1);
    raft_step(net_raft(n, 2), &hup2);
    net_settle(n);
    assert_int_equal(net_leader(n), RAFT_NONE);
    assert_int_equal(raft_term(net_raft(n, 1)), 2);
    net_heal(n);
    net_tick_all(n, 40);
    assert_int_not_equal(net_leader(n), RAFT_NONE);
    assert_true(raft_term(net_raft(n, net_leader(n))) > 2);
    net_destroy(n);
}

/* Randomized timeouts: within [e, 2e-1], and different nodes pick different ones. */
static void test_randomized_election_timeout_range(void **state)
{
    (void)state;
    uint32_t seen_min = 1000, seen_max = 0;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        raft_memstorage *ms = raft_memstorage_create();
        raft_conf_state cs = {.voters = {1, 2, 3}, .n_voters = 3};
        raft_memstorage_bootstrap(ms, &cs);
        raft_config c;
        raft_config_default(&c, 1, raft_memstorage_storage(ms));
        c.pre_vote = false;
        c.seed = seed;
        raft *r;
        assert_int_equal(raft_create(&c, &r), MICE_OK);
        uint32_t ticks = 0;
        while (raft_role_of(r) == RAFT_FOLLOWER && ticks < 100) {
            raft_tick(r);
            ticks++;
        }
        assert_int_equal(raft_role_of(r), RAFT_CANDIDATE);
        assert_true(ticks >= c.election_ticks);
        assert_true(ticks <= 2 * c.election_ticks - 1);
        if (ticks < seen_min) seen_min = ticks;
        if (ticks > seen_max) seen_max = ticks;
        raft_destroy(r);
        raft_memstorage_destroy(ms);
    }
    assert_true(seen_max > seen_min);
}

/* Pre-vote: a partitioned node does not inflate its term, so rejoining does not depose the
 * leader. Without pre-vote it does. */
static void run_partitioned_rejoin(bool pre_vote, bool expect_disruption)
{
    net *n = net_create(3, 0, pre_vote ? NULL : no_prevote_no_cq);
    net_tick_all(n, 40);
    uint64_t lead = net_leader(n);
    assert_int_not_equal(lead, RAFT_NONE);
    uint64_t t = raft_term(net_raft(n, lead));
    uint64_t other = lead == 3 ? 2 : 3;
    net_isolate(n, other);
    net_tick_all(n, 100);
    assert_int_equal(raft_term(net_raft(n, other)) > t, !pre_vote);
    net_heal(n);
    net_tick_all(n, 5);
    bool disrupted = raft_term(net_raft(n, lead)) != t;
    assert_int_equal(disrupted, expect_disruption);
    net_tick_all(n, 60);
    assert_int_not_equal(net_leader(n), RAFT_NONE);
    net_destroy(n);
}

static void test_prevote_keeps_partitioned_term(void **state)
{
    (void)state;
    run_partitioned_rejoin(true, false);
}

static void test_without_prevote_rejoin_disrupts(void **state)
{
    (void)state;
    run_partitioned_rejoin(false, true);
}

/* Pre-vote: a pre-candidate never changes its term or vote, even when it wins. */
static void test_prevote_does_not_change_terms_of_voters(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    net_cut(n, 1, 2);
    net_cut(n, 1, 3);
    net_elect(n, 1);
    assert_int_equal(raft_role_of(net_raft(n, 1)), RAFT_PRE_CANDIDATE);
    assert_int_equal(raft_term(net_raft(n, 1)), 1);
    assert_int_equal(raft_term(net_raft(n, 2)), 1);
    net_heal(n);
    net_elect(n, 1);
    assert_int_equal(net_leader(n), 1);
    assert_int_equal(raft_term(net_raft(n, 1)), 2);
    net_destroy(n);
}

/* Check-quorum: a leader cut off from the majority steps down within 2 election timeouts. */
static void test_check_quorum_leader_steps_down(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    net_tick_all(n, 40);
    uint64_t lead = net_leader(n);
    net_isolate(n, lead);
    net_tick(n, lead, 2 * 10);
    assert_int_equal(raft_role_of(net_raft(n, lead)), RAFT_FOLLOWER);
    net_destroy(n);
}

/* Leader stickiness: a follower that heard from its leader ignores a higher-term vote. */
static void test_stickiness_ignores_votes_while_leader_alive(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    raft_tick(net_raft(n, 1));
    net_elect(n, 1);
    net_elect(n, 1);
    assert_int_equal(net_leader(n), 1);
    uint64_t t = raft_term(net_raft(n, 2));
    raft_msg v = {.type = RAFT_MSG_VOTE, .from = 3, .to = 2, .term = t + 1, .index = 100,
                  .log_term = t};
    net_inject(n, &v);
    assert_int_equal(raft_term(net_raft(n, 2)), t); /* not even the term moved */
    assert_int_equal(net_count(n, RAFT_MSG_VOTE_RESP, 2, 3), 0);
    net_tick(n, 2, 10);
    net_destroy(n);
}

/* A restarted node keeps term and vote (they were persisted) and cannot vote twice. */
static void test_restart_keeps_term_and_vote(void **state)
{
    (void)state;
    net *n = net_create(3, 0, no_prevote_no_cq);
    raft_msg v = {.type = RAFT_MSG_VOTE, .from = 2, .to = 1, .term = 5, .index = 1,
                  .log_term = 1};
    net_inject(n, &v);
    net_restart(n, 1);
    assert_int_equal(raft_term(net_raft(n, 1)), 5);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    assert_int_equal(st.vote, 2);
    net_drop_all(n);
    v.from = 3;
    net_inject(n, &v);
    raft_msg resp;
    assert_true(net_take(n, RAFT_MSG_VOTE_RESP, 1, 3, &resp));
    assert_true(resp.reject);
    raft_msg_deinit(&resp);
    net_destroy(n);
}

/* A learner never campaigns, however long it waits. */
static void test_learner_never_campaigns(void **state)
{
    (void)state;
    net *n = net_create(1, 1, NULL);
    net_isolate(n, 2);
    net_tick(n, 2, 100);
    assert_int_equal(raft_role_of(net_raft(n, 2)), RAFT_FOLLOWER);
    assert_int_equal(raft_term(net_raft(n, 2)), 1);
    assert_int_equal(raft_campaign(net_raft(n, 2)), MICE_INVALID);
    net_destroy(n);
}

/* A single voter elects itself at once (no one to ask). */
static void test_single_node_elects_itself(void **state)
{
    (void)state;
    net *n = net_create(1, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    uint64_t idx = net_propose(n, 1, "x");
    assert_true(idx > 0);
    assert_true(net_applied_text(n, 1, "x"));
    net_destroy(n);
}

/* Malformed or misdirected messages are refused with a status, never a crash. */
static void test_bad_messages_are_values_not_crashes(void **state)
{
    (void)state;
    raft_memstorage *ms;
    raft *r = rule_raft(&ms, 1, 3, NULL, 0, 2, 0);
    raft_msg m = {.type = (raft_msg_type)99, .from = 2, .to = 1, .term = 2};
    assert_int_equal(raft_step(r, &m), MICE_INVALID);
    m = (raft_msg){.type = RAFT_MSG_APP, .from = 2, .to = 7, .term = 2};
    assert_int_equal(raft_step(r, &m), MICE_INVALID);
    m = (raft_msg){.type = RAFT_MSG_APP, .from = 0, .to = 1, .term = 2};
    assert_int_equal(raft_step(r, &m), MICE_INVALID);
    m = (raft_msg){.type = RAFT_MSG_APP, .from = 2, .to = 1, .term = 2, .n_entries = 3};
    assert_int_equal(raft_step(r, &m), MICE_INVALID);
    m = (raft_msg){.type = RAFT_MSG_READ_INDEX_RESP, .from = 2, .to = 1, .term = 2,
                   .context_len = 1000};
    assert_int_equal(raft_step(r, &m), MICE_INVALID);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

/* Figure 2, leaders: upon election send an (empty) AppendEntries to each server, then
 * heartbeats every heartbeat_ticks, carrying min(follower's match, commit). */
static void test_leader_announces_itself_then_heartbeats(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    raft_msg hup = {.type = RAFT_MSG_HUP, .from = 1, .to = 1};
    raft_step(net_raft(n, 1), &hup);
    while (raft_role_of(net_raft(n, 1)) != RAFT_LEADER) net_deliver_round(n);
    net_process(n);
    assert_int_equal(net_count(n, RAFT_MSG_APP, 1, 2), 1);
    assert_int_equal(net_count(n, RAFT_MSG_APP, 1, 3), 1);
    net_settle(n);
    raft_tick(net_raft(n, 1)); /* heartbeat_ticks = 1 */
    net_process(n);
    raft_msg hb;
    assert_true(net_take(n, RAFT_MSG_HEARTBEAT, 1, 2, &hb));
    assert_int_equal(hb.commit, raft_commit_index(net_raft(n, 1)));
    assert_int_equal(hb.n_entries, 0);
    raft_msg_deinit(&hb);
    assert_int_equal(net_count(n, RAFT_MSG_HEARTBEAT, 1, 3), 1);
    net_destroy(n);
}

/* raft_create refuses configs that break the protocol's assumptions. */
static void test_bad_configs_are_refused(void **state)
{
    (void)state;
    raft_memstorage *ms = raft_memstorage_create();
    raft_conf_state cs = {.voters = {1}, .n_voters = 1};
    raft_memstorage_bootstrap(ms, &cs);
    raft_config good, c;
    raft_config_default(&good, 1, raft_memstorage_storage(ms));
    raft *r = NULL;
    c = good, c.id = 0;
    assert_int_equal(raft_create(&c, &r), MICE_INVALID);
    c = good, c.election_ticks = c.heartbeat_ticks;
    assert_int_equal(raft_create(&c, &r), MICE_INVALID);
    c = good, c.max_clock_drift_ticks = 0;
    assert_int_equal(raft_create(&c, &r), MICE_INVALID);
    c = good, c.lease_ticks = c.election_ticks; /* no room for drift */
    assert_int_equal(raft_create(&c, &r), MICE_INVALID);
    c = good, c.max_inflight_msgs = RAFT_INFLIGHT_MAX + 1;
    assert_int_equal(raft_create(&c, &r), MICE_INVALID);
    c = good, c.applied = 5; /* beyond the commit index */
    assert_int_equal(raft_create(&c, &r), MICE_INVALID);
    assert_null(r);
    assert_int_equal(raft_create(&good, &r), MICE_OK);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_nodes_elect_one_leader),
        cmocka_unit_test(test_vote_rejected_for_stale_term),
        cmocka_unit_test(test_vote_once_per_term_and_persist_before_reply),
        cmocka_unit_test(test_candidate_persists_term_before_vote_requests),
        cmocka_unit_test(test_vote_requires_up_to_date_log),
        cmocka_unit_test(test_canary_vote_without_log_check_grants_stale),
        cmocka_unit_test(test_leader_steps_down_on_higher_term),
        cmocka_unit_test(test_candidate_yields_to_leader_of_same_term),
        cmocka_unit_test(test_split_vote_retries_in_next_term),
        cmocka_unit_test(test_randomized_election_timeout_range),
        cmocka_unit_test(test_prevote_keeps_partitioned_term),
        cmocka_unit_test(test_without_prevote_rejoin_disrupts),
        cmocka_unit_test(test_prevote_does_not_change_terms_of_voters),
        cmocka_unit_test(test_check_quorum_leader_steps_down),
        cmocka_unit_test(test_stickiness_ignores_votes_while_leader_alive),
        cmocka_unit_test(test_restart_keeps_term_and_vote),
        cmocka_unit_test(test_learner_never_campaigns),
        cmocka_unit_test(test_single_node_elects_itself),
        cmocka_unit_test(test_bad_messages_are_values_not_crashes),
        cmocka_unit_test(test_bad_configs_are_refused),
        cmocka_unit_test(test_leader_announces_itself_then_heartbeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
