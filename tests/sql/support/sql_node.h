/* sql_node.h - a scratch single-node SQL engine for unit tests: RocksDB in a temporary
 * directory, the txn layer, a bootstrapped catalog and the engine; SQL text in, rows as
 * "a|b\n" lines out (NULL as "NULL"), errors as "ERROR <sqlstate>: <message>". */
#ifndef MICE_TESTS_SQL_NODE_H
#define MICE_TESTS_SQL_NODE_H

#include "sql/engine.h"

typedef struct sql_node {
    char dir[512];
    engine *e;
    txn_db *db;
    catalog *cat;
    sql_engine *sql;
    uint32_t db_id;
} sql_node;

/* cmocka group setup / teardown over one global node. */
int sql_node_setup(void **state);
int sql_node_teardown(void **state);
sql_node *sql_node_get(void);
/* Run each statement of sql in its own transaction (or in t when not NULL); the rows of
 * the last one, or its error. Valid until the next call. */
const char *sql_node_run(txn *t, const char *sql);

#endif
