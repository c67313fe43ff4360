"""Every SQL type of issue item 4: PostgreSQL's text output byte for byte, round trips of
parameters in text and binary format through psycopg, boundaries and their errors, NULLs,
and the RowDescription type OIDs clients dispatch on."""
import datetime as dt
from decimal import Decimal

import psycopg
from psycopg.types.numeric import Int4
import pytest

from helpers import expect_error, text_of

UTC = dt.timezone.utc

# (SQL expression, exact text output PostgreSQL sends)
TEXT_OUTPUT = [
    ("true", "t"), ("false", "f"), ("'yes'::bool", "t"), ("'0'::boolean", "f"),
    ("(-32768)::smallint", "-32768"), ("32767::int2", "32767"),
    ("(-2147483648)::int", "-2147483648"), ("2147483647::integer", "2147483647"),
    ("(-9223372036854775808)::bigint", "-9223372036854775808"),
    ("9223372036854775807::int8", "9223372036854775807"),
    ("' 42 '::int", "42"),
    ("1.5::real", "1.5"), ("0.1::real", "0.1"), ("(1::real / 3::real)", "0.33333334"),
    ("(1::real / 3)", "0.3333333333333333"),  # real / int is double precision
    ("3.4028235e38::float4", "3.4028235e+38"), ("1e-7::real", "1e-07"),
    ("0.1::float8", "0.1"), ("(1::float8 / 3)", "0.3333333333333333"),
    ("1e100::double precision", "1e+100"), ("123456789012345.0::float8", "123456789012345"),
    ("1e15::float8", "1e+15"), ("'-0'::float8", "-0"), ("(-0.0)::float8", "0"),
    ("'NaN'::float8", "NaN"), ("'infinity'::float8", "Infinity"),
    ("'-inf'::real", "-Infinity"),
    ("1.50::numeric", "1.50"), ("1.005::numeric(10,2)", "1.01"), ("-1.005::numeric(10,2)", "-1.01"),
    ("2.5::numeric(10,0)", "3"), ("12345678.9::numeric(10,2)", "12345678.90"),
    ("0.000001::numeric", "0.000001"), ("1e20::numeric", "100000000000000000000"),
    ("(10::numeric / 4)", "2.5000000000000000"), ("'NaN'::numeric", "NaN"),
    ("'héllo wörld'::text", "héllo wörld"), ("''::text", ""), ("'a''b'::text", "a'b"),
    ("E'tab\\there'", "tab\there"), ("'back\\slash'", "back\\slash"),
    ("'abcdef'::varchar(3)", "abc"), ("'ab'::varchar(5)", "ab"),
    ("'ab'::char(5)", "ab   "), ("'abcdef'::char(3)", "abc"), ("'x'::char", "x"),
    ("'\\x0001ff'::bytea", "\\x0001ff"), ("''::bytea", "\\x"), ("'abc'::bytea", "\\x616263"),
    ("'a\\000b'::bytea", "\\x610062"),
    ("'2024-02-29'::date", "2024-02-29"), ("'0001-01-01'::date", "0001-01-01"),
    ("'9999-12-31'::date", "9999-12-31"), ("'12/25/2023'::date", "2023-12-25"),
    ("'infinity'::date", "infinity"), ("'0001-01-01'::date - 1", "0001-12-31 BC"),
    ("'2024-01-02 03:04:05'::timestamp", "2024-01-02 03:04:05"),
    ("'2024-01-02 03:04:05.120'::timestamp", "2024-01-02 03:04:05.12"),
    ("'2024-01-02 03:04:05.1234567'::timestamp", "2024-01-02 03:04:05.123457"),
    ("'2024-01-02T03:04:05'::timestamp", "2024-01-02 03:04:05"),
    ("'2024-01-02'::timestamp", "2024-01-02 00:00:00"),
    ("'2024-01-02 03:04:05+02'::timestamptz", "2024-01-02 01:04:05+00"),
    ("'2024-07-01 12:00:00.5 UTC'::timestamptz", "2024-07-01 12:00:00.5+00"),
    ("'2024-01-02 03:04:05+02'::timestamp", "2024-01-02 03:04:05"),
    ("'2024-03-01'::date - '2024-02-01'::date", "29"),
    ("'2024-01-31'::date + 1", "2024-02-01"),
    ("null::int", None), ("null::text", None), ("null::bytea", None),
]


