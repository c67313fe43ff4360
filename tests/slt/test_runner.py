"""Self-tests of the sqllogictest runner (slt.py): it must pass what is right and catch what
is wrong. Scripts here are small and written for this test (the real files stay in
../shared/slt); they run against a real micedb node (MICEDB_BIN), or PostgreSQL 15 with
MICE_SQL_TARGET=postgres."""
import hashlib
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import slt  # noqa: E402

TARGET = os.environ.get("MICE_SQL_TARGET", "micedb")
SETUP = """\
statement ok
CREATE TABLE t1(a INTEGER, b INTEGER, c TEXT, r REAL)

statement ok
INSERT INTO t1 VALUES(1, 20, 'x', 1.25), (3, 10, '', NULL), (2, NULL, 'y z', -0.5)

"""


def run(tmp_path, script, *extra):
    d = tmp_path / "files"
    d.mkdir(exist_ok=True)
    (d / "t.test").write_text(SETUP + script)
    r = subprocess.run([sys.executable, os.path.join(HERE, "slt.py"), "--target", TARGET,
                        "--show", "20", "--timeout", "30", *extra, str(d)],
                       capture_output=True, text=True, timeout=120)
    return r


def counts(out):
    line = [ln for ln in out.splitlines() if ln.startswith("t.test:")][0]
    words = line.replace(",", "").split()
    return dict(records=int(words[1]), passed=int(words[3]), failed=int(words[5]),
                skipped=int(words[7]))


def md5_lines(values):
    return hashlib.md5("".join(v + "\n" for v in values).encode()).hexdigest()


# --- in-process: parsing and rendering ------------------------------------------------

def test_parse_records_conditions_and_comments():
    recs = slt.parse_script(
        "hash-threshold 8\r\n\r\n# a comment\r\nstatement ok\r\nCREATE TABLE t(a INT)\r\n\r\n"
        "skipif postgresql # why\nquery I rowsort label-1\nSELECT 1\n# inner comment\n"
        "----\n1\n\nonlyif mysql\nstatement error\nSELECT x\n\nonlyif postgresql\n"
        "query IT valuesort\nSELECT 1,\n  'a'\n----\n1\na\n\nquery I\nSELECT 2\n")
    kinds = [(r.kind, r.skip) for r in recs]
    assert kinds == [("hash-threshold", False), ("statement", False), ("query", True),
                     ("statement", True), ("query", False), ("query", False)]
    assert recs[0].threshold == 8
    assert recs[1].sql == "CREATE TABLE t(a INT)"
    assert (recs[2].types, recs[2].sort, recs[2].label) == ("I", "rowsort", "label-1")
    assert recs[2].sql == "SELECT 1" and recs[2].expected == ["1"]
    assert not recs[3].expect_ok
    assert recs[4].sql == "SELECT 1,\n  'a'" and recs[4].expected == ["1", "a"]
    assert recs[5].sort == "nosort" and recs[5].expected == []


@pytest.mark.parametrize("raw,t,want", [
    (None, "I", "NULL"), (b"42", "I", "42"), (b"-7", "I", "-7"), (b"2.9", "I", "2"),
    (b"-2.9", "I", "-2"), (b"1.5", "R", "1.500"), (b"-0.0004", "R", "-0.000"),
    (b"3", "R", "3.000"), (b"", "T", "(empty)"), (b"a\tb", "T", "a@b"), (b"x y", "T", "x y"),
    (None, "T", "NULL"), (b"12", "T", "12"),
])
def test_render(raw, t, want):
    assert slt.render(raw, t) == want


def test_sort_modes():
    rec = slt.Record("query", 1)
    rec.types = "IT"
    rows = [[b"10", b"b"], [b"9", b"a"], [b"10", b"a"]]
    rec.sort = "rowsort"
    assert slt.result_values(rec, 2, rows) == ["10", "a", "10", "b", "9", "a"]
    rec.sort = "valuesort"
    assert slt.result_values(rec, 2, rows) == ["10", "10", "9", "a", "a", "b"]
    rec.sort = "nosort"
    assert slt.result_values(rec, 2, rows) == ["10", "b", "9", "a", "10", "a"]


# --- against a real server --------------------------------------------------------------

def test_right_answers_pass(tmp_path):
    vals = ["1", "20", "x", "2", "NULL", "y z", "3", "10", "(empty)"]
    script = f"""\
query IIT rowsort
SELECT a, b, c FROM t1
----
{chr(10).join(vals)}

query I nosort
SELECT a FROM t1 ORDER BY a DESC
----
3
2
1

query R rowsort
SELECT r FROM t1
----
-0.500
1.250
NULL

query I valuesort
SELECT a FROM t1 UNION ALL SELECT b FROM t1 WHERE b IS NOT NULL
----
1
10
2
20
3

query I nosort
SELECT 7 / 2
----
3

hash-threshold 4

query IIT rowsort label-all
SELECT a, b, c FROM t1
----
9 values hashing to {md5_lines(vals)}

query IIT rowsort label-all
SELECT a, b, c FROM t1 WHERE a > 0
----
9 values hashing to {md5_lines(vals)}

statement error
SELECT nosuchcolumn FROM t1

skipif postgresql
query I nosort
SELECT 1
----
2

onlyif mysql
statement ok
SELECT a DIV b FROM t1

onlyif postgresql
statement ok
DELETE FROM t1 WHERE a = 3

query I nosort
SELECT count(*) FROM t1
----
2
"""
    r = run(tmp_path, script)
    assert r.returncode == 0, r.stdout + r.stderr
    assert counts(r.stdout) == dict(records=14, passed=12, failed=0, skipped=2), r.stdout


