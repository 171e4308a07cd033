// The bench's results: their shape (outputs.ts writes them; report.ts and chart.ts render them).
import type { PipelineSettings } from '../src/config/index.js';
import type { Limits, ServiceName } from '../standins/index.js';
import type { AdaptiveMeasure } from './adaptive.js';
import type { CatalogMeasure } from './catalog.js';
import type { SessionCost } from './cost.js';
import type { Bound, Setting } from './scenarios.js';

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
  /** The worker's RT and TMDB lanes (activities/fairLanes.ts); results from before the lanes had RT_MAX_CONCURRENCY per chunk and no TMDB setting. */
  rtMaxConcurrency: number;
  tmdbMaxConcurrency?: number;
  totalSeconds: number;
  /** The workflow bundle built once per invocation and loaded by every bench worker (absent: each worker bundled at start). */
  workflowBundle?: { kb: number; seconds: number };
  /** Whether the dev server ran with matching.enableFairness (fairness keys honoured). */
  temporalFairness?: boolean;
  compiledWorker?: CompiledWorkerProbe;
  scenarios: ScenarioResult[];
}
