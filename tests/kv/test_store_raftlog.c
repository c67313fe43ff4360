/* Unit tests for the store's building blocks below the raft thread: portable batch data
 * (storage/engine), the durable Raft log (kv/raftlog), range descriptors (kv/rangedesc)
 * and the loopback transport's fault controls (kv/transport_loopback). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/check.h"
#include "base/env.h"
#include "base/prng.h"
#include "kv/keys.h"
#include "kv/raftlog.h"
#include "kv/rangedesc.h"
#include "kv/support/kv_test.h"
#include "kv/transport_loopback.h"

static mice_slice S(const char *s)
{
    return mice_slice_str(s);
}

/* --- engine batch data ------------------------------------------------------------------ */

static void get_meta(engine *e, const char *key, const char *want)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    assert_int_equal(engine_get(e, STORE_CF_META, NULL, S(key), &v, &found, NULL), MICE_OK);
    if (!want) {
        assert_false(found);
    } else {
        assert_true(found);
        assert_int_equal(v.n, strlen(want));
        assert_memory_equal(v.p, want, v.n);
    }
    buf_deinit(&v);
}

static void test_batch_data_round_trip(void **state)
{
    (void)state;
    char *d1, *d2;
    engine *a = kt_open("bd-a", &d1), *b = kt_open("bd-b", &d2);
    /* b holds keys the replayed batch must delete. */
    engine_batch *pre = engine_batch_create(b);
    engine_batch_put(pre, STORE_CF_META, S("k1"), S("old"));
    engine_batch_put(pre, STORE_CF_META, S("r1"), S("x"));
    engine_batch_put(pre, STORE_CF_META, S("r2"), S("y"));
    assert_int_equal(engine_batch_commit(pre, ENGINE_NOSYNC, NULL), MICE_OK);

    engine_batch *lb = engine_batch_create_logged(a);
    engine_batch_put(lb, STORE_CF_META, S("k1"), S("v1"));
    engine_batch_put(lb, STORE_CF_LOCKS, S("k2"), mice_slice_of("\0\1", 2));
    engine_batch_delete_range(lb, STORE_CF_META, S("r"), S("s"));
    engine_batch_delete(lb, STORE_CF_LOCKS, S("gone"));
    mice_slice data = engine_batch_data(lb);
    assert_int_equal(data.p[0], ENGINE_BATCH_DATA_V1);
    mice_buf copy;
    buf_init(&copy);
    buf_append_slice(&copy, data);
    assert_int_equal(engine_batch_commit(lb, ENGINE_NOSYNC, NULL), MICE_OK);

    engine_batch *rb = engine_batch_create(b);
    assert_int_equal(engine_batch_add_data(rb, buf_slice(&copy), NULL), MICE_OK);
    assert_int_equal(engine_batch_count(rb), 4);
    assert_int_equal(engine_batch_commit(rb, ENGINE_NOSYNC, NULL), MICE_OK);
    get_meta(b, "k1", "v1");
    get_meta(b, "r1", NULL);
    get_meta(b, "r2", NULL);
    mice_buf v;
    buf_init(&v);
    bool found = false;
    assert_int_equal(engine_get(b, STORE_CF_LOCKS, NULL, S("k2"), &v, &found, NULL), MICE_OK);
    assert_true(found);
    assert_int_equal(v.n, 2);
    buf_deinit(&v);

    /* A cut inside an operation is MICE_CORRUPT and adds nothing; a cut between
     * operations is a shorter batch (4 such cuts: after the version byte and each op). */
    int whole = 0;
    for (size_t cut = 0; cut < copy.n; cut++) {
        engine_batch *t = engine_batch_create(b);
        mice_status rc = engine_batch_add_data(t, mice_slice_of(copy.p, cut), NULL);
        if (rc == MICE_OK) {
            whole++;
        } else {
            assert_int_equal(rc, MICE_CORRUPT);
            assert_int_equal(engine_batch_count(t), 0);
        }
        engine_batch_destroy(t);
    }
    assert_int_equal(whole, 4);
    copy.p[0] = 99;
    engine_batch *t = engine_batch_create(b);
    assert_int_equal(engine_batch_add_data(t, buf_slice(&copy), NULL), MICE_CORRUPT);
    copy.p[0] = ENGINE_BATCH_DATA_V1;
    copy.p[1] = 7; /* unknown operation kind */
    assert_int_equal(engine_batch_add_data(t, buf_slice(&copy), NULL), MICE_CORRUPT);
    copy.p[1] = 1;
    copy.p[2] = STORE_CF_COUNT; /* unknown column family */
    assert_int_equal(engine_batch_add_data(t, buf_slice(&copy), NULL), MICE_CORRUPT);
    assert_int_equal(engine_batch_count(t), 0);
    engine_batch_destroy(t);
    buf_deinit(&copy);
    kt_close(a, d1);
    kt_close(b, d2);
}

