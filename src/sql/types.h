/*
 * types.h - SQL type identities: PostgreSQL OIDs, names, lengths and typmods.
 *
 * A SQL type is a (type id, typmod) pair exactly as PostgreSQL has it: the id is the
 * pg_type OID that clients see in RowDescription and ParameterDescription, the typmod is
 * the column's modifier with PostgreSQL's encoding (varchar(n)/char(n): n + 4;
 * numeric(p,s): ((p << 16) | (s & 0x7ff)) + 4; timestamp(p): p; -1 when absent). Names
 * come out as format_type() prints them ("integer", "character varying(10)",
 * "numeric(10,2)", "timestamp with time zone"), and sql_type_parse() accepts the names
 * a user or the parser writes ("int", "int4", "integer", "double precision",
 * "float(24)", "decimal(10,2)", "character varying", "timestamptz"...).
 *
 * Array types exist as ids (for RowDescription and later work) with elem/array links.
 *
 * Owns: nothing; all tables are static. Thread safety: pure functions.
 * Invariants: every id in sql_type_id has a row in the static table; typmod -1 is "none".
 */
#ifndef MICE_SQL_TYPES_H
#define MICE_SQL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sql/sqlerr.h"

typedef uint32_t sql_oid;

typedef enum sql_type_id {
    SQL_TYPE_INVALID = 0,
    SQL_TYPE_BOOL = 16,
    SQL_TYPE_BYTEA = 17,
    SQL_TYPE_INT8 = 20,
    SQL_TYPE_INT2 = 21,
    SQL_TYPE_INT4 = 23,
    SQL_TYPE_TEXT = 25,
    SQL_TYPE_OID = 26,
    SQL_TYPE_FLOAT4 = 700,
    SQL_TYPE_FLOAT8 = 701,
    SQL_TYPE_UNKNOWN = 705,
    SQL_TYPE_BPCHAR = 1042,
    SQL_TYPE_VARCHAR = 1043,
    SQL_TYPE_DATE = 1082,
    SQL_TYPE_TIME = 1083,
    SQL_TYPE_TIMESTAMP = 1114,
    SQL_TYPE_TIMESTAMPTZ = 1184,
    SQL_TYPE_INTERVAL = 1186,
    SQL_TYPE_TIMETZ = 1266,
    SQL_TYPE_NUMERIC = 1700,
    SQL_TYPE_UUID = 2950,
    SQL_TYPE_JSONB = 3802,
    SQL_TYPE_JSON = 114,
    /* system catalog types (pg_catalog columns, regclass casts; see pgcatalog.h) */
    SQL_TYPE_CHAR = 18, /* "char": one byte */
    SQL_TYPE_NAME = 19, /* name: an identifier of at most 63 bytes */
    SQL_TYPE_INT2VECTOR = 22,
    SQL_TYPE_REGPROC = 24,
    SQL_TYPE_XID = 28,
    SQL_TYPE_OIDVECTOR = 30,
    SQL_TYPE_PG_NODE_TREE = 194,
    SQL_TYPE_ACLITEM = 1033,
    SQL_TYPE_REGPROCEDURE = 2202,
    SQL_TYPE_REGOPER = 2203,
    SQL_TYPE_REGOPERATOR = 2204,
    SQL_TYPE_REGCLASS = 2205,
    SQL_TYPE_REGTYPE = 2206,
    SQL_TYPE_ANYARRAY = 2277, /* pseudo-type (pg_statistic, pg_attribute.attmissingval) */
    SQL_TYPE_REGNAMESPACE = 4089,
    SQL_TYPE_REGROLE = 4096,
    SQL_TYPE_CHAR_ARRAY = 1002,
    SQL_TYPE_NAME_ARRAY = 1003,
    SQL_TYPE_ACLITEM_ARRAY = 1034,
    SQL_TYPE_REGTYPE_ARRAY = 2211,
    /* arrays (typname "_elem") */
    SQL_TYPE_BOOL_ARRAY = 1000,
    SQL_TYPE_BYTEA_ARRAY = 1001,
    SQL_TYPE_INT2_ARRAY = 1005,
    SQL_TYPE_INT4_ARRAY = 1007,
    SQL_TYPE_TEXT_ARRAY = 1009,
    SQL_TYPE_BPCHAR_ARRAY = 1014,
    SQL_TYPE_VARCHAR_ARRAY = 1015,
    SQL_TYPE_INT8_ARRAY = 1016,
    SQL_TYPE_FLOAT4_ARRAY = 1021,
    SQL_TYPE_FLOAT8_ARRAY = 1022,
    SQL_TYPE_OID_ARRAY = 1028,
    SQL_TYPE_TIMESTAMP_ARRAY = 1115,
    SQL_TYPE_DATE_ARRAY = 1182,
    SQL_TYPE_TIME_ARRAY = 1183,
    SQL_TYPE_TIMESTAMPTZ_ARRAY = 1185,
    SQL_TYPE_INTERVAL_ARRAY = 1187,
    SQL_TYPE_TIMETZ_ARRAY = 1270,
    SQL_TYPE_NUMERIC_ARRAY = 1231,
    SQL_TYPE_UUID_ARRAY = 2951,
    SQL_TYPE_JSONB_ARRAY = 3807,
    SQL_TYPE_JSON_ARRAY = 199,
} sql_type_id;

