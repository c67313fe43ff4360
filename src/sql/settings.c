/*
 * settings.c - the GUC registry, value parsing and display, and transactional SET.
 *
 * Each setting has a slot with its current value, its reset value (the default or the
 * start-up packet's), and, while a transaction block is open and the slot was touched,
 * the value at BEGIN (prior: what ROLLBACK restores) and the last session-level value of
 * the block (pending: what COMMIT keeps when a SET LOCAL is in effect). Every setting is
 * touched at most once per block, so no undo stack is needed beyond these fields.
 */
#include "sql/settings.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/check.h"
#include "sql/tz.h"

typedef enum { ST_BOOL, ST_INT, ST_ENUM, ST_STRING } st_type;
typedef enum { SC_INTERNAL, SC_POSTMASTER, SC_SUPERUSER, SC_USER } st_context;
enum {
    SF_REPORT = 1, /* GUC_REPORT: ParameterStatus */
    SF_NO_SHOW_ALL = 2,
    SF_LIST_QUOTE = 4, /* SET x = a, b quotes identifiers (search_path) */
    SF_LIST_INPUT = 8, /* SET x = a, b joins with ", " */
    SF_NO_RESET_ALL = 16,
    SF_UNIT_KB = 32,
    SF_UNIT_MS = 64,
    SF_TXN = 128, /* per transaction: reset to default_* at each block */
};
enum { ST_NAME_MAX = 64, ST_UNIT_LEN_MAX = 3, ST_APPNAME_MAX = 63, ST_TZ_TEXT_MAX = 256 };

typedef struct st_enum_val {
    const char *name;
    int id;
} st_enum_val;

typedef struct st_slot st_slot;
typedef struct st_def st_def;
typedef mice_status st_check_fn(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                int64_t *num, sql_error *err);

struct st_def {
    const char *name;
    st_type type;
    st_context ctx;
    unsigned flags;
    const char *boot; /* NULL: filled from settings_init */
    int64_t min, max;
    const st_enum_val *enums; /* NULL-terminated; visible values first, then aliases */
    int n_visible;
    st_check_fn *check;
    const char *category;
    const char *desc;
};

typedef struct st_value {
    mice_buf text; /* NUL-terminated display form */
    int64_t num;   /* bool 0/1, int in base unit, enum id */
} st_value;

struct st_slot {
    const st_def *def;
    const char *custom_name; /* placeholders: def == NULL */
    st_value cur, reset, prior, pending, reported;
    bool touched, local_active, ever_reported;
    st_slot *next_custom;
};

static st_check_fn check_client_encoding, check_datestyle, check_timezone, check_search_path,
    check_locale, check_session_auth, check_app_name, check_bytea,
    check_std_strings;

static const st_enum_val isolation_vals[] = {{"serializable", SETTINGS_SERIALIZABLE},
                                             {"repeatable read", SETTINGS_REPEATABLE_READ},
                                             {"read committed", SETTINGS_READ_COMMITTED},
                                             {"read uncommitted", SETTINGS_READ_UNCOMMITTED},
                                             {NULL, 0}};
static const st_enum_val bytea_vals[] = {{"escape", 0}, {"hex", 1}, {NULL, 0}};
static const st_enum_val interval_vals[] = {
    {"postgres", 0}, {"postgres_verbose", 1}, {"sql_standard", 2}, {"iso_8601", 3}, {NULL, 0}};
static const st_enum_val msg_level_vals[] = {
    {"debug5", 0}, {"debug4", 1},  {"debug3", 2}, {"debug2", 3}, {"debug1", 4}, {"log", 5},
    {"notice", 7}, {"warning", 8}, {"error", 9},  {"debug", 3},  {"info", 6},   {NULL, 0}};
static const st_enum_val sync_commit_vals[] = {{"local", 1},
                                               {"remote_write", 2},
                                               {"remote_apply", 3},
                                               {"on", 4},
                                               {"off", 0},
                                               {"true", 4},
                                               {"yes", 4},
                                               {"1", 4},
                                               {"false", 0},
                                               {"no", 0},
                                               {"0", 0},
                                               {NULL, 0}};
static const st_enum_val plan_cache_vals[] = {
    {"auto", 0}, {"force_generic_plan", 1}, {"force_custom_plan", 2}, {NULL, 0}};

#define CAT_LOCALE "Client Connection Defaults / Locale and Formatting"
#define CAT_STMT "Client Connection Defaults / Statement Behavior"
#define CAT_PRESET "Preset Options"
#define CAT_PLANNER "Query Tuning / Planner Method Configuration"
#define CAT_OTHER_PLANNER "Query Tuning / Other Planner Options"
#define INT_RANGE(lo, hi) (lo), (hi), NULL, 0, NULL
#define ENUM_OF(vals, n) 0, 0, (vals), (n), NULL
#define CHECKED(fn) 0, 0, NULL, 0, (fn)
#define PLAIN 0, 0, NULL, 0, NULL
#define PLANNER_TOGGLE(n, what)                                                                    \
    {                                                                                              \
        n, ST_BOOL, SC_USER, 0, "on", PLAIN, CAT_PLANNER, "Enables the planner's use of " what "." \
    }

