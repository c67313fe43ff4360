/* A node's store: lifecycle, the range table and routing, and the worker side of the
 * replicated proposer (see store.h; the raft thread is store_loop.c, snapshots
 * store_snap.c). */
#include "kv/store_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/log.h"
#include "base/varint.h"
#include "storage/mvcc.h"

/* Bootstrap writes the range directory at this timestamp: identical on every node, and
 * below every timestamp a clock hands out. */
static const hlc_ts bootstrap_ts = {.wall_ns = 1, .logical = 0};

void store_config_init(store_config *cfg, uint64_t node_id, engine *e, hlc *clock,
                       kv_transport transport)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->node_id = node_id;
    cfg->engine = e;
    cfg->clock = clock;
    cfg->env = mice_env_real();
    cfg->transport = transport;
    cfg->tick_ms = STORE_TICK_MS_DEFAULT;
    cfg->election_ticks = STORE_ELECTION_TICKS_DEFAULT;
    cfg->heartbeat_ticks = STORE_HEARTBEAT_TICKS_DEFAULT;
    cfg->log_keep_entries = STORE_LOG_KEEP_ENTRIES_DEFAULT;
    cfg->log_truncate_slack = STORE_LOG_TRUNCATE_SLACK_DEFAULT;
    cfg->proposal_timeout_ms = STORE_PROPOSAL_TIMEOUT_MS_DEFAULT;
    cfg->catchup_timeout_ms = STORE_CATCHUP_TIMEOUT_MS_DEFAULT;
    cfg->lock_timeout_ms = KV_LOCK_TIMEOUT_MS_DEFAULT;
    cfg->txn_ttl_ms = KV_TXN_TTL_MS_DEFAULT;
}

uint64_t store_node_id(const store *s)
{
    return s->cfg.node_id;
}

/* --- bootstrap ------------------------------------------------------------------------------ */

static mice_status has_ranges(engine *e, bool *any, mice_err *err)
{
    uint8_t lo = RAFTLOG_KEY_DESC, hi = RAFTLOG_KEY_DESC + 1;
    engine_iter_opts o = {
        .cf = STORE_CF_RAFT, .lower = mice_slice_of(&lo, 1), .upper = mice_slice_of(&hi, 1)};
    engine_iter *it = NULL;
    mice_status rc = engine_iter_create(e, &o, &it, err);
    if (rc) return rc;
    engine_iter_first(it);
    *any = engine_iter_valid(it);
    if (!*any) rc = engine_iter_status(it, err);
    engine_iter_destroy(it);
    return rc;
}

static mice_status check_layout(const range_desc *descs, size_t n, mice_err *err)
{
    bool has_dir = false;
    mice_buf dir_lo, dir_hi;
    buf_init(&dir_lo);
    buf_init(&dir_hi);
    rangedesc_dir_span(&dir_lo, &dir_hi);
    mice_status rc = MICE_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (descs[i].n_replicas == 0 || descs[i].range_id == 0)
            rc = mice_err_setf(err, MICE_INVALID, "store: bootstrap: range without replicas");
        for (size_t j = 0; j < i && !rc; j++)
            if (descs[j].range_id == descs[i].range_id ||
                rangedesc_overlaps(&descs[j], buf_slice(&descs[i].start), buf_slice(&descs[i].end)))
                rc = mice_err_setf(err, MICE_INVALID, "store: bootstrap: ranges overlap");
        if (descs[i].range_id == RANGEDESC_SYSTEM_RANGE_ID)
            has_dir = rangedesc_contains(&descs[i], buf_slice(&dir_lo));
    }
    if (!rc && !has_dir)
        rc = mice_err_setf(err, MICE_INVALID, "store: bootstrap: range 1 must hold /sys/range");
    buf_deinit(&dir_lo);
    buf_deinit(&dir_hi);
    return rc;
}

mice_status store_bootstrap(engine *e, const range_desc *descs, size_t n_descs, mice_err *err)
{
    bool any = false;
    mice_status rc = has_ranges(e, &any, err);
    if (rc) return rc;
    if (any) return mice_err_setf(err, MICE_EXISTS, "store: already bootstrapped");
    rc = check_layout(descs, n_descs, err);
    if (rc) return rc;
    engine_batch *b = engine_batch_create(e);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    for (size_t i = 0; i < n_descs && !rc; i++) {
        const range_desc *d = &descs[i];
        raftlog_desc_key(&k, d->range_id);
        buf_reset(&v);
        rangedesc_encode(d, &v);
        engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
        raft_conf_state cs;
        rangedesc_conf_state(d, &cs);
        raftlog_write_initial(b, d->range_id, &cs, NULL);
        buf_reset(&k);
        rangedesc_dir_key(&k, buf_slice(&d->start));
        rc = mvcc_put(b, buf_slice(&k), bootstrap_ts, buf_slice(&v));
    }
    buf_deinit(&k);
    buf_deinit(&v);
    if (rc) {
        engine_batch_destroy(b);
        return mice_err_setf(err, rc, "store: bootstrap: directory write refused");
    }
    return engine_batch_commit(b, ENGINE_SYNC, err);
}

/* --- the range table ------------------------------------------------------------------------ */

store_range *store__find(store *s, uint64_t range_id)
{
    size_t lo = 0, hi = s->n_ranges;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->ranges[mid]->range_id < range_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_ranges && s->ranges[lo]->range_id == range_id ? s->ranges[lo] : NULL;
}

static void table_insert(store *s, store_range *r)
{
    pthread_rwlock_wrlock(&s->ranges_mu);
    if (s->n_ranges == s->cap_ranges) {
        s->cap_ranges = s->cap_ranges ? 2 * s->cap_ranges : 8;
        s->ranges = mice_realloc(s->ranges, s->cap_ranges * sizeof *s->ranges);
    }
    size_t i = s->n_ranges;
    while (i > 0 && s->ranges[i - 1]->range_id > r->range_id) {
        s->ranges[i] = s->ranges[i - 1];
        i--;
    }
    s->ranges[i] = r;
    s->n_ranges++;
    pthread_rwlock_unlock(&s->ranges_mu);
}

/* The range whose descriptor holds key; caller holds ranges_mu. */
static store_range *find_by_key_locked(store *s, mice_slice key)
{
    for (size_t i = 0; i < s->n_ranges; i++)
        if (rangedesc_contains(&s->ranges[i]->desc, key)) return s->ranges[i];
    return NULL;
}

