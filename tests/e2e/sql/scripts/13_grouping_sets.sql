-- Differential script 13: GROUPING SETS, ROLLUP, CUBE and GROUPING() (issue 8 item 3).
create table d9_sales (region text, city text, product text, qty int);
insert into d9_sales values ('eu', 'paris', 'tea', 3), ('eu', 'paris', 'coffee', 5),
    ('eu', 'rome', 'tea', 2), ('us', 'nyc', 'coffee', 7), ('us', 'nyc', 'tea', 1),
    ('us', 'sf', 'coffee', 4), (null, null, 'tea', 6);
select region, city, sum(qty), count(*) from d9_sales
    group by rollup (region, city) order by region, city;
select region, product, sum(qty) from d9_sales
    group by cube (region, product) order by region, product, 3;
select region, product, sum(qty), grouping(region, product) as g from d9_sales
    group by grouping sets ((region), (product), ()) order by g, region, product;
select region, city, product, count(*) from d9_sales
    group by region, rollup (city, product) order by region, city, product;
select grouping(region) as gr, grouping(city) as gc, region, city, max(qty) from d9_sales
    group by rollup (region, city)
    having sum(qty) > 3 order by gr, gc, region, city;
select region, city, sum(qty) from d9_sales
    group by grouping sets ((region, city), region) order by region, city;
select region, sum(qty) from d9_sales group by grouping sets (region, region) order by 1;
select region, sum(qty) from d9_sales group by distinct grouping sets (region, region) order by 1;
select region, grouping(region), sum(qty) from d9_sales group by region order by 1;
select case when grouping(product) = 1 then 'all' else product end as p, sum(qty)
    from d9_sales group by rollup (product) order by 1;
select count(*) from d9_sales where qty > 100 group by rollup (region);
select region, rank() over (order by sum(qty) desc), sum(qty) from d9_sales
    group by rollup (region) order by 2, 1;
-- errors
select region, grouping(city) from d9_sales group by region;
select grouping(region) from d9_sales;
select region from d9_sales where grouping(region) = 0 group by region;
select city, sum(qty) from d9_sales group by rollup (region);
drop table d9_sales;
-- aggregate FILTER (WHERE ...), also with grouping sets
create table d9_ff (a int, b int);
insert into d9_ff values (1, 10), (1, 20), (2, 30), (2, null), (3, 5);
select a, count(*) filter (where b > 10), sum(b) filter (where b < 25), count(*) from d9_ff group by a order by a;
select count(*) filter (where a = 1), avg(b) filter (where b is not null), string_agg(b::text, ',') filter (where a > 1) from d9_ff;
select count(*) filter (where b) from d9_ff;
select count(*) filter (where sum(b) > 1) from d9_ff;
select count(*) filter (where row_number() over () > 1) from d9_ff;
select a, count(distinct b) filter (where b > 5) from d9_ff group by a order by a;
select a from d9_ff group by a having count(*) filter (where b > 10) > 0 order by a;
-- FILTER with array_agg's ORDER BY, in groups, grouping sets and windows
select a, array_agg(b order by b desc nulls first) filter (where b is distinct from 20) from d9_ff group by a order by a;
select a, array_agg(b order by b) filter (where b > 5) from d9_ff group by rollup (a) order by a;
select a, b, array_agg(b) over (order by a, b nulls first rows between current row and unbounded following) from d9_ff order by a, b nulls first;
select a, array_agg(b) filter (where b < 25) over (partition by a order by b) from d9_ff order by a, b;
select a, array_agg(count(*)) over (order by a) from d9_ff group by a order by a;
select array_agg(b order by b) over () from d9_ff;
drop table d9_ff;
-- more grouping sets
create table d9_g (a int, b text, c int);
insert into d9_g values (1, 'x', 10), (1, 'y', 20), (2, 'x', 30), (null, 'z', 40);
select a, b, sum(c), grouping(a, b) from d9_g group by grouping sets ((a, b), (a), ()) order by 4, 1, 2;
select a, b, sum(c) from d9_g group by cube (a, b) having grouping(a) = 1 order by 1, 2;
select a, count(*), grouping(a) from d9_g group by rollup (a) order by a nulls first, 3;
select b, a, sum(c) from d9_g group by rollup ((b, a)) order by 1, 2;
select a, sum(c) from d9_g group by grouping sets (a, ()) , grouping sets (()) order by 1, 2;
select 1 as k, sum(c) from d9_g group by grouping sets ((), ()) order by 2;
select a, b, sum(c) from d9_g group by a, cube (b) order by 1, 2;
select a + 1 as ap, sum(c) from d9_g group by rollup (a + 1) order by 1, 2;
select distinct a from d9_g group by rollup (a, b) order by 1;
select a, sum(c) filter (where c > 10) from d9_g group by rollup (a) order by 1, 2;
select count(*) from (select a from d9_g group by cube (a, b, c)) s;
select grouping(a), a from d9_g group by a order by 2;
select a, sum(c), rank() over (partition by grouping(a) order by sum(c)) from d9_g group by rollup (a) order by 1;
drop table d9_g;
