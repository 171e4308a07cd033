// `npm run bench [-- --only 1k,real-1k …]`: starts a Temporal dev server, the stand-ins (in this process,
// under each scenario's setting: SETTING_LIMITS fast or real) and a worker process per scenario over a
// scratch PostgreSQL database, runs the scenarios, and writes bench/results.json, bench/RESULTS.md,
// bench/chart.svg and bench/README-section.md.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEMO_GANDALF_PRIVATE_KEY, publicKeyHexFromPrivate } from '../src/clients/gandalf/signature.js';
import { DEMO_SERVICE_KEYS, envSchema, loadConfig, type PipelineSettings } from '../src/config/index.js';
import { openDatabase } from '../src/db/index.js';
import { historyFor, type RunningStandins, SERVICE_NAMES, type ServiceName, startStandins } from '../standins/index.js';
import { ensureTemporalCli } from '../src/temporal/cli.js';
import { startDevServer } from '../src/temporal/devServer.js';
import { progressQuery, sessionWorkflowId, type SessionWorkflowType, WorkflowTypes } from '../src/contracts/index.js';
import type { NaiveSessionWorkflow, StagedSessionWorkflow } from './baselines/workflows.js';
import { listSessionExecutions, type SessionCost, sessionCost, waitSessionClosed } from './cost.js';
import { benchPayloadEncryption } from './payload.js';
import { Cleanup, createScratchDatabase, freePort, PgCpuTracker, projectRoot, readProc, resetPeakRss, sleep, spawnWorker, waitForPollers } from './infra.js';
import { type BenchResults, type MachineInfo, type RequestCounts, rerender, type ScenarioResult, type ServiceWindow, writeOutputs } from './render.js';
import { appRateEnv, type Bound, lowerBound, SCENARIOS, type Scenario, type Setting, SETTING_LIMITS, SETTINGS, TERM_SERVICE } from './scenarios.js';

const say = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const NAMESPACE = 'default';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    /** Comma-separated scenario names (same as repeating --scenario). */
    only: { type: 'string', multiple: true },
    /** Every scenario of one rate setting: fast or real. */
    setting: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    /** Writes a V8 CPU profile of each worker into the kept scratch directory (implies --keep-logs). */
    'cpu-prof': { type: 'boolean', default: false },
    /** Only re-render RESULTS.md, chart.svg and README-section.md from results.json. */
    'render-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (args.help) {
  console.log(
    `usage: npm run bench [-- --only <name>[,<name>…]] [--scenario <name> …] [--setting fast|real] [--keep-logs] [--cpu-prof] [--render-only]\n` +
      `scenarios: ${SCENARIOS.map((s) => `${s.name} (${s.setting})`).join(', ')} (no selection = all)`,
  );
  process.exit(0);
}
const names = [...(args.scenario ?? []), ...(args.only ?? []).flatMap((v) => v.split(','))].map((n) => n.trim()).filter(Boolean);
if (args.setting !== undefined && !SETTINGS.includes(args.setting as Setting)) {
  console.error(`unknown setting ${args.setting}; choose from ${SETTINGS.join(', ')}`);
  process.exit(2);
}
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
if (args['render-only']) {
  console.log(`wrote ${rerender().join(', ')}`);
  process.exit(0);
}
const selected = SCENARIOS.filter((s) => (names.length === 0 || names.includes(s.name)) && (args.setting === undefined || s.setting === args.setting));

const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
// Pipeline knobs (PAGES_PER_FETCH, CHUNK_SIZE, …) may be overridden from the environment to compare settings;
// the rates are per scenario (its setting), so the fast ones here only fill the config's rate fields.
const config = loadConfig({ ...process.env, ...appRateEnv('fast'), LOG_LEVEL: 'warn' });
const settings: PipelineSettings = config.pipeline;

function machineInfo(): MachineInfo {
  const cpuModel = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  return { nproc, memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, cpuModel, node: process.version, platform: `${os.type()} ${os.release()}` };
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown';
  }
}

/** Busy share of all CPUs between two /proc/stat samples. */
function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3] - (fields[4] ?? 0), total };
}

/** The dev server's pid: our child process named `temporal`. */
function childPidNamed(name: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === name && ppid === process.pid) return Number(entry);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

