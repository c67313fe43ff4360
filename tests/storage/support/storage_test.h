/*
 * storage_test.h - helpers shared by the storage tests: a private scratch directory per
 * test under $MICE_TEST_TMP (or /tmp), removed again at the end.
 */
#ifndef MICE_TESTS_STORAGE_TEST_H
#define MICE_TESTS_STORAGE_TEST_H

#include <stddef.h>

enum { ST_PATH_MAX = 512 };

/* Create a fresh directory named after tag; returns a malloc'ed path (caller frees). */
char *st_tmpdir(const char *tag);
/* Remove dir and everything below it (errors ignored), then free the path. */
void st_rmtree_free(char *dir);
/* out = dir + "/" + name. */
void st_path(char *out, size_t out_n, const char *dir, const char *name);

#endif
