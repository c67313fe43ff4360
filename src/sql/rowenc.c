/*
 * rowenc.c - rows and index entries <-> keys and values (formats in rowenc.h).
 *
 * Value pairs start with one varint: (column id delta << 4) | tag. The tag says how long
 * the payload is, so a decoder can skip a column it does not know without its type.
 */
#include "sql/rowenc.h"

#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "base/varint.h"
#include "kv/keys.h"
#include "sql/array.h"

enum value_tag {
    VTAG_FALSE = 1,
    VTAG_TRUE = 2,
    VTAG_INT = 3,     /* zigzag varint */
    VTAG_FLOAT4 = 4,  /* 4 bytes, IEEE bits big-endian */
    VTAG_FLOAT8 = 5,  /* 8 bytes */
    VTAG_BYTES = 6,   /* varint length + bytes */
    VTAG_NUMERIC = 7, /* varint length + PostgreSQL binary numeric */
    VTAG_DATE = 8,    /* zigzag varint days */
    VTAG_TIME = 9,    /* zigzag varint microseconds */
    VTAG_INTERVAL = 10, /* zigzag varints: microseconds, days, months */
    VTAG_UUID = 11,     /* 16 bytes */
    VTAG_TIMETZ = 12,   /* zigzag varints: microseconds, zone seconds west */
    VTAG_BITS = 4,
};

enum numeric_key_class {
    NUMK_NINF = 1,
    NUMK_NEG = 2,
    NUMK_ZERO = 3,
    NUMK_POS = 4,
    NUMK_PINF = 5,
    NUMK_NAN = 6,
};
#define NUMK_NEG_END 0xFFFFu /* above every stored digit (0..9999) */
#define NUMK_DIGIT_MAX 9999u
#define NUMK_WEIGHT_BIAS 0x8000

static bool is_bytes_type(sql_type_id t)
{
    return t == SQL_TYPE_TEXT || t == SQL_TYPE_VARCHAR || t == SQL_TYPE_BPCHAR ||
           t == SQL_TYPE_BYTEA || t == SQL_TYPE_UNKNOWN;
}

static bool type_supported(sql_type_id t)
{
    switch (t) {
    case SQL_TYPE_BOOL: case SQL_TYPE_INT2: case SQL_TYPE_INT4: case SQL_TYPE_INT8:
    case SQL_TYPE_OID: case SQL_TYPE_FLOAT4: case SQL_TYPE_FLOAT8: case SQL_TYPE_NUMERIC:
    case SQL_TYPE_DATE: case SQL_TYPE_TIMESTAMP: case SQL_TYPE_TIMESTAMPTZ:
    case SQL_TYPE_TIME: case SQL_TYPE_INTERVAL: case SQL_TYPE_UUID: case SQL_TYPE_TIMETZ:
        return true;
    default:
        return is_bytes_type(t);
    }
}

/* Types a value pair can hold: the key types and arrays (their flat bytes, array.h). */
static bool value_type_supported(sql_type_id t)
{
    return type_supported(t) || array_type_is(t) || t == SQL_TYPE_JSON;
}

/* Types whose key form loses something the value keeps (see rowenc.h). */
static bool is_composite(sql_type_id t)
{
    return t == SQL_TYPE_NUMERIC || t == SQL_TYPE_FLOAT4 || t == SQL_TYPE_FLOAT8 ||
           t == SQL_TYPE_BPCHAR || t == SQL_TYPE_INTERVAL;
}

/* Whether a decoded integer fits its column's width (bytes from disk are not trusted). */
static bool int_fits(sql_type_id t, int64_t v)
{
    switch (t) {
    case SQL_TYPE_INT2: return v >= INT16_MIN && v <= INT16_MAX;
    case SQL_TYPE_INT4: return v >= INT32_MIN && v <= INT32_MAX;
    case SQL_TYPE_OID: return v >= 0 && v <= UINT32_MAX;
    default: return true;
    }
}

/* --- numeric key bytes --------------------------------------------------------------- */

void rowenc_numeric_key_bytes(const sql_numeric *n, mice_buf *out)
{
    if (n->sign == SQL_NUMERIC_NAN) { buf_append_u8(out, NUMK_NAN); return; }
    if (n->sign == SQL_NUMERIC_PINF) { buf_append_u8(out, NUMK_PINF); return; }
    if (n->sign == SQL_NUMERIC_NINF) { buf_append_u8(out, NUMK_NINF); return; }
    int32_t first = 0, last = n->ndigits; /* [first, last): strip zero digits at both ends */
    while (first < last && n->digits[first] == 0) first++;
    while (last > first && n->digits[last - 1] == 0) last--;
    if (first == last) { buf_append_u8(out, NUMK_ZERO); return; }
    bool neg = n->sign == SQL_NUMERIC_NEG;
    uint16_t flip = neg ? 0xFFFF : 0;
    int32_t weight = n->weight - first;
    mice_assert(weight >= SQL_NUMERIC_WEIGHT_MIN);
    mice_assert(weight <= SQL_NUMERIC_WEIGHT_MAX);
    buf_append_u8(out, neg ? NUMK_NEG : NUMK_POS);
    buf_append_be16(out, (uint16_t)((uint16_t)(weight + NUMK_WEIGHT_BIAS) ^ flip));
    for (int32_t i = first; i < last; i++) {
        uint16_t d = (uint16_t)n->digits[i];
        buf_append_be16(out, neg ? (uint16_t)(NUMK_DIGIT_MAX - d) : d);
    }
    if (neg) buf_append_be16(out, NUMK_NEG_END);
}

