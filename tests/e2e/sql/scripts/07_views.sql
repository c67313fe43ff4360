-- Differential script 7: views (issue 8 item 3). The stored definition text differs from
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
