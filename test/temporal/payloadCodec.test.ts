// The AES-256-GCM payload codec on its own: round trip, key ids and rotation, tampering, old
// plaintext payloads, key parsing that never echoes key material, and the local key file.
import { defaultPayloadConverter } from '@temporalio/common';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { loadPayloadKeys } from '../../src/temporal/codec/payloadKeyFile.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/codec/payloadCodec.js';
import { PayloadKeyError, formatPayloadKeys, generatePayloadKey, parsePayloadKeys } from '../../src/config/payloadKeys.js';

const secret = 'demo-secret-data-key-123';
const plain = () => defaultPayloadConverter.toPayload({ sessionId: 's1', dataKey: secret });
const meta = (p: { metadata?: Record<string, Uint8Array> | null }, k: string) => Buffer.from(p.metadata?.[k] ?? []).toString();

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'showprint-keys-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

test('encodes with the active key, tags the metadata, and decodes to the exact original', async () => {
  const codec = new AesGcmPayloadCodec([generatePayloadKey('k1')]);
  const original = plain();
  const [encoded] = await codec.encode([original]);
  assert.equal(meta(encoded, 'encoding'), ENCRYPTED_ENCODING);
  assert.equal(meta(encoded, KEY_ID_METADATA), 'k1');
  assert.deepEqual(Object.keys(encoded.metadata ?? {}).sort(), ['encoding', KEY_ID_METADATA].sort());
  assert.ok(!Buffer.from(encoded.data!).includes(secret), 'ciphertext holds no plaintext');
  const [decoded] = await codec.decode([encoded]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), { sessionId: 's1', dataKey: secret });
  assert.deepEqual(decoded.metadata, original.metadata);
  // A fresh IV per payload: the same value never encrypts to the same bytes.
  const [again] = await codec.encode([original]);
  assert.notDeepEqual(Buffer.from(again.data!), Buffer.from(encoded.data!));
});

test('rotation: a new active key encodes, old keys keep decoding, a missing key id is a clear error', async () => {
  const k1 = generatePayloadKey('2024-01');
  const k2 = generatePayloadKey('2025-06');
  const [old] = await new AesGcmPayloadCodec([k1]).encode([plain()]);
  const rotated = new AesGcmPayloadCodec([k2, k1]);
  assert.equal(rotated.activeKeyId, '2025-06');
  const [fresh] = await rotated.encode([plain()]);
  assert.equal(meta(fresh, KEY_ID_METADATA), '2025-06');
  for (const p of await rotated.decode([old, fresh])) assert.equal((defaultPayloadConverter.fromPayload(p) as { dataKey: string }).dataKey, secret);

  const withoutOld = new AesGcmPayloadCodec([k2]);
  await assert.rejects(withoutOld.decode([old]), (error: Error) => {
    assert.ok(error instanceof PayloadKeyError);
    assert.match(error.message, /key id "2024-01", which is not configured \(known: 2025-06\); add that key to PAYLOAD_KEYS/);
    assert.ok(!error.message.includes(k1.key.toString('base64')));
    return true;
  });
});

test('tampered data or a relabelled key id fails authentication', async () => {
  const k1 = generatePayloadKey('a');
  const k2 = generatePayloadKey('b');
  const codec = new AesGcmPayloadCodec([k1, k2]);
  const [encoded] = await codec.encode([plain()]);
  const flipped = Buffer.from(encoded.data!);
  flipped[20] ^= 1;
  await assert.rejects(codec.decode([{ ...encoded, data: flipped }]), /failed authentication/);
  const relabelled = { ...encoded, metadata: { ...encoded.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
  await assert.rejects(codec.decode([relabelled]), /failed authentication/);
  await assert.rejects(codec.decode([{ ...encoded, data: Buffer.from('short') }]), /truncated/);
});

test('payloads written before encryption (and the replay corpus) pass through decode unchanged', async () => {
  const codec = new AesGcmPayloadCodec([generatePayloadKey('k')]);
  const original = plain();
  const [decoded] = await codec.decode([original]);
  assert.equal(decoded, original);
});

test('PAYLOAD_KEYS parsing: first key active; errors name the entry, never the key material', () => {
  const a = generatePayloadKey('alpha');
  const b = generatePayloadKey('beta');
  const keys = parsePayloadKeys(` ${formatPayloadKeys([a, b])} `);
  assert.deepEqual(keys.map((k) => k.id), ['alpha', 'beta']);
  assert.ok(keys[0].key.equals(a.key));

  const short = Buffer.alloc(16, 7).toString('base64');
  for (const [value, message] of [
    [`k1:${short}`, /key "k1": must be exactly 32 bytes/],
    [`${a.key.toString('base64')}`, /entry 1: expected kid:base64/],
    [`x:${a.key.toString('base64')},x:${b.key.toString('base64')}`, /appears twice/],
    [`bad id:${a.key.toString('base64')}`, /entry 1/],
  ] as const) {
    assert.throws(() => parsePayloadKeys(value), (error: Error) => {
      assert.match(error.message, message);
      assert.ok(!error.message.includes(short) && !error.message.includes(a.key.toString('base64')), 'no key material in the message');
      return true;
    });
  }
  assert.throws(() => loadConfig({ PAYLOAD_KEYS: `k1:${short}` }), (error: Error) => error instanceof ConfigError && /PAYLOAD_KEYS/.test(error.message) && !error.message.includes(short));
  assert.equal(loadConfig({ PAYLOAD_KEYS: formatPayloadKeys([a]) }).security.payloadKeys, formatPayloadKeys([a]));
});

test('without PAYLOAD_KEYS a local key is generated once (mode 0600), logged, and reused after a restart', () => {
  const dir = tempDir();
  const said: string[] = [];
  const first = loadPayloadKeys({ dataDir: dir, say: (l) => said.push(l) });
  assert.equal(first.source, 'generated');
  assert.equal(said.length, 1);
  assert.match(said[0], /Generated a payload encryption key/);
  assert.ok(!said[0].includes(first.keys[0].key.toString('base64')), 'the log names the file, not the key');
  const file = path.join(dir, 'payload-keys.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const second = loadPayloadKeys({ dataDir: dir, say: (l) => said.push(l) });
  assert.equal(second.source, 'file');
  assert.ok(second.keys[0].key.equals(first.keys[0].key));
  assert.equal(said.length, 1);
  assert.ok(JSON.parse(readFileSync(file, 'utf8')).keys[0].id.startsWith('local-'));
  // PAYLOAD_KEYS wins over the file.
  const configured = generatePayloadKey('ops-1');
  assert.equal(loadPayloadKeys({ dataDir: dir, payloadKeys: formatPayloadKeys([configured]) }).keys[0].id, 'ops-1');
});

test('outside the local demo a payload that is not encrypted is refused, not read as it is', async () => {
  const key = generatePayloadKey('k1');
  const injected = defaultPayloadConverter.toPayload({ sessionId: 'victim', dataKey: 'attacker-key' });
  // The local demo (and the replay corpus) still read plaintext.
  assert.deepEqual(await new AesGcmPayloadCodec([key]).decode([injected]), [injected]);
  const strict = new AesGcmPayloadCodec([key], undefined, { refusePlaintext: true });
  await assert.rejects(strict.decode([injected]), (e: Error) => e instanceof PayloadKeyError && /not encrypted: refused/.test(e.message));
  // Its own payloads still decode.
  const [sealed] = await strict.encode([plain()]);
  assert.deepEqual(defaultPayloadConverter.fromPayload((await strict.decode([sealed]))[0]), { sessionId: 's1', dataKey: secret });
});