/* Sorted by name ignoring case (SHOW ALL order; asserted at create). */
static const st_def st_registry[] = {
    {"application_name", ST_STRING, SC_USER, SF_REPORT, "", CHECKED(check_app_name),
     "Reporting and Logging / What to Log",
     "Sets the application name to be reported in statistics and logs."},
    {"block_size", ST_INT, SC_INTERNAL, 0, "8192", INT_RANGE(8192, 8192), CAT_PRESET,
     "Shows the size of a disk block."},
    {"bytea_output", ST_ENUM, SC_USER, 0, "hex", 0, 0, bytea_vals, 2, check_bytea, CAT_STMT,
     "Sets the output format for bytea."},
    {"client_encoding", ST_STRING, SC_USER, SF_REPORT, "UTF8", CHECKED(check_client_encoding),
     CAT_LOCALE, "Sets the client's character set encoding."},
    {"client_min_messages", ST_ENUM, SC_USER, 0, "notice", ENUM_OF(msg_level_vals, 9), CAT_STMT,
     "Sets the message levels that are sent to the client."},
    {"DateStyle", ST_STRING, SC_USER, SF_REPORT | SF_LIST_INPUT, "ISO, MDY",
     CHECKED(check_datestyle), CAT_LOCALE, "Sets the display format for date and time values."},
    {"default_transaction_deferrable", ST_BOOL, SC_USER, 0, "off", PLAIN, CAT_STMT,
     "Sets the default deferrable status of new transactions."},
    {"default_transaction_isolation", ST_ENUM, SC_USER, 0, "read committed",
     ENUM_OF(isolation_vals, 4), CAT_STMT,
     "Sets the transaction isolation level of each new transaction."},
    {"default_transaction_read_only", ST_BOOL, SC_USER, SF_REPORT, "off", PLAIN, CAT_STMT,
     "Sets the default read-only status of new transactions."},
    PLANNER_TOGGLE("enable_bitmapscan", "bitmap-scan plans"),
    PLANNER_TOGGLE("enable_hashagg", "hashed aggregation plans"),
    PLANNER_TOGGLE("enable_hashjoin", "hash join plans"),
    PLANNER_TOGGLE("enable_indexonlyscan", "index-only-scan plans"),
    PLANNER_TOGGLE("enable_indexscan", "index-scan plans"),
    PLANNER_TOGGLE("enable_material", "materialization"),
    PLANNER_TOGGLE("enable_mergejoin", "merge join plans"),
    PLANNER_TOGGLE("enable_nestloop", "nested-loop join plans"),
    PLANNER_TOGGLE("enable_seqscan", "sequential-scan plans"),
    PLANNER_TOGGLE("enable_sort", "explicit sort steps"),
    {"extra_float_digits", ST_INT, SC_USER, 0, "1", INT_RANGE(-15, 3), CAT_LOCALE,
     "Sets the number of digits displayed for floating-point values."},
    {"idle_in_transaction_session_timeout", ST_INT, SC_USER, SF_UNIT_MS, "0", INT_RANGE(0, INT_MAX),
     CAT_STMT, "Sets the maximum allowed idle time between queries, when in a transaction."},
    {"idle_session_timeout", ST_INT, SC_USER, SF_UNIT_MS, "0", INT_RANGE(0, INT_MAX), CAT_STMT,
     "Sets the maximum allowed idle time between queries, when not in a transaction."},
    {"in_hot_standby", ST_BOOL, SC_INTERNAL, SF_REPORT, "off", PLAIN, CAT_PRESET,
     "Shows whether hot standby is currently active."},
    {"integer_datetimes", ST_BOOL, SC_INTERNAL, SF_REPORT, "on", PLAIN, CAT_PRESET,
     "Shows whether datetimes are integer based."},
    {"IntervalStyle", ST_ENUM, SC_USER, SF_REPORT, "postgres", 0, 0, interval_vals, 4, NULL,
     CAT_LOCALE, "Sets the display format for interval values."},
    {"is_superuser", ST_BOOL, SC_INTERNAL, SF_REPORT | SF_NO_SHOW_ALL | SF_NO_RESET_ALL, NULL,
     PLAIN, "Preset Options", "Shows whether the current user is a superuser."},
    {"jit", ST_BOOL, SC_USER, 0, "off", PLAIN, CAT_OTHER_PLANNER, "Allow JIT compilation."},
    {"lc_collate", ST_STRING, SC_INTERNAL, 0, "C", PLAIN, CAT_PRESET,
     "Shows the collation order locale."},
    {"lc_ctype", ST_STRING, SC_INTERNAL, 0, "C", PLAIN, CAT_PRESET,
     "Shows the character classification and case conversion locale."},
    {"lc_messages", ST_STRING, SC_SUPERUSER, 0, "C", CHECKED(check_locale), CAT_LOCALE,
     "Sets the language in which messages are displayed."},
    {"lc_monetary", ST_STRING, SC_USER, 0, "C", CHECKED(check_locale), CAT_LOCALE,
     "Sets the locale for formatting monetary amounts."},
    {"lc_numeric", ST_STRING, SC_USER, 0, "C", CHECKED(check_locale), CAT_LOCALE,
     "Sets the locale for formatting numbers."},
    {"lc_time", ST_STRING, SC_USER, 0, "C", CHECKED(check_locale), CAT_LOCALE,
     "Sets the locale for formatting date and time values."},
    {"lock_timeout", ST_INT, SC_USER, SF_UNIT_MS, "0", INT_RANGE(0, INT_MAX), CAT_STMT,
     "Sets the maximum allowed duration of any wait for a lock."},
    {"max_connections", ST_INT, SC_POSTMASTER, 0, NULL, INT_RANGE(1, 262143),
     "Connections and Authentication / Connection Settings",
     "Sets the maximum number of concurrent connections."},
    {"max_function_args", ST_INT, SC_INTERNAL, 0, "100", INT_RANGE(100, 100), CAT_PRESET,
     "Shows the maximum number of function arguments."},
    {"max_identifier_length", ST_INT, SC_INTERNAL, 0, "63", INT_RANGE(63, 63), CAT_PRESET,
     "Shows the maximum identifier length."},
    {"max_index_keys", ST_INT, SC_INTERNAL, 0, "32", INT_RANGE(32, 32), CAT_PRESET,
     "Shows the maximum number of index keys."},
    {"max_parallel_workers_per_gather", ST_INT, SC_USER, 0, "2", INT_RANGE(0, 1024),
     "Resource Usage / Asynchronous Behavior",
     "Sets the maximum number of parallel processes per executor node."},
    {"plan_cache_mode", ST_ENUM, SC_USER, 0, "auto", ENUM_OF(plan_cache_vals, 3), CAT_OTHER_PLANNER,
     "Controls the planner's selection of custom or generic plan."},
    {"row_security", ST_BOOL, SC_USER, 0, "on", PLAIN, CAT_STMT, "Enable row security."},
    {"search_path", ST_STRING, SC_USER, SF_LIST_QUOTE | SF_LIST_INPUT, "\"$user\", public",
     CHECKED(check_search_path), CAT_STMT,
     "Sets the schema search order for names that are not schema-qualified."},
    {"server_encoding", ST_STRING, SC_INTERNAL, SF_REPORT, "UTF8", PLAIN, CAT_PRESET,
     "Shows the server (database) character set encoding."},
    {"server_version", ST_STRING, SC_INTERNAL, SF_REPORT, NULL, PLAIN, CAT_PRESET,
     "Shows the server version."},
    {"server_version_num", ST_INT, SC_INTERNAL, 0, NULL, INT_RANGE(0, INT_MAX), CAT_PRESET,
     "Shows the server version as an integer."},
    {"session_authorization", ST_STRING, SC_USER, SF_REPORT | SF_NO_SHOW_ALL | SF_NO_RESET_ALL,
     NULL, CHECKED(check_session_auth), "Ungrouped", "Sets the session user name."},
    {"standard_conforming_strings", ST_BOOL, SC_USER, SF_REPORT, "on", CHECKED(check_std_strings),
     "Version and Platform Compatibility / Previous PostgreSQL Versions",
     "Causes '...' strings to treat backslashes literally."},
    {"statement_timeout", ST_INT, SC_USER, SF_UNIT_MS, "0", INT_RANGE(0, INT_MAX), CAT_STMT,
     "Sets the maximum allowed duration of any statement."},
    {"synchronous_commit", ST_ENUM, SC_USER, 0, "on", ENUM_OF(sync_commit_vals, 5),
     "Write-Ahead Log / Settings", "Sets the current transaction's synchronization level."},
    {"TimeZone", ST_STRING, SC_USER, SF_REPORT, NULL, CHECKED(check_timezone), CAT_LOCALE,
     "Sets the time zone for displaying and interpreting time stamps."},
    {"transaction_deferrable", ST_BOOL, SC_USER, SF_TXN | SF_NO_RESET_ALL, "off", PLAIN, CAT_STMT,
     "Whether to defer a read-only serializable transaction until it can be executed with no "
     "possible serialization failures."},
    {"transaction_isolation", ST_ENUM, SC_USER, SF_TXN | SF_NO_RESET_ALL, "read committed",
     ENUM_OF(isolation_vals, 4), CAT_STMT, "Sets the current transaction's isolation level."},
    {"transaction_read_only", ST_BOOL, SC_USER, SF_TXN | SF_NO_RESET_ALL, "off", PLAIN, CAT_STMT,
     "Sets the current transaction's read-only status."},
    {"work_mem", ST_INT, SC_USER, SF_UNIT_KB, "65536", INT_RANGE(64, INT_MAX),
     "Resource Usage / Memory", "Sets the maximum memory to be used for query workspaces."},
};
enum { ST_COUNT = sizeof st_registry / sizeof st_registry[0] };

struct settings {
    mice_arena *arena; /* the struct, placeholder slots and names */
    st_slot slots[ST_COUNT];
    st_slot *customs;
    const char *session_user;
    const char *server_version;
    int32_t server_version_num, max_connections;
    bool is_superuser, in_block, block_has_query;
    char boot_timezone[ST_TZ_TEXT_MAX];
    const char *zoneinfo_dir;
    sql_tz *tz;       /* loaded for tz_text */
    mice_buf tz_text; /* NUL-terminated TimeZone value tz was loaded for */
    sql_value_ctx vctx;
};

/* ---- small helpers ---- */

static void value_set(st_value *v, const char *text, int64_t num)
{
    buf_reset(&v->text);
    buf_append(&v->text, text, strlen(text) + 1);
    v->num = num;
}
static void value_copy(st_value *dst, const st_value *src)
{
    value_set(dst, (const char *)src->text.p, src->num);
}
static const char *value_str(const st_value *v)
{
    return v->text.n ? (const char *)v->text.p : "";
}
static void buf_terminate(mice_buf *b)
{
    buf_append_u8(b, 0);
}
static const char *slot_name(const st_slot *sl)
{
    return sl->def ? sl->def->name : sl->custom_name;
}

