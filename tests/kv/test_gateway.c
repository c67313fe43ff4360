/* The gateway's retry rules against scripted nodes: two fake nodes (rpc transports on
 * 127.0.0.1 whose kv.batch handler answers from a script) and a gateway with no store of
 * its own (node 1). The directory (asked of seed node 2) says one range over every key with
 * replicas on nodes 2 and 3. Checked: a NOT_LEADER naming node 3 is followed; a call that
 * times out is retried on the other replica for a transactional write, but a committing
 * END_TXN fails with "outcome unknown" (MICE_TIMEOUT) without a retry; an undecodable
 * answer is MICE_CORRUPT; a batch over two ranges is split and merged in op order. */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/env.h"
#include "base/ioloop.h"
#include "kv/gateway.h"
#include "kv/kvwire.h"
#include "kv/rangedesc.h"
#include "rpc/proto/rpc.pb-c.h"
#include "rpc/transport.h"

static const char *CLUSTER = "test-gateway";

enum { HELD_MAX = 16 };

typedef struct fake {
    uint64_t id;
    ioloop *loop;
    rpc_transport *t;
    pthread_mutex_t mu;
    rpc_request *held[HELD_MAX]; /* requests never answered (until teardown) */
    size_t n_held;
    int served; /* batches answered with MICE_OK */
} fake;

typedef struct world {
    fake f[2]; /* nodes 2 and 3 */
    ioloop *loop;
    rpc_transport *t; /* node 1: the gateway's */
    kv_gateway *gw;
} world;

static world W;

/* The directory: [min, "m") on nodes 2 and 3 as range 7, ["m", max) as range 8. */
static void directory_row(mice_slice scan_end, kv_response *resp)
{
    range_desc d;
    rangedesc_init(&d);
    mice_buf mkey;
    buf_init(&mkey);
    rangedesc_dir_key(&mkey, mice_slice_str("m"));
    bool right = mice_slice_cmp(scan_end, buf_slice(&mkey)) > 0;
    d.range_id = right ? 8 : 7;
    d.generation = 1;
    if (right)
        buf_append_slice(&d.start, mice_slice_str("m"));
    else
        buf_append_slice(&d.end, mice_slice_str("m"));
    d.replicas[0] = (range_replica){2, 1};
    d.replicas[1] = (range_replica){3, 2};
    d.n_replicas = 2;
    mice_buf v;
    buf_init(&v);
    rangedesc_encode(&d, &v);
    kv_result_add_row(&resp->results[0], buf_slice(&mkey), buf_slice(&v), 0);
    buf_deinit(&v);
    buf_deinit(&mkey);
    rangedesc_deinit(&d);
}

static bool key_is(mice_slice k, const char *s)
{
    return mice_slice_eq(k, mice_slice_str(s));
}

static void on_request(void *ctx, rpc_request *req)
{
    fake *f = ctx;
    kvwire_request b;
    mice_err err;
    if (kvwire_decode_request(rpc_request_payload(req), &b, &err)) {
        rpc_respond(req, MICE_CORRUPT, &err, mice_slice_of(NULL, 0));
        return;
    }
    const kv_op *op = &b.req.ops[0];
    kv_response resp;
    kv_response_init(&resp);
    kv_response_reset(&resp, b.req.n_ops);
    mice_status st = MICE_OK;
    mice_buf out;
    buf_init(&out);
    bool hold = false;
    if (op->kind == KV_OP_SCAN && op->reverse && op->limit == 1) {
        directory_row(op->end, &resp);
    } else if (op->kind == KV_OP_END_TXN && f->id == 2) {
        hold = true; /* the commit reached node 2; its answer never comes */
    } else if (key_is(op->key, "slow") && f->id == 2) {
        hold = true;
    } else if (key_is(op->key, "redirect") && f->id == 2) {
        st = mice_err_setf(&err, MICE_NOT_LEADER, "range 7: not the leaseholder; leader is node 3");
    } else if (key_is(op->key, "junk")) {
        buf_append_slice(&out, mice_slice_str("\xff\xff\xff"));
        rpc_respond(req, MICE_OK, NULL, buf_slice(&out));
        goto done;
    } else {
        for (size_t i = 0; i < b.req.n_ops; i++) { /* echo: value = node id + key */
            char v[64];
            snprintf(v, sizeof v, "n%" PRIu64 ":%.*s", f->id, (int)b.req.ops[i].key.n,
                     (const char *)b.req.ops[i].key.p);
            resp.results[i].found = true;
            buf_append_slice(&resp.results[i].value, mice_slice_str(v));
        }
    }
    if (hold) {
        pthread_mutex_lock(&f->mu);
        assert_true(f->n_held < HELD_MAX);
        f->held[f->n_held++] = req;
        pthread_mutex_unlock(&f->mu);
        goto done;
    }
    kvwire_encode_response(st, &err, &resp, &out);
    if (st == MICE_OK) {
        pthread_mutex_lock(&f->mu);
        f->served++;
        pthread_mutex_unlock(&f->mu);
    }
    rpc_respond(req, MICE_OK, NULL, buf_slice(&out));
done:
    buf_deinit(&out);
    kv_response_deinit(&resp);
    kvwire_request_deinit(&b);
}

