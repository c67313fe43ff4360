/* The raft thread of a store (see store.h): turns, ticks, Readys with group commit, apply,
 * completions and the lease view workers read.
 *
 * A turn: drain the inboxes (messages, proposals, reads) into the groups, then collect
 * every group's Ready. All of them are staged into ONE engine batch - snapshot metadata,
 * log entries, hard states, the effects of committed entries, applied indexes, conf
 * states, log truncations - which is committed once, synced if any group needs it. Only
 * then do acknowledgements leave (msgs_after_persist), proposals and reads complete and
 * the groups advance. Committed entries handed out in a Ready were persisted by earlier
 * turns, so applying them in the same batch as new entries is safe; the applied index
 * travels with the effects, so after a crash exactly the entries after it apply again. */
#include "kv/store_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/log.h"
#include "base/varint.h"

enum {
    READY_ROUNDS_MAX = 4,       /* Ready rounds per turn before yielding */
    READ_TIMEOUT_ELECTIONS = 2, /* a ReadIndex not answered in this many timeouts fails */
    SNAP_CACHE_ELECTIONS = 10,  /* a built snapshot is kept this many timeouts */
    ORPHAN_SILENCE_ELECTIONS = 2, /* a removed replica no leader spoke to this long goes */
};

/* --- completing waiters --------------------------------------------------------------------- */

static void cmd_fail(store_cmd *c, mice_status code, const char *msg)
{
    future_failf(c->fut, code, "%s", msg);
    store__cmd_free(c);
}

static void cmd_complete_term(store_cmd *c, uint64_t term)
{
    uint64_t *v = mice_malloc(sizeof *v);
    *v = term;
    future_complete(c->fut, v, free);
    store__cmd_free(c);
}

void store__fail_waiters(store_range *r, mice_status why, const char *msg)
{
    while (r->proposals) {
        store_cmd *c = r->proposals;
        r->proposals = c->next;
        cmd_fail(c, why, msg);
    }
    r->proposals_tail = NULL;
    while (r->reads) {
        store_cmd *c = r->reads;
        r->reads = c->next;
        cmd_fail(c, why, msg);
    }
}

/* --- the lease view ------------------------------------------------------------------------- */

/* Mono time of raft tick t of r's group, 0 if no longer known. */
static uint64_t tick_time(const store_range *r, uint64_t t)
{
    const store *s = r->s;
    if (t <= 1) return r->created_ns;
    uint64_t g = r->tick_base + (t - 1);
    if (g > s->ticks || s->ticks - g >= STORE_TICK_RING) return 0;
    return s->tick_ns[g % STORE_TICK_RING];
}

/* Before serving in a new term: commit timestamps go above every read a previous
 * leaseholder may have served. */
static void prepare_serving(store_range *r, uint64_t term)
{
    if (r->served_term == term) return;
    store *s = r->s;
    hlc_ts now = hlc_now(s->cfg.clock);
    now.wall_ns += s->cfg.max_clock_offset_ns;
    kv_replica_forward_read_ts(r->kv, now);
    r->served_term = term;
}

void store__publish_lease(store_range *r)
{
    store *s = r->s;
    store_lease_view v = {0};
    if (!r->r) {
        pthread_mutex_lock(&r->lease_mu);
        r->lease = v;
        pthread_mutex_unlock(&r->lease_mu);
        return;
    }
    uint64_t lead = raft_leader(r->r);
    v.leader_node = lead ? store__peer_node(r, lead) : 0;
    if (raft_role_of(r->r) == RAFT_LEADER && !s->failed) {
        v.leader = true;
        v.term = raft_term(r->r);
        uint64_t read_index = 0;
        if (raft_lease_read_ok(r->r, &read_index)) {
            raft_status st;
            raft_get_status(r->r, &st);
            uint64_t lease_ticks = s->cfg.election_ticks - STORE_CLOCK_DRIFT_TICKS;
            /* The lease runs from when the newest acknowledged message was SENT. */
            uint64_t sent_ns = tick_time(r, st.lease_expiry_tick - lease_ticks);
            if (sent_ns) v.expiry_ns = sent_ns + lease_ticks * s->cfg.tick_ms * MICE_NS_PER_MS;
            v.caught_up = raftlog_applied(r->log) >= read_index;
        }
        if (v.caught_up) prepare_serving(r, v.term);
    }
    v.oldest_proposal_ns = r->proposals ? r->proposals->pushed_ns : 0;
    pthread_mutex_lock(&r->lease_mu);
    r->lease = v;
    pthread_mutex_unlock(&r->lease_mu);
}

/* --- the inboxes ---------------------------------------------------------------------------- */

/* A leader's message for a range this node does not have: the range was created (by a
 * split this node has not applied yet, or will never apply because a snapshot skips it)
 * with a replica here. An uninitialised replica answers, so the leader sends it a
 * snapshot (or the split initialises it). */