static st_slot *slot_find(settings *s, const char *name)
{
    for (size_t i = 0; i < ST_COUNT; i++)
        if (strcasecmp(st_registry[i].name, name) == 0) return &s->slots[i];
    for (st_slot *c = s->customs; c; c = c->next_custom)
        if (strcasecmp(c->custom_name, name) == 0) return c;
    return NULL;
}
static const st_slot *slot_find_c(const settings *s, const char *name)
{
    return slot_find((settings *)s, name);
}

static mice_status err_unknown(sql_error *err, const char *name)
{
    return sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT,
                      "unrecognized configuration parameter \"%s\"", name);
}
static mice_status err_invalid(sql_error *err, const char *name, const char *value)
{
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                      "invalid value for parameter \"%s\": \"%s\"", name, value);
}
static mice_status err_unsupported(sql_error *err, const char *name, const char *value,
                                   const char *detail)
{
    sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
               "invalid value for parameter \"%s\": \"%s\"", name, value);
    sqlerr_detail(err, "%s", detail);
    return MICE_UNSUPPORTED;
}

/* PostgreSQL's valid_custom_variable_name: two or more identifiers joined by dots. */
static bool custom_name_valid(const char *name)
{
    bool saw_sep = false, part_start = true;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (part_start) return false;
            saw_sep = part_start = true;
        } else if (isalpha(c) || c == '_' || c >= 0x80 ||
                   (!part_start && (isdigit(c) || c == '$'))) {
            part_start = false;
        } else {
            return false;
        }
    }
    return saw_sep && !part_start;
}

/* Find name or, for a dotted name, create its placeholder (value ""). */
static mice_status slot_find_or_create(settings *s, const char *name, st_slot **out, sql_error *err)
{
    *out = slot_find(s, name);
    if (*out) return MICE_OK;
    if (!strchr(name, '.')) return err_unknown(err, name);
    if (!custom_name_valid(name)) {
        sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_NAME,
                   "invalid configuration parameter name \"%s\"", name);
        sqlerr_detail(err, "Custom parameter names must be two or more simple identifiers "
                           "separated by dots.");
        return MICE_INVALID;
    }
    st_slot *c = ARENA_NEW(s->arena, st_slot);
    char *copy = arena_strdup(s->arena, name);
    if (!c || !copy) return sqlerr_nomem(err);
    c->custom_name = copy;
    value_set(&c->cur, "", 0);
    value_set(&c->reset, "", 0);
    c->next_custom = s->customs;
    s->customs = c;
    *out = c;
    return MICE_OK;
}

/* ---- booleans, integers with units, enums ---- */

/* PostgreSQL's parse_bool: any unambiguous prefix, case-insensitive, no spaces. */
static bool parse_bool(const char *v, bool *out)
{
    size_t n = strlen(v);
    if (n == 0) return false;
    static const struct {
        const char *word;
        size_t min;
        bool val;
    } words[] = {
        {"true", 1, true}, {"false", 1, false}, {"yes", 1, true}, {"no", 1, false},
        {"on", 2, true},   {"off", 2, false},   {"1", 1, true},   {"0", 1, false},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (n >= words[i].min && n <= strlen(words[i].word) &&
            strncasecmp(v, words[i].word, n) == 0) {
            *out = words[i].val;
            return true;
        }
    }
    return false;
}

typedef struct st_unit {
    const char *name;
    double multiplier;
} st_unit;
static const st_unit memory_units[] = {{"TB", 1024.0 * 1024 * 1024},
                                       {"GB", 1024.0 * 1024},
                                       {"MB", 1024},
                                       {"kB", 1},
                                       {"B", 1.0 / 1024},
                                       {NULL, 0}};
static const st_unit time_units[] = {{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000},
                                     {"ms", 1},       {"us", 0.001},  {NULL, 0}};
static const char memory_units_hint[] =
    "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".";
static const char time_units_hint[] =
    "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".";

/* convert_to_base_unit: the unit must be exact (case-sensitive); a fraction is rounded to
 * the next smaller unit. */
static bool convert_unit(double value, const char *unit, const st_unit *table, double *out)
{
    char name[ST_UNIT_LEN_MAX + 1];
    size_t i = 0;
    while (*unit && !isspace((unsigned char)*unit) && i < ST_UNIT_LEN_MAX)
        name[i++] = *unit++;
    name[i] = '\0';
    while (isspace((unsigned char)*unit))
        unit++;
    if (*unit) return false;
    for (i = 0; table[i].name; i++) {
        if (strcmp(name, table[i].name) != 0) continue;
        double v = value * table[i].multiplier;
        if (table[i + 1].name) v = rint(v / table[i + 1].multiplier) * table[i + 1].multiplier;
        *out = v;
        return true;
    }
    return false;
}

/* parse_int: strtol (base 0) or strtod for fractions, optional unit, rounded, int range. */
static bool parse_int(const char *v, unsigned flags, int64_t *out, const char **hint)
{
    *hint = NULL;
    char *end;
    errno = 0;
    double val = (double)strtol(v, &end, 0);
    if (*end == '.' || *end == 'e' || *end == 'E' || errno == ERANGE) {
        errno = 0;
        val = strtod(v, &end);
    }
    if (end == v || errno == ERANGE || isnan(val)) return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end) {
        const st_unit *table = (flags & SF_UNIT_KB)   ? memory_units
                               : (flags & SF_UNIT_MS) ? time_units
                                                      : NULL;
        if (!table) return false;
        if (!convert_unit(val, end, table, &val)) {
            *hint = table == memory_units ? memory_units_hint : time_units_hint;
            return false;
        }
    }
    val = rint(val);
    if (val > INT_MAX || val < INT_MIN) {
        *hint = "Value exceeds integer range.";
        return false;
    }
    *out = (int64_t)val;
    return true;
}

/* Show an int in the largest unit that divides it exactly; 0 and negatives bare. */
static void format_int(const st_def *d, int64_t v, mice_buf *out)
{
    const st_unit *table = (d->flags & SF_UNIT_KB)   ? memory_units
                           : (d->flags & SF_UNIT_MS) ? time_units
                                                     : NULL;
    if (table && v > 0) {
        for (size_t i = 0; table[i].name; i++) {
            int64_t m = (int64_t)table[i].multiplier;
            if (m >= 1 && v % m == 0) {
                buf_printf(out, "%lld%s", (long long)(v / m), table[i].name);
                return;
            }
        }
    }
    buf_printf(out, "%lld", (long long)v);
}

static const char *enum_display(const st_def *d, int64_t id)
{
    for (const st_enum_val *e = d->enums; e->name; e++)
        if (e->id == id) return e->name;
    return "";
}

static mice_status parse_enum(const st_def *d, const char *given, const char *v, int64_t *id,
                              sql_error *err)
{
    for (const st_enum_val *e = d->enums; e->name; e++) {
        if (strcasecmp(e->name, v) == 0) {
            *id = e->id;
            return MICE_OK;
        }
    }
    err_invalid(err, given, v);
    char hint[SQL_ERROR_HINT_MAX] = "Available values: ";
    for (int i = 0; i < d->n_visible; i++) {
        size_t n = strlen(hint);
        snprintf(hint + n, sizeof hint - n, "%s%s", d->enums[i].name,
                 i + 1 < d->n_visible ? ", " : ".");
    }
    sqlerr_hint(err, "%s", hint);
    return MICE_INVALID;
}

/* Parse text into the slot's normalised display form (NUL-terminated) and number.
 * given is the name as the user wrote it (PostgreSQL quotes it in most messages). */
