/*
 * confchange.c - configurations and membership changes (joint consensus), as pure values.
 *
 * Every replica applies the same committed conf change entries in the same order through
 * raft_conf_change_apply(), so configs agree. A change that alters the voter set always
 * goes through a joint config (old voters stay as voters_outgoing until the leave entry
 * is applied); this is safe even though changes take effect on apply, because a quorum of
 * the old config is needed for every decision while joint. Learner-only changes cannot
 * change any quorum, so they apply directly.
 *
 * Encoding (entry data): u8 version=1, u8 flags (1 leave_joint, 2 auto_leave, 4 context),
 * u8 count, then count x (u8 op, be64 node id), then with flag 4: be32 length + the
 * application's context bytes. A change without context encodes as it always did.
 */
#include <string.h>

#include "base/check.h"
#include "raft/raft.h"

enum { CC_VERSION = 1, CC_FLAG_LEAVE = 1, CC_FLAG_AUTO = 2, CC_FLAG_CONTEXT = 4,
       CC_HEADER_BYTES = 3, CC_ITEM_BYTES = 9, CC_CONTEXT_LEN_BYTES = 4 };

static bool ids_have(const uint64_t *ids, uint32_t n, uint64_t id)
{
    for (uint32_t i = 0; i < n; i++)
        if (ids[i] == id) return true;
    return false;
}

static void ids_remove(uint64_t *ids, uint32_t *n, uint64_t id)
{
    for (uint32_t i = 0; i < *n; i++) {
        if (ids[i] == id) {
            ids[i] = ids[--*n];
            return;
        }
    }
}

static bool ids_add(uint64_t *ids, uint32_t *n, uint64_t id)
{
    if (ids_have(ids, *n, id)) return true;
    if (*n >= RAFT_NODES_MAX) return false;
    ids[(*n)++] = id;
    return true;
}

/* Same members regardless of order. */
static bool ids_same(const uint64_t *a, uint32_t na, const uint64_t *b, uint32_t nb)
{
    if (na != nb) return false;
    for (uint32_t i = 0; i < na; i++)
        if (!ids_have(b, nb, a[i])) return false;
    return true;
}

bool raft_conf_state_is_joint(const raft_conf_state *cs)
{
    return cs->n_voters_outgoing > 0;
}

bool raft_conf_state_has_voter(const raft_conf_state *cs, uint64_t id)
{
    return ids_have(cs->voters, cs->n_voters, id) ||
           ids_have(cs->voters_outgoing, cs->n_voters_outgoing, id);
}

bool raft_conf_state_has_learner(const raft_conf_state *cs, uint64_t id)
{
    return ids_have(cs->learners, cs->n_learners, id);
}

bool raft_conf_state_equal(const raft_conf_state *a, const raft_conf_state *b)
{
    return ids_same(a->voters, a->n_voters, b->voters, b->n_voters) &&
           ids_same(a->voters_outgoing, a->n_voters_outgoing, b->voters_outgoing,
                    b->n_voters_outgoing) &&
           ids_same(a->learners, a->n_learners, b->learners, b->n_learners) &&
           a->auto_leave == b->auto_leave;
}

void raft_conf_change_encode(const raft_conf_change *cc, mice_buf *out)
{
    mice_assert(cc->n_changes <= RAFT_CONF_CHANGES_MAX);
    buf_append_u8(out, CC_VERSION);
    mice_assert(cc->context_len <= RAFT_CC_CONTEXT_MAX);
    buf_append_u8(out, (uint8_t)((cc->leave_joint ? CC_FLAG_LEAVE : 0) |
                                 (cc->auto_leave ? CC_FLAG_AUTO : 0) |
                                 (cc->context_len ? CC_FLAG_CONTEXT : 0)));
    buf_append_u8(out, (uint8_t)cc->n_changes);
    for (uint32_t i = 0; i < cc->n_changes; i++) {
        buf_append_u8(out, (uint8_t)cc->changes[i].op);
        buf_append_be64(out, cc->changes[i].node_id);
    }
    if (cc->context_len) {
        buf_append_be32(out, cc->context_len);
        buf_append(out, cc->context, cc->context_len);
    }
}