@pytest.mark.parametrize("expr,want", TEXT_OUTPUT, ids=[e for e, _ in TEXT_OUTPUT])
def test_text_output_format(conn, expr, want):
    conn.execute("set timezone = 'UTC'")
    assert text_of(conn, f"select {expr}") == [want]


def test_timestamptz_output_follows_session_timezone(conn):
    conn.execute("set timezone = 'America/New_York'")
    assert text_of(conn, "select '2024-01-02 03:04:05+00'::timestamptz") == [
        "2024-01-01 22:04:05-05"]
    assert text_of(conn, "select '2024-07-02 03:04:05+00'::timestamptz") == [
        "2024-07-01 23:04:05-04"]
    conn.execute("set timezone = 'Asia/Kolkata'")
    assert text_of(conn, "select '2024-01-02 03:04:05+00'::timestamptz") == [
        "2024-01-02 08:34:05+05:30"]
    conn.execute("set timezone = 'UTC'")
    assert text_of(conn, "select '2024-01-02 03:04:05 America/New_York'::timestamptz") == [
        "2024-01-02 08:04:05+00"]


OID = {"bool": 16, "bytea": 17, "int8": 20, "int2": 21, "int4": 23, "text": 25,
       "float4": 700, "float8": 701, "bpchar": 1042, "varchar": 1043, "date": 1082,
       "timestamp": 1114, "timestamptz": 1184, "numeric": 1700}


def test_row_description_type_oids(conn):
    conn.execute("create table types_oids (a bool, b smallint, c int, d bigint, e real, "
                 "f double precision, g numeric(10,2), h text, i varchar(10), j char(3), "
                 "k bytea, l date, m timestamp, n timestamptz, o serial, p bigserial)")
    cur = conn.execute("select * from types_oids")
    got = [d.type_code for d in cur.description]
    want = [OID[t] for t in ("bool", "int2", "int4", "int8", "float4", "float8", "numeric",
                             "text", "varchar", "bpchar", "bytea", "date", "timestamp",
                             "timestamptz", "int4", "int8")]
    assert got == want
    # typmods: varchar(10) -> 14, char(3) -> 7, numeric(10,2) -> (10 << 16 | 2) + 4
    mods = {d.name: d.internal_size for d in cur.description}
    assert mods["b"] == 2 and mods["c"] == 4 and mods["d"] == 8 and mods["h"] is None
    assert cur.description[8].display_size == 10
    assert cur.description[6].precision == 10 and cur.description[6].scale == 2


