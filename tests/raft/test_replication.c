/*
 * Log replication: figure 2's AppendEntries receiver rules, the leader's commit rule
 * (including figure 8, and its canary), persistence before acknowledgement and apply,
 * batching, pipelining with a flow-control window, fast back-off, proposal forwarding and
 * dropping, and random garbage messages (test_chaos.c runs seeded fault schedules).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "raft/raft.h"
#include "raft/support/net.h"

static raft_msg app(uint64_t term, uint64_t prev_index, uint64_t prev_term, uint64_t commit,
                    raft_entry *ents, size_t n)
{
    return (raft_msg){.type = RAFT_MSG_APP, .from = 2, .to = 1, .term = term,
                      .index = prev_index, .log_term = prev_term, .commit = commit,
                      .entries = ents, .n_entries = n};
}

static uint64_t last_index(raft *r)
{
    raft_status st;
    raft_get_status(r, &st);
    return st.last_index;
}

static uint64_t stored_term(raft_memstorage *ms, uint64_t index)
{
    const raft_entry *e = raft_memstorage_entry(ms, index);
    return e ? e->term : 0;
}

/* Figure 2, AppendEntries 1: reply false if term < currentTerm (with our term). */
static void test_append_rejected_for_stale_term(void **state)
{
    (void)state;
    raft_memstorage *ms;
    raft *r = rule_raft(&ms, 1, 3, NULL, 0, 5, 0);
    raft_msg m = app(4, 1, 1, 1, NULL, 0);
    assert_int_equal(raft_step(r, &m), MICE_OK);
    raft_msg *out;
    size_t n;
    rule_ready(r, ms, &out, &n, NULL);
    const raft_msg *resp = rule_find(out, n, RAFT_MSG_APP_RESP, 2);
    assert_non_null(resp);
    assert_true(resp->reject);
    assert_int_equal(resp->term, 5);
    rule_msgs_free(out, n);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

/* ... and the stale leader that gets such an answer steps down. */
static void test_stale_leader_steps_down_when_answered(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 1); /* 1 is not ticked, so check-quorum cannot depose it */
    for (int t = 0; t < 40; t++) {
        raft_tick(net_raft(n, 2));
        raft_tick(net_raft(n, 3));
        net_settle(n);
    }
    uint64_t lead = net_leader(n);
    assert_true(lead == 2 || lead == 3);
    assert_int_equal(raft_role_of(net_raft(n, 1)), RAFT_LEADER); /* still thinks so */
    net_heal(n);
    raft_msg beat = {.type = RAFT_MSG_BEAT, .from = 1, .to = 1};
    raft_step(net_raft(n, 1), &beat);
    net_settle(n);
    assert_int_equal(raft_role_of(net_raft(n, 1)), RAFT_FOLLOWER);
    assert_int_equal(raft_term(net_raft(n, 1)), raft_term(net_raft(n, lead)));
    net_destroy(n);
}

/* Figure 2, AppendEntries 2: reply false if the log has no entry at prevLogIndex whose
 * term matches prevLogTerm; the rejection carries a hint for fast back-off. */