static int32_t min_dscale(int32_t weight, const int16_t *digits, int32_t ndigits)
{
    int32_t frac = ndigits - (weight + 1);
    if (frac <= 0) return 0;
    int32_t scale = frac * SQL_NUMERIC_DEC_DIGITS;
    for (int d = digits[ndigits - 1]; d % 10 == 0; d /= 10) scale--;
    return scale;
}

static mice_status make_special(uint16_t sign, mice_arena *arena, const sql_numeric **out)
{
    sql_numeric *r = arena_zalloc(arena, sizeof *r);
    if (!r) return MICE_NOMEM;
    r->sign = sign;
    *out = r;
    return MICE_OK;
}

mice_status rowenc_numeric_from_key_bytes(mice_slice in, mice_arena *arena,
                                          const sql_numeric **out)
{
    if (in.n < 1) return MICE_CORRUPT;
    uint8_t cls = in.p[0];
    static const uint16_t special[] = {[NUMK_NINF] = SQL_NUMERIC_NINF, [NUMK_ZERO] = SQL_NUMERIC_POS,
                                       [NUMK_PINF] = SQL_NUMERIC_PINF, [NUMK_NAN] = SQL_NUMERIC_NAN};
    if (cls == NUMK_NINF || cls == NUMK_ZERO || cls == NUMK_PINF || cls == NUMK_NAN)
        return in.n == 1 ? make_special(special[cls], arena, out) : MICE_CORRUPT;
    if (cls != NUMK_NEG && cls != NUMK_POS) return MICE_CORRUPT;
    bool neg = cls == NUMK_NEG;
    size_t body = in.n - 1;
    if (body % 2 || body < 4) return MICE_CORRUPT;
    const uint8_t *p = in.p + 1;
    uint16_t flip = neg ? 0xFFFF : 0;
    if (neg && mice_load_be16(p + body - 2) != NUMK_NEG_END) return MICE_CORRUPT;
    int32_t ndigits = (int32_t)(body / 2) - 1 - (neg ? 1 : 0);
    if (ndigits < 1) return MICE_CORRUPT;
    sql_numeric *r = arena_zalloc(arena, sizeof *r + sizeof(int16_t) * (size_t)ndigits);
    if (!r) return MICE_NOMEM;
    r->sign = neg ? SQL_NUMERIC_NEG : SQL_NUMERIC_POS;
    r->weight = (int32_t)(uint16_t)(mice_load_be16(p) ^ flip) - NUMK_WEIGHT_BIAS;
    r->ndigits = ndigits;
    for (int32_t i = 0; i < ndigits; i++) {
        uint16_t d = mice_load_be16(p + 2 + 2 * (size_t)i);
        if (d > NUMK_DIGIT_MAX) return MICE_CORRUPT;
        if (neg) d = (uint16_t)(NUMK_DIGIT_MAX - d);
        r->digits[i] = (int16_t)d;
    }
    if (r->digits[0] == 0 || r->digits[ndigits - 1] == 0) return MICE_CORRUPT;
    int32_t dscale = min_dscale(r->weight, r->digits, ndigits);
    if (dscale > SQL_NUMERIC_DSCALE_MAX) return MICE_CORRUPT;
    r->dscale = (uint16_t)dscale;
    *out = r;
    return MICE_OK;
}

/* --- key values ------------------------------------------------------------------------ */

static mice_slice bpchar_trimmed(mice_slice s)
{
    while (s.n > 0 && s.p[s.n - 1] == ' ') s.n--;
    return s;
}

