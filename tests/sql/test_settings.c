/*
 * test_settings.c - session settings (sql/settings.h): SET, SHOW, RESET like PostgreSQL 15.
 *
 * Every expectation below was taken from a real PostgreSQL 15.18 (psql -v VERBOSITY=verbose)
 * except where MiceDB differs on purpose (work_mem 64MB, jit off, TimeZone UTC, lc_* C,
 * the 0A000 limits); those rows say so. The tables cover each setting's default, accepted
 * inputs with their normalised display, refused inputs with SQLSTATE, message, detail and
 * hint; then transactions (ROLLBACK reverts, SET LOCAL ends at COMMIT, RESET ALL), reports
 * for ParameterStatus, start-up parameters and options, and whole statements through
 * settings_exec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/parse.h"
#include "sql/settings.h"
#include "sql/tz.h"

static settings *new_settings(void)
{
    settings_init init = {.session_user = "alice", .is_superuser = true};
    settings *s = NULL;
    sql_error err;
    assert_int_equal(settings_create(&init, &s, &err), MICE_OK);
    return s;
}

/* SHOW name as a C string in a static buffer. */
static const char *show(settings *s, const char *name)
{
    static char text[512];
    mice_buf b;
    buf_init(&b);
    sql_error err;
    mice_status rc = settings_show(s, name, &b, NULL, &err);
    if (rc) fail_msg("SHOW %s: %s", name, err.message);
    snprintf(text, sizeof text, "%.*s", (int)b.n, (const char *)b.p);
    buf_deinit(&b);
    return text;
}

static void set_ok(settings *s, const char *name, const char *value, settings_scope scope)
{
    sql_error err, warning;
    mice_status rc = settings_set(s, name, value, scope, &warning, &err);
    if (rc)
        fail_msg("SET %s = '%s': %s %s", name, value ? value : "DEFAULT", err.sqlstate,
                 err.message);
}

/* ---- defaults ---- */

typedef struct default_case {
    const char *name, *value;
} default_case;

static const default_case defaults[] = {
    {"application_name", ""},
    {"block_size", "8192"},
    {"bytea_output", "hex"},
    {"client_encoding", "UTF8"},
    {"client_min_messages", "notice"},
    {"datestyle", "ISO, MDY"},
    {"default_transaction_deferrable", "off"},
    {"default_transaction_isolation", "read committed"},
    {"default_transaction_read_only", "off"},
    {"enable_bitmapscan", "on"},
    {"enable_hashagg", "on"},
    {"enable_hashjoin", "on"},
    {"enable_indexonlyscan", "on"},
    {"enable_indexscan", "on"},
    {"enable_material", "on"},
    {"enable_mergejoin", "on"},
    {"enable_nestloop", "on"},
    {"enable_seqscan", "on"},
    {"enable_sort", "on"},
    {"extra_float_digits", "1"},
    {"idle_in_transaction_session_timeout", "0"},
    {"idle_session_timeout", "0"},
    {"in_hot_standby", "off"},
    {"integer_datetimes", "on"},
    {"intervalstyle", "postgres"},
    {"is_superuser", "on"},
    {"jit", "off"},      /* MiceDB: PostgreSQL defaults to on */
    {"lc_collate", "C"}, /* MiceDB: C semantics only */
    {"lc_ctype", "C"},
    {"lc_messages", "C"},
    {"lc_monetary", "C"},
    {"lc_numeric", "C"},
    {"lc_time", "C"},
    {"lock_timeout", "0"},
    {"max_connections", "100"},
    {"max_function_args", "100"},
    {"max_identifier_length", "63"},
    {"max_index_keys", "32"},
    {"max_parallel_workers_per_gather", "2"},
    {"plan_cache_mode", "auto"},
    {"row_security", "on"},
    {"search_path", "\"$user\", public"},
    {"server_encoding", "UTF8"},
    {"server_version", "15.18"},
    {"server_version_num", "150018"},
    {"session_authorization", "alice"},
    {"standard_conforming_strings", "on"},
    {"statement_timeout", "0"},
    {"synchronous_commit", "on"},
    {"timezone", "UTC"}, /* MiceDB default; PostgreSQL takes the system's */
    {"transaction_deferrable", "off"},
    {"transaction_isolation", "read committed"},
    {"transaction_read_only", "off"},
    {"work_mem", "64MB"}, /* MiceDB: PostgreSQL defaults to 4MB */
};

static void test_defaults(void **state)
{
    (void)state;
    settings *s = new_settings();
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        assert_string_equal(show(s, defaults[i].name), defaults[i].value);
    /* names are case-insensitive; the column header is the canonical spelling */
    mice_buf b;
    buf_init(&b);
    const char *col = NULL;
    assert_int_equal(settings_show(s, "DATESTYLE", &b, &col, NULL), MICE_OK);
    assert_string_equal(col, "DateStyle");
    assert_int_equal(settings_show(s, "timezone", &b, &col, NULL), MICE_OK);
    assert_string_equal(col, "TimeZone");
    buf_deinit(&b);
    settings_destroy(s);
}

/* ---- accepted values and their display ---- */

typedef struct accept_case {
    const char *name, *input, *shown;
} accept_case;

