/*
 * test_parse.c - SQL text -> AST (sql/parse.h, sql/ast.h).
 *
 * A table of statements with their exact ast_print output covers every construct the
 * translator handles; the statements pgbench, sysbench and psql send (shared/pg-clients.md)
 * must all parse; then the unhappy paths: syntax errors with PostgreSQL's message and
 * cursor position, valid-but-untranslated statements (0A000 naming the node), NUL bytes,
 * arena budgets exhausted at every allocation, inputs nested or chained far beyond the
 * depth limit (54001, never a stack overflow), and parsing from several threads at once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/ast.h"
#include "sql/parse.h"

typedef struct parse_case {
    const char *sql;
    const char *expected; /* ast_print of each statement, joined by "\n" */
} parse_case;

static const parse_case cases[] = {
    {"SELECT 1", "(select :targets [(target :val 1)])"},
    {"SELECT * FROM t", "(select :targets [(target :val *)] :from [(table :rel t)])"},
    {"SELECT t.*, s.t.c, db.s.t.c AS x FROM s.t",
     "(select :targets [(target :val (col t.*)) (target :val (col s.t.c)) (target :name x :val (col"
     " db.s.t.c))] :from [(table :schema s :rel t)])"},
    {"SELECT a AS \"Weird Name\", b x FROM ONLY t AS u(p, q)",
     "(select :targets [(target :name \"Weird Name\" :val (col a)) (target :name x :val (col b))] :"
     "from [(table :rel t :only :alias (alias :name u :cols p.q))])"},
    {"SELECT DISTINCT ON (a, b) a, b FROM t ORDER BY a DESC NULLS LAST, b USING <",
     "(select :distinct :distinct_on [(col a) (col b)] :targets [(target :val (col a)) (target :val"
     " (col b))] :from [(table :rel t)] :order_by [(sort :expr (col a) :dir desc :nulls nulls_last)"
     " (sort :expr (col b) :dir using :using_op <)])"},
    {"SELECT a FROM t WHERE a > 1 GROUP BY a HAVING count(*) > 2",
     "(select :targets [(target :val (col a))] :from [(table :rel t)] :where (op > (col a) 1) :grou"
     "p_by [(col a)] :having (op > (func :name count :star) 2))"},
    {"SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS ((a, b), (a), ())",
     "(select :targets [(target :val (col a)) (target :val (col b)) (target :val (func :name sum :a"
     "rgs [(col c)]))] :from [(table :rel t)] :group_by [(grouping_set :gk sets :content [(row :arg"
     "s [(col a) (col b)]) (col a) (grouping_set :gk empty)])])"},
    {"SELECT a, b FROM t GROUP BY ROLLUP (a, b), CUBE (b)",
     "(select :targets [(target :val (col a)) (target :val (col b))] :from [(table :rel t)] :group_"
     "by [(grouping_set :gk rollup :content [(col a) (col b)]) (grouping_set :gk cube :content [(co"
     "l b)])])"},
    {"SELECT grouping(a, b) FROM t GROUP BY DISTINCT a, b",
     "(select :targets [(target :val (grouping :args [(col a) (col b)]))] :from [(table :rel t)] :g"
     "roup_by [(col a) (col b)] :group_distinct)"},
    {"SELECT a FROM t LIMIT 10 OFFSET 5",
     "(select :targets [(target :val (col a))] :from [(table :rel t)] :limit 10 :offset 5 :limit_ki"
     "nd count)"},
    {"SELECT a FROM t ORDER BY a OFFSET 2 ROWS FETCH FIRST 3 ROWS WITH TIES",
     "(select :targets [(target :val (col a))] :from [(table :rel t)] :order_by [(sort :expr (col a"
     "))] :limit 3 :offset 2 :limit_kind with_ties)"},
    {"SELECT a FROM t FETCH FIRST 3 ROWS ONLY",
     "(select :targets [(target :val (col a))] :from [(table :rel t)] :limit 3 :limit_kind count)"},
    {"SELECT a FROM t LIMIT ALL",
     "(select :targets [(target :val (col a))] :from [(table :rel t)] :limit null :limit_kind count"
     ")"},
    {"SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 ORDER BY 1 LIMIT 2",
     "(select :order_by [(sort :expr 1)] :limit 2 :limit_kind count :set_op union :all :larg (selec"
     "t :set_op union :larg (select :targets [(target :val 1)]) :rarg (select :targets [(target :va"
     "l 2)])) :rarg (select :targets [(target :val 3)]))"},
    {"SELECT 1 INTERSECT ALL (SELECT 2 EXCEPT SELECT 3)",
     "(select :set_op intersect :all :larg (select :targets [(target :val 1)]) :rarg (select :set_o"
     "p except :larg (select :targets [(target :val 2)]) :rarg (select :targets [(target :val 3)]))"
     ")"},
    {"VALUES (1, 'a'), (2, DEFAULT)",
     "(select :values [(list :args [1 'a']) (list :args [2 (default)])])"},
    {"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT n FROM r",
     "(select :with (with :recursive :ctes [(cte :name r :cols n :query (select :set_op union :all "
     ":larg (select :targets [(target :val 1)]) :rarg (select :targets [(target :val (op + (col n) "
     "1))] :from [(table :rel r)] :where (op < (col n) 10))))]) :targets [(target :val (col n))] :f"
     "rom [(table :rel r)])"},
    {"WITH x AS MATERIALIZED (SELECT 1), y AS NOT MATERIALIZED (SELECT 2) SELECT * FROM x, y",
     "(select :with (with :ctes [(cte :name x :materialized materialized :query (select :targets [("
     "target :val 1)])) (cte :name y :materialized not_materialized :query (select :targets [(targe"
     "t :val 2)]))]) :targets [(target :val *)] :from [(table :rel x) (table :rel y)])"},
    {"SELECT * FROM t FOR UPDATE",
     "(select :targets [(target :val *)] :from [(table :rel t)] :locking [(locking :strength update"
     ")])"},
    {"SELECT * FROM t, u FOR NO KEY UPDATE OF t SKIP LOCKED FOR SHARE OF u NOWAIT",
     "(select :targets [(target :val *)] :from [(table :rel t) (table :rel u)] :locking [(locking :"
     "strength no_key_update :wait skip_locked :rels [(table :rel t)]) (locking :strength share :wa"
     "it nowait :rels [(table :rel u)])])"},
    {"SELECT * FROM t FOR KEY SHARE",
     "(select :targets [(target :val *)] :from [(table :rel t)] :locking [(locking :strength key_sh"
     "are)])"},
    {"SELECT * INTO new_t FROM t",
     "(select :targets [(target :val *)] :into (table :rel new_t) :from [(table :rel t)])"},
    {"SELECT a, rank() OVER w, sum(b) OVER (PARTITION BY c ORDER BY d ROWS BETWEEN 1 PRECEDING AND "
     "CURRENT ROW) FROM t WINDOW w AS (ORDER BY a)",
     "(select :targets [(target :val (col a)) (target :val (func :name rank :over (window :name w :"
     "frame 0x422))) (target :val (func :name sum :args [(col b)] :over (window :partition [(col c)"
     "] :order [(sort :expr (col d))] :frame 0xc15 :start_offset 1)))] :from [(table :rel t)] :wind"
     "ows [(window :name w :order [(sort :expr (col a))] :frame 0x422)])"},
    {"SELECT count(*) FILTER (WHERE a > 1), string_agg(DISTINCT b, ',' ORDER BY b), percentile_cont"
     "(0.5) WITHIN GROUP (ORDER BY a) FROM t",
     "(select :targets [(target :val (func :name count :filter (op > (col a) 1) :star)) (target :va"
     "l (func :name string_agg :args [(col b) ','] :agg_order [(sort :expr (col b))] :distinct)) (t"
     "arget :val (func :name percentile_cont :args [(num 0.5)] :agg_order [(sort :expr (col a))] :w"
     "ithin_group))] :from [(table :rel t)])"},
    {"SELECT f(VARIADIC ARRAY[1, 2]), g(a => 1, b := 2)",
     "(select :targets [(target :val (func :name f :args [(array :args [1 2])] :variadic)) (target "
     ":val (func :name g :args [(named_arg :name a :arg 1) (named_arg :name b :arg 2)]))])"},
    {"SELECT * FROM a JOIN b ON a.id = b.id LEFT JOIN c USING (id) RIGHT OUTER JOIN d ON true FULL "
     "JOIN e ON false CROSS JOIN f",
     "(select :targets [(target :val *)] :from [(join :jt inner :cross :l (join :jt full :l (join :"
     "jt right :l (join :jt left :l (join :jt inner :l (table :rel a) :r (table :rel b) :on (op = ("
     "col a.id) (col b.id))) :r (table :rel c) :using_cols id) :r (table :rel d) :on true) :r (tabl"
     "e :rel e) :on false) :r (table :rel f))])"},
    {"SELECT * FROM a NATURAL JOIN b",
     "(select :targets [(target :val *)] :from [(join :jt inner :natural :l (table :rel a) :r (tabl"
     "e :rel b))])"},
    {"SELECT * FROM (a JOIN b USING (id) AS j) AS x",
     "(select :targets [(target :val *)] :from [(join :jt inner :l (table :rel a) :r (table :rel b)"
     " :using_cols id :alias (alias :name x) :using_alias (alias :name j))])"},
    {"SELECT * FROM (SELECT 1) AS s(x), LATERAL (SELECT s.x) l",
     "(select :targets [(target :val *)] :from [(subselect :query (select :targets [(target :val 1)"
     "]) :alias (alias :name s :cols x)) (subselect :lateral :query (select :targets [(target :val "
     "(col s.x))]) :alias (alias :name l))])"},
    {"SELECT * FROM generate_series(1, 10) AS g(x)",
     "(select :targets [(target :val *)] :from [(table_func :funcs [(func :name generate_series :ar"
     "gs [1 10])] :alias (alias :name g :cols x))])"},
    {"SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(x, n)",
     "(select :targets [(target :val *)] :from [(table_func :ordinality :funcs [(func :name generat"
     "e_series :args [1 3])] :alias (alias :name g :cols x.n))])"},
    {"SELECT * FROM ROWS FROM (f(1), g(2)) AS r",
     "(select :targets [(target :val *)] :from [(table_func :rows_from :funcs [(func :name f :args "
     "[1]) (func :name g :args [2])] :alias (alias :name r))])"},
    {"SELECT * FROM json_to_record('{}') AS r(a int, b text)",
     "(select :targets [(target :val *)] :from [(table_func :funcs [(func :name json_to_record :arg"
     "s ['{}'])] :alias (alias :name r) :coldefs [(column :name a :type (type :names pg_catalog.int"
     "4)) (column :name b :type (type :names text))])])"},
    {"SELECT -1, +2, - a, 1 + 2 * 3, 2 ^ 3, 'x' || 'y', a % b, @ -3, NOT a, a AND b OR c",
     "(select :targets [(target :val -1) (target :val (op + 2)) (target :val (op - (col a))) (targe"
     "t :val (op + 1 (op * 2 3))) (target :val (op ^ 2 3)) (target :val (op || 'x' 'y')) (target :v"
     "al (op % (col a) (col b))) (target :val (op @ -3)) (target :val (bool :op not :args [(col a)]"
     ")) (target :val (bool :op or :args [(bool :op and :args [(col a) (col b)]) (col c)]))])"},
    {"SELECT 1.5, 1e10, 99999999999, 2147483647, -2147483648, 'it''s', E'a\\nb', B'101', X'1F', tru"
     "e, false, NULL, $1, $12",
     "(select :targets [(target :val (num 1.5)) (target :val (num 1e10)) (target :val (num 99999999"
     "999)) (target :val 2147483647) (target :val (num -2147483648)) (target :val 'it\\'s') (target"
     " :val 'a\\nb') (target :val (bits b101)) (target :val (bits x1F)) (target :val true) (target "
     ":val false) (target :val null) (target :val $1) (target :val $12)])"},
    {"SELECT a IS NULL, a IS NOT NULL, a ISNULL, a NOTNULL, a IS TRUE, a IS NOT FALSE, a IS UNKNOWN"
     ", a IS NOT UNKNOWN",
     "(select :targets [(target :val (null_test :arg (col a))) (target :val (null_test :arg (col a)"
     " :is_not)) (target :val (null_test :arg (col a))) (target :val (null_test :arg (col a) :is_no"
     "t)) (target :val (bool_test :arg (col a) :test is_true)) (target :val (bool_test :arg (col a)"
     " :test is_not_false)) (target :val (bool_test :arg (col a) :test is_unknown)) (target :val (b"
     "ool_test :arg (col a) :test is_not_unknown))])"},
    {"SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b",
     "(select :targets [(target :val (distinct_from :l (col a) :r (col b))) (target :val (distinct_"
     "from :l (col a) :r (col b) :is_not))])"},
    {"SELECT a = ANY(ARRAY[1,2]), a < ALL('{1,2}'), a = SOME(b)",
     "(select :targets [(target :val (any_all :op = :l (col a) :r (array :args [1 2]))) (target :va"
     "l (any_all :op < :l (col a) :r '{1,2}' :all)) (target :val (any_all :op = :l (col a) :r (col "
     "b)))])"},
    {"SELECT a IN (1, 2, 3), a NOT IN (1), a IN (SELECT b FROM t), a NOT IN (SELECT b FROM t)",
     "(select :targets [(target :val (in :l (col a) :list [1 2 3])) (target :val (in :l (col a) :li"
     "st [1] :negated)) (target :val (sublink :sk any :test (col a) :op = :query (select :targets ["
     "(target :val (col b))] :from [(table :rel t)]))) (target :val (bool :op not :args [(sublink :"
     "sk any :test (col a) :op = :query (select :targets [(target :val (col b))] :from [(table :rel"
     " t)]))]))])"},
    {"SELECT EXISTS (SELECT 1), (SELECT max(a) FROM t), ARRAY(SELECT a FROM t), a > ALL (SELECT b F"
     "ROM t)",
     "(select :targets [(target :val (sublink :sk exists :query (select :targets [(target :val 1)])"
     ")) (target :val (sublink :sk expr :query (select :targets [(target :val (func :name max :args"
     " [(col a)]))] :from [(table :rel t)]))) (target :val (sublink :sk array :query (select :targe"
     "ts [(target :val (col a))] :from [(table :rel t)]))) (target :val (sublink :sk all :test (col"
     " a) :op > :query (select :targets [(target :val (col b))] :from [(table :rel t)])))])"},
    {"SELECT a BETWEEN 1 AND 2, a NOT BETWEEN 1 AND 2, a BETWEEN SYMMETRIC 2 AND 1, a NOT BETWEEN S"
     "YMMETRIC 2 AND 1",
     "(select :targets [(target :val (between :arg (col a) :lo 1 :hi 2)) (target :val (between :arg"
     " (col a) :lo 1 :hi 2 :negated)) (target :val (between :arg (col a) :lo 2 :hi 1 :symmetric)) ("
     "target :val (between :arg (col a) :lo 2 :hi 1 :negated :symmetric))])"},
    {"SELECT a LIKE 'x%', a NOT LIKE 'x' ESCAPE '!', a ILIKE 'y', a NOT ILIKE 'z', a SIMILAR TO 'q'"
     ", a NOT SIMILAR TO 'r' ESCAPE '#', a ~ 'x', a !~* 'y'",
     "(select :targets [(target :val (like :lk like :arg (col a) :pattern 'x%')) (target :val (like"
     " :lk like :arg (col a) :pattern 'x' :escape '!' :negated)) (target :val (like :lk ilike :arg "
     "(col a) :pattern 'y')) (target :val (like :lk ilike :arg (col a) :pattern 'z' :negated)) (tar"
     "get :val (like :lk similar :arg (col a) :pattern 'q')) (target :val (like :lk similar :arg (c"
     "ol a) :pattern 'r' :escape '#' :negated)) (target :val (op ~ (col a) 'x')) (target :val (op !"
     "~* (col a) 'y'))])"},
    {"SELECT CASE WHEN a > 0 THEN 'p' WHEN a < 0 THEN 'n' ELSE 'z' END, CASE a WHEN 1 THEN 'one' EN"
     "D",
     "(select :targets [(target :val (case :whens [(when :cond (op > (col a) 0) :result 'p') (when "
     ":cond (op < (col a) 0) :result 'n')] :else 'z')) (target :val (case :arg (col a) :whens [(whe"
     "n :cond 1 :result 'one')]))])"},
    {"SELECT CAST(a AS int), a::text, '1'::numeric(10, 2), a::int[], a::int[3][4], b::varchar(20), "
     "c::pg_catalog.int2[], d::timestamp(3) with time zone, e::interval day to second",
     "(select :targets [(target :val (cast :arg (col a) :type (type :names pg_catalog.int4))) (targ"
     "et :val (cast :arg (col a) :type (type :names text))) (target :val (cast :arg '1' :type (type"
     " :names pg_catalog.numeric :typmods [10 2]))) (target :val (cast :arg (col a) :type (type :na"
     "mes pg_catalog.int4 :array_bounds [-1]))) (target :val (cast :arg (col a) :type (type :names "
     "pg_catalog.int4 :array_bounds [3 4]))) (target :val (cast :arg (col b) :type (type :names pg_"
     "catalog.varchar :typmods [20]))) (target :val (cast :arg (col c) :type (type :names pg_catalo"
     "g.int2 :array_bounds [-1]))) (target :val (cast :arg (col d) :type (type :names pg_catalog.ti"
     "mestamptz :typmods [3]))) (target :val (cast :arg (col e) :type (type :names pg_catalog.inter"
     "val :typmods [7176])))])"},
    {"SELECT COALESCE(a, b, 1), NULLIF(a, 0), GREATEST(1, 2), LEAST(a, b)",
     "(select :targets [(target :val (coalesce :args [(col a) (col b) 1])) (target :val (nullif :l "
     "(col a) :r 0)) (target :val (minmax :greatest :args [1 2])) (target :val (minmax :args [(col "
     "a) (col b)]))])"},
    {"SELECT ARRAY[1, 2], ARRAY[[1], [2]], ARRAY[]::int[], ROW(1, 'a'), (1, 2), ROW()",
     "(select :targets [(target :val (array :args [1 2])) (target :val (array :args [(array :args ["
     "1]) (array :args [2])])) (target :val (cast :arg (array) :type (type :names pg_catalog.int4 :"
     "array_bounds [-1]))) (target :val (row :args [1 'a'] :explicit_row)) (target :val (row :args "
     "[1 2])) (target :val (row :explicit_row))])"},
    {"SELECT a[1], a[1:2], a[:3], (f(x)).y, (r).*, b[1][2]",
     "(select :targets [(target :val (indirection :arg (col a) :path [(subscript :lo 1)])) (target "
     ":val (indirection :arg (col a) :path [(subscript :lo 1 :hi 2 :slice)])) (target :val (indirec"
     "tion :arg (col a) :path [(subscript :hi 3 :slice)])) (target :val (indirection :arg (func :na"
     "me f :args [(col x)]) :path [(field :name y)])) (target :val (indirection :arg (col r) :path "
     "[(field :star)])) (target :val (indirection :arg (col b) :path [(subscript :lo 1) (subscript "
     ":lo 2)]))])"},
    {"SELECT a COLLATE \"C\", b COLLATE pg_catalog.default",
     "(select :targets [(target :val (collate :arg (col a) :collation C)) (target :val (collate :ar"
     "g (col b) :collation pg_catalog.default))])"},
    {"SELECT CURRENT_DATE, CURRENT_TIME, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP(3), LOCALTIME, LOCALT"
     "IMESTAMP(2), CURRENT_ROLE, CURRENT_USER, SESSION_USER, USER, CURRENT_CATALOG, CURRENT_SCHEMA",
     "(select :targets [(target :val (svf :fn current_date)) (target :val (svf :fn current_time)) ("
     "target :val (svf :fn current_timestamp)) (target :val (svf :fn current_timestamp :typmod 3)) "
     "(target :val (svf :fn localtime)) (target :val (svf :fn localtimestamp :typmod 2)) (target :v"
     "al (svf :fn current_role)) (target :val (svf :fn current_user)) (target :val (svf :fn session"
     "_user)) (target :val (svf :fn user)) (target :val (svf :fn current_catalog)) (target :val (sv"
     "f :fn current_schema))])"},
    {"SELECT now() AT TIME ZONE 'UTC', EXTRACT(year FROM d), POSITION('a' IN s), SUBSTRING(s FROM 2"
     " FOR 3), TRIM(BOTH ' ' FROM s), OVERLAY(s PLACING 'x' FROM 2)",
     "(select :targets [(target :val (func :name pg_catalog.timezone :args ['UTC' (func :name now)]"
     ")) (target :val (func :name pg_catalog.extract :args ['year' (col d)])) (target :val (func :n"
     "ame pg_catalog.position :args [(col s) 'a'])) (target :val (func :name pg_catalog.substring :"
     "args [(col s) 2 3])) (target :val (func :name pg_catalog.btrim :args [(col s) ' '])) (target "
     ":val (func :name pg_catalog.overlay :args [(col s) 'x' 2]))])"},
    {"SELECT c.relname OPERATOR(pg_catalog.~) '^(x)$' COLLATE pg_catalog.default",
     "(select :targets [(target :val (op pg_catalog.~ (col c.relname) (collate :arg '^(x)$' :collat"
     "ion pg_catalog.default)))])"},
    {"SELECT interval '1 day', date '2020-01-01', int4 '5'",
     "(select :targets [(target :val (cast :arg '1 day' :type (type :names pg_catalog.interval))) ("
     "target :val (cast :arg '2020-01-01' :type (type :names date))) (target :val (cast :arg '5' :t"
     "ype (type :names int4)))])"},
    {"INSERT INTO t VALUES (1, 2)",
     "(insert :table (table :rel t) :query (select :values [(list :args [1 2])]))"},
    {"INSERT INTO s.t AS x (a, b[1], c.d) SELECT * FROM u RETURNING *, a + 1 AS b",
     "(insert :table (table :schema s :rel t :alias (alias :name x)) :cols [(target :name a) (targe"
     "t :name b :indirection [(subscript :lo 1)]) (target :name c :indirection [(field :name d)])] "
     ":query (select :targets [(target :val *)] :from [(table :rel u)]) :returning [(target :val *)"
     " (target :name b :val (op + (col a) 1))])"},
    {"INSERT INTO t DEFAULT VALUES", "(insert :table (table :rel t))"},
    {"INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING",
     "(insert :table (table :rel t) :cols [(target :name a)] :query (select :values [(list :args [1"
     "])]) :on_conflict (on_conflict :action nothing))"},
    {"INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (a) WHERE b > 0 DO UPDATE SET b = EXCLUDED.b, "
     "(c, d) = (1, 2) WHERE t.b < 5 RETURNING a",
     "(insert :table (table :rel t) :cols [(target :name a) (target :name b)] :query (select :value"
     "s [(list :args [1 2])]) :on_conflict (on_conflict :action update :infer_elems [(index_elem :c"
     "olumn a)] :infer_where (op > (col b) 0) :set [(set :cols [(target :name b)] :value (col exclu"
     "ded.b)) (set :cols [(target :name c) (target :name d)] :value (row :args [1 2]) :multi)] :whe"
     "re (op < (col t.b) 5)) :returning [(target :val (col a))])"},
    {"INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING",
     "(insert :table (table :rel t) :query (select :values [(list :args [1])]) :on_conflict (on_con"
     "flict :action nothing :constraint t_pkey))"},
    {"INSERT INTO t OVERRIDING SYSTEM VALUE VALUES (1)",
     "(insert :table (table :rel t) :query (select :values [(list :args [1])]) :overriding system_v"
     "alue)"},
    {"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
     "(insert :with (with :ctes [(cte :name x :query (select :targets [(target :val 1)]))]) :table "
     "(table :rel t) :query (select :targets [(target :val *)] :from [(table :rel x)]))"},
    {"UPDATE t SET a = 1, (b, c) = (SELECT 1, 2), d = DEFAULT FROM u WHERE t.id = u.id RETURNING t."
     "*",
     "(update :table (table :rel t) :set [(set :cols [(target :name a)] :value 1) (set :cols [(targ"
     "et :name b) (target :name c)] :value (sublink :sk expr :query (select :targets [(target :val "
     "1) (target :val 2)])) :multi) (set :cols [(target :name d)] :value (default))] :from [(table "
     ":rel u)] :where (op = (col t.id) (col u.id)) :returning [(target :val (col t.*))])"},
    {"UPDATE ONLY t AS x SET a[1] = 2",
     "(update :table (table :rel t :only :alias (alias :name x)) :set [(set :cols [(target :name a "
     ":indirection [(subscript :lo 1)])] :value 2)])"},
    {"DELETE FROM t USING u, v WHERE t.id = u.id RETURNING *",
     "(delete :table (table :rel t) :using [(table :rel u) (table :rel v)] :where (op = (col t.id) "
     "(col u.id)) :returning [(target :val *)])"},
    {"DELETE FROM t", "(delete :table (table :rel t))"},
    {"CREATE TABLE IF NOT EXISTS s.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int NOT"
     " NULL DEFAULT 0 CHECK (a >= 0), b text UNIQUE NULL COLLATE \"C\", c int REFERENCES u (id) ON "
     "DELETE CASCADE ON UPDATE SET NULL, d numeric(10,2)[], e int GENERATED BY DEFAULT AS IDENTITY "
     "(START WITH 10 INCREMENT BY 2), f int GENERATED ALWAYS AS (a * 2) STORED)",
     "(create_table :table (table :schema s :rel t) :columns [(column :name id :type (type :names p"
     "g_catalog.int8) :constraints [(constraint :ct identity :generated_when a) (constraint :ct pri"
     "mary_key)]) (column :name a :type (type :names pg_catalog.int4) :constraints [(constraint :ct"
     " not_null) (constraint :ct default :expr 0) (constraint :ct check :expr (op >= (col a) 0))]) "
     "(column :name b :type (type :names text) :constraints [(constraint :ct unique) (constraint :c"
     "t null)] :collation C) (column :name c :type (type :names pg_catalog.int4) :constraints [(con"
     "straint :ct foreign :pktable (table :rel u) :pk_attrs id :fk_match s :fk_upd_action n :fk_del"
     "_action c)]) (column :name d :type (type :names pg_catalog.numeric :typmods [10 2] :array_bou"
     "nds [-1])) (column :name e :type (type :names pg_catalog.int4) :constraints [(constraint :ct "
     "identity :generated_when d :options [(opt :name start :arg 10) (opt :name increment :arg 2)])"
     "]) (column :name f :type (type :names pg_catalog.int4) :constraints [(constraint :ct generate"
     "d :expr (op * (col a) 2) :generated_when a)])] :if_not_exists)"},
    {"CREATE TEMP TABLE t (a int, b int, CONSTRAINT pk PRIMARY KEY (a, b) INCLUDE (c), UNIQUE NULLS"
     " NOT DISTINCT (b), CHECK (a > b), FOREIGN KEY (a) REFERENCES u (x) MATCH FULL ON DELETE RESTR"
     "ICT DEFERRABLE INITIALLY DEFERRED)",
     "(create_table :table (table :rel t :persistence t) :columns [(column :name a :type (type :nam"
     "es pg_catalog.int4)) (column :name b :type (type :names pg_catalog.int4))] :constraints [(con"
     "straint :ct primary_key :name pk :keys a.b :including c) (constraint :ct unique :keys b :null"
     "s_not_distinct) (constraint :ct check :expr (op > (col a) (col b))) (constraint :ct foreign :"
     "pktable (table :rel u) :fk_attrs a :pk_attrs x :fk_match f :fk_upd_action a :fk_del_action r "
     ":deferrable :initdeferred)])"},
    {"CREATE UNLOGGED TABLE t (a int) WITH (fillfactor = 70, autovacuum_enabled = false)",
     "(create_table :table (table :rel t :persistence u) :columns [(column :name a :type (type :nam"
     "es pg_catalog.int4))] :options [(opt :name fillfactor :arg 70) (opt :name autovacuum_enabled "
     ":arg 'false')])"},
    {"CREATE TABLE m (a int, b date) PARTITION BY RANGE (b)",
     "(create_table :table (table :rel m) :columns [(column :name a :type (type :names pg_catalog.i"
     "nt4)) (column :name b :type (type :names date))] :partition (partition_by :strategy range :pa"
     "rams [(index_elem :column b)]))"},
    {"CREATE TABLE t2 AS SELECT * FROM t WITH NO DATA",
     "(create_table_as :table (table :rel t2) :query (select :targets [(target :val *)] :from [(tab"
     "le :rel t)]) :with_no_data)"},
    {"CREATE TABLE IF NOT EXISTS t3 (x, y) AS SELECT 1, 2",
     "(create_table_as :table (table :rel t3) :cols x.y :query (select :targets [(target :val 1) (t"
     "arget :val 2)]) :if_not_exists)"},
    {"DROP TABLE IF EXISTS a, s.b CASCADE",
     "(drop :obj table :names [(name :names a) (name :names s.b)] :behavior cascade :missing_ok)"},
    {"DROP INDEX CONCURRENTLY i", "(drop :obj index :names [(name :names i)] :concurrent)"},
    {"DROP VIEW v RESTRICT", "(drop :obj view :names [(name :names v)])"},
    {"DROP SEQUENCE s1, s2", "(drop :obj sequence :names [(name :names s1) (name :names s2)])"},
    {"DROP SCHEMA IF EXISTS s CASCADE",
     "(drop :obj schema :names [(name :names s)] :behavior cascade :missing_ok)"},
    {"DROP DATABASE IF EXISTS d", "(drop :obj database :names [(name :names d)] :missing_ok)"},
    {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING btree (a DESC NULLS FIRST, lowe"
     "r(b), (c + 1) ASC) INCLUDE (d) WHERE a > 0",
     "(create_index :name i :table (table :schema s :rel t) :method btree :params [(index_elem :col"
     "umn a :dir desc :nulls nulls_first) (index_elem :expr (func :name lower :args [(col b)])) (in"
     "dex_elem :expr (op + (col c) 1) :dir asc)] :including [(index_elem :column d)] :where (op > ("
     "col a) 0) :unique :concurrent :if_not_exists)"},
    {"CREATE INDEX ON t (a text_pattern_ops, b COLLATE \"C\")",
     "(create_index :table (table :rel t) :method btree :params [(index_elem :column a :opclass tex"
     "t_pattern_ops) (index_elem :column b :collation C)])"},
    {"ALTER TABLE t ADD COLUMN IF NOT EXISTS c int DEFAULT 1, DROP COLUMN IF EXISTS d CASCADE, ALTE"
     "R COLUMN e SET DEFAULT 5, ALTER COLUMN f DROP DEFAULT, ALTER COLUMN g SET NOT NULL, ALTER COL"
     "UMN h DROP NOT NULL, ALTER COLUMN i TYPE bigint USING i::bigint",
     "(alter_table :obj table :table (table :rel t) :cmds [(alter :ak add_column :def (column :name"
     " c :type (type :names pg_catalog.int4) :constraints [(constraint :ct default :expr 1)]) :miss"
     "ing_ok) (alter :ak drop_column :name d :behavior cascade :missing_ok) (alter :ak column_defau"
     "lt :name e :def 5) (alter :ak column_default :name f) (alter :ak set_not_null :name g) (alter"
     " :ak drop_not_null :name h) (alter :ak column_type :name i :def (column :type (type :names pg"
     "_catalog.int8) :expr (cast :arg (col i) :type (type :names pg_catalog.int8))))])"},
    {"ALTER TABLE IF EXISTS t ADD CONSTRAINT c1 UNIQUE (a), DROP CONSTRAINT IF EXISTS c2, ADD PRIMA"
     "RY KEY (id), SET (fillfactor = 50), OWNER TO bob",
     "(alter_table :obj table :table (table :rel t) :cmds [(alter :ak add_constraint :def (constrai"
     "nt :ct unique :name c1 :keys a)) (alter :ak drop_constraint :name c2 :missing_ok) (alter :ak "
     "add_constraint :def (constraint :ct primary_key :keys id)) (alter :ak set_options :def (list "
     ":args [(opt :name fillfactor :arg 50)])) (alter :ak owner :name bob)] :missing_ok)"},
    {"ALTER TABLE t RENAME TO u", "(rename :obj table :table (table :rel t) :newname u)"},
    {"ALTER TABLE t RENAME COLUMN a TO b",
     "(rename :obj column :table (table :rel t) :subname a :newname b)"},
    {"ALTER TABLE t RENAME CONSTRAINT c TO d",
     "(rename :obj constraint :table (table :rel t) :subname c :newname d)"},
    {"ALTER INDEX i RENAME TO j", "(rename :obj index :table (table :rel i) :newname j)"},
    {"ALTER TABLE t ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY",
     "(alter_table :obj table :table (table :rel t) :cmds [(alter :ak add_identity :name a :def (co"
     "nstraint :ct identity :generated_when a))])"},
    {"TRUNCATE a, b RESTART IDENTITY CASCADE",
     "(truncate :tables [(table :rel a) (table :rel b)] :restart_identity :behavior cascade)"},
    {"TRUNCATE TABLE ONLY t", "(truncate :tables [(table :rel t :only)])"},
    {"CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2",
     "(create_view :view (table :rel v) :cols a.b :query (select :targets [(target :val 1) (target "
     ":val 2)]) :replace)"},
    {"CREATE VIEW v AS SELECT * FROM t WITH CASCADED CHECK OPTION",
     "(create_view :view (table :rel v) :query (select :targets [(target :val *)] :from [(table :re"
     "l t)]) :check_option cascaded)"},
    {"CREATE SEQUENCE IF NOT EXISTS s INCREMENT BY 2 MINVALUE 1 MAXVALUE 100 START WITH 5 CACHE 10 "
     "CYCLE",
     "(create_sequence :seq (table :rel s) :options [(opt :name increment :arg 2) (opt :name minval"
     "ue :arg 1) (opt :name maxvalue :arg 100) (opt :name start :arg 5) (opt :name cache :arg 10) ("
     "opt :name cycle :arg true)] :if_not_exists)"},
    {"ALTER SEQUENCE s RESTART WITH 1",
     "(alter_sequence :seq (table :rel s) :options [(opt :name restart :arg 1)])"},
    {"CREATE DATABASE d WITH OWNER = bob ENCODING 'UTF8'",
     "(create_database :name d :options [(opt :name owner :arg 'bob') (opt :name encoding :arg 'UTF"
     "8')])"},
    {"CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION bob",
     "(create_schema :name s :authrole (role :name bob) :if_not_exists)"},
    {"CREATE USER bob WITH PASSWORD 'secret' LOGIN SUPERUSER",
     "(create_role :rs user :name bob :options [(opt :name password :arg 'secret') (opt :name canlo"
     "gin :arg true) (opt :name superuser :arg true)])"},
    {"CREATE ROLE r NOLOGIN CREATEDB",
     "(create_role :rs role :name r :options [(opt :name canlogin :arg false) (opt :name createdb :"
     "arg true)])"},
    {"ALTER USER bob WITH PASSWORD 'new'",
     "(alter_role :role (role :name bob) :options [(opt :name password :arg 'new')])"},
    {"ALTER ROLE CURRENT_USER NOSUPERUSER",
     "(alter_role :role (role :rk current_user) :options [(opt :name superuser :arg false)])"},
    {"DROP USER IF EXISTS bob, alice",
     "(drop_role :roles [(role :name bob) (role :name alice)] :missing_ok)"},
    {"DROP ROLE r", "(drop_role :roles [(role :name r)])"},
    {"GRANT SELECT, INSERT (a, b) ON t, s.u TO bob, PUBLIC WITH GRANT OPTION",
     "(grant :is_grant :obj table :objects [(table :rel t) (table :schema s :rel u)] :privs [(priv "
     ":priv select) (priv :priv insert :cols a.b)] :grantees [(role :name bob) (role :rk public)] :"
     "grant_option)"},
    {"GRANT ALL ON ALL TABLES IN SCHEMA public TO bob",
     "(grant :is_grant :obj table :all_in_schema :objects [(name :names public)] :grantees [(role :"
     "name bob)])"},
    {"REVOKE ALL PRIVILEGES ON SCHEMA s FROM bob CASCADE",
     "(grant :obj schema :objects [(name :names s)] :grantees [(role :name bob)] :behavior "
     "cascade)"},
    {"GRANT r TO bob WITH ADMIN OPTION",
     "(grant_role :is_grant :roles [(priv :priv r)] :grantees [(role :name bob)] :admin_opt)"},
    {"REVOKE r FROM bob", "(grant_role :roles [(priv :priv r)] :grantees [(role :name bob)])"},
    {"BEGIN", "(transaction :tk begin)"},
    {"BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY",
     "(transaction :tk begin :options [(opt :name transaction_isolation :arg 'serializable') (opt :"
     "name transaction_read_only :arg 1)])"},
    {"START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE, NOT DEFERRABLE",
     "(transaction :tk start :options [(opt :name transaction_isolation :arg 'repeatable read') (op"
     "t :name transaction_read_only :arg 0) (opt :name transaction_deferrable :arg 0)])"},
    {"BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED",
     "(transaction :tk begin :options [(opt :name transaction_isolation :arg 'read committed')])"},
    {"COMMIT", "(transaction :tk commit)"},
    {"END", "(transaction :tk commit)"},
    {"COMMIT AND CHAIN", "(transaction :tk commit :chain)"},
    {"ROLLBACK", "(transaction :tk rollback)"},
    {"ABORT", "(transaction :tk rollback)"},
    {"SAVEPOINT sp", "(transaction :tk savepoint :savepoint sp)"},
    {"RELEASE SAVEPOINT sp", "(transaction :tk release :savepoint sp)"},
    {"RELEASE sp", "(transaction :tk release :savepoint sp)"},
    {"ROLLBACK TO SAVEPOINT sp", "(transaction :tk rollback_to :savepoint sp)"},
    {"ROLLBACK TO sp", "(transaction :tk rollback_to :savepoint sp)"},
    {"PREPARE TRANSACTION 'g1'", "(transaction :tk prepare :gid g1)"},
    {"COMMIT PREPARED 'g1'", "(transaction :tk commit_prepared :gid g1)"},
    {"SET search_path = public, \"$user\"",
     "(set_var :sk value :name search_path :args ['public' '$user'])"},
    {"SET SESSION statement_timeout TO 5000",
     "(set_var :sk value :name statement_timeout :args [5000])"},
    {"SET LOCAL work_mem = '64MB'", "(set_var :sk value :name work_mem :args ['64MB'] :local)"},
    {"SET x TO DEFAULT", "(set_var :sk default :name x)"},
    {"SET TIME ZONE 'UTC'", "(set_var :sk value :name timezone :args ['UTC'])"},
    {"SET TIME ZONE LOCAL", "(set_var :sk default :name timezone)"},
    {"SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE",
     "(set_var :sk value :name timezone :args [(cast :arg '+02:00' :type (type :names pg_catalog.in"
     "terval :typmods [3072]))])"},
    {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
     "(set_var :sk multi :name TRANSACTION :args [(opt :name transaction_isolation :arg 'serializab"
     "le')])"},
    {"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
     "(set_var :sk multi :name \"SESSION CHARACTERISTICS\" :args [(opt :name transaction_read_only "
     ":arg 1)])"},
    {"SET NAMES 'UTF8'", "(set_var :sk value :name client_encoding :args ['UTF8'])"},
    {"SET application_name = 'x'", "(set_var :sk value :name application_name :args ['x'])"},
    {"SET extra_float_digits = 3", "(set_var :sk value :name extra_float_digits :args [3])"},
    {"SHOW search_path", "(show :name search_path)"},
    {"SHOW ALL", "(show :name all)"},
    {"SHOW TIME ZONE", "(show :name timezone)"},
    {"SHOW TRANSACTION ISOLATION LEVEL", "(show :name transaction_isolation)"},
    {"RESET work_mem", "(set_var :sk reset :name work_mem)"},
    {"RESET ALL", "(set_var :sk reset_all)"},
    {"EXPLAIN SELECT 1", "(explain :query (select :targets [(target :val 1)]))"},
    {"EXPLAIN ANALYZE VERBOSE SELECT 1",
     "(explain :query (select :targets [(target :val 1)]) :options [(opt :name analyze) (opt :name "
     "verbose)])"},
    {"EXPLAIN (ANALYZE, BUFFERS false, FORMAT json) UPDATE t SET a = 1",
     "(explain :query (update :table (table :rel t) :set [(set :cols [(target :name a)] :value 1)])"
     " :options [(opt :name analyze) (opt :name buffers :arg 'false') (opt :name format :arg 'json'"
     ")])"},
    {"COPY t FROM STDIN", "(copy :table (table :rel t) :is_from)"},
    {"COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ',', NULL '')",
     "(copy :table (table :rel t) :cols a.b :is_from :options [(opt :name format :arg 'csv') (opt :"
     "name header) (opt :name delimiter :arg ',') (opt :name null :arg '')])"},
    {"COPY t TO STDOUT", "(copy :table (table :rel t))"},
    {"COPY (SELECT * FROM t) TO STDOUT WITH (FORMAT text)",
     "(copy :query (select :targets [(target :val *)] :from [(table :rel t)]) :options [(opt :name "
     "format :arg 'text')])"},
    {"COPY t FROM '/tmp/x.csv' CSV HEADER",
     "(copy :table (table :rel t) :is_from :filename \"/tmp/x.csv\" :options [(opt :name format :ar"
     "g 'csv') (opt :name header :arg true)])"},
    {"COPY t TO PROGRAM 'gzip'", "(copy :table (table :rel t) :is_program :filename gzip)"},
    {"VACUUM", "(vacuum :is_vacuum)"},
    {"VACUUM t, u",
     "(vacuum :is_vacuum :rels [(vacuum_rel :table (table :rel t)) (vacuum_rel :table (table :rel u"
     "))])"},
    {"VACUUM (VERBOSE, ANALYZE) t (a, b)",
     "(vacuum :is_vacuum :options [(opt :name verbose) (opt :name analyze)] :rels [(vacuum_rel :tab"
     "le (table :rel t) :cols a.b)])"},
    {"VACUUM FULL FREEZE t",
     "(vacuum :is_vacuum :options [(opt :name full) (opt :name freeze)] :rels [(vacuum_rel :table ("
     "table :rel t))])"},
    {"ANALYZE", "(vacuum)"},
    {"ANALYZE t", "(vacuum :rels [(vacuum_rel :table (table :rel t))])"},
    {"ANALYZE VERBOSE t (a)",
     "(vacuum :options [(opt :name verbose)] :rels [(vacuum_rel :table (table :rel t) :cols a)])"},
    {"PREPARE p (int, text) AS SELECT $1, $2",
     "(prepare :name p :argtypes [(type :names pg_catalog.int4) (type :names text)] :query (select "
     ":targets [(target :val $1) (target :val $2)]))"},
    {"PREPARE q AS UPDATE t SET a = $1",
     "(prepare :name q :query (update :table (table :rel t) :set [(set :cols [(target :name a)] :va"
     "lue $1)]))"},
    {"EXECUTE p(1, 'x')", "(execute :name p :params [1 'x'])"},
    {"EXECUTE q", "(execute :name q)"},
    {"DEALLOCATE p", "(deallocate :name p)"},
    {"DEALLOCATE PREPARE p", "(deallocate :name p)"},
    {"DEALLOCATE ALL", "(deallocate)"},
    {"DISCARD ALL", "(discard :what all)"},
    {"DISCARD PLANS", "(discard :what plans)"},
    {"DISCARD SEQUENCES", "(discard :what sequences)"},
    {"DISCARD TEMP", "(discard :what temp)"},
    {"LISTEN ch", "(notify :nk listen :channel ch)"},
    {"UNLISTEN ch", "(notify :nk unlisten :channel ch)"},
    {"UNLISTEN *", "(notify :nk unlisten)"},
    {"NOTIFY ch", "(notify :nk notify :channel ch)"},
    {"NOTIFY ch, 'payload'", "(notify :nk notify :channel ch :payload payload)"},
    {"CHECKPOINT", "(checkpoint)"},
    {"BEGIN; SELECT 1; COMMIT",
     "(transaction :tk begin)\n(select :targets [(target :val 1)])\n(transaction :tk commit)"},
    {"  select 1 ;  ;  select 2  ",
     "(select :targets [(target :val 1)])\n(select :targets [(target :val 2)])"},
    {"", ""},
    {";", ""},
    {"-- only a comment", ""},
    {"/* c */ SELECT /* d */ 1 -- e", "(select :targets [(target :val 1)])"},
};

/* Everything the captured clients send (pg-clients.md), literals filled in. */
static const char *const client_sql[] = {
    "drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
    "create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22)"
    ")",
    "create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fill"
    "factor=100)",
    "create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84)) with (fil"
    "lfactor=100)",
    "create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor="
    "100)",
    "begin",
    "truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
    "insert into pgbench_branches(bid,bbalance) values(7,7)",
    "insert into pgbench_tellers(tid,bid,tbalance) values (7,7,7)",
    "copy pgbench_accounts from stdin with (freeze on)",
    "commit",
    "vacuum analyze pgbench_branches",
    "vacuum analyze pgbench_tellers",
    "vacuum analyze pgbench_accounts",
    "vacuum analyze pgbench_history",
    "alter table pgbench_branches add primary key (bid)",
    "alter table pgbench_tellers add primary key (tid)",
    "alter table pgbench_accounts add primary key (aid)",
    "select count(*) from pgbench_branches",
    "select o.n, p.partstrat, pg_catalog.count(i.inhparent) from pg_catalog.pg_class as c join pg_c"
    "atalog.pg_namespace as n on (n.oid = c.relnamespace) cross join lateral (select pg_catalog.arr"
    "ay_position(pg_catalog.current_schemas(true), n.nspname)) as o(n) left join pg_catalog.pg_part"
    "itioned_table as p on (p.partrelid = c.oid) left join pg_catalog.pg_inherits as i on (c.oid = "
    "i.inhparent) where c.relname = 'pgbench_accounts' and o.n is not null group by 1, 2 order by 1"
    " asc limit 1",
    "vacuum pgbench_branches",
    "vacuum pgbench_tellers",
    "truncate pgbench_history",
    "BEGIN;",
    "UPDATE pgbench_accounts SET abalance = abalance + 7 WHERE aid = 7;",
    "SELECT abalance FROM pgbench_accounts WHERE aid = 7;",
    "UPDATE pgbench_tellers SET tbalance = tbalance + 7 WHERE tid = 7;",
    "UPDATE pgbench_branches SET bbalance = bbalance + 7 WHERE bid = 7;",
    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 7, 7, 7, CURRENT_TIMESTAM"
    "P);",
    "END;",
    "SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
    "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
    "UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;",
    "UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;",
    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIME"
    "STAMP);",
    "CREATE TABLE sbtest1( id SERIAL, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NU"
    "LL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id) )",
    "INSERT INTO sbtest1(k, c, pad) VALUES(7, 'x', 'x'),(8, 'y', 'z')",
    "CREATE INDEX k_1 ON sbtest1(k)",
    "CREATE TABLE sbtest2( id SERIAL, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NU"
    "LL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id) )",
    "INSERT INTO sbtest2(k, c, pad) VALUES(7, 'x', 'x'),(8, 'y', 'z')",
    "CREATE INDEX k_2 ON sbtest2(k)",
    "BEGIN",
    "COMMIT",
    "SELECT c FROM sbtest1 WHERE id=$1",
    "SELECT c FROM sbtest2 WHERE id=$1",
    "SELECT c FROM sbtest1 WHERE id BETWEEN $1 AND $2",
    "SELECT c FROM sbtest2 WHERE id BETWEEN $1 AND $2",
    "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN $1 AND $2",
    "SELECT SUM(k) FROM sbtest2 WHERE id BETWEEN $1 AND $2",
    "SELECT c FROM sbtest1 WHERE id BETWEEN $1 AND $2 ORDER BY c",
    "SELECT c FROM sbtest2 WHERE id BETWEEN $1 AND $2 ORDER BY c",
    "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN $1 AND $2 ORDER BY c",
    "SELECT DISTINCT c FROM sbtest2 WHERE id BETWEEN $1 AND $2 ORDER BY c",
    "UPDATE sbtest1 SET k=k+1 WHERE id=$1",
    "UPDATE sbtest2 SET k=k+1 WHERE id=$1",
    "UPDATE sbtest1 SET c=$1 WHERE id=$2",
    "UPDATE sbtest2 SET c=$1 WHERE id=$2",
    "DELETE FROM sbtest1 WHERE id=$1",
    "DELETE FROM sbtest2 WHERE id=$1",
    "INSERT INTO sbtest1 (id, k, c, pad) VALUES ($1, $2, $3, $4)",
    "INSERT INTO sbtest2 (id, k, c, pad) VALUES ($1, $2, $3, $4)",
    "UPDATE sbtest1 SET k=k+7 WHERE id=$1",
    "ROLLBACK",
    "SELECT c FROM sbtest1 WHERE id=7",
    "SELECT c FROM sbtest1 WHERE id BETWEEN 7 AND 7",
    "SELECT SUM(k) FROM sbtest2 WHERE id BETWEEN 7 AND 7",
    "SELECT c FROM sbtest1 WHERE id BETWEEN 7 AND 7 ORDER BY c",
    "SELECT DISTINCT c FROM sbtest2 WHERE id BETWEEN 7 AND 7 ORDER BY c",
    "UPDATE sbtest2 SET k=k+7 WHERE id=7",
    "UPDATE sbtest2 SET c='x' WHERE id=7",
    "DELETE FROM sbtest2 WHERE id=7",
    "INSERT INTO sbtest2 (id, k, c, pad) VALUES (7, 7, 'x', 'x')",
    "INSERT INTO sbtest2 (k, c, pad) VALUES (7, 'x', 'x')",
    "INSERT INTO sbtest1 (k, c, pad) VALUES (7, 'x', 'x')",
    "DROP TABLE IF EXISTS sbtest1",
    "DROP TABLE IF EXISTS sbtest2",
    "SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind WHEN 'r' THEN 'table' WH"
    "EN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequ"
    "ence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned tab"
    "le' WHEN 'I' THEN 'partitioned index' END as \"Type\", pg_catalog.pg_get_userbyid(c.relowner) "
    "as \"Owner\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relna"
    "mespace LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r','p','v','m',"
    "'S','f','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'infor"
    "mation_schema' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;",
    "SELECT n.nspname as \"Schema\", c.relname as \"Name\", CASE c.relkind WHEN 'r' THEN 'table' WH"
    "EN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequ"
    "ence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned tab"
    "le' WHEN 'I' THEN 'partitioned index' END as \"Type\", pg_catalog.pg_get_userbyid(c.relowner) "
    "as \"Owner\" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relna"
    "mespace LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r','p','') AND "
    "n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema' A"
    "ND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2;",
    "SELECT d.datname as \"Name\", pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\", pg_catalog.pg"
    "_encoding_to_char(d.encoding) as \"Encoding\", d.datcollate as \"Collate\", d.datctype as \"Ct"
    "ype\", d.daticulocale as \"ICU Locale\", CASE d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' T"
    "HEN 'icu' END AS \"Locale Provider\", pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access"
    " privileges\" FROM pg_catalog.pg_database d ORDER BY 1;",
    "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespac"
    "e n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(pgbench_accounts)$' CO"
    "LLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3;",
    "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurit"
    "y, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHE"
    "N c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpers"
    "istence, c.relreplident, am.amname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc"
    " ON (c.reltoastrelid = tc.oid) LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) WHERE c.oid"
    " = '16502';",
    "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT pg_catalog.pg_get_e"
    "xpr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d."
    "adnum = a.attnum AND a.atthasdef), a.attnotnull, (SELECT c.collname FROM pg_catalog.pg_collati"
    "on c, pg_catalog.pg_type t WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollat"
    "ion <> t.typcollation) AS attcollation, a.attidentity, a.attgenerated FROM pg_catalog.pg_attri"
    "bute a WHERE a.attrelid = '16502' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;",
    "SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.p"
    "g_get_indexdef(i.indexrelid, 0, true), pg_catalog.pg_get_constraintdef(con.oid, true), contype"
    ", condeferrable, condeferred, i.indisreplident, c2.reltablespace FROM pg_catalog.pg_class c, p"
    "g_catalog.pg_class c2, pg_catalog.pg_index i LEFT JOIN pg_catalog.pg_constraint con ON (conrel"
    "id = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x')) WHERE c.oid = '16502"
    "' AND c.oid = i.indrelid AND i.indexrelid = c2.oid ORDER BY i.indisprimary DESC, c2.relname;",
    "SELECT pol.polname, pol.polpermissive, CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalo"
    "g.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polroles)"
    " order by 1),',') END, pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), pg_catalog.pg_get_ex"
    "pr(pol.polwithcheck, pol.polrelid), CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSE"
    "RT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END AS cmd FROM pg_catalog.pg_policy pol WHE"
    "RE pol.polrelid = '16502' ORDER BY 1;",
    "SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace::pg_catalog.t"
    "ext AS nsp, stxname, pg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns, 'd' = any(stx"
    "kind) AS ndist_enabled, 'f' = any(stxkind) AS deps_enabled, 'm' = any(stxkind) AS mcv_enabled,"
    " stxstattarget FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '16502' ORDER BY nsp, stxname"
    ";",
    "SELECT pubname , NULL , NULL FROM pg_catalog.pg_publication p JOIN pg_catalog.pg_publication_n"
    "amespace pn ON p.oid = pn.pnpubid JOIN pg_catalog.pg_class pc ON pc.relnamespace = pn.pnnspid "
    "WHERE pc.oid ='16502' and pg_catalog.pg_relation_is_publishable('16502') UNION SELECT pubname "
    ", pg_get_expr(pr.prqual, c.oid) , (CASE WHEN pr.prattrs IS NOT NULL THEN (SELECT string_agg(at"
    "tname, ', ') FROM pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog."
    "int2[], 1)) s, pg_catalog.pg_attribute WHERE attrelid = pr.prrelid AND attnum = prattrs[s]) EL"
    "SE NULL END) FROM pg_catalog.pg_publication p JOIN pg_catalog.pg_publication_rel pr ON p.oid ="
    " pr.prpubid JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid WHERE pr.prrelid = '16502' UNION "
    "SELECT pubname , NULL , NULL FROM pg_catalog.pg_publication p WHERE p.puballtables AND pg_cata"
    "log.pg_relation_is_publishable('16502') ORDER BY 1;",
    "SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i WHERE c"
    ".oid = i.inhparent AND i.inhrelid = '16502' AND c.relkind != 'p' AND c.relkind != 'I' ORDER BY"
    " inhseqno;",
    "SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, pg_catalog.pg_get_expr(c.relpa"
    "rtbound, c.oid) FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i WHERE c.oid = i.inhrelid "
    "AND i.inhparent = '16502' ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT', "
    "c.oid::pg_catalog.regclass::pg_catalog.text;",
    "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n  CASE c.relkind WHEN 'r' THEN 'tab"
    "le' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN"
    " 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partition"
    "ed table' WHEN 'I' THEN 'partitioned index' END as \"Type\",\n  pg_catalog.pg_get_userbyid(c.r"
    "elowner) as \"Owner\"\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON"
    " n.oid = c.relnamespace\n     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\nWHERE c.relki"
    "nd IN ('r','p','v','m','S','f','')\n      AND n.nspname <> 'pg_catalog'\n      AND n.nspname !"
    "~ '^pg_toast'\n      AND n.nspname <> 'information_schema'\n  AND pg_catalog.pg_table_is_visib"
    "le(c.oid)\nORDER BY 1,2;",
    "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n  CASE c.relkind WHEN 'r' THEN 'tab"
    "le' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN"
    " 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partition"
    "ed table' WHEN 'I' THEN 'partitioned index' END as \"Type\",\n  pg_catalog.pg_get_userbyid(c.r"
    "elowner) as \"Owner\"\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON"
    " n.oid = c.relnamespace\n     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\nWHERE c.relki"
    "nd IN ('r','p','')\n      AND n.nspname <> 'pg_catalog'\n      AND n.nspname !~ '^pg_toast'\n "
    "     AND n.nspname <> 'information_schema'\n  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER"
    " BY 1,2;",
    "SELECT d.datname as \"Name\",\n       pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\",\n    "
    "   pg_catalog.pg_encoding_to_char(d.encoding) as \"Encoding\",\n       d.datcollate as \"Colla"
    "te\",\n       d.datctype as \"Ctype\",\n       d.daticulocale as \"ICU Locale\",\n       CASE "
    "d.datlocprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' END AS \"Locale Provider\",\n       "
    "pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access privileges\"\nFROM pg_catalog.pg_data"
    "base d\nORDER BY 1;",
    "SELECT c.oid,\n  n.nspname,\n  c.relname\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalo"
    "g.pg_namespace n ON n.oid = c.relnamespace\nWHERE c.relname OPERATOR(pg_catalog.~) '^(pgbench_"
    "accounts)$' COLLATE pg_catalog.default\n  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER BY "
    "2, 3;",
    "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurit"
    "y, c.relforcerowsecurity, false AS relhasoids, c.relispartition, '', c.reltablespace, CASE WHE"
    "N c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpers"
    "istence, c.relreplident, am.amname\nFROM pg_catalog.pg_class c\n LEFT JOIN pg_catalog.pg_class"
    " tc ON (c.reltoastrelid = tc.oid)\nLEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid)\nWHERE "
    "c.oid = '16502';",
    "SELECT a.attname,\n  pg_catalog.format_type(a.atttypid, a.atttypmod),\n  (SELECT pg_catalog.pg"
    "_get_expr(d.adbin, d.adrelid, true)\n   FROM pg_catalog.pg_attrdef d\n   WHERE d.adrelid = a.a"
    "ttrelid AND d.adnum = a.attnum AND a.atthasdef),\n  a.attnotnull,\n  (SELECT c.collname FROM p"
    "g_catalog.pg_collation c, pg_catalog.pg_type t\n   WHERE c.oid = a.attcollation AND t.oid = a."
    "atttypid AND a.attcollation <> t.typcollation) AS attcollation,\n  a.attidentity,\n  a.attgene"
    "rated\nFROM pg_catalog.pg_attribute a\nWHERE a.attrelid = '16502' AND a.attnum > 0 AND NOT a.a"
    "ttisdropped\nORDER BY a.attnum;",
    "SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.p"
    "g_get_indexdef(i.indexrelid, 0, true),\n  pg_catalog.pg_get_constraintdef(con.oid, true), cont"
    "ype, condeferrable, condeferred, i.indisreplident, c2.reltablespace\nFROM pg_catalog.pg_class "
    "c, pg_catalog.pg_class c2, pg_catalog.pg_index i\n  LEFT JOIN pg_catalog.pg_constraint con ON "
    "(conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x'))\nWHERE c.oid "
    "= '16502' AND c.oid = i.indrelid AND i.indexrelid = c2.oid\nORDER BY i.indisprimary DESC, c2.r"
    "elname;",
    "SELECT pol.polname, pol.polpermissive,\n  CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_cat"
    "alog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polrol"
    "es) order by 1),',') END,\n  pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),\n  pg_catalog."
    "pg_get_expr(pol.polwithcheck, pol.polrelid),\n  CASE pol.polcmd\n    WHEN 'r' THEN 'SELECT'\n "
    "   WHEN 'a' THEN 'INSERT'\n    WHEN 'w' THEN 'UPDATE'\n    WHEN 'd' THEN 'DELETE'\n    END AS "
    "cmd\nFROM pg_catalog.pg_policy pol\nWHERE pol.polrelid = '16502' ORDER BY 1;",
    "SELECT oid, stxrelid::pg_catalog.regclass, stxnamespace::pg_catalog.regnamespace::pg_catalog.t"
    "ext AS nsp, stxname,\npg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns,\n  'd' = any"
    "(stxkind) AS ndist_enabled,\n  'f' = any(stxkind) AS deps_enabled,\n  'm' = any(stxkind) AS mc"
    "v_enabled,\nstxstattarget\nFROM pg_catalog.pg_statistic_ext\nWHERE stxrelid = '16502'\nORDER B"
    "Y nsp, stxname;",
    "SELECT pubname\n     , NULL\n     , NULL\nFROM pg_catalog.pg_publication p\n     JOIN pg_catal"
    "og.pg_publication_namespace pn ON p.oid = pn.pnpubid\n     JOIN pg_catalog.pg_class pc ON pc.r"
    "elnamespace = pn.pnnspid\nWHERE pc.oid ='16502' and pg_catalog.pg_relation_is_publishable('165"
    "02')\nUNION\nSELECT pubname\n     , pg_get_expr(pr.prqual, c.oid)\n     , (CASE WHEN pr.prattr"
    "s IS NOT NULL THEN\n         (SELECT string_agg(attname, ', ')\n           FROM pg_catalog.gen"
    "erate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s,\n                "
    "pg_catalog.pg_attribute\n          WHERE attrelid = pr.prrelid AND attnum = prattrs[s])\n     "
    "   ELSE NULL END) FROM pg_catalog.pg_publication p\n     JOIN pg_catalog.pg_publication_rel pr"
    " ON p.oid = pr.prpubid\n     JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid\nWHERE pr.prreli"
    "d = '16502'\nUNION\nSELECT pubname\n     , NULL\n     , NULL\nFROM pg_catalog.pg_publication p"
    "\nWHERE p.puballtables AND pg_catalog.pg_relation_is_publishable('16502')\nORDER BY 1;",
    "SELECT c.oid::pg_catalog.regclass\nFROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\nWHERE"
    " c.oid = i.inhparent AND i.inhrelid = '16502'\n  AND c.relkind != 'p' AND c.relkind != 'I'\nOR"
    "DER BY inhseqno;",
    "SELECT c.oid::pg_catalog.regclass, c.relkind, inhdetachpending, pg_catalog.pg_get_expr(c.relpa"
    "rtbound, c.oid)\nFROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\nWHERE c.oid = i.inhreli"
    "d AND i.inhparent = '16502'\nORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT"
    "', c.oid::pg_catalog.regclass::pg_catalog.text;",
    "create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with ("
    "fillfactor=100)",
    "CREATE TABLE sbtest1(\n  id SERIAL,\n  k INTEGER DEFAULT '0' NOT NULL,\n  c CHAR(120) DEFAULT "
    "'' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n)  ",
};

/* Parse sql in a fresh arena; returns the status and fills printed (all statements). */
static mice_status parse_print(const char *sql, size_t len, mice_buf *printed, sql_error *err,
                               uint32_t *n_stmts)
{
    mice_arena *a = arena_create(NULL, "test", 0);
    sql_parse_result r;
    mice_status rc = sql_parse(a, sql, len, &r, err);
    buf_reset(printed);
    if (n_stmts) *n_stmts = r.n_stmts;
    for (uint32_t i = 0; rc == MICE_OK && i < r.n_stmts; i++) {
        if (i) buf_append_u8(printed, '\n');
        ast_print(r.stmts[i].stmt, printed);
    }
    buf_append_u8(printed, '\0');
    arena_destroy(a);
    return rc;
}

static void test_cases(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_error err;
        mice_status rc = parse_print(cases[i].sql, strlen(cases[i].sql), &b, &err, NULL);
        if (rc != MICE_OK) fail_msg("%s: %s %s", cases[i].sql, err.sqlstate, err.message);
        if (strcmp((const char *)b.p, cases[i].expected) != 0)
            fail_msg("%s\n  got:  %s\n  want: %s", cases[i].sql, (const char *)b.p,
                     cases[i].expected);
    }
    buf_deinit(&b);
}

