/*
 * Seeded chaos over every feature at once: drops, duplicates, reordering, restarts,
 * partitions, crashes between sending and persisting, snapshots and compaction, leadership transfers,
 * learner promotion/demotion through joint consensus, ReadIndex and lease reads.
 * Checked after every step: applied logs agree (state machine safety), replicas at the same
 * applied index have the same config, a read_state's index
 * covers everything applied anywhere before the read was issued (ReadIndex
 * linearizability), and a valid lease means no node knows a larger commit index. A
 * fault-free phase at the end checks liveness. Failures print the seed.
 * Explore with CHAOS_SEEDS=<n> CHAOS_STEPS=<n> CHAOS_CANARY=<RAFT_CANARY_* bits>.
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

enum { NODES = 5, READS_MAX = 4096 };

typedef struct chaos {
    net *n;
    mice_prng rng;
    uint64_t seed;
    uint64_t read_floor[READS_MAX]; /* per read id: max applied index anywhere at issue */
    uint32_t n_reads;
    int proposed;
    const char *violation;
} chaos;

static uint64_t max_applied(chaos *c)
{
    uint64_t m = 0;
    for (uint64_t k = 1; k <= NODES; k++) {
        uint64_t a = net_node_of(c->n, k)->applied_index;
        if (a > m) m = a;
    }
    return m;
}

static void deliver(chaos *c)
{
    net *n = c->n;
    net_process(n);
    size_t count = n->n_queue;
    raft_msg *batch = n->queue;
    n->queue = NULL;
    n->n_queue = n->cap_queue = 0;
    for (size_t i = count; i > 1; i--) {
        size_t j = prng_below(&c->rng, i);
        raft_msg t = batch[i - 1];
        batch[i - 1] = batch[j];
        batch[j] = t;
    }
    for (size_t i = 0; i < count; i++) {
        raft_msg *m = &batch[i];
        bool live = m->to >= 1 && m->to <= NODES;
        if (live && prng_chance(&c->rng, 1, 10)) {
            raft_msg dup;
            raft_msg_copy(&dup, m);
            raft_step(net_raft(n, m->to), &dup);
            raft_msg_deinit(&dup);
        }
        if (live && !prng_chance(&c->rng, 1, 8)) raft_step(net_raft(n, m->to), m);
        raft_msg_deinit(m);
        if (live && prng_chance(&c->rng, 1, 400)) net_crash_mid_ready(n, m->to);
    }
    free(batch);
    net_process(n);
}

static void check_logs(chaos *c)
{
    for (uint64_t a = 1; a <= NODES && !c->violation; a++) {
        for (uint64_t b = a + 1; b <= NODES; b++) {
            net_node *x = net_node_of(c->n, a), *y = net_node_of(c->n, b);
            size_t i = 0, j = 0;
            while (i < x->n_applied && j < y->n_applied) { /* snapshots leave gaps */
                const raft_entry *e = &x->applied[i], *f = &y->applied[j];
                if (e->index < f->index) {
                    i++;
                } else if (f->index < e->index) {
                    j++;
                } else {
                    if (e->len != f->len || memcmp(e->data, f->data, e->len) != 0)
                        c->violation = "two nodes applied different entries at one index";
                    i++, j++;
                }
            }
        }
    }
}

/* Replicas that applied the same prefix must have the same configuration. */
static void check_confs(chaos *c)
{
    for (uint64_t a = 1; a <= NODES; a++) {
        for (uint64_t b = a + 1; b <= NODES; b++) {
            net_node *x = net_node_of(c->n, a), *y = net_node_of(c->n, b);
            if (x->applied_index == y->applied_index && !raft_conf_state_equal(&x->conf, &y->conf))
                c->violation = "two nodes at one applied index have different configs";
        }
    }
}

static void check_reads(chaos *c)
{
    for (uint64_t k = 1; k <= NODES; k++) {
        net_node *nd = net_node_of(c->n, k);
        for (size_t i = 0; i < nd->n_reads; i++) {
            uint32_t id = 0;
            if (nd->reads[i].context_len != sizeof id) continue;
            memcpy(&id, nd->reads[i].context, sizeof id);
            if (id < c->n_reads && nd->reads[i].index < c->read_floor[id])
                c->violation = "a ReadIndex result misses an entry applied before the read";
        }
        nd->n_reads = 0;
        uint64_t read_index = 0;
        if (!raft_lease_read_ok(nd->r, &read_index)) continue;
        for (uint64_t o = 1; o <= NODES; o++)
            if (raft_commit_index(net_raft(c->n, o)) > read_index)
                c->violation = "a lease holder misses a commit known elsewhere";
    }
}

static void maybe_snapshot(chaos *c, uint64_t id)
{
    net_node *nd = net_node_of(c->n, id);
    uint64_t applied = raft_applied_index(nd->r);
    if (applied <= raft_memstorage_snapshot(nd->ms)->meta.index) return;
    if (applied > raft_memstorage_last_index(nd->ms)) return;
    if (raft_memstorage_create_snapshot(nd->ms, applied, &nd->conf, mice_slice_str("s")))
        return;
    uint64_t keep = prng_below(&c->rng, 5); /* sometimes keep a few entries */
    if (applied > keep + raft_memstorage_first_index(nd->ms))
        (void)raft_memstorage_compact(nd->ms, applied - keep);
}

