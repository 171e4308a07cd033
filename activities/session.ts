// Keeps the sessions projection (what lists and finished sessions are read from) in step with the workflow.

import { outcomeStands, stageColumns, writeOffShows } from '../src/db/deadLetters.js';
import type { Db } from '../src/db/index.js';
import { sessionDuration, sessionsFinished } from '../src/observability/metrics.js';
import { ApplicationFailure } from '@temporalio/activity';
import { sql } from 'kysely';
import type { LookupStatus } from '../src/db/schema.js';
import { type ChunkWriteOff, DATA_SOURCE, type MarkChunkFailedInput, PipelineErrors, type RecordSessionStateInput, isStageName, isTerminalState } from '../src/contracts/index.js';

export function createSessionActivities({ db }: { db: Db }) {
  return {
    /**
     * The one writer of a session row's state (called by its workflow only). The row is created by
     * the first call; a terminal state is counted once, however often the activity is retried.
     */
    async recordSessionState(input: RecordSessionStateInput): Promise<void> {
      const now = new Date();
      const terminal = isTerminalState(input.state);
      const finished = await db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('sessions').select(['state', 'created_at']).where('id', '=', input.sessionId).forUpdate().executeTakeFirst();
        await trx
          .insertInto('sessions')
          .values({ id: input.sessionId, workflow_id: input.workflowId, data_source: DATA_SOURCE, state: input.state, failure_reason: input.reason ?? null, ...(terminal ? { completed_at: now } : {}) })
          .onConflict((oc) => oc.column('id').doUpdateSet({ state: input.state, failure_reason: input.reason ?? null, updated_at: now, ...(terminal ? { completed_at: now } : {}) }))
          .execute();
        return terminal && before?.state !== input.state ? { createdAt: before?.created_at ?? now } : undefined;
      });
      if (finished) {
        sessionsFinished.inc({ state: input.state });
        if (input.state === 'COMPLETED') sessionDuration.observe((now.getTime() - new Date(finished.createdAt).getTime()) / 1000);
      }
    },

    /**
     * The chunk's activity ran out of attempts (crashes, timeouts, an outage): its shows without an
     * outcome yet are failed and dead-lettered, so a re-drive or the next session retries them. Shows
     * an earlier attempt already finished keep their outcome; the matched ones are returned.
     */
    async markChunkFailed(input: MarkChunkFailedInput): Promise<ChunkWriteOff> {
      if (input.showIds.length === 0) return { failedShowIds: [], matchedShowIds: [] };
      if (!isStageName(input.stage)) throw ApplicationFailure.nonRetryable(`no pipeline stage named '${String(input.stage)}'`, PipelineErrors.unknownStage);
      const { status, checkedAt } = stageColumns(input.stage);
      const rows = await db
        .selectFrom('shows')
        .select(['id', sql.ref<LookupStatus>(status).as('status'), sql.ref<Date | null>(checkedAt).as('checked_at')])
        .where('id', 'in', input.showIds)
        .execute();
      const stands = (s: (typeof rows)[number]) => outcomeStands(s.status, s.checked_at);
      const failedShowIds = rows.filter((s) => !stands(s)).map((s) => s.id);
      const matchedShowIds = rows.filter((s) => stands(s) && s.status === 'matched').map((s) => s.id);
      await writeOffShows(db, { sessionId: input.sessionId, stage: input.stage, showIds: failedShowIds, reason: input.reason, attempts: input.attempts ?? 1 });
      return { failedShowIds, matchedShowIds };
    },
  };
}

