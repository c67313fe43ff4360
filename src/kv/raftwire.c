/*
 * raft_msg <-> protobuf. The proto enums mirror raft's value for value (checked below at
 * compile time), so types convert by a range check and a cast.
 */
#include "kv/raftwire.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"

#define SAME(x) _Static_assert((int)RAFT_##x == (int)RPCPB__RAFT_MESSAGE_TYPE__##x, #x);
SAME(MSG_HUP)
SAME(MSG_BEAT)
SAME(MSG_PROP)
SAME(MSG_APP)
SAME(MSG_APP_RESP)
SAME(MSG_VOTE)
SAME(MSG_VOTE_RESP)
SAME(MSG_PREVOTE)
SAME(MSG_PREVOTE_RESP)
SAME(MSG_HEARTBEAT)
SAME(MSG_HEARTBEAT_RESP)
SAME(MSG_SNAP)
SAME(MSG_SNAP_STATUS)
SAME(MSG_UNREACHABLE)
SAME(MSG_TIMEOUT_NOW)
SAME(MSG_READ_INDEX)
SAME(MSG_READ_INDEX_RESP)
SAME(MSG_TRANSFER_LEADER)
#undef SAME
_Static_assert(RAFT_MSG_TYPE_COUNT == RPCPB__RAFT_MESSAGE_TYPE__MSG_TRANSFER_LEADER + 1,
               "every raft message type has a wire value");
_Static_assert((int)RAFT_ENTRY_NORMAL == (int)RPCPB__ENTRY_TYPE__ENTRY_NORMAL, "entry type");
_Static_assert((int)RAFT_ENTRY_CONF_CHANGE == (int)RPCPB__ENTRY_TYPE__ENTRY_CONF_CHANGE,
               "entry type");

/* ---- encode ---- */

static void view_conf(raftwire_view *v, const raft_conf_state *cs)
{
    rpcpb__conf_state__init(&v->conf);
    v->conf.n_voters = cs->n_voters;
    v->conf.voters = (uint64_t *)cs->voters;
    v->conf.n_voters_outgoing = cs->n_voters_outgoing;
    v->conf.voters_outgoing = (uint64_t *)cs->voters_outgoing;
    v->conf.n_learners = cs->n_learners;
    v->conf.learners = (uint64_t *)cs->learners;
    v->conf.auto_leave = cs->auto_leave;
}

void raftwire_view_init(raftwire_view *v, const raftwire_route *route, const raft_msg *m)
{
    memset(v, 0, sizeof *v);
    Rpcpb__RaftMessage *pb = &v->msg;
    rpcpb__raft_message__init(pb);
    pb->range_id = route->range_id;
    pb->from_node = route->from_node;
    pb->to_node = route->to_node;
    pb->from_replica = m->from;
    pb->to_replica = m->to;
    pb->type = (Rpcpb__RaftMessageType)m->type;
    pb->term = m->term;
    pb->log_term = m->log_term;
    pb->index = m->index;
    pb->commit = m->commit;
    pb->reject = m->reject;
    pb->reject_hint = m->reject_hint;
    pb->transfer = m->transfer;
    pb->lease_tick = m->lease_tick;
    pb->read_seq = m->read_seq;
    pb->context.data = (uint8_t *)m->context;
    pb->context.len = m->context_len;
    if (m->n_entries) {
        v->entries = mice_calloc(m->n_entries, sizeof *v->entries);
        v->entry_ptrs = mice_calloc(m->n_entries, sizeof *v->entry_ptrs);
        for (size_t i = 0; i < m->n_entries; i++) {
            const raft_entry *e = &m->entries[i];
            Rpcpb__Entry *pe = &v->entries[i];
            rpcpb__entry__init(pe);
            pe->type = (Rpcpb__EntryType)e->type;
            pe->term = e->term;
            pe->index = e->index;
            pe->data.data = e->data;
            pe->data.len = e->len;
            v->entry_ptrs[i] = pe;
        }
        pb->n_entries = m->n_entries;
        pb->entries = v->entry_ptrs;
    }
    if (m->type == RAFT_MSG_SNAP) {
        view_conf(v, &m->snapshot.meta.conf);
        rpcpb__snapshot_meta__init(&v->meta);
        v->meta.index = m->snapshot.meta.index;
        v->meta.term = m->snapshot.meta.term;
        v->meta.conf = &v->conf;
        rpcpb__snapshot__init(&v->snapshot);
        v->snapshot.meta = &v->meta;
        v->snapshot.data.data = m->snapshot.data;
        v->snapshot.data.len = m->snapshot.len;
        pb->snapshot = &v->snapshot;
    }
}