@pytest.mark.parametrize("query,why", [
    # a wrong value
    ("query I nosort\nSELECT a FROM t1 WHERE a = 1\n----\n2\n", "wrong result"),
    # right values in the wrong order: nosort keeps the server's order
    ("query I nosort\nSELECT a FROM t1 ORDER BY a\n----\n3\n2\n1\n", "wrong result"),
    # a missing row
    ("query I rowsort\nSELECT a FROM t1\n----\n1\n2\n", "wrong result"),
    # R renders with three decimals
    ("query R nosort\nSELECT 1.5::float8\n----\n1.5\n", "wrong result"),
    # NULL is not the empty string
    ("query T nosort\nSELECT c FROM t1 WHERE a = 3\n----\nNULL\n", "wrong result"),
    # a wrong hash, and a right hash with a wrong count
    ("hash-threshold 2\n\nquery I rowsort\nSELECT a FROM t1\n----\n"
     "3 values hashing to 00000000000000000000000000000000\n", "wrong result"),
    ("hash-threshold 2\n\nquery I rowsort\nSELECT a FROM t1\n----\n"
     f"4 values hashing to {md5_lines(['1', '2', '3'])}\n", "wrong result"),
    # the type string says two columns, the query returns one
    ("query II nosort\nSELECT 1\n----\n1\n", "columns"),
    # an error where rows were expected; a success where an error was expected
    ("query I nosort\nSELECT 1/0\n----\n1\n", "22012"),
    ("statement error\nSELECT 1\n", "statement succeeded"),
    # a statement that fails
    ("statement ok\nINSERT INTO nosuchtable VALUES(1)\n", "42P01"),
    # the same label, different results
    ("query I rowsort label-a\nSELECT 1\n----\n1\n\n"
     "onlyif postgresql\nquery I rowsort label-a\nSELECT 1\n----\n1\n\n"
     "query I rowsort label-a\nSELECT 2\n----\n2\n", "labelled label-a"),
])
def test_wrong_answers_fail(tmp_path, query, why):
    r = run(tmp_path, query)
    assert r.returncode == 1, r.stdout + r.stderr
    assert counts(r.stdout)["failed"] == 1, r.stdout
    assert why in r.stdout, r.stdout
    assert "FAIL t.test:" in r.stdout


def test_expectations_catch_regressions_and_only_go_up(tmp_path):
    script = "query I nosort\nSELECT 1\n----\n1\n\nquery I nosort\nSELECT 1\n----\n2\n"
    exp = tmp_path / "expect.txt"
    exp.write_text("t.test 4\n")  # SETUP (2) + 2 queries: more than can pass
    r = run(tmp_path, script, "--expect", str(exp))
    assert r.returncode == 1 and "REGRESSION t.test: 3 passed, at least 4" in r.stdout, r.stdout
    exp.write_text("t.test 2\n")
    r = run(tmp_path, script, "--expect", str(exp), "--raise-expect")
    assert r.returncode == 0, r.stdout
    assert "t.test 3" in exp.read_text()
    r = run(tmp_path, script.replace("SELECT 1\n----\n1", "SELECT 1\n----\n9"), "--expect",
            str(exp), "--raise-expect")
    assert r.returncode == 1 and "t.test 3" in exp.read_text(), r.stdout
    # unlisted: every record must pass; a file that passes fully leaves the list
    exp.write_text("")
    r = run(tmp_path, script, "--expect", str(exp))
    assert r.returncode == 1 and "REGRESSION t.test: 3 passed, at least 4" in r.stdout, r.stdout
    r = run(tmp_path, script.replace("----\n2", "----\n1"), "--expect", str(exp),
            "--raise-expect")
    assert r.returncode == 0 and "t.test" not in exp.read_text(), r.stdout


def test_missing_directory_is_a_skip(tmp_path):
    r = subprocess.run([sys.executable, os.path.join(HERE, "slt.py"),
                        str(tmp_path / "absent")], capture_output=True, text=True, timeout=60)
    assert r.returncode == slt.EXIT_SKIP, r.stdout
    assert "does not exist" in r.stdout


def test_results_table_merges_partial_runs(tmp_path):
    d = tmp_path / "files"
    d.mkdir()
    (d / "one.test").write_text("query I nosort\nSELECT 1\n----\n1\n")
    (d / "two.test").write_text("query I nosort\nSELECT 2\n----\n3\n")
    res = tmp_path / "RESULTS.md"

    def run_only(name):
        return subprocess.run([sys.executable, os.path.join(HERE, "slt.py"), "--target", TARGET,
                               "--results", str(res), "--only", name, str(d)],
                              capture_output=True, text=True, timeout=120)

    assert run_only("one.test").returncode == 0
    assert run_only("two.test").returncode == 1
    rows = {r.name: r for r in slt.read_results(str(res)).values()}
    assert (rows["one.test"].passed, rows["one.test"].failed) == (1, 0)
    assert (rows["two.test"].passed, rows["two.test"].failed) == (0, 1)
    assert "| **total** | 2 | 1 | 1 | 0 | 50.0% |" in res.read_text()
