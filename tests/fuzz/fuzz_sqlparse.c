// layer: sql
/*
 * fuzz_sqlparse.c - arbitrary bytes as SQL text through sql_parse and ast_print.
 *
 * The input is exactly what a client could put in a Query message (plus NUL bytes, which
 * the wire cannot carry but the API must reject cleanly). Every statement that parses is
 * printed twice (plain and with locations), which walks every node and list the
 * translator built. The arena has a budget so huge inputs also exercise out-of-memory
 * paths. Must never crash, leak, hang or trip an assertion; errors must carry a SQLSTATE.
 */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/check.h"
#include "sql/ast.h"
#include "sql/parse.h"

enum { FUZZ_ARENA_BUDGET_BYTES = 8u << 20 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mice_arena *a = arena_create(NULL, "fuzz", FUZZ_ARENA_BUDGET_BYTES);
    sql_parse_result r;
    sql_error err;
    mice_status rc = sql_parse(a, (const char *)data, size, &r, &err);
    if (rc == MICE_OK) {
        mice_buf b;
        buf_init(&b);
        for (uint32_t i = 0; i < r.n_stmts; i++) {
            mice_assert(r.stmts[i].stmt != NULL);
            mice_assert((size_t)r.stmts[i].offset + r.stmts[i].len <= size);
            ast_print(r.stmts[i].stmt, &b);
            ast_print_locations(r.stmts[i].stmt, &b);
            buf_reset(&b);
        }
        buf_deinit(&b);
    } else {
        mice_assert(strlen(err.sqlstate) == 5);
        mice_assert(err.message[0] != '\0');
        mice_assert(r.n_stmts == 0);
    }
    arena_destroy(a);
    return 0;
}
