"""libpq from C (Debian libpq-dev) against micedb: runs libpq_test (libpq_test.c, built by
CMake) and compares every value it selected, in text and in binary result format, with what
the same program printed against PostgreSQL 15.20 (libpq_expected.txt). The program itself
checks the API-level behaviour (PQexecParams with text and binary parameters,
PQprepare/PQdescribePrepared/PQexecPrepared, transactions, PG_DIAG_SQLSTATE of errors).

To re-capture the expectation: MICE_SQL_TARGET=postgres LIBPQ_TEST_CAPTURE=1 pytest this file."""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "libpq_expected.txt")
BIN = os.environ.get("LIBPQ_TEST_BIN", os.path.join(HERE, "../../../build/tests/libpq_test"))


def test_libpq(target):
    conninfo = f"host={target.host} port={target.port} user=root dbname=defaultdb connect_timeout=10"
    r = subprocess.run([BIN, conninfo], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"libpq_test failed:\n{r.stderr}\n{r.stdout[-2000:]}"
    assert r.stdout.endswith("done\n")
    if os.environ.get("LIBPQ_TEST_CAPTURE") and target.kind == "postgres":
        with open(EXPECTED, "w") as f:
            f.write(r.stdout)
    with open(EXPECTED) as f:
        want = f.read().splitlines()
    got = r.stdout.splitlines()
    diff = [f"micedb:   {g!r}\npostgres: {w!r}" for g, w in zip(got, want) if g != w]
    assert not diff, "\n".join(diff[:20])
    assert len(got) == len(want)
