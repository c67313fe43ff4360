"""Random expressions, evaluated by micedb and by PostgreSQL 15 over the same small tables
with NULLs and zeros: every query must give the same rows, or fail with the same SQLSTATE.

The expressions mix arithmetic (division and modulo by zero included), comparisons, AND/
OR/NOT, IS [NOT] NULL/TRUE/FALSE/UNKNOWN, BETWEEN, IN lists of constants and columns,
CASE, COALESCE and NULLIF, in WHERE, in the select list, in HAVING and in a join's WHERE.
Whether a query fails depends on which rows each condition is evaluated on, so this checks
PostgreSQL's planner rules that micedb follows (src/sql/bind_simplify.c, bind_quals.c):
constant folding, NOT push-down, canonical WHERE, HAVING as WHERE, condition order by cost.
The join's conditions divide by nothing: which of its sides PostgreSQL reads first (and so
which side's failing condition it meets) depends on its cost-based physical plan.

Seeded: MICE_EXPR_SEED=<n> reruns one seed, MICE_EXPR_QUERIES=<n> sets how many queries
each seed makes; a failure prints the seed and the query.
"""
import os
import random

import psycopg
import pytest

import harness
import pgserver

SEEDS = [int(os.environ["MICE_EXPR_SEED"])] if "MICE_EXPR_SEED" in os.environ else [1, 2, 3]
QUERIES = int(os.environ.get("MICE_EXPR_QUERIES", "150"))
SETUP = [
    "create table fz (a int, b int, c int)",
    "insert into fz values (1,2,3),(0,0,null),(null,5,0),(-3,null,7),(4,4,4),(null,null,null)",
    "create table fy (d int, e int)",
    "insert into fy values (1,0),(2,null),(0,4),(null,1)",
]


@pytest.fixture(scope="module")
def conns():
    if not pgserver.available():
        pytest.skip("PostgreSQL 15 is not installed")
    node = harness.Node().start()
    pg = pgserver.PgServer(harness.free_port(), root=harness.TMP_ROOT)
    opened = []
    try:
        pg.start()
        mi = psycopg.connect(f"host=127.0.0.1 port={node.ports['sql']} user=root "
                             f"dbname=defaultdb connect_timeout=10", autocommit=True)
        opened.append(mi)
        pc = psycopg.connect(pg.dsn() + " connect_timeout=10", autocommit=True)
        opened.append(pc)
        for c in (mi, pc):
            c.execute("set statement_timeout = 10000")
            for s in SETUP:
                c.execute(s)
        yield mi, pc
    finally:
        for c in opened:
            c.close()
        pg.stop()
        node.stop()


class Gen:
    def __init__(self, seed, cols, divide=True):
        self.r = random.Random(seed)
        self.cols = cols
        self.ops = ["+", "-", "*", "/", "%"] if divide else ["+", "-", "*"]

    def leaf(self):
        return self.r.choice(self.cols + ["0", "1", "2", "-1", "CAST(NULL AS INTEGER)"])

    def val(self, d):
        r = self.r.random()
        if d <= 0 or r < 0.3:
            return self.leaf()
        if r < 0.4:
            return f"COALESCE({self.val(d - 1)}, {self.val(d - 1)})"
        if r < 0.5:
            return f"CASE WHEN {self.cond(d - 1)} THEN {self.val(d - 1)} ELSE {self.val(d - 1)} END"
        if r < 0.55:
            return (f"CASE {self.val(d - 1)} WHEN {self.leaf()} THEN {self.val(d - 1)} "
                    f"WHEN {self.leaf()} THEN {self.val(d - 1)} END")
        if r < 0.62:
            return f"NULLIF({self.val(d - 1)}, {self.val(d - 1)})"
        if r < 0.68:
            return f"- {self.val(d - 1)}"
        if r < 0.72:
            return f"+ {self.val(d - 1)}"
        op = self.r.choice(self.ops)
        return f"({self.val(d - 1)} {op} {self.val(d - 1)})"

    def cond(self, d):
        r = self.r.random()
        if d <= 0 or r < 0.2:
            k = self.r.random()
            if k < 0.55:
                op = self.r.choice(["=", "<>", "<", "<=", ">", ">="])
                return f"{self.val(1)} {op} {self.val(1)}"
            if k < 0.65:
                return self.r.choice(["TRUE", "FALSE", "NULL"])
            if k < 0.8:
                return f"{self.val(1)} IS {self.r.choice(['', 'NOT '])}NULL"
            items = ", ".join(self.val(0) for _ in range(self.r.randint(1, 4)))
            return f"{self.val(1)} {self.r.choice(['', 'NOT '])}IN ({items})"
        k = self.r.random()
        if k < 0.3:
            return f"({self.cond(d - 1)} AND {self.cond(d - 1)})"
        if k < 0.6:
            return f"({self.cond(d - 1)} OR {self.cond(d - 1)})"
        if k < 0.8:
            return f"NOT ({self.cond(d - 1)})"
        if k < 0.9:
            t = self.r.choice(["TRUE", "FALSE", "UNKNOWN"])
            return f"({self.cond(d - 1)}) IS {self.r.choice(['', 'NOT '])}{t}"
        return (f"{self.val(d - 1)} {self.r.choice(['', 'NOT '])}BETWEEN {self.val(d - 1)} "
                f"AND {self.val(d - 1)}")


def outcome(conn, sql):
    try:
        return "rows", sorted(map(repr, conn.execute(sql).fetchall()))
    except psycopg.Error as e:
        if conn.broken:
            raise AssertionError(f"the connection died on: {sql}") from e
        return "error", e.sqlstate


def queries(seed):
    one = Gen(seed, ["a", "b", "c"])
    only_a = Gen(seed + 1000, ["a"])
    two = Gen(seed + 2000, ["a", "b", "d", "e"], divide=False)
    for _ in range(QUERIES):
        yield f"SELECT a, b, c FROM fz WHERE {one.cond(3)}"
        yield f"SELECT {one.val(3)}, ({one.cond(2)}) FROM fz"
        yield f"SELECT a, count(*) FROM fz GROUP BY a HAVING {only_a.cond(3)}"
        yield f"SELECT a, d FROM fz, fy WHERE {two.cond(3)}"


@pytest.mark.parametrize("seed", SEEDS)
def test_same_answers_as_postgres(conns, seed):
    mi, pc = conns
    n = 0
    for sql in queries(seed):
        want, got = outcome(pc, sql), outcome(mi, sql)
        assert got == want, (f"seed {seed} (MICE_EXPR_SEED={seed}): {sql}\n"
                             f"  postgres: {want}\n  micedb:   {got}")
        n += 1
    assert n == 4 * QUERIES