static mice_status parse_value(settings *s, const st_slot *sl, const char *given, const char *v,
                               mice_buf *norm, int64_t *num, sql_error *err)
{
    const st_def *d = sl->def;
    *num = 0;
    if (!d) {
        buf_append_str(norm, v);
        buf_terminate(norm);
        return MICE_OK;
    }
    mice_status rc = MICE_OK;
    if (d->type == ST_BOOL) {
        bool b;
        if (!parse_bool(v, &b))
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                              "parameter \"%s\" requires a Boolean value", given);
        *num = b;
        buf_append_str(norm, b ? "on" : "off");
    } else if (d->type == ST_INT) {
        const char *hint;
        if (!parse_int(v, d->flags, num, &hint)) {
            err_invalid(err, given, v);
            if (hint) sqlerr_hint(err, "%s", hint);
            return MICE_INVALID;
        }
        if (*num < d->min || *num > d->max) {
            const char *unit = (d->flags & SF_UNIT_KB)   ? " kB"
                               : (d->flags & SF_UNIT_MS) ? " ms"
                                                         : "";
            return sqlerr_set(
                err, MICE_RANGE, SQLSTATE_INVALID_PARAMETER_VALUE,
                "%lld%s is outside the valid range for parameter \"%s\" (%lld .. %lld)",
                (long long)*num, unit, given, (long long)d->min, (long long)d->max);
        }
        format_int(d, *num, norm);
    } else if (d->type == ST_ENUM) {
        rc = parse_enum(d, given, v, num, err);
        if (rc) return rc;
        buf_append_str(norm, enum_display(d, *num));
    }
    if (d->check) {
        if (d->type == ST_STRING) buf_reset(norm);
        rc = d->check(s, d, v, norm, num, err);
        if (rc) return rc;
    } else if (d->type == ST_STRING) {
        buf_append_str(norm, v);
    }
    buf_terminate(norm);
    return MICE_OK;
}

/* ---- check hooks for strings and MiceDB's limits ---- */

/* PostgreSQL's clean_encoding_name: lower case, alphanumerics only. */
static void clean_encoding(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 1 < cap; in++)
        if (isalnum((unsigned char)*in)) out[n++] = (char)tolower((unsigned char)*in);
    out[n] = '\0';
}

static mice_status check_client_encoding(settings *s, const st_def *d, const char *in,
                                         mice_buf *norm, int64_t *num, sql_error *err)
{
    (void)s, (void)num;
    /* PostgreSQL's encoding names (canonical, cleaned) and common aliases. */
    static const char *const known[][2] = {
        {"utf8", "UTF8"},
        {"unicode", "UTF8"},
        {"sqlascii", "SQL_ASCII"},
        {"latin1", "LATIN1"},
        {"latin2", "LATIN2"},
        {"latin3", "LATIN3"},
        {"latin4", "LATIN4"},
        {"latin5", "LATIN5"},
        {"latin6", "LATIN6"},
        {"latin7", "LATIN7"},
        {"latin8", "LATIN8"},
        {"latin9", "LATIN9"},
        {"latin10", "LATIN10"},
        {"iso88591", "LATIN1"},
        {"iso885915", "LATIN9"},
        {"win1250", "WIN1250"},
        {"win1251", "WIN1251"},
        {"win1252", "WIN1252"},
        {"windows1252", "WIN1252"},
        {"win866", "WIN866"},
        {"koi8r", "KOI8R"},
        {"koi8u", "KOI8U"},
        {"eucjp", "EUC_JP"},
        {"euccn", "EUC_CN"},
        {"euckr", "EUC_KR"},
        {"euctw", "EUC_TW"},
        {"sjis", "SJIS"},
        {"shiftjis", "SJIS"},
        {"big5", "BIG5"},
        {"gbk", "GBK"},
        {"uhc", "UHC"},
        {"gb18030", "GB18030"},
        {"johab", "JOHAB"},
        {"muleinternal", "MULE_INTERNAL"},
    };
    char clean[ST_NAME_MAX];
    clean_encoding(in, clean, sizeof clean);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(clean, known[i][0]) != 0) continue;
        if (strcmp(known[i][1], "UTF8") == 0) {
            buf_append_str(norm, "UTF8");
            return MICE_OK;
        }
        err_unsupported(err, d->name, in, "");
        sqlerr_detail(err, "Conversion between %s and UTF8 is not supported.", known[i][1]);
        return MICE_UNSUPPORTED;
    }
    return err_invalid(err, d->name, in);
}

/* SplitIdentifierString: comma-separated, whitespace around items, "quoted" items keep
 * case and may hold "" for a quote; unquoted items are lower-cased. Calls add(name) per
 * item (name is a NUL-terminated scratch string). False on bad list syntax. */
typedef bool split_add_fn(const char *item, void *arg);
static bool split_identifiers(const char *in, split_add_fn *add, void *arg)
{
    char item[SQL_ERROR_MSG_MAX];
    const char *p = in;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p) return true;
    for (;;) {
        size_t n = 0;
        if (*p == '"') {
            for (p++;; p++) {
                if (!*p) return false;
                if (*p == '"' && p[1] != '"') break;
                if (*p == '"') p++;
                if (n + 1 < sizeof item) item[n++] = *p;
            }
            p++;
        } else {
            const char *start = p;
            while (*p && *p != ',' && !isspace((unsigned char)*p)) {
                if (n + 1 < sizeof item) item[n++] = (char)tolower((unsigned char)*p);
                p++;
            }
            if (p == start) return false;
        }
        item[n] = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (!add(item, arg)) return false;
        if (!*p) return true;
        if (*p != ',') return false;
        p++;
        while (isspace((unsigned char)*p))
            p++;
    }
}

typedef struct datestyle_parse {
    int style; /* 0 ISO, 1 SQL, 2 Postgres, 3 German */
    int order; /* settings_date_order */
    int n_style, n_order;
    char bad[ST_NAME_MAX];
} datestyle_parse;

static bool datestyle_item(const char *w, void *arg)
{
    datestyle_parse *dp = arg;
    if (strcasecmp(w, "iso") == 0)
        dp->style = 0, dp->n_style++;
    else if (strcasecmp(w, "sql") == 0)
        dp->style = 1, dp->n_style++;
    else if (strncasecmp(w, "postgres", 8) == 0)
        dp->style = 2, dp->n_style++;
    else if (strcasecmp(w, "german") == 0) {
        dp->style = 3, dp->n_style++;
        if (dp->n_order == 0) dp->order = SETTINGS_DATE_DMY;
    } else if (strcasecmp(w, "ymd") == 0)
        dp->order = SETTINGS_DATE_YMD, dp->n_order++;
    else if (strcasecmp(w, "dmy") == 0 || strncasecmp(w, "euro", 4) == 0)
        dp->order = SETTINGS_DATE_DMY, dp->n_order++;
    else if (strcasecmp(w, "mdy") == 0 || strcasecmp(w, "us") == 0 ||
             strncasecmp(w, "noneuro", 7) == 0)
        dp->order = SETTINGS_DATE_MDY, dp->n_order++;
    else if (strcasecmp(w, "default") == 0) {
        dp->style = 0, dp->order = SETTINGS_DATE_MDY; /* the reset value, "ISO, MDY" */
        dp->n_style++, dp->n_order++;
    } else {
        snprintf(dp->bad, sizeof dp->bad, "%s", w);
        return false;
    }
    return true;
}

/* Relative to the current value, as PostgreSQL: "ymd" keeps the current style. */
static mice_status check_datestyle(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                   int64_t *num, sql_error *err)
{
    static const char *const styles[] = {"ISO", "SQL", "Postgres", "German"};
    static const char *const orders[] = {"MDY", "DMY", "YMD"};
    const st_slot *cur = slot_find_c(s, "DateStyle");
    datestyle_parse dp = {.order = (int)(cur->cur.text.n ? cur->cur.num : SETTINGS_DATE_MDY)};
    if (!split_identifiers(in, datestyle_item, &dp)) {
        err_invalid(err, d->name, in);
        if (dp.bad[0])
            sqlerr_detail(err, "Unrecognized key word: \"%s\".", dp.bad);
        else
            sqlerr_detail(err, "List syntax is invalid.");
        return MICE_INVALID;
    }
    if (dp.n_style > 1 || dp.n_order > 1) {
        err_invalid(err, d->name, in);
        sqlerr_detail(err, "Conflicting \"datestyle\" specifications.");
        return MICE_INVALID;
    }
    if (dp.style != 0)
        return err_unsupported(err, d->name, in, "MiceDB supports only the ISO output style.");
    buf_printf(norm, "%s, %s", styles[dp.style], orders[dp.order]);
    *num = dp.order;
    return MICE_OK;
}

