-- Differential script 3: types, literals, casts, boundaries and their errors.
set timezone = 'UTC';

create table d3_all (
    id int primary key, b bool, s smallint, i int, g bigint, r real, d double precision,
    n numeric(12,4), u numeric, t text, vc varchar(6), ch char(6), by bytea,
    dt date, ts timestamp, tz timestamptz, se serial, bs bigserial
);
insert into d3_all (id, b, s, i, g, r, d, n, u, t, vc, ch, by, dt, ts, tz) values
    (1, true, -32768, -2147483648, -9223372036854775808, -3.4e38, -1.7976931348623157e308,
     -99999999.9999, -1e-20, '', '', '', '\x', '0001-01-01', '0001-01-01 00:00:00',
     '1970-01-01 00:00:00+00'),
    (2, false, 32767, 2147483647, 9223372036854775807, 3.4e38, 1.7976931348623157e308,
     99999999.9999, 12345678901234567890.123456789, 'üñí©ødé ✓', 'abcdef', 'abc', '\xdeadbeef',
     '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.5+02'),
    (3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null),
    (4, 'on', 0, 0, 0, 0.1, 0.1, 0.00005, 0.1, 'it''s', 'a b  ', 'x', 'bytes',
     '2024-02-29', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.789-08');
select * from d3_all order by id;
select id, b::text, s + 1, i::bigint + 1, g / 2, r * 2, d / 10, n * 2, u + 0, t || '!', vc || '|',
       ch || '|', length(ch), octet_length(by), dt + 1, ts + interval '1 microsecond', tz
    from d3_all where id in (3, 4) order by id;

-- literals and their text form
select true, false, 'true'::bool, 'f'::boolean, 't'::bool and 'no'::bool;
select 1::smallint, 1::int2 + 1::int2, 1::int4 * 1::int8, 9223372036854775807, -2147483648;
select 0.1::real, 0.1::float8, 1e-10::float8, 1.0e15::float8, 1.0e16::float8, 123456.789::real,
       'nan'::float8, '-infinity'::float8, 2.5::float8 * 2;
select 1.10::numeric, 1.10::numeric(5,1), 0.005::numeric(3,2), -0.005::numeric(3,2),
       123.456::numeric(6,0), 1::numeric / 3, 2::numeric / 3 * 3, 10.0 ^ 20;
select 'x'::char(3) || 'y', 'x'::varchar(3) || 'y', 'abcdef'::char(2), 'abcdef'::varchar(2),
       length('ab '::char(5)), length('ab '::varchar(5)), 'a'::char(3) = 'a  '::char(3);
select 'abc'::bytea, '\000\001'::bytea, decode('616263', 'hex'), encode('abc'::bytea, 'hex'),
       length('\xffff'::bytea), 'a'::bytea || 'b'::bytea;
select '2024-01-31'::date, 'Jan 5 2024'::date, '2024-1-5'::date, 'epoch'::timestamp,
       '2024-01-31 1:2:3'::timestamp, '2024-01-31 01:02:03.000001'::timestamp,
       '2024-06-30 23:00:00-04'::timestamptz, '2024-06-30 23:00:00 Europe/Paris'::timestamptz;
set timezone = 'America/Los_Angeles';
select id, tz, tz::date, tz::timestamp from d3_all where tz is not null order by id;
select '2024-03-10 01:59:59'::timestamptz, '2024-03-10 03:00:00'::timestamptz,
       '2024-11-03 01:30:00'::timestamptz + interval '1 hour';
show timezone;
set timezone = 'UTC';

-- casts between types
select 42::text, '42'::int, 42::numeric(5,2), 42.7::int, (-42.5)::int, 42.5::int, 42::float8,
       '4.2e1'::float8::int, 1::bool, 0::bool, true::int, 3.99::real::int;
select '2024-05-06 07:08:09'::timestamp::date, '2024-05-06'::date::timestamp,
       '2024-05-06 07:08:09+00'::timestamptz::date, 20240506::text::date;

-- boundaries and errors
select 32767::smallint + 1::smallint;
select (-32768)::smallint - 1::smallint;
select 2147483647::int + 1;
select -2147483648 * -1;
select 9223372036854775807::bigint + 1;
select 100000::smallint;
select 3.5e38::real;
select 1e309::float8;
select 'abc'::int;
select '12a'::bigint;
select ''::numeric;
select 'tru'::bool;
select 1.5::text::int;
select 123456789.12345::numeric(12,4);
select '2024-02-30'::date;
select '2024-01-01 24:00:01'::timestamp;
select 'someday'::timestamp;
select 1 / 0;
select 1.5 / 0;
select 1 % 0;
select 1::float8 / 0;
insert into d3_all (id, vc) values (10, 'toolong');
insert into d3_all (id, ch) values (10, 'toolong');
insert into d3_all (id, s) values (10, 40000);
insert into d3_all (id, i) values (10, '1e3');
insert into d3_all (id, dt) values (10, 'not a date');
insert into d3_all (id, b) values (10, 2);
insert into d3_all (id, vc, ch) values (10, 'fits  ', 'fits    ');
select id, vc || '|', ch || '|', se, bs from d3_all order by id;
