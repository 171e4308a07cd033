// One scenario, in three steps: prepare (the stand-ins' limits, the histories and their lower bound,
// a worker polling the scenario's own task queue), measure (start the sessions and time them, within
// the scenario's time limit) and collect (actions from the histories, requests, show outcomes and
// rows, the worker's CPU and memory) into its ScenarioResult.
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { envSchema, type PipelineSettings } from '../src/config/index.js';
import { type Db, openDatabase } from '../src/db/index.js';
import { createSessionService } from '../src/api/sessionService.js';
import { catalogProgressQuery, progressQuery, sessionWorkflowId } from '../src/contracts/index.js';
import { DEMO_SERVICE_KEYS } from '../standins/demoKeys.js';
import { historyFor, type RunningStandins, SERVICE_NAMES, type ServiceName } from '../standins/index.js';
import type { NaiveSessionWorkflow, StagedSessionWorkflow } from './baselines/workflows.js';
import { type CatalogMeasure, prewarm, startBusyCrawl, stopBusyCrawl, tmdbShowsOf, warmShows } from './catalog.js';
import { formatTimeline, listSessionExecutions, type SessionCost, sessionCost, type TimelineEntry, waitSessionClosed } from './cost.js';
import { countShared, rowsWritten, type ScenarioDb, showOutcomes, tableBytes } from './database.js';
import { type Cleanup, PgCpuTracker, type ProcSample, readProc, resetPeakRss, say, sleep, spawnWorker, waitForPollers, type WorkerProcess } from './infra.js';
import { cpuTimes, gitCommit } from './probes.js';
import { round } from './numbers.js';
import type { RequestCounts, ScenarioResult, ServiceWindow } from './results.js';
import { type AdaptiveMeasure, changeLimitLater } from './adaptive.js';
import { appRateEnv, type Bound, lowerBound, type Scenario, scenarioLimits, TERM_SERVICE } from './scenarios.js';

export const NAMESPACE = 'default';

/** What every scenario of one bench invocation shares. */
export interface BenchEnv {
  client: Client;
  /** Shared with the workers (PAYLOAD_KEYS). */
  payloadEnv: Record<string, string>;
  /** Points the client's session keyring at the scenario's database, where its workers keep the session keys. */
  useSessionKeys: (db: Db | undefined) => void;
  connection: Connection;
  temporalAddress: string;
  temporalPid?: number;
  standins: RunningStandins;
  scratchDir: string;
  cleanup: Cleanup;
  /** Names this invocation's task queues and scratch databases. */
  runTag: string;
  databaseUrl: string;
  settings: PipelineSettings;
  cpuProfile: boolean;
  /** --timeline: each session's timeline goes here as <scenario>-<dataKey>.txt. */
  timelineDir?: string;
  /** The workflow bundle built once for this invocation (bench/bundle.ts), which every worker loads. */
  workflowBundlePath?: string;
}

/** One session's history: its size, and what of it the database has not cached yet. */
interface SessionHistory {
  key: string;
  activities: number;
  pages: number;
  shows: number;
  uncachedShows: number;
  matched: number;
  uncachedMatched: number;
  showIds: Set<number>;
}

interface Prepared {
  taskQueue: string;
  perSession: SessionHistory[];
  /** Distinct shows across the sessions. */
  union: Set<number>;
  bound: Bound;
  pool: pg.Pool;
  closePool: () => Promise<void>;
  /** The scenario database (the client's session keyring reads it; the session service checks ids in it). */
  keysDb: Db;
  closeSessionKeys: () => Promise<void>;
  sharedBefore: Record<string, number>;
  /** The scenario's worker processes (one unless it measures scale-out), the first one first. */
  workers: WorkerProcess[];
  stopWorker: () => Promise<void>;
  readyAfterSeconds: number;
  /** The catalog crawl before (prewarmed) or beside (concurrent, its handle) the session. */
  catalog?: { measure: CatalogMeasure; busy?: WorkflowHandle };
}

interface StartedSession {
  sessionId: string;
  dataKey: string;
  workflowId: string;
  handle: WorkflowHandle;
  /** When the bench started it (scenarios with startAfterSeconds start some later than the clock). */
  startedAt?: number;
  statsReadyAt?: number;
  completedAt?: number;
  error?: string;
}

