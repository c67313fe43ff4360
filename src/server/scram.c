#include "server/scram.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "base/check.h"

enum {
    CLIENT_ITERATIONS_MAX = 1 << 24, /* a hostile server must not pin the client's CPU */
    NONCE_TEXT_MAX_BYTES = 256,
};

#define VERIFIER_PREFIX "SCRAM-SHA-256$"

/* ---------------------------------------------------------------- base64 */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void scram_base64_encode(const uint8_t *p, size_t n, mice_buf *out)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        char q[4] = {b64_alphabet[v >> 18 & 63], b64_alphabet[v >> 12 & 63],
                     i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=',
                     i + 2 < n ? b64_alphabet[v & 63] : '='};
        buf_append(out, q, 4);
    }
}

static int b64_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool scram_base64_decode(mice_slice text, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (text.n % 4) return false;
    size_t n = 0;
    for (size_t i = 0; i < text.n; i += 4) {
        const uint8_t *q = text.p + i;
        bool last = i + 4 == text.n;
        int pad = 0;
        if (last && q[3] == '=') pad = q[2] == '=' ? 2 : 1;
        uint32_t v = 0;
        for (int k = 0; k < 4; k++) {
            int d = k >= 4 - pad ? 0 : b64_value(q[k]);
            if (d < 0) return false;
            v = v << 6 | (uint32_t)d;
        }
        size_t take = 3 - (size_t)pad;
        if (n + take > out_cap) return false;
        uint8_t bytes[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        memcpy(out + n, bytes, take);
        n += take;
    }
    *out_len = n;
    return true;
}

/* ---------------------------------------------------------------- crypto helpers */

static mice_status hmac256(const uint8_t *key, size_t key_len, const void *data, size_t n,
                           uint8_t out[SCRAM_KEY_BYTES], mice_err *err)
{
    unsigned int out_len = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_len, data, n, out, &out_len) ||
        out_len != SCRAM_KEY_BYTES)
        return mice_err_setf(err, MICE_INTERNAL, "HMAC-SHA-256 failed");
    return MICE_OK;
}

static mice_status random_bytes(uint8_t *p, size_t n, mice_err *err)
{
    if (RAND_bytes(p, (int)n) != 1) return mice_err_setf(err, MICE_INTERNAL, "RAND_bytes failed");
    return MICE_OK;
}

/* SaltedPassword -> (StoredKey, ServerKey), and optionally ClientKey. */
static mice_status derive_keys(const char *password, size_t password_len, const uint8_t *salt,
                               size_t salt_len, int32_t iterations,
                               uint8_t client_key[SCRAM_KEY_BYTES],
                               uint8_t stored_key[SCRAM_KEY_BYTES],
                               uint8_t server_key[SCRAM_KEY_BYTES], mice_err *err)
{
    uint8_t salted[SCRAM_KEY_BYTES];
    mice_status rc = MICE_OK;
    if (PKCS5_PBKDF2_HMAC(password, (int)password_len, salt, (int)salt_len, iterations,
                          EVP_sha256(), SCRAM_KEY_BYTES, salted) != 1) {
        rc = mice_err_setf(err, MICE_INTERNAL, "PBKDF2 failed");
        goto done;
    }
    if ((rc = hmac256(salted, sizeof salted, "Client Key", 10, client_key, err))) goto done;
    SHA256(client_key, SCRAM_KEY_BYTES, stored_key);
    rc = hmac256(salted, sizeof salted, "Server Key", 10, server_key, err);
done:
    OPENSSL_cleanse(salted, sizeof salted);
    return rc;
}

/* ---------------------------------------------------------------- verifiers */

mice_status scram_verifier_make(const char *password, mice_slice salt, int32_t iterations,
                                scram_verifier *out, mice_err *err)
{
    memset(out, 0, sizeof *out);
    out->iterations = iterations > 0 ? iterations : SCRAM_ITERATIONS_DEFAULT;
    mice_status rc;
    if (salt.n == 0) {
        out->salt_len = SCRAM_SALT_BYTES_DEFAULT;
        if ((rc = random_bytes(out->salt, out->salt_len, err))) return rc;
    } else {
        if (salt.n > SCRAM_SALT_MAX_BYTES)
            return mice_err_setf(err, MICE_INVALID, "salt longer than %d bytes",
                                 SCRAM_SALT_MAX_BYTES);
        memcpy(out->salt, salt.p, salt.n);
        out->salt_len = salt.n;
    }
    uint8_t client_key[SCRAM_KEY_BYTES];
    rc = derive_keys(password, strlen(password), out->salt, out->salt_len, out->iterations,
                     client_key, out->stored_key, out->server_key, err);
    OPENSSL_cleanse(client_key, sizeof client_key);
    return rc;
}

