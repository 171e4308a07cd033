// SessionWorkflow: the paging parent, read top to bottom.
//   1. wait for the viewer's connection (a signal), if the session started without a dataKey;
//   2. run the lanes side by side until the report is built or this run has done its share:
//      – the fetch lane pages through the history with batched activities,
//      – one chunk window per stage of the pipeline table fans chunks out to child workflows,
//      – the gates run the AI steps as progress allows: quips once the fetch is over, the TV best
//        friend once the first stage is, the star sign once 97% of enrichment is done, then the report;
//      – the deadline lane stores a provisional report if the final one is not there by
//        REPORT_DEADLINE (a durable timer), which later gates rebuild until the final one;
//   3. continue-as-new with a minimal snapshot whenever the run has done its share.
// Children are started with ABANDON (continue-as-new closes the run) and report back by signalling
// this workflow's *id*, which always reaches the latest run. The progress query reads SessionRun.
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
  type Gates,
  type PauseRequest,
  type SessionInput,
  type SessionOutcome,
  type SessionState,
  type SessionWorkflowType,
  type StageChunkWorkflowType,
  type StageName,
  type StageRow,
  PipelineErrors,
  SESSION_FETCH_RETRY,
  SESSION_STEP_RETRY,
  SessionProgressKey,
  SessionStateKey,
  connectSignal,
  connectUpdate,
  serviceThrottledSignal,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  stageRow,
  stageSignal,
  stageWorkflowId,
} from '../../src/contracts/index.js';
import { SessionWorkflowV1 } from '../legacy/sessionV1.js';
import { type ChunkStart, SessionRun, lanesShape } from './sessionRun.js';
import { describeSession } from './sessionView.js';

/**
 * Marks histories written by this shape of the workflow. Sessions begun before it (v1) replay
 * without the marker and go on in v1's code until they continue-as-new, then resume here.
 */
export const SESSION_LANES_PATCH = 'session-lanes';
/** Marks histories with the report deadline lane; sessions begun before it keep a single, final report. */
export const REPORT_DEADLINE_PATCH = 'report-deadline';
/**
 * Marks histories whose final report waits for every show's outcome (issue 23: honest finality);
 * sessions begun before it store their final report once the star sign's 97% gate has opened.
 */
export const HONEST_FINAL_PATCH = 'honest-final';
/**
 * Marks runs that hand over the stage table's snapshot (`stages` by name) when they continue as new;
 * runs begun before it hand over the lanes' two fixed stages, as the code they began on would.
 */
export const STAGE_TABLE_PATCH = 'stage-table';

const { fetchHistoryBatch } = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '1m', retry: SESSION_FETCH_RETRY });
const { recordSessionState, writeShowQuips, pickTvBff, pickStarSign, buildReport } = proxyActivities<Activities>({ startToCloseTimeout: '3m', retry: SESSION_STEP_RETRY });

/** A failure with a reason the viewer and operators can read. */
class SessionFailure extends Error {}

export async function SessionWorkflow(input: SessionInput): Promise<SessionOutcome> {
  if (!patched(SESSION_LANES_PATCH)) return SessionWorkflowV1(input);
  return sessionLanes(input);
}
SessionWorkflow satisfies SessionWorkflowType;