/* --- raftlog ------------------------------------------------------------------------------ */

static raft_entry entry(uint64_t index, uint64_t term, const char *data)
{
    raft_entry e = {.term = term, .index = index, .type = RAFT_ENTRY_NORMAL};
    e.len = strlen(data);
    e.data = (uint8_t *)mice_strdup(data);
    return e;
}

static void append(engine *e, raftlog *l, uint64_t first, uint64_t n, uint64_t term)
{
    raft_entry *v = mice_calloc(n, sizeof *v);
    for (uint64_t i = 0; i < n; i++) {
        char d[32];
        snprintf(d, sizeof d, "e%llu.t%llu", (unsigned long long)(first + i),
                 (unsigned long long)term);
        v[i] = entry(first + i, term, d);
    }
    engine_batch *b = engine_batch_create(e);
    uint64_t before = raftlog_last_index(l);
    assert_int_equal(raftlog_stage_append(l, b, v, n), MICE_OK);
    assert_int_equal(raftlog_last_index(l), before); /* staged, not visible yet */
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    raftlog_commit_staged(l);
    raft_entries_free(v, n);
}

static void check_entries(raftlog *l, uint64_t lo, uint64_t hi, uint64_t term_from, uint64_t term)
{
    raft_storage st = raftlog_storage(l);
    raft_entry *v = NULL;
    size_t n = 0;
    assert_int_equal(st.ops->entries(st.ctx, lo, hi, SIZE_MAX, &v, &n), MICE_OK);
    assert_int_equal(n, hi - lo);
    for (size_t i = 0; i < n; i++) {
        uint64_t idx = lo + i, t = idx >= term_from ? term : 1;
        char d[32];
        snprintf(d, sizeof d, "e%llu.t%llu", (unsigned long long)idx, (unsigned long long)t);
        assert_int_equal(v[i].index, idx);
        assert_int_equal(v[i].term, t);
        assert_int_equal(v[i].len, strlen(d));
        assert_memory_equal(v[i].data, d, v[i].len);
        uint64_t got = 0;
        assert_int_equal(st.ops->term(st.ctx, idx, &got), MICE_OK);
        assert_int_equal(got, t);
    }
    raft_entries_free(v, n);
}

