/* kv batches <-> protobuf (see kvwire.h). */
#include "kv/kvwire.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "rpc/codec.h"
#include "rpc/proto/kv.pb-c.h"

static ProtobufCBinaryData bin(mice_slice s)
{
    return (ProtobufCBinaryData){.len = s.n, .data = (uint8_t *)s.p};
}

static mice_slice sl(ProtobufCBinaryData b)
{
    return mice_slice_of(b.data, b.len);
}

static void ts_to(Rpcpb__KvTs *out, hlc_ts ts)
{
    rpcpb__kv_ts__init(out);
    out->wall_ns = ts.wall_ns;
    out->logical = ts.logical;
}

static hlc_ts ts_from(const Rpcpb__KvTs *t)
{
    return t ? (hlc_ts){t->wall_ns, t->logical} : HLC_TS_ZERO;
}

/* --- requests ------------------------------------------------------------------------------ */

void kvwire_encode_request(const kv_request *req, mice_buf *out)
{
    Rpcpb__KvBatchRequest m = RPCPB__KV_BATCH_REQUEST__INIT;
    Rpcpb__KvTxnMeta meta = RPCPB__KV_TXN_META__INIT;
    Rpcpb__KvTs mts[3], ts;
    size_t n = req->n_ops;
    Rpcpb__KvOp *ops = mice_calloc(n ? n : 1, sizeof *ops);
    Rpcpb__KvOp **op_ptrs = mice_calloc(n ? n : 1, sizeof *op_ptrs);
    Rpcpb__KvTs *cts = mice_calloc(n ? n : 1, sizeof *cts);
    Rpcpb__KvTs *pts = mice_calloc(n ? 2 * n : 1, sizeof *pts);
    size_t n_int = 0, n_sp = 0;
    for (size_t i = 0; i < n; i++) {
        n_int += req->ops[i].n_intents;
        n_sp += req->ops[i].n_read_spans;
    }
    ProtobufCBinaryData *ints = mice_calloc(n_int ? n_int : 1, sizeof *ints);
    Rpcpb__KvSpan *spans = mice_calloc(n_sp ? n_sp : 1, sizeof *spans);
    Rpcpb__KvSpan **span_ptrs = mice_calloc(n_sp ? n_sp : 1, sizeof *span_ptrs);
    if (req->txn) {
        const kv_txn_meta *t = req->txn;
        meta.id = t->id;
        meta.primary = bin(t->primary);
        ts_to(&mts[0], t->start_ts);
        ts_to(&mts[1], t->read_ts);
        ts_to(&mts[2], t->write_ts);
        meta.start_ts = &mts[0];
        meta.read_ts = &mts[1];
        meta.write_ts = &mts[2];
        meta.isolation = (uint32_t)t->isolation;
        meta.seq = t->seq;
        meta.stmt_seq = t->stmt_seq;
        meta.lock_timeout_ms = t->lock_timeout_ms;
        m.txn = &meta;
    }
    ts_to(&ts, req->ts);
    m.ts = &ts;
    size_t ii = 0, si = 0;
    for (size_t i = 0; i < n; i++) {
        const kv_op *o = &req->ops[i];
        Rpcpb__KvOp *p = &ops[i];
        rpcpb__kv_op__init(p);
        p->kind = (uint32_t)o->kind;
        p->key = bin(o->key);
        p->end = bin(o->end);
        p->limit = o->limit;
        p->reverse = o->reverse;
        p->value = bin(o->value);
        p->if_absent = o->if_absent;
        p->has_expiry = o->has_expiry;
        p->expiry_wall_ns = o->expiry_wall_ns;
        p->if_expired = o->if_expired;
        p->resolve = (uint32_t)o->resolve;
        ts_to(&cts[i], o->commit_ts);
        p->commit_ts = &cts[i];
        p->undo_seq = o->undo_seq;
        p->commit = o->commit;
        p->one_phase = o->one_phase;
        p->push_id = o->push_id;
        ts_to(&pts[2 * i], o->push_start_ts);
        ts_to(&pts[2 * i + 1], o->push_read_ts);
        p->push_start_ts = &pts[2 * i];
        p->push_read_ts = &pts[2 * i + 1];
        p->push_abort = o->push_abort;
        p->n_intents = o->n_intents;
        p->intents = &ints[ii];
        for (size_t k = 0; k < o->n_intents; k++)
            ints[ii++] = bin(o->intents[k]);
        p->n_read_spans = o->n_read_spans;
        p->read_spans = &span_ptrs[si];
        for (size_t k = 0; k < o->n_read_spans; k++, si++) {
            rpcpb__kv_span__init(&spans[si]);
            spans[si].start = bin(o->read_spans[k].start);
            spans[si].end = bin(o->read_spans[k].end);
            spans[si].to_end = o->read_spans[k].to_end;
            span_ptrs[si] = &spans[si];
        }
        op_ptrs[i] = p;
    }
    m.n_ops = n;
    m.ops = op_ptrs;
    rpc_pack(&m.base, out);
    free(ops);
    free(op_ptrs);
    free(cts);
    free(pts);
    free(ints);
    free(spans);
    free(span_ptrs);
}

