// The Express app: routers built over injected dependencies.
import type { Client } from '@temporalio/client';
import compression from 'compression';
import express from 'express';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppConfig, PipelineSettings } from '../config/index.js';
import type { Db } from '../db/index.js';
import { scrape } from '../observability/metrics.js';
import { SESSION_STATES } from '../contracts/index.js';
import { type SecurityOptions, apiKeySet } from './protection/options.js';
import { codecCors, codecRouter } from '../temporal/codec/codecServer.js';
import { apiGuard, securityHeaders } from './protection/middleware.js';
import { allow } from './protection/access.js';
import type { SessionKeyring } from '../temporal/codec/sessionKeys.js';
import { readiness } from './readiness.js';
import { callbackRouter } from './callbackRouter.js';
import { catalogRouter } from './catalogRouter.js';
import { controlRouter } from './controlRouter.js';
import { serviceStatus, serviceStatusMetrics } from '../control/serviceStatus.js';
import { failuresRouter } from './failuresRouter.js';
import { schedulesRouter } from './schedulesRouter.js';
import { type DemoDataKey, demoRouter } from './demoRouter.js';
import { type EventsOptions, eventsRouter } from './eventsRouter.js';
import { HttpError, errorHandler } from './errors.js';
import { createSessionService } from './sessionService.js';
import { sessionsRouter } from './sessionsRouter.js';
import { handoffRouter } from './share/handoff.js';
import { ConnectStates } from './protection/connectState.js';
import { type AuditSink, defaultAuditSink } from './protection/audit.js';
import { ViewerTokenEpochs } from './protection/viewerTokens.js';
import { ImageCache } from './share/imageCache.js';
import { ShareLinks } from './share/shareLinks.js';
import { shareLinksRouter, shareRouter } from './share/shareRouter.js';
import { blendRouter, blendShareRouter } from './blend/blendRouter.js';
import { BlendInvitations } from './blend/invitations.js';
import { yearShareLinksRouter, yearShareRouter } from './share/yearShare.js';

export interface ApiDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  settings: PipelineSettings;
  /** What GET /api/demo-keys lists in the page's chooser: the stand-ins' viewers when they run; none (default) against a real Gandalf. */
  demoDataKeys?: readonly DemoDataKey[];
  /** Tuning and instrumentation of the progress event stream. */
  events?: EventsOptions;
  /** The Temporal SDK's Prometheus exporter in this process, appended to /metrics. */
  sdkMetricsUrl?: string;
  /** API keys, viewer tokens, request limits, signed callbacks and the payload codec endpoint. */
  security: SecurityOptions;
  /** The session payload keys inside the codec: forgetting a session drops this process's copy at once. */
  sessionKeys?: SessionKeyring;
  /** How long DELETE /api/sessions/:id waits for the forget receipt before answering 202 (default 30 s). */
  forgetWaitMs?: number;
  /** The shared limiter's rates, as the workers are configured (the control plane shows them). */
  rates?: AppConfig['rates'];
  /** PUBLIC_URL: the origin share and hand-off links name; unset, each request's own. */
  publicUrl?: string;
  /** Where audit lines of acts on sessions go (default: their own JSON log). */
  audit?: AuditSink;
}

// The viewer's page: static files, no build step.
const webDir = fileURLToPath(new URL('./web/', import.meta.url));
const fontDir = path.dirname(createRequire(import.meta.url).resolve('@fontsource/inter/files/inter-latin-400-normal.woff2'));

const sessionStatesScript = [
  `window.SESSION_STATES = Object.freeze(${JSON.stringify(Object.fromEntries(SESSION_STATES.map((state) => [state, state])))});`,
  '',
].join('\n');

