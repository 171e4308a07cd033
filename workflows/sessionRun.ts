// SessionRun: one SessionWorkflow run's state and its pure transitions — a page fetched, a chunk
// started, enriched or crawled, a gate passed — with no Temporal in it, so it is unit-tested on
// its own. The workflow decides *when*; SessionRun decides *what* and keeps the counts.
import type {
  ChunkCrawled,
  ChunkEnriched,
  FetchBatchResult,
  Gates,
  PipelineSettings,
  ReportTrack,
  ReportVersionRef,
  ServiceThrottled,
  SessionInput,
  ThrottledService,
  SessionProgress,
  SessionSnapshot,
  SessionState,
  SessionStateV1,
} from '../src/contracts/index.js';
import { computeProgress, crawlComplete, doneShare, showDataComplete } from './progress.js';

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

export function initialSnapshot(input: Pick<SessionInput, 'dataKey'>, nowMs: number): SessionSnapshot {
  return {
    run: 1,
    state: input.dataKey ? 'PROCESSING' : 'AWAITING_CONNECTION',
    startedAtMs: nowMs,
    fetch: { nextPage: 1, totalPages: null, pagesDone: 0, activities: 0, batchesStarted: 0, done: false },
    pendingShowIds: [],
    nextChunk: 0,
    showData: { total: 0, done: 0, failed: 0, inFlight: [] },
    crawl: { total: 0, done: 0, failed: 0, inFlight: [], queue: [] },
    stageStartedAtMs: {},
    gates: { quips: false, bff: false, starSign: false, report: false },
    report: noReportYet(),
  };
}

const noReportYet = (): ReportTrack => ({ deadlineAtMs: null, claimed: 0, finalClaimed: false, latest: null });

/** A v1 run's state as a snapshot (same run number): what v1 sessions continue from, and how they answer the progress query. */
export function snapshotFromV1(v1: SessionStateV1): SessionSnapshot {
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

  /** The run an input starts: fresh, or where the previous run (this version's or v1's) stopped. */
  static fromInput(input: SessionInput, nowMs: number): SessionRun {
    if (input.snapshot) return new SessionRun(input.snapshot, input.settings, false);
    if (input.carried) {
      const snapshot = snapshotFromV1(input.carried);
      return new SessionRun({ ...snapshot, run: snapshot.run + 1 }, input.settings, false);
    }
    return new SessionRun(initialSnapshot(input, nowMs), input.settings, true);
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
    this.s.showData.total += result.newShowIds.length;
    this.s.crawl.total += result.newShowIds.length;
    if (f.nextPage > f.totalPages && this.fetchesInFlight === 0) f.done = true;
  }

  // ── show-data window ────────────────────────────────────────────────────────

  /** Every show the fetch found is in a chunk: the show-data window has nothing more to start. */
  get allShowsChunked(): boolean {
    return this.s.fetch.done && this.s.pendingShowIds.length === 0;
  }

  /** A chunk can start: a slot is free and a full chunk waits (or a partial one, when waiting gains nothing). */
  get showDataChunkReady(): boolean {
    const sd = this.s.showData;
    if (this.s.pendingShowIds.length === 0 || sd.inFlight.length >= this.settings.childWindow) return false;
    // A partial chunk goes out when the fetch is over, or when TMDB would otherwise sit idle.
    return this.s.pendingShowIds.length >= this.settings.chunkSize || this.s.fetch.done || sd.inFlight.length === 0;
  }

  startShowDataChunk(nowMs: number): ChunkStart {
    const showIds = this.s.pendingShowIds.splice(0, this.settings.chunkSize);
    const chunk = this.s.nextChunk++;
    this.s.showData.inFlight.push({ chunk, size: showIds.length });
    this.s.stageStartedAtMs.showData ??= nowMs;
    return { chunk, showIds };
  }

  /** A show-data child reported. Returns false for a report already counted (a repeated signal). */
  chunkEnriched(r: ChunkEnriched): boolean {
    const sd = this.s.showData;
    const started = sd.inFlight.find((c) => c.chunk === r.chunk);
    if (!started) return false;
    sd.inFlight = sd.inFlight.filter((c) => c.chunk !== r.chunk);
    sd.done += r.done;
    sd.failed += r.failed;
    // Shows without a TMDB match have no cast to match on RT: their crawl is finished too.
    this.s.crawl.done += Math.max(0, started.size - r.matchedShowIds.length);
    if (r.matchedShowIds.length > 0) this.s.crawl.queue.push({ chunk: r.chunk, showIds: r.matchedShowIds });
    if (r.fatal) this.fatalReason ??= r.fatal;
    return true;
  }

  get showDataComplete(): boolean {
    return showDataComplete(this.s);
  }

  // ── crawl window ────────────────────────────────────────────────────────────

  get crawlChunkReady(): boolean {
    return this.s.crawl.queue.length > 0 && this.s.crawl.inFlight.length < this.settings.childWindow;
  }

  /** Every matched show has gone to a crawl child: the crawl window has nothing more to start. */
  get allCrawlsStarted(): boolean {
    return this.showDataComplete && this.s.crawl.queue.length === 0;
  }

  startCrawlChunk(nowMs: number): ChunkStart {
    const next = this.s.crawl.queue.shift()!;
    this.s.crawl.inFlight.push(next.chunk);
    this.s.stageStartedAtMs.crawl ??= nowMs;
    return next;
  }

  /** A crawl child reported. Returns false for a report already counted. */
  chunkCrawled(r: ChunkCrawled): boolean {
    const c = this.s.crawl;
    if (!c.inFlight.includes(r.chunk)) return false;
    c.inFlight = c.inFlight.filter((x) => x !== r.chunk);
    c.done += r.done;
    c.failed += r.failed;
    return true;
  }

  get crawlComplete(): boolean {
    return crawlComplete(this.s);
  }

  /** Children started and not yet reported: what a failing session cancels. */
  childrenInFlight(): { showData: number[]; crawl: number[] } {
    return { showData: this.s.showData.inFlight.map((c) => c.chunk), crawl: [...this.s.crawl.inFlight] };
  }

  // ── gates ───────────────────────────────────────────────────────────────────

  /** The star sign's gate: every show chunked, and `settings.starSignGate` (97%) of show data and crawl done. */
  get enrichedEnough(): boolean {
    const gate = this.settings.starSignGate;
    return this.allShowsChunked && doneShare(this.s, this.s.showData) >= gate && doneShare(this.s, this.s.crawl) >= gate;
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

  /** Hands out the next version number; the workflow chooses it, so a retried build stores the same version. */
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
