/*
 * pgsession_role.c - CREATE / ALTER / DROP USER and ROLE, run by the session itself.
 *
 * Users live in the catalog (catalog_create_user and friends) with the flags it keeps:
 * superuser, login, and the password as a SCRAM-SHA-256 verifier in PostgreSQL's text
 * form. A password is hashed here (scram.h, 4096 iterations, random salt) before the
 * statement runs, so the KV transaction never waits on PBKDF2; one already given as a
 * "SCRAM-SHA-256$..." verifier is stored as is, as PostgreSQL does (dumps restore). The
 * other role options PostgreSQL accepts (CREATEDB, CREATEROLE, INHERIT, REPLICATION,
 * BYPASSRLS, CONNECTION LIMIT, VALID UNTIL, SYSID) are accepted and not stored: there are
 * no grants yet, so they change nothing. Role membership (IN ROLE, ROLE, ADMIN) is refused.
 *
 * As PostgreSQL: CREATE USER implies LOGIN, CREATE ROLE/GROUP NOLOGIN; the command tags are
 * CREATE ROLE, ALTER ROLE and DROP ROLE whichever keyword was used; an empty password
 * clears it with a NOTICE. Privileges, simplified: only superusers create, alter and drop
 * roles (42501), except that anyone may change their own password.
 *
 * The statement runs in the session's transaction (implicit or the open block) like any
 * DDL, under txn_run_statement, so a READ COMMITTED restart re-runs it whole; NOTICEs are
 * sent once it succeeded.
 */
#include <stdio.h>
#include <string.h>

#include "base/check.h"
#include "server/pgsession_int.h"
#include "server/scram.h"
#include "txn/txn.h"

#define SQLSTATE_INSUFFICIENT_PRIVILEGE "42501"
#define SQLSTATE_SYNTAX_ERROR_ROLE "42601"
#define SQLSTATE_UNDEFINED_OBJECT_ROLE "42704"
#define SQLSTATE_RESERVED_NAME "42939"
#define SQLSTATE_OBJECT_IN_USE "55006"
#define SQLSTATE_NOT_SUPPORTED_ROLE "0A000"
#define SQLSTATE_NOTICE_OK "00000"

enum { ROLE_OPTS_MAX = 16, ROLE_DROP_SKIPPED_MAX = 64 };

/* The options of one CREATE/ALTER statement, checked and with the password hashed. */
typedef struct role_opts {
    bool has_password, has_superuser, has_login, other; /* other: accepted, not stored */
    const char *password; /* verifier text; NULL: PASSWORD NULL */
    bool superuser, login;
    bool password_cleared; /* PASSWORD '': NOTICE */
} role_opts;

/* One statement's run under txn_run_statement. */
typedef struct role_run {
    pgs_session *s;
    const ast_node *ast;
    const role_opts *opts;
    mice_arena *arena;
    sql_error *err;
    const char *skipped[ROLE_DROP_SKIPPED_MAX]; /* DROP IF EXISTS of unknown roles */
    uint32_t n_skipped;
} role_run;

bool pgs__is_role_stmt(const ast_node *n)
{
    return n->kind == AST_CREATE_ROLE || n->kind == AST_ALTER_ROLE || n->kind == AST_DROP_ROLE;
}

/* ---------------------------------------------------------------- options */

static mice_status bool_arg(const ast_node *d, bool *out, sql_error *err)
{
    const ast_node *a = d->u.def_elem.arg;
    if (!a || a->kind != AST_CONST || a->u.konst.ck != AST_CONST_BOOL)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR_ROLE,
                          "invalid value for role option \"%s\"", d->u.def_elem.name);
    *out = a->u.konst.bval;
    return MICE_OK;
}

/* The verifier to store for a password: as given when it already is one, else made. */
static mice_status password_verifier(const char *password, mice_arena *a, const char **out,
                                     sql_error *err)
{
    scram_verifier v;
    mice_err me;
    mice_err_clear(&me);
    if (!strncmp(password, SCRAM_MECHANISM "$", strlen(SCRAM_MECHANISM) + 1) &&
        scram_verifier_parse(mice_slice_str(password), &v, &me) == MICE_OK) {
        *out = arena_strdup(a, password);
        return MICE_OK;
    }
    mice_status rc = scram_verifier_make(password, (mice_slice){0}, 0, &v, &me);
    if (rc) return sqlerr_set(err, rc, SQLSTATE_INTERNAL_ERROR, "could not hash password: %s", me.msg);
    mice_buf text;
    buf_init(&text);
    scram_verifier_format(&v, &text);
    *out = arena_sprintf(a, "%.*s", (int)text.n, (const char *)text.p);
    buf_deinit(&text);
    return MICE_OK;
}

