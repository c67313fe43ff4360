-- The json type (kept as written, after a syntax check) and json_build_object/array, to_json:
-- what SQLAlchemy's Inspector.get_columns selects (invalid input: tests/sql/test_sqljson.c).
select '{"a": [1, 2.5e3, {"b": null}], "c": "d\u00e9"}'::json, '  [] '::json, 'true'::json, '-0.5'::json;
select json_build_object('always', true, 'start', 1::bigint, 'n', null, 's', 'it''s "q"', 'f', 1.5::float8, 'nan', 'NaN'::numeric);
select json_build_object(), json_build_array(), json_build_array(1, 'a', null, true, array[1,2], '{"x":1}'::json);
select json_build_object(1, 2, 'd', date '2024-02-29', 'ts', timestamp '2024-01-02 03:04:05.5', 'tz', timestamptz '2024-01-02 03:04:05+00', 'iv', interval '1 day', 'u', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'tt', '12:00+02'::timetz, 'by', '\x01'::bytea);
select json_build_object('a');
select json_build_object(null, 1);
select to_json('x'::text), to_json(5), to_json(array['a','b']), pg_typeof(json_build_object());
create table js (k int primary key, j json);
insert into js values (1, '{"z": 1, "a": [true]}'), (2, NULL), (3, '"s"');
select * from js order by k;
select j::text from js where k = 1;
drop table js;
select '{}'::json = '{}'::json;
select '{}'::json = '{}';
select '[1]'::json union all select '[2]'::json;
select max(j) from (values ('[1]'::json)) t(j);
select '[1]'::json in ('[1]'::json);
select array_agg(j) from (values ('[1]'::json), ('{"a":2}'::json)) t(j);
select '[1]'::json = any(array['[1]'::json]);
