// node-postgres (npm "pg", pinned by package-lock.json) against a PostgreSQL-compatible
// server: connect, DDL, every supported type bound as a parameter and read back exactly
// (NULLs too), commit and rollback, SQLSTATEs surfaced as err.code, and named prepared
// statements (parsed once per connection, then only bound and executed).
// Usage: node pgtest.js PORT   (host 127.0.0.1, user root, database defaultdb; NODE_PATH
// points at the node_modules that npm ci installed in the build tree). Prints
// "ok <check>" per check; the first failure prints "FAIL ..." and exits 1.
'use strict';
const assert = require('assert').strict;
const { Client, types } = require('pg');

// Exact text for the types whose default JavaScript parsing loses precision or depends on
// the local time zone: date, time, timestamp, interval. timestamptz keeps the default
// parser (a Date, milliseconds) and is also read as text.
for (const oid of [1082, 1083, 1114, 1186]) types.setTypeParser(oid, (s) => s);

const COLS = 'i2, i4, i8, f4, f8, num, b, t, vc, by, d, tm, ts, tstz, iv, u, ia, ta';
const NAMES = COLS.split(', ');

// [parameter value, expected value read back] per column, in COLS order.
const ROWS = [
  [
    [-32768, -32768], [2147483647, 2147483647],
    ['-9223372036854775808', '-9223372036854775808'], [1.5, 1.5],
    [0.1 + 0.2, 0.30000000000000004],
    ['-12345678901234567890.000123456789', '-12345678901234567890.000123456789'],
    [true, true],
    ["héllo, wörld ✓ 'quoted' \"dq\" \\ back\ttab\nnewline",
     "héllo, wörld ✓ 'quoted' \"dq\" \\ back\ttab\nnewline"],
    ['varchar value', 'varchar value'],
    [Buffer.from([0, 1, 2, 0xff, 0x80, 92, 39]), Buffer.from([0, 1, 2, 0xff, 0x80, 92, 39])],
    ['2024-02-29', '2024-02-29'], ['23:59:58.123456', '23:59:58.123456'],
    ['1999-12-31 23:59:59.999999', '1999-12-31 23:59:59.999999'],
    [new Date(Date.UTC(2021, 5, 15, 10, 20, 30, 500)), new Date(Date.UTC(2021, 5, 15, 10, 20, 30, 500))],
    ['1 year 2 mons 3 days 04:05:06.789', '1 year 2 mons 3 days 04:05:06.789'],
    ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    [[1, -2, null, 2147483647], [1, -2, null, 2147483647]],
    [['a', 'b c', null, '', 'q"uote,comma{}\\'], ['a', 'b c', null, '', 'q"uote,comma{}\\']],
  ],
  [
    [0, 0], [-1, -1], ['9007199254740993', '9007199254740993'], [-1.5e-10, -1.5e-10],
    [-Infinity, -Infinity], ['0.50', '0.50'], [false, false], ['', ''], ['', ''],
    [Buffer.alloc(0), Buffer.alloc(0)], ['0001-01-01', '0001-01-01'], ['00:00:00', '00:00:00'],
    ['2262-04-11 23:47:16', '2262-04-11 23:47:16'],
    [new Date(Date.UTC(1970, 0, 1)), new Date(Date.UTC(1970, 0, 1))],
    ['-3 days', '-3 days'],
    ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
    [[], []], [['only'], ['only']],
  ],
  NAMES.map(() => [null, null]),
];

function ok(what) { console.log('ok ' + what); }

async function sqlstate(p) {
  try {
    await p;
  } catch (e) {
    return e.code;
  }
  throw new Error('no error');
}