static mice_status store_acquire(void *ctx, uint64_t *lease, mice_err *err);
static mice_status store_propose(void *ctx, uint64_t lease, engine_batch *effects, bool sync,
                                 mice_err *err);

static void range_free(store_range *r)
{
    if (r->in_ready) raft_ready_discard(&r->rd);
    raft_destroy(r->r);
    raftlog_destroy(r->log);
    kv_replica_destroy(r->kv);
    rangedesc_deinit(&r->desc);
    if (r->desc_changed) rangedesc_deinit(&r->pending_desc);
    for (size_t i = 0; i < r->n_splits; i++)
        rangedesc_deinit(&r->splits[i]);
    free(r->splits);
    raft_snapshot_deinit(&r->snap_cache);
    for (int i = 0; i < 2; i++)
        buf_deinit(&r->snap_files[i]);
    pthread_mutex_destroy(&r->lease_mu);
    free(r);
}

mice_status store__raft_create(store_range *r, mice_err *err)
{
    store *s = r->s;
    raft_config c;
    raft_config_default(&c, r->replica_id, raftlog_storage(r->log));
    c.election_ticks = s->cfg.election_ticks;
    c.heartbeat_ticks = s->cfg.heartbeat_ticks;
    c.max_clock_drift_ticks = STORE_CLOCK_DRIFT_TICKS;
    c.lease_ticks = s->cfg.election_ticks - STORE_CLOCK_DRIFT_TICKS;
    /* A proposal was evaluated against this leader's state: a forwarded one could apply
     * after writes it never saw. */
    c.disable_proposal_forwarding = true;
    c.max_uncommitted_bytes = STORE_MAX_UNCOMMITTED_BYTES;
    c.seed = prng_next(&s->prng);
    c.applied = raftlog_applied(r->log);
    mice_status rc = raft_create(&c, &r->r);
    if (rc) return mice_err_setf(err, rc, "store: r%" PRIu64 ": raft_create failed", r->range_id);
    r->tick_base = s->ticks;
    r->created_ns = env_mono_ns(s->cfg.env);
    return MICE_OK;
}

mice_status store__add_range(store *s, const range_desc *desc, mice_err *err)
{
    const range_replica *me = rangedesc_replica_on(desc, s->cfg.node_id);
    if (!me)
        return mice_err_setf(err, MICE_INVALID, "store: r%" PRIu64 " has no replica here",
                             desc->range_id);
    if (s->n_ranges >= STORE_RANGES_MAX)
        return mice_err_setf(err, MICE_LIMIT, "store: more than %d ranges", STORE_RANGES_MAX);
    store_range *r = mice_calloc(1, sizeof *r);
    r->s = s;
    r->range_id = desc->range_id;
    r->replica_id = me->replica_id;
    rangedesc_init(&r->desc);
    rangedesc_copy(&r->desc, desc);
    for (int i = 0; i < 2; i++)
        buf_init(&r->snap_files[i]);
    pthread_mutex_init(&r->lease_mu, NULL);
    mice_status rc = raftlog_open(s->e, desc->range_id, &r->log, err);
    if (rc) {
        range_free(r);
        return rc;
    }
    raftlog_set_snapshot_fn(r->log, store__snapshot_build, r);
    rc = store__raft_create(r, err);
    if (rc) {
        range_free(r);
        return rc;
    }
    kv_replica_config kc;
    kv_replica_config_init(&kc);
    kc.start = buf_slice(&desc->start);
    kc.end = buf_slice(&desc->end);
    kc.lock_timeout_ms = s->cfg.lock_timeout_ms;
    kc.txn_ttl_ms = s->cfg.txn_ttl_ms;
    kc.ts_guard = s->cfg.ts_guard;
    kc.proposer = (kv_proposer){
        .propose = store_propose, .ctx = r, .acquire = store_acquire, .logged_effects = true};
    r->kv = kv_replica_create(s->e, s->cfg.clock, s->cfg.env, &kc);
    table_insert(s, r);
    return MICE_OK;
}

mice_status store__add_uninitialized(store *s, uint64_t range_id, uint64_t replica_id,
                                     mice_err *err)
{
    range_desc d;
    rangedesc_init(&d);
    d.range_id = range_id;
    d.generation = 0;
    d.replicas[0] = (range_replica){.node_id = s->cfg.node_id, .replica_id = replica_id};
    d.n_replicas = 1;
    engine_batch *b = engine_batch_create(s->e);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    raftlog_desc_key(&k, range_id);
    rangedesc_encode(&d, &v);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    raftlog_write_empty(b, range_id);
    buf_deinit(&k);
    buf_deinit(&v);
    /* Unsynced: lost in a crash, it is made again by the leader's next message. */
    mice_status rc = engine_batch_commit(b, ENGINE_NOSYNC, err);
    if (!rc) rc = store__add_range(s, &d, err);
    rangedesc_deinit(&d);
    return rc;
}

uint64_t store__peer_node(const store_range *r, uint64_t replica_id)
{
    const range_replica *rep = rangedesc_replica_by_id(&r->desc, replica_id);
    if (rep) return rep->node_id;
    for (uint32_t i = 0; i < r->n_departed; i++)
        if (r->departed[i].replica_id == replica_id) return r->departed[i].node_id;
    return 0;
}

uint64_t store__stage_removal(engine_batch *b, const range_desc *d)
{
    store_span spans[STORE_SPANS];
    store__range_spans(d, spans);
    for (int i = 0; i < STORE_SPANS; i++)
        engine_batch_delete_range(b, spans[i].cf, buf_slice(&spans[i].lower),
                                  buf_slice(&spans[i].upper));
    store__spans_deinit(spans);
    mice_buf lo, hi;
    buf_init(&lo);
    buf_init(&hi);
    raftlog_range_span(d->range_id, &lo, &hi);
    engine_batch_delete_range(b, STORE_CF_RAFT, buf_slice(&lo), buf_slice(&hi));
    raftlog_desc_key(&lo, d->range_id);
    engine_batch_delete(b, STORE_CF_RAFT, buf_slice(&lo));
    raftlog_tombstone_key(&lo, d->range_id);
    buf_reset(&hi);
    uint64_t tombstone = rangedesc_next_replica_id(d);
    varint_put_u64(&hi, tombstone);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&lo), buf_slice(&hi));
    buf_deinit(&lo);
    buf_deinit(&hi);
    return tombstone;
}

