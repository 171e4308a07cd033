// /api/sessions/:id/failures — dead letters, and re-driving them (RedriveWorkflow by signal-with-start).
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { PipelineSettings } from '../config/index.js';
import { listDeadLetters } from '../db/deadLetters.js';
import type { Db } from '../db/index.js';
import { type RedriveWorkflowType, WorkflowTypes, redriveSignal, redriveWorkflowId } from '../contracts/index.js';
import { HttpError } from './errors.js';
import { findSession, readSessionState } from './sessionLookup.js';
import { allow } from './protection/access.js';

export function failuresRouter({ client, db, taskQueue, settings }: { client: Client; db: Db; taskQueue: string; settings: PipelineSettings }): Router {
  const router = Router({ mergeParams: true });

  router.get('/', allow({ scope: 'read' }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id: string }).id);
    const letters = await listDeadLetters(db, row.id, req.query.all === 'true');
    res.json({
      sessionId: row.id,
      failures: letters.map((l) => ({
        showId: l.show_id,
        show: l.name,
        stage: l.stage,
        error: l.error,
        attempts: l.attempts,
        firstFailedAt: l.first_failed_at,
        lastFailedAt: l.last_failed_at,
        resolvedAt: l.resolved_at,
      })),
    });
  });

  router.post('/redrive', allow({ scope: 'write' }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id: string }).id);
    const { state } = await readSessionState(client, row);
    if (state !== 'COMPLETED') {
      throw new HttpError(409, 'not_finished', `Only a completed session can be re-driven (it is ${state}); a running one retries its own shows`);
    }
    const workflowId = redriveWorkflowId(row.id);
    await client.workflow.signalWithStart<RedriveWorkflowType, []>(WorkflowTypes.redrive, {
      workflowId,
      taskQueue,
      args: [{ sessionId: row.id, showCacheTtlMs: settings.showCacheTtlMs, retry: settings.chunkRetry }],
      signal: redriveSignal,
      signalArgs: [],
    });
    res.status(202).json({ sessionId: row.id, workflowId });
  });

  return router;
}
