// The control plane against the whole stack: a service held for everyone (crawls wait, neither
// failing nor dead-lettering, and finish after release), the services' status as JSON and metrics,
// /readyz through a PostgreSQL outage, and the task queue's workers and draining one by name.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/db/index.js';
import { startTcpProxy } from '../support/faults/tcpProxy.js';
import { bearer, serveApp, testSecurity } from '../support/servedApp.js';
import { type TestStack, startTestStack, waitForState } from '../support/stack.js';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(async () => {
  await stack?.close();
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${stack.apiUrl}${path}`, { method, headers: { ...bearer(stack.apiKey), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
};
const rtRequests = () => [...stack.standins.rtRequestCounts().values()].reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('holding a service for everyone', () => {
  test('with RT held, crawls wait without failing or dead-lettering; after release the session completes', async () => {
    const held = await call('POST', '/api/control/services/rt/hold', { reason: 'RT is down' });
    assert.equal(held.status, 200);
    assert.equal((held.body.hold as { reason: string }).reason, 'RT is down');
    const services = (await call('GET', '/api/control/services')).body.services as { service: string; hold: unknown; ratePerSecond: number | null }[];
    assert.ok(services.find((s) => s.service === 'rt')?.hold, 'the status shows the hold');
    assert.ok(services.find((s) => s.service === 'tmdb')?.ratePerSecond, 'and each limiter rate');
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`, { headers: bearer(stack.apiKey) })).text();
    assert.match(metrics, /showprint_service_held\{service="rt"\} 1/);

    await sleep(1500); // every worker sees the hold within a poll
    const rtBefore = rtRequests();
    const { body } = await call('POST', '/api/sessions', { dataKey: 'demo-small' });
    const sessionId = body.sessionId as string;
    // Show data goes on; the crawl waits. Well past a crawl's usual time, nothing has gone to RT.
    await sleep(8000);
    const view = (await call('GET', `/api/sessions/${sessionId}`)).body as { state: string; progress: { stages: { showData: { complete: boolean }; crawl: { failed: number } } } };
    assert.notEqual(view.state, 'COMPLETED');
    assert.equal(view.progress.stages.showData.complete, true);
    assert.equal(view.progress.stages.crawl.failed, 0);
    assert.equal(rtRequests(), rtBefore, 'no request reached RT while it was held');
    assert.deepEqual((await call('GET', `/api/sessions/${sessionId}/failures`)).body.failures, []);

    assert.equal((await call('DELETE', '/api/control/services/rt/hold')).status, 200);
    assert.equal((await call('DELETE', '/api/control/services/rt/hold')).status, 404, 'releasing twice says it was not held');
    await waitForState(stack, sessionId, ['COMPLETED']);
    assert.ok(rtRequests() > rtBefore);
    assert.deepEqual((await call('GET', `/api/sessions/${sessionId}/failures`)).body.failures, [], 'nothing was dead-lettered');
    const report = (await call('GET', `/api/sessions/${sessionId}/report`)).body as { dataQuality: { showsFailed: number } };
    assert.equal(report.dataQuality.showsFailed, 0);
  });

  test('only services chunk work waits on can be held, and only with admin', async () => {
    const res = await call('POST', '/api/control/services/gandalf/hold', {});
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /tmdb, rt, wikidata/);
  });
});

describe('readiness', () => {
  // Needs PostgreSQL to cut (the suite runs on PGlite without DATABASE_URL).
  test('/readyz turns unready while PostgreSQL is cut, and ready again when it returns', { skip: !process.env.DATABASE_URL && 'no DATABASE_URL' }, async () => {
    const url = new URL(process.env.DATABASE_URL!);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
    const security = testSecurity();
    const served = await serveApp({ client: stack.client, db: db.db, security });
    try {
      // What failed, and why, is for admins (the public /readyz says ready or not).
      const readyz = async () => {
        const res = await fetch(`${served.url}/api/control/readiness`, { headers: { authorization: `Bearer ${security.apiKeys[0]}` } });
        return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
      };
      const up = await readyz();
      assert.equal(up.status, 200);
      assert.deepEqual(up.body.checks, { database: 'ok', migrations: 'ok', temporal: 'ok' });
      const outage = proxy.cut(4000);
      await sleep(300);
      const down = await readyz();
      assert.equal(down.status, 503);
      assert.match(down.body.checks.database, /^unavailable/);
      await outage;
      let back = await readyz();
      for (let i = 0; i < 20 && back.status !== 200; i++) {
        await sleep(250);
        back = await readyz();
      }
      assert.equal(back.status, 200);
    } finally {
      await served.close();
      await db.close();
      await proxy.close();
    }
  });
});

describe('workers (last: it drains the stack’s worker)', () => {
  test('the task queue lists its worker, backlog and rates; the drained worker stops and is marked drained', async () => {
    type Queue = { workflow: { pollers: { identity: string }[]; backlog: number | null }; activity: { pollers: { identity: string }[] }; drains: { identity: string; drainedAt: string | null }[] };
    const identity = stack.worker.options.identity;
    const queue = (await call('GET', '/api/control/workers')).body as unknown as Queue;
    const identities = [...new Set([...queue.workflow.pollers, ...queue.activity.pollers].map((p) => p.identity))];
    assert.ok(identities.includes(identity), `the stack's worker polls: ${identities.join(', ')}`);
    assert.equal(typeof queue.workflow.backlog, 'number');

    assert.equal((await call('POST', '/api/control/workers/no-such-worker/drain')).status, 404);
    assert.equal((await call('POST', `/api/control/workers/${encodeURIComponent(identity)}/drain`)).status, 202);
    await stack.workerRun; // the worker stops by itself
    assert.equal(stack.worker.getState(), 'STOPPED');
    let drainedAt: string | null = null;
    for (let i = 0; i < 40 && !drainedAt; i++) {
      await sleep(250);
      drainedAt = ((await call('GET', '/api/control/workers')).body as unknown as Queue).drains.find((d) => d.identity === identity)?.drainedAt ?? null;
    }
    assert.ok(drainedAt, 'the drain is recorded as done');
  });
});