static void test_clients_parse(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof client_sql / sizeof client_sql[0]; i++) {
        sql_error err;
        uint32_t n = 0;
        mice_status rc = parse_print(client_sql[i], strlen(client_sql[i]), &b, &err, &n);
        if (rc != MICE_OK) fail_msg("%s: %s %s", client_sql[i], err.sqlstate, err.message);
        assert_int_equal(n, 1);
    }
    buf_deinit(&b);
}

/* sysbench prepare: one ~512 KiB multi-row INSERT of 2702 rows. */
static void test_sysbench_bulk_insert(void **state)
{
    (void)state;
    enum { ROWS = 2702 };
    mice_buf sql, b;
    buf_init(&sql);
    buf_init(&b);
    buf_append_str(&sql, "INSERT INTO sbtest1(k, c, pad) VALUES");
    for (int i = 0; i < ROWS; i++)
        buf_printf(&sql,
                   "%s(%d, '83868641912-28773972837-60736120486-75162659906-27563526494-"
                   "20381887404-41576422241-93426793964-56405065102-33518432330', "
                   "'67847967377-48000963322-62604785301-91415491898-96926520291')",
                   i ? "," : "", 4990 + i);
    sql_error err;
    uint32_t n = 0;
    assert_int_equal(parse_print((const char *)sql.p, sql.n, &b, &err, &n), MICE_OK);
    assert_int_equal(n, 1);
    assert_non_null(strstr((const char *)b.p, "(list :args [7691 '83868641912-"));
    buf_deinit(&sql);
    buf_deinit(&b);
}