mice_status rowenc_key_put(mice_buf *out, const sql_datum *d, keyenc_dir dir)
{
    if (!type_supported(d->type)) return MICE_UNSUPPORTED;
    if (d->is_null) { keyenc_put_null(out, dir); return MICE_OK; }
    switch (d->type) {
    case SQL_TYPE_BOOL: keyenc_put_bool(out, d->v.b, dir); break;
    case SQL_TYPE_INT2: case SQL_TYPE_INT4: case SQL_TYPE_INT8: case SQL_TYPE_OID:
        keyenc_put_int64(out, d->v.i, dir);
        break;
    case SQL_TYPE_FLOAT4: keyenc_put_float64(out, (double)d->v.f4, dir); break;
    case SQL_TYPE_FLOAT8: keyenc_put_float64(out, d->v.f8, dir); break;
    case SQL_TYPE_DATE: keyenc_put_int64(out, d->v.date, dir); break;
    case SQL_TYPE_TIMESTAMP: case SQL_TYPE_TIMESTAMPTZ: keyenc_put_timestamp(out, d->v.ts, dir); break;
    case SQL_TYPE_BYTEA: keyenc_put_bytes(out, d->v.s, dir); break;
    case SQL_TYPE_TIME: keyenc_put_int64(out, d->v.time, dir); break;
    case SQL_TYPE_UUID: keyenc_put_bytes(out, mice_slice_of(d->v.uuid.b, SQL_UUID_BYTES), dir); break;
    case SQL_TYPE_TIMETZ: {
        uint8_t k[SQL_TIMETZ_KEY_BYTES];
        sqltimetz_key_bytes(&d->v.ttz, k);
        keyenc_put_bytes(out, mice_slice_of(k, sizeof k), dir);
        break;
    }
    case SQL_TYPE_INTERVAL: {
        uint8_t k[SQL_INTERVAL_KEY_BYTES];
        interval_key_bytes(&d->v.iv, k);
        keyenc_put_bytes(out, mice_slice_of(k, sizeof k), dir);
        break;
    }
    case SQL_TYPE_BPCHAR: keyenc_put_text(out, bpchar_trimmed(d->v.s), dir); break;
    case SQL_TYPE_NUMERIC: {
        mice_buf nb;
        buf_init(&nb);
        rowenc_numeric_key_bytes(d->v.num, &nb);
        keyenc_put_bytes(out, buf_slice(&nb), dir);
        buf_deinit(&nb);
        break;
    }
    default: keyenc_put_text(out, d->v.s, dir); break;
    }
    return MICE_OK;
}

static mice_status key_get_varlen(mice_slice *in, sql_type_id type, keyenc_dir dir,
                                  mice_arena *arena, sql_datum *out, bool *is_null)
{
    mice_buf b;
    buf_init(&b);
    bool bytes = type == SQL_TYPE_BYTEA || type == SQL_TYPE_NUMERIC || type == SQL_TYPE_UUID ||
                 type == SQL_TYPE_INTERVAL || type == SQL_TYPE_TIMETZ;
    mice_status rc = bytes ? keyenc_get_bytes(in, dir, &b, is_null) : keyenc_get_text(in, dir, &b, is_null);
    if (rc || *is_null) goto done;
    if (type == SQL_TYPE_TIMETZ) {
        if (b.n != SQL_TIMETZ_KEY_BYTES || !sqltimetz_from_key_bytes(b.p, &out->v.ttz))
            rc = MICE_CORRUPT;
        goto done;
    }
    if (type == SQL_TYPE_UUID || type == SQL_TYPE_INTERVAL) {
        size_t want = type == SQL_TYPE_UUID ? SQL_UUID_BYTES : SQL_INTERVAL_KEY_BYTES;
        if (b.n != want) rc = MICE_CORRUPT;
        else if (type == SQL_TYPE_UUID) memcpy(out->v.uuid.b, b.p, SQL_UUID_BYTES);
        else if (!interval_from_key_bytes(b.p, &out->v.iv)) rc = MICE_CORRUPT;
        goto done;
    }
    if (type == SQL_TYPE_NUMERIC) {
        rc = rowenc_numeric_from_key_bytes(buf_slice(&b), arena, &out->v.num);
        goto done;
    }
    out->v.s = arena_slice_dup(arena, buf_slice(&b));
    if (!out->v.s.p) rc = MICE_NOMEM;
done:
    buf_deinit(&b);
    return rc;
}