static store_range *maybe_create(store *s, const kv_raft_batch *b)
{
    for (size_t i = 0; i < b->n_msgs; i++) {
        const raft_msg *m = &b->msgs[i];
        bool from_leader =
            m->type == RAFT_MSG_APP || m->type == RAFT_MSG_HEARTBEAT || m->type == RAFT_MSG_SNAP;
        if (!from_leader || m->to == RAFT_NONE || b->range_id == 0) continue;
        mice_err err;
        uint64_t lowest = 0;
        if (store__tombstone(s, b->range_id, &lowest, &err) != MICE_OK) {
            log_warn("store: n%" PRIu64 ": r%" PRIu64 ": tombstone unreadable: %s",
                     s->cfg.node_id, b->range_id, mice_err_msg(&err));
            return NULL;
        }
        if (m->to < lowest) return NULL; /* a late message for a replica removed here */
        if (store__add_uninitialized(s, b->range_id, m->to, &err) != MICE_OK) {
            log_warn("store: n%" PRIu64 ": no replica made for r%" PRIu64 ": %s", s->cfg.node_id,
                     b->range_id, mice_err_msg(&err));
            return NULL;
        }
        log_info("store: n%" PRIu64 ": uninitialised replica %" PRIu64 " of r%" PRIu64
                 " made for a message from n%" PRIu64,
                 s->cfg.node_id, m->to, b->range_id, b->from_node);
        return store__find(s, b->range_id);
    }
    return NULL;
}

/* An uninitialised replica knows no peers: learn the sender's node from its messages, so
 * the answers find their way back. */
static void learn_peers(store_range *r, const kv_raft_batch *b)
{
    for (size_t i = 0; i < b->n_msgs; i++) {
        uint64_t from = b->msgs[i].from;
        if (from == RAFT_NONE || rangedesc_replica_by_id(&r->desc, from) ||
            rangedesc_replica_on(&r->desc, b->from_node) ||
            r->desc.n_replicas == RANGEDESC_REPLICAS_MAX)
            continue;
        pthread_rwlock_wrlock(&r->s->ranges_mu);
        r->desc.replicas[r->desc.n_replicas++] =
            (range_replica){.node_id = b->from_node, .replica_id = from};
        pthread_rwlock_unlock(&r->s->ranges_mu);
    }
}

/* A leader's message for a replica removed here with an id it may hold again: the node
 * was added back to the range. */
static void maybe_revive(store_range *r, const kv_raft_batch *b)
{
    for (size_t i = 0; i < b->n_msgs; i++) {
        const raft_msg *m = &b->msgs[i];
        bool from_leader =
            m->type == RAFT_MSG_APP || m->type == RAFT_MSG_HEARTBEAT || m->type == RAFT_MSG_SNAP;
        if (!from_leader || m->to < r->tombstone) continue;
        mice_err err;
        if (store__revive(r, m->to, &err) != MICE_OK)
            log_warn("store: r%" PRIu64 ": replica %" PRIu64 " not made again: %s", r->range_id,
                     m->to, mice_err_msg(&err));
        return;
    }
}

static void step_batch(store *s, kv_raft_batch *b)
{
    store_range *r = store__find(s, b->range_id);
    if (r && r->removed) maybe_revive(r, b);
    if (!r) r = maybe_create(s, b);
    if (r && !rangedesc_is_initialized(&r->desc)) learn_peers(r, b);
    if (!r || !r->r) {
        store__count(s, ST_MSGS_UNKNOWN_RANGE, b->n_msgs);
        kv_raft_batch_free(b);
        return;
    }
    for (size_t i = 0; i < b->n_msgs; i++) {
        raft_msg_type t = b->msgs[i].type;
        if (t == RAFT_MSG_APP || t == RAFT_MSG_HEARTBEAT || t == RAFT_MSG_SNAP)
            r->leader_heard_tick = s->ticks;
        mice_status rc = raft_step(r->r, &b->msgs[i]);
        if (rc && rc != MICE_NOT_LEADER)
            log_debug("store: r%" PRIu64 ": message from n%" PRIu64 " refused: %s", r->range_id,
                      b->from_node, mice_status_str(rc));
    }
    kv_raft_batch_free(b);
}

static bool leads_in(store_range *r, uint64_t term)
{
    return r->r && raft_role_of(r->r) == RAFT_LEADER && raft_term(r->r) == term;
}

static void queue_proposal(store_range *r, store_cmd *c, uint64_t index)
{
    buf_deinit(&c->data); /* Raft holds its copy */
    buf_init(&c->data);
    c->index = index;
    c->next = NULL;
    if (r->proposals_tail)
        r->proposals_tail->next = c;
    else
        r->proposals = c;
    r->proposals_tail = c;
    store__count(r->s, ST_PROPOSALS, 1);
}

static void handle_propose(store *s, store_cmd *c)
{
    store_range *r = store__find(s, c->range_id);
    if (!r) return cmd_fail(c, MICE_NOTFOUND, "store: the range is gone");
    if (!leads_in(r, c->term))
        return cmd_fail(c, MICE_NOT_LEADER, "store: the lease changed before the proposal; retry");
    uint64_t index = 0;
    mice_status rc = raft_propose(r->r, buf_slice(&c->data), &index);
    if (rc == MICE_BUSY) return cmd_fail(c, MICE_NOT_LEADER, "store: the lease is moving; retry");
    if (rc) return cmd_fail(c, rc, "store: the proposal was refused");
    queue_proposal(r, c, index);
}