static const accept_case accepted[] = {
    {"client_encoding", "utf8", "UTF8"},
    {"client_encoding", "UTF-8", "UTF8"},
    {"client_encoding", "Unicode", "UTF8"},
    {"client_encoding", "u-t-f-8", "UTF8"},
    {"datestyle", "iso", "ISO, MDY"},
    {"datestyle", "ymd", "ISO, YMD"},
    {"datestyle", "dmy", "ISO, DMY"},
    {"datestyle", "iso, dmy", "ISO, DMY"},
    {"datestyle", "european", "ISO, DMY"},
    {"datestyle", "euro", "ISO, DMY"},
    {"datestyle", "us", "ISO, MDY"},
    {"datestyle", "noneuropean", "ISO, MDY"},
    {"datestyle", " ISO , MDY ", "ISO, MDY"},
    {"datestyle", "mdy, iso", "ISO, MDY"},
    {"datestyle", "", "ISO, MDY"},
    {"datestyle", "default", "ISO, MDY"},
    {"datestyle", "\"iso\"", "ISO, MDY"},
    {"intervalstyle", "POSTGRES", "postgres"},
    {"intervalstyle", "iso_8601", "iso_8601"},
    {"intervalstyle", "SQL_STANDARD", "sql_standard"},
    {"intervalstyle", "postgres_verbose", "postgres_verbose"},
    {"timezone", "Europe/Paris", "Europe/Paris"},
    {"timezone", "europe/paris", "Europe/Paris"},
    {"timezone", "america/new_york", "America/New_York"},
    {"timezone", "utc", "UTC"},
    {"timezone", "gmt", "GMT"},
    {"timezone", "+02", "<+02>-02"},
    {"timezone", "2", "<+02>-02"},
    {"timezone", "-5.5", "<-05:30>+05:30"},
    {"timezone", "0", "<+00>-00"},
    {"timezone", "UTC+3", "UTC+3"},
    {"timezone", "UTC-05:30", "UTC-05:30"},
    {"timezone", "PST8PDT", "PST8PDT"},
    {"standard_conforming_strings", "on", "on"},
    {"extra_float_digits", "3", "3"},
    {"extra_float_digits", "-15", "-15"},
    {"extra_float_digits", "-3", "-3"},
    {"extra_float_digits", "2.5", "2"},
    {"extra_float_digits", "2.4", "2"},
    {"extra_float_digits", " 3 ", "3"},
    {"bytea_output", "HEX", "hex"},
    {"search_path", "a,b", "a,b"},
    {"search_path", "a, B", "a, B"},
    {"search_path", "\"\"", "\"\""},
    {"jit", "yes", "on"},
    {"jit", "1", "on"},
    {"jit", "of", "off"},
    {"jit", "t", "on"},
    {"jit", "TRUE", "on"},
    {"jit", "n", "off"},
    {"enable_seqscan", "FALSE", "off"},
    {"row_security", "off", "off"},
    {"statement_timeout", "5s", "5s"},
    {"statement_timeout", "5000", "5s"},
    {"statement_timeout", "100ms", "100ms"},
    {"statement_timeout", "1min", "1min"},
    {"statement_timeout", "90s", "90s"},
    {"statement_timeout", "61000", "61s"},
    {"statement_timeout", "3600000", "1h"},
    {"statement_timeout", "1h", "1h"},
    {"statement_timeout", "1d", "1d"},
    {"statement_timeout", "1.5s", "1500ms"},
    {"statement_timeout", "1500us", "2ms"},
    {"statement_timeout", "100 ms", "100ms"},
    {"statement_timeout", "5 s", "5s"},
    {"statement_timeout", "1e3", "1s"},
    {"statement_timeout", "0.4", "0"},
    {"statement_timeout", "1.5", "2ms"},
    {"statement_timeout", "0.5ms", "0"},
    {"statement_timeout", "0", "0"},
    {"lock_timeout", "2s", "2s"},
    {"idle_in_transaction_session_timeout", "10min", "10min"},
    {"work_mem", "64MB", "64MB"},
    {"work_mem", "1024", "1MB"},
    {"work_mem", "1GB", "1GB"},
    {"work_mem", "1TB", "1TB"},
    {"work_mem", "1536kB", "1536kB"},
    {"work_mem", "1.5MB", "1536kB"},
    {"work_mem", "2000000B", "1953kB"},
    {"work_mem", "64 MB", "64MB"},
    {"lc_messages", "C", "C"},
    {"lc_messages", "C.UTF-8", "C.UTF-8"},
    {"lc_numeric", "POSIX", "POSIX"},
    {"synchronous_commit", "off", "off"},
    {"synchronous_commit", "true", "on"},
    {"synchronous_commit", "local", "local"},
    {"plan_cache_mode", "force_generic_plan", "force_generic_plan"},
    {"max_parallel_workers_per_gather", "0", "0"},
    {"client_min_messages", "WARNING", "warning"},
    {"client_min_messages", "info", "info"},
    {"client_min_messages", "debug", "debug2"},
    {"default_transaction_isolation", "serializable", "serializable"},
    {"default_transaction_isolation", "read uncommitted", "read uncommitted"},
    {"default_transaction_isolation", "REPEATABLE READ", "repeatable read"},
    {"default_transaction_read_only", "on", "on"},
    {"application_name", "psql", "psql"},
    {"application_name", "h\xc3\xa9llo", "h??llo"},
    {"session_authorization", "alice", "alice"},
    {"myapp.x", "anything at all", "anything at all"},
    {"Foo.Bar", "x", "x"},
    {"a.b.c", "x", "x"},
};

static void test_accepted_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        const accept_case *c = &accepted[i];
        settings *s = new_settings();
        set_ok(s, c->name, c->input, SETTINGS_SESSION);
        const char *got = show(s, c->name);
        if (strcmp(got, c->shown) != 0)
            fail_msg("SET %s = '%s': shows '%s', want '%s'", c->name, c->input, got, c->shown);
        settings_destroy(s);
    }
}

/* ---- refused values ---- */

typedef struct refuse_case {
    const char *name, *input; /* input NULL = SET name TO DEFAULT */
    const char *sqlstate, *message, *detail, *hint;
} refuse_case;

#define TIME_HINT                                                                                  \
    "Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."
#define MEM_HINT "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\"."
#define ISO_HINT                                                                                   \
    "Available values: serializable, repeatable read, read committed, read uncommitted."

