/*
 * sim_client.c - the client workload: reads, writes and compare-and-sets on a few keys.
 *
 * Each client has one operation outstanding, sent to the node it believes leads (or to
 * a random node: followers forward proposals and ReadIndex requests). Writes and CASes
 * are proposals, answered when the receiving node applies them. Reads are lease reads
 * when raft_lease_read_ok() allows, else ReadIndex; either way served from the local map
 * once it has applied the read index. A refused request failed definitely; one without
 * an answer before the timeout (or whose node crashed) has an unknown outcome. Every
 * invocation and answer goes into the linz history, timed by one global counter.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "sim/sim_world.h"

static void client_next(sim_world *w, int c)
{
    w->client[c].busy = false;
    if (w->stop) return;
    uint64_t think = w->p.think_max_ns ? prng_below(&w->prng, w->p.think_max_ns) : 0;
    if (w->client[c].follow_up) think = 0;
    sched_after(&w->sched, think, EV_CLIENT, c, NULL, 0);
}

static void client_finish(sim_world *w, uint64_t op, linz_outcome outcome, int64_t result)
{
    linz_complete(&w->hist, op, outcome, result, sim_hist_now(w));
    if (w->opt.verbose && getenv("SIM_TRACE_OPS")) {
        static const char *kinds[] = {"read", "write", "cas"}, *outs[] = {"?", "ok", "failed", "unknown"};
        const linz_op *o = &w->hist.ops[op];
        sim_trace(w, "c%u %s k%" PRIu64 " v=%" PRId64 " at n%d: %s %" PRId64, o->client, kinds[o->kind],
                  o->key, o->value, w->client[o->client].node + 1, outs[outcome], result);
    }
    if (outcome == LINZ_OK) {
        w->st.ops_ok++;
        if (w->liveness) w->st.liveness_ops_ok++;
        if (w->liveness && !w->liveness_write_ns && w->hist.ops[op].kind != LINZ_READ)
            w->liveness_write_ns = w->sched.now_ns;
    } else if (outcome == LINZ_FAILED) {
        w->st.ops_failed++;
    } else {
        w->st.ops_unknown++;
    }
    const linz_op *o = &w->hist.ops[op];
    sim_client *cl = &w->client[o->client];
    cl->follow_up = false;
    if (outcome == LINZ_OK && o->kind != LINZ_READ && !w->opt.bench && prng_chance(&w->prng, 1, 2)) {
        cl->follow_up = true;
        cl->follow_key = o->key;
    }
    client_next(w, (int)o->client);
}

static sim_node *pick_node(sim_world *w)
{
    if (prng_chance(&w->prng, 3, 4)) {
        /* ask a random live node who leads, as a real client's cache would */
        sim_node *asked = &w->node[prng_below(&w->prng, (uint64_t)w->n_nodes)];
        if (asked->up) {
            uint64_t lead = raft_leader(asked->r);
            if (lead != RAFT_NONE && lead <= (uint64_t)w->n_nodes) return &w->node[lead - 1];
        }
    }
    return &w->node[prng_below(&w->prng, (uint64_t)w->n_nodes)];
}

/* A read right after a write, at another node that believes it leads (a client with a
 * stale leader cache, or a second client told about the write): the classic way a stale
 * lease or an unconfirmed ReadIndex shows. */
static sim_node *pick_other_leader(sim_world *w, int not_node)
{
    int cand[SIM_NODES_MAX], n = 0;
    for (int i = 0; i < w->n_nodes; i++)
        if (i != not_node && w->node[i].up && raft_role_of(w->node[i].r) == RAFT_LEADER) cand[n++] = i;
    if (n == 0) return &w->node[prng_below(&w->prng, (uint64_t)w->n_nodes)];
    return &w->node[cand[prng_below(&w->prng, (uint64_t)n)]];
}

static void add_pending(sim_node *n, uint64_t op, bool is_read, bool have_index, uint64_t index)
{
    mice_assert(n->n_pending < SIM_PENDING_MAX);
    n->pending[n->n_pending++] = (sim_pending){op, is_read, have_index, index};
}

static bool start_write(sim_world *w, sim_node *n, uint64_t op)
{
    const linz_op *o = &w->hist.ops[op];
    kvsm_cmd cmd = {.kind = o->kind == LINZ_CAS ? KVSM_CMD_CAS : KVSM_CMD_WRITE,
                    .client = o->client, .op_id = op, .key = o->key, .value = o->value,
                    .expect = o->expect};
    mice_buf data;
    buf_init(&data);
    kvsm_encode(&cmd, &data);
    mice_status rc = raft_propose(n->r, buf_slice(&data), NULL);
    buf_deinit(&data);
    if (rc) return false;
    add_pending(n, op, false, false, 0);
    return true;
}