/** The workflow's body (exported apart from the patch check only for the replay test's unprotected bundle). */
export async function sessionLanes(input: SessionInput): Promise<SessionOutcome> {
  const { sessionId, settings } = input;
  const workflowId = workflowInfo().workflowId;
  // A stage added while sessions ran stays out of those begun before it (their replay must not start its children).
  const run = SessionRun.fromInput(input, Date.now(), (row) => !row.patch || patched(row.patch));
  let dataKey = input.dataKey;
  let failureReason: string | undefined;
  /** The first failure of any lane: every lane stops at its next step. */
  let laneFailure: unknown;

  /** The session row's state has one writer: this workflow, through recordSessionState. */
  async function enterState(state: SessionState, reason?: string) {
    run.setState(state);
    // The API starts a session with its first state already set: upserting it again costs an action for nothing.
    if (workflowInfo().typedSearchAttributes.get(SessionStateKey) !== state) {
      upsertSearchAttributes([
        { key: SessionStateKey, value: state },
        { key: SessionProgressKey, value: Math.floor(run.progress(sessionId, Date.now()).percent) },
      ]);
    }
    await recordSessionState({ sessionId, workflowId, state, reason });
  }

  /** The lanes stop starting work: a lane failed, a child reported a session-wide failure, or this run has done its share. */
  const handingOver = () => workflowInfo().continueAsNewSuggested || run.pageBudgetSpent;
  const stopping = () => laneFailure !== undefined || run.fatal !== undefined || handingOver();
  /**
   * Settles once `work` has: its failure is remembered (every lane then stops at its next step and
   * the session fails with it), never left as a rejected promise nobody awaits yet.
   */
  const settled = (work: Promise<unknown>): Promise<boolean> =>
    work.then(
      () => true,
      (error: unknown) => {
        laneFailure ??= error;
        return false;
      },
    );
  /** Stores the next report version: provisional until the final one. */
  async function storeReport(final: boolean) {
    const ref = run.claimReportVersion(final);
    const stored = await buildReport({ sessionId, crawlComplete: run.allStagesComplete, throttled: run.throttledServices, ...ref });
    // The database numbers versions (a re-drive may have taken one meanwhile); older activity code
    // answered nothing, and then the claim was the number.
    run.reportStored({ ...ref, version: stored?.version ?? ref.version, coverage: stored?.coverage });
    showDetails();
  }
  /** The Web UI's current details follow every step. */
  const showDetails = () => setCurrentDetails(describeSession(run, sessionId, failureReason));

  setHandler(progressQuery, () => run.progress(sessionId, Date.now(), failureReason));
  // Pausing holds back new work only: the lanes' conditions wait on it, in-flight work finishes.
  const stillRunning = () => {
    if (run.state === 'COMPLETED' || run.state === 'FAILED' || run.finalReportClaimed) throw new Error(`the session is ${run.finalReportClaimed ? 'finishing' : run.state}: nothing to pause or resume`);
  };
  setHandler(
    pauseUpdate,
    (request: PauseRequest) => {
      if (run.pause(Date.now(), request?.reason)) log.info('session paused', { sessionId, reason: request?.reason });
      showDetails();
      return run.progress(sessionId, Date.now(), failureReason);
    },
    { validator: (_request: PauseRequest) => stillRunning() },
  );
  setHandler(
    resumeUpdate,
    () => {
      if (run.resume()) log.info('session resumed', { sessionId });
      showDetails();
      return run.progress(sessionId, Date.now(), failureReason);
    },
    { validator: stillRunning },
  );
  setHandler(connectSignal, (signal) => {
    if (!dataKey && typeof signal?.dataKey === 'string' && signal.dataKey.length > 0) dataKey = signal.dataKey;
  });
  // The same as the signal, but the caller learns whether its key was the one taken: only then does
  // the callback hand out a viewer cookie. A refusal is a rejected update (nothing in the history).
  setHandler(
    connectUpdate,
    (request) => {
      dataKey = request.dataKey;
      return { accepted: true as const };
    },
    {
      validator: (request) => {
        if (typeof request?.dataKey !== 'string' || request.dataKey.length === 0) throw new Error('no dataKey');
        if (dataKey) throw new Error('the session is already connected');
        if (run.state === 'FAILED') throw new Error('the session has failed');
      },
    },
  );
  for (const row of run.stages) {
    setHandler(stageSignal(row), (report) => {
      if (run.chunkReported(row.name, report)) showDetails();
    });
  }
  // A crawl chunk waiting out RT's refusals past the patience says so; the session shows it until RT answers.
  setHandler(serviceThrottledSignal, (report) => {
    if (run.serviceThrottled(report)) {
      log.warn(report.throttled ? 'a service has refused us for pace past the patience' : 'the service answers again', { sessionId, ...report });
      showDetails();
    }
  });

  // ── the lanes ───────────────────────────────────────────────────────────────

  async function fetchLane() {
    const batches: Promise<boolean>[] = [];
    for (;;) {
      await condition(() => stopping() || run.fetchDone || (!run.paused && run.hasPageToFetch && run.fetchesRunning < run.fetchWindow));
      if (stopping() || run.fetchDone) break;
      const pages = run.startFetch();
      const fetched = fetchHistoryBatch({ sessionId, dataKey: dataKey!, pageSize: settings.pageSize, ...pages });
      batches.push(settled(fetched.then((result) => (run.pageFetched(result), showDetails()))));
    }
    await Promise.all(batches);
  }

  function startChunk(row: StageRow & { name: StageName }, { chunk, showIds }: ChunkStart): Promise<boolean> {
    const args: [ChunkInput] = [{ sessionId, parentWorkflowId: workflowId, chunk, stage: row.name, showIds, showCacheTtlMs: settings.showCacheTtlMs, retry: settings.chunkRetry }];
    const started = startChild<StageChunkWorkflowType>(row.workflowType, {
      args,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `${row.label} · chunk ${chunk} · ${showIds.length} shows`,
      workflowId: stageWorkflowId(workflowId, row, chunk),
    });
    // The id is derived from the chunk, so a repeated start finds the existing child instead of a second one.
    return settled(
      started.then(
        () => undefined,
        (error: unknown) => {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        },
      ),
    );
  }

  /** A stage's sliding window of chunk children: one starts whenever a slot and a chunk are ready, until all have started. */
  async function chunkWindow(row: StageRow & { name: StageName }) {
    const starts: Promise<boolean>[] = [];
    for (;;) {
      await condition(() => stopping() || run.allChunksStarted(row.name) || (!run.paused && run.chunkReady(row.name)));
      if (stopping() || run.allChunksStarted(row.name)) break;
      starts.push(startChunk(row, run.startChunk(row.name, Date.now())));
    }
    await Promise.all(starts);
  }

  /** Waits for `ready`, then runs the step once; a run that is stopping leaves it to the next run. */
  async function gate(name: keyof Gates, ready: () => boolean, step: () => Promise<unknown>) {
    if (run.gates[name]) return;
    await condition(() => stopping() || (!run.paused && ready()));
    if (stopping()) return;
    if (!(await settled(step()))) return;
    run.gatePassed(name);
    showDetails();
  }

  async function gates() {
    // A final report only when every show has its outcome (a refusal for pace is none): not at 97%.
    const honestFinal = patched(HONEST_FINAL_PATCH);
    await Promise.all([
      gate('quips', () => run.fetchDone, async () => {
        await writeShowQuips({ sessionId });
        await enterState('STATS_DATA_READY');
      }),
      gate('bff', () => run.firstStageComplete, () => pickTvBff({ sessionId })),
      // The star sign needs the whole picture, but not the last few stragglers: 97% is enough.
      gate('starSign', () => run.enrichedEnough, async () => {
        await pickStarSign({ sessionId });
        // A provisional report out already gets its star sign now, not only with the final one.
        if (run.hasProvisionalReport) await storeReport(false);
      }),
    ]);
    await gate('report', () => run.gates.quips && run.gates.bff && run.gates.starSign && (!honestFinal || run.allStagesComplete), () => storeReport(true));
  }

  /**
   * The report on time: if the final report is not there by the deadline, a provisional one is
   * stored from what the rows hold, once the whole history is fetched (its stats are then exact)
   * and the quips are written. The deadline is a durable timer; a later run takes the rest of it.
   */
  async function deadlineLane() {
    if (!patched(REPORT_DEADLINE_PATCH)) return;
    const dueAtMs = run.provisionalDueAtMs;
    if (dueAtMs === null) return;
    const finishing = () => stopping() || run.finalReportClaimed;
    const remainingMs = dueAtMs - Date.now();
    if (remainingMs > 0 && (await condition(finishing, remainingMs))) return;
    await condition(() => finishing() || run.gates.quips);
    if (finishing()) return;
    if (await settled(storeReport(false))) await settled(enterState('PROVISIONAL_REPORT_READY'));
  }

  // ── clean-up ────────────────────────────────────────────────────────────────

  /** Failure and cancellation end the same way: unfinished children cancelled (nobody else will, they were abandoned), the state recorded. */
  async function closeAsFailed(reason: string) {
    failureReason = reason;
    await CancellationScope.nonCancellable(async () => {
      const ids = run.childrenInFlight().map((c) => stageWorkflowId(workflowId, stageRow(c.stage), c.chunk));
      await Promise.all(ids.map((id) => getExternalWorkflowHandle(id).cancel().catch(() => undefined)));
      await enterState('FAILED', reason);
    });
    showDetails();
  }

  // ── the session ─────────────────────────────────────────────────────────────

  try {
    if (run.isFirstRun) await enterState(run.state);
    if (!dataKey) {
      showDetails();
      if (!(await condition(() => !!dataKey, settings.connectTimeoutMs))) throw new SessionFailure('never connected');
      await enterState('PROCESSING');
    }
    run.startReportClock(Date.now());
    showDetails();

    await Promise.all([fetchLane(), ...run.stages.map(chunkWindow), gates(), deadlineLane()]);
    if (laneFailure !== undefined) throw laneFailure;
    if (run.fatal) throw new SessionFailure(run.fatal);

    if (!run.gates.report) {
      // The lanes stopped at a quiet point (nothing of this run's own in flight): hand over.
      await condition(allHandlersFinished);
      showDetails();
      log.info('continuing as new', { sessionId, run: run.run, historyLength: workflowInfo().historyLength });
      // Asked only here, where it decides something: a patch marker costs a search-attribute upsert.
      const snapshot = run.snapshot();
      return await continueAsNew<SessionWorkflowType>({ sessionId, dataKey, settings, snapshot: patched(STAGE_TABLE_PATCH) ? snapshot : lanesShape(snapshot) });
    }

    await enterState('COMPLETED');
    showDetails();
    await condition(allHandlersFinished);
    return { sessionId, state: run.state };
  } catch (error) {
    if (isCancellation(error)) {
      await closeAsFailed('cancelled');
      throw error;
    }
    const reason = error instanceof SessionFailure ? error.message : error instanceof ActivityFailure ? readableCause(error) : undefined;
    if (reason === undefined) throw error;
    await closeAsFailed(reason);
    throw ApplicationFailure.nonRetryable(reason, PipelineErrors.sessionFailed);
  }
}

function readableCause(error: ActivityFailure): string {
  const cause = error.cause;
  if (cause instanceof ApplicationFailure) return cause.message;
  return cause?.message ?? error.message;
}