mice_status raft_conf_change_decode(const uint8_t *p, size_t n, raft_conf_change *cc)
{
    memset(cc, 0, sizeof *cc);
    if (n < CC_HEADER_BYTES || p[0] != CC_VERSION) return MICE_CORRUPT;
    if (p[1] & ~(CC_FLAG_LEAVE | CC_FLAG_AUTO | CC_FLAG_CONTEXT)) return MICE_CORRUPT;
    uint32_t count = p[2];
    if (count > RAFT_CONF_CHANGES_MAX) return MICE_CORRUPT;
    size_t items_end = CC_HEADER_BYTES + (size_t)count * CC_ITEM_BYTES;
    if (p[1] & CC_FLAG_CONTEXT) {
        if (n < items_end + CC_CONTEXT_LEN_BYTES) return MICE_CORRUPT;
        uint32_t len = mice_load_be32(p + items_end);
        if (len == 0 || len > RAFT_CC_CONTEXT_MAX) return MICE_CORRUPT;
        if (n != items_end + CC_CONTEXT_LEN_BYTES + len) return MICE_CORRUPT;
        cc->context = p + items_end + CC_CONTEXT_LEN_BYTES;
        cc->context_len = len;
    } else if (n != items_end) {
        return MICE_CORRUPT;
    }
    cc->leave_joint = p[1] & CC_FLAG_LEAVE;
    cc->auto_leave = p[1] & CC_FLAG_AUTO;
    cc->n_changes = count;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *item = p + CC_HEADER_BYTES + (size_t)i * CC_ITEM_BYTES;
        if (item[0] < RAFT_CC_ADD_VOTER || item[0] > RAFT_CC_REMOVE_NODE) return MICE_CORRUPT;
        cc->changes[i].op = (raft_cc_op)item[0];
        cc->changes[i].node_id = mice_load_be64(item + 1);
    }
    return MICE_OK;
}

static uint32_t distinct_nodes(const raft_conf_state *cs)
{
    uint64_t all[3 * RAFT_NODES_MAX];
    uint32_t n = 0;
    const uint64_t *lists[] = {cs->voters, cs->voters_outgoing, cs->learners};
    uint32_t counts[] = {cs->n_voters, cs->n_voters_outgoing, cs->n_learners};
    for (int l = 0; l < 3; l++)
        for (uint32_t i = 0; i < counts[l]; i++)
            if (!ids_have(all, n, lists[l][i])) all[n++] = lists[l][i];
    return n;
}

static mice_status check_items(const raft_conf_change *cc)
{
    if (cc->n_changes == 0 || cc->n_changes > RAFT_CONF_CHANGES_MAX) return MICE_INVALID;
    for (uint32_t i = 0; i < cc->n_changes; i++) {
        const raft_cc_item *it = &cc->changes[i];
        if (it->node_id == RAFT_NONE) return MICE_INVALID;
        if (it->op < RAFT_CC_ADD_VOTER || it->op > RAFT_CC_REMOVE_NODE) return MICE_INVALID;
        for (uint32_t j = 0; j < i; j++)
            if (cc->changes[j].node_id == it->node_id) return MICE_INVALID;
    }
    return MICE_OK;
}

mice_status raft_conf_change_apply(const raft_conf_state *cs, const raft_conf_change *cc,
                                   raft_conf_state *out)
{
    *out = *cs;
    if (cc->leave_joint) {
        if (!raft_conf_state_is_joint(cs) || cc->n_changes) return MICE_INVALID;
        out->n_voters_outgoing = 0;
        out->auto_leave = false;
        return MICE_OK;
    }
    if (raft_conf_state_is_joint(cs)) return MICE_INVALID;
    mice_status rc = check_items(cc);
    if (rc) return rc;
    for (uint32_t i = 0; i < cc->n_changes; i++) {
        const raft_cc_item *it = &cc->changes[i];
        ids_remove(out->voters, &out->n_voters, it->node_id);
        ids_remove(out->learners, &out->n_learners, it->node_id);
        bool ok = true;
        if (it->op == RAFT_CC_ADD_VOTER) ok = ids_add(out->voters, &out->n_voters, it->node_id);
        if (it->op == RAFT_CC_ADD_LEARNER)
            ok = ids_add(out->learners, &out->n_learners, it->node_id);
        if (!ok) return MICE_LIMIT;
    }
    if (out->n_voters == 0) return MICE_INVALID;
    if (!ids_same(out->voters, out->n_voters, cs->voters, cs->n_voters)) {
        memcpy(out->voters_outgoing, cs->voters, sizeof cs->voters);
        out->n_voters_outgoing = cs->n_voters;
        out->auto_leave = cc->auto_leave;
    }
    if (distinct_nodes(out) > RAFT_NODES_MAX) return MICE_LIMIT;
    return MICE_OK;
}
