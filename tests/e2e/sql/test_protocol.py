"""PostgreSQL protocol v3 as the server speaks it (issue item 2), tested with raw bytes
(sqltarget.PgWire) where the exact messages matter and with psycopg where a driver's view
is enough. Every expectation here was checked against PostgreSQL 15."""
import re
import struct
import threading
import time

import psycopg
import pytest

import sqltarget
from sqltarget import PgWire, errors_of, rows_of, types_of

INT4, INT8, TEXT = 23, 20, 25


def test_ssl_request_is_answered_n_then_startup_proceeds(target):
    with PgWire(target.host, target.port) as w:
        assert w.ssl_request() == b"N"
        msgs = w.startup()
        assert msgs[0].type == "R" and msgs[0].auth_code() == 0  # AuthenticationOk (trust)
        assert msgs[-1].ready_status() == "I"
        assert rows_of(w.simple("select 1")) == [[b"1"]]


def test_startup_sends_parameter_status_backend_key_and_ready(target):
    with target.wire() as w:
        kinds = types_of(w.startup_messages)
        # AuthenticationOk, then ParameterStatus*, BackendKeyData, ReadyForQuery(I).
        assert re.fullmatch(r"RS+KZ", kinds), kinds
        p = w.params
        assert re.match(r"^15\.\d+", p["server_version"]), p["server_version"]
        assert p["server_encoding"] == "UTF8"
        assert p["client_encoding"] == "UTF8"
        assert p["DateStyle"] == "ISO, MDY"
        assert p["integer_datetimes"] == "on"
        assert p["standard_conforming_strings"] == "on"
        assert p["TimeZone"]
        pid, key = w.backend_key
        assert pid != 0 or key != 0


def test_parameter_status_matches_show(conn):
    pg = conn.pgconn
    for name in ("server_version", "server_encoding", "client_encoding", "DateStyle",
                 "integer_datetimes", "standard_conforming_strings", "TimeZone"):
        shown = conn.execute(f"show {name}").fetchone()[0]
        assert pg.parameter_status(name.encode()).decode() == shown, name


def test_set_timezone_reports_parameter_status(target):
    with target.wire() as w:
        msgs = w.simple("set timezone = 'America/New_York'")
        # PostgreSQL sends CommandComplete, then ParameterStatus just before ReadyForQuery.
        assert sorted(types_of(msgs[:-1])) == ["C", "S"] and msgs[-1].type == "Z", msgs
        (ps,) = [m for m in msgs if m.type == "S"]
        assert ps.parameter_status() == ("TimeZone", "America/New_York")
        (cc,) = [m for m in msgs if m.type == "C"]
        assert cc.command_tag() == "SET"


def test_startup_to_unknown_database_is_fatal_3d000(target):
    with PgWire(target.host, target.port) as w:
        w.send_startup(database="no_such_db_xyz")
        msgs = w.read_until_closed()
        errs = errors_of(msgs)
        assert len(errs) == 1 and errs[0].fields["S"] == "FATAL", msgs
        assert errs[0].code == "3D000"


def test_unsupported_protocol_version_is_fatal_0a000(target):
    with PgWire(target.host, target.port) as w:
        w.send_startup(protocol=9 << 16)
        msgs = w.read_until_closed()
        assert [m.code for m in msgs] == ["0A000"], msgs


def test_cancel_request_cancels_a_running_query(target):
    with target.wire() as w:
        pid, key = w.backend_key
        t0 = time.monotonic()
        w.query("select pg_sleep(5)")
        time.sleep(0.5)
        with PgWire(target.host, target.port) as c:
            c.send_raw(struct.pack("!iiii", 16, sqltarget.CANCEL_REQUEST_CODE, pid, key))
            assert c.read_until_closed() == []  # no answer, just a close
        msgs = w.read_until("Z")
        elapsed = time.monotonic() - t0
        errs = errors_of(msgs)
        assert [e.code for e in errs] == ["57014"], msgs
        assert errs[0].fields["M"] == "canceling statement due to user request"
        assert msgs[-1].ready_status() == "I"
        assert elapsed < 4.5, elapsed
        assert rows_of(w.simple("select 2")) == [[b"2"]]


