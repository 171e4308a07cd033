// Opens the database: PostgreSQL when DATABASE_URL is set, else an embedded PGlite under DATA_DIR,
// so a fresh machine needs no database server. Migrations always run before first use.
import { Kysely, PostgresDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** Directory for the embedded database; `memory://` keeps it in memory (tests). */
  pgliteDir?: string;
  poolSize?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  let handle: DatabaseHandle;
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client erroring (e.g. the server restarting) must not crash the process; queries retry.
    pool.on('error', () => undefined);
    // A checked-out client has no pool listener: without this, a connection reset in mid-query is an
    // unhandled 'error' event that kills the process. The query itself still fails (and is retried),
    // and the pool drops the dead client on release.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    handle = { db, kind: 'postgres', close: () => db.destroy() };
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGliteDialect } = await import('kysely-pglite-dialect');
    const dir = options.pgliteDir ?? 'memory://';
    if (!dir.startsWith('memory://')) mkdirSync(path.dirname(path.resolve(dir)), { recursive: true });
    const client = new PGlite(dir);
    const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
    handle = { db, kind: 'pglite', close: () => db.destroy() };
  }
  await migrateToLatest(handle.db as Kysely<unknown>);
  return handle;
}