mice_status store__tombstone(store *s, uint64_t range_id, uint64_t *out, mice_err *err)
{
    *out = 0;
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    raftlog_tombstone_key(&k, range_id);
    bool found = false;
    mice_status rc = engine_get(s->e, STORE_CF_RAFT, NULL, buf_slice(&k), &v, &found, err);
    if (!rc && found) {
        mice_slice in = buf_slice(&v);
        if (varint_get_u64(&in, out) || in.n)
            rc = mice_err_setf(err, MICE_CORRUPT, "store: malformed tombstone of r%" PRIu64,
                               range_id);
    }
    buf_deinit(&k);
    buf_deinit(&v);
    return rc;
}

mice_status store__revive(store_range *r, uint64_t replica_id, mice_err *err)
{
    store *s = r->s;
    mice_assert(r->removed);
    mice_assert(!r->r);
    range_desc d;
    rangedesc_init(&d);
    d.range_id = r->range_id;
    d.replicas[0] = (range_replica){.node_id = s->cfg.node_id, .replica_id = replica_id};
    d.n_replicas = 1;
    engine_batch *b = engine_batch_create(s->e);
    mice_buf k, v;
    buf_init(&k);
    buf_init(&v);
    raftlog_desc_key(&k, r->range_id);
    rangedesc_encode(&d, &v);
    engine_batch_put(b, STORE_CF_RAFT, buf_slice(&k), buf_slice(&v));
    raftlog_write_empty(b, r->range_id);
    buf_deinit(&k);
    buf_deinit(&v);
    mice_status rc = engine_batch_commit(b, ENGINE_NOSYNC, err);
    if (!rc) rc = raftlog_open(s->e, r->range_id, &r->log, err);
    if (!rc) {
        raftlog_set_snapshot_fn(r->log, store__snapshot_build, r);
        r->replica_id = replica_id;
        rc = store__raft_create(r, err);
    }
    if (!rc) {
        pthread_rwlock_wrlock(&s->ranges_mu);
        rangedesc_copy(&r->desc, &d);
        r->removed = false;
        pthread_rwlock_unlock(&s->ranges_mu);
        log_info("store: n%" PRIu64 ": r%" PRIu64 " added here again as replica %" PRIu64,
                 s->cfg.node_id, r->range_id, replica_id);
    } else {
        raftlog_destroy(r->log);
        r->log = NULL;
    }
    rangedesc_deinit(&d);
    return rc;
}

mice_status store__reinit_range(store_range *r, const range_desc *desc, mice_err *err)
{
    store *s = r->s;
    if (r->in_ready) {
        raft_ready_discard(&r->rd);
        r->in_ready = false;
    }
    raft_destroy(r->r);
    r->r = NULL;
    raftlog_destroy(r->log);
    r->log = NULL;
    r->reinit_pending = false;
    mice_status rc = raftlog_open(s->e, r->range_id, &r->log, err);
    if (rc) return rc;
    raftlog_set_snapshot_fn(r->log, store__snapshot_build, r);
    rc = store__raft_create(r, err);
    if (rc) return rc;
    pthread_rwlock_wrlock(&s->ranges_mu);
    rangedesc_copy(&r->desc, desc);
    pthread_rwlock_unlock(&s->ranges_mu);
    kv_replica_set_span(r->kv, buf_slice(&desc->start), buf_slice(&desc->end));
    return MICE_OK;
}

/* --- waking the raft thread ----------------------------------------------------------------- */

void store__schedule_turn(store *s)
{
    if (atomic_exchange(&s->turn_posted, true)) return;
    if (ioloop_post(s->loop, store__turn, s) != MICE_OK) atomic_store(&s->turn_posted, false);
}

static void wake_raft_thread(void *ctx)
{
    store__schedule_turn(ctx);
}

/* Push a command for the raft thread; false once the store stopped (cmd not taken). */
static bool push_cmd(store *s, store_cmd *c)
{
    atomic_fetch_add(&s->pushers, 1);
    if (atomic_load(&s->stopped)) {
        atomic_fetch_sub(&s->pushers, 1);
        return false;
    }
    mpsc_push(&s->cmdq, &c->node);
    atomic_fetch_sub(&s->pushers, 1);
    return true;
}

static void on_recv(void *ctx, kv_raft_batch *b)
{
    store *s = ctx;
    mpsc_push(&s->msgq, &b->node);
}

/* --- the worker side of the proposer -------------------------------------------------------- */

static store_cmd *cmd_create(store_cmd_kind kind, uint64_t range_id, uint64_t term)
{
    store_cmd *c = mice_calloc(1, sizeof *c);
    c->kind = kind;
    c->range_id = range_id;
    c->term = term;
    buf_init(&c->data);
    c->fut = future_create();
    return c;
}

void store__cmd_free(store_cmd *c)
{
    buf_deinit(&c->data);
    free(c);
}

/* Hand c to the raft thread and wait for its future. *value gets the value (may be NULL). */
static mice_status run_cmd(store *s, store_cmd *c, void **value, mice_err *err)
{
    mice_future *f = c->fut;
    c->pushed_ns = env_mono_ns(s->cfg.env);
    if (!push_cmd(s, c)) {
        future_fail(f, MICE_CLOSED, NULL);
        future_release(f);
        store__cmd_free(c);
        return mice_err_setf(err, MICE_CLOSED, "store: node %" PRIu64 " is stopped",
                             s->cfg.node_id);
    }
    uint64_t timeout_ns = s->cfg.proposal_timeout_ms * (uint64_t)MICE_NS_PER_MS;
    mice_status rc = future_wait(f, timeout_ns, value, err);
    if (rc == MICE_TIMEOUT)
        mice_err_setf(err, rc,
                      "store: no answer from the raft thread within %" PRIu64
                      " ms; the outcome is unknown",
                      s->cfg.proposal_timeout_ms);
    future_release(f);
    return rc;
}

static mice_status not_leaseholder(store_range *r, const store_lease_view *v, mice_err *err)
{
    if (v->stopped) return mice_err_setf(err, MICE_CLOSED, "store: stopped");
    if (v->leader_node)
        return mice_err_setf(err, MICE_NOT_LEADER,
                             "range %" PRIu64 ": not the leaseholder; leader is node %" PRIu64,
                             r->range_id, v->leader_node);
    return mice_err_setf(err, MICE_NOT_LEADER, "range %" PRIu64 ": no leader known", r->range_id);
}