interface Measured {
  runs: StartedSession[];
  t0: number;
  t1: number;
  timedOut: boolean;
  peakReset: boolean;
  /** Each worker process's counters when the clock started. */
  procStart: ProcSample[];
  temporalStart?: ProcSample;
  temporalEnd?: ProcSample;
  pgCpu: PgCpuTracker;
  cpuStart: { busy: number; total: number };
  cpuEnd: { busy: number; total: number };
  benchCpuStart: NodeJS.CpuUsage;
  benchCpuEnd: NodeJS.CpuUsage;
  windows: Record<ServiceName, ServiceWindow>;
  adaptive?: AdaptiveMeasure;
}

export async function runScenario(env: BenchEnv, scenario: Scenario, db: ScenarioDb, opts: { report: boolean }): Promise<ScenarioResult> {
  const prepared = await prepare(env, scenario, db, opts);
  const measured = await measure(env, scenario, prepared);
  return collect(env, scenario, db, prepared, measured);
}

async function prepare(env: BenchEnv, scenario: Scenario, db: ScenarioDb, opts: { report: boolean }): Promise<Prepared> {
  const label = `${scenario.name}${opts.report ? '' : '-prep'}`;
  const taskQueue = `bench-${env.runTag}-${label}`;
  const { standins, settings } = env;
  const limits = scenarioLimits(scenario);
  for (const name of SERVICE_NAMES) standins.setLimits(name, limits[name]);

  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  // An idle client cut off (a forced drop, a server restart) must not take the bench down with it.
  pool.on('error', () => undefined);
  const closePool = env.cleanup.add('close bench pool', () => pool.end());
  // Session payloads are sealed with keys kept in this database: the client starts, queries and reads results with them.
  const keysDb = await openDatabase({ databaseUrl: db.url, poolSize: 2 });
  env.useSessionKeys(keysDb.db);
  const closeSessionKeys = env.cleanup.add('close the session keys database', async () => {
    env.useSessionKeys(undefined);
    await keysDb.close();
  });

  const count = scenario.workers ?? 1;
  say(`${scenario.name}: starting ${count === 1 ? 'a worker' : `${count} workers`} on ${taskQueue} (${scenario.setting} limits)`);
  const spawnedAt = Date.now();
  const workers = Array.from({ length: count }, (_, i) =>
    spawnWorker(workerEnv(env, db, taskQueue, scenario), path.join(env.scratchDir, `worker-${label}${i ? `-${i + 1}` : ''}.log`), {
      cpuProfileDir: env.cpuProfile ? path.join(env.scratchDir, `cpu-${label}`) : undefined,
    }),
  );
  for (const worker of workers) env.cleanup.trackPid(worker.pid);
  const stopWorker = env.cleanup.add(`stop workers ${workers.map((w) => w.pid).join(', ')}`, async () => {
    await Promise.all(workers.map((w) => w.stop()));
    for (const worker of workers) env.cleanup.untrackPid(worker.pid);
  });
  for (const worker of workers) await waitForPollers(env.connection, NAMESPACE, taskQueue, worker);
  const readyAfterSeconds = round((Date.now() - spawnedAt) / 1000, 1);
  const catalog = scenario.catalog ? await runCatalog(env, scenario, db, taskQueue, pool) : undefined;

  // Histories are generated (and memoised in the stand-in's catalog) before the clock starts. S and M
  // come from the stand-in's own data: M = the catalog shows on TMDB that are not decoys (whether RT
  // has a page does not matter: RT takes at least one request per matched show either way).
  const onTmdb = (id: number) => {
    const show = standins.catalog.showById.get(id);
    return show !== undefined && show.onTmdb && show.decoyOf === undefined;
  };
  const perSession = scenario.dataKeys.map((key): SessionHistory => {
    const history = historyFor(key, standins.catalog);
    if (!history) throw new Error(`no stand-in history for ${key}`);
    const shows = new Set(history.flatMap((a) => (a.showId === undefined ? [] : [a.showId])));
    const uncached = [...shows].filter((id) => !db.seenShows.has(id));
    return {
      key,
      activities: history.length,
      pages: Math.ceil(history.length / settings.pageSize),
      shows: shows.size,
      uncachedShows: uncached.length,
      matched: [...shows].filter(onTmdb).length,
      uncachedMatched: uncached.filter(onTmdb).length,
      showIds: shows,
    };
  });
  const union = new Set(perSession.flatMap((s) => [...s.showIds]));
  const bound: Bound = lowerBound(
    perSession.reduce((a, s) => a + s.pages, 0),
    perSession.reduce((a, s) => a + s.uncachedShows, 0),
    perSession.reduce((a, s) => a + s.uncachedMatched, 0),
    settings.chunkSize,
    limits,
  );

  const sharedBefore = await countShared(pool);
  return { taskQueue, perSession, union, bound, pool, closePool, keysDb: keysDb.db, closeSessionKeys, sharedBefore, workers, stopWorker, readyAfterSeconds, catalog };
}

