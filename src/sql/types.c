#include "sql/types.h"

#include <stdio.h>
#include <string.h>

#include "base/check.h"
#include "sql/interval.h"

#define T(id_, typname_, sql_, len_, byval_, cat_, pref_, elem_, arr_)                        \
    {SQL_TYPE_##id_, typname_, sql_, len_, byval_, cat_, pref_, elem_, arr_},
#define E(x) SQL_TYPE_##x
#define NONE SQL_TYPE_INVALID
static const sql_type_info type_table[] = {
    T(BOOL, "bool", "boolean", 1, true, 'B', true, NONE, E(BOOL_ARRAY))
    T(BYTEA, "bytea", "bytea", -1, false, 'U', false, NONE, E(BYTEA_ARRAY))
    T(INT8, "int8", "bigint", 8, true, 'N', false, NONE, E(INT8_ARRAY))
    T(INT2, "int2", "smallint", 2, true, 'N', false, NONE, E(INT2_ARRAY))
    T(INT4, "int4", "integer", 4, true, 'N', false, NONE, E(INT4_ARRAY))
    T(TEXT, "text", "text", -1, false, 'S', true, NONE, E(TEXT_ARRAY))
    T(OID, "oid", "oid", 4, true, 'N', true, NONE, E(OID_ARRAY))
    T(FLOAT4, "float4", "real", 4, true, 'N', false, NONE, E(FLOAT4_ARRAY))
    T(FLOAT8, "float8", "double precision", 8, true, 'N', true, NONE, E(FLOAT8_ARRAY))
    T(UNKNOWN, "unknown", "unknown", -2, false, 'X', false, NONE, NONE)
    T(BPCHAR, "bpchar", "character", -1, false, 'S', false, NONE, E(BPCHAR_ARRAY))
    T(VARCHAR, "varchar", "character varying", -1, false, 'S', false, NONE, E(VARCHAR_ARRAY))
    T(DATE, "date", "date", 4, true, 'D', false, NONE, E(DATE_ARRAY))
    T(TIME, "time", "time without time zone", 8, true, 'D', false, NONE, E(TIME_ARRAY))
    T(TIMESTAMP, "timestamp", "timestamp without time zone", 8, true, 'D', false, NONE,
      E(TIMESTAMP_ARRAY))
    T(TIMESTAMPTZ, "timestamptz", "timestamp with time zone", 8, true, 'D', true, NONE,
      E(TIMESTAMPTZ_ARRAY))
    T(INTERVAL, "interval", "interval", 16, false, 'T', true, NONE, E(INTERVAL_ARRAY))
    T(TIMETZ, "timetz", "time with time zone", 12, false, 'D', false, NONE, E(TIMETZ_ARRAY))
    T(NUMERIC, "numeric", "numeric", -1, false, 'N', false, NONE, E(NUMERIC_ARRAY))
    T(UUID, "uuid", "uuid", 16, false, 'U', false, NONE, E(UUID_ARRAY))
    T(JSONB, "jsonb", "jsonb", -1, false, 'U', false, NONE, E(JSONB_ARRAY))
    T(JSON, "json", "json", -1, false, 'U', false, NONE, E(JSON_ARRAY))
    T(CHAR, "char", "\"char\"", 1, true, 'Z', false, NONE, E(CHAR_ARRAY))
    T(NAME, "name", "name", 64, false, 'S', false, NONE, E(NAME_ARRAY))
    T(INT2VECTOR, "int2vector", "int2vector", -1, false, 'A', false, E(INT2), NONE)
    T(REGPROC, "regproc", "regproc", 4, true, 'N', false, NONE, NONE)
    T(XID, "xid", "xid", 4, true, 'U', false, NONE, NONE)
    T(OIDVECTOR, "oidvector", "oidvector", -1, false, 'A', false, E(OID), NONE)
    T(PG_NODE_TREE, "pg_node_tree", "pg_node_tree", -1, false, 'Z', false, NONE, NONE)
    T(ACLITEM, "aclitem", "aclitem", 12, false, 'U', false, NONE, E(ACLITEM_ARRAY))
    T(REGPROCEDURE, "regprocedure", "regprocedure", 4, true, 'N', false, NONE, NONE)
    T(REGOPER, "regoper", "regoper", 4, true, 'N', false, NONE, NONE)
    T(REGOPERATOR, "regoperator", "regoperator", 4, true, 'N', false, NONE, NONE)
    T(REGCLASS, "regclass", "regclass", 4, true, 'N', false, NONE, NONE)
    T(REGTYPE, "regtype", "regtype", 4, true, 'N', false, NONE, E(REGTYPE_ARRAY))
    T(ANYARRAY, "anyarray", "anyarray", -1, false, 'P', false, NONE, NONE)
    T(REGNAMESPACE, "regnamespace", "regnamespace", 4, true, 'N', false, NONE, NONE)
    T(REGROLE, "regrole", "regrole", 4, true, 'N', false, NONE, NONE)
    T(CHAR_ARRAY, "_char", "\"char\"[]", -1, false, 'A', false, E(CHAR), NONE)
    T(NAME_ARRAY, "_name", "name[]", -1, false, 'A', false, E(NAME), NONE)
    T(ACLITEM_ARRAY, "_aclitem", "aclitem[]", -1, false, 'A', false, E(ACLITEM), NONE)
    T(REGTYPE_ARRAY, "_regtype", "regtype[]", -1, false, 'A', false, E(REGTYPE), NONE)
    T(BOOL_ARRAY, "_bool", "boolean[]", -1, false, 'A', false, E(BOOL), NONE)
    T(BYTEA_ARRAY, "_bytea", "bytea[]", -1, false, 'A', false, E(BYTEA), NONE)
    T(INT2_ARRAY, "_int2", "smallint[]", -1, false, 'A', false, E(INT2), NONE)
    T(INT4_ARRAY, "_int4", "integer[]", -1, false, 'A', false, E(INT4), NONE)
    T(TEXT_ARRAY, "_text", "text[]", -1, false, 'A', false, E(TEXT), NONE)
    T(BPCHAR_ARRAY, "_bpchar", "character[]", -1, false, 'A', false, E(BPCHAR), NONE)
    T(VARCHAR_ARRAY, "_varchar", "character varying[]", -1, false, 'A', false, E(VARCHAR), NONE)
    T(INT8_ARRAY, "_int8", "bigint[]", -1, false, 'A', false, E(INT8), NONE)
    T(FLOAT4_ARRAY, "_float4", "real[]", -1, false, 'A', false, E(FLOAT4), NONE)
    T(FLOAT8_ARRAY, "_float8", "double precision[]", -1, false, 'A', false, E(FLOAT8), NONE)
    T(OID_ARRAY, "_oid", "oid[]", -1, false, 'A', false, E(OID), NONE)
    T(TIMESTAMP_ARRAY, "_timestamp", "timestamp without time zone[]", -1, false, 'A', false,
      E(TIMESTAMP), NONE)
    T(DATE_ARRAY, "_date", "date[]", -1, false, 'A', false, E(DATE), NONE)
    T(TIME_ARRAY, "_time", "time without time zone[]", -1, false, 'A', false, E(TIME), NONE)
    T(TIMESTAMPTZ_ARRAY, "_timestamptz", "timestamp with time zone[]", -1, false, 'A', false,
      E(TIMESTAMPTZ), NONE)
    T(INTERVAL_ARRAY, "_interval", "interval[]", -1, false, 'A', false, E(INTERVAL), NONE)
    T(TIMETZ_ARRAY, "_timetz", "time with time zone[]", -1, false, 'A', false, E(TIMETZ), NONE)
    T(NUMERIC_ARRAY, "_numeric", "numeric[]", -1, false, 'A', false, E(NUMERIC), NONE)
    T(UUID_ARRAY, "_uuid", "uuid[]", -1, false, 'A', false, E(UUID), NONE)
    T(JSONB_ARRAY, "_jsonb", "jsonb[]", -1, false, 'A', false, E(JSONB), NONE)
    T(JSON_ARRAY, "_json", "json[]", -1, false, 'A', false, E(JSON), NONE)
};
#undef T
#undef E
#undef NONE

enum { TYPE_COUNT = sizeof type_table / sizeof type_table[0] };

const sql_type_info *sql_type_info_of(sql_type_id id)
{
    for (size_t i = 0; i < TYPE_COUNT; i++)
        if (type_table[i].id == id) return &type_table[i];
    return NULL;
}

const sql_type_info *sql_type_info_at(size_t i)
{
    return i < TYPE_COUNT ? &type_table[i] : NULL;
}

bool sql_type_known(sql_type_id id)
{
    return id != SQL_TYPE_INVALID && sql_type_info_of(id) != NULL;
}

sql_type_id sql_type_from_oid(sql_oid oid)
{
    const sql_type_info *ti = sql_type_info_of((sql_type_id)oid);
    return ti ? ti->id : SQL_TYPE_INVALID;
}

int32_t sql_typmod_varchar(int32_t n)
{
    return n + SQL_VARHDRSZ;
}

int32_t sql_typmod_numeric(int32_t precision, int32_t scale)
{
    return (int32_t)(((uint32_t)precision << 16) | ((uint32_t)scale & 0x7ff)) + SQL_VARHDRSZ;
}

int32_t sql_typmod_char_length(int32_t typmod)
{
    return typmod < SQL_VARHDRSZ ? -1 : typmod - SQL_VARHDRSZ;
}

bool sql_typmod_numeric_valid(int32_t typmod)
{
    return typmod >= SQL_VARHDRSZ;
}

int32_t sql_typmod_numeric_precision(int32_t typmod)
{
    return ((typmod - SQL_VARHDRSZ) >> 16) & 0xffff;
}

int32_t sql_typmod_numeric_scale(int32_t typmod)
{
    /* 11-bit two's complement, as PostgreSQL's NUMERIC_TYPMOD_SCALE */
    return (((typmod - SQL_VARHDRSZ) & 0x7ff) ^ 1024) - 1024;
}

static size_t format_base(sql_type_id id, int32_t typmod, char *out, size_t cap)
{
    switch (id) {
    case SQL_TYPE_BPCHAR:
        if (typmod < 0) return (size_t)snprintf(out, cap, "bpchar");
        return (size_t)snprintf(out, cap, "character(%d)", typmod - SQL_VARHDRSZ);
    case SQL_TYPE_VARCHAR:
        if (typmod < 0) break;
        return (size_t)snprintf(out, cap, "character varying(%d)", typmod - SQL_VARHDRSZ);
    case SQL_TYPE_NUMERIC:
        if (typmod < SQL_VARHDRSZ) break;
        return (size_t)snprintf(out, cap, "numeric(%d,%d)", sql_typmod_numeric_precision(typmod),
                                sql_typmod_numeric_scale(typmod));
    case SQL_TYPE_INTERVAL: {
        if (typmod < 0) break;
        char suffix[SQL_TYPE_NAME_MAX];
        interval_typmod_suffix(typmod, suffix, sizeof suffix);
        return (size_t)snprintf(out, cap, "interval%s", suffix);
    }
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ:
    case SQL_TYPE_TIME:
    case SQL_TYPE_TIMETZ:
        if (typmod < 0) break;
        return (size_t)snprintf(out, cap, "%s(%d) with%s time zone",
                                id == SQL_TYPE_TIME || id == SQL_TYPE_TIMETZ ? "time" : "timestamp",
                                typmod,
                                id == SQL_TYPE_TIMESTAMPTZ || id == SQL_TYPE_TIMETZ ? "" : "out");
    default:
        break;
    }
    const sql_type_info *ti = sql_type_info_of(id);
    return (size_t)snprintf(out, cap, "%s", ti ? ti->sql_name : "???");
}

size_t sql_type_format(sql_type t, char *out, size_t cap)
{
    mice_assert(cap > 0);
    const sql_type_info *ti = sql_type_info_of(t.id);
    if (ti && ti->elem != SQL_TYPE_INVALID && t.typmod >= 0) {
        size_t n = format_base(ti->elem, t.typmod, out, cap);
        if (n + 2 < cap) memcpy(out + n, "[]", 3);
        return n + 2;
    }
    return format_base(t.id, t.typmod, out, cap);
}

/* ---- parsing type names ---- */

typedef enum {
    MODS_NONE,
    MODS_LENGTH,
    MODS_NUMERIC,
    MODS_FLOAT,
    MODS_PRECISION,
    MODS_INTERVAL,
} mods_kind;

typedef struct type_alias {
    const char *name;
    sql_type_id id;
    mods_kind mods;
    int32_t default_typmod;
} type_alias;

static const type_alias aliases[] = {
    {"bool", SQL_TYPE_BOOL, MODS_NONE, -1},
    {"boolean", SQL_TYPE_BOOL, MODS_NONE, -1},
    {"bytea", SQL_TYPE_BYTEA, MODS_NONE, -1},
    {"int8", SQL_TYPE_INT8, MODS_NONE, -1},
    {"bigint", SQL_TYPE_INT8, MODS_NONE, -1},
    {"int2", SQL_TYPE_INT2, MODS_NONE, -1},
    {"smallint", SQL_TYPE_INT2, MODS_NONE, -1},
    {"int4", SQL_TYPE_INT4, MODS_NONE, -1},
    {"int", SQL_TYPE_INT4, MODS_NONE, -1},
    {"integer", SQL_TYPE_INT4, MODS_NONE, -1},
    {"text", SQL_TYPE_TEXT, MODS_NONE, -1},
    {"oid", SQL_TYPE_OID, MODS_NONE, -1},
    {"float4", SQL_TYPE_FLOAT4, MODS_NONE, -1},
    {"real", SQL_TYPE_FLOAT4, MODS_NONE, -1},
    {"float8", SQL_TYPE_FLOAT8, MODS_NONE, -1},
    {"double precision", SQL_TYPE_FLOAT8, MODS_NONE, -1},
    {"float", SQL_TYPE_FLOAT8, MODS_FLOAT, -1},
    {"unknown", SQL_TYPE_UNKNOWN, MODS_NONE, -1},
    {"bpchar", SQL_TYPE_BPCHAR, MODS_LENGTH, -1},
    {"char", SQL_TYPE_BPCHAR, MODS_LENGTH, 1 + SQL_VARHDRSZ},
    {"character", SQL_TYPE_BPCHAR, MODS_LENGTH, 1 + SQL_VARHDRSZ},
    {"varchar", SQL_TYPE_VARCHAR, MODS_LENGTH, -1},
    {"character varying", SQL_TYPE_VARCHAR, MODS_LENGTH, -1},
    {"char varying", SQL_TYPE_VARCHAR, MODS_LENGTH, -1},
    {"date", SQL_TYPE_DATE, MODS_NONE, -1},
    {"time", SQL_TYPE_TIME, MODS_PRECISION, -1},
    {"time without time zone", SQL_TYPE_TIME, MODS_PRECISION, -1},
    {"timetz", SQL_TYPE_TIMETZ, MODS_PRECISION, -1},
    {"time with time zone", SQL_TYPE_TIMETZ, MODS_PRECISION, -1},
    {"timestamp", SQL_TYPE_TIMESTAMP, MODS_PRECISION, -1},
    {"timestamp without time zone", SQL_TYPE_TIMESTAMP, MODS_PRECISION, -1},
    {"timestamptz", SQL_TYPE_TIMESTAMPTZ, MODS_PRECISION, -1},
    {"timestamp with time zone", SQL_TYPE_TIMESTAMPTZ, MODS_PRECISION, -1},
    {"interval", SQL_TYPE_INTERVAL, MODS_INTERVAL, -1},
    {"numeric", SQL_TYPE_NUMERIC, MODS_NUMERIC, -1},
    {"decimal", SQL_TYPE_NUMERIC, MODS_NUMERIC, -1},
    {"dec", SQL_TYPE_NUMERIC, MODS_NUMERIC, -1},
    {"uuid", SQL_TYPE_UUID, MODS_NONE, -1},
    {"jsonb", SQL_TYPE_JSONB, MODS_NONE, -1},
    {"json", SQL_TYPE_JSON, MODS_NONE, -1},
    {"\"char\"", SQL_TYPE_CHAR, MODS_NONE, -1}, /* the parser gives the quoted one as "char" */
    {"name", SQL_TYPE_NAME, MODS_NONE, -1},
    {"int2vector", SQL_TYPE_INT2VECTOR, MODS_NONE, -1},
    {"oidvector", SQL_TYPE_OIDVECTOR, MODS_NONE, -1},
    {"xid", SQL_TYPE_XID, MODS_NONE, -1},
    {"pg_node_tree", SQL_TYPE_PG_NODE_TREE, MODS_NONE, -1},
    {"aclitem", SQL_TYPE_ACLITEM, MODS_NONE, -1},
    {"anyarray", SQL_TYPE_ANYARRAY, MODS_NONE, -1},
    {"regproc", SQL_TYPE_REGPROC, MODS_NONE, -1},
    {"regprocedure", SQL_TYPE_REGPROCEDURE, MODS_NONE, -1},
    {"regoper", SQL_TYPE_REGOPER, MODS_NONE, -1},
    {"regoperator", SQL_TYPE_REGOPERATOR, MODS_NONE, -1},
    {"regclass", SQL_TYPE_REGCLASS, MODS_NONE, -1},
    {"regtype", SQL_TYPE_REGTYPE, MODS_NONE, -1},
    {"regnamespace", SQL_TYPE_REGNAMESPACE, MODS_NONE, -1},
    {"regrole", SQL_TYPE_REGROLE, MODS_NONE, -1},
};

static mice_status apply_length_mods(const type_alias *a, const int32_t *mods, int nmods,
                                     sql_type *out, sql_error *err)
{
    const char *name = a->id == SQL_TYPE_VARCHAR ? "varchar" : "char";
    if (nmods != 1)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid type modifier");
    if (mods[0] < 1)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "length for type %s must be at least 1", name);
    if (mods[0] > SQL_VARCHAR_LEN_MAX)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "length for type %s cannot exceed %d", name, SQL_VARCHAR_LEN_MAX);
    out->typmod = sql_typmod_varchar(mods[0]);
    return MICE_OK;
}

