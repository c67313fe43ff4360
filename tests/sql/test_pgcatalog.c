/* Unit tests for sql/pgcatalog (and deparse): the virtual relations' rows after DDL, the
 * reg types, synthesized OIDs, the definitions PostgreSQL 15 prints (captured from
 * pg_get_expr / pg_get_constraintdef / pg_get_indexdef on the same DDL), information_schema,
 * and the catalog a transaction sees (its own DDL, not others' uncommitted DDL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sql/pgcatalog.h"
#include "sql/support/sql_node.h"

#define EQ(sql, want) assert_string_equal(sql_node_run(NULL, sql), want)
#define OK(sql) EQ(sql, "")

static void test_shape_of_every_relation(void **state)
{
    (void)state;
    /* generated from PostgreSQL 15: names, OIDs and columns */
    const pgcat_rel *r = pgcat_find("pg_catalog", "pg_class");
    assert_non_null(r);
    assert_int_equal(r->oid, 1259);
    assert_int_equal(r->kind, 'r');
    assert_string_equal(r->cols[0].name, "oid");
    assert_ptr_equal(pgcat_find_oid(1259), r);
    assert_non_null(pgcat_find("information_schema", "columns"));
    assert_null(pgcat_find("pg_catalog", "nosuch"));
    assert_true(pgcat_is_virtual(NULL, "pg_catalog", "pg_roles"));
    EQ("select count(*) from pg_catalog.pg_policy", "0\n");
    EQ("select relkind, relnamespace from pg_class where relname = 'pg_attribute'", "r|11\n");
    EQ("select relkind from pg_class where relname = 'pg_roles'", "v\n");
    EQ("select count(*) > 200 from pg_attribute where attrelid < 16384", "t\n");
}

static void test_rows_follow_ddl(void **state)
{
    (void)state;
    OK("create table pc1 (id int primary key, name text not null default 'x', v numeric(10,2), "
       "u varchar(20) unique, check (v > 0))");
    OK("create index pc1_nv on pc1 (name, v desc)");
    OK("create table pc2 (a int, b serial)");
    EQ("select relname, relkind, relnatts, relhasindex, relchecks from pg_class c join "
       "pg_namespace n on n.oid = c.relnamespace where nspname = 'public' order by relname",
       "pc1|r|4|t|1\npc1_nv|i|2|f|0\npc1_pkey|i|1|f|0\npc1_u_key|i|1|f|0\n"
       "pc2|r|2|f|0\npc2_b_seq|S|3|f|0\n");
    EQ("select attname, atttypid::regtype, attnum, attnotnull, atthasdef from pg_attribute "
       "where attrelid = 'pc1'::regclass and attnum > 0 order by attnum",
       "id|integer|1|t|f\nname|text|2|t|t\nv|numeric|3|f|f\nu|character varying|4|f|f\n");
    /* the table without a PRIMARY KEY shows neither its rowid column nor its index */
    EQ("select count(*) from pg_attribute where attrelid = 'pc2'::regclass and attnum > 0", "2\n");
    EQ("select count(*) from pg_index where indrelid = 'pc2'::regclass", "0\n");
    EQ("select indexrelid::regclass, indisprimary, indisunique, indkey, indoption from pg_index "
       "where indrelid = 'pc1'::regclass order by indexrelid::regclass::text",
       "pc1_nv|f|f|2 3|0 3\npc1_pkey|t|t|1|0\npc1_u_key|f|t|4|0\n");
    EQ("select conname, contype, conkey from pg_constraint where conrelid = 'pc1'::regclass "
       "order by conname",
       "pc1_pkey|p|{1}\npc1_u_key|u|{4}\npc1_v_check|c|{3}\n");
    EQ("select seqtypid::regtype, seqmax from pg_sequence where seqrelid = 'pc2_b_seq'::regclass",
       "integer|2147483647\n");
    EQ("select refobjid::regclass, refobjsubid, deptype from pg_depend "
       "where objid = 'pc2_b_seq'::regclass and deptype = 'a'",
       "pc2|2|a\n");
}