typedef struct error_case {
    const char *sql;
    mice_status code;
    const char *sqlstate;
    const char *message;
    int32_t position;
} error_case;

static const error_case errors[] = {
    {"SELEC 1", MICE_INVALID, "42601", "syntax error at or near \"SELEC\"", 1},
    {"SELECT * FROM t WHERE", MICE_INVALID, "42601", "syntax error at end of input", 22},
    {"SELECT 'abc", MICE_INVALID, "42601", "unterminated quoted string at or near \"'abc\"", 8},
    {"SELECT 1; SELEC 2", MICE_INVALID, "42601", "syntax error at or near \"SELEC\"", 11},
    {"SELECT a FROM t LIMIT 1,2", MICE_INVALID, "42601", "LIMIT #,# syntax is not supported", 17},
    {"SELECT 1e", MICE_INVALID, "42601", "trailing junk after numeric literal at or near \"1e\"",
     8},
    {"select \"\"", MICE_INVALID, "42601", "zero-length delimited identifier at or near \"\"\"\"",
     8},
    /* positions count characters, not bytes: the 2-byte e-acute counts once */
    {"SELECT '\xc3\xa9' FROM WHERE", MICE_INVALID, "42601", "syntax error at or near \"WHERE\"",
     17},
    {"CREATE ASSERTION a CHECK (true)", MICE_UNSUPPORTED, "0A000",
     "CREATE ASSERTION is not yet implemented", 0},
    {"MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", MICE_UNSUPPORTED, "0A000",
     "MERGE is not supported", 0},
    {"CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", MICE_UNSUPPORTED, "0A000",
     "CREATE FUNCTION is not supported", 0},
    {"SELECT xmlparse(document '<a/>')", MICE_UNSUPPORTED, "0A000",
     "XML expression is not supported", 8},
    {"SELECT 1, '\xc3\xa9', xmlparse(document '<a/>')", MICE_UNSUPPORTED, "0A000",
     "XML expression is not supported", 16},
    {"DO $$begin end$$", MICE_UNSUPPORTED, "0A000", "DO is not supported", 0},
    {"LOCK TABLE t", MICE_UNSUPPORTED, "0A000", "LOCK TABLE is not supported", 0},
    {"CALL p()", MICE_UNSUPPORTED, "0A000", "CALL is not supported", 0},
    {"SELECT * FROM t TABLESAMPLE SYSTEM (10)", MICE_UNSUPPORTED, "0A000",
     "TABLESAMPLE is not supported", 29},
    {"DECLARE c CURSOR FOR SELECT 1", MICE_UNSUPPORTED, "0A000", "DECLARE CURSOR is not supported",
     0},
    {"FETCH c", MICE_UNSUPPORTED, "0A000", "FETCH is not supported", 0},
    {"CREATE EXTENSION x", MICE_UNSUPPORTED, "0A000", "CREATE EXTENSION is not supported", 0},
    {"CREATE TYPE e AS ENUM ('a')", MICE_UNSUPPORTED, "0A000",
     "CREATE TYPE ... AS ENUM is not supported", 0},
    {"COMMENT ON TABLE t IS 'x'", MICE_UNSUPPORTED, "0A000", "COMMENT is not supported", 0},
    {"UPDATE t SET a = 1 WHERE CURRENT OF c", MICE_UNSUPPORTED, "0A000",
     "WHERE CURRENT OF is not supported", 0},
    {"CREATE TABLE c (LIKE p)", MICE_UNSUPPORTED, "0A000",
     "CREATE TABLE ... (LIKE ...) is not supported", 0},
    {"WITH RECURSIVE r AS (SELECT 1) SEARCH DEPTH FIRST BY a SET o SELECT 1", MICE_UNSUPPORTED,
     "0A000", "SEARCH/CYCLE is not supported", 16},
    {"DROP FUNCTION f(int)", MICE_UNSUPPORTED, "0A000", "DROP of this object kind is not supported",
     0},
    {"ALTER TABLE t CLUSTER ON i", MICE_UNSUPPORTED, "0A000",
     "this ALTER TABLE action is not supported", 0},
    {"CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1)", MICE_UNSUPPORTED, "0A000",
     "CREATE TABLE ... PARTITION OF is not supported", 0},
    {"CREATE TRIGGER t AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()", MICE_UNSUPPORTED,
     "0A000", "CREATE TRIGGER is not supported", 0},
    {"CREATE AGGREGATE a (int) (sfunc = f, stype = int)", MICE_UNSUPPORTED, "0A000",
     "DefineStmt is not supported", 0},
    {"SELECT 1; CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", MICE_UNSUPPORTED,
     "0A000", "CREATE FUNCTION is not supported", 0},
};

