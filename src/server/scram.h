/*
 * scram.h - SCRAM-SHA-256 authentication (RFC 5802 / RFC 7677) as PostgreSQL speaks it.
 *
 * A user created WITH PASSWORD stores a verifier, never the password, in PostgreSQL's
 * exact text format so dumps move between the two systems:
 *     SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 * The server side of an exchange is a two-step state machine: client-first-message in,
 * server-first-message out; client-final-message in, proof checked in constant time,
 * server-final-message ("v=<signature>") out. There is no channel binding (no TLS yet):
 * the gs2 header must be "n,," or "y,,"; "p=..." is refused with a clear error, as are
 * authorization identities and mandatory extensions. Like PostgreSQL, the user name inside
 * the SCRAM message is ignored (libpq sends "n=,"): the start-up packet names the user.
 * A server exchange started without a verifier (unknown user, no password) runs to the end
 * with a made-up salt and then fails, so a client cannot tell which users exist.
 * The client side (for tests and `micedb sql`) lives here too.
 *
 * Passwords are used as raw bytes; SASLprep normalisation is not applied, which matches
 * PostgreSQL for ASCII passwords (and for any password SASLprep rejects).
 *
 * Errors: MICE_INVALID for a malformed or unsupported message (SQLSTATE 08P01 at the edge),
 * MICE_ABORTED when the proof does not match (password authentication failed, 28P01),
 * MICE_CORRUPT for an unparsable stored verifier, MICE_INTERNAL if libcrypto fails.
 * Randomness (nonces, salts) comes from OpenSSL's RAND_bytes unless the caller injects it,
 * which tests do to stay deterministic.
 *
 * Owns: exchanges own their buffers (deinit frees them). Thread safety: one exchange per
 * thread at a time; the functions have no shared state.
 */
#ifndef MICE_SERVER_SCRAM_H
#define MICE_SERVER_SCRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum {
    SCRAM_KEY_BYTES = 32,          /* SHA-256 output */
    SCRAM_SALT_BYTES_DEFAULT = 16, /* PostgreSQL's SCRAM_DEFAULT_SALT_LEN */
    SCRAM_SALT_MAX_BYTES = 64,
    SCRAM_ITERATIONS_DEFAULT = 4096,
    SCRAM_NONCE_RAW_BYTES = 18, /* random bytes per side, base64-encoded on the wire */
};

#define SCRAM_MECHANISM "SCRAM-SHA-256"

typedef struct scram_verifier {
    int32_t iterations;
    uint8_t salt[SCRAM_SALT_MAX_BYTES];
    size_t salt_len;
    uint8_t stored_key[SCRAM_KEY_BYTES];
    uint8_t server_key[SCRAM_KEY_BYTES];
} scram_verifier;

/* Derive a verifier from a password. salt.n == 0 draws SCRAM_SALT_BYTES_DEFAULT random
 * bytes; iterations <= 0 means SCRAM_ITERATIONS_DEFAULT. */
mice_status scram_verifier_make(const char *password, mice_slice salt, int32_t iterations,
                                scram_verifier *out, mice_err *err);
/* Append the PostgreSQL text form of v to out. */
void scram_verifier_format(const scram_verifier *v, mice_buf *out);
/* Parse the text form (as stored in pg_authid.rolpassword). */
mice_status scram_verifier_parse(mice_slice text, scram_verifier *out, mice_err *err);
/* True when password produces v (constant-time compare); for cleartext authentication. */
mice_status scram_verifier_check_password(const scram_verifier *v, const char *password,
                                          bool *match, mice_err *err);

/* ---------------------------------------------------------------- server exchange */

typedef enum {
    SCRAM_SERVER_EXPECT_FIRST,
    SCRAM_SERVER_EXPECT_FINAL,
    SCRAM_SERVER_DONE,
    SCRAM_SERVER_FAILED,
} scram_server_state;

typedef struct scram_server {
    scram_server_state state;
    bool mock; /* no verifier: always fail at the end */
    scram_verifier v;
    char cbind_flag; /* 'n' or 'y' */
    mice_buf injected_nonce;
    mice_buf client_first_bare;
    mice_buf server_first;
    mice_buf nonce; /* client nonce + server nonce */
} scram_server;

/* v NULL starts a mock exchange. server_nonce.n == 0 draws a random nonce; otherwise it
 * must be printable ASCII without ',' (tests inject RFC 7677's). */
void scram_server_init(scram_server *s, const scram_verifier *v, mice_slice server_nonce);
void scram_server_deinit(scram_server *s);
/* client-first-message -> server-first-message appended to out. */
mice_status scram_server_first(scram_server *s, mice_slice client_first, mice_buf *out,
                               mice_err *err);
/* client-final-message -> server-final-message appended to out; MICE_ABORTED when the
 * proof is wrong (nothing appended). Any failure leaves the exchange FAILED. */
mice_status scram_server_final(scram_server *s, mice_slice client_final, mice_buf *out,
                               mice_err *err);

/* ---------------------------------------------------------------- client exchange */

typedef struct scram_client {
    int step;      /* 0 before first, 1 after first, 2 after final, 3 verified */
    char gs2_flag; /* 'n' (default); 'y' = "could bind, server did not offer it" */
    mice_buf password;
    mice_buf client_first_bare;
    mice_buf client_nonce;
    uint8_t server_key[SCRAM_KEY_BYTES];
    mice_buf auth_message;
} scram_client;

/* user may be "" (libpq sends an empty name). client_nonce.n == 0 draws a random one. */
void scram_client_init(scram_client *c, const char *user, const char *password,
                       mice_slice client_nonce);
void scram_client_deinit(scram_client *c);
/* client-first-message ("n,,n=<user>,r=<nonce>") appended to out. */
void scram_client_first(scram_client *c, mice_buf *out);
/* server-first-message in -> client-final-message (with proof) appended to out. */
mice_status scram_client_final(scram_client *c, mice_slice server_first, mice_buf *out,
                               mice_err *err);
/* server-final-message in: MICE_OK when the server signature proves it knew the
 * verifier; MICE_ABORTED when it does not; MICE_INVALID when malformed or "e=...". */
mice_status scram_client_verify(scram_client *c, mice_slice server_final, mice_err *err);

/* Strict base64 (standard alphabet, '=' padding); exposed for tests and the client. */
void scram_base64_encode(const uint8_t *p, size_t n, mice_buf *out);
/* false on any invalid character, bad padding or when the result exceeds out_cap. */
bool scram_base64_decode(mice_slice text, uint8_t *out, size_t out_cap, size_t *out_len);

#endif
