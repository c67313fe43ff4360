/*
 * catalog_desc.c - catalog records as bytes: descriptors, users and name entries.
 *
 * A record is a format byte (CATDESC_FORMAT) followed by fields, each a varint header
 * (field number << 3 | wire type) and a payload: wire type 0 is a varint, 2 a varint
 * length and that many bytes (strings and nested records, which have no format byte).
 * Repeated fields repeat. A decoder skips fields it does not know, so a newer node can
 * add fields an older one ignores; field numbers are never reused. Bytes from disk are
 * not trusted: every length is checked and bad input is MICE_CORRUPT.
 */
#include <string.h>

#include "base/check.h"
#include "base/varint.h"
#include "sql/catalog.h"

enum { CATDESC_FORMAT = 1, WT_VARINT = 0, WT_BYTES = 2 };

/* Descriptor fields. */
enum {
    D_KIND = 1, D_ID = 2, D_PARENT = 3, D_DATABASE = 4, D_NAME = 5, D_OWNER = 6, D_VERSION = 7,
    D_COLUMN = 8, D_NEXT_COLUMN = 9, D_INDEX = 10, D_NEXT_INDEX = 11, D_CHECK = 12,
    D_VIEW_QUERY = 13, D_SEQ = 14, D_FOREIGN_KEY = 15 /* reserved */, D_VIEW_DEP = 16,
};
enum { C_ID = 1, C_NAME = 2, C_TYPE = 3, C_TYPMOD = 4, C_NOT_NULL = 5, C_HIDDEN = 6,
       C_DEFAULT = 7, C_SEQUENCE = 8, C_IDENTITY = 9 };
enum { I_ID = 1, I_NAME = 2, I_UNIQUE = 3, I_PRIMARY = 4, I_COL = 5, I_DIR = 6, I_INCLUDE = 7,
       I_PREDICATE = 8, I_CONSTRAINT = 9 };
enum { K_NAME = 1, K_EXPR = 2 };
enum { S_START = 1, S_INCREMENT = 2, S_MIN = 3, S_MAX = 4, S_CACHE = 5, S_CYCLE = 6,
       S_OWNER_TABLE = 7, S_OWNER_COLUMN = 8 };
enum { U_ID = 1, U_NAME = 2, U_SUPERUSER = 3, U_LOGIN = 4, U_PASSWORD = 5 };
enum { N_ID = 1, N_KIND = 2, N_INDEX = 3 };

/* --- writing ----------------------------------------------------------------------- */

static void put_u(mice_buf *b, uint32_t field, uint64_t v)
{
    varint_put_u64(b, (uint64_t)field << 3 | WT_VARINT);
    varint_put_u64(b, v);
}

static void put_i(mice_buf *b, uint32_t field, int64_t v)
{
    put_u(b, field, zigzag_encode(v));
}

static void put_bytes(mice_buf *b, uint32_t field, mice_slice s)
{
    varint_put_u64(b, (uint64_t)field << 3 | WT_BYTES);
    varint_put_u64(b, s.n);
    buf_append_slice(b, s);
}

static void put_str(mice_buf *b, uint32_t field, const char *s)
{
    if (s) put_bytes(b, field, mice_slice_str(s));
}

static void put_msg(mice_buf *b, uint32_t field, const mice_buf *msg)
{
    put_bytes(b, field, buf_slice(msg));
}

static void encode_column(const catalog_column *c, mice_buf *m)
{
    put_u(m, C_ID, c->id);
    put_str(m, C_NAME, c->name);
    put_u(m, C_TYPE, (uint64_t)c->type.id);
    put_i(m, C_TYPMOD, c->type.typmod);
    if (c->not_null) put_u(m, C_NOT_NULL, 1);
    if (c->hidden) put_u(m, C_HIDDEN, 1);
    put_str(m, C_DEFAULT, c->default_expr);
    if (c->sequence_id) put_u(m, C_SEQUENCE, c->sequence_id);
    if (c->identity) put_u(m, C_IDENTITY, (uint8_t)c->identity);
}

