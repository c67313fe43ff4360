/* Unit tests for kv/replica and kv/sender, below the transaction layer: routing, the
 * proposer seam (intents unsynced, commits synced), readers ignoring pending intents with
 * commits landing above them, 2PC roll-forward by others, abandoned intents, and a
 * many-write request (one proposal; failed_op names the failing if_absent PUT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kv/sender.h"
#include "kv/support/kv_test.h"

typedef struct fixture {
    char *dir;
    engine *e;
    hlc *clock;
    kv_replica *r;
    kv_sender *s;
    int proposals, synced;
} fixture;

static mice_status counting_propose(void *ctx, uint64_t lease, engine_batch *effects, bool sync,
                                    mice_err *err)
{
    fixture *f = ctx;
    (void)lease;
    f->proposals++;
    f->synced += sync;
    return engine_batch_commit(effects, sync ? ENGINE_SYNC : ENGINE_NOSYNC, err);
}

static void fixture_open(fixture *f, uint64_t ttl_ms)
{
    memset(f, 0, sizeof *f);
    f->e = kt_open("replica", &f->dir);
    f->clock = hlc_create(mice_env_real(), 0);
    kv_replica_config cfg;
    kv_replica_config_init(&cfg);
    if (ttl_ms) cfg.txn_ttl_ms = ttl_ms;
    cfg.proposer = (kv_proposer){counting_propose, f};
    f->r = kv_replica_create(f->e, f->clock, mice_env_real(), &cfg);
    f->s = kv_sender_create();
    kv_sender_add_replica(f->s, f->r);
}

static void fixture_close(fixture *f)
{
    kv_sender_destroy(f->s);
    kv_replica_destroy(f->r);
    hlc_destroy(f->clock);
    kt_close(f->e, f->dir);
}

static mice_status send1(fixture *f, const kv_txn_meta *txn, kv_op op, kv_response *resp)
{
    kv_request req = {.txn = txn, .ops = &op, .n_ops = 1};
    mice_err err;
    return kv_sender_send(f->s, &req, resp, &err);
}

static bool get_now(fixture *f, const char *key, char *out, size_t cap)
{
    kv_response resp;
    kv_response_init(&resp);
    assert_int_equal(send1(f, NULL, (kv_op){.kind = KV_OP_GET, .key = mice_slice_str(key)}, &resp),
                     MICE_OK);
    bool found = resp.results[0].found;
    snprintf(out, cap, "%.*s", (int)resp.results[0].value.n, (const char *)resp.results[0].value.p);
    kv_response_deinit(&resp);
    return found;
}

static kv_txn_meta txn_meta(fixture *f, uint64_t id, const char *primary)
{
    hlc_ts now = hlc_now(f->clock);
    return (kv_txn_meta){.id = id,
                         .primary = mice_slice_str(primary),
                         .start_ts = now,
                         .read_ts = now,
                         .write_ts = now,
                         .isolation = KV_REPEATABLE_READ,
                         .seq = 1,
                         .stmt_seq = 1};
}

static void test_routing_and_sync_contract(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, 0);
    kv_response resp;
    kv_response_init(&resp);
    kv_txn_meta t = txn_meta(&f, 7, "k");
    kv_op put = {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("k"), .value = MICE_SLICE_LIT("v")};
    assert_int_equal(send1(&f, &t, put, &resp), MICE_OK);
    assert_int_equal(f.proposals, 1);
    assert_int_equal(f.synced, 0); /* intents: unsynced */
    mice_slice keys[] = {MICE_SLICE_LIT("k")};
    kv_op commit = {
        .kind = KV_OP_END_TXN, .commit = true, .one_phase = true, .intents = keys, .n_intents = 1};
    assert_int_equal(send1(&f, &t, commit, &resp), MICE_OK);
    assert_int_equal(f.synced, 1); /* the commit: synced */
    assert_int_equal(send1(&f, NULL, put, &resp), MICE_OK);
    assert_int_equal(f.synced, 2); /* one-shot writes: synced */
    char v[16];
    assert_true(get_now(&f, "k", v, sizeof v));
    assert_int_equal(f.proposals, 3); /* reads propose nothing */
    /* a second replica over [m, end): batches may not span both */
    kv_replica_config cfg;
    kv_replica_config_init(&cfg);
    cfg.start = MICE_SLICE_LIT("m");
    kv_replica *r2 = kv_replica_create(f.e, f.clock, mice_env_real(), &cfg);
    kv_sender *s2 = kv_sender_create();
    kv_sender_add_replica(s2, r2);
    kv_op ops[2] = {{.kind = KV_OP_GET, .key = MICE_SLICE_LIT("a")},
                    {.kind = KV_OP_GET, .key = MICE_SLICE_LIT("z")}};
    kv_request req = {.ops = ops, .n_ops = 2};
    assert_int_equal(kv_sender_send(s2, &req, &resp, NULL), MICE_NOTFOUND);
    kv_sender_add_replica(s2, f.r);
    assert_int_equal(kv_sender_send(s2, &req, &resp, NULL), MICE_UNSUPPORTED);
    assert_true(kv_sender_route(s2, MICE_SLICE_LIT("z")) == r2);
    assert_int_equal(kv_replica_send(r2, &(kv_request){.ops = ops, .n_ops = 1}, &resp, NULL),
                     MICE_INVALID);
    kv_response_deinit(&resp);
    kv_sender_destroy(s2);
    kv_replica_destroy(r2);
    fixture_close(&f);
}