void scram_verifier_format(const scram_verifier *v, mice_buf *out)
{
    buf_printf(out, VERIFIER_PREFIX "%d:", (int)v->iterations);
    scram_base64_encode(v->salt, v->salt_len, out);
    buf_append_u8(out, '$');
    scram_base64_encode(v->stored_key, SCRAM_KEY_BYTES, out);
    buf_append_u8(out, ':');
    scram_base64_encode(v->server_key, SCRAM_KEY_BYTES, out);
}

/* Split s at the first occurrence of sep: head before, s after. */
static bool split_at(mice_slice *s, uint8_t sep, mice_slice *head)
{
    const uint8_t *at = s->n ? memchr(s->p, sep, s->n) : NULL;
    if (!at) return false;
    *head = mice_slice_of(s->p, (size_t)(at - s->p));
    s->n -= head->n + 1;
    s->p = at + 1;
    return true;
}

static bool parse_positive_int(mice_slice s, int32_t max, int32_t *out)
{
    if (s.n == 0 || s.n > 10) return false;
    int64_t v = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') return false;
        v = v * 10 + (s.p[i] - '0');
    }
    if (v < 1 || v > max) return false;
    *out = (int32_t)v;
    return true;
}

static bool decode_key(mice_slice text, uint8_t out[SCRAM_KEY_BYTES])
{
    size_t n = 0;
    return scram_base64_decode(text, out, SCRAM_KEY_BYTES, &n) && n == SCRAM_KEY_BYTES;
}

mice_status scram_verifier_parse(mice_slice text, scram_verifier *out, mice_err *err)
{
    memset(out, 0, sizeof *out);
    mice_slice prefix = MICE_SLICE_LIT(VERIFIER_PREFIX);
    if (!mice_slice_has_prefix(text, prefix))
        return mice_err_setf(err, MICE_CORRUPT, "not a SCRAM-SHA-256 verifier");
    mice_slice rest = mice_slice_of(text.p + prefix.n, text.n - prefix.n);
    mice_slice iter, salt, stored;
    if (!split_at(&rest, ':', &iter) || !split_at(&rest, '$', &salt) ||
        !split_at(&rest, ':', &stored))
        return mice_err_setf(err, MICE_CORRUPT, "malformed SCRAM verifier");
    if (!parse_positive_int(iter, INT32_MAX, &out->iterations))
        return mice_err_setf(err, MICE_CORRUPT, "bad iteration count in SCRAM verifier");
    if (!scram_base64_decode(salt, out->salt, sizeof out->salt, &out->salt_len) ||
        out->salt_len == 0)
        return mice_err_setf(err, MICE_CORRUPT, "bad salt in SCRAM verifier");
    if (!decode_key(stored, out->stored_key) || !decode_key(rest, out->server_key))
        return mice_err_setf(err, MICE_CORRUPT, "bad key in SCRAM verifier");
    return MICE_OK;
}

mice_status scram_verifier_check_password(const scram_verifier *v, const char *password,
                                          bool *match, mice_err *err)
{
    uint8_t client_key[SCRAM_KEY_BYTES], stored[SCRAM_KEY_BYTES], server[SCRAM_KEY_BYTES];
    *match = false;
    mice_status rc = derive_keys(password, strlen(password), v->salt, v->salt_len, v->iterations,
                                 client_key, stored, server, err);
    if (rc == MICE_OK)
        *match = CRYPTO_memcmp(stored, v->stored_key, SCRAM_KEY_BYTES) == 0 &&
                 CRYPTO_memcmp(server, v->server_key, SCRAM_KEY_BYTES) == 0;
    OPENSSL_cleanse(client_key, sizeof client_key);
    return rc;
}

/* ---------------------------------------------------------------- message parsing */