static mice_status store_acquire(void *ctx, uint64_t *lease, mice_err *err)
{
    store_range *r = ctx;
    store *s = r->s;
    pthread_mutex_lock(&r->lease_mu);
    store_lease_view v = r->lease;
    pthread_mutex_unlock(&r->lease_mu);
    if (!v.leader || v.stopped) return not_leaseholder(r, &v, err);
    /* A proposal pending this long may have a waiter that gave up (MICE_TIMEOUT) and
     * released its latches: until it resolves, evaluating anything could miss a write
     * that still applies later. */
    uint64_t now = env_mono_ns(s->cfg.env);
    uint64_t stall_ns = s->cfg.proposal_timeout_ms * (uint64_t)MICE_NS_PER_MS / 2;
    if (v.oldest_proposal_ns && now - v.oldest_proposal_ns >= stall_ns)
        return mice_err_setf(err, MICE_NOT_LEADER,
                             "range %" PRIu64 ": an earlier write's outcome is unknown; retry",
                             r->range_id);
    if (!s->cfg.lease_reads_off && v.caught_up && now < v.expiry_ns) {
        *lease = v.term;
        store__count(s, ST_LEASE_READS, 1);
        return MICE_OK;
    }
    /* No valid lease: confirm leadership with a heartbeat round (ReadIndex). */
    store_cmd *c = cmd_create(STORE_CMD_READ_INDEX, r->range_id, v.term);
    void *value = NULL;
    mice_status rc = run_cmd(s, c, &value, err);
    if (rc) return rc;
    *lease = *(uint64_t *)value;
    free(value);
    store__count(s, ST_READ_INDEX_READS, 1);
    return MICE_OK;
}

static mice_status propose_payload(store_range *r, uint64_t lease, store_cmd *c, mice_err *err)
{
    (void)lease;
    mice_status rc = run_cmd(r->s, c, NULL, err);
    /* MICE_BUSY means "wait for a lock holder" to kv_replica: a leadership transfer in
     * progress is a reason to route again instead. */
    if (rc == MICE_BUSY)
        rc = mice_err_setf(err, MICE_NOT_LEADER, "range %" PRIu64 ": the lease is moving; retry",
                           r->range_id);
    return rc;
}

static mice_status store_propose(void *ctx, uint64_t lease, engine_batch *effects, bool sync,
                                 mice_err *err)
{
    (void)sync; /* every entry is durable on a majority once committed */
    store_range *r = ctx;
    store_cmd *c = cmd_create(STORE_CMD_PROPOSE, r->range_id, lease);
    buf_append_u8(&c->data, STORE_ENTRY_WRITE);
    mice_slice data = engine_batch_data(effects);
    buf_append_slice(&c->data, mice_slice_of(data.p, data.n));
    engine_batch_destroy(effects);
    return propose_payload(r, lease, c, err);
}

/* --- lifecycle ------------------------------------------------------------------------------ */

static mice_status load_ranges(store *s, mice_err *err)
{
    uint8_t lo = RAFTLOG_KEY_DESC, hi = RAFTLOG_KEY_DESC + 1;
    engine_iter_opts o = {
        .cf = STORE_CF_RAFT, .lower = mice_slice_of(&lo, 1), .upper = mice_slice_of(&hi, 1)};
    engine_iter *it = NULL;
    mice_status rc = engine_iter_create(s->e, &o, &it, err);
    if (rc) return rc;
    range_desc d;
    rangedesc_init(&d);
    engine_batch *removals = engine_batch_create(s->e);
    for (engine_iter_first(it); engine_iter_valid(it) && !rc; engine_iter_next(it)) {
        mice_slice in = engine_iter_value(it);
        if (rangedesc_decode(&in, &d) || in.n) {
            rc = mice_err_setf(err, MICE_CORRUPT, "store: malformed range descriptor");
            break;
        }
        if (!rangedesc_replica_on(&d, s->cfg.node_id)) {
            /* Removed while a joint config still counted it, then stopped: finish it. */
            store__stage_removal(removals, &d);
            log_info("store: n%" PRIu64 ": r%" PRIu64 " was removed here; clearing it",
                     s->cfg.node_id, d.range_id);
            continue;
        }
        rc = store__add_range(s, &d, err);
    }
    if (!rc && !engine_iter_valid(it)) rc = engine_iter_status(it, err);
    rangedesc_deinit(&d);
    engine_iter_destroy(it);
    if (!rc && engine_batch_count(removals) > 0)
        rc = engine_batch_commit(removals, ENGINE_SYNC, err);
    else
        engine_batch_destroy(removals);
    if (!rc && s->n_ranges == 0 && !s->cfg.join)
        rc = mice_err_setf(err, MICE_NOTFOUND, "store: node %" PRIu64 " holds no range",
                           s->cfg.node_id);
    return rc;
}

static void start_ticker(void *ctx)
{
    store *s = ctx;
    s->ticker = ioloop_timer_start(s->loop, s->cfg.tick_ms, s->cfg.tick_ms, store__tick, s);
    for (size_t i = 0; i < s->n_ranges; i++)
        store__publish_lease(s->ranges[i]);
}

static mice_status check_config(const store_config *c, mice_err *err)
{
    if (!c->node_id || !c->engine || !c->clock || !c->env || !c->transport.ops)
        return mice_err_setf(err, MICE_INVALID,
                             "store: node id, engine, clock, env and "
                             "transport are required");
    if (!c->tick_ms || c->election_ticks <= c->heartbeat_ticks || !c->heartbeat_ticks ||
        c->election_ticks <= STORE_CLOCK_DRIFT_TICKS)
        return mice_err_setf(err, MICE_INVALID, "store: bad tick settings");
    return MICE_OK;
}

mice_status store_open(const store_config *cfg, store **out, mice_err *err)
{
    *out = NULL;
    mice_status rc = check_config(cfg, err);
    if (rc) return rc;
    store *s = mice_calloc(1, sizeof *s);
    s->cfg = *cfg;
    s->e = cfg->engine;
    prng_seed(&s->prng, cfg->seed ? cfg->seed : env_entropy(cfg->env));
    pthread_rwlock_init(&s->ranges_mu, NULL);
    mpsc_init(&s->cmdq, wake_raft_thread, s);
    mpsc_init(&s->msgq, wake_raft_thread, s);
    mice_buf dir;
    buf_init(&dir);
    buf_printf(&dir, "%s/store-snapshots", engine_dir(s->e));
    buf_append_u8(&dir, 0);
    s->snap_dir = (char *)buf_steal(&dir, NULL);
    mkdir(s->snap_dir, 0755);
    rc = store__snapshot_redo(s, err);
    if (!rc) rc = load_ranges(s, err);
    if (!rc) rc = ioloop_start("raft", &s->loop, err);
    if (!rc) rc = ioloop_call(s->loop, start_ticker, s);
    if (!rc) {
        rc = cfg->transport.ops->attach(cfg->transport.impl, cfg->node_id, on_recv, s);
        if (rc)
            mice_err_setf(err, rc, "store: transport attach of node %" PRIu64 " failed",
                          cfg->node_id);
        s->attached = rc == MICE_OK;
    }
    if (rc) {
        store_close(s);
        return rc;
    }
    log_info("store: node %" PRIu64 " open with %zu ranges", cfg->node_id, s->n_ranges);
    *out = s;
    return MICE_OK;
}

