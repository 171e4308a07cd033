// The stack the fault tests break, as separate processes where a crash must be real:
// - a Temporal dev server process (its own db file and ports; stop/restart on the same file and port),
// - the worker as its own process (`node --import tsx src/worker/main.ts`; kill -9, SIGTERM, restart),
// - PostgreSQL behind a TCP proxy the test can cut,
// - the stand-ins in the test process, so a test can flip their limits and read their stats.
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicKeyHexFromPrivate } from '../../../src/clients/gandalf/signature.js';
import { DEMO_GANDALF_PRIVATE_KEY } from '../../../standins/demoKeys.js';
import { type AppConfig, loadConfig } from '../../../src/config/index.js';
import type { DatabaseHandle, Db } from '../../../src/db/index.js';
import { type RunningStandins, type StandinsOptions, startStandins } from '../../../standins/index.js';
import { ensureTemporalCli } from '../../../src/temporal/cli.js';
import { type DevServer, startDevServer } from '../../../src/temporal/devServer.js';
import { AesGcmPayloadCodec, encryptingDataConverter } from '../../../src/temporal/codec/payloadCodec.js';
import { parsePayloadKeys } from '../../../src/config/payloadKeys.js';
import { createSessionKeyring } from '../../../src/temporal/codec/sessionKeys.js';
import { type SessionProgress, progressQuery, sessionWorkflowId } from '../../../src/contracts/index.js';
import type { SessionWorkflow } from '../../../workflows/session/session.js';
import { createTestDatabase } from '../db.js';
import { TEST_ENV } from '../stack.js';
import { deadlineOwedByServer } from './pending.js';
import { type TcpProxy, startTcpProxy } from './tcpProxy.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TMDB_KEY = 'fault-tmdb-key';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Worker settings for the fault tests: the fast test settings (many pages and chunks, fast circuits)… */
export const FAULT_WORKER_ENV: Record<string, string> = {
  ...TEST_ENV,
  // …with the default number of chunk attempts (faults here are meant to be outlasted), sooner.
  CHUNK_MAX_ATTEMPTS: '8',
  CHUNK_RETRY_INITIAL: '500ms',
  // Every session really calls TMDB and RT: a faulted run must not be served from the baseline's cache.
  SHOW_CACHE_TTL: '1ms',
  // No fixed metrics ports: several workers (and other suites) run on this machine.
  SDK_METRICS_PORT: '0',
  METRICS_PORT: '0',
};

/**
 * Paced services and small pages: a demo-1k session's fetch, show data and crawl each last seconds,
 * so a fault aimed at one stage lands inside it.
 */
export const PACED_ENV: Record<string, string> = { PAGE_SIZE: '50', GANDALF_RPS: '6', TMDB_RPS: '30', RT_RPS: '25' };

/** Fast stand-ins by default; tests slow them down or break them as they need. */
export const FAULT_STANDIN_LIMITS: NonNullable<StandinsOptions['limits']> = {
  gandalf: { latencyMs: 20, jitterMs: 0, rps: 1000, burst: 1000 },
  tmdb: { latencyMs: 5, jitterMs: 0, rps: 1000, burst: 1000 },
  rt: { latencyMs: 5, jitterMs: 0, rps: 1000, burst: 1000 },
  openai: { latencyMs: 5, jitterMs: 0, rps: 1000, burst: 1000 },
};

// Every process a stack starts dies with the test process, even when an assertion throws past `after`.
const children = new Set<ChildProcess>();
const devServers = new Set<DevServer>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const server of devServers) server.kill();
});

async function startTrackedDevServer(opts: Parameters<typeof startDevServer>[0]): Promise<DevServer> {
  const server = await startDevServer(opts);
  devServers.add(server);
  return server;
}

/** `n` distinct free ports: all held open at once, so the OS can't hand out one of them twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** Tries `fn` a few times: a port can be taken by another process between choosing and binding it. */
async function withRetries<T>(what: string, attempts: number, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts) throw error;
      console.error(`${what} failed (attempt ${attempt}): ${(error as Error).message}; retrying`);
      await sleep(1_000);
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Server timers may extend a wait's budget (deadlineOwedByServer), but never past this many times the
 * budget: a session that keeps owing timers cycle after cycle is stuck, and the wait fails saying so.
 */
