// SessionRun's transitions without Temporal: paging, the stages' windows, the gates, repeated reports,
// the continue-as-new snapshot and resuming a v1 session.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type PipelineSettings, type SessionInput, type SessionSnapshotLanes, type SessionStateV1, STAGE_NAMES } from '../../src/contracts/index.js';
import { SessionRun, initialSnapshot, lanesShape, snapshotFromLanes } from '../../workflows/session/sessionRun.js';

// The table's two stages: TMDB's show data, then the RT crawl of what it matched.
const [showData, crawl] = STAGE_NAMES as [(typeof STAGE_NAMES)[number], (typeof STAGE_NAMES)[number]];

const settings: PipelineSettings = {
  pageSize: 10,
  pagesPerFetch: 2,
  fetchConcurrency: 2,
  chunkSize: 3,
  childWindow: 2,
  continueAsNewEveryPages: 4,
  connectTimeoutMs: 1_000,
  showCacheTtlMs: 0,
  starSignGate: 0.97,
};
const start = (overrides: Partial<SessionInput> = {}) => SessionRun.fromInput({ sessionId: 's', dataKey: 'k', settings, ...overrides }, 1_000);
const page = (total: number, newShowIds: number[], pagesFetched = 1) => ({ total, pagesFetched, activities: pagesFetched * 10, newShowIds });

