// node-postgres against restsql serve: pg-cursor (the protocol's portals,
// read a few rows at a time), SQL cursors, and COPY TO STDOUT with
// pg-copy-streams. Run by TestNodePostgres (server/clients_test.go) with
// NODE_PATH set to the modules .ci/run installs and the server's address
// in PGHOST/PGPORT. It prints one line per check ("name: value").
'use strict';
const { Client } = require('pg');
const Cursor = require('pg-cursor');
const { to: copyTo } = require('pg-copy-streams');

function show(name, value) {
  process.stdout.write(`${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
}

async function main() {
  const client = new Client({ user: 'tester', database: 'restsql' });
  await client.connect();

  // pg-cursor: Execute with a row limit, PortalSuspended, Execute again.
  const cursor = client.query(new Cursor('SELECT id FROM posts WHERE "userId" = $1 ORDER BY id', [2]));
  const batches = [];
  for (;;) {
    const rows = await cursor.read(4);
    if (rows.length === 0) break;
    batches.push(rows.map((r) => Number(r.id)));
  }
  await cursor.close();
  show('pg-cursor', batches);

  // SQL cursors in a transaction.
  await client.query('BEGIN');
  await client.query('DECLARE c CURSOR FOR SELECT id, title FROM posts WHERE id <= $1 ORDER BY id', [6]);
  const first = await client.query('FETCH 2 FROM c');
  show('fetch', { command: first.command, rowCount: first.rowCount, ids: first.rows.map((r) => Number(r.id)), fields: first.fields.map((f) => f.name) });
  const moved = await client.query('MOVE 2 IN c');
  show('move', { command: moved.command, rowCount: moved.rowCount });
  const rest = await client.query('FETCH ALL FROM c');
  show('fetch all', rest.rows.map((r) => Number(r.id)));
  await client.query('CLOSE c');
  await client.query('COMMIT');

  // Column names.
  const agg = await client.query('SELECT count(*), max(id) + 1, id::text FROM posts WHERE id = 7 GROUP BY id');
  show('names', agg.fields.map((f) => f.name));

  // COPY TO STDOUT.
  const chunks = [];
  const stream = client.query(copyTo('COPY (SELECT id, name FROM users WHERE id <= 3 ORDER BY id) TO STDOUT WITH CSV HEADER'));
  for await (const chunk of stream) chunks.push(chunk);
  show('copy', JSON.stringify(Buffer.concat(chunks).toString('utf8')));

  await client.end();
  show('done', 'ok');
}

main().catch((err) => {
  process.stderr.write(`error: ${err.code || ''} ${err.stack || err}\n`);
  process.exit(1);
});