static void handle_conf_change(store *s, store_cmd *c)
{
    store_range *r = store__find(s, c->range_id);
    if (!r || r->removed) return cmd_fail(c, MICE_NOTFOUND, "store: the range is gone");
    if (!leads_in(r, c->term))
        return cmd_fail(c, MICE_NOT_LEADER, "store: the lease changed before the change; retry");
    if (r->desc.generation != c->generation)
        return cmd_fail(c, MICE_CONFLICT, "store: the range changed since the replica change "
                                          "was decided; retry");
    raft_status st;
    raft_get_status(r->r, &st);
    if (raft_conf_state_is_joint(&st.conf))
        return cmd_fail(c, MICE_BUSY, "store: the range is still leaving a joint configuration");
    c->cc.context = c->data.n ? c->data.p : NULL;
    c->cc.context_len = (uint32_t)c->data.n;
    uint64_t index = 0;
    mice_status rc = raft_propose_conf_change(r->r, &c->cc, &index);
    c->cc.context = NULL;
    if (rc == MICE_BUSY)
        return cmd_fail(c, MICE_BUSY, "store: another replica change or a lease transfer is "
                                      "in progress");
    if (rc) return cmd_fail(c, rc, "store: the replica change was refused");
    queue_proposal(r, c, index);
}

static void handle_read(store *s, store_cmd *c)
{
    store_range *r = store__find(s, c->range_id);
    if (!r) return cmd_fail(c, MICE_NOTFOUND, "store: the range is gone");
    if (!leads_in(r, c->term)) return cmd_fail(c, MICE_NOT_LEADER, "store: not the leader");
    uint8_t ctx[8];
    c->index = ++r->next_read_id;
    mice_store_be64(ctx, c->index);
    mice_status rc = raft_read_index(r->r, mice_slice_of(ctx, sizeof ctx));
    if (rc) return cmd_fail(c, rc, "store: ReadIndex refused");
    c->deadline_tick = s->ticks + READ_TIMEOUT_ELECTIONS * (uint64_t)s->cfg.election_ticks;
    c->next = r->reads;
    r->reads = c;
}

static size_t drain_inbox(store *s, size_t budget)
{
    size_t n = 0;
    mpsc_node *node;
    while (n < budget && (node = mpsc_pop(&s->msgq))) {
        step_batch(s, MPSC_CONTAINER(node, kv_raft_batch, node));
        n++;
    }
    while (n < budget && (node = mpsc_pop(&s->cmdq))) {
        store_cmd *c = MPSC_CONTAINER(node, store_cmd, node);
        if (s->failed)
            cmd_fail(c, MICE_IOERR, "store: a storage write failed; the store is stopped");
        else if (c->kind == STORE_CMD_PROPOSE)
            handle_propose(s, c);
        else if (c->kind == STORE_CMD_CONF_CHANGE)
            handle_conf_change(s, c);
        else
            handle_read(s, c);
        n++;
    }
    return n;
}

/* --- sending -------------------------------------------------------------------------------- */

static void send_msgs(store_range *r, raft_msg *msgs, size_t n)
{
    store *s = r->s;
    bool *sent = n ? mice_calloc(n, sizeof *sent) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (sent[i]) continue;
        uint64_t to = msgs[i].to;
        uint64_t peer = store__peer_node(r, to);
        kv_raft_batch *b = peer ? kv_raft_batch_create(r->range_id, s->cfg.node_id, peer) : NULL;
        for (size_t j = i; j < n; j++) {
            if (sent[j] || msgs[j].to != to) continue;
            sent[j] = true;
            if (!b) continue;
            if (msgs[j].type == RAFT_MSG_SNAP) store__count(s, ST_SNAPSHOTS_SENT, 1);
            kv_raft_batch_add(b, &msgs[j]);
        }
        if (b) s->cfg.transport.ops->send(s->cfg.transport.impl, b);
    }
    free(sent);
}

/* --- apply ---------------------------------------------------------------------------------- */

static const range_desc *staged_desc(const store_range *r)
{
    return r->desc_changed ? &r->pending_desc : &r->desc;
}

/* The descriptor this turn's batch will make true, copied on first change. */
static range_desc *desc_for_change(store_range *r)
{
    if (!r->desc_changed) {
        rangedesc_init(&r->pending_desc);
        rangedesc_copy(&r->pending_desc, &r->desc);
        r->desc_changed = true;
    }
    return &r->pending_desc;
}

