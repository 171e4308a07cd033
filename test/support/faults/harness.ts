// Shared steps of the fault tests: run crash-free baselines, watch a session's progress for the
// moment to strike, and check faulted sessions against their baselines.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { mulberry32, type Rng } from '../../../standins/random.js';
import type { SessionProgress } from '../../../src/contracts/index.js';
import { type SessionSnapshot, checkExpectedReport, compareSnapshots, snapshotSession } from './oracle.js';
import { deadlineOwedByServer } from './pending.js';
import { MAX_BUDGET_EXTENSION, type ProcessStack, type ProcessStackOptions, type SessionEnd, type StartedSession, sleep, startProcessStack } from './processStack.js';

/** FAULT_SEED picks the moments faults strike; printed in every summary so a run can be repeated. */
export const FAULT_SEED = Number(process.env.FAULT_SEED ?? 20_250_605);
export function seededRng(salt: number): Rng {
  return mulberry32((FAULT_SEED ^ Math.imul(salt, 0x9e3779b1)) >>> 0);
}

export type Baselines = Map<string, SessionSnapshot>;

/** Runs each dataKey once with no faults; those rows and reports are what every faulted run must equal. */
export async function runBaselines(stack: ProcessStack, dataKeys: string[], timeoutMs = 240_000): Promise<Baselines> {
  const runs = await Promise.all(dataKeys.map((k) => stack.startSession(k)));
  for (const run of runs) {
    const end = await stack.waitForSession(run, timeoutMs);
    assert.equal(end.status, 'COMPLETED', `baseline ${run.dataKey}: ${end.failure}`);
  }
  const baselines: Baselines = new Map();
  for (const run of runs) {
    const snapshot = await snapshotSession(stack.db.db, run.sessionId);
    assert.equal(snapshot.deadLetters, 0, `baseline ${run.dataKey} dead-lettered shows: ${snapshot.deadLetterSamples.join('; ')}`);
    assert.equal(snapshot.duplicates, 0, `baseline ${run.dataKey} has duplicates`);
    assert.deepEqual(checkExpectedReport(snapshot.report, run.dataKey, stack.standins.catalog), [], `baseline ${run.dataKey} report`);
    baselines.set(run.dataKey, snapshot);
  }
  return baselines;
}

export interface Verdict {
  sessions: number;
  completed: number;
  rowsLost: number;
  rowsDuplicated: number;
  rowsExtra: number;
  reportsDiffering: number;
  aiDiffering: number;
  deadLetters: number;
  showsSilentlyWrong: number;
  problems: string[];
}

export interface FaultFixture {
  stack: ProcessStack;
  baselines: Baselines;
}

/**
 * The test file's stack and its crash-free baselines: started before the file's tests, closed after
 * them (also when one fails). Read `stack` and `baselines` inside the tests, once `before` has run.
 */
export function useFaultStack(options: ProcessStackOptions, dataKeys: string[], beforeClose?: (stack: ProcessStack) => Promise<void>): FaultFixture {
  const fixture = {} as FaultFixture;
  before(async () => {
    fixture.stack = await startProcessStack(options);
    fixture.baselines = await runBaselines(fixture.stack, dataKeys);
  });
  after(async () => {
    if (!fixture.stack) return;
    await beforeClose?.(fixture.stack);
    await fixture.stack.close();
  });
  return fixture;
}

/** Waits for every faulted run, then compares each with its dataKey's baseline. */
export async function verifyRuns(stack: ProcessStack, baselines: Baselines, runs: StartedSession[], timeoutMs: number): Promise<Verdict> {
  const verdict: Verdict = {
    sessions: runs.length,
    completed: 0,
    rowsLost: 0,
    rowsDuplicated: 0,
    rowsExtra: 0,
    reportsDiffering: 0,
    aiDiffering: 0,
    deadLetters: 0,
    showsSilentlyWrong: 0,
    problems: [],
  };
  const ends: SessionEnd[] = [];
  for (const run of runs) ends.push(await stack.waitForSession(run, timeoutMs));
  // Snapshots only once every session is over: shows are shared, a later session may still touch them.
  const snapshots = await Promise.all(runs.map((run) => snapshotSession(stack.db.db, run.sessionId)));
  const explained = new Set(snapshots.flatMap((s) => [...s.deadLettered.keys()]));
  runs.forEach((run, i) => {
    const [end, snapshot] = [ends[i], snapshots[i]];
    if (end.status === 'COMPLETED') verdict.completed++;
    else verdict.problems.push(`${run.dataKey} ${run.sessionId}: ${end.status} ${end.failure ?? ''}`);
    const cmp = compareSnapshots(baselines.get(run.dataKey)!, snapshot, explained);
    verdict.rowsLost += cmp.lost;
    verdict.rowsExtra += cmp.extra;
    verdict.rowsDuplicated += cmp.duplicated;
    verdict.deadLetters += snapshot.deadLetters;
    if (!cmp.reportEqual) verdict.reportsDiffering++;
    verdict.aiDiffering += cmp.aiDiffering;
    verdict.showsSilentlyWrong += cmp.showsSilentlyWrong;
    verdict.problems.push(...cmp.problems.map((p) => `${run.dataKey}: ${p}`));
    verdict.problems.push(...checkExpectedReport(snapshot.report, run.dataKey, stack.standins.catalog).map((p) => `${run.dataKey} vs expectedReport: ${p}`));
  });
  return verdict;
}