/* pg_tzset_offset's name for a fixed offset: "<+02>-02", "<-05:30>+05:30". */
static void fixed_zone_name(int32_t east_s, mice_buf *out)
{
    int32_t a = east_s < 0 ? -east_s : east_s;
    char off[32];
    int n = snprintf(off, sizeof off, "%02d", a / 3600);
    if (a % 3600) {
        n += snprintf(off + n, sizeof off - (size_t)n, ":%02d", a % 3600 / 60);
        if (a % 60) snprintf(off + n, sizeof off - (size_t)n, ":%02d", a % 60);
    }
    if (east_s < 0)
        buf_printf(out, "<-%s>+%s", off, off);
    else
        buf_printf(out, "<+%s>-%s", off, off);
}

static bool tz_try(settings *s, const char *name)
{
    sql_tz *tz = NULL;
    if (tz_create(name, s->zoneinfo_dir, &tz, NULL) != MICE_OK) return false;
    tz_destroy(tz);
    return true;
}

/* TimeZone: a number of hours east, a UTC alias, an IANA name (tried as given, then with
 * words capitalised, as PostgreSQL finds "europe/paris"), or a POSIX string. */
static mice_status check_timezone(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                  int64_t *num, sql_error *err)
{
    (void)num;
    static const char *const utc_names[] = {"UTC", "GMT", "UCT", "Etc/UTC", "Zulu", "Universal"};
    char *end;
    errno = 0;
    double hours = strtod(in, &end);
    if (end != in && *end == '\0' && !errno && hours > -168.0 && hours < 168.0) {
        fixed_zone_name((int32_t)lrint(hours * 3600.0), norm);
        return MICE_OK;
    }
    for (size_t i = 0; i < sizeof utc_names / sizeof utc_names[0]; i++) {
        if (strcasecmp(in, utc_names[i]) == 0) {
            buf_append_str(norm, utc_names[i]);
            return MICE_OK;
        }
    }
    size_t n = strlen(in);
    if (n == 0 || n >= ST_TZ_TEXT_MAX || strcasecmp(in, "Z") == 0)
        return err_invalid(err, d->name, in);
    char cap[ST_TZ_TEXT_MAX];
    for (size_t i = 0; i <= n; i++) {
        bool word_start = i == 0 || in[i - 1] == '/' || in[i - 1] == '_' || in[i - 1] == '-';
        cap[i] = word_start ? (char)toupper((unsigned char)in[i]) : in[i];
    }
    const bool lower = strcmp(cap, in) != 0;
    if (lower && strchr(in, '/') && tz_try(s, cap)) {
        buf_append_str(norm, cap);
        return MICE_OK;
    }
    if (tz_try(s, in)) {
        buf_append_str(norm, in);
        return MICE_OK;
    }
    return err_invalid(err, d->name, in);
}

static bool count_item(const char *w, void *arg)
{
    (void)w;
    (*(size_t *)arg)++;
    return true;
}

static mice_status check_search_path(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                     int64_t *num, sql_error *err)
{
    (void)s, (void)num;
    size_t n = 0;
    if (!split_identifiers(in, count_item, &n)) {
        err_invalid(err, d->name, in);
        sqlerr_detail(err, "List syntax is invalid.");
        return MICE_INVALID;
    }
    buf_append_str(norm, in);
    return MICE_OK;
}

static mice_status check_locale(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                int64_t *num, sql_error *err)
{
    (void)s, (void)num;
    static const char *const ok[] = {"", "C", "POSIX", "C.UTF-8", "C.utf8"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (strcmp(in, ok[i]) == 0) {
            buf_append_str(norm, in);
            return MICE_OK;
        }
    }
    return err_invalid(err, d->name, in);
}

static mice_status check_session_auth(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                      int64_t *num, sql_error *err)
{
    (void)d, (void)num;
    if (strcmp(in, s->session_user) != 0)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "SET SESSION AUTHORIZATION to another role is not supported");
    buf_append_str(norm, in);
    return MICE_OK;
}

/* PostgreSQL 15 replaces every byte outside printable ASCII with '?'. */
static mice_status check_app_name(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                  int64_t *num, sql_error *err)
{
    (void)s, (void)d, (void)num, (void)err;
    for (const char *p = in; *p; p++) {
        unsigned char c = (unsigned char)*p;
        buf_append_u8(norm, c >= 32 && c <= 126 ? c : '?');
    }
    return MICE_OK;
}

static mice_status check_bytea(settings *s, const st_def *d, const char *in, mice_buf *norm,
                               int64_t *num, sql_error *err)
{
    (void)s, (void)norm;
    if (*num == 1) return MICE_OK;
    return err_unsupported(err, d->name, in, "MiceDB supports only bytea_output hex.");
}

static mice_status check_std_strings(settings *s, const st_def *d, const char *in, mice_buf *norm,
                                     int64_t *num, sql_error *err)
{
    (void)s, (void)norm;
    if (*num == 1) return MICE_OK;
    return err_unsupported(err, d->name, in,
                           "MiceDB supports only standard_conforming_strings on.");
}

/* ---- lifecycle ---- */

static const char *boot_value(const settings *s, const st_def *d, char *scratch, size_t cap)
{
    if (d->boot) return d->boot;
    if (strcmp(d->name, "is_superuser") == 0) return s->is_superuser ? "on" : "off";
    if (strcmp(d->name, "server_version") == 0) return s->server_version;
    if (strcmp(d->name, "session_authorization") == 0) return s->session_user;
    if (strcmp(d->name, "TimeZone") == 0) return s->boot_timezone;
    int32_t v =
        strcmp(d->name, "max_connections") == 0 ? s->max_connections : s->server_version_num;
    snprintf(scratch, cap, "%d", v);
    return scratch;
}

static mice_status slots_init(settings *s, sql_error *err)
{
    mice_buf norm;
    buf_init(&norm);
    mice_status rc = MICE_OK;
    for (size_t i = 0; i < ST_COUNT && !rc; i++) {
        const st_def *d = &st_registry[i];
        mice_assert(i == 0 || strcasecmp(st_registry[i - 1].name, d->name) < 0);
        st_slot *sl = &s->slots[i];
        sl->def = d;
        char scratch[32];
        const char *boot = boot_value(s, d, scratch, sizeof scratch);
        int64_t num = 0;
        buf_reset(&norm);
        /* read-only and superuser values are trusted: parse with the user-level checks */
        rc = parse_value(s, sl, d->name, boot, &norm, &num, err);
        if (rc) break;
        value_set(&sl->cur, (const char *)norm.p, num);
        value_copy(&sl->reset, &sl->cur);
    }
    buf_deinit(&norm);
    return rc;
}

mice_status settings_create(const settings_init *init, settings **out, sql_error *err)
{
    static const settings_init defaults = {0};
    if (!init) init = &defaults;
    *out = NULL;
    mice_arena *a = arena_create(NULL, "settings", 0);
    settings *s = ARENA_NEW(a, settings);
    mice_assert(s != NULL);
    s->arena = a;
    s->session_user = arena_strdup(a, init->session_user ? init->session_user : "postgres");
    s->server_version = arena_strdup(a, init->server_version ? init->server_version
                                                             : SETTINGS_SERVER_VERSION_DEFAULT);
    s->zoneinfo_dir = init->zoneinfo_dir ? arena_strdup(a, init->zoneinfo_dir) : NULL;
    s->server_version_num =
        init->server_version_num ? init->server_version_num : SETTINGS_SERVER_VERSION_NUM_DEFAULT;
    s->max_connections =
        init->max_connections ? init->max_connections : SETTINGS_MAX_CONNECTIONS_DEFAULT;
    s->is_superuser = init->is_superuser;
    snprintf(s->boot_timezone, sizeof s->boot_timezone, "%s",
             init->timezone ? init->timezone : SETTINGS_TIMEZONE_DEFAULT);
    mice_status rc = slots_init(s, err);
    if (rc) {
        settings_destroy(s);
        return rc;
    }
    *out = s;
    return MICE_OK;
}

static void slot_deinit(st_slot *sl)
{
    st_value *vals[] = {&sl->cur, &sl->reset, &sl->prior, &sl->pending, &sl->reported};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        buf_deinit(&vals[i]->text);
}

