/* micedb: the single binary. Subcommands are dispatched from here. */
#include <stdio.h>
#include <string.h>

#include "base/log.h"

#define MICEDB_VERSION "0.1.0-dev"

static int usage(FILE *out)
{
    fprintf(out, "usage: micedb <command> [flags]\n\n"
                 "commands:\n"
                 "  version    print the version\n");
    return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage(stderr);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) return usage(stdout);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("micedb %s\n", MICEDB_VERSION);
        return 0;
    }
    fprintf(stderr, "micedb: unknown command '%s'\n", cmd);
    return usage(stderr);
}
