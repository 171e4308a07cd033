// Pure progress arithmetic over a session's snapshot, shared by the query handler and the gates.
import type { SessionProgress, SessionSnapshot, StageCounters, StageProgress, ThrottledService } from '../src/contracts/index.js';

function stage({ total, done, failed }: StageCounters, complete: boolean): StageProgress {
  const percent = total === 0 ? (complete ? 100 : 0) : Math.min(100, (done / total) * 100);
  return { total, done, failed, percent: round(percent), complete };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Share of a stage's shows finished either way; a stage can't be complete before the fetch is. */
export function doneShare(s: SessionSnapshot, counters: StageCounters): number {
  if (!s.fetch.done) return 0;
  return counters.total === 0 ? 1 : counters.done / counters.total;
}

export function showDataComplete(s: SessionSnapshot): boolean {
  return s.fetch.done && s.pendingShowIds.length === 0 && s.showData.done >= s.showData.total;
}

export function crawlComplete(s: SessionSnapshot): boolean {
  return showDataComplete(s) && s.crawl.done >= s.crawl.total;
}

export function computeProgress(sessionId: string, s: SessionSnapshot, nowMs: number, failureReason?: string): SessionProgress {
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
function estimateEta(s: SessionSnapshot, nowMs: number): number | null {
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