static mice_status apply_numeric_mods(const int32_t *mods, int nmods, sql_type *out,
                                      sql_error *err)
{
    if (nmods > 2)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "invalid NUMERIC type modifier");
    int32_t p = mods[0], s = nmods == 2 ? mods[1] : 0;
    if (p < 1 || p > SQL_NUMERIC_PRECISION_MAX)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "NUMERIC precision %d must be between 1 and %d", p,
                          SQL_NUMERIC_PRECISION_MAX);
    if (s < SQL_NUMERIC_SCALE_MIN || s > SQL_NUMERIC_SCALE_MAX)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "NUMERIC scale %d must be between %d and %d", s, SQL_NUMERIC_SCALE_MIN,
                          SQL_NUMERIC_SCALE_MAX);
    out->typmod = sql_typmod_numeric(p, s);
    return MICE_OK;
}

/* float(p): 1..24 bits is real, 25..53 double precision (PostgreSQL's grammar). */
static mice_status apply_float_mods(const int32_t *mods, int nmods, sql_type *out,
                                    sql_error *err)
{
    if (nmods != 1)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"(\"");
    if (mods[0] < 1)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "precision for type float must be at least 1 bit");
    if (mods[0] > 53)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "precision for type float must be less than 54 bits");
    out->id = mods[0] <= 24 ? SQL_TYPE_FLOAT4 : SQL_TYPE_FLOAT8;
    out->typmod = -1;
    return MICE_OK;
}

