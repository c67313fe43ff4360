/* net.c - the in-test network of raft nodes (see net.h). */
#include "raft/support/net.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/check.h"

enum { SETTLE_MSGS_MAX = 200000 };

static void fill_conf(raft_conf_state *cs, uint32_t n_voters, uint32_t n_learners)
{
    memset(cs, 0, sizeof *cs);
    for (uint32_t i = 0; i < n_voters; i++) cs->voters[cs->n_voters++] = i + 1;
    for (uint32_t i = 0; i < n_learners; i++) cs->learners[cs->n_learners++] = n_voters + i + 1;
}

static void start_raft(net *n, net_node *nd)
{
    nd->cfg.storage = raft_memstorage_storage(nd->ms);
    nd->cfg.applied = 0;
    mice_status rc = raft_create(&nd->cfg, &nd->r);
    assert_int_equal(rc, MICE_OK);
    nd->applied_index = raft_applied_index(nd->r);
    raft_status st;
    raft_get_status(nd->r, &st);
    nd->conf = st.conf; /* the config as of the applied index we restart from */
    (void)n;
}

static void make_node(net *n, uint64_t id, const raft_conf_state *cs, net_config_fn tweak)
{
    assert_true(id >= 1 && id <= NET_NODES_MAX);
    net_node *nd = &n->nodes[id];
    memset(nd, 0, sizeof *nd);
    nd->id = id;
    nd->exists = true;
    nd->ms = raft_memstorage_create();
    if (cs) {
        assert_int_equal(raft_memstorage_bootstrap(nd->ms, cs), MICE_OK);
        nd->conf = *cs;
    }
    raft_config_default(&nd->cfg, id, raft_memstorage_storage(nd->ms));
    nd->cfg.seed = n->seed;
    if (tweak) tweak(&nd->cfg);
    start_raft(n, nd);
}

net *net_create(uint32_t n_voters, uint32_t n_learners, net_config_fn tweak)
{
    net *n = mice_calloc(1, sizeof *n);
    n->seed = 42;
    raft_conf_state cs;
    fill_conf(&cs, n_voters, n_learners);
    for (uint32_t i = 1; i <= n_voters + n_learners; i++) make_node(n, i, &cs, tweak);
    return n;
}

void net_add_empty_node(net *n, uint64_t id, net_config_fn tweak)
{
    make_node(n, id, NULL, tweak);
}

static void free_node(net_node *nd)
{
    raft_destroy(nd->r);
    nd->r = NULL;
    for (size_t i = 0; i < nd->n_applied; i++) raft_entry_deinit(&nd->applied[i]);
    nd->n_applied = 0;
    raft_memstorage_destroy(nd->ms);
    nd->ms = NULL;
}

void net_destroy(net *n)
{
    for (int i = 1; i <= NET_NODES_MAX; i++)
        if (n->nodes[i].exists) free_node(&n->nodes[i]);
    net_drop_all(n);
    free(n->queue);
    free(n);
}

net_node *net_node_of(net *n, uint64_t id)
{
    assert_true(id >= 1 && id <= NET_NODES_MAX);
    assert_true(n->nodes[id].exists);
    return &n->nodes[id];
}

raft *net_raft(net *n, uint64_t id)
{
    return net_node_of(n, id)->r;
}

void net_restart(net *n, uint64_t id)
{
    net_node *nd = net_node_of(n, id);
    raft_destroy(nd->r);
    /* The state machine restarts from the snapshot: forget what was applied after it. */
    uint64_t snap = raft_memstorage_snapshot(nd->ms)->meta.index;
    size_t keep = 0;
    for (size_t i = 0; i < nd->n_applied; i++) {
        if (nd->applied[i].index <= snap) nd->applied[keep++] = nd->applied[i];
        else raft_entry_deinit(&nd->applied[i]);
    }
    nd->n_applied = keep;
    nd->down = false;
    start_raft(n, nd);
}

void net_stop(net *n, uint64_t id)
{
    net_node_of(n, id)->down = true;
}

void net_start(net *n, uint64_t id)
{
    net_restart(n, id);
}

static void enqueue(net *n, raft_msg *m)
{
    if (n->n_queue == n->cap_queue) {
        n->cap_queue = n->cap_queue ? n->cap_queue * 2 : 256;
        n->queue = mice_realloc(n->queue, n->cap_queue * sizeof *n->queue);
    }
    raft_msg_move(&n->queue[n->n_queue++], m);
}

void net_crash_mid_ready(net *n, uint64_t id)
{
    net_node *nd = net_node_of(n, id);
    if (raft_has_ready(nd->r)) {
        raft_ready rd;
        raft_ready_get(nd->r, &rd);
        for (size_t i = 0; i < rd.n_msgs; i++) enqueue(n, &rd.msgs[i]);
        raft_ready_discard(&rd);
    }
    net_restart(n, id);
}

