// Brings up everything showprint needs on one machine, each part only when it is not configured:
// the Temporal dev server, the stand-ins (a separate process, real HTTP), the database, the worker
// and the API. Used by `npm start` and the benchmark.
import { Client } from '@temporalio/client';
import { Runtime, type Worker } from '@temporalio/worker';
import type { TemporalTarget } from '../config/temporalTarget.js';
import { connectClient, connectNative } from '../temporal/connection.js';
import { createLogger, temporalLogger } from '../observability/logger.js';
import { type ChildProcess, spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createApp } from '../api/app.js';
import type { DemoDataKey } from '../api/demoRouter.js';
import { type AppConfig, ConfigError, type ServiceEndpoints, wikidataUrlFor } from '../config/index.js';
import { type DatabaseHandle, openDatabase } from '../db/index.js';
import { loadApiKeys } from '../api/protection/apiKeyFile.js';
import { codecUiToken, keyWithScopes } from '../api/protection/apiKeys.js';
import { loadCodecTokenSecret, securityOptions } from '../api/protection/options.js';
import { loadPayloadEncryption } from '../temporal/codec/payloadKeyFile.js';
import { ensureRetentionSchedule } from '../temporal/retention.js';
import { ensureCatalogSchedule } from '../temporal/catalogSchedule.js';
import { ensureTemporalCli } from '../temporal/cli.js';
import { type DevServer, startDevServer } from '../temporal/devServer.js';
import { createShowprintWorker } from '../worker/createWorker.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What this stack's own requests need: start the demo session, then follow it. */
const STACK_SCOPES = ['read', 'write'] as const;

export interface LocalStack {
  temporalAddress: string;
  webUiUrl?: string;
  apiUrl: string;
  endpoints: ServiceEndpoints;
  usingStandins: boolean;
  /** The stand-ins' demo viewers (what the page offers); none when the real Gandalf answers. */
  demoDataKeys: DemoDataKey[];
  client: Client;
  db: DatabaseHandle;
  worker: Worker;
  /** The key this stack's own requests use (the first API_KEYS entry with read and write, without its scopes; else the local one). */
  apiKey: string;
  /** The Web UI's codec URL for that key. */
  codecEndpoint: string;
  /** Where the key came from: generated now, read from DATA_DIR/api-key, or API_KEYS. */
  apiKeySource: 'env' | 'file' | 'generated';
  apiKeyFile?: string;
  stop(): Promise<void>;
  /** Forced exit: kill the child processes at once. */
  kill(): void;
}

type Say = (line: string) => void;


/**
 * What the stand-ins announce on their ready line: their URLs, and their demo keys and viewers. The
 * demo values live with the stand-ins (standins/demoKeys.ts); this stack only passes them on.
 */
interface StandinsReady {
  urls: Record<string, string>;
  demo: { gandalfPrivateKey: string; tmdbApiKey: string; openaiApiKey: string; dataKeys: DemoDataKey[] };
}