/** Before the clock: warm the viewer's shows, or get a big crawl going beside where the session will run. */
async function runCatalog(env: BenchEnv, scenario: Scenario, db: ScenarioDb, taskQueue: string, pool: pg.Pool): Promise<Prepared['catalog']> {
  const viewerShows = new Set(scenario.dataKeys.flatMap((key) => (historyFor(key, env.standins.catalog) ?? []).flatMap((a) => (a.showId === undefined ? [] : [a.showId]))));
  const tmdbShows = tmdbShowsOf(env.standins.catalog, viewerShows);
  const ttl = env.settings.showCacheTtlMs;
  const warmNow = async () => {
    const warm = await warmShows(pool, env.standins.catalog, tmdbShows);
    for (const id of warm) db.seenShows.add(id); // the bound counts only what is left to look up
    return warm.size;
  };
  if (scenario.catalog === 'prewarmed') {
    say(`${scenario.name}: pre-warming the viewer's ${tmdbShows.length} TMDB shows with a catalog crawl`);
    const { outcome, seconds } = await prewarm(env.client, taskQueue, tmdbShows, ttl);
    const warmAtStart = await warmNow();
    say(`${scenario.name}: the crawl took ${seconds} s and warmed ${warmAtStart} of them (${JSON.stringify(outcome)})`);
    return { measure: { kind: 'prewarmed', atStart: outcome, crawlSeconds: seconds, viewerTmdbShows: tmdbShows.length, warmAtStart } };
  }
  say(`${scenario.name}: starting a big catalog crawl from shows the viewer did not watch`);
  const busy = await startBusyCrawl(env.client, taskQueue, env.standins.catalog, viewerShows, ttl);
  const atStart = await busy.query(catalogProgressQuery);
  return { measure: { kind: 'concurrent', atStart, viewerTmdbShows: tmdbShows.length, warmAtStart: await warmNow() }, busy };
}

/** A worker's environment: the scenario's database, task queue and client-side rates, and the invocation's bundle. */
export function workerEnv(env: BenchEnv, db: { url: string }, taskQueue: string, scenario: Pick<Scenario, 'setting' | 'limits'>): Record<string, string> {
  // Pass through every showprint setting the caller set, then pin what the bench controls.
  const skip = new Set(['METRICS_PORT', 'SDK_METRICS_PORT', 'PORT']); // ports would clash between runs
  const passthrough = Object.fromEntries(Object.keys(envSchema.shape).flatMap((k) => (process.env[k] && !skip.has(k) ? [[k, process.env[k]!]] : [])));
  return {
    ...passthrough,
    ...env.payloadEnv,
    ...appRateEnv(scenario.setting, scenarioLimits(scenario)),
    ...(env.workflowBundlePath ? { BENCH_WORKFLOW_BUNDLE: env.workflowBundlePath } : {}),
    LOG_LEVEL: 'warn',
    DATA_DIR: env.scratchDir,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: db.url,
    GANDALF_URL: env.standins.urls.gandalf,
    GANDALF_PRIVATE_KEY: DEMO_SERVICE_KEYS.gandalfPrivateKey,
    TMDB_URL: env.standins.urls.tmdb,
    TMDB_API_KEY: DEMO_SERVICE_KEYS.tmdbApiKey,
    RT_URL: env.standins.urls.rt,
    WIKIDATA_URL: env.standins.urls.wikidata,
    OPENAI_BASE_URL: env.standins.urls.openai,
    OPENAI_API_KEY: DEMO_SERVICE_KEYS.openaiApiKey,
    STANDINS: 'off',
  };
}

