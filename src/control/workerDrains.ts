// Draining a worker by name: an operator's row in worker_drains, which that worker watches for. It
// then does what SIGTERM does: stops polling, lets in-flight work finish within its grace time, and
// exits its run loop. Names are Temporal's worker identities, as `showprint workers` lists them.
import type { Db } from '../db/index.js';

export interface WorkerDrain {
  identity: string;
  requestedBy: string;
  requestedAt: string;
  drainedAt: string | null;
}

/** A worker as much as draining needs of it. */
interface Drainable {
  shutdown(): void;
  getState(): string;
}

const FINISHED = new Set(['STOPPED', 'FAILED']);

export async function requestDrain(db: Db, identity: string, requestedBy: string): Promise<WorkerDrain> {
  await db
    .insertInto('worker_drains')
    .values({ identity, requested_by: requestedBy })
    .onConflict((oc) => oc.column('identity').doUpdateSet({ requested_by: requestedBy, requested_at: new Date(), drained_at: null }))
    .execute();
  return (await listDrains(db)).find((d) => d.identity === identity)!;
}

export async function listDrains(db: Db): Promise<WorkerDrain[]> {
  const rows = await db.selectFrom('worker_drains').selectAll().orderBy('requested_at', 'desc').execute();
  return rows.map((r) => ({ identity: r.identity, requestedBy: r.requested_by, requestedAt: r.requested_at.toISOString(), drainedAt: r.drained_at?.toISOString() ?? null }));
}

/**
 * Looks for a drain request naming `identity` every `pollMs`; shuts the worker down when there is
 * one, and records when it has stopped. The watch ends with the worker, whatever stopped it.
 */
export function watchForDrain(db: Db, identity: string, worker: Drainable, pollMs = 2_000): void {
  let draining = false;
  const tick = async () => {
    if (FINISHED.has(worker.getState())) {
      clearInterval(timer);
      if (draining) await db.updateTable('worker_drains').set({ drained_at: new Date() }).where('identity', '=', identity).execute();
      return;
    }
    if (draining) return;
    const request = await db.selectFrom('worker_drains').select('identity').where('identity', '=', identity).where('drained_at', 'is', null).executeTakeFirst();
    if (request && worker.getState() === 'RUNNING') {
      draining = true;
      console.warn(`worker ${identity}: drain requested; finishing in-flight work, then stopping`);
      worker.shutdown();
    }
  };
  const timer = setInterval(() => void tick().catch((error: unknown) => console.warn('drain watch failed', (error as Error).message)), pollMs);
  timer.unref();
}