static void test_errors(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        const error_case *e = &errors[i];
        sql_error err;
        mice_status rc = parse_print(e->sql, strlen(e->sql), &b, &err, NULL);
        if (rc != e->code || strcmp(err.sqlstate, e->sqlstate) || strcmp(err.message, e->message) ||
            err.position != e->position)
            fail_msg("%s: got %s %s \"%s\" at %d", e->sql, mice_status_name(rc), err.sqlstate,
                     err.message, err.position);
    }
    buf_deinit(&b);
}

static void test_nul_byte(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    sql_error err;
    static const char sql[] = "SELECT 1\0; DROP TABLE t";
    assert_int_equal(parse_print(sql, sizeof sql - 1, &b, &err, NULL), MICE_INVALID);
    assert_string_equal(err.sqlstate, "22021");
    /* len, not a terminator, bounds the text */
    uint32_t n = 0;
    assert_int_equal(parse_print("SELECT 1; garbage", 9, &b, &err, &n), MICE_OK);
    assert_int_equal(n, 1);
    buf_deinit(&b);
}

static void test_empty(void **state)
{
    (void)state;
    static const char *const empties[] = {"", ";", " ; ;\n", "-- only a comment", "/* c */"};
    mice_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        sql_error err;
        uint32_t n = 99;
        assert_int_equal(parse_print(empties[i], strlen(empties[i]), &b, &err, &n), MICE_OK);
        assert_int_equal(n, 0);
    }
    buf_deinit(&b);
}

