// /api/control — the control plane for operators: external services (limiter rate, circuits, holds
// for everyone) and workers (the task queue's pollers, backlog and rates; draining one by name).
// Sessions are paused and resumed on their own routes (/api/sessions/:id/pause|resume).
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { ServiceName } from '../clients/rateLimiter.js';
import { HOLDABLE_SERVICES, holdService, releaseService } from '../control/serviceHolds.js';
import { serviceStatus } from '../control/serviceStatus.js';
import { describeTaskQueue } from '../control/taskQueues.js';
import { listDrains, requestDrain } from '../control/workerDrains.js';
import type { Db } from '../db/index.js';
import { HttpError } from './errors.js';
import { allow } from './protection/access.js';
import { actorOf } from './protection/audit.js';

export interface ControlDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  /** The shared limiter's rates (as the workers are configured). */
  rates: Partial<Record<ServiceName, number>>;
}

const holdBody = z.object({ reason: z.string().trim().max(200).optional() }).strict();
const serviceParam = z.enum(HOLDABLE_SERVICES, { message: `must be one of ${HOLDABLE_SERVICES.join(', ')} (the services chunk work waits on)` });
const identityParam = z.string().min(1).max(200);


export function controlRouter({ client, db, taskQueue, rates }: ControlDeps): Router {
  const router = Router();

  router.get('/services', allow({ scope: 'read' }), async (_req, res) => {
    res.json({ services: await serviceStatus(db, rates) });
  });

  router.post('/services/:service/hold', allow({ scope: 'admin' }), async (req, res) => {
    const service = serviceParam.parse(req.params.service);
    const { reason } = holdBody.parse(req.body ?? {});
    res.json({ hold: await holdService(db, service, actorOf(res), reason) });
  });

  router.delete('/services/:service/hold', allow({ scope: 'admin' }), async (req, res) => {
    const service = serviceParam.parse(req.params.service);
    if (!(await releaseService(db, service))) throw new HttpError(404, 'not_held', `${service} is not held`);
    res.json({ service, released: true });
  });

  router.get('/workers', allow({ scope: 'read' }), async (_req, res) => {
    const [queue, drains] = await Promise.all([describeTaskQueue(client, taskQueue), listDrains(db)]);
    res.json({ ...queue, drains });
  });

  router.post('/workers/:identity/drain', allow({ scope: 'admin' }), async (req, res) => {
    const identity = identityParam.parse(req.params.identity);
    const queue = await describeTaskQueue(client, taskQueue);
    const known = [...queue.workflow.pollers, ...queue.activity.pollers].some((p) => p.identity === identity);
    if (!known) throw new HttpError(404, 'no_such_worker', `No worker ${identity} polls ${taskQueue} (see GET /api/control/workers)`);
    res.status(202).json({ drain: await requestDrain(db, identity, actorOf(res)) });
  });

  return router;
}