interface Env {
  client: Client;
  /** Shared with the workers (PAYLOAD_KEYS). */
  payloadEnv: Record<string, string>;
  connection: Connection;
  temporalAddress: string;
  temporalPid?: number;
  standins: RunningStandins;
  scratchDir: string;
  cleanup: Cleanup;
}

interface ScenarioDb {
  url: string;
  drop: () => Promise<void>;
  /** Catalog show ids whose data some earlier session in this database already stored. */
  seenShows: Set<number>;
}

const SHARED_TABLES = ['shows', 'show_cast', 'actors', 'show_genres'] as const;
const SESSION_TABLES = ['episodes', 'films', 'session_shows', 'reports', 'insights', 'date_problems'] as const;

async function countShared(pool: pg.Pool): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of SHARED_TABLES) out[t] = Number((await pool.query(`select count(*)::int as n from ${t}`)).rows[0].n);
  return out;
}

async function newDatabase(env: Env, label: string): Promise<ScenarioDb> {
  const name = `showprint_bench_${runTag}_${label.replace(/\W/g, '_')}`;
  const scratch = await createScratchDatabase(databaseUrl, name);
  const drop = env.cleanup.add(`drop database ${name}`, scratch.drop);
  // Migrate here, before the worker starts, so the bench can read the tables from the first poll.
  const handle = await openDatabase({ databaseUrl: scratch.url, poolSize: 2 });
  await handle.close();
  return { url: scratch.url, drop, seenShows: new Set() };
}

function workerEnv(env: Env, db: ScenarioDb, taskQueue: string, setting: Setting): Record<string, string> {
  // Pass through every showprint setting the caller set, then pin what the bench controls.
  const skip = new Set(['METRICS_PORT', 'SDK_METRICS_PORT', 'PORT']); // ports would clash between runs
  const passthrough = Object.fromEntries(Object.keys(envSchema.shape).flatMap((k) => (process.env[k] && !skip.has(k) ? [[k, process.env[k]!]] : [])));
  return {
    ...passthrough,
    ...env.payloadEnv,
    ...appRateEnv(setting),
    LOG_LEVEL: 'warn',
    DATA_DIR: env.scratchDir,
    TEMPORAL_ADDRESS: env.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: db.url,
    GANDALF_URL: env.standins.urls.gandalf,
    GANDALF_PRIVATE_KEY: DEMO_GANDALF_PRIVATE_KEY,
    TMDB_URL: env.standins.urls.tmdb,
    TMDB_API_KEY: DEMO_SERVICE_KEYS.tmdbApiKey,
    RT_URL: env.standins.urls.rt,
    WIKIDATA_URL: env.standins.urls.wikidata,
    OPENAI_BASE_URL: env.standins.urls.openai,
    OPENAI_API_KEY: DEMO_SERVICE_KEYS.openaiApiKey,
    STANDINS: 'off',
  };
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
      idleShare: round(Math.max(0, 1 - admitted / (limits[name].rps * wall)), 3),
    };
  }
  return out;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

interface SessionRun {
  sessionId: string;
  dataKey: string;
  workflowId: string;
  handle: WorkflowHandle;
  statsReadyAt?: number;
  completedAt?: number;
  error?: string;
}

