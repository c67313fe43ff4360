/* The placement driver's decisions on tables of cases: liveness of the nodes, the ranges'
 * replicas, the change expected (placement.h lists the rules in order). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kv/placement.h"

enum { CASE_NODES_MAX = 6, CASE_RANGES_MAX = 3, CASE_REPLICAS_MAX = 6 };

#define DEAD_MS 60000

/* A replica: node id, negative for a learner. */
typedef struct placement_case {
    const char *name;
    placement_node nodes[CASE_NODES_MAX];
    int replicas[CASE_RANGES_MAX][CASE_REPLICAS_MAX]; /* per range, 0-terminated */
    uint32_t replication_factor;                       /* 0: default */
    placement_op op;
    uint64_t range_id;
    uint64_t node_id;
} placement_case;

#define LIVE(id) {.node_id = (id), .live = true}
#define DOWN(id, ms) {.node_id = (id), .live = false, .down_ms = (ms)}

static const placement_case cases[] = {
    {"balanced: nothing to do",
     {LIVE(1), LIVE(2), LIVE(3)},
     {{1, 2, 3}, {1, 2, 3}},
     0, PLACEMENT_NONE, 0, 0},
    {"a fourth node alone changes nothing",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4)},
     {{1, 2, 3}},
     0, PLACEMENT_NONE, 0, 0},
    {"under-replicated: add on the live node with the fewest replicas",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4)},
     {{1, 2}, {1, 2, 3}, {2, 3, 4}},
     0, PLACEMENT_ADD, 1, 4},
    {"under-replicated, equal load: lowest node id",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4)},
     {{1}, {1, 2, 3}, {1, 4}},
     0, PLACEMENT_ADD, 1, 2},
    {"suspect node: no replacement before the timeout",
     {LIVE(1), LIVE(2), DOWN(3, DEAD_MS - 1), LIVE(4)},
     {{1, 2, 3}},
     0, PLACEMENT_NONE, 0, 0},
    {"dead node: its replacement first",
     {LIVE(1), LIVE(2), DOWN(3, DEAD_MS), LIVE(4)},
     {{1, 2, 3}},
     0, PLACEMENT_ADD, 1, 4},
    {"dead node replaced: remove it",
     {LIVE(1), LIVE(2), DOWN(3, DEAD_MS), LIVE(4)},
     {{1, 2, 3, 4}},
     0, PLACEMENT_REMOVE, 1, 3},
    {"dead node and no spare node: shrink to the live nodes",
     {LIVE(1), LIVE(2), DOWN(3, 2 * DEAD_MS)},
     {{1, 2, 3}},
     0, PLACEMENT_REMOVE, 1, 3},
    {"a node missing from the list counts as dead",
     {LIVE(1), LIVE(2), LIVE(4)},
     {{1, 2, 9}},
     0, PLACEMENT_ADD, 1, 4},
    {"quorum lost: skipped (nothing could commit); the next range acts",
     {LIVE(1), DOWN(2, DEAD_MS), DOWN(3, DEAD_MS), LIVE(4)},
     {{1, 2, 3}, {1}},
     0, PLACEMENT_ADD, 2, 4},
    {"learner on a live node: finish adding it",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4)},
     {{1, 2, 3, -4}},
     0, PLACEMENT_ADD, 1, 4},
    {"learner on a dead node: remove it",
     {LIVE(1), LIVE(2), LIVE(3), DOWN(4, DEAD_MS)},
     {{1, 2, 3, -4}},
     0, PLACEMENT_REMOVE, 1, 4},
    {"learner on a suspect node: wait",
     {LIVE(1), LIVE(2), LIVE(3), DOWN(4, 1)},
     {{1, 2, 3, -4}},
     0, PLACEMENT_NONE, 0, 0},
    {"over-replicated: drop from the most loaded node",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4)},
     {{1, 2, 3, 4}, {2, 3, 4}},
     0, PLACEMENT_REMOVE, 1, 4},
    {"over-replicated while a node is suspect: wait",
     {LIVE(1), LIVE(2), LIVE(3), DOWN(4, 5)},
     {{1, 2, 3, 4}},
     0, PLACEMENT_NONE, 0, 0},
    {"fewer nodes than the factor: every live node",
     {LIVE(1), LIVE(2)},
     {{1}},
     0, PLACEMENT_ADD, 1, 2},
    {"factor 5 on five nodes",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4), LIVE(5)},
     {{1, 2, 3}},
     5, PLACEMENT_ADD, 1, 4},
    {"a node that joined receives replicas (rebalance)",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4)},
     {{1, 2, 3}, {1, 2, 3}, {1, 2, 3}},
     0, PLACEMENT_ADD, 1, 4},
    {"rebalance, second half: the most loaded node gives its replica up",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4)},
     {{1, 2, 3, 4}, {1, 2, 3}, {1, 2, 3}},
     0, PLACEMENT_REMOVE, 1, 3},
    {"no rebalance onto a node while a replica's node is suspect",
     {LIVE(1), LIVE(2), LIVE(3), LIVE(4), DOWN(5, 5)},
     {{1, 2, 5}, {1, 2, 3}, {1, 2, 3}},
     0, PLACEMENT_NONE, 0, 0},
    {"factor 1: down to one voter",
     {LIVE(1), LIVE(2), LIVE(3)},
     {{1, 2, 3}},
     1, PLACEMENT_REMOVE, 1, 3},
};

