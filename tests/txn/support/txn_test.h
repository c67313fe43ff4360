/*
 * txn_test.h - helpers shared by the txn tests: a scratch directory under $MICE_TEST_TMP
 * (or /tmp) with an MVCC engine in it, a txn_db on top, and small wrappers that keep the
 * scenarios readable.
 */
#ifndef MICE_TESTS_TXN_TEST_H
#define MICE_TESTS_TXN_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/engine.h"
#include "txn/txn.h"

typedef struct tt_env {
    char *dir;
    engine *e;
    txn_db *db;
    txn_db_config cfg;
    const mice_env *env; /* NULL = mice_env_real() */
} tt_env;

/* A fresh scratch directory (malloc'ed path) without opening anything in it. */
char *tt_tmpdir(const char *tag);
/* Remove a directory tree and free the path. */
void tt_rmtree_free(char *dir);
/* Make a scratch dir and open engine + db (cfg NULL = defaults). */
void tt_open(tt_env *t, const char *tag, const txn_db_config *cfg);
/* Close the db and the engine (no flush), keeping the directory. */
void tt_close_keep(tt_env *t);
/* Reopen after tt_close_keep. */
void tt_reopen(tt_env *t);
/* Close and remove the directory. */
void tt_close(tt_env *t);

/* Read key in t as a NUL-terminated string into out (cap bytes); returns found. */
bool tt_get(txn *t, const char *key, char *out, size_t cap, mice_status *rc);
mice_status tt_put(txn *t, const char *key, const char *value);
/* Committed value read non-transactionally ("" when absent); returns found. */
bool tt_db_get(txn_db *db, const char *key, char *out, size_t cap);
/* Count intents left in the lock column family. */
size_t tt_count_intents(engine *e);

#endif
