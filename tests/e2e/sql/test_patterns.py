"""LIKE ... ESCAPE, ILIKE, SIMILAR TO, regular expressions and bytea functions, end to end,
exactly as PostgreSQL 15 (expected texts captured from it, checked with
MICE_SQL_TARGET=postgres)."""
import pytest

from helpers import expect_error, rows, text_of

EXPRESSIONS = [
    ("'a_b' like 'a#_b' escape '#'", 't'),
    ("'axb' like 'a#_b' escape '#'", 'f'),
    ("'a%b' like 'a!%b' escape '!'", 't'),
    ("'A%B' ilike 'a!%b' escape '!'", 't'),
    ("'a%b' not like 'a!%b' escape '!'", 'f'),
    ("'a%b' not ilike 'A!%B' escape '!'", 'f'),
    ("'ab' like 'a_' escape ''", 't'),
    ("'a\\b' like 'a\\\\b'", 't'),
    ("'a_b' like 'a__b' escape '_'", 't'),
    ("'abc' similar to 'a%'", 't'),
    ("'abc' similar to 'a'", 'f'),
    ("'abc' similar to '(a|b)%'", 't'),
    ("'ab' similar to 'a|b'", 'f'),
    ("'b' similar to 'a|b'", 't'),
    ("'aaa' similar to 'a*'", 't'),
    ("'a+' similar to 'a\\+'", 't'),
    ("'abc' similar to '[a-c]{3}'", 't'),
    ("'a_c' similar to 'a#_c' escape '#'", 't'),
    ("'abc' not similar to '%b%'", 'f'),
    ("'abc' not similar to 'x%' escape '#'", 't'),
    ("similar_to_escape('a(b)%_[x%]\\.')", '^(?:a(?:b).*.[x%]\\.)$'),
    ('similar_to_escape(\'a#"b#"c\', \'#\')', '^(?:a){1,1}?(b){1,1}(?:c)$'),
    ('substring(\'foobar\' similar \'%#"o_b#"%\' escape \'#\')', 'oob'),
    ('substring(\'Thomas\' similar \'%#"o_a#"_\' escape \'#\')', 'oma'),
    ("substring('foobar' from 'o.b')", 'oob'),
    ("substring('foobar' from 'o(.)b')", 'o'),
    ("substring('Thomas' from '...$')", 'mas'),
    ("'abc' ~ '^a'", 't'),
    ("'abc' ~ 'B'", 'f'),
    ("'abc' ~* 'B'", 't'),
    ("'abc' !~ 'B'", 't'),
    ("'abc' !~* 'B'", 'f'),
    ("'a1' ~ '\\d'", 't'),
    ("'x y' ~ '\\s'", 't'),
    ("'x_y' ~ '^\\w+$'", 't'),
    ("'foo bar' ~ '\\mbar\\M'", 't'),
    ("'abab' ~ '^(ab)\\1$'", 't'),
    ("'ABC' ~ '(?i)abc'", 't'),
    ("regexp_replace('Thomas', '.[mN]a.', 'M')", 'ThM'),
    ("regexp_replace('foobarbaz', 'b(..)', 'X\\1Y', 'g')", 'fooXarYXazY'),
    ("regexp_replace('2024-01-31', '(\\d+)-(\\d+)-(\\d+)', '\\3/\\2/\\1')", '31/01/2024'),
    ("regexp_replace('abc', 'B', 'x', 'i')", 'axc'),
    ("regexp_like('abc', 'B', 'i')", 't'),
    ("regexp_count('a,b,,c', ',')", '3'),
    ("regexp_substr('abcabc', 'b.', 1, 2)", 'bc'),
    ("regexp_instr('abcabc', 'c', 1, 2)", '6'),
    ("'\\x01'::bytea || '\\x0203'::bytea", '\\x010203'),
    ("'a'::bytea || 'b'::bytea", '\\x6162'),
    ("'\\x01'::bytea || 'abc'", '\\x01616263'),
    ("length('\\x0102'::bytea || '\\x03'::bytea)", '3'),
    ("position('\\x02'::bytea in '\\x010203'::bytea)", '2'),
    ("get_byte('\\x0102'::bytea, 1)", '2'),
    ("set_byte('\\x0102'::bytea, 0, 255)", '\\xff02'),
    ("get_bit('\\x0102'::bytea, 9)", '1'),
    ("set_bit('\\x00'::bytea, 7, 1)", '\\x80'),
    ("btrim('\\x0001020300'::bytea, '\\x00'::bytea)", '\\x010203'),
    ("overlay('\\x010203'::bytea placing '\\xff'::bytea from 2 for 1)", '\\x01ff03'),
    ("substring('\\x01020304'::bytea from 2 for 2)", '\\x0203'),
    ("encode('\\x0102'::bytea || '\\xff'::bytea, 'base64')", 'AQL/'),
    ("md5('a'::bytea || 'b'::bytea)", '187ef4436122d1cc2f40dc2b92f0eba0'),
    ("sha256('abc')", '\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'),
    ("encode(sha512('abc'), 'hex')", 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'),
    ("sha224(''::bytea)", '\\xd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f'),
    ("sha384('\\x00'::bytea)", '\\xbec021b4f368e3069134e012c2b4307083d3a9bdd206e24e5f0d86e13d6636655933ec2b413465966817a9c208a11717'),
]


@pytest.mark.parametrize("expr,want", EXPRESSIONS, ids=[e for e, _ in EXPRESSIONS])
def test_text_output(conn, expr, want):
    assert text_of(conn, "select " + expr) == [want]


ERRORS = [
    ("select 'ab' like 'a' escape 'xy'", "22025", "invalid escape string"),
    ("select 'a' similar to 'a' escape '##'", "22025", "invalid escape string"),
    ("select 'a' ~ '('", "2201B", "invalid regular expression: parentheses () not balanced"),
    ("select regexp_replace('a', 'a', 'b', 'z')", "22023", 'invalid regular expression option: "z"'),
    ("select regexp_like('a', 'a', 'g')", "22023",
     'regexp_like() does not support the "global" option'),
    ("select get_byte('\\x0102'::bytea, 2)", "2202E", "index 2 out of valid range, 0..1"),
    ("select set_bit('\\x00'::bytea, 0, 2)", "22023", "new bit must be 0 or 1"),
    ("select 1 || 2", "42883", "operator does not exist: integer || integer"),
]


@pytest.mark.parametrize("sql,state,message", ERRORS, ids=[s for s, _, _ in ERRORS])
def test_errors(conn, sql, state, message):
    e = expect_error(conn, sql, state)
    assert e.diag.message_primary == message


def test_patterns_over_a_table(conn):
    conn.execute("create table pat_t (id int primary key, s text, b bytea)")
    conn.execute("insert into pat_t values (1, 'apple', '\\x01'), (2, 'Banana', '\\x0203'), "
                 "(3, 'cherry_pie', ''), (4, '50% off', null), (5, null, '\\xff')")
    assert rows(conn, "select id from pat_t where s ~* '^[ab]' order by id") == [(1,), (2,)]
    assert rows(conn, "select id from pat_t where s !~ 'a' order by id") == [(3,), (4,)]
    assert rows(conn, "select id from pat_t where s similar to '(a|c)%' order by id") == \
        [(1,), (3,)]
    assert rows(conn, "select id from pat_t where s like '%!_%' escape '!' order by id") == [(3,)]
    assert rows(conn, "select id from pat_t where s like '%#%%' escape '#' order by id") == [(4,)]
    assert rows(conn, "select id from pat_t where s not ilike 'b%' order by id") == \
        [(1,), (3,), (4,)]
    assert rows(conn, "select id, regexp_replace(s, '[aeiou]', '*', 'g') from pat_t "
                      "where id < 3 order by id") == [(1, "*ppl*"), (2, "B*n*n*")]
    assert rows(conn, "select id, b || '\\xee'::bytea, length(b || b) from pat_t "
                      "order by id") == [(1, b"\x01\xee", 2), (2, b"\x02\x03\xee", 4),
                                         (3, b"\xee", 0), (4, None, None), (5, b"\xff\xee", 2)]
    # a bytea parameter meets an unknown literal: bytea || bytea, as PostgreSQL
    assert rows(conn, "select %s::bytea || '\\x00'", (b"ab",)) == [(b"ab\x00",)]