/* Read "<name>=<value>" up to the next ',' (consumed) or the end. */
static bool read_attr(mice_slice *s, char name, mice_slice *value)
{
    if (s->n < 2 || s->p[0] != (uint8_t)name || s->p[1] != '=') return false;
    mice_slice rest = mice_slice_of(s->p + 2, s->n - 2);
    if (split_at(&rest, ',', value)) {
        *s = rest;
    } else {
        *value = rest;
        *s = mice_slice_of(rest.p + rest.n, 0);
    }
    return true;
}

/* RFC 5802 printable: 0x21..0x7E except ','. */
static bool is_printable_nonce(mice_slice s)
{
    if (s.n == 0 || s.n > NONCE_TEXT_MAX_BYTES) return false;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < 0x21 || s.p[i] > 0x7e || s.p[i] == ',') return false;
    return true;
}

static bool has_nul(mice_slice s)
{
    return s.n && memchr(s.p, 0, s.n) != NULL;
}

/* ---------------------------------------------------------------- server */

void scram_server_init(scram_server *s, const scram_verifier *v, mice_slice server_nonce)
{
    memset(s, 0, sizeof *s);
    s->state = SCRAM_SERVER_EXPECT_FIRST;
    s->mock = v == NULL;
    if (v) s->v = *v;
    buf_init(&s->injected_nonce);
    buf_init(&s->client_first_bare);
    buf_init(&s->server_first);
    buf_init(&s->nonce);
    if (server_nonce.n) {
        mice_assert(is_printable_nonce(server_nonce)); /* injected by our own tests */
        buf_append_slice(&s->injected_nonce, server_nonce);
    }
}

void scram_server_deinit(scram_server *s)
{
    buf_deinit(&s->injected_nonce);
    buf_deinit(&s->client_first_bare);
    buf_deinit(&s->server_first);
    buf_deinit(&s->nonce);
    OPENSSL_cleanse(&s->v, sizeof s->v);
}

static mice_status server_fail(scram_server *s, mice_err *err, mice_status code, const char *what)
{
    s->state = SCRAM_SERVER_FAILED;
    return mice_err_setf(err, code, "%s", what);
}

/* gs2 header: "n,," or "y,,"; leaves *in at client-first-message-bare. */
static mice_status parse_gs2_header(scram_server *s, mice_slice *in, mice_err *err)
{
    if (in->n >= 1 && in->p[0] == 'p')
        return server_fail(s, err, MICE_INVALID,
                           "client requires SCRAM channel binding, but it is not supported");
    if (in->n < 3 || (in->p[0] != 'n' && in->p[0] != 'y') || in->p[1] != ',')
        return server_fail(s, err, MICE_INVALID,
                           "malformed SCRAM message: unexpected channel-binding flag");
    if (in->p[2] == 'a')
        return server_fail(s, err, MICE_INVALID,
                           "client uses authorization identity, but it is not supported");
    if (in->p[2] != ',')
        return server_fail(s, err, MICE_INVALID, "malformed SCRAM message: bad gs2 header");
    s->cbind_flag = (char)in->p[0];
    in->p += 3;
    in->n -= 3;
    return MICE_OK;
}

static mice_status make_server_nonce(scram_server *s, mice_buf *out, mice_err *err)
{
    if (s->injected_nonce.n) {
        buf_append_slice(out, buf_slice(&s->injected_nonce));
        return MICE_OK;
    }
    uint8_t raw[SCRAM_NONCE_RAW_BYTES];
    mice_status rc = random_bytes(raw, sizeof raw, err);
    if (rc) return rc;
    scram_base64_encode(raw, sizeof raw, out);
    return MICE_OK;
}

/* A mock exchange still needs a salt that looks real. */
static mice_status make_mock_salt(scram_server *s, mice_err *err)
{
    s->v.iterations = SCRAM_ITERATIONS_DEFAULT;
    s->v.salt_len = SCRAM_SALT_BYTES_DEFAULT;
    if (!s->injected_nonce.n) return random_bytes(s->v.salt, s->v.salt_len, err);
    uint8_t digest[SHA256_DIGEST_LENGTH]; /* deterministic for tests */
    SHA256(s->injected_nonce.p, s->injected_nonce.n, digest);
    memcpy(s->v.salt, digest, s->v.salt_len);
    return MICE_OK;
}