/** Starts `standins/main.ts` as its own process and reads its ready line. */
async function startStandinsProcess(config: AppConfig, extraEnv: Record<string, string> = {}): Promise<StandinsReady & { child: ChildProcess }> {
  // Keys configured here are the ones the stand-ins must trust; unset, they trust their demo keys.
  const keys = Object.fromEntries(
    Object.entries({ GANDALF_PRIVATE_KEY: config.services.gandalfPrivateKey, TMDB_API_KEY: config.services.tmdbApiKey, OPENAI_API_KEY: config.services.openaiApiKey }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'standins/main.ts')], {
    cwd: projectRoot,
    env: { ...process.env, ...keys, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<StandinsReady>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the stand-ins exited (${code}) before starting`)));
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { standins?: Record<string, string>; demo?: StandinsReady['demo'] };
        if (parsed.standins && parsed.demo) resolve({ urls: parsed.standins, demo: parsed.demo });
      } catch {
        /* not the ready line */
      }
    });
  });
  return { ...ready, child };
}

export interface LocalStackOptions {
  say?: Say;
  /** Extra environment for the stand-ins process (e.g. STANDIN_LIMITS for the benchmark). */
  standinEnv?: Record<string, string>;
  /** Force stand-ins even when real URLs are configured (benchmark). */
  forceStandins?: boolean;
}

export async function startLocalStack(config: AppConfig, options: LocalStackOptions = {}): Promise<LocalStack> {
  const say = options.say ?? (() => undefined);
  // SDK logs go to pino (WARN and up: its INFO lines would drown the demo's progress); its metrics
  // go to a local Prometheus exporter (SDK_METRICS_PORT, else a free port) that /metrics appends.
  const logger = temporalLogger(createLogger(config.logLevel), config.logLevel === 'debug' || config.logLevel === 'trace' ? 'DEBUG' : 'WARN');
  const sdkPort = config.env.SDK_METRICS_PORT || (await freePort());
  let sdkMetricsUrl: string | undefined = `http://127.0.0.1:${sdkPort}/metrics`;
  try {
    Runtime.install({ logger, telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}` } } } });
  } catch (error) {
    // Metrics are not worth failing the app for (e.g. the port was taken meanwhile).
    say(`Temporal SDK metrics are off: ${(error as Error).message}`);
    sdkMetricsUrl = undefined;
    Runtime.install({ logger });
  }
  const stops: (() => Promise<void>)[] = [];
  const kills: (() => void)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    // Secrets first: the dev server's Web UI is told where the codec endpoint is.
    const apiKeys = loadApiKeys({ apiKeys: config.security.apiKeys, dataDir: config.dataDir, say });
    // This stack starts the demo session (write) and follows it (read): a key with both, scopes stripped.
    const stackKey = keyWithScopes(apiKeys.keys, STACK_SCOPES);
    if ('missing' in stackKey) {
      const none = stackKey.missing.length > 0 ? ` (none has ${stackKey.missing.join(' or ')})` : '';
      throw new ConfigError(`npm start acts on its own API with one API_KEYS entry that has both the ${STACK_SCOPES.join(' and ')} scopes; no entry does${none}. Add one, e.g. <key>:${STACK_SCOPES.join('+')}`);
    }
    const codecTokenSecret = loadCodecTokenSecret(config);
    let devServer: DevServer | undefined;
    // A configured server (TEMPORAL_ADDRESS, a temporal.toml profile) with its TLS and key; else a dev server.
    let temporal: TemporalTarget | string | undefined = config.temporal.target;
    let temporalAddress = config.temporal.address;
    if (!temporal || !temporalAddress) {
      const cliPath = await ensureTemporalCli(config.temporal.cliPath);
      say(`Starting the Temporal dev server (${cliPath})…`);
      devServer = await startDevServer({
        cliPath,
        dataDir: config.dataDir,
        port: config.temporal.port,
        uiPort: config.temporal.uiPort,
        namespace: config.temporal.namespace,
        // The UI cannot send our API key, so its codec URL carries a codec-only token.
        codecEndpoint: config.port ? `http://127.0.0.1:${config.port}/codec/ui/${codecUiToken(codecTokenSecret, stackKey.key)}` : undefined,
      });
      stops.push(() => devServer!.stop());
      kills.push(() => devServer!.kill());
      if (!devServer.fairness) {
        say(`${path.join(config.dataDir, 'temporal.db')} predates fairness keys, so viewers share the task queue first come, first served. To turn them on, delete it while no session is running (its workflow histories and refresh schedules go with it).`);
      }
      temporalAddress = devServer.address;
      temporal = devServer.address;
    }

    const s = config.services;
    const needStandins = options.forceStandins || config.standins === 'on' || (config.standins === 'auto' && (!s.gandalfUrl || !s.tmdbUrl || !s.rtUrl));
    let standinUrls: Record<string, string> = {};
    let demo: StandinsReady['demo'] | undefined;
    if (needStandins) {
      say('Starting the stand-ins for Gandalf, TMDB, Rotten Tomatoes, Wikidata and the LLM…');
      const { urls, demo: standinDemo, child } = await startStandinsProcess(config, options.standinEnv);
      standinUrls = urls;
      demo = standinDemo;
      kills.push(() => void child.kill('SIGKILL'));
      stops.push(async () => {
        child.kill('SIGTERM');
        if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      });
    }
    const pick = (real: string | undefined, standin: string | undefined, name: string) => {
      const url = options.forceStandins ? standin : (real ?? standin);
      if (!url) throw new ConfigError(`${name} is not set and the stand-ins are off (STANDINS=off)`);
      return url;
    };
    // A demo key only for a service that is the stand-in: against a real one, a missing key is an error.
    const key = (configured: string | undefined, url: string, standinUrl: string | undefined, demoKey: string | undefined, name: string) => {
      if (configured) return configured;
      if (demo && url === standinUrl && demoKey) return demoKey;
      throw new ConfigError(`${name} is not set (${url} is not a stand-in, so there is no demo key for it)`);
    };
    const rtUrl = pick(s.rtUrl, standinUrls.rt, 'RT_URL');
    const gandalfUrl = pick(s.gandalfUrl, standinUrls.gandalf, 'GANDALF_URL');
    const tmdbUrl = pick(s.tmdbUrl, standinUrls.tmdb, 'TMDB_URL');
    const endpoints: ServiceEndpoints = {
      gandalfUrl,
      gandalfPrivateKey: key(s.gandalfPrivateKey, gandalfUrl, standinUrls.gandalf, demo?.gandalfPrivateKey, 'GANDALF_PRIVATE_KEY'),
      tmdbUrl,
      tmdbApiKey: key(s.tmdbApiKey, tmdbUrl, standinUrls.tmdb, demo?.tmdbApiKey, 'TMDB_API_KEY'),
      rtUrl,
      // Wikidata's answers are RT ids: it follows RT (stand-in with stand-in, real with real) unless WIKIDATA_URL is set.
      wikidataUrl: options.forceStandins
        ? standinUrls.wikidata
        : wikidataUrlFor(rtUrl, { configured: s.wikidataUrl, standin: standinUrls.wikidata, rtStandin: standinUrls.rt }),
      // The LLM is optional: without OPENAI_BASE_URL the local engine answers (DESIGN §2).
      openaiBaseUrl: s.openaiBaseUrl,
      openaiApiKey: s.openaiApiKey,
    };

    const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: path.join(config.dataDir, 'pglite') });
    stops.push(() => db.close());
    // The demo on one machine reads plaintext payloads unless DEPLOYMENT=production says otherwise.
    const payload = loadPayloadEncryption({ payloadKeys: config.security.payloadKeys, dataDir: config.dataDir, say, db: db.db, refusePlaintext: config.security.deployment === 'production' });

    const nativeConnection = await connectNative(temporal);
    stops.push(() => nativeConnection.close());
    const connection = await connectClient(temporal);
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: payload.dataConverter });

    await ensureRetentionSchedule(client, { retentionMs: config.security.retentionMs, taskQueue: config.temporal.taskQueue });
    await ensureCatalogSchedule(client, { taskQueue: config.temporal.taskQueue, everyMs: config.catalog.everyMs, settings: { showCacheTtlMs: config.pipeline.showCacheTtlMs, target: config.catalog.target, rounds: config.catalog.rounds } });
    say('Starting the worker (bundling workflow code)…');
    const worker = await createShowprintWorker({ config, endpoints, db: db.db, connection: nativeConnection, dataConverter: payload.dataConverter, sessionKeys: payload.sessionKeys });
    const workerRun = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
    });

    const demoDataKeys = demo && endpoints.gandalfUrl === standinUrls.gandalf ? demo.dataKeys : [];
    const app = createApp({
      client,
      db: db.db,
      taskQueue: config.temporal.taskQueue,
      settings: config.pipeline,
      sdkMetricsUrl,
      demoDataKeys,
      // Demo mode (stand-ins): the viewer's page may start sessions without a key.
      security: securityOptions(config, { apiKeys: apiKeys.keys, codec: payload.codec, anonymousByDefault: needStandins, deploymentByDefault: 'local' }),
      sessionKeys: payload.sessionKeys,
      rates: config.rates,
      publicUrl: config.publicUrl,
    });
    const server: Server = await new Promise((resolve, reject) => {
      const srv = app.listen(config.port, '127.0.0.1', () => resolve(srv));
      srv.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new ConfigError(`Port ${config.port} is in use; set PORT to another port`) : error),
      );
    });
    stops.push(() => new Promise((r) => server.close(() => r())));
    const address = server.address();
    const apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : config.port}`;

    return {
      temporalAddress,
      webUiUrl: devServer?.uiUrl,
      apiUrl,
      endpoints,
      usingStandins: needStandins,
      demoDataKeys,
      client,
      db,
      worker,
      apiKey: stackKey.key,
      codecEndpoint: `${apiUrl}/codec/ui/${codecUiToken(codecTokenSecret, stackKey.key)}`,
      apiKeySource: apiKeys.source,
      apiKeyFile: apiKeys.file,
      stop,
      kill: () => kills.forEach((kill) => kill()),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