export const MAX_BUDGET_EXTENSION = 3;

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await sleep(intervalMs);
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The worker as a real process: crashes are `kill -9`, shutdowns are signals. */
export class WorkerProcess {
  child?: ChildProcess;
  exited?: Promise<ExitInfo>;
  starts = 0;
  kills = 0;
  terminations = 0;
  private tail: string[] = [];
  private log?: WriteStream;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly ready: (pid: number) => Promise<boolean>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the worker and waits until it polls both the workflow and the activity task queue. */
  async start(timeoutMs = 180_000): Promise<void> {
    if (this.running) throw new Error('worker already running');
    this.starts++;
    this.log = createWriteStream(path.join(this.logDir, `worker-${this.starts}.log`));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/worker/main.ts')], {
      cwd: projectRoot,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    this.child = child;
    const onData = (chunk: Buffer) => {
      this.log?.write(chunk);
      this.tail.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.tail.length > 40) this.tail.splice(0, this.tail.length - 40);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        children.delete(child);
        resolve({ code, signal });
      }),
    );
    const pid = child.pid!;
    await waitFor(`worker ${pid} to poll`, timeoutMs, async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw Object.assign(new Error(`worker exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.logTail()}`), { fatal: true });
      }
      return (await this.ready(pid)) ? true : undefined;
    }, 500).catch((error: Error & { fatal?: boolean }) => {
      if (this.running) child.kill('SIGKILL');
      throw error;
    });
  }

  /** A crash: no cleanup, no goodbye to the server. */
  async kill9(): Promise<ExitInfo> {
    if (!this.running) throw new Error('worker is not running');
    this.kills++;
    this.child!.kill('SIGKILL');
    return this.exited!;
  }

  signal(signal: NodeJS.Signals): void {
    if (signal === 'SIGTERM' || signal === 'SIGINT') this.terminations++;
    this.child?.kill(signal);
  }

  /** Resolves with the exit, or undefined if the worker is still running after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<ExitInfo | undefined> {
    if (!this.exited) return { code: null, signal: null };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return result;
  }

  logTail(lines = 20): string {
    return this.tail.slice(-lines).join('\n');
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.child!.kill('SIGTERM');
      if (!(await this.waitExit(20_000))) {
        this.child!.kill('SIGKILL');
        await this.exited;
      }
    }
    this.log?.end();
  }
}

/** A dev server that can be stopped and started again on the same db file and port. */
export class TemporalProcess {
  server?: DevServer;
  restarts = 0;
  downMs = 0;