mice_status scram_server_first(scram_server *s, mice_slice in, mice_buf *out, mice_err *err)
{
    if (s->state != SCRAM_SERVER_EXPECT_FIRST)
        return server_fail(s, err, MICE_INVALID, "unexpected SCRAM client-first-message");
    if (has_nul(in)) return server_fail(s, err, MICE_INVALID, "malformed SCRAM message: NUL");
    mice_status rc = parse_gs2_header(s, &in, err);
    if (rc) return rc;
    buf_append_slice(&s->client_first_bare, in);
    if (in.n >= 2 && in.p[0] == 'm' && in.p[1] == '=')
        return server_fail(s, err, MICE_INVALID, "client requires an unsupported SCRAM extension");
    mice_slice user, client_nonce;
    if (!read_attr(&in, 'n', &user))
        return server_fail(s, err, MICE_INVALID, "malformed SCRAM message: expected n=");
    if (!read_attr(&in, 'r', &client_nonce) || !is_printable_nonce(client_nonce))
        return server_fail(s, err, MICE_INVALID, "malformed SCRAM message: bad client nonce");
    /* Optional extensions after r= are allowed and ignored (RFC 5802 section 7). */
    buf_append_slice(&s->nonce, client_nonce);
    if ((s->mock && (rc = make_mock_salt(s, err))) || (rc = make_server_nonce(s, &s->nonce, err))) {
        s->state = SCRAM_SERVER_FAILED;
        return rc;
    }
    buf_append_str(&s->server_first, "r=");
    buf_append_slice(&s->server_first, buf_slice(&s->nonce));
    buf_append_str(&s->server_first, ",s=");
    scram_base64_encode(s->v.salt, s->v.salt_len, &s->server_first);
    buf_printf(&s->server_first, ",i=%d", (int)s->v.iterations);
    buf_append_slice(out, buf_slice(&s->server_first));
    s->state = SCRAM_SERVER_EXPECT_FINAL;
    return MICE_OK;
}

/* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
static void auth_message(mice_buf *am, mice_slice first_bare, mice_slice server_first,
                         mice_slice final_without_proof)
{
    buf_append_slice(am, first_bare);
    buf_append_u8(am, ',');
    buf_append_slice(am, server_first);
    buf_append_u8(am, ',');
    buf_append_slice(am, final_without_proof);
}

/* Parse client-final-message; on success *without_proof and proof are set. */
static mice_status parse_client_final(scram_server *s, mice_slice in, mice_slice *without_proof,
                                      uint8_t proof[SCRAM_KEY_BYTES], mice_err *err)
{
    mice_slice rest = in, cbind, nonce, attr;
    uint8_t header[8];
    size_t header_len = 0;
    if (!read_attr(&rest, 'c', &cbind) ||
        !scram_base64_decode(cbind, header, sizeof header, &header_len) || header_len != 3 ||
        header[0] != (uint8_t)s->cbind_flag || header[1] != ',' || header[2] != ',')
        return server_fail(s, err, MICE_INVALID, "SCRAM channel binding check failed");
    if (!read_attr(&rest, 'r', &nonce) || !mice_slice_eq(nonce, buf_slice(&s->nonce)))
        return server_fail(s, err, MICE_INVALID, "SCRAM nonce mismatch");
    for (;;) {
        const uint8_t *attr_start = rest.p;
        if (rest.n >= 2 && rest.p[0] == 'p' && rest.p[1] == '=') {
            if (!read_attr(&rest, 'p', &attr) || rest.n != 0 || !decode_key(attr, proof))
                return server_fail(s, err, MICE_INVALID, "malformed SCRAM proof");
            /* The comma before "p=" belongs to neither part. */
            *without_proof = mice_slice_of(in.p, (size_t)(attr_start - in.p) - 1);
            return MICE_OK;
        }
        if (rest.n < 2 || rest.p[1] != '=' || !read_attr(&rest, (char)rest.p[0], &attr))
            return server_fail(s, err, MICE_INVALID, "malformed SCRAM message: no proof");
    }
}

