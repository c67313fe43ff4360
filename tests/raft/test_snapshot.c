/*
 * Log compaction and snapshots: the leader sends its storage's snapshot to a follower that
 * needs compacted entries, the follower installs it and replication resumes; lost or
 * failed snapshots are retried; stale snapshots are ignored; restarts resume from one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "raft/raft.h"
#include "raft/support/net.h"

static void propose_many(net *n, uint64_t id, int count, const char *prefix)
{
    char text[32];
    for (int i = 0; i < count; i++) {
        snprintf(text, sizeof text, "%s%d", prefix, i);
        assert_int_equal(raft_propose(net_raft(n, id), mice_slice_str(text), NULL), MICE_OK);
        net_settle(n);
    }
}

/* The application snapshots at its applied index and compacts the log. */
static uint64_t snapshot_and_compact(net *n, uint64_t id)
{
    net_node *nd = net_node_of(n, id);
    uint64_t applied = raft_applied_index(nd->r);
    assert_int_equal(raft_memstorage_create_snapshot(nd->ms, applied, &nd->conf,
                                                     mice_slice_str("state")),
                     MICE_OK);
    assert_int_equal(raft_memstorage_compact(nd->ms, applied), MICE_OK);
    return applied;
}

typedef struct {
    int snaps;
    int drop_snaps; /* drop this many SNAP messages */
} snap_counter;

static bool count_snaps(void *ctx, const raft_msg *m)
{
    snap_counter *c = ctx;
    if (m->type != RAFT_MSG_SNAP) return false;
    c->snaps++;
    if (c->drop_snaps > 0) {
        c->drop_snaps--;
        return true;
    }
    return false;
}

static void test_lagging_follower_gets_snapshot_then_entries(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 3);
    propose_many(n, 1, 20, "a");
    uint64_t snap = snapshot_and_compact(n, 1);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    assert_int_equal(st.first_index, snap + 1);
    snap_counter c = {0};
    n->drop = count_snaps;
    n->drop_ctx = &c;
    net_heal(n);
    net_tick_all(n, 5);
    assert_int_equal(c.snaps, 1);
    const raft_snapshot *s3 = raft_memstorage_snapshot(net_node_of(n, 3)->ms);
    assert_int_equal(s3->meta.index, snap);
    assert_int_equal(s3->len, 5);
    assert_memory_equal(s3->data, "state", 5);
    net_propose(n, 1, "after");
    net_tick_all(n, 2);
    assert_true(net_applied_text(n, 3, "after"));
    assert_int_equal(raft_applied_index(net_raft(n, 3)), raft_applied_index(net_raft(n, 1)));
    raft_get_status(net_raft(n, 1), &st);
    for (uint32_t i = 0; i < st.n_peers; i++) {
        assert_int_equal(st.peers[i].state, RAFT_PROGRESS_REPLICATE);
        assert_int_equal(st.peers[i].match, st.last_index);
    }
    net_destroy(n);
}

/* A lost snapshot leaves the peer in SNAPSHOT state for at most an election timeout, then
 * the leader probes again and resends. */
static void test_lost_snapshot_is_retried(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 3);
    propose_many(n, 1, 10, "a");
    snapshot_and_compact(n, 1);
    snap_counter c = {.drop_snaps = 1};
    n->drop = count_snaps;
    n->drop_ctx = &c;
    net_heal(n);
    net_tick_all(n, 3);
    assert_int_equal(c.snaps, 1);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    bool in_snapshot = false;
    for (uint32_t i = 0; i < st.n_peers; i++)
        in_snapshot |= st.peers[i].id == 3 && st.peers[i].state == RAFT_PROGRESS_SNAPSHOT;
    assert_true(in_snapshot);
    net_tick_all(n, 25);
    assert_int_equal(c.snaps, 2);
    net_propose(n, 1, "after");
    net_tick_all(n, 2);
    assert_true(net_applied_text(n, 3, "after"));
    net_destroy(n);
}

/* The driver can report a failed snapshot send: the peer goes back to probing at once. */
static void test_reported_snapshot_failure_probes_again(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    net_isolate(n, 3);
    propose_many(n, 1, 10, "a");
    snapshot_and_compact(n, 1);
    snap_counter c = {.drop_snaps = 1};
    n->drop = count_snaps;
    n->drop_ctx = &c;
    net_heal(n);
    net_tick_all(n, 2);
    raft_report_snapshot(net_raft(n, 1), 3, true);
    raft_status st;
    raft_get_status(net_raft(n, 1), &st);
    for (uint32_t i = 0; i < st.n_peers; i++)
        if (st.peers[i].id == 3) assert_int_equal(st.peers[i].state, RAFT_PROGRESS_PROBE);
    net_tick_all(n, 3); /* the next heartbeat response triggers a new snapshot */
    assert_int_equal(c.snaps, 2);
    net_propose(n, 1, "after");
    assert_true(net_applied_text(n, 3, "after"));
    net_destroy(n);
}

