// SessionRun: one SessionWorkflow run's state and its pure transitions — a page fetched, a chunk
// started or reported, a gate passed — with no Temporal in it, so it is unit-tested on its own.
// The workflow decides *when*; SessionRun decides *what* and keeps the counts. The stages are the
// pipeline table's (src/contracts/pipeline.ts): nothing here names one.
import {
  type ChunkReport,
  type FetchBatchResult,
  type Gates,
  type PipelineSettings,
  type ReportTrack,
  type ReportVersionRef,
  type ServiceThrottled,
  type SessionInput,
  type SessionProgress,
  type SessionSnapshot,
  type SessionSnapshotLanes,
  type SessionState,
  type SessionStateV1,
  type StageName,
  type StageRow,
  type StageState,
  type ThrottledService,
  STAGES,
  firstStage,
  stageRow,
  stagesNeeding,
} from '../../src/contracts/index.js';
import { snapshotFromV1 as lanesFromV1 } from '../legacy/frozen.js';
import { computeProgress, doneShare, everyStageComplete, sessionStages, stageComplete } from './progress.js';

/** A chunk of shows handed to a child workflow. */
export interface ChunkStart {
  chunk: number;
  showIds: number[];
}

/** The pages one fetch activity asks for. */
export interface PageBatch {
  batch: number;
  firstPage: number;
  lastPage: number;
}

const emptyStage = (): StageState => ({ total: 0, done: 0, failed: 0, inFlight: [], queue: [] });

/** A first run's snapshot, with the stages it takes (all of the table's, but those a patch keeps out). */
export function initialSnapshot(input: Pick<SessionInput, 'dataKey'>, nowMs: number, takes: (row: StageRow) => boolean = () => true): SessionSnapshot {
  return {
    run: 1,
    state: input.dataKey ? 'PROCESSING' : 'AWAITING_CONNECTION',
    startedAtMs: nowMs,
    fetch: { nextPage: 1, totalPages: null, pagesDone: 0, activities: 0, batchesStarted: 0, done: false },
    pendingShowIds: [],
    nextChunk: 0,
    stages: Object.fromEntries(STAGES.filter(takes).map((row) => [row.name, emptyStage()])) as Record<StageName, StageState>,
    gates: { quips: false, bff: false, starSign: false, report: false },
    report: noReportYet(),
  };
}

const noReportYet = (): ReportTrack => ({ deadlineAtMs: null, claimed: 0, finalClaimed: false, latest: null });

/** A snapshot written before the stage table (the lanes' two fixed stages) in today's shape: a stage added since is not the session's. */
export function snapshotFromLanes(old: SessionSnapshotLanes): SessionSnapshot {
  const { showData, crawl, stageStartedAtMs, ...common } = old;
  const known: Record<string, StageState> = {
    showData: { total: showData.total, done: showData.done, failed: showData.failed, inFlight: showData.inFlight.map((c) => ({ ...c })), queue: [], startedAtMs: stageStartedAtMs.showData },
    // The lanes kept no sizes for crawl chunks: no stage took the crawl's shows, so none were needed.
    crawl: { total: crawl.total, done: crawl.done, failed: crawl.failed, inFlight: crawl.inFlight.map((chunk) => ({ chunk, size: 0 })), queue: crawl.queue.map((q) => ({ ...q, showIds: [...q.showIds] })), startedAtMs: stageStartedAtMs.crawl },
  };
  return { ...common, stages: known as Record<StageName, StageState> };
}

/** A v1 run's state as a snapshot (same run number): what v1 sessions continue from. */
export const snapshotFromV1 = (v1: SessionStateV1): SessionSnapshot => snapshotFromLanes(lanesFromV1(v1));

/** Today's snapshot, whichever shape the previous run wrote. */
const currentShape = (snapshot: SessionSnapshot | SessionSnapshotLanes): SessionSnapshot => ('stages' in snapshot ? snapshot : snapshotFromLanes(snapshot));