void raftwire_view_deinit(raftwire_view *v)
{
    free(v->entries);
    free(v->entry_ptrs);
    v->entries = NULL;
    v->entry_ptrs = NULL;
}

void raftwire_encode(const raftwire_route *route, const raft_msg *m, mice_buf *out)
{
    raftwire_view v;
    raftwire_view_init(&v, route, m);
    rpc_pack(&v.msg.base, out);
    raftwire_view_deinit(&v);
}

mice_status raftwire_send(rpc_transport *t, const raftwire_route *route, const raft_msg *m)
{
    raftwire_view v;
    raftwire_view_init(&v, route, m);
    mice_status rc = rpc_send(t, route->to_node, RPC_MSG_RAFT, &v.msg.base);
    raftwire_view_deinit(&v);
    return rc;
}

/* ---- decode ---- */

static mice_status decode_ids(const uint64_t *ids, size_t n, const char *what, uint64_t *out,
                              uint32_t *n_out, mice_err *err)
{
    if (n > RAFT_NODES_MAX)
        return mice_err_setf(err, MICE_CORRUPT, "raft message: %zu %s (at most %d)", n, what,
                             RAFT_NODES_MAX);
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == 0) return mice_err_setf(err, MICE_CORRUPT, "raft message: %s id 0", what);
        out[i] = ids[i];
    }
    *n_out = (uint32_t)n;
    return MICE_OK;
}

static mice_status decode_snapshot(const Rpcpb__Snapshot *ps, raft_snapshot *s, mice_err *err)
{
    const Rpcpb__SnapshotMeta *meta = ps->meta;
    if (!meta || !meta->conf)
        return mice_err_setf(err, MICE_CORRUPT, "raft message: snapshot without metadata");
    s->meta.index = meta->index;
    s->meta.term = meta->term;
    raft_conf_state *cs = &s->meta.conf;
    const Rpcpb__ConfState *pc = meta->conf;
    mice_status rc = decode_ids(pc->voters, pc->n_voters, "voters", cs->voters, &cs->n_voters, err);
    if (!rc)
        rc = decode_ids(pc->voters_outgoing, pc->n_voters_outgoing, "outgoing voters",
                        cs->voters_outgoing, &cs->n_voters_outgoing, err);
    if (!rc)
        rc = decode_ids(pc->learners, pc->n_learners, "learners", cs->learners, &cs->n_learners,
                        err);
    if (rc) return rc;
    cs->auto_leave = pc->auto_leave;
    if (ps->data.len) {
        s->data = mice_malloc(ps->data.len);
        memcpy(s->data, ps->data.data, ps->data.len);
        s->len = ps->data.len;
    }
    return MICE_OK;
}

static mice_status decode_entries(const Rpcpb__RaftMessage *pb, raft_msg *out, mice_err *err)
{
    if (pb->n_entries == 0) return MICE_OK;
    out->entries = mice_calloc(pb->n_entries, sizeof *out->entries);
    out->n_entries = pb->n_entries;
    for (size_t i = 0; i < pb->n_entries; i++) {
        const Rpcpb__Entry *pe = pb->entries[i];
        raft_entry *e = &out->entries[i];
        if ((int)pe->type != RAFT_ENTRY_NORMAL && (int)pe->type != RAFT_ENTRY_CONF_CHANGE)
            return mice_err_setf(err, MICE_CORRUPT, "raft message: entry type %d", (int)pe->type);
        e->type = (raft_entry_type)pe->type;
        e->term = pe->term;
        e->index = pe->index;
        if (pe->data.len) {
            e->data = mice_malloc(pe->data.len);
            memcpy(e->data, pe->data.data, pe->data.len);
            e->len = pe->data.len;
        }
    }
    return MICE_OK;
}

static mice_status decode_header(const Rpcpb__RaftMessage *pb, raft_msg *out, mice_err *err)
{
    int type = (int)pb->type;
    if (type < 0 || type >= RAFT_MSG_TYPE_COUNT)
        return mice_err_setf(err, MICE_CORRUPT, "raft message: unknown type %d", type);
    if (raft_msg_is_local((raft_msg_type)type))
        return mice_err_setf(err, MICE_CORRUPT, "raft message: local type %s on the wire",
                             raft_msg_type_name((raft_msg_type)type));
    if (pb->range_id == 0 || pb->from_node == 0 || pb->to_node == 0)
        return mice_err_setf(err, MICE_CORRUPT, "raft message: range or node id 0");
    if (pb->from_replica == 0 || pb->to_replica == 0)
        return mice_err_setf(err, MICE_CORRUPT, "raft message: replica id 0");
    if (pb->context.len > RAFT_CONTEXT_MAX)
        return mice_err_setf(err, MICE_CORRUPT, "raft message: context of %zu bytes",
                             pb->context.len);
    if (pb->snapshot && type != RAFT_MSG_SNAP)
        return mice_err_setf(err, MICE_CORRUPT, "raft message: snapshot on a %s",
                             raft_msg_type_name((raft_msg_type)type));
    out->type = (raft_msg_type)type;
    out->from = pb->from_replica;
    out->to = pb->to_replica;
    out->term = pb->term;
    out->log_term = pb->log_term;
    out->index = pb->index;
    out->commit = pb->commit;
    out->reject = pb->reject;
    out->reject_hint = pb->reject_hint;
    out->transfer = pb->transfer;
    out->lease_tick = pb->lease_tick;
    out->read_seq = pb->read_seq;
    if (pb->context.len) memcpy(out->context, pb->context.data, pb->context.len);
    out->context_len = (uint32_t)pb->context.len;
    return MICE_OK;
}

