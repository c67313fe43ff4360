"""interval, time, uuid and AT TIME ZONE, end to end, exactly as PostgreSQL 15.

Expected texts were captured from PostgreSQL 15 (TimeZone UTC, IntervalStyle postgres) and
checked against it with MICE_SQL_TARGET=postgres: every value is compared byte for byte
in the text format, and the binary format is round-tripped with psycopg."""
import datetime
import uuid

import pytest

from helpers import expect_error, rows, text_of, text_rows

EXPRESSIONS = [
    ("interval '1 year 2 mons 3 days 04:05:06.789'", '1 year 2 mons 3 days 04:05:06.789'),
    ("interval '2 hours'", '02:00:00'),
    ("interval '-1 day +2 hours'", '-1 days +02:00:00'),
    ("interval 'P1Y2M3DT4H5M6S'", '1 year 2 mons 3 days 04:05:06'),
    ("interval 'P0001-02-03T04:05:06'", '1 year 2 mons 3 days 04:05:06'),
    ("interval '@ 1 hour ago'", '-01:00:00'),
    ("interval '1:30'", '01:30:00'),
    ("interval '1.5 weeks'", '10 days 12:00:00'),
    ("interval '1-2'", '1 year 2 mons'),
    ("interval '1 day ago 2 hours'", '-1 days -02:00:00'),
    ("interval '2' hour", '02:00:00'),
    ("interval '1 2' day to hour", '1 day 02:00:00'),
    ("interval '1 2:03:04.5678' day to minute", '1 day 02:03:00'),
    ("interval(2) '1.23456 s'", '00:00:01.23'),
    ("'1 day'::interval", '1 day'),
    ("cast('90 minutes' as interval)", '01:30:00'),
    ("interval '1 day' = interval '24 hours'", 't'),
    ("interval '1 mon' = interval '30 days'", 't'),
    ("interval '1 mon' < interval '31 days'", 't'),
    ("interval '-1 day' < interval '1 sec'", 't'),
    ("interval '1 day' + interval '1 hour'", '1 day 01:00:00'),
    ("interval '1 day' - interval '25 hours'", '1 day -25:00:00'),
    ("interval '1 hour' * 2.5", '02:30:00'),
    ("2 * interval '1 hour 30 mins'", '03:00:00'),
    ("interval '1 mon' / 7", '4 days 06:51:25.6896'),
    ("-interval '1 day 2 hours'", '-1 days -02:00:00'),
    ("interval '1 day' + '1 hour'", '1 day 01:00:00'),
    ("date '2024-01-31' + interval '1 month'", '2024-02-29 00:00:00'),
    ("date '2024-03-31' - interval '1 month'", '2024-02-29 00:00:00'),
    ("interval '1 month' + date '2024-01-31'", '2024-02-29 00:00:00'),
    ("timestamp '2024-01-31 10:00' + interval '1 mon 1 day 1 hour'", '2024-03-01 11:00:00'),
    ("timestamp '2024-02-29' + interval '1 year'", '2025-02-28 00:00:00'),
    ("timestamp '2024-01-02' - timestamp '2024-01-01 12:00'", '12:00:00'),
    ("timestamp '2024-01-02' - '2024-01-01'", '1 day'),
    ("timestamptz '2024-01-02 00:00+00' - timestamptz '2024-01-01 12:00+00'", '12:00:00'),
    ("date '2024-03-10' - date '2024-03-01'", '9'),
    ("date '2024-01-01' + time '10:30'", '2024-01-01 10:30:00'),
    ("time '10:00' + interval '20 hours'", '06:00:00'),
    ("time '10:00' - interval '1 day 1 hour'", '09:00:00'),
    ("time '10:00' - time '11:30:00.5'", '-01:30:00.5'),
    ("interval '1 hour' + time '10:00'", '11:00:00'),
    ("age(timestamp '2024-05-17', timestamp '2020-02-29')", '4 years 2 mons 17 days'),
    ("age(timestamp '2020-02-29', timestamp '2024-05-17')", '-4 years -2 mons -17 days'),
    ("age(timestamp '2024-03-31', timestamp '2024-02-29 12:00')", '1 mon 1 day 12:00:00'),
    ("justify_hours(interval '50 hours')", '2 days 02:00:00'),
    ("justify_days(interval '65 days')", '2 mons 5 days'),
    ("justify_interval(interval '1 mon -1 hour')", '29 days 23:00:00'),
    ("extract(epoch from interval '1 year 1 month 1 day 1.5 seconds')", '34236001.500000'),
    ("extract(year from interval '14 months')", '1'),
    ("extract(month from interval '-14 months')", '-2'),
    ("extract(hour from interval '49 hours')", '49'),
    ("extract(second from interval '61.25 seconds')", '1.250000'),
    ("extract(millisecond from interval '1.5 s')", '1500.000'),
    ("date_part('epoch', interval '1 day 1.5 seconds')", '86401.5'),
    ("date_part('hour', interval '25 hours')", '25'),
    ("date_trunc('hour', interval '1 day 3:45:12')", '1 day 03:00:00'),
    ("date_trunc('quarter', interval '1 year 5 mons')", '1 year 3 mons'),
    ('make_interval(1, 2, 3, 4, 5, 6, 7.5)', '1 year 2 mons 25 days 05:06:07.5'),
    ('make_interval()', '00:00:00'),
    ("to_char(interval '1 day 02:03:04.5', 'HH24:MI:SS.MS')", '02:03:04.500'),
    ('to_char(interval \'-3 hours\', \'HH24"h"MI\')', '-03h00'),
    ("isfinite(interval '1 day')", 't'),
    ("pg_typeof(interval '1 day')", 'interval'),
    ("interval '1 day'::text", '1 day'),
    ("time '04:05:06.789'", '04:05:06.789'),
    ("time '4:05 PM'", '16:05:00'),
    ("time 'allballs'", '00:00:00'),
    ("time '24:00'", '24:00:00'),
    ("time '2003-04-12 04:05:06'", '04:05:06'),
    ("'10:00:00.123456'::time(2)", '10:00:00.12'),
    ("cast(interval '25 hours' as time)", '01:00:00'),
    ("cast(time '10:00' as interval)", '10:00:00'),
    ("cast(timestamp '2024-01-01 10:11:12' as time)", '10:11:12'),
    ("extract(hour from time '10:20:30.5')", '10'),
    ("extract(second from time '10:20:30.5')", '30.500000'),
    ("extract(epoch from time '10:20:30.5')", '37230.500000'),
    ("time '10:00' < time '11:00'", 't'),
    ("timestamp '2024-01-01 12:00' at time zone 'UTC'", '2024-01-01 12:00:00+00'),
    ("timestamptz '2024-01-01 12:00+00' at time zone 'UTC'", '2024-01-01 12:00:00'),
    ("timestamp '2024-01-01 12:00' at time zone 'America/New_York'", '2024-01-01 17:00:00+00'),
    ("timestamptz '2024-07-01 12:00+00' at time zone 'Europe/Paris'", '2024-07-01 14:00:00'),
    ("timestamptz '2024-07-01 12:00+00' at time zone 'america/new_york'", '2024-07-01 08:00:00'),
    ("timestamp '2024-01-01 12:00' at time zone 'EST'", '2024-01-01 17:00:00+00'),
    ("timestamp '2024-01-01 12:00' at time zone '+05'", '2024-01-01 17:00:00+00'),
    ("timestamp '2024-01-01 12:00' at time zone 'UTC+3'", '2024-01-01 15:00:00+00'),
    ("timestamp '2024-01-01 12:00' at time zone interval '+02:00'", '2024-01-01 10:00:00+00'),
    ("timestamptz '2024-01-01 12:00+00' at time zone interval '-05:30'", '2024-01-01 06:30:00'),
    ("timezone('Asia/Tokyo', timestamp '2024-01-01 00:00')", '2023-12-31 15:00:00+00'),
    ("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    ("'{A0EEBC999C0B4EF8BB6D6BB9BD380A11}'::uuid", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    ("'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11'::uuid", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    ("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid < 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 't'),
    ("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::text", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    ('length(gen_random_uuid()::text)', '36'),
    ("timetz '10:00:00+02'", '10:00:00+02'),
    ("timetz '04:05:06.789-08:30'", '04:05:06.789-08:30'),
    ("timetz '10:00 PST'", '10:00:00-08'),
    ("timetz '10:00+05:30:15'", '10:00:00+05:30:15'),
    ("timetz '10:00:00+02' = timetz '09:00:00+01'", 'f'),
    ("timetz '10:00:00+02' < timetz '09:00:00+01'", 't'),
    ("time '10:00' at time zone 'UTC'", '10:00:00+00'),
    ("timetz '10:00+02' at time zone 'UTC'", '08:00:00+00'),
    ("timetz '10:00+02' at time zone interval '+05:00'", '13:00:00+05'),
    ("timetz '23:00+02' + interval '3 hours'", '02:00:00+02'),
    ("date '2024-01-01' + timetz '10:00+02'", '2024-01-01 08:00:00+00'),
    ("cast(timetz '10:00+02' as time)", '10:00:00'),
    ("cast(time '10:00' as timetz)", '10:00:00+00'),
    ("cast(timestamptz '2024-07-01 10:00+00' as timetz)", '10:00:00+00'),
    ("extract(timezone from timetz '10:00+05:30')", '19800'),
    ("extract(epoch from timetz '10:00+02')", '28800.000000'),
    ('pg_typeof(current_time)', 'time with time zone'),
    ("'10:00:00.5+02'::timetz(0)", '10:00:01+02'),
]


@pytest.mark.parametrize("expr,want", EXPRESSIONS, ids=[e for e, _ in EXPRESSIONS])
def test_text_output(conn, expr, want):
    conn.execute("set timezone = 'UTC'")
    assert text_of(conn, "select " + expr) == [want]


ERRORS = [
    ("select interval '1 hour 1 hour'", "22007",
     'invalid input syntax for type interval: "1 hour 1 hour"'),
    ("select interval 'infinity'", "22007", 'invalid input syntax for type interval: "infinity"'),
    ("select interval '2147483648 days'", "22015",
     'interval field value out of range: "2147483648 days"'),
    ("select interval '178956971 years'", "22008", "interval out of range"),
    ("select interval '1:60'", "22015", 'interval field value out of range: "1:60"'),
    ("select interval '2147483647 days' + interval '1 day'", "22008", "interval out of range"),
    ("select interval '1 day' / 0", "22012", "division by zero"),
    ("select interval '1 mon' * 1e10", "22008", "interval out of range"),
    ("select timestamp '294276-12-31' + interval '1 day'", "22008", "timestamp out of range"),
    ("select timestamp 'infinity' - timestamp '2024-01-01'", "22008",
     "cannot subtract infinite timestamps"),
    ("select date '2024-01-01' + '1 day'", "42725", "operator is not unique: date + unknown"),
    ("select timestamp '2024-01-01' - '1 hour'", "22007",
     'invalid input syntax for type timestamp: "1 hour"'),
    ("select interval '1 day' * 'a'", "22P02",
     'invalid input syntax for type double precision: "a"'),
    ("select date '2024-01-01' * 2", "42883", "operator does not exist: date * integer"),
    ("select extract(week from interval '10 days')", "0A000",
     'unit "week" not supported for type interval'),
    ("select extract(foo from interval '10 days')", "22023",
     'unit "foo" not recognized for type interval'),
    ("select date_trunc('week', interval '1 day')", "0A000",
     'unit "week" not supported for type interval'),
    ("select time '25:00'", "22008", 'date/time field value out of range: "25:00"'),
    ("select time 'abc'", "22007", 'invalid input syntax for type time: "abc"'),
    ("select extract(day from time '10:00')", "0A000",
     'unit "day" not supported for type time without time zone'),
    ("select timestamp '2024-01-01 12:00' at time zone 'Mars/Base'", "22023",
     'time zone "Mars/Base" not recognized'),
    ("select timestamp '2024-01-01 12:00' at time zone interval '1 day'", "22023",
     'interval time zone "1 day" must not include months or days'),
    ("select 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1'::uuid", "22P02",
     'invalid input syntax for type uuid: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"'),
    ("select to_char(interval '1 day', 'Day')", "22007",
     "invalid format specification for an interval value"),
    ("select max(gen_random_uuid())", "42883", "function max(uuid) does not exist"),
]


@pytest.mark.parametrize("sql,state,message", ERRORS, ids=[s for s, _, _ in ERRORS])
def test_errors(conn, sql, state, message):
    e = expect_error(conn, sql, state)
    assert e.diag.message_primary == message


STYLES = {
    "postgres": ["1 year 2 mons 3 days 04:05:06.789", "-1 days +02:00:00", "-00:00:01.5",
                 "00:00:00"],
    "postgres_verbose": ["@ 1 year 2 mons 3 days 4 hours 5 mins 6.789 secs",
                         "@ 1 day -2 hours ago", "@ 1.5 secs ago", "@ 0"],
    "sql_standard": ["+1-2 +3 +4:05:06.789", "+0-0 -1 +2:00:00", "-0:00:01.5", "0"],
    "iso_8601": ["P1Y2M3DT4H5M6.789S", "P-1DT2H", "PT-1.5S", "PT0S"],
}


@pytest.mark.parametrize("style", list(STYLES))
def test_interval_style(conn, style):
    conn.execute(f"set intervalstyle = {style}")
    assert text_of(conn, "show intervalstyle") == [style]
    assert conn.info.parameter_status("IntervalStyle") == style
    got = text_of(conn, "select interval 'P1Y2M3DT4H5M6.789S', interval 'P-1DT2H', "
                        "interval 'PT-1.5S', interval 'PT0S'")
    assert got == STYLES[style]
    # values read back in the same style
    for text in STYLES[style]:
        assert text_of(conn, "select %s::interval = %s::interval::text::interval",
                       (text, text)) == ["t"]
    conn.execute("reset intervalstyle")
    assert text_of(conn, "select interval '1 day 1 hour'") == ["1 day 01:00:00"]


def test_sql_standard_input_negates_all_fields(conn):
    conn.execute("set intervalstyle = sql_standard")
    assert text_of(conn, "select interval '-1 2:03:04', interval '-1 +2:03:04'") == \
        ["-1 2:03:04", "+0-0 -1 +2:03:04"]


def test_columns_keys_and_ordering(conn):
    conn.execute("create table iv_t (id int primary key, iv interval, t time(2), u uuid, "
                 "ts timestamp, h interval hour to minute)")
    conn.execute("""insert into iv_t values
        (1, '1 day', '10:00:00.123', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-01-31 10:00',
         '1 2:03:04.5'),
        (2, '24 hours', '23:59:59.999', '00000000-0000-0000-0000-000000000001', '2024-02-29',
         '-90 minutes'),
        (3, '1 mon', '00:00', null, null, null),
        (4, '-1 day +2 hours', '12:30:45.5', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
         '2023-12-31 23:59:59', '0'),
        (5, null, null, null, null, null)""")
    assert text_rows(conn, "select id, iv, t, u, h from iv_t order by id") == [
        ("1", "1 day", "10:00:00.12", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "1 day 02:03:00"),
        ("2", "24:00:00", "24:00:00", "00000000-0000-0000-0000-000000000001", "-01:30:00"),
        ("3", "1 mon", "00:00:00", None, None),
        ("4", "-1 days +02:00:00", "12:30:45.5", "ffffffff-ffff-ffff-ffff-ffffffffffff",
         "00:00:00"),
        ("5", None, None, None, None)]
    assert rows(conn, "select id from iv_t order by iv desc nulls last, id") == \
        [(3,), (1,), (2,), (4,), (5,)]
    assert rows(conn, "select id from iv_t order by t, id") == [(3,), (1,), (4,), (2,), (5,)]
    assert rows(conn, "select id from iv_t order by u nulls first, id") == \
        [(3,), (5,), (2,), (1,), (4,)]
    # '1 day' and '24 hours' are equal: one group, and both match either literal
    assert text_rows(conn, "select iv, count(*) from iv_t where iv is not null group by iv "
                           "order by iv") == [("-1 days +02:00:00", "1"), ("1 day", "2"),
                                              ("1 mon", "1")]
    assert rows(conn, "select id from iv_t where iv = '24:00:00' order by id") == [(1,), (2,)]
    assert rows(conn, "select count(distinct iv) from iv_t") == [(3,)]
    assert text_rows(conn, "select sum(iv), avg(iv), min(iv), max(iv), min(t), max(t) "
                           "from iv_t") == [("1 mon 26:00:00", "7 days 18:30:00",
                                             "-1 days +02:00:00", "1 mon", "00:00:00",
                                             "24:00:00")]
    assert text_rows(conn, "select id, ts + iv, t + iv, ts - timestamp '2024-01-01' from iv_t "
                           "where ts is not null order by id") == [
        ("1", "2024-02-01 10:00:00", "10:00:00.12", "30 days 10:00:00"),
        ("2", "2024-03-01 00:00:00", "00:00:00", "59 days"),
        ("4", "2023-12-31 01:59:59", "14:30:45.5", "-00:00:01")]
    conn.execute("create index iv_t_iv on iv_t (iv)")
    assert rows(conn, "select id from iv_t where iv = interval '1 day' order by id") == \
        [(1,), (2,)]
    assert rows(conn, "update iv_t set iv = iv + interval '1 hour' where id = 1 "
                      "returning id") == [(1,)]
    assert rows(conn, "select id from iv_t where iv > '1 day' and iv < '2 days'") == [(1,)]
    assert rows(conn, "delete from iv_t where iv < '0' returning id") == [(4,)]


def test_unique_keys_follow_equality(conn):
    conn.execute("create table iv_k (k interval primary key, u uuid unique, t time unique)")
    conn.execute("insert into iv_k values ('1 day', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
                 "'10:00')")
    e = expect_error(conn, "insert into iv_k values ('24 hours', null, null)", "23505")
    assert e.diag.message_detail == "Key (k)=(24:00:00) already exists."
    e = expect_error(conn, "insert into iv_k values ('2 days', "
                           "'{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}', null)", "23505")
    assert e.diag.message_detail == \
        "Key (u)=(a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11) already exists."
    e = expect_error(conn, "insert into iv_k values ('3 days', null, '10:00:00.000')", "23505")
    assert e.diag.message_detail == "Key (t)=(10:00:00) already exists."
    conn.execute("insert into iv_k values ('1 mon', null, null), ('29 days 23:59:59', null, "
                 "null)")
    assert text_rows(conn, "select k from iv_k order by k desc") == \
        [("1 mon",), ("29 days 23:59:59",), ("1 day",)]
    assert rows(conn, "select count(*) from iv_k where k = '30 days'") == [(1,)]


def test_row_description(conn):
    cur = conn.execute("select interval '1 day', time '10:00', 'a0eebc99-9c0b-4ef8-bb6d-"
                       "6bb9bd380a11'::uuid, interval '1' day to second(3), time(2) '10:00'")
    res = cur.pgresult
    assert [res.ftype(i) for i in range(res.nfields)] == [1186, 1083, 2950, 1186, 1083]
    assert [res.fmod(i) for i in range(res.nfields)] == [-1, -1, -1, 470286339, 2]
    conn.execute("create table iv_rd (a interval day to second(3), b time(2))")
    conn.execute("insert into iv_rd values ('1 2:03:04.56789', '10:11:12.345')")
    cur = conn.execute("select a, b from iv_rd")
    res = cur.pgresult
    assert [res.ftype(i) for i in range(2)] == [1186, 1083]
    assert [res.fmod(i) for i in range(2)] == [470286339, 2]
    assert text_of(conn, "select a, b from iv_rd") == ["1 day 02:03:04.568", "10:11:12.35"]


def test_binary_round_trip(connect):
    c = connect(autocommit=True)
    c.execute("set timezone = 'UTC'")
    c.execute("create table iv_bin (id int primary key, iv interval, t time, u uuid)")
    vals = [(1, datetime.timedelta(days=3, hours=4, microseconds=789),
             datetime.time(4, 5, 6, 789000), uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
            (2, datetime.timedelta(days=-1, seconds=7200), datetime.time(0, 0),
             uuid.UUID(int=1)),
            (3, None, None, None)]
    with c.cursor(binary=True) as cur:
        cur.executemany("insert into iv_bin values (%b, %b, %b, %b)", vals)
        cur.execute("select id, iv, t, u from iv_bin order by id")
        assert cur.fetchall() == vals
        assert all(cur.pgresult.fformat(i) == 1 for i in range(4))
        # months come back in the binary form (psycopg reads a month as 30 days)
        cur.execute("select interval '1 mon 2 days', %b::interval",
                    (datetime.timedelta(seconds=1.5),))
        assert cur.fetchone() == (datetime.timedelta(days=32), datetime.timedelta(seconds=1.5))
    with c.cursor() as cur:
        cur.execute("select iv, t, u from iv_bin where id = %s", (1,))
        assert cur.fetchone() == vals[0][1:]
    assert text_of(c, "select iv, t, u from iv_bin where id = 1") == \
        ["3 days 04:00:00.000789", "04:05:06.789", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"]


def test_at_time_zone_follows_session_zone(conn):
    conn.execute("set timezone = 'America/New_York'")
    assert text_of(conn, "select timestamptz '2024-03-09 12:00' + interval '1 day', "
                         "timestamptz '2024-03-09 12:00' + interval '24 hours', "
                         "timestamptz '2024-03-11 00:00' - timestamptz '2024-03-10 00:00', "
                         "timestamp '2024-07-01 12:00' at time zone 'UTC', "
                         "timestamptz '2024-07-01 12:00+00' at time zone 'Asia/Kolkata'") == \
        ["2024-03-10 12:00:00-04", "2024-03-10 13:00:00-04", "23:00:00",
         "2024-07-01 08:00:00-04", "2024-07-01 17:30:00"]
    conn.execute("create table iv_tz (id int primary key, at timestamptz)")
    conn.execute("insert into iv_tz values (1, '2024-11-03 01:30-04'), (2, '2024-11-03 01:30-05')")
    assert text_rows(conn, "select id, at at time zone 'UTC', (at at time zone 'UTC') at time "
                           "zone 'UTC' = at from iv_tz order by id") == \
        [("1", "2024-11-03 05:30:00", "t"), ("2", "2024-11-03 06:30:00", "t")]


def test_gen_random_uuid(conn):
    got = rows(conn, "select gen_random_uuid() from generate_series(1, 50)")
    us = [r[0] for r in got]
    assert len(set(us)) == 50
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in us)
    assert rows(conn, "select pg_typeof(gen_random_uuid())::text") == [("uuid",)]


def test_timetz_columns(conn):
    conn.execute("set timezone = 'UTC'")
    conn.execute("create table iv_ttz (k timetz primary key, v int)")
    conn.execute("insert into iv_ttz values ('10:00+02', 1), ('09:00+01', 2), ('07:59+00', 3), "
                 "('10:00+00', 4)")
    # equal instants in different zones are different values, ordered by zone
    assert text_rows(conn, "select k, v from iv_ttz order by k") == [
        ("07:59:00+00", "3"), ("10:00:00+02", "1"), ("09:00:00+01", "2"), ("10:00:00+00", "4")]
    expect_error(conn, "insert into iv_ttz values ('10:00:00.000+02', 5)", "23505")
    assert rows(conn, "select v from iv_ttz where k < '08:30+00' order by v") == [(1,), (2,), (3,)]
    with conn.cursor(binary=True) as cur:
        cur.execute("select k from iv_ttz where v = 1")
        t = cur.fetchone()[0]
        assert (t.hour, t.minute, t.utcoffset()) == (10, 0, datetime.timedelta(hours=2))
        cur.execute("select %b::timetz", (datetime.time(1, 2, 3, tzinfo=datetime.timezone(
            datetime.timedelta(hours=-3, minutes=-30))),))
        assert cur.fetchone()[0].utcoffset() == datetime.timedelta(hours=-3, minutes=-30)
