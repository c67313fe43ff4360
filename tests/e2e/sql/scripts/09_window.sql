-- Differential script 9: window functions (issue 8 item 3). Every query has an ORDER BY
-- that fixes the row order, so the transcript does not depend on the plan.
create table d5_emp (id int primary key, name text, dept text, salary int, bonus numeric(8,2),
    score float8, hired date);
insert into d5_emp values
    (1, 'Ada', 'eng', 200, 10.50, 1.5, '2015-06-01'),
    (2, 'Bob', 'eng', 150, null, 2.25, '2018-01-15'),
    (3, 'Cy', 'eng', 150, 3.25, null, '2019-09-09'),
    (4, 'Dee', 'sales', 90, 50.00, 4.0, '2020-02-29'),
    (5, 'Eve', 'sales', 85, 0.00, 4.0, '2021-12-31'),
    (6, 'Fay', 'ops', 70, null, 0.5, '2022-07-04'),
    (7, 'Gus', null, 50, 1.00, 8.0, '2023-01-01'),
    (8, 'Hal', 'sales', null, null, null, '2023-03-15'),
    (9, 'Ivy', 'ops', 65, 10.10, 1.0, '2024-02-29'),
    (10, 'Jo', 'eng', 150, 2.00, 3.0, '2024-05-05');

-- ranking functions
select id, dept, salary,
       row_number() over (partition by dept order by salary desc, id) as rn,
       rank() over (partition by dept order by salary desc) as rk,
       dense_rank() over (partition by dept order by salary desc) as drk,
       percent_rank() over (partition by dept order by salary desc) as pr,
       cume_dist() over (partition by dept order by salary desc) as cd
    from d5_emp order by dept, rn;
select id, salary, rank() over (order by salary), dense_rank() over (order by salary nulls first)
    from d5_emp order by id;
select id, ntile(3) over (order by id), ntile(4) over (order by id desc) as n4,
       ntile(20) over (order by id) as n20
    from d5_emp order by id;
select id, row_number() over () > 0 as any_order from d5_emp order by id;

-- lag / lead with offsets and defaults
select id, salary, lag(salary) over w, lead(salary) over w, lag(salary, 2) over w,
       lead(salary, 3, -1) over w, lag(name, 1, 'none') over w, lead(id, 0) over w,
       lag(id, -1) over w as neg
    from d5_emp window w as (order by id) order by id;
select id, dept, lag(salary, 1, 0) over (partition by dept order by id) as prev,
       lead(bonus, 1, 99.5) over (partition by dept order by id) as next_bonus
    from d5_emp order by dept, id;
select id, lag(id, null) over (order by id), lead(id, null::int, 5) over (order by id)
    from d5_emp where id < 4 order by id;

-- first_value, last_value, nth_value and the default frame (peers count)
select id, dept, salary,
       first_value(name) over (partition by dept order by salary, id),
       last_value(name) over (partition by dept order by salary),
       last_value(name) over (partition by dept order by salary, id
                              rows between unbounded preceding and unbounded following) as lv_all,
       nth_value(name, 2) over (partition by dept order by id) as second,
       nth_value(name, 2) over (partition by dept order by id
                                range between unbounded preceding and unbounded following) as nv2
    from d5_emp order by dept, id;

-- aggregates as window functions, default frames
select id, dept, salary,
       sum(salary) over (partition by dept) as dept_total,
       sum(salary) over (partition by dept order by salary) as running_peers,
       count(*) over (partition by dept) as n,
       count(salary) over (partition by dept order by id) as nsal,
       avg(salary) over (partition by dept) as avg_sal,
       min(name) over (partition by dept order by id) as min_name,
       max(salary) over () as top
    from d5_emp order by dept, id;
select id, sum(bonus) over (order by id), avg(bonus) over (order by id),
       sum(score) over (order by id), avg(score) over (order by id)
    from d5_emp order by id;
select id, sum(id) over (order by salary nulls first), count(*) over (order by dept desc)
    from d5_emp order by id;

-- explicit frames: ROWS
select id, salary,
       sum(salary) over (order by id rows between 1 preceding and 1 following) as s3,
       sum(salary) over (order by id rows 2 preceding) as s_prev2,
       sum(salary) over (order by id rows between current row and unbounded following) as s_rest,
       count(*) over (order by id rows between 2 following and 4 following) as ahead,
       max(salary) over (order by id rows between 3 preceding and 1 preceding) as max_before,
       first_value(id) over (order by id rows between 2 preceding and current row) as fv,
       last_value(id) over (order by id rows between current row and 2 following) as lv
    from d5_emp order by id;
-- RANGE with offsets
select id, salary,
       count(*) over (order by salary range between 10 preceding and 10 following) as near,
       sum(id) over (order by salary desc range between 5 preceding and current row) as sd,
       first_value(id) over (order by salary range between 50 preceding and unbounded following) as fv
    from d5_emp order by id;
select id, score,
       count(*) over (order by score range between 1 preceding and 1.5 following) as c
    from d5_emp order by id;
select id, bonus,
       sum(bonus) over (order by bonus range between 5 preceding and 5 following) as s
    from d5_emp order by id;
-- larger inputs: frames ending at UNBOUNDED FOLLOWING, sliding RANGE frames, NULL keys
select sum(s), sum(c), sum(m), sum(a) from (
    select sum(x % 7) over (order by x rows between current row and unbounded following) as s,
           count(*) over (order by x % 13, x range between current row and unbounded following) as c,
           min(x % 11) over (order by x rows between 5 following and unbounded following) as m,
           avg(x % 5) over (order by x rows between 3 preceding and unbounded following) as a
    from generate_series(1, 2000) x) t;
