// The worker's fair lanes (issue 27): a session alone takes every lane; while another waits, freed
// lanes go to the one served least, whatever either has queued; a chunk that ends leaves the queue;
// inside a session the oldest chunk goes first; a session waiting for another's shows lends its turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { activityFairnessKey, createFairLanes } from '../../activities/fairLanes.js';

/** Tasks that run until the test finishes them, keyed by the session that asked. */
function harness(size: number) {
  let key = '';
  const lanes = createFairLanes(size, () => key);
  const started: string[] = [];
  /** Whose turn each task's own requests take at the rate limiter (activityFairnessKey inside it). */
  const turnOf = new Map<string, string>();
  const running: (() => void)[] = [];
  const submit = (session: string, label: string, signal?: AbortSignal, show?: number) => {
    key = session;
    return lanes.run(
      () =>
        new Promise<void>((resolve) => {
          started.push(label);
          turnOf.set(label, activityFairnessKey());
          running.push(resolve);
        }),
      signal,
      show,
    );
  };
  /** `session` waits for these shows, which another session queued. */
  const lend = (session: string, shows: number[]) => {
    key = session;
    return lanes.lendTurn(shows);
  };
  /** Finishes the oldest running task and lets the lane it frees be handed on. */
  const finishOne = async () => {
    running.shift()!();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { lanes, submit, lend, started, turnOf, running, finishOne };
}

test('a session alone runs in every lane, and no more', async () => {
  const h = harness(3);
  const done = Array.from({ length: 5 }, (_, i) => h.submit('big', `big${i}`));
  await Promise.resolve();
  assert.deepEqual(h.started, ['big0', 'big1', 'big2']);
  await h.finishOne();
  assert.deepEqual(h.started, ['big0', 'big1', 'big2', 'big3']);
  while (h.running.length > 0) await h.finishOne();
  await Promise.all(done);
  assert.deepEqual(h.started, ['big0', 'big1', 'big2', 'big3', 'big4']);
});

test('a session that arrives later gets the freed lanes until it has had as many as the one before it, not a place behind the queue', async () => {
  const h = harness(2);
  const done = [
    ...Array.from({ length: 8 }, (_, i) => h.submit('big', `big${i}`)),
    ...Array.from({ length: 3 }, (_, i) => h.submit('small', `small${i}`)),
  ];
  await Promise.resolve();
  assert.deepEqual(h.started, ['big0', 'big1']);
  while (h.running.length > 0) await h.finishOne();
  await Promise.all(done);
  // The big session had two lanes, so the small one takes the next two; then they alternate. First
  // come, first served would start small0 only after big7; round-robin, after big2.
  assert.deepEqual(h.started, ['big0', 'big1', 'small0', 'small1', 'big2', 'small2', 'big3', 'big4', 'big5', 'big6', 'big7']);
});

test('a waiting task whose chunk ends leaves the queue without taking a lane', async () => {
  const h = harness(1);
  const first = h.submit('big', 'big0');
  const abort = new AbortController();
  const cancelled = h.submit('small', 'small0', abort.signal);
  const next = h.submit('small', 'small1');
  abort.abort(new Error('chunk cancelled'));
  await assert.rejects(cancelled, /chunk cancelled/);
  await h.finishOne();
  await h.finishOne();
  await Promise.all([first, next]);
  assert.deepEqual(h.started, ['big0', 'small1']);
});

test('an error in a task frees its lane', async () => {
  let key = '';
  const lanes = createFairLanes(1, () => key);
  key = 'a';
  await assert.rejects(lanes.run(() => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await lanes.run(() => Promise.resolve('ran')), 'ran');
});

test('a session waiting for shows another session queued lends them its turn, before and after they were queued', async () => {
  const h = harness(1);
  const done = Array.from({ length: 6 }, (_, i) => h.submit('big', `big${i}`, undefined, i));
  // The small session's chunk claimed nothing; it waits for shows 4 and 6, which the big one holds.
  const stopLending = h.lend('small', [4, 6]);
  assert.ok(h.lanes.isWanted(4) && !h.lanes.isWanted(3), 'wanted shows are known (their outcomes are stored at once)');
  done.push(h.submit('big', 'big6', undefined, 6)); // queued after the loan
  await Promise.resolve();
  while (h.running.length > 0) await h.finishOne();
  await Promise.all(done);
  // Without the loan big4 and big6 would run last: each waited behind every other task of the big
  // session. With it they run in the small session's turns, which come first (it has had none).
  assert.deepEqual(h.started, ['big0', 'big4', 'big1', 'big6', 'big2', 'big3', 'big5']);
  assert.equal(h.turnOf.get('big4'), 'small', "a lent task's requests wait at the limiter in the lender's turn");
  assert.equal(h.turnOf.get('big1'), '', 'outside an activity, with no loan: no key');
  stopLending();
  assert.equal(h.lanes.isWanted(4), false);
  // The loan is over: show 4's task waits in its own session's turn again.
  const first = h.submit('big', 'big8');
  const after = [h.submit('big', 'big9'), h.submit('big', 'big10', undefined, 4)];
  h.lend('other', [6]); // a loan of another show moves nothing
  await Promise.resolve();
  while (h.running.length > 0) await h.finishOne();
  await Promise.all([first, ...after]);
  assert.deepEqual(h.started.slice(-3), ['big8', 'big9', 'big10']);
});

test("within a session the oldest chunk's shows go first, whatever order they queued in", async () => {
  let key = 's';
  let rank = 0;
  const lanes = createFairLanes(1, () => key, () => rank);
  const started: string[] = [];
  const running: (() => void)[] = [];
  const submit = (chunkRank: number, label: string) => {
    rank = chunkRank;
    return lanes.run(() => new Promise<void>((resolve) => (started.push(label), running.push(resolve))));
  };
  // Chunk 2 (newer) queues before chunk 1 (older) puts its next show back in line.
  const done = [submit(1, 'one0'), submit(2, 'two0'), submit(2, 'two1'), submit(1, 'one1'), submit(1, 'one2')];
  key = 'other';
  done.push(submit(0, 'other0'));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  while (running.length > 0) {
    running.shift()!();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
  await Promise.all(done);
  // The other session has had no turn, so it goes next; inside s, chunk 1 before chunk 2, each in arrival order.
  assert.deepEqual(started, ['one0', 'other0', 'one1', 'one2', 'two0', 'two1']);
});
