-- Differential script 9: GROUPING SETS, ROLLUP, CUBE and GROUPING() (issue 8 item 3).
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
