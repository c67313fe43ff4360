// pgx v4 (Debian golang-github-jackc-pgx-v4-dev, built offline in GOPATH mode) against a
// PostgreSQL-compatible server: connect, DDL, every supported type bound as a parameter
// and scanned back exactly (NULLs too), commit and rollback, SQLSTATEs surfaced as
// *pgconn.PgError, and pgx's statement cache (named prepared statements, reused).
// Usage: pgxtest 'postgres://root@127.0.0.1:PORT/defaultdb'. Prints "ok <check>" per
// check; the first failure prints "FAIL ..." and exits 1.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"reflect"
	"time"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgtype"
	"github.com/jackc/pgx/v4"
)

var ctx = context.Background()

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", a...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func eq(want, got interface{}, what string) {
	if !reflect.DeepEqual(want, got) {
		fail("%s: want %#v got %#v", what, want, got)
	}
}

func ok(what string) { fmt.Println("ok " + what) }

// One row; nil pointers and Status Null values are NULLs.
type row struct {
	i2   pgtype.Int2
	i4   pgtype.Int4
	i8   pgtype.Int8
	f4   pgtype.Float4
	f8   pgtype.Float8
	num  pgtype.Numeric
	b    pgtype.Bool
	t    pgtype.Text
	vc   pgtype.Varchar
	by   pgtype.Bytea
	d    pgtype.Date
	tm   pgtype.Time
	ts   pgtype.Timestamp
	tstz pgtype.Timestamptz
	iv   pgtype.Interval
	u    pgtype.UUID
	ia   pgtype.Int4Array
	ta   pgtype.TextArray
}

func (r *row) ptrs() []interface{} {
	return []interface{}{&r.i2, &r.i4, &r.i8, &r.f4, &r.f8, &r.num, &r.b, &r.t, &r.vc, &r.by, &r.d,
		&r.tm, &r.ts, &r.tstz, &r.iv, &r.u, &r.ia, &r.ta}
}

func (r *row) vals() []interface{} {
	return []interface{}{r.i2, r.i4, r.i8, r.f4, r.f8, r.num, r.b, r.t, r.vc, r.by, r.d, r.tm,
		r.ts, r.tstz, r.iv, r.u, r.ia, r.ta}
}

func set(dst pgtype.Value, v interface{}) {
	must(dst.Set(v), fmt.Sprintf("Set(%T)", v))
}

func rowA() row {
	var r row
	set(&r.i2, int16(math.MinInt16))
	set(&r.i4, int32(math.MaxInt32))
	set(&r.i8, int64(math.MinInt64))
	set(&r.f4, float32(3.4028235e38))
	set(&r.f8, 0.1+0.2)
	set(&r.num, "-12345678901234567890.000123456789")
	set(&r.b, true)
	set(&r.t, "héllo, wörld ✓ 'quoted' \"dq\" \\ back\ttab\nnewline")
	set(&r.vc, "varchar value")
	set(&r.by, []byte{0, 1, 2, 0xff, 0x80, '\\', '\''})
	set(&r.d, time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC))
	r.tm = pgtype.Time{Microseconds: (23*3600+59*60+58)*1000000 + 123456, Status: pgtype.Present}
	set(&r.ts, time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC))
	set(&r.tstz, time.Date(2021, 6, 15, 10, 20, 30, 500000000, time.FixedZone("x", 5*3600)))
	r.iv = pgtype.Interval{Months: 14, Days: 3, Microseconds: 4*3600e6 + 5*60e6 + 6789000,
		Status: pgtype.Present}
	set(&r.u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
	set(&r.ia, []*int32{ip(1), ip(-2), nil, ip(math.MaxInt32)})
	set(&r.ta, []*string{sp("a"), sp("b c"), nil, sp(""), sp("q\"uote,comma{}\\")})
	return r
}

func rowB() row {
	var r row
	set(&r.i2, int16(0))
	set(&r.i4, int32(-1))
	set(&r.i8, int64(9007199254740993))
	set(&r.f4, float32(-1.5e-10))
	set(&r.f8, math.Inf(-1))
	set(&r.num, "0.50")
	set(&r.b, false)
	set(&r.t, "")
	set(&r.vc, "")
	set(&r.by, []byte{})
	set(&r.d, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	r.tm = pgtype.Time{Microseconds: 0, Status: pgtype.Present}
	set(&r.ts, time.Date(2262, 4, 11, 23, 47, 16, 0, time.UTC))
	set(&r.tstz, time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC))
	r.iv = pgtype.Interval{Days: -3, Status: pgtype.Present}
	set(&r.u, "00000000-0000-0000-0000-000000000000")
	set(&r.ia, []int32{})
	set(&r.ta, []string{"only"})
	return r
}

func rowNull() row {
	var r row
	for _, p := range r.ptrs() {
		must(p.(pgtype.Value).Set(nil), "Set(nil)")
	}
	return r
}

func ip(v int32) *int32   { return &v }
func sp(v string) *string { return &v }