static mice_status apply_mods(const type_alias *a, const int32_t *mods, int nmods, sql_type *out,
                              sql_error *err)
{
    out->id = a->id;
    out->typmod = a->default_typmod;
    if (nmods == 0) return MICE_OK;
    switch (a->mods) {
    case MODS_LENGTH:
        return apply_length_mods(a, mods, nmods, out, err);
    case MODS_NUMERIC:
        return apply_numeric_mods(mods, nmods, out, err);
    case MODS_FLOAT:
        return apply_float_mods(mods, nmods, out, err);
    case MODS_PRECISION:
        if (nmods != 1 || mods[0] < 0)
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "invalid type modifier");
        /* PostgreSQL warns and reduces; we reduce silently. */
        out->typmod = mods[0] > SQL_TIMESTAMP_PRECISION_MAX ? SQL_TIMESTAMP_PRECISION_MAX : mods[0];
        return MICE_OK;
    case MODS_INTERVAL:
        return interval_typmod_from_mods(mods, nmods, &out->typmod, err);
    case MODS_NONE:
        break;
    }
    char tn[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(a->id, -1), tn, sizeof tn);
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR,
                      "type modifier is not allowed for type \"%s\"", tn);
}

mice_status sql_type_parse(const char *name, const int32_t *mods, int nmods, sql_type *out,
                           sql_error *err)
{
    const char *base = name;
    if (strncmp(base, "pg_catalog.", 11) == 0) base += 11;
    size_t n = strlen(base);
    bool array = n > 2 && strcmp(base + n - 2, "[]") == 0;
    if (array) n -= 2;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        const type_alias *a = &aliases[i];
        if (strlen(a->name) != n || strncmp(a->name, base, n) != 0) continue;
        mice_status rc = apply_mods(a, mods, nmods, out, err);
        if (rc) return rc;
        if (array) {
            const sql_type_info *ti = sql_type_info_of(out->id);
            if (!ti || ti->array == SQL_TYPE_INVALID) break;
            out->id = ti->array;
        }
        return MICE_OK;
    }
    /* "_int4" style array names. */
    for (size_t i = 0; i < TYPE_COUNT && !array && nmods == 0; i++) {
        if (type_table[i].elem != SQL_TYPE_INVALID && strcmp(type_table[i].typname, base) == 0) {
            *out = sql_type_make(type_table[i].id, -1);
            return MICE_OK;
        }
    }
    return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT, "type \"%s\" does not exist",
                      name);
}