void store_stop(store *s)
{
    if (atomic_exchange(&s->stopped, true)) return;
    if (s->attached) s->cfg.transport.ops->detach(s->cfg.transport.impl, s->cfg.node_id);
    s->attached = false;
    if (s->loop) ioloop_stop(s->loop);
    while (atomic_load(&s->pushers) > 0)
        env_sleep_ns(s->cfg.env, MICE_NS_PER_US);
    /* The raft thread is gone: this thread owns everything now. */
    mpsc_node *n;
    while ((n = mpsc_pop(&s->msgq)))
        kv_raft_batch_free(MPSC_CONTAINER(n, kv_raft_batch, node));
    while ((n = mpsc_pop(&s->cmdq))) {
        store_cmd *c = MPSC_CONTAINER(n, store_cmd, node);
        future_failf(c->fut, MICE_CLOSED, "store: node %" PRIu64 " stopped", s->cfg.node_id);
        store__cmd_free(c);
    }
    for (size_t i = 0; i < s->n_ranges; i++) {
        store_range *r = s->ranges[i];
        store__fail_waiters(r, MICE_CLOSED, "store stopped");
        pthread_mutex_lock(&r->lease_mu);
        r->lease = (store_lease_view){.stopped = true};
        pthread_mutex_unlock(&r->lease_mu);
        /* Requests waiting for another transaction's lock re-evaluate and meet the stop
         * (a waiter without a lock timeout would otherwise hold its worker forever). */
        if (r->kv) locktable_kick_all(kv_replica_locktable(r->kv));
    }
}

void store_close(store *s)
{
    if (!s) return;
    store_stop(s);
    ioloop_destroy(s->loop);
    for (size_t i = 0; i < s->n_ranges; i++)
        range_free(s->ranges[i]);
    free(s->ranges);
    mpsc_deinit(&s->cmdq);
    mpsc_deinit(&s->msgq);
    pthread_rwlock_destroy(&s->ranges_mu);
    free(s->snap_dir);
    free(s);
}

/* --- serving -------------------------------------------------------------------------------- */

static mice_slice route_key(const kv_request *req, const kv_op *op)
{
    if (op->kind == KV_OP_END_TXN || op->kind == KV_OP_GC_TXN)
        return req->txn ? req->txn->primary : (mice_slice){0};
    return op->key;
}

mice_status store_send(store *s, const kv_request *req, kv_response *resp, mice_err *err)
{
    if (req->n_ops == 0) {
        kv_response_reset(resp, 0);
        return MICE_OK;
    }
    pthread_rwlock_rdlock(&s->ranges_mu);
    store_range *r = find_by_key_locked(s, route_key(req, &req->ops[0]));
    bool one_range = r != NULL;
    for (size_t i = 1; i < req->n_ops && one_range; i++)
        one_range = rangedesc_contains(&r->desc, route_key(req, &req->ops[i]));
    pthread_rwlock_unlock(&s->ranges_mu);
    if (!r) return mice_err_setf(err, MICE_NOTFOUND, "store: no local range holds the key");
    if (!one_range) return mice_err_setf(err, MICE_UNSUPPORTED, "batch spans several ranges");
    return kv_replica_send(r->kv, req, resp, err);
}

kv_replica *store_replica_for_key(store *s, mice_slice key)
{
    pthread_rwlock_rdlock(&s->ranges_mu);
    store_range *r = find_by_key_locked(s, key);
    pthread_rwlock_unlock(&s->ranges_mu);
    return r ? r->kv : NULL;
}

void store_add_replicas(store *s, kv_sender *snd)
{
    pthread_rwlock_rdlock(&s->ranges_mu);
    for (size_t i = 0; i < s->n_ranges; i++)
        if (rangedesc_is_initialized(&s->ranges[i]->desc))
            kv_sender_add_replica(snd, s->ranges[i]->kv);
    pthread_rwlock_unlock(&s->ranges_mu);
}

size_t store_range_ids(store *s, uint64_t *ids, size_t cap)
{
    pthread_rwlock_rdlock(&s->ranges_mu);
    size_t n = 0;
    for (size_t i = 0; i < s->n_ranges; i++) {
        if (s->ranges[i]->removed) continue;
        if (n < cap) ids[n] = s->ranges[i]->range_id;
        n++;
    }
    pthread_rwlock_unlock(&s->ranges_mu);
    return n;
}

uint64_t store_range_for_key(store *s, mice_slice key)
{
    pthread_rwlock_rdlock(&s->ranges_mu);
    store_range *r = find_by_key_locked(s, key);
    uint64_t id = r ? r->range_id : 0;
    pthread_rwlock_unlock(&s->ranges_mu);
    return id;
}

/* --- admin, on the raft thread -------------------------------------------------------------- */

typedef struct info_call {
    store *s;
    uint64_t range_id;
    store_range_info *out;
    mice_status rc;
} info_call;

static void info_on_loop(void *ctx)
{
    info_call *c = ctx;
    store_range *r = store__find(c->s, c->range_id);
    if (!r || !r->r) {
        c->rc = MICE_NOTFOUND; /* unknown, or removed from the range */
        return;
    }
    store_range_info *o = c->out;
    raft_status st;
    raft_get_status(r->r, &st);
    rangedesc_copy(&o->desc, &r->desc);
    o->replica_id = r->replica_id;
    o->role = st.role;
    o->term = st.term;
    o->leader_node = st.lead ? store__peer_node(r, st.lead) : 0;
    o->commit = st.commit;
    o->applied = st.applied;
    o->first_index = raftlog_first_index(r->log);
    o->last_index = st.last_index;
    pthread_mutex_lock(&r->lease_mu);
    o->lease_valid =
        r->lease.leader && r->lease.caught_up && env_mono_ns(c->s->cfg.env) < r->lease.expiry_ns;
    pthread_mutex_unlock(&r->lease_mu);
    c->rc = MICE_OK;
}