static void record_applied(net_node *nd, const raft_ready *rd)
{
    if (rd->has_snapshot) nd->applied_index = rd->snapshot.meta.index;
    for (size_t i = 0; i < rd->n_committed_entries; i++) {
        const raft_entry *e = &rd->committed_entries[i];
        assert_int_equal(e->index, nd->applied_index + 1);
        nd->applied_index = e->index;
        if (e->type != RAFT_ENTRY_NORMAL || e->len == 0) continue;
        assert_true(nd->n_applied < NET_APPLIED_MAX);
        raft_entry_copy(&nd->applied[nd->n_applied++], e);
    }
    for (size_t i = 0; i < rd->n_read_states && nd->n_reads < 64; i++)
        nd->reads[nd->n_reads++] = rd->read_states[i];
    if (rd->conf_state_changed) nd->conf = rd->conf_state;
}

static bool process_node(net *n, net_node *nd)
{
    if (!nd->exists || nd->down || !raft_has_ready(nd->r)) return false;
    raft_ready rd;
    raft_ready_get(nd->r, &rd);
    for (size_t i = 0; i < rd.n_msgs; i++) enqueue(n, &rd.msgs[i]);
    assert_int_equal(raft_memstorage_save_ready(nd->ms, &rd), MICE_OK);
    for (size_t i = 0; i < rd.n_msgs_after_persist; i++) enqueue(n, &rd.msgs_after_persist[i]);
    record_applied(nd, &rd);
    raft_advance(nd->r, &rd);
    return true;
}

void net_process(net *n)
{
    bool any = true;
    while (any) {
        any = false;
        for (int i = 1; i <= NET_NODES_MAX; i++) any |= process_node(n, &n->nodes[i]);
    }
}

static void deliver(net *n, raft_msg *m)
{
    uint64_t to = m->to;
    bool ok = to >= 1 && to <= NET_NODES_MAX && n->nodes[to].exists && !n->nodes[to].down &&
              m->from <= NET_NODES_MAX && !n->cut[m->from][to] && !n->nodes[m->from].down &&
              !(n->drop && n->drop(n->drop_ctx, m));
    if (ok) {
        (void)raft_step(n->nodes[to].r, m);
        n->delivered++;
    }
    raft_msg_deinit(m);
}

void net_deliver_round(net *n)
{
    net_process(n);
    size_t count = n->n_queue;
    raft_msg *batch = n->queue;
    n->queue = NULL;
    n->n_queue = n->cap_queue = 0;
    for (size_t i = 0; i < count; i++) deliver(n, &batch[i]);
    free(batch);
    net_process(n);
}

size_t net_settle(net *n)
{
    size_t total = 0;
    net_process(n);
    while (n->n_queue > 0) {
        total += n->n_queue;
        assert_true(total < SETTLE_MSGS_MAX);
        net_deliver_round(n);
    }
    return total;
}

void net_tick(net *n, uint64_t id, uint32_t ticks)
{
    for (uint32_t t = 0; t < ticks; t++) {
        raft_tick(net_raft(n, id));
        net_settle(n);
    }
}

void net_tick_all(net *n, uint32_t ticks)
{
    for (uint32_t t = 0; t < ticks; t++) {
        for (int i = 1; i <= NET_NODES_MAX; i++)
            if (n->nodes[i].exists && !n->nodes[i].down) raft_tick(n->nodes[i].r);
        net_settle(n);
    }
}

uint64_t net_elect(net *n, uint64_t id)
{
    raft_msg hup = {.type = RAFT_MSG_HUP, .from = id, .to = id};
    assert_int_equal(raft_step(net_raft(n, id), &hup), MICE_OK);
    net_settle(n);
    return net_leader(n);
}

uint64_t net_leader(net *n)
{
    uint64_t best = RAFT_NONE, best_term = 0;
    for (int i = 1; i <= NET_NODES_MAX; i++) {
        net_node *nd = &n->nodes[i];
        if (!nd->exists || nd->down || raft_role_of(nd->r) != RAFT_LEADER) continue;
        if (raft_term(nd->r) >= best_term) {
            best = nd->id;
            best_term = raft_term(nd->r);
        }
    }
    return best;
}

void net_cut(net *n, uint64_t a, uint64_t b)
{
    n->cut[a][b] = n->cut[b][a] = true;
}

void net_isolate(net *n, uint64_t id)
{
    for (int i = 0; i <= NET_NODES_MAX; i++)
        if ((uint64_t)i != id) net_cut(n, id, (uint64_t)i);
}

void net_heal(net *n)
{
    memset(n->cut, 0, sizeof n->cut);
}

uint64_t net_propose(net *n, uint64_t id, const char *text)
{
    uint64_t index = 0;
    mice_status rc = raft_propose(net_raft(n, id), mice_slice_str(text), &index);
    assert_int_equal(rc, MICE_OK);
    net_settle(n);
    return index;
}

static bool matches(const raft_msg *m, raft_msg_type type, uint64_t from, uint64_t to)
{
    return (type == RAFT_MSG_TYPE_COUNT || m->type == type) && (!from || m->from == from) &&
           (!to || m->to == to);
}

