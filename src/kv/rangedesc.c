/* Range descriptors: values, encoding, the directory's keys, the initial layout
 * (see rangedesc.h). */
#include "kv/rangedesc.h"

#include <inttypes.h>
#include <string.h>

#include "base/check.h"
#include "base/keyenc.h"
#include "base/varint.h"
#include "kv/keys.h"

void rangedesc_init(range_desc *d)
{
    memset(d, 0, sizeof *d);
    buf_init(&d->start);
    buf_init(&d->end);
}

void rangedesc_deinit(range_desc *d)
{
    buf_deinit(&d->start);
    buf_deinit(&d->end);
    memset(d, 0, sizeof *d);
}

void rangedesc_copy(range_desc *dst, const range_desc *src)
{
    dst->range_id = src->range_id;
    dst->generation = src->generation;
    buf_reset(&dst->start);
    buf_reset(&dst->end);
    buf_append_slice(&dst->start, buf_slice(&src->start));
    buf_append_slice(&dst->end, buf_slice(&src->end));
    memcpy(dst->replicas, src->replicas, sizeof dst->replicas);
    dst->n_replicas = src->n_replicas;
    dst->next_replica_id = src->next_replica_id;
}

bool rangedesc_is_initialized(const range_desc *d)
{
    return d->generation > 0;
}

bool rangedesc_contains(const range_desc *d, mice_slice key)
{
    if (!rangedesc_is_initialized(d)) return false;
    if (mice_slice_cmp(key, buf_slice(&d->start)) < 0) return false;
    return d->end.n == 0 || mice_slice_cmp(key, buf_slice(&d->end)) < 0;
}

bool rangedesc_overlaps(const range_desc *d, mice_slice start, mice_slice end)
{
    if (!rangedesc_is_initialized(d)) return false;
    /* [a, b) and [c, e) overlap when a < e and c < b (empty ends are infinite). */
    bool a_before_e = end.n == 0 || mice_slice_cmp(buf_slice(&d->start), end) < 0;
    bool c_before_b = d->end.n == 0 || mice_slice_cmp(start, buf_slice(&d->end)) < 0;
    return a_before_e && c_before_b;
}

const range_replica *rangedesc_replica_on(const range_desc *d, uint64_t node_id)
{
    for (uint32_t i = 0; i < d->n_replicas; i++)
        if (d->replicas[i].node_id == node_id) return &d->replicas[i];
    return NULL;
}

const range_replica *rangedesc_replica_by_id(const range_desc *d, uint64_t replica_id)
{
    for (uint32_t i = 0; i < d->n_replicas; i++)
        if (d->replicas[i].replica_id == replica_id) return &d->replicas[i];
    return NULL;
}

void rangedesc_conf_state(const range_desc *d, raft_conf_state *cs)
{
    memset(cs, 0, sizeof *cs);
    for (uint32_t i = 0; i < d->n_replicas; i++) {
        if (d->replicas[i].type == RANGE_REPLICA_LEARNER)
            cs->learners[cs->n_learners++] = d->replicas[i].replica_id;
        else
            cs->voters[cs->n_voters++] = d->replicas[i].replica_id;
    }
}

uint32_t rangedesc_voter_count(const range_desc *d)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->n_replicas; i++)
        n += d->replicas[i].type == RANGE_REPLICA_VOTER;
    return n;
}

static uint64_t max_replica_id(const range_desc *d)
{
    uint64_t max = 0;
    for (uint32_t i = 0; i < d->n_replicas; i++)
        if (d->replicas[i].replica_id > max) max = d->replicas[i].replica_id;
    return max;
}

uint64_t rangedesc_next_replica_id(const range_desc *d)
{
    uint64_t next = max_replica_id(d) + 1;
    return d->next_replica_id > next ? d->next_replica_id : next;
}

void rangedesc_remove_replica(range_desc *d, uint64_t replica_id)
{
    uint64_t next = rangedesc_next_replica_id(d);
    for (uint32_t i = 0; i < d->n_replicas; i++) {
        if (d->replicas[i].replica_id != replica_id) continue;
        memmove(&d->replicas[i], &d->replicas[i + 1],
                (d->n_replicas - i - 1) * sizeof d->replicas[0]);
        d->n_replicas--;
        break;
    }
    d->next_replica_id = next > max_replica_id(d) + 1 ? next : 0;
}

/* Version 1 says it all: every replica votes and the next id follows the largest. */
static bool fits_v1(const range_desc *d)
{
    if (rangedesc_next_replica_id(d) != max_replica_id(d) + 1) return false;
    return rangedesc_voter_count(d) == d->n_replicas;
}

static void put_bytes(mice_buf *out, mice_slice s)
{
    varint_put_u64(out, s.n);
    buf_append_slice(out, s);
}

static mice_status get_bytes(mice_slice *in, mice_buf *out)
{
    uint64_t n = 0;
    if (varint_get_u64(in, &n) || n > in->n) return MICE_CORRUPT;
    buf_reset(out);
    buf_append(out, in->p, (size_t)n);
    in->p += n;
    in->n -= (size_t)n;
    return MICE_OK;
}

void rangedesc_encode(const range_desc *d, mice_buf *out)
{
    bool v1 = fits_v1(d);
    buf_append_u8(out, v1 ? RANGEDESC_V1 : RANGEDESC_V2);
    varint_put_u64(out, d->range_id);
    varint_put_u64(out, d->generation);
    put_bytes(out, buf_slice(&d->start));
    put_bytes(out, buf_slice(&d->end));
    varint_put_u64(out, d->n_replicas);
    for (uint32_t i = 0; i < d->n_replicas; i++) {
        varint_put_u64(out, d->replicas[i].node_id);
        varint_put_u64(out, d->replicas[i].replica_id);
        if (!v1) buf_append_u8(out, (uint8_t)d->replicas[i].type);
    }
    if (!v1) varint_put_u64(out, rangedesc_next_replica_id(d));
}

