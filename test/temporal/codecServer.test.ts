// The remote codec endpoint for the Temporal Web UI and CLI: the protocol both ways, its
// authentication (Bearer key, or the codec-only token in the UI's URL), CORS for the UI's origin,
// and the dev server being told where it is.
import { defaultPayloadConverter } from '@temporalio/common';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateApiKey } from '../../src/api/protection/apiKeyFile.js';
import { codecUiToken } from '../../src/api/protection/apiKeys.js';
import { AesGcmPayloadCodec } from '../../src/temporal/codec/payloadCodec.js';
import { generatePayloadKey } from '../../src/config/payloadKeys.js';
import { ensureTemporalCli } from '../../src/temporal/cli.js';
import { startDevServer } from '../../src/temporal/devServer.js';
import { type ServedApp, TEST_CODEC_TOKEN_SECRET, bearer, serveLightApp, testSecurity } from '../support/servedApp.js';

const UI = 'http://127.0.0.1:8233';
const oldKey = generatePayloadKey('old');
const security = testSecurity({ codec: new AesGcmPayloadCodec([generatePayloadKey('current'), oldKey]) });
/** Scoped operator keys: decoding is reading, so `read` opens /codec and `write` alone does not. */
const readOnlyKey = generateApiKey();
const writeOnlyKey = generateApiKey();
security.apiKeys.push(`${readOnlyKey}:read`, `${writeOnlyKey}:write`);
let app: ServedApp;
before(async () => {
  app = await serveLightApp(security);
});
after(async () => {
  await app?.close();
});