mice_status rowenc_key_get(mice_slice *in, sql_type_id type, keyenc_dir dir, mice_arena *arena,
                           sql_datum *out)
{
    if (!type_supported(type)) return MICE_UNSUPPORTED;
    *out = datum_null(type);
    bool is_null = false;
    mice_slice save = *in;
    mice_status rc;
    double f = 0;
    int64_t i = 0;
    switch (type) {
    case SQL_TYPE_BOOL: rc = keyenc_get_bool(in, dir, &out->v.b, &is_null); break;
    case SQL_TYPE_INT2: case SQL_TYPE_INT4: case SQL_TYPE_INT8: case SQL_TYPE_OID:
        rc = keyenc_get_int64(in, dir, &out->v.i, &is_null);
        if (!rc && !is_null && !int_fits(type, out->v.i)) rc = MICE_CORRUPT;
        break;
    case SQL_TYPE_FLOAT4:
        rc = keyenc_get_float64(in, dir, &f, &is_null);
        out->v.f4 = (float)f;
        break;
    case SQL_TYPE_FLOAT8: rc = keyenc_get_float64(in, dir, &out->v.f8, &is_null); break;
    case SQL_TYPE_DATE:
        rc = keyenc_get_int64(in, dir, &i, &is_null);
        if (!rc && !is_null && (i < INT32_MIN || i > INT32_MAX)) rc = MICE_CORRUPT;
        out->v.date = (sql_date)i;
        break;
    case SQL_TYPE_TIMESTAMP: case SQL_TYPE_TIMESTAMPTZ:
        rc = keyenc_get_timestamp(in, dir, &out->v.ts, &is_null);
        break;
    case SQL_TYPE_TIME:
        rc = keyenc_get_int64(in, dir, &out->v.time, &is_null);
        if (!rc && !is_null && (out->v.time < 0 || out->v.time > SQL_USECS_PER_DAY)) rc = MICE_CORRUPT;
        break;
    default: rc = key_get_varlen(in, type, dir, arena, out, &is_null); break;
    }
    if (rc == MICE_OK) {
        out->is_null = is_null;
        return MICE_OK;
    }
    *in = save;
    return rc == MICE_NOMEM ? MICE_NOMEM : MICE_CORRUPT;
}

/* --- value pairs ----------------------------------------------------------------------- */

static uint32_t tag_of(const sql_datum *d)
{
    uint32_t tag;
    switch (d->type) {
    case SQL_TYPE_BOOL: tag = d->v.b ? VTAG_TRUE : VTAG_FALSE; break;
    case SQL_TYPE_INT2: case SQL_TYPE_INT4: case SQL_TYPE_INT8: case SQL_TYPE_OID: tag = VTAG_INT; break;
    case SQL_TYPE_FLOAT4: tag = VTAG_FLOAT4; break;
    case SQL_TYPE_FLOAT8: tag = VTAG_FLOAT8; break;
    case SQL_TYPE_NUMERIC: tag = VTAG_NUMERIC; break;
    case SQL_TYPE_DATE: tag = VTAG_DATE; break;
    case SQL_TYPE_TIMESTAMP: case SQL_TYPE_TIMESTAMPTZ: case SQL_TYPE_TIME: tag = VTAG_TIME; break;
    case SQL_TYPE_INTERVAL: tag = VTAG_INTERVAL; break;
    case SQL_TYPE_UUID: tag = VTAG_UUID; break;
    case SQL_TYPE_TIMETZ: tag = VTAG_TIMETZ; break;
    default: tag = VTAG_BYTES; break;
    }
    return tag;
}

static void value_put(mice_buf *out, uint32_t delta, const sql_datum *d)
{
    uint32_t tag = tag_of(d);
    varint_put_u64(out, (uint64_t)delta << VTAG_BITS | tag);
    uint32_t u32;
    uint64_t u64;
    mice_buf nb;
    switch (tag) {
    case VTAG_INT: varint_put_i64(out, d->v.i); break;
    case VTAG_DATE: varint_put_i64(out, d->v.date); break;
    case VTAG_TIME: varint_put_i64(out, d->type == SQL_TYPE_TIME ? d->v.time : d->v.ts); break;
    case VTAG_INTERVAL:
        varint_put_i64(out, d->v.iv.time);
        varint_put_i64(out, d->v.iv.day);
        varint_put_i64(out, d->v.iv.month);
        break;
    case VTAG_UUID: buf_append(out, d->v.uuid.b, SQL_UUID_BYTES); break;
    case VTAG_TIMETZ:
        varint_put_i64(out, d->v.ttz.time);
        varint_put_i64(out, d->v.ttz.zone);
        break;
    case VTAG_FLOAT4: memcpy(&u32, &d->v.f4, 4); buf_append_be32(out, u32); break;
    case VTAG_FLOAT8: memcpy(&u64, &d->v.f8, 8); buf_append_be64(out, u64); break;
    case VTAG_BYTES: varint_put_u64(out, d->v.s.n); buf_append_slice(out, d->v.s); break;
    case VTAG_NUMERIC:
        buf_init(&nb);
        numeric_send(d->v.num, &nb);
        varint_put_u64(out, nb.n);
        buf_append_slice(out, buf_slice(&nb));
        buf_deinit(&nb);
        break;
    default: break;
    }
}

static mice_status take(mice_slice *in, size_t n, mice_slice *out)
{
    if (in->n < n) return MICE_CORRUPT;
    *out = (mice_slice){in->p, n};
    in->p += n;
    in->n -= n;
    return MICE_OK;
}