mice_status raftwire_decode(const Rpcpb__RaftMessage *pb, raftwire_route *route, raft_msg *out,
                            mice_err *err)
{
    raft_msg_init(out);
    mice_status rc = decode_header(pb, out, err);
    if (!rc) rc = decode_entries(pb, out, err);
    if (!rc && pb->snapshot) rc = decode_snapshot(pb->snapshot, &out->snapshot, err);
    if (rc) {
        raft_msg_deinit(out);
        raft_msg_init(out);
        return rc;
    }
    route->range_id = pb->range_id;
    route->from_node = pb->from_node;
    route->to_node = pb->to_node;
    return MICE_OK;
}

mice_status raftwire_decode_bytes(mice_slice bytes, raftwire_route *route, raft_msg *out,
                                  mice_err *err)
{
    raft_msg_init(out);
    ProtobufCMessage *m = NULL;
    mice_status rc = rpc_unpack(&rpcpb__raft_message__descriptor, bytes, &m, err);
    if (rc) return rc;
    rc = raftwire_decode((const Rpcpb__RaftMessage *)m, route, out, err);
    rpc_unpacked_free(m);
    return rc;
}

/* ---- coalesced heartbeats ---- */

void raftwire_heartbeat_from_msg(uint64_t range_id, const raft_msg *m, Rpcpb__RangeHeartbeat *out)
{
    mice_assert(m->type == RAFT_MSG_HEARTBEAT);
    rpcpb__range_heartbeat__init(out);
    out->range_id = range_id;
    out->from_replica = m->from;
    out->to_replica = m->to;
    out->term = m->term;
    out->commit = m->commit;
    out->lease_tick = m->lease_tick;
    out->read_seq = m->read_seq;
}

mice_status raftwire_heartbeat_to_msg(const Rpcpb__RangeHeartbeat *hb, raft_msg *out, mice_err *err)
{
    raft_msg_init(out);
    if (hb->range_id == 0 || hb->from_replica == 0 || hb->to_replica == 0)
        return mice_err_setf(err, MICE_CORRUPT, "heartbeat: range or replica id 0");
    out->type = RAFT_MSG_HEARTBEAT;
    out->from = hb->from_replica;
    out->to = hb->to_replica;
    out->term = hb->term;
    out->commit = hb->commit;
    out->lease_tick = hb->lease_tick;
    out->read_seq = hb->read_seq;
    return MICE_OK;
}

void raftwire_heartbeat_resp_from_msg(uint64_t range_id, const raft_msg *m,
                                      Rpcpb__RangeHeartbeatResponse *out)
{
    mice_assert(m->type == RAFT_MSG_HEARTBEAT_RESP);
    rpcpb__range_heartbeat_response__init(out);
    out->range_id = range_id;
    out->from_replica = m->from;
    out->to_replica = m->to;
    out->term = m->term;
    out->commit = m->commit;
    out->reject = m->reject;
    out->lease_tick = m->lease_tick;
    out->read_seq = m->read_seq;
}

mice_status raftwire_heartbeat_resp_to_msg(const Rpcpb__RangeHeartbeatResponse *hb, raft_msg *out,
                                           mice_err *err)
{
    raft_msg_init(out);
    if (hb->range_id == 0 || hb->from_replica == 0 || hb->to_replica == 0)
        return mice_err_setf(err, MICE_CORRUPT, "heartbeat response: range or replica id 0");
    out->type = RAFT_MSG_HEARTBEAT_RESP;
    out->from = hb->from_replica;
    out->to = hb->to_replica;
    out->term = hb->term;
    out->commit = hb->commit;
    out->reject = hb->reject;
    out->lease_tick = hb->lease_tick;
    out->read_seq = hb->read_seq;
    return MICE_OK;
}
