/*
 * workload_bank.c - the bank workload: --accounts accounts start with --initial-balance
 * each; every operation moves a random amount (1..--max-transfer) between two distinct
 * random accounts in an explicit transaction (BEGIN; two prepared UPDATEs; COMMIT). A
 * serialization failure (40001) or deadlock (40P01) rolls back and runs the same transfer
 * again (each retry counted by SQLSTATE, up to WL_RETRIES_MAX). Money is neither created
 * nor destroyed, so `check` (after every run, and `micedb workload check bank`) asserts
 * sum(balance) == count(*) * --initial-balance: a lost update or a half-applied transfer
 * breaks it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/env.h"
#include "cli/workload_gen.h"

enum { BANK_TRANSFER };
static const char *const bank_op_names[] = {"transfer"};
enum { BANK_LOAD_ROWS = 500 };

static mice_status bank_load(const wl_opts *o, PGconn *c, mice_err *err)
{
    mice_buf sql;
    buf_init(&sql);
    mice_status rc = MICE_OK;
    for (uint64_t id = 0; id < o->accounts && !rc;) {
        buf_reset(&sql);
        buf_append_str(&sql, "INSERT INTO bank (id, balance) VALUES ");
        for (int i = 0; i < BANK_LOAD_ROWS && id < o->accounts; i++, id++)
            buf_printf(&sql, "%s(%" PRIu64 ", %" PRId64 ")", i ? ", " : "", id, o->initial_balance);
        rc = wl_exec(c, (const char *)sql.p, err);
    }
    buf_deinit(&sql);
    return rc;
}

static mice_status bank_init(const wl_opts *o, PGconn *c, mice_buf *report, mice_err *err)
{
    if (o->drop && wl_exec(c, "DROP TABLE IF EXISTS bank", err)) return err->code;
    mice_status rc = wl_exec(
        c, "CREATE TABLE IF NOT EXISTS bank (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL)", err);
    if (rc) return rc;
    uint64_t have = 0;
    if ((rc = wl_count(c, "bank", &have, err))) return rc;
    if (have > 0) {
        buf_printf(report,
                   "bank: table bank already holds %" PRIu64 " accounts (--drop to reload)\n",
                   have);
        return MICE_OK;
    }
    rc = bank_load(o, c, err);
    if (!rc)
        buf_printf(report, "bank: %" PRIu64 " accounts of %" PRId64 " loaded\n", o->accounts,
                   o->initial_balance);
    return rc;
}

static mice_status bank_check(const wl_opts *o, PGconn *c, mice_buf *report, mice_err *err)
{
    PGresult *res = PQexec(c, "SELECT count(*), sum(balance) FROM bank");
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        mice_status rc = mice_err_setf(err, MICE_IOERR, "sum the balances: %s", PQerrorMessage(c));
        PQclear(res);
        return rc;
    }
    long long count = atoll(PQgetvalue(res, 0, 0));
    long long total = PQgetisnull(res, 0, 1) ? 0 : atoll(PQgetvalue(res, 0, 1));
    PQclear(res);
    long long want = count * (long long)o->initial_balance;
    bool ok = total == want && count > 0;
    buf_printf(report, "bank check: accounts=%lld total=%lld expected=%lld %s\n", count, total,
               want, ok ? "OK" : "BROKEN");
    if (!ok)
        return mice_err_setf(err, MICE_CORRUPT,
                             "bank invariant broken: total %lld, expected %lld (%lld accounts)",
                             total, want, count);
    return MICE_OK;
}

/* Transfers go between the accounts that are there (init may have used other flags). */
static mice_status bank_run_begin(const wl_opts *o, PGconn *c, wl_shared *sh, mice_err *err)
{
    (void)o;
    mice_status rc = wl_count(c, "bank", &sh->rows, err);
    if (!rc && sh->rows < 2)
        rc = mice_err_setf(err, MICE_INVALID,
                           "table bank holds %" PRIu64 " accounts: run `micedb workload init bank`",
                           sh->rows);
    return rc;
}

static mice_status bank_worker_open(wl_worker *w, mice_err *err)
{
    mice_status rc = wl_prepare(w->pg, "bank_debit",
                                "UPDATE bank SET balance = balance - $2 WHERE id = $1", 2, err);
    if (!rc)
        rc = wl_prepare(w->pg, "bank_credit",
                        "UPDATE bank SET balance = balance + $2 WHERE id = $1", 2, err);
    return rc;
}

static void bank_worker_close(wl_worker *w)
{
    (void)w;
}

/* One attempt of the transfer; true when committed. */
static bool bank_attempt(wl_worker *w, const char *from, const char *to, const char *amount,
                         wl_outcome *out)
{
    const char *debit[] = {from, amount}, *credit[] = {to, amount};
    if (!wl_pg_ok(w->pg, PQexec(w->pg, "BEGIN"), out)) return false;
    bool ok =
        wl_pg_ok(w->pg, PQexecPrepared(w->pg, "bank_debit", 2, debit, NULL, NULL, 0), out) &&
        wl_pg_ok(w->pg, PQexecPrepared(w->pg, "bank_credit", 2, credit, NULL, NULL, 0), out) &&
        wl_pg_ok(w->pg, PQexec(w->pg, "COMMIT"), out);
    if (!ok && PQstatus(w->pg) == CONNECTION_OK && PQtransactionStatus(w->pg) != PQTRANS_IDLE)
        PQclear(PQexec(w->pg, "ROLLBACK"));
    return ok;
}

static void bank_op(wl_worker *w, wl_outcome *out)
{
    const wl_opts *o = w->o;
    out->op = BANK_TRANSFER;
    uint64_t accounts = w->shared->rows;
    uint64_t a = prng_below(&w->rng, accounts);
    uint64_t b = prng_below(&w->rng, accounts - 1);
    if (b >= a) b++; /* distinct */
    char from[24], to[24], amount[24];
    snprintf(from, sizeof from, "%" PRIu64, a);
    snprintf(to, sizeof to, "%" PRIu64, b);
    snprintf(amount, sizeof amount, "%" PRId64, prng_range(&w->rng, 1, o->max_transfer));
    for (int attempt = 0;; attempt++) {
        out->code[0] = 0;
        if (bank_attempt(w, from, to, amount, out)) return;
        /* Retried even when the run is ending: a transfer given up is not the server's
         * error. WL_RETRIES_MAX bounds the wait. */
        if (!wl_code_retryable(out->code) || attempt + 1 >= WL_RETRIES_MAX) return;
        w->note_retry(w, out->code);
        int cap_ms = attempt < 10 ? attempt + 1 : 10; /* random backoff, up to 10 ms */
        env_sleep_ns(mice_env_real(), prng_below(&w->rng, (uint64_t)cap_ms * MICE_NS_PER_MS));
    }
}

const wl_gen wl_gen_bank = {
    .name = "bank",
    .op_names = bank_op_names,
    .op_count = 1,
    .http_ok = false,
    .init = bank_init,
    .run_begin = bank_run_begin,
    .check = bank_check,
    .worker_open = bank_worker_open,
    .worker_close = bank_worker_close,
    .op = bank_op,
};
