// SessionWorkflow v1: the shape before the lanes (a version-counter event loop). New sessions never
// run it; sessions begun before the upgrade replay and go on in it until they continue-as-new,
// then resume in today's code (which reads their state with snapshotFromV1). Delete it once no
// session started before the 'session-lanes' patch is open (README: "Deploying a changed workflow").
// Its commands must stay exactly as they were: only imports, names and an unreachable branch changed.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../../activities/index.js';
import {
  type ChunkInput,
  type SessionInput,
  type SessionOutcome,
  type SessionState,
  type SessionStateV1,
  type SessionWorkflowType,
  PipelineErrors,
  SESSION_FETCH_RETRY,
  SESSION_STEP_RETRY,
  SessionProgressKey,
  SessionStateKey,
  connectSignal,
  progressQuery,
} from '../../src/contracts/index.js';
import {
  CRAWL_WORKFLOW,
  SHOW_DATA_WORKFLOW,
  chunkCrawledSignal,
  chunkEnrichedSignal,
  computeProgress,
  crawlComplete,
  crawlWorkflowId,
  doneShare,
  showDataComplete,
  showDataWorkflowId,
  snapshotFromV1,
} from './frozen.js';

const { fetchHistoryBatch } = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '1m', retry: SESSION_FETCH_RETRY });
const { recordSessionState, writeShowQuips, pickTvBff, pickStarSign, buildReport } = proxyActivities<Activities>({ startToCloseTimeout: '3m', retry: SESSION_STEP_RETRY });

function initialRunState(input: SessionInput, nowMs: number): SessionStateV1 {
  return {
    state: input.dataKey ? 'PROCESSING' : 'AWAITING_CONNECTION',
    dataKey: input.dataKey,
    startedAtMs: nowMs,
    runs: 1,
    sessionRecorded: false,
    fetch: { nextPage: 1, totalPages: null, pagesDone: 0, activities: 0, batchesStarted: 0, done: false },
    pendingShowIds: [],
    nextChunk: 0,
    chunkSizes: {},
    showData: { total: 0, done: 0, failed: 0, inFlight: [], finished: [] },
    crawl: { total: 0, done: 0, failed: 0, inFlight: [], finished: [], queue: [] },
    stageStartedAtMs: {},
    gates: { quips: false, bff: false, starSign: false, report: false },
  };
}

class SessionFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function SessionWorkflowV1(input: SessionInput): Promise<SessionOutcome> {
  const { sessionId, settings } = input;
  const workflowId = workflowInfo().workflowId;
  const s: SessionStateV1 = input.carried ? { ...input.carried, runs: input.carried.runs + 1 } : initialRunState(input, Date.now());
  let failureReason: string | undefined;

  // Every handler and every finished promise bumps the version; the main loop sleeps until it changes.
  let version = 0;
  const bump = () => void version++;
  let fatal: unknown;
  let localInFlight = 0;
  let fetchesInFlight = 0;
  let pagesThisRun = 0;
  const running = { quips: false, bff: false, starSign: false, report: false };

  setHandler(progressQuery, () => computeProgress(sessionId, snapshotFromV1(s), Date.now(), failureReason));
  setHandler(connectSignal, ({ dataKey }) => {
    if (!s.dataKey && typeof dataKey === 'string' && dataKey.length > 0) s.dataKey = dataKey;
    bump();
  });
  setHandler(chunkEnrichedSignal, (r) => {
    if (s.showData.finished.includes(r.chunk)) return; // a repeated signal counts once
    s.showData.finished.push(r.chunk);
    s.showData.inFlight = s.showData.inFlight.filter((c) => c !== r.chunk);
    s.showData.done += r.done;
    s.showData.failed += r.failed;
    // Shows without a TMDB match have no cast to match on RT: their crawl is finished too.
    s.crawl.done += Math.max(0, (s.chunkSizes[r.chunk] ?? r.done) - r.matchedShowIds.length);
    if (r.matchedShowIds.length > 0) s.crawl.queue.push({ chunk: r.chunk, showIds: r.matchedShowIds });
    else s.crawl.finished.push(r.chunk);
    if (r.fatal) fatal ??= new SessionFailure(r.fatal);
    bump();
  });
  setHandler(chunkCrawledSignal, (r) => {
    if (s.crawl.finished.includes(r.chunk)) return;
    s.crawl.finished.push(r.chunk);
    s.crawl.inFlight = s.crawl.inFlight.filter((c) => c !== r.chunk);
    s.crawl.done += r.done;
    s.crawl.failed += r.failed;
    bump();
  });