static void encode_index(const catalog_index *ix, mice_buf *m)
{
    put_u(m, I_ID, ix->id);
    put_str(m, I_NAME, ix->name);
    if (ix->unique) put_u(m, I_UNIQUE, 1);
    if (ix->primary) put_u(m, I_PRIMARY, 1);
    if (ix->constraint) put_u(m, I_CONSTRAINT, 1);
    for (uint32_t i = 0; i < ix->n_cols; i++) {
        put_u(m, I_COL, ix->col_ids[i]);
        put_u(m, I_DIR, ix->dirs ? (uint64_t)ix->dirs[i] : KEYENC_ASC);
    }
    for (uint32_t i = 0; i < ix->n_include; i++) put_u(m, I_INCLUDE, ix->include_ids[i]);
    put_str(m, I_PREDICATE, ix->predicate);
}

static void encode_seq(const catalog_sequence_opts *s, mice_buf *m)
{
    put_i(m, S_START, s->start);
    put_i(m, S_INCREMENT, s->increment);
    put_i(m, S_MIN, s->min);
    put_i(m, S_MAX, s->max);
    put_i(m, S_CACHE, s->cache);
    if (s->cycle) put_u(m, S_CYCLE, 1);
    if (s->owner_table_id) put_u(m, S_OWNER_TABLE, s->owner_table_id);
    if (s->owner_column_id) put_u(m, S_OWNER_COLUMN, s->owner_column_id);
}

void catalog_desc_encode(const catalog_desc *d, mice_buf *out)
{
    buf_append_u8(out, CATDESC_FORMAT);
    put_u(out, D_KIND, (uint64_t)d->kind);
    put_u(out, D_ID, d->id);
    put_u(out, D_PARENT, d->parent_id);
    put_u(out, D_DATABASE, d->database_id);
    put_str(out, D_NAME, d->name);
    put_u(out, D_OWNER, d->owner_id);
    put_u(out, D_VERSION, d->version);
    mice_buf m;
    buf_init(&m);
    for (uint32_t i = 0; i < d->n_columns; i++) {
        buf_reset(&m);
        encode_column(&d->columns[i], &m);
        put_msg(out, D_COLUMN, &m);
    }
    if (d->next_column_id) put_u(out, D_NEXT_COLUMN, d->next_column_id);
    for (uint32_t i = 0; i < d->n_indexes; i++) {
        buf_reset(&m);
        encode_index(&d->indexes[i], &m);
        put_msg(out, D_INDEX, &m);
    }
    if (d->next_index_id) put_u(out, D_NEXT_INDEX, d->next_index_id);
    for (uint32_t i = 0; i < d->n_checks; i++) {
        buf_reset(&m);
        put_str(&m, K_NAME, d->checks[i].name);
        put_str(&m, K_EXPR, d->checks[i].expr);
        put_msg(out, D_CHECK, &m);
    }
    put_str(out, D_VIEW_QUERY, d->view_query);
    for (uint32_t i = 0; i < d->n_view_deps; i++)
        put_u(out, D_VIEW_DEP, d->view_deps[i]);
    if (d->kind == CATALOG_SEQUENCE) {
        buf_reset(&m);
        encode_seq(&d->seq, &m);
        put_msg(out, D_SEQ, &m);
    }
    buf_deinit(&m);
}

void catalog_user_encode(const catalog_user *u, mice_buf *out)
{
    buf_append_u8(out, CATDESC_FORMAT);
    put_u(out, U_ID, u->id);
    put_str(out, U_NAME, u->name);
    if (u->superuser) put_u(out, U_SUPERUSER, 1);
    if (u->login) put_u(out, U_LOGIN, 1);
    put_str(out, U_PASSWORD, u->password);
}

void catalog_ns_encode(uint32_t id, catalog_kind kind, uint32_t index_id, mice_buf *out)
{
    buf_append_u8(out, CATDESC_FORMAT);
    put_u(out, N_ID, id);
    put_u(out, N_KIND, (uint64_t)kind);
    if (index_id) put_u(out, N_INDEX, index_id);
}

/* --- reading ------------------------------------------------------------------------ */

typedef struct field {
    uint32_t num;
    uint32_t wt;
    uint64_t u;   /* WT_VARINT */
    mice_slice s; /* WT_BYTES */
} field;

