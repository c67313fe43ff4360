#include "cli/workload_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mice_status wl_exec(PGconn *c, const char *sql, mice_err *err)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    mice_status rc = MICE_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = mice_err_setf(err, MICE_IOERR, "%s: %s", sql, PQerrorMessage(c));
    PQclear(res);
    return rc;
}

mice_status wl_count(PGconn *c, const char *table, uint64_t *n, mice_err *err)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    PGresult *res = PQexec(c, sql);
    mice_status rc = MICE_OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        rc = mice_err_setf(err, MICE_IOERR, "%s: %s", sql, PQerrorMessage(c));
    else
        *n = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return rc;
}

mice_status wl_prepare(PGconn *c, const char *name, const char *sql, int nparams, mice_err *err)
{
    PGresult *res = PQprepare(c, name, sql, nparams, NULL);
    mice_status rc = MICE_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = mice_err_setf(err, MICE_IOERR, "prepare %s: %s", name, PQerrorMessage(c));
    PQclear(res);
    return rc;
}

void wl_set_code(wl_outcome *out, const char *code)
{
    snprintf(out->code, sizeof out->code, "%s", code);
}

bool wl_pg_ok(PGconn *c, PGresult *res, wl_outcome *out)
{
    ExecStatusType st = PQresultStatus(res);
    if (res && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
        PQclear(res);
        return true;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(c) != CONNECTION_OK)
        wl_set_code(out, "conn");
    else
        wl_set_code(out, state && *state ? state : "unknown");
    PQclear(res);
    return false;
}

bool wl_code_retryable(const char *code)
{
    return !strcmp(code, "40001") || !strcmp(code, "40P01");
}

void wl_fill_text(mice_prng *r, char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t bits = 0;
    int left = 0;
    for (size_t i = 0; i < n; i++) {
        if (left == 0) {
            bits = prng_next(r);
            left = 10; /* 6 bits a character */
        }
        out[i] = alphabet[(bits & 63) % (sizeof alphabet - 1)];
        bits >>= 6;
        left--;
    }
    out[n] = 0;
}