async function measure(env: BenchEnv, scenario: Scenario, { taskQueue, perSession, bound, pool, workers, catalog, keysDb }: Prepared): Promise<Measured> {
  const { client, standins, settings } = env;
  // The clock starts here: peaks and CPU counters are read (or reset) right before the first session starts.
  const peakReset = workers.map((w) => resetPeakRss(w.pid)).every(Boolean);
  const procStart = workers.map((w) => readProc(w.pid));
  const temporalStart = env.temporalPid ? readProc(env.temporalPid) : undefined;
  const pgCpu = new PgCpuTracker(pool);
  await pgCpu.baseline();
  const cpuStart = cpuTimes();
  const benchCpuStart = process.cpuUsage();
  standins.resetStats();

  const timeoutMs = scenario.timeoutSeconds * 1000;
  say(`${scenario.name}: ${scenario.dataKeys.length} session(s), P=${bound.pages} S=${bound.shows} M=${bound.matched}, T*=${bound.seconds.toFixed(1)} s; giving up after ${Math.round(timeoutMs / 1000)} s`);

  // SessionWorkflow starts exactly as the API starts it (its search attributes and priority included).
  const sessions = createSessionService({ client, db: keysDb, taskQueue, settings });
  const runs: StartedSession[] = perSession.map(({ key }) => {
    const sessionId = randomUUID();
    const workflowId = sessionWorkflowId(sessionId);
    return { sessionId, dataKey: key, workflowId, handle: client.workflow.getHandle(workflowId) };
  });
  let stopped = false; // a session due after the time limit is not started
  const start = async (run: StartedSession) => {
    if (stopped) throw new Error('not started: the scenario had ended');
    const input = { sessionId: run.sessionId, dataKey: run.dataKey, settings };
    const options = { workflowId: run.workflowId, taskQueue, args: [input] as [typeof input] };
    run.startedAt = Date.now();
    // By type name: the baselines live in the worker's bundle (bench/baselines/bundle.ts), not here.
    if (scenario.workflow === 'naive') await client.workflow.start<typeof NaiveSessionWorkflow>('NaiveSessionWorkflow', options);
    else if (scenario.workflow === 'staged') await client.workflow.start<typeof StagedSessionWorkflow>('StagedSessionWorkflow', options);
    else await sessions.start(run.sessionId, run.dataKey);
  };
  const t0 = Date.now();
  // Sessions due at the clock's start are started before it runs on; later ones on their own timers.
  const delayOf = (i: number) => (scenario.startAfterSeconds?.[i] ?? 0) * 1000;
  await Promise.all(runs.map((run, i) => (delayOf(i) === 0 ? start(run) : undefined)));
  const later = runs.map((run, i) => (delayOf(i) === 0 ? Promise.resolve() : sleep(delayOf(i) - (Date.now() - t0)).then(() => start(run))));
  const change = scenario.limitChange ? changeLimitLater(standins, pool, scenario.limitChange) : undefined;

  // Time to STATS_DATA_READY from the sessions projection: free, no Temporal action.
  let polling = true;
  const poller = (async () => {
    for (let tick = 0; polling; tick++) {
      if (tick % 10 === 0) await pgCpu.sample();
      const { rows } = await pool.query<{ id: string; state: string }>('select id, state from sessions where id = any($1::text[])', [runs.map((r) => r.sessionId)]);
      const now = Date.now();
      for (const row of rows) {
        const run = runs.find((r) => r.sessionId === row.id)!;
        if (run.statsReadyAt === undefined && (row.state === 'STATS_DATA_READY' || row.state === 'PROVISIONAL_REPORT_READY' || row.state === 'COMPLETED')) run.statsReadyAt = now;
      }
      await sleep(100);
    }
  })();

  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(() => resolve(void (timedOut = true)), timeoutMs)));
  await Promise.race([
    deadline,
    Promise.all(
      runs.map((run, i) =>
        later[i]!.then(() => run.handle.result()).then(
          () => void (run.completedAt = Date.now()),
          (error: unknown) => void (run.error = (error as Error).message),
        ),
      ),
    ),
  ]);
  clearTimeout(timer);
  stopped = true;
  const adaptive = change?.measure();
  if (catalog?.busy) {
    const atEnd = await catalog.busy.query(catalogProgressQuery).catch(() => undefined);
    if (atEnd) Object.assign(catalog.measure, { atEnd, enrichedDuringSessions: atEnd.enriched - catalog.measure.atStart.enriched });
  }
  const t1 = Math.max(...runs.map((r) => r.completedAt ?? Date.now()));
  const benchCpuEnd = process.cpuUsage();
  polling = false;
  await poller;
  await pgCpu.sample();
  const windows = serviceWindows(standins, t0, t1);
  const cpuEnd = cpuTimes();
  const temporalEnd = env.temporalPid ? readProc(env.temporalPid) : undefined;

  if (timedOut) {
    say(`${scenario.name}: timed out; terminating what still runs (sessions and their children)`);
    for (const run of runs) {
      if (run.completedAt === undefined) run.error ??= 'timeout';
      const { executions } = await listSessionExecutions(client, run.workflowId, taskQueue);
      for (const e of executions.filter((x) => x.status.name === 'RUNNING')) {
        await client.workflow.getHandle(e.workflowId, e.runId).terminate('bench timeout').catch(() => undefined);
      }
    }
  }
  return { runs, t0, t1, timedOut, peakReset, procStart, temporalStart, temporalEnd, pgCpu, cpuStart, cpuEnd, benchCpuStart, benchCpuEnd, windows, adaptive };
}

