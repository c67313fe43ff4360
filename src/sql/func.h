/*
 * func.h - the built-in SQL function library: registry, overload resolution and calls.
 *
 * Every built-in function is a row of a static table (func_desc): PostgreSQL's name, the
 * declared argument types, the result type, strictness (a NULL argument gives a NULL
 * result without calling the implementation), volatility and the implementation, which
 * works over an array of sql_datum. The binder resolves a call site once with
 * func_lookup(), which does PostgreSQL's overload resolution for the common cases
 * (parse_func.c func_select_candidate): candidates whose every argument is the same type
 * or reachable by an implicit cast (int2 < int4 < int8 < numeric < float4 < float8;
 * unknown literal and varchar/bpchar to text; date -> timestamp -> timestamptz); then the
 * most exact matches win, then the most matches at the category's preferred type
 * (float8, text, timestamptz), then for unknown literals the string category. No match is
 * 42883 "function f(integer, text) does not exist" with PostgreSQL's hint; a tie is 42725
 * "function f(unknown) is not unique". The executor then calls func_call() per row, with
 * the arguments already cast to func_match.arg_types (func_call casts any that are not).
 *
 * Polymorphic markers are PostgreSQL's pseudo-type OIDs: FUNC_TYPE_ANY accepts anything
 * (each argument on its own, e.g. concat, pg_typeof), FUNC_TYPE_ANYCOMPATIBLE makes all
 * such arguments share their common type, which is also the result type when ret says so
 * (coalesce, greatest, least); as a result type FUNC_TYPE_ANY means "the type of the
 * first argument" (nullif); FUNC_TYPE_ANYNONARRAY accepts any non-array type
 * (anytextcat for `x || text`). A variadic entry repeats its last argument type (at least
 * once), as PostgreSQL's VARIADIC "any".
 *
 * Names are matched case-insensitively and may be qualified with "pg_catalog.".
 * Operators that PostgreSQL implements as named functions (LIKE is "~~" -> textlike,
 * "||" -> textcat...) map through func_operator_function().
 *
 * Environment is injected through func_ctx: the arena for results (strings, numerics),
 * the session's value ctx (TimeZone), the transaction/statement timestamps, a clock
 * callback for clock_timestamp(), a seeded mice_prng for random(), and the session's
 * user / database / schema names. Nothing here reads a clock or global state.
 *
 * Owns: nothing; the registry is static and read-only. A result's bytes live in ctx->arena
 * or are a sub-slice of an argument's bytes (substr, left, btrim... do not copy), so a
 * result is valid while both the arena and the arguments' storage are.
 * Thread safety: pure functions; a func_ctx (its arena and prng) belongs to one thread.
 */
#ifndef MICE_SQL_FUNC_H
#define MICE_SQL_FUNC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/prng.h"
#include "sql/datum.h"

/* Pseudo-types (PostgreSQL's OIDs); only in func_desc.args / .ret. */
#define FUNC_TYPE_ANY ((sql_type_id)2276)
#define FUNC_TYPE_ANYNONARRAY ((sql_type_id)2776)
#define FUNC_TYPE_ANYCOMPATIBLE ((sql_type_id)5077)
/* void (setseed): the result is a NULL datum of this type, shown as an empty string. */
#define FUNC_TYPE_VOID ((sql_type_id)2278)

enum {
    FUNC_DECL_ARGS_MAX = 7,   /* declared arguments of one entry */
    FUNC_CALL_ARGS_MAX = 100, /* PostgreSQL's FUNC_MAX_ARGS, for variadic calls */
    FUNC_NAME_MAX = 64,       /* PostgreSQL's NAMEDATALEN */
};

/* pg_proc.provolatile */
typedef enum func_volatility {
    FUNC_IMMUTABLE = 'i',
    FUNC_STABLE = 's',
    FUNC_VOLATILE = 'v',
} func_volatility;

typedef struct func_ctx {
    mice_arena *arena;         /* results and scratch; per batch or statement */
    const sql_value_ctx *vctx; /* TimeZone, extra_float_digits; NULL = defaults */
    mice_prng *prng;           /* random(), setseed(); NULL: random() fails (XX000) */
    sql_timestamp txn_start;   /* now(), current_timestamp, transaction_timestamp() */
    sql_timestamp stmt_start;  /* statement_timestamp() */
    /* clock_timestamp(); NULL means stmt_start. */
    sql_timestamp (*clock_now)(void *clock_arg);
    void *clock_arg;
    const char *current_user; /* current_user, user, current_role */
    const char *session_user;
    const char *database; /* current_database(), current_catalog */
    const char *schema;   /* current_schema; NULL gives SQL NULL */
    int32_t backend_pid;  /* pg_backend_pid() */
    struct settings *settings; /* current_setting(), set_config(); NULL: they fail (XX000) */
    /* pg_sleep(): polled every 10 ms (57014 when set; NULL = never) and the clock to sleep
     * on (NULL: pg_sleep() returns at once) */
    const atomic_bool *cancel;
    const struct mice_env *env;
} func_ctx;

