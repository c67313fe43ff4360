#include "sql/sqlerr.h"

#include <stdio.h>
#include <string.h>

void sqlerr_clear(sql_error *e)
{
    if (!e) return;
    e->code = MICE_OK;
    memcpy(e->sqlstate, SQLSTATE_SUCCESS, sizeof e->sqlstate);
    e->message[0] = '\0';
    e->detail[0] = '\0';
    e->hint[0] = '\0';
    e->position = 0;
    e->schema_name[0] = e->table_name[0] = e->column_name[0] = '\0';
    e->datatype_name[0] = e->constraint_name[0] = '\0';
}

mice_status sqlerr_vset(sql_error *e, mice_status code, const char *sqlstate, const char *fmt,
                        va_list ap)
{
    if (!e) return code;
    sqlerr_clear(e);
    e->code = code;
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", sqlstate);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    return code;
}

mice_status sqlerr_set(sql_error *e, mice_status code, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlerr_vset(e, code, sqlstate, fmt, ap);
    va_end(ap);
    return code;
}

void sqlerr_detail(sql_error *e, const char *fmt, ...)
{
    if (!e) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

void sqlerr_hint(sql_error *e, const char *fmt, ...)
{
    if (!e) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

static void set_name(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

void sqlerr_object(sql_error *e, const char *schema, const char *table, const char *column,
                   const char *constraint)
{
    if (!e) return;
    set_name(e->schema_name, sizeof e->schema_name, schema);
    set_name(e->table_name, sizeof e->table_name, table);
    set_name(e->column_name, sizeof e->column_name, column);
    set_name(e->constraint_name, sizeof e->constraint_name, constraint);
}

mice_status sqlerr_invalid_input(sql_error *e, const char *typname, const char *input, size_t n)
{
    int len = n > SQL_ERROR_MSG_MAX ? SQL_ERROR_MSG_MAX : (int)n;
    return sqlerr_set(e, MICE_INVALID, SQLSTATE_INVALID_TEXT_REPRESENTATION,
                      "invalid input syntax for type %s: \"%.*s\"", typname, len, input);
}

mice_status sqlerr_out_of_range(sql_error *e, const char *what)
{
    return sqlerr_set(e, MICE_RANGE, SQLSTATE_NUMERIC_VALUE_OUT_OF_RANGE, "%s out of range", what);
}

mice_status sqlerr_division_by_zero(sql_error *e)
{
    return sqlerr_set(e, MICE_RANGE, SQLSTATE_DIVISION_BY_ZERO, "division by zero");
}

mice_status sqlerr_nomem(sql_error *e)
{
    return sqlerr_set(e, MICE_NOMEM, SQLSTATE_OUT_OF_MEMORY, "out of memory");
}

void sqlerr_to_mice_err(const sql_error *e, mice_err *out)
{
    if (!out) return;
    if (!e) {
        mice_err_clear(out);
        return;
    }
    mice_err_setf(out, e->code, "%s: %s", e->sqlstate, e->message);
}