/** The services the shared limiter paces, at their configured rates. */
const limiterRates = (rates: ApiDeps['rates']) => (rates ? { gandalf: rates.gandalf, tmdb: rates.tmdb, rt: rates.rt, wikidata: rates.wikidata } : {});

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const security = deps.security;
  const production = security.deployment === 'production';
  // A link that carries a token must never be built from a request's Host header, which anyone can forge.
  if (production && !deps.publicUrl) throw new Error('PUBLIC_URL is required outside the local demo (DEPLOYMENT=local): share and hand-off links name it');
  // Behind TLS termination: which proxies' X-Forwarded-Proto/-For count (req.secure, req.ip).
  app.set('trust proxy', security.trustProxy ?? false);
  const secureCookies = production;
  const epochs = new ViewerTokenEpochs(deps.db);
  const connectStates = new ConnectStates(security.viewerTokens.derivedKey('connect-state'));
  const audit = deps.audit ?? defaultAuditSink;
  app.use(securityHeaders());
  // CORS first so the Web UI can read even a 401; then rate limit and auth, before any body is read.
  app.use('/codec', codecCors(security.codecCorsOrigins));
  const apiKeys = apiKeySet(security);
  app.use(apiGuard({ apiKeys, viewerTokens: security.viewerTokens, epochs, allowAnonymousSessions: security.allowAnonymousSessions, rateLimit: security.rateLimit }));
  // Before the 16 kB parser: codec requests carry whole pages of payloads. Decoding is reading.
  app.use('/codec', codecRouter({ codec: security.codec, access: allow({ scope: 'read', codecToken: true }) }));
  app.use(express.json({ limit: '16kb' }));
  const sessions = createSessionService(deps);
  app.get('/healthz', allow({ public: true }), (_req, res) => void res.json({ ok: true }));
  // The public answer is one word; what failed, and why, is for operators.
  app.get('/readyz', allow({ public: true }), readiness(deps, { details: false }));
  app.get('/api/control/readiness', allow({ scope: 'admin' }), readiness(deps, { details: true }));
  app.get('/metrics', allow({ scope: 'read' }), async (_req, res) => {
    // Each external service as every worker left it (holds, circuits), beside this process's metrics.
    const services = serviceStatusMetrics(await serviceStatus(deps.db, limiterRates(deps.rates)));
    res.type('text/plain; version=0.0.4').send(`${await scrape(deps.sdkMetricsUrl)}${services}`);
  });
  // Which operator keys exist and what they may do (ids and scopes, never the keys).
  app.get('/api/keys', allow({ scope: 'admin' }), (_req, res) => void res.json({ keys: apiKeys.list() }));
  app.use('/api/sessions', sessionsRouter({ client: deps.client, db: deps.db, sessions, viewerTokens: security.viewerTokens, epochs, connectStates, secureCookies, audit, forgetWaitMs: deps.forgetWaitMs }));
  app.use('/api/sessions/:id/failures', failuresRouter(deps));
  app.use('/api/sessions/:id/schedule', schedulesRouter(deps));
  app.use('/api/catalog/crawls', catalogRouter(deps));
  app.use('/api/control', controlRouter({ client: deps.client, db: deps.db, taskQueue: deps.taskQueue, rates: limiterRates(deps.rates) }));
  app.use('/api/sessions', eventsRouter({ client: deps.client, db: deps.db, ...deps.events }));
  const share = {
    client: deps.client,
    db: deps.db,
    links: new ShareLinks(deps.db, security.viewerTokens.derivedKey('share-links')),
    images: new ImageCache(),
    publicUrl: deps.publicUrl,
    audit,
  };
  app.use('/api/sessions/:id', shareLinksRouter(share));
  const blends = {
    ...share,
    taskQueue: deps.taskQueue,
    invitations: new BlendInvitations(deps.db, security.viewerTokens.derivedKey('blend-invitations')),
    shareKey: security.viewerTokens.derivedKey('blend-share-links'),
  };
  app.use('/api/sessions/:id', blendRouter(blends));
  const years = { db: deps.db, links: share.links, key: security.viewerTokens.derivedKey('year-share-links'), images: share.images, publicUrl: deps.publicUrl };
  app.use('/api/sessions/:id', yearShareLinksRouter(years));
  app.use('/api/sessions/:id', handoffRouter({ client: deps.client, db: deps.db, viewerTokens: security.viewerTokens, epochs, publicUrl: deps.publicUrl, secureCookies }));
  // An unsigned callback is anyone's to fire: outside the local demo it exists only with a secret.
  if (security.callbackSecret || !production) {
    app.use('/api/callback', callbackRouter({ sessions, callbackSecret: security.callbackSecret, connectStates, viewerTokens: security.viewerTokens, epochs, secureCookies }));
  }
  app.use('/api/demo-keys', demoRouter(deps.demoDataKeys));
  // The page spells session states from the contract, not by hand: a script it loads before app.js.
  app.get('/session-states.js', allow({ public: true }), (_req, res) => void res.type('text/javascript').send(sessionStatesScript));
  app.use('/share/blend', blendShareRouter(blends));
  app.use('/share/year', yearShareRouter(years));
  app.use('/share', shareRouter(share));
  // Only the page's own files are compressed: they are text that never streams (an event stream
  // must not sit in a compressor's buffer), and they are what a phone waits for first.
  app.use(compression(), express.static(webDir));
  // The page's font: the same Inter the share images are drawn with, from the package we ship.
  app.use('/fonts', allow({ public: true }), express.static(fontDir, { immutable: true, maxAge: '365d' }));
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