const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const jsonPayload = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data!) };
};
type Wire = { payloads: { metadata: Record<string, string>; data: string }[] };
const call = (pathname: string, body: unknown, headers: Record<string, string> = bearer(app.apiKey)) =>
  fetch(`${app.url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify(body) });

test('encode then decode round-trips payloads in the remote codec protocol', async () => {
  const input = { payloads: [jsonPayload({ dataKey: 'demo-secret' }), jsonPayload('plain text'), jsonPayload(null)] };
  const encoded = await call('/codec/encode', input);
  assert.equal(encoded.status, 200);
  const wire = (await encoded.json()) as Wire;
  assert.equal(wire.payloads.length, 3);
  for (const p of wire.payloads) {
    assert.equal(Buffer.from(p.metadata.encoding, 'base64').toString(), 'binary/encrypted');
    assert.equal(Buffer.from(p.metadata['encryption-key-id'], 'base64').toString(), 'current');
    assert.ok(!Buffer.from(p.data, 'base64').includes('demo-secret'));
  }
  const decoded = await call('/codec/decode', wire);
  assert.equal(decoded.status, 200);
  assert.deepEqual(await decoded.json(), input);
});

test('decodes what workers wrote with an older key, passes plain payloads through, and names a missing key', async () => {
  const [old] = await new AesGcmPayloadCodec([oldKey]).encode([defaultPayloadConverter.toPayload({ n: 1 })]);
  const oldWire = { metadata: Object.fromEntries(Object.entries(old.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(old.data!) };
  const res = await call('/codec/decode', { payloads: [oldWire, jsonPayload({ n: 2 })] });
  assert.equal(res.status, 200);
  const out = (await res.json()) as Wire;
  assert.deepEqual(out.payloads.map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString())), [{ n: 1 }, { n: 2 }]);

  const [foreign] = await new AesGcmPayloadCodec([generatePayloadKey('retired')]).encode([defaultPayloadConverter.toPayload(1)]);
  const bad = await call('/codec/decode', { payloads: [{ metadata: Object.fromEntries(Object.entries(foreign.metadata!).map(([k, v]) => [k, b64(v)])), data: b64(foreign.data!) }] });
  assert.equal(bad.status, 422);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /key id "retired", which is not configured/);
  assert.equal((await call('/codec/decode', { payloads: [{ data: 'not base64!' }] })).status, 400);
  assert.equal((await call('/codec/decode', { nope: 1 })).status, 400);
});

test('a page of payloads larger than the API’s 16 kB limit is accepted', async () => {
  const big = { payloads: Array.from({ length: 40 }, (_, i) => jsonPayload({ i, filler: 'x'.repeat(1000) })) };
  const res = await call('/codec/encode', big);
  assert.equal(res.status, 200);
});

test('needs a Bearer API key or the codec-only UI token; the token opens nothing else', async () => {
  const body = { payloads: [jsonPayload(1)] };
  for (const headers of [{}, bearer('wrong-key-wrong-key-wrong'), { authorization: 'Basic abc' }]) {
    const res = await call('/codec/decode', body, headers);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  }
  const token = codecUiToken(TEST_CODEC_TOKEN_SECRET, app.apiKey);
  assert.equal((await call(`/codec/ui/${token}/decode`, body, {})).status, 200);
  assert.equal((await call(`/codec/ui/${token}/encode`, body, {})).status, 200);
  assert.equal((await call(`/codec/ui/${codecUiToken(TEST_CODEC_TOKEN_SECRET, 'another-key-another-key')}/decode`, body, {})).status, 401);
  // The UI token is not an API key, neither in the header nor for other routes (reads included).
  assert.equal((await call('/codec/decode', body, bearer(token))).status, 401);
  assert.equal((await call('/api/sessions', {}, bearer(token))).status, 401);
  assert.equal((await fetch(`${app.url}/api/sessions`, { headers: bearer(token) })).status, 401);
  // Scopes: a read key decodes; a write-only key is refused with the scope it lacks.
  assert.equal((await call('/codec/decode', body, bearer(readOnlyKey))).status, 200);
  const writeOnly = await call('/codec/decode', body, bearer(writeOnlyKey));
  assert.equal(writeOnly.status, 403);
  assert.equal(((await writeOnly.json()) as { error: { code: string } }).error.code, 'insufficient_scope');
  assert.match(writeOnly.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
});

test('CORS: the Web UI origin may call (preflight included); other origins may not', async () => {
  const preflight = await fetch(`${app.url}/codec/ui/x/decode`, {
    method: 'OPTIONS',
    headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), UI);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'Authorization, Content-Type, X-Namespace');
  assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.match(preflight.headers.get('vary') ?? '', /Origin/);

  const fromUi = await call('/codec/decode', { payloads: [] }, { ...bearer(app.apiKey), origin: 'http://localhost:8233' });
  assert.equal(fromUi.status, 200);
  assert.equal(fromUi.headers.get('access-control-allow-origin'), 'http://localhost:8233');
  // Even a refusal is readable by the UI, so it can say why.
  const refused = await call('/codec/decode', { payloads: [] }, { origin: UI });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('access-control-allow-origin'), UI);

  const evil = await fetch(`${app.url}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
  const evilPost = await call('/codec/decode', { payloads: [] }, { ...bearer(app.apiKey), origin: 'https://evil.example' });
  assert.equal(evilPost.headers.get('access-control-allow-origin'), null);
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

test('the dev server passes the codec endpoint to its Web UI (--ui-codec-endpoint)', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'showprint-codec-ui-'));
  const [port, uiPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:3000/codec/ui/${codecUiToken(TEST_CODEC_TOKEN_SECRET, app.apiKey)}`;
  const server = await startDevServer({ cliPath: await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH), dataDir, port, uiPort, namespace: 'default', codecEndpoint: endpoint });
  try {
    let settings: { Codec?: { Endpoint?: string } } = {};
    for (let i = 0; i < 40 && !settings.Codec; i++) {
      settings = await fetch(`${server.uiUrl}/api/v1/settings`).then((r) => r.json() as Promise<typeof settings>, () => ({}));
      if (!settings.Codec) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(settings.Codec?.Endpoint, endpoint);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