static void test_raftlog_append_truncate_reopen(void **state)
{
    (void)state;
    char *dir;
    engine *e = kt_open("raftlog", &dir);
    raftlog *l = NULL;
    assert_int_equal(raftlog_open(e, 7, &l, NULL), MICE_NOTFOUND);
    raft_conf_state cs = {.voters = {1, 2, 3}, .n_voters = 3};
    engine_batch *b = engine_batch_create(e);
    raftlog_write_initial(b, 7, &cs, NULL);
    raftlog_write_initial(b, 8, &cs, NULL); /* a neighbour whose records must stay apart */
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    assert_int_equal(raftlog_open(e, 7, &l, NULL), MICE_OK);
    assert_int_equal(raftlog_first_index(l), RAFTLOG_INIT_INDEX + 1);
    assert_int_equal(raftlog_last_index(l), RAFTLOG_INIT_INDEX);
    raft_storage st = raftlog_storage(l);
    uint64_t t = 0;
    assert_int_equal(st.ops->term(st.ctx, RAFTLOG_INIT_INDEX, &t), MICE_OK);
    assert_int_equal(t, RAFTLOG_INIT_TERM);
    assert_int_equal(st.ops->term(st.ctx, 0, &t), MICE_NOTFOUND);
    assert_int_equal(st.ops->term(st.ctx, 5, &t), MICE_RANGE);
    raft_snapshot snap;
    assert_int_equal(st.ops->snapshot(st.ctx, &snap), MICE_AGAIN); /* no builder set */

    append(e, l, 2, 10, 1); /* 2..11 at term 1 */
    append(e, l, 8, 2, 2);  /* 8..9 at term 2: 10, 11 are a conflicting tail */
    assert_int_equal(raftlog_last_index(l), 9);
    check_entries(l, 2, 10, 8, 2);
    raft_entry *v = NULL;
    size_t n = 0;
    assert_int_equal(st.ops->entries(st.ctx, 2, 11, SIZE_MAX, &v, &n), MICE_RANGE);
    assert_int_equal(st.ops->entries(st.ctx, 1, 3, SIZE_MAX, &v, &n), MICE_NOTFOUND);
    /* max_bytes: stops early but returns at least one entry. */
    assert_int_equal(st.ops->entries(st.ctx, 2, 10, 1, &v, &n), MICE_OK);
    assert_int_equal(n, 1);
    raft_entries_free(v, n);

    /* Gaps and stale firsts are refused. */
    b = engine_batch_create(e);
    raft_entry gap = entry(12, 2, "x");
    assert_int_equal(raftlog_stage_append(l, b, &gap, 1), MICE_INVALID);
    raft_entry old = entry(1, 2, "x");
    assert_int_equal(raftlog_stage_append(l, b, &old, 1), MICE_NOTFOUND);
    raft_entry_deinit(&gap);
    raft_entry_deinit(&old);

    /* Hard state, applied, truncation in one batch. */
    raft_hard_state hs = {.term = 2, .vote = 3, .commit = 9};
    raftlog_stage_hard_state(l, b, &hs);
    raftlog_stage_applied(l, b, 7);
    assert_int_equal(raftlog_stage_truncate(l, b, 8), MICE_INVALID); /* beyond applied */
    assert_int_equal(raftlog_stage_truncate(l, b, 5), MICE_OK);
    assert_int_equal(raftlog_first_index(l), 2); /* not before commit */
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    raftlog_commit_staged(l);
    assert_int_equal(raftlog_first_index(l), 6);
    assert_int_equal(raftlog_truncated_index(l), 5);
    assert_int_equal(st.ops->term(st.ctx, 5, &t), MICE_OK);
    assert_int_equal(t, 1);
    assert_int_equal(st.ops->entries(st.ctx, 5, 7, SIZE_MAX, &v, &n), MICE_NOTFOUND);
    raftlog_destroy(l);

    /* Reopen: the same view. */
    assert_int_equal(raftlog_open(e, 7, &l, NULL), MICE_OK);
    st = raftlog_storage(l);
    assert_int_equal(raftlog_first_index(l), 6);
    assert_int_equal(raftlog_last_index(l), 9);
    assert_int_equal(raftlog_applied(l), 7);
    raft_hard_state hs2;
    raft_conf_state cs2;
    assert_int_equal(st.ops->initial_state(st.ctx, &hs2, &cs2), MICE_OK);
    assert_int_equal(hs2.term, 2);
    assert_int_equal(hs2.vote, 3);
    assert_int_equal(hs2.commit, 9);
    assert_true(raft_conf_state_equal(&cs, &cs2));
    check_entries(l, 6, 10, 8, 2);

    /* A snapshot replaces the whole log. */
    raft_snapshot_meta meta = {.index = 20, .term = 3, .conf = {.voters = {1, 2}, .n_voters = 2}};
    b = engine_batch_create(e);
    raftlog_stage_snapshot(l, b, &meta);
    raft_entry after = entry(21, 3, "e21.t3");
    assert_int_equal(raftlog_stage_append(l, b, &after, 1), MICE_OK);
    raft_entry_deinit(&after);
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    raftlog_commit_staged(l);
    raftlog_destroy(l);
    assert_int_equal(raftlog_open(e, 7, &l, NULL), MICE_OK);
    assert_int_equal(raftlog_first_index(l), 21);
    assert_int_equal(raftlog_last_index(l), 21);
    assert_int_equal(raftlog_applied(l), 20);
    raftlog_hard_state(l, &hs2);
    assert_int_equal(hs2.commit, 20);
    assert_int_equal(hs2.term, 3);
    raftlog_conf_state(l, &cs2);
    assert_true(raft_conf_state_equal(&meta.conf, &cs2));
    raftlog_destroy(l);

    /* The neighbour is untouched. */
    assert_int_equal(raftlog_open(e, 8, &l, NULL), MICE_OK);
    assert_int_equal(raftlog_last_index(l), RAFTLOG_INIT_INDEX);
    raftlog_destroy(l);

    /* Inconsistent durable state is MICE_CORRUPT: applied beyond commit. */
    b = engine_batch_create(e);
    assert_int_equal(raftlog_open(e, 8, &l, NULL), MICE_OK);
    raftlog_stage_applied(l, b, 5);
    assert_int_equal(engine_batch_commit(b, ENGINE_SYNC, NULL), MICE_OK);
    raftlog_abort_staged(l);
    raftlog_destroy(l);
    assert_int_equal(raftlog_open(e, 8, &l, NULL), MICE_CORRUPT);
    kt_close(e, dir);
}