select sum(n), sum(r), sum(d) from (
    select count(*) over (order by k range between 2 preceding and 3 following) as n,
           sum(k) over (order by k desc nulls first range between 1 preceding and 1 following) as r,
           max(k) over (order by k nulls first range between current row and 4 following) as d
    from (select case when x % 17 = 0 then null else x % 40 end as k
          from generate_series(1, 1500) x) q) t;
-- GROUPS and EXCLUDE
select id, salary,
       count(*) over (order by salary groups between 1 preceding and 1 following) as g,
       sum(id) over (order by salary groups between current row and 1 following) as gs,
       sum(id) over (order by salary rows between unbounded preceding and unbounded following
                     exclude current row) as ex_cur,
       sum(id) over (order by salary range between unbounded preceding and unbounded following
                     exclude group) as ex_grp,
       sum(id) over (order by salary range between unbounded preceding and current row
                     exclude ties) as ex_ties
    from d5_emp order by id;

-- several windows, named windows referencing each other, functions in expressions
select id, dept, salary,
       salary - avg(salary) over (partition by dept) as diff,
       100.0 * salary / sum(salary) over () as pct,
       rank() over w_sal, row_number() over (w_dept order by id) as rn_dept,
       sum(salary) over (w_dept) as s_dept
    from d5_emp
    window w_dept as (partition by dept), w_sal as (w_dept order by salary desc)
    order by id;
-- window functions in ORDER BY, with DISTINCT, over GROUP BY, in subqueries
select name, salary from d5_emp order by rank() over (order by salary desc nulls last), id;
select distinct dept, count(*) over (partition by dept) from d5_emp order by dept;
select dept, sum(salary) as total, rank() over (order by sum(salary) desc) as rk,
       sum(sum(salary)) over () as grand, count(*) over () as groups
    from d5_emp group by dept order by dept;
select * from (select id, dept, row_number() over (partition by dept order by salary desc, id) as rn
               from d5_emp) t where rn = 1 order by id;
select id from d5_emp e where id = (select max(id) from d5_emp)
    and 1 = (select row_number() over () from d5_emp limit 1);
select x, sum(x) over (order by x), lag(x) over (order by x) from generate_series(1, 5) x order by x;
select v, row_number() over (order by v) from (values ('b'), ('a'), ('c')) t(v) order by v;
select count(*) over (), sum(id) over () from d5_emp where id > 100;
select id, count(*) filter (where salary > 80) over (order by id) from d5_emp order by id;
select id, case when row_number() over (order by id) % 2 = 0 then 'even' else 'odd' end
    from d5_emp order by id limit 4;

-- RANGE offsets on dates and timestamps (intervals; timestamptz in the session zone)
set timezone = 'America/New_York';
create table d5_tw (d date, ts timestamp, tz timestamptz, v int);
insert into d5_tw select date '2024-01-28' + i, timestamp '2024-03-09 12:00' + i * interval '7 hours', timestamptz '2024-03-09 12:00-05' + i * interval '7 hours', i from generate_series(0, 12) i;
select d, v, sum(v) over (order by d range between interval '2 days' preceding and current row),
       count(*) over (order by d desc range between '1 month' preceding and '3 days' following)
    from d5_tw order by d;
select ts, sum(v) over (order by ts range between '1 day' preceding and '10 hours' following) from d5_tw order by ts;
select tz, sum(v) over (order by tz range between '1 day' preceding and current row) from d5_tw order by tz;
select sum(v) over (order by d range between '-1 day' preceding and current row) from d5_tw;
select sum(v) over (order by v range between '1 day' preceding and current row) from d5_tw;
drop table d5_tw;
reset timezone;

-- errors
select id from d5_emp where row_number() over () > 1;
select count(*) from d5_emp group by row_number() over ();
select dept from d5_emp group by dept having rank() over () > 1;
values (row_number() over ());
values (sum(1));
select * from (values (1)) v(a) join (values (1)) w(b) on row_number() over () = 1;
update d5_emp set salary = row_number() over ();
insert into d5_emp (id) values (rank() over ());
delete from d5_emp where rank() over () > 1;
select sum(row_number() over ()) from d5_emp;
select row_number() over (order by row_number() over ()) from d5_emp;
select sum(rank() over ()) over () from d5_emp;
select upper(name) over () from d5_emp;
select rank() from d5_emp;
select row_number() over w from d5_emp;
select count(*) over (w order by id) from d5_emp window w as (order by salary);
select count(*) over (w) from d5_emp window w as (order by salary rows unbounded preceding);
select count(*) over w from d5_emp window w as (partition by id), w as (order by id);
select count(*) over (w partition by id) from d5_emp window w as (order by salary);
select sum(salary) over (order by id) from d5_emp group by dept;
select ntile(0) over () from d5_emp;
select nth_value(id, 0) over () from d5_emp;
select sum(id) over (rows between -1 preceding and current row) from d5_emp;
select sum(id) over (order by salary range between 1 preceding and current row), id
    from d5_emp where id < 0;
select sum(id) over (range between 1 preceding and current row) from d5_emp;
select sum(id) over (order by id, salary range between 1 preceding and current row) from d5_emp;
select sum(id) over (groups 1 preceding) from d5_emp;
select sum(id) over (rows between 1 following and current row) from d5_emp;
select row_number(1) over () from d5_emp;
select lag(id, 1, 'x'::text) over () from d5_emp;
select count(distinct id) over () from d5_emp;
drop table d5_emp;