static void apply_split(store_range *r, const raft_entry *e, engine_batch *b)
{
    store *s = r->s;
    mice_slice in = mice_slice_of(e->data + 1, e->len - 1);
    uint64_t new_id = 0, generation = 0;
    if (varint_get_u64(&in, &new_id) || varint_get_u64(&in, &generation)) {
        log_error("store: r%" PRIu64 ": malformed split at %" PRIu64, r->range_id, e->index);
        return;
    }
    mice_slice key = in;
    const range_desc *cur = staged_desc(r);
    bool inside = mice_slice_cmp(key, buf_slice(&cur->start)) > 0 &&
                  (cur->end.n == 0 || mice_slice_cmp(key, buf_slice(&cur->end)) < 0);
    store_range *existing = new_id ? store__find(s, new_id) : NULL;
    bool taken = new_id == 0 || (existing && rangedesc_is_initialized(&existing->desc));
    for (size_t i = 0; i < r->n_splits && !taken; i++)
        taken = r->splits[i].range_id == new_id;
    /* Both halves start from the descriptor's replicas: not while a joint config still
     * holds replicas the descriptor no longer names. */
    bool joint = raft_conf_state_is_joint(&r->staged_conf);
    if (generation != cur->generation || !inside || taken || joint) {
        /* Deterministic on every replica (taken aside): the range changed since. */
        log_warn("store: r%" PRIu64 ": split at %" PRIu64 " refused (generation %" PRIu64
                 ", now %" PRIu64 ")",
                 r->range_id, e->index, generation, cur->generation);
        return;
    }
    range_desc right;
    rangedesc_init(&right);
    rangedesc_copy(&right, cur);
    right.range_id = new_id;
    right.generation = cur->generation + 1;
    buf_reset(&right.start);
    buf_append_slice(&right.start, key);
    desc_for_change(r);
    r->pending_desc.generation++;
    buf_reset(&r->pending_desc.end);
    buf_append_slice(&r->pending_desc.end, key);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    raftlog_desc_key(&k, r->range_id);
    rangedesc_encode(&r->pending_desc, &v);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    raftlog_desc_key(&k, new_id);
    buf_reset(&v);
    rangedesc_encode(&right, &v);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    buf_deinit(&k);
    buf_deinit(&v);
    raft_conf_state cs;
    rangedesc_conf_state(&right, &cs);
    raft_hard_state hs = {
        .term = RAFTLOG_INIT_TERM, .vote = RAFT_NONE, .commit = RAFTLOG_INIT_INDEX};
    if (existing) {
        /* An uninitialised replica made for a message: keep its durable term and vote (it
         * may have voted); whatever it staged in this batch and its Ready are dropped. */
        raft_hard_state old;
        raftlog_hard_state(existing->log, &old);
        if (old.term >= hs.term) {
            hs.term = old.term;
            hs.vote = old.term == RAFTLOG_INIT_TERM ? RAFT_NONE : old.vote;
        }
        existing->reinit_pending = true;
    }
    raftlog_write_initial(b, new_id, &cs, &hs);
    r->splits = mice_realloc(r->splits, (r->n_splits + 1) * sizeof *r->splits);
    r->splits[r->n_splits++] = right; /* takes right's buffers */
}

/* The node of an added replica, from the change's context; 0 if it is not named. */
static uint64_t context_node(const raft_conf_change *cc, uint64_t replica_id)
{
    mice_slice in = mice_slice_of(cc->context, cc->context_len);
    uint64_t n = 0;
    if (in.n < 1 || in.p[0] != STORE_CC_CONTEXT_V1) return 0;
    in.p++;
    in.n--;
    if (varint_get_u64(&in, &n)) return 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t id = 0, node = 0;
        if (varint_get_u64(&in, &id) || varint_get_u64(&in, &node)) return 0;
        if (id == replica_id) return node;
    }
    return 0;
}

static void remember_departed(store_range *r, const range_replica *rep)
{
    if (r->n_departed == STORE_DEPARTED_MAX) {
        memmove(&r->departed[0], &r->departed[1], (STORE_DEPARTED_MAX - 1) * sizeof r->departed[0]);
        r->n_departed--;
    }
    r->departed[r->n_departed++] = *rep;
}

/* This replica is in the config staged so far (voter, outgoing voter or learner). */
static bool in_conf(const store_range *r)
{
    return raft_conf_state_has_voter(&r->staged_conf, r->replica_id) ||
           raft_conf_state_has_learner(&r->staged_conf, r->replica_id);
}

/* A replica change: Raft changes the group's config when it hands the entry out (ready.c);
 * the same entry changes the descriptor here, in the batch that applies it, so the two
 * agree on every replica. A change the library ignored (invalid against the config) is
 * ignored here the same way: both start from the config as of the applied index. */