  /** Runs work in the background of this run; its failure surfaces in the main loop. */
  function track(work: Promise<unknown>) {
    localInFlight++;
    void work.then(
      () => undefined,
      (error: unknown) => void (fatal ??= error),
    ).then(() => {
      localInFlight--;
      bump();
    });
  }

  async function setState(state: SessionState, reason?: string) {
    s.state = state;
    upsertSearchAttributes([
      { key: SessionStateKey, value: state },
      { key: SessionProgressKey, value: Math.floor(computeProgress(sessionId, snapshotFromV1(s), Date.now()).percent) },
    ]);
    if (state === 'FAILED' || state === 'PROCESSING' || state === 'AWAITING_CONNECTION') {
      await recordSessionState({ sessionId, workflowId, state, reason });
    } else if (patched(`v1-records-${state}`)) {
      // v1 left these two states to writeShowQuips and buildReport, which no longer write them:
      // a v1 session that reaches one after the upgrade records it itself (replays skip it).
      await recordSessionState({ sessionId, workflowId, state, reason });
    }
  }

  function launchFetches() {
    const f = s.fetch;
    const limit = f.totalPages === null ? 1 : settings.fetchConcurrency; // page 1 first: it tells the total
    while (!f.done && fetchesInFlight < limit && f.nextPage <= (f.totalPages ?? 1)) {
      const firstPage = f.nextPage;
      const lastPage = f.totalPages === null ? 1 : Math.min(f.totalPages, firstPage + settings.pagesPerFetch - 1);
      f.nextPage = lastPage + 1;
      const batch = ++f.batchesStarted;
      fetchesInFlight++;
      track(
        fetchHistoryBatch({ sessionId, dataKey: s.dataKey!, batch, firstPage, lastPage, pageSize: settings.pageSize }).then((result) => {
          fetchesInFlight--;
          f.pagesDone += result.pagesFetched;
          f.activities += result.activities;
          pagesThisRun += result.pagesFetched;
          f.totalPages = Math.max(f.totalPages ?? 1, Math.ceil(result.total / settings.pageSize));
          s.pendingShowIds.push(...result.newShowIds);
          s.showData.total += result.newShowIds.length;
          s.crawl.total += result.newShowIds.length;
          if (f.nextPage > f.totalPages && fetchesInFlight === 0) f.done = true;
        }),
      );
    }
  }

