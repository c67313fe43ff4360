/* pgcatalog.c - the virtual relations' registry, row building, synthesized OIDs and the
 * reg types' name lookups (see pgcatalog.h). The rows of each relation are in
 * pgcatalog_rows.c and infoschema.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/check.h"
#include "sql/array.h"
#include "sql/func.h"
#include "sql/pgcatalog_int.h"
#include "sql/value_io.h"

/* --- the registry ---------------------------------------------------------------------- */

static int rel_cmp(const char *schema, const char *name, const pgcat_rel *r)
{
    int c = strcmp(schema, r->schema);
    return c ? c : strcmp(name, r->name);
}

const pgcat_rel *pgcat_find(const char *schema, const char *name)
{
    uint32_t lo = 0, hi = pgcat__n_rels;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = rel_cmp(schema, name, &pgcat__rels[mid]);
        if (c == 0) return &pgcat__rels[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const pgcat_rel *pgcat_find_oid(uint32_t oid)
{
    for (uint32_t i = 0; i < pgcat__n_rels; i++)
        if (pgcat__rels[i].oid == oid) return &pgcat__rels[i];
    return NULL;
}

bool pgcat_is_virtual(void *ctx, const char *schema, const char *name)
{
    (void)ctx;
    return pgcat_find(schema, name) != NULL;
}

/* --- pseudo-types ------------------------------------------------------------------- */

/* PostgreSQL's pseudo-types, which exist only as names and OIDs here (regtype, pg_type). */
static const pgcat_pseudo pseudo_types[] = {
    {"\"any\"", "any", 2276},
    {"anyelement", "anyelement", 2283},
    {"anynonarray", "anynonarray", 2776},
    {"anyenum", "anyenum", 3500},
    {"anyrange", "anyrange", 3831},
    {"anymultirange", "anymultirange", 4537},
    {"anycompatible", "anycompatible", 5077},
    {"anycompatiblearray", "anycompatiblearray", 5078},
    {"anycompatiblenonarray", "anycompatiblenonarray", 5079},
    {"anycompatiblerange", "anycompatiblerange", 5080},
    {"anycompatiblemultirange", "anycompatiblemultirange", 4538},
    {"cstring", "cstring", 2275},
    {"internal", "internal", 2281},
    {"record", "record", 2249},
    {"void", "void", 2278},
    {"trigger", "trigger", 2279},
    {"event_trigger", "event_trigger", 3838},
    {"language_handler", "language_handler", 2280},
    {"fdw_handler", "fdw_handler", 3115},
    {"index_am_handler", "index_am_handler", 325},
    {"tsm_handler", "tsm_handler", 3310},
    {"table_am_handler", "table_am_handler", 269},
    {"pg_ddl_command", "pg_ddl_command", 32},
    {"anyarray", "anyarray", 2277},
};

const pgcat_pseudo *pgcat__pseudo_at(size_t i)
{
    return i < sizeof pseudo_types / sizeof pseudo_types[0] ? &pseudo_types[i] : NULL;
}

static const pgcat_pseudo *pseudo_by_oid(uint32_t oid)
{
    for (size_t i = 0; i < sizeof pseudo_types / sizeof pseudo_types[0]; i++)
        if (pseudo_types[i].oid == oid) return &pseudo_types[i];
    return NULL;
}

static const pgcat_pseudo *pseudo_by_name(const char *name)
{
    if (!strncmp(name, "pg_catalog.", 11)) name += 11;
    for (size_t i = 0; i < sizeof pseudo_types / sizeof pseudo_types[0]; i++)
        if (!strcmp(pseudo_types[i].typname, name) || !strcmp(pseudo_types[i].shown, name))
            return &pseudo_types[i];
    return NULL;
}

static const struct {
    const char *name;
    uint32_t oid;
} io_procs[] = {
    {"array_in", PGCAT_OID_ARRAY_IN},
    {"array_out", PGCAT_OID_ARRAY_OUT},
    {"array_recv", PGCAT_OID_ARRAY_RECV},
    {"array_send", PGCAT_OID_ARRAY_SEND},
};

static const char *io_proc_name(uint32_t oid)
{
    for (size_t i = 0; i < sizeof io_procs / sizeof io_procs[0]; i++)
        if (io_procs[i].oid == oid) return io_procs[i].name;
    return NULL;
}

static bool io_proc_oid(const char *name, uint32_t *oid)
{
    for (size_t i = 0; i < sizeof io_procs / sizeof io_procs[0]; i++) {
        if (strcasecmp(io_procs[i].name, name)) continue;
        *oid = io_procs[i].oid;
        return true;
    }
    return false;
}

/* --- synthesized OIDs ----------------------------------------------------------------- */

enum { SUB_BITS = 10, TABLE_BITS = 20 };

static uint32_t compose(uint32_t kind_bits, uint32_t table_id, uint32_t sub)
{
    return kind_bits | (table_id & ((1u << TABLE_BITS) - 1)) << SUB_BITS |
           (sub & ((1u << SUB_BITS) - 1));
}

uint32_t pgcat_index_oid(uint32_t table_id, uint32_t index_id)
{
    return compose(PGCAT_OIDS_INDEX, table_id, index_id);
}

uint32_t pgcat_constraint_oid(uint32_t table_id, uint32_t n)
{
    return compose(PGCAT_OIDS_CONSTRAINT, table_id, n);
}

uint32_t pgcat_attrdef_oid(uint32_t table_id, uint32_t column_id)
{
    return compose(PGCAT_OIDS_ATTRDEF, table_id, column_id);
}

bool pgcat_split_oid(uint32_t oid, uint32_t kind_bits, uint32_t *table_id, uint32_t *sub)
{
    if ((oid & 0xC0000000u) != kind_bits) return false;
    *table_id = (oid >> SUB_BITS) & ((1u << TABLE_BITS) - 1);
    *sub = oid & ((1u << SUB_BITS) - 1);
    return *table_id >= CATALOG_ID_FIRST;
}

bool pgcat_index_hidden(const catalog_desc *d, uint32_t pos)
{
    const catalog_index *ix = &d->indexes[pos];
    if (pos != 0 || ix->n_cols != 1) return false;
    int c = catalog_column_pos(d, ix->col_ids[0]);
    return c >= 0 && d->columns[c].hidden;
}

mice_status pgcat_table_of(const pgcat_ctx *c, uint32_t oid, mice_arena *arena, catalog_desc **out,
                           int32_t *pos, sql_error *err)
{
    uint32_t table_id = oid, sub = 0;
    *out = NULL;
    *pos = -1;
    bool is_index = pgcat_split_oid(oid, PGCAT_OIDS_INDEX, &table_id, &sub);
    bool is_con = !is_index && pgcat_split_oid(oid, PGCAT_OIDS_CONSTRAINT, &table_id, &sub);
    if (!is_index && !is_con && oid < CATALOG_ID_FIRST) return MICE_OK;
    sql_error probe;
    catalog_desc *d;
    mice_status rc = catalog_get_desc(c->ct, table_id, arena, &d, &probe);
    if (rc == MICE_NOTFOUND) return MICE_OK;
    if (rc) {
        if (err) *err = probe;
        return rc;
    }
    if (d->database_id != c->database_id || d->kind == CATALOG_SCHEMA ||
        d->kind == CATALOG_DATABASE)
        return MICE_OK;
    if (is_con && sub >= PGCAT_CONSTRAINT_CHECK_BASE) {
        if (sub - PGCAT_CONSTRAINT_CHECK_BASE >= d->n_checks) return MICE_OK;
        *pos = (int32_t)(sub - PGCAT_CONSTRAINT_CHECK_BASE);
        *out = d;
        return MICE_OK;
    }
    if (is_index || is_con) {
        for (uint32_t i = 0; i < d->n_indexes; i++) {
            if (d->indexes[i].id != sub || pgcat_index_hidden(d, i)) continue;
            if (is_con && !d->indexes[i].constraint) return MICE_OK;
            *pos = (int32_t)i;
            *out = d;
            return MICE_OK;
        }
        return MICE_OK;
    }
    *out = d;
    return MICE_OK;
}

/* --- row building --------------------------------------------------------------------- */

void pgcat__fail(pgcat_out *o, mice_status rc)
{
    if (o->rc == MICE_OK) o->rc = rc;
    if (rc == MICE_NOMEM) sqlerr_nomem(o->err);
}

void pgcat__row(pgcat_out *o)
{
    if (o->rc) return;
    if (o->n == o->cap) {
        uint64_t cap = o->cap ? o->cap * 2 : 64;
        sql_datum **v = ARENA_NEW_ARRAY(o->arena, sql_datum *, cap);
        if (!v) return pgcat__fail(o, MICE_NOMEM);
        if (o->n) memcpy(v, o->rows, sizeof *v * o->n);
        o->rows = v;
        o->cap = cap;
    }
    sql_datum *r = ARENA_NEW_ARRAY(o->arena, sql_datum, o->rel->n_cols ? o->rel->n_cols : 1);
    if (!r) return pgcat__fail(o, MICE_NOMEM);
    for (uint32_t i = 0; i < o->rel->n_cols; i++)
        r[i] = datum_null(o->rel->cols[i].type);
    o->rows[o->n++] = r;
    o->row = r;
}

static int col_of(const pgcat_out *o, const char *col)
{
    for (uint32_t i = 0; i < o->rel->n_cols; i++)
        if (!strcmp(o->rel->cols[i].name, col)) return (int)i;
    mice_assert(!"no such column in a virtual relation");
    return -1;
}

void pgcat__datum(pgcat_out *o, const char *col, sql_datum v)
{
    if (o->rc) return;
    int i = col_of(o, col);
    sql_type_id t = o->rel->cols[i].type;
    if (v.is_null) {
        o->row[i] = datum_null(t);
        return;
    }
    if (v.type != t) {
        mice_status rc =
            datum_cast(&v, sql_type_make(t, -1), SQL_CAST_EXPLICIT, NULL, o->arena, &v, o->err);
        if (rc) return pgcat__fail(o, rc);
    }
    o->row[i] = v;
}

void pgcat__int(pgcat_out *o, const char *col, int64_t v)
{
    if (o->rc) return;
    int i = col_of(o, col);
    sql_type_id t = o->rel->cols[i].type;
    if (sql_type_is_integer(t)) {
        o->row[i] = (sql_datum){.type = t, .v.i = v};
        return;
    }
    pgcat__datum(o, col, datum_int8(v));
}

void pgcat__bool(pgcat_out *o, const char *col, bool v)
{
    pgcat__datum(o, col, datum_bool(v));
}

void pgcat__text(pgcat_out *o, const char *col, const char *s)
{
    if (o->rc || !s) return;
    int i = col_of(o, col);
    sql_type_id t = o->rel->cols[i].type;
    mice_slice v = arena_slice_dup(o->arena, mice_slice_str(s));
    if (!v.p && *s) return pgcat__fail(o, MICE_NOMEM);
    if (sql_type_is_string(t)) {
        o->row[i] = datum_bytes(t, v);
        return;
    }
    pgcat__datum(o, col, datum_text(v));
}

void pgcat__char(pgcat_out *o, const char *col, char v)
{
    char s[2] = {v, 0};
    pgcat__text(o, col, s);
}

void pgcat__array(pgcat_out *o, const char *col, const sql_datum *elems, uint32_t n)
{
    if (o->rc) return;
    int i = col_of(o, col);
    sql_type_id t = o->rel->cols[i].type;
    bool vec = t == SQL_TYPE_INT2VECTOR || t == SQL_TYPE_OIDVECTOR;
    mice_status rc = array_build(t, elems, n, vec ? 0 : 1, o->arena, &o->row[i], o->err);
    if (rc) pgcat__fail(o, rc);
}

/* --- the database's objects ------------------------------------------------------------ */

mice_status pgcat__objects(const pgcat_ctx *c, mice_arena *a, pgcat_objs *out, sql_error *err)
{
    memset(out, 0, sizeof *out);
    mice_status rc = catalog_list(c->ct, c->database_id, a, &out->schemas, &out->n_schemas, err);
    uint32_t cap = 0;
    for (uint32_t s = 0; rc == MICE_OK && s < out->n_schemas; s++) {
        catalog_desc **rels;
        uint32_t n;
        rc = catalog_list(c->ct, out->schemas[s]->id, a, &rels, &n, err);
        if (rc) break;
        if (out->n_rels + n > cap) {
            cap = (out->n_rels + n) * 2;
            catalog_desc **v = ARENA_NEW_ARRAY(a, catalog_desc *, cap);
            if (!v) return sqlerr_nomem(err);
            if (out->n_rels) memcpy(v, out->rels, sizeof *v * out->n_rels);
            out->rels = v;
        }
        if (n) memcpy(out->rels + out->n_rels, rels, sizeof *rels * n);
        out->n_rels += n;
    }
    return rc;
}

const char *pgcat__schema_name(const pgcat_objs *objs, uint32_t id)
{
    if (id == PGCAT_OID_NAMESPACE_CATALOG) return "pg_catalog";
    if (id == PGCAT_OID_NAMESPACE_INFO) return "information_schema";
    for (uint32_t i = 0; i < objs->n_schemas; i++)
        if (objs->schemas[i]->id == id) return objs->schemas[i]->name;
    return "?";
}

const char *pgcat__user_name(const pgcat_ctx *c, mice_arena *a, uint32_t id)
{
    catalog_user **users;
    uint32_t n;
    if (catalog_list_users(c->ct, a, &users, &n, NULL)) return NULL;
    for (uint32_t i = 0; i < n; i++)
        if (users[i]->id == id) return users[i]->name;
    return NULL;
}

bool pgcat__column_visible(const catalog_desc *d, uint32_t i)
{
    return !d->columns[i].hidden;
}

uint32_t pgcat__type_collation(sql_type_id t)
{
    if (t == SQL_TYPE_NAME) return 950; /* "C" */
    if (t == SQL_TYPE_TEXT || t == SQL_TYPE_VARCHAR || t == SQL_TYPE_BPCHAR)
        return PGCAT_OID_DEFAULT_COLLATION;
    return 0;
}

/* --- search path and visibility -------------------------------------------------------- */

static const char *const default_path[] = {"$user", "public"};

/* The i-th schema of the effective search path (pg_catalog first unless listed). */
static const char *path_at(const pgcat_ctx *c, uint32_t i)
{
    const catalog_search_path *sp = c->sp;
    const char *const *names = sp && sp->schemas ? sp->schemas : default_path;
    uint32_t n = sp && sp->schemas ? sp->n_schemas : 2;
    bool has_catalog = false;
    for (uint32_t k = 0; k < n; k++)
        has_catalog |= !strcmp(names[k], "pg_catalog");
    if (!has_catalog) {
        if (i == 0) return "pg_catalog";
        i--;
    }
    if (i >= n) return NULL;
    if (!strcmp(names[i], "$user")) return c->user ? c->user : "";
    return names[i];
}

mice_status pgcat_rel_visible(const pgcat_ctx *c, uint32_t oid, bool *visible, sql_error *err)
{
    *visible = false;
    mice_arena *a = arena_create(NULL, "visible", 0);
    if (!a) return sqlerr_nomem(err);
    const char *schema = NULL, *name = NULL;
    const pgcat_rel *vr = pgcat_find_oid(oid);
    catalog_desc *d = NULL, *sd = NULL;
    int32_t pos;
    mice_status rc = MICE_OK;
    if (vr) {
        schema = vr->schema;
        name = vr->name;
    } else if ((rc = pgcat_table_of(c, oid, a, &d, &pos, err)) == MICE_OK && d) {
        name = pos >= 0 ? d->indexes[pos].name : d->name;
        if ((rc = catalog_get_desc(c->ct, d->parent_id, a, &sd, err)) == MICE_OK) schema = sd->name;
    }
    for (uint32_t i = 0; rc == MICE_OK && schema && path_at(c, i); i++) {
        const char *s = path_at(c, i);
        if (!strcmp(s, schema)) {
            *visible = true;
            break;
        }
        /* an earlier schema with the same relation name hides it */
        if (pgcat_find(s, name)) break;
        if (!s[0] || !strcmp(s, "information_schema") || !strcmp(s, "pg_catalog")) continue;
        catalog_desc *hit;
        sql_error probe;
        if (catalog_resolve_relation(c->ct, c->database_id, NULL, s, name, a, &hit, &probe) ==
            MICE_OK)
            break;
        uint32_t ipos;
        if (catalog_resolve_index(c->ct, c->database_id, NULL, s, name, a, &hit, &ipos, &probe) ==
            MICE_OK)
            break;
    }
    arena_destroy(a);
    return rc;
}

mice_status pgcat_current_schema(const pgcat_ctx *c, mice_arena *arena, const char **out,
                                 sql_error *err)
{
    *out = NULL;
    const catalog_search_path *sp = c->sp;
    const char *const *names = sp && sp->schemas ? sp->schemas : default_path;
    uint32_t n = sp && sp->schemas ? sp->n_schemas : 2;
    for (uint32_t i = 0; i < n; i++) { /* pg_catalog only counts when listed */
        const char *s = !strcmp(names[i], "$user") ? c->user : names[i];
        if (!s || !s[0]) continue;
        if (!strcmp(s, "pg_catalog") || !strcmp(s, "information_schema")) {
            *out = s;
            return MICE_OK;
        }
        catalog_desc *d;
        sql_error probe;
        mice_status rc = catalog_find_schema(c->ct, c->database_id, s, arena, &d, &probe);
        if (rc == MICE_OK) {
            *out = d->name;
            return MICE_OK;
        }
        if (rc != MICE_NOTFOUND) {
            if (err) *err = probe;
            return rc;
        }
    }
    return MICE_OK;
}

/* --- reg types ------------------------------------------------------------------------- */

static mice_status out_str(mice_arena *a, const char *s, mice_slice *out, sql_error *err)
{
    *out = arena_slice_dup(a, mice_slice_str(s));
    return out->p || !*s ? MICE_OK : sqlerr_nomem(err);
}

/* PostgreSQL's quote_identifier: quotes unless lower-case letters, digits and _. */
static void append_ident(mice_buf *b, const char *id)
{
    bool plain = id[0] && (islower((unsigned char)id[0]) || id[0] == '_');
    for (const char *p = id; plain && *p; p++)
        plain = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_';
    if (plain) {
        buf_append_str(b, id);
        return;
    }
    buf_append_u8(b, '"');
    for (const char *p = id; *p; p++) {
        if (*p == '"') buf_append_u8(b, '"');
        buf_append_u8(b, (uint8_t)*p);
    }
    buf_append_u8(b, '"');
}

static mice_status regclass_out(const pgcat_ctx *c, uint32_t oid, mice_arena *a, mice_slice *out,
                                sql_error *err)
{
    const pgcat_rel *vr = pgcat_find_oid(oid);
    const char *schema = vr ? vr->schema : NULL, *name = vr ? vr->name : NULL;
    if (!vr) {
        catalog_desc *d, *sd;
        int32_t pos;
        mice_status rc = pgcat_table_of(c, oid, a, &d, &pos, err);
        if (rc) return rc;
        if (!d) {
            char num[16];
            snprintf(num, sizeof num, "%u", oid);
            return out_str(a, num, out, err);
        }
        name = pos >= 0 ? d->indexes[pos].name : d->name;
        if ((rc = catalog_get_desc(c->ct, d->parent_id, a, &sd, err))) return rc;
        schema = sd->name;
    }
    bool visible;
    mice_status rc = pgcat_rel_visible(c, oid, &visible, err);
    if (rc) return rc;
    mice_buf b;
    buf_init(&b);
    if (!visible) {
        append_ident(&b, schema);
        buf_append_u8(&b, '.');
    }
    append_ident(&b, name);
    *out = arena_slice_dup(a, buf_slice(&b));
    buf_deinit(&b);
    return out->p ? MICE_OK : sqlerr_nomem(err);
}

mice_status pgcat_reg_out(const pgcat_ctx *c, sql_type_id type, uint32_t oid, mice_arena *arena,
                          mice_slice *out, sql_error *err)
{
    char num[16];
    if (oid == 0) return out_str(arena, "-", out, err);
    snprintf(num, sizeof num, "%u", oid);
    switch (type) {
    case SQL_TYPE_REGCLASS:
        return regclass_out(c, oid, arena, out, err);
    case SQL_TYPE_REGTYPE: {
        char tn[SQL_TYPE_NAME_MAX];
        const pgcat_pseudo *ps = pseudo_by_oid(oid);
        if (ps && oid != SQL_TYPE_ANYARRAY) return out_str(arena, ps->shown, out, err);
        if (!sql_type_known((sql_type_id)oid)) return out_str(arena, num, out, err);
        sql_type_format(sql_type_make((sql_type_id)oid, -1), tn, sizeof tn);
        return out_str(arena, tn, out, err);
    }
    case SQL_TYPE_REGPROC:
    case SQL_TYPE_REGPROCEDURE: {
        const func_desc *f = oid >= PGCAT_OID_PROC_BASE &&
                                     oid - PGCAT_OID_PROC_BASE < (uint32_t)func_registry_count()
                                 ? func_registry_at((int)(oid - PGCAT_OID_PROC_BASE))
                                 : NULL;
        const char *io = io_proc_name(oid);
        return out_str(arena, f ? f->name : io ? io : num, out, err);
    }
    case SQL_TYPE_REGNAMESPACE: {
        if (oid == PGCAT_OID_NAMESPACE_CATALOG) return out_str(arena, "pg_catalog", out, err);
        if (oid == PGCAT_OID_NAMESPACE_INFO) return out_str(arena, "information_schema", out, err);
        catalog_desc *d;
        sql_error probe;
        if (catalog_get_desc(c->ct, oid, arena, &d, &probe) == MICE_OK && d->kind == CATALOG_SCHEMA)
            return out_str(arena, d->name, out, err);
        return out_str(arena, num, out, err);
    }
    case SQL_TYPE_REGROLE: {
        const char *u = pgcat__user_name(c, arena, oid);
        return out_str(arena, u ? u : num, out, err);
    }
    default:
        return out_str(arena, num, out, err);
    }
}

/* Split 'a.b' (either part possibly "quoted") into down-cased identifiers. */
static mice_status split_name(mice_slice text, mice_arena *a, const char **schema,
                              const char **name, sql_error *err)
{
    const char *parts[3];
    int n = 0;
    size_t i = 0;
    while (i <= text.n && n < 3) {
        mice_buf b;
        buf_init(&b);
        if (i < text.n && text.p[i] == '"') {
            for (i++; i < text.n; i++) {
                if (text.p[i] == '"' && i + 1 < text.n && text.p[i + 1] == '"') {
                    buf_append_u8(&b, '"');
                    i++;
                } else if (text.p[i] == '"') {
                    i++;
                    break;
                } else {
                    buf_append_u8(&b, text.p[i]);
                }
            }
        } else {
            for (; i < text.n && text.p[i] != '.'; i++)
                buf_append_u8(&b, (uint8_t)tolower(text.p[i]));
        }
        buf_append_u8(&b, 0);
        parts[n++] = arena_strdup(a, (const char *)b.p);
        buf_deinit(&b);
        if (i < text.n && text.p[i] == '.') {
            i++;
            continue;
        }
        break;
    }
    if (n == 0 || n == 3 || !parts[n - 1] || !parts[n - 1][0])
        return sqlerr_invalid_input(err, "name", (const char *)text.p, text.n);
    *schema = n == 2 ? parts[0] : NULL;
    *name = parts[n - 1];
    return MICE_OK;
}

static bool all_digits(mice_slice s)
{
    if (s.n == 0) return false;
    for (size_t i = 0; i < s.n; i++)
        if (!isdigit(s.p[i])) return false;
    return true;
}

static mice_status regclass_in(const pgcat_ctx *c, mice_slice text, uint32_t *oid, sql_error *err)
{
    mice_arena *a = arena_create(NULL, "regclass", 0);
    if (!a) return sqlerr_nomem(err);
    const char *schema = NULL, *name = NULL;
    mice_status rc = split_name(text, a, &schema, &name, err);
    catalog_desc *d = NULL;
    const pgcat_rel *vr = NULL;
    if (rc == MICE_OK) {
        if (schema) vr = pgcat_find(schema, name);
        for (uint32_t i = 0; !schema && !vr && path_at(c, i); i++) {
            const char *s = path_at(c, i);
            vr = pgcat_find(s, name);
            if (vr) break;
            if (strcmp(s, "pg_catalog") && strcmp(s, "information_schema")) break;
        }
    }
    if (rc == MICE_OK && vr) {
        *oid = vr->oid;
    } else if (rc == MICE_OK) {
        sql_error probe;
        catalog_search_path sp = c->sp ? *c->sp : (catalog_search_path){0};
        sp.is_virtual = pgcat_is_virtual;
        rc = catalog_resolve_relation(c->ct, c->database_id, &sp, schema, name, a, &d, &probe);
        if (rc == MICE_OK) {
            *oid = d->id;
        } else if (rc == MICE_NOTFOUND) {
            uint32_t pos;
            rc = catalog_resolve_index(c->ct, c->database_id, &sp, schema, name, a, &d, &pos,
                                       &probe);
            if (rc == MICE_OK) *oid = pgcat_index_oid(d->id, d->indexes[pos].id);
        }
        if (rc == MICE_NOTFOUND) {
            int n = text.n > 200 ? 200 : (int)text.n;
            rc = sqlerr_set(err, MICE_NOTFOUND, "42P01", "relation \"%.*s\" does not exist", n,
                            (const char *)text.p);
        } else if (rc && err) {
            *err = probe;
        }
    }
    arena_destroy(a);
    return rc;
}

mice_status pgcat_reg_in(const pgcat_ctx *c, sql_type_id type, mice_slice text, uint32_t *oid,
                         sql_error *err)
{
    if (all_digits(text)) {
        sql_datum d;
        mice_status rc =
            value_from_text(sql_type_make(SQL_TYPE_OID, -1), text, NULL, NULL, &d, err);
        if (!rc) *oid = (uint32_t)d.v.i;
        return rc;
    }
    if (text.n == 1 && text.p[0] == '-') {
        *oid = 0;
        return MICE_OK;
    }
    int n = text.n > 200 ? 200 : (int)text.n;
    const char *p = (const char *)text.p;
    switch (type) {
    case SQL_TYPE_REGCLASS:
        return regclass_in(c, text, oid, err);
    case SQL_TYPE_REGTYPE: {
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", n, p);
        for (char *q = buf; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        sql_type t;
        sql_error probe;
        const pgcat_pseudo *ps = pseudo_by_name(buf);
        if (ps) {
            *oid = ps->oid;
            return MICE_OK;
        }
        if (sql_type_parse(buf, NULL, 0, &t, &probe))
            return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                              "type \"%.*s\" does not exist", n, p);
        *oid = t.id;
        return MICE_OK;
    }
    case SQL_TYPE_REGPROC:
    case SQL_TYPE_REGPROCEDURE: {
        char buf[FUNC_NAME_MAX + 16];
        snprintf(buf, sizeof buf, "%.*s", n, p);
        char *paren = strchr(buf, '(');
        if (paren) *paren = 0;
        const char *nm = strncmp(buf, "pg_catalog.", 11) ? buf : buf + 11;
        if (io_proc_oid(nm, oid)) return MICE_OK;
        for (int i = 0; i < func_registry_count(); i++) {
            if (strcasecmp(func_registry_at(i)->name, nm)) continue;
            *oid = PGCAT_OID_PROC_BASE + (uint32_t)i;
            return MICE_OK;
        }
        return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_FUNCTION,
                          "function \"%.*s\" does not exist", n, p);
    }
    case SQL_TYPE_REGNAMESPACE: {
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", n, p);
        catalog_desc *d;
        sql_error probe;
        mice_arena *a = arena_create(NULL, "regnamespace", 0);
        mice_status rc = catalog_find_schema(c->ct, c->database_id, buf, a, &d, &probe);
        if (rc == MICE_OK) *oid = d->id;
        arena_destroy(a);
        if (rc == MICE_NOTFOUND)
            return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                              "schema \"%.*s\" does not exist", n, p);
        if (rc && err) *err = probe;
        return rc;
    }
    case SQL_TYPE_REGROLE: {
        char buf[128];
        snprintf(buf, sizeof buf, "%.*s", n, p);
        catalog_user *u;
        sql_error probe;
        mice_arena *a = arena_create(NULL, "regrole", 0);
        mice_status rc = catalog_get_user(c->ct, buf, a, &u, &probe);
        if (rc == MICE_OK) *oid = u->id;
        arena_destroy(a);
        if (rc == MICE_NOTFOUND)
            return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                              "role \"%.*s\" does not exist", n, p);
        if (rc && err) *err = probe;
        return rc;
    }
    default:
        return sqlerr_invalid_input(err, "oid", p, text.n);
    }
}

/* --- scans ------------------------------------------------------------------------------ */

mice_status pgcat_rows(const pgcat_ctx *c, const pgcat_rel *rel, mice_arena *arena,
                       sql_datum ***rows, uint64_t *n_rows, sql_error *err)
{
    pgcat_out o = {.c = c, .rel = rel, .arena = arena, .err = err};
    if (!strcmp(rel->schema, "information_schema"))
        pgcat__infoschema_rows(&o);
    else
        pgcat__catalog_rows(&o);
    *rows = o.rows;
    *n_rows = o.n;
    return o.rc;
}
