/*
 * tmpdir.h - fresh, uniquely named directories (tests, benchmarks, scratch space).
 *
 * mice_tmpdir_create makes root/<prefix>-<12 random hex digits> with mode 0700, retrying
 * on a name clash. The root is created if missing; NULL or "" means /tmp. Randomness comes
 * from the real env's entropy (env.h), so names differ between processes.
 *
 * Owns: nothing; the caller owns the directory and the path buffer it passed.
 * Thread safety: any thread.
 */
#ifndef MICE_BASE_TMPDIR_H
#define MICE_BASE_TMPDIR_H

#include <stddef.h>

#include "base/status.h"

/* MICE_INVALID when the path does not fit in cap; MICE_IOERR when mkdir fails. */
mice_status mice_tmpdir_create(const char *root, const char *prefix, char *out, size_t cap,
                               mice_err *err);

#endif
