// /api/catalog/crawls behind the real guard, and `showprint catalog` as an operator runs it: a
// write key starts a crawl (202 + Location, at the catalog priority, with a summary for the Web UI),
// a read key follows it and lists crawls but cannot start one, bad input is 400, an unknown crawl 404,
// a second start under the same id 409. (The router is mounted here as app.ts will mount it.)
import express from 'express';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { catalogRouter } from '../../src/api/catalogRouter.js';
import { errorHandler } from '../../src/api/errors.js';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { ViewerTokenEpochs } from '../../src/api/protection/viewerTokens.js';
import { apiGuard } from '../../src/api/protection/middleware.js';
import { apiKeySet } from '../../src/api/protection/options.js';
import { CATALOG_PRIORITY, type CatalogCrawlProgress } from '../../src/contracts/index.js';
import { until } from '../support/mockActivities.js';
import { testSecurity } from '../support/servedApp.js';
import { type TestStack, startTestStack } from '../support/stack.js';

let stack: TestStack;
let server: Server;
let apiUrl: string;
const writeKey = generateApiKey();
const readKey = generateApiKey();

before(async () => {
  stack = await startTestStack();
  const security = testSecurity({ apiKeys: [writeKey, `${readKey}:read`] });
  const app = express();
  app.use(apiGuard({ apiKeys: apiKeySet(security), viewerTokens: security.viewerTokens, epochs: new ViewerTokenEpochs(stack.db.db), rateLimit: security.rateLimit }));
  app.use(express.json({ limit: '16kb' }));
  app.use('/api/catalog/crawls', catalogRouter({ client: stack.client, taskQueue: stack.config.temporal.taskQueue, settings: stack.config.pipeline }));
  app.use(errorHandler);
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server?.close(r));
  await stack?.close();
});

async function call(method: string, route: string, key: string | undefined, body?: unknown) {
  const res = await fetch(`${apiUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, location: res.headers.get('location'), body: (await res.json()) as Record<string, unknown> };
}

const seeds = () =>
  stack.standins.catalog.shows
    .filter((s) => s.onTmdb && s.decoyOf === undefined)
    .slice(0, 3)
    .map((s) => s.id);

test('a write key starts a crawl, a read key follows and lists it; the rest is refused', async () => {
  const body = { crawlId: 'api-crawl', seeds: seeds(), target: 12, rounds: 2, chunkSize: 4 };
  assert.equal((await call('POST', '/api/catalog/crawls', undefined, body)).status, 401);
  assert.equal((await call('POST', '/api/catalog/crawls', readKey, body)).status, 403);
  for (const bad of [{ seeds: ['1399'] }, { seeds: [0] }, { target: 0 }, { rounds: 1.5 }, { crawlId: 'a b' }, { surprise: true }]) {
    const res = await call('POST', '/api/catalog/crawls', writeKey, bad);
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.equal((res.body.error as { code: string }).code, 'invalid_request');
  }

  const started = await call('POST', '/api/catalog/crawls', writeKey, body);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  assert.equal(started.location, '/api/catalog/crawls/api-crawl');
  assert.deepEqual(started.body, { crawlId: 'api-crawl', workflowId: 'catalog-crawl-api-crawl' });
  assert.equal((await call('POST', '/api/catalog/crawls', writeKey, body)).status, 409, 'one crawl per id at a time');
  const described = await stack.client.workflow.getHandle('catalog-crawl-api-crawl').describe();
  assert.equal(described.priority?.priorityKey, CATALOG_PRIORITY);
  assert.equal(await described.staticSummary(), 'catalog crawl · 3 seeds · target 12 · 2 rounds · low priority');

  type View = { status: string; progress: CatalogCrawlProgress | null };
  let last: View | undefined;
  await until(async () => {
    const res = await call('GET', '/api/catalog/crawls/api-crawl', readKey);
    assert.equal(res.status, 200);
    last = res.body as unknown as View;
    return last.status === 'COMPLETED';
  }, 60_000, 'the crawl to complete');
  assert.ok(last?.progress && last.progress.phase === 'finished' && last.progress.enriched > 0, JSON.stringify(last));
  assert.ok(last.progress.seeds >= 3, 'the three seeds were explored');

  const listed = await call('GET', '/api/catalog/crawls', readKey);
  assert.ok((listed.body.crawls as { crawlId: string }[]).some((c) => c.crawlId === 'api-crawl'));
  assert.equal((await call('GET', '/api/catalog/crawls/nope', readKey)).status, 404);
  assert.equal((await call('GET', '/api/catalog/crawls/no%20such', readKey)).status, 404);
  assert.equal((await call('GET', '/api/catalog/crawls/api-crawl', undefined)).status, 401);
});

function showprint(args: string[], key = writeKey): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/showprint.js', '--api', apiUrl, ...args],
      { env: { ...process.env, SHOWPRINT_API_KEY: key, DATA_DIR: mkdtempSync(path.join(tmpdir(), 'showprint-cli-')), LOG_LEVEL: 'error' }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

test('showprint catalog crawl --seeds … --target … --rounds … --watch, then show and list', async () => {
  const crawl = await showprint(['catalog', 'crawl', '--seeds', seeds().join(','), '--target', '8', '--rounds', '2', '--id', 'cli-crawl', '--watch']);
  assert.equal(crawl.code, 0, crawl.out);
  assert.match(crawl.out, /Started catalog crawl cli-crawl \(workflow catalog-crawl-cli-crawl\) at low priority/);
  assert.match(crawl.out, /round \d\/2 finished \((target|rounds|exhausted)\) {2}seeds \d+ {2}discovered \d+ {2}deduped \d+ .* enriched \d+\/8/);
  assert.match(crawl.out, /Crawl cli-crawl completed\./);
  const shown = await showprint(['catalog', 'show', 'cli-crawl'], readKey);
  assert.equal(shown.code, 0, shown.out);
  assert.match(shown.out, /^cli-crawl COMPLETED\nround /);
  assert.match((await showprint(['catalog', 'list'], readKey)).out, /COMPLETED {2}cli-crawl/);
  const refused = await showprint(['catalog', 'crawl', '--seeds', '1'], readKey);
  assert.notEqual(refused.code, 0);
  assert.match(refused.out, /This endpoint needs write/);
  const bad = await showprint(['catalog', 'crawl', '--seeds', 'the-bear']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.out, /--seeds takes TMDB TV ids/);
});
