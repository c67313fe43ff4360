/* Unit tests for sql/func overload resolution (func_lookup). Each row's expectation is what
 * a real PostgreSQL 15.18 said for `select pg_typeof(f(NULL::t1, ...))` (untyped NULL for
 * unknown): the resolved result type, or the SQLSTATE and message of the failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/prng.h"
#include "sql/func.h"
#include "sql/value_io.h"

typedef struct lookup_case {
    const char *name;
    int nargs;
    sql_type_id types[6];
    const char *want;
} lookup_case;

static const lookup_case lookup_cases[] = {
    {"round", 1, {SQL_TYPE_INT4}, "double precision"},
    {"round", 2, {SQL_TYPE_INT4, SQL_TYPE_INT4}, "numeric"},
    {"round", 2, {SQL_TYPE_NUMERIC, SQL_TYPE_INT4}, "numeric"},
    {"round", 1, {SQL_TYPE_FLOAT4}, "double precision"},
    {"round", 1, {SQL_TYPE_UNKNOWN}, "double precision"},
    {"round", 1, {SQL_TYPE_NUMERIC}, "numeric"},
    {"abs", 1, {SQL_TYPE_INT2}, "smallint"},
    {"abs", 1, {SQL_TYPE_INT4}, "integer"},
    {"abs", 1, {SQL_TYPE_FLOAT4}, "real"},
    {"abs", 1, {SQL_TYPE_UNKNOWN}, "double precision"},
    {"sqrt", 1, {SQL_TYPE_INT8}, "double precision"},
    {"sqrt", 1, {SQL_TYPE_NUMERIC}, "numeric"},
    {"mod", 2, {SQL_TYPE_INT2, SQL_TYPE_INT4}, "integer"},
    {"mod", 2, {SQL_TYPE_INT4, SQL_TYPE_INT8}, "bigint"},
    {"mod", 2, {SQL_TYPE_INT4, SQL_TYPE_NUMERIC}, "numeric"},
    {"mod", 2, {SQL_TYPE_INT2, SQL_TYPE_INT2}, "smallint"},
    {"power", 2, {SQL_TYPE_INT4, SQL_TYPE_INT4}, "double precision"},
    {"power", 2, {SQL_TYPE_NUMERIC, SQL_TYPE_INT4}, "numeric"},
    {"trunc",
     2,
     {SQL_TYPE_FLOAT4, SQL_TYPE_INT4},
     "ERROR 42883 function trunc(real, integer) does not exist"},
    {"length", 1, {SQL_TYPE_UNKNOWN}, "integer"},
    {"length", 1, {SQL_TYPE_VARCHAR}, "integer"},
    {"length", 1, {SQL_TYPE_BPCHAR}, "integer"},
    {"length", 1, {SQL_TYPE_BYTEA}, "integer"},
    {"length", 1, {SQL_TYPE_INT4}, "ERROR 42883 function length(integer) does not exist"},
    {"substr", 2, {SQL_TYPE_VARCHAR, SQL_TYPE_INT2}, "text"},
    {"substr",
     2,
     {SQL_TYPE_UNKNOWN, SQL_TYPE_INT8},
     "ERROR 42883 function substr(unknown, bigint) does not exist"},
    {"substr",
     2,
     {SQL_TYPE_TEXT, SQL_TYPE_NUMERIC},
     "ERROR 42883 function substr(text, numeric) does not exist"},
    {"lower", 1, {SQL_TYPE_VARCHAR}, "text"},
    {"lower", 1, {SQL_TYPE_UNKNOWN}, "text"},
    {"LOWER", 1, {SQL_TYPE_TEXT}, "text"},
    {"pg_catalog.lower", 1, {SQL_TYPE_TEXT}, "text"},
    {"pg_catalog.UPPER", 1, {SQL_TYPE_TEXT}, "text"},
    {"lpad", 3, {SQL_TYPE_TEXT, SQL_TYPE_INT4, SQL_TYPE_UNKNOWN}, "text"},
    {"concat", 3, {SQL_TYPE_UNKNOWN, SQL_TYPE_INT4, SQL_TYPE_DATE}, "text"},
    {"concat_ws", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_INT4}, "text"},
    {"format", 3, {SQL_TYPE_UNKNOWN, SQL_TYPE_INT4, SQL_TYPE_BOOL}, "text"},
    {"to_hex", 1, {SQL_TYPE_UNKNOWN}, "ERROR 42725 function to_hex(unknown) is not unique"},
    {"to_hex", 1, {SQL_TYPE_INT2}, "ERROR 42725 function to_hex(smallint) is not unique"},
    {"to_hex", 1, {SQL_TYPE_INT8}, "text"},
    {"date_trunc", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_DATE}, "timestamp with time zone"},
    {"date_trunc", 2, {SQL_TYPE_TEXT, SQL_TYPE_TIMESTAMP}, "timestamp without time zone"},
    {"date_trunc",
     3,
     {SQL_TYPE_TEXT, SQL_TYPE_TIMESTAMPTZ, SQL_TYPE_UNKNOWN},
     "timestamp with time zone"},
    {"date_part", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_DATE}, "double precision"},
    {"date_part", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_TIMESTAMP}, "double precision"},
    {"pg_catalog.extract", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_DATE}, "numeric"},
    {"pg_catalog.extract", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_TIMESTAMPTZ}, "numeric"},
    {"to_char", 2, {SQL_TYPE_TIMESTAMP, SQL_TYPE_UNKNOWN}, "text"},
    {"to_char", 2, {SQL_TYPE_DATE, SQL_TYPE_UNKNOWN}, "text"},
    {"to_char", 2, {SQL_TYPE_INT4, SQL_TYPE_UNKNOWN}, "text"},
    {"to_char", 2, {SQL_TYPE_INT2, SQL_TYPE_UNKNOWN}, "text"},
    {"to_char", 2, {SQL_TYPE_NUMERIC, SQL_TYPE_UNKNOWN}, "text"},
    {"to_char", 2, {SQL_TYPE_FLOAT4, SQL_TYPE_UNKNOWN}, "text"},
    {"make_date",
     3,
     {SQL_TYPE_INT2, SQL_TYPE_INT2, SQL_TYPE_INT8},
     "ERROR 42883 function make_date(smallint, smallint, bigint) does not exist"},
    {"make_date",
     2,
     {SQL_TYPE_INT4, SQL_TYPE_INT4},
     "ERROR 42883 function make_date(integer, integer) does not exist"},
    {"to_timestamp", 1, {SQL_TYPE_INT4}, "timestamp with time zone"},
    {"to_timestamp", 1, {SQL_TYPE_NUMERIC}, "timestamp with time zone"},
    {"gcd", 2, {SQL_TYPE_INT2, SQL_TYPE_INT4}, "integer"},
    {"gcd", 2, {SQL_TYPE_INT4, SQL_TYPE_INT8}, "bigint"},
    {"width_bucket", 4, {SQL_TYPE_INT4, SQL_TYPE_INT4, SQL_TYPE_INT4, SQL_TYPE_INT4}, "integer"},
    {"width_bucket", 4, {SQL_TYPE_NUMERIC, SQL_TYPE_INT4, SQL_TYPE_INT4, SQL_TYPE_INT4}, "integer"},
    {"log", 2, {SQL_TYPE_INT4, SQL_TYPE_INT4}, "numeric"},
    {"log",
     2,
     {SQL_TYPE_FLOAT8, SQL_TYPE_FLOAT8},
     "ERROR 42883 function log(double precision, double precision) does not exist"},
    {"textlike", 2, {SQL_TYPE_VARCHAR, SQL_TYPE_UNKNOWN}, "boolean"},
    {"textanycat", 2, {SQL_TYPE_TEXT, SQL_TYPE_INT4}, "text"},
    {"anytextcat", 2, {SQL_TYPE_INT4, SQL_TYPE_TEXT}, "text"},
    {"foo",
     2,
     {SQL_TYPE_INT4, SQL_TYPE_TEXT},
     "ERROR 42883 function foo(integer, text) does not exist"},
    {"foo", 0, {}, "ERROR 42883 function foo() does not exist"},
    {"lower", 1, {SQL_TYPE_INT4}, "ERROR 42883 function lower(integer) does not exist"},
    {"substr", 1, {SQL_TYPE_TEXT}, "ERROR 42883 function substr(text) does not exist"},
    {"upper",
     2,
     {SQL_TYPE_TEXT, SQL_TYPE_TEXT},
     "ERROR 42883 function upper(text, text) does not exist"},
    {"md5", 1, {SQL_TYPE_UNKNOWN}, "text"},
    {"md5", 1, {SQL_TYPE_BYTEA}, "text"},
    {"encode", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_UNKNOWN}, "text"},
    {"decode", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_UNKNOWN}, "bytea"},
    {"num_nulls", 3, {SQL_TYPE_INT4, SQL_TYPE_UNKNOWN, SQL_TYPE_TEXT}, "integer"},
    {"greatest", 2, {SQL_TYPE_INT4, SQL_TYPE_NUMERIC}, "numeric"},
    {"greatest", 2, {SQL_TYPE_INT2, SQL_TYPE_INT8}, "bigint"},
    {"least", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_UNKNOWN}, "text"},
    {"coalesce", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_INT4}, "integer"},
    {"nullif", 2, {SQL_TYPE_INT4, SQL_TYPE_INT8}, "integer"},
    {"starts_with", 2, {SQL_TYPE_VARCHAR, SQL_TYPE_BPCHAR}, "boolean"},
    {"nullif", 2, {SQL_TYPE_UNKNOWN, SQL_TYPE_INT4}, "integer"},
    {"nullif", 2, {SQL_TYPE_TEXT, SQL_TYPE_UNKNOWN}, "text"},
    {"coalesce", 3, {SQL_TYPE_INT4, SQL_TYPE_INT8, SQL_TYPE_NUMERIC}, "numeric"},
    {"greatest", 2, {SQL_TYPE_FLOAT4, SQL_TYPE_INT8}, "real"},
    {"to_char", 2, {SQL_TYPE_FLOAT4, SQL_TYPE_TEXT}, "text"},
};

static const char hint_no_match[] = "No function matches the given name and argument types. You "
                                    "might need to add explicit type casts.";
static const char hint_ambiguous[] =
    "Could not choose a best candidate function. You might need to add explicit type casts.";

static void test_lookup_vs_postgres(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof lookup_cases / sizeof lookup_cases[0]; i++) {
        const lookup_case *c = &lookup_cases[i];
        func_match m;
        sql_error err;
        char got[640];
        sqlerr_clear(&err);
        if (func_lookup(c->name, c->types, c->nargs, &m, &err) == MICE_OK) {
            sql_type_format(sql_type_make(m.ret, -1), got, sizeof got);
        } else {
            snprintf(got, sizeof got, "ERROR %s %s", err.sqlstate, err.message);
            const char *hint = strcmp(err.sqlstate, "42883") == 0 ? hint_no_match : hint_ambiguous;
            if (strcmp(err.hint, hint) != 0) {
                bad++;
                fprintf(stderr, "case %zu %s: hint %s\n", i, c->name, err.hint);
            }
        }
        if (strcmp(got, c->want) != 0) {
            bad++;
            fprintf(stderr, "case %zu %s/%d: want %s, got %s\n", i, c->name, c->nargs, c->want,
                    got);
        }
    }
    if (bad) fail_msg("%d lookups differ from PostgreSQL", bad);
}

static void test_match_says_how_to_cast(void **state)
{
    (void)state;
    func_match m;
    sql_error err;
    sql_type_id t1[] = {SQL_TYPE_INT4, SQL_TYPE_INT4};
    assert_int_equal(func_lookup("round", t1, 2, &m, &err), MICE_OK);
    assert_int_equal(m.arg_types[0], SQL_TYPE_NUMERIC);
    assert_int_equal(m.arg_types[1], SQL_TYPE_INT4);
    assert_int_equal(m.ret, SQL_TYPE_NUMERIC);
    sql_type_id t2[] = {SQL_TYPE_UNKNOWN, SQL_TYPE_INT4, SQL_TYPE_DATE};
    assert_int_equal(func_lookup("concat", t2, 3, &m, &err), MICE_OK);
    assert_int_equal(m.nargs, 3);
    assert_int_equal(m.arg_types[0], SQL_TYPE_UNKNOWN); /* "any" keeps the literal as is */
    assert_int_equal(m.arg_types[2], SQL_TYPE_DATE);
    sql_type_id t3[] = {SQL_TYPE_INT2, SQL_TYPE_INT8, SQL_TYPE_NUMERIC};
    assert_int_equal(func_lookup("greatest", t3, 3, &m, &err), MICE_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(m.arg_types[i], SQL_TYPE_NUMERIC);
    sql_type_id t4[] = {SQL_TYPE_VARCHAR};
    assert_int_equal(func_lookup("Pg_Catalog.LENGTH", t4, 1, &m, &err), MICE_OK);
    assert_string_equal(m.desc->name, "length");
    assert_int_equal(m.arg_types[0], SQL_TYPE_TEXT);
    /* a name longer than NAMEDATALEN never matches */
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_int_equal(func_lookup(longname, NULL, 0, &m, &err), MICE_NOTFOUND);
    assert_string_equal(err.sqlstate, "42883");
}

