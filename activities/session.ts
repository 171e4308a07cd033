// Keeps the sessions projection (what lists and finished sessions are read from) in step with the workflow.

import { recordDeadLetter } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { sessionsFinished } from '../src/observability/metrics.js';
import type { SessionState } from '../workflows/types.js';

export function createSessionActivities({ db }: { db: Db }) {
  return {
    async recordSessionState(input: { sessionId: string; workflowId: string; state: SessionState; reason?: string }): Promise<void> {
      const now = new Date();
      await db
        .insertInto('sessions')
        .values({ id: input.sessionId, workflow_id: input.workflowId, data_source: 'NETFLIX', state: input.state, failure_reason: input.reason ?? null })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ state: input.state, failure_reason: input.reason ?? null, updated_at: now, ...(input.state === 'FAILED' ? { completed_at: now } : {}) }),
        )
        .execute();
      if (input.state === 'FAILED') sessionsFinished.inc({ state: 'FAILED' });
    },

    /** Records why a whole chunk failed, so its shows are retried by the next session instead of cached. */
    async markChunkFailed(input: { sessionId: string; stage: 'showData' | 'crawl'; showIds: number[]; reason: string; attempts?: number }): Promise<void> {
      if (input.showIds.length === 0) return;
      const reason = input.reason.slice(0, 500);
      const update =
        input.stage === 'showData'
          ? db.updateTable('shows').set({ tmdb_status: 'failed', tmdb_error: reason, tmdb_checked_at: null })
          : db.updateTable('shows').set({ rt_status: 'failed', rt_error: reason, rt_checked_at: null });
      await update.where('id', 'in', input.showIds).execute();
      for (const showId of input.showIds) {
        await recordDeadLetter(db, { sessionId: input.sessionId, showId, stage: input.stage, error: reason, attempts: input.attempts ?? 1 });
      }
    },
  };
}