static int served(fake *f)
{
    pthread_mutex_lock(&f->mu);
    int n = f->served;
    pthread_mutex_unlock(&f->mu);
    return n;
}

static void transport_up(uint64_t id, ioloop **loop, rpc_transport **t, fake *f)
{
    char name[16];
    snprintf(name, sizeof name, "io%" PRIu64, id);
    assert_int_equal(ioloop_start(name, loop, NULL), MICE_OK);
    rpc_config c;
    rpc_config_init(&c, id, CLUSTER);
    c.listen_addr = "127.0.0.1:0";
    c.on_request = f ? on_request : NULL;
    c.handler_ctx = f;
    assert_int_equal(rpc_transport_create(*loop, &c, t, NULL), MICE_OK);
}

static int setup(void **state)
{
    (void)state;
    memset(&W, 0, sizeof W);
    for (int i = 0; i < 2; i++) {
        fake *f = &W.f[i];
        f->id = (uint64_t)i + 2;
        pthread_mutex_init(&f->mu, NULL);
        transport_up(f->id, &f->loop, &f->t, f);
    }
    transport_up(1, &W.loop, &W.t, NULL);
    for (int i = 0; i < 2; i++) {
        char addr[64];
        snprintf(addr, sizeof addr, "127.0.0.1:%d", rpc_transport_port(W.f[i].t));
        assert_int_equal(rpc_set_peer_addr(W.t, W.f[i].id, addr), MICE_OK);
    }
    assert_int_equal(kv_gateway_create(NULL, W.t, mice_env_real(), &W.gw, NULL), MICE_OK);
    kv_gateway_add_seed(W.gw, 2);
    kv_gateway_set_deadline_ms(W.gw, 900); /* calls time out after 300 ms */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kv_gateway_destroy(W.gw);
    rpc_transport_destroy(W.t);
    ioloop_destroy(W.loop);
    for (int i = 0; i < 2; i++) {
        fake *f = &W.f[i];
        rpc_transport_destroy(f->t);
        for (size_t k = 0; k < f->n_held; k++) /* answers to a destroyed transport drop */
            rpc_respond(f->held[k], MICE_OK, NULL, mice_slice_of(NULL, 0));
        ioloop_destroy(f->loop);
        pthread_mutex_destroy(&f->mu);
    }
    return 0;
}

static void assert_value(const kv_result *r, const char *want)
{
    assert_true(mice_slice_eq(buf_slice(&r->value), mice_slice_str(want)));
}

static mice_status get(const char *key, kv_response *resp, mice_err *err)
{
    kv_op op = {.kind = KV_OP_GET, .key = mice_slice_str(key)};
    kv_request req = {.ops = &op, .n_ops = 1};
    return kv_gateway_send(W.gw, &req, resp, err);
}

static void test_follows_leader_hint(void **state)
{
    (void)state;
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    assert_int_equal(get("redirect", &resp, &err), MICE_OK);
    assert_value(&resp.results[0], "n3:redirect");
    kv_gateway_stats s = kv_gateway_get_stats(W.gw);
    assert_true(s.redirects >= 1);
    assert_true(s.directory_lookups >= 1);
    kv_response_deinit(&resp);
}

