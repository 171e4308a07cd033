// The benchmark's scenarios, the two stand-in settings they run under, and DESIGN §4's lower bound.
import type { Limits, ServiceName } from '../standins/index.js';

export type WorkflowKind = 'session' | 'naive' | 'staged';

/**
 * fast: generous limits that expose the orchestration's own overhead (CPU, queueing, round trips);
 * real: the limits a polite client lives with, where the external services dominate (DESIGN §4).
 */
export type Setting = 'fast' | 'real';
export const SETTINGS: readonly Setting[] = ['fast', 'real'];

/** The setting a scenario's result ran under: results from before the two settings ran under fast. */
export const settingOf = (s: { setting?: Setting }): Setting => s.setting ?? 'fast';
export const ofSetting = <T extends { setting?: Setting }>(results: { scenarios: T[] }, setting: Setting): T[] => results.scenarios.filter((s) => settingOf(s) === setting);

export interface Scenario {
  name: string;
  description: string;
  workflow: WorkflowKind;
  /** The stand-in limits (and the app's client-side rates) it runs under. */
  setting: Setting;
  dataKeys: string[];
  /** warm: runs in the database the cold `10k` just filled, so its shows are cached. */
  cache: 'cold' | 'warm';
  /** Give up (terminate, report "timeout") after this long; together they bound the whole bench. */
  timeoutSeconds: number;
  /**
   * The catalog crawler (bench/catalog.ts): `prewarmed`, a crawl seeded with the viewer's shows warms
   * them before the clock starts; `concurrent`, a big crawl from other shows runs beside the session.
   */
  catalog?: 'prewarmed' | 'concurrent';
  /** The scenario this one is read against (the same viewer, cold and alone). */
  baseline?: string;
  /** Each viewer's scenario alone (dataKey → scenario name): selecting this one runs those too, in the same invocation. */
  alone?: Record<string, string>;
  /** Seconds after the clock starts that each session (by dataKeys index) starts; absent: all at once. */
  startAfterSeconds?: number[];
  /** Stand-in limits over the setting's, per service; the app's client-side rates follow them. */
  limits?: Partial<Record<ServiceName, Partial<Limits>>>;
  /** Mid-run, the stand-in lowers one service's limit; the app is not told (its limiter has to find out). */
  limitChange?: { service: ServiceName; afterSeconds: number; rps: number };
  /** Worker processes polling the scenario's task queue (scale-out); absent: one. */
  workers?: number;
}

