"""pgjdbc (Debian libpostgresql-jdbc-java, /usr/share/java/postgresql.jar) against micedb:
java/DriverTest.java is compiled into the build tree at test time and run against micedb
and, to prove the program itself, against PostgreSQL 15. It connects, creates a table with
a column of every supported type, inserts and reads back two rows of values and one of
NULLs with server-side prepared statements (prepareThreshold=1: named statements, binary
transfer), compares parameters in WHERE, commits and rolls back, checks the SQLSTATEs of
23505, 22012, 42P01, 42601 and 25P02 surfaced as SQLException.getSQLState(), reuses a
prepared statement 50 times plus a batch, and reads result/parameter metadata."""
import os

import pytest

import clientbuild

JAR = "/usr/share/java/postgresql.jar"
SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "java", "DriverTest.java")
CHECKS = ["connect", "ddl", "types round trip (params and results, text and binary)",
          "parameters in WHERE", "commit and rollback", "errors carry SQLSTATE",
          "prepared statement reuse and batch", "metadata", "drop"]


@pytest.fixture(scope="module")
def classes():
    assert os.path.exists(JAR), f"{JAR} missing: scripts/deps.sh installs libpostgresql-jdbc-java"
    out = clientbuild.build_dir("clients-java")
    r = clientbuild.run(["javac", "-d", out, "-cp", JAR, SRC], timeout_s=120)
    print(f"javac: {r.seconds:.1f}s")
    return out


@pytest.mark.parametrize("kind", ["micedb", "postgres"])
def test_jdbc(classes, kind, request):
    target = request.getfixturevalue("mice" if kind == "micedb" else "pg")
    url = (f"jdbc:postgresql://{target.host}:{target.port}/defaultdb?user=root"
           f"&prepareThreshold=1&connectTimeout=10&socketTimeout=60")
    r = clientbuild.run(["java", "-cp", f"{JAR}:{classes}", "DriverTest", url], timeout_s=120,
                        check=False)
    print(f"java ({kind}): {r.seconds:.1f}s")
    assert r.returncode == 0, f"{kind}:\n{r.stdout}\n{r.stderr}"
    done = [line[3:] for line in r.stdout.splitlines() if line.startswith("ok ")]
    assert [d.split(" PostgreSQL")[0] for d in done] == CHECKS, r.stdout
