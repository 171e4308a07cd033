// Fault 5: graceful shutdown.
// Worker: SIGTERM while activities are in flight → it stops polling, lets them finish within
// shutdownGraceTime and exits 0; a second SIGTERM forces an immediate exit. After restarts the
// session completes with exactly the baseline's rows.
// API: SIGTERM stops taking connections and drains in-flight requests (long-lived event streams
// included, within a bound) before exiting 0; a second SIGTERM forces exit.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { type ApiProcess, startApiProcess } from '../support/faults/apiProcess.js';
import { type RunningActivity, fatesOf, sessionHistories } from '../support/faults/histories.js';
import { assertNoLoss, describeProgress, fraction, printSummary, seededRng, useFaultStack, verdictFields, verifyRuns, waitForMoment } from '../support/faults/harness.js';
import { waitForActivitiesOn } from '../support/faults/pending.js';
import { type ExitInfo, PACED_ENV, type StartedSession, sleep } from '../support/faults/processStack.js';

const DATA_KEY = 'demo-1k';
const GRACE_MS = 10_000; // shutdownGraceTime in src/worker/createWorker.ts
/** RT's answer time while the worker is stopped twice: longer than the 1 s between the two signals. */
const RT_SLOW_MS = 8_000;

const apis: ApiProcess[] = [];
const fixture = useFaultStack({ name: 'graceful', workerEnv: { ...PACED_ENV, TMDB_RPS: '60', RT_RPS: '60' } }, [DATA_KEY], async (stack) => {
  for (const api of apis) await api.kill().catch(() => undefined);
  if (stack.worker.pid && stack.worker.running) process.kill(stack.worker.pid, 'SIGCONT');
});

async function exitWithin(exited: Promise<ExitInfo>, ms: number): Promise<ExitInfo | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([exited, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  clearTimeout(timer);
  return result;
}

/** 'refused' once nobody listens on the port any more. */
function tryConnect(port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', () => resolve('refused'));
  });
}

let session: StartedSession;
/**
 * The session's activity attempts running on the current worker process, once there are some. Not
 * a fixed wait: after a forced exit the killed attempts stay STARTED on the server until their
 * heartbeat timeout and retry interval have passed, and only then run again; the wait's deadline
 * follows those timers (read from the pending activities). Attempts of a dead worker don't count:
 * they keep no worker busy, so a SIGTERM could not drain them.
 */
const running = (): Promise<RunningActivity[]> => waitForActivitiesOn(fixture.stack.client, session.workflowId, fixture.stack.worker.pid!);
const numbers: Record<string, number | string | boolean> = {};

