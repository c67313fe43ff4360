/*
 * kvsm.c - command and snapshot encodings of the simulation's register map.
 */
#include "sim/kvsm.h"

#include <string.h>

#include "base/check.h"

enum { KVSM_MAGIC = 0x4b, KVSM_CMD_BYTES = 1 + 1 + 4 + 8 * 4, KVSM_SNAP_MAGIC = 0x53 };
enum { KVSM_SNAP_BYTES = 1 + 8 + 8 + 8 * KVSM_KEYS_MAX + 8 * KVSM_CLIENTS_MAX };

void kvsm_encode(const kvsm_cmd *c, mice_buf *out)
{
    buf_append_u8(out, KVSM_MAGIC);
    buf_append_u8(out, (uint8_t)c->kind);
    buf_append_be32(out, c->client);
    buf_append_be64(out, c->op_id);
    buf_append_be64(out, c->key);
    buf_append_be64(out, (uint64_t)c->value);
    buf_append_be64(out, (uint64_t)c->expect);
}

mice_status kvsm_decode(mice_slice d, kvsm_cmd *out)
{
    if (d.n != KVSM_CMD_BYTES || d.p[0] != KVSM_MAGIC) return MICE_CORRUPT;
    uint8_t kind = d.p[1];
    if (kind < KVSM_CMD_WRITE || kind > KVSM_CMD_NOOP) return MICE_CORRUPT;
    out->kind = (kvsm_cmd_kind)kind;
    out->client = mice_load_be32(d.p + 2);
    out->op_id = mice_load_be64(d.p + 6);
    out->key = mice_load_be64(d.p + 14);
    out->value = (int64_t)mice_load_be64(d.p + 22);
    out->expect = (int64_t)mice_load_be64(d.p + 30);
    if (out->key >= KVSM_KEYS_MAX || out->client >= KVSM_CLIENTS_MAX) return MICE_CORRUPT;
    return MICE_OK;
}

int64_t kvsm_apply(kvsm *m, const kvsm_cmd *c)
{
    mice_assert(c->key < KVSM_KEYS_MAX);
    mice_assert(c->client < KVSM_CLIENTS_MAX);
    if (c->kind != KVSM_CMD_NOOP) {
        if (c->op_id + 1 <= m->last_op[c->client]) return -1;
        m->last_op[c->client] = c->op_id + 1;
    }
    switch (c->kind) {
    case KVSM_CMD_WRITE: m->value[c->key] = c->value; return 1;
    case KVSM_CMD_CAS:
        if (m->value[c->key] != c->expect) return 0;
        m->value[c->key] = c->value;
        return 1;
    case KVSM_CMD_NOOP: return 0;
    }
    return 0;
}

void kvsm_snapshot(const kvsm *m, mice_buf *out)
{
    buf_append_u8(out, KVSM_SNAP_MAGIC);
    buf_append_be64(out, m->applied_index);
    buf_append_be64(out, m->applied_term);
    for (int i = 0; i < KVSM_KEYS_MAX; i++) buf_append_be64(out, (uint64_t)m->value[i]);
    for (int i = 0; i < KVSM_CLIENTS_MAX; i++) buf_append_be64(out, m->last_op[i]);
}

mice_status kvsm_restore(kvsm *m, mice_slice d)
{
    if (d.n != KVSM_SNAP_BYTES || d.p[0] != KVSM_SNAP_MAGIC) return MICE_CORRUPT;
    m->applied_index = mice_load_be64(d.p + 1);
    m->applied_term = mice_load_be64(d.p + 9);
    for (int i = 0; i < KVSM_KEYS_MAX; i++)
        m->value[i] = (int64_t)mice_load_be64(d.p + 17 + 8 * (size_t)i);
    const uint8_t *sessions = d.p + 17 + 8 * KVSM_KEYS_MAX;
    for (int i = 0; i < KVSM_CLIENTS_MAX; i++)
        m->last_op[i] = mice_load_be64(sessions + 8 * (size_t)i);
    return MICE_OK;
}

uint64_t kvsm_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    if (!h) h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}