/* --- range descriptors -------------------------------------------------------------------- */

static void test_rangedesc(void **state)
{
    (void)state;
    uint64_t nodes[] = {1, 2, 3};
    range_desc d[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&d[i]);
    assert_int_equal(rangedesc_initial(nodes, 3, d), MICE_OK);
    mice_buf t, kv, k;
    buf_init(&t);
    buf_init(&kv);
    buf_init(&k);
    keys_table_prefix(&t, 52);
    keys_kv(&kv, S("user:1"));
    keys_desc(&k, 7);
    assert_true(rangedesc_contains(&d[0], buf_slice(&k)));
    assert_true(rangedesc_contains(&d[1], buf_slice(&t)));
    assert_true(rangedesc_contains(&d[2], buf_slice(&kv)));
    assert_false(rangedesc_contains(&d[0], buf_slice(&t)));
    assert_false(rangedesc_contains(&d[2], buf_slice(&t)));
    buf_reset(&k);
    rangedesc_dir_key(&k, buf_slice(&d[2].start));
    assert_true(rangedesc_contains(&d[0], buf_slice(&k)));
    assert_false(rangedesc_overlaps(&d[0], buf_slice(&d[1].start), buf_slice(&d[1].end)));
    assert_true(rangedesc_overlaps(&d[2], buf_slice(&kv), (mice_slice){0}));
    assert_int_equal(rangedesc_replica_on(&d[1], 2)->replica_id, 2);
    assert_null(rangedesc_replica_on(&d[1], 9));

    mice_buf enc;
    buf_init(&enc);
    rangedesc_encode(&d[1], &enc);
    range_desc back;
    rangedesc_init(&back);
    mice_slice in = buf_slice(&enc);
    assert_int_equal(rangedesc_decode(&in, &back), MICE_OK);
    assert_int_equal(in.n, 0);
    assert_int_equal(back.range_id, 2);
    assert_true(mice_slice_eq(buf_slice(&back.start), buf_slice(&d[1].start)));
    assert_true(mice_slice_eq(buf_slice(&back.end), buf_slice(&d[1].end)));
    assert_int_equal(back.n_replicas, 3);
    for (size_t cut = 0; cut < enc.n; cut++) {
        in = mice_slice_of(enc.p, cut);
        assert_int_equal(rangedesc_decode(&in, &back), MICE_CORRUPT);
    }
    buf_reset(&t);
    rangedesc_describe(&d[1], &t);
    buf_append_u8(&t, 0);
    assert_non_null(strstr((const char *)t.p, "r2 ["));
    uint64_t dup[] = {1, 1};
    assert_int_equal(rangedesc_initial(dup, 2, d), MICE_INVALID);
    assert_int_equal(rangedesc_initial(nodes, 0, d), MICE_INVALID);
    rangedesc_deinit(&back);
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&d[i]);
    buf_deinit(&enc);
    buf_deinit(&t);
    buf_deinit(&kv);
    buf_deinit(&k);
}