static void test_statement_spans(void **state)
{
    (void)state;
    static const char sql[] = "  BEGIN;\n SELECT 'a;b' ; ; COMMIT  ";
    mice_arena *a = arena_create(NULL, "test", 0);
    sql_parse_result r;
    sql_error err;
    assert_int_equal(sql_parse(a, sql, strlen(sql), &r, &err), MICE_OK);
    assert_int_equal(r.n_stmts, 3);
    static const char *const want[] = {"BEGIN", "SELECT 'a;b'", "COMMIT"};
    static const ast_kind kinds[] = {AST_TRANSACTION, AST_SELECT, AST_TRANSACTION};
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(r.stmts[i].len, strlen(want[i]));
        assert_memory_equal(sql + r.stmts[i].offset, want[i], r.stmts[i].len);
        assert_int_equal(r.stmts[i].stmt->kind, kinds[i]);
        assert_int_equal(r.stmts[i].stmt->loc, (int32_t)r.stmts[i].offset);
    }
    assert_int_equal(r.stmts[2].stmt->u.transaction.tk, AST_TXN_COMMIT);
    arena_destroy(a);
}

static void test_locations(void **state)
{
    (void)state;
    static const char sql[] = "SELECT a + 1 AS x FROM s.t WHERE b = $1";
    mice_arena *a = arena_create(NULL, "test", 0);
    sql_parse_result r;
    sql_error err;
    assert_int_equal(sql_parse(a, sql, strlen(sql), &r, &err), MICE_OK);
    mice_buf b;
    buf_init(&b);
    ast_print_locations(r.stmts[0].stmt, &b);
    buf_append_u8(&b, '\0');
    assert_string_equal(
        (const char *)b.p,
        "(select@0 :targets [(target@7 :name x :val (op@9 :name + :l (col@7 :names a) "
        ":r (const@11 :ck int)))] :from [(table@23 :schema s :rel t)] :where (op@35 "
        ":name = :l (col@33 :names b) :r (param@37 :number 1)))");
    buf_deinit(&b);
    arena_destroy(a);
}

