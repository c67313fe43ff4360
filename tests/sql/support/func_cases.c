/* The shared harness of the built-in function tests (func_cases.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sql/support/func_cases.h"
#include "sql/value_io.h"

func_case_env fc;
static char out_text[2048];

static sql_type_id type_named(const char *name, size_t n)
{
    static const struct {
        const char *name;
        sql_type_id id;
    } names[] = {
        {"text", SQL_TYPE_TEXT},           {"int2", SQL_TYPE_INT2},
        {"int4", SQL_TYPE_INT4},           {"int8", SQL_TYPE_INT8},
        {"float4", SQL_TYPE_FLOAT4},       {"float8", SQL_TYPE_FLOAT8},
        {"numeric", SQL_TYPE_NUMERIC},     {"bool", SQL_TYPE_BOOL},
        {"bytea", SQL_TYPE_BYTEA},         {"date", SQL_TYPE_DATE},
        {"timestamp", SQL_TYPE_TIMESTAMP}, {"timestamptz", SQL_TYPE_TIMESTAMPTZ},
        {"varchar", SQL_TYPE_VARCHAR},     {"bpchar", SQL_TYPE_BPCHAR},
        {"unknown", SQL_TYPE_UNKNOWN},     {"interval", SQL_TYPE_INTERVAL},
        {"time", SQL_TYPE_TIME},           {"uuid", SQL_TYPE_UUID},
        {"timetz", SQL_TYPE_TIMETZ},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, name, n) == 0) return names[i].id;
    fail_msg("unknown type in case: %.*s", (int)n, name);
    return SQL_TYPE_INVALID;
}

sql_datum func_cases_arg(const char *spec)
{
    const char *colon = strchr(spec, ':');
    assert_non_null(colon);
    const char *v = colon + 1;
    if (strncmp(spec, "null:", 5) == 0) return datum_null(type_named(v, strlen(v)));
    sql_type_id t = type_named(spec, (size_t)(colon - spec));
    if (t == SQL_TYPE_UNKNOWN) return datum_bytes(t, mice_slice_str(v));
    sql_datum d;
    sql_error err;
    if (value_from_text(sql_type_make(t, -1), mice_slice_str(v), &fc.vctx, fc.arena, &d, &err))
        fail_msg("bad argument %s: %s", spec, err.message);
    return d;
}

static const char *show_result(mice_status rc, const sql_datum *d, const sql_error *err)
{
    if (rc) {
        snprintf(out_text, sizeof out_text, "ERROR %s %s", err->sqlstate, err->message);
        return out_text;
    }
    if (d->is_null) return "<NULL>";
    mice_buf b;
    buf_init(&b);
    sql_error e2;
    if (value_to_text(d, &fc.vctx, &b, &e2)) fail_msg("value_to_text: %s", e2.message);
    snprintf(out_text, sizeof out_text, "%.*s", (int)b.n, (const char *)b.p);
    buf_deinit(&b);
    return out_text;
}

const char *func_cases_call(const char *fn, int nargs, const char *const *args)
{
    sql_datum in[8], out;
    sql_error err;
    sqlerr_clear(&err);
    for (int i = 0; i < nargs; i++)
        in[i] = func_cases_arg(args[i]);
    mice_status rc = func_call_by_name(fn, in, nargs, &fc.fctx, &out, &err);
    return show_result(rc, &out, &err);
}

void func_cases_run(const call_case *cases, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const call_case *c = &cases[i];
        const char *got = func_cases_call(c->fn, c->nargs, c->args);
        if (strcmp(got, c->want) != 0) {
            bad++;
            fprintf(stderr, "case %zu: %s(", i, c->fn);
            for (int j = 0; j < c->nargs; j++)
                fprintf(stderr, "%s%s", j ? ", " : "", c->args[j]);
            fprintf(stderr, ")\n   want: %s\n    got: %s\n", c->want, got);
        }
        arena_reset(fc.arena);
    }
    if (bad) fail_msg("%d of %zu cases differ from PostgreSQL", bad, n);
}

int func_cases_setup(void **state)
{
    (void)state;
    fc.arena = arena_create(NULL, "test", 256u << 20);
    fc.vctx = SQL_VALUE_CTX_DEFAULT;
    func_ctx_init(&fc.fctx, fc.arena, &fc.vctx);
    return 0;
}

int func_cases_teardown(void **state)
{
    (void)state;
    arena_destroy(fc.arena);
    return 0;
}
