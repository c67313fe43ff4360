-- Set-returning select-list items (ProjectSet): several side by side, arguments that use the
-- FROM items, generate_subscripts (what pgcli's foreign-key refresh runs).
create table ps_t (k int primary key, a int[], t text[]);
insert into ps_t values (1, '{10,20,30}', '{x,y}'), (2, '{}', '{z}'), (3, NULL, NULL), (4, '{5}', '{}');
select k, unnest(a) from ps_t order by k;
select k, unnest(a) as v, generate_subscripts(a, 1) as i, unnest(t) from ps_t order by k, i;
select unnest('{1,2,3}'::int[]) as x, generate_series(1, 2) as y;
select generate_series(1, 3), generate_series(1.5, 2.5, 0.5);
select generate_subscripts('{a,b,c}'::text[], 1, true);
select generate_subscripts('{a,b,c}'::text[], 2);
select k, generate_series(1, k) from ps_t where k < 3 order by 1, 2;
select k, unnest(a) from ps_t where k > 1 order by 1;
select generate_series(1, 3, 0);
select x.k, unnest((select array_agg(y order by y desc) from (select unnest(p.a) as y) z)) from ps_t p, (select 1 as k) x order by 2;
drop table ps_t;