static const refuse_case refused[] = {
    {"foo", "1", "42704", "unrecognized configuration parameter \"foo\"", "", ""},
    {"foo", NULL, "42704", "unrecognized configuration parameter \"foo\"", "", ""},
    {"a..b", "1", "42602", "invalid configuration parameter name \"a..b\"",
     "Custom parameter names must be two or more simple identifiers separated by dots.", ""},
    {"server_version", "1", "55P02", "parameter \"server_version\" cannot be changed", "", ""},
    {"server_version", NULL, "55P02", "parameter \"server_version\" cannot be changed", "", ""},
    {"max_index_keys", "64", "55P02", "parameter \"max_index_keys\" cannot be changed", "", ""},
    {"server_version_num", "1", "55P02", "parameter \"server_version_num\" cannot be changed", "",
     ""},
    {"server_encoding", "UTF8", "55P02", "parameter \"server_encoding\" cannot be changed", "", ""},
    {"integer_datetimes", "off", "55P02", "parameter \"integer_datetimes\" cannot be changed", "",
     ""},
    {"is_superuser", "off", "55P02", "parameter \"is_superuser\" cannot be changed", "", ""},
    {"in_hot_standby", "on", "55P02", "parameter \"in_hot_standby\" cannot be changed", "", ""},
    {"lc_collate", "C", "55P02", "parameter \"lc_collate\" cannot be changed", "", ""},
    {"max_connections", "5", "55P02",
     "parameter \"max_connections\" cannot be changed without restarting the server", "", ""},
    {"client_encoding", "foo", "22023", "invalid value for parameter \"client_encoding\": \"foo\"",
     "", ""},
    {"client_encoding", "MULE_INTERNAL", "0A000",
     "invalid value for parameter \"client_encoding\": \"MULE_INTERNAL\"",
     "Conversion between MULE_INTERNAL and UTF8 is not supported.", ""},
    /* MiceDB: PostgreSQL converts LATIN1; we speak UTF8 only */
    {"client_encoding", "latin1", "0A000",
     "invalid value for parameter \"client_encoding\": \"latin1\"",
     "Conversion between LATIN1 and UTF8 is not supported.", ""},
    {"datestyle", "foo", "22023", "invalid value for parameter \"DateStyle\": \"foo\"",
     "Unrecognized key word: \"foo\".", ""},
    {"datestyle", "iso, sql", "22023", "invalid value for parameter \"DateStyle\": \"iso, sql\"",
     "Conflicting \"datestyle\" specifications.", ""},
    {"datestyle", "iso,,mdy", "22023", "invalid value for parameter \"DateStyle\": \"iso,,mdy\"",
     "List syntax is invalid.", ""},
    {"datestyle", "iso mdy", "22023", "invalid value for parameter \"DateStyle\": \"iso mdy\"",
     "List syntax is invalid.", ""},
    /* MiceDB: only ISO output (PostgreSQL accepts these) */
    {"datestyle", "german", "0A000", "invalid value for parameter \"DateStyle\": \"german\"",
     "MiceDB supports only the ISO output style.", ""},
    {"datestyle", "sql, dmy", "0A000", "invalid value for parameter \"DateStyle\": \"sql, dmy\"",
     "MiceDB supports only the ISO output style.", ""},
    {"datestyle", "postgres", "0A000", "invalid value for parameter \"DateStyle\": \"postgres\"",
     "MiceDB supports only the ISO output style.", ""},
    {"intervalstyle", "foo", "22023", "invalid value for parameter \"intervalstyle\": \"foo\"", "",
     "Available values: postgres, postgres_verbose, sql_standard, iso_8601."},
    {"timezone", "Mars/Base", "22023", "invalid value for parameter \"TimeZone\": \"Mars/Base\"",
     "", ""},
    {"timezone", "Europe/Pariss", "22023",
     "invalid value for parameter \"TimeZone\": \"Europe/Pariss\"", "", ""},
    {"timezone", "z", "22023", "invalid value for parameter \"TimeZone\": \"z\"", "", ""},
    {"timezone", "", "22023", "invalid value for parameter \"TimeZone\": \"\"", "", ""},
    {"standard_conforming_strings", "off", "0A000",
     "invalid value for parameter \"standard_conforming_strings\": \"off\"",
     "MiceDB supports only standard_conforming_strings on.", ""},
    {"extra_float_digits", "-20", "22023",
     "-20 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)", "", ""},
    {"extra_float_digits", "4", "22023",
     "4 is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)", "", ""},
    {"extra_float_digits", "abc", "22023",
     "invalid value for parameter \"extra_float_digits\": \"abc\"", "", ""},
    {"extra_float_digits", "", "22023", "invalid value for parameter \"extra_float_digits\": \"\"",
     "", ""},
    {"extra_float_digits", "1kB", "22023",
     "invalid value for parameter \"extra_float_digits\": \"1kB\"", "", ""},
    {"bytea_output", "foo", "22023", "invalid value for parameter \"bytea_output\": \"foo\"", "",
     "Available values: escape, hex."},
    {"bytea_output", "escape", "0A000", "invalid value for parameter \"bytea_output\": \"escape\"",
     "MiceDB supports only bytea_output hex.", ""},
    {"search_path", "\"a", "22023", "invalid value for parameter \"search_path\": \"\"a\"",
     "List syntax is invalid.", ""},
    {"jit", "maybe", "22023", "parameter \"jit\" requires a Boolean value", "", ""},
    {"jit", "o", "22023", "parameter \"jit\" requires a Boolean value", "", ""},
    {"jit", "2", "22023", "parameter \"jit\" requires a Boolean value", "", ""},
    {"jit", " on", "22023", "parameter \"jit\" requires a Boolean value", "", ""},
    {"jit", "", "22023", "parameter \"jit\" requires a Boolean value", "", ""},
    {"statement_timeout", "5sec", "22023",
     "invalid value for parameter \"statement_timeout\": \"5sec\"", "", TIME_HINT},
    {"statement_timeout", "5 S", "22023",
     "invalid value for parameter \"statement_timeout\": \"5 S\"", "", TIME_HINT},
    {"statement_timeout", "1min 30s", "22023",
     "invalid value for parameter \"statement_timeout\": \"1min 30s\"", "", TIME_HINT},
    {"statement_timeout", "-1", "22023",
     "-1 ms is outside the valid range for parameter \"statement_timeout\" (0 .. 2147483647)", "",
     ""},
    {"statement_timeout", "3000000000", "22023",
     "invalid value for parameter \"statement_timeout\": \"3000000000\"", "",
     "Value exceeds integer range."},
    {"work_mem", "10", "22023",
     "10 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)", "", ""},
    {"work_mem", "-1", "22023",
     "-1 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)", "", ""},
    {"work_mem", "100B", "22023",
     "0 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)", "", ""},
    {"work_mem", "1mb", "22023", "invalid value for parameter \"work_mem\": \"1mb\"", "", MEM_HINT},
    {"work_mem", "3TB", "22023", "invalid value for parameter \"work_mem\": \"3TB\"", "",
     "Value exceeds integer range."},
    {"lc_messages", "xx", "22023", "invalid value for parameter \"lc_messages\": \"xx\"", "", ""},
    /* MiceDB: no other locales (PostgreSQL accepts the installed ones) */
    {"lc_monetary", "en_US.UTF-8", "22023",
     "invalid value for parameter \"lc_monetary\": \"en_US.UTF-8\"", "", ""},
    {"synchronous_commit", "foo", "22023",
     "invalid value for parameter \"synchronous_commit\": \"foo\"", "",
     "Available values: local, remote_write, remote_apply, on, off."},
    {"plan_cache_mode", "x", "22023", "invalid value for parameter \"plan_cache_mode\": \"x\"", "",
     "Available values: auto, force_generic_plan, force_custom_plan."},
    {"client_min_messages", "fatal", "22023",
     "invalid value for parameter \"client_min_messages\": \"fatal\"", "",
     "Available values: debug5, debug4, debug3, debug2, debug1, log, notice, warning, error."},
    {"default_transaction_isolation", "foo", "22023",
     "invalid value for parameter \"default_transaction_isolation\": \"foo\"", "", ISO_HINT},
    {"transaction_isolation", "foo", "22023",
     "invalid value for parameter \"transaction_isolation\": \"foo\"", "", ISO_HINT},
    {"max_parallel_workers_per_gather", "2000", "22023",
     "2000 is outside the valid range for parameter \"max_parallel_workers_per_gather\" (0 .. "
     "1024)",
     "", ""},
    /* MiceDB: PostgreSQL looks the role up ("role \"bob\" does not exist" or 42501) */
    {"session_authorization", "bob", "0A000",
     "SET SESSION AUTHORIZATION to another role is not supported", "", ""},
};