static mice_status take_lenpfx(mice_slice *in, mice_slice *out)
{
    uint64_t n;
    if (varint_get_u64(in, &n)) return MICE_CORRUPT;
    if (n > in->n) return MICE_CORRUPT;
    return take(in, (size_t)n, out);
}

/* Skip the payload of a pair whose tag was read. */
static mice_status value_skip(mice_slice *in, uint32_t tag)
{
    uint64_t u;
    mice_slice s;
    switch (tag) {
    case VTAG_FALSE: case VTAG_TRUE: return MICE_OK;
    case VTAG_INT: case VTAG_DATE: case VTAG_TIME: return varint_get_u64(in, &u) ? MICE_CORRUPT : MICE_OK;
    case VTAG_FLOAT4: return take(in, 4, &s);
    case VTAG_FLOAT8: return take(in, 8, &s);
    case VTAG_BYTES: case VTAG_NUMERIC: return take_lenpfx(in, &s);
    case VTAG_INTERVAL:
        for (int i = 0; i < 3; i++)
            if (varint_get_u64(in, &u)) return MICE_CORRUPT;
        return MICE_OK;
    case VTAG_UUID: return take(in, SQL_UUID_BYTES, &s);
    case VTAG_TIMETZ:
        for (int i = 0; i < 2; i++)
            if (varint_get_u64(in, &u)) return MICE_CORRUPT;
        return MICE_OK;
    default: return MICE_CORRUPT;
    }
}

static bool tag_fits(uint32_t tag, sql_type_id type)
{
    switch (type) {
    case SQL_TYPE_BOOL: return tag == VTAG_FALSE || tag == VTAG_TRUE;
    case SQL_TYPE_INT2: case SQL_TYPE_INT4: case SQL_TYPE_INT8: case SQL_TYPE_OID: return tag == VTAG_INT;
    case SQL_TYPE_FLOAT4: return tag == VTAG_FLOAT4;
    case SQL_TYPE_FLOAT8: return tag == VTAG_FLOAT8;
    case SQL_TYPE_NUMERIC: return tag == VTAG_NUMERIC;
    case SQL_TYPE_DATE: return tag == VTAG_DATE;
    case SQL_TYPE_TIMESTAMP: case SQL_TYPE_TIMESTAMPTZ: case SQL_TYPE_TIME: return tag == VTAG_TIME;
    case SQL_TYPE_INTERVAL: return tag == VTAG_INTERVAL;
    case SQL_TYPE_UUID: return tag == VTAG_UUID;
    case SQL_TYPE_TIMETZ: return tag == VTAG_TIMETZ;
    default:
        return (is_bytes_type(type) || array_type_is(type) || type == SQL_TYPE_JSON) &&
               tag == VTAG_BYTES;
    }
}

static mice_status value_get_numeric(mice_slice *in, mice_arena *arena, sql_datum *out)
{
    mice_slice s;
    if (take_lenpfx(in, &s)) return MICE_CORRUPT;
    sql_error err;
    mice_status rc = numeric_recv(s, -1, arena, &out->v.num, &err);
    if (rc) return rc == MICE_NOMEM ? MICE_NOMEM : MICE_CORRUPT;
    return MICE_OK;
}

/* Decode the payload of a pair with a tag that fits type. */
static mice_status value_get(mice_slice *in, uint32_t tag, sql_type_id type, mice_arena *arena,
                             sql_datum *out)
{
    *out = (sql_datum){.type = type};
    mice_slice s;
    int64_t i;
    uint32_t u32;
    uint64_t u64;
    switch (tag) {
    case VTAG_FALSE: case VTAG_TRUE: out->v.b = tag == VTAG_TRUE; return MICE_OK;
    case VTAG_INT: return varint_get_i64(in, &out->v.i) ? MICE_CORRUPT : MICE_OK;
    case VTAG_TIME:
        if (type == SQL_TYPE_TIME) {
            if (varint_get_i64(in, &i) || i < 0 || i > SQL_USECS_PER_DAY) return MICE_CORRUPT;
            out->v.time = i;
            return MICE_OK;
        }
        return varint_get_i64(in, &out->v.ts) ? MICE_CORRUPT : MICE_OK;
    case VTAG_INTERVAL: {
        int64_t day, month;
        if (varint_get_i64(in, &out->v.iv.time) || varint_get_i64(in, &day) ||
            varint_get_i64(in, &month) || day < INT32_MIN || day > INT32_MAX ||
            month < INT32_MIN || month > INT32_MAX)
            return MICE_CORRUPT;
        out->v.iv.day = (int32_t)day;
        out->v.iv.month = (int32_t)month;
        return MICE_OK;
    }
    case VTAG_TIMETZ: {
        int64_t zone;
        if (varint_get_i64(in, &out->v.ttz.time) || varint_get_i64(in, &zone) ||
            out->v.ttz.time < 0 || out->v.ttz.time > SQL_USECS_PER_DAY ||
            zone < -SQL_TIMETZ_ZONE_MAX_S || zone > SQL_TIMETZ_ZONE_MAX_S)
            return MICE_CORRUPT;
        out->v.ttz.zone = (int32_t)zone;
        return MICE_OK;
    }
    case VTAG_UUID:
        if (take(in, SQL_UUID_BYTES, &s)) return MICE_CORRUPT;
        memcpy(out->v.uuid.b, s.p, SQL_UUID_BYTES);
        return MICE_OK;
    case VTAG_DATE:
        if (varint_get_i64(in, &i) || i < INT32_MIN || i > INT32_MAX) return MICE_CORRUPT;
        out->v.date = (sql_date)i;
        return MICE_OK;
    case VTAG_FLOAT4:
        if (take(in, 4, &s)) return MICE_CORRUPT;
        u32 = mice_load_be32(s.p);
        memcpy(&out->v.f4, &u32, 4);
        return MICE_OK;
    case VTAG_FLOAT8:
        if (take(in, 8, &s)) return MICE_CORRUPT;
        u64 = mice_load_be64(s.p);
        memcpy(&out->v.f8, &u64, 8);
        return MICE_OK;
    case VTAG_BYTES:
        if (take_lenpfx(in, &s)) return MICE_CORRUPT;
        out->v.s = arena_slice_dup(arena, s);
        return out->v.s.p ? MICE_OK : MICE_NOMEM;
    case VTAG_NUMERIC: return value_get_numeric(in, arena, out);
    default: return MICE_CORRUPT;
    }
}

