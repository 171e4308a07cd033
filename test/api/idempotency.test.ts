// Idempotency-Key on POST /api/sessions over a real stack: a retry gets the first answer and starts
// nothing; another body under the same key is 422; keys are per API key and expire after 24 h.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sql } from 'kysely';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { type TestStack, startTestStack } from '../support/stack.js';
import { bearer } from '../support/servedApp.js';

const otherKey = generateApiKey();
let stack: TestStack;
before(async () => {
  stack = await startTestStack({ env: { API_KEYS: `${generateApiKey()},${otherKey}` } });
});
after(async () => {
  await stack?.close();
});

const start = (body: unknown, idempotencyKey?: string, apiKey = stack.apiKey) =>
  fetch(`${stack.apiUrl}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(apiKey), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function rowCount(): Promise<number> {
  const row = await stack.db.db.selectFrom('sessions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
/**
 * Sessions ever started. Each session's workflow writes its row with its first activity, a moment
 * after the API answered: wait until `atLeast` rows exist (or 15 s pass), then a little longer, so
 * a second session started by mistake would have written its row too.
 */
async function sessionCount(atLeast = 0): Promise<number> {
  const deadline = Date.now() + 15_000;
  while ((await rowCount()) < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1_500));
  return rowCount();
}
const workflowExists = (sessionId: string) =>
  stack.client.workflow.getHandle(`session-${sessionId}`).describe().then(() => true, (error: Error) => {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  });

const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

test('the same key and body get the same status and body back, and start one session', async () => {
  const key = unique('retry');
  const before = await sessionCount();
  // No sessionId in the body: the server generates one, so only the stored answer can repeat it.
  const first = await start({ sessionId: undefined, dataKey: 'no-such-key-idem' }, key);
  assert.equal(first.status, 202);
  const firstBody = await first.json();
  const second = await start('{ "dataKey" : "no-such-key-idem" }', key); // other spacing, same JSON
  assert.equal(second.status, 202);
  // The viewer token is issued afresh to each answer (never stored), so it is compared apart.
  const { viewerToken: firstToken, viewerTokenExpiresAt: _firstExpiry, ...firstStored } = firstBody as { viewerToken?: string; viewerTokenExpiresAt?: string };
  const { viewerToken: secondToken, viewerTokenExpiresAt: _secondExpiry, ...secondStored } = (await second.json()) as { viewerToken?: string; viewerTokenExpiresAt?: string };
  assert.deepEqual(secondStored, firstStored);
  assert.equal(second.headers.get('location'), first.headers.get('location'));
  assert.equal(second.headers.get('idempotent-replayed'), 'true');
  const { sessionId } = firstBody as { sessionId: string };
  for (const token of [firstToken, secondToken]) assert.ok(token?.startsWith(`spv2.${sessionId}.`), `viewer token ${token}`);
  const stored = await stack.db.db.selectFrom('idempotency_keys').select('response').where('key', '=', key).executeTakeFirstOrThrow();
  assert.ok(!JSON.stringify(stored.response).includes('spv2.'), 'no viewer token is kept in the idempotency table');
  assert.equal(await sessionCount(before + 1), before + 1);
  assert.ok(await workflowExists(sessionId));
  // Without the header, the same body is a new session.
  const fresh = (await (await start({ dataKey: 'no-such-key-idem' })).json()) as { sessionId: string };
  assert.notEqual(fresh.sessionId, sessionId);
});

test('the same key with another body is 422 and starts nothing', async () => {
  const key = unique('reuse');
  const sessionId = unique('idem-a');
  assert.equal((await start({ dataKey: 'no-such-key-a', sessionId }, key)).status, 202);
  const other = unique('idem-b');
  const res = await start({ dataKey: 'no-such-key-b', sessionId: other }, key);
  assert.equal(res.status, 422);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'idempotency_key_reused');
  assert.equal(await workflowExists(other), false);
});

test('concurrent retries with one key start one session; every answer names it', async () => {
  const key = unique('race');
  const before = await sessionCount();
  const results = await Promise.all(Array.from({ length: 6 }, () => start({ dataKey: 'no-such-key-race' }, key)));
  const statuses = results.map((r) => r.status);
  assert.ok(statuses.every((s) => s === 202 || s === 409), statuses.join(','));
  const ids = new Set<string>();
  for (const r of results) if (r.status === 202) ids.add(((await r.json()) as { sessionId: string }).sessionId);
  assert.equal(ids.size, 1, `answers named ${[...ids].join(', ')}`);
  const inProgress = results.find((r) => r.status === 409);
  if (inProgress) assert.equal(inProgress.headers.get('retry-after'), '1');
  assert.equal(await sessionCount(before + 1), before + 1);
  assert.ok(await workflowExists([...ids][0]));
});

test('keys are scoped per API key, and expire', async () => {
  const key = unique('scope');
  const a = (await (await start({ dataKey: 'no-such-key-scope' }, key)).json()) as { sessionId: string };
  const b = (await (await start({ dataKey: 'no-such-key-scope' }, key, otherKey)).json()) as { sessionId: string };
  assert.notEqual(a.sessionId, b.sessionId, 'another client with the same key is another request');

  await stack.db.db.updateTable('idempotency_keys').set({ expires_at: sql<Date>`now() - interval '1 minute'` }).where('key', '=', key).execute();
  const c = await start({ dataKey: 'no-such-key-scope' }, key);
  assert.equal(c.status, 202);
  assert.notEqual(((await c.json()) as { sessionId: string }).sessionId, a.sessionId, 'an expired key starts anew');
  const row = await stack.db.db.selectFrom('idempotency_keys').select(['expires_at', 'created_at']).where('key', '=', key).where('scope', 'like', 'key:%').orderBy('expires_at', 'desc').executeTakeFirstOrThrow();
  const ttlHours = (new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()) / 3_600_000;
  assert.ok(Math.abs(ttlHours - 24) < 0.1, `ttl ${ttlHours} h`);
});

test('a claim left unanswered by a crashed process is taken over after a minute; a fresh one is 409', async () => {
  const fresh = unique('fresh-claim');
  const stale = unique('stale-claim');
  const body = { dataKey: 'no-such-key-claim' };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const scope = (await stack.db.db.selectFrom('idempotency_keys').select('scope').where('scope', 'like', 'key:%').executeTakeFirstOrThrow()).scope;
  const claim = (key: string, ageSeconds: number) =>
    stack.db.db
      .insertInto('idempotency_keys')
      .values({ scope, key, request_hash: hash, status: null, response: null, location: null, created_at: sql<Date>`now() - make_interval(secs => ${ageSeconds})`, expires_at: new Date(Date.now() + 3_600_000) })
      .execute();
  await claim(fresh, 1);
  await claim(stale, 120);
  const busy = await start(body, fresh);
  assert.equal(busy.status, 409);
  assert.equal(busy.headers.get('retry-after'), '1');
  assert.equal((await start(body, stale)).status, 202);
});

test('a malformed Idempotency-Key is 400; an invalid body is 400 and does not use the key up', async () => {
  assert.equal((await start({ dataKey: 'x' }, 'x'.repeat(256))).status, 400);
  assert.equal((await start({ dataKey: 'x' }, 'has space')).status, 400);
  const key = unique('invalid');
  assert.equal((await start({ dataKey: 42 }, key)).status, 400);
  assert.equal((await start({ dataKey: 'no-such-key-valid' }, key)).status, 202);
});
