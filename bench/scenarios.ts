// The benchmark's scenarios, the stand-in settings they run under, and DESIGN §4's lower bound.
import type { Limits, ServiceName } from '../src/standins/index.js';

export type WorkflowKind = 'session' | 'naive' | 'staged';

export interface Scenario {
  name: string;
  description: string;
  workflow: WorkflowKind;
  dataKeys: string[];
  /** warm: runs in the database the cold `10k` just filled, so its shows are cached. */
  cache: 'cold' | 'warm';
  /** Give up (terminate, report "timeout") after this long; together they bound the whole bench. */
  timeoutSeconds: number;
}

export const SCENARIOS: Scenario[] = [
  { name: '1k', description: 'one session, demo-1k, cold cache', workflow: 'session', dataKeys: ['demo-1k'], cache: 'cold', timeoutSeconds: 60 },
  { name: '10k', description: 'one session, demo-10k, cold cache', workflow: 'session', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 90 },
  { name: '10k-warm', description: 'demo-10k again right after the cold 10k, same database (every show cached)', workflow: 'session', dataKeys: ['demo-10k'], cache: 'warm', timeoutSeconds: 60 },
  { name: '100k', description: 'one session, demo-100k, cold cache', workflow: 'session', dataKeys: ['demo-100k'], cache: 'cold', timeoutSeconds: 200 },
  {
    name: 'concurrent-20x2k',
    description: '20 concurrent sessions, demo-2000 … demo-2019 (20 different viewers), sharing the rate limits, cold cache',
    workflow: 'session',
    dataKeys: Array.from({ length: 20 }, (_, i) => `demo-${2000 + i}`),
    cache: 'cold',
    timeoutSeconds: 200,
  },
  { name: 'naive-10k', description: 'baseline: one activity per page and per show per stage, no batching, no cache (NaiveSessionWorkflow)', workflow: 'naive', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 150 },
  { name: 'staged-10k', description: 'baseline: same batched activities, stage after stage (StagedSessionWorkflow)', workflow: 'staged', dataKeys: ['demo-10k'], cache: 'cold', timeoutSeconds: 90 },
];

/**
 * Fixed stand-in settings: no jitter and no faults, so the bound is exact. Chosen so the whole run
 * takes about 10 minutes on a 2-core machine; the app's client-side rates are set to the same values.
 */
export const BENCH_LIMITS: Record<ServiceName, Limits> = {
  gandalf: { latencyMs: 80, jitterMs: 0, rps: 20, burst: 20, faultRate: 0, slowRate: 0 },
  tmdb: { latencyMs: 30, jitterMs: 0, rps: 100, burst: 100, faultRate: 0, slowRate: 0 },
  rt: { latencyMs: 60, jitterMs: 0, rps: 100, burst: 100, faultRate: 0, slowRate: 0 },
  // Not one of the bound's rate terms; high enough that 20 sessions' questions never queue.
  openai: { latencyMs: 300, jitterMs: 0, rps: 50, burst: 50, faultRate: 0, slowRate: 0 },
};

export type Term = 'fetch' | 'tmdb' | 'rt';
export const TERM_SERVICE: Record<Term, ServiceName> = { fetch: 'gandalf', tmdb: 'tmdb', rt: 'rt' };

export interface Bound {
  pages: number;
  shows: number;
  terms: Record<Term, number>;
  /** The term(s) that win the max; several when they tie. */
  winners: Term[];
  seconds: number;
}

/** T* = lg + max(P/rg, 2S/rt, 2S/rr) + la (DESIGN §4), in seconds. */
export function lowerBound(pages: number, shows: number, limits: Record<ServiceName, Limits>): Bound {
  const terms: Record<Term, number> = {
    fetch: pages / limits.gandalf.rps,
    tmdb: (2 * shows) / limits.tmdb.rps,
    rt: (2 * shows) / limits.rt.rps,
  };
  const max = Math.max(...Object.values(terms));
  const winners = (Object.keys(terms) as Term[]).filter((t) => terms[t] >= max - 1e-9);
  return { pages, shows, terms, winners, seconds: limits.gandalf.latencyMs / 1000 + max + limits.openai.latencyMs / 1000 };
}