async function runScenario(env: Env, scenario: Scenario, db: ScenarioDb, opts: { report: boolean }): Promise<ScenarioResult> {
  const taskQueue = `bench-${runTag}-${scenario.name}${opts.report ? '' : '-prep'}`;
  const { client, standins } = env;
  const limits = SETTING_LIMITS[scenario.setting];
  for (const name of SERVICE_NAMES) standins.setLimits(name, limits[name]);

  // Histories are generated (and memoised in the stand-in's catalog) before the clock starts. S and M
  // come from the stand-in's own data: M = the catalog shows on TMDB that are not decoys (whether RT
  // has a page does not matter: RT takes at least one request per matched show either way).
  const onTmdb = (id: number) => {
    const show = standins.catalog.showById.get(id);
    return show !== undefined && show.onTmdb && show.decoyOf === undefined;
  };
  const perSession = scenario.dataKeys.map((key) => {
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

  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const closePool = env.cleanup.add('close bench pool', () => pool.end());
  const sharedBefore = await countShared(pool);

  say(`${scenario.name}: starting a worker on ${taskQueue} (${scenario.setting} limits)`);
  const label = `${scenario.name}${opts.report ? '' : '-prep'}`;
  const worker = spawnWorker(workerEnv(env, db, taskQueue, scenario.setting), path.join(env.scratchDir, `worker-${label}.log`), {
    cpuProfileDir: args['cpu-prof'] ? path.join(env.scratchDir, `cpu-${label}`) : undefined,
  });
  env.cleanup.trackPid(worker.pid);
  const stopWorker = env.cleanup.add(`stop worker ${worker.pid}`, async () => {
    await worker.stop();
    env.cleanup.untrackPid(worker.pid);
  });
  const spawnedAt = Date.now();
  await waitForPollers(env.connection, NAMESPACE, taskQueue, worker);
  const readyAfterSeconds = round((Date.now() - spawnedAt) / 1000, 1);
  const peakReset = resetPeakRss(worker.pid);
  const procStart = readProc(worker.pid);
  const temporalStart = env.temporalPid ? readProc(env.temporalPid) : undefined;
  const pgCpu = new PgCpuTracker(pool);
  await pgCpu.baseline();
  const cpuStart = cpuTimes();
  const benchCpuStart = process.cpuUsage();
  standins.resetStats();

  const timeoutMs = scenario.timeoutSeconds * 1000;
  say(`${scenario.name}: ${scenario.dataKeys.length} session(s), P=${bound.pages} S=${bound.shows} M=${bound.matched}, T*=${bound.seconds.toFixed(1)} s; giving up after ${Math.round(timeoutMs / 1000)} s`);

  const t0 = Date.now();
  const runs: SessionRun[] = await Promise.all(
    perSession.map(async ({ key }) => {
      const sessionId = randomUUID();
      const workflowId = sessionWorkflowId(sessionId);
      const input = { sessionId, dataKey: key, settings };
      const options = { workflowId, taskQueue, args: [input] as [typeof input] };
      // By type name: the workflows live in the worker's bundle (bench/baselines/bundle.ts), not here.
      const handle =
        scenario.workflow === 'naive'
          ? await client.workflow.start<typeof NaiveSessionWorkflow>('NaiveSessionWorkflow', options)
          : scenario.workflow === 'staged'
            ? await client.workflow.start<typeof StagedSessionWorkflow>('StagedSessionWorkflow', options)
            : await client.workflow.start<SessionWorkflowType>(WorkflowTypes.session, options);
      return { sessionId, dataKey: key, workflowId, handle };
    }),
  );

  // Time to STATS_DATA_READY from the sessions projection: free, no Temporal action.
  let polling = true;
  const poller = (async () => {
    for (let tick = 0; polling; tick++) {
      if (tick % 10 === 0) await pgCpu.sample();
      const { rows } = await pool.query<{ id: string; state: string }>('select id, state from sessions where id = any($1::text[])', [runs.map((r) => r.sessionId)]);
      const now = Date.now();
      for (const row of rows) {
        const run = runs.find((r) => r.sessionId === row.id)!;
        if (run.statsReadyAt === undefined && (row.state === 'STATS_DATA_READY' || row.state === 'COMPLETED')) run.statsReadyAt = now;
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
      runs.map((run) =>
        run.handle.result().then(
          () => void (run.completedAt = Date.now()),
          (error: unknown) => void (run.error = (error as Error).message),
        ),
      ),
    ),
  ]);
  clearTimeout(timer);
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
    const cost = await sessionCost(client, run.workflowId, taskQueue, queried[run.sessionId] ?? 0);
    const fromQuery = queriedRuns[run.sessionId];
    if (fromQuery !== undefined && fromQuery !== cost.runs) say(`${scenario.name}: the progress query says ${fromQuery} run(s), the listing found ${cost.runs}`);
    costs.push(cost);
  }

  // Speed only counts with the work done: how each show of the session(s) ended on TMDB and RT.
  const { rows: outcomeRows } = await pool.query<{ tmdb_status: string; rt_status: string; n: number }>(
    `select tmdb_status, rt_status, count(*)::int as n from shows
      where id in (select show_id from session_shows where session_id = any($1::text[])) group by 1, 2`,
    [runs.map((r) => r.sessionId)],
  );
  const outcomes = { tmdb: {} as Record<string, number>, rt: {} as Record<string, number>, rtMatch: {} as Record<string, number> };
  for (const r of outcomeRows) {
    outcomes.tmdb[r.tmdb_status] = (outcomes.tmdb[r.tmdb_status] ?? 0) + r.n;
    if (r.tmdb_status === 'matched') outcomes.rt[r.rt_status] = (outcomes.rt[r.rt_status] ?? 0) + r.n;
  }
  // Which way RT pages were found (wikidata, slug, not_found); a schema without rt_match has no answer.
  await pool
    .query<{ rt_match: string | null; n: number }>(
      `select rt_match, count(*)::int as n from shows
        where tmdb_status = 'matched' and id in (select show_id from session_shows where session_id = any($1::text[])) group by 1`,
      [runs.map((r) => r.sessionId)],
    )
    .then(
      ({ rows: matchRows }) => matchRows.forEach((r) => (outcomes.rtMatch[r.rt_match ?? 'none'] = r.n)),
      () => undefined,
    );

  const sessionRows: Record<string, number> = {};
  for (const t of SESSION_TABLES) {
    sessionRows[t] = Number((await pool.query(`select count(*)::int as n from ${t} where session_id = any($1::text[])`, [runs.map((r) => r.sessionId)])).rows[0].n);
  }
  const sharedAfter = await countShared(pool);
  const rows: Record<string, number> = { ...sessionRows };
  for (const t of SHARED_TABLES) rows[t] = sharedAfter[t] - sharedBefore[t];

  const procEnd = readProc(worker.pid);
  await stopWorker();
  await closePool();
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
      pid: worker.pid,
      readyAfterSeconds,
      peakRssMb: round(procEnd.peakRssBytes / 2 ** 20, 1),
      rssAtStartMb: round(procStart.rssBytes / 2 ** 20, 1),
      peakCoversSessionOnly: peakReset,
      cpuSeconds: round(procEnd.cpuSeconds - procStart.cpuSeconds, 1),
      childCpuSeconds: round(procEnd.childCpuSeconds - procStart.childCpuSeconds, 1),
    },
    temporalServerCpuSeconds: temporalStart && temporalEnd ? round(temporalEnd.cpuSeconds - temporalStart.cpuSeconds, 1) : null,
    benchProcessCpuSeconds: round((benchCpuEnd.user + benchCpuEnd.system - benchCpuStart.user - benchCpuStart.system) / 1e6, 1),
    postgresCpuSeconds: pgCpu.cpuSeconds() === null ? null : round(pgCpu.cpuSeconds()!, 1),
    postgresBackends: Object.fromEntries([...pgCpu.activity].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round(n / Math.max(1, pgCpu.samples), 1)])),
    machineCpuBusy: round((cpuEnd.busy - cpuStart.busy) / Math.max(1, cpuEnd.total - cpuStart.total), 3),
    showOutcomes: outcomes,
    rows,
    rowsTotal: Object.values(rows).reduce((a, b) => a + b, 0),
    services: windows,
    idle: Object.fromEntries(bound.winners.map((t) => [TERM_SERVICE[t], windows[TERM_SERVICE[t]].idleShare])),
  };
  say(
    `${scenario.name}: ${result.status}; wall ${result.wallSeconds} s (${result.ratio}×T*), STATS_DATA_READY ${result.statsReadySeconds?.max ?? '–'} s, ` +
      `${result.cost.actionsPerSession} actions/session, worker peak ${result.worker.peakRssMb} MB, ${result.worker.cpuSeconds} CPU s; ` +
      `requests: TMDB ${requestsPerMinimum.tmdbPerShow ?? '–'}/show, RT ${requestsPerMinimum.rtPerMatchedShow ?? '–'}/matched show, Wikidata ${requestsPerMinimum.wikidataPerChunk ?? '–'}/chunk; ` +
      `RT outcomes ${JSON.stringify(outcomes.rt)}`,
  );
  return result;
}

