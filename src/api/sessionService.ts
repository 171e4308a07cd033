// Starting and connecting sessions: shared by the sessions router and Gandalf's callback.
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { PipelineSettings } from '../config/index.js';
import { sessionsStarted } from '../observability/metrics.js';
import { SessionErasedError, type SessionKeyring, sessionDigest } from '../temporal/codec/sessionKeys.js';
import type { Db } from '../db/index.js';
import { DATA_SOURCE, DataSourceKey, type ForgetReceipt, type ForgetRequester, type ForgetWorkflowType, forgetWorkflowId, INTERACTIVE_PRIORITY, type SessionInput, SessionProgressKey, type SessionState, SessionStateKey, type SessionWorkflowType, WorkflowTypes, connectUpdate, sessionPriority, sessionWorkflowId } from '../contracts/index.js';

export interface SessionServiceDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  settings: PipelineSettings;
  /** This process's session payload keys: their cache is dropped once a session is forgotten. */
  sessionKeys?: SessionKeyring;
}

export type SessionService = ReturnType<typeof createSessionService>;

export function createSessionService({ client, db, taskQueue, settings, sessionKeys }: SessionServiceDeps) {
  /**
   * Whether the id was ever a session's: its row, or the tombstone of a forgotten one. Temporal's
   * REJECT_DUPLICATE guards an id only while the namespace keeps the closed workflow; the rows (and
   * the tombstone) outlive that, and a new history must never be mixed into them. A forgotten id
   * is refused as erased (409); a row's id finds its session (created: false).
   */
  async function idUsed(sessionId: string): Promise<boolean> {
    const tombstone = await db.selectFrom('erased_session_keys').select('session_digest').where('session_digest', '=', sessionDigest(sessionId)).executeTakeFirst();
    if (tombstone) throw new SessionErasedError(`session ${sessionId} was erased`);
    const row = await db.selectFrom('sessions').select('id').where('id', '=', sessionId).executeTakeFirst();
    return row !== undefined;
  }

  // The session row is the workflow's to write (recordSessionState): the API only starts it.
  const startOptions = (sessionId: string, state: SessionState) => ({
    workflowId: sessionWorkflowId(sessionId),
    taskQueue,
    // What the Web UI shows in its list and on the workflow's page (no personal data: no dataKey).
    staticSummary: `viewer session · Netflix · interactive${state === 'AWAITING_CONNECTION' ? ' · awaiting connection' : ''}`,
    staticDetails: [`**Session** \`${sessionId}\``, '', 'Progress: the `progress` query, or the current details below.', 'Chunk children: `…/show-data/<n>` and `…/crawl/<n>`.'].join('\n'),
    // A viewer is waiting: ahead of any scheduled refresh backlog (REFRESH_PRIORITY), and sharing
    // the queue fairly with other viewers (its own fairness key).
    priority: sessionPriority(sessionId),
    // A session id is used once: naming a finished (or forgotten) session's id finds it, never starts it again.
    workflowIdReusePolicy: 'REJECT_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: SessionStateKey, value: state },
      { key: SessionProgressKey, value: 0 },
      { key: DataSourceKey, value: DATA_SOURCE },
    ],
  });

  return {
    /** Starts the session's workflow; a second start with the same id finds the first one. */
    async start(sessionId: string, dataKey?: string): Promise<{ created: boolean }> {
      if (await idUsed(sessionId)) return { created: false };
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

    /**
     * Erases the session (ForgetWorkflow; a second request joins the first). Waits up to `waitMs`
     * for the receipt; undefined when it is still working (its workflow finishes it regardless).
     */
    async forget(sessionId: string, requestedBy: ForgetRequester, waitMs: number, operatorKeyId?: string): Promise<{ workflowId: string; receipt?: ForgetReceipt }> {
      const workflowId = forgetWorkflowId(sessionId);
      const handle = await client.workflow.start<ForgetWorkflowType>(WorkflowTypes.forget, {
        workflowId,
        taskQueue,
        args: [{ sessionId, requestedBy, ...(operatorKeyId ? { operatorKeyId } : {}) }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        priority: { priorityKey: INTERACTIVE_PRIORITY },
        staticSummary: `forget session ${sessionId} (${requestedBy}${operatorKeyId ? ` key ${operatorKeyId}` : ''})`,
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), waitMs);
      });
      try {
        const receipt = await Promise.race([handle.result(), late]);
        // This process may hold the session's key in its cache: drop it here and now.
        if (receipt) await sessionKeys?.destroy(sessionId);
        return { workflowId, receipt };
      } finally {
        clearTimeout(timer);
      }
    },

    /**
     * Delivers the viewer's dataKey with the connect Update: true when the session was waiting and
     * took this key; false when it does not exist, has finished, or already has a key.
     */
    async connect(sessionId: string, dataKey: string): Promise<boolean> {
      try {
        await client.workflow.getHandle(sessionWorkflowId(sessionId)).executeUpdate(connectUpdate, { args: [{ dataKey }] });
        return true;
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },
  };
}