def test_cancel_request_with_wrong_key_is_ignored(target):
    with target.wire() as w:
        pid, key = w.backend_key
        with PgWire(target.host, target.port) as c:
            c.send_raw(struct.pack("!iiii", 16, sqltarget.CANCEL_REQUEST_CODE, pid, key ^ 0x5a5a))
            assert c.read_until_closed() == []
        msgs = w.simple("select pg_sleep(0.3), 7")
        assert not errors_of(msgs) and rows_of(msgs) == [[b"", b"7"]]


def test_psycopg_cancel(target, connect):
    c = connect(autocommit=True)
    timer = threading.Timer(0.5, c.cancel)
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(psycopg.errors.QueryCanceled) as ei:
            c.execute("select pg_sleep(5)")
    finally:
        timer.join(10)
    assert ei.value.sqlstate == "57014"
    assert time.monotonic() - t0 < 4.5
    assert c.execute("select 1").fetchone() == (1,)


def test_simple_query_runs_several_statements_in_one_message(target):
    with target.wire() as w:
        msgs = w.simple("select 1 as a; select 'x' as b, 2 as c; select 3 where false")
        assert types_of(msgs) == "TDCTDCTCZ", msgs
        assert [m.command_tag() for m in msgs if m.type == "C"] == ["SELECT 1", "SELECT 1",
                                                                    "SELECT 0"]
        assert rows_of(msgs) == [[b"1"], [b"x", b"2"]]
        assert [c["name"] for c in msgs[3].row_description()] == ["b", "c"]


def test_simple_query_error_stops_the_rest_and_rolls_back_the_implicit_transaction(target):
    with target.wire() as w:
        w.simple("create table proto_implicit (a int)")
        msgs = w.simple("insert into proto_implicit values (1); select 1/0; "
                        "insert into proto_implicit values (2)")
        assert types_of(msgs) == "CEZ", msgs
        assert msgs[0].command_tag() == "INSERT 0 1"
        assert msgs[1].code == "22012"
        assert msgs[-1].ready_status() == "I"
        # The statements of one Query message form one implicit transaction.
        assert rows_of(w.simple("select count(*) from proto_implicit")) == [[b"0"]]


def test_empty_query_and_command_tags(target):
    with target.wire() as w:
        assert types_of(w.simple("")) == "IZ"
        assert types_of(w.simple(";")) == "IZ"
        msgs = w.simple("create table proto_tags (a int); insert into proto_tags values (1),(2);"
                        "update proto_tags set a = a + 1; delete from proto_tags where a = 3;"
                        "select * from proto_tags; drop table proto_tags")
        tags = [m.command_tag() for m in msgs if m.type == "C"]
        assert tags == ["CREATE TABLE", "INSERT 0 2", "UPDATE 2", "DELETE 1", "SELECT 1",
                        "DROP TABLE"]


def test_ready_for_query_transaction_status(target):
    with target.wire() as w:
        assert w.simple("begin")[-1].ready_status() == "T"
        assert w.simple("select 1")[-1].ready_status() == "T"
        msgs = w.simple("select 1/0")
        assert msgs[0].code == "22012" and msgs[-1].ready_status() == "E"
        msgs = w.simple("select 1")
        assert msgs[0].code == "25P02" and msgs[-1].ready_status() == "E"
        msgs = w.simple("rollback")
        assert msgs[0].command_tag() == "ROLLBACK" and msgs[-1].ready_status() == "I"
        assert w.simple("begin; select 1")[-1].ready_status() == "T"
        assert w.simple("commit")[-1].ready_status() == "I"


