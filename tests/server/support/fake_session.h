/*
 * fake_session.h - a canned SQL session for driving pgw_conn in tests. Not SQL: it knows
 * a handful of statement texts and answers them the way a real session would.
 *
 * Simple Query statements (split on ';', case-insensitive):
 *   ""                    -> EmptyQueryResponse (only for an all-blank string)
 *   select ...            -> one int4 column "?column?", rows_per_select rows of "1"
 *   begin/commit/rollback -> status T / I / I
 *   bad ...               -> ERROR 42601 at position 1 (status E inside a block); stops
 *   fatal                 -> FATAL 57P01
 *   notice                -> NoticeResponse, then "DO"
 *   set app               -> ParameterStatus application_name=app, then "SET"
 *   copy in               -> COPY FROM STDIN: counts CopyData rows, "COPY n"; a row
 *                            "boom" fails the COPY with 22P04
 *   copy out              -> CopyOutResponse, 2 rows, CopyDone, "COPY 2"
 *   anything else         -> "OK"
 * Extended: Parse stores named/unnamed statements ("bad..." fails with 42601, a duplicate
 * name with 42P05); Bind needs the statement (26000) and makes a portal of
 * rows_per_select rows for select statements; Execute honours max_rows with
 * PortalSuspended; Describe answers ParameterDescription (one int4 per '$') and
 * RowDescription/NoData. Users: "alice" has the verifier set in verifier (if any).
 * In async mode every request is only recorded; fake_session_complete() answers it later.
 *
 * Owns: its statement/portal tables and log. Test code only.
 */
#ifndef MICE_TESTS_SERVER_FAKE_SESSION_H
#define MICE_TESTS_SERVER_FAKE_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "server/pgw_conn.h"

enum { FAKE_NAMES_MAX = 16 };

typedef struct fake_entry {
    bool used;
    char name[64];
    char query[256];
    int rows_left; /* portals */
    int rows_sent;
} fake_entry;

typedef struct fake_session {
    char txn;
    int rows_per_select;
    bool async;
    const scram_verifier *verifier; /* alice's */
    fake_entry stmts[FAKE_NAMES_MAX], portals[FAKE_NAMES_MAX];
    int copy_rows;
    mice_buf log; /* "query(select 1);parse(s1);..." */
    int pending;  /* async: a recorded request kind, 0 = none */
    mice_buf pending_text;
    pgw_conn *pending_conn;
} fake_session;

extern const pgw_session_vtab fake_session_vtab;

void fake_session_init(fake_session *fs);
void fake_session_deinit(fake_session *fs);
/* Async mode: answer the recorded request now. Returns false when none was pending. */
bool fake_session_complete(fake_session *fs);

#endif