test('worker: SIGTERM drains in-flight activities and exits 0; a second SIGTERM forces exit; nothing is lost', { timeout: 15 * 60_000 }, async () => {
  const { stack, baselines } = fixture;
  const rng = seededRng(5);
  const showDataAt = 0.2 + rng() * 0.4;
  const crawlAt = 0.3 + rng() * 0.3;
  const started = Date.now();
  // Slower TMDB answers keep several show-data activities busy at any moment (each still well
  // inside the grace time), so the SIGTERM surely finds some in flight.
  stack.standins.setLimits('tmdb', { latencyMs: 400 });
  session = await stack.startSession(DATA_KEY);

  // 1. One SIGTERM while show data and crawl activities run.
  const moment = await waitForMoment(stack, session, (p) => fraction(p.stages.showData) >= showDataAt && p.stages.crawl.done > 0, (p) => p.stages.showData.complete, 5 * 60_000);
  assert.ok(moment, 'show data finished before the moment to stop the worker');
  const inFlight = await running();
  console.log(`SIGTERM to the worker during show data, ${inFlight.length} activities running: ${describeProgress(moment)}`);
  const sigtermAt = Date.now();
  stack.worker.signal('SIGTERM');
  const exit = await stack.worker.waitExit(GRACE_MS + 20_000);
  const gracefulExitMs = Date.now() - sigtermAt;
  assert.ok(exit, `the worker did not exit within ${GRACE_MS + 20_000} ms of SIGTERM:\n${stack.worker.logTail()}`);
  assert.deepEqual(exit, { code: 0, signal: null }, `graceful exit:\n${stack.worker.logTail()}`);
  stack.standins.setLimits('tmdb', { latencyMs: 5 });
  // 2. SIGTERM twice while slow crawl requests keep activities busy: the second one must not wait.
  // RT answers slowly from the restart on (well inside crawlee's 30 s navigation timeout and the
  // 1 min heartbeat timeout), so crawl attempts stay in flight for seconds at a time and the crawl
  // lasts long enough to be caught mid-way even on a loaded machine. If the running attempts still
  // happen to finish (and the worker exits) before the second signal, the forced path went
  // untested: start the worker again and retry, a few times.
  stack.standins.setLimits('rt', { latencyMs: RT_SLOW_MS });
  await stack.worker.start();
  const crawling = await waitForMoment(stack, session, (p) => fraction(p.stages.crawl) >= crawlAt, (p) => p.stages.crawl.complete, 5 * 60_000);
  assert.ok(crawling, 'the crawl finished before the moment to stop the worker twice');
  let inFlightTwice: RunningActivity[] = [];
  let forced: ExitInfo | undefined;
  let stillRunning = false;
  let forcedExitMs = 0;
  for (let attempt = 1; attempt <= 3 && !stillRunning; attempt++) {
    inFlightTwice = await running();
    console.log(`SIGTERM, SIGTERM to the worker during the crawl, ${inFlightTwice.length} activities running: ${describeProgress(crawling)}`);
    stack.worker.signal('SIGTERM');
    await sleep(1_000);
    stillRunning = stack.worker.running;
    const secondAt = Date.now();
    stack.worker.signal('SIGTERM');
    forced = await stack.worker.waitExit(5_000);
    forcedExitMs = Date.now() - secondAt;
    assert.ok(forced, `the worker was still running 5 s after a second SIGTERM:\n${stack.worker.logTail()}`);
    await stack.worker.start();
  }
  stack.standins.setLimits('rt', { latencyMs: 5 });
  assert.ok(forced);

  const verdict = await verifyRuns(stack, baselines, [session], 10 * 60_000);
  const histories = await sessionHistories(stack.client, session.workflowId, session.firstRunId);
  const fates = fatesOf(histories, inFlight);
  const forcedFates = fatesOf(histories, inFlightTwice);
  Object.assign(numbers, {
    workerSigterms: stack.worker.terminations,
    workerRestarts: stack.worker.starts - 1,
    gracefulExitMs,
    gracefulExitCode: exit.code ?? `signal ${exit.signal}`,
    inFlightAtSigterm: inFlight.length,
    inFlightFinished: fates.finished,
    inFlightRetried: fates.retried,
    inFlightAtDoubleSigterm: inFlightTwice.length,
    exitedBeforeSecondSigterm: !stillRunning,
    forcedExitMs,
    forcedExitCode: forced.code ?? `signal ${forced.signal}`,
    forcedFinished: forcedFates.finished,
    forcedRetried: forcedFates.retried,
    ...verdictFields(verdict),
    workerSeconds: Math.round((Date.now() - started) / 1000),
  });
  assertNoLoss(verdict);
  assert.ok(gracefulExitMs < GRACE_MS + 5_000, `graceful exit took ${gracefulExitMs} ms (grace ${GRACE_MS} ms)`);
  if (forcedFates.reasons.length) console.log(`  retried after the forced exit: ${forcedFates.reasons.join('; ')}`);
  assert.deepEqual(fates.reasons, [], 'activities in flight at SIGTERM were cut short or abandoned');
  assert.equal(fates.finished, inFlight.length);
  assert.ok(stillRunning, `the worker exited within 1 s of the first SIGTERM although ${inFlightTwice.length} activities were running`);
  assert.equal(forced.code, 1, 'the second SIGTERM exits with code 1');
});