/* Defaults: now = vctx's statement time (or 2000-01-01), users "postgres", database
 * "postgres", schema "public", pid 0, no prng, no clock. */
void func_ctx_init(func_ctx *ctx, mice_arena *arena, const sql_value_ctx *vctx);

typedef mice_status (*func_impl)(const sql_datum *args, int nargs, func_ctx *ctx, sql_datum *out,
                                 sql_error *err);

typedef struct func_desc {
    const char *name; /* lowercase, unqualified */
    int8_t nargs;     /* declared; with variadic, the last one repeats */
    bool variadic;
    sql_type_id args[FUNC_DECL_ARGS_MAX];
    sql_type_id ret; /* or FUNC_TYPE_ANYCOMPATIBLE (common type), FUNC_TYPE_ANY (arg 0's) */
    bool strict;
    func_volatility volatility;
    bool is_aggregate; /* always false here; aggregates live with the executor */
    func_impl fn;
} func_desc;

/* A resolved call site. */
typedef struct func_match {
    const func_desc *desc;
    int nargs;
    sql_type_id arg_types[FUNC_CALL_ARGS_MAX]; /* cast argument i to this before the call */
    sql_type_id ret;                           /* concrete result type */
} func_match;

/* Resolve name(arg_types). name: as the parser gives it (any case, optional
 * "pg_catalog." prefix). SQL_TYPE_UNKNOWN is an untyped literal ('abc' or NULL).
 * Errors: 42883 function f(types) does not exist (+ hint); 42725 function f(types) is not
 * unique (+ hint); 54000 more than 100 arguments. */
mice_status func_lookup(const char *name, const sql_type_id *arg_types, int nargs, func_match *out,
                        sql_error *err);

/* Call a resolved function over one row. Arguments whose type differs from
 * m->arg_types[i] are cast implicitly first (unknown literals included). A strict
 * function with a NULL argument gives NULL of m->ret. Errors: the function's own. */
mice_status func_call(const func_match *m, const sql_datum *args, int nargs, func_ctx *ctx,
                      sql_datum *out, sql_error *err);

/* Convenience for tests and constant folding: lookup by the args' own types, then call. */
mice_status func_call_by_name(const char *name, const sql_datum *args, int nargs, func_ctx *ctx,
                              sql_datum *out, sql_error *err);

/* The function implementing an operator that PostgreSQL spells as a symbol but backs
 * with a named built-in here: "~~" textlike, "!~~" textnlike, "~~*" texticlike,
 * "!~~*" texticnlike, "||" textcat (whose rows include PostgreSQL's anytextcat and
 * textanycat forms, so 'a' || 1 resolves; int || int finds nothing).
 * NULL for other operators (arithmetic and comparison are datum's). */
const char *func_operator_function(const char *opname);

/* Binary operators that resolve to built-in functions the way PostgreSQL's
 * oper_select_candidate does: "+", "-", "*", "/" when a side is a date, time,
 * timestamp[tz] or interval (date + interval is date_pl_interval, timestamp - timestamp
 * timestamp_mi, interval * float8 interval_mul...), "||" (text and bytea), and the
 * regular expression matches "~", "~*", "!~", "!~*". func_operator_resolves says whether
 * op over these types is one of them (the binder keeps its own arithmetic otherwise).
 * An unknown literal first assumes the other side's type, so timestamp - '2024-01-01' is
 * timestamp - timestamp, as in PostgreSQL. Errors: 42883 operator does not exist: date *
 * date; 42725 operator is not unique: date + unknown (with PostgreSQL's hints). */
bool func_operator_resolves(const char *op, sql_type_id left, sql_type_id right);
mice_status func_lookup_operator(const char *op, sql_type_id left, sql_type_id right,
                                 func_match *out, sql_error *err);

/* Whether the registry has any function of this name (for "is this an aggregate or a
 * function" decisions in the binder). */
bool func_exists(const char *name);

/* The whole registry (for pg_proc): entries 0..count-1; NULL out of range. */
int func_registry_count(void);
const func_desc *func_registry_at(int i);

/* Special forms the binder may evaluate directly (PostgreSQL does not treat these as
 * functions). Arguments must already share one comparable type; NULLs are skipped
 * (greatest/least of only NULLs is NULL). */
void func_greatest(const sql_datum *args, int nargs, const sql_value_ctx *vctx, sql_datum *out);
void func_least(const sql_datum *args, int nargs, const sql_value_ctx *vctx, sql_datum *out);
void func_coalesce(const sql_datum *args, int nargs, sql_datum *out);
/* nullif(a, b): NULL when a = b, else a. */
void func_nullif(const sql_datum *a, const sql_datum *b, const sql_value_ctx *vctx, sql_datum *out);

#endif