ROUND_TRIP = [
    ("bool", [True, False]),
    ("smallint", [-32768, 0, 32767]),
    ("int", [-2147483648, 7, 2147483647]),
    ("bigint", [-9223372036854775808, 0, 9223372036854775807]),
    ("real", [1.5, -0.25, 1048576.5]),  # exact in float4 and in its shortest text form
    ("double precision", [0.1, -1e-300, 1.7976931348623157e308]),
    ("numeric(12,3)", [Decimal("123456789.123"), Decimal("-0.001"), Decimal("0.000")]),
    ("numeric", [Decimal("3.14159265358979323846264338327950288"), Decimal("-1E+20"),
                 Decimal("0.10")]),
    ("text", ["", "plain", "ünïcødé ✓ 𝄞", "quote ' and \\ backslash", "new\nline"]),
    ("varchar(8)", ["", "12345678"]),
    ("bytea", [b"", b"\x00\x01\xff", bytes(range(256))]),
    ("date", [dt.date(2024, 2, 29), dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
    ("timestamp", [dt.datetime(2024, 1, 2, 3, 4, 5, 123456), dt.datetime(1970, 1, 1),
                   dt.datetime(1999, 12, 31, 23, 59, 59, 999999)]),
    ("timestamptz", [dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
                     dt.datetime(2000, 6, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))]),
    # arrays: stored in rows, bound as binary parameters (array_recv) and text ones
    ("int[]", [[Int4(1), Int4(-2), None, Int4(2147483647)], [Int4(7)], []]),
    ("bigint[]", [[-9223372036854775808, None]]),
    ("text[]", [["a", "b c", None, "", 'q"uote,comma{}\\'], ["only"]]),
]


@pytest.mark.parametrize("case", range(len(ROUND_TRIP)), ids=[t for t, _ in ROUND_TRIP])
@pytest.mark.parametrize("fmt", ["t", "b"])
def test_parameter_round_trip_text_and_binary(conn, case, fmt):
    sqltype, values = ROUND_TRIP[case]
    conn.execute("set timezone = 'UTC'")
    table = f"types_rt_{case}_{fmt}"
    conn.execute(f"create table {table} (id int primary key, v {sqltype})")
    for i, v in enumerate(values + [None]):
        conn.execute(f"insert into {table} values (%{fmt}, %{fmt})", (i, v))
    for binary in (False, True):
        cur = conn.cursor(binary=binary)
        got = [r[0] for r in cur.execute(f"select v from {table} order by id")]
        assert got == values + [None], (binary, got)
        # The same values come back when used as a parameter in a WHERE clause.
        for v in values:
            n = cur.execute(f"select count(*) from {table} where v = %{fmt}", (v,)).fetchone()
            assert n[0] == 1, (v, binary)


def test_array_types_name_the_array_io_functions(conn):
    """pgjdbc tells arrays from other types by typinput = 'pg_catalog.array_in'::regproc."""
    rows = conn.execute(
        "select typname, typinput = 'pg_catalog.array_in'::regproc, typinput::text, "
        "typoutput::text, typreceive::text, typsend::text, 'array_in'::regproc::oid::int "
        "from pg_catalog.pg_type where typname in ('_int4', '_text', '_numeric') "
        "order by typname").fetchall()
    assert rows == [(n, True, "array_in", "array_out", "array_recv", "array_send", 750)
                    for n in ("_int4", "_numeric", "_text")]
    n = conn.execute("select count(*) from pg_catalog.pg_type where typname = 'int4' "
                     "and typinput = 'array_in'::regproc").fetchone()[0]
    assert n == 0


def test_char_n_pads_compares_without_trailing_spaces(conn):
    conn.execute("create table types_char (c char(5), v varchar(5))")
    conn.execute("insert into types_char values ('ab', 'ab'), ('abcde   ', 'abc  ')")
    rows = conn.execute("select c, length(c), octet_length(c), v, length(v), c = 'ab' "
                        "from types_char order by c").fetchall()
    assert rows == [("ab   ", 2, 5, "ab", 2, True), ("abcde", 5, 5, "abc  ", 5, False)]
    assert conn.execute("select count(*) from types_char where c = 'ab   '").fetchone() == (1,)


def test_serial_and_bigserial_fill_from_sequences(conn):
    conn.execute("create table types_serial (a serial, b bigserial, t text)")
    conn.execute("insert into types_serial (t) values ('x'), ('y')")
    conn.execute("insert into types_serial (t) values ('z')")
    assert conn.execute("select a, b, t from types_serial order by a").fetchall() == [
        (1, 1, "x"), (2, 2, "y"), (3, 3, "z")]
    cur = conn.execute("insert into types_serial (t) values ('w') returning a, b")
    assert cur.fetchone() == (4, 4)


@pytest.mark.parametrize("expr,sqlstate", [
    ("32768::smallint", "22003"), ("(-32769)::int2", "22003"),
    ("2147483648::int", "22003"), ("9223372036854775808::bigint", "22003"),
    ("32767::smallint + 1::smallint", "22003"), ("2147483647 + 1", "22003"),
    ("9223372036854775807::bigint * 2", "22003"),
    ("1e39::real", "22003"), ("1e309::float8", "22003"),
    ("123456789.1::numeric(10,2)", "22003"),
    ("'abc'::int", "22P02"), ("''::int", "22P02"), ("'1.5'::int", "22P02"),
    ("'maybe'::bool", "22P02"), ("'x1'::numeric", "22P02"), ("'zz'::float8", "22P02"),
    ("'\\xzz'::bytea", "22023"),  # invalid_parameter_value, not 22P02
    ("'2023-02-29'::date", "22008"), ("'2024-13-01'::date", "22008"),
    ("'2024-01-01 25:00:00'::timestamp", "22008"), ("'not a date'::date", "22007"),
    ("'abcdef'::varchar(3)::text || 1/0", "22012"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_out_of_range_and_invalid_input(conn, expr, sqlstate):
    expect_error(conn, f"select {expr}", sqlstate)
    assert conn.execute("select 1").fetchone() == (1,)


def test_value_too_long_for_column_is_22001(conn):
    conn.execute("create table types_len (v varchar(3), c char(3))")
    expect_error(conn, "insert into types_len (v) values ('abcd')", "22001")
    expect_error(conn, "insert into types_len (c) values ('abcd')", "22001")
    conn.execute("insert into types_len values ('abc   ', 'abc   ')")  # only spaces cut
    assert conn.execute("select v, c from types_len").fetchall() == [("abc", "abc")]


def test_assignment_casts_on_insert(conn):
    conn.execute("create table types_assign (i int, n numeric(5,1), t text, d date, b bool)")
    conn.execute("insert into types_assign values ('12', 2.25, 42, '2024-05-06', 'on')")
    conn.execute("insert into types_assign values (3.5, '7', 'x', '2024-05-07', 1::int::bool)")
    # ORDER BY i names the output column i (i::text), not the table column: textual order.
    rows = [list(r) for r in conn.cursor(row_factory=psycopg.rows.tuple_row).execute(
        "select i::text, n::text, t, d::text, b::text from types_assign order by i")]
    assert rows == [["12", "2.3", "42", "2024-05-06", "true"],
                    ["4", "7.0", "x", "2024-05-07", "true"]]
    expect_error(conn, "insert into types_assign (i) values ('2024-01-01'::date)", "42804")


def test_nulls_everywhere(conn):
    conn.execute("create table types_null (a int, b text, c bytea, d timestamptz, e numeric)")
    conn.execute("insert into types_null values (null, null, null, null, null)")
    for binary in (False, True):
        assert conn.cursor(binary=binary).execute(
            "select * from types_null").fetchall() == [(None,) * 5]
    assert text_of(conn, "select a is null, b is not null, coalesce(c, '\\x01'), "
                   "null = null, null::int + 1 from types_null") == ["t", "f", "\\x01", None,
                                                                     None]


def test_type_names_and_casts_text_output(conn):
    assert text_of(conn, "select 1::bool, 0::bool, 't'::bool::int, 3.7::int, (-3.5)::int, "
                   "2.5::int, '3.99'::numeric::int, 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7.0 / 2") == [
        "t", "f", "1", "4", "-4", "3", "4", "3", "-3", "1", "-1", "3.5000000000000000"]
    assert text_of(conn, "select 1.5::float8::text, 100::numeric(5,2)::text, "
                   "'2024-01-02'::date::timestamp, 12::text || 'a', pg_typeof(1), "
                   "pg_typeof(1.0), pg_typeof('a'::varchar), pg_typeof(1::int8 + 1)") == [
        "1.5", "100.00", "2024-01-02 00:00:00", "12a", "integer", "numeric",
        "character varying", "bigint"]