bool sql_type_is_string(sql_type_id id)
{
    return id == SQL_TYPE_TEXT || id == SQL_TYPE_VARCHAR || id == SQL_TYPE_BPCHAR ||
           id == SQL_TYPE_UNKNOWN || id == SQL_TYPE_NAME || id == SQL_TYPE_CHAR ||
           id == SQL_TYPE_PG_NODE_TREE;
}

bool sql_type_is_integer(sql_type_id id)
{
    return id == SQL_TYPE_INT2 || id == SQL_TYPE_INT4 || id == SQL_TYPE_INT8 ||
           id == SQL_TYPE_OID || id == SQL_TYPE_XID || sql_type_is_reg(id);
}

bool sql_type_is_reg(sql_type_id id)
{
    return id == SQL_TYPE_REGPROC || id == SQL_TYPE_REGPROCEDURE || id == SQL_TYPE_REGCLASS ||
           id == SQL_TYPE_REGTYPE || id == SQL_TYPE_REGNAMESPACE || id == SQL_TYPE_REGROLE ||
           id == SQL_TYPE_REGOPER || id == SQL_TYPE_REGOPERATOR;
}

sql_type_id sql_type_elem(sql_type_id id)
{
    const sql_type_info *ti = sql_type_info_of(id);
    return ti && ti->category == SQL_CAT_ARRAY ? ti->elem : SQL_TYPE_INVALID;
}

bool sql_type_is_float(sql_type_id id)
{
    return id == SQL_TYPE_FLOAT4 || id == SQL_TYPE_FLOAT8;
}

bool sql_type_is_numeric_family(sql_type_id id)
{
    return sql_type_is_integer(id) || sql_type_is_float(id) || id == SQL_TYPE_NUMERIC;
}

bool sql_type_is_datetime(sql_type_id id)
{
    return id == SQL_TYPE_DATE || id == SQL_TYPE_TIMESTAMP || id == SQL_TYPE_TIMESTAMPTZ;
}