static void test_definitions_as_postgres_prints_them(void **state)
{
    (void)state;
    OK("create table pd (id int primary key, t text default 'it''s', n bigint default -1, "
       "d date default '2024-01-02', s serial, v varchar(5) default 'ab', f float8, "
       "check (id > 0 and t <> ''), check (f in (1.5, 2)), check (v like 'a%'))");
    EQ("select pg_get_expr(adbin, adrelid), pg_get_expr(adbin, adrelid, true) from pg_attrdef "
       "where adrelid = 'pd'::regclass order by adnum",
       "'it''s'::text|'it''s'::text\n"
       "'-1'::integer|'-1'::integer\n"
       "'2024-01-02'::date|'2024-01-02'::date\n"
       "nextval('pd_s_seq'::regclass)|nextval('pd_s_seq'::regclass)\n"
       "'ab'::character varying|'ab'::character varying\n");
    EQ("select pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) from pg_constraint "
       "where conrelid = 'pd'::regclass order by conname",
       "CHECK (((id > 0) AND (t <> ''::text)))|CHECK (id > 0 AND t <> ''::text)\n"
       "CHECK ((f = ANY (ARRAY[(1.5)::double precision, (2)::double precision])))|"
       "CHECK (f = ANY (ARRAY[1.5::double precision, 2::double precision]))\n"
       "PRIMARY KEY (id)|PRIMARY KEY (id)\n"
       "CHECK (((v)::text ~~ 'a%'::text))|CHECK (v::text ~~ 'a%'::text)\n");
    OK("create unique index pd_x on pd (t desc, id)");
    EQ("select pg_get_indexdef('pd_x'::regclass), pg_get_indexdef('pd_x'::regclass, 2, true)",
       "CREATE UNIQUE INDEX pd_x ON public.pd USING btree (t DESC, id)|id\n");
    EQ("select format_type('varchar'::regtype, 14), format_type(1700, 655366), "
       "format_type(0, null), format_type(999999, -1)",
       "character varying(10)|numeric(10,2)|-|???\n");
}

static void test_reg_types(void **state)
{
    (void)state;
    OK("create schema other");
    OK("create table other.hidden (a int)");
    OK("create table rt (a int)");
    EQ("select 'rt'::regclass::oid = (select oid from pg_class where relname = 'rt')", "t\n");
    EQ("select 'pg_catalog.pg_class'::regclass::oid, 'pg_type'::regclass", "1259|pg_type\n");
    /* not on the search path: printed qualified */
    EQ("select 'other.hidden'::regclass, 'other.hidden'::regclass::text",
       "other.hidden|other.hidden\n");
    EQ("select 'rt'::regclass::text || '!'", "rt!\n");
    EQ("select 'nosuch'::regclass", "ERROR 42P01: relation \"nosuch\" does not exist");
    EQ("select 'int4'::regtype, 'integer'::regtype::oid, 0::regclass", "integer|23|-\n");
    EQ("select 'nosuch'::regtype", "ERROR 42704: type \"nosuch\" does not exist");
    EQ("select 'public'::regnamespace::text, 'root'::regrole", "public|root\n");
    EQ("select relname from pg_class where oid = 'rt'::regclass", "rt\n");
    EQ("select to_regclass('nosuch'), to_regclass('rt')", "NULL|rt\n");
    EQ("select pg_table_is_visible('other.hidden'::regclass), pg_table_is_visible('rt'::regclass)",
       "f|t\n");
}

static void test_synthesized_oids(void **state)
{
    (void)state;
    uint32_t t, sub;
    assert_true(pgcat_split_oid(pgcat_index_oid(16400, 3), PGCAT_OIDS_INDEX, &t, &sub));
    assert_int_equal(t, 16400);
    assert_int_equal(sub, 3);
    assert_false(pgcat_split_oid(pgcat_index_oid(16400, 3), PGCAT_OIDS_CONSTRAINT, &t, &sub));
    assert_true(pgcat_split_oid(pgcat_constraint_oid(20000, PGCAT_CONSTRAINT_CHECK_BASE + 1),
                                PGCAT_OIDS_CONSTRAINT, &t, &sub));
    assert_int_equal(sub, PGCAT_CONSTRAINT_CHECK_BASE + 1);
    assert_false(pgcat_split_oid(16400, PGCAT_OIDS_INDEX, &t, &sub));
    /* every OID in pg_class is distinct */
    EQ("select count(*) = count(distinct oid) from pg_class", "t\n");
}