async function main() {
  const cleanup = new Cleanup();
  process.on('exit', () => cleanup.killTracked());
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      say(`${signal}: cleaning up`);
      void cleanup.runAll(say).then(() => process.exit(130));
    });
  }

  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'showprint-bench-'));
  let keepScratch = args['keep-logs'] || args['cpu-prof'];
  cleanup.add('remove scratch directory', async () => {
    if (keepScratch) say(`logs kept in ${scratchDir}`);
    else rmSync(scratchDir, { recursive: true, force: true });
  });

  const results: ScenarioResult[] = [];
  const startedAt = Date.now();
  try {
    const cliPath = await ensureTemporalCli(config.temporal.cliPath);
    const [port, uiPort] = [await freePort(), await freePort()];
    say(`Temporal dev server on 127.0.0.1:${port} (${cliPath})`);
    const devServer = await startDevServer({ cliPath, dataDir: path.join(scratchDir, 'temporal'), port, uiPort, namespace: NAMESPACE });
    cleanup.add('stop Temporal dev server', () => devServer.stop());
    const temporalPid = childPidNamed('temporal');
    cleanup.trackPid(temporalPid);

    const standins = await startStandins({
      gandalfPublicKeyHex: publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY),
      tmdbApiKey: DEMO_SERVICE_KEYS.tmdbApiKey,
      openaiApiKey: DEMO_SERVICE_KEYS.openaiApiKey,
      limits: SETTING_LIMITS[selected[0]?.setting ?? 'fast'],
    });
    cleanup.add('stop stand-ins', () => standins.close());

    const connection = await Connection.connect({ address: devServer.address });
    cleanup.add('close Temporal connection', () => connection.close());
    const payload = benchPayloadEncryption(runTag, scratchDir);
    const env: Env = {
      client: new Client({ connection, namespace: NAMESPACE, dataConverter: payload.dataConverter }),
      payloadEnv: payload.env,
      connection,
      temporalAddress: devServer.address,
      temporalPid,
      standins,
      scratchDir,
      cleanup,
    };

    let warmable: ScenarioDb | undefined; // the database the last cold 10k filled
    for (const scenario of selected) {
      if (interrupted) break;
      let db: ScenarioDb;
      if (scenario.cache === 'warm') {
        if (!warmable) {
          say(`${scenario.name}: warming the cache with a cold demo-10k session first (not reported)`);
          warmable = await newDatabase(env, `${scenario.name}_prep`);
          await runScenario(env, SCENARIOS.find((s) => s.name === '10k')!, warmable, { report: false });
        }
        db = warmable;
        warmable = undefined;
      } else {
        if (warmable) await warmable.drop();
        warmable = undefined;
        db = await newDatabase(env, scenario.name);
      }
      try {
        results.push(await runScenario(env, scenario, db, { report: true }));
      } catch (error) {
        keepScratch = true;
        say(`${scenario.name}: failed: ${(error as Error).stack ?? error}`);
      }
      if (scenario.name === '10k' && scenario.cache === 'cold') warmable = db;
      else await db.drop();
    }
    if (warmable) await warmable.drop();
  } catch (error) {
    keepScratch = true;
    say(`bench failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  } finally {
    await cleanup.runAll(say);
  }

  if (results.length > 0) {
    const bench: BenchResults = {
      generatedAt: new Date().toISOString(),
      machine: machineInfo(),
      commit: gitCommit(),
      temporalCli: 'v1.5.1 (temporal server start-dev)',
      database: 'PostgreSQL, a scratch database per scenario (10k-warm reuses the cold 10k one)',
      limits: SETTING_LIMITS,
      appRates: Object.fromEntries(SETTINGS.map((k) => [k, appRateEnv(k)])) as Record<Setting, Record<string, string>>,
      settings,
      rtMaxConcurrency: config.rates.rtMaxConcurrency,
      totalSeconds: round((Date.now() - startedAt) / 1000, 1),
      scenarios: results,
    };
    const written = writeOutputs(bench);
    say(`wrote ${written.join(', ')}`);
  }
  if (results.some((r) => r.status !== 'ok') || results.length < selected.length) process.exitCode = 1;
  say(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

await main();
