/* Table-driven tests of built-in functions, shared by tests/sql/test_func_*.c: a case names
 * a function, its arguments as "type:text" ("null:type" for a typed NULL, "unknown:text" for
 * an untyped literal) and the output psql prints ("<NULL>" for NULL) or
 * "ERROR <sqlstate> <message>". The expectations come from a real PostgreSQL 15.18. */
#ifndef MICE_TESTS_SQL_FUNC_CASES_H
#define MICE_TESTS_SQL_FUNC_CASES_H

#include <stddef.h>

#include "base/arena.h"
#include "sql/func.h"

typedef struct call_case {
    const char *fn;
    int nargs;
    const char *args[8];
    const char *want;
} call_case;

/* The environment every case runs in; tests may adjust fctx and vctx between runs. */
typedef struct func_case_env {
    mice_arena *arena;
    func_ctx fctx;
    sql_value_ctx vctx;
} func_case_env;

extern func_case_env fc;

int func_cases_setup(void **state);
int func_cases_teardown(void **state);
sql_datum func_cases_arg(const char *spec);
const char *func_cases_call(const char *fn, int nargs, const char *const *args);
/* Runs every case, reports every mismatch, fails once at the end. */
void func_cases_run(const call_case *cases, size_t n);

#endif
