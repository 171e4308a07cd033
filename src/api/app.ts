// The Express app: routers built over injected dependencies.
import type { Client } from '@temporalio/client';
import express from 'express';
import { fileURLToPath } from 'node:url';
import type { PipelineSettings } from '../config/index.js';
import type { Db } from '../db/index.js';
import { callbackRouter } from './callbackRouter.js';
import { failuresRouter } from './failuresRouter.js';
import { demoRouter } from './demoRouter.js';
import { type EventsOptions, eventsRouter } from './eventsRouter.js';
import { HttpError, errorHandler } from './errors.js';
import { createSessionService } from './sessionService.js';
import { sessionsRouter } from './sessionsRouter.js';

export interface ApiDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  settings: PipelineSettings;
  /** Serve GET /api/demo-keys for the page's chooser (default true). */
  demoKeys?: boolean;
  /** Tuning and instrumentation of the progress event stream. */
  events?: EventsOptions;
}

// The viewer's page: static files, no build step.
const webDir = fileURLToPath(new URL('./web/', import.meta.url));

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  const sessions = createSessionService(deps);
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  app.use('/api/sessions', sessionsRouter({ client: deps.client, db: deps.db, sessions }));
  app.use('/api/sessions/:id/failures', failuresRouter(deps));
  app.use('/api/sessions', eventsRouter({ client: deps.client, db: deps.db, ...deps.events }));
  app.use('/api/callback', callbackRouter({ sessions }));
  if (deps.demoKeys ?? true) app.use('/api/demo-keys', demoRouter());
  app.use(express.static(webDir));
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