  constructor(
    readonly cliPath: string,
    readonly dataDir: string,
    readonly port: number,
    readonly uiPort: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** On the same ports every time (the worker keeps its address); retried if a port was snatched meanwhile. */
  async start(): Promise<void> {
    this.server = await withRetries('starting the Temporal dev server', 3, () =>
      startTrackedDevServer({ cliPath: this.cliPath, dataDir: this.dataDir, port: this.port, uiPort: this.uiPort, namespace: 'default' }),
    );
  }

  /** SIGTERM (SIGKILL after 5 s), as startDevServer's stop does. */
  async stop(): Promise<void> {
    if (!this.server) return;
    await this.server.stop();
    devServers.delete(this.server);
    this.server = undefined;
  }

  async restart(downMs: number): Promise<void> {
    const started = Date.now();
    await this.stop();
    await sleep(downMs);
    await this.start();
    this.restarts++;
    this.downMs += Date.now() - started;
  }
}

export interface ProcessStackOptions {
  /** Names the temp dir and the task queue. */
  name: string;
  /** Worker environment on top of FAULT_WORKER_ENV. */
  workerEnv?: Record<string, string>;
  limits?: StandinsOptions['limits'];
  /** Name the Temporal server through a temporal.toml profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) instead of TEMPORAL_ADDRESS. */
  temporalProfile?: boolean;
}

export interface StartedSession {
  sessionId: string;
  workflowId: string;
  firstRunId: string;
  dataKey: string;
}

export interface SessionEnd {
  status: string;
  failure?: string;
  elapsedMs: number;
}

export interface ProcessStack {
  temporal: TemporalProcess;
  worker: WorkerProcess;
  proxy: TcpProxy;
  standins: RunningStandins;
  /** Direct to PostgreSQL (not through the proxy): the test's own view of the rows. */
  db: DatabaseHandle & { url?: string };
  client: Client;
  taskQueue: string;
  config: AppConfig;
  workerEnv: NodeJS.ProcessEnv;
  tmpDir: string;
  startSession(dataKey: string): Promise<StartedSession>;
  waitForSession(run: StartedSession, timeoutMs: number): Promise<SessionEnd>;
  /** Live progress, or undefined when no worker answers within a few seconds. */
  progress(run: StartedSession): Promise<SessionProgress | undefined>;
  close(): Promise<void>;
}

/**
 * The worker encrypts payloads (PAYLOAD_KEYS), each session's with a key of its own kept in the
 * database: the test's client shares the master keys and reads the session keys from the same
 * database (directly, not through the proxy a test may cut), so it decodes query answers and
 * histories, and seals the sessions it starts as the API would.
 */
function payloadEncryption(db: Db): { env: Record<string, string>; dataConverter: DataConverter } {
  const keys = `faults:${randomBytes(32).toString('base64')}`;
  const masterKeys = parsePayloadKeys(keys);
  return { env: { PAYLOAD_KEYS: keys }, dataConverter: encryptingDataConverter(new AesGcmPayloadCodec(masterKeys, createSessionKeyring(db, masterKeys))) };
}

/** A temporal.toml with a `showprint-test` profile naming the server, as the `temporal` CLI would read it. */
function temporalProfileEnv(dir: string, address: string): Record<string, string> {
  const file = path.join(dir, 'temporal.toml');
  writeFileSync(file, `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.showprint-test]\naddress = "${address}"\nnamespace = "default"\n`);
  return { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'showprint-test' };
}

export async function startProcessStack(options: ProcessStackOptions): Promise<ProcessStack> {
  process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL; // the worker is another process: PGlite in memory can't be shared
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((error: Error) => console.error(`cleanup: ${error.message}`));
  };
  try {
    const tmpDir = mkdtempSync(path.join(os.tmpdir(), `showprint-faults-${options.name}-`));
    cleanups.push(async () => rmSync(tmpDir, { recursive: true, force: true }));

    const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH);
    // First start: fresh ports on each try, in case another process took the chosen ones.
    const temporal = await withRetries('starting the Temporal dev server', 3, async () => {
      const [port, uiPort] = await freePorts(2);
      const t = new TemporalProcess(cliPath, path.join(tmpDir, 'temporal'), port, uiPort);
      t.server = await startTrackedDevServer({ cliPath, dataDir: t.dataDir, port, uiPort, namespace: 'default' });
      return t;
    });
    cleanups.push(() => temporal.stop());

    const db = await createTestDatabase();
    cleanups.push(() => db.close());
    const dbUrl = new URL(db.url!);
    const proxy = await startTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    cleanups.push(() => proxy.close());
    const proxiedUrl = new URL(dbUrl);
    proxiedUrl.hostname = '127.0.0.1';
    proxiedUrl.port = String(proxy.port);