static void test_retry_safe_write_moves_on(void **state)
{
    (void)state;
    kv_txn_meta meta = {.id = 42, .primary = mice_slice_str("slow"), .lock_timeout_ms = 1};
    kv_op op = {.kind = KV_OP_PUT, .key = mice_slice_str("slow"), .value = mice_slice_str("v")};
    kv_request req = {.txn = &meta, .ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    int before = served(&W.f[1]);
    mice_status rc = kv_gateway_send(W.gw, &req, &resp, &err);
    if (rc) printf("put: %s\n", mice_err_msg(&err));
    assert_int_equal(rc, MICE_OK); /* node 2 held it; node 3 took the retry */
    assert_value(&resp.results[0], "n3:slow");
    assert_int_equal(served(&W.f[1]), before + 1);
    kv_response_deinit(&resp);
}

static void test_commit_with_unknown_outcome_is_not_retried(void **state)
{
    (void)state;
    mice_slice intents[1] = {mice_slice_str("a")};
    kv_txn_meta meta = {.id = 43, .primary = mice_slice_str("a")};
    kv_op op = {.kind = KV_OP_END_TXN,
                .commit = true,
                .one_phase = true,
                .intents = intents,
                .n_intents = 1};
    kv_request req = {.txn = &meta, .ops = &op, .n_ops = 1};
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    int before = served(&W.f[1]);
    uint64_t ambiguous = kv_gateway_get_stats(W.gw).ambiguous;
    mice_status rc = kv_gateway_send(W.gw, &req, &resp, &err);
    printf("commit: %s (%s)\n", mice_status_name(rc), mice_err_msg(&err));
    assert_int_equal(rc, MICE_TIMEOUT);
    assert_non_null(strstr(mice_err_msg(&err), "outcome unknown"));
    assert_int_equal(served(&W.f[1]), before); /* never sent to node 3 */
    assert_int_equal(kv_gateway_get_stats(W.gw).ambiguous, ambiguous + 1);
    /* An abort of the same transaction is harmless to repeat: it moves on to node 3. */
    op.commit = false;
    rc = kv_gateway_send(W.gw, &req, &resp, &err);
    assert_int_equal(rc, MICE_OK);
    assert_int_equal(served(&W.f[1]), before + 1);
    kv_response_deinit(&resp);
}

static void test_undecodable_answer(void **state)
{
    (void)state;
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    assert_int_equal(get("junk", &resp, &err), MICE_CORRUPT);
    kv_response_deinit(&resp);
}

static void test_batch_split_over_ranges(void **state)
{
    (void)state;
    kv_op ops[4] = {{.kind = KV_OP_GET, .key = mice_slice_str("b")},
                    {.kind = KV_OP_GET, .key = mice_slice_str("x")},
                    {.kind = KV_OP_GET, .key = mice_slice_str("c")},
                    {.kind = KV_OP_GET, .key = mice_slice_str("y")}};
    kv_request req = {.ops = ops, .n_ops = 4};
    kv_response resp;
    kv_response_init(&resp);
    mice_err err;
    uint64_t splits = kv_gateway_get_stats(W.gw).splits;
    assert_int_equal(kv_gateway_send(W.gw, &req, &resp, &err), MICE_OK);
    assert_int_equal(resp.n_results, 4);
    const char *keys[4] = {"b", "x", "c", "y"};
    for (int i = 0; i < 4; i++) { /* each answer in its op's place, from some replica */
        mice_slice v = buf_slice(&resp.results[i].value);
        assert_int_equal(v.n, 4);
        assert_int_equal(v.p[3], keys[i][0]);
    }
    assert_int_equal(kv_gateway_get_stats(W.gw).splits, splits + 1);
    uint64_t id = 0;
    mice_buf s, e;
    buf_init(&s);
    buf_init(&e);
    assert_int_equal(kv_gateway_range_of(W.gw, mice_slice_str("x"), &id, &s, &e, NULL), MICE_OK);
    assert_int_equal(id, 8);
    assert_int_equal(kv_gateway_range_of(W.gw, mice_slice_str("b"), &id, &s, &e, NULL), MICE_OK);
    assert_int_equal(id, 7);
    assert_true(mice_slice_eq(buf_slice(&e), mice_slice_str("m")));
    buf_deinit(&s);
    buf_deinit(&e);
    kv_response_deinit(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follows_leader_hint),
        cmocka_unit_test(test_retry_safe_write_moves_on),
        cmocka_unit_test(test_commit_with_unknown_outcome_is_not_retried),
        cmocka_unit_test(test_undecodable_answer),
        cmocka_unit_test(test_batch_split_over_ranges),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