export const SCENARIOS: Scenario[] = [
  { name: '1k', description: 'one session, demo-1k, cold cache', workflow: 'session', setting: 'fast', dataKeys: ['demo-1k'], cache: 'cold', timeoutSeconds: 60 },
  { name: '10k', description: 'one session, demo-10k, cold cache', workflow: 'session', setting: 'fast', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 90 },
  { name: '10k-warm', description: 'demo-10k again right after the cold 10k, same database (every show cached)', workflow: 'session', setting: 'fast', dataKeys: ['demo-10k'], cache: 'warm', timeoutSeconds: 60 },
  { name: '100k', description: 'one session, demo-100k, cold cache', workflow: 'session', setting: 'fast', dataKeys: ['demo-100k'], cache: 'cold', timeoutSeconds: 200 },
  // Memory against the session's size: the worker's peak RSS at 10k, 100k and 200k should stay flat.
  // 200k is the largest history the stand-in generates (standins/histories.ts MAX_ACTIVITIES).
  { name: '200k', description: 'one session, demo-200k (the stand-in\'s largest history), cold cache', workflow: 'session', setting: 'fast', dataKeys: ['demo-200k'], cache: 'cold', timeoutSeconds: 600 },
  // Fairness keys (one per session): a small viewer who starts while a big one runs, read against both alone.
  {
    name: 'fair-1k-beside-100k',
    description: 'demo-100k, and 5 s later demo-1k on the same worker and task queue, cold cache',
    workflow: 'session',
    setting: 'fast',
    dataKeys: ['demo-100k', 'demo-1k'],
    startAfterSeconds: [0, 5],
    cache: 'cold',
    timeoutSeconds: 240,
    alone: { 'demo-100k': '100k', 'demo-1k': '1k' },
  },
  // The adaptive limiter (AIMD): TMDB halves its limit mid-run. At 100/s a 10k viewer's TMDB work is
  // over in about 10 s, too soon to read the 10 s window that starts 10 s after the change, so TMDB
  // runs at its real limit, 40/s, halved to 20/s 5 s in (its first requests come about 2 s in): its
  // work then lasts about 35 s.
  {
    name: 'adaptive-halving',
    description: 'demo-10k, cold; TMDB at 40/s (app and stand-in) halves its limit to 20/s 5 s in, unannounced',
    workflow: 'session',
    setting: 'fast',
    dataKeys: ['demo-10k'],
    cache: 'cold',
    timeoutSeconds: 120,
    limits: { tmdb: { rps: 40, burst: 40 } },
    limitChange: { service: 'tmdb', afterSeconds: 5, rps: 20 },
  },
  {
    name: 'concurrent-20x2k',
    description: '20 concurrent sessions, demo-2000 … demo-2019 (20 different viewers), sharing the rate limits, cold cache',
    workflow: 'session',
    setting: 'fast',
    dataKeys: Array.from({ length: 20 }, (_, i) => `demo-${2000 + i}`),
    cache: 'cold',
    timeoutSeconds: 200,
  },
  // Scale-out: the same work on 2 and 3 worker processes, read against the one-worker scenario.
  ...[2, 3].flatMap((workers): Scenario[] => [
    { name: `10k-${workers}w`, description: `demo-10k, cold cache, on ${workers} worker processes`, workflow: 'session', setting: 'fast', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 90, baseline: '10k', workers },
    {
      name: `concurrent-20x2k-${workers}w`,
      description: `20 concurrent sessions (demo-2000 … demo-2019), cold cache, on ${workers} worker processes`,
      workflow: 'session',
      setting: 'fast',
      dataKeys: Array.from({ length: 20 }, (_, i) => `demo-${2000 + i}`),
      cache: 'cold',
      timeoutSeconds: 200,
      baseline: 'concurrent-20x2k',
      workers,
    },
  ]),
  // The catalog crawler: the 10k viewer pre-warmed beside the cold 10k, and a 1k viewer beside a running crawl.
  { name: '10k-prewarmed', description: 'demo-10k after a catalog crawl seeded with its shows warmed the cache (fresh database)', workflow: 'session', setting: 'fast', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 90, catalog: 'prewarmed', baseline: '10k' },
  { name: '1k-beside-crawl', description: 'demo-1k, cold, while a big catalog crawl from other shows runs', workflow: 'session', setting: 'fast', dataKeys: ['demo-1k'], cache: 'cold', timeoutSeconds: 60, catalog: 'concurrent', baseline: '1k' },
  { name: 'naive-10k', description: 'baseline: one activity per page and per show per stage, no batching, no cache (NaiveSessionWorkflow)', workflow: 'naive', setting: 'fast', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 150 },
  { name: 'staged-10k', description: 'baseline: same batched activities, stage after stage (StagedSessionWorkflow)', workflow: 'staged', setting: 'fast', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 90 },
  // Real limits: RT at 2/s makes the crawl about M/2 s (M = 77 matched shows for demo-1k, 96 for demo-2k).
  { name: 'real-1k', description: 'one session, demo-1k, cold cache, real limits', workflow: 'session', setting: 'real', dataKeys: ['demo-1k'], cache: 'cold', timeoutSeconds: 240 },
  { name: 'real-2k', description: 'one session, demo-2k, cold cache, real limits', workflow: 'session', setting: 'real', dataKeys: ['demo-2k'], cache: 'cold', timeoutSeconds: 300 },
  { name: 'real-1k-beside-crawl', description: 'demo-1k, cold, real limits, while a big catalog crawl from other shows runs', workflow: 'session', setting: 'real', dataKeys: ['demo-1k'], cache: 'cold', timeoutSeconds: 240, catalog: 'concurrent', baseline: 'real-1k' },
];

const fixed = { jitterMs: 0, faultRate: 0, slowRate: 0 } as const;