describe('chunk sizes', () => {
  test('the first chunk is FIRST_CHUNK_SIZE, so the later stages start early; the second makes up for it, so there are no more chunks than before', () => {
    const run = start({ settings: { ...settings, chunkSize: 4, firstChunkSize: 1, childWindow: 4 } });
    run.startFetch();
    run.pageFetched(page(10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    assert.deepEqual(run.startChunk(showData, 0).showIds, [1]);
    assert.deepEqual(run.startChunk(showData, 0).showIds, [2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(run.startChunk(showData, 0).showIds, [9, 10, 11, 12]);
    assert.equal(run.chunkReady(showData), false, 'three chunks for twelve shows, as with whole chunks of four');
  });

  test('a run started before FIRST_CHUNK_SIZE existed keeps whole chunks from the first (its history replays)', () => {
    const run = start({ settings: { ...settings, chunkSize: 4 } });
    run.startFetch();
    run.pageFetched(page(10, [1, 2, 3, 4, 5, 6]));
    assert.deepEqual(run.startChunk(showData, 0).showIds, [1, 2, 3, 4]);
  });
});

describe('the fetch lane', () => {
  test('page 1 goes alone; then batches of pagesPerFetch, fetchConcurrency at a time, until the last page', () => {
    const run = start();
    assert.equal(run.fetchWindow, 1);
    assert.deepEqual(run.startFetch(), { batch: 1, firstPage: 1, lastPage: 1 });
    assert.equal(run.hasPageToFetch, false, 'nothing more until page 1 tells the total');
    run.pageFetched(page(50, [1, 2])); // 5 pages of 10
    assert.equal(run.fetchWindow, 2);
    assert.deepEqual(run.startFetch(), { batch: 2, firstPage: 2, lastPage: 3 });
    assert.deepEqual(run.startFetch(), { batch: 3, firstPage: 4, lastPage: 5 });
    assert.equal(run.hasPageToFetch, false);
    run.pageFetched(page(50, [3], 2));
    assert.equal(run.fetchDone, false, 'a batch is still running');
    run.pageFetched(page(50, [4, 5], 2));
    assert.equal(run.fetchDone, true);
    assert.equal(run.progress('s', 2_000).stages.fetch.done, 5);
  });

  test('the page budget hands the run over, and a fresh run starts with a new budget', () => {
    const run = start();
    run.startFetch();
    run.pageFetched(page(100, []));
    run.startFetch();
    run.pageFetched(page(100, [], 2));
    assert.equal(run.pageBudgetSpent, false);
    run.startFetch();
    run.pageFetched(page(100, [], 2));
    assert.equal(run.pageBudgetSpent, true);
    const next = SessionRun.fromInput({ sessionId: 's', dataKey: 'k', settings, snapshot: run.snapshot() }, 5_000);
    assert.equal(next.pageBudgetSpent, false);
    assert.equal(next.run, 2);
    assert.equal(next.isFirstRun, false);
  });

  test('no snapshot while a fetch is in flight: its pages would be lost', () => {
    const run = start();
    run.startFetch();
    assert.throws(() => run.snapshot(), /in flight/);
  });
});

describe('the windows', () => {
  test('full chunks fill the show-data window; a partial one waits while others run and the fetch goes on', () => {
    const run = start();
    run.startFetch();
    run.pageFetched(page(30, [1, 2, 3, 4, 5, 6, 7])); // 3 pages: the fetch goes on
    assert.equal(run.chunkReady(showData), true);
    assert.deepEqual(run.startChunk(showData, 1), { chunk: 0, showIds: [1, 2, 3] });
    assert.deepEqual(run.startChunk(showData, 1), { chunk: 1, showIds: [4, 5, 6] });
    assert.equal(run.chunkReady(showData), false, 'the window (2) is full');
    run.chunkReported(showData, { chunk: 0, done: 3, failed: 0, matchedShowIds: [1, 2] });
    assert.equal(run.chunkReady(showData), false, 'one show pending, a chunk runs, the fetch goes on: wait for more');
    run.chunkReported(showData, { chunk: 1, done: 3, failed: 1, matchedShowIds: [] });
    assert.equal(run.chunkReady(showData), true, 'nothing running: a partial chunk keeps TMDB busy');
  });

  test('enriched chunks queue their matched shows for the crawl; unmatched shows count as crawled', () => {
    const run = start();
    run.startFetch();
    run.pageFetched(page(10, [1, 2, 3]));
    run.startChunk(showData, 1);
    assert.equal(run.chunkReady(crawl), false);
    run.chunkReported(showData, { chunk: 0, done: 3, failed: 1, matchedShowIds: [1, 3] });
    assert.equal(run.stageComplete(showData), true);
    assert.equal(run.chunkReady(crawl), true);
    assert.deepEqual(run.startChunk(crawl, 1), { chunk: 0, showIds: [1, 3] });
    assert.equal(run.allChunksStarted(crawl), true);
    const before = run.progress('s', 2).stages.crawl;
    assert.deepEqual([before.done, before.total], [1, 3]);
    run.chunkReported(crawl, { chunk: 0, done: 2, failed: 0 });
    assert.equal(run.allStagesComplete, true);
  });

  test('a repeated report counts once, and a report of a chunk never started is ignored', () => {
    const run = start();
    run.startFetch();
    run.pageFetched(page(10, [1, 2, 3]));
    run.startChunk(showData, 1);
    assert.equal(run.chunkReported(showData, { chunk: 0, done: 3, failed: 0, matchedShowIds: [1] }), true);
    assert.equal(run.chunkReported(showData, { chunk: 0, done: 3, failed: 0, matchedShowIds: [1] }), false);
    assert.equal(run.chunkReported(showData, { chunk: 9, done: 3, failed: 0, matchedShowIds: [] }), false);
    assert.equal(run.progress('s', 2).stages.showData.done, 3);
    run.startChunk(crawl, 1);
    assert.equal(run.chunkReported(crawl, { chunk: 0, done: 1, failed: 0 }), true);
    assert.equal(run.chunkReported(crawl, { chunk: 0, done: 1, failed: 0 }), false);
    assert.equal(run.progress('s', 2).stages.crawl.done, 3);
  });

  test('a session-wide failure in a report is kept (the first one)', () => {
    const run = start();
    run.startFetch();
    run.pageFetched(page(10, [1, 2, 3, 4]));
    run.startChunk(showData, 1);
    run.startChunk(showData, 1);
    run.chunkReported(showData, { chunk: 0, done: 3, failed: 3, matchedShowIds: [], fatal: 'TMDB rejected the API key' });
    run.chunkReported(showData, { chunk: 1, done: 1, failed: 1, matchedShowIds: [], fatal: 'something else' });
    assert.equal(run.fatal, 'TMDB rejected the API key');
  });
});

describe('the gates', () => {
  test('the star sign waits for 97% of show data and crawl, not for the last straggler', () => {
    const run = SessionRun.fromInput({ sessionId: 's', dataKey: 'k', settings: { ...settings, chunkSize: 1, childWindow: 40 } }, 0);
    run.startFetch();
    run.pageFetched(page(10, Array.from({ length: 40 }, (_, i) => i + 1)));
    for (let i = 0; i < 40; i++) {
      const { chunk, showIds } = run.startChunk(showData, 1);
      run.chunkReported(showData, { chunk, done: 1, failed: 0, matchedShowIds: showIds });
    }
    const crawls = Array.from({ length: 40 }, () => run.startChunk(crawl, 1));
    assert.equal(run.enrichedEnough, false, 'nothing crawled yet');
    for (const { chunk } of crawls.slice(0, 38)) run.chunkReported(crawl, { chunk, done: 1, failed: 0 });
    assert.equal(run.enrichedEnough, false, '38 of 40 = 95%');
    run.chunkReported(crawl, { chunk: crawls[38]!.chunk, done: 1, failed: 1 });
    assert.equal(run.enrichedEnough, true, '39 of 40 = 97.5%, failures count as done');
    assert.equal(run.allStagesComplete, false, 'the straggler still runs');
  });

  test('gates passed travel in the snapshot', () => {
    const run = start();
    run.gatePassed('quips');
    run.gatePassed('bff');
    const next = SessionRun.fromInput({ sessionId: 's', dataKey: 'k', settings, snapshot: run.snapshot() }, 2);
    assert.deepEqual(next.gates, { quips: true, bff: true, starSign: false, report: false });
  });
});

describe('the continue-as-new snapshot', () => {
  test('holds no list that grows with the session: finished chunks leave it', () => {
    const run = start();
    run.startFetch();
    run.pageFetched(page(10, Array.from({ length: 30 }, (_, i) => i + 1)));
    for (let round = 0; round < 5; round++) {
      const { chunk, showIds } = run.startChunk(showData, 1);
      run.chunkReported(showData, { chunk, done: showIds.length, failed: 0, matchedShowIds: showIds });
      const crawled = run.startChunk(crawl, 1);
      run.chunkReported(crawl, { chunk: crawled.chunk, done: crawled.showIds.length, failed: 0 });
    }
    const snapshot = run.snapshot();
    assert.deepEqual(snapshot.stages[showData].inFlight, []);
    assert.deepEqual(snapshot.stages[crawl].inFlight, []);
    assert.deepEqual(snapshot.stages[crawl].queue, []);
    assert.equal(snapshot.pendingShowIds.length, 15);
    assert.deepEqual(Object.keys(snapshot).sort(), ['fetch', 'gates', 'nextChunk', 'pendingShowIds', 'report', 'run', 'stages', 'startedAtMs', 'state']);
    // The report track is four fixed fields, however many versions are stored.
    assert.deepEqual(Object.keys(snapshot.report!).sort(), ['claimed', 'deadlineAtMs', 'finalClaimed', 'latest']);
    assert.equal(JSON.stringify(snapshot).includes('dataKey'), false, 'the dataKey travels once, in the input');
  });

  test('a first run starts AWAITING_CONNECTION without a dataKey, PROCESSING with one', () => {
    assert.equal(initialSnapshot({}, 0).state, 'AWAITING_CONNECTION');
    assert.equal(initialSnapshot({ dataKey: 'k' }, 0).state, 'PROCESSING');
    assert.equal(start().isFirstRun, true);
  });

  test('a v1 session resumes from its carried state: chunks in flight keep their sizes, finished lists are dropped', () => {
    const carried: SessionStateV1 = {
      state: 'STATS_DATA_READY',
      dataKey: 'k',
      startedAtMs: 10,
      runs: 3,
      sessionRecorded: true,
      fetch: { nextPage: 9, totalPages: 8, pagesDone: 8, activities: 80, batchesStarted: 5, done: true },
      pendingShowIds: [41],
      nextChunk: 4,
      chunkSizes: { 0: 10, 1: 10, 2: 10, 3: 10 },
      showData: { total: 41, done: 30, failed: 1, inFlight: [3], finished: [0, 1, 2] },
      crawl: { total: 41, done: 12, failed: 0, inFlight: [1], finished: [0], queue: [{ chunk: 2, showIds: [21, 22] }] },
      stageStartedAtMs: { showData: 20, crawl: 30 },
      gates: { quips: true, bff: false, starSign: false, report: false },
    };
    const run = start({ carried });
    assert.equal(run.run, 4);
    assert.equal(run.isFirstRun, false);
    assert.equal(run.state, 'STATS_DATA_READY');
    // Chunk 3's report still counts, with its size from chunkSizes: 10 shows, 4 matched → 6 crawled.
    assert.equal(run.chunkReported(showData, { chunk: 3, done: 10, failed: 0, matchedShowIds: [31, 32, 33, 34] }), true);
    assert.equal(run.chunkReported(showData, { chunk: 2, done: 10, failed: 0, matchedShowIds: [] }), false, 'chunk 2 was finished in v1');
    assert.equal(run.progress('s', 100).stages.crawl.done, 18);
    const snapshot = run.snapshot();
    assert.equal(snapshot.run, 5);
    assert.deepEqual(snapshot.stages[crawl].queue.map((q) => q.chunk), [2, 3]);
  });

  test("a snapshot in the lanes' shape (written before the stage table) resumes with the same counts and chunks", () => {
    const lanes: SessionSnapshotLanes = {
      run: 3,
      state: 'PROCESSING',
      startedAtMs: 10,
      fetch: { nextPage: 9, totalPages: 8, pagesDone: 8, activities: 80, batchesStarted: 5, done: true },
      pendingShowIds: [],
      nextChunk: 4,
      showData: { total: 40, done: 30, failed: 1, inFlight: [{ chunk: 3, size: 10 }] },
      crawl: { total: 40, done: 12, failed: 0, inFlight: [1], queue: [{ chunk: 2, showIds: [21, 22] }] },
      stageStartedAtMs: { showData: 20, crawl: 30 },
      gates: { quips: true, bff: false, starSign: false, report: false },
    };
    const run = start({ snapshot: lanes });
    assert.equal(run.run, 3);
    assert.equal(run.chunkReported(showData, { chunk: 3, done: 10, failed: 0, matchedShowIds: [31] }), true);
    assert.equal(run.progress('s', 100).stages[crawl].done, 21, '9 of chunk 3 unmatched: crawled too');
    assert.deepEqual(run.snapshot().stages[crawl].queue.map((q) => q.chunk), [2, 3]);
    assert.equal(run.chunkReported(crawl, { chunk: 1, done: 5, failed: 1 }), true, 'a crawl chunk in flight before still counts');
    // A run begun before the table hands over in the shape it began with, and nothing is lost either way.
    assert.deepEqual(lanesShape(snapshotFromLanes(lanes)), lanes);
  });
});

describe('report versions and pausing', () => {
  const withDeadline = (deadlineMs?: number) => SessionRun.fromInput({ sessionId: 's', dataKey: 'k', settings: { ...settings, reportDeadlineMs: deadlineMs } }, 0);

  test('the deadline counts from processing start, once; none without the setting', () => {
    const run = withDeadline(120_000);
    assert.equal(run.provisionalDueAtMs, null, 'not processing yet');
    run.startReportClock(5_000);
    run.startReportClock(9_000); // a later run of the same session keeps the first due time
    assert.equal(run.provisionalDueAtMs, 125_000);
    const none = withDeadline(undefined);
    none.startReportClock(5_000);
    assert.equal(none.provisionalDueAtMs, null);
  });

  test('versions are claimed in order; nothing follows the final one; the latest stored is the highest', () => {
    const run = withDeadline(1_000);
    run.startReportClock(0);
    assert.deepEqual(run.claimReportVersion(false), { version: 1, final: false });
    assert.equal(run.provisionalDueAtMs, null, 'a provisional version is out: the deadline is spent');
    assert.equal(run.hasProvisionalReport, true);
    assert.deepEqual(run.claimReportVersion(false), { version: 2, final: false });
    assert.deepEqual(run.claimReportVersion(true), { version: 3, final: true });
    assert.throws(() => run.claimReportVersion(false), /final/);
    run.reportStored({ version: 3, final: true });
    run.reportStored({ version: 2, final: false }); // a slower build finishing later
    assert.deepEqual(run.latestReport, { version: 3, final: true });
    // It all travels through continue-as-new.
    const next = SessionRun.fromInput({ sessionId: 's', settings, snapshot: run.snapshot() }, 0);
    assert.deepEqual(next.latestReport, { version: 3, final: true });
    assert.equal(next.finalReportClaimed, true);
  });

  test('a service refusing the crawl past the patience shows in the progress until it answers, across continue-as-new', () => {
    const run = withDeadline();
    assert.deepEqual(run.progress('s', 30).throttled, []);
    assert.equal(run.serviceThrottled({ service: 'rt', throttled: true, sinceMs: 10 }), true);
    assert.equal(run.serviceThrottled({ service: 'rt', throttled: true, sinceMs: 20 }), false, 'a second chunk saying so changes nothing');
    const next = SessionRun.fromInput({ sessionId: 's', settings, snapshot: run.snapshot() }, 0);
    assert.deepEqual(next.progress('s', 30).throttled, [{ service: 'rt', since: new Date(10).toISOString() }]);
    assert.deepEqual(next.throttledServices, ['rt']);
    assert.equal(next.serviceThrottled({ service: 'rt', throttled: false, sinceMs: 40 }), true);
    assert.deepEqual(next.progress('s', 50).throttled, []);
  });

  test('a pause keeps its first reason until resumed, and survives continue-as-new', () => {
    const run = withDeadline();
    assert.equal(run.pause(10, 'first'), true);
    assert.equal(run.pause(20, 'second'), false);
    const next = SessionRun.fromInput({ sessionId: 's', settings, snapshot: run.snapshot() }, 0);
    assert.equal(next.paused, true);
    assert.deepEqual(next.progress('s', 30).paused, { since: new Date(10).toISOString(), reason: 'first' });
    assert.equal(next.resume(), true);
    assert.equal(next.resume(), false);
    assert.equal(next.progress('s', 30).paused, null);
  });
});