/* A snapshot at or below the follower's commit index is not installed; it is answered. */
static void test_stale_snapshot_is_ignored(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    propose_many(n, 1, 5, "a");
    uint64_t commit = raft_commit_index(net_raft(n, 2));
    raft_msg m = {.type = RAFT_MSG_SNAP, .from = 1, .to = 2, .term = raft_term(net_raft(n, 1))};
    m.snapshot.meta.index = commit - 2;
    m.snapshot.meta.term = 2;
    m.snapshot.meta.conf = net_node_of(n, 1)->conf;
    net_inject(n, &m);
    assert_int_equal(raft_memstorage_snapshot(net_node_of(n, 2)->ms)->meta.index, 1);
    raft_msg resp;
    assert_true(net_take(n, RAFT_MSG_APP_RESP, 2, 1, &resp));
    assert_int_equal(resp.index, commit);
    raft_msg_deinit(&resp);
    net_destroy(n);
}

/* After a crash a node resumes from its snapshot and re-applies what follows it. */
static void test_restart_from_snapshot(void **state)
{
    (void)state;
    net *n = net_create(3, 0, NULL);
    assert_int_equal(net_elect(n, 1), 1);
    propose_many(n, 1, 10, "a");
    uint64_t snap = snapshot_and_compact(n, 2);
    propose_many(n, 1, 3, "b");
    uint64_t applied = raft_applied_index(net_raft(n, 2));
    net_restart(n, 2);
    assert_int_equal(raft_applied_index(net_raft(n, 2)), snap);
    net_tick_all(n, 3);
    assert_int_equal(raft_applied_index(net_raft(n, 2)), applied);
    assert_true(net_applied_text(n, 2, "b2"));
    net_propose(n, 1, "c");
    assert_true(net_applied_text(n, 2, "c"));
    net_destroy(n);
}

/* memstorage contract: compaction needs a snapshot; indexes out of range are errors. */
static void test_memstorage_errors(void **state)
{
    (void)state;
    raft_memstorage *ms = raft_memstorage_create();
    raft_conf_state cs = {.voters = {1}, .n_voters = 1};
    assert_int_equal(raft_memstorage_bootstrap(ms, &cs), MICE_OK);
    assert_int_equal(raft_memstorage_bootstrap(ms, &cs), MICE_INVALID);
    raft_entry e[3] = {{.term = 2, .index = 2}, {.term = 2, .index = 3}, {.term = 2, .index = 4}};
    assert_int_equal(raft_memstorage_append(ms, e, 3), MICE_OK);
    raft_entry gap = {.term = 2, .index = 9};
    assert_int_equal(raft_memstorage_append(ms, &gap, 1), MICE_INVALID);
    assert_int_equal(raft_memstorage_compact(ms, 3), MICE_INVALID); /* no snapshot there */
    assert_int_equal(raft_memstorage_create_snapshot(ms, 3, &cs, mice_slice_str("")), MICE_OK);
    assert_int_equal(raft_memstorage_compact(ms, 3), MICE_OK);
    raft_storage st = raft_memstorage_storage(ms);
    uint64_t t;
    assert_int_equal(st.ops->term(st.ctx, 2, &t), MICE_NOTFOUND);
    assert_int_equal(st.ops->term(st.ctx, 3, &t), MICE_OK);
    assert_int_equal(t, 2);
    assert_int_equal(st.ops->term(st.ctx, 5, &t), MICE_RANGE);
    raft_entry *out;
    size_t n;
    assert_int_equal(st.ops->entries(st.ctx, 3, 5, 1 << 20, &out, &n), MICE_NOTFOUND);
    assert_int_equal(st.ops->entries(st.ctx, 4, 6, 1 << 20, &out, &n), MICE_RANGE);
    assert_int_equal(st.ops->entries(st.ctx, 4, 5, 1 << 20, &out, &n), MICE_OK);
    assert_int_equal(n, 1);
    raft_entries_free(out, n);
    raft_snapshot old = {.meta = {.index = 2, .term = 2, .conf = cs}};
    assert_int_equal(raft_memstorage_apply_snapshot(ms, &old), MICE_CONFLICT);
    raft_memstorage_destroy(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lagging_follower_gets_snapshot_then_entries),
        cmocka_unit_test(test_lost_snapshot_is_retried),
        cmocka_unit_test(test_reported_snapshot_failure_probes_again),
        cmocka_unit_test(test_stale_snapshot_is_ignored),
        cmocka_unit_test(test_restart_from_snapshot),
        cmocka_unit_test(test_memstorage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