static bool start_read(sim_world *w, sim_node *n, uint64_t op)
{
    uint64_t index = 0;
    if (w->p.lease_reads && raft_lease_read_ok(n->r, &index)) {
        w->st.reads_lease++;
        sim_node *lead = sim_leader(w);
        if (lead && lead != n) {
            w->st.lease_reads_deposed++;
            sim_trace(w, "lease read at n%d while n%d leads a newer term", n->idx + 1, lead->idx + 1);
        }
        add_pending(n, op, true, true, index);
        return true;
    }
    uint8_t ctx[8];
    mice_store_be64(ctx, op);
    if (raft_read_index(n->r, mice_slice_of(ctx, sizeof ctx)) != MICE_OK) return false;
    w->st.reads_index++;
    add_pending(n, op, true, false, 0);
    return true;
}

void client_on_start(sim_world *w, int c)
{
    if (w->stop || w->client[c].busy) return;
    sim_client *cl = &w->client[c];
    sim_node *n = cl->follow_up ? pick_other_leader(w, cl->node) : pick_node(w);
    uint64_t key = prng_below(&w->prng, (uint64_t)w->n_keys);
    uint64_t dice = prng_below(&w->prng, 100);
    linz_kind kind = LINZ_WRITE;
    if (!w->opt.bench) kind = dice < 45 ? LINZ_READ : dice < 80 ? LINZ_WRITE : LINZ_CAS;
    if (cl->follow_up) {
        kind = LINZ_READ;
        key = cl->follow_key;
    }
    int64_t value = ++w->next_value, expect = 0;
    if (kind == LINZ_CAS && n->up && !prng_chance(&w->prng, 1, 8))
        expect = n->sm.value[key]; /* read-modify-write from a possibly stale copy */
    uint64_t op = linz_invoke(&w->hist, (uint32_t)c, kind, key, value, expect, sim_hist_now(w));
    if (op >= w->applied_cap) {
        size_t cap = w->applied_cap ? w->applied_cap * 2 : 1024;
        w->applied_t = mice_realloc(w->applied_t, cap * sizeof *w->applied_t);
        w->applied_result = mice_realloc(w->applied_result, cap * sizeof *w->applied_result);
        memset(w->applied_t + w->applied_cap, 0, (cap - w->applied_cap) * sizeof *w->applied_t);
        w->applied_cap = cap;
    }
    w->client[c] = (sim_client){.busy = true, .op = op, .node = n->idx};
    bool started = false;
    if (n->up) started = kind == LINZ_READ ? start_read(w, n, op) : start_write(w, n, op);
    if (!started) {
        client_finish(w, op, LINZ_FAILED, 0);
        return;
    }
    sched_after(&w->sched, w->p.op_timeout_ns, EV_CLIENT_TIMEOUT, c, NULL, op);
    if (kind == LINZ_READ) client_serve_reads(w, n);
}

static int find_pending(const sim_node *n, uint64_t op)
{
    for (int i = 0; i < n->n_pending; i++)
        if (n->pending[i].op == op) return i;
    return -1;
}

static void drop_pending(sim_node *n, int i)
{
    n->pending[i] = n->pending[--n->n_pending];
}

void client_on_timeout(sim_world *w, int c, uint64_t op)
{
    sim_client *cl = &w->client[c];
    if (!cl->busy || cl->op != op) return;
    sim_node *n = &w->node[cl->node];
    int i = find_pending(n, op);
    if (i >= 0) drop_pending(n, i);
    client_finish(w, op, LINZ_UNKNOWN, 0);
}

void client_answer(sim_world *w, sim_node *n, uint64_t op, int64_t result)
{
    int i = find_pending(n, op);
    if (i < 0 || n->pending[i].is_read) return;
    drop_pending(n, i);
    client_finish(w, op, LINZ_OK, result);
}

void client_read_state(sim_world *w, sim_node *n, const raft_read_state *rs)
{
    (void)w;
    if (rs->context_len != 8) return;
    int i = find_pending(n, mice_load_be64(rs->context));
    if (i < 0 || !n->pending[i].is_read) return;
    n->pending[i].have_index = true;
    n->pending[i].index = rs->index;
}

void client_serve_reads(sim_world *w, sim_node *n)
{
    for (int i = 0; i < n->n_pending;) {
        sim_pending *p = &n->pending[i];
        if (!p->is_read || !p->have_index || n->sm.applied_index < p->index) {
            i++;
            continue;
        }
        uint64_t op = p->op;
        drop_pending(n, i);
        client_finish(w, op, LINZ_OK, n->sm.value[w->hist.ops[op].key]);
    }
}
