/*
 * deparse.h - stored expressions and definitions back to text the way PostgreSQL's
 * ruleutils prints them: what pg_get_expr, pg_get_constraintdef, pg_get_indexdef and
 * information_schema show, so psql's \d prints what it prints against PostgreSQL.
 *
 * A stored DEFAULT or CHECK is SQL text (catalog.h). It is bound again over its table's
 * columns without constant folding, so the tree keeps what PostgreSQL's stored node tree
 * has (an int literal under an implicit cast to numeric, an unknown literal turned into a
 * typed constant) and printed with PostgreSQL's rules: constants labelled with their type
 * unless an integer, a float-looking numeric or a boolean ('x'::text, 0::numeric under an
 * operator), implicit casts shown only under operators and function arguments, every
 * operator in parentheses unless pretty (then only where precedence needs them), IN lists
 * as "= ANY (ARRAY[...])", nextval('s'::regclass), CURRENT_TIMESTAMP.
 *
 * pg_attrdef.adbin and pg_constraint.conbin hold "{DEFAULT :col <attnum> :expr <sql>}" and
 * "{CHECK :expr <sql>}" (pgcatalog.c writes them; PostgreSQL's pg_node_tree is opaque to
 * clients too), so the printer knows the column a default is coerced to.
 *
 * Owns: nothing; text is appended to the caller's buffer. Thread safety: one statement.
 */
#ifndef MICE_SQL_DEPARSE_H
#define MICE_SQL_DEPARSE_H

#include <stdbool.h>

#include "base/buf.h"
#include "sql/expr.h"
#include "sql/pgcatalog.h"

/* The node tree texts of pg_attrdef.adbin / pg_constraint.conbin (in arena). */
const char *deparse_default_tree(mice_arena *a, uint32_t column_id, const char *sql);
const char *deparse_check_tree(mice_arena *a, const char *sql);

/* pg_get_expr(tree, relid, pretty): tree is a node tree text above or plain SQL; table may
 * be NULL (no columns). */
mice_status deparse_stored(const pgcat_ctx *c, const catalog_desc *table, mice_slice tree,
                           bool pretty, mice_buf *out, sql_error *err);
/* pg_get_constraintdef: "PRIMARY KEY (a)", "UNIQUE (b)" (index position pos) or
 * "CHECK (expr)" (check position pos). */
mice_status deparse_constraint(const pgcat_ctx *c, const catalog_desc *d, bool check, uint32_t pos,
                               bool pretty, mice_buf *out, sql_error *err);
/* pg_get_indexdef(index, column, pretty): the CREATE INDEX statement (column 0) or the
 * column-th key column's name. */
mice_status deparse_index(const pgcat_ctx *c, const catalog_desc *d, uint32_t pos, int32_t column,
                          mice_buf *out, sql_error *err);

/* The columns (ids, ascending) a stored expression over table mentions: pg_constraint.conkey
 * of a CHECK. */
mice_status deparse_columns(const pgcat_ctx *c, const catalog_desc *table, const char *sql,
                            uint32_t *ids, uint32_t cap, uint32_t *n, sql_error *err);

#endif
