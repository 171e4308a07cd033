// The Gandalf client classifies errors from outside, never lets the dataKey into a message, and reads
// Int64 fields sent as numbers or as numeric strings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { PermanentServiceError, TransientServiceError } from '../../src/clients/errors.js';
import { createGandalfClient } from '../../src/clients/gandalf/client.js';
import { publicKeyHexFromPrivate, signRequestBody } from '../../src/clients/gandalf/signature.js';
import { DEMO_GANDALF_PRIVATE_KEY } from '../../standins/demoKeys.js';
import { createGandalfStandin, listenStandin } from '../../standins/index.js';

let server: Server;
let url: string;
let reply: { status: number; body: string; headers?: Record<string, string> };
before(async () => {
  server = createServer((_req, res) => res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/public/gql`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const client = () => createGandalfClient({ url, privateKeyHex: DEMO_GANDALF_PRIVATE_KEY, timeoutMs: 2000 });
const secretKey = 'dk_live_SECRET123';

test('an error that echoes the dataKey is classified, and the key is redacted', async () => {
  reply = { status: 200, body: JSON.stringify({ errors: [{ message: `no record for ${secretKey}`, extensions: { code: 'RECORD_NOT_FOUND' } }], data: null }) };
  const error = await client().getActivityPage(secretKey, 1, 300).catch((e: unknown) => e);
  assert.ok(error instanceof PermanentServiceError);
  assert.equal(error.type, 'GandalfRecordNotFound');
  assert.doesNotMatch(error.message, /SECRET123/);
  assert.match(error.message, /\[dataKey\]/);
});

test('429 carries Retry-After; a truncated body is transient, not a crash', async () => {
  reply = { status: 429, body: '{}', headers: { 'retry-after': '3' } };
  const limited = await client().getActivityPage(secretKey, 1, 300).catch((e: unknown) => e);
  assert.ok(limited instanceof TransientServiceError);
  assert.equal(limited.retryAfterMs, 3000);
  reply = { status: 200, body: '{"data": {"getActivity": {"data": [' };
  const truncated = await client().getActivityPage(secretKey, 1, 300).catch((e: unknown) => e);
  assert.ok(truncated instanceof TransientServiceError);
  assert.equal(truncated.type, 'GandalfBadResponse');
});

// Int64 (total, limit, page): Gandalf's own Go SDK decodes a JSON number or a numeric string.
const int64Fixture = readFileSync(new URL('../fixtures/gandalf/activity-page-int64-strings.json', import.meta.url), 'utf8');

test('Int64 as strings: the fixture page parses, with its numbers', async () => {
  reply = { status: 200, body: int64Fixture };
  const page = await client().getActivityPage(secretKey, 1, 300);
  assert.deepEqual([page.total, page.limit, page.page], [1234, 300, 1]);
  assert.deepEqual(page.activities.map((a) => a.title), [
    'Big Brother (U.S.): Season 27: Episode 12',
    'Big Brother (UK): Series 1: Episode 3',
    'Glass Onion: A Knives Out Mystery',
  ]);
  assert.deepEqual(page.activities[0].identifiers, [{ value: 'tt0251497', identifierType: 'IMDB' }]);
  assert.deepEqual(page.activities[2].identifiers, []);
});

test('Int64 as numbers parses the same', async () => {
  const body = JSON.parse(int64Fixture) as { data: { getActivity: Record<string, unknown> } };
  Object.assign(body.data.getActivity, { total: 1234, limit: 300, page: 1 });
  reply = { status: 200, body: JSON.stringify(body) };
  const page = await client().getActivityPage(secretKey, 1, 300);
  assert.deepEqual([page.total, page.limit, page.page], [1234, 300, 1]);
});

test('anything else in an Int64 field is a transient GandalfBadResponse with a sample', async () => {
  const wrong: [string, unknown][] = [
    ['total', 'ten'], ['total', '12.5'], ['total', 12.5], ['total', ''], ['total', ' 12'], ['total', '0x10'], ['total', true],
    ['total', null], ['total', '9007199254740993'], ['total', -1], ['limit', { value: 300 }], ['page', 'first'], ['page', undefined],
  ];
  for (const [field, value] of wrong) {
    const body = JSON.parse(int64Fixture) as { data: { getActivity: Record<string, unknown> } };
    body.data.getActivity[field] = value;
    body.data.getActivity.note = `echoes ${secretKey} ${'x'.repeat(300)}`;
    reply = { status: 200, body: JSON.stringify(body) };
    const error = await client().getActivityPage(secretKey, 1, 300).catch((e: unknown) => e);
    assert.ok(error instanceof TransientServiceError, `${field}=${JSON.stringify(value)}`);
    assert.equal(error.type, 'GandalfBadResponse');
    assert.match(error.message, new RegExp(`getActivity\\.${field} that is not an Int64`));
    const sample = error.message.slice(error.message.indexOf('sample: ') + 8);
    assert.ok(sample.length > 0 && sample.length <= 200, `sample ${sample.length}`);
    assert.match(sample, /activities\]/, 'the sample shows the scalars, not the activities');
    assert.doesNotMatch(error.message, /SECRET123/);
  }
});

test('contract: the Gandalf stand-in sends Int64 as numbers by default, as strings when asked, and the client reads both', async () => {
  const publicKeyHex = publicKeyHexFromPrivate(DEMO_GANDALF_PRIVATE_KEY);
  for (const int64AsStrings of [false, true]) {
    const standin = await listenStandin(createGandalfStandin({ publicKeyHex, int64AsStrings, limits: { latencyMs: 0, jitterMs: 0, faultRate: 0, corruptRate: 0 } }));
    try {
      const gandalf = createGandalfClient({ url: standin.url, privateKeyHex: DEMO_GANDALF_PRIVATE_KEY, timeoutMs: 2000 });
      const page = await gandalf.getActivityPage('demo-small', 2, 100);
      assert.deepEqual([page.total, page.limit, page.page, page.activities.length], [300, 100, 2, 100]);
      // What went over the wire.
      const body = JSON.stringify({ query: 'query { getActivity(dataKey: "demo-small", source: NETFLIX, limit: 50, page: 1) { limit total page } }', variables: {} });
      const raw = (await (await fetch(standin.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Gandalf-Signature': signRequestBody(body, DEMO_GANDALF_PRIVATE_KEY) },
        body,
      })).json()) as { data: { getActivity: Record<string, unknown> } };
      const { total, limit, page: p } = raw.data.getActivity;
      assert.deepEqual({ total, limit, page: p }, int64AsStrings ? { total: '300', limit: '50', page: '1' } : { total: 300, limit: 50, page: 1 });
    } finally {
      await standin.close();
    }
  }
});

// Gandalf's `subject` identifiers (DESIGN §2): kept when well-formed, counted and dropped when not.
test('subject identifiers: well-formed ones kept (one per type), malformed ones counted, never fatal', async () => {
  reply = { status: 200, body: readFileSync(new URL('../fixtures/gandalf/activity-page-subjects.json', import.meta.url), 'utf8') };
  const page = await client().getActivityPage(secretKey, 1, 300);
  assert.deepEqual(page.activities.map((a) => a.identifiers), [
    [{ value: 'tt0251497', identifierType: 'IMDB' }, { value: '76706', identifierType: 'TVDB' }],
    [{ value: '361753', identifierType: 'TVDB' }, { value: '41280', identifierType: 'TVMAZE' }],
    // An IMDb id without "tt", an unknown type, a null value and a bare string are ignored; the good one stays.
    [{ value: 'tt7654321', identifierType: 'IMDB' }],
    [], // `subject` that is not a list
    [],
  ]);
  assert.equal(page.ignoredIdentifiers, 5);
});
