-- Differential script 4: transaction blocks, errors inside them, session settings.
set timezone = 'UTC';
create table d4_acct (id int primary key, owner text not null, bal numeric(10,2) check (bal >= 0));
insert into d4_acct values (1, 'ann', 100), (2, 'bo', 50);

begin;
update d4_acct set bal = bal - 30 where id = 1;
update d4_acct set bal = bal + 30 where id = 2;
select id, bal from d4_acct order by id;
commit;
select id, bal from d4_acct order by id;

begin;
delete from d4_acct;
insert into d4_acct values (3, 'cy', 1);
select count(*) from d4_acct;
rollback;
select id, owner, bal from d4_acct order by id;

begin;
update d4_acct set bal = bal - 500 where id = 1;
select 'not reached';
update d4_acct set bal = 0;
commit;
select id, bal from d4_acct order by id;

begin;
insert into d4_acct values (4, 'di', 10);
insert into d4_acct values (4, 'dup', 10);
select * from d4_acct;
rollback;
select count(*) from d4_acct;

start transaction isolation level repeatable read;
show transaction_isolation;
select sum(bal) from d4_acct;
end;
begin transaction isolation level read committed;
show transaction_isolation;
commit;
commit;
begin;
begin;
rollback;

show default_transaction_isolation;
set default_transaction_isolation = 'repeatable read';
show default_transaction_isolation;
begin;
show transaction_isolation;
commit;
reset default_transaction_isolation;
show default_transaction_isolation;
show datestyle;
show server_encoding;
show client_encoding;
show standard_conforming_strings;
show integer_datetimes;
set application_name = 'diff';
show application_name;
show nosuch_setting;
set timezone = 'Asia/Tokyo';
show timezone;
select timestamptz '2024-01-01 00:00:00+00' as tokyo;
begin;
set local timezone = 'UTC';
select timestamptz '2024-01-01 00:00:00+00' as utc;
commit;
show timezone;