static void test_refused_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        const refuse_case *c = &refused[i];
        settings *s = new_settings();
        sql_error err, warning;
        mice_status rc = settings_set(s, c->name, c->input, SETTINGS_SESSION, &warning, &err);
        if (rc == MICE_OK) fail_msg("SET %s = '%s' was accepted", c->name, c->input);
        if (strcmp(err.sqlstate, c->sqlstate) || strcmp(err.message, c->message) ||
            strcmp(err.detail, c->detail) || strcmp(err.hint, c->hint))
            fail_msg("SET %s = '%s': got %s \"%s\" detail \"%s\" hint \"%s\"", c->name,
                     c->input ? c->input : "DEFAULT", err.sqlstate, err.message, err.detail,
                     err.hint);
        settings_destroy(s);
    }
}

static void test_superuser_only(void **state)
{
    (void)state;
    settings_init init = {.session_user = "bob", .is_superuser = false};
    settings *s;
    assert_int_equal(settings_create(&init, &s, NULL), MICE_OK);
    assert_string_equal(show(s, "is_superuser"), "off");
    sql_error err;
    assert_int_not_equal(settings_set(s, "lc_messages", "C", SETTINGS_SESSION, NULL, &err),
                         MICE_OK);
    assert_string_equal(err.sqlstate, "42501");
    assert_string_equal(err.message, "permission denied to set parameter \"lc_messages\"");
    set_ok(s, "lc_numeric", "C", SETTINGS_SESSION);
    settings_destroy(s);
    settings_init bad = {.timezone = "Mars/Base"};
    assert_int_not_equal(settings_create(&bad, &s, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "22023");
}

/* ---- transactions ---- */

static void test_rollback_reverts(void **state)
{
    (void)state;
    settings *s = new_settings();
    set_ok(s, "work_mem", "8MB", SETTINGS_SESSION);
    settings_txn_begin(s);
    set_ok(s, "work_mem", "16MB", SETTINGS_SESSION);
    set_ok(s, "myapp.x", "1", SETTINGS_SESSION);
    set_ok(s, "timezone", "Europe/Paris", SETTINGS_SESSION);
    assert_string_equal(show(s, "work_mem"), "16MB");
    settings_txn_rollback(s);
    assert_string_equal(show(s, "work_mem"), "8MB");
    assert_string_equal(show(s, "timezone"), "UTC");
    assert_string_equal(show(s, "myapp.x"), ""); /* the placeholder stays, empty */
    /* SET then COMMIT keeps */
    settings_txn_begin(s);
    set_ok(s, "work_mem", "2MB", SETTINGS_SESSION);
    settings_txn_commit(s);
    assert_string_equal(show(s, "work_mem"), "2MB");
    /* RESET inside a rolled back block is undone too */
    settings_txn_begin(s);
    assert_int_equal(settings_reset(s, "work_mem", NULL, NULL), MICE_OK);
    assert_string_equal(show(s, "work_mem"), "64MB");
    settings_txn_rollback(s);
    assert_string_equal(show(s, "work_mem"), "2MB");
    settings_destroy(s);
}

static void test_set_local(void **state)
{
    (void)state;
    settings *s = new_settings();
    sql_error warning, err;
    /* outside a block: a warning and no effect */
    assert_int_equal(settings_set(s, "work_mem", "8MB", SETTINGS_LOCAL, &warning, &err), MICE_OK);
    assert_string_equal(warning.sqlstate, "25P01");
    assert_string_equal(warning.message, "SET LOCAL can only be used in transaction blocks");
    assert_string_equal(show(s, "work_mem"), "64MB");
    /* still validated */
    assert_int_equal(settings_set(s, "work_mem", "1", SETTINGS_LOCAL, &warning, &err), MICE_RANGE);
    /* ends at COMMIT */
    settings_txn_begin(s);
    assert_int_equal(settings_set(s, "work_mem", "8MB", SETTINGS_LOCAL, &warning, &err), MICE_OK);
    assert_string_equal(warning.sqlstate, "00000");
    assert_string_equal(show(s, "work_mem"), "8MB");
    settings_txn_commit(s);
    assert_string_equal(show(s, "work_mem"), "64MB");
    /* SET then SET LOCAL: COMMIT keeps the SET */
    settings_txn_begin(s);
    set_ok(s, "work_mem", "8MB", SETTINGS_SESSION);
    set_ok(s, "work_mem", "16MB", SETTINGS_LOCAL);
    assert_string_equal(show(s, "work_mem"), "16MB");
    settings_txn_commit(s);
    assert_string_equal(show(s, "work_mem"), "8MB");
    /* SET LOCAL then SET: the SET wins */
    settings_txn_begin(s);
    set_ok(s, "work_mem", "16MB", SETTINGS_LOCAL);
    set_ok(s, "work_mem", "4MB", SETTINGS_SESSION);
    settings_txn_commit(s);
    assert_string_equal(show(s, "work_mem"), "4MB");
    /* SET LOCAL then SET, rolled back */
    settings_txn_begin(s);
    set_ok(s, "work_mem", "16MB", SETTINGS_LOCAL);
    set_ok(s, "work_mem", "2MB", SETTINGS_SESSION);
    settings_txn_rollback(s);
    assert_string_equal(show(s, "work_mem"), "4MB");
    /* a local placeholder outside a block exists afterwards, empty */
    assert_int_equal(settings_set(s, "foo.bar", "1", SETTINGS_LOCAL, &warning, &err), MICE_OK);
    assert_string_equal(show(s, "foo.bar"), "");
    settings_destroy(s);
}

static void test_reset_all(void **state)
{
    (void)state;
    settings *s = new_settings();
    set_ok(s, "work_mem", "8MB", SETTINGS_SESSION);
    set_ok(s, "timezone", "Europe/Paris", SETTINGS_SESSION);
    set_ok(s, "search_path", "a", SETTINGS_SESSION);
    set_ok(s, "x.y", "z", SETTINGS_SESSION);
    settings_txn_begin(s);
    settings_reset_all(s);
    assert_string_equal(show(s, "work_mem"), "64MB");
    settings_txn_rollback(s);
    assert_string_equal(show(s, "work_mem"), "8MB");
    settings_txn_begin(s);
    settings_reset_all(s);
    settings_txn_commit(s);
    assert_string_equal(show(s, "work_mem"), "64MB");
    assert_string_equal(show(s, "timezone"), "UTC");
    assert_string_equal(show(s, "search_path"), "\"$user\", public");
    assert_string_equal(show(s, "x.y"), "");
    assert_string_equal(show(s, "session_authorization"), "alice");
    settings_destroy(s);
}

static void test_transaction_isolation(void **state)
{
    (void)state;
    settings *s = new_settings();
    sql_error err;
    /* outside a block it lasts only for the (implicit) transaction */
    set_ok(s, "transaction_isolation", "serializable", SETTINGS_SESSION);
    assert_string_equal(show(s, "transaction_isolation"), "read committed");
    set_ok(s, "default_transaction_isolation", "serializable", SETTINGS_SESSION);
    assert_int_equal(settings_default_isolation(s), SETTINGS_SERIALIZABLE);
    settings_txn_begin(s);
    assert_string_equal(show(s, "transaction_isolation"), "serializable");
    set_ok(s, "transaction_isolation", "read committed", SETTINGS_SESSION);
    assert_int_equal(settings_txn_isolation(s), SETTINGS_READ_COMMITTED);
    assert_int_equal(settings_reset(s, "transaction_isolation", NULL, &err), MICE_OK);
    assert_string_equal(show(s, "transaction_isolation"), "serializable");
    settings_txn_mark_query(s);
    /* the same level is fine after the first query; another is 25001 */
    set_ok(s, "transaction_isolation", "serializable", SETTINGS_SESSION);
    assert_int_not_equal(
        settings_set(s, "transaction_isolation", "read committed", SETTINGS_SESSION, NULL, &err),
        MICE_OK);
    assert_string_equal(err.sqlstate, "25001");
    assert_string_equal(err.message,
                        "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    /* read only may still be switched on, not off */
    set_ok(s, "transaction_read_only", "on", SETTINGS_SESSION);
    assert_true(settings_txn_read_only(s));
    assert_int_not_equal(
        settings_set(s, "transaction_read_only", "off", SETTINGS_SESSION, NULL, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "25001");
    assert_string_equal(err.message, "transaction read-write mode must be set before any query");
    settings_txn_commit(s);
    assert_string_equal(show(s, "transaction_isolation"), "serializable");
    assert_string_equal(show(s, "transaction_read_only"), "off");
    /* read uncommitted is shown as set */
    settings_txn_begin(s);
    set_ok(s, "transaction_isolation", "read uncommitted", SETTINGS_SESSION);
    assert_string_equal(show(s, "transaction_isolation"), "read uncommitted");
    assert_int_equal(settings_txn_isolation(s), SETTINGS_READ_UNCOMMITTED);
    settings_txn_rollback(s);
    settings_destroy(s);
}

/* ---- reports ---- */

typedef struct report_log {
    char text[2048];
    int n;
} report_log;

static void collect_report(const char *name, const char *value, void *arg)
{
    report_log *log = arg;
    size_t used = strlen(log->text);
    snprintf(log->text + used, sizeof log->text - used, "%s=%s;", name, value);
    log->n++;
}

static void test_reports(void **state)
{
    (void)state;
    settings *s = new_settings();
    report_log log = {{0}, 0};
    settings_take_reports(s, collect_report, &log);
    assert_int_equal(log.n, 13);
    assert_string_equal(log.text,
                        "application_name=;client_encoding=UTF8;DateStyle=ISO, MDY;"
                        "default_transaction_read_only=off;in_hot_standby=off;"
                        "integer_datetimes=on;IntervalStyle=postgres;is_superuser=on;"
                        "server_encoding=UTF8;server_version=15.18;session_authorization=alice;"
                        "standard_conforming_strings=on;TimeZone=UTC;");
    memset(&log, 0, sizeof log);
    settings_take_reports(s, collect_report, &log);
    assert_int_equal(log.n, 0);
    /* a non-reported setting, a report setting set to its current value: nothing */
    set_ok(s, "work_mem", "8MB", SETTINGS_SESSION);
    set_ok(s, "datestyle", "iso", SETTINGS_SESSION);
    settings_take_reports(s, collect_report, &log);
    assert_int_equal(log.n, 0);
    set_ok(s, "timezone", "Europe/Paris", SETTINGS_SESSION);
    set_ok(s, "application_name", "app", SETTINGS_SESSION);
    settings_take_reports(s, collect_report, &log);
    assert_string_equal(log.text, "application_name=app;TimeZone=Europe/Paris;");
    /* changed and changed back before the next report: nothing */
    memset(&log, 0, sizeof log);
    settings_txn_begin(s);
    set_ok(s, "timezone", "UTC", SETTINGS_SESSION);
    settings_txn_rollback(s);
    settings_take_reports(s, collect_report, &log);
    assert_int_equal(log.n, 0);
    settings_destroy(s);
}

/* ---- start-up ---- */

static void test_startup(void **state)
{
    (void)state;
    settings *s = new_settings();
    settings_param params[] = {
        {"user", "alice"},
        {"database", "db"},
        {"application_name", "pgbench"},
        {"DateStyle", "ISO"},
        {"client_encoding", "UTF8"},
        {"extra_float_digits", "3"},
        {"TimeZone", "Europe/Paris"},
        {"options", "-c statement_timeout=5s --search-path=a,b -cwork_mem=1MB -c x.y=a\\ b"},
        {"_pq_.something", "1"},
    };
    sql_error err;
    assert_int_equal(settings_apply_startup(s, params, sizeof params / sizeof params[0], &err),
                     MICE_OK);
    assert_string_equal(show(s, "application_name"), "pgbench");
    assert_string_equal(show(s, "extra_float_digits"), "3");
    assert_string_equal(show(s, "statement_timeout"), "5s");
    assert_string_equal(show(s, "search_path"), "a,b");
    assert_string_equal(show(s, "work_mem"), "1MB");
    assert_string_equal(show(s, "x.y"), "a b");
    /* start-up values are what RESET goes back to */
    set_ok(s, "application_name", "other", SETTINGS_SESSION);
    set_ok(s, "work_mem", "2MB", SETTINGS_SESSION);
    settings_reset_all(s);
    assert_string_equal(show(s, "application_name"), "pgbench");
    assert_string_equal(show(s, "work_mem"), "1MB");
    assert_string_equal(show(s, "timezone"), "Europe/Paris");
    const sql_value_ctx *ctx = settings_value_ctx(s);
    assert_int_equal(ctx->extra_float_digits, 3);
    assert_non_null(ctx->dt.tz);
    assert_string_equal(tz_name(ctx->dt.tz), "Europe/Paris");
    settings_destroy(s);

    static const struct {
        settings_param p;
        const char *sqlstate, *message;
    } bad[] = {
        {{"foo", "1"}, "42704", "unrecognized configuration parameter \"foo\""},
        {{"server_version", "9.6"}, "55P02", "parameter \"server_version\" cannot be changed"},
        {{"client_encoding", "LATIN1"},
         "0A000",
         "invalid value for parameter \"client_encoding\": \"LATIN1\""},
        {{"options", "-c work_mem"}, "42601", "-c work_mem requires a value"},
        {{"options", "--work-mem"}, "42601", "--work-mem requires a value"},
        {{"options", "-B 100"}, "42601", "invalid command-line argument for server process: -B"},
        {{"options", "-c foo=1"}, "42704", "unrecognized configuration parameter \"foo\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = new_settings();
        assert_int_not_equal(settings_apply_startup(s, &bad[i].p, 1, &err), MICE_OK);
        assert_string_equal(err.sqlstate, bad[i].sqlstate);
        assert_string_equal(err.message, bad[i].message);
        settings_destroy(s);
    }
}

/* ---- functions, getters, value context ---- */

static void test_current_setting_and_set_config(void **state)
{
    (void)state;
    settings *s = new_settings();
    mice_buf b;
    buf_init(&b);
    bool is_null;
    sql_error err;
    assert_int_equal(settings_current_setting(s, "DATESTYLE", false, &b, &is_null, &err), MICE_OK);
    assert_false(is_null);
    assert_memory_equal(b.p, "ISO, MDY", b.n);
    assert_int_equal(settings_current_setting(s, "foo", false, &b, &is_null, &err), MICE_NOTFOUND);
    assert_string_equal(err.message, "unrecognized configuration parameter \"foo\"");
    assert_int_equal(settings_current_setting(s, "foo.bar", false, &b, &is_null, &err),
                     MICE_NOTFOUND);
    assert_string_equal(err.sqlstate, "42704");
    assert_int_equal(settings_current_setting(s, "foo.bar", true, &b, &is_null, &err), MICE_OK);
    assert_true(is_null);

    buf_reset(&b);
    assert_int_equal(settings_set_config(s, "work_mem", "8MB", false, &b, &err), MICE_OK);
    assert_int_equal(b.n, 3);
    assert_memory_equal(b.p, "8MB", 3);
    buf_reset(&b);
    /* is_local outside a block: the value comes back but nothing changes */
    assert_int_equal(settings_set_config(s, "work_mem", "16MB", true, &b, &err), MICE_OK);
    assert_memory_equal(b.p, "16MB", 4);
    assert_string_equal(show(s, "work_mem"), "8MB");
    buf_reset(&b);
    assert_int_equal(settings_set_config(s, "search_path", "a, B", false, &b, &err), MICE_OK);
    assert_string_equal(show(s, "search_path"), "a, B");
    buf_reset(&b);
    assert_int_equal(settings_set_config(s, "x.y", NULL, false, &b, &err), MICE_OK);
    assert_int_equal(b.n, 0);
    assert_int_not_equal(settings_set_config(s, "foo", "1", false, &b, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "42704");
    assert_int_not_equal(settings_set_config(s, "server_version", "1", false, &b, &err), MICE_OK);
    assert_string_equal(err.sqlstate, "55P02");
    buf_deinit(&b);
    settings_destroy(s);
}

static void test_getters(void **state)
{
    (void)state;
    settings *s = new_settings();
    assert_int_equal(settings_work_mem_bytes(s), 64u << 20);
    assert_int_equal(settings_statement_timeout_ms(s), 0);
    set_ok(s, "statement_timeout", "1.5s", SETTINGS_SESSION);
    set_ok(s, "lock_timeout", "1min", SETTINGS_SESSION);
    set_ok(s, "idle_in_transaction_session_timeout", "2h", SETTINGS_SESSION);
    set_ok(s, "work_mem", "1536kB", SETTINGS_SESSION);
    set_ok(s, "enable_seqscan", "off", SETTINGS_SESSION);
    set_ok(s, "default_transaction_read_only", "on", SETTINGS_SESSION);
    set_ok(s, "datestyle", "dmy", SETTINGS_SESSION);
    assert_int_equal(settings_statement_timeout_ms(s), 1500);
    assert_int_equal(settings_lock_timeout_ms(s), 60000);
    assert_int_equal(settings_idle_in_transaction_timeout_ms(s), 7200000);
    assert_int_equal(settings_work_mem_bytes(s), 1536 * 1024);
    assert_false(settings_get_bool(s, "enable_seqscan"));
    assert_true(settings_get_bool(s, "ENABLE_HASHJOIN"));
    assert_true(settings_default_read_only(s));
    assert_int_equal(settings_get_date_order(s), SETTINGS_DATE_DMY);
    /* DateStyle is relative to the current value: "iso" keeps DMY */
    set_ok(s, "datestyle", "iso", SETTINGS_SESSION);
    assert_string_equal(show(s, "datestyle"), "ISO, DMY");
    settings_txn_begin(s);
    assert_true(settings_txn_read_only(s));
    settings_txn_commit(s);

    mice_arena *a = arena_create(NULL, "t", 0);
    const char **names;
    size_t n;
    assert_int_equal(settings_search_path(s, a, &names, &n, NULL), MICE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "$user");
    assert_string_equal(names[1], "public");
    set_ok(s, "search_path", "Foo, \"Bar\"\"x\" , public", SETTINGS_SESSION);
    assert_int_equal(settings_search_path(s, a, &names, &n, NULL), MICE_OK);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "foo");
    assert_string_equal(names[1], "Bar\"x");
    assert_string_equal(names[2], "public");
    set_ok(s, "search_path", "", SETTINGS_SESSION);
    assert_int_equal(settings_search_path(s, a, &names, &n, NULL), MICE_OK);
    assert_int_equal(n, 0);
    arena_destroy(a);

    const sql_value_ctx *ctx = settings_value_ctx(s);
    assert_int_equal(ctx->extra_float_digits, 1);
    set_ok(s, "extra_float_digits", "-2", SETTINGS_SESSION);
    set_ok(s, "timezone", "-5.5", SETTINGS_SESSION);
    ctx = settings_value_ctx(s);
    assert_int_equal(ctx->extra_float_digits, -2);
    assert_non_null(ctx->dt.tz);
    assert_int_equal(tz_offset_at_utc(ctx->dt.tz, 0), -19800);
    settings_destroy(s);
}

/* ---- whole statements ---- */

typedef struct exec_case {
    const char *sql;
    const char *tag;
    const char *result;  /* SHOW: "column=value"; SET/RESET: "" */
    const char *warning; /* "" = none */
} exec_case;

static const exec_case exec_cases[] = {
    {"SET search_path = public, \"$user\"", "SET", "", ""},
    {"SHOW search_path", "SHOW", "search_path=public, \"$user\"", ""},
    {"SET search_path = a, 'B', \"C d\"", "SET", "", ""},
    {"SHOW search_path", "SHOW", "search_path=a, \"B\", \"C d\"", ""},
    {"SET search_path = 'a,b'", "SET", "", ""},
    {"SHOW search_path", "SHOW", "search_path=\"a,b\"", ""},
    {"SET search_path = ' a , b '", "SET", "", ""},
    {"SHOW search_path", "SHOW", "search_path=\" a , b \"", ""},
    {"SET search_path = ''", "SET", "", ""},
    {"SHOW search_path", "SHOW", "search_path=\"\"", ""},
    {"SET search_path TO DEFAULT", "SET", "", ""},
    {"SHOW search_path", "SHOW", "search_path=\"$user\", public", ""},
    {"SET datestyle = iso, ymd", "SET", "", ""},
    {"SHOW datestyle", "SHOW", "DateStyle=ISO, YMD", ""},
    {"RESET datestyle", "RESET", "", ""},
    {"SHOW DateStyle", "SHOW", "DateStyle=ISO, MDY", ""},
    {"SET TIME ZONE 'Europe/Paris'", "SET", "", ""},
    {"SHOW TIME ZONE", "SHOW", "TimeZone=Europe/Paris", ""},
    {"SET TIME ZONE 2", "SET", "", ""},
    {"SHOW timezone", "SHOW", "TimeZone=<+02>-02", ""},
    {"SET TIME ZONE -5.5", "SET", "", ""},
    {"SHOW timezone", "SHOW", "TimeZone=<-05:30>+05:30", ""},
    {"SET TIME ZONE LOCAL", "SET", "", ""},
    {"SHOW timezone", "SHOW", "TimeZone=UTC", ""},
    {"SET extra_float_digits = -3", "SET", "", ""},
    {"SHOW extra_float_digits", "SHOW", "extra_float_digits=-3", ""},
    {"SET SESSION statement_timeout TO 5000", "SET", "", ""},
    {"SHOW statement_timeout", "SHOW", "statement_timeout=5s", ""},
    {"SET jit = true", "SET", "", ""},
    {"SHOW jit", "SHOW", "jit=on", ""},
    {"SET jit = off", "SET", "", ""},
    {"SHOW jit", "SHOW", "jit=off", ""},
    {"SET NAMES 'UTF8'", "SET", "", ""},
    {"SHOW client_encoding", "SHOW", "client_encoding=UTF8", ""},
    {"SET LOCAL work_mem = '8MB'", "SET", "",
     "25P01 SET LOCAL can only be used in transaction blocks"},
    {"SHOW work_mem", "SHOW", "work_mem=64MB", ""},
    {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET", "",
     "25P01 SET TRANSACTION can only be used in transaction blocks"},
    {"SHOW TRANSACTION ISOLATION LEVEL", "SHOW", "transaction_isolation=read committed", ""},
    {"SET transaction_isolation TO DEFAULT", "SET", "",
     "25P01 RESET TRANSACTION can only be used in transaction blocks"},
    {"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ", "SET", "", ""},
    {"SHOW default_transaction_isolation", "SHOW", "default_transaction_isolation=repeatable read",
     ""},
    {"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "SET", "", ""},
    {"SHOW default_transaction_read_only", "SHOW", "default_transaction_read_only=on", ""},
    {"SET myapp.user_id = 42", "SET", "", ""},
    {"SHOW myapp.user_id", "SHOW", "myapp.user_id=42", ""},
    {"RESET ALL", "RESET", "", ""},
    {"SHOW default_transaction_read_only", "SHOW", "default_transaction_read_only=off", ""},
    {"SHOW myapp.user_id", "SHOW", "myapp.user_id=", ""},
};

static void exec_sql(settings *s, mice_arena *a, const char *sql, settings_result *res,
                     mice_status want, sql_error *err)
{
    sql_parse_result pr;
    sql_error perr;
    if (sql_parse(a, sql, strlen(sql), &pr, &perr)) fail_msg("%s: %s", sql, perr.message);
    assert_int_equal(pr.n_stmts, 1);
    mice_status rc = settings_exec(s, pr.stmts[0].stmt, a, res, err);
    if (rc != want) fail_msg("%s: status %d (%s %s)", sql, rc, err->sqlstate, err->message);
}

static void test_exec_statements(void **state)
{
    (void)state;
    settings *s = new_settings();
    mice_arena *a = arena_create(NULL, "t", 0);
    for (size_t i = 0; i < sizeof exec_cases / sizeof exec_cases[0]; i++) {
        const exec_case *c = &exec_cases[i];
        settings_result res;
        sql_error err;
        exec_sql(s, a, c->sql, &res, MICE_OK, &err);
        char got[512] = "", warned[SQL_ERROR_MSG_MAX + 16] = "";
        if (res.n_cols == 1) snprintf(got, sizeof got, "%s=%s", res.col_names[0], res.cells[0]);
        if (strcmp(res.warning.sqlstate, "00000") != 0)
            snprintf(warned, sizeof warned, "%s %s", res.warning.sqlstate, res.warning.message);
        if (strcmp(res.tag, c->tag) || strcmp(got, c->result) || strcmp(warned, c->warning))
            fail_msg("%s: got %s '%s' warning '%s'", c->sql, res.tag, got, warned);
    }
    arena_destroy(a);
    settings_destroy(s);
}

static void test_exec_errors_and_show_all(void **state)
{
    (void)state;
    settings *s = new_settings();
    mice_arena *a = arena_create(NULL, "t", 0);
    settings_result res;
    sql_error err;
    exec_sql(s, a, "SET foo.bar = 1, 2", &res, MICE_INVALID, &err);
    assert_string_equal(err.sqlstate, "22023");
    assert_string_equal(err.message, "SET foo.bar takes only one argument");
    exec_sql(s, a, "SET foo = 1", &res, MICE_NOTFOUND, &err);
    assert_string_equal(err.message, "unrecognized configuration parameter \"foo\"");
    exec_sql(s, a, "SHOW foo.baz", &res, MICE_NOTFOUND, &err);
    assert_string_equal(err.message, "unrecognized configuration parameter \"foo.baz\"");
    exec_sql(s, a, "RESET server_version", &res, MICE_INVALID, &err);
    assert_string_equal(err.sqlstate, "55P02");
    exec_sql(s, a, "SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE", &res, MICE_UNSUPPORTED, &err);
    assert_string_equal(err.sqlstate, "0A000");

    settings_txn_begin(s);
    exec_sql(s, a, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", &res, MICE_OK, &err);
    assert_string_equal(res.warning.sqlstate, "00000");
    exec_sql(s, a, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY", &res, MICE_OK, &err);
    assert_int_equal(settings_txn_isolation(s), SETTINGS_SERIALIZABLE);
    assert_true(settings_txn_read_only(s));
    settings_txn_mark_query(s);
    exec_sql(s, a, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED", &res, MICE_INVALID, &err);
    assert_string_equal(err.sqlstate, "25001");
    assert_string_equal(err.message,
                        "SET TRANSACTION ISOLATION LEVEL must be called before any query");
    exec_sql(s, a, "SET TRANSACTION READ WRITE", &res, MICE_INVALID, &err);
    assert_string_equal(err.message, "transaction read-write mode must be set before any query");
    settings_txn_rollback(s);

    exec_sql(s, a, "SHOW ALL", &res, MICE_OK, &err);
    assert_int_equal(res.n_cols, 3);
    assert_string_equal(res.col_names[0], "name");
    assert_string_equal(res.col_names[1], "setting");
    assert_string_equal(res.col_names[2], "description");
    /* PostgreSQL's order ignores case; is_superuser and session_authorization are hidden */
    bool saw_datestyle = false;
    for (uint32_t r = 0; r < res.n_rows; r++) {
        const char **row = &res.cells[r * 3];
        assert_string_not_equal(row[0], "is_superuser");
        assert_string_not_equal(row[0], "session_authorization");
        if (r) assert_true(strcasecmp(res.cells[(r - 1) * 3], row[0]) < 0);
        if (strcmp(row[0], "DateStyle") == 0) {
            saw_datestyle = true;
            assert_string_equal(row[1], "ISO, MDY");
            assert_string_equal(row[2], "Sets the display format for date and time values.");
        }
    }
    assert_true(saw_datestyle);
    assert_string_equal(res.cells[0], "application_name");
    assert_string_equal(res.cells[2],
                        "Sets the application name to be reported in statistics and logs.");
    arena_destroy(a);
    settings_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_accepted_values),
        cmocka_unit_test(test_refused_values),
        cmocka_unit_test(test_superuser_only),
        cmocka_unit_test(test_rollback_reverts),
        cmocka_unit_test(test_set_local),
        cmocka_unit_test(test_reset_all),
        cmocka_unit_test(test_transaction_isolation),
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_startup),
        cmocka_unit_test(test_current_setting_and_set_config),
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_exec_statements),
        cmocka_unit_test(test_exec_errors_and_show_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