void settings_destroy(settings *s)
{
    if (!s) return;
    for (size_t i = 0; i < ST_COUNT; i++)
        slot_deinit(&s->slots[i]);
    for (st_slot *c = s->customs; c; c = c->next_custom)
        slot_deinit(c);
    if (s->tz) tz_destroy(s->tz);
    buf_deinit(&s->tz_text);
    arena_destroy(s->arena);
}

/* ---- assignment with transaction semantics ---- */

static bool is_txn_slot(const st_slot *sl)
{
    return sl->def && (sl->def->flags & SF_TXN);
}

static void slot_assign(settings *s, st_slot *sl, const char *text, int64_t num, bool local)
{
    if (is_txn_slot(sl)) {
        /* lives only as long as the block; outside one the implicit transaction ends at once */
        if (s->in_block) value_set(&sl->cur, text, num);
        return;
    }
    if (s->in_block && !sl->touched) {
        value_copy(&sl->prior, &sl->cur);
        value_copy(&sl->pending, &sl->cur);
        sl->touched = true;
    }
    value_set(&sl->cur, text, num);
    if (!s->in_block) return;
    sl->local_active = local;
    if (!local) value_set(&sl->pending, text, num);
}

/* 55P02 / 42501 for settings this session may not change. */
static mice_status check_context(const settings *s, const st_slot *sl, const char *given,
                                 sql_error *err)
{
    if (!sl->def) return MICE_OK;
    switch (sl->def->ctx) {
    case SC_INTERNAL:
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed", given);
    case SC_POSTMASTER:
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_CANT_CHANGE_RUNTIME_PARAM,
                          "parameter \"%s\" cannot be changed without restarting the server",
                          given);
    case SC_SUPERUSER:
        if (!s->is_superuser)
            return sqlerr_set(err, MICE_INVALID, SQLSTATE_INSUFFICIENT_PRIVILEGE,
                              "permission denied to set parameter \"%s\"", given);
        return MICE_OK;
    case SC_USER:
        return MICE_OK;
    }
    return MICE_OK;
}

/* The per-transaction settings freeze once the block ran a query (25001). */
static mice_status check_txn_change(const settings *s, const st_slot *sl, int64_t num,
                                    sql_error *err)
{
    if (!is_txn_slot(sl) || !s->in_block || !s->block_has_query) return MICE_OK;
    const char *name = sl->def->name;
    if (strcmp(name, "transaction_isolation") == 0 && num != sl->cur.num)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    if (strcmp(name, "transaction_read_only") == 0 && num == 0 && sl->cur.num == 1)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "transaction read-write mode must be set before any query");
    if (strcmp(name, "transaction_deferrable") == 0)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_ACTIVE_SQL_TRANSACTION,
                          "SET TRANSACTION [NOT] DEFERRABLE must be called before any query");
    return MICE_OK;
}

static void warn(sql_error *warning, const char *what)
{
    if (!warning) return;
    sqlerr_set(warning, MICE_OK, SQLSTATE_NO_ACTIVE_SQL_TRANSACTION,
               "%s can only be used in transaction blocks", what);
    warning->code = MICE_OK;
}

/* The reset value of a per-transaction setting is its default_* counterpart. */
static const st_value *reset_value_of(settings *s, const st_slot *sl)
{
    if (!is_txn_slot(sl)) return &sl->reset;
    char name[ST_NAME_MAX];
    snprintf(name, sizeof name, "default_%s", sl->def->name);
    const st_slot *dflt = slot_find(s, name);
    mice_assert(dflt != NULL);
    return &dflt->cur;
}

/* value NULL = default. Validates, then applies (unless apply is false). */
static mice_status assign(settings *s, const char *name, const char *value, bool local, bool apply,
                          mice_buf *shown, sql_error *err)
{
    st_slot *sl;
    mice_status rc = slot_find_or_create(s, name, &sl, err);
    if (rc) return rc;
    rc = check_context(s, sl, name, err);
    if (rc) return rc;
    mice_buf norm;
    buf_init(&norm);
    int64_t num;
    if (value) {
        rc = parse_value(s, sl, name, value, &norm, &num, err);
    } else {
        const st_value *r = reset_value_of(s, sl);
        buf_append(&norm, r->text.p, r->text.n);
        num = r->num;
    }
    if (!rc) rc = check_txn_change(s, sl, num, err);
    if (!rc && apply) slot_assign(s, sl, (const char *)norm.p, num, local);
    if (!rc && shown) buf_append_str(shown, (const char *)norm.p);
    buf_deinit(&norm);
    return rc;
}

mice_status settings_set(settings *s, const char *name, const char *value, settings_scope scope,
                         sql_error *warning, sql_error *err)
{
    if (warning) sqlerr_clear(warning);
    bool local = scope == SETTINGS_LOCAL;
    if (local && !s->in_block) warn(warning, "SET LOCAL");
    return assign(s, name, value, local, !local || s->in_block, NULL, err);
}

mice_status settings_reset(settings *s, const char *name, sql_error *warning, sql_error *err)
{
    if (warning) sqlerr_clear(warning);
    if (strcasecmp(name, "transaction_isolation") == 0 && !s->in_block)
        warn(warning, "RESET TRANSACTION");
    return assign(s, name, NULL, false, true, NULL, err);
}

void settings_reset_all(settings *s)
{
    for (size_t i = 0; i < ST_COUNT; i++) {
        st_slot *sl = &s->slots[i];
        if (sl->def->ctx != SC_USER && sl->def->ctx != SC_SUPERUSER) continue;
        if (sl->def->flags & SF_NO_RESET_ALL) continue;
        slot_assign(s, sl, value_str(&sl->reset), sl->reset.num, false);
    }
    for (st_slot *c = s->customs; c; c = c->next_custom)
        slot_assign(s, c, value_str(&c->reset), c->reset.num, false);
}

/* ---- transactions ---- */

static void txn_slots_to_defaults(settings *s)
{
    static const char *const names[] = {"transaction_isolation", "transaction_read_only",
                                        "transaction_deferrable"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        st_slot *sl = slot_find(s, names[i]);
        const st_value *d = reset_value_of(s, sl);
        value_set(&sl->cur, value_str(d), d->num);
    }
}

void settings_txn_begin(settings *s)
{
    mice_assert(!s->in_block);
    s->in_block = true;
    s->block_has_query = false;
    txn_slots_to_defaults(s);
}

void settings_txn_mark_query(settings *s)
{
    s->block_has_query = true;
}

static void txn_end(settings *s, bool commit)
{
    mice_assert(s->in_block);
    st_slot *customs = s->customs;
    for (size_t i = 0; i < ST_COUNT + 1; i++) {
        for (st_slot *sl = i < ST_COUNT ? &s->slots[i] : customs; sl;
             sl = i < ST_COUNT ? NULL : sl->next_custom) {
            if (!sl->touched) continue;
            if (!commit)
                value_copy(&sl->cur, &sl->prior);
            else if (sl->local_active)
                value_copy(&sl->cur, &sl->pending);
            sl->touched = sl->local_active = false;
        }
    }
    s->in_block = s->block_has_query = false;
    txn_slots_to_defaults(s);
}

void settings_txn_commit(settings *s)
{
    txn_end(s, true);
}
void settings_txn_rollback(settings *s)
{
    txn_end(s, false);
}
bool settings_in_txn_block(const settings *s)
{
    return s->in_block;
}

/* ---- SHOW, current_setting, set_config ---- */

mice_status settings_show(settings *s, const char *name, mice_buf *out, const char **display_name,
                          sql_error *err)
{
    const st_slot *sl = slot_find(s, name);
    if (!sl) return err_unknown(err, name);
    buf_append_str(out, value_str(&sl->cur));
    if (display_name) *display_name = slot_name(sl);
    return MICE_OK;
}

void settings_show_all(settings *s, settings_show_all_cb *cb, void *arg)
{
    for (size_t i = 0; i < ST_COUNT; i++) {
        const st_slot *sl = &s->slots[i];
        if (sl->def->flags & SF_NO_SHOW_ALL) continue;
        cb(sl->def->name, value_str(&sl->cur), sl->def->desc, arg);
    }
}