  function startChunkChild(kind: 'showData' | 'crawl', chunk: number, showIds: number[]) {
    const childInput: ChunkInput = { sessionId, parentWorkflowId: workflowId, chunk, showIds, showCacheTtlMs: settings.showCacheTtlMs, retry: settings.chunkRetry };
    const options = {
      args: [childInput] as [ChunkInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowId: kind === 'showData' ? showDataWorkflowId(workflowId, chunk) : crawlWorkflowId(workflowId, chunk),
    };
    const started = startChild(kind === 'showData' ? SHOW_DATA_WORKFLOW : CRAWL_WORKFLOW, options);
    // The id is derived from the chunk, so a repeated start finds the existing child instead of a second one.
    track(started.catch((error: unknown) => {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }));
  }

  function launchChunks() {
    const sd = s.showData;
    while (s.pendingShowIds.length > 0 && sd.inFlight.length < settings.childWindow) {
      // A partial chunk goes out when the fetch is over, or when TMDB would otherwise sit idle.
      const full = s.pendingShowIds.length >= settings.chunkSize;
      if (!full && !s.fetch.done && sd.inFlight.length > 0) break;
      const showIds = s.pendingShowIds.splice(0, settings.chunkSize);
      const chunk = s.nextChunk++;
      s.chunkSizes[chunk] = showIds.length;
      sd.inFlight.push(chunk);
      s.stageStartedAtMs.showData ??= Date.now();
      startChunkChild('showData', chunk, showIds);
    }
    while (s.crawl.queue.length > 0 && s.crawl.inFlight.length < settings.childWindow) {
      const next = s.crawl.queue.shift()!;
      s.crawl.inFlight.push(next.chunk);
      s.stageStartedAtMs.crawl ??= Date.now();
      startChunkChild('crawl', next.chunk, next.showIds);
    }
  }

  function launchGate(name: 'quips' | 'bff' | 'starSign' | 'report', ready: boolean, run: () => Promise<unknown>, after?: () => void) {
    if (s.gates[name] || running[name] || !ready) return;
    running[name] = true;
    track(
      run().then(() => {
        running[name] = false;
        s.gates[name] = true;
        after?.();
      }),
    );
  }

  function launchGates() {
    const gate = settings.starSignGate;
    launchGate('quips', s.fetch.done, () => writeShowQuips({ sessionId }), () => void setState('STATS_DATA_READY'));
    launchGate('bff', showDataComplete(snapshotFromV1(s)), () => pickTvBff({ sessionId }));
    launchGate(
      'starSign',
      s.fetch.done && s.pendingShowIds.length === 0 && doneShare(snapshotFromV1(s), s.showData) >= gate && doneShare(snapshotFromV1(s), s.crawl) >= gate,
      () => pickStarSign({ sessionId }),
    );
    launchGate('report', s.gates.quips && s.gates.bff && s.gates.starSign, () => buildReport({ sessionId, crawlComplete: crawlComplete(snapshotFromV1(s)) }));
  }

  function describe(): string {
    const p = computeProgress(sessionId, snapshotFromV1(s), Date.now(), failureReason);
    const row = (name: string, st: { done: number; total: number; failed: number; percent: number }) =>
      `| ${name} | ${st.done} / ${st.total} | ${st.failed} | ${st.percent}% |`;
    return [
      `**Session ${sessionId}**: ${s.state}${failureReason ? ` (${failureReason})` : ''}, ${p.percent}% (run ${s.runs})`,
      '',
      '| stage | done / total | failed | % |',
      '|---|---|---|---|',
      row('fetch (pages)', p.stages.fetch),
      row('show data', p.stages.showData),
      row('crawl', p.stages.crawl),
      `| gates | quips ${s.gates.quips ? '✓' : '…'} · bff ${s.gates.bff ? '✓' : '…'} · star sign ${s.gates.starSign ? '✓' : '…'} | | |`,
    ].join('\n');
  }

  /** Cancels this session's unfinished children; they were started with ABANDON, so nobody else will. */
  async function cancelChildren() {
    const ids = [
      ...s.showData.inFlight.map((c) => showDataWorkflowId(workflowId, c)),
      ...s.crawl.inFlight.map((c) => crawlWorkflowId(workflowId, c)),
    ];
    await Promise.all(ids.map((id) => getExternalWorkflowHandle(id).cancel().catch(() => undefined)));
  }

  async function fail(reason: string): Promise<never> {
    failureReason = reason;
    await CancellationScope.nonCancellable(async () => {
      await cancelChildren();
      await setState('FAILED', reason);
    });
    setCurrentDetails(describe());
    throw ApplicationFailure.nonRetryable(reason, PipelineErrors.sessionFailed);
  }

  try {
    if (!s.sessionRecorded) {
      await setState(s.state);
      s.sessionRecorded = true;
    }
    if (!s.dataKey) {
      setCurrentDetails(describe());
      const connected = await condition(() => !!s.dataKey, settings.connectTimeoutMs);
      if (!connected) return await fail('never connected');
      await setState('PROCESSING');
    }

    for (;;) {
      if (fatal) throw fatal;
      if (s.gates.report) break;
      // Continue-as-new only from a quiet point: nothing of this run's own in flight.
      const suggested = workflowInfo().continueAsNewSuggested;
      const draining = suggested || (!s.fetch.done && pagesThisRun >= settings.continueAsNewEveryPages);
      if (draining && localInFlight === 0) {
        await condition(allHandlersFinished);
        setCurrentDetails(describe());
        log.info('continuing as new', { sessionId, run: s.runs, pagesThisRun, historyLength: workflowInfo().historyLength });
        return await continueAsNew<SessionWorkflowType>({ ...input, dataKey: s.dataKey, carried: s });
      }
      if (!draining) {
        launchFetches();
        launchChunks();
        launchGates();
      }
      setCurrentDetails(describe());
      const seen = version;
      await condition(() => version !== seen);
    }

    await setState('COMPLETED');
    setCurrentDetails(describe());
    await condition(allHandlersFinished);
    return { sessionId, state: s.state };
  } catch (error) {
    if (isCancellation(error)) {
      failureReason = 'cancelled';
      await CancellationScope.nonCancellable(async () => {
        await cancelChildren();
        await setState('FAILED', 'cancelled');
      });
      throw error;
    }
    if (error instanceof SessionFailure) return await fail(error.reason);
    if (error instanceof ActivityFailure) return await fail(readableCause(error));
    throw error;
  }
}

function readableCause(error: ActivityFailure): string {
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) return cause.message;
  return cause?.message ?? error.message;
}