void kvwire_request_deinit(kvwire_request *r)
{
    free(r->ops);
    free(r->intents);
    free(r->spans);
    rpc_unpacked_free(r->pb);
    memset(r, 0, sizeof *r);
}

mice_status kvwire_decode_request(mice_slice bytes, kvwire_request *out, mice_err *err)
{
    memset(out, 0, sizeof *out);
    ProtobufCMessage *pm = NULL;
    mice_status rc = rpc_unpack(&rpcpb__kv_batch_request__descriptor, bytes, &pm, err);
    if (rc) return rc;
    out->pb = pm;
    Rpcpb__KvBatchRequest *m = (Rpcpb__KvBatchRequest *)pm;
    if (m->n_ops > KVWIRE_OPS_MAX) {
        rc = mice_err_setf(err, MICE_CORRUPT, "kv batch: %zu ops", m->n_ops);
        goto fail;
    }
    size_t n_int = 0, n_sp = 0;
    for (size_t i = 0; i < m->n_ops; i++) {
        n_int += m->ops[i]->n_intents;
        n_sp += m->ops[i]->n_read_spans;
    }
    out->ops = mice_calloc(m->n_ops ? m->n_ops : 1, sizeof *out->ops);
    out->intents = mice_calloc(n_int ? n_int : 1, sizeof *out->intents);
    out->spans = mice_calloc(n_sp ? n_sp : 1, sizeof *out->spans);
    if (m->txn) {
        const Rpcpb__KvTxnMeta *t = m->txn;
        if (t->id == 0) {
            rc = mice_err_setf(err, MICE_CORRUPT, "kv batch: transaction id 0");
            goto fail;
        }
        if (t->isolation > KV_SERIALIZABLE) {
            rc = mice_err_setf(err, MICE_CORRUPT, "kv batch: isolation %u", t->isolation);
            goto fail;
        }
        out->txn = (kv_txn_meta){.id = t->id,
                                 .primary = sl(t->primary),
                                 .start_ts = ts_from(t->start_ts),
                                 .read_ts = ts_from(t->read_ts),
                                 .write_ts = ts_from(t->write_ts),
                                 .isolation = (kv_isolation)t->isolation,
                                 .seq = t->seq,
                                 .stmt_seq = t->stmt_seq,
                                 .lock_timeout_ms = t->lock_timeout_ms};
        out->req.txn = &out->txn;
    }
    out->req.ts = ts_from(m->ts);
    size_t ii = 0, si = 0;
    for (size_t i = 0; i < m->n_ops; i++) {
        const Rpcpb__KvOp *p = m->ops[i];
        kv_op *o = &out->ops[i];
        if (p->kind > KV_OP_VALIDATE) {
            rc = mice_err_setf(err, MICE_CORRUPT, "kv batch: op kind %u", p->kind);
            goto fail;
        }
        if (p->resolve > KV_RESOLVE_STMT_UNDO) {
            rc = mice_err_setf(err, MICE_CORRUPT, "kv batch: resolve kind %u", p->resolve);
            goto fail;
        }
        if (p->limit > SIZE_MAX) {
            rc = mice_err_setf(err, MICE_CORRUPT, "kv batch: scan limit too large");
            goto fail;
        }
        *o = (kv_op){.kind = (kv_op_kind)p->kind,
                     .key = sl(p->key),
                     .end = sl(p->end),
                     .limit = (size_t)p->limit,
                     .reverse = p->reverse,
                     .value = sl(p->value),
                     .if_absent = p->if_absent,
                     .has_expiry = p->has_expiry,
                     .expiry_wall_ns = p->expiry_wall_ns,
                     .if_expired = p->if_expired,
                     .resolve = (kv_resolve_kind)p->resolve,
                     .commit_ts = ts_from(p->commit_ts),
                     .undo_seq = p->undo_seq,
                     .commit = p->commit,
                     .one_phase = p->one_phase,
                     .push_id = p->push_id,
                     .push_start_ts = ts_from(p->push_start_ts),
                     .push_read_ts = ts_from(p->push_read_ts),
                     .push_abort = p->push_abort};
        o->intents = &out->intents[ii];
        o->n_intents = p->n_intents;
        for (size_t k = 0; k < p->n_intents; k++)
            out->intents[ii++] = sl(p->intents[k]);
        o->read_spans = &out->spans[si];
        o->n_read_spans = p->n_read_spans;
        for (size_t k = 0; k < p->n_read_spans; k++)
            out->spans[si++] = (kv_span){.start = sl(p->read_spans[k]->start),
                                         .end = sl(p->read_spans[k]->end),
                                         .to_end = p->read_spans[k]->to_end};
    }
    out->req.ops = out->ops;
    out->req.n_ops = m->n_ops;
    return MICE_OK;
fail:
    kvwire_request_deinit(out);
    return rc;
}