/* The binder reads payloads directly: spot-check the fields behind the printer. */
static void test_payloads(void **state)
{
    (void)state;
    static const char sql[] =
        "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = 12.50";
    mice_arena *a = arena_create(NULL, "test", 0);
    sql_parse_result r;
    sql_error err;
    assert_int_equal(sql_parse(a, sql, strlen(sql), &r, &err), MICE_OK);
    const ast_node *u = r.stmts[0].stmt;
    assert_int_equal(u->kind, AST_UPDATE);
    assert_string_equal(u->u.update.table->u.range_var.rel, "pgbench_accounts");
    assert_int_equal(u->u.update.set.n, 1);
    const ast_node *set = u->u.update.set.items[0];
    assert_string_equal(set->u.set_clause.cols.items[0]->u.res_target.name, "abalance");
    const ast_node *plus = set->u.set_clause.value;
    assert_int_equal(plus->kind, AST_OP);
    assert_int_equal(plus->u.op.name.n, 1);
    assert_string_equal(plus->u.op.name.v[0], "+");
    assert_int_equal(plus->u.op.r->u.param.number, 1);
    const ast_node *k = u->u.update.where->u.op.r;
    assert_int_equal(k->u.konst.ck, AST_CONST_NUMERIC);
    assert_string_equal(k->u.konst.text, "12.50"); /* exact digits, trailing zero kept */
    arena_destroy(a);
}

