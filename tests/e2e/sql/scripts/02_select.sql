-- Differential script 2: queries over a small data set (issue item 4).
set timezone = 'UTC';

create table d2_dept (id int primary key, name text not null, budget numeric(12,2));
create table d2_emp (
    id int primary key, name text not null, dept int, mgr int, salary int,
    bonus numeric(6,2), hired date, email varchar(30)
);
create index d2_emp_dept on d2_emp (dept);
insert into d2_dept values (1, 'Engineering', 1000000), (2, 'Sales', 250000.50),
    (3, 'Support', null), (4, 'Legal', 0);
insert into d2_emp values
    (1, 'Ada', 1, null, 200000, 1000.00, '2015-06-01', 'ada@corp.com'),
    (2, 'Brian', 1, 1, 150000, null, '2018-01-15', 'brian@corp.com'),
    (3, 'chloe', 1, 1, 150000, 250.50, '2019-09-09', null),
    (4, 'Dmitri', 2, 1, 90000, 5000.00, '2020-02-29', 'dmitri@corp.com'),
    (5, 'Eve', 2, 4, 85000, 0.00, '2021-12-31', 'eve@corp.com'),
    (6, 'Fatima', 3, 1, 70000, null, '2022-07-04', 'fatima@corp.org'),
    (7, 'Gus', null, null, 50000, 100.00, '2023-01-01', null),
    (8, 'Hana', 2, 4, null, null, '2023-03-15', 'hana@corp.com'),
    (9, 'Ivan_9', 3, 6, 65000, 10.10, '2024-02-29', 'ivan%9@corp.com');

-- expressions, casts, WHERE
select id, name, salary / 1000 as k, salary * 1.05 as raised, salary::float8 / 3 as third
    from d2_emp where salary is not null order by id;
select id, name from d2_emp where salary between 70000 and 150000 and dept <> 2 order by id;
select id from d2_emp where not (salary > 100000) order by id;
select id from d2_emp where dept in (2, 3) or mgr is null order by id;
select id from d2_emp where dept not in (1, 2) order by id;
select id, name from d2_emp where email is null order by id;
select cast(salary as text) || ' USD', cast('12' as smallint) + 1, 7 / 2, 7 / 2.0, 7 % 3, -7 / 2
    from d2_emp where id = 1;

-- ORDER BY variants, LIMIT/OFFSET, DISTINCT
select name, salary from d2_emp order by salary desc, name;
select name, salary from d2_emp order by salary asc nulls first, name;
select name, salary from d2_emp order by salary desc nulls last, id;
select name, bonus from d2_emp order by bonus nulls first, id limit 4;
select name from d2_emp order by name;
select name from d2_emp order by lower(name) desc limit 3 offset 2;
select id from d2_emp order by id limit 3 offset 7;
select id from d2_emp order by id offset 9;
select distinct dept from d2_emp order by dept nulls last;
select distinct salary, dept from d2_emp where salary >= 85000 order by 1, 2;
select count(distinct salary) as distinct_salaries from d2_emp;

-- aggregates, GROUP BY, HAVING
select count(*), count(salary), sum(salary), avg(salary), min(salary), max(salary),
       sum(bonus), avg(bonus), min(hired), max(name) from d2_emp;
select dept, count(*) as n, sum(salary) as total, round(avg(salary), 2) as mean,
       min(hired), max(bonus)
    from d2_emp group by dept order by dept nulls first;
select dept, count(*) from d2_emp group by dept having count(*) >= 3 order by dept;
select dept, avg(salary) from d2_emp group by dept having avg(salary) > 80000 order by 2 desc;
select extract(year from hired) as year, count(*) from d2_emp group by 1 order by 1;
select count(*), sum(salary), avg(salary), max(hired) from d2_emp where false;
select salary > 100000 as rich, count(*) from d2_emp group by 1 order by 1 nulls last;

-- joins
select e.name, d.name as dept from d2_emp e join d2_dept d on d.id = e.dept order by e.id;
select e.name, d.name as dept from d2_emp e left join d2_dept d on d.id = e.dept order by e.id;
select d.name, count(e.id), coalesce(sum(e.salary), 0) from d2_dept d
    left join d2_emp e on e.dept = d.id group by d.name order by d.name;