def test_error_response_fields_and_position(target):
    with target.wire() as w:
        (e,) = errors_of(w.simple("selec 1"))
        assert e.fields["S"] == "ERROR"
        assert e.code == "42601"
        assert e.fields["M"] == 'syntax error at or near "selec"'
        assert e.fields["P"] == "1"
        (e,) = errors_of(w.simple("select * from proto_no_such_table"))
        assert e.code == "42P01" and e.fields["P"] == "15"
        assert e.fields["M"] == 'relation "proto_no_such_table" does not exist'
        (e,) = errors_of(w.simple("select 1, nosuchcol"))
        assert e.code == "42703" and e.fields["P"] == "11"
        assert e.fields["M"] == 'column "nosuchcol" does not exist'


def test_extended_unnamed_statement_parse_bind_describe_execute(target):
    with target.wire() as w:
        w.parse("", "select $1::int + 1 as x")
        w.bind("", "", ["41"])
        w.describe("P", "")
        w.execute("", 0)
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "12TDCZ", msgs
        (col,) = msgs[2].row_description()
        assert col["name"] == "x" and col["type_oid"] == INT4 and col["format"] == 0
        assert rows_of(msgs) == [[b"42"]]
        assert msgs[4].command_tag() == "SELECT 1"


def test_extended_parameter_type_inference_and_describe_statement(target):
    with target.wire() as w:
        w.simple("create table proto_infer (id int primary key, v text, n bigint)")
        w.parse("sel", "select v, n from proto_infer where id = $1")
        w.parse("ins", "insert into proto_infer values ($1, $2, $3)")
        w.describe("S", "sel")
        w.describe("S", "ins")
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "11tTtnZ", msgs
        assert msgs[2].parameter_description() == [INT4]
        cols = msgs[3].row_description()
        assert [(c["name"], c["type_oid"]) for c in cols] == [("v", TEXT), ("n", INT8)]
        assert msgs[4].parameter_description() == [INT4, TEXT, INT8]
        # Declared types win over inference (sysbench declares int8 for int4 columns).
        w.parse("ins8", "insert into proto_infer values ($1, $2, $3)", oids=[INT8, 1043, INT8])
        w.describe("S", "ins8")
        w.sync()
        msgs = w.read_until("Z")
        assert msgs[1].parameter_description() == [INT8, 1043, INT8]


def test_extended_named_statement_reused_and_closed(target):
    with target.wire() as w:
        w.simple("create table proto_named (id int primary key, v text)")
        w.parse("ins", "insert into proto_named values ($1, $2)")
        w.sync()
        assert types_of(w.read_until("Z")) == "1Z"
        for i in range(3):
            w.bind("", "ins", [str(i), f"v{i}"])
            w.execute()
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "2C2C2CZ", msgs
        assert {m.command_tag() for m in msgs if m.type == "C"} == {"INSERT 0 1"}
        # Reusing the name needs a Close first: 42P05 otherwise.
        w.parse("ins", "select 1")
        w.sync()
        (e,) = errors_of(w.read_until("Z"))
        assert e.code == "42P05"
        w.close_obj("S", "ins")
        w.sync()
        assert types_of(w.read_until("Z")) == "3Z"
        w.bind("", "ins", ["9", "x"])
        w.sync()
        (e,) = errors_of(w.read_until("Z"))
        assert e.code == "26000"
        # Closing something that does not exist is not an error.
        w.close_obj("S", "never_there")
        w.close_obj("P", "never_there")
        w.sync()
        assert types_of(w.read_until("Z")) == "33Z"
        assert rows_of(w.simple("select count(*) from proto_named")) == [[b"3"]]


def test_extended_named_portal_describe_and_close(target):
    with target.wire() as w:
        w.simple("begin")
        w.parse("q", "select g from (values (1),(2),(3)) as t(g) order by g")
        w.bind("p1", "q")
        w.bind("p2", "q")
        w.describe("P", "p1")
        w.execute("p1", 0)
        w.execute("p2", 1)
        w.close_obj("P", "p1")
        w.execute("p1", 0)  # closed: 34000
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "122TDDDCDs3EZ", msgs
        assert rows_of(msgs) == [[b"1"], [b"2"], [b"3"], [b"1"]]
        assert msgs[-2].code == "34000"
        assert msgs[-1].ready_status() == "E"
        w.simple("rollback")


