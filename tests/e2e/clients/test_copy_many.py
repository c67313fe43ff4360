"""COPY FROM of many rows, which micedb writes hundreds at a time (txn_write_batch):
the error of a duplicate is PostgreSQL's, naming the right key."""


def test_copy_many_rows_reports_the_first_failing_row(mice, pg):
    """COPY writes hundreds of rows per request: a duplicate at line 700 of 1000 is
    reported with PostgreSQL's text and detail (the key of that line) and nothing of the
    COPY stays; a clean COPY of the same size then loads every row. (A bad line after the
    duplicate is not part of this: PostgreSQL's COPY buffers up to 1000 rows and checks
    their format before their keys, micedb's 256 at a time.)"""
    table = "create table cmany (id int primary key, k int unique, t text)"
    lines = [f"{i}\t{i * 2}\trow {i}" for i in range(1, 1001)]
    bad = list(lines)
    bad[699] = "3\t9999\tdup"
    for t in (mice, pg):
        t.psql("-c", table, check=True)
    want = pg.psql("-c", r"\copy cmany from stdin", input="\n".join(bad) + "\n")
    got = mice.psql("-c", r"\copy cmany from stdin", input="\n".join(bad) + "\n")
    assert want.returncode == 1 and got.returncode == 1, (want, got)
    assert want.stderr.splitlines()[:2] == [
        'ERROR:  duplicate key value violates unique constraint "cmany_pkey"',
        "DETAIL:  Key (id)=(3) already exists."], want.stderr
    assert got.stderr.splitlines()[:2] == want.stderr.splitlines()[:2], got.stderr
    r = mice.psql("-A", "-t", "-c", "select count(*) from cmany", check=True)
    assert r.stdout == "0\n", "a failed COPY inserts nothing"
    r = mice.psql("-c", r"\copy cmany from stdin", input="\n".join(lines) + "\n", check=True)
    assert r.stdout == "COPY 1000\n"
    r = mice.psql("-A", "-t", "-c", "select count(*), sum(id), sum(k) from cmany", check=True)
    assert r.stdout == "1000|500500|1001000\n"