/** A snapshot in the lanes' shape: what a run that began before the stage table hands its next run. */
export function lanesShape(s: SessionSnapshot): SessionSnapshotLanes {
  const { stages, ...common } = s;
  const [first, second] = STAGES;
  const a = stages[first!.name];
  const b = stages[second!.name];
  return {
    ...common,
    showData: { total: a.total, done: a.done, failed: a.failed, inFlight: a.inFlight },
    crawl: { total: b.total, done: b.done, failed: b.failed, inFlight: b.inFlight.map((c) => c.chunk), queue: b.queue },
    stageStartedAtMs: { showData: a.startedAtMs, crawl: b.startedAtMs },
  };
}

export class SessionRun {
  private readonly s: SessionSnapshot;
  /** Fetch activities of this run still running (a run hands over only when none is). */
  private fetchesInFlight = 0;
  /** Pages this run fetched: past settings.continueAsNewEveryPages the run hands over. */
  private pagesThisRun = 0;
  /** A session-wide failure a child reported (e.g. TMDB rejected our key). */
  private fatalReason: string | undefined;

  private constructor(
    snapshot: SessionSnapshot,
    private readonly settings: PipelineSettings,
    /** Whether this is the session's first run (nothing recorded yet). */
    readonly isFirstRun: boolean,
  ) {
    // Snapshots taken before report versions existed carry no report track (and get no deadline).
    this.s = { ...snapshot, report: snapshot.report ?? noReportYet() };
  }

  private get report(): ReportTrack {
    return this.s.report!;
  }

  /**
   * The run an input starts: fresh, or where the previous run (this version's or v1's) stopped. A
   * first run takes the stages `takes` admits; later runs keep what the first took.
   */
  static fromInput(input: SessionInput, nowMs: number, takes?: (row: StageRow) => boolean): SessionRun {
    if (input.snapshot) return new SessionRun(currentShape(input.snapshot), input.settings, false);
    if (input.carried) {
      const snapshot = snapshotFromV1(input.carried);
      return new SessionRun({ ...snapshot, run: snapshot.run + 1 }, input.settings, false);
    }
    return new SessionRun(initialSnapshot(input, nowMs, takes), input.settings, true);
  }

  get state(): SessionState {
    return this.s.state;
  }

  get run(): number {
    return this.s.run;
  }

  get gates(): Readonly<Gates> {
    return this.s.gates;
  }

  get fatal(): string | undefined {
    return this.fatalReason;
  }

  setState(state: SessionState): void {
    this.s.state = state;
  }

  // ── fetch lane ──────────────────────────────────────────────────────────────

  get fetchDone(): boolean {
    return this.s.fetch.done;
  }

  /** Page 1 goes alone (its answer tells the total); then up to fetchConcurrency batches at once. */
  get fetchWindow(): number {
    return this.s.fetch.totalPages === null ? 1 : this.settings.fetchConcurrency;
  }

  get fetchesRunning(): number {
    return this.fetchesInFlight;
  }

  /** Whether a page is left that no batch has asked for. */
  get hasPageToFetch(): boolean {
    return !this.s.fetch.done && this.s.fetch.nextPage <= (this.s.fetch.totalPages ?? 1);
  }

  /** This run has fetched its share of pages and should hand over to a fresh run. */
  get pageBudgetSpent(): boolean {
    return !this.s.fetch.done && this.pagesThisRun >= this.settings.continueAsNewEveryPages;
  }

  /** Claims the next batch of pages. */
  startFetch(): PageBatch {
    const f = this.s.fetch;
    const firstPage = f.nextPage;
    const lastPage = f.totalPages === null ? 1 : Math.min(f.totalPages, firstPage + this.settings.pagesPerFetch - 1);
    f.nextPage = lastPage + 1;
    this.fetchesInFlight++;
    return { batch: ++f.batchesStarted, firstPage, lastPage };
  }

  pageFetched(result: FetchBatchResult): void {
    const f = this.s.fetch;
    this.fetchesInFlight--;
    this.pagesThisRun += result.pagesFetched;
    f.pagesDone += result.pagesFetched;
    f.activities += result.activities;
    f.totalPages = Math.max(f.totalPages ?? 1, Math.ceil(result.total / this.settings.pageSize));
    this.s.pendingShowIds.push(...result.newShowIds);
    for (const stage of Object.values(this.s.stages)) stage.total += result.newShowIds.length;
    if (f.nextPage > f.totalPages && this.fetchesInFlight === 0) f.done = true;
  }