static void test_call_casts_and_strictness(void **state)
{
    (void)state;
    mice_arena *arena = arena_create(NULL, "t", 1u << 20);
    func_ctx ctx;
    func_ctx_init(&ctx, arena, NULL);
    func_match m;
    sql_error err;
    sql_datum out;
    /* round(int4, int4): the executor may pass raw int4s; func_call casts to numeric */
    sql_type_id t1[] = {SQL_TYPE_INT4, SQL_TYPE_INT4};
    assert_int_equal(func_lookup("round", t1, 2, &m, &err), MICE_OK);
    sql_datum a1[] = {datum_int4(1234), datum_int4(-2)};
    assert_int_equal(func_call(&m, a1, 2, &ctx, &out, &err), MICE_OK);
    assert_int_equal(out.type, SQL_TYPE_NUMERIC);
    mice_buf b;
    buf_init(&b);
    numeric_format(out.v.num, &b);
    assert_string_equal((const char *)b.p, "1200");
    buf_deinit(&b);
    /* strict: a NULL argument gives NULL of the result type */
    sql_datum a2[] = {datum_null(SQL_TYPE_INT4), datum_int4(1)};
    assert_int_equal(func_call(&m, a2, 2, &ctx, &out, &err), MICE_OK);
    assert_true(out.is_null);
    assert_int_equal(out.type, SQL_TYPE_NUMERIC);
    /* a bad unknown literal fails in the cast, as PostgreSQL's: nullif(1, 'a') */
    sql_type_id t2[] = {SQL_TYPE_INT4, SQL_TYPE_UNKNOWN};
    assert_int_equal(func_lookup("nullif", t2, 2, &m, &err), MICE_OK);
    sql_datum a3[] = {datum_int4(1), datum_bytes(SQL_TYPE_UNKNOWN, MICE_SLICE_LIT("a"))};
    assert_int_not_equal(func_call(&m, a3, 2, &ctx, &out, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "22P02");
    assert_string_equal(err.message, "invalid input syntax for type integer: \"a\"");
    sql_datum a4[] = {datum_int4(1), datum_bytes(SQL_TYPE_UNKNOWN, MICE_SLICE_LIT("1"))};
    assert_int_equal(func_call(&m, a4, 2, &ctx, &out, &err), MICE_OK);
    assert_true(out.is_null);
    assert_int_equal(out.type, SQL_TYPE_INT4);
    arena_destroy(arena);
}

static void test_registry(void **state)
{
    (void)state;
    int n = func_registry_count();
    assert_true(n > 150);
    for (int i = 0; i < n; i++) {
        const func_desc *d = func_registry_at(i);
        assert_non_null(d);
        assert_non_null(d->fn);
        assert_false(d->is_aggregate);
        assert_true(d->nargs >= 0 && d->nargs <= FUNC_DECL_ARGS_MAX);
        for (const char *p = d->name; *p; p++)
            assert_false(*p >= 'A' && *p <= 'Z');
    }
    assert_null(func_registry_at(n));
    assert_true(func_exists("PG_CATALOG.Substr"));
    assert_false(func_exists("count"));
}

/* pg_typeof returns regtype in PostgreSQL; here it is text holding the same name. */
static void test_pg_typeof_and_session_functions(void **state)
{
    (void)state;
    mice_arena *arena = arena_create(NULL, "t", 1u << 20);
    func_ctx ctx;
    func_ctx_init(&ctx, arena, NULL);
    ctx.current_user = "alice";
    ctx.session_user = "bob";
    ctx.database = "shop";
    ctx.schema = NULL;
    ctx.backend_pid = 4242;
    sql_datum out, arg = datum_null(SQL_TYPE_UNKNOWN);
    sql_error err;
    struct {
        const char *fn;
        const char *want;
    } cases[] = {
        {"current_user", "alice"},    {"user", "alice"},
        {"current_role", "alice"},    {"session_user", "bob"},
        {"current_database", "shop"}, {"current_catalog", "shop"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(func_call_by_name(cases[i].fn, NULL, 0, &ctx, &out, &err), MICE_OK);
        assert_int_equal((int)out.v.s.n, (int)strlen(cases[i].want));
        assert_memory_equal(out.v.s.p, cases[i].want, out.v.s.n);
    }
    assert_int_equal(func_call_by_name("current_schema", NULL, 0, &ctx, &out, &err), MICE_OK);
    assert_true(out.is_null);
    assert_int_equal(func_call_by_name("pg_backend_pid", NULL, 0, &ctx, &out, &err), MICE_OK);
    assert_int_equal(out.v.i, 4242);
    assert_int_equal(func_call_by_name("pg_typeof", &arg, 1, &ctx, &out, &err), MICE_OK);
    assert_memory_equal(out.v.s.p, "unknown", 7);
    arg = datum_numeric(NULL);
    arg.is_null = true;
    assert_int_equal(func_call_by_name("pg_typeof", &arg, 1, &ctx, &out, &err), MICE_OK);
    assert_memory_equal(out.v.s.p, "numeric", 7);
    assert_int_equal(func_call_by_name("version", NULL, 0, &ctx, &out, &err), MICE_OK);
    assert_true(out.v.s.n > 16);
    assert_memory_equal(out.v.s.p, "PostgreSQL 15.", 14);
    sql_datum nn[] = {datum_int4(1), datum_null(SQL_TYPE_TEXT), datum_null(SQL_TYPE_INT4)};
    assert_int_equal(func_call_by_name("num_nulls", nn, 3, &ctx, &out, &err), MICE_OK);
    assert_int_equal(out.v.i, 2);
    assert_int_equal(func_call_by_name("num_nonnulls", nn, 3, &ctx, &out, &err), MICE_OK);
    assert_int_equal(out.v.i, 1);
    arena_destroy(arena);
}

static void test_special_forms(void **state)
{
    (void)state;
    sql_datum v[] = {datum_int4(3), datum_null(SQL_TYPE_INT4), datum_int4(7), datum_int4(-1)};
    sql_datum out;
    func_greatest(v, 4, NULL, &out);
    assert_int_equal(out.v.i, 7);
    func_least(v, 4, NULL, &out);
    assert_int_equal(out.v.i, -1);
    func_coalesce(v + 1, 3, &out);
    assert_int_equal(out.v.i, 7);
    sql_datum nulls[] = {datum_null(SQL_TYPE_INT4), datum_null(SQL_TYPE_INT4)};
    func_greatest(nulls, 2, NULL, &out);
    assert_true(out.is_null);
    func_coalesce(nulls, 2, &out);
    assert_true(out.is_null);
    func_nullif(&v[0], &v[0], NULL, &out);
    assert_true(out.is_null);
    func_nullif(&v[0], &v[2], NULL, &out);
    assert_int_equal(out.v.i, 3);
    func_nullif(&v[0], &v[1], NULL, &out);
    assert_int_equal(out.v.i, 3);
}

/* Every registered function over random arguments of its declared types (extremes, NaN,
 * infinities, invalid UTF-8, odd patterns) must return a value or a well-formed error, never
 * crash (run under ASan+UBSan in CI). */
static sql_datum random_arg(sql_type_id t, mice_prng *r, mice_arena *a)
{
    static const char *const texts[] = {"",
                                        "a",
                                        "héllo",
                                        "%_\\",
                                        "\\",
                                        "abc%",
                                        "YYYY-MM-DD HH24:MI:SS.US TZ",
                                        "FM9,999.99S",
                                        "%s %I %L %1$s %-5s %",
                                        "\xff\xfe",
                                        "hex",
                                        "base64",
                                        "escape",
                                        "year",
                                        "epoch",
                                        "millennium",
                                        "UTC",
                                        "Europe/Paris",
                                        "\xe6\x97\xa5\xe6",
                                        "0123456789abcdef"};
    static const int64_t ints[] = {
        0, 1, -1, 2, 7, 1000, INT16_MIN, INT16_MAX, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX};
    static const double floats[] = {0.0,    -0.0,   1.0, -1.0,      0.5,        1e300,
                                    -1e300, 1e-300, 3.5, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0};
    static const char *const nums[] = {
        "0",   "1",        "-1",        "0.5", "1e-30", "12345678901234567890.5",
        "NaN", "Infinity", "-Infinity", "2",   "10",    "-7.25"};
    if (prng_chance(r, 1, 20)) return datum_null(t);
    switch (t) {
    case SQL_TYPE_INT2:
        return datum_int2((int16_t)ints[prng_below(r, 8)]);
    case SQL_TYPE_INT4:
        return datum_int4((int32_t)ints[prng_below(r, 10)]);
    case SQL_TYPE_INT8:
        return datum_int8(ints[prng_below(r, 12)]);
    case SQL_TYPE_FLOAT4:
        return datum_float4((float)floats[prng_below(r, 12)]);
    case SQL_TYPE_FLOAT8:
        return datum_float8(floats[prng_below(r, 12)]);
    case SQL_TYPE_BOOL:
        return datum_bool(prng_chance(r, 1, 2));
    case SQL_TYPE_DATE: {
        static const sql_date d[] = {0, -1000000, 2000000, SQL_DATE_NOBEGIN, SQL_DATE_NOEND, 8999};
        return datum_date(d[prng_below(r, 6)]);
    }
    case SQL_TYPE_TIMESTAMP:
    case SQL_TYPE_TIMESTAMPTZ: {
        static const sql_timestamp ts[] = {
            0,
            SQL_TIMESTAMP_MIN,
            INT64_C(9222000000000000000), /* below datetime.c epoch overflow */
            SQL_TS_NOBEGIN,
            SQL_TS_NOEND,
            777777777777777};
        return (sql_datum){.type = t, .v.ts = ts[prng_below(r, 6)]};
    }
    case SQL_TYPE_NUMERIC: {
        const sql_numeric *n;
        assert_int_equal(numeric_parse(mice_slice_str(nums[prng_below(r, 12)]), a, &n, NULL),
                         MICE_OK);
        return datum_numeric(n);
    }
    default: {
        const char *s = texts[prng_below(r, sizeof texts / sizeof texts[0])];
        return datum_bytes(t == SQL_TYPE_BYTEA ? t : SQL_TYPE_TEXT, mice_slice_str(s));
    }
    }
}

static void test_random_arguments_never_crash(void **state)
{
    (void)state;
    uint64_t seed = 20261123;
    mice_prng r;
    prng_seed(&r, seed);
    mice_arena *arena = arena_create(NULL, "prop", 64u << 20);
    func_ctx ctx;
    func_ctx_init(&ctx, arena, NULL);
    ctx.prng = &r;
    for (int i = 0; i < func_registry_count(); i++) {
        const func_desc *d = func_registry_at(i);
        for (int round = 0; round < 80; round++) {
            sql_datum args[8];
            int n = d->nargs + (d->variadic ? (int)prng_below(&r, 3) : 0);
            for (int j = 0; j < n; j++) {
                sql_type_id t = d->args[j < d->nargs ? j : d->nargs - 1];
                if (t == FUNC_TYPE_ANY || t == FUNC_TYPE_ANYNONARRAY ||
                    t == FUNC_TYPE_ANYCOMPATIBLE)
                    t = d->variadic || t != FUNC_TYPE_ANYCOMPATIBLE ? SQL_TYPE_TEXT : SQL_TYPE_INT4;
                args[j] = random_arg(t, &r, arena);
            }
            if (strcmp(d->name, "setseed") == 0) continue;
            func_match m = {.desc = d, .nargs = n, .ret = d->ret};
            for (int j = 0; j < n; j++)
                m.arg_types[j] = args[j].type;
            sql_datum out;
            sql_error err;
            sqlerr_clear(&err);
            mice_status rc = func_call(&m, args, n, &ctx, &out, &err);
            if (rc && strlen(err.sqlstate) != 5)
                fail_msg("seed %llu: %s gave status %d without a SQLSTATE",
                         (unsigned long long)seed, d->name, (int)rc);
            arena_reset(arena);
        }
    }
    arena_destroy(arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_vs_postgres),
        cmocka_unit_test(test_match_says_how_to_cast),
        cmocka_unit_test(test_call_casts_and_strictness),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_pg_typeof_and_session_functions),
        cmocka_unit_test(test_special_forms),
        cmocka_unit_test(test_random_arguments_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
