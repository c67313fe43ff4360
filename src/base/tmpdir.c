/* tmpdir.c - uniquely named directories (see tmpdir.h). */
#include "base/tmpdir.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/env.h"

enum { TMPDIR_ATTEMPTS = 100 };

mice_status mice_tmpdir_create(const char *root, const char *prefix, char *out, size_t cap,
                               mice_err *err)
{
    if (!root || !root[0]) root = "/tmp";
    if (mkdir(root, 0755) != 0 && errno != EEXIST)
        return mice_err_setf(err, MICE_IOERR, "cannot create %s: %s", root, strerror(errno));
    for (int i = 0; i < TMPDIR_ATTEMPTS; i++) {
        uint64_t r = env_entropy(mice_env_real()) & 0xffffffffffffULL;
        int n = snprintf(out, cap, "%s/%s-%012" PRIx64, root, prefix, r);
        if (n < 0 || (size_t)n >= cap)
            return mice_err_setf(err, MICE_INVALID, "path under %s too long", root);
        if (mkdir(out, 0700) == 0) return MICE_OK;
        if (errno != EEXIST)
            return mice_err_setf(err, MICE_IOERR, "cannot create %s: %s", out, strerror(errno));
    }
    return mice_err_setf(err, MICE_IOERR, "no free name for %s/%s-*", root, prefix);
}