  // ── the stages' chunk windows ─────────────────────────────────────────────────

  /** Every show the fetch found is in a chunk of the first stage. */
  get allShowsChunked(): boolean {
    return this.s.fetch.done && this.s.pendingShowIds.length === 0;
  }

  private stage(name: StageName): StageState {
    return this.s.stages[name];
  }

  /** A chunk of `name` can start: a slot is free and a chunk waits. */
  chunkReady(name: StageName): boolean {
    const st = this.stage(name);
    if (st.inFlight.length >= this.settings.childWindow) return false;
    if (stageRow(name).needs !== null) return st.queue.length > 0;
    const pending = this.s.pendingShowIds.length;
    // A partial chunk goes out when the fetch is over, or when the service would otherwise sit idle.
    return pending > 0 && (pending >= this.settings.chunkSize || this.s.fetch.done || st.inFlight.length === 0);
  }

  /** Every show that will reach `name` has gone to one of its chunks: its window has nothing more to start. */
  allChunksStarted(name: StageName): boolean {
    const needs = stageRow(name).needs;
    if (needs === null) return this.allShowsChunked;
    return this.stageComplete(needs as StageName) && this.stage(name).queue.length === 0;
  }

  /**
   * The first stage's next chunk, from the shows the fetch found. The first one is small, so the
   * stages after it start early; the second takes what the first left out, so a session has as many
   * chunks (children, signals, actions) as with whole chunks from the start.
   */
  private takeFirstStageChunk(): ChunkStart {
    const { chunkSize, firstChunkSize = chunkSize } = this.settings;
    const size = this.s.nextChunk === 0 ? firstChunkSize : this.s.nextChunk === 1 ? 2 * chunkSize - firstChunkSize : chunkSize;
    return { chunk: this.s.nextChunk++, showIds: this.s.pendingShowIds.splice(0, size) };
  }

  startChunk(name: StageName, nowMs: number): ChunkStart {
    const st = this.stage(name);
    const next = stageRow(name).needs === null ? this.takeFirstStageChunk() : st.queue.shift()!;
    st.inFlight.push({ chunk: next.chunk, size: next.showIds.length });
    st.startedAtMs ??= nowMs;
    return next;
  }

  /** A chunk child of `name` reported. Returns false for a report already counted (a repeated signal). */
  chunkReported(name: StageName, r: ChunkReport): boolean {
    const st = this.stage(name);
    const started = st.inFlight.find((c) => c.chunk === r.chunk);
    if (!started) return false;
    st.inFlight = st.inFlight.filter((c) => c.chunk !== r.chunk);
    st.done += r.done;
    st.failed += r.failed;
    if (r.matchedShowIds) this.passOn(name, r.chunk, started.size, r.matchedShowIds);
    if (r.fatal) this.fatalReason ??= r.fatal;
    return true;
  }

  /** The shows `from` matched go on to the stages needing it; the rest are finished there, and further on. */
  private passOn(from: StageName, chunk: number, size: number, matched: number[]): void {
    for (const next of this.following(from)) {
      this.finishUnreached(next.name, size - matched.length);
      if (matched.length > 0) this.stage(next.name).queue.push({ chunk, showIds: [...matched] });
    }
  }

  private finishUnreached(name: StageName, count: number): void {
    this.stage(name).done += Math.max(0, count);
    for (const next of this.following(name)) this.finishUnreached(next.name, count);
  }

  /** This session's stages that take what `name` matched. */
  private following(name: StageName) {
    return stagesNeeding(name).filter((row) => this.s.stages[row.name] !== undefined);
  }

  /** The table's stages this session runs, in order. */
  get stages(): readonly (StageRow & { name: StageName })[] {
    return sessionStages(this.s);
  }

  stageComplete(name: StageName): boolean {
    return stageComplete(this.s, name);
  }

  /** Every show has its outcome at every stage. */
  get allStagesComplete(): boolean {
    return everyStageComplete(this.s);
  }

