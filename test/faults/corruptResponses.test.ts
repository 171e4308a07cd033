// Fault 6: corrupted responses. The stand-ins answer 200 with a truncated body (half a JSON
// document, half an HTML page) or JSON the GraphQL schema doesn't allow. Those must become
// classified, retried errors, never wrong data: a truncated RT search page is not "not on RT".
// - 25% corruption on Gandalf, TMDB and RT: the sessions complete with exactly the baseline's rows
//   and report. Requests are retried in the client, shows across the chunk's activity attempts,
//   so no show is dead-lettered and none silently differs from its baseline outcome.
// - Gandalf 100% corrupt: the session fails with a readable reason, within a deadline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printSummary, reportVerdict, useFaultStack, verifyRuns } from '../support/faults/harness.js';

const DATA_KEYS = ['demo-1k', 'demo-small'];
// Adjustable to tell the services apart: CORRUPT_RATE=0.25 CORRUPT_SERVICES=gandalf,tmdb,rt.
const CORRUPT_RATE = Number(process.env.CORRUPT_RATE ?? 0.25);
const SERVICES = (process.env.CORRUPT_SERVICES ?? 'gandalf,tmdb,rt').split(',') as ('gandalf' | 'tmdb' | 'rt')[];

const fixture = useFaultStack({ name: 'corrupt' }, DATA_KEYS);

test(`${CORRUPT_RATE * 100}% corrupted bodies from ${SERVICES.join(', ')}: retried until whole, the rows and report equal the baseline's`, { timeout: 12 * 60_000 }, async () => {
  const { stack, baselines } = fixture;
  const { standins } = stack;
  standins.resetStats();
  for (const service of SERVICES) standins.setLimits(service, { corruptRate: CORRUPT_RATE });
  const started = Date.now();
  const runs = await Promise.all(DATA_KEYS.map((k) => stack.startSession(k)));
  const verdict = await verifyRuns(stack, baselines, runs, 8 * 60_000);
  for (const service of ['gandalf', 'tmdb', 'rt'] as const) standins.setLimits(service, { corruptRate: 0 });
  const stats = standins.stats();
  reportVerdict('corrupt-responses', verdict, started, {
    corruptGandalf: stats.gandalf.corrupted,
    corruptTmdb: stats.tmdb.corrupted,
    corruptRt: stats.rt.corrupted,
    requests: stats.gandalf.requests + stats.tmdb.requests + stats.rt.requests,
  });
  // The corruption really was served by every service it was aimed at.
  if (CORRUPT_RATE > 0) for (const service of SERVICES) assert.ok(stats[service].corrupted > 0, `${service} served no corrupted body`);
});

test('Gandalf answers nothing but corrupted bodies: the session fails with a readable reason, in bounded time', { timeout: 10 * 60_000 }, async () => {
  const { stack } = fixture;
  const { standins } = stack;
  standins.resetStats();
  standins.setLimits('gandalf', { corruptRate: 1 });
  const started = Date.now();
  try {
    const run = await stack.startSession('demo-small');
    const end = await stack.waitForSession(run, 8 * 60_000);
    const row = await stack.db.db.selectFrom('sessions').select(['state', 'failure_reason']).where('id', '=', run.sessionId).executeTakeFirst();
    printSummary('corrupt-gandalf-always', {
      corruptGandalf: standins.stats().gandalf.corrupted,
      status: end.status,
      state: row?.state ?? 'none',
      seconds: Math.round((Date.now() - started) / 1000),
    });
    console.log(`  failure reason: ${row?.failure_reason}`);
    assert.equal(end.status, 'FAILED');
    assert.equal(row?.state, 'FAILED');
    assert.match(row?.failure_reason ?? '', /Gandalf/i, 'the reason names the service');
  } finally {
    standins.setLimits('gandalf', { corruptRate: 0 });
  }
});