/* A column or expression type. */
typedef struct sql_type {
    sql_type_id id;
    int32_t typmod; /* -1: none */
} sql_type;

/* pg_type.typcategory */
typedef enum sql_type_category {
    SQL_CAT_BOOL = 'B',
    SQL_CAT_NUMERIC = 'N',
    SQL_CAT_STRING = 'S',
    SQL_CAT_DATETIME = 'D',
    SQL_CAT_TIMESPAN = 'T',
    SQL_CAT_USER = 'U',
    SQL_CAT_ARRAY = 'A',
    SQL_CAT_UNKNOWN = 'X',
} sql_type_category;

typedef struct sql_type_info {
    sql_type_id id;
    const char *typname;     /* pg_type.typname: "int4", "_int4", "timestamptz" */
    const char *sql_name;    /* format_type name without typmod: "integer" */
    int16_t typlen;          /* bytes, -1 varlena */
    bool byval;              /* pg_type.typbyval */
    char category;           /* sql_type_category */
    bool preferred;          /* pg_type.typispreferred */
    sql_type_id elem;        /* for arrays: the element type; else SQL_TYPE_INVALID */
    sql_type_id array;       /* the array type of this element type, or SQL_TYPE_INVALID */
} sql_type_info;

enum {
    SQL_VARHDRSZ = 4,
    SQL_VARCHAR_LEN_MAX = 10485760,
    SQL_NUMERIC_PRECISION_MAX = 1000,
    SQL_NUMERIC_SCALE_MIN = -1000,
    SQL_NUMERIC_SCALE_MAX = 1000,
    SQL_TIMESTAMP_PRECISION_MAX = 6,
    SQL_TYPE_NAME_MAX = 96, /* enough for any format_type output of our types */
};

/* NULL for an id we do not know. */
const sql_type_info *sql_type_info_of(sql_type_id id);
/* The i-th known type (pg_type's rows); NULL past the end. */
const sql_type_info *sql_type_info_at(size_t i);
bool sql_type_known(sql_type_id id);
/* The id for an OID from the wire; SQL_TYPE_INVALID when unknown. */
sql_type_id sql_type_from_oid(sql_oid oid);
static inline sql_type sql_type_make(sql_type_id id, int32_t typmod)
{
    return (sql_type){id, typmod};
}

/* typmod encodings (inputs must already be validated). */
int32_t sql_typmod_varchar(int32_t n);          /* varchar(n), char(n): n + 4 */
int32_t sql_typmod_numeric(int32_t precision, int32_t scale);
int32_t sql_typmod_char_length(int32_t typmod); /* -1 when none */
int32_t sql_typmod_numeric_precision(int32_t typmod);
int32_t sql_typmod_numeric_scale(int32_t typmod); /* sign-extended 11 bits, as PG */
bool sql_typmod_numeric_valid(int32_t typmod);

/* format_type(oid, typmod) into out (always NUL-terminated); returns the length. */
size_t sql_type_format(sql_type t, char *out, size_t cap);

/* Parse a type name as written in SQL or produced by the parser: a lowercase name,
 * optionally "pg_catalog."-qualified, multi-word names with single spaces
 * ("double precision", "character varying", "timestamp with time zone"), a trailing
 * "[]" for arrays, and the modifiers separately (mods[0..nmods)). Errors:
 * 42704 type "x" does not exist; 22023 for bad modifiers with PostgreSQL's messages
 * (e.g. "length for type varchar must be at least 1", "NUMERIC precision 0 must be
 * between 1 and 1000", "precision for type float must be at least 1 bit"); 42601 for a
 * type that takes no modifiers ("type modifier is not allowed for type \"text\""). */
mice_status sql_type_parse(const char *name, const int32_t *mods, int nmods, sql_type *out,
                           sql_error *err);

/* The type that is stored: bpchar/varchar/text are distinct ids, but compare as strings. */
bool sql_type_is_string(sql_type_id id);  /* text, varchar, bpchar, unknown */
bool sql_type_is_integer(sql_type_id id); /* int2, int4, int8, oid */
bool sql_type_is_float(sql_type_id id);   /* float4, float8 */
bool sql_type_is_numeric_family(sql_type_id id); /* integers, floats, numeric */
bool sql_type_is_datetime(sql_type_id id);       /* date, timestamp, timestamptz */
/* regproc, regprocedure, regclass, regtype, regnamespace, regrole: an OID that prints as
 * the object's name (the catalog does the lookups, see pgcatalog.h). */
bool sql_type_is_reg(sql_type_id id);
/* Arrays, int2vector and oidvector (category 'A'); their element type, else INVALID. */
sql_type_id sql_type_elem(sql_type_id id);

#endif