mice_status store_range_info_get(store *s, uint64_t range_id, store_range_info *out)
{
    rangedesc_init(&out->desc);
    if (atomic_load(&s->stopped)) return MICE_CLOSED;
    info_call c = {.s = s, .range_id = range_id, .out = out};
    mice_status rc = ioloop_call(s->loop, info_on_loop, &c);
    return rc ? rc : c.rc;
}

typedef struct campaign_call {
    store *s;
    uint64_t range_id;
    mice_status rc;
} campaign_call;

static void campaign_on_loop(void *ctx)
{
    campaign_call *c = ctx;
    store_range *r = store__find(c->s, c->range_id);
    c->rc = r && r->r ? raft_campaign(r->r) : MICE_NOTFOUND;
    store__schedule_turn(c->s);
}

typedef struct transfer_call {
    store *s;
    uint64_t range_id, to_node;
    mice_status rc;
} transfer_call;

static void transfer_on_loop(void *ctx)
{
    transfer_call *c = ctx;
    store_range *r = store__find(c->s, c->range_id);
    const range_replica *to = r ? rangedesc_replica_on(&r->desc, c->to_node) : NULL;
    if (!r || !r->r)
        c->rc = MICE_NOTFOUND;
    else if (!to)
        c->rc = MICE_INVALID;
    else if (to->replica_id == r->replica_id && raft_role_of(r->r) == RAFT_LEADER)
        c->rc = MICE_OK; /* already there */
    else
        c->rc = raft_transfer_leader(r->r, to->replica_id);
    store__schedule_turn(c->s);
}

mice_status store_transfer_leader(store *s, uint64_t range_id, uint64_t to_node)
{
    if (atomic_load(&s->stopped)) return MICE_CLOSED;
    transfer_call c = {.s = s, .range_id = range_id, .to_node = to_node};
    mice_status rc = ioloop_call(s->loop, transfer_on_loop, &c);
    return rc ? rc : c.rc;
}

mice_status store_campaign(store *s, uint64_t range_id)
{
    if (atomic_load(&s->stopped)) return MICE_CLOSED;
    campaign_call c = {.s = s, .range_id = range_id};
    mice_status rc = ioloop_call(s->loop, campaign_on_loop, &c);
    return rc ? rc : c.rc;
}

static bool range_exists(store *s, uint64_t range_id)
{
    pthread_rwlock_rdlock(&s->ranges_mu);
    bool found = store__find(s, range_id) != NULL;
    pthread_rwlock_unlock(&s->ranges_mu);
    return found;
}

mice_status store_split(store *s, mice_slice split_key, uint64_t new_range_id, mice_err *err)
{
    if (new_range_id == 0) return mice_err_setf(err, MICE_INVALID, "store: range id 0");
    pthread_rwlock_rdlock(&s->ranges_mu);
    store_range *r = find_by_key_locked(s, split_key);
    bool exists = store__find(s, new_range_id) != NULL;
    bool at_start = r && mice_slice_eq(split_key, buf_slice(&r->desc.start));
    mice_buf end;
    buf_init(&end);
    if (r) buf_append_slice(&end, buf_slice(&r->desc.end));
    uint64_t generation = r ? r->desc.generation : 0;
    pthread_rwlock_unlock(&s->ranges_mu);
    mice_status rc = MICE_OK;
    if (!r)
        rc = mice_err_setf(err, MICE_NOTFOUND, "store: no local range holds the split key");
    else if (exists)
        rc = mice_err_setf(err, MICE_INVALID, "store: range %" PRIu64 " exists", new_range_id);
    else if (at_start)
        rc = mice_err_setf(err, MICE_INVALID, "store: the split key starts range %" PRIu64,
                           r->range_id);
    if (rc) {
        buf_deinit(&end);
        return rc;
    }
    /* Nothing may evaluate on the right-hand side while it changes hands. */
    latch_guard *g = kv_replica_latch_keys(r->kv, split_key, buf_slice(&end));
    uint64_t lease = 0;
    rc = store_acquire(r, &lease, err);
    if (!rc) {
        store_cmd *c = cmd_create(STORE_CMD_PROPOSE, r->range_id, lease);
        buf_append_u8(&c->data, STORE_ENTRY_SPLIT);
        varint_put_u64(&c->data, new_range_id);
        varint_put_u64(&c->data, generation);
        buf_append_slice(&c->data, split_key);
        rc = propose_payload(r, lease, c, err);
    }
    kv_replica_unlatch(r->kv, g);
    buf_deinit(&end);
    if (!rc && !range_exists(s, new_range_id))
        rc = mice_err_setf(err, MICE_CONFLICT, "store: the split was refused (the range changed)");
    return rc;
}

mice_status store_put_directory(store *s, const range_desc *desc, mice_err *err)
{
    mice_buf key, val;
    buf_init(&key);
    buf_init(&val);
    rangedesc_dir_key(&key, buf_slice(&desc->start));
    rangedesc_encode(desc, &val);
    kv_op op = {.kind = KV_OP_PUT, .key = buf_slice(&key), .value = buf_slice(&val)};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = store_send(s, &req, &resp, err);
    kv_response_deinit(&resp);
    buf_deinit(&key);
    buf_deinit(&val);
    return rc;
}

/* --- membership ------------------------------------------------------------------------ */

/* What a replica change needs to know about its range, read on the raft thread. */
typedef struct change_view {
    store *s;
    uint64_t range_id;
    uint64_t peer_id; /* progress of this replica (leader only); 0 = none */
    mice_status rc;
    range_desc desc; /* initialised by the caller */
    bool leader;
    uint64_t leader_node;
    bool joint;
    uint64_t commit;
    bool peer_known;
    uint64_t peer_match;
    raft_progress_state peer_state;
    uint64_t best_voter_node; /* leader: the most caught-up other voter's node */
} change_view;