mice_status settings_current_setting(settings *s, const char *name, bool missing_ok, mice_buf *out,
                                     bool *is_null, sql_error *err)
{
    *is_null = false;
    if (missing_ok && !slot_find(s, name)) {
        *is_null = true;
        return MICE_OK;
    }
    return settings_show(s, name, out, NULL, err);
}

mice_status settings_set_config(settings *s, const char *name, const char *value, bool is_local,
                                mice_buf *out, sql_error *err)
{
    bool apply = !is_local || s->in_block;
    return assign(s, name, value, is_local, apply, out, err);
}

/* ---- reports, value context, getters ---- */

void settings_take_reports(settings *s, settings_report_cb *cb, void *arg)
{
    for (size_t i = 0; i < ST_COUNT; i++) {
        st_slot *sl = &s->slots[i];
        if (!(sl->def->flags & SF_REPORT)) continue;
        if (sl->ever_reported && strcmp(value_str(&sl->reported), value_str(&sl->cur)) == 0)
            continue;
        value_copy(&sl->reported, &sl->cur);
        sl->ever_reported = true;
        cb(sl->def->name, value_str(&sl->cur), arg);
    }
}

const sql_value_ctx *settings_value_ctx(settings *s)
{
    const st_slot *tzs = slot_find(s, "TimeZone");
    const char *want = value_str(&tzs->cur);
    if (!s->tz_text.n || strcmp((const char *)s->tz_text.p, want) != 0) {
        if (s->tz) tz_destroy(s->tz);
        s->tz = NULL;
        /* a zone that vanished from disk since SET falls back to UTC */
        if (tz_create(want, s->zoneinfo_dir, &s->tz, NULL) != MICE_OK) s->tz = NULL;
        buf_reset(&s->tz_text);
        buf_append(&s->tz_text, want, strlen(want) + 1);
    }
    s->vctx = SQL_VALUE_CTX_DEFAULT;
    s->vctx.dt.tz = s->tz;
    s->vctx.dt.zoneinfo_dir = s->zoneinfo_dir;
    s->vctx.extra_float_digits = (int)settings_get_int(s, "extra_float_digits");
    s->vctx.interval_style = (sql_interval_style)settings_get_int(s, "IntervalStyle");
    return &s->vctx;
}

static const st_slot *typed_slot(const settings *s, const char *name, st_type t)
{
    const st_slot *sl = slot_find_c(s, name);
    mice_assert(sl != NULL);
    mice_assert(sl->def != NULL);
    mice_assert(sl->def->type == t || (t == ST_INT && sl->def->type == ST_ENUM));
    return sl;
}

bool settings_get_bool(const settings *s, const char *name)
{
    return typed_slot(s, name, ST_BOOL)->cur.num != 0;
}
int64_t settings_get_int(const settings *s, const char *name)
{
    return typed_slot(s, name, ST_INT)->cur.num;
}
int64_t settings_statement_timeout_ms(const settings *s)
{
    return settings_get_int(s, "statement_timeout");
}
int64_t settings_lock_timeout_ms(const settings *s)
{
    return settings_get_int(s, "lock_timeout");
}
int64_t settings_idle_in_transaction_timeout_ms(const settings *s)
{
    return settings_get_int(s, "idle_in_transaction_session_timeout");
}
size_t settings_work_mem_bytes(const settings *s)
{
    return (size_t)settings_get_int(s, "work_mem") * 1024u;
}
settings_isolation settings_default_isolation(const settings *s)
{
    return (settings_isolation)settings_get_int(s, "default_transaction_isolation");
}
settings_isolation settings_txn_isolation(const settings *s)
{
    return (settings_isolation)settings_get_int(s, "transaction_isolation");
}
bool settings_default_read_only(const settings *s)
{
    return settings_get_bool(s, "default_transaction_read_only");
}
bool settings_txn_read_only(const settings *s)
{
    return settings_get_bool(s, "transaction_read_only");
}
settings_date_order settings_get_date_order(const settings *s)
{
    return (settings_date_order)slot_find_c(s, "DateStyle")->cur.num;
}

typedef struct path_collect {
    mice_arena *a;
    const char **names;
    size_t n, cap;
    bool nomem;
} path_collect;

static bool path_item(const char *w, void *arg)
{
    path_collect *pc = arg;
    char *copy = arena_strdup(pc->a, w);
    if (!copy || pc->n == pc->cap) {
        pc->nomem = true;
        return false;
    }
    pc->names[pc->n++] = copy;
    return true;
}

mice_status settings_search_path(const settings *s, mice_arena *a, const char ***names, size_t *n,
                                 sql_error *err)
{
    const char *text = value_str(&slot_find_c(s, "search_path")->cur);
    size_t count = 0;
    bool ok = split_identifiers(text, count_item, &count);
    mice_assert(ok); /* validated when set */
    path_collect pc = {a, ARENA_NEW_ARRAY(a, const char *, count + 1), 0, count, false};
    if (!pc.names || !split_identifiers(text, path_item, &pc) || pc.nomem) return sqlerr_nomem(err);
    *names = pc.names;
    *n = pc.n;
    return MICE_OK;
}

/* ---- start-up packet ---- */

static mice_status startup_one(settings *s, const char *name, const char *value, sql_error *err)
{
    mice_status rc = assign(s, name, value, false, true, NULL, err);
    if (rc) return rc;
    st_slot *sl = slot_find(s, name);
    value_copy(&sl->reset, &sl->cur);
    return MICE_OK;
}

/* One "-c name=value" / "--name=value" switch; dashes in the name become underscores. */
static mice_status startup_switch(settings *s, const char *sw, bool dashdash, sql_error *err)
{
    char name[ST_NAME_MAX];
    const char *eq = strchr(sw, '=');
    if (!eq)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR, "%s%s requires a value",
                          dashdash ? "--" : "-c ", sw);
    size_t n = (size_t)(eq - sw);
    if (n >= sizeof name) return err_unknown(err, sw);
    for (size_t i = 0; i < n; i++)
        name[i] = sw[i] == '-' ? '_' : sw[i];
    name[n] = '\0';
    return startup_one(s, name, eq + 1, err);
}

/* pg_split_opts: whitespace separates, backslash escapes the next byte. */
static size_t split_opts(const char *in, char *store, size_t cap, const char **argv, size_t max)
{
    size_t argc = 0, used = 0;
    const char *p = in;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p || argc == max) return argc;
        argv[argc++] = store + used;
        while (*p && !isspace((unsigned char)*p)) {
            if (*p == '\\' && p[1]) p++;
            if (used + 2 < cap) store[used++] = *p;
            p++;
        }
        store[used++] = '\0';
    }
}

static mice_status startup_options(settings *s, const char *opts, sql_error *err)
{
    enum { ARGS_MAX = 64 };
    char store[SQL_ERROR_MSG_MAX * 4];
    const char *argv[ARGS_MAX];
    size_t argc = split_opts(opts, store, sizeof store, argv, ARGS_MAX);
    for (size_t i = 0; i < argc; i++) {
        const char *a = argv[i];
        mice_status rc;
        if (strcmp(a, "-c") == 0 && i + 1 < argc)
            rc = startup_switch(s, argv[++i], false, err);
        else if (strncmp(a, "-c", 2) == 0 && a[2])
            rc = startup_switch(s, a + 2, false, err);
        else if (strncmp(a, "--", 2) == 0 && a[2])
            rc = startup_switch(s, a + 2, true, err);
        else {
            sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR,
                       "invalid command-line argument for server process: %s", a);
            sqlerr_hint(err, "Try \"postgres --help\" for more information.");
            rc = MICE_INVALID;
        }
        if (rc) return rc;
    }
    return MICE_OK;
}

