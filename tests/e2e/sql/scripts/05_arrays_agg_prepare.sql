-- Array columns, @> <@ &&, array_agg (with ORDER BY) and SQL PREPARE/EXECUTE: what the drivers in
-- tests/e2e/clients need (asyncpg's and pgcli's catalog queries, psycopg2's PREPARE).
create table arr_t (k int primary key, ia int[], ta text[], na numeric[]);
insert into arr_t values (1, '{1,NULL,-3}', '{a,"b c",NULL,""}', '{1.50,-2}'),
  (2, '{}', '{}', NULL), (3, NULL, array['x','y'], array[0.1]);
select * from arr_t order by k;
update arr_t set ia = ia || 9 where k = 2;
select k, ia, cardinality(ta), ta[2] as t2 from arr_t order by k;
create table agg_t (k int, g text, v text);
insert into agg_t values (3,'x','c'),(1,'x','a'),(2,'y',NULL),(4,'y','d'),(5,'x',NULL);
select array_agg(k) from agg_t where k < 0;
select g, array_agg(v order by k desc), array_agg(k order by v nulls first, k) from agg_t group by g order by g;
select g, array_agg(k order by v desc nulls last, k desc) from agg_t group by g order by g;
select array_agg(x order by x) from (values (2.5),(1.5)) t(x);
select array_agg('a');
prepare q_ins (int, text, text) as insert into agg_t values ($1, $2, $3);
execute q_ins (6, 'z', 'e');
execute q_ins ('7', NULL, 'f'::varchar);
prepare q_sel as select k, v from agg_t where g = $1 order by k;
execute q_sel ('x');
execute q_sel;
execute q_nope (1);
prepare q_sel as select 1;
deallocate q_ins;
execute q_ins (8, 'z', 'g');
select '{1,2,3}'::int[] @> '{2,3}', array[1,2] <@ array[1,2,3], array[1,4] && array[4,5], array[1,null] @> array[null]::int[];
select array['a','b'] @> array['b'], '{}'::text[] @> '{}', array[1] @> '{}'::int[], array[1,2] && '{}'::int[];
select array[1] @> array[1::bigint];
select null::int[] @> array[1];
create table ct (k int primary key, tags text[]);
insert into ct values (1, '{a,b}'), (2, '{b,c}'), (3, NULL);
select k from ct where tags @> array['b'] order by k;
select k from ct where tags && '{a,c}' order by k;
select k from ct where '{c}' <@ tags order by k;
drop table ct;
drop table arr_t;
drop table agg_t;