static void apply_conf_change(store_range *r, const raft_entry *e, engine_batch *b)
{
    store *s = r->s;
    raft_conf_change cc;
    raft_conf_state next;
    if (raft_conf_change_decode(e->data, e->len, &cc) ||
        raft_conf_change_apply(&r->staged_conf, &cc, &next))
        return;
    r->staged_conf = next;
    if (cc.leave_joint) {
        /* The descriptor already names the outcome; an outgoing voter removed from it is
         * now out of the config as well. */
        if (!rangedesc_replica_by_id(staged_desc(r), r->replica_id) && !in_conf(r))
            r->remove_pending = true;
        return;
    }
    range_desc *d = desc_for_change(r);
    for (uint32_t i = 0; i < cc.n_changes; i++) {
        const raft_cc_item *it = &cc.changes[i];
        if (it->op == RAFT_CC_REMOVE_NODE) {
            const range_replica *gone = rangedesc_replica_by_id(d, it->node_id);
            if (gone) remember_departed(r, gone);
            rangedesc_remove_replica(d, it->node_id);
            continue;
        }
        range_replica_type type =
            it->op == RAFT_CC_ADD_VOTER ? RANGE_REPLICA_VOTER : RANGE_REPLICA_LEARNER;
        range_replica *rep = (range_replica *)rangedesc_replica_by_id(d, it->node_id);
        uint64_t node = rep ? rep->node_id : context_node(&cc, it->node_id);
        if (!rep && (node == 0 || rangedesc_replica_on(d, node) ||
                     d->n_replicas == RANGEDESC_REPLICAS_MAX)) {
            /* Only this store proposes changes, always naming new replicas' nodes. */
            log_error("store: r%" PRIu64 ": change at %" PRIu64 " adds replica %" PRIu64
                      " without a usable node",
                      r->range_id, e->index, it->node_id);
            continue;
        }
        if (!rep) {
            rep = &d->replicas[d->n_replicas++];
            *rep = (range_replica){.node_id = node, .replica_id = it->node_id};
        }
        rep->type = type;
    }
    d->next_replica_id = rangedesc_next_replica_id(d);
    d->generation++;
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    raftlog_desc_key(&k, r->range_id);
    rangedesc_encode(d, &v);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    buf_deinit(&k);
    buf_deinit(&v);
    store__count(s, ST_REPLICA_CHANGES, 1);
    /* A removed voter stays while the joint config needs it (its outgoing quorum may need
     * this replica's acknowledgement of the leave entry): until it applies the leave, or
     * no leader talks to it any more (store__tick). */
    if (!rangedesc_replica_by_id(d, r->replica_id) && !in_conf(r)) r->remove_pending = true;
    mice_buf desc;
    buf_init(&desc);
    rangedesc_describe(d, &desc);
    log_info("store: n%" PRIu64 ": replica change at %" PRIu64 " -> %.*s", s->cfg.node_id,
             e->index, (int)desc.n, (const char *)desc.p);
    buf_deinit(&desc);
}

/* This replica learnt it was removed: its data, Raft state and descriptor go in the batch
 * that applies the change, and a tombstone keeps late messages from bringing it back. */
static void stage_removal(store_range *r, engine_batch *b)
{
    r->tombstone = store__stage_removal(b, staged_desc(r));
}

static void apply_entry(store_range *r, const raft_entry *e, engine_batch *b)
{
    if (e->type == RAFT_ENTRY_CONF_CHANGE) return apply_conf_change(r, e, b);
    if (e->type != RAFT_ENTRY_NORMAL || e->len == 0) return; /* no-ops */
    mice_err err;
    switch (e->data[0]) {
    case STORE_ENTRY_WRITE:
        if (engine_batch_add_data(b, mice_slice_of(e->data + 1, e->len - 1), &err))
            log_error("store: r%" PRIu64 ": entry %" PRIu64 " skipped: %s", r->range_id, e->index,
                      mice_err_msg(&err));
        break;
    case STORE_ENTRY_SPLIT:
        apply_split(r, e, b);
        break;
    default:
        log_error("store: r%" PRIu64 ": entry %" PRIu64 " of unknown kind %u skipped", r->range_id,
                  e->index, e->data[0]);
    }
}

static void maybe_truncate(store_range *r, engine_batch *b, uint64_t applied)
{
    store *s = r->s;
    uint64_t keep = s->cfg.log_keep_entries;
    uint64_t truncated = raftlog_truncated_index(r->log);
    if (applied <= truncated + keep + s->cfg.log_truncate_slack) return;
    if (raftlog_stage_truncate(r->log, b, applied - keep) == MICE_OK)
        store__count(s, ST_LOG_TRUNCATIONS, 1);
}

typedef enum stage_result {
    STAGED,
    STAGE_RESTART, /* the group must restart from its durable state */
    STAGE_FATAL,   /* the store's durable state is in doubt */
} stage_result;