async function main() {
  const c = new Client({ host: '127.0.0.1', port: Number(process.argv[2]), user: 'root',
                         database: 'defaultdb', connectionTimeoutMillis: 10000,
                         query_timeout: 60000 });
  await c.connect();
  assert.equal((await c.query('select 1 + 1 as two')).rows[0].two, 2);
  await c.query("set time zone 'UTC'");
  ok('connect ' + c.connection.stream.remoteAddress);

  await c.query('drop table if exists nt');
  await c.query('create table nt (id int primary key, i2 smallint, i4 integer, i8 bigint, ' +
                'f4 real, f8 double precision, num numeric, b boolean, t text, ' +
                'vc varchar(40), by bytea, d date, tm time, ts timestamp, tstz timestamptz, ' +
                'iv interval, u uuid, ia int4[], ta text[])');
  ok('ddl');

  const ins = {
    name: 'ins',
    text: `insert into nt (id, ${COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ` +
          '$11, $12, $13, $14, $15, $16, $17, $18, $19)',
  };
  for (let i = 0; i < ROWS.length; i++) {
    const r = await c.query({ ...ins, values: [i + 1, ...ROWS[i].map((v) => v[0])] });
    assert.equal(r.rowCount, 1);
    assert.equal(r.command, 'INSERT');
  }
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < ROWS.length; i++) {
      const r = await c.query({ name: 'sel', text: `select ${COLS} from nt where id = $1`,
                                values: [i + 1] });
      assert.equal(r.rows.length, 1);
      NAMES.forEach((n, k) => assert.deepEqual(r.rows[0][n], ROWS[i][k][1],
                                               `row ${i + 1} ${n}`));
      assert.equal(r.fields[0].dataTypeID, 21);
      assert.equal(r.fields[NAMES.indexOf('ia')].dataTypeID, 1007);
    }
  }
  // the same rows through unnamed statements (Parse each time)
  const all = await c.query(`select ${COLS} from nt where id = any($1) order by id`, [[1, 2, 3]]);
  all.rows.forEach((row, i) =>
    NAMES.forEach((n, k) => assert.deepEqual(row[n], ROWS[i][k][1], `unnamed ${i + 1} ${n}`)));
  const tz = await c.query('select tstz::text as s from nt where id = 1');
  assert.equal(tz.rows[0].s, '2021-06-15 10:20:30.5+00');
  ok('types round trip');

  const a = ROWS[0].map((v) => v[0]);
  const w = await c.query('select count(*)::int as n from nt where i8 = $1 and num = $2 and ' +
                          't = $3 and by = $4 and ts = $5 and tstz = $6 and u = $7 and ' +
                          'iv = $8 and ia = $9',
                          [a[2], a[5], a[7], a[9], a[12], a[13], a[15], a[14], a[16]]);
  assert.equal(w.rows[0].n, 1);
  ok('parameters in WHERE');

  await c.query('BEGIN');
  await c.query('insert into nt (id, t) values ($1, $2)', [10, 'committed']);
  await c.query('COMMIT');
  await c.query('BEGIN');
  await c.query('insert into nt (id, t) values ($1, $2)', [11, 'rolled back']);
  await c.query('ROLLBACK');
  const txr = await c.query('select id, t from nt where id >= 10 order by id');
  assert.deepEqual(txr.rows, [{ id: 10, t: 'committed' }]);
  ok('commit and rollback');

  assert.equal(await sqlstate(c.query('insert into nt (id) values ($1)', [1])), '23505');
  assert.equal(await sqlstate(c.query('select 1 / $1::int', [0])), '22012');
  assert.equal(await sqlstate(c.query('select * from no_such_table')), '42P01');
  assert.equal(await sqlstate(c.query('selec 1')), '42601');
  await c.query('BEGIN');
  assert.equal(await sqlstate(c.query({ ...ins, values: [1, ...ROWS[2].map((v) => v[0])] })),
               '23505');
  assert.equal(await sqlstate(c.query('select 1')), '25P02');
  await c.query('ROLLBACK');
  assert.equal((await c.query('select count(*)::int as n from nt')).rows[0].n, 4);
  ok('errors carry SQLSTATE');

  // named statements: parsed once on this connection, then bound and executed
  for (let i = 100; i < 150; i++) {
    await c.query({ name: 'ins2', text: 'insert into nt (id, i8, t) values ($1, $2, $3)',
                    values: [i, String(i * i), `row ${i}`] });
  }
  for (let i = 100; i < 150; i++) {
    const r = await c.query({ name: 'sel2', text: 'select i8, t from nt where id = $1',
                              values: [i] });
    assert.deepEqual(r.rows, [{ i8: String(i * i), t: `row ${i}` }]);
  }
  const parsed = Object.keys(c.connection.parsedStatements).sort();
  assert.deepEqual(parsed, ['ins', 'ins2', 'sel', 'sel2']);
  ok('named prepared statements reused');

  await c.query('drop table nt');
  ok('drop');
  await c.end();
}

main().catch((e) => {
  console.log('FAIL ' + (e.stack || e) + (e.code ? ` (SQLSTATE ${e.code})` : ''));
  process.exit(1);
});