/* Next field of *in; false at the end. MICE_CORRUPT in *rc for bad bytes. */
static bool next_field(mice_slice *in, field *f, mice_status *rc)
{
    if (in->n == 0) return false;
    uint64_t h;
    *rc = MICE_CORRUPT;
    if (varint_get_u64(in, &h) || (h >> 3) == 0 || (h >> 3) > UINT32_MAX) return false;
    f->num = (uint32_t)(h >> 3);
    f->wt = (uint32_t)(h & 7);
    if (f->wt == WT_VARINT) {
        if (varint_get_u64(in, &f->u)) return false;
    } else if (f->wt == WT_BYTES) {
        uint64_t n;
        if (varint_get_u64(in, &n) || n > in->n) return false;
        f->s = (mice_slice){in->p, (size_t)n};
        in->p += n;
        in->n -= n;
    } else {
        return false;
    }
    *rc = MICE_OK;
    return true;
}

static uint32_t count_fields(mice_slice in, uint32_t num)
{
    field f;
    mice_status rc = MICE_OK;
    uint32_t n = 0;
    while (next_field(&in, &f, &rc))
        if (f.num == num) n++;
    return n;
}

/* Field accessors: a known field with the wrong wire type or range is corrupt. */
static mice_status get_u32(const field *f, uint32_t *out)
{
    if (f->wt != WT_VARINT || f->u > UINT32_MAX) return MICE_CORRUPT;
    *out = (uint32_t)f->u;
    return MICE_OK;
}

static mice_status get_u64(const field *f, uint64_t *out)
{
    if (f->wt != WT_VARINT) return MICE_CORRUPT;
    *out = f->u;
    return MICE_OK;
}

static mice_status get_i64(const field *f, int64_t *out)
{
    if (f->wt != WT_VARINT) return MICE_CORRUPT;
    *out = zigzag_decode(f->u);
    return MICE_OK;
}

static mice_status get_bool(const field *f, bool *out)
{
    if (f->wt != WT_VARINT || f->u > 1) return MICE_CORRUPT;
    *out = f->u == 1;
    return MICE_OK;
}

static mice_status get_str(const field *f, mice_arena *a, const char **out)
{
    if (f->wt != WT_BYTES || memchr(f->s.p, 0, f->s.n)) return MICE_CORRUPT;
    char *s = arena_strndup(a, (const char *)f->s.p, f->s.n);
    if (!s) return MICE_NOMEM;
    *out = s;
    return MICE_OK;
}

static mice_status decode_column(mice_slice in, mice_arena *a, catalog_column *c)
{
    field f;
    mice_status rc = MICE_OK;
    uint32_t u = 0;
    int64_t i = 0;
    c->type.typmod = -1;
    while (rc == MICE_OK && next_field(&in, &f, &rc)) {
        switch (f.num) {
        case C_ID: rc = get_u32(&f, &c->id); break;
        case C_NAME: rc = get_str(&f, a, &c->name); break;
        case C_TYPE: rc = get_u32(&f, &u); c->type.id = (sql_type_id)u; break;
        case C_TYPMOD:
            rc = get_i64(&f, &i);
            if (!rc && (i < INT32_MIN || i > INT32_MAX)) rc = MICE_CORRUPT;
            c->type.typmod = (int32_t)i;
            break;
        case C_NOT_NULL: rc = get_bool(&f, &c->not_null); break;
        case C_HIDDEN: rc = get_bool(&f, &c->hidden); break;
        case C_DEFAULT: rc = get_str(&f, a, &c->default_expr); break;
        case C_SEQUENCE: rc = get_u32(&f, &c->sequence_id); break;
        case C_IDENTITY: rc = get_u32(&f, &u); c->identity = (char)u; break;
        default: break;
        }
    }
    if (rc) return rc;
    if (c->id == 0 || !c->name || !sql_type_known(c->type.id)) return MICE_CORRUPT;
    return MICE_OK;
}

static mice_status index_alloc(mice_slice in, mice_arena *a, catalog_index *ix)
{
    uint32_t nc = count_fields(in, I_COL), nd = count_fields(in, I_DIR);
    uint32_t ni = count_fields(in, I_INCLUDE);
    if (nc != nd) return MICE_CORRUPT;
    ix->col_ids = ARENA_NEW_ARRAY(a, uint32_t, nc + 1);
    ix->dirs = ARENA_NEW_ARRAY(a, keyenc_dir, nc + 1);
    ix->include_ids = ARENA_NEW_ARRAY(a, uint32_t, ni + 1);
    if (!ix->col_ids || !ix->dirs || !ix->include_ids) return MICE_NOMEM;
    return MICE_OK;
}