/** The verdict's assertions, after the summary line is out (so a failing run still reports its numbers). */
export function assertNoLoss(verdict: Verdict): void {
  assert.deepEqual(verdict.problems, [], verdict.problems.join('\n'));
  assert.equal(verdict.completed, verdict.sessions);
  assert.equal(verdict.rowsLost, 0);
  assert.equal(verdict.rowsDuplicated, 0);
  assert.equal(verdict.rowsExtra, 0);
  assert.equal(verdict.deadLetters, 0);
  assert.equal(verdict.reportsDiffering, 0);
  assert.equal(verdict.showsSilentlyWrong, 0, 'shows with a different outcome and no dead letter saying why');
}

/**
 * The end of a faulted run: its summary line (the test's own figures, the verdict's and the
 * seconds since `startedAt`), the first problems, then assertNoLoss.
 */
export function reportVerdict(name: string, verdict: Verdict, startedAt: number, fields: Record<string, string | number | boolean>): void {
  printSummary(name, { ...fields, ...verdictFields(verdict), seconds: Math.round((Date.now() - startedAt) / 1000) });
  for (const p of verdict.problems.slice(0, 10)) console.log(`  ${p.slice(0, 600)}`);
  assertNoLoss(verdict);
}

/** One greppable line per test: `FAULTS <name>: k=v …`. */
export function printSummary(name: string, fields: Record<string, string | number | boolean>): void {
  const text = Object.entries({ ...fields, seed: FAULT_SEED })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(`FAULTS ${name}: ${text}`);
}

export function verdictFields(v: Verdict): Record<string, number> {
  return {
    sessions: v.sessions,
    completed: v.completed,
    rowsLost: v.rowsLost,
    rowsDuplicated: v.rowsDuplicated,
    rowsExtra: v.rowsExtra,
    reportsDiffering: v.reportsDiffering,
    aiFieldsDiffering: v.aiDiffering,
    deadLetters: v.deadLetters,
    showsSilentlyWrong: v.showsSilentlyWrong,
  };
}

/**
 * Polls the session's progress until `ready` holds (→ that progress) or the session moved past the
 * moment (`passed`, or it closed) (→ undefined). Queries need a live worker; misses are retried.
 * `timeoutMs` budgets the session's own work: while the session waits on server timers (attempts of
 * a killed worker until their heartbeat or start-to-close timeout, retries in backoff) the wait
 * follows those timers instead of giving up (deadlineOwedByServer), but never past
 * MAX_BUDGET_EXTENSION × timeoutMs in all: then it fails, saying the server still owed timers.
 */
export async function waitForMoment(
  stack: ProcessStack,
  run: StartedSession,
  ready: (p: SessionProgress) => boolean,
  passed: (p: SessionProgress) => boolean,
  timeoutMs: number,
): Promise<SessionProgress | undefined> {
  const started = Date.now();
  const ceiling = started + MAX_BUDGET_EXTENSION * timeoutMs;
  let deadline = started + timeoutMs;
  for (;;) {
    while (Date.now() < deadline) {
      const p = await stack.progress(run);
      if (p) {
        if (p.state === 'COMPLETED' || p.state === 'FAILED' || passed(p)) return undefined;
        if (ready(p)) return p;
      }
      await sleep(150);
    }
    if (Date.now() >= ceiling) {
      throw new Error(
        `timed out after ${Date.now() - started} ms waiting for a moment in session ${run.sessionId}: the hard ceiling of ${MAX_BUDGET_EXTENSION}× the budget (${timeoutMs} ms) was reached, the server's timers having extended the wait`,
      );
    }
    const later = await deadlineOwedByServer(stack.client, run.workflowId, stack.worker.running ? stack.worker.pid : undefined);
    if (later === undefined) break;
    deadline = Math.min(later, ceiling);
  }
  throw new Error(`timed out after ${Date.now() - started} ms (budget ${timeoutMs} ms, and no server timer still due) waiting for a moment in session ${run.sessionId}`);
}

export const fraction = (s: { done: number; total: number }) => (s.total === 0 ? 0 : s.done / s.total);

export function describeProgress(p: SessionProgress): string {
  const s = p.stages;
  return `${p.state} fetch ${s.fetch.done}/${s.fetch.total} showData ${s.showData.done}/${s.showData.total} crawl ${s.crawl.done}/${s.crawl.total} quips ${s.quips.done} bff ${s.bff.done} starSign ${s.starSign.done}`;
}