/* Stage one group's Ready into b. */
static stage_result stage_range(store_range *r, engine_batch *b, bool *sync, mice_err *err)
{
    store *s = r->s;
    raft_ready *rd = &r->rd;
    if (rd->has_snapshot) {
        range_desc nd;
        rangedesc_init(&nd);
        mice_status rc = store__snapshot_install(r, &rd->snapshot, b, &nd, err);
        if (rc) {
            /* MICE_BUSY: a local range still overlaps; normal until this node catches up. */
            if (rc == MICE_BUSY)
                log_warn("store: r%" PRIu64 ": snapshot at %" PRIu64 " deferred: %s", r->range_id,
                         rd->snapshot.meta.index, mice_err_msg(err));
            else
                log_error("store: r%" PRIu64 ": snapshot at %" PRIu64 " not installed: %s",
                          r->range_id, rd->snapshot.meta.index, mice_err_msg(err));
            rangedesc_deinit(&nd);
            return s->failed ? STAGE_FATAL : STAGE_RESTART;
        }
        if (!r->desc_changed) rangedesc_init(&r->pending_desc);
        rangedesc_copy(&r->pending_desc, &nd);
        rangedesc_deinit(&nd);
        r->desc_changed = true;
        store__count(s, ST_SNAPSHOTS_INSTALLED, 1);
    }
    mice_status rc = raftlog_stage_append(r->log, b, rd->entries, rd->n_entries);
    mice_assert(rc == MICE_OK); /* Raft hands out contiguous entries after what it persisted */
    if (rd->hard_state_changed) raftlog_stage_hard_state(r->log, b, &rd->hard_state);
    raftlog_conf_state(r->log, &r->staged_conf);
    for (size_t i = 0; i < rd->n_committed_entries; i++)
        apply_entry(r, &rd->committed_entries[i], b);
    if (rd->n_committed_entries) {
        uint64_t applied = rd->committed_entries[rd->n_committed_entries - 1].index;
        raftlog_stage_applied(r->log, b, applied);
        store__count(s, ST_ENTRIES_APPLIED, rd->n_committed_entries);
        if (!rd->has_snapshot) maybe_truncate(r, b, applied);
    }
    if (rd->conf_state_changed) raftlog_stage_conf_state(r->log, b, &rd->conf_state);
    if (r->remove_pending) stage_removal(r, b);
    *sync = *sync || rd->must_sync || rd->has_snapshot || r->remove_pending;
    return STAGED;
}

/* --- finishing a Ready ---------------------------------------------------------------------- */

static void resolve_proposals(store_range *r)
{
    const raft_ready *rd = &r->rd;
    uint64_t applied = raftlog_applied(r->log);
    uint64_t first = rd->n_committed_entries ? rd->committed_entries[0].index : UINT64_MAX;
    while (r->proposals && r->proposals->index <= applied) {
        store_cmd *c = r->proposals;
        r->proposals = c->next;
        if (!r->proposals) r->proposals_tail = NULL;
        if (c->index >= first) {
            const raft_entry *e = &rd->committed_entries[c->index - first];
            if (e->term == c->term) {
                future_complete(c->fut, NULL, NULL);
                store__cmd_free(c);
            } else {
                cmd_fail(c, MICE_NOT_LEADER, "store: the proposal lost to a leader change; retry");
            }
        } else {
            cmd_fail(c, MICE_TIMEOUT,
                     "store: a snapshot replaced the proposal's entry; "
                     "its outcome is unknown");
        }
    }
}

static void resolve_reads(store_range *r)
{
    store *s = r->s;
    if (!r->log) return; /* removed: its reads failed with it */
    uint64_t applied = raftlog_applied(r->log);
    store_cmd **pp = &r->reads;
    while (*pp) {
        store_cmd *c = *pp;
        bool lost = !leads_in(r, c->term);
        bool expired = s->ticks >= c->deadline_tick;
        bool done = c->read_index && applied >= c->read_index;
        if (!lost && !done && !expired) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        if (lost) {
            cmd_fail(c, MICE_NOT_LEADER, "store: leadership changed during a ReadIndex; retry");
        } else if (done) {
            prepare_serving(r, c->term);
            cmd_complete_term(c, c->term);
        } else {
            cmd_fail(c, MICE_NOT_LEADER, "store: ReadIndex not confirmed in time; retry");
        }
    }
}

static void note_read_states(store_range *r)
{
    const raft_ready *rd = &r->rd;
    for (size_t i = 0; i < rd->n_read_states; i++) {
        const raft_read_state *rs = &rd->read_states[i];
        if (rs->context_len != 8) continue;
        uint64_t id = mice_load_be64(rs->context);
        for (store_cmd *c = r->reads; c; c = c->next)
            if (c->index == id) c->read_index = rs->index;
    }
}