mice_status rangedesc_decode(mice_slice *in, range_desc *d)
{
    if (in->n < 1 || (in->p[0] != RANGEDESC_V1 && in->p[0] != RANGEDESC_V2)) return MICE_CORRUPT;
    bool v2 = in->p[0] == RANGEDESC_V2;
    in->p++;
    in->n--;
    uint64_t n = 0;
    if (varint_get_u64(in, &d->range_id) || varint_get_u64(in, &d->generation) ||
        get_bytes(in, &d->start) || get_bytes(in, &d->end) || varint_get_u64(in, &n))
        return MICE_CORRUPT;
    if (d->range_id == 0 || n == 0 || n > RANGEDESC_REPLICAS_MAX) return MICE_CORRUPT;
    if (d->end.n && mice_slice_cmp(buf_slice(&d->start), buf_slice(&d->end)) >= 0)
        return MICE_CORRUPT;
    d->n_replicas = (uint32_t)n;
    for (uint32_t i = 0; i < d->n_replicas; i++) {
        range_replica *r = &d->replicas[i];
        if (varint_get_u64(in, &r->node_id) || varint_get_u64(in, &r->replica_id))
            return MICE_CORRUPT;
        if (r->node_id == 0 || r->replica_id == 0) return MICE_CORRUPT;
        r->type = RANGE_REPLICA_VOTER;
        if (v2) {
            if (in->n < 1 || in->p[0] > RANGE_REPLICA_LEARNER) return MICE_CORRUPT;
            r->type = (range_replica_type)in->p[0];
            in->p++;
            in->n--;
        }
        for (uint32_t j = 0; j < i; j++)
            if (d->replicas[j].node_id == r->node_id || d->replicas[j].replica_id == r->replica_id)
                return MICE_CORRUPT;
    }
    d->next_replica_id = 0;
    if (v2) {
        /* Canonical: version 2 only for what version 1 cannot say. */
        if (varint_get_u64(in, &d->next_replica_id) ||
            d->next_replica_id <= max_replica_id(d) || fits_v1(d))
            return MICE_CORRUPT;
    }
    if (rangedesc_voter_count(d) == 0 && d->generation > 0) return MICE_CORRUPT;
    return MICE_OK;
}

void rangedesc_dir_key(mice_buf *out, mice_slice start)
{
    keys_sys_prefix(out, KEYS_SYS_RANGE_DIR);
    keyenc_put_bytes(out, start, KEYENC_ASC);
}

void rangedesc_dir_span(mice_buf *lower, mice_buf *upper)
{
    mice_buf p;
    buf_init(&p);
    keys_sys_prefix(&p, KEYS_SYS_RANGE_DIR);
    keys_prefix_span(buf_slice(&p), lower, upper);
    buf_deinit(&p);
}

mice_status rangedesc_initial(const uint64_t *node_ids, size_t n_nodes, range_desc *descs)
{
    if (n_nodes == 0 || n_nodes > RANGEDESC_REPLICAS_MAX) return MICE_INVALID;
    for (size_t i = 0; i < n_nodes; i++) {
        if (node_ids[i] == 0) return MICE_INVALID;
        for (size_t j = 0; j < i; j++)
            if (node_ids[j] == node_ids[i]) return MICE_INVALID;
    }
    mice_buf tables, tables_end, kv, kv_end;
    buf_init(&tables);
    buf_init(&tables_end);
    buf_init(&kv);
    buf_init(&kv_end);
    keys_all_tables_span(&tables, &tables_end);
    keys_kv_span(&kv, &kv_end);
    mice_slice bounds[RANGEDESC_INITIAL_COUNT + 1] = {{0}, buf_slice(&tables), buf_slice(&kv), {0}};
    for (size_t r = 0; r < RANGEDESC_INITIAL_COUNT; r++) {
        range_desc *d = &descs[r];
        d->range_id = RANGEDESC_SYSTEM_RANGE_ID + r;
        d->generation = 1;
        buf_reset(&d->start);
        buf_reset(&d->end);
        buf_append_slice(&d->start, bounds[r]);
        buf_append_slice(&d->end, bounds[r + 1]);
        d->n_replicas = (uint32_t)n_nodes;
        for (size_t i = 0; i < n_nodes; i++)
            d->replicas[i] = (range_replica){.node_id = node_ids[i], .replica_id = node_ids[i]};
    }
    buf_deinit(&tables);
    buf_deinit(&tables_end);
    buf_deinit(&kv);
    buf_deinit(&kv_end);
    return MICE_OK;
}

static void describe_key(mice_slice k, bool is_end, mice_buf *out)
{
    if (k.n == 0) {
        buf_append_str(out, is_end ? "/max" : "/min");
        return;
    }
    keys_pretty(k, out);
}

void rangedesc_describe(const range_desc *d, mice_buf *out)
{
    buf_printf(out, "r%" PRIu64 " [", d->range_id);
    describe_key(buf_slice(&d->start), false, out);
    buf_append_str(out, ", ");
    describe_key(buf_slice(&d->end), true, out);
    buf_printf(out, ") gen %" PRIu64 " {", d->generation);
    for (uint32_t i = 0; i < d->n_replicas; i++)
        buf_printf(out, "%sn%" PRIu64 ":%" PRIu64 "%s", i ? " " : "", d->replicas[i].node_id,
                   d->replicas[i].replica_id,
                   d->replicas[i].type == RANGE_REPLICA_LEARNER ? "L" : "");
    buf_append_str(out, "}");
}