static void view_on_loop(void *ctx)
{
    change_view *v = ctx;
    store_range *r = store__find(v->s, v->range_id);
    if (!r || !r->r) {
        v->rc = MICE_NOTFOUND;
        return;
    }
    raft_status st;
    raft_get_status(r->r, &st);
    rangedesc_copy(&v->desc, &r->desc);
    v->leader = st.role == RAFT_LEADER;
    v->leader_node = st.lead ? store__peer_node(r, st.lead) : 0;
    v->joint = raft_conf_state_is_joint(&st.conf);
    v->commit = st.commit;
    v->peer_known = false;
    v->best_voter_node = 0;
    uint64_t best_match = 0;
    for (uint32_t i = 0; i < st.n_peers; i++) {
        const raft_peer_status *p = &st.peers[i];
        if (p->id == v->peer_id) {
            v->peer_known = true;
            v->peer_match = p->match;
            v->peer_state = p->state;
        }
        const range_replica *rep = rangedesc_replica_by_id(&r->desc, p->id);
        if (p->id == r->replica_id || p->is_learner || !rep || rep->type != RANGE_REPLICA_VOTER)
            continue;
        if (!v->best_voter_node || p->match > best_match) {
            v->best_voter_node = rep->node_id;
            best_match = p->match;
        }
    }
    v->rc = MICE_OK;
}

static mice_status view_get(store_range *r, uint64_t peer_id, change_view *v, mice_err *err)
{
    store *s = r->s;
    v->s = s;
    v->range_id = r->range_id;
    v->peer_id = peer_id;
    v->rc = MICE_OK;
    if (atomic_load(&s->stopped)) return mice_err_setf(err, MICE_CLOSED, "store: stopped");
    mice_status rc = ioloop_call(s->loop, view_on_loop, v);
    if (!rc) rc = v->rc;
    if (rc == MICE_NOTFOUND)
        return mice_err_setf(err, rc, "store: range %" PRIu64 " has no replica here",
                             r->range_id);
    if (rc) return mice_err_setf(err, rc, "store: range %" PRIu64 " unreadable", r->range_id);
    return MICE_OK;
}

static mice_status not_leader_view(store_range *r, const change_view *v, mice_err *err)
{
    if (v->leader_node)
        return mice_err_setf(err, MICE_NOT_LEADER,
                             "range %" PRIu64 ": not the leaseholder; leader is node %" PRIu64,
                             r->range_id, v->leader_node);
    return mice_err_setf(err, MICE_NOT_LEADER, "range %" PRIu64 ": no leader known", r->range_id);
}

static void sleep_tick(store *s)
{
    env_sleep_ns(s->cfg.env, s->cfg.tick_ms * (uint64_t)MICE_NS_PER_MS);
}

/* Propose one conf change decided on the descriptor of this generation; waits until it
 * is applied here. */
static mice_status propose_change(store_range *r, const raft_conf_change *cc, mice_slice context,
                                  uint64_t generation, mice_err *err)
{
    uint64_t lease = 0;
    mice_status rc = store_acquire(r, &lease, err);
    if (rc) return rc;
    store_cmd *c = cmd_create(STORE_CMD_CONF_CHANGE, r->range_id, lease);
    c->cc = *cc;
    c->cc.context = NULL;
    c->cc.context_len = 0;
    c->generation = generation;
    buf_append_slice(&c->data, context);
    return run_cmd(r->s, c, NULL, err);
}

/* After a change that entered a joint config: until the leader has left it (by itself),
 * the next change would be refused. A new leader leaves it as well. */
static mice_status wait_not_joint(store_range *r, mice_err *err)
{
    store *s = r->s;
    uint64_t deadline = env_mono_ns(s->cfg.env) + s->cfg.proposal_timeout_ms * MICE_NS_PER_MS;
    change_view v;
    rangedesc_init(&v.desc);
    mice_status rc;
    for (;;) {
        rc = view_get(r, 0, &v, err);
        if (rc || !v.joint || !v.leader) break;
        if (env_mono_ns(s->cfg.env) > deadline) {
            rc = mice_err_setf(err, MICE_TIMEOUT,
                               "range %" PRIu64 ": the joint configuration was not left in time",
                               r->range_id);
            break;
        }
        sleep_tick(s);
    }
    rangedesc_deinit(&v.desc);
    return rc;
}

static mice_status add_replica(store_range *r, uint64_t node_id, mice_err *err)
{
    store *s = r->s;
    change_view v;
    rangedesc_init(&v.desc);
    mice_buf ctx;
    buf_init(&ctx);
    mice_status rc = view_get(r, 0, &v, err);
    if (rc) goto done;
    if (!v.leader) {
        rc = not_leader_view(r, &v, err);
        goto done;
    }
    const range_replica *have = rangedesc_replica_on(&v.desc, node_id);
    if (have && have->type == RANGE_REPLICA_VOTER) {
        rc = mice_err_setf(err, MICE_INVALID, "range %" PRIu64 ": node %" PRIu64 " already votes",
                           r->range_id, node_id);
        goto done;
    }
    uint64_t id = have ? have->replica_id : rangedesc_next_replica_id(&v.desc);
    if (!have) {
        if (v.desc.n_replicas >= RANGEDESC_REPLICAS_MAX) {
            rc = mice_err_setf(err, MICE_LIMIT, "range %" PRIu64 ": too many replicas",
                               r->range_id);
            goto done;
        }
        buf_append_u8(&ctx, STORE_CC_CONTEXT_V1);
        varint_put_u64(&ctx, 1);
        varint_put_u64(&ctx, id);
        varint_put_u64(&ctx, node_id);
        raft_conf_change cc = {.n_changes = 1, .changes = {{RAFT_CC_ADD_LEARNER, id}}};
        rc = propose_change(r, &cc, buf_slice(&ctx), v.desc.generation, err);
        if (rc) goto done;
    }
    /* Catch up: everything committed once the learner was in the config. */
    uint64_t deadline = env_mono_ns(s->cfg.env) + s->cfg.catchup_timeout_ms * MICE_NS_PER_MS;
    uint64_t target = 0;
    for (;;) {
        rc = view_get(r, id, &v, err);
        if (rc) goto done;
        const range_replica *l = rangedesc_replica_by_id(&v.desc, id);
        if (!v.leader) {
            rc = not_leader_view(r, &v, err);
            goto done;
        }
        if (!l || l->node_id != node_id || l->type != RANGE_REPLICA_LEARNER) {
            rc = mice_err_setf(err, MICE_CONFLICT,
                               "range %" PRIu64 ": the learner on node %" PRIu64 " went away",
                               r->range_id, node_id);
            goto done;
        }
        if (!target) target = v.commit;
        if (v.peer_known && v.peer_match >= target && v.peer_state == RAFT_PROGRESS_REPLICATE)
            break;
        if (env_mono_ns(s->cfg.env) > deadline) {
            rc = mice_err_setf(err, MICE_TIMEOUT,
                               "range %" PRIu64 ": the learner on node %" PRIu64
                               " did not catch up in %" PRIu64 " ms (it stays a learner)",
                               r->range_id, node_id, s->cfg.catchup_timeout_ms);
            goto done;
        }
        sleep_tick(s);
    }
    raft_conf_change promote = {
        .auto_leave = true, .n_changes = 1, .changes = {{RAFT_CC_ADD_VOTER, id}}};
    rc = propose_change(r, &promote, (mice_slice){0}, v.desc.generation, err);
    if (!rc) rc = wait_not_joint(r, err);
done:
    buf_deinit(&ctx);
    rangedesc_deinit(&v.desc);
    return rc;
}