def test_execute_row_limit_portal_suspended(target):
    with target.wire() as w:
        w.parse("", "select g from (values (1),(2),(3),(4),(5)) as t(g) order by g")
        w.bind("", "")
        w.execute("", 2)
        w.execute("", 2)
        w.execute("", 2)
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "12DDsDDsDCZ", msgs
        assert rows_of(msgs) == [[b"1"], [b"2"], [b"3"], [b"4"], [b"5"]]
        # The tag counts the rows of the last Execute only.
        assert msgs[-2].command_tag() == "SELECT 1"


def test_suspended_portal_survives_sync_inside_a_transaction_block(target):
    with target.wire() as w:
        w.simple("begin")
        w.parse("", "select g from (values (1),(2),(3)) as t(g) order by g")
        w.bind("cur", "")
        w.execute("cur", 2)
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "12DDsZ" and msgs[-1].ready_status() == "T", msgs
        w.execute("cur", 2)
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "DCZ", msgs
        assert rows_of(msgs) == [[b"3"]]
        w.simple("commit")


def test_flush_delivers_without_sync(target):
    with target.wire() as w:
        w.parse("", "select 5")
        w.bind("", "")
        w.execute("", 0)
        w.flush()
        got = [w.read_msg() for _ in range(4)]
        assert types_of(got) == "12DC", got
        w.sync()
        assert types_of(w.read_until("Z")) == "Z"


def test_describe_statement_without_result_gives_nodata(target):
    with target.wire() as w:
        w.simple("create table proto_nodata (a int)")
        w.parse("", "insert into proto_nodata values ($1)")
        w.describe("S", "")
        w.bind("", "", ["1"])
        w.describe("P", "")
        w.execute()
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "1tn2nCZ", msgs
        assert msgs[-2].command_tag() == "INSERT 0 1"


def test_binary_result_and_parameter_formats(target):
    with target.wire() as w:
        w.parse("", "select $1::int4 as a, $2::int8 as b, $3::text as c, $4::bool as d")
        w.bind("", "", [struct.pack("!i", -7), b"12345678901", b"h\xc3\xa9", b"\x01"],
               param_formats=[1, 0, 0, 1], result_formats=[1])
        w.describe("P", "")
        w.execute()
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "12TDCZ", msgs
        assert [c["format"] for c in msgs[2].row_description()] == [1, 1, 1, 1]
        (row,) = rows_of(msgs)
        assert row == [struct.pack("!i", -7), struct.pack("!q", 12345678901), "hé".encode(),
                       b"\x01"]
        # Per-column result formats: text, binary.
        w.parse("", "select 1::int2, 2::int2")
        w.bind("", "", result_formats=[0, 1])
        w.execute()
        w.sync()
        assert rows_of(w.read_until("Z")) == [[b"1", b"\x00\x02"]]


def test_error_in_extended_batch_skips_to_sync(target):
    with target.wire() as w:
        w.simple("create table proto_skip (a int); insert into proto_skip values (0)")
        w.parse("", "select 1/a from proto_skip")  # fails in Execute, not when planned
        w.bind("", "")
        w.execute()
        w.parse("", "select 2")  # skipped: the server discards until Sync
        w.bind("", "")
        w.execute()
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "12EZ", msgs
        assert msgs[2].code == "22012"
        assert rows_of(w.simple("select 3")) == [[b"3"]]


def test_bind_with_wrong_parameter_count_is_08p01_and_session_goes_on(target):
    with target.wire() as w:
        w.parse("two", "select $1::int + $2::int")
        w.bind("", "two", ["1"])
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "1EZ" and msgs[1].code == "08P01", msgs
        w.bind("", "two", ["1", "x"])
        w.execute()
        w.sync()
        msgs = w.read_until("Z")
        assert msgs[0].code == "22P02", msgs
        w.bind("", "two", ["1", "2"])
        w.execute()
        w.sync()
        assert rows_of(w.read_until("Z")) == [[b"3"]]