/* Every allocation the parser makes may fail: walk the budget up from almost nothing; each
 * attempt either succeeds or fails cleanly with 53200. */
static void test_arena_budget(void **state)
{
    (void)state;
    static const char sql[] = "WITH x AS (SELECT 1) SELECT a, count(*) FILTER (WHERE b > 0) FROM t "
                              "JOIN u USING (id) WHERE c IN (1, 2, 3) GROUP BY a ORDER BY 2 DESC "
                              "LIMIT 5";
    bool succeeded = false;
    for (size_t budget = 1; budget <= (1u << 20) && !succeeded; budget += 256) {
        mice_arena *a = arena_create(NULL, "test", budget);
        sql_parse_result r;
        sql_error err;
        mice_status rc = sql_parse(a, sql, strlen(sql), &r, &err);
        if (rc == MICE_OK) {
            succeeded = true;
            assert_int_equal(r.n_stmts, 1);
        } else {
            assert_int_equal(rc, MICE_NOMEM);
            assert_string_equal(err.sqlstate, "53200");
            assert_int_equal(r.n_stmts, 0);
        }
        arena_destroy(a);
    }
    assert_true(succeeded);
}

/* prefix + n * unit + middle + n * suffix, malloc'd. */
static char *build(const char *prefix, const char *unit, size_t n, const char *middle,
                   const char *suffix)
{
    mice_buf b;
    buf_init(&b);
    buf_append_str(&b, prefix);
    for (size_t i = 0; i < n; i++)
        buf_append_str(&b, unit);
    buf_append_str(&b, middle);
    for (size_t i = 0; i < n; i++)
        buf_append_str(&b, suffix);
    buf_append_u8(&b, '\0');
    return (char *)buf_steal(&b, NULL);
}