static void build_descs(const placement_case *c, range_desc *descs, size_t *n)
{
    *n = 0;
    for (size_t r = 0; r < CASE_RANGES_MAX && c->replicas[r][0]; r++) {
        range_desc *d = &descs[(*n)++];
        rangedesc_init(d);
        d->range_id = r + 1;
        d->generation = 1;
        buf_append_u8(&d->start, (uint8_t)('a' + r));
        if (r + 1 < CASE_RANGES_MAX) buf_append_u8(&d->end, (uint8_t)('a' + r + 1));
        for (size_t i = 0; i < CASE_REPLICAS_MAX && c->replicas[r][i]; i++) {
            int v = c->replicas[r][i];
            d->replicas[d->n_replicas++] = (range_replica){
                .node_id = (uint64_t)(v < 0 ? -v : v),
                .replica_id = i + 1,
                .type = v < 0 ? RANGE_REPLICA_LEARNER : RANGE_REPLICA_VOTER};
        }
    }
}

static size_t count_nodes(const placement_case *c)
{
    size_t n = 0;
    while (n < CASE_NODES_MAX && c->nodes[n].node_id) n++;
    return n;
}

static void test_decision_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const placement_case *c = &cases[i];
        placement_config cfg;
        placement_config_init(&cfg);
        assert_int_equal(cfg.dead_timeout_ms, DEAD_MS);
        if (c->replication_factor) cfg.replication_factor = c->replication_factor;
        range_desc descs[CASE_RANGES_MAX];
        size_t n = 0;
        build_descs(c, descs, &n);
        placement_change got = placement_next(&cfg, c->nodes, count_nodes(c), descs, n);
        mice_buf what;
        buf_init(&what);
        placement_describe(&got, &what);
        printf("# %-66s -> %.*s\n", c->name, (int)what.n, (const char *)what.p);
        if (got.op != c->op || got.range_id != c->range_id || got.node_id != c->node_id)
            fail_msg("case \"%s\": got %.*s", c->name, (int)what.n, (const char *)what.p);
        if (got.op != PLACEMENT_NONE) {
            assert_int_equal(got.generation, 1);
            assert_non_null(got.reason);
        }
        buf_deinit(&what);
        for (size_t r = 0; r < n; r++)
            rangedesc_deinit(&descs[r]);
    }
}

/* Applying each decision as the store would converges: a dead node's replicas all move. */
static void test_converges_after_a_node_dies(void **state)
{
    (void)state;
    placement_config cfg;
    placement_config_init(&cfg);
    placement_node nodes[] = {LIVE(1), LIVE(2), DOWN(3, DEAD_MS), LIVE(4), LIVE(5)};
    placement_case c = {.replicas = {{1, 2, 3}, {1, 3, 4}, {2, 3, 5}}};
    range_desc descs[CASE_RANGES_MAX];
    size_t n = 0;
    build_descs(&c, descs, &n);
    int steps = 0;
    for (;; steps++) {
        assert_true(steps < 20);
        placement_change ch = placement_next(&cfg, nodes, 5, descs, n);
        if (ch.op == PLACEMENT_NONE) break;
        range_desc *d = &descs[ch.range_id - 1];
        if (ch.op == PLACEMENT_ADD) {
            assert_null(rangedesc_replica_on(d, ch.node_id));
            d->replicas[d->n_replicas++] = (range_replica){
                .node_id = ch.node_id, .replica_id = rangedesc_next_replica_id(d)};
        } else {
            rangedesc_remove_replica(d, rangedesc_replica_on(d, ch.node_id)->replica_id);
        }
        d->generation++;
    }
    assert_int_equal(steps, 6); /* three adds, three removals */
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(descs[r].n_replicas, 3);
        assert_null(rangedesc_replica_on(&descs[r], 3));
        rangedesc_deinit(&descs[r]);
    }
}

/* A node joining a 3-node cluster ends up with its share: counts within one. */
static void test_joining_node_gets_its_share(void **state)
{
    (void)state;
    placement_config cfg;
    placement_config_init(&cfg);
    placement_node nodes[] = {LIVE(1), LIVE(2), LIVE(3), LIVE(4)};
    placement_case c = {.replicas = {{1, 2, 3}, {1, 2, 3}, {1, 2, 3}}};
    range_desc descs[CASE_RANGES_MAX];
    size_t n = 0;
    build_descs(&c, descs, &n);
    for (int steps = 0;; steps++) {
        assert_true(steps < 20);
        placement_change ch = placement_next(&cfg, nodes, 4, descs, n);
        if (ch.op == PLACEMENT_NONE) break;
        range_desc *d = &descs[ch.range_id - 1];
        if (ch.op == PLACEMENT_ADD) {
            d->replicas[d->n_replicas++] = (range_replica){
                .node_id = ch.node_id, .replica_id = rangedesc_next_replica_id(d)};
        } else {
            rangedesc_remove_replica(d, rangedesc_replica_on(d, ch.node_id)->replica_id);
        }
        d->generation++;
    }
    uint64_t counts[5] = {0};
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(descs[r].n_replicas, 3);
        for (uint32_t i = 0; i < descs[r].n_replicas; i++) counts[descs[r].replicas[i].node_id]++;
        rangedesc_deinit(&descs[r]);
    }
    assert_int_equal(counts[4], 2); /* 9 replicas over 4 nodes: 3, 2, 2, 2 */
    for (int k = 1; k <= 4; k++) assert_true(counts[k] >= 2 && counts[k] <= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decision_table),
        cmocka_unit_test(test_converges_after_a_node_dies),
        cmocka_unit_test(test_joining_node_gets_its_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