def test_terminate_closes_the_connection(target):
    with target.wire() as w:
        w.terminate()
        assert w.read_until_closed() == []


def assert_still_serving(target):
    with target.wire() as w:
        assert rows_of(w.simple("select 42")) == [[b"42"]]


def test_unknown_message_type_is_fatal_08p01_and_closes(target):
    with target.wire() as w:
        w.send("y", b"junk")
        msgs = w.read_until_closed()
        assert [(m.fields.get("S"), m.code) for m in msgs] == [("FATAL", "08P01")], msgs
    assert_still_serving(target)


def assert_closed_with_at_most_a_protocol_error(msgs):
    # PostgreSQL logs these (COMMERROR) and closes without a word; a server may also send
    # one ErrorResponse first, and then its class must be 08 (protocol) or 54 (limits).
    assert all(m.type == "E" for m in msgs), msgs
    assert len(msgs) <= 1, msgs
    for m in msgs:
        assert m.code[:2] in ("08", "54"), msgs


@pytest.mark.parametrize("junk", [
    pytest.param(b"Q" + struct.pack("!i", 0x7FFFFFF0), id="query-len-2GiB"),
    pytest.param(b"S" + struct.pack("!i", 1 << 20) + b"x" * 100, id="sync-len-1MiB"),
    pytest.param(b"Q" + struct.pack("!i", 2), id="len-below-4"),
    pytest.param(b"Q" + struct.pack("!i", -5), id="negative-len"),
])
def test_oversized_or_bad_length_message_closes_the_connection(target, junk):
    with target.wire() as w:
        w.send_raw(junk)
        assert_closed_with_at_most_a_protocol_error(w.read_until_closed())
    assert_still_serving(target)


@pytest.mark.parametrize("packet", [
    pytest.param(struct.pack("!ii", 1 << 20, sqltarget.PROTOCOL_V3), id="startup-len-1MiB"),
    pytest.param(struct.pack("!i", 4), id="startup-len-4"),
    pytest.param(struct.pack("!i", -1), id="startup-len-negative"),
])
def test_bad_startup_packet_closes_the_connection(target, packet):
    with PgWire(target.host, target.port) as w:
        w.send_raw(packet)
        assert_closed_with_at_most_a_protocol_error(w.read_until_closed())
    assert_still_serving(target)


def test_malformed_message_body_is_08p01(target):
    with target.wire() as w:
        w.send("P", b"no-terminator")  # statement name without its NUL
        w.sync()
        msgs = w.read_until("E")
        assert msgs[-1].code == "08P01", msgs
        # PostgreSQL treats this as an ERROR and resumes at Sync; closing is also allowed.
        try:
            rest = w.read_until("Z")
        except (sqltarget.ConnectionClosed, ConnectionResetError):
            rest = None
        if rest is not None:
            assert rest[-1].ready_status() == "I"
            assert rows_of(w.simple("select 1")) == [[b"1"]]
    assert_still_serving(target)


def test_malformed_message_rolls_back_the_implicit_transaction_at_sync(target):
    with target.wire() as w:
        w.simple("create table proto_malformed (a int)")
        w.parse("", "insert into proto_malformed values (1)")
        w.bind("", "")
        w.execute()
        w.send("B", b"no-terminator")  # malformed: the cycle failed
        w.sync()
        msgs = w.read_until("Z")
        assert types_of(msgs) == "12CEZ", msgs
        assert msgs[3].code == "08P01" and msgs[-1].ready_status() == "I"
        # The insert executed before the error was rolled back with the implicit transaction.
        assert rows_of(w.simple("select count(*) from proto_malformed")) == [[b"0"]]
        # Inside an explicit block the same error fails the block.
        w.simple("begin")
        w.send("B", b"no-terminator")
        w.sync()
        assert w.read_until("Z")[-1].ready_status() == "E"
        assert errors_of(w.simple("select 1"))[0].code == "25P02"
        w.simple("rollback")