typedef struct deep_case {
    const char *prefix, *unit, *middle, *suffix;
    size_t n;
    bool may_succeed;
} deep_case;

/* Worker threads may have small stacks: the parser promises to fit in 1 MiB (more room
 * under sanitizers, whose frames are larger). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
enum { PARSE_STACK_BYTES = 8u << 20 };
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
enum { PARSE_STACK_BYTES = 8u << 20 };
#else
enum { PARSE_STACK_BYTES = 1u << 20 };
#endif
#else
enum { PARSE_STACK_BYTES = 1u << 20 };
#endif

typedef struct deep_run {
    const char *sql;
    mice_status rc;
    sql_error err;
} deep_run;

static void *deep_thread(void *p)
{
    deep_run *d = p;
    mice_buf b;
    buf_init(&b);
    d->rc = parse_print(d->sql, strlen(d->sql), &b, &d->err, NULL);
    buf_deinit(&b);
    return NULL;
}

/* Deep or long input: success or a clean error, never a crash. 54001 for chains and
 * nesting past the limit; PostgreSQL's grammar itself stops at 10000 open parentheses.
 * Each runs on a thread with a PARSE_STACK_BYTES stack. */
static void test_deep_input(void **state)
{
    (void)state;
    static const deep_case deep[] = {
        {"SELECT ", "(", "1", ")", 400, true}, /* parentheses alone make no nodes */
        {"SELECT ", "(", "1", ")", 1000, false},
        {"SELECT ", "(", "1", ")", 100000, false},
        {"SELECT 1", "+1", "", "", 300, true},
        {"SELECT 1", "+1", "", "", 10000, false},
        {"SELECT 1", "+1", "", "", 200000, false},
        {"SELECT 1", "::text", "", "", 20000, false},
        {"SELECT ", "NOT ", "true", "", 10000, false},
        {"SELECT ", "- ", "1", "", 50000, false},
        {"SELECT ", "(SELECT ", "1", ")", 5000, false},
        {"SELECT ", "(SELECT ", "1", ")", 150, true},
        {"SELECT ", "(SELECT ", "1", ")", 300, false}, /* passes the pre-scan, not the decoder */
        {"SELECT ", "f(", "1", ")", 3000, false},
        {"SELECT ", "ARRAY[", "1", "]", 3000, false},
        {"SELECT * FROM t WHERE ", "a = 1 OR ", "true", "", 20000, true}, /* OR chains flatten */
        {"SELECT 1 WHERE ", "a AND (", "true", ")", 3000, false},
        {"SELECT 1", " UNION SELECT 1", "", "", 5000, false},
        {"SELECT 1", " UNION SELECT 1", "", "", 900, true},
        {"SELECT * FROM t", " JOIN t ON true", "", "", 5000, false},
        {"SELECT * FROM t", " JOIN t ON true", "", "", 400, true},
        {"SELECT ", "CASE WHEN true THEN ", "1", " END", 2000, false},
        {"SELECT ", "CASE WHEN true THEN ", "1", " END", 200, true},
    };
    pthread_attr_t attr;
    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, PARSE_STACK_BYTES), 0);
    for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++) {
        const deep_case *d = &deep[i];
        deep_run run = {build(d->prefix, d->unit, d->n, d->middle, d->suffix), MICE_OK, {0}};
        pthread_t th;
        assert_int_equal(pthread_create(&th, &attr, deep_thread, &run), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        if (run.rc != MICE_OK) {
            bool limit = run.rc == MICE_LIMIT && !strcmp(run.err.sqlstate, "54001");
            bool grammar = run.rc == MICE_INVALID && !strcmp(run.err.sqlstate, "42601");
            if ((!limit && !grammar) || d->may_succeed)
                fail_msg("case %zu: %s %s", i, run.err.sqlstate, run.err.message);
        } else if (!d->may_succeed) {
            fail_msg("case %zu unexpectedly parsed", i);
        }
        free((char *)run.sql);
    }
    pthread_attr_destroy(&attr);
}

/* Pre-scan false positives would reject real queries: operators inside strings, quoted
 * identifiers, dollar quotes and comments do not count. */
static void test_prescan_skips_literals(void **state)
{
    (void)state;
    static const char *const wraps[][2] = {
        {"SELECT '", "'"},     {"SELECT E'\\'", "'"},   {"SELECT 1 AS \"", "\""},
        {"SELECT $q$", "$q$"}, {"SELECT 1 /* ", " */"}, {"SELECT 1 -- ", "\n"},
        {"SELECT $$", "$$"},
    };
    mice_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof wraps / sizeof wraps[0]; i++) {
        char *sql = build(wraps[i][0], "+-*<>=~!@#%^&|`?:(", 5000, wraps[i][1], "");
        sql_error err;
        mice_status rc = parse_print(sql, strlen(sql), &b, &err, NULL);
        if (rc) fail_msg("wrap %zu: %s %s", i, err.sqlstate, err.message);
        free(sql);
    }
    buf_deinit(&b);
}

enum { THREADS = 4, THREAD_ROUNDS = 400 };

typedef struct thread_arg {
    int failures;
} thread_arg;

static void *parse_thread(void *p)
{
    thread_arg *t = p;
    mice_buf b;
    buf_init(&b);
    for (int round = 0; round < THREAD_ROUNDS; round++) {
        size_t i = (size_t)round % (sizeof cases / sizeof cases[0]);
        sql_error err;
        mice_status rc = parse_print(cases[i].sql, strlen(cases[i].sql), &b, &err, NULL);
        if (rc != MICE_OK || strcmp((const char *)b.p, cases[i].expected)) t->failures++;
        rc = parse_print("SELEC 1", 7, &b, &err, NULL); /* error paths too */
        if (rc != MICE_INVALID || err.position != 1) t->failures++;
    }
    buf_deinit(&b);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t th[THREADS];
    thread_arg args[THREADS];
    memset(args, 0, sizeof args);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, parse_thread, &args[i]), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
}

static void test_printer_edges(void **state)
{
    (void)state;
    mice_arena *a = arena_create(NULL, "test", 0);
    mice_buf b;
    buf_init(&b);
    ast_print(NULL, &b);
    ast_node *k = ast_new(a, AST_CONST, -1);
    k->u.konst.ck = AST_CONST_STRING;
    k->u.konst.text = "a'b\\c\n\x01";
    buf_append_u8(&b, ' ');
    ast_print(k, &b);
    ast_node *q = ast_new(a, AST_QNAME, 3);
    for (int i = 0; i < 9; i++)
        assert_int_equal(ast_names_push(a, &q->u.qname.names, i % 2 ? "x y" : "z"), MICE_OK);
    buf_append_u8(&b, ' ');
    ast_print(q, &b);
    buf_append_u8(&b, '\0');
    assert_string_equal((const char *)b.p, "nil 'a\\'b\\\\c\\n\\x01' (name :names "
                                           "z.\"x y\".z.\"x y\".z.\"x y\".z.\"x y\".z)");
    assert_string_equal(ast_kind_name(AST_SELECT), "select");
    assert_string_equal(ast_kind_name(AST_KIND_COUNT), "?");
    buf_deinit(&b);
    arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_clients_parse),
        cmocka_unit_test(test_sysbench_bulk_insert),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_statement_spans),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_payloads),
        cmocka_unit_test(test_arena_budget),
        cmocka_unit_test(test_deep_input),
        cmocka_unit_test(test_prescan_skips_literals),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_printer_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
