"""pgcli (Debian pgcli, over psycopg 3 and pgspecial) unmodified against micedb.

pgcli fills its completer in a background thread that runs every refresher in turn
(search_path, schemata, tables + columns + foreign keys, views, types, databases,
functions); one failing query kills the thread and pgcli completes nothing. The tests run
that refresh through pgcli's own Python API (PGExecute + CompletionRefresher) and ask its
PGCompleter for completions, run pgspecial's backslash commands, and drive the pgcli
program itself with --list and with statements piped into it."""
import os
import subprocess
import threading

import pytest
from pgcli.completion_refresher import CompletionRefresher
from pgcli.pgcompleter import PGCompleter
from pgcli.pgexecute import PGExecute
from pgspecial.main import PGSpecial
from prompt_toolkit.document import Document

DDL = [
    "DROP TABLE IF EXISTS pc_orders",
    "DROP TABLE IF EXISTS pc_customers",
    "CREATE TABLE pc_customers (id int PRIMARY KEY, name text NOT NULL, email varchar(100))",
    "CREATE TABLE pc_orders (id bigint PRIMARY KEY, customer_id int, total numeric(10,2), "
    "placed timestamptz)",
    "CREATE INDEX pc_orders_customer ON pc_orders (customer_id)",
]
REFRESH_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def executor(target):
    ex = PGExecute("defaultdb", "root", None, target.host, target.port, connect_timeout=10)
    for sql in DDL:
        for _ in ex.run(sql):
            pass
    yield ex
    ex.conn.close()


def completions(completer, text, cursor=None):
    cursor = len(text) if cursor is None else cursor
    doc = Document(text=text, cursor_position=cursor)
    return {c.text for c in completer.get_completions(doc, None)}


def check_completer(completer):
    assert {"pc_customers", "pc_orders"} <= completions(completer, "SELECT * FROM pc_")
    assert "customer_id" in completions(completer, "SELECT cus FROM pc_orders", len("SELECT cus"))
    assert "email" in completions(completer, "SELECT em FROM pc_customers", len("SELECT em"))
    assert "public" in completions(completer, "SELECT * FROM pub")


def test_connect(executor):
    assert executor.server_version.startswith("15.")
    assert executor.superuser
    assert executor.search_path() == ["pg_catalog", "public"]
    (_, rows, headers, status, _, ok, _), = list(executor.run("SELECT 1 AS x, 'a' AS y"))
    assert ok and list(rows) == [(1, "a")] and headers == ["x", "y"] and status == "SELECT 1"


def test_every_refresher_runs(executor):
    """Each refresher pgcli's background thread runs, in its order, without an error."""
    completer = PGCompleter(smart_completion=True, settings={})
    for name, refresh in CompletionRefresher.refreshers.items():
        refresh(completer, executor)
    check_completer(completer)
    assert list(executor.foreignkeys()) == []  # the query ran; no foreign keys here
    assert "defaultdb" in executor.databases()


def test_background_refresh_completes_table_names(executor):
    """What pgcli does at start-up and after DDL: the refresh thread with its own
    connection, ending in the callback that installs the new completer."""
    done = threading.Event()
    got = []

    def callback(completer):
        got.append(completer)
        done.set()

    CompletionRefresher().refresh(executor, PGSpecial(), [callback], settings={})
    assert done.wait(REFRESH_TIMEOUT_S), "the completion refresh did not finish"
    check_completer(got[0])


@pytest.mark.parametrize("cmd,want", [
    (r"\dt", ["pc_customers", "pc_orders"]),
    (r"\d pc_orders", ["customer_id", "pc_orders_pkey"]),
    (r"\di", ["pc_orders_customer"]),
    (r"\dn", ["public"]),
    (r"\l", ["defaultdb"]),
    (r"\du", ["root"]),
    (r"\df", []),
    (r"\dv", []),
])
def test_backslash_commands(executor, cmd, want):
    out = []
    for title, rows, headers, status, sql, success, is_special in \
            executor.run(cmd, pgspecial=PGSpecial()):
        assert success, (cmd, status)
        out.append(f"{title} {headers} {list(rows) if rows else []} {status}")
    text = "\n".join(out)
    for w in want:
        assert w in text, f"{cmd}: {w} not in\n{text}"


def run_pgcli(target, tmp_path, *args, stdin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path), TERM="dumb",
               LC_ALL="C.UTF-8", LANG="C.UTF-8", PAGER="cat")
    return subprocess.run(["/usr/bin/pgcli", "-h", target.host, "-p", str(target.port), "-U",
                           "root", "-w", "--less-chatty", *args, "defaultdb"],
                          input=stdin, capture_output=True, text=True, timeout=60, env=env)


def test_pgcli_list(target, tmp_path):
    r = run_pgcli(target, tmp_path, "--list")
    assert r.returncode == 0, r.stderr
    assert "defaultdb" in r.stdout and "UTF8" in r.stdout


def test_pgcli_session_from_stdin(executor, target, tmp_path):
    r = run_pgcli(target, tmp_path,
                  stdin="SELECT 6 * 7 AS the_answer;\n\\dt\nSELECT 1/0;\n")
    assert r.returncode == 0, r.stderr
    assert "| the_answer |" in r.stdout and "| 42         |" in r.stdout, r.stdout
    assert "pc_customers" in r.stdout and "pc_orders" in r.stdout
    assert "division by zero" in r.stdout + r.stderr