static mice_status check_proof(scram_server *s, mice_slice am, const uint8_t *proof, bool *ok,
                               mice_err *err)
{
    uint8_t sig[SCRAM_KEY_BYTES], client_key[SCRAM_KEY_BYTES], stored[SCRAM_KEY_BYTES];
    mice_status rc = hmac256(s->v.stored_key, SCRAM_KEY_BYTES, am.p, am.n, sig, err);
    if (rc) return rc;
    for (size_t i = 0; i < SCRAM_KEY_BYTES; i++)
        client_key[i] = proof[i] ^ sig[i];
    SHA256(client_key, SCRAM_KEY_BYTES, stored);
    *ok = CRYPTO_memcmp(stored, s->v.stored_key, SCRAM_KEY_BYTES) == 0 && !s->mock;
    OPENSSL_cleanse(client_key, sizeof client_key);
    return MICE_OK;
}

mice_status scram_server_final(scram_server *s, mice_slice in, mice_buf *out, mice_err *err)
{
    if (s->state != SCRAM_SERVER_EXPECT_FINAL)
        return server_fail(s, err, MICE_INVALID, "unexpected SCRAM client-final-message");
    if (has_nul(in)) return server_fail(s, err, MICE_INVALID, "malformed SCRAM message: NUL");
    mice_slice without_proof;
    uint8_t proof[SCRAM_KEY_BYTES];
    mice_status rc = parse_client_final(s, in, &without_proof, proof, err);
    if (rc) return rc;
    mice_buf am;
    buf_init(&am);
    auth_message(&am, buf_slice(&s->client_first_bare), buf_slice(&s->server_first), without_proof);
    bool ok = false;
    uint8_t server_sig[SCRAM_KEY_BYTES];
    if ((rc = check_proof(s, buf_slice(&am), proof, &ok, err))) goto done;
    if (!ok) {
        rc = mice_err_setf(err, MICE_ABORTED, "password authentication failed");
        goto done;
    }
    if ((rc = hmac256(s->v.server_key, SCRAM_KEY_BYTES, am.p, am.n, server_sig, err))) goto done;
    buf_append_str(out, "v=");
    scram_base64_encode(server_sig, sizeof server_sig, out);
    s->state = SCRAM_SERVER_DONE;
done:
    if (rc) s->state = SCRAM_SERVER_FAILED;
    buf_deinit(&am);
    return rc;
}

/* ---------------------------------------------------------------- client */

static void append_saslname(mice_buf *out, const char *user)
{
    for (const char *p = user; *p; p++) {
        if (*p == ',')
            buf_append_str(out, "=2C");
        else if (*p == '=')
            buf_append_str(out, "=3D");
        else
            buf_append_u8(out, (uint8_t)*p);
    }
}

void scram_client_init(scram_client *c, const char *user, const char *password,
                       mice_slice client_nonce)
{
    memset(c, 0, sizeof *c);
    c->gs2_flag = 'n';
    buf_init(&c->password);
    buf_init(&c->client_first_bare);
    buf_init(&c->client_nonce);
    buf_init(&c->auth_message);
    buf_append_str(&c->password, password);
    if (client_nonce.n) {
        buf_append_slice(&c->client_nonce, client_nonce);
    } else {
        uint8_t raw[SCRAM_NONCE_RAW_BYTES];
        /* Without randomness the exchange must not proceed with a guessable nonce. */
        if (RAND_bytes(raw, sizeof raw) != 1) mice_panic(__FILE__, __LINE__, "RAND_bytes");
        scram_base64_encode(raw, sizeof raw, &c->client_nonce);
    }
    buf_append_str(&c->client_first_bare, "n=");
    append_saslname(&c->client_first_bare, user);
    buf_append_str(&c->client_first_bare, ",r=");
    buf_append_slice(&c->client_first_bare, buf_slice(&c->client_nonce));
}

void scram_client_deinit(scram_client *c)
{
    if (c->password.p) OPENSSL_cleanse(c->password.p, c->password.n);
    buf_deinit(&c->password);
    buf_deinit(&c->client_first_bare);
    buf_deinit(&c->client_nonce);
    buf_deinit(&c->auth_message);
    OPENSSL_cleanse(c->server_key, sizeof c->server_key);
}

void scram_client_first(scram_client *c, mice_buf *out)
{
    buf_append_u8(out, (uint8_t)c->gs2_flag);
    buf_append_str(out, ",,");
    buf_append_slice(out, buf_slice(&c->client_first_bare));
    c->step = 1;
}

