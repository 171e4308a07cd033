// The bench's results: their shape, and the files they live in. bench/results.json keeps every
// scenario's latest result; a run of some scenarios replaces only their rows, the others stay when
// they were measured under the same limits and settings. RESULTS.md, chart.svg and README-section.md
// are rendered from it (report.ts, chart.ts) and written beside it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PipelineSettings } from '../src/config/index.js';
import type { Limits, ServiceName } from '../standins/index.js';
import { chartSvg } from './chart.js';
import type { AdaptiveMeasure } from './adaptive.js';
import type { CatalogMeasure } from './catalog.js';
import type { SessionCost } from './cost.js';
import { projectRoot } from './infra.js';
import { readmeSection, resultsMarkdown } from './report.js';
import { type Bound, SCENARIOS, type Setting } from './scenarios.js';

export interface MachineInfo {
  nproc: number;
  memoryGb: number;
  cpuModel: string;
  node: string;
  platform: string;
}

export interface ServiceWindow {
  admitted: number;
  /** 429s the stand-in answered (the client-side limiter should keep this at 0). */
  rateLimited: number;
  firstAtSeconds: number | null;
  lastAtSeconds: number | null;
  meanRpsWhileActive: number | null;
  /** The most requests the stand-in admitted in any one second (absent in older results). */
  maxInOneSecond?: number;
  /** 1 − admitted / (rate × wall time). */
  idleShare: number;
}

export interface RequestCounts {
  /** Every request the stand-in received (429s included). */
  requests: number;
  admitted: number;
  rateLimited: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  workflow: string;
  /** Absent in results from before the two settings: fast. */
  setting?: Setting;
  status: 'ok' | 'failed' | 'timeout';
  errors: string[];
  runAt: string;
  commit: string;
  sessions: number;
  history: {
    activities: number;
    pages: number;
    shows: number;
    uncachedShows: number;
    /** Shows that match on TMDB (catalog: on TMDB, not a decoy), and those not cached. */
    matched?: number;
    uncachedMatched?: number;
    distinctShowsAcrossSessions: number;
    perSession: { key: string; activities: number; pages: number; shows: number; uncachedShows: number; matched?: number; uncachedMatched?: number }[];
  };
  bound: Bound;
  wallSeconds: number;
  ratio: number;
  statsReadySeconds: { first: number; max: number } | null;
  completedSeconds: (number | null)[];
  /** Per session, from its own start: when it started after the clock, its STATS_DATA_READY and COMPLETED (absent in older results). */
  sessionTimes?: { key: string; startedAtSeconds: number | null; statsReadySeconds: number | null; completedSeconds: number | null }[];
  /** Per service, from resetting the stand-ins' stats at the start to every workflow closed. */
  requests?: Record<ServiceName, RequestCounts>;
  /** Requests taken per unit of the bound's minimum: TMDB / S (min 2), RT / M (min 1), Wikidata / ⌈M/C⌉ (min 1). */
  requestsPerMinimum?: { tmdbPerShow: number | null; rtPerMatchedShow: number | null; wikidataPerChunk: number | null };
  cost: {
    perSession: SessionCost[];
    actionsPerSession: number;
    actionsPer1kActivities: number;
    maxRuns: number;
    children: number;
    largestRun: SessionCost['largestRun'];
  };
  worker: {
    pid: number;
    /**
     * From spawning the process to polling both task queues: tsx start-up and loading the invocation's
     * prebuilt bundle (before workflowBundle in BenchResults: bundling with webpack at start).
     */
    readyAfterSeconds?: number;
    peakRssMb: number;
    /** Whether it loaded the invocation's prebuilt bundle (absent in older results: it bundled at start). */
    prebuiltBundle?: boolean;
    /** RSS when the session(s) started: the idle worker, start-up done. */
    rssAtStartMb: number;
    peakCoversSessionOnly: boolean;
    /** Over every worker process of the scenario. */
    cpuSeconds: number;
    /** Scale-out scenarios: how many worker processes, and each one's CPU seconds. */
    processes?: number;
    cpuSecondsPerProcess?: number[];
    /** CPU of processes the worker spawned (crawlee runs `ps` about once a second per crawler). */
    childCpuSeconds: number;
  };
  /** How the session's shows ended: TMDB status counts, and RT status counts of the TMDB-matched ones. */
  showOutcomes: { tmdb: Record<string, number>; rt: Record<string, number>; rtMatch?: Record<string, number> };
  temporalServerCpuSeconds: number | null;
  /** The bench process: the stand-ins, the 100 ms state poll and the Temporal client. */
  benchProcessCpuSeconds: number;
  /** The PostgreSQL backends serving the scenario's database (sampled each second; null for a remote server). */
  postgresCpuSeconds: number | null;
  /** Mean number of the database's backends per state (sampled each second), e.g. `active, waiting on Lock/transactionid`. */
  postgresBackends?: Record<string, number>;
  /** Busy share of all CPUs over the wall time, whoever used them (other jobs on the machine included). */
  machineCpuBusy: number;
  rows: Record<string, number>;
  rowsTotal: number;
  /** Each table's on-disk bytes after the scenario (its database holds only this scenario, or the cold 10k before it for the warm run). */
  tableBytes?: Record<string, number>;
  services: Record<ServiceName, ServiceWindow>;
  /** Idle share of the service(s) whose term wins T*'s max. */
  idle: Record<string, number>;
  /** Scenarios with the catalog crawler: what it did before or beside the session (bench/catalog.ts). */
  catalog?: CatalogMeasure;
  /** Scenarios where a stand-in lowers its limit mid-run: how the adaptive limiter followed (bench/adaptive.ts). */
  adaptive?: AdaptiveMeasure;
}