static mice_status password_opt(const ast_node *d, mice_arena *a, role_opts *o, sql_error *err)
{
    const ast_node *arg = d->u.def_elem.arg;
    o->has_password = true;
    o->password = NULL;
    if (!arg || (arg->kind == AST_CONST && arg->u.konst.ck == AST_CONST_NULL)) return MICE_OK;
    if (arg->kind != AST_CONST || arg->u.konst.ck != AST_CONST_STRING)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR_ROLE, "invalid password");
    if (!arg->u.konst.text[0]) {
        o->password_cleared = true; /* PostgreSQL: the empty string clears the password */
        return MICE_OK;
    }
    return password_verifier(arg->u.konst.text, a, &o->password, err);
}

static bool is_accepted_ignored(const char *name)
{
    static const char *const names[] = {"createdb", "createrole", "inherit",    "isreplication",
                                        "bypassrls", "connectionlimit", "validUntil", "sysid"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) return true;
    return false;
}

static mice_status one_opt(const ast_node *d, mice_arena *a, role_opts *o, sql_error *err)
{
    const char *name = d->u.def_elem.name;
    if (!strcmp(name, "password")) return password_opt(d, a, o, err);
    if (!strcmp(name, "superuser")) {
        o->has_superuser = true;
        return bool_arg(d, &o->superuser, err);
    }
    if (!strcmp(name, "canlogin")) {
        o->has_login = true;
        return bool_arg(d, &o->login, err);
    }
    if (is_accepted_ignored(name)) {
        o->other = true;
        return MICE_OK;
    }
    if (!strcmp(name, "rolemembers") || !strcmp(name, "adminmembers") || !strcmp(name, "addroleto"))
        return sqlerr_set(err, MICE_UNSUPPORTED, SQLSTATE_NOT_SUPPORTED_ROLE,
                          "role membership is not supported");
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR_ROLE, "unrecognized role option \"%s\"",
                      name);
}

static mice_status parse_opts(const ast_list *l, mice_arena *a, role_opts *o, sql_error *err)
{
    memset(o, 0, sizeof *o);
    for (uint32_t i = 0; i < l->n; i++) {
        const ast_node *d = l->items[i];
        mice_assert(d->kind == AST_DEF_ELEM);
        for (uint32_t j = 0; j < i; j++) /* PostgreSQL: each option at most once */
            if (!strcmp(l->items[j]->u.def_elem.name, d->u.def_elem.name))
                return sqlerr_set(err, MICE_INVALID, SQLSTATE_SYNTAX_ERROR_ROLE,
                                  "conflicting or redundant options");
        mice_status rc = one_opt(d, a, o, err);
        if (rc) return rc;
    }
    return MICE_OK;
}

/* ---------------------------------------------------------------- names and privileges */

/* The name a role specification means; NULL (with err) for PUBLIC. */
static const char *role_name(const pgs_session *s, const ast_node *spec, sql_error *err)
{
    mice_assert(spec->kind == AST_ROLE_SPEC);
    switch (spec->u.role_spec.rk) {
    case AST_ROLESPEC_NAME: return spec->u.role_spec.name;
    case AST_ROLESPEC_PUBLIC:
        sqlerr_set(err, MICE_NOTFOUND, SQLSTATE_UNDEFINED_OBJECT_ROLE, "role \"public\" does not exist");
        return NULL;
    default: return s->user; /* CURRENT_USER, CURRENT_ROLE, SESSION_USER: no SET ROLE yet */
    }
}

static mice_status denied(sql_error *err, const char *what)
{
    return sqlerr_set(err, MICE_INVALID, SQLSTATE_INSUFFICIENT_PRIVILEGE, "permission denied%s", what);
}

/* ---------------------------------------------------------------- the statements */

static mice_status create_role(role_run *r)
{
    const ast_create_role *c = &r->ast->u.create_role;
    const role_opts *o = r->opts;
    if (!strncmp(c->name, "pg_", 3))
        return sqlerr_set(r->err, MICE_INVALID, SQLSTATE_RESERVED_NAME,
                          "role name \"%s\" is reserved", c->name);
    catalog_user u = {.name = c->name,
                      .superuser = o->has_superuser && o->superuser,
                      .login = o->has_login ? o->login : c->rs == AST_ROLE_STMT_USER,
                      .password = o->has_password ? o->password : NULL};
    return catalog_create_user(&r->s->ct, &u, r->err);
}

static mice_status alter_role(role_run *r)
{
    const role_opts *o = r->opts;
    const char *name = role_name(r->s, r->ast->u.alter_role.role, r->err);
    if (!name) return r->err->code;
    catalog_user *u = NULL;
    mice_status rc = catalog_get_user(&r->s->ct, name, r->arena, &u, r->err);
    if (rc == MICE_NOTFOUND)
        return sqlerr_set(r->err, rc, SQLSTATE_UNDEFINED_OBJECT_ROLE, "role \"%s\" does not exist",
                          name);
    if (rc) return rc;
    if (o->has_superuser) u->superuser = o->superuser;
    if (o->has_login) u->login = o->login;
    if (o->has_password) u->password = o->password;
    return catalog_alter_user(&r->s->ct, u, r->err);
}

