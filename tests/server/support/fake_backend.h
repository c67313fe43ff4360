/*
 * fake_backend.h - a pgb_backend_vtab for tests of the server glue. Not SQL: it knows a
 * handful of statements (case-insensitive, simple Query strings split on ';'):
 *
 *   SELECT <n>      one int4 column "?column?", one row n                 "SELECT 1"
 *   SELECT $1       (extended only) one text column: the parameter back  "SELECT 1"
 *   GENERATE <n>    one int8 column "n", rows 1..n, streamed; polls cancel "SELECT n"
 *   SLEEP <ms>      sleeps, polling the cancel flag every millisecond     "SLEEP"
 *   FAIL            ERROR 22012 "fake failure" (status E inside a block)
 *   NOTICE          a NoticeResponse, then                                 "DO"
 *   BEGIN / COMMIT / ROLLBACK   transaction status T / I / I
 *   COPY IN         COPY FROM STDIN: counts lines, "COPY n"; a line "boom" fails 22P04
 *   COPY OUT <n>    COPY TO STDOUT of n lines                              "COPY n"
 *   anything else   ERROR 42601 syntax error at position 1
 * Extended query: Parse stores the text (16 statements, 16 portals), Bind copies text
 * parameters and honours binary result formats for the int columns, Execute honours
 * max_rows with suspension, Describe answers like PostgreSQL. Database "nodb" fails
 * session_create with FATAL 3D000. Users added with fake_backend_add_user log in with
 * SCRAM when the server is not insecure.
 *
 * Owns: its users and sessions. Thread safety: as pgbackend.h asks (ctx shared, a
 * session used by one request at a time, cancel from anywhere). Test code only.
 */
#ifndef MICE_TESTS_SERVER_FAKE_BACKEND_H
#define MICE_TESTS_SERVER_FAKE_BACKEND_H

#include <stdatomic.h>

#include "server/pgbackend.h"

typedef struct fake_backend fake_backend;

extern const pgb_backend_vtab fake_backend_vtab;

fake_backend *fake_backend_create(void);
void fake_backend_destroy(fake_backend *fb);
/* Give user a password (SCRAM verifier made with scram.h). Before the server starts. */
void fake_backend_add_user(fake_backend *fb, const char *user, const char *password);

typedef struct fake_backend_stats {
    int64_t sessions_live;
    int64_t sessions_created;
    int64_t streams_stopped; /* GENERATE/COPY OUT ended early: client gone or cancel */
    int64_t cancels_seen;    /* statements that ended with 57014 */
} fake_backend_stats;
fake_backend_stats fake_backend_get_stats(fake_backend *fb);

#endif