mice_status settings_apply_startup(settings *s, const settings_param *params, size_t n,
                                   sql_error *err)
{
    mice_assert(!s->in_block);
    for (size_t i = 0; i < n; i++) {
        const char *name = params[i].name, *value = params[i].value ? params[i].value : "";
        /* the session handles these (and _pq_.* protocol options) itself */
        if (strcmp(name, "user") == 0 || strcmp(name, "database") == 0 ||
            strcmp(name, "replication") == 0 || strncmp(name, "_pq_.", 5) == 0)
            continue;
        mice_status rc = strcmp(name, "options") == 0 ? startup_options(s, value, err)
                                                      : startup_one(s, name, value, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

/* ---- SET / RESET / SHOW statements ---- */

/* quote_identifier for search_path items: lower-case identifiers that are not reserved
 * words stay bare. (PostgreSQL also quotes column-name and type/function-name keywords.) */
static bool needs_quotes(const char *w)
{
    static const char *const reserved[] = {"all",          "analyse",
                                           "analyze",      "and",
                                           "any",          "array",
                                           "as",           "asc",
                                           "asymmetric",   "both",
                                           "case",         "cast",
                                           "check",        "collate",
                                           "column",       "constraint",
                                           "create",       "current_catalog",
                                           "current_date", "current_role",
                                           "current_time", "current_timestamp",
                                           "current_user", "default",
                                           "deferrable",   "desc",
                                           "distinct",     "do",
                                           "else",         "end",
                                           "except",       "false",
                                           "fetch",        "for",
                                           "foreign",      "from",
                                           "grant",        "group",
                                           "having",       "in",
                                           "initially",    "intersect",
                                           "into",         "lateral",
                                           "leading",      "limit",
                                           "localtime",    "localtimestamp",
                                           "not",          "null",
                                           "offset",       "on",
                                           "only",         "or",
                                           "order",        "placing",
                                           "primary",      "references",
                                           "returning",    "select",
                                           "session_user", "some",
                                           "symmetric",    "table",
                                           "then",         "to",
                                           "trailing",     "true",
                                           "union",        "unique",
                                           "user",         "using",
                                           "variadic",     "when",
                                           "where",        "window",
                                           "with"};
    if (!((*w >= 'a' && *w <= 'z') || *w == '_')) return true;
    for (const char *p = w; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return true;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(w, reserved[i]) == 0) return true;
    return false;
}

static void append_quoted_ident(mice_buf *out, const char *w)
{
    if (!needs_quotes(w)) {
        buf_append_str(out, w);
        return;
    }
    buf_append_u8(out, '"');
    for (const char *p = w; *p; p++) {
        if (*p == '"') buf_append_u8(out, '"');
        buf_append_u8(out, (uint8_t)*p);
    }
    buf_append_u8(out, '"');
}

/* flatten_set_variable_args: the SET arguments as one string. */
static mice_status flatten_args(const settings *s, const char *name, const ast_list *args,
                                mice_buf *out, sql_error *err)
{
    const st_slot *sl = slot_find_c(s, name);
    unsigned flags = sl && sl->def ? sl->def->flags : 0;
    if (args->n > 1 && !(flags & SF_LIST_INPUT))
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_PARAMETER_VALUE,
                          "SET %s takes only one argument", name);
    for (uint32_t i = 0; i < args->n; i++) {
        const ast_node *a = args->items[i];
        if (i) buf_append_str(out, ", ");
        if (a->kind != AST_CONST || a->u.konst.ck == AST_CONST_NULL)
            return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                              "SET %s to this kind of value is not supported", name);
        const ast_const *c = &a->u.konst;
        if (c->ck == AST_CONST_BOOL)
            buf_append_str(out, c->bval ? "true" : "false");
        else if (c->ck == AST_CONST_STRING && (flags & SF_LIST_QUOTE))
            append_quoted_ident(out, c->text);
        else if (c->text)
            buf_append_str(out, c->text);
        else
            buf_printf(out, "%d", c->ival);
    }
    buf_terminate(out);
    return MICE_OK;
}

/* SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ... */
static mice_status exec_set_multi(settings *s, const ast_var_set *v, sql_error *warning,
                                  sql_error *err)
{
    bool session = strcmp(v->name, "SESSION CHARACTERISTICS") == 0;
    if (!session && strcmp(v->name, "TRANSACTION") != 0)
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "SET %s is not supported", v->name);
    if (!session && !s->in_block) warn(warning, "SET TRANSACTION");
    mice_buf val;
    buf_init(&val);
    mice_status rc = MICE_OK;
    for (uint32_t i = 0; i < v->args.n && !rc; i++) {
        const ast_node *opt = v->args.items[i];
        mice_assert(opt->kind == AST_DEF_ELEM);
        char name[ST_NAME_MAX];
        snprintf(name, sizeof name, "%s%s", session ? "default_" : "", opt->u.def_elem.name);
        ast_list one = {(ast_node **)&opt->u.def_elem.arg, 1, 1};
        buf_reset(&val);
        rc = flatten_args(s, name, &one, &val, err);
        if (!rc) rc = assign(s, name, (const char *)val.p, false, true, NULL, err);
    }
    buf_deinit(&val);
    return rc;
}

static mice_status exec_set(settings *s, const ast_var_set *v, settings_result *out, sql_error *err)
{
    sql_error *w = &out->warning;
    out->tag = "SET";
    switch (v->sk) {
    case AST_SET_VALUE: {
        mice_buf val;
        buf_init(&val);
        mice_status rc = flatten_args(s, v->name, &v->args, &val, err);
        if (!rc)
            rc = settings_set(s, v->name, (const char *)val.p,
                              v->local ? SETTINGS_LOCAL : SETTINGS_SESSION, w, err);
        buf_deinit(&val);
        return rc;
    }
    case AST_SET_DEFAULT:
        if (v->local) return settings_set(s, v->name, NULL, SETTINGS_LOCAL, w, err);
        return settings_reset(s, v->name, w, err);
    case AST_SET_MULTI:
        return exec_set_multi(s, v, w, err);
    case AST_SET_RESET:
        out->tag = "RESET";
        return settings_reset(s, v->name, w, err);
    case AST_SET_RESET_ALL:
        out->tag = "RESET";
        settings_reset_all(s);
        return MICE_OK;
    case AST_SET_CURRENT:
        break;
    }
    return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "SET %s FROM CURRENT is not supported", v->name);
}

typedef struct show_all_rows {
    mice_arena *a;
    const char **cells;
    uint32_t n;
    bool nomem;
} show_all_rows;

static void show_all_row(const char *name, const char *setting, const char *desc, void *arg)
{
    show_all_rows *r = arg;
    const char **c = &r->cells[r->n * 3];
    c[0] = name;
    c[1] = arena_strdup(r->a, setting);
    c[2] = desc;
    r->nomem |= c[1] == NULL;
    r->n++;
}

static mice_status exec_show(settings *s, const char *name, mice_arena *a, settings_result *out,
                             sql_error *err)
{
    out->tag = "SHOW";
    if (strcmp(name, "all") == 0) {
        show_all_rows r = {a, ARENA_NEW_ARRAY(a, const char *, ST_COUNT * 3), 0, false};
        if (!r.cells) return sqlerr_nomem(err);
        settings_show_all(s, show_all_row, &r);
        if (r.nomem) return sqlerr_nomem(err);
        *out = (settings_result){"SHOW", 3,       {"name", "setting", "description"},
                                 r.n,    r.cells, out->warning};
        return MICE_OK;
    }
    mice_buf val;
    buf_init(&val);
    const char *col = NULL;
    mice_status rc = settings_show(s, name, &val, &col, err);
    buf_terminate(&val);
    const char **cells = rc ? NULL : ARENA_NEW_ARRAY(a, const char *, 1);
    if (!rc && (!cells || !(cells[0] = arena_strdup(a, (const char *)val.p))))
        rc = sqlerr_nomem(err);
    buf_deinit(&val);
    if (rc) return rc;
    out->n_cols = 1;
    out->col_names[0] = col;
    out->n_rows = 1;
    out->cells = cells;
    return MICE_OK;
}

mice_status settings_exec(settings *s, const ast_node *stmt, mice_arena *a, settings_result *out,
                          sql_error *err)
{
    memset(out, 0, sizeof *out);
    sqlerr_clear(&out->warning);
    if (stmt->kind == AST_VAR_SHOW) return exec_show(s, stmt->u.var_show.name, a, out, err);
    mice_assert(stmt->kind == AST_VAR_SET);
    return exec_set(s, &stmt->u.var_set, out, err);
}
