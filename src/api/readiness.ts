// GET /readyz: whether this API process can serve, i.e. reach its database (with every migration
// applied) and Temporal. /healthz only says the process is up; a load balancer should send traffic
// by this one.
import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { type Kysely, sql } from 'kysely';
import { pendingMigrations } from '../db/migrations.js';
import type { Db } from '../db/index.js';

const CHECK_TIMEOUT_MS = 2_000;

async function check(name: string, probe: () => Promise<unknown>): Promise<[string, string]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([probe(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)))]);
    return [name, 'ok'];
  } catch (error) {
    return [name, `unavailable: ${(error as Error).message.split('\n')[0].slice(0, 200)}`];
  } finally {
    clearTimeout(timer);
  }
}

/** `details`: which check failed and why (internal error text: for operators only). */
export function readiness({ client, db }: { client: Client; db: Db }, { details }: { details: boolean }): RequestHandler {
  return async (_req, res) => {
    const checks = Object.fromEntries(
      await Promise.all([
        check('database', () => sql`select 1`.execute(db)),
        check('migrations', async () => {
          const pending = await pendingMigrations(db as Kysely<unknown>);
          if (pending.length > 0) throw new Error(`not applied: ${pending.join(', ')}`);
        }),
        check('temporal', () => client.workflowService.getSystemInfo({})),
      ]),
    );
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.set('Cache-Control', 'no-store').status(ready ? 200 : 503).json(details ? { ready, checks } : { ready });
  };
}
