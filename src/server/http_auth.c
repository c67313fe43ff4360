/* Authentication of HTTP API requests (see http_auth.h). */
#include "server/http_auth.h"

#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/log.h"
#include "server/http_json.h"
#include "server/scram.h"

enum { HTTP_AUTH_PASSWORD_MAX = 1024, AUTH_ARENA_BYTES = 64 * 1024 };

#define AUTH_REALM "Basic realm=\"micedb\", charset=\"UTF-8\""

bool http_auth_parse_basic(const char *header, char *user, size_t user_cap, char *password,
                           size_t pass_cap)
{
    if (!header || strncasecmp(header, "Basic ", 6) != 0) return false;
    const char *b64 = header + 6;
    while (*b64 == ' ')
        b64++;
    size_t n = strlen(b64);
    while (n && b64[n - 1] == ' ')
        n--;
    uint8_t raw[HTTP_AUTH_USER_MAX + HTTP_AUTH_PASSWORD_MAX + 2];
    size_t raw_n = 0;
    if (!scram_base64_decode(mice_slice_of(b64, n), raw, sizeof raw, &raw_n)) return false;
    const uint8_t *colon = memchr(raw, ':', raw_n);
    if (!colon) return false;
    size_t un = (size_t)(colon - raw), pn = raw_n - un - 1;
    if (un == 0 || un >= user_cap || pn >= pass_cap) return false;
    if (memchr(raw, 0, raw_n)) return false; /* names and passwords are C strings below */
    memcpy(user, raw, un);
    user[un] = '\0';
    memcpy(password, colon + 1, pn);
    password[pn] = '\0';
    return true;
}

typedef struct identity {
    bool exists, login;
    char verifier[512]; /* "" = no password */
} identity;

static mice_status read_identity(const http_auth *a, const char *user, identity *out,
                                 sql_error *err)
{
    memset(out, 0, sizeof *out);
    mice_arena *arena = arena_create(NULL, "http auth", AUTH_ARENA_BYTES);
    txn *t = txn_begin(a->db, TXN_READ_COMMITTED);
    catalog_txn ct;
    catalog_txn_init(&ct, a->cat, t);
    catalog_user *u = NULL;
    mice_status rc = catalog_statement_begin(&ct, err);
    if (rc == MICE_OK) rc = catalog_get_user(&ct, user, arena, &u, err);
    if (rc == MICE_OK) {
        out->exists = true;
        out->login = u->login;
        if (u->password && strlen(u->password) < sizeof out->verifier)
            strcpy(out->verifier, u->password);
    }
    if (rc == MICE_NOTFOUND) rc = MICE_OK;
    mice_err me;
    txn_rollback(t, &me);
    txn_destroy(t);
    arena_destroy(arena);
    return rc;
}

static bool password_matches(const char *verifier, const char *password)
{
    scram_verifier v;
    mice_err err;
    bool match = false;
    if (scram_verifier_parse(mice_slice_str(verifier), &v, &err)) {
        log_warn("http: unparsable password verifier: %s", mice_err_msg(&err));
        return false;
    }
    if (scram_verifier_check_password(&v, password, &match, &err)) return false;
    return match;
}

static bool deny(http_response *resp, const char *code, const char *msg)
{
    http_respond_error(resp, 401, code, "%s", msg);
    http_response_header(resp, "WWW-Authenticate", AUTH_REALM);
    return false;
}

bool http_auth_check(const http_auth *a, const http_request *req, http_response *resp, char *user)
{
    if (!http_request_peer_is_loopback(req)) {
        http_respond_error(resp, 403, "28000",
                           "this node serves loopback clients only (insecure mode)");
        return false;
    }
    char password[HTTP_AUTH_PASSWORD_MAX + 1] = "";
    const char *header = http_request_header(req, "Authorization");
    bool has_credentials = header != NULL;
    if (has_credentials &&
        !http_auth_parse_basic(header, user, HTTP_AUTH_USER_MAX, password, sizeof password))
        return deny(resp, "28000", "malformed Authorization header: HTTP Basic expected");
    if (!has_credentials) strcpy(user, "root");
    identity id;
    sql_error err;
    sqlerr_clear(&err);
    if (read_identity(a, user, &id, &err)) {
        http_respond_error(resp, http_json_status_for_sqlstate(err.sqlstate), err.sqlstate, "%s",
                           err.message);
        return false;
    }
    bool ok = id.exists && id.login && (!id.verifier[0] || password_matches(id.verifier, password));
    explicit_bzero(password, sizeof password);
    if (ok) return true;
    if (id.exists && id.login)
        return deny(resp, "28P01",
                    has_credentials ? "password authentication failed"
                                    : "this user needs a password (HTTP Basic)");
    return deny(resp, "28000", "authentication failed");
}