static void toggle_node5(chaos *c, uint64_t lead)
{
    raft_status st;
    raft_get_status(net_raft(c->n, lead), &st);
    if (raft_conf_state_is_joint(&st.conf)) return;
    bool voter = raft_conf_state_has_voter(&st.conf, 5);
    raft_conf_change cc = {.auto_leave = true, .n_changes = 1};
    cc.changes[0] = (raft_cc_item){voter ? RAFT_CC_ADD_LEARNER : RAFT_CC_ADD_VOTER, 5};
    (void)raft_propose_conf_change(net_raft(c->n, lead), &cc, NULL);
}

static void random_op(chaos *c)
{
    uint64_t id = 1 + prng_below(&c->rng, NODES);
    raft *r = net_raft(c->n, id);
    uint64_t roll = prng_below(&c->rng, 1000);
    if (roll < 300) {
        char text[32];
        snprintf(text, sizeof text, "s%llu-%d", (unsigned long long)c->seed, c->proposed++);
        (void)raft_propose(r, mice_slice_str(text), NULL);
    } else if (roll < 400 && c->n_reads < READS_MAX) {
        uint32_t rid = c->n_reads;
        c->read_floor[c->n_reads++] = max_applied(c);
        (void)raft_read_index(r, mice_slice_of(&rid, sizeof rid));
    } else if (roll < 420) {
        maybe_snapshot(c, id);
    } else if (roll < 430) {
        (void)raft_transfer_leader(r, 1 + prng_below(&c->rng, NODES));
    } else if (roll < 440 && raft_role_of(r) == RAFT_LEADER) {
        toggle_node5(c, id);
    } else if (roll < 446) {
        net_restart(c->n, id);
    } else if (roll < 452) {
        net_isolate(c->n, id); /* a partition, healed some steps later */
    } else if (roll < 458 && net_leader(c->n) != RAFT_NONE) {
        net_isolate(c->n, net_leader(c->n)); /* the leader may not know it is deposed */
    } else if (roll < 470) {
        net_heal(c->n);
    }
}

static const char *run(uint64_t seed, uint32_t canaries, int steps)
{
    chaos *c = calloc(1, sizeof *c);
    c->seed = seed;
    prng_seed(&c->rng, seed);
    c->n = net_create(4, 1, NULL); /* node 5 starts as a learner */
    for (uint64_t k = 1; k <= NODES; k++) {
        net_node_of(c->n, k)->cfg.canaries = canaries;
        net_node_of(c->n, k)->cfg.seed = seed;
        net_restart(c->n, k);
    }
    for (int step = 0; step < steps && !c->violation; step++) {
        random_op(c);
        for (uint64_t k = 1; k <= NODES; k++) raft_tick(net_raft(c->n, k));
        deliver(c);
        check_logs(c);
        check_confs(c);
        check_reads(c);
    }
    if (!c->violation && canaries == 0) {
        net_heal(c->n);
        net_drop_all(c->n);
        net_tick_all(c->n, 80);
        uint64_t lead = net_leader(c->n);
        if (lead == RAFT_NONE) {
            c->violation = "no leader after the faults stopped";
        } else {
            net_propose(c->n, lead, "final");
            net_tick_all(c->n, 5);
            for (uint64_t k = 1; k <= NODES; k++)
                if (!net_applied_text(c->n, k, "final"))
                    c->violation = "a live node did not catch up";
        }
        check_logs(c);
    }
    const char *v = c->violation;
    net_destroy(c->n);
    free(c);
    return v;
}

static void test_chaos_all_features(void **state)
{
    (void)state;
    int seeds = getenv("CHAOS_SEEDS") ? atoi(getenv("CHAOS_SEEDS")) : 30;
    int steps = getenv("CHAOS_STEPS") ? atoi(getenv("CHAOS_STEPS")) : 600;
    uint32_t canaries = getenv("CHAOS_CANARY") ? (uint32_t)atoi(getenv("CHAOS_CANARY")) : 0;
    for (int s = 1; s <= seeds; s++) {
        const char *v = run((uint64_t)s, canaries, steps);
        if (v) fail_msg("%s - reproduce with CHAOS_SEEDS=%d (seed %d)", v, s, s);
    }
}

/* The log check can fail: granting votes without the log check loses committed entries.
 * (The other canaries need narrower windows than this harness opens often; tests/raft has
 * a directed test for each, and the simulator hunts them with its own fault schedule.) */
static void test_chaos_catches_vote_canary(void **state)
{
    (void)state;
    int s = 1;
    while (s <= 200 && !run((uint64_t)s, RAFT_CANARY_VOTE_WITHOUT_LOG_CHECK, 600)) s++;
    assert_true(s <= 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chaos_all_features),
        cmocka_unit_test(test_chaos_catches_vote_canary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