/* --- responses ----------------------------------------------------------------------------- */

void kvwire_encode_response(mice_status status, const mice_err *rerr, const kv_response *resp,
                            mice_buf *out)
{
    Rpcpb__KvBatchResponse m = RPCPB__KV_BATCH_RESPONSE__INIT;
    Rpcpb__KvTs wts;
    m.status = (uint32_t)status;
    if (status != MICE_OK) m.error = (char *)(rerr ? mice_err_msg(rerr) : mice_status_str(status));
    /* Results travel with errors too: a MICE_AGAIN answer says which row lock was taken
     * (results[failed_op].locked), which the transaction must remember. */
    size_t n = resp ? resp->n_results : 0;
    Rpcpb__KvResult *res = mice_calloc(n ? n : 1, sizeof *res);
    Rpcpb__KvResult **res_ptrs = mice_calloc(n ? n : 1, sizeof *res_ptrs);
    Rpcpb__KvTs *cts = mice_calloc(n ? n : 1, sizeof *cts);
    size_t n_rows = 0;
    for (size_t i = 0; i < n; i++)
        n_rows += resp->results[i].n_rows;
    Rpcpb__KvRow *rows = mice_calloc(n_rows ? n_rows : 1, sizeof *rows);
    Rpcpb__KvRow **row_ptrs = mice_calloc(n_rows ? n_rows : 1, sizeof *row_ptrs);
    size_t ri = 0;
    for (size_t i = 0; i < n; i++) {
        const kv_result *r = &resp->results[i];
        Rpcpb__KvResult *p = &res[i];
        rpcpb__kv_result__init(p);
        p->found = r->found;
        p->value = bin(buf_slice(&r->value));
        p->has_expiry = r->has_expiry;
        p->expiry_wall_ns = r->expiry_wall_ns;
        p->purged = r->purged;
        p->n_rows = r->n_rows;
        p->rows = &row_ptrs[ri];
        for (size_t k = 0; k < r->n_rows; k++, ri++) {
            rpcpb__kv_row__init(&rows[ri]);
            rows[ri].key = bin(buf_slice(&r->rows[k].key));
            rows[ri].value = bin(buf_slice(&r->rows[k].value));
            rows[ri].expiry_wall_ns = r->rows[k].expiry_wall_ns;
            row_ptrs[ri] = &rows[ri];
        }
        p->more = r->more;
        p->resume_key = bin(buf_slice(&r->resume_key));
        ts_to(&cts[i], r->commit_ts);
        p->commit_ts = &cts[i];
        p->locked = r->locked;
        p->txn_state = (uint32_t)r->txn_state;
        p->heartbeat_wall_ns = r->heartbeat_wall_ns;
        res_ptrs[i] = p;
    }
    m.n_results = n;
    m.results = res_ptrs;
    if (resp) {
        m.conflict = (uint32_t)resp->conflict;
        ts_to(&wts, resp->write_ts);
        m.write_ts = &wts;
        if (resp->failed_op < n) m.failed_op_plus1 = (uint32_t)resp->failed_op + 1;
    }
    rpc_pack(&m.base, out);
    free(res);
    free(res_ptrs);
    free(cts);
    free(rows);
    free(row_ptrs);
}

