"""pgx v4 (Debian golang-github-jackc-pgx-v4-dev) against micedb: go/pgxtest.go is built
offline at test time (GOPATH mode over /usr/share/gocode, GOPROXY=off, build cache in the
build tree) and run against micedb and, to prove the program itself, PostgreSQL 15. It
connects, creates a table with a column of every supported type, inserts and scans back
two rows of values and one of NULLs (binary through pgx's cached prepared statements, text
through the simple protocol), compares parameters in WHERE, commits and rolls back, checks
the SQLSTATEs of 23505, 22012, 42P01 and 25P02 as *pgconn.PgError, and checks that pgx's
statement cache prepares each SQL text once and reuses it (plus a batch and a statement
prepared by name), and loads 501 rows with CopyFrom (COPY FROM STDIN in binary format)."""
import os

import pytest

import clientbuild

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go", "pgxtest.go")
GOPATH = "/usr/share/gocode"
CHECKS = ["connect", "ddl", "types round trip (binary and text)", "parameters in WHERE",
          "commit and rollback", "errors carry SQLSTATE",
          "statement cache reuse, batch and named statements", "CopyFrom (binary COPY)", "drop"]


@pytest.fixture(scope="module")
def binary():
    assert os.path.isdir(os.path.join(GOPATH, "src/github.com/jackc/pgx/v4")), \
        "pgx v4 missing: scripts/deps.sh installs golang-github-jackc-pgx-v4-dev"
    out = clientbuild.build_dir("clients-go")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(GO111MODULE="off", GOPATH=GOPATH, GOPROXY="off", GOFLAGS="",
               GOCACHE=os.path.join(out, "cache"), HOME=out)
    exe = os.path.join(out, "pgxtest")
    r = clientbuild.run(["go", "build", "-o", exe, SRC], timeout_s=240, env=env)
    print(f"go build: {r.seconds:.1f}s")
    return exe


@pytest.mark.parametrize("kind", ["micedb", "postgres"])
def test_pgx(binary, kind, request):
    target = request.getfixturevalue("mice" if kind == "micedb" else "pg")
    url = f"postgres://root@{target.host}:{target.port}/defaultdb?connect_timeout=10"
    r = clientbuild.run([binary, url], timeout_s=120, check=False)
    print(f"pgxtest ({kind}): {r.seconds:.1f}s")
    assert r.returncode == 0, f"{kind}:\n{r.stdout}\n{r.stderr}"
    done = [line[3:] for line in r.stdout.splitlines() if line.startswith("ok ")]
    assert [d if not d.startswith("connect ") else "connect" for d in done] == CHECKS, r.stdout