/* Descriptor changes (split, snapshot) and the ranges a split created. */
static void publish_descs(store_range *r)
{
    store *s = r->s;
    if (r->desc_changed) {
        pthread_rwlock_wrlock(&s->ranges_mu);
        rangedesc_copy(&r->desc, &r->pending_desc);
        pthread_rwlock_unlock(&s->ranges_mu);
        rangedesc_deinit(&r->pending_desc);
        r->desc_changed = false;
        kv_replica_set_span(r->kv, buf_slice(&r->desc.start), buf_slice(&r->desc.end));
        /* A cached snapshot carries the old descriptor: a new replica would refuse it. */
        raft_snapshot_deinit(&r->snap_cache);
        memset(&r->snap_cache, 0, sizeof r->snap_cache);
    }
    for (size_t i = 0; i < r->n_splits; i++) {
        mice_err err;
        store_range *existing = store__find(s, r->splits[i].range_id);
        mice_status rc = existing ? store__reinit_range(existing, &r->splits[i], &err)
                                  : store__add_range(s, &r->splits[i], &err);
        if (rc == MICE_OK) {
            store_range *right = store__find(s, r->splits[i].range_id);
            kv_replica_forward_read_ts(right->kv, kv_replica_read_ts_max(r->kv));
            /* Transactions that wrote through the left range are live on the right one
             * too, and waiters on keys that moved must go there: they re-evaluate, find
             * their key outside this range and are routed again. */
            locktable_copy_live(kv_replica_locktable(right->kv), kv_replica_locktable(r->kv));
            locktable_kick_all(kv_replica_locktable(r->kv));
            mice_buf d;
            buf_init(&d);
            rangedesc_describe(&right->desc, &d);
            log_info("store: n%" PRIu64 ": split r%" PRIu64 " -> %.*s", s->cfg.node_id, r->range_id,
                     (int)d.n, (const char *)d.p);
            buf_deinit(&d);
        } else {
            log_error("store: r%" PRIu64 ": right-hand range not created: %s", r->range_id,
                      mice_err_msg(&err));
        }
        rangedesc_deinit(&r->splits[i]);
    }
    free(r->splits);
    r->splits = NULL;
    r->n_splits = 0;
}

/* The batch that removed this replica committed: drop its group; the range stays in the
 * table (workers may hold its kv_replica) without a span until the node is added again. */
static void finish_removal(store_range *r)
{
    store *s = r->s;
    if (r->in_ready) {
        resolve_proposals(r);
        raft_ready_discard(&r->rd);
        r->in_ready = false;
    }
    store__fail_waiters(r, MICE_NOT_LEADER, "store: the replica was removed from the range");
    raft_destroy(r->r);
    r->r = NULL;
    raftlog_destroy(r->log);
    r->log = NULL;
    raft_snapshot_deinit(&r->snap_cache);
    memset(&r->snap_cache, 0, sizeof r->snap_cache);
    if (r->desc_changed) rangedesc_deinit(&r->pending_desc);
    r->desc_changed = false;
    r->remove_pending = false;
    pthread_rwlock_wrlock(&s->ranges_mu);
    r->desc.generation = 0; /* no span: routing skips it */
    r->desc.n_replicas = 1;
    r->desc.replicas[0] = (range_replica){.node_id = s->cfg.node_id, .replica_id = r->replica_id};
    r->desc.next_replica_id = 0;
    r->removed = true;
    pthread_rwlock_unlock(&s->ranges_mu);
    store__publish_lease(r);
    store__count(s, ST_REPLICAS_REMOVED, 1);
    log_info("store: n%" PRIu64 ": replica %" PRIu64 " of r%" PRIu64 " removed, its data cleared",
             s->cfg.node_id, r->replica_id, r->range_id);
}

static void finish_range(store_range *r)
{
    store *s = r->s;
    if (!r->in_ready) return; /* replaced by a split in this turn (store__reinit_range) */
    raftlog_commit_staged(r->log);
    if (r->remove_pending) {
        publish_descs(r); /* a split applied before the removal made its right-hand range */
        return finish_removal(r);
    }
    if (r->rd.has_snapshot) store__snapshot_cleanup(r);
    publish_descs(r);
    send_msgs(r, r->rd.msgs_after_persist, r->rd.n_msgs_after_persist);
    note_read_states(r);
    resolve_proposals(r);
    raft_advance(r->r, &r->rd);
    r->in_ready = false;
    resolve_reads(r);
    store__publish_lease(r);
    (void)s;
}

/* A failed write leaves the groups' durable state unknown: stop making progress. */
static void fail_store(store *s, store_range **ready, size_t n, const mice_err *err)
{
    log_error("store: n%" PRIu64 ": writing a Raft batch failed, the store stops: %s",
              s->cfg.node_id, mice_err_msg(err));
    s->failed = true;
    for (size_t i = 0; i < n; i++) {
        raftlog_abort_staged(ready[i]->log);
        raft_ready_discard(&ready[i]->rd);
        ready[i]->in_ready = false;
    }
    for (size_t i = 0; i < s->n_ranges; i++) {
        store__fail_waiters(s->ranges[i], MICE_IOERR, "store: a storage write failed");
        store__publish_lease(s->ranges[i]);
    }
}

/* Restart a group from its durable state, dropping its outstanding Ready (the driver
 * contract's crash path). Used when a received snapshot cannot be installed. */
static void restart_group(store_range *r)
{
    raft_ready_discard(&r->rd);
    r->in_ready = false;
    raftlog_abort_staged(r->log);
    raft_destroy(r->r);
    r->r = NULL;
    store__fail_waiters(r, MICE_NOT_LEADER, "store: the range restarted; retry");
    mice_err err;
    if (store__raft_create(r, &err) != MICE_OK) {
        log_error("store: r%" PRIu64 ": restart failed: %s", r->range_id, mice_err_msg(&err));
        fail_store(r->s, NULL, 0, &err);
    }
}