def test_many_connections_after_abuse(target):
    for _ in range(5):
        with target.wire() as w:
            w.send_raw(b"\xff" * 64)
            w.read_until_closed()
    conns = [target.wire() for _ in range(10)]
    try:
        for i, w in enumerate(conns):
            assert rows_of(w.simple(f"select {i}")) == [[str(i).encode()]]
    finally:
        for w in conns:
            w.close()


def test_psycopg_server_side_prepared_statements(connect):
    c = connect(autocommit=True)
    c.execute("create table proto_prep (id int primary key, v text)")
    for i in range(5):  # prepare=True: Parse once into a named statement, then Bind/Execute
        c.execute("insert into proto_prep values (%s, %s)", (i, f"v{i}"), prepare=True)
    for i in range(5):
        assert c.execute("select v from proto_prep where id = %s", (i,),
                         prepare=True).fetchone() == (f"v{i}",)
    c.execute("deallocate all")
    assert c.execute("select count(*) from proto_prep").fetchone() == (5,)


def test_psycopg_pipeline_mode(connect):
    c = connect(autocommit=True)
    c.execute("create table proto_pipe (id int primary key)")
    with c.pipeline():
        curs = [c.execute("insert into proto_pipe values (%s) returning id", (i,))
                for i in range(10)]
        total = c.execute("select count(*) from proto_pipe")
    assert [cur.fetchone()[0] for cur in curs] == list(range(10))
    assert total.fetchone() == (10,)
    # An error inside a pipeline fails that statement and the rest of its batch only.
    with pytest.raises(psycopg.errors.UniqueViolation):
        with c.pipeline():
            c.execute("insert into proto_pipe values (1)")
            c.execute("insert into proto_pipe values (100)")
    assert c.execute("select count(*) from proto_pipe").fetchone() == (10,)


def test_sql_prepare_execute_deallocate(target):
    """SQL PREPARE/EXECUTE (what psycopg2 users write for server-side reuse): the statement
    is the extended protocol's named one, EXECUTE takes constants (with casts) and returns
    rows through the simple protocol; error SQLSTATEs as PostgreSQL 15's."""
    with target.wire() as w:
        w.simple("create table proto_sql_prepare (a int primary key, b text)")
        msgs = w.simple("prepare pp_ins (int, text) as "
                        "insert into proto_sql_prepare values ($1, $2)")
        assert [m.command_tag() for m in msgs if m.type == "C"] == ["PREPARE"]
        for sql in ("execute pp_ins (1, 'one')", "execute pp_ins (2, NULL)",
                    "execute pp_ins ('3', 'x'::varchar)"):
            msgs = w.simple(sql)
            assert not errors_of(msgs), msgs
            assert [m.command_tag() for m in msgs if m.type == "C"] == ["INSERT 0 1"]
        w.simple("prepare pp_sel as select b, a + 1 from proto_sql_prepare where a = $1")
        msgs = w.simple("execute pp_sel (1)")
        assert types_of(msgs) == "TDCZ"
        (desc,) = [m.row_description() for m in msgs if m.type == "T"]
        assert [(c["name"], c["type_oid"]) for c in desc] == [("b", TEXT), ("?column?", INT4)]
        assert rows_of(msgs) == [[b"one", b"2"]]
        assert [m.command_tag() for m in msgs if m.type == "C"] == ["SELECT 1"]
        # the same name through the extended protocol
        w.bind("", "pp_sel", ["2"])
        w.execute()
        w.sync()
        assert rows_of(w.read_until("Z")) == [[None, b"3"]]
        for sql, code in [("execute pp_sel", "42601"), ("execute nope (1)", "26000"),
                          ("prepare pp_sel as select 1", "42P05"),
                          ("execute pp_ins (1, 'dup')", "23505"),
                          ("execute pp_sel ('x')", "22P02")]:
            (e,) = errors_of(w.simple(sql))
            assert e.code == code, (sql, e)
        w.simple("deallocate pp_ins")
        (e,) = errors_of(w.simple("execute pp_ins (9, 'x')"))
        assert e.code == "26000"
        w.simple("drop table proto_sql_prepare")
