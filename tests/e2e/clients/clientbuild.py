"""Where the compiled-client tests (JDBC, Go pgx, Node.js pg) build their programs: a
directory of the build tree, never the source tree: MICE_BUILD_DIR if set, else the parent
of MICE_TEST_TMP (clients.cmake sets it to <build>/testtmp). run() is subprocess.run with a
time limit that reports the command's output when it fails."""
import os
import subprocess
import tempfile
import time


def build_dir(name):
    root = os.environ.get("MICE_BUILD_DIR")
    if not root:
        tmp = os.environ.get("MICE_TEST_TMP")
        root = os.path.dirname(os.path.abspath(tmp)) if tmp else tempfile.gettempdir()
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    return d


def run(cmd, timeout_s, check=True, **kw):
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, **kw)
    r.seconds = time.monotonic() - t0
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode} after {r.seconds:.1f}s:\n"
                             f"{r.stdout}\n{r.stderr}")
    return r
