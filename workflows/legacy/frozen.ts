// Frozen for SessionWorkflow v1 (sessionV1.ts): the progress arithmetic, snapshot conversion,
// signals and child ids as they were when v1 ran, over the lanes' two fixed stages. Nothing here
// follows today's code, so a change to the live modules never changes v1's replay. Delete it with v1.
import { defineSignal } from '@temporalio/workflow';
import type { SessionProgress, SessionSnapshotLanes, SessionStateV1, StageCounters, StageProgress, ThrottledService } from '../../src/contracts/index.js';

/** What v1's chunk children signalled (today's children send the same, as a ChunkReport). */
export interface ChunkEnriched {
  chunk: number;
  done: number;
  failed: number;
  matchedShowIds: number[];
  fatal?: string;
}
export interface ChunkCrawled {
  chunk: number;
  done: number;
  failed: number;
}
export const chunkEnrichedSignal = defineSignal<[ChunkEnriched]>('chunkEnriched');
export const chunkCrawledSignal = defineSignal<[ChunkCrawled]>('chunkCrawled');
export const showDataWorkflowId = (parentId: string, chunk: number) => `${parentId}/show-data/${chunk}`;
export const crawlWorkflowId = (parentId: string, chunk: number) => `${parentId}/crawl/${chunk}`;
/** The child workflow types v1 starts, by name. */
export const SHOW_DATA_WORKFLOW = 'ShowDataWorkflow';
export const CRAWL_WORKFLOW = 'CrawlWorkflow';

/** A v1 run's state in the lanes' snapshot shape (what its progress query reads). */
export function snapshotFromV1(v1: SessionStateV1): SessionSnapshotLanes {
  return {
    run: v1.runs,
    state: v1.state,
    startedAtMs: v1.startedAtMs,
    fetch: { ...v1.fetch },
    pendingShowIds: [...v1.pendingShowIds],
    nextChunk: v1.nextChunk,
    showData: { total: v1.showData.total, done: v1.showData.done, failed: v1.showData.failed, inFlight: v1.showData.inFlight.map((chunk) => ({ chunk, size: v1.chunkSizes[chunk] ?? 0 })) },
    crawl: { total: v1.crawl.total, done: v1.crawl.done, failed: v1.crawl.failed, inFlight: [...v1.crawl.inFlight], queue: v1.crawl.queue.map((q) => ({ ...q, showIds: [...q.showIds] })) },
    stageStartedAtMs: { ...v1.stageStartedAtMs },
    gates: { ...v1.gates },
  };
}

function stage({ total, done, failed }: StageCounters, complete: boolean): StageProgress {
  const percent = total === 0 ? (complete ? 100 : 0) : Math.min(100, (done / total) * 100);
  return { total, done, failed, percent: round(percent), complete };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Share of a stage's shows finished either way; a stage can't be complete before the fetch is. */
export function doneShare(s: SessionSnapshotLanes, counters: StageCounters): number {
  if (!s.fetch.done) return 0;
  return counters.total === 0 ? 1 : counters.done / counters.total;
}

export function showDataComplete(s: SessionSnapshotLanes): boolean {
  return s.fetch.done && s.pendingShowIds.length === 0 && s.showData.done >= s.showData.total;
}

export function crawlComplete(s: SessionSnapshotLanes): boolean {
  return showDataComplete(s) && s.crawl.done >= s.crawl.total;
}

export function computeProgress(sessionId: string, s: SessionSnapshotLanes, nowMs: number, failureReason?: string): SessionProgress {
  const fetchTotal = s.fetch.totalPages ?? 0;
  const fetch = { ...stage({ total: fetchTotal, done: s.fetch.pagesDone, failed: 0 }, s.fetch.done), activities: s.fetch.activities };
  const gate = (finished: boolean) => stage({ total: 1, done: finished ? 1 : 0, failed: 0 }, finished);
  const stages = {
    fetch,
    showData: stage(s.showData, showDataComplete(s)),
    crawl: stage(s.crawl, crawlComplete(s)),
    quips: gate(s.gates.quips),
    bff: gate(s.gates.bff),
    starSign: gate(s.gates.starSign),
  };
  // Weighted by how long each stage typically takes; the AI stages are short.
  const weights = { fetch: 0.25, showData: 0.3, crawl: 0.3, quips: 0.05, bff: 0.05, starSign: 0.05 };
  let percent = 0;
  for (const [name, weight] of Object.entries(weights)) percent += (stages[name as keyof typeof stages].percent / 100) * weight;
  if (s.state === 'COMPLETED') percent = 1;
  const elapsedMs = nowMs - s.startedAtMs;
  return {
    sessionId,
    state: s.state,
    failureReason,
    percent: round(percent * 100),
    etaSeconds: estimateEta(s, nowMs),
    elapsedSeconds: Math.round(elapsedMs / 1000),
    runs: s.run,
    report: s.report?.latest ?? null,
    paused: s.paused ? { since: new Date(s.paused.sinceMs).toISOString(), reason: s.paused.reason } : null,
    throttled: Object.entries(s.throttled ?? {}).map(([service, sinceMs]) => ({ service: service as ThrottledService, since: new Date(sinceMs).toISOString() })),
    stages,
  };
}

/** ETA from observed rates: each stage's remaining work at its rate so far; the slowest stage decides. */
function estimateEta(s: SessionSnapshotLanes, nowMs: number): number | null {
  if (s.state === 'COMPLETED' || s.state === 'FAILED') return 0;
  if (s.state === 'AWAITING_CONNECTION') return null;
  const estimates: number[] = [];
  const elapsed = nowMs - s.startedAtMs;
  if (!s.fetch.done) {
    if (s.fetch.pagesDone === 0 || s.fetch.totalPages === null) return null;
    estimates.push(((s.fetch.totalPages - s.fetch.pagesDone) * elapsed) / s.fetch.pagesDone);
  }
  for (const [name, counters] of [['showData', s.showData], ['crawl', s.crawl]] as const) {
    const started = s.stageStartedAtMs[name];
    const remaining = counters.total - counters.done;
    if (remaining <= 0) continue;
    if (started === undefined || counters.done === 0) {
      if (s.fetch.done) return null;
      continue;
    }
    estimates.push((remaining * (nowMs - started)) / counters.done);
  }
  return Math.round(Math.max(0, ...estimates) / 1000);
}
