"""micedb start/stop as a user sees it: help, version, bad flags, open, clean shutdown."""
import os
import signal
import subprocess

from harness import BIN, Node


def run(*args, env=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=30, env=env)


def test_version_and_help():
    r = run("version")
    assert r.returncode == 0 and r.stdout.startswith("micedb ")
    r = run("--help")
    assert r.returncode == 0
    for flag in ("--data", "--sql", "--http", "--resp", "--rpc", "MICEDB_DATA"):
        assert flag in r.stdout


def test_bad_flag_is_an_error_not_a_crash():
    r = run("start", "--no-such-flag")
    assert r.returncode == 2
    assert "unknown flag" in r.stderr
    r = run("start", "--data")
    assert r.returncode == 2 and "needs a value" in r.stderr
    r = run("frobnicate")
    assert r.returncode == 2


def test_start_opens_storage_and_stops_cleanly_on_sigterm_and_sigint():
    node = Node().start()
    log = node.read_log()
    assert node.data_dir in log
    assert node.stop(signal.SIGTERM) == 0
    assert "stopped" in node.read_log()
    assert os.path.isdir(node.data_dir)
    # Reopen the same directory, stop with SIGINT this time.
    node2 = Node(data_dir=node.data_dir).start()
    assert node2.stop(signal.SIGINT) == 0


def test_environment_sets_the_data_dir(tmp_path):
    node = Node()
    env = dict(os.environ, MICEDB_DATA=str(tmp_path / "from-env"))
    node.proc = subprocess.Popen([BIN, "start"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT)
    try:
        line = b""
        while b"ready" not in line:
            line = node.proc.stdout.readline()
            assert line, "micedb exited before ready"
        assert (tmp_path / "from-env").is_dir()
    finally:
        node.proc.send_signal(signal.SIGTERM)
        assert node.proc.wait(20) == 0


def test_second_process_on_same_dir_is_refused():
    node = Node().start()
    try:
        r = subprocess.run([BIN, "start", "--data", node.data_dir], capture_output=True,
                           text=True, timeout=30)
        assert r.returncode == 1
        assert "lock" in r.stderr.lower()
    finally:
        node.stop()


def test_kill9_then_reopen():
    node = Node().start()
    node.kill9()
    node2 = Node(data_dir=node.data_dir).start()
    assert node2.stop() == 0


def test_health_endpoint_answers_json():
    import json
    import urllib.error
    import urllib.request
    node = Node().start()
    try:
        url = f"http://127.0.0.1:{node.ports['http']}"
        with urllib.request.urlopen(url + "/health", timeout=10) as r:
            assert r.status == 200
            body = json.loads(r.read())
            assert body["status"] == "ok" and body["ready"] is True
        try:
            urllib.request.urlopen(url + "/no/such/thing", timeout=10)
            raise AssertionError("expected 404")
        except urllib.error.HTTPError as e:
            assert e.code == 404
            assert json.loads(e.read())["code"] == "not_found"
    finally:
        assert node.stop() == 0