/**
 * Fixed stand-in settings per rate setting: no jitter and no faults, so the bound is exact. The app's
 * client-side rates are set to the same values. fast is chosen so its scenarios take about 5 minutes
 * on a 2-core machine, real so its crawls stay within a few minutes.
 */
export const SETTING_LIMITS: Record<Setting, Record<ServiceName, Limits>> = {
  fast: {
    gandalf: { ...fixed, latencyMs: 80, rps: 20, burst: 20 },
    tmdb: { ...fixed, latencyMs: 30, rps: 100, burst: 100 },
    rt: { ...fixed, latencyMs: 60, rps: 100, burst: 100 },
    wikidata: { ...fixed, latencyMs: 150, rps: 100, burst: 100 },
    // Not one of the bound's rate terms; high enough that 20 sessions' questions never queue.
    openai: { ...fixed, latencyMs: 300, rps: 50, burst: 50 },
  },
  real: {
    gandalf: { ...fixed, latencyMs: 80, rps: 20, burst: 20 },
    tmdb: { ...fixed, latencyMs: 30, rps: 40, burst: 40 },
    rt: { ...fixed, latencyMs: 60, rps: 2, burst: 2 },
    wikidata: { ...fixed, latencyMs: 150, rps: 5, burst: 5 },
    openai: { ...fixed, latencyMs: 300, rps: 50, burst: 50 },
  },
};

/** A scenario's stand-in limits: its setting's, with its own overrides. */
export function scenarioLimits(scenario: Pick<Scenario, 'setting' | 'limits'>): Record<ServiceName, Limits> {
  const base = SETTING_LIMITS[scenario.setting];
  return Object.fromEntries(Object.entries(base).map(([name, l]) => [name, { ...l, ...scenario.limits?.[name as ServiceName] }])) as Record<ServiceName, Limits>;
}

/** The fast setting's limits (the bench's historical single setting). */
export const BENCH_LIMITS = SETTING_LIMITS.fast;

/** The app's client-side rates (environment) for a setting, or a scenario's limits: the stand-ins' own. */
export function appRateEnv(setting: Setting, limits: Record<ServiceName, Limits> = SETTING_LIMITS[setting]): Record<string, string> {
  const l = limits;
  return { GANDALF_RPS: String(l.gandalf.rps), TMDB_RPS: String(l.tmdb.rps), RT_RPS: String(l.rt.rps), WIKIDATA_RPS: String(l.wikidata.rps) };
}

export type Term = 'fetch' | 'tmdb' | 'rt' | 'wikidata';
export const TERMS: readonly Term[] = ['fetch', 'tmdb', 'rt', 'wikidata'];
export const TERM_SERVICE: Record<Term, ServiceName> = { fetch: 'gandalf', tmdb: 'tmdb', rt: 'rt', wikidata: 'wikidata' };

export interface Bound {
  pages: number;
  /** S: distinct shows (uncached ones for a warm run), summed over the sessions. */
  shows: number;
  /** M: those of the S shows that match on TMDB, summed over the sessions. */
  matched: number;
  /** C: CHUNK_SIZE; Wikidata takes one query per chunk, ⌈M/C⌉ at least. */
  chunkSize: number;
  chunks: number;
  terms: Record<Term, number>;
  /** The term(s) that win the max; several when they tie. */
  winners: Term[];
  seconds: number;
}

/** T* = lg + max(P/rg, 2S/rt, M/rr, ⌈M/C⌉/rw) + la (DESIGN §4), in seconds. */
export function lowerBound(pages: number, shows: number, matched: number, chunkSize: number, limits: Record<ServiceName, Limits>): Bound {
  const chunks = Math.ceil(matched / chunkSize);
  const terms: Record<Term, number> = {
    fetch: pages / limits.gandalf.rps,
    tmdb: (2 * shows) / limits.tmdb.rps,
    rt: matched / limits.rt.rps,
    wikidata: chunks / limits.wikidata.rps,
  };
  const max = Math.max(...Object.values(terms));
  const winners = TERMS.filter((t) => terms[t] >= max - 1e-9);
  return { pages, shows, matched, chunkSize, chunks, terms, winners, seconds: limits.gandalf.latencyMs / 1000 + max + limits.openai.latencyMs / 1000 };
}