/* Parse server-first-message: r=<nonce>,s=<salt>,i=<iterations>. */
static mice_status parse_server_first(scram_client *c, mice_slice in, mice_slice *nonce,
                                      uint8_t *salt, size_t *salt_len, int32_t *iterations,
                                      mice_err *err)
{
    mice_slice rest = in, salt_text, iter_text;
    if (has_nul(in) || !read_attr(&rest, 'r', nonce) || !read_attr(&rest, 's', &salt_text) ||
        !read_attr(&rest, 'i', &iter_text))
        return mice_err_setf(err, MICE_INVALID, "malformed SCRAM server-first-message");
    if (!is_printable_nonce(*nonce) || nonce->n <= c->client_nonce.n ||
        !mice_slice_has_prefix(*nonce, buf_slice(&c->client_nonce)))
        return mice_err_setf(err, MICE_INVALID, "SCRAM server nonce does not extend ours");
    if (!scram_base64_decode(salt_text, salt, SCRAM_SALT_MAX_BYTES, salt_len) || !*salt_len)
        return mice_err_setf(err, MICE_INVALID, "bad salt in SCRAM server-first-message");
    if (!parse_positive_int(iter_text, CLIENT_ITERATIONS_MAX, iterations))
        return mice_err_setf(err, MICE_INVALID, "bad iteration count from SCRAM server");
    return MICE_OK;
}

mice_status scram_client_final(scram_client *c, mice_slice in, mice_buf *out, mice_err *err)
{
    if (c->step != 1) return mice_err_setf(err, MICE_INVALID, "SCRAM client out of order");
    mice_slice nonce;
    uint8_t salt[SCRAM_SALT_MAX_BYTES];
    size_t salt_len = 0;
    int32_t iterations = 0;
    mice_status rc = parse_server_first(c, in, &nonce, salt, &salt_len, &iterations, err);
    if (rc) return rc;
    uint8_t client_key[SCRAM_KEY_BYTES], stored[SCRAM_KEY_BYTES], sig[SCRAM_KEY_BYTES];
    rc = derive_keys((const char *)c->password.p, c->password.n, salt, salt_len, iterations,
                     client_key, stored, c->server_key, err);
    if (rc) goto done;
    mice_buf without_proof;
    buf_init(&without_proof);
    /* c= is base64 of the gs2 header: "biws" for "n,,", "eSws" for "y,," */
    buf_append_str(&without_proof, c->gs2_flag == 'y' ? "c=eSws,r=" : "c=biws,r=");
    buf_append_slice(&without_proof, nonce);
    buf_reset(&c->auth_message);
    auth_message(&c->auth_message, buf_slice(&c->client_first_bare), in, buf_slice(&without_proof));
    rc = hmac256(stored, SCRAM_KEY_BYTES, c->auth_message.p, c->auth_message.n, sig, err);
    if (rc == MICE_OK) {
        for (size_t i = 0; i < SCRAM_KEY_BYTES; i++)
            sig[i] ^= client_key[i]; /* the proof */
        buf_append_slice(out, buf_slice(&without_proof));
        buf_append_str(out, ",p=");
        scram_base64_encode(sig, sizeof sig, out);
        c->step = 2;
    }
    buf_deinit(&without_proof);
done:
    OPENSSL_cleanse(client_key, sizeof client_key);
    return rc;
}

mice_status scram_client_verify(scram_client *c, mice_slice in, mice_err *err)
{
    if (c->step != 2) return mice_err_setf(err, MICE_INVALID, "SCRAM client out of order");
    mice_slice rest = in, value;
    if (read_attr(&rest, 'e', &value))
        return mice_err_setf(err, MICE_INVALID, "SCRAM server error: %.*s", (int)value.n,
                             (const char *)value.p);
    uint8_t got[SCRAM_KEY_BYTES], want[SCRAM_KEY_BYTES];
    if (has_nul(in) || !read_attr(&rest, 'v', &value) || !decode_key(value, got))
        return mice_err_setf(err, MICE_INVALID, "malformed SCRAM server-final-message");
    mice_status rc =
        hmac256(c->server_key, SCRAM_KEY_BYTES, c->auth_message.p, c->auth_message.n, want, err);
    if (rc) return rc;
    if (CRYPTO_memcmp(got, want, SCRAM_KEY_BYTES) != 0)
        return mice_err_setf(err, MICE_ABORTED, "SCRAM server signature is wrong");
    c->step = 3;
    return MICE_OK;
}