static void test_information_schema(void **state)
{
    (void)state;
    OK("create table isc (id int primary key, name varchar(30) not null, amount numeric(8,2), "
       "created timestamptz default now())");
    EQ("select column_name, ordinal_position, column_default, is_nullable, data_type, "
       "character_maximum_length, numeric_precision, numeric_scale, datetime_precision, udt_name "
       "from information_schema.columns where table_name = 'isc' order by ordinal_position",
       "id|1|NULL|NO|integer|NULL|32|0|NULL|int4\n"
       "name|2|NULL|NO|character varying|30|NULL|NULL|NULL|varchar\n"
       "amount|3|NULL|YES|numeric|NULL|8|2|NULL|numeric\n"
       "created|4|now()|YES|timestamp with time zone|NULL|NULL|NULL|6|timestamptz\n");
    EQ("select table_schema, table_type from information_schema.tables where table_name = 'isc'",
       "public|BASE TABLE\n");
    EQ("select constraint_type, count(*) from information_schema.table_constraints "
       "where table_name = 'isc' group by 1 order by 1",
       "CHECK|2\nPRIMARY KEY|1\n");
    EQ("select constraint_name, column_name, ordinal_position from "
       "information_schema.key_column_usage where table_name = 'isc'",
       "isc_pkey|id|1\n");
    OK("create table icd (a text default 'x', b int check (b > 0), c numeric check (c > 1))");
    EQ("select column_name, column_default from information_schema.columns "
       "where table_name = 'icd' order by 1",
       "a|'x'::text\nb|NULL\nc|NULL\n");
    EQ("select check_clause from information_schema.check_constraints "
       "where constraint_name like 'icd%' order by 1",
       "((b > 0))\n((c > (1)::numeric))\n");
    EQ("select count(*) from information_schema.schemata where schema_name in ('public', "
       "'pg_catalog', 'information_schema')",
       "3\n");
}

static void test_catalog_follows_the_transaction(void **state)
{
    (void)state;
    sql_node *n = sql_node_get();
    txn *t = txn_begin(n->db, TXN_READ_COMMITTED);
    assert_string_equal(sql_node_run(t, "create table intx (a int)"), "");
    assert_string_equal(sql_node_run(t, "select count(*) from pg_class where relname = 'intx'"),
                        "1\n");
    /* another transaction does not see the uncommitted table */
    EQ("select count(*) from pg_class where relname = 'intx'", "0\n");
    mice_err me;
    txn_rollback(t, &me);
    txn_destroy(t);
    EQ("select count(*) from pg_class where relname = 'intx'", "0\n");
}

static void test_arrays_and_lateral(void **state)
{
    (void)state;
    EQ("select current_schemas(true), current_schemas(false)", "{pg_catalog,public}|{public}\n");
    EQ("select array_position(current_schemas(true), 'public'), 3 = any(array[1,2,3]), "
       "'x' = all('{x,y}'::text[])",
       "2|t|f\n");
    EQ("select array(select relname from pg_class where relname like 'pc1%' order by 1)",
       "{pc1,pc1_nv,pc1_pkey,pc1_u_key}\n");
    EQ("select array_to_string(array['a', null, 'c'], ',', '*'), array_upper('{5,6}'::int[], 1),"
       " ('{7,8,9}'::int[])[2], cardinality('{}'::int[])",
       "a,*,c|2|8|0\n");
    EQ("select x from unnest('{3,1,2}'::int[]) x order by x", "1\n2\n3\n");
    EQ("select c.relname, o.n from pg_class c cross join lateral (select length(c.relname)) "
       "o(n) where c.relname = 'pc1'",
       "pc1|3\n");
    EQ("select 'pg_toast' ~ '^pg_', 'abc' !~ 'B', 'abc' ~* 'B', 'x' ~ '('",
       "ERROR 2201B: invalid regular expression: parentheses () not balanced");
    EQ("select 'pg_toast' ~ '^pg_', 'abc' !~ 'B', 'abc' ~* 'B'", "t|t|t\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_of_every_relation),
        cmocka_unit_test(test_rows_follow_ddl),
        cmocka_unit_test(test_definitions_as_postgres_prints_them),
        cmocka_unit_test(test_reg_types),
        cmocka_unit_test(test_synthesized_oids),
        cmocka_unit_test(test_information_schema),
        cmocka_unit_test(test_catalog_follows_the_transaction),
        cmocka_unit_test(test_arrays_and_lateral),
    };
    return cmocka_run_group_tests(tests, sql_node_setup, sql_node_teardown);
}
