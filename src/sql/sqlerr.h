/*
 * sqlerr.h - PostgreSQL-style errors for the whole SQL layer.
 *
 * A SQL error is what a client sees in an ErrorResponse: a 5-character SQLSTATE, a
 * primary message and optionally a detail, a hint and a 1-based character position in
 * the statement text. Functions of the SQL layer return a mice_status (the broad class,
 * used for control flow) and fill a caller-provided sql_error (the exact text, which must
 * match PostgreSQL's byte for byte because drivers, ORMs and tests look at it).
 *
 * Owns: nothing; sql_error is a plain value with fixed-size buffers (messages longer
 * than the buffers are cut). Thread safety: functions write only the caller's struct.
 * Invariants: after sqlerr_set, sqlstate is 5 characters plus NUL; NULL err is allowed
 * everywhere and means "caller does not want the text".
 */
#ifndef MICE_SQL_SQLERR_H
#define MICE_SQL_SQLERR_H

#include <stdarg.h>
#include <stdint.h>

#include "base/status.h"

/* The SQLSTATEs the value layer raises (PostgreSQL's errcodes.txt). */
#define SQLSTATE_SUCCESS "00000"
#define SQLSTATE_FEATURE_NOT_SUPPORTED "0A000"
#define SQLSTATE_STRING_DATA_RIGHT_TRUNCATION "22001"
#define SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE "22003"
#define SQLSTATE_INVALID_DATETIME_FORMAT "22007"
#define SQLSTATE_DATETIME_FIELD_OVERFLOW "22008"
#define SQLSTATE_DATETIME_VALUE_OUT_OF_RANGE "22008"
#define SQLSTATE_DIVISION_BY_ZERO "22012"
#define SQLSTATE_INVALID_PARAMETER_VALUE "22023"
#define SQLSTATE_INVALID_TEXT_REPRESENTATION "22P02"
#define SQLSTATE_INVALID_BINARY_REPRESENTATION "22P03"
#define SQLSTATE_CHARACTER_NOT_IN_REPERTOIRE "22021"
#define SQLSTATE_SYNTAX_ERROR "42601"
#define SQLSTATE_UNDEFINED_FUNCTION "42883"
#define SQLSTATE_UNDEFINED_OBJECT "42704"
#define SQLSTATE_INVALID_PARAMETER_TYPE "42P18"
#define SQLSTATE_UNDEFINED_PARAMETER "42P02"
#define SQLSTATE_CARDINALITY_VIOLATION "21000"
#define SQLSTATE_CANNOT_COERCE "42846"
#define SQLSTATE_OUT_OF_MEMORY "53200"
#define SQLSTATE_PROGRAM_LIMIT_EXCEEDED "54000"
#define SQLSTATE_INTERNAL_ERROR "XX000"

enum {
    SQL_ERROR_MSG_MAX = 512,
    SQL_ERROR_DETAIL_MAX = 512,
    SQL_ERROR_HINT_MAX = 256,
    SQL_ERROR_NAME_MAX = 64, /* an identifier (NAMEDATALEN) */
};

typedef struct sql_error {
    mice_status code;
    char sqlstate[6];
    char message[SQL_ERROR_MSG_MAX];
    char detail[SQL_ERROR_DETAIL_MAX]; /* "" when absent */
    char hint[SQL_ERROR_HINT_MAX];     /* "" when absent */
    int32_t position;                  /* 1-based character in the statement; 0 = none */
    /* The object the error is about (ErrorResponse fields s, t, c, d, n); "" when absent. */
    char schema_name[SQL_ERROR_NAME_MAX];
    char table_name[SQL_ERROR_NAME_MAX];
    char column_name[SQL_ERROR_NAME_MAX];
    char datatype_name[SQL_ERROR_NAME_MAX];
    char constraint_name[SQL_ERROR_NAME_MAX];
} sql_error;

/* Reset to success: code MICE_OK, sqlstate "00000", empty texts, no position. */
void sqlerr_clear(sql_error *e);

/* Record code, SQLSTATE and a printf-style primary message (clears detail, hint and
 * position); returns code so `return sqlerr_set(err, MICE_RANGE, ...)` is one step. */
mice_status sqlerr_set(sql_error *e, mice_status code, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
mice_status sqlerr_vset(sql_error *e, mice_status code, const char *sqlstate, const char *fmt,
                        va_list ap);
void sqlerr_detail(sql_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sqlerr_hint(sql_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Name the object of the error (NULL leaves a field empty), as PostgreSQL does for
 * constraint violations. */
void sqlerr_object(sql_error *e, const char *schema, const char *table, const char *column,
                   const char *constraint);

/* Shorthands for the common value errors, with PostgreSQL's wording. */
/* 22P02 invalid input syntax for type <typname>: "<input>" (input is n bytes). */
mice_status sqlerr_invalid_input(sql_error *e, const char *typname, const char *input, size_t n);
/* 22003 "<what> out of range", e.g. "integer out of range". */
mice_status sqlerr_out_of_range(sql_error *e, const char *what);
/* 22012 division by zero. */
mice_status sqlerr_division_by_zero(sql_error *e);
/* 53200 out of memory (an arena budget was exceeded). */
mice_status sqlerr_nomem(sql_error *e);

/* Copy into a plain mice_err (code and "SQLSTATE: message") for layers that only carry
 * mice_err. */
void sqlerr_to_mice_err(const sql_error *e, mice_err *out);

#endif
