-- Differential script 11: views (issue 8 item 3), also INSERT/UPDATE/DELETE through
-- automatically updatable views. The stored definition text differs from
-- PostgreSQL's (micedb keeps the query as written; PostgreSQL prints it from the parse
-- tree), so pg_views.definition / pg_get_viewdef are not compared here.
create table d7_dept (id int primary key, name text not null);
create table d7_emp (id int primary key, name text, dept int, salary int);
insert into d7_dept values (1, 'eng'), (2, 'sales'), (3, 'empty');
insert into d7_emp values (1, 'Ada', 1, 200), (2, 'Bob', 1, 150), (3, 'Cy', 2, 90),
    (4, 'Dee', 2, 85), (5, 'Eve', null, 50);

create view d7_rich as select id, name, salary from d7_emp where salary > 80;
create view d7_by_dept (dept_name, n, total) as
    select d.name, count(e.id), sum(e.salary)
    from d7_dept d left join d7_emp e on e.dept = d.id group by d.name;
create view d7_top as select name, salary * 2 as doubled from d7_rich where salary >= 150;
create view d7_consts as select 'lit' as l, 1.5 as n, 42 as i;
create view d7_ranked as
    select name, rank() over (order by salary desc) as rk from d7_emp;

-- views in FROM, joins, subqueries, views over views
select * from d7_rich order by id;
select * from d7_by_dept order by dept_name;
select * from d7_top order by name;
select * from d7_consts;
select r.name, d.name as dept from d7_rich r join d7_emp e using (id)
    left join d7_dept d on d.id = e.dept order by r.name;
select name from d7_emp where id in (select id from d7_rich where salary < 100) order by 1;
select x.n, (select count(*) from d7_rich) as rich from d7_by_dept x where x.dept_name = 'eng';
select v.a, v.b from d7_rich as v(a, b) order by v.a;
select * from d7_ranked where rk <= 2 order by rk, name;
with w as (select * from d7_top) select count(*) from w;
-- views follow the data
insert into d7_emp values (6, 'Fay', 3, 300);
select * from d7_top order by name;
select * from d7_by_dept order by dept_name;
update d7_emp set salary = 10 where name = 'Ada';
select name from d7_rich order by name;

-- OR REPLACE: only new columns at the end
create or replace view d7_rich as select id, name, salary, dept from d7_emp where salary > 80;
select * from d7_rich order by id;
create or replace view d7_rich as select id, name from d7_emp;
create or replace view d7_rich as select id, dept as name, salary, dept from d7_emp;
create or replace view d7_rich as select id, name, salary::text, dept from d7_emp;
create or replace view d7_emp as select 1;
create view d7_rich as select 1;
create view d7_bad (a, b, c) as select 1, 2;
create view d7_dup as select id, id from d7_emp;
create view d7_nope as select * from d7_missing;
create view d7_cols (x) as select id, name from d7_emp;
select * from d7_cols order by x;

-- the catalog
select relname, relkind from pg_class where relname like 'd7%' order by 1;
select viewname from pg_views where schemaname = 'public' and viewname like 'd7%' order by 1;
select table_name, table_type from information_schema.tables
    where table_name like 'd7%' order by 1;
select table_name from information_schema.views where table_name like 'd7%' order by 1;
select attname, atttypid::regtype from pg_attribute
    where attrelid = 'd7_consts'::regclass and attnum > 0 order by attnum;
select column_name, data_type from information_schema.columns
    where table_name = 'd7_by_dept' order by ordinal_position;
\d d7_consts
\d d7_by_dept

-- DROP and dependencies
drop table d7_emp;
drop view d7_rich;
drop view d7_dept;
drop table d7_top;
drop view d7_nope;
drop view if exists d7_nope, d7_consts;
drop view d7_cols, d7_ranked;
drop view d7_rich cascade;
select relname from pg_class where relname like 'd7%' order by 1;
create view d7_v1 as select * from d7_dept;
create view d7_v2 as select id from d7_v1;
drop table d7_dept, d7_v1;
drop table d7_dept cascade;
select relname from pg_class where relname like 'd7%' order by 1;
drop table d7_emp;
-- dependents are reported and dropped in PostgreSQL's order (newest first, depth first)
create table d7_c1 (a int);
create view d7_cv1 as select a from d7_c1;
create view d7_cv2 as select a from d7_cv1 join d7_c1 using (a);
create view d7_cv3 as select * from d7_cv1;
drop table d7_c1;
drop view d7_cv1;
drop table d7_c1 cascade;
select count(*) from pg_class where relname like 'd7_cv%';
-- names in the messages are quoted and schema-qualified as PostgreSQL prints them
create table d7_q (a int);
create view "D7 Quoted" as select a from d7_q;
create schema d7_s;
create view d7_s.inner_v as select a from public.d7_q;
select * from d7_s.inner_v;
select * from "D7 Quoted" x, "D7 Quoted" x;
drop table d7_q;
drop table d7_q cascade;
select count(*) from pg_class where relname in ('D7 Quoted', 'inner_v');
-- writing through automatically updatable views (one table, no aggregates, ...)
create table d7_u (id int primary key, name text not null, qty int default 5, note text);
insert into d7_u values (1, 'a', 1, null), (2, 'b', 20, 'x');
create view d7_uv as select id, name as label, qty from d7_u where qty < 10;
create view d7_uc as select id, upper(name) as up, qty * 2 as dbl from d7_u;
create view d7_ug as select name, count(*) from d7_u group by name;
create view d7_ud as select distinct name from d7_u;
create view d7_ul as select * from d7_u limit 1;
create view d7_uj as select a.id from d7_u a join d7_u b using (id);
create view d7_star as select * from d7_u;
insert into d7_uv values (3, 'c', 7);
insert into d7_uv (label, id) values ('d', 4);
insert into d7_uv (id, label, qty) values (5, 'e', 50);
select * from d7_u order by id;
select * from d7_uv order by id;
update d7_uv set qty = qty + 1, label = label || '!' where id in (1, 2, 3);
select * from d7_u order by id;
update d7_uv set label = 'z' where id = 3 returning id, label;
delete from d7_uv where label = 'd!';
delete from d7_uv where id = 2;
select * from d7_u order by id;
update d7_uc set up = 'q';
insert into d7_uc (id, up) values (9, 'x');
insert into d7_uc (id) values (9);
select * from d7_u order by id;
insert into d7_ug values ('x', 1);
update d7_ud set name = 'y';
delete from d7_ul;
delete from d7_uj;
update d7_uv set nope = 1;
insert into d7_uv (nope) values (1);
update d7_star set note = 'n' where id = 1;
insert into d7_star values (10, 'k', 1, 'kk');
delete from d7_star where id = 10 returning id, name;
select * from d7_u order by id;
drop view d7_uv, d7_uc, d7_ug, d7_ud, d7_ul, d7_uj, d7_star;
drop table d7_u;
-- DEFAULT VALUES, INSERT ... SELECT, UPDATE ... FROM and an aliased DELETE through a view
create table d7_u2 (a int, b text default 'dflt');
create view d7_u2v as select b, a from d7_u2 where a is null or a < 100;
insert into d7_u2v default values;
insert into d7_u2v select 'sel', g from generate_series(1, 3) g;
insert into d7_u2v values ('v', 200);
select * from d7_u2 order by a nulls first;
update d7_u2v set a = a * 10 from (values (2)) x(k) where d7_u2v.a = x.k;
select * from d7_u2v order by a nulls first;
delete from d7_u2v v where v.a > 5;
select * from d7_u2 order by a nulls first;
drop view d7_u2v;
drop table d7_u2;
