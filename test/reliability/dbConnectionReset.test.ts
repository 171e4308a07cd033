// A PostgreSQL connection reset while a query runs must fail that query, not the process: pg-pool
// stops listening for errors on a client while it is checked out, so without a listener of our own
// the socket error is an unhandled 'error' event. (Found by test/faults/dbOutage.test.ts, where it
// killed the worker.) Needs PostgreSQL: skipped on PGlite, which has no connection to lose.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, test } from 'node:test';
import { type DatabaseHandle, openDatabase } from '../../src/db/index.js';
import { createTestDatabase } from '../support/db.js';
import { type TcpProxy, startTcpProxy } from '../support/faults/tcpProxy.js';

const postgres = !!process.env.DATABASE_URL;
let direct: (DatabaseHandle & { url?: string }) | undefined;
let proxy: TcpProxy | undefined;
let viaProxy: DatabaseHandle | undefined;

before(async () => {
  if (!postgres) return;
  direct = await createTestDatabase();
  const url = new URL(direct.url!);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  viaProxy = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
});
after(async () => {
  await viaProxy?.close().catch(() => undefined);
  await proxy?.close();
  await direct?.close();
});

test('a reset in mid-query fails the query, the process lives on, and the pool recovers', { skip: !postgres && 'needs DATABASE_URL (PostgreSQL)' }, async () => {
  const db = viaProxy!.db;
  // Checked out for the whole transaction: the case pg-pool leaves without an error listener.
  const inFlight = db.transaction().execute(async (trx) => {
    await sql`select pg_sleep(5)`.execute(trx);
  });
  const outcome = inFlight.then(() => 'completed', (error: Error) => `failed: ${error.message}`);
  await new Promise((r) => setTimeout(r, 500));
  await proxy!.cut(1_000);
  assert.match(await outcome, /^failed: /);
  const row = await sql<{ ok: number }>`select 1 as ok`.execute(db);
  assert.equal(row.rows[0].ok, 1);
});
