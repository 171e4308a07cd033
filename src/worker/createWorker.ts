// Builds a worker over real dependencies: database, rate limiter, service clients and AI.
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { activityFairnessKey } from '../../activities/fairLanes.js';
import { createActivities } from '../../activities/index.js';
import { createGandalfClient } from '../clients/gandalf/client.js';
import { createAiClient } from '../clients/openai.js';
import { createCircuitBreakers } from '../clients/circuitBreaker.js';
import { createDbRateLimiter } from '../clients/rateLimiter.js';
import { DEFAULT_RETRY, createServiceCaller } from '../clients/retry.js';
import { createHoldGate } from '../control/serviceHolds.js';
import { publishCircuit } from '../control/serviceStatus.js';
import { watchForDrain } from '../control/workerDrains.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createTmdbClient } from '../clients/tmdb.js';
import { createWikidataClient } from '../clients/wikidata.js';
import { type AppConfig, ConfigError, type ServiceEndpoints } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { SessionKeyring } from '../temporal/codec/sessionKeys.js';
import { circuitState, instrumentActivities } from '../observability/metrics.js';

const require = createRequire(import.meta.url);

/** The workflow sources: `.ts` under tsx (dev, tests), `.js` when this runs compiled from dist/. */
export const workflowsPath = existsSync(new URL('../../workflows/index.ts', import.meta.url))
  ? require.resolve('../../workflows/index.ts')
  : require.resolve('../../workflows/index.js');

/**
 * The image ships a bundle built ahead (WORKFLOW_BUNDLE_PATH): no webpack at start, and the code it
 * runs is the code that was tested. A configured path that is missing is an error, not a silent rebuild.
 */
function prebuiltBundle(config: AppConfig): WorkerOptions['workflowBundle'] | undefined {
  if (!config.workflowBundlePath) return undefined;
  const codePath = path.resolve(config.workflowBundlePath);
  if (!existsSync(codePath)) throw new ConfigError(`WORKFLOW_BUNDLE_PATH: ${codePath} does not exist (run \`npm run build\`, or unset it to bundle the sources)`);
  return { codePath };
}

export interface WorkerSetup {
  config: AppConfig;
  endpoints: ServiceEndpoints;
  db: Db;
  connection: NativeConnection;
  /** Prebuilt workflow bundle (tests reuse one); else WORKFLOW_BUNDLE_PATH's; else the worker bundles workflowsPath. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Bundles this entry instead of workflowsPath (the bench adds its baseline workflows this way). */
  workflowsPath?: string;
  taskQueue?: string;
  /** Must match the clients' (src/temporal/codec: payload encryption); `{}` only where no client encrypts. */
  dataConverter: DataConverter;
  /** The session keys inside that data converter's codec, which forgetting a session destroys. */
  sessionKeys?: SessionKeyring;
}

function buildActivities({ config, endpoints, db, connection, dataConverter, sessionKeys }: WorkerSetup, identity: string) {
  const timeoutMs = config.services.httpTimeoutMs;
  const activities = createActivities({
    db,
    client: new Client({ connection, namespace: config.temporal.namespace, dataConverter }),
    sessionKeys,
    caller: createServiceCaller(
      createDbRateLimiter(
        db,
        { gandalf: config.rates.gandalf, tmdb: config.rates.tmdb, rt: config.rates.rt, wikidata: config.rates.wikidata },
        // The shared limits are shared in turn between sessions: the activity's fairness key is its session.
        { fairnessKey: activityFairnessKey },
      ),
      createCircuitBreakers({
        ...config.circuit,
        onChange: (service, state) => {
          circuitState.set({ service }, state === 'open' ? 2 : 0);
          void publishCircuit(db, identity, service, state).catch((error: unknown) => console.warn('could not publish a circuit change', (error as Error).message));
        },
      }),
      { ...DEFAULT_RETRY, throttlePatienceMs: config.throttlePatienceMs },
      createHoldGate(db),
    ),
    gandalf: createGandalfClient({ url: endpoints.gandalfUrl, privateKeyHex: endpoints.gandalfPrivateKey, timeoutMs }),
    tmdb: createTmdbClient({ url: endpoints.tmdbUrl, apiKey: endpoints.tmdbApiKey, timeoutMs }),
    ai: createAiClient({
      baseUrl: endpoints.openaiBaseUrl,
      apiKey: endpoints.openaiApiKey,
      model: config.services.openaiModel,
      timeoutMs: config.services.aiTimeoutMs,
      maxAttempts: config.services.aiMaxAttempts,
      throttlePatienceMs: config.throttlePatienceMs,
    }),
    // No Wikidata endpoint (an RT mirror it does not know): slug guesses alone find the pages.
    wikidata: endpoints.wikidataUrl
      ? createWikidataClient({ url: endpoints.wikidataUrl, userAgent: config.services.wikidataUserAgent, timeoutMs })
      : undefined,
    rt: { url: endpoints.rtUrl, userAgent: config.services.rtUserAgent, maxConcurrency: config.rates.rtMaxConcurrency, timeoutMs },
    tmdbConcurrency: config.rates.tmdbMaxConcurrency,
  });
  return instrumentActivities(activities);
}

export async function createShowprintWorker(setup: WorkerSetup): Promise<Worker> {
  // An explicit workflowsPath (the bench's own entry) is bundled even where a prebuilt bundle is configured.
  const workflowBundle = setup.workflowBundle ?? (setup.workflowsPath ? undefined : prebuiltBundle(setup.config));
  // Unique per worker, as Temporal lists pollers: what `showprint drain` names and circuits are kept by.
  const identity = `${process.pid}@${hostname()}/${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection: setup.connection,
    namespace: setup.config.temporal.namespace,
    taskQueue: setup.taskQueue ?? setup.config.temporal.taskQueue,
    identity,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: setup.workflowsPath ?? workflowsPath }),
    activities: buildActivities(setup, identity),
    dataConverter: setup.dataConverter,
    maxConcurrentActivityTaskExecutions: 50,
    shutdownGraceTime: '10s',
  });
  watchForDrain(setup.db, identity, worker);
  return worker;
}
