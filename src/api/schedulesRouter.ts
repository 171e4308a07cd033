// /api/sessions/:id/schedule — recurring refresh ("recurring analysis") as a Temporal Schedule.
// Overlap policy SKIP: a refresh still running when the next one is due makes the next one
// unnecessary (each refresh fetches everything newer than what is stored), so nothing piles up.
import { type Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { PipelineSettings } from '../config/index.js';
import { parseDuration } from '../config/duration.js';
import type { Db } from '../db/index.js';
import { WorkflowTypes, refreshScheduleId, refreshWorkflowId } from '../contracts/index.js';
import { HttpError } from './errors.js';
import { findSession, readSessionState } from './sessionLookup.js';
import { dataKeySchema } from './sessionsRouter.js';
import { allow } from './protection/access.js';

const createBody = z
  .object({
    dataKey: dataKeySchema,
    every: z
      .string()
      .default('1d')
      .refine((v) => {
        try {
          return parseDuration(v) >= 60_000;
        } catch {
          return false;
        }
      }, 'must be a duration of at least 1m, e.g. 6h or 1d'),
  })
  .strict();

export function schedulesRouter({ client, db, taskQueue, settings }: { client: Client; db: Db; taskQueue: string; settings: PipelineSettings }): Router {
  const router = Router({ mergeParams: true });

  const handle = (id: string) => client.schedule.getHandle(refreshScheduleId(id));
  const notFound = (error: unknown) => {
    if (error instanceof ScheduleNotFoundError) throw new HttpError(404, 'no_schedule', 'This session has no refresh schedule');
    throw error;
  };

  router.post('/', allow({ scope: 'write' }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id: string }).id);
    const { state } = await readSessionState(client, row);
    if (state !== 'COMPLETED') throw new HttpError(409, 'not_finished', `Only a completed session can be refreshed (it is ${state})`);
    const body = createBody.parse(req.body ?? {});
    await client.schedule.create({
      scheduleId: refreshScheduleId(row.id),
      spec: { intervals: [{ every: parseDuration(body.every) }] },
      action: {
        type: 'startWorkflow',
        workflowType: WorkflowTypes.refresh,
        workflowId: refreshWorkflowId(row.id),
        taskQueue,
        args: [{ sessionId: row.id, dataKey: body.dataKey, settings }],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1h' },
    });
    res.status(201).json({ sessionId: row.id, scheduleId: refreshScheduleId(row.id), every: body.every });
  });

  router.get('/', allow({ scope: 'read' }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id: string }).id);
    const description = await handle(row.id).describe().catch(notFound);
    res.json({
      sessionId: row.id,
      scheduleId: description.scheduleId,
      paused: description.state.paused,
      note: description.state.note ?? null,
      nextActionTimes: description.info.nextActionTimes,
      recentActions: description.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, takenAt: a.takenAt })),
    });
  });

  router.post('/pause', allow({ scope: 'write' }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id: string }).id);
    await handle(row.id).pause('paused through the API').catch(notFound);
    res.json({ sessionId: row.id, paused: true });
  });

  router.post('/resume', allow({ scope: 'write' }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id: string }).id);
    await handle(row.id).unpause('resumed through the API').catch(notFound);
    res.json({ sessionId: row.id, paused: false });
  });

  router.delete('/', allow({ scope: 'write' }), async (req, res) => {
    const row = await findSession(db, client, (req.params as { id: string }).id);
    await handle(row.id).delete().catch(notFound);
    res.status(204).end();
  });

  return router;
}
