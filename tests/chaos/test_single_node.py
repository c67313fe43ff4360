"""run.py end to end on one real micedb: with kill -9 + restart and SIGSTOP faults the
history must be linearizable and every acknowledged write must survive the restarts; and
the same pipeline must fail (exit 1) when a stale read or a lost write is planted in what
the clients report, so the checks are shown to bite on real histories."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(*args, timeout=240):
    r = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), *args],
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def test_kill9_and_pause_keep_every_acknowledged_write():
    rc, out = run("--nodes", "1", "--loopback", "--duration", "20", "--seed", "1",
                  "--faults", "kill,pause")
    assert rc == 0, out
    assert "chaos: OK" in out and "kill -9 n0" in out, out


def test_planted_stale_read_is_reported():
    rc, out = run("--nodes", "1", "--loopback", "--duration", "4", "--seed", "2",
                  "--no-nemesis", "--plant", "stale-read")
    assert rc == 1, out
    assert "NOT linearizable" in out and "reproduce with --seed 2" in out, out


def test_planted_lost_write_is_reported():
    rc, out = run("--nodes", "1", "--loopback", "--duration", "4", "--seed", "3",
                  "--no-nemesis", "--plant", "lost-write")
    assert rc == 1, out
    assert "acknowledged write missing" in out, out
