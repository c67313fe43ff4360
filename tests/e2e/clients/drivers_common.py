"""What every driver test (test_psycopg2.py, test_psycopg3.py, test_asyncpg.py,
test_sqlalchemy.py) stores and reads back: one table with a column of every type micedb
supports, rows of edge values and a row of NULLs, in the Python types the drivers map them to.
The C libpq test (libpq_test.c) carries the same table in its own form.

Each driver adapts the few values it represents differently (bytea as memoryview in psycopg2,
uuid as asyncpg's own class) with its own small normaliser; everything else must
compare equal as it is. jsonb is not in the table: micedb has no jsonb yet (README.md,
"not yet in SQL")."""
import datetime as dt
import decimal
import uuid

D = decimal.Decimal
TZ_0530 = dt.timezone(dt.timedelta(hours=5, minutes=30))
TZ_M8 = dt.timezone(dt.timedelta(hours=-8))

TABLE = "drv_types"

# (column, SQL type)
COLUMNS = [
    ("c_int2", "smallint"),
    ("c_int4", "integer"),
    ("c_int8", "bigint"),
    ("c_float4", "real"),
    ("c_float8", "double precision"),
    ("c_numeric", "numeric(24,6)"),
    ("c_bool", "boolean"),
    ("c_text", "text"),
    ("c_varchar", "varchar(20)"),
    ("c_char", "char(5)"),
    ("c_bytea", "bytea"),
    ("c_date", "date"),
    ("c_time", "time"),
    ("c_timetz", "timetz"),
    ("c_ts", "timestamp"),
    ("c_tstz", "timestamptz"),
    ("c_interval", "interval"),
    ("c_uuid", "uuid"),
    ("c_int_arr", "integer[]"),
    ("c_text_arr", "text[]"),
]
NAMES = [c for c, _ in COLUMNS]

# What goes in (and must come back) per row id. char(5) comes back blank-padded.
ROWS = {
    1: dict(c_int2=-32768, c_int4=2147483647, c_int8=-9223372036854775808, c_float4=1.5,
            c_float8=3.141592653589793, c_numeric=D("123456789012345678.123456"), c_bool=True,
            c_text="h\u00e9llo 'quoted' \"dq\" back\\slash \u65e5\u672c", c_varchar="varchar",
            c_char="ab", c_bytea=b"\x00\x01\x7f\x80\xff'\\",
            c_date=dt.date(2024, 2, 29), c_time=dt.time(23, 59, 59, 999999),
            c_timetz=dt.time(12, 34, 56, 789000, tzinfo=TZ_0530),
            c_ts=dt.datetime(2024, 1, 2, 3, 4, 5, 123456),
            c_tstz=dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=TZ_M8),
            c_interval=dt.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=7),
            c_uuid=uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            c_int_arr=[1, None, -3], c_text_arr=["a", "b c", None, '"q"', "", "NULL"]),
    2: {c: None for c in NAMES},
    3: dict(c_int2=32767, c_int4=-2147483648, c_int8=9223372036854775807, c_float4=-0.25,
            c_float8=-1.5e300, c_numeric=D("-0.000001"), c_bool=False, c_text="",
            c_varchar="", c_char="abcde", c_bytea=b"", c_date=dt.date(1, 1, 1),
            c_time=dt.time(0, 0), c_timetz=dt.time(0, 0, tzinfo=dt.timezone.utc),
            c_ts=dt.datetime(1999, 12, 31, 23, 59, 59),
            c_tstz=dt.datetime(2000, 6, 15, 12, 0, tzinfo=dt.timezone.utc),
            c_interval=dt.timedelta(0), c_uuid=uuid.UUID(int=0),
            c_int_arr=[], c_text_arr=[]),
}


def expected(row_id):
    """The row as it must come back (char(5) padded to 5)."""
    want = dict(ROWS[row_id])
    if want["c_char"] is not None:
        want["c_char"] = want["c_char"].ljust(5)
    return want


def create_sql():
    cols = ", ".join(f"{c} {t}" for c, t in COLUMNS)
    return f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, {cols})"


def drop_sql():
    return f"DROP TABLE IF EXISTS {TABLE}"


def insert_sql(placeholder):
    """placeholder(i) -> the driver's i-th (0-based) parameter marker."""
    marks = ", ".join(placeholder(i) for i in range(len(NAMES) + 1))
    return f"INSERT INTO {TABLE} (id, {', '.join(NAMES)}) VALUES ({marks})"


def select_sql(placeholder):
    return f"SELECT id, {', '.join(NAMES)} FROM {TABLE} WHERE id = {placeholder(0)}"


def diff(got, want):
    """Columns whose values differ, as 'col: got != want' lines (empty when equal)."""
    out = []
    for c in NAMES:
        g, w = got[c], want[c]
        if g != w or type(g) is not type(w):
            out.append(f"{c}: {g!r} != {w!r}")
    return out


# pg_type OIDs each column must be described with (RowDescription).
OIDS = dict(c_int2=21, c_int4=23, c_int8=20, c_float4=700, c_float8=701, c_numeric=1700,
            c_bool=16, c_text=25, c_varchar=1043, c_char=1042, c_bytea=17, c_date=1082,
            c_time=1083, c_timetz=1266, c_ts=1114, c_tstz=1184, c_interval=1186, c_uuid=2950,
            c_int_arr=1007, c_text_arr=1009)

# Errors every driver must surface with PostgreSQL's SQLSTATE.
UNIQUE_VIOLATION = "23505"
DIVISION_BY_ZERO = "22012"
UNDEFINED_TABLE = "42P01"
IN_FAILED_TRANSACTION = "25P02"
