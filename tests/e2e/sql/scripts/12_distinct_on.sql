-- Differential script 12: SELECT DISTINCT ON (issue 8 item 3).
create table d8_t (a int, b int, c text);
insert into d8_t values (1, 1, 'x'), (1, 2, 'y'), (2, 5, 'z'), (2, 3, 'w'), (null, 1, 'n'),
    (null, 0, 'm'), (3, 7, 'q');
select distinct on (a) a, b, c from d8_t order by a, b desc;
select distinct on (a) c from d8_t order by a, b;
select distinct on (1) a, b from d8_t order by 1, 2;
select distinct on (a, b) a, b from d8_t order by a desc, b;
select distinct on (b, a) a, b from d8_t order by a, b;
select distinct on (a) a, b from d8_t order by a nulls first, b limit 2;
select distinct on (a) a, b from d8_t order by a, b offset 1;
select distinct on (a % 2) a % 2 as m, b from d8_t where a is not null order by a % 2, b;
select distinct on (c) c from d8_t where b < 3 order by c desc;
select distinct on (a) a, count(*) over (partition by a) as n from d8_t order by a, n;
select distinct on (dept) dept, name from (values ('x', 'b'), ('x', 'a'), ('y', 'c')) v(dept, name)
    order by dept, name;
select distinct on (a) a, sum(b) from d8_t group by a, c order by a, sum(b) desc;
-- a LIMIT without ORDER BY still sees every row first
create table d8_dup (k int);
insert into d8_dup values (1), (1), (1), (2), (3);
select count(*) from (select distinct on (k) k from d8_dup limit 2) x;
select count(*) from (select distinct k from d8_dup limit 2) x;
drop table d8_dup;
-- errors
select distinct on (a) a, b from d8_t order by b;
select distinct on (a, b) a from d8_t order by a, c;
select distinct on (a) a from d8_t order by c, a;
select distinct on (9) a from d8_t;
drop table d8_t;
