-- WITH RECURSIVE (UNION ALL and UNION, correlated inside a scalar subquery): what asyncpg's
-- type introspection runs.
with recursive t(n) as (select 1 union all select n + 1 from t where n < 5) select * from t;
with recursive t(n) as (select 1 union select n % 3 + 1 from t) select * from t order by n;
with recursive fib(a, b, i) as (select 0::bigint, 1::bigint, 1 union all select b, a + b, i + 1 from fib where i < 10) select i, a from fib order by i desc limit 3;
with recursive t as (select 1 as x union all select 2) select * from t;
with recursive t(n) as (select n from t) select * from t;
with t(n) as (select 1) select (with recursive u(m) as (select t.n union all select m + 1 from u where m < 3) select max(m) from u) from t;
select k, (with recursive b(o, d) as (select k, 0 union all select o - 1, d + 1 from b where o > 0) select d from b order by d desc limit 1) from (values (2), (4)) v(k) order by k;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) select a.n, b.n from t a, t b order by 1, 2;
with recursive t(n) as (select 1 union all select n + 1 from t where n < 10000) select count(*), max(n) from t;
with recursive t(n) as (select 1 union select n % 100 + 1 from t) select count(*) from t;