/* Learners and the next replica id: version 2 only when version 1 cannot say it, and the
 * Raft config follows the types. */
static void test_rangedesc_learners(void **state)
{
    (void)state;
    uint64_t nodes[] = {1, 2, 3};
    range_desc d[RANGEDESC_INITIAL_COUNT];
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_init(&d[i]);
    assert_int_equal(rangedesc_initial(nodes, 3, d), MICE_OK);
    range_desc *r = &d[2];
    mice_buf enc, t;
    buf_init(&enc);
    buf_init(&t);
    rangedesc_encode(r, &enc);
    assert_int_equal(enc.p[0], RANGEDESC_V1);
    assert_int_equal(rangedesc_next_replica_id(r), 4);
    r->replicas[r->n_replicas++] =
        (range_replica){.node_id = 7, .replica_id = 4, .type = RANGE_REPLICA_LEARNER};
    assert_int_equal(rangedesc_voter_count(r), 3);
    raft_conf_state cs;
    rangedesc_conf_state(r, &cs);
    assert_int_equal(cs.n_voters, 3);
    assert_int_equal(cs.n_learners, 1);
    assert_int_equal(cs.learners[0], 4);
    buf_reset(&enc);
    rangedesc_encode(r, &enc);
    assert_int_equal(enc.p[0], RANGEDESC_V2);
    range_desc back;
    rangedesc_init(&back);
    mice_slice in = buf_slice(&enc);
    assert_int_equal(rangedesc_decode(&in, &back), MICE_OK);
    assert_int_equal(in.n, 0);
    assert_int_equal(rangedesc_replica_on(&back, 7)->type, RANGE_REPLICA_LEARNER);
    assert_int_equal(rangedesc_replica_on(&back, 1)->type, RANGE_REPLICA_VOTER);
    for (size_t cut = 0; cut < enc.n; cut++) {
        in = mice_slice_of(enc.p, cut);
        assert_int_equal(rangedesc_decode(&in, &back), MICE_CORRUPT);
    }
    rangedesc_describe(r, &t);
    buf_append_u8(&t, 0);
    assert_non_null(strstr((const char *)t.p, "n7:4L"));
    /* A version 2 encoding of what version 1 says is not canonical: the learner's type
     * byte (before the one-byte next id) turned into a voter's. */
    assert_int_equal(enc.p[enc.n - 2], RANGE_REPLICA_LEARNER);
    enc.p[enc.n - 2] = RANGE_REPLICA_VOTER;
    in = buf_slice(&enc);
    assert_int_equal(rangedesc_decode(&in, &back), MICE_CORRUPT);
    /* Removing the newest replica keeps its id used: version 2 says so. */
    rangedesc_remove_replica(r, 4);
    assert_int_equal(r->n_replicas, 3);
    assert_int_equal(rangedesc_next_replica_id(r), 5);
    buf_reset(&enc);
    rangedesc_encode(r, &enc);
    assert_int_equal(enc.p[0], RANGEDESC_V2);
    in = buf_slice(&enc);
    assert_int_equal(rangedesc_decode(&in, &back), MICE_OK);
    assert_int_equal(rangedesc_next_replica_id(&back), 5);
    assert_int_equal(rangedesc_voter_count(&back), 3);
    rangedesc_deinit(&back);
    for (int i = 0; i < RANGEDESC_INITIAL_COUNT; i++)
        rangedesc_deinit(&d[i]);
    buf_deinit(&enc);
    buf_deinit(&t);
}

/* --- the loopback transport ---------------------------------------------------------------- */

typedef struct inbox {
    mpsc_queue q;
    int got;
} inbox;

