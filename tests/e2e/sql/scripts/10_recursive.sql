-- Differential script 10: WITH RECURSIVE (issue 8 item 3). An endless recursion runs until
-- cancelled in PostgreSQL and micedb alike; statement_timeout stops it with 57014.
create table d6_emp (id int primary key, name text, mgr int);
insert into d6_emp values (1, 'root', null), (2, 'a', 1), (3, 'b', 1), (4, 'a1', 2),
    (5, 'a2', 2), (6, 'a1x', 4), (7, 'b1', 3), (8, 'lone', null);
create table d6_edge (src int, dst int);
insert into d6_edge values (1, 2), (2, 3), (3, 4), (2, 4), (4, 5), (1, 5), (6, 7), (5, 2);

-- series
with recursive t(n) as (select 1 union all select n + 1 from t where n < 10)
select n from t order by n;
with recursive t(n) as (values (1) union all select n * 2 from t where n < 1000)
select sum(n), count(*), max(n) from t;
with recursive fib(i, a, b) as (
    select 1, 0::numeric, 1::numeric
    union all
    select i + 1, b, a + b from fib where i < 80)
select i, a from fib where i in (1, 2, 10, 50, 80) order by i;
-- tree: descendants with depth and path, ancestors
with recursive sub(id, name, depth, path) as (
    select id, name, 0, name from d6_emp where id = 1
    union all
    select e.id, e.name, s.depth + 1, s.path || '/' || e.name
    from d6_emp e join sub s on e.mgr = s.id)
select id, name, depth, path from sub order by path;
with recursive anc as (
    select id, mgr, 0 as lvl from d6_emp where id = 6
    union all
    select e.id, e.mgr, a.lvl + 1 from anc a, d6_emp e where e.id = a.mgr)
select id, lvl from anc order by lvl;
-- graph reachability with UNION (stops when no new rows, even with the 5 -> 2 cycle)
with recursive reach(node) as (
    select 1
    union
    select e.dst from d6_edge e join reach r on e.src = r.node)
select node from reach order by node;
with recursive reach(node) as (
    select 6 union select dst from reach, d6_edge where src = node)
select count(*) from reach;
-- UNION removes duplicates within the non-recursive term too
with recursive t(n) as (select 1 union select 1 union select n + 1 from t where n < 3)
select * from t order by n;
-- a LIMIT stops an endless recursion
with recursive t(n) as (select 1 union all select n + 1 from t)
select n from t limit 5;
-- the recursive CTE used twice, next to a plain one, in a subquery and a join
with recursive t(n) as (select 1 union all select n + 1 from t where n < 4),
    sq as (select n * n as sq from t)
select a.n, b.sq from t a join sq b on b.sq = a.n * a.n order by a.n;
select (with recursive t(n) as (select 1 union all select n + 1 from t where n < 100)
        select sum(n) from t) as total;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3)
select n, (select count(*) from t t2 where t2.n <= t.n) from t order by n;
-- column types: the recursive term is cast to the non-recursive term's type
with recursive t(n) as (select 1::bigint union all select n + 1 from t where n < 3)
select n, pg_typeof(n) from t order by n;
with recursive t(s) as (select 'a'::text union all select s || 'b' from t where length(s) < 4)
select s from t order by s;
-- the recursive term may be a set operation itself (one reference in all)
with recursive t(n) as (select 1 union (select n + 1 from t where n < 3 union all select 100))
select * from t order by n;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3 and n in (select 1 union select 2))
select * from t order by n;
-- non-recursive CTE in WITH RECURSIVE
with recursive x as (select 42 as v) select v from x;
-- cancelled by statement_timeout
set statement_timeout = '300ms';
with recursive t(n) as (select 1 union all select n + 1 from t) select count(*) from t;
reset statement_timeout;
-- errors
with recursive t(n) as (select * from t union all select 1) select * from t;
with recursive t(n) as (select 1 union all select t.n + 1 from t, t t2) select * from t;
with recursive t(n) as (select 1 from t) select * from t;
with recursive t(n) as (select 1 union all select n * 1.5 from t where n < 3) select * from t;
with recursive t(n) as (select 1 union all select count(*) from t) select * from t;
with recursive t(n) as (select 1 intersect select n + 1 from t) select * from t;
with recursive t(n) as (select 1 union all select (select n from t)) select * from t;
with recursive t(n) as (select 1 union all (select n + 1 from t where n < 3 union all
    select n + 10 from t where n < 2)) select * from t order by n;
with recursive t(n) as (select 1::int2 union all select n + 1 from t where n < 3) select * from t;
with recursive t(n) as (select 1 union all select n, n from t) select * from t;
with recursive a(n) as (select 1 union all select n + 1 from b where n < 3),
    b(n) as (select n from a) select * from a;
with recursive t(j) as (select '[1]'::json union select j from t) select * from t;
with recursive t(j) as (select '[1]'::json union all select j from t limit 2) select * from t;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3 order by n desc, 1) select * from t;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3 offset 1) select * from t;
-- without RECURSIVE a CTE's own name inside it is not the CTE
create table d6_self (n int);
insert into d6_self values (7);
with d6_self as (select n + 1 as n from d6_self) select * from d6_self;
with d6_x as (select 1 as n), d6_y as (with d6_x as (select n * 10 as n from d6_x) select * from d6_x) select * from d6_y;
with d6_z as (select * from d6_z) select * from d6_z;
drop table d6_self;
drop table d6_emp;
drop table d6_edge;
