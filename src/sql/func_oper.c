/* func_oper.c - binary operators backed by built-in functions, resolved as PostgreSQL's
 * oper_select_candidate does (see func.h, func_lookup_operator). Each operator's
 * candidates are the functions behind its pg_operator rows, by their pg_proc names. */
#include <string.h>

#include "sql/func_int.h"

typedef struct oper_def {
    const char *op;
    const char *const *names;
    int n_names;
    bool datetime_only; /* arithmetic: only when a side is a date/time type */
} oper_def;

static const char *const plus_names[] = {"interval_pl",
                                         "timestamp_pl_interval",
                                         "interval_pl_timestamp",
                                         "timestamptz_pl_interval",
                                         "interval_pl_timestamptz",
                                         "date_pl_interval",
                                         "interval_pl_date",
                                         "date_pli",
                                         "integer_pl_date",
                                         "time_pl_interval",
                                         "interval_pl_time",
                                         "datetime_pl",
                                         "timedate_pl",
                                         "timetz_pl_interval",
                                         "interval_pl_timetz",
                                         "datetimetz_pl",
                                         "timetzdate_pl"};
static const char *const minus_names[] = {"interval_mi",
                                          "timestamp_mi_interval",
                                          "timestamptz_mi_interval",
                                          "date_mi_interval",
                                          "timestamp_mi",
                                          "timestamptz_mi",
                                          "date_mi",
                                          "date_mii",
                                          "time_mi_interval",
                                          "time_mi_time",
                                          "timetz_mi_interval"};
static const char *const mul_names[] = {"interval_mul", "mul_d_interval"};
static const char *const div_names[] = {"interval_div"};
static const char *const cat_names[] = {"textcat", "byteacat"};
static const char *const re_eq[] = {"textregexeq"};
static const char *const re_ne[] = {"textregexne"};
static const char *const re_ieq[] = {"texticregexeq"};
static const char *const re_ine[] = {"texticregexne"};

#define OPER(op, names, dt)                                                                        \
    {                                                                                              \
        op, names, (int)(sizeof names / sizeof names[0]), dt                                       \
    }
static const oper_def opers[] = {
    OPER("+", plus_names, true), OPER("-", minus_names, true), OPER("*", mul_names, true),
    OPER("/", div_names, true),  OPER("||", cat_names, false), OPER("~", re_eq, false),
    OPER("!~", re_ne, false),    OPER("~*", re_ieq, false),    OPER("!~*", re_ine, false),
};
#undef OPER

static const oper_def *oper_find(const char *op)
{
    for (size_t i = 0; i < sizeof opers / sizeof opers[0]; i++)
        if (strcmp(opers[i].op, op) == 0) return &opers[i];
    return NULL;
}

static bool is_datetime_kind(sql_type_id t)
{
    return t == SQL_TYPE_DATE || t == SQL_TYPE_TIME || t == SQL_TYPE_TIMETZ ||
           t == SQL_TYPE_TIMESTAMP || t == SQL_TYPE_TIMESTAMPTZ || t == SQL_TYPE_INTERVAL;
}

bool func_operator_resolves(const char *op, sql_type_id left, sql_type_id right)
{
    const oper_def *d = oper_find(op);
    if (!d) return false;
    return !d->datetime_only || is_datetime_kind(left) || is_datetime_kind(right);
}

static mice_status oper_error(const char *op, sql_type_id l, sql_type_id r, bool ambiguous,
                              sql_error *err)
{
    char a[SQL_TYPE_NAME_MAX], b[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(l, -1), a, sizeof a);
    sql_type_format(sql_type_make(r, -1), b, sizeof b);
    if (ambiguous) {
        sqlerr_set(err, MICE_INVALID, "42725", "operator is not unique: %s %s %s", a, op, b);
        sqlerr_hint(err, "Could not choose a best candidate operator. "
                         "You might need to add explicit type casts.");
        return MICE_INVALID;
    }
    sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_FUNCTION, "operator does not exist: %s %s %s",
               a, op, b);
    sqlerr_hint(err, "No operator matches the given name and argument types. "
                     "You might need to add explicit type casts.");
    return MICE_NOTFOUND;
}

mice_status func_lookup_operator(const char *op, sql_type_id left, sql_type_id right,
                                 func_match *out, sql_error *err)
{
    const oper_def *d = oper_find(op);
    if (!d) return oper_error(op, left, right, false, err);
    /* An unknown literal first assumes the other side's type (binary_oper_exact). */
    if ((left == SQL_TYPE_UNKNOWN) != (right == SQL_TYPE_UNKNOWN)) {
        sql_type_id t = left == SQL_TYPE_UNKNOWN ? right : left;
        sql_type_id both[2] = {t, t};
        if (func__lookup_names(d->names, d->n_names, both, 2, out, NULL) == MICE_OK &&
            out->desc->args[0] == t && out->desc->args[1] == t) {
            out->arg_types[0] = out->arg_types[1] = t;
            return MICE_OK;
        }
    }
    sql_type_id types[2] = {left, right};
    sql_error tmp;
    sqlerr_clear(&tmp);
    if (func__lookup_names(d->names, d->n_names, types, 2, out, &tmp) == MICE_OK) return MICE_OK;
    return oper_error(op, left, right, strcmp(tmp.sqlstate, "42725") == 0, err);
}
