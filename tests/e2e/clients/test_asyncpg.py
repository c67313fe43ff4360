"""asyncpg (Debian python3-asyncpg) unmodified against micedb.

asyncpg speaks the binary protocol throughout: every query is Parse'd as a named statement
(__asyncpg_stmt_n__, kept in a per-connection cache and reused), described to learn the
parameter and column types, then bound with binary parameters and binary results. A type it
has no built-in codec for is looked up with its introspection query over pg_type (a
recursive CTE). The test drives it with asyncio.run per test."""
import asyncio
import uuid

import asyncpg
import asyncpg.exceptions as ae
import pytest

import drivers_common as dc

TIMEOUT_S = 30


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT_S))


async def connect(target):
    return await asyncpg.connect(host=target.host, port=target.port, user="root",
                                 database="defaultdb", timeout=10)


def adapt_in(row):
    out = dict(row)
    return out


def normalise_out(row):
    out = dict(row)
    if out["c_uuid"] is not None:
        out["c_uuid"] = uuid.UUID(str(out["c_uuid"]))  # asyncpg's own UUID class
    return out


def test_connect(target):
    async def go():
        c = await connect(target)
        try:
            assert c.get_server_version().major >= 15
            assert await c.fetchrow("SELECT 1 AS a, 'x'::text AS b") == (1, "x")
            assert await c.fetchval("SELECT $1::int8 * 2", 21) == 42
        finally:
            await c.close()
    run(go())


def test_types_round_trip(target):
    async def go():
        c = await connect(target)
        try:
            await c.execute(dc.drop_sql())
            await c.execute(dc.create_sql())
            ins = dc.insert_sql(lambda i: f"${i + 1}")
            for rid, row in dc.ROWS.items():
                vals = adapt_in(row)
                assert await c.execute(ins, rid, *[vals[n] for n in dc.NAMES]) == "INSERT 0 1"
            stmt = await c.prepare(dc.select_sql(lambda i: f"${i + 1}"))
            assert {a.name: a.type.oid for a in stmt.get_attributes()[1:]} == dc.OIDS
            assert [p.oid for p in stmt.get_parameters()] == [23]
            for rid in dc.ROWS:
                got = await stmt.fetch(rid)
                assert len(got) == 1 and got[0]["id"] == rid
                assert dc.diff(normalise_out(dict(got[0])), dc.expected(rid)) == []
        finally:
            await c.close()
    run(go())


def test_executemany_and_copy_records(target):
    async def go():
        c = await connect(target)
        try:
            await c.execute("DROP TABLE IF EXISTS drv_many")
            await c.execute("CREATE TABLE drv_many (k int PRIMARY KEY, v text, f float8)")
            await c.executemany("INSERT INTO drv_many VALUES ($1, $2, $3)",
                                [(i, f"v{i}", i / 4) for i in range(50)])
            r = await c.fetchrow("SELECT count(*), min(v), max(k), sum(f) FROM drv_many "
                                 "WHERE k >= $1", 10)
            assert tuple(r) == (40, "v10", 49, sum(i / 4 for i in range(10, 50)))
            rows = await c.fetch("SELECT k, v FROM drv_many WHERE v = any($1::text[]) "
                                 "ORDER BY k", ["v3", "v7", "nope"])
            assert [tuple(x) for x in rows] == [(3, "v3"), (7, "v7")]
        finally:
            await c.close()
    run(go())


def test_transactions(target):
    async def go():
        c = await connect(target)
        other = await connect(target)
        try:
            await c.execute("DROP TABLE IF EXISTS drv_tx")
            await c.execute("CREATE TABLE drv_tx (k int PRIMARY KEY, v text)")
            with pytest.raises(ZeroDivisionError):
                async with c.transaction():
                    await c.execute("INSERT INTO drv_tx VALUES ($1, $2)", 1, "rolled back")
                    assert await other.fetchval("SELECT count(*) FROM drv_tx") == 0
                    raise ZeroDivisionError
            async with c.transaction():
                await c.execute("INSERT INTO drv_tx VALUES ($1, $2)", 2, "committed")
                assert c.is_in_transaction()
            assert not c.is_in_transaction()
            tr = c.transaction()
            await tr.start()
            await c.execute("INSERT INTO drv_tx VALUES (3, 'manual')")
            await tr.rollback()
            assert await other.fetch("SELECT k, v FROM drv_tx") == [(2, "committed")]
        finally:
            await c.close()
            await other.close()
    run(go())


@pytest.mark.parametrize("sql,exc,code", [
    ("INSERT INTO drv_types (id) VALUES (1)", ae.UniqueViolationError, dc.UNIQUE_VIOLATION),
    ("SELECT 1 / (id - id) FROM drv_types", ae.DivisionByZeroError, dc.DIVISION_BY_ZERO),
    ("SELECT * FROM no_such_table", ae.UndefinedTableError, dc.UNDEFINED_TABLE),
])
def test_errors_carry_sqlstate(target, sql, exc, code):
    async def go():
        c = await connect(target)
        try:
            with pytest.raises(exc) as ei:
                await c.fetch(sql)
            assert ei.value.sqlstate == code
            with pytest.raises(exc):  # the same error through a transaction block
                async with c.transaction():
                    await c.execute(sql)
            assert not c.is_in_transaction()
            assert await c.fetchval("SELECT 2") == 2
        finally:
            await c.close()
    run(go())


def test_prepared_statement_reuse(target):
    async def go():
        c = await connect(target)
        try:
            stmt = await c.prepare("SELECT c_int8, c_text_arr, c_interval FROM drv_types "
                                   "WHERE id = $1")
            for _ in range(3):
                for rid in dc.ROWS:
                    want = dc.expected(rid)
                    assert tuple(await stmt.fetchrow(rid)) == \
                        (want["c_int8"], want["c_text_arr"], want["c_interval"])
            # the statement cache: the same text runs as the same server-side statement
            for i in range(5):
                assert await c.fetchval("SELECT $1::int4 + $2::int4", i, 1) == i + 1
            cur_rows = []
            async with c.transaction():
                async for r in c.cursor("SELECT k FROM drv_many ORDER BY k", prefetch=7):
                    cur_rows.append(r["k"])
            assert cur_rows == list(range(50))
        finally:
            await c.close()
    run(go())