/** The compiled product worker (`npm run build`, `node dist/src/worker/main.js` with WORKFLOW_BUNDLE_PATH), probed once. */
export interface CompiledWorkerProbe {
  measuredAt: string;
  commit: string;
  buildSeconds: number;
  /** From spawn to polling both task queues. */
  startupSeconds: number;
  /** RSS once polling, idle. */
  rssMb: number;
  /** A fresh node importing dist/src/worker/process.js (the worker's module graph) and exiting; and `crawlee` alone. */
  importSeconds?: number;
  crawleeImportSeconds?: number;
}

export interface BenchResults {
  generatedAt: string;
  machine: MachineInfo;
  commit: string;
  temporalCli: string;
  database: string;
  /** Stand-in limits per rate setting. */
  limits: Record<Setting, Record<ServiceName, Limits>>;
  /** The app's client-side rates (environment) per rate setting. */
  appRates: Record<Setting, Record<string, string>>;
  settings: PipelineSettings;
  rtMaxConcurrency: number;
  totalSeconds: number;
  /** The workflow bundle built once per invocation and loaded by every bench worker (absent: each worker bundled at start). */
  workflowBundle?: { kb: number; seconds: number };
  /** Whether the dev server ran with matching.enableFairness (fairness keys honoured). */
  temporalFairness?: boolean;
  compiledWorker?: CompiledWorkerProbe;
  scenarios: ScenarioResult[];
}

/** Results are stored rounded, so results.json stays readable and diffs stay small. */
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

const benchDir = path.join(projectRoot, 'bench');
const resultsFile = path.join(benchDir, 'results.json');

function merge(fresh: BenchResults): BenchResults {
  if (!existsSync(resultsFile)) return fresh;
  try {
    const old = JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults;
    const sameSetup =
      JSON.stringify([old.limits, old.settings, old.rtMaxConcurrency, old.machine.nproc]) === JSON.stringify([fresh.limits, fresh.settings, fresh.rtMaxConcurrency, fresh.machine.nproc]);
    if (!sameSetup) return fresh;
    const byName = new Map(old.scenarios.map((s) => [s.name, s]));
    for (const s of fresh.scenarios) byName.set(s.name, s);
    const order = SCENARIOS.map((s) => s.name);
    const scenarios = [...byName.values()].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    return { ...fresh, scenarios, totalSeconds: fresh.totalSeconds, compiledWorker: fresh.compiledWorker ?? old.compiledWorker };
  } catch {
    return fresh;
  }
}


/** Re-renders RESULTS.md, chart.svg and README-section.md from bench/results.json (after editing the notes or the renderer). */
export function rerender(): string[] {
  if (!existsSync(resultsFile)) throw new Error('bench/results.json does not exist yet: run the bench first');
  return writeOutputs(JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResults);
}

/** `outDir`: write there instead (a trial run), still merged over bench/results.json and its notes. */
export function writeOutputs(fresh: BenchResults, outDir = benchDir): string[] {
  const results = merge(fresh);
  // Read before anything is written: the hand-written notes of the RESULTS.md being replaced carry over.
  const markdownFile = path.join(benchDir, 'RESULTS.md');
  const previousMarkdown = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : undefined;
  const files = {
    'results.json': `${JSON.stringify(results, null, 2)}\n`,
    'RESULTS.md': resultsMarkdown(results, fresh, previousMarkdown),
    'chart.svg': chartSvg(results),
    'README-section.md': readmeSection(results),
  };
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(outDir, name), text);
  return Object.keys(files).map((f) => path.relative(process.cwd(), path.join(outDir, f)));
}