/** Each service's admitted requests between t0 and t1, and how much of its rate went unused. */
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The most request starts in any window of `ms` (what the stand-in's limit is measured against). */
function maxInWindow(starts: number[], ms: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= ms) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

function serviceWindows(standins: RunningStandins, t0: number, t1: number): Record<ServiceName, ServiceWindow> {
  const stats = standins.stats();
  const limits = standins.limits();
  const wall = (t1 - t0) / 1000;
  const out = {} as Record<ServiceName, ServiceWindow>;
  for (const name of Object.keys(stats) as ServiceName[]) {
    const starts = stats[name].admittedStarts.filter((t) => t >= t0 && t <= t1);
    const admitted = starts.length;
    const first = admitted ? Math.min(...starts) : null;
    const last = admitted ? Math.max(...starts) : null;
    const span = first !== null && last !== null ? (last - first) / 1000 : 0;
    out[name] = {
      admitted,
      rateLimited: stats[name].rateLimited,
      firstAtSeconds: first === null ? null : round((first - t0) / 1000, 2),
      lastAtSeconds: last === null ? null : round((last - t0) / 1000, 2),
      meanRpsWhileActive: span > 0 ? round(admitted / span, 1) : null,
      maxInOneSecond: maxInWindow(starts, 1_000),
      idleShare: round(Math.max(0, 1 - admitted / (limits[name].rps * wall)), 3),
    };
  }
  return out;
}

async function collect(env: BenchEnv, scenario: Scenario, db: ScenarioDb, prepared: Prepared, measured: Measured): Promise<ScenarioResult> {
  const { client, standins } = env;
  const { taskQueue, perSession, union, bound, pool, closePool, closeSessionKeys, sharedBefore, workers, stopWorker, readyAfterSeconds, catalog } = prepared;
  const { runs, t0, t1, timedOut, peakReset, procStart, temporalStart, temporalEnd, pgCpu, cpuStart, cpuEnd, benchCpuStart, benchCpuEnd, windows, adaptive } = measured;

  // One progress query per completed session (counted as an action): its run count cross-checks the listing.
  const queried: Record<string, number> = {};
  const queriedRuns: Record<string, number> = {};
  if (scenario.workflow === 'session') {
    for (const run of runs.filter((r) => r.completedAt !== undefined)) {
      queried[run.sessionId] = 1;
      await run.handle.query(progressQuery).then(
        (p) => void (queriedRuns[run.sessionId] = p.runs),
        (error: unknown) => say(`query failed: ${(error as Error).message}`),
      );
    }
  }

  // Children that finish after the session still cost actions: wait for them before counting.
  const costs: SessionCost[] = [];
  const closeDeadline = Date.now() + (timedOut ? 5_000 : 60_000);
  for (const run of runs) await waitSessionClosed(client, run.workflowId, taskQueue, Math.max(0, closeDeadline - Date.now()));
  // Requests per service over the whole scenario, children finishing after COMPLETED included.
  const afterClose = standins.stats();
  const requests = Object.fromEntries(
    SERVICE_NAMES.map((n) => [n, { requests: afterClose[n].requests, admitted: afterClose[n].admitted, rateLimited: afterClose[n].rateLimited }]),
  ) as Record<ServiceName, RequestCounts>;
  const per = (n: number, d: number) => (d > 0 ? round(n / d, 2) : null);
  const requestsPerMinimum = {
    tmdbPerShow: per(requests.tmdb.requests, bound.shows),
    rtPerMatchedShow: per(requests.rt.requests, bound.matched),
    wikidataPerChunk: per(requests.wikidata.requests, bound.chunks),
  };
  for (const run of runs) {
    const timeline: TimelineEntry[] | undefined = env.timelineDir ? [] : undefined;
    const cost = await sessionCost(client, run.workflowId, taskQueue, queried[run.sessionId] ?? 0, timeline);
    if (timeline && env.timelineDir && run.startedAt !== undefined) {
      mkdirSync(env.timelineDir, { recursive: true });
      writeFileSync(path.join(env.timelineDir, `${scenario.name}-${run.dataKey}.txt`), formatTimeline(timeline, run.startedAt));
    }
    const fromQuery = queriedRuns[run.sessionId];
    if (fromQuery !== undefined && fromQuery !== cost.runs) say(`${scenario.name}: the progress query says ${fromQuery} run(s), the listing found ${cost.runs}`);
    costs.push(cost);
  }

  const sessionIds = runs.map((r) => r.sessionId);
  const outcomes = await showOutcomes(pool, sessionIds);
  const rows = await rowsWritten(pool, sessionIds, sharedBefore);
  const bytes = await tableBytes(pool);

  if (catalog?.busy) await stopBusyCrawl(catalog.busy);
  const procEnd = workers.map((w) => readProc(w.pid));
  await stopWorker();
  await closePool();
  await closeSessionKeys();
  for (const s of perSession) for (const id of s.showIds) db.seenShows.add(id);

  const wallSeconds = (t1 - t0) / 1000;
  const statsReady = runs.map((r) => (r.statsReadyAt === undefined ? null : (r.statsReadyAt - t0) / 1000)).filter((x): x is number => x !== null);
  const totalActions = costs.reduce((a, c) => a + c.actions.total, 0);
  const totalActivities = perSession.reduce((a, s) => a + s.activities, 0);
  const failed = runs.filter((r) => r.error);
  const result: ScenarioResult = {
    name: scenario.name,
    description: scenario.description,
    workflow: scenario.workflow,
    setting: scenario.setting,
    status: timedOut ? 'timeout' : failed.length > 0 ? 'failed' : 'ok',
    errors: failed.map((r) => `${r.dataKey}: ${r.error}`),
    runAt: new Date(t0).toISOString(),
    commit: gitCommit(),
    sessions: runs.length,
    history: {
      activities: totalActivities,
      pages: bound.pages,
      shows: perSession.reduce((a, s) => a + s.shows, 0),
      uncachedShows: bound.shows,
      matched: perSession.reduce((a, s) => a + s.matched, 0),
      uncachedMatched: bound.matched,
      distinctShowsAcrossSessions: union.size,
      perSession: perSession.map(({ key, activities, pages, shows, uncachedShows, matched, uncachedMatched }) => ({ key, activities, pages, shows, uncachedShows, matched, uncachedMatched })),
    },
    bound,
    wallSeconds: round(wallSeconds),
    ratio: round(wallSeconds / bound.seconds),
    statsReadySeconds: statsReady.length ? { first: round(Math.min(...statsReady)), max: round(Math.max(...statsReady)) } : null,
    completedSeconds: runs.map((r) => (r.completedAt === undefined ? null : round((r.completedAt - t0) / 1000))),
    sessionTimes: runs.map((r) => {
      const since = (at: number | undefined) => (at === undefined || r.startedAt === undefined ? null : round((at - r.startedAt) / 1000));
      return { key: r.dataKey, startedAtSeconds: r.startedAt === undefined ? null : round((r.startedAt - t0) / 1000), statsReadySeconds: since(r.statsReadyAt), completedSeconds: since(r.completedAt) };
    }),
    requests,
    requestsPerMinimum,
    cost: {
      perSession: costs,
      actionsPerSession: round(totalActions / runs.length, 1),
      actionsPer1kActivities: round((totalActions / totalActivities) * 1000, 1),
      maxRuns: Math.max(...costs.map((c) => c.runs)),
      children: costs.reduce((a, c) => a + c.children, 0),
      largestRun: costs.map((c) => c.largestRun).reduce((a, b) => (b.events > a.events ? b : a)),
    },
    worker: {
      pid: workers[0]!.pid,
      readyAfterSeconds,
      prebuiltBundle: env.workflowBundlePath !== undefined,
      // Over several processes: the largest peak, and the CPU of all of them together.
      peakRssMb: round(Math.max(...procEnd.map((p) => p.peakRssBytes)) / 2 ** 20, 1),
      rssAtStartMb: round(Math.max(...procStart.map((p) => p.rssBytes)) / 2 ** 20, 1),
      peakCoversSessionOnly: peakReset,
      cpuSeconds: round(sum(procEnd.map((p, i) => p.cpuSeconds - procStart[i]!.cpuSeconds)), 1),
      childCpuSeconds: round(sum(procEnd.map((p, i) => p.childCpuSeconds - procStart[i]!.childCpuSeconds)), 1),
      ...(workers.length > 1 ? { processes: workers.length, cpuSecondsPerProcess: procEnd.map((p, i) => round(p.cpuSeconds - procStart[i]!.cpuSeconds, 1)) } : {}),
    },
    temporalServerCpuSeconds: temporalStart && temporalEnd ? round(temporalEnd.cpuSeconds - temporalStart.cpuSeconds, 1) : null,
    benchProcessCpuSeconds: round((benchCpuEnd.user + benchCpuEnd.system - benchCpuStart.user - benchCpuStart.system) / 1e6, 1),
    postgresCpuSeconds: pgCpu.cpuSeconds() === null ? null : round(pgCpu.cpuSeconds()!, 1),
    postgresBackends: Object.fromEntries([...pgCpu.activity].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round(n / Math.max(1, pgCpu.samples), 1)])),
    machineCpuBusy: round((cpuEnd.busy - cpuStart.busy) / Math.max(1, cpuEnd.total - cpuStart.total), 3),
    showOutcomes: outcomes,
    rows,
    rowsTotal: Object.values(rows).reduce((a, b) => a + b, 0),
    tableBytes: bytes,
    services: windows,
    idle: Object.fromEntries(bound.winners.map((t) => [TERM_SERVICE[t], windows[TERM_SERVICE[t]].idleShare])),
    ...(catalog ? { catalog: catalog.measure } : {}),
    ...(adaptive ? { adaptive: { ...adaptive, requests: requests[adaptive.service].requests, rateLimited: requests[adaptive.service].rateLimited } } : {}),
  };
  say(
    `${scenario.name}: ${result.status}; wall ${result.wallSeconds} s (${result.ratio}×T*), STATS_DATA_READY ${result.statsReadySeconds?.max ?? '–'} s, ` +
      `${result.cost.actionsPerSession} actions/session, worker peak ${result.worker.peakRssMb} MB, ${result.worker.cpuSeconds} CPU s; ` +
      `requests: TMDB ${requestsPerMinimum.tmdbPerShow ?? '–'}/show, RT ${requestsPerMinimum.rtPerMatchedShow ?? '–'}/matched show, Wikidata ${requestsPerMinimum.wikidataPerChunk ?? '–'}/chunk; ` +
      `RT outcomes ${JSON.stringify(outcomes.rt)}`,
  );
  return result;
}