static bool handle_readys(store *s)
{
    store_range **ready = mice_malloc((s->n_ranges ? s->n_ranges : 1) * sizeof *ready);
    bool more = false;
    for (int round = 0; round < READY_ROUNDS_MAX && !s->failed; round++) {
        size_t n = 0;
        bool sync = false;
        engine_batch *b = engine_batch_create(s->e);
        size_t n_ranges = s->n_ranges;
        mice_err err;
        stage_result sr = STAGED;
        for (size_t i = 0; i < n_ranges && sr != STAGE_FATAL; i++) {
            store_range *r = s->ranges[i];
            if (!r->r || r->reinit_pending || !raft_has_ready(r->r)) continue;
            raft_ready_get(r->r, &r->rd);
            r->in_ready = true;
            send_msgs(r, r->rd.msgs, r->rd.n_msgs);
            sr = stage_range(r, b, &sync, &err);
            if (sr == STAGE_RESTART) {
                restart_group(r);
                continue;
            }
            ready[n++] = r;
        }
        if (sr == STAGE_FATAL) {
            engine_batch_destroy(b);
            fail_store(s, ready, n, &err);
            break;
        }
        if (n == 0) {
            engine_batch_destroy(b);
            break;
        }
        mice_status rc = MICE_OK;
        if (engine_batch_count(b) > 0) {
            rc = engine_batch_commit(b, sync ? ENGINE_SYNC : ENGINE_NOSYNC, &err);
            store__count(s, sync ? ST_BATCHES_SYNCED : ST_BATCHES_UNSYNCED, 1);
        } else {
            engine_batch_destroy(b);
        }
        if (rc) {
            fail_store(s, ready, n, &err);
            break;
        }
        store__count(s, ST_TURNS, 1);
        for (size_t i = 0; i < n; i++)
            finish_range(ready[i]);
        if (s->n_ranges > n_ranges) ready = mice_realloc(ready, s->n_ranges * sizeof *ready);
    }
    for (size_t i = 0; i < s->n_ranges && !more && !s->failed; i++)
        more = s->ranges[i]->r && raft_has_ready(s->ranges[i]->r);
    free(ready);
    return more;
}

/* --- the loop's entry points ---------------------------------------------------------------- */

void store__turn(void *ctx)
{
    store *s = ctx;
    atomic_store(&s->turn_posted, false);
    size_t n = drain_inbox(s, STORE_TURN_ITEMS_MAX);
    bool more = s->failed ? false : handle_readys(s);
    if (more || n == STORE_TURN_ITEMS_MAX) store__schedule_turn(s);
}

/* Removed from the descriptor but kept for the joint config, and no leader talks to it
 * any more (the leave was applied without it hearing, or the range moved on): nothing
 * needs it. Its removal gets a batch of its own. A leader stays: it steps down when it
 * applies the leave, then goes this way. */
static void maybe_remove_orphan(store_range *r)
{
    store *s = r->s;
    if (!r->r || r->in_ready || r->remove_pending || !rangedesc_is_initialized(&r->desc) ||
        rangedesc_replica_by_id(&r->desc, r->replica_id))
        return;
    raft_role role = raft_role_of(r->r);
    if (role == RAFT_LEADER) return;
    /* Learners never campaign, so silence is the sign for them. */
    bool silent = s->ticks - r->leader_heard_tick > ORPHAN_SILENCE_ELECTIONS *
                                                        (uint64_t)s->cfg.election_ticks;
    if (role == RAFT_FOLLOWER && raft_leader(r->r) != RAFT_NONE && !silent) return;
    engine_batch *b = engine_batch_create(s->e);
    stage_removal(r, b);
    mice_err err;
    if (engine_batch_commit(b, ENGINE_SYNC, &err) != MICE_OK) {
        log_warn("store: r%" PRIu64 ": removing the replica failed: %s", r->range_id,
                 mice_err_msg(&err));
        return;
    }
    r->remove_pending = true;
    finish_removal(r);
}

void store__tick(ioloop_timer *t, void *ctx)
{
    (void)t;
    store *s = ctx;
    if (s->failed) return;
    s->ticks++;
    s->tick_ns[s->ticks % STORE_TICK_RING] = env_mono_ns(s->cfg.env);
    uint64_t cache_ticks = SNAP_CACHE_ELECTIONS * (uint64_t)s->cfg.election_ticks;
    for (size_t i = 0; i < s->n_ranges; i++) {
        store_range *r = s->ranges[i];
        if (r->r) raft_tick(r->r);
        maybe_remove_orphan(r);
        if (r->snap_cache.meta.index && s->ticks - r->snap_cache_tick > cache_ticks) {
            raft_snapshot_deinit(&r->snap_cache);
            memset(&r->snap_cache, 0, sizeof r->snap_cache);
        }
    }
    if (handle_readys(s)) store__schedule_turn(s);
    for (size_t i = 0; i < s->n_ranges; i++) {
        resolve_reads(s->ranges[i]);
        store__publish_lease(s->ranges[i]);
    }
}