static void recv_fn(void *ctx, kv_raft_batch *b)
{
    inbox *in = ctx;
    mpsc_push(&in->q, &b->node);
}

static int drain(inbox *in, uint64_t wait_ms)
{
    int n = 0;
    mpsc_node *node;
    while ((node = mpsc_pop_wait(&in->q, wait_ms * MICE_NS_PER_MS))) {
        kv_raft_batch *b = MPSC_CONTAINER(node, kv_raft_batch, node);
        assert_int_equal(b->n_msgs, 1);
        assert_int_equal(b->msgs[0].type, RAFT_MSG_HEARTBEAT);
        kv_raft_batch_free(b);
        n++;
    }
    return n;
}

static void send_one(kv_transport t, uint64_t from, uint64_t to)
{
    kv_raft_batch *b = kv_raft_batch_create(1, from, to);
    raft_msg m;
    raft_msg_init(&m);
    m.type = RAFT_MSG_HEARTBEAT;
    m.from = from;
    m.to = to;
    kv_raft_batch_add(b, &m);
    t.ops->send(t.impl, b);
}

static void test_loopback_faults(void **state)
{
    (void)state;
    kv_loopback *lb = kv_loopback_create(42);
    kv_transport t = kv_loopback_transport(lb);
    inbox a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    mpsc_init(&a.q, NULL, NULL);
    mpsc_init(&b.q, NULL, NULL);
    assert_int_equal(t.ops->attach(t.impl, 1, recv_fn, &a), MICE_OK);
    assert_int_equal(t.ops->attach(t.impl, 2, recv_fn, &b), MICE_OK);
    assert_int_equal(t.ops->attach(t.impl, 2, recv_fn, &b), MICE_EXISTS);

    for (int i = 0; i < 10; i++)
        send_one(t, 1, 2);
    assert_int_equal(drain(&b, 0), 10);
    send_one(t, 1, 3); /* nobody there */
    kv_loopback_partition(lb, 1, 2, true);
    send_one(t, 2, 1);
    assert_int_equal(drain(&a, 0), 0);
    kv_loopback_partition(lb, 1, 2, false);
    kv_loopback_isolate(lb, 2, true);
    send_one(t, 1, 2);
    assert_int_equal(drain(&b, 0), 0);
    kv_loopback_heal(lb);
    send_one(t, 1, 2);
    assert_int_equal(drain(&b, 0), 1);

    kv_loopback_set_drop(lb, KV_LOOPBACK_PPM / 2);
    for (int i = 0; i < 400; i++)
        send_one(t, 1, 2);
    int got = drain(&b, 0);
    assert_in_range(got, 120, 280);
    kv_loopback_set_drop(lb, 0);

    kv_loopback_set_delay(lb, 20000, 30000);
    uint64_t t0 = env_mono_ns(mice_env_real());
    for (int i = 0; i < 5; i++)
        send_one(t, 2, 1);
    assert_int_equal(drain(&a, 0), 0); /* not yet */
    int late = 0;
    while (late < 5)
        late += drain(&a, 100);
    assert_true(env_mono_ns(mice_env_real()) - t0 >= 20 * (uint64_t)MICE_NS_PER_MS);
    kv_loopback_stats st = kv_loopback_get_stats(lb);
    assert_int_equal(st.sent, 10 + 1 + 1 + 1 + 1 + 400 + 5);
    assert_int_equal(st.delivered, 10 + 1 + (uint64_t)got + 5);
    assert_int_equal(st.dropped, st.sent - st.delivered);

    /* A batch still delayed when everything shuts down is freed (ASan checks). */
    send_one(t, 2, 1);
    t.ops->detach(t.impl, 1);
    t.ops->detach(t.impl, 2);
    kv_loopback_destroy(lb);
    mpsc_deinit(&a.q);
    mpsc_deinit(&b.q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_data_round_trip),
        cmocka_unit_test(test_raftlog_append_truncate_reopen),
        cmocka_unit_test(test_rangedesc),
        cmocka_unit_test(test_rangedesc_learners),
        cmocka_unit_test(test_loopback_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
