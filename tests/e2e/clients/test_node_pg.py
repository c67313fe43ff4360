"""node-postgres (npm "pg", version pinned by node/package-lock.json) against micedb: the
package is installed with `npm ci` into the build tree (build/clients-node, once per lock
file), and node/pgtest.js runs against micedb and, to prove the script itself, PostgreSQL
15. It connects, creates a table with a column of every supported type, inserts and reads
back two rows of values and one of NULLs (named and unnamed statements), compares
parameters in WHERE, commits and rolls back, checks the SQLSTATEs of 23505, 22012, 42P01,
42601 and 25P02 (err.code), and checks that named statements are parsed once per
connection and then reused. Skipped, saying so, only when the npm registry cannot be
reached."""
import os
import re
import shutil

import pytest

import clientbuild

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
CHECKS = ["connect", "ddl", "types round trip", "parameters in WHERE", "commit and rollback",
          "errors carry SQLSTATE", "named prepared statements reused", "drop"]
NETWORK_ERRORS = r"ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ECONNRESET|ENETUNREACH|" \
                 r"EHOSTUNREACH|network|proxy"


@pytest.fixture(scope="module")
def node_modules():
    out = clientbuild.build_dir("clients-node")
    lock = os.path.join(HERE, "package-lock.json")
    stamp = os.path.join(out, "node_modules", ".installed-lock.json")
    with open(lock) as f:
        want = f.read()
    if os.path.exists(stamp) and open(stamp).read() == want:
        return os.path.join(out, "node_modules")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(os.path.join(HERE, name), os.path.join(out, name))
    r = clientbuild.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", out],
                        timeout_s=240, check=False, cwd=out)
    print(f"npm ci: {r.seconds:.1f}s")
    if r.returncode != 0:
        if re.search(NETWORK_ERRORS, r.stdout + r.stderr):
            pytest.skip(f"npm registry unreachable, node-postgres not installed:\n{r.stderr}")
        raise AssertionError(f"npm ci failed:\n{r.stdout}\n{r.stderr}")
    with open(stamp, "w") as f:
        f.write(want)
    return os.path.join(out, "node_modules")


@pytest.mark.parametrize("kind", ["micedb", "postgres"])
def test_node_pg(node_modules, kind, request):
    target = request.getfixturevalue("mice" if kind == "micedb" else "pg")
    env = dict(os.environ, NODE_PATH=node_modules)
    r = clientbuild.run(["node", os.path.join(HERE, "pgtest.js"), str(target.port)],
                        timeout_s=120, check=False, env=env)
    print(f"node ({kind}): {r.seconds:.1f}s")
    assert r.returncode == 0, f"{kind}:\n{r.stdout}\n{r.stderr}"
    done = [line[3:] for line in r.stdout.splitlines() if line.startswith("ok ")]
    assert [d if not d.startswith("connect ") else "connect" for d in done] == CHECKS, r.stdout
