/* kv_test.h - scratch MVCC engines for the kv tests (a directory under $MICE_TEST_TMP). */
#ifndef MICE_TESTS_KV_TEST_H
#define MICE_TESTS_KV_TEST_H

#include "storage/engine.h"

/* Open a fresh engine; *dir_out receives the malloc'ed directory. */
engine *kt_open(const char *tag, char **dir_out);
/* Close the engine and remove (and free) the directory. */
void kt_close(engine *e, char *dir);

#endif