/* A request with many writes is one evaluation and one proposal; an if_absent PUT that
 * finds a live value fails the whole request and failed_op names it. */
static void test_multi_op_batch_and_failed_op(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, 0);
    kv_response resp;
    kv_response_init(&resp);
    kv_op one = {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("b"), .value = MICE_SLICE_LIT("0")};
    assert_int_equal(send1(&f, NULL, one, &resp), MICE_OK);
    int before = f.proposals;
    kv_txn_meta t = txn_meta(&f, 9, "a");
    kv_op ops[4] = {
        {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("a"), .value = MICE_SLICE_LIT("1")},
        {.kind = KV_OP_PUT,
         .key = MICE_SLICE_LIT("c"),
         .value = MICE_SLICE_LIT("1"),
         .if_absent = true},
        {.kind = KV_OP_PUT,
         .key = MICE_SLICE_LIT("b"),
         .value = MICE_SLICE_LIT("1"),
         .if_absent = true},
        {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("d"), .value = MICE_SLICE_LIT("1")},
    };
    kv_request req = {.txn = &t, .ops = ops, .n_ops = 4};
    mice_err err;
    assert_int_equal(kv_sender_send(f.s, &req, &resp, &err), MICE_EXISTS);
    assert_int_equal(resp.failed_op, 2);
    assert_int_equal(f.proposals, before); /* nothing of the request was written */
    ops[2].key = MICE_SLICE_LIT("e");
    assert_int_equal(kv_sender_send(f.s, &req, &resp, &err), MICE_OK);
    assert_int_equal(resp.failed_op, 4);       /* n_results: no op failed */
    assert_int_equal(f.proposals, before + 1); /* four intents, one proposal */
    mice_slice keys[] = {MICE_SLICE_LIT("a"), MICE_SLICE_LIT("c"), MICE_SLICE_LIT("e"),
                         MICE_SLICE_LIT("d")};
    kv_op commit = {
        .kind = KV_OP_END_TXN, .commit = true, .one_phase = true, .intents = keys, .n_intents = 4};
    assert_int_equal(send1(&f, &t, commit, &resp), MICE_OK);
    char v[16];
    assert_true(get_now(&f, "e", v, sizeof v));
    assert_string_equal(v, "1");
    assert_true(get_now(&f, "b", v, sizeof v));
    assert_string_equal(v, "0");
    kv_response_deinit(&resp);
    fixture_close(&f);
}

