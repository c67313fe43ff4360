"""psql 15 against the target (issue item 7): output exactly as psql prints it (aligned,
unaligned, expanded, NULLs, command tags), several statements in one -c, script files,
ON_ERROR_STOP and exit codes, error lines with LINE and caret, \\set variables."""
import os
import textwrap


def test_aligned_output(target):
    r = target.psql("-c", "select 1 as a, 'hello' as greeting, null::int as n, 2.50 as x",
                    check=True)
    assert r.stdout == textwrap.dedent("""\
         a | greeting | n |  x   
        ---+----------+---+------
         1 | hello    |   | 2.50
        (1 row)

        """)


def test_aligned_output_several_rows_and_alignment(target):
    r = target.psql("-c", "select * from (values (1, 'a'), (22, 'bbb'), (-333, null)) "
                    "as v(num, txt) order by num", check=True)
    assert r.stdout == textwrap.dedent("""\
         num  | txt 
        ------+-----
         -333 | 
            1 | a
           22 | bbb
        (3 rows)

        """)


def test_empty_result_and_command_tags(target):
    r = target.psql("-c", "create table psql_tags (id int primary key, t text)", check=True)
    assert r.stdout == "CREATE TABLE\n"
    r = target.psql("-c", "insert into psql_tags values (1, 'a'), (2, 'b')", check=True)
    assert r.stdout == "INSERT 0 2\n"
    r = target.psql("-c", "select * from psql_tags where false", check=True)
    assert r.stdout == " id | t \n----+---\n(0 rows)\n\n"
    r = target.psql("-c", "update psql_tags set t = 'z'", check=True)
    assert r.stdout == "UPDATE 2\n"
    r = target.psql("-c", "delete from psql_tags where id = 1 returning *", check=True)
    assert r.stdout == " id | t \n----+---\n  1 | z\n(1 row)\n\nDELETE 1\n"


def test_unaligned_tuples_only(target):
    r = target.psql("-A", "-t", "-c", "select 1, 'two', null, true, 1.5::float8, "
                    "'2024-01-02'::date", check=True)
    assert r.stdout == "1|two||t|1.5|2024-01-02\n"
    r = target.psql("-A", "-t", "-F", ",", "-c", "select g, g * g from generate_series(1, 3) g",
                    check=True)
    assert r.stdout == "1,1\n2,4\n3,9\n"


def test_expanded_and_null_display(target):
    r = target.psql("-P", "null=(null)", "-x", "-c", "select 1 as id, null as missing",
                    check=True)
    assert r.stdout == "-[ RECORD 1 ]---\nid      | 1\nmissing | (null)\n\n"


def test_multiple_statements_in_one_c(target):
    # psql 15 sends one Query message and prints every result.
    r = target.psql("-A", "-t", "-c", "select 1; select 2, 3; select 'x'", check=True)
    assert r.stdout == "1\n2|3\nx\n"


def test_c_error_exit_code_and_stderr(target):
    r = target.psql("-c", "select 1/0")
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == "ERROR:  division by zero\n"
    r = target.psql("-c", "select * from psql_nosuch")
    assert r.returncode == 1
    assert r.stderr == ('ERROR:  relation "psql_nosuch" does not exist\n'
                        "LINE 1: select * from psql_nosuch\n"
                        "                      ^\n")


def write_script(tmp_path, body):
    p = tmp_path / "script.sql"
    p.write_text(textwrap.dedent(body))
    os.chmod(tmp_path, 0o755)
    return str(p)


SCRIPT = """\
    create table psql_script (id int primary key, v text);
    insert into psql_script values (1, 'one');
    select 1/0;
    insert into psql_script values (2, 'two');
    select id, v from psql_script order by id;
    """


def test_script_continues_after_error_by_default(target, tmp_path):
    path = write_script(tmp_path, SCRIPT.replace("psql_script", "psql_script_a"))
    r = target.psql("-f", path)
    assert r.returncode == 0
    assert r.stdout == ("CREATE TABLE\nINSERT 0 1\nINSERT 0 1\n id |  v  \n----+-----\n"
                        "  1 | one\n  2 | two\n(2 rows)\n\n")
    assert r.stderr == f"psql:{path}:3: ERROR:  division by zero\n"


def test_script_on_error_stop(target, tmp_path):
    path = write_script(tmp_path, SCRIPT.replace("psql_script", "psql_script_b"))
    r = target.psql("-v", "ON_ERROR_STOP=1", "-f", path)
    assert r.returncode == 3
    assert r.stdout == "CREATE TABLE\nINSERT 0 1\n"
    assert r.stderr == f"psql:{path}:3: ERROR:  division by zero\n"
    r = target.psql("-A", "-t", "-c", "select count(*) from psql_script_b", check=True)
    assert r.stdout == "1\n"


def test_script_on_error_stop_set_inside_script(target, tmp_path):
    path = write_script(tmp_path, """\
        \\set ON_ERROR_STOP on
        select 'before';
        selec 'typo';
        select 'after';
        """)
    r = target.psql("-A", "-t", "-f", path)
    assert r.returncode == 3
    assert r.stdout == "before\n"
    assert r.stderr == (f'psql:{path}:3: ERROR:  syntax error at or near "selec"\n'
                        "LINE 1: selec 'typo';\n"
                        "        ^\n")


def test_single_transaction_script_rolls_back_on_error(target, tmp_path):
    target.psql("-c", "create table psql_single (id int primary key)", check=True)
    path = write_script(tmp_path, """\
        insert into psql_single values (1);
        insert into psql_single values (1);
        """)
    r = target.psql("-1", "-v", "ON_ERROR_STOP=1", "-f", path)
    assert r.returncode == 3
    assert "duplicate key value violates unique constraint" in r.stderr
    r = target.psql("-A", "-t", "-c", "select count(*) from psql_single", check=True)
    assert r.stdout == "0\n"


def test_echo_all_and_variables(target, tmp_path):
    path = write_script(tmp_path, """\
        \\set n 3
        select :n * 2 as six, :'n' as quoted;
        """)
    r = target.psql("-a", "-q", "-f", path, check=True)
    assert r.stdout == ("\\set n 3\nselect :n * 2 as six, :'n' as quoted;\n"
                        " six | quoted \n-----+--------\n   6 | 3\n(1 row)\n\n")


def test_stdin_script_with_transaction_blocks(target):
    sql = textwrap.dedent("""\
        create table psql_txn (id int primary key);
        begin;
        insert into psql_txn values (1);
        rollback;
        begin;
        insert into psql_txn values (2);
        commit;
        select id from psql_txn;
        """)
    r = target.psql("-q", "-A", "-t", input=sql, check=True)
    assert r.stdout == "2\n"
