-- Differential script 1: DDL and DML (issue item 4). Deterministic: ORDER BY everywhere.
set timezone = 'UTC';

create table d1_customer (
    id serial primary key,
    email varchar(40) not null unique,
    name text not null,
    tier char(4) default 'std',
    credit numeric(10,2) default 0 check (credit >= 0),
    joined date not null default '2024-01-01'
);
create table d1_order (
    cust int not null,
    line smallint not null,
    sku text not null,
    qty int not null check (qty > 0),
    price numeric(8,2),
    placed timestamp,
    primary key (cust, line)
);
create table d1_log (msg text, at timestamptz);
create table if not exists d1_log (other int);
create index d1_order_sku on d1_order (sku);
create unique index d1_customer_lower_email on d1_customer (email);
create index d1_order_hash on d1_order using hash (sku);

insert into d1_customer (email, name) values ('ann@x.org', 'Ann'), ('bo@x.org', 'Bo');
insert into d1_customer (email, name, tier, credit, joined)
    values ('cy@x.org', 'Cy', 'gold', 150.255, '2023-06-30'),
           ('di@x.org', 'Di', 'gold', 20, '2022-02-28')
    returning id, email, tier, credit, joined;
insert into d1_customer (email, name) values ('ann@x.org', 'Ann again');
insert into d1_customer (email, name, credit) values ('ed@x.org', 'Ed', -5);
insert into d1_customer (email) values ('fy@x.org');
insert into d1_customer (email, name) values ('a-very-long-email-address-that-does-not-fit@x.org', 'Long');
select id, email, name, tier, credit, joined from d1_customer order by id;

insert into d1_order values
    (1, 1, 'apple', 3, 0.50, '2024-03-01 10:00:00'),
    (1, 2, 'pear', 1, 0.75, '2024-03-01 10:00:00'),
    (2, 1, 'apple', 10, 0.45, '2024-03-02 09:30:00'),
    (3, 1, 'melon', 2, 3.10, null),
    (3, 2, 'apple', 1, 0.50, '2024-03-03 18:45:30.25');
insert into d1_order values (1, 1, 'dup', 1, 1, null);
insert into d1_order values (1, 3, 'zero', 0, 1, null);
insert into d1_order values (null, 3, 'nullkey', 1, 1, null);
select * from d1_order order by cust, line;

-- INSERT ... SELECT, ON CONFLICT, RETURNING
insert into d1_log select 'order ' || cust || '/' || line, placed at time zone 'UTC'
    from d1_order where placed is not null order by cust, line;
select msg, at from d1_log order by msg;
insert into d1_order values (1, 1, 'apple', 5, 0.50, null), (4, 1, 'kiwi', 7, 0.20, null)
    on conflict do nothing returning cust, line, sku, qty;
insert into d1_order values (1, 1, 'apple', 5, 0.55, null), (5, 1, 'fig', 1, 2.00, null)
    on conflict (cust, line) do update set qty = d1_order.qty + excluded.qty,
                                           price = excluded.price
    returning cust, line, sku, qty, price;
insert into d1_order values (2, 1, 'apple', 1, 9.99, null)
    on conflict (cust, line) do update set price = excluded.price where d1_order.qty < 5
    returning *;
select cust, line, sku, qty, price from d1_order order by cust, line;

-- UPDATE / DELETE with WHERE and RETURNING
update d1_customer set credit = credit + 10 where tier = 'gold' returning id, credit;
update d1_customer set tier = 'vip' where id in (select cust from d1_order group by cust having sum(qty) >= 8)
    returning id, tier;
update d1_customer set credit = credit - 1000 where id = 1;
update d1_order set qty = qty * 2, price = round(price * 1.1, 2) where sku = 'apple'
    returning cust, line, qty, price;
update d1_order set sku = upper(sku) where false;
delete from d1_order where price < 0.30 returning cust, line, sku;
delete from d1_order where cust not in (select id from d1_customer) returning cust, line;
select c.id, c.tier, c.credit, count(o.line) as lines, sum(o.qty) as items
    from d1_customer c left join d1_order o on o.cust = c.id
    group by c.id, c.tier, c.credit order by c.id;

-- Table without a primary key: duplicates are fine and counted.
create table d1_nopk (a int, b text);
insert into d1_nopk values (1, 'x'), (1, 'x'), (2, null), (null, null);
insert into d1_nopk select a, b from d1_nopk where a = 1;
select a, b, count(*) from d1_nopk group by a, b order by a nulls first, b;
update d1_nopk set b = 'y' where a = 1;
delete from d1_nopk where b is null;
select * from d1_nopk order by a, b;

-- TRUNCATE and DROP
truncate d1_log;
select count(*) from d1_log;
insert into d1_customer (email, name) values ('gil@x.org', 'Gil') returning id;
drop index d1_order_sku;
drop index d1_order_sku;
drop index if exists d1_order_sku;
drop table d1_nopk;
select * from d1_nopk;
drop table if exists d1_nopk;
create table d1_customer (id int);
drop table d1_log, d1_order;
select count(*) from d1_customer;