static void test_reader_ignores_pending_and_commit_lands_above(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, 0);
    kv_response resp;
    kv_response_init(&resp);
    kv_txn_meta t = txn_meta(&f, 9, "k");
    assert_int_equal(
        send1(&f, &t,
              (kv_op){.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("k"), .value = MICE_SLICE_LIT("v")},
              &resp),
        MICE_OK);
    /* a reader at a timestamp above the writer's does not wait and does not see it */
    hlc_ts read_ts = hlc_now(f.clock);
    kv_request rq = {
        .ts = read_ts, .ops = &(kv_op){.kind = KV_OP_GET, .key = MICE_SLICE_LIT("k")}, .n_ops = 1};
    assert_int_equal(kv_sender_send(f.s, &rq, &resp, NULL), MICE_OK);
    assert_false(resp.results[0].found);
    mice_slice keys[] = {MICE_SLICE_LIT("k")};
    kv_op commit = {
        .kind = KV_OP_END_TXN, .commit = true, .one_phase = true, .intents = keys, .n_intents = 1};
    assert_int_equal(send1(&f, &t, commit, &resp), MICE_OK);
    assert_true(hlc_ts_less(read_ts, resp.results[0].commit_ts)); /* the read stays repeatable */
    assert_int_equal(kv_sender_send(f.s, &rq, &resp, NULL), MICE_OK);
    assert_false(resp.results[0].found);
    kv_response_deinit(&resp);
    fixture_close(&f);
}

static void test_committed_intent_rolled_forward_by_others(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, 0);
    kv_response resp;
    kv_response_init(&resp);
    kv_txn_meta t = txn_meta(&f, 11, "a");
    kv_op pa = {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("a"), .value = MICE_SLICE_LIT("1")};
    kv_op pb = {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("b"), .value = MICE_SLICE_LIT("1")};
    assert_int_equal(send1(&f, &t, pa, &resp), MICE_OK);
    assert_int_equal(send1(&f, &t, pb, &resp), MICE_OK);
    mice_slice keys[] = {MICE_SLICE_LIT("a"), MICE_SLICE_LIT("b")};
    kv_op commit = {
        .kind = KV_OP_END_TXN, .commit = true, .one_phase = false, .intents = keys, .n_intents = 2};
    assert_int_equal(send1(&f, &t, commit, &resp), MICE_OK); /* record COMMITTED, intents stay */
    char v[16];
    assert_true(get_now(&f, "a", v, sizeof v)); /* readers interpret the intent */
    assert_string_equal(v, "1");
    kv_op over = {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("b"), .value = MICE_SLICE_LIT("2")};
    assert_int_equal(send1(&f, NULL, over, &resp), MICE_OK); /* a writer rolls it forward */
    assert_true(get_now(&f, "b", v, sizeof v));
    assert_string_equal(v, "2");
    kv_op resolve = {.kind = KV_OP_RESOLVE,
                     .key = MICE_SLICE_LIT("a"),
                     .resolve = KV_RESOLVE_COMMIT,
                     .commit_ts = hlc_now(f.clock)};
    assert_int_equal(send1(&f, &t, resolve, &resp), MICE_OK);
    assert_true(get_now(&f, "a", v, sizeof v));
    assert_int_equal(send1(&f, &t, (kv_op){.kind = KV_OP_GC_TXN}, &resp), MICE_OK);
    kv_response_deinit(&resp);
    fixture_close(&f);
}

static void test_abandoned_intent_rolled_back(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, 30);
    kv_response resp;
    kv_response_init(&resp);
    kv_txn_meta t = txn_meta(&f, 13, "k");
    assert_int_equal(
        send1(
            &f, &t,
            (kv_op){.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("k"), .value = MICE_SLICE_LIT("dead")},
            &resp),
        MICE_OK);
    locktable_txn_finish(kv_replica_locktable(f.r), 13); /* its coordinator is gone */
    kv_op put = {.kind = KV_OP_PUT, .key = MICE_SLICE_LIT("k"), .value = MICE_SLICE_LIT("new")};
    assert_int_equal(send1(&f, NULL, put, &resp), MICE_OK); /* after the TTL */
    char v[16];
    assert_true(get_now(&f, "k", v, sizeof v));
    assert_string_equal(v, "new");
    mice_slice keys[] = {MICE_SLICE_LIT("k")};
    kv_op commit = {
        .kind = KV_OP_END_TXN, .commit = true, .one_phase = true, .intents = keys, .n_intents = 1};
    assert_int_equal(send1(&f, &t, commit, &resp), MICE_CONFLICT);
    assert_int_equal(resp.conflict, KV_CONFLICT_SERIALIZATION);
    kv_response_deinit(&resp);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routing_and_sync_contract),
        cmocka_unit_test(test_multi_op_batch_and_failed_op),
        cmocka_unit_test(test_reader_ignores_pending_and_commit_lands_above),
        cmocka_unit_test(test_committed_intent_rolled_forward_by_others),
        cmocka_unit_test(test_abandoned_intent_rolled_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
