// "Forget me": the steps ForgetWorkflow runs to erase one session, and the query RetentionWorkflow
// uses to find sessions past the retention period. Each step is idempotent, so a retry (or a second
// forget of the same session) finds its work done and says so.
import { Context } from '@temporalio/activity';
import { type Client, ScheduleNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { sql } from 'kysely';
import { PipelineErrors, TERMINAL_SESSION_STATES, refreshScheduleId, sessionWorkflowId } from '../src/contracts/index.js';
import type { Db } from '../src/db/index.js';
import type { SessionKeyring } from '../src/temporal/codec/sessionKeys.js';
import { eraseBlendsOf } from './blend.js';

export interface ForgetDeps {
  db: Db;
  /** Absent in a worker without a Temporal client (then forgetting fails with a clear reason). */
  client?: Client;
  sessionKeys?: SessionKeyring;
}

/** Tables that hold one viewer's data, children first. The show catalogue is shared and stays. */
const SESSION_TABLES = ['episodes', 'films', 'date_problems', 'session_shows', 'insights', 'dead_letters', 'report_versions', 'share_link_epochs', 'viewer_token_epochs', 'handoff_codes', 'period_reports'] as const;

const POLL_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const missing = (what: string) => ApplicationFailure.create({ type: PipelineErrors.forgetNotConfigured, message: `this worker cannot forget sessions: it has no ${what}`, nonRetryable: true });

export function createForgetActivities({ db, client, sessionKeys }: ForgetDeps) {
  return {
    /**
     * Cancels every running workflow of the session (the session itself, its chunk children, a
     * re-drive, a refresh run), waits up to `graceMs` for them to close, then terminates what is
     * left. Returns the ids it closed. The session's own id is described directly, not found by a
     * visibility list, which can lag a start by a moment.
     */
    async closeSessionWorkflows({ sessionId, graceMs }: { sessionId: string; graceMs: number }): Promise<string[]> {
      if (!client) throw missing('Temporal client');
      const parent = sessionWorkflowId(sessionId);
      const ids = new Set<string>([parent]);
      for await (const e of client.workflow.list({ query: `ExecutionStatus = "Running" AND WorkflowId STARTS_WITH "${parent}/"` })) ids.add(e.workflowId);
      const running = async (id: string) => {
        try {
          return (await client.workflow.getHandle(id).describe()).status.name === 'RUNNING';
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return false;
          throw error;
        }
      };
      const open: string[] = [];
      for (const id of ids) if (await running(id)) open.push(id);
      // Cancelling the session lets it close the way it always does (its children go with it).
      for (const id of open) await client.workflow.getHandle(id).cancel().catch((e) => (e instanceof WorkflowNotFoundError ? undefined : Promise.reject(e)));
      const deadline = Date.now() + graceMs;
      let left = open;
      while (left.length > 0 && Date.now() < deadline) {
        Context.current().heartbeat({ left: left.length });
        await sleep(POLL_MS);
        const still: string[] = [];
        for (const id of left) if (await running(id)) still.push(id);
        left = still;
      }
      for (const id of left) {
        await client.workflow
          .getHandle(id)
          .terminate('forgotten: the viewer asked to be erased')
          .catch((e) => (e instanceof WorkflowNotFoundError ? undefined : Promise.reject(e)));
      }
      return open;
    },

    async deleteRefreshSchedule({ sessionId }: { sessionId: string }): Promise<boolean> {
      if (!client) throw missing('Temporal client');
      try {
        await client.schedule.getHandle(refreshScheduleId(sessionId)).delete();
        return true;
      } catch (error) {
        if (error instanceof ScheduleNotFoundError) return false;
        throw error;
      }
    },

    /** Erases the session's Blends (activities/blend.ts), then deletes every row of the session in one transaction; returns the counts by table. */
    async eraseSessionRows({ sessionId }: { sessionId: string }): Promise<Record<string, number>> {
      const blendCounts = await eraseBlendsOf({ db, client, sessionKeys }, sessionId);
      return db.transaction().execute(async (tx) => {
        const counts: Record<string, number> = { ...blendCounts };
        for (const table of SESSION_TABLES) {
          const result = await tx.deleteFrom(table).where('session_id', '=', sessionId).executeTakeFirst();
          counts[table] = Number(result.numDeletedRows);
        }
        // Kept answers of POST /api/sessions that started this session (they name it).
        const answers = await tx.deleteFrom('idempotency_keys').where('location', '=', `/api/sessions/${sessionId}`).executeTakeFirst();
        counts.idempotency_keys = Number(answers.numDeletedRows);
        const sessions = await tx.deleteFrom('sessions').where('id', '=', sessionId).executeTakeFirst();
        counts.sessions = Number(sessions.numDeletedRows);
        return counts;
      });
    },

    /** Crypto-shredding: the session's payload key is destroyed, so its histories can never be read. */
    async destroySessionKey({ sessionId }: { sessionId: string }): Promise<{ keyIds: string[]; erasedAt: string }> {
      if (!sessionKeys) throw missing('session keyring (payload encryption over the database)');
      const { keyIds, erasedAt } = await sessionKeys.destroy(sessionId);
      return { keyIds, erasedAt: erasedAt.toISOString() };
    },

    /** Finished sessions whose last change is older than the retention period, oldest first. */
    async listExpiredSessions({ retentionMs, limit }: { retentionMs: number; limit: number }): Promise<string[]> {
      const cutoff = new Date(Date.now() - retentionMs);
      const rows = await db
        .selectFrom('sessions')
        .select('id')
        .where('state', 'in', [...TERMINAL_SESSION_STATES])
        .where(sql<Date>`coalesce(completed_at, updated_at)`, '<', cutoff)
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
