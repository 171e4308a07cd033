// Starting and connecting sessions: shared by the sessions router and Gandalf's callback.
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { PipelineSettings } from '../config/index.js';
import { sessionsStarted } from '../observability/metrics.js';
import { DATA_SOURCE, DataSourceKey, INTERACTIVE_PRIORITY, type SessionInput, SessionProgressKey, type SessionState, SessionStateKey, type SessionWorkflowType, WorkflowTypes, connectSignal, sessionWorkflowId } from '../contracts/index.js';

export interface SessionServiceDeps {
  client: Client;
  taskQueue: string;
  settings: PipelineSettings;
}

export type SessionService = ReturnType<typeof createSessionService>;

export function createSessionService({ client, taskQueue, settings }: SessionServiceDeps) {
  // The session row is the workflow's to write (recordSessionState): the API only starts it.
  const startOptions = (sessionId: string, state: SessionState) => ({
    workflowId: sessionWorkflowId(sessionId),
    taskQueue,
    // What the Web UI shows in its list and on the workflow's page (no personal data: no dataKey).
    staticSummary: `viewer session · Netflix · interactive${state === 'AWAITING_CONNECTION' ? ' · awaiting connection' : ''}`,
    staticDetails: [`**Session** \`${sessionId}\``, '', 'Progress: the `progress` query, or the current details below.', 'Chunk children: `…/show-data/<n>` and `…/crawl/<n>`.'].join('\n'),
    // A viewer is waiting: ahead of any scheduled refresh backlog (REFRESH_PRIORITY).
    priority: { priorityKey: INTERACTIVE_PRIORITY },
    typedSearchAttributes: [
      { key: SessionStateKey, value: state },
      { key: SessionProgressKey, value: 0 },
      { key: DataSourceKey, value: DATA_SOURCE },
    ],
  });

  return {
    /** Starts the session's workflow; a second start with the same id finds the first one. */
    async start(sessionId: string, dataKey?: string): Promise<{ created: boolean }> {
      const state: SessionState = dataKey ? 'PROCESSING' : 'AWAITING_CONNECTION';
      const input: SessionInput = { sessionId, dataKey, settings };
      try {
        await client.workflow.start<SessionWorkflowType>(WorkflowTypes.session, { ...startOptions(sessionId, state), args: [input] });
        sessionsStarted.inc();
        return { created: true };
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return { created: false };
        throw error;
      }
    },

    /** Gandalf Connect's redirect: deliver the key, starting the session if it does not exist yet. */
    async connectOrStart(sessionId: string, dataKey: string): Promise<void> {
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