func rat(n pgtype.Numeric) *big.Rat {
	r := new(big.Rat).SetInt(n.Int)
	e := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(n.Exp))), nil)
	if n.Exp >= 0 {
		return r.Mul(r, new(big.Rat).SetInt(e))
	}
	return r.Quo(r, new(big.Rat).SetInt(e))
}

func abs(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func verify(want, got row, tag string) {
	if want.num.Status != got.num.Status ||
		(want.num.Status == pgtype.Present && rat(want.num).Cmp(rat(got.num)) != 0) {
		fail("%s numeric: want %v got %v", tag, want.num, got.num)
	}
	want.num, got.num = pgtype.Numeric{}, pgtype.Numeric{}
	if want.tstz.Status == pgtype.Present && got.tstz.Status == pgtype.Present {
		if !want.tstz.Time.Equal(got.tstz.Time) {
			fail("%s timestamptz: want %v got %v", tag, want.tstz.Time, got.tstz.Time)
		}
		want.tstz, got.tstz = pgtype.Timestamptz{}, pgtype.Timestamptz{}
	}
	if !bytes.Equal(want.by.Bytes, got.by.Bytes) || want.by.Status != got.by.Status {
		fail("%s bytea: want %v got %v", tag, want.by, got.by)
	}
	want.by, got.by = pgtype.Bytea{}, pgtype.Bytea{}
	names := []string{"int2", "int4", "int8", "float4", "float8", "numeric", "bool", "text",
		"varchar", "bytea", "date", "time", "timestamp", "timestamptz", "interval", "uuid",
		"int4[]", "text[]"}
	wv, gv := want.vals(), got.vals()
	for i := range wv {
		eq(wv[i], gv[i], tag+" "+names[i])
	}
}

func sqlstate(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	fail("not a PgError: %v", err)
	return ""
}

const cols = "i2, i4, i8, f4, f8, num, b, t, vc, by, d, tm, ts, tstz, iv, u, ia, ta"

func main() {
	conn, err := pgx.Connect(ctx, os.Args[1])
	must(err, "connect")
	defer conn.Close(ctx)
	var two int
	must(conn.QueryRow(ctx, "select 1 + 1").Scan(&two), "select 1 + 1")
	eq(2, two, "select 1 + 1")
	ok("connect " + conn.PgConn().ParameterStatus("server_version"))

	_, err = conn.Exec(ctx, "drop table if exists gt")
	must(err, "drop")
	_, err = conn.Exec(ctx, "create table gt (id int primary key, i2 smallint, i4 integer, "+
		"i8 bigint, f4 real, f8 double precision, num numeric, b boolean, t text, "+
		"vc varchar(40), by bytea, d date, tm time, ts timestamp, tstz timestamptz, "+
		"iv interval, u uuid, ia int4[], ta text[])")
	must(err, "create table")
	ok("ddl")

	rows := []row{rowA(), rowB(), rowNull()}
	ins := "insert into gt (id, " + cols + ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, " +
		"$10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
	for i, r := range rows {
		tag, err := conn.Exec(ctx, ins, append([]interface{}{i + 1}, r.vals()...)...)
		must(err, fmt.Sprintf("insert row %d", i+1))
		eq("INSERT 0 1", tag.String(), "insert tag")
	}
	for round := 0; round < 2; round++ {
		for i, want := range rows {
			var got row
			must(conn.QueryRow(ctx, "select "+cols+" from gt where id = $1", i+1).
				Scan(got.ptrs()...), fmt.Sprintf("select row %d", i+1))
			verify(want, got, fmt.Sprintf("row %d round %d", i+1, round))
		}
	}
	// text results too: the simple protocol (no statement, text format both ways)
	for i, want := range rows[:2] {
		var got row
		must(conn.QueryRow(ctx, "select "+cols+" from gt where id = $1",
			pgx.QuerySimpleProtocol(true), i+1).Scan(got.ptrs()...), "simple protocol select")
		verify(want, got, fmt.Sprintf("row %d simple protocol", i+1))
	}
	var numText string
	must(conn.QueryRow(ctx, "select num::text from gt where id = 2").Scan(&numText), "num::text")
	eq("0.50", numText, "numeric keeps its scale")
	ok("types round trip (binary and text)")

	var n int64
	a := rows[0]
	must(conn.QueryRow(ctx, "select count(*) from gt where i8 = $1 and num = $2 and t = $3 "+
		"and by = $4 and ts = $5 and tstz = $6 and u = $7 and iv = $8 and ia = $9",
		a.i8, a.num, a.t, a.by, a.ts, a.tstz, a.u, a.iv, a.ia).Scan(&n), "where")
	eq(int64(1), n, "parameters in WHERE")
	ok("parameters in WHERE")

	tx, err := conn.Begin(ctx)
	must(err, "begin")
	_, err = tx.Exec(ctx, "insert into gt (id, t) values ($1, $2)", 10, "committed")
	must(err, "insert in tx")
	must(tx.Commit(ctx), "commit")
	tx, err = conn.Begin(ctx)
	must(err, "begin 2")
	_, err = tx.Exec(ctx, "insert into gt (id, t) values ($1, $2)", 11, "rolled back")
	must(err, "insert in tx 2")
	must(tx.Rollback(ctx), "rollback")
	var ids []int32
	r, err := conn.Query(ctx, "select id from gt where id >= 10 order by id")
	must(err, "query")
	for r.Next() {
		var id int32
		must(r.Scan(&id), "scan id")
		ids = append(ids, id)
	}
	must(r.Err(), "rows")
	eq([]int32{10}, ids, "committed rows")
	ok("commit and rollback")

	_, err = conn.Exec(ctx, "insert into gt (id) values ($1)", 1)
	eq("23505", sqlstate(err), "duplicate key")
	_, err = conn.Exec(ctx, "select 1 / $1::int", 0)
	eq("22012", sqlstate(err), "division by zero")
	_, err = conn.Exec(ctx, "select * from no_such_table where 1 = $1", 1)
	eq("42P01", sqlstate(err), "undefined table")
	tx, err = conn.Begin(ctx)
	must(err, "begin 3")
	_, err = tx.Exec(ctx, "insert into gt (id) values ($1)", 1)
	eq("23505", sqlstate(err), "duplicate key in a transaction")
	_, err = tx.Exec(ctx, "select 1")
	eq("25P02", sqlstate(err), "statement after an error in a transaction")
	must(tx.Rollback(ctx), "rollback after error")
	must(conn.QueryRow(ctx, "select count(*) from gt").Scan(&n), "count")
	eq(int64(4), n, "rows after the errors")
	ok("errors carry SQLSTATE")

	// the statement cache: one named server-side statement per SQL text, reused
	sc := conn.StatementCache()
	if sc == nil || sc.Len() == 0 {
		fail("statement cache is empty")
	}
	before := sc.Len()
	for i := 100; i < 150; i++ {
		_, err = conn.Exec(ctx, "insert into gt (id, i8, t) values ($1, $2, $3)", i,
			int64(i)*int64(i), fmt.Sprintf("row %d", i))
		must(err, "cached insert")
	}
	for i := 100; i < 150; i++ {
		var i8 int64
		var t string
		must(conn.QueryRow(ctx, "select i8, t from gt where id = $1", i).Scan(&i8, &t), "cached select")
		eq(int64(i)*int64(i), i8, "cached select i8")
		eq(fmt.Sprintf("row %d", i), t, "cached select t")
	}
	eq(before+2, sc.Len(), "two statements added to the cache for 100 executions")
	// a batch through the same cache
	b := &pgx.Batch{}
	for i := 200; i < 210; i++ {
		b.Queue("insert into gt (id, i8, t) values ($1, $2, $3)", i, int64(i), "batch")
	}
	br := conn.SendBatch(ctx, b)
	for i := 200; i < 210; i++ {
		_, err = br.Exec()
		must(err, "batch insert")
	}
	must(br.Close(), "batch close")
	must(conn.QueryRow(ctx, "select count(*) from gt where t = 'batch'").Scan(&n), "batch count")
	eq(int64(10), n, "batch rows")
	sd, err := conn.Prepare(ctx, "byid", "select t from gt where id = $1")
	must(err, "prepare")
	eq([]uint32{pgtype.Int4OID}, sd.ParamOIDs, "parameter types of a prepared statement")
	eq(uint32(pgtype.TextOID), sd.Fields[0].DataTypeOID, "result type of a prepared statement")
	var t string
	must(conn.QueryRow(ctx, "byid", 10).Scan(&t), "execute prepared by name")
	eq("committed", t, "prepared by name")
	ok("statement cache reuse, batch and named statements")

	// CopyFrom: COPY FROM STDIN in binary format
	var src [][]interface{}
	for i := 0; i < 500; i++ {
		src = append(src, []interface{}{1000 + i, rows[i%2].i8, rows[i%2].num, rows[i%2].t,
			rows[i%2].by, rows[i%2].tstz, rows[i%2].iv, rows[i%2].u, rows[i%2].ia})
	}
	src = append(src, []interface{}{2000, nil, nil, nil, nil, nil, nil, nil, nil})
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"gt"},
		[]string{"id", "i8", "num", "t", "by", "tstz", "iv", "u", "ia"}, pgx.CopyFromRows(src))
	must(err, "CopyFrom")
	eq(int64(len(src)), copied, "rows copied")
	for _, id := range []int{1000, 1001, 2000} {
		want := rows[id%2]
		if id == 2000 {
			want = rows[2]
		}
		var got row
		must(conn.QueryRow(ctx, "select "+cols+" from gt where id = $1", id).Scan(got.ptrs()...),
			"select copied row")
		got.i2, got.i4, got.f4, got.f8, got.b, got.vc, got.d, got.tm, got.ts, got.ta =
			want.i2, want.i4, want.f4, want.f8, want.b, want.vc, want.d, want.tm, want.ts, want.ta
		verify(want, got, fmt.Sprintf("copied row %d", id))
	}
	ok("CopyFrom (binary COPY)")

	_, err = conn.Exec(ctx, "drop table gt")
	must(err, "drop")
	ok("drop")
}
