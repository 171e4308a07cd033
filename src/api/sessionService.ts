// Starting and connecting sessions: shared by the sessions router and Gandalf's callback.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { PipelineSettings } from '../config/index.js';
import type { Db } from '../db/index.js';
import { sessionsStarted } from '../observability/metrics.js';
import { DataSourceKey, INTERACTIVE_PRIORITY, type SessionInput, SessionProgressKey, type SessionState, SessionStateKey, type SessionWorkflowType, WorkflowTypes, connectSignal, sessionWorkflowId } from '../contracts/index.js';

export interface SessionServiceDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  settings: PipelineSettings;
}

export type SessionService = ReturnType<typeof createSessionService>;

export function createSessionService({ client, db, taskQueue, settings }: SessionServiceDeps) {
  const startOptions = (sessionId: string, state: SessionState) => ({
    workflowId: sessionWorkflowId(sessionId),
    taskQueue,
    // A viewer is waiting: ahead of any scheduled refresh backlog (REFRESH_PRIORITY).
    priority: { priorityKey: INTERACTIVE_PRIORITY },
    typedSearchAttributes: [
      { key: SessionStateKey, value: state },
      { key: SessionProgressKey, value: 0 },
      { key: DataSourceKey, value: 'NETFLIX' },
    ],
  });

  /** The projection row comes first, so the session is listed from the moment it exists. */
  async function insertRow(sessionId: string, state: SessionState): Promise<boolean> {
    const inserted = await db
      .insertInto('sessions')
      .values({ id: sessionId, workflow_id: sessionWorkflowId(sessionId), data_source: 'NETFLIX', state })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    return !!inserted;
  }

  return {
    /** Starts the session's workflow; a second start with the same id finds the first one. */
    async start(sessionId: string, dataKey?: string): Promise<{ created: boolean }> {
      const state: SessionState = dataKey ? 'PROCESSING' : 'AWAITING_CONNECTION';
      const inserted = await insertRow(sessionId, state);
      const input: SessionInput = { sessionId, dataKey, settings };
      try {
        await client.workflow.start<SessionWorkflowType>(WorkflowTypes.session, { ...startOptions(sessionId, state), args: [input] });
        sessionsStarted.inc();
        return { created: true };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { created: false };
        if (inserted) await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
        throw error;
      }
    },

    /** Gandalf Connect's redirect: deliver the key, starting the session if it does not exist yet. */
    async connectOrStart(sessionId: string, dataKey: string): Promise<void> {
      await insertRow(sessionId, 'AWAITING_CONNECTION');
      const input: SessionInput = { sessionId, settings };
      await client.workflow.signalWithStart<SessionWorkflowType, [{ dataKey: string }]>(WorkflowTypes.session, {
        ...startOptions(sessionId, 'AWAITING_CONNECTION'),
        args: [input],
        signal: connectSignal,
        signalArgs: [{ dataKey }],
      });
    },
  };
}
