/* Encodings of intents and transaction records (see intent.h). Layout of an intent value:
 * version(1) kind(1) txn_id(8) start_ts(12) write_ts(12) seq(4) primary(len32+bytes)
 * value(len32+bytes) has_prior(1) [prior_kind(1) prior_seq(4) prior_value(len32+bytes)],
 * and in version 2 (only when an expiry is set): has_expiry(1) [expiry(8)]
 * prior_has_expiry(1) [prior_expiry(8)].
 * Lengths are big-endian u32; every read is bounds-checked. */
#include "kv/intent.h"

#include <string.h>

#include "base/keyenc.h"

enum { INTENT_VERSION = 1, INTENT_VERSION_EXPIRY = 2, TXN_RECORD_VERSION = 1 };

void intent_key(mice_buf *out, mice_slice key)
{
    buf_reset(out);
    buf_append_u8(out, INTENT_KEY_PREFIX);
    buf_append_slice(out, key);
}

mice_status intent_key_decode(mice_slice raw, mice_slice *key)
{
    if (raw.n < 1 || raw.p[0] != INTENT_KEY_PREFIX) return MICE_CORRUPT;
    *key = mice_slice_of(raw.p + 1, raw.n - 1);
    return MICE_OK;
}

static void put_ts(mice_buf *out, hlc_ts t)
{
    hlc_ts_encode(t, buf_extend(out, HLC_TS_ENCODED_BYTES));
}

static void put_bytes(mice_buf *out, mice_slice s)
{
    buf_append_be32(out, (uint32_t)s.n);
    buf_append_slice(out, s);
}

void intent_encode(mice_buf *out, const intent *in)
{
    bool expiry = in->has_expiry || (in->has_prior && in->prior_has_expiry);
    buf_reset(out);
    buf_append_u8(out, expiry ? INTENT_VERSION_EXPIRY : INTENT_VERSION);
    buf_append_u8(out, (uint8_t)in->kind);
    buf_append_be64(out, in->txn_id);
    put_ts(out, in->start_ts);
    put_ts(out, in->write_ts);
    buf_append_be32(out, in->seq);
    put_bytes(out, in->primary);
    put_bytes(out, in->value);
    buf_append_u8(out, in->has_prior);
    if (in->has_prior) {
        buf_append_u8(out, (uint8_t)in->prior_kind);
        buf_append_be32(out, in->prior_seq);
        put_bytes(out, in->prior_value);
    }
    if (!expiry) return;
    buf_append_u8(out, in->has_expiry);
    if (in->has_expiry) buf_append_be64(out, in->expiry_wall_ns);
    bool prior_expiry = in->has_prior && in->prior_has_expiry;
    buf_append_u8(out, prior_expiry);
    if (prior_expiry) buf_append_be64(out, in->prior_expiry_wall_ns);
}

/* A bounds-checked reader over raw bytes. */
typedef struct reader {
    mice_slice in;
    bool bad;
} reader;

static const uint8_t *take(reader *r, size_t n)
{
    if (r->bad || r->in.n < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *p = r->in.p;
    r->in.p += n;
    r->in.n -= n;
    return p;
}

static uint8_t get_u8(reader *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

static uint32_t get_u32(reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? mice_load_be32(p) : 0;
}

static uint64_t get_u64(reader *r)
{
    const uint8_t *p = take(r, 8);
    return p ? mice_load_be64(p) : 0;
}

static hlc_ts get_ts(reader *r)
{
    const uint8_t *p = take(r, HLC_TS_ENCODED_BYTES);
    return p ? hlc_ts_decode(p) : HLC_TS_ZERO;
}

static mice_slice get_bytes(reader *r)
{
    uint32_t n = get_u32(r);
    const uint8_t *p = take(r, n);
    return p ? mice_slice_of(p, n) : (mice_slice){NULL, 0};
}

static bool kind_ok(uint8_t k)
{
    return k == INTENT_PUT || k == INTENT_DELETE || k == INTENT_LOCK;
}

mice_status intent_decode(mice_slice raw, intent *out)
{
    reader r = {raw, false};
    memset(out, 0, sizeof *out);
    uint8_t version = get_u8(&r);
    if (version != INTENT_VERSION && version != INTENT_VERSION_EXPIRY) return MICE_CORRUPT;
    uint8_t kind = get_u8(&r);
    out->txn_id = get_u64(&r);
    out->start_ts = get_ts(&r);
    out->write_ts = get_ts(&r);
    out->seq = get_u32(&r);
    out->primary = get_bytes(&r);
    out->value = get_bytes(&r);
    out->has_prior = get_u8(&r) != 0;
    uint8_t prior_kind = INTENT_PUT;
    if (out->has_prior) {
        prior_kind = get_u8(&r);
        out->prior_seq = get_u32(&r);
        out->prior_value = get_bytes(&r);
    }
    if (version == INTENT_VERSION_EXPIRY) {
        out->has_expiry = get_u8(&r) != 0;
        if (out->has_expiry) out->expiry_wall_ns = get_u64(&r);
        out->prior_has_expiry = get_u8(&r) != 0;
        if (out->prior_has_expiry) out->prior_expiry_wall_ns = get_u64(&r);
    }
    if (r.bad || r.in.n != 0 || !kind_ok(kind) || !kind_ok(prior_kind)) return MICE_CORRUPT;
    out->kind = (intent_kind)kind;
    out->prior_kind = (intent_kind)prior_kind;
    return MICE_OK;
}

void txn_record_key(mice_buf *out, mice_slice primary, uint64_t txn_id)
{
    buf_reset(out);
    buf_append_u8(out, TXN_RECORD_KEY_PREFIX);
    keyenc_put_bytes(out, primary, KEYENC_ASC);
    buf_append_be64(out, txn_id);
}

void txn_record_encode(mice_buf *out, const txn_record *rec)
{
    buf_reset(out);
    buf_append_u8(out, TXN_RECORD_VERSION);
    buf_append_u8(out, (uint8_t)rec->status);
    put_ts(out, rec->write_ts);
    buf_append_be64(out, rec->heartbeat_wall_ns);
}

mice_status txn_record_decode(mice_slice raw, txn_record *out)
{
    reader r = {raw, false};
    if (get_u8(&r) != TXN_RECORD_VERSION) return MICE_CORRUPT;
    uint8_t st = get_u8(&r);
    out->write_ts = get_ts(&r);
    out->heartbeat_wall_ns = get_u64(&r);
    if (r.bad || r.in.n != 0 || st < TXN_PENDING || st > TXN_ABORTED) return MICE_CORRUPT;
    out->status = (txn_status)st;
    return MICE_OK;
}
