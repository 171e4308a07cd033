// The Gandalf client classifies errors from outside, and never lets the dataKey into a message.
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { PermanentServiceError, TransientServiceError } from '../../src/clients/errors.js';
import { createGandalfClient } from '../../src/clients/gandalf/client.js';
import { DEMO_GANDALF_PRIVATE_KEY } from '../../src/clients/gandalf/signature.js';

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