select e.name, m.name as manager from d2_emp e left join d2_emp m on m.id = e.mgr order by e.id;
select e.name, m.name from d2_emp e inner join d2_emp m on m.id = e.mgr and m.dept = e.dept
    order by e.name;
select d.name, e.name from d2_dept d, d2_emp e where e.dept = d.id and d.budget > 300000
    order by 1, 2;
select count(*) from d2_dept cross join d2_emp;

-- subqueries
select name from d2_emp where dept in (select id from d2_dept where budget > 0) order by name;
select name from d2_emp where dept not in (select id from d2_dept where name like 'S%')
    order by name;
select name from d2_dept d where exists (select 1 from d2_emp e where e.dept = d.id)
    order by name;
select name from d2_dept d where not exists (select 1 from d2_emp e where e.dept = d.id)
    order by name;
select name, salary, (select max(salary) from d2_emp) - salary as gap from d2_emp
    where salary is not null order by gap, name;
select name from d2_emp e where salary > (select avg(salary) from d2_emp x where x.dept = e.dept)
    order by name;
select (select name from d2_dept where id = 99) as nobody;
select dept, top from (select dept, max(salary) as top from d2_emp group by dept) s
    where top > 60000 order by dept;
select (select id from d2_emp);

-- CASE, LIKE, NULL handling
select name,
       case when salary >= 150000 then 'high' when salary >= 80000 then 'mid'
            when salary is null then 'unknown' else 'low' end as band,
       case dept when 1 then 'eng' when 2 then 'sales' end as short
    from d2_emp order by id;
select name from d2_emp where name like 'A%' or name like '%a' order by name;
select name from d2_emp where name like '_v%' order by name;
select name from d2_emp where name not like '%a%' order by name;
select name from d2_emp where name ilike 'c%' order by name;
select email from d2_emp where email like '%\%%' order by email;
select name from d2_emp where name like 'Ivan\_%' order by name;
select coalesce(bonus, 0) + 1, nullif(dept, 2), bonus is null, bonus is not null
    from d2_emp order by id;

-- string, math and date functions
select name, upper(name), lower(name), length(name), substring(name from 2 for 3),
       left(name, 2), right(name, 2), lpad(name, 8, '*'), rpad(name, 8, '.'),
       replace(name, 'a', 'A'), position('a' in name), reverse(name)
    from d2_emp order by id;
select trim('  pad  ') || '|', ltrim('xxhixx', 'x'), rtrim('xxhixx', 'x'),
       concat('a', null, 'b', 1), concat_ws(', ', 'x', null, 'y'), repeat('ab', 3),
       split_part('2024-05-06', '-', 2), initcap('hello big world'), md5('micedb'),
       strpos('hello', 'll'), ascii('a'), chr(97), to_hex(4095);
select abs(-7), abs(-7.25), round(2.345, 2), round(-2.5), round(2.5), ceil(4.1), floor(-4.1),
       trunc(9.99), trunc(-9.99, 1), mod(10, 3), mod(-10, 3), power(2, 16), sqrt(144),
       sign(-0.5), div(17, 5), 17 % 5, 2 ^ 3, greatest(3, 9, 1), least(3, 9, 1);
select salary, round(salary / 12.0, 2) as monthly, salary % 7 as m7, ceil(salary / 7.0)
    from d2_emp where salary is not null order by id;
select hired, hired + 30 as plus30, extract(year from hired) as y, extract(month from hired) as m,
       extract(day from hired) as d, extract(dow from hired) as dow,
       date_trunc('month', hired) as month_start, date_part('doy', hired) as doy,
       to_char(hired, 'YYYY-MM-DD') as iso, date '2025-01-01' - hired as days_to_2025
    from d2_emp order by id;
select timestamp '2024-02-28 22:30:00' + interval '3 hours', timestamp '2024-03-01 00:00' -
       interval '1 day', date_trunc('hour', timestamp '2024-02-28 22:30:15.5'),
       timestamptz '2024-02-28 22:30:00+03', extract(epoch from timestamptz '2024-01-01 00:00+00');

-- set operations and VALUES
select name from d2_emp where dept = 1 union select name from d2_dept order by 1;
select dept from d2_emp where dept is not null union all select id from d2_dept order by 1;
values (3, 'c'), (1, 'a'), (2, 'b') order by 1;