  /** Children started and not yet reported, per stage: what a failing session cancels. */
  childrenInFlight(): { stage: StageName; chunk: number }[] {
    return this.stages.flatMap((row) => this.stage(row.name).inFlight.map((c) => ({ stage: row.name, chunk: c.chunk })));
  }

  // ── gates ───────────────────────────────────────────────────────────────────

  /** The first stage is complete (the TV best friend needs its casts). */
  get firstStageComplete(): boolean {
    return this.stageComplete(firstStage().name);
  }

  /** The star sign's gate: every show chunked, and `settings.starSignGate` (97%) of every stage done. */
  get enrichedEnough(): boolean {
    const gate = this.settings.starSignGate;
    return this.allShowsChunked && this.stages.every((row) => doneShare(this.s, this.stage(row.name)) >= gate);
  }

  gatePassed(name: keyof Gates): void {
    this.s.gates[name] = true;
  }

  // ── pause ──────────────────────────────────────────────────────────────────

  get paused(): boolean {
    return !!this.s.paused;
  }

  /** Services refusing the session's chunks for pace past the patience, by name. */
  get throttledServices(): ThrottledService[] {
    return Object.keys(this.s.throttled ?? {}) as ThrottledService[];
  }

  /** A service refused the session's chunks for pace past the patience, or answers again; false when nothing changed. */
  serviceThrottled({ service, throttled, sinceMs }: ServiceThrottled): boolean {
    const current = this.s.throttled ?? {};
    if (throttled === (current[service] !== undefined)) return false;
    const next = { ...current };
    if (throttled) next[service] = sinceMs;
    else delete next[service];
    this.s.throttled = next;
    return true;
  }

  /** Returns false when already paused (the first reason stands). */
  pause(nowMs: number, reason?: string): boolean {
    if (this.s.paused) return false;
    this.s.paused = { sinceMs: nowMs, reason: reason?.slice(0, 200) || null };
    return true;
  }

  resume(): boolean {
    if (!this.s.paused) return false;
    this.s.paused = null;
    return true;
  }

  // ── report versions ────────────────────────────────────────────────────────

  /** Processing has begun: the provisional report's deadline starts counting (once per session). */
  startReportClock(nowMs: number): void {
    const deadline = this.settings.reportDeadlineMs;
    if (deadline !== undefined && this.report.deadlineAtMs === null && this.report.claimed === 0) this.report.deadlineAtMs = nowMs + deadline;
  }

  /** When a provisional report is due; null when none will be (no deadline, or the final one is under way). */
  get provisionalDueAtMs(): number | null {
    return this.report.finalClaimed || this.report.claimed > 0 ? null : this.report.deadlineAtMs;
  }

  /** A provisional version has been claimed: later gates rebuild it until the final one. */
  get hasProvisionalReport(): boolean {
    return this.report.claimed > 0 && !this.report.finalClaimed;
  }

  get finalReportClaimed(): boolean {
    return this.report.finalClaimed;
  }

  /** Hands out the next claim: it names the build, so a retried build finds its version (the database numbers it). */
  claimReportVersion(final: boolean): ReportVersionRef {
    if (this.report.finalClaimed) throw new Error('no report version may follow the final one');
    this.report.claimed++;
    if (final) this.report.finalClaimed = true;
    return { version: this.report.claimed, final };
  }

  /** A version is stored; builds may finish out of order, the latest is the highest. */
  reportStored(ref: ReportVersionRef): void {
    if (!this.report.latest || ref.version > this.report.latest.version) this.report.latest = { ...ref };
  }

  get latestReport(): ReportVersionRef | null {
    return this.report.latest;
  }

  // ── views ───────────────────────────────────────────────────────────────────

  progress(sessionId: string, nowMs: number, failureReason?: string): SessionProgress {
    return computeProgress(sessionId, this.s, nowMs, failureReason);
  }

  /** What the next run starts from (continue-as-new serializes it at once). Only taken at a quiet point: no fetch of this run in flight. */
  snapshot(): SessionSnapshot {
    if (this.fetchesInFlight > 0) throw new Error('a snapshot taken with fetches in flight would lose their pages');
    return { ...this.s, run: this.s.run + 1 };
  }
}
