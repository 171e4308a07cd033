// Pure progress arithmetic over a session's snapshot, shared by the query handler and the gates.
// The pipeline's stages and their weights come from the stage table.
import { type SessionProgress, type SessionSnapshot, type StageCounters, type StageName, type StageProgress, type ThrottledService, type StageRow, STAGES, stageRow } from '../../src/contracts/index.js';

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

/** Every show has its outcome at `name` (and so at the stages it needs): nothing more will reach it. */
export function stageComplete(s: SessionSnapshot, name: StageName): boolean {
  const needs = stageRow(name).needs;
  const upstream = needs === null ? s.fetch.done && s.pendingShowIds.length === 0 : stageComplete(s, needs as StageName);
  return upstream && s.stages[name].done >= s.stages[name].total;
}

/** The table's stages this session runs, in order: those its first run took (a stage added later is not among them). */
export const sessionStages = (s: SessionSnapshot): readonly (StageRow & { name: StageName })[] => STAGES.filter((row) => s.stages[row.name] !== undefined);

export const everyStageComplete = (s: SessionSnapshot): boolean => sessionStages(s).every((row) => stageComplete(s, row.name));

/** Weighted by how long each step typically takes; the AI steps are short. The stages' weights are the table's. */
const FETCH_WEIGHT = 0.25;
const GATE_WEIGHTS = { quips: 0.05, bff: 0.05, starSign: 0.05 };

export function computeProgress(sessionId: string, s: SessionSnapshot, nowMs: number, failureReason?: string): SessionProgress {
  const fetchTotal = s.fetch.totalPages ?? 0;
  const fetch = { ...stage({ total: fetchTotal, done: s.fetch.pagesDone, failed: 0 }, s.fetch.done), activities: s.fetch.activities };
  const gate = (finished: boolean) => stage({ total: 1, done: finished ? 1 : 0, failed: 0 }, finished);
  const stages: SessionProgress['stages'] = {
    fetch,
    ...(Object.fromEntries(sessionStages(s).map((row) => [row.name, stage(s.stages[row.name], stageComplete(s, row.name))])) as Record<StageName, StageProgress>),
    quips: gate(s.gates.quips),
    bff: gate(s.gates.bff),
    starSign: gate(s.gates.starSign),
  };
  const weights: [keyof SessionProgress['stages'], number][] = [['fetch', FETCH_WEIGHT], ...sessionStages(s).map((row): [StageName, number] => [row.name, row.weight]), ...(Object.entries(GATE_WEIGHTS) as [keyof typeof GATE_WEIGHTS, number][])];
  let percent = 0;
  for (const [name, weight] of weights) percent += (stages[name].percent / 100) * weight;
  // The weights add up to 1 with two stages; a table with more is scaled back to 100%.
  const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);
  if (Math.abs(totalWeight - 1) > 1e-9) percent /= totalWeight;
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
    pipeline: sessionStages(s).map(({ name, label }) => ({ name, label })),
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
  for (const row of sessionStages(s)) {
    const counters = s.stages[row.name];
    const started = counters.startedAtMs;
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
