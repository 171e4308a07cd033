// The whole stack in one test process, over real parts: Temporal dev server, stand-ins on loopback
// HTTP, a real database, a worker and the API on a free port.
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app.js';
import { publicKeyHexFromPrivate } from '../../src/clients/gandalf/signature.js';
import { DEMO_DATA_KEYS, DEMO_GANDALF_PRIVATE_KEY } from '../../standins/demoKeys.js';
import { type AppConfig, type ServiceEndpoints, loadConfig } from '../../src/config/index.js';
import type { DatabaseHandle } from '../../src/db/index.js';
import { AesGcmPayloadCodec, encryptingDataConverter } from '../../src/temporal/codec/payloadCodec.js';
import { generatePayloadKey, parsePayloadKeys } from '../../src/config/payloadKeys.js';
import { type SessionKeyring, createSessionKeyring } from '../../src/temporal/codec/sessionKeys.js';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { securityOptions } from '../../src/api/protection/options.js';
import { TEST_CODEC_TOKEN_SECRET } from './servedApp.js';
import { type RunningStandins, startStandins } from '../../standins/index.js';
import { createShowprintWorker } from '../../src/worker/createWorker.js';
import { createTestDatabase } from './db.js';
import { type TemporalEnvOptions, createTemporalEnv, workflowBundle } from './temporal.js';

export interface TestStack {
  env: TestWorkflowEnvironment;
  db: DatabaseHandle;
  standins: RunningStandins;
  config: AppConfig;
  endpoints: ServiceEndpoints;
  worker: Worker;
  workerRun: Promise<void>;
  apiUrl: string;
  /** The client the API uses: with the stack's payload codec (env.client has it too, unless shared). */
  client: Client;
  dataConverter: DataConverter;
  codec: AesGcmPayloadCodec;
  sessionKeys: SessionKeyring;
  /** Send as `Authorization: Bearer <apiKey>`: a key with every scope (read, write, admin). */
  apiKey: string;
  close(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  /** Encrypt payloads (default true). Off only for histories meant for the replay corpus. */
  encryptPayloads?: boolean;
  /** The dev server's matching options (fairness keys honoured by default). */
  temporal?: Omit<TemporalEnvOptions, 'dataConverter'>;
}

/** Fast, test-sized defaults: small pages and chunks so a small history exercises every mechanism. */
export const TEST_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  CODEC_TOKEN_SECRET: TEST_CODEC_TOKEN_SECRET,
  PAGE_SIZE: '100',
  PAGES_PER_FETCH: '2',
  CHUNK_SIZE: '10',
  CONTINUE_AS_NEW_EVERY_PAGES: '4',
  GANDALF_RPS: '200',
  TMDB_RPS: '400',
  RT_RPS: '400',
  WIKIDATA_RPS: '400',
  CIRCUIT_OPEN: '2s',
  // Three quick attempts per chunk: a test that breaks a service for good finishes in seconds.
  CHUNK_MAX_ATTEMPTS: '3',
  CHUNK_RETRY_INITIAL: '200ms',
};

export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const config = loadConfig({ ...TEST_ENV, ...options.env });
  const db = await createTestDatabase();
  // A fresh key per stack (or PAYLOAD_KEYS from options.env): every client and worker here shares it,
  // and sessions' payloads get keys of their own in this stack's database (what forgetting destroys).
  const masterKeys = config.security.payloadKeys ? parsePayloadKeys(config.security.payloadKeys) : [generatePayloadKey('test')];
  const sessionKeys = createSessionKeyring(db.db, masterKeys);
  const codec = new AesGcmPayloadCodec(masterKeys, sessionKeys);
  const dataConverter: DataConverter = options.encryptPayloads === false ? {} : encryptingDataConverter(codec);
  const apiKey = config.security.apiKeys[0] ?? generateApiKey();
  const env = await createTemporalEnv({ ...options.temporal, dataConverter });
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
  const standins = await startStandins({
    gandalfPublicKeyHex: publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY),
    tmdbApiKey: 'test-tmdb-key',
    openaiApiKey: 'test-openai-key',
    limits: {
      gandalf: { latencyMs: 5, jitterMs: 0, rps: 1000, burst: 1000 },
      tmdb: { latencyMs: 2, jitterMs: 0, rps: 1000, burst: 1000 },
      rt: { latencyMs: 2, jitterMs: 0, rps: 1000, burst: 1000 },
      wikidata: { latencyMs: 2, jitterMs: 0, rps: 1000, burst: 1000 },
      openai: { latencyMs: 5, jitterMs: 0, rps: 1000, burst: 1000 },
    },
  });
  const endpoints: ServiceEndpoints = {
    gandalfUrl: standins.urls.gandalf,
    gandalfPrivateKey: DEMO_GANDALF_PRIVATE_KEY,
    tmdbUrl: standins.urls.tmdb,
    tmdbApiKey: 'test-tmdb-key',
    rtUrl: standins.urls.rt,
    wikidataUrl: standins.urls.wikidata,
    openaiBaseUrl: standins.urls.openai,
    openaiApiKey: 'test-openai-key',
  };
  const taskQueue = `test-${Math.random().toString(36).slice(2, 8)}`;
  const worker = await createShowprintWorker({
    config,
    endpoints,
    db: db.db,
    connection: env.nativeConnection,
    workflowBundle: await workflowBundle(),
    taskQueue,
    dataConverter,
    sessionKeys,
  });
  const workerRun = worker.run();
  const app = createApp({
    client,
    db: db.db,
    taskQueue,
    settings: config.pipeline,
    demoDataKeys: DEMO_DATA_KEYS,
    security: securityOptions(config, { apiKeys: config.security.apiKeys.length > 0 ? config.security.apiKeys : [apiKey], codec, deploymentByDefault: 'local' }),
    sessionKeys,
    rates: config.rates,
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env,
    db,
    standins,
    config: { ...config, temporal: { ...config.temporal, taskQueue } },
    endpoints,
    worker,
    workerRun,
    apiUrl,
    client,
    dataConverter,
    codec,
    sessionKeys,
    apiKey,
    async close() {
      await new Promise((r) => server.close(r));
      // A test may have stopped it already (a drain).
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await standins.close();
      await db.close();
      await env.teardown();
    },
  };
}

/** Polls the API (with the stack's key) until the session reaches one of `states` (or the deadline passes). */
export async function waitForState(api: { apiUrl: string; apiKey: string }, sessionId: string, states: string[], timeoutMs = 120_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    const res = await fetch(`${api.apiUrl}/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${api.apiKey}` } });
    last = (await res.json()) as Record<string, unknown>;
    if (states.includes(String(last.state))) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`session ${sessionId} did not reach ${states.join('/')} in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 500)}`);
}