size_t net_count(const net *n, raft_msg_type type, uint64_t from, uint64_t to)
{
    size_t c = 0;
    for (size_t i = 0; i < n->n_queue; i++) c += matches(&n->queue[i], type, from, to);
    return c;
}

bool net_take(net *n, raft_msg_type type, uint64_t from, uint64_t to, raft_msg *out)
{
    for (size_t i = 0; i < n->n_queue; i++) {
        if (!matches(&n->queue[i], type, from, to)) continue;
        raft_msg_move(out, &n->queue[i]);
        memmove(&n->queue[i], &n->queue[i + 1], (n->n_queue - i - 1) * sizeof *n->queue);
        n->n_queue--;
        return true;
    }
    return false;
}

void net_drop_all(net *n)
{
    for (size_t i = 0; i < n->n_queue; i++) raft_msg_deinit(&n->queue[i]);
    n->n_queue = 0;
}

void net_inject(net *n, const raft_msg *m)
{
    (void)raft_step(net_raft(n, m->to), m);
    net_process(n);
}

bool net_applied_text(const net *n, uint64_t id, const char *text)
{
    const net_node *nd = &n->nodes[id];
    size_t len = strlen(text);
    for (size_t i = 0; i < nd->n_applied; i++)
        if (nd->applied[i].len == len && memcmp(nd->applied[i].data, text, len) == 0) return true;
    return false;
}

void net_dump(net *n)
{
    for (int i = 1; i <= NET_NODES_MAX; i++) {
        net_node *nd = &n->nodes[i];
        if (!nd->exists) continue;
        raft_status st;
        raft_get_status(nd->r, &st);
        fprintf(stderr, "node %d%s: %s term=%llu lead=%llu commit=%llu applied=%llu last=%llu\n",
                i, nd->down ? " (down)" : "", raft_role_name(st.role),
                (unsigned long long)st.term, (unsigned long long)st.lead,
                (unsigned long long)st.commit, (unsigned long long)st.applied,
                (unsigned long long)st.last_index);
    }
    mice_buf b;
    buf_init(&b);
    for (size_t i = 0; i < n->n_queue; i++) {
        buf_reset(&b);
        raft_describe_msg(&n->queue[i], &b);
        fprintf(stderr, "  queued: %s\n", (const char *)b.p);
    }
    buf_deinit(&b);
}

/* ---- single-node rule helpers ---- */

raft *rule_raft(raft_memstorage **ms_out, uint64_t id, uint32_t n_voters,
                const uint64_t *terms, size_t n_terms, uint64_t term, uint32_t canaries)
{
    raft_memstorage *ms = raft_memstorage_create();
    raft_conf_state cs;
    fill_conf(&cs, n_voters, 0);
    assert_int_equal(raft_memstorage_bootstrap(ms, &cs), MICE_OK);
    for (size_t i = 0; i < n_terms; i++) {
        raft_entry e = {.term = terms[i], .index = 2 + i};
        assert_int_equal(raft_memstorage_append(ms, &e, 1), MICE_OK);
    }
    raft_hard_state hs = {.term = term, .vote = RAFT_NONE, .commit = 1};
    raft_memstorage_set_hard_state(ms, &hs);
    raft_config c;
    raft_config_default(&c, id, raft_memstorage_storage(ms));
    c.canaries = canaries;
    c.check_quorum = false; /* rule tests look at figure 2 alone */
    c.pre_vote = false;
    raft *r = NULL;
    assert_int_equal(raft_create(&c, &r), MICE_OK);
    *ms_out = ms;
    return r;
}

void rule_ready(raft *r, raft_memstorage *ms, raft_msg **msgs, size_t *n, size_t *n_after)
{
    *msgs = NULL;
    *n = 0;
    if (n_after) *n_after = 0;
    if (!raft_has_ready(r)) return;
    raft_ready rd;
    raft_ready_get(r, &rd);
    assert_int_equal(raft_memstorage_save_ready(ms, &rd), MICE_OK);
    size_t total = rd.n_msgs + rd.n_msgs_after_persist;
    raft_msg *v = mice_calloc(total ? total : 1, sizeof *v);
    for (size_t i = 0; i < rd.n_msgs; i++) raft_msg_move(&v[i], &rd.msgs[i]);
    for (size_t i = 0; i < rd.n_msgs_after_persist; i++)
        raft_msg_move(&v[rd.n_msgs + i], &rd.msgs_after_persist[i]);
    if (n_after) *n_after = rd.n_msgs_after_persist;
    *msgs = v;
    *n = total;
    raft_advance(r, &rd);
}

void rule_msgs_free(raft_msg *msgs, size_t n)
{
    for (size_t i = 0; i < n; i++) raft_msg_deinit(&msgs[i]);
    free(msgs);
}

const raft_msg *rule_find(const raft_msg *msgs, size_t n, raft_msg_type type, uint64_t to)
{
    for (size_t i = 0; i < n; i++)
        if (msgs[i].type == type && (!to || msgs[i].to == to)) return &msgs[i];
    return NULL;
}