/* Append pairs for the columns ordinals[0..n) (increasing ids), skipping NULLs. */
static mice_status values_put(const rowenc_table *t, const uint32_t *ordinals, uint32_t n,
                              const sql_datum *row, mice_buf *out)
{
    uint32_t prev_id = 0;
    for (uint32_t k = 0; k < n; k++) {
        const rowenc_col *c = &t->cols[ordinals[k]];
        const sql_datum *d = &row[ordinals[k]];
        if (!value_type_supported(c->type)) return MICE_UNSUPPORTED;
        mice_assert(c->id > prev_id);
        if (d->is_null) continue;
        if (!value_type_supported(d->type) || !tag_fits(tag_of(d), c->type) ||
            array_type_is(d->type) != array_type_is(c->type))
            return MICE_INVALID;
        value_put(out, c->id - prev_id, d);
        prev_id = c->id;
    }
    return MICE_OK;
}

/* Decode pairs into row for the columns ordinals[0..n) (increasing ids); unknown ids are
 * skipped, absent columns left as they are. */
static mice_status values_get(const rowenc_table *t, const uint32_t *ordinals, uint32_t n,
                              mice_slice in, mice_arena *arena, sql_datum *row)
{
    uint64_t id = 0;
    uint32_t k = 0;
    while (in.n > 0) {
        uint64_t h;
        if (varint_get_u64(&in, &h)) return MICE_CORRUPT;
        uint64_t delta = h >> VTAG_BITS;
        uint32_t tag = (uint32_t)(h & ((1u << VTAG_BITS) - 1));
        if (delta == 0 || delta > UINT32_MAX - id) return MICE_CORRUPT;
        id += delta;
        while (k < n && t->cols[ordinals[k]].id < id) k++;
        if (k == n || t->cols[ordinals[k]].id != id) {
            if (value_skip(&in, tag)) return MICE_CORRUPT;
            continue;
        }
        sql_type_id type = t->cols[ordinals[k]].type;
        if (!tag_fits(tag, type)) return MICE_CORRUPT;
        mice_status rc = value_get(&in, tag, type, arena, &row[ordinals[k]]);
        if (rc) return rc;
        if (tag == VTAG_INT && !int_fits(type, row[ordinals[k]].v.i)) return MICE_CORRUPT;
    }
    return MICE_OK;
}

/* --- rows and index entries ---------------------------------------------------------- */

static bool in_list(const uint32_t *list, uint32_t n, uint32_t v)
{
    for (uint32_t i = 0; i < n; i++)
        if (list[i] == v) return true;
    return false;
}