static void test_append_rejected_when_prev_does_not_match(void **state)
{
    (void)state;
    raft_memstorage *ms;
    const uint64_t terms[] = {1, 2}; /* idx 2 t1, idx 3 t2 */
    raft *r = rule_raft(&ms, 1, 3, terms, 2, 3, 0);
    raft_entry e = {.term = 3, .index = 4};
    raft_msg m = app(3, 3, 3, 1, &e, 1); /* idx 3 has term 2, not 3 */
    assert_int_equal(raft_step(r, &m), MICE_OK);
    m = app(3, 7, 3, 1, &e, 0); /* beyond our log */
    assert_int_equal(raft_step(r, &m), MICE_OK);
    raft_msg *out;
    size_t n;
    rule_ready(r, ms, &out, &n, NULL);
    assert_int_equal(n, 2);
    assert_true(out[0].reject);
    assert_int_equal(out[0].index, 3);
    assert_int_equal(out[0].reject_hint, 3); /* idx 3 (term 2 <= 3) */
    assert_int_equal(out[0].log_term, 2);
    assert_true(out[1].reject);
    assert_int_equal(out[1].reject_hint, 3); /* our last index */
    assert_int_equal(last_index(r), 3);
    rule_msgs_free(out, n);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

/* Figure 2, AppendEntries 3 and 4: an existing entry that conflicts (same index, other
 * term) is deleted with all that follow; entries already present are kept, and a shorter
 * (stale or duplicate) append never truncates the log. */
static void test_append_deletes_conflicts_and_keeps_matches(void **state)
{
    (void)state;
    raft_memstorage *ms;
    const uint64_t terms[] = {1, 2, 2}; /* idx 2 t1, 3 t2, 4 t2 */
    raft *r = rule_raft(&ms, 1, 3, terms, 3, 3, 0);
    raft_entry ents[] = {{.term = 3, .index = 3}, {.term = 3, .index = 4},
                         {.term = 3, .index = 5}};
    raft_msg m = app(3, 2, 1, 1, ents, 3);
    assert_int_equal(raft_step(r, &m), MICE_OK);
    raft_msg *out;
    size_t n;
    rule_ready(r, ms, &out, &n, NULL);
    assert_false(out[0].reject);
    assert_int_equal(out[0].index, 5);
    rule_msgs_free(out, n);
    assert_int_equal(stored_term(ms, 3), 3);
    assert_int_equal(stored_term(ms, 4), 3);
    assert_int_equal(stored_term(ms, 5), 3);

    m = app(3, 2, 1, 1, ents, 1); /* a delayed duplicate of a shorter append */
    assert_int_equal(raft_step(r, &m), MICE_OK);
    rule_ready(r, ms, &out, &n, NULL);
    assert_false(out[0].reject);
    assert_int_equal(out[0].index, 3);
    rule_msgs_free(out, n);
    assert_int_equal(last_index(r), 5);
    assert_int_equal(raft_memstorage_last_index(ms), 5);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

/* Figure 2, AppendEntries 5: commitIndex = min(leaderCommit, index of last new entry).
 * And entries are handed out for apply only once persisted locally; the acknowledgement
 * waits for persistence too. */
static void check_follower_commit(uint32_t canaries)
{
    bool canary = canaries != 0;
    raft_memstorage *ms;
    raft *r = rule_raft(&ms, 1, 3, NULL, 0, 2, canaries);
    raft_entry e = {.term = 2, .index = 2, .data = (uint8_t *)"a", .len = 1};
    raft_msg m = app(2, 1, 1, 10, &e, 1);
    assert_int_equal(raft_step(r, &m), MICE_OK);
    assert_int_equal(raft_commit_index(r), 2); /* not 10 */
    raft_ready rd;
    raft_ready_get(r, &rd);
    assert_int_equal(rd.n_entries, 1);
    assert_int_equal(rd.hard_state.commit, 2);
    /* Correct: nothing to apply or acknowledge before the entry is durable. */
    assert_int_equal(rd.n_committed_entries, canary ? 1 : 0);
    assert_int_equal(rd.n_msgs_after_persist, canary ? 0 : 1);
    assert_int_equal(rd.n_msgs, canary ? 1 : 0);
    assert_int_equal(raft_memstorage_save_ready(ms, &rd), MICE_OK);
    raft_advance(r, &rd);
    if (!canary) {
        assert_true(raft_has_ready(r));
        raft_ready_get(r, &rd);
        assert_int_equal(rd.n_committed_entries, 1);
        assert_int_equal(rd.committed_entries[0].index, 2);
        raft_advance(r, &rd);
    }
    assert_int_equal(raft_applied_index(r), 2);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

static void test_follower_commit_is_min_and_applies_only_persisted(void **state)
{
    (void)state;
    check_follower_commit(0);
}

static void test_canary_apply_before_persist_acks_and_applies_early(void **state)
{
    (void)state;
    check_follower_commit(RAFT_CANARY_APPLY_BEFORE_PERSIST);
}

/* A leader counts its own log only once persisted (advance); the canary counts it at once. */
static void check_leader_self_count(uint32_t canaries)
{
    raft_memstorage *ms = raft_memstorage_create();
    raft_conf_state cs = {.voters = {1}, .n_voters = 1};
    raft_memstorage_bootstrap(ms, &cs);
    raft_config c;
    raft_config_default(&c, 1, raft_memstorage_storage(ms));
    c.canaries = canaries;
    raft *r;
    assert_int_equal(raft_create(&c, &r), MICE_OK);
    assert_int_equal(raft_campaign(r), MICE_OK);
    raft_ready rd;
    while (raft_has_ready(r)) {
        raft_ready_get(r, &rd);
        raft_memstorage_save_ready(ms, &rd);
        raft_advance(r, &rd);
    }
    uint64_t idx = 0, before = raft_commit_index(r);
    assert_int_equal(raft_propose(r, mice_slice_str("v"), &idx), MICE_OK);
    assert_int_equal(raft_commit_index(r), canaries ? idx : before);
    raft_ready_get(r, &rd);
    assert_int_equal(rd.n_entries, 1);
    assert_int_equal(rd.n_committed_entries, canaries ? 1 : 0);
    raft_memstorage_save_ready(ms, &rd);
    raft_advance(r, &rd);
    assert_int_equal(raft_commit_index(r), idx);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

static void test_leader_counts_itself_only_after_persist(void **state)
{
    (void)state;
    check_leader_self_count(0);
    check_leader_self_count(RAFT_CANARY_APPLY_BEFORE_PERSIST);
}

/* Figure 2, leaders: commit N when a majority has matchIndex >= N AND log[N].term ==
 * currentTerm (5.4.2, figure 8). An older term's entry replicated on a majority is not
 * committed by counting; the canary does commit it. */
static void check_commit_rule(uint32_t canaries)
{
    raft_memstorage *ms;
    const uint64_t terms[] = {2}; /* idx 2 from an older leader's term 2 */
    raft *r = rule_raft(&ms, 1, 3, terms, 1, 3, canaries);
    assert_int_equal(raft_campaign(r), MICE_OK); /* term 4 */
    raft_msg v = {.type = RAFT_MSG_VOTE_RESP, .from = 2, .to = 1, .term = 4};
    assert_int_equal(raft_step(r, &v), MICE_OK);
    assert_int_equal(raft_role_of(r), RAFT_LEADER);
    raft_msg *out;
    size_t n;
    rule_ready(r, ms, &out, &n, NULL); /* noop at idx 3, term 4, persisted */
    rule_msgs_free(out, n);
    raft_msg ack = {.type = RAFT_MSG_APP_RESP, .from = 2, .to = 1, .term = 4, .index = 2};
    assert_int_equal(raft_step(r, &ack), MICE_OK); /* a majority (1, 2) holds idx 2 */
    assert_int_equal(raft_commit_index(r), canaries ? 2 : 1);
    ack.index = 3;
    assert_int_equal(raft_step(r, &ack), MICE_OK); /* now the term-4 entry: commits both */
    assert_int_equal(raft_commit_index(r), 3);
    raft_destroy(r);
    raft_memstorage_destroy(ms);
}

static void test_leader_commits_only_own_term_by_counting(void **state)
{
    (void)state;
    check_commit_rule(0);
}

static void test_canary_commit_old_term_by_count(void **state)
{
    (void)state;
    check_commit_rule(RAFT_CANARY_COMMIT_OLD_TERM_BY_COUNT);
}

static void no_batching(raft_config *c)
{
    c->max_entries_per_msg = 1;
}

static void window_of_two(raft_config *c)
{
    c->max_entries_per_msg = 1;
    c->max_inflight_msgs = 2;
}

static void propose_many(net *n, uint64_t id, int count)
{
    char text[32];
    for (int i = 0; i < count; i++) {
        snprintf(text, sizeof text, "p%d", i);
        assert_int_equal(raft_propose(net_raft(n, id), mice_slice_str(text), NULL), MICE_OK);
    }
}

/* Batching: the proposals made between two Readys travel in one append per follower. */
static void test_batching_many_proposals_per_append(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    propose_many(n, 1, 10);
    net_process(n);
    assert_int_equal(net_count(n, RAFT_MSG_APP, 1, 2), 1);
    raft_msg m;
    assert_true(net_take(n, RAFT_MSG_APP, 1, 2, &m));
    assert_int_equal(m.n_entries, 10);
    raft_msg_deinit(&m);
    net_settle(n);
    assert_true(net_applied_text(n, 3, "p9"));
    net_destroy(n);

    n = net_create(3, 0, no_batching); /* batching off: one entry per append */
    assert_int_equal(net_elect(n, 1), 1);
    propose_many(n, 1, 10);
    net_process(n);
    assert_int_equal(net_count(n, RAFT_MSG_APP, 1, 2), 10);
    net_settle(n);
    assert_true(net_applied_text(n, 2, "p9"));
    net_destroy(n);
}

static void small_msgs(raft_config *c)
{
    c->max_bytes_per_msg = 200; /* about two of the entries below */
}

/* Batching by bytes: a message stops before the entry that would exceed the limit. */
static void test_batching_bounded_by_bytes(void **state)
{
    (void)state;
    net *n = net_create(3, 0, small_msgs);
    assert_int_equal(net_elect(n, 1), 1);
    char big[61];
    memset(big, 'b', 60);
    big[60] = 0;
    for (int i = 0; i < 6; i++)
        assert_int_equal(raft_propose(net_raft(n, 1), mice_slice_str(big), NULL), MICE_OK);
    net_process(n);
    raft_msg m;
    assert_true(net_take(n, RAFT_MSG_APP, 1, 2, &m));
    assert_int_equal(m.n_entries, 2);
    raft_msg_deinit(&m);
    assert_int_equal(net_count(n, RAFT_MSG_APP, 1, 2), 2);
    net_settle(n);
    assert_int_equal(raft_applied_index(net_raft(n, 3)), raft_applied_index(net_raft(n, 1)));
    net_destroy(n);
}

/* Pipelining: several appends in flight to a REPLICATE follower without waiting for
 * answers, bounded by the window; answers open the window again. */
static void test_pipelining_bounded_by_inflight_window(void **state)
{
    (void)state;
    net *n = net_create(3, 0, window_of_two);
    assert_int_equal(net_elect(n, 1), 1);
    propose_many(n, 1, 5);
    net_process(n);
    assert_int_equal(net_count(n, RAFT_MSG_APP, 1, 2), 2);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    for (uint32_t i = 0; i < st.n_peers; i++) {
        if (st.peers[i].id == 1) continue;
        assert_int_equal(st.peers[i].state, RAFT_PROGRESS_REPLICATE);
        assert_int_equal(st.peers[i].inflight, 2);
    }
    net_settle(n);
    assert_true(net_applied_text(n, 2, "p4"));
    assert_true(net_applied_text(n, 3, "p4"));
    raft_get_status(net_raft(n, 1), &st);
    for (uint32_t i = 0; i < st.n_peers; i++) assert_int_equal(st.peers[i].inflight, 0);
    net_destroy(n);
}

/* Lost appends in a full window: heartbeats let replication resume. */
static bool drop_apps(void *ctx, const raft_msg *m)
{
    return *(bool *)ctx && m->type == RAFT_MSG_APP;
}

static void test_pipelining_recovers_from_lost_appends(void **state)
{
    (void)state;
    net *n = net_create(3, 0, window_of_two);
    assert_int_equal(net_elect(n, 1), 1);
    bool dropping = true;
    n->drop = drop_apps;
    n->drop_ctx = &dropping;
    propose_many(n, 1, 6);
    net_settle(n);
    dropping = false;
    net_tick_all(n, 30);
    assert_true(net_applied_text(n, 2, "p5"));
    assert_true(net_applied_text(n, 3, "p5"));
    net_destroy(n);
}

/* Fast back-off: a follower with 50 entries of a dead term is repaired with one rejection,
 * not one per entry. */
static bool count_rejects(void *ctx, const raft_msg *m)
{
    if (m->type == RAFT_MSG_APP_RESP && m->reject && m->from == 1) (*(int *)ctx)++;
    return false;
}

static void test_fast_backoff_skips_conflicting_term(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 1);
    propose_many(n, 1, 50); /* never leave node 1 */
    net_settle(n);
    for (int t = 0; t < 40; t++) {
        raft_tick(net_raft(n, 2));
        raft_tick(net_raft(n, 3));
        net_settle(n);
    }
    uint64_t lead = raft_role_of(net_raft(n, 2)) == RAFT_LEADER ? 2 : 3;
    assert_int_equal(raft_role_of(net_raft(n, lead)), RAFT_LEADER);
    net_propose(n, lead, "new");
    propose_many(n, lead, 20);
    net_settle(n);
    /* A fresh leader (by transfer) starts probing node 1 at the end of its long log. */
    uint64_t other = lead == 2 ? 3 : 2;
    assert_int_equal(raft_transfer_leader(net_raft(n, lead), other), MICE_OK);
    net_settle(n);
    assert_int_equal(raft_role_of(net_raft(n, other)), RAFT_LEADER);
    int rejects = 0;
    n->drop = count_rejects;
    n->drop_ctx = &rejects;
    net_heal(n);
    net_tick_all(n, 5);
    assert_true(net_applied_text(n, 1, "new"));
    assert_int_equal(last_index(net_raft(n, 1)), last_index(net_raft(n, other)));
    assert_true(rejects >= 1);
    assert_true(rejects <= 2);
    net_destroy(n);
}

/* Proposals on a follower are forwarded to the leader; with no leader (or forwarding off)
 * they fail with MICE_NOT_LEADER; a forwarded proposal reaching a non-leader is dropped. */
static void no_forwarding(raft_config *c)
{
    c->disable_proposal_forwarding = true;
}

static void test_proposals_forwarded_or_refused(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    uint64_t idx = 99;
    assert_int_equal(raft_propose(net_raft(n, 2), mice_slice_str("x"), &idx), MICE_NOT_LEADER);
    assert_int_equal(net_elect(n, 1), 1);
    assert_int_equal(raft_propose(net_raft(n, 2), mice_slice_str("fwd"), &idx), MICE_OK);
    assert_int_equal(idx, 0);
    net_process(n);
    assert_int_equal(net_count(n, RAFT_MSG_PROP, 2, 1), 1);
    net_settle(n);
    for (uint64_t id = 1; id <= 3; id++) assert_true(net_applied_text(n, id, "fwd"));

    raft_entry e = {.data = (uint8_t *)"y", .len = 1};
    raft_msg p = {.type = RAFT_MSG_PROP, .from = 3, .to = 2, .entries = &e, .n_entries = 1};
    assert_int_equal(raft_step(net_raft(n, 2), &p), MICE_NOT_LEADER);
    net_destroy(n);

    n = net_create(3, 0, no_forwarding);
    assert_int_equal(net_elect(n, 1), 1);
    assert_int_equal(raft_propose(net_raft(n, 2), mice_slice_str("x"), NULL), MICE_NOT_LEADER);
    net_destroy(n);
}

/* Proposals a deposed leader appended but never committed are overwritten, never applied;
 * the new leader's proposals are applied everywhere. */
static void test_uncommitted_proposals_of_deposed_leader_are_dropped(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 1);
    assert_int_equal(raft_propose(net_raft(n, 1), mice_slice_str("lost"), NULL), MICE_OK);
    net_settle(n);
    for (int t = 0; t < 40; t++) {
        raft_tick(net_raft(n, 2));
        raft_tick(net_raft(n, 3));
        net_settle(n);
    }
    uint64_t lead = raft_role_of(net_raft(n, 2)) == RAFT_LEADER ? 2 : 3;
    net_propose(n, lead, "kept");
    net_heal(n);
    net_tick_all(n, 30);
    for (uint64_t id = 1; id <= 3; id++) {
        assert_true(net_applied_text(n, id, "kept"));
        assert_false(net_applied_text(n, id, "lost"));
    }
    net_destroy(n);
}

/* Bounded memory: a leader refuses proposals beyond max_uncommitted_bytes. */
static void small_uncommitted(raft_config *c)
{
    c->max_uncommitted_bytes = 10;
}

static void test_uncommitted_bytes_limit(void **state)
{
    (void)state;
    net *n = net_create(3, 0, small_uncommitted);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 1); /* nothing commits */
    assert_int_equal(raft_propose(net_raft(n, 1), mice_slice_str("12345678"), NULL), MICE_OK);
    assert_int_equal(raft_propose(net_raft(n, 1), mice_slice_str("12345678"), NULL), MICE_LIMIT);
    net_heal(n);
    net_tick_all(n, 3); /* once committed, room again */
    assert_int_equal(raft_propose(net_raft(n, 1), mice_slice_str("12345678"), NULL), MICE_OK);
    net_destroy(n);
}

/* Garbage: random messages of every type with random fields never crash a node. */
static void test_garbage_messages_never_crash(void **state)
{
    (void)state;
    mice_prng rng;
    prng_seed(&rng, 7);
    net *n = net_create(3, 0, NULL);
    net_elect(n, 1);
    raft_entry ents[4];
    for (int i = 0; i < 20000; i++) {
        raft_msg m = {.type = (raft_msg_type)prng_below(&rng, RAFT_MSG_TYPE_COUNT + 1),
                      .from = prng_below(&rng, 5), .to = 1 + prng_below(&rng, 3),
                      .term = prng_below(&rng, 8), .index = prng_below(&rng, 30),
                      .log_term = prng_below(&rng, 8), .commit = prng_below(&rng, 30),
                      .reject = prng_chance(&rng, 1, 2), .reject_hint = prng_below(&rng, 30),
                      .lease_tick = prng_below(&rng, 100), .read_seq = prng_below(&rng, 9),
                      .context_len = (uint32_t)prng_below(&rng, 40)};
        size_t ne = prng_below(&rng, 5);
        uint64_t base = prng_below(&rng, 30);
        for (size_t k = 0; k < ne; k++)
            ents[k] = (raft_entry){.term = prng_below(&rng, 8), .index = base + k + 1,
                                   .type = (raft_entry_type)prng_below(&rng, 2)};
        m.entries = ne ? ents : NULL;
        m.n_entries = ne;
        if (m.type == RAFT_MSG_SNAP) {
            m.snapshot.meta.index = prng_below(&rng, 30);
            m.snapshot.meta.term = prng_below(&rng, 8);
            m.snapshot.meta.conf.n_voters = (uint32_t)prng_below(&rng, 3);
            for (uint32_t k = 0; k < m.snapshot.meta.conf.n_voters; k++)
                m.snapshot.meta.conf.voters[k] = 1 + k;
        }
        (void)raft_step(net_raft(n, m.to), &m);
        if (i % 7 == 0) raft_tick(net_raft(n, 1 + prng_below(&rng, 3)));
        net_process(n);
        net_drop_all(n);
    }
    net_destroy(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_rejected_for_stale_term),
        cmocka_unit_test(test_stale_leader_steps_down_when_answered),
        cmocka_unit_test(test_append_rejected_when_prev_does_not_match),
        cmocka_unit_test(test_append_deletes_conflicts_and_keeps_matches),
        cmocka_unit_test(test_follower_commit_is_min_and_applies_only_persisted),
        cmocka_unit_test(test_canary_apply_before_persist_acks_and_applies_early),
        cmocka_unit_test(test_leader_counts_itself_only_after_persist),
        cmocka_unit_test(test_leader_commits_only_own_term_by_counting),
        cmocka_unit_test(test_canary_commit_old_term_by_count),
        cmocka_unit_test(test_batching_many_proposals_per_append),
        cmocka_unit_test(test_batching_bounded_by_bytes),
        cmocka_unit_test(test_pipelining_bounded_by_inflight_window),
        cmocka_unit_test(test_pipelining_recovers_from_lost_appends),
        cmocka_unit_test(test_fast_backoff_skips_conflicting_term),
        cmocka_unit_test(test_proposals_forwarded_or_refused),
        cmocka_unit_test(test_uncommitted_proposals_of_deposed_leader_are_dropped),
        cmocka_unit_test(test_uncommitted_bytes_limit),
        cmocka_unit_test(test_garbage_messages_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