static mice_status decode_index(mice_slice in, mice_arena *a, catalog_index *ix)
{
    mice_status rc = index_alloc(in, a, ix);
    if (rc) return rc;
    field f;
    uint32_t u = 0, n_dirs = 0;
    while (rc == MICE_OK && next_field(&in, &f, &rc)) {
        switch (f.num) {
        case I_ID: rc = get_u32(&f, &ix->id); break;
        case I_NAME: rc = get_str(&f, a, &ix->name); break;
        case I_UNIQUE: rc = get_bool(&f, &ix->unique); break;
        case I_PRIMARY: rc = get_bool(&f, &ix->primary); break;
        case I_CONSTRAINT: rc = get_bool(&f, &ix->constraint); break;
        case I_COL: rc = get_u32(&f, &ix->col_ids[ix->n_cols++]); break;
        case I_DIR:
            rc = get_u32(&f, &u);
            if (!rc && u > KEYENC_DESC) rc = MICE_CORRUPT;
            ix->dirs[n_dirs++] = (keyenc_dir)u;
            break;
        case I_INCLUDE: rc = get_u32(&f, &ix->include_ids[ix->n_include++]); break;
        case I_PREDICATE: rc = get_str(&f, a, &ix->predicate); break;
        default: break;
        }
    }
    if (rc) return rc;
    if (ix->id == 0 || !ix->name || ix->n_cols == 0) return MICE_CORRUPT;
    return MICE_OK;
}

static mice_status decode_check(mice_slice in, mice_arena *a, catalog_check *k)
{
    field f;
    mice_status rc = MICE_OK;
    while (rc == MICE_OK && next_field(&in, &f, &rc)) {
        if (f.num == K_NAME) rc = get_str(&f, a, &k->name);
        else if (f.num == K_EXPR) rc = get_str(&f, a, &k->expr);
    }
    if (rc) return rc;
    return k->name && k->expr ? MICE_OK : MICE_CORRUPT;
}

static mice_status decode_seq(mice_slice in, catalog_sequence_opts *s)
{
    field f;
    mice_status rc = MICE_OK;
    while (rc == MICE_OK && next_field(&in, &f, &rc)) {
        switch (f.num) {
        case S_START: rc = get_i64(&f, &s->start); break;
        case S_INCREMENT: rc = get_i64(&f, &s->increment); break;
        case S_MIN: rc = get_i64(&f, &s->min); break;
        case S_MAX: rc = get_i64(&f, &s->max); break;
        case S_CACHE: rc = get_i64(&f, &s->cache); break;
        case S_CYCLE: rc = get_bool(&f, &s->cycle); break;
        case S_OWNER_TABLE: rc = get_u32(&f, &s->owner_table_id); break;
        case S_OWNER_COLUMN: rc = get_u32(&f, &s->owner_column_id); break;
        default: break;
        }
    }
    if (rc) return rc;
    return s->increment != 0 && s->min <= s->max ? MICE_OK : MICE_CORRUPT;
}

static mice_status desc_alloc(mice_slice in, mice_arena *a, catalog_desc *d)
{
    uint32_t nc = count_fields(in, D_COLUMN), ni = count_fields(in, D_INDEX);
    uint32_t nk = count_fields(in, D_CHECK), nv = count_fields(in, D_VIEW_DEP);
    d->view_deps = ARENA_NEW_ARRAY(a, uint32_t, nv + 1);
    if (!d->view_deps) return MICE_NOMEM;
    d->columns = ARENA_NEW_ARRAY(a, catalog_column, nc + 1);
    d->indexes = ARENA_NEW_ARRAY(a, catalog_index, ni + 1);
    d->checks = ARENA_NEW_ARRAY(a, catalog_check, nk + 1);
    return d->columns && d->indexes && d->checks ? MICE_OK : MICE_NOMEM;
}