static mice_status drop_roles(role_run *r)
{
    const ast_drop_role *d = &r->ast->u.drop_role;
    r->n_skipped = 0;
    for (uint32_t i = 0; i < d->roles.n; i++) {
        const char *name = role_name(r->s, d->roles.items[i], r->err);
        if (!name) return r->err->code;
        if (!strcmp(name, r->s->user))
            return sqlerr_set(r->err, MICE_INVALID, SQLSTATE_OBJECT_IN_USE,
                              "current user cannot be dropped");
        mice_status rc = catalog_drop_user(&r->s->ct, name, r->err);
        if (rc == MICE_NOTFOUND && d->missing_ok) {
            sqlerr_clear(r->err);
            if (r->n_skipped < ROLE_DROP_SKIPPED_MAX) r->skipped[r->n_skipped++] = name;
            continue;
        }
        if (rc) return rc;
    }
    return MICE_OK;
}

static mice_status role_stmt_fn(txn *t, void *ctx, mice_err *me)
{
    (void)t;
    (void)me;
    role_run *r = ctx;
    sqlerr_clear(r->err);
    mice_status rc = catalog_statement_begin(&r->s->ct, r->err);
    if (rc) return rc;
    switch (r->ast->kind) {
    case AST_CREATE_ROLE: return create_role(r);
    case AST_ALTER_ROLE: return alter_role(r);
    default: return drop_roles(r);
    }
}

/* Who may run it: superusers; others only to change their own password. */
static mice_status check_privilege(const pgs_session *s, const ast_node *n, const role_opts *o,
                                   sql_error *err)
{
    if (s->superuser) return MICE_OK;
    if (n->kind == AST_CREATE_ROLE) return denied(err, " to create role");
    if (n->kind == AST_DROP_ROLE) return denied(err, " to drop role");
    const ast_node *spec = n->u.alter_role.role;
    bool self = spec->u.role_spec.rk != AST_ROLESPEC_PUBLIC &&
                (spec->u.role_spec.rk != AST_ROLESPEC_NAME || !strcmp(spec->u.role_spec.name, s->user));
    if (self && o->has_password && !o->has_superuser && !o->has_login && !o->other) return MICE_OK;
    return denied(err, "");
}

static mice_status send_notice(pgb_sink *sink, const char *msg)
{
    if (!sink) return MICE_OK;
    pgb_error pe = {.severity = "NOTICE", .sqlstate = SQLSTATE_NOTICE_OK, .message = msg};
    return pgb_sink_notice(sink, &pe);
}

mice_status pgs__run_role(pgs_session *s, pgs_run *r, sql_error *err)
{
    const ast_node *n = r->ast;
    mice_assert(pgs__is_role_stmt(n));
    snprintf(r->tag, sizeof r->tag, "%s",
             n->kind == AST_CREATE_ROLE ? "CREATE ROLE" : n->kind == AST_ALTER_ROLE ? "ALTER ROLE"
                                                                                   : "DROP ROLE");
    role_opts o = {0};
    mice_status rc = MICE_OK;
    if (n->kind == AST_CREATE_ROLE) rc = parse_opts(&n->u.create_role.options, r->arena, &o, err);
    if (n->kind == AST_ALTER_ROLE) rc = parse_opts(&n->u.alter_role.options, r->arena, &o, err);
    if (rc == MICE_OK) rc = check_privilege(s, n, &o, err);
    if (rc) return rc;
    pgs__txn_for_query(s);
    role_run run = {.s = s, .ast = n, .opts = &o, .arena = r->arena, .err = err};
    mice_err me;
    mice_err_clear(&me);
    rc = txn_run_statement(s->t, role_stmt_fn, &run, &me);
    if (rc && (!err->sqlstate[0] || !strcmp(err->sqlstate, SQLSTATE_SUCCESS)))
        sqlerr_set(err, rc, txn_sqlstate(rc), "%s", me.msg[0] ? me.msg : mice_status_str(rc));
    if (rc) return rc;
    if (o.password_cleared)
        rc = send_notice(r->sink, "empty string is not a valid password, clearing password");
    for (uint32_t i = 0; rc == MICE_OK && i < run.n_skipped; i++) {
        char msg[MICE_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "role \"%s\" does not exist, skipping", run.skipped[i]);
        rc = send_notice(r->sink, msg);
    }
    return rc; /* MICE_CLOSED: the client is gone */
}