static mice_status put_cols(const rowenc_table *t, const uint32_t *cols, const keyenc_dir *dirs,
                            uint32_t n, const sql_datum *row, mice_buf *out, bool *any_null)
{
    for (uint32_t i = 0; i < n; i++) {
        const sql_datum *d = &row[cols[i]];
        if (d->is_null && any_null) *any_null = true;
        sql_datum typed = *d;
        sql_type_id ct = t->cols[cols[i]].type;
        /* NULLs may come untyped; a string datum takes its column's flavour (bpchar). */
        if (d->is_null || (sql_type_is_string(ct) && sql_type_is_string(d->type))) typed.type = ct;
        mice_status rc = rowenc_key_put(out, &typed, dirs[i]);
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status get_cols(const rowenc_table *t, const uint32_t *cols, const keyenc_dir *dirs,
                            uint32_t n, mice_slice *in, mice_arena *arena, sql_datum *row)
{
    for (uint32_t i = 0; i < n; i++) {
        mice_status rc = rowenc_key_get(in, t->cols[cols[i]].type, dirs[i], arena, &row[cols[i]]);
        if (rc) return rc;
    }
    return MICE_OK;
}

mice_status rowenc_primary_key(const rowenc_table *t, const sql_datum *row, mice_buf *key)
{
    const rowenc_index *pk = t->primary;
    for (uint32_t i = 0; i < pk->n_cols; i++)
        if (row[pk->cols[i]].is_null) return MICE_INVALID;
    if (t->kv_namespace) {
        keys_kv(key, row[ROWENC_KV_KEY].v.s);
        return MICE_OK;
    }
    keys_index_prefix(key, t->table_id, pk->id);
    return put_cols(t, pk->cols, pk->dirs, pk->n_cols, row, key, NULL);
}

mice_status rowenc_primary_value(const rowenc_table *t, const sql_datum *row, mice_buf *value)
{
    if (t->kv_namespace) {
        if (row[ROWENC_KV_VALUE].is_null) return MICE_INVALID;
        buf_append_slice(value, row[ROWENC_KV_VALUE].v.s);
        return MICE_OK;
    }
    uint32_t stack[64] = {0};
    uint32_t *ords = t->n_cols <= 64 ? stack : mice_malloc(sizeof(uint32_t) * t->n_cols);
    uint32_t n = 0;
    for (uint32_t c = 0; c < t->n_cols; c++) {
        bool key = in_list(t->primary->cols, t->primary->n_cols, c);
        if (!key || is_composite(t->cols[c].type)) ords[n++] = c;
    }
    mice_status rc = values_put(t, ords, n, row, value);
    if (ords != stack) free(ords);
    return rc;
}

static mice_status check_prefix(mice_slice key, uint32_t table_id, uint32_t index_id,
                                mice_slice *rest)
{
    uint64_t tid, iid;
    if (keys_decode_index_key(key, &tid, &iid, rest)) return MICE_CORRUPT;
    return tid == table_id && iid == index_id ? MICE_OK : MICE_CORRUPT;
}

static void all_null(const rowenc_table *t, sql_datum *row)
{
    for (uint32_t c = 0; c < t->n_cols; c++) row[c] = datum_null(t->cols[c].type);
}

static mice_status all_values_get(const rowenc_table *t, mice_slice value, mice_arena *arena,
                                  sql_datum *row)
{
    uint32_t stack[64] = {0};
    uint32_t *ords = t->n_cols <= 64 ? stack : mice_malloc(sizeof(uint32_t) * t->n_cols);
    for (uint32_t c = 0; c < t->n_cols; c++) ords[c] = c;
    mice_status rc = values_get(t, ords, t->n_cols, value, arena, row);
    if (ords != stack) free(ords);
    return rc;
}

static mice_status kv_decode(mice_slice key, mice_slice value, mice_arena *arena, sql_datum *row)
{
    mice_slice user_key;
    if (!keys_kv_user_key(key, &user_key)) return MICE_CORRUPT;
    const void *k = arena_memdup(arena, user_key.p, user_key.n ? user_key.n : 1);
    const void *v = arena_memdup(arena, value.p, value.n ? value.n : 1);
    if (!k || !v) return MICE_NOMEM;
    row[ROWENC_KV_KEY] = datum_bytes(SQL_TYPE_BYTEA, mice_slice_of(k, user_key.n));
    row[ROWENC_KV_VALUE] = datum_bytes(SQL_TYPE_BYTEA, mice_slice_of(v, value.n));
    return MICE_OK;
}

mice_status rowenc_primary_decode(const rowenc_table *t, mice_slice key, mice_slice value,
                                  mice_arena *arena, sql_datum *row)
{
    all_null(t, row);
    if (t->kv_namespace) return kv_decode(key, value, arena, row);
    mice_slice rest;
    const rowenc_index *pk = t->primary;
    if (check_prefix(key, t->table_id, pk->id, &rest)) return MICE_CORRUPT;
    mice_status rc = get_cols(t, pk->cols, pk->dirs, pk->n_cols, &rest, arena, row);
    if (rc) return rc;
    if (rest.n != 0) return MICE_CORRUPT;
    for (uint32_t i = 0; i < pk->n_cols; i++)
        if (row[pk->cols[i]].is_null) return MICE_CORRUPT;
    return all_values_get(t, value, arena, row);
}

mice_status rowenc_index_entry(const rowenc_table *t, const rowenc_index *ix,
                               const sql_datum *row, mice_buf *key, mice_buf *value)
{
    const rowenc_index *pk = t->primary;
    keys_index_prefix(key, t->table_id, ix->id);
    bool any_null = false;
    mice_status rc = put_cols(t, ix->cols, ix->dirs, ix->n_cols, row, key, &any_null);
    if (rc) return rc;
    if (!ix->unique || any_null) {
        rc = put_cols(t, pk->cols, pk->dirs, pk->n_cols, row, key, NULL);
        if (rc) return rc;
    }
    if (ix->unique) {
        mice_buf pkb;
        buf_init(&pkb);
        rc = put_cols(t, pk->cols, pk->dirs, pk->n_cols, row, &pkb, NULL);
        varint_put_u64(value, pkb.n);
        buf_append_slice(value, buf_slice(&pkb));
        buf_deinit(&pkb);
        if (rc) return rc;
    }
    return values_put(t, ix->include, ix->n_include, row, value);
}

mice_status rowenc_index_decode(const rowenc_table *t, const rowenc_index *ix, mice_slice key,
                                mice_slice value, mice_arena *arena, sql_datum *row)
{
    const rowenc_index *pk = t->primary;
    all_null(t, row);
    mice_slice rest;
    if (check_prefix(key, t->table_id, ix->id, &rest)) return MICE_CORRUPT;
    mice_status rc = get_cols(t, ix->cols, ix->dirs, ix->n_cols, &rest, arena, row);
    if (rc) return rc;
    if (ix->unique) {
        mice_slice pkb;
        if (take_lenpfx(&value, &pkb)) return MICE_CORRUPT;
        rc = get_cols(t, pk->cols, pk->dirs, pk->n_cols, &pkb, arena, row);
        if (rc) return rc;
        if (pkb.n != 0) return MICE_CORRUPT;
        for (uint32_t i = 0; i < pk->n_cols && rest.n > 0; i++)
            if (keyenc_skip(&rest)) return MICE_CORRUPT;
    } else {
        rc = get_cols(t, pk->cols, pk->dirs, pk->n_cols, &rest, arena, row);
        if (rc) return rc;
    }
    if (rest.n != 0) return MICE_CORRUPT;
    return values_get(t, ix->include, ix->n_include, value, arena, row);
}

/* --- rowid ------------------------------------------------------------------------------- */

#define ROWID_EPOCH_UNIX_NS UINT64_C(1577836800000000000) /* 2020-01-01T00:00:00Z */
#define ROWID_TICK_NS UINT64_C(10000)

void rowenc_rowid_init(rowenc_rowid_gen *g, const mice_env *env, uint32_t node_id)
{
    g->last_ticks = 0;
    g->node_id = node_id & ((1u << ROWENC_ROWID_NODE_BITS) - 1);
    g->env = env;
}

int64_t rowenc_rowid_next(rowenc_rowid_gen *g)
{
    uint64_t wall = env_wall_ns(g->env);
    uint64_t now = wall > ROWID_EPOCH_UNIX_NS ? (wall - ROWID_EPOCH_UNIX_NS) / ROWID_TICK_NS : 0;
    uint64_t last = __atomic_load_n(&g->last_ticks, __ATOMIC_RELAXED);
    uint64_t next;
    do {
        next = now > last ? now : last + 1;
    } while (!__atomic_compare_exchange_n(&g->last_ticks, &last, next, false, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return (int64_t)(next << ROWENC_ROWID_NODE_BITS | g->node_id);
}

/* --- the kv table ------------------------------------------------------------------ */

enum { NS_PER_US = 1000 };
#define UNIX_EPOCH_US_IN_PG (INT64_C(946684800) * 1000000) /* 2000-01-01 - 1970-01-01 */

sql_datum rowenc_kv_expiry_datum(uint64_t expiry_wall_ns)
{
    if (!expiry_wall_ns) return datum_null(SQL_TYPE_TIMESTAMPTZ);
    return datum_timestamptz((sql_timestamp)(expiry_wall_ns / NS_PER_US) - UNIX_EPOCH_US_IN_PG);
}

mice_status rowenc_kv_expiry_ns(const sql_datum *expires_at, uint64_t *expiry_wall_ns)
{
    *expiry_wall_ns = 0;
    if (expires_at->is_null) return MICE_OK;
    sql_timestamp ts = expires_at->v.ts;
    if (ts == SQL_TS_NOBEGIN || ts == SQL_TS_NOEND || ts <= -UNIX_EPOCH_US_IN_PG)
        return MICE_INVALID;
    uint64_t unix_us = (uint64_t)ts + (uint64_t)UNIX_EPOCH_US_IN_PG;
    if (unix_us > UINT64_MAX / NS_PER_US) return MICE_INVALID; /* past the year 2554 */
    *expiry_wall_ns = unix_us * NS_PER_US;
    return MICE_OK;
}
