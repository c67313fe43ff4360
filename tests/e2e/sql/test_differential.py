"""Differential test (issue item 7): every tests/e2e/sql/scripts/*.sql runs through
`psql -X -a` (echo every statement; results, command tags, notices and errors with
their LINE/caret context, stdout and stderr merged in order) on the SQL target AND on a
fresh PostgreSQL 15 started by this module; the two transcripts must be identical line
for line. With MICE_SQL_TARGET=postgres this compares PostgreSQL with itself, which
proves the scripts are deterministic.

On a difference the failure names the first differing line and shows a short unified
diff; both full transcripts are kept under the pytest tmp dir for inspection."""
import difflib
import glob
import os
import subprocess

import pytest

import sqltarget

SCRIPTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")
SCRIPTS = sorted(glob.glob(os.path.join(SCRIPTS_DIR, "*.sql")))
DIFF_LINES_MAX = 80


@pytest.fixture(scope="module")
def reference():
    ref = sqltarget.Target("postgres")
    try:
        ref.start()
    except BaseException:
        ref.stop()
        raise
    yield ref
    ref.stop()


def transcript(t, script):
    """psql's full output for script on target t, stdout+stderr merged in order."""
    cmd = [sqltarget.PSQL, "-X", "-a", "-h", t.host, "-p", str(t.port), "-U", sqltarget.SUPERUSER,
           "-d", sqltarget.DATABASE, "-v", "ON_ERROR_STOP=0", "-P", "pager=off", "-f", script]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=sqltarget.PSQL_TIMEOUT_S, env=sqltarget.psql_env())
    return r.returncode, r.stdout


def first_difference(want, got, want_name="postgres", got_name="target"):
    """None when equal, else a readable report: first differing line and a short diff."""
    a, b = want.splitlines(), got.splitlines()
    if a == b:
        return None
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    lines = [f"first difference at line {n + 1}:",
             f"  {want_name:>8}: {a[n]!r}" if n < len(a) else f"  {want_name:>8}: <end>",
             f"  {got_name:>8}: {b[n]!r}" if n < len(b) else f"  {got_name:>8}: <end>"]
    # The statement being run there: the last echoed line before the difference.
    diff = list(difflib.unified_diff(a, b, want_name, got_name, n=3, lineterm=""))
    if len(diff) > DIFF_LINES_MAX:
        diff = diff[:DIFF_LINES_MAX] + [f"... {len(diff) - DIFF_LINES_MAX} more diff lines"]
    return "\n".join(lines + diff)


def test_first_difference_reports_planted_change():
    assert first_difference("a\nb\nc\n", "a\nb\nc\n") is None
    rep = first_difference("a\nb\nc\n", "a\nB\nc\n")
    assert rep.startswith("first difference at line 2:")
    assert "'b'" in rep and "'B'" in rep and "-b" in rep and "+B" in rep
    rep = first_difference("a\nb\n", "a\n")
    assert "line 2" in rep and "<end>" in rep


@pytest.mark.parametrize("script", SCRIPTS, ids=[os.path.basename(s) for s in SCRIPTS])
def test_script_matches_postgres(target, reference, script, tmp_path):
    rc_ref, want = transcript(reference, script)
    rc_tgt, got = transcript(target, script)
    (tmp_path / "postgres.out").write_text(want)
    (tmp_path / f"{target.kind}.out").write_text(got)
    # The reference run itself must be sound: connected, ran to the last statement.
    assert rc_ref == 0, want[-2000:]
    assert "psql: error" not in want and "FATAL" not in want, want[-2000:]
    with open(script) as f:
        last = [ln for ln in f.read().splitlines() if ln.strip()][-1]
    assert last in want, f"reference transcript does not reach {last!r}"
    report = first_difference(want, got, "postgres", target.kind)
    assert report is None, (f"{os.path.basename(script)}: {target.kind} differs from "
                            f"PostgreSQL 15 (transcripts in {tmp_path})\n{report}")
    assert rc_tgt == rc_ref
