/*
 * parse.h - SQL text to MiceDB AST (ast.h), through libpg_query's PostgreSQL 15 grammar.
 *
 * sql_parse runs libpg_query on the text (so exactly PostgreSQL's grammar is accepted and
 * PostgreSQL's syntax errors come out, message and cursor position), unpacks the protobuf
 * parse tree into the caller's arena (no individual mallocs: the whole parse disappears
 * with the arena) and translates it into our own tree. A text may hold several
 * statements ("BEGIN; SELECT 1; COMMIT"); each comes back with its own text span so the
 * server can log and report per statement. An empty text (or only ";" and comments) gives
 * zero statements, which the server answers with EmptyQueryResponse.
 *
 * Errors (the sql_error says which; the status is the broad class):
 *   MICE_INVALID      42601 syntax error (libpg_query's message, 1-based position),
 *                     22021 for a NUL byte in the text, other libpg_query errors keep
 *                     their message (0A000 when PostgreSQL reports them as unsupported).
 *   MICE_UNSUPPORTED  0A000 "<node> is not supported": valid PostgreSQL that we do not
 *                     translate (CREATE FUNCTION, MERGE, XML, ...), with a position.
 *   MICE_LIMIT        54001 "stack depth limit exceeded": nesting deeper than
 *                     SQL_PARSE_DEPTH_MAX (checked before libpg_query and the protobuf
 *                     decoder recurse, so deep input never overflows the C stack; parsing
 *                     needs about 1 MiB of stack in the worst accepted case).
 *   MICE_NOMEM        53200 when the arena's budget is exhausted.
 *
 * Owns: nothing; results live in the arena. Thread safety: any thread, concurrently
 * (libpg_query keeps its memory contexts per thread); each call uses only its arguments.
 */
#ifndef MICE_SQL_PARSE_H
#define MICE_SQL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"
#include "sql/ast.h"
#include "sql/sqlerr.h"

enum {
    /* Deepest accepted nesting, counted in protobuf message levels (an operator level is
     * two: the node and its expression), and the bound of the pre-scan estimate. */
    SQL_PARSE_DEPTH_MAX = 1000,
};

typedef struct sql_stmt {
    ast_node *stmt;
    uint32_t offset; /* byte span of the statement in the text (whitespace trimmed) */
    uint32_t len;
} sql_stmt;

typedef struct sql_parse_result {
    sql_stmt *stmts; /* in the arena */
    uint32_t n_stmts;
} sql_parse_result;

/* Parse len bytes of sql (need not be NUL-terminated). On success fills out; on failure
 * fills err (if not NULL) and leaves out empty. */
mice_status sql_parse(mice_arena *a, const char *sql, size_t len, sql_parse_result *out,
                      sql_error *err);

#endif