static mice_status remove_replica(store_range *r, uint64_t node_id, mice_err *err)
{
    store *s = r->s;
    change_view v;
    rangedesc_init(&v.desc);
    mice_status rc = view_get(r, 0, &v, err);
    if (rc) goto done;
    if (!v.leader) {
        rc = not_leader_view(r, &v, err);
        goto done;
    }
    const range_replica *rep = rangedesc_replica_on(&v.desc, node_id);
    if (!rep) {
        rc = mice_err_setf(err, MICE_INVALID, "range %" PRIu64 ": no replica on node %" PRIu64,
                           r->range_id, node_id);
        goto done;
    }
    bool votes = rep->type == RANGE_REPLICA_VOTER;
    if (votes && rangedesc_voter_count(&v.desc) <= 1) {
        rc = mice_err_setf(err, MICE_INVALID, "range %" PRIu64 ": node %" PRIu64
                           " holds the last voter", r->range_id, node_id);
        goto done;
    }
    if (rep->replica_id == r->replica_id) {
        /* The leader leaves: hand the lease over first, then the new leader removes us. */
        uint64_t to = v.best_voter_node;
        rc = store_transfer_leader(s, r->range_id, to);
        if (rc) {
            mice_err_setf(err, rc, "range %" PRIu64 ": moving the lease to node %" PRIu64
                          " failed", r->range_id, to);
            goto done;
        }
        uint64_t deadline =
            env_mono_ns(s->cfg.env) + s->cfg.proposal_timeout_ms * MICE_NS_PER_MS;
        while (!(rc = view_get(r, 0, &v, err)) && (v.leader || !v.leader_node)) {
            if (env_mono_ns(s->cfg.env) > deadline) break;
            sleep_tick(s);
        }
        if (rc) goto done;
        rc = v.leader ? mice_err_setf(err, MICE_TIMEOUT,
                                      "range %" PRIu64 ": the lease did not move off node %" PRIu64,
                                      r->range_id, node_id)
                      : mice_err_setf(err, MICE_NOT_LEADER,
                                      "range %" PRIu64 ": the lease moved before removing this "
                                      "replica; leader is node %" PRIu64 "; retry there",
                                      r->range_id, v.leader_node);
        goto done;
    }
    raft_conf_change cc = {
        .auto_leave = votes, .n_changes = 1, .changes = {{RAFT_CC_REMOVE_NODE, rep->replica_id}}};
    rc = propose_change(r, &cc, (mice_slice){0}, v.desc.generation, err);
    if (!rc && votes) rc = wait_not_joint(r, err);
done:
    rangedesc_deinit(&v.desc);
    return rc;
}

mice_status store_update_directory(store *s, const range_desc *desc, mice_err *err)
{
    mice_buf key;
    buf_init(&key);
    rangedesc_dir_key(&key, buf_slice(&desc->start));
    kv_op op = {.kind = KV_OP_GET, .key = buf_slice(&key)};
    kv_request req = {.ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_status rc = store_send(s, &req, &resp, err);
    bool newer = false;
    if (!rc && resp.results[0].found) {
        range_desc cur;
        rangedesc_init(&cur);
        mice_slice in = buf_slice(&resp.results[0].value);
        /* A directory entry at least as new (a racing writer) stays. */
        newer = rangedesc_decode(&in, &cur) == MICE_OK && cur.range_id == desc->range_id &&
                cur.generation >= desc->generation;
        rangedesc_deinit(&cur);
    }
    kv_response_deinit(&resp);
    buf_deinit(&key);
    if (!rc && !newer) rc = store_put_directory(s, desc, err);
    return rc;
}

mice_status store_change_replicas(store *s, uint64_t range_id, store_replica_op op,
                                  uint64_t node_id, range_desc *out, mice_err *err)
{
    if (node_id == 0 || (op != STORE_REPLICA_ADD && op != STORE_REPLICA_REMOVE))
        return mice_err_setf(err, MICE_INVALID, "store: a replica change needs an op and a node");
    if (atomic_load(&s->stopped)) return mice_err_setf(err, MICE_CLOSED, "store: stopped");
    pthread_rwlock_rdlock(&s->ranges_mu);
    store_range *r = store__find(s, range_id);
    bool here = r && !r->removed;
    pthread_rwlock_unlock(&s->ranges_mu);
    if (!here)
        return mice_err_setf(err, MICE_NOTFOUND, "store: range %" PRIu64 " has no replica here",
                             range_id);
    if (atomic_exchange(&r->changing, true))
        return mice_err_setf(err, MICE_BUSY, "range %" PRIu64 ": another replica change runs",
                             range_id);
    mice_status rc = op == STORE_REPLICA_ADD ? add_replica(r, node_id, err)
                                             : remove_replica(r, node_id, err);
    if (!rc) {
        change_view v;
        rangedesc_init(&v.desc);
        rc = view_get(r, 0, &v, err);
        if (!rc) {
            mice_err dir_err;
            /* Best effort: only range 1's leaseholder can write it. */
            if (store_update_directory(s, &v.desc, &dir_err) != MICE_OK)
                log_debug("store: r%" PRIu64 ": directory not updated here: %s", range_id,
                          mice_err_msg(&dir_err));
            if (out) rangedesc_copy(out, &v.desc);
        }
        rangedesc_deinit(&v.desc);
    }
    atomic_store(&r->changing, false);
    return rc;
}

store_stats store_get_stats(store *s)
{
    uint64_t v[ST_COUNT];
    for (int i = 0; i < ST_COUNT; i++)
        v[i] = atomic_load_explicit(&s->stat[i], memory_order_relaxed);
    store_stats out;
    memcpy(&out, v, sizeof out);
    return out;
}