static mice_status desc_field(const field *f, mice_arena *a, catalog_desc *d)
{
    uint32_t u = 0;
    mice_status rc;
    switch (f->num) {
    case D_KIND:
        rc = get_u32(f, &u);
        if (!rc && (u < CATALOG_DATABASE || u > CATALOG_SEQUENCE)) rc = MICE_CORRUPT;
        d->kind = (catalog_kind)u;
        return rc;
    case D_ID: return get_u32(f, &d->id);
    case D_PARENT: return get_u32(f, &d->parent_id);
    case D_DATABASE: return get_u32(f, &d->database_id);
    case D_NAME: return get_str(f, a, &d->name);
    case D_OWNER: return get_u32(f, &d->owner_id);
    case D_VERSION: return get_u64(f, &d->version);
    case D_NEXT_COLUMN: return get_u32(f, &d->next_column_id);
    case D_NEXT_INDEX: return get_u32(f, &d->next_index_id);
    case D_VIEW_QUERY: return get_str(f, a, &d->view_query);
    case D_VIEW_DEP: return get_u32(f, &d->view_deps[d->n_view_deps++]);
    case D_COLUMN:
        if (f->wt != WT_BYTES) return MICE_CORRUPT;
        return decode_column(f->s, a, &d->columns[d->n_columns++]);
    case D_INDEX:
        if (f->wt != WT_BYTES) return MICE_CORRUPT;
        return decode_index(f->s, a, &d->indexes[d->n_indexes++]);
    case D_CHECK:
        if (f->wt != WT_BYTES) return MICE_CORRUPT;
        return decode_check(f->s, a, &d->checks[d->n_checks++]);
    case D_SEQ:
        if (f->wt != WT_BYTES) return MICE_CORRUPT;
        return decode_seq(f->s, &d->seq);
    default: return MICE_OK; /* a field from a newer version */
    }
}

mice_status catalog_desc_decode(mice_slice in, mice_arena *arena, catalog_desc **out)
{
    if (in.n < 1 || in.p[0] != CATDESC_FORMAT) return MICE_CORRUPT;
    in.p++;
    in.n--;
    catalog_desc *d = ARENA_NEW(arena, catalog_desc);
    if (!d) return MICE_NOMEM;
    mice_status rc = desc_alloc(in, arena, d);
    field f;
    while (rc == MICE_OK && next_field(&in, &f, &rc)) rc = desc_field(&f, arena, d);
    if (rc) return rc;
    if (d->kind == 0 || d->id == 0 || !d->name) return MICE_CORRUPT;
    if (d->kind == CATALOG_TABLE && (d->n_indexes == 0 || !d->indexes[0].primary))
        return MICE_CORRUPT;
    *out = d;
    return MICE_OK;
}

mice_status catalog_user_decode(mice_slice in, mice_arena *arena, catalog_user **out)
{
    if (in.n < 1 || in.p[0] != CATDESC_FORMAT) return MICE_CORRUPT;
    in.p++;
    in.n--;
    catalog_user *u = ARENA_NEW(arena, catalog_user);
    if (!u) return MICE_NOMEM;
    field f;
    mice_status rc = MICE_OK;
    while (rc == MICE_OK && next_field(&in, &f, &rc)) {
        switch (f.num) {
        case U_ID: rc = get_u32(&f, &u->id); break;
        case U_NAME: rc = get_str(&f, arena, &u->name); break;
        case U_SUPERUSER: rc = get_bool(&f, &u->superuser); break;
        case U_LOGIN: rc = get_bool(&f, &u->login); break;
        case U_PASSWORD: rc = get_str(&f, arena, &u->password); break;
        default: break;
        }
    }
    if (rc) return rc;
    if (u->id == 0 || !u->name) return MICE_CORRUPT;
    *out = u;
    return MICE_OK;
}

mice_status catalog_ns_decode(mice_slice in, uint32_t *id, catalog_kind *kind,
                              uint32_t *index_id)
{
    if (in.n < 1 || in.p[0] != CATDESC_FORMAT) return MICE_CORRUPT;
    in.p++;
    in.n--;
    field f;
    mice_status rc = MICE_OK;
    uint32_t k = 0;
    *id = 0;
    *index_id = 0;
    while (rc == MICE_OK && next_field(&in, &f, &rc)) {
        if (f.num == N_ID) rc = get_u32(&f, id);
        else if (f.num == N_KIND) rc = get_u32(&f, &k);
        else if (f.num == N_INDEX) rc = get_u32(&f, index_id);
    }
    if (rc) return rc;
    if (*id == 0 || k < CATALOG_DATABASE || k > CATALOG_INDEX) return MICE_CORRUPT;
    *kind = (catalog_kind)k;
    return MICE_OK;
}
