/*
 * msg.c - value helpers of the raft interface: deep copies and frees of entries, snapshots
 * and messages, pretty-printers for test failures, and the canary table.
 */
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "raft/raft.h"

enum { RAFT_ENTRY_OVERHEAD_BYTES = 32 }; /* what an entry costs beyond its data */

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    if (n == 0) return NULL;
    uint8_t *q = mice_malloc(n);
    memcpy(q, p, n);
    return q;
}

void raft_entry_copy(raft_entry *dst, const raft_entry *src)
{
    *dst = *src;
    dst->data = dup_bytes(src->data, src->len);
}

void raft_entry_deinit(raft_entry *e)
{
    free(e->data);
    e->data = NULL;
    e->len = 0;
}

void raft_entries_free(raft_entry *v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) raft_entry_deinit(&v[i]);
    free(v);
}

size_t raft_entry_size(const raft_entry *e)
{
    return e->len + RAFT_ENTRY_OVERHEAD_BYTES;
}

void raft_snapshot_copy(raft_snapshot *dst, const raft_snapshot *src)
{
    *dst = *src;
    dst->data = dup_bytes(src->data, src->len);
}

void raft_snapshot_deinit(raft_snapshot *s)
{
    free(s->data);
    s->data = NULL;
    s->len = 0;
}

void raft_msg_init(raft_msg *m)
{
    memset(m, 0, sizeof *m);
}

void raft_msg_copy(raft_msg *dst, const raft_msg *src)
{
    *dst = *src;
    dst->entries = NULL;
    if (src->n_entries) {
        dst->entries = mice_malloc(src->n_entries * sizeof *dst->entries);
        for (size_t i = 0; i < src->n_entries; i++)
            raft_entry_copy(&dst->entries[i], &src->entries[i]);
    }
    raft_snapshot_copy(&dst->snapshot, &src->snapshot);
}

void raft_msg_move(raft_msg *dst, raft_msg *src)
{
    *dst = *src;
    raft_msg_init(src);
}

void raft_msg_deinit(raft_msg *m)
{
    raft_entries_free(m->entries, m->n_entries);
    m->entries = NULL;
    m->n_entries = 0;
    raft_snapshot_deinit(&m->snapshot);
}

static const char *const msg_type_names[] = {
#define X(name) #name,
    RAFT_MSG_TYPE_MAP(X)
#undef X
};
_Static_assert(sizeof msg_type_names / sizeof msg_type_names[0] == RAFT_MSG_TYPE_COUNT,
               "one name per message type");

const char *raft_msg_type_name(raft_msg_type t)
{
    if ((unsigned)t >= RAFT_MSG_TYPE_COUNT) return "?";
    return msg_type_names[t] + strlen("RAFT_MSG_");
}

bool raft_msg_is_local(raft_msg_type t)
{
    switch (t) {
    case RAFT_MSG_HUP:
    case RAFT_MSG_BEAT:
    case RAFT_MSG_SNAP_STATUS:
    case RAFT_MSG_UNREACHABLE:
        return true;
    default:
        return false;
    }
}

const char *raft_role_name(raft_role role)
{
    switch (role) {
    case RAFT_FOLLOWER: return "follower";
    case RAFT_PRE_CANDIDATE: return "pre-candidate";
    case RAFT_CANDIDATE: return "candidate";
    case RAFT_LEADER: return "leader";
    }
    return "?";
}

const char *raft_progress_state_name(raft_progress_state s)
{
    switch (s) {
    case RAFT_PROGRESS_PROBE: return "probe";
    case RAFT_PROGRESS_REPLICATE: return "replicate";
    case RAFT_PROGRESS_SNAPSHOT: return "snapshot";
    }
    return "?";
}

void raft_describe_entry(const raft_entry *e, mice_buf *out)
{
    buf_printf(out, "%llu/%llu", (unsigned long long)e->term, (unsigned long long)e->index);
    if (e->type == RAFT_ENTRY_CONF_CHANGE) buf_append_str(out, " conf");
    if (e->len == 0) return;
    buf_append_str(out, " \"");
    size_t shown = e->len < 16 ? e->len : 16;
    for (size_t i = 0; i < shown; i++) {
        uint8_t c = e->data[i];
        if (c >= 0x20 && c < 0x7f && c != '"') buf_append_u8(out, c);
        else buf_printf(out, "\\x%02x", c);
    }
    buf_append_str(out, e->len > shown ? "\"..." : "\"");
}

void raft_describe_msg(const raft_msg *m, mice_buf *out)
{
    buf_printf(out, "%llu->%llu %s t%llu", (unsigned long long)m->from,
               (unsigned long long)m->to, raft_msg_type_name(m->type),
               (unsigned long long)m->term);
    if (m->log_term || m->index)
        buf_printf(out, " log=(%llu,%llu)", (unsigned long long)m->log_term,
                   (unsigned long long)m->index);
    if (m->n_entries)
        buf_printf(out, " ents=[%llu..%llu]", (unsigned long long)m->entries[0].index,
                   (unsigned long long)m->entries[m->n_entries - 1].index);
    if (m->commit) buf_printf(out, " commit=%llu", (unsigned long long)m->commit);
    if (m->reject)
        buf_printf(out, " REJECT hint=%llu", (unsigned long long)m->reject_hint);
    if (m->transfer) buf_append_str(out, " transfer");
    if (m->read_seq) buf_printf(out, " rseq=%llu", (unsigned long long)m->read_seq);
    if (m->type == RAFT_MSG_SNAP)
        buf_printf(out, " snap=(%llu,%llu)", (unsigned long long)m->snapshot.meta.term,
                   (unsigned long long)m->snapshot.meta.index);
    if (m->context_len) buf_printf(out, " ctx=%u bytes", m->context_len);
}

/* ---- Canaries ---- */

static const struct {
    uint32_t flag;
    const char *macro;
    const char *name;
    const char *text;
} canaries[] = {
#define X(name, bit, short_name, text) {bit, #name, short_name, text},
    RAFT_CANARY_MAP(X)
#undef X
};
enum { CANARY_COUNT = sizeof canaries / sizeof canaries[0] };

size_t raft_canary_count(void)
{
    return CANARY_COUNT;
}

uint32_t raft_canary_at(size_t i)
{
    return i < CANARY_COUNT ? canaries[i].flag : 0;
}

const char *raft_canary_name(uint32_t flag)
{
    for (size_t i = 0; i < CANARY_COUNT; i++)
        if (canaries[i].flag == flag) return canaries[i].name;
    return NULL;
}

const char *raft_canary_text(uint32_t flag)
{
    for (size_t i = 0; i < CANARY_COUNT; i++)
        if (canaries[i].flag == flag) return canaries[i].text;
    return NULL;
}

bool raft_canary_parse(const char *name, uint32_t *flag_out)
{
    for (size_t i = 0; i < CANARY_COUNT; i++) {
        if (strcmp(name, canaries[i].name) == 0 || strcmp(name, canaries[i].macro) == 0) {
            *flag_out = canaries[i].flag;
            return true;
        }
    }
    return false;
}
