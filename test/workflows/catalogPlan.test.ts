// The catalog crawl's pure decisions: each round's share of the target, when to stop, and what
// the Web UI shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyCatalogCounts } from '../../src/contracts/index.js';
import { describeCrawl, roundBudget, stopAfterRound } from '../../workflows/catalogPlan.js';

void test('the target is spread over the rounds left, and what a round fell short of goes to the next', () => {
  const settings = { target: 500, rounds: 3 };
  assert.equal(roundBudget(settings, { enriched: 0 }, 1), 167);
  assert.equal(roundBudget(settings, { enriched: 100 }, 2), 200);
  assert.equal(roundBudget(settings, { enriched: 300 }, 3), 200);
  assert.equal(roundBudget(settings, { enriched: 600 }, 3), 0);
  // Past the planned rounds (never started, but never a division by zero).
  assert.equal(roundBudget(settings, { enriched: 0 }, 5), 500);
});

void test('a crawl stops at its target, else after its last round', () => {
  const settings = { target: 45, rounds: 3 };
  assert.equal(stopAfterRound(settings, { enriched: 45 }, 1), 'target');
  assert.equal(stopAfterRound(settings, { enriched: 44 }, 2), null);
  assert.equal(stopAfterRound(settings, { enriched: 44 }, 3), 'rounds');
});

void test("the Web UI's details name the round, the phase, why it stopped, and every count", () => {
  const counts = { ...emptyCatalogCounts(), seeds: 5, discovered: 200, deduped: 31, belowFloor: 4, queued: 20, enriched: 17, skipped: 2, failed: 1 };
  const running = describeCrawl({ ...counts, crawlId: 'c1', round: 2, rounds: 3, target: 45, phase: 'enriching', chunks: { done: 1, total: 4 }, stoppedBecause: null, runs: 2 });
  assert.match(running, /^\*\*Catalog crawl c1\*\* · round 2 of 3 · enriching · low priority/);
  assert.match(running, /\| 5 \| 200 \| 31 \| 4 \| 20 \| 17 \/ 45 \| 2 \| 1 \|/);
  assert.match(running, /chunks this round: 1 of 4 · run 2/);
  const done = describeCrawl({ ...counts, crawlId: 'c1', round: 3, rounds: 3, target: 45, phase: 'finished', chunks: { done: 4, total: 4 }, stoppedBecause: 'rounds', runs: 3 });
  assert.match(done, /finished: ran its last round/);
});