test('API: SIGTERM refuses new connections, drains in-flight requests and exits 0; a second SIGTERM forces exit', { timeout: 5 * 60_000 }, async () => {
  const { stack } = fixture;
  if (!stack.worker.running) await stack.worker.start();
  const workerPid = stack.worker.pid!;
  const startSession = async (api: ApiProcess) => {
    const res = await api.call('/api/sessions', { method: 'POST', body: JSON.stringify({ dataKey: 'demo-small' }) });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { sessionId: string }).sessionId;
  };

  // 1. An in-flight request (a progress query the frozen worker can't answer yet) survives SIGTERM.
  const api = await startApiProcess(stack);
  apis.push(api);
  const id = await startSession(api);
  process.kill(workerPid, 'SIGSTOP');
  let inFlightStatus: number | string;
  try {
    const inFlight = api.call(`/api/sessions/${id}`).then((r) => r.status, (e: Error) => `error ${e.message}`);
    await sleep(1_000);
    api.child.kill('SIGTERM');
    await sleep(500);
    numbers.apiNewConnectionAfterSigterm = await tryConnect(api.port);
    process.kill(workerPid, 'SIGCONT');
    inFlightStatus = await inFlight;
  } finally {
    process.kill(workerPid, 'SIGCONT');
  }
  const drained = await exitWithin(api.exited, 20_000);
  numbers.apiInFlightStatus = inFlightStatus;
  numbers.apiDrainExitCode = drained ? (drained.code ?? `signal ${drained.signal}`) : 'still running';

  // 2. An open event stream on a session that can't end (its worker is frozen): SIGTERM must not
  // wait for it forever.
  const api2 = await startApiProcess(stack);
  apis.push(api2);
  const id2 = await startSession(api2);
  let streamExit: ExitInfo | undefined;
  const termAt = Date.now();
  process.kill(workerPid, 'SIGSTOP');
  try {
    const stream = await api2.call(`/api/sessions/${id2}/events`);
    assert.equal(stream.status, 200);
    const reader = stream.body!.getReader();
    await reader.read();
    const streamEnded = (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        /* a reset ends it too */
      }
    })();
    api2.child.kill('SIGTERM');
    streamExit = await exitWithin(api2.exited, 20_000);
    if (!streamExit) api2.child.kill('SIGKILL');
    await streamEnded;
  } finally {
    process.kill(workerPid, 'SIGCONT');
  }
  numbers.apiWithStreamExitMs = streamExit ? Date.now() - termAt : 'not within 20 s';
  numbers.apiWithStreamExitCode = streamExit ? (streamExit.code ?? `signal ${streamExit.signal}`) : 'still running';

  // 3. SIGTERM twice with a request in flight: the second one exits at once, non-zero.
  const api3 = await startApiProcess(stack);
  apis.push(api3);
  const id3 = await startSession(api3);
  process.kill(workerPid, 'SIGSTOP');
  let forced: ExitInfo | undefined;
  let forcedMs = 0;
  try {
    const pending = api3.call(`/api/sessions/${id3}`).catch(() => undefined);
    await sleep(1_000);
    api3.child.kill('SIGTERM');
    await sleep(500);
    const secondAt = Date.now();
    api3.child.kill('SIGTERM');
    forced = await exitWithin(api3.exited, 5_000);
    forcedMs = Date.now() - secondAt;
    void pending;
  } finally {
    process.kill(workerPid, 'SIGCONT');
  }
  numbers.apiForcedExitMs = forcedMs;
  numbers.apiForcedExitCode = forced ? (forced.code ?? `signal ${forced.signal}`) : 'still running';

  printSummary('graceful-shutdown', { ...numbers, rowsLost: numbers.rowsLost ?? 'n/a', rowsDuplicated: numbers.rowsDuplicated ?? 'n/a' });
  assert.equal(numbers.apiNewConnectionAfterSigterm, 'refused', 'the API still accepted connections after SIGTERM');
  assert.equal(inFlightStatus, 200, 'the in-flight request was not answered');
  assert.deepEqual(drained, { code: 0, signal: null }, `the API did not drain and exit 0:\n${api.output()}`);
  assert.ok(streamExit, `the API never exited while an event stream was open:\n${api2.output()}`);
  assert.equal(streamExit.code, 0);
  assert.ok(forced, 'the API was still running 5 s after a second SIGTERM');
  assert.equal(forced.code, 1);
});