mice_status kvwire_decode_response(mice_slice bytes, mice_status *status, mice_err *rerr,
                                   kv_response *resp, mice_err *err)
{
    kv_response_reset(resp, 0);
    *status = MICE_INTERNAL;
    ProtobufCMessage *pm = NULL;
    mice_status rc = rpc_unpack(&rpcpb__kv_batch_response__descriptor, bytes, &pm, err);
    if (rc) return rc;
    Rpcpb__KvBatchResponse *m = (Rpcpb__KvBatchResponse *)pm;
    if (m->status >= MICE_STATUS_COUNT) {
        rc = mice_err_setf(err, MICE_CORRUPT, "kv response: status %u", m->status);
        goto done;
    }
    if (m->conflict > KV_CONFLICT_LOCK_TIMEOUT) {
        rc = mice_err_setf(err, MICE_CORRUPT, "kv response: conflict %u", m->conflict);
        goto done;
    }
    for (size_t i = 0; i < m->n_results; i++) {
        if (m->results[i]->txn_state > KV_TXN_ABORTED) {
            rc = mice_err_setf(err, MICE_CORRUPT, "kv response: txn state %u",
                               m->results[i]->txn_state);
            goto done;
        }
    }
    *status = (mice_status)m->status;
    if (*status != MICE_OK)
        mice_err_setf(rerr, *status, "%s", m->error ? m->error : mice_status_str(*status));
    kv_response_reset(resp, m->n_results);
    resp->conflict = (kv_conflict)m->conflict;
    resp->write_ts = ts_from(m->write_ts);
    if (m->failed_op_plus1 && m->failed_op_plus1 <= m->n_results)
        resp->failed_op = m->failed_op_plus1 - 1;
    for (size_t i = 0; i < m->n_results; i++) {
        const Rpcpb__KvResult *p = m->results[i];
        kv_result *r = &resp->results[i];
        r->found = p->found;
        buf_append_slice(&r->value, sl(p->value));
        r->has_expiry = p->has_expiry;
        r->expiry_wall_ns = p->expiry_wall_ns;
        r->purged = p->purged;
        for (size_t k = 0; k < p->n_rows; k++)
            kv_result_add_row(r, sl(p->rows[k]->key), sl(p->rows[k]->value),
                              p->rows[k]->expiry_wall_ns);
        r->more = p->more;
        buf_append_slice(&r->resume_key, sl(p->resume_key));
        r->commit_ts = ts_from(p->commit_ts);
        r->locked = p->locked;
        r->txn_state = (kv_txn_state)p->txn_state;
        r->heartbeat_wall_ns = p->heartbeat_wall_ns;
    }
done:
    rpc_unpacked_free(pm);
    if (rc) kv_response_reset(resp, 0);
    return rc;
}