    const standins = await startStandins({
      gandalfPublicKeyHex: publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY),
      tmdbApiKey: TMDB_KEY,
      openaiApiKey: 'fault-openai-key',
      limits: { ...FAULT_STANDIN_LIMITS, ...options.limits },
    });
    cleanups.push(() => standins.close());

    const taskQueue = `faults-${options.name}-${randomBytes(3).toString('hex')}`;
    const encryption = payloadEncryption(db.db);
    const settingsEnv = { ...FAULT_WORKER_ENV, ...options.workerEnv };
    const config = loadConfig(settingsEnv);
    const workerEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      ...settingsEnv,
      ...encryption.env,
      DATA_DIR: path.join(tmpDir, 'worker-data'),
      ...(options.temporalProfile ? temporalProfileEnv(tmpDir, temporal.address) : { TEMPORAL_ADDRESS: temporal.address }),
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: proxiedUrl.toString(),
      GANDALF_URL: standins.urls.gandalf,
      GANDALF_PRIVATE_KEY: DEMO_GANDALF_PRIVATE_KEY,
      TMDB_URL: standins.urls.tmdb,
      TMDB_API_KEY: TMDB_KEY,
      RT_URL: standins.urls.rt,
      WIKIDATA_URL: standins.urls.wikidata,
      // No OPENAI_BASE_URL: the local engine answers, so the AI parts are deterministic.
    };

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default', dataConverter: encryption.dataConverter });

    const hasPoller = async (pid: number, taskQueueType: number) => {
      const res = await client.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: taskQueue, kind: 1 /* NORMAL */ },
        taskQueueType /* 1 workflow, 2 activity */,
      });
      return (res.pollers ?? []).some((p) => p.identity?.startsWith(`${pid}@`));
    };
    const worker = new WorkerProcess(workerEnv, tmpDir, async (pid) => (await hasPoller(pid, 1)) && (await hasPoller(pid, 2)));
    cleanups.push(() => worker.stop());
    await worker.start();

    const handleOf = (run: StartedSession) => client.workflow.getHandle(run.workflowId);
    const stack: ProcessStack = {
      temporal,
      worker,
      proxy,
      standins,
      db,
      client,
      taskQueue,
      config,
      workerEnv,
      tmpDir,
      async startSession(dataKey) {
        const sessionId = randomUUID();
        const workflowId = sessionWorkflowId(sessionId);
        const handle = await client.workflow.start<typeof SessionWorkflow>('SessionWorkflow', {
          workflowId,
          taskQueue,
          args: [{ sessionId, dataKey, settings: config.pipeline }],
        });
        return { sessionId, workflowId, firstRunId: handle.firstExecutionRunId, dataKey };
      },
      async waitForSession(run, timeoutMs) {
        const started = Date.now();
        let last: SessionProgress | undefined;
        const closed = async () => {
          const d = await handleOf(run).describe();
          if (d.status.name === 'RUNNING') {
            last = (await stack.progress(run)) ?? last;
            return undefined;
          }
          return d.status.name;
        };
        // timeoutMs budgets the session's work; server timers it still waits on (a killed worker's
        // attempts until their timeout, retries in backoff) extend it (deadlineOwedByServer), up to
        // MAX_BUDGET_EXTENSION × timeoutMs in all.
        const ceiling = started + MAX_BUDGET_EXTENSION * timeoutMs;
        let status: string | undefined;
        for (let deadline = started + timeoutMs; status === undefined; ) {
          status = await waitFor(`session ${run.sessionId} (${run.dataKey}) to close`, deadline - Date.now(), closed, 500).catch(async (error: Error) => {
            const details = `\nlast progress: ${JSON.stringify(last)}\nworker log:\n${worker.logTail()}`;
            if (Date.now() >= ceiling) {
              throw new Error(`${error.message}: gave up at the hard ceiling of ${MAX_BUDGET_EXTENSION}× the budget (${MAX_BUDGET_EXTENSION * timeoutMs} ms), the server's timers having extended the wait${details}`);
            }
            const later = await deadlineOwedByServer(client, run.workflowId, worker.running ? worker.pid : undefined);
            if (later === undefined) throw new Error(`${error.message} (budget ${timeoutMs} ms)${details}`);
            deadline = Math.min(later, ceiling);
            return undefined;
          });
        }
        let failure: string | undefined;
        if (status !== 'COMPLETED') {
          failure = await handleOf(run).result().then(
            () => undefined,
            (error: Error & { cause?: Error }) => `${error.message}: ${error.cause?.message ?? ''}`,
          );
        }
        return { status, failure, elapsedMs: Date.now() - started };
      },
      async progress(run) {
        try {
          return await connection.withDeadline(Date.now() + 5_000, () => handleOf(run).query(progressQuery));
        } catch {
          return undefined;
        }
      },
      close: cleanup,
    };
    return stack;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
